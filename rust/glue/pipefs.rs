// SPDX-License-Identifier: GPL-2.0

//! The Rust side of ripc's pipefs (`pipefs.c`): the internal filesystem
//! whose inodes are anonymous pipes, as `fs/pipe.c`'s pipefs. Both ends of
//! a pipe are files of one `S_IFIFO` inode that holds the object; opening
//! the inode again (`/proc/<pid>/fd/N`) runs the kind's `open`, as for a
//! named object in ripcfs.

use super::{object_file::ObjectFile, AssertSync};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    error::to_result,
    ffi::{c_int, c_void},
    fs::File,
    prelude::*,
    sync::{aref::ARef, Arc},
    types::ForeignOwnable,
};

/// Mirror of `struct ripc_pipefs_kind` in `pipefs.h`, for objects of kind
/// `T`.
#[repr(C)]
pub(crate) struct Kind<T> {
    fops: *const c_void,
    get: unsafe extern "C" fn(*mut c_void) -> *mut c_void,
    put: unsafe extern "C" fn(*mut c_void),
    _kind: PhantomData<T>,
}

/// Describes kind `T` to `pipefs.c`: its files use `T::FOPS`, whose `open`
/// (`ripcfs::open`) borrows the object the inode holds.
pub(crate) const fn kind<T: ObjectFile>() -> Kind<T> {
    Kind {
        fops: core::ptr::from_ref(T::FOPS).cast(),
        get: get::<T>,
        put: put::<T>,
        _kind: PhantomData,
    }
}

/// # Safety
///
/// Called by `pipefs.c` only, with the object a live pipe inode holds.
unsafe extern "C" fn get<T: ObjectFile>(object: *mut c_void) -> *mut c_void {
    // SAFETY: the inode holds a reference from `into_foreign` (in
    // `new_files`) while it lives, and the caller holds the inode.
    let object: Arc<T> = unsafe { Arc::<T>::borrow(object) }.into();
    object.into_foreign()
}

/// # Safety
///
/// Called by `pipefs.c` only, once per reference: the inode's at its
/// eviction (or when no inode could be made), a file's never (the file's
/// `release` gives its own back).
unsafe extern "C" fn put<T: ObjectFile>(object: *mut c_void) {
    // SAFETY: `object` is a reference from `into_foreign` that nobody
    // uses any more.
    drop(unsafe { Arc::<T>::from_foreign(object) });
}

extern "C" {
    fn ripc_pipefs_get_user();
    fn ripc_pipefs_put_user();
    fn ripc_pipefs_create_files(
        // `const struct ripc_pipefs_kind *`.
        kind: *const c_void,
        object: *mut c_void,
        flags: c_int,
        // `struct file *res[2]`; untyped, as `fops` in `object_file`.
        res: *mut *mut c_void,
    ) -> c_int;
}

/// Makes a pipe inode for `object` and its two files, not yet in any file
/// table: `[read end (O_RDONLY), write end (O_WRONLY)]`, both with
/// `O_NONBLOCK` if `flags` has it. Each file holds a reference to `object`
/// (its `release` gives it back) and the inode one more.
pub(crate) fn new_files<T: ObjectFile>(
    kind: &'static AssertSync<Kind<T>>,
    object: Arc<T>,
    flags: u32,
) -> Result<[ARef<File>; 2]> {
    let mut res = [core::ptr::null_mut::<c_void>(); 2];
    // SAFETY: `kind` is a `'static` table for `T`; the function takes over
    // the reference from `into_foreign` in every case and, on success,
    // fills `res` with two new file references.
    to_result(unsafe {
        ripc_pipefs_create_files(
            core::ptr::from_ref(&kind.0).cast(),
            object.into_foreign(),
            flags as c_int,
            res.as_mut_ptr(),
        )
    })?;
    // SAFETY: on success both are valid files whose one reference is ours;
    // `File` is a transparent `struct file`.
    Ok(res.map(|file| unsafe { ARef::from_raw(NonNull::new_unchecked(file.cast::<File>())) }))
}

/// A file of `/dev/ripc` was opened: pipefs keeps its mount (made at the
/// first pipe) until [`device_released`], so that a process making pipe
/// after pipe does not mount anew each time no other pipe exists. The
/// open file pins the module anyway.
pub(crate) fn device_opened() {
    // SAFETY: only counts; undone by `device_released`.
    unsafe { ripc_pipefs_get_user() };
}

/// A file of `/dev/ripc` counted by [`device_opened`] is released.
pub(crate) fn device_released() {
    // SAFETY: pairs with the `device_opened` of the same file.
    unsafe { ripc_pipefs_put_user() };
}
