// SPDX-License-Identifier: GPL-2.0
/*
 * SysV semaphore arrays: the semantics of semget(2), semop(2),
 * semtimedop(2) and semctl(2) of ipc/sem.c, against ripc.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static int new_array(int nsems, int mode)
{
	return ripc_semget(IPC_PRIVATE, nsems, IPC_CREAT | mode);
}

static int getval(int id, int num)
{
	return ripc_semctl(id, num, GETVAL);
}

static int setval(int id, int num, int val)
{
	union semun arg = { .val = val };

	return ripc_semctl(id, num, SETVAL, arg);
}

static int op1(int id, int num, int op, int flg)
{
	struct sembuf sb = { .sem_num = num, .sem_op = op, .sem_flg = flg };

	return ripc_semop(id, &sb, 1);
}

/* Forks a child that runs one semop and exits 0 on success, else 100+errno. */
static pid_t child_semop(int id, struct sembuf *sops, size_t n)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(ripc_semop(id, sops, n) ? 100 + errno : 0);
	return pid;
}

static int still_running(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

static void rmid(int id)
{
	ripc_semctl(id, 0, IPC_RMID);
}

TEST(semget_checks)
{
	key_t key = 0x5e3a0001;
	int id, id2;

	ASSERT_EQ(-1, ripc_semget(key, 1, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, ripc_semget(key, 32001, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_semget(key, -1, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	/* Creating needs at least one semaphore. */
	EXPECT_EQ(-1, ripc_semget(key, 0, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);

	id = ripc_semget(key, 3, IPC_CREAT | 0600);
	ASSERT_GE(id, 0) TH_LOG("semget: %s", strerror(errno));
	EXPECT_EQ(id, ripc_semget(key, 3, 0));
	/* Fewer, or 0, is fine for an existing array; more is not. */
	EXPECT_EQ(id, ripc_semget(key, 0, 0));
	EXPECT_EQ(id, ripc_semget(key, 2, IPC_CREAT));
	EXPECT_EQ(-1, ripc_semget(key, 4, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_semget(key, 3, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);

	/* IPC_PRIVATE always makes a new array. */
	id2 = new_array(1, 0600);
	ASSERT_GE(id2, 0);
	EXPECT_NE(id, id2);
	rmid(id2);
	rmid(id);
	/* A removed id is stale. */
	EXPECT_EQ(-1, getval(id, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST(semop_argument_checks)
{
	struct sembuf sops[501];
	volatile uintptr_t bad = 8;
	struct timespec ts = { 0, 1000000000 };
	int id = new_array(2, 0600);

	ASSERT_GE(id, 0);
	memset(sops, 0, sizeof(sops));
	EXPECT_EQ(-1, ripc_semop(id, sops, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_semop(id, sops, 501));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, ripc_semop(-1, sops, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_semop(id, (struct sembuf *)bad, 1));
	EXPECT_EQ(EFAULT, errno);
	sops[0].sem_num = 2;
	EXPECT_EQ(-1, ripc_semop(id, sops, 1));
	EXPECT_EQ(EFBIG, errno);
	sops[0].sem_num = 0;
	sops[0].sem_op = -1;
	EXPECT_EQ(-1, ripc_semtimedop(id, sops, 1, &ts));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_semtimedop(id, sops, 1, (struct timespec *)bad));
	EXPECT_EQ(EFAULT, errno);
	rmid(id);
}

TEST(values_and_ranges)
{
	union semun arg;
	unsigned short all[3] = { 1, 2, 3 }, got[3] = { 0 };
	int id = new_array(3, 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(0, getval(id, 1));
	EXPECT_EQ(0, setval(id, 1, 32767));
	EXPECT_EQ(32767, getval(id, 1));
	EXPECT_EQ(-1, setval(id, 1, 32768));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, setval(id, 1, -1));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, setval(id, 3, 1));
	EXPECT_EQ(EINVAL, errno);
	/* Past SEMVMX: ERANGE, and nothing changes. */
	EXPECT_EQ(-1, op1(id, 1, 1, 0));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(32767, getval(id, 1));

	arg.array = all;
	EXPECT_EQ(0, ripc_semctl(id, 0, SETALL, arg));
	arg.array = got;
	EXPECT_EQ(0, ripc_semctl(id, 0, GETALL, arg));
	EXPECT_EQ(1, got[0]);
	EXPECT_EQ(2, got[1]);
	EXPECT_EQ(3, got[2]);
	all[2] = 40000;
	arg.array = all;
	EXPECT_EQ(-1, ripc_semctl(id, 0, SETALL, arg));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(3, getval(id, 2));
	EXPECT_EQ(getpid(), ripc_semctl(id, 0, GETPID));
	rmid(id);
}

TEST(p_and_v)
{
	int id = new_array(1, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, 1));
	EXPECT_EQ(0, op1(id, 0, -1, 0));
	EXPECT_EQ(-1, op1(id, 0, -1, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(1, getval(id, 0));
	/* Wait-for-zero on a non-zero value with IPC_NOWAIT. */
	EXPECT_EQ(-1, op1(id, 0, 0, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	rmid(id);
}

/* A multi-semaphore operation applies whole or not at all: watched with
 * GETALL from another process while it blocks. */
TEST(multi_op_never_applies_partially)
{
	struct sembuf sops[2] = { { 0, -1, 0 }, { 1, -1, 0 } };
	unsigned short got[2];
	union semun arg = { .array = got };
	int id = new_array(2, 0600);
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, 1));
	/* With IPC_NOWAIT on the op that blocks: EAGAIN, nothing applied. */
	sops[1].sem_flg = IPC_NOWAIT;
	EXPECT_EQ(-1, ripc_semop(id, sops, 2));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, getval(id, 0));
	sops[1].sem_flg = 0;

	pid = child_semop(id, sops, 2);
	ASSERT_GT(pid, 0);
	sleep_ms(200);
	EXPECT_TRUE(still_running(pid));
	ASSERT_EQ(0, ripc_semctl(id, 0, GETALL, arg));
	EXPECT_EQ(1, got[0]);
	EXPECT_EQ(0, got[1]);
	EXPECT_EQ(1, ripc_semctl(id, 1, GETNCNT));
	EXPECT_EQ(0, ripc_semctl(id, 0, GETNCNT));
	ASSERT_EQ(0, setval(id, 1, 1));
	EXPECT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, ripc_semctl(id, 0, GETALL, arg));
	EXPECT_EQ(0, got[0]);
	EXPECT_EQ(0, got[1]);
	rmid(id);
}

/*
 * More operations than the module copies to its stack (16): they are read
 * into the heap, and such an operation can block and complete.
 */
TEST(many_operations_in_one_call)
{
	struct sembuf sops[40];
	int id = new_array(40, 0600), status, i;
	pid_t pid;

	ASSERT_GE(id, 0);
	for (i = 0; i < 40; i++)
		sops[i] = (struct sembuf){ .sem_num = i, .sem_op = 1 };
	ASSERT_EQ(0, ripc_semop(id, sops, 40));
	for (i = 0; i < 40; i++)
		EXPECT_EQ(1, getval(id, i));
	for (i = 0; i < 40; i++)
		sops[i] = (struct sembuf){ .sem_num = i, .sem_op = -2, .sem_flg = IPC_NOWAIT };
	EXPECT_EQ(-1, ripc_semop(id, sops, 40));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, getval(id, 39));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		for (i = 0; i < 40; i++)
			sops[i].sem_flg = 0;
		_exit(ripc_semop(id, sops, 40) ? 1 : 0);
	}
	sleep_ms(200);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	/* 40 increments at once wake the 40-operation sleeper. */
	for (i = 0; i < 40; i++)
		sops[i] = (struct sembuf){ .sem_num = i, .sem_op = 1 };
	ASSERT_EQ(0, ripc_semop(id, sops, 40));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < 40; i++)
		EXPECT_EQ(0, getval(id, i));
	rmid(id);
}

TEST(wait_for_zero)
{
	struct sembuf zero = { 0, 0, 0 };
	int id = new_array(1, 0600);
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, 2));
	pid = child_semop(id, &zero, 1);
	sleep_ms(200);
	EXPECT_TRUE(still_running(pid));
	EXPECT_EQ(1, ripc_semctl(id, 0, GETZCNT));
	EXPECT_EQ(0, op1(id, 0, -1, 0));
	sleep_ms(100);
	EXPECT_TRUE(still_running(pid));
	EXPECT_EQ(0, op1(id, 0, -1, 0));
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, ripc_semctl(id, 0, GETZCNT));
	rmid(id);
}

TEST(timeout_expires_with_eagain)
{
	struct sembuf down = { 0, -1, 0 };
	struct timespec ts = { 0, 200 * 1000000 }, t0, t1;
	int id = new_array(1, 0600);
	long ms;

	ASSERT_GE(id, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(-1, ripc_semtimedop(id, &down, 1, &ts));
	EXPECT_EQ(EAGAIN, errno);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	/* Behaviour, not timing: it did wait, not fail at once. */
	EXPECT_GE(ms, 200);
	EXPECT_EQ(0, ripc_semctl(id, 0, GETNCNT));
	/* A zero timeout does not wait. */
	ts.tv_nsec = 0;
	EXPECT_EQ(-1, ripc_semtimedop(id, &down, 1, &ts));
	EXPECT_EQ(EAGAIN, errno);
	/* And a timeout that is not needed changes nothing. */
	ASSERT_EQ(0, setval(id, 0, 1));
	ts.tv_sec = 5;
	EXPECT_EQ(0, ripc_semtimedop(id, &down, 1, &ts));
	rmid(id);
}

static void on_alarm(int sig)
{
}

TEST(signal_interrupts_with_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	int id = new_array(1, 0600);

	ASSERT_GE(id, 0);
	/* semop is never restarted, even with SA_RESTART. */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_EQ(-1, op1(id, 0, -1, 0));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(0, ripc_semctl(id, 0, GETNCNT));
	rmid(id);
}

TEST(rmid_wakes_every_waiter_with_eidrm)
{
	struct sembuf down = { 0, -1, 0 }, both[2] = { { 0, -1, 0 }, { 1, 0, 0 } };
	pid_t pids[4];
	int id = new_array(2, 0600);
	int i;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 1, 1));
	for (i = 0; i < 4; i++)
		pids[i] = i < 2 ? child_semop(id, &down, 1) : child_semop(id, both, 2);
	sleep_ms(300);
	for (i = 0; i < 4; i++)
		EXPECT_TRUE(still_running(pids[i]));
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(100 + EIDRM, wait_exit(pids[i]));
}

/* Waiters are served in arrival order: the first one that can complete
 * takes the value, even when it needs more than a later one. */
TEST(waiters_served_in_arrival_order)
{
	struct sembuf two = { 0, -2, 0 }, one = { 0, -1, 0 };
	int id = new_array(1, 0600);
	pid_t big, small;

	ASSERT_GE(id, 0);
	big = child_semop(id, &two, 1);
	sleep_ms(200);
	small = child_semop(id, &one, 1);
	sleep_ms(200);
	/* +2: the earlier waiter (-2) gets it; the later one still waits. */
	ASSERT_EQ(0, op1(id, 0, 2, 0));
	EXPECT_EQ(0, wait_exit(big));
	sleep_ms(200);
	EXPECT_TRUE(still_running(small));
	/* +1: only the small one can, and does. */
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(0, wait_exit(small));
	EXPECT_EQ(0, getval(id, 0));
	rmid(id);
}

TEST(later_small_waiter_proceeds_when_earlier_cannot)
{
	struct sembuf two = { 0, -2, 0 }, one = { 0, -1, 0 };
	int id = new_array(1, 0600);
	pid_t big, small;

	ASSERT_GE(id, 0);
	big = child_semop(id, &two, 1);
	sleep_ms(200);
	small = child_semop(id, &one, 1);
	sleep_ms(200);
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(0, wait_exit(small));
	EXPECT_TRUE(still_running(big));
	ASSERT_EQ(0, op1(id, 0, 2, 0));
	EXPECT_EQ(0, wait_exit(big));
	rmid(id);
}

TEST(stat_set_and_rights)
{
	struct semid_ds ds;
	union semun arg = { .buf = &ds };
	int id = new_array(4, 0640);
	int status;
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_STAT, arg));
	EXPECT_EQ(4, ds.sem_nsems);
	EXPECT_EQ(0640, ds.sem_perm.mode & 0777);
	EXPECT_EQ(0, ds.sem_perm.uid);
	EXPECT_EQ(0, ds.sem_perm.cuid);
	EXPECT_EQ(0, ds.sem_otime);
	EXPECT_NE(0, ds.sem_ctime);
	ASSERT_EQ(0, op1(id, 2, 1, 0));
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_STAT, arg));
	EXPECT_NE(0, ds.sem_otime);

	ds.sem_perm.mode = 0666;
	ds.sem_perm.uid = 1000;
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_SET, arg));
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_STAT, arg));
	EXPECT_EQ(0666, ds.sem_perm.mode & 0777);
	EXPECT_EQ(1000, ds.sem_perm.uid);
	EXPECT_EQ(0, ds.sem_perm.cuid);

	/* Neither owner nor creator: no IPC_SET, no IPC_RMID. */
	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(1001) || setuid(1001))
			_exit(2);
		if (ripc_semctl(id, 0, IPC_RMID) == 0 || errno != EPERM)
			_exit(3);
		if (ripc_semctl(id, 0, IPC_SET, arg) == 0 || errno != EPERM)
			_exit(4);
		/* But mode 0666 lets it use the array. */
		if (op1(id, 0, 1, 0))
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	rmid(id);
}

