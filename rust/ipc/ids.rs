// SPDX-License-Identifier: GPL-2.0

//! The table of one kind of SysV object (`struct ipc_ids` and the
//! functions of `ipc/util.c` that work on it).
//!
//! An id is `seq * SEQ_MULTIPLIER + idx`, as `ipc_buildid()` makes it:
//! `idx` is the object's slot, `seq` a counter bumped whenever a slot at or
//! below the last one handed out is reused, so an id kept after its object
//! was removed does not name the object that later takes the slot (it
//! fails with `EINVAL`).
//!
//! Every operation costs the same whatever the number of objects, as with
//! Linux's idr and key rhashtable: slots live in chunks of [`CHUNK`] (a
//! page each), found by index; a bitmap per chunk and two over the chunks
//! find a free slot (`idr_alloc_cyclic()`) and the highest one in use in a
//! few word operations; keys are in [`KEY_BUCKETS`] red-black trees, by a
//! hash of the key, so that a lookup among the most objects a table holds
//! walks a tree of a few hundred (`O(log n)`, but shallow where Linux's
//! rhashtable is flat).
//!
//! Making an object takes three steps so that nothing allocates under the
//! table's lock: [`IpcIds::reserve`] picks the slot and id (locked),
//! [`Slot::memory`], the kind's constructor and [`Slot::node`] allocate
//! (unlocked), [`IpcIds::insert`] publishes the ready object (locked).
//! [`crate::ipc::NsTables::get`] strings them together for `*get()`.
//!
//! Lookups by id do not take the table's lock: the objects are in an
//! [`IdIndex`], slots read under RCU ([`crate::glue::rcu`]), as Linux's
//! `ipc_obtain_object_check()` reads the idr under `rcu_read_lock()`. A
//! lookup takes a reference of its own, so it never waits for a creation,
//! a removal or another lookup; one that races with a removal finds the
//! object or not, and the object's own lock tells it whether it was
//! removed (`ipc_valid_object()`), as before. Everything else (keys, the
//! choice of slots, the counts) is under the table's lock, as Linux's is
//! under `ids->rwsem`.

use super::{
    perm::KernIpcPerm,
    rules::{self, build_id, id_idx},
    IPC_PRIVATE,
};
use crate::glue::rcu::{NewChunk, NewNode, RcuSlots};
use crate::limits;
use crate::uapi;
use kernel::{
    prelude::*,
    rbtree::{RBTree, RBTreeNode, RBTreeNodeReservation},
    sync::Arc,
};

/// The parts of `ipc_ids` an object kind needs from its objects.
pub(crate) trait IpcObject: Send + Sync + 'static {
    /// A copy of the object's ownership and mode, taken under its lock.
    fn perm(&self) -> KernIpcPerm;
}

/// What the table's lock keeps of a full slot (the object is in the
/// [`IdIndex`]).
#[derive(Clone, Copy)]
struct Entry {
    key: i32,
    id: i32,
}

/// Trees of keys, each holding the keys of one hash value: 32768 objects at
/// most make 512 per tree.
const KEY_BUCKETS: usize = 64;

/// The tree of `key` (a Fibonacci hash: callers' keys often differ in few
/// bits, as `ftok()`'s or consecutive ones).
fn key_bucket(key: i32) -> usize {
    ((key as u32).wrapping_mul(0x9e37_79b9) >> (32 - KEY_BUCKETS.trailing_zeros())) as usize
}

const _: () = assert!(KEY_BUCKETS.is_power_of_two());

/// Slots per chunk: 252 pointers and the chunk's release work fill a page
/// of the [`IdIndex`], and 252 keys, ids and references one of the
/// table's own (256 would take two).
pub(crate) const CHUNK: usize = 252;
const CHUNK_WORDS: usize = CHUNK.div_ceil(64);
const CHUNKS: usize = limits::IPCMNI.div_ceil(CHUNK);
const CHUNKS_WORDS: usize = CHUNKS.div_ceil(64);

