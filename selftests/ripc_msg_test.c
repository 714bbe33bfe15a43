// SPDX-License-Identifier: GPL-2.0
/*
 * SysV message queues: the semantics of msgget(2), msgsnd(2), msgrcv(2) and
 * msgctl(2), against ripc.
 *
 * The "msgque_" cases redo what the kernel's
 * tools/testing/selftests/ipc/msgque.c checks (dump a queue with MSG_STAT
 * and MSG_COPY, recreate it under its key, compare), written for ripc. The
 * others cover every error, blocking and wake-up rule, permissions,
 * msgctl's commands, the sysvipc/msg listing and concurrency.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define MSGMAX 8192
#define MSGMNB 16384
#define MSGMNI 32000
#define USER RIPCUSER
#define OTHER RIPCOTHER

struct msg {
	long mtype;
	char mtext[MSGMAX + 16];
};

static int send_str(int id, long type, const char *s, int flags)
{
	struct msg m = { .mtype = type };

	strcpy(m.mtext, s);
	return ripc_msgsnd(id, &m, strlen(s) + 1, flags);
}

static int send_len(int id, long type, size_t len, int flags)
{
	struct msg m = { .mtype = type };

	memset(m.mtext, 'x', len);
	return ripc_msgsnd(id, &m, len, flags);
}

/* The type of the message msgrcv() takes, or -errno. */
static long recv_type(int id, long type, int flags)
{
	struct msg m;

	if (ripc_msgrcv(id, &m, sizeof(m.mtext), type, flags) < 0)
		return -errno;
	return m.mtype;
}

static int qnum(int id)
{
	struct msqid_ds ds;

	if (ripc_msgctl(id, IPC_STAT, &ds))
		return -errno;
	return ds.msg_qnum;
}

static int set_qbytes(int id, unsigned long qbytes)
{
	struct msqid_ds ds;

	if (ripc_msgctl(id, IPC_STAT, &ds))
		return -1;
	ds.msg_qbytes = qbytes;
	return ripc_msgctl(id, IPC_SET, &ds);
}

/* Forks a process that sends one message of len bytes; it exits with 0 or the errno. */
static pid_t fork_sender(int id, long type, size_t len)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(send_len(id, type, len, 0) ? errno : 0);
	return pid;
}

/* Shrinks the queue to qbytes and fills it with one message. */
static int fill(int id, unsigned long qbytes)
{
	return set_qbytes(id, qbytes) || send_len(id, 1, qbytes, 0) ? -1 : 0;
}

static void on_signal(int sig)
{
}

/* Installs a handler without SA_RESTART, so a blocked call gets EINTR. */
static void catch_sigusr1(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGUSR1, &sa, NULL);
}

FIXTURE(msq) {
	int id;
};

FIXTURE_SETUP(msq)
{
	self->id = ripc_msgget(IPC_PRIVATE, IPC_CREAT | 0666);
	ASSERT_GE(self->id, 0) TH_LOG("ripc_msgget: %s", strerror(errno));
}

FIXTURE_TEARDOWN(msq)
{
	ripc_msgctl(self->id, IPC_RMID, NULL);
}

/* msgque.c, rewritten: dump with MSG_STAT + MSG_COPY, recreate, compare */

#define MSGQUE_KEY 0x52495043	/* "RIPC" */

struct saved {
	int nr;
	struct msg msgs[4];
	ssize_t len[4];
	int mode;
};

TEST(msgque_dump_restore)
{
	struct saved saved = { 0 };
	struct msqid_ds ds;
	struct msginfo info;
	int id, idx, max_idx, found = -1, i;
	struct msg m;

	ripc_msgctl(ripc_msgget(MSGQUE_KEY, 0), IPC_RMID, NULL);
	id = ripc_msgget(MSGQUE_KEY, IPC_CREAT | IPC_EXCL | 0666);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, send_str(id, 1, "Test sysv5 msg", 0));
	ASSERT_EQ(0, send_str(id, 26, "Yet another test sysv5 msg", 0));

	/* Find the queue by slot, as a checkpointer does. */
	max_idx = ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info);
	ASSERT_GE(max_idx, 0);
	for (idx = 0; idx <= max_idx; idx++) {
		int ret = ripc_msgctl(idx, MSG_STAT, &ds);

		if (ret < 0) {
			ASSERT_EQ(EINVAL, errno);
			continue;
		}
		if (ret == id) {
			found = idx;
			break;
		}
	}
	ASSERT_GE(found, 0);
	saved.nr = ds.msg_qnum;
	saved.mode = ds.msg_perm.mode;
	ASSERT_EQ(2, saved.nr);
	for (i = 0; i < saved.nr; i++) {
		saved.len[i] = ripc_msgrcv(id, &saved.msgs[i], MSGMAX, i, IPC_NOWAIT | MSG_COPY);
		ASSERT_GT(saved.len[i], 0) TH_LOG("MSG_COPY %d: %s", i, strerror(errno));
	}
	ASSERT_EQ(2, qnum(id));

	/* Restore under the same key. */
	ASSERT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
	id = ripc_msgget(MSGQUE_KEY, saved.mode | IPC_CREAT | IPC_EXCL);
	ASSERT_GE(id, 0);
	for (i = 0; i < saved.nr; i++)
		ASSERT_EQ(0, ripc_msgsnd(id, &saved.msgs[i], saved.len[i], IPC_NOWAIT));

	/* Check and destroy. */
	for (i = 0; i < saved.nr; i++) {
		ssize_t n = ripc_msgrcv(id, &m, MSGMAX, 0, IPC_NOWAIT);

		ASSERT_EQ(saved.len[i], n);
		EXPECT_EQ(saved.msgs[i].mtype, m.mtype);
		EXPECT_EQ(0, memcmp(saved.msgs[i].mtext, m.mtext, n));
	}
	EXPECT_EQ(-ENOMSG, recv_type(id, 0, IPC_NOWAIT));
	ASSERT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
}

/* msgget */

TEST(get_private_is_always_new)
{
	int a = ripc_msgget(IPC_PRIVATE, 0600), b = ripc_msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL);

	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	EXPECT_NE(a, b);
	EXPECT_EQ(0, ripc_msgctl(a, IPC_RMID, NULL));
	EXPECT_EQ(0, ripc_msgctl(b, IPC_RMID, NULL));
}

TEST(get_by_key)
{
	key_t key = 0x5249500a;
	int id;

	ripc_msgctl(ripc_msgget(key, 0), IPC_RMID, NULL);
	EXPECT_EQ(-1, ripc_msgget(key, 0666));
	EXPECT_EQ(ENOENT, errno);
	id = ripc_msgget(key, IPC_CREAT | 0640);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, ripc_msgget(key, 0));
	EXPECT_EQ(id, ripc_msgget(key, IPC_CREAT | 0600));
	EXPECT_EQ(-1, ripc_msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
	/* After removal the key is free, and the new queue has a new id. */
	ASSERT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1, ripc_msgget(key, 0));
	EXPECT_EQ(ENOENT, errno);
	int id2 = ripc_msgget(key, IPC_CREAT | 0600);
	ASSERT_GE(id2, 0);
	EXPECT_NE(id, id2);
	EXPECT_EQ(0, ripc_msgctl(id2, IPC_RMID, NULL));
}

static int get_errno(const void *arg)
{
	long key_mode = (long)arg;

	key_t key = key_mode >> 12;
	int mode = key_mode & 07777;

	return ripc_msgget(key, mode) >= 0 ? 0 : errno;
}

