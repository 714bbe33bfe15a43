// SPDX-License-Identifier: GPL-2.0

//! Credentials, pids and wall-clock time of the current task,
//! as the SysV IPC layer needs them (`current_euid()`, `in_group_p()`,
//! `make_kuid()`, `task_tgid_vnr()`, ...).
//!
//! Ids are kept in their kernel form ([`Kuid`], [`Kgid`]) and only turned
//! into numbers of the caller's user namespace at the ABI boundary.

use core::ptr::NonNull;
use kernel::{bindings, cred::Credential, sync::aref::ARef};

/// A kernel uid (`kuid_t`): namespace-independent. The kernel crate's
/// [`kernel::task::Kuid`], with the conversions to and from the caller's
/// user namespace that SysV IPC needs (`make_kuid()`, `from_kuid_munged()`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kuid(kernel::task::Kuid);

/// A kernel gid (`kgid_t`): namespace-independent.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kgid(u32);

/// `(uid_t)-1`: what `make_kuid()` returns for an id without mapping.
const INVALID_ID: u32 = u32::MAX;

extern "C" {
    // `struct pid *`, untyped: the struct embeds a zero-sized array that
    // the `improper_ctypes` lint rejects.
    fn ripc_get_current_tgid() -> *mut kernel::ffi::c_void;
    fn ripc_is_current_tgid(pid: *mut kernel::ffi::c_void) -> bool;
    fn ripc_get_pid(pid: *mut kernel::ffi::c_void) -> *mut kernel::ffi::c_void;
    fn ripc_pid_has_process(pid: *mut kernel::ffi::c_void) -> bool;
    // `struct user_namespace *`, returned untyped because the struct embeds
    // a zero-sized array that the `improper_ctypes` lint rejects.
    fn ripc_current_user_ns() -> *mut kernel::ffi::c_void;
    fn ripc_current_egid() -> bindings::kgid_t;
    fn ripc_current_tid() -> i32;
    // `struct cred *` and `struct pid *` untyped, as above.
    fn ripc_get_current_cred() -> *mut kernel::ffi::c_void;
    fn ripc_mq_notify_signal(
        owner: *mut kernel::ffi::c_void,
        registrant: *const kernel::ffi::c_void,
        exec_id: u64,
        sig: i32,
        value: u64,
    );
}

fn current_user_ns() -> *mut bindings::user_namespace {
    // SAFETY: reads the current task's credentials, always valid in task
    // context; the namespace lives as long as the credentials do, which
    // outlive the syscall we are in.
    unsafe { ripc_current_user_ns() }.cast()
}

impl Kuid {
    /// The raw kernel value, to keep in an atomic.
    pub(crate) fn raw(self) -> u32 {
        self.0.into_raw().val
    }

    /// Back from [`Kuid::raw`].
    pub(crate) fn from_raw(raw: u32) -> Self {
        Self(kernel::task::Kuid::from_raw(bindings::kuid_t { val: raw }))
    }

    /// The effective uid of the current task.
    pub(crate) fn current_euid() -> Self {
        Self(kernel::task::Kuid::current_euid())
    }

    /// Maps `uid` of the caller's user namespace (`make_kuid()`); `None`
    /// if it has no mapping.
    pub(crate) fn from_user(uid: u32) -> Option<Self> {
        // SAFETY: `current_user_ns()` is valid during the syscall.
        let kuid = unsafe { bindings::make_kuid(current_user_ns(), uid) };
        (kuid.val != INVALID_ID).then(|| Self(kernel::task::Kuid::from_raw(kuid)))
    }

    /// The uid as seen from the caller's user namespace
    /// (`from_kuid_munged()`: the overflow uid if unmapped; the kernel
    /// crate's `into_uid_in_current_ns()` is `from_kuid()`, which gives -1).
    pub(crate) fn to_user(self) -> u32 {
        // SAFETY: `current_user_ns()` is valid during the syscall.
        unsafe { bindings::from_kuid_munged(current_user_ns(), self.0.into_raw()) }
    }
}

