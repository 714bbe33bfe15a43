// SPDX-License-Identifier: GPL-2.0
/*
 * ripc_bench: small IPC workloads written against plain libc, so that the
 * same binary measures native IPC, and ripc when run with
 * LD_PRELOAD=libripc-preload.so. See Documentation/bench.rst.
 *
 *   ripc_bench WORKLOAD COUNT
 *
 * Prints one line "result WORKLOAD ns_per_op=N ops=COUNT" where ns_per_op
 * is CLOCK_MONOTONIC time (instruction-based under QEMU -icount) divided
 * by COUNT. Exits non-zero, with a message, on any failure.
 *
 * Workloads (one op each):
 *   pipe-4k, pipe-64k   one write of 4 KiB / 64 KiB, a child reads it all
 *   msg-pingpong        a 64-byte SysV message there and back
 *   msg-stream          a 1 KiB SysV message one way, a child receives
 *   mq-pingpong         a 64-byte POSIX message there and back
 *   mq-stream           a 1 KiB POSIX message one way, a child receives
 *   sem-pingpong        V for the other process, then P for our turn
 *   sem-uncontended     P then V on a semaphore nobody else uses
 *   eventfd-pingpong    eventfd write and read there and back
 *   epoll-pipe          the parent sleeps in epoll_wait on a pipe, a child
 *                       writes a byte, the parent reads it and answers
 *   epoll-eventfd       the same with eventfds
 *   null-syscall        getppid() through syscall(): the entry and exit of
 *                       a system call that does nothing
 *   ioctl-devnull       an ioctl on /dev/null that fails with ENOTTY: the
 *                       same plus fdget and the VFS's ioctl switch
 *   ioctl-ripc          the same on /dev/ripc: plus the module's dispatch
 *   ioctl-mq            the same on a POSIX queue's descriptor (on ripc, the
 *                       queue's ripcfs file, so run under the preload)
 */

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/ioctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long count;

static void die(const char *what)
{
	fprintf(stderr, "ripc_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static pid_t child(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		fn();
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "ripc_bench: the child failed (status %#x)\n", status);
		exit(1);
	}
}

static void xwrite(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		die("write");
}

static void xread(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n <= 0)
			die("read");
		done += n;
	}
}

/* Pipe streaming */

static int sfds[2];
static size_t chunk;

static void stream_reader(void)
{
	static char buf[65536];

	close(sfds[1]);
	while (read(sfds[0], buf, sizeof(buf)) > 0)
		;
}

static void pipe_stream(size_t size)
{
	char *buf = calloc(1, size);
	pid_t pid;

	chunk = size;
	if (!buf || pipe(sfds))
		die("pipe");
	pid = child(stream_reader);
	close(sfds[0]);
	for (long i = 0; i < count; i++)
		xwrite(sfds[1], buf, chunk);
	close(sfds[1]);
	reap(pid);
	free(buf);
}

static void pipe_4k(void) { pipe_stream(4096); }
static void pipe_64k(void) { pipe_stream(65536); }

/* SysV messages: type 1 goes to the child, type 2 comes back */

static int msqid;

struct bench_msg {
	long type;
	char text[1024];
};

static void msg_echo(void)
{
	struct bench_msg m;

	for (long i = 0; i < count; i++) {
		if (msgrcv(msqid, &m, 64, 1, 0) != 64)
			die("msgrcv");
		m.type = 2;
		if (msgsnd(msqid, &m, 64, 0))
			die("msgsnd");
	}
}

static void msg_sink(void)
{
	struct bench_msg m;

	for (long i = 0; i < count; i++)
		if (msgrcv(msqid, &m, sizeof(m.text), 1, 0) != sizeof(m.text))
			die("msgrcv");
}

static void msg_run(void (*fn)(void), size_t len, int answer)
{
	struct bench_msg m = { .type = 1 };
	pid_t pid;

	msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (msqid < 0)
		die("msgget");
	pid = child(fn);
	for (long i = 0; i < count; i++) {
		m.type = 1;
		if (msgsnd(msqid, &m, len, 0))
			die("msgsnd");
		if (answer && msgrcv(msqid, &m, len, 2, 0) != (ssize_t)len)
			die("msgrcv");
	}
	reap(pid);
	if (msgctl(msqid, IPC_RMID, NULL))
		die("msgctl");
}

static void msg_pingpong(void) { msg_run(msg_echo, 64, 1); }
static void msg_stream(void) { msg_run(msg_sink, 1024, 0); }