const _: () = assert!(size_of::<Chunk<()>>() <= 4096);
const _: () = assert!(size_of::<NewChunk<(), CHUNK>>() <= 4096);

/// What the table's lock keeps of `CHUNK` slots: a bit per slot in use
/// (holding an object or reserved for one being made), and the key, id
/// and object of each full one.
///
/// # Invariants
///
/// A full slot has its bit set, and its object in `objects` and in the
/// index; `count` is the number of bits set.
struct Chunk<T> {
    entries: [Entry; CHUNK],
    /// A reference to each full slot's object, for the lookups made with
    /// the table's lock held (by key, removal, the listings), which then
    /// need neither the index nor a reference of their own.
    objects: [Option<Arc<T>>; CHUNK],
    used: [u64; CHUNK_WORDS],
    count: usize,
}

impl<T> Chunk<T> {
    fn new() -> Result<KBox<Self>> {
        // INVARIANT: no bit set. In place: a chunk takes most of a page.
        KBox::init(
            init!(Self {
                entries <- pin_init::init_array_from_fn(|_| Entry {
                    key: IPC_PRIVATE,
                    id: -1,
                }),
                objects <- pin_init::init_array_from_fn(|_| None),
                used: [0; CHUNK_WORDS],
                count: 0,
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }
}

/// A chunk of slots, both sides, allocated with the table unlocked, for
/// [`IpcIds::add_chunk`].
pub(crate) struct SpareChunk<T>(KBox<Chunk<T>>, NewChunk<T, CHUNK>);

impl<T> SpareChunk<T> {
    pub(crate) fn new() -> Result<Self> {
        Ok(Self(Chunk::new()?, NewChunk::new()?))
    }
}

/// The objects of one kind by slot, looked up without the table's lock
/// (`ipcs_idr` as read under RCU).
pub(crate) struct IdIndex<T>(RcuSlots<T, CHUNKS, CHUNK>);

impl<T: IpcObject> IdIndex<T> {
    /// An empty index; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self(RcuSlots::new())
    }

    /// `ipc_obtain_object_idr()`: the object in the slot of `id`, whatever
    /// its sequence number (`MSG_STAT` and friends take an index). `EINVAL`
    /// if the slot is empty.
    pub(crate) fn obtain_idx(&self, id: i32) -> Result<Arc<T>> {
        if id < 0 {
            return Err(EINVAL);
        }
        self.0.get(id_idx(id), |_| true).ok_or(EINVAL)
    }

    /// `ipc_obtain_object_check()`: the object named by `id`. `EINVAL` if
    /// there is none or its sequence number differs (a stale id).
    pub(crate) fn obtain_check(&self, id: i32) -> Result<Arc<T>> {
        if id < 0 {
            return Err(EINVAL);
        }
        self.0.get(id_idx(id), |found| found == id).ok_or(EINVAL)
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
}

/// Where a table's [`IdIndex`] is: the initial namespace's are statics,
/// another namespace's shared by its tables and its lookups.
enum IndexRef<T: 'static> {
    Static(&'static IdIndex<T>),
    Shared(Arc<IdIndex<T>>),
}

/// A slot and id reserved by [`IpcIds::reserve`] for an object being made;
/// hand it back to [`IpcIds::insert`] or [`IpcIds::cancel`].
#[must_use]
pub(crate) struct Slot {
    key: i32,
    idx: usize,
    id: i32,
    seq: u16,
}

impl Slot {
    /// The owner, mode and id of the new object: `flags & 0777` as mode,
    /// the caller's effective ids as owner and creator.
    pub(crate) fn perm(&self, flags: i32) -> KernIpcPerm {
        KernIpcPerm::new_current(self.key, self.id, self.seq, flags as u32)
    }

    /// The memory its insertion needs, allocated with the table unlocked.
    pub(crate) fn memory(&self) -> Result<SlotMemory> {
        Ok(SlotMemory(if self.key != IPC_PRIVATE {
            Some(RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?)
        } else {
            None
        }))
    }

    /// The index's node of the new `object`, allocated with the table
    /// unlocked.
    pub(crate) fn node<T: IpcObject>(&self, object: Arc<T>) -> Result<NewNode<T>> {
        NewNode::new(self.id, object)
    }
}

/// The key node of a new object (none for `IPC_PRIVATE`), see
/// [`Slot::memory`].
pub(crate) struct SlotMemory(Option<RBTreeNodeReservation<i32, usize>>);

/// Bit helpers over `[u64]` bitmaps.
fn test_bit(words: &[u64], bit: usize) -> bool {
    words[bit / 64] & (1 << (bit % 64)) != 0
}

fn assign_bit(words: &mut [u64], bit: usize, value: bool) {
    if value {
        words[bit / 64] |= 1 << (bit % 64);
    } else {
        words[bit / 64] &= !(1 << (bit % 64));
    }
}

/// The first clear bit at or after `from`, if any.
fn first_zero(words: &[u64], from: usize) -> Option<usize> {
    let mut w = from / 64;
    let mut mask = !0u64 << (from % 64);
    while w < words.len() {
        let free = !words[w] & mask;
        if free != 0 {
            return Some(w * 64 + free.trailing_zeros() as usize);
        }
        w += 1;
        mask = !0;
    }
    None
}

/// The set bits, in order.
fn set_bits(words: &[u64]) -> impl Iterator<Item = usize> + '_ {
    words.iter().enumerate().flat_map(|(w, &word)| {
        let mut left = word;
        core::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            let bit = left.trailing_zeros() as usize;
            left &= left - 1;
            Some(w * 64 + bit)
        })
    })
}

