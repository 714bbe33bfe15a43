// SPDX-License-Identifier: GPL-2.0

//! The ring of a pipe: `pipe_inode_info::bufs` with its read position
//! (`curbuf`), its number of buffers in use (`nrbufs`) and the spare page
//! kept for the next write (`tmp_page`).

use crate::glue::page::DataPage;
use kernel::{
    alloc::Flags,
    iov::{IovIterDest, IovIterSource},
    page::PAGE_SIZE,
    prelude::*,
};

/// What a ring allocates: charged to the caller's memory cgroup, and
/// quiet on failure (a large `F_SETPIPE_SZ` may simply not fit).
fn alloc_flags() -> Flags {
    GFP_KERNEL_ACCOUNT | __GFP_NOWARN
}

/// `struct pipe_buffer`: one page, of which `offset..offset + len` holds
/// unread data.
struct PipeBuffer {
    page: DataPage,
    offset: usize,
    len: usize,
    /// `PIPE_BUF_FLAG_PACKET`: written by a packet-mode (`O_DIRECT`)
    /// writer; a read takes at most this buffer and discards what it
    /// leaves of it, and no later write merges into it. Otherwise
    /// `PIPE_BUF_FLAG_CAN_MERGE`.
    packet: bool,
}

/// What a read took from the oldest buffer.
pub(super) struct Taken {
    /// Bytes copied out.
    pub(super) bytes: usize,
    /// The buffer was a packet: the read ends there.
    pub(super) packet: bool,
}

/// A ring of one-page buffers.
///
/// # Invariants
///
/// `bufs.len()` (the slots) is 0 or a power of two, and `nrbufs <=
/// bufs.len()`. The `nrbufs` slots from `curbuf` on (wrapping) hold
/// buffers with `len > 0`, oldest first; the other slots are `None`.
pub(super) struct Ring {
    bufs: KVec<Option<PipeBuffer>>,
    curbuf: usize,
    nrbufs: usize,
    tmp_page: Option<DataPage>,
}

impl Ring {
    /// A ring without slots: a FIFO that no one has open.
    pub(super) const fn empty() -> Self {
        // INVARIANT: no slots, no buffers.
        Self {
            bufs: KVec::new(),
            curbuf: 0,
            nrbufs: 0,
            tmp_page: None,
        }
    }

    /// A ring of `slots` empty slots, rounded up to a power of two.
    pub(super) fn new(slots: usize) -> Result<Self> {
        let mut ring = Self::empty();
        ring.resize(slots)?;
        Ok(ring)
    }

    /// The capacity in pages (`max_usage`, here always `ring_size`).
    pub(super) fn slots(&self) -> usize {
        self.bufs.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.nrbufs == 0
    }

    /// The buffers in use (`pipe_occupancy()`).
    pub(super) fn len(&self) -> usize {
        self.nrbufs
    }

    /// No free slot: a write of a new page has to wait.
    pub(super) fn is_full(&self) -> bool {
        self.nrbufs >= self.bufs.len()
    }

    /// The bytes waiting to be read (`FIONREAD`).
    pub(super) fn bytes(&self) -> usize {
        (0..self.nrbufs)
            .filter_map(|i| self.bufs.get(self.slot(i))?.as_ref())
            .map(|buf| buf.len)
            .sum()
    }

    /// The slot of the `i`-th buffer from the oldest.
    fn slot(&self, i: usize) -> usize {
        // `bufs.len()` is a power of two whenever a caller asks, as it
        // only asks for `i <= nrbufs` with a buffer or a free slot there.
        (self.curbuf + i) & self.bufs.len().wrapping_sub(1)
    }

    /// Copies at most `max` bytes of the oldest buffer to `to` and frees
    /// the buffer once drained, or at once if it is a packet. Takes
    /// nothing from an empty ring. On `EFAULT` nothing is consumed (`to`
    /// may have got part of it, as from `pipe_read()`).
    pub(super) fn read_front(&mut self, to: &mut IovIterDest<'_>, max: usize) -> Result<Taken> {
        const NOTHING: Taken = Taken {
            bytes: 0,
            packet: false,
        };
        if self.nrbufs == 0 {
            return Ok(NOTHING);
        }
        let slot = self.curbuf;
        let Some(Some(buf)) = self.bufs.get_mut(slot) else {
            return Ok(NOTHING);
        };
        let chars = buf.len.min(max);
        if buf.page.copy_to_iter(to, buf.offset, chars) < chars {
            return Err(EFAULT);
        }
        buf.offset += chars;
        buf.len -= chars;
        let packet = buf.packet;
        if buf.len == 0 || packet {
            if let Some(buf) = self.bufs[slot].take() {
                self.recycle(buf.page);
            }
            // INVARIANT: the drained buffer left the front.
            self.curbuf = self.slot(1);
            self.nrbufs -= 1;
        }
        Ok(Taken {
            bytes: chars,
            packet,
        })
    }