TEST(non_root_denied_by_mode_bits)
{
	int id = new_array(1, 0600);
	int status;
	pid_t pid;

	ASSERT_GE(id, 0);
	pid = fork();
	if (pid == 0) {
		struct semid_ds ds;
		union semun arg = { .buf = &ds };

		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(2);
		if (op1(id, 0, 1, IPC_NOWAIT) == 0 || errno != EACCES)
			_exit(3);
		if (getval(id, 0) != -1 || errno != EACCES)
			_exit(4);
		if (ripc_semctl(id, 0, IPC_STAT, arg) != -1 || errno != EACCES)
			_exit(5);
		if (setval(id, 0, 1) != -1 || errno != EACCES)
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	rmid(id);
}

TEST(info_and_stat_by_index)
{
	struct seminfo info;
	struct semid_ds ds;
	union semun arg = { .__buf = &info };
	int id = new_array(5, 0600);
	int max;

	ASSERT_GE(id, 0);
	max = ripc_semctl(0, 0, IPC_INFO, arg);
	ASSERT_GE(max, 0);
	EXPECT_EQ(32000, info.semmsl);
	EXPECT_EQ(500, info.semopm);
	EXPECT_EQ(32767, info.semvmx);
	EXPECT_EQ(32000, info.semmni);
	ASSERT_GE(ripc_semctl(0, 0, SEM_INFO, arg), 0);
	EXPECT_GE(info.semusz, 1);
	EXPECT_GE(info.semaem, 5);
	/* SEM_STAT takes the index and returns the full id. */
	arg.buf = &ds;
	EXPECT_EQ(id, ripc_semctl(id & 0x7fff, 0, SEM_STAT, arg));
	EXPECT_EQ(5, ds.sem_nsems);
	rmid(id);
}

TEST(undo_on_exit_and_on_kill)
{
	struct sembuf lock = { 0, -1, SEM_UNDO };
	int id = new_array(1, 0600);
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, 1));
	/* Exit while holding: released. */
	pid = child_semop(id, &lock, 1);
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(1, getval(id, 0));

	/* SIGKILL while holding: released. */
	pid = fork();
	if (pid == 0) {
		if (ripc_semop(id, &lock, 1))
			_exit(1);
		pause();
		_exit(0);
	}
	sleep_ms(200);
	EXPECT_EQ(0, getval(id, 0));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, wait_exit(pid));
	EXPECT_EQ(1, getval(id, 0));
	rmid(id);
}

