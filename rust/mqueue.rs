// SPDX-License-Identifier: GPL-2.0

//! POSIX message queues, as `ipc/mqueue.c`, named in ripcfs's `mq/`.
//!
//! Data flow: `RIPC_IOC_MQ_OPEN` on `/dev/ripc` → [`open`] → an `open(2)`
//! of the name in the `mq/` directory the caller passes, inside the ioctl
//! ([`crate::glue::ripcfs::open_in_kind_dir`]); with `O_CREAT` ripcfs
//! makes the queue through [`Mqueue::create_named`], which takes the
//! attributes [`open`] left for the current task. The other calls are
//! ioctls, `read` and `poll` on the descriptor, in the [`ObjectFile`]
//! methods below.
//!
//! | `ipc/mqueue.c`                   | ripc                              |
//! |----------------------------------|-----------------------------------|
//! | `struct mqueue_inode_info`       | [`Mqueue`] (state in `Inner`)     |
//! | `info->attr` (`struct mq_attr`)  | [`Mqueue::attr`], `Inner::messages.len()` |
//! | `info->msg_tree` (by priority)   | `Inner::messages` ([`messages`])  |
//! | `struct msg_msg`                 | [`messages::Msg`]                 |
//! | `info->qsize`                    | `Inner::messages.bytes()`         |
//! | `struct ext_wait_queue`          | `Blocked`, its `Slot` (`state`)   |
//! | `info->e_wait_q[SEND]`, `[RECV]` | `Inner::senders`, `Inner::receivers` |
//! | `info->wait_q` (pollers)         | [`Mqueue::pollers`]               |
//! | `wq_add()`, `wq_get_first_waiter()` | `Inner::block`, the trees' first entry |
//! | `pipelined_send()`, `pipelined_receive()` | in `Mqueue::send`, `Mqueue::receive` |
//! | `notify`, `notify_owner`         | `Inner::notify` (`Registration`)  |
//! | `do_mq_open()`, `mqueue_create_attr()` | [`open`], [`Mqueue::create_named`] |
//! | `mq_attr_ok()`                   | `attr_ok`                         |
//! | `do_mq_timedsend()`              | `Mqueue::send`                    |
//! | `do_mq_timedreceive()`           | `Mqueue::receive`                 |
//! | `do_mq_getsetattr()`             | `Mqueue::getsetattr`              |
//! | `do_mq_notify()`, `__do_notify()`| `Mqueue::set_notify`, `Registration::fire` |
//! | `mqueue_read_file()`             | `Mqueue::read_at`                 |
//! | `mqueue_poll_file()`             | `Mqueue::poll`                    |
//! | `mqueue_flush_file()`            | `Mqueue::flush`                   |
//!
//! Blocked senders and receivers each sleep as their own task
//! ([`crate::wake`]), in two trees ordered as Linux serves them: by task
//! priority, then in arrival order. A sender that finds a receiver waiting
//! hands it the message and wakes that receiver only; a receiver that
//! frees a place moves the first waiting sender's message into the queue
//! and wakes that sender only. Either takes the served entry out and says
//! so in the served task's own `Slot`, which then returns without taking
//! the queue's lock again, as `wq_sleep()` does. Pollers sleep on
//! [`Mqueue::pollers`] and are woken where Linux wakes `info->wait_q`.
//!
//! Locks: each queue has one (`inner`), a mutex, so that a new priority's
//! tree node can be allocated under it; a blocked task's `Slot` is taken
//! under it, or alone by its task. Waiters are woken and notifications
//! delivered (or dropped) after `inner` is dropped.
//! `MQ_PENDING` is taken alone, in [`open`] and (under the VFS's directory
//! lock) in [`Mqueue::create_named`], never together with a queue's lock.

mod messages;

use crate::{
    glue::{
        cred::{self, PidRef, RegistrantCred},
        global::{MQ_PENDING, MQ_USER_BYTES},
        object_file::{self, ObjectFile},
        process,
        ripcfs::{self, NamedObject},
        task::{capable, Capability},
        task::{current_prio, current_self_exec_id, in_compat_syscall, sleep_unlocked_until},
        wait::PollTable,
        AssertSync,
    },
    limits::{
        self,
        charge::{Charge, Ledger},
    },
    notify::{self, Notifier},
    uapi,
    wake::{Sleeper, SlotState, SpareSlots, WakeList},
};
use kernel::{
    bindings,
    fs::{File, LocalFile},
    list::ListArc,
    new_mutex, new_poll_condvar, new_spinlock,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    str::CString,
    sync::{lock::GlobalGuard, poll::PollCondVar, Arc, ArcBorrow, Mutex, MutexGuard, SpinLock},
    uaccess::{UserPtr, UserSlice, UserSliceWriter},
};
use messages::{Messages, Msg};