    /// Appends `len` bytes of `from` to the newest buffer if it is not a
    /// packet and they fit in its page behind its data, merging small
    /// writes as `pipe_write()` does. Returns whether it did; on `EFAULT`
    /// the buffer is unchanged.
    pub(super) fn merge_back(&mut self, from: &mut IovIterSource<'_>, len: usize) -> Result<bool> {
        if self.nrbufs == 0 {
            return Ok(false);
        }
        let slot = self.slot(self.nrbufs - 1);
        let Some(Some(buf)) = self.bufs.get_mut(slot) else {
            return Ok(false);
        };
        let offset = buf.offset + buf.len;
        if buf.packet || offset + len > PAGE_SIZE {
            return Ok(false);
        }
        if buf.page.fill_from_iter(from, offset, len) < len {
            return Err(EFAULT);
        }
        buf.len += len;
        Ok(true)
    }

    /// Fills a new buffer with up to one page of `from` and appends it, a
    /// packet if `packet`. Returns the bytes taken: 0 if the ring is full
    /// or `from` empty. Uses the spare page if there is one. On `EFAULT`
    /// (less than a page copied while `from` has more) or `ENOMEM` no
    /// buffer is added.
    pub(super) fn push_page(
        &mut self,
        from: &mut IovIterSource<'_>,
        packet: bool,
    ) -> Result<usize> {
        if self.is_full() || from.is_empty() {
            return Ok(0);
        }
        let mut page = match self.tmp_page.take() {
            Some(page) => page,
            None => DataPage::alloc(alloc_flags())?,
        };
        let len = page.fill_from_iter(from, 0, PAGE_SIZE);
        if len == 0 || (len < PAGE_SIZE && !from.is_empty()) {
            self.recycle(page);
            return Err(EFAULT);
        }
        let slot = self.slot(self.nrbufs);
        if let Some(free) = self.bufs.get_mut(slot) {
            // INVARIANT: a free slot (not full) right after the newest
            // buffer gets a buffer with `len > 0`.
            *free = Some(PipeBuffer {
                page,
                offset: 0,
                len,
                packet,
            });
            self.nrbufs += 1;
        }
        Ok(len)
    }

    /// Keeps a drained page for the next write unless one is kept already
    /// (`anon_pipe_buf_release()` and `tmp_page`).
    fn recycle(&mut self, page: DataPage) {
        if self.tmp_page.is_none() {
            self.tmp_page = Some(page);
        }
    }

    /// Gives the ring `slots` slots (rounded up to a power of two), keeping
    /// the buffers in order (`pipe_resize_ring()`). `EBUSY` if more
    /// buffers are in use than would fit; as Linux, that is found after
    /// the new array is allocated, so `ENOMEM` comes first.
    pub(super) fn resize(&mut self, slots: usize) -> Result {
        let slots = slots.checked_next_power_of_two().ok_or(EINVAL)?;
        let mut bufs = KVec::with_capacity(slots, alloc_flags())?;
        for _ in 0..slots {
            bufs.push(None, alloc_flags())?;
        }
        if slots < self.nrbufs {
            return Err(EBUSY);
        }
        // Nothing can fail from here on: move the buffers over in order.
        for (i, new) in bufs.iter_mut().take(self.nrbufs).enumerate() {
            let slot = self.slot(i);
            if let Some(old) = self.bufs.get_mut(slot) {
                core::mem::swap(new, old);
            }
        }
        // INVARIANT: the buffers now fill slots `0..nrbufs` of a ring of a
        // power-of-two size at least `nrbufs`.
        self.bufs = bufs;
        self.curbuf = 0;
        Ok(())
    }
}
