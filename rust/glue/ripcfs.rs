// SPDX-License-Identifier: GPL-2.0

//! The Rust side of ripcfs. Its VFS plumbing is in `ripcfs.c`; this file
//! hands it the kinds of named objects, each a directory where `open`
//! with `O_CREAT` (regular files) or `mknod` (FIFOs) makes a new object of
//! that kind, the status files, and the IPC namespaces: each superblock
//! belongs to one, whose tables ([`NsTables`]) it holds a reference to.

use super::{object_file::ObjectFile, AssertSync};
use crate::ipc::{
    self,
    tunables::{self, Cell},
    ChildNs, NsTables,
};
use core::ptr::NonNull;
use kernel::{
    bindings,
    error::{from_err_ptr, to_result},
    ffi::{c_char, c_int, c_uint, c_ulong, c_void},
    fs::{file::FileDescriptorReservation, File},
    pid_namespace::PidNamespace,
    prelude::*,
    seq_file::SeqFile,
    sync::{aref::ARef, Arc, ArcBorrow},
    types::ForeignOwnable,
};

/// A kind of object that can be given a name in ripcfs.
pub(crate) trait NamedObject: ObjectFile {
    /// The type of the names: `S_IFREG`, made by `open(O_CREAT)`, or
    /// `S_IFIFO`, made by `mknod(S_IFIFO)` (`mkfifo`). Names of the other
    /// type cannot be made in the kind's directory (`EPERM`).
    const FILE_TYPE: u32 = bindings::S_IFREG;

    /// Makes the object behind a new name.
    fn create_named() -> Result<Arc<Self>>;

    /// Whether names of the kind have a size that `truncate(2)` and
    /// `ftruncate(2)` set through [`NamedObject::set_size`]. Without it
    /// the names keep the default inode operations.
    const SIZED: bool = false;

    /// Sets the object's size (`setattr` with `ATTR_SIZE`), before the
    /// name's inode shows it. May sleep.
    fn set_size(_this: ArcBorrow<'_, Self>, _size: i64) -> Result {
        Err(EINVAL)
    }
}

/// Mirror of `struct ripcfs_kind` in `ripcfs.h`.
#[repr(C)]
pub(crate) struct Kind {
    dir: *const c_char,
    file_type: c_uint,
    fops: *const c_void,
    create: unsafe extern "C" fn() -> *mut c_void,
    put: unsafe extern "C" fn(*mut c_void),
    set_size: Option<unsafe extern "C" fn(*mut c_void, i64) -> c_int>,
    limit: c_int,
}

/// Describes kind `T`, named in directory `dir`.
pub(crate) const fn kind<T: NamedObject>(dir: &'static CStr) -> Kind {
    Kind {
        dir: kernel::str::as_char_ptr_in_const_context(dir),
        file_type: T::FILE_TYPE,
        fops: core::ptr::from_ref(T::FOPS).cast(),
        create: create::<T>,
        put: put::<T>,
        set_size: if T::SIZED { Some(set_size::<T>) } else { None },
        limit: -1,
    }
}

impl Kind {
    /// The kind, with at most tunable `cell` of its objects alive in one
    /// IPC namespace's ripcfs unless `CAP_SYS_RESOURCE` (`ENOSPC` past
    /// it), as `fs.mqueue.queues_max` bounds POSIX queues.
    pub(crate) const fn limited_by(self, cell: Cell) -> Self {
        Self {
            limit: cell as c_int,
            ..self
        }
    }
}

/// # Safety
///
/// Called by `ripcfs_setattr()` only, with the object of a live inode of
/// kind `T`.
unsafe extern "C" fn set_size<T: NamedObject>(object: *mut c_void, size: i64) -> c_int {
    // SAFETY: the inode holds its reference for as long as it lives.
    let this = unsafe { Arc::<T>::borrow(object) };
    match T::set_size(this, size) {
        Ok(()) => 0,
        Err(err) => err.to_errno(),
    }
}

