// SPDX-License-Identifier: GPL-2.0
/*
 * ripcfs per IPC namespace, as /dev/mqueue is (ipc/mqueue.c keys its
 * superblock on the namespace): the names, the queues_max count, the
 * sysvipc/ listings and the sys/ tunables of a mount are those of the
 * namespace that mounted it, and two mounts in one namespace are one
 * filesystem. Status files show the opener's view. The sys/ files behave
 * as Linux's /proc/sys files of the same namespace: each case writes the
 * same text to both, in a new IPC namespace, and compares what happens.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define MNT "/tmp/ripcfs-ns-mnt"
#define MNT2 "/tmp/ripcfs-ns-mnt2"

/* Reads file `path` into `buf` (NUL-terminated); its length, or -errno. */
static int slurp(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return n;
}

/* Writes `text` to `path` in one write(); 0, or -errno (of open or write). */
static int spit(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The calling process goes into a new IPC and mount namespace and mounts
 * the new namespace's ripcfs on MNT; 0 on success.
 */
static int own_namespace(void)
{
	if (unshare(CLONE_NEWIPC | CLONE_NEWNS))
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	return mount("none", MNT, "ripcfs", 0, NULL);
}

FIXTURE(ns) {
	int mounted;
};

FIXTURE_SETUP(ns)
{
	mkdir(MNT, 0755);
	mkdir(MNT2, 0755);
	self->mounted = mount("none", MNT, "ripcfs", 0, NULL) == 0;
	ASSERT_TRUE(self->mounted) TH_LOG("mount ripcfs: %s", strerror(errno));
}

FIXTURE_TEARDOWN(ns)
{
	unlink(MNT "/notify/host");
	if (self->mounted)
		umount(MNT);
}

/* Two mounts in one namespace are one filesystem, as /dev/mqueue's. */
TEST_F(ns, same_namespace_same_names)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, mount("none", MNT2, "ripcfs", 0, NULL));
	fd = open(MNT "/notify/host", O_CREAT | O_EXCL | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	EXPECT_EQ(0, stat(MNT2 "/notify/host", &st));
	EXPECT_EQ(0, umount(MNT2));
}

/*
 * Each namespace's mount has only its own names: the child does not see
 * the parent's, and the parent not the child's, although both are on
 * the same path.
 */
