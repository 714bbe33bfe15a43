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
#define RIPC_ABI_VERSION	2

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
 * if it cannot be written, and then no descriptor is created). flags may
 * hold RIPC_PIPE_NONBLOCK, RIPC_PIPE_CLOEXEC and RIPC_PIPE_DIRECT (the
 * values of O_NONBLOCK, O_CLOEXEC and O_DIRECT: packet mode on the write
 * end, as pipe2(O_DIRECT)); anything else is EINVAL. read(2), write(2), poll(2) and FIONREAD on the ends
 * behave as on a pipe; named FIFOs are made with mknod(S_IFIFO) in the
 * pipe/ directory of ripcfs.
 */
#define RIPC_PIPE_NONBLOCK	00004000	/* O_NONBLOCK */
#define RIPC_PIPE_CLOEXEC	02000000	/* O_CLOEXEC */
#define RIPC_PIPE_DIRECT	00040000	/* O_DIRECT */

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

/*
 * SysV IPC, shared by message queues, semaphores and shared memory
 * (Documentation/msg.rst). The constants have the values of <sys/ipc.h>;
 * the structures have the layout of the kernel's ipc64_perm and msqid64_ds
 * on 64-bit architectures (which is glibc's struct ipc_perm and msqid_ds on
 * x86_64), so libripc hands the caller's buffer to the module unchanged.
 */
#define RIPC_IPC_PRIVATE	0
#define RIPC_IPC_CREAT		00001000
#define RIPC_IPC_EXCL		00002000
#define RIPC_IPC_NOWAIT		00004000

#define RIPC_IPC_RMID		0
#define RIPC_IPC_SET		1
#define RIPC_IPC_STAT		2
#define RIPC_IPC_INFO		3

struct ripc_ipc64_perm {
	__s32 key;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__u32 mode;
	__u16 seq;
	__u16 __pad2;
	__u32 __pad3;		/* explicit: the kernel's ipc64_perm has an implicit hole here */
	__u64 __unused1;
	__u64 __unused2;
};

/*
 * SysV message queues, as msgget(2), msgsnd(2), msgrcv(2) and msgctl(2).
 * Each ioctl on /dev/ripc returns what the system call returns.
 */
#define RIPC_MSG_STAT		11
#define RIPC_MSG_INFO		12
#define RIPC_MSG_STAT_ANY	13

#define RIPC_MSG_NOERROR	010000
#define RIPC_MSG_EXCEPT		020000
#define RIPC_MSG_COPY		040000

struct ripc_msqid64_ds {
	struct ripc_ipc64_perm msg_perm;
	__s64 msg_stime;
	__s64 msg_rtime;
	__s64 msg_ctime;
	__u64 msg_cbytes;
	__u64 msg_qnum;
	__u64 msg_qbytes;
	__s32 msg_lspid;
	__s32 msg_lrpid;
	__u64 __unused4;
	__u64 __unused5;
};

/* struct msginfo of IPC_INFO and MSG_INFO. */
struct ripc_msginfo {
	__s32 msgpool;
	__s32 msgmap;
	__s32 msgmax;
	__s32 msgmnb;
	__s32 msgmni;
	__s32 msgssz;
	__s32 msgtql;
	__u16 msgseg;
	__u16 __pad;
};

struct ripc_msgget_args {
	__s32 key;
	__s32 msgflg;
};

/* msgp points at a struct msgbuf: a long mtype, then the text. */
struct ripc_msgsnd_args {
	__s32 msqid;
	__s32 msgflg;
	__u64 msgp;
	__u64 msgsz;
};

struct ripc_msgrcv_args {
	__s32 msqid;
	__s32 msgflg;
	__u64 msgp;
	__u64 msgsz;
	__s64 msgtyp;
};

/* buf points at a struct ripc_msqid64_ds, or a ripc_msginfo for *_INFO. */
struct ripc_msgctl_args {
	__s32 msqid;
	__s32 cmd;
	__u64 buf;
};

