// SPDX-License-Identifier: GPL-2.0

//! The SysV IPC layer shared by message queues, semaphores and shared
//! memory, as `ipc/util.c`: a table of objects per kind, found by key or by
//! id ([`ids`]), and the ownership and permission checks of
//! `kern_ipc_perm` ([`perm`]); their arithmetic and decisions are in
//! [`rules`], which the host's unit tests check.
//!
//! Each IPC namespace has its own tables, one per kind ([`MsgTables`],
//! [`SemTables`], [`ShmTables`]) each behind its own lock, as Linux's
//! `ids->rwsem`, found from the caller's namespace by [`current_ns`]: the
//! initial namespace's are the statics [`crate::glue::global::IPC_MSG`],
//! `IPC_SEM` and `IPC_SHM`, any other's are made at its first use and
//! listed in [`crate::glue::global::CHILD_NS`]. So a process after `unshare -i` sees
//! none of its parent's objects, and the parent none of its.
//!
//! Linux frees a namespace's objects in `free_ipc_ns()`, which a module
//! cannot hook. ripc holds a passive reference on each namespace it has
//! tables for ([`NsRef`]) and frees the tables of those no task uses any
//! more (their active count is 0) in [`sweep_dead_namespaces`], called when
//! a `/dev/ripc` file is released, when a namespace gets its tables, on
//! `*get()` calls (a `semget()` only when it creates) and status reads
//! (each time looking at a few namespaces, in turn), and at module
//! unload; see `Documentation/architecture.rst`.
//! While no namespace but the initial one has tables, a sweep costs one
//! load ([`CHILDREN_EXIST`]), so that a `*get()` by key costs what Linux's
//! does.
//!
//! Lock order: [`crate::glue::global::CHILD_NS`] (held alone, never with a
//! namespace's tables), then the tables of one kind in a namespace
//! ([`NsTables::lock_msg`], [`NsTables::lock_sem`], [`NsTables::lock_shm`];
//! never two kinds at once), then an object's own lock (a segment's
//! `inner` under the segment tables, as `shm_close()` takes `shm_perm.lock`
//! under `shm_ids.rwsem`). Under the first two only O(1) or O(log n)
//! work runs: no allocation (new entries are allocated unlocked and
//! inserted ready, see [`NsTables::get`]), no userspace copy. Lookups by
//! id take neither: they read the tables' [`NsIndex`] under RCU
//! ([`lookup`], [`NsTables::index`]), as `ipc_obtain_object_check()`.
//!
//! | `ipc/util.c`, `ipc/util.h`      | ripc                               |
//! |---------------------------------|------------------------------------|
//! | `struct ipc_namespace`          | [`NsTables`], [`ChildNs`]          |
//! | `current->nsproxy->ipc_ns`      | [`current_ns`]                     |
//! | `free_ipc_ns()`, `free_ipcs()`  | [`sweep_dead_namespaces`], [`MsgTables::clear`] and twins |
//! | `struct ipc_ids`, `ids->rwsem`  | [`ids::IpcIds`], in [`MsgTables`] and twins, each a lock |
//! | `struct kern_ipc_perm`          | [`perm::KernIpcPerm`]              |
//! | `ipcget()`                      | [`ids::IpcIds::get`]               |
//! | `ipc_obtain_object_check()`     | [`ids::IdIndex::obtain_check`]     |
//! | `ipc_obtain_object_idr()`       | [`ids::IdIndex::obtain_idx`]       |
//! | `ipc_rmid()`                    | [`ids::IpcIds::remove`]            |
//! | `ipc_buildid()`, `ipcid_to_idx()`| [`rules::build_id`], [`rules::id_idx`] |
//! | `ipcperms()`                    | [`perm::ipcperms`], [`rules::grants`] |
//! | `ipcctl_obtain_check()` rights  | [`perm::may_change`]               |
//! | `ipc_update_perm()`             | [`perm::KernIpcPerm::update`]      |
//! | `kernel_to_ipc64_perm()`        | [`perm::KernIpcPerm::to_user`]     |

