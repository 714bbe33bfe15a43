// SPDX-License-Identifier: GPL-2.0
/*
 * A pipe's inode: both ends of a ripc pipe are one S_IFIFO inode of ripc's
 * pipefs, as a Linux pipe's are of pipefs (fs/pipe.c: get_pipe_inode(),
 * create_pipe_files()). Each case runs on a native pipe and on a ripc
 * pipe with the same expectations, which are Linux's:
 *
 * - fstat() and fstatfs() show what Linux fixes for a pipe (S_IFIFO|0600,
 *   one st_ino for both ends, one link, the creator's fsuid/fsgid, an
 *   anonymous device, PIPEFS_MAGIC);
 * - /proc/self/fd/N reads "pipe:[ino]", and opening it opens the same pipe
 *   (fifo_open() on the pipefs inode): data flows between old and new
 *   descriptors, and an anonymous pipe's reopen never waits for a partner
 *   nor fails with ENXIO (7.2's fifo_open() skips both for is_pipe);
 * - bash, through libripc-preload.so, runs the idioms that need the above:
 *   diff <(a) <(b), read x < <(a), tee >(a), a | cat /dev/stdin,
 *   a | cat /proc/self/fd/0.
 *
 * And the module: the inode is ripc's, so a descriptor that keeps it (an
 * O_PATH one, an inotify watch) keeps the module, which can be unloaded
 * once it is gone; the notifier's shared anonymous inode is the kernel's
 * and pins nothing. Runs as root in the guest; RIPC_KO names the module
 * file (default /ripc/ripc.ko), RIPC_PRELOAD the preload library.
 *
 * `ripc_pipefs_test --probe FD` prints "ripc" if FD is a ripc pipe, else
 * "native": the shell cases run it inside the idioms.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

enum kind { NATIVE, RIPC };
static const char *const kind_name[] = { "native", "ripc" };

static int make_pipe(enum kind kind, int fds[2], int flags)
{
	return kind == RIPC ? ripc_pipe2(fds, flags) : pipe2(fds, flags);
}

/* open("/proc/self/fd/<fd>", flags). */
static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags);
}

static int is_ripc_pipe(int fd)
{
	return ioctl(fd, RIPC_PIPE_IOC_GETSZ) > 0;
}

/*
 * The fields Linux fixes for a pipe: both ends one FIFO inode, mode 0600,
 * one link, the creator's fsuid/fsgid, no size or blocks, an anonymous
 * device (major 0) and no rdev.
 */
static int check_pipe_stat(struct __test_metadata *_metadata, enum kind kind,
			   uid_t uid, gid_t gid, struct stat *out)
{
	struct stat r, w;
	int fds[2];

	if (make_pipe(kind, fds, 0))
		return -1;
	EXPECT_EQ(0, fstat(fds[0], &r));
	EXPECT_EQ(0, fstat(fds[1], &w));
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(S_IFIFO | 0600, r.st_mode) TH_LOG("%s", kind_name[kind]);
	EXPECT_EQ(r.st_ino, w.st_ino) TH_LOG("%s: both ends are one inode", kind_name[kind]);
	EXPECT_EQ(r.st_dev, w.st_dev);
	EXPECT_EQ(r.st_mode, w.st_mode);
	EXPECT_EQ(1, r.st_nlink);
	EXPECT_EQ(uid, r.st_uid);
	EXPECT_EQ(gid, r.st_gid);
	EXPECT_EQ(0, r.st_size);
	EXPECT_EQ(0, r.st_blocks);
	EXPECT_EQ(0, r.st_rdev);
	EXPECT_EQ(0, major(r.st_dev)) TH_LOG("%s: an anonymous device", kind_name[kind]);
	*out = r;
	return 0;
}

TEST(fstat_like_native)
{
	struct stat native, ripc;

	ASSERT_EQ(0, check_pipe_stat(_metadata, NATIVE, geteuid(), getegid(), &native));
	ASSERT_EQ(0, check_pipe_stat(_metadata, RIPC, geteuid(), getegid(), &ripc));
	EXPECT_EQ(native.st_blksize, ripc.st_blksize);
	EXPECT_NE(native.st_dev, ripc.st_dev) TH_LOG("ripc's pipes are its own filesystem");
}

/* The owner is the creator's fsuid and fsgid. */
static int stat_as_user(const void *arg)
{
	enum kind kind = *(const enum kind *)arg;
	struct stat st;
	int fds[2];

	if (make_pipe(kind, fds, 0) || fstat(fds[0], &st))
		return 1;
	return st.st_uid == RIPCUSER && st.st_gid == RIPCUSER ? 0 : 2;
}

