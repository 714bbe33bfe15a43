// SPDX-License-Identifier: GPL-2.0

//! SysV semaphore arrays, as `ipc/sem.c`.
//!
//! Data flow: `RIPC_IOC_SEM{GET,OP,CTL}` on `/dev/ripc` → [`semget`],
//! [`semop`], [`semctl`] → the array is found by id in the namespace's
//! table ([`crate::ipc`]) → [`SemArray`] does the work under the lock that
//! the operation needs (see "Locking" below). `SEM_UNDO` adjustments are
//! in [`undo`].
//!
//! | `ipc/sem.c`                      | ripc                                 |
//! |----------------------------------|--------------------------------------|
//! | `struct sem_array`               | [`SemArray`] (shared state: `Inner`) |
//! | `sem_perm` (`kern_ipc_perm`)     | `SemArray::perm`, `Inner::perm`      |
//! | `struct sem` (`sems[]`)          | `Sem`, its lists in `SemState`       |
//! | `sem->semval`, `sem->sempid`     | `Sem::value`, `SemState::pid`        |
//! | `sem->pending_alter/_const`      | `SemState::pending_*`                |
//! | `sma->pending_alter/_const`      | `Inner::pending_*`                   |
//! | `sma->complex_count`             | `Inner::complex_count`               |
//! | `sma->use_global_lock`           | `SemArray::use_global`               |
//! | `struct sem_queue`               | `Waiter`                             |
//! | `q->status`, `q->blocking`       | `Waiter::status`, `Waiter::blocking` |
//! | `struct sem_undo` (`semadj[]`)   | [`undo::Undo`], in `Inner::undos`    |
//! | `struct sem_undo_list`           | [`undo::ProcessUndos`]               |
//! | `find_alloc_undo()`              | `undo::undo_for`                     |
//! | `sem_lock()`, `sem_unlock()`     | `SemArray::lock`, `SemArray::unlock` |
//! | `complexmode_enter()`, `_tryleave()` | `enter_global`, `leave_global`   |
//! | `merge_queues()`, `unmerge_queues()` | `merge_queues`, `unmerge_queues` |
//! | `perform_atomic_semop()`         | `perform`                            |
//! | `update_queue()`, `wake_const_ops()` | `update_queue`, `wake_const_ops` |
//! | `do_smart_update()`, `do_smart_wakeup_zero()` | same names          |
//! | `count_semcnt()`                 | `SemArray::count_waiters`            |
//! | `freeary()`                      | [`SemArray::destroy`]                |
//! | `exit_sem()`                     | [`undo::exit_current`]               |
//! | `sysvipc_sem_proc_show()`        | [`Status`] (`sysvipc/sem`)           |
//!
//! # Locking
//!
//! As in `ipc/sem.c`, an operation on one semaphore takes only that
//! semaphore's lock while no complex operation (several semaphores) is
//! pending or running: the "fast mode". `SEM_UNDO` does not make an
//! operation complex: the adjustment of a semaphore changes under the lock
//! its value changes under. A complex operation, `semctl()` and removal
//! take the array's lock (`Inner`) and switch the array to "global mode"
//! first: they raise `use_global`, then take and drop each semaphore's
//! lock once, so that every fast operation in flight has finished and
//! every later one sees `use_global` and takes the array's lock too. In
//! global mode, all state changes happen under the array's lock; a
//! semaphore's own lock is then only taken, briefly, to reach its lists
//! and `sempid`. Values and adjustments are atomics, read and written
//! with relaxed ordering under whichever of the two locks the mode
//! requires.
//!
//! Blocked operations wait in FIFO lists, as Linux keeps them: simple ones
//! on their semaphore's lists, complex ones (and, while any of those
//! waits, simple altering ones) on the array's. The lists are trees keyed
//! by a ticket from `SemArray::next_key`, so that a waiter that gives up
//! leaves its list in O(log n); moving a waiter between lists
//! (`merge_queues`) gives it a new ticket at the tail, in the node it
//! already has. Whoever changes a value completes, on their behalf, every
//! waiting operation that can now complete (setting its `status`), then
//! wakes only those after dropping the lock.
//!
//! Lock order: the namespace's tables (`ipc::current_ns()`), then an
//! array's `Inner`, then one `Sem` lock at a time, or a process's undo
//! list (see [`undo`]).

mod undo;

pub(crate) use undo::{exit_current as exit_undo, sweep_exited as sweep_exited_undos, UndoOwners};

use crate::{
    glue::{
        cred::{self, PidRef},
        process,
        ripcfs::{StatusFile, StatusView},
        task::{sleep_unlocked, NO_TIMEOUT},
    },
    ipc::{
        self, eidrm,
        ids::IpcObject,
        perm::{self, KernIpcPerm, S_IRUGO, S_IWUGO},
    },
    limits::{self, SEMAEM, SEMVMX},
    uapi,
    wake::Sleeper,
};
use core::sync::atomic::{
    AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};
use kernel::{
    new_mutex,
    prelude::*,
    rbtree::{RBTree, RBTreeNode, RBTreeNodeReservation},
    seq_file::SeqFile,
    seq_print,
    sync::{
        lock::{mutex::MutexBackend, Guard},
        Arc, Mutex,
    },
    time::Jiffies,
    uaccess::{UserPtr, UserSlice},
    warn_on,
};
use undo::Undo;

const IPC_NOWAIT: i16 = uapi::RIPC_IPC_NOWAIT as i16;
const SEM_UNDO: i16 = uapi::RIPC_SEM_UNDO as i16;

/// Operations in global mode before an array without complex operations
/// goes back to fast mode (`USE_GLOBAL_LOCK_HYSTERESIS`).
const USE_GLOBAL_HYSTERESIS: usize = 10;

/// `Waiter::status` while the operation waits (`-EINTR` in Linux).
const PENDING: i32 = 1;

/// `Waiter::place` of a waiter on the array's lists.
const ON_ARRAY: usize = usize::MAX;

/// Numbers the arrays, as keys in a process's tree of adjustments.
static NEXT_ARRAY_SERIAL: AtomicU64 = AtomicU64::new(0);

/// One operation of a `semop()` (`struct sembuf`), checked against the
/// array's size.
#[derive(Clone, Copy)]
struct SemBuf {
    /// `sem_num`; [`SemBuf::num`] as an index. `u16` keeps the stack
    /// copy of [`SEMOPM_FAST`] operations small.
    num: u16,
    op: i16,
    flags: i16,
}

impl SemBuf {
    fn num(self) -> usize {
        usize::from(self.num)
    }

    const EMPTY: Self = Self {
        num: 0,
        op: 0,
        flags: 0,
    };
}

/// A `semop()` with at most this many operations copies them to the stack,
/// not the heap (`SEMOPM_FAST`, 64 in Linux): 16 of 6 bytes, which the
/// compiler clears without a call to `memset`.
const SEMOPM_FAST: usize = 16;

/// Operations a [`Waiter`] keeps inside itself; more go to the heap.
const WAITER_INLINE_OPS: usize = 4;

/// The operations of a blocked `semop()`: Linux points `q->sops` at the
/// sleeper's stack; here the waiter outlives nothing of its task's stack,
/// so it holds a copy, inside itself when short.
enum WaiterOps {
    Inline {
        ops: [SemBuf; WAITER_INLINE_OPS],
        len: usize,
    },
    Heap(KVec<SemBuf>),
}