/* POSIX message queues: "/ripc-bench-a" to the child, "-b" back */

static mqd_t mqa, mqb;

static void mq_echo(void)
{
	char buf[64];

	for (long i = 0; i < count; i++) {
		if (mq_receive(mqa, buf, sizeof(buf), NULL) != sizeof(buf))
			die("mq_receive");
		if (mq_send(mqb, buf, sizeof(buf), 0))
			die("mq_send");
	}
}

static void mq_sink(void)
{
	char buf[1024];

	for (long i = 0; i < count; i++)
		if (mq_receive(mqa, buf, sizeof(buf), NULL) != sizeof(buf))
			die("mq_receive");
}

static void mq_run(void (*fn)(void), size_t len, int answer)
{
	struct mq_attr attr = { .mq_maxmsg = 10, .mq_msgsize = len };
	char buf[1024] = "";
	pid_t pid;

	mq_unlink("/ripc-bench-a");
	mq_unlink("/ripc-bench-b");
	mqa = mq_open("/ripc-bench-a", O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	mqb = mq_open("/ripc-bench-b", O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	if (mqa < 0 || mqb < 0)
		die("mq_open");
	pid = child(fn);
	for (long i = 0; i < count; i++) {
		if (mq_send(mqa, buf, len, 0))
			die("mq_send");
		if (answer && mq_receive(mqb, buf, len, NULL) != (ssize_t)len)
			die("mq_receive");
	}
	reap(pid);
	if (mq_unlink("/ripc-bench-a") || mq_unlink("/ripc-bench-b"))
		die("mq_unlink");
	mq_close(mqa);
	mq_close(mqb);
}

static void mq_pingpong(void) { mq_run(mq_echo, 64, 1); }
static void mq_stream(void) { mq_run(mq_sink, 1024, 0); }

/* Semaphores: 0 is the child's turn, 1 the parent's */

static int semid;

static void semop1(unsigned short num, short op)
{
	struct sembuf sb = { .sem_num = num, .sem_op = op };

	if (semop(semid, &sb, 1))
		die("semop");
}

static void sem_child(void)
{
	for (long i = 0; i < count; i++) {
		semop1(0, -1);
		semop1(1, 1);
	}
}

static void sem_pingpong(void)
{
	pid_t pid;

	semid = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (semid < 0)
		die("semget");
	pid = child(sem_child);
	for (long i = 0; i < count; i++) {
		semop1(0, 1);
		semop1(1, -1);
	}
	reap(pid);
	if (semctl(semid, 0, IPC_RMID))
		die("semctl");
}

static void sem_uncontended(void)
{
	semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (semid < 0 || semctl(semid, 0, SETVAL, 1))
		die("semget");
	for (long i = 0; i < count; i++) {
		semop1(0, -1);
		semop1(0, 1);
	}
	if (semctl(semid, 0, IPC_RMID))
		die("semctl");
}

/* eventfd ping-pong: efa to the child, efb back */

static int efa, efb;

static void eventfd_child(void)
{
	eventfd_t v;

	for (long i = 0; i < count; i++) {
		if (eventfd_read(efa, &v) || eventfd_write(efb, 1))
			die("eventfd");
	}
}

static void eventfd_pingpong(void)
{
	eventfd_t v;
	pid_t pid;

	efa = eventfd(0, 0);
	efb = eventfd(0, 0);
	if (efa < 0 || efb < 0)
		die("eventfd");
	pid = child(eventfd_child);
	for (long i = 0; i < count; i++) {
		if (eventfd_write(efa, 1) || eventfd_read(efb, &v))
			die("eventfd");
	}
	reap(pid);
}

/*
 * epoll wake-up: the child wakes the parent, which sleeps in epoll_wait
 * on wake_rd, and waits on ack_rd for the parent's answer. With pipes the
 * descriptors are the ends of two pipes; with eventfds both ends of a
 * pair are the same counter.
 */

static int wake_rd, wake_wr, ack_rd, ack_wr;

static void epoll_child(void)
{
	uint64_t v = 1;

	for (long i = 0; i < count; i++) {
		xwrite(wake_wr, &v, sizeof(v));
		xread(ack_rd, &v, sizeof(v));
	}
}

static void epoll_run(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	uint64_t v = 1;
	int ep = epoll_create1(0);
	pid_t pid;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, wake_rd, &ev))
		die("epoll");
	pid = child(epoll_child);
	for (long i = 0; i < count; i++) {
		if (epoll_wait(ep, &got, 1, -1) != 1)
			die("epoll_wait");
		xread(wake_rd, &v, sizeof(v));
		xwrite(ack_wr, &v, sizeof(v));
	}
	reap(pid);
	close(ep);
}

