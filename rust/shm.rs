// SPDX-License-Identifier: GPL-2.0

//! SysV shared memory, as `ipc/shm.c`, and named segments in ripcfs's
//! `shm/` directory, as `/dev/shm`.
//!
//! A segment's pages are those of a shmem file ([`ShmemFile`]), so they
//! are ordinary shmem pages: swappable, charged to the memory cgroup of
//! the task that faults them in, counted in `Shmem` of `/proc/meminfo`.
//!
//! Data flow of an attach: `RIPC_IOC_SHMAT` → [`shmat`] checks the rights
//! and returns a descriptor of an attach file ([`ShmAttach`]), opened
//! read-only for `SHM_RDONLY`; libripc `mmap()`s it `MAP_SHARED` and closes
//! it. The attach file's `mmap` makes the VMA a mapping of the shmem file
//! with ripc's `vm_operations_struct` in front of shmem's, whose
//! `open`/`close` count `shm_nattch` for every VMA (fork, split, munmap,
//! exit). `RIPC_IOC_SHMDT` ([`shmdt`]) unmaps an attachment.
//!
//! | `ipc/shm.c`                     | ripc                                |
//! |---------------------------------|-------------------------------------|
//! | `struct shmid_kernel`           | [`ShmSegment`] (state in `Inner`)   |
//! | `shm_perm` (`kern_ipc_perm`)    | `Inner::perm`                       |
//! | `shm_file`                      | `Inner::file` (`None`: destroyed)   |
//! | `shm_nattch`, `shm_segsz`       | `Inner::nattch`, `Inner::segsz`     |
//! | `shm_atim`/`dtim`/`ctim`        | `Inner::atime`/`dtime`/`ctime`      |
//! | `shm_cprid`, `shm_lprid`        | `Inner::cpid`, `Inner::lpid`        |
//! | `ns->shm_tot`                   | `IpcNamespace::shm_tot`             |
//! | `newseg()`                      | [`shmget`], `ShmSegment::new`       |
//! | `shm_more_checks()`             | the size check in [`shmget`]        |
//! | `struct shm_file_data`, the clone file of `do_shmat()` | [`ShmAttach`] |
//! | `do_shmat()`                    | [`shmat`] and libripc's `mmap`      |
//! | `shm_mmap()`                    | `ShmAttach::mmap`, `MmapRequest::map_counted` |
//! | `shm_vm_ops`, `shm_open()`, `shm_close()` | `glue::shmem::vm_ops`, `ShmSegment::vma_open`/`vma_close` |
//! | `shm_destroy()`, `shm_may_destroy()` | `ShmSegment::detach`, `destroy_locked` |
//! | `do_shm_rmid()`                 | `IPC_RMID` in [`shmctl`]            |
//! | `ksys_shmdt()`                  | [`shmdt`]                           |
//! | `shmctl_ipc_info()`, `shmctl_shm_info()` | `info`              |
//! | `shmctl_stat()`, `shmctl_down()` | `stat`, `set`                      |
//! | `shmctl_do_lock()`              | `lock`                              |
//! | `sysvipc_shm_proc_show()`       | [`Status`] (`sysvipc/shm`)          |
//! | `shmem_file_setup()` of `/dev/shm` | [`ShmNamed`]                     |
//!
//! Lock order: the namespace's tables (`ipc::current_ns()`, `shm_ids.rwsem`), then a segment's
//! `inner` (`shm_perm.lock`). Both are taken under the mm's mmap lock (a
//! VMA's `close`), so neither is held while touching user memory.