TEST(undo_not_inherited_and_cleared_by_setval)
{
	struct sembuf up = { 0, 1, SEM_UNDO }, down = { 0, -1, SEM_UNDO };
	int id = new_array(1, 0600);
	pid_t pid;

	ASSERT_GE(id, 0);
	/* The parent's +1 (undo: -1) is not the child's. */
	ASSERT_EQ(0, ripc_semop(id, &up, 1));
	pid = fork();
	if (pid == 0)
		_exit(0);
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(1, getval(id, 0));

	/* SETVAL forgets every adjustment of that semaphore. */
	pid = fork();
	if (pid == 0) {
		if (ripc_semop(id, &down, 1))
			_exit(1);
		sleep_ms(400);
		_exit(0);
	}
	sleep_ms(200);
	ASSERT_EQ(0, setval(id, 0, 5));
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(5, getval(id, 0));
	rmid(id);
}

#define PROCS 4
#define INCREMENTS 10000

/* A mutex made of one semaphore keeps a shared counter exact. */
static void mutex_counter(struct __test_metadata *_metadata, int flags)
{
	struct sembuf p = { 0, -1, flags }, v = { 0, 1, flags };
	volatile long *counter;
	pid_t pids[PROCS];
	int id = new_array(1, 0600);
	int i;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, 1));
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, counter);
	*counter = 0;
	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int k;

			for (k = 0; k < INCREMENTS; k++) {
				if (ripc_semop(id, &p, 1))
					_exit(1);
				/* Not atomic on purpose: only the mutex protects it. */
				*counter = *counter + 1;
				if (ripc_semop(id, &v, 1))
					_exit(2);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		int status;

		waitpid(pids[i], &status, 0);
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	EXPECT_EQ(PROCS * INCREMENTS, *counter);
	EXPECT_EQ(1, getval(id, 0));
	rmid(id);
}

