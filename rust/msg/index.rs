// SPDX-License-Identifier: GPL-2.0

//! The messages of a queue, indexed by type (`q_messages` and `find_msg()`).
//!
//! Linux keeps one list in arrival order and walks it for a typed receive,
//! so taking a message of one type from behind N of others costs N. ripc
//! keeps one list per type, in arrival order, and an ordered index of each
//! type's oldest message by arrival number: every receive mode (any type,
//! one type, any but one type, the lowest type up to a bound) looks at
//! the heads of at most two types, and the cost does not grow with the
//! number of messages. Only `MSG_COPY` (the n-th message) walks them, as
//! in Linux.
//!
//! | `ipc/msg.c`                | ripc                                   |
//! |----------------------------|----------------------------------------|
//! | `struct msg_msg`           | [`Msg`]                                |
//! | `q_messages`, `q_qnum`     | [`MsgIndex`], [`MsgIndex::len`]        |
//! | `find_msg()`, `testmsg()`  | [`MsgIndex::find`] with [`Search`]     |
//! | `list_del(&msg->m_list)`   | [`MsgIndex::take`]                     |

use core::sync::atomic::{AtomicU64, Ordering};
use kernel::{
    list::{impl_list_arc_safe, impl_list_item, List, ListArc, ListLinks},
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::ArcBorrow,
    uaccess::{UserPtr, UserSlice},
};

/// One message (`struct msg_msg`), shared between its type's list and,
/// once taken, the receiver.
#[pin_data]
pub(crate) struct Msg {
    /// Arrival number in its queue, set when queued: orders messages of
    /// different types.
    seq: AtomicU64,
    /// `m_type`, at least 1.
    pub(crate) mtype: i64,
    /// The text (`m_ts` is its length).
    text: Text,
    #[pin]
    links: ListLinks,
}

impl_list_arc_safe! {
    impl ListArcSafe<0> for Msg { untracked; }
}

impl_list_item! {
    impl ListItem<0> for Msg { using ListLinks { self.links }; }
}