#define RIPC_IOC_MSGGET		_IOW(RIPC_IOC_MAGIC, 0x30, struct ripc_msgget_args)
#define RIPC_IOC_MSGSND		_IOW(RIPC_IOC_MAGIC, 0x31, struct ripc_msgsnd_args)
#define RIPC_IOC_MSGRCV		_IOW(RIPC_IOC_MAGIC, 0x32, struct ripc_msgrcv_args)
#define RIPC_IOC_MSGCTL		_IOW(RIPC_IOC_MAGIC, 0x33, struct ripc_msgctl_args)

/*
 * SysV semaphore arrays, as semget(2), semop(2), semtimedop(2) and
 * semctl(2) (Documentation/sem.rst). Each ioctl on /dev/ripc returns what
 * the system call returns. struct ripc_sembuf is struct sembuf;
 * struct ripc_semid64_ds has the layout of the kernel's semid64_ds on
 * x86_64 (glibc's struct semid_ds); struct ripc_seminfo is struct seminfo.
 */
#define RIPC_SEM_UNDO		0x1000

#define RIPC_GETPID		11
#define RIPC_GETVAL		12
#define RIPC_GETALL		13
#define RIPC_GETNCNT		14
#define RIPC_GETZCNT		15
#define RIPC_SETVAL		16
#define RIPC_SETALL		17
#define RIPC_SEM_STAT		18
#define RIPC_SEM_INFO		19
#define RIPC_SEM_STAT_ANY	20

struct ripc_sembuf {
	__u16 sem_num;
	__s16 sem_op;
	__s16 sem_flg;		/* IPC_NOWAIT, SEM_UNDO */
};

struct ripc_semid64_ds {
	struct ripc_ipc64_perm sem_perm;
	__s64 sem_otime;
	__u64 __unused1;
	__s64 sem_ctime;
	__u64 __unused2;
	__u64 sem_nsems;
	__u64 __unused3;
	__u64 __unused4;
};

struct ripc_seminfo {
	__s32 semmap;
	__s32 semmni;
	__s32 semmns;
	__s32 semmnu;
	__s32 semmsl;
	__s32 semopm;
	__s32 semume;
	__s32 semusz;
	__s32 semvmx;
	__s32 semaem;
};

struct ripc_semget_args {
	__s32 key;
	__s32 nsems;
	__s32 semflg;
};

/* timeout: a const struct timespec * (relative), or 0 to wait forever. */
struct ripc_semop_args {
	__s32 semid;
	__u32 nsops;
	__u64 sops;		/* const struct ripc_sembuf * */
	__u64 timeout;
};

/*
 * arg is semctl's fourth argument: the value for SETVAL, else a pointer
 * (unsigned short * for GETALL/SETALL, struct ripc_semid64_ds * for
 * IPC_STAT/IPC_SET/SEM_STAT*, struct ripc_seminfo * for IPC_INFO/SEM_INFO).
 */
struct ripc_semctl_args {
	__s32 semid;
	__s32 semnum;
	__s32 cmd;
	__u32 __pad;
	__u64 arg;
};

#define RIPC_IOC_SEMGET		_IOW(RIPC_IOC_MAGIC, 0x40, struct ripc_semget_args)
#define RIPC_IOC_SEMOP		_IOW(RIPC_IOC_MAGIC, 0x41, struct ripc_semop_args)
#define RIPC_IOC_SEMCTL		_IOW(RIPC_IOC_MAGIC, 0x42, struct ripc_semctl_args)

/*
 * POSIX message queues, named in ripcfs's mq/ directory
 * (Documentation/mqueue.rst). RIPC_IOC_MQ_OPEN on /dev/ripc opens (with
 * O_CREAT: makes, with the given attributes) a name in the mq/ directory
 * open as dirfd and returns a close-on-exec descriptor; the other ioctls
 * are issued on that descriptor. read(2) of it gives the QSIZE line of
 * /dev/mqueue; poll(2) works as on an mqd_t.
 */
