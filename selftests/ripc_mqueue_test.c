// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX message queues: the semantics of mq_open(3) and friends, against
 * ripc's queues named in ripcfs's mq/ directory.
 *
 * The "open_" and "attr_" cases follow the spirit of the kernel's
 * tools/testing/selftests/mqueue/mq_open_tests.c (which attributes are
 * accepted, defaults, limits for root and for a user), written for ripc.
 * The others cover priorities, blocking, timeouts, getattr/setattr,
 * notification, poll, the QSIZE line, unlink and permissions.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define MNT "/tmp/ripc-mq-mnt"
#define USER RIPCUSER

/* The argument that makes this program the helper of notify_not_after_exec. */
#define EXEC_HELPER "--exec-helper"

/*
 * The helper: it runs the new program with the queue's descriptor still
 * open, says so on `ready`, and exits 0 once `done` is closed. A signal
 * with the default action (the notification's) would kill it instead.
 */
static void exec_helper(int ready, int done)
{
	sigset_t none;
	char c;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	while (read(done, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/*
 * Re-executed with EXEC_HELPER, the program is that helper, run before
 * the harness and before the ripcfs is mounted (constructor priority 101).
 */
__attribute__((constructor(101))) static void maybe_exec_helper(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], EXEC_HELPER))
		exec_helper(atoi(argv[2]), atoi(argv[3]));
}

/* One ripcfs for the whole program, found by libripc through RIPCFS_MOUNT. */
__attribute__((constructor)) static void mount_ripcfs(void)
{
	mount_ripcfs_for_libripc(MNT);
}

/* A fresh queue name per test. */
static mqd_t create(const char *name, int oflag, long maxmsg, long msgsize)
{
	struct mq_attr attr = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	ripc_mq_unlink(name);
	return ripc_mq_open(name, oflag | O_CREAT | O_EXCL, 0600, maxmsg ? &attr : NULL);
}

/* mq_open_tests.c, rewritten: names, flags, attributes, limits */

TEST(open_names_and_flags)
{
	char name[300] = "/";
	struct stat st;
	mqd_t q;

	EXPECT_EQ(-1, ripc_mq_open("no-slash", O_RDWR));
	EXPECT_EQ(EINVAL, errno);
	ripc_mq_unlink("/t_open");
	EXPECT_EQ(-1, ripc_mq_open("/t_open", O_RDWR));
	EXPECT_EQ(ENOENT, errno);
	q = ripc_mq_open("/t_open", O_RDWR | O_CREAT, 0600, NULL);
	ASSERT_GE(q, 0) TH_LOG("ripc_mq_open: %s", strerror(errno));
	EXPECT_EQ(FD_CLOEXEC, fcntl(q, F_GETFD));
	EXPECT_EQ(-1, ripc_mq_open("/t_open", O_RDWR | O_CREAT | O_EXCL, 0600, NULL));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, ripc_mq_open("/t_open", O_RDWR | O_WRONLY));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_mq_open("/t/open", O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, ripc_mq_open("/", O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, ripc_mq_open("/..", O_RDONLY));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, ripc_mq_unlink("/a/b"));
	EXPECT_EQ(EACCES, errno);
	memset(name + 1, 'n', 256);
	EXPECT_EQ(-1, ripc_mq_open(name, O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(ENAMETOOLONG, errno);
	/* The name is a file of ripcfs's mq/, with the mode given. */
	ASSERT_EQ(0, stat(MNT "/mq/t_open", &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0, ripc_mq_close(q));
	EXPECT_EQ(0, ripc_mq_unlink("/t_open"));
	EXPECT_EQ(-1, ripc_mq_unlink("/t_open"));
	EXPECT_EQ(ENOENT, errno);
}

TEST(attr_defaults_and_given)
{
	struct mq_attr attr;
	mqd_t q = create("/t_attr", O_RDWR, 0, 0);

	ASSERT_GE(q, 0);
	ASSERT_EQ(0, ripc_mq_getattr(q, &attr));
	EXPECT_EQ(10, attr.mq_maxmsg);
	EXPECT_EQ(8192, attr.mq_msgsize);
	EXPECT_EQ(0, attr.mq_curmsgs);
	EXPECT_EQ(0, attr.mq_flags);
	close(q);

	q = create("/t_attr", O_RDWR | O_NONBLOCK, 3, 64);
	ASSERT_GE(q, 0);
	ASSERT_EQ(0, ripc_mq_getattr(q, &attr));
	EXPECT_EQ(3, attr.mq_maxmsg);
	EXPECT_EQ(64, attr.mq_msgsize);
	EXPECT_EQ(O_NONBLOCK, attr.mq_flags);
	close(q);

	/* Opening an existing queue ignores the attributes. */
	attr.mq_maxmsg = 7;
	attr.mq_msgsize = 7;
	q = ripc_mq_open("/t_attr", O_RDWR | O_CREAT, 0600, &attr);
	ASSERT_GE(q, 0);
	ASSERT_EQ(0, ripc_mq_getattr(q, &attr));
	EXPECT_EQ(3, attr.mq_maxmsg);
	close(q);
	ripc_mq_unlink("/t_attr");
}

TEST(attr_invalid)
{
	static const long bad[][2] = {
		{ 0, 64 }, { -1, 64 }, { 10, 0 }, { 10, -5 },
		{ 65537, 64 }, { 10, 16 * 1024 * 1024 + 1 },
	};
	struct mq_attr attr = { 0 };
	unsigned int i;
	mqd_t q;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		attr.mq_maxmsg = bad[i][0];
		attr.mq_msgsize = bad[i][1];
		ripc_mq_unlink("/t_bad");
		EXPECT_EQ(-1, ripc_mq_open("/t_bad", O_RDWR | O_CREAT, 0600, &attr));
		EXPECT_EQ(EINVAL, errno) TH_LOG("maxmsg %ld msgsize %ld", bad[i][0], bad[i][1]);
		/* A failed creation leaves no name behind. */
		EXPECT_EQ(-1, ripc_mq_open("/t_bad", O_RDWR));
		EXPECT_EQ(ENOENT, errno);
	}
	/* Root may go up to the hard limits (and raise RLIMIT_MSGQUEUE,
	 * which such a queue exceeds: EMFILE otherwise, as in Linux). */
	ASSERT_EQ(0, setrlimit(RLIMIT_MSGQUEUE, &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY }));
	attr.mq_maxmsg = 65536;
	attr.mq_msgsize = 16;
	q = ripc_mq_open("/t_bad", O_RDWR | O_CREAT, 0600, &attr);
	EXPECT_GE(q, 0);
	close(q);
	ripc_mq_unlink("/t_bad");
}

static int user_create(const void *maxmsg)
{
	struct mq_attr attr = { .mq_maxmsg = atol(maxmsg), .mq_msgsize = 128 };
	mqd_t q;

	ripc_mq_unlink("/t_user");
	q = ripc_mq_open("/t_user", O_RDWR | O_CREAT, 0600, &attr);
	if (q < 0)
		return errno;
	close(q);
	ripc_mq_unlink("/t_user");
	return 0;
}

TEST(attr_user_limits)
{
	/* Without CAP_SYS_RESOURCE: mq_msg_max (10) and mq_msgsize_max. */
	EXPECT_EQ(0, as_user(USER, user_create, "10"));
	EXPECT_EQ(EINVAL, as_user(USER, user_create, "11"));
}

/* Sending and receiving */

