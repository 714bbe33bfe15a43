// SPDX-License-Identifier: GPL-2.0
/*
 * The classic pipe between a parent and its child (the seed document's
 * pipe section): the parent writes, the child reads until end of file.
 *
 *   ripc_pipe(fd)            fd[0]: read end, fd[1]: write end
 *   fork()                   the child inherits both ends
 *   parent: close(fd[0])     keeps only the write end
 *   child:  close(fd[1])     keeps only the read end; EOF comes once the
 *                            parent's write end is closed
 *
 * A second pipe carries the child's answer back: pipes are one-way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ripc.h"

static const char *const lines[] = {
	"hello from the parent\n",
	"pipes are one-way byte streams\n",
	"closing the write end means end of file\n",
};

static int child(int rfd, int reply)
{
	char buf[256];
	size_t total = 0;
	ssize_t n;

	while ((n = read(rfd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		printf("  child: read %zd bytes: %s", n, buf);
		total += n;
	}
	if (n < 0) {
		perror("child: read");
		return 1;
	}
	printf("  child: end of file after %zu bytes\n", total);
	n = snprintf(buf, sizeof(buf), "child got %zu bytes", total);
	return write(reply, buf, n) == n ? 0 : 1;
}

int main(void)
{
	int down[2], up[2], status;
	char answer[64] = { 0 };
	size_t i;
	pid_t pid;

	if (ripc_pipe(down) || ripc_pipe(up)) {
		fprintf(stderr, "ripc_pipe: %s (is ripc loaded?)\n", strerror(errno));
		return 1;
	}
	printf("pipe: fd[0]=%d (read end), fd[1]=%d (write end), capacity %d bytes\n",
	       down[0], down[1], ripc_pipe_get_size(down[0]));
	fflush(stdout);

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		_exit(child(down[0], up[1]));
	}

	close(down[0]);
	close(up[1]);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		printf("  parent: writing %s", lines[i]);
		fflush(stdout);
		if (write(down[1], lines[i], strlen(lines[i])) < 0) {
			perror("parent: write");
			return 1;
		}
		usleep(50 * 1000);
	}
	close(down[1]);
	if (read(up[0], answer, sizeof(answer) - 1) < 0) {
		perror("parent: read");
		return 1;
	}
	printf("  parent: the child answered \"%s\"\n", answer);
	close(up[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
