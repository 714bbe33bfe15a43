// SPDX-License-Identifier: GPL-2.0

//! Shared memory pages: shmem files ([`ShmemFile`]), and mappings of them
//! made through the `mmap` of a ripc file ([`MmapRequest`]).
//!
//! A mapping is made as `shmem_zero_setup()` and `shm_mmap()` make theirs:
//! the VMA's file becomes the shmem file and shmem's own mmap sets it up,
//! so its pages are ordinary shmem pages (swappable, charged to the memory
//! cgroup of the task that faults them in, counted in `Shmem` of
//! `/proc/meminfo`). A counted mapping ([`MmapRequest::map_counted`]) also
//! gets ripc's `vm_operations_struct` in front of shmem's, whose `open`
//! and `close` tell the owner about every VMA that appears (fork, split)
//! or goes (munmap, exit), as `shm_vm_ops` does.

use super::{object_file::ObjectFile, AssertSync};
use core::marker::PhantomData;
use kernel::{
    bindings,
    error::to_result,
    ffi::{c_char, c_int, c_ulong, c_void},
    fs::File,
    prelude::*,
    sync::{aref::ARef, Arc},
    types::ForeignOwnable,
};

// `struct file *`, `struct vm_area_struct *` and `const struct
// vm_operations_struct *` are passed untyped: they embed types the
// `improper_ctypes` lint rejects.
extern "C" {
    fn ripc_shmem_file_setup(name: *const c_char, size: i64, noreserve: bool) -> *mut c_void;
    fn ripc_vfs_mmap(file: *mut c_void, vma: *mut c_void) -> c_int;
    fn ripc_shmem_usage(file: *mut c_void, rss: *mut c_ulong, swp: *mut c_ulong);
    fn ripc_shmem_set_unevictable(file: *mut c_void, unevictable: bool);
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

    /// Pages in memory and pages in swap (`shm_add_rss_swap()`).
    pub(crate) fn usage(&self) -> (u64, u64) {
        let (mut rss, mut swp): (c_ulong, c_ulong) = (0, 0);
        // SAFETY: the file is a live shmem file; the pointers are to locals.
        unsafe { ripc_shmem_usage(self.as_void(), &mut rss, &mut swp) };
        (rss as u64, swp as u64)
    }

    /// Keeps the pages from reclaim, or lets them go again (what
    /// `SHM_LOCK`/`SHM_UNLOCK` can do without `shmem_lock()`).
    pub(crate) fn set_unevictable(&self, unevictable: bool) {
        // SAFETY: the file is a live shmem file.
        unsafe { ripc_shmem_set_unevictable(self.as_void(), unevictable) };
    }

    /// Sets the size, dropping the pages past it (`ftruncate(2)` on the
    /// shmem file: `vfs_truncate()`, which goes through shmem's setattr).
    pub(crate) fn truncate(&self, len: i64) -> Result {
        // SAFETY: the file is alive: we hold a reference.
        to_result(unsafe { ripc_file_truncate(self.as_void(), len) })
    }
}

/// The caller's `RLIMIT_MEMLOCK` in bytes (`SHM_LOCK` needs it non-zero
/// without `CAP_IPC_LOCK`).
pub(crate) fn memlock_rlimit() -> u64 {
    // SAFETY: plain call on the current task.
    unsafe { ripc_rlimit_memlock() as u64 }
}

/// What owns a counted mapping and counts its VMAs (`shm_file_data` and
/// `shm_open()`/`shm_close()`).
pub(crate) trait CountedMapping: Send + Sync + Sized + 'static {
    /// A VMA of the mapping was copied (fork) or split in two.
    fn vma_open(&self);

    /// A VMA of the mapping went (munmap, exit, or a failed mmap after
    /// [`MmapRequest::map_counted`] succeeded). May sleep; runs under the
    /// mm's mmap lock.
    fn vma_close(&self);

    /// The `vm_operations_struct` of the kind: a `static` built by
    /// [`vm_ops`].
    const VM_OPS: &'static AssertSync<bindings::vm_operations_struct>;
}