/* The long cases get a fixture only for a longer time limit: tens of
 * thousands of semops take a while on the debug kernel under TCG. */
FIXTURE(long_running) {};
FIXTURE_SETUP(long_running) {}
FIXTURE_TEARDOWN(long_running) {}

TEST_F_TIMEOUT(long_running, mutex_counter_loses_nothing, 600)
{
	mutex_counter(_metadata, 0);
}

TEST_F_TIMEOUT(long_running, mutex_counter_with_undo_loses_nothing, 600)
{
	mutex_counter(_metadata, SEM_UNDO);
}

/* Tokens move between two semaphores in mixed single and multi-semaphore
 * operations from several processes; none is created or lost. */
TEST_F_TIMEOUT(long_running, tokens_conserved_under_concurrency, 600)
{
	struct sembuf move01[2] = { { 0, -1, 0 }, { 1, 1, 0 } };
	struct sembuf move10[2] = { { 1, -1, 0 }, { 0, 1, 0 } };
	unsigned short got[2];
	union semun arg = { .array = got };
	pid_t pids[4];
	int id = new_array(2, 0600);
	int i;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, 50));
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int k;

			for (k = 0; k < 2000; k++) {
				int r = 0;

				if (i % 2) {
					/* There and back: at most one token away. */
					r = ripc_semop(id, k % 2 ? move10 : move01, 2);
				} else if (k % 2 == 0) {
					r = op1(id, 0, -1, 0) || op1(id, 0, 1, 0);
				} else if (op1(id, 1, -1, IPC_NOWAIT) == 0) {
					r = op1(id, 1, 1, 0);
				} else if (errno != EAGAIN) {
					r = 1;
				}
				if (r)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	ASSERT_EQ(0, ripc_semctl(id, 0, GETALL, arg));
	EXPECT_EQ(50, got[0] + got[1]);
	rmid(id);
}

