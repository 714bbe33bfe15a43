// SPDX-License-Identifier: GPL-2.0
/*
 * Notifier: the semantics of eventfd(2), against ripc.
 *
 * The first group follows the cases of the kernel's
 * tools/testing/selftests/filesystems/eventfd/eventfd_test.c (rewritten for
 * ripc_eventfd()); the rest covers blocking, wake-ups, poll/epoll, fdinfo,
 * bad pointers and concurrency.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc_uffd.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define ITERATIONS 100000
#define COUNT_MAX 0xfffffffffffffffeULL

/* Reads "key: value" from /proc/self/fdinfo/<fd>; -1 if absent. */
static int fdinfo_field(int fd, const char *key, char *value, size_t size)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			char *v = line + klen + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			v[strcspn(v, "\n")] = 0;
			snprintf(value, size, "%s", v);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Ported cases of eventfd_test.c */

TEST(flag_rdwr)
{
	int fd = ripc_eventfd(0, 0);

	ASSERT_GE(fd, 0) TH_LOG("ripc_eventfd: %s", strerror(errno));
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & ~O_LARGEFILE);
	EXPECT_EQ(0, fcntl(fd, F_GETFD));
	close(fd);
}

TEST(flag_cloexec)
{
	int fd = ripc_eventfd(0, RIPC_EFD_CLOEXEC);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	close(fd);
}

TEST(flag_nonblock)
{
	int fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK);
	int flags;

	ASSERT_GE(fd, 0);
	flags = fcntl(fd, F_GETFL);
	EXPECT_EQ(O_NONBLOCK, flags & O_NONBLOCK);
	EXPECT_EQ(O_RDWR, flags & O_ACCMODE);
	EXPECT_EQ(0, fcntl(fd, F_GETFD));
	close(fd);
}

TEST(flag_cloexec_and_nonblock)
{
	int fd = ripc_eventfd(0, RIPC_EFD_CLOEXEC | RIPC_EFD_NONBLOCK);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	close(fd);
}

TEST(flag_semaphore_in_fdinfo)
{
	char value[64];
	int fd = ripc_eventfd(0, RIPC_EFD_SEMAPHORE);
	int plain = ripc_eventfd(0, 0);

	ASSERT_GE(fd, 0);
	ASSERT_GE(plain, 0);
	ASSERT_EQ(0, fdinfo_field(fd, "eventfd-semaphore", value, sizeof(value)));
	EXPECT_STREQ("1", value);
	ASSERT_EQ(0, fdinfo_field(plain, "eventfd-semaphore", value, sizeof(value)));
	EXPECT_STREQ("0", value);
	close(fd);
	close(plain);
}