impl WaiterOps {
    fn new(sops: &[SemBuf]) -> Result<Self> {
        if sops.len() <= WAITER_INLINE_OPS {
            let mut ops = [SemBuf::EMPTY; WAITER_INLINE_OPS];
            ops[..sops.len()].copy_from_slice(sops);
            return Ok(Self::Inline {
                ops,
                len: sops.len(),
            });
        }
        let mut heap = KVec::with_capacity(sops.len(), GFP_KERNEL_ACCOUNT)?;
        heap.extend_from_slice(sops, GFP_KERNEL_ACCOUNT)?;
        Ok(Self::Heap(heap))
    }
}

impl core::ops::Deref for WaiterOps {
    type Target = [SemBuf];

    fn deref(&self) -> &[SemBuf] {
        match self {
            Self::Inline { ops, len } => &ops[..*len],
            Self::Heap(heap) => heap,
        }
    }
}

/// A blocked `semop()` (`struct sem_queue`).
struct Waiter {
    sops: WaiterOps,
    /// Some operation changes a value (`q->alter`).
    alter: bool,
    /// Several operations (`q->nsops > 1`): waits on the array's lists
    /// and is counted in `complex_count`.
    complex: bool,
    /// The process's adjustments, if an operation has `SEM_UNDO`.
    undo: Option<Arc<Undo>>,
    /// `q->pid`: its process, recorded as `sempid` when it completes.
    pid: PidRef,
    /// `PENDING`, then 0 or the negative errno the waker decided.
    status: AtomicI32,
    /// The operation it waits on (`q->blocking`), for `GETNCNT`/`GETZCNT`.
    blocking: AtomicUsize,
    /// Its key in the list that holds it, and which list: `ON_ARRAY` or
    /// the number of the semaphore. Changed only under that list's lock.
    key: AtomicU64,
    place: AtomicUsize,
    /// Its task (`q->sleeper`): woken only when completed, or removed.
    task: Sleeper,
}

/// The node that holds a [`Waiter`] in a [`WaitList`], before it is linked.
type WaitNode = RBTreeNodeReservation<u64, Arc<Waiter>>;

impl Waiter {
    /// A waiter for the current task's blocked `sops`, in `spare`'s memory
    /// when it has some that nobody uses any more, with the node that will
    /// link it.
    fn new(
        spare: Option<&mut Spare>,
        sops: &[SemBuf],
        alter: bool,
        undo: Option<Arc<Undo>>,
        blocking: usize,
    ) -> Result<(Arc<Self>, WaitNode)> {
        let ops = WaiterOps::new(sops)?;
        let (old, node) = match spare {
            Some(spare) => (
                spare.waiter.take().and_then(Arc::into_unique_or_drop),
                spare.node.take(),
            ),
            None => (None, None),
        };
        let node = match node {
            Some(node) => node,
            None => RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?,
        };
        let complex = sops.len() > 1;
        let Some(mut waiter) = old else {
            let waiter = Arc::new(
                Self {
                    sops: ops,
                    alter,
                    complex,
                    undo,
                    pid: PidRef::current_process(),
                    status: AtomicI32::new(PENDING),
                    blocking: AtomicUsize::new(blocking),
                    key: AtomicU64::new(0),
                    place: AtomicUsize::new(ON_ARRAY),
                    task: Sleeper::current(),
                },
                GFP_KERNEL_ACCOUNT,
            )?;
            return Ok((waiter, node));
        };
        // Only this task holds it: every field is set anew, the process
        // and task references only if they are another's.
        let w = &mut *waiter;
        w.sops = ops;
        w.alter = alter;
        w.complex = complex;
        w.undo = undo;
        if !w.pid.is_current() {
            w.pid = PidRef::current_process();
        }
        if !w.task.is_current() {
            w.task = Sleeper::current();
        }
        *w.status.get_mut() = PENDING;
        *w.blocking.get_mut() = blocking;
        *w.key.get_mut() = 0;
        *w.place.get_mut() = ON_ARRAY;
        Ok((waiter.into(), node))
    }

    fn blocking_op(&self) -> SemBuf {
        self.sops[self
            .blocking
            .load(Ordering::Relaxed)
            .min(self.sops.len() - 1)]
    }
}

/// A list of waiters in arrival order, by ticket.
type WaitList = RBTree<u64, Arc<Waiter>>;

/// The memory of a completed waiter, kept for the next operation that
/// blocks on the same semaphore: Linux keeps `struct sem_queue` on the
/// sleeper's stack, so blocking allocates nothing, and with this neither
/// does it here once the semaphore has had a sleeper. The waiter is reused
/// only once its task has let go of it.
///
/// A kept waiter may hold its process's [`Undo`], which holds the array:
/// [`SemArray::destroy`] empties every `Spare`, so that no cycle outlives
/// the array's removal.
struct Spare {
    waiter: Option<Arc<Waiter>>,
    node: Option<WaitNode>,
}

impl Spare {
    const EMPTY: Self = Self {
        waiter: None,
        node: None,
    };

    /// Keeps `waiter`, just completed, and `node`, just unlinked, if there
    /// is room.
    fn keep(&mut self, waiter: &Arc<Waiter>, node: RBTreeNode<u64, Arc<Waiter>>) {
        if self.node.is_none() {
            self.node = Some(node.into_reservation());
        }
        if self.waiter.is_none() {
            self.waiter = Some(waiter.clone());
        }
    }
}

/// What one semaphore holds under its own lock.
struct SemState {
    /// `sempid`: the last process that changed or set it.
    pid: Option<PidRef>,
    /// Waiting single-semaphore operations (`sem->pending_alter`,
    /// `sem->pending_const`).
    pending_alter: WaitList,
    pending_const: WaitList,
    /// For the next operation that blocks on this semaphore in fast mode.
    spare: Spare,
}

/// One semaphore (`struct sem`).
#[pin_data]
struct Sem {
    /// `semval`: 0..=`SEMVMX`; see "Locking" for who may change it.
    value: AtomicI32,
    /// Last `semop()` on it (`sem_otime`), kept per semaphore so that fast
    /// operations touch no shared field.
    otime: AtomicI64,
    #[pin]
    state: Mutex<SemState>,
}

/// What the array holds under its own lock (`sem_perm.lock`).
struct Inner {
    perm: KernIpcPerm,
    ctime: i64,
    /// Waiting complex operations, and simple altering ones while any
    /// complex one waits (`sma->pending_alter`, `sma->pending_const`).
    pending_alter: WaitList,
    pending_const: WaitList,
    /// Waiting complex operations (`complex_count`).
    complex_count: usize,
    /// Every process's adjustments (`list_id`), by process key
    /// ([`undo::ProcessUndos`]): where an operation finds its own.
    undos: RBTree<usize, Arc<Undo>>,
}

/// A semaphore array (`struct sem_array`).
#[pin_data]
pub(crate) struct SemArray {
    /// Immutable parts of the permissions, and copies of the mutable ones
    /// (`uid`, `gid`, `mode`), so that fast operations check access
    /// without the array's lock, as Linux reads `sem_perm` under RCU.
    perm: KernIpcPerm,
    uid: AtomicU32,
    gid: AtomicU32,
    mode: AtomicU32,
    /// Never reused: names the array in a process's adjustments.
    serial: u64,
    /// `sem_perm.deleted`; set in global mode, read under any lock.
    deleted: AtomicBool,
    /// 0 in fast mode; else operations to go in global mode.
    use_global: AtomicUsize,
    /// The next ticket of a waiter.
    next_key: AtomicU64,
    sems: KVec<Pin<KBox<Sem>>>,
    #[pin]
    inner: Mutex<Inner>,
}

