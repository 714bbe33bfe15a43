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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
static int other_notify(const char *name)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		mqd_t q = ripc_mq_open(name, O_RDWR);

		if (q < 0)
			_exit(100);
		_exit(ripc_mq_notify(q, &sev) ? errno : 0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 300;
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

TEST_HARNESS_MAIN
