// SPDX-License-Identifier: GPL-2.0
/*
 * ripc's pipefs: the internal filesystem that holds the inode of every
 * anonymous ripc pipe, as fs/pipe.c's pipefs holds Linux's.
 *
 * Both ends of a pipe are files of one S_IFIFO inode (get_pipe_inode(),
 * create_pipe_files()), so fstat() shows one st_ino and fstatfs()
 * PIPEFS_MAGIC, /proc/<pid>/fd/N reads "pipe:[ino]", and opening that link
 * goes through the inode's ->open, the FIFO open (fifo_open()), to the
 * same pipe.
 *
 * Lifetime. Linux mounts pipefs once, at boot, for good. A module cannot:
 * the superblock pins the module (file_system_type.owner), so a mount made
 * at load time would make rmmod impossible. Everything this file hands out
 * lives on that superblock (inodes, dentries, s_op, d_op, i_fop), so the
 * superblock must live while any of it is reachable, and only then. The
 * mount therefore exists while it has users, as drm_fs_inode_new() does
 * with simple_pin_fs(): the first pipe inode makes it, the last user to go
 * gives it back. Its users are the pipe inodes, counted from creation to
 * eviction, and the open files of /dev/ripc: those pin the module anyway,
 * and keeping the mount while one is open spares a process that makes
 * pipe after pipe (libripc keeps /dev/ripc open) a new superblock each
 * time no other pipe exists.
 *
 * - Every file (an end, a reopen through /proc, an O_PATH descriptor) holds
 *   a reference to the mount, so the superblock, and with it the module,
 *   stays while any file of a pipe is open, even after every end is closed.
 * - An inode held without a file (an inotify mark) holds the mount through
 *   the count below.
 * - The last user (an inode's eviction, or the release of a /dev/ripc file)
 *   drops the count's reference with a plain mntput(). The mount is made
 *   without SB_KERNMOUNT, so when that is the last reference the kernel
 *   does not tear the superblock down inside mntput() (it does for
 *   MNT_INTERNAL mounts, which would shut the superblock down from within
 *   the eviction of one of its inodes) but in task work of the current
 *   task, before it returns to userspace or finishes exiting: close() and
 *   exit() return with the module unpinned, so rmmod right after works.
 *   (From a kernel thread, as when fsnotify's worker drops a watch's
 *   inode, delayed_mntput_work does it a tick later.) Usually a file's own
 *   mntput() in __fput(), which comes after the eviction (dput() before
 *   mntput()), is the last.
 *
 * The price of a mount outside any namespace is that mntput() takes
 * mount_lock (Linux's pipe_mnt takes a lockless path), once per closed
 * file, and that a pipe made while ripc has no other user mounts anew.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/pseudo_fs.h>

#include "pipefs.h"

/*
 * The mount, made under pipefs_mount_lock for the first pipe inode and
 * cleared under it by the user whose put made the count zero. The count
 * only leaves zero under the lock, so a user that took a count from a
 * non-zero value (without the lock) and finds the mount set can use it
 * until it drops its count.
 */
static DEFINE_MUTEX(pipefs_mount_lock);
static struct vfsmount *pipefs_mnt;
/* Pipe inodes not evicted yet and open files of /dev/ripc. */
static atomic_t pipefs_users = ATOMIC_INIT(0);

static void pipefs_put_user(void);

/*
 * "pipe:[ino]" in /proc/<pid>/fd, as pipefs_dname(); dynamic_dname() is not
 * exported: the name goes at the end of buffer.
 */
static char *pipefs_dname(struct dentry *dentry, char *buffer, int buflen)
{
	char name[sizeof("pipe:[]") + 20];
	int len = snprintf(name, sizeof(name), "pipe:[%llu]", d_inode(dentry)->i_ino) + 1;

	if (len > buflen)
		return ERR_PTR(-ENAMETOOLONG);
	return memcpy(buffer + buflen - len, name, len);
}

static const struct dentry_operations pipefs_dentry_operations = {
	.d_dname = pipefs_dname,
};

/* A pipe inode gives back its object and its count; the root has neither. */
static void pipefs_evict_inode(struct inode *inode)
{
	const struct ripc_pipefs_kind *kind = inode->i_sb->s_fs_info;
	void *object = inode->i_private;

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (object) {
		kind->put(object);
		pipefs_put_user();
	}
}

static const struct super_operations pipefs_super_operations = {
	.destroy_inode = free_inode_nonrcu,
	.evict_inode = pipefs_evict_inode,
	.statfs = simple_statfs,
};

static int pipefs_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, PIPEFS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->ops = &pipefs_super_operations;
	ctx->dops = &pipefs_dentry_operations;
	return 0;
}

/* Never registered: only pipefs_mount() mounts it (SB_NOUSER besides). */
static struct file_system_type pipefs_type = {
	.owner = THIS_MODULE,
	.name = "ripc-pipefs",
	.init_fs_context = pipefs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/* A new mount, not SB_KERNMOUNT (see the top); its superblock knows kind. */
static struct vfsmount *pipefs_mount(const struct ripc_pipefs_kind *kind)
{
	struct fs_context *fc;
	struct vfsmount *mnt;

