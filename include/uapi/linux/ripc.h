/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ripc: Linux IPC mechanisms re-implemented in a Rust kernel module.
 *
 * This header is the whole ABI between the module (/dev/ripc, ripcfs) and
 * userspace. The module takes its constants and structures from it through
 * bindgen at build time, so the two cannot drift apart.
 *
 * Every object is created by an ioctl on /dev/ripc, which returns a new file
 * descriptor for the object (or an id, for the SysV-style kinds).
 */
#ifndef _UAPI_LINUX_RIPC_H
#define _UAPI_LINUX_RIPC_H

#include <asm/ioctls.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define RIPC_DEVICE_PATH	"/dev/ripc"
#define RIPC_FS_NAME		"ripcfs"
#define RIPCFS_MAGIC		0x72697063	/* "ripc" */

/* Bumped on any incompatible change of this header. */
#define RIPC_ABI_VERSION	1

#define RIPC_IOC_MAGIC		'r'

/* RIPC_IOC_VERSION: report the ABI version the module speaks. */
struct ripc_version {
	__u32 abi;		/* RIPC_ABI_VERSION */
	__u32 features;		/* RIPC_FEAT_* bits of the mechanisms built in */
};

#define RIPC_FEAT_NOTIFY	(1U << 0)
#define RIPC_FEAT_PIPE		(1U << 1)
#define RIPC_FEAT_MSG		(1U << 2)
#define RIPC_FEAT_SEM		(1U << 3)
#define RIPC_FEAT_SHM		(1U << 4)

#define RIPC_IOC_VERSION	_IOR(RIPC_IOC_MAGIC, 0x00, struct ripc_version)

/*
 * Notifier: an eventfd-like 64-bit counter (Documentation/notify.rst).
 * RIPC_IOC_EVENTFD returns a new file descriptor; read(2), write(2) and
 * poll(2) on it behave as on an eventfd. The flags have the values of
 * EFD_SEMAPHORE, EFD_CLOEXEC and EFD_NONBLOCK.
 */
#define RIPC_EFD_SEMAPHORE	00000001
#define RIPC_EFD_NONBLOCK	00004000	/* O_NONBLOCK */
#define RIPC_EFD_CLOEXEC	02000000	/* O_CLOEXEC */

struct ripc_eventfd_args {
	__u32 initval;
	__u32 flags;		/* RIPC_EFD_* */
};

#define RIPC_IOC_EVENTFD	_IOW(RIPC_IOC_MAGIC, 0x01, struct ripc_eventfd_args)

/*
 * Pipes (Documentation/pipe.rst).
 *
 * RIPC_IOC_PIPE2 on /dev/ripc is pipe2(2): it stores a read end and a
 * write end in the int[2] that fds points to (untouched on failure; EFAULT
 * if it cannot be written, and then no descriptor is created). flags may hold RIPC_PIPE_NONBLOCK and
 * RIPC_PIPE_CLOEXEC (the values of O_NONBLOCK and O_CLOEXEC); anything
 * else is EINVAL. read(2), write(2), poll(2) and FIONREAD on the ends
 * behave as on a pipe; named FIFOs are made with mknod(S_IFIFO) in the
 * pipe/ directory of ripcfs.
 */
#define RIPC_PIPE_NONBLOCK	00004000	/* O_NONBLOCK */
#define RIPC_PIPE_CLOEXEC	02000000	/* O_CLOEXEC */

/* The largest write that is never interleaved with other writers. */
#define RIPC_PIPE_BUF		4096

struct ripc_pipe2_args {
	__u64 fds;		/* int fds[2]: read end, write end */
	__u32 flags;		/* RIPC_PIPE_* */
	__u32 __reserved;	/* must be 0 */
};

#define RIPC_IOC_PIPE2		_IOW(RIPC_IOC_MAGIC, 0x20, struct ripc_pipe2_args)

/*
 * On a pipe or FIFO descriptor, as fcntl(F_GETPIPE_SZ / F_SETPIPE_SZ):
 * GETSZ returns the capacity in bytes; SETSZ takes the wanted size as the
 * (unsigned int) argument, rounds it up to a power-of-two number of pages
 * and returns the new capacity.
 */
#define RIPC_PIPE_IOC_GETSZ	_IO(RIPC_IOC_MAGIC, 0x21)
#define RIPC_PIPE_IOC_SETSZ	_IO(RIPC_IOC_MAGIC, 0x22)

/* FIONREAD on a pipe end: bytes held, as an int. For the module's side. */
#define RIPC_FIONREAD		FIONREAD

#endif /* _UAPI_LINUX_RIPC_H */
