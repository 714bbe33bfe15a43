// SPDX-License-Identifier: GPL-2.0
/*
 * The module itself: load and unload, /dev/ripc, ripcfs, and the rule that
 * the module cannot go away while anything of it is in use.
 *
 * Runs as root in the guest. RIPC_KO names the module file (default
 * /ripc/ripc.ko). Leaves the module loaded when it ends.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"

#define MNT "/tmp/ripc-module-test-mnt"

static const char *ko_path(void)
{
	const char *p = getenv("RIPC_KO");

	return p ? p : "/ripc/ripc.ko";
}

static int is_loaded(void)
{
	return access("/sys/module/ripc", F_OK) == 0;
}

static int load_with(const char *params)
{
	int fd = open(ko_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

static int load(void)
{
	return load_with("");
}

static int unload(void)
{
	return syscall(SYS_delete_module, "ripc", O_NONBLOCK);
}

static int refcnt(void)
{
	FILE *f = fopen("/sys/module/ripc/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static void ensure_loaded(struct __test_metadata *_metadata)
{
	if (!is_loaded())
		ASSERT_EQ(0, load()) TH_LOG("finit_module(%s): %s", ko_path(), strerror(errno));
}

static int fs_registered(void)
{
	char line[256];
	FILE *f = fopen("/proc/filesystems", "r");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "\tripcfs\n"))
			found = 1;
	fclose(f);
	return found;
}

TEST(load_and_unload)
{
	struct stat st;

	if (is_loaded())
		ASSERT_EQ(0, unload()) TH_LOG("delete_module: %s", strerror(errno));
	ASSERT_NE(0, access("/dev/ripc", F_OK));
	ASSERT_FALSE(fs_registered());

	ASSERT_EQ(0, load()) TH_LOG("finit_module: %s", strerror(errno));
	ASSERT_EQ(0, stat("/dev/ripc", &st)) TH_LOG("stat /dev/ripc: %s", strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	/* Access control is per object: everyone may open the device. */
	EXPECT_EQ(0666, st.st_mode & 07777);
	EXPECT_TRUE(fs_registered());
	EXPECT_EQ(0, refcnt());

	/* A second load of the same module is refused. */
	EXPECT_EQ(-1, load());
	EXPECT_EQ(EEXIST, errno);

	ASSERT_EQ(0, unload());
	EXPECT_NE(0, access("/dev/ripc", F_OK));
	EXPECT_FALSE(fs_registered());
	ASSERT_EQ(0, load());
}

/*
 * The kernel refuses to unload a module whose reference count is not zero
 * with EWOULDBLOCK (kernel/module/main.c, try_stop_module()); rmmod prints
 * "Module ripc is in use".
 */
TEST(unload_refused_while_device_open)
{
	int fd;

	ensure_loaded(_metadata);
	fd = open("/dev/ripc", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, refcnt());
	EXPECT_EQ(-1, unload());
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(is_loaded());
	close(fd);
	EXPECT_EQ(0, refcnt());
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load());
}

TEST(unload_refused_while_ripcfs_mounted)
{
	ensure_loaded(_metadata);
	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL)) TH_LOG("mount: %s", strerror(errno));
	EXPECT_EQ(-1, unload());
	EXPECT_EQ(EWOULDBLOCK, errno);
	ASSERT_EQ(0, umount(MNT));
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load());
}

/*
 * Any object file or mapping pins the module, not only /dev/ripc: a child
 * keeps one thing (its other descriptors closed) and stops; unloading fails
 * until the child is gone.
 */