TEST(owner_is_creator)
{
	static const enum kind native = NATIVE, ripc = RIPC;

	EXPECT_EQ(0, as_user(RIPCUSER, stat_as_user, &native));
	EXPECT_EQ(0, as_user(RIPCUSER, stat_as_user, &ripc));
}

/*
 * A pipe made in a new user namespace (where ripc may mount its pipefs for
 * the first time): made, and shown with the same owner as a native one.
 */
static int stat_in_user_ns(void)
{
	struct stat native, ripc;
	int p[2], q[2];

	if (unshare(CLONE_NEWUSER))
		return 1;
	if (make_pipe(NATIVE, p, 0) || make_pipe(RIPC, q, 0))
		return 2;
	if (fstat(p[0], &native) || fstat(q[0], &ripc))
		return 3;
	if (native.st_uid != ripc.st_uid || native.st_gid != ripc.st_gid ||
	    native.st_mode != ripc.st_mode)
		return 4;
	return 0;
}

static int in_child(int (*fn)(void));

TEST(pipe_in_a_user_namespace)
{
	EXPECT_EQ(0, in_child(stat_in_user_ns));
}

/*
 * Pipes alive at once: one device, an inode each; and a later pipe has the
 * same device (ripc keeps its pipefs mounted while /dev/ripc is open,
 * which libripc keeps).
 */
TEST(pipes_share_device_not_inode)
{
	enum kind kind;

	for (kind = NATIVE; kind <= RIPC; kind++) {
		struct stat a, b, c;
		int p[2], q[2];

		ASSERT_EQ(0, make_pipe(kind, p, 0));
		ASSERT_EQ(0, make_pipe(kind, q, 0));
		ASSERT_EQ(0, fstat(p[0], &a));
		ASSERT_EQ(0, fstat(q[1], &b));
		EXPECT_EQ(a.st_dev, b.st_dev) TH_LOG("%s", kind_name[kind]);
		EXPECT_NE(a.st_ino, b.st_ino) TH_LOG("%s", kind_name[kind]);
		close(p[0]);
		close(p[1]);
		close(q[0]);
		close(q[1]);
		ASSERT_EQ(0, make_pipe(kind, p, 0));
		ASSERT_EQ(0, fstat(p[0], &c));
		EXPECT_EQ(a.st_dev, c.st_dev) TH_LOG("%s", kind_name[kind]);
		close(p[0]);
		close(p[1]);
	}
}

/* Programs recognise a pipe by PIPEFS_MAGIC; the rest is simple_statfs(). */
TEST(fstatfs_like_native)
{
	struct statfs s[2];
	enum kind kind;

	for (kind = NATIVE; kind <= RIPC; kind++) {
		int fds[2];

		ASSERT_EQ(0, make_pipe(kind, fds, 0));
		ASSERT_EQ(0, fstatfs(fds[1], &s[kind]));
		close(fds[0]);
		close(fds[1]);
		EXPECT_EQ(PIPEFS_MAGIC, (unsigned long)s[kind].f_type) TH_LOG("%s", kind_name[kind]);
	}
	EXPECT_EQ(s[NATIVE].f_bsize, s[RIPC].f_bsize);
	EXPECT_EQ(s[NATIVE].f_frsize, s[RIPC].f_frsize);
	EXPECT_EQ(s[NATIVE].f_namelen, s[RIPC].f_namelen);
	EXPECT_EQ(s[NATIVE].f_flags, s[RIPC].f_flags);
	EXPECT_EQ(s[NATIVE].f_blocks, s[RIPC].f_blocks);
	EXPECT_EQ(s[NATIVE].f_bfree, s[RIPC].f_bfree);
	EXPECT_EQ(s[NATIVE].f_files, s[RIPC].f_files);
	EXPECT_EQ(s[NATIVE].f_ffree, s[RIPC].f_ffree);
}

TEST(proc_fd_link_names_the_inode)
{
	enum kind kind;

	for (kind = NATIVE; kind <= RIPC; kind++) {
		char path[64], target[64], expect[64];
		struct stat st;
		ssize_t n;
		int fds[2], end;

		ASSERT_EQ(0, make_pipe(kind, fds, 0));
		ASSERT_EQ(0, fstat(fds[0], &st));
		snprintf(expect, sizeof(expect), "pipe:[%llu]", (unsigned long long)st.st_ino);
		for (end = 0; end < 2; end++) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[end]);
			n = readlink(path, target, sizeof(target) - 1);
			ASSERT_LT(0, n);
			target[n] = 0;
			EXPECT_STREQ(expect, target) TH_LOG("%s", kind_name[kind]);
		}
		close(fds[0]);
		close(fds[1]);
	}
}

