// SPDX-License-Identifier: GPL-2.0
/*
 * libripc-preload.so: the plain libc calls of this program, run with
 * LD_PRELOAD (scripts/guest/run-tests.sh does so for *_preload_test), reach
 * ripc. Each case proves it through something only ripc answers: ripc's
 * pipe ioctls, the notifier's anon inode name, ripcfs's sysvipc/ listings
 * and mq/ directory, while the native listings do not show the object.
 * A call kept off ripc (RIPC_PRELOAD_NATIVE) fails with ENOSYS and one
 * line on stderr, or uses the native call with RIPC_PRELOAD_FALLBACK=1.
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ripc.h>

#include "kselftest_harness.h"
#include "ripc_test_util.h"

#define MNT "/tmp/ripc-preload-mnt"

FIXTURE(preload) {
	int mounted;
};

FIXTURE_SETUP(preload)
{
	mkdir(MNT, 0755);
	self->mounted = mount("none", MNT, "ripcfs", 0, NULL) == 0;
	ASSERT_TRUE(self->mounted) TH_LOG("mount ripcfs: %s", strerror(errno));
	setenv("RIPCFS_MOUNT", MNT, 1);
	ASSERT_NE(NULL, getenv("LD_PRELOAD")) TH_LOG("run me with LD_PRELOAD=libripc-preload.so");
}

FIXTURE_TEARDOWN(preload)
{
	if (self->mounted)
		umount(MNT);
}

TEST_F(preload, pipe_is_ripc)
{
	int fds[2], sz;
	char buf[4];

	ASSERT_EQ(0, pipe(fds));
	/* Only a ripc pipe answers ripc's size ioctl. */
	sz = ioctl(fds[0], RIPC_PIPE_IOC_GETSZ);
	EXPECT_GT(sz, 0);
	EXPECT_EQ(sz, fcntl(fds[1], F_GETPIPE_SZ));
	EXPECT_EQ(1 << 16, fcntl(fds[1], F_SETPIPE_SZ, 1 << 16));
	EXPECT_EQ(1 << 16, ioctl(fds[1], RIPC_PIPE_IOC_GETSZ));
	EXPECT_EQ(3, write(fds[1], "abc", 3));
	EXPECT_EQ(3, read(fds[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	close(fds[0]);
	close(fds[1]);
}

TEST_F(preload, pipe2_flags_are_ripc)
{
	int fds[2];
	char c;

	ASSERT_EQ(0, pipe2(fds, O_NONBLOCK | O_CLOEXEC));
	EXPECT_GT(ioctl(fds[0], RIPC_PIPE_IOC_GETSZ), 0);
	EXPECT_EQ(-1, read(fds[0], &c, 1));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fds[0], F_GETFD));
	close(fds[0]);
	close(fds[1]);
}

TEST_F(preload, fcntl_pipe_size_of_a_native_pipe)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	int (*libc_pipe2)(int *, int);
	int fds[2];

	/* A kernel pipe (libc's own pipe2, not the preload's, which the
	 * dynamic linker binds first): the native fcntl answers. */
	ASSERT_NE(NULL, libc);
	libc_pipe2 = (int (*)(int *, int))dlsym(libc, "pipe2");
	ASSERT_NE(NULL, libc_pipe2);
	ASSERT_EQ(0, libc_pipe2(fds, 0));
	EXPECT_EQ(-1, ioctl(fds[0], RIPC_PIPE_IOC_GETSZ));
	EXPECT_EQ(65536, fcntl(fds[0], F_GETPIPE_SZ));
	close(fds[0]);
	close(fds[1]);
}

