/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests: timeouts, a ripcfs for libripc,
 * waiting for children without timing assertions, and running a function
 * as another user.
 */
#ifndef _RIPC_TEST_UTIL_H
#define _RIPC_TEST_UTIL_H

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/syscall.h>

#define RIPCUSER 1000	/* a user of the guest, and its group */
#define RIPCOTHER 1001	/* another one */

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* CLOCK_REALTIME in ms: an absolute timeout for mq_timedsend() and friends. */
static inline struct timespec in_ms(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (ms % 1000) * 1000000L;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

/* The mount made by mount_ripcfs_for_libripc(), and by which process. */
static const char *ripcfs_program_mount;
static pid_t ripcfs_program_mounter;

/*
 * Mounts a ripcfs on mnt for the whole program (already mounted is fine)
 * and points libripc's named objects (ripc_mq_open() ...) at it. The
 * program's exit unmounts it, so that names left behind (ripcfs is one
 * instance, whose names last while any mount does) do not outlive the
 * program and hold, say, its user's RLIMIT_MSGQUEUE.
 */
static inline void mount_ripcfs_for_libripc(const char *mnt)
{
	mkdir(mnt, 0755);
	if (mount("none", mnt, "ripcfs", 0, NULL) == 0) {
		ripcfs_program_mount = mnt;
		ripcfs_program_mounter = getpid();
	} else if (errno != EBUSY) {
		perror("mount ripcfs");
	}
	setenv("RIPCFS_MOUNT", mnt, 1);
}

/* Forked test cases exit too: only the process that mounted unmounts. */
__attribute__((destructor)) static void unmount_ripcfs_at_exit(void)
{
	if (ripcfs_program_mount && ripcfs_program_mounter == getpid())
		umount2(ripcfs_program_mount, MNT_DETACH);
}

/* A child still running after 200 ms is blocked (this cannot flake). */
/*
 * Whether the listing @path (a /proc/sysvipc/ or ripcfs sysvipc/ file) has
 * a line whose first two numbers are @key, @id; -1 if it cannot be read.
 * Opened with a raw openat, which the preload passes to Linux (it maps
 * open() of /proc/sysvipc/ to ripcfs), so that the listing read may be
 * Linux's own under LD_PRELOAD too.
 */
static inline int sysvipc_listed(const char *path, int key, int id)
{
	char line[512];
	int k, i, found = 0;
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %d", &k, &i) == 2 && k == key && i == id)
			found = 1;
	fclose(f);
	return found;
}

static inline int still_blocked(pid_t pid)
{
	sleep_ms(200);
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* Waits up to 10 s for pid; returns its exit status, or -1 (then kills it). */
static inline int wait_exit(pid_t pid)
{
	int status, i;

	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/*
 * Sends sig to both pids every 20 us until watched exits (at most 100,000
 * rounds); returns watched's exit status as wait_exit() does, then adds
 * 10 times other's.
 */
static inline int signal_both_until_exit(pid_t watched, pid_t other, int sig)
{
	int status, i;

	for (i = 0; i < 100000; i++) {
		if (waitpid(watched, &status, WNOHANG) == watched)
			break;
		kill(watched, sig);
		kill(other, sig);
		usleep(20);
	}
	if (i < 100000)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	else
		status = wait_exit(watched);
	return status + 10 * wait_exit(other);
}

/* Runs fn(arg) as uid and gid `id` in a child; returns its exit status. */
static inline int as_user(int id, int (*fn)(const void *), const void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(id) || setuid(id))
			_exit(200);
		_exit(fn(arg));
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 300;
}

/* The line @field (say "Shmem") of /proc/meminfo, in KiB; -1 if none. */
static inline long meminfo_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':' &&
		    sscanf(line + len + 1, " %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Shmem of /proc/meminfo, in KiB; -1 if unreadable. */
static inline long meminfo_shmem(void)
{
	return meminfo_kb("Shmem");
}

#endif
