// SPDX-License-Identifier: GPL-2.0

//! Byte-level traits for the ABI structures of [`crate::uapi`], so that
//! they can be copied to and from userspace with `UserSlice`.

use crate::uapi;
use kernel::transmute::{AsBytes, FromBytes};

/// Marks bindgen-generated ABI structs as plain old data.
macro_rules! abi_plain_data {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: the type is a `#[repr(C)]` struct generated from the uapi
        // header, made only of fixed-width integers with explicit padding
        // fields, so every bit pattern is valid and it has no implicit
        // padding bytes.
        unsafe impl FromBytes for $t {}
        // SAFETY: as above.
        unsafe impl AsBytes for $t {}
    )*};
}

abi_plain_data!(
    uapi::ripc_version,
    uapi::ripc_eventfd_args,
    uapi::ripc_pipe2_args,
);

// SysV IPC and message queues.
abi_plain_data!(
    uapi::ripc_ipc64_perm,
    uapi::ripc_msqid64_ds,
    uapi::ripc_msginfo,
    uapi::ripc_msgget_args,
    uapi::ripc_msgsnd_args,
    uapi::ripc_msgrcv_args,
    uapi::ripc_msgctl_args,
);

// SysV semaphore arrays.
abi_plain_data!(
    uapi::ripc_sembuf,
    uapi::ripc_semid64_ds,
    uapi::ripc_seminfo,
    uapi::ripc_semget_args,
    uapi::ripc_semop_args,
    uapi::ripc_semctl_args,
);

// POSIX message queues.
abi_plain_data!(
    uapi::ripc_mq_attr,
    uapi::ripc_mq_open_args,
    uapi::ripc_mq_timed_args,
    uapi::ripc_mq_getsetattr_args,
    uapi::ripc_mq_notify_args,
);

// SysV shared memory.
abi_plain_data!(
    uapi::ripc_shmid64_ds,
    uapi::ripc_shminfo64,
    uapi::ripc_shm_info,
    uapi::ripc_shmget_args,
    uapi::ripc_shmat_args,
    uapi::ripc_shmctl_args,
);
