// SPDX-License-Identifier: GPL-2.0

//! The tunable limits, module parameters defined in `params.c` (the
//! `module!` macro has no writable ones). Each function reads its value
//! now, as `READ_ONCE()` does: a write through sysfs applies to the next call,
//! as a sysctl write does. `crate::limits` gives them their meaning.

use kernel::ffi::c_ulong;

/// `struct ripc_param`: the value, and the range `params.c` checks.
#[repr(C)]
pub(crate) struct Param {
    value: c_ulong,
    _min: c_ulong,
    _max: c_ulong,
}

macro_rules! params {
    ($($(#[$doc:meta])* $name:ident => $c_name:ident;)*) => {
        extern "C" {
            $(static $c_name: Param;)*
        }
        $(
            $(#[$doc])*
            #[inline]
            pub(crate) fn $name() -> usize {
                // SAFETY: the parameter is a static of `params.c`, alive as
                // long as the module. A sysfs write stores the value with
                // `WRITE_ONCE()`; a volatile read of the aligned word is
                // `READ_ONCE()`, without a call on the hot paths.
                unsafe { core::ptr::read_volatile(&raw const $c_name.value) as usize }
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
