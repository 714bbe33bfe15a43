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

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fsnotify.h>
#include <linux/ipc_namespace.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/uio.h>
#include <linux/user_namespace.h>

#include "params.h"
#include "ripcfs.h"

#define RIPCFS_MAGIC 0x72697063 /* "ripc" */

/*
 * One directory per kind of named object, sticky and world-writable like
 * /dev/shm and /dev/mqueue, one read-only directory for status listings,
 * and the tunables in the layout of /proc/sys.
 */
static const struct {
	const char *name;
	umode_t mode;
} ripcfs_dirs[] = {
	{ "notify", 01777 }, { "pipe", 01777 }, { "mq", 01777 }, { "shm", 01777 },
	{ "sysvipc", 0755 }, { "sys", 0555 },
};

#define RIPCFS_MAX_KINDS 8

/*
 * A superblock's own data. Each IPC namespace has its own ripcfs, as it has
 * its own mqueue filesystem (get_tree_keyed() on the namespace in
 * ipc/mqueue.c): its names, its status files and its tunables are that
 * namespace's, whoever mounts or opens them. It is made with the
 * fs_context, and moves to the superblock the context makes.
 */
struct ripcfs_fs_info {
	/*
	 * The namespace (a passive reference, which keeps its user_ns) and
	 * ripc's tables for it (a reference of the Rust side; the key of the
	 * superblock: a namespace ripc has forgotten and meets again gets new
	 * tables, and a new superblock with them).
	 */
	struct ipc_namespace *ipc_ns;
	void *ns;
	/* Names alive, all kinds together (ripcfs_max_names) and per kind. */
	atomic_long_t nr_names;
	atomic_long_t nr_of_kind[RIPCFS_MAX_KINDS];
};

/* The kinds of named objects, handed over by the Rust side at registration. */
static const struct ripcfs_kind *ripcfs_kinds;
static size_t ripcfs_nr_kinds;

/* The status files of sysvipc/, handed over likewise. */
#define RIPCFS_STATUS_DIR "sysvipc"
static const struct ripcfs_status *ripcfs_statuses;
static size_t ripcfs_nr_statuses;

/* The namespaces' side, handed over likewise. */
static const struct ripcfs_ns_ops *ripcfs_ns_ops;

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
 * Counts a new name of `kind` in the superblock of `info`: ENOSPC past
 * ripcfs_max_names (all kinds together, as a tmpfs mount's nr_inodes), or
 * past the kind's own limit in the namespace unless CAP_SYS_RESOURCE (as
 * mqueue_create_attr() with mq_queues_max). Eviction counts it back.
 */
static int ripcfs_count_name(struct ripcfs_fs_info *info, const struct ripcfs_kind *kind)
{
	atomic_long_t *of_kind = &info->nr_of_kind[kind - ripcfs_kinds];
	long limit;

	if (atomic_long_inc_return(&info->nr_names) >
	    READ_ONCE(ripc_param_ripcfs_max_names.value)) {
		atomic_long_dec(&info->nr_names);
		return -ENOSPC;
	}
	if (kind->limit >= 0) {
		/* Signed: a negative queues_max admits none. */
		limit = (long)ripcfs_ns_ops->tunable_get(info->ns, kind->limit);
		if (atomic_long_inc_return(of_kind) - 1 >= limit &&
		    !capable(CAP_SYS_RESOURCE)) {
			atomic_long_dec(of_kind);
			atomic_long_dec(&info->nr_names);
			return -ENOSPC;
		}
	} else {
		atomic_long_inc(of_kind);
	}
	return 0;
}

