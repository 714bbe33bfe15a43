// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for what kernel::bindings does not reach (functions whose
 * header bindgen is not given). Each is a plain call-through.
 */

#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/sched.h>

#include "helpers.h"

int ripc_anon_inode_getfd(const char *name, const struct file_operations *fops,
			  void *priv, int flags)
{
	return anon_inode_getfd(name, fops, priv, flags);
}

/* Credentials of the current task: macros or inlines in <linux/cred.h>. */
struct user_namespace *ripc_current_user_ns(void)
{
	return current_user_ns();
}

kuid_t ripc_current_euid(void)
{
	return current_euid();
}

kgid_t ripc_current_egid(void)
{
	return current_egid();
}

/*
 * Identifies the calling process's file table: what ->flush() receives as
 * its owner when the process closes a file, at exit at the latest.
 * SEM_UNDO adjustments are kept per file table (see rust/sem.rs).
 */
unsigned long ripc_current_files(void)
{
	return (unsigned long)current->files;
}
