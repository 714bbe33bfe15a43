// SPDX-License-Identifier: GPL-2.0

//! Pipes and FIFOs, as `fs/pipe.c`: a ring of one-page buffers that
//! writers fill and readers drain.
//!
//! Data flow: `RIPC_IOC_PIPE2` on `/dev/ripc` → [`pipe2`] → a new [`Pipe`]
//! kept by an `S_IFIFO` inode of ripc's pipefs (`glue::pipefs`), with two
//! files of that inode, a read end and a write end; `mknod(S_IFIFO)` in
//! ripcfs's `pipe/` → a [`Pipe`] kept by the inode. Opening either inode
//! (a FIFO's name, or `/proc/<pid>/fd/N` of a pipe) goes to
//! [`Pipe::fifo_open`], as `fifo_open()`; the ring exists while someone
//! has the pipe open. `read`/`write`/`poll`/`ioctl` on any of the files
//! land in the [`ObjectFile`] methods below.
//!
//! | `fs/pipe.c`, `pipe_fs_i.h`        | ripc                                |
//! |-----------------------------------|-------------------------------------|
//! | `struct pipe_inode_info`          | [`Pipe`] and [`PipeInner`]          |
//! | `pipe->mutex`                     | [`Pipe::inner`]                     |
//! | `rd_wait`, `wr_wait`              | [`Pipe::rd_wait`], [`Pipe::wr_wait`]|
//! | `bufs`, `head`/`tail`, `tmp_page` | [`ring::Ring`]                      |
//! | `head_tail`, `max_usage` read by  | [`Counts`] (`bufs`, `slots`)        |
//! | `pipe_poll()` without the mutex   |                                     |
//! | `struct pipe_buffer`              | `ring::PipeBuffer`                  |
//! | `readers`, `writers`, `w_counter` | [`Counts`] fields of those names    |
//! | `poll_usage`                      | [`Counts::poll_usage`]              |
//! | `files`, `r_counter`              | [`PipeInner`] fields of those names |
//! | `user`, `nr_accounted`            | [`PipeInner::charge`]               |
//! | `filp->f_pipe`                    | the file's tag (`file_tag`)         |
//! | `alloc_pipe_info()`               | [`alloc_ring`]                      |
//! | `get_pipe_inode()`                | `glue::pipefs::new_files`           |
//! | `create_pipe_files()`             | `glue::pipefs::new_files`           |
//! | `do_pipe2()`                      | [`pipe2`]                           |
//! | `fifo_open()`                     | [`Pipe::fifo_open`]                 |
//! | `anon_pipe_read/write()`          | `read_iter`, `write_iter` of        |
//! |                                   | [`ObjectFile`]                      |
//! | `pipe_poll()`, `pipe_release()`   | `poll`, `release` of [`ObjectFile`] |
//! | `pipe_set_size()`                 | [`Pipe::set_size`]                  |
//!
//! Lock order: [`Pipe::inner`], then the per-user page table
//! (`glue::global::PIPE_USER_PAGES`, through [`account::Charge`]), then a
//! wait queue's own lock. Waiters are woken after `inner` is dropped, on
//! the queue of the side that can proceed and with the poll key of that
//! side, as `fs/pipe.c` does, so that edge-triggered epoll sees the events
//! Linux gives. `poll` and the conditions of sleeping readers and writers
//! take no lock: copies from userspace are done under `inner`, and a
//! writer stuck on a page fault (userfaultfd, FUSE) must not stall them.

mod account;
mod ring;

use crate::{
    glue::{
        object_file::{self, IoFlags, ObjectFile},
        pipefs,
        ripcfs::NamedObject,
        task::{capable, send_sigpipe, Capability},
        wait::{new_wait_queue, PollTable, WaitQueue},
        AssertSync,
    },
    limits, uapi,
};
use account::Charge;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering::Relaxed};
use kernel::{
    bindings, current,
    fs::{file::FileDescriptorReservation, File},
    iov::{IovIterDest, IovIterSource},
    new_mutex,
    page::{PAGE_SHIFT, PAGE_SIZE},
    prelude::*,
    sync::{aref::ARef, Arc, ArcBorrow, Mutex},
    uaccess::{UserPtr, UserSlice},
};
use ring::Ring;

const PIPE2_FLAGS: u32 =
    uapi::RIPC_PIPE_NONBLOCK | uapi::RIPC_PIPE_CLOEXEC | uapi::RIPC_PIPE_DIRECT;

