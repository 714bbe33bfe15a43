// SPDX-License-Identifier: GPL-2.0
/*
 * Two unrelated processes talking through a named FIFO in ripcfs.
 *
 * The program makes /mnt/ripc/pipe/sample with mkfifo(), then starts
 * itself twice through execv(), as "reader" and as "writer". The two new
 * programs share nothing but the name: each opens the FIFO by path. The
 * writer's open blocks until the reader has opened it (and the other way
 * round), as FIFO opens do; the reader sees end of file once the writer
 * closes. Finally the name is removed with unlink().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIFO "/mnt/ripc/pipe/sample"

static int reader(void)
{
	char buf[128];
	ssize_t n;
	int fd;

	printf("  reader (pid %d): opening %s for reading\n", getpid(), FIFO);
	fflush(stdout);
	fd = open(FIFO, O_RDONLY);
	if (fd < 0) {
		perror("reader: open");
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		printf("  reader: got \"%s\"\n", buf);
		fflush(stdout);
	}
	printf("  reader: end of file, the writer closed\n");
	close(fd);
	return n < 0;
}

static int writer(void)
{
	static const char *const msgs[] = { "ping", "through a name", "bye" };
	size_t i;
	int fd;

	printf("  writer (pid %d): opening %s for writing\n", getpid(), FIFO);
	fflush(stdout);
	fd = open(FIFO, O_WRONLY);
	if (fd < 0) {
		perror("writer: open");
		return 1;
	}
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		if (write(fd, msgs[i], strlen(msgs[i])) < 0) {
			perror("writer: write");
			return 1;
		}
		usleep(100 * 1000);
	}
	close(fd);
	return 0;
}

static pid_t spawn(const char *self, const char *role)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { (char *)self, (char *)role, NULL };

		execv("/proc/self/exe", argv);
		perror("execv");
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	int status, ret = 0;
	pid_t r, w;

	if (argc > 1 && !strcmp(argv[1], "reader"))
		return reader();
	if (argc > 1 && !strcmp(argv[1], "writer"))
		return writer();

	unlink(FIFO);
	if (mkfifo(FIFO, 0666)) {
		printf("fifo: cannot make %s (%s): is ripcfs mounted on /mnt/ripc?\n", FIFO,
		       strerror(errno));
		return 0;
	}
	printf("fifo: made %s; starting a writer, then a reader\n", FIFO);
	fflush(stdout);
	w = spawn(argv[0], "writer");
	usleep(200 * 1000);
	r = spawn(argv[0], "reader");
	if (w < 0 || r < 0)
		return 1;
	waitpid(w, &status, 0);
	ret |= !WIFEXITED(status) || WEXITSTATUS(status);
	waitpid(r, &status, 0);
	ret |= !WIFEXITED(status) || WEXITSTATUS(status);
	unlink(FIFO);
	printf("fifo: removed the name; %s\n", ret ? "FAILED" : "done");
	return ret;
}
