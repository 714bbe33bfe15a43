// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes and FIFOs: the semantics of pipe(2), pipe2(2), fifo(7) and
 * pipe(7), against ripc.
 *
 * The cases follow what fs/pipe.c does (and what the kernel's own pipe
 * selftests and LTP's pipe and fifo tests check): access modes, EOF, EPIPE
 * with SIGPIPE, PIPE_BUF atomicity, merging of small writes, capacity and
 * its ioctls, poll/epoll masks, FIFO open rules, interruptible waits, bad
 * pointers, and streams and many writers under concurrency.
 *
 * ripc_pipe_linux_test.c builds the same cases with RIPC_PIPE_REFERENCE,
 * against the kernel's own pipe2(), fcntl(F_[GS]ETPIPE_SZ) and a FIFO in
 * /tmp: the expectations here are those of Linux, except in the few cases
 * marked ripc-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
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

#define PAGE 4096
#define DEF_SIZE (16 * PAGE)
#define MNT "/tmp/ripc-pipe-mnt"

#ifdef RIPC_PIPE_REFERENCE
#define ripc_pipe(fds) pipe(fds)
#define ripc_pipe2(fds, flags) pipe2(fds, flags)
#define ripc_pipe_get_size(fd) fcntl(fd, F_GETPIPE_SZ)
#define ripc_pipe_set_size(fd, size) fcntl(fd, F_SETPIPE_SZ, size)
#define FIFO "/tmp/ripc-reference-fifo"
#define REFERENCE 1
#else
#define FIFO MNT "/pipe/f"
#define REFERENCE 0
#endif

/* A case about ripc's own interface, which the kernel's pipes lack. */
#define RIPC_ONLY() \
	do { \
		if (REFERENCE) \
			SKIP(return, "ripc only"); \
	} while (0)

static int nread(int fd)
{
	int n = -1;

	if (ioctl(fd, FIONREAD, &n))
		return -1;
	return n;
}

/* Writes until the pipe is full (the write end must be non-blocking). */
static size_t fill(int wfd, size_t chunk)
{
	static char buf[65536];
	size_t total = 0;
	ssize_t n;

	memset(buf, 'f', sizeof(buf));
	while ((n = write(wfd, buf, chunk)) > 0)
		total += n;
	return total;
}

/* Reads exactly len bytes unless EOF or an error comes first. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return done ? (ssize_t)done : n;
		done += n;
	}
	return done;
}

static ssize_t write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		done += n;
	}
	return done;
}

static void nop_handler(int sig)
{
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	sigpipes++;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Creation */

TEST(pipe_ends_are_read_only_and_write_only)
{
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds)) TH_LOG("ripc_pipe: %s", strerror(errno));
	EXPECT_EQ(O_RDONLY, fcntl(fds[0], F_GETFL) & O_ACCMODE);
	EXPECT_EQ(O_WRONLY, fcntl(fds[1], F_GETFL) & O_ACCMODE);
	EXPECT_EQ(0, fcntl(fds[0], F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(0, fcntl(fds[0], F_GETFD));
	EXPECT_EQ(0, fcntl(fds[1], F_GETFD));
	close(fds[0]);
	close(fds[1]);
}

TEST(ends_are_fifos_to_fstat)
{
	struct stat r, w;
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	ASSERT_EQ(0, fstat(fds[0], &r));
	ASSERT_EQ(0, fstat(fds[1], &w));
	EXPECT_TRUE(S_ISFIFO(r.st_mode));
	EXPECT_TRUE(S_ISFIFO(w.st_mode));
	EXPECT_EQ(0600, r.st_mode & 07777);
	close(fds[0]);
	close(fds[1]);
}

TEST(pipe2_flags)
{
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK | RIPC_PIPE_CLOEXEC));
	EXPECT_EQ(O_NONBLOCK, fcntl(fds[0], F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(O_NONBLOCK, fcntl(fds[1], F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fds[0], F_GETFD));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fds[1], F_GETFD));
	close(fds[0]);
	close(fds[1]);
	ASSERT_EQ(0, ripc_pipe2(fds, O_CLOEXEC));
	EXPECT_EQ(0, fcntl(fds[0], F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fds[1], F_GETFD));
	close(fds[0]);
	close(fds[1]);
}

