// SPDX-License-Identifier: GPL-2.0

//! Ownership and permissions of SysV objects (`struct kern_ipc_perm`,
//! `ipcperms()`, `ipc_update_perm()` of `ipc/util.c`).

use super::rules::{self, Class};
use crate::glue::{
    cred::{Kgid, Kuid},
    task::{capable, Capability},
};
use crate::uapi;
use kernel::prelude::*;

/// The permission bits of a mode (`S_IRWXUGO`).
pub(crate) const S_IRWXUGO: u32 = 0o777;
/// Read permission for all three classes (`S_IRUGO`).
pub(crate) const S_IRUGO: u32 = 0o444;
/// Write permission for all three classes (`S_IWUGO`).
pub(crate) const S_IWUGO: u32 = 0o222;

/// Who owns a SysV object and who may use it (`struct kern_ipc_perm`).
///
/// `key`, `id`, `seq`, `cuid` and `cgid` are fixed at creation; `uid`,
/// `gid` and the permission bits of `mode` change with `IPC_SET`. The
/// object keeps it under its own lock.
#[derive(Clone, Copy)]
pub(crate) struct KernIpcPerm {
    pub(crate) key: i32,
    pub(crate) id: i32,
    pub(crate) seq: u16,
    pub(crate) uid: Kuid,
    pub(crate) gid: Kgid,
    pub(crate) cuid: Kuid,
    pub(crate) cgid: Kgid,
    pub(crate) mode: u32,
}

impl KernIpcPerm {
    /// The ownership of an object the current task creates (`ipc_addid()`):
    /// owner and creator are its effective ids.
    pub(crate) fn new_current(key: i32, id: i32, seq: u16, mode: u32) -> Self {
        let (uid, gid) = (Kuid::current_euid(), Kgid::current_egid());
        Self {
            key,
            id,
            seq,
            uid,
            gid,
            cuid: uid,
            cgid: gid,
            mode: mode & S_IRWXUGO,
        }
    }

    /// `ipc_update_perm()`: takes uid, gid and the permission bits from
    /// `IPC_SET`'s argument. `EINVAL` if an id has no mapping in the
    /// caller's user namespace; nothing changes then.
    pub(crate) fn update(&mut self, new: &uapi::ripc_ipc64_perm) -> Result {
        let uid = Kuid::from_user(new.uid).ok_or(EINVAL)?;
        let gid = Kgid::from_user(new.gid).ok_or(EINVAL)?;
        self.uid = uid;
        self.gid = gid;
        self.mode = (self.mode & !S_IRWXUGO) | (new.mode & S_IRWXUGO);
        Ok(())
    }

    /// `kernel_to_ipc64_perm()`: the ABI form, ids as seen by the caller.
    pub(crate) fn to_user(self) -> uapi::ripc_ipc64_perm {
        uapi::ripc_ipc64_perm {
            key: self.key,
            uid: self.uid.to_user(),
            gid: self.gid.to_user(),
            cuid: self.cuid.to_user(),
            cgid: self.cgid.to_user(),
            mode: self.mode,
            seq: self.seq,
            __pad2: 0,
            __pad3: 0,
            __unused1: 0,
            __unused2: 0,
        }
    }
}

/// Whether the current task's effective uid `euid` is the owner's or the
/// creator's. Compared as values, as `uid_eq()` does: from Rust, `==` on a
/// `Kuid` is a call to that static inline's helper, twice per operation.
fn owns(euid: Kuid, perm: &KernIpcPerm) -> bool {
    euid.raw() == perm.cuid.raw() || euid.raw() == perm.uid.raw()
}

/// The class the current task is judged by (`ipcperms()`): the owner or
/// creator uid, a member of the owner's or creator's group, or other.
fn current_class(perm: &KernIpcPerm) -> Class {
    if owns(Kuid::current_euid(), perm) {
        Class::Owner
    } else if perm.cgid.current_in_group() || perm.gid.current_in_group() {
        Class::Group
    } else {
        Class::Other
    }
}

/// `ipcperms()`: may the current task access the object for `flag`
/// (`S_IRUGO`, `S_IWUGO`, or the mode bits given to a get)? The owner or
/// creator is judged by the owner bits, a member of the owner's or
/// creator's group by the group bits, anybody else by the other bits;
/// `CAP_IPC_OWNER` overrides. `EACCES` if refused.
pub(crate) fn ipcperms(perm: &KernIpcPerm, flag: u32) -> Result {
    if rules::grants(perm.mode, flag & S_IRWXUGO, current_class(perm))
        || capable(Capability::IpcOwner)
    {
        Ok(())
    } else {
        Err(EACCES)
    }
}

/// The rights check of `ipcctl_obtain_check()` for `IPC_SET` and
/// `IPC_RMID`: the owner, the creator, or `CAP_SYS_ADMIN`. `EPERM` if not.
pub(crate) fn may_change(perm: &KernIpcPerm) -> Result {
    if owns(Kuid::current_euid(), perm) || capable(Capability::SysAdmin) {
        Ok(())
    } else {
        Err(EPERM)
    }
}
