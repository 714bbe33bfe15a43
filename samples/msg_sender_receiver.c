// SPDX-License-Identifier: GPL-2.0
/*
 * The sender/receiver pair of a SysV message queue, on ripc: the flow the
 * seed document draws for msgsnd()/msgrcv() (do_msgsnd() checks, copies
 * and queues or hands over; do_msgrcv() finds by type, sleeps if there is
 * nothing, copies out and unlinks).
 *
 * Two unrelated-looking processes agree on a key. The sender posts typed
 * messages; the receiver first takes only urgent ones (type 1), then the
 * rest in order, and stops at type 99. Then msgctl(IPC_STAT) shows the
 * bookkeeping, sysvipc/msg lists the queue if ripcfs is mounted on
 * /mnt/ripc, and the queue is removed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ripc.h"

#define KEY 0x5eed
#define URGENT 1
#define NORMAL 2
#define STOP 99

struct message {
	long mtype;
	char mtext[64];
};

static int sender(void)
{
	static const struct { long type; const char *text; } posts[] = {
		{ NORMAL, "hello" }, { NORMAL, "from" }, { URGENT, "urgent: disk full" },
		{ NORMAL, "the sender" }, { URGENT, "urgent: fan stopped" }, { STOP, "bye" },
	};
	int id = ripc_msgget(KEY, 0);
	size_t i;

	if (id < 0) {
		perror("sender: ripc_msgget");
		return 1;
	}
	for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		struct message m = { .mtype = posts[i].type };

		snprintf(m.mtext, sizeof(m.mtext), "%s", posts[i].text);
		if (ripc_msgsnd(id, &m, strlen(m.mtext) + 1, 0)) {
			perror("sender: ripc_msgsnd");
			return 1;
		}
		printf("sender:   sent type %ld \"%s\"\n", m.mtype, m.mtext);
	}
	return 0;
}

static int receiver(void)
{
	int id = ripc_msgget(KEY, 0);
	struct message m;
	ssize_t n;

	if (id < 0) {
		perror("receiver: ripc_msgget");
		return 1;
	}
	/*
	 * Let the sender post everything, so that choosing by type has
	 * something to choose from; then take the urgent messages first.
	 */
	for (;;) {
		struct msqid_ds ds;

		if (ripc_msgctl(id, IPC_STAT, &ds)) {
			perror("receiver: IPC_STAT");
			return 1;
		}
		if (ds.msg_qnum >= 6)
			break;
		usleep(10000);
	}
	while ((n = ripc_msgrcv(id, &m, sizeof(m.mtext), URGENT, IPC_NOWAIT)) >= 0)
		printf("receiver: urgent  \"%s\" (%zd bytes)\n", m.mtext, n);
	/* Then the rest, in order; type 99 ends the conversation. */
	for (;;) {
		n = ripc_msgrcv(id, &m, sizeof(m.mtext), 0, 0);
		if (n < 0) {
			perror("receiver: ripc_msgrcv");
			return 1;
		}
		if (m.mtype == STOP)
			break;
		printf("receiver: normal  \"%s\" (%zd bytes)\n", m.mtext, n);
	}
	printf("receiver: got the stop message\n");
	return 0;
}

int main(void)
{
	int id, status, ret = 0;
	pid_t pids[2];
	struct msqid_ds ds;
	char line[256];
	FILE *f;

	/* Start afresh if a previous run left the queue behind. */
	ripc_msgctl(ripc_msgget(KEY, 0), IPC_RMID, NULL);
	id = ripc_msgget(KEY, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0) {
		perror("ripc_msgget");
		return 1;
	}
	printf("queue key 0x%x has id %d\n", KEY, id);

	pids[0] = fork();
	if (pids[0] == 0)
		_exit(receiver());
	pids[1] = fork();
	if (pids[1] == 0)
		_exit(sender());
	for (int i = 0; i < 2; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ret = 1;
	}

	if (ripc_msgctl(id, IPC_STAT, &ds) == 0)
		printf("IPC_STAT: qnum=%lu cbytes=%lu qbytes=%lu lspid=%d (sender %d) lrpid=%d (receiver %d)\n",
		       ds.msg_qnum, ds.__msg_cbytes, ds.msg_qbytes, ds.msg_lspid, pids[1],
		       ds.msg_lrpid, pids[0]);
	f = fopen("/mnt/ripc/sysvipc/msg", "r");
	if (f) {
		printf("/mnt/ripc/sysvipc/msg:\n");
		while (fgets(line, sizeof(line), f))
			fputs(line, stdout);
		fclose(f);
	}
	if (ripc_msgctl(id, IPC_RMID, NULL)) {
		perror("IPC_RMID");
		ret = 1;
	}
	printf("%s\n", ret ? "FAILED" : "done");
	return ret;
}
