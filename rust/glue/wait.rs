// SPDX-License-Identifier: GPL-2.0

//! Wait queues that wake with a poll key, as `fs/pipe.c` and `fs/eventfd.c`
//! do, and the `poll_table` that registers them.
//!
//! `kernel::sync::poll::PollCondVar` wakes without a key, and an epoll
//! watcher is woken by every keyless wake-up whatever events it asked for:
//! an edge-triggered `EPOLLOUT` watcher of a pipe's write end would see an
//! event on every write. Its `wait_queue_head` is private to the kernel
//! crate, so [`WaitQueue`] is a `wait_queue_head` of our own with the calls
//! of `include/linux/wait.h` that pipes and eventfd use:
//! `wake_up_interruptible_sync_poll()` and friends,
//! `wait_event_interruptible_exclusive()` with a condition read without a
//! lock, a `prepare_to_wait()` sleep that drops a lock, and the queue's own
//! lock guarding state beside it ([`QueueLocked`], as eventfd's count).

use core::{
    marker::{PhantomData, PhantomPinned},
    ptr,
};
use kernel::{
    bindings,
    ffi::{c_int, c_void},
    fs::File,
    prelude::*,
    sync::{poll::PollCondVar, LockClassKey},
    types::Opaque,
};

/// A [`WaitQueue`] initialiser with the given name and a lock class of its
/// own, as `kernel::new_poll_condvar!`.
macro_rules! new_wait_queue {
    ($name:literal) => {
        $crate::glue::wait::WaitQueue::new(
            ::kernel::optional_name!($name),
            ::kernel::static_lock_class!(),
        )
    };
}
pub(crate) use new_wait_queue;

/// The poll events a wake-up is about (`poll_to_key()`): only pollers
/// and epoll watchers that asked for one of them are woken; sleeping
/// readers and writers are woken whatever the key.
fn poll_key(events: u32) -> *mut c_void {
    events as usize as *mut c_void
}

/// A `wait_queue_head`.
///
/// Entries come from three places: tasks sleeping in one of the methods
/// below (removed before the method returns), `poll`/`select` tables
/// (removed before the system call returns) and epoll items (removed when
/// the watched file is released, before its `release` drops the object
/// that holds this queue). So the queue is normally empty when dropped;
/// `drop` copes with one that is not as `PollCondVar` does.
#[pin_data(PinnedDrop)]
pub(crate) struct WaitQueue {
    #[pin]
    head: Opaque<bindings::wait_queue_head>,
    /// The head is a list that points to itself: it never moves.
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: a `wait_queue_head` is used from any thread under its own lock.
unsafe impl Send for WaitQueue {}

// SAFETY: as above; every method takes the queue's own lock.
unsafe impl Sync for WaitQueue {}

impl WaitQueue {
    /// An empty queue (`init_waitqueue_head()`).
    pub(crate) fn new(name: &'static CStr, key: Pin<&'static LockClassKey>) -> impl PinInit<Self> {
        pin_init!(Self {
            // SAFETY: `slot` is valid while the closure runs; `name` and
            // `key` live forever.
            head <- Opaque::ffi_init(|slot| unsafe {
                bindings::__init_waitqueue_head(slot, name.as_char_ptr(), key.as_ptr())
            }),
            _pin: PhantomPinned,
        })
    }

    fn head(&self) -> *mut bindings::wait_queue_head {
        self.head.get()
    }

    /// `wait_event_interruptible_exclusive(queue, ready())`: returns at
    /// once if `ready()`, else sleeps, queued last as an exclusive waiter,
    /// until woken with `ready()` true. `ready` is checked before a pending
    /// signal is, so a task woken by both sees its condition: `ERESTARTSYS`
    /// only if a signal came and `ready()` is still false.
    ///
    /// `ready` runs with the task marked sleeping: it must not sleep (no
    /// mutex), only read state that its wakers change before they call a
    /// `wake` method here (their wake-up takes the queue's lock, which
    /// orders that change before `ready` runs again).
    pub(crate) fn wait_exclusive_until(&self, mut ready: impl FnMut() -> bool) -> Result {
        if ready() {
            return Ok(());
        }
        let entry = Opaque::<bindings::wait_queue_entry>::uninit();
        // SAFETY: `entry` is valid memory, initialised here before use.
        unsafe { bindings::init_wait_entry(entry.get(), bindings::WQ_FLAG_EXCLUSIVE as c_int) };
        let result = loop {
            // SAFETY: `entry` and the head are valid; the entry stays put
            // on this stack frame until `finish_wait` below takes it off.
            let interrupted = unsafe {
                bindings::prepare_to_wait_event(
                    self.head(),
                    entry.get(),
                    bindings::TASK_INTERRUPTIBLE as c_int,
                )
            };
            if ready() {
                break Ok(());
            }
            if interrupted != 0 {
                break Err(ERESTARTSYS);
            }
            // SAFETY: process context; returns with the task running.
            unsafe { bindings::schedule() };
        };
        // SAFETY: `entry` was initialised above; `finish_wait` takes it off
        // the queue if still there and marks the task running.
        unsafe { bindings::finish_wait(self.head(), entry.get()) };
        result
    }

