// SPDX-License-Identifier: GPL-2.0

//! Module-wide limits, held in one place as the IPC namespace's sysctls are
//! (`msg_ctlmax`, `sem_ctls`, `shm_ctlmax`, `pipe-max-size`, ...).
//!
//! Each mechanism reads its limits from here; none keeps a private copy.
//! They are constants for now; making them tunable (module parameters or
//! sysfs) only changes this file.

/// Highest ABI version this module speaks (`RIPC_IOC_VERSION`).
pub(crate) const ABI_VERSION: u32 = crate::uapi::RIPC_ABI_VERSION;

// SysV IPC (`ipc/util.h`).

/// `IPCMNI`: slots per kind of SysV object; no limit may exceed it.
pub(crate) const IPCMNI: usize = 1 << 15;

// SysV message queues (`include/uapi/linux/msg.h`, `msg_ctl*` sysctls).

/// `msg_ctlmni` (`MSGMNI`): message queues at most.
pub(crate) const MSGMNI: usize = 32000;
/// `msg_ctlmax` (`MSGMAX`): bytes in one message at most.
pub(crate) const MSGMAX: usize = 8192;
/// `msg_ctlmnb` (`MSGMNB`): the default `msg_qbytes` of a new queue, and
/// the most it can be raised to without `CAP_SYS_RESOURCE`.
pub(crate) const MSGMNB: usize = 16384;
/// `MSGSSZ`: the message segment size reported by `IPC_INFO`.
pub(crate) const MSGSSZ: usize = 16;
/// `MSGPOOL`: the pool size in KiB reported by `IPC_INFO`.
pub(crate) const MSGPOOL: usize = MSGMNI * MSGMNB / 1024;
/// `MSGMAP` and `MSGTQL`, reported by `IPC_INFO`.
pub(crate) const MSGMAP: usize = MSGMNB;
/// `MSGTQL`, reported by `IPC_INFO`.
pub(crate) const MSGTQL: usize = MSGMNB;
/// `MSGSEG`, reported by `IPC_INFO`.
pub(crate) const MSGSEG: usize = {
    let seg = MSGPOOL * 1024 / MSGSSZ;
    if seg <= 0xffff {
        seg
    } else {
        0xffff
    }
};

// POSIX message queues (`include/linux/ipc_namespace.h`, `mq_*` sysctls).

/// `mq_queues_max` (`DFLT_QUEUESMAX`): queues at most, unless
/// `CAP_SYS_RESOURCE`.
pub(crate) const MQ_QUEUES_MAX: usize = 256;
/// `mq_msg_max` (`DFLT_MSGMAX`): the most `mq_maxmsg` without
/// `CAP_SYS_RESOURCE`.
pub(crate) const MQ_MSG_MAX: i64 = 10;
/// `mq_msgsize_max` (`DFLT_MSGSIZEMAX`): the most `mq_msgsize` without
/// `CAP_SYS_RESOURCE`.
pub(crate) const MQ_MSGSIZE_MAX: i64 = 8192;
/// `mq_msg_default` (`DFLT_MSG`): `mq_maxmsg` when none is given.
pub(crate) const MQ_MSG_DEFAULT: usize = 10;
/// `mq_msgsize_default` (`DFLT_MSGSIZE`): `mq_msgsize` when none is given.
pub(crate) const MQ_MSGSIZE_DEFAULT: usize = 8192;
/// `HARD_MSGMAX`: the most `mq_maxmsg` even with `CAP_SYS_RESOURCE`.
pub(crate) const MQ_HARD_MSGMAX: i64 = 65536;
/// `HARD_MSGSIZEMAX`: the most `mq_msgsize` even with `CAP_SYS_RESOURCE`.
pub(crate) const MQ_HARD_MSGSIZEMAX: i64 = 16 * 1024 * 1024;
