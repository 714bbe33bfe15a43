// SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0
/*
 * libripc-preload.so: run an unmodified, dynamically linked program on ripc.
 *
 *   LD_PRELOAD=libripc-preload.so program ...
 *
 * The library defines the libc IPC calls itself, so the dynamic linker binds
 * the program's calls here before libc. Each call has one entry in routes[]:
 * the libripc function that implements it, or NULL for a call ripc cannot
 * take (every listed call has a route today). A call is also left unrouted
 * when its name is in RIPC_PRELOAD_NATIVE (a comma-separated list, e.g.
 * "shmget,shmat"), read at the first use of each call. An unrouted call prints one line on stderr (once per
 * call) and fails with ENOSYS, so that nothing passes on native IPC by
 * accident; with RIPC_PRELOAD_FALLBACK=1 in the environment it uses libc's
 * instead (found with dlsym(RTLD_NEXT), so nothing recurses).
 *
 * libripc itself calls only open, close, ioctl, read, write, unlinkat and
 * stdio; of those, open and fopen are defined here, but only to map the
 * /proc paths listed below, which libripc never opens; fcntl is, and
 * libripc's own ripc_fcntl() is not used by this library for that reason.
 *
 * A routed call never falls back: without /dev/ripc it fails as libripc
 * does (ENOENT from the open of the device).
 *
 * syscall() is defined too: the IPC system call numbers go to ripc with
 * the kernel's argument conventions (see the end of this file), every
 * other number to libc's syscall().
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ripc.h"

#define RIPC_EXPORT __attribute__((visibility("default")))

enum preload_call {
	P_PIPE, P_PIPE2, P_EVENTFD, P_EVENTFD_READ, P_EVENTFD_WRITE,
	P_MSGGET, P_MSGSND, P_MSGRCV, P_MSGCTL,
	P_SEMGET, P_SEMOP, P_SEMTIMEDOP, P_SEMCTL,
	P_MQ_OPEN, P_MQ_CLOSE, P_MQ_UNLINK, P_MQ_SEND, P_MQ_TIMEDSEND,
	P_MQ_RECEIVE, P_MQ_TIMEDRECEIVE, P_MQ_GETATTR, P_MQ_SETATTR, P_MQ_NOTIFY,
	P_SHMGET, P_SHMAT, P_SHMDT, P_SHMCTL, P_SHM_OPEN, P_SHM_UNLINK,
	P_NR
};

struct preload_route {
	const char *name;
	/* The libripc function, or NULL: no ripc route yet. */
	void *ripc;
	/* Set once the unrouted call has said so on stderr. */
	int warned;
	/* RIPC_PRELOAD_NATIVE, read at the call's first use: 0 not yet read,
	 * 1 the call goes to ripc, 2 it is kept native. */
	int native;
};

#define ROUTE(call, fn) [call] = { .name = #fn, .ripc = (void *)ripc_##fn }
#define NO_ROUTE(call, fn) [call] = { .name = #fn, .ripc = NULL }

static struct preload_route routes[P_NR] = {
	ROUTE(P_PIPE, pipe),
	ROUTE(P_PIPE2, pipe2),
	ROUTE(P_EVENTFD, eventfd),
	ROUTE(P_EVENTFD_READ, eventfd_read),
	ROUTE(P_EVENTFD_WRITE, eventfd_write),
	ROUTE(P_MSGGET, msgget),
	ROUTE(P_MSGSND, msgsnd),
	ROUTE(P_MSGRCV, msgrcv),
	ROUTE(P_MSGCTL, msgctl),
	ROUTE(P_SEMGET, semget),
	ROUTE(P_SEMOP, semop),
	ROUTE(P_SEMTIMEDOP, semtimedop),
	ROUTE(P_SEMCTL, semctl),
	ROUTE(P_MQ_OPEN, mq_open),
	ROUTE(P_MQ_CLOSE, mq_close),
	ROUTE(P_MQ_UNLINK, mq_unlink),
	ROUTE(P_MQ_SEND, mq_send),
	ROUTE(P_MQ_TIMEDSEND, mq_timedsend),
	ROUTE(P_MQ_RECEIVE, mq_receive),
	ROUTE(P_MQ_TIMEDRECEIVE, mq_timedreceive),
	ROUTE(P_MQ_GETATTR, mq_getattr),
	ROUTE(P_MQ_SETATTR, mq_setattr),
	ROUTE(P_MQ_NOTIFY, mq_notify),
	/* Shared memory: SysV segments, and names in ripcfs shm/. */
	ROUTE(P_SHMGET, shmget),
	ROUTE(P_SHMAT, shmat),
	ROUTE(P_SHMDT, shmdt),
	ROUTE(P_SHMCTL, shmctl),
	ROUTE(P_SHM_OPEN, shm_open),
	ROUTE(P_SHM_UNLINK, shm_unlink),
};

