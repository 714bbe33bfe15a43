// SPDX-License-Identifier: GPL-2.0

//! SysV shared memory, as `ipc/shm.c`, and named segments in ripcfs's
//! `shm/` directory, as `/dev/shm`.
//!
//! A segment's pages are those of a shmem file ([`ShmemFile`]), so they
//! are ordinary shmem pages: swappable, charged to the memory cgroup of
//! the task that faults them in, counted in `Shmem` of `/proc/meminfo`.
//!
//! Data flow of an attach: `RIPC_IOC_SHMAT` → [`shmat`] checks the rights
//! and returns a descriptor of an attach file ([`ShmAttach`]: a file on the
//! shmem file's inode, as `do_shmat()`'s clone), opened read-only for
//! `SHM_RDONLY`; libripc `mmap()`s it `MAP_SHARED` and closes it. The
//! attach file's `mmap` has shmem set the VMA up and puts ripc's
//! `vm_operations_struct` in front of shmem's, whose `open`/`close` count
//! `shm_nattch` for every VMA (fork, split, `remap_file_pages()`, munmap,
//! exit). `RIPC_IOC_SHMDT` ([`shmdt`]) unmaps an attachment.
//!
//! | `ipc/shm.c`                     | ripc                                |
//! |---------------------------------|-------------------------------------|
//! | `struct shmid_kernel`           | [`ShmSegment`] (state in `Inner`)   |
//! | `shm_perm` (`kern_ipc_perm`)    | `Inner::perm`                       |
//! | `shm_file`                      | `Inner::file` (`None`: destroyed)   |
//! | `shm_nattch`, `shm_segsz`       | `Inner::nattch`, `Inner::segsz`     |
//! | `shm_atim`/`dtim`/`ctim`        | `Inner::atime`/`dtime`/`ctime`      |
//! | `shm_cprid`, `shm_lprid`        | `Inner::cpid`, `Inner::lpid` (`PidRef`) |
//! | `mlock_ucounts`                 | `Inner::locked` (a [`Charge`])      |
//! | `ns->shm_tot`                   | `ShmTables::shm_tot`                |
//! | `newseg()`                      | [`shmget`], `ShmSegment::new`       |
//! | `shm_more_checks()`             | the size check in [`shmget`]        |
//! | `struct shm_file_data`, the clone file of `do_shmat()` | [`ShmAttach`] |
//! | `do_shmat()`                    | [`shmat`] and libripc's `mmap`      |
//! | `shm_file_operations`, `shm_mmap()` | `glue::shmem::attach_fops`      |
//! | `shm_vm_ops`                    | `glue::shmem::vm_ops`               |
//! | `__shm_open()`, `__shm_close()` | `ShmSegment::attach`, `ShmSegment::detach` |
//! | `shm_destroy()`, `shm_may_destroy()` | `ShmSegment::detach`, `destroy_locked` |
//! | `do_shm_rmid()`                 | `IPC_RMID` in [`shmctl`]            |
//! | `ksys_shmdt()`                  | [`shmdt`]                           |
//! | `shmctl_ipc_info()`, `shmctl_shm_info()` | `info`              |
//! | `shmctl_stat()`, `shmctl_down()` | `stat`, `set`                      |
//! | `shmctl_do_lock()`, `shmem_lock()` | `lock`, `ShmemFile::lock`, [`ShmLockedPages`] |
//! | `sysvipc_shm_proc_show()`       | [`Status`] (`sysvipc/shm`)          |
//! | `shmem_file_setup()` of `/dev/shm` | [`ShmNamed`]                     |
//!
//! Lock order: the namespace's tables (`ipc::current_ns()`, `shm_ids.rwsem`), then a segment's
//! `inner` (`shm_perm.lock`), then the ledger of locked pages
//! ([`SHM_USER_PAGES`]). The first two are taken under the mm's mmap lock
//! (a VMA's `close`, an attach file's `mmap`), so neither is held while
//! touching user memory.

