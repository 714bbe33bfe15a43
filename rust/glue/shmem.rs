// SPDX-License-Identifier: GPL-2.0

//! Shared memory pages: shmem files ([`ShmemFile`]), the attach files that
//! map them with counted VMAs ([`CountedMapping`], `ipc/shm.c`'s
//! `shm_file_operations` and `shm_vm_ops`), and plain mappings of them
//! made through the `mmap` of a ripc file ([`MmapRequest`]).
//!
//! An attach file is made as `do_shmat()` makes its clone of the segment's
//! file: a file on the shmem file's inode with ripc's own operations
//! ([`new_attach_file`]). Its `mmap` (`shm_mmap()`) has shmem set the VMA
//! up, then puts ripc's `vm_operations_struct` in front of shmem's: `open`
//! and `close` tell the owner about every VMA that appears (fork, split,
//! `remap_file_pages()`) or goes (munmap, exit), the rest goes to shmem.
//! The VMA's file stays the attach file, whose `file_operations` have
//! `.owner` set, so the VFS keeps the module while any such VMA exists:
//! no VMA callback runs after the module's last reference is gone.
//!
//! A plain mapping ([`MmapRequest::map_shmem`]) is made as
//! `shmem_zero_setup()` makes one: the VMA's file becomes the shmem file,
//! with shmem's operations only.

