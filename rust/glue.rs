// SPDX-License-Identifier: GPL-2.0

//! The glue layer: every `unsafe` line of ripc lives below this module.
//!
//! It turns C callbacks (`file_operations`, the VFS) into calls of safe Rust
//! functions and hands back what they return, so that the mechanisms never
//! touch a raw pointer.

pub(crate) mod abi;
pub(crate) mod cred;
pub(crate) mod global;
pub(crate) mod ipcns;
pub(crate) mod misc;
pub(crate) mod object_file;
pub(crate) mod page;
pub(crate) mod params;
pub(crate) mod process;
pub(crate) mod ripcfs;
pub(crate) mod shmem;
pub(crate) mod task;
pub(crate) mod wait;

/// Makes a C bindings type usable in a `static`.
///
/// Only used for tables of function pointers and constants (such as
/// `file_operations`) that are never mutated after initialisation.
#[repr(transparent)]
pub(crate) struct AssertSync<T>(pub(crate) T);

// SAFETY: `AssertSync` only wraps read-only tables of function pointers and
// constants; sharing them between threads is what the C side does too.
unsafe impl<T> Sync for AssertSync<T> {}

/// A `file_operations` with every field empty, to build tables from.
pub(crate) const EMPTY_FOPS: kernel::bindings::file_operations = {
    // SAFETY: all-zeroes is a valid `file_operations`: every field is an
    // optional function pointer, a plain integer or a nullable pointer.
    unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
};
