// SPDX-License-Identifier: GPL-2.0

//! Pipes and FIFOs, as `fs/pipe.c`: a ring of one-page buffers that
//! writers fill and readers drain.
//!
//! Data flow: `RIPC_IOC_PIPE2` on `/dev/ripc` → [`pipe2`] → a new [`Pipe`]
//! with two files, a read end and a write end; `mknod(S_IFIFO)` in ripcfs's
//! `pipe/` → a [`Pipe`] kept by the inode, whose ring exists while someone
//! has it open ([`Pipe::fifo_open`] follows `fifo_open()`). `read`/`write`/
//! `poll`/`ioctl` on either land in the [`ObjectFile`] methods below.
//!
//! | `fs/pipe.c`, `pipe_fs_i.h`        | ripc                                |
//! |-----------------------------------|-------------------------------------|
//! | `struct pipe_inode_info`          | [`Pipe`] and [`PipeInner`]          |
//! | `pipe->mutex`                     | [`Pipe::inner`]                     |
//! | `rd_wait`, `wr_wait`              | [`Pipe::rd_wait`], [`Pipe::wr_wait`]|
//! | `bufs`, `head`/`tail`, `tmp_page` | [`ring::Ring`]                      |
//! | `struct pipe_buffer`              | `ring::PipeBuffer`                  |
//! | `readers`, `writers`, `files`     | [`PipeInner`] fields of those names |
//! | `r_counter`, `w_counter`          | [`PipeInner`] fields of those names |
//! | `user`, `nr_accounted`            | [`PipeInner::charge`]               |
//! | `filp->f_pipe`                    | the file's tag (`file_tag`)         |
//! | `alloc_pipe_info()`               | [`alloc_ring`]                      |
//! | `do_pipe2()`                      | [`pipe2`]                           |
//! | `fifo_open()`                     | [`Pipe::fifo_open`]                 |
//! | `anon_pipe_read/write()`          | `read`, `write` of [`ObjectFile`]   |
//! | `pipe_poll()`, `pipe_release()`   | `poll`, `release` of [`ObjectFile`] |
//! | `pipe_set_size()`                 | [`Pipe::set_size`]                  |
//!
//! Lock order: [`Pipe::inner`], then the per-user page table
//! (`glue::global::PIPE_USER_PAGES`, through [`account::Charge`]). Waiters
//! are woken after `inner` is dropped, on the queue of the side that can
//! proceed, so that edge-triggered epoll sees the events Linux gives.

mod account;
mod ring;

use crate::{
    glue::{
        object_file::{self, ObjectFile},
        ripcfs::NamedObject,
        task::{capable, send_sigpipe, Capability},
        AssertSync,
    },
    limits, uapi,
};
use account::Charge;
use kernel::{
    bindings, current,
    fs::{file::FileDescriptorReservation, File, LocalFile},
    new_mutex, new_poll_condvar,
    page::{PAGE_SHIFT, PAGE_SIZE},
    prelude::*,
    sync::{
        aref::ARef,
        poll::{PollCondVar, PollTable},
        Arc, ArcBorrow, Mutex,
    },
    uaccess::{UserPtr, UserSlice, UserSliceReader, UserSliceWriter},
};
use ring::Ring;

const PIPE2_FLAGS: u32 = uapi::RIPC_PIPE_NONBLOCK | uapi::RIPC_PIPE_CLOEXEC;

static PIPE_FOPS: AssertSync<bindings::file_operations> = AssertSync(object_file::fops::<Pipe>());

/// A pipe or a FIFO.
#[pin_data]
pub(crate) struct Pipe {
    /// A named FIFO (opened through ripcfs), not an anonymous pair.
    fifo: bool,
    /// Everything that changes. A mutex: copies to and from userspace are
    /// done under it, as under `pipe->mutex`.
    #[pin]
    inner: Mutex<PipeInner>,
    /// Blocked readers, FIFO openers waiting for a partner, and pollers of
    /// a read end. Woken when data comes, the last writer goes, or a
    /// partner opens; each re-checks.
    #[pin]
    rd_wait: PollCondVar,
    /// Blocked writers and pollers of a write end. Woken when a slot frees
    /// up in a full ring, the ring grows, or the last reader goes.
    #[pin]
    wr_wait: PollCondVar,
}

