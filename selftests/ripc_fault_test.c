// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: every ripc call that allocates memory, run again and
 * again with its first, second, third ... allocation failed, through the
 * per-thread fail-nth file of the kernel's fault injection (failslab and
 * fail_page_alloc, Documentation/fault-injection/fault-injection.rst).
 *
 * For n = 1, 2, ...: write n to /proc/thread-self/fail-nth, make the call,
 * read fail-nth back (0: the n-th allocation was failed). The call must
 * either succeed or fail with ENOMEM (or the errno Linux gives for that
 * call, named in the case), and the object must be as the result says: a
 * failed msgsnd queued nothing, a failed semop changed no value, a failed
 * create left no object and no descriptor, a pipe write lost no byte it
 * reported written. The loop ends at the first n that the call did not
 * reach: every allocation site of the call was failed once.
 *
 * Leaks and kernel reports are the runner's part of the verdict: kmemleak
 * after the tests, a console without BUG, WARNING, lockdep or KASAN
 * reports. Without fail-nth (the release kernel) every case is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/rseq.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define MNT "/tmp/ripc-fault-mnt"
#define FAIL_NTH "/proc/thread-self/fail-nth"
#define DEBUGFS "/sys/kernel/debug"
#define PAGE 4096
#define MAX_NTH 1000	/* more allocations than this in one call is a bug */

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

/* One ripcfs for the whole program, found by libripc through RIPCFS_MOUNT. */
__attribute__((constructor)) static void mount_ripcfs(void)
{
	mount_ripcfs_for_libripc(MNT);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * Sets both fault types up for fail-nth alone: no probability (so nothing
 * fails in other tasks), sleeping and highmem allocations and order-0
 * pages included, and no message per fault (verbose 1 prints one, 2 a
 * stack dump, which the console checker would take for a report).
 */
static int setup_fault_attrs(void)
{
	static const char *const attrs[][2] = {
		{ DEBUGFS "/failslab/probability", "0" },
		{ DEBUGFS "/failslab/verbose", "0" },
		{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
		{ DEBUGFS "/fail_page_alloc/probability", "0" },
		{ DEBUGFS "/fail_page_alloc/verbose", "0" },
		{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
		{ DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ DEBUGFS "/fail_page_alloc/min-order", "0" },
	};
	unsigned int i;

	if (access(DEBUGFS "/failslab", F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (write_str(attrs[i][0], attrs[i][1]))
			return -1;
	return 0;
}

static int nth_fd = -1;

/* Fails the n-th allocation of this thread from now on. */
static void arm(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		abort();
}

/* Disarms fail-nth; returns whether the fault was injected. */
static bool disarm(void)
{
	char buf[16] = "";
	bool injected;

	/*
	 * A fault not reached by the call may be taken by the page fault of
	 * buf (copy-on-write after a fork): EFAULT, and then it was injected.
	 */
	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0 &&
	    (errno != EFAULT || pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0))
		abort();
	injected = atoi(buf) == 0;
	if (!injected && pwrite(nth_fd, "0", 1, 0) != 1)
		abort();
	return injected;
}

/* The lowest free descriptor: a failed call must not leave one behind. */
static int free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

/* Lines of a sysvipc/ listing after the header: the objects it shows. */
static int listed(const char *kind)
{
	char path[128], line[512];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), MNT "/sysvipc/%s", kind);
	f = fopen(path, "r");
	if (!f)
		return -2;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static int msg_queues(void)
{
	struct msginfo info;

	if (ripc_msgctl(0, MSG_INFO, (struct msqid_ds *)&info) < 0)
		return -1;
	return info.msgpool;
}

static int sem_arrays(void)
{
	struct seminfo info;
	union semun arg = { .__buf = &info };

	if (ripc_semctl(0, 0, SEM_INFO, arg) < 0)
		return -1;
	return info.semusz;
}

static int shm_segments(void)
{
	struct shm_info info;

	if (ripc_shmctl(0, SHM_INFO, (struct shmid_ds *)&info) < 0)
		return -1;
	return info.used_ids;
}

static struct msqid_ds msq_stat(int id)
{
	struct msqid_ds ds;

	memset(&ds, 0xff, sizeof(ds));
	ripc_msgctl(id, IPC_STAT, &ds);
	return ds;
}

static long mq_curmsgs(mqd_t q)
{
	struct mq_attr attr;

	if (ripc_mq_getattr(q, &attr))
		return -1;
	return attr.mq_curmsgs;
}

static void on_alarm(int sig)
{
}

/* SIGALRM after ms, interrupting (no SA_RESTART) a blocked call. */
static void alarm_in(int ms)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { 0, ms * 1000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * The loop every case runs: `prepare` sets the stage, `call` is the
 * operation (its result in `ret`, its errno in `err`), `check` asserts the
 * state for ret/err/injected and cleans up. Ends at the first n that the
 * call completes without reaching the armed fault. `sites` counts the
 * faults the call reached; `failed` those it reported as an error.
 */
#define FAULT_LOOP(prepare, call, check)					\
	do {									\
		int n, failed = 0;						\
		for (n = 1; n < MAX_NTH; n++) {					\
			long ret;						\
			int err;						\
			bool injected;						\
			prepare;						\
			arm(n);							\
			ret = (call);						\
			err = errno;						\
			injected = disarm();					\
			(void)injected;						\
			if (ret < 0 && injected)				\
				failed++;					\
			check;							\
			if (!injected) {					\
				ASSERT_LE(0, ret) TH_LOG("n=%d: %s with no fault",	\
							 n, strerror(err));	\
				break;						\
			}							\
		}								\
		ASSERT_LT(n, MAX_NTH);						\
		TH_LOG("%d allocation sites, %d failed the call", n - 1, failed);	\
	} while (0)

/*
 * The call failed with ENOMEM, or with `other` (0: none allowed). The
 * check runs before the loop asserts that a call that met no fault
 * succeeded: it may turn an expected end (a timeout) into ret = 0.
 */
#define ASSERT_NOMEM_OR(other)							\
	do {									\
		if (ret < 0)							\
			ASSERT_TRUE(err == ENOMEM || (other && err == other))	\
				TH_LOG("n=%d: errno %d (%s)", n, err, strerror(err));	\
	} while (0)

FIXTURE(fault) {
	int dummy;
};

FIXTURE_SETUP(fault)
{
	if (access(FAIL_NTH, F_OK))
		SKIP(return, "no %s: a kernel without CONFIG_FAULT_INJECTION", FAIL_NTH);
	ASSERT_EQ(0, setup_fault_attrs()) TH_LOG("fault injection attributes: %s",
						 strerror(errno));
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth_fd);
	ASSERT_LE(0, ripc_dev_fd());
}

FIXTURE_TEARDOWN(fault)
{
	if (nth_fd >= 0)
		close(nth_fd);
}

TEST_F(fault, device_open)
{
	struct ripc_version v;
	int fd0 = free_fd();

	FAULT_LOOP(, open(RIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0) {
			ASSERT_EQ(0, ioctl(ret, RIPC_IOC_VERSION, &v));
			close(ret);
		}
		ASSERT_EQ(fd0, free_fd());
	});
}

TEST_F(fault, notifier_create)
{
	int fd0 = free_fd();

	FAULT_LOOP(, ripc_eventfd(3, 0), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0) {
			uint64_t v = 0;

			ASSERT_EQ(0, ripc_eventfd_read(ret, &v));
			ASSERT_EQ(3, v);
			close(ret);
		}
		ASSERT_EQ(fd0, free_fd());
	});
}