pub(crate) mod ids;
pub(crate) mod perm;
pub(crate) mod rules;
pub(crate) mod tunables;

use crate::{
    glue::{
        global::{CHILD_NS, IPC_MSG, IPC_SEM, IPC_SHM},
        ipcns::{self, CallerNs, NsRef},
    },
    msg::{MsgQueue, MsgTotals},
    sem::SemArray,
    shm::ShmSegment,
};
use core::{
    ops::{Deref, DerefMut},
    sync::atomic::{AtomicBool, Ordering},
};
use ids::{IdIndex, IpcIds, IpcObject, SpareChunk};
use kernel::{
    bindings,
    error::Error,
    new_mutex,
    prelude::*,
    rbtree::{RBTree, RBTreeNode, RBTreeNodeReservation},
    sync::{
        lock::{mutex::MutexBackend, GlobalGuard, GlobalLockBackend, Guard},
        Arc, Mutex,
    },
};
use perm::KernIpcPerm;

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

/// The message queues of one IPC namespace (`ids[IPC_MSG_IDS]` and the
/// message totals), behind their own lock (`msg_ids.rwsem`).
pub(crate) struct MsgTables {
    /// The queues.
    pub(crate) msg: IpcIds<MsgQueue>,
    /// `percpu_msg_hdrs`, `percpu_msg_bytes`: the messages of all queues,
    /// kept by the queues themselves (made at the first `msgget`).
    pub(crate) msg_totals: Option<Arc<MsgTotals>>,
}

/// The semaphore arrays of one IPC namespace (`ids[IPC_SEM_IDS]`), behind
/// their own lock (`sem_ids.rwsem`).
pub(crate) struct SemTables {
    /// The arrays.
    pub(crate) sem: IpcIds<SemArray>,
    /// `used_sems`: semaphores of all arrays together (`semmns`), kept as
    /// arrays come and go so that `semget` does not add them up.
    pub(crate) used_sems: usize,
}

/// The shared memory segments of one IPC namespace (`ids[IPC_SHM_IDS]`),
/// behind their own lock (`shm_ids.rwsem`).
pub(crate) struct ShmTables {
    /// The segments.
    pub(crate) shm: IpcIds<ShmSegment>,
    /// `shm_tot`: pages of all segments together, each size rounded up.
    pub(crate) shm_tot: usize,
}

/// The initial namespace's indexes, read by its lookups and written by
/// its tables ([`crate::glue::global::IPC_MSG`] and its twins).
static INIT_MSG_INDEX: IdIndex<MsgQueue> = IdIndex::new();
static INIT_SEM_INDEX: IdIndex<SemArray> = IdIndex::new();
static INIT_SHM_INDEX: IdIndex<ShmSegment> = IdIndex::new();

impl MsgTables {
    /// The initial namespace's, empty; allocates nothing.
    pub(crate) const fn new_init() -> Self {
        Self {
            msg: IpcIds::new_static(&INIT_MSG_INDEX),
            msg_totals: None,
        }
    }

    /// `msg_exit_ns()`: removes every queue.
    fn clear(&mut self) {
        self.msg.drain(|queue| queue.destroy());
    }
}

impl SemTables {
    /// The initial namespace's, empty; allocates nothing.
    pub(crate) const fn new_init() -> Self {
        Self {
            sem: IpcIds::new_static(&INIT_SEM_INDEX),
            used_sems: 0,
        }
    }

    /// `sem_exit_ns()`: removes every array.
    fn clear(&mut self) {
        self.sem.drain(|array| array.destroy());
        self.used_sems = 0;
    }
}

impl ShmTables {
    /// The initial namespace's, empty; allocates nothing.
    pub(crate) const fn new_init() -> Self {
        Self {
            shm: IpcIds::new_static(&INIT_SHM_INDEX),
            shm_tot: 0,
        }
    }

    /// `shm_exit_ns()`: removes every segment; one still attached goes at
    /// its last detach, and stays counted until then.
    fn clear(&mut self) {
        let mut attached = 0;
        self.shm.drain(|segment| attached += segment.destroy());
        self.shm_tot = attached;
    }
}

