// SPDX-License-Identifier: GPL-2.0
//! Rust test programs for ripc: the same ABI as the C selftests, through
//! the `ripc` crate. Run in the guest with ripc loaded; prints TAP.

mod tap;

use ripc::{uapi, Device};
use tap::{Case, Outcome};

fn version_reports_abi() -> Outcome {
    let dev = match Device::open() {
        Ok(d) => d,
        Err(e) => return Outcome::Fail(format!("open /dev/ripc: {e}")),
    };
    match dev.version() {
        Ok(v) => {
            ensure!(
                v.abi == uapi::RIPC_ABI_VERSION,
                "abi {} != {}",
                v.abi,
                uapi::RIPC_ABI_VERSION
            );
            Outcome::Pass
        }
        Err(e) => Outcome::Fail(format!("RIPC_IOC_VERSION: {e}")),
    }
}

fn version_bad_pointer_is_efault() -> Outcome {
    let dev = Device::open().expect("open /dev/ripc");
    let err = dev.raw_ioctl(uapi::RIPC_IOC_VERSION.into(), 8).unwrap_err();
    ensure!(err.raw_os_error() == Some(libc::EFAULT), "got {err}");
    Outcome::Pass
}

fn unknown_ioctl_is_enotty() -> Outcome {
    let dev = Device::open().expect("open /dev/ripc");
    // Same magic, unused number; and another driver's magic.
    for cmd in [0x7200_u64 | 0xff, 0x5401] {
        let err = dev.raw_ioctl(cmd, 0).unwrap_err();
        ensure!(
            err.raw_os_error() == Some(libc::ENOTTY),
            "cmd {cmd:#x}: {err}"
        );
    }
    Outcome::Pass
}

fn read_and_write_on_device_fail() -> Outcome {
    use std::io::{Read, Write};
    let mut f = std::fs::File::from(Device::open().expect("open").into_fd());
    let mut buf = [0u8; 8];
    let r = f.read(&mut buf);
    ensure!(r.is_err(), "read on /dev/ripc succeeded");
    let w = f.write(&buf);
    ensure!(w.is_err(), "write on /dev/ripc succeeded");
    Outcome::Pass
}

