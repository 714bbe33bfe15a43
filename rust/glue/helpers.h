/* SPDX-License-Identifier: GPL-2.0 */
/* C helpers called from rust/glue/; see helpers.c. */
#ifndef _RIPC_GLUE_HELPERS_H
#define _RIPC_GLUE_HELPERS_H

struct file;
struct file_operations;

int ripc_anon_inode_getfd(const char *name, const struct file_operations *fops,
			  void *priv, int flags);
struct file *ripc_anon_inode_getfile(const char *name, const struct file_operations *fops,
				     void *priv, int flags, unsigned int type);

#endif
