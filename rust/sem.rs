// SPDX-License-Identifier: GPL-2.0

//! SysV semaphore arrays, as `ipc/sem.c`.
//!
//! Data flow: `RIPC_IOC_SEM{GET,OP,CTL}` on `/dev/ripc` → [`semget`],
//! [`semop`], [`semctl`] → the array is found by id in the namespace's
//! table ([`crate::ipc`]) → [`SemArray`] does the work under the lock that
//! the operation needs (see "Locking" below).
//!
//! | `ipc/sem.c`                      | ripc                                 |
//! |----------------------------------|--------------------------------------|
//! | `struct sem_array`               | [`SemArray`] (shared state: `Inner`) |
//! | `sem_perm` (`kern_ipc_perm`)     | `SemArray::perm`, `Inner::perm`      |
//! | `struct sem` (`sems[]`)          | `Sem`, its state in `SemState`       |
//! | `sem->semval`, `sem->sempid`     | `SemState::value`, `SemState::pid`   |
//! | `sem->pending_alter/_const`      | `SemState::pending_*` (fast mode)    |
//! | `sma->pending_alter/_const`      | `Inner::pending_*` (global mode)     |
//! | `sma->complex_count`             | `Inner::complex_count`               |
//! | `sma->use_global_lock`           | `SemArray::use_global`               |
//! | `struct sem_queue`               | `Waiter`                             |
//! | `q->status`, `q->blocking`       | `Waiter::status`, `Waiter::blocking` |
//! | `struct sem_undo` (`semadj[]`)   | `Undo` in `Inner::undos`             |
//! | `struct sem_undo_list`           | the owner's entry in `UNDO_OWNERS`   |
//! | `sem_lock()`, `sem_unlock()`     | `SemArray::lock`, `Locked::unlock`   |
//! | `merge_queues()`, `complexmode_tryleave()` | `enter_global`, `leave_global` |
//! | `perform_atomic_semop()`         | `perform`                            |
//! | `update_queue()`, `wake_const_ops()`, `do_smart_update()` | `update_queues` |
//! | `count_semcnt()`                 | `SemArray::count_waiters`            |
//! | `freeary()`                      | [`SemArray::destroy`]                |
//! | `exit_sem()`                     | [`exit_undo`]                        |
//! | `sysvipc_sem_proc_show()`        | [`Status`] (`sysvipc/sem`)           |
//!
//! # Locking
//!
//! As in `ipc/sem.c`, an operation on one semaphore (without `SEM_UNDO`)
//! takes only that semaphore's lock while no complex operation (several
//! semaphores, or `SEM_UNDO`) is pending: the "fast mode". A complex
//! operation, `semctl()` and removal take the array's lock (`Inner`) and
//! switch the array to "global mode" first: they raise `use_global`, then
//! take and drop each semaphore's lock once, so that every fast operation
//! in flight has finished and every later one sees `use_global` and takes
//! the array's lock too. In global mode, all state changes happen under
//! the array's lock; a semaphore's own lock is then only taken, briefly and
//! one at a time, to reach its fields. The array returns to fast mode once
//! no operation waits on the array's lists and `USE_GLOBAL_HYSTERESIS`
//! operations have gone by (Linux also leaves with simple waiters, which
//! it moves back; see `leave_global`).
//!
//! Blocked operations wait in FIFO lists: in fast mode on their
//! semaphore's lists, in global mode on the array's (`enter_global` moves
//! them there, keeping arrival order). Whoever changes a value completes,
//! on their behalf, every waiting operation that can now complete (setting
//! its `status`), then wakes only those, each on its own condvar, after
//! dropping the lock.
//!
//! Lock order: the namespace's tables (`ipc::current_ns()`), then `UNDO_OWNERS`, then an array's
//! `Inner`, then one `Sem` lock at a time.

use crate::{
    glue::{
        cred,
        global::UNDO_OWNERS,
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
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU32, AtomicUsize, Ordering};
use kernel::{
    new_mutex,
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{
        lock::{mutex::MutexBackend, Guard},
        Arc, Mutex,
    },
    time::Jiffies,
    uaccess::{UserPtr, UserSlice},
};

const IPC_NOWAIT: i16 = uapi::RIPC_IPC_NOWAIT as i16;
const SEM_UNDO: i16 = uapi::RIPC_SEM_UNDO as i16;

/// Operations in global mode before an array without complex operations
/// goes back to fast mode (`USE_GLOBAL_LOCK_HYSTERESIS`).
const USE_GLOBAL_HYSTERESIS: usize = 10;

/// `Waiter::status` while the operation waits (`-EINTR` in Linux).
const PENDING: i32 = 1;

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
    /// Arrival order within the array.
    ticket: u64,
    sops: WaiterOps,
    /// Some operation changes a value (`q->alter`).
    alter: bool,
    /// Several semaphores or `SEM_UNDO`: needs global mode.
    complex: bool,
    /// The process whose adjustments `SEM_UNDO` operations change.
    undo_owner: Option<usize>,
    pid: i32,
    /// `PENDING`, then 0 or the negative errno the waker decided.
    status: AtomicI32,
    /// The operation it waits on (`q->blocking`), for `GETNCNT`/`GETZCNT`.
    blocking: AtomicUsize,
    /// Its task (`q->sleeper`): woken only when completed, or removed.
    task: Sleeper,
}