TEST(priority_order_and_sizes)
{
	static const unsigned int prios[] = { 1, 5, 1, 0, 5, 32767 };
	static const char *const order[] = { "m5", "m1", "m4", "m0", "m2", "m3" };
	char buf[64];
	unsigned int prio, i;
	mqd_t q = create("/t_prio", O_RDWR, 8, 32);

	ASSERT_GE(q, 0);
	for (i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "m%u", i);
		ASSERT_EQ(0, ripc_mq_send(q, buf, strlen(buf) + 1, prios[i]));
	}
	EXPECT_EQ(-1, ripc_mq_send(q, "x", 1, 32768));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_mq_send(q, buf, 33, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, ripc_mq_receive(q, buf, 31, &prio));
	EXPECT_EQ(EMSGSIZE, errno);
	/* Highest priority first, FIFO within one priority. */
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(3, ripc_mq_receive(q, buf, sizeof(buf), &prio));
		EXPECT_STREQ(order[i], buf);
	}
	EXPECT_EQ(0, prio);
	/* The priority pointer may be NULL. */
	ASSERT_EQ(0, ripc_mq_send(q, "", 0, 3));
	EXPECT_EQ(0, ripc_mq_receive(q, buf, sizeof(buf), NULL));
	close(q);
	ripc_mq_unlink("/t_prio");
}

/*
 * A queue at Linux's hard limit, HARD_MSGMAX (65536) messages, filled with
 * priorities that rise, fall and repeat, comes out highest priority first
 * and FIFO within each, as Linux's rbtree of priority buckets gives them.
 * Root has CAP_SYS_RESOURCE (the hard limit applies); RLIMIT_MSGQUEUE is
 * raised for the queue's 7.5 MiB.
 */
#define BIG_MAXMSG 65536

static unsigned int big_prio(unsigned int i)
{
	/* A few hot priorities and a wide spread, 0..32767. */
	return i % 3 ? (i * 2654435761u >> 11) % 32768 : i % 7;
}

/* 131072 calls take a while under emulation: a fixture for the time limit. */
FIXTURE(big) {};
FIXTURE_SETUP(big) {}
FIXTURE_TEARDOWN(big)
{
	ripc_mq_unlink("/t_big");
}

TEST_F_TIMEOUT(big, hard_msgmax_priority_then_fifo, 600)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	unsigned int i, prio, last_prio = 32768, last_seq = 0, msg[2];
	struct mq_attr attr;
	mqd_t q;

	ASSERT_EQ(0, setrlimit(RLIMIT_MSGQUEUE, &unlimited));
	q = create("/t_big", O_RDWR | O_NONBLOCK, BIG_MAXMSG, sizeof(msg));
	ASSERT_GE(q, 0) TH_LOG("ripc_mq_open: %s", strerror(errno));
	EXPECT_EQ(-1, create("/t_big2", O_RDWR, BIG_MAXMSG + 1, sizeof(msg)));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < BIG_MAXMSG; i++) {
		msg[0] = i;
		msg[1] = big_prio(i);
		ASSERT_EQ(0, ripc_mq_send(q, (char *)msg, sizeof(msg), msg[1])) TH_LOG("%u", i);
	}
	EXPECT_EQ(-1, ripc_mq_send(q, (char *)msg, sizeof(msg), 0));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ripc_mq_getattr(q, &attr));
	EXPECT_EQ(BIG_MAXMSG, attr.mq_curmsgs);
	for (i = 0; i < BIG_MAXMSG; i++) {
		ASSERT_EQ(sizeof(msg), ripc_mq_receive(q, (char *)msg, sizeof(msg), &prio));
		ASSERT_EQ(big_prio(msg[0]), prio);
		ASSERT_EQ(msg[1], prio);
		/* Priorities never rise; within one, the order of sending. */
		ASSERT_TRUE(prio < last_prio || (prio == last_prio && msg[0] > last_seq))
			TH_LOG("message %u: prio %u seq %u after prio %u seq %u",
			       i, prio, msg[0], last_prio, last_seq);
		last_prio = prio;
		last_seq = msg[0];
	}
	EXPECT_EQ(-1, ripc_mq_receive(q, (char *)msg, sizeof(msg), NULL));
	EXPECT_EQ(EAGAIN, errno);
	close(q);
	ripc_mq_unlink("/t_big");
}

