// SPDX-License-Identifier: GPL-2.0

//! Files of ripc objects: one `file_operations` table per kind of object,
//! built from a safe trait, with `.owner` set so that an open object pins
//! the module.
//!
//! An object's file holds one reference of an `Arc<T>` in `private_data`,
//! taken when the file is created and dropped in `release`. Everything the
//! trait methods see is borrowed from that reference.
//!
//! Several files may share one object (the two ends of a pipe); a file's
//! own state is its access mode (`f_flags & O_ACCMODE`) and, for stream
//! kinds, a `u64` tag kept in the file itself ([`file_tag`]).

use super::{shmem::MmapRequest, wait::PollTable, EMPTY_FOPS};
use kernel::{
    bindings,
    ffi::{c_char, c_int, c_uint, c_void},
    fs::{File, LocalFile},
    iov::{IovIterDest, IovIterSource},
    prelude::*,
    seq_file::SeqFile,
    sync::{Arc, ArcBorrow},
    types::ForeignOwnable,
    uaccess::{UserPtr, UserSlice, UserSliceReader, UserSliceWriter},
};

/// The flags of one read or write request (`kiocb::ki_flags`) that ripc
/// honours.
#[derive(Clone, Copy)]
pub(crate) struct IoFlags(c_int);

impl IoFlags {
    /// `IOCB_NOWAIT` (`RWF_NOWAIT`, whose cast bindgen cannot follow).
    const NOWAIT: c_int = 0x8;
    /// `IOCB_NOSIGNAL` (`RWF_NOSIGNAL`).
    const NOSIGNAL: c_int = 0x100;

    /// Fail with `EAGAIN` rather than block (`preadv2(RWF_NOWAIT)`, or
    /// io_uring trying first without blocking).
    pub(crate) fn nowait(self) -> bool {
        self.0 & Self::NOWAIT != 0
    }

    /// No `SIGPIPE` on `EPIPE` (`pwritev2(RWF_NOSIGNAL)`, or a socket-like
    /// caller).
    pub(crate) fn nosignal(self) -> bool {
        self.0 & Self::NOSIGNAL != 0
    }
}