/// What each VMA of a counted mapping points at (`vm_private_data`): the
/// owner, and shmem's own operations, which the faults go to. VMAs copied
/// from one another share it; each holds one reference.
///
/// # Invariants
///
/// It holds a reference of the module, whose code its VMAs' operations
/// are: the module stays while any such VMA does.
struct VmaData<T> {
    owner: Arc<T>,
    shmem_ops: *const bindings::vm_operations_struct,
}

impl<T> VmaData<T> {
    fn new(owner: Arc<T>, shmem_ops: *const bindings::vm_operations_struct) -> Self {
        // SAFETY: the module is live (we run its code from an mmap of one
        // of its files, which pins it), so taking one more reference is
        // allowed. INVARIANT: given back in `drop`.
        unsafe { bindings::__module_get(crate::THIS_MODULE.as_ptr()) };
        Self { owner, shmem_ops }
    }
}

impl<T> Drop for VmaData<T> {
    fn drop(&mut self) {
        // SAFETY: the reference taken in `new`, by the type invariant.
        unsafe { bindings::module_put(crate::THIS_MODULE.as_ptr()) };
    }
}

// SAFETY: `shmem_ops` points at a `static const` table of the kernel,
// never written; `T` is `Send + Sync`.
unsafe impl<T: Send + Sync> Send for VmaData<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for VmaData<T> {}

/// The `vm_operations_struct` of a counted mapping of kind `T`
/// (`shm_vm_ops`: `open`, `close`, `fault`).
pub(crate) const fn vm_ops<T: CountedMapping>() -> AssertSync<bindings::vm_operations_struct> {
    AssertSync(bindings::vm_operations_struct {
        open: Some(vma_open::<T>),
        close: Some(vma_close::<T>),
        fault: Some(vma_fault::<T>),
        // SAFETY: all-zeroes is a valid `vm_operations_struct`: every
        // field is an optional function pointer.
        ..unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
    })
}

/// Borrows the data of a VMA of a counted mapping of kind `T`.
///
/// # Safety
///
/// `vma` must be a live VMA whose `vm_ops` is `T::VM_OPS`.
unsafe fn vma_data<'a, T: CountedMapping>(
    vma: *mut bindings::vm_area_struct,
) -> kernel::sync::ArcBorrow<'a, VmaData<T>> {
    // SAFETY: VMAs with `T::VM_OPS` hold a reference of an
    // `Arc<VmaData<T>>` in `vm_private_data` until their `close`.
    unsafe { Arc::<VmaData<T>>::borrow((*vma).vm_private_data) }
}

/// `shm_open()`: a copy of a VMA (fork, split, mremap) takes its own
/// reference and is counted.
///
/// # Safety
///
/// Called by the mm only, on a new VMA copied from one with `T::VM_OPS`.
unsafe extern "C" fn vma_open<T: CountedMapping>(vma: *mut bindings::vm_area_struct) {
    // SAFETY: the copy has the original's `vm_private_data`, whose
    // reference the original still holds.
    let data: Arc<VmaData<T>> = unsafe { vma_data::<T>(vma) }.into();
    // SAFETY: `shmem_ops` is a live static table.
    if let Some(open) = unsafe { (*data.shmem_ops).open } {
        // SAFETY: as shm_open(), the underlying open sees the VMA first.
        unsafe { open(vma) };
    }
    data.owner.vma_open();
    // The copy's reference, given back in `vma_close`; the pointer is the
    // one already in `vm_private_data`.
    let _ = data.into_foreign();
}