TEST(get_checks_mode_bits)
{
	key_t key = 0x5249500b;
	int id;

	ripc_msgctl(ripc_msgget(key, 0), IPC_RMID, NULL);
	id = ripc_msgget(key, IPC_CREAT | 0604);
	ASSERT_GE(id, 0);
	/* Another user asking for read gets it from the "other" bits ... */
	EXPECT_EQ(0, as_user(USER, get_errno, (const void *)(long)(((long)key << 12) | 0400)));
	/* ... but not write, and asking for nothing always works. */
	EXPECT_EQ(EACCES, as_user(USER, get_errno, (const void *)(long)(((long)key << 12) | 0200)));
	EXPECT_EQ(0, as_user(USER, get_errno, (const void *)(long)(((long)key << 12) | 0)));
	/* CAP_IPC_OWNER (root) overrides the bits. */
	EXPECT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
	id = ripc_msgget(key, IPC_CREAT | 0);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, ripc_msgget(key, 0600));
	EXPECT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
}

/* For long cases without a queue of their own (TEST has a fixed timeout). */
FIXTURE(slow) {
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, get_enospc_at_msgmni, 300)
{
	struct msginfo info;
	int *ids = calloc(MSGMNI + 1, sizeof(int));
	int n = 0, i, base;

	ASSERT_NE(NULL, ids);
	ASSERT_GE(ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info), 0);
	base = info.msgpool;
	EXPECT_EQ(MSGMNI, info.msgmni);
	while (n <= MSGMNI) {
		ids[n] = ripc_msgget(IPC_PRIVATE, 0600);
		if (ids[n] < 0)
			break;
		n++;
	}
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(MSGMNI - base, n);
	ASSERT_GE(ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info), 0);
	EXPECT_EQ(MSGMNI, info.msgpool);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, ripc_msgctl(ids[i], IPC_RMID, NULL));
	free(ids);
}

/* ids */

