// SPDX-License-Identifier: GPL-2.0

//! The table of one kind of SysV object (`struct ipc_ids` and the
//! functions of `ipc/util.c` that work on it).
//!
//! An id is `seq * SEQ_MULTIPLIER + idx`, as `ipc_buildid()` makes it:
//! `idx` is the object's slot, `seq` a counter bumped whenever a slot at or
//! below the last one handed out is reused, so an id kept after its object
//! was removed does not name the object that later takes the slot (it
//! fails with `EINVAL`).

use super::{
    perm::KernIpcPerm,
    rules::{self, build_id, id_idx},
    IPC_PRIVATE,
};
use crate::limits;
use crate::uapi;
use kernel::{prelude::*, sync::Arc};

/// The parts of `ipc_ids` an object kind needs from its objects.
pub(crate) trait IpcObject: Send + Sync {
    /// A copy of the object's ownership and mode, taken under its lock.
    fn perm(&self) -> KernIpcPerm;
}

struct Entry<T> {
    key: i32,
    id: i32,
    object: Arc<T>,
}

/// The objects of one kind (`struct ipc_ids`), by slot.
///
/// # Invariants
///
/// `entries` never ends with an empty slot, so its length is one past the
/// highest slot in use (`max_idx + 1`); `in_use` counts its full slots.
pub(crate) struct IpcIds<T> {
    /// `ipcs_idr`: slot `idx` holds the object whose id has index `idx`.
    /// Keys are found by walking it (Linux has a hash table).
    entries: KVec<Option<Entry<T>>>,
    /// `in_use`: objects in the table.
    in_use: usize,
    /// `seq`: the sequence number of the next ids.
    seq: u16,
    /// `last_idx`: the slot handed out last, if any.
    last_idx: Option<usize>,
    /// `idr_next` of the cyclic allocation: where the next search starts.
    next_idx: usize,
    /// `next_id`: the id the next object gets, or -1 (checkpoint/restore's
    /// `kernel.*_next_id`, [`super::tunables`]).
    pub(crate) next_id: i32,
}

impl<T: IpcObject> IpcIds<T> {
    /// An empty table (`ipc_init_ids()`); allocates nothing.
    pub(crate) const fn new() -> Self {
        Self {
            entries: KVec::new(),
            in_use: 0,
            seq: 0,
            last_idx: None,
            next_idx: 0,
            next_id: -1,
        }
    }

    /// Objects in the table (`in_use`).
    pub(crate) fn in_use(&self) -> usize {
        self.in_use
    }

    /// The highest slot in use (`ipc_get_maxidx()`), if any.
    pub(crate) fn max_idx(&self) -> Option<usize> {
        self.entries.len().checked_sub(1)
    }