TEST(status_listing)
{
	char line[256], want[64];
	int id = ripc_semget(0x5e3a0002, 7, IPC_CREAT | 0640);
	int found = 0;
	FILE *f;

	ASSERT_GE(id, 0);
	mkdir("/tmp/ripc-sem-mnt", 0755);
	ASSERT_EQ(0, mount("none", "/tmp/ripc-sem-mnt", "ripcfs", 0, NULL));
	f = fopen("/tmp/ripc-sem-mnt/sysvipc/sem", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	EXPECT_NE(NULL, strstr(line, "semid"));
	snprintf(want, sizeof(want), "%10d %10d   640          7", 0x5e3a0002, id);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, want, strlen(want)) == 0)
			found = 1;
	fclose(f);
	EXPECT_TRUE(found) TH_LOG("no line starting with '%s'", want);
	umount("/tmp/ripc-sem-mnt");
	rmid(id);
}

/*
 * SEM_UNDO belongs to the process (Linux: current->sysvsem.undo_list),
 * applied once, when its last thread exits. Closing a descriptor of
 * /dev/ripc is not an exit: not a dup, not a spare descriptor closed by
 * libripc's ripc_dev_fd() when two threads race to open it.
 */
static int wait_for_byte(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

static void send_byte(int fd)
{
	char c = 0;

	if (write(fd, &c, 1) != 1)
		_exit(99);
}

/* Runs close_one() in a child after its +1 with SEM_UNDO; checks the
 * value while the child lives (1) and after it exits (0). */
static void undo_kept_across(struct __test_metadata *_metadata, void (*close_one)(void))
{
	struct sembuf up = { 0, 1, SEM_UNDO };
	int id = new_array(1, 0600);
	int ready[2], go[2];
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	if (pid == 0) {
		if (ripc_semop(id, &up, 1))
			_exit(1);
		close_one();
		send_byte(ready[1]);
		wait_for_byte(go[0]);
		_exit(0);
	}
	ASSERT_EQ(0, wait_for_byte(ready[0]));
	EXPECT_EQ(1, getval(id, 0));
	send_byte(go[1]);
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, getval(id, 0));
	rmid(id);
}

static void close_a_dup(void)
{
	close(dup(ripc_dev_fd()));
}

/* What ripc_dev_fd() does with the descriptor of the thread that lost
 * the race to open /dev/ripc. */
static void close_a_spare_open(void)
{
	close(open("/dev/ripc", O_RDWR | O_CLOEXEC));
}

TEST(undo_kept_when_a_dup_is_closed)
{
	undo_kept_across(_metadata, close_a_dup);
}

TEST(undo_kept_when_a_spare_descriptor_is_closed)
{
	undo_kept_across(_metadata, close_a_spare_open);
}

/*
 * Deliberate difference (Documentation/sem.rst): a process that exits with
 * no descriptor of /dev/ripc open is not seen exiting; its adjustments are
 * applied when a /dev/ripc file is next released (Linux: at its exit).
 */