/// The tables of an IPC namespace other than the initial one.
#[pin_data]
pub(crate) struct ChildNs {
    /// Keeps the namespace's address unique while it is ripc's key.
    ns: NsRef,
    /// The namespace's sysctls, read without the lock ([`tunables`]).
    tunables: tunables::Tunables,
    /// What lookups by id read, without the locks.
    index: ChildIndex,
    #[pin]
    msg: Mutex<MsgTables>,
    #[pin]
    sem: Mutex<SemTables>,
    #[pin]
    shm: Mutex<ShmTables>,
}

/// The indexes of a namespace other than the initial one, shared by its
/// tables and its lookups.
struct ChildIndex {
    msg: Arc<IdIndex<MsgQueue>>,
    sem: Arc<IdIndex<SemArray>>,
    shm: Arc<IdIndex<ShmSegment>>,
}

impl ChildIndex {
    fn new() -> Result<Self> {
        Ok(Self {
            msg: Arc::new(IdIndex::new(), GFP_KERNEL_ACCOUNT)?,
            sem: Arc::new(IdIndex::new(), GFP_KERNEL_ACCOUNT)?,
            shm: Arc::new(IdIndex::new(), GFP_KERNEL_ACCOUNT)?,
        })
    }
}

/// The lookups' side of an IPC namespace's tables (`ipcs_idr` of each
/// kind as read under RCU): found without the tables' lock.
pub(crate) struct NsIndex<'a> {
    /// Message queues.
    pub(crate) msg: &'a IdIndex<MsgQueue>,
    /// Semaphore arrays.
    pub(crate) sem: &'a IdIndex<SemArray>,
    /// Shared memory segments.
    pub(crate) shm: &'a IdIndex<ShmSegment>,
}

impl NsIndex<'static> {
    /// The initial namespace's.
    fn init() -> Self {
        Self {
            msg: &INIT_MSG_INDEX,
            sem: &INIT_SEM_INDEX,
            shm: &INIT_SHM_INDEX,
        }
    }
}

impl ChildNs {
    /// `free_ipcs()` of each kind, one lock at a time.
    fn clear(&self) {
        self.msg.lock().clear();
        self.sem.lock().clear();
        self.shm.lock().clear();
    }

    /// What lookups by id read.
    fn index(&self) -> NsIndex<'_> {
        NsIndex {
            msg: &self.index.msg,
            sem: &self.index.sem,
            shm: &self.index.shm,
        }
    }
}

/// The tables of the caller's IPC namespace, as [`current_ns`] found them.
#[derive(Clone)]
pub(crate) enum NsTables {
    /// The initial namespace's, in a static.
    Init,
    /// Another namespace's.
    Child(Arc<ChildNs>),
}

/// The locked tables of one kind (`down_write(&ids->rwsem)`) in an IPC
/// namespace: `B` is the initial namespace's lock of that kind.
pub(crate) enum KindGuard<'a, B: GlobalLockBackend<Backend = MutexBackend>> {
    /// [`NsTables::Init`]'s, locked.
    Init(GlobalGuard<B>),
    /// [`NsTables::Child`]'s, locked.
    Child(Guard<'a, B::Item, MutexBackend>),
}

impl<B: GlobalLockBackend<Backend = MutexBackend>> Deref for KindGuard<'_, B> {
    type Target = B::Item;

    #[inline]
    fn deref(&self) -> &B::Item {
        match self {
            Self::Init(guard) => guard,
            Self::Child(guard) => guard,
        }
    }
}

impl<B: GlobalLockBackend<Backend = MutexBackend>> DerefMut for KindGuard<'_, B>
where
    B::Item: Unpin,
{
    #[inline]
    fn deref_mut(&mut self) -> &mut B::Item {
        match self {
            Self::Init(guard) => guard,
            Self::Child(guard) => guard,
        }
    }
}

/// The lock of the message queues of an IPC namespace.
pub(crate) type MsgGuard<'a> = KindGuard<'a, IPC_MSG>;
/// The lock of the semaphore arrays of an IPC namespace.
pub(crate) type SemGuard<'a> = KindGuard<'a, IPC_SEM>;
/// The lock of the shared memory segments of an IPC namespace.
pub(crate) type ShmGuard<'a> = KindGuard<'a, IPC_SHM>;

