// SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0
/* libripc: thin wrappers around the ioctls of /dev/ripc. See ripc.h. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
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
	/*
	 * Another thread may have raced us; keep one descriptor. Closing the
	 * spare is harmless: a close of /dev/ripc is not an exit, and the
	 * process's SEM_UNDO adjustments stay until it exits.
	 */
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

int ripc_semctl_has_arg(int cmd)
{
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
		return 1;
	default:
		return 0;
	}
}

int ripc_semctl(int semid, int semnum, int cmd, ...)
{
	struct ripc_semctl_args args = { .semid = semid, .semnum = semnum, .cmd = cmd };
	union ripc_semun arg = { .ptr = NULL };
	va_list ap;
	int fd;

	if (ripc_semctl_has_arg(cmd)) {
		va_start(ap, cmd);
		arg = va_arg(ap, union ripc_semun);
		va_end(ap);
	}
	/* SETVAL passes an int; the module reads the low 32 bits. */
	args.arg = cmd == SETVAL ? (uint64_t)(unsigned int)arg.val : (uintptr_t)arg.ptr;
	fd = ripc_dev_fd();
	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_SEMCTL, &args);
}

/* POSIX message queues: see ripc.h. */
_Static_assert(sizeof(struct mq_attr) == sizeof(struct ripc_mq_attr) &&
	       offsetof(struct mq_attr, mq_curmsgs) == offsetof(struct ripc_mq_attr, mq_curmsgs),
	       "struct mq_attr differs from struct ripc_mq_attr");
_Static_assert(SIGEV_SIGNAL == RIPC_SIGEV_SIGNAL && SIGEV_NONE == RIPC_SIGEV_NONE &&
	       SIGEV_THREAD == RIPC_SIGEV_THREAD,
	       "libc's SIGEV_* differ from ripc's");

/*
 * Opens directory `sub` (mq, shm, ...) of the ripcfs mount in use: the one
 * named by RIPCFS_MOUNT, else the first ripcfs in /proc/self/mounts.
 * Returns -1 with errno set (ENOENT if no ripcfs is mounted).
 */
static int ripcfs_dir(const char *sub)
{
	const char *mnt = getenv("RIPCFS_MOUNT");
	char path[4096], dev[256], dir[4000], type[64];
	FILE *mounts;
	int fd = -1;

	if (mnt) {
		snprintf(path, sizeof(path), "%s/%s", mnt, sub);
		return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	mounts = fopen("/proc/self/mounts", "re");
	if (!mounts)
		return -1;
	while (fscanf(mounts, "%255s %3999s %63s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, RIPC_FS_NAME) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, sub);
			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			break;
		}
	}
	fclose(mounts);
	if (fd < 0 && errno == 0)
		errno = ENOENT;
	return fd;
}

static int ripc_mq_dir(void)
{
	return ripcfs_dir("mq");
}

/*
 * An ioctl on a queue descriptor. A descriptor that is not a queue answers
 * ENOTTY, where mq_*(3) say EBADF; a negative one is EBADF without a call.
 */
static int ripc_mq_ioctl(mqd_t mqdes, unsigned long cmd, void *args)
{
	int ret;

	if (mqdes < 0) {
		errno = EBADF;
		return -1;
	}
	ret = ioctl(mqdes, cmd, args);

	if (ret < 0 && errno == ENOTTY)
		errno = EBADF;
	return ret;
}

/*
 * Copies size bytes at the caller's address p into buf as the kernel's
 * copy_from_user() would: 0, or EFAULT for memory that cannot be read, or
 * -1 if that cannot be tried. errno is kept. process_vm_readv(2) of our
 * own memory reports a bad address rather than crashing, in one system
 * call; without it (ENOSYS: no CONFIG_CROSS_MEMORY_ATTACH) a write(2) of
 * the bytes into a pipe does the same, at the price of making the pipe.
 */
static int ripc_peek(const void *p, void *buf, size_t size)
{
	struct iovec local = { buf, size }, remote = { (void *)p, size };
	int fds[2], saved = errno, ret = -1;
	ssize_t n;

	n = syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0);
	if (n == (ssize_t)size) {
		ret = 0;
	} else if (n < 0 && errno == EFAULT) {
		ret = EFAULT;
	} else if (n < 0 && errno == ENOSYS &&
		   /* ripc's own pipe: no libc function the preload defines. */
		   ripc_pipe2(fds, RIPC_PIPE_CLOEXEC) == 0) {
		n = write(fds[1], p, size);
		if (n < 0 && errno == EFAULT)
			ret = EFAULT;
		else if (n == (ssize_t)size && read(fds[0], buf, size) == (ssize_t)size)
			ret = 0;
		close(fds[0]);
		close(fds[1]);
	}
	errno = saved;
	return ret;
}