use super::{object_file::ObjectFile, AssertSync, EMPTY_FOPS};
use core::{
    ptr::NonNull,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{
    bindings,
    error::to_result,
    ffi::{c_char, c_int, c_long, c_ulong, c_void},
    fs::File,
    mm::virt::VmaNew,
    prelude::*,
    sync::{aref::ARef, Arc, ArcBorrow},
    types::ForeignOwnable,
    warn_on,
};

// `struct file *`, `struct vm_area_struct *` and `const struct
// vm_operations_struct *` are passed untyped: they embed types the
// `improper_ctypes` lint rejects.
extern "C" {
    fn ripc_shmem_file_setup(name: *const c_char, size: i64, noreserve: bool) -> *mut c_void;
    fn ripc_shmem_clone_file(
        shmem: *mut c_void,
        fops: *const c_void,
        private: *mut c_void,
        flags: c_int,
    ) -> *mut c_void;
    fn ripc_shmem_set_ino(file: *mut c_void, ino: c_ulong);
    fn ripc_vfs_mmap(file: *mut c_void, vma: *mut c_void) -> c_int;
    fn ripc_shmem_usage(file: *mut c_void, rss: *mut c_ulong, swp: *mut c_ulong);
    fn ripc_shmem_lock(file: *mut c_void, lock: bool);
    fn ripc_shmem_unlock_mapping(file: *mut c_void);
    fn ripc_rlimit_memlock() -> c_ulong;
    fn ripc_file_truncate(file: *mut c_void, len: i64) -> c_int;
    fn ripc_shm_find_vma(
        base: c_ulong,
        from: c_ulong,
        ops: *const c_void,
        file: *mut *mut c_void,
        size: *mut i64,
        start: *mut c_ulong,
        end: *mut c_ulong,
    ) -> c_int;
}

/// An open shmem file (`shmem_kernel_file_setup()`): a private, unnamed
/// inode of the kernel's internal tmpfs holding the pages. Cloning takes
/// another reference; the pages go when the last reference does.
#[derive(Clone)]
pub(crate) struct ShmemFile(ARef<File>);

impl ShmemFile {
    /// A new shmem file of `size` bytes named `name` (shown in
    /// `/proc/<pid>/maps`). `noreserve`: no swap reservation for it
    /// (`VM_NORESERVE`), as `SHM_NORESERVE` asks.
    pub(crate) fn new(name: &CStr, size: usize, noreserve: bool) -> Result<Self> {
        let size = i64::try_from(size).map_err(|_| EINVAL)?;
        // SAFETY: `name` is a valid C string for the duration of the call.
        let file = unsafe { ripc_shmem_file_setup(name.as_char_ptr(), size, noreserve) };
        let file = kernel::error::from_err_ptr(file)?.cast::<File>();
        // SAFETY: `shmem_kernel_file_setup()` returned a file with one
        // reference, which the `ARef` takes over; `File` is a transparent
        // `struct file`.
        Ok(Self(unsafe {
            ARef::from_raw(core::ptr::NonNull::new_unchecked(file))
        }))
    }

    fn as_ptr(&self) -> *mut bindings::file {
        self.0.as_ptr()
    }

    fn as_void(&self) -> *mut c_void {
        self.as_ptr().cast()
    }

    /// Sets the inode number, which `/proc/<pid>/maps` shows (`newseg()`
    /// makes it the segment's id). Only before the file is shared.
    pub(crate) fn set_ino(&self, ino: u32) {
        // SAFETY: the file is a live shmem file whose inode is private to
        // its owner, not yet mapped or shown anywhere.
        unsafe { ripc_shmem_set_ino(self.as_void(), ino as c_ulong) };
    }

    /// Pages in memory and pages in swap (`shm_add_rss_swap()`).
    pub(crate) fn usage(&self) -> (u64, u64) {
        let (mut rss, mut swp): (c_ulong, c_ulong) = (0, 0);
        // SAFETY: the file is a live shmem file; the pointers are to locals.
        unsafe { ripc_shmem_usage(self.as_void(), &mut rss, &mut swp) };
        (rss as u64, swp as u64)
    }

    /// `shmem_lock()` without its charge, which the caller makes: marks
    /// the pages locked (kept from swap and reclaim) or clears the mark.
    /// Pages already parked as unevictable stay so until
    /// [`ShmemFile::unlock_mapping`].
    pub(crate) fn lock(&self, lock: bool) {
        // SAFETY: the file is a live shmem file; the caller serializes
        // calls on one file (the segment's lock).
        unsafe { ripc_shmem_lock(self.as_void(), lock) };
    }

    /// `shmem_unlock_mapping()`: after an unlock, puts the pages back on
    /// the lists reclaim scans. May sleep.
    pub(crate) fn unlock_mapping(&self) {
        // SAFETY: the file is a live shmem file.
        unsafe { ripc_shmem_unlock_mapping(self.as_void()) };
    }

    /// Sets the size, dropping the pages past it (`ftruncate(2)` on the
    /// shmem file: `vfs_truncate()`, which goes through shmem's setattr).
    pub(crate) fn truncate(&self, len: i64) -> Result {
        // SAFETY: the file is alive: we hold a reference.
        to_result(unsafe { ripc_file_truncate(self.as_void(), len) })
    }
}

/// The caller's `RLIMIT_MEMLOCK` in bytes (`u64::MAX`: unlimited).
pub(crate) fn memlock_rlimit() -> u64 {
    // SAFETY: plain call on the current task.
    unsafe { ripc_rlimit_memlock() as u64 }
}

/// What owns an attach file and counts the VMAs mapping it
/// (`shm_file_data` and `shm_open()`/`shm_close()`).
pub(crate) trait CountedMapping: Send + Sync + Sized + 'static {
    /// The shmem file whose pages the attach file maps.
    fn mapping(&self) -> &ShmemMapping;

    /// `__shm_open()`: one more VMA, about to be made by `mmap` of the
    /// attach file (an attach, or `remap_file_pages()` re-mapping it) or
    /// copied from another (fork, split, `mremap`). An error fails the
    /// `mmap`; a copy cannot fail.
    fn open(&self) -> Result;

    /// `__shm_close()`: a VMA went (munmap, exit, or an `mmap` that failed
    /// after [`CountedMapping::open`]). May sleep; runs under the mm's mmap
    /// lock.
    fn close(&self);

    /// The last reference to the attach file went (`shm_release()`).
    fn release(&self);

    /// The `file_operations` of the kind's attach files: a `static` built
    /// by [`attach_fops`].
    const FOPS: &'static AssertSync<bindings::file_operations>;

    /// The `vm_operations_struct` of the kind: a `static` built by
    /// [`vm_ops`].
    const VM_OPS: &'static AssertSync<bindings::vm_operations_struct>;
}

