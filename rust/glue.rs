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
pub(crate) mod pipefs;
pub(crate) mod process;
pub(crate) mod rcu;
pub(crate) mod ripcfs;
pub(crate) mod shmem;
pub(crate) mod task;
pub(crate) mod wait;

/// Makes a C operation table usable in a `static`.
///
/// Only the types that implement [`ReadOnlyTable`] can be shared this way:
/// tables of function pointers and pointers to `'static` constants (such
/// as `file_operations`), never mutated after initialisation.
#[repr(transparent)]
pub(crate) struct AssertSync<T>(pub(crate) T);

/// A C table that may be shared between threads once built: its raw
/// pointers only point at `'static`, immutable data or code.
///
/// # Safety
///
/// Implementors are only ever built from `'static` constants and
/// functions, and nothing writes to them after initialisation.
pub(crate) unsafe trait ReadOnlyTable {}

// SAFETY: ripc builds `file_operations` only in `static`s, from function
// pointers and `THIS_MODULE`, and never writes to them afterwards.
unsafe impl ReadOnlyTable for kernel::bindings::file_operations {}
// SAFETY: as `file_operations`: built once in a `static`, only read.
unsafe impl ReadOnlyTable for kernel::bindings::vm_operations_struct {}
// SAFETY: `Kind`s are built by `ripcfs::kind()` from `'static` C strings,
// `'static` operation tables and functions, and only read.
unsafe impl<const N: usize> ReadOnlyTable for [ripcfs::Kind; N] {}
// SAFETY: `Status`es are built by `ripcfs::status()` from `'static` C
// strings and functions, and only read.
unsafe impl<const N: usize> ReadOnlyTable for [ripcfs::Status; N] {}

// SAFETY: a pipefs `Kind` is built by `pipefs::kind()` from a `'static`
// operation table and functions, and only read.
unsafe impl<T> ReadOnlyTable for pipefs::Kind<T> {}

// SAFETY: `T` is a read-only table (`ReadOnlyTable`); sharing it between
// threads is what the C side does too.
unsafe impl<T: ReadOnlyTable> Sync for AssertSync<T> {}

/// A `file_operations` with every field empty, to build tables from.
pub(crate) const EMPTY_FOPS: kernel::bindings::file_operations = {
    // SAFETY: all-zeroes is a valid `file_operations`: every field is an
    // optional function pointer, a plain integer or a nullable pointer.
    unsafe { core::mem::MaybeUninit::zeroed().assume_init() }
};