TEST(stale_id_is_einval)
{
	int id = ripc_msgget(IPC_PRIVATE, 0600), id2, i;
	struct msqid_ds ds;
	struct msg m = { .mtype = 1 };

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1, ripc_msgsnd(id, &m, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_msgrcv(id, &m, 1, 0, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, errno);
	/* Ids are not reused at once, even when the slot is. */
	for (i = 0; i < 200; i++) {
		id2 = ripc_msgget(IPC_PRIVATE, 0600);
		ASSERT_GE(id2, 0);
		EXPECT_NE(id, id2);
		if (id2 % 32768 == id % 32768) {
			/* The same slot: the sequence number differs. */
			EXPECT_EQ(-1, ripc_msgctl(id, IPC_STAT, &ds));
			EXPECT_EQ(EINVAL, errno);
		}
		ASSERT_EQ(0, ripc_msgctl(id2, IPC_RMID, NULL));
	}
	EXPECT_EQ(-1, ripc_msgctl(-1, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
}

/* msgsnd */

TEST_F(msq, send_einval)
{
	struct msg m = { .mtype = 0 };

	EXPECT_EQ(-1, ripc_msgsnd(self->id, &m, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	m.mtype = -5;
	EXPECT_EQ(-1, ripc_msgsnd(self->id, &m, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	m.mtype = 1;
	EXPECT_EQ(-1, ripc_msgsnd(self->id, &m, MSGMAX + 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_msgsnd(self->id, &m, (size_t)-1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_msgsnd(-1, &m, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ripc_msgsnd(self->id, &m, MSGMAX, 0));
	EXPECT_EQ(0, ripc_msgsnd(self->id, &m, 0, 0));
	EXPECT_EQ(2, qnum(self->id));
}

TEST_F(msq, send_receive_and_stat)
{
	struct msqid_ds ds;
	struct msg m;
	time_t before = time(NULL);

	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_STAT, &ds));
	EXPECT_EQ(0, ds.msg_stime);
	EXPECT_EQ(0, ds.msg_rtime);
	EXPECT_LE(ds.msg_ctime, before);
	EXPECT_GE(ds.msg_ctime, before - 60);
	EXPECT_EQ(0, ds.msg_qnum);
	EXPECT_EQ(0, ds.__msg_cbytes);
	EXPECT_EQ(MSGMNB, ds.msg_qbytes);
	EXPECT_EQ(0, ds.msg_lspid);
	EXPECT_EQ(0, ds.msg_lrpid);
	EXPECT_EQ(IPC_PRIVATE, ds.msg_perm.__key);
	EXPECT_EQ(0666, ds.msg_perm.mode);
	EXPECT_EQ(getuid(), ds.msg_perm.uid);
	EXPECT_EQ(getgid(), ds.msg_perm.gid);
	EXPECT_EQ(getuid(), ds.msg_perm.cuid);
	EXPECT_EQ(getgid(), ds.msg_perm.cgid);
	EXPECT_EQ(self->id / 32768, ds.msg_perm.__seq);

	ASSERT_EQ(0, send_str(self->id, 7, "hello", 0));
	ASSERT_EQ(0, send_str(self->id, 8, "world!", 0));
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_STAT, &ds));
	EXPECT_EQ(2, ds.msg_qnum);
	EXPECT_EQ(13, ds.__msg_cbytes);
	EXPECT_EQ(getpid(), ds.msg_lspid);
	EXPECT_EQ(0, ds.msg_lrpid);
	EXPECT_GE(ds.msg_stime, before);
	EXPECT_EQ(0, ds.msg_rtime);

	ASSERT_EQ(6, ripc_msgrcv(self->id, &m, sizeof(m.mtext), 0, 0));
	EXPECT_EQ(7, m.mtype);
	EXPECT_STREQ("hello", m.mtext);
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_STAT, &ds));
	EXPECT_EQ(1, ds.msg_qnum);
	EXPECT_EQ(7, ds.__msg_cbytes);
	EXPECT_EQ(getpid(), ds.msg_lrpid);
	EXPECT_GE(ds.msg_rtime, before);
}

TEST_F(msq, receive_by_type)
{
	static const long types[] = { 3, 5, 2, 3, 1, 4 };
	struct msg m;
	int i;

	for (i = 0; i < 6; i++) {
		char s[8];

		snprintf(s, sizeof(s), "m%d", i);
		ASSERT_EQ(0, send_str(self->id, types[i], s, 0));
	}
	/* type > 0: the first of that type. */
	ASSERT_EQ(3, ripc_msgrcv(self->id, &m, 100, 3, 0));
	EXPECT_STREQ("m0", m.mtext);
	/* MSG_EXCEPT: the first of any other type. */
	ASSERT_EQ(3, ripc_msgrcv(self->id, &m, 100, 5, MSG_EXCEPT));
	EXPECT_STREQ("m2", m.mtext);
	/* type < 0: the first of the lowest type <= |type|. */
	ASSERT_EQ(3, ripc_msgrcv(self->id, &m, 100, -4, 0));
	EXPECT_STREQ("m4", m.mtext);
	EXPECT_EQ(-ENOMSG, recv_type(self->id, -2, IPC_NOWAIT));
	EXPECT_EQ(3, recv_type(self->id, -3, 0));
	EXPECT_EQ(-ENOMSG, recv_type(self->id, 9, IPC_NOWAIT));
	EXPECT_EQ(4, recv_type(self->id, LONG_MIN, 0));
	/* type 0: the first. */
	EXPECT_EQ(5, recv_type(self->id, 0, 0));
	EXPECT_EQ(-ENOMSG, recv_type(self->id, 0, IPC_NOWAIT));
}

TEST_F(msq, receive_e2big_and_noerror)
{
	struct msg m;

	ASSERT_EQ(0, send_str(self->id, 1, "0123456789", 0));
	EXPECT_EQ(-1, ripc_msgrcv(self->id, &m, 4, 0, IPC_NOWAIT));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(1, qnum(self->id));
	memset(m.mtext, 0, sizeof(m.mtext));
	EXPECT_EQ(4, ripc_msgrcv(self->id, &m, 4, 0, MSG_NOERROR));
	EXPECT_EQ(0, memcmp(m.mtext, "0123", 4));
	EXPECT_EQ(0, m.mtext[4]);
	EXPECT_EQ(0, qnum(self->id));
	EXPECT_EQ(-1, ripc_msgrcv(self->id, &m, (size_t)-1, 0, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(msq, msg_copy)
{
	struct msg m;

	ASSERT_EQ(0, send_str(self->id, 1, "first", 0));
	ASSERT_EQ(0, send_str(self->id, 2, "second", 0));
	EXPECT_EQ(-1, ripc_msgrcv(self->id, &m, 100, 0, MSG_COPY));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_msgrcv(self->id, &m, 100, 0, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(7, ripc_msgrcv(self->id, &m, 100, 1, MSG_COPY | IPC_NOWAIT));
	EXPECT_EQ(2, m.mtype);
	EXPECT_STREQ("second", m.mtext);
	EXPECT_EQ(6, ripc_msgrcv(self->id, &m, 100, 0, MSG_COPY | IPC_NOWAIT));
	EXPECT_STREQ("first", m.mtext);
	EXPECT_EQ(-1, ripc_msgrcv(self->id, &m, 100, 2, MSG_COPY | IPC_NOWAIT));
	EXPECT_EQ(ENOMSG, errno);
	EXPECT_EQ(-1, ripc_msgrcv(self->id, &m, 100, -1, MSG_COPY | IPC_NOWAIT));
	EXPECT_EQ(ENOMSG, errno);
	EXPECT_EQ(-1, ripc_msgrcv(self->id, &m, 2, 0, MSG_COPY | IPC_NOWAIT));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, ripc_msgrcv(self->id, &m, 2, 0, MSG_COPY | IPC_NOWAIT | MSG_NOERROR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(2, qnum(self->id));
}

TEST_F(msq, full_queue_nowait)
{
	/* Bytes bound the queue ... */
	ASSERT_EQ(0, set_qbytes(self->id, 100));
	EXPECT_EQ(0, send_len(self->id, 1, 60, IPC_NOWAIT));
	EXPECT_EQ(0, send_len(self->id, 1, 40, IPC_NOWAIT));
	EXPECT_EQ(-1, send_len(self->id, 1, 1, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, recv_type(self->id, 0, IPC_NOWAIT));
	EXPECT_EQ(1, recv_type(self->id, 0, IPC_NOWAIT));
	/* ... and so does the number of messages. */
	ASSERT_EQ(0, set_qbytes(self->id, 2));
	EXPECT_EQ(0, send_len(self->id, 1, 0, IPC_NOWAIT));
	EXPECT_EQ(0, send_len(self->id, 1, 0, IPC_NOWAIT));
	EXPECT_EQ(-1, send_len(self->id, 1, 0, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(2, qnum(self->id));
}

TEST_F(msq, full_queue_blocks_until_room)
{
	pid_t pid;

	ASSERT_EQ(0, fill(self->id, 10));
	pid = fork_sender(self->id, 2, 5);
	EXPECT_TRUE(still_blocked(pid));
	EXPECT_EQ(1, recv_type(self->id, 0, 0));
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(2, recv_type(self->id, 0, IPC_NOWAIT));
}

TEST_F(msq, set_wakes_blocked_sender)
{
	pid_t pid;

	ASSERT_EQ(0, fill(self->id, 10));
	pid = fork_sender(self->id, 2, 5);
	EXPECT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, set_qbytes(self->id, 100));
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(2, qnum(self->id));
}

TEST_F(msq, pipelined_send_to_waiting_receiver)
{
	struct msqid_ds ds;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(recv_type(self->id, 7, 0) == 7 ? 0 : 1);
	EXPECT_TRUE(still_blocked(pid));
	/* Not for it: stays queued. */
	ASSERT_EQ(0, send_str(self->id, 3, "no", 0));
	EXPECT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, send_str(self->id, 7, "yes", 0));
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_STAT, &ds));
	EXPECT_EQ(1, ds.msg_qnum);
	EXPECT_EQ(3, ds.__msg_cbytes);
	EXPECT_EQ(pid, ds.msg_lrpid);
	EXPECT_EQ(getpid(), ds.msg_lspid);
}

/* Forks a receiver of msgtyp/flags; it exits with the type it got. */
static pid_t fork_receiver(int id, long type, int flags)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit((int)recv_type(id, type, flags));
	return pid;
}

TEST_F(msq, sender_serves_only_the_receiver_of_its_type)
{
	pid_t one, two, except;

	one = fork_receiver(self->id, 1, 0);
	ASSERT_TRUE(still_blocked(one));
	two = fork_receiver(self->id, 2, 0);
	ASSERT_TRUE(still_blocked(two));
	except = fork_receiver(self->id, 1, MSG_EXCEPT);
	ASSERT_TRUE(still_blocked(except));
	/* Type 2: the first waiting receiver that takes it is "two". */
	ASSERT_EQ(0, send_str(self->id, 2, "b", 0));
	EXPECT_EQ(2, wait_exit(two));
	EXPECT_TRUE(still_blocked(one));
	EXPECT_TRUE(still_blocked(except));
	/* Type 3: only the MSG_EXCEPT receiver takes it. */
	ASSERT_EQ(0, send_str(self->id, 3, "c", 0));
	EXPECT_EQ(3, wait_exit(except));
	EXPECT_TRUE(still_blocked(one));
	ASSERT_EQ(0, send_str(self->id, 1, "a", 0));
	EXPECT_EQ(1, wait_exit(one));
	EXPECT_EQ(0, qnum(self->id));
}

TEST_F(msq, receivers_of_one_type_served_in_arrival_order)
{
	pid_t first, second;
	struct msqid_ds ds;

	first = fork_receiver(self->id, 0, 0);
	ASSERT_TRUE(still_blocked(first));
	second = fork_receiver(self->id, 0, 0);
	ASSERT_TRUE(still_blocked(second));
	ASSERT_EQ(0, send_str(self->id, 5, "x", 0));
	EXPECT_EQ(5, wait_exit(first));
	EXPECT_TRUE(still_blocked(second));
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_STAT, &ds));
	EXPECT_EQ(first, ds.msg_lrpid);
	ASSERT_EQ(0, send_str(self->id, 6, "y", 0));
	EXPECT_EQ(6, wait_exit(second));
}

TEST_F(msq, waiting_receiver_gets_e2big)
{
	struct msg m;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(ripc_msgrcv(self->id, &m, 2, 0, 0) < 0 ? errno : 0);
	EXPECT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, send_str(self->id, 1, "too long", 0));
	EXPECT_EQ(E2BIG, wait_exit(pid));
	/* The message stays for others. */
	EXPECT_EQ(1, qnum(self->id));
}

TEST_F(msq, blocked_senders_in_arrival_order)
{
	pid_t a, b;

	/* Room for two messages. */
	ASSERT_EQ(0, set_qbytes(self->id, 2));
	ASSERT_EQ(0, send_len(self->id, 9, 0, 0));
	ASSERT_EQ(0, send_len(self->id, 9, 0, 0));
	a = fork_sender(self->id, 1, 0);
	EXPECT_TRUE(still_blocked(a));
	b = fork_sender(self->id, 2, 0);
	EXPECT_TRUE(still_blocked(b));
	/* Room for one: the first blocked sender goes, the second waits. */
	EXPECT_EQ(9, recv_type(self->id, 0, 0));
	EXPECT_EQ(0, wait_exit(a));
	EXPECT_TRUE(still_blocked(b));
	EXPECT_EQ(9, recv_type(self->id, 0, 0));
	EXPECT_EQ(0, wait_exit(b));
	EXPECT_EQ(1, recv_type(self->id, 0, IPC_NOWAIT));
	EXPECT_EQ(2, recv_type(self->id, 0, IPC_NOWAIT));
}

TEST_F(msq, rmid_wakes_four_blocked_with_eidrm)
{
	pid_t pids[4];
	int i;

	ASSERT_EQ(0, fill(self->id, 1));
	for (i = 0; i < 4; i++) {
		if (i < 2) {	/* senders on a full queue */
			pids[i] = fork_sender(self->id, 1, 1);
			continue;
		}
		pids[i] = fork();
		if (pids[i] == 0)	/* receivers of a type nobody sends */
			_exit(-recv_type(self->id, 42, 0));
	}
	for (i = 0; i < 4; i++)
		EXPECT_TRUE(still_blocked(pids[i]));
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_RMID, NULL));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(EIDRM, wait_exit(pids[i]));
}

/*
 * A message too long for the receivers waiting first gives each of them
 * E2BIG on its way to the first one it fits (pipelined_send()), and
 * removal wakes every waiter with EIDRM: here more receivers served by
 * one send than the queue keeps to wake after dropping its lock (the rest
 * are woken under it). On the debug kernel this also checks that nothing
 * under the queue's spinlock allocates.
 */
TEST_F(msq, many_receivers_woken_at_once)
{
	enum { SHORT = 6, ALL = SHORT + 6 };
	pid_t pids[ALL];
	int i;

	for (i = 0; i < ALL; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0) {
			struct msg m;
			size_t size = i < SHORT ? 4 : sizeof(m.mtext);
			ssize_t got = ripc_msgrcv(self->id, &m, size, 1, 0);

			_exit(got == 10 ? 0 : got < 0 ? errno : 100);
		}
		/* One at a time, so that they wait in this order. */
		EXPECT_TRUE(still_blocked(pids[i]));
	}
	ASSERT_EQ(0, send_len(self->id, 1, 10, 0));
	for (i = 0; i < SHORT; i++)
		EXPECT_EQ(E2BIG, wait_exit(pids[i]));
	EXPECT_EQ(0, wait_exit(pids[SHORT]));
	for (i = SHORT + 1; i < ALL; i++)
		EXPECT_TRUE(still_blocked(pids[i]));
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_RMID, NULL));
	for (i = SHORT + 1; i < ALL; i++)
		EXPECT_EQ(EIDRM, wait_exit(pids[i]));
}