TEST_F(fault, pipe_create)
{
	int fds[2], fd0 = free_fd();

	/* As create_pipe_files(): no inode for the pipe is ENFILE. */
	FAULT_LOOP(fds[0] = fds[1] = -7, ripc_pipe(fds), {
		ASSERT_NOMEM_OR(ENFILE);
		if (ret == 0) {
			ASSERT_EQ(1, write(fds[1], "x", 1));
			close(fds[0]);
			close(fds[1]);
		} else {
			ASSERT_EQ(-7, fds[0]);
			ASSERT_EQ(-7, fds[1]);
		}
		ASSERT_EQ(fd0, free_fd());
	});
}

TEST_F(fault, msgget_create)
{
	int queues = msg_queues(), lines = listed("msg");

	ASSERT_LE(0, queues);
	FAULT_LOOP(, ripc_msgget(IPC_PRIVATE, IPC_CREAT | 0600), {
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(queues + (ret >= 0), msg_queues());
		ASSERT_EQ(lines + (ret >= 0), listed("msg"));
		if (ret >= 0)
			ASSERT_EQ(0, ripc_msgctl(ret, IPC_RMID, NULL));
	});
}

TEST_F(fault, semget_create)
{
	int arrays = sem_arrays(), lines = listed("sem");

	ASSERT_LE(0, arrays);
	FAULT_LOOP(, ripc_semget(IPC_PRIVATE, 8, IPC_CREAT | 0600), {
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(arrays + (ret >= 0), sem_arrays());
		ASSERT_EQ(lines + (ret >= 0), listed("sem"));
		if (ret >= 0)
			ASSERT_EQ(0, ripc_semctl(ret, 0, IPC_RMID));
	});
}

TEST_F(fault, shmget_create)
{
	int segments = shm_segments(), lines = listed("shm");

	ASSERT_LE(0, segments);
	/* As on Linux: shmem reports a failed new_inode() as ENOSPC. */
	FAULT_LOOP(, ripc_shmget(IPC_PRIVATE, 3 * PAGE, IPC_CREAT | 0600), {
		ASSERT_NOMEM_OR(ENOSPC);
		ASSERT_EQ(segments + (ret >= 0), shm_segments());
		ASSERT_EQ(lines + (ret >= 0), listed("shm"));
		if (ret >= 0)
			ASSERT_EQ(0, ripc_shmctl(ret, IPC_RMID, NULL));
	});
}

/*
 * A named object: on failure the name may exist (the VFS made it before
 * opening failed, as with open(O_CREAT) on any filesystem), but then it
 * must be a working object that opens without O_CREAT.
 */
static int reopen_named(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	close(fd);
	return 0;
}

TEST_F(fault, mq_open_create)
{
	int fd0 = free_fd();

	ripc_mq_unlink("/fault");
	FAULT_LOOP(, ripc_mq_open("/fault", O_RDWR | O_CREAT | O_EXCL, 0600, NULL), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0) {
			ASSERT_EQ(0, mq_curmsgs(ret));
			ASSERT_EQ(0, ripc_mq_send(ret, "x", 1, 0));
			close(ret);
		} else {
			ASSERT_EQ(0, reopen_named(MNT "/mq/fault", O_RDWR));
		}
		ripc_mq_unlink("/fault");
		ASSERT_EQ(fd0, free_fd());
	});
}

TEST_F(fault, mq_open_existing)
{
	int fd0 = free_fd();
	mqd_t q = ripc_mq_open("/fault-old", O_RDWR | O_CREAT, 0600, NULL);

	ASSERT_LE(0, q);
	close(q);
	fd0 = free_fd();
	FAULT_LOOP(, ripc_mq_open("/fault-old", O_RDWR), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0)
			close(ret);
		ASSERT_EQ(fd0, free_fd());
	});
	ripc_mq_unlink("/fault-old");
}

TEST_F(fault, ripcfs_notify_create)
{
	int fd0 = free_fd();

	unlink(MNT "/notify/fault");
	FAULT_LOOP(, open(MNT "/notify/fault", O_RDWR | O_CREAT | O_EXCL, 0600), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0) {
			ASSERT_EQ(0, ripc_eventfd_write(ret, 2));
			close(ret);
		} else {
			ASSERT_EQ(0, reopen_named(MNT "/notify/fault", O_RDWR));
		}
		unlink(MNT "/notify/fault");
		ASSERT_EQ(fd0, free_fd());
	});
}