TEST(write_checks)
{
	uint64_t value = 1;
	int fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK);

	ASSERT_GE(fd, 0);
	/* Shorter than 8 bytes. */
	EXPECT_EQ(-1, write(fd, &value, sizeof(int)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(sizeof(value), write(fd, &value, sizeof(value)));
	/* Longer too: exactly 8 (eventfd_write(): count != sizeof(ucnt)). */
	EXPECT_EQ(-1, write(fd, (uint64_t[2]){ 1, 1 }, 2 * sizeof(value)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, (uint64_t[2]){ 1, 1 }, sizeof(value) + 1));
	EXPECT_EQ(EINVAL, errno);
	/* 0xffffffffffffffff is never a valid value. */
	value = (uint64_t)-1;
	EXPECT_EQ(-1, write(fd, &value, sizeof(value)));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST(read_checks)
{
	uint64_t value;
	int fd = ripc_eventfd(1, RIPC_EFD_NONBLOCK);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, read(fd, &value, sizeof(int)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(sizeof(value), read(fd, &value, sizeof(value)));
	EXPECT_EQ(1, value);
	close(fd);
}

TEST(read_nonsemaphore_takes_all)
{
	uint64_t value = 1;
	int fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK);
	int i;

	ASSERT_GE(fd, 0);
	for (i = 0; i < ITERATIONS; i++)
		ASSERT_EQ(sizeof(value), write(fd, &value, sizeof(value)));
	EXPECT_EQ(sizeof(value), read(fd, &value, sizeof(value)));
	EXPECT_EQ(ITERATIONS, value);
	EXPECT_EQ(-1, read(fd, &value, sizeof(value)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST(read_semaphore_takes_one)
{
	uint64_t value = 1;
	int fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK | RIPC_EFD_SEMAPHORE);
	int i;

	ASSERT_GE(fd, 0);
	for (i = 0; i < ITERATIONS; i++)
		ASSERT_EQ(sizeof(value), write(fd, &value, sizeof(value)));
	for (i = 0; i < ITERATIONS; i++) {
		ASSERT_EQ(sizeof(value), read(fd, &value, sizeof(value)));
		ASSERT_EQ(1, value);
	}
	EXPECT_EQ(-1, read(fd, &value, sizeof(value)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

/* ripc's own cases */

TEST(unknown_flags_einval)
{
	static const int bad[] = { 2, 4, O_RDONLY | 0x10, 1 << 30, -1 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, ripc_eventfd(0, bad[i])) TH_LOG("flags %#x", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
}

TEST(bad_ioctl_argument_efault)
{
	int dev = ripc_dev_fd();

	ASSERT_GE(dev, 0);
	EXPECT_EQ(-1, ioctl(dev, RIPC_IOC_EVENTFD, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(dev, RIPC_IOC_EVENTFD, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST(initval_and_write_zero)
{
	uint64_t two[2] = { 0 };
	uint64_t value = 0;
	int fd = ripc_eventfd(UINT32_MAX, RIPC_EFD_NONBLOCK);

	ASSERT_GE(fd, 0);
	/* Writing 0 is allowed and changes nothing. */
	EXPECT_EQ(sizeof(value), write(fd, &value, sizeof(value)));
	/* A longer buffer: only the first 8 bytes count. */
	EXPECT_EQ(sizeof(uint64_t), read(fd, two, sizeof(two)));
	EXPECT_EQ(UINT32_MAX, two[0]);
	close(fd);
}

TEST(libc_style_helpers)
{
	uint64_t value = 0;
	int fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, ripc_eventfd_write(fd, 41));
	EXPECT_EQ(0, ripc_eventfd_write(fd, 1));
	EXPECT_EQ(0, ripc_eventfd_read(fd, &value));
	EXPECT_EQ(42, value);
	EXPECT_EQ(-1, ripc_eventfd_read(fd, &value));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST(full_counter_eagain_and_poll_masks)
{
	struct pollfd pfd;
	uint64_t value = COUNT_MAX;
	int fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK);

	ASSERT_GE(fd, 0);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);

	/* The largest count a write can reach. */
	ASSERT_EQ(sizeof(value), write(fd, &value, sizeof(value)));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	value = 1;
	EXPECT_EQ(-1, write(fd, &value, sizeof(value)));
	EXPECT_EQ(EAGAIN, errno);
	value = 0;
	/* Adding 0 keeps the sum below 0xffffffffffffffff: allowed. */
	EXPECT_EQ(sizeof(value), write(fd, &value, sizeof(value)));

	ASSERT_EQ(sizeof(value), read(fd, &value, sizeof(value)));
	EXPECT_EQ(COUNT_MAX, value);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	close(fd);
}

TEST(reader_blocked_woken_by_other_process)
{
	uint64_t value = 0;
	int fd = ripc_eventfd(0, 0);
	int status;
	pid_t pid;

	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (read(fd, &value, sizeof(value)) != sizeof(value))
			_exit(100);
		_exit(value == 5 ? 0 : 101);
	}
	sleep_ms(200);
	/* Still blocked. */
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	value = 5;
	ASSERT_EQ(sizeof(value), write(fd, &value, sizeof(value)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

TEST(writer_blocked_until_read_makes_room)
{
	uint64_t value = COUNT_MAX;
	int fd = ripc_eventfd(0, 0);
	int status;
	pid_t pid;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(sizeof(value), write(fd, &value, sizeof(value)));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		value = 3;
		_exit(write(fd, &value, sizeof(value)) == sizeof(value) ? 0 : 100);
	}
	sleep_ms(200);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	ASSERT_EQ(sizeof(value), read(fd, &value, sizeof(value)));
	EXPECT_EQ(COUNT_MAX, value);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(sizeof(value), read(fd, &value, sizeof(value)));
	EXPECT_EQ(3, value);
	close(fd);
}

/* Two blocked semaphore readers, one token: exactly one of them gets it. */
TEST(semaphore_wakes_only_waiters_that_can_proceed)
{
	uint64_t one = 1;
	int fd = ripc_eventfd(0, RIPC_EFD_SEMAPHORE);
	pid_t pids[2];
	int status, i, done = 0;

	ASSERT_GE(fd, 0);
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0) {
			uint64_t v;

			_exit(read(fd, &v, sizeof(v)) == sizeof(v) && v == 1 ? 0 : 100);
		}
	}
	sleep_ms(200);
	ASSERT_EQ(sizeof(one), write(fd, &one, sizeof(one)));
	/* Wait (up to 10 s on a slow guest) for the first reader to finish,
	 * then give the other time to finish too, if it wrongly could. */
	for (i = 0; i < 1000 && !done; i++) {
		int j;

		sleep_ms(10);
		for (j = 0; j < 2; j++)
			if (pids[j] && waitpid(pids[j], &status, WNOHANG) == pids[j]) {
				EXPECT_EQ(0, WEXITSTATUS(status));
				pids[j] = 0;
				done++;
			}
	}
	sleep_ms(300);
	for (i = 0; i < 2; i++)
		if (pids[i] && waitpid(pids[i], &status, WNOHANG) == pids[i]) {
			pids[i] = 0;
			done++;
		}
	EXPECT_EQ(1, done);
	ASSERT_EQ(sizeof(one), write(fd, &one, sizeof(one)));
	for (i = 0; i < 2; i++)
		if (pids[i])
			waitpid(pids[i], &status, 0);
	close(fd);
}

static void on_alarm(int sig)
{
}

TEST(blocked_read_interrupted_by_signal)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t value;
	int fd = ripc_eventfd(0, 0);

	ASSERT_GE(fd, 0);
	/* Without SA_RESTART the read fails with EINTR. */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_EQ(-1, read(fd, &value, sizeof(value)));
	EXPECT_EQ(EINTR, errno);
	close(fd);
}

static int restart_fd;

static void on_alarm_write(int sig)
{
	uint64_t v = 9;

	/* With SA_RESTART, the read restarts after the handler and sees this. */
	if (write(restart_fd, &v, sizeof(v)) != sizeof(v))
		_exit(99);
}

TEST(blocked_read_restarted_with_sa_restart)
{
	struct sigaction sa = { .sa_handler = on_alarm_write, .sa_flags = SA_RESTART };
	uint64_t value = 0;

	restart_fd = ripc_eventfd(0, 0);
	ASSERT_GE(restart_fd, 0);
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_EQ(sizeof(value), read(restart_fd, &value, sizeof(value)));
	EXPECT_EQ(9, value);
	close(restart_fd);
}

TEST(poll_wakes_on_write_from_other_process)
{
	struct pollfd pfd;
	int fd = ripc_eventfd(0, 0);
	int status;
	pid_t pid;

	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		sleep_ms(200);
		_exit(ripc_eventfd_write(fd, 1) ? 100 : 0);
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(pfd.revents & POLLIN);
	waitpid(pid, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

TEST(epoll_level_triggered)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
	int fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK);
	uint64_t v;
	int ep = epoll_create1(0);

	ASSERT_GE(fd, 0);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, ripc_eventfd_write(fd, 2));
	/* Level-triggered: reported as long as the count is non-zero. */
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_EQ(7, ev.data.u32);
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, ripc_eventfd_read(fd, &v));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	close(ep);
	close(fd);
}

TEST(epoll_edge_triggered)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK);
	int ep = epoll_create1(0);
	uint64_t v;

	ASSERT_GE(fd, 0);
	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(0, ripc_eventfd_write(fd, 1));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	EXPECT_TRUE(ev.events & EPOLLIN);
	/* Edge-triggered: no new event until the next change. */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, ripc_eventfd_write(fd, 1));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 1000));
	ASSERT_EQ(0, ripc_eventfd_read(fd, &v));
	EXPECT_EQ(2, v);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	close(ep);
	close(fd);
}

TEST(fdinfo_count_and_id)
{
	char value[64], id1[64], id2[64];
	int fd = ripc_eventfd(0x1234, 0);
	int fd2 = ripc_eventfd(0, 0);

	ASSERT_GE(fd, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, fdinfo_field(fd, "eventfd-count", value, sizeof(value)));
	EXPECT_STREQ("1234", value);
	ASSERT_EQ(0, fdinfo_field(fd, "eventfd-id", id1, sizeof(id1)));
	ASSERT_EQ(0, fdinfo_field(fd2, "eventfd-id", id2, sizeof(id2)));
	EXPECT_STRNE(id1, id2);
	close(fd);
	close(fd2);
}

TEST(bad_pointers_efault_as_eventfd)
{
	/* volatile: keep the compiler from judging the bad pointers. */
	volatile uintptr_t low = 8, kernel = 0xffffffff81000000UL;
	int fds[2] = { eventfd(3, EFD_NONBLOCK), ripc_eventfd(3, RIPC_EFD_NONBLOCK) };
	uint64_t value;
	int i;

	for (i = 0; i < 2; i++) {
		int fd = fds[i];

		ASSERT_GE(fd, 0);
		/* The length is checked before the buffer is touched. */
		EXPECT_EQ(-1, write(fd, (void *)low, sizeof(value) + 1));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, read(fd, (void *)low, sizeof(value) - 1));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, write(fd, (void *)low, sizeof(value)));
		EXPECT_EQ(EFAULT, errno);
		/*
		 * A read takes the count, then copies it out (after unlocking,
		 * as eventfd_read()): a bad buffer loses it.
		 */
		EXPECT_EQ(-1, read(fd, (void *)low, sizeof(value)));
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(-1, read(fd, &value, sizeof(value)));
		EXPECT_EQ(EAGAIN, errno);
		/* A kernel address is refused the same way. */
		ASSERT_EQ(0, ripc_eventfd_write(fd, 2));
		EXPECT_EQ(-1, read(fd, (void *)kernel, sizeof(value)));
		EXPECT_EQ(EFAULT, errno);
		close(fd);
	}
}