    /// Queues the current task (not exclusively), drops `guard` and
    /// sleeps, interruptibly, until woken (`prepare_to_wait()`,
    /// `schedule()`, `finish_wait()`). A wake-up that comes once the task
    /// is queued, even before `guard` is dropped, is not lost; a signal
    /// that is pending or comes ends the sleep at once. The caller re-takes
    /// its lock and re-checks its condition, then for a signal.
    pub(crate) fn sleep_unlocked<G>(&self, guard: G) {
        let entry = Opaque::<bindings::wait_queue_entry>::uninit();
        // SAFETY: `entry` is valid memory, initialised here before use.
        unsafe { bindings::init_wait_entry(entry.get(), 0) };
        // SAFETY: `entry` and the head are valid; the entry stays put on
        // this stack frame until `finish_wait` takes it off.
        unsafe {
            bindings::prepare_to_wait(
                self.head(),
                entry.get(),
                bindings::TASK_INTERRUPTIBLE as c_int,
            )
        };
        drop(guard);
        // SAFETY: process context, no lock held; returns with the task
        // running.
        unsafe { bindings::schedule() };
        // SAFETY: as in `wait_exclusive_until`.
        unsafe { bindings::finish_wait(self.head(), entry.get()) };
    }

    /// `wake_up_interruptible_sync_poll(queue, events)`: wakes one
    /// exclusive sleeper, every other sleeper, and the pollers that asked
    /// for one of `events`; hints the scheduler that the caller will sleep
    /// soon (`WF_SYNC`), so the woken task may run on this CPU.
    pub(crate) fn wake_sync_poll(&self, events: u32) {
        // SAFETY: the head is valid; the key is an integer, never followed.
        unsafe {
            bindings::__wake_up_sync_key(
                self.head(),
                bindings::TASK_INTERRUPTIBLE,
                poll_key(events),
            )
        };
    }

    /// Takes the queue's own lock (`spin_lock_irq(&wq_head->lock)`) to
    /// guard state besides the queue, as `fs/eventfd.c` keeps its count
    /// under `ctx->wqh.lock`: one lock for the state and for its sleepers,
    /// where a lock of the state's own would be a second one to take.
    pub(crate) fn lock(&self) -> QueueLocked<'_> {
        // SAFETY: the head is valid; its lock is a spinlock, taken with
        // interrupts disabled as `__wake_up()` takes it with them saved.
        unsafe { ripc_wait_queue_lock_irq(self.head()) };
        // INVARIANT: the lock was just taken by the current task.
        QueueLocked {
            queue: self,
            _not_send: PhantomData,
        }
    }

    /// `wake_up_interruptible()`: one exclusive sleeper, every other
    /// sleeper and every poller.
    pub(crate) fn wake_one(&self) {
        // SAFETY: the head is valid.
        unsafe {
            bindings::__wake_up(
                self.head(),
                bindings::TASK_INTERRUPTIBLE,
                1,
                ptr::null_mut(),
            )
        };
    }

    /// `wake_up_interruptible_all()`: every sleeper and every poller.
    pub(crate) fn wake_all(&self) {
        // SAFETY: the head is valid.
        unsafe {
            bindings::__wake_up(
                self.head(),
                bindings::TASK_INTERRUPTIBLE,
                0,
                ptr::null_mut(),
            )
        };
    }

    /// Whether anything is queued, looked at under the queue's lock so
    /// that a remover that just unlinked its entry is done with the lock.
    /// (Taken without disabling interrupts: ripc never wakes its queues
    /// from interrupt context.)
    fn is_active(&self) -> bool {
        let head = self.head();
        // SAFETY: the head is valid; its lock guards its list, which is
        // only read here.
        unsafe {
            bindings::spin_lock(&raw mut (*head).lock);
            let list = &raw mut (*head).head;
            let active = !ptr::eq((*list).next, list);
            bindings::spin_unlock(&raw mut (*head).lock);
            active
        }
    }
}

extern "C" {
    fn ripc_wait_queue_lock_irq(wq_head: *mut bindings::wait_queue_head);
    fn ripc_wait_queue_unlock_irq(wq_head: *mut bindings::wait_queue_head);
    fn ripc_wait_queue_locked_finish(
        wq_head: *mut bindings::wait_queue_head,
        wq_entry: *mut bindings::wait_queue_entry,
    );
}

/// A [`WaitQueue`] with its own lock held ([`WaitQueue::lock`]); dropping
/// it unlocks. State that only changes with the lock held is then read
/// consistently, and its sleepers are queued and woken under the same
/// lock, so no wake-up is missed between a check and a sleep.
///
/// # Invariants
///
/// The current task holds `queue`'s lock, with interrupts disabled, for as
/// long as this value lives (except inside [`QueueLocked::wait_until`],
/// which gives it back before returning).
pub(crate) struct QueueLocked<'a> {
    queue: &'a WaitQueue,
    /// A spinlock is released by the task that took it.
    _not_send: PhantomData<*mut ()>,
}