/// What wakes readers and pollers of a read end: data (or room) came.
const READ_EVENTS: u32 = bindings::POLLIN | bindings::POLLRDNORM;
/// What wakes writers and pollers of a write end.
const WRITE_EVENTS: u32 = bindings::POLLOUT | bindings::POLLWRNORM;

static PIPE_FOPS: AssertSync<bindings::file_operations> = AssertSync(object_file::fops::<Pipe>());

/// How pipefs makes and drops the inode of an anonymous pipe.
static PIPEFS_KIND: AssertSync<pipefs::Kind<Pipe>> = AssertSync(pipefs::kind::<Pipe>());

/// A pipe or a FIFO.
#[pin_data]
pub(crate) struct Pipe {
    /// A named FIFO (in ripcfs), not an anonymous pipe (in pipefs): only a
    /// FIFO's opens wait for a partner or fail with `ENXIO`.
    fifo: bool,
    /// Everything that changes. A mutex: copies to and from userspace are
    /// done under it, as under `pipe->mutex`.
    #[pin]
    inner: Mutex<PipeInner>,
    /// What is read without `inner`.
    counts: Counts,
    /// Blocked readers (exclusive), FIFO openers waiting for a partner,
    /// and pollers of a read end. Woken when data comes, the last writer
    /// goes, or a partner opens; each re-checks.
    #[pin]
    rd_wait: WaitQueue,
    /// Blocked writers (exclusive) and pollers of a write end. Woken when
    /// a slot frees up in a full ring, the ring grows, or the last reader
    /// goes.
    #[pin]
    wr_wait: WaitQueue,
}

/// The state `poll` and the conditions of sleeping readers and writers
/// read without the mutex, as `pipe_poll()`, `pipe_readable()` and
/// `pipe_writable()` read `head_tail`, `max_usage`, `readers`, `writers`
/// and `w_counter` with `READ_ONCE()`.
///
/// # Ordering
///
/// Each field is stored only with [`Pipe::inner`] held, right after the
/// change it reflects, so under the mutex it is exact. Lockless loads are
/// relaxed, which suffices: whoever changes one of them in a way a sleeper
/// or poller waits for then wakes that side's queue, and a wake-up takes
/// the queue's spinlock, which a sleeper or poller also takes to queue
/// itself before it loads. If the waker's critical section comes second it
/// finds the entry and wakes it; if it comes first, the store, made before
/// the waker's unlock, is visible after the sleeper's lock. A poll that
/// sees an older value is corrected by the wake-up that follows the store.
struct Counts {
    /// Buffers in use, and slots (`max_usage`): empty is `bufs == 0`,
    /// full is `bufs >= slots`.
    bufs: AtomicUsize,
    slots: AtomicUsize,
    /// Open files that can read, and that can write.
    readers: AtomicU32,
    writers: AtomicU32,
    /// Opens for writing ever: a FIFO reader waits for it to move, and
    /// poll compares it with the file's tag.
    w_counter: AtomicU32,
    /// Someone polled the pipe: from then on every write wakes readers,
    /// not only one into an empty pipe, for the sake of edge-triggered
    /// epoll (`poll_usage`).
    poll_usage: AtomicBool,
}

impl Counts {
    /// The counts of a new anonymous pipe (one reader, one writer) or of
    /// a FIFO no one has open.
    fn new(fifo: bool, ring: &Ring) -> Self {
        let ends = u32::from(!fifo);
        Self {
            bufs: AtomicUsize::new(ring.len()),
            slots: AtomicUsize::new(ring.slots()),
            readers: AtomicU32::new(ends),
            writers: AtomicU32::new(ends),
            w_counter: AtomicU32::new(ends),
            poll_usage: AtomicBool::new(false),
        }
    }

    /// Publishes the occupancy of `ring` after a change; with the mutex
    /// held.
    fn mirror(&self, ring: &Ring) {
        self.bufs.store(ring.len(), Relaxed);
        self.slots.store(ring.slots(), Relaxed);
    }

    fn readers(&self) -> u32 {
        self.readers.load(Relaxed)
    }

    fn writers(&self) -> u32 {
        self.writers.load(Relaxed)
    }

