// SPDX-License-Identifier: GPL-2.0

//! The messages of a queue by priority, as `info->msg_tree` of
//! `ipc/mqueue.c`: one bucket per priority in use, each a list of its
//! messages oldest first (`struct posix_msg_tree_node`), the buckets in a
//! red-black tree by priority.
//!
//! Linux caches the tree's rightmost node (`msg_tree_rightmost`) so that a
//! receive finds the highest priority in O(1). The Rust tree has no
//! cached end, so the highest bucket lives outside it, in
//! [`Messages::top`]: a send at that priority and a receive of a message
//! that leaves its bucket non-empty are O(1), anything else O(log p) in the
//! number of priorities in use, as in Linux.
//!
//! A short message is one allocation, its bytes kept with its list entry,
//! a longer one has a second for its bytes (Linux: `load_msg()`, one
//! allocation up to a page); a bucket's tree node is allocated when a new
//! priority appears, and the last one freed is kept for the next
//! (`info->node_cache`), so a steady stream at a few priorities allocates
//! nothing per message beyond the message itself.

use kernel::{
    list::{List, ListArc, ListLinks},
    prelude::*,
    rbtree::{Entry, RBTree, RBTreeNodeReservation},
    uaccess::{UserPtr, UserSlice},
};

/// The most bytes a message keeps in its own allocation.
const INLINE_MAX: usize = 64;

/// A message's bytes.
enum Bytes {
    Inline { len: usize, buf: [u8; INLINE_MAX] },
    Heap(KVec<u8>),
}

/// One message (`struct msg_msg`).
#[pin_data]
pub(super) struct Msg {
    pub(super) prio: u32,
    bytes: Bytes,
    #[pin]
    links: ListLinks,
}

kernel::list::impl_list_arc_safe! {
    impl ListArcSafe<0> for Msg { untracked; }
}

kernel::list::impl_list_item! {
    impl ListItem<0> for Msg { using ListLinks { self.links }; }
}

impl Msg {
    /// A message of priority `prio` holding the `len` bytes at `ptr` in
    /// the caller's memory.
    pub(super) fn from_user(prio: u32, ptr: UserPtr, len: usize) -> Result<ListArc<Self>> {
        let bytes = if len <= INLINE_MAX {
            let mut buf = [0u8; INLINE_MAX];
            UserSlice::new(ptr, len)
                .reader()
                .read_slice(&mut buf[..len])?;
            Bytes::Inline { len, buf }
        } else {
            let mut data = KVec::with_capacity(len, GFP_KERNEL_ACCOUNT)?;
            UserSlice::new(ptr, len).read_all(&mut data, GFP_KERNEL_ACCOUNT)?;
            Bytes::Heap(data)
        };
        Self::new(prio, bytes)
    }

