// SPDX-License-Identifier: GPL-2.0

//! Module-wide limits, held in one place as the IPC namespace's sysctls are
//! (`msg_ctlmax`, `sem_ctls`, `shm_ctlmax`, `pipe-max-size`, ...).
//!
//! Each mechanism reads its limits from here; none keeps a private copy.
//! They are constants for now; making them tunable (module parameters or
//! sysfs) only changes this file.

/// Highest ABI version this module speaks (`RIPC_IOC_VERSION`).
pub(crate) const ABI_VERSION: u32 = crate::uapi::RIPC_ABI_VERSION;