/// The files of a queue: those of every ripc object, but the status line
/// can be read again after an `lseek()` (`default_llseek`, as Linux).
static MQUEUE_FOPS: AssertSync<bindings::file_operations> = AssertSync(bindings::file_operations {
    llseek: Some(bindings::default_llseek),
    ..object_file::fops::<Mqueue>()
});

/// The ledger of queue bytes per user, [`MQ_USER_BYTES`], checked against
/// `RLIMIT_MSGQUEUE`.
struct MqBytes;

impl Ledger for MqBytes {
    type Backend = MQ_USER_BYTES;

    fn lock() -> GlobalGuard<MQ_USER_BYTES> {
        MQ_USER_BYTES.lock()
    }
}

/// What Linux charges a queue of `attr` to its creator's
/// `RLIMIT_MSGQUEUE` (`mqueue_get_inode()`): the message space plus, per
/// message, a `struct msg_msg` (48 bytes) and, per priority in use at most,
/// a `struct posix_msg_tree_node` (48 bytes). `EOVERFLOW` if it does not
/// fit in a `usize`.
fn queue_bytes(attr: &MqAttr) -> Result<usize> {
    const MSG_MSG_SIZE: usize = 48;
    const TREE_NODE_SIZE: usize = 48;
    const MQ_PRIO_MAX: usize = 32768;
    let tree = attr.maxmsg * MSG_MSG_SIZE + attr.maxmsg.min(MQ_PRIO_MAX) * TREE_NODE_SIZE;
    attr.maxmsg
        .checked_mul(attr.msgsize)
        .and_then(|bytes| bytes.checked_add(tree))
        .ok_or(EOVERFLOW)
}

/// `NAME_MAX`: the longest queue name.
const NAME_MAX: usize = 255;

/// The attributes a queue is created with (`mq_maxmsg`, `mq_msgsize`).
#[derive(Clone, Copy)]
struct MqAttr {
    maxmsg: usize,
    msgsize: usize,
}

impl MqAttr {
    /// The attributes of a queue made without any: the defaults, capped by
    /// the maxima (`mqueue_get_inode()`).
    fn default_attr() -> Self {
        Self {
            maxmsg: limits::mq_msg_default().min(limits::mq_msg_max() as usize),
            msgsize: limits::mq_msgsize_default().min(limits::mq_msgsize_max() as usize),
        }
    }
}

/// `mq_attr_ok()`: both positive, and not above `mq_msg_max` and
/// `mq_msgsize_max` (the hard limits with `CAP_SYS_RESOURCE`).
fn attr_ok(attr: &uapi::ripc_mq_attr) -> Result<MqAttr> {
    let (maxmsg, msgsize) = (attr.mq_maxmsg, attr.mq_msgsize);
    if maxmsg <= 0 || msgsize <= 0 {
        return Err(EINVAL);
    }
    let (max_msg, max_size) = if capable(Capability::SysResource) {
        (limits::MQ_HARD_MSGMAX, limits::MQ_HARD_MSGSIZEMAX)
    } else {
        (limits::mq_msg_max(), limits::mq_msgsize_max())
    };
    if maxmsg > max_msg || msgsize > max_size {
        return Err(EINVAL);
    }
    Ok(MqAttr {
        maxmsg: maxmsg as usize,
        msgsize: msgsize as usize,
    })
}

/// How a registered process is notified.
enum How {
    /// `SIGEV_NONE`: registration only.
    Nothing,
    /// `SIGEV_SIGNAL`: `signo` (0: nothing is sent) with `value` as
    /// `si_value`, unless the process has called `execve()` since it
    /// registered, when its `self_exec_id` was `exec_id`.
    Signal {
        signo: i32,
        value: u64,
        exec_id: u64,
        /// Whose user namespace `si_uid` is given in (`notify_user_ns`).
        registrant: RegistrantCred,
    },
    /// `SIGEV_THREAD`, as libripc implements it: its helper thread reads
    /// the notifier, which gets [`uapi::RIPC_MQ_NOTIFY_WOKENUP`] when the
    /// notification fires and [`uapi::RIPC_MQ_NOTIFY_REMOVED`] when the
    /// registration goes without firing (Linux's netlink cookie, with
    /// `NOTIFY_WOKENUP` and `NOTIFY_REMOVED`).
    Thread(Arc<Notifier>),
    /// ripc's own: add 1 to a notifier.
    Notifier(Arc<Notifier>),
}

