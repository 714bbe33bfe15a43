// SPDX-License-Identifier: GPL-2.0

//! `/dev/ripc`: where every object is created.
//!
//! Each ioctl is decoded here and handed to the mechanism it names; the
//! mechanism returns a new file descriptor, an id, or a value.

use crate::{ipc, limits, mqueue, msg, notify, pipe, sem, shm, uapi};
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
                features: uapi::RIPC_FEAT_NOTIFY
                    | uapi::RIPC_FEAT_PIPE
                    | uapi::RIPC_FEAT_MSG
                    | uapi::RIPC_FEAT_SEM
                    | uapi::RIPC_FEAT_SHM,
            };
            let mut out = UserSlice::new(UserPtr::from_addr(arg), size_of_val(&version)).writer();
            out.write(&version)?;
            Ok(0)
        }
        uapi::RIPC_IOC_EVENTFD => {
            let args: uapi::ripc_eventfd_args = read_arg(arg)?;
            Ok(notify::create(args.initval, args.flags)?.try_into()?)
        }
        uapi::RIPC_IOC_PIPE2 => {
            let args: uapi::ripc_pipe2_args = read_arg(arg)?;
            if args.__reserved != 0 {
                return Err(EINVAL);
            }
            let new = pipe::pipe2(args.flags)?;
            let fds = new.fds();
            // As do_pipe2(): the descriptors appear only once the caller
            // has their numbers; on EFAULT both ends are closed unseen.
            let fds_addr = usize::try_from(args.fds).map_err(|_| EFAULT)?;
            UserSlice::new(UserPtr::from_addr(fds_addr), size_of_val(&fds))
                .writer()
                .write(&fds)?;
            new.install();
            Ok(0)
        }
        uapi::RIPC_IOC_MSGGET => {
            let args: uapi::ripc_msgget_args = read_arg(arg)?;
            msg::msgget(args.key, args.msgflg)
        }
        uapi::RIPC_IOC_MSGSND => msg::msgsnd(&read_arg(arg)?),
        uapi::RIPC_IOC_MSGRCV => msg::msgrcv(&read_arg(arg)?),
        uapi::RIPC_IOC_MSGCTL => msg::msgctl(&read_arg(arg)?),
        uapi::RIPC_IOC_SEMGET => sem::semget(&read_arg(arg)?),
        uapi::RIPC_IOC_SEMOP => sem::semop(&read_arg(arg)?),
        uapi::RIPC_IOC_SEMCTL => sem::semctl(&read_arg(arg)?),
        uapi::RIPC_IOC_MQ_OPEN => mqueue::open(&read_arg(arg)?),
        uapi::RIPC_IOC_SHMGET => shm::shmget(&read_arg(arg)?),
        uapi::RIPC_IOC_SHMAT => shm::shmat(&mut read_arg(arg)?, arg),
        uapi::RIPC_IOC_SHMDT => shm::shmdt(arg),
        uapi::RIPC_IOC_SHMCTL => shm::shmctl(&read_arg(arg)?),
        _ => Err(ENOTTY),
    }
}

/// Copies an ioctl's argument structure in from userspace.
fn read_arg<T: kernel::transmute::FromBytes>(arg: usize) -> Result<T> {
    UserSlice::new(UserPtr::from_addr(arg), size_of::<T>())
        .reader()
        .read()
}

/// `flush` of `/dev/ripc`: the caller closes a descriptor of it. When the
/// caller's process is exiting, this is its `exit_sem()`: its `SEM_UNDO`
/// adjustments are applied (see `rust/sem/undo.rs`); any other close
/// changes nothing.
pub(crate) fn flush() {
    sem::exit_undo();
}

/// `release` of `/dev/ripc`: often the last act of a process (its files
/// are released after it left its namespaces), so IPC namespaces it was
/// the last user of are freed now, and the `SEM_UNDO` adjustments of
/// processes that exited without a `/dev/ripc` descriptor are applied.
pub(crate) fn release() {
    sem::sweep_exited_undos();
    ipc::sweep_dead_namespaces();
}
