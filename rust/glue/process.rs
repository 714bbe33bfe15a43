// SPDX-License-Identifier: GPL-2.0

//! What the current process is, for state kept per process (SEM_UNDO),
//! and timeouts turned into jiffies.

use kernel::{bindings, time::Jiffies};

extern "C" {
    fn ripc_current_process_key() -> kernel::ffi::c_ulong;
    fn ripc_current_process_exiting() -> bool;
    fn ripc_rlimit_msgqueue() -> kernel::ffi::c_ulong;
}

/// The caller's `RLIMIT_MSGQUEUE` in bytes (`RLIM_INFINITY` is
/// `usize::MAX`).
pub(crate) fn rlimit_msgqueue() -> usize {
    // SAFETY: takes no argument; `rlimit()` reads the current task's
    // `signal->rlim` with `READ_ONCE()`, valid for as long as the task runs.
    unsafe { ripc_rlimit_msgqueue() as usize }
}

/// Names the current process (the thread group): the address of its
/// `struct pid`, only compared, never dereferenced. Two live processes
/// never share it, and while a [`super::cred::PidRef`] of it is held no
/// later process can get it.
pub(crate) fn current_process_key() -> usize {
    // SAFETY: only reads a pointer of the current task.
    unsafe { ripc_current_process_key() as usize }
}

/// Whether the current task is exiting and no thread of its process will
/// run in userspace again: the moment `exit_sem()` applies `SEM_UNDO`
/// adjustments.
pub(crate) fn current_process_exiting() -> bool {
    // SAFETY: reads the current task's flags and its `signal_struct`,
    // which lives as long as the task.
    unsafe { ripc_current_process_exiting() }
}

/// A relative timeout of `secs` seconds and `nsecs` nanoseconds in
/// jiffies, saturated. A non-zero timeout gets one jiffy more than it
/// holds, so that a wait never ends early (a jiffy wait can end at the
/// next tick). The caller has checked that the time is valid.
pub(crate) fn timeout_jiffies(secs: i64, nsecs: i64) -> Jiffies {
    let ns = u64::try_from(secs)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(nsecs).unwrap_or(0));
    if ns == 0 {
        return 0;
    }
    // SAFETY: pure arithmetic, callable from any context.
    unsafe { bindings::nsecs_to_jiffies(ns) }.saturating_add(1)
}