/// The shmem file an attach file maps, and shmem's `vm_operations_struct`
/// that its VMAs forward to (`shm_file_data::file` and `::vm_ops`).
pub(crate) struct ShmemMapping {
    file: ShmemFile,
    /// Null until the first `mmap`; then always shmem's same static table.
    shmem_ops: AtomicPtr<bindings::vm_operations_struct>,
}

impl ShmemMapping {
    /// The mapping of `file`'s pages.
    pub(crate) fn new(file: ShmemFile) -> Self {
        Self {
            file,
            shmem_ops: AtomicPtr::new(core::ptr::null_mut()),
        }
    }

    /// Shmem's operations, as the `mmap` that made the VMA stored them.
    fn shmem_ops(&self) -> &bindings::vm_operations_struct {
        let ops = self.shmem_ops.load(Ordering::Acquire);
        // SAFETY: a VMA with the kind's operations exists only after an
        // `mmap` of the attach file stored shmem's table, a `static const`
        // of the kernel (checked non-null there), never written.
        unsafe { &*ops }
    }
}

/// Creates the attach file of `owner` (the file `do_shmat()` clones from
/// the segment's): a file on the inode of `owner`'s shmem file, so that
/// shmem's faults find the pages through the VMA's file, with
/// `T::FOPS` (which pin the module while the file, and so any VMA mapping
/// it, lives). `flags` is `O_RDONLY` or `O_RDWR`.
pub(crate) fn new_attach_file<T: CountedMapping>(owner: Arc<T>, flags: u32) -> Result<ARef<File>> {
    let shmem = owner.mapping().file.as_void();
    let private = owner.into_foreign();
    // SAFETY: `shmem` is alive (the owner holds it until its file is
    // released); `T::FOPS` is a `'static` table whose `release` takes back
    // the `Arc` passed as private data.
    let file = unsafe {
        ripc_shmem_clone_file(
            shmem,
            core::ptr::from_ref(&T::FOPS.0).cast(),
            private,
            (flags & bindings::O_ACCMODE) as c_int,
        )
    };
    match kernel::error::from_err_ptr(file) {
        // SAFETY: the new file has one reference, which the `ARef` takes
        // over; `File` is a transparent `struct file`.
        Ok(file) => Ok(unsafe { ARef::from_raw(NonNull::new_unchecked(file.cast::<File>())) }),
        Err(err) => {
            // SAFETY: no file was made, so the reference is still ours.
            drop(unsafe { Arc::<T>::from_foreign(private) });
            Err(err)
        }
    }
}

/// How [`map_attach_file`] maps, besides readable: writable, executable,
/// and whether an address given must be free (`shmat()` without
/// `SHM_REMAP`) or is taken over (`SHM_REMAP`).
pub(crate) struct AttachMap {
    pub(crate) write: bool,
    pub(crate) exec: bool,
    pub(crate) replace: bool,
}

// `mmap(2)`'s flags (`include/uapi/asm-generic/mman*.h`): macros that
// bindgen does not carry over.
const PROT_READ: c_ulong = 0x1;
const PROT_WRITE: c_ulong = 0x2;
const PROT_EXEC: c_ulong = 0x4;
const MAP_SHARED: c_ulong = 0x01;
const MAP_FIXED: c_ulong = 0x10;
const MAP_FIXED_NOREPLACE: c_ulong = 0x100000;

