// SPDX-License-Identifier: GPL-2.0

//! `SEM_UNDO` adjustments: per process and array ([`Undo`], `struct
//! sem_undo`), gathered per process ([`ProcessUndos`], `struct
//! sem_undo_list`).
//!
//! Linux reaches a process's list from the task (`sysvsem.undo_list`,
//! shared by the threads of a process, never by a forked child) and
//! applies it in `exit_sem()`, when the process's last thread exits. A
//! module has no field in the task, so the lists are kept in
//! [`UNDO_OWNERS`] by the process's `struct pid`, which each list holds a
//! reference on: no other process can have that `struct pid` while the
//! list lives, so a list is never found by another process, whatever pids
//! are reused. A forked child has its own `struct pid`, so its own list.
//!
//! The exit is seen in `->flush()` of `/dev/ripc`: `do_exit()` closes the
//! process's files after every thread has counted itself out, so a flush
//! from an exiting task whose process has no live thread left
//! ([`process::current_process_exiting`]) is `exit_sem()`'s moment, before
//! the parent can learn of the exit. Any other close of a descriptor
//! (a `dup`, `close-on-exec`, libripc's spare descriptor) changes nothing.
//! A process that exits without any `/dev/ripc` descriptor open (it closed
//! them all, or `exec`ed a program that never opened one) is caught later:
//! [`sweep_exited`] applies the lists of processes that are gone.
//!
//! An operation finds its adjustments in the array's tree (`Inner::undos`),
//! by the same process key, under the array's lock alone: Linux looks them
//! up in the task's list under RCU, with no lock shared by processes.
//! [`UNDO_OWNERS`] is only visited to make the first adjustments of a
//! process and at its exit.
//!
//! Lock order: [`UNDO_OWNERS`] or an array's lock (`Inner`), then a
//! process's `undos`.

use super::SemArray;
use crate::glue::{cred::PidRef, global::UNDO_OWNERS, process};
use core::sync::atomic::{AtomicI16, Ordering};
use kernel::{
    new_mutex,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::{Arc, Mutex},
};

/// One process's adjustments on one array (`struct sem_undo`).
pub(crate) struct Undo {
    /// The array (`un->semid`).
    pub(super) array: Arc<SemArray>,
    /// The process (`un->ulp`).
    pub(super) process: Arc<ProcessUndos>,
    /// `semadj[]`. Entry `i` changes only where semaphore `i`'s value may:
    /// under that semaphore's lock in fast mode, under the array's in
    /// global mode; an atomic lets either lock holder reach it.
    semadj: KVec<AtomicI16>,
}

impl Undo {
    /// The adjustment of semaphore `num`.
    pub(super) fn adj(&self, num: usize) -> i32 {
        i32::from(self.semadj[num].load(Ordering::Relaxed))
    }

    /// Sets the adjustment of semaphore `num`; the caller checked the range.
    pub(super) fn set_adj(&self, num: usize, adj: i32) {
        self.semadj[num].store(adj as i16, Ordering::Relaxed);
    }

    /// The adjustments, by semaphore.
    pub(super) fn adjustments(&self) -> impl Iterator<Item = i32> + '_ {
        self.semadj
            .iter()
            .map(|a| i32::from(a.load(Ordering::Relaxed)))
    }
}

/// The `SEM_UNDO` adjustments of one process (`struct sem_undo_list`).
#[pin_data]
pub(crate) struct ProcessUndos {
    /// Its key in each array's tree of adjustments: the process's
    /// ([`process::current_process_key`]), unique while `owner` is held.
    pub(super) key: usize,
    /// The process: keeps its `struct pid`, hence its key in
    /// [`UNDO_OWNERS`], from being reused; the `sempid` its exit records.
    pub(super) owner: PidRef,
    /// By array ([`SemArray::serial`]).
    #[pin]
    undos: Mutex<RBTree<u64, Arc<Undo>>>,
}

impl ProcessUndos {
    /// Applies and forgets every adjustment (`exit_sem()`).
    fn exit(&self) {
        let undos = core::mem::take(&mut *self.undos.lock());
        for undo in undos.values() {
            undo.array.apply_undo(undo);
        }
    }

    /// Forgets the adjustments on `array`, which is being removed
    /// (`freeary()`); called under its lock.
    pub(super) fn forget(&self, array: &SemArray) {
        self.undos.lock().remove(&array.serial);
    }
}

/// The lists of [`UNDO_OWNERS`], by process key; `None` until the first.
pub(crate) struct UndoOwners(Option<RBTree<usize, Arc<ProcessUndos>>>);