TEST_F(msq, signal_gives_eintr)
{
	pid_t rcv, snd;

	ASSERT_EQ(0, fill(self->id, 1));
	rcv = fork();
	if (rcv == 0) {
		catch_sigusr1();
		_exit(-recv_type(self->id, 42, 0));
	}
	snd = fork();
	if (snd == 0) {
		catch_sigusr1();
		_exit(send_len(self->id, 1, 1, 0) ? errno : 0);
	}
	EXPECT_TRUE(still_blocked(rcv));
	EXPECT_TRUE(still_blocked(snd));
	kill(rcv, SIGUSR1);
	kill(snd, SIGUSR1);
	EXPECT_EQ(EINTR, wait_exit(rcv));
	EXPECT_EQ(EINTR, wait_exit(snd));
	/* The queue is as it was. */
	EXPECT_EQ(1, qnum(self->id));
}

TEST_F(msq, stop_and_continue_restarts)
{
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(recv_type(self->id, 3, 0) == 3 ? 0 : 1);
	EXPECT_TRUE(still_blocked(pid));
	/* No handler: the call restarts instead of failing. */
	kill(pid, SIGSTOP);
	sleep_ms(100);
	kill(pid, SIGCONT);
	EXPECT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, send_str(self->id, 3, "x", 0));
	EXPECT_EQ(0, wait_exit(pid));
}

TEST_F(msq, bad_pointers_efault)
{
	char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *bad = pages + 4096;
	long *edge = (long *)bad - 1;

	ASSERT_NE(MAP_FAILED, pages);
	ASSERT_EQ(0, mprotect(bad, 4096, PROT_NONE));
	EXPECT_EQ(-1, ripc_msgsnd(self->id, bad, 4, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ripc_msgsnd(self->id, NULL, 4, 0));
	EXPECT_EQ(EFAULT, errno);
	/* mtype readable, text not. */
	*edge = 1;
	EXPECT_EQ(-1, ripc_msgsnd(self->id, edge, 4, 0));
	EXPECT_EQ(EFAULT, errno);
	/* Linux checks mtype before it copies the text in: EINVAL. */
	*edge = 0;
	EXPECT_EQ(-1, ripc_msgsnd(self->id, edge, 4, 0));
	EXPECT_EQ(EINVAL, errno);
	*edge = 1;
	EXPECT_EQ(0, ripc_msgsnd(self->id, edge, 0, 0));
	EXPECT_EQ(1, qnum(self->id));
	EXPECT_EQ(1, recv_type(self->id, 0, IPC_NOWAIT));
	EXPECT_EQ(-1, ripc_msgctl(self->id, IPC_STAT, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ripc_msgctl(self->id, IPC_SET, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ripc_msgctl(0, IPC_INFO, bad));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, send_str(self->id, 1, "abc", 0));
	EXPECT_EQ(-1, ripc_msgrcv(self->id, bad, 100, 0, IPC_NOWAIT));
	EXPECT_EQ(EFAULT, errno);
	munmap(pages, 8192);
}

/* msgctl */

TEST_F(msq, ipc_set_owner_mode_qbytes)
{
	struct msqid_ds ds, after;

	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_STAT, &ds));
	ds.msg_perm.uid = USER;
	ds.msg_perm.gid = OTHER;
	ds.msg_perm.mode = 01640;	/* only the permission bits count */
	ds.msg_qbytes = 2 * MSGMNB;	/* root may exceed MSGMNB */
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_SET, &ds));
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_STAT, &after));
	EXPECT_EQ(USER, after.msg_perm.uid);
	EXPECT_EQ(OTHER, after.msg_perm.gid);
	EXPECT_EQ(0, after.msg_perm.cuid);
	EXPECT_EQ(0640, after.msg_perm.mode);
	EXPECT_EQ(2 * MSGMNB, after.msg_qbytes);
	EXPECT_GE(after.msg_ctime, ds.msg_ctime);
	EXPECT_EQ(-1, ripc_msgctl(self->id, 99, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_msgctl(self->id, -1, &ds));
	EXPECT_EQ(EINVAL, errno);
}

static int user_set_qbytes(const void *arg)
{
	long id = (long)arg;

	return set_qbytes(id, 2 * MSGMNB) ? errno : 0;
}

static int user_lower_qbytes(const void *arg)
{
	long id = (long)arg;

	return set_qbytes(id, 100) ? errno : 0;
}

static int user_rmid(const void *arg)
{
	long id = (long)arg;

	return ripc_msgctl(id, IPC_RMID, NULL) ? errno : 0;
}