/// # Safety
///
/// Called by `ripcfs_create()` only.
unsafe extern "C" fn create<T: NamedObject>() -> *mut c_void {
    match T::create_named() {
        Ok(object) => object.into_foreign(),
        // ERR_PTR(): the errno as a pointer.
        Err(err) => err.to_errno() as isize as *mut c_void,
    }
}

/// # Safety
///
/// Called by `ripcfs_evict_inode()` only, once, with what `create::<T>`
/// returned.
unsafe extern "C" fn put<T: NamedObject>(object: *mut c_void) {
    // SAFETY: `object` came from `into_foreign` in `create::<T>` and the
    // inode that held it is gone.
    drop(unsafe { Arc::<T>::from_foreign(object) });
}

/// What a status file shows: the tables of the mount's IPC namespace, in
/// the view of the process that opened the file. While
/// [`StatusFile::show`] runs, the current credentials are the opener's
/// (so `Kuid::to_user` translates into its user namespace, as
/// `seq_user_ns()` does); [`StatusView::pid_ns`] is its pid namespace.
pub(crate) struct StatusView<'a> {
    tables: NsTables,
    pid_ns: &'a PidNamespace,
}

impl StatusView<'_> {
    /// The tables of the namespace whose objects the file lists.
    pub(crate) fn tables(&self) -> &NsTables {
        &self.tables
    }

    /// The opener's pid namespace, to show pids in (`PidRef::nr_in`).
    pub(crate) fn pid_ns(&self) -> &PidNamespace {
        self.pid_ns
    }
}

