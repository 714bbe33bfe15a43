// SPDX-License-Identifier: GPL-2.0

//! Module-wide state that needs a lock initialised at load time: the SysV
//! tables of ripc's single IPC namespace.

use crate::{ipc::IpcNamespace, sem::SemArray};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{prelude::*, sync::Arc};

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, called first thing in module init,
    // before any ioctl can reach it.
    pub(crate) unsafe(uninit) static IPC_NS: Mutex<IpcNamespace> = IpcNamespace::new();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, with `IPC_NS`.
    /// The semaphore arrays each process has `SEM_UNDO` adjustments on
    /// (the processes' `sem_undo_list`s), by owner (see `rust/sem.rs`).
    pub(crate) unsafe(uninit) static UNDO_OWNERS: Mutex<KVec<(usize, KVec<Arc<SemArray>>)>> = KVec::new();
}

static INITIALISED: AtomicBool = AtomicBool::new(false);

/// Initialises the locks above; only the first call does anything.
pub(crate) fn init() {
    if !INITIALISED.swap(true, Ordering::AcqRel) {
        // SAFETY: the flag makes this run once, and module init calls it
        // before registering anything that could use the lock.
        unsafe { IPC_NS.init() };
        // SAFETY: as above.
        unsafe { UNDO_OWNERS.init() };
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
        crate::sem::clear_undo();
        IPC_NS.lock().clear();
    }
}