use crate::{
    glue::{
        cred,
        object_file::{self, ObjectFile},
        ripcfs::{NamedObject, StatusFile, StatusView},
        shmem::{self, CountedMapping, MmapRequest, ShmemFile},
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
    limits, uapi,
};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{
    bindings,
    fs::{file::FileDescriptorReservation, File},
    new_mutex,
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    str::CString,
    sync::{Arc, ArcBorrow, Mutex},
    uaccess::{UserPtr, UserSlice},
};

const PAGE_SIZE: usize = bindings::PAGE_SIZE;
/// `SHMLBA` on x86: attach addresses are multiples of it.
const SHMLBA: usize = PAGE_SIZE;
/// Execute permission for all three classes (`S_IXUGO`).
const S_IXUGO: u32 = 0o111;
const SHM_DEST: u32 = uapi::RIPC_SHM_DEST;
const SHM_LOCKED: u32 = uapi::RIPC_SHM_LOCKED;

/// Pages a segment of `size` bytes is accounted for in `shm_tot`.
fn pages(size: usize) -> usize {
    size.div_ceil(PAGE_SIZE)
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
    cpid: i32,
    lpid: i32,
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
        let inner = Inner {
            perm,
            file: Some(file),
            segsz: size,
            nattch: 0,
            atime: 0,
            dtime: 0,
            ctime: cred::real_seconds(),
            cpid: cred::current_tgid(),
            lpid: 0,
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
        let file = inner.file.take();
        drop(inner);
        drop(file);
        0
    }

    /// `__shm_open()`: one more attachment. `EIDRM` if destroyed.
    fn attach(&self) -> Result<ShmemFile> {
        let mut inner = self.inner.lock();
        let file = inner.file.clone().ok_or(eidrm())?;
        inner.atime = cred::real_seconds();
        inner.lpid = cred::current_tgid();
        inner.nattch += 1;
        Ok(file)
    }

    /// The attachment [`shmat`] counted goes, once [`ShmSegment::attach`]
    /// counted the VMA (so the count stays above 0), or, at release,
    /// through [`ShmSegment::detach`].
    fn unpend(&self) {
        let mut inner = self.inner.lock();
        inner.nattch = inner.nattch.saturating_sub(1);
    }

    /// `__shm_close()`: one attachment less; the segment is destroyed
    /// when it was the last and the segment is marked `SHM_DEST`, or its
    /// namespace has `kernel.shm_rmid_forced` set (`shm_may_destroy()`).
    fn detach(&self) {
        let forced = self.ns.tunable(Cell::ShmRmidForced) != 0;
        let mut ns = self.ns.lock();
        let mut inner = self.inner.lock();
        inner.lpid = cred::current_tgid();
        inner.dtime = cred::real_seconds();
        inner.nattch = inner.nattch.saturating_sub(1);
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
fn destroy_locked(ns: &mut crate::ipc::IpcNamespace, inner: &mut Inner) -> Option<ShmemFile> {
    let file = inner.file.take()?;
    // Cannot fail: a segment with its file is in the table under its id.
    let _ = ns.shm.remove(inner.perm.id);
    ns.shm_tot -= pages(inner.segsz);
    Some(file)
}

impl CountedMapping for ShmSegment {
    /// `shm_open()`: a VMA copied by fork or split off by munmap/mprotect.
    fn vma_open(&self) {
        let mut inner = self.inner.lock();
        inner.atime = cred::real_seconds();
        inner.lpid = cred::current_tgid();
        inner.nattch += 1;
    }

    /// `shm_close()`.
    fn vma_close(&self) {
        self.detach();
    }

    const VM_OPS: &'static AssertSync<bindings::vm_operations_struct> = &SHM_VM_OPS;
}

static SHM_VM_OPS: AssertSync<bindings::vm_operations_struct> = shmem::vm_ops::<ShmSegment>();

/// The file `RIPC_IOC_SHMAT` returns (the file `do_shmat()` clones from
/// the segment's, with its `shm_file_data`): mapping it attaches the
/// segment.
pub(crate) struct ShmAttach {
    segment: Arc<ShmSegment>,
    /// The attachment counted by [`shmat`] (as `do_shmat()` raises
    /// `shm_nattch` around its `do_mmap()`) and not yet handed to a VMA;
    /// given back at the first `mmap` or at release.
    pending: AtomicBool,
}

static SHM_ATTACH_FOPS: AssertSync<bindings::file_operations> =
    AssertSync(object_file::fops::<ShmAttach>());

impl ObjectFile for ShmAttach {
    const NAME: &'static CStr = c"[ripc-shm]";
    const FOPS: &'static bindings::file_operations = &SHM_ATTACH_FOPS.0;
    const MMAP: bool = true;

    /// `shm_mmap()`: counts the VMA (`__shm_open()`), then gives back the
    /// attachment [`shmat`] counted, as `do_shmat()` does after its
    /// `do_mmap()`.
    fn mmap(this: ArcBorrow<'_, Self>, _file: &File, vma: MmapRequest<'_>) -> Result {
        let segment = &this.segment;
        let shmem = segment.attach();
        if this.pending.swap(false, Ordering::AcqRel) {
            segment.unpend();
        }
        vma.map_counted(&shmem?, segment.clone())
            .inspect_err(|_| segment.detach())
    }

    fn release(this: ArcBorrow<'_, Self>, _file: &File) {
        if this.pending.swap(false, Ordering::AcqRel) {
            this.segment.detach();
        }
    }
}

/// `shmget()`.
pub(crate) fn shmget(args: &uapi::ripc_shmget_args) -> Result<isize> {
    let size = usize::try_from(args.size).map_err(|_| EINVAL)?;
    let noreserve = args.shmflg as u32 & uapi::RIPC_SHM_NORESERVE != 0;
    ipc::sweep_dead_namespaces();
    let tables = ipc::current_ns()?;
    let mut guard = tables.lock();
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
            let segment = ShmSegment::new(tables.clone(), perm, size, noreserve)?;
            // The table cannot refuse the segment any more.
            *tot = new_tot;
            Ok(segment)
        },
    )?;
    Ok(id as isize)
}

/// The checks of `do_shmat()` and the attach file. On success `args.addr`
/// holds the address to map at (rounded for `SHM_RND`; 0: anywhere) and
/// `args.size` the length, both written back to `arg`, and the file's
/// descriptor is returned.
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
    let (mut acc_mode, f_flags) = if flags & uapi::RIPC_SHM_RDONLY != 0 {
        (S_IRUGO, bindings::O_RDONLY)
    } else {
        (S_IRUGO | S_IWUGO, bindings::O_RDWR)
    };
    if flags & uapi::RIPC_SHM_EXEC != 0 {
        acc_mode |= S_IXUGO;
    }
    let segment = ipc::with_current_ns(|ns| ns.shm.obtain_check(args.shmid))??;
    let size = {
        let mut inner = segment.inner.lock();
        perm::ipcperms(&inner.perm, acc_mode)?;
        if inner.file.is_none() {
            return Err(eidrm());
        }
        inner.nattch += 1;
        inner.segsz
    };
    let attach = Arc::new(
        ShmAttach {
            segment: segment.clone(),
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
    let file = object_file::new_file(attach, f_flags).inspect_err(|_| segment.detach())?;
    let fd = FileDescriptorReservation::get_unused_fd_flags(bindings::O_CLOEXEC)?;
    args.addr = addr as u64;
    args.size = size as u64;
    UserSlice::new(UserPtr::from_addr(arg), size_of_val(args))
        .writer()
        .write(args)?;
    let ret = fd.reserved_fd() as isize;
    fd.fd_install(file);
    Ok(ret)
}

/// `shmdt()`.
pub(crate) fn shmdt(addr: usize) -> Result<isize> {
    shmem::unmap_counted::<ShmSegment>(addr)?;
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
    let mut ns = tables.lock();
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
    let ns = tables.lock();
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
    let ns = tables.lock();
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
    let segment = ipc::with_current_ns(|ns| ns.shm.obtain_for_stat(id, cmd))??;
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
        shm_cpid: inner.cpid,
        shm_lpid: inner.lpid,
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
    let ns = tables.lock();
    let segment = ns.shm.obtain_check(id)?;
    let mut inner = segment.inner.lock();
    perm::may_change(&inner.perm)?;
    inner.perm.update(&ds.shm_perm)?;
    inner.ctime = cred::real_seconds();
    Ok(())
}

/// `shmctl_do_lock()`: without `CAP_IPC_LOCK` only the owner or creator
/// may, and `SHM_LOCK` needs a non-zero `RLIMIT_MEMLOCK`.
fn lock(id: i32, lock: bool) -> Result {
    let segment = ipc::with_current_ns(|ns| ns.shm.obtain_check(id))??;
    let mut inner = segment.inner.lock();
    if !capable(Capability::IpcLock) {
        let euid = cred::Kuid::current_euid();
        if euid != inner.perm.uid && euid != inner.perm.cuid {
            return Err(EPERM);
        }
        if lock && shmem::memlock_rlimit() == 0 {
            return Err(EPERM);
        }
    }
    let file = inner.file.clone().ok_or(eidrm())?;
    if lock == (inner.perm.mode & SHM_LOCKED != 0) {
        return Ok(());
    }
    file.set_unevictable(lock);
    if lock {
        inner.perm.mode |= SHM_LOCKED;
    } else {
        inner.perm.mode &= !SHM_LOCKED;
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
        let ns = view.tables().lock();
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
                s.cpid,
                s.lpid,
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
        let file = ShmemFile::new(c"ripc-shm", 0, false)?;
        Ok(Arc::new(Self { file }, GFP_KERNEL_ACCOUNT)?)
    }

    const SIZED: bool = true;

    fn set_size(this: ArcBorrow<'_, Self>, size: i64) -> Result {
        this.file.truncate(size)
    }
}