impl Waiter {
    fn blocking_op(&self) -> SemBuf {
        self.sops[self
            .blocking
            .load(Ordering::Relaxed)
            .min(self.sops.len() - 1)]
    }
}

/// What one semaphore holds under its own lock.
struct SemState {
    /// `semval`: 0..=`SEMVMX`.
    value: i32,
    /// `sempid`: the last process that changed or set it.
    pid: i32,
    /// Last `semop()` on it (`sem_otime`), kept per semaphore so that fast
    /// operations touch no shared field.
    otime: i64,
    /// Waiting single-semaphore operations, in fast mode only.
    pending_alter: KVec<Arc<Waiter>>,
    pending_const: KVec<Arc<Waiter>>,
}

#[pin_data]
struct Sem {
    #[pin]
    state: Mutex<SemState>,
}

/// `SEM_UNDO` adjustments of one process on this array (`struct
/// sem_undo`): added to the values when the process exits.
struct Undo {
    owner: usize,
    semadj: KVec<i16>,
}

/// What the array holds under its own lock (`sem_perm.lock`).
struct Inner {
    perm: KernIpcPerm,
    ctime: i64,
    /// Waiting operations, in global mode.
    pending_alter: KVec<Arc<Waiter>>,
    pending_const: KVec<Arc<Waiter>>,
    /// Waiting complex operations (`complex_count`).
    complex_count: usize,
    undos: KVec<Undo>,
    /// In global mode: some semaphore's lists still hold waiters that
    /// `enter_global` could not move for want of memory.
    stranded: bool,
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
    /// `sem_perm.deleted`; set in global mode, read under any lock.
    deleted: AtomicBool,
    /// 0 in fast mode; else operations to go in global mode.
    use_global: AtomicUsize,
    next_ticket: AtomicI64,
    sems: KVec<Pin<KBox<Sem>>>,
    #[pin]
    inner: Mutex<Inner>,
}

/// The lock an operation holds (`locknum` of `sem_lock()`).
enum Locked<'a> {
    /// Fast mode: the one semaphore's lock.
    Fast(Guard<'a, SemState, MutexBackend>),
    /// Global mode: the array's lock.
    Global(Guard<'a, Inner, MutexBackend>),
}

/// The values as an operation sees them, whatever lock it holds.
trait Values {
    fn value(&mut self, num: usize) -> i32;
    fn set_value(&mut self, num: usize, value: i32);
    /// Records a completed operation: `sempid` of each semaphore it used,
    /// and `sem_otime` of its first (`set_semotime()`).
    fn completed(&mut self, sops: &[SemBuf], pid: i32);
}

/// Global mode: each semaphore's lock is taken for each access; nobody
/// else changes values while the array's lock is held.
struct GlobalValues<'a>(&'a [Pin<KBox<Sem>>]);

impl Values for GlobalValues<'_> {
    fn value(&mut self, num: usize) -> i32 {
        self.0[num].state.lock().value
    }
    fn set_value(&mut self, num: usize, value: i32) {
        self.0[num].state.lock().value = value;
    }
    fn completed(&mut self, sops: &[SemBuf], pid: i32) {
        for sop in sops {
            self.0[sop.num()].state.lock().pid = pid;
        }
        self.0[sops[0].num()].state.lock().otime = cred::real_seconds();
    }
}

/// What trying an operation gave (`perform_atomic_semop()`).
enum Outcome {
    Done,
    /// Must wait; the index of the operation that blocks.
    Blocks(usize),
}

/// The adjustments an operation may change, if it has `SEM_UNDO` ops.
fn undo_of<'a>(undos: &'a mut KVec<Undo>, owner: Option<usize>) -> Option<&'a mut KVec<i16>> {
    let owner = owner?;
    undos
        .iter_mut()
        .find(|u| u.owner == owner)
        .map(|u| &mut u.semadj)
}