static void say(const char *a, const char *b, const char *c)
{
	/* write(2), not stdio: safe in any state the program is in. */
	ssize_t unused;

	unused = write(STDERR_FILENO, a, strlen(a));
	unused = write(STDERR_FILENO, b, strlen(b));
	unused = write(STDERR_FILENO, c, strlen(c));
	(void)unused;
}

/*
 * The function to call for @call: ripc's, else (RIPC_PRELOAD_FALLBACK=1)
 * libc's, else NULL with errno ENOSYS.
 */
/* Whether @name is in the comma-separated list RIPC_PRELOAD_NATIVE. */
static int kept_native(const char *name)
{
	const char *list = getenv("RIPC_PRELOAD_NATIVE");
	size_t len = strlen(name);

	while (list && *list) {
		if (strncmp(list, name, len) == 0 && (list[len] == ',' || !list[len]))
			return 1;
		list = strchr(list, ',');
		if (list)
			list++;
	}
	return 0;
}

static void *route_slow(enum preload_call call);

/*
 * The common case inline: the call was looked up before and goes to ripc;
 * anything else (first use, kept native, no route) in route_slow().
 */
static inline void *route(enum preload_call call)
{
	struct preload_route *r = &routes[call];

	if (__builtin_expect(__atomic_load_n(&r->native, __ATOMIC_RELAXED) == 1 && r->ripc, 1))
		return r->ripc;
	return route_slow(call);
}

static void *route_slow(enum preload_call call)
{
	struct preload_route *r = &routes[call];
	int native = __atomic_load_n(&r->native, __ATOMIC_RELAXED);
	const char *fallback;
	int first;

	/* The environment is read once per call, not on every use: getenv()
	 * walks it, which costs more than some ripc calls. */
	if (!native) {
		native = kept_native(r->name) ? 2 : 1;
		__atomic_store_n(&r->native, native, __ATOMIC_RELAXED);
	}
	if (r->ripc && native == 1)
		return r->ripc;
	fallback = getenv("RIPC_PRELOAD_FALLBACK");
	first = !__atomic_exchange_n(&r->warned, 1, __ATOMIC_RELAXED);
	if (fallback && strcmp(fallback, "1") == 0) {
		if (first)
			say("libripc-preload: ", r->name,
			    "() is not routed to ripc, using the native call (RIPC_PRELOAD_FALLBACK=1)\n");
		return dlsym(RTLD_NEXT, r->name);
	}
	if (first)
		say("libripc-preload: ", r->name,
		    "() is not routed to ripc, failing with ENOSYS (RIPC_PRELOAD_FALLBACK=1 uses the native call)\n");
	errno = ENOSYS;
	return NULL;
}

/* Defines the interposer NAME(PARAMS) that calls route CALL with ARGS. */
#define INTERPOSE(ret, name, call, fail, params, args)			\
	RIPC_EXPORT ret name params					\
	{								\
		ret (*fn) params = route(call);				\
									\
		return fn ? fn args : (fail);				\
	}