/// The mutable state of a [`Pipe`].
struct PipeInner {
    /// The buffers; without slots while a FIFO is not open.
    ring: Ring,
    /// The pages of `ring`, charged to the user who made it; `None` while
    /// a FIFO is not open.
    charge: Option<Charge>,
    /// Open files that can read, and that can write.
    readers: u32,
    writers: u32,
    /// Opens for reading and for writing ever, so that a FIFO opener can
    /// tell a partner came even if it left again.
    r_counter: u32,
    w_counter: u32,
    /// Open files, including FIFO opens still waiting for a partner.
    files: u32,
}

/// Makes a ring for the current user, as `alloc_pipe_info()`: 16 slots, or
/// [`limits::PIPE_MIN_DEF_BUFFERS`] once the user is over the soft limit;
/// over the hard limit `over_hard` (Linux: `ENFILE` for `pipe2()`,
/// `ENOMEM` for a FIFO open). Privileged users are not limited.
fn alloc_ring(over_hard: Error) -> Result<(Ring, Charge)> {
    let mut slots = limits::PIPE_DEF_BUFFERS;
    if slots * PAGE_SIZE > limits::pipe_max_size() && !capable(Capability::SysResource) {
        slots = limits::pipe_max_size() >> PAGE_SHIFT;
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

/// The ends a file is open for, from its access mode: (read, write).
fn access(file: &File) -> (bool, bool) {
    match file.flags() & bindings::O_ACCMODE {
        bindings::O_RDONLY => (true, false),
        bindings::O_WRONLY => (false, true),
        bindings::O_RDWR => (true, true),
        _ => (false, false),
    }
}

fn nonblocking(file: &LocalFile) -> bool {
    file.flags() & bindings::O_NONBLOCK != 0
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
        Arc::pin_init(
            pin_init!(Self {
                fifo,
                inner <- new_mutex!(inner, "Pipe::inner"),
                rd_wait <- new_poll_condvar!("Pipe::rd_wait"),
                wr_wait <- new_poll_condvar!("Pipe::wr_wait"),
            }),
            GFP_KERNEL_ACCOUNT,
        )
    }

    /// Opens a FIFO end, as `fifo_open()`. Returns the file's tag: the
    /// writer count a non-blocking reader saw when no writer was there,
    /// so that `POLLHUP` waits for a writer to have come.
    fn fifo_open(&self, file: &File) -> Result<u64> {
        let (read, write) = access(file);
        let nonblock = nonblocking(file);
        let mut inner = self.inner.lock();
        if inner.files == 0 {
            let (ring, charge) = alloc_ring(ENOMEM)?;
            inner.ring = ring;
            inner.charge = Some(charge);
            inner.r_counter = 1;
            inner.w_counter = 1;
        }
        inner.files += 1;

        let mut tag = 0;
        // A reader waits for `w_counter` to move, a writer for `r_counter`:
        // the count of the other side's opens it saw.
        let partner_opens = |inner: &PipeInner| {
            if read {
                inner.w_counter
            } else {
                inner.r_counter
            }
        };
        let mut must_wait = false;
        let wake_partner = match (read, write) {
            (true, false) => {
                inner.r_counter = inner.r_counter.wrapping_add(1);
                inner.readers += 1;
                if inner.writers == 0 {
                    if nonblock {
                        tag = u64::from(inner.w_counter);
                    } else {
                        must_wait = true;
                    }
                }
                inner.readers == 1
            }
            (false, true) => {
                if nonblock && inner.readers == 0 {
                    Self::open_failed(&mut inner);
                    return Err(ENXIO);
                }
                inner.w_counter = inner.w_counter.wrapping_add(1);
                inner.writers += 1;
                must_wait = inner.readers == 0;
                inner.writers == 1
            }
            (true, true) => {
                inner.readers += 1;
                inner.writers += 1;
                inner.r_counter = inner.r_counter.wrapping_add(1);
                inner.w_counter = inner.w_counter.wrapping_add(1);
                inner.readers == 1 || inner.writers == 1
            }
            _ => {
                Self::open_failed(&mut inner);
                return Err(EINVAL);
            }
        };
        let seen = partner_opens(&inner);
        if wake_partner {
            // `wake_up_partner()`: partners wait on `rd_wait`.
            drop(inner);
            self.rd_wait.notify_all();
            inner = self.inner.lock();
        }
        if must_wait {
            // `wait_for_partner()`: until the other side has opened, even
            // if it closed again since.
            while partner_opens(&inner) == seen {
                if self.rd_wait.wait_interruptible(&mut inner) {
                    break;
                }
            }
            if partner_opens(&inner) == seen {
                let last = if read {
                    inner.readers -= 1;
                    inner.readers == 0
                } else {
                    inner.writers -= 1;
                    inner.writers == 0
                };
                Self::open_failed(&mut inner);
                drop(inner);
                // The other side may wait for this one to exist no more.
                if last && read {
                    self.wr_wait.notify_all();
                } else if last {
                    self.rd_wait.notify_all();
                }
                return Err(ERESTARTSYS);
            }
        }
        Ok(tag)
    }

    /// Undoes `files += 1` of an open that fails; the last file of a FIFO
    /// takes its ring with it.
    fn open_failed(inner: &mut PipeInner) {
        inner.files -= 1;
        Self::put_ring(inner);
    }

    /// `put_pipe_info()`: when no file of a FIFO is left, its data and
    /// pages go (the next open starts with a fresh ring, as on Linux).
    fn put_ring(inner: &mut PipeInner) {
        if inner.files == 0 {
            inner.ring = Ring::empty();
            inner.charge = None;
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
        if grows && size > limits::pipe_max_size() && !capable(Capability::SysResource) {
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

/// `RIPC_IOC_PIPE2`: makes a pipe with a read-only and a write-only file.
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
            readers: 1,
            writers: 1,
            r_counter: 1,
            w_counter: 1,
            files: 2,
        },
    )?;
    let nonblock = flags & uapi::RIPC_PIPE_NONBLOCK;
    // Each end's release gives back its count; a failure below drops the
    // ends made so far, and with them the pipe.
    let rfile = object_file::new_file(pipe.clone(), bindings::O_RDONLY | nonblock)?;
    let wfile = object_file::new_file(pipe, bindings::O_WRONLY | nonblock)?;
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
                readers: 0,
                writers: 0,
                r_counter: 0,
                w_counter: 0,
                files: 0,
            },
        )
    }
}