/// Maps `file`, an attach file, `MAP_SHARED` into the caller's address
/// space, as `do_shmat()`'s `do_mmap()`: at `addr` if not 0, else where
/// the mm chooses. Returns the address.
///
/// `vm_mmap()` takes the mmap lock itself, so "the range must be free"
/// (`do_shmat()` checks `find_vma_intersection()` under that lock) is
/// `MAP_FIXED_NOREPLACE`, whose `EEXIST` is `do_shmat()`'s `EINVAL`.
pub(crate) fn map_attach_file(
    file: &File,
    addr: usize,
    len: usize,
    how: AttachMap,
) -> Result<usize> {
    let mut prot = PROT_READ;
    if how.write {
        prot |= PROT_WRITE;
    }
    if how.exec {
        prot |= PROT_EXEC;
    }
    let mut flags = MAP_SHARED;
    if addr != 0 {
        if !how.replace && addr.checked_add(len).is_none() {
            return Err(EINVAL);
        }
        flags |= if how.replace {
            MAP_FIXED
        } else {
            MAP_FIXED_NOREPLACE
        };
    }
    // SAFETY: we run in the ioctl of a user task, so `current->mm` is the
    // caller's and may be locked here (`vm_mmap()` takes its mmap lock
    // itself; we hold no lock it could nest under). `file` is borrowed for
    // the call, and the new VMA takes its own reference to it.
    let ret = unsafe {
        bindings::vm_mmap(
            file.as_ptr(),
            addr as c_ulong,
            len as c_ulong,
            prot,
            flags,
            0,
        )
    };
    if ret >= (bindings::MAX_ERRNO as c_ulong).wrapping_neg() {
        let errno = ret as c_long as c_int;
        return Err(if errno == -(bindings::EEXIST as c_int) {
            EINVAL
        } else {
            Error::from_errno(errno)
        });
    }
    Ok(ret as usize)
}

/// Builds the `file_operations` of the attach files of kind `T`
/// (`shm_file_operations`): `mmap` attaches, and `fsync`, `fallocate`
/// and `get_unmapped_area` go to the shmem file.
pub(crate) const fn attach_fops<T: CountedMapping>() -> AssertSync<bindings::file_operations> {
    AssertSync(bindings::file_operations {
        owner: crate::THIS_MODULE.as_ptr(),
        mmap: Some(attach_mmap::<T>),
        fsync: Some(attach_fsync::<T>),
        release: Some(attach_release::<T>),
        get_unmapped_area: Some(attach_get_unmapped_area::<T>),
        llseek: Some(bindings::noop_llseek),
        fallocate: Some(attach_fallocate::<T>),
        ..EMPTY_FOPS
    })
}

/// Borrows the owner of an attach file of kind `T`.
///
/// # Safety
///
/// `file` must be a live file with `T::FOPS`, before its `release`.
unsafe fn attach_owner<'a, T: CountedMapping>(file: *mut bindings::file) -> ArcBorrow<'a, T> {
    // SAFETY: such a file holds an `Arc<T>` in `private_data` until its
    // `release`.
    unsafe { Arc::<T>::borrow((*file).private_data) }
}

