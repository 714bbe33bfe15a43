// SPDX-License-Identifier: GPL-2.0
/*
 * libripc-preload.so routes IPC system calls made through libc's
 * syscall() to ripc, with the kernel's argument conventions (run with
 * LD_PRELOAD, as every *_preload_test). Each case proves the call reached
 * ripc through something only ripc answers (ripcfs's sysvipc/ listings and
 * mq/ directory, ripc's pipe ioctl, the notifier's inode name), checks the
 * places where the raw ABI differs from glibc's wrappers, and that a
 * number the preload does not route still reaches Linux.
 */

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ripc.h>

#include "kselftest_harness.h"
#include "ripc_test_util.h"

#define MNT "/tmp/ripc-syscall-mnt"
/* The kernel's IPC_64, which only 32-bit ABIs parse. */
#define IPC_64_BIT 0x0100

FIXTURE(raw) {
	int mounted;
};

FIXTURE_SETUP(raw)
{
	mkdir(MNT, 0755);
	self->mounted = mount("none", MNT, "ripcfs", 0, NULL) == 0;
	ASSERT_TRUE(self->mounted) TH_LOG("mount ripcfs: %s", strerror(errno));
	setenv("RIPCFS_MOUNT", MNT, 1);
	ASSERT_NE(NULL, getenv("LD_PRELOAD")) TH_LOG("run me with LD_PRELOAD=libripc-preload.so");
}

FIXTURE_TEARDOWN(raw)
{
	if (self->mounted)
		umount(MNT);
}

