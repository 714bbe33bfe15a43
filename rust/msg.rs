// SPDX-License-Identifier: GPL-2.0

//! SysV message queues, as `ipc/msg.c`.
//!
//! Data flow: `RIPC_IOC_MSG{GET,SND,RCV,CTL}` on `/dev/ripc` →
//! [`msgget`], [`msgsnd`], [`msgrcv`], [`msgctl`] → the queue is found by
//! id in the namespace's table ([`crate::ipc`]) → [`MsgQueue`] does the
//! work under its own lock.
//!
//! | `ipc/msg.c`                     | ripc                                |
//! |---------------------------------|-------------------------------------|
//! | `struct msg_queue`              | [`MsgQueue`] (state in `Inner`)     |
//! | `q_perm` (`kern_ipc_perm`)      | `Inner::perm`                       |
//! | `q_perm.deleted`                | `Inner::deleted`                    |
//! | `q_messages`, `q_qnum`          | `Inner::messages` ([`index`])       |
//! | `struct msg_msg`                | [`index::Msg`]                      |
//! | `struct msg_receiver`           | `Receiver` in `Inner::receivers`    |
//! | `msr->r_msg`                    | `Receiver::slot` ([`Slot`])         |
//! | `struct msg_sender`, `q_senders`| tickets in `Inner::senders`         |
//! | `msr->r_tsk`, `wake_q`          | `Receiver::task`, [`WakeList`]      |
//! | `mss->tsk` (senders)            | `Sender::task`                      |
//! | `newque()`                      | [`MsgQueue::new`]                   |
//! | `freeque()`                     | [`MsgQueue::destroy`]               |
//! | `pipelined_send()`              | `Inner::pipelined_send`             |
//! | `expunge_all()`                 | `Inner::expunge_all`                |
//! | `ss_wakeup()`                   | `Inner::wake_first_sender`          |
//! | `testmsg()`, `convert_mode()`   | [`index::Search`]                   |
//! | `find_msg()`                    | [`index::MsgIndex::find`]           |
//! | `do_msgsnd()`, `do_msgrcv()`    | [`msgsnd`], [`msgrcv`]              |
//! | `ksys_msgctl()`                 | [`msgctl`]                          |
//! | `sysvipc_msg_proc_show()`       | [`Status`] (`sysvipc/msg`)          |
//!
//! A blocked receiver sleeps as a task of its own ([`crate::wake`]): a
//! sender that hands it a message (or `E2BIG`), removal and `IPC_SET`
//! take out and wake exactly the receivers they served, after dropping
//! the lock, and a receiver served returns without taking the lock again
//! (its [`Slot`]).
//!
//! Lock order: the namespace's tables (`ipc::current_ns()`, `msg_ids.rwsem`),
//! then a queue's `inner` (`q_perm.lock`), a spinlock as in Linux: nothing
//! under it sleeps, so a task that finds it taken never goes off the CPU
//! for it; then a receiver's [`Slot`], which its receiver also takes
//! alone. Waiters are woken after `inner` is dropped. A message is
//! allocated and filled before either lock is taken, tree nodes a call may
//! need are allocated with `inner` dropped (and kept for the next call),
//! and a removed queue's messages are freed after both are dropped.

use crate::{
    glue::{
        cred::{self, PidRef},
        ripcfs::{StatusFile, StatusView},
        task::{capable, sleep_unlocked, Capability, NO_TIMEOUT},
    },
    ipc::{
        self, eidrm, enomsg,
        ids::IpcObject,
        perm::{self, KernIpcPerm, S_IRUGO, S_IWUGO},
        tunables::Cell,
        NsTables,
    },
    limits, uapi,
    wake::{Sleeper, SlotState, SpareSlots, WakeList},
};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use index::{Msg, MsgIndex, Search, Spares, Text};
use kernel::{
    list::ListArc,
    new_spinlock,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    seq_file::SeqFile,
    seq_print,
    sync::{Arc, SpinLock},
    uaccess::{UserPtr, UserSlice},
};

/// `sizeof(long)`: the `mtype` that starts a `struct msgbuf`.
const MTYPE_SIZE: usize = size_of::<i64>();

const IPC_NOWAIT: u32 = uapi::RIPC_IPC_NOWAIT;
const MSG_NOERROR: u32 = uapi::RIPC_MSG_NOERROR;
const MSG_EXCEPT: u32 = uapi::RIPC_MSG_EXCEPT;
const MSG_COPY: u32 = uapi::RIPC_MSG_COPY;

mod index;

