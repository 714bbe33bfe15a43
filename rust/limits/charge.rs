// SPDX-License-Identifier: GPL-2.0

//! Amounts charged to users, as the kernel's per-user counters
//! (`user_struct::pipe_bufs`, the `UCOUNT_RLIMIT_MSGQUEUE` ucount): each
//! ledger is a table of (user, total) behind a module-wide lock, with one
//! entry for each user that holds something, removed at 0.
//!
//! The ledgers count ripc's objects only, not the kernel's own pipes and
//! queues.

use core::marker::PhantomData;
use kernel::{
    prelude::*,
    sync::lock::{GlobalGuard, GlobalLockBackend},
    task::Kuid,
};

/// A table of per-user totals.
pub(crate) trait Ledger: 'static {
    /// The lock of the table.
    type Backend: GlobalLockBackend<Item = KVec<(Kuid, usize)>>;

    /// Locks the table.
    fn lock() -> GlobalGuard<Self::Backend>;
}

/// An amount charged to one user in ledger `L`, given back when dropped.
///
/// # Invariants
///
/// `amount > 0`, and `amount` is part of the total of `user` in `L`,
/// whose entry therefore exists.
pub(crate) struct Charge<L: Ledger> {
    user: Kuid,
    amount: usize,
    _ledger: PhantomData<L>,
}

impl<L: Ledger> Charge<L> {
    /// Charges `amount` (at least 1) to `user`. Returns the charge and the
    /// user's new total (saturated).
    pub(crate) fn new(user: Kuid, amount: usize) -> Result<(Self, usize)> {
        let amount = amount.max(1);
        let mut users = L::lock();
        let total = match users.iter_mut().find(|(uid, _)| *uid == user) {
            Some((_, total)) => {
                *total = total.saturating_add(amount);
                *total
            }
            None => {
                users.push((user, amount), GFP_KERNEL_ACCOUNT)?;
                amount
            }
        };
        // INVARIANT: `amount > 0` was added to the entry of `user`.
        Ok((
            Self {
                user,
                amount,
                _ledger: PhantomData,
            },
            total,
        ))
    }

    /// The amount of this charge.
    pub(crate) fn amount(&self) -> usize {
        self.amount
    }

    /// Changes this charge to `amount` (at least 1) and returns the user's
    /// new total.
    pub(crate) fn set(&mut self, amount: usize) -> usize {
        let amount = amount.max(1);
        let mut users = L::lock();
        let Some((_, total)) = users.iter_mut().find(|(uid, _)| *uid == self.user) else {
            // Cannot happen, by the type invariant.
            return 0;
        };
        *total = total.saturating_sub(self.amount).saturating_add(amount);
        // INVARIANT: the entry now counts the new `amount > 0`.
        self.amount = amount;
        *total
    }
}

impl<L: Ledger> Drop for Charge<L> {
    fn drop(&mut self) {
        let mut users = L::lock();
        if let Some(i) = users.iter().position(|(uid, _)| *uid == self.user) {
            users[i].1 = users[i].1.saturating_sub(self.amount);
            if users[i].1 == 0 {
                let last = users.len() - 1;
                users.swap(i, last);
                users.truncate(last);
            }
        }
    }
}
