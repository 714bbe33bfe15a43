/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests: waiting for children without timing
 * assertions, and running a function as another user.
 */
#ifndef _RIPC_TEST_UTIL_H
#define _RIPC_TEST_UTIL_H

#include <grp.h>
#include <stdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RIPCUSER 1000	/* a user of the guest, and its group */
#define RIPCOTHER 1001	/* another one */

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A child still running after 200 ms is blocked (this cannot flake). */
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

/* Shmem of /proc/meminfo, in KiB; -1 if unreadable. */
static inline long meminfo_shmem(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Shmem: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

#endif