TEST(nonblocking_and_setattr)
{
	struct mq_attr attr = { 0 }, old;
	char buf[16];
	mqd_t q = create("/t_nb", O_RDWR | O_NONBLOCK, 2, 16);

	ASSERT_GE(q, 0);
	EXPECT_EQ(-1, ripc_mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ripc_mq_send(q, "a", 1, 0));
	ASSERT_EQ(0, ripc_mq_send(q, "b", 1, 0));
	EXPECT_EQ(-1, ripc_mq_send(q, "c", 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ripc_mq_getattr(q, &attr));
	EXPECT_EQ(2, attr.mq_curmsgs);
	/* Only O_NONBLOCK can be set; the old attributes come back. */
	attr.mq_flags = 0;
	attr.mq_maxmsg = 100;
	ASSERT_EQ(0, ripc_mq_setattr(q, &attr, &old));
	EXPECT_EQ(O_NONBLOCK, old.mq_flags);
	EXPECT_EQ(2, old.mq_maxmsg);
	ASSERT_EQ(0, ripc_mq_getattr(q, &attr));
	EXPECT_EQ(0, attr.mq_flags);
	EXPECT_EQ(2, attr.mq_maxmsg);
	EXPECT_EQ(0, fcntl(q, F_GETFL) & O_NONBLOCK);
	attr.mq_flags = O_NONBLOCK | O_APPEND;
	EXPECT_EQ(-1, ripc_mq_setattr(q, &attr, NULL));
	EXPECT_EQ(EINVAL, errno);
	attr.mq_flags = O_NONBLOCK;
	ASSERT_EQ(0, ripc_mq_setattr(q, &attr, NULL));
	EXPECT_EQ(-1, ripc_mq_send(q, "c", 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	close(q);
	ripc_mq_unlink("/t_nb");
}

TEST(blocking_send_and_receive)
{
	char buf[16];
	pid_t pid;
	mqd_t q = create("/t_block", O_RDWR, 1, 16);

	ASSERT_GE(q, 0);
	/* A receiver on an empty queue waits for a sender. */
	pid = fork();
	if (pid == 0)
		_exit(ripc_mq_receive(q, buf, sizeof(buf), NULL) == 2 ? 0 : 1);
	EXPECT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, ripc_mq_send(q, "x", 2, 0));
	EXPECT_EQ(0, wait_exit(pid));
	/* A sender on a full queue waits for a receiver. */
	ASSERT_EQ(0, ripc_mq_send(q, "1", 2, 0));
	pid = fork();
	if (pid == 0)
		_exit(ripc_mq_send(q, "2", 2, 0) ? errno : 0);
	EXPECT_TRUE(still_blocked(pid));
	EXPECT_EQ(2, ripc_mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_STREQ("1", buf);
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(2, ripc_mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_STREQ("2", buf);
	close(q);
	ripc_mq_unlink("/t_block");
}

/* A child that receives one message and exits with its first byte. */
static pid_t receiver(mqd_t q, int niceness)
{
	char buf[16];
	pid_t pid = fork();

	if (pid == 0) {
		if (niceness && nice(niceness) == -1 && errno)
			_exit(1);
		_exit(ripc_mq_receive(q, buf, sizeof(buf), NULL) > 0 ? buf[0] : 2);
	}
	return pid;
}

TEST(one_receiver_woken_in_arrival_order)
{
	pid_t first, second;
	mqd_t q = create("/t_rorder", O_RDWR, 4, 16);

	ASSERT_GE(q, 0);
	first = receiver(q, 0);
	ASSERT_TRUE(still_blocked(first));
	second = receiver(q, 0);
	ASSERT_TRUE(still_blocked(second));
	/* Each message goes to one receiver, the longest waiting first. */
	ASSERT_EQ(0, ripc_mq_send(q, "a", 2, 0));
	EXPECT_EQ('a', wait_exit(first));
	EXPECT_TRUE(still_blocked(second));
	ASSERT_EQ(0, ripc_mq_send(q, "b", 2, 0));
	EXPECT_EQ('b', wait_exit(second));
	close(q);
	ripc_mq_unlink("/t_rorder");
}

TEST(receiver_of_higher_task_priority_first)
{
	pid_t low, high;
	mqd_t q = create("/t_rprio", O_RDWR, 4, 16);

	ASSERT_GE(q, 0);
	/* wq_add(): by task priority, then arrival. */
	low = receiver(q, 10);
	ASSERT_TRUE(still_blocked(low));
	high = receiver(q, 0);
	ASSERT_TRUE(still_blocked(high));
	ASSERT_EQ(0, ripc_mq_send(q, "h", 2, 0));
	EXPECT_EQ('h', wait_exit(high));
	EXPECT_TRUE(still_blocked(low));
	ASSERT_EQ(0, ripc_mq_send(q, "l", 2, 0));
	EXPECT_EQ('l', wait_exit(low));
	close(q);
	ripc_mq_unlink("/t_rprio");
}

/*
 * Blocked senders are served as wq_add() queues them: by task priority
 * (a niced one last), then in arrival order; each receive that makes
 * room moves the next one's message in. On Linux's queue and on ripc's,
 * the messages come out as 0, then 2 and 3 (nice 0, in arrival order),
 * then 1 (nice 10).
 */
static pid_t sender_of(int native, mqd_t q, char c, int niceness)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (niceness && nice(niceness) == -1 && errno)
			_exit(1);
		_exit((native ? mq_send(q, &c, 1, 0) : ripc_mq_send(q, &c, 1, 0)) ? errno : 0);
	}
	return pid;
}

TEST(blocked_senders_by_task_priority_then_arrival_as_linux)
{
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 1 };
	char got[5] = "";
	pid_t pids[3];
	int native, i;

	for (native = 0; native < 2; native++) {
		mqd_t q = native ? mq_open("/t_sorder", O_CREAT | O_RDWR, 0600, &attr)
				 : create("/t_sorder", O_RDWR, 1, 1);

		ASSERT_GE(q, 0);
		ASSERT_EQ(0, native ? mq_send(q, "0", 1, 0) : ripc_mq_send(q, "0", 1, 0));
		for (i = 0; i < 3; i++) {
			pids[i] = sender_of(native, q, '1' + i, i ? 0 : 10);
			ASSERT_TRUE(still_blocked(pids[i]));
		}
		for (i = 0; i < 4; i++)
			ASSERT_EQ(1, native ? mq_receive(q, got + i, 1, NULL)
					    : ripc_mq_receive(q, got + i, 1, NULL));
		EXPECT_STREQ("0231", got) TH_LOG("native %d", native);
		for (i = 0; i < 3; i++)
			EXPECT_EQ(0, wait_exit(pids[i]));
		close(q);
		if (native)
			mq_unlink("/t_sorder");
		else
			ripc_mq_unlink("/t_sorder");
	}
}

TEST(receive_queues_a_blocked_senders_message)
{
	struct mq_attr attr;
	char buf[16];
	unsigned int prio;
	pid_t pid;
	mqd_t q = create("/t_pipe", O_RDWR, 1, 16);

	ASSERT_GE(q, 0);
	ASSERT_EQ(0, ripc_mq_send(q, "1", 2, 1));
	pid = fork();
	if (pid == 0)
		_exit(ripc_mq_send(q, "2", 2, 7) ? errno : 0);
	ASSERT_TRUE(still_blocked(pid));
	/*
	 * pipelined_receive(): the receive that makes room moves the waiting
	 * sender's message into the queue before it returns.
	 */
	EXPECT_EQ(2, ripc_mq_receive(q, buf, sizeof(buf), &prio));
	EXPECT_STREQ("1", buf);
	ASSERT_EQ(0, ripc_mq_getattr(q, &attr));
	EXPECT_EQ(1, attr.mq_curmsgs);
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(2, ripc_mq_receive(q, buf, sizeof(buf), &prio));
	EXPECT_STREQ("2", buf);
	EXPECT_EQ(7, prio);
	close(q);
	ripc_mq_unlink("/t_pipe");
}

TEST(timeouts)
{
	struct timespec past = { 1, 0 }, soon = in_ms(200), bad = { 0, 1000000000L };
	char buf[16];
	mqd_t q = create("/t_time", O_RDWR, 1, 16);

	ASSERT_GE(q, 0);
	EXPECT_EQ(-1, ripc_mq_timedreceive(q, buf, sizeof(buf), NULL, &past));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(-1, ripc_mq_timedreceive(q, buf, sizeof(buf), NULL, &soon));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(-1, ripc_mq_timedreceive(q, buf, sizeof(buf), NULL, &bad));
	EXPECT_EQ(EINVAL, errno);
	/* A timeout does not matter when the call need not wait... */
	ASSERT_EQ(0, ripc_mq_timedsend(q, "a", 1, 0, &past));
	/* ... and is validated even then, as Linux does. */
	EXPECT_EQ(-1, ripc_mq_timedsend(q, "a", 1, 0, &bad));
	EXPECT_EQ(EINVAL, errno);
	soon = in_ms(200);
	EXPECT_EQ(-1, ripc_mq_timedsend(q, "b", 1, 0, &soon));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(1, ripc_mq_timedreceive(q, buf, sizeof(buf), NULL, &past));
	close(q);
	ripc_mq_unlink("/t_time");
}

/*
 * wq_sleep() sleeps until the absolute CLOCK_REALTIME deadline on an
 * hrtimer: a timeout already past (even 0, the epoch) is ETIMEDOUT without
 * a wait, and a timed wait that a send or a receive serves returns that
 * message, on Linux's queue as on ripc's.
 */
TEST(timed_waits_as_linux)
{
	struct timespec zero = { 0, 0 }, past = { 1, 0 }, later = in_ms(3600 * 1000);
	char buf[16];
	unsigned int prio;
	int native;
	pid_t pid;

	for (native = 0; native < 2; native++) {
		mqd_t q = native ? mq_open("/t_twait", O_CREAT | O_RDWR, 0600,
					   &(struct mq_attr){ .mq_maxmsg = 1, .mq_msgsize = 16 })
				 : create("/t_twait", O_RDWR, 1, 16);
		ssize_t (*receive)(mqd_t, char *, size_t, unsigned int *, const struct timespec *) =
			native ? mq_timedreceive : ripc_mq_timedreceive;
		int (*send)(mqd_t, const char *, size_t, unsigned int, const struct timespec *) =
			native ? mq_timedsend : ripc_mq_timedsend;

		ASSERT_GE(q, 0);
		errno = 0;
		EXPECT_EQ(-1, receive(q, buf, sizeof(buf), NULL, &zero));
		EXPECT_EQ(ETIMEDOUT, errno);
		/* A receiver waiting until much later gets the message sent. */
		pid = fork();
		if (pid == 0)
			_exit(receive(q, buf, sizeof(buf), &prio, &later) == 2 && prio == 3 ?
			      buf[0] : 1);
		ASSERT_TRUE(still_blocked(pid));
		ASSERT_EQ(0, send(q, "r", 2, 3, &past));
		EXPECT_EQ('r', wait_exit(pid));
		/* A sender waiting on a full queue gets its message queued. */
		ASSERT_EQ(0, send(q, "1", 2, 0, &past));
		errno = 0;
		EXPECT_EQ(-1, send(q, "x", 2, 0, &zero));
		EXPECT_EQ(ETIMEDOUT, errno);
		pid = fork();
		if (pid == 0)
			_exit(send(q, "2", 2, 5, &later) ? errno : 0);
		ASSERT_TRUE(still_blocked(pid));
		EXPECT_EQ(2, receive(q, buf, sizeof(buf), NULL, &past));
		EXPECT_STREQ("1", buf);
		EXPECT_EQ(0, wait_exit(pid));
		EXPECT_EQ(2, receive(q, buf, sizeof(buf), &prio, &past));
		EXPECT_STREQ("2", buf);
		EXPECT_EQ(5, prio);
		close(q);
		if (native)
			mq_unlink("/t_twait");
		else
			ripc_mq_unlink("/t_twait");
	}
}

static void on_signal(int sig)
{
}

TEST(signal_gives_eintr)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char buf[16];
	pid_t pid;
	mqd_t q = create("/t_intr", O_RDWR, 1, 16);

	ASSERT_GE(q, 0);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGUSR1, &sa, NULL);
		_exit(ripc_mq_receive(q, buf, sizeof(buf), NULL) < 0 ? errno : 0);
	}
	EXPECT_TRUE(still_blocked(pid));
	kill(pid, SIGUSR1);
	EXPECT_EQ(EINTR, wait_exit(pid));
	close(q);
	ripc_mq_unlink("/t_intr");
}

