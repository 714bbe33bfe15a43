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
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
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
