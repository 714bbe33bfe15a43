// SPDX-License-Identifier: GPL-2.0

//! Slots of `Arc`s read under RCU, as `ipc_obtain_object_idr()` reads the
//! idr: a reader finds an object and takes its own reference without any
//! lock, and the table's reference is dropped only after a grace period.
//!
//! [`RcuSlots`] holds `N` chunks of `C` slots; chunk `c` holds slots
//! `c * C ..`. A slot holds a node: the object's id and the table's
//! `Arc`. A reader ([`RcuSlots::get`]) loads the chunk and the node under
//! `rcu_read_lock()` and clones the `Arc`: the count cannot be 0, because
//! the node's own reference goes only after a grace period that began
//! after the node left its slot.
//!
//! A node or chunk that leaves the table is released by `queue_rcu_work()`
//! on ripc's own workqueue (`rust/glue/rcu.c`): after a grace period, in
//! process context, as dropping the last reference to an object may sleep
//! (a segment drops its shmem file and its namespace). The work lives in
//! the node, allocated with the object (`GFP_KERNEL_ACCOUNT`), so that
//! releasing never allocates. Module exit waits for all of them
//! ([`Workqueue`]'s drop: `rcu_barrier()`, then `destroy_workqueue()`)
//! before the module's code goes.
//!
//! Writers use atomic swaps, so even unserialised writers could not free
//! a node twice or while a reader may see it (at worst they would leak
//! one); the table's user serialises them (its writer lock) for the table
//! to make sense.

use core::{
    marker::PhantomData,
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{
    bindings,
    error::to_result,
    ffi::c_int,
    prelude::*,
    sync::{rcu, Arc},
    types::Opaque,
};

extern "C" {
    fn ripc_rcu_wq_create() -> c_int;
    fn ripc_rcu_wq_destroy();
    fn ripc_queue_rcu_work(rwork: *mut bindings::rcu_work, func: bindings::work_func_t);
}

/// The workqueue of the deferred releases, made at module init.
///
/// # Invariants
///
/// The workqueue of `rust/glue/rcu.c` exists while this value does, and
/// only one value exists at a time.
pub(crate) struct Workqueue(());

impl Workqueue {
    /// Makes the workqueue (`EBUSY` if it exists). Module init calls this
    /// before anything can be put in an [`RcuSlots`].
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: no argument; the helper refuses to make a second one.
        to_result(unsafe { ripc_rcu_wq_create() })?;
        // INVARIANT: just made.
        Ok(Self(()))
    }
}

impl Drop for Workqueue {
    fn drop(&mut self) {
        // SAFETY: the workqueue exists (invariant). Module exit drops this
        // after emptying every table, when nothing can queue more work.
        unsafe { ripc_rcu_wq_destroy() };
    }
}

// The work of an `rcu_work` is its first field, so a pointer to the work
// is one to the `rcu_work`, and so to the node or chunk that starts with
// it.
const _: () = assert!(core::mem::offset_of!(bindings::rcu_work, work) == 0);

/// An object in a slot: its id and the table's reference.
// `repr(C)`: `rwork` first, see the assertion above.
#[repr(C)]
struct Node<T> {
    /// Initialised when the node is released.
    rwork: Opaque<bindings::rcu_work>,
    id: i32,
    object: Arc<T>,
}

// SAFETY: `rwork` is only used by the release, through raw pointers, once
// the node is out of the table; the rest is an `i32` and an `Arc<T>`.
unsafe impl<T: Send + Sync> Send for Node<T> {}
// SAFETY: as for `Send`: shared references read only `id` and `object`.
unsafe impl<T: Send + Sync> Sync for Node<T> {}

/// A node, allocated with the object before the table's lock is taken.
pub(crate) struct NewNode<T>(KBox<Node<T>>);

impl<T: Send + Sync + 'static> NewNode<T> {
    /// The node of `object`, whose id is `id`.
    pub(crate) fn new(id: i32, object: Arc<T>) -> Result<Self> {
        Ok(Self(KBox::new(
            Node {
                rwork: Opaque::uninit(),
                id,
                object,
            },
            GFP_KERNEL_ACCOUNT,
        )?))
    }

    /// The object the node holds.
    pub(crate) fn object(&self) -> &Arc<T> {
        &self.0.object
    }
}

