// SPDX-License-Identifier: GPL-2.0
/*
 * ripcfs: the VFS plumbing of ripc's filesystem.
 *
 * Only the superblock, the fixed directories and the inode bookkeeping live
 * here, in C, because fs_context and most of libfs are static inline
 * functions or structures that kernel::bindings cannot reach; Rust Binder's
 * rust_binderfs.c does the same. What the objects named here do is decided
 * in Rust. Documentation/ripcfs.rst describes the layout.
 */

#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fsnotify.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "ripcfs.h"

#define RIPCFS_MAGIC 0x72697063 /* "ripc" */

/* One directory per kind of named object, and one for status listings. */
static const char *const ripcfs_dirs[] = { "notify", "pipe", "mq", "shm", "sysvipc" };

static struct inode *ripcfs_make_inode(struct super_block *sb, umode_t mode)
{
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = get_next_ino();
	inode->i_mode = mode;
	inode->i_uid = current_fsuid();
	inode->i_gid = current_fsgid();
	simple_inode_init_ts(inode);
	return inode;
}

static int ripcfs_create_dir(struct dentry *parent, const char *name)
{
	struct inode *inode;
	struct dentry *dentry;

	inode = ripcfs_make_inode(parent->d_sb, S_IFDIR | 0755);
	if (!inode)
		return -ENOMEM;
	inode->i_fop = &simple_dir_operations;
	inode->i_op = &simple_dir_inode_operations;

	dentry = simple_start_creating(parent, name);
	if (IS_ERR(dentry)) {
		iput(inode);
		return PTR_ERR(dentry);
	}
	inc_nlink(d_inode(parent));
	set_nlink(inode, 2);
	d_make_persistent(dentry, inode);
	fsnotify_mkdir(d_inode(parent), dentry);
	simple_done_creating(dentry);
	return 0;
}

static const struct super_operations ripcfs_super_ops = {
	.statfs = simple_statfs,
	.drop_inode = inode_just_drop,
};

static int ripcfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct inode *root;
	size_t i;
	int ret;

	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = RIPCFS_MAGIC;
	sb->s_op = &ripcfs_super_ops;
	sb->s_time_gran = 1;
	sb->s_iflags |= SB_I_NOEXEC;

	root = ripcfs_make_inode(sb, S_IFDIR | 0755);
	if (!root)
		return -ENOMEM;
	root->i_fop = &simple_dir_operations;
	root->i_op = &simple_dir_inode_operations;
	set_nlink(root, 2);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;

	for (i = 0; i < ARRAY_SIZE(ripcfs_dirs); i++) {
		ret = ripcfs_create_dir(sb->s_root, ripcfs_dirs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int ripcfs_get_tree(struct fs_context *fc)
{
	/* Every mount shows the same names, as /dev/mqueue does. */
	return get_tree_single(fc, ripcfs_fill_super);
}

static const struct fs_context_operations ripcfs_context_ops = {
	.get_tree = ripcfs_get_tree,
};

static int ripcfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &ripcfs_context_ops;
	return 0;
}

static struct file_system_type ripcfs_type = {
	.owner = THIS_MODULE,
	.name = "ripcfs",
	.init_fs_context = ripcfs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/* Called from the Rust module's init and exit; see rust/glue/ripcfs.rs. */
int ripcfs_register(void)
{
	return register_filesystem(&ripcfs_type);
}

void ripcfs_unregister(void)
{
	unregister_filesystem(&ripcfs_type);
}