/// A status file of ripcfs's `sysvipc/` directory, like the files of
/// `/proc/sysvipc/`: read-only, formatted afresh at each read from the
/// start.
pub(crate) trait StatusFile {
    /// Writes the whole content.
    fn show(m: &SeqFile, view: &StatusView<'_>);

    /// About the bytes [`StatusFile::show`] writes for `tables`, so that
    /// `seq_file` does not run it again in a buffer twice as large each
    /// time it overflows; a page unless said otherwise.
    fn size_hint(_tables: &NsTables) -> usize {
        0
    }
}

/// Mirror of `struct ripcfs_status` in `ripcfs.h`.
#[repr(C)]
pub(crate) struct Status {
    name: *const c_char,
    show: unsafe extern "C" fn(*mut bindings::seq_file, *mut c_void, *mut bindings::pid_namespace),
    size_hint: unsafe extern "C" fn(*mut c_void) -> usize,
}

/// Describes status file `sysvipc/<name>`, written by `T`.
pub(crate) const fn status<T: StatusFile>(name: &'static CStr) -> Status {
    Status {
        name: kernel::str::as_char_ptr_in_const_context(name),
        show: show::<T>,
        size_hint: size_hint::<T>,
    }
}

/// # Safety
///
/// Called by `ripcfs_status_open()` only, with the namespace reference of
/// a live superblock.
unsafe extern "C" fn size_hint<T: StatusFile>(ns: *mut c_void) -> usize {
    // SAFETY: the superblock holds `ns` while its files are opened.
    T::size_hint(&unsafe { ns_tables(ns) })
}

/// # Safety
///
/// Called by `ripcfs_status_show()` only, with a live `seq_file`, the
/// namespace reference of a live superblock and a live pid namespace.
unsafe extern "C" fn show<T: StatusFile>(
    m: *mut bindings::seq_file,
    ns: *mut c_void,
    pid_ns: *mut bindings::pid_namespace,
) {
    let view = StatusView {
        // SAFETY: the superblock holds `ns` while its files are open.
        tables: unsafe { ns_tables(ns) },
        // SAFETY: the open file holds a reference on `pid_ns`.
        pid_ns: unsafe { PidNamespace::from_ptr(pid_ns) },
    };
    // SAFETY: `m` is valid for the duration of the call.
    T::show(unsafe { SeqFile::from_raw(m) }, &view);
}

/// The pointer that stands for the initial namespace's tables, which are
/// static and need no reference (its value is never read).
static INIT_NS_KEY: u8 = 0;

fn init_ns_key() -> *mut c_void {
    core::ptr::from_ref(&INIT_NS_KEY).cast_mut().cast()
}

/// The tables that `ns`, a pointer from [`ns_get`], stands for.
///
/// # Safety
///
/// `ns` came from [`ns_get`] and [`ns_put`] has not been called on it.
unsafe fn ns_tables(ns: *mut c_void) -> NsTables {
    if ns == init_ns_key() {
        NsTables::Init
    } else {
        // SAFETY: by the function's requirement, `ns` holds an
        // `Arc<ChildNs>` from `into_foreign`.
        NsTables::Child(unsafe { Arc::<ChildNs>::borrow(ns) }.into())
    }
}

/// Mirror of `struct ripcfs_ns_ops` in `ripcfs.h`.
#[repr(C)]
pub(crate) struct NsOps {
    get: unsafe extern "C" fn() -> *mut c_void,
    put: unsafe extern "C" fn(*mut c_void),
    tunable_get: unsafe extern "C" fn(*mut c_void, c_uint) -> c_ulong,
    tunable_set: unsafe extern "C" fn(*mut c_void, c_uint, c_ulong),
}

static NS_OPS: NsOps = NsOps {
    get: ns_get,
    put: ns_put,
    tunable_get,
    tunable_set,
};

/// # Safety
///
/// Called by `ripcfs_init_fs_context()` only.
unsafe extern "C" fn ns_get() -> *mut c_void {
    match ipc::current_ns() {
        Ok(NsTables::Init) => init_ns_key(),
        Ok(NsTables::Child(child)) => child.into_foreign(),
        // ERR_PTR(): the errno as a pointer.
        Err(err) => err.to_errno() as isize as *mut c_void,
    }
}

/// # Safety
///
/// Called by `ripcfs_free_info()` only, once for each [`ns_get`].
unsafe extern "C" fn ns_put(ns: *mut c_void) {
    if ns != init_ns_key() {
        // SAFETY: `ns` came from `into_foreign` in `ns_get` and is given
        // back once.
        drop(unsafe { Arc::<ChildNs>::from_foreign(ns) });
    }
}

/// # Safety
///
/// Called by `ripcfs.c` only, with the namespace of a live superblock.
unsafe extern "C" fn tunable_get(ns: *mut c_void, id: c_uint) -> c_ulong {
    let Some(cell) = tunables::cell(id as usize) else {
        return 0;
    };
    // SAFETY: the superblock holds `ns`.
    unsafe { ns_tables(ns) }.tunable(cell)
}

/// # Safety
///
/// Called by `ripcfs.c` only, with the namespace of a live superblock.
unsafe extern "C" fn tunable_set(ns: *mut c_void, id: c_uint, value: c_ulong) {
    if let Some(cell) = tunables::cell(id as usize) {
        // SAFETY: the superblock holds `ns`.
        unsafe { ns_tables(ns) }.set_tunable(cell, value);
    }
}

extern "C" {
    fn ripcfs_register(
        kinds: *const Kind,
        nr_kinds: usize,
        statuses: *const Status,
        nr_statuses: usize,
        ns_ops: *const NsOps,
    ) -> c_int;
    fn ripcfs_unregister();
    fn ripcfs_open_in_kind_dir(
        dirfd: c_int,
        name: *const c_char,
        flags: c_int,
        mode: bindings::umode_t,
        // `const struct file_operations *`, untyped as in `Kind`.
        fops: *const c_void,
    ) -> *mut c_void; // `struct file *`, untyped as `fops` is.
}

/// Opens (with `O_CREAT`: makes) `name` in the directory open as `dirfd`,
/// which must be ripcfs's directory of kind `T` (`EINVAL` otherwise), as
/// `open(2)` would with `flags` and `mode`, and returns a new close-on-exec
/// descriptor for it.
///
/// Runs within the caller's syscall, so a kind can hand creation
/// parameters that `open(2)` cannot carry to its
/// [`NamedObject::create_named`] (see `mqueue.rs`).
pub(crate) fn open_in_kind_dir<T: NamedObject>(
    dirfd: i32,
    name: &CStr,
    flags: u32,
    mode: u32,
) -> Result<i32> {
    let reservation = FileDescriptorReservation::get_unused_fd_flags(bindings::O_CLOEXEC)?;
    // SAFETY: `name` is a valid C string and `T::FOPS` a `'static` table;
    // the function returns a new file reference or an `ERR_PTR`.
    let file = from_err_ptr::<c_void>(unsafe {
        ripcfs_open_in_kind_dir(
            dirfd,
            name.as_char_ptr(),
            flags as c_int,
            mode as bindings::umode_t,
            core::ptr::from_ref(T::FOPS).cast(),
        )
    })?;
    // SAFETY: `file` is a valid file whose reference we own; `File` is a
    // transparent wrapper of `struct file`.
    let file = unsafe { ARef::<File>::from_raw(NonNull::new_unchecked(file.cast())) };
    let fd = reservation.reserved_fd();
    reservation.fd_install(file);
    Ok(fd as i32)
}

/// The registered `ripcfs` filesystem type; unregistered when dropped.
///
/// # Invariants
///
/// `ripcfs_register()` succeeded and `ripcfs_unregister()` has not been
/// called yet.
pub(crate) struct Registration(());

impl Registration {
    /// Registers the `ripcfs` filesystem type with its kinds of named
    /// objects and its status files. Only one may exist at a time.
    pub(crate) fn new<const N: usize, const S: usize>(
        kinds: &'static AssertSync<[Kind; N]>,
        statuses: &'static AssertSync<[Status; S]>,
    ) -> Result<Self> {
        // SAFETY: called once, from module init, with `'static` tables;
        // undone in `drop`.
        to_result(unsafe {
            ripcfs_register(kinds.0.as_ptr(), N, statuses.0.as_ptr(), S, &NS_OPS)
        })?;
        // INVARIANT: registration succeeded.
        Ok(Self(()))
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: registered, by the type invariant. The superblock of a
        // mount pins the module (`.owner`), so none is left when this runs.
        unsafe { ripcfs_unregister() };
    }
}

/// `open` of a named object's file, or of a pipefs inode (`super::pipefs`):
/// the file takes its own reference to the object its inode holds, then
/// the kind's [`ObjectFile::open`] runs.
///
/// # Safety
///
/// Called by the VFS only, for an inode made by `ripcfs_create()` or
/// `ripc_pipefs_create_files()` with kind `T`.
pub(super) unsafe extern "C" fn open<T: ObjectFile>(
    inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: `i_private` of a ripcfs object inode or of a pipefs inode
    // holds an `Arc<T>` for as long as the inode lives, and the file being
    // opened pins the inode.
    let object: Arc<T> = unsafe { Arc::<T>::borrow((*inode).i_private) }.into();
    if T::STREAM {
        // SAFETY: both pointers are valid during `open`. `stream_open()`
        // only clears the file's seek modes (and `FMODE_ATOMIC_POS`, which
        // frees `f_pipe` for the tag below); it cannot fail.
        unsafe { bindings::stream_open(inode, file) };
    }
    // SAFETY: the VFS keeps the file alive during `open`.
    let tag = match T::open(object.as_arc_borrow(), unsafe { File::from_raw_file(file) }) {
        Ok(tag) => tag,
        // The open fails: `release` will not run, the reference goes here.
        Err(err) => return err.to_errno(),
    };
    // SAFETY: the file is being opened and not yet shared; `release::<T>`
    // takes this reference back. A stream file went through
    // `stream_open()` above, so `f_pipe` is free for the tag.
    unsafe {
        if T::STREAM {
            (*file).__bindgen_anon_2.f_pipe = tag;
        }
        (*file).private_data = object.into_foreign();
    }
    0
}
