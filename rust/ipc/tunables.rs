// SPDX-License-Identifier: GPL-2.0

//! The tunables of an IPC namespace, as the fields of `struct
//! ipc_namespace` that `ipc/ipc_sysctl.c` and `ipc/mq_sysctl.c` expose in
//! `/proc/sys/kernel/` and `/proc/sys/fs/mqueue/`: `msg_ctlmax`,
//! `sem_ctls[4]`, `shm_ctlmax`, `shm_rmid_forced`, the `next_id` of each
//! table, `mq_queues_max`, ...
//!
//! The initial namespace's values are the module parameters
//! (`/sys/module/ripc/parameters/`, [`crate::glue::params`]): one value,
//! whichever way it is written. Another namespace takes the parameters'
//! values when ripc first sees it, as Linux's new namespaces take the
//! built-in defaults, and has its own from then on. Every value is an
//! atomic read without a lock, as Linux reads its sysctls.
//!
//! What the values mean is answered by [`crate::limits`]; ripcfs's `sys/`
//! files read and write them here, in Linux's formats and with its checks
//! (`rust/glue/ripcfs.c`).

use super::{current_ns, NsTables};
use crate::glue::params::{self, Param};
use kernel::sync::atomic::{Atomic, Relaxed};

/// The per-namespace values, in the order of [`Tunables::cells`].
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub(crate) enum Cell {
    /// `kernel.shmmax`.
    ShmMax,
    /// `kernel.shmall`.
    ShmAll,
    /// `kernel.shmmni`.
    ShmMni,
    /// `kernel.shm_rmid_forced`.
    ShmRmidForced,
    /// `kernel.msgmax`.
    MsgMax,
    /// `kernel.msgmni`.
    MsgMni,
    /// `kernel.msgmnb`.
    MsgMnb,
    /// `kernel.sem`, first value.
    SemMsl,
    /// `kernel.sem`, second value.
    SemMns,
    /// `kernel.sem`, third value.
    SemOpm,
    /// `kernel.sem`, fourth value.
    SemMni,
    /// `kernel.msg_next_id`, kept in the table (`IpcIds::next_id`).
    MsgNextId,
    /// `kernel.sem_next_id`.
    SemNextId,
    /// `kernel.shm_next_id`.
    ShmNextId,
    /// `fs.mqueue.queues_max`.
    MqQueuesMax,
    /// `fs.mqueue.msg_max`.
    MqMsgMax,
    /// `fs.mqueue.msgsize_max`.
    MqMsgsizeMax,
    /// `fs.mqueue.msg_default`.
    MqMsgDefault,
    /// `fs.mqueue.msgsize_default`.
    MqMsgsizeDefault,
}

const NR_CELLS: usize = Cell::MqMsgsizeDefault as usize + 1;

impl Cell {
    /// The module parameter that is this value in the initial namespace,
    /// or `None` for the values that are not parameters.
    #[inline]
    fn param(self) -> Option<&'static Param> {
        Some(match self {
            Self::ShmMax => params::shmmax(),
            Self::ShmAll => params::shmall(),
            Self::ShmMni => params::shmmni(),
            Self::MsgMax => params::msgmax(),
            Self::MsgMni => params::msgmni(),
            Self::MsgMnb => params::msgmnb(),
            Self::SemMsl => params::semmsl(),
            Self::SemMns => params::semmns(),
            Self::SemOpm => params::semopm(),
            Self::SemMni => params::semmni(),
            Self::MqQueuesMax => params::mq_queues_max(),
            Self::MqMsgMax => params::mq_msg_max(),
            Self::MqMsgsizeMax => params::mq_msgsize_max(),
            Self::MqMsgDefault => params::mq_msg_default(),
            Self::MqMsgsizeDefault => params::mq_msgsize_default(),
            Self::ShmRmidForced | Self::MsgNextId | Self::SemNextId | Self::ShmNextId => {
                return None
            }
        })
    }

    /// The value of a namespace that has not set it: the parameter, or
    /// Linux's initial value (`shm_rmid_forced` 0, `next_id` -1).
    fn default(self) -> usize {
        match self {
            Self::MsgNextId | Self::SemNextId | Self::ShmNextId => -1isize as usize,
            _ => self.param().map_or(0, Param::get),
        }
    }

    /// For a `*NextId`, `f` on the place where the table of namespace `ns`
    /// keeps it (`ids->next_id`), which the next object made takes, under
    /// the table's lock.
    #[inline]
    fn with_next_id<R>(self, ns: &NsTables, f: impl FnOnce(&mut i32) -> R) -> Option<R> {
        match self {
            Self::MsgNextId => Some(f(&mut ns.lock_msg().msg.next_id)),
            Self::SemNextId => Some(f(&mut ns.lock_sem().sem.next_id)),
            Self::ShmNextId => Some(f(&mut ns.lock_shm().shm.next_id)),
            _ => None,
        }
    }
}