#define RIPC_MQ_PRIO_MAX	32768

/* struct mq_attr: the fields are longs. */
struct ripc_mq_attr {
	__s64 mq_flags;		/* 0 or O_NONBLOCK */
	__s64 mq_maxmsg;
	__s64 mq_msgsize;
	__s64 mq_curmsgs;
	__s64 __reserved[4];
};

struct ripc_mq_open_args {
	__s32 dirfd;		/* an open mq/ directory of a ripcfs mount */
	__s32 oflag;		/* O_RDONLY/O_WRONLY/O_RDWR, O_CREAT, O_EXCL, O_NONBLOCK */
	__u32 mode;
	__u32 __pad;
	__u64 name;		/* const char *: one component, no '/' */
	__u64 attr;		/* const struct ripc_mq_attr *, or 0 for defaults */
};

/* mq_timedsend() and mq_timedreceive(). */
struct ripc_mq_timed_args {
	__u64 msg_ptr;
	__u64 msg_len;
	__u64 msg_prio;		/* send: the priority; receive: unsigned int * or 0 */
	__u64 abs_timeout;	/* const struct timespec * (CLOCK_REALTIME), or 0 */
};

struct ripc_mq_getsetattr_args {
	__u64 newattr;		/* const struct ripc_mq_attr *, or 0 */
	__u64 oldattr;		/* struct ripc_mq_attr *, or 0 */
};

/*
 * How mq_notify() notifies; the values of SIGEV_SIGNAL, SIGEV_NONE and
 * SIGEV_THREAD. RIPC_SIGEV_SIGNAL sends signo with si_code SI_MESGQ, value
 * as si_value and the sender's pid and uid, as Linux does, unless the
 * registered process has called execve() since.
 */
#define RIPC_SIGEV_SIGNAL	0
#define RIPC_SIGEV_NONE		1
/*
 * For libripc's SIGEV_THREAD: the ripc notifier open as notifier_fd gets
 * RIPC_MQ_NOTIFY_WOKENUP when the notification fires, or
 * RIPC_MQ_NOTIFY_REMOVED when the registration is removed without firing
 * (unregistered, or a descriptor of the queue closed by its owner); a
 * helper thread of the registered process waits for either.
 */
#define RIPC_SIGEV_THREAD	2
#define RIPC_MQ_NOTIFY_WOKENUP	1
#define RIPC_MQ_NOTIFY_REMOVED	2
/* ripc's own: add 1 to the ripc notifier open as notifier_fd. */
#define RIPC_SIGEV_NOTIFIER	3
/* No notification: unregister (mq_notify() with a NULL sevp). */
#define RIPC_SIGEV_UNREGISTER	(-1)

struct ripc_mq_notify_args {
	__s32 notify;		/* RIPC_SIGEV_* */
	__s32 signo;		/* RIPC_SIGEV_SIGNAL */
	__s32 notifier_fd;	/* RIPC_SIGEV_THREAD, RIPC_SIGEV_NOTIFIER */
	__s32 __pad;
	__u64 value;		/* RIPC_SIGEV_SIGNAL: sigev_value, given as si_value */
};

#define RIPC_IOC_MQ_OPEN	_IOW(RIPC_IOC_MAGIC, 0x38, struct ripc_mq_open_args)
#define RIPC_IOC_MQ_TIMEDSEND	_IOW(RIPC_IOC_MAGIC, 0x39, struct ripc_mq_timed_args)
#define RIPC_IOC_MQ_TIMEDRECEIVE _IOW(RIPC_IOC_MAGIC, 0x3a, struct ripc_mq_timed_args)
#define RIPC_IOC_MQ_GETSETATTR	_IOW(RIPC_IOC_MAGIC, 0x3b, struct ripc_mq_getsetattr_args)
#define RIPC_IOC_MQ_NOTIFY	_IOW(RIPC_IOC_MAGIC, 0x3c, struct ripc_mq_notify_args)

