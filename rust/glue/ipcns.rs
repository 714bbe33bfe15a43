// SPDX-License-Identifier: GPL-2.0

//! The caller's IPC namespace (`current->nsproxy->ipc_ns`), the key of
//! ripc's per-namespace SysV tables (see `rust/ipc.rs`).
//!
//! ripc cannot hook the namespace's destruction (`free_ipc_ns()` calls
//! only the built-in `*_exit_ns()`), so it holds a passive reference
//! ([`NsRef`]) on every namespace it keeps tables for: the namespace's
//! memory, and so its address, stays ripc's key until ripc lets go. Whether
//! anything still uses the namespace is its *active* count, which tasks
//! (through their `nsproxy`) and open nsfs files hold, and which a passive
//! reference does not raise.

use core::ptr::NonNull;
use kernel::{bindings, error::code::ESRCH, ffi::c_int, prelude::*};

extern "C" {
    fn ripc_current_ipc_ns() -> *mut bindings::ipc_namespace;
    fn ripc_current_ipc_ns_kind(ns: *mut *mut bindings::ipc_namespace) -> c_int;
    fn ripc_get_ipc_ns(ns: *mut bindings::ipc_namespace);
    fn ripc_put_ipc_ns(ns: *mut bindings::ipc_namespace);
    fn ripc_ipc_ns_active(ns: *mut bindings::ipc_namespace) -> bool;
}

/// The address of an IPC namespace: compared, never dereferenced.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NsAddr(usize);

/// Which IPC namespace the calling task is in.
pub(crate) enum CallerNs {
    /// The initial one (`init_ipc_ns`), which never goes away.
    Init,
    /// Another one, made by `unshare(CLONE_NEWIPC)` or `clone()`.
    Child(NsAddr),
}

/// The calling task's IPC namespace; `ESRCH` for a task that has already
/// left its namespaces (at exit, after `exit_task_namespaces()`).
#[inline]
pub(crate) fn caller_ns() -> Result<CallerNs> {
    let mut ns = core::ptr::null_mut();
    // SAFETY: `ns` is a valid place for the helper's one write. The helper
    // reads `current->nsproxy`, which cannot change or be freed under us:
    // only the task itself replaces it, and it is running this code. The
    // namespace address it returns is only compared here, never followed.
    match unsafe { ripc_current_ipc_ns_kind(&mut ns) } {
        0 => Ok(CallerNs::Init),
        1 => Ok(CallerNs::Child(NsAddr(ns as usize))),
        _ => Err(ESRCH),
    }
}

/// A passive reference on an IPC namespace (`get_ipc_ns()`), dropped with
/// `put_ipc_ns()`.
///
/// # Invariants
///
/// `ns` points at a `struct ipc_namespace` on which this value holds one
/// reference.
pub(crate) struct NsRef {
    ns: NonNull<bindings::ipc_namespace>,
}

// SAFETY: a namespace reference may be taken and dropped on any thread.
unsafe impl Send for NsRef {}
// SAFETY: `&NsRef` only reads the namespace's atomic active count.
unsafe impl Sync for NsRef {}

impl NsRef {
    /// Takes a reference on the calling task's namespace.
    pub(crate) fn caller() -> Result<Self> {
        // SAFETY: takes no argument and reads only the current task's own
        // `nsproxy`, stable while the task runs (see `caller_ns`).
        let ns = NonNull::new(unsafe { ripc_current_ipc_ns() }).ok_or(ESRCH)?;
        // SAFETY: the namespace is the caller's, so it is alive now; the
        // reference keeps it so.
        unsafe { ripc_get_ipc_ns(ns.as_ptr()) };
        // INVARIANT: the reference was just taken.
        Ok(Self { ns })
    }

    /// The namespace's address, to compare with [`CallerNs::Child`].
    pub(crate) fn addr(&self) -> NsAddr {
        NsAddr(self.ns.as_ptr() as usize)
    }

    /// Whether any task or nsfs file still uses the namespace. Once it is
    /// inactive, no task can enter it (`setns()` needs an nsfs file, which
    /// keeps it active), so its objects can be freed. nsfs can bring a
    /// namespace that something else pins back to life; such a namespace
    /// then finds empty tables, as a new one does.
    pub(crate) fn is_active(&self) -> bool {
        // SAFETY: the reference keeps the namespace alive (invariant).
        unsafe { ripc_ipc_ns_active(self.ns.as_ptr()) }
    }
}

impl Drop for NsRef {
    fn drop(&mut self) {
        // SAFETY: this value holds a reference (invariant), given back once.
        unsafe { ripc_put_ipc_ns(self.ns.as_ptr()) };
    }
}