/*
 * The errno for an absolute timeout that Linux reads and checks before it
 * looks at the descriptor (prepare_timeout()): 0 if there is none or it is
 * valid, EFAULT or EINVAL.
 */
static int ripc_mq_timeout_errno(const struct timespec *abs_timeout)
{
	struct timespec ts;

	if (!abs_timeout)
		return 0;
	switch (ripc_peek(abs_timeout, &ts, sizeof(ts))) {
	case 0:
		break;
	case EFAULT:
		return EFAULT;
	default:
		return 0;
	}
	return ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L ? EINVAL : 0;
}

/*
 * libripc-preload.so defines it (libc's syscall(), past the preload's own,
 * which would route a queue call back here); without it, libc's syscall().
 */
extern long ripc_native_syscall(long nr, const long a[6]) __attribute__((weak));

/*
 * The errno of the checks Linux's queue call nr (SYS_mq_timedsend,
 * SYS_mq_timedreceive, SYS_mq_getsetattr) makes before it looks at the
 * descriptor, for arguments a1 to a4: Linux's own answer, from the same
 * call on descriptor -1, which fails with EBADF at the latest and so
 * changes nothing. One system call, where reading the arguments here would
 * need a probe of the memory (ripc_peek()). Returns that errno, 0 for
 * EBADF, or -1 if the kernel has no POSIX queues (ENOSYS). errno is kept.
 */
static int ripc_mq_linux_errno(long nr, long a1, long a2, long a3, long a4)
{
	const long a[6] = { -1, a1, a2, a3, a4, 0 };
	int saved = errno, err;
	long ret;

	if (ripc_native_syscall)
		ret = ripc_native_syscall(nr, a);
	else
		ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	err = ret < 0 ? errno : EBADF;
	errno = saved;
	if (err == ENOSYS)
		return -1;
	return err == EBADF ? 0 : err;
}

/*
 * mq_timedsend(2), mq_timedreceive(2) and mq_getsetattr(2) check their
 * other arguments before the descriptor; the module sees them only once
 * the descriptor is a queue. So when it says EBADF (no such descriptor,
 * or not a queue), the checks that come first in ipc/mqueue.c are made
 * here (ripc_mq_linux_errno()): err is what they find, 0 if nothing.
 */
static void ripc_mq_badf_errno(int ret, int err)
{
	if (ret < 0 && errno == EBADF && err)
		errno = err;
}

/* The name without its leading '/'; NULL with errno EINVAL if none. */
static const char *ripc_mq_name(const char *name)
{
	if (name[0] != '/') {
		errno = EINVAL;
		return NULL;
	}
	return name + 1;
}

mqd_t ripc_mq_open(const char *name, int oflag, ...)
{
	struct ripc_mq_open_args args = { .oflag = oflag };
	const struct mq_attr *attr = NULL;
	int dev = ripc_dev_fd(), ret, saved;

	if (dev < 0 || !(name = ripc_mq_name(name)))
		return -1;
	if (oflag & O_CREAT) {
		va_list ap;

		va_start(ap, oflag);
		args.mode = va_arg(ap, mode_t);
		attr = va_arg(ap, const struct mq_attr *);
		va_end(ap);
	}
	args.name = (uintptr_t)name;
	args.attr = (uintptr_t)attr;
	errno = 0;
	args.dirfd = ripc_mq_dir();
	if (args.dirfd < 0)
		return -1;
	ret = ioctl(dev, RIPC_IOC_MQ_OPEN, &args);
	saved = errno;
	close(args.dirfd);
	errno = saved;
	return ret;
}

int ripc_mq_close(mqd_t mqdes)
{
	return close(mqdes);
}

/*
 * The errno of mq_unlink(3) and shm_unlink(3) after unlinkat(): glibc
 * turns EPERM (a name of another user in the sticky directory) into
 * EACCES, as POSIX wants.
 */
static int ripc_unlink_errno(int ret, int err)
{
	return ret < 0 && err == EPERM ? EACCES : err;
}

