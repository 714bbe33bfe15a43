// SPDX-License-Identifier: GPL-2.0

//! Notifier: an eventfd-like 64-bit counter, as `fs/eventfd.c`.
//!
//! Data flow: `RIPC_IOC_EVENTFD` on `/dev/ripc` → [`create`] → a new
//! [`Notifier`] behind a new file descriptor → `read`/`write`/`poll` on
//! that descriptor land in the [`ObjectFile`] methods below.
//!
//! | `fs/eventfd.c`            | ripc                         |
//! |---------------------------|------------------------------|
//! | `struct eventfd_ctx`      | [`Notifier`]                 |
//! | `ctx->count`              | [`Notifier::count`]          |
//! | `ctx->wqh.lock`           | the lock of [`Notifier::waiters`] |
//! | `ctx->wqh`                | [`Notifier::waiters`]        |
//! | `ctx->id` (an ida)        | [`Notifier::id`]             |
//! | `eventfd_signal_mask()`   | [`Notifier::signal`]         |
//! | `eventfd_ctx_fdget()`     | [`from_fd`]                  |
//!
//! One lock, as eventfd's: the lock of [`Notifier::waiters`] guards the
//! count too ([`QueueLocked`]). Nothing is copied to or from userspace
//! under it, so no fault can hold it, and [`Notifier::signal`] never
//! sleeps.

use crate::{
    glue::object_file::{self, IoFlags, ObjectFile},
    glue::ripcfs::NamedObject,
    glue::wait::{new_wait_queue, PollTable, QueueLocked, WaitQueue},
    glue::AssertSync,
    uapi,
};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use kernel::{
    bindings,
    fs::{File, LocalFile},
    iov::IovIterDest,
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{Arc, ArcBorrow},
    uaccess::UserSliceReader,
};

/// The counter reads and writes carry: a native-endian `u64`.
const VALUE_SIZE: usize = size_of::<u64>();

/// A counter of `u64::MAX` means an in-kernel signal overflowed it: poll
/// reports `POLLERR` and writes block until a read clears it.
const OVERFLOW: u64 = u64::MAX;

const CREATE_FLAGS: u32 =
    uapi::RIPC_EFD_SEMAPHORE | uapi::RIPC_EFD_NONBLOCK | uapi::RIPC_EFD_CLOEXEC;

static NOTIFIER_FOPS: AssertSync<bindings::file_operations> =
    AssertSync(object_file::fops::<Notifier>());

/// Source of [`Notifier::id`], shown in fdinfo. Ids only tell notifiers
/// apart while they live; like eventfd's, they may be reused after wrap.
static NEXT_ID: AtomicU32 = AtomicU32::new(0);

/// An eventfd-like counter.
#[pin_data]
pub(crate) struct Notifier {
    /// Shown as `eventfd-id` in fdinfo.
    id: u32,
    /// `EFD_SEMAPHORE`: a read takes 1 instead of the whole count.
    semaphore: bool,
    /// The counter, `ctx->count`. Changed only with the lock of `waiters`
    /// held ([`Notifier::locked_count`]), so a plain load and store under
    /// it act as one update; read without it by `poll` and fdinfo, as
    /// `eventfd_poll()` reads it with `READ_ONCE()`.
    count: AtomicU64,
    /// Blocked readers and writers (not exclusive: all are woken), and
    /// pollers; its lock also guards `count`. Woken after every change,
    /// under the lock and if anyone is queued, with the event the change
    /// makes: `POLLIN` after an addition, `POLLOUT` after a read; each
    /// sleeper re-checks its own condition.
    #[pin]
    waiters: WaitQueue,
}

impl Notifier {
    fn new(initval: u64, semaphore: bool) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                semaphore,
                count: AtomicU64::new(initval),
                waiters <- new_wait_queue!("Notifier::waiters"),
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// Adds `n` to the counter from inside the kernel and wakes readers,
    /// as `eventfd_signal_mask()`: never blocks on a full counter but
    /// saturates at `u64::MAX`, which poll reports as `POLLERR`. Never
    /// sleeps, and waits for no reader or writer (neither copies under
    /// the lock).
    pub(crate) fn signal(&self, n: u64) {
        let locked = self.waiters.lock();
        let count = self.locked_count(&locked);
        self.set_count(&locked, count.saturating_add(n));
        locked.wake_poll(bindings::POLLIN);
    }