TEST(pipe2_bad_flags_einval)
{
	int fds[2] = { -7, -7 };
	int bad[] = { O_RDWR, O_WRONLY, O_APPEND, 1 << 30, -1 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, ripc_pipe2(fds, bad[i])) TH_LOG("flags %#x", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	/* Untouched on failure. */
	EXPECT_EQ(-7, fds[0]);
	EXPECT_EQ(-7, fds[1]);
}

TEST(wrong_end_ebadf_and_no_seek)
{
	char c = 'x';
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	EXPECT_EQ(-1, read(fds[1], &c, 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, write(fds[0], &c, 1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, lseek(fds[0], 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, lseek(fds[1], 0, SEEK_CUR));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, pwrite(fds[1], &c, 1, 0));
	EXPECT_EQ(ESPIPE, errno);
	ASSERT_EQ(1, write(fds[1], &c, 1));
	EXPECT_EQ(-1, pread(fds[0], &c, 1, 0));
	EXPECT_EQ(ESPIPE, errno);
	close(fds[0]);
	close(fds[1]);
}

/* Data */

TEST(write_then_read_in_order_and_short_reads)
{
	char out[16] = { 0 };
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	ASSERT_EQ(5, write(fds[1], "hello", 5));
	ASSERT_EQ(6, write(fds[1], " world", 6));
	EXPECT_EQ(11, nread(fds[0]));
	/* A read returns what is there, not what was asked for. */
	ASSERT_EQ(11, read(fds[0], out, sizeof(out)));
	EXPECT_EQ(0, memcmp(out, "hello world", 11));
	ASSERT_EQ(3, write(fds[1], "abc", 3));
	ASSERT_EQ(2, read(fds[0], out, 2));
	ASSERT_EQ(1, read(fds[0], out + 2, 5));
	EXPECT_EQ(0, memcmp(out, "abc", 3));
	EXPECT_EQ(0, nread(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

TEST(zero_length_read_and_write)
{
	char c;
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	/* Neither blocks, even on an empty pipe. */
	EXPECT_EQ(0, read(fds[0], &c, 0));
	EXPECT_EQ(0, write(fds[1], &c, 0));
	EXPECT_EQ(0, nread(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

TEST(empty_nonblocking_read_eagain_then_eof)
{
	char c;
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	EXPECT_EQ(-1, read(fds[0], &c, 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(1, write(fds[1], "z", 1));
	close(fds[1]);
	/* Data written before the close is still there, then EOF. */
	EXPECT_EQ(1, read(fds[0], &c, 1));
	EXPECT_EQ('z', c);
	EXPECT_EQ(0, read(fds[0], &c, 1));
	EXPECT_EQ(0, read(fds[0], &c, 1));
	close(fds[0]);
}

TEST(write_without_reader_epipe_and_sigpipe)
{
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	close(fds[0]);
	sigpipes = 0;
	set_handler(SIGPIPE, on_sigpipe, 0);
	EXPECT_EQ(-1, write(fds[1], "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	/* Ignored, the write still fails. */
	set_handler(SIGPIPE, SIG_IGN, 0);
	EXPECT_EQ(-1, write(fds[1], "x", 1));
	EXPECT_EQ(EPIPE, errno);
	close(fds[1]);
}

TEST(sigpipe_default_action_kills_writer)
{
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, ripc_pipe(fds));
	close(fds[0]);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(fds[1], "x", 1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGPIPE, WTERMSIG(status));
	close(fds[1]);
}

TEST(default_capacity_64k_and_getsz)
{
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	EXPECT_EQ(DEF_SIZE, ripc_pipe_get_size(fds[0]));
	EXPECT_EQ(DEF_SIZE, ripc_pipe_get_size(fds[1]));
	EXPECT_EQ(DEF_SIZE, fill(fds[1], PAGE));
	EXPECT_EQ(DEF_SIZE, nread(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

TEST(small_writes_merge_into_pages)
{
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	/* One-byte writes share pages: 64 KiB of them fit, not 16. */
	EXPECT_EQ(DEF_SIZE, fill(fds[1], 1));
	EXPECT_EQ(DEF_SIZE, nread(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

TEST(nonblocking_pipe_buf_write_all_or_eagain)
{
	static char buf[2 * DEF_SIZE];
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	/* 15 full pages and one with 100 bytes free. */
	ASSERT_EQ(DEF_SIZE - 100, write(fds[1], buf, DEF_SIZE - 100));
	/* PIPE_BUF bytes do not fit: nothing is written. */
	EXPECT_EQ(-1, write(fds[1], buf, RIPC_PIPE_BUF));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, write(fds[1], buf, 101));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(DEF_SIZE - 100, nread(fds[0]));
	/* What fits behind the last page's data goes in. */
	EXPECT_EQ(100, write(fds[1], buf, 100));
	EXPECT_EQ(DEF_SIZE, nread(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

TEST(nonblocking_large_write_is_partial)
{
	static char buf[2 * DEF_SIZE];
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	EXPECT_EQ(DEF_SIZE, write(fds[1], buf, sizeof(buf)));
	EXPECT_EQ(-1, write(fds[1], buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(data_survives_page_reuse)
{
	char in[3 * PAGE + 17], out[sizeof(in)];
	int fds[2], round;
	size_t i;

	ASSERT_EQ(0, ripc_pipe(fds));
	for (round = 0; round < 50; round++) {
		for (i = 0; i < sizeof(in); i++)
			in[i] = (char)(i * 7 + round);
		ASSERT_EQ(sizeof(in), write(fds[1], in, sizeof(in)));
		ASSERT_EQ(sizeof(in), read_full(fds[0], out, sizeof(out)));
		ASSERT_EQ(0, memcmp(in, out, sizeof(in))) TH_LOG("round %d", round);
	}
	close(fds[0]);
	close(fds[1]);
}

/* Capacity */

TEST(setsz_rounds_to_power_of_two_pages)
{
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	EXPECT_EQ(PAGE, ripc_pipe_set_size(fds[1], 0));
	EXPECT_EQ(PAGE, ripc_pipe_get_size(fds[0]));
	EXPECT_EQ(PAGE, ripc_pipe_set_size(fds[1], 1));
	EXPECT_EQ(2 * PAGE, ripc_pipe_set_size(fds[0], PAGE + 1));
	EXPECT_EQ(4 * PAGE, ripc_pipe_set_size(fds[0], 3 * PAGE));
	EXPECT_EQ(32 * PAGE, ripc_pipe_set_size(fds[1], 100000));
	EXPECT_EQ(32 * PAGE, ripc_pipe_get_size(fds[1]));
	EXPECT_EQ(32 * PAGE, fill(fds[1], PAGE));
	EXPECT_EQ(-1, ripc_pipe_set_size(fds[1], (1U << 31) + 1));
	EXPECT_EQ(EINVAL, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(ripc_fcntl_pipe_sizes)
{
	int fds[2];

	RIPC_ONLY();
	ASSERT_EQ(0, ripc_pipe(fds));
	EXPECT_EQ(DEF_SIZE, ripc_fcntl(fds[0], F_GETPIPE_SZ));
	EXPECT_EQ(8 * PAGE, ripc_fcntl(fds[1], F_SETPIPE_SZ, 5 * PAGE));
	EXPECT_EQ(8 * PAGE, ripc_fcntl(fds[0], F_GETPIPE_SZ));
	/* Other commands are fcntl's own. */
	EXPECT_EQ(O_WRONLY, ripc_fcntl(fds[1], F_GETFL) & O_ACCMODE);
	/* The kernel's fcntl does not know ripc pipes. */
	EXPECT_EQ(-1, fcntl(fds[0], F_GETPIPE_SZ));
	EXPECT_EQ(EBADF, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(setsz_shrink_below_held_ebusy_keeps_data)
{
	char buf[3 * PAGE], out[3 * PAGE];
	int fds[2];

	memset(buf, 'q', sizeof(buf));
	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	ASSERT_EQ(sizeof(buf), write(fds[1], buf, sizeof(buf)));
	EXPECT_EQ(-1, ripc_pipe_set_size(fds[1], PAGE));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, ripc_pipe_set_size(fds[1], 2 * PAGE));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(DEF_SIZE, ripc_pipe_get_size(fds[1]));
	/* Shrinking to what is held keeps it, in order. */
	EXPECT_EQ(4 * PAGE, ripc_pipe_set_size(fds[1], 4 * PAGE));
	EXPECT_EQ(3 * PAGE, nread(fds[0]));
	EXPECT_EQ(PAGE, fill(fds[1], PAGE));
	ASSERT_EQ(sizeof(out), read(fds[0], out, sizeof(out)));
	EXPECT_EQ(0, memcmp(buf, out, sizeof(out)));
	close(fds[0]);
	close(fds[1]);
}

TEST(setsz_grow_wakes_blocked_writer)
{
	static char buf[DEF_SIZE + PAGE];
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, ripc_pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(write(fds[1], buf, sizeof(buf)) == sizeof(buf) ? 0 : 1);
	sleep_ms(200);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	EXPECT_EQ(2 * DEF_SIZE, ripc_pipe_set_size(fds[0], 2 * DEF_SIZE));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(sizeof(buf), nread(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

static int user_setsz_over_max(const void *arg)
{
	int fds[2];

	if (ripc_pipe(fds))
		return 10;
	/* Up to pipe-max-size (1 MiB) is fine for anyone. */
	if (ripc_pipe_set_size(fds[0], 1 << 20) != 1 << 20)
		return 11;
	if (ripc_pipe_set_size(fds[0], 2 << 20) != -1 || errno != EPERM)
		return 12;
	/* Shrinking is always allowed. */
	if (ripc_pipe_set_size(fds[0], PAGE) != PAGE)
		return 13;
	return 0;
}

TEST(setsz_over_max_needs_cap_sys_resource)
{
	int fds[2];

	EXPECT_EQ(0, as_user(1000, user_setsz_over_max, NULL));
	/* root may. */
	ASSERT_EQ(0, ripc_pipe(fds));
	EXPECT_EQ(4 << 20, ripc_pipe_set_size(fds[0], 4 << 20));
	close(fds[0]);
	close(fds[1]);
}

#define SOFT_PIPES 64

static int user_soft_limit(const void *arg)
{
	int fds[SOFT_PIPES + 1][2], i;

	/* 64 pipes of 1 MiB: 16384 pages, exactly pipe-user-pages-soft. */
	for (i = 0; i < SOFT_PIPES; i++) {
		if (ripc_pipe(fds[i]))
			return 10;
		if (ripc_pipe_set_size(fds[i][0], 1 << 20) != 1 << 20)
			return 11;
	}
	/* Over the soft limit a new pipe gets 2 slots, and may not grow. */
	if (ripc_pipe(fds[SOFT_PIPES]))
		return 12;
	if (ripc_pipe_get_size(fds[SOFT_PIPES][0]) != 2 * PAGE)
		return 13;
	if (ripc_pipe_set_size(fds[SOFT_PIPES][0], 4 * PAGE) != -1 || errno != EPERM)
		return 14;
	/* It still works as a pipe. */
	if (write(fds[SOFT_PIPES][1], "ok", 2) != 2)
		return 15;
	/* Giving pages back lifts the limit. */
	if (ripc_pipe_set_size(fds[0][0], PAGE) != PAGE)
		return 16;
	close(fds[SOFT_PIPES][0]);
	close(fds[SOFT_PIPES][1]);
	if (ripc_pipe(fds[SOFT_PIPES]) || ripc_pipe_get_size(fds[SOFT_PIPES][0]) != DEF_SIZE)
		return 17;
	return 0;
}

TEST(user_pages_soft_limit)
{
	int fds[2];

	EXPECT_EQ(0, as_user(1000, user_soft_limit, NULL));
	/* Another user, and root, are not affected. */
	ASSERT_EQ(0, ripc_pipe(fds));
	EXPECT_EQ(DEF_SIZE, ripc_pipe_get_size(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

/* Blocking and wake-ups */

TEST(reader_blocked_woken_by_writer_in_other_process)
{
	char c = 0;
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, ripc_pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(100);
		_exit(c == 'w' ? 0 : 101);
	}
	sleep_ms(200);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	ASSERT_EQ(1, write(fds[1], "w", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fds[0]);
	close(fds[1]);
}

TEST(writer_blocked_on_full_pipe_until_read)
{
	static char buf[DEF_SIZE];
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, ripc_pipe(fds));
	ASSERT_EQ(DEF_SIZE, write(fds[1], buf, DEF_SIZE));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(write(fds[1], "x", 1) == 1 ? 0 : 100);
	sleep_ms(200);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	/* Freeing a page (not just a byte) makes room. */
	ASSERT_EQ(PAGE, read(fds[0], buf, PAGE));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(DEF_SIZE - PAGE + 1, nread(fds[0]));
	close(fds[0]);
	close(fds[1]);
}

TEST(close_of_last_writer_wakes_blocked_reader)
{
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, ripc_pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char c;

		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 0 ? 0 : 100);
	}
	/* A second writer (a dup) keeps the reader waiting. */
	int dupw = dup(fds[1]);

	close(fds[1]);
	sleep_ms(200);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	close(dupw);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fds[0]);
}

TEST(close_of_last_reader_wakes_blocked_writer_epipe)
{
	static char buf[DEF_SIZE + 1];
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, ripc_pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		ssize_t n;

		close(fds[0]);
		signal(SIGPIPE, SIG_IGN);
		/* Fills the pipe, blocks, then sees the reader go. */
		n = write(fds[1], buf, sizeof(buf));
		_exit(n == DEF_SIZE ? 0 : 100);
	}
	close(fds[1]);
	/* Wait (10 s at most) until the writer has filled the pipe. */
	for (int i = 0; i < 1000 && nread(fds[0]) < DEF_SIZE; i++)
		sleep_ms(10);
	ASSERT_EQ(DEF_SIZE, nread(fds[0]));
	sleep_ms(200);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	close(fds[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(blocked_read_interrupted_eintr)
{
	char c;
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	set_handler(SIGALRM, nop_handler, 0);
	alarm(1);
	EXPECT_EQ(-1, read(fds[0], &c, 1));
	EXPECT_EQ(EINTR, errno);
	close(fds[0]);
	close(fds[1]);
}

static int restart_wfd;

static void on_alarm_write(int sig)
{
	if (write(restart_wfd, "r", 1) != 1)
		_exit(99);
}

TEST(blocked_read_restarts_with_sa_restart)
{
	char c = 0;
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	restart_wfd = fds[1];
	set_handler(SIGALRM, on_alarm_write, SA_RESTART);
	alarm(1);
	EXPECT_EQ(1, read(fds[0], &c, 1));
	EXPECT_EQ('r', c);
	close(fds[0]);
	close(fds[1]);
}

TEST(blocked_write_interrupted_returns_partial_count)
{
	static char buf[DEF_SIZE + 3 * PAGE];
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	set_handler(SIGALRM, nop_handler, 0);
	alarm(1);
	/* What went in before the signal is reported, not EINTR. */
	EXPECT_EQ(DEF_SIZE, write(fds[1], buf, sizeof(buf)));
	alarm(1);
	EXPECT_EQ(-1, write(fds[1], buf, 1));
	EXPECT_EQ(EINTR, errno);
	close(fds[0]);
	close(fds[1]);
}

/* poll, select, epoll */

static short revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

TEST(poll_masks)
{
	int fds[2];
	char buf[PAGE];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	EXPECT_EQ(0, revents(fds[0], POLLIN));
	EXPECT_EQ(POLLOUT, revents(fds[1], POLLOUT));
	ASSERT_EQ(1, write(fds[1], "a", 1));
	EXPECT_EQ(POLLIN, revents(fds[0], POLLIN));
	fill(fds[1], PAGE);
	EXPECT_EQ(0, revents(fds[1], POLLOUT));
	ASSERT_GT(read(fds[0], buf, sizeof(buf)), 0);
	EXPECT_EQ(POLLOUT, revents(fds[1], POLLOUT));
	close(fds[1]);
	/* No writer: hang-up, with the data still readable. */
	EXPECT_EQ(POLLIN | POLLHUP, revents(fds[0], POLLIN));
	while (read(fds[0], buf, sizeof(buf)) > 0)
		;
	EXPECT_EQ(POLLHUP, revents(fds[0], POLLIN));
	close(fds[0]);

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	close(fds[0]);
	/* No reader: error on the write end. */
	EXPECT_EQ(POLLOUT | POLLERR, revents(fds[1], POLLOUT));
	close(fds[1]);
}

TEST(poll_wakes_on_write_from_other_process)
{
	struct pollfd p;
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, ripc_pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		sleep_ms(200);
		_exit(write(fds[1], "p", 1) == 1 ? 0 : 1);
	}
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	EXPECT_EQ(1, poll(&p, 1, 10000));
	EXPECT_EQ(POLLIN, p.revents);
	waitpid(pid, &status, 0);
	close(fds[0]);
	close(fds[1]);
}

TEST(select_read_and_write_sets)
{
	struct timeval tv = { 0, 0 };
	fd_set r, w;
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fds[0], &r);
	FD_SET(fds[1], &w);
	EXPECT_EQ(1, select(fds[1] + 1, &r, &w, NULL, &tv));
	EXPECT_FALSE(FD_ISSET(fds[0], &r));
	EXPECT_TRUE(FD_ISSET(fds[1], &w));
	ASSERT_EQ(1, write(fds[1], "s", 1));
	FD_ZERO(&r);
	FD_SET(fds[0], &r);
	tv = (struct timeval){ 0, 0 };
	EXPECT_EQ(1, select(fds[0] + 1, &r, NULL, NULL, &tv));
	EXPECT_TRUE(FD_ISSET(fds[0], &r));
	close(fds[0]);
	close(fds[1]);
}

TEST(epoll_level_triggered)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fds[2], ep = epoll_create1(0);
	char c;

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, ripc_pipe(fds));
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(1, write(fds[1], "l", 1));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN, ev.events);
	/* Level-triggered: still reported until read. */
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(1, read(fds[0], &c, 1));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	close(ep);
	close(fds[0]);
	close(fds[1]);
}

TEST(epoll_edge_triggered_every_write)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int fds[2], ep = epoll_create1(0);
	char buf[4];

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, ripc_pipe(fds));
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	ASSERT_EQ(1, write(fds[1], "1", 1));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	/* Reported once per edge... */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* ...and every write is an edge, even into a non-empty pipe. */
	ASSERT_EQ(1, write(fds[1], "2", 1));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* Reading is no event for the read end. */
	ASSERT_EQ(1, read(fds[0], buf, 1));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* The close of the last writer is one. */
	close(fds[1]);
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLIN | EPOLLHUP, ev.events);
	close(ep);
	close(fds[0]);
}

TEST(epoll_edge_triggered_write_end)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLET };
	int fds[2], ep = epoll_create1(0);
	char buf[PAGE];

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* Writing is no event for the write end. */
	ASSERT_EQ(1, write(fds[1], "w", 1));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	fill(fds[1], PAGE);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	/* A read that frees a slot is an edge. */
	ASSERT_EQ(PAGE, read(fds[0], buf, PAGE));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLOUT, ev.events);
	close(ep);
	close(fds[0]);
	close(fds[1]);
}

TEST(epoll_wait_blocks_until_write)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int fds[2], ep = epoll_create1(0), status;
	pid_t pid;

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, ripc_pipe(fds));
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		sleep_ms(200);
		_exit(write(fds[1], "e", 1) == 1 ? 0 : 1);
	}
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 10000));
	EXPECT_EQ(EPOLLIN, ev.events);
	waitpid(pid, &status, 0);
	close(ep);
	close(fds[0]);
	close(fds[1]);
}

/* Vectors, splice and packets: one call per request, as .read_iter/.write_iter */

static void mount_ripcfs(struct __test_metadata *_metadata);

TEST(readv_returns_what_is_there)
{
	char a[10], b[10];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	ASSERT_EQ(10, write(fds[1], "0123456789", 10));
	/* One read over both vectors: 10, not a wait for 10 more. */
	EXPECT_EQ(10, readv(fds[0], iov, 2));
	EXPECT_EQ(0, memcmp(a, "0123456789", 10));
	close(fds[0]);
	close(fds[1]);
}

#ifndef RWF_NOSIGNAL
#define RWF_NOSIGNAL 0x00000100
#endif

TEST(preadv2_nowait_and_pwritev2_nosignal)
{
	char c;
	struct iovec iov = { &c, 1 };
	int fds[2];

	sigpipes = 0;
	set_handler(SIGPIPE, on_sigpipe, 0);
	ASSERT_EQ(0, ripc_pipe(fds));
	/* A blocking pipe, but this read must not wait. */
	EXPECT_EQ(-1, preadv2(fds[0], &iov, 1, -1, RWF_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(fds[0]);
	/* EPIPE without SIGPIPE. */
	EXPECT_EQ(-1, pwritev2(fds[1], &iov, 1, -1, RWF_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0, sigpipes);
	EXPECT_EQ(-1, write(fds[1], &c, 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	close(fds[1]);
}

TEST(writev_is_one_write)
{
	struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	char buf[16];
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	EXPECT_EQ(5, writev(fds[1], iov, 3));
	EXPECT_EQ(5, nread(fds[0]));
	ASSERT_EQ(5, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abcde", 5));
	/* Vectors that add up to at most PIPE_BUF go in whole or not at all. */
	fill(fds[1], PAGE);
	EXPECT_EQ(-1, writev(fds[1], iov, 3));
	EXPECT_EQ(EAGAIN, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(splice_and_sendfile_with_native_files)
{
	int nat[2], fds[2], mfd;
	off_t off = 0;
	char buf[16];

	ASSERT_EQ(0, pipe(nat));
	ASSERT_EQ(0, ripc_pipe(fds));
	/* From a native pipe into this one, and back. */
	ASSERT_EQ(5, write(nat[1], "hello", 5));
	EXPECT_EQ(5, splice(nat[0], NULL, fds[1], NULL, 5, 0));
	EXPECT_EQ(5, nread(fds[0]));
	EXPECT_EQ(5, splice(fds[0], NULL, nat[1], NULL, sizeof(buf), 0));
	ASSERT_EQ(5, read(nat[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	/* sendfile() from a file into it. */
	mfd = memfd_create("src", 0);
	ASSERT_GE(mfd, 0);
	ASSERT_EQ(4, write(mfd, "file", 4));
	EXPECT_EQ(4, sendfile(fds[1], mfd, &off, 4));
	ASSERT_EQ(4, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "file", 4));
	if (!REFERENCE) {
		struct iovec iov = { "v", 1 };

		/* Only the kernel's own pipes can take pages (pipe.rst). */
		EXPECT_EQ(-1, vmsplice(fds[1], &iov, 1, 0));
		EXPECT_EQ(EBADF, errno);
		EXPECT_EQ(-1, tee(nat[0], fds[1], 1, SPLICE_F_NONBLOCK));
		EXPECT_EQ(EINVAL, errno);
	}
	close(mfd);
	close(nat[0]);
	close(nat[1]);
	close(fds[0]);
	close(fds[1]);
}

TEST(packet_mode_one_packet_per_read)
{
	static char buf[2 * PAGE];
	int fds[2], i;

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_DIRECT | RIPC_PIPE_NONBLOCK));
	/* Packet mode is the write end's. */
	EXPECT_EQ(O_DIRECT, fcntl(fds[1], F_GETFL) & O_DIRECT);
	EXPECT_EQ(0, fcntl(fds[0], F_GETFL) & O_DIRECT);
	ASSERT_EQ(3, write(fds[1], "abc", 3));
	ASSERT_EQ(5, write(fds[1], "defgh", 5));
	EXPECT_EQ(8, nread(fds[0]));
	/* One packet per read, even with room for more... */
	EXPECT_EQ(3, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	/* ...and a short read drops the rest of its packet. */
	EXPECT_EQ(2, read(fds[0], buf, 2));
	EXPECT_EQ(0, memcmp(buf, "de", 2));
	EXPECT_EQ(-1, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	/* A write of more than a page is cut into packets of a page. */
	memset(buf, 'p', sizeof(buf));
	ASSERT_EQ(PAGE + 100, write(fds[1], buf, PAGE + 100));
	EXPECT_EQ(PAGE + 100, nread(fds[0]));
	EXPECT_EQ(PAGE, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(100, read(fds[0], buf, sizeof(buf)));
	/* Packets never merge: one slot each. */
	for (i = 0; i < DEF_SIZE / PAGE; i++)
		ASSERT_EQ(1, write(fds[1], "x", 1));
	EXPECT_EQ(-1, write(fds[1], "x", 1));
	EXPECT_EQ(EAGAIN, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(packet_mode_set_by_fcntl)
{
	char buf[16];
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	ASSERT_EQ(0, fcntl(fds[1], F_SETFL, O_NONBLOCK | O_DIRECT));
	ASSERT_EQ(2, write(fds[1], "ab", 2));
	ASSERT_EQ(2, write(fds[1], "cd", 2));
	ASSERT_EQ(0, fcntl(fds[1], F_SETFL, O_NONBLOCK));
	/* Nothing merges into a packet... */
	ASSERT_EQ(2, write(fds[1], "ef", 2));
	ASSERT_EQ(0, fcntl(fds[1], F_SETFL, O_NONBLOCK | O_DIRECT));
	/* ...but a packet writer merges into a plain buffer (its flag rules). */
	ASSERT_EQ(2, write(fds[1], "gh", 2));
	EXPECT_EQ(8, nread(fds[0]));
	EXPECT_EQ(2, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	EXPECT_EQ(2, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "cd", 2));
	EXPECT_EQ(4, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "efgh", 4));
	close(fds[0]);
	close(fds[1]);
}

/* Edge-triggered events of a non-blocking O_RDWR FIFO through a sequence. */
#define ET_STEPS 7

static void et_sequence(int fd, uint32_t events, int counts[ET_STEPS])
{
	struct epoll_event ev = { .events = events | EPOLLET }, out[4];
	int ep = epoll_create1(0), n = 0;
	char buf[PAGE];

	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	counts[n++] = epoll_wait(ep, out, 4, 0);
	write(fd, "a", 1);
	counts[n++] = epoll_wait(ep, out, 4, 0);
	write(fd, "b", 1);
	counts[n++] = epoll_wait(ep, out, 4, 0);
	read(fd, buf, 1);
	counts[n++] = epoll_wait(ep, out, 4, 0);
	read(fd, buf, 1);
	counts[n++] = epoll_wait(ep, out, 4, 0);
	fill(fd, PAGE);
	counts[n++] = epoll_wait(ep, out, 4, 0);
	read(fd, buf, PAGE);
	counts[n++] = epoll_wait(ep, out, 4, 0);
	close(ep);
}

#define NATIVE_FIFO "/tmp/ripc-native-et-fifo"

TEST(epoll_edge_events_as_native_fifo)
{
	int native[ET_STEPS], ours[ET_STEPS], i, fd;
	const uint32_t watch[] = { EPOLLIN, EPOLLOUT, EPOLLIN | EPOLLOUT };

	mount_ripcfs(_metadata);
	unlink(NATIVE_FIFO);
	ASSERT_EQ(0, mkfifo(NATIVE_FIFO, 0600));
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	for (i = 0; i < 3; i++) {
		fd = open(NATIVE_FIFO, O_RDWR | O_NONBLOCK);
		ASSERT_GE(fd, 0);
		et_sequence(fd, watch[i], native);
		close(fd);
		fd = open(FIFO, O_RDWR | O_NONBLOCK);
		ASSERT_GE(fd, 0);
		et_sequence(fd, watch[i], ours);
		close(fd);
		EXPECT_EQ(0, memcmp(native, ours, sizeof(ours)))
		TH_LOG("events %#x: native %d %d %d %d %d %d %d, ripc %d %d %d %d %d %d %d",
		       watch[i], native[0], native[1], native[2], native[3], native[4], native[5],
		       native[6], ours[0], ours[1], ours[2], ours[3], ours[4], ours[5], ours[6]);
	}
	unlink(NATIVE_FIFO);
	unlink(FIFO);
	ASSERT_EQ(0, umount(MNT));
}

TEST(epoll_edge_events_as_native_pipe)
{
	int native[2][ET_STEPS], ours[2][ET_STEPS], nat[2], fds[2], i, j;
	struct epoll_event ev, out[4];
	int eps[4], *counts[4] = { native[0], native[1], ours[0], ours[1] };
	int ends[4];
	char buf[PAGE];

	ASSERT_EQ(0, pipe2(nat, O_NONBLOCK));
	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	ends[0] = nat[0], ends[1] = nat[1], ends[2] = fds[0], ends[3] = fds[1];
	for (i = 0; i < 4; i++) {
		eps[i] = epoll_create1(0);
		ev.events = (i % 2 ? EPOLLOUT : EPOLLIN) | EPOLLET;
		ASSERT_EQ(0, epoll_ctl(eps[i], EPOLL_CTL_ADD, ends[i], &ev));
	}
	/* The same steps on both pipes; the events of each end after each. */
	for (j = 0; j < ET_STEPS; j++) {
		for (i = 0; i < 4; i += 2) {
			int r = ends[i], w = ends[i + 1];

			switch (j) {
			case 1: write(w, "a", 1); break;
			case 2: write(w, "b", 1); break;
			case 3: read(r, buf, 1); break;
			case 4: fill(w, PAGE); break;
			case 5: read(r, buf, PAGE); break;
			case 6: read(r, buf, 1); break;
			}
		}
		for (i = 0; i < 4; i++)
			counts[i][j] = epoll_wait(eps[i], out, 4, 0);
	}
	EXPECT_EQ(0, memcmp(native, ours, sizeof(ours)));
	for (i = 0; i < 4; i++)
		close(eps[i]);
	close(nat[0]);
	close(nat[1]);
	close(fds[0]);
	close(fds[1]);
}


struct stuck_write {
	int fd;
	void *page;
	ssize_t ret;
};

static void *write_from(void *arg)
{
	struct stuck_write *w = arg;

	w->ret = write(w->fd, w->page, PAGE);
	return NULL;
}

/*
 * A writer stuck on a page fault inside its copy holds the pipe's mutex;
 * poll takes no lock (pipe_poll()), so it still answers.
 */
TEST(poll_answers_while_writer_stuck_in_fault)
{
	struct stuck_write w;
	struct pollfd pfd;
	pthread_t thread;
	int fds[2], uffd;

	w.page = stuck_page(&uffd);
	if (!w.page)
		SKIP(return, "no userfaultfd");
	ASSERT_EQ(0, ripc_pipe(fds));
	w.fd = fds[1];
	ASSERT_EQ(0, pthread_create(&thread, NULL, write_from, &w));
	ASSERT_EQ(0, wait_fault(uffd));
	pfd = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	pfd = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(0, resolve_fault(uffd, w.page));
	pthread_join(thread, NULL);
	EXPECT_EQ(PAGE, w.ret);
	EXPECT_EQ(PAGE, nread(fds[0]));
	close(uffd);
	close(fds[0]);
	close(fds[1]);
}

static void on_sigusr1(int sig)
{
}

/*
 * A reader blocked on an empty pipe gets data and a signal while it cannot
 * run (the writer, on the same CPU, is SCHED_FIFO): as Linux it returns the
 * data, since wait_event_interruptible() checks the condition before the
 * signal.
 */
TEST(data_and_signal_together_read_gets_data)
{
	struct sched_param sp = { .sched_priority = 1 };
	int fds[2], status;
	cpu_set_t cpu0;
	pid_t pid;
	char c;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	ASSERT_EQ(0, ripc_pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		set_handler(SIGUSR1, on_sigusr1, 0);
		close(fds[1]);
		/* No SA_RESTART: a signal first would be EINTR. */
		if (read(fds[0], &c, 1) != 1)
			_exit(errno == EINTR ? 2 : 3);
		_exit(c == 'd' ? 0 : 4);
	}
	ASSERT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, sched_setscheduler(0, SCHED_FIFO, &sp));
	ASSERT_EQ(1, write(fds[1], "d", 1));
	kill(pid, SIGUSR1);
	sp.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &sp);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fds[0]);
	close(fds[1]);
}

/* Writes `value` to a sysctl or module parameter; 0 on success. */
static int write_value(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, value, strlen(value)) == (ssize_t)strlen(value) ? 0 : -1;
	close(fd);
	return ret;
}

static long read_value(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return atol(buf);
}

#define LINUX_MAX_SIZE "/proc/sys/fs/pipe-max-size"
#define RIPC_MAX_SIZE "/sys/module/ripc/parameters/pipe_max_size"

static int user_max_size_rounded(const void *arg)
{
	int nat[2], fds[2];

	if (pipe(nat) || ripc_pipe(fds))
		return 10;
	/* A new pipe is pipe-max-size rounded up: 16 KiB on both. */
	if (fcntl(nat[0], F_GETPIPE_SZ) != 4 * PAGE || ripc_pipe_get_size(fds[0]) != 4 * PAGE)
		return 11;
	if (fcntl(nat[0], F_SETPIPE_SZ, PAGE) != PAGE || ripc_pipe_set_size(fds[0], PAGE) != PAGE)
		return 12;
	/* Growing back to the rounded maximum is allowed... */
	if (fcntl(nat[0], F_SETPIPE_SZ, 4 * PAGE) != 4 * PAGE)
		return 13;
	if (ripc_pipe_set_size(fds[0], 4 * PAGE) != 4 * PAGE)
		return 14;
	/* ...and past it is not. */
	if (fcntl(nat[0], F_SETPIPE_SZ, 8 * PAGE) != -1 || errno != EPERM)
		return 15;
	if (ripc_pipe_set_size(fds[0], 8 * PAGE) != -1 || errno != EPERM)
		return 16;
	return 0;
}

TEST(pipe_max_size_rounded_up_as_linux)
{
	long linux_saved = read_value(LINUX_MAX_SIZE), ripc_saved = read_value(RIPC_MAX_SIZE);
	char saved[32];

	RIPC_ONLY();
	ASSERT_GT(linux_saved, 0);
	ASSERT_GT(ripc_saved, 0);
	/* 3 pages: Linux keeps 4 (round_pipe_size()). */
	ASSERT_EQ(0, write_value(LINUX_MAX_SIZE, "12288"));
	ASSERT_EQ(0, write_value(RIPC_MAX_SIZE, "12288"));
	EXPECT_EQ(4 * PAGE, read_value(LINUX_MAX_SIZE));
	EXPECT_EQ(0, as_user(RIPCUSER, user_max_size_rounded, NULL));
	snprintf(saved, sizeof(saved), "%ld", linux_saved);
	EXPECT_EQ(0, write_value(LINUX_MAX_SIZE, saved));
	snprintf(saved, sizeof(saved), "%ld", ripc_saved);
	EXPECT_EQ(0, write_value(RIPC_MAX_SIZE, saved));
}

/* Bad input */

TEST(bad_pointers_efault_nothing_lost)
{
	volatile uintptr_t low = 8, kernel = 0xffffffff81000000UL;
	char out[8];
	int fds[2], n;
	char *map;

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	EXPECT_EQ(-1, write(fds[1], (void *)low, 10));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, write(fds[1], (void *)kernel, PAGE));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, nread(fds[0]));
	ASSERT_EQ(5, write(fds[1], "keep!", 5));
	/* A small write that faults does not merge anything either. */
	EXPECT_EQ(-1, write(fds[1], (void *)low, 3));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, read(fds[0], (void *)low, 5));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, read(fds[0], (void *)kernel, 5));
	EXPECT_EQ(EFAULT, errno);
	/* The data is still there. */
	EXPECT_EQ(5, nread(fds[0]));
	ASSERT_EQ(5, read(fds[0], out, sizeof(out)));
	EXPECT_EQ(0, memcmp(out, "keep!", 5));
	EXPECT_EQ(-1, ioctl(fds[0], FIONREAD, (void *)low));
	EXPECT_EQ(EFAULT, errno);

	/* A write whose buffer ends in a hole stops at the hole. */
	map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	memset(map, 'm', PAGE);
	ASSERT_EQ(0, munmap(map + PAGE, PAGE));
	n = write(fds[1], map, 2 * PAGE);
	EXPECT_EQ(PAGE, n);
	EXPECT_EQ(PAGE, nread(fds[0]));
	munmap(map, PAGE);
	close(fds[0]);
	close(fds[1]);
}

TEST(pipe2_bad_fds_pointer_efault_no_fd_leak)
{
	volatile uintptr_t low = 8;
	struct ripc_pipe2_args args = { .fds = 8 };
	int before, after;

	ASSERT_GE(ripc_dev_fd(), 0);
	before = dup(0);
	ASSERT_GE(before, 0);
	close(before);
	EXPECT_EQ(-1, ripc_pipe2((int *)low, 0));
	EXPECT_EQ(EFAULT, errno);
	/* The reserved descriptors were given back. */
	after = dup(0);
	EXPECT_EQ(before, after);
	close(after);
	/* A bad argument structure, and a reserved field. */
	EXPECT_EQ(-1, ioctl(ripc_dev_fd(), RIPC_IOC_PIPE2, (void *)low));
	EXPECT_EQ(EFAULT, errno);
	args.__reserved = 1;
	EXPECT_EQ(-1, ioctl(ripc_dev_fd(), RIPC_IOC_PIPE2, &args));
	EXPECT_EQ(EINVAL, errno);
}

TEST(pipe2_without_two_free_fds_emfile)
{
	struct rlimit old, lim;
	int fds[2] = { -7, -7 }, next, again;

	ASSERT_GE(ripc_dev_fd(), 0);
	next = dup(0);
	ASSERT_GE(next, 0);
	close(next);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	/* Room for one more descriptor, not two. */
	lim = old;
	lim.rlim_cur = next + 1;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	EXPECT_EQ(-1, ripc_pipe(fds));
	EXPECT_EQ(EMFILE, errno);
	EXPECT_EQ(-7, fds[0]);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	again = dup(0);
	EXPECT_EQ(next, again);
	close(again);
}

TEST(setfl_nonblock_switches_blocking)
{
	char c;
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	ASSERT_EQ(0, fcntl(fds[0], F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(fds[0], &c, 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(fds[0], F_SETFL, 0));
	set_handler(SIGALRM, nop_handler, 0);
	alarm(1);
	EXPECT_EQ(-1, read(fds[0], &c, 1));
	EXPECT_EQ(EINTR, errno);
	close(fds[0]);
	close(fds[1]);
}

TEST(unknown_ioctl_enotty)
{
	int fds[2];

	ASSERT_EQ(0, ripc_pipe(fds));
	EXPECT_EQ(-1, ioctl(fds[0], RIPC_IOC_EVENTFD, NULL));
	EXPECT_EQ(ENOTTY, errno);
	close(fds[0]);
	close(fds[1]);
}

/* Processes and concurrency */

TEST(fork_inherits_both_ends)
{
	char buf[64] = { 0 };
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, ripc_pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* The seed's example: the child reads what the parent wrote. */
		close(fds[1]);
		if (read_full(fds[0], buf, 12) != 12 || memcmp(buf, "from parent!", 12))
			_exit(100);
		if (read(fds[0], buf, 1) != 0)
			_exit(101);
		_exit(0);
	}
	close(fds[0]);
	ASSERT_EQ(12, write(fds[1], "from parent!", 12));
	close(fds[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

#define STREAM_BYTES (6 << 20)

TEST(random_sized_stream_arrives_intact)
{
	static unsigned char buf[3 * DEF_SIZE];
	uint32_t seed = 12345, check = 12345, sizes = 777;
	size_t got = 0, i;
	int fds[2], status;
	pid_t pid;

	ASSERT_EQ(0, ripc_pipe(fds));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		size_t sent = 0;

		close(fds[0]);
		while (sent < STREAM_BYTES) {
			size_t n = xorshift(&sizes) % sizeof(buf) + 1;

			if (n > STREAM_BYTES - sent)
				n = STREAM_BYTES - sent;
			for (i = 0; i < n; i++)
				buf[i] = (unsigned char)xorshift(&seed);
			if (write_full(fds[1], buf, n) != (ssize_t)n)
				_exit(100);
			sent += n;
		}
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		size_t want = xorshift(&sizes) % sizeof(buf) + 1;
		ssize_t n = read(fds[0], buf, want);

		ASSERT_GE(n, 0);
		if (n == 0)
			break;
		for (i = 0; i < (size_t)n; i++)
			if ((unsigned char)xorshift(&check) != buf[i])
				break;
		ASSERT_EQ(n, i) TH_LOG("byte %zu differs", got + i);
		got += n;
	}
	EXPECT_EQ(STREAM_BYTES, got);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fds[0]);
}

#define WRITERS 8
#define RECORDS 200

/* 8 writers of records of `size` bytes (at most PIPE_BUF): never mixed. */
static void records_never_interleave(struct __test_metadata *_metadata, size_t size)
{
	size_t total = (size_t)WRITERS * RECORDS * size, got = 0, i, j;
	unsigned char *all = malloc(total);
	int counts[WRITERS] = { 0 };
	int fds[2], w, status;

	ASSERT_NE(NULL, all);
	ASSERT_EQ(0, ripc_pipe(fds));
	for (w = 0; w < WRITERS; w++) {
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0) {
			unsigned char rec[RIPC_PIPE_BUF];
			int r;

			close(fds[0]);
			for (r = 0; r < RECORDS; r++) {
				memset(rec, w + 1, size);
				rec[size - 1] = (unsigned char)r;
				if (write(fds[1], rec, size) != (ssize_t)size)
					_exit(100);
			}
			_exit(0);
		}
	}
	close(fds[1]);
	for (;;) {
		ssize_t n = read(fds[0], all + got, total - got < 1000 ? total - got : 1000);

		ASSERT_GE(n, 0);
		if (n == 0)
			break;
		got += n;
	}
	ASSERT_EQ(total, got);
	for (i = 0; i < total; i += size) {
		unsigned char id = all[i];

		ASSERT_GE(id, 1);
		ASSERT_LE(id, WRITERS);
		for (j = 0; j < size - 1; j++)
			ASSERT_EQ(id, all[i + j]) TH_LOG("record at %zu mixed", i);
		/* Each writer's records arrive in its own order. */
		ASSERT_EQ((unsigned char)counts[id - 1], all[i + size - 1]);
		counts[id - 1]++;
	}
	for (w = 0; w < WRITERS; w++) {
		EXPECT_EQ(RECORDS, counts[w]);
		wait(&status);
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	close(fds[0]);
	free(all);
}

TEST(writers_of_pipe_buf_records_never_interleave)
{
	records_never_interleave(_metadata, RIPC_PIPE_BUF);
}

TEST(writers_of_small_records_never_interleave)
{
	records_never_interleave(_metadata, 100);
}

/* Named FIFOs */

static void mount_ripcfs(struct __test_metadata *_metadata)
{
	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL)) TH_LOG("mount: %s", strerror(errno));
}

TEST(mkfifo_makes_a_fifo_in_pipe_dir)
{
	struct stat st;
	int fd;

	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0640)) TH_LOG("mkfifo: %s", strerror(errno));
	ASSERT_EQ(0, stat(FIFO, &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_EQ(0640, st.st_mode & 07777);
	EXPECT_EQ(-1, mkfifo(FIFO, 0640));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(0, mknod(MNT "/pipe/n", S_IFIFO | 0600, 0));
	/* Only FIFOs here. */
	EXPECT_EQ(-1, open(MNT "/pipe/reg", O_CREAT | O_RDWR, 0600));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mknod(MNT "/pipe/reg", S_IFREG | 0600, 0));
	EXPECT_EQ(EPERM, errno);
	/* ripc's FIFO: its ioctls answer. */
	fd = open(FIFO, O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(DEF_SIZE, ripc_pipe_get_size(fd));
	close(fd);
	EXPECT_EQ(0, unlink(FIFO));
	EXPECT_EQ(0, unlink(MNT "/pipe/n"));
	ASSERT_EQ(0, umount(MNT));
}

TEST(fifo_rdwr_never_blocks)
{
	char buf[8];
	int fd;

	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	fd = open(FIFO, O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(4, write(fd, "self", 4));
	EXPECT_EQ(4, nread(fd));
	ASSERT_EQ(4, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "self", 4));
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	close(fd);
	unlink(FIFO);
	ASSERT_EQ(0, umount(MNT));
}

TEST(fifo_nonblocking_opens)
{
	char c;
	int rfd, wfd;

	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	/* No reader: a non-blocking writer fails. */
	EXPECT_EQ(-1, open(FIFO, O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(ENXIO, errno);
	/* A non-blocking reader opens without a writer... */
	rfd = open(FIFO, O_RDONLY | O_NONBLOCK);
	ASSERT_GE(rfd, 0);
	/* ...reads EOF (no writer) and sees no hang-up until a writer came. */
	EXPECT_EQ(0, read(rfd, &c, 1));
	EXPECT_EQ(0, revents(rfd, POLLIN));
	wfd = open(FIFO, O_WRONLY | O_NONBLOCK);
	ASSERT_GE(wfd, 0);
	EXPECT_EQ(-1, read(rfd, &c, 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(1, write(wfd, "n", 1));
	EXPECT_EQ(POLLIN, revents(rfd, POLLIN));
	close(wfd);
	EXPECT_EQ(POLLIN | POLLHUP, revents(rfd, POLLIN));
	EXPECT_EQ(1, read(rfd, &c, 1));
	EXPECT_EQ(0, read(rfd, &c, 1));
	close(rfd);
	unlink(FIFO);
	ASSERT_EQ(0, umount(MNT));
}

TEST(fifo_reader_open_blocks_until_writer)
{
	int rfd, status;
	pid_t pid;
	char c = 0;

	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(FIFO, O_RDONLY);

		if (fd < 0)
			_exit(100);
		_exit(read(fd, &c, 1) == 1 && c == 'b' ? 0 : 101);
	}
	sleep_ms(200);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	/* The writer's open finds the waiting reader and does not block. */
	rfd = open(FIFO, O_WRONLY);
	ASSERT_GE(rfd, 0);
	ASSERT_EQ(1, write(rfd, "b", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(rfd);
	unlink(FIFO);
	ASSERT_EQ(0, umount(MNT));
}

TEST(fifo_writer_open_blocks_until_reader)
{
	int rfd, status;
	pid_t pid;
	char buf[8] = { 0 };

	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(FIFO, O_WRONLY);

		if (fd < 0)
			_exit(100);
		_exit(write(fd, "hey", 3) == 3 ? 0 : 101);
	}
	sleep_ms(200);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	rfd = open(FIFO, O_RDONLY);
	ASSERT_GE(rfd, 0);
	EXPECT_EQ(3, read_full(rfd, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "hey", 3));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The writer is gone: EOF. */
	EXPECT_EQ(0, read(rfd, buf, 1));
	close(rfd);
	unlink(FIFO);
	ASSERT_EQ(0, umount(MNT));
}

TEST(fifo_blocking_open_interrupted_eintr)
{
	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	set_handler(SIGALRM, nop_handler, 0);
	alarm(1);
	EXPECT_EQ(-1, open(FIFO, O_RDONLY));
	EXPECT_EQ(EINTR, errno);
	alarm(1);
	EXPECT_EQ(-1, open(FIFO, O_WRONLY));
	EXPECT_EQ(EINTR, errno);
	/* The failed opens left no reader or writer behind. */
	EXPECT_EQ(-1, open(FIFO, O_WRONLY | O_NONBLOCK));
	EXPECT_EQ(ENXIO, errno);
	unlink(FIFO);
	ASSERT_EQ(0, umount(MNT));
}

TEST(fifo_between_unrelated_processes_and_unlink)
{
	char buf[32] = { 0 };
	int status, rfd;
	pid_t writer;

	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0666));
	writer = fork();
	ASSERT_GE(writer, 0);
	if (writer == 0) {
		/* Knows only the name. */
		int fd = open(FIFO, O_WRONLY);

		if (fd < 0)
			_exit(100);
		if (write(fd, "by name", 7) != 7)
			_exit(101);
		sleep_ms(300);
		/* After the name is gone the open end still works. */
		_exit(write(fd, "+after", 6) == 6 ? 0 : 102);
	}
	rfd = open(FIFO, O_RDONLY);
	ASSERT_GE(rfd, 0);
	EXPECT_EQ(7, read_full(rfd, buf, 7));
	EXPECT_EQ(0, unlink(FIFO));
	EXPECT_EQ(-1, access(FIFO, F_OK));
	EXPECT_EQ(6, read_full(rfd, buf + 7, 6));
	EXPECT_EQ(0, strcmp(buf, "by name+after"));
	ASSERT_EQ(writer, waitpid(writer, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(rfd);
	ASSERT_EQ(0, umount(MNT));
}

TEST(fifo_data_discarded_when_last_end_closes)
{
	char c;
	int fd, rfd;

	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	fd = open(FIFO, O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(2 * DEF_SIZE, ripc_pipe_set_size(fd, 2 * DEF_SIZE));
	ASSERT_EQ(4, write(fd, "gone", 4));
	close(fd);
	/* As on Linux, a FIFO holds data only while it is open. */
	rfd = open(FIFO, O_RDONLY | O_NONBLOCK);
	ASSERT_GE(rfd, 0);
	EXPECT_EQ(0, nread(rfd));
	EXPECT_EQ(0, read(rfd, &c, 1));
	EXPECT_EQ(DEF_SIZE, ripc_pipe_get_size(rfd));
	close(rfd);
	unlink(FIFO);
	ASSERT_EQ(0, umount(MNT));
}

TEST(fifo_write_without_reader_epipe)
{
	int rfd, wfd;

	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	rfd = open(FIFO, O_RDONLY | O_NONBLOCK);
	ASSERT_GE(rfd, 0);
	wfd = open(FIFO, O_WRONLY);
	ASSERT_GE(wfd, 0);
	close(rfd);
	set_handler(SIGPIPE, SIG_IGN, 0);
	EXPECT_EQ(-1, write(wfd, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(POLLOUT | POLLERR, revents(wfd, POLLOUT));
	close(wfd);
	unlink(FIFO);
	ASSERT_EQ(0, umount(MNT));
}

static int user_opens_fifo(const void *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

TEST(fifo_permissions_follow_mode_bits)
{
	mount_ripcfs(_metadata);
	ASSERT_EQ(0, mkfifo(FIFO, 0600));
	EXPECT_EQ(EACCES, as_user(1000, user_opens_fifo, FIFO));
	ASSERT_EQ(0, chmod(FIFO, 0666));
	EXPECT_EQ(0, as_user(1000, user_opens_fifo, FIFO));
	unlink(FIFO);
	ASSERT_EQ(0, umount(MNT));
}

TEST(version_reports_pipes)
{
	struct ripc_version v;

	ASSERT_EQ(0, ripc_version(&v));
	EXPECT_TRUE(v.features & RIPC_FEAT_PIPE);
}

TEST_HARNESS_MAIN