impl Msg {
    /// A message not yet queued (`load_msg()` once the text is copied in).
    pub(crate) fn new(mtype: i64, text: Text) -> Result<ListArc<Self>> {
        ListArc::pin_init(
            try_pin_init!(Self {
                seq: AtomicU64::new(0),
                mtype,
                text,
                links <- ListLinks::new(),
            }? Error),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// The text.
    #[inline]
    pub(crate) fn text(&self) -> &[u8] {
        match &self.text {
            Text::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Text::Heap(bytes) => bytes,
        }
    }

    fn seq(&self) -> u64 {
        // Written before the message is queued, read under the queue's
        // lock: the lock orders the two.
        self.seq.load(Ordering::Relaxed)
    }
}

/// Bytes of text a message holds in itself: a short message (the common
/// case) is then one allocation, as in Linux, not two. 15 bytes and their
/// length fit beside the niche of a `KVec`'s pointer, so [`Text`] is no
/// bigger than a `KVec` and a `Msg` with its `Arc` is 64 bytes, as a short
/// `msg_msg` is.
const INLINE_TEXT: usize = 15;

const _: () = assert!(size_of::<Text>() == size_of::<KVec<u8>>());
const _: () = assert!(size_of::<Msg>() == 56);

/// The text of a message (`msg_msg` and its `msg_msgseg`s).
pub(crate) enum Text {
    /// Up to [`INLINE_TEXT`] bytes, in the message.
    Inline { len: u8, bytes: [u8; INLINE_TEXT] },
    /// More, in an allocation of its own.
    Heap(KVec<u8>),
}

impl Text {
    /// Copies the text in from `src`, all of it (`EFAULT` if it cannot).
    pub(crate) fn from_user(src: UserSlice) -> Result<Self> {
        let mut src = src.reader();
        let size = src.len();
        if size <= INLINE_TEXT {
            let mut bytes = [0; INLINE_TEXT];
            src.read_slice(&mut bytes[..size])?;
            return Ok(Self::Inline {
                len: size as u8,
                bytes,
            });
        }
        let mut bytes = KVec::with_capacity(size, GFP_KERNEL_ACCOUNT)?;
        src.read_all(&mut bytes, GFP_KERNEL_ACCOUNT)?;
        Ok(Self::Heap(bytes))
    }

    /// The `mtype` and text of the `struct msgbuf` at `msgp`, with `size`
    /// bytes of text, copied in at once if the text fits in the message:
    /// one copy where a longer text takes two. `None` if it is longer, or
    /// if the copy faults: the caller then copies the parts one at a time,
    /// so that the errno is the one of the part that faults.
    pub(crate) fn msgbuf_from_user(msgp: UserPtr, size: usize) -> Option<(i64, Self)> {
        const MTYPE: usize = size_of::<i64>();
        if size > INLINE_TEXT {
            return None;
        }
        let mut buf = [0; MTYPE + INLINE_TEXT];
        UserSlice::new(msgp, MTYPE + size)
            .reader()
            .read_slice(&mut buf[..MTYPE + size])
            .ok()?;
        let (mtype, text) = buf.split_first_chunk::<MTYPE>()?;
        let mut bytes = [0; INLINE_TEXT];
        bytes.copy_from_slice(text);
        Some((
            i64::from_ne_bytes(*mtype),
            Self::Inline {
                len: size as u8,
                bytes,
            },
        ))
    }

    /// A copy of `text`.
    pub(crate) fn from_slice(text: &[u8]) -> Result<Self> {
        if text.len() <= INLINE_TEXT {
            let mut bytes = [0; INLINE_TEXT];
            bytes[..text.len()].copy_from_slice(text);
            return Ok(Self::Inline {
                len: text.len() as u8,
                bytes,
            });
        }
        let mut bytes = KVec::with_capacity(text.len(), GFP_KERNEL_ACCOUNT)?;
        bytes.extend_from_slice(text, GFP_KERNEL_ACCOUNT)?;
        Ok(Self::Heap(bytes))
    }
}

/// Which message a receive takes (`SEARCH_*` and `testmsg()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Search {
    /// `msgtyp == 0`: the first message.
    Any,
    /// `msgtyp > 0`: the first message of that type.
    Equal(i64),
    /// `msgtyp > 0` with `MSG_EXCEPT`: the first of any other type.
    NotEqual(i64),
    /// `msgtyp < 0`: the first of the lowest type `<= |msgtyp|`.
    LessEqual(i64),
    /// `MSG_COPY`: the message at this position, counting from 0.
    Number(i64),
}

impl Search {
    /// `testmsg()`: whether a message of type `mtype` is acceptable.
    /// `Number` accepts any: it counts positions.
    pub(crate) fn accepts(self, mtype: i64) -> bool {
        match self {
            Self::Any | Self::Number(_) => true,
            Self::Equal(t) => mtype == t,
            Self::NotEqual(t) => mtype != t,
            Self::LessEqual(t) => mtype <= t,
        }
    }
}

/// The messages of one type, and the key of the type's entry in
/// [`MsgIndex`]'s `heads`.
struct TypeList {
    list: List<Msg>,
    head_key: u64,
}

impl TypeList {
    fn first(&self) -> Option<ArcBorrow<'_, Msg>> {
        self.list.iter().next()
    }
}

type TypeNode = RBTreeNodeReservation<i64, TypeList>;
type HeadNode = RBTreeNodeReservation<u64, i64>;