/* readv() is one read over all vectors (.read_iter); writev() is one write per vector. */
TEST(vectors_as_eventfd)
{
	int fds[2] = { eventfd(5, EFD_NONBLOCK | EFD_SEMAPHORE),
		       ripc_eventfd(5, RIPC_EFD_NONBLOCK | RIPC_EFD_SEMAPHORE) };
	uint64_t a, b, one = 1;
	uint32_t half[2];
	int i;

	for (i = 0; i < 2; i++) {
		struct iovec two[2] = { { &a, 8 }, { &b, 8 } };
		struct iovec halves[2] = { { &half[0], 4 }, { &half[1], 4 } };
		struct iovec short_ones[2] = { { &half[0], 4 }, { &half[1], 3 } };
		struct iovec w[2] = { { &one, 8 }, { &one, 8 } };
		struct iovec wsplit[2] = { { &one, 4 }, { (char *)&one + 4, 4 } };

		ASSERT_GE(fds[i], 0);
		/* Two 8-byte vectors: one read, of one unit, 8 bytes. */
		a = b = 0;
		EXPECT_EQ(8, readv(fds[i], two, 2));
		EXPECT_EQ(1, a);
		EXPECT_EQ(0, b);
		/* Two 4-byte vectors: 8 bytes in all, enough. */
		EXPECT_EQ(8, readv(fds[i], halves, 2));
		memcpy(&a, half, 8);
		EXPECT_EQ(1, a);
		EXPECT_EQ(-1, readv(fds[i], short_ones, 2));
		EXPECT_EQ(EINVAL, errno);
		/* Each vector is a write of its own. */
		EXPECT_EQ(16, writev(fds[i], w, 2));
		EXPECT_EQ(-1, writev(fds[i], wsplit, 2));
		EXPECT_EQ(EINVAL, errno);
		close(fds[i]);
	}
}

