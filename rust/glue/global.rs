// SPDX-License-Identifier: GPL-2.0

//! Module-wide locked state: locks that live in `static`s and must be
//! initialised once, when the module loads, before any use. Module init
//! calls [`init`] (through [`Teardown::new`]) before it registers
//! `/dev/ripc` and ripcfs, the only ways in.

use crate::{
    ipc::{ChildNsRegistry, MsgTables, SemTables, ShmTables},
    limits::charge::UserTotals,
    sem::UndoOwners,
    uapi,
};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{prelude::*, rbtree::RBTree};

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, before any use (see the module doc).
    /// Pipe pages per user, as `user_struct::pipe_bufs`: one entry for each
    /// user that holds pipe pages, removed when the count drops to 0.
    pub(crate) unsafe(uninit) static PIPE_USER_PAGES: Mutex<UserTotals> = UserTotals::new();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, before any use.
    /// POSIX queue bytes per user, as the `UCOUNT_RLIMIT_MSGQUEUE` ucount
    /// (see `rust/mqueue.rs`).
    pub(crate) unsafe(uninit) static MQ_USER_BYTES: Mutex<UserTotals> = UserTotals::new();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, before any use.
    /// SysV shared memory pages locked by `SHM_LOCK` per user, as the
    /// `UCOUNT_RLIMIT_MEMLOCK` ucount (see `rust/shm.rs`).
    pub(crate) unsafe(uninit) static SHM_USER_PAGES: Mutex<UserTotals> = UserTotals::new();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, before any use.
    /// The message queues of the initial IPC namespace (`init_ipc_ns`),
    /// `msg_ids(&init_ipc_ns).rwsem` (see `rust/ipc.rs`).
    pub(crate) unsafe(uninit) static IPC_MSG: Mutex<MsgTables> = MsgTables::new_init();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, before any use.
    /// The semaphore arrays of the initial IPC namespace.
    pub(crate) unsafe(uninit) static IPC_SEM: Mutex<SemTables> = SemTables::new_init();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, before any use.
    /// The shared memory segments of the initial IPC namespace.
    pub(crate) unsafe(uninit) static IPC_SHM: Mutex<ShmTables> = ShmTables::new_init();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, before any use.
    /// The SysV tables of every other IPC namespace ripc has been used in
    /// (see `rust/ipc.rs`). No namespace's tables are ever taken under it,
    /// so it may be taken inside them (to find the caller's own namespace,
    /// as reading its tunables does: `rust/ipc/tunables.rs`).
    pub(crate) unsafe(uninit) static CHILD_NS: Mutex<ChildNsRegistry> = ChildNsRegistry::new();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, before any use.
    /// The `SEM_UNDO` adjustments of each process (its `sem_undo_list`),
    /// by [`super::process::current_process_key`] (see `rust/sem/undo.rs`).
    pub(crate) unsafe(uninit) static UNDO_OWNERS: Mutex<UndoOwners> = UndoOwners::new();
}

kernel::sync::global_lock! {
    // SAFETY: initialised by `init()`, as above.
    /// POSIX queue attributes handed from `mq_open()` to the queue's
    /// creation, by task id (see `mqueue::open`); empty between calls.
    /// `None` until first used, as a tree cannot be made in a `const`.
    pub(crate) unsafe(uninit) static MQ_PENDING: Mutex<Option<RBTree<i32, uapi::ripc_mq_attr>>> = None;
}

static INITIALISED: AtomicBool = AtomicBool::new(false);

/// Initialises the locks above; only the first call does anything.
pub(crate) fn init() {
    if !INITIALISED.swap(true, Ordering::AcqRel) {
        // SAFETY: the flag makes this the only call of `init` on each lock,
        // and it runs before any use (see the module doc).
        unsafe {
            PIPE_USER_PAGES.init();
            MQ_USER_BYTES.init();
            SHM_USER_PAGES.init();
            IPC_MSG.init();
            IPC_SEM.init();
            IPC_SHM.init();
            CHILD_NS.init();
            UNDO_OWNERS.init();
            MQ_PENDING.init();
        }
    }
}

/// Drops every SysV object when the module goes away: by then no task is
/// inside ripc (an open `/dev/ripc` pins the module), but objects outlive
/// their users, as SysV objects do.
pub(crate) struct Teardown {
    /// Where the SysV tables release what they remove (`rust/glue/rcu.rs`);
    /// `None` once drained.
    releases: Option<super::rcu::Workqueue>,
}

impl Teardown {
    /// Initialises the module-wide state and returns its owner.
    pub(crate) fn new() -> Result<Self> {
        init();
        Ok(Self {
            releases: Some(super::rcu::Workqueue::new()?),
        })
    }
}

impl Drop for Teardown {
    fn drop(&mut self) {
        crate::ipc::clear_all_namespaces();
        // The objects go once their grace period has passed, before the
        // tables below that their release may use.
        drop(self.releases.take());
        // The tables below are empty or about to be, but a `KVec` keeps its
        // allocation until it is replaced.
        UNDO_OWNERS.lock().clear();
        *MQ_PENDING.lock() = None;
        *PIPE_USER_PAGES.lock() = UserTotals::new();
        *MQ_USER_BYTES.lock() = UserTotals::new();
        *SHM_USER_PAGES.lock() = UserTotals::new();
    }
}