static pid_t keep_only(int what)
{
	int ready[2], fd, keep = -1;
	pid_t pid;
	char c;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid != 0) {
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			pid = -1;
		}
		close(ready[0]);
		return pid;
	}
	if (what == 0) {
		keep = ripc_eventfd(1, 0);
	} else {
		int id = ripc_shmget(IPC_PRIVATE, 4096, 0600);
		char *p = ripc_shmat(id, NULL, 0);

		if (id < 0 || p == (void *)-1)
			_exit(1);
		p[0] = 1;
		ripc_shmctl(id, IPC_RMID, NULL);
	}
	/* Close everything else, /dev/ripc included. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != keep && fd != ready[1])
			close(fd);
	if (write(ready[1], "x", 1) != 1)
		_exit(2);
	close(ready[1]);
	pause();
	_exit(0);
}

TEST(unload_refused_while_object_file_or_mapping_alive)
{
	int what;

	for (what = 0; what < 2; what++) {
		pid_t pid;

		ensure_loaded(_metadata);
		pid = keep_only(what);
		ASSERT_LT(0, pid);
		EXPECT_EQ(-1, unload()) TH_LOG("%s", what ? "mapping" : "notifier file");
		EXPECT_EQ(EWOULDBLOCK, errno);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		ASSERT_EQ(0, unload()) TH_LOG("delete_module: %s", strerror(errno));
		ASSERT_EQ(0, load());
	}
}

TEST(load_unload_50_times)
{
	int i;

	if (is_loaded())
		ASSERT_EQ(0, unload());
	for (i = 0; i < 50; i++) {
		int fd;

		ASSERT_EQ(0, load()) TH_LOG("round %d: finit_module: %s", i, strerror(errno));
		/* Use it a little each time, so a leak per use would add up. */
		fd = open("/dev/ripc", O_RDWR);
		ASSERT_LE(0, fd);
		close(fd);
		ASSERT_EQ(0, unload()) TH_LOG("round %d: delete_module: %s", i, strerror(errno));
	}
	ASSERT_EQ(0, load());
}

/* Leaves one object of every kind alive, in two IPC namespaces; 0 if all went. */
static int leave_objects(int round)
{
	struct { long mtype; char mtext[32]; } msg = { .mtype = 1 };
	struct sembuf up = { .sem_num = 0, .sem_op = 1, .sem_flg = SEM_UNDO };
	int pipefd[2], efd, msqid, semid, shmid, i;
	char *p;

	for (i = 0; i < 2; i++) {
		if (i == 1 && unshare(CLONE_NEWIPC))
			return 1;
		msqid = ripc_msgget(IPC_PRIVATE, 0600);
		if (msqid < 0 || ripc_msgsnd(msqid, &msg, sizeof(msg.mtext), 0))
			return 2;
		semid = ripc_semget(IPC_PRIVATE, 3, 0600);
		if (semid < 0 || ripc_semop(semid, &up, 1))
			return 3;
		shmid = ripc_shmget(IPC_PRIVATE, 1 << 20, 0600);
		p = ripc_shmat(shmid, NULL, 0);
		if (shmid < 0 || p == (void *)-1)
			return 4;
		memset(p, round, 1 << 20);
		/* Every other round, the segment stays attached until exit. */
		if (round % 2 && ripc_shmdt(p))
			return 5;
	}
	efd = ripc_eventfd(round, 0);
	if (efd < 0 || ripc_pipe(pipefd) || write(pipefd[1], "x", 1) != 1)
		return 6;
	mkdir(MNT, 0755);
	if (mount("none", MNT, "ripcfs", 0, NULL))
		return 7;
	close(open(MNT "/notify/left", O_CREAT | O_RDWR, 0600));
	close(open(MNT "/shm/left", O_CREAT | O_RDWR, 0600));
	if (umount(MNT))
		return 8;
	return 0;
}

/*
 * SysV objects outlive their creators but not the module: 100 rounds of
 * leaving objects of every kind behind (in the initial and in a new IPC
 * namespace), then unloading and loading again, leak nothing (kmemleak
 * and KASAN on the debug kernel).
 */
FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

TEST_F_TIMEOUT(slow, unload_with_objects_left_100_times, 600)
{
	int i;

	ensure_loaded(_metadata);
	for (i = 0; i < 100; i++) {
		pid_t pid = fork();
		int status;

		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(leave_objects(i));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("round %d", i);
		ASSERT_EQ(0, unload()) TH_LOG("round %d: delete_module: %s", i, strerror(errno));
		ASSERT_EQ(0, load()) TH_LOG("round %d: finit_module: %s", i, strerror(errno));
	}
}

static long param(const char *name)
{
	char path[256];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/ripc/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &value) != 1)
		value = -1;
	fclose(f);
	return value;
}

