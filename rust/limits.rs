// SPDX-License-Identifier: GPL-2.0

//! The limits, held in one place as the sysctls are (`msg_ctlmax`,
//! `sem_ctls`, `shm_ctlmax`, `pipe-max-size`, ...): the one place that
//! answers "what is msgmax here".
//!
//! Each mechanism reads its limits from here; none keeps a private copy.
//! The tunable ones are functions read at each use, as sysctls are. Those
//! Linux keeps per IPC namespace (SysV and POSIX queues) are the caller's
//! namespace's ([`crate::ipc::tunables`]: the module parameters in the
//! initial namespace, its own values in another); the pipe limits are
//! global in Linux and are the module parameters (`rust/glue/params.c`,
//! `/sys/module/ripc/parameters/`). All of them are also ripcfs's `sys/`
//! files, as in `/proc/sys/`. The constants are those Linux does not let
//! one tune either.

use crate::{
    glue::params,
    ipc::{
        tunables::{self, Cell},
        NsTables,
    },
};

pub(crate) mod charge;

/// Highest ABI version this module speaks (`RIPC_IOC_VERSION`).
pub(crate) const ABI_VERSION: u32 = crate::uapi::RIPC_ABI_VERSION;

// Pipes (`fs/pipe.c`, `/proc/sys/fs/pipe-*`).

/// Slots of a new pipe, one page each (`PIPE_DEF_BUFFERS`): 64 KiB.
pub(crate) const PIPE_DEF_BUFFERS: usize = 16;

/// Slots of a new pipe of a user over [`pipe_user_pages_soft`]
/// (`PIPE_MIN_DEF_BUFFERS`).
pub(crate) const PIPE_MIN_DEF_BUFFERS: usize = 2;

/// Largest capacity in bytes an unprivileged user may set on a pipe
/// (`/proc/sys/fs/pipe-max-size`).
pub(crate) fn pipe_max_size() -> usize {
    params::pipe_max_size().get()
}

/// Pipe pages a user may hold before new pipes get only
/// [`PIPE_MIN_DEF_BUFFERS`] slots and growing one fails
/// (`/proc/sys/fs/pipe-user-pages-soft`; 0 means no limit).
pub(crate) fn pipe_user_pages_soft() -> usize {
    params::pipe_user_pages_soft().get()
}

/// Pipe pages past which an unprivileged user can neither make nor grow a
/// pipe (`/proc/sys/fs/pipe-user-pages-hard`; 0, the default, means none).
pub(crate) fn pipe_user_pages_hard() -> usize {
    params::pipe_user_pages_hard().get()
}

/// A limit Linux keeps in an `int` (`kernel.sem` takes any): a negative
/// one admits nothing, as 0 does.
fn int_limit(ns: &NsTables, cell: Cell) -> usize {
    (ns.tunable(cell) as isize).max(0) as usize
}

// SysV IPC (`ipc/util.h`).

/// `IPCMNI`: slots per kind of SysV object; no limit may exceed it.
pub(crate) const IPCMNI: usize = 1 << 15;

// SysV message queues (`include/uapi/linux/msg.h`, `msg_ctl*` sysctls).

/// `msg_ctlmni` (`MSGMNI`): message queues at most.
pub(crate) fn msgmni() -> usize {
    tunables::current(Cell::MsgMni)
}
/// `msg_ctlmax` (`MSGMAX`): bytes in one message at most.
pub(crate) fn msgmax() -> usize {
    tunables::current(Cell::MsgMax)
}
/// `msg_ctlmnb` (`MSGMNB`): the default `msg_qbytes` of a new queue, and
/// the most it can be raised to without `CAP_SYS_RESOURCE`.
pub(crate) fn msgmnb() -> usize {
    tunables::current(Cell::MsgMnb)
}
/// `MSGSSZ`: the message segment size reported by `IPC_INFO`.
pub(crate) const MSGSSZ: usize = 16;
/// `MSGPOOL`: the pool size in KiB reported by `IPC_INFO`, from the
/// headers' `MSGMNI * MSGMNB / 1024` (not the tunables, as in Linux).
pub(crate) const MSGPOOL: usize = 32000 * 16384 / 1024;
/// `MSGMAP` and `MSGTQL`, reported by `IPC_INFO`.
pub(crate) const MSGMAP: usize = 16384;
/// `MSGTQL`, reported by `IPC_INFO`.
pub(crate) const MSGTQL: usize = 16384;
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
// They take the namespace the caller found for its whole call, so that a
// `semop()` looks it up once.