INTERPOSE(int, pipe, P_PIPE, -1, (int fds[2]), (fds))
INTERPOSE(int, pipe2, P_PIPE2, -1, (int fds[2], int flags), (fds, flags))
INTERPOSE(int, eventfd, P_EVENTFD, -1, (unsigned int initval, int flags), (initval, flags))
INTERPOSE(int, eventfd_read, P_EVENTFD_READ, -1, (int fd, eventfd_t *value), (fd, value))
INTERPOSE(int, eventfd_write, P_EVENTFD_WRITE, -1, (int fd, eventfd_t value), (fd, value))

INTERPOSE(int, msgget, P_MSGGET, -1, (key_t key, int flg), (key, flg))
INTERPOSE(int, msgsnd, P_MSGSND, -1, (int id, const void *p, size_t sz, int flg),
	  (id, p, sz, flg))
INTERPOSE(ssize_t, msgrcv, P_MSGRCV, -1, (int id, void *p, size_t sz, long typ, int flg),
	  (id, p, sz, typ, flg))
INTERPOSE(int, msgctl, P_MSGCTL, -1, (int id, int cmd, struct msqid_ds *buf), (id, cmd, buf))

INTERPOSE(int, semget, P_SEMGET, -1, (key_t key, int nsems, int flg), (key, nsems, flg))
INTERPOSE(int, semop, P_SEMOP, -1, (int id, struct sembuf *sops, size_t nsops),
	  (id, sops, nsops))
INTERPOSE(int, semtimedop, P_SEMTIMEDOP, -1,
	  (int id, struct sembuf *sops, size_t nsops, const struct timespec *timeout),
	  (id, sops, nsops, timeout))

INTERPOSE(int, mq_close, P_MQ_CLOSE, -1, (mqd_t mq), (mq))
INTERPOSE(int, mq_unlink, P_MQ_UNLINK, -1, (const char *name), (name))
INTERPOSE(int, mq_send, P_MQ_SEND, -1, (mqd_t mq, const char *p, size_t len, unsigned int prio),
	  (mq, p, len, prio))
INTERPOSE(int, mq_timedsend, P_MQ_TIMEDSEND, -1,
	  (mqd_t mq, const char *p, size_t len, unsigned int prio, const struct timespec *t),
	  (mq, p, len, prio, t))
INTERPOSE(ssize_t, mq_receive, P_MQ_RECEIVE, -1,
	  (mqd_t mq, char *p, size_t len, unsigned int *prio), (mq, p, len, prio))
INTERPOSE(ssize_t, mq_timedreceive, P_MQ_TIMEDRECEIVE, -1,
	  (mqd_t mq, char *p, size_t len, unsigned int *prio, const struct timespec *t),
	  (mq, p, len, prio, t))
INTERPOSE(int, mq_getattr, P_MQ_GETATTR, -1, (mqd_t mq, struct mq_attr *attr), (mq, attr))
INTERPOSE(int, mq_setattr, P_MQ_SETATTR, -1,
	  (mqd_t mq, const struct mq_attr *newattr, struct mq_attr *oldattr),
	  (mq, newattr, oldattr))
INTERPOSE(int, mq_notify, P_MQ_NOTIFY, -1, (mqd_t mq, const struct sigevent *sev), (mq, sev))

INTERPOSE(int, shmget, P_SHMGET, -1, (key_t key, size_t size, int flg), (key, size, flg))
INTERPOSE(void *, shmat, P_SHMAT, (void *)-1, (int id, const void *addr, int flg),
	  (id, addr, flg))
INTERPOSE(int, shmdt, P_SHMDT, -1, (const void *addr), (addr))
INTERPOSE(int, shmctl, P_SHMCTL, -1, (int id, int cmd, struct shmid_ds *buf), (id, cmd, buf))
INTERPOSE(int, shm_unlink, P_SHM_UNLINK, -1, (const char *name), (name))

/* The variadic ones read their optional argument as libc does. */

union preload_semun {
	int val;
	void *ptr;
};

RIPC_EXPORT int semctl(int id, int semnum, int cmd, ...)
{
	int (*fn)(int, int, int, ...) = route(P_SEMCTL);
	union preload_semun arg = { .ptr = NULL };
	va_list ap;

	if (ripc_semctl_has_arg(cmd)) {
		va_start(ap, cmd);
		arg = va_arg(ap, union preload_semun);
		va_end(ap);
	}
	return fn ? fn(id, semnum, cmd, arg) : -1;
}

