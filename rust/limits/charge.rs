// SPDX-License-Identifier: GPL-2.0

//! Amounts charged to users, as the kernel's per-user counters
//! (`user_struct::pipe_bufs`, the `UCOUNT_RLIMIT_MSGQUEUE` ucount): each
//! ledger holds a total for each user that holds something, in a
//! red-black tree by uid (`O(log n)` per call, as Linux's `uid_hash`
//! lookup is `O(1)`), behind a module-wide lock; an entry goes at 0.
//! Its node is allocated before the lock is taken, and freed after.
//!
//! The ledgers count ripc's objects only, not the kernel's own pipes and
//! queues.

use core::marker::PhantomData;
use kernel::{
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::lock::{GlobalGuard, GlobalLockBackend},
    task::Kuid,
};

/// The per-user totals of one ledger.
///
/// # Invariants
///
/// Every total in `users` is above 0.
pub(crate) struct UserTotals {
    /// By raw kuid; made at the first charge (`RBTree::new()` is not
    /// `const`).
    users: Option<RBTree<u32, usize>>,
}

impl UserTotals {
    /// No user holds anything; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self { users: None }
    }

    /// Adds `amount > 0` to the total of `user` if it has an entry;
    /// returns the new total (saturated).
    fn add(&mut self, user: u32, amount: usize) -> Option<usize> {
        let total = self.users.as_mut()?.get_mut(&user)?;
        *total = total.saturating_add(amount);
        Some(*total)
    }
}

/// A table of per-user totals.
pub(crate) trait Ledger: 'static {
    /// The lock of the table.
    type Backend: GlobalLockBackend<Item = UserTotals>;

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
    user: u32,
    amount: usize,
    _ledger: PhantomData<L>,
}

impl<L: Ledger> Charge<L> {
    /// Charges `amount` (at least 1) to `user`. Returns the charge and the
    /// user's new total (saturated).
    pub(crate) fn new(user: Kuid, amount: usize) -> Result<(Self, usize)> {
        let amount = amount.max(1);
        let user = user.into_raw().val;
        let charge = Self {
            user,
            amount,
            _ledger: PhantomData,
        };
        // INVARIANT (both ways): `amount > 0` is added to the entry of
        // `user`, made if needed.
        if let Some(total) = L::lock().add(user, amount) {
            return Ok((charge, total));
        }
        // The user's first charge: allocate its entry unlocked.
        let node = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;
        let mut totals = L::lock();
        if let Some(total) = totals.add(user, amount) {
            return Ok((charge, total));
        }
        totals
            .users
            .get_or_insert_with(RBTree::new)
            .insert(node.into_node(user, amount));
        Ok((charge, amount))
    }

    /// The amount of this charge.
    pub(crate) fn amount(&self) -> usize {
        self.amount
    }

    /// Changes this charge to `amount` (at least 1) and returns the user's
    /// new total.
    pub(crate) fn set(&mut self, amount: usize) -> usize {
        let amount = amount.max(1);
        let mut totals = L::lock();
        let Some(total) = totals.users.as_mut().and_then(|u| u.get_mut(&self.user)) else {
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
        let mut totals = L::lock();
        let Some(users) = totals.users.as_mut() else {
            return;
        };
        let Some(total) = users.get_mut(&self.user) else {
            return;
        };
        *total = total.saturating_sub(self.amount);
        // INVARIANT: an entry at 0 goes; its node is freed unlocked.
        let node = if *total == 0 {
            users.remove_node(&self.user)
        } else {
            None
        };
        drop(totals);
        drop(node);
    }
}