/// The process registered with `mq_notify()` (`notify_owner`) and how.
///
/// Dropped without firing, it is removed (`remove_notification()`):
/// a `SIGEV_THREAD` helper is told so. Drop it with no lock held.
struct Registration {
    owner: PidRef,
    how: How,
}

impl Registration {
    /// `sigev_notify`, as the `NOTIFY:` field shows it.
    fn sigev_notify(&self) -> u32 {
        match self.how {
            How::Nothing => uapi::RIPC_SIGEV_NONE,
            How::Signal { .. } => uapi::RIPC_SIGEV_SIGNAL,
            How::Thread(_) => uapi::RIPC_SIGEV_THREAD,
            How::Notifier(_) => uapi::RIPC_SIGEV_NOTIFIER,
        }
    }

    /// `__do_notify()`: delivers the notification, from the current
    /// (sending) task; the registration is then gone.
    fn fire(mut self) {
        match core::mem::replace(&mut self.how, How::Nothing) {
            How::Nothing | How::Signal { signo: 0, .. } => {}
            How::Signal {
                signo,
                value,
                exec_id,
                registrant,
            } => self
                .owner
                .send_mq_notification(signo, value, exec_id, &registrant),
            How::Thread(notifier) => notifier.signal(uapi::RIPC_MQ_NOTIFY_WOKENUP.into()),
            How::Notifier(notifier) => notifier.signal(1),
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let How::Thread(notifier) = &self.how {
            notifier.signal(uapi::RIPC_MQ_NOTIFY_REMOVED.into());
        }
    }
}

/// What a blocked task was given (`ext_wait_queue::state`, and `msg` for a
/// receiver).
enum State {
    /// Not served yet (`STATE_NONE`).
    Waiting,
    /// Served (`STATE_READY`): a receiver gets its message; a sender's
    /// message (`None` here) is in the queue.
    Ready(Option<ListArc<Msg>>),
    /// Its task took what it was given and left.
    Free,
}

impl SlotState for State {
    const WAITING: Self = Self::Waiting;
    const FREE: Self = Self::Free;
}

/// Where a blocked task is served, shared by the task and its entry in
/// `Inner::senders` or `Inner::receivers`: a task that was served returns
/// without taking the queue's lock again, as in `wq_sleep()`.
///
/// Only a task holding the queue's lock moves a slot to `Ready`, and it
/// takes the entry out of its list at the same time: a task that finds its
/// slot `Ready` knows nobody else touches it, and one that finds it
/// `Waiting` under the queue's lock knows that its entry is still queued.
/// The slot's own lock orders the handover: what the server did before
/// storing `Ready` (the receiver's message, built before the queue was
/// locked; the sender's message, queued) is visible to the task that takes
/// it, as the `smp_store_release()` and `smp_acquire__after_ctrl_dep()`
/// pair (`MQ_BARRIER`) does in Linux. The server wakes the task after
/// dropping the queue's lock, through a reference to it: by then the task
/// may have returned (woken by a signal or its timeout, it found `Ready`),
/// which costs it a spurious wake-up and nothing else. The queue keeps the
/// slots of tasks it served (`Inner::spare_slots`) and hands one out again
/// once its task has left it `Free`.
type Slot = SpinLock<State>;

/// Orders blocked tasks as Linux serves them: by `task->prio` when they
/// blocked (the lowest first), then in arrival order.
type WaiterKey = (i32, u64);

/// A task blocked in `mq_timedsend()` or `mq_timedreceive()` (`struct
/// ext_wait_queue`).
struct Blocked {
    /// A sender's message, until a receiver moves it into the queue.
    msg: Option<ListArc<Msg>>,
    /// Where it is served.
    slot: Arc<Slot>,
    task: Sleeper,
}

struct Inner {
    /// The messages, highest priority first, FIFO within a priority;
    /// `mq_curmsgs` is their number, `QSIZE` their bytes.
    messages: Messages,
    /// Senders blocked on a full queue, and receivers blocked on an empty
    /// one, in the order they are served. An entry is in its list exactly
    /// as long as its slot is `Waiting`.
    senders: RBTree<WaiterKey, Blocked>,
    receivers: RBTree<WaiterKey, Blocked>,
    next_ticket: u64,
    notify: Option<Registration>,
    /// The node of the last task served and slots of tasks served, for
    /// the next ones that block: tasks that block in turn do not allocate
    /// each time.
    spare_node: Option<RBTreeNodeReservation<WaiterKey, Blocked>>,
    spare_slots: SpareSlots<State>,
}

/// Which list a blocked task waits in (`SEND`, `RECV`).
#[derive(Clone, Copy)]
enum Side {
    Send,
    Receive,
}

impl Inner {
    fn list(&mut self, side: Side) -> &mut RBTree<WaiterKey, Blocked> {
        match side {
            Side::Send => &mut self.senders,
            Side::Receive => &mut self.receivers,
        }
    }