TEST(poll_bits_as_eventfd)
{
	int fds[2] = { eventfd(1, EFD_NONBLOCK), ripc_eventfd(1, RIPC_EFD_NONBLOCK) };
	struct pollfd pfd[2];
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_GE(fds[i], 0);
		pfd[i] = (struct pollfd){ .fd = fds[i],
					  .events = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM };
		ASSERT_EQ(1, poll(&pfd[i], 1, 0));
		close(fds[i]);
	}
	/* No POLLRDNORM or POLLWRNORM. */
	EXPECT_EQ(POLLIN | POLLOUT, pfd[0].revents);
	EXPECT_EQ(pfd[0].revents, pfd[1].revents);
}

/* Edge-triggered events after each step, counted on an eventfd and on a notifier. */
#define ET_STEPS 6

static void et_sequence(int fd, uint32_t events, int counts[ET_STEPS])
{
	struct epoll_event ev = { .events = events | EPOLLET }, out[2];
	int ep = epoll_create1(0), n = 0;
	uint64_t v = 1;

	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	counts[n++] = epoll_wait(ep, out, 2, 0);
	write(fd, &v, sizeof(v));
	counts[n++] = epoll_wait(ep, out, 2, 0);
	write(fd, &v, sizeof(v));
	counts[n++] = epoll_wait(ep, out, 2, 0);
	read(fd, &v, sizeof(v));
	counts[n++] = epoll_wait(ep, out, 2, 0);
	read(fd, &v, sizeof(v));
	counts[n++] = epoll_wait(ep, out, 2, 0);
	read(fd, &v, sizeof(v));
	counts[n++] = epoll_wait(ep, out, 2, 0);
	close(ep);
}