impl UndoOwners {
    /// No list; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self(None)
    }

    /// Forgets every list without applying it (module unload: the arrays
    /// are gone).
    pub(crate) fn clear(&mut self) {
        self.0 = None;
    }

    fn get(&self, key: usize) -> Option<&Arc<ProcessUndos>> {
        self.0.as_ref()?.get(&key)
    }
}

/// The current process's list (`get_undo_list()`), made at its first use.
fn current_process() -> Result<Arc<ProcessUndos>> {
    let key = process::current_process_key();
    if let Some(found) = UNDO_OWNERS.lock().get(key) {
        return Ok(found.clone());
    }
    let new = Arc::pin_init(
        pin_init!(ProcessUndos {
            key,
            owner: PidRef::current_process(),
            undos <- new_mutex!(RBTree::new(), "ProcessUndos::undos"),
        }),
        GFP_KERNEL_ACCOUNT,
    )?;
    let reservation = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;
    let mut owners = UNDO_OWNERS.lock();
    // Another thread of the process may have made it meanwhile.
    let tree = owners.0.get_or_insert_with(RBTree::new);
    Ok(match tree.entry(key) {
        kernel::rbtree::Entry::Occupied(found) => found.get().clone(),
        kernel::rbtree::Entry::Vacant(slot) => slot.insert(new, reservation).clone(),
    })
}

/// The current process's adjustments on `array`, made on first use
/// (`find_alloc_undo()`). `EIDRM` if the array was removed.
pub(super) fn undo_for(array: &Arc<SemArray>) -> Result<Arc<Undo>> {
    // The usual case: they exist, in the array's tree by process key. An
    // entry there holds its process's `struct pid`, so the key is ours.
    let key = process::current_process_key();
    if let Some(found) = array.inner.lock().undos.get(&key) {
        return Ok(found.clone());
    }
    let process = current_process()?;
    if let Some(found) = process.undos.lock().get(&array.serial) {
        return Ok(found.clone());
    }
    // Made before taking the locks, as Linux does.
    let mut semadj = KVec::with_capacity(array.nsems(), GFP_KERNEL_ACCOUNT)?;
    for _ in 0..array.nsems() {
        semadj.push(AtomicI16::new(0), GFP_KERNEL_ACCOUNT)?;
    }
    let undo = Arc::new(
        Undo {
            array: array.clone(),
            process: process.clone(),
            semadj,
        },
        GFP_KERNEL_ACCOUNT,
    )?;
    let in_process = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;
    let in_array = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;

    // The array's lock only guards its tree here: fast operations go on.
    let mut inner = array.inner.lock();
    if array.is_deleted() {
        return Err(crate::ipc::eidrm());
    }
    let mut undos = process.undos.lock();
    if let Some(found) = undos.get(&array.serial) {
        // Another thread of the process was first.
        return Ok(found.clone());
    }
    undos.insert(in_process.into_node(array.serial, undo.clone()));
    inner
        .undos
        .insert(in_array.into_node(process.key, undo.clone()));
    Ok(undo)
}

/// `exit_sem()` of the current process, if it is exiting: see the module
/// documentation. Called from `->flush()` of `/dev/ripc`.
pub(crate) fn exit_current() {
    if !process::current_process_exiting() {
        return;
    }
    let key = process::current_process_key();
    let found = UNDO_OWNERS
        .lock()
        .0
        .as_mut()
        .and_then(|tree| tree.remove(&key));
    if let Some(process) = found {
        process.exit();
    }
}

/// Applies the lists of processes that exited without a `/dev/ripc`
/// descriptor open, so without [`exit_current`]. Called when a `/dev/ripc`
/// file is released, which is rare.
pub(crate) fn sweep_exited() {
    let mut gone = KVec::<Arc<ProcessUndos>>::new();
    {
        let mut owners = UNDO_OWNERS.lock();
        let Some(tree) = owners.0.as_mut() else {
            return;
        };
        let mut cursor = tree.cursor_front_mut();
        while let Some(current) = cursor {
            let (key, process) = current.current();
            let key = *key;
            if process.owner.has_process()
                || gone.push(process.clone(), GFP_KERNEL_ACCOUNT).is_err()
            {
                cursor = current.move_next();
                continue;
            }
            let (rest, _node) = current.remove_current();
            // `remove_current` falls back to the previous node at the end.
            cursor = rest.filter(|c| *c.current().0 > key);
        }
    }
    for process in gone.iter() {
        process.exit();
    }
}