static void ripcfs_uncount_name(struct ripcfs_fs_info *info, const struct ripcfs_kind *kind)
{
	atomic_long_dec(&info->nr_of_kind[kind - ripcfs_kinds]);
	atomic_long_dec(&info->nr_names);
}

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
	struct ripcfs_fs_info *info = dir->i_sb->s_fs_info;
	struct inode *inode;
	void *object;
	int err;

	if ((mode & S_IFMT) != kind->file_type)
		return -EPERM;
	err = ripcfs_count_name(info, kind);
	if (err)
		return err;

	inode = new_inode(dir->i_sb);
	if (!inode) {
		ripcfs_uncount_name(info, kind);
		return -ENOMEM;
	}
	inode->i_ino = get_next_ino();
	inode_init_owner(idmap, inode, dir, kind->file_type | (mode & S_IALLUGO));
	simple_inode_init_ts(inode);

	object = kind->create();
	if (IS_ERR(object)) {
		/* No object: eviction does not count this inode back. */
		iput(inode);
		ripcfs_uncount_name(info, kind);
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
	/* The directories of the kinds are those of the root. */
	const struct ripcfs_kind *kind =
		parent == parent->d_sb->s_root ? ripcfs_kind_by_dir(name) : NULL;
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
 * Status files (sysvipc/msg, ...): read-only, formatted by the Rust
 * callback into a seq_file buffer at each read from the start, as
 * /proc/sysvipc/ is, for the mount's IPC namespace, and in the opener's
 * view: the opener's pid namespace, taken at open, and its credentials
 * (those the file keeps, seq_user_ns()), which the callback runs with, so
 * that a file passed to a process of another namespace shows what the
 * opener would see.
 */
struct ripcfs_status_view {
	const struct ripcfs_status *status;
	struct pid_namespace *pid_ns;
};

static int ripcfs_status_show(struct seq_file *m, void *v)
{
	const struct ripcfs_status_view *view = m->private;
	struct ripcfs_fs_info *info = file_inode(m->file)->i_sb->s_fs_info;
	const struct cred *old = override_creds(m->file->f_cred);

	view->status->show(m, info->ns, view->pid_ns);
	revert_creds(old);
	return 0;
}

static int ripcfs_status_open(struct inode *inode, struct file *file)
{
	struct ripcfs_fs_info *info;
	struct ripcfs_status_view *view;
	int err;

	view = kmalloc_obj(*view, GFP_KERNEL_ACCOUNT);
	if (!view)
		return -ENOMEM;
	view->status = inode->i_private;
	view->pid_ns = get_pid_ns(task_active_pid_ns(current));
	/*
	 * single_open() formats the whole listing again each time it outgrows
	 * its buffer, which with a thousand queues meant seven times: start
	 * at about the size it will have.
	 */
	info = inode->i_sb->s_fs_info;
	err = single_open_size(file, ripcfs_status_show, view,
			       max_t(size_t, PAGE_SIZE, view->status->size_hint(info->ns)));
	if (err) {
		put_pid_ns(view->pid_ns);
		kfree(view);
	}
	return err;
}

static int ripcfs_status_release(struct inode *inode, struct file *file)
{
	struct ripcfs_status_view *view = ((struct seq_file *)file->private_data)->private;

	put_pid_ns(view->pid_ns);
	kfree(view);
	return single_release(inode, file);
}

static const struct file_operations ripcfs_status_fops = {
	.owner = THIS_MODULE,
	.open = ripcfs_status_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = ripcfs_status_release,
};

/*
 * Gives @inode, a new regular file, the name @name in @parent for as long
 * as the superblock lives; drops @inode if that fails.
 */
static int ripcfs_add_file(struct dentry *parent, const char *name, struct inode *inode)
{
	struct dentry *dentry = simple_start_creating(parent, name);

	if (IS_ERR(dentry)) {
		iput(inode);
		return PTR_ERR(dentry);
	}
	d_make_persistent(dentry, inode);
	fsnotify_create(d_inode(parent), dentry);
	simple_done_creating(dentry);
	return 0;
}

static int ripcfs_create_status(struct dentry *parent, const struct ripcfs_status *status)
{
	struct inode *inode;

	inode = ripcfs_make_inode(parent->d_sb, S_IFREG | 0444);
	if (!inode)
		return -ENOMEM;
	inode->i_fop = &ripcfs_status_fops;
	inode->i_private = (void *)status;
	return ripcfs_add_file(parent, status->name, inode);
}

/*
 * The tunables, in sys/ as in /proc/sys: kernel/ (ipc/ipc_sysctl.c),
 * fs/mqueue/ (ipc/mq_sysctl.c), both per IPC namespace, and the global
 * pipe limits of fs/ (fs/pipe.c), which are the module parameters. Each
 * file is read and written by the kernel's own proc handler on a copy of
 * the value, so that formats, parsing and ranges are exactly Linux's; the
 * copy is then stored if it changed. Permissions are those of the
 * sysctls: ipc_permissions() and mq_permissions() (the namespace's root
 * uid may write, the next_id files are for checkpoint/restore), then
 * test_perm().
 */
enum ripcfs_tunable_type { RIPCFS_INT, RIPCFS_ULONG, RIPCFS_UINT };

#define RIPCFS_T_IPC_NS 1 /* per IPC namespace: ipc_permissions() */
#define RIPCFS_T_NEXT_ID 2 /* a next_id: writable with checkpoint_restore_ns_capable() */

struct ripcfs_tunable {
	const char *dir;
	const char *name;
	umode_t mode;
	unsigned int flags;
	enum ripcfs_tunable_type type;
	/* Per namespace: the id of the first value; global: the parameter. */
	unsigned int id;
	struct ripc_param *param;
	/* Values in the file: 4 for kernel.sem. */
	unsigned int nr;
	proc_handler *handler;
	void *extra1, *extra2;
};

static int ripcfs_ipc_mni = RIPC_IPCMNI;
static int ripcfs_mq_msg_min = 1, ripcfs_mq_msg_hard = 65536;
static int ripcfs_mq_msgsize_min = 128, ripcfs_mq_msgsize_hard = 16 << 20;
static unsigned int ripcfs_uint_one = 1;

#define IPC_INT(d, n, i, h, lo, hi, fl, m)                                            \
	{ .dir = d, .name = n, .mode = m, .flags = RIPCFS_T_IPC_NS | (fl), .type = RIPCFS_INT, \
	  .id = i, .nr = 1, .handler = h, .extra1 = lo, .extra2 = hi }
#define IPC_ULONG(d, n, i)                                                             \
	{ .dir = d, .name = n, .mode = 0644, .flags = RIPCFS_T_IPC_NS, .type = RIPCFS_ULONG, \
	  .id = i, .nr = 1, .handler = proc_doulongvec_minmax }

static const struct ripcfs_tunable ripcfs_tunables[] = {
	IPC_ULONG("kernel", "shmmax", RIPCFS_SHMMAX),
	IPC_ULONG("kernel", "shmall", RIPCFS_SHMALL),
	IPC_INT("kernel", "shmmni", RIPCFS_SHMMNI, proc_dointvec_minmax, SYSCTL_ZERO,
		&ripcfs_ipc_mni, 0, 0644),
	IPC_INT("kernel", "shm_rmid_forced", RIPCFS_SHM_RMID_FORCED, proc_dointvec_minmax,
		SYSCTL_ZERO, SYSCTL_ONE, 0, 0644),
	IPC_INT("kernel", "msgmax", RIPCFS_MSGMAX, proc_dointvec_minmax, SYSCTL_ZERO,
		SYSCTL_INT_MAX, 0, 0644),
	IPC_INT("kernel", "msgmni", RIPCFS_MSGMNI, proc_dointvec_minmax, SYSCTL_ZERO,
		&ripcfs_ipc_mni, 0, 0644),
	IPC_INT("kernel", "msgmnb", RIPCFS_MSGMNB, proc_dointvec_minmax, SYSCTL_ZERO,
		SYSCTL_INT_MAX, 0, 0644),
	{ .dir = "kernel", .name = "sem", .mode = 0644, .flags = RIPCFS_T_IPC_NS,
	  .type = RIPCFS_INT, .id = RIPCFS_SEMMSL, .nr = 4, .handler = proc_dointvec },
	IPC_INT("kernel", "sem_next_id", RIPCFS_SEM_NEXT_ID, proc_dointvec_minmax, SYSCTL_ZERO,
		SYSCTL_INT_MAX, RIPCFS_T_NEXT_ID, 0444),
	IPC_INT("kernel", "msg_next_id", RIPCFS_MSG_NEXT_ID, proc_dointvec_minmax, SYSCTL_ZERO,
		SYSCTL_INT_MAX, RIPCFS_T_NEXT_ID, 0444),
	IPC_INT("kernel", "shm_next_id", RIPCFS_SHM_NEXT_ID, proc_dointvec_minmax, SYSCTL_ZERO,
		SYSCTL_INT_MAX, RIPCFS_T_NEXT_ID, 0444),
	IPC_INT("fs/mqueue", "queues_max", RIPCFS_MQ_QUEUES_MAX, proc_dointvec, NULL, NULL, 0,
		0644),
	IPC_INT("fs/mqueue", "msg_max", RIPCFS_MQ_MSG_MAX, proc_dointvec_minmax,
		&ripcfs_mq_msg_min, &ripcfs_mq_msg_hard, 0, 0644),
	IPC_INT("fs/mqueue", "msgsize_max", RIPCFS_MQ_MSGSIZE_MAX, proc_dointvec_minmax,
		&ripcfs_mq_msgsize_min, &ripcfs_mq_msgsize_hard, 0, 0644),
	IPC_INT("fs/mqueue", "msg_default", RIPCFS_MQ_MSG_DEFAULT, proc_dointvec_minmax,
		&ripcfs_mq_msg_min, &ripcfs_mq_msg_hard, 0, 0644),
	IPC_INT("fs/mqueue", "msgsize_default", RIPCFS_MQ_MSGSIZE_DEFAULT, proc_dointvec_minmax,
		&ripcfs_mq_msgsize_min, &ripcfs_mq_msgsize_hard, 0, 0644),
	/* Global, as in fs/pipe.c; pipe-max-size is rounded as round_pipe_size(). */
	{ .dir = "fs", .name = "pipe-max-size", .mode = 0644, .type = RIPCFS_UINT,
	  .param = &ripc_param_pipe_max_size, .nr = 1, .handler = proc_douintvec_minmax,
	  .extra1 = &ripcfs_uint_one },
	{ .dir = "fs", .name = "pipe-user-pages-hard", .mode = 0644, .type = RIPCFS_ULONG,
	  .param = &ripc_param_pipe_user_pages_hard, .nr = 1,
	  .handler = proc_doulongvec_minmax },
	{ .dir = "fs", .name = "pipe-user-pages-soft", .mode = 0644, .type = RIPCFS_ULONG,
	  .param = &ripc_param_pipe_user_pages_soft, .nr = 1,
	  .handler = proc_doulongvec_minmax },
};

/* The directories of sys/, parents first. */
static const char *const ripcfs_sys_dirs[] = { "kernel", "fs", "fs/mqueue" };

/* The owner of a per-namespace file: the namespace's root (ipc_set_ownership()). */
static void ripcfs_ns_root(struct ripcfs_fs_info *info, kuid_t *uid, kgid_t *gid)
{
	kuid_t ns_root_uid = make_kuid(info->ipc_ns->user_ns, 0);
	kgid_t ns_root_gid = make_kgid(info->ipc_ns->user_ns, 0);

	*uid = uid_valid(ns_root_uid) ? ns_root_uid : GLOBAL_ROOT_UID;
	*gid = gid_valid(ns_root_gid) ? ns_root_gid : GLOBAL_ROOT_GID;
}

/* -EACCES unless current may do `op` (MAY_READ, MAY_WRITE) on the file. */
static int ripcfs_tunable_perm(struct inode *inode, int op)
{
	const struct ripcfs_tunable *t = inode->i_private;
	struct ripcfs_fs_info *info = inode->i_sb->s_fs_info;
	int mode = t->mode;
	kuid_t uid;
	kgid_t gid;

	if (t->flags & RIPCFS_T_IPC_NS) {
		/* ipc_permissions(), mq_permissions(). */
		if ((t->flags & RIPCFS_T_NEXT_ID) &&
		    checkpoint_restore_ns_capable_noaudit(info->ipc_ns->user_ns)) {
			mode = 0666;
		} else {
			ripcfs_ns_root(info, &uid, &gid);
			if (uid_eq(current_euid(), uid))
				mode >>= 6;
			else if (in_egroup_p(gid))
				mode >>= 3;
		}
		mode &= 7;
		mode = (mode << 6) | (mode << 3) | mode;
	}
	/* test_perm(). */
	if (uid_eq(current_euid(), GLOBAL_ROOT_UID))
		mode >>= 6;
	else if (in_egroup_p(GLOBAL_ROOT_GID))
		mode >>= 3;
	if ((op & ~mode & (MAY_READ | MAY_WRITE | MAY_EXEC)) == 0)
		return 0;
	return -EACCES;
}

/* proc_sys_permission(). */
static int ripcfs_tunable_permission(struct mnt_idmap *idmap, struct inode *inode, int mask)
{
	if (mask & MAY_EXEC)
		return -EACCES;
	return ripcfs_tunable_perm(inode, mask & ~MAY_NOT_BLOCK);
}

static const struct inode_operations ripcfs_tunable_inode_operations = {
	.permission = ripcfs_tunable_permission,
};

/* The copy the proc handler works on. */
union ripcfs_tunable_value {
	int i[4];
	unsigned int u;
	unsigned long ul;
};

static void ripcfs_tunable_load(const struct ripcfs_tunable *t, struct ripcfs_fs_info *info,
				union ripcfs_tunable_value *v)
{
	unsigned int i;

	if (t->param) {
		if (t->type == RIPCFS_UINT)
			v->u = READ_ONCE(t->param->value);
		else
			v->ul = READ_ONCE(t->param->value);
		return;
	}
	for (i = 0; i < t->nr; i++) {
		unsigned long raw = ripcfs_ns_ops->tunable_get(info->ns, t->id + i);

		if (t->type == RIPCFS_ULONG)
			v->ul = raw;
		else
			v->i[i] = (int)(long)raw;
	}
}

/*
 * Stores what a write left in `v` where it differs from `old`, with the
 * checks Linux makes after parsing: proc_ipc_sem_dointvec() keeps the
 * first three values of kernel.sem and restores semmni out of [0, IPCMNI]
 * (ERANGE); pipe-max-size is rounded by round_pipe_size(), EINVAL past
 * 2 GiB.
 */
static int ripcfs_tunable_store(const struct ripcfs_tunable *t, struct ripcfs_fs_info *info,
				const union ripcfs_tunable_value *old,
				const union ripcfs_tunable_value *v)
{
	unsigned int i, nr = t->nr;
	int err = 0;

	if (t->param) {
		unsigned long value = t->type == RIPCFS_UINT ? v->u : v->ul;

		if (t->type == RIPCFS_UINT) {
			if (v->u > (1U << 31))
				return -EINVAL;
			value = v->u < PAGE_SIZE ? PAGE_SIZE : roundup_pow_of_two(v->u);
		}
		WRITE_ONCE(t->param->value, value);
		return 0;
	}
	if (t->id == RIPCFS_SEMMSL && (v->i[3] < 0 || v->i[3] > ripcfs_ipc_mni)) {
		nr = 3;
		err = -ERANGE;
	}
	for (i = 0; i < nr; i++) {
		if (t->type == RIPCFS_ULONG) {
			if (v->ul != old->ul)
				ripcfs_ns_ops->tunable_set(info->ns, t->id, v->ul);
		} else if (v->i[i] != old->i[i]) {
			ripcfs_ns_ops->tunable_set(info->ns, t->id + i, (unsigned long)(long)v->i[i]);
		}
	}
	return err;
}

/* proc_sys_call_handler(). */
static ssize_t ripcfs_tunable_rw(struct kiocb *iocb, struct iov_iter *iter, int write)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	const struct ripcfs_tunable *t = inode->i_private;
	struct ripcfs_fs_info *info = inode->i_sb->s_fs_info;
	size_t count = iov_iter_count(iter);
	union ripcfs_tunable_value old, v;
	struct ctl_table table = {
		.procname = t->name,
		.data = &v,
		.mode = t->mode,
		.proc_handler = t->handler,
		.extra1 = t->extra1,
		.extra2 = t->extra2,
	};
	ssize_t ret;
	char *kbuf;

	switch (t->type) {
	case RIPCFS_INT:
		table.maxlen = t->nr * sizeof(int);
		break;
	case RIPCFS_UINT:
		table.maxlen = sizeof(unsigned int);
		break;
	case RIPCFS_ULONG:
		table.maxlen = sizeof(unsigned long);
		break;
	}
	if (ripcfs_tunable_perm(inode, write ? MAY_WRITE : MAY_READ))
		return -EPERM;
	if (count >= KMALLOC_MAX_SIZE)
		return -ENOMEM;
	kbuf = kvzalloc(count + 1, GFP_KERNEL_ACCOUNT);
	if (!kbuf)
		return -ENOMEM;
	if (write && !copy_from_iter_full(kbuf, count, iter)) {
		ret = -EFAULT;
		goto out;
	}
	memset(&v, 0, sizeof(v));
	ripcfs_tunable_load(t, info, &v);
	old = v;
	ret = t->handler(&table, write, kbuf, &count, &iocb->ki_pos);
	if (ret)
		goto out;
	if (write) {
		ret = ripcfs_tunable_store(t, info, &old, &v);
		if (ret)
			goto out;
	} else if (copy_to_iter(kbuf, count, iter) < count) {
		ret = -EFAULT;
		goto out;
	}
	ret = count;
out:
	kvfree(kbuf);
	return ret;
}