TEST_F(msq, ipc_set_and_rmid_rights)
{
	struct msqid_ds ds;

	/* Not owner nor creator: EPERM. */
	EXPECT_EQ(EPERM, as_user(USER, user_lower_qbytes, (const void *)(long)(self->id)));
	EXPECT_EQ(EPERM, as_user(USER, user_rmid, (const void *)(long)(self->id)));
	/* The owner may, but not raise msg_qbytes past MSGMNB. */
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_STAT, &ds));
	ds.msg_perm.uid = USER;
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_SET, &ds));
	EXPECT_EQ(EPERM, as_user(USER, user_set_qbytes, (const void *)(long)(self->id)));
	EXPECT_EQ(0, as_user(USER, user_lower_qbytes, (const void *)(long)(self->id)));
	EXPECT_EQ(EPERM, as_user(OTHER, user_rmid, (const void *)(long)(self->id)));
	EXPECT_EQ(0, as_user(USER, user_rmid, (const void *)(long)(self->id)));
	EXPECT_EQ(-EINVAL, qnum(self->id));
}

static int user_ops(const void *arg)
{
	long id = (long)arg;

	struct msqid_ds ds;
	struct msg m = { .mtype = 1 };
	int bits = 0;

	if (ripc_msgsnd(id, &m, 1, IPC_NOWAIT) == 0)
		bits |= 1;
	else if (errno != EACCES)
		return 100;
	if (ripc_msgrcv(id, &m, 1, 0, IPC_NOWAIT) >= 0)
		bits |= 2;
	else if (errno != EACCES)
		return 101;
	if (ripc_msgctl(id, IPC_STAT, &ds) == 0)
		bits |= 4;
	else if (errno != EACCES)
		return 102;
	/* MSG_STAT_ANY needs no read permission. */
	if (ripc_msgctl(id % 32768, MSG_STAT_ANY, &ds) != id)
		return 103;
	return bits;
}

TEST(mode_bits_deny_other_users)
{
	int id = ripc_msgget(IPC_PRIVATE, 0600);
	struct msqid_ds ds;

	ASSERT_GE(id, 0);
	EXPECT_EQ(0, as_user(USER, user_ops, (const void *)(long)(id)));
	/* Others may write only. */
	ASSERT_EQ(0, ripc_msgctl(id, IPC_STAT, &ds));
	ds.msg_perm.mode = 0622;
	ASSERT_EQ(0, ripc_msgctl(id, IPC_SET, &ds));
	EXPECT_EQ(1, as_user(USER, user_ops, (const void *)(long)(id)));
	/* The group class: gid 1000 is ripcuser's group. */
	ds.msg_perm.mode = 0640;
	ds.msg_perm.gid = USER;
	ASSERT_EQ(0, ripc_msgctl(id, IPC_SET, &ds));
	EXPECT_EQ(6, as_user(USER, user_ops, (const void *)(long)(id)));
	EXPECT_EQ(0, as_user(OTHER, user_ops, (const void *)(long)(id)));
	/* The owner class, even with fewer bits than "other". */
	ds.msg_perm.uid = USER;
	ds.msg_perm.gid = 0;
	ds.msg_perm.mode = 0066;
	ASSERT_EQ(0, ripc_msgctl(id, IPC_SET, &ds));
	EXPECT_EQ(0, as_user(USER, user_ops, (const void *)(long)(id)));
	EXPECT_EQ(7, as_user(OTHER, user_ops, (const void *)(long)(id)));
	EXPECT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
}

/*
 * MSG_INFO's msgmap and msgtql are the messages queued in the namespace
 * and their bytes (Linux keeps them in per-cpu counters): a message
 * handed straight to a blocked receiver never counts, a received one
 * stops counting, and a removed queue takes its messages away.
 */
TEST_F(msq, msg_info_counts_queued_messages)
{
	struct msginfo before, info;
	int other = ripc_msgget(IPC_PRIVATE, 0600);
	struct msg m;
	pid_t pid;

	ASSERT_GE(other, 0);
	ASSERT_GE(ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&before), 0);
	ASSERT_EQ(0, send_len(self->id, 1, 100, 0));
	ASSERT_EQ(0, send_len(self->id, 2, 23, 0));
	ASSERT_EQ(0, send_len(other, 1, 7, 0));
	ASSERT_GE(ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info), 0);
	EXPECT_EQ(before.msgmap + 3, info.msgmap);
	EXPECT_EQ(before.msgtql + 130, info.msgtql);

	ASSERT_EQ(100, ripc_msgrcv(self->id, &m, sizeof(m.mtext), 1, 0));
	ASSERT_GE(ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info), 0);
	EXPECT_EQ(before.msgmap + 2, info.msgmap);
	EXPECT_EQ(before.msgtql + 30, info.msgtql);

	/* A hand-over to a blocked receiver. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(recv_type(self->id, 3, 0) == 3 ? 0 : 1);
	EXPECT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, send_len(self->id, 3, 50, 0));
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_GE(ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info), 0);
	EXPECT_EQ(before.msgmap + 2, info.msgmap);
	EXPECT_EQ(before.msgtql + 30, info.msgtql);

	ASSERT_EQ(0, ripc_msgctl(other, IPC_RMID, NULL));
	ASSERT_GE(ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info), 0);
	EXPECT_EQ(before.msgmap + 1, info.msgmap);
	EXPECT_EQ(before.msgtql + 23, info.msgtql);
}

TEST_F(msq, info_and_msg_stat)
{
	struct msginfo info;
	struct msqid_ds ds;
	int max_idx, idx = self->id % 32768;

	max_idx = ripc_msgctl(0, IPC_INFO, (struct msqid_ds *)&info);
	ASSERT_GE(max_idx, idx);
	EXPECT_EQ(MSGMAX, info.msgmax);
	EXPECT_EQ(MSGMNB, info.msgmnb);
	EXPECT_EQ(MSGMNI, info.msgmni);
	EXPECT_EQ(16, info.msgssz);
	EXPECT_EQ(0xffff, info.msgseg);
	EXPECT_EQ(MSGMNB, info.msgmap);
	EXPECT_EQ(MSGMNB, info.msgtql);

	ASSERT_EQ(0, send_len(self->id, 1, 100, 0));
	ASSERT_EQ(0, send_len(self->id, 1, 23, 0));
	ASSERT_GE(ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info), idx);
	EXPECT_GE(info.msgpool, 1);
	EXPECT_GE(info.msgmap, 2);
	EXPECT_GE(info.msgtql, 123);

	/* MSG_STAT takes a slot index and returns the full id. */
	EXPECT_EQ(self->id, ripc_msgctl(idx, MSG_STAT, &ds));
	EXPECT_EQ(2, ds.msg_qnum);
	EXPECT_EQ(123, ds.__msg_cbytes);
	EXPECT_EQ(self->id, ripc_msgctl(idx, MSG_STAT_ANY, &ds));
	EXPECT_EQ(-1, ripc_msgctl(32767, MSG_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
}

#define MNT "/tmp/ripc-msg-mnt"

TEST_F(msq, sysvipc_listing)
{
	char line[512], want[64];
	int found = 0, header = 0;
	key_t key = 0x52495077;
	FILE *f;
	int id;

	ripc_msgctl(ripc_msgget(key, 0), IPC_RMID, NULL);
	id = ripc_msgget(key, IPC_CREAT | 0640);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, send_len(id, 1, 42, 0));
	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL)) TH_LOG("mount: %s", strerror(errno));
	f = fopen(MNT "/sysvipc/msg", "r");
	ASSERT_NE(NULL, f);
	snprintf(want, sizeof(want), "%10d %10d  %4o  %10lu %10lu %5u", key, id, 0640, 42UL, 1UL,
		 getpid());
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "key      msqid perms"))
			header = 1;
		if (strncmp(line, want, strlen(want)) == 0)
			found = 1;
	}
	fclose(f);
	EXPECT_TRUE(header);
	EXPECT_TRUE(found) TH_LOG("no line starting with '%s'", want);
	EXPECT_EQ(0, umount(MNT));
	EXPECT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
}

