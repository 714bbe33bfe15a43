/* SPDX-License-Identifier: GPL-2.0 */
/* C helpers of shared memory, called from rust/glue/shmem.rs; see shmem.c. */
#ifndef _RIPC_GLUE_SHMEM_H
#define _RIPC_GLUE_SHMEM_H

#include <linux/types.h>

struct file;
struct file_operations;
struct vm_area_struct;
struct vm_operations_struct;

struct file *ripc_shmem_file_setup(const char *name, loff_t size, bool noreserve);
struct file *ripc_shmem_clone_file(struct file *shmem, const struct file_operations *fops,
				   void *private, int flags);
void ripc_shmem_set_ino(struct file *file, unsigned long ino);
int ripc_vfs_mmap(struct file *file, struct vm_area_struct *vma);
void ripc_shmem_usage(struct file *file, unsigned long *rss, unsigned long *swp);
void ripc_shmem_lock(struct file *file, bool lock);
void ripc_shmem_unlock_mapping(struct file *file);
unsigned long ripc_rlimit_memlock(void);
int ripc_file_truncate(struct file *file, loff_t len);
int ripc_shm_find_vma(unsigned long base, unsigned long from,
		      const struct vm_operations_struct *ops, struct file **file,
		      loff_t *size, unsigned long *start, unsigned long *end);

#endif /* _RIPC_GLUE_SHMEM_H */