/// `shm_mmap()`: counts the VMA, has shmem set it up, then puts
/// `T::VM_OPS` in front of shmem's operations. The VMA's file stays the
/// attach file, so that a re-mapping (`remap_file_pages()`) comes back
/// here.
///
/// # Safety
///
/// Called by the VFS only, on a live file with `T::FOPS` and the VMA
/// being set up for it, with the mmap lock held for writing.
unsafe extern "C" fn attach_mmap<T: CountedMapping>(
    file: *mut bindings::file,
    vma: *mut bindings::vm_area_struct,
) -> c_int {
    // SAFETY: by the function's safety requirements.
    let owner = unsafe { attach_owner::<T>(file) };
    if let Err(err) = owner.open() {
        return err.to_errno();
    }
    let mapping = owner.mapping();
    // SAFETY: the shmem file is alive (the owner holds it); the VMA is
    // being set up, and keeps the attach file as its file.
    let ret = unsafe { ripc_vfs_mmap(mapping.file.as_void(), vma.cast()) };
    if ret != 0 {
        owner.close();
        return ret;
    }
    // SAFETY: shmem's mmap succeeded and set `vm_ops` to one of its static
    // tables.
    let shmem_ops = unsafe { (*vma).vm_ops };
    // SAFETY: `shmem_ops`, if not null, is a static table.
    let has_fault = !shmem_ops.is_null() && unsafe { (*shmem_ops).fault.is_some() };
    if warn_on!(!has_fault) {
        // The mm calls no `close` for a VMA whose `mmap` failed.
        owner.close();
        return ENODEV.to_errno();
    }
    mapping
        .shmem_ops
        .store(shmem_ops.cast_mut(), Ordering::Release);
    // SAFETY: the VMA is being set up, with the mmap lock held for writing;
    // its file is the attach file, on which `T::VM_OPS` rely.
    unsafe { (*vma).vm_ops = &T::VM_OPS.0 };
    0
}

/// `shm_release()`.
///
/// # Safety
///
/// Called by the VFS only, once, as the last reference to a file with
/// `T::FOPS` goes.
unsafe extern "C" fn attach_release<T: CountedMapping>(
    _inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: the file's reference, given back exactly once, here.
    let owner = unsafe { Arc::<T>::from_foreign((*file).private_data) };
    owner.release();
    0
}

/// `shm_fsync()`: shmem's `fsync` (`msync(MS_SYNC)` on an attachment).
///
/// # Safety
///
/// Called by the VFS only, on a live file with `T::FOPS`.
unsafe extern "C" fn attach_fsync<T: CountedMapping>(
    file: *mut bindings::file,
    start: bindings::loff_t,
    end: bindings::loff_t,
    datasync: c_int,
) -> c_int {
    // SAFETY: by the function's safety requirements.
    let shmem = unsafe { attach_owner::<T>(file) }.mapping().file.as_ptr();
    // SAFETY: the shmem file is alive; its `f_op` never changes.
    match unsafe { (*(*shmem).f_op).fsync } {
        // SAFETY: handed on to shmem's own file.
        Some(fsync) => unsafe { fsync(shmem, start, end, datasync) },
        None => EINVAL.to_errno(),
    }
}

/// `shm_fallocate()`: shmem's `fallocate` (`madvise(MADV_REMOVE)` on an
/// attachment), on the attach file, which has shmem's inode.
///
/// # Safety
///
/// Called by the VFS only, on a live file with `T::FOPS`.
unsafe extern "C" fn attach_fallocate<T: CountedMapping>(
    file: *mut bindings::file,
    mode: c_int,
    offset: bindings::loff_t,
    len: bindings::loff_t,
) -> c_long {
    // SAFETY: by the function's safety requirements.
    let shmem = unsafe { attach_owner::<T>(file) }.mapping().file.as_ptr();
    // SAFETY: the shmem file is alive; its `f_op` never changes.
    match unsafe { (*(*shmem).f_op).fallocate } {
        // SAFETY: the attach file is on shmem's inode, as `fallocate` of
        // shmem expects.
        Some(fallocate) => unsafe { fallocate(file, mode, offset, len) },
        None => -(bindings::EOPNOTSUPP as c_long),
    }
}

/// `shm_get_unmapped_area()`: where shmem would place the mapping.
///
/// # Safety
///
/// Called by the mm only, on a live file with `T::FOPS`.
unsafe extern "C" fn attach_get_unmapped_area<T: CountedMapping>(
    file: *mut bindings::file,
    addr: c_ulong,
    len: c_ulong,
    pgoff: c_ulong,
    flags: c_ulong,
) -> c_ulong {
    // SAFETY: by the function's safety requirements.
    let shmem = unsafe { attach_owner::<T>(file) }.mapping().file.as_ptr();
    // SAFETY: the shmem file is alive; its `f_op` never changes.
    match unsafe { (*(*shmem).f_op).get_unmapped_area } {
        // SAFETY: handed on to shmem's own file.
        Some(area) => unsafe { area(shmem, addr, len, pgoff, flags) },
        // SAFETY: plain call, as the mm makes it for a file without one.
        None => unsafe { bindings::mm_get_unmapped_area(shmem, addr, len, pgoff, flags) },
    }
}

