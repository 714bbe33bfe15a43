// SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0
/* libripc: thin wrappers around the ioctls of /dev/ripc. See ripc.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ripc.h"

static int ripc_fd = -1;

int ripc_dev_fd(void)
{
	int fd = __atomic_load_n(&ripc_fd, __ATOMIC_ACQUIRE);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = open(RIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Another thread may have raced us; keep one descriptor. */
	if (!__atomic_compare_exchange_n(&ripc_fd, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

int ripc_version(struct ripc_version *version)
{
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_VERSION, version);
}

int ripc_eventfd(unsigned int initval, int flags)
{
	struct ripc_eventfd_args args = { .initval = initval, .flags = flags };
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_EVENTFD, &args);
}

/* As glibc's eventfd_read/eventfd_write: 0, or -1 with errno set. */
int ripc_eventfd_read(int fd, uint64_t *value)
{
	return read(fd, value, sizeof(*value)) == sizeof(*value) ? 0 : -1;
}

int ripc_eventfd_write(int fd, uint64_t value)
{
	return write(fd, &value, sizeof(value)) == sizeof(value) ? 0 : -1;
}

int ripc_pipe2(int fds[2], int flags)
{
	struct ripc_pipe2_args args = { .fds = (uintptr_t)fds, .flags = flags };
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_PIPE2, &args);
}

int ripc_pipe(int fds[2])
{
	return ripc_pipe2(fds, 0);
}

int ripc_pipe_get_size(int fd)
{
	return ioctl(fd, RIPC_PIPE_IOC_GETSZ);
}

int ripc_pipe_set_size(int fd, unsigned int size)
{
	return ioctl(fd, RIPC_PIPE_IOC_SETSZ, (unsigned long)size);
}

int ripc_fcntl(int fd, int cmd, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	switch (cmd) {
	case F_GETPIPE_SZ:
		return ripc_pipe_get_size(fd);
	case F_SETPIPE_SZ:
		return ripc_pipe_set_size(fd, (unsigned int)arg);
	default:
		return fcntl(fd, cmd, arg);
	}
}

/*
 * SysV message queues. The module's structures have the layout of the
 * libc ones (checked below), so the caller's buffer goes to the module as
 * it is and a bad pointer gives EFAULT, as with the system call.
 */
#define RIPC_SAME_FIELD(a, fa, b, fb)					\
	_Static_assert(offsetof(a, fa) == offsetof(b, fb) &&		\
		       sizeof(((a *)0)->fa) == sizeof(((b *)0)->fb),	\
		       #a "." #fa " differs from " #b "." #fb)

_Static_assert(sizeof(struct msqid_ds) == sizeof(struct ripc_msqid64_ds),
	       "struct msqid_ds differs from struct ripc_msqid64_ds");
RIPC_SAME_FIELD(struct msqid_ds, msg_perm.__key, struct ripc_msqid64_ds, msg_perm.key);
RIPC_SAME_FIELD(struct msqid_ds, msg_perm.uid, struct ripc_msqid64_ds, msg_perm.uid);
RIPC_SAME_FIELD(struct msqid_ds, msg_perm.gid, struct ripc_msqid64_ds, msg_perm.gid);
RIPC_SAME_FIELD(struct msqid_ds, msg_perm.cuid, struct ripc_msqid64_ds, msg_perm.cuid);
RIPC_SAME_FIELD(struct msqid_ds, msg_perm.cgid, struct ripc_msqid64_ds, msg_perm.cgid);
RIPC_SAME_FIELD(struct msqid_ds, msg_perm.mode, struct ripc_msqid64_ds, msg_perm.mode);
RIPC_SAME_FIELD(struct msqid_ds, msg_perm.__seq, struct ripc_msqid64_ds, msg_perm.seq);
RIPC_SAME_FIELD(struct msqid_ds, msg_stime, struct ripc_msqid64_ds, msg_stime);
RIPC_SAME_FIELD(struct msqid_ds, msg_rtime, struct ripc_msqid64_ds, msg_rtime);
RIPC_SAME_FIELD(struct msqid_ds, msg_ctime, struct ripc_msqid64_ds, msg_ctime);
RIPC_SAME_FIELD(struct msqid_ds, __msg_cbytes, struct ripc_msqid64_ds, msg_cbytes);
RIPC_SAME_FIELD(struct msqid_ds, msg_qnum, struct ripc_msqid64_ds, msg_qnum);
RIPC_SAME_FIELD(struct msqid_ds, msg_qbytes, struct ripc_msqid64_ds, msg_qbytes);
RIPC_SAME_FIELD(struct msqid_ds, msg_lspid, struct ripc_msqid64_ds, msg_lspid);
RIPC_SAME_FIELD(struct msqid_ds, msg_lrpid, struct ripc_msqid64_ds, msg_lrpid);
_Static_assert(sizeof(struct msginfo) == sizeof(struct ripc_msginfo),
	       "struct msginfo differs from struct ripc_msginfo");
RIPC_SAME_FIELD(struct msginfo, msgpool, struct ripc_msginfo, msgpool);
RIPC_SAME_FIELD(struct msginfo, msgtql, struct ripc_msginfo, msgtql);
RIPC_SAME_FIELD(struct msginfo, msgseg, struct ripc_msginfo, msgseg);
_Static_assert(IPC_CREAT == RIPC_IPC_CREAT && IPC_EXCL == RIPC_IPC_EXCL &&
	       IPC_NOWAIT == RIPC_IPC_NOWAIT && IPC_STAT == RIPC_IPC_STAT &&
	       MSG_STAT_ANY == RIPC_MSG_STAT_ANY && MSG_COPY == RIPC_MSG_COPY,
	       "libc's IPC constants differ from ripc's");

int ripc_msgget(key_t key, int msgflg)
{
	struct ripc_msgget_args args = { .key = key, .msgflg = msgflg };
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_MSGGET, &args);
}