TEST(access_modes_ebadf)
{
	char buf[16];
	mqd_t q = create("/t_mode", O_RDONLY, 2, 16), w;

	ASSERT_GE(q, 0);
	EXPECT_EQ(-1, ripc_mq_send(q, "a", 1, 0));
	EXPECT_EQ(EBADF, errno);
	w = ripc_mq_open("/t_mode", O_WRONLY);
	ASSERT_GE(w, 0);
	EXPECT_EQ(0, ripc_mq_send(w, "a", 1, 0));
	EXPECT_EQ(-1, ripc_mq_receive(w, buf, sizeof(buf), NULL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, ripc_mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(-1, ripc_mq_send(-1, "a", 1, 0));
	EXPECT_EQ(EBADF, errno);
	/* Descriptors that are not queues. */
	EXPECT_EQ(-1, ripc_mq_send(STDIN_FILENO, "a", 1, 0));
	EXPECT_EQ(EBADF, errno);
	close(w);
	w = ripc_eventfd(0, 0);
	ASSERT_GE(w, 0);
	EXPECT_EQ(-1, ripc_mq_getattr(w, NULL));
	EXPECT_EQ(EBADF, errno);
	close(w);
	close(q);
	ripc_mq_unlink("/t_mode");
}

/*
 * An open(2) of the name with access mode 3 gives a file with neither
 * FMODE_READ nor FMODE_WRITE: Linux's send and receive test those, so
 * both are EBADF.
 */
TEST(access_mode_3_can_neither_send_nor_receive)
{
	char buf[16];
	mqd_t q = create("/t_mode3", O_RDWR, 2, 16);
	int fd;

	ASSERT_GE(q, 0);
	ASSERT_EQ(0, ripc_mq_send(q, "a", 1, 0));
	fd = open(MNT "/mq/t_mode3", O_ACCMODE);
	ASSERT_GE(fd, 0) TH_LOG("open: %s", strerror(errno));
	EXPECT_EQ(-1, ripc_mq_send(fd, "b", 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, ripc_mq_receive(fd, buf, sizeof(buf), NULL));
	EXPECT_EQ(EBADF, errno);
	close(fd);
	close(q);
	ripc_mq_unlink("/t_mode3");
}

/*
 * mq_timedsend(2) reads and checks the timeout, then the priority, then
 * the descriptor; mq_timedreceive(2) the timeout, then the descriptor;
 * mq_getsetattr(2) the new attributes' flags, then the descriptor. The
 * same calls on Linux's own queue functions, with the same bad
 * descriptors, say the same.
 */
/* A ripc call and the same libc call both fail, with the same errno. */
#define EXPECT_SAME_ERRNO(ripc_call, linux_call)					\
	do {										\
		int ripc_errno_, linux_errno_;						\
											\
		errno = 0;								\
		EXPECT_EQ(-1, (long)(ripc_call));					\
		ripc_errno_ = errno;							\
		errno = 0;								\
		EXPECT_EQ(-1, (long)(linux_call));					\
		linux_errno_ = errno;							\
		EXPECT_EQ(linux_errno_, ripc_errno_) TH_LOG("fd %d: %s", fd, #ripc_call); \
	} while (0)

TEST(errno_order_before_the_descriptor)
{
	struct timespec bad_ns = { 0, 1000000000L }, neg = { -1, 0 }, ok = in_ms(10);
	struct mq_attr bad_flags = { .mq_flags = O_NONBLOCK | 1 }, attr;
	void *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int efd = ripc_eventfd(0, 0), bad[] = { -1, STDIN_FILENO, efd }, i, fd;
	char buf[16];

	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_GE(efd, 0);
	for (i = 0; i < 3; i++) {
		fd = bad[i];
		EXPECT_SAME_ERRNO(ripc_mq_timedsend(fd, "a", 1, 32768, &bad_ns),
				  mq_timedsend(fd, "a", 1, 32768, &bad_ns));
		EXPECT_SAME_ERRNO(ripc_mq_timedsend(fd, "a", 1, 0, &neg),
				  mq_timedsend(fd, "a", 1, 0, &neg));
		EXPECT_SAME_ERRNO(ripc_mq_timedsend(fd, "a", 1, 0, unmapped),
				  mq_timedsend(fd, "a", 1, 0, unmapped));
		EXPECT_SAME_ERRNO(ripc_mq_timedsend(fd, "a", 1, 32768, &ok),
				  mq_timedsend(fd, "a", 1, 32768, &ok));
		EXPECT_SAME_ERRNO(ripc_mq_send(fd, "a", 1, 0), mq_send(fd, "a", 1, 0));
		EXPECT_SAME_ERRNO(ripc_mq_timedreceive(fd, buf, 16, NULL, &bad_ns),
				  mq_timedreceive(fd, buf, 16, NULL, &bad_ns));
		EXPECT_SAME_ERRNO(ripc_mq_timedreceive(fd, buf, 16, NULL, unmapped),
				  mq_timedreceive(fd, buf, 16, NULL, unmapped));
		EXPECT_SAME_ERRNO(ripc_mq_receive(fd, buf, 16, NULL),
				  mq_receive(fd, buf, 16, NULL));
		EXPECT_SAME_ERRNO(ripc_mq_setattr(fd, &bad_flags, NULL),
				  mq_setattr(fd, &bad_flags, NULL));
		EXPECT_SAME_ERRNO(ripc_mq_setattr(fd, unmapped, NULL),
				  mq_setattr(fd, unmapped, NULL));
		EXPECT_SAME_ERRNO(ripc_mq_getattr(fd, &attr), mq_getattr(fd, &attr));
	}
	/* The first of each is not EBADF. */
	fd = -1;
	errno = 0;
	ripc_mq_send(fd, "a", 1, 32768);
	EXPECT_EQ(EINVAL, errno);
	munmap(unmapped, 4096);
	close(efd);
}

/*
 * Linux reads the timeout and the new attributes before it looks at the
 * descriptor, which needs none of the process's: with every descriptor
 * in use, a bad one is still EFAULT (or EINVAL), as on Linux.
 */
TEST(errno_order_without_a_free_descriptor)
{
	struct timespec bad_ns = { 0, 1000000000L };
	struct mq_attr bad_flags = { .mq_flags = O_NONBLOCK | 1 };
	void *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct rlimit lim = { 64, 64 };
	int bad[] = { -1, STDIN_FILENO }, i, fd;
	char buf[16];

	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	while (dup(STDIN_FILENO) >= 0)
		;
	ASSERT_EQ(EMFILE, errno);
	for (i = 0; i < 2; i++) {
		fd = bad[i];
		EXPECT_SAME_ERRNO(ripc_mq_timedsend(fd, "a", 1, 0, unmapped),
				  mq_timedsend(fd, "a", 1, 0, unmapped));
		EXPECT_SAME_ERRNO(ripc_mq_timedsend(fd, "a", 1, 0, &bad_ns),
				  mq_timedsend(fd, "a", 1, 0, &bad_ns));
		EXPECT_SAME_ERRNO(ripc_mq_timedreceive(fd, buf, 16, NULL, unmapped),
				  mq_timedreceive(fd, buf, 16, NULL, unmapped));
		EXPECT_SAME_ERRNO(ripc_mq_setattr(fd, unmapped, NULL),
				  mq_setattr(fd, unmapped, NULL));
		EXPECT_SAME_ERRNO(ripc_mq_setattr(fd, &bad_flags, NULL),
				  mq_setattr(fd, &bad_flags, NULL));
	}
	munmap(unmapped, 4096);
}

static int user_open(const void *how)
{
	mqd_t q = ripc_mq_open("/t_perm", strcmp(how, "w") ? O_RDONLY : O_WRONLY);

	if (q < 0)
		return errno;
	close(q);
	return 0;
}

TEST(permission_bits)
{
	mqd_t q = create("/t_perm", O_RDWR, 2, 16);

	ASSERT_GE(q, 0);
	EXPECT_EQ(EACCES, as_user(USER, user_open, "r"));
	ASSERT_EQ(0, chmod(MNT "/mq/t_perm", 0644));
	EXPECT_EQ(0, as_user(USER, user_open, "r"));
	EXPECT_EQ(EACCES, as_user(USER, user_open, "w"));
	close(q);
	ripc_mq_unlink("/t_perm");
}

TEST(unlink_keeps_open_descriptors)
{
	char buf[16];
	mqd_t q = create("/t_unlink", O_RDWR, 2, 16);
	pid_t pid;

	ASSERT_GE(q, 0);
	/* An unrelated process opens it by name. */
	pid = fork();
	if (pid == 0) {
		mqd_t other = ripc_mq_open("/t_unlink", O_WRONLY);

		_exit(other >= 0 && ripc_mq_send(other, "hi", 3, 1) == 0 ? 0 : 1);
	}
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, ripc_mq_unlink("/t_unlink"));
	EXPECT_EQ(-1, ripc_mq_open("/t_unlink", O_RDWR));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(3, ripc_mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_STREQ("hi", buf);
	EXPECT_EQ(0, ripc_mq_send(q, "x", 1, 0));
	close(q);
}

/* Status line, poll, notification */

static void read_status(mqd_t q, char *line, size_t size)
{
	ssize_t n = pread(q, line, size - 1, 0);

	line[n > 0 ? n : 0] = 0;
}

TEST(status_line)
{
	char line[128], want[128];
	mqd_t q = create("/t_status", O_RDWR, 4, 64);
	FILE *f;

	ASSERT_GE(q, 0);
	ASSERT_EQ(0, ripc_mq_send(q, "12345", 5, 0));
	ASSERT_EQ(0, ripc_mq_send(q, "123", 3, 0));
	read_status(q, line, sizeof(line));
	snprintf(want, sizeof(want), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
		 8UL, 0, 0, 0);
	EXPECT_STREQ(want, line);
	/* A reader of the file sees the same line once, then end of file. */
	f = fopen(MNT "/mq/t_status", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_STREQ(want, line);
	EXPECT_EQ(NULL, fgets(line, sizeof(line), f));
	fclose(f);
	close(q);
	ripc_mq_unlink("/t_status");
}

/*
 * The status line can be read again from the start (default_llseek), and
 * a read of it sets the access and change times (mqueue_read_file()); a
 * send or a receive sets all three (simple_inode_init_ts()).
 */
TEST(status_line_rereads_and_times)
{
	struct timespec past[2] = { { 1, 0 }, { 1, 0 } };
	char first[128], again[128], buf[16];
	struct stat before, after;
	mqd_t q = create("/t_status2", O_RDWR, 4, 16);
	ssize_t n;

	ASSERT_GE(q, 0);
	ASSERT_EQ(0, ripc_mq_send(q, "abc", 3, 0));
	n = read(q, first, sizeof(first) - 1);
	ASSERT_GT(n, 0);
	first[n] = 0;
	EXPECT_EQ(0, read(q, again, sizeof(again)));
	EXPECT_EQ(0, lseek(q, 0, SEEK_SET));
	n = read(q, again, sizeof(again) - 1);
	ASSERT_GT(n, 0);
	again[n] = 0;
	EXPECT_STREQ(first, again);
	EXPECT_EQ(6, lseek(q, 6, SEEK_SET));
	n = read(q, again, sizeof(again) - 1);
	ASSERT_GT(n, 0);
	again[n] = 0;
	EXPECT_STREQ(first + 6, again);

	ASSERT_EQ(0, futimens(q, past));
	ASSERT_EQ(0, fstat(q, &before));
	EXPECT_EQ(1, before.st_atim.tv_sec);
	sleep_ms(20);
	ASSERT_GT(pread(q, again, sizeof(again), 0), 0);
	ASSERT_EQ(0, fstat(q, &after));
	EXPECT_LT(1, after.st_atim.tv_sec);
	EXPECT_EQ(1, after.st_mtim.tv_sec);
	EXPECT_TRUE(after.st_ctim.tv_sec > before.st_ctim.tv_sec ||
		    (after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
		     after.st_ctim.tv_nsec > before.st_ctim.tv_nsec));

	ASSERT_EQ(0, futimens(q, past));
	EXPECT_EQ(3, ripc_mq_receive(q, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, fstat(q, &after));
	EXPECT_LT(1, after.st_atim.tv_sec);
	EXPECT_LT(1, after.st_mtim.tv_sec);
	ASSERT_EQ(0, futimens(q, past));
	ASSERT_EQ(0, ripc_mq_send(q, "abc", 3, 0));
	ASSERT_EQ(0, fstat(q, &after));
	EXPECT_LT(1, after.st_mtim.tv_sec);
	close(q);
	ripc_mq_unlink("/t_status2");
}

TEST(poll_in_and_out)
{
	struct pollfd pfd = { .events = POLLIN | POLLOUT };
	char buf[16];
	mqd_t q = create("/t_poll", O_RDWR, 1, 16);

	ASSERT_GE(q, 0);
	pfd.fd = q;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	ASSERT_EQ(0, ripc_mq_send(q, "a", 1, 0));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	/* A sleeping poller wakes when a message arrives. */
	EXPECT_EQ(1, ripc_mq_receive(q, buf, sizeof(buf), NULL));
	if (fork() == 0) {
		sleep_ms(200);
		_exit(ripc_mq_send(q, "b", 1, 0) ? 1 : 0);
	}
	pfd.events = POLLIN;
	EXPECT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_EQ(POLLIN, pfd.revents);
	wait(NULL);
	close(q);
	ripc_mq_unlink("/t_poll");
}

static volatile sig_atomic_t got_signal;

static void on_usr2(int sig)
{
	got_signal = sig;
}

static int wait_for_signal(void)
{
	int i;

	for (i = 0; i < 1000 && !got_signal; i++)
		sleep_ms(10);
	return got_signal;
}

/*
 * Registers another process (SIGEV_NONE); returns 0 or its errno. Its exit
 * closes its descriptor, which drops the registration again.
 */
static int other_notify_on(int native, const char *name)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		mqd_t q = native ? mq_open(name, O_RDWR) : ripc_mq_open(name, O_RDWR);

		if (q < 0)
			_exit(100);
		_exit((native ? mq_notify(q, &sev) : ripc_mq_notify(q, &sev)) ? errno : 0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 300;
}

static int other_notify(const char *name)
{
	return other_notify_on(0, name);
}

TEST(notify_by_signal)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	struct sigaction sa = { .sa_handler = on_usr2 };
	char line[128], want[128], buf[16];
	mqd_t q = create("/t_notify", O_RDWR, 4, 16);

	ASSERT_GE(q, 0);
	sigaction(SIGUSR2, &sa, NULL);
	ASSERT_EQ(0, ripc_mq_notify(q, &sev));
	/* One process at a time. */
	EXPECT_EQ(EBUSY, other_notify("/t_notify"));
	EXPECT_EQ(-1, ripc_mq_notify(q, &sev));
	EXPECT_EQ(EBUSY, errno);
	read_status(q, line, sizeof(line));
	snprintf(want, sizeof(want), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
		 0UL, SIGEV_SIGNAL, SIGUSR2, getpid());
	EXPECT_STREQ(want, line);

	/* Empty to non-empty fires it, once; then it is unregistered. */
	ASSERT_EQ(0, ripc_mq_send(q, "a", 1, 0));
	EXPECT_EQ(SIGUSR2, wait_for_signal());
	read_status(q, line, sizeof(line));
	EXPECT_NE(NULL, strstr(line, "NOTIFY_PID:0 "));
	EXPECT_EQ(0, other_notify("/t_notify"));

	/* Not fired while the queue is not empty. */
	got_signal = 0;
	EXPECT_EQ(1, ripc_mq_receive(q, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, ripc_mq_notify(q, &sev));
	ASSERT_EQ(0, ripc_mq_send(q, "b", 1, 0));
	EXPECT_EQ(SIGUSR2, wait_for_signal());
	got_signal = 0;
	ASSERT_EQ(0, ripc_mq_notify(q, &sev));
	ASSERT_EQ(0, ripc_mq_send(q, "c", 1, 0));
	sleep_ms(200);
	EXPECT_EQ(0, got_signal);
	/* Unregistering (NULL) by the owner. */
	ASSERT_EQ(0, ripc_mq_notify(q, NULL));
	EXPECT_EQ(0, other_notify("/t_notify"));

	sev.sigev_signo = 65;
	EXPECT_EQ(-1, ripc_mq_notify(q, &sev));
	EXPECT_EQ(EINVAL, errno);
	sev.sigev_signo = -1;
	EXPECT_EQ(-1, ripc_mq_notify(q, &sev));
	EXPECT_EQ(EINVAL, errno);
	/* Signal 0 is accepted, as Linux does; firing then sends nothing. */
	got_signal = 0;
	sev.sigev_signo = 0;
	ASSERT_EQ(0, ripc_mq_notify(q, &sev));
	EXPECT_EQ(1, ripc_mq_receive(q, buf, sizeof(buf), NULL));	/* "b" */
	EXPECT_EQ(1, ripc_mq_receive(q, buf, sizeof(buf), NULL));	/* "c" */
	ASSERT_EQ(0, ripc_mq_send(q, "d", 1, 0));
	sleep_ms(200);
	EXPECT_EQ(0, got_signal);
	/* It fired all the same: the registration is gone. */
	EXPECT_EQ(0, other_notify("/t_notify"));
	sev.sigev_notify = 42;
	EXPECT_EQ(-1, ripc_mq_notify(q, &sev));
	EXPECT_EQ(EINVAL, errno);
	close(q);
	ripc_mq_unlink("/t_notify");
}

/*
 * NOTIFY_PID is the registered process as the reader sees it (pid_vnr()):
 * from a pid namespace it is not in, 0.
 */
TEST(notify_pid_in_readers_namespace)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	char line[128], want[128];
	mqd_t q = create("/t_notify_ns", O_RDWR, 4, 16);
	pid_t pid;

	ASSERT_GE(q, 0);
	ASSERT_EQ(0, ripc_mq_notify(q, &sev));
	read_status(q, line, sizeof(line));
	snprintf(want, sizeof(want), "NOTIFY_PID:%-6d", getpid());
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
	pid = fork();
	if (pid == 0) {
		pid_t child;

		if (unshare(CLONE_NEWPID))
			_exit(1);
		child = fork();
		if (child == 0) {
			read_status(q, line, sizeof(line));
			_exit(strstr(line, "NOTIFY_PID:0 ") ? 0 : 2);
		}
		_exit(wait_exit(child));
	}
	EXPECT_EQ(0, wait_exit(pid));
	close(q);
	ripc_mq_unlink("/t_notify_ns");
}

TEST(notify_dropped_when_owner_closes)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	mqd_t q = create("/t_notify4", O_RDWR, 4, 16), q2;

	ASSERT_GE(q, 0);
	q2 = ripc_mq_open("/t_notify4", O_RDWR);
	ASSERT_GE(q2, 0);
	ASSERT_EQ(0, ripc_mq_notify(q2, &sev));
	EXPECT_EQ(EBUSY, other_notify("/t_notify4"));
	/* Closing any descriptor of the queue drops the owner's registration. */
	ASSERT_EQ(0, close(q2));
	EXPECT_EQ(0, other_notify("/t_notify4"));
	close(q);
	ripc_mq_unlink("/t_notify4");
}

TEST(notify_skipped_for_blocked_receiver)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	struct sigaction sa = { .sa_handler = on_usr2 };
	char buf[16];
	pid_t pid;
	mqd_t q = create("/t_notify2", O_RDWR, 4, 16);

	ASSERT_GE(q, 0);
	sigaction(SIGUSR2, &sa, NULL);
	got_signal = 0;
	ASSERT_EQ(0, ripc_mq_notify(q, &sev));
	pid = fork();
	if (pid == 0)
		_exit(ripc_mq_receive(q, buf, sizeof(buf), NULL) == 1 ? 0 : 1);
	EXPECT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, ripc_mq_send(q, "a", 1, 0));
	EXPECT_EQ(0, wait_exit(pid));
	sleep_ms(200);
	EXPECT_EQ(0, got_signal);
	/* Still registered. */
	EXPECT_EQ(-1, ripc_mq_notify(q, &sev));
	EXPECT_EQ(EBUSY, errno);
	close(q);
	ripc_mq_unlink("/t_notify2");
}

TEST(notify_by_notifier_fd)
{
	uint64_t value = 0;
	mqd_t q = create("/t_notify3", O_RDWR, 4, 16);
	int efd = ripc_eventfd(0, RIPC_EFD_NONBLOCK);

	ASSERT_GE(q, 0);
	ASSERT_GE(efd, 0);
	EXPECT_EQ(-1, ripc_mq_notify_fd(q, q));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ripc_mq_notify_fd(q, efd));
	ASSERT_EQ(0, ripc_mq_send(q, "a", 1, 0));
	ASSERT_EQ(0, ripc_eventfd_read(efd, &value));
	EXPECT_EQ(1, value);
	close(efd);
	close(q);
	ripc_mq_unlink("/t_notify3");
}

/*
 * The notification signal carries what Linux's does: si_code SI_MESGQ,
 * the registration's sigev_value, and the sending process's pid and real
 * uid as the registered process sees them. Compared with a queue of
 * Linux's own in the same guest; the sender is a process of another user,
 * and then one in a pid namespace of its own (whose pid the receiver sees
 * in its namespace).
 */
/*
 * Signals racing handovers: a sender and a receiver pass RACE_MSGS
 * numbered messages through a queue that holds one, both blocking at
 * every turn, while both are signalled over and over (a handler without
 * SA_RESTART). In Linux a blocked task that was served (STATE_READY)
 * returns success even if a signal or its timeout came meanwhile: the
 * receiver has the message, the sender's message is queued. One not yet
 * served fails with EINTR, the sender's message not queued, and sends it
 * again. The receiver sees 0, 1, 2, ... exactly once each, on Linux's
 * queue and on ripc's.
 */
#define RACE_MSGS 400

/* Exits 0 after 0 .. RACE_MSGS - 1 in order, 2 on a loss or a duplicate. */
static void race_receiver(int native, mqd_t q)
{
	int n, next = 0;

	while (next < RACE_MSGS) {
		ssize_t got = native ? mq_receive(q, (char *)&n, sizeof(n), NULL)
				     : ripc_mq_receive(q, (char *)&n, sizeof(n), NULL);

		if (got < 0) {
			if (errno != EINTR)
				_exit(1);
			continue;
		}
		if (n != next)
			_exit(2);
		next++;
	}
	_exit(0);
}

static void race_sender(int native, mqd_t q)
{
	int n = 0;

	while (n < RACE_MSGS) {
		int err = native ? mq_send(q, (char *)&n, sizeof(n), 0)
				 : ripc_mq_send(q, (char *)&n, sizeof(n), 0);

		if (!err)
			n++;
		else if (errno != EINTR)
			_exit(1);
	}
	_exit(0);
}

/* The receiver's exit status, with the sender's times 10 added. */
static int signal_race(int native)
{
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = sizeof(int) };
	struct sigaction sa = { .sa_handler = on_signal }, old;
	pid_t snd, rcv;
	int status;
	mqd_t q = native ? mq_open("/t_race", O_CREAT | O_RDWR, 0600, &attr)
			 : create("/t_race", O_RDWR, 1, sizeof(int));

	if (q < 0)
		return -1;
	/* The children start with the handler, so that no signal kills them. */
	sigaction(SIGUSR1, &sa, &old);
	rcv = fork();
	if (rcv == 0)
		race_receiver(native, q);
	snd = fork();
	if (snd == 0)
		race_sender(native, q);
	sigaction(SIGUSR1, &old, NULL);
	status = signal_both_until_exit(rcv, snd, SIGUSR1);
	/* Nothing left behind either. */
	if ((native ? mq_getattr(q, &attr) : ripc_mq_getattr(q, &attr)) || attr.mq_curmsgs)
		status = -2;
	close(q);
	if (native)
		mq_unlink("/t_race");
	else
		ripc_mq_unlink("/t_race");
	return status;
}

