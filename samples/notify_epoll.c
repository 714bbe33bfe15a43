// SPDX-License-Identifier: GPL-2.0
/*
 * A producer and a consumer that talk through a ripc notifier, the way
 * programs use eventfd: the producer posts work counts, the consumer
 * sleeps in epoll_wait() and collects them.
 *
 * With ripcfs mounted on /mnt/ripc, a second round does the same through a
 * named notifier (/mnt/ripc/notify/sample) opened by both sides by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ripc.h"

#define BATCHES 5

static int consume(int fd, uint64_t expected)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	uint64_t total = 0, value;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		perror("epoll");
		return 1;
	}
	while (total < expected) {
		if (epoll_wait(ep, &ev, 1, 10000) != 1) {
			fprintf(stderr, "consumer: no event within 10 s\n");
			return 1;
		}
		/* Edge-triggered: drain until EAGAIN. */
		while (ripc_eventfd_read(fd, &value) == 0) {
			total += value;
			printf("  consumer: woke up, took %llu (total %llu of %llu)\n",
			       (unsigned long long)value, (unsigned long long)total,
			       (unsigned long long)expected);
		}
		if (errno != EAGAIN) {
			perror("read");
			return 1;
		}
	}
	close(ep);
	return 0;
}

static int produce(int fd)
{
	int i;

	for (i = 1; i <= BATCHES; i++) {
		usleep(100 * 1000);
		printf("  producer: posting %d\n", i);
		fflush(stdout);
		if (ripc_eventfd_write(fd, i)) {
			perror("write");
			return 1;
		}
	}
	return 0;
}

/* Forks a producer (on producer_fd() if given, else on fd); consumes on fd. */
static int round_trip(int fd, int (*producer_fd)(void))
{
	uint64_t expected = BATCHES * (BATCHES + 1) / 2;
	int status, ret;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int pfd = producer_fd ? producer_fd() : fd;

		_exit(pfd < 0 ? 1 : produce(pfd));
	}
	ret = consume(fd, expected);
	waitpid(pid, &status, 0);
	return ret || !WIFEXITED(status) || WEXITSTATUS(status);
}

#define NAMED "/mnt/ripc/notify/sample"

static int open_named(void)
{
	return open(NAMED, O_RDWR);
}

int main(void)
{
	int fd, ret;

	printf("notifier: anonymous, created with ripc_eventfd(0, RIPC_EFD_NONBLOCK)\n");
	fd = ripc_eventfd(0, RIPC_EFD_NONBLOCK | RIPC_EFD_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ripc_eventfd: %s (is ripc loaded?)\n", strerror(errno));
		return 1;
	}
	ret = round_trip(fd, NULL);
	close(fd);
	if (ret)
		return ret;

	fd = open(NAMED, O_CREAT | O_RDWR | O_NONBLOCK, 0600);
	if (fd < 0) {
		printf("notifier: %s not available (%s), skipping the named round\n", NAMED,
		       strerror(errno));
		return 0;
	}
	printf("notifier: named, %s, opened by name in the producer\n", NAMED);
	ret = round_trip(fd, open_named);
	close(fd);
	unlink(NAMED);
	printf("notifier: done\n");
	return ret;
}