int ripc_msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg)
{
	struct ripc_msgsnd_args args = {
		.msqid = msqid,
		.msgflg = msgflg,
		.msgp = (uintptr_t)msgp,
		.msgsz = msgsz,
	};
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_MSGSND, &args);
}

ssize_t ripc_msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg)
{
	struct ripc_msgrcv_args args = {
		.msqid = msqid,
		.msgflg = msgflg,
		.msgp = (uintptr_t)msgp,
		.msgsz = msgsz,
		.msgtyp = msgtyp,
	};
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_MSGRCV, &args);
}

int ripc_msgctl(int msqid, int cmd, struct msqid_ds *buf)
{
	struct ripc_msgctl_args args = {
		.msqid = msqid,
		.cmd = cmd,
		.buf = (uintptr_t)buf,
	};
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_MSGCTL, &args);
}

int ripc_semget(key_t key, int nsems, int semflg)
{
	struct ripc_semget_args args = { .key = key, .nsems = nsems, .semflg = semflg };
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_SEMGET, &args);
}

int ripc_semtimedop(int semid, struct sembuf *sops, size_t nsops,
		    const struct timespec *timeout)
{
	/* The system call takes an unsigned int; so does the ioctl. */
	struct ripc_semop_args args = {
		.semid = semid,
		.nsops = (unsigned int)nsops,
		.sops = (uintptr_t)sops,
		.timeout = (uintptr_t)timeout,
	};
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_SEMOP, &args);
}

int ripc_semop(int semid, struct sembuf *sops, size_t nsops)
{
	return ripc_semtimedop(semid, sops, nsops, NULL);
}

/* The caller's union semun, as glibc's semctl() reads it. */
union ripc_semun {
	int val;
	void *ptr;
};

int ripc_semctl(int semid, int semnum, int cmd, ...)
{
	struct ripc_semctl_args args = { .semid = semid, .semnum = semnum, .cmd = cmd };
	union ripc_semun arg = { .ptr = NULL };
	va_list ap;
	int fd;

	switch (cmd) {
	case SETVAL:
	case IPC_STAT:
	case IPC_SET:
	case GETALL:
	case SETALL:
	case IPC_INFO:
	case SEM_INFO:
	case SEM_STAT:
	case SEM_STAT_ANY:
		va_start(ap, cmd);
		arg = va_arg(ap, union ripc_semun);
		va_end(ap);
		break;
	}
	/* SETVAL passes an int; the module reads the low 32 bits. */
	args.arg = cmd == SETVAL ? (uint64_t)(unsigned int)arg.val : (uintptr_t)arg.ptr;
	fd = ripc_dev_fd();
	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_SEMCTL, &args);
}

/*
 * SysV shared memory. The structures have the layout of glibc's (checked
 * below); ripc_shmat() is the module's checks, then an mmap() of the
 * attach descriptor it returns, as do_shmat() does in the kernel.
 */
_Static_assert(sizeof(struct shmid_ds) == sizeof(struct ripc_shmid64_ds),
	       "struct shmid_ds differs from struct ripc_shmid64_ds");