impl Kgid {
    /// The raw kernel value, to keep in an atomic.
    pub(crate) const fn raw(self) -> u32 {
        self.0
    }

    /// Back from [`Kgid::raw`].
    pub(crate) const fn from_raw(raw: u32) -> Self {
        Self(raw)
    }

    /// The effective gid of the current task.
    pub(crate) fn current_egid() -> Self {
        // SAFETY: only reads the current task's credentials.
        Self(unsafe { ripc_current_egid() }.val)
    }

    /// Maps `gid` of the caller's user namespace (`make_kgid()`); `None`
    /// if it has no mapping.
    pub(crate) fn from_user(gid: u32) -> Option<Self> {
        // SAFETY: `current_user_ns()` is valid during the syscall.
        let kgid = unsafe { bindings::make_kgid(current_user_ns(), gid) };
        (kgid.val != INVALID_ID).then_some(Self(kgid.val))
    }

    /// The gid as seen from the caller's user namespace.
    pub(crate) fn to_user(self) -> u32 {
        // SAFETY: `current_user_ns()` is valid during the syscall.
        unsafe { bindings::from_kgid_munged(current_user_ns(), bindings::kgid_t { val: self.0 }) }
    }

    /// Whether the current task is in this group (`in_group_p()`: its
    /// fsgid or one of its supplementary groups).
    pub(crate) fn current_in_group(self) -> bool {
        // SAFETY: only reads the current task's credentials.
        unsafe { bindings::in_group_p(bindings::kgid_t { val: self.0 }) != 0 }
    }
}

/// The current thread's id in the initial pid namespace
/// (`task_pid_nr(current)`): unique among live threads.
pub(crate) fn current_tid() -> i32 {
    // SAFETY: reads the current task's pid, valid while it runs.
    unsafe { ripc_current_tid() }
}

/// Seconds since the epoch (`ktime_get_real_seconds()`).
pub(crate) fn real_seconds() -> i64 {
    // SAFETY: reads the clock; callable from any context.
    unsafe { bindings::ktime_get_real_seconds() }
}

