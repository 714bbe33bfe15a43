// SPDX-License-Identifier: GPL-2.0

//! ripc: the classic Linux IPC mechanisms re-implemented in Rust.
//!
//! The module registers the misc device `/dev/ripc`, whose ioctls create
//! objects (see [`device`]), and the filesystem `ripcfs`, where objects can
//! be given names (see `Documentation/ripcfs.rst`).
//!
//! Layout of the crate:
//! - [`device`]: `/dev/ripc` and its ioctl dispatch, the entry point of
//!   every data flow;
//! - [`limits`]: the module-wide limits, in one place;
//! - one module per mechanism: [`notify`] (eventfd), [`pipe`] (pipes and
//!   FIFOs), [`msg`] (SysV message queues), [`sem`] (SysV semaphore
//!   arrays), [`mqueue`] (POSIX message queues), [`shm`] (SysV shared
//!   memory and named segments); the SysV ones stand on the shared layer
//!   [`ipc`] (ids, keys, permissions), as `ipc/util.c`;
//! - [`uapi`]: the ABI, generated from `include/uapi/linux/ripc.h`;
//! - [`glue`]: the thin layer that holds all the `unsafe` code talking to
//!   the C side of the kernel. Everything outside it is safe Rust.

use kernel::prelude::*;

mod device;
mod glue;
mod ipc;
mod limits;
mod mqueue;
mod msg;
mod notify;
mod pipe;
mod sem;
mod shm;
mod uapi;
mod wake;

module! {
    type: RipcModule,
    name: "ripc",
    authors: ["The ripc developers"],
    description: "Linux IPC mechanisms (pipe, msg, sem, shm, eventfd) re-implemented in Rust",
    license: "GPL",
}

/// The kinds of objects that can be named in ripcfs, by directory.
static RIPCFS_KINDS: glue::AssertSync<[glue::ripcfs::Kind; 4]> = glue::AssertSync([
    glue::ripcfs::kind::<notify::Notifier>(c"notify"),
    glue::ripcfs::kind::<pipe::Pipe>(c"pipe"),
    glue::ripcfs::kind::<mqueue::Mqueue>(c"mq").limited_by(ipc::tunables::Cell::MqQueuesMax),
    glue::ripcfs::kind::<shm::ShmNamed>(c"shm"),
]);

/// The status files of ripcfs's `sysvipc/` directory, as `/proc/sysvipc/`.
static RIPCFS_STATUS: glue::AssertSync<[glue::ripcfs::Status; 3]> = glue::AssertSync([
    glue::ripcfs::status::<msg::Status>(c"msg"),
    glue::ripcfs::status::<sem::Status>(c"sem"),
    glue::ripcfs::status::<shm::Status>(c"shm"),
]);

/// The module's state: what it registered, unregistered when dropped
/// (fields drop in declaration order).
///
/// ripcfs is registered last and unregistered first: once it is
/// registered, a `mount` can make a superblock that pins the module, so
/// nothing may fail after it (a failing `misc_register()` after it would
/// leave that superblock pointing into a module that is being freed).
#[pin_data]
struct RipcModule {
    _fs: glue::ripcfs::Registration,
    #[pin]
    misc: glue::misc::MiscRegistration,
    /// Last: SysV objects go once nothing can reach them any more.
    _ipc: glue::global::Teardown,
}

impl kernel::InPlaceModule for RipcModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // Fields are initialised in the order written here.
        try_pin_init!(Self {
            _ipc: glue::global::Teardown::new()?,
            misc <- glue::misc::MiscRegistration::register(c"ripc", &glue::misc::DEV_FOPS),
            _fs: glue::ripcfs::Registration::new(&RIPCFS_KINDS, &RIPCFS_STATUS)?,
        })
    }
}