/// The messages of one queue.
///
/// # Invariants
///
/// - `types` holds, for each type with messages in the queue, the non-empty
///   list of them in arrival order (rising `seq`), and at most one type
///   more, `parked`, with an empty list;
/// - `heads` holds exactly one entry per non-empty list of `types`: the
///   type's `head_key`, mapped to the type. A `head_key` is at most the
///   `seq` of its type's first message, and the keys are in the order of
///   those `seq`s, so the first entry is the type of the oldest message
///   of the queue. A key is below its first message's `seq` only if the
///   type was alone in `heads` when its first message was last taken:
///   keys that come later are `seq`s newer than every message then
///   queued, so the order holds;
/// - `len` is the number of messages in all lists; every `seq` is below
///   `next_seq`.
pub(crate) struct MsgIndex {
    types: RBTree<i64, TypeList>,
    heads: RBTree<u64, i64>,
    len: usize,
    next_seq: u64,
    /// The last type whose list emptied, left in `types`: a queue of one
    /// type that empties and fills again (the common case) then changes
    /// no tree but `heads`.
    parked: Option<i64>,
    /// Nodes of types that left the queue, kept so that a queue whose
    /// types come and go does not allocate for each.
    spare_type: Option<TypeNode>,
    spare_head: Option<HeadNode>,
}

impl MsgIndex {
    /// An empty queue; allocates nothing.
    pub(crate) fn new() -> Self {
        // INVARIANT: no types, no messages.
        Self {
            types: RBTree::new(),
            heads: RBTree::new(),
            len: 0,
            next_seq: 0,
            parked: None,
            spare_type: None,
            spare_head: None,
        }
    }

    /// An empty queue holding `spares` for its first type.
    pub(crate) fn with_spares(spares: Spares) -> Self {
        // INVARIANT: no types, no messages; the spare nodes are unused.
        Self {
            spare_type: spares.type_node,
            spare_head: spares.head_node,
            ..Self::new()
        }
    }

    /// Messages in the queue (`q_qnum`).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Makes sure that [`MsgIndex::push`] of a message of type `mtype`
    /// cannot fail: a new type needs two tree nodes (the parked type's
    /// serves as one), the parked type a node in `heads`. Takes what it
    /// lacks from `spares`; `false` if they lack it too: the caller fills
    /// them with its lock dropped ([`Spares::fill`]) and calls again.
    pub(crate) fn reserve(&mut self, mtype: i64, spares: &mut Spares) -> bool {
        let new = match self.types.get(&mtype) {
            Some(entry) if !entry.list.is_empty() => return true,
            Some(_) => false,
            None => true,
        };
        if new && self.spare_type.is_none() && self.parked.is_none() {
            let Some(node) = spares.type_node.take() else {
                return false;
            };
            self.spare_type = Some(node);
        }
        if self.spare_head.is_none() {
            let Some(node) = spares.head_node.take() else {
                return false;
            };
            self.spare_head = Some(node);
        }
        true
    }

    /// Queues `msg` last. `ENOMEM` (and `msg` is dropped) if its type is
    /// new and [`MsgIndex::reserve`] was not called for it.
    pub(crate) fn push(&mut self, msg: ListArc<Msg>) -> Result {
        let seq = self.next_seq;
        let mtype = msg.mtype;
        if let Some(entry) = self.types.get_mut(&mtype) {
            if entry.list.is_empty() {
                // INVARIANT: the parked type has messages again, and its
                // head, keyed by the newest `seq`.
                let head_node = self.spare_head.take().ok_or(ENOMEM)?;
                self.heads.insert(head_node.into_node(seq, mtype));
                entry.head_key = seq;
                self.parked = None;
            }
            msg.seq.store(seq, Ordering::Relaxed);
            // INVARIANT: the newest message goes last in its type's list;
            // the head of a type that had messages is unchanged.
            entry.list.push_back(msg);
        } else {
            if self.spare_type.is_none() {
                // The parked type's node serves the new type.
                self.spare_type = self.unpark();
            }
            let (Some(type_node), Some(head_node)) =
                (self.spare_type.take(), self.spare_head.take())
            else {
                return Err(ENOMEM);
            };
            msg.seq.store(seq, Ordering::Relaxed);
            let mut list = List::new();
            list.push_back(msg);
            // INVARIANT: a new type, with its only message as its head,
            // keyed by the newest `seq`.
            self.types.insert(type_node.into_node(
                mtype,
                TypeList {
                    list,
                    head_key: seq,
                },
            ));
            self.heads.insert(head_node.into_node(seq, mtype));
        }
        self.next_seq += 1;
        self.len += 1;
        Ok(())
    }