TEST(epoll_edge_events_as_eventfd)
{
	const uint32_t watch[] = { EPOLLIN, EPOLLOUT, EPOLLIN | EPOLLOUT };
	int native[ET_STEPS], ours[ET_STEPS], i, sem, fd;

	for (sem = 0; sem < 2; sem++) {
		for (i = 0; i < 3; i++) {
			fd = eventfd(0, EFD_NONBLOCK | (sem ? EFD_SEMAPHORE : 0));
			ASSERT_GE(fd, 0);
			et_sequence(fd, watch[i], native);
			close(fd);
			fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK | (sem ? RIPC_EFD_SEMAPHORE : 0));
			ASSERT_GE(fd, 0);
			et_sequence(fd, watch[i], ours);
			close(fd);
			EXPECT_EQ(0, memcmp(native, ours, sizeof(ours)))
			TH_LOG("semaphore %d events %#x: eventfd %d %d %d %d %d %d, ripc %d %d %d %d %d %d",
			       sem, watch[i], native[0], native[1], native[2], native[3], native[4],
			       native[5], ours[0], ours[1], ours[2], ours[3], ours[4], ours[5]);
		}
	}
}

#define PAGE 4096

struct stuck_read {
	int fd;
	void *page;
	ssize_t ret;
};

static void *read_into(void *arg)
{
	struct stuck_read *r = arg;

	r->ret = read(r->fd, r->page, sizeof(uint64_t));
	return NULL;
}

/*
 * A reader stuck on a page fault while copying the count out holds no lock
 * (eventfd_read() copies after unlocking): writers, and message-queue
 * notifications, go on.
 */
TEST(write_goes_on_while_reader_stuck_in_fault)
{
	struct stuck_read r;
	pthread_t thread;
	uint64_t v;
	int uffd;

	r.page = stuck_page(&uffd);
	if (!r.page)
		SKIP(return, "no userfaultfd");
	r.fd = ripc_eventfd(5, 0);
	ASSERT_GE(r.fd, 0);
	ASSERT_EQ(0, pthread_create(&thread, NULL, read_into, &r));
	ASSERT_EQ(0, wait_fault(uffd));
	ASSERT_EQ(0, ripc_eventfd_write(r.fd, 2));
	ASSERT_EQ(0, resolve_fault(uffd, r.page));
	pthread_join(thread, NULL);
	EXPECT_EQ(8, r.ret);
	EXPECT_EQ(5, *(uint64_t *)r.page);
	ASSERT_EQ(0, ripc_eventfd_read(r.fd, &v));
	EXPECT_EQ(2, v);
	close(uffd);
	close(r.fd);
}

static void on_sigusr1(int sig)
{
}

