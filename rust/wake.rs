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
//! the sleeper's own, so that the woken task returns without the lock.

use kernel::{sync::aref::ARef, task::Task};

/// A blocked task, as its waker sees it (`ext_wait_queue::task`,
/// `msg_receiver::r_tsk`): a reference that keeps it alive.
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
