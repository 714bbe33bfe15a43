/* SPDX-License-Identifier: GPL-2.0 */
/* The C side of ripcfs, called from rust/glue/ripcfs.rs. */
#ifndef _RIPC_GLUE_RIPCFS_H
#define _RIPC_GLUE_RIPCFS_H

#include <linux/types.h>

struct file_operations;
struct pid_namespace;
struct seq_file;

/*
 * The IPC namespace's values behind ripcfs's sys/ files, numbered as the
 * Rust side numbers them (`Cell` in rust/ipc/tunables.rs).
 */
enum ripcfs_tunable_id {
	RIPCFS_SHMMAX,
	RIPCFS_SHMALL,
	RIPCFS_SHMMNI,
	RIPCFS_SHM_RMID_FORCED,
	RIPCFS_MSGMAX,
	RIPCFS_MSGMNI,
	RIPCFS_MSGMNB,
	RIPCFS_SEMMSL,
	RIPCFS_SEMMNS,
	RIPCFS_SEMOPM,
	RIPCFS_SEMMNI,
	RIPCFS_MSG_NEXT_ID,
	RIPCFS_SEM_NEXT_ID,
	RIPCFS_SHM_NEXT_ID,
	RIPCFS_MQ_QUEUES_MAX,
	RIPCFS_MQ_MSG_MAX,
	RIPCFS_MQ_MSGSIZE_MAX,
	RIPCFS_MQ_MSG_DEFAULT,
	RIPCFS_MQ_MSGSIZE_DEFAULT,
	RIPCFS_NR_TUNABLES
};

/*
 * A kind of named object: the directory it lives in, the type of its names,
 * the file_operations of its files (whose ->open takes a reference from
 * inode->i_private), and how to make and drop an object. Mirrored by `Kind` in ripcfs.rs.
 */
struct ripcfs_kind {
	const char *dir;
	/* S_IFREG: made by open(O_CREAT); S_IFIFO: made by mknod (mkfifo). */
	unsigned int file_type;
	const struct file_operations *fops;
	/* A new object with one reference for the inode, or an ERR_PTR. */
	void *(*create)(void);
	/* Drops the inode's reference. */
	void (*put)(void *object);
	/* Sets the object's size (truncate), or NULL: no size of its own. */
	int (*set_size)(void *object, loff_t size);
	/*
	 * The tunable that bounds the objects of the kind alive in one
	 * namespace's ripcfs unless CAP_SYS_RESOURCE (ENOSPC past it, as
	 * fs.mqueue.queues_max), or -1: none.
	 */
	int limit;
};

/*
 * A status file of sysvipc/ (like /proc/sysvipc/<name>): read-only, its
 * content written by show() for the tables `ns` of the mount's IPC
 * namespace, with the opener's credentials (current's, during show) and
 * pid namespace. Mirrored by `Status` in ripcfs.rs.
 */
struct ripcfs_status {
	const char *name;
	void (*show)(struct seq_file *m, void *ns, struct pid_namespace *pid_ns);
	/* About the bytes show() writes, for the first buffer. */
	size_t (*size_hint)(void *ns);
};

/*
 * What ripcfs asks the Rust side about IPC namespaces: each superblock
 * belongs to one, as the mqueue filesystem's does. Mirrored by `NsOps` in
 * ripcfs.rs.
 */
struct ripcfs_ns_ops {
	/* The caller's namespace (a reference), or an ERR_PTR. */
	void *(*get)(void);
	/* Drops a reference from get(). */
	void (*put)(void *ns);
	/* Value `id` of the namespace, signed ones as a long. */
	unsigned long (*tunable_get)(void *ns, unsigned int id);
	/* Sets value `id` (checked by the caller). */
	void (*tunable_set)(void *ns, unsigned int id, unsigned long value);
};

int ripcfs_register(const struct ripcfs_kind *kinds, size_t nr_kinds,
		    const struct ripcfs_status *statuses, size_t nr_statuses,
		    const struct ripcfs_ns_ops *ns_ops);
void ripcfs_unregister(void);

struct file *ripcfs_open_in_kind_dir(int dirfd, const char *name, int flags,
				     umode_t mode, const struct file_operations *fops);

#endif