/*
 * A reader blocked on a zero count gets a count and a signal while it cannot
 * run (the writer, on the same CPU, is SCHED_FIFO): as eventfd it reads the
 * count, since the wait checks the count before the signal.
 */
TEST(count_and_signal_together_read_gets_count)
{
	struct sched_param sp = { .sched_priority = 1 };
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	int fd = ripc_eventfd(0, 0), status;
	cpu_set_t cpu0;
	uint64_t v;
	pid_t pid;

	ASSERT_GE(fd, 0);
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* No SA_RESTART: a signal first would be EINTR. */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		if (read(fd, &v, sizeof(v)) != sizeof(v))
			_exit(errno == EINTR ? 2 : 3);
		_exit(v == 7 ? 0 : 4);
	}
	ASSERT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, sched_setscheduler(0, SCHED_FIFO, &sp));
	ASSERT_EQ(0, ripc_eventfd_write(fd, 7));
	kill(pid, SIGUSR1);
	sp.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &sp);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

/*
 * The kernel's users of an eventfd given by descriptor (AIO's
 * IOCB_FLAG_RESFD, io_uring, KVM irqfd, VFIO) take it through
 * eventfd_ctx_fdget(), which accepts eventfd's own files only: a notifier
 * is EINVAL there (Documentation/notify.rst).
 */
TEST(aio_resfd_takes_only_eventfd)
{
	int fds[2] = { eventfd(0, 0), ripc_eventfd(0, 0) };
	int expect_ret[2] = { 1, -1 }, expect_errno[2] = { 0, EINVAL };
	int src = memfd_create("aio", 0), i;
	char buf[8];

	ASSERT_GE(src, 0);
	ASSERT_EQ(8, write(src, "aio-data", 8));
	for (i = 0; i < 2; i++) {
		struct iocb cb = { .aio_fildes = src, .aio_lio_opcode = IOCB_CMD_PREAD,
				   .aio_buf = (uintptr_t)buf, .aio_nbytes = sizeof(buf),
				   .aio_flags = IOCB_FLAG_RESFD, .aio_resfd = fds[i] };
		struct iocb *cbs[1] = { &cb };
		struct io_event ev;
		aio_context_t ctx = 0;
		uint64_t v;

		ASSERT_GE(fds[i], 0);
		ASSERT_EQ(0, syscall(SYS_io_setup, 1, &ctx));
		errno = 0;
		EXPECT_EQ(expect_ret[i], syscall(SYS_io_submit, ctx, 1, cbs));
		EXPECT_EQ(expect_errno[i], errno);
		if (expect_ret[i] == 1) {
			ASSERT_EQ(1, syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL));
			EXPECT_EQ(8, ev.res);
			/* The completion signalled the eventfd. */
			ASSERT_EQ(sizeof(v), read(fds[i], &v, sizeof(v)));
			EXPECT_EQ(1, v);
		}
		syscall(SYS_io_destroy, ctx);
		close(fds[i]);
	}
	close(src);
}

struct blocked_reader {
	int fd;
	uint64_t value;
	int ret;
};

static void *blocked_read(void *arg)
{
	struct blocked_reader *r = arg;

	r->ret = read(r->fd, &r->value, sizeof(r->value));
	return NULL;
}

/* close(2) does not end a read blocked on the same file (as on Linux);
 * the file lives until the read returns. */
TEST(close_while_another_thread_blocked_in_read)
{
	struct blocked_reader r = { .ret = -2 };
	pthread_t t;
	int keep;

	r.fd = ripc_eventfd(0, 0);
	ASSERT_GE(r.fd, 0);
	keep = dup(r.fd);
	ASSERT_GE(keep, 0);
	ASSERT_EQ(0, pthread_create(&t, NULL, blocked_read, &r));
	sleep_ms(200);
	EXPECT_EQ(0, close(r.fd));
	sleep_ms(100);
	EXPECT_EQ(-2, r.ret);
	ASSERT_EQ(0, ripc_eventfd_write(keep, 11));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(sizeof(uint64_t), r.ret);
	EXPECT_EQ(11, r.value);
	close(keep);
}