/// The `vm_operations_struct` of the attach files of kind `T`
/// (`shm_vm_ops`): `open` and `close` count, the rest goes to shmem's.
pub(crate) const fn vm_ops<T: CountedMapping>() -> AssertSync<bindings::vm_operations_struct> {
    AssertSync(bindings::vm_operations_struct {
        open: Some(vma_open::<T>),
        close: Some(vma_close::<T>),
        fault: Some(vma_fault::<T>),
        may_split: Some(vma_may_split::<T>),
        pagesize: Some(vma_pagesize::<T>),
        #[cfg(CONFIG_NUMA)]
        set_policy: Some(vma_set_policy::<T>),
        #[cfg(CONFIG_NUMA)]
        get_policy: Some(vma_get_policy::<T>),
        // SAFETY: all-zeroes is a valid `vm_operations_struct`: every
        // field is an optional function pointer or a nullable pointer.
        ..unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
    })
}

/// Borrows the owner of a VMA of kind `T`.
///
/// # Safety
///
/// `vma` must be a live VMA whose `vm_ops` is `T::VM_OPS`.
unsafe fn vma_owner<'a, T: CountedMapping>(
    vma: *const bindings::vm_area_struct,
) -> ArcBorrow<'a, T> {
    // SAFETY: `T::VM_OPS` are only set by `attach_mmap` on VMAs of an
    // attach file of kind `T`, which the VMA holds while it lives.
    unsafe { attach_owner::<T>((*vma).vm_file) }
}

/// `shm_open()`: a copy of a VMA (fork, split, `mremap`) is counted.
///
/// # Safety
///
/// Called by the mm only, on a new VMA copied from one with `T::VM_OPS`.
unsafe extern "C" fn vma_open<T: CountedMapping>(vma: *mut bindings::vm_area_struct) {
    // SAFETY: the copy has the original's file and operations.
    let owner = unsafe { vma_owner::<T>(vma) };
    if let Some(open) = owner.mapping().shmem_ops().open {
        // SAFETY: as `shm_open()`, the underlying `open` sees the VMA first.
        unsafe { open(vma) };
    }
    // The original VMA keeps the owner counted above 0, so it cannot have
    // been destroyed: an error is a bug, as `shm_open()` warns.
    warn_on!(owner.open().is_err());
}

/// `shm_close()`.
///
/// # Safety
///
/// Called by the mm only, once per VMA with `T::VM_OPS`, as it goes.
unsafe extern "C" fn vma_close<T: CountedMapping>(vma: *mut bindings::vm_area_struct) {
    // SAFETY: the VMA is alive during `close`, with its file.
    let owner = unsafe { vma_owner::<T>(vma) };
    if let Some(close) = owner.mapping().shmem_ops().close {
        // SAFETY: as `shm_close()`, the underlying `close` is always called.
        unsafe { close(vma) };
    }
    owner.close();
}

/// `shm_fault()`: shmem finds or allocates the page.
///
/// # Safety
///
/// Called by the mm only, on a fault in a VMA with `T::VM_OPS`.
unsafe extern "C" fn vma_fault<T: CountedMapping>(
    vmf: *mut bindings::vm_fault,
) -> bindings::vm_fault_t {
    // SAFETY: `vmf` and its VMA are valid during the fault.
    let owner = unsafe { vma_owner::<T>((*vmf).__bindgen_anon_1.vma) };
    match owner.mapping().shmem_ops().fault {
        // SAFETY: the fault is handed on as it came; the VMA's file has
        // shmem's inode, which `fault` expects.
        Some(fault) => unsafe { fault(vmf) },
        None => bindings::vm_fault_reason_VM_FAULT_SIGBUS as bindings::vm_fault_t,
    }
}

