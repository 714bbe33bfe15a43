// SPDX-License-Identifier: GPL-2.0
/*
 * C helpers for shared memory (rust/glue/shmem.rs): shmem files, the
 * attach file on a shmem inode, and the memory-map calls that
 * kernel::bindings cannot reach (static inlines, vma_flags_t, SHMEM_I(),
 * the VMA walk of shmdt). Each is a thin call-through.
 */

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/folio_batch.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/swap.h>

#include "shmem.h"

/* shmem_kernel_file_setup(), as newseg() calls it; VM_NORESERVE on demand. */
struct file *ripc_shmem_file_setup(const char *name, loff_t size, bool noreserve)
{
	vma_flags_t flags = EMPTY_VMA_FLAGS;

	if (noreserve)
		vma_flags_set(&flags, VMA_NORESERVE_BIT);
	return shmem_kernel_file_setup(name, size, flags);
}

/*
 * newseg(): the shmid is reported as the inode number in /proc/<pid>/maps,
 * which ps and pmap read. The inode is private to the segment.
 */
void ripc_shmem_set_ino(struct file *file, unsigned long ino)
{
	file_inode(file)->i_ino = ino;
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
 * shmem_lock() less its user_shm_lock() accounting (neither is exported;
 * the caller charges RLIMIT_MEMLOCK itself): the inode is marked locked,
 * so that shmem_writeout() keeps its pages, and the mapping unevictable,
 * or both marks are cleared. Serialized by the caller (the segment's lock,
 * as ipc_lock_object() serializes shmctl_do_lock()).
 */
void ripc_shmem_lock(struct file *file, bool lock)
{
	struct shmem_inode_info *info = SHMEM_I(file_inode(file));

	if (lock) {
		info->flags |= SHMEM_F_LOCKED;
		mapping_set_unevictable(file->f_mapping);
	} else {
		info->flags &= ~SHMEM_F_LOCKED;
		mapping_clear_unevictable(file->f_mapping);
	}
}

/*
 * shmem_unlock_mapping() (not exported): after SHM_UNLOCK, the pages that
 * reclaim parked on the unevictable list go back to the LRU lists now.
 */
void ripc_shmem_unlock_mapping(struct file *file)
{
	struct address_space *mapping = file->f_mapping;
	struct folio_batch fbatch;
	pgoff_t index = 0;

	folio_batch_init(&fbatch);
	/* Stop if someone SHM_LOCKs it again meanwhile, as shmem does. */
	while (!mapping_unevictable(mapping) &&
	       filemap_get_folios(mapping, &index, ~0UL, &fbatch)) {
		check_move_unevictable_folios(&fbatch);
		folio_batch_release(&fbatch);
		cond_resched();
	}
}

/*
 * The file do_shmat() makes with alloc_file_clone() (not exported): a new
 * file on the shmem file's path, so that shmem's faults find their pages
 * through vma->vm_file and /proc/<pid>/maps names the segment as Linux
 * does (SYSV<key>), but with the caller's fops and private data.
 * dentry_open() gives that file with shmem's fops, which are swapped for
 * the caller's; as anon_inode_getfile(), it takes a reference of
 * fops->owner, which the VFS drops after ->release. No new dentry is made
 * (alloc_file_pseudo() would make one per attach).
 */
struct file *ripc_shmem_clone_file(struct file *shmem, const struct file_operations *fops,
				   void *private, int flags)
{
	struct file *file;

	if (!try_module_get(fops->owner))
		return ERR_PTR(-ENOENT);
	file = dentry_open(&shmem->f_path, flags, current_cred());
	if (IS_ERR(file)) {
		module_put(fops->owner);
		return file;
	}
	replace_fops(file, fops);
	file->private_data = private;
	return file;
}

/*
 * One step of do_shmdt(): the first VMA at or above from mapped with
 * vm_ops whose offset matches its distance from base (an attachment's
 * piece), and, once *file is set, only VMAs of that file ending within
 * base + *size. Its range goes to *start and *end and 0 is returned;
 * -ENOENT if there is none. The first match sets *file with a reference
 * of its own (the caller fput()s it), so that it cannot be freed and
 * reused between steps. Runs under the mmap read lock; the caller unmaps
 * with vm_munmap() (do_vmi_align_munmap() of ksys_shmdt() is not exported).
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
