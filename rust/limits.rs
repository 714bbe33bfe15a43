// SPDX-License-Identifier: GPL-2.0

//! Module-wide limits, held in one place as the IPC namespace's sysctls are
//! (`msg_ctlmax`, `sem_ctls`, `shm_ctlmax`, `pipe-max-size`, ...).
//!
//! Each mechanism reads its limits from here; none keeps a private copy.
//! They are constants for now; making them tunable (module parameters or
//! sysfs) only changes this file.

/// Highest ABI version this module speaks (`RIPC_IOC_VERSION`).
pub(crate) const ABI_VERSION: u32 = crate::uapi::RIPC_ABI_VERSION;

/// Slots of a new pipe, one page each (`PIPE_DEF_BUFFERS`): 64 KiB.
pub(crate) const PIPE_DEF_BUFFERS: usize = 16;

/// Slots of a new pipe of a user over [`PIPE_USER_PAGES_SOFT`]
/// (`PIPE_MIN_DEF_BUFFERS`).
pub(crate) const PIPE_MIN_DEF_BUFFERS: usize = 2;

/// Largest capacity in bytes an unprivileged user may set on a pipe
/// (`/proc/sys/fs/pipe-max-size`).
pub(crate) const PIPE_MAX_SIZE: usize = 1 << 20;

/// Pipe pages a user may hold before new pipes get only
/// [`PIPE_MIN_DEF_BUFFERS`] slots and growing one fails
/// (`/proc/sys/fs/pipe-user-pages-soft`; 0 means no limit).
pub(crate) const PIPE_USER_PAGES_SOFT: usize = PIPE_DEF_BUFFERS * 1024;

/// Pipe pages past which an unprivileged user can neither make nor grow a
/// pipe (`/proc/sys/fs/pipe-user-pages-hard`; 0, the default, means none).
pub(crate) const PIPE_USER_PAGES_HARD: usize = 0;