/* Concurrency: senders and receivers in several processes */

#define SENDERS 4
#define PER_SENDER 1500

struct payload {
	uint32_t sender;
	uint32_t seq;
	uint32_t len;
	uint32_t sum;
	unsigned char data[200];
};

static uint32_t checksum(const struct payload *p)
{
	uint32_t sum = p->sender * 2654435761u ^ p->seq;
	uint32_t i;

	for (i = 0; i < p->len; i++)
		sum = sum * 31 + p->data[i];
	return sum;
}

static int sender(int id, int s)
{
	struct { long mtype; struct payload p; } m;
	uint32_t seq;

	for (seq = 0; seq < PER_SENDER; seq++) {
		uint32_t i;

		m.mtype = s + 1;
		m.p.sender = s;
		m.p.seq = seq;
		m.p.len = (seq * 7 + s) % sizeof(m.p.data);
		for (i = 0; i < m.p.len; i++)
			m.p.data[i] = seq + i * s;
		m.p.sum = checksum(&m.p);
		if (ripc_msgsnd(id, &m, offsetof(struct payload, data) + m.p.len, 0))
			return 10;
	}
	return 0;
}

/* Takes only its own type: every message of that sender, in order, intact. */
static int receiver(int id, int s)
{
	struct { long mtype; struct payload p; } m;
	uint32_t seq;

	for (seq = 0; seq < PER_SENDER; seq++) {
		ssize_t n = ripc_msgrcv(id, &m, sizeof(m.p), s + 1, 0);

		if (n < 0)
			return 20;
		if (m.mtype != s + 1 || m.p.sender != s)
			return 21;
		if (m.p.seq != seq)
			return 22;
		if (n != offsetof(struct payload, data) + m.p.len || m.p.sum != checksum(&m.p))
			return 23;
	}
	return 0;
}

TEST_F_TIMEOUT(msq, concurrent_senders_receivers, 300)
{
	pid_t pids[2 * SENDERS];
	int i;

	/* A small queue, so that senders block too. */
	ASSERT_EQ(0, set_qbytes(self->id, 2048));
	for (i = 0; i < 2 * SENDERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(i < SENDERS ? sender(self->id, i) : receiver(self->id, i - SENDERS));
	}
	for (i = 0; i < 2 * SENDERS; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %d", i);
	}
	EXPECT_EQ(0, qnum(self->id));
}

/*
 * Receivers of any type: each message is taken exactly once. Removal ends
 * them: EIDRM if blocked then, EINVAL (a stale id) if between two calls.
 */
static int any_receiver(int id, int fd)
{
	struct { long mtype; struct payload p; } m;
	int n = 0;

	for (;;) {
		if (ripc_msgrcv(id, &m, sizeof(m.p), -SENDERS, 0) < 0)
			return errno == EIDRM || errno == EINVAL ? 0 : 30;
		if (m.p.sum != checksum(&m.p))
			return 31;
		if (write(fd, &m.p, 8) != 8)
			return 32;
		n++;
	}
}

TEST_F_TIMEOUT(msq, concurrent_nothing_lost_or_duplicated, 300)
{
	static unsigned char seen[SENDERS][PER_SENDER];
	pid_t pids[2 * SENDERS];
	int fds[2], i, total = 0;
	uint32_t rec[2];

	ASSERT_EQ(0, pipe(fds));
	ASSERT_EQ(0, set_qbytes(self->id, 4096));
	for (i = 0; i < 2 * SENDERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(fds[0]);
			_exit(i < SENDERS ? sender(self->id, i) : any_receiver(self->id, fds[1]));
		}
	}
	close(fds[1]);
	while (total < SENDERS * PER_SENDER && read(fds[0], rec, 8) == 8) {
		ASSERT_LT(rec[0], SENDERS);
		ASSERT_LT(rec[1], PER_SENDER);
		EXPECT_EQ(0, seen[rec[0]][rec[1]]) TH_LOG("duplicate %u/%u", rec[0], rec[1]);
		seen[rec[0]][rec[1]] = 1;
		total++;
	}
	EXPECT_EQ(SENDERS * PER_SENDER, total);
	/* All sent and all taken: removal releases the receivers. */
	for (i = 0; i < SENDERS; i++)
		EXPECT_EQ(0, wait_exit(pids[i]));
	EXPECT_EQ(0, qnum(self->id));
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_RMID, NULL));
	for (i = SENDERS; i < 2 * SENDERS; i++)
		EXPECT_EQ(0, wait_exit(pids[i]));
	close(fds[0]);
}

/* At size: order and lookups with many messages and many queues */

/* One implementation of SysV queues: Linux's own, or ripc's. */
struct msg_api {
	const char *name;
	int (*get)(key_t key, int msgflg);
	int (*snd)(int id, const void *msgp, size_t msgsz, int msgflg);
	ssize_t (*rcv)(int id, void *msgp, size_t msgsz, long msgtyp, int msgflg);
	int (*ctl)(int id, int cmd, struct msqid_ds *buf);
};

static const struct msg_api native_msg = { "native", msgget, msgsnd, msgrcv, msgctl };
static const struct msg_api ripc_msg = { "ripc", ripc_msgget, ripc_msgsnd, ripc_msgrcv,
					 ripc_msgctl };

#define ORDER_MSGS 10000
#define ORDER_TYPES 23

struct numbered {
	long mtype;
	int n;
};

/*
 * Fills a queue of api with ORDER_MSGS messages of mixed types, each
 * carrying its number, then receives with a fixed script of positive,
 * negative, MSG_EXCEPT and any-type requests until it is empty; out[]
 * gets, for each request, the number received or -errno. Returns the
 * number of requests, or -1.
 */
static int order_script(const struct msg_api *api, int *out, int max)
{
	struct msqid_ds ds;
	struct numbered m;
	unsigned int seed = 12345;
	int id, i, n = 0, left = ORDER_MSGS;

	id = api->get(IPC_PRIVATE, 0600);
	if (id < 0 || api->ctl(id, IPC_STAT, &ds))
		return -1;
	/* Room for all of them: qbytes bounds bytes and messages. */
	ds.msg_qbytes = 4 * ORDER_MSGS * sizeof(m.n);
	if (api->ctl(id, IPC_SET, &ds))
		return -1;
	for (i = 0; i < ORDER_MSGS; i++) {
		seed = seed * 1103515245 + 12345;
		m.mtype = 1 + (seed >> 16) % ORDER_TYPES;
		m.n = i;
		if (api->snd(id, &m, sizeof(m.n), IPC_NOWAIT))
			return -1;
	}
	for (i = 0; left > 0 && n < max; i++) {
		long t = 1 + (i * 7) % ORDER_TYPES;
		long typ;
		int flags = IPC_NOWAIT;

		switch (i % 5) {
		case 0:
			typ = t;
			break;
		case 1:
			typ = -t;
			break;
		case 2:
			typ = t;
			flags |= MSG_EXCEPT;
			break;
		case 3:
			typ = -(ORDER_TYPES / 2);
			break;
		default:
			typ = i % 50 ? t : 0;
			break;
		}
		if (api->rcv(id, &m, sizeof(m.n), typ, flags) < 0) {
			out[n++] = -errno;
		} else {
			out[n++] = m.n;
			left--;
		}
	}
	if (api->ctl(id, IPC_STAT, &ds) || ds.msg_qnum || api->ctl(id, IPC_RMID, NULL))
		return -1;
	return n;
}

/*
 * 10,000 messages of 23 types come out in exactly the order Linux gives
 * for every kind of request: msgrcv() by type takes the oldest message of
 * that type, a negative type the oldest of the lowest type up to it,
 * MSG_EXCEPT the oldest of any other type (ripc indexes types instead of
 * walking the queue; the order must not change).
 */