RIPC_SAME_FIELD(struct shmid_ds, shm_perm.__key, struct ripc_shmid64_ds, shm_perm.key);
RIPC_SAME_FIELD(struct shmid_ds, shm_perm.mode, struct ripc_shmid64_ds, shm_perm.mode);
RIPC_SAME_FIELD(struct shmid_ds, shm_segsz, struct ripc_shmid64_ds, shm_segsz);
RIPC_SAME_FIELD(struct shmid_ds, shm_atime, struct ripc_shmid64_ds, shm_atime);
RIPC_SAME_FIELD(struct shmid_ds, shm_dtime, struct ripc_shmid64_ds, shm_dtime);
RIPC_SAME_FIELD(struct shmid_ds, shm_ctime, struct ripc_shmid64_ds, shm_ctime);
RIPC_SAME_FIELD(struct shmid_ds, shm_cpid, struct ripc_shmid64_ds, shm_cpid);
RIPC_SAME_FIELD(struct shmid_ds, shm_lpid, struct ripc_shmid64_ds, shm_lpid);
RIPC_SAME_FIELD(struct shmid_ds, shm_nattch, struct ripc_shmid64_ds, shm_nattch);
_Static_assert(sizeof(struct shminfo) == sizeof(struct ripc_shminfo64),
	       "struct shminfo differs from struct ripc_shminfo64");
RIPC_SAME_FIELD(struct shminfo, shmmax, struct ripc_shminfo64, shmmax);
RIPC_SAME_FIELD(struct shminfo, shmall, struct ripc_shminfo64, shmall);
_Static_assert(sizeof(struct shm_info) == sizeof(struct ripc_shm_info),
	       "struct shm_info differs from struct ripc_shm_info");
RIPC_SAME_FIELD(struct shm_info, used_ids, struct ripc_shm_info, used_ids);
RIPC_SAME_FIELD(struct shm_info, shm_tot, struct ripc_shm_info, shm_tot);
RIPC_SAME_FIELD(struct shm_info, shm_rss, struct ripc_shm_info, shm_rss);
RIPC_SAME_FIELD(struct shm_info, shm_swp, struct ripc_shm_info, shm_swp);
RIPC_SAME_FIELD(struct shm_info, swap_successes, struct ripc_shm_info, swap_successes);
_Static_assert(SHM_RDONLY == RIPC_SHM_RDONLY && SHM_RND == RIPC_SHM_RND &&
	       SHM_REMAP == RIPC_SHM_REMAP && SHM_EXEC == RIPC_SHM_EXEC &&
	       SHM_LOCK == RIPC_SHM_LOCK && SHM_UNLOCK == RIPC_SHM_UNLOCK &&
	       SHM_STAT == RIPC_SHM_STAT && SHM_INFO == RIPC_SHM_INFO &&
	       SHM_STAT_ANY == RIPC_SHM_STAT_ANY && SHM_DEST == RIPC_SHM_DEST &&
	       SHM_LOCKED == RIPC_SHM_LOCKED && SHM_NORESERVE == RIPC_SHM_NORESERVE,
	       "SHM_* constants differ");

int ripc_shmget(key_t key, size_t size, int shmflg)
{
	struct ripc_shmget_args args = { .key = key, .shmflg = shmflg, .size = size };
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_SHMGET, &args);
}

void *ripc_shmat(int shmid, const void *shmaddr, int shmflg)
{
	struct ripc_shmat_args args = {
		.shmid = shmid,
		.shmflg = shmflg,
		.addr = (uintptr_t)shmaddr,
	};
	int prot = PROT_READ, flags = MAP_SHARED;
	int fd = ripc_dev_fd(), afd, err;
	void *p;

	if (fd < 0)
		return (void *)-1;
	afd = ioctl(fd, RIPC_IOC_SHMAT, &args);
	if (afd < 0)
		return (void *)-1;
	if (!(shmflg & SHM_RDONLY))
		prot |= PROT_WRITE;
	if (shmflg & SHM_EXEC)
		prot |= PROT_EXEC;
	/* An address is taken as it is; without SHM_REMAP it must be free. */
	if (shmaddr)
		flags |= (shmflg & SHM_REMAP) ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	p = mmap((void *)(uintptr_t)args.addr, args.size, prot, flags, afd, 0);
	err = errno;
	close(afd);
	if (p == MAP_FAILED) {
		/* do_shmat() refuses an occupied range with EINVAL. */
		errno = err == EEXIST ? EINVAL : err;
		return (void *)-1;
	}
	return p;
}

int ripc_shmdt(const void *shmaddr)
{
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_SHMDT, (unsigned long)(uintptr_t)shmaddr);
}

int ripc_shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	struct ripc_shmctl_args args = {
		.shmid = shmid,
		.cmd = cmd,
		.buf = (uintptr_t)buf,
	};
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_SHMCTL, &args);
}
