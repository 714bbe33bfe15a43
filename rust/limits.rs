// SPDX-License-Identifier: GPL-2.0

//! Module-wide limits, held in one place as the IPC namespace's sysctls are
//! (`msg_ctlmax`, `sem_ctls`, `shm_ctlmax`, `pipe-max-size`, ...).
//!
//! Each mechanism reads its limits from here; none keeps a private copy.
//! They are constants for now; making them tunable (module parameters or
//! sysfs) only changes this file.

/// Highest ABI version this module speaks (`RIPC_IOC_VERSION`).
pub(crate) const ABI_VERSION: u32 = crate::uapi::RIPC_ABI_VERSION;

// Pipes (`fs/pipe.c`, `/proc/sys/fs/pipe-*`).

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

// SysV semaphores (`include/uapi/linux/sem.h`, the `kernel.sem` sysctl).

/// `sc_semmsl` (`SEMMSL`): semaphores in one array at most.
pub(crate) const SEMMSL: usize = 32000;
/// `sc_semmni` (`SEMMNI`): semaphore arrays at most.
pub(crate) const SEMMNI: usize = 32000;
/// `sc_semmns` (`SEMMNS`): semaphores in all arrays at most.
pub(crate) const SEMMNS: usize = SEMMNI * SEMMSL;
/// `sc_semopm` (`SEMOPM`): operations in one `semop()` at most.
pub(crate) const SEMOPM: usize = 500;
/// `SEMVMX`: the largest value of a semaphore.
pub(crate) const SEMVMX: i32 = 32767;
/// `SEMAEM`: the largest adjustment on exit (`SEM_UNDO`).
pub(crate) const SEMAEM: i32 = SEMVMX;
/// `SEMUME`, `SEMMNU`, `SEMMAP`: reported by `IPC_INFO` only.
pub(crate) const SEMUME: usize = SEMOPM;
/// `SEMMNU`, reported by `IPC_INFO`.
pub(crate) const SEMMNU: usize = SEMMNS;
/// `SEMMAP`, reported by `IPC_INFO`.
pub(crate) const SEMMAP: usize = SEMMNS;
/// `SEMUSZ`: `sizeof(struct sem_undo)`, reported by `IPC_INFO`.
pub(crate) const SEMUSZ: usize = 20;

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

// SysV shared memory (`include/uapi/linux/shm.h`, `shm_ctl*` sysctls).

/// `SHMMIN`: bytes in a segment at least.
pub(crate) const SHMMIN: usize = 1;
/// `shm_ctlmax` (`SHMMAX`): bytes in a segment at most.
pub(crate) const SHMMAX: usize = usize::MAX - (1 << 24);
/// `shm_ctlall` (`SHMALL`): pages in all segments together at most.
pub(crate) const SHMALL: usize = usize::MAX - (1 << 24);
/// `shm_ctlmni` (`SHMMNI`): segments at most.
pub(crate) const SHMMNI: usize = 4096;
/// `SHMSEG`: attachments per process, reported by `IPC_INFO` only (Linux
/// does not enforce it either).
pub(crate) const SHMSEG: usize = SHMMNI;