TEST_F(raw, msg_calls_reach_ripc)
{
	struct { long type; char text[8]; } m = { 7, "raw" }, r = { 0 };
	key_t key = 0x52415701;
	struct msqid_ds ds;
	int id;

	id = syscall(__NR_msgget, key, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(1, sysvipc_listed(MNT "/sysvipc/msg", key, id));
	EXPECT_EQ(0, sysvipc_listed("/proc/sysvipc/msg", key, id));
	EXPECT_EQ(0, syscall(__NR_msgsnd, id, &m, sizeof(m.text), 0));
	EXPECT_EQ(sizeof(m.text), syscall(__NR_msgrcv, id, &r, sizeof(r.text), 7L, 0));
	EXPECT_STREQ("raw", r.text);
	/* Nothing left: the raw call fails as syscall() does, -1 and errno. */
	EXPECT_EQ(-1, syscall(__NR_msgrcv, id, &r, sizeof(r.text), 0L, IPC_NOWAIT));
	EXPECT_EQ(ENOMSG, errno);
	EXPECT_EQ(0, syscall(__NR_msgctl, id, IPC_STAT, &ds));
	EXPECT_EQ(key, ds.msg_perm.__key);
	/* x86-64's raw msgctl does not parse IPC_64. */
	EXPECT_EQ(-1, syscall(__NR_msgctl, id, IPC_STAT | IPC_64_BIT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, syscall(__NR_msgctl, id, IPC_RMID, NULL));
	EXPECT_EQ(0, sysvipc_listed(MNT "/sysvipc/msg", key, id));
}

TEST_F(raw, sem_calls_reach_ripc)
{
	struct sembuf op = { .sem_num = 1, .sem_op = -2, .sem_flg = IPC_NOWAIT };
	struct timespec ts = { 0, 1000000 };
	key_t key = 0x52415702;
	int id;

	id = syscall(__NR_semget, key, 2, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(1, sysvipc_listed(MNT "/sysvipc/sem", key, id));
	EXPECT_EQ(0, sysvipc_listed("/proc/sysvipc/sem", key, id));
	/* The raw semctl takes its fourth argument as a value. */
	EXPECT_EQ(0, syscall(__NR_semctl, id, 1, SETVAL, 5L));
	EXPECT_EQ(5, syscall(__NR_semctl, id, 1, GETVAL, 0L));
	EXPECT_EQ(0, syscall(__NR_semop, id, &op, 1));
	EXPECT_EQ(3, syscall(__NR_semctl, id, 1, GETVAL, 0L));
	op.sem_op = -4;
	op.sem_flg = 0;
	EXPECT_EQ(-1, syscall(__NR_semtimedop, id, &op, 1, &ts));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, syscall(__NR_semctl, id, 0, GETVAL | IPC_64_BIT, 0L));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, syscall(__NR_semctl, id, 0, IPC_RMID, 0L));
	EXPECT_EQ(0, sysvipc_listed(MNT "/sysvipc/sem", key, id));
}

TEST_F(raw, shm_calls_reach_ripc)
{
	struct shmid_ds ds;
	long addr;
	int id;

	id = syscall(__NR_shmget, IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(1, sysvipc_listed(MNT "/sysvipc/shm", 0, id));
	EXPECT_NE(1, sysvipc_listed("/proc/sysvipc/shm", 0, id));
	addr = syscall(__NR_shmat, id, NULL, 0);
	ASSERT_NE(-1, addr);
	strcpy((char *)addr, "raw");
	EXPECT_EQ(0, syscall(__NR_shmctl, id, IPC_STAT, &ds));
	EXPECT_EQ(1, ds.shm_nattch);
	EXPECT_EQ(-1, syscall(__NR_shmctl, id, IPC_STAT | IPC_64_BIT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, syscall(__NR_shmdt, addr));
	EXPECT_EQ(-1, syscall(__NR_shmdt, addr));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, syscall(__NR_shmctl, id, IPC_RMID, NULL));
}

TEST_F(raw, mq_calls_take_the_kernels_conventions)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 }, got, set = { 0 };
	unsigned int prio = 0;
	char buf[16];
	int mq;

	/* The raw name has no leading '/'. */
	mq = syscall(__NR_mq_open, "rawq", O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	ASSERT_GE(mq, 0);
	EXPECT_EQ(0, access(MNT "/mq/rawq", F_OK));
	/* The raw call adds no O_CLOEXEC, where glibc's mq_open does. */
	EXPECT_EQ(0, fcntl(mq, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, syscall(__NR_mq_timedsend, mq, "hi", 3, 9, NULL));
	/* mq_getsetattr(2): get, then set O_NONBLOCK, then neither. */
	EXPECT_EQ(0, syscall(__NR_mq_getsetattr, mq, NULL, &got));
	EXPECT_EQ(1, got.mq_curmsgs);
	EXPECT_EQ(16, got.mq_msgsize);
	set.mq_flags = O_NONBLOCK;
	EXPECT_EQ(0, syscall(__NR_mq_getsetattr, mq, &set, &got));
	EXPECT_EQ(0, got.mq_flags);
	EXPECT_EQ(0, syscall(__NR_mq_getsetattr, mq, NULL, NULL));
	EXPECT_EQ(3, syscall(__NR_mq_timedreceive, mq, buf, sizeof(buf), &prio, NULL));
	EXPECT_EQ(9, prio);
	EXPECT_EQ(-1, syscall(__NR_mq_timedreceive, mq, buf, sizeof(buf), &prio, NULL));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, syscall(__NR_mq_notify, mq, NULL));
	close(mq);
	/* A '/' in a raw name is part of the name: the lookup refuses it. */
	EXPECT_EQ(-1, syscall(__NR_mq_open, "/rawq", O_RDWR, 0, NULL));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(0, syscall(__NR_mq_unlink, "rawq"));
	EXPECT_EQ(-1, access(MNT "/mq/rawq", F_OK));
	EXPECT_EQ(-1, syscall(__NR_mq_unlink, "rawq"));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(raw, pipe_and_eventfd_calls_reach_ripc)
{
	char path[64], target[64] = "";
	unsigned long long v = 0;
	int fds[2], fd;

	ASSERT_EQ(0, syscall(__NR_pipe, fds));
	EXPECT_GT(ioctl(fds[0], RIPC_PIPE_IOC_GETSZ), 0);
	close(fds[0]);
	close(fds[1]);
	ASSERT_EQ(0, syscall(__NR_pipe2, fds, O_CLOEXEC));
	EXPECT_GT(ioctl(fds[0], RIPC_PIPE_IOC_GETSZ), 0);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fds[1], F_GETFD));
	close(fds[0]);
	close(fds[1]);

	fd = syscall(__NR_eventfd2, 3, EFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ASSERT_LT(0, readlink(path, target, sizeof(target) - 1));
	EXPECT_STREQ("anon_inode:[ripc-notify]", target);
	EXPECT_EQ(8, read(fd, &v, 8));
	EXPECT_EQ(3, v);
	close(fd);
	/* The old eventfd(2) takes no flags. */
	fd = syscall(__NR_eventfd, 1);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

TEST(unrouted_numbers_reach_linux)
{
	int fds[2];

	EXPECT_EQ(getpid(), syscall(__NR_getpid));
	/* A socket pair is no IPC number of ripc's: Linux's own answers. */
	ASSERT_EQ(0, syscall(__NR_socketpair, AF_UNIX, SOCK_STREAM, 0, fds));
	EXPECT_EQ(1, write(fds[0], "x", 1));
	close(fds[0]);
	close(fds[1]);
	/* And a bad number fails as Linux's does. */
	EXPECT_EQ(-1, syscall(100000));
	EXPECT_EQ(ENOSYS, errno);
}

/*
 * A number whose libc name is kept native follows that name's route:
 * ENOSYS, or the real system call with RIPC_PRELOAD_FALLBACK=1.
 */
TEST(kept_native_numbers_follow_their_name)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int id;

		setenv("RIPC_PRELOAD_NATIVE", "msgget", 1);
		unsetenv("RIPC_PRELOAD_FALLBACK");
		if (syscall(__NR_msgget, IPC_PRIVATE, 0600) != -1 || errno != ENOSYS)
			_exit(1);
		setenv("RIPC_PRELOAD_FALLBACK", "1", 1);
		id = syscall(__NR_msgget, IPC_PRIVATE, 0600);
		/* The native queue is in Linux's listing; remove it natively. */
		if (id < 0 || sysvipc_listed("/proc/sysvipc/msg", 0, id) != 1)
			_exit(2);
		setenv("RIPC_PRELOAD_NATIVE", "msgget,msgctl", 1);
		_exit(syscall(__NR_msgctl, id, IPC_RMID, NULL) == 0 ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