TEST(signals_racing_handovers_lose_nothing_as_linux)
{
	EXPECT_EQ(0, signal_race(1));
	EXPECT_EQ(0, signal_race(0));
}

static int linux_or_ripc_notify(int native, mqd_t q, const struct sigevent *sev)
{
	return native ? mq_notify(q, sev) : ripc_mq_notify(q, sev);
}

static int linux_or_ripc_send(int native, mqd_t q, const char *msg)
{
	return native ? mq_send(q, msg, strlen(msg), 0) : ripc_mq_send(q, msg, strlen(msg), 0);
}

/* Sends from a child (a grandchild in a new pid namespace); its pid, or -1. */
static pid_t send_from_other_process(int native, mqd_t q, int new_pidns)
{
	int fds[2], status;
	pid_t pid, sender = -1;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		pid_t child;

		if (new_pidns && unshare(CLONE_NEWPID))
			_exit(1);
		child = new_pidns ? fork() : 0;
		if (child > 0) {
			_exit(write(fds[1], &child, sizeof(child)) == sizeof(child) &&
			      wait_exit(child) == 0 ? 0 : 1);
		}
		if (child < 0 || setgid(USER) || setuid(USER))
			_exit(1);
		_exit(linux_or_ripc_send(native, q, "a") ? 1 : 0);
	}
	if (!new_pidns)
		sender = pid;
	else if (read(fds[0], &sender, sizeof(sender)) != sizeof(sender))
		sender = -1;
	close(fds[0]);
	close(fds[1]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? sender : -1;
}

