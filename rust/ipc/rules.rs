// SPDX-License-Identifier: GPL-2.0

//! The arithmetic and decisions of the SysV layer (`ipc/util.c`,
//! `ipc/util.h`), without kernel types, so that the host's `cargo test`
//! checks them too: `libripc/rust` includes this file in its unit tests.

/// `IPCMNI_SHIFT`: bits of an id that hold the slot index.
pub(crate) const IPCMNI_SHIFT: u32 = 15;
/// `SEQ_MULTIPLIER` (`IPCMNI`): ids are `seq * SEQ_MULTIPLIER + idx`.
pub(crate) const SEQ_MULTIPLIER: i32 = 1 << IPCMNI_SHIFT;
/// `ipcid_seq_max()`: the sequence number wraps to 0 here, keeping ids
/// positive.
pub(crate) const SEQ_MAX: u32 = (i32::MAX >> IPCMNI_SHIFT) as u32;
/// `ipc_min_cycle`: slots are handed out cyclically over at least this
/// many indices, so a removed id is not reused at once.
pub(crate) const MIN_CYCLE: usize = 64;

/// `ipc_buildid()`.
pub(crate) const fn build_id(idx: usize, seq: u16) -> i32 {
    ((seq as i32) << IPCMNI_SHIFT) + idx as i32
}

/// `ipcid_to_idx()`.
pub(crate) const fn id_idx(id: i32) -> usize {
    (id & (SEQ_MULTIPLIER - 1)) as usize
}

/// The sequence number of a new id in slot `idx` (`ipc_idr_alloc()`): it
/// moves on when a slot at or below the last one handed out is used.
pub(crate) fn next_seq(seq: u16, last_idx: Option<usize>, idx: usize) -> u16 {
    if last_idx.is_some_and(|last| idx <= last) {
        let next = seq + 1;
        if u32::from(next) >= SEQ_MAX {
            0
        } else {
            next
        }
    } else {
        seq
    }
}

/// The end of the window of slots handed out while `in_use` are in use:
/// `max(in_use * 3 / 2, MIN_CYCLE)`, at most `ipcmni`.
pub(crate) fn cycle_end(in_use: usize, ipcmni: usize) -> usize {
    (in_use * 3 / 2).clamp(MIN_CYCLE, ipcmni)
}

/// The slot `idr_alloc_cyclic()` gives: the first `free` one from `next`
/// on, else from 0, below `max(in_use * 3 / 2, MIN_CYCLE)` (at most
/// `ipcmni`).
pub(crate) fn free_slot(
    in_use: usize,
    next: usize,
    ipcmni: usize,
    free: impl Fn(usize) -> bool,
) -> Option<usize> {
    let end = cycle_end(in_use, ipcmni);
    (next..end)
        .find(|&i| free(i))
        .or_else(|| (0..end).find(|&i| free(i)))
}

/// How a task relates to an object, for its permission bits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Class {
    /// The owner or the creator: the `0700` bits.
    Owner,
    /// In the owner's or creator's group: the `0070` bits.
    Group,
    /// Anybody else: the `0007` bits.
    Other,
}

/// The decision of `ipcperms()` before `CAP_IPC_OWNER`: whether `mode`
/// grants `class` every `rwx` bit of `flag`, which may be given in any of
/// the three positions (`S_IRUGO`, `S_IWUGO`, a get's `0600`...).
pub(crate) fn grants(mode: u32, flag: u32, class: Class) -> bool {
    let requested = (flag >> 6) | (flag >> 3) | flag;
    let granted = match class {
        Class::Owner => mode >> 6,
        Class::Group => mode >> 3,
        Class::Other => mode,
    };
    requested & !granted & 0o7 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_encode_slot_and_sequence() {
        assert_eq!(build_id(0, 0), 0);
        assert_eq!(build_id(5, 3), 3 * 32768 + 5);
        assert_eq!(id_idx(build_id(32767, 7)), 32767);
        assert_eq!(build_id(12, 9) >> IPCMNI_SHIFT, 9);
        // The highest sequence number still gives a positive id.
        assert!(build_id(32767, (SEQ_MAX - 1) as u16) > 0);
    }

    #[test]
    fn sequence_moves_on_when_slots_are_reused() {
        assert_eq!(next_seq(0, None, 0), 0);
        assert_eq!(next_seq(4, Some(3), 4), 4);
        assert_eq!(next_seq(4, Some(3), 3), 5);
        assert_eq!(next_seq(4, Some(3), 0), 5);
        assert_eq!(next_seq((SEQ_MAX - 1) as u16, Some(1), 1), 0);
    }

    #[test]
    fn slots_are_handed_out_cyclically() {
        let all_free = |_| true;
        assert_eq!(free_slot(0, 0, 32768, all_free), Some(0));
        assert_eq!(free_slot(1, 1, 32768, all_free), Some(1));
        // Past the window: wrap to the first free slot.
        assert_eq!(free_slot(1, 64, 32768, all_free), Some(0));
        assert_eq!(free_slot(2, 70, 32768, |i| i != 0), Some(1));
        // The window grows with the number in use, up to IPCMNI.
        assert_eq!(free_slot(100, 149, 32768, all_free), Some(149));
        assert_eq!(free_slot(100, 150, 32768, |i| i >= 100), Some(100));
        assert_eq!(free_slot(32000, 32767, 32768, all_free), Some(32767));
        assert_eq!(free_slot(3, 0, 32768, |_| false), None);
    }

    #[test]
    fn permission_bits_by_class() {
        // Read and write asked in any position.
        for flag in [0o444, 0o004, 0o400] {
            assert!(grants(0o640, flag, Class::Owner));
            assert!(grants(0o640, flag, Class::Group));
            assert!(!grants(0o640, flag, Class::Other));
        }
        assert!(grants(0o640, 0o222, Class::Owner));
        assert!(!grants(0o640, 0o222, Class::Group));
        // The owner is judged by the owner bits only.
        assert!(!grants(0o066, 0o444, Class::Owner));
        assert!(grants(0o066, 0o444, Class::Other));
        // Asking for nothing is always granted; read+write needs both.
        assert!(grants(0, 0, Class::Other));
        assert!(!grants(0o644, 0o600, Class::Group));
        assert!(grants(0o666, 0o600, Class::Other));
    }
}
