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
struct file *ripc_anon_inode_getfile(const char *name, const struct file_operations *fops,
				     void *priv, int flags, unsigned int type);

struct user_namespace *ripc_current_user_ns(void);
kuid_t ripc_current_euid(void);
kgid_t ripc_current_egid(void);
unsigned long ripc_current_process_key(void);
bool ripc_current_process_exiting(void);
bool ripc_pid_has_process(struct pid *pid);

struct pid *ripc_get_current_tgid(void);
bool ripc_is_current_tgid(struct pid *pid);
struct pid *ripc_get_pid(struct pid *pid);
void ripc_file_set_nonblock(struct file *file, bool nonblock);
void ripc_set_current_interruptible(void);

/* Shared memory: shmem.c. */
struct vm_area_struct;
struct vm_operations_struct;
struct file *ripc_shmem_file_setup(const char *name, loff_t size, bool noreserve);
int ripc_vfs_mmap(struct file *file, struct vm_area_struct *vma);
void ripc_shmem_usage(struct file *file, unsigned long *rss, unsigned long *swp);
void ripc_shmem_set_unevictable(struct file *file, bool unevictable);
unsigned long ripc_rlimit_memlock(void);
int ripc_file_truncate(struct file *file, loff_t len);
int ripc_shm_find_vma(unsigned long base, unsigned long from,
		      const struct vm_operations_struct *ops, struct file **file,
		      loff_t *size, unsigned long *start, unsigned long *end);

/* IPC namespaces: helpers.c. */
struct ipc_namespace;
struct ipc_namespace *ripc_current_ipc_ns(void);
int ripc_current_ipc_ns_kind(struct ipc_namespace **ns);
void ripc_get_ipc_ns(struct ipc_namespace *ns);
void ripc_put_ipc_ns(struct ipc_namespace *ns);
bool ripc_ipc_ns_active(struct ipc_namespace *ns);

unsigned long ripc_rlimit_msgqueue(void);

#endif
