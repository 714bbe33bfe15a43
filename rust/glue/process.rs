// SPDX-License-Identifier: GPL-2.0

//! What the current process is, for state kept per process (SEM_UNDO),
//! and timeouts turned into jiffies.

use kernel::{bindings, time::Jiffies};

extern "C" {
    fn ripc_current_files() -> kernel::ffi::c_ulong;
    fn ripc_rlimit_msgqueue() -> kernel::ffi::c_ulong;
}

/// The caller's `RLIMIT_MSGQUEUE` in bytes (`RLIM_INFINITY` is
/// `usize::MAX`).
pub(crate) fn rlimit_msgqueue() -> usize {
    // SAFETY: takes no argument; `rlimit()` reads the current task's
    // `signal->rlim` with `READ_ONCE()`, valid for as long as the task runs.
    unsafe { ripc_rlimit_msgqueue() as usize }
}

/// Identifies the current process's file table (`current->files`), the
/// owner `->flush()` is called with when that process closes a file of
/// ripc, at exit at the latest. Threads share it; `fork()` gives the child
/// its own. Only compared, never dereferenced.
pub(crate) fn current_files_id() -> usize {
    // SAFETY: only reads a pointer of the current task.
    unsafe { ripc_current_files() as usize }
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