/* Writes s on wfd and expects to read exactly s on rfd. */
static void flows(struct __test_metadata *_metadata, int wfd, int rfd, const char *s)
{
	char buf[32] = { 0 };
	size_t len = strlen(s);

	ASSERT_EQ((ssize_t)len, write(wfd, s, len));
	ASSERT_EQ((ssize_t)len, read(rfd, buf, sizeof(buf)));
	EXPECT_STREQ(s, buf);
}

/* Opening /proc/self/fd/N opens the same pipe, with any access mode. */
TEST(reopen_is_the_same_pipe)
{
	enum kind kind;

	for (kind = NATIVE; kind <= RIPC; kind++) {
		struct stat a, b;
		int p[2], r, w, rw;

		ASSERT_EQ(0, make_pipe(kind, p, 0));
		r = reopen(p[0], O_RDONLY);
		w = reopen(p[1], O_WRONLY);
		/* The write end's link opened for reading: one inode. */
		rw = reopen(p[1], O_RDWR);
		ASSERT_LE(0, r) TH_LOG("%s: %s", kind_name[kind], strerror(errno));
		ASSERT_LE(0, w) TH_LOG("%s: %s", kind_name[kind], strerror(errno));
		ASSERT_LE(0, rw) TH_LOG("%s: %s", kind_name[kind], strerror(errno));
		ASSERT_EQ(0, fstat(p[0], &a));
		ASSERT_EQ(0, fstat(r, &b));
		EXPECT_EQ(a.st_ino, b.st_ino);
		EXPECT_EQ(a.st_dev, b.st_dev);
		EXPECT_EQ(kind == RIPC, is_ripc_pipe(r));
		flows(_metadata, w, p[0], "new to old");
		flows(_metadata, p[1], r, "old to new");
		flows(_metadata, rw, rw, "both ways");
		/* The original ends gone, the reopened ones keep the pipe. */
		close(p[0]);
		close(p[1]);
		flows(_metadata, w, r, "after close");
		/* A new file is a stream, as the ends. */
		EXPECT_EQ(-1, lseek(r, 0, SEEK_CUR));
		EXPECT_EQ(ESPIPE, errno);
		close(r);
		close(w);
		close(rw);
	}
}

/*
 * Linux 7.2's fifo_open() on an anonymous pipe's inode (is_pipe) neither
 * waits for a partner nor fails with ENXIO: a reader opened with no writer
 * sees EOF at once, a non-blocking writer with no reader opens and gets
 * EPIPE. (A named FIFO still does both: ripc_pipe_test.)
 */
TEST(reopen_follows_anonymous_pipe_rules)
{
	enum kind kind;

	signal(SIGPIPE, SIG_IGN);
	for (kind = NATIVE; kind <= RIPC; kind++) {
		struct pollfd pfd;
		char c;
		int p[2], fd;

		/* No writer: the open does not block, read is EOF, POLLHUP. */
		ASSERT_EQ(0, make_pipe(kind, p, 0));
		close(p[1]);
		fd = reopen(p[0], O_RDONLY);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", kind_name[kind], strerror(errno));
		EXPECT_EQ(0, read(fd, &c, 1));
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		EXPECT_EQ(1, poll(&pfd, 1, 0));
		EXPECT_EQ(POLLHUP, pfd.revents) TH_LOG("%s", kind_name[kind]);
		close(fd);
		fd = reopen(p[0], O_RDONLY | O_NONBLOCK);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, read(fd, &c, 1));
		close(fd);
		close(p[0]);

		/* No reader: a non-blocking writer opens, and writes EPIPE. */
		ASSERT_EQ(0, make_pipe(kind, p, 0));
		close(p[0]);
		fd = reopen(p[1], O_WRONLY | O_NONBLOCK);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", kind_name[kind], strerror(errno));
		EXPECT_EQ(-1, write(fd, "x", 1));
		EXPECT_EQ(EPIPE, errno);
		close(fd);
		fd = reopen(p[1], O_WRONLY);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", kind_name[kind], strerror(errno));
		close(fd);
		/* A reader that joins makes the pipe writable again. */
		fd = reopen(p[1], O_RDONLY);
		ASSERT_LE(0, fd);
		flows(_metadata, p[1], fd, "joined");
		close(fd);
		close(p[1]);
	}
}

