// SPDX-License-Identifier: GPL-2.0

//! `/dev/ripc`: where every object is created.
//!
//! Each ioctl is decoded here and handed to the mechanism it names; the
//! mechanism returns a new file descriptor, an id, or a value.

use crate::{limits, mqueue, msg, notify, uapi};
use kernel::{
    fs::File,
    prelude::*,
    uaccess::{UserPtr, UserSlice},
};

/// Decodes one ioctl on `/dev/ripc`.
pub(crate) fn ioctl(_file: &File, cmd: u32, arg: usize) -> Result<isize> {
    match cmd {
        uapi::RIPC_IOC_VERSION => {
            let version = uapi::ripc_version {
                abi: limits::ABI_VERSION,
                features: uapi::RIPC_FEAT_NOTIFY | uapi::RIPC_FEAT_MSG,
            };
            let mut out = UserSlice::new(UserPtr::from_addr(arg), size_of_val(&version)).writer();
            out.write(&version)?;
            Ok(0)
        }
        uapi::RIPC_IOC_EVENTFD => {
            let args: uapi::ripc_eventfd_args = read_arg(arg)?;
            Ok(notify::create(args.initval, args.flags)?.try_into()?)
        }
        uapi::RIPC_IOC_MSGGET => {
            let args: uapi::ripc_msgget_args = read_arg(arg)?;
            msg::msgget(args.key, args.msgflg)
        }
        uapi::RIPC_IOC_MSGSND => msg::msgsnd(&read_arg(arg)?),
        uapi::RIPC_IOC_MSGRCV => msg::msgrcv(&read_arg(arg)?),
        uapi::RIPC_IOC_MSGCTL => msg::msgctl(&read_arg(arg)?),
        uapi::RIPC_IOC_MQ_OPEN => mqueue::open(&read_arg(arg)?),
        _ => Err(ENOTTY),
    }
}

/// Copies an ioctl's argument structure in from userspace.
fn read_arg<T: kernel::transmute::FromBytes>(arg: usize) -> Result<T> {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
        .reader()
        .read()
}
