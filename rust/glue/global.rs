// SPDX-License-Identifier: GPL-2.0

//! Module-wide locked state: locks that live in `static`s and must be
//! initialised once, when the module loads, before any use.

use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{prelude::*, task::Kuid};

kernel::sync::global_lock! {
    // SAFETY: `init()` initialises it from module init, before anything
    // that could take it (every object is created after `/dev/ripc` and
    // ripcfs are registered, which init does after calling `init()`).
    /// Pipe pages per user, as `user_struct::pipe_bufs`: one entry for each
    /// user that holds pipe pages, removed when the count drops to 0.
    pub(crate) unsafe(uninit) static PIPE_USER_PAGES: Mutex<KVec<(Kuid, usize)>> = KVec::new();
}

static INITIALISED: AtomicBool = AtomicBool::new(false);

/// Initialises the module-wide locks; only the first call does anything.
/// Called first thing in module init.
pub(crate) fn init() {
    if !INITIALISED.swap(true, Ordering::AcqRel) {
        // SAFETY: the flag makes this the only call of `init` on the lock,
        // and it runs before any use (see the lock's declaration).
        unsafe { PIPE_USER_PAGES.init() };
    }
}