impl Search {
    /// `convert_mode()`.
    fn new(msgtyp: i64, flags: u32) -> Self {
        if flags & MSG_COPY != 0 {
            Self::Number(msgtyp)
        } else if msgtyp == 0 {
            Self::Any
        } else if msgtyp < 0 {
            // -LONG_MIN does not exist; Linux takes LONG_MAX.
            Self::LessEqual(msgtyp.checked_neg().unwrap_or(i64::MAX))
        } else if flags & MSG_EXCEPT != 0 {
            Self::NotEqual(msgtyp)
        } else {
            Self::Equal(msgtyp)
        }
    }
}

/// What a blocked receiver was given (`msr->r_msg`).
enum Delivery {
    /// Nothing yet (`ERR_PTR(-EAGAIN)`).
    Waiting,
    /// `IPC_SET` changed the queue: look again (`expunge_all(-EAGAIN)`).
    Rescan,
    /// A message handed over by a sender, or the error to return
    /// (`E2BIG` from a sender, `EIDRM` from removal).
    Done(Result<ListArc<Msg>>),
    /// Its receiver took what it was given and left.
    Free,
}

impl SlotState for Delivery {
    const WAITING: Self = Self::Waiting;
    const FREE: Self = Self::Free;
}

/// Where a blocked receiver is served (`msr_d.r_msg`, which Linux keeps on
/// the receiver's stack): shared by the receiver and its entry in
/// `Inner::receivers`, so that a receiver that was served returns without
/// taking the queue's lock again ("lockless receive" in `do_msgrcv()`).
///
/// Only a task holding the queue's lock moves a slot out of `Waiting`,
/// and it takes the receiver's entry out of `receivers` at the same time:
/// a receiver that finds its slot served knows that nobody else will
/// touch it, and one that finds it `Waiting` under the queue's lock knows
/// that its entry is still queued. The slot's own lock orders the
/// delivery: what the server wrote before storing it (the message, built
/// before the queue was even locked) is visible to the receiver that
/// takes it, as the `smp_store_release()` and
/// `smp_acquire__after_ctrl_dep()` pair (`MSG_BARRIER`) does in Linux.
/// The server wakes the receiver only after dropping the queue's lock, and
/// through a reference to its task: the receiver may have returned (woken
/// by a signal, it found the delivery) and be anywhere by then, which
/// costs it a spurious wake-up and nothing else. The queue keeps the slots
/// of receivers it served (`Inner::spare_slots`) and hands one out again
/// once its receiver has left it `Free`.
type Slot = SpinLock<Delivery>;

/// A receiver blocked on the queue (`struct msg_receiver`).
struct Receiver {
    search: Search,
    /// Longest message it takes; `E2BIG` for a longer one.
    maxsize: usize,
    /// Its process, moved to `msg_lrpid` if a sender hands over.
    pid: Option<PidRef>,
    /// Where it is served.
    slot: Arc<Slot>,
    /// The task, to wake once served.
    task: Sleeper,
}

/// A sender blocked on a full queue (`struct msg_sender`).
struct Sender {
    /// The length of its message (`mss->msgsz`).
    size: usize,
    /// Woken to look again and not yet back: a receive that makes more
    /// room meanwhile does not wake it again.
    woken: bool,
    task: Sleeper,
}

/// The state of a queue, under its lock.
struct Inner {
    perm: KernIpcPerm,
    /// Removed by `IPC_RMID`: every later operation gets `EIDRM`.
    deleted: bool,
    /// `msg_stime`, `msg_rtime`, `msg_ctime`: seconds since the epoch.
    stime: i64,
    rtime: i64,
    ctime: i64,
    /// `msg_cbytes`: bytes of text in `messages`.
    cbytes: u64,
    /// `msg_qbytes`: most bytes (and messages) the queue holds.
    qbytes: u64,
    /// `msg_lspid`, `msg_lrpid`: last sender and receiver, if any yet;
    /// each reader is shown their number in its own pid namespace.
    lspid: Option<PidRef>,
    lrpid: Option<PidRef>,
    /// `q_messages`, indexed by type; `msg_qnum` is its length.
    messages: MsgIndex,
    /// `q_receivers`, by ticket: in arrival order. A receiver's entry is
    /// here exactly as long as its slot is `Waiting`.
    receivers: RBTree<u64, Receiver>,
    /// `q_senders`: the blocked senders, by ticket: in arrival order.
    /// Only the first may send; the others wait behind it.
    senders: RBTree<u64, Sender>,
    /// Source of receiver and sender tickets.
    next_ticket: u64,
    /// Nodes of `receivers` and `senders` that their last user left, for
    /// the next task that blocks: a queue whose tasks block in turn
    /// (a producer ahead of or behind its consumer) does not allocate
    /// (nor drop its lock to allocate) each time.
    spare_receiver: Option<RBTreeNodeReservation<u64, Receiver>>,
    spare_sender: Option<RBTreeNodeReservation<u64, Sender>>,
    /// Slots of receivers served, for the next ones that block.
    spare_slots: SpareSlots<Delivery>,
}