use crate::{
    glue::{
        cred::{self, PidRef},
        global::SHM_USER_PAGES,
        object_file::{self, ObjectFile},
        ripcfs::{NamedObject, StatusFile, StatusView},
        shmem::{self, AttachMap, CountedMapping, MmapRequest, ShmemFile, ShmemMapping},
        task::{capable, Capability},
        AssertSync,
    },
    ipc::{
        self, eidrm,
        ids::IpcObject,
        perm::{self, KernIpcPerm, S_IRUGO, S_IWUGO},
        tunables::Cell,
        IPC_PRIVATE,
    },
    limits::{
        self,
        charge::{Charge, Ledger},
    },
    uapi,
};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{
    bindings,
    fs::File,
    new_mutex,
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    str::CString,
    sync::{lock::GlobalGuard, Arc, ArcBorrow, Mutex},
    uaccess::{UserPtr, UserSlice},
    warn_on,
};

const PAGE_SIZE: usize = bindings::PAGE_SIZE;
/// `SHMLBA` on x86: attach addresses are multiples of it.
const SHMLBA: usize = PAGE_SIZE;
/// Execute permission for all three classes (`S_IXUGO`).
const S_IXUGO: u32 = 0o111;
const SHM_DEST: u32 = uapi::RIPC_SHM_DEST;
const SHM_LOCKED: u32 = uapi::RIPC_SHM_LOCKED;
/// `shmget`: a segment of huge pages (`SHM_HUGETLB`, 04000).
const SHM_HUGETLB: u32 = 0o4000;

/// Pages a segment of `size` bytes is accounted for in `shm_tot`.
fn pages(size: usize) -> usize {
    size.div_ceil(PAGE_SIZE)
}

/// The pages `SHM_LOCK` keeps in memory, per user, as `user_shm_lock()`
/// charges them to the `UCOUNT_RLIMIT_MEMLOCK` ucount (not exported):
/// checked against `RLIMIT_MEMLOCK`.
pub(crate) struct ShmLockedPages;

impl Ledger for ShmLockedPages {
    type Backend = SHM_USER_PAGES;

    fn lock() -> GlobalGuard<SHM_USER_PAGES> {
        SHM_USER_PAGES.lock()
    }
}

/// The state of a segment, under its lock.
struct Inner {
    /// `mode` also holds `SHM_DEST` and `SHM_LOCKED`.
    perm: KernIpcPerm,
    /// The pages; `None` once destroyed (`ipc_valid_object()` fails).
    file: Option<ShmemFile>,
    /// `shm_segsz`: the size asked for, not rounded.
    segsz: usize,
    nattch: u64,
    atime: i64,
    dtime: i64,
    ctime: i64,
    /// The creator, and the last process to attach or detach (`None`
    /// before the first); shown in the reader's pid namespace.
    cpid: PidRef,
    lpid: Option<PidRef>,
    /// The charge of `SHM_LOCK` (`mlock_ucounts`): `Some` while the
    /// mode has `SHM_LOCKED`.
    locked: Option<Charge<ShmLockedPages>>,
}

impl Inner {
    /// `shm_nattch--`: a count that cannot be 0 here, or a bug shows.
    fn drop_attach(&mut self) {
        if !warn_on!(self.nattch == 0) {
            self.nattch -= 1;
        }
    }

    /// `shmem_lock(file, 0, ...)` and the uncharge of `user_shm_unlock()`,
    /// as `SHM_UNLOCK` and `shm_destroy()` do. Returns whether the segment
    /// was locked.
    fn unlock(&mut self) -> bool {
        let Some(charge) = self.locked.take() else {
            return false;
        };
        drop(charge);
        self.perm.mode &= !SHM_LOCKED;
        if let Some(file) = &self.file {
            file.lock(false);
        }
        true
    }

    /// Takes the pages out of the segment, `shm_destroy()`'s part under
    /// the segment's lock; the caller drops the file once unlocked.
    fn take_file(&mut self) -> Option<ShmemFile> {
        self.unlock();
        self.file.take()
    }
}

/// A SysV shared memory segment (`struct shmid_kernel`).
#[pin_data]
pub(crate) struct ShmSegment {
    /// The tables the segment is in (`shm_file_data::ns`): its last detach
    /// may come from a task in another namespace, or after its own died.
    ns: ipc::NsTables,
    #[pin]
    inner: Mutex<Inner>,
}

impl IpcObject for ShmSegment {
    fn perm(&self) -> KernIpcPerm {
        self.inner.lock().perm
    }
}