/// The last set bit, if any.
fn last_one(words: &[u64]) -> Option<usize> {
    let w = words.iter().rposition(|&word| word != 0)?;
    Some(w * 64 + 63 - words[w].leading_zeros() as usize)
}

/// The objects of one kind (`struct ipc_ids`), by slot and by key.
///
/// # Invariants
///
/// - `chunks[c]`, if present, holds slots `c * CHUNK ..`; an absent chunk
///   has none in use;
/// - bit `c` of `full` is set iff chunk `c` is present with every slot in
///   use, of `nonempty` iff it is present with some slot in use;
/// - `keys[key_bucket(k)]` maps the key `k` of every full slot whose key
///   is not `IPC_PRIVATE` to its index, and the trees hold nothing else;
/// - `in_use` counts the slots in use (full or reserved);
/// - `index` holds an object in a slot iff the slot is full, and has
///   chunk `c` iff `chunks[c]` is present.
pub(crate) struct IpcIds<T: 'static> {
    /// `ipcs_idr`: slot `idx` holds the object whose id has index `idx`.
    index: IndexRef<T>,
    /// The table's side of the slots, by chunk.
    chunks: [Option<KBox<Chunk<T>>>; CHUNKS],
    full: [u64; CHUNKS_WORDS],
    nonempty: [u64; CHUNKS_WORDS],
    /// `key_ht`: index of the object with each key, by [`key_bucket`]
    /// (each tree made at its first key: `RBTree::new()` is not `const`).
    keys: [Option<RBTree<i32, usize>>; KEY_BUCKETS],
    /// `in_use`: objects in the table (and slots reserved for new ones).
    in_use: usize,
    /// `seq`: the sequence number of the next ids.
    seq: u16,
    /// `last_idx`: the slot handed out last, if any.
    last_idx: Option<usize>,
    /// `idr_next` of the cyclic allocation: where the next search starts.
    next_idx: usize,
    /// A chunk allocated ahead, for the next slot in a missing chunk.
    spare: Option<SpareChunk<T>>,
    /// `next_id`: the id the next object gets, or -1 (checkpoint/restore's
    /// `kernel.*_next_id`, [`super::tunables`]).
    pub(crate) next_id: i32,
}

