/* SPDX-License-Identifier: GPL-2.0 */
/* The internal filesystem of pipe inodes, called from rust/glue/pipefs.rs. */
#ifndef _RIPC_GLUE_PIPEFS_H
#define _RIPC_GLUE_PIPEFS_H

struct file;
struct file_operations;

/*
 * The object kind behind pipe inodes: the file_operations of their files
 * and of their inode (whose ->open is the FIFO open), and how to take and
 * drop a reference to an object. Mirrored by `Kind` in pipefs.rs.
 */
struct ripc_pipefs_kind {
	const struct file_operations *fops;
	/* A new reference to object, for a file's private_data. */
	void *(*get)(void *object);
	/* Drops one reference. */
	void (*put)(void *object);
};

void ripc_pipefs_get_user(void);
void ripc_pipefs_put_user(void);
int ripc_pipefs_create_files(const struct ripc_pipefs_kind *kind, void *object,
			     int flags, struct file **res);

#endif