impl Inner {
    fn ticket(&mut self) -> u64 {
        self.next_ticket += 1;
        self.next_ticket
    }

    /// `msg_fits_inqueue()`: both the bytes and the number of messages
    /// are bounded by `qbytes`.
    fn fits(&self, size: usize) -> bool {
        size as u64 + self.cbytes <= self.qbytes && (self.messages.len() as u64) < self.qbytes
    }

    /// `pipelined_send()`: hands `msg` to the first waiting receiver that
    /// accepts it, giving `E2BIG` to waiting receivers it is too long for
    /// on the way; each receiver served leaves `receivers` and is added to
    /// `wake`. Returns the message if nobody took it.
    fn pipelined_send(&mut self, msg: ListArc<Msg>, wake: &mut WakeList) -> Option<ListArc<Msg>> {
        // Nobody waits (the usual case): no walk.
        let mut cursor = self.receivers.cursor_front_mut();
        while let Some(mut at) = cursor {
            let (&ticket, r) = at.current_mut();
            if !r.search.accepts(msg.mtype) {
                cursor = at.move_next();
                continue;
            }
            // Served, and out of `receivers`: the message if it fits,
            // else `E2BIG` and the walk goes on.
            wake.add(&r.task);
            if r.maxsize >= msg.text().len() {
                if let Some(pid) = r.pid.take() {
                    self.lrpid = Some(pid);
                }
                self.spare_slots.keep(&r.slot);
                *r.slot.lock() = Delivery::Done(Ok(msg));
                let (_, node) = at.remove_current();
                self.spare_receiver.get_or_insert(node.into_reservation());
                self.rtime = cred::real_seconds();
                return None;
            }
            *r.slot.lock() = Delivery::Done(Err(E2BIG));
            let (next, node) = at.remove_current();
            self.spare_receiver.get_or_insert(node.into_reservation());
            // `remove_current()` moves back if there is no next entry.
            cursor = next.filter(|c| *c.current().0 > ticket);
        }
        Some(msg)
    }

    /// `expunge_all()`: gives every waiting receiver `delivery` and takes
    /// them all out, to be woken once the lock is dropped.
    fn expunge_all(&mut self, delivery: impl Fn() -> Delivery) -> Expunged {
        let receivers = core::mem::replace(&mut self.receivers, RBTree::new());
        for r in receivers.values() {
            *r.slot.lock() = delivery();
        }
        Expunged(receivers)
    }

    /// `ss_wakeup()`: the first blocked sender, the only one that may
    /// send, marked woken, if its message fits now and it is not already
    /// woken; the caller wakes it once the lock is dropped. Linux wakes
    /// every sender whose message fits (each then competes for the room);
    /// ripc's senders go in arrival order, so the others would only go
    /// back to sleep.
    fn wake_first_sender(&mut self) -> Option<Sleeper> {
        let (cbytes, qnum, qbytes) = (self.cbytes, self.messages.len() as u64, self.qbytes);
        let mut first = self.senders.cursor_front_mut()?;
        let sender = first.current_mut().1;
        if sender.woken || sender.size as u64 + cbytes > qbytes || qnum >= qbytes {
            return None;
        }
        sender.woken = true;
        Some(sender.task.clone())
    }

    /// Whether the sender with `ticket` is the first blocked one.
    fn first_sender(&self, ticket: u64) -> bool {
        self.senders
            .cursor_front()
            .is_some_and(|c| *c.current().0 == ticket)
    }
}

/// Receivers taken out by [`Inner::expunge_all`], to wake without the lock.
struct Expunged(RBTree<u64, Receiver>);

impl Expunged {
    /// Wakes them all; call after dropping the lock.
    fn wake(self) {
        for r in self.0.values() {
            r.task.wake();
        }
    }
}

/// Records the current process in `slot` (`msg_lspid`, `msg_lrpid`),
/// keeping the reference already there if it is the same process.
fn record_current(slot: &mut Option<PidRef>) {
    if !slot.as_ref().is_some_and(PidRef::is_current) {
        *slot = Some(PidRef::current_process());
    }
}

/// The messages queued in all queues of a namespace, and their bytes
/// (`percpu_msg_hdrs`, `percpu_msg_bytes`): kept by the queues as messages
/// come and go, under each queue's lock, so that `MSG_INFO` does not visit
/// every queue.
#[derive(Default)]
pub(crate) struct MsgTotals {
    hdrs: AtomicU64,
    bytes: AtomicU64,
}