int ripc_mq_unlink(const char *name)
{
	int dir, ret, saved;

	if (!(name = ripc_mq_name(name)))
		return -1;
	/* One component, as mq_unlink(2) looks it up (lookup_noperm_common()). */
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		errno = EACCES;
		return -1;
	}
	errno = 0;
	dir = ripc_mq_dir();
	if (dir < 0)
		return -1;
	ret = unlinkat(dir, name, 0);
	saved = ripc_unlink_errno(ret, errno);
	close(dir);
	errno = saved;
	return ret;
}

int ripc_mq_timedsend(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
		      unsigned int msg_prio, const struct timespec *abs_timeout)
{
	struct ripc_mq_timed_args args = {
		.msg_ptr = (uintptr_t)msg_ptr,
		.msg_len = msg_len,
		.msg_prio = msg_prio,
		.abs_timeout = (uintptr_t)abs_timeout,
	};
	int ret = ripc_mq_ioctl(mqdes, RIPC_IOC_MQ_TIMEDSEND, &args), err;

	if (ret < 0 && errno == EBADF) {
		err = abs_timeout ? ripc_mq_linux_errno(SYS_mq_timedsend, 0, 0, msg_prio,
							(uintptr_t)abs_timeout) : -1;
		if (err < 0) {
			/* The timeout, then the priority, then the descriptor. */
			err = ripc_mq_timeout_errno(abs_timeout);
			if (!err && msg_prio >= RIPC_MQ_PRIO_MAX)
				err = EINVAL;
		}
		ripc_mq_badf_errno(ret, err);
	}
	return ret;
}

int ripc_mq_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len, unsigned int msg_prio)
{
	return ripc_mq_timedsend(mqdes, msg_ptr, msg_len, msg_prio, NULL);
}

ssize_t ripc_mq_timedreceive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
			     unsigned int *msg_prio, const struct timespec *abs_timeout)
{
	struct ripc_mq_timed_args args = {
		.msg_ptr = (uintptr_t)msg_ptr,
		.msg_len = msg_len,
		.msg_prio = (uintptr_t)msg_prio,
		.abs_timeout = (uintptr_t)abs_timeout,
	};
	ssize_t ret = ripc_mq_ioctl(mqdes, RIPC_IOC_MQ_TIMEDRECEIVE, &args);
	int err;

	if (ret < 0 && errno == EBADF && abs_timeout) {
		err = ripc_mq_linux_errno(SYS_mq_timedreceive, 0, 0, 0, (uintptr_t)abs_timeout);
		if (err < 0)
			err = ripc_mq_timeout_errno(abs_timeout);
		ripc_mq_badf_errno(-1, err);
	}
	return ret;
}

ssize_t ripc_mq_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len, unsigned int *msg_prio)
{
	return ripc_mq_timedreceive(mqdes, msg_ptr, msg_len, msg_prio, NULL);
}

int ripc_mq_setattr(mqd_t mqdes, const struct mq_attr *newattr, struct mq_attr *oldattr)
{
	struct ripc_mq_getsetattr_args args = {
		.newattr = (uintptr_t)newattr,
		.oldattr = (uintptr_t)oldattr,
	};
	int ret = ripc_mq_ioctl(mqdes, RIPC_IOC_MQ_GETSETATTR, &args), err = 0;
	struct mq_attr attr;

	/* The new attributes are read, and their flags checked, first. */
	if (ret < 0 && errno == EBADF && newattr) {
		err = ripc_mq_linux_errno(SYS_mq_getsetattr, (uintptr_t)newattr, 0, 0, 0);
		if (err < 0) {
			err = ripc_peek(newattr, &attr, sizeof(attr));
			if (!err && (attr.mq_flags & ~(long)O_NONBLOCK))
				err = EINVAL;
		}
		ripc_mq_badf_errno(ret, err > 0 ? err : 0);
	}
	return ret;
}

int ripc_mq_getattr(mqd_t mqdes, struct mq_attr *attr)
{
	return ripc_mq_setattr(mqdes, NULL, attr);
}

/*
 * SIGEV_THREAD, as glibc implements it over Linux's netlink notification:
 * a helper thread of the registering process, with every signal blocked,
 * waits for the notification, then starts a thread with the caller's
 * attributes that runs sigev_notify_function(sigev_value). Here the
 * helper waits on a ripc notifier of its own, which the module gives
 * RIPC_MQ_NOTIFY_WOKENUP when the notification fires or
 * RIPC_MQ_NOTIFY_REMOVED when the registration goes without firing; the
 * helper ends after either. One helper per registration, where glibc
 * keeps one for the process.
 */