TEST_F(fault, ripcfs_notify_open)
{
	int fd = open(MNT "/notify/fault-old", O_RDWR | O_CREAT, 0600), fd0;

	ASSERT_LE(0, fd);
	close(fd);
	fd0 = free_fd();
	FAULT_LOOP(, open(MNT "/notify/fault-old", O_RDWR), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0)
			close(ret);
		ASSERT_EQ(fd0, free_fd());
	});
	unlink(MNT "/notify/fault-old");
}

TEST_F(fault, ripcfs_mkfifo)
{
	unlink(MNT "/pipe/fault");
	FAULT_LOOP(, mkfifo(MNT "/pipe/fault", 0600), {
		struct stat st;

		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(ret, stat(MNT "/pipe/fault", &st));
		unlink(MNT "/pipe/fault");
	});
}

TEST_F(fault, ripcfs_fifo_open)
{
	int fd0;

	unlink(MNT "/pipe/fault-old");
	ASSERT_EQ(0, mkfifo(MNT "/pipe/fault-old", 0600));
	fd0 = free_fd();
	FAULT_LOOP(, open(MNT "/pipe/fault-old", O_RDWR), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0) {
			char c;

			ASSERT_EQ(1, write(ret, "y", 1));
			ASSERT_EQ(1, read(ret, &c, 1));
			close(ret);
		}
		ASSERT_EQ(fd0, free_fd());
	});
	unlink(MNT "/pipe/fault-old");
}

TEST_F(fault, ripcfs_shm_open)
{
	int fd0 = free_fd();

	ripc_shm_unlink("/fault");
	/* ENOSPC: the shmem inode behind the name, as on /dev/shm. */
	FAULT_LOOP(, ripc_shm_open("/fault", O_RDWR | O_CREAT | O_EXCL, 0600), {
		ASSERT_NOMEM_OR(ENOSPC);
		if (ret >= 0) {
			ASSERT_EQ(0, ftruncate(ret, PAGE));
			close(ret);
		} else {
			ASSERT_EQ(0, reopen_named(MNT "/shm/fault", O_RDWR));
		}
		ripc_shm_unlink("/fault");
		ASSERT_EQ(fd0, free_fd());
	});
}

TEST_F(fault, ripcfs_shm_ftruncate_mmap)
{
	int fd = ripc_shm_open("/fault-map", O_RDWR | O_CREAT, 0600);
	struct stat st;

	ASSERT_LE(0, fd);
	FAULT_LOOP(ASSERT_EQ(0, ftruncate(fd, 0)), ftruncate(fd, 2 * PAGE), {
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(0, fstat(fd, &st));
		ASSERT_EQ(ret == 0 ? 2 * PAGE : 0, st.st_size);
	});
	ASSERT_EQ(0, ftruncate(fd, 2 * PAGE));
	/* mmap, then touch: a failed page fault is retried, never SIGBUS. */
	FAULT_LOOP(, ({
		char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		long r = p == MAP_FAILED ? -1 : 0;

		if (p != MAP_FAILED) {
			p[0] = 'a';
			p[PAGE] = 'b';
			munmap(p, 2 * PAGE);
		}
		r;
	}), {
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(0, ftruncate(fd, 0));
		ASSERT_EQ(0, ftruncate(fd, 2 * PAGE));
	});
	close(fd);
	ripc_shm_unlink("/fault-map");
}

/* Mounting builds the whole tree (get_tree_single): the last mount gone, a new one does it again. */
TEST_F(fault, ripcfs_mount)
{
	struct stat st;

	umount(MNT);
	ASSERT_NE(0, stat(MNT "/sysvipc", &st));
	FAULT_LOOP(, mount("none", MNT, "ripcfs", 0, NULL), {
		ASSERT_NOMEM_OR(0);
		if (ret == 0) {
			ASSERT_LE(0, listed("msg"));
			ASSERT_EQ(0, stat(MNT "/notify", &st));
			ASSERT_EQ(01777, st.st_mode & 07777);
			ASSERT_EQ(0, umount(MNT));
		}
		ASSERT_NE(0, stat(MNT "/sysvipc", &st));
	});
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL));
}

FIXTURE(msq) {
	int id;
	char buf[8 + 8192];
};

FIXTURE_SETUP(msq)
{
	if (access(FAIL_NTH, F_OK))
		SKIP(return, "no %s: a kernel without CONFIG_FAULT_INJECTION", FAIL_NTH);
	ASSERT_EQ(0, setup_fault_attrs());
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth_fd);
	self->id = ripc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, self->id);
	memset(self->buf, 'm', sizeof(self->buf));
	*(long *)self->buf = 1;
}

FIXTURE_TEARDOWN(msq)
{
	if (nth_fd >= 0) {
		close(nth_fd);
		ripc_msgctl(self->id, IPC_RMID, NULL);
	}
}

TEST_F(msq, msgsnd)
{
	FAULT_LOOP(, ripc_msgsnd(self->id, self->buf, 5000, IPC_NOWAIT), {
		struct msqid_ds ds = msq_stat(self->id);

		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(ret == 0, ds.msg_qnum);
		ASSERT_EQ(ret == 0 ? 5000 : 0, ds.__msg_cbytes);
		if (ret == 0)
			ASSERT_EQ(5000, ripc_msgrcv(self->id, self->buf, 8192, 0, IPC_NOWAIT));
	});
}