/// The lock an operation holds (`locknum` of `sem_lock()`).
enum Locked<'a> {
    /// Fast mode: the lock of semaphore `.0`.
    Fast(usize, Guard<'a, SemState, MutexBackend>),
    /// Global mode: the array's lock.
    Global(Guard<'a, Inner, MutexBackend>),
}

/// The process an operation is done for, recorded as `sempid`.
#[derive(Clone, Copy)]
enum Who<'a> {
    /// The caller: its `struct pid` is only taken if `sempid` changes.
    Current,
    Process(&'a PidRef),
}

/// `ipc_update_pid()`: `slot` becomes `who`.
fn record_pid(slot: &mut Option<PidRef>, who: Who<'_>) {
    match who {
        Who::Current => {
            if !slot.as_ref().is_some_and(PidRef::is_current) {
                *slot = Some(PidRef::current_process());
            }
        }
        Who::Process(pid) => *slot = Some(pid.clone()),
    }
}

/// Decrements a count that must be positive; a bug shows as a warning.
fn count_down(count: &mut usize) {
    if !warn_on!(*count == 0) {
        *count -= 1;
    }
}

/// What trying an operation gave (`perform_atomic_semop()`).
enum Outcome {
    Done,
    /// Must wait; the index of the operation that blocks.
    Blocks(usize),
}

/// `perform_atomic_semop()`: applies all of `sops` to the values and to
/// `undo`'s adjustments, or none. `ERANGE` if a value or adjustment would
/// leave its range, `EAGAIN` if it would block and the blocking operation
/// has `IPC_NOWAIT`. The caller holds the lock the values need and
/// records `sempid`.
fn perform(sems: &[Pin<KBox<Sem>>], sops: &[SemBuf], undo: Option<&Undo>) -> Result<Outcome> {
    let mut result = Ok(Outcome::Done);
    let mut applied = 0;
    for (i, sop) in sops.iter().enumerate() {
        let sem = &sems[sop.num()];
        let value = sem.value.load(Ordering::Relaxed);
        let new = value + i32::from(sop.op);
        if (sop.op == 0 && value != 0) || new < 0 {
            result = if sop.flags & IPC_NOWAIT != 0 {
                Err(EAGAIN)
            } else {
                Ok(Outcome::Blocks(i))
            };
            break;
        }
        if new > SEMVMX {
            result = Err(ERANGE);
            break;
        }
        if sop.flags & SEM_UNDO != 0 {
            if let Some(undo) = undo {
                let adj = undo.adj(sop.num()) - i32::from(sop.op);
                if !(-SEMAEM - 1..=SEMAEM).contains(&adj) {
                    result = Err(ERANGE);
                    break;
                }
                undo.set_adj(sop.num(), adj);
            }
        }
        sem.value.store(new, Ordering::Relaxed);
        applied = i + 1;
    }
    if matches!(result, Ok(Outcome::Done)) {
        return result;
    }
    // Roll back what was applied, last first (`perform_atomic_semop_slow()`).
    for sop in sops[..applied].iter().rev() {
        let sem = &sems[sop.num()];
        sem.value.store(
            sem.value.load(Ordering::Relaxed) - i32::from(sop.op),
            Ordering::Relaxed,
        );
        if sop.flags & SEM_UNDO != 0 {
            if let Some(undo) = undo {
                undo.set_adj(sop.num(), undo.adj(sop.num()) + i32::from(sop.op));
            }
        }
    }
    result
}

/// Wake-ups kept inside [`Wakeups`] before it allocates: an operation
/// usually completes at most one waiter.
const WAKEUPS_INLINE: usize = 2;

/// Completed waiters whose sleepers are to be woken once the lock is
/// dropped (`wake_q`, which links the tasks and allocates nothing; here
/// the first `WAKEUPS_INLINE` need no allocation either). `more` is an
/// `Option` because even an empty `KVec` calls the allocator when dropped.
struct Wakeups {
    first: [Option<Arc<Waiter>>; WAKEUPS_INLINE],
    more: Option<KVec<Arc<Waiter>>>,
}

impl Wakeups {
    fn new() -> Self {
        Self {
            first: [const { None }; WAKEUPS_INLINE],
            more: None,
        }
    }

    /// Wakes every sleeper collected, in the order they were completed;
    /// call after dropping the lock.
    fn wake(self) {
        if self.first[0].is_none() {
            return;
        }
        let more = self.more.iter().flatten();
        for w in Iterator::chain(self.first.iter().flatten(), more) {
            w.task.wake();
        }
    }

    /// Completes `waiter` with `status` (`wake_up_sem_queue_prepare()`):
    /// its sleeper is woken by `wake`, or at once if memory is short.
    fn complete(&mut self, waiter: Arc<Waiter>, status: i32) {
        waiter.status.store(status, Ordering::Release);
        if let Some(slot) = self.first.iter_mut().find(|w| w.is_none()) {
            *slot = Some(waiter);
            return;
        }
        let more = self.more.get_or_insert_with(KVec::new);
        if more.reserve(1, GFP_KERNEL_ACCOUNT).is_err() {
            waiter.task.wake();
            return;
        }
        // Cannot fail: the room was reserved.
        let _ = more.push_within_capacity(waiter);
    }
}

/// What completing waiters needs besides the lists it walks.
struct Completer<'a, 'b> {
    array: &'a SemArray,
    /// Fast mode: `sempid` of the one semaphore whose lock is held. In
    /// global mode each semaphore's lock is taken to record it.
    held_pid: Option<&'b mut Option<PidRef>>,
    /// Fast mode: the held semaphore's [`Spare`], which its completed
    /// waiters go to.
    spare: Option<&'b mut Spare>,
    complex_count: &'b mut usize,
    wakeups: &'b mut Wakeups,
}

impl Completer<'_, '_> {
    /// Records a completed operation: `sempid` of each semaphore it used,
    /// and `sem_otime` of its first (`set_semotime()`).
    fn record(&mut self, sops: &[SemBuf], who: Who<'_>) {
        let sems = &self.array.sems;
        match self.held_pid.as_deref_mut() {
            Some(slot) => record_pid(slot, who),
            None => {
                for sop in sops {
                    record_pid(&mut sems[sop.num()].state.lock().pid, who);
                }
            }
        }
        sems[sops[0].num()]
            .otime
            .store(cred::real_seconds(), Ordering::Relaxed);
    }

    /// Tries a waiter's operations: `None` if it still blocks, else
    /// whether it succeeded, its waker now has to unlink and complete it.
    fn try_waiter(&mut self, w: &Waiter) -> Option<Result> {
        match perform(&self.array.sems, &w.sops, w.undo.as_deref()) {
            Ok(Outcome::Blocks(b)) => {
                w.blocking.store(b, Ordering::Relaxed);
                None
            }
            Ok(Outcome::Done) => {
                self.record(&w.sops, Who::Process(&w.pid));
                Some(Ok(()))
            }
            Err(e) => Some(Err(e)),
        }
    }

    /// Unlinks `w` (`unlink_queue()`, the list did, leaving `node`) and
    /// completes it.
    fn finish(&mut self, w: Arc<Waiter>, node: RBTreeNode<u64, Arc<Waiter>>, result: Result) {
        if w.complex {
            count_down(self.complex_count);
        }
        if let Some(spare) = self.spare.as_deref_mut() {
            spare.keep(&w, node);
        }
        let status = match result {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        };
        self.wakeups.complete(w, status);
    }
}

/// The wait-for-zero lists an update may complete waiters of, besides
/// those it takes from their semaphores itself.
struct ZeroLists<'b> {
    /// The list of one semaphore, which the caller already holds.
    own: Option<(usize, &'b mut WaitList)>,
    /// The array's list; `None` in fast mode, where it is empty.
    array: Option<&'b mut WaitList>,
}

/// `wake_const_ops()` over `list`: completes every waiter that can
/// complete now. Returns whether one succeeded.
fn wake_const_ops(c: &mut Completer<'_, '_>, list: &mut WaitList) -> bool {
    let mut completed = false;
    let mut cursor = list.cursor_front_mut();
    while let Some(current) = cursor {
        let (&key, w) = current.current();
        let w = w.clone();
        let Some(result) = c.try_waiter(&w) else {
            cursor = current.move_next();
            continue;
        };
        let (rest, node) = current.remove_current();
        // `remove_current` falls back to the previous node at the end.
        cursor = rest.filter(|r| *r.current().0 > key);
        completed |= result.is_ok();
        c.finish(w, node, result);
    }
    completed
}

/// `wake_const_ops()` for semaphore `num`.
fn wake_const_sem(c: &mut Completer<'_, '_>, zero: &mut ZeroLists<'_>, num: usize) -> bool {
    if let Some((own, list)) = zero.own.as_mut() {
        if *own == num {
            return wake_const_ops(c, list);
        }
    }
    if zero.array.is_none() {
        // Fast mode: only the held semaphore changed.
        return false;
    }
    // Global mode: nobody else touches the semaphore's lists while the
    // array's lock is held, so they are walked outside its lock, which
    // recording `sempid` takes.
    let sem = &c.array.sems[num];
    let mut list = {
        let mut state = sem.state.lock();
        if state.pending_const.is_empty() {
            return false;
        }
        core::mem::take(&mut state.pending_const)
    };
    let completed = wake_const_ops(c, &mut list);
    sem.state.lock().pending_const = list;
    completed
}

/// `do_smart_wakeup_zero()`: completes the wait-for-zero operations that
/// the change of `sops` (`None`: of any semaphore) may let through.
fn do_smart_wakeup_zero(
    c: &mut Completer<'_, '_>,
    zero: &mut ZeroLists<'_>,
    sops: Option<&[SemBuf]>,
) -> bool {
    let mut completed = false;
    let mut got_zero = false;
    let mut check = |c: &mut Completer<'_, '_>, zero: &mut ZeroLists<'_>, num: usize| {
        if c.array.sems[num].value.load(Ordering::Relaxed) == 0 {
            got_zero = true;
            completed |= wake_const_sem(c, zero, num);
        }
    };
    match sops {
        Some(sops) => sops.iter().for_each(|sop| check(c, zero, sop.num())),
        None => (0..c.array.nsems()).for_each(|num| check(c, zero, num)),
    }
    if got_zero {
        if let Some(list) = zero.array.as_deref_mut() {
            completed |= wake_const_ops(c, list);
        }
    }
    completed
}