TEST_F(ns, two_namespaces_see_only_their_own_names)
{
	struct stat st;
	pid_t pid;
	int fd;

	fd = open(MNT "/notify/host", O_CREAT | O_EXCL | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (own_namespace())
			_exit(1);
		if (stat(MNT "/notify/host", &st) == 0 || errno != ENOENT)
			_exit(2);
		fd = open(MNT "/notify/child", O_CREAT | O_EXCL | O_RDWR, 0600);
		if (fd < 0)
			_exit(3);
		/* A second mount in the child's namespace is the same. */
		if (mount("none", MNT2, "ripcfs", 0, NULL) || stat(MNT2 "/notify/child", &st))
			_exit(4);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(-1, stat(MNT "/notify/child", &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, stat(MNT "/notify/host", &st));
}

/*
 * fs.mqueue.queues_max counts the queues of the namespace: the host's
 * queues do not count in a child's, and the child's limit binds there
 * only (an unprivileged creator: CAP_SYS_RESOURCE passes it).
 */
TEST_F(ns, queues_max_is_per_namespace)
{
	char host[32], buf[32];
	pid_t pid;
	int fd;

	ASSERT_LT(0, slurp(MNT "/sys/fs/mqueue/queues_max", host, sizeof(host)));
	fd = open(MNT "/mq/host-queue", O_CREAT | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (own_namespace())
			_exit(1);
		if (spit(MNT "/sys/fs/mqueue/queues_max", "1\n"))
			_exit(2);
		if (setresgid(RIPCUSER, RIPCUSER, RIPCUSER) || setresuid(RIPCUSER, RIPCUSER, RIPCUSER))
			_exit(3);
		fd = open(MNT "/mq/a", O_CREAT | O_RDWR, 0600);
		if (fd < 0)
			_exit(4);
		close(fd);
		if (open(MNT "/mq/b", O_CREAT | O_RDWR, 0600) != -1 || errno != ENOSPC)
			_exit(5);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_LT(0, slurp(MNT "/sys/fs/mqueue/queues_max", buf, sizeof(buf)));
	EXPECT_STREQ(host, buf);
	EXPECT_EQ(0, unlink(MNT "/mq/host-queue"));
}

/*
 * The tunables of a namespace bind its SysV calls: kernel.msgmax written
 * in the child's ripcfs limits msgsnd there, not on the host.
 */
TEST_F(ns, msgmax_is_per_namespace)
{
	struct { long type; char text[200]; } m = { .type = 1 };
	char host[32], buf[32];
	pid_t pid;
	int id;

	ASSERT_LT(0, slurp(MNT "/sys/kernel/msgmax", host, sizeof(host)));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (own_namespace())
			_exit(1);
		if (spit(MNT "/sys/kernel/msgmax", "100"))
			_exit(2);
		id = ripc_msgget(IPC_PRIVATE, 0600);
		if (id < 0)
			_exit(3);
		if (ripc_msgsnd(id, &m, 101, IPC_NOWAIT) != -1 || errno != EINVAL)
			_exit(4);
		if (ripc_msgsnd(id, &m, 100, IPC_NOWAIT))
			_exit(5);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_LT(0, slurp(MNT "/sys/kernel/msgmax", buf, sizeof(buf)));
	EXPECT_STREQ(host, buf);
	id = ripc_msgget(IPC_PRIVATE, 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(0, ripc_msgsnd(id, &m, 101, IPC_NOWAIT));
	ripc_msgctl(id, IPC_RMID, NULL);
}

/* Whether the listing in `text` has a line with key `key`, and its uid. */
static int listed_uid(const char *text, key_t key, int *uid)
{
	const char *line = strchr(text, '\n');
	int k, id, perms;
	long cbytes, qnum;
	int lspid, lrpid;

	for (; line && line[1]; line = strchr(line + 1, '\n'))
		if (sscanf(line + 1, "%d %d %o %ld %ld %d %d %d", &k, &id, &perms, &cbytes, &qnum,
			   &lspid, &lrpid, uid) == 8 && k == key)
			return 1;
	return 0;
}

/*
 * A status file shows the objects of the mount's namespace, with the
 * credentials of the process that opened it: opened by root here and read
 * by a child in new IPC and user namespaces, it lists the host's queue
 * with uid 0; opened by that child, the same queue's uid is unmapped there
 * (the overflow uid), as in /proc/sysvipc/msg (seq_user_ns()).
 */
TEST_F(ns, status_file_shows_the_openers_view)
{
	key_t key = 0x52534e53;
	char text[4096];
	int id, fd, uid = -1;
	pid_t pid;
	ssize_t n;

	id = ripc_msgget(key, IPC_CREAT | IPC_EXCL | 0644);
	ASSERT_GE(id, 0);
	fd = open(MNT "/sysvipc/msg", O_RDONLY);
	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWIPC | CLONE_NEWUSER))
			_exit(1);
		n = read(fd, text, sizeof(text) - 1);
		if (n <= 0)
			_exit(2);
		text[n] = '\0';
		if (!listed_uid(text, key, &uid) || uid != 0)
			_exit(3);
		/* Opened in the child's user namespace, where uid 0 is unmapped. */
		if (slurp(MNT "/sysvipc/msg", text, sizeof(text)) <= 0)
			_exit(4);
		if (!listed_uid(text, key, &uid) || uid != 65534)
			_exit(5);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	close(fd);
	EXPECT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
}

/* The per-namespace files of sys/ and their /proc/sys twins. */
static const char *const tunables[] = {
	"kernel/msgmax", "kernel/msgmni", "kernel/msgmnb", "kernel/sem",
	"kernel/shmmax", "kernel/shmall", "kernel/shmmni", "kernel/shm_rmid_forced",
	"kernel/msg_next_id", "kernel/sem_next_id", "kernel/shm_next_id",
	"fs/mqueue/queues_max", "fs/mqueue/msg_max", "fs/mqueue/msgsize_max",
	"fs/mqueue/msg_default", "fs/mqueue/msgsize_default",
};

/* What each case writes to every file, valid or not. */
static const char *const inputs[] = {
	"100\n", "7", "  42  \n", "0", "-1", "-5\n", "1", "65537", "128", "16777217",
	"2147483647", "2147483648", "99999999999999999999", "abc", "12abc", "",
	"\n", "5 6", "250 32000 32 128\n", "250\t32000\t32\t32769", "1 2 3",
	"18446744073709551615", "4096",
};

/*
 * In a new IPC namespace, the initial content of every per-namespace file
 * is Linux's, byte for byte; then each input written to both leaves the
 * same result (success, or the same errno) and the same content.
 */
TEST_F(ns, tunables_behave_as_proc_sys)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char proc[128], ripc[128], want[256], got[256];
		size_t t, i;
		int failed = 0, w, g;

		if (own_namespace())
			_exit(100);
		for (t = 0; t < sizeof(tunables) / sizeof(tunables[0]); t++) {
			snprintf(proc, sizeof(proc), "/proc/sys/%s", tunables[t]);
			snprintf(ripc, sizeof(ripc), MNT "/sys/%s", tunables[t]);
			w = slurp(proc, want, sizeof(want));
			g = slurp(ripc, got, sizeof(got));
			if (w != g || strcmp(want, got)) {
				fprintf(stderr, "# %s: Linux %d \"%s\", ripc %d \"%s\"\n",
					tunables[t], w, want, g, got);
				failed = 1;
			}
			for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
				w = spit(proc, inputs[i]);
				g = spit(ripc, inputs[i]);
				slurp(proc, want, sizeof(want));
				slurp(ripc, got, sizeof(got));
				if (w != g || strcmp(want, got)) {
					fprintf(stderr,
						"# %s < \"%s\": Linux %d \"%s\", ripc %d \"%s\"\n",
						tunables[t], inputs[i], w, want, g, got);
					failed = 1;
				}
			}
		}
		_exit(failed);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/*
 * Who may write: the namespace's root (ipc_permissions()); anyone reads.
 * An unprivileged user's open for writing fails as /proc/sys's does.
 */
TEST_F(ns, tunables_writable_by_root_only)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char buf[64];
		int failed = 0;
		size_t t;

		if (own_namespace())
			_exit(100);
		if (setresgid(RIPCUSER, RIPCUSER, RIPCUSER) || setresuid(RIPCUSER, RIPCUSER, RIPCUSER))
			_exit(101);
		for (t = 0; t < sizeof(tunables) / sizeof(tunables[0]); t++) {
			char proc[128], ripc[128];

			snprintf(proc, sizeof(proc), "/proc/sys/%s", tunables[t]);
			snprintf(ripc, sizeof(ripc), MNT "/sys/%s", tunables[t]);
			if (spit(proc, "5") != spit(ripc, "5") ||
			    (slurp(proc, buf, sizeof(buf)) > 0) != (slurp(ripc, buf, sizeof(buf)) > 0)) {
				fprintf(stderr, "# %s: not as Linux\n", tunables[t]);
				failed = 1;
			}
		}
		_exit(failed);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/* Makes an object of kind `kind` (0 msg, 1 sem, 2 shm), on ripc or Linux. */
static int make(int kind, int on_ripc)
{
	switch (kind) {
	case 0:
		return on_ripc ? ripc_msgget(IPC_PRIVATE, 0600) : msgget(IPC_PRIVATE, 0600);
	case 1:
		return on_ripc ? ripc_semget(IPC_PRIVATE, 1, 0600) : semget(IPC_PRIVATE, 1, 0600);
	default:
		return on_ripc ? ripc_shmget(IPC_PRIVATE, 4096, 0600) : shmget(IPC_PRIVATE, 4096, 0600);
	}
}

/*
 * kernel.{msg,sem,shm}_next_id (checkpoint/restore): the next object made
 * gets that id, or the first free slot from its index with its sequence
 * number, and the file goes back to -1; the cyclic allocation goes on as
 * if nothing happened. The same ids as Linux's in a new namespace.
 */
TEST_F(ns, next_id_gives_the_next_object_its_id)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		static const char *const kinds[] = { "msg", "sem", "shm" };
		static const char *const ids[] = { "12", "98309", "12", "3" };
		char proc[64], ripc[64], want[32], got[32];
		int failed = 0, k, i, lin, rip;

		if (own_namespace())
			_exit(100);
		for (k = 0; k < 3; k++) {
			snprintf(proc, sizeof(proc), "/proc/sys/kernel/%s_next_id", kinds[k]);
			snprintf(ripc, sizeof(ripc), MNT "/sys/kernel/%s_next_id", kinds[k]);
			for (i = 0; i < 5; i++) {
				/* The last one without: the cyclic allocation. */
				if (i < 4 && (spit(proc, ids[i]) || spit(ripc, ids[i])))
					failed = 1;
				lin = make(k, 0);
				rip = make(k, 1);
				slurp(proc, want, sizeof(want));
				slurp(ripc, got, sizeof(got));
				if (lin < 0 || lin != rip || strcmp(want, "-1\n") || strcmp(got, want)) {
					fprintf(stderr, "# %s_next_id %s: Linux %d, ripc %d, then \"%s\" \"%s\"\n",
						kinds[k], i < 4 ? ids[i] : "-", lin, rip, want, got);
					failed = 1;
				}
			}
		}
		_exit(failed);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/*
 * kernel.shm_rmid_forced: with it set, the last detach destroys a segment
 * even without IPC_RMID (shm_may_destroy()); without it the segment stays.
 * Both ways as Linux, in a new namespace.
 */
TEST_F(ns, shm_rmid_forced_destroys_at_last_detach)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct shmid_ds ds;
		int forced, lin, rip, lin_left, rip_left;
		void *p, *q;

		if (own_namespace())
			_exit(100);
		for (forced = 0; forced < 2; forced++) {
			if (spit("/proc/sys/kernel/shm_rmid_forced", forced ? "1" : "0") ||
			    spit(MNT "/sys/kernel/shm_rmid_forced", forced ? "1" : "0"))
				_exit(1);
			lin = shmget(IPC_PRIVATE, 4096, 0600);
			rip = ripc_shmget(IPC_PRIVATE, 4096, 0600);
			if (lin < 0 || rip < 0)
				_exit(2);
			p = shmat(lin, NULL, 0);
			q = ripc_shmat(rip, NULL, 0);
			if (p == (void *)-1 || q == (void *)-1 || shmdt(p) || ripc_shmdt(q))
				_exit(3);
			lin_left = shmctl(lin, IPC_STAT, &ds) == 0;
			rip_left = ripc_shmctl(rip, IPC_STAT, &ds) == 0;
			if (lin_left != !forced || rip_left != lin_left)
				_exit(4 + forced);
			if (lin_left)
				shmctl(lin, IPC_RMID, NULL);
			if (rip_left)
				ripc_shmctl(rip, IPC_RMID, NULL);
		}
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/* The global pipe limits: Linux's format, and root's to set. */
TEST_F(ns, pipe_limits)
{
	static const char *const names[] = {
		"pipe-max-size", "pipe-user-pages-soft", "pipe-user-pages-hard",
	};
	char proc[128], ripc[128], want[64], got[64], old[64];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(proc, sizeof(proc), "/proc/sys/fs/%s", names[i]);
		snprintf(ripc, sizeof(ripc), MNT "/sys/fs/%s", names[i]);
		ASSERT_LT(0, slurp(proc, want, sizeof(want)));
		ASSERT_LT(0, slurp(ripc, got, sizeof(got)));
		EXPECT_STREQ(want, got) TH_LOG("%s", names[i]);
	}
	/* round_pipe_size(): up to a power of two, EINVAL for 0 and past 2 GiB. */
	ASSERT_LT(0, slurp(MNT "/sys/fs/pipe-max-size", old, sizeof(old)));
	EXPECT_EQ(0, spit(MNT "/sys/fs/pipe-max-size", "100000"));
	EXPECT_LT(0, slurp(MNT "/sys/fs/pipe-max-size", got, sizeof(got)));
	EXPECT_STREQ("131072\n", got);
	EXPECT_EQ(-EINVAL, spit(MNT "/sys/fs/pipe-max-size", "0"));
	EXPECT_EQ(-EINVAL, spit(MNT "/sys/fs/pipe-max-size", "2147483649"));
	EXPECT_EQ(0, spit(MNT "/sys/fs/pipe-max-size", old));
	EXPECT_LT(0, slurp("/sys/module/ripc/parameters/pipe_max_size", got, sizeof(got)));
	EXPECT_STREQ(old, got);
}

TEST_HARNESS_MAIN