/* A full queue: msgsnd sleeps (and records itself as a sender). */
TEST_F(msq, msgsnd_blocking)
{
	struct msqid_ds ds = msq_stat(self->id);

	ds.msg_qbytes = 6000;
	ASSERT_EQ(0, ripc_msgctl(self->id, IPC_SET, &ds));
	ASSERT_EQ(0, ripc_msgsnd(self->id, self->buf, 5000, 0));
	FAULT_LOOP(alarm_in(50), ripc_msgsnd(self->id, self->buf, 5000, 0), {
		if (!injected && ret < 0 && err == EINTR)
			ret = 0;	/* interrupted as meant: the end */
		alarm_in(0);
		ASSERT_NOMEM_OR(EINTR);
		ds = msq_stat(self->id);
		ASSERT_EQ(1, ds.msg_qnum);
		ASSERT_EQ(5000, ds.__msg_cbytes);
	});
	ASSERT_EQ(5000, ripc_msgrcv(self->id, self->buf, 8192, 0, IPC_NOWAIT));
	/* No stale sender left behind: a send still goes through. */
	ASSERT_EQ(0, ripc_msgsnd(self->id, self->buf, 5000, IPC_NOWAIT));
}

TEST_F(msq, msgrcv)
{
	FAULT_LOOP(ASSERT_EQ(0, msq_stat(self->id).msg_qnum ? 0 :
			      ripc_msgsnd(self->id, self->buf, 3000, 0)),
		   ripc_msgrcv(self->id, self->buf, 8192, 0, IPC_NOWAIT), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0)
			ASSERT_EQ(3000, ret);
		/* A failed receive leaves the message queued. */
		ASSERT_EQ(ret < 0, msq_stat(self->id).msg_qnum);
	});
}

TEST_F(msq, msgrcv_blocking)
{
	FAULT_LOOP(alarm_in(50), ripc_msgrcv(self->id, self->buf, 8192, 0, 0), {
		if (!injected && ret < 0 && err == EINTR)
			ret = 0;
		alarm_in(0);
		ASSERT_NOMEM_OR(EINTR);
		ASSERT_EQ(0, msq_stat(self->id).msg_qnum);
	});
	/* No stale receiver: a message sent now stays queued. */
	ASSERT_EQ(0, ripc_msgsnd(self->id, self->buf, 10, IPC_NOWAIT));
	ASSERT_EQ(1, msq_stat(self->id).msg_qnum);
}

TEST_F(msq, msgrcv_copy)
{
	ASSERT_EQ(0, ripc_msgsnd(self->id, self->buf, 4000, 0));
	FAULT_LOOP(, ripc_msgrcv(self->id, self->buf, 8192, 0, IPC_NOWAIT | MSG_COPY), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0)
			ASSERT_EQ(4000, ret);
		ASSERT_EQ(1, msq_stat(self->id).msg_qnum);
		ASSERT_EQ(4000, msq_stat(self->id).__msg_cbytes);
	});
}

static int sem_op(int id, int num, int op, int flg)
{
	struct sembuf sb = { .sem_num = num, .sem_op = op, .sem_flg = flg };

	return ripc_semop(id, &sb, 1);
}

/* A fresh array per round: the undo structure is allocated on first use. */
TEST_F(fault, semop_undo)
{
	int id = -1;

	FAULT_LOOP(id = ripc_semget(IPC_PRIVATE, 4, IPC_CREAT | 0600); ASSERT_LE(0, id),
		   sem_op(id, 2, 1, SEM_UNDO), {
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(ret == 0, ripc_semctl(id, 2, GETVAL));
		ASSERT_EQ(0, ripc_semctl(id, 0, GETVAL));
		ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
	});
}

/* The undo of a process is given back when it exits, including half-made ones. */
TEST_F(fault, semop_undo_exit)
{
	int id = ripc_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	pid_t pid;

	ASSERT_LE(0, id);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(nth_fd);
		nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
		FAULT_LOOP(, sem_op(id, 0, 1, SEM_UNDO), {
			ASSERT_NOMEM_OR(0);
		});
		_exit(0);
	}
	ASSERT_EQ(0, wait_exit(pid));
	/* Every successful +1 was undone at exit. */
	ASSERT_EQ(0, ripc_semctl(id, 0, GETVAL));
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

TEST_F(fault, semop_blocking)
{
	struct timespec ts = { 0, 50 * 1000000L };
	struct sembuf sb[2] = { { 0, -1, 0 }, { 1, 1, 0 } };
	int id = ripc_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);

	ASSERT_LE(0, id);
	FAULT_LOOP(, ripc_semtimedop(id, sb, 2, &ts), {
		if (!injected && ret < 0 && err == EAGAIN)
			ret = 0;	/* timed out as meant: the end */
		ASSERT_NOMEM_OR(EAGAIN);
		ASSERT_EQ(0, ripc_semctl(id, 0, GETVAL));
		ASSERT_EQ(0, ripc_semctl(id, 1, GETVAL));
		ASSERT_EQ(0, ripc_semctl(id, 0, GETNCNT));
	});
	/* Nobody left waiting: the value stays. */
	ASSERT_EQ(0, sem_op(id, 0, 1, 0));
	ASSERT_EQ(1, ripc_semctl(id, 0, GETVAL));
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