RIPC_EXPORT mqd_t mq_open(const char *name, int oflag, ...)
{
	mqd_t (*fn)(const char *, int, ...) = route(P_MQ_OPEN);
	struct mq_attr *attr = NULL;
	mode_t mode = 0;
	va_list ap;

	if (oflag & O_CREAT) {
		va_start(ap, oflag);
		mode = va_arg(ap, mode_t);
		attr = va_arg(ap, struct mq_attr *);
		va_end(ap);
	}
	return fn ? fn(name, oflag, mode, attr) : -1;
}

RIPC_EXPORT int shm_open(const char *name, int oflag, mode_t mode)
{
	int (*fn)(const char *, int, mode_t) = route(P_SHM_OPEN);

	return fn ? fn(name, oflag, mode) : -1;
}

/*
 * fcntl: F_GETPIPE_SZ and F_SETPIPE_SZ go to ripc's pipe ioctls; a
 * descriptor that is not a ripc pipe (ENOTTY: say a pipe the shell made
 * before exec) and every other command go to libc's fcntl.
 */
static int preload_fcntl(int fd, int cmd, unsigned long arg)
{
	int (*fn)(int, int, ...);
	int ret;

	if (cmd == F_GETPIPE_SZ || cmd == F_SETPIPE_SZ) {
		ret = cmd == F_GETPIPE_SZ ? ripc_pipe_get_size(fd)
					  : ripc_pipe_set_size(fd, (unsigned int)arg);
		if (ret >= 0 || errno != ENOTTY)
			return ret;
	}
	fn = dlsym(RTLD_NEXT, "fcntl");
	if (!fn) {
		errno = ENOSYS;
		return -1;
	}
	return fn(fd, cmd, arg);
}

RIPC_EXPORT int fcntl(int fd, int cmd, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	return preload_fcntl(fd, cmd, arg);
}

/*
 * What <fcntl.h> names fcntl with _FILE_OFFSET_BITS=64; on 64-bit glibc
 * both names are one function, and so they are here.
 */
RIPC_EXPORT int fcntl64(int fd, int cmd, ...) __attribute__((alias("fcntl")));

/*
 * The /proc files of the IPC mechanisms: opened through open, openat,
 * fopen and their *64 and fortified (__open_2 ...) names, these absolute
 * paths are opened in ripcfs instead, whose sysvipc/ and sys/ have the same
 * files in Linux's formats (Documentation/ripcfs.rst), so that ipcs, ipcrm
 * and sysctl show and change ripc's objects and limits. Every other path
 * goes to libc unchanged. The ripcfs used is the one libripc uses:
 * RIPCFS_MOUNT, else the first ripcfs in /proc/self/mounts; with none
 * mounted, a mapped path fails with ENOENT rather than show Linux's values
 * for ripc's objects.
 */
static const struct {
	const char *proc;
	const char *ripcfs;
} proc_map[] = {
	{ "/proc/sysvipc/", "sysvipc/" },
	{ "/proc/sys/kernel/", "sys/kernel/" },
	{ "/proc/sys/fs/mqueue/", "sys/fs/mqueue/" },
	{ "/proc/sys/fs/", "sys/fs/" },
};

/* The files under each directory of proc_map[] that are mapped. */
static const char *const proc_files[] = {
	/* /proc/sysvipc/ */
	"msg", "sem", "shm",
	/* /proc/sys/kernel/ */
	"msgmax", "msgmni", "msgmnb", "sem", "shmmax", "shmall", "shmmni", "shm_rmid_forced",
	"msg_next_id", "sem_next_id", "shm_next_id",
	/* /proc/sys/fs/mqueue/ */
	"queues_max", "msg_max", "msgsize_max", "msg_default", "msgsize_default",
	/* /proc/sys/fs/ */
	"pipe-max-size", "pipe-user-pages-soft", "pipe-user-pages-hard",
};

