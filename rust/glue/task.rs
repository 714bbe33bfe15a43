// SPDX-License-Identifier: GPL-2.0

//! What the current task may do and what it is sent: capabilities and
//! signals that `kernel::task` and `kernel::cred` do not cover.

use kernel::{
    bindings,
    ffi::{c_int, c_long},
    time::Jiffies,
};

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
    // SAFETY: the current task is alive while it runs this call, so the
    // field is valid for reads. The scheduler writes `prio` from other
    // CPUs (priority inheritance, `sched_setscheduler()`) without a lock
    // we could take, so the read is volatile, as `READ_ONCE()`: one
    // untorn load of an aligned `int`, either the old or the new value,
    // which is all `wq_add()` in `ipc/mqueue.c` needs.
    unsafe { core::ptr::read_volatile(&raw const (*bindings::get_current()).prio) }
}

/// The current task's `self_exec_id`: how many times its process has
/// called `execve()`, which `mq_notify()` records so that a notification
/// signal is not sent to a program that did not ask for it.
pub(crate) fn current_self_exec_id() -> u64 {
    // SAFETY: reads a field of the current task, alive while it runs this.
    unsafe { ripc_current_self_exec_id() }
}

extern "C" {
    fn ripc_set_current_interruptible();
    fn ripc_in_compat_syscall() -> bool;
    // The field is past where bindgen's `task_struct` agrees with C's.
    fn ripc_current_self_exec_id() -> u64;
}

/// No limit for [`sleep_unlocked`] (`MAX_SCHEDULE_TIMEOUT`).
pub(crate) const NO_TIMEOUT: Jiffies = c_long::MAX as Jiffies;

/// Drops `guard` and sleeps, interruptibly, until the current task is
/// woken ([`kernel::task::Task::wake_up`]), a signal is pending or
/// `timeout` jiffies have passed; returns the jiffies left. A wake-up that
/// comes after this call began, even before `guard` is dropped, is not
/// lost: the task is marked sleeping first, as `wq_sleep()` in
/// `ipc/mqueue.c` does. The caller re-takes its lock and re-checks why it
/// slept; a wake-up may also be spurious.
pub(crate) fn sleep_unlocked<G>(guard: G, timeout: Jiffies) -> Jiffies {
    // SAFETY: changes only the current task's own state.
    unsafe { ripc_set_current_interruptible() };
    drop(guard);
    let timeout = c_long::try_from(timeout).unwrap_or(c_long::MAX);
    // SAFETY: called in process context, where the task may sleep; it
    // returns with the task running again.
    let left = unsafe { bindings::schedule_timeout(timeout) };
    left.max(0) as Jiffies
}

/// Drops `guard` and sleeps, interruptibly, until the current task is
/// woken ([`kernel::task::Task::wake_up`]), a signal is pending or the
/// absolute `CLOCK_REALTIME` time `deadline` (in ns; `None`: no limit) is
/// reached, on a high-resolution timer as `wq_sleep()` in `ipc/mqueue.c`
/// (`schedule_hrtimeout_range_clock()`, no slack): the sleep ends at the
/// deadline, not at the next tick, and follows a change of the clock.
/// Returns whether the deadline was reached. As with [`sleep_unlocked`],
/// a wake-up that comes after this call began is not lost, and the caller
/// re-takes its lock and re-checks why it slept.
pub(crate) fn sleep_unlocked_until<G>(guard: G, deadline: Option<i64>) -> bool {
    // SAFETY: changes only the current task's own state.
    unsafe { ripc_set_current_interruptible() };
    drop(guard);
    let Some(mut expires) = deadline else {
        // SAFETY: called in process context, where the task may sleep.
        unsafe { bindings::schedule() };
        return false;
    };
    // SAFETY: called in process context, where the task may sleep;
    // `expires` is valid for the call, which returns with the task running
    // and its on-stack timer cancelled.
    let left = unsafe {
        bindings::schedule_hrtimeout_range_clock(
            &mut expires,
            0,
            bindings::hrtimer_mode_HRTIMER_MODE_ABS,
            bindings::CLOCK_REALTIME as bindings::clockid_t,
        )
    };
    left == 0
}

/// Whether the current system call comes from a 32-bit process
/// (`in_compat_syscall()`), whose `struct timespec` and `long` differ.
pub(crate) fn in_compat_syscall() -> bool {
    // Without CONFIG_COMPAT there are no 32-bit callers: no call on the
    // queue's hot path.
    if !cfg!(CONFIG_COMPAT) {
        return false;
    }
    // SAFETY: `in_compat_syscall()` only reads the current task's syscall
    // state (its registers' mode), valid in any process context.
    unsafe { ripc_in_compat_syscall() }
}