impl ShmSegment {
    /// `newseg()`: a segment of `size` bytes backed by a new shmem file
    /// named `SYSV<key>`.
    fn new(
        ns: ipc::NsTables,
        perm: KernIpcPerm,
        size: usize,
        noreserve: bool,
    ) -> Result<Arc<Self>> {
        let name = CString::try_from_fmt(fmt!("SYSV{:08x}", perm.key as u32))?;
        let file = ShmemFile::new(&name, size, noreserve)?;
        // As `newseg()`: `/proc/<pid>/maps` shows the id as the inode.
        file.set_ino(perm.id as u32);
        let inner = Inner {
            perm,
            file: Some(file),
            segsz: size,
            nattch: 0,
            atime: 0,
            dtime: 0,
            ctime: cred::real_seconds(),
            cpid: PidRef::current_process(),
            lpid: None,
            locked: None,
        };
        Arc::pin_init(
            pin_init!(Self {
                ns,
                inner <- new_mutex!(inner, "ShmSegment::inner"),
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// `do_shm_rmid()` for a segment taken out of the tables of a dying
    /// namespace (`shm_exit_ns()`) or at module unload: its pages go now
    /// if nothing is attached, else at the last detach, as after
    /// `IPC_RMID`. Returns the pages it still holds (0 once freed).
    pub(crate) fn destroy(&self) -> usize {
        let mut inner = self.inner.lock();
        if inner.nattch > 0 {
            inner.perm.mode |= SHM_DEST;
            return pages(inner.segsz);
        }
        let file = inner.take_file();
        drop(inner);
        drop(file);
        0
    }

    /// `__shm_open()`: one more attachment. `EINVAL` once destroyed, as
    /// the id lookup of `shm_lock()` fails then.
    fn attach(&self) -> Result {
        let mut inner = self.inner.lock();
        if inner.file.is_none() {
            return Err(EINVAL);
        }
        inner.atime = cred::real_seconds();
        inner.lpid = Some(PidRef::current_process());
        inner.nattch += 1;
        Ok(())
    }

    /// The attachment [`shmat`] counted goes, once [`ShmSegment::attach`]
    /// counted the VMA (so the count stays above 0), or, at release,
    /// through [`ShmSegment::detach`].
    fn unpend(&self) {
        self.inner.lock().drop_attach();
    }

    /// `__shm_close()`: one attachment less; the segment is destroyed
    /// when it was the last and the segment is marked `SHM_DEST`, or its
    /// namespace has `kernel.shm_rmid_forced` set (`shm_may_destroy()`).
    fn detach(&self) {
        let forced = self.ns.tunable(Cell::ShmRmidForced) != 0;
        let mut ns = self.ns.lock_shm();
        let mut inner = self.inner.lock();
        inner.lpid = Some(PidRef::current_process());
        inner.dtime = cred::real_seconds();
        inner.drop_attach();
        let file = if inner.nattch == 0 && (forced || inner.perm.mode & SHM_DEST != 0) {
            destroy_locked(&mut ns, &mut inner)
        } else {
            None
        };
        drop(inner);
        drop(ns);
        // The pages go with the last reference to the file.
        drop(file);
    }
}

/// `shm_destroy()`: takes the segment out of the table and out of
/// `shm_tot`, and returns its file for the caller to drop once the locks
/// are released.
fn destroy_locked(ns: &mut ipc::ShmTables, inner: &mut Inner) -> Option<ShmemFile> {
    let file = inner.take_file()?;
    // Cannot fail: a segment with its file is in the table under its id.
    let _ = ns.shm.remove(inner.perm.id);
    // `shm_tot` counted the segment when it was made: less is a bug.
    let tot = ns.shm_tot.checked_sub(pages(inner.segsz));
    warn_on!(tot.is_none());
    ns.shm_tot = tot.unwrap_or(0);
    Some(file)
}

/// The file `RIPC_IOC_SHMAT` returns (the file `do_shmat()` clones from
/// the segment's, with its `shm_file_data`): mapping it attaches the
/// segment, and each VMA mapping it is counted in `shm_nattch`.
pub(crate) struct ShmAttach {
    segment: Arc<ShmSegment>,
    /// The segment's pages, held for the file's life (`sfd->file`).
    mapping: ShmemMapping,
    /// The attachment counted by [`shmat`] (as `do_shmat()` raises
    /// `shm_nattch` around its `do_mmap()`) and not yet handed to a VMA;
    /// given back at the first `mmap` or at release.
    pending: AtomicBool,
}

static SHM_FOPS: AssertSync<bindings::file_operations> = shmem::attach_fops::<ShmAttach>();
static SHM_VM_OPS: AssertSync<bindings::vm_operations_struct> = shmem::vm_ops::<ShmAttach>();

impl CountedMapping for ShmAttach {
    fn mapping(&self) -> &ShmemMapping {
        &self.mapping
    }

    /// `__shm_open()`, for the VMA that `shm_mmap()` or `shm_open()` is
    /// making; the first also gives back the attachment [`shmat`]
    /// counted, as `do_shmat()` does after its `do_mmap()`.
    fn open(&self) -> Result {
        self.segment.attach()?;
        if self.pending.swap(false, Ordering::AcqRel) {
            self.segment.unpend();
        }
        Ok(())
    }

    /// `__shm_close()`.
    fn close(&self) {
        self.segment.detach();
    }

    /// `shm_release()`: an attach file closed without being mapped gives
    /// its attachment back.
    fn release(&self) {
        if self.pending.swap(false, Ordering::AcqRel) {
            self.segment.detach();
        }
    }

    const FOPS: &'static AssertSync<bindings::file_operations> = &SHM_FOPS;
    const VM_OPS: &'static AssertSync<bindings::vm_operations_struct> = &SHM_VM_OPS;
}

/// `shmget()`.
pub(crate) fn shmget(args: &uapi::ripc_shmget_args) -> Result<isize> {
    let size = usize::try_from(args.size).map_err(|_| EINVAL)?;
    let noreserve = args.shmflg as u32 & uapi::RIPC_SHM_NORESERVE != 0;
    ipc::sweep_dead_namespaces();
    let tables = ipc::current_ns()?;
    let mut guard = tables.lock_shm();
    let ns = &mut *guard;
    let tot = &mut ns.shm_tot;
    let id = ns.shm.get(
        args.key,
        args.shmflg,
        limits::shmmni(),
        // `shm_more_checks()`.
        |segment| {
            if segment.inner.lock().segsz < size {
                Err(EINVAL)
            } else {
                Ok(())
            }
        },
        |perm| {
            if !(limits::SHMMIN..=limits::shmmax()).contains(&size) {
                return Err(EINVAL);
            }
            let new_tot = tot.checked_add(pages(size)).ok_or(ENOSPC)?;
            if new_tot > limits::shmall() {
                return Err(ENOSPC);
            }
            // `newseg()`: without hugetlbfs, `hstate_sizelog()` finds no
            // huge page size, whatever the size bits ask.
            if args.shmflg as u32 & SHM_HUGETLB != 0 {
                return Err(EINVAL);
            }
            let segment = ShmSegment::new(tables.clone(), perm, size, noreserve)?;
            // The table cannot refuse the segment any more.
            *tot = new_tot;
            Ok(segment)
        },
    )?;
    Ok(id as isize)
}

/// `do_shmat()`: the checks, the attach file and its mapping into the
/// caller's address space. On success the address (`*raddr`) and the
/// length are written back to `arg` in `args.addr` and `args.size`: the
/// ioctl's return value, an `int` in libc's `ioctl()`, cannot carry an
/// address.
pub(crate) fn shmat(args: &mut uapi::ripc_shmat_args, arg: usize) -> Result<isize> {
    let flags = args.shmflg as u32;
    let remap = flags & uapi::RIPC_SHM_REMAP != 0;
    let mut addr = usize::try_from(args.addr).map_err(|_| EINVAL)?;
    if args.shmid < 0 {
        return Err(EINVAL);
    }
    if addr != 0 {
        if addr & (SHMLBA - 1) != 0 {
            if flags & uapi::RIPC_SHM_RND == 0 {
                return Err(EINVAL);
            }
            addr &= !(SHMLBA - 1);
            if addr == 0 && remap {
                return Err(EINVAL);
            }
        }
    } else if remap {
        return Err(EINVAL);
    }
    let read_only = flags & uapi::RIPC_SHM_RDONLY != 0;
    let exec = flags & uapi::RIPC_SHM_EXEC != 0;
    let (mut acc_mode, f_flags) = if read_only {
        (S_IRUGO, bindings::O_RDONLY)
    } else {
        (S_IRUGO | S_IWUGO, bindings::O_RDWR)
    };
    if exec {
        acc_mode |= S_IXUGO;
    }
    let segment = ipc::lookup(|ns| ns.shm.obtain_check(args.shmid))??;
    let (size, file) = {
        let mut inner = segment.inner.lock();
        perm::ipcperms(&inner.perm, acc_mode)?;
        let file = inner.file.clone().ok_or(eidrm())?;
        inner.nattch += 1;
        (inner.segsz, file)
    };
    let attach = Arc::new(
        ShmAttach {
            segment: segment.clone(),
            mapping: ShmemMapping::new(file),
            pending: AtomicBool::new(true),
        },
        GFP_KERNEL_ACCOUNT,
    );
    let attach = match attach {
        Ok(attach) => attach,
        Err(err) => {
            segment.detach();
            return Err(err.into());
        }
    };
    // From here the attach file gives the pending attachment back; a file
    // that could not be made never runs `release`, so it is given back here.
    let file = shmem::new_attach_file(attach, f_flags).inspect_err(|_| segment.detach())?;
    // The mapping holds the file from here; ours goes at return, and with
    // it (if mapping failed) the pending attachment, by `release`.
    let how = AttachMap {
        write: !read_only,
        exec,
        replace: remap,
    };
    let mapped = shmem::map_attach_file(&file, addr, size, how)?;
    args.addr = mapped as u64;
    args.size = size as u64;
    UserSlice::new(UserPtr::from_addr(arg), size_of_val(args))
        .writer()
        .write(args)?;
    Ok(0)
}

/// `shmdt()`.
pub(crate) fn shmdt(addr: usize) -> Result<isize> {
    shmem::unmap_counted::<ShmAttach>(addr)?;
    Ok(0)
}

/// `shmctl()`.
pub(crate) fn shmctl(args: &uapi::ripc_shmctl_args) -> Result<isize> {
    let (id, cmd) = (args.shmid, args.cmd);
    if id < 0 || cmd < 0 {
        return Err(EINVAL);
    }
    let buf = args.buf as usize;
    match cmd as u32 {
        uapi::RIPC_IPC_INFO => {
            let (info, ret) = ipc_info()?;
            UserSlice::new(UserPtr::from_addr(buf), size_of_val(&info))
                .writer()
                .write(&info)?;
            Ok(ret)
        }
        uapi::RIPC_SHM_INFO => {
            let (info, ret) = shm_info()?;
            UserSlice::new(UserPtr::from_addr(buf), size_of_val(&info))
                .writer()
                .write(&info)?;
            Ok(ret)
        }
        uapi::RIPC_IPC_STAT | uapi::RIPC_SHM_STAT | uapi::RIPC_SHM_STAT_ANY => {
            let (ds, ret) = stat(id, cmd as u32)?;
            UserSlice::new(UserPtr::from_addr(buf), size_of_val(&ds))
                .writer()
                .write(&ds)?;
            Ok(ret)
        }
        uapi::RIPC_IPC_SET => {
            let ds: uapi::ripc_shmid64_ds =
                UserSlice::new(UserPtr::from_addr(buf), size_of::<uapi::ripc_shmid64_ds>())
                    .reader()
                    .read()?;
            set(id, &ds)?;
            Ok(0)
        }
        uapi::RIPC_IPC_RMID => {
            rmid(id)?;
            Ok(0)
        }
        uapi::RIPC_SHM_LOCK | uapi::RIPC_SHM_UNLOCK => {
            lock(id, cmd as u32 == uapi::RIPC_SHM_LOCK)?;
            Ok(0)
        }
        _ => Err(EINVAL),
    }
}

/// `do_shm_rmid()`: an attached segment is marked `SHM_DEST` and its key
/// made private, and goes at its last detach; an unattached one goes now.
fn rmid(id: i32) -> Result {
    let tables = ipc::current_ns()?;
    let mut ns = tables.lock_shm();
    let segment = ns.shm.obtain_check(id)?;
    let mut inner = segment.inner.lock();
    perm::may_change(&inner.perm)?;
    let file = if inner.nattch > 0 {
        inner.perm.mode |= SHM_DEST;
        inner.perm.key = IPC_PRIVATE;
        ns.shm.set_private(id)?;
        None
    } else {
        destroy_locked(&mut ns, &mut inner)
    };
    drop(inner);
    drop(ns);
    drop(file);
    Ok(())
}

/// `shmctl_ipc_info()`: the limits; returns the highest slot in use.
fn ipc_info() -> Result<(uapi::ripc_shminfo64, isize)> {
    let tables = ipc::current_ns()?;
    let ns = tables.lock_shm();
    let info = uapi::ripc_shminfo64 {
        shmmax: limits::shmmax() as u64,
        shmmin: limits::SHMMIN as u64,
        shmmni: limits::shmmni() as u64,
        shmseg: limits::shmseg() as u64,
        shmall: limits::shmall() as u64,
        __unused1: 0,
        __unused2: 0,
        __unused3: 0,
        __unused4: 0,
    };
    Ok((info, ns.shm.max_idx().unwrap_or(0) as isize))
}

/// `shmctl_shm_info()`: segments, pages accounted, in memory and in swap;
/// returns the highest slot in use.
fn shm_info() -> Result<(uapi::ripc_shm_info, isize)> {
    let tables = ipc::current_ns()?;
    let ns = tables.lock_shm();
    let (mut rss, mut swp) = (0, 0);
    for segment in ns.shm.iter() {
        if let Some(file) = &segment.inner.lock().file {
            let (r, s) = file.usage();
            rss += r;
            swp += s;
        }
    }
    let info = uapi::ripc_shm_info {
        used_ids: ns.shm.in_use() as i32,
        __pad: 0,
        shm_tot: ns.shm_tot as u64,
        shm_rss: rss,
        shm_swp: swp,
        swap_attempts: 0,
        swap_successes: 0,
    };
    Ok((info, ns.shm.max_idx().unwrap_or(0) as isize))
}

/// `shmctl_stat()`: `IPC_STAT` by id (returns 0), `SHM_STAT` and
/// `SHM_STAT_ANY` by slot index (return the full id). All but
/// `SHM_STAT_ANY` need read permission.
fn stat(id: i32, cmd: u32) -> Result<(uapi::ripc_shmid64_ds, isize)> {
    let segment = ipc::lookup(|ns| ns.shm.obtain_for_stat(id, cmd))??;
    let inner = segment.inner.lock();
    if cmd != uapi::RIPC_SHM_STAT_ANY {
        perm::ipcperms(&inner.perm, S_IRUGO)?;
    }
    if inner.file.is_none() {
        return Err(eidrm());
    }
    let ds = uapi::ripc_shmid64_ds {
        shm_perm: inner.perm.to_user(),
        shm_segsz: inner.segsz as u64,
        shm_atime: inner.atime,
        shm_dtime: inner.dtime,
        shm_ctime: inner.ctime,
        shm_cpid: inner.cpid.nr(),
        shm_lpid: inner.lpid.as_ref().map_or(0, PidRef::nr),
        shm_nattch: inner.nattch,
        __unused4: 0,
        __unused5: 0,
    };
    Ok((ds, ipc::stat_return(cmd, inner.perm.id)))
}

/// `shmctl_down(IPC_SET)`: new owner and permission bits, by the owner,
/// the creator or `CAP_SYS_ADMIN`.
fn set(id: i32, ds: &uapi::ripc_shmid64_ds) -> Result {
    let tables = ipc::current_ns()?;
    let ns = tables.lock_shm();
    let segment = ns.shm.obtain_check(id)?;
    let mut inner = segment.inner.lock();
    perm::may_change(&inner.perm)?;
    inner.perm.update(&ds.shm_perm)?;
    inner.ctime = cred::real_seconds();
    Ok(())
}

/// `shmctl_do_lock()`: without `CAP_IPC_LOCK` only the owner or creator
/// may, and `SHM_LOCK` needs a non-zero `RLIMIT_MEMLOCK`. `SHM_LOCK`
/// charges the segment's pages to the caller's user (`user_shm_lock()`):
/// `ENOMEM` past `RLIMIT_MEMLOCK` without `CAP_IPC_LOCK`. `SHM_UNLOCK`
/// gives the charge back and puts the pages back on the reclaim lists.
fn lock(id: i32, lock: bool) -> Result {
    let segment = ipc::lookup(|ns| ns.shm.obtain_check(id))??;
    let mut inner = segment.inner.lock();
    if inner.file.is_none() {
        return Err(eidrm());
    }
    let ipc_lock = capable(Capability::IpcLock);
    if !ipc_lock {
        let euid = cred::Kuid::current_euid();
        if euid != inner.perm.uid && euid != inner.perm.cuid {
            return Err(EPERM);
        }
        if lock && shmem::memlock_rlimit() == 0 {
            return Err(EPERM);
        }
    }
    if lock {
        if inner.locked.is_some() {
            return Ok(());
        }
        let (charge, total) = Charge::new(current!().uid(), pages(inner.segsz))?;
        let limit = match shmem::memlock_rlimit() {
            u64::MAX => usize::MAX,
            bytes => usize::try_from(bytes / PAGE_SIZE as u64).unwrap_or(usize::MAX),
        };
        if total > limit && !ipc_lock {
            return Err(ENOMEM);
        }
        if let Some(file) = &inner.file {
            file.lock(true);
        }
        inner.locked = Some(charge);
        inner.perm.mode |= SHM_LOCKED;
        return Ok(());
    }
    if !inner.unlock() {
        return Ok(());
    }
    let file = inner.file.clone();
    drop(inner);
    if let Some(file) = file {
        file.unlock_mapping();
    }
    Ok(())
}

/// `sysvipc/shm` in ripcfs: the segments as `/proc/sysvipc/shm` lists
/// them (64-bit column widths).
pub(crate) struct Status;

impl StatusFile for Status {
    fn show(m: &SeqFile, view: &StatusView<'_>) {
        seq_print!(
            m,
            "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n"
        );
        // The opener's pid namespace, fixed at open (`seq_file`'s).
        let pid_nr = |pid: Option<&PidRef>| pid.map_or(0, |pid| pid.nr_in(view.pid_ns()));
        let ns = view.tables().lock_shm();
        for segment in ns.shm.iter() {
            let s = segment.inner.lock();
            let (rss, swp) = s.file.as_ref().map_or((0, 0), |f| f.usage());
            seq_print!(
                m,
                "{:10} {:10}  {:4o} {:21} {:5} {:5}  {:5} {:5} {:5} {:5} {:5} {:10} {:10} {:10} {:21} {:21}\n",
                s.perm.key,
                s.perm.id,
                s.perm.mode,
                s.segsz,
                pid_nr(Some(&s.cpid)),
                pid_nr(s.lpid.as_ref()),
                s.nattch,
                s.perm.uid.to_user(),
                s.perm.gid.to_user(),
                s.perm.cuid.to_user(),
                s.perm.cgid.to_user(),
                s.atime,
                s.dtime,
                s.ctime,
                rss * PAGE_SIZE as u64,
                swp * PAGE_SIZE as u64
            );
        }
    }
}

/// A named segment in ripcfs's `shm/` directory, as a file of `/dev/shm`:
/// made empty by `open(O_CREAT)`, sized by `ftruncate(2)`, mapped with
/// `mmap(2)` (`MAP_SHARED` shares its pages, `MAP_PRIVATE` copies them on
/// write), removed by `unlink(2)` once no descriptor or mapping uses it.
pub(crate) struct ShmNamed {
    /// The pages; the ripcfs inode's size follows the file's.
    file: ShmemFile,
}

static SHM_NAMED_FOPS: AssertSync<bindings::file_operations> =
    AssertSync(object_file::fops::<ShmNamed>());

impl ObjectFile for ShmNamed {
    const NAME: &'static CStr = c"[ripc-shm-named]";
    const FOPS: &'static bindings::file_operations = &SHM_NAMED_FOPS.0;
    const MMAP: bool = true;

    /// The mapping is the shmem file's own, as `shmem_zero_setup()` makes
    /// it for a shared anonymous mapping: nothing to count.
    fn mmap(this: ArcBorrow<'_, Self>, _file: &File, vma: MmapRequest<'_>) -> Result {
        vma.map_shmem(&this.file)
    }
}

impl NamedObject for ShmNamed {
    fn create_named() -> Result<Arc<Self>> {
        // As a tmpfs file (`shmem_mknod()`): `VM_NORESERVE`, memory is
        // committed page by page as it is used, not at `ftruncate`.
        let file = ShmemFile::new(c"ripc-shm", 0, true)?;
        Ok(Arc::new(Self { file }, GFP_KERNEL_ACCOUNT)?)
    }

    const SIZED: bool = true;

    fn set_size(this: ArcBorrow<'_, Self>, size: i64) -> Result {
        this.file.truncate(size)
    }
}