impl QueueLocked<'_> {
    /// `wait_event_interruptible_locked_irq(queue, ready())`: returns at
    /// once if `ready()`; else queues the current task (not exclusively),
    /// drops the lock, sleeps, re-takes it, and again until `ready()`.
    /// `ready` is checked before a pending signal is, so a task woken by
    /// both sees its condition: `ERESTARTSYS` only if a signal came and
    /// `ready()` is still false. `ready` always runs with the lock held;
    /// the lock is held again when this returns.
    pub(crate) fn wait_until(&mut self, mut ready: impl FnMut() -> bool) -> Result {
        if ready() {
            return Ok(());
        }
        let head = self.queue.head();
        let entry = Opaque::<bindings::wait_queue_entry>::uninit();
        // SAFETY: `entry` is valid memory, initialised here before use.
        unsafe { bindings::init_wait_entry(entry.get(), 0) };
        let result = loop {
            // SAFETY: the lock is held (type invariant) and `entry` stays
            // put on this stack frame until it is taken off below.
            // `do_wait_intr_irq()` queues the entry unless it already is,
            // marks the task sleeping and, unless a signal is pending,
            // drops the lock, sleeps and re-takes it: it returns with the
            // lock held either way, which keeps the invariant.
            if unsafe { bindings::do_wait_intr_irq(head, entry.get()) } != 0 {
                break Err(ERESTARTSYS);
            }
            if ready() {
                break Ok(());
            }
        };
        // SAFETY: the lock is held; the entry was initialised above and is
        // on the queue or, taken off by the wake-up, linked to itself:
        // either way it may be unlinked, then the task marked running.
        unsafe { ripc_wait_queue_locked_finish(head, entry.get()) };
        result
    }

    /// `wake_up_locked_poll(queue, events)` if anyone is queued, as
    /// `eventfd_read()` and `eventfd_write()` do: with the lock held, so
    /// the check is exact.
    pub(crate) fn wake_poll(&self, events: u32) {
        let head = self.queue.head();
        // SAFETY: the lock is held (type invariant): the list is stable,
        // read, never followed.
        let queued = unsafe {
            let list = &raw mut (*head).head;
            !ptr::eq((*list).next, list)
        };
        if queued {
            // SAFETY: the lock is held, as `__wake_up_locked_key()` wants;
            // the key is an integer, never followed.
            unsafe {
                bindings::__wake_up_locked_key(head, bindings::TASK_NORMAL, poll_key(events))
            };
        }
    }
}

impl Drop for QueueLocked<'_> {
    fn drop(&mut self) {
        // SAFETY: the lock is held by this task (type invariant), with
        // interrupts disabled by `lock()`.
        unsafe { ripc_wait_queue_unlock_irq(self.queue.head()) };
    }
}

#[pinned_drop]
impl PinnedDrop for WaitQueue {
    fn drop(self: Pin<&mut Self>) {
        // Normally empty (see the type's documentation). Otherwise, as
        // `PollCondVar`: tell epoll the queue goes away (`POLLFREE`), and
        // wait until epoll no longer looks at it under RCU.
        if self.is_active() {
            // SAFETY: the head is valid.
            unsafe { bindings::__wake_up_pollfree(self.head()) };
            // SAFETY: a plain call, in process context.
            unsafe { bindings::synchronize_rcu() };
        }
    }
}

/// A `poll_table`: what a file's `poll` registers its wait queues with.
///
/// # Invariants
///
/// `table` is null or a valid `poll_table` for `'a`.
pub(crate) struct PollTable<'a> {
    table: *mut bindings::poll_table,
    _lifetime: PhantomData<&'a bindings::poll_table>,
}

impl PollTable<'_> {
    /// # Safety
    ///
    /// `table` is null or a valid `poll_table` for the lifetime chosen.
    pub(crate) unsafe fn from_raw(table: *mut bindings::poll_table) -> Self {
        // INVARIANT: as the caller guarantees.
        Self {
            table,
            _lifetime: PhantomData,
        }
    }

    /// `poll_wait(file, queue, table)`. `queue` must belong to the object
    /// behind `file` (see [`WaitQueue`] for why).
    pub(crate) fn register(&self, file: &File, queue: &WaitQueue) {
        // SAFETY: `file` is valid during the call, `table` is null or
        // valid by the invariant, and the queue stays valid until the entry
        // is removed: it lives as long as the object behind `file`, and its
        // `drop` evicts stray epoll entries as `PollCondVar`'s does.
        unsafe { bindings::poll_wait(file.as_ptr(), queue.head(), self.table) };
    }

    /// Registers a `kernel` condition variable, as
    /// `kernel::sync::poll::PollTable::register_wait`.
    pub(crate) fn register_wait(&self, file: &File, cv: &PollCondVar) {
        // SAFETY: `table` is null or valid for as long as `self` is.
        let table = unsafe { kernel::sync::poll::PollTable::from_raw(self.table) };
        table.register_wait(file, cv);
    }
}