struct ripc_mq_thread {
	int notifier;
	void (*function)(union sigval);
	union sigval value;
	pthread_attr_t attr;
	int has_attr;
};

/* What the started thread runs: it owns call. */
struct ripc_mq_call {
	void (*function)(union sigval);
	union sigval value;
	/* The attributes give the thread's signal mask. */
	int has_sigmask;
};

/*
 * Copies the attributes of a thread that libc lets a program set and read
 * back, as glibc copies sigev_notify_attributes: all but a caller-given
 * stack address (one stack cannot serve every notification) and the CPU
 * affinity (an attribute without one reads back as every CPU).
 */
static int ripc_mq_copy_attr(pthread_attr_t *to, const pthread_attr_t *from)
{
	struct sched_param param;
	sigset_t mask;
	size_t size;
	int value, err = pthread_attr_init(to);

	if (err)
		return err;
	if (!pthread_attr_getdetachstate(from, &value))
		err = err ?: pthread_attr_setdetachstate(to, value);
	if (!pthread_attr_getguardsize(from, &size))
		err = err ?: pthread_attr_setguardsize(to, size);
	if (!pthread_attr_getstacksize(from, &size))
		err = err ?: pthread_attr_setstacksize(to, size);
	if (!pthread_attr_getinheritsched(from, &value))
		err = err ?: pthread_attr_setinheritsched(to, value);
	if (!pthread_attr_getschedpolicy(from, &value))
		err = err ?: pthread_attr_setschedpolicy(to, value);
	if (!pthread_attr_getschedparam(from, &param))
		err = err ?: pthread_attr_setschedparam(to, &param);
	if (!pthread_attr_getscope(from, &value))
		err = err ?: pthread_attr_setscope(to, value);
	if (!pthread_attr_getsigmask_np(from, &mask))
		err = err ?: pthread_attr_setsigmask_np(to, &mask);
	if (err)
		pthread_attr_destroy(to);
	return err;
}

static void ripc_mq_thread_free(struct ripc_mq_thread *t)
{
	close(t->notifier);
	if (t->has_attr)
		pthread_attr_destroy(&t->attr);
	free(t);
}

static void *ripc_mq_notify_run(void *arg)
{
	struct ripc_mq_call call = *(struct ripc_mq_call *)arg;
	sigset_t none;

	free(arg);
	/* The helper blocks every signal; the user's code gets none blocked, as
	 * glibc's notification_function() does, unless the attributes said. */
	if (!call.has_sigmask) {
		sigemptyset(&none);
		pthread_sigmask(SIG_SETMASK, &none, NULL);
	}
	call.function(call.value);
	return NULL;
}

static void *ripc_mq_notify_helper(void *arg)
{
	struct ripc_mq_thread *t = arg;
	struct ripc_mq_call *call;
	uint64_t event = 0;
	int detach = PTHREAD_CREATE_JOINABLE;
	pthread_t thread;
	sigset_t mask;

	while (ripc_eventfd_read(t->notifier, &event) < 0 && errno == EINTR)
		;
	if (event & RIPC_MQ_NOTIFY_WOKENUP) {
		call = malloc(sizeof(*call));
		if (call) {
			call->function = t->function;
			call->value = t->value;
			call->has_sigmask = t->has_attr &&
					    !pthread_attr_getsigmask_np(&t->attr, &mask);
			/* There is nobody to tell if the thread cannot start. */
			if (pthread_create(&thread, t->has_attr ? &t->attr : NULL,
					   ripc_mq_notify_run, call)) {
				free(call);
			} else {
				if (t->has_attr)
					pthread_attr_getdetachstate(&t->attr, &detach);
				if (detach == PTHREAD_CREATE_JOINABLE)
					pthread_detach(thread);
			}
		}
	}
	ripc_mq_thread_free(t);
	return NULL;
}