static ssize_t ripcfs_tunable_read(struct kiocb *iocb, struct iov_iter *iter)
{
	return ripcfs_tunable_rw(iocb, iter, 0);
}

static ssize_t ripcfs_tunable_write(struct kiocb *iocb, struct iov_iter *iter)
{
	return ripcfs_tunable_rw(iocb, iter, 1);
}

static const struct file_operations ripcfs_tunable_fops = {
	.owner = THIS_MODULE,
	.read_iter = ripcfs_tunable_read,
	.write_iter = ripcfs_tunable_write,
	.llseek = generic_file_llseek,
};

static int ripcfs_create_tunable(struct dentry *parent, const struct ripcfs_tunable *t)
{
	struct ripcfs_fs_info *info = parent->d_sb->s_fs_info;
	struct inode *inode;

	inode = ripcfs_make_inode(parent->d_sb, S_IFREG | t->mode);
	if (!inode)
		return -ENOMEM;
	if (t->flags & RIPCFS_T_IPC_NS) {
		ripcfs_ns_root(info, &inode->i_uid, &inode->i_gid);
	} else {
		inode->i_uid = GLOBAL_ROOT_UID;
		inode->i_gid = GLOBAL_ROOT_GID;
	}
	inode->i_op = &ripcfs_tunable_inode_operations;
	inode->i_fop = &ripcfs_tunable_fops;
	inode->i_private = (void *)t;
	return ripcfs_add_file(parent, t->name, inode);
}

