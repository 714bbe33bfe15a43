// SPDX-License-Identifier: GPL-2.0

//! What the current task may do and what it is sent: capabilities and
//! signals that `kernel::task` and `kernel::cred` do not cover.

use kernel::{bindings, ffi::c_int};

/// The capabilities ripc checks. A closed set, because `capable()` BUG()s
/// on a number it does not know.
#[derive(Clone, Copy)]
pub(crate) enum Capability {
    /// `CAP_IPC_LOCK`: may lock shared memory (`SHM_LOCK`).
    IpcLock,
    /// `CAP_IPC_OWNER`: overrides the mode bits of SysV objects.
    IpcOwner,
    /// `CAP_SYS_ADMIN`.
    SysAdmin,
    /// `CAP_SYS_RESOURCE`: may exceed resource limits.
    SysResource,
}

/// `capable(cap)`: whether the current task has `cap` in the initial user
/// namespace. Like the C function, a positive answer marks the task as
/// having used the capability (`PF_SUPERPRIV`).
pub(crate) fn capable(cap: Capability) -> bool {
    let cap = match cap {
        Capability::IpcLock => bindings::CAP_IPC_LOCK,
        Capability::IpcOwner => bindings::CAP_IPC_OWNER,
        Capability::SysAdmin => bindings::CAP_SYS_ADMIN,
        Capability::SysResource => bindings::CAP_SYS_RESOURCE,
    };
    // SAFETY: `capable()` only reads the current task's credentials, and
    // `cap` is a valid capability number.
    unsafe { bindings::capable(cap as c_int) }
}

/// Sends `SIGPIPE` to the current task, as a write to a pipe without
/// readers does (`send_sig(SIGPIPE, current, 0)`).
pub(crate) fn send_sigpipe() {
    // SAFETY: the current task is alive while it runs this call.
    unsafe { bindings::send_sig(bindings::SIGPIPE as c_int, bindings::get_current(), 0) };
}

/// The current task's scheduling priority (`current->prio`, lower is
/// served first), which orders blocked POSIX queue senders and receivers.
pub(crate) fn current_prio() -> i32 {
    // SAFETY: the current task is alive while it runs this call; `prio`
    // is read without a lock, as `wq_add()` in `ipc/mqueue.c` reads it.
    unsafe { (*bindings::get_current()).prio }
}