/* Starts the helper for a SIGEV_THREAD registration on notifier *notifier. */
static int ripc_mq_notify_thread(const struct sigevent *sevp, int *notifier)
{
	struct ripc_mq_thread *t = calloc(1, sizeof(*t));
	pthread_attr_t helper_attr;
	sigset_t all, old;
	pthread_t helper;
	int err;

	if (!t)
		return -1;
	t->function = sevp->sigev_notify_function;
	t->value = sevp->sigev_value;
	t->notifier = ripc_eventfd(0, RIPC_EFD_CLOEXEC);
	if (t->notifier < 0) {
		free(t);
		return -1;
	}
	err = sevp->sigev_notify_attributes ?
		ripc_mq_copy_attr(&t->attr, sevp->sigev_notify_attributes) : 0;
	if (err) {
		close(t->notifier);
		free(t);
		errno = err;
		return -1;
	}
	t->has_attr = !!sevp->sigev_notify_attributes;
	*notifier = t->notifier;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&helper_attr);
	pthread_attr_setdetachstate(&helper_attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&helper, &helper_attr, ripc_mq_notify_helper, t);
	pthread_attr_destroy(&helper_attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		ripc_mq_thread_free(t);
		errno = err;
		return -1;
	}
	return 0;
}

int ripc_mq_notify(mqd_t mqdes, const struct sigevent *sevp)
{
	struct ripc_mq_notify_args args = { .notify = RIPC_SIGEV_UNREGISTER };
	int ret, saved;

	if (sevp) {
		args.notify = sevp->sigev_notify;
		args.signo = sevp->sigev_signo;
		args.value = (uintptr_t)sevp->sigev_value.sival_ptr;
		/*
		 * The sigevent is checked before the descriptor (do_mq_notify()):
		 * a notification type and, for SIGEV_SIGNAL, valid_signal() (the
		 * kernel's _NSIG is 64). Only ripc_mq_notify_fd() may ask for a
		 * notifier.
		 */
		if ((args.notify != SIGEV_NONE && args.notify != SIGEV_SIGNAL &&
		     args.notify != SIGEV_THREAD) ||
		    (args.notify == SIGEV_SIGNAL && (unsigned int)args.signo > 64)) {
			errno = EINVAL;
			return -1;
		}
		if (args.notify == SIGEV_THREAD && ripc_mq_notify_thread(sevp, &args.notifier_fd))
			return -1;
	}
	ret = ripc_mq_ioctl(mqdes, RIPC_IOC_MQ_NOTIFY, &args);
	if (ret < 0 && args.notify == SIGEV_THREAD) {
		/* Not registered: the helper ends, and closes the notifier. */
		saved = errno;
		ripc_eventfd_write(args.notifier_fd, RIPC_MQ_NOTIFY_REMOVED);
		errno = saved;
	}
	return ret;
}

int ripc_mq_notify_fd(mqd_t mqdes, int notifier_fd)
{
	struct ripc_mq_notify_args args = {
		.notify = RIPC_SIGEV_NOTIFIER,
		.notifier_fd = notifier_fd,
	};

	return ripc_mq_ioctl(mqdes, RIPC_IOC_MQ_NOTIFY, &args);
}

/*
 * SysV shared memory. The structures have the layout of glibc's (checked
 * below); the module maps the segment itself, as do_shmat() does, and
 * writes the address back (an int return value cannot carry it).
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
	int fd = ripc_dev_fd();

	if (fd < 0 || ioctl(fd, RIPC_IOC_SHMAT, &args) < 0)
		return (void *)-1;
	return (void *)(uintptr_t)args.addr;
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

/*
 * Named shared memory, as shm_open(3) and shm_unlink(3): names in the shm/
 * directory of ripcfs. As glibc, leading slashes are skipped and a name
 * that is empty, "." or "..", or holds another '/', is EINVAL.
 */
static const char *ripc_shm_name(const char *name)
{
	while (*name == '/')
		name++;
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		errno = EINVAL;
		return NULL;
	}
	return name;
}

int ripc_shm_open(const char *name, int oflag, mode_t mode)
{
	int dir, fd, saved;

	if (!(name = ripc_shm_name(name)))
		return -1;
	errno = 0;
	dir = ripcfs_dir("shm");
	if (dir < 0)
		return -1;
	fd = openat(dir, name, oflag | O_NOFOLLOW | O_CLOEXEC, mode);
	saved = errno;
	close(dir);
	errno = saved;
	return fd;
}

int ripc_shm_unlink(const char *name)
{
	int dir, ret, saved;

	if (!(name = ripc_shm_name(name)))
		return -1;
	errno = 0;
	dir = ripcfs_dir("shm");
	if (dir < 0)
		return -1;
	ret = unlinkat(dir, name, 0);
	saved = ripc_unlink_errno(ret, errno);
	close(dir);
	errno = saved;
	return ret;
}