TEST_F(fault, semop_many)
{
	struct sembuf sb[64];
	int id = ripc_semget(IPC_PRIVATE, 64, IPC_CREAT | 0600), i;

	ASSERT_LE(0, id);
	for (i = 0; i < 64; i++)
		sb[i] = (struct sembuf){ i, 1, SEM_UNDO };
	FAULT_LOOP(, ripc_semop(id, sb, 64), {
		ASSERT_NOMEM_OR(0);
		for (i = 0; i < 64; i++)
			ASSERT_EQ(ret == 0, ripc_semctl(id, i, GETVAL));
		for (i = 0; i < 64; i++)
			sb[i].sem_op = -1;
		if (ret == 0)
			ASSERT_EQ(0, ripc_semop(id, sb, 64));
		for (i = 0; i < 64; i++)
			sb[i].sem_op = 1;
	});
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

TEST_F(fault, semctl_setall_getall)
{
	unsigned short vals[300], got[300], zeros[300] = { 0 };
	union semun arg = { .array = vals };
	int id = ripc_semget(IPC_PRIVATE, 300, IPC_CREAT | 0600), i;

	ASSERT_LE(0, id);
	for (i = 0; i < 300; i++)
		vals[i] = i + 1;
	FAULT_LOOP(, ripc_semctl(id, 0, SETALL, arg), {
		ASSERT_NOMEM_OR(0);
		for (i = 0; i < 300; i += 37)
			ASSERT_EQ(ret == 0 ? i + 1 : 0, ripc_semctl(id, i, GETVAL));
		if (ret == 0)
			ASSERT_EQ(0, ripc_semctl(id, 0, SETALL, (union semun){ .array = zeros }));
	});
	ASSERT_EQ(0, ripc_semctl(id, 0, SETALL, arg));
	arg.array = got;
	FAULT_LOOP(memset(got, 0, sizeof(got)), ripc_semctl(id, 0, GETALL, arg), {
		ASSERT_NOMEM_OR(0);
		if (ret == 0)
			ASSERT_EQ(0, memcmp(vals, got, sizeof(got)));
	});
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

TEST_F(fault, shmat_touch)
{
	int id = ripc_shmget(IPC_PRIVATE, 4 * PAGE, IPC_CREAT | 0600);

	ASSERT_LE(0, id);
	FAULT_LOOP(, ({
		char *p = ripc_shmat(id, NULL, 0);
		long r = p == (void *)-1 ? -1 : 0;

		if (r == 0) {
			p[0] = 'a';
			p[3 * PAGE] = 'b';
			if (ripc_shmdt(p))
				r = -2;
		}
		r;
	}), {
		struct shmid_ds ds;

		ASSERT_NE(-2, ret);
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(0, ripc_shmctl(id, IPC_STAT, &ds));
		ASSERT_EQ(0, ds.shm_nattch) TH_LOG("n=%d: ret %ld errno %d", n, ret, err);
	});
	ASSERT_EQ(0, ripc_shmctl(id, IPC_RMID, NULL));
}

/*
 * Closing a /dev/ripc descriptor is not an exit: the undo stays, whatever
 * fails (Linux applies it only in exit_sem(); semop_undo_exit checks that).
 */
TEST_F(fault, semop_undo_kept_at_close)
{
	union semun zero = { .val = 0 };
	int id = ripc_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600), fd = -1;

	ASSERT_LE(0, id);
	FAULT_LOOP(fd = open(RIPC_DEVICE_PATH, O_RDWR); ASSERT_LE(0, fd);
		   ASSERT_EQ(0, sem_op(id, 1, 2, SEM_UNDO)),
		   close(fd), {
		ASSERT_EQ(0, ret);
		ASSERT_EQ(2, ripc_semctl(id, 1, GETVAL)) TH_LOG("n=%d", n);
		/* SETVAL forgets the adjustment too. */
		ASSERT_EQ(0, ripc_semctl(id, 1, SETVAL, zero));
	});
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

/* Forks a child that runs one semop and exits 0 on success, else 100+errno. */
static pid_t child_semop(int id, struct sembuf *sops, size_t nsops)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(ripc_semop(id, sops, nsops) ? 100 + errno : 0);
	return pid;
}

/*
 * A semop that completes a sleeping one: whatever fails in the waker, the
 * sleeper is woken exactly when the waker's operation went through (by
 * the waker, or, for a complex sleeper, by the next operation).
 */
static void wake_case(struct __test_metadata *_metadata, int nsems, bool complex)
{
	struct sembuf down[2] = { { 0, -1, 0 }, { 1, -1, 0 } };
	struct sembuf up[2] = { { 0, 1, 0 }, { 1, 1, 0 } };
	int id = ripc_semget(IPC_PRIVATE, nsems, IPC_CREAT | 0600);
	pid_t pid = -1;

	ASSERT_LE(0, id);
	FAULT_LOOP(pid = child_semop(id, down, complex ? 2 : 1);
		   ASSERT_LE(0, pid); ASSERT_TRUE(still_blocked(pid)),
		   ripc_semop(id, up, complex ? 2 : 1), {
		ASSERT_NOMEM_OR(0);
		if (ret < 0) {
			ASSERT_TRUE(still_blocked(pid));
			ASSERT_EQ(0, ripc_semop(id, up, complex ? 2 : 1));
		}
		ASSERT_EQ(0, wait_exit(pid));
		ASSERT_EQ(0, ripc_semctl(id, 0, GETVAL));
		ASSERT_EQ(0, ripc_semctl(id, 0, GETNCNT));
	});
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

TEST_F(fault, semop_wakes_simple)
{
	wake_case(_metadata, 1, false);
}

TEST_F(fault, semop_wakes_complex)
{
	wake_case(_metadata, 2, true);
}

/*
 * SETVAL and IPC_RMID complete sleepers: each is woken, whatever fails.
 * Regression: a simple sleeper that entering global mode could not move to
 * the array's lists (no memory) was not looked at by global-mode updates,
 * so SETVAL left it asleep with the value it waited for.
 */
TEST_F(fault, semctl_wakes_sleeper)
{
	struct sembuf down = { 0, -1, 0 };
	union semun one = { .val = 1 };
	int id = -1;
	pid_t pid = -1;

	id = ripc_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_LE(0, id);
	FAULT_LOOP(pid = child_semop(id, &down, 1); ASSERT_TRUE(still_blocked(pid)),
		   ripc_semctl(id, 0, SETVAL, one), {
		ASSERT_NOMEM_OR(0);
		if (ret < 0)
			ASSERT_EQ(0, ripc_semctl(id, 0, SETVAL, one));
		ASSERT_EQ(0, wait_exit(pid));
		ASSERT_EQ(0, ripc_semctl(id, 0, GETVAL));
	});
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
	FAULT_LOOP(id = ripc_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600); ASSERT_LE(0, id);
		   pid = child_semop(id, &down, 1); ASSERT_TRUE(still_blocked(pid)),
		   ripc_semctl(id, 0, IPC_RMID), {
		ASSERT_NOMEM_OR(0);
		if (ret < 0)
			ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
		ASSERT_EQ(100 + EIDRM, wait_exit(pid));
	});
}

/* A simple operation on an array with a complex sleeper (queues merge). */
TEST_F(fault, semop_simple_with_complex_sleeper)
{
	struct sembuf both[2] = { { 0, -1, 0 }, { 1, -1, 0 } };
	int id = ripc_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	pid_t pid;

	ASSERT_LE(0, id);
	pid = child_semop(id, both, 2);
	ASSERT_TRUE(still_blocked(pid));
	FAULT_LOOP(, sem_op(id, 0, 1, 0), {
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(ret == 0, ripc_semctl(id, 0, GETVAL));
		if (ret == 0)
			ASSERT_EQ(0, sem_op(id, 0, -1, IPC_NOWAIT));
	});
	ASSERT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, sem_op(id, 1, 1, 0));
	ASSERT_EQ(0, sem_op(id, 0, 1, 0));
	ASSERT_EQ(0, wait_exit(pid));
	ASSERT_EQ(0, ripc_semctl(id, 0, GETVAL));
	ASSERT_EQ(0, ripc_semctl(id, 1, GETVAL));
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

/* More operations than fit on the stack (SEMOPM_FAST): a heap copy. */
TEST_F(fault, semop_over_fast)
{
	struct sembuf sb[100];
	int id = ripc_semget(IPC_PRIVATE, 100, IPC_CREAT | 0600), i;

	ASSERT_LE(0, id);
	for (i = 0; i < 100; i++)
		sb[i] = (struct sembuf){ i, 1, 0 };
	FAULT_LOOP(, ripc_semop(id, sb, 100), {
		ASSERT_NOMEM_OR(0);
		for (i = 0; i < 100; i += 9)
			ASSERT_EQ(ret == 0, ripc_semctl(id, i, GETVAL));
		for (i = 0; i < 100; i++)
			sb[i].sem_op = -1;
		if (ret == 0)
			ASSERT_EQ(0, ripc_semop(id, sb, 100));
		for (i = 0; i < 100; i++)
			sb[i].sem_op = 1;
	});
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

/*
 * The undo of a process is applied when it closes /dev/ripc at exit, even
 * when the exit path meets failing allocations.
 */
TEST_F(fault, semop_undo_applied_at_failing_exit)
{
	int id = ripc_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600), n;

	ASSERT_LE(0, id);
	for (n = 1; n <= 40; n++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			int fd = open(FAIL_NTH, O_RDWR);
			char buf[16];

			if (sem_op(id, 1, 2, SEM_UNDO) || fd < 0)
				_exit(1);
			snprintf(buf, sizeof(buf), "%d", n);
			if (write(fd, buf, strlen(buf)) <= 0)
				_exit(2);
			_exit(0);
		}
		ASSERT_EQ(0, wait_exit(pid));
		ASSERT_EQ(0, ripc_semctl(id, 1, GETVAL)) TH_LOG("n=%d", n);
	}
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

/*
 * Unregisters the rseq area glibc registered for this thread. After a
 * fork its page is copy-on-write; if the page the kernel needs to update
 * it on the way back to userspace is the allocation failed, rseq sends
 * SIGSEGV (SI_KERNEL), which has nothing to do with ripc.
 */
static int rseq_off(void)
{
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;

	if (!__rseq_size)
		return 0;
	/* glibc registers 32 bytes, which __rseq_size may not say. */
	if (syscall(SYS_rseq, area, __rseq_size, 1 /* RSEQ_FLAG_UNREGISTER */, RSEQ_SIG) &&
	    syscall(SYS_rseq, area, 32, 1, RSEQ_SIG))
		return -1;
	return 0;
}

/*
 * fork copies the VMAs of an attachment (vm_ops->open); whether fork
 * succeeds or fails, once the child is gone one attachment is counted.
 */
TEST_F(fault, fork_with_shm_attached)
{
	int id = ripc_shmget(IPC_PRIVATE, 2 * PAGE, IPC_CREAT | 0600);
	char *p;

	ASSERT_LE(0, id);
	p = ripc_shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	p[0] = 'x';
	ASSERT_EQ(0, rseq_off()) TH_LOG("rseq unregister: %s (size %u)", strerror(errno), __rseq_size);
	FAULT_LOOP(, ({
		pid_t pid = fork();

		if (pid == 0)
			_exit(p[0] == 'x' ? 0 : 1);
		if (pid > 0 && wait_exit(pid) != 0)
			pid = -2;
		pid;
	}), {
		struct shmid_ds ds;

		ASSERT_NE(-2, ret);
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(0, ripc_shmctl(id, IPC_STAT, &ds));
		ASSERT_EQ(1, ds.shm_nattch) TH_LOG("n=%d: ret %ld errno %d", n, ret, err);
	});
	ASSERT_EQ(0, ripc_shmdt(p));
	ASSERT_EQ(0, ripc_shmctl(id, IPC_RMID, NULL));
}

TEST_F(fault, shmctl_stat_info)
{
	int id = ripc_shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);
	struct shmid_ds ds;

	ASSERT_LE(0, id);
	FAULT_LOOP(, ripc_shmctl(id, IPC_STAT, &ds), { ASSERT_NOMEM_OR(0); });
	FAULT_LOOP(, ripc_shmctl(id, SHM_LOCK, NULL), { ASSERT_NOMEM_OR(0); });
	ASSERT_EQ(0, ripc_shmctl(id, SHM_UNLOCK, NULL));
	ASSERT_EQ(0, ripc_shmctl(id, IPC_RMID, NULL));
}