    /// Adds `delta` (wrapping) to `count` and returns the new value; with
    /// the mutex held, so a plain load and store suffice.
    fn add(count: &AtomicU32, delta: i32) -> u32 {
        let new = count.load(Relaxed).wrapping_add_signed(delta);
        count.store(new, Relaxed);
        new
    }

    fn is_empty(&self) -> bool {
        self.bufs.load(Relaxed) == 0
    }

    fn is_full(&self) -> bool {
        self.bufs.load(Relaxed) >= self.slots.load(Relaxed)
    }

    /// `pipe_readable()`: a blocked reader may go on.
    fn readable(&self) -> bool {
        !self.is_empty() || self.writers() == 0
    }

    /// `pipe_writable()`: a blocked writer may go on.
    fn writable(&self) -> bool {
        !self.is_full() || self.readers() == 0
    }
}

/// The mutable state of a [`Pipe`].
struct PipeInner {
    /// The buffers; without slots while a FIFO is not open.
    ring: Ring,
    /// The pages of `ring`, charged to the user who made it; `None` while
    /// a FIFO is not open.
    charge: Option<Charge>,
    /// Opens for reading ever, so that a FIFO writer can tell a reader
    /// came even if it left again (`w_counter` is in [`Counts`]).
    r_counter: u32,
    /// Open files, including FIFO opens still waiting for a partner.
    files: u32,
}

/// Makes a ring for the current user, as `alloc_pipe_info()`: 16 slots, or
/// [`limits::PIPE_MIN_DEF_BUFFERS`] once the user is over the soft limit;
/// over the hard limit `over_hard` (Linux: `ENFILE` for `pipe2()`,
/// `ENOMEM` for a FIFO open). Privileged users are not limited.
fn alloc_ring(over_hard: Error) -> Result<(Ring, Charge)> {
    let mut slots = limits::PIPE_DEF_BUFFERS;
    let max_size = max_size();
    if slots * PAGE_SIZE > max_size && !capable(Capability::SysResource) {
        slots = max_size >> PAGE_SHIFT;
    }
    let (mut charge, mut user_pages) = Charge::new(current!().uid(), slots)?;
    if account::too_many_soft(user_pages) && account::unprivileged() {
        slots = limits::PIPE_MIN_DEF_BUFFERS;
        user_pages = charge.set(slots);
    }
    if account::too_many_hard(user_pages) && account::unprivileged() {
        return Err(over_hard);
    }
    Ok((Ring::new(slots)?, charge))
}

/// `round_pipe_size()`: at least a page, a power of two, at most 2 GiB
/// (0: invalid).
fn round_pipe_size(size: u32) -> usize {
    if size > 1 << 31 {
        return 0;
    }
    (size as usize).max(PAGE_SIZE).next_power_of_two()
}

/// `pipe_max_size` as Linux keeps it: `proc_dopipe_max_size()` rounds a
/// value written to `/proc/sys/fs/pipe-max-size` with
/// [`round_pipe_size`]; ripc's parameter keeps what was written, so it is
/// rounded here, at each use. The parameter's range (a page to 2 GiB)
/// never rounds to 0.
fn max_size() -> usize {
    round_pipe_size(u32::try_from(limits::pipe_max_size()).unwrap_or(u32::MAX))
}

/// The ends a file is open for, from its access mode: (read, write).
fn access(file: &File) -> (bool, bool) {
    match file.flags() & bindings::O_ACCMODE {
        bindings::O_RDONLY => (true, false),
        bindings::O_WRONLY => (false, true),
        bindings::O_RDWR => (true, true),
        _ => (false, false),
    }
}

/// A read or write that must not block: `O_NONBLOCK` on the file, or
/// `IOCB_NOWAIT` on the request.
fn nonblocking(file: &File, flags: IoFlags) -> bool {
    file.flags() & bindings::O_NONBLOCK != 0 || flags.nowait()
}

/// `is_packetized()`: the writer's file is in packet mode (`O_DIRECT`,
/// from `pipe2()` or `fcntl(F_SETFL)`).
fn packetized(file: &File) -> bool {
    file.flags() & bindings::O_DIRECT != 0
}

/// What a read or write that stopped on `err` returns: the bytes already
/// moved if any, as `fs/pipe.c` does, else the error.
fn partial(done: usize, err: Error) -> Result<usize> {
    if done > 0 {
        Ok(done)
    } else {
        Err(err)
    }
}