/// `C` slots.
#[repr(C)]
struct Chunk<T, const C: usize> {
    /// Initialised when the chunk is released.
    rwork: Opaque<bindings::rcu_work>,
    slots: [AtomicPtr<Node<T>>; C],
}

// SAFETY: `rwork` is only used by the release, through raw pointers, once
// the chunk is out of the table; the slots are atomics.
unsafe impl<T, const C: usize> Send for Chunk<T, C> {}
// SAFETY: as for `Send`.
unsafe impl<T, const C: usize> Sync for Chunk<T, C> {}

/// A chunk allocated before the table's lock is taken, for
/// [`RcuSlots::install_chunk`].
pub(crate) struct NewChunk<T, const C: usize>(KBox<Chunk<T, C>>);

impl<T, const C: usize> NewChunk<T, C> {
    pub(crate) fn new() -> Result<Self> {
        // In place: a chunk takes most of a page.
        Ok(Self(KBox::init(
            init!(Chunk {
                rwork: Opaque::uninit(),
                slots <- pin_init::init_array_from_fn(|_| AtomicPtr::new(ptr::null_mut())),
            }),
            GFP_KERNEL_ACCOUNT,
        )?))
    }
}

/// Drops, after a grace period, the node or chunk `leaked`.
///
/// # Safety
///
/// `leaked` is a [`Node`] or a [`Chunk`] (`repr(C)`, an `rcu_work` first)
/// leaked from a `KBox`, which no slot or chunk of a table points to any
/// more, and this is its only release.
unsafe fn release<R: Send>(leaked: *mut R) {
    let rwork = leaked.cast::<bindings::rcu_work>();
    /// Runs in process context after the grace period.
    ///
    /// # Safety
    ///
    /// `work` is the work of the `rwork` given to [`release`].
    unsafe extern "C" fn drop_box<R>(work: *mut bindings::work_struct) {
        // SAFETY: the work is at the start of the `rwork`, which is at the
        // start of the `R` (the function's contract); the box is dropped
        // once, and no reader can still see it: the grace period that
        // began after it left the table has ended. `R` is `Send`, so it
        // may be dropped on the worker's thread.
        drop(unsafe { KBox::from_raw(work.cast::<R>()) });
    }
    // SAFETY: `rwork` is valid and released once (the contract). The
    // workqueue exists, as the tables are emptied before module exit
    // destroys it; were it gone, the helper would wait for the grace
    // period and call `drop_box` itself.
    unsafe { ripc_queue_rcu_work(rwork, Some(drop_box::<R>)) };
}

/// Slots read under RCU; see the module documentation.
///
/// # Invariants
///
/// A non-null `chunks[c]` was leaked from a `KBox<Chunk<T, C>>` and a
/// non-null slot in it from a `KBox<Node<T>>`, both fully initialised
/// before they were stored (with release ordering); the table owns them.
/// Whoever swaps one out owns it, and frees it only after a grace period
/// ([`release`]) or while nobody else can see the table (`&mut self`).
pub(crate) struct RcuSlots<T, const N: usize, const C: usize> {
    chunks: [AtomicPtr<Chunk<T, C>>; N],
    /// The table owns the objects' references: it is `Send` and `Sync`
    /// only if `Arc<T>` is.
    _objects: PhantomData<Arc<T>>,
}