TEST(order_of_10000_messages_as_linux)
{
	int max = 20 * ORDER_MSGS, n_native, n_ripc, i;
	int *native = calloc(max, sizeof(int)), *mine = calloc(max, sizeof(int));

	ASSERT_NE(NULL, native);
	ASSERT_NE(NULL, mine);
	if (geteuid())
		SKIP(return, "raising msg_qbytes above msgmnb needs root");
	n_native = order_script(&native_msg, native, max);
	n_ripc = order_script(&ripc_msg, mine, max);
	ASSERT_GT(n_native, ORDER_MSGS) TH_LOG("native run failed: %s", strerror(errno));
	ASSERT_EQ(n_native, n_ripc);
	for (i = 0; i < n_native; i++)
		if (native[i] != mine[i])
			break;
	EXPECT_EQ(n_native, i) TH_LOG("request %d: Linux %d, ripc %d", i, native[i], mine[i]);
	free(native);
	free(mine);
}

/*
 * Signals racing handovers: a sender and a receiver pass RACE_MSGS
 * numbered messages through a queue that holds one, both blocking at
 * every turn, while both are signalled over and over (a handler without
 * SA_RESTART, so a blocked call fails with EINTR). Linux's rules make this
 * lossless: a message handed to a blocked receiver is returned even if a
 * signal came meanwhile (do_msgrcv()'s lockless receive sees it first),
 * and a sender interrupted gets EINTR without its message queued, so
 * that it sends it again. The receiver sees 0, 1, 2, ... exactly once
 * each, on Linux's queue and on ripc's.
 */
#define RACE_MSGS 400

static void race_sender(const struct msg_api *api, int id)
{
	struct numbered m = { .mtype = 1 };

	while (m.n < RACE_MSGS) {
		if (api->snd(id, &m, sizeof(m.n), 0) == 0)
			m.n++;
		else if (errno != EINTR)
			_exit(1);
	}
	_exit(0);
}

/* Exits 0 after 0 .. RACE_MSGS - 1 in order, 2 on a loss or a duplicate. */
static void race_receiver(const struct msg_api *api, int id)
{
	struct numbered m;
	int next = 0;

	while (next < RACE_MSGS) {
		if (api->rcv(id, &m, sizeof(m.n), 1, 0) < 0) {
			if (errno != EINTR)
				_exit(1);
			continue;
		}
		if (m.n != next)
			_exit(2);
		next++;
	}
	_exit(0);
}

/* Returns the receiver's exit status, with the sender's times 10 added. */
static int signal_race(const struct msg_api *api)
{
	struct msqid_ds ds;
	struct sigaction sa = { .sa_handler = on_signal }, old;
	pid_t snd, rcv;
	int id, status;

	id = api->get(IPC_PRIVATE, 0600);
	if (id < 0 || api->ctl(id, IPC_STAT, &ds))
		return -1;
	ds.msg_qbytes = sizeof(int);	/* room for one message */
	if (api->ctl(id, IPC_SET, &ds))
		return -1;
	/* The children start with the handler, so that no signal kills them. */
	sigaction(SIGUSR1, &sa, &old);
	rcv = fork();
	if (rcv == 0)
		race_receiver(api, id);
	snd = fork();
	if (snd == 0)
		race_sender(api, id);
	sigaction(SIGUSR1, &old, NULL);
	status = signal_both_until_exit(rcv, snd, SIGUSR1);
	/* Nothing left behind either. */
	if (api->ctl(id, IPC_STAT, &ds) || ds.msg_qnum)
		status = -2;
	api->ctl(id, IPC_RMID, NULL);
	return status;
}

TEST(signals_racing_handovers_lose_nothing_as_linux)
{
	EXPECT_EQ(0, signal_race(&native_msg));
	EXPECT_EQ(0, signal_race(&ripc_msg));
}

/*
 * IPC_SET wakes every blocked receiver to look at the queue again
 * (expunge_all(-EAGAIN)): one still allowed to read waits again, as the
 * last in line, and takes the next message of its type; one that lost
 * read permission fails with EACCES. As Linux.
 */
static pid_t receiver_as(const struct msg_api *api, int uid, int id, long type)
{
	pid_t pid = fork();
	struct msg m;

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			_exit(200);
		_exit(api->rcv(id, &m, sizeof(m.mtext), type, 0) < 0 ? errno : (int)m.mtype);
	}
	return pid;
}

static void ipc_set_rescan(struct __test_metadata *_metadata, const struct msg_api *api)
{
	struct msqid_ds ds;
	pid_t first, stays, leaves;
	struct msg m = { .mtype = 7 };
	int id = api->get(IPC_PRIVATE, 0666);

	ASSERT_GE(id, 0);
	first = receiver_as(api, USER, id, 7);
	ASSERT_TRUE(still_blocked(first));
	stays = receiver_as(api, USER, id, 7);
	ASSERT_TRUE(still_blocked(stays));
	leaves = receiver_as(api, OTHER, id, 7);
	ASSERT_TRUE(still_blocked(leaves));
	/* Only ripcuser's group may read now. */
	ASSERT_EQ(0, api->ctl(id, IPC_STAT, &ds));
	ds.msg_perm.gid = USER;
	ds.msg_perm.mode = 0660;
	ASSERT_EQ(0, api->ctl(id, IPC_SET, &ds));
	EXPECT_EQ(EACCES, wait_exit(leaves)) TH_LOG("%s", api->name);
	EXPECT_TRUE(still_blocked(first));
	EXPECT_TRUE(still_blocked(stays));
	/* Both queued again, in the order they looked again: one message each. */
	ASSERT_EQ(0, api->snd(id, &m, 1, 0));
	ASSERT_EQ(0, api->snd(id, &m, 1, 0));
	EXPECT_EQ(7, wait_exit(first)) TH_LOG("%s", api->name);
	EXPECT_EQ(7, wait_exit(stays)) TH_LOG("%s", api->name);
	ASSERT_EQ(0, api->ctl(id, IPC_STAT, &ds));
	EXPECT_EQ(0, ds.msg_qnum) TH_LOG("%s", api->name);
	EXPECT_EQ(0, api->ctl(id, IPC_RMID, NULL));
}

TEST(ipc_set_wakes_receivers_to_look_again_as_linux)
{
	if (geteuid())
		SKIP(return, "needs root to receive as other users");
	ipc_set_rescan(_metadata, &native_msg);
	ipc_set_rescan(_metadata, &ripc_msg);
}

/*
 * Blocked senders go on as room comes, however it comes. Two senders of
 * 4 bytes wait on a full queue: IPC_SET making room for both lets both
 * send (Linux's ss_wakeup() wakes both; ripc wakes the first, which wakes
 * the next once it has sent). Then a sender of 8 bytes waits ahead of one
 * of 4 with room for 4: Linux lets the small one pass (ripc keeps them in
 * arrival order, see msg.rst); once a signal takes the big one away, the
 * small one has sent, on both.
 */
static pid_t sender_of(const struct msg_api *api, int id, size_t len)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct msg m = { .mtype = 1 };

		memset(m.mtext, 'x', len);
		_exit(api->snd(id, &m, len, 0) ? errno : 0);
	}
	return pid;
}