    /// `find_msg()` without `MSG_COPY`: the type whose first message
    /// `search` takes, if any. At most two lookups in each tree.
    pub(crate) fn find(&self, search: Search) -> Option<i64> {
        match search {
            Search::Any => self.heads.cursor_front().map(|c| *c.current().1),
            Search::Equal(t) => self.first_of(t).map(|_| t),
            Search::NotEqual(t) => {
                let first = self.heads.cursor_front()?;
                let (_, &mtype) = first.current();
                if mtype != t {
                    Some(mtype)
                } else {
                    first.peek_next().map(|(_, &mtype)| mtype)
                }
            }
            Search::LessEqual(t) => {
                let first = self.types.cursor_front()?;
                let (&mtype, entry) = first.current();
                let lowest = if entry.list.is_empty() {
                    // Parked: the next type has messages.
                    *first.peek_next()?.0
                } else {
                    mtype
                };
                Some(lowest).filter(|&mtype| mtype <= t)
            }
            // Never called for `MSG_COPY`: see `nth`.
            Search::Number(_) => None,
        }
    }

    /// The first message of type `mtype`, if any.
    pub(crate) fn first_of(&self, mtype: i64) -> Option<ArcBorrow<'_, Msg>> {
        self.types.get(&mtype)?.first()
    }

    /// Takes the first message of type `mtype` out of the queue.
    pub(crate) fn take(&mut self, mtype: i64) -> Option<ListArc<Msg>> {
        self.take_if(mtype, |_| Ok(())).ok().flatten()
    }

    /// Takes the first message of type `mtype` out of the queue if `check`
    /// accepts it; else returns `check`'s error, and the message stays.
    /// One lookup of the type where a look at the message and a take are
    /// two.
    pub(crate) fn take_if(
        &mut self,
        mtype: i64,
        check: impl FnOnce(&Msg) -> Result,
    ) -> Result<Option<ListArc<Msg>>> {
        // The only type with messages (a queue of one type, the common
        // case) keeps its key when its first message goes.
        let alone = self
            .heads
            .cursor_front()
            .is_some_and(|c| c.peek_next().is_none());
        let Some(entry) = self.types.get_mut(&mtype) else {
            return Ok(None);
        };
        let Some(first) = entry.first() else {
            return Ok(None);
        };
        check(&first)?;
        let Some(msg) = entry.list.pop_front() else {
            return Ok(None);
        };
        let next = entry.first().map(|m| m.seq());
        match next {
            // INVARIANT: alone in `heads`, the key may stay below the new
            // first message's `seq`.
            Some(_) if alone => {}
            // INVARIANT: the type's head moves to its next message; the
            // node is reused.
            Some(seq) => {
                let old = core::mem::replace(&mut entry.head_key, seq);
                let head = self.heads.remove_node(&old).ok_or(EINVAL)?;
                self.heads
                    .insert(head.into_reservation().into_node(seq, mtype));
            }
            // INVARIANT: the type leaves `heads` and stays parked in
            // `types` (a type parked before leaves); the nodes are kept.
            None => {
                let head = self.heads.remove_node(&entry.head_key).ok_or(EINVAL)?;
                if let Some(node) = self.unpark() {
                    self.spare_type = Some(node);
                }
                self.spare_head = Some(head.into_reservation());
                self.parked = Some(mtype);
            }
        }
        self.len -= 1;
        Ok(Some(msg))
    }

    /// Takes the parked type, if any, out of `types`; returns its node.
    fn unpark(&mut self) -> Option<TypeNode> {
        let mtype = self.parked.take()?;
        // INVARIANT: its list is empty, and it was not in `heads`.
        Some(self.types.remove_node(&mtype)?.into_reservation())
    }

    /// `find_msg(SEARCH_NUMBER)`: the message at position `n` in arrival
    /// order (`MSG_COPY`). Walks the whole queue, as Linux does, in
    /// `scratch`, which the caller allocated unlocked for at least
    /// [`MsgIndex::len`] entries (`ENOMEM` if it did not).
    pub(crate) fn nth(
        &self,
        n: usize,
        scratch: &mut KVec<u64>,
    ) -> Result<Option<ArcBorrow<'_, Msg>>> {
        if n >= self.len {
            return Ok(None);
        }
        scratch.clear();
        for msg in self.types.values().flat_map(|entry| entry.list.iter()) {
            scratch
                .push_within_capacity(msg.seq())
                .map_err(|_| ENOMEM)?;
        }
        let (_, &mut seq, _) = scratch.select_nth_unstable(n);
        Ok(self
            .types
            .values()
            .flat_map(|entry| entry.list.iter())
            .find(|msg| msg.seq() == seq))
    }
}

