// SPDX-License-Identifier: GPL-2.0
/*
 * Memory that users make ripc allocate is charged to their memory cgroup,
 * as Linux charges its IPC objects (GFP_KERNEL_ACCOUNT in ipc/sem.c,
 * ipc/msgutil.c, ipc/mqueue.c). A child in a cgroup v2 with memory.max
 * 32 MiB tries to pin four times that in semaphore arrays, messages of a
 * SysV queue or POSIX messages. On Linux it cannot: an allocation fails or
 * the memory controller's OOM killer ends it. Each case runs the same
 * program on Linux's IPC and on ripc's, and expects the same: the child
 * never reaches its target. Afterwards the objects are removed and the
 * group's charge falls back to almost nothing.
 */

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define GROUP CGROUP_ROOT "/ripc-memcg-test"
#define LIMIT (32L << 20)
#define TARGET (4 * LIMIT)
#define MSG_SIZE 8192
#define MQ_MAXMSG 1024
#define MAX_IDS 4096
#define UNCHARGED (2L << 20)

/* Linux's IPC calls, or libripc's: one table per side. */
struct ipc_side {
	int (*semget)(key_t, int, int);
	int (*semctl)(int, int, int, ...);
	int (*msgget)(key_t, int);
	int (*msgsnd)(int, const void *, size_t, int);
	int (*msgctl)(int, int, struct msqid_ds *);
	mqd_t (*mq_open)(const char *, int, ...);
	int (*mq_send)(mqd_t, const char *, size_t, unsigned int);
	int (*mq_unlink)(const char *);
};

static const struct ipc_side linux_side = {
	semget, semctl, msgget, msgsnd, msgctl, mq_open, mq_send, mq_unlink,
};

static const struct ipc_side ripc_side = {
	ripc_semget, ripc_semctl, ripc_msgget, ripc_msgsnd, ripc_msgctl,
	ripc_mq_open, ripc_mq_send, ripc_mq_unlink,
};

/* What the child made, for the parent to remove: in shared memory. */
struct made {
	int ids[MAX_IDS];
	int n;
	long bytes;
	int err;
};

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -1;
}

static long read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : -1;
}

/* A fresh child group with memory.max = LIMIT; 0, or -1 to skip. */
static int make_group(void)
{
	char buf[32];

	mkdir(CGROUP_ROOT, 0755);
	if (mount("none", CGROUP_ROOT, "cgroup2", 0, NULL) && errno != EBUSY)
		return -1;
	if (write_file(CGROUP_ROOT "/cgroup.subtree_control", "+memory"))
		return -1;
	rmdir(GROUP);
	if (mkdir(GROUP, 0755))
		return -1;
	snprintf(buf, sizeof(buf), "%ld", LIMIT);
	if (write_file(GROUP "/memory.max", buf))
		return -1;
	/* No swap to escape to (the guest has none; be explicit anyway). */
	write_file(GROUP "/memory.swap.max", "0");
	return 0;
}

static void mq_name(char *buf, size_t len, int i)
{
	snprintf(buf, len, "/ripc-memcg-%d", i);
}

/* The child's work: pin TARGET bytes of one kind, or fail trying. */
enum kind { SEM_ARRAYS, MSG_TEXT, MQ_MESSAGES };

static void pin_memory(const struct ipc_side *side, enum kind kind, struct made *made)
{
	static char text[sizeof(long) + MSG_SIZE];
	struct mq_attr attr = { .mq_maxmsg = MQ_MAXMSG, .mq_msgsize = MSG_SIZE };
	struct msqid_ds ds;
	char name[64];
	int id, i;
	mqd_t mq;

	*(long *)text = 1;
	while (made->bytes < TARGET && made->n < MAX_IDS) {
		switch (kind) {
		case SEM_ARRAYS:
			/* 32000 semaphores: about 2 MiB on Linux (struct sem). */
			id = side->semget(IPC_PRIVATE, 32000, IPC_CREAT | 0600);
			if (id < 0)
				goto failed;
			made->ids[made->n++] = id;
			made->bytes += 32000L * 64;
			break;
		case MSG_TEXT:
			if (made->n == 0) {
				id = side->msgget(IPC_PRIVATE, IPC_CREAT | 0600);
				if (id < 0 || side->msgctl(id, IPC_STAT, &ds))
					goto failed;
				made->ids[made->n++] = id;
				ds.msg_qbytes = 1L << 30;
				if (side->msgctl(id, IPC_SET, &ds))
					goto failed;
			}
			if (side->msgsnd(made->ids[0], text, MSG_SIZE, IPC_NOWAIT))
				goto failed;
			made->bytes += MSG_SIZE;
			break;
		case MQ_MESSAGES:
			mq_name(name, sizeof(name), made->n);
			mq = side->mq_open(name, O_WRONLY | O_CREAT | O_EXCL | O_NONBLOCK, 0600, &attr);
			if (mq < 0)
				goto failed;
			made->ids[made->n++] = 1;
			for (i = 0; i < MQ_MAXMSG && made->bytes < TARGET; i++) {
				if (side->mq_send(mq, text, MSG_SIZE, i % 32))
					goto failed;
				made->bytes += MSG_SIZE;
			}
			close(mq);
			break;
		}
	}
	_exit(0);
failed:
	made->err = errno;
	_exit(1);
}

