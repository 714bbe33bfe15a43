/* SPDX-License-Identifier: GPL-2.0 */
/* The C side of ripcfs, called from rust/glue/ripcfs.rs. */
#ifndef _RIPC_GLUE_RIPCFS_H
#define _RIPC_GLUE_RIPCFS_H

#include <linux/types.h>

struct file_operations;
struct seq_file;

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
};

/*
 * A status file of sysvipc/ (like /proc/sysvipc/<name>): read-only, its
 * content written by show(). Mirrored by `Status` in ripcfs.rs.
 */
struct ripcfs_status {
	const char *name;
	void (*show)(struct seq_file *m);
};

int ripcfs_register(const struct ripcfs_kind *kinds, size_t nr_kinds,
		    const struct ripcfs_status *statuses, size_t nr_statuses);
void ripcfs_unregister(void);

struct file *ripcfs_open_in_kind_dir(int dirfd, const char *name, int flags,
				     umode_t mode, const struct file_operations *fops);

#endif
