// SPDX-License-Identifier: GPL-2.0

//! One sleeper's own wake-up, for queues that hand work to a chosen waiter
//! and wake only that one, as `ipc/msg.c` and `ipc/mqueue.c` do with a
//! `wake_q` of the chosen tasks.
//!
//! A blocked task sleeps on its own [`WaitSlot`]; the task that serves it
//! (under the object's lock) keeps a reference to the slot and calls
//! [`WaitSlot::wake`] after dropping the lock. Slots are taken from and
//! given back to the object's [`SlotCache`], so blocking allocates only
//! when more tasks block at once than ever before. A slot given back may
//! still be woken late by a waker that had it; its next sleeper then
//! wakes, sees it has not been served and sleeps again: sleepers always
//! re-check their state, as with any condition variable.

use kernel::{
    new_condvar,
    prelude::*,
    sync::{
        lock::{Backend, Guard},
        Arc, CondVar, CondVarTimeoutResult,
    },
    time::Jiffies,
};

/// Slots a [`SlotCache`] keeps for reuse.
const CACHED_SLOTS: usize = 4;

/// Where one blocked task sleeps.
#[pin_data]
pub(crate) struct WaitSlot {
    #[pin]
    cv: CondVar,
}

impl WaitSlot {
    /// Sleeps, interruptibly, until woken; `guard` is dropped meanwhile.
    /// Returns whether a signal is pending.
    pub(crate) fn wait<T: ?Sized, B: Backend>(&self, guard: &mut Guard<'_, T, B>) -> bool {
        self.cv.wait_interruptible(guard)
    }

    /// As [`WaitSlot::wait`], for at most `timeout` jiffies.
    pub(crate) fn wait_timeout<T: ?Sized, B: Backend>(
        &self,
        guard: &mut Guard<'_, T, B>,
        timeout: Jiffies,
    ) -> CondVarTimeoutResult {
        self.cv.wait_interruptible_timeout(guard, timeout)
    }

    /// Wakes the task sleeping on the slot, if any.
    pub(crate) fn wake(&self) {
        self.cv.notify_one();
    }
}

/// Slots of one object, kept under its lock for the next sleepers.
pub(crate) struct SlotCache(KVec<Arc<WaitSlot>>);

impl SlotCache {
    pub(crate) const fn new() -> Self {
        Self(KVec::new())
    }

    /// A slot for a task about to block.
    pub(crate) fn get(&mut self) -> Result<Arc<WaitSlot>> {
        match self.0.pop() {
            Some(slot) => Ok(slot),
            None => Arc::pin_init(
                pin_init!(WaitSlot {
                    cv <- new_condvar!("WaitSlot::cv"),
                }),
                GFP_KERNEL,
            ),
        }
    }

    /// Gives back the slot of a task that no longer waits.
    pub(crate) fn put(&mut self, slot: Arc<WaitSlot>) {
        if self.0.len() < CACHED_SLOTS {
            // Without memory the slot is simply freed.
            let _ = self.0.push(slot, GFP_KERNEL);
        }
    }
}

/// Slots to wake once the lock is dropped (`wake_q`); the first is kept
/// inline, as one is the usual case.
pub(crate) struct WakeList {
    first: Option<Arc<WaitSlot>>,
    more: KVec<Arc<WaitSlot>>,
}

impl WakeList {
    pub(crate) const fn new() -> Self {
        Self {
            first: None,
            more: KVec::new(),
        }
    }

    /// Adds `slot`; without memory for it, wakes it at once (under the
    /// lock, which is correct, only slower for the woken task).
    pub(crate) fn add(&mut self, slot: &Arc<WaitSlot>) {
        if self.first.is_none() {
            self.first = Some(slot.clone());
        } else if self.more.push(slot.clone(), GFP_KERNEL).is_err() {
            slot.wake();
        }
    }

    /// Wakes every slot added, in order; call after dropping the lock.
    pub(crate) fn wake(self) {
        for slot in Iterator::chain(self.first.iter(), &self.more) {
            slot.wake();
        }
    }
}