/* Reads everything from fd; returns the byte count, or -1 with errno. */
static long drain(int fd, char *buf, long max)
{
	long total = 0, n;

	while ((n = read(fd, buf + total, max - total)) > 0)
		total += n;
	if (n < 0 && errno != EAGAIN)
		return -1;
	return total;
}

TEST_F(fault, pipe_write)
{
	static char out[16 * PAGE], in[16 * PAGE];
	int fds[2], i;

	for (i = 0; i < (int)sizeof(out); i++)
		out[i] = i * 7;
	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	/* Starts mid-page, so that the write needs both a tail and new pages. */
	FAULT_LOOP(ASSERT_EQ(100, write(fds[1], out, 100)),
		   write(fds[1], out + 100, 5 * PAGE), {
		ASSERT_NOMEM_OR(0);
		/* What was reported written is there, and nothing else. */
		ASSERT_EQ(100 + (ret > 0 ? ret : 0), drain(fds[0], in, sizeof(in)));
		ASSERT_EQ(0, memcmp(in, out, 100 + (ret > 0 ? ret : 0)));
		if (!injected)
			ASSERT_EQ(5 * PAGE, ret);
	});
	close(fds[0]);
	close(fds[1]);
}

TEST_F(fault, pipe_set_size)
{
	static char in[PAGE];
	int fds[2];

	ASSERT_EQ(0, ripc_pipe2(fds, RIPC_PIPE_NONBLOCK));
	FAULT_LOOP(ASSERT_EQ(10, write(fds[1], "0123456789", 10)),
		   ripc_pipe_set_size(fds[1], 256 * PAGE), {
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(ret >= 0 ? 256 * PAGE : 16 * PAGE, ripc_pipe_get_size(fds[0]));
		ASSERT_EQ(10, drain(fds[0], in, sizeof(in)));
		ASSERT_EQ(0, memcmp(in, "0123456789", 10));
		if (ret >= 0)
			ASSERT_EQ(16 * PAGE, ripc_pipe_set_size(fds[1], 16 * PAGE));
	});
	close(fds[0]);
	close(fds[1]);
}

