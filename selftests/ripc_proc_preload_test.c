// SPDX-License-Identifier: GPL-2.0
/*
 * libripc-preload.so maps the /proc files of the IPC mechanisms
 * (/proc/sysvipc/{msg,sem,shm}, the ipc and mqueue sysctls of
 * /proc/sys/kernel and /proc/sys/fs/mqueue, the pipe ones of /proc/sys/fs)
 * to ripcfs, whichever of open, open64, openat, openat64, __open_2, fopen
 * and fopen64 opens them; every other path reaches Linux. So Debian's
 * ipcs, ipcrm and sysctl, run under the preload, show and change ripc's
 * objects and limits: ipcs prints ripc's objects as it prints the same
 * objects made on Linux, byte for byte.
 *
 * Run with LD_PRELOAD (scripts/guest/run-tests.sh does so for
 * *_preload_test). The raw syscall() opens below bypass the preload, to
 * see what really is in ripcfs and in Linux's /proc.
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define MNT "/tmp/ripc-proc-mnt"
#define IPCS "/usr/bin/ipcs"
#define IPCRM "/usr/bin/ipcrm"
#define SYSCTL "/usr/sbin/sysctl"

/* The objects both sides of the ipcs comparison make. */
#define KEY_MSG 0x52505131
#define KEY_SEM 0x52505132
#define KEY_SHM 0x52505133

/* What _FORTIFY_SOURCE builds call; interposed by the preload too. */
int __open_2(const char *path, int flags);

extern char **environ;

/* Reads `path` with raw syscalls, past the preload; length or -errno. */
static int raw_read(const char *path, char *buf, size_t size)
{
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	long n;

	if (fd < 0)
		return -errno;
	n = syscall(SYS_read, fd, buf, size - 1);
	syscall(SYS_close, fd);
	buf[n < 0 ? 0 : n] = '\0';
	return n < 0 ? -EIO : (int)n;
}

/* Reads the file open as `fd` and closes it; length or -errno. */
static int read_fd(int fd, char *buf, size_t size)
{
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return n < 0 ? -errno : (int)n;
}