/* sys/ and its directories and files. */
static int ripcfs_fill_sys(struct dentry *sys)
{
	struct dentry *dirs[ARRAY_SIZE(ripcfs_sys_dirs)];
	size_t i, j;
	int ret;

	for (i = 0; i < ARRAY_SIZE(ripcfs_sys_dirs); i++) {
		const char *name = ripcfs_sys_dirs[i], *slash = strrchr(name, '/');
		struct dentry *parent = sys;

		/* A parent is listed before its children. */
		for (j = 0; slash && j < i; j++)
			if (!strncmp(ripcfs_sys_dirs[j], name, slash - name) &&
			    !ripcfs_sys_dirs[j][slash - name])
				parent = dirs[j];
		dirs[i] = ripcfs_create_dir(parent, slash ? slash + 1 : name, 0555);
		if (IS_ERR(dirs[i]))
			return PTR_ERR(dirs[i]);
	}
	for (i = 0; i < ARRAY_SIZE(ripcfs_tunables); i++) {
		for (j = 0; j < ARRAY_SIZE(ripcfs_sys_dirs); j++)
			if (!strcmp(ripcfs_sys_dirs[j], ripcfs_tunables[i].dir))
				break;
		ret = ripcfs_create_tunable(dirs[j], &ripcfs_tunables[i]);
		if (ret)
			return ret;
	}
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
		ripcfs_uncount_name(inode->i_sb->s_fs_info, kind);
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
		if (!strcmp(ripcfs_dirs[i].name, "sys")) {
			ret = ripcfs_fill_sys(dir);
			if (ret)
				return ret;
		}
	}
	for (i = 0; status_dir && i < ripcfs_nr_statuses; i++) {
		ret = ripcfs_create_status(status_dir, &ripcfs_statuses[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void ripcfs_free_info(struct ripcfs_fs_info *info)
{
	if (info->ns)
		ripcfs_ns_ops->put(info->ns);
	put_ipc_ns(info->ipc_ns);
	kfree(info);
}

/* A superblock of the fs_context's namespace, as test_keyed_super(). */
static int ripcfs_test_super(struct super_block *sb, struct fs_context *fc)
{
	const struct ripcfs_fs_info *have = sb->s_fs_info, *want = fc->s_fs_info;

	return have->ns == want->ns;
}

/*
 * vfs_get_super() keyed on the namespace, as get_tree_keyed(), with the
 * fs_context's info as the key and, for a new superblock, its info.
 */
static int ripcfs_get_tree(struct fs_context *fc)
{
	struct super_block *sb;
	int err;

	fc->s_fs_info = fc->fs_private;
	sb = sget_fc(fc, ripcfs_test_super, set_anon_super_fc);
	if (IS_ERR(sb)) {
		fc->s_fs_info = NULL;
		return PTR_ERR(sb);
	}
	/* sget_fc() gave a new superblock the info: it is the superblock's now. */
	if (!fc->s_fs_info)
		fc->fs_private = NULL;
	fc->s_fs_info = NULL;

	if (!sb->s_root) {
		err = ripcfs_fill_super(sb, fc);
		if (err) {
			deactivate_locked_super(sb);
			return err;
		}
		sb->s_flags |= SB_ACTIVE;
	}
	fc->root = dget(sb->s_root);
	return 0;
}

static void ripcfs_fs_context_free(struct fs_context *fc)
{
	if (fc->fs_private)
		ripcfs_free_info(fc->fs_private);
}

static const struct fs_context_operations ripcfs_context_ops = {
	.free = ripcfs_fs_context_free,
	.get_tree = ripcfs_get_tree,
};

/*
 * A mount is of the mounter's IPC namespace, and needs CAP_SYS_ADMIN in
 * the user namespace that owns it (mqueue_init_fs_context()).
 */
static int ripcfs_init_fs_context(struct fs_context *fc)
{
	struct ripcfs_fs_info *info;
	void *ns;

	info = kzalloc_obj(*info, GFP_KERNEL_ACCOUNT);
	if (!info)
		return -ENOMEM;
	ns = ripcfs_ns_ops->get();
	if (IS_ERR(ns)) {
		kfree(info);
		return PTR_ERR(ns);
	}
	info->ns = ns;
	info->ipc_ns = get_ipc_ns(current->nsproxy->ipc_ns);
	put_user_ns(fc->user_ns);
	fc->user_ns = get_user_ns(info->ipc_ns->user_ns);
	fc->fs_private = info;
	fc->ops = &ripcfs_context_ops;
	return 0;
}

static void ripcfs_kill_sb(struct super_block *sb)
{
	struct ripcfs_fs_info *info = sb->s_fs_info;

	/*
	 * Evicting the names uses the info: free it after. kill_anon_super()
	 * marks the superblock SB_DEAD, after which sget_fc() runs no
	 * ripcfs_test_super() on it, which reads the info too.
	 */
	kill_anon_super(sb);
	if (info)
		ripcfs_free_info(info);
}

static struct file_system_type ripcfs_type = {
	.owner = THIS_MODULE,
	.name = "ripcfs",
	.init_fs_context = ripcfs_init_fs_context,
	.kill_sb = ripcfs_kill_sb,
	.fs_flags = FS_USERNS_MOUNT,
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
		    const struct ripcfs_status *statuses, size_t nr_statuses,
		    const struct ripcfs_ns_ops *ns_ops)
{
	if (nr_kinds > RIPCFS_MAX_KINDS)
		return -EINVAL;
	ripcfs_ns_ops = ns_ops;
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
