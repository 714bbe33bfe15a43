// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for what kernel::bindings does not reach (functions whose
 * header bindgen is not given). Each is a plain call-through.
 */

#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/fs.h>

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

/* The current process (its thread-group leader's pid), with a reference. */
struct pid *ripc_get_current_tgid(void)
{
	return get_pid(task_tgid(current));
}

/* Whether pid is the current process; takes no reference. */
bool ripc_is_current_tgid(struct pid *pid)
{
	return pid == task_tgid(current);
}

/* Sets or clears O_NONBLOCK of an open file, as fcntl(F_SETFL) does. */
void ripc_file_set_nonblock(struct file *file, bool nonblock)
{
	spin_lock(&file->f_lock);
	if (nonblock)
		file->f_flags |= O_NONBLOCK;
	else
		file->f_flags &= ~O_NONBLOCK;
	spin_unlock(&file->f_lock);
}