/*
 * SysV shared memory, as shmget(2), shmat(2), shmdt(2) and shmctl(2)
 * (Documentation/shm.rst). A segment is a shmem file; RIPC_IOC_SHMAT
 * maps it into the caller, as shmat(2) does, through an "attach" file
 * that only the mapping holds. The structures
 * have the layout of glibc's struct shmid_ds, shminfo and shm_info on
 * x86_64.
 */
#define RIPC_SHM_RDONLY		010000	/* attach read-only */
#define RIPC_SHM_RND		020000	/* round the address down to SHMLBA */
#define RIPC_SHM_REMAP		040000	/* take over the mappings in the way */
#define RIPC_SHM_EXEC		0100000	/* attach with PROT_EXEC */
#define RIPC_SHM_NORESERVE	010000	/* shmget: no swap reservation */

#define RIPC_SHM_LOCK		11
#define RIPC_SHM_UNLOCK		12
#define RIPC_SHM_STAT		13
#define RIPC_SHM_INFO		14
#define RIPC_SHM_STAT_ANY	15

/* shm_perm.mode bits beyond the permissions. */
#define RIPC_SHM_DEST		01000	/* removed, destroyed at the last detach */
#define RIPC_SHM_LOCKED		02000	/* SHM_LOCK */

struct ripc_shmid64_ds {
	struct ripc_ipc64_perm shm_perm;
	__u64 shm_segsz;
	__s64 shm_atime;
	__s64 shm_dtime;
	__s64 shm_ctime;
	__s32 shm_cpid;
	__s32 shm_lpid;
	__u64 shm_nattch;
	__u64 __unused4;
	__u64 __unused5;
};

/* struct shminfo of IPC_INFO. */
struct ripc_shminfo64 {
	__u64 shmmax;
	__u64 shmmin;
	__u64 shmmni;
	__u64 shmseg;
	__u64 shmall;
	__u64 __unused1;
	__u64 __unused2;
	__u64 __unused3;
	__u64 __unused4;
};

/* struct shm_info of SHM_INFO; shm_tot, shm_rss and shm_swp in pages. */
struct ripc_shm_info {
	__s32 used_ids;
	__u32 __pad;
	__u64 shm_tot;
	__u64 shm_rss;
	__u64 shm_swp;
	__u64 swap_attempts;
	__u64 swap_successes;
};

struct ripc_shmget_args {
	__s32 key;
	__s32 shmflg;
	__u64 size;
};

/*
 * shmat(2): addr is the caller's (0: anywhere; SHM_RND is applied, an
 * unaligned address without it is EINVAL; without SHM_REMAP the range
 * must be free). On success the module returns 0 and writes back the
 * address the segment is attached at in addr and its length in size.
 */
struct ripc_shmat_args {
	__s32 shmid;
	__s32 shmflg;
	__u64 addr;
	__u64 size;
};

/* buf points at a struct ripc_shmid64_ds, ripc_shminfo64 or ripc_shm_info. */
struct ripc_shmctl_args {
	__s32 shmid;
	__s32 cmd;
	__u64 buf;
};

#define RIPC_IOC_SHMGET		_IOW(RIPC_IOC_MAGIC, 0x50, struct ripc_shmget_args)
#define RIPC_IOC_SHMAT		_IOWR(RIPC_IOC_MAGIC, 0x51, struct ripc_shmat_args)
/* The argument is the address, as shmdt(2)'s; returns 0. */
#define RIPC_IOC_SHMDT		_IO(RIPC_IOC_MAGIC, 0x52)
#define RIPC_IOC_SHMCTL		_IOW(RIPC_IOC_MAGIC, 0x53, struct ripc_shmctl_args)

#endif /* _UAPI_LINUX_RIPC_H */
