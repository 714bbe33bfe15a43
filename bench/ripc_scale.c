// SPDX-License-Identifier: GPL-2.0
/*
 * ripc_scale: how the cost of one operation grows with N (queue depth,
 * object count, sleepers, attachments, pollers). Plain libc, like
 * ripc_bench: the same binary measures Linux, and ripc under
 * LD_PRELOAD=libripc-preload.so. See Documentation/bench.rst.
 *
 *   ripc_scale CASE N [COUNT]
 *
 * Sets up N of something, then times COUNT operations (a default that
 * shrinks as N grows when COUNT is 0 or absent) and prints
 * "result CASE n=N ns_per_op=X ops=COUNT". Only the operations are timed,
 * not the setup. Exits non-zero, with a message, on any failure.
 *
 * Cases (one op each):
 *   msg-fifo       msgsnd + msgrcv(type 0) on a queue holding N messages
 *   msg-typed      msgsnd + msgrcv(type 1) behind N messages of type 2
 *   mq-depth       mq_send + mq_receive on a queue holding N messages of
 *                  32 different priorities
 *   semget-key     semget() by key among N semaphore sets
 *   msgget-key     msgget() by key among N queues
 *   semop-among    P + V on one of N semaphore sets (a different one each
 *                  time)
 *   msgsnd-among   msgsnd + msgrcv on one of N queues
 *   sem-wake       V that wakes one of N threads sleeping in P on the same
 *                  semaphore, then P until the woken one answers
 *   shmat-among    shmat + shmdt of a segment while N others are attached
 *   pipe-poll      write a byte to a pipe N threads wait on in poll(); the
 *                  thread that reads it answers on a second pipe
 *
 * The thread cases (sem-wake, pipe-poll) stop at MAX_THREADS: 32000
 * threads do not fit in the guest's memory (a kernel stack each).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 4096
/* Keys of this program's objects: KEY_BASE + i. */
#define KEY_BASE 0x52490000
/* Visits the N objects in a scattered order: 7919 is a prime not dividing N. */
#define STRIDE 7919

static long n, count;

