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

fn main() {
    let cases = [
        Case {
            name: "version_reports_abi",
            run: version_reports_abi,
        },
        Case {
            name: "version_bad_pointer_is_efault",
            run: version_bad_pointer_is_efault,
        },
        Case {
            name: "unknown_ioctl_is_enotty",
            run: unknown_ioctl_is_enotty,
        },
        Case {
            name: "read_and_write_on_device_fail",
            run: read_and_write_on_device_fail,
        },
    ];
    std::process::exit(tap::run(&cases));
}