impl NsTables {
    /// Locks the message queues (`msg_ids.rwsem` for writing), to create,
    /// remove, find by key or walk them; lookups by id need no lock
    /// ([`NsTables::index`]).
    #[inline]
    pub(crate) fn lock_msg(&self) -> MsgGuard<'_> {
        match self {
            Self::Init => KindGuard::Init(IPC_MSG.lock()),
            Self::Child(child) => KindGuard::Child(child.msg.lock()),
        }
    }

    /// Locks the semaphore arrays, as [`NsTables::lock_msg`].
    #[inline]
    pub(crate) fn lock_sem(&self) -> SemGuard<'_> {
        match self {
            Self::Init => KindGuard::Init(IPC_SEM.lock()),
            Self::Child(child) => KindGuard::Child(child.sem.lock()),
        }
    }

    /// Locks the shared memory segments, as [`NsTables::lock_msg`].
    #[inline]
    pub(crate) fn lock_shm(&self) -> ShmGuard<'_> {
        match self {
            Self::Init => KindGuard::Init(IPC_SHM.lock()),
            Self::Child(child) => KindGuard::Child(child.shm.lock()),
        }
    }

    /// The lookups' side of the tables, read without their lock.
    #[inline]
    pub(crate) fn index(&self) -> NsIndex<'_> {
        match self {
            Self::Init => NsIndex::init(),
            Self::Child(child) => child.index(),
        }
    }
}