/// `update_queue()` over `list`, the altering waiters of semaphore
/// `semnum` or (`None`) of the array: completes, in arrival order, every
/// one that can complete now. Returns whether one succeeded.
fn update_queue(
    c: &mut Completer<'_, '_>,
    zero: &mut ZeroLists<'_>,
    list: &mut WaitList,
    semnum: Option<usize>,
) -> bool {
    let mut completed = false;
    let mut cursor = list.cursor_front_mut();
    while let Some(current) = cursor {
        // A per-semaphore list holds decrements only: at 0, none proceeds.
        if semnum.is_some_and(|n| c.array.sems[n].value.load(Ordering::Relaxed) == 0) {
            break;
        }
        let (&key, w) = current.current();
        let w = w.clone();
        let Some(result) = c.try_waiter(&w) else {
            cursor = current.move_next();
            continue;
        };
        let (rest, node) = current.remove_current();
        let restart = if result.is_ok() {
            completed = true;
            do_smart_wakeup_zero(c, zero, Some(&w.sops));
            // `check_restart()`: after a complex operation, or while the
            // array's list holds others, values others wait on changed.
            w.complex || (semnum.is_none() && rest.is_some())
        } else {
            false
        };
        c.finish(w, node, result);
        cursor = if restart {
            list.cursor_front_mut()
        } else {
            rest.filter(|r| *r.current().0 > key)
        };
    }
    completed
}

/// Gives `waiter`, just taken out of a list as `node`, the ticket `key`
/// and the place `place`, in the same node.
fn requeue(
    node: kernel::rbtree::RBTreeNode<u64, Arc<Waiter>>,
    waiter: Arc<Waiter>,
    key: u64,
    place: usize,
) -> kernel::rbtree::RBTreeNode<u64, Arc<Waiter>> {
    waiter.key.store(key, Ordering::Relaxed);
    waiter.place.store(place, Ordering::Relaxed);
    node.into_reservation().into_node(key, waiter)
}

impl IpcObject for SemArray {
    fn perm(&self) -> KernIpcPerm {
        let mut perm = self.perm;
        perm.uid = cred::Kuid::from_raw(self.uid.load(Ordering::Relaxed));
        perm.gid = cred::Kgid::from_raw(self.gid.load(Ordering::Relaxed));
        perm.mode = self.mode.load(Ordering::Relaxed);
        perm
    }
}

/// The semaphores of a new array, made before its id exists (and before
/// the namespace's lock is taken, for 32000 of them).
struct NewSems(KVec<Pin<KBox<Sem>>>);

impl NewSems {
    fn new(nsems: usize) -> Result<Self> {
        let mut sems = KVec::with_capacity(nsems, GFP_KERNEL_ACCOUNT)?;
        for _ in 0..nsems {
            let sem = KBox::pin_init(
                pin_init!(Sem {
                    value: AtomicI32::new(0),
                    otime: AtomicI64::new(0),
                    state <- new_mutex!(SemState {
                        pid: None,
                        pending_alter: RBTree::new(),
                        pending_const: RBTree::new(),
                        spare: Spare::EMPTY,
                    }, "Sem::state"),
                }),
                GFP_KERNEL_ACCOUNT,
            )?;
            sems.push(sem, GFP_KERNEL_ACCOUNT)?;
        }
        Ok(Self(sems))
    }
}

impl SemArray {
    /// `newary()` with semaphores made beforehand; `memory` is the array's
    /// own allocation, also made beforehand.
    fn new(
        perm: KernIpcPerm,
        sems: NewSems,
        memory: kernel::sync::UniqueArc<core::mem::MaybeUninit<Self>>,
    ) -> Arc<Self> {
        let inner = Inner {
            perm,
            ctime: cred::real_seconds(),
            pending_alter: RBTree::new(),
            pending_const: RBTree::new(),
            complex_count: 0,
            undos: RBTree::new(),
        };
        let init = pin_init!(Self {
            perm,
            uid: AtomicU32::new(perm.uid.raw()),
            gid: AtomicU32::new(perm.gid.raw()),
            mode: AtomicU32::new(perm.mode),
            serial: NEXT_ARRAY_SERIAL.fetch_add(1, Ordering::Relaxed),
            deleted: AtomicBool::new(false),
            use_global: AtomicUsize::new(0),
            next_key: AtomicU64::new(0),
            sems: sems.0,
            inner <- new_mutex!(inner, "SemArray::inner"),
        });
        let Ok(array) = memory.pin_init_with(init);
        array.into()
    }

    fn nsems(&self) -> usize {
        self.sems.len()
    }

    fn is_deleted(&self) -> bool {
        self.deleted.load(Ordering::Relaxed)
    }

    /// A ticket for a waiter joining the tail of a list.
    fn next_key(&self) -> u64 {
        self.next_key.fetch_add(1, Ordering::Relaxed)
    }