/// `shm_may_split()`.
///
/// # Safety
///
/// Called by the mm only, on a VMA with `T::VM_OPS`.
unsafe extern "C" fn vma_may_split<T: CountedMapping>(
    vma: *mut bindings::vm_area_struct,
    addr: c_ulong,
) -> c_int {
    // SAFETY: the VMA is alive during the call.
    let owner = unsafe { vma_owner::<T>(vma) };
    match owner.mapping().shmem_ops().may_split {
        // SAFETY: handed on as it came.
        Some(may_split) => unsafe { may_split(vma, addr) },
        None => 0,
    }
}

/// `shm_pagesize()`.
///
/// # Safety
///
/// Called by the mm only, on a VMA with `T::VM_OPS`.
unsafe extern "C" fn vma_pagesize<T: CountedMapping>(
    vma: *mut bindings::vm_area_struct,
) -> c_ulong {
    // SAFETY: the VMA is alive during the call.
    let owner = unsafe { vma_owner::<T>(vma) };
    match owner.mapping().shmem_ops().pagesize {
        // SAFETY: handed on as it came.
        Some(pagesize) => unsafe { pagesize(vma) },
        None => bindings::PAGE_SIZE as c_ulong,
    }
}

/// `shm_set_policy()`: `mbind()` sets the policy of the shmem pages.
///
/// # Safety
///
/// Called by the mm only, on a VMA with `T::VM_OPS`.
#[cfg(CONFIG_NUMA)]
unsafe extern "C" fn vma_set_policy<T: CountedMapping>(
    vma: *mut bindings::vm_area_struct,
    mpol: *mut bindings::mempolicy,
) -> c_int {
    // SAFETY: the VMA is alive during the call.
    let owner = unsafe { vma_owner::<T>(vma) };
    match owner.mapping().shmem_ops().set_policy {
        // SAFETY: handed on as it came.
        Some(set_policy) => unsafe { set_policy(vma, mpol) },
        None => 0,
    }
}

/// `shm_get_policy()`.
///
/// # Safety
///
/// Called by the mm only, on a VMA with `T::VM_OPS`.
#[cfg(CONFIG_NUMA)]
unsafe extern "C" fn vma_get_policy<T: CountedMapping>(
    vma: *mut bindings::vm_area_struct,
    addr: c_ulong,
    ilx: *mut bindings::pgoff_t,
) -> *mut bindings::mempolicy {
    // SAFETY: the VMA is alive during the call.
    let owner = unsafe { vma_owner::<T>(vma) };
    match owner.mapping().shmem_ops().get_policy {
        // SAFETY: handed on as it came.
        Some(get_policy) => unsafe { get_policy(vma, addr, ilx) },
        // SAFETY: the VMA is alive; its own policy, as `shm_get_policy()`.
        None => unsafe { (*vma).vm_policy },
    }
}

/// A mapping being made by `mmap(2)` of a ripc file: the kernel crate's
/// [`VmaNew`] (a VMA in its `mmap` hook), with what it does not offer:
/// handing the VMA to another file (`vma_set_file()` and that file's own
/// mmap, as `shmem_zero_setup()`).
pub(crate) struct MmapRequest<'a>(&'a VmaNew);