/* Limits are module parameters: given at load time, shown in sysfs. */
TEST(load_time_parameters)
{
	if (is_loaded())
		ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load_with("msgmni=7 semopm=3 pipe_max_size=65536"))
		TH_LOG("finit_module: %s", strerror(errno));
	EXPECT_EQ(7, param("msgmni"));
	EXPECT_EQ(3, param("semopm"));
	EXPECT_EQ(65536, param("pipe_max_size"));
	EXPECT_EQ(4096, param("shmmni"));
	ASSERT_EQ(0, unload());
	/* Out of range: the load fails. */
	EXPECT_EQ(-1, load_with("msgmni=40000"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_FALSE(is_loaded());
	ASSERT_EQ(0, load());
	EXPECT_EQ(32000, param("msgmni"));
}

TEST(ripcfs_mount_layout)
{
	static const struct {
		const char *name;
		int mode;
	} dirs[] = {
		{ "notify", 01777 }, { "pipe", 01777 }, { "mq", 01777 }, { "shm", 01777 },
		{ "sysvipc", 0755 },
	};
	struct statfs sfs;
	struct stat st;
	char path[256];
	size_t i;

	ensure_loaded(_metadata);
	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL));
	ASSERT_EQ(0, statfs(MNT, &sfs));
	EXPECT_EQ(RIPCFS_MAGIC, (unsigned long)sfs.f_type);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), MNT "/%s", dirs[i].name);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s: %s", path, strerror(errno));
		EXPECT_TRUE(S_ISDIR(st.st_mode));
		EXPECT_EQ(dirs[i].mode, st.st_mode & 07777);
		EXPECT_EQ(0, st.st_uid);
	}
	/* chmod and chown are honoured and shown. */
	ASSERT_EQ(0, chmod(MNT "/notify", 0750));
	ASSERT_EQ(0, chown(MNT "/notify", 1000, 1000));
	ASSERT_EQ(0, stat(MNT "/notify", &st));
	EXPECT_EQ(0750, st.st_mode & 07777);
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1000, st.st_gid);

	/* Every mount shows the same instance. */
	mkdir(MNT "2", 0755);
	ASSERT_EQ(0, mount("none", MNT "2", "ripcfs", 0, NULL));
	ASSERT_EQ(0, stat(MNT "2/notify", &st));
	EXPECT_EQ(0750, st.st_mode & 07777);
	ASSERT_EQ(0, umount(MNT "2"));

	/* Directories of kinds are fixed: no mkdir, no rmdir. */
	EXPECT_EQ(-1, mkdir(MNT "/extra", 0755));
	EXPECT_EQ(-1, rmdir(MNT "/notify"));

	ASSERT_EQ(0, umount(MNT));
	/* A fresh mount starts from the default layout. */
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL));
	ASSERT_EQ(0, stat(MNT "/notify", &st));
	EXPECT_EQ(01777, st.st_mode & 07777);
	ASSERT_EQ(0, umount(MNT));
}

TEST(unprivileged_user_opens_device)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ripc_version v;

		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(2);
		if (ripc_version(&v))
			_exit(10 + errno);
		if (v.abi != RIPC_ABI_VERSION)
			_exit(3);
		/* Mounting needs CAP_SYS_ADMIN. */
		if (mount("none", MNT, "ripcfs", 0, NULL) == 0 || errno != EPERM)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(unknown_ioctl_is_enotty)
{
	int fd = open("/dev/ripc", O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(RIPC_IOC_MAGIC, 0xff), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOW('x', 1, int), 0));
	EXPECT_EQ(ENOTTY, errno);
	/* Right number, wrong size or direction: not ours either. */
	EXPECT_EQ(-1, ioctl(fd, _IOW(RIPC_IOC_MAGIC, 0x00, struct ripc_version), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(version_ioctl)
{
	struct ripc_version v = { 0 };
	int fd = open("/dev/ripc", O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, RIPC_IOC_VERSION, &v));
	EXPECT_EQ(RIPC_ABI_VERSION, v.abi);
	EXPECT_EQ(-1, ioctl(fd, RIPC_IOC_VERSION, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST_HARNESS_MAIN
