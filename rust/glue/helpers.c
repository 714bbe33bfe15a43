// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for what kernel::bindings does not reach (functions whose
 * header bindgen is not given). Each is a plain call-through.
 */

#include <linux/anon_inodes.h>
#include <linux/fs.h>

#include "helpers.h"

int ripc_anon_inode_getfd(const char *name, const struct file_operations *fops,
			  void *priv, int flags)
{
	return anon_inode_getfd(name, fops, priv, flags);
}

struct file *ripc_anon_inode_getfile(const char *name, const struct file_operations *fops,
				     void *priv, int flags)
{
	return anon_inode_getfile(name, fops, priv, flags);
}
