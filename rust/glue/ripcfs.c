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

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fsnotify.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "params.h"
#include "ripcfs.h"

#define RIPCFS_MAGIC 0x72697063 /* "ripc" */

/*
 * One directory per kind of named object, sticky and world-writable like
 * /dev/shm and /dev/mqueue, and one read-only directory for status listings.
 */
static const struct {
	const char *name;
	umode_t mode;
} ripcfs_dirs[] = {
	{ "notify", 01777 }, { "pipe", 01777 }, { "mq", 01777 }, { "shm", 01777 },
	{ "sysvipc", 0755 },
};

/* The kinds of named objects, handed over by the Rust side at registration. */
static const struct ripcfs_kind *ripcfs_kinds;
static size_t ripcfs_nr_kinds;

/* The status files of sysvipc/, handed over likewise. */
#define RIPCFS_STATUS_DIR "sysvipc"
static const struct ripcfs_status *ripcfs_statuses;
static size_t ripcfs_nr_statuses;

static const struct ripcfs_kind *ripcfs_kind_by_dir(const char *name)
{
	size_t i;

	for (i = 0; i < ripcfs_nr_kinds; i++)
		if (!strcmp(ripcfs_kinds[i].dir, name))
			return &ripcfs_kinds[i];
	return NULL;
}

/* An object inode's kind, told by its file_operations. */
static const struct ripcfs_kind *ripcfs_kind_of(struct inode *inode)
{
	size_t i;

	for (i = 0; i < ripcfs_nr_kinds; i++)
		if (inode->i_fop == ripcfs_kinds[i].fops)
			return &ripcfs_kinds[i];
	return NULL;
}

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

/*
 * truncate/ftruncate of a name of a sized kind (shm/): the object takes
 * the new size first, then the inode shows it; the other attributes are
 * the inode's, as for any libfs file.
 */
static int ripcfs_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			  struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	const struct ripcfs_kind *kind = ripcfs_kind_of(inode);
	int err;

	err = setattr_prepare(idmap, dentry, attr);
	if (err)
		return err;
	if (attr->ia_valid & ATTR_SIZE) {
		if (!kind || !kind->set_size)
			return -EINVAL;
		err = kind->set_size(inode->i_private, attr->ia_size);
		if (err)
			return err;
		i_size_write(inode, attr->ia_size);
	}
	setattr_copy(idmap, inode, attr);
	return 0;
}

static const struct inode_operations ripcfs_sized_inode_operations = {
	.setattr = ripcfs_setattr,
};

/*
 * Names of objects in all kind directories, held to the ripcfs_max_names
 * parameter as a tmpfs mount is to its nr_inodes: ENOSPC past it.
 */
static atomic_long_t ripcfs_nr_names = ATOMIC_LONG_INIT(0);

/*
 * A new name in a directory of a kind: the Rust side makes the object,
 * which the inode keeps (i_private) until it is evicted; every open file
 * takes its own reference in the kind's ->open. Names of a FIFO kind are
 * S_IFIFO inodes whose file_operations are the kind's own, not the kernel's
 * FIFO (no init_special_inode()).
 */
static int ripcfs_new_object(struct mnt_idmap *idmap, struct inode *dir,
			     struct dentry *dentry, umode_t mode)
{
	const struct ripcfs_kind *kind = dir->i_private;
	struct inode *inode;
	void *object;

	if ((mode & S_IFMT) != kind->file_type)
		return -EPERM;
	if (atomic_long_inc_return(&ripcfs_nr_names) >
	    READ_ONCE(ripc_param_ripcfs_max_names.value)) {
		atomic_long_dec(&ripcfs_nr_names);
		return -ENOSPC;
	}

	inode = new_inode(dir->i_sb);
	if (!inode) {
		atomic_long_dec(&ripcfs_nr_names);
		return -ENOMEM;
	}
	inode->i_ino = get_next_ino();
	inode_init_owner(idmap, inode, dir, kind->file_type | (mode & S_IALLUGO));
	simple_inode_init_ts(inode);

	object = kind->create();
	if (IS_ERR(object)) {
		/* No object: eviction does not count this inode back. */
		iput(inode);
		atomic_long_dec(&ripcfs_nr_names);
		return PTR_ERR(object);
	}
	inode->i_private = object;
	inode->i_fop = kind->fops;
	if (kind->set_size)
		inode->i_op = &ripcfs_sized_inode_operations;
	d_make_persistent(dentry, inode);
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	return 0;
}

/* open(O_CREAT), and mknod(S_IFREG), which the VFS turns into ->create. */
static int ripcfs_create(struct mnt_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, bool excl)
{
	return ripcfs_new_object(idmap, dir, dentry, S_IFREG | (mode & ~S_IFMT));
}

/* mknod(2) of any other type: FIFOs in a FIFO kind's directory, else EPERM. */
static int ripcfs_mknod(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode, dev_t dev)
{
	return ripcfs_new_object(idmap, dir, dentry, mode);
}

static const struct inode_operations ripcfs_kind_dir_inode_operations = {
	.lookup = simple_lookup,
	.create = ripcfs_create,
	.mknod = ripcfs_mknod,
	.unlink = simple_unlink,
};

/*
 * Makes a directory under parent. Returns it (pinned by d_make_persistent(),
 * so valid for the superblock's life without a reference of ours), or an
 * ERR_PTR.
 */