static void senders_go_on(struct __test_metadata *_metadata, const struct msg_api *api)
{
	struct sigaction sa = { .sa_handler = on_signal }, old;
	struct msqid_ds ds;
	struct msg m = { .mtype = 9 };
	pid_t a, b;
	int id = api->get(IPC_PRIVATE, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, api->ctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = 4;
	ASSERT_EQ(0, api->ctl(id, IPC_SET, &ds));
	ASSERT_EQ(0, api->snd(id, &m, 4, 0));
	a = sender_of(api, id, 4);
	ASSERT_TRUE(still_blocked(a));
	b = sender_of(api, id, 4);
	ASSERT_TRUE(still_blocked(b));
	ds.msg_qbytes = 12;
	ASSERT_EQ(0, api->ctl(id, IPC_SET, &ds));
	EXPECT_EQ(0, wait_exit(a)) TH_LOG("%s", api->name);
	EXPECT_EQ(0, wait_exit(b)) TH_LOG("%s", api->name);

	/* Full again (12 bytes); the big one first, with a handler. */
	sigaction(SIGUSR1, &sa, &old);
	a = sender_of(api, id, 8);
	sigaction(SIGUSR1, &old, NULL);
	ASSERT_TRUE(still_blocked(a));
	b = sender_of(api, id, 4);
	ASSERT_TRUE(still_blocked(b));
	ASSERT_EQ(4, api->rcv(id, &m, sizeof(m.mtext), 9, IPC_NOWAIT));
	kill(a, SIGUSR1);
	EXPECT_EQ(EINTR, wait_exit(a)) TH_LOG("%s", api->name);
	EXPECT_EQ(0, wait_exit(b)) TH_LOG("%s", api->name);
	ASSERT_EQ(0, api->ctl(id, IPC_STAT, &ds));
	EXPECT_EQ(3, ds.msg_qnum) TH_LOG("%s", api->name);
	EXPECT_EQ(0, api->ctl(id, IPC_RMID, NULL));
}

TEST(blocked_senders_go_on_as_room_comes_as_linux)
{
	senders_go_on(_metadata, &native_msg);
	senders_go_on(_metadata, &ripc_msg);
}

/*
 * A table full of keyed queues: every key finds its own queue, and
 * removal leaves the others found (ripc keeps keys in a tree and slots in
 * chunks; Linux in an rhashtable and an idr).
 */
TEST_F_TIMEOUT(slow, msgmni_queues_found_by_key, 300)
{
	const key_t base = 0x52400000;
	struct msginfo info;
	int *ids = calloc(MSGMNI, sizeof(int));
	int n, i, wrong = 0;

	ASSERT_NE(NULL, ids);
	ASSERT_GE(ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info), 0);
	n = info.msgmni - info.msgpool;
	ASSERT_GT(n, 0);
	for (i = 0; i < n; i++) {
		ids[i] = ripc_msgget(base + i, IPC_CREAT | IPC_EXCL | 0600);
		ASSERT_GE(ids[i], 0) TH_LOG("queue %d: %s", i, strerror(errno));
	}
	EXPECT_EQ(-1, ripc_msgget(base + n, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	for (i = 0; i < n; i++)
		wrong += ripc_msgget(base + i, 0600) != ids[i];
	EXPECT_EQ(0, wrong);
	/* Remove every other one: the rest are still found, the others not. */
	for (i = 0; i < n; i += 2)
		EXPECT_EQ(0, ripc_msgctl(ids[i], IPC_RMID, NULL));
	for (i = 0; i < n; i++) {
		int id = ripc_msgget(base + i, 0600);

		wrong += i % 2 ? id != ids[i] : id != -1 || errno != ENOENT;
	}
	EXPECT_EQ(0, wrong);
	for (i = 1; i < n; i += 2)
		EXPECT_EQ(0, ripc_msgctl(ids[i], IPC_RMID, NULL));
	EXPECT_EQ(-1, ripc_msgget(base, 0600));
	free(ids);
}

/* pids */

/*
 * Reports msg_lspid and msg_lrpid of api's queue id as this process's pid
 * namespace shows them, and the pid of the last sender in the status
 * listing (ripcfs's sysvipc/msg or /proc/sysvipc/msg), into report[].
 */
static int pids_seen(const struct msg_api *api, int id, const char *listing, int report[3])
{
	char line[512];
	struct msqid_ds ds;
	FILE *f;

	if (api->ctl(id, IPC_STAT, &ds))
		return -1;
	report[0] = ds.msg_lspid;
	report[1] = ds.msg_lrpid;
	report[2] = -1;
	f = fopen(listing, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int key, msqid, lspid;

		if (sscanf(line, "%d %d %*o %*u %*u %d", &key, &msqid, &lspid) == 3 && msqid == id)
			report[2] = lspid;
	}
	fclose(f);
	return 0;
}

/*
 * As Linux: a queue keeps the last sender and receiver as processes, and
 * each reader sees their pid in its own pid namespace. A process that is
 * pid 1 of a new pid namespace sends and receives; it sees 1, its parent
 * namespace sees the pid fork() gave, in IPC_STAT and the status file.
 */
static void lspid_per_namespace(struct __test_metadata *_metadata, const struct msg_api *api,
				const char *listing)
{
	int id, report[2], from_inner[2], from_child[2], theirs[3];
	pid_t pid, pid_there;

	id = api->get(IPC_PRIVATE, 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(from_inner));
	ASSERT_EQ(0, pipe(from_child));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pid_t inner;

		if (unshare(CLONE_NEWPID))
			_exit(1);
		inner = fork();
		if (inner == 0) {
			struct msg m = { .mtype = 1 };
			struct msqid_ds ds;

			if (api->snd(id, &m, 1, 0) || api->snd(id, &m, 1, 0))
				_exit(2);
			if (api->rcv(id, &m, sizeof(m.mtext), 0, 0) < 0)
				_exit(3);
			if (api->ctl(id, IPC_STAT, &ds))
				_exit(4);
			report[0] = ds.msg_lspid;
			report[1] = ds.msg_lrpid;
			if (write(from_inner[1], report, sizeof(report)) != sizeof(report))
				_exit(5);
			_exit(0);
		}
		if (inner < 0 || write(from_child[1], &inner, sizeof(inner)) != sizeof(inner))
			_exit(6);
		_exit(wait_exit(inner));
	}
	ASSERT_EQ(sizeof(pid_there), read(from_child[0], &pid_there, sizeof(pid_there)));
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(sizeof(report), read(from_inner[0], report, sizeof(report)));
	/* Inside: it is pid 1 of its namespace. */
	EXPECT_EQ(1, report[0]) TH_LOG("%s", api->name);
	EXPECT_EQ(1, report[1]) TH_LOG("%s", api->name);
	/* Outside: the pid fork() gave. */
	ASSERT_EQ(0, pids_seen(api, id, listing, theirs));
	EXPECT_EQ(pid_there, theirs[0]) TH_LOG("%s", api->name);
	EXPECT_EQ(pid_there, theirs[1]) TH_LOG("%s", api->name);
	EXPECT_EQ(pid_there, theirs[2]) TH_LOG("%s lspid column", listing);
	EXPECT_EQ(0, api->ctl(id, IPC_RMID, NULL));
	close(from_inner[0]);
	close(from_inner[1]);
	close(from_child[0]);
	close(from_child[1]);
}

TEST(lspid_lrpid_per_pid_namespace)
{
	if (geteuid())
		SKIP(return, "unshare(CLONE_NEWPID) needs root");
	lspid_per_namespace(_metadata, &native_msg, "/proc/sysvipc/msg");
	mkdir(MNT, 0755);
	if (mount("none", MNT, "ripcfs", 0, NULL) && errno != EBUSY)
		TH_LOG("mount: %s", strerror(errno));
	lspid_per_namespace(_metadata, &ripc_msg, MNT "/sysvipc/msg");
	umount(MNT);
}

TEST_HARNESS_MAIN
