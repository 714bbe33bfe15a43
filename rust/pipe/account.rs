// SPDX-License-Identifier: GPL-2.0

//! Pipe pages charged to users, as `user_struct::pipe_bufs` with
//! `account_pipe_buffers()` and `too_many_pipe_buffers_{soft,hard}()`.
//!
//! What is counted is the slots of each ring (its capacity), not the
//! pages in use, as in `fs/pipe.c`. The table is module-wide: it counts
//! ripc pipes only, not the kernel's own.

use crate::{
    glue::{
        global::PIPE_USER_PAGES,
        task::{capable, Capability},
    },
    limits,
};
use kernel::{prelude::*, task::Kuid};

/// The pages of one pipe ring, charged to one user.
///
/// # Invariants
///
/// `pages > 0`, and `pages` is part of the count of `user` in
/// [`PIPE_USER_PAGES`], whose entry therefore exists.
pub(super) struct Charge {
    user: Kuid,
    pages: usize,
}

impl Charge {
    /// Charges `pages` (at least 1) to `user`. Returns the charge and the
    /// user's new total.
    pub(super) fn new(user: Kuid, pages: usize) -> Result<(Self, usize)> {
        let pages = pages.max(1);
        let mut users = PIPE_USER_PAGES.lock();
        let total = match users.iter_mut().find(|(uid, _)| *uid == user) {
            Some((_, count)) => {
                *count += pages;
                *count
            }
            None => {
                users.push((user, pages), GFP_KERNEL)?;
                pages
            }
        };
        // INVARIANT: `pages > 0` was added to the entry of `user`.
        Ok((Self { user, pages }, total))
    }

    /// The pages of this charge.
    pub(super) fn pages(&self) -> usize {
        self.pages
    }

    /// Changes this charge to `pages` (at least 1) and returns the user's
    /// new total.
    pub(super) fn set(&mut self, pages: usize) -> usize {
        let pages = pages.max(1);
        let mut users = PIPE_USER_PAGES.lock();
        let Some((_, count)) = users.iter_mut().find(|(uid, _)| *uid == self.user) else {
            // Cannot happen, by the type invariant.
            return 0;
        };
        *count = *count - self.pages + pages;
        // INVARIANT: the entry now counts the new `pages > 0`.
        self.pages = pages;
        *count
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        let mut users = PIPE_USER_PAGES.lock();
        if let Some(i) = users.iter().position(|(uid, _)| *uid == self.user) {
            users[i].1 -= self.pages;
            if users[i].1 == 0 {
                let last = users.len() - 1;
                users.swap(i, last);
                users.truncate(last);
            }
        }
    }
}

/// Over `pipe-user-pages-soft`: new pipes get the minimum ring and pipes
/// cannot grow.
pub(super) fn too_many_soft(user_pages: usize) -> bool {
    limits::PIPE_USER_PAGES_SOFT != 0 && user_pages > limits::PIPE_USER_PAGES_SOFT
}

/// Over `pipe-user-pages-hard`: no new pipe, no growth.
pub(super) fn too_many_hard(user_pages: usize) -> bool {
    limits::PIPE_USER_PAGES_HARD != 0 && user_pages > limits::PIPE_USER_PAGES_HARD
}

/// The limits above bind only users without `CAP_SYS_RESOURCE` and
/// `CAP_SYS_ADMIN` (`pipe_is_unprivileged_user()`).
pub(super) fn unprivileged() -> bool {
    !capable(Capability::SysResource) && !capable(Capability::SysAdmin)
}
