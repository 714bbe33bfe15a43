// SPDX-License-Identifier: GPL-2.0

//! The SysV IPC layer shared by message queues, semaphores and shared
//! memory, as `ipc/util.c`: a table of objects per kind, found by key or by
//! id ([`ids`]), and the ownership and permission checks of
//! `kern_ipc_perm` ([`perm`]); their arithmetic and decisions are in
//! [`rules`], which the host's unit tests check.
//!
//! Each IPC namespace has its own tables, one [`IpcNamespace`] behind one
//! lock, found from the caller's namespace by [`current_ns`]: the initial
//! namespace's is the static [`crate::glue::global::IPC_NS`], any other's
//! is made at its first use and listed in
//! [`crate::glue::global::CHILD_NS`]. So a process after `unshare -i` sees
//! none of its parent's objects, and the parent none of its.
//!
//! Linux frees a namespace's objects in `free_ipc_ns()`, which a module
//! cannot hook. ripc holds a passive reference on each namespace it has
//! tables for ([`NsRef`]) and frees the tables of those no task uses any
//! more (their active count is 0) in [`sweep_dead_namespaces`], called when
//! a `/dev/ripc` file is released, when a namespace gets its tables, on
//! every `*get()` and status read, and at module unload; see
//! `Documentation/architecture.rst`.
//!
//! | `ipc/util.c`, `ipc/util.h`      | ripc                               |
//! |---------------------------------|------------------------------------|
//! | `struct ipc_namespace`          | [`IpcNamespace`]                   |
//! | `current->nsproxy->ipc_ns`      | [`current_ns`]                     |
//! | `free_ipc_ns()`, `free_ipcs()`  | [`sweep_dead_namespaces`], [`IpcNamespace::clear`] |
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

use crate::{
    glue::{
        global::{CHILD_NS, IPC_NS},
        ipcns::{self, CallerNs, NsRef},
    },
    msg::MsgQueue,
    sem::SemArray,
    shm::ShmSegment,
};
use core::ops::{Deref, DerefMut};
use ids::IpcIds;
use kernel::{
    bindings,
    error::Error,
    new_mutex,
    prelude::*,
    sync::{lock::mutex::MutexBackend, lock::Guard, Arc, Mutex},
};

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

/// What a `*_STAT` command returns: 0 for `IPC_STAT`, the object's full id
/// for the forms that take a slot index, so that `ipcs` learns the id.
pub(crate) fn stat_return(cmd: u32, id: i32) -> isize {
    if cmd == crate::uapi::RIPC_IPC_STAT {
        0
    } else {
        id as isize
    }
}

/// The SysV tables of one IPC namespace (`struct ipc_namespace`, its
/// `ids[]`). Guarded as a whole by one lock (`ids->rwsem`); each object has
/// its own lock for everything but its place in the table.
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

    /// Removes every object, as when a namespace dies (`free_ipcs()`):
    /// when no task can reach the tables any more (the namespace is
    /// unused, or the module is unloading).
    pub(crate) fn clear(&mut self) {
        self.msg.drain(|queue| queue.destroy());
        self.sem.drain(|array| array.destroy());
        // Segments still attached stay counted until their last detach.
        let mut attached = 0;
        self.shm.drain(|segment| attached += segment.destroy());
        self.shm_tot = attached;
    }
}

impl Drop for IpcNamespace {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The tables of an IPC namespace other than the initial one.
#[pin_data]
pub(crate) struct ChildNs {
    /// Keeps the namespace's address unique while it is ripc's key.
    ns: NsRef,
    #[pin]
    tables: Mutex<IpcNamespace>,
}

/// The tables of the caller's IPC namespace, as [`current_ns`] found them.
#[derive(Clone)]
pub(crate) enum NsTables {
    /// The initial namespace's, in a static.
    Init,
    /// Another namespace's.
    Child(Arc<ChildNs>),
}

/// The locked tables of an IPC namespace.
pub(crate) enum NsGuard<'a> {
    /// [`NsTables::Init`] locked.
    Init(kernel::sync::lock::GlobalGuard<IPC_NS>),
    /// [`NsTables::Child`] locked.
    Child(Guard<'a, IpcNamespace, MutexBackend>),
}

impl NsTables {
    /// Locks the tables (`down_write(&ids->rwsem)`; ripc has no readers'
    /// side, lookups are short).
    #[inline]
    pub(crate) fn lock(&self) -> NsGuard<'_> {
        match self {
            Self::Init => NsGuard::Init(IPC_NS.lock()),
            Self::Child(child) => NsGuard::Child(child.tables.lock()),
        }
    }
}