impl NsTables {
    /// `ipcget()`: the id of the object of kind `kind` with `key`, made by
    /// `create` if needed (see [`IpcIds::find_key`] for the errors; at
    /// most `limit` objects). Only lookups and O(1) or O(log n) updates
    /// run with the tables locked: `create` and the memory of the new
    /// entry are allocated unlocked, then the ready object is inserted. If
    /// another task made an object with the same key meanwhile, that one
    /// is found instead (and `create`'s is dropped), as if the calls had
    /// been serialised. `create` must not change anything but its object.
    /// `lock` takes the kind's lock ([`NsTables::lock_msg`] ...), `kind`
    /// finds its table.
    #[expect(clippy::too_many_arguments)]
    pub(crate) fn get<T: IpcObject, B: GlobalLockBackend<Backend = MutexBackend>>(
        &self,
        lock: for<'a> fn(&'a NsTables) -> KindGuard<'a, B>,
        kind: fn(&mut B::Item) -> &mut IpcIds<T>,
        key: i32,
        flags: i32,
        limit: usize,
        check: impl Fn(&T) -> Result,
        create: impl FnOnce(KernIpcPerm) -> Result<Arc<T>>,
    ) -> Result<i32>
    where
        B::Item: Unpin,
    {
        let slot = loop {
            let mut ns = lock(self);
            let ids = kind(&mut ns);
            if key != IPC_PRIVATE {
                if let Some(id) = ids.find_key(key, flags, &check)? {
                    return Ok(id);
                }
            }
            if let Some(slot) = ids.reserve(key, limit)? {
                break slot;
            }
            drop(ns);
            let chunk = SpareChunk::new()?;
            kind(&mut lock(self)).add_chunk(chunk);
        };
        let made = slot.memory().and_then(|memory| {
            let object = create(slot.perm(flags))?;
            Ok((slot.node(object)?, memory))
        });
        let mut ns = lock(self);
        let ids = kind(&mut ns);
        let (node, memory) = match made {
            Ok(made) => made,
            Err(err) => {
                ids.cancel(slot);
                return Err(err);
            }
        };
        if key != IPC_PRIVATE {
            match ids.find_key(key, flags, &check) {
                Ok(None) => {}
                found => {
                    ids.cancel(slot);
                    drop(ns);
                    drop(node);
                    return found.map(|id| id.unwrap_or_default());
                }
            }
        }
        Ok(ids.insert(slot, node, memory))
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

/// Runs `f` on the index of the caller's IPC namespace: the hot paths'
/// lookup by id (`msgrcv`, `shmat`, `*ctl` ...), under RCU and without
/// the tables' lock, as `ipc_obtain_object_check()`.
#[inline]
pub(crate) fn lookup<R>(f: impl FnOnce(NsIndex<'_>) -> R) -> Result<R> {
    match ipcns::caller_ns()? {
        CallerNs::Init => Ok(f(NsIndex::init())),
        CallerNs::Child(addr) => Ok(f(child_ns(addr)?.index())),
    }
}

/// Whether [`crate::glue::global::CHILD_NS`] may hold a namespace: set
/// under its lock when one is added, cleared under it when the last one
/// goes. Read without the lock by [`sweep_dead_namespaces`], which a stale
/// `false` only makes skip a sweep that a later call does.
static CHILDREN_EXIST: AtomicBool = AtomicBool::new(false);

/// How many namespaces a sweep looks at: a sweep costs the same however
/// many namespaces there are, and each new entry pays for checking this
/// many others, so dead ones are found within a few calls.
const SWEEP_BATCH: usize = 8;

/// The tables of every IPC namespace but the initial one, by namespace
/// ([`crate::glue::global::CHILD_NS`]).
///
/// # Invariants
///
/// Each entry's key is the address of the namespace its `NsRef` holds.
pub(crate) struct ChildNsRegistry {
    /// Made at the first child namespace: `RBTree::new()` is not `const`.
    children: Option<RBTree<ipcns::NsAddr, Arc<ChildNs>>>,
    /// Where the next sweep starts: the namespaces above it come first.
    hand: Option<ipcns::NsAddr>,
}

/// Entries a sweep took out of the registry, to free with it unlocked.
type Dead = [Option<RBTreeNode<ipcns::NsAddr, Arc<ChildNs>>>; SWEEP_BATCH];

impl ChildNsRegistry {
    /// An empty registry; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self {
            children: None,
            hand: None,
        }
    }

    fn get(&self, addr: ipcns::NsAddr) -> Option<Arc<ChildNs>> {
        self.children.as_ref()?.get(&addr).cloned()
    }

    /// Takes out of the registry the dead among the next
    /// [`SWEEP_BATCH`] namespaces after the hand, cyclically.
    fn sweep(&mut self) -> Dead {
        let mut dead: Dead = [const { None }; SWEEP_BATCH];
        let Some(children) = self.children.as_mut() else {
            return dead;
        };
        let mut found = 0;
        for _ in 0..SWEEP_BATCH {
            // The first namespace after the hand, or the first of all.
            let next = match self.hand {
                Some(hand) => children
                    .cursor_lower_bound(&hand)
                    .and_then(|c| {
                        let (&addr, _) = c.current();
                        if addr == hand {
                            c.peek_next().map(|(&addr, _)| addr)
                        } else {
                            Some(addr)
                        }
                    })
                    .or_else(|| children.cursor_front().map(|c| *c.current().0)),
                None => children.cursor_front().map(|c| *c.current().0),
            };
            let Some(addr) = next else {
                break;
            };
            self.hand = Some(addr);
            if children
                .get(&addr)
                .is_some_and(|child| !child.ns.is_active())
            {
                dead[found] = children.remove_node(&addr);
                found += 1;
            }
        }
        dead
    }
}

/// The tables of namespace `addr`, the caller's, made if it has none.
#[inline]
fn child_ns(addr: ipcns::NsAddr) -> Result<Arc<ChildNs>> {
    if let Some(child) = CHILD_NS.lock().get(addr) {
        return Ok(child);
    }
    new_child_ns(addr)
}