/* Reads `f` to its end and closes it; length or -1. */
static int read_file(FILE *f, char *buf, size_t size)
{
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/*
 * Runs `argv` with environment `envp`, its stdout into `out`; its exit
 * status, or -1.
 */
static int run(char *const argv[], char *const envp[], char *out, size_t size)
{
	int pipefd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < size - 1 && (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Waits for `pid`: its exit status, or -1 if it did not exit. */
static int wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Into new IPC and mount namespaces, with the new namespace's ripcfs on
 * MNT for the preload (RIPCFS_MOUNT); 0 on success.
 */
static int own_namespace(void)
{
	if (unshare(CLONE_NEWIPC | CLONE_NEWNS))
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	if (mount("none", MNT, "ripcfs", 0, NULL))
		return -1;
	return setenv("RIPCFS_MOUNT", MNT, 1);
}

/* The same three objects, made by whatever msgget() and friends reach. */
static int make_objects(void)
{
	struct { long type; char text[10]; } m = { 1, "123456789" };
	int id;

	id = msgget(KEY_MSG, IPC_CREAT | 0640);
	if (id < 0 || msgsnd(id, &m, sizeof(m.text), 0))
		return -1;
	if (semget(KEY_SEM, 3, IPC_CREAT | 0600) < 0)
		return -1;
	if (shmget(KEY_SHM, 8192, IPC_CREAT | 0660) < 0)
		return -1;
	return 0;
}

/*
 * Started again without the preload (RIPC_PROC_NATIVE set): makes the
 * objects on Linux, in a new IPC namespace, and becomes ipcs -a.
 */
__attribute__((constructor)) static void native_ipcs(void)
{
	char *argv[] = { IPCS, "-a", NULL };

	if (!getenv("RIPC_PROC_NATIVE"))
		return;
	if (unshare(CLONE_NEWIPC) || make_objects())
		_exit(101);
	unsetenv("RIPC_PROC_NATIVE");
	execve(IPCS, argv, environ);
	_exit(127);
}

/* The environment without LD_PRELOAD, plus `extra`. */
static char **env_without_preload(char *extra)
{
	static char *env[256];
	size_t i, n = 0;

	for (i = 0; environ[i] && n < 254; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11))
			env[n++] = environ[i];
	env[n++] = extra;
	env[n] = NULL;
	return env;
}

FIXTURE(proc) {
	int mounted;
};

FIXTURE_SETUP(proc)
{
	ASSERT_NE(NULL, getenv("LD_PRELOAD")) TH_LOG("run me with LD_PRELOAD=libripc-preload.so");
	mkdir(MNT, 0755);
	self->mounted = mount("none", MNT, "ripcfs", 0, NULL) == 0;
	ASSERT_TRUE(self->mounted) TH_LOG("mount ripcfs: %s", strerror(errno));
	setenv("RIPCFS_MOUNT", MNT, 1);
}

FIXTURE_TEARDOWN(proc)
{
	if (self->mounted)
		umount(MNT);
}

/* Each mapped /proc file and its place in ripcfs. */
static const struct {
	const char *proc, *ripcfs;
	/* A value to write, different from the initial one; NULL: read-only. */
	const char *write;
} files[] = {
	{ "/proc/sysvipc/msg", MNT "/sysvipc/msg", NULL },
	{ "/proc/sysvipc/sem", MNT "/sysvipc/sem", NULL },
	{ "/proc/sysvipc/shm", MNT "/sysvipc/shm", NULL },
	{ "/proc/sys/kernel/msgmax", MNT "/sys/kernel/msgmax", "4321\n" },
	{ "/proc/sys/kernel/msgmni", MNT "/sys/kernel/msgmni", "77\n" },
	{ "/proc/sys/kernel/msgmnb", MNT "/sys/kernel/msgmnb", "9999\n" },
	{ "/proc/sys/kernel/sem", MNT "/sys/kernel/sem", "250\t32000\t32\t128\n" },
	{ "/proc/sys/kernel/shmmax", MNT "/sys/kernel/shmmax", "33554432\n" },
	{ "/proc/sys/kernel/shmall", MNT "/sys/kernel/shmall", "2097152\n" },
	{ "/proc/sys/kernel/shmmni", MNT "/sys/kernel/shmmni", "100\n" },
	{ "/proc/sys/kernel/shm_rmid_forced", MNT "/sys/kernel/shm_rmid_forced", "1\n" },
	{ "/proc/sys/kernel/msg_next_id", MNT "/sys/kernel/msg_next_id", "12\n" },
	{ "/proc/sys/kernel/sem_next_id", MNT "/sys/kernel/sem_next_id", "13\n" },
	{ "/proc/sys/kernel/shm_next_id", MNT "/sys/kernel/shm_next_id", "14\n" },
	{ "/proc/sys/fs/mqueue/queues_max", MNT "/sys/fs/mqueue/queues_max", "17\n" },
	{ "/proc/sys/fs/mqueue/msg_max", MNT "/sys/fs/mqueue/msg_max", "18\n" },
	{ "/proc/sys/fs/mqueue/msgsize_max", MNT "/sys/fs/mqueue/msgsize_max", "1900\n" },
	{ "/proc/sys/fs/mqueue/msg_default", MNT "/sys/fs/mqueue/msg_default", "5\n" },
	{ "/proc/sys/fs/mqueue/msgsize_default", MNT "/sys/fs/mqueue/msgsize_default", "700\n" },
	{ "/proc/sys/fs/pipe-max-size", MNT "/sys/fs/pipe-max-size", NULL },
	{ "/proc/sys/fs/pipe-user-pages-soft", MNT "/sys/fs/pipe-user-pages-soft", NULL },
	{ "/proc/sys/fs/pipe-user-pages-hard", MNT "/sys/fs/pipe-user-pages-hard", NULL },
};

#define NR_FILES (sizeof(files) / sizeof(files[0]))

/*
 * Every mapped path, opened each way, reads ripcfs's file; a write
 * through it lands in ripcfs (of the caller's own namespace) and not in
 * Linux's file.
 */
TEST_F(proc, each_path_reads_and_writes_ripcfs)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char want[4096], got[4096], linux_before[4096], linux_after[4096];
		int failed = 0, fd;
		size_t i, way;
		FILE *f;

		if (own_namespace())
			_exit(100);
		for (i = 0; i < NR_FILES; i++) {
			if (raw_read(files[i].ripcfs, want, sizeof(want)) <= 0) {
				fprintf(stderr, "# %s: cannot read\n", files[i].ripcfs);
				failed = 1;
				continue;
			}
			for (way = 0; way < 7; way++) {
				int n = -1;

				switch (way) {
				case 0: n = read_fd(open(files[i].proc, O_RDONLY), got, sizeof(got)); break;
				case 1: n = read_fd(open64(files[i].proc, O_RDONLY), got, sizeof(got)); break;
				case 2: n = read_fd(openat(AT_FDCWD, files[i].proc, O_RDONLY), got, sizeof(got)); break;
				case 3: n = read_fd(openat64(AT_FDCWD, files[i].proc, O_RDONLY), got, sizeof(got)); break;
				case 4: n = read_fd(__open_2(files[i].proc, O_RDONLY), got, sizeof(got)); break;
				case 5: n = read_file(fopen(files[i].proc, "r"), got, sizeof(got)); break;
				case 6: n = read_file(fopen64(files[i].proc, "re"), got, sizeof(got)); break;
				}
				if (n <= 0 || strcmp(want, got)) {
					fprintf(stderr, "# %s, way %zu: %d \"%s\"\n", files[i].proc, way, n, got);
					failed = 1;
				}
			}
			if (!files[i].write)
				continue;
			raw_read(files[i].proc, linux_before, sizeof(linux_before));
			/* Alternately with open() and with stdio, as sysctl writes. */
			if (i % 2) {
				fd = open(files[i].proc, O_WRONLY);
				if (fd < 0 || write(fd, files[i].write, strlen(files[i].write)) < 0)
					failed = 1;
				if (fd >= 0)
					close(fd);
			} else {
				f = fopen(files[i].proc, "w");
				if (!f || fputs(files[i].write, f) < 0 || fclose(f))
					failed = 1;
			}
			raw_read(files[i].ripcfs, got, sizeof(got));
			raw_read(files[i].proc, linux_after, sizeof(linux_after));
			if (strcmp(got, files[i].write) || strcmp(linux_before, linux_after)) {
				fprintf(stderr, "# %s: wrote \"%s\", ripcfs \"%s\", Linux \"%s\" then \"%s\"\n",
					files[i].proc, files[i].write, got, linux_before, linux_after);
				failed = 1;
			}
		}
		_exit(failed);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

/* A SysV object made through the preload is listed in /proc/sysvipc/ there. */
TEST_F(proc, sysvipc_lists_ripc_objects)
{
	char text[4096], line[64];
	int id;

	id = msgget(IPC_PRIVATE, 0600);
	ASSERT_GE(id, 0);
	snprintf(line, sizeof(line), "%10d %10d  ", 0, id);
	ASSERT_LT(0, read_file(fopen("/proc/sysvipc/msg", "r"), text, sizeof(text)));
	EXPECT_NE(NULL, strstr(text, line)) TH_LOG("%s", text);
	/* Linux's own listing does not have it (raw open, past the preload). */
	ASSERT_LT(0, raw_read("/proc/sysvipc/msg", text, sizeof(text)));
	EXPECT_EQ(NULL, strstr(text, line));
	EXPECT_EQ(0, msgctl(id, IPC_RMID, NULL));
}

/* Paths the preload does not map, however close, reach Linux. */
TEST_F(proc, other_paths_reach_linux)
{
	char buf[256];

	ASSERT_LT(0, read_fd(open("/proc/sys/kernel/ostype", O_RDONLY), buf, sizeof(buf)));
	EXPECT_STREQ("Linux\n", buf);
	EXPECT_LT(0, read_file(fopen("/proc/sys/fs/file-max", "r"), buf, sizeof(buf)));
	EXPECT_LT(0, read_fd(openat(AT_FDCWD, "/proc/sys/kernel/auto_msgmni", O_RDONLY), buf,
			     sizeof(buf)));
	EXPECT_EQ(-ENOENT, read_fd(open("/proc/sysvipc/msgx", O_RDONLY), buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, read_fd(open("/proc/sys/fs/mqueue/nothing", O_RDONLY), buf, sizeof(buf)));
	/* A relative path is not mapped. */
	ASSERT_EQ(0, chdir("/proc/sys/kernel"));
	EXPECT_LT(0, read_fd(open("msgmax", O_RDONLY), buf, sizeof(buf)));
	EXPECT_EQ(0, chdir("/tmp"));
	raw_read("/proc/sys/kernel/msgmax", buf + 128, 128);
	EXPECT_STREQ(buf + 128, buf);
	/* O_CREAT in an ordinary directory still works through open(). */
	EXPECT_LE(0, read_fd(open("/tmp/ripc-proc-plain", O_CREAT | O_RDWR, 0600), buf,
			     sizeof(buf)));
	EXPECT_EQ(0, unlink("/tmp/ripc-proc-plain"));
}

/*
 * ipcs -a under the preload lists ripc's queue, array and segment as
 * ipcs without it lists the same objects made on Linux: the same text.
 */
TEST_F(proc, ipcs_lists_ripc_objects_as_linux)
{
	char ripc[4096], linux_text[4096];
	char *argv[] = { IPCS, "-a", NULL };
	char *self_argv[] = { "/proc/self/exe", NULL };
	int pipefd[2];
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	if (access(IPCS, X_OK))
		SKIP(return, IPCS " is not in the guest");
	ASSERT_EQ(0, run(self_argv, env_without_preload("RIPC_PROC_NATIVE=1"), linux_text,
			 sizeof(linux_text)));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(pipefd[0]);
		if (own_namespace() || make_objects())
			_exit(100);
		dup2(pipefd[1], STDOUT_FILENO);
		execve(IPCS, argv, environ);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], ripc + len, sizeof(ripc) - 1 - len)) > 0)
		len += n;
	ripc[len] = '\0';
	close(pipefd[0]);
	ASSERT_EQ(0, wait_exit(pid));
	EXPECT_STREQ(linux_text, ripc);
	/* And it is ripc's: the queue line is there. */
	EXPECT_NE(NULL, strstr(ripc, "0x52505131")) TH_LOG("%s", ripc);
}