    /// The objects, by slot.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Arc<T>> {
        self.entries.iter().flatten().map(|e| &e.object)
    }

    /// `ipcget()`: the id of the object with `key`, made by `create` if
    /// needed, as `msgget()`/`semget()`/`shmget()` want it.
    ///
    /// - `IPC_PRIVATE` always makes a new object;
    /// - an unknown key makes one with `IPC_CREAT`, else `ENOENT`;
    /// - a known key gives `EEXIST` with `IPC_CREAT | IPC_EXCL`, the
    ///   error of `check` (the kind's `more_checks`) if any, or `EACCES`
    ///   if the mode bits of `flags` are not granted (`ipcperms()`).
    ///
    /// A new object gets `flags & 0777` as mode and the caller's effective
    /// ids as owner and creator; `limit` objects at most (`ENOSPC`).
    pub(crate) fn get(
        &mut self,
        key: i32,
        flags: i32,
        limit: usize,
        check: impl FnOnce(&T) -> Result,
        create: impl FnOnce(KernIpcPerm) -> Result<Arc<T>>,
    ) -> Result<i32> {
        let flags = flags as u32;
        if key != IPC_PRIVATE {
            if let Some(entry) = self.entries.iter().flatten().find(|e| e.key == key) {
                let excl = uapi::RIPC_IPC_CREAT | uapi::RIPC_IPC_EXCL;
                if flags & excl == excl {
                    return Err(EEXIST);
                }
                check(&entry.object)?;
                super::perm::ipcperms(&entry.object.perm(), flags)?;
                return Ok(entry.id);
            }
            if flags & uapi::RIPC_IPC_CREAT == 0 {
                return Err(ENOENT);
            }
        }
        self.add(key, flags, limit, create)
    }

    /// `ipc_addid()`: makes an object in a free slot.
    fn add(
        &mut self,
        key: i32,
        flags: u32,
        limit: usize,
        create: impl FnOnce(KernIpcPerm) -> Result<Arc<T>>,
    ) -> Result<i32> {
        let limit = limit.min(limits::IPCMNI);
        if self.in_use >= limit {
            return Err(ENOSPC);
        }
        // `ipc_idr_alloc()`: a `next_id` is used once, whatever happens.
        let next_id = core::mem::replace(&mut self.next_id, -1);
        let (idx, seq) = if next_id < 0 {
            let idx = self.free_idx().ok_or(ENOSPC)?;
            (idx, rules::next_seq(self.seq, self.last_idx, idx))
        } else {
            // The first free slot from the id's (`idr_alloc()`), with the
            // id's sequence number; the cyclic allocation is left as is.
            let idx = (id_idx(next_id)..limits::IPCMNI)
                .find(|&idx| self.entries.get(idx).is_none_or(|e| e.is_none()))
                .ok_or(ENOSPC)?;
            (idx, (next_id >> rules::IPCMNI_SHIFT) as u16)
        };
        // Reserve the slot before making the object, so that a failed
        // allocation leaves the table as it was.
        if idx >= self.entries.len() {
            self.entries
                .reserve(idx + 1 - self.entries.len(), GFP_KERNEL_ACCOUNT)?;
        }
        let id = build_id(idx, seq);
        let object = create(KernIpcPerm::new_current(key, id, seq, flags))?;
        while self.entries.len() <= idx {
            // Cannot fail: reserved above.
            self.entries.push(None, GFP_KERNEL_ACCOUNT)?;
        }
        self.entries[idx] = Some(Entry { key, id, object });
        if next_id < 0 {
            self.seq = seq;
            self.last_idx = Some(idx);
            self.next_idx = idx + 1;
        }
        self.in_use += 1;
        Ok(id)
    }

    /// The slot `idr_alloc_cyclic()` would give (see [`rules::free_slot`]).
    fn free_idx(&self) -> Option<usize> {
        rules::free_slot(self.in_use, self.next_idx, limits::IPCMNI, |idx| {
            self.entries.get(idx).is_none_or(|e| e.is_none())
        })
    }

    /// `ipc_obtain_object_idr()`: the object in the slot of `id`, whatever
    /// its sequence number (`MSG_STAT` and friends take an index). `EINVAL`
    /// if the slot is empty.
    pub(crate) fn obtain_idx(&self, id: i32) -> Result<Arc<T>> {
        if id < 0 {
            return Err(EINVAL);
        }
        match self.entries.get(id_idx(id)) {
            Some(Some(entry)) => Ok(entry.object.clone()),
            _ => Err(EINVAL),
        }
    }

    /// `ipc_obtain_object_check()`: the object named by `id`. `EINVAL` if
    /// there is none or its sequence number differs (a stale id).
    pub(crate) fn obtain_check(&self, id: i32) -> Result<Arc<T>> {
        if id < 0 {
            return Err(EINVAL);
        }
        match self.entries.get(id_idx(id)) {
            Some(Some(entry)) if entry.id == id => Ok(entry.object.clone()),
            _ => Err(EINVAL),
        }
    }

    /// The object a `*_STAT` command reports on (`msgctl_stat()` and its
    /// twins): named by `id` for `IPC_STAT`, by the slot index `id` for
    /// `MSG_STAT`, `SEM_STAT`, `SHM_STAT` and their `*_ANY` forms.
    pub(crate) fn obtain_for_stat(&self, id: i32, cmd: u32) -> Result<Arc<T>> {
        if cmd == uapi::RIPC_IPC_STAT {
            self.obtain_check(id)
        } else {
            self.obtain_idx(id)
        }
    }

    /// `ipc_rmid()`: takes the object named by `id` out of the table; the
    /// caller marks it deleted. `EINVAL` if there is none.
    pub(crate) fn remove(&mut self, id: i32) -> Result<Arc<T>> {
        self.obtain_check(id)?;
        let entry = self.entries[id_idx(id)].take().ok_or(EINVAL)?;
        self.in_use -= 1;
        // INVARIANT: trailing empty slots go, so the length stays
        // `max_idx + 1`.
        while self.entries.last().is_some_and(|e| e.is_none()) {
            self.entries.pop();
        }
        Ok(entry.object)
    }

    /// `ipc_set_key_private()`: the object named by `id` stays in the
    /// table but its key no longer finds it (a removed shared memory
    /// segment that is still attached). The caller sets the key in the
    /// object's own `KernIpcPerm`.
    pub(crate) fn set_private(&mut self, id: i32) -> Result {
        self.obtain_check(id)?;
        if let Some(entry) = self.entries[id_idx(id)].as_mut() {
            entry.key = IPC_PRIVATE;
        }
        Ok(())
    }

    /// Empties the table, handing each object to `f` (`free_ipcs()`).
    pub(crate) fn drain(&mut self, mut f: impl FnMut(Arc<T>)) {
        // Replaced, not drained in place, so the slots' memory goes too.
        for entry in core::mem::replace(&mut self.entries, KVec::new())
            .into_iter()
            .flatten()
        {
            f(entry.object);
        }
        self.in_use = 0;
    }
}