    /// `wq_add()`: queues the current task on `side`, after every waiter
    /// of the same or a more urgent priority. Returns its key and slot.
    fn block(&mut self, side: Side, msg: Option<ListArc<Msg>>) -> Result<(WaiterKey, Arc<Slot>)> {
        let node = match self.spare_node.take() {
            Some(node) => node,
            None => RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?,
        };
        let slot = match self.spare_slots.reuse() {
            Some(slot) => slot,
            None => Arc::pin_init(
                new_spinlock!(State::Waiting, "Mqueue::slot"),
                GFP_KERNEL_ACCOUNT,
            )?,
        };
        self.next_ticket += 1;
        let key = (current_prio(), self.next_ticket);
        let blocked = Blocked {
            msg,
            slot: slot.clone(),
            task: Sleeper::current(),
        };
        self.list(side).insert(node.into_node(key, blocked));
        Ok((key, slot))
    }

    /// Takes the entry of the unserved waiter `key` out of `side` and
    /// returns its message. Only that waiter does this, and only while its
    /// slot is `Waiting`, so the entry is there.
    fn unblock(&mut self, side: Side, key: WaiterKey) -> Option<ListArc<Msg>> {
        let list = match side {
            Side::Send => &mut self.senders,
            Side::Receive => &mut self.receivers,
        };
        let mut entry = list.find_mut(&key)?;
        let blocked = entry.get_mut();
        let msg = blocked.msg.take();
        *blocked.slot.lock() = State::Free;
        self.spare_slots.keep(&blocked.slot);
        self.spare_node
            .get_or_insert(entry.remove_node().into_reservation());
        msg
    }

    /// Serves the first waiting receiver, if any, with `msg`
    /// (`pipelined_send()`); gives `msg` back if there is none.
    fn hand_to_receiver(&mut self, msg: ListArc<Msg>, wake: &mut WakeList) -> Option<ListArc<Msg>> {
        let Some(mut first) = self.receivers.cursor_front_mut() else {
            return Some(msg);
        };
        let receiver = first.current_mut().1;
        wake.add(&receiver.task);
        self.spare_slots.keep(&receiver.slot);
        *receiver.slot.lock() = State::Ready(Some(msg));
        let (_, node) = first.remove_current();
        self.spare_node.get_or_insert(node.into_reservation());
        None
    }