/* Where each directory's files start in proc_files[], and end. */
static const unsigned char proc_files_of[][2] = { { 0, 3 }, { 3, 14 }, { 14, 19 }, { 19, 22 } };

/* libc's @name, looked up once into @slot: every open() of the program comes here. */
static void *libc_fn(void **slot, const char *name)
{
	void *fn = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!fn) {
		fn = dlsym(RTLD_NEXT, name);
		__atomic_store_n(slot, fn, __ATOMIC_RELAXED);
	}
	return fn;
}

static void *libc_fopen_slot;

/* The mount point of the ripcfs in use, into @dir; -1 if none. */
static int ripcfs_mount(char *dir, size_t size)
{
	FILE *(*libc_fopen)(const char *, const char *) = libc_fn(&libc_fopen_slot, "fopen");
	const char *env = getenv("RIPCFS_MOUNT");
	char dev[256], path[4000], type[64];
	FILE *mounts;
	int found = -1;

	if (env) {
		snprintf(dir, size, "%s", env);
		return 0;
	}
	mounts = libc_fopen ? libc_fopen("/proc/self/mounts", "re") : NULL;
	if (!mounts)
		return -1;
	while (fscanf(mounts, "%255s %3999s %63s %*[^\n]", dev, path, type) == 3) {
		if (strcmp(type, RIPC_FS_NAME) == 0) {
			snprintf(dir, size, "%s", path);
			found = 0;
			break;
		}
	}
	fclose(mounts);
	return found;
}

/*
 * Whether @path is one of the mapped /proc files: 0 if not, 1 with its
 * ripcfs path in @out, -1 (errno ENOENT) if it is but no ripcfs is
 * mounted.
 */
static int proc_path(const char *path, char *out, size_t size)
{
	char mnt[4000];
	size_t i, j, len;

	/* The common case, any other path, costs one comparison. */
	if (!path || strncmp(path, "/proc/sys", 9) != 0)
		return 0;
	for (i = 0; i < sizeof(proc_map) / sizeof(proc_map[0]); i++) {
		len = strlen(proc_map[i].proc);
		if (strncmp(path, proc_map[i].proc, len) != 0)
			continue;
		for (j = proc_files_of[i][0]; j < proc_files_of[i][1]; j++)
			if (strcmp(path + len, proc_files[j]) == 0)
				break;
		if (j == proc_files_of[i][1])
			return 0;
		if (ripcfs_mount(mnt, sizeof(mnt))) {
			errno = ENOENT;
			return -1;
		}
		snprintf(out, size, "%s/%s%s", mnt, proc_map[i].ripcfs, proc_files[j]);
		return 1;
	}
	return 0;
}

/* Whether open's flags carry a mode argument. */
static int needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* openat() of libc's symbol @name, with @path mapped if it is a /proc file. */
static int preload_openat(void **slot, const char *name, int dirfd, const char *path, int flags,
			  mode_t mode)
{
	int (*fn)(int, const char *, int, ...) = libc_fn(slot, name);
	char mapped[4096];
	int m = proc_path(path, mapped, sizeof(mapped));

	if (m < 0)
		return -1;
	if (!fn) {
		errno = ENOSYS;
		return -1;
	}
	return fn(dirfd, m ? mapped : path, flags, mode);
}

static int preload_open(void **slot, const char *name, const char *path, int flags, mode_t mode)
{
	int (*fn)(const char *, int, ...) = libc_fn(slot, name);
	char mapped[4096];
	int m = proc_path(path, mapped, sizeof(mapped));

	if (m < 0)
		return -1;
	if (!fn) {
		errno = ENOSYS;
		return -1;
	}
	return fn(m ? mapped : path, flags, mode);
}

#define OPEN_MODE(flags, mode)				\
	do {						\
		va_list ap;				\
							\
		if (needs_mode(flags)) {		\
			va_start(ap, flags);		\
			mode = va_arg(ap, mode_t);	\
			va_end(ap);			\
		}					\
	} while (0)