TEST_F(fault, mq_send_receive)
{
	char buf[8192];
	unsigned int prio;
	mqd_t q;

	ripc_mq_unlink("/fault-q");
	q = ripc_mq_open("/fault-q", O_RDWR | O_CREAT | O_NONBLOCK, 0600, NULL);
	ASSERT_LE(0, q);
	memset(buf, 'q', sizeof(buf));
	FAULT_LOOP(, ripc_mq_send(q, buf, 6000, 3), {
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(ret == 0, mq_curmsgs(q));
		if (ret == 0)
			ASSERT_EQ(6000, ripc_mq_receive(q, buf, sizeof(buf), &prio));
	});
	FAULT_LOOP(if (mq_curmsgs(q) == 0) ASSERT_EQ(0, ripc_mq_send(q, buf, 6000, 3)),
		   ripc_mq_receive(q, buf, sizeof(buf), &prio), {
		ASSERT_NOMEM_OR(0);
		/* A failed receive leaves the message queued. */
		ASSERT_EQ(ret < 0, mq_curmsgs(q));
	});
	/* mq_timedreceive on an empty queue sleeps. */
	FAULT_LOOP(ASSERT_EQ(0, ripc_mq_setattr(q, &(struct mq_attr){ .mq_flags = 0 }, NULL)),
		   ({
			   struct timespec ts;
			   long r;

			   clock_gettime(CLOCK_REALTIME, &ts);
			   ts.tv_nsec += 30000000;
			   if (ts.tv_nsec >= 1000000000) {
				   ts.tv_sec++;
				   ts.tv_nsec -= 1000000000;
			   }
			   r = ripc_mq_timedreceive(q, buf, sizeof(buf), &prio, &ts);
			   r;
		   }), {
		if (!injected && ret < 0 && err == ETIMEDOUT)
			ret = 0;
		ASSERT_NOMEM_OR(ETIMEDOUT);
		ASSERT_EQ(0, mq_curmsgs(q));
	});
	close(q);
	ripc_mq_unlink("/fault-q");
}

/* A message handed straight to a sleeping receiver (pipelined_send). */
TEST_F(msq, msgsnd_to_sleeping_receiver)
{
	pid_t pid = -1;

	FAULT_LOOP(pid = fork(); ASSERT_LE(0, pid);
		   if (pid == 0)
			   _exit(ripc_msgrcv(self->id, self->buf, 8192, 0, 0) == 700 ? 0 : 1);
		   ASSERT_TRUE(still_blocked(pid)),
		   ripc_msgsnd(self->id, self->buf, 700, 0), {
		ASSERT_NOMEM_OR(0);
		if (ret < 0) {
			ASSERT_TRUE(still_blocked(pid));
			ASSERT_EQ(0, ripc_msgsnd(self->id, self->buf, 700, 0));
		}
		ASSERT_EQ(0, wait_exit(pid));
		ASSERT_EQ(0, msq_stat(self->id).msg_qnum);
	});
}

TEST_F(fault, mq_open_create_attr)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 100 }, got;
	int fd0 = free_fd();

	ripc_mq_unlink("/fault-a");
	FAULT_LOOP(, ripc_mq_open("/fault-a", O_RDWR | O_CREAT | O_EXCL, 0600, &attr), {
		mqd_t q = ret;

		ASSERT_NOMEM_OR(0);
		/* A queue made before the open failed has the attributes too. */
		if (ret < 0)
			q = ripc_mq_open("/fault-a", O_RDWR);
		if (q >= 0) {
			ASSERT_EQ(0, ripc_mq_getattr(q, &got));
			ASSERT_EQ(4, got.mq_maxmsg);
			ASSERT_EQ(100, got.mq_msgsize);
			close(q);
		}
		ripc_mq_unlink("/fault-a");
		ASSERT_EQ(fd0, free_fd());
	});
}