TEST(notify_siginfo_as_linux)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2,
				.sigev_value.sival_int = 1234 };
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	struct timespec timeout = { 10, 0 };
	siginfo_t info;
	int native, pidns;
	char buf[16];
	sigset_t set;
	pid_t sender;
	mqd_t q;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	for (native = 1; native >= 0; native--) {
		if (native) {
			mq_unlink("/ripc-t-siginfo");
			q = mq_open("/ripc-t-siginfo", O_RDWR | O_CREAT, 0600, &attr);
		} else {
			q = create("/t_siginfo", O_RDWR, 4, 16);
		}
		ASSERT_GE(q, 0) TH_LOG("%s: %s", native ? "Linux" : "ripc", strerror(errno));
		for (pidns = 0; pidns < 2; pidns++) {
			ASSERT_EQ(0, linux_or_ripc_notify(native, q, &sev));
			sender = send_from_other_process(native, q, pidns);
			ASSERT_GT(sender, 0);
			memset(&info, 0, sizeof(info));
			ASSERT_EQ(SIGUSR2, sigtimedwait(&set, &info, &timeout));
			EXPECT_EQ(SIGUSR2, info.si_signo);
			EXPECT_EQ(SI_MESGQ, info.si_code) TH_LOG("%s", native ? "Linux" : "ripc");
			EXPECT_EQ(1234, info.si_value.sival_int);
			EXPECT_EQ(sender, info.si_pid) TH_LOG("%s pidns %d", native ? "Linux" : "ripc", pidns);
			EXPECT_EQ(USER, info.si_uid);
			EXPECT_EQ(1, native ? mq_receive(q, buf, sizeof(buf), NULL)
					    : ripc_mq_receive(q, buf, sizeof(buf), NULL));
		}
		close(q);
	}
	mq_unlink("/ripc-t-siginfo");
	ripc_mq_unlink("/t_siginfo");
}

