// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for shared memory (rust/glue/shmem.rs): shmem files and the
 * memory-map calls that kernel::bindings cannot reach (static inlines,
 * vma_flags_t, the VMA walk of shmdt). Each is a thin call-through.
 */

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>

#include "helpers.h"

/* shmem_kernel_file_setup(), as newseg() calls it; VM_NORESERVE on demand. */
struct file *ripc_shmem_file_setup(const char *name, loff_t size, bool noreserve)
{
	vma_flags_t flags = EMPTY_VMA_FLAGS;

	if (noreserve)
		vma_flags_set(&flags, VMA_NORESERVE_BIT);
	return shmem_kernel_file_setup(name, size, flags);
}

/* vfs_mmap() is a static inline: the file's ->mmap or ->mmap_prepare. */
int ripc_vfs_mmap(struct file *file, struct vm_area_struct *vma)
{
	return vfs_mmap(file, vma);
}

/* Pages of a shmem file in memory and in swap, as shm_add_rss_swap(). */
void ripc_shmem_usage(struct file *file, unsigned long *rss, unsigned long *swp)
{
	struct inode *inode = file_inode(file);
	struct shmem_inode_info *info = SHMEM_I(inode);

	spin_lock_irq(&info->lock);
	*rss = inode->i_mapping->nrpages;
	*swp = info->swapped;
	spin_unlock_irq(&info->lock);
}

/*
 * SHM_LOCK/SHM_UNLOCK without shmem_lock() (not exported): the mapping is
 * marked unevictable, so reclaim keeps its pages in memory, or unmarked.
 */
void ripc_shmem_set_unevictable(struct file *file, bool unevictable)
{
	if (unevictable)
		mapping_set_unevictable(file->f_mapping);
	else
		mapping_clear_unevictable(file->f_mapping);
}

/*
 * One step of do_shmdt(): the first VMA at or above from mapped with
 * vm_ops whose offset matches its distance from base (an attachment's
 * piece), and, once *file is set, only VMAs of that file ending within
 * base + *size. Its range goes to *start and *end and 0 is returned;
 * -ENOENT if there is none. The first match sets *file with a reference
 * of its own (the caller fput()s it), so that it cannot be freed and
 * reused between steps. Runs under the mmap read lock; the caller unmaps
 * with vm_munmap().
 */
int ripc_shm_find_vma(unsigned long base, unsigned long from,
		      const struct vm_operations_struct *ops, struct file **file,
		      loff_t *size, unsigned long *start, unsigned long *end)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int ret = -ENOENT;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	VMA_ITERATOR(vmi, mm, from);
	for_each_vma(vmi, vma) {
		if (*file && (loff_t)(vma->vm_end - base) > *size)
			break;
		if (vma->vm_ops != ops || (vma->vm_start - base) / PAGE_SIZE != vma->vm_pgoff)
			continue;
		if (*file && vma->vm_file != *file)
			continue;
		if (!*file) {
			*file = get_file(vma->vm_file);
			*size = PAGE_ALIGN(i_size_read(file_inode(vma->vm_file)));
		}
		*start = vma->vm_start;
		*end = vma->vm_end;
		ret = 0;
		break;
	}
	mmap_read_unlock(mm);
	return ret;
}

/* rlimit() is a static inline: RLIMIT_MEMLOCK of the caller, for SHM_LOCK. */
unsigned long ripc_rlimit_memlock(void)
{
	return rlimit(RLIMIT_MEMLOCK);
}

/* ftruncate(2) of a file the module holds. */
int ripc_file_truncate(struct file *file, loff_t len)
{
	return vfs_truncate(&file->f_path, len);
}