impl<T: IpcObject> IpcIds<T> {
    /// An empty table (`ipc_init_ids()`) over the static `index`, which
    /// no other table uses; allocates nothing.
    pub(crate) const fn new_static(index: &'static IdIndex<T>) -> Self {
        Self::with_index(IndexRef::Static(index))
    }

    /// An empty table over `index`, which no other table uses.
    pub(crate) fn new_shared(index: Arc<IdIndex<T>>) -> Self {
        Self::with_index(IndexRef::Shared(index))
    }

    const fn with_index(index: IndexRef<T>) -> Self {
        // INVARIANT: no chunk, no key, nothing in use; the index is
        // empty, as no other table has used it.
        Self {
            index,
            chunks: [const { None }; CHUNKS],
            full: [0; CHUNKS_WORDS],
            nonempty: [0; CHUNKS_WORDS],
            keys: [const { None }; KEY_BUCKETS],
            in_use: 0,
            seq: 0,
            last_idx: None,
            next_idx: 0,
            spare: None,
            next_id: -1,
        }
    }

    /// Objects in the table (`in_use`).
    pub(crate) fn in_use(&self) -> usize {
        self.in_use
    }

    /// The highest slot in use (`ipc_get_maxidx()`), if any.
    pub(crate) fn max_idx(&self) -> Option<usize> {
        let c = last_one(&self.nonempty)?;
        let chunk = self.chunks[c].as_ref()?;
        Some(c * CHUNK + last_one(&chunk.used)?)
    }

    /// The lookups' side of the table.
    pub(crate) fn index(&self) -> &IdIndex<T> {
        match &self.index {
            IndexRef::Static(index) => index,
            IndexRef::Shared(index) => index,
        }
    }

    /// The key and id of the object in slot `idx`, if it is full.
    fn entry(&self, idx: usize) -> Option<Entry> {
        let chunk = self.chunks.get(idx / CHUNK)?.as_ref()?;
        let entry = chunk.entries[idx % CHUNK];
        // A reserved slot has its bit set but no id yet.
        (test_bit(&chunk.used, idx % CHUNK) && entry.id >= 0).then_some(entry)
    }