/*
 * si_uid is the sender's uid in the user namespace the registration was
 * made from (notify_user_ns): a registrant in a user namespace that maps
 * only root sees another user's send as the overflow uid. Each side's
 * result is compared with Linux's queue.
 */
static int uid_seen_by_registrant_in_userns(int native, mqd_t q)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	struct timespec timeout = { 10, 0 };
	int fds[2], uid = -1, fd;
	siginfo_t info;
	sigset_t set;
	pid_t pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (unshare(CLONE_NEWUSER))
			_exit(1);
		fd = open("/proc/self/uid_map", O_WRONLY);
		if (fd < 0 || write(fd, "0 0 1", 5) != 5)
			_exit(2);
		close(fd);
		if (linux_or_ripc_notify(native, q, &sev) || write(fds[1], "r", 1) != 1)
			_exit(3);
		if (sigtimedwait(&set, &info, &timeout) != SIGUSR2)
			_exit(4);
		uid = info.si_uid;
		_exit(write(fds[1], &uid, sizeof(uid)) == sizeof(uid) ? 0 : 5);
	}
	if (read(fds[0], &c, 1) == 1 && send_from_other_process(native, q, 0) > 0 &&
	    read(fds[0], &uid, sizeof(uid)) != sizeof(uid))
		uid = -1;
	if (wait_exit(pid) != 0)
		uid = -1;
	close(fds[0]);
	close(fds[1]);
	return uid;
}

TEST(notify_siginfo_uid_in_registrants_userns)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	int linux_uid, ripc_uid;
	mqd_t q;

	mq_unlink("/ripc-t-userns");
	q = mq_open("/ripc-t-userns", O_RDWR | O_CREAT, 0600, &attr);
	ASSERT_GE(q, 0);
	linux_uid = uid_seen_by_registrant_in_userns(1, q);
	close(q);
	mq_unlink("/ripc-t-userns");
	q = create("/t_userns", O_RDWR, 4, 16);
	ASSERT_GE(q, 0);
	ripc_uid = uid_seen_by_registrant_in_userns(0, q);
	close(q);
	ripc_mq_unlink("/t_userns");
	ASSERT_NE(-1, linux_uid);
	EXPECT_NE(USER, linux_uid);
	EXPECT_EQ(linux_uid, ripc_uid);
}

/*
 * A process that registered for a signal and then called execve() is not
 * sent it: Linux checks self_exec_id (__do_notify()), so a registration
 * made before exec'ing, say, a setuid program cannot signal that program.
 * The registering child keeps the descriptor across execve() (as the
 * attacker would); another process sends. Linux's queue, then ripc's.
 */
