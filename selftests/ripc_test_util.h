/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the C selftests. Include after kselftest_harness.h.
 */
#ifndef _RIPC_TEST_UTIL_H
#define _RIPC_TEST_UTIL_H

#include <grp.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Runs fn(arg) in a child as user and group `id` (1000: ripcuser, 1001:
 * ripcother) and returns its exit status (200: could not switch, 300: did
 * not exit normally).
 */
static inline int as_user(int id, int (*fn)(void *), void *arg)
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

#endif