impl ObjectFile for Pipe {
    const NAME: &'static CStr = c"[ripc-pipe]";

    const FOPS: &'static bindings::file_operations = &PIPE_FOPS.0;

    const STREAM: bool = true;

    /// `fstat` on an end shows a FIFO, as on a pipefs inode.
    const ANON_FILE_TYPE: u32 = bindings::S_IFIFO;

    fn open(this: ArcBorrow<'_, Self>, file: &File) -> Result<u64> {
        this.fifo_open(file)
    }

    /// `pipe_release()`: the last reader or writer going wakes the other
    /// side (readers see EOF, writers `EPIPE`).
    fn release(this: ArcBorrow<'_, Self>, file: &File) {
        let (read, write) = access(file);
        let mut inner = this.inner.lock();
        if read {
            inner.readers -= 1;
        }
        if write {
            inner.writers -= 1;
        }
        let wake = (inner.readers == 0) != (inner.writers == 0);
        inner.files -= 1;
        if this.fifo {
            Self::put_ring(&mut inner);
        }
        drop(inner);
        if wake {
            this.rd_wait.notify_all();
            this.wr_wait.notify_all();
        }
    }

    /// Reads what is there, blocking only while the pipe is empty and a
    /// writer exists; 0 at EOF (empty, no writer).
    fn read(
        this: ArcBorrow<'_, Self>,
        file: &LocalFile,
        mut out: UserSliceWriter,
    ) -> Result<usize> {
        let mut total = out.len();
        if total == 0 {
            return Ok(0);
        }
        let mut done = 0;
        let mut wake_writer = false;
        let mut inner = this.inner.lock();
        let result = loop {
            if !inner.ring.is_empty() {
                let was_full = inner.ring.is_full();
                match inner.ring.read_front(&mut out, total) {
                    Ok(n) => {
                        done += n;
                        total -= n;
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
            if inner.writers == 0 || done > 0 {
                break Ok(done);
            }
            if nonblocking(file) {
                break Err(EAGAIN);
            }
            if this.rd_wait.wait_interruptible(&mut inner) {
                break Err(ERESTARTSYS);
            }
        };
        drop(inner);
        if wake_writer {
            this.wr_wait.notify_all();
        }
        result
    }

    /// Writes all of `input`, blocking while the ring is full. A write of
    /// at most `PIPE_BUF` bytes goes in whole or waits: merged into the last
    /// page if it fits there, else into a free slot.
    fn write(
        this: ArcBorrow<'_, Self>,
        file: &LocalFile,
        mut input: UserSliceReader,
    ) -> Result<usize> {
        let total = input.len();
        if total == 0 {
            return Ok(0);
        }
        let mut done = 0;
        // Bytes readers have been woken for.
        let mut announced = 0;
        let mut inner = this.inner.lock();
        let result = 'out: {
            if inner.readers == 0 {
                send_sigpipe();
                break 'out Err(EPIPE);
            }
            // Merge the part that is not a whole number of pages into the
            // last buffer, which page-aligns the rest of a large write.
            let chars = total & (PAGE_SIZE - 1);
            if chars != 0 {
                match inner.ring.merge_back(&mut input, chars) {
                    Ok(true) => {
                        done = chars;
                        if input.is_empty() {
                            break 'out Ok(done);
                        }
                    }
                    Ok(false) => {}
                    Err(err) => break 'out Err(err),
                }
            }
            loop {
                if inner.readers == 0 {
                    send_sigpipe();
                    break 'out partial(done, EPIPE);
                }
                if !inner.ring.is_full() {
                    match inner.ring.push_page(&mut input) {
                        Ok(n) => done += n,
                        Err(err) => break 'out partial(done, err),
                    }
                    if input.is_empty() {
                        break 'out Ok(done);
                    }
                    continue;
                }
                if nonblocking(file) {
                    break 'out partial(done, EAGAIN);
                }
                if done > announced {
                    // Let readers drain what is there before sleeping.
                    drop(inner);
                    this.rd_wait.notify_all();
                    announced = done;
                    inner = this.inner.lock();
                    continue;
                }
                if this.wr_wait.wait_interruptible(&mut inner) {
                    break 'out partial(done, ERESTARTSYS);
                }
            }
        };
        drop(inner);
        // Every write that adds data wakes readers (and edge-triggered
        // epoll), even into a non-empty pipe, as Linux does for epoll.
        if done > announced {
            this.rd_wait.notify_all();
        }
        result
    }

    fn poll(this: ArcBorrow<'_, Self>, file: &File, table: PollTable<'_>) -> u32 {
        // Register first, then sample: a change after the sample wakes us.
        let (read, write) = access(file);
        if read {
            table.register_wait(file, &this.rd_wait);
        }
        if write {
            table.register_wait(file, &this.wr_wait);
        }
        let inner = this.inner.lock();
        let mut mask = 0;
        if read {
            if !inner.ring.is_empty() {
                mask |= bindings::POLLIN | bindings::POLLRDNORM;
            }
            // A FIFO reader opened without a writer sees no hang-up until
            // a writer has come (its tag is the writer count it saw).
            if inner.writers == 0 && object_file::file_tag::<Self>(file) != inner.w_counter.into() {
                mask |= bindings::POLLHUP;
            }
        }
        if write {
            if !inner.ring.is_full() {
                mask |= bindings::POLLOUT | bindings::POLLWRNORM;
            }
            if inner.readers == 0 {
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
                let ret = this.set_size(arg as u32);
                // Room may have appeared for blocked writers; `set_size`
                // has dropped the lock.
                this.wr_wait.notify_all();
                ret
            }
            _ => Err(ENOTTY),
        }
    }
}