static void remove_made(const struct ipc_side *side, enum kind kind, struct made *made)
{
	char name[64];
	int i;

	for (i = 0; i < made->n; i++) {
		switch (kind) {
		case SEM_ARRAYS:
			side->semctl(made->ids[i], 0, IPC_RMID);
			break;
		case MSG_TEXT:
			side->msgctl(made->ids[i], IPC_RMID, NULL);
			break;
		case MQ_MESSAGES:
			mq_name(name, sizeof(name), i);
			side->mq_unlink(name);
			break;
		}
	}
}

/*
 * ripcfs for libripc's POSIX queues, mounted once by the program (each
 * case runs in a child of the harness, which would not unmount it).
 */
__attribute__((constructor)) static void mount_ripcfs(void)
{
	mount_ripcfs_for_libripc("/tmp/ripc-memcg-mnt");
}

FIXTURE(memcg) {
	struct made *made;
	struct rlimit msgqueue;
	long linux_msg_max, ripc_mq_msg_max;
};

FIXTURE_SETUP(memcg)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	char buf[32];

	if (make_group())
		SKIP(return, "no cgroup v2 memory controller: %s", strerror(errno));
	self->made = mmap(NULL, sizeof(*self->made), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->made);
	/* Queues deep enough that the cgroup, not a count, is the limit. */
	getrlimit(RLIMIT_MSGQUEUE, &self->msgqueue);
	ASSERT_EQ(0, setrlimit(RLIMIT_MSGQUEUE, &unlimited));
	self->linux_msg_max = read_long("/proc/sys/fs/mqueue/msg_max");
	self->ripc_mq_msg_max = read_long("/sys/module/ripc/parameters/mq_msg_max");
	snprintf(buf, sizeof(buf), "%d", MQ_MAXMSG);
	ASSERT_EQ(0, write_file("/proc/sys/fs/mqueue/msg_max", buf));
	ASSERT_EQ(0, write_file("/sys/module/ripc/parameters/mq_msg_max", buf));
}

FIXTURE_TEARDOWN(memcg)
{
	char buf[32];

	if (!self->made)
		return;
	setrlimit(RLIMIT_MSGQUEUE, &self->msgqueue);
	snprintf(buf, sizeof(buf), "%ld", self->linux_msg_max);
	write_file("/proc/sys/fs/mqueue/msg_max", buf);
	snprintf(buf, sizeof(buf), "%ld", self->ripc_mq_msg_max);
	write_file("/sys/module/ripc/parameters/mq_msg_max", buf);
	rmdir(GROUP);
}

/*
 * Runs the child in the group, then removes what it made. Returns how the
 * child ended: 0 it reached its target (the charge escaped the group),
 * 1 an allocation failed, 128 + signal if it was killed.
 */
static int run_in_group(struct __test_metadata *_metadata, FIXTURE_DATA(memcg) *self,
			const struct ipc_side *side, enum kind kind, long *left)
{
	char buf[32];
	int status, how;
	pid_t pid;

	memset(self->made, 0, sizeof(*self->made));
	pid = fork();
	if (pid == 0) {
		snprintf(buf, sizeof(buf), "%d", getpid());
		if (write_file(GROUP "/cgroup.procs", buf))
			_exit(2);
		pin_memory(side, kind, self->made);
	}
	waitpid(pid, &status, 0);
	how = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	TH_LOG("made %d objects, %ld MiB, then %s (errno %d)", self->made->n,
	       self->made->bytes >> 20, how == 0 ? "reached the target" :
	       how == 1 ? "an allocation failed" : "was killed", self->made->err);
	remove_made(side, kind, self->made);
	/* Removed objects may be freed after an RCU grace period (Linux's
	 * semaphore arrays are): wait for the charge to settle, 10 s at most. */
	for (int i = 0; i < 1000; i++) {
		*left = read_long(GROUP "/memory.current");
		if (*left < UNCHARGED)
			break;
		sleep_ms(10);
	}
	return how;
}

/* Not reached: the group bounded it. */
#define EXPECT_BOUNDED(how) do {					\
	EXPECT_NE(0, how);						\
	EXPECT_NE(2, how) TH_LOG("could not join the cgroup");		\
	if (how == 1)							\
		EXPECT_EQ(ENOMEM, self->made->err);			\
	if (how > 128)							\
		EXPECT_EQ(128 + SIGKILL, how);				\
} while (0)

/* After removal almost nothing stays charged (per-CPU caches, at most). */
#define EXPECT_UNCHARGED(left) EXPECT_LT(left, UNCHARGED)

/* One case: @side's objects of @kind, in the group. */
#define MEMCG_CASE(name, side, kind)					\
	TEST_F_TIMEOUT(memcg, name, 300)				\
	{								\
		long left;						\
		int how = run_in_group(_metadata, self, side, kind, &left); \
									\
		EXPECT_BOUNDED(how);					\
		EXPECT_UNCHARGED(left);					\
	}

MEMCG_CASE(sem_arrays_linux, &linux_side, SEM_ARRAYS)
MEMCG_CASE(sem_arrays_ripc, &ripc_side, SEM_ARRAYS)
MEMCG_CASE(msg_text_linux, &linux_side, MSG_TEXT)
MEMCG_CASE(msg_text_ripc, &ripc_side, MSG_TEXT)
MEMCG_CASE(mq_messages_linux, &linux_side, MQ_MESSAGES)
MEMCG_CASE(mq_messages_ripc, &ripc_side, MQ_MESSAGES)

TEST_HARNESS_MAIN
