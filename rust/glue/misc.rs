// SPDX-License-Identifier: GPL-2.0

//! Registration of a misc device with ripc's own `file_operations`.
//!
//! `kernel::miscdevice` builds its own table without `.owner`, so an open
//! `/dev/ripc` would not pin the module; this registration takes a table
//! built by the caller (with `.owner` set) instead.

use super::{AssertSync, EMPTY_FOPS};
use kernel::{bindings, error::to_result, fs::File, prelude::*, types::Opaque};

/// The `file_operations` of `/dev/ripc`. `.owner` makes an open `/dev/ripc`
/// pin the module; every ioctl goes to [`crate::device::ioctl`].
///
/// No `compat_ioctl`: the ABI passes userspace's own `msgbuf` (`long
/// mtype`), `msqid_ds`-style structures and `timespec`s through unchanged,
/// and those have other layouts in 32-bit processes, so a 32-bit caller
/// gets `ENOTTY` from the VFS rather than misread arguments.
pub(crate) static DEV_FOPS: AssertSync<bindings::file_operations> =
    AssertSync(bindings::file_operations {
        owner: crate::THIS_MODULE.as_ptr(),
        open: Some(dev_open),
        unlocked_ioctl: Some(dev_ioctl),
        flush: Some(dev_flush),
        release: Some(dev_release),
        ..EMPTY_FOPS
    });

/// # Safety
///
/// Only called by `misc_open()`, when `/dev/ripc` is opened.
unsafe extern "C" fn dev_open(
    _inode: *mut bindings::inode,
    _file: *mut bindings::file,
) -> kernel::ffi::c_int {
    super::pipefs::device_opened();
    0
}

/// # Safety
///
/// Only called by the VFS, when a descriptor of `/dev/ripc` is closed.
unsafe extern "C" fn dev_flush(
    _file: *mut bindings::file,
    _owner: bindings::fl_owner_t,
) -> kernel::ffi::c_int {
    // The closing task is `current`, which is all `flush` needs.
    crate::device::flush();
    0
}

/// # Safety
///
/// Only called by the VFS, when the last reference to a `/dev/ripc` file
/// goes.
unsafe extern "C" fn dev_release(
    _inode: *mut bindings::inode,
    _file: *mut bindings::file,
) -> kernel::ffi::c_int {
    crate::device::release();
    super::pipefs::device_released();
    0
}

/// # Safety
///
/// Only called by the VFS, with a valid `file` of `/dev/ripc`.
unsafe extern "C" fn dev_ioctl(
    file: *mut bindings::file,
    cmd: kernel::ffi::c_uint,
    arg: kernel::ffi::c_ulong,
) -> kernel::ffi::c_long {
    // SAFETY: the VFS keeps `file` alive for the duration of the call, and
    // `/dev/ripc` files are never used with `fdget_pos` semantics.
    let file = unsafe { File::from_raw_file(file) };
    match crate::device::ioctl(file, cmd, arg) {
        Ok(ret) => ret,
        Err(err) => err.to_errno() as kernel::ffi::c_long,
    }
}

/// A registered misc device; deregistered when dropped.
///
/// # Invariants
///
/// `inner` holds a `struct miscdevice` registered with `misc_register()`,
/// whose `name` and `fops` point at `'static` data.
#[pin_data(PinnedDrop)]
pub(crate) struct MiscRegistration {
    #[pin]
    inner: Opaque<bindings::miscdevice>,
}

// SAFETY: `misc_deregister()` may be called from any thread.
unsafe impl Send for MiscRegistration {}
// SAFETY: no `&self` method exists that touches `inner`.
unsafe impl Sync for MiscRegistration {}

impl MiscRegistration {
    /// Registers `/dev/<name>`, with mode 0666: access control is per
    /// object, done by ripc itself.
    pub(crate) fn register(
        name: &'static CStr,
        fops: &'static AssertSync<bindings::file_operations>,
    ) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            inner <- Opaque::try_ffi_init(move |slot: *mut bindings::miscdevice| {
                let mut misc: bindings::miscdevice = pin_init::zeroed();
                misc.minor = bindings::MISC_DYNAMIC_MINOR as kernel::ffi::c_int;
                misc.name = name.as_char_ptr();
                misc.fops = &fops.0;
                misc.mode = 0o666;
                // SAFETY: `slot` is valid for writes, as `try_ffi_init` promises.
                unsafe { slot.write(misc) };
                // SAFETY: `slot` holds an initialised `miscdevice` whose name and
                // fops are `'static`; it is pinned and deregistered in `drop`
                // before its memory goes away.
                // INVARIANT: on success the device is registered.
                to_result(unsafe { bindings::misc_register(slot) })
            }),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for MiscRegistration {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: the device is registered, by the type invariant.
        unsafe { bindings::misc_deregister(self.inner.get()) };
    }
}