/// The first use of ripc in namespace `addr`: makes its tables unlocked
/// (apart from the lookups' path: its frame is large).
#[inline(never)]
fn new_child_ns(addr: ipcns::NsAddr) -> Result<Arc<ChildNs>> {
    let index = ChildIndex::new()?;
    let (msg, sem, shm) = (index.msg.clone(), index.sem.clone(), index.shm.clone());
    let child = Arc::pin_init(
        try_pin_init!(ChildNs {
            ns: NsRef::caller()?,
            tunables: tunables::Tunables::from_params(),
            // In place: a table takes a few KiB.
            msg <- new_mutex!(init!(MsgTables {
                msg: IpcIds::new_shared(msg),
                msg_totals: None,
            })),
            sem <- new_mutex!(init!(SemTables {
                sem: IpcIds::new_shared(sem),
                used_sems: 0,
            })),
            shm <- new_mutex!(init!(ShmTables {
                shm: IpcIds::new_shared(shm),
                shm_tot: 0,
            })),
            index,
        }),
        GFP_KERNEL_ACCOUNT,
    )?;
    let node = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;
    let mut registry = CHILD_NS.lock();
    if let Some(existing) = registry.get(addr) {
        // Another task of the namespace was first.
        return Ok(existing);
    }
    // INVARIANT: the key is the address of the namespace `child` holds
    // (the caller's, `addr`).
    registry
        .children
        .get_or_insert_with(RBTree::new)
        .insert(node.into_node(child.ns.addr(), child.clone()));
    CHILDREN_EXIST.store(true, Ordering::Relaxed);
    // A good moment to look for dead namespaces too, so that their number
    // stays bounded by the live ones.
    let dead = registry.sweep();
    drop(registry);
    free(dead);
    Ok(child)
}

/// Frees the objects of IPC namespaces no task uses any more, looking at
/// a few ([`SWEEP_BATCH`]) at each call: their tables are cleared, which
/// removes each object as `IPC_RMID` does (a segment still mapped lives
/// until its last detach).
pub(crate) fn sweep_dead_namespaces() {
    if !CHILDREN_EXIST.load(Ordering::Relaxed) {
        return;
    }
    let mut registry = CHILD_NS.lock();
    if registry.children.as_ref().is_none_or(RBTree::is_empty) {
        CHILDREN_EXIST.store(false, Ordering::Relaxed);
        return;
    }
    let dead = registry.sweep();
    drop(registry);
    free(dead);
}

/// Frees the objects of every IPC namespace, the initial one included, at
/// module unload.
pub(crate) fn clear_all_namespaces() {
    IPC_MSG.lock().clear();
    IPC_SEM.lock().clear();
    IPC_SHM.lock().clear();
    let registry = {
        let mut registry = CHILD_NS.lock();
        CHILDREN_EXIST.store(false, Ordering::Relaxed);
        core::mem::replace(&mut *registry, ChildNsRegistry::new())
    };
    for child in registry
        .children
        .iter()
        .flat_map(|children| children.values())
    {
        child.clear();
    }
}

/// Frees the objects of the namespaces in `dead`, outside the registry
/// lock. Their tables are cleared explicitly: a segment still attached
/// holds its namespace's tables (its last detach takes it out of them), so
/// they may outlive this.
fn free(dead: Dead) {
    for node in dead.into_iter().flatten() {
        let (_, child) = node.to_key_value();
        child.clear();
    }
}

#[kunit_tests(ripc_ipc_ns)]
mod tests {
    use super::*;

    /// A lookup by id does not wait for the tables' lock, as Linux's
    /// `ipc_obtain_object_check()` runs under RCU, not `ids->rwsem`: with
    /// the lock held by this very thread, it still answers.
    #[test]
    fn lookups_do_not_take_the_tables_lock() {
        let tables = current_ns().unwrap();
        let guard = tables.lock_sem();
        let found = lookup(|ns| ns.sem.obtain_check(i32::MAX).is_ok());
        drop(guard);
        assert!(matches!(found, Ok(false)));
    }

    /// Each kind has its own lock, as Linux's `ids->rwsem`: with the
    /// semaphore arrays locked, the message queues can still be locked
    /// (only here are two kinds held at once; nothing takes them in the
    /// other order).
    #[test]
    fn kinds_have_their_own_locks() {
        let tables = current_ns().unwrap();
        let sems = tables.lock_sem();
        let unknown = tables.lock_msg().msg.find_key(i32::MIN, 0, |_| Ok(()));
        drop(sems);
        assert!(matches!(unknown, Err(e) if e == ENOENT));
    }
}
