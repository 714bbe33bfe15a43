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
#include <linux/sched.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>

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

/* The current process (its thread-group leader's pid), with a reference. */
struct pid *ripc_get_current_tgid(void)
{
	return get_pid(task_tgid(current));
}

/* One more reference on pid (get_pid() is inline). */
struct pid *ripc_get_pid(struct pid *pid)
{
	return get_pid(pid);
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

/*
 * IPC namespaces (ipcns.rs): ripc keeps SysV tables per namespace and
 * holds a passive reference on each namespace it has tables for, so that
 * the address stays unique while ripc compares it. get_ipc_ns() and
 * ns_ref_active_read() are static inlines.
 */
struct ipc_namespace *ripc_current_ipc_ns(void)
{
	/* Only current changes its own nsproxy; NULL once it has exited. */
	struct nsproxy *nsproxy = current->nsproxy;

	return nsproxy ? nsproxy->ipc_ns : NULL;
}

/*
 * The lookup path's question in one call: 0 for the initial namespace,
 * 1 with *ns set for another, -1 once current has left its namespaces.
 */
int ripc_current_ipc_ns_kind(struct ipc_namespace **ns)
{
	*ns = ripc_current_ipc_ns();
	if (!*ns)
		return -1;
	return *ns == &init_ipc_ns ? 0 : 1;
}

void ripc_get_ipc_ns(struct ipc_namespace *ns)
{
	get_ipc_ns(ns);
}

void ripc_put_ipc_ns(struct ipc_namespace *ns)
{
	put_ipc_ns(ns);
}

/* Whether a task or an nsfs file still uses the namespace. */
bool ripc_ipc_ns_active(struct ipc_namespace *ns)
{
	return ns_ref_active_read(ns) > 0;
}

/* rlimit() is a static inline: RLIMIT_MSGQUEUE of the caller, for mq_open. */
unsigned long ripc_rlimit_msgqueue(void)
{
	return rlimit(RLIMIT_MSGQUEUE);
}

/*
 * set_current_state(TASK_INTERRUPTIBLE), a macro: from here on a
 * wake_up_process() of the task makes its next schedule() return at once.
 */
void ripc_set_current_interruptible(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
}
