// SPDX-License-Identifier: GPL-2.0

//! Serving one chosen sleeper and waking only it, as `ipc/msg.c` and
//! `ipc/mqueue.c` do with a `wake_q`.
//!
//! A task that blocks records itself ([`Sleeper::current`]) in the
//! object's list of waiters, under the object's lock, and sleeps with
//! [`crate::glue::task::sleep_unlocked`]. The task that serves it marks
//! its entry served under the lock, adds it to a [`WakeList`] and wakes
//! it once the lock is dropped. The woken task re-takes the lock, finds
//! its entry served and takes it out. No wait queue is involved: the
//! waker wakes the task itself, as `wake_up_q()` does.

use kernel::{prelude::*, sync::aref::ARef, task::Task};

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

/// Tasks to wake once the lock is dropped (`wake_q`); the first is kept
/// inline, as one is the usual case. `more` is an `Option` because even an
/// empty `KVec` calls the allocator when dropped.
pub(crate) struct WakeList {
    first: Option<ARef<Task>>,
    more: Option<KVec<ARef<Task>>>,
}

impl WakeList {
    pub(crate) const fn new() -> Self {
        Self {
            first: None,
            more: None,
        }
    }

    /// Adds `sleeper`; without memory for it, wakes it at once (under the
    /// lock, which is correct, only slower for the woken task).
    pub(crate) fn add(&mut self, sleeper: &Sleeper) {
        if self.first.is_none() {
            self.first = Some(sleeper.0.clone());
        } else if self
            .more
            .get_or_insert_with(KVec::new)
            .push(sleeper.0.clone(), GFP_KERNEL_ACCOUNT)
            .is_err()
        {
            sleeper.0.wake_up();
        }
    }

    /// Wakes every task added, in order; call after dropping the lock.
    pub(crate) fn wake(self) {
        for task in Iterator::chain(self.first.iter(), self.more.iter().flatten()) {
            task.wake_up();
        }
    }
}