/*
 * An O_PATH descriptor keeps the inode after every end is closed; opening
 * it then makes a fresh, empty pipe (fifo_open() allocates a new
 * pipe_inode_info once put_pipe_info() freed the last).
 */
TEST(reopen_after_every_end_closed)
{
	enum kind kind;

	for (kind = NATIVE; kind <= RIPC; kind++) {
		struct stat a, b;
		int p[2], path, fd, n = -1;

		ASSERT_EQ(0, make_pipe(kind, p, 0));
		path = reopen(p[0], O_PATH);
		ASSERT_LE(0, path);
		ASSERT_EQ(1, write(p[1], "x", 1));
		ASSERT_EQ(0, fstat(p[0], &a));
		close(p[0]);
		close(p[1]);
		ASSERT_EQ(0, fstat(path, &b));
		EXPECT_EQ(a.st_ino, b.st_ino);
		EXPECT_TRUE(S_ISFIFO(b.st_mode));
		fd = reopen(path, O_RDWR);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", kind_name[kind], strerror(errno));
		EXPECT_EQ(0, ioctl(fd, FIONREAD, &n));
		EXPECT_EQ(0, n) TH_LOG("%s: the old data went with the old pipe", kind_name[kind]);
		flows(_metadata, fd, fd, "fresh");
		close(fd);
		close(path);
	}
}