RIPC_EXPORT int open(const char *path, int flags, ...)
{
	static void *slot;
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return preload_open(&slot, "open", path, flags, mode);
}

RIPC_EXPORT int open64(const char *path, int flags, ...)
{
	static void *slot;
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return preload_open(&slot, "open64", path, flags, mode);
}

RIPC_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	static void *slot;
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return preload_openat(&slot, "openat", dirfd, path, flags, mode);
}

RIPC_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	static void *slot;
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return preload_openat(&slot, "openat64", dirfd, path, flags, mode);
}

/*
 * What _FORTIFY_SOURCE builds call for an open whose flags the compiler
 * cannot see: the same as open() without a mode.
 */
RIPC_EXPORT int __open_2(const char *path, int flags)
{
	static void *slot;

	return preload_open(&slot, "open", path, flags, 0);
}

RIPC_EXPORT int __open64_2(const char *path, int flags)
{
	static void *slot;

	return preload_open(&slot, "open64", path, flags, 0);
}

RIPC_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	static void *slot;

	return preload_openat(&slot, "openat", dirfd, path, flags, 0);
}

RIPC_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	static void *slot;

	return preload_openat(&slot, "openat64", dirfd, path, flags, 0);
}

/* fopen: glibc's opens the file without going through open(). */
static FILE *preload_fopen(void **slot, const char *name, const char *path, const char *how)
{
	FILE *(*fn)(const char *, const char *) = libc_fn(slot, name);
	char mapped[4096];
	int m = proc_path(path, mapped, sizeof(mapped));

	if (m < 0)
		return NULL;
	if (!fn) {
		errno = ENOSYS;
		return NULL;
	}
	return fn(m ? mapped : path, how);
}

RIPC_EXPORT FILE *fopen(const char *path, const char *how)
{
	return preload_fopen(&libc_fopen_slot, "fopen", path, how);
}

RIPC_EXPORT FILE *fopen64(const char *path, const char *how)
{
	static void *slot;

	return preload_fopen(&slot, "fopen64", path, how);
}

/*
 * syscall(2): programs that exercise the kernel ABI call IPC system calls
 * by number, which would reach Linux's IPC with ripc's ids. The IPC
 * numbers are routed to ripc with the *kernel's* argument conventions,
 * which differ from libc's in a few places (see raw_mq_open and
 * raw_ctl_cmd); every other number goes to libc's syscall(). A number
 * whose libc name is kept native (RIPC_PRELOAD_NATIVE) follows that name's
 * route: ENOSYS, or with RIPC_PRELOAD_FALLBACK=1 the real system call.
 *
 * ripc_native_syscall() is libc's syscall(); libripc's queue calls use it
 * (not syscall(), which is this file's) to ask Linux for its errno.
 */