fn notifier_threads_lose_nothing() -> Outcome {
    use std::sync::{atomic::AtomicU64, atomic::Ordering::SeqCst, Arc};
    const WRITERS: u64 = 4;
    const PER_WRITER: u64 = 5000;
    let dev = Device::open().expect("open /dev/ripc");
    let fd = Arc::new(dev.eventfd(0, 0).expect("eventfd"));
    let total = Arc::new(AtomicU64::new(0));
    let expected = WRITERS * PER_WRITER * (PER_WRITER + 1) / 2;
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (fd, total) = (fd.clone(), total.clone());
            std::thread::spawn(move || {
                while total.load(SeqCst) < expected {
                    let v = ripc::eventfd_read(&*fd).expect("read");
                    total.fetch_add(v, SeqCst);
                }
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let fd = fd.clone();
            std::thread::spawn(move || {
                for k in 1..=PER_WRITER {
                    ripc::eventfd_write(&*fd, k).expect("write");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    // Readers stop once everything arrived; one may still wait in read.
    while total.load(SeqCst) < expected {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    for _ in 0..2 {
        ripc::eventfd_write(&*fd, 0).ok();
    }
    ensure!(
        total.load(SeqCst) == expected,
        "read {} of {expected}",
        total.load(SeqCst)
    );
    drop(readers);
    Outcome::Pass
}

fn notifier_semaphore_mode() -> Outcome {
    let dev = Device::open().expect("open /dev/ripc");
    let flags = uapi::RIPC_EFD_SEMAPHORE | uapi::RIPC_EFD_NONBLOCK;
    let fd = dev.eventfd(3, flags).expect("eventfd");
    for _ in 0..3 {
        ensure!(
            ripc::eventfd_read(&fd).ok() == Some(1),
            "semaphore read is not 1"
        );
    }
    let err = ripc::eventfd_read(&fd).unwrap_err();
    ensure!(err.raw_os_error() == Some(libc::EAGAIN), "got {err}");
    Outcome::Pass
}

fn notifier_unknown_flags_einval() -> Outcome {
    let dev = Device::open().expect("open /dev/ripc");
    let err = dev.eventfd(0, 0x2).unwrap_err();
    ensure!(err.raw_os_error() == Some(libc::EINVAL), "got {err}");
    Outcome::Pass
}

fn pipe_threads_stream_in_order() -> Outcome {
    use std::io::{Read, Write};
    const BYTES: usize = 1 << 20;
    let dev = Device::open().expect("open /dev/ripc");
    let (r, w) = dev.pipe2(uapi::RIPC_PIPE_CLOEXEC).expect("pipe2");
    let writer = std::thread::spawn(move || {
        let mut w = std::fs::File::from(w);
        let data: Vec<u8> = (0..BYTES).map(|i| (i % 251) as u8).collect();
        for chunk in data.chunks(3001) {
            w.write_all(chunk).expect("write");
        }
        // Dropping the write end gives the reader EOF.
    });
    let mut got = Vec::new();
    std::fs::File::from(r).read_to_end(&mut got).expect("read");
    writer.join().expect("writer");
    ensure!(got.len() == BYTES, "read {} of {BYTES}", got.len());
    let bad = got
        .iter()
        .enumerate()
        .position(|(i, &b)| b != (i % 251) as u8);
    ensure!(bad.is_none(), "byte {bad:?} differs");
    Outcome::Pass
}

fn pipe_size_ioctls() -> Outcome {
    let dev = Device::open().expect("open /dev/ripc");
    let (r, w) = dev.pipe2(0).expect("pipe2");
    ensure!(ripc::pipe_get_size(&r).ok() == Some(65536), "default size");
    ensure!(
        ripc::pipe_set_size(&w, 5000).ok() == Some(8192),
        "5000 rounds to 2 pages"
    );
    let err = ripc::pipe_set_size(&w, u32::MAX).unwrap_err();
    ensure!(err.raw_os_error() == Some(libc::EINVAL), "got {err}");
    Outcome::Pass
}

fn pipe2_unknown_flags_einval() -> Outcome {
    let dev = Device::open().expect("open /dev/ripc");
    // As `do_pipe2()`: only O_CLOEXEC, O_NONBLOCK and O_DIRECT (packet
    // mode) are pipe flags.
    let err = dev.pipe2(libc::O_APPEND as u32).unwrap_err();
    ensure!(err.raw_os_error() == Some(libc::EINVAL), "got {err}");
    ensure!(
        dev.pipe2(libc::O_DIRECT as u32).is_ok(),
        "O_DIRECT makes a packet-mode pipe"
    );
    Outcome::Pass
}

/// SysV message queues through the crate: threads send typed messages, one
/// receiver per type takes exactly its own, in order; IPC_STAT agrees.
fn msg_queue_typed_threads() -> Outcome {
    const PER_TYPE: u32 = 500;
    let dev = std::sync::Arc::new(Device::open().expect("open /dev/ripc"));
    let flags = (uapi::RIPC_IPC_CREAT | 0o600) as i32;
    let id = dev
        .msgget(uapi::RIPC_IPC_PRIVATE as i32, flags)
        .expect("msgget");
    let mut threads = Vec::new();
    for mtype in 1..=3i64 {
        let d = dev.clone();
        threads.push(std::thread::spawn(move || -> Result<(), String> {
            for seq in 0..PER_TYPE {
                d.msgsnd(id, mtype, &seq.to_ne_bytes(), 0)
                    .map_err(|e| format!("msgsnd: {e}"))?;
            }
            Ok(())
        }));
        let d = dev.clone();
        threads.push(std::thread::spawn(move || -> Result<(), String> {
            let mut buf = [0u8; 4];
            for seq in 0..PER_TYPE {
                let (t, n) = d
                    .msgrcv(id, &mut buf, mtype, 0)
                    .map_err(|e| format!("msgrcv: {e}"))?;
                if t != mtype || n != 4 || u32::from_ne_bytes(buf) != seq {
                    return Err(format!("type {t} len {n} seq {buf:?}, want {mtype}/{seq}"));
                }
            }
            Ok(())
        }));
    }
    for t in threads {
        if let Err(e) = t.join().expect("thread") {
            return Outcome::Fail(e);
        }
    }
    // SAFETY: all-zeroes is a valid `ripc_msqid64_ds` (plain integers).
    let mut ds: uapi::ripc_msqid64_ds = unsafe { std::mem::zeroed() };
    let stat = uapi::RIPC_IPC_STAT as i32;
    ensure!(dev.msgctl(id, stat, Some(&mut ds)).is_ok(), "IPC_STAT");
    ensure!(ds.msg_qnum == 0, "qnum {}", ds.msg_qnum);
    ensure!(
        ds.msg_lspid == std::process::id() as i32,
        "lspid {}",
        ds.msg_lspid
    );
    let rmid = uapi::RIPC_IPC_RMID as i32;
    ensure!(dev.msgctl(id, rmid, None).is_ok(), "IPC_RMID");
    let err = dev.msgctl(id, stat, Some(&mut ds)).unwrap_err();
    ensure!(err.raw_os_error() == Some(libc::EINVAL), "got {err}");
    Outcome::Pass
}

/// Lists test functions as cases named after themselves.
fn shm_two_attachments_share_pages() -> Outcome {
    let dev = Device::open().expect("open /dev/ripc");
    let id = match dev.shmget(uapi::RIPC_IPC_PRIVATE as i32, 10_000, 0o1600) {
        Ok(id) => id,
        Err(e) => return Outcome::Fail(format!("shmget: {e}")),
    };
    let nattch = |dev: &Device| {
        // SAFETY: all-zeroes is a valid plain-data struct.
        let mut ds: uapi::ripc_shmid64_ds = unsafe { std::mem::zeroed() };
        dev.shmctl(id, uapi::RIPC_IPC_STAT as i32, Some(&mut ds))
            .map(|_| ds.shm_nattch)
    };
    let result = (|| {
        let a = dev.shmat(id, 0).map_err(|e| format!("shmat: {e}"))?;
        let b = dev
            .shmat(id, uapi::RIPC_SHM_RDONLY as i32)
            .map_err(|e| format!("shmat ro: {e}"))?;
        if a.len() != 10_000 || b.len() != 10_000 {
            return Err(format!("sizes {} {}", a.len(), b.len()));
        }
        // SAFETY: both map the segment's 10000 bytes.
        unsafe { a.as_ptr().add(9_999).write_volatile(42) };
        // SAFETY: as above.
        let seen = unsafe { b.as_ptr().add(9_999).read_volatile() };
        if seen != 42 {
            return Err(format!("read {seen}"));
        }
        if nattch(&dev).ok() != Some(2) {
            return Err(format!("nattch {:?}", nattch(&dev).ok()));
        }
        drop(a);
        drop(b);
        match nattch(&dev) {
            Ok(0) => Ok(()),
            n => Err(format!("nattch after drop {:?}", n.ok())),
        }
    })();
    let _ = dev.shmctl(id, uapi::RIPC_IPC_RMID as i32, None);
    match result {
        Ok(()) => Outcome::Pass,
        Err(e) => Outcome::Fail(e),
    }
}

macro_rules! cases {
    ($($f:ident),* $(,)?) => { [$(Case { name: stringify!($f), run: $f }),*] };
}

fn main() {
    let cases = cases![
        version_reports_abi,
        version_bad_pointer_is_efault,
        unknown_ioctl_is_enotty,
        read_and_write_on_device_fail,
        notifier_threads_lose_nothing,
        notifier_semaphore_mode,
        notifier_unknown_flags_einval,
        pipe_threads_stream_in_order,
        pipe_size_ioctls,
        pipe2_unknown_flags_einval,
        msg_queue_typed_threads,
        shm_two_attachments_share_pages,
    ];
    std::process::exit(tap::run(&cases));
}