impl MsgTotals {
    fn add(&self, hdrs: u64, bytes: u64) {
        self.hdrs.fetch_add(hdrs, Relaxed);
        self.bytes.fetch_add(bytes, Relaxed);
    }

    fn sub(&self, hdrs: u64, bytes: u64) {
        self.hdrs.fetch_sub(hdrs, Relaxed);
        self.bytes.fetch_sub(bytes, Relaxed);
    }
}

/// A SysV message queue (`struct msg_queue`).
#[pin_data]
pub(crate) struct MsgQueue {
    #[pin]
    inner: SpinLock<Inner>,
    /// Its namespace's totals.
    totals: Arc<MsgTotals>,
}

impl IpcObject for MsgQueue {
    fn perm(&self) -> KernIpcPerm {
        self.inner.lock().perm
    }
}

impl MsgQueue {
    /// `newque()`: an empty queue of `msg_qbytes` `MSGMNB`.
    /// The index gets the nodes of its first type now: `msgget` is rarer
    /// than `msgsnd`, and the first message then needs no allocation.
    fn new(perm: KernIpcPerm, totals: Arc<MsgTotals>) -> Result<Arc<Self>> {
        let mut spares = Spares::new();
        spares.fill()?;
        let inner = Inner {
            perm,
            deleted: false,
            stime: 0,
            rtime: 0,
            ctime: cred::real_seconds(),
            cbytes: 0,
            qbytes: limits::msgmnb() as u64,
            lspid: None,
            lrpid: None,
            messages: MsgIndex::with_spares(spares),
            receivers: RBTree::new(),
            senders: RBTree::new(),
            next_ticket: 0,
            spare_receiver: None,
            spare_sender: None,
            spare_slots: SpareSlots::new(),
        };
        Arc::pin_init(
            pin_init!(Self {
                inner <- new_spinlock!(inner, "MsgQueue::inner"),
                totals,
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// `freeque()`: marks the queue removed, drops its messages and wakes
    /// every blocked sender and receiver, which return `EIDRM`. The caller
    /// has taken it out of the table.
    pub(crate) fn destroy(&self) {
        let mut inner = self.inner.lock();
        inner.deleted = true;
        self.totals.sub(inner.messages.len() as u64, inner.cbytes);
        inner.cbytes = 0;
        let messages = core::mem::replace(&mut inner.messages, MsgIndex::new());
        let receivers = inner.expunge_all(|| Delivery::Done(Err(eidrm())));
        let senders = core::mem::replace(&mut inner.senders, RBTree::new());
        drop(inner);
        drop(messages);
        receivers.wake();
        for sender in senders.values() {
            sender.task.wake();
        }
    }

    /// The locked part of `do_msgsnd()`: waits for room unless
    /// `IPC_NOWAIT`, then hands the message to a waiting receiver or
    /// queues it.
    fn send(&self, msg: ListArc<Msg>, flags: u32) -> Result {
        let size = msg.text().len();
        // Tree nodes allocated with the lock dropped, when needed: the
        // index's for a new type, this sender's entry in `senders`.
        let mut spares = Spares::new();
        let mut node = None;
        let mut inner = self.inner.lock();
        // Set once this sender waits in `senders`.
        let mut ticket = None;
        let result = loop {
            // A blocked sender is woken only once its message fits
            // (`ss_wakeup()`): until then, whatever `IPC_SET` changed, it
            // does not look at the mode again.
            if ticket.is_none() || inner.fits(size) {
                if let Err(err) = perm::ipcperms(&inner.perm, S_IWUGO) {
                    break Err(err);
                }
            }
            if inner.deleted {
                break Err(eidrm());
            }
            // A blocked sender goes only when it is first in line.
            let first = ticket.is_none_or(|t| inner.first_sender(t));
            if first && inner.fits(size) {
                if inner.messages.reserve(msg.mtype, &mut spares) {
                    break Ok(());
                }
                // Allocate unlocked, then look at the queue again.
                drop(inner);
                let filled = spares.fill();
                inner = self.inner.lock();
                match filled {
                    Ok(()) => continue,
                    Err(err) => break Err(err),
                }
            }
            if flags & IPC_NOWAIT != 0 {
                break Err(EAGAIN);
            }
            if ticket.is_none() {
                let Some(reservation) = node.take().or_else(|| inner.spare_sender.take()) else {
                    // Allocate unlocked, then look at the queue again.
                    drop(inner);
                    node = Some(RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?);
                    inner = self.inner.lock();
                    continue;
                };
                let t = inner.ticket();
                let sender = Sender {
                    size,
                    woken: false,
                    task: Sleeper::current(),
                };
                inner.senders.insert(reservation.into_node(t, sender));
                ticket = Some(t);
            } else if let Some(sender) = ticket.and_then(|t| inner.senders.get_mut(&t)) {
                // Back to sleep: the next receive that makes room wakes it.
                sender.woken = false;
            }
            sleep_unlocked(inner, NO_TIMEOUT);
            inner = self.inner.lock();
            if inner.deleted {
                break Err(eidrm());
            }
            if kernel::current!().signal_pending() {
                break Err(ERESTARTNOHAND);
            }
        };
        if let Some(entry) = ticket.and_then(|t| inner.senders.remove_node(&t)) {
            node = Some(entry.into_reservation());
        }
        if inner.spare_sender.is_none() {
            inner.spare_sender = node.take();
        }
        let mut receivers = WakeList::new();
        if result.is_ok() {
            record_current(&mut inner.lspid);
            inner.stime = cred::real_seconds();
            if let Some(msg) = inner.pipelined_send(msg, &mut receivers) {
                inner.cbytes += size as u64;
                self.totals.add(1, size as u64);
                // Cannot fail: room was reserved above.
                inner.messages.push(msg)?;
            }
        }
        // The next sender in line may go now.
        let sender = ticket.and_then(|_| inner.wake_first_sender());
        drop(inner);
        receivers.wake();
        if let Some(sender) = sender {
            sender.wake();
        }
        result
    }

    /// The locked part of `do_msgrcv()`: takes (or with `MSG_COPY`
    /// shares) the message `search` selects, waiting for one unless
    /// `IPC_NOWAIT`.
    fn receive(&self, search: Search, bufsz: usize, flags: u32) -> Result<Arc<Msg>> {
        // `MSG_COPY`'s walk of the queue, allocated unlocked.
        let mut scratch: Option<KVec<u64>> = None;
        // Its entry among the blocked receivers, allocated unlocked.
        let mut node = None;
        // Where it is served once it blocked.
        let mut slot: Option<Arc<Slot>> = None;
        let mut inner = self.inner.lock();
        loop {
            perm::ipcperms(&inner.perm, S_IRUGO)?;
            if inner.deleted {
                return Err(eidrm());
            }
            if let Search::Number(n) = search {
                let len = inner.messages.len();
                if scratch.as_ref().map_or(0, KVec::capacity) < len {
                    drop(inner);
                    scratch = Some(KVec::with_capacity(len, GFP_KERNEL_ACCOUNT)?);
                    inner = self.inner.lock();
                    continue;
                }
                // `MSG_COPY`: the n-th message, into a buffer of
                // `min(bufsz, MSGMAX)` (`copy_msg()`). Texts do not change
                // once queued, so the receiver shares it, uncopied.
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                let scratch = scratch.get_or_insert_with(KVec::new);
                if let Some(msg) = inner.messages.nth(n, scratch)? {
                    let len = msg.text().len();
                    if bufsz < len && flags & MSG_NOERROR == 0 {
                        return Err(E2BIG);
                    }
                    if len > bufsz.min(limits::msgmax()) {
                        return Err(EINVAL);
                    }
                    return Ok(msg.into());
                }
            } else if let Some(mtype) = inner.messages.find(search) {
                let fits = |msg: &Msg| {
                    if bufsz < msg.text().len() && flags & MSG_NOERROR == 0 {
                        return Err(E2BIG);
                    }
                    Ok(())
                };
                let msg = inner.messages.take_if(mtype, fits)?.ok_or(EINVAL)?;
                let len = msg.text().len();
                inner.cbytes -= len as u64;
                self.totals.sub(1, len as u64);
                inner.rtime = cred::real_seconds();
                record_current(&mut inner.lrpid);
                // There may be room now.
                let sender = inner.wake_first_sender();
                drop(inner);
                if let Some(sender) = sender {
                    sender.wake();
                }
                return Ok(msg.into_arc());
            }
            if flags & IPC_NOWAIT != 0 {
                return Err(enomsg());
            }
            // Its slot: its own after an `IPC_SET`, else one that a
            // receiver served before left.
            let Some(mine) = slot.take().or_else(|| inner.spare_slots.reuse()) else {
                // Allocate unlocked, then look at the queue again.
                drop(inner);
                slot = Some(Arc::pin_init(
                    new_spinlock!(Delivery::Waiting, "MsgQueue::slot"),
                    GFP_KERNEL_ACCOUNT,
                )?);
                inner = self.inner.lock();
                continue;
            };
            let Some(reservation) = node.take().or_else(|| inner.spare_receiver.take()) else {
                // Allocate unlocked, then look at the queue again.
                slot = Some(mine);
                drop(inner);
                node = Some(RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?);
                inner = self.inner.lock();
                continue;
            };
            let ticket = inner.ticket();
            let receiver = Receiver {
                search,
                maxsize: if flags & MSG_NOERROR != 0 {
                    i32::MAX as usize
                } else {
                    bufsz
                },
                pid: Some(PidRef::current_process()),
                slot: mine.clone(),
                task: Sleeper::current(),
            };
            inner
                .receivers
                .insert(reservation.into_node(ticket, receiver));
            let rescan = loop {
                sleep_unlocked(inner, NO_TIMEOUT);
                // Lockless receive (see `Slot`): served, it returns without
                // the queue's lock.
                let delivery = match Delivery::take(&mine) {
                    Delivery::Waiting => {
                        // Not served yet, or only just: look again under
                        // the lock, which orders this against any server.
                        let locked = self.inner.lock();
                        match Delivery::take(&mine) {
                            Delivery::Waiting => {
                                inner = locked;
                                if !kernel::current!().signal_pending() {
                                    // A spurious wake-up: sleep on.
                                    continue;
                                }
                                // Unserved, so still queued: leave.
                                if let Some(entry) = inner.receivers.remove_node(&ticket) {
                                    inner.spare_receiver.get_or_insert(entry.into_reservation());
                                }
                                *mine.lock() = Delivery::Free;
                                inner.spare_slots.keep(&mine);
                                return Err(ERESTARTNOHAND);
                            }
                            delivery => (delivery, Some(locked)),
                        }
                    }
                    delivery => (delivery, None),
                };
                match delivery {
                    // A message handed over wins over a signal: it is
                    // never lost.
                    (Delivery::Done(result), _) => return result.map(ListArc::into_arc),
                    // `IPC_SET`: check permissions and look again.
                    (_, locked) => break locked,
                }
            };
            inner = rescan.unwrap_or_else(|| self.inner.lock());
            *mine.lock() = Delivery::Waiting;
            slot = Some(mine);
        }
    }
}

/// `msgget()`.
pub(crate) fn msgget(key: i32, msgflg: i32) -> Result<isize> {
    ipc::sweep_dead_namespaces();
    let tables = ipc::current_ns()?;
    // A known key first, as `ipcget_public()`: nothing to allocate.
    if key != ipc::IPC_PRIVATE {
        if let Some(id) = tables.lock_msg().msg.find_key(key, msgflg, |_| Ok(()))? {
            return Ok(id as isize);
        }
    }
    let existing = tables.lock_msg().msg_totals.clone();
    let totals = match existing {
        Some(totals) => totals,
        None => {
            // Allocated unlocked; another `msgget` may have won meanwhile.
            let fresh = Arc::new(MsgTotals::default(), GFP_KERNEL_ACCOUNT)?;
            tables.lock_msg().msg_totals.get_or_insert(fresh).clone()
        }
    };
    let id = tables.get(
        NsTables::lock_msg,
        |ns| &mut ns.msg,
        key,
        msgflg,
        tables.tunable(Cell::MsgMni),
        |_| Ok(()),
        |perm| MsgQueue::new(perm, totals),
    )?;
    Ok(id as isize)
}

/// `msgsnd()`: `mtype` and the text are copied in before the queue is
/// looked at, so a bad pointer is `EFAULT` whatever the queue's state.
pub(crate) fn msgsnd(args: &uapi::ripc_msgsnd_args) -> Result<isize> {
    let msgp = args.msgp as usize;
    let size = usize::try_from(args.msgsz);
    // A short text comes in with `mtype`, in one copy.
    let short = size
        .ok()
        .and_then(|size| Text::msgbuf_from_user(UserPtr::from_addr(msgp), size));
    let (mtype, short_text) = match short {
        Some((mtype, text)) => (mtype, Some(text)),
        None => {
            let mtype: i64 = UserSlice::new(UserPtr::from_addr(msgp), MTYPE_SIZE)
                .reader()
                .read()?;
            (mtype, None)
        }
    };
    let size = size.map_err(|_| EINVAL)?;
    // The namespace is looked up once, for its limit and its table.
    let tables = ipc::current_ns()?;
    if size > tables.tunable(Cell::MsgMax) || args.msqid < 0 || mtype < 1 {
        return Err(EINVAL);
    }
    let text = match short_text {
        Some(text) => text,
        None => Text::from_user(UserSlice::new(
            UserPtr::from_addr(msgp.wrapping_add(MTYPE_SIZE)),
            size,
        ))?,
    };
    let msg = Msg::new(mtype, text)?;
    let queue = tables.index().msg.obtain_check(args.msqid)?;
    queue.send(msg, args.msgflg as u32)?;
    Ok(0)
}

/// `msgrcv()`: returns the number of bytes of text copied out. A message
/// whose copy-out faults is lost, as in Linux.
pub(crate) fn msgrcv(args: &uapi::ripc_msgrcv_args) -> Result<isize> {
    let flags = args.msgflg as u32;
    let bufsz = usize::try_from(args.msgsz)
        .ok()
        .filter(|&n| isize::try_from(n).is_ok())
        .ok_or(EINVAL)?;
    if args.msqid < 0 {
        return Err(EINVAL);
    }
    if flags & MSG_COPY != 0 && (flags & MSG_EXCEPT != 0 || flags & IPC_NOWAIT == 0) {
        return Err(EINVAL);
    }
    let search = Search::new(args.msgtyp, flags);
    let queue = ipc::lookup(|ns| ns.msg.obtain_check(args.msqid))??;
    let msg = queue.receive(search, bufsz, flags)?;
    // `do_msg_fill()`.
    let msgp = args.msgp as usize;
    UserSlice::new(UserPtr::from_addr(msgp), MTYPE_SIZE)
        .writer()
        .write(&msg.mtype)?;
    let len = bufsz.min(msg.text().len());
    UserSlice::new(UserPtr::from_addr(msgp.wrapping_add(MTYPE_SIZE)), len)
        .writer()
        .write_slice(&msg.text()[..len])?;
    Ok(len as isize)
}

/// `msgctl()`.
pub(crate) fn msgctl(args: &uapi::ripc_msgctl_args) -> Result<isize> {
    let (id, cmd) = (args.msqid, args.cmd);
    if id < 0 || cmd < 0 {
        return Err(EINVAL);
    }
    let buf = UserSlice::new(
        UserPtr::from_addr(args.buf as usize),
        size_of::<uapi::ripc_msqid64_ds>(),
    );
    match cmd as u32 {
        uapi::RIPC_IPC_INFO | uapi::RIPC_MSG_INFO => {
            let (info, max_idx) = info(cmd as u32 == uapi::RIPC_MSG_INFO)?;
            UserSlice::new(UserPtr::from_addr(args.buf as usize), size_of_val(&info))
                .writer()
                .write(&info)?;
            Ok(max_idx)
        }
        uapi::RIPC_IPC_STAT | uapi::RIPC_MSG_STAT | uapi::RIPC_MSG_STAT_ANY => {
            let (ds, ret) = stat(id, cmd as u32)?;
            buf.writer().write(&ds)?;
            Ok(ret)
        }
        uapi::RIPC_IPC_SET => {
            let ds: uapi::ripc_msqid64_ds = buf.reader().read()?;
            set(id, &ds)?;
            Ok(0)
        }
        uapi::RIPC_IPC_RMID => {
            let tables = ipc::current_ns()?;
            let mut ns = tables.lock_msg();
            let queue = ns.msg.obtain_check(id)?;
            perm::may_change(&queue.perm())?;
            ns.msg.remove(id)?;
            drop(ns);
            // Out of the table, nobody finds it: free its messages and
            // wake its waiters unlocked.
            queue.destroy();
            Ok(0)
        }
        _ => Err(EINVAL),
    }
}

/// `msgctl_info()`: the limits, and with `MSG_INFO` the usage: queues in
/// `msgpool`, messages in `msgmap`, bytes in `msgtql`. Returns the highest
/// slot in use, which `ipcs` uses to walk the queues with `MSG_STAT`.
fn info(usage: bool) -> Result<(uapi::ripc_msginfo, isize)> {
    let clamp = |n: u64| n.min(i32::MAX as u64) as i32;
    let tables = ipc::current_ns()?;
    let ns = tables.lock_msg();
    let mut info = uapi::ripc_msginfo {
        msgpool: limits::MSGPOOL as i32,
        msgmap: limits::MSGMAP as i32,
        msgmax: limits::msgmax() as i32,
        msgmnb: limits::msgmnb() as i32,
        msgmni: limits::msgmni() as i32,
        msgssz: limits::MSGSSZ as i32,
        msgtql: limits::MSGTQL as i32,
        msgseg: limits::MSGSEG as u16,
        __pad: 0,
    };
    if usage {
        let (hdrs, bytes) = ns.msg_totals.as_ref().map_or((0, 0), |totals| {
            (totals.hdrs.load(Relaxed), totals.bytes.load(Relaxed))
        });
        info.msgpool = clamp(ns.msg.in_use() as u64);
        info.msgmap = clamp(hdrs);
        info.msgtql = clamp(bytes);
    }
    Ok((info, ns.msg.max_idx().unwrap_or(0) as isize))
}

/// `msgctl_stat()`: `IPC_STAT` by id (returns 0), `MSG_STAT` and
/// `MSG_STAT_ANY` by slot index (return the full id). All but
/// `MSG_STAT_ANY` need read permission.
fn stat(id: i32, cmd: u32) -> Result<(uapi::ripc_msqid64_ds, isize)> {
    let queue = ipc::lookup(|ns| ns.msg.obtain_for_stat(id, cmd))??;
    let inner = queue.inner.lock();
    if cmd != uapi::RIPC_MSG_STAT_ANY {
        perm::ipcperms(&inner.perm, S_IRUGO)?;
    }
    if inner.deleted {
        return Err(eidrm());
    }
    let ds = uapi::ripc_msqid64_ds {
        msg_perm: inner.perm.to_user(),
        msg_stime: inner.stime,
        msg_rtime: inner.rtime,
        msg_ctime: inner.ctime,
        msg_cbytes: inner.cbytes,
        msg_qnum: inner.messages.len() as u64,
        msg_qbytes: inner.qbytes,
        msg_lspid: inner.lspid.as_ref().map_or(0, PidRef::nr),
        msg_lrpid: inner.lrpid.as_ref().map_or(0, PidRef::nr),
        __unused4: 0,
        __unused5: 0,
    };
    Ok((ds, ipc::stat_return(cmd, inner.perm.id)))
}

/// `msgctl_down(IPC_SET)`: new owner, mode and `msg_qbytes`, by the owner,
/// the creator or `CAP_SYS_ADMIN`; raising `msg_qbytes` above `MSGMNB`
/// needs `CAP_SYS_RESOURCE`. Blocked receivers look again (the mode may
/// now refuse them), blocked senders too (there may be room).
fn set(id: i32, ds: &uapi::ripc_msqid64_ds) -> Result {
    let queue = ipc::lookup(|ns| ns.msg.obtain_check(id))??;
    let mut inner = queue.inner.lock();
    // Removed since the lookup: as if the removal had come first (Linux
    // holds the table's rwsem across both).
    if inner.deleted {
        return Err(EINVAL);
    }
    perm::may_change(&inner.perm)?;
    // Linux passes `msg_qbytes` on as an `int`; so does ripc.
    let qbytes = ds.msg_qbytes as i32;
    if qbytes > limits::msgmnb() as i32 && !capable(Capability::SysResource) {
        return Err(EPERM);
    }
    inner.perm.update(&ds.msg_perm)?;
    inner.qbytes = i64::from(qbytes) as u64;
    inner.ctime = cred::real_seconds();
    let receivers = inner.expunge_all(|| Delivery::Rescan);
    // `msg_qbytes` may have grown.
    let sender = inner.wake_first_sender();
    drop(inner);
    receivers.wake();
    if let Some(sender) = sender {
        sender.wake();
    }
    Ok(())
}

/// `sysvipc/msg` in ripcfs: the queues as `/proc/sysvipc/msg` lists them.
pub(crate) struct Status;

/// Bytes per line of [`Status`]: 120 when the numbers fit their columns,
/// and some room.
const STATUS_LINE: usize = 128;

impl StatusFile for Status {
    fn size_hint(tables: &NsTables) -> usize {
        (tables.lock_msg().msg.in_use() + 1) * STATUS_LINE
    }

    fn show(m: &SeqFile, view: &StatusView<'_>) {
        seq_print!(
            m,
            "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n"
        );
        // pids as the opener sees them (`ipc_seq_pid_ns()`, fixed at open).
        let pid_ns = view.pid_ns();
        let ns = view.tables().lock_msg();
        for queue in ns.msg.iter() {
            let q = queue.inner.lock();
            seq_print!(
                m,
                "{:10} {:10}  {:4o}  {:10} {:10} {:5} {:5} {:5} {:5} {:5} {:5} {:10} {:10} {:10}\n",
                q.perm.key,
                q.perm.id,
                q.perm.mode,
                q.cbytes,
                q.messages.len(),
                q.lspid.as_ref().map_or(0, |pid| pid.nr_in(pid_ns)),
                q.lrpid.as_ref().map_or(0, |pid| pid.nr_in(pid_ns)),
                q.perm.uid.to_user(),
                q.perm.gid.to_user(),
                q.perm.cuid.to_user(),
                q.perm.cgid.to_user(),
                q.stime,
                q.rtime,
                q.ctime
            );
        }
    }
}