long ripc_native_syscall(long nr, const long a[6])
{
	static long (*libc_syscall)(long, ...);
	long (*fn)(long, ...) = __atomic_load_n(&libc_syscall, __ATOMIC_RELAXED);

	if (!fn) {
		fn = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
		if (!fn) {
			errno = ENOSYS;
			return -1;
		}
		__atomic_store_n(&libc_syscall, fn, __ATOMIC_RELAXED);
	}
	return fn(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/*
 * Where raw call @nr goes, by the route of @call: 1 ripc, 0 the real
 * system call (RIPC_PRELOAD_FALLBACK=1), -1 nowhere (errno ENOSYS).
 */
static int raw_route(enum preload_call call)
{
	void *fn = route(call);

	if (!fn)
		return -1;
	return fn == routes[call].ripc;
}

/*
 * The raw msgctl/semctl/shmctl take the command as it is: on x86-64 only
 * 32-bit ABIs parse the IPC_64 bit, so a command with it is unknown to the
 * kernel (EINVAL), where glibc's wrappers never pass it there.
 */
#define RAW_IPC_64 0x0100

static int raw_ctl_cmd(long cmd)
{
	if (cmd & RAW_IPC_64) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * The raw mq_open and mq_unlink take the name without glibc's leading '/'
 * (glibc strips it and passes the rest), and the raw mq_open adds no
 * O_CLOEXEC (glibc's does); libripc takes glibc's form, so the name gets
 * its '/' back here. A name that itself holds a '/' still fails in the
 * lookup, as the kernel's does.
 */
static char *raw_mq_name(const char *name)
{
	size_t len;
	char *full;

	if (!name) {
		errno = EFAULT;
		return NULL;
	}
	len = strlen(name);
	full = malloc(len + 2);
	if (!full) {
		errno = ENOMEM;
		return NULL;
	}
	full[0] = '/';
	memcpy(full + 1, name, len + 1);
	return full;
}

static long raw_mq_open(const long a[6])
{
	char *name = raw_mq_name((const char *)a[0]);
	int oflag = (int)a[1], fd, saved;

	if (!name)
		return -1;
	fd = ripc_mq_open(name, oflag, (mode_t)a[2], (struct mq_attr *)a[3]);
	saved = errno;
	free(name);
	if (fd >= 0 && !(oflag & O_CLOEXEC))
		ioctl(fd, FIONCLEX);
	errno = saved;
	return fd;
}

static long raw_mq_unlink(const long a[6])
{
	char *name = raw_mq_name((const char *)a[0]);
	int ret, saved;

	if (!name)
		return -1;
	ret = ripc_mq_unlink(name);
	saved = errno;
	free(name);
	errno = saved;
	return ret;
}

/* mq_getsetattr(2): the one call behind mq_getattr(3) and mq_setattr(3). */
static long raw_mq_getsetattr(const long a[6])
{
	const struct mq_attr *newattr = (const struct mq_attr *)a[1];
	struct mq_attr *oldattr = (struct mq_attr *)a[2], unused;

	if (newattr)
		return ripc_mq_setattr((mqd_t)a[0], newattr, oldattr);
	/* Neither: the kernel still checks that the descriptor is a queue. */
	return ripc_mq_getattr((mqd_t)a[0], oldattr ? oldattr : &unused);
}

/*
 * The raw mq_notify's SIGEV_THREAD is the kernel's netlink protocol (the
 * signal number is a netlink socket, the value a cookie), which glibc
 * builds its SIGEV_THREAD on; ripc has no netlink side, so it says EINVAL.
 */
static long raw_mq_notify(const long a[6])
{
	const struct sigevent *sev = (const struct sigevent *)a[1];

	if (sev && sev->sigev_notify == SIGEV_THREAD) {
		errno = EINVAL;
		return -1;
	}
	return ripc_mq_notify((mqd_t)a[0], sev);
}

/* The IPC system calls by number, and the libc name each one follows. */
static int raw_call_of(long nr, enum preload_call *call)
{
	switch (nr) {
	case SYS_pipe: *call = P_PIPE; return 1;
	case SYS_pipe2: *call = P_PIPE2; return 1;
	case SYS_eventfd: case SYS_eventfd2: *call = P_EVENTFD; return 1;
	case SYS_msgget: *call = P_MSGGET; return 1;
	case SYS_msgsnd: *call = P_MSGSND; return 1;
	case SYS_msgrcv: *call = P_MSGRCV; return 1;
	case SYS_msgctl: *call = P_MSGCTL; return 1;
	case SYS_semget: *call = P_SEMGET; return 1;
	case SYS_semop: *call = P_SEMOP; return 1;
	case SYS_semtimedop: *call = P_SEMTIMEDOP; return 1;
	case SYS_semctl: *call = P_SEMCTL; return 1;
	case SYS_shmget: *call = P_SHMGET; return 1;
	case SYS_shmat: *call = P_SHMAT; return 1;
	case SYS_shmdt: *call = P_SHMDT; return 1;
	case SYS_shmctl: *call = P_SHMCTL; return 1;
	case SYS_mq_open: *call = P_MQ_OPEN; return 1;
	case SYS_mq_unlink: *call = P_MQ_UNLINK; return 1;
	case SYS_mq_timedsend: *call = P_MQ_TIMEDSEND; return 1;
	case SYS_mq_timedreceive: *call = P_MQ_TIMEDRECEIVE; return 1;
	case SYS_mq_notify: *call = P_MQ_NOTIFY; return 1;
	case SYS_mq_getsetattr: *call = P_MQ_GETATTR; return 1;
	default: return 0;
	}
}

/* A routed raw call, on ripc. Each returns -1 with errno on failure. */
static long raw_ripc(long nr, const long a[6])
{
	void *addr;

	switch (nr) {
	case SYS_pipe:
		return ripc_pipe((int *)a[0]);
	case SYS_pipe2:
		return ripc_pipe2((int *)a[0], (int)a[1]);
	case SYS_eventfd:
		return ripc_eventfd((unsigned int)a[0], 0);
	case SYS_eventfd2:
		return ripc_eventfd((unsigned int)a[0], (int)a[1]);
	case SYS_msgget:
		return ripc_msgget((key_t)a[0], (int)a[1]);
	case SYS_msgsnd:
		return ripc_msgsnd((int)a[0], (const void *)a[1], (size_t)a[2], (int)a[3]);
	case SYS_msgrcv:
		return ripc_msgrcv((int)a[0], (void *)a[1], (size_t)a[2], a[3], (int)a[4]);
	case SYS_msgctl:
		if (raw_ctl_cmd(a[1]))
			return -1;
		return ripc_msgctl((int)a[0], (int)a[1], (struct msqid_ds *)a[2]);
	case SYS_semget:
		return ripc_semget((key_t)a[0], (int)a[1], (int)a[2]);
	case SYS_semop:
		return ripc_semop((int)a[0], (struct sembuf *)a[1], (size_t)a[2]);
	case SYS_semtimedop:
		return ripc_semtimedop((int)a[0], (struct sembuf *)a[1], (size_t)a[2],
				       (const struct timespec *)a[3]);
	case SYS_semctl: {
		/* The fourth argument is the value itself, not a union in memory. */
		union preload_semun arg = { .ptr = (void *)a[3] };

		if (raw_ctl_cmd(a[2]))
			return -1;
		return ripc_semctl((int)a[0], (int)a[1], (int)a[2], arg);
	}
	case SYS_shmget:
		return ripc_shmget((key_t)a[0], (size_t)a[1], (int)a[2]);
	case SYS_shmat:
		addr = ripc_shmat((int)a[0], (const void *)a[1], (int)a[2]);
		return addr == (void *)-1 ? -1 : (long)addr;
	case SYS_shmdt:
		return ripc_shmdt((const void *)a[0]);
	case SYS_shmctl:
		if (raw_ctl_cmd(a[1]))
			return -1;
		return ripc_shmctl((int)a[0], (int)a[1], (struct shmid_ds *)a[2]);
	case SYS_mq_open:
		return raw_mq_open(a);
	case SYS_mq_unlink:
		return raw_mq_unlink(a);
	case SYS_mq_timedsend:
		return ripc_mq_timedsend((mqd_t)a[0], (const char *)a[1], (size_t)a[2],
					 (unsigned int)a[3], (const struct timespec *)a[4]);
	case SYS_mq_timedreceive:
		return ripc_mq_timedreceive((mqd_t)a[0], (char *)a[1], (size_t)a[2],
					    (unsigned int *)a[3], (const struct timespec *)a[4]);
	case SYS_mq_notify:
		return raw_mq_notify(a);
	case SYS_mq_getsetattr:
		return raw_mq_getsetattr(a);
	}
	errno = ENOSYS;
	return -1;
}

RIPC_EXPORT long syscall(long nr, ...)
{
	enum preload_call call;
	long a[6];
	va_list ap;
	int i;

	/* Six arguments, as libc's syscall() always reads them. */
	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!raw_call_of(nr, &call))
		return ripc_native_syscall(nr, a);
	switch (raw_route(call)) {
	case 1:
		return raw_ripc(nr, a);
	case 0:
		return ripc_native_syscall(nr, a);
	default:
		return -1;
	}
}
