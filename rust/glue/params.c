// SPDX-License-Identifier: GPL-2.0
/*
 * ripc's tunable limits as module parameters, readable and writable in
 * /sys/module/ripc/parameters/ (mode 0644: root sets them, anyone reads),
 * and settable at load time (insmod ripc.ko msgmni=64). They are the
 * counterparts of the sysctls (kernel.msgmni, kernel.sem, kernel.shm*,
 * fs.mqueue.*, fs.pipe-*): the values of the initial IPC namespace, and
 * those a new namespace starts with (rust/ipc/tunables.rs); ripcfs's sys/
 * files show and set them too, with the sysctls' checks.
 *
 * C because the Rust module! macro only has read-only, load-time
 * parameters without sysfs access. Each value is an atomic on the Rust
 * side (params.rs), read at every use as the sysctls are; a sysfs write
 * outside its range fails with EINVAL.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "params.h"

static int ripc_param_set(const char *val, const struct kernel_param *kp)
{
	struct ripc_param *param = kp->arg;
	unsigned long value;
	int err = kstrtoul(val, 0, &value);

	if (err)
		return err;
	if (value < param->min || value > param->max)
		return -EINVAL;
	WRITE_ONCE(param->value, value);
	return 0;
}

static int ripc_param_get(char *buf, const struct kernel_param *kp)
{
	const struct ripc_param *param = kp->arg;

	return sysfs_emit(buf, "%lu\n", READ_ONCE(param->value));
}

static const struct kernel_param_ops ripc_param_ops = {
	.set = ripc_param_set,
	.get = ripc_param_get,
};

#define RIPC_PARAM(name, def, lo, hi, desc)						\
	struct ripc_param ripc_param_##name = { .value = (def), .min = (lo), .max = (hi) };	\
	module_param_cb(name, &ripc_param_ops, &ripc_param_##name, 0644);		\
	MODULE_PARM_DESC(name, desc)

/* Pipes: fs.pipe-max-size, fs.pipe-user-pages-soft/-hard. */
RIPC_PARAM(pipe_max_size, 1048576, PAGE_SIZE, 1UL << 31,
	   "Largest pipe capacity in bytes without CAP_SYS_RESOURCE (1048576)");
RIPC_PARAM(pipe_user_pages_soft, 16384, 0, ULONG_MAX,
	   "Pipe pages per user before new pipes get 2 slots; 0: no limit (16384)");
RIPC_PARAM(pipe_user_pages_hard, 0, 0, ULONG_MAX,
	   "Pipe pages per user past which pipes cannot be made or grown; 0: no limit (0)");

/* SysV message queues: kernel.msgmni, kernel.msgmax, kernel.msgmnb. */
RIPC_PARAM(msgmni, 32000, 0, RIPC_IPCMNI, "Message queues at most, per IPC namespace (32000)");
RIPC_PARAM(msgmax, 8192, 0, INT_MAX, "Bytes in one message at most (8192)");
RIPC_PARAM(msgmnb, 16384, 0, INT_MAX,
	   "Default msg_qbytes, and its maximum without CAP_SYS_RESOURCE (16384)");

/* SysV semaphores: kernel.sem = semmsl semmns semopm semmni. */
RIPC_PARAM(semmsl, 32000, 0, INT_MAX, "Semaphores in one array at most (32000)");
RIPC_PARAM(semmns, 1024000000, 0, INT_MAX,
	   "Semaphores in all arrays at most, per IPC namespace (1024000000)");
RIPC_PARAM(semopm, 500, 0, INT_MAX, "Operations in one semop() at most (500)");
RIPC_PARAM(semmni, 32000, 0, RIPC_IPCMNI, "Semaphore arrays at most, per IPC namespace (32000)");

/* SysV shared memory: kernel.shmmax, kernel.shmall, kernel.shmmni. */
RIPC_PARAM(shmmax, ULONG_MAX - (1UL << 24), 0, ULONG_MAX, "Bytes in one segment at most");
RIPC_PARAM(shmall, ULONG_MAX - (1UL << 24), 0, ULONG_MAX,
	   "Pages in all segments at most, per IPC namespace");
RIPC_PARAM(shmmni, 4096, 0, RIPC_IPCMNI, "Segments at most, per IPC namespace (4096)");

/* POSIX message queues: fs.mqueue.*; the hard limits of ipc/mqueue.c. */
RIPC_PARAM(mq_queues_max, 256, 0, 1024,
	   "POSIX queues at most without CAP_SYS_RESOURCE (256)");
RIPC_PARAM(mq_msg_max, 10, 1, 65536, "Most mq_maxmsg without CAP_SYS_RESOURCE (10)");
RIPC_PARAM(mq_msgsize_max, 8192, 128, 16 << 20,
	   "Most mq_msgsize without CAP_SYS_RESOURCE (8192)");
RIPC_PARAM(mq_msg_default, 10, 1, 65536, "mq_maxmsg when mq_open() gives no attributes (10)");
RIPC_PARAM(mq_msgsize_default, 8192, 128, 16 << 20,
	   "mq_msgsize when mq_open() gives no attributes (8192)");

/* ripcfs: what a tmpfs mount's nr_inodes bounds (read by ripcfs.c). */
RIPC_PARAM(ripcfs_max_names, 65536, 0, ULONG_MAX,
	   "Named objects in ripcfs at most; ENOSPC past it (65536)");
