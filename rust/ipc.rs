// SPDX-License-Identifier: GPL-2.0

//! The SysV IPC layer shared by message queues, semaphores and shared
//! memory, as `ipc/util.c`: a table of objects per kind, found by key or by
//! id ([`ids`]), and the ownership and permission checks of
//! `kern_ipc_perm` ([`perm`]); their arithmetic and decisions are in
//! [`rules`], which the host's unit tests check.
//!
//! All tables live in one [`IpcNamespace`] behind one lock
//! ([`crate::glue::global::IPC_NS`]). There is a single namespace for now;
//! making it per IPC namespace means giving each namespace its own instance
//! of this struct, and nothing else in the mechanisms.
//!
//! | `ipc/util.c`, `ipc/util.h`      | ripc                               |
//! |---------------------------------|------------------------------------|
//! | `struct ipc_namespace`          | [`IpcNamespace`]                   |
//! | `struct ipc_ids`, `ids->rwsem`  | [`ids::IpcIds`], behind `IPC_NS`   |
//! | `struct kern_ipc_perm`          | [`perm::KernIpcPerm`]              |
//! | `ipcget()`                      | [`ids::IpcIds::get`]               |
//! | `ipc_obtain_object_check()`     | [`ids::IpcIds::obtain_check`]      |
//! | `ipc_obtain_object_idr()`       | [`ids::IpcIds::obtain_idx`]        |
//! | `ipc_rmid()`                    | [`ids::IpcIds::remove`]            |
//! | `ipc_buildid()`, `ipcid_to_idx()`| [`rules::build_id`], [`rules::id_idx`] |
//! | `ipcperms()`                    | [`perm::ipcperms`], [`rules::grants`] |
//! | `ipcctl_obtain_check()` rights  | [`perm::may_change`]               |
//! | `ipc_update_perm()`             | [`perm::KernIpcPerm::update`]      |
//! | `kernel_to_ipc64_perm()`        | [`perm::KernIpcPerm::to_user`]     |

pub(crate) mod ids;
pub(crate) mod perm;
pub(crate) mod rules;

use crate::{msg::MsgQueue, sem::SemArray, shm::ShmSegment};
use ids::IpcIds;
use kernel::{bindings, error::Error};

/// `EIDRM`: the object was removed (not in `kernel::error::code`).
pub(crate) fn eidrm() -> Error {
    Error::from_errno(-(bindings::EIDRM as i32))
}

/// `ENOMSG`: no message of the wanted type (not in `kernel::error::code`).
pub(crate) fn enomsg() -> Error {
    Error::from_errno(-(bindings::ENOMSG as i32))
}

/// `IPC_PRIVATE`: a key that never matches, so each get makes a new object.
pub(crate) const IPC_PRIVATE: i32 = crate::uapi::RIPC_IPC_PRIVATE as i32;

/// The SysV tables of one IPC namespace (`struct ipc_namespace`, its
/// `ids[]`). Guarded as a whole by `IPC_NS`; each object has its own lock
/// for everything but its place in the table.
pub(crate) struct IpcNamespace {
    /// Message queues (`ids[IPC_MSG_IDS]`).
    pub(crate) msg: IpcIds<MsgQueue>,
    /// Semaphore arrays (`ids[IPC_SEM_IDS]`).
    pub(crate) sem: IpcIds<SemArray>,
    /// Shared memory segments (`ids[IPC_SHM_IDS]`).
    pub(crate) shm: IpcIds<ShmSegment>,
    /// `shm_tot`: pages of all segments together, each size rounded up.
    pub(crate) shm_tot: usize,
}

impl IpcNamespace {
    /// An empty namespace; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self {
            msg: IpcIds::new(),
            sem: IpcIds::new(),
            shm: IpcIds::new(),
            shm_tot: 0,
        }
    }

    /// Removes every object, as when a namespace dies (`free_ipcs()`).
    /// Called at module unload, when no task can be inside ripc.
    pub(crate) fn clear(&mut self) {
        self.msg.drain(|queue| queue.destroy());
        self.sem.drain(|array| array.destroy());
        self.shm.drain(|segment| segment.destroy());
        self.shm_tot = 0;
    }
}
