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
    limits::{
        self,
        charge::{self, Ledger},
    },
};
use kernel::sync::lock::GlobalGuard;

/// The ledger of pipe pages, [`PIPE_USER_PAGES`].
pub(super) struct PipePages;

impl Ledger for PipePages {
    type Backend = PIPE_USER_PAGES;

    fn lock() -> GlobalGuard<PIPE_USER_PAGES> {
        PIPE_USER_PAGES.lock()
    }
}

/// The pages of one pipe ring, charged to one user.
pub(super) type Charge = charge::Charge<PipePages>;

/// Over `pipe-user-pages-soft`: new pipes get the minimum ring and pipes
/// cannot grow.
pub(super) fn too_many_soft(user_pages: usize) -> bool {
    limits::pipe_user_pages_soft() != 0 && user_pages > limits::pipe_user_pages_soft()
}

/// Over `pipe-user-pages-hard`: no new pipe, no growth.
pub(super) fn too_many_hard(user_pages: usize) -> bool {
    limits::pipe_user_pages_hard() != 0 && user_pages > limits::pipe_user_pages_hard()
}

/// The limits above bind only users without `CAP_SYS_RESOURCE` and
/// `CAP_SYS_ADMIN` (`pipe_is_unprivileged_user()`).
pub(super) fn unprivileged() -> bool {
    !capable(Capability::SysResource) && !capable(Capability::SysAdmin)
}