TEST(notify_not_after_exec)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	char arg_ready[16], arg_done[16], line[128], c;
	int native, ready[2], done[2];
	pid_t pid;
	mqd_t q;

	for (native = 1; native >= 0; native--) {
		if (native) {
			mq_unlink("/ripc-t-exec");
			q = mq_open("/ripc-t-exec", O_RDWR | O_CREAT, 0600, &attr);
		} else {
			q = create("/t_exec", O_RDWR, 4, 16);
		}
		ASSERT_GE(q, 0);
		ASSERT_EQ(0, pipe(ready));
		ASSERT_EQ(0, pipe(done));
		pid = fork();
		if (pid == 0) {
			close(ready[0]);
			close(done[1]);
			if (linux_or_ripc_notify(native, q, &sev) || fcntl(q, F_SETFD, 0))
				_exit(2);
			snprintf(arg_ready, sizeof(arg_ready), "%d", ready[1]);
			snprintf(arg_done, sizeof(arg_done), "%d", done[0]);
			execl("/proc/self/exe", "ripc_mqueue_test", EXEC_HELPER, arg_ready,
			      arg_done, (char *)NULL);
			_exit(3);
		}
		close(ready[1]);
		close(done[0]);
		/* The helper runs the new program, still registered. */
		ASSERT_EQ(1, read(ready[0], &c, 1));
		if (!native) {
			read_status(q, line, sizeof(line));
			EXPECT_EQ(NULL, strstr(line, "NOTIFY_PID:0 ")) TH_LOG("%s", line);
		}
		ASSERT_EQ(0, linux_or_ripc_send(native, q, "a"));
		if (!native) {
			/* It fired (to nobody): the registration is gone. */
			read_status(q, line, sizeof(line));
			EXPECT_NE(NULL, strstr(line, "NOTIFY_PID:0 ")) TH_LOG("%s", line);
		}
		close(done[1]);
		EXPECT_EQ(0, wait_exit(pid)) TH_LOG("%s", native ? "Linux" : "ripc");
		close(ready[0]);
		close(q);
	}
	mq_unlink("/ripc-t-exec");
	ripc_mq_unlink("/t_exec");
}

/*
 * mq_notify() checks the sigevent (notification type, signal number)
 * before the descriptor: on a descriptor that is not a queue, a bad one
 * is EINVAL, a good one EBADF. As Linux's mq_notify() says.
 */
TEST(notify_checks_the_sigevent_first)
{
	struct sigevent bad_signal = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 65 };
	struct sigevent negative = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = -1 };
	struct sigevent bad_type = { .sigev_notify = 42 };
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	struct sigevent sig = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	int efd = ripc_eventfd(0, 0), bad[] = { -1, STDIN_FILENO, efd }, i, fd;

	ASSERT_GE(efd, 0);
	for (i = 0; i < 3; i++) {
		fd = bad[i];
		EXPECT_SAME_ERRNO(ripc_mq_notify(fd, &bad_signal), mq_notify(fd, &bad_signal));
		EXPECT_SAME_ERRNO(ripc_mq_notify(fd, &negative), mq_notify(fd, &negative));
		EXPECT_SAME_ERRNO(ripc_mq_notify(fd, &bad_type), mq_notify(fd, &bad_type));
		EXPECT_SAME_ERRNO(ripc_mq_notify(fd, &none), mq_notify(fd, &none));
		EXPECT_SAME_ERRNO(ripc_mq_notify(fd, &sig), mq_notify(fd, &sig));
		EXPECT_SAME_ERRNO(ripc_mq_notify(fd, NULL), mq_notify(fd, NULL));
	}
	fd = -1;
	errno = 0;
	EXPECT_EQ(-1, ripc_mq_notify(fd, &bad_signal));
	EXPECT_EQ(EINVAL, errno);
	close(efd);
}

/* SIGEV_THREAD */

struct thread_report {
	int value;
	int in_main_thread;
	size_t stack_size;
};

static int thread_report_fd;

static void on_notify_thread(union sigval value)
{
	struct thread_report report = { .value = value.sival_int };
	pthread_attr_t attr;

	report.in_main_thread = gettid() == getpid();
	if (!pthread_getattr_np(pthread_self(), &attr)) {
		pthread_attr_getstacksize(&attr, &report.stack_size);
		pthread_attr_destroy(&attr);
	}
	if (write(thread_report_fd, &report, sizeof(report)) != sizeof(report))
		abort();
}

/* The number of threads of this process. */
static int nr_threads(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

/* Waits up to 10 s for the process to have n threads. */
static int wait_threads(int n)
{
	int i;

	for (i = 0; i < 1000 && nr_threads() != n; i++)
		sleep_ms(10);
	return nr_threads();
}

/*
 * SIGEV_THREAD: when a message arrives, a new thread of the registering
 * process, made with sigev_notify_attributes, runs sigev_notify_function
 * with sigev_value; then the registration is gone. As glibc's
 * mq_notify() does on Linux's queues, compared in the same guest.
 */
TEST(notify_by_thread)
{
	struct mq_attr mattr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD,
				.sigev_notify_function = on_notify_thread,
				.sigev_value.sival_int = 4321 };
	const size_t stack_size = 3 << 20;
	struct pollfd pfd = { .events = POLLIN };
	struct thread_report report;
	pthread_attr_t attr;
	int native, fds[2];
	char buf[16];
	mqd_t q;

	ASSERT_EQ(0, pipe(fds));
	thread_report_fd = fds[1];
	pfd.fd = fds[0];
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setstacksize(&attr, stack_size));
	sev.sigev_notify_attributes = &attr;
	for (native = 1; native >= 0; native--) {
		if (native) {
			mq_unlink("/ripc-t-thread");
			q = mq_open("/ripc-t-thread", O_RDWR | O_CREAT, 0600, &mattr);
		} else {
			q = create("/t_thread", O_RDWR, 4, 16);
		}
		ASSERT_GE(q, 0);
		ASSERT_EQ(0, linux_or_ripc_notify(native, q, &sev))
			TH_LOG("%s: %s", native ? "Linux" : "ripc", strerror(errno));
		/* The attributes were copied. */
		pthread_attr_setstacksize(&attr, 2 * stack_size);
		if (!native) {
			EXPECT_EQ(-1, ripc_mq_notify(q, &sev));
			EXPECT_EQ(EBUSY, errno);
		}
		ASSERT_EQ(0, linux_or_ripc_send(native, q, "a"));
		ASSERT_EQ(1, poll(&pfd, 1, 10000));
		ASSERT_EQ(sizeof(report), read(fds[0], &report, sizeof(report)));
		EXPECT_EQ(4321, report.value);
		EXPECT_FALSE(report.in_main_thread);
		EXPECT_EQ(stack_size, report.stack_size) TH_LOG("%s", native ? "Linux" : "ripc");
		pthread_attr_setstacksize(&attr, stack_size);
		/* Fired once: the queue takes a new registration. */
		EXPECT_EQ(0, other_notify_on(native, native ? "/ripc-t-thread" : "/t_thread"));
		EXPECT_EQ(1, native ? mq_receive(q, buf, sizeof(buf), NULL)
				    : ripc_mq_receive(q, buf, sizeof(buf), NULL));
		close(q);
	}
	pthread_attr_destroy(&attr);
	mq_unlink("/ripc-t-thread");
	ripc_mq_unlink("/t_thread");
	close(fds[0]);
	close(fds[1]);
}

/*
 * A SIGEV_THREAD registration that goes without firing (unregistered, or
 * a descriptor closed by its owner) ends its helper thread: nothing is
 * left behind.
 */
TEST(notify_by_thread_removed)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD,
				.sigev_notify_function = on_notify_thread };
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	mqd_t q = create("/t_thread2", O_RDWR, 4, 16), q2;
	int threads = nr_threads();

	ASSERT_GE(q, 0);
	ASSERT_GT(threads, 0);
	ASSERT_EQ(0, ripc_mq_notify(q, &sev));
	EXPECT_EQ(threads + 1, nr_threads());
	ASSERT_EQ(0, ripc_mq_notify(q, NULL));
	EXPECT_EQ(threads, wait_threads(threads));
	q2 = ripc_mq_open("/t_thread2", O_RDWR);
	ASSERT_GE(q2, 0);
	ASSERT_EQ(0, ripc_mq_notify(q2, &sev));
	EXPECT_EQ(threads + 1, nr_threads());
	close(q2);
	EXPECT_EQ(threads, wait_threads(threads));
	/* A registration refused (EBUSY) ends its helper too. */
	ASSERT_EQ(0, ripc_mq_notify(q, &none));
	EXPECT_EQ(-1, ripc_mq_notify(q, &sev));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(threads, wait_threads(threads));
	EXPECT_EQ(0, ripc_mq_notify(q, NULL));
	close(q);
	ripc_mq_unlink("/t_thread2");
}

TEST_HARNESS_MAIN