TEST(undo_of_a_process_without_descriptor_applied_later)
{
	struct sembuf up = { 0, 1, SEM_UNDO };
	int id = new_array(1, 0600);
	pid_t pid;

	ASSERT_GE(id, 0);
	pid = fork();
	if (pid == 0) {
		if (ripc_semop(id, &up, 1))
			_exit(1);
		close(ripc_dev_fd());
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
	close_a_spare_open();
	EXPECT_EQ(0, getval(id, 0));
	rmid(id);
}

struct sleeper_arg {
	int id;
	int result;
};

static void *undo_sleeper(void *p)
{
	struct sleeper_arg *arg = p;

	arg->result = op1(arg->id, 0, -1, SEM_UNDO);
	return NULL;
}

/*
 * A SEM_UNDO operation that sleeps while another thread closes a dup of
 * /dev/ripc, then completes: its adjustment is kept and applied at exit.
 */
TEST(undo_of_a_sleeper_completed_after_a_close)
{
	int id = new_array(1, 0600);
	int ready[2];
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	if (pid == 0) {
		struct sleeper_arg arg = { id, -1 };
		pthread_t t;

		if (pthread_create(&t, NULL, undo_sleeper, &arg))
			_exit(1);
		while (ripc_semctl(id, 0, GETNCNT) != 1)
			sleep_ms(10);
		close_a_dup();
		send_byte(ready[1]);
		pthread_join(t, NULL);
		_exit(arg.result ? 2 : 0);
	}
	ASSERT_EQ(0, wait_for_byte(ready[0]));
	/* The sleeper's -1 goes through: its adjustment is +1. */
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(1, getval(id, 0));
	rmid(id);
}

/*
 * A child has its own adjustments, none of its parent's: its exit applies
 * only its own, and the parent's stay until the parent exits.
 */
TEST(undo_of_child_and_parent_apart)
{
	struct sembuf up = { 0, 1, SEM_UNDO }, up2 = { 0, 2, SEM_UNDO };
	int id = new_array(1, 0600);
	pid_t pid;

	ASSERT_GE(id, 0);
	pid = fork();
	if (pid == 0) {
		/* The parent process of this test: +1, then a child's +2. */
		pid_t child;

		if (ripc_semop(id, &up, 1))
			_exit(1);
		child = fork();
		if (child == 0)
			_exit(ripc_semop(id, &up2, 1) ? 1 : 0);
		if (wait_exit(child))
			_exit(2);
		/* The child's +2 was undone, not the parent's +1. */
		if (getval(id, 0) != 1)
			_exit(3);
		close_a_dup();
		_exit(getval(id, 0) == 1 ? 0 : 4);
	}
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, getval(id, 0));
	rmid(id);
}

/*
 * sempid names the process in the reader's pid namespace (pid_vnr()): a
 * process in a new pid namespace is 1 to itself, and its own pid in its
 * parent's namespace to the parent.
 */
static int sempid_seen_across_pid_namespace(int native, pid_t *inner_pid, int *parent_saw)
{
	struct sembuf up = { 0, 1, 0 };
	int id = native ? semget(IPC_PRIVATE, 1, IPC_CREAT | 0600) : new_array(1, 0600);
	int fds[2], ret = -1;
	pid_t mid;

	if (id < 0 || pipe(fds))
		return -1;
	mid = fork();
	if (mid == 0) {
		pid_t inner;

		if (unshare(CLONE_NEWPID))
			_exit(1);
		inner = fork();
		if (inner == 0) {
			int r = native ? semop(id, &up, 1) : ripc_semop(id, &up, 1);
			int seen = native ? semctl(id, 0, GETPID) : ripc_semctl(id, 0, GETPID);

			_exit(r == 0 && seen == 1 ? 0 : 2);
		}
		if (write(fds[1], &inner, sizeof(inner)) != sizeof(inner))
			_exit(3);
		_exit(wait_exit(inner));
	}
	if (read(fds[0], inner_pid, sizeof(*inner_pid)) == sizeof(*inner_pid) &&
	    wait_exit(mid) == 0)
		ret = 0;
	*parent_saw = native ? semctl(id, 0, GETPID) : ripc_semctl(id, 0, GETPID);
	if (native)
		semctl(id, 0, IPC_RMID);
	else
		rmid(id);
	close(fds[0]);
	close(fds[1]);
	return ret;
}