/// The time since the epoch in nanoseconds (`ktime_get_real_ts64()`),
/// the clock of absolute `CLOCK_REALTIME` timeouts.
pub(crate) fn real_time_ns() -> i64 {
    let mut ts = bindings::timespec64 {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is valid for writes.
    unsafe { bindings::ktime_get_real_ts64(&mut ts) };
    ts.tv_sec * 1_000_000_000 + ts.tv_nsec as i64
}

/// A counted reference to a process (`struct pid` of a thread-group
/// leader), as `notify_owner` of `ipc/mqueue.c` keeps it.
///
/// # Invariants
///
/// The pointer is a valid `struct pid` on which we hold one reference.
pub(crate) struct PidRef(NonNull<bindings::pid>);

// SAFETY: a `struct pid` reference may be used and dropped from any thread.
unsafe impl Send for PidRef {}
// SAFETY: the methods only read the `struct pid` or call thread-safe
// functions on it.
unsafe impl Sync for PidRef {}

impl PidRef {
    /// The current process.
    pub(crate) fn current_process() -> Self {
        // SAFETY: `task_tgid(current)` is valid in task context and
        // `get_pid()` takes a reference on it.
        let pid = unsafe { ripc_get_current_tgid() }.cast::<bindings::pid>();
        // INVARIANT: `task_tgid()` of a live task is never null.
        Self(NonNull::new(pid).expect("a live task has a pid"))
    }

    /// Whether this is the current process.
    pub(crate) fn is_current(&self) -> bool {
        // SAFETY: compares pointers only.
        unsafe { ripc_is_current_tgid(self.0.as_ptr().cast()) }
    }

    /// Whether a process still has this pid (a zombie does, until it is
    /// reaped).
    pub(crate) fn has_process(&self) -> bool {
        // SAFETY: the pid is valid, by the type invariant.
        unsafe { ripc_pid_has_process(self.0.as_ptr().cast()) }
    }

    /// Its number in the caller's pid namespace (`pid_vnr()`), 0 if none.
    pub(crate) fn nr(&self) -> i32 {
        // SAFETY: the pid is valid, by the type invariant.
        unsafe { bindings::pid_vnr(self.0.as_ptr()) }
    }

    /// Its number in the pid namespace `ns` (`pid_nr_ns()`), 0 if it has
    /// none there: what a reader whose namespace is `ns` must be shown,
    /// as the `/proc/sysvipc/` files do.
    pub(crate) fn nr_in(&self, ns: &kernel::pid_namespace::PidNamespace) -> i32 {
        // SAFETY: the pid is valid, by the type invariant, and `ns` is a
        // valid pid namespace for the duration of the borrow.
        unsafe { bindings::pid_nr_ns(self.0.as_ptr(), ns.as_ptr()) }
    }

    /// Sends the signal of a POSIX message queue notification from the
    /// current task, as `__do_notify()` in `ipc/mqueue.c` does: `sig` with
    /// `si_code` `SI_MESGQ`, `value` as `si_value`, and as `si_pid` and
    /// `si_uid` the sending process and its real uid as the registered
    /// process sees them (the pid in this pid's namespace, the uid in the
    /// user namespace of `registrant`).
    ///
    /// Nothing is sent if the process is gone or has called `execve()`
    /// since its `self_exec_id` was `exec_id`: the new program did not ask
    /// for the signal. There is no permission check, as in Linux
    /// (`do_send_sig_info()`, not `kill_pid_info()`): registering was the
    /// permission.
    pub(crate) fn send_mq_notification(
        &self,
        sig: i32,
        value: u64,
        exec_id: u64,
        registrant: &RegistrantCred,
    ) {
        // SAFETY: the pid is valid, by the type invariant, and so are the
        // credentials, which `registrant` holds; the shim takes the RCU
        // read lock that `pid_task()` needs.
        unsafe {
            ripc_mq_notify_signal(
                self.0.as_ptr().cast(),
                registrant.0.as_ptr().cast(),
                exec_id,
                sig,
                value,
            )
        };
    }
}

/// The credentials of a task that registered for a notification, kept for
/// their user namespace (`notify_user_ns` in `ipc/mqueue.c`), in which
/// the notification's `si_uid` is given. Holding the credentials holds the
/// namespace (`get_user_ns()` is inline and out of reach).
pub(crate) struct RegistrantCred(ARef<Credential>);

impl RegistrantCred {
    /// The current task's.
    pub(crate) fn current() -> Self {
        // SAFETY: `get_current_cred()` returns the current task's
        // credentials with a reference taken, never null.
        let cred = unsafe { ripc_get_current_cred() };
        // SAFETY: the `ARef` takes over that reference; `Credential` is a
        // transparent wrapper of `struct cred`.
        Self(unsafe { ARef::from_raw(NonNull::new_unchecked(cred.cast::<Credential>())) })
    }
}

impl Clone for PidRef {
    fn clone(&self) -> Self {
        // SAFETY: the pid is valid, by the type invariant; `ripc_get_pid()`
        // takes one more reference, which the clone owns.
        let pid = unsafe { ripc_get_pid(self.0.as_ptr().cast()) }.cast::<bindings::pid>();
        // INVARIANT: `get_pid()` returns its (non-null) argument.
        Self(NonNull::new(pid).expect("get_pid() returns its argument"))
    }
}

impl Drop for PidRef {
    fn drop(&mut self) {
        // SAFETY: we own one reference, by the type invariant.
        unsafe { bindings::put_pid(self.0.as_ptr()) };
    }
}