static struct dentry *ripcfs_create_dir(struct dentry *parent, const char *name,
					umode_t mode)
{
	const struct ripcfs_kind *kind = ripcfs_kind_by_dir(name);
	struct inode *inode;
	struct dentry *dentry;

	inode = ripcfs_make_inode(parent->d_sb, S_IFDIR | mode);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_fop = &simple_dir_operations;
	if (kind) {
		inode->i_op = &ripcfs_kind_dir_inode_operations;
		inode->i_private = (void *)kind;
	} else {
		inode->i_op = &simple_dir_inode_operations;
	}

	dentry = simple_start_creating(parent, name);
	if (IS_ERR(dentry)) {
		iput(inode);
		return dentry;
	}
	inc_nlink(d_inode(parent));
	set_nlink(inode, 2);
	d_make_persistent(dentry, inode);
	fsnotify_mkdir(d_inode(parent), dentry);
	simple_done_creating(dentry);
	return dentry;
}

/*
 * Status files (sysvipc/msg, ...): read-only, their whole content formatted
 * by the Rust callback at open into a seq_file buffer.
 */
static int ripcfs_status_show(struct seq_file *m, void *v)
{
	const struct ripcfs_status *status = m->private;

	status->show(m);
	return 0;
}

static int ripcfs_status_open(struct inode *inode, struct file *file)
{
	return single_open(file, ripcfs_status_show, inode->i_private);
}

static const struct file_operations ripcfs_status_fops = {
	.owner = THIS_MODULE,
	.open = ripcfs_status_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int ripcfs_create_status(struct dentry *parent, const struct ripcfs_status *status)
{
	struct inode *inode;
	struct dentry *dentry;

	inode = ripcfs_make_inode(parent->d_sb, S_IFREG | 0444);
	if (!inode)
		return -ENOMEM;
	inode->i_fop = &ripcfs_status_fops;
	inode->i_private = (void *)status;

	dentry = simple_start_creating(parent, status->name);
	if (IS_ERR(dentry)) {
		iput(inode);
		return PTR_ERR(dentry);
	}
	d_make_persistent(dentry, inode);
	fsnotify_create(d_inode(parent), dentry);
	simple_done_creating(dentry);
	return 0;
}

/* The last reference to a named object's inode gives back its object. */
static void ripcfs_evict_inode(struct inode *inode)
{
	const struct ripcfs_kind *kind = S_ISDIR(inode->i_mode) ? NULL : ripcfs_kind_of(inode);

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (kind && inode->i_private) {
		kind->put(inode->i_private);
		atomic_long_dec(&ripcfs_nr_names);
	}
}

static const struct super_operations ripcfs_super_ops = {
	.statfs = simple_statfs,
	.drop_inode = inode_just_drop,
	.evict_inode = ripcfs_evict_inode,
};

static int ripcfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct dentry *dir, *status_dir = NULL;
	struct inode *root;
	size_t i;
	int ret;

	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_maxbytes = MAX_LFS_FILESIZE;	/* shm/ names grow as /dev/shm files (tmpfs) */
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
		dir = ripcfs_create_dir(sb->s_root, ripcfs_dirs[i].name, ripcfs_dirs[i].mode);
		if (IS_ERR(dir))
			return PTR_ERR(dir);
		if (!strcmp(ripcfs_dirs[i].name, RIPCFS_STATUS_DIR))
			status_dir = dir;
	}
	for (i = 0; status_dir && i < ripcfs_nr_statuses; i++) {
		ret = ripcfs_create_status(status_dir, &ripcfs_statuses[i]);
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

/*
 * Opens (with O_CREAT: makes) `name` in the directory open as `dirfd`, which
 * must be ripcfs's directory of the kind whose files use `fops`: an open(2)
 * of that name, with the caller's credentials and umask, done inside one
 * ioctl so that the kind can be handed creation parameters (the attributes
 * of a POSIX message queue) that open(2) cannot carry. `name` is one path
 * component: empty, "." or "..", or with '/', it is EACCES, as for
 * mq_open(2) (lookup_noperm_common()).
 */
struct file *ripcfs_open_in_kind_dir(int dirfd, const char *name, int flags,
				     umode_t mode, const struct file_operations *fops)
{
	const struct ripcfs_kind *kind;
	struct inode *inode;
	struct file *dir, *file;

	dir = fget_raw(dirfd);
	if (!dir)
		return ERR_PTR(-EBADF);
	inode = file_inode(dir);
	kind = inode->i_private;
	if (inode->i_sb->s_type != &ripcfs_type || !S_ISDIR(inode->i_mode) || !kind ||
	    kind->fops != fops)
		file = ERR_PTR(-EINVAL);
	else if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		file = ERR_PTR(-EACCES);
	else
		file = file_open_root(&dir->f_path, name, flags, mode);
	fput(dir);
	return file;
}

/* Called from the Rust module's init and exit; see rust/glue/ripcfs.rs. */
int ripcfs_register(const struct ripcfs_kind *kinds, size_t nr_kinds,
		    const struct ripcfs_status *statuses, size_t nr_statuses)
{
	ripcfs_kinds = kinds;
	ripcfs_nr_kinds = nr_kinds;
	ripcfs_statuses = statuses;
	ripcfs_nr_statuses = nr_statuses;
	return register_filesystem(&ripcfs_type);
}

void ripcfs_unregister(void)
{
	unregister_filesystem(&ripcfs_type);
}