impl MmapRequest<'_> {
    /// # Safety
    ///
    /// `vma` must be the VMA an `mmap` file operation was called with, and
    /// the request must not outlive that call.
    pub(super) unsafe fn from_raw(vma: *mut bindings::vm_area_struct) -> Self {
        // SAFETY: by the function's safety requirements, the VMA is being
        // set up by an `mmap` hook for the request's life.
        Self(unsafe { VmaNew::from_raw(vma) })
    }

    /// Makes the VMA a mapping of `shmem`, as `shmem_zero_setup()`: its
    /// file becomes `shmem` (the ripc file's reference is dropped) and
    /// shmem's mmap sets it up. `MAP_PRIVATE` gives copy-on-write, as a
    /// private mapping of any file.
    pub(crate) fn map_shmem(self, shmem: &ShmemFile) -> Result {
        let vma = self.0.as_ptr();
        // SAFETY: the VMA is being set up by mmap, with the mmap lock held
        // for writing; `vma_set_file()` takes a reference of `shmem` and
        // drops the old file's (the mm's error path drops whatever
        // `vm_file` then is).
        unsafe {
            bindings::vma_set_file(vma, shmem.as_ptr());
            to_result(ripc_vfs_mmap(shmem.as_void(), vma.cast()))
        }
    }
}

/// `shmdt(2)`: unmaps the counted mapping of kind `T` that starts at
/// `addr`, every VMA of it within its size (`ksys_shmdt()`). `EINVAL` if
/// there is none.
///
/// Linux walks and unmaps under one `mmap_write_lock()`
/// (`do_vmi_align_munmap()`); neither it nor `do_munmap()` is exported,
/// and `vm_munmap()`, the only unmap a module can call, takes the lock
/// itself. So each VMA is found under the mmap read lock and unmapped
/// right after with `vm_munmap()` of exactly its range: between the two,
/// another thread of the caller that unmaps that piece and maps something
/// else at the same place would lose its new mapping. The attach file is
/// pinned for the walk, so a freed and reused file cannot pass for it.
pub(crate) fn unmap_counted<T: CountedMapping>(addr: usize) -> Result {
    if addr % bindings::PAGE_SIZE != 0 {
        return Err(EINVAL);
    }
    let mut file: *mut c_void = core::ptr::null_mut();
    let mut size: i64 = 0;
    let mut from = addr as c_ulong;
    let mut result = Err(EINVAL);
    loop {
        let (mut start, mut end): (c_ulong, c_ulong) = (0, 0);
        // SAFETY: the pointers are to locals; `file` is null or holds the
        // reference the first step took.
        let found = unsafe {
            ripc_shm_find_vma(
                addr as c_ulong,
                from,
                core::ptr::from_ref(&T::VM_OPS.0).cast(),
                &mut file,
                &mut size,
                &mut start,
                &mut end,
            )
        };
        if found == -(bindings::EINTR as c_int) {
            result = Err(EINTR);
        }
        if found != 0 {
            break;
        }
        // SAFETY: plain call; unmapping whole VMAs of the caller's mm.
        let _ = unsafe { bindings::vm_munmap(start, end - start) };
        result = Ok(());
        // Past the segment's size nothing more is its (`do_shmdt()`'s
        // walk ends there): no second look.
        if end - addr as c_ulong >= size as c_ulong {
            break;
        }
        from = end;
    }
    if !file.is_null() {
        // SAFETY: the reference taken by `ripc_shm_find_vma()`.
        unsafe { bindings::fput(file.cast()) };
    }
    result
}

/// The `mmap` file operation of kind `T`.
///
/// # Safety
///
/// Called by the VFS only, on a live file of kind `T`, with the VMA being
/// set up.
pub(super) unsafe extern "C" fn mmap<T: ObjectFile>(
    file: *mut bindings::file,
    vma: *mut bindings::vm_area_struct,
) -> c_int {
    // SAFETY: `private_data` holds an `Arc<T>` until `release`; the file
    // is alive during the call.
    let (this, f) = unsafe {
        (
            Arc::<T>::borrow((*file).private_data),
            File::from_raw_file(file),
        )
    };
    // SAFETY: the request lives only for this call.
    match T::mmap(this, f, unsafe { MmapRequest::from_raw(vma) }) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