    /// The objects, by slot: costs their number plus one per 256 slots
    /// with one in use, not the size of the table.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Arc<T>> + '_ {
        set_bits(&self.nonempty)
            .filter_map(|c| self.chunks[c].as_ref())
            .flat_map(|chunk| set_bits(&chunk.used).filter_map(|bit| chunk.objects[bit].clone()))
    }

    /// The object in full slot `idx`, as the table's lock sees it.
    fn object(&self, idx: usize) -> Option<&Arc<T>> {
        self.chunks.get(idx / CHUNK)?.as_ref()?.objects[idx % CHUNK].as_ref()
    }

    /// The `ipcget_public()` part for a known key: the id of the object
    /// with `key` (not `IPC_PRIVATE`), or `None` if there is none and
    /// `flags` has `IPC_CREAT`.
    ///
    /// A known key gives `EEXIST` with `IPC_CREAT | IPC_EXCL`, the error of
    /// `check` (the kind's `more_checks`) if any, or `EACCES` if the mode
    /// bits of `flags` are not granted (`ipcperms()`); an unknown one
    /// `ENOENT` without `IPC_CREAT`.
    pub(crate) fn find_key(
        &self,
        key: i32,
        flags: i32,
        check: impl FnOnce(&T) -> Result,
    ) -> Result<Option<i32>> {
        let flags = flags as u32;
        let Some((entry, object)) = self.keys[key_bucket(key)]
            .as_ref()
            .and_then(|keys| keys.get(&key))
            .and_then(|&idx| Some((self.entry(idx)?, self.object(idx)?)))
        else {
            return if flags & uapi::RIPC_IPC_CREAT == 0 {
                Err(ENOENT)
            } else {
                Ok(None)
            };
        };
        let excl = uapi::RIPC_IPC_CREAT | uapi::RIPC_IPC_EXCL;
        if flags & excl == excl {
            return Err(EEXIST);
        }
        check(object)?;
        super::perm::ipcperms(&object.perm(), flags)?;
        Ok(Some(entry.id))
    }

    /// The first step of `ipc_addid()`: reserves the slot
    /// `idr_alloc_cyclic()` would give and the id of a new object with
    /// `key`; `limit` objects at most (`ENOSPC`). `None` if that slot's
    /// chunk is missing: give the table one with [`IpcIds::add_chunk`]
    /// and try again.
    pub(crate) fn reserve(&mut self, key: i32, limit: usize) -> Result<Option<Slot>> {
        if self.in_use >= limit.min(limits::IPCMNI) {
            return Err(ENOSPC);
        }
        // `ipc_idr_alloc()`: a `next_id` (checkpoint/restore) asks for the
        // first free slot from its index, with its sequence number, and
        // leaves the cyclic allocation as it is; it is used once, whatever
        // happens (but not lost to a retry for a missing chunk).
        let (idx, seq) = if self.next_id < 0 {
            let end = rules::cycle_end(self.in_use, limits::IPCMNI);
            let idx = self
                .first_free(self.next_idx, end)
                .or_else(|| self.first_free(0, end))
                .ok_or(ENOSPC)?;
            (idx, rules::next_seq(self.seq, self.last_idx, idx))
        } else {
            let next_id = self.next_id;
            let Some(idx) = self.first_free(id_idx(next_id), limits::IPCMNI) else {
                self.next_id = -1;
                return Err(ENOSPC);
            };
            (idx, (next_id >> rules::IPCMNI_SHIFT) as u16)
        };
        let c = idx / CHUNK;
        if self.chunks[c].is_none() {
            let Some(SpareChunk(chunk, published)) = self.spare.take() else {
                return Ok(None);
            };
            // INVARIANT: an empty chunk for slots nobody uses, on both
            // sides.
            self.index().0.install_chunk(c, published);
            self.chunks[c] = Some(chunk);
        }
        self.mark(idx, true);
        if self.next_id < 0 {
            self.seq = seq;
            self.last_idx = Some(idx);
            self.next_idx = idx + 1;
        } else {
            self.next_id = -1;
        }
        self.in_use += 1;
        Ok(Some(Slot {
            key,
            idx,
            id: build_id(idx, seq),
            seq,
        }))
    }

    /// Keeps `chunk` for the next [`IpcIds::reserve`] that needs one.
    pub(crate) fn add_chunk(&mut self, chunk: SpareChunk<T>) {
        if self.spare.is_none() {
            self.spare = Some(chunk);
        }
    }

    /// The last step of `ipc_addid()`: publishes the object of `node` in
    /// its reserved `slot`; returns the new id. The caller has checked
    /// under the same lock that the key is still unknown
    /// ([`IpcIds::find_key`]).
    pub(crate) fn insert(&mut self, slot: Slot, node: NewNode<T>, memory: SlotMemory) -> i32 {
        if let Some(key_node) = memory.0 {
            // INVARIANT: the key was unknown, so this adds it.
            self.keys[key_bucket(slot.key)]
                .get_or_insert_with(RBTree::new)
                .insert(key_node.into_node(slot.key, slot.idx));
        }
        if let Some(chunk) = self.chunks[slot.idx / CHUNK].as_mut() {
            // INVARIANT: the slot was reserved, so its bit is set, and its
            // chunk is in the index, which gets the object.
            chunk.entries[slot.idx % CHUNK] = Entry {
                key: slot.key,
                id: slot.id,
            };
            chunk.objects[slot.idx % CHUNK] = Some(node.object().clone());
            self.index().0.publish(slot.idx, node);
        }
        slot.id
    }

    /// Gives back a slot reserved for an object that was not made.
    pub(crate) fn cancel(&mut self, slot: Slot) {
        self.mark(slot.idx, false);
        self.in_use -= 1;
    }

    /// `ipcget()` with the table locked throughout, allocations included:
    /// the id of the object with `key`, made by `create` if needed (see
    /// [`IpcIds::find_key`]). [`crate::ipc::NsTables::get`] does the same
    /// with the allocations outside the lock.
    pub(crate) fn get(
        &mut self,
        key: i32,
        flags: i32,
        limit: usize,
        check: impl FnOnce(&T) -> Result,
        create: impl FnOnce(KernIpcPerm) -> Result<Arc<T>>,
    ) -> Result<i32> {
        if key != IPC_PRIVATE {
            if let Some(id) = self.find_key(key, flags, check)? {
                return Ok(id);
            }
        }
        let slot = loop {
            match self.reserve(key, limit)? {
                Some(slot) => break slot,
                None => self.add_chunk(SpareChunk::new()?),
            }
        };
        match slot.memory().and_then(|memory| {
            let object = create(slot.perm(flags))?;
            Ok((slot.node(object)?, memory))
        }) {
            Ok((node, memory)) => Ok(self.insert(slot, node, memory)),
            Err(err) => {
                self.cancel(slot);
                Err(err)
            }
        }
    }

    /// The first free slot in `from..end`, if any: at most two chunks
    /// are looked into, the first and the first not full after it.
    fn first_free(&self, from: usize, end: usize) -> Option<usize> {
        let mut c = from / CHUNK;
        let mut from = from;
        while c * CHUNK < end {
            // Skip full chunks (the bits past the last chunk are clear).
            c = first_zero(&self.full, c).filter(|&c| c < CHUNKS)?;
            from = from.max(c * CHUNK);
            let idx = match &self.chunks[c] {
                Some(chunk) => first_zero(&chunk.used, from % CHUNK)
                    .filter(|&bit| bit < CHUNK)
                    .map(|bit| c * CHUNK + bit),
                None => Some(from),
            };
            match idx {
                Some(idx) if idx < end => return Some(idx),
                Some(_) => return None,
                None => c += 1,
            }
        }
        None
    }

    /// Marks slot `idx`, in a present chunk, in use or free, keeping the
    /// chunk bitmaps right.
    fn mark(&mut self, idx: usize, used: bool) {
        let c = idx / CHUNK;
        let Some(chunk) = self.chunks[c].as_mut() else {
            return;
        };
        if test_bit(&chunk.used, idx % CHUNK) != used {
            assign_bit(&mut chunk.used, idx % CHUNK, used);
            if used {
                chunk.count += 1;
            } else {
                chunk.count -= 1;
            }
        }
        let (full, nonempty) = (chunk.count == CHUNK, chunk.count != 0);
        // INVARIANT: the summary bits follow the chunk's count.
        assign_bit(&mut self.full, c, full);
        assign_bit(&mut self.nonempty, c, nonempty);
    }

    /// [`IdIndex::obtain_check`], for callers that hold the table's lock.
    pub(crate) fn obtain_check(&self, id: i32) -> Result<Arc<T>> {
        self.index().obtain_check(id)
    }

    /// The entry named by `id`, if any.
    fn entry_of(&self, id: i32) -> Result<Entry> {
        match self.entry(id_idx(id)) {
            Some(entry) if id >= 0 && entry.id == id => Ok(entry),
            _ => Err(EINVAL),
        }
    }

    /// Forgets `key` if it finds slot `idx`.
    fn forget_key(&mut self, key: i32, idx: usize) -> Option<RBTreeNode<i32, usize>> {
        let keys = self.keys[key_bucket(key)].as_mut()?;
        if key == IPC_PRIVATE || keys.get(&key) != Some(&idx) {
            return None;
        }
        keys.remove_node(&key)
    }

    /// `ipc_rmid()`: takes the object named by `id` out of the table; the
    /// caller marks it deleted. `EINVAL` if there is none.
    pub(crate) fn remove(&mut self, id: i32) -> Result<Arc<T>> {
        let entry = self.entry_of(id)?;
        let idx = id_idx(id);
        let object = self
            .chunks
            .get_mut(idx / CHUNK)
            .and_then(|chunk| chunk.as_mut()?.objects[idx % CHUNK].take())
            .ok_or(EINVAL)?;
        // INVARIANT: the slot empties on both sides, and the key no longer
        // finds it. Lookups that found the object keep their references;
        // the index's goes after a grace period.
        self.index().0.retire(idx);
        if let Some(chunk) = self.chunks[idx / CHUNK].as_mut() {
            chunk.entries[idx % CHUNK].id = -1;
        }
        self.mark(idx, false);
        self.in_use -= 1;
        self.forget_key(entry.key, idx);
        Ok(object)
    }

    /// `ipc_set_key_private()`: the object named by `id` stays in the
    /// table but its key no longer finds it (a removed shared memory
    /// segment that is still attached). The caller sets the key in the
    /// object's own `KernIpcPerm`.
    pub(crate) fn set_private(&mut self, id: i32) -> Result {
        self.entry_of(id)?;
        let idx = id_idx(id);
        let Some(chunk) = self.chunks[idx / CHUNK].as_mut() else {
            return Err(EINVAL);
        };
        let key = core::mem::replace(&mut chunk.entries[idx % CHUNK].key, IPC_PRIVATE);
        // INVARIANT: only keys of full slots other than `IPC_PRIVATE` stay.
        self.forget_key(key, idx);
        Ok(())
    }

    /// Empties the table, handing each object to `f` (`free_ipcs()`).
    pub(crate) fn drain(&mut self, f: impl FnMut(Arc<T>)) {
        // INVARIANT: everything goes, on both sides, and the memory of
        // chunks and keys with it (the index's after a grace period).
        self.index().0.clear(f);
        self.chunks = [const { None }; CHUNKS];
        self.full = [0; CHUNKS_WORDS];
        self.nonempty = [0; CHUNKS_WORDS];
        self.keys = [const { None }; KEY_BUCKETS];
        self.in_use = 0;
        self.spare = None;
        self.next_id = -1;
        // Ids stay unique across the drain: `seq`, `last_idx` and
        // `next_idx` stay.
    }
}

