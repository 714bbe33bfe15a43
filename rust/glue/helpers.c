// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for what kernel::bindings does not reach (functions whose
 * header bindgen is not given). Each is a plain call-through.
 */

#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/wait.h>

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

/*
 * A wait queue's own lock guarding state besides the queue, as eventfd's
 * count (rust/glue/wait.rs, QueueLocked): spin_lock_irq() and
 * spin_unlock_irq() are static inlines, and so is the end of
 * wait_event_interruptible_locked_irq().
 */
void ripc_wait_queue_lock_irq(struct wait_queue_head *wq_head)
{
	spin_lock_irq(&wq_head->lock);
}

void ripc_wait_queue_unlock_irq(struct wait_queue_head *wq_head)
{
	spin_unlock_irq(&wq_head->lock);
}

void ripc_wait_queue_locked_finish(struct wait_queue_head *wq_head,
				   struct wait_queue_entry *wq_entry)
{
	__remove_wait_queue(wq_head, wq_entry);
	__set_current_state(TASK_RUNNING);
}

/*
 * POSIX message queues. task_struct past its first fields is out of
 * kernel::bindings' reach: bindgen lays it out differently from the C
 * compiler (cred and self_exec_id, for one, sit 48 bytes further on in
 * C), so those fields are read here.
 */

/* task_pid_nr(current): the calling thread's id in the initial namespace. */
pid_t ripc_current_tid(void)
{
	return task_pid_nr(current);
}

/* current->self_exec_id, which only the task itself changes. */
u64 ripc_current_self_exec_id(void)
{
	return current->self_exec_id;
}

/* get_current_cred(), a macro: a counted reference to the credentials. */
const struct cred *ripc_get_current_cred(void)
{
	return get_current_cred();
}

/*
 * The SIGEV_SIGNAL part of __do_notify() in ipc/mqueue.c, from the current
 * (sending) task: SI_MESGQ with the registration's value, the sender's
 * tgid in the owner's pid namespace and its real uid in the registrant's
 * user namespace, sent only if the owner has not exec'd since it
 * registered, and without a permission check (do_send_sig_info(), as
 * send_sig_info() calls it with PIDTYPE_TGID).
 */
void ripc_mq_notify_signal(struct pid *owner, const struct cred *registrant, u64 exec_id,
			   int sig, u64 value)
{
	struct kernel_siginfo info;
	struct task_struct *task;

	clear_siginfo(&info);
	info.si_signo = sig;
	info.si_errno = 0;
	info.si_code = SI_MESGQ;
	info.si_value.sival_ptr = (void __user *)(uintptr_t)value;
	rcu_read_lock();
	info.si_pid = task_tgid_nr_ns(current, ns_of_pid(owner));
	info.si_uid = from_kuid_munged(registrant->user_ns, current_uid());
	task = pid_task(owner, PIDTYPE_TGID);
	if (task && READ_ONCE(task->self_exec_id) == exec_id)
		send_sig_info(sig, &info, task);
	rcu_read_unlock();
}

/* A send or a receive: simple_inode_init_ts() on the queue's inode. */
void ripc_file_touch_times(struct file *file)
{
	simple_inode_init_ts(file_inode(file));
}

/* A read of the status or a (un)registration: atime and ctime, as mqueue.c. */
void ripc_file_touch_read_times(struct file *file)
{
	struct inode *inode = file_inode(file);

	inode_set_atime_to_ts(inode, inode_set_ctime_current(inode));
}

/* Whether the current system call comes from a 32-bit process (inline). */
bool ripc_in_compat_syscall(void)
{
	return in_compat_syscall();
}
