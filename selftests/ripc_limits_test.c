// SPDX-License-Identifier: GPL-2.0
/*
 * ripc's limits are module parameters in /sys/module/ripc/parameters/,
 * the counterparts of the IPC sysctls: readable by everyone, written by
 * root, range-checked, and applied at the next call with Linux's errno
 * (ENOSPC for counts, EINVAL for sizes, E2BIG for semop, EPERM/ENFILE for
 * pipes). Each case restores every parameter it changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define PARAMS "/sys/module/ripc/parameters/"
#define MNT "/tmp/ripc-limits-mnt"

static const char *const tunables[] = {
	"pipe_max_size", "pipe_user_pages_soft", "pipe_user_pages_hard",
	"msgmni", "msgmax", "msgmnb", "semmsl", "semmns", "semopm", "semmni",
	"shmmax", "shmall", "shmmni", "mq_queues_max", "mq_msg_max",
	"mq_msgsize_max", "mq_msg_default", "mq_msgsize_default", "ripcfs_max_names",
};
#define NR_TUNABLES (sizeof(tunables) / sizeof(tunables[0]))

static int read_param(const char *name, unsigned long *value)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%lu", value) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* Writes `text` to a parameter; returns 0 or the errno of the write. */
static int write_param_text(const char *name, const char *text)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) < 0)
		err = errno;
	close(fd);
	return err;
}

static int write_param(const char *name, unsigned long value)
{
	char text[32];

	snprintf(text, sizeof(text), "%lu", value);
	return write_param_text(name, text);
}

FIXTURE(limits) {
	unsigned long saved[NR_TUNABLES];
	int ids[64];
	int nr_ids;
};

FIXTURE_SETUP(limits)
{
	size_t i;

	for (i = 0; i < NR_TUNABLES; i++)
		ASSERT_EQ(0, read_param(tunables[i], &self->saved[i])) TH_LOG("parameter %zu", i);
	self->nr_ids = 0;
	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL)) TH_LOG("mount: %s", strerror(errno));
	setenv("RIPCFS_MOUNT", MNT, 1);
}

FIXTURE_TEARDOWN(limits)
{
	size_t i;

	for (i = 0; i < NR_TUNABLES; i++)
		write_param(tunables[i], self->saved[i]);
	umount(MNT);
}

TEST_F(limits, parameters_readable_by_all_writable_by_root)
{
	char path[256];
	struct stat st;
	size_t i;

	for (i = 0; i < NR_TUNABLES; i++) {
		snprintf(path, sizeof(path), PARAMS "%s", tunables[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0644, st.st_mode & 07777) TH_LOG("%s", path);
	}
	EXPECT_EQ(32000, self->saved[3]);	/* msgmni: Linux's default */
	EXPECT_EQ(8192, self->saved[4]);	/* msgmax */
	EXPECT_EQ(500, self->saved[8]);		/* semopm */
	EXPECT_EQ(4096, self->saved[12]);	/* shmmni */
}

TEST_F(limits, bad_writes_are_einval_and_change_nothing)
{
	unsigned long v;

	EXPECT_EQ(EINVAL, write_param_text("msgmni", "lots"));
	EXPECT_EQ(EINVAL, write_param("msgmni", 32769));	/* above IPCMNI */
	EXPECT_EQ(EINVAL, write_param("shmmni", 40000));
	EXPECT_EQ(EINVAL, write_param("mq_msg_max", 0));
	EXPECT_EQ(EINVAL, write_param("mq_msgsize_max", 16));
	EXPECT_EQ(EINVAL, write_param("pipe_max_size", 1));
	ASSERT_EQ(0, read_param("msgmni", &v));
	EXPECT_EQ(self->saved[3], v);
}

static int user_writes_param(const void *arg)
{
	return write_param((const char *)arg, 1);
}

TEST_F(limits, unprivileged_user_cannot_write)
{
	EXPECT_EQ(EACCES, as_user(RIPCUSER, user_writes_param, "msgmni"));
}

/* Creates IPC_PRIVATE objects of `kind` until one fails; returns its errno. */
static int fill(struct __test_metadata *_metadata, FIXTURE_DATA(limits) *self, char kind,
		int max)
{
	int i, id;

	for (i = 0; i < max; i++) {
		if (kind == 'm')
			id = ripc_msgget(IPC_PRIVATE, 0600);
		else if (kind == 's')
			id = ripc_semget(IPC_PRIVATE, 1, 0600);
		else
			id = ripc_shmget(IPC_PRIVATE, 4096, 0600);
		if (id < 0)
			return errno;
		if (self->nr_ids < 64)
			self->ids[self->nr_ids++] = id;
	}
	return 0;
}

static void drain(FIXTURE_DATA(limits) *self, char kind)
{
	while (self->nr_ids > 0) {
		int id = self->ids[--self->nr_ids];

		if (kind == 'm')
			ripc_msgctl(id, IPC_RMID, NULL);
		else if (kind == 's')
			ripc_semctl(id, 0, IPC_RMID);
		else
			ripc_shmctl(id, IPC_RMID, NULL);
	}
}

/* Objects of `kind` in use now, from MSG_INFO, SEM_INFO or SHM_INFO. */
static int in_use(char kind)
{
	struct msginfo mi;
	struct seminfo si;
	struct shm_info hi;

	if (kind == 'm')
		return ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) >= 0 ? mi.msgpool : -1;
	if (kind == 's')
		return ripc_semctl(0, 0, SEM_INFO, &si) >= 0 ? si.semusz : -1;
	return ripc_shmctl(0, SHM_INFO, (struct shmid_ds *)&hi) >= 0 ? hi.used_ids : -1;
}