/// `shm_close()`.
///
/// # Safety
///
/// Called by the mm only, once per VMA with `T::VM_OPS`, as it goes.
unsafe extern "C" fn vma_close<T: CountedMapping>(vma: *mut bindings::vm_area_struct) {
    // SAFETY: the VMA's reference is given back exactly once, here.
    let data = unsafe { Arc::<VmaData<T>>::from_foreign((*vma).vm_private_data) };
    // SAFETY: `shmem_ops` is a live static table.
    if let Some(close) = unsafe { (*data.shmem_ops).close } {
        // SAFETY: the VMA is still alive during `close`.
        unsafe { close(vma) };
    }
    data.owner.vma_close();
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
    let data = unsafe { vma_data::<T>((*vmf).__bindgen_anon_1.vma) };
    // SAFETY: `shmem_ops` is a live static table.
    match unsafe { (*data.shmem_ops).fault } {
        // SAFETY: the fault is handed on as it came, with the VMA's file
        // being the shmem file that `fault` expects.
        Some(fault) => unsafe { fault(vmf) },
        None => bindings::vm_fault_reason_VM_FAULT_SIGBUS as bindings::vm_fault_t,
    }
}

/// A mapping being made by `mmap(2)` of a ripc file: the VMA its `mmap`
/// hook receives, which only the methods below may change.
pub(crate) struct MmapRequest<'a> {
    vma: *mut bindings::vm_area_struct,
    _vma: PhantomData<&'a mut bindings::vm_area_struct>,
}

impl MmapRequest<'_> {
    /// # Safety
    ///
    /// `vma` must be the VMA an `mmap` file operation was called with, and
    /// the request must not outlive that call.
    pub(super) unsafe fn from_raw(vma: *mut bindings::vm_area_struct) -> Self {
        Self {
            vma,
            _vma: PhantomData,
        }
    }

    /// Makes the VMA a mapping of `shmem`, as `shmem_zero_setup()`: its
    /// file becomes `shmem` (the ripc file's reference is dropped) and
    /// shmem's mmap sets it up. `MAP_PRIVATE` gives copy-on-write, as a
    /// private mapping of any file.
    pub(crate) fn map_shmem(self, shmem: &ShmemFile) -> Result {
        // SAFETY: the VMA is being set up by mmap, with the mmap lock held
        // for writing; `vma_set_file()` takes a reference of `shmem` and
        // drops the old file's (the mm's error path drops whatever
        // `vm_file` then is).
        unsafe {
            bindings::vma_set_file(self.vma, shmem.as_ptr());
            to_result(ripc_vfs_mmap(shmem.as_void(), self.vma.cast()))
        }
    }

    /// As [`MmapRequest::map_shmem`], then puts `T::VM_OPS` in front of
    /// shmem's operations (`shm_mmap()`), so that `owner` is told of each
    /// copy and removal of the VMA. This VMA is the caller's to count; if
    /// the mmap fails later, `vma_close` is called for it.
    pub(crate) fn map_counted<T: CountedMapping>(self, shmem: &ShmemFile, owner: Arc<T>) -> Result {
        let vma = self.vma;
        self.map_shmem(shmem)?;
        // SAFETY: shmem's mmap succeeded and set `vm_ops` to one of its
        // static tables.
        let shmem_ops = unsafe { (*vma).vm_ops };
        if shmem_ops.is_null() {
            return Err(ENODEV);
        }
        let data = Arc::new(VmaData::new(owner, shmem_ops), GFP_KERNEL_ACCOUNT)?;
        // SAFETY: as in `map_shmem`; shmem keeps nothing in
        // `vm_private_data`. The reference is given back in `vma_close`.
        unsafe {
            (*vma).vm_private_data = data.into_foreign();
            (*vma).vm_ops = &T::VM_OPS.0;
        }
        Ok(())
    }
}

/// `shmdt(2)`: unmaps the counted mapping of kind `T` that starts at
/// `addr`, every VMA of it within its size (`ksys_shmdt()`). `EINVAL` if
/// there is none.
///
/// Each VMA is found under the mmap read lock and unmapped with
/// `vm_munmap()`, so, unlike Linux (one write-locked pass), a concurrent
/// `mmap` of the caller's own may slip in between two VMAs.
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