    /// `sem_lock()`: the semaphore's lock for a simple operation in fast
    /// mode, else the array's lock, in global mode.
    ///
    /// Only a complex operation (`simple` is `None`) enters global mode or
    /// restarts its hysteresis: a simple one that finds the array in global
    /// mode just uses it, so that a run of simple operations brings the
    /// array back to fast mode (`leave_global`), as in Linux.
    fn lock(&self, simple: Option<usize>) -> Locked<'_> {
        let Some(num) = simple else {
            let inner = self.inner.lock();
            self.enter_global();
            return Locked::Global(inner);
        };
        if self.use_global.load(Ordering::Relaxed) == 0 {
            let guard = self.sems[num].state.lock();
            // Re-check under the semaphore's lock: a switch to global
            // mode takes this lock after raising the flag.
            if self.use_global.load(Ordering::Acquire) == 0 {
                return Locked::Fast(num, guard);
            }
        }
        let inner = self.inner.lock();
        if self.use_global.load(Ordering::Acquire) == 0 {
            // Global mode ended while this task waited for the array's
            // lock; nobody can enter it again while that lock is held.
            let guard = self.sems[num].state.lock();
            drop(inner);
            return Locked::Fast(num, guard);
        }
        Locked::Global(inner)
    }

    /// `complexmode_enter()`: waits for the fast operations in flight.
    fn enter_global(&self) {
        if self.use_global.load(Ordering::Relaxed) != 0 {
            self.use_global
                .store(USE_GLOBAL_HYSTERESIS, Ordering::Relaxed);
            return;
        }
        self.use_global
            .store(USE_GLOBAL_HYSTERESIS, Ordering::Release);
        for sem in &self.sems {
            drop(sem.state.lock());
        }
    }

    /// `complexmode_tryleave()`: back to fast mode once no complex
    /// operation waits and the hysteresis has run out.
    fn leave_global(&self, inner: &Inner) {
        if inner.complex_count != 0 {
            return;
        }
        let left = self.use_global.load(Ordering::Relaxed);
        if left > 1 {
            self.use_global.store(left - 1, Ordering::Relaxed);
        } else {
            self.use_global.store(0, Ordering::Release);
        }
    }

    /// `merge_queues()`: the simple altering waiters join the array's list
    /// at its tail, semaphore by semaphore, before a complex operation
    /// queues (all altering waiters must then be served in one order).
    fn merge_queues(&self, inner: &mut Inner) {
        for sem in &self.sems {
            let mut state = sem.state.lock();
            while let Some(front) = state.pending_alter.cursor_front_mut() {
                let waiter = front.current().1.clone();
                let (_, node) = front.remove_current();
                let node = requeue(node, waiter, self.next_key(), ON_ARRAY);
                inner.pending_alter.insert(node);
            }
        }
    }

    /// `unmerge_queues()`: once no complex operation waits, the array's
    /// altering waiters (all simple) go back to their semaphore's list.
    fn unmerge_queues(&self, inner: &mut Inner) {
        if inner.complex_count != 0 {
            return;
        }
        while let Some(front) = inner.pending_alter.cursor_front_mut() {
            let waiter = front.current().1.clone();
            let (_, node) = front.remove_current();
            let num = waiter.sops[0].num();
            let node = requeue(node, waiter, self.next_key(), num);
            self.sems[num].state.lock().pending_alter.insert(node);
        }
    }

    /// `sem_unlock()`.
    fn unlock(&self, mut locked: Locked<'_>) {
        self.before_unlock(&mut locked);
    }

    /// What `sem_unlock()` does before it drops a global lock: the simple
    /// waiters go back to their semaphores and the hysteresis counts down,
    /// so that the array returns to fast mode.
    fn before_unlock(&self, locked: &mut Locked<'_>) {
        if let Locked::Global(inner) = locked {
            self.unmerge_queues(inner);
            self.leave_global(inner);
        }
    }

    /// `do_smart_update()`: completes what the change of `sops` (`None`:
    /// of any semaphore) lets through, under whatever lock is held.
    fn do_smart_update(
        &self,
        locked: &mut Locked<'_>,
        sops: Option<&[SemBuf]>,
        wakeups: &mut Wakeups,
    ) {
        match locked {
            Locked::Fast(num, state) => {
                let SemState {
                    pid,
                    pending_alter,
                    pending_const,
                    spare,
                } = &mut **state;
                if pending_alter.is_empty() && pending_const.is_empty() {
                    return;
                }
                let mut no_complex = 0;
                let mut c = Completer {
                    array: self,
                    held_pid: Some(pid),
                    spare: Some(spare),
                    complex_count: &mut no_complex,
                    wakeups,
                };
                let mut zero = ZeroLists {
                    own: Some((*num, pending_const)),
                    array: None,
                };
                do_smart_wakeup_zero(&mut c, &mut zero, sops);
                // Only increments let decrements through.
                if sops.is_none_or(|sops| sops.iter().any(|s| s.op > 0)) {
                    update_queue(&mut c, &mut zero, pending_alter, Some(*num));
                }
            }
            Locked::Global(inner) => {
                let Inner {
                    pending_alter,
                    pending_const,
                    complex_count,
                    ..
                } = &mut **inner;
                let mut c = Completer {
                    array: self,
                    held_pid: None,
                    spare: None,
                    complex_count,
                    wakeups,
                };
                let mut zero = ZeroLists {
                    own: None,
                    array: Some(pending_const),
                };
                do_smart_wakeup_zero(&mut c, &mut zero, sops);
                if !pending_alter.is_empty() {
                    update_queue(&mut c, &mut zero, pending_alter, None);
                    return;
                }
                let mut update_sem = |c: &mut Completer<'_, '_>, num: usize| {
                    let sem = &self.sems[num];
                    let (mut alter, mut constant) = {
                        let mut state = sem.state.lock();
                        if state.pending_alter.is_empty() {
                            return;
                        }
                        (
                            core::mem::take(&mut state.pending_alter),
                            core::mem::take(&mut state.pending_const),
                        )
                    };
                    let mut zero = ZeroLists {
                        own: Some((num, &mut constant)),
                        array: zero.array.as_deref_mut(),
                    };
                    update_queue(c, &mut zero, &mut alter, Some(num));
                    let mut state = sem.state.lock();
                    state.pending_alter = alter;
                    state.pending_const = constant;
                };
                match sops {
                    None => (0..self.nsems()).for_each(|num| update_sem(&mut c, num)),
                    Some(sops) => sops
                        .iter()
                        .filter(|s| s.op > 0)
                        .for_each(|s| update_sem(&mut c, s.num())),
                }
            }
        }
    }

    /// `semtimedop()` on this array. `sops` is copied to the heap only if
    /// the operation blocks.
    fn semop(this: &Arc<Self>, sops: &[SemBuf], timeout: Option<Jiffies>) -> Result {
        let alter = sops.iter().any(|s| s.op != 0);
        let has_undo = sops.iter().any(|s| s.flags & SEM_UNDO != 0);
        perm::ipcperms(&this.perm(), if alter { S_IWUGO } else { S_IRUGO })?;
        let undo = if has_undo {
            Some(undo::undo_for(this)?)
        } else {
            None
        };
        let simple = (sops.len() == 1).then_some(sops[0].num());

        let mut locked = this.lock(simple);
        if this.is_deleted() {
            this.unlock(locked);
            return Err(eidrm());
        }
        match perform(&this.sems, sops, undo.as_deref()) {
            Ok(Outcome::Done) => {
                match &mut locked {
                    Locked::Fast(_, state) => record_pid(&mut state.pid, Who::Current),
                    Locked::Global(_) => {
                        for sop in sops {
                            record_pid(&mut this.sems[sop.num()].state.lock().pid, Who::Current);
                        }
                    }
                }
                this.sems[sops[0].num()]
                    .otime
                    .store(cred::real_seconds(), Ordering::Relaxed);
                // In fast mode, only this semaphore's waiters can be
                // completed: nothing to do if it has none.
                let may_complete = alter
                    && match &locked {
                        Locked::Fast(_, state) => {
                            !state.pending_alter.is_empty() || !state.pending_const.is_empty()
                        }
                        Locked::Global(_) => true,
                    };
                if !may_complete {
                    this.unlock(locked);
                    return Ok(());
                }
                let mut wakeups = Wakeups::new();
                this.do_smart_update(&mut locked, Some(sops), &mut wakeups);
                this.unlock(locked);
                wakeups.wake();
                Ok(())
            }
            Err(e) => {
                this.unlock(locked);
                Err(e)
            }
            Ok(Outcome::Blocks(blocking)) => {
                let spare = match &mut locked {
                    Locked::Fast(_, state) => Some(&mut state.spare),
                    Locked::Global(_) => None,
                };
                let waiter = Waiter::new(spare, sops, alter, undo, blocking);
                match waiter {
                    Ok((waiter, node)) => {
                        this.queue(&mut locked, &waiter, node);
                        this.sleep(locked, waiter, timeout)
                    }
                    Err(e) => {
                        this.unlock(locked);
                        Err(e)
                    }
                }
            }
        }
    }

    /// Puts `waiter` at the tail of the list Linux would put it on, in
    /// `node`.
    fn queue(&self, locked: &mut Locked<'_>, waiter: &Arc<Waiter>, node: WaitNode) {
        if let Locked::Global(inner) = locked {
            if waiter.complex && inner.complex_count == 0 {
                // The simple waiters go first: they were there before.
                self.merge_queues(inner);
            }
        }
        let key = self.next_key();
        waiter.key.store(key, Ordering::Relaxed);
        let node = node.into_node(key, waiter.clone());
        match locked {
            Locked::Fast(num, state) => {
                // Fast mode: no complex operation waits.
                waiter.place.store(*num, Ordering::Relaxed);
                if waiter.alter {
                    state.pending_alter.insert(node);
                } else {
                    state.pending_const.insert(node);
                }
            }
            Locked::Global(inner) if !waiter.complex => {
                let num = waiter.sops[0].num();
                if waiter.alter && inner.complex_count != 0 {
                    waiter.place.store(ON_ARRAY, Ordering::Relaxed);
                    inner.pending_alter.insert(node);
                    return;
                }
                waiter.place.store(num, Ordering::Relaxed);
                let mut state = self.sems[num].state.lock();
                if waiter.alter {
                    state.pending_alter.insert(node);
                } else {
                    state.pending_const.insert(node);
                }
            }
            Locked::Global(inner) => {
                waiter.place.store(ON_ARRAY, Ordering::Relaxed);
                if waiter.alter {
                    inner.pending_alter.insert(node);
                } else {
                    inner.pending_const.insert(node);
                }
                inner.complex_count += 1;
            }
        }
    }

    /// Sleeps until a waker completes `waiter`, a signal comes, the
    /// timeout passes or the array is removed.
    fn sleep<'a>(
        &'a self,
        mut locked: Locked<'a>,
        waiter: Arc<Waiter>,
        timeout: Option<Jiffies>,
    ) -> Result {
        // As `do_semtimedop()`: sleep with the lock dropped; a waker sets
        // `status` before it wakes the task, so a final status is read
        // without the lock.
        let simple = (!waiter.complex).then_some(waiter.sops[0].num());
        let mut remaining = timeout;
        loop {
            // `sem_unlock()` before the sleep, as `do_semtimedop()`: a
            // sleeper does not keep the array in global mode.
            self.before_unlock(&mut locked);
            let left = sleep_unlocked(locked, remaining.unwrap_or(NO_TIMEOUT));
            let status = waiter.status.load(Ordering::Acquire);
            if status != PENDING {
                return status_result(status);
            }
            // Under the lock that guards the queue now.
            locked = self.lock(simple);
            let status = waiter.status.load(Ordering::Acquire);
            if status != PENDING {
                self.unlock(locked);
                return status_result(status);
            }
            let timed_out = remaining.is_some() && left == 0;
            if timed_out || kernel::current!().signal_pending() {
                self.unlink(&mut locked, &waiter);
                self.unlock(locked);
                return Err(if timed_out { EAGAIN } else { EINTR });
            }
            if remaining.is_some() {
                remaining = Some(left);
            }
        }
    }

    /// `unlink_queue()` for a waiter that gives up: takes it out of
    /// whichever list holds it.
    fn unlink(&self, locked: &mut Locked<'_>, waiter: &Arc<Waiter>) {
        let key = waiter.key.load(Ordering::Relaxed);
        let place = waiter.place.load(Ordering::Relaxed);
        let take = |list: &mut WaitList| {
            let removed = list.remove(&key);
            warn_on!(!removed.is_some_and(|w| Arc::ptr_eq(&w, waiter)));
        };
        let pick = |state: &mut SemState| {
            if waiter.alter {
                take(&mut state.pending_alter)
            } else {
                take(&mut state.pending_const)
            }
        };
        match locked {
            // Fast mode: a simple waiter is on its semaphore's list.
            Locked::Fast(_, state) => pick(state),
            Locked::Global(inner) if place == ON_ARRAY => {
                if waiter.alter {
                    take(&mut inner.pending_alter);
                } else {
                    take(&mut inner.pending_const);
                }
                if waiter.complex {
                    count_down(&mut inner.complex_count);
                }
            }
            Locked::Global(_) => pick(&mut self.sems[place].state.lock()),
        }
    }

    /// `exit_sem()` for one array: adds `undo`'s adjustments to the values
    /// (clamped to 0..=`SEMVMX`) and forgets them, unless the array was
    /// removed meanwhile.
    fn apply_undo(&self, undo: &Arc<Undo>) {
        let mut locked = self.lock(None);
        let Locked::Global(inner) = &mut locked else {
            return;
        };
        let listed = inner
            .undos
            .get(&undo.process.key)
            .is_some_and(|u| Arc::ptr_eq(u, undo));
        if self.is_deleted() || !listed {
            self.unlock(locked);
            return;
        }
        inner.undos.remove(&undo.process.key);
        for (sem, adj) in self.sems.iter().zip(undo.adjustments()) {
            if adj != 0 {
                let value = sem.value.load(Ordering::Relaxed);
                sem.value
                    .store((value + adj).clamp(0, SEMVMX), Ordering::Relaxed);
                record_pid(&mut sem.state.lock().pid, Who::Process(&undo.process.owner));
            }
        }
        self.sems[0]
            .otime
            .store(cred::real_seconds(), Ordering::Relaxed);
        let mut wakeups = Wakeups::new();
        self.do_smart_update(&mut locked, None, &mut wakeups);
        self.unlock(locked);
        wakeups.wake();
    }

    /// `freeary()`: marks the array removed, fails every waiter with
    /// `EIDRM` and forgets every adjustment. The caller has taken it out
    /// of the table.
    pub(crate) fn destroy(&self) {
        let mut locked = self.lock(None);
        let mut wakeups = Wakeups::new();
        let idrm = eidrm().to_errno();
        if let Locked::Global(inner) = &mut locked {
            self.deleted.store(true, Ordering::Relaxed);
            for undo in core::mem::take(&mut inner.undos).values() {
                undo.process.forget(self);
            }
            let mut fail_all = |list: &mut WaitList| {
                for w in core::mem::take(list).values() {
                    wakeups.complete(w.clone(), idrm);
                }
            };
            fail_all(&mut inner.pending_const);
            fail_all(&mut inner.pending_alter);
            inner.complex_count = 0;
            for sem in &self.sems {
                let mut state = sem.state.lock();
                fail_all(&mut state.pending_const);
                fail_all(&mut state.pending_alter);
                state.pid = None;
                state.spare = Spare::EMPTY;
            }
        }
        self.unlock(locked);
        wakeups.wake();
    }

    /// `count_semcnt()`: operations waiting for `num` to grow (`ncnt`) or
    /// to be zero (`!ncnt`), judged by the operation each waits on.
    fn count_waiters(&self, inner: &Inner, num: usize, ncnt: bool) -> usize {
        let state = self.sems[num].state.lock();
        let simple = if ncnt {
            state.pending_alter.values().count()
        } else {
            state.pending_const.values().count()
        };
        drop(state);
        let waits = |w: &&Arc<Waiter>| {
            let op = w.blocking_op();
            op.num() == num && if ncnt { op.op < 0 } else { op.op == 0 }
        };
        let mut complex = inner.pending_alter.values().filter(waits).count();
        if !ncnt {
            complex += inner.pending_const.values().filter(waits).count();
        }
        simple + complex
    }

    fn otime(&self) -> i64 {
        self.sems
            .iter()
            .map(|s| s.otime.load(Ordering::Relaxed))
            .max()
            .unwrap_or(0)
    }
}