impl<T: Send + Sync + 'static, const N: usize, const C: usize> RcuSlots<T, N, C> {
    /// An empty table; allocates nothing.
    pub(crate) const fn new() -> Self {
        // INVARIANT: every pointer null.
        Self {
            chunks: [const { AtomicPtr::new(ptr::null_mut()) }; N],
            _objects: PhantomData,
        }
    }

    /// The chunk of slot `idx`, if any, for the duration of `_guard`.
    fn chunk<'a>(&'a self, idx: usize, _guard: &'a rcu::Guard) -> Option<&'a Chunk<T, C>> {
        let chunk = self.chunks.get(idx / C)?.load(Ordering::Acquire);
        // SAFETY: a non-null chunk was fully initialised before it was
        // stored (invariant; the acquire load pairs with that store), and
        // is freed only after a grace period that began after it left the
        // table, which cannot end while `_guard` holds the read lock.
        (!chunk.is_null()).then(|| unsafe { &*chunk })
    }

    /// The object in slot `idx` if `want` accepts its id: a reference of
    /// the caller's own, taken without any lock.
    pub(crate) fn get(&self, idx: usize, want: impl FnOnce(i32) -> bool) -> Option<Arc<T>> {
        let guard = rcu::read_lock();
        let node = self
            .chunk(idx, &guard)?
            .slots
            .get(idx % C)?
            .load(Ordering::Acquire);
        if node.is_null() {
            return None;
        }
        // SAFETY: as for the chunk in `chunk()`: initialised before it was
        // stored, freed only after a grace period, and `guard` holds the
        // read lock until the end of this function.
        let node = unsafe { &*node };
        // The node holds a reference until it is freed, so the count is
        // above 0 and the clone is sound.
        want(node.id).then(|| node.object.clone())
    }

    /// Puts `chunk` in place as chunk `c`, unless there is one already.
    pub(crate) fn install_chunk(&self, c: usize, chunk: NewChunk<T, C>) {
        let Some(place) = self.chunks.get(c) else {
            return;
        };
        let new = KBox::into_raw(chunk.0);
        // INVARIANT: an initialised chunk, stored with release ordering.
        if place
            .compare_exchange(ptr::null_mut(), new, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            // SAFETY: `new` was leaked above and never stored.
            drop(unsafe { KBox::from_raw(new) });
        }
    }

    /// Puts `node` in slot `idx`, whose chunk is in place (else `node` is
    /// dropped). An object already there is released.
    pub(crate) fn publish(&self, idx: usize, node: NewNode<T>) {
        let guard = rcu::read_lock();
        let Some(slot) = self.chunk(idx, &guard).and_then(|c| c.slots.get(idx % C)) else {
            return;
        };
        // INVARIANT: an initialised node, stored with release ordering.
        let old = slot.swap(KBox::into_raw(node.0), Ordering::AcqRel);
        drop(guard);
        if !old.is_null() {
            // SAFETY: swapped out of its slot, so no longer in the table,
            // and owned by this call alone (invariant).
            unsafe { release(old) };
        }
    }

    /// Empties slot `idx`; its node, if any, is released after a grace
    /// period (readers that found it keep their own references).
    pub(crate) fn retire(&self, idx: usize) {
        let guard = rcu::read_lock();
        let Some(slot) = self.chunk(idx, &guard).and_then(|c| c.slots.get(idx % C)) else {
            return;
        };
        let old = slot.swap(ptr::null_mut(), Ordering::AcqRel);
        drop(guard);
        if !old.is_null() {
            // SAFETY: swapped out of its slot, owned by this call alone.
            unsafe { release(old) };
        }
    }

    /// Empties the table, handing `f` a reference to each object; nodes
    /// and chunks are released after a grace period.
    pub(crate) fn clear(&self, mut f: impl FnMut(Arc<T>)) {
        for place in &self.chunks {
            let chunk = place.swap(ptr::null_mut(), Ordering::AcqRel);
            if chunk.is_null() {
                continue;
            }
            // SAFETY: swapped out of the table by this call alone, so it
            // is freed by nobody else, and only below, after its slots.
            let slots = unsafe { &(*chunk).slots };
            for slot in slots {
                let node = slot.swap(ptr::null_mut(), Ordering::AcqRel);
                if node.is_null() {
                    continue;
                }
                // SAFETY: owned by this call alone, freed only below.
                f(unsafe { (*node).object.clone() });
                // SAFETY: out of its slot, owned by this call alone.
                unsafe { release(node) };
            }
            // SAFETY: out of the table, owned by this call alone; its
            // slots are no longer read after this.
            unsafe {
                release(chunk);
            }
        }
    }
}

impl<T, const N: usize, const C: usize> Drop for RcuSlots<T, N, C> {
    fn drop(&mut self) {
        // Nobody else can see the table: free what it holds at once.
        for place in &mut self.chunks {
            let chunk = *place.get_mut();
            if chunk.is_null() {
                continue;
            }
            // SAFETY: the table owns the chunk (invariant) and is going.
            let mut chunk = unsafe { KBox::from_raw(chunk) };
            for slot in &mut chunk.slots {
                let node = *slot.get_mut();
                if !node.is_null() {
                    // SAFETY: the table owns the node (invariant).
                    drop(unsafe { KBox::from_raw(node) });
                }
            }
        }
    }
}
