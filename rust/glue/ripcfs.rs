// SPDX-License-Identifier: GPL-2.0

//! The Rust side of ripcfs. Its VFS plumbing is in `ripcfs.c`.

use kernel::{error::to_result, prelude::*};

extern "C" {
    fn ripcfs_register() -> kernel::ffi::c_int;
    fn ripcfs_unregister();
}

/// The registered `ripcfs` filesystem type; unregistered when dropped.
///
/// # Invariants
///
/// `ripcfs_register()` succeeded and `ripcfs_unregister()` has not been
/// called yet.
pub(crate) struct Registration(());

impl Registration {
    /// Registers the `ripcfs` filesystem type. Only one may exist at a time.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: called once, from module init; undone in `drop`.
        to_result(unsafe { ripcfs_register() })?;
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