	fc = fs_context_for_mount(&pipefs_type, 0);
	if (IS_ERR(fc))
		return ERR_CAST(fc);
	/* sget_fc() hands it to the superblock; kill_anon_super() leaves it. */
	fc->s_fs_info = (void *)kind;
	mnt = fc_mount(fc);
	put_fs_context(fc);
	return mnt;
}

/* The mount, counted for one new inode; pipefs_put_user() undoes it. */
static struct vfsmount *pipefs_get_mount(const struct ripc_pipefs_kind *kind)
{
	struct vfsmount *mnt;
	bool counted;

	counted = atomic_inc_not_zero(&pipefs_users);
	if (counted) {
		/* Pairs with the release below: a mount seen is set up. */
		mnt = smp_load_acquire(&pipefs_mnt);
		if (mnt)
			return mnt;
	}

	mutex_lock(&pipefs_mount_lock);
	mnt = pipefs_mnt;
	if (!mnt) {
		mnt = pipefs_mount(kind);
		if (IS_ERR(mnt)) {
			mutex_unlock(&pipefs_mount_lock);
			if (counted)
				pipefs_put_user();
			return mnt;
		}
		smp_store_release(&pipefs_mnt, mnt);
	}
	if (!counted)
		atomic_inc(&pipefs_users);
	mutex_unlock(&pipefs_mount_lock);
	return mnt;
}

/*
 * Counts an open file of /dev/ripc; the mount is made only for a pipe.
 * From zero only under the lock, as in pipefs_get_mount(): the last user
 * clears the mount under it after its count reached zero.
 */
void ripc_pipefs_get_user(void)
{
	if (atomic_inc_not_zero(&pipefs_users))
		return;
	mutex_lock(&pipefs_mount_lock);
	atomic_inc(&pipefs_users);
	mutex_unlock(&pipefs_mount_lock);
}

/*
 * Uncounts a user; the last one gives back the mount. Called from the
 * eviction of a pipe inode: see the top for why the mntput() is safe there.
 */
static void pipefs_put_user(void)
{
	struct vfsmount *mnt;

	if (!atomic_dec_and_mutex_lock(&pipefs_users, &pipefs_mount_lock))
		return;
	mnt = pipefs_mnt;
	WRITE_ONCE(pipefs_mnt, NULL);
	mutex_unlock(&pipefs_mount_lock);
	mntput(mnt);
}

/* The release of a /dev/ripc file counted by ripc_pipefs_get_user(). */
void ripc_pipefs_put_user(void)
{
	pipefs_put_user();
}

/*
 * A file of a pipe inode, as create_pipe_files() makes them: a stream with
 * its own reference to the object and to the module (__fput() drops the
 * one of fops->owner). Takes over one inode reference on success only.
 */
static struct file *pipefs_new_file(const struct ripc_pipefs_kind *kind, struct inode *inode,
				    struct vfsmount *mnt, int flags)
{
	struct file *file;

	if (!fops_get(kind->fops))
		return ERR_PTR(-ENOENT);
	file = alloc_file_pseudo(inode, mnt, "", flags, kind->fops);
	if (IS_ERR(file)) {
		fops_put(kind->fops);
		return file;
	}
	file->private_data = kind->get(inode->i_private);
	file->f_pipe = 0;
	stream_open(inode, file);
	/* As pipes: no permission events, legacy inotify events. */
	file_set_fsnotify_mode(file, FMODE_NONOTIFY_PERM);
	return file;
}

/*
 * A new pipe inode holding object (the inode takes over the reference it
 * is given, in every case), and its two files: res[0] open O_RDONLY,
 * res[1] O_WRONLY, both with flags' O_NONBLOCK, the write end with its
 * O_DIRECT.
 */
int ripc_pipefs_create_files(const struct ripc_pipefs_kind *kind, void *object,
			     int flags, struct file **res)
{
	struct vfsmount *mnt;
	struct inode *inode;
	struct file *rfile, *wfile;

	mnt = pipefs_get_mount(kind);
	if (IS_ERR(mnt)) {
		kind->put(object);
		return PTR_ERR(mnt);
	}
	/* new_inode_pseudo() with what get_pipe_inode() sets, but the type. */
	inode = alloc_anon_inode(mnt->mnt_sb);
	if (IS_ERR(inode)) {
		kind->put(object);
		pipefs_put_user();
		return -ENFILE;
	}
	/* A pipe, not an anonymous inode; nobody else sees it yet. */
	inode->i_flags &= ~(S_PRIVATE | S_ANON_INODE);
	inode->i_mode = S_IFIFO | S_IRUSR | S_IWUSR;
	inode->i_fop = kind->fops;
	/* From here on the eviction gives back the object and the count. */
	inode->i_private = object;

	/* Packet mode (O_DIRECT) is the write end's only, as create_pipe_files(). */
	wfile = pipefs_new_file(kind, inode, mnt, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)));
	if (IS_ERR(wfile)) {
		iput(inode);
		return PTR_ERR(wfile);
	}
	ihold(inode);
	rfile = pipefs_new_file(kind, inode, mnt, O_RDONLY | (flags & O_NONBLOCK));
	if (IS_ERR(rfile)) {
		iput(inode);
		fput(wfile);
		return PTR_ERR(rfile);
	}
	/* Pipes honour IOCB_NOWAIT (preadv2(RWF_NOWAIT), io_uring). */
	rfile->f_mode |= FMODE_NOWAIT;
	wfile->f_mode |= FMODE_NOWAIT;
	res[0] = rfile;
	res[1] = wfile;
	return 0;
}
