// SPDX-License-Identifier: GPL-2.0

//! Serving one chosen sleeper and waking only it, as `ipc/msg.c` and
//! `ipc/mqueue.c` do with a `wake_q`.
//!
//! A task that blocks records itself ([`Sleeper::current`]) in the
//! object's list of waiters, under the object's lock, and sleeps with
//! [`crate::glue::task::sleep_unlocked`]. The task that serves it marks
//! its entry served under the lock, adds it to a [`WakeList`] and wakes
//! it once the lock is dropped. No wait queue is involved: the waker wakes
//! the task itself, as `wake_up_q()` does. SysV and POSIX queues take the
//! served entry out under the lock and leave what they give in a slot of
//! the sleeper's own ([`SlotState`], reused through [`SpareSlots`]), so
//! that the woken task returns without the lock.

use kernel::{
    sync::{aref::ARef, Arc, SpinLock},
    task::Task,
};

/// A blocked task, as its waker sees it (`ext_wait_queue::task`,
/// `msg_receiver::r_tsk`): a reference that keeps it alive.
#[derive(Clone)]
pub(crate) struct Sleeper(ARef<Task>);

impl Sleeper {
    /// The current task.
    pub(crate) fn current() -> Self {
        Self(ARef::from(&**kernel::current!()))
    }

    /// Whether this is the current task.
    pub(crate) fn is_current(&self) -> bool {
        core::ptr::eq::<Task>(&*self.0, &**kernel::current!())
    }

    /// Wakes the task (`wake_up_process()`); call without the lock.
    pub(crate) fn wake(&self) {
        self.0.wake_up();
    }
}

/// How many tasks a [`WakeList`] keeps for after the lock.
const WAKE_BATCH: usize = 4;

/// Tasks to wake once the lock is dropped (`wake_q`). It never allocates,
/// so it serves under a spinlock too: the first [`WAKE_BATCH`] are kept,
/// and any more are woken at once, under the caller's lock (correct, only
/// slower for them). A call serves one task in the usual case; more only
/// when a SysV queue is removed or changed by `IPC_SET`, or a message is
/// too long for several receivers before the one it is handed to.
pub(crate) struct WakeList([Option<ARef<Task>>; WAKE_BATCH]);

impl WakeList {
    pub(crate) const fn new() -> Self {
        Self([const { None }; WAKE_BATCH])
    }

    /// Adds `sleeper`, or wakes it now if the list is full.
    pub(crate) fn add(&mut self, sleeper: &Sleeper) {
        match self.0.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(sleeper.0.clone()),
            None => sleeper.wake(),
        }
    }

    /// Wakes every task kept, in order; call after dropping the lock.
    pub(crate) fn wake(self) {
        for task in self.0.into_iter().flatten() {
            task.wake_up();
        }
    }
}

/// What a sleeper's slot holds: where the task that serves a sleeper
/// leaves what it gives, for the sleeper to take without the object's lock.
pub(crate) trait SlotState: Sized + Unpin {
    /// Nothing given yet: the sleeper is still listed.
    const WAITING: Self;
    /// The sleeper took what it was given and left: the slot may serve
    /// another.
    const FREE: Self;

    /// Whether the slot is still [`SlotState::WAITING`] (the variant,
    /// whatever a variant holds).
    fn is_waiting(&self) -> bool {
        core::mem::discriminant(self) == core::mem::discriminant(&Self::WAITING)
    }

    /// Whether the slot is [`SlotState::FREE`].
    fn is_free(&self) -> bool {
        core::mem::discriminant(self) == core::mem::discriminant(&Self::FREE)
    }

    /// Takes what `slot` was given, leaving it free; `WAITING` if nothing
    /// was.
    fn take(slot: &SpinLock<Self>) -> Self {
        let mut state = slot.lock();
        if state.is_waiting() {
            return Self::WAITING;
        }
        core::mem::replace(&mut *state, Self::FREE)
    }
}

/// How many slots of served sleepers an object keeps: two, for two tasks
/// that block in turn (a request and its answer), each served while the
/// other's slot may not be free yet.
const SPARE_SLOTS: usize = 2;

/// Slots of served sleepers, kept for the next tasks that block, so that
/// blocking does not allocate each time. A slot is handed out again only
/// once its last sleeper has left it ([`SlotState::FREE`]): until then
/// that sleeper may still read it.
pub(crate) struct SpareSlots<T>([Option<Arc<SpinLock<T>>>; SPARE_SLOTS]);

impl<T: SlotState> SpareSlots<T> {
    pub(crate) const fn new() -> Self {
        Self([const { None }; SPARE_SLOTS])
    }

    /// Keeps `slot` if there is room.
    pub(crate) fn keep(&mut self, slot: &Arc<SpinLock<T>>) {
        if let Some(spare) = self.0.iter_mut().find(|spare| spare.is_none()) {
            *spare = Some(slot.clone());
        }
    }

    /// A kept slot that its sleeper left, made waiting for a new one.
    pub(crate) fn reuse(&mut self) -> Option<Arc<SpinLock<T>>> {
        self.0.iter_mut().find_map(|spare| {
            let mut state = spare.as_ref()?.lock();
            if !state.is_free() {
                return None;
            }
            *state = T::WAITING;
            drop(state);
            spare.take()
        })
    }
}