/// Tree nodes for [`MsgIndex::reserve`], allocated before the queue's
/// (spinning) lock is taken.
pub(crate) struct Spares {
    type_node: Option<TypeNode>,
    head_node: Option<HeadNode>,
}

impl Spares {
    /// None yet; allocates nothing.
    pub(crate) const fn new() -> Self {
        Self {
            type_node: None,
            head_node: None,
        }
    }

    /// Allocates the nodes it does not hold.
    pub(crate) fn fill(&mut self) -> Result {
        if self.type_node.is_none() {
            self.type_node = Some(RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?);
        }
        if self.head_node.is_none() {
            self.head_node = Some(RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?);
        }
        Ok(())
    }
}

#[kunit_tests(ripc_msg_index)]
mod tests {
    use super::*;

    fn msg(mtype: i64, tag: u8) -> ListArc<Msg> {
        Msg::new(mtype, Text::from_slice(&[tag]).unwrap()).unwrap()
    }

    /// Reserves for a push of type `t` as the queue does: fills the
    /// spares when they lack a node.
    fn reserve(index: &mut MsgIndex, t: i64) {
        let mut spares = Spares::new();
        while !index.reserve(t, &mut spares) {
            spares.fill().unwrap();
        }
    }

    fn nth(index: &MsgIndex, n: usize) -> Option<u8> {
        let mut scratch = KVec::with_capacity(index.len(), GFP_KERNEL).unwrap();
        index.nth(n, &mut scratch).unwrap().map(|m| m.text()[0])
    }

    fn queue(types: &[i64]) -> MsgIndex {
        let mut index = MsgIndex::new();
        for (i, &t) in types.iter().enumerate() {
            reserve(&mut index, t);
            index.push(msg(t, i as u8)).unwrap();
        }
        index
    }

    /// Receives with `search` until nothing matches; returns the tags.
    fn drain(index: &mut MsgIndex, search: Search) -> KVec<u8> {
        let mut tags = KVec::new();
        while let Some(t) = index.find(search) {
            let m = index.take(t).unwrap();
            assert!(search.accepts(m.mtype));
            tags.push(m.text()[0], GFP_KERNEL).unwrap();
        }
        tags
    }

