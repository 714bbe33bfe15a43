// SPDX-License-Identifier: GPL-2.0
/*
 * A POSIX message queue on ripc, with notification: a worker sleeps in
 * epoll_wait() on a ripc notifier that the queue raises when it goes from
 * empty to non-empty (ripc_mq_notify_fd()), drains the queue, and registers
 * again. Messages come out by priority. Needs ripcfs mounted (make run
 * mounts it on /mnt/ripc; libripc finds it in /proc/self/mounts).
 *
 * A second round registers for a signal (SIGEV_SIGNAL), as mq_notify(3).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ripc.h"

#define NAME "/sample-jobs"
#define BATCHES 3

static int worker(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int efd = ripc_eventfd(0, RIPC_EFD_NONBLOCK);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	mqd_t q = ripc_mq_open(NAME, O_RDONLY | O_NONBLOCK);
	int batches = 0;

	if (efd < 0 || ep < 0 || q < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev)) {
		perror("worker: setup");
		return 1;
	}
	while (batches < BATCHES) {
		char text[128];
		unsigned int prio;
		uint64_t n;
		ssize_t len;

		/* The queue is empty: ask to be told when it is not. */
		if (ripc_mq_notify_fd(q, efd)) {
			perror("worker: ripc_mq_notify_fd");
			return 1;
		}
		if (epoll_wait(ep, &ev, 1, 10000) != 1) {
			fprintf(stderr, "worker: no notification\n");
			return 1;
		}
		ripc_eventfd_read(efd, &n);
		printf("worker:   notified, the queue is no longer empty\n");
		batches++;
		/* Let the producer finish its batch: it comes out by priority. */
		usleep(100000);
		while ((len = ripc_mq_receive(q, text, sizeof(text), &prio)) >= 0)
			printf("worker:   prio %u \"%.*s\"\n", prio, (int)len, text);
	}
	return 0;
}

static volatile sig_atomic_t notified;

static void on_signal(int sig)
{
	notified = sig;
}

int main(void)
{
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = 128 };
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_signal };
	char line[128];
	int status, b, i, ret = 0;
	mqd_t q;
	pid_t pid;

	ripc_mq_unlink(NAME);
	q = ripc_mq_open(NAME, O_WRONLY | O_CREAT | O_EXCL, 0600, &attr);
	if (q < 0) {
		perror("ripc_mq_open (is ripcfs mounted?)");
		return 1;
	}
	pid = fork();
	if (pid == 0)
		_exit(worker());
	usleep(200000);
	for (b = 0; b < BATCHES; b++) {
		static const struct { unsigned int prio; const char *text; } jobs[] = {
			{ 1, "routine: rotate logs" }, { 9, "urgent: page the on-call" },
			{ 5, "normal: rebuild index" },
		};

		for (i = 0; i < 3; i++) {
			snprintf(line, sizeof(line), "batch %d, %s", b + 1, jobs[i].text);
			ripc_mq_send(q, line, strlen(line), jobs[i].prio);
		}
		printf("producer: sent batch %d\n", b + 1);
		usleep(300000);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		ret = 1;

	/* The signal flavour, as mq_notify(3). */
	close(q);
	q = ripc_mq_open(NAME, O_RDWR);
	sigaction(SIGUSR1, &sa, NULL);
	if (ripc_mq_notify(q, &sev) || ripc_mq_send(q, "ping", 4, 0)) {
		perror("signal round");
		ret = 1;
	}
	for (i = 0; i < 100 && !notified; i++)
		usleep(10000);
	printf("signal round: %s\n", notified == SIGUSR1 ? "got SIGUSR1" : "no signal");
	if (pread(q, line, sizeof(line) - 1, 0) > 0) {
		line[strcspn(line, "\n")] = 0;
		printf("reading the queue file: \"%s\"\n", line);
	}
	close(q);
	ripc_mq_unlink(NAME);
	if (notified != SIGUSR1)
		ret = 1;
	printf("%s\n", ret ? "FAILED" : "done");
	return ret;
}