TEST_F(preload, eventfd_is_a_notifier)
{
	char path[64], target[64] = "";
	eventfd_t v = 0;
	int fd;

	fd = eventfd(5, EFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ASSERT_LT(0, readlink(path, target, sizeof(target) - 1));
	EXPECT_STREQ("anon_inode:[ripc-notify]", target);
	EXPECT_EQ(0, eventfd_write(fd, 2));
	EXPECT_EQ(0, eventfd_read(fd, &v));
	EXPECT_EQ(7, v);
	close(fd);
}

TEST_F(preload, msg_queue_is_in_ripcfs)
{
	struct { long type; char text[8]; } m = { 3, "hello" }, r;
	key_t key = 0x5250524d;
	struct msqid_ds ds;
	int id;

	msgctl(msgget(key, 0), IPC_RMID, NULL);
	id = msgget(key, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(1, sysvipc_listed(MNT "/sysvipc/msg", key, id));
	EXPECT_EQ(0, sysvipc_listed("/proc/sysvipc/msg", key, id));
	EXPECT_EQ(0, msgsnd(id, &m, sizeof(m.text), 0));
	EXPECT_EQ(0, msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(1, ds.msg_qnum);
	EXPECT_EQ(sizeof(m.text), msgrcv(id, &r, sizeof(r.text), 3, 0));
	EXPECT_STREQ("hello", r.text);
	EXPECT_EQ(0, msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(0, sysvipc_listed(MNT "/sysvipc/msg", key, id));
}

TEST_F(preload, sem_array_is_in_ripcfs)
{
	struct sembuf op = { .sem_num = 1, .sem_op = -1 };
	struct timespec ts = { 0, 1000000 };
	key_t key = 0x52505253;
	int id;

	semctl(semget(key, 0, 0), 0, IPC_RMID);
	id = semget(key, 2, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(1, sysvipc_listed(MNT "/sysvipc/sem", key, id));
	EXPECT_EQ(0, sysvipc_listed("/proc/sysvipc/sem", key, id));
	EXPECT_EQ(0, semctl(id, 1, SETVAL, 2));
	EXPECT_EQ(0, semop(id, &op, 1));
	EXPECT_EQ(0, semtimedop(id, &op, 1, &ts));
	EXPECT_EQ(-1, semtimedop(id, &op, 1, &ts));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, semctl(id, 1, GETVAL));
	EXPECT_EQ(0, semctl(id, 0, IPC_RMID));
	EXPECT_EQ(0, sysvipc_listed(MNT "/sysvipc/sem", key, id));
}

TEST_F(preload, mq_is_in_ripcfs)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 }, got;
	struct timespec ts;
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	unsigned int prio = 0;
	char buf[16];
	mqd_t mq;

	mq_unlink("/preload");
	mq = mq_open("/preload", O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	ASSERT_GE(mq, 0) TH_LOG("mq_open: %s", strerror(errno));
	EXPECT_EQ(0, access(MNT "/mq/preload", F_OK));
	EXPECT_EQ(-1, access("/dev/mqueue/preload", F_OK));
	EXPECT_EQ(0, mq_notify(mq, &sev));
	EXPECT_EQ(0, mq_send(mq, "one", 3, 1));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	EXPECT_EQ(0, mq_timedsend(mq, "two", 3, 2, &ts));
	EXPECT_EQ(0, mq_getattr(mq, &got));
	EXPECT_EQ(2, got.mq_curmsgs);
	EXPECT_EQ(16, got.mq_msgsize);
	EXPECT_EQ(3, mq_receive(mq, buf, sizeof(buf), &prio));
	EXPECT_EQ(2, prio);
	EXPECT_EQ(3, mq_timedreceive(mq, buf, sizeof(buf), &prio, &ts));
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	attr.mq_flags = O_NONBLOCK;
	EXPECT_EQ(0, mq_setattr(mq, &attr, &got));
	EXPECT_EQ(-1, mq_receive(mq, buf, sizeof(buf), &prio));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, mq_close(mq));
	EXPECT_EQ(0, mq_unlink("/preload"));
	EXPECT_EQ(-1, access(MNT "/mq/preload", F_OK));
}

static int notified_fd = -1;

static void on_notified(union sigval value)
{
	if (write(notified_fd, &value.sival_int, sizeof(int)) != sizeof(int))
		abort();
}

/*
 * mq_notify(SIGEV_THREAD) through the preload: a thread runs the function
 * with the value when a message arrives in the empty ripc queue, as
 * glibc's does on Linux's queues.
 */
TEST_F(preload, mq_notify_sigev_thread_is_routed)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD,
				.sigev_notify_function = on_notified,
				.sigev_value.sival_int = 77 };
	struct timeval tv = { 10, 0 };
	int fds[2], value = 0;
	char buf[16];
	fd_set set;
	mqd_t mq;

	ASSERT_EQ(0, pipe(fds));
	notified_fd = fds[1];
	mq_unlink("/preload-thread");
	mq = mq_open("/preload-thread", O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	ASSERT_GE(mq, 0) TH_LOG("mq_open: %s", strerror(errno));
	EXPECT_EQ(0, access(MNT "/mq/preload-thread", F_OK));
	ASSERT_EQ(0, mq_notify(mq, &sev)) TH_LOG("mq_notify: %s", strerror(errno));
	ASSERT_EQ(0, mq_send(mq, "one", 3, 1));
	FD_ZERO(&set);
	FD_SET(fds[0], &set);
	ASSERT_EQ(1, select(fds[0] + 1, &set, NULL, NULL, &tv));
	ASSERT_EQ(sizeof(value), read(fds[0], &value, sizeof(value)));
	EXPECT_EQ(77, value);
	EXPECT_EQ(3, mq_receive(mq, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, mq_close(mq));
	EXPECT_EQ(0, mq_unlink("/preload-thread"));
	close(fds[0]);
	close(fds[1]);
}

/* The calls the ENOSYS and fallback cases keep off ripc. */
#define SHM_CALLS "shmget,shmat,shmdt,shmctl,shm_open,shm_unlink"

/*
 * Runs @fn in a child whose stderr goes to a file, with the shm calls kept
 * off ripc; returns the child's status and the file's text in @text.
 */
static int in_child(void (*fn)(void), int fallback, char *text, size_t len)
{
	char path[] = "/tmp/ripc-preload-XXXXXX";
	int fd = mkstemp(path), status = -1;
	ssize_t n;
	pid_t pid;

	if (fd < 0)
		return -1;
	unlink(path);
	pid = fork();
	if (pid == 0) {
		dup2(fd, STDERR_FILENO);
		setenv("RIPC_PRELOAD_NATIVE", SHM_CALLS, 1);
		if (fallback)
			setenv("RIPC_PRELOAD_FALLBACK", "1", 1);
		else
			unsetenv("RIPC_PRELOAD_FALLBACK");
		fn();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	n = pread(fd, text, len - 1, 0);
	text[n > 0 ? n : 0] = 0;
	close(fd);
	return status;
}

static int lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* Exits 1 unless every shm call fails with ENOSYS, twice. */
static void shm_calls_enosys(void)
{
	for (int i = 0; i < 2; i++) {
		if (shmget(IPC_PRIVATE, 4096, 0600) != -1 || errno != ENOSYS ||
		    shmat(0, NULL, 0) != (void *)-1 || errno != ENOSYS ||
		    shmdt((void *)4096) != -1 || errno != ENOSYS ||
		    shmctl(0, IPC_RMID, NULL) != -1 || errno != ENOSYS ||
		    shm_open("/preload", O_RDWR | O_CREAT, 0600) != -1 || errno != ENOSYS ||
		    shm_unlink("/preload") != -1 || errno != ENOSYS)
			_exit(1);
	}
}

TEST(unrouted_calls_fail_with_enosys_and_say_so_once)
{
	char text[4096];
	int status = in_child(shm_calls_enosys, 0, text, sizeof(text));

	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* One line per call, not per use. */
	EXPECT_EQ(6, lines(text)) TH_LOG("stderr: %s", text);
	EXPECT_NE(NULL, strstr(text, "shmget() is not routed to ripc"));
	EXPECT_NE(NULL, strstr(text, "shm_unlink() is not routed to ripc"));
	EXPECT_NE(NULL, strstr(text, "ENOSYS"));
}

/* Exits 1 unless the native shm calls work. */
static void shm_calls_native(void)
{
	char path[64];
	int id, fd, twice;
	void *p;

	for (twice = 0; twice < 2; twice++) {
		id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		if (id < 0 || sysvipc_listed("/proc/sysvipc/shm", 0, id) != 1)
			_exit(1);
		p = shmat(id, NULL, 0);
		if (p == (void *)-1)
			_exit(2);
		memset(p, 1, 4096);
		if (shmdt(p) || shmctl(id, IPC_RMID, NULL))
			_exit(3);
		fd = shm_open("/ripc-preload", O_RDWR | O_CREAT, 0600);
		snprintf(path, sizeof(path), "/dev/shm/ripc-preload");
		if (fd < 0 || access(path, F_OK) || shm_unlink("/ripc-preload"))
			_exit(4);
		close(fd);
	}
}

TEST(unrouted_calls_fall_back_with_RIPC_PRELOAD_FALLBACK)
{
	char text[4096];
	int status = in_child(shm_calls_native, 1, text, sizeof(text));

	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("stderr: %s", text);
	/* shmget, shmat, shmdt, shmctl, shm_open, shm_unlink: once each. */
	EXPECT_EQ(6, lines(text)) TH_LOG("stderr: %s", text);
	EXPECT_NE(NULL, strstr(text, "shmat() is not routed to ripc, using the native call"));
}

TEST_F(preload, shm_calls_reach_ripc)
{
	struct shmid_ds ds;
	char *p;
	int id, fd;

	id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	ASSERT_GE(id, 0) TH_LOG("shmget: %s", strerror(errno));
	EXPECT_EQ(1, sysvipc_listed(MNT "/sysvipc/shm", 0, id));
	EXPECT_NE(1, sysvipc_listed("/proc/sysvipc/shm", 0, id));
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	memset(p, 7, 8192);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(1, ds.shm_nattch);
	EXPECT_EQ(8192, ds.shm_segsz);
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0, shmctl(id, IPC_RMID, NULL));

	/* shm_open names live in ripcfs shm/, not in /dev/shm. */
	fd = shm_open("/preload", O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_GE(fd, 0) TH_LOG("shm_open: %s", strerror(errno));
	EXPECT_EQ(0, access(MNT "/shm/preload", F_OK));
	EXPECT_NE(0, access("/dev/shm/preload", F_OK));
	ASSERT_EQ(0, ftruncate(fd, 4096));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 'r';
	EXPECT_EQ(0, munmap(p, 4096));
	close(fd);
	EXPECT_EQ(-1, shm_open("bad/name", O_RDWR, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, shm_unlink("/preload"));
	EXPECT_NE(0, access(MNT "/shm/preload", F_OK));
}

TEST_HARNESS_MAIN