TEST(sempid_in_the_readers_pid_namespace)
{
	pid_t inner;
	int saw;

	if (geteuid() != 0)
		SKIP(return, "needs root for unshare(CLONE_NEWPID)");
	ASSERT_EQ(0, sempid_seen_across_pid_namespace(1, &inner, &saw));
	EXPECT_EQ(inner, saw) TH_LOG("Linux");
	ASSERT_EQ(0, sempid_seen_across_pid_namespace(0, &inner, &saw));
	EXPECT_EQ(inner, saw) TH_LOG("ripc");
}

/*
 * One sleeper after another on one semaphore, each completed by a V: each
 * is recorded as sempid when it completes, and only the one that asked
 * for SEM_UNDO has its -1 undone at its exit, as in Linux. (ripc reuses a
 * completed sleeper's memory for the next one.)
 */
static int sleepers_one_after_another(int native, pid_t pids[3], int seen[3], int undone[3])
{
	struct sembuf down[3] = { { 0, -1, 0 }, { 0, -1, SEM_UNDO }, { 0, -1, 0 } };
	struct sembuf up = { 0, 1, 0 }, take = { 0, -1, IPC_NOWAIT };
	int id = native ? semget(IPC_PRIVATE, 1, IPC_CREAT | 0600) : new_array(1, 0600);
	int ret = 0;

	if (id < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit((native ? semop(id, &down[i], 1) : ripc_semop(id, &down[i], 1)) ? 1 : 0);
		sleep_ms(100);
		if ((native ? semop(id, &up, 1) : ripc_semop(id, &up, 1)) || wait_exit(pids[i]))
			ret = -1;
		seen[i] = native ? semctl(id, 0, GETPID) : ripc_semctl(id, 0, GETPID);
		undone[i] = native ? semctl(id, 0, GETVAL) : getval(id, 0);
		/* Back to 0 for the next sleeper. */
		if (undone[i] > 0 && (native ? semop(id, &take, 1) : ripc_semop(id, &take, 1)))
			ret = -1;
	}
	if (native)
		semctl(id, 0, IPC_RMID);
	else
		rmid(id);
	return ret;
}

TEST(each_sleeper_recorded_and_undone_as_itself)
{
	pid_t pids[3];
	int seen[3], undone[3], i;

	for (int native = 1; native >= 0; native--) {
		ASSERT_EQ(0, sleepers_one_after_another(native, pids, seen, undone));
		for (i = 0; i < 3; i++) {
			EXPECT_EQ(pids[i], seen[i]) TH_LOG("%s, sleeper %d", native ? "Linux" : "ripc", i);
			/* Only the second sleeper's -1 is undone at its exit. */
			EXPECT_EQ(i == 1, undone[i]) TH_LOG("%s, sleeper %d", native ? "Linux" : "ripc", i);
		}
	}
}