    /// Checks the type invariants of `index`.
    fn check(index: &MsgIndex) {
        let mut count = 0;
        let mut types = 0;
        for (&t, entry) in index.types.iter() {
            let Some(first) = entry.first() else {
                assert_eq!(index.parked, Some(t));
                continue;
            };
            assert_eq!(index.heads.get(&entry.head_key), Some(&t));
            assert!(entry.head_key <= first.seq());
            let mut last = None;
            for m in entry.list.iter() {
                assert_eq!(m.mtype, t);
                assert!(m.seq() < index.next_seq);
                assert!(last.is_none_or(|s| s < m.seq()));
                last = Some(m.seq());
                count += 1;
            }
            types += 1;
        }
        assert_eq!(index.heads.iter().count(), types);
        assert_eq!(index.len(), count);
        // The keys are in the order of the types' first messages.
        let mut last = None;
        for (_, t) in index.heads.iter() {
            let first = index.types.get(t).and_then(TypeList::first).unwrap().seq();
            assert!(last.is_none_or(|s| s < first));
            last = Some(first);
        }
    }

    #[test]
    fn a_lone_type_keeps_its_key_and_the_order_holds() {
        // Type 1 alone: its key stays at its first message's `seq` while
        // its messages go.
        let mut index = queue(&[1, 1, 1, 1]);
        assert_eq!(index.take(1).unwrap().text()[0], 0);
        assert_eq!(index.take(1).unwrap().text()[0], 1);
        check(&index);
        // Then types 2 and 1 again, interleaved: Linux's arrival order.
        for (t, tag) in [(2, 10), (1, 11), (2, 12)] {
            reserve(&mut index, t);
            index.push(msg(t, tag)).unwrap();
            check(&index);
        }
        assert_eq!(index.find(Search::NotEqual(1)), Some(2));
        assert_eq!(&drain(&mut index, Search::Any)[..], &[2, 3, 10, 11, 12]);
        check(&index);
        // Type 2 alone after type 1 left, then type 1 comes back.
        let mut index = queue(&[1, 2, 2, 2]);
        assert_eq!(index.take(1).unwrap().text()[0], 0);
        assert_eq!(index.take(2).unwrap().text()[0], 1);
        reserve(&mut index, 1);
        index.push(msg(1, 20)).unwrap();
        check(&index);
        assert_eq!(&drain(&mut index, Search::Any)[..], &[2, 3, 20]);
    }

    #[test]
    fn any_type_keeps_arrival_order_across_types() {
        let mut index = queue(&[3, 1, 2, 1, 3, 2]);
        check(&index);
        assert_eq!(&drain(&mut index, Search::Any)[..], &[0, 1, 2, 3, 4, 5]);
        assert_eq!(index.len(), 0);
        check(&index);
    }

    #[test]
    fn one_type_in_order_others_untouched() {
        let mut index = queue(&[3, 1, 2, 1, 3, 2]);
        assert_eq!(&drain(&mut index, Search::Equal(1))[..], &[1, 3]);
        check(&index);
        assert_eq!(index.find(Search::Equal(1)), None);
        assert_eq!(&drain(&mut index, Search::Any)[..], &[0, 2, 4, 5]);
    }

    #[test]
    fn negative_type_takes_lowest_type_first() {
        let mut index = queue(&[5, 3, 4, 3, 2, 9]);
        // Types <= 4: 2 first, then both 3s in order, then 4; 5 and 9 stay.
        assert_eq!(&drain(&mut index, Search::LessEqual(4))[..], &[4, 1, 3, 2]);
        check(&index);
        assert_eq!(index.len(), 2);
        assert_eq!(index.find(Search::LessEqual(i64::MAX)), Some(5));
    }

    #[test]
    fn except_skips_one_type_only() {
        let mut index = queue(&[7, 7, 1, 7, 2, 1]);
        assert_eq!(&drain(&mut index, Search::NotEqual(7))[..], &[2, 4, 5]);
        check(&index);
        assert_eq!(&drain(&mut index, Search::NotEqual(1))[..], &[0, 1, 3]);
        assert_eq!(index.len(), 0);
    }