/// The tunables of one IPC namespace (signed values are stored as their
/// `isize` bit patterns), but for the `next_id`s, which the tables keep.
pub(crate) struct Tunables {
    cells: [Atomic<usize>; NR_CELLS],
}

impl Tunables {
    /// The values of a new namespace: the module parameters now, and
    /// Linux's initial values for the others.
    pub(crate) fn from_params() -> Self {
        Self {
            cells: core::array::from_fn(|i| Atomic::new(CELLS[i].default())),
        }
    }

    /// The initial namespace's values that are not module parameters.
    const fn initial() -> Self {
        Self {
            cells: [const { Atomic::new(0) }; NR_CELLS],
        }
    }
}

/// Every [`Cell`], by index.
const CELLS: [Cell; NR_CELLS] = [
    Cell::ShmMax,
    Cell::ShmAll,
    Cell::ShmMni,
    Cell::ShmRmidForced,
    Cell::MsgMax,
    Cell::MsgMni,
    Cell::MsgMnb,
    Cell::SemMsl,
    Cell::SemMns,
    Cell::SemOpm,
    Cell::SemMni,
    Cell::MsgNextId,
    Cell::SemNextId,
    Cell::ShmNextId,
    Cell::MqQueuesMax,
    Cell::MqMsgMax,
    Cell::MqMsgsizeMax,
    Cell::MqMsgDefault,
    Cell::MqMsgsizeDefault,
];

/// The value numbered `id` (`enum ripcfs_tunable_id` in
/// `rust/glue/ripcfs.h` numbers them in this order).
pub(crate) fn cell(id: usize) -> Option<Cell> {
    CELLS.get(id).copied()
}

/// The initial namespace's values that are not module parameters.
static INITIAL: Tunables = Tunables::initial();

impl NsTables {
    /// Reads value `cell` of this namespace: with `cell` known at the
    /// call, one load.
    #[inline]
    pub(crate) fn tunable(&self, cell: Cell) -> usize {
        if let Some(next_id) = cell.with_next_id(self, |id| *id) {
            return next_id as isize as usize;
        }
        match (self, cell.param()) {
            (Self::Init, Some(param)) => param.get(),
            (Self::Init, None) => INITIAL.cells[cell as usize].load(Relaxed),
            (Self::Child(child), _) => child.tunables.cells[cell as usize].load(Relaxed),
        }
    }

    /// Sets value `cell` of this namespace (the caller checked it).
    pub(crate) fn set_tunable(&self, cell: Cell, value: usize) {
        if cell
            .with_next_id(self, |id| *id = value as isize as i32)
            .is_some()
        {
            return;
        }
        match (self, cell.param()) {
            (Self::Init, Some(param)) => param.set(value),
            (Self::Init, None) => INITIAL.cells[cell as usize].store(value, Relaxed),
            (Self::Child(child), _) => child.tunables.cells[cell as usize].store(value, Relaxed),
        }
    }
}

/// Value `cell` of the caller's IPC namespace; the parameter's for a task
/// past `exit_task_namespaces()`, which can make nothing any more.
///
/// Callers may hold their namespace's tables: finding the namespace takes
/// the registry lock inside them, which is safe because nothing takes a
/// namespace's tables under the registry lock, and a namespace whose
/// tables the caller holds is found without making (or sweeping) any.
#[inline]
pub(crate) fn current(cell: Cell) -> usize {
    match current_ns() {
        Ok(ns) => ns.tunable(cell),
        Err(_) => cell.default(),
    }
}