/* ipcrm -q removes a ripc queue. */
TEST_F(proc, ipcrm_removes_a_ripc_queue)
{
	char id_text[16], out[256];
	char *argv[] = { IPCRM, "-q", id_text, NULL };
	struct msqid_ds ds;
	int id;

	if (access(IPCRM, X_OK))
		SKIP(return, IPCRM " is not in the guest");
	id = msgget(IPC_PRIVATE, 0600);
	ASSERT_GE(id, 0);
	snprintf(id_text, sizeof(id_text), "%d", id);
	EXPECT_EQ(0, run(argv, environ, out, sizeof(out)));
	EXPECT_EQ(-1, msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * sysctl -w kernel.msgmax=100 under the preload sets ripc's limit in the
 * caller's namespace, which msgsnd then keeps; sysctl -n prints ripc's
 * kernel.sem as Linux's format has it.
 */
TEST_F(proc, sysctl_sets_ripc_limits)
{
	if (access(SYSCTL, X_OK))
		SKIP(return, SYSCTL " is not in the guest");
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct { long type; char text[200]; } m = { .type = 1 };
		char *set[] = { SYSCTL, "-w", "kernel.msgmax=100", NULL };
		char *get[] = { SYSCTL, "-n", "kernel.sem", NULL };
		char out[256], want[256], linux_max[64];
		int id;

		if (own_namespace())
			_exit(100);
		if (run(set, environ, out, sizeof(out)) != 0)
			_exit(1);
		id = msgget(IPC_PRIVATE, 0600);
		if (id < 0)
			_exit(2);
		if (msgsnd(id, &m, 101, IPC_NOWAIT) != -1 || errno != EINVAL)
			_exit(3);
		if (msgsnd(id, &m, 100, IPC_NOWAIT))
			_exit(4);
		/* Linux's own kernel.msgmax of this namespace is untouched. */
		if (raw_read("/proc/sys/kernel/msgmax", linux_max, sizeof(linux_max)) <= 0 ||
		    strcmp(linux_max, "8192\n"))
			_exit(5);
		if (run(get, environ, out, sizeof(out)) != 0)
			_exit(6);
		if (raw_read(MNT "/sys/kernel/sem", want, sizeof(want)) <= 0 || strcmp(out, want))
			_exit(7);
		_exit(0);
	}
	EXPECT_EQ(0, wait_exit(pid));
}

TEST_HARNESS_MAIN