#[kunit_tests(ripc_ipc_ids)]
mod tests {
    use super::*;

    struct Dummy;

    impl IpcObject for Dummy {
        fn perm(&self) -> KernIpcPerm {
            KernIpcPerm::new_current(IPC_PRIVATE, 0, 0, 0o600)
        }
    }

    fn table() -> IpcIds<Dummy> {
        IpcIds::new_shared(Arc::new(IdIndex::new(), GFP_KERNEL).unwrap())
    }

    fn make(ids: &mut IpcIds<Dummy>, key: i32) -> i32 {
        ids.get(
            key,
            0o600 | uapi::RIPC_IPC_CREAT as i32,
            limits::IPCMNI,
            |_| Ok(()),
            |_| Ok(Arc::new(Dummy, GFP_KERNEL)?),
        )
        .unwrap()
    }

    /// The slot the model of `idr_alloc_cyclic()` gives next.
    fn model_slot(ids: &IpcIds<Dummy>) -> Option<usize> {
        rules::free_slot(ids.in_use, ids.next_idx, limits::IPCMNI, |idx| {
            ids.entry(idx).is_none()
        })
    }

    #[test]
    fn slots_follow_the_cyclic_model() {
        let mut ids = table();
        let mut made = KVec::new();
        // Fill past a chunk, remove every third, and refill: each slot is
        // the one the model picks.
        for round in 0..3 {
            for i in 0..(CHUNK + 40) {
                let want = model_slot(&ids).unwrap();
                let id = make(&mut ids, 1000 * (round + 1) + i as i32);
                assert_eq!(id_idx(id), want);
                made.push(id, GFP_KERNEL).unwrap();
            }
            let mut kept = KVec::new();
            for (i, &id) in made.iter().enumerate() {
                if i % 3 == 0 {
                    ids.remove(id).unwrap();
                } else {
                    kept.push(id, GFP_KERNEL).unwrap();
                }
            }
            made = kept;
            assert_eq!(ids.in_use(), made.len());
            let highest = made.iter().map(|&id| id_idx(id)).max();
            assert_eq!(ids.max_idx(), highest);
        }
        ids.drain(|_| {});
        assert_eq!(ids.in_use(), 0);
        assert_eq!(ids.max_idx(), None);
    }