TEST_F(fault, mq_send_to_sleeping_receiver)
{
	char buf[8192];
	pid_t pid = -1;
	mqd_t q;

	ripc_mq_unlink("/fault-w");
	q = ripc_mq_open("/fault-w", O_RDWR | O_CREAT, 0600, NULL);
	ASSERT_LE(0, q);
	memset(buf, 'w', sizeof(buf));
	FAULT_LOOP(pid = fork(); ASSERT_LE(0, pid);
		   if (pid == 0)
			   _exit(ripc_mq_receive(q, buf, sizeof(buf), NULL) == 300 ? 0 : 1);
		   ASSERT_TRUE(still_blocked(pid)),
		   ripc_mq_send(q, buf, 300, 1), {
		ASSERT_NOMEM_OR(0);
		if (ret < 0) {
			ASSERT_TRUE(still_blocked(pid));
			ASSERT_EQ(0, ripc_mq_send(q, buf, 300, 1));
		}
		ASSERT_EQ(0, wait_exit(pid));
		ASSERT_EQ(0, mq_curmsgs(q));
	});
	close(q);
	ripc_mq_unlink("/fault-w");
}

/*
 * A send that fires a SIGEV_SIGNAL registration: sent means notified (the
 * signal pending, the registration gone); failed means neither.
 */
TEST_F(fault, mq_send_notifies)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct timespec zero = { 0, 0 };
	char buf[8192] = "note";
	sigset_t usr1;
	mqd_t q;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &usr1, NULL));
	ripc_mq_unlink("/fault-s");
	q = ripc_mq_open("/fault-s", O_RDWR | O_CREAT | O_NONBLOCK, 0600, NULL);
	ASSERT_LE(0, q);
	FAULT_LOOP(ASSERT_EQ(0, ripc_mq_notify(q, &sev)), ripc_mq_send(q, buf, 4, 0), {
		ASSERT_NOMEM_OR(0);
		ASSERT_EQ(ret == 0, mq_curmsgs(q));
		if (ret == 0) {
			ASSERT_EQ(SIGUSR1, sigtimedwait(&usr1, NULL, &zero));
			ASSERT_EQ(4, ripc_mq_receive(q, buf, sizeof(buf), NULL));
		} else {
			ASSERT_EQ(-1, sigtimedwait(&usr1, NULL, &zero));
			ASSERT_EQ(0, ripc_mq_notify(q, NULL));
		}
	});
	close(q);
	ripc_mq_unlink("/fault-s");
}

TEST_F(fault, mq_notify)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	int efd = ripc_eventfd(0, 0);
	mqd_t q;

	ASSERT_LE(0, efd);
	ripc_mq_unlink("/fault-n");
	q = ripc_mq_open("/fault-n", O_RDWR | O_CREAT, 0600, NULL);
	ASSERT_LE(0, q);
	FAULT_LOOP(, ripc_mq_notify(q, &sev), {
		ASSERT_NOMEM_OR(0);
		/* Registered exactly when it said so. */
		if (ret == 0) {
			ASSERT_EQ(-1, ripc_mq_notify(q, &sev));
			ASSERT_EQ(EBUSY, errno);
			ASSERT_EQ(0, ripc_mq_notify(q, NULL));
		} else {
			ASSERT_EQ(0, ripc_mq_notify(q, &sev));
			ASSERT_EQ(0, ripc_mq_notify(q, NULL));
		}
	});
	FAULT_LOOP(, ripc_mq_notify_fd(q, efd), {
		ASSERT_NOMEM_OR(0);
		if (ret == 0)
			ASSERT_EQ(0, ripc_mq_notify(q, NULL));
	});
	close(efd);
	close(q);
	ripc_mq_unlink("/fault-n");
}

TEST_F(fault, mq_read_status)
{
	char buf[256];
	mqd_t q, r = -1;

	ripc_mq_unlink("/fault-r");
	q = ripc_mq_open("/fault-r", O_RDWR | O_CREAT, 0600, NULL);
	ASSERT_LE(0, q);
	/* A fresh descriptor per round: the queue file keeps no position. */
	FAULT_LOOP(r = ripc_mq_open("/fault-r", O_RDONLY); ASSERT_LE(0, r),
		   read(r, buf, sizeof(buf)), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0)
			ASSERT_NE(NULL, memmem(buf, ret, "QSIZE:", 6));
		close(r);
	});
	close(q);
	ripc_mq_unlink("/fault-r");
}

/* Opens and reads a status file; returns its size or -1 with errno. */
static long read_status(const char *path, char *buf, long max)
{
	int fd = open(path, O_RDONLY);
	long total = 0, n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + total, max - total)) > 0)
		total += n;
	if (n < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	close(fd);
	return total;
}

static void status_case(struct __test_metadata *_metadata, const char *kind)
{
	static char want[1 << 16], got[1 << 16];
	char path[128];
	long len;

	snprintf(path, sizeof(path), MNT "/sysvipc/%s", kind);
	len = read_status(path, want, sizeof(want));
	ASSERT_LT(0, len);
	FAULT_LOOP(, read_status(path, got, sizeof(got)), {
		ASSERT_NOMEM_OR(0);
		if (ret >= 0) {
			ASSERT_EQ(len, ret);
			ASSERT_EQ(0, memcmp(want, got, len));
		}
	});
}

TEST_F(fault, sysvipc_status)
{
	int msq = ripc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	int sem = ripc_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	int shm = ripc_shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);

	ASSERT_LE(0, msq);
	ASSERT_LE(0, sem);
	ASSERT_LE(0, shm);
	status_case(_metadata, "msg");
	status_case(_metadata, "sem");
	status_case(_metadata, "shm");
	ripc_msgctl(msq, IPC_RMID, NULL);
	ripc_semctl(sem, 0, IPC_RMID);
	ripc_shmctl(shm, IPC_RMID, NULL);
}

TEST_HARNESS_MAIN
