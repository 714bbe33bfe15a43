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
//! | `ctx->wqh` (and its lock) | [`Notifier::waiters`]        |
//! | `ctx->id` (an ida)        | [`Notifier::id`]             |
//! | `eventfd_signal_mask()`   | [`Notifier::signal`]         |
//! | `eventfd_ctx_fdget()`     | [`from_fd`]                  |

use crate::{
    glue::object_file::{self, ObjectFile},
    glue::ripcfs::NamedObject,
    glue::AssertSync,
    uapi,
};
use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{
    bindings,
    fs::{File, LocalFile},
    new_mutex, new_poll_condvar,
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{
        poll::{PollCondVar, PollTable},
        Arc, ArcBorrow, Mutex,
    },
    uaccess::{UserSliceReader, UserSliceWriter},
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
    /// The counter. A mutex, not a spinlock, because a read copies the
    /// value to userspace before committing it (see [`Notifier::read`]).
    #[pin]
    count: Mutex<u64>,
    /// Blocked readers and writers, and pollers. Woken after every change,
    /// once the lock is dropped; each re-checks its own condition.
    #[pin]
    waiters: PollCondVar,
}

impl Notifier {
    fn new(initval: u64, semaphore: bool) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                semaphore,
                count <- new_mutex!(initval, "Notifier::count"),
                waiters <- new_poll_condvar!("Notifier::waiters"),
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// Adds `n` to the counter from inside the kernel and wakes readers,
    /// as `eventfd_signal_mask()`: never blocks on a full counter but
    /// saturates at `u64::MAX`, which poll reports as `POLLERR`. May sleep.
    pub(crate) fn signal(&self, n: u64) {
        let mut count = self.count.lock();
        *count = count.saturating_add(n);
        drop(count);
        self.waiters.notify_all();
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

impl ObjectFile for Notifier {
    const NAME: &'static CStr = c"[ripc-notify]";

    const FOPS: &'static bindings::file_operations = &NOTIFIER_FOPS.0;

    /// Returns the count and resets it to 0 (semaphore mode: returns 1 and
    /// decrements), blocking while it is 0.
    ///
    /// Unlike `eventfd_read()`, which consumes the count before copying it
    /// out, the value is copied while the lock is held and only committed
    /// once the copy succeeded: a bad buffer gives `EFAULT` and loses
    /// nothing.
    fn read(
        this: ArcBorrow<'_, Self>,
        file: &LocalFile,
        mut out: UserSliceWriter,
    ) -> Result<usize> {
        if out.len() < VALUE_SIZE {
            return Err(EINVAL);
        }
        let mut count = this.count.lock();
        while *count == 0 {
            if nonblocking(file) {
                return Err(EAGAIN);
            }
            if this.waiters.wait_interruptible(&mut count) {
                return Err(ERESTARTSYS);
            }
        }
        let value = if this.semaphore { 1 } else { *count };
        out.write(&value)?;
        *count -= value;
        drop(count);
        this.waiters.notify_all();
        Ok(VALUE_SIZE)
    }

    /// Adds the first 8 bytes of the buffer to the count, blocking while
    /// the sum would pass `u64::MAX - 1`.
    fn write(
        this: ArcBorrow<'_, Self>,
        file: &LocalFile,
        mut input: UserSliceReader,
    ) -> Result<usize> {
        if input.len() < VALUE_SIZE {
            return Err(EINVAL);
        }
        let value: u64 = input.read()?;
        if value == u64::MAX {
            return Err(EINVAL);
        }
        let mut count = this.count.lock();
        while u64::MAX - *count <= value {
            if nonblocking(file) {
                return Err(EAGAIN);
            }
            if this.waiters.wait_interruptible(&mut count) {
                return Err(ERESTARTSYS);
            }
        }
        *count += value;
        drop(count);
        this.waiters.notify_all();
        Ok(VALUE_SIZE)
    }

    fn poll(this: ArcBorrow<'_, Self>, file: &File, table: PollTable<'_>) -> u32 {
        // Register first, then sample: a change after the sample wakes us.
        table.register_wait(file, &this.waiters);
        let count = *this.count.lock();
        let mut mask = 0;
        if count > 0 {
            mask |= bindings::POLLIN | bindings::POLLRDNORM;
        }
        if count == OVERFLOW {
            mask |= bindings::POLLERR;
        }
        if count < u64::MAX - 1 {
            mask |= bindings::POLLOUT | bindings::POLLWRNORM;
        }
        mask
    }

    /// The same keys as eventfd's fdinfo, so tools that parse it work.
    fn show_fdinfo(this: ArcBorrow<'_, Self>, m: &SeqFile, _file: &File) {
        let count = *this.count.lock();
        seq_print!(
            m,
            "eventfd-count: {:16x}\neventfd-id: {}\neventfd-semaphore: {}\n",
            count,
            this.id,
            u8::from(this.semaphore)
        );
    }
}
