// SPDX-License-Identifier: GPL-2.0

//! The tunable limits, module parameters defined in `params.c` (the
//! `module!` macro has no writable ones). Each value is an atomic that a
//! sysfs store in `params.c` (`WRITE_ONCE()`) and the IPC namespace's
//! tunable files of ripcfs (`crate::ipc::tunables`, for the initial
//! namespace) change while the module runs; it is read with a relaxed load,
//! as `READ_ONCE()` does: a write applies to the next call, as a sysctl
//! write does. `crate::limits` gives them their meaning.

use kernel::{
    ffi::c_ulong,
    sync::atomic::{Atomic, Relaxed},
};

/// `struct ripc_param`: the value, and the range `params.c` checks.
///
/// The value is written behind Rust's back (by `params.c`), so it must be
/// interior-mutable: an `Atomic` with the layout of `unsigned long`.
#[repr(C)]
pub(crate) struct Param {
    value: Atomic<usize>,
    _min: c_ulong,
    _max: c_ulong,
}

// `params.c` stores `unsigned long`s in the place of the atomic.
const _: () = assert!(core::mem::size_of::<Atomic<usize>>() == core::mem::size_of::<c_ulong>());

impl Param {
    /// The value now.
    #[inline]
    pub(crate) fn get(&self) -> usize {
        self.value.load(Relaxed)
    }

    /// Sets the value, as a sysfs store does but without its range check
    /// (the caller applies the range of the matching sysctl).
    pub(crate) fn set(&self, value: usize) {
        self.value.store(value, Relaxed);
    }
}

macro_rules! params {
    ($($(#[$doc:meta])* $name:ident => $c_name:ident;)*) => {
        extern "C" {
            $(static $c_name: Param;)*
        }
        $(
            $(#[$doc])*
            #[inline]
            pub(crate) fn $name() -> &'static Param {
                // SAFETY: the parameter is a static of `params.c`, alive as
                // long as the module; `Param` is interior-mutable, so a
                // shared reference stays valid while `params.c` stores
                // into it.
                unsafe { &$c_name }
            }
        )*
    };
}

params! {
    /// `pipe_max_size`.
    pipe_max_size => ripc_param_pipe_max_size;
    /// `pipe_user_pages_soft`.
    pipe_user_pages_soft => ripc_param_pipe_user_pages_soft;
    /// `pipe_user_pages_hard`.
    pipe_user_pages_hard => ripc_param_pipe_user_pages_hard;
    /// `msgmni`.
    msgmni => ripc_param_msgmni;
    /// `msgmax`.
    msgmax => ripc_param_msgmax;
    /// `msgmnb`.
    msgmnb => ripc_param_msgmnb;
    /// `semmsl`.
    semmsl => ripc_param_semmsl;
    /// `semmns`.
    semmns => ripc_param_semmns;
    /// `semopm`.
    semopm => ripc_param_semopm;
    /// `semmni`.
    semmni => ripc_param_semmni;
    /// `shmmax`.
    shmmax => ripc_param_shmmax;
    /// `shmall`.
    shmall => ripc_param_shmall;
    /// `shmmni`.
    shmmni => ripc_param_shmmni;
    /// `mq_queues_max`.
    mq_queues_max => ripc_param_mq_queues_max;
    /// `mq_msg_max`.
    mq_msg_max => ripc_param_mq_msg_max;
    /// `mq_msgsize_max`.
    mq_msgsize_max => ripc_param_mq_msgsize_max;
    /// `mq_msg_default`.
    mq_msg_default => ripc_param_mq_msg_default;
    /// `mq_msgsize_default`.
    mq_msgsize_default => ripc_param_mq_msgsize_default;
}