TEST(kill_while_blocked_in_read)
{
	int fd = ripc_eventfd(0, 0);
	int status;
	pid_t pid;

	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint64_t v;

		read(fd, &v, sizeof(v));
		_exit(100);
	}
	sleep_ms(200);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	/* The notifier is intact for the others. */
	EXPECT_EQ(0, ripc_eventfd_write(fd, 1));
	close(fd);
}

#define WRITERS 4
#define READERS 4
#define PER_WRITER 2000

/* Many writers and readers in separate processes: the sum read equals
 * the sum written, nothing lost, nothing counted twice. */
TEST(concurrent_writers_and_readers_lose_nothing)
{
	uint64_t *total_read;
	uint64_t expected = 0, v;
	pid_t writers[WRITERS], readers[READERS];
	int fd = ripc_eventfd(0, 0);
	int i, status;

	ASSERT_GE(fd, 0);
	total_read = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, total_read);
	*total_read = 0;

	for (i = 0; i < READERS; i++) {
		readers[i] = fork();
		ASSERT_GE(readers[i], 0);
		if (readers[i] == 0) {
			for (;;) {
				if (read(fd, &v, sizeof(v)) != sizeof(v))
					_exit(100);
				__atomic_add_fetch(total_read, v, __ATOMIC_SEQ_CST);
			}
		}
	}
	for (i = 0; i < WRITERS; i++) {
		writers[i] = fork();
		ASSERT_GE(writers[i], 0);
		if (writers[i] == 0) {
			uint64_t k;

			for (k = 1; k <= PER_WRITER; k++)
				if (write(fd, &k, sizeof(k)) != sizeof(k))
					_exit(100);
			_exit(0);
		}
		expected += (uint64_t)PER_WRITER * (PER_WRITER + 1) / 2;
	}
	for (i = 0; i < WRITERS; i++) {
		ASSERT_EQ(writers[i], waitpid(writers[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	/* Readers drain the rest; give them up to 60 s. */
	for (i = 0; i < 6000 && __atomic_load_n(total_read, __ATOMIC_SEQ_CST) < expected; i++)
		sleep_ms(10);
	EXPECT_EQ(expected, __atomic_load_n(total_read, __ATOMIC_SEQ_CST));
	/* Every reader is now blocked on an empty counter. */
	for (i = 0; i < READERS; i++) {
		EXPECT_EQ(0, waitpid(readers[i], &status, WNOHANG));
		kill(readers[i], SIGKILL);
		waitpid(readers[i], &status, 0);
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, read(fd, &v, sizeof(v)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

/* An open notifier pins the module even once /dev/ripc is closed. */
TEST(open_notifier_pins_module)
{
	struct ripc_eventfd_args args = { 0 };
	int dev = open("/dev/ripc", O_RDWR | O_CLOEXEC);
	int fd;

	ASSERT_GE(dev, 0);
	fd = ioctl(dev, RIPC_IOC_EVENTFD, &args);
	ASSERT_GE(fd, 0);
	close(dev);
	EXPECT_EQ(-1, syscall(SYS_delete_module, "ripc", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(fd);
}

TEST(unprivileged_user_creates_and_uses)
{
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint64_t v;
		int fd;

		if (setgid(1000) || setuid(1000))
			_exit(2);
		fd = ripc_eventfd(2, RIPC_EFD_NONBLOCK);
		if (fd < 0)
			_exit(10 + errno);
		if (ripc_eventfd_read(fd, &v) || v != 2)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Named notifiers in ripcfs */

#define MNT "/tmp/ripc-notify-mnt"

static void mount_ripcfs(struct __test_metadata *_metadata)
{
	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL)) TH_LOG("mount: %s", strerror(errno));
}

/* Runs fn as uid/gid `id` in a child; returns its exit status. */
static int open_rdwr_errno(const void *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int create_named(const void *path)
{
	int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int unlink_errno(const void *path)
{
	return unlink(path) ? errno : 0;
}

TEST(named_shared_between_processes)
{
	uint64_t value = 0;
	int fd, status;
	pid_t pid;

	mount_ripcfs(_metadata);
	fd = open(MNT "/notify/ready", O_CREAT | O_RDWR, 0600);
	ASSERT_GE(fd, 0) TH_LOG("open(O_CREAT): %s", strerror(errno));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* An unrelated open of the same name reaches the same counter. */
		int other = open(MNT "/notify/ready", O_RDWR);

		_exit(other >= 0 && ripc_eventfd_write(other, 5) == 0 ? 0 : 100);
	}
	ASSERT_EQ(sizeof(value), read(fd, &value, sizeof(value)));
	EXPECT_EQ(5, value);
	waitpid(pid, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, fdinfo_field(fd, "eventfd-count", (char[32]){ 0 }, 32));
	close(fd);
	EXPECT_EQ(0, unlink(MNT "/notify/ready"));
	ASSERT_EQ(0, umount(MNT));
}

TEST(named_owner_mode_chmod_chown)
{
	struct stat st;
	int fd;

	mount_ripcfs(_metadata);
	umask(022);
	fd = open(MNT "/notify/n", O_CREAT | O_EXCL | O_RDWR, 0666);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, stat(MNT "/notify/n", &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0644, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	/* O_EXCL on an existing name. */
	EXPECT_EQ(-1, open(MNT "/notify/n", O_CREAT | O_EXCL | O_RDWR, 0600));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(0, fchmod(fd, 0600));
	ASSERT_EQ(0, chown(MNT "/notify/n", 1000, 1000));
	ASSERT_EQ(0, stat(MNT "/notify/n", &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1000, st.st_gid);
	close(fd);
	EXPECT_EQ(0, unlink(MNT "/notify/n"));
	ASSERT_EQ(0, umount(MNT));
}

TEST(named_permissions_follow_mode_bits)
{
	int fd;

	mount_ripcfs(_metadata);
	fd = open(MNT "/notify/p", O_CREAT | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(EACCES, as_user(1000, open_rdwr_errno, MNT "/notify/p"));
	/* The change is honoured at the next open. */
	ASSERT_EQ(0, fchmod(fd, 0666));
	EXPECT_EQ(0, as_user(1000, open_rdwr_errno, MNT "/notify/p"));
	close(fd);

	/* Anyone may create in the sticky directory, but only the owner may
	 * remove the name. */
	EXPECT_EQ(0, as_user(1000, create_named, MNT "/notify/mine"));
	EXPECT_EQ(EPERM, as_user(1001, unlink_errno, MNT "/notify/mine"));
	EXPECT_EQ(0, as_user(1000, unlink_errno, MNT "/notify/mine"));
	EXPECT_EQ(0, unlink(MNT "/notify/p"));
	ASSERT_EQ(0, umount(MNT));
}

TEST(named_unlink_keeps_open_fds_working)
{
	uint64_t value;
	int fd, nb;

	mount_ripcfs(_metadata);
	fd = open(MNT "/notify/gone", O_CREAT | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	/* O_NONBLOCK belongs to each open file. */
	nb = open(MNT "/notify/gone", O_RDWR | O_NONBLOCK);
	ASSERT_GE(nb, 0);
	EXPECT_EQ(-1, read(nb, &value, sizeof(value)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, unlink(MNT "/notify/gone"));
	EXPECT_EQ(-1, open(MNT "/notify/gone", O_RDWR));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, ripc_eventfd_write(fd, 3));
	EXPECT_EQ(0, ripc_eventfd_read(nb, &value));
	EXPECT_EQ(3, value);
	close(fd);
	close(nb);
	ASSERT_EQ(0, umount(MNT));
}

TEST(named_open_file_keeps_mount_busy)
{
	int fd;

	mount_ripcfs(_metadata);
	fd = open(MNT "/notify/busy", O_CREAT | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, umount(MNT));
	EXPECT_EQ(EBUSY, errno);
	close(fd);
	ASSERT_EQ(0, umount(MNT));
}

TEST(named_only_regular_files)
{
	mount_ripcfs(_metadata);
	EXPECT_EQ(-1, mkdir(MNT "/notify/dir", 0755));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mknod(MNT "/notify/fifo", S_IFIFO | 0600, 0));
	EXPECT_EQ(EPERM, errno);
	/* The status directory takes no names. */
	EXPECT_EQ(-1, open(MNT "/sysvipc/x", O_CREAT | O_RDWR, 0600));
	EXPECT_EQ(EACCES, errno);
	ASSERT_EQ(0, umount(MNT));
}

TEST_HARNESS_MAIN
