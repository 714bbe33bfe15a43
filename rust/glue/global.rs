// SPDX-License-Identifier: GPL-2.0

//! Module-wide state that needs a lock initialised at load time: the SysV
//! tables of ripc's single IPC namespace, and the attributes POSIX queues
//! are being created with.

use crate::{ipc::IpcNamespace, uapi};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, called first thing in module init,
    // before any ioctl can reach it.
    pub(crate) unsafe(uninit) static IPC_NS: Mutex<IpcNamespace> = IpcNamespace::new();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, as above.
    /// POSIX queue attributes handed from `mq_open()` to the queue's
    /// creation, by task (see `mqueue::open`); empty between calls.
    pub(crate) unsafe(uninit) static MQ_PENDING: Mutex<KVec<(usize, uapi::ripc_mq_attr)>> = KVec::new();
}

static INITIALISED: AtomicBool = AtomicBool::new(false);

/// Initialises the locks above; only the first call does anything.
pub(crate) fn init() {
    if !INITIALISED.swap(true, Ordering::AcqRel) {
        // SAFETY: the flag makes this run once, and module init calls it
        // before registering anything that could use the lock.
        unsafe { IPC_NS.init() };
        // SAFETY: as above.
        unsafe { MQ_PENDING.init() };
    }
}

/// Drops every SysV object when the module goes away: by then no task is
/// inside ripc (an open `/dev/ripc` pins the module), but objects outlive
/// their users, as SysV objects do.
pub(crate) struct Teardown(());

impl Teardown {
    /// Initialises the module-wide state and returns its owner.
    pub(crate) fn new() -> Self {
        init();
        Self(())
    }
}

impl Drop for Teardown {
    fn drop(&mut self) {
        IPC_NS.lock().clear();
        // Empty between calls, but it may still hold an allocation.
        *MQ_PENDING.lock() = KVec::new();
    }
}