impl Deref for NsGuard<'_> {
    type Target = IpcNamespace;

    #[inline]
    fn deref(&self) -> &IpcNamespace {
        match self {
            Self::Init(guard) => guard,
            Self::Child(guard) => guard,
        }
    }
}

impl DerefMut for NsGuard<'_> {
    #[inline]
    fn deref_mut(&mut self) -> &mut IpcNamespace {
        match self {
            Self::Init(guard) => guard,
            Self::Child(guard) => guard,
        }
    }
}

/// The SysV tables of the caller's IPC namespace, made at the namespace's
/// first use of ripc. `ESRCH` for a task past `exit_task_namespaces()`.
#[inline]
pub(crate) fn current_ns() -> Result<NsTables> {
    match ipcns::caller_ns()? {
        CallerNs::Init => Ok(NsTables::Init),
        CallerNs::Child(addr) => Ok(NsTables::Child(child_ns(addr)?)),
    }
}

/// Runs `f` on the locked tables of the caller's IPC namespace: the hot
/// paths' lookup (`msgsnd`, `msgrcv`, `semop`, `shmat` ...), which for the
/// initial namespace costs what a lookup in one static table does.
#[inline]
pub(crate) fn with_current_ns<R>(f: impl FnOnce(&mut IpcNamespace) -> R) -> Result<R> {
    match ipcns::caller_ns()? {
        CallerNs::Init => Ok(f(&mut IPC_NS.lock())),
        CallerNs::Child(addr) => Ok(f(&mut child_ns(addr)?.tables.lock())),
    }
}

/// The tables of namespace `addr`, the caller's, made if it has none.
fn child_ns(addr: ipcns::NsAddr) -> Result<Arc<ChildNs>> {
    let mut children = CHILD_NS.lock();
    if let Some(child) = children.iter().find(|child| child.ns.addr() == addr) {
        return Ok(child.clone());
    }
    // First use in this namespace: a good moment to drop dead ones too,
    // so that their number stays bounded by the live namespaces.
    let dead = take_dead(&mut children);
    let child = Arc::pin_init(
        try_pin_init!(ChildNs {
            ns: NsRef::caller()?,
            tables <- new_mutex!(IpcNamespace::new()),
        }),
        GFP_KERNEL_ACCOUNT,
    )?;
    children.push(child.clone(), GFP_KERNEL_ACCOUNT)?;
    drop(children);
    free(dead);
    Ok(child)
}

/// Moves the tables of namespaces no task uses any more out of the
/// registry (those it has no memory to move stay for the next sweep).
fn take_dead(children: &mut KVec<Arc<ChildNs>>) -> KVec<Arc<ChildNs>> {
    let mut dead = KVec::new();
    children.retain(|child| {
        child.ns.is_active() || dead.push(child.clone(), GFP_KERNEL_ACCOUNT).is_err()
    });
    dead
}

/// Frees the objects of every IPC namespace no task uses any more: their
/// tables are cleared, which removes each object as `IPC_RMID` does (a
/// segment still mapped lives until its last detach).
pub(crate) fn sweep_dead_namespaces() {
    let mut children = CHILD_NS.lock();
    if children.is_empty() {
        return;
    }
    let dead = take_dead(&mut children);
    drop(children);
    free(dead);
}

/// Frees the objects of every IPC namespace, the initial one included, at
/// module unload.
pub(crate) fn clear_all_namespaces() {
    IPC_NS.lock().clear();
    let children = core::mem::replace(&mut *CHILD_NS.lock(), KVec::new());
    free(children);
}

/// Frees the objects of the namespaces in `dead`, outside the registry
/// lock. Their tables are cleared explicitly: a segment still attached
/// holds its namespace's tables (its last detach takes it out of them), so
/// they may outlive this.
fn free(dead: KVec<Arc<ChildNs>>) {
    for child in dead.iter() {
        child.tables.lock().clear();
    }
}