    /// The count, read with the lock of `waiters` held.
    fn locked_count(&self, _locked: &QueueLocked<'_>) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Sets the count; only with the lock of `waiters` held, so that no
    /// other update comes between the caller's read and this store.
    fn set_count(&self, _locked: &QueueLocked<'_>, value: u64) {
        self.count.store(value, Ordering::Relaxed);
    }
}

/// `RIPC_IOC_EVENTFD`: creates a notifier and returns its new descriptor.
pub(crate) fn create(initval: u32, flags: u32) -> Result<i32> {
    if flags & !CREATE_FLAGS != 0 {
        return Err(EINVAL);
    }
    let notifier = Notifier::new(initval.into(), flags & uapi::RIPC_EFD_SEMAPHORE != 0)?;
    object_file::new_fd(notifier, flags)
}

/// The notifier behind descriptor `fd` of the caller, for mechanisms that
/// signal one named by userspace (as `eventfd_ctx_fdget()`).
pub(crate) fn from_fd(fd: i32) -> Result<Arc<Notifier>> {
    object_file::object_from_fd(fd)
}

impl NamedObject for Notifier {
    /// A named notifier starts at 0 in normal (not semaphore) mode; each
    /// open file has its own `O_NONBLOCK`.
    fn create_named() -> Result<Arc<Self>> {
        Notifier::new(0, false)
    }
}

fn nonblocking(file: &LocalFile) -> bool {
    file.flags() & bindings::O_NONBLOCK != 0
}

/// The events of a notifier: only these three, as `eventfd_poll()`
/// (no `POLLRDNORM` or `POLLWRNORM`).
fn events(count: u64) -> u32 {
    let mut mask = 0;
    if count > 0 {
        mask |= bindings::POLLIN;
    }
    if count == OVERFLOW {
        mask |= bindings::POLLERR;
    }
    if count < u64::MAX - 1 {
        mask |= bindings::POLLOUT;
    }
    mask
}

impl ObjectFile for Notifier {
    const NAME: &'static CStr = c"[ripc-notify]";

    const FOPS: &'static bindings::file_operations = &NOTIFIER_FOPS.0;

    const READ_ITER: bool = true;

    /// `eventfd_read()`: returns the count and resets it to 0 (semaphore
    /// mode: returns 1 and decrements), blocking while it is 0. At least 8
    /// bytes must be asked for, in as many vectors as the caller likes;
    /// exactly 8 are given.
    ///
    /// As `eventfd_read()`, the value is taken, the lock dropped, and only
    /// then copied out: a copy that faults (a bad buffer, or a userfaultfd
    /// or FUSE page that never comes) holds no lock that writers or
    /// [`Notifier::signal`] need, at the price of `EFAULT` losing the
    /// value, as on Linux.
    fn read_iter(
        this: ArcBorrow<'_, Self>,
        file: &File,
        to: &mut IovIterDest<'_>,
        flags: IoFlags,
    ) -> Result<usize> {
        if to.len() < VALUE_SIZE {
            return Err(EINVAL);
        }
        let mut locked = this.waiters.lock();
        if this.locked_count(&locked) == 0 {
            if nonblocking(file) || flags.nowait() {
                return Err(EAGAIN);
            }
            // The count first, then a signal: data that came with a signal
            // is read (`wait_event_interruptible_locked_irq()`).
            locked.wait_until(|| this.count.load(Ordering::Relaxed) != 0)?;
        }
        let count = this.locked_count(&locked);
        let value = if this.semaphore { 1 } else { count };
        this.set_count(&locked, count - value);
        locked.wake_poll(bindings::POLLOUT);
        drop(locked);
        if to.copy_to_iter(&value.to_ne_bytes()) != VALUE_SIZE {
            return Err(EFAULT);
        }
        Ok(VALUE_SIZE)
    }

    /// `eventfd_write()`: adds the 8-byte value to the count, blocking
    /// while the sum would pass `u64::MAX - 1`. Any other length is
    /// `EINVAL`; this is `.write`, not `.write_iter`, as eventfd's, so
    /// `writev()` writes each vector on its own.
    fn write(
        this: ArcBorrow<'_, Self>,
        file: &LocalFile,
        mut input: UserSliceReader,
    ) -> Result<usize> {
        if input.len() != VALUE_SIZE {
            return Err(EINVAL);
        }
        let value: u64 = input.read()?;
        if value == u64::MAX {
            return Err(EINVAL);
        }
        let mut locked = this.waiters.lock();
        let fits = |count: u64| u64::MAX - count > value;
        if !fits(this.locked_count(&locked)) {
            if nonblocking(file) {
                return Err(EAGAIN);
            }
            locked.wait_until(|| fits(this.count.load(Ordering::Relaxed)))?;
        }
        let count = this.locked_count(&locked);
        this.set_count(&locked, count + value);
        locked.wake_poll(bindings::POLLIN);
        Ok(VALUE_SIZE)
    }

    fn poll(this: ArcBorrow<'_, Self>, file: &File, table: PollTable<'_>) -> u32 {
        // Register first, then sample without the lock, as
        // `eventfd_poll()`: registering takes the queue's lock, which
        // orders this read after it, and every change takes it too and
        // wakes the queue. So a change the read misses comes after the
        // registration and wakes us; one that came before is seen.
        table.register(file, &this.waiters);
        events(this.count.load(Ordering::Relaxed))
    }

    /// The same keys as eventfd's fdinfo, so tools that parse it work.
    fn show_fdinfo(this: ArcBorrow<'_, Self>, m: &SeqFile, _file: &File) {
        let count = this.count.load(Ordering::Relaxed);
        seq_print!(
            m,
            "eventfd-count: {:16x}\neventfd-id: {}\neventfd-semaphore: {}\n",
            count,
            this.id,
            u8::from(this.semaphore)
        );
    }
}