static void die(const char *what)
{
	fprintf(stderr, "ripc_scale: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t start;

/* The timed part of a case runs between these two. */
static void timer_start(void)
{
	start = now_ns();
}

static uint64_t elapsed;

static void timer_stop(void)
{
	elapsed = now_ns() - start;
}

/* SysV messages */

struct small_msg {
	long type;
	char text[8];
};

/* A private queue whose byte limit lets it hold `msgs` small messages. */
static int deep_queue(long msgs)
{
	struct msqid_ds ds;
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	if (id < 0)
		die("msgget");
	if (msgctl(id, IPC_STAT, &ds))
		die("msgctl(IPC_STAT)");
	/* Linux also counts messages against msg_qbytes. */
	ds.msg_qbytes = (msgs + 16) * sizeof(((struct small_msg *)0)->text);
	if (msgctl(id, IPC_SET, &ds))
		die("msgctl(IPC_SET msg_qbytes), needs root");
	return id;
}

static void msg_depth(long fill_type, long op_type)
{
	struct small_msg m = { .type = fill_type };
	int id = deep_queue(n + 1);

	for (long i = 0; i < n; i++)
		if (msgsnd(id, &m, sizeof(m.text), IPC_NOWAIT))
			die("msgsnd (fill)");
	timer_start();
	for (long i = 0; i < count; i++) {
		m.type = op_type;
		if (msgsnd(id, &m, sizeof(m.text), IPC_NOWAIT))
			die("msgsnd");
		if (msgrcv(id, &m, sizeof(m.text), op_type == fill_type ? 0 : op_type,
			   IPC_NOWAIT) != sizeof(m.text))
			die("msgrcv");
	}
	timer_stop();
	if (msgctl(id, IPC_RMID, NULL))
		die("msgctl(IPC_RMID)");
}

static void msg_fifo(void) { msg_depth(1, 1); }
static void msg_typed(void) { msg_depth(2, 1); }

/* POSIX queue at depth N, priorities 0..31 */

static void mq_depth(void)
{
	struct mq_attr attr = { .mq_maxmsg = n + 1, .mq_msgsize = 8 };
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	char buf[8] = "";
	mqd_t mq;

	/* Linux charges a queue's size to RLIMIT_MSGQUEUE, root too. */
	if (setrlimit(RLIMIT_MSGQUEUE, &unlimited))
		die("setrlimit(RLIMIT_MSGQUEUE)");
	mq_unlink("/ripc-scale");
	mq = mq_open("/ripc-scale", O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0600, &attr);
	if (mq < 0)
		die("mq_open (raise mq msg_max)");
	for (long i = 0; i < n; i++)
		if (mq_send(mq, buf, sizeof(buf), (i * STRIDE) % 32))
			die("mq_send (fill)");
	timer_start();
	for (long i = 0; i < count; i++) {
		if (mq_send(mq, buf, sizeof(buf), (i * STRIDE) % 32))
			die("mq_send");
		if (mq_receive(mq, buf, sizeof(buf), NULL) != sizeof(buf))
			die("mq_receive");
	}
	timer_stop();
	mq_close(mq);
	if (mq_unlink("/ripc-scale"))
		die("mq_unlink");
}

/* N objects with keys */

static int *ids;

static void make_sems(void)
{
	ids = calloc(n, sizeof(*ids));
	if (!ids)
		die("calloc");
	for (long i = 0; i < n; i++) {
		ids[i] = semget(KEY_BASE + i, 1, IPC_CREAT | IPC_EXCL | 0600);
		if (ids[i] < 0)
			die("semget (create)");
	}
}

static void remove_sems(void)
{
	for (long i = 0; i < n; i++)
		if (semctl(ids[i], 0, IPC_RMID))
			die("semctl(IPC_RMID)");
	free(ids);
}

static void make_queues(void)
{
	ids = calloc(n, sizeof(*ids));
	if (!ids)
		die("calloc");
	for (long i = 0; i < n; i++) {
		ids[i] = msgget(KEY_BASE + i, IPC_CREAT | IPC_EXCL | 0600);
		if (ids[i] < 0)
			die("msgget (create)");
	}
}

static void remove_queues(void)
{
	for (long i = 0; i < n; i++)
		if (msgctl(ids[i], IPC_RMID, NULL))
			die("msgctl(IPC_RMID)");
	free(ids);
}

static void semget_key(void)
{
	make_sems();
	timer_start();
	for (long i = 0; i < count; i++)
		if (semget(KEY_BASE + (i * STRIDE) % n, 1, 0600) < 0)
			die("semget");
	timer_stop();
	remove_sems();
}

static void msgget_key(void)
{
	make_queues();
	timer_start();
	for (long i = 0; i < count; i++)
		if (msgget(KEY_BASE + (i * STRIDE) % n, 0600) < 0)
			die("msgget");
	timer_stop();
	remove_queues();
}

static void semop1(int id, unsigned short num, short op)
{
	struct sembuf sb = { .sem_num = num, .sem_op = op };

	if (semop(id, &sb, 1))
		die("semop");
}

static void semop_among(void)
{
	make_sems();
	timer_start();
	for (long i = 0; i < count; i++) {
		int id = ids[(i * STRIDE) % n];

		semop1(id, 0, 1);
		semop1(id, 0, -1);
	}
	timer_stop();
	remove_sems();
}

static void msgsnd_among(void)
{
	struct small_msg m = { .type = 1 };

	make_queues();
	timer_start();
	for (long i = 0; i < count; i++) {
		int id = ids[(i * STRIDE) % n];

		if (msgsnd(id, &m, sizeof(m.text), IPC_NOWAIT))
			die("msgsnd");
		if (msgrcv(id, &m, sizeof(m.text), 0, IPC_NOWAIT) != sizeof(m.text))
			die("msgrcv");
	}
	timer_stop();
	remove_queues();
}

/* N sleeping threads */

static void start_threads(void *(*fn)(void *))
{
	pthread_attr_t attr;
	pthread_t t;

	if (n > MAX_THREADS) {
		fprintf(stderr, "ripc_scale: at most %d threads\n", MAX_THREADS);
		exit(3);
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN > 65536 ? PTHREAD_STACK_MIN : 65536);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (long i = 0; i < n; i++) {
		errno = pthread_create(&t, &attr, fn, NULL);
		if (errno)
			die("pthread_create");
	}
	pthread_attr_destroy(&attr);
}

static int wake_sem;

/*
 * Semaphore 0: the sleepers' turn; 1: the main thread's. A sleeper ends
 * quietly when the set is removed (EIDRM).
 */
static void *sem_sleeper(void *arg)
{
	struct sembuf p = { .sem_num = 0, .sem_op = -1 }, v = { .sem_num = 1, .sem_op = 1 };

	while (!semop(wake_sem, &p, 1) && !semop(wake_sem, &v, 1))
		;
	return NULL;
}

/* Waits until N threads sleep on semaphore `num` (GETNCNT). */
static void wait_sleepers(int id, int num)
{
	while (semctl(id, num, GETNCNT) < n)
		usleep(1000);
}

static void sem_wake(void)
{
	wake_sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (wake_sem < 0)
		die("semget");
	start_threads(sem_sleeper);
	wait_sleepers(wake_sem, 0);
	timer_start();
	for (long i = 0; i < count; i++) {
		semop1(wake_sem, 0, 1);
		semop1(wake_sem, 1, -1);
	}
	timer_stop();
	if (semctl(wake_sem, 0, IPC_RMID))
		die("semctl(IPC_RMID)");
}

static int poll_rd, poll_wr, ack_rd, ack_wr;
static long pollers_started;

static void *pipe_poller(void *arg)
{
	struct pollfd pfd = { .fd = poll_rd, .events = POLLIN };
	char c;

	__atomic_add_fetch(&pollers_started, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		if (poll(&pfd, 1, -1) != 1)
			die("poll");
		/* Every poller wakes; the one that gets the byte answers. */
		if (read(poll_rd, &c, 1) == 1 && write(ack_wr, &c, 1) != 1)
			die("write (ack)");
	}
	return NULL;
}

static void pipe_poll(void)
{
	int a[2], b[2];
	char c = 0;

	if (pipe(a) || pipe(b))
		die("pipe");
	poll_rd = a[0], poll_wr = a[1], ack_rd = b[0], ack_wr = b[1];
	if (fcntl(poll_rd, F_SETFL, O_NONBLOCK))
		die("fcntl(O_NONBLOCK)");
	start_threads(pipe_poller);
	/* Then give the last ones time to reach poll(). */
	while (__atomic_load_n(&pollers_started, __ATOMIC_SEQ_CST) < n)
		usleep(1000);
	usleep(50000);
	timer_start();
	for (long i = 0; i < count; i++) {
		if (write(poll_wr, &c, 1) != 1)
			die("write");
		if (read(ack_rd, &c, 1) != 1)
			die("read (ack)");
	}
	timer_stop();
}

/* Shared memory: N attached one-page segments, then attach/detach one more */

static void shmat_among(void)
{
	int extra;

	ids = calloc(n, sizeof(*ids));
	if (!ids)
		die("calloc");
	for (long i = 0; i < n; i++) {
		ids[i] = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (ids[i] < 0)
			die("shmget (raise shmmni)");
		if (shmat(ids[i], NULL, 0) == (void *)-1)
			die("shmat (fill)");
		/* Removed now, freed when the process exits. */
		if (shmctl(ids[i], IPC_RMID, NULL))
			die("shmctl(IPC_RMID)");
	}
	extra = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (extra < 0)
		die("shmget");
	timer_start();
	for (long i = 0; i < count; i++) {
		char *p = shmat(extra, NULL, 0);

		if (p == (void *)-1)
			die("shmat");
		if (shmdt(p))
			die("shmdt");
	}
	timer_stop();
	if (shmctl(extra, IPC_RMID, NULL))
		die("shmctl(IPC_RMID)");
	free(ids);
}

static const struct {
	const char *name;
	void (*fn)(void);
	/* Operations at N <= 16; fewer above, see default_count(). */
	long ops;
	/* Whether an op's cost is expected to grow with N on Linux too. */
	int linear;
} cases[] = {
	{ "msg-fifo", msg_fifo, 2000, 0 },
	{ "msg-typed", msg_typed, 2000, 1 },
	{ "mq-depth", mq_depth, 2000, 0 },
	{ "semget-key", semget_key, 2000, 0 },
	{ "msgget-key", msgget_key, 2000, 0 },
	{ "semop-among", semop_among, 2000, 0 },
	{ "msgsnd-among", msgsnd_among, 2000, 0 },
	{ "sem-wake", sem_wake, 1000, 0 },
	{ "shmat-among", shmat_among, 1000, 0 },
	{ "pipe-poll", pipe_poll, 500, 1 },
};

/* Fewer operations where one costs O(N) on Linux too, so that a run stays short. */
static long default_count(long ops, int linear)
{
	long c = ops;

	if (linear && n > 16)
		c = ops * 16 / n;
	else if (n > 256)
		c = ops / 4;
	return c < 20 ? 20 : c;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: ripc_scale CASE N [COUNT]\ncases:");
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			fprintf(stderr, " %s", cases[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(argv[1], cases[i].name))
			continue;
		count = argc == 4 ? atol(argv[3]) : 0;
		if (count <= 0)
			count = default_count(cases[i].ops, cases[i].linear);
		cases[i].fn();
		printf("result %s n=%ld ns_per_op=%llu ops=%ld\n", argv[1], n,
		       (unsigned long long)(elapsed / count), count);
		/* Threads may still sleep: leave without waiting for them. */
		fflush(stdout);
		_exit(0);
	}
	fprintf(stderr, "ripc_scale: no case %s\n", argv[1]);
	return 2;
}