fn status_result(status: i32) -> Result {
    if status == 0 {
        Ok(())
    } else {
        Err(Error::from_errno(status))
    }
}

/// `semget()`. As `ipcget_public()`, a key that exists is looked up
/// first, allocating nothing; the array is made only to create one, before
/// the namespace's lock is taken (32000 semaphores take a while).
pub(crate) fn semget(args: &uapi::ripc_semget_args) -> Result<isize> {
    let tables = ipc::current_ns()?;
    let nsems = usize::try_from(args.nsems).map_err(|_| EINVAL)?;
    if nsems > limits::semmsl(&tables) {
        return Err(EINVAL);
    }
    // `sem_more_checks()`: an existing array must be big enough.
    let big_enough = |array: &SemArray| {
        if nsems > array.nsems() {
            Err(EINVAL)
        } else {
            Ok(())
        }
    };
    if args.key != ipc::IPC_PRIVATE {
        let found = tables
            .lock_sem()
            .sem
            .find_key(args.key, args.semflg, big_enough)?;
        if let Some(id) = found {
            return Ok(id as isize);
        }
    }
    // `newary()`: the key is unknown and `IPC_CREAT` given, or the key is
    // `IPC_PRIVATE`.
    if nsems == 0 {
        return Err(EINVAL);
    }
    ipc::sweep_dead_namespaces();
    let mut prepared = Some((
        NewSems::new(nsems)?,
        kernel::sync::UniqueArc::new_uninit(GFP_KERNEL_ACCOUNT)?,
    ));
    let mut ns = tables.lock_sem();
    let used = ns.used_sems;
    let mut created = false;
    // Looks the key up again: another task may have made it meanwhile.
    let id = ns.sem.get(
        args.key,
        args.semflg,
        limits::semmni(&tables),
        big_enough,
        |perm| {
            if used + nsems > limits::semmns(&tables) {
                return Err(ENOSPC);
            }
            let (sems, memory) = prepared.take().ok_or(EINVAL)?;
            created = true;
            Ok(SemArray::new(perm, sems, memory))
        },
    );
    if created && id.is_ok() {
        ns.used_sems += nsems;
    }
    drop(ns);
    // Unused if the key appeared meanwhile: freed outside the lock.
    drop(prepared);
    Ok(id? as isize)
}