    /// Moves the first waiting sender's message into the queue, which has
    /// a free place (`pipelined_receive()`), and returns whether there
    /// was a sender. Without memory for the move, the sender stays
    /// blocked (Linux: `msg_insert()` failing).
    fn take_from_sender(&mut self, wake: &mut WakeList) -> bool {
        let Some(mut first) = self.senders.cursor_front_mut() else {
            return false;
        };
        let sender = first.current_mut().1;
        let Some(msg) = sender.msg.take() else {
            return true;
        };
        if let Err(msg) = self.messages.push(msg) {
            sender.msg = Some(msg);
            return true;
        }
        wake.add(&sender.task);
        self.spare_slots.keep(&sender.slot);
        *sender.slot.lock() = State::Ready(None);
        let (_, node) = first.remove_current();
        self.spare_node.get_or_insert(node.into_reservation());
        true
    }
}

/// A POSIX message queue (`struct mqueue_inode_info`).
#[pin_data]
pub(crate) struct Mqueue {
    attr: MqAttr,
    #[pin]
    inner: Mutex<Inner>,
    /// Pollers (`info->wait_q`); blocked senders and receivers sleep on
    /// their own slots.
    #[pin]
    pollers: PollCondVar,
    /// The queue's bytes, charged to its creator's real uid.
    _charge: Charge<MqBytes>,
}

impl Mqueue {
    /// A new queue. `mq_queues_max` is ripcfs's to count: queues are the
    /// names of its `mq/` in one IPC namespace (`Kind::limited_by`).
    fn new(attr: MqAttr) -> Result<Arc<Self>> {
        let bytes = queue_bytes(&attr)?;
        let (charge, total) = Charge::new(current!().uid(), bytes)?;
        if total > process::rlimit_msgqueue() {
            return Err(EMFILE);
        }
        Arc::pin_init(
            pin_init!(Self {
                attr,
                inner <- new_mutex!(
                    Inner {
                        messages: Messages::new(),
                        senders: RBTree::new(),
                        receivers: RBTree::new(),
                        next_ticket: 0,
                        notify: None,
                        spare_node: None,
                        spare_slots: SpareSlots::new(),
                    },
                    "Mqueue::inner"
                ),
                pollers <- new_poll_condvar!("Mqueue::pollers"),
                _charge: charge,
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// `wq_sleep()`: blocks the current task on `side` until it is
    /// served, a signal comes (`ERESTARTSYS`) or `deadline` (in ns of
    /// `CLOCK_REALTIME`) is reached (`ETIMEDOUT`); served wins over both.
    /// The deadline is exact, on a high-resolution timer, as in Linux; one
    /// already past is `ETIMEDOUT` at once. Returns the message handed to
    /// a receiver.
    fn sleep<'a>(
        &'a self,
        mut inner: MutexGuard<'a, Inner>,
        side: Side,
        msg: Option<ListArc<Msg>>,
        deadline: Option<i64>,
    ) -> Result<Option<ListArc<Msg>>> {
        if deadline.is_some_and(|deadline| deadline <= cred::real_time_ns()) {
            return Err(ETIMEDOUT);
        }
        let (key, slot) = inner.block(side, msg)?;
        loop {
            let timed_out = sleep_unlocked_until(inner, deadline);
            // Lockless (see `Slot`): served, it returns without the lock.
            if let State::Ready(msg) = State::take(&slot) {
                return Ok(msg);
            }
            // Not served yet, or only just: look again under the lock,
            // which orders this against any server. Served wins over a
            // signal and the timeout: a message handed over is never lost.
            inner = self.inner.lock();
            if let State::Ready(msg) = State::take(&slot) {
                return Ok(msg);
            }
            let err = if kernel::current!().signal_pending() {
                ERESTARTSYS
            } else if timed_out {
                ETIMEDOUT
            } else {
                continue;
            };
            // Unserved, so still queued: leave, and drop a sender's
            // message once unlocked.
            let msg = inner.unblock(side, key);
            drop(inner);
            drop(msg);
            return Err(err);
        }
    }

    /// `do_mq_timedsend()`.
    fn send(&self, file: &File, args: &uapi::ripc_mq_timed_args) -> Result {
        // The timeout first, as the `mq_timedsend()` syscall reads it.
        let deadline = read_timeout(args.abs_timeout)?;
        if args.msg_prio >= u64::from(uapi::RIPC_MQ_PRIO_MAX) {
            return Err(EINVAL);
        }
        // `FMODE_WRITE`, not the access mode: a file opened with access
        // mode 3 may do neither.
        if !object_file::opened_for_write(file) {
            return Err(EBADF);
        }
        let len = usize::try_from(args.msg_len).map_err(|_| EMSGSIZE)?;
        if len > self.attr.msgsize {
            return Err(EMSGSIZE);
        }
        let msg = Msg::from_user(
            args.msg_prio as u32,
            UserPtr::from_addr(args.msg_ptr as usize),
            len,
        )?;

        let mut inner = self.inner.lock();
        if inner.messages.len() >= self.attr.maxmsg {
            if nonblocking(file) {
                return Err(EAGAIN);
            }
            // A receiver queues the message and wakes this task.
            return self
                .sleep(inner, Side::Send, Some(msg), deadline)
                .map(|_| ());
        }
        let mut wake = WakeList::new();
        let mut fire = None;
        let queued = match inner.hand_to_receiver(msg, &mut wake) {
            None => false,
            Some(msg) => {
                inner.messages.push(msg).map_err(|_| ENOMEM)?;
                // Empty to non-empty (no receiver waits, or it would have
                // had the message): notify, once (`__do_notify()`).
                if inner.messages.len() == 1 {
                    fire = inner.notify.take();
                }
                true
            }
        };
        object_file::touch_times(file);
        drop(inner);
        wake.wake();
        if queued {
            self.pollers.notify_all();
        }
        if let Some(registration) = fire {
            registration.fire();
        }
        Ok(())
    }

    /// `do_mq_timedreceive()`: the oldest message of the highest
    /// priority. A message whose copy-out faults is lost, as in Linux.
    fn receive(&self, file: &File, args: &uapi::ripc_mq_timed_args) -> Result<isize> {
        let deadline = read_timeout(args.abs_timeout)?;
        if !object_file::opened_for_read(file) {
            return Err(EBADF);
        }
        if usize::try_from(args.msg_len).unwrap_or(usize::MAX) < self.attr.msgsize {
            return Err(EMSGSIZE);
        }
        let mut inner = self.inner.lock();
        let msg = if inner.messages.is_empty() {
            if nonblocking(file) {
                return Err(EAGAIN);
            }
            // A sender hands its message over and wakes this task.
            self.sleep(inner, Side::Receive, None, deadline)?
                .ok_or(EINVAL)?
        } else {
            let msg = inner.messages.pop().ok_or(EINVAL)?;
            object_file::touch_times(file);
            let mut wake = WakeList::new();
            let sender = inner.take_from_sender(&mut wake);
            drop(inner);
            wake.wake();
            if !sender {
                // There is room now (for poll).
                self.pollers.notify_all();
            }
            msg
        };

        if args.msg_prio != 0 {
            UserSlice::new(UserPtr::from_addr(args.msg_prio as usize), size_of::<u32>())
                .writer()
                .write(&msg.prio)?;
        }
        let bytes = msg.bytes();
        UserSlice::new(UserPtr::from_addr(args.msg_ptr as usize), bytes.len())
            .writer()
            .write_slice(bytes)?;
        Ok(bytes.len() as isize)
    }

    /// `do_mq_getsetattr()`: only `O_NONBLOCK` of this descriptor can be
    /// set; the old attributes are those before the change.
    fn getsetattr(&self, file: &File, args: &uapi::ripc_mq_getsetattr_args) -> Result {
        let new = if args.newattr != 0 {
            let attr: uapi::ripc_mq_attr = read_user(args.newattr)?;
            if attr.mq_flags & !i64::from(bindings::O_NONBLOCK) != 0 {
                return Err(EINVAL);
            }
            Some(attr)
        } else {
            None
        };
        let old = uapi::ripc_mq_attr {
            mq_flags: i64::from(file.flags() & bindings::O_NONBLOCK),
            mq_maxmsg: self.attr.maxmsg as i64,
            mq_msgsize: self.attr.msgsize as i64,
            mq_curmsgs: self.inner.lock().messages.len() as i64,
            __reserved: [0; 4],
        };
        if let Some(new) = new {
            object_file::set_nonblock(file, new.mq_flags != 0);
        }
        if args.oldattr != 0 {
            UserSlice::new(UserPtr::from_addr(args.oldattr as usize), size_of_val(&old))
                .writer()
                .write(&old)?;
        }
        Ok(())
    }

    /// `do_mq_notify()`: registers the caller, or with
    /// `RIPC_SIGEV_UNREGISTER` removes its registration. One process at a
    /// time: `EBUSY` while another (or the same) is registered. The
    /// sigevent is checked first, as Linux checks it before the descriptor.
    fn set_notify(&self, file: &File, args: &uapi::ripc_mq_notify_args) -> Result {
        let how = match args.notify {
            uapi::RIPC_SIGEV_UNREGISTER => None,
            n if n == uapi::RIPC_SIGEV_NONE as i32 => Some(How::Nothing),
            n if n == uapi::RIPC_SIGEV_SIGNAL as i32 => {
                // `valid_signal()`: 0 is accepted, and then sends nothing.
                if args.signo < 0 || args.signo > bindings::_NSIG as i32 {
                    return Err(EINVAL);
                }
                Some(How::Signal {
                    signo: args.signo,
                    value: args.value,
                    exec_id: current_self_exec_id(),
                    registrant: RegistrantCred::current(),
                })
            }
            n if n == uapi::RIPC_SIGEV_THREAD as i32 => {
                Some(How::Thread(notify::from_fd(args.notifier_fd)?))
            }
            n if n == uapi::RIPC_SIGEV_NOTIFIER as i32 => {
                Some(How::Notifier(notify::from_fd(args.notifier_fd)?))
            }
            _ => return Err(EINVAL),
        };
        let mut inner = self.inner.lock();
        let removed = match how {
            None => {
                let owned = inner.notify.as_ref().is_some_and(|r| r.owner.is_current());
                if owned {
                    object_file::touch_read_times(file);
                }
                owned.then(|| inner.notify.take())
            }
            Some(how) => {
                if inner.notify.is_some() {
                    return Err(EBUSY);
                }
                inner.notify = Some(Registration {
                    owner: PidRef::current_process(),
                    how,
                });
                object_file::touch_read_times(file);
                None
            }
        };
        drop(inner);
        drop(removed);
        Ok(())
    }
}

/// Copies a `T` in from userspace address `addr`.
fn read_user<T: kernel::transmute::FromBytes>(addr: u64) -> Result<T> {
    UserSlice::new(UserPtr::from_addr(addr as usize), size_of::<T>())
        .reader()
        .read()
}

/// The absolute `CLOCK_REALTIME` timeout at `addr`, in ns (`None` if
/// `addr` is 0): `EFAULT` if unreadable, `EINVAL` if not a valid
/// timespec, as `prepare_timeout()`.
fn read_timeout(addr: u64) -> Result<Option<i64>> {
    if addr == 0 {
        return Ok(None);
    }
    let [sec, nsec]: [i64; 2] = read_user(addr)?;
    if sec < 0 || !(0..1_000_000_000).contains(&nsec) {
        return Err(EINVAL);
    }
    Ok(Some(sec.saturating_mul(1_000_000_000).saturating_add(nsec)))
}

fn nonblocking(file: &LocalFile) -> bool {
    file.flags() & bindings::O_NONBLOCK != 0
}

/// `RIPC_IOC_MQ_OPEN` (`mq_open()`): opens, or with `O_CREAT` makes, a
/// queue in the `mq/` directory open as `dirfd`, with the attributes at
/// `attr` (defaults if 0; ignored if the queue exists).
///
/// The attributes reach [`Mqueue::create_named`] through `MQ_PENDING`,
/// keyed by the current task's (global) id and removed before this
/// returns, so creation with attributes is atomic: nobody can open the
/// name before the queue has them. The tree holds only the callers inside
/// such an `mq_open()` at this instant.
pub(crate) fn open(args: &uapi::ripc_mq_open_args) -> Result<isize> {
    let oflag = args.oflag as u32;
    if oflag & bindings::O_ACCMODE == bindings::O_ACCMODE {
        return Err(EINVAL);
    }
    let mut buf = [0u8; NAME_MAX + 2];
    let name = UserSlice::new(UserPtr::from_addr(args.name as usize), buf.len())
        .reader()
        .strcpy_into_buf(&mut buf)?;
    if name.to_bytes().len() > NAME_MAX {
        return Err(Error::from_errno(-(bindings::ENAMETOOLONG as i32)));
    }
    let attr = if oflag & bindings::O_CREAT != 0 && args.attr != 0 {
        Some(read_user::<uapi::ripc_mq_attr>(args.attr)?)
    } else {
        None
    };
    let flags =
        oflag & (bindings::O_ACCMODE | bindings::O_CREAT | bindings::O_EXCL | bindings::O_NONBLOCK);
    let task = cred::current_tid();
    if let Some(attr) = attr {
        MQ_PENDING
            .lock()
            .get_or_insert_with(RBTree::new)
            .try_create_and_insert(task, attr, GFP_KERNEL_ACCOUNT)?;
    }
    let open = |flags| ripcfs::open_in_kind_dir::<Mqueue>(args.dirfd, name, flags, args.mode);
    let fd = if flags & (bindings::O_CREAT | bindings::O_EXCL) == bindings::O_CREAT {
        // An existing queue is opened as `prepare_open()` opens it, not as
        // `open(O_CREAT)` would: `fs.protected_regular` does not refuse
        // another user's queue in the sticky `mq/` directory.
        match open(flags & !bindings::O_CREAT) {
            Err(err) if err == ENOENT => open(flags),
            result => result,
        }
    } else {
        open(flags)
    };
    if attr.is_some() {
        if let Some(pending) = MQ_PENDING.lock().as_mut() {
            pending.remove(&task);
        }
    }
    Ok(fd? as isize)
}

impl NamedObject for Mqueue {
    /// `mqueue_create_attr()`: with the attributes [`open`] left for this
    /// task, else the defaults (a plain `open(O_CREAT)` of the name). The
    /// queue count (`mq_queues_max`, ripcfs's per namespace) was checked
    /// before this, so before the attributes, as Linux does.
    fn create_named() -> Result<Arc<Self>> {
        let task = cred::current_tid();
        let pending = MQ_PENDING
            .lock()
            .as_ref()
            .and_then(|pending| pending.get(&task).copied());
        let attr = match pending {
            Some(attr) => attr_ok(&attr)?,
            None => MqAttr::default_attr(),
        };
        Mqueue::new(attr)
    }
}

impl ObjectFile for Mqueue {
    const NAME: &'static CStr = c"[ripc-mqueue]";

    const FOPS: &'static bindings::file_operations = &MQUEUE_FOPS.0;

    /// `mqueue_read_file()`: one line, as `/dev/mqueue` shows it.
    /// Like `simple_read_from_buffer()`, from `pos`; a read that gives
    /// bytes updates the access and change times.
    fn read_at(
        this: ArcBorrow<'_, Self>,
        file: &LocalFile,
        mut out: UserSliceWriter,
        pos: &mut i64,
    ) -> Result<usize> {
        let line = {
            let inner = this.inner.lock();
            let reg = inner.notify.as_ref();
            let signo = match reg.map(|r| &r.how) {
                Some(How::Signal { signo, .. }) => *signo,
                _ => 0,
            };
            CString::try_from_fmt(fmt!(
                "QSIZE:{:<10} NOTIFY:{:<5} SIGNO:{:<5} NOTIFY_PID:{:<6}\n",
                inner.messages.bytes(),
                reg.map_or(0, |r| r.sigev_notify()),
                signo,
                reg.map_or(0, |r| r.owner.nr())
            ))?
        };
        let bytes = line.to_bytes();
        let start = usize::try_from(*pos).map_err(|_| EINVAL)?.min(bytes.len());
        let n = out.len().min(bytes.len() - start);
        out.write_slice(&bytes[start..start + n])?;
        *pos += n as i64;
        if n > 0 {
            object_file::touch_read_times(file);
        }
        Ok(n)
    }

    /// `mqueue_flush_file()`: a process closing a descriptor of the queue
    /// loses its notification registration.
    fn flush(this: ArcBorrow<'_, Self>, _file: &File) {
        let mut inner = this.inner.lock();
        let removed = if inner.notify.as_ref().is_some_and(|r| r.owner.is_current()) {
            inner.notify.take()
        } else {
            None
        };
        drop(inner);
        drop(removed);
    }

    fn poll(this: ArcBorrow<'_, Self>, file: &File, table: PollTable<'_>) -> u32 {
        table.register_wait(file, &this.pollers);
        let curmsgs = this.inner.lock().messages.len();
        let mut mask = 0;
        if curmsgs > 0 {
            mask |= bindings::POLLIN | bindings::POLLRDNORM;
        }
        if curmsgs < this.attr.maxmsg {
            mask |= bindings::POLLOUT | bindings::POLLWRNORM;
        }
        mask
    }

    fn ioctl(this: ArcBorrow<'_, Self>, file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            // Their `struct timespec` has another layout in a 32-bit process
            // (see "32-bit callers" in `Documentation/architecture.rst`).
            uapi::RIPC_IOC_MQ_TIMEDSEND | uapi::RIPC_IOC_MQ_TIMEDRECEIVE if in_compat_syscall() => {
                Err(ENOTTY)
            }
            uapi::RIPC_IOC_MQ_TIMEDSEND => this.send(file, &read_user(arg as u64)?).map(|()| 0),
            uapi::RIPC_IOC_MQ_TIMEDRECEIVE => this.receive(file, &read_user(arg as u64)?),
            uapi::RIPC_IOC_MQ_GETSETATTR => {
                this.getsetattr(file, &read_user(arg as u64)?).map(|()| 0)
            }
            uapi::RIPC_IOC_MQ_NOTIFY => this.set_notify(file, &read_user(arg as u64)?).map(|()| 0),
            _ => Err(ENOTTY),
        }
    }
}