/* The object counts: msgmni, semmni, shmmni give ENOSPC at the next get. */
TEST_F(limits, object_counts_enospc)
{
	const char kinds[] = { 'm', 's', 'h' };
	const char *params[] = { "msgmni", "semmni", "shmmni" };
	const int saved_idx[] = { 3, 9, 12 };
	int i, before;

	for (i = 0; i < 3; i++) {
		before = in_use(kinds[i]);
		ASSERT_LE(0, before);
		ASSERT_EQ(0, write_param(params[i], 0)) TH_LOG("%s", params[i]);
		EXPECT_EQ(ENOSPC, fill(_metadata, self, kinds[i], 1)) TH_LOG("%s=0", params[i]);
		/* Room for exactly 3 more than what exists now. */
		ASSERT_EQ(0, write_param(params[i], before + 3));
		EXPECT_EQ(ENOSPC, fill(_metadata, self, kinds[i], 10)) TH_LOG("%s", params[i]);
		EXPECT_EQ(3, self->nr_ids) TH_LOG("%s: %d made", params[i], self->nr_ids);
		drain(self, kinds[i]);
		ASSERT_EQ(0, write_param(params[i], self->saved[saved_idx[i]]));
	}
}

TEST_F(limits, message_sizes)
{
	struct { long mtype; char mtext[256]; } msg = { .mtype = 1 };
	struct msqid_ds ds;
	struct msginfo info;
	int id;

	ASSERT_EQ(0, write_param("msgmax", 100));
	ASSERT_EQ(0, write_param("msgmnb", 1000));
	id = ripc_msgget(IPC_PRIVATE, 0600);
	ASSERT_LE(0, id);
	EXPECT_EQ(0, ripc_msgsnd(id, &msg, 100, IPC_NOWAIT));
	EXPECT_EQ(-1, ripc_msgsnd(id, &msg, 101, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	/* A new queue's msg_qbytes is msgmnb. */
	ASSERT_EQ(0, ripc_msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(1000, ds.msg_qbytes);
	ASSERT_LE(0, ripc_msgctl(0, IPC_INFO, (struct msqid_ds *)&info));
	EXPECT_EQ(100, info.msgmax);
	EXPECT_EQ(1000, info.msgmnb);
	EXPECT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
}

TEST_F(limits, semaphore_limits)
{
	struct sembuf ops[4] = { { 0, 1, 0 }, { 0, 1, 0 }, { 0, 1, 0 }, { 0, 1, 0 } };
	struct seminfo info;
	int id;

	ASSERT_EQ(0, write_param("semmsl", 4));
	ASSERT_EQ(0, write_param("semopm", 3));
	EXPECT_EQ(-1, ripc_semget(IPC_PRIVATE, 5, 0600));
	EXPECT_EQ(EINVAL, errno);
	id = ripc_semget(IPC_PRIVATE, 4, 0600);
	ASSERT_LE(0, id);
	EXPECT_EQ(0, ripc_semop(id, ops, 3));
	EXPECT_EQ(-1, ripc_semop(id, ops, 4));
	EXPECT_EQ(E2BIG, errno);
	ASSERT_LE(0, ripc_semctl(0, 0, IPC_INFO, &info));
	EXPECT_EQ(4, info.semmsl);
	EXPECT_EQ(3, info.semopm);
	/* semmns: semaphores of all arrays together. */
	ASSERT_EQ(0, write_param("semmns", 0));
	EXPECT_EQ(-1, ripc_semget(IPC_PRIVATE, 1, 0600));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

TEST_F(limits, shm_sizes)
{
	struct shminfo info;

	ASSERT_EQ(0, write_param("shmmax", 8192));
	EXPECT_EQ(-1, ripc_shmget(IPC_PRIVATE, 8193, 0600));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_LE(0, ripc_shmctl(0, IPC_INFO, (struct shmid_ds *)&info));
	EXPECT_EQ(8192, info.shmmax);
	ASSERT_EQ(0, write_param("shmmax", self->saved[10]));
	ASSERT_EQ(0, write_param("shmall", 0));
	EXPECT_EQ(-1, ripc_shmget(IPC_PRIVATE, 4096, 0600));
	EXPECT_EQ(ENOSPC, errno);
}

static int user_mq_open(const void *arg)
{
	struct mq_attr attr = { .mq_maxmsg = *(const long *)arg, .mq_msgsize = 64 };
	mqd_t q = ripc_mq_open("/limits-user", O_CREAT | O_RDWR, 0600, &attr);

	if (q == (mqd_t)-1)
		return errno;
	ripc_mq_close(q);
	ripc_mq_unlink("/limits-user");
	return 0;
}

/* As user_mq_open, with msgsize 1. */
static int user_mq_open_unlimited(const void *arg)
{
	struct mq_attr attr = { .mq_maxmsg = *(const long *)arg, .mq_msgsize = 1 };
	mqd_t q;

	q = ripc_mq_open("/limits-user-big", O_CREAT | O_RDWR, 0600, &attr);
	if (q == (mqd_t)-1)
		return errno;
	ripc_mq_close(q);
	ripc_mq_unlink("/limits-user-big");
	return 0;
}

TEST_F(limits, mqueue_limits_bind_unprivileged_users)
{
	long maxmsg = 5;
	struct mq_attr attr;
	mqd_t q;

	ASSERT_EQ(0, write_param("mq_msg_max", 4));
	EXPECT_EQ(EINVAL, as_user(RIPCUSER, user_mq_open, &maxmsg));
	maxmsg = 4;
	EXPECT_EQ(0, as_user(RIPCUSER, user_mq_open, &maxmsg));
	/* The default is capped by the maximum. */
	q = ripc_mq_open("/limits-default", O_CREAT | O_RDWR, 0600, NULL);
	ASSERT_NE((mqd_t)-1, q);
	ASSERT_EQ(0, ripc_mq_getattr(q, &attr));
	EXPECT_EQ(4, attr.mq_maxmsg);
	ripc_mq_close(q);
	ripc_mq_unlink("/limits-default");
	/* No queue at all for an unprivileged user. */
	ASSERT_EQ(0, write_param("mq_queues_max", 0));
	EXPECT_EQ(ENOSPC, as_user(RIPCUSER, user_mq_open, &maxmsg));
	/* The count is checked before the attributes (mqueue_create_attr()). */
	maxmsg = 0;
	EXPECT_EQ(ENOSPC, as_user(RIPCUSER, user_mq_open, &maxmsg));
	maxmsg = 1000;
	EXPECT_EQ(ENOSPC, as_user(RIPCUSER, user_mq_open, &maxmsg));
}

/* mq_msg_max reaches Linux's HARD_MSGMAX (65536), and no further. */
TEST_F(limits, mq_msg_max_reaches_hard_msgmax)
{
	struct rlimit room = { 16 << 20, 16 << 20 };
	long maxmsg = 65536;

	/* Room for the queue's 4.7 MiB, inherited by the user's process. */
	ASSERT_EQ(0, setrlimit(RLIMIT_MSGQUEUE, &room));
	ASSERT_EQ(0, write_param("mq_msg_max", 65536));
	EXPECT_EQ(EINVAL, write_param("mq_msg_max", 65537));
	EXPECT_EQ(0, as_user(RIPCOTHER, user_mq_open_unlimited, &maxmsg));
	maxmsg = 65537;
	EXPECT_EQ(EINVAL, as_user(RIPCOTHER, user_mq_open_unlimited, &maxmsg));
}

/*
 * RLIMIT_MSGQUEUE, as Linux: a queue costs maxmsg * (msgsize + 48) +
 * min(maxmsg, 32768) * 48 bytes to its creator; over the limit, EMFILE.
 * With Linux's default 819200, nine queues of the default 10 x 8192 fit.
 * Run as ripcother, whose charge starts at 0 (root's may not: the limit is
 * per user, across programs).
 */
static int user_fills_rlimit(const void *arg)
{
	struct mq_attr big = { .mq_maxmsg = 10, .mq_msgsize = 8192 };
	char name[32];
	mqd_t q[10];
	int i, ret = 0;

	(void)arg;
	for (i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "/rlimit-%d", i);
		q[i] = ripc_mq_open(name, O_CREAT | O_RDWR, 0600, &big);
		if (q[i] == (mqd_t)-1)
			return 10 + i;
	}
	if (ripc_mq_open("/rlimit-9", O_CREAT | O_RDWR, 0600, &big) != (mqd_t)-1 || errno != EMFILE)
		ret = 1;
	/* A queue's bytes come back when it is gone (unlinked and closed). */
	ripc_mq_unlink("/rlimit-0");
	if (!ret && ripc_mq_open("/rlimit-9", O_CREAT | O_RDWR, 0600, &big) != (mqd_t)-1)
		ret = 2;
	ripc_mq_close(q[0]);
	q[9] = ripc_mq_open("/rlimit-9", O_CREAT | O_RDWR, 0600, &big);
	if (!ret && q[9] == (mqd_t)-1)
		ret = 3;
	for (i = 1; i < 10; i++) {
		snprintf(name, sizeof(name), "/rlimit-%d", i);
		ripc_mq_close(q[i]);
		ripc_mq_unlink(name);
	}
	return ret;
}

TEST_F(limits, rlimit_msgqueue_emfile)
{
	struct rlimit rl = { 819200, 819200 };
	struct mq_attr big = { .mq_maxmsg = 10, .mq_msgsize = 8192 };

	ASSERT_EQ(0, setrlimit(RLIMIT_MSGQUEUE, &rl));
	EXPECT_EQ(0, as_user(RIPCOTHER, user_fills_rlimit, NULL));
	/* Root is bound too; a zero limit leaves no room at all. */
	rl.rlim_cur = 0;
	ASSERT_EQ(0, setrlimit(RLIMIT_MSGQUEUE, &rl));
	EXPECT_EQ((mqd_t)-1, ripc_mq_open("/rlimit-0", O_CREAT | O_RDWR, 0600, &big));
	EXPECT_EQ(EMFILE, errno);
}

/* Creates notify/n<i> until ENOSPC or 1000; returns how many were made. */
static int fill_names(void)
{
	char path[128];
	int n, fd;

	for (n = 0; n < 1000; n++) {
		snprintf(path, sizeof(path), MNT "/notify/n%d", n);
		fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
		if (fd < 0)
			return errno == ENOSPC ? n : -errno;
		close(fd);
	}
	return n;
}

static void unlink_names(int count)
{
	char path[128];
	int n;

	for (n = 0; n < count; n++) {
		snprintf(path, sizeof(path), MNT "/notify/n%d", n);
		unlink(path);
	}
}

/* ripcfs_max_names bounds the names of all kinds, as nr_inodes a tmpfs. */
TEST_F(limits, ripcfs_names_enospc)
{
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 16 };
	int first, second;

	ASSERT_EQ(0, write_param("ripcfs_max_names", 0));
	EXPECT_EQ(-1, open(MNT "/notify/none", O_CREAT | O_RDWR, 0600));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, mknod(MNT "/pipe/none", S_IFIFO | 0600, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, open(MNT "/shm/none", O_CREAT | O_RDWR, 0600));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ((mqd_t)-1, ripc_mq_open("/none", O_CREAT | O_RDWR, 0600, &attr));
	EXPECT_EQ(ENOSPC, errno);
	/* Names come back when unlinked: the same number fits again. */
	ASSERT_EQ(0, write_param("ripcfs_max_names", 200));
	first = fill_names();
	unlink_names(first > 0 ? first : 0);
	second = fill_names();
	unlink_names(second > 0 ? second : 0);
	EXPECT_LT(0, first);
	EXPECT_GE(200, first);
	EXPECT_EQ(first, second);
}

static int user_pipes(const void *arg)
{
	int fds[2];

	(void)arg;
	/* A 64 KiB pipe is 16 pages: the first fits, growing past the
	 * maximum does not, and the hard limit then stops a second one. */
	if (ripc_pipe(fds))
		return 100 + errno;
	if (ripc_pipe_set_size(fds[0], 1 << 20) != -1 || errno != EPERM)
		return 1;
	if (ripc_pipe(fds) != -1)
		return 2;
	return errno;
}

TEST_F(limits, pipe_limits_bind_unprivileged_users)
{
	ASSERT_EQ(0, write_param("pipe_max_size", 65536));
	ASSERT_EQ(0, write_param("pipe_user_pages_hard", 16));
	EXPECT_EQ(ENFILE, as_user(RIPCUSER, user_pipes, NULL));
}

TEST_HARNESS_MAIN
