/* SPDX-License-Identifier: GPL-2.0 */
/* C helpers called from rust/glue/; see helpers.c. */
#ifndef _RIPC_GLUE_HELPERS_H
#define _RIPC_GLUE_HELPERS_H

#include <linux/types.h>
#include <linux/uidgid_types.h>

struct file;
struct file_operations;
struct user_namespace;
struct pid;
struct file;

int ripc_anon_inode_getfd(const char *name, const struct file_operations *fops,
			  void *priv, int flags);

struct user_namespace *ripc_current_user_ns(void);
kgid_t ripc_current_egid(void);
unsigned long ripc_current_process_key(void);
bool ripc_current_process_exiting(void);
bool ripc_pid_has_process(struct pid *pid);

struct pid *ripc_get_current_tgid(void);
bool ripc_is_current_tgid(struct pid *pid);
struct pid *ripc_get_pid(struct pid *pid);
void ripc_file_set_nonblock(struct file *file, bool nonblock);
void ripc_set_current_interruptible(void);
struct wait_queue_head;
struct wait_queue_entry;
void ripc_wait_queue_lock_irq(struct wait_queue_head *wq_head);
void ripc_wait_queue_unlock_irq(struct wait_queue_head *wq_head);
void ripc_wait_queue_locked_finish(struct wait_queue_head *wq_head,
				   struct wait_queue_entry *wq_entry);
bool ripc_in_compat_syscall(void);

/* POSIX message queues. */
pid_t ripc_current_tid(void);
u64 ripc_current_self_exec_id(void);
const struct cred *ripc_get_current_cred(void);
void ripc_mq_notify_signal(struct pid *owner, const struct cred *registrant, u64 exec_id,
			   int sig, u64 value);
void ripc_file_touch_times(struct file *file);
void ripc_file_touch_read_times(struct file *file);

/* Shared memory: shmem.h. */

/* IPC namespaces: helpers.c. */
struct ipc_namespace;
struct ipc_namespace *ripc_current_ipc_ns(void);
int ripc_current_ipc_ns_kind(struct ipc_namespace **ns);
void ripc_get_ipc_ns(struct ipc_namespace *ns);
void ripc_put_ipc_ns(struct ipc_namespace *ns);
bool ripc_ipc_ns_active(struct ipc_namespace *ns);

unsigned long ripc_rlimit_msgqueue(void);

#endif