impl Pipe {
    fn new(fifo: bool, inner: PipeInner) -> Result<Arc<Self>> {
        let counts = Counts::new(fifo, &inner.ring);
        Arc::pin_init(
            pin_init!(Self {
                fifo,
                inner <- new_mutex!(inner, "Pipe::inner"),
                counts,
                rd_wait <- new_wait_queue!("Pipe::rd_wait"),
                wr_wait <- new_wait_queue!("Pipe::wr_wait"),
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// Opens a FIFO end, as `fifo_open()`, or an anonymous pipe again
    /// (`/proc/<pid>/fd/N`): that joins the pipe as it is, without waiting
    /// for a partner or `ENXIO`, as Linux's `fifo_open()` does for its
    /// anonymous pipes (`is_pipe`). Returns the file's tag: the writer
    /// count a non-blocking FIFO reader saw when no writer was there, so
    /// that `POLLHUP` waits for a writer to have come.
    fn fifo_open(&self, file: &File) -> Result<u64> {
        let (read, write) = access(file);
        let nonblock = file.flags() & bindings::O_NONBLOCK != 0;
        let fifo = self.fifo;
        let counts = &self.counts;
        let mut inner = self.inner.lock();
        if inner.files == 0 {
            let (ring, charge) = alloc_ring(ENOMEM)?;
            inner.ring = ring;
            inner.charge = Some(charge);
            inner.r_counter = 1;
            counts.w_counter.store(1, Relaxed);
            counts.mirror(&inner.ring);
        }
        inner.files += 1;

        let mut tag = 0;
        // A reader waits for `w_counter` to move, a writer for `r_counter`:
        // the count of the other side's opens it saw.
        let partner_opens = |inner: &PipeInner| {
            if read {
                counts.w_counter.load(Relaxed)
            } else {
                inner.r_counter
            }
        };
        let mut must_wait = false;
        let wake_partner = match (read, write) {
            (true, false) => {
                inner.r_counter = inner.r_counter.wrapping_add(1);
                let readers = Counts::add(&counts.readers, 1);
                if fifo && counts.writers() == 0 {
                    if nonblock {
                        tag = u64::from(counts.w_counter.load(Relaxed));
                    } else {
                        must_wait = true;
                    }
                }
                readers == 1
            }
            (false, true) => {
                if fifo && nonblock && counts.readers() == 0 {
                    self.open_failed(&mut inner);
                    return Err(ENXIO);
                }
                Counts::add(&counts.w_counter, 1);
                let writers = Counts::add(&counts.writers, 1);
                must_wait = fifo && counts.readers() == 0;
                writers == 1
            }
            (true, true) => {
                let readers = Counts::add(&counts.readers, 1);
                let writers = Counts::add(&counts.writers, 1);
                inner.r_counter = inner.r_counter.wrapping_add(1);
                Counts::add(&counts.w_counter, 1);
                readers == 1 || writers == 1
            }
            _ => {
                self.open_failed(&mut inner);
                return Err(EINVAL);
            }
        };
        let seen = partner_opens(&inner);
        if wake_partner {
            // `wake_up_partner()`: partners wait on `rd_wait`.
            drop(inner);
            self.rd_wait.wake_all();
            inner = self.inner.lock();
        }
        if must_wait {
            // `wait_for_partner()`: until the other side has opened, even
            // if it closed again since.
            while partner_opens(&inner) == seen {
                self.rd_wait.sleep_unlocked(inner);
                inner = self.inner.lock();
                if current!().signal_pending() {
                    break;
                }
            }
            if partner_opens(&inner) == seen {
                let last = if read {
                    Counts::add(&counts.readers, -1) == 0
                } else {
                    Counts::add(&counts.writers, -1) == 0
                };
                self.open_failed(&mut inner);
                drop(inner);
                // The other side may wait for this one to exist no more.
                if last && read {
                    self.wr_wait.wake_one();
                } else if last {
                    self.rd_wait.wake_all();
                }
                return Err(ERESTARTSYS);
            }
        }
        Ok(tag)
    }

    /// Undoes `files += 1` of an open that fails; the last file of a pipe
    /// takes its ring with it.
    fn open_failed(&self, inner: &mut PipeInner) {
        inner.files -= 1;
        self.put_ring(inner);
    }

    /// `put_pipe_info()`: when no file of a pipe or FIFO is left, its data
    /// and pages go (the next open, of a FIFO's name or of an anonymous
    /// pipe's inode kept by an `O_PATH` descriptor, starts with a fresh
    /// ring, as on Linux).
    fn put_ring(&self, inner: &mut PipeInner) {
        if inner.files == 0 {
            inner.ring = Ring::empty();
            inner.charge = None;
            self.counts.mirror(&inner.ring);
        }
    }

    /// `F_SETPIPE_SZ`, as `pipe_set_size()`: returns the new capacity.
    fn set_size(&self, arg: u32) -> Result<isize> {
        let size = round_pipe_size(arg);
        let slots = size >> PAGE_SHIFT;
        if slots == 0 {
            return Err(EINVAL);
        }
        let mut inner = self.inner.lock();
        let grows = slots > inner.ring.slots();
        // Growing past pipe-max-size needs CAP_SYS_RESOURCE; shrinking
        // is always allowed, even over a limit.
        if grows && size > max_size() && !capable(Capability::SysResource) {
            return Err(EPERM);
        }
        let inner = &mut *inner;
        let Some(charge) = inner.charge.as_mut() else {
            // Cannot happen: the caller's file keeps the ring.
            return Err(EBADF);
        };
        let old = charge.amount();
        let user_pages = charge.set(slots);
        if grows
            && (account::too_many_hard(user_pages) || account::too_many_soft(user_pages))
            && account::unprivileged()
        {
            charge.set(old);
            return Err(EPERM);
        }
        if let Err(err) = inner.ring.resize(slots) {
            charge.set(old);
            return Err(err);
        }
        self.counts.mirror(&inner.ring);
        Ok((inner.ring.slots() * PAGE_SIZE).try_into()?)
    }
}

/// A new anonymous pipe whose descriptors are reserved but not yet in the
/// caller's table (`do_pipe2()` between `__do_pipe_flags()` and
/// `fd_install()`): dropping it undoes everything.
pub(crate) struct NewPipe {
    fds: [FileDescriptorReservation; 2],
    files: [ARef<File>; 2],
}

impl NewPipe {
    /// The read end's and the write end's descriptor numbers.
    pub(crate) fn fds(&self) -> [i32; 2] {
        self.fds.each_ref().map(|fd| fd.reserved_fd() as i32)
    }

    /// Puts both ends in the caller's file table.
    pub(crate) fn install(self) {
        let [rfd, wfd] = self.fds;
        let [rfile, wfile] = self.files;
        rfd.fd_install(rfile);
        wfd.fd_install(wfile);
    }
}

/// `RIPC_IOC_PIPE2`: makes a pipe with a read-only and a write-only file
/// of one pipefs inode, as `create_pipe_files()`.
pub(crate) fn pipe2(flags: u32) -> Result<NewPipe> {
    if flags & !PIPE2_FLAGS != 0 {
        return Err(EINVAL);
    }
    let (ring, charge) = alloc_ring(ENFILE)?;
    let pipe = Pipe::new(
        false,
        PipeInner {
            ring,
            charge: Some(charge),
            r_counter: 1,
            files: 2,
        },
    )?;
    let nonblock = flags & uapi::RIPC_PIPE_NONBLOCK;
    // Packet mode is the write end's: `O_DIRECT` there only, as Linux
    // (`ripc_pipefs_create_files()` gives it to the write end alone).
    let direct = flags & uapi::RIPC_PIPE_DIRECT;
    // Each end's release gives back its count; a failure below drops the
    // ends, and with them the pipe.
    let [rfile, wfile] = pipefs::new_files(&PIPEFS_KIND, pipe, nonblock | direct)?;
    let cloexec = flags & uapi::RIPC_PIPE_CLOEXEC;
    let rfd = FileDescriptorReservation::get_unused_fd_flags(cloexec)?;
    let wfd = FileDescriptorReservation::get_unused_fd_flags(cloexec)?;
    Ok(NewPipe {
        fds: [rfd, wfd],
        files: [rfile, wfile],
    })
}

impl NamedObject for Pipe {
    const FILE_TYPE: u32 = bindings::S_IFIFO;

    /// A FIFO gets its ring when first opened.
    fn create_named() -> Result<Arc<Self>> {
        Pipe::new(
            true,
            PipeInner {
                ring: Ring::empty(),
                charge: None,
                r_counter: 0,
                files: 0,
            },
        )
    }
}

impl ObjectFile for Pipe {
    const NAME: &'static CStr = c"[ripc-pipe]";

    const FOPS: &'static bindings::file_operations = &PIPE_FOPS.0;

    const STREAM: bool = true;

    fn open(this: ArcBorrow<'_, Self>, file: &File) -> Result<u64> {
        this.fifo_open(file)
    }

    /// `pipe_release()`: the last reader or writer going wakes the other
    /// side (readers see EOF, writers `EPIPE`).
    fn release(this: ArcBorrow<'_, Self>, file: &File) {
        let (read, write) = access(file);
        let counts = &this.counts;
        let mut inner = this.inner.lock();
        let readers = if read {
            Counts::add(&counts.readers, -1)
        } else {
            counts.readers()
        };
        let writers = if write {
            Counts::add(&counts.writers, -1)
        } else {
            counts.writers()
        };
        let wake = (readers == 0) != (writers == 0);
        inner.files -= 1;
        this.put_ring(&mut inner);
        drop(inner);
        if wake {
            this.rd_wait.wake_all();
            this.wr_wait.wake_all();
        }
    }

    const READ_ITER: bool = true;

    /// `anon_pipe_read()`: reads what is there, blocking only while the
    /// pipe is empty and a writer exists; 0 at EOF (empty, no writer). A
    /// packet ends the read, and what the read leaves of it is dropped.
    fn read_iter(
        this: ArcBorrow<'_, Self>,
        file: &File,
        to: &mut IovIterDest<'_>,
        flags: IoFlags,
    ) -> Result<usize> {
        let mut total = to.len();
        if total == 0 {
            return Ok(0);
        }
        let counts = &this.counts;
        let mut done = 0;
        // Wake writers only if this read made a full pipe not full; wake
        // the next reader if this one slept and leaves data behind (readers
        // sleep exclusively, and a write wakes only one of them).
        let mut wake_writer = false;
        let mut wake_next_reader = false;
        let mut inner = this.inner.lock();
        let result = loop {
            if !inner.ring.is_empty() {
                let was_full = inner.ring.is_full();
                let taken = inner.ring.read_front(to, total);
                counts.mirror(&inner.ring);
                match taken {
                    Ok(taken) => {
                        done += taken.bytes;
                        total = if taken.packet { 0 } else { total - taken.bytes };
                    }
                    Err(err) => break partial(done, err),
                }
                wake_writer |= was_full && !inner.ring.is_full();
                if total == 0 {
                    break Ok(done);
                }
                if !inner.ring.is_empty() {
                    continue;
                }
            }
            if counts.writers() == 0 || done > 0 {
                break Ok(done);
            }
            if nonblocking(file, flags) {
                break Err(EAGAIN);
            }
            drop(inner);
            // Nothing read, so nothing to wake for: return at once on a
            // signal, unless data came with it.
            this.rd_wait.wait_exclusive_until(|| counts.readable())?;
            wake_next_reader = true;
            inner = this.inner.lock();
        };
        if inner.ring.is_empty() {
            wake_next_reader = false;
        }
        drop(inner);
        if wake_writer {
            this.wr_wait.wake_sync_poll(WRITE_EVENTS);
        }
        if wake_next_reader {
            this.rd_wait.wake_sync_poll(READ_EVENTS);
        }
        result
    }

    const WRITE_ITER: bool = true;

    /// `anon_pipe_write()`: writes all of `from`, blocking while the ring
    /// is full. A write of at most a page goes in whole or waits: merged
    /// into the last page if it fits there, else into a free slot. In
    /// packet mode each page written is a packet.
    fn write_iter(
        this: ArcBorrow<'_, Self>,
        file: &File,
        from: &mut IovIterSource<'_>,
        flags: IoFlags,
    ) -> Result<usize> {
        let total = from.len();
        if total == 0 {
            return Ok(0);
        }
        let counts = &this.counts;
        let packet = packetized(file);
        let epipe = || {
            if !flags.nosignal() {
                send_sigpipe();
            }
            EPIPE
        };
        let mut done = 0;
        let mut was_empty = false;
        let mut wake_next_writer = false;
        let mut inner = this.inner.lock();
        let result = 'out: {
            if counts.readers() == 0 {
                break 'out Err(epipe());
            }
            // Merge the part that is not a whole number of pages into the
            // last buffer, which page-aligns the rest of a large write.
            was_empty = inner.ring.is_empty();
            let chars = total & (PAGE_SIZE - 1);
            if chars != 0 && !was_empty {
                match inner.ring.merge_back(from, chars) {
                    Ok(true) => {
                        done = chars;
                        if from.is_empty() {
                            break 'out Ok(done);
                        }
                    }
                    Ok(false) => {}
                    Err(err) => break 'out Err(err),
                }
            }
            loop {
                if counts.readers() == 0 {
                    break 'out partial(done, epipe());
                }
                if !inner.ring.is_full() {
                    let pushed = inner.ring.push_page(from, packet);
                    counts.mirror(&inner.ring);
                    match pushed {
                        Ok(n) => done += n,
                        Err(err) => break 'out partial(done, err),
                    }
                    if from.is_empty() {
                        break 'out Ok(done);
                    }
                    continue;
                }
                if nonblocking(file, flags) {
                    break 'out partial(done, EAGAIN);
                }
                if current!().signal_pending() {
                    break 'out partial(done, ERESTARTSYS);
                }
                // Let readers drain what is there, then wait for room; a
                // signal is seen on the next round, after room.
                drop(inner);
                if was_empty {
                    this.rd_wait.wake_sync_poll(READ_EVENTS);
                }
                let _ = this.wr_wait.wait_exclusive_until(|| counts.writable());
                inner = this.inner.lock();
                was_empty = inner.ring.is_empty();
                wake_next_writer = true;
            }
        };
        if inner.ring.is_full() {
            wake_next_writer = false;
        }
        drop(inner);
        // Readers only sleep on an empty pipe, but epoll wants an event
        // for every write once someone polls, as on Linux.
        if was_empty || counts.poll_usage.load(Relaxed) {
            this.rd_wait.wake_sync_poll(READ_EVENTS);
        }
        if wake_next_writer {
            this.wr_wait.wake_sync_poll(WRITE_EVENTS);
        }
        result
    }

    const SPLICE: bool = true;

    /// `pipe_poll()`, without the mutex: a writer holding it while stuck
    /// on a page fault does not stall pollers.
    fn poll(this: ArcBorrow<'_, Self>, file: &File, table: PollTable<'_>) -> u32 {
        let counts = &this.counts;
        if !counts.poll_usage.load(Relaxed) {
            counts.poll_usage.store(true, Relaxed);
        }
        // Register first, then sample: a change after the sample wakes us
        // (see `Counts` for the ordering).
        let (read, write) = access(file);
        if read {
            table.register(file, &this.rd_wait);
        }
        if write {
            table.register(file, &this.wr_wait);
        }
        let mut mask = 0;
        if read {
            if !counts.is_empty() {
                mask |= READ_EVENTS;
            }
            // A FIFO reader opened without a writer sees no hang-up until
            // a writer has come (its tag is the writer count it saw).
            if counts.writers() == 0
                && object_file::file_tag::<Self>(file) != counts.w_counter.load(Relaxed).into()
            {
                mask |= bindings::POLLHUP;
            }
        }
        if write {
            if !counts.is_full() {
                mask |= WRITE_EVENTS;
            }
            if counts.readers() == 0 {
                mask |= bindings::POLLERR;
            }
        }
        mask
    }

    /// `FIONREAD` and the `F_GETPIPE_SZ`/`F_SETPIPE_SZ` equivalents, on
    /// either end.
    fn ioctl(this: ArcBorrow<'_, Self>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            uapi::RIPC_FIONREAD => {
                let bytes = this.inner.lock().ring.bytes();
                let count = i32::try_from(bytes).unwrap_or(i32::MAX);
                let mut out = UserSlice::new(UserPtr::from_addr(arg), size_of::<i32>()).writer();
                out.write(&count)?;
                Ok(0)
            }
            uapi::RIPC_PIPE_IOC_GETSZ => {
                Ok((this.inner.lock().ring.slots() * PAGE_SIZE).try_into()?)
            }
            uapi::RIPC_PIPE_IOC_SETSZ => {
                // As fcntl(): the argument is an unsigned int.
                let size = this.set_size(arg as u32)?;
                // `pipe_resize_ring()`: room may have appeared for blocked
                // writers; `set_size` has dropped the lock.
                this.wr_wait.wake_one();
                Ok(size)
            }
            _ => Err(ENOTTY),
        }
    }
}