    #[test]
    fn removal_then_new_messages_keep_order() {
        let mut index = queue(&[1, 2, 1]);
        let m = index.take(2).unwrap();
        assert_eq!(m.text()[0], 1);
        // A type that left and comes back goes behind the older messages.
        reserve(&mut index, 2);
        index.push(msg(2, 3)).unwrap();
        reserve(&mut index, 4);
        index.push(msg(4, 4)).unwrap();
        check(&index);
        assert_eq!(nth(&index, 1), Some(2));
        assert_eq!(nth(&index, 3), Some(4));
        assert_eq!(nth(&index, 4), None);
        // Scratch space short of the queue's length.
        assert!(index.nth(0, &mut KVec::new()).is_err());
        assert_eq!(&drain(&mut index, Search::Any)[..], &[0, 2, 3, 4]);
    }

    #[test]
    fn a_type_that_empties_is_parked_then_reused() {
        let mut index = queue(&[1, 3]);
        assert_eq!(index.take(1).unwrap().text()[0], 0);
        check(&index);
        assert_eq!(index.parked, Some(1));
        // The parked type is lower than 3 but has nothing.
        assert_eq!(index.find(Search::Equal(1)), None);
        assert_eq!(index.find(Search::LessEqual(5)), Some(3));
        assert_eq!(index.find(Search::LessEqual(2)), None);
        assert_eq!(index.find(Search::Any), Some(3));
        assert_eq!(index.find(Search::NotEqual(3)), None);
        reserve(&mut index, 1);
        index.push(msg(1, 10)).unwrap();
        assert_eq!(index.parked, None);
        assert_eq!(index.find(Search::LessEqual(5)), Some(1));
        assert_eq!(index.take(3).unwrap().text()[0], 1);
        assert_eq!(index.parked, Some(3));
        // A new type takes the parked type's node.
        reserve(&mut index, 2);
        index.push(msg(2, 11)).unwrap();
        assert_eq!(index.parked, None);
        check(&index);
        assert_eq!(&drain(&mut index, Search::Any)[..], &[10, 11]);
        check(&index);
    }

    #[test]
    fn parked_type_comes_back_after_a_new_type_took_the_spare_nodes() {
        let mut index = queue(&[1, 2]);
        index.take(2).unwrap();
        // 2 leaves `types`, 1 is parked with spare nodes for both trees.
        index.take(1).unwrap();
        assert_eq!(index.parked, Some(1));
        reserve(&mut index, 3);
        index.push(msg(3, 10)).unwrap();
        assert_eq!(index.parked, Some(1));
        // The parked type needs a head node again.
        reserve(&mut index, 1);
        index.push(msg(1, 11)).unwrap();
        check(&index);
        assert_eq!(&drain(&mut index, Search::Any)[..], &[10, 11]);
    }

    #[test]
    fn short_and_long_texts_round_trip() {
        let long = [7u8; INLINE_TEXT + 1];
        for len in [0, 1, INLINE_TEXT, INLINE_TEXT + 1] {
            let text = Text::from_slice(&long[..len]).unwrap();
            assert_eq!(matches!(text, Text::Inline { .. }), len <= INLINE_TEXT);
            let m = Msg::new(1, text).unwrap();
            assert_eq!(m.text(), &long[..len]);
        }
    }

    #[test]
    fn spares_given_at_creation_serve_the_first_type() {
        let mut spares = Spares::new();
        spares.fill().unwrap();
        let mut index = MsgIndex::with_spares(spares);
        assert!(index.reserve(5, &mut Spares::new()));
        index.push(msg(5, 1)).unwrap();
        check(&index);
        assert_eq!(&drain(&mut index, Search::Any)[..], &[1]);
    }

    #[test]
    fn push_of_new_type_needs_reserve() {
        let mut index = queue(&[1]);
        assert!(index.push(msg(2, 1)).is_err());
        assert!(index.push(msg(1, 2)).is_ok());
        check(&index);
        assert_eq!(index.len(), 2);
    }
}