/* Module load and unload, as ripc_module_test.c. */
static int load_module(void)
{
	const char *ko = getenv("RIPC_KO");
	int fd = open(ko ? ko : "/ripc/ripc.ko", O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

static int unload_module(void)
{
	return syscall(SYS_delete_module, "ripc", O_NONBLOCK);
}

/* Unloads, retrying for up to 10 s while the module is in use. */
static int unload_module_eventually(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (unload_module() == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -1;
		sleep_ms(10);
	}
	return -1;
}

/*
 * An O_PATH descriptor of a ripc pipe holds its inode, whose operations are
 * ripc's: the module stays (unload fails as for any file in use: "Module
 * ripc is in use") and fstat() works; once it is closed the module unloads
 * at once. Before ripc's pipefs the inode was an anonymous inode of the
 * kernel's, the unload succeeded and fstat() ran freed code.
 *
 * In a child that holds nothing else of ripc (libripc's /dev/ripc closed).
 */
static int o_path_keeps_module(void)
{
	struct stat st;
	int p[2], path;

	if (ripc_pipe(p))
		return 1;
	path = reopen(p[0], O_PATH);
	if (path < 0)
		return 2;
	close(p[0]);
	close(p[1]);
	close(ripc_dev_fd());
	if (unload_module() == 0)
		return 3;
	if (errno != EWOULDBLOCK)
		return 4;
	if (fstat(path, &st) || !S_ISFIFO(st.st_mode))
		return 5;
	close(path);
	if (unload_module())
		return 6;
	return load_module() ? 7 : 0;
}

/*
 * The notifier's files are on the kernel's shared anonymous inode: an
 * O_PATH descriptor of one holds nothing of ripc, so the module unloads
 * and fstat() still works (it is the kernel's inode).
 */
static int notifier_o_path_keeps_nothing(void)
{
	struct stat st;
	int efd, path;

	efd = ripc_eventfd(0, 0);
	if (efd < 0)
		return 1;
	path = reopen(efd, O_PATH);
	if (path < 0)
		return 2;
	close(efd);
	close(ripc_dev_fd());
	if (unload_module())
		return 3;
	if (fstat(path, &st) || (st.st_mode & S_IFMT))
		return 4;
	close(path);
	return load_module() ? 5 : 0;
}

/*
 * An inotify watch holds the inode without a file: the module stays until
 * the watch goes (the watch is freed asynchronously: wait for the unload).
 */
static int watch_keeps_module(void)
{
	char path[64];
	int p[2], in;

	if (ripc_pipe(p))
		return 1;
	in = inotify_init1(IN_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	if (in < 0 || inotify_add_watch(in, path, IN_ALL_EVENTS) < 0)
		return 2;
	close(p[0]);
	close(p[1]);
	close(ripc_dev_fd());
	if (unload_module() == 0)
		return 3;
	close(in);
	if (unload_module_eventually())
		return 4;
	return load_module() ? 5 : 0;
}

static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(o_path_of_a_pipe_keeps_the_module)
{
	if (geteuid())
		SKIP(return, "needs root to unload the module");
	EXPECT_EQ(0, in_child(o_path_keeps_module));
	if (access("/sys/module/ripc", F_OK))
		ASSERT_EQ(0, load_module());
}

TEST(o_path_of_a_notifier_keeps_nothing)
{
	if (geteuid())
		SKIP(return, "needs root to unload the module");
	EXPECT_EQ(0, in_child(notifier_o_path_keeps_nothing));
	if (access("/sys/module/ripc", F_OK))
		ASSERT_EQ(0, load_module());
}

TEST(inotify_watch_of_a_pipe_keeps_the_module)
{
	if (geteuid())
		SKIP(return, "needs root to unload the module");
	EXPECT_EQ(0, in_child(watch_keeps_module));
	if (access("/sys/module/ripc", F_OK))
		ASSERT_EQ(0, load_module());
}

/*
 * bash through libripc-preload.so: bash's pipe() calls (pipelines, process
 * substitution) make ripc pipes, and the programs bash starts open them
 * again through /dev/fd/N, /dev/stdin or /proc/self/fd/0. `$P FD` (this
 * program's --probe) prints "ripc" or "native" into the data, so that each
 * idiom's output shows which pipe carried it.
 */
static const struct {
	const char *name;
	const char *script;
	const char *output; /* %s: the kind's name */
} idioms[] = {
	{ "diff <(a) <(b)", "diff <($P 1; echo a) <(echo $K; echo a) && echo same", "same\n" },
	{ "read x < <(a)", "read x < <($P 1); echo \"$x\"", "%s\n" },
	/* The output is read until every writer, the >() too, is gone. */
	{ "tee >(a)", "echo hi | tee >($P 0; cat) >/dev/null", "%s\nhi\n" },
	{ "a | cat /dev/stdin", "$P 1 | cat /dev/stdin", "%s\n" },
	{ "a | cat /proc/self/fd/0", "$P 1 | cat /proc/self/fd/0", "%s\n" },
};

FIXTURE(shell) {
	char probe[PATH_MAX + 16];
};

FIXTURE_SETUP(shell)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (access("/bin/bash", X_OK))
		SKIP(return, "no /bin/bash in this system");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = 0;
	snprintf(self->probe, sizeof(self->probe), "P=%s --probe", exe);
	/* What udev makes and devtmpfs does not; bash's <() names /dev/fd/N. */
	symlink("/proc/self/fd", "/dev/fd");
	symlink("/proc/self/fd/0", "/dev/stdin");
	ASSERT_EQ(0, access("/dev/fd/0", F_OK));
}

FIXTURE_TEARDOWN(shell) {}

/* Runs script in bash, with the preload for RIPC; returns its output. */
static int run_bash(enum kind kind, const char *probe, const char *script, char *out, size_t size)
{
	const char *preload = getenv("RIPC_PRELOAD");
	char env_preload[PATH_MAX + 16], env_kind[32];
	char *envp[] = { "PATH=/bin:/sbin", (char *)probe, env_kind, NULL, NULL };
	int fds[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	snprintf(env_kind, sizeof(env_kind), "K=%s", kind_name[kind]);
	snprintf(env_preload, sizeof(env_preload), "LD_PRELOAD=%s",
		 preload ? preload : "/ripc/lib/libripc-preload.so");
	if (kind == RIPC)
		envp[3] = env_preload;
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		execle("/bin/bash", "bash", "-c", script, (char *)NULL, envp);
		_exit(127);
	}
	close(fds[1]);
	while (len + 1 < size && (n = read(fds[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(shell, idioms_work_as_natively)
{
	enum kind kind;
	size_t i;

	for (kind = NATIVE; kind <= RIPC; kind++) {
		for (i = 0; i < sizeof(idioms) / sizeof(idioms[0]); i++) {
			char out[512], expect[64];
			int rc;

			snprintf(expect, sizeof(expect), idioms[i].output, kind_name[kind]);
			rc = run_bash(kind, self->probe, idioms[i].script, out, sizeof(out));
			EXPECT_EQ(0, rc) TH_LOG("%s, %s: %s", kind_name[kind], idioms[i].name, out);
			EXPECT_STREQ(expect, out) TH_LOG("%s, %s", kind_name[kind], idioms[i].name);
		}
	}
}

/* --probe FD: which pipe FD is. */
int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--probe")) {
		puts(is_ripc_pipe(atoi(argv[2])) ? "ripc" : "native");
		return 0;
	}
	return test_harness_run(argc, argv);
}