static void epoll_pipe(void)
{
	int a[2], b[2];

	if (pipe(a) || pipe(b))
		die("pipe");
	wake_rd = a[0], wake_wr = a[1], ack_rd = b[0], ack_wr = b[1];
	epoll_run();
}

static void epoll_eventfd(void)
{
	wake_rd = wake_wr = eventfd(0, 0);
	ack_rd = ack_wr = eventfd(0, 0);
	if (wake_rd < 0 || ack_rd < 0)
		die("eventfd");
	epoll_run();
}

/*
 * Shared memory: COUNT times, create a 64 MiB segment, attach it, touch
 * every page, detach and remove it (the pages are freed each time).
 */
#define SHM_BYTES (64UL << 20)

static void shm_64m(void)
{
	for (long i = 0; i < count; i++) {
		int id = shmget(IPC_PRIVATE, SHM_BYTES, IPC_CREAT | 0600);
		char *p;

		if (id < 0)
			die("shmget");
		p = shmat(id, NULL, 0);
		if (p == (void *)-1)
			die("shmat");
		for (unsigned long off = 0; off < SHM_BYTES; off += 4096)
			p[off] = (char)off;
		if (shmdt(p) || shmctl(id, IPC_RMID, NULL))
			die("shmdt/shmctl");
	}
}

/*
 * The entry cost: what a call pays before it reaches its own code. A
 * command number no ioctl switch knows, so that every layer is passed and
 * the last one answers ENOTTY.
 */
#define NO_SUCH_IOCTL _IO(0xb7, 0xff)

static void null_syscall(void)
{
	for (long i = 0; i < count; i++)
		syscall(SYS_getppid);
}

static void ioctl_loop(int fd)
{
	for (long i = 0; i < count; i++)
		if (ioctl(fd, NO_SUCH_IOCTL, 0) != -1 || errno != ENOTTY)
			die("ioctl did not fail with ENOTTY");
}

static void ioctl_path(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		die(path);
	ioctl_loop(fd);
	close(fd);
}

static void ioctl_devnull(void) { ioctl_path("/dev/null"); }
static void ioctl_ripc(void) { ioctl_path("/dev/ripc"); }

static void ioctl_mq(void)
{
	struct mq_attr attr = { .mq_maxmsg = 10, .mq_msgsize = 64 };
	mqd_t mq;

	mq_unlink("/ripc-bench-ioctl");
	mq = mq_open("/ripc-bench-ioctl", O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	if (mq < 0)
		die("mq_open");
	ioctl_loop(mq);
	mq_close(mq);
	if (mq_unlink("/ripc-bench-ioctl"))
		die("mq_unlink");
}

static const struct {
	const char *name;
	void (*fn)(void);
} workloads[] = {
	{ "pipe-4k", pipe_4k },
	{ "pipe-64k", pipe_64k },
	{ "msg-pingpong", msg_pingpong },
	{ "msg-stream", msg_stream },
	{ "mq-pingpong", mq_pingpong },
	{ "mq-stream", mq_stream },
	{ "sem-pingpong", sem_pingpong },
	{ "sem-uncontended", sem_uncontended },
	{ "eventfd-pingpong", eventfd_pingpong },
	{ "epoll-pipe", epoll_pipe },
	{ "epoll-eventfd", epoll_eventfd },
	{ "shm-64m", shm_64m },
	{ "null-syscall", null_syscall },
	{ "ioctl-devnull", ioctl_devnull },
	{ "ioctl-ripc", ioctl_ripc },
	{ "ioctl-mq", ioctl_mq },
};

int main(int argc, char **argv)
{
	uint64_t start, ns;

	if (argc != 3 || (count = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: ripc_bench WORKLOAD COUNT\nworkloads:");
		for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
			fprintf(stderr, " %s", workloads[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++) {
		if (strcmp(argv[1], workloads[i].name))
			continue;
		start = now_ns();
		workloads[i].fn();
		ns = now_ns() - start;
		printf("result %s ns_per_op=%llu ops=%ld\n", argv[1],
		       (unsigned long long)(ns / count), count);
		return 0;
	}
	fprintf(stderr, "ripc_bench: no workload %s\n", argv[1]);
	return 2;
}