/// `perform_atomic_semop()`: applies all of `sops` or none. `ERANGE` if a
/// value or adjustment would leave its range, `EAGAIN` if it would block
/// and the blocking operation has `IPC_NOWAIT`.
fn perform(
    values: &mut impl Values,
    sops: &[SemBuf],
    mut undo: Option<&mut KVec<i16>>,
    pid: i32,
) -> Result<Outcome> {
    let mut result = Ok(Outcome::Done);
    let mut applied = 0;
    for (i, sop) in sops.iter().enumerate() {
        let value = values.value(sop.num());
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
            if let Some(adj) = undo.as_deref_mut() {
                let a = i32::from(adj[sop.num()]) - i32::from(sop.op);
                if !(-SEMAEM - 1..=SEMAEM).contains(&a) {
                    result = Err(ERANGE);
                    break;
                }
                adj[sop.num()] = a as i16;
            }
        }
        values.set_value(sop.num(), new);
        applied = i + 1;
    }
    if matches!(result, Ok(Outcome::Done)) {
        values.completed(sops, pid);
        return result;
    }
    // Roll back what was applied, last first.
    for sop in sops[..applied].iter().rev() {
        let value = values.value(sop.num());
        values.set_value(sop.num(), value - i32::from(sop.op));
        if sop.flags & SEM_UNDO != 0 {
            if let Some(adj) = undo.as_deref_mut() {
                adj[sop.num()] = (i32::from(adj[sop.num()]) + i32::from(sop.op)) as i16;
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
}

/// Completes a waiter with `status` (`wake_up_sem_queue_prepare()`): its
/// sleeper is woken by `Wakeups::wake`, or at once if memory is short.
fn complete(waiter: &Arc<Waiter>, status: i32, wakeups: &mut Wakeups) {
    waiter.status.store(status, Ordering::Release);
    if let Some(slot) = wakeups.first.iter_mut().find(|w| w.is_none()) {
        *slot = Some(waiter.clone());
    } else if wakeups
        .more
        .get_or_insert_with(KVec::new)
        .push(waiter.clone(), GFP_KERNEL_ACCOUNT)
        .is_err()
    {
        waiter.task.wake();
    }
}

/// `update_queue()` and `wake_const_ops()` over one pair of lists:
/// completes, in arrival order, every waiting operation that can now
/// complete, until none can.
fn update_queues(
    values: &mut impl Values,
    alter: &mut KVec<Arc<Waiter>>,
    constant: &mut KVec<Arc<Waiter>>,
    mut undos: Option<&mut KVec<Undo>>,
    complex_count: &mut usize,
    wakeups: &mut Wakeups,
) {
    loop {
        let mut progressed = false;
        // Wait-for-zero operations first: they change nothing.
        let mut i = 0;
        while i < constant.len() {
            let w = constant[i].clone();
            let undo = undos.as_deref_mut().and_then(|u| undo_of(u, w.undo_owner));
            match perform(values, &w.sops, undo, w.pid) {
                Ok(Outcome::Blocks(b)) => {
                    w.blocking.store(b, Ordering::Relaxed);
                    i += 1;
                    continue;
                }
                Ok(Outcome::Done) => complete(&w, 0, wakeups),
                Err(e) => complete(&w, e.to_errno(), wakeups),
            }
            constant.remove(i).ok();
            if w.complex {
                *complex_count -= 1;
            }
        }
        // Then the first altering operation that can complete; values
        // changed, so everything is looked at again.
        let mut i = 0;
        while i < alter.len() {
            let w = alter[i].clone();
            let undo = undos.as_deref_mut().and_then(|u| undo_of(u, w.undo_owner));
            let done = match perform(values, &w.sops, undo, w.pid) {
                Ok(Outcome::Blocks(b)) => {
                    w.blocking.store(b, Ordering::Relaxed);
                    i += 1;
                    continue;
                }
                Ok(Outcome::Done) => {
                    complete(&w, 0, wakeups);
                    true
                }
                Err(e) => {
                    complete(&w, e.to_errno(), wakeups);
                    false
                }
            };
            alter.remove(i).ok();
            if w.complex {
                *complex_count -= 1;
            }
            if done {
                progressed = true;
                break;
            }
        }
        if !progressed {
            return;
        }
    }
}

/// Moves every waiter of `from` into `to`, keeping arrival order
/// (`merge_queues()`, which only relinks). The room in `to` is reserved
/// first: if it cannot be had, nothing moves and the waiters stay on their
/// semaphore's lists, where `unlink` and `destroy` still find them, global
/// mode updates them (`SemArray::update_stranded`) and fast mode finds them
/// in place again. Returns whether `from` is empty now.
fn move_waiters(from: &mut KVec<Arc<Waiter>>, to: &mut KVec<Arc<Waiter>>) -> bool {
    if from.is_empty() {
        return true;
    }
    if to.reserve(from.len(), GFP_KERNEL_ACCOUNT).is_err() {
        return false;
    }
    for w in from.drain_all() {
        let at = to
            .iter()
            .position(|o| o.ticket > w.ticket)
            .unwrap_or(to.len());
        // Cannot fail: `at <= to.len()` and the room was reserved above.
        let _ = to.insert_within_capacity(at, w);
    }
    true
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

impl SemArray {
    fn new(perm: KernIpcPerm, nsems: usize) -> Result<Arc<Self>> {
        let mut sems = KVec::with_capacity(nsems, GFP_KERNEL_ACCOUNT)?;
        for _ in 0..nsems {
            let sem = KBox::pin_init(
                pin_init!(Sem {
                    state <- new_mutex!(SemState {
                        value: 0,
                        pid: 0,
                        otime: 0,
                        pending_alter: KVec::new(),
                        pending_const: KVec::new(),
                    }, "Sem::state"),
                }),
                GFP_KERNEL_ACCOUNT,
            )?;
            sems.push(sem, GFP_KERNEL_ACCOUNT)?;
        }
        let inner = Inner {
            perm,
            ctime: cred::real_seconds(),
            pending_alter: KVec::new(),
            pending_const: KVec::new(),
            complex_count: 0,
            undos: KVec::new(),
            stranded: false,
        };
        Arc::pin_init(
            pin_init!(Self {
                perm,
                uid: AtomicU32::new(perm.uid.raw()),
                gid: AtomicU32::new(perm.gid.raw()),
                mode: AtomicU32::new(perm.mode),
                deleted: AtomicBool::new(false),
                use_global: AtomicUsize::new(0),
                next_ticket: AtomicI64::new(0),
                sems,
                inner <- new_mutex!(inner, "SemArray::inner"),
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    fn nsems(&self) -> usize {
        self.sems.len()
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
            let mut inner = self.inner.lock();
            self.enter_global(&mut inner);
            return Locked::Global(inner);
        };
        if self.use_global.load(Ordering::Acquire) == 0 {
            let guard = self.sems[num].state.lock();
            // Re-check under the semaphore's lock: a switch to global
            // mode takes this lock after raising the flag.
            if self.use_global.load(Ordering::Acquire) == 0 {
                return Locked::Fast(guard);
            }
        }
        let inner = self.inner.lock();
        if self.use_global.load(Ordering::Acquire) == 0 {
            // Global mode ended while this task waited for the array's
            // lock; nobody can enter it again while that lock is held.
            let guard = self.sems[num].state.lock();
            drop(inner);
            return Locked::Fast(guard);
        }
        Locked::Global(inner)
    }

    /// Switches to global mode (`complexmode_enter()`, `merge_queues()`):
    /// waits for fast operations in flight and moves their waiters to the
    /// array's lists.
    fn enter_global(&self, inner: &mut Inner) {
        if self.use_global.load(Ordering::Relaxed) != 0 {
            self.use_global
                .store(USE_GLOBAL_HYSTERESIS, Ordering::Relaxed);
            return;
        }
        self.use_global
            .store(USE_GLOBAL_HYSTERESIS, Ordering::Release);
        for sem in &self.sems {
            let mut state = sem.state.lock();
            let alter = move_waiters(&mut state.pending_alter, &mut inner.pending_alter);
            let constant = move_waiters(&mut state.pending_const, &mut inner.pending_const);
            inner.stranded |= !alter || !constant;
        }
    }

    /// `complexmode_tryleave()`: back to fast mode once no operation waits
    /// on the array's lists and the hysteresis has run out. (Linux moves
    /// the simple waiters back with `unmerge_queues()`; here that would
    /// need memory that may not be there, so the array stays in global
    /// mode until its lists are empty, which only delays the fast path.)
    fn leave_global(&self, inner: &mut Inner) {
        if inner.complex_count != 0
            || !inner.pending_alter.is_empty()
            || !inner.pending_const.is_empty()
        {
            return;
        }
        let left = self.use_global.load(Ordering::Relaxed);
        if left > 1 {
            self.use_global.store(left - 1, Ordering::Relaxed);
            return;
        }
        // Stranded waiters are where fast mode looks for them.
        inner.stranded = false;
        self.use_global.store(0, Ordering::Release);
    }

    fn unlock(&self, locked: Locked<'_>) {
        if let Locked::Global(mut inner) = locked {
            self.leave_global(&mut inner);
        }
    }

    /// Runs `update_queues` under whatever lock is held, collecting the
    /// sleepers to wake in `wakeups`.
    fn update(&self, locked: &mut Locked<'_>, wakeups: &mut Wakeups) {
        match locked {
            Locked::Fast(state) => {
                let (mut values, alter, constant) = FastGuard::split(state);
                if alter.is_empty() && constant.is_empty() {
                    return;
                }
                let mut no_complex = 0;
                update_queues(&mut values, alter, constant, None, &mut no_complex, wakeups);
            }
            Locked::Global(inner) => {
                let inner = &mut **inner;
                loop {
                    update_queues(
                        &mut GlobalValues(&self.sems),
                        &mut inner.pending_alter,
                        &mut inner.pending_const,
                        Some(&mut inner.undos),
                        &mut inner.complex_count,
                        wakeups,
                    );
                    if !inner.stranded || !self.update_stranded(wakeups) {
                        break;
                    }
                }
            }
        }
    }

    /// `update_queues` over the waiters `enter_global` left on their
    /// semaphore's lists, which no fast operation reaches in global mode.
    /// Returns whether any of them completed (values may have changed, so
    /// the array's lists are to be looked at again).
    fn update_stranded(&self, wakeups: &mut Wakeups) -> bool {
        let mut completed = false;
        for sem in &self.sems {
            // Taken out of the semaphore, whose lock `GlobalValues` takes;
            // in global mode, under the array's lock, nobody else adds to
            // or removes from them meanwhile.
            let (mut alter, mut constant) = {
                let mut state = sem.state.lock();
                (
                    core::mem::take(&mut state.pending_alter),
                    core::mem::take(&mut state.pending_const),
                )
            };
            let before = alter.len() + constant.len();
            if before > 0 {
                // Simple operations: no undo, not complex.
                update_queues(
                    &mut GlobalValues(&self.sems),
                    &mut alter,
                    &mut constant,
                    None,
                    &mut 0,
                    wakeups,
                );
                completed |= alter.len() + constant.len() < before;
            }
            let mut state = sem.state.lock();
            state.pending_alter = alter;
            state.pending_const = constant;
        }
        completed
    }

    /// `semtimedop()` on this array. `sops` is copied to the heap only if
    /// the operation blocks.
    fn semop(this: &Arc<Self>, sops: &[SemBuf], timeout: Option<Jiffies>) -> Result {
        let alter = sops.iter().any(|s| s.op != 0);
        let undo = sops.iter().any(|s| s.flags & SEM_UNDO != 0);
        let complex = sops.len() > 1 || undo;
        perm::ipcperms(&this.perm(), if alter { S_IWUGO } else { S_IRUGO })?;
        let undo_owner = if undo {
            Some(register_undo(this)?)
        } else {
            None
        };
        let pid = cred::current_tgid();
        let simple = (!complex).then_some(sops[0].num());

        let mut locked = this.lock(simple);
        if this.deleted.load(Ordering::Relaxed) {
            this.unlock(locked);
            return Err(eidrm());
        }
        let outcome = match &mut locked {
            Locked::Fast(state) => perform(&mut FastGuard::split(state).0, sops, None, pid),
            Locked::Global(inner) => match this.undo_entry(inner, undo_owner) {
                Ok(adj) => perform(&mut GlobalValues(&this.sems), sops, adj, pid),
                Err(e) => Err(e),
            },
        };
        match outcome {
            Ok(Outcome::Done) => {
                let mut wakeups = Wakeups::new();
                if alter {
                    this.update(&mut locked, &mut wakeups);
                }
                this.unlock(locked);
                wakeups.wake();
                Ok(())
            }
            Err(e) => {
                this.unlock(locked);
                Err(e)
            }
            Ok(Outcome::Blocks(blocking)) => {
                let sops = match WaiterOps::new(sops) {
                    Ok(sops) => sops,
                    Err(e) => {
                        this.unlock(locked);
                        return Err(e);
                    }
                };
                let waiter = Arc::new(
                    Waiter {
                        ticket: this.next_ticket.fetch_add(1, Ordering::Relaxed) as u64,
                        sops,
                        alter,
                        complex,
                        undo_owner,
                        pid,
                        status: AtomicI32::new(PENDING),
                        blocking: AtomicUsize::new(blocking),
                        task: Sleeper::current(),
                    },
                    GFP_KERNEL_ACCOUNT,
                );
                match waiter {
                    Ok(waiter) => this.sleep(locked, waiter, timeout),
                    Err(e) => {
                        this.unlock(locked);
                        Err(e.into())
                    }
                }
            }
        }
    }

    /// The adjustments of `owner` on this array, made on first use
    /// (`find_alloc_undo()`); `None` without `SEM_UNDO`.
    fn undo_entry<'a>(
        &self,
        inner: &'a mut Inner,
        owner: Option<usize>,
    ) -> Result<Option<&'a mut KVec<i16>>> {
        let Some(owner) = owner else {
            return Ok(None);
        };
        if !inner.undos.iter().any(|u| u.owner == owner) {
            let mut semadj = KVec::with_capacity(self.nsems(), GFP_KERNEL_ACCOUNT)?;
            for _ in 0..self.nsems() {
                semadj.push(0, GFP_KERNEL_ACCOUNT)?;
            }
            inner
                .undos
                .push(Undo { owner, semadj }, GFP_KERNEL_ACCOUNT)?;
        }
        Ok(undo_of(&mut inner.undos, Some(owner)))
    }

    /// Queues `waiter` and sleeps until a waker completes it, a signal
    /// comes, the timeout passes or the array is removed.
    fn sleep<'a>(
        &'a self,
        mut locked: Locked<'a>,
        waiter: Arc<Waiter>,
        timeout: Option<Jiffies>,
    ) -> Result {
        let queued = match &mut locked {
            Locked::Fast(state) => {
                let list = if waiter.alter {
                    &mut state.pending_alter
                } else {
                    &mut state.pending_const
                };
                list.push(waiter.clone(), GFP_KERNEL_ACCOUNT)
            }
            Locked::Global(inner) => {
                let list = if waiter.alter {
                    &mut inner.pending_alter
                } else {
                    &mut inner.pending_const
                };
                let r = list.push(waiter.clone(), GFP_KERNEL_ACCOUNT);
                if r.is_ok() && waiter.complex {
                    inner.complex_count += 1;
                }
                r
            }
        };
        if let Err(e) = queued {
            self.unlock(locked);
            return Err(e.into());
        }

        // As `do_semtimedop()`: sleep with the lock dropped; a waker sets
        // `status` before it wakes the task, so a final status is read
        // without the lock.
        let simple = (!waiter.complex).then_some(waiter.sops[0].num());
        let mut remaining = timeout;
        loop {
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

    /// Takes a pending waiter out of whichever list holds it.
    fn unlink(&self, locked: &mut Locked<'_>, waiter: &Arc<Waiter>) {
        let is = |o: &mut Arc<Waiter>| !Arc::ptr_eq(o, waiter);
        match locked {
            Locked::Fast(state) => {
                state.pending_alter.retain(is);
                state.pending_const.retain(is);
            }
            Locked::Global(inner) => {
                let before = inner.pending_alter.len() + inner.pending_const.len();
                inner.pending_alter.retain(is);
                inner.pending_const.retain(is);
                let after = inner.pending_alter.len() + inner.pending_const.len();
                if waiter.complex && after < before {
                    inner.complex_count -= 1;
                }
                if after == before && !waiter.complex {
                    // Not moved to the array's lists (see `move_waiters`).
                    let mut state = self.sems[waiter.sops[0].num()].state.lock();
                    state.pending_alter.retain(is);
                    state.pending_const.retain(is);
                }
            }
        }
    }

    /// `exit_sem()` for one array: adds `owner`'s adjustments to the values
    /// (clamped to 0..=`SEMVMX`) and forgets them.
    fn apply_undo(&self, owner: usize) {
        let mut locked = self.lock(None);
        let Locked::Global(inner) = &mut locked else {
            return;
        };
        let found = inner.undos.iter().position(|u| u.owner == owner);
        let undo = match found {
            Some(i) if !self.deleted.load(Ordering::Relaxed) => inner.undos.remove(i).ok(),
            _ => None,
        };
        let Some(undo) = undo else {
            self.unlock(locked);
            return;
        };
        let pid = cred::current_tgid();
        for (num, adj) in undo.semadj.iter().enumerate() {
            if *adj != 0 {
                let mut s = self.sems[num].state.lock();
                s.value = (s.value + i32::from(*adj)).clamp(0, SEMVMX);
                s.pid = pid;
            }
        }
        let mut wakeups = Wakeups::new();
        self.update(&mut locked, &mut wakeups);
        self.unlock(locked);
        wakeups.wake();
    }

    /// `freeary()`: marks the array removed and fails every waiter with
    /// `EIDRM`. The caller has taken it out of the table.
    pub(crate) fn destroy(&self) {
        let mut locked = self.lock(None);
        let mut wakeups = Wakeups::new();
        if let Locked::Global(inner) = &mut locked {
            self.deleted.store(true, Ordering::Relaxed);
            for w in Iterator::chain(inner.pending_alter.iter(), &inner.pending_const) {
                complete(w, eidrm().to_errno(), &mut wakeups);
            }
            inner.pending_alter.clear();
            inner.pending_const.clear();
            inner.complex_count = 0;
            inner.undos.clear();
            // Waiters `move_waiters` could not move.
            for sem in &self.sems {
                let mut state = sem.state.lock();
                for w in Iterator::chain(state.pending_alter.iter(), &state.pending_const) {
                    complete(w, eidrm().to_errno(), &mut wakeups);
                }
                state.pending_alter.clear();
                state.pending_const.clear();
            }
        }
        drop(locked);
        wakeups.wake();
    }

    /// `count_semcnt()`: operations waiting for `num` to grow (`ncnt`) or
    /// to be zero (`!ncnt`), judged by the operation each waits on.
    fn count_waiters(inner: &Inner, num: usize, ncnt: bool) -> usize {
        Iterator::chain(inner.pending_alter.iter(), &inner.pending_const)
            .filter(|w| {
                let op = w.blocking_op();
                op.num() == num && if ncnt { op.op < 0 } else { op.op == 0 }
            })
            .count()
    }

    fn otime(&self) -> i64 {
        self.sems
            .iter()
            .map(|s| s.state.lock().otime)
            .max()
            .unwrap_or(0)
    }
}

/// A `Values` over the fast-mode guard's semaphore: its value fields,
/// borrowed apart from its lists of waiters.
struct FastGuard<'a> {
    value: &'a mut i32,
    pid: &'a mut i32,
    otime: &'a mut i64,
}

impl<'a> FastGuard<'a> {
    /// The values of `state`, and its lists of altering and wait-for-zero
    /// waiters.
    fn split(
        state: &'a mut SemState,
    ) -> (Self, &'a mut KVec<Arc<Waiter>>, &'a mut KVec<Arc<Waiter>>) {
        let SemState {
            value,
            pid,
            otime,
            pending_alter,
            pending_const,
        } = state;
        (Self { value, pid, otime }, pending_alter, pending_const)
    }
}

impl Values for FastGuard<'_> {
    fn value(&mut self, _num: usize) -> i32 {
        *self.value
    }
    fn set_value(&mut self, _num: usize, value: i32) {
        *self.value = value;
    }
    fn completed(&mut self, _sops: &[SemBuf], pid: i32) {
        *self.pid = pid;
        *self.otime = cred::real_seconds();
    }
}

fn status_result(status: i32) -> Result {
    if status == 0 {
        Ok(())
    } else {
        Err(Error::from_errno(status))
    }
}

/// Records that the current process has `SEM_UNDO` adjustments on `array`,
/// so that [`exit_undo`] finds it. Returns the process's owner id.
fn register_undo(array: &Arc<SemArray>) -> Result<usize> {
    let owner = process::current_files_id();
    let mut owners = UNDO_OWNERS.lock();
    let i = match owners.iter().position(|(o, _)| *o == owner) {
        Some(i) => i,
        None => {
            owners.push((owner, KVec::new()), GFP_KERNEL_ACCOUNT)?;
            owners.len() - 1
        }
    };
    let arrays = &mut owners[i].1;
    // Forget arrays removed since; keep at most one entry per array.
    arrays.retain(|a| !a.deleted.load(Ordering::Relaxed));
    if !arrays.iter().any(|a| Arc::ptr_eq(a, array)) {
        arrays.push(array.clone(), GFP_KERNEL_ACCOUNT)?;
    }
    Ok(owner)
}

/// `exit_sem()`: applies and forgets every `SEM_UNDO` adjustment of
/// `owner`. Called from `flush` of `/dev/ripc`, that is when the process
/// closes a descriptor of it, at exit at the latest.
pub(crate) fn exit_undo(owner: usize) {
    let arrays = {
        let mut owners = UNDO_OWNERS.lock();
        match owners.iter().position(|(o, _)| *o == owner) {
            Some(i) => owners.remove(i).map(|(_, a)| a).unwrap_or_default(),
            None => return,
        }
    };
    for array in arrays.iter() {
        array.apply_undo(owner);
    }
}

/// `semget()`.
pub(crate) fn semget(args: &uapi::ripc_semget_args) -> Result<isize> {
    let nsems = usize::try_from(args.nsems).map_err(|_| EINVAL)?;
    if nsems > limits::semmsl() {
        return Err(EINVAL);
    }
    ipc::sweep_dead_namespaces();
    let tables = ipc::current_ns()?;
    let mut ns = tables.lock();
    let used: usize = ns.sem.iter().map(|a| a.nsems()).sum();
    let id = ns.sem.get(
        args.key,
        args.semflg,
        limits::semmni(),
        // `sem_more_checks()`: an existing array must be big enough.
        |array| {
            if nsems > array.nsems() {
                Err(EINVAL)
            } else {
                Ok(())
            }
        },
        |perm| {
            // `newary()`.
            if nsems == 0 {
                return Err(EINVAL);
            }
            if used + nsems > limits::semmns() {
                return Err(ENOSPC);
            }
            SemArray::new(perm, nsems)
        },
    )?;
    Ok(id as isize)
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
    if nsops > limits::semopm() {
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
    let array = ipc::with_current_ns(|ns| ns.sem.obtain_check(args.semid))??;
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
            let ns = tables.lock();
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
            let mut ns = tables.lock();
            let array = ns.sem.obtain_check(id)?;
            perm::may_change(&array.perm())?;
            ns.sem.remove(id)?;
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
            let array = ipc::with_current_ns(|ns| ns.sem.obtain_check(id))??;
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
    if array.deleted.load(Ordering::Relaxed) {
        drop(locked);
        return Err(eidrm());
    }
    let result = match cmd {
        uapi::RIPC_GETVAL => index(num).map(|n| array.sems[n].state.lock().value as isize),
        uapi::RIPC_GETPID => index(num).map(|n| array.sems[n].state.lock().pid as isize),
        uapi::RIPC_GETNCNT => index(num).map(|n| SemArray::count_waiters(inner, n, true) as isize),
        uapi::RIPC_GETZCNT => index(num).map(|n| SemArray::count_waiters(inner, n, false) as isize),
        uapi::RIPC_GETALL => {
            let mut all = KVec::with_capacity(nsems, GFP_KERNEL_ACCOUNT)?;
            for sem in array.sems.iter() {
                all.push(sem.state.lock().value as u16, GFP_KERNEL_ACCOUNT)?;
            }
            // Copied out after the lock is dropped, below.
            new_values = all;
            Ok(0)
        }
        _ => {
            // SETVAL and SETALL: new values, and every process's
            // adjustments for them are forgotten.
            let pid = cred::current_tgid();
            for (n, sem) in array.sems.iter().enumerate() {
                let value = if cmd == uapi::RIPC_SETVAL {
                    if n != num as usize {
                        continue;
                    }
                    arg as u32 as i32
                } else {
                    i32::from(new_values[n])
                };
                let mut s = sem.state.lock();
                s.value = value;
                s.pid = pid;
                drop(s);
                for undo in inner.undos.iter_mut() {
                    undo.semadj[n] = 0;
                }
            }
            inner.ctime = cred::real_seconds();
            Ok(0)
        }
    };
    let mut wakeups = Wakeups::new();
    if write {
        array.update(&mut locked, &mut wakeups);
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
    let ns = tables.lock();
    let mut info = uapi::ripc_seminfo {
        semmap: limits::SEMMAP.min(i32::MAX as usize) as i32,
        semmni: limits::semmni() as i32,
        semmns: limits::semmns().min(i32::MAX as usize) as i32,
        semmnu: limits::SEMMNU.min(i32::MAX as usize) as i32,
        semmsl: limits::semmsl() as i32,
        semopm: limits::semopm() as i32,
        semume: limits::SEMUME as i32,
        semusz: limits::SEMUSZ as i32,
        semvmx: SEMVMX,
        semaem: SEMAEM,
    };
    if usage {
        // `SEM_INFO`: arrays and semaphores in use.
        info.semusz = ns.sem.in_use() as i32;
        info.semaem = ns
            .sem
            .iter()
            .map(|a| a.nsems())
            .sum::<usize>()
            .min(i32::MAX as usize) as i32;
    }
    Ok((info, ns.sem.max_idx().unwrap_or(0) as isize))
}

fn stat(id: i32, cmd: u32) -> Result<(uapi::ripc_semid64_ds, isize)> {
    let array = ipc::with_current_ns(|ns| ns.sem.obtain_for_stat(id, cmd))??;
    let perm = array.perm();
    if cmd != uapi::RIPC_SEM_STAT_ANY {
        perm::ipcperms(&perm, S_IRUGO)?;
    }
    if array.deleted.load(Ordering::Relaxed) {
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
        let ns = view.tables().lock();
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