/// `sc_semmsl` (`SEMMSL`): semaphores in one array at most.
pub(crate) fn semmsl(ns: &NsTables) -> usize {
    int_limit(ns, Cell::SemMsl)
}
/// `sc_semmni` (`SEMMNI`): semaphore arrays at most.
pub(crate) fn semmni(ns: &NsTables) -> usize {
    int_limit(ns, Cell::SemMni)
}
/// `sc_semmns` (`SEMMNS`): semaphores in all arrays at most.
pub(crate) fn semmns(ns: &NsTables) -> usize {
    int_limit(ns, Cell::SemMns)
}
/// `sc_semopm` (`SEMOPM`): operations in one `semop()` at most.
pub(crate) fn semopm(ns: &NsTables) -> usize {
    int_limit(ns, Cell::SemOpm)
}
/// `SEMVMX`: the largest value of a semaphore.
pub(crate) const SEMVMX: i32 = 32767;
/// `SEMAEM`: the largest adjustment on exit (`SEM_UNDO`).
pub(crate) const SEMAEM: i32 = SEMVMX;
/// `SEMUME`, `SEMMNU`, `SEMMAP`: reported by `IPC_INFO` only.
pub(crate) const SEMUME: usize = 500;
/// `SEMMNU`, reported by `IPC_INFO`.
pub(crate) const SEMMNU: usize = 32000 * 32000;
/// `SEMMAP`, reported by `IPC_INFO`.
pub(crate) const SEMMAP: usize = 32000 * 32000;
/// `SEMUSZ`: `sizeof(struct sem_undo)`, reported by `IPC_INFO`.
pub(crate) const SEMUSZ: usize = 20;

// POSIX message queues (`include/linux/ipc_namespace.h`, `mq_*` sysctls).

// `mq_queues_max` (`DFLT_QUEUESMAX`), queues at most unless
// `CAP_SYS_RESOURCE`, bounds the names of ripcfs's `mq/` in the mount's
// namespace: ripcfs counts them and reads it (`Kind::limited_by`).

/// `mq_msg_max` (`DFLT_MSGMAX`): the most `mq_maxmsg` without
/// `CAP_SYS_RESOURCE`.
pub(crate) fn mq_msg_max() -> i64 {
    tunables::current(Cell::MqMsgMax) as i64
}
/// `mq_msgsize_max` (`DFLT_MSGSIZEMAX`): the most `mq_msgsize` without
/// `CAP_SYS_RESOURCE`.
pub(crate) fn mq_msgsize_max() -> i64 {
    tunables::current(Cell::MqMsgsizeMax) as i64
}
/// `mq_msg_default` (`DFLT_MSG`): `mq_maxmsg` when none is given.
pub(crate) fn mq_msg_default() -> usize {
    tunables::current(Cell::MqMsgDefault)
}
/// `mq_msgsize_default` (`DFLT_MSGSIZE`): `mq_msgsize` when none is given.
pub(crate) fn mq_msgsize_default() -> usize {
    tunables::current(Cell::MqMsgsizeDefault)
}
/// `HARD_MSGMAX`: the most `mq_maxmsg` even with `CAP_SYS_RESOURCE`.
pub(crate) const MQ_HARD_MSGMAX: i64 = 65536;
/// `HARD_MSGSIZEMAX`: the most `mq_msgsize` even with `CAP_SYS_RESOURCE`.
pub(crate) const MQ_HARD_MSGSIZEMAX: i64 = 16 * 1024 * 1024;

// SysV shared memory (`include/uapi/linux/shm.h`, `shm_ctl*` sysctls).

/// `SHMMIN`: bytes in a segment at least.
pub(crate) const SHMMIN: usize = 1;
/// `shm_ctlmax` (`SHMMAX`): bytes in a segment at most.
pub(crate) fn shmmax() -> usize {
    tunables::current(Cell::ShmMax)
}
/// `shm_ctlall` (`SHMALL`): pages in all segments together at most.
pub(crate) fn shmall() -> usize {
    tunables::current(Cell::ShmAll)
}
/// `shm_ctlmni` (`SHMMNI`): segments at most.
pub(crate) fn shmmni() -> usize {
    tunables::current(Cell::ShmMni)
}
/// `SHMSEG`: attachments per process, reported by `IPC_INFO` only (Linux
/// does not enforce it either).
pub(crate) fn shmseg() -> usize {
    tunables::current(Cell::ShmMni)
}
