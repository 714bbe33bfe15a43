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

/*
 * Typed anonymous inodes keep the default inode operations: the anonymous
 * ones hide the file type from stat(), which is the point of a type here.
 */
static const struct inode_operations ripc_typed_anon_iops = {};

/*
 * A file on the shared anonymous inode, or, with a file type (S_IFIFO),
 * on an anonymous inode of its own whose mode is that type and 0600, so
 * that fstat() tells what the file is, as a pipe's pipefs inode does.
 */
struct file *ripc_anon_inode_getfile(const char *name, const struct file_operations *fops,
				     void *priv, int flags, unsigned int type)
{
	struct file *file;

	if (!type)
		return anon_inode_getfile(name, fops, priv, flags);
	file = anon_inode_create_getfile(name, fops, priv, flags, NULL);
	/* The inode is new and private to this file, which is not shared yet. */
	if (!IS_ERR(file)) {
		file_inode(file)->i_mode = (type & S_IFMT) | S_IRUSR | S_IWUSR;
		file_inode(file)->i_op = &ripc_typed_anon_iops;
	}
	return file;
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
 * The calling process's struct pid (task_tgid(current)), as a number: only
 * compared, never dereferenced. It names this process and no other for as
 * long as someone holds a reference on that struct pid.
 */
unsigned long ripc_current_process_key(void)
{
	return (unsigned long)task_tgid(current);
}

/*
 * Whether the calling task is exiting and is among the last of its thread
 * group: do_exit() has counted every thread out of signal->live, so no
 * thread of the process will return to userspace (exit_sem()'s moment).
 */
bool ripc_current_process_exiting(void)
{
	return (current->flags & PF_EXITING) &&
	       atomic_read(&current->signal->live) == 0;
}

/* Whether a task still uses pid as its thread-group id. */
bool ripc_pid_has_process(struct pid *pid)
{
	return pid_has_task(pid, PIDTYPE_TGID);
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