/// `semtimedop()`; `semop()` is the same without a timeout.
pub(crate) fn semop(args: &uapi::ripc_semop_args) -> Result<isize> {
    // The order of checks is `ksys_semtimedop()`'s and `__do_semtimedop()`'s.
    let timeout = if args.timeout != 0 {
        let ts: [i64; 2] = UserSlice::new(UserPtr::from_addr(args.timeout as usize), 16)
            .reader()
            .read()?;
        Some(ts)
    } else {
        None
    };
    let nsops = args.nsops as usize;
    if nsops < 1 || args.semid < 0 {
        return Err(EINVAL);
    }
    // The namespace is looked up once, for its limit and its table.
    let tables = ipc::current_ns()?;
    if nsops > limits::semopm(&tables) {
        return Err(E2BIG);
    }
    // Up to SEMOPM_FAST operations live on the stack, as in `fast_sops[]`.
    let mut fast = [SemBuf::EMPTY; SEMOPM_FAST];
    let mut slow;
    let sops: &mut [SemBuf] = if nsops <= SEMOPM_FAST {
        &mut fast[..nsops]
    } else {
        slow = KVec::from_elem(SemBuf::EMPTY, nsops, GFP_KERNEL_ACCOUNT)?;
        &mut slow
    };
    let mut reader = UserSlice::new(
        UserPtr::from_addr(args.sops as usize),
        nsops * size_of::<uapi::ripc_sembuf>(),
    )
    .reader();
    for sop in sops.iter_mut() {
        let raw: uapi::ripc_sembuf = reader.read()?;
        *sop = SemBuf {
            num: raw.sem_num,
            op: raw.sem_op,
            flags: raw.sem_flg,
        };
    }
    let timeout = match timeout {
        Some([secs, nsecs]) => {
            if secs < 0 || !(0..1_000_000_000).contains(&nsecs) {
                return Err(EINVAL);
            }
            Some(process::timeout_jiffies(secs, nsecs))
        }
        None => None,
    };
    let array = tables.index().sem.obtain_check(args.semid)?;
    let max = sops.iter().map(|s| s.num()).max().unwrap_or(0);
    if max >= array.nsems() {
        return Err(EFBIG);
    }
    SemArray::semop(&array, sops, timeout)?;
    Ok(0)
}

/// `semctl()`.
pub(crate) fn semctl(args: &uapi::ripc_semctl_args) -> Result<isize> {
    let (id, num, cmd) = (args.semid, args.semnum, args.cmd);
    if id < 0 || cmd < 0 {
        return Err(EINVAL);
    }
    let cmd = cmd as u32;
    let arg = args.arg as usize;
    match cmd {
        uapi::RIPC_IPC_INFO | uapi::RIPC_SEM_INFO => {
            let (info, max_idx) = info(cmd == uapi::RIPC_SEM_INFO)?;
            UserSlice::new(UserPtr::from_addr(arg), size_of_val(&info))
                .writer()
                .write(&info)?;
            Ok(max_idx)
        }
        uapi::RIPC_IPC_STAT | uapi::RIPC_SEM_STAT | uapi::RIPC_SEM_STAT_ANY => {
            let (ds, ret) = stat(id, cmd)?;
            UserSlice::new(UserPtr::from_addr(arg), size_of_val(&ds))
                .writer()
                .write(&ds)?;
            Ok(ret)
        }
        uapi::RIPC_IPC_SET => {
            let ds: uapi::ripc_semid64_ds =
                UserSlice::new(UserPtr::from_addr(arg), size_of::<uapi::ripc_semid64_ds>())
                    .reader()
                    .read()?;
            let tables = ipc::current_ns()?;
            let ns = tables.lock_sem();
            let array = ns.sem.obtain_check(id)?;
            perm::may_change(&array.perm())?;
            let mut inner = array.inner.lock();
            inner.perm.update(&ds.sem_perm)?;
            array.uid.store(inner.perm.uid.raw(), Ordering::Relaxed);
            array.gid.store(inner.perm.gid.raw(), Ordering::Relaxed);
            array.mode.store(inner.perm.mode, Ordering::Relaxed);
            inner.ctime = cred::real_seconds();
            Ok(0)
        }
        uapi::RIPC_IPC_RMID => {
            let tables = ipc::current_ns()?;
            let mut ns = tables.lock_sem();
            let array = ns.sem.obtain_check(id)?;
            perm::may_change(&array.perm())?;
            ns.sem.remove(id)?;
            // INVARIANT: `used_sems` counts the arrays in the table.
            ns.used_sems -= array.nsems();
            drop(ns);
            array.destroy();
            Ok(0)
        }
        uapi::RIPC_GETVAL
        | uapi::RIPC_GETPID
        | uapi::RIPC_GETNCNT
        | uapi::RIPC_GETZCNT
        | uapi::RIPC_GETALL
        | uapi::RIPC_SETVAL
        | uapi::RIPC_SETALL => {
            // `semctl_setval()` checks the value before anything else.
            if cmd == uapi::RIPC_SETVAL && !(0..=SEMVMX).contains(&(arg as u32 as i32)) {
                return Err(ERANGE);
            }
            let array = ipc::lookup(|ns| ns.sem.obtain_check(id))??;
            semctl_main(&array, num, cmd, arg)
        }
        _ => Err(EINVAL),
    }
}