    fn new(prio: u32, bytes: Bytes) -> Result<ListArc<Self>> {
        ListArc::pin_init(
            try_pin_init!(Self {
                prio,
                bytes,
                links <- ListLinks::new(),
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// The message's bytes.
    pub(super) fn bytes(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Inline { len, buf } => &buf[..*len],
            Bytes::Heap(data) => data,
        }
    }
}

/// The messages of one priority, oldest first.
type Bucket = List<Msg>;

/// Room for one bucket in [`Messages::lower`].
type Spare = RBTreeNodeReservation<u32, Bucket>;

/// The messages of a queue.
///
/// # Invariants
///
/// - Every bucket, in `top` and in `lower`, holds at least one message.
/// - `top` is `None` only if `lower` is empty, and its priority is above
///   every key of `lower`.
/// - `len` is the number of messages and `bytes` the sum of their lengths.
pub(super) struct Messages {
    /// The highest priority in use and its messages.
    top: Option<(u32, Bucket)>,
    /// The other priorities in use.
    lower: RBTree<u32, Bucket>,
    /// A node freed by an emptied bucket, for the next new priority.
    spare: Option<Spare>,
    len: usize,
    bytes: usize,
}

impl Messages {
    pub(super) fn new() -> Self {
        Self {
            top: None,
            lower: RBTree::new(),
            spare: None,
            len: 0,
            bytes: 0,
        }
    }

    /// How many messages are queued (`mq_curmsgs`).
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes of all messages (`QSIZE`).
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    /// The kept node, or a new one (`GFP_KERNEL_ACCOUNT`: the queue's
    /// lock is a mutex).
    fn node(&mut self) -> Result<Spare> {
        match self.spare.take() {
            Some(spare) => Ok(spare),
            None => RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT),
        }
    }

    /// Queues `msg` after every message of the same priority
    /// (`msg_insert()`). Without memory for a new bucket the message is
    /// given back.
    pub(super) fn push(&mut self, msg: ListArc<Msg>) -> Result<(), ListArc<Msg>> {
        let prio = msg.prio;
        let len = msg.bytes().len();
        let top_prio = self.top.as_ref().map(|(top, _)| *top);
        match top_prio {
            None => self.top = Some((prio, bucket_of(msg))),
            Some(top) if prio == top => {
                if let Some((_, bucket)) = self.top.as_mut() {
                    bucket.push_back(msg);
                }
            }
            Some(top) if top < prio => {
                // A new highest priority: the old one moves into the tree.
                let Ok(node) = self.node() else {
                    return Err(msg);
                };
                if let Some((old, bucket)) = self.top.replace((prio, bucket_of(msg))) {
                    if let Entry::Vacant(entry) = self.lower.entry(old) {
                        entry.insert(bucket, node);
                    }
                }
            }
            Some(_) => {
                if let Some(bucket) = self.lower.get_mut(&prio) {
                    bucket.push_back(msg);
                } else {
                    let Ok(node) = self.node() else {
                        return Err(msg);
                    };
                    if let Entry::Vacant(entry) = self.lower.entry(prio) {
                        entry.insert(bucket_of(msg), node);
                    }
                }
            }
        }
        self.len += 1;
        self.bytes += len;
        Ok(())
    }

    /// Takes the oldest message of the highest priority (`msg_get()`).
    pub(super) fn pop(&mut self) -> Option<ListArc<Msg>> {
        let (_, bucket) = self.top.as_mut()?;
        let msg = bucket.pop_front()?;
        if bucket.is_empty() {
            self.top = self.take_highest_lower();
        }
        self.len -= 1;
        self.bytes -= msg.bytes().len();
        Some(msg)
    }

    /// Takes the highest bucket out of the tree, keeping its node.
    fn take_highest_lower(&mut self) -> Option<(u32, Bucket)> {
        let mut cursor = self.lower.cursor_back_mut()?;
        let (&prio, bucket) = cursor.current_mut();
        let bucket = core::mem::take(bucket);
        let (_, node) = cursor.remove_current();
        if self.spare.is_none() {
            self.spare = Some(node.into_reservation());
        }
        Some((prio, bucket))
    }
}

/// A new bucket holding `msg`.
fn bucket_of(msg: ListArc<Msg>) -> Bucket {
    let mut bucket = List::new();
    bucket.push_back(msg);
    bucket
}

#[kunit_tests(ripc_mqueue_messages)]
mod tests {
    use super::*;

    /// Checks the invariants of [`Messages`].
    fn consistent(messages: &Messages) -> bool {
        let mut len = 0;
        let mut bytes = 0;
        let mut count = |bucket: &Bucket, prio: u32| {
            let mut empty = true;
            for msg in bucket.iter() {
                empty = false;
                len += 1;
                bytes += msg.bytes().len();
                if msg.prio != prio {
                    return false;
                }
            }
            !empty
        };
        let top_ok = match &messages.top {
            None => messages.lower.is_empty(),
            Some((top, bucket)) => {
                count(bucket, *top) && messages.lower.keys().all(|prio| prio < top)
            }
        };
        let lower_ok = messages
            .lower
            .iter()
            .all(|(prio, bucket)| count(bucket, *prio));
        top_ok && lower_ok && len == messages.len && bytes == messages.bytes
    }

    /// A message of priority `prio` whose bytes are `seq`, little-endian,
    /// kept inline for even `seq`, on the heap for odd.
    fn message(prio: u32, seq: u32) -> Result<ListArc<Msg>> {
        let seq = seq.to_le_bytes();
        let bytes = if seq[0] % 2 == 0 {
            let mut buf = [0u8; INLINE_MAX];
            buf[..4].copy_from_slice(&seq);
            Bytes::Inline { len: 4, buf }
        } else {
            let mut data = KVec::new();
            data.extend_from_slice(&seq, GFP_KERNEL)?;
            Bytes::Heap(data)
        };
        Msg::new(prio, bytes)
    }

    fn seq_of(msg: &Msg) -> u32 {
        let mut bytes = [0u8; 4];
        bytes.copy_from_slice(msg.bytes());
        u32::from_le_bytes(bytes)
    }

    /// A deterministic mix of priorities, with repeats, rises and falls.
    fn prio_of(i: u32) -> u32 {
        (i.wrapping_mul(2_654_435_761) >> 7) % 37
    }

    #[test]
    fn empty_queue_gives_nothing() {
        let mut messages = Messages::new();
        assert!(messages.pop().is_none());
        assert!(messages.is_empty());
        assert!(consistent(&messages));
    }

    #[test]
    fn priority_then_fifo_order() -> Result {
        const N: u32 = 2000;
        let mut messages = Messages::new();
        for i in 0..N {
            if messages.push(message(prio_of(i), i)?).is_err() {
                return Err(ENOMEM);
            }
            if i % 97 == 0 {
                assert!(consistent(&messages));
            }
        }
        assert_eq!(messages.len(), N as usize);
        assert_eq!(messages.bytes(), 4 * N as usize);
        assert!(consistent(&messages));
        let mut last: Option<(u32, u32)> = None;
        for i in 0..N {
            let msg = messages.pop().ok_or(EINVAL)?;
            let seq = seq_of(&msg);
            assert_eq!(msg.prio, prio_of(seq));
            if let Some((prio, prev)) = last {
                // Priorities never rise; within one, sequence numbers do.
                assert!(msg.prio <= prio);
                assert!(msg.prio < prio || seq > prev);
            }
            last = Some((msg.prio, seq));
            if i % 89 == 0 {
                assert!(consistent(&messages));
            }
        }
        assert!(messages.pop().is_none());
        assert_eq!(messages.bytes(), 0);
        assert!(consistent(&messages));
        Ok(())
    }

    #[test]
    fn interleaved_sends_and_receives() -> Result {
        let mut messages = Messages::new();
        let mut seq = 0;
        for round in 0..200u32 {
            for _ in 0..(round % 7 + 1) {
                if messages.push(message(prio_of(seq), seq)?).is_err() {
                    return Err(ENOMEM);
                }
                seq += 1;
            }
            let highest = |m: &Messages| m.top.as_ref().map(|(prio, _)| *prio);
            let expected = highest(&messages);
            for _ in 0..(round % 5) {
                let before = highest(&messages);
                let Some(msg) = messages.pop() else { break };
                assert_eq!(Some(msg.prio), before);
            }
            assert!(expected.is_some());
            assert!(consistent(&messages));
        }
        while messages.pop().is_some() {}
        assert!(consistent(&messages));
        // An emptied bucket's node is kept for the next new priority.
        assert!(messages.spare.is_some());
        Ok(())
    }
}