    #[test]
    fn many_keys_each_find_their_object() {
        let mut ids = table();
        let mut made = KVec::new();
        // Keys of every sign and spread, as many as fill several trees.
        let key = |i: i32| (i - 150).wrapping_mul(7919);
        for i in 0..300 {
            if key(i) != IPC_PRIVATE {
                made.push((key(i), make(&mut ids, key(i))), GFP_KERNEL)
                    .unwrap();
            }
        }
        for (i, &(k, id)) in made.iter().enumerate() {
            assert_eq!(ids.find_key(k, 0, |_| Ok(())).unwrap(), Some(id));
            if i % 2 == 0 {
                ids.remove(id).unwrap();
            }
        }
        for (i, &(k, id)) in made.iter().enumerate() {
            let found = ids.find_key(k, 0, |_| Ok(()));
            if i % 2 == 0 {
                assert!(found.is_err());
            } else {
                assert_eq!(found.unwrap(), Some(id));
            }
        }
        ids.drain(|_| {});
    }

    /// A lookup's object outlives its removal; a stale id names nothing,
    /// not even the object that takes its slot (`EINVAL`, as Linux).
    #[test]
    fn lookups_follow_removal_and_reuse() {
        let index = Arc::new(IdIndex::new(), GFP_KERNEL).unwrap();
        let mut ids = IpcIds::new_shared(index.clone());
        let old = make(&mut ids, IPC_PRIVATE);
        let found = index.obtain_check(old).unwrap();
        ids.remove(old).unwrap();
        assert!(index.obtain_check(old).is_err());
        assert!(index.obtain_idx(old).is_err());
        // The same slot again, with the next sequence number.
        let seq = (old >> rules::IPCMNI_SHIFT) as u16;
        ids.next_id = build_id(id_idx(old), seq + 1);
        let new = make(&mut ids, IPC_PRIVATE);
        assert_eq!(id_idx(new), id_idx(old));
        assert_ne!(new, old);
        assert!(index.obtain_check(old).is_err());
        let now = index.obtain_check(new).unwrap();
        assert!(Arc::ptr_eq(&index.obtain_idx(old).unwrap(), &now));
        assert!(!Arc::ptr_eq(&found, &now));
        ids.drain(|_| {});
        assert!(index.obtain_check(new).is_err());
        assert_eq!(ids.in_use(), 0);
    }

    #[test]
    fn keys_find_their_object_until_removed() {
        let mut ids = table();
        let a = make(&mut ids, 42);
        let b = make(&mut ids, 43);
        let flags = uapi::RIPC_IPC_CREAT as i32;
        assert_eq!(ids.find_key(42, 0, |_| Ok(())).unwrap(), Some(a));
        assert_eq!(ids.find_key(43, 0, |_| Ok(())).unwrap(), Some(b));
        let excl = (uapi::RIPC_IPC_CREAT | uapi::RIPC_IPC_EXCL) as i32;
        assert!(ids.find_key(42, excl, |_| Ok(())).is_err());
        ids.remove(a).unwrap();
        assert!(ids.find_key(42, 0, |_| Ok(())).is_err());
        assert_eq!(ids.find_key(42, flags, |_| Ok(())).unwrap(), None);
        ids.set_private(b).unwrap();
        assert_eq!(ids.find_key(43, flags, |_| Ok(())).unwrap(), None);
        assert!(ids.obtain_check(b).is_ok());
        // A stale id does not name the object that reuses its slot.
        assert!(ids.obtain_check(a).is_err());
    }
}