/// The commands on values (`semctl_main()`, `semctl_setval()`).
fn semctl_main(array: &SemArray, num: i32, cmd: u32, arg: usize) -> Result<isize> {
    let write = matches!(cmd, uapi::RIPC_SETVAL | uapi::RIPC_SETALL);
    let nsems = array.nsems();
    let index = |n: i32| usize::try_from(n).ok().filter(|&n| n < nsems).ok_or(EINVAL);
    // `semctl_setval()` checks the semaphore number before the mode,
    // `semctl_main()` after it.
    if cmd == uapi::RIPC_SETVAL {
        index(num)?;
    }
    perm::ipcperms(&array.perm(), if write { S_IWUGO } else { S_IRUGO })?;
    let values_slice = || UserSlice::new(UserPtr::from_addr(arg), nsems * size_of::<u16>());

    // SETALL reads its values before taking any lock, as Linux does.
    let mut new_values = KVec::new();
    if cmd == uapi::RIPC_SETALL {
        new_values = KVec::with_capacity(nsems, GFP_KERNEL_ACCOUNT)?;
        let mut reader = values_slice().reader();
        for _ in 0..nsems {
            let v: u16 = reader.read()?;
            if i32::from(v) > SEMVMX {
                return Err(ERANGE);
            }
            new_values.push(v, GFP_KERNEL_ACCOUNT)?;
        }
    }

    let mut locked = array.lock(None);
    let Locked::Global(inner) = &mut locked else {
        // `lock(None)` always takes the array's lock.
        return Err(EINVAL);
    };
    if array.is_deleted() {
        array.unlock(locked);
        return Err(eidrm());
    }
    let result = match cmd {
        uapi::RIPC_GETVAL => {
            index(num).map(|n| array.sems[n].value.load(Ordering::Relaxed) as isize)
        }
        // `pid_vnr()`: the process as the reader's pid namespace names it.
        uapi::RIPC_GETPID => index(num).map(|n| {
            array.sems[n]
                .state
                .lock()
                .pid
                .as_ref()
                .map_or(0, PidRef::nr) as isize
        }),
        uapi::RIPC_GETNCNT => index(num).map(|n| array.count_waiters(inner, n, true) as isize),
        uapi::RIPC_GETZCNT => index(num).map(|n| array.count_waiters(inner, n, false) as isize),
        uapi::RIPC_GETALL => {
            let mut all = KVec::with_capacity(nsems, GFP_KERNEL_ACCOUNT)?;
            for sem in array.sems.iter() {
                all.push(sem.value.load(Ordering::Relaxed) as u16, GFP_KERNEL_ACCOUNT)?;
            }
            // Copied out after the lock is dropped, below.
            new_values = all;
            Ok(0)
        }
        _ => {
            // SETVAL and SETALL: new values, and every process's
            // adjustments for them are forgotten.
            for (n, sem) in array.sems.iter().enumerate() {
                let value = if cmd == uapi::RIPC_SETVAL {
                    if n != num as usize {
                        continue;
                    }
                    arg as u32 as i32
                } else {
                    i32::from(new_values[n])
                };
                sem.value.store(value, Ordering::Relaxed);
                record_pid(&mut sem.state.lock().pid, Who::Current);
                for undo in inner.undos.values() {
                    undo.set_adj(n, 0);
                }
            }
            inner.ctime = cred::real_seconds();
            Ok(0)
        }
    };
    let mut wakeups = Wakeups::new();
    if write {
        array.do_smart_update(&mut locked, None, &mut wakeups);
    }
    array.unlock(locked);
    wakeups.wake();
    if cmd == uapi::RIPC_GETALL && result.is_ok() {
        let mut writer = values_slice().writer();
        for v in new_values.iter() {
            writer.write(v)?;
        }
    }
    result
}

fn info(usage: bool) -> Result<(uapi::ripc_seminfo, isize)> {
    let tables = ipc::current_ns()?;
    let mut info = uapi::ripc_seminfo {
        semmap: limits::SEMMAP.min(i32::MAX as usize) as i32,
        semmni: limits::semmni(&tables) as i32,
        semmns: limits::semmns(&tables).min(i32::MAX as usize) as i32,
        semmnu: limits::SEMMNU.min(i32::MAX as usize) as i32,
        semmsl: limits::semmsl(&tables) as i32,
        semopm: limits::semopm(&tables) as i32,
        semume: limits::SEMUME as i32,
        semusz: limits::SEMUSZ as i32,
        semvmx: SEMVMX,
        semaem: SEMAEM,
    };
    let ns = tables.lock_sem();
    if usage {
        // `SEM_INFO`: arrays and semaphores in use.
        info.semusz = ns.sem.in_use() as i32;
        info.semaem = ns.used_sems.min(i32::MAX as usize) as i32;
    }
    Ok((info, ns.sem.max_idx().unwrap_or(0) as isize))
}

fn stat(id: i32, cmd: u32) -> Result<(uapi::ripc_semid64_ds, isize)> {
    let array = ipc::lookup(|ns| ns.sem.obtain_for_stat(id, cmd))??;
    let perm = array.perm();
    if cmd != uapi::RIPC_SEM_STAT_ANY {
        perm::ipcperms(&perm, S_IRUGO)?;
    }
    if array.is_deleted() {
        return Err(eidrm());
    }
    let ds = uapi::ripc_semid64_ds {
        sem_perm: perm.to_user(),
        sem_otime: array.otime(),
        __unused1: 0,
        sem_ctime: array.inner.lock().ctime,
        __unused2: 0,
        sem_nsems: array.nsems() as u64,
        __unused3: 0,
        __unused4: 0,
    };
    // IPC_STAT returns 0, SEM_STAT the full id.
    Ok((ds, ipc::stat_return(cmd, perm.id)))
}

/// `sysvipc/sem` in ripcfs: the arrays as `/proc/sysvipc/sem` lists them.
pub(crate) struct Status;

impl StatusFile for Status {
    fn show(m: &SeqFile, view: &StatusView<'_>) {
        seq_print!(
            m,
            "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n"
        );
        let ns = view.tables().lock_sem();
        for array in ns.sem.iter() {
            let p = array.perm();
            seq_print!(
                m,
                "{:10} {:10}  {:4o} {:10} {:5} {:5} {:5} {:5} {:10} {:10}\n",
                p.key,
                p.id,
                p.mode,
                array.nsems(),
                p.uid.to_user(),
                p.gid.to_user(),
                p.cuid.to_user(),
                p.cgid.to_user(),
                array.otime(),
                array.inner.lock().ctime
            );
        }
    }
}
