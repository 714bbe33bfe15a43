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
 * stdio, none of which is defined here; fcntl is, and libripc's own
 * ripc_fcntl() is not used by this library for that reason.
 *
 * A routed call never falls back: without /dev/ripc it fails as libripc
 * does (ENOENT from the open of the device).
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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