/// What a kind of ripc object does with its files.
///
/// Every method has the errno of a file that does not support the call as
/// default, as the VFS gives for a missing operation.
pub(crate) trait ObjectFile: Send + Sync + Sized + 'static {
    /// The name of the anonymous inode, shown by `ls -l /proc/self/fd`.
    const NAME: &'static CStr;

    /// A stream, as a pipe: no `llseek` (`lseek`, `pread` and `pwrite` fail
    /// with `ESPIPE`), and each file keeps a tag ([`file_tag`]). Otherwise
    /// the file ignores the position (`noop_llseek`), as eventfd does.
    const STREAM: bool = false;

    /// `open(2)` of a named object in ripcfs, or of a pipe's inode in
    /// `pipefs` (`/proc/<pid>/fd/N`; the files made with the object never
    /// come here), after the file took its reference. May sleep. Returns
    /// the file's tag, kept only for [`ObjectFile::STREAM`] kinds. On error the open fails and `release` is not called.
    fn open(_this: ArcBorrow<'_, Self>, _file: &File) -> Result<u64> {
        Ok(0)
    }

    /// The last close of one file of the object, before the file drops its
    /// reference.
    fn release(_this: ArcBorrow<'_, Self>, _file: &File) {}

    /// `read(2)`: copy at most `out.len()` bytes out. The file is a
    /// [`LocalFile`]: a read runs under `fdget_pos()`, which leaves
    /// `f_pos` unlocked when the file has one reference, so the file may
    /// not be shared with another thread from here.
    fn read(_this: ArcBorrow<'_, Self>, _file: &LocalFile, _out: UserSliceWriter) -> Result<usize> {
        Err(EINVAL)
    }

    /// `read(2)` of a file with a position (`pread(2)` too): the default
    /// ignores it and calls [`ObjectFile::read`], for stream objects.
    fn read_at(
        this: ArcBorrow<'_, Self>,
        file: &LocalFile,
        out: UserSliceWriter,
        _pos: &mut i64,
    ) -> Result<usize> {
        Self::read(this, file, out)
    }

    /// `write(2)`: take at most `input.len()` bytes in (a [`LocalFile`],
    /// as for [`ObjectFile::read`]).
    fn write(
        _this: ArcBorrow<'_, Self>,
        _file: &LocalFile,
        _input: UserSliceReader,
    ) -> Result<usize> {
        Err(EINVAL)
    }

    /// The kind reads through [`ObjectFile::read_iter`] (`.read_iter`),
    /// not [`ObjectFile::read`]: `readv(2)` is then one call with all the
    /// vectors rather than one call per vector.
    const READ_ITER: bool = false;

    /// `read(2)`, `readv(2)`, `preadv2(2)`, io_uring, splice: copy at most
    /// `to.len()` bytes to `to`.
    fn read_iter(
        _this: ArcBorrow<'_, Self>,
        _file: &File,
        _to: &mut IovIterDest<'_>,
        _flags: IoFlags,
    ) -> Result<usize> {
        Err(EINVAL)
    }

    /// The kind writes through [`ObjectFile::write_iter`], not
    /// [`ObjectFile::write`].
    const WRITE_ITER: bool = false;

    /// `write(2)`, `writev(2)`, `pwritev2(2)`, io_uring, splice: take at
    /// most `from.len()` bytes from `from`.
    fn write_iter(
        _this: ArcBorrow<'_, Self>,
        _file: &File,
        _from: &mut IovIterSource<'_>,
        _flags: IoFlags,
    ) -> Result<usize> {
        Err(EINVAL)
    }

    /// `splice(2)` and `sendfile(2)` go through the iter methods (both
    /// must be there): `copy_splice_read()` and `iter_file_splice_write()`.
    const SPLICE: bool = false;

    /// `poll(2)` and friends: register with `table` and return the mask.
    fn poll(_this: ArcBorrow<'_, Self>, _file: &File, _table: PollTable<'_>) -> u32 {
        bindings::POLLIN | bindings::POLLOUT | bindings::POLLRDNORM | bindings::POLLWRNORM
    }

    /// `ioctl(2)` on the object's file.
    fn ioctl(_this: ArcBorrow<'_, Self>, _file: &File, _cmd: u32, _arg: usize) -> Result<isize> {
        Err(ENOTTY)
    }

    /// `flush`: a descriptor of the file is being closed by the current
    /// task (`close(2)`, or exit).
    fn flush(_this: ArcBorrow<'_, Self>, _file: &File) {}

    /// `/proc/<pid>/fdinfo/<fd>`.
    fn show_fdinfo(_this: ArcBorrow<'_, Self>, _m: &SeqFile, _file: &File) {}

    /// Whether the kind's files can be mapped: only then is
    /// [`ObjectFile::mmap`] called; otherwise `mmap(2)` fails with
    /// `ENODEV`, as for any file without the operation.
    const MMAP: bool = false;

    /// `mmap(2)`: sets up the mapping `vma` describes.
    fn mmap(_this: ArcBorrow<'_, Self>, _file: &File, _vma: MmapRequest<'_>) -> Result {
        Err(ENODEV)
    }

    /// The `file_operations` of this kind: a `static` built by [`fops`].
    const FOPS: &'static bindings::file_operations;
}

/// Builds the `file_operations` table of kind `T`, owned by this module.
pub(crate) const fn fops<T: ObjectFile>() -> bindings::file_operations {
    bindings::file_operations {
        owner: crate::THIS_MODULE.as_ptr(),
        read: if T::READ_ITER { None } else { Some(read::<T>) },
        read_iter: if T::READ_ITER {
            Some(read_iter::<T>)
        } else {
            None
        },
        write: if T::WRITE_ITER {
            None
        } else {
            Some(write::<T>)
        },
        write_iter: if T::WRITE_ITER {
            Some(write_iter::<T>)
        } else {
            None
        },
        splice_read: if T::SPLICE {
            Some(bindings::copy_splice_read)
        } else {
            None
        },
        splice_write: if T::SPLICE {
            Some(bindings::iter_file_splice_write)
        } else {
            None
        },
        poll: Some(poll::<T>),
        unlocked_ioctl: Some(ioctl::<T>),
        compat_ioctl: bindings::compat_ptr_ioctl,
        release: Some(release::<T>),
        flush: Some(flush::<T>),
        // Only called for inodes that hold an object (ripcfs names, pipefs
        // inodes): anonymous files are created open.
        open: Some(super::ripcfs::open::<T>),
        show_fdinfo: Some(show_fdinfo::<T>),
        mmap: if T::MMAP {
            Some(super::shmem::mmap::<T>)
        } else {
            None
        },
        llseek: if T::STREAM {
            None
        } else {
            Some(bindings::noop_llseek)
        },
        ..EMPTY_FOPS
    }
}

extern "C" {
    fn ripc_anon_inode_getfd(
        name: *const c_char,
        // `const struct file_operations *`; passed untyped because
        // `file_operations` embeds a zero-sized array that the
        // `improper_ctypes` lint rejects.
        fops: *const c_void,
        private: *mut c_void,
        flags: c_int,
    ) -> c_int;
}

/// Creates a new file for `object` in the caller's file table and returns
/// its descriptor. `flags` may hold `O_NONBLOCK` and `O_CLOEXEC`.
pub(crate) fn new_fd<T: ObjectFile>(object: Arc<T>, flags: u32) -> Result<i32> {
    let private = object.into_foreign();
    let flags = (flags & (bindings::O_NONBLOCK | bindings::O_CLOEXEC)) | bindings::O_RDWR;
    // SAFETY: `T::FOPS` is a `'static` table whose `release` takes back
    // the `Arc` we pass as private data; the name is a `'static` C string.
    let fd = unsafe {
        ripc_anon_inode_getfd(
            T::NAME.as_char_ptr(),
            core::ptr::from_ref(T::FOPS).cast(),
            private,
            flags as c_int,
        )
    };
    if fd < 0 {
        // SAFETY: no file was created, so the reference is still ours.
        drop(unsafe { Arc::<T>::from_foreign(private) });
        return Err(Error::from_errno(fd));
    }
    Ok(fd)
}

/// The tag of a file of stream kind `T`: what [`ObjectFile::open`] returned
/// for it, 0 for an anonymous file or a file of another kind. Pipes keep
/// there the writer count a FIFO reader has seen (`filp->f_pipe`).
pub(crate) fn file_tag<T: ObjectFile>(file: &File) -> u64 {
    let file = file.as_ptr();
    // SAFETY: `f_op` is set when the file is created and never changes.
    if !T::STREAM || !core::ptr::eq(unsafe { (*file).f_op }, T::FOPS) {
        return 0;
    }
    // SAFETY: files of stream kind `T` have their tag written once, before
    // they are shared (in `new_file` or `ripcfs::open`), and use no
    // `f_pos_lock` (no `FMODE_ATOMIC_POS`: they are anonymous or went
    // through `stream_open()`).
    unsafe { (*file).__bindgen_anon_2.f_pipe }
}

/// Returns the object of kind `T` behind descriptor `fd` of the caller
/// (the in-kernel way to reach an object a process names by fd, as
/// `eventfd_ctx_fdget` does). EBADF if `fd` is not open, EINVAL if it is
/// not a file of kind `T`.
pub(crate) fn object_from_fd<T: ObjectFile>(fd: i32) -> Result<Arc<T>> {
    let fd = u32::try_from(fd).map_err(|_| EBADF)?;
    let file = LocalFile::fget(fd)?;
    // SAFETY: `f_op` is set when the file is created and never changes.
    let f_op = unsafe { (*file.as_ptr()).f_op };
    if !core::ptr::eq(f_op, T::FOPS) {
        return Err(EINVAL);
    }
    // SAFETY: files with `T::FOPS` hold an `Arc<T>` in `private_data`,
    // valid while the file is, and we hold a reference to the file.
    let object = unsafe { Arc::<T>::borrow((*file.as_ptr()).private_data) };
    Ok(object.into())
}

/// Borrows the object of a file of kind `T`.
///
/// # Safety
///
/// `file` must be a live file whose `f_op` is `T::FOPS`.
unsafe fn object<'a, T: ObjectFile>(file: *mut bindings::file) -> ArcBorrow<'a, T> {
    // SAFETY: by the function's requirement `private_data` holds an
    // `Arc<T>`, dropped only in `release`, after every other call.
    unsafe { Arc::<T>::borrow((*file).private_data) }
}

/// # Safety
///
/// Called by the VFS only, on a live file of kind `T`.
unsafe extern "C" fn read<T: ObjectFile>(
    file: *mut bindings::file,
    buf: *mut c_char,
    len: usize,
    pos: *mut bindings::loff_t,
) -> isize {
    // SAFETY: the VFS keeps the file alive during the call, and any
    // `fdget_pos()` without `f_pos_lock` is this read's own, on this thread.
    let (this, f) = unsafe { (object::<T>(file), LocalFile::from_raw_file(file)) };
    let out = UserSlice::new(UserPtr::from_ptr(buf.cast()), len).writer();
    // Stream files (`stream_open()`, pipes) get no position: null.
    let mut no_pos = 0;
    let pos = if pos.is_null() {
        &mut no_pos
    } else {
        // SAFETY: the VFS passes its own copy of the position (under
        // `f_pos_lock` where needed), valid and unaliased during the call.
        unsafe { &mut *pos }
    };
    match T::read_at(this, f, out, pos) {
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// # Safety
///
/// Called by the VFS only, with a live request on a file of kind `T` and a
/// destination iterator valid during the call.
unsafe extern "C" fn read_iter<T: ObjectFile>(
    iocb: *mut bindings::kiocb,
    to: *mut bindings::iov_iter,
) -> isize {
    // SAFETY: the VFS keeps the request, its file and the iterator valid
    // during the call, and gives `read_iter` an `ITER_DEST` iterator that
    // only this call uses.
    let (this, f, flags, to) = unsafe {
        let file = (*iocb).ki_filp;
        (
            object::<T>(file),
            File::from_raw_file(file),
            IoFlags((*iocb).ki_flags),
            IovIterDest::from_raw(to),
        )
    };
    match T::read_iter(this, f, to, flags) {
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// # Safety
///
/// Called by the VFS only, with a live request on a file of kind `T` and a
/// source iterator valid during the call.
unsafe extern "C" fn write_iter<T: ObjectFile>(
    iocb: *mut bindings::kiocb,
    from: *mut bindings::iov_iter,
) -> isize {
    // SAFETY: as in `read_iter`, with an `ITER_SOURCE` iterator.
    let (this, f, flags, from) = unsafe {
        let file = (*iocb).ki_filp;
        (
            object::<T>(file),
            File::from_raw_file(file),
            IoFlags((*iocb).ki_flags),
            IovIterSource::from_raw(from),
        )
    };
    match T::write_iter(this, f, from, flags) {
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// Sets or clears `O_NONBLOCK` of an open file (`fcntl(F_SETFL)`, or
/// `mq_setattr()`).
pub(crate) fn set_nonblock(file: &File, nonblock: bool) {
    extern "C" {
        // `struct file *`, untyped as in `ripc_anon_inode_getfd`.
        fn ripc_file_set_nonblock(file: *mut c_void, nonblock: bool);
    }
    // SAFETY: `file` is a live file; the helper takes its `f_lock`.
    unsafe { ripc_file_set_nonblock(file.as_ptr().cast(), nonblock) };
}

/// # Safety
///
/// Called by the VFS only, on a live file of kind `T`.
unsafe extern "C" fn write<T: ObjectFile>(
    file: *mut bindings::file,
    buf: *const c_char,
    len: usize,
    _pos: *mut bindings::loff_t,
) -> isize {
    // SAFETY: as in `read`.
    let (this, f) = unsafe { (object::<T>(file), LocalFile::from_raw_file(file)) };
    let input = UserSlice::new(UserPtr::from_ptr(buf.cast_mut().cast()), len).reader();
    match T::write(this, f, input) {
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// # Safety
///
/// Called by the VFS only, on a live file of kind `T`.
unsafe extern "C" fn poll<T: ObjectFile>(
    file: *mut bindings::file,
    table: *mut bindings::poll_table_struct,
) -> bindings::__poll_t {
    // SAFETY: as in `read`; `table` is null or valid during the call.
    let (this, f, table) = unsafe {
        (
            object::<T>(file),
            File::from_raw_file(file),
            PollTable::from_raw(table),
        )
    };
    T::poll(this, f, table)
}

/// # Safety
///
/// Called by the VFS only, on a live file of kind `T`.
unsafe extern "C" fn ioctl<T: ObjectFile>(
    file: *mut bindings::file,
    cmd: c_uint,
    arg: usize,
) -> isize {
    // SAFETY: as in `read`.
    let (this, f) = unsafe { (object::<T>(file), File::from_raw_file(file)) };
    match T::ioctl(this, f, cmd, arg) {
        Ok(n) => n,
        Err(e) => e.to_errno() as isize,
    }
}

/// # Safety
///
/// Called by the VFS only, on a live file of kind `T`.
unsafe extern "C" fn flush<T: ObjectFile>(
    file: *mut bindings::file,
    _id: bindings::fl_owner_t,
) -> c_int {
    // SAFETY: as in `read`.
    let (this, f) = unsafe { (object::<T>(file), File::from_raw_file(file)) };
    T::flush(this, f);
    0
}

/// # Safety
///
/// Called by the VFS only, once, when the last reference to a file of kind
/// `T` is dropped.
unsafe extern "C" fn release<T: ObjectFile>(
    _inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: no other call on this file can run any more, but the file
    // still holds its reference and is alive during the call.
    let (this, f) = unsafe { (object::<T>(file), File::from_raw_file(file)) };
    T::release(this, f);
    // SAFETY: the file's reference to the object is given back exactly
    // once, here.
    drop(unsafe { Arc::<T>::from_foreign((*file).private_data) });
    0
}

/// # Safety
///
/// Called by the VFS only, on a live file of kind `T`.
unsafe extern "C" fn show_fdinfo<T: ObjectFile>(
    m: *mut bindings::seq_file,
    file: *mut bindings::file,
) {
    // SAFETY: as in `read`; `m` is valid during the call.
    let (this, f, m) = unsafe {
        (
            object::<T>(file),
            File::from_raw_file(file),
            SeqFile::from_raw(m),
        )
    };
    T::show_fdinfo(this, m, f);
}

/// `FMODE_READ` and `FMODE_WRITE` (`include/linux/fs.h`), casts bindgen
/// does not translate.
const FMODE_READ: bindings::fmode_t = 1 << 0;
const FMODE_WRITE: bindings::fmode_t = 1 << 1;

/// Whether `file` was opened for reading (`FMODE_READ`). Unlike
/// `f_flags & O_ACCMODE`, a file opened with access mode 3 is neither
/// opened for reading nor for writing.
pub(crate) fn opened_for_read(file: &File) -> bool {
    // SAFETY: `f_mode` is set when the file is opened; what later changes
    // it (`FMODE_NOWAIT` and the like) leaves these bits alone.
    unsafe { (*file.as_ptr()).f_mode & FMODE_READ != 0 }
}

/// Whether `file` was opened for writing (`FMODE_WRITE`).
pub(crate) fn opened_for_write(file: &File) -> bool {
    // SAFETY: as in `opened_for_read`.
    unsafe { (*file.as_ptr()).f_mode & FMODE_WRITE != 0 }
}

extern "C" {
    // `struct inode` is reached through C: its layout is config-dependent.
    // `struct file *` untyped, as above.
    fn ripc_file_touch_times(file: *mut c_void);
    fn ripc_file_touch_read_times(file: *mut c_void);
}

/// Sets the access, modification and change times of the file's inode to
/// now (`simple_inode_init_ts()`), as a message queue's send and receive do.
pub(crate) fn touch_times(file: &File) {
    // SAFETY: an open file pins its inode; the VFS updates these times
    // without a lock.
    unsafe { ripc_file_touch_times(file.as_ptr().cast()) };
}

/// Sets the access and change times of the file's inode to now, as a read
/// of a message queue's status does (`mqueue_read_file()`).
pub(crate) fn touch_read_times(file: &LocalFile) {
    // SAFETY: as in `touch_times`.
    unsafe { ripc_file_touch_read_times(file.as_ptr().cast()) };
}