/* The biggest array (SEMMSL) is made, used and removed. */
TEST(array_of_semmsl_semaphores)
{
	int id = new_array(32000, 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(0, op1(id, 31999, 3, SEM_UNDO));
	EXPECT_EQ(3, getval(id, 31999));
	EXPECT_EQ(0, setval(id, 0, 1));
	EXPECT_EQ(0, op1(id, 0, -1, IPC_NOWAIT));
	rmid(id);
}

/*
 * Many sleepers, simple and complex, on two semaphores: the order in which
 * releases complete them is Linux's (per-semaphore lists, merged into the
 * array's list, semaphore by semaphore, when a complex operation waits).
 * The same program runs on native SysV semaphores and on ripc.
 */
#define SLEEPERS 1000

struct sem_impl {
	int (*get)(key_t key, int nsems, int flags);
	int (*op)(int id, struct sembuf *sops, size_t n);
	int (*ctl)(int id, int num, int cmd, ...);
};

static int native_semop(int id, struct sembuf *sops, size_t n)
{
	return semop(id, sops, n);
}

static const struct sem_impl native_sem = { semget, native_semop, semctl };
static const struct sem_impl ripc_sem = { ripc_semget, ripc_semop, ripc_semctl };

struct order_run {
	const struct sem_impl *impl;
	int id;
	int done;		/* completed sleepers, atomically */
	int order[SLEEPERS];	/* sleepers by completion, sorted per release */
};

struct order_sleeper {
	struct order_run *run;
	int index;
};

/* The operations of sleeper i: a few fixed ones first, so that a simple
 * waiter on semaphore 1 is queued before simple ones on semaphore 0 when
 * the first complex one arrives, then a mix. */
static size_t sleeper_ops(int i, struct sembuf *sops)
{
	static const short first[][2] = { { 1, -2 }, { 0, -1 }, { 0, -2 } };

	if (i < 3) {
		sops[0] = (struct sembuf){ first[i][0], first[i][1], SEM_UNDO };
		return 1;
	}
	switch (i % 6) {
	case 0:
		sops[0] = (struct sembuf){ 0, -1, 0 };
		sops[1] = (struct sembuf){ 1, -1, SEM_UNDO };
		return 2;
	case 1:
		sops[0] = (struct sembuf){ 0, -2, SEM_UNDO };
		return 1;
	case 2:
		sops[0] = (struct sembuf){ 1, -2, 0 };
		return 1;
	case 3:
		sops[0] = (struct sembuf){ 1, 0, 0 };
		return 1;
	default:
		sops[0] = (struct sembuf){ 0, -1, i % 2 ? SEM_UNDO : 0 };
		return 1;
	}
}

static void *order_sleeper_main(void *p)
{
	struct order_sleeper *s = p;
	struct sembuf sops[2];
	size_t n = sleeper_ops(s->index, sops);

	if (s->run->impl->op(s->run->id, sops, n) == 0) {
		int at = __atomic_fetch_add(&s->run->done, 1, __ATOMIC_SEQ_CST);

		s->run->order[at] = s->index;
	}
	return NULL;
}

static int waiting(struct order_run *run)
{
	int n = 0, num;

	for (num = 0; num < 2; num++)
		n += run->impl->ctl(run->id, num, GETNCNT) + run->impl->ctl(run->id, num, GETZCNT);
	return n;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Queues the sleepers one by one, then releases in a fixed pattern,
 * recording who completes; returns the number completed. */
static int run_order(struct order_run *run, pthread_t *threads, struct order_sleeper *args)
{
	union semun one = { .val = 1 };
	pthread_attr_t attr;
	int i, step, before;

	run->id = run->impl->get(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (run->id < 0)
		return -1;
	/* Semaphore 1 at 1: its wait-for-zero and -2 sleepers block, as do
	 * all of semaphore 0's, at 0. */
	run->impl->ctl(run->id, 1, SETVAL, one);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < SLEEPERS; i++) {
		int expect = i + 1;

		args[i] = (struct order_sleeper){ run, i };
		if (pthread_create(&threads[i], &attr, order_sleeper_main, &args[i]))
			return -1;
		/* Queued (or done: the first few may go through at once). */
		while (waiting(run) + __atomic_load_n(&run->done, __ATOMIC_SEQ_CST) < expect)
			sched_yield();
	}
	pthread_attr_destroy(&attr);
	before = 0;
	for (step = 0; step < 20 * SLEEPERS && run->done < SLEEPERS; step++) {
		static struct sembuf releases[][2] = {
			{ { 0, 1, 0 } },
			{ { 0, 2, 0 } },
			{ { 1, 1, 0 } },
			{ { 0, 1, 0 }, { 1, 1, 0 } },
			{ { 1, -1, IPC_NOWAIT } },
		};
		int r = step % 5, done;
		int left;

		run->impl->op(run->id, releases[r], r == 3 ? 2 : 1);
		left = waiting(run);
		/* Wait for the completed ones to record themselves. */
		while ((done = __atomic_load_n(&run->done, __ATOMIC_SEQ_CST)) < SLEEPERS - left)
			sched_yield();
		qsort(&run->order[before], done - before, sizeof(int), cmp_int);
		before = done;
	}
	for (i = 0; i < SLEEPERS; i++)
		pthread_cancel(threads[i]);
	run->impl->ctl(run->id, 0, IPC_RMID);
	for (i = 0; i < SLEEPERS; i++)
		pthread_join(threads[i], NULL);
	return run->done;
}

TEST_F_TIMEOUT(long_running, thousand_sleepers_completed_in_linux_order, 600)
{
	static struct order_run linux_run, ripc_run;
	static pthread_t threads[SLEEPERS];
	static struct order_sleeper args[SLEEPERS];
	int n_linux, n_ripc, i;

	linux_run.impl = &native_sem;
	ripc_run.impl = &ripc_sem;
	n_linux = run_order(&linux_run, threads, args);
	n_ripc = run_order(&ripc_run, threads, args);
	ASSERT_GT(n_linux, SLEEPERS / 2);
	ASSERT_EQ(n_linux, n_ripc);
	for (i = 0; i < n_linux && linux_run.order[i] == ripc_run.order[i]; i++)
		;
	EXPECT_EQ(n_linux, i) TH_LOG("completion %d: sleeper %d on Linux, %d on ripc",
				     i, linux_run.order[i], ripc_run.order[i]);
}

TEST_HARNESS_MAIN
