// SPDX-License-Identifier: GPL-2.0
/*
 * Semaphores on ripc: the seed's P/V example (one operation that takes
 * from semaphore 0 and gives to semaphore 1), then a two-process
 * ping-pong in which each side waits on its own semaphore and posts the
 * other's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ripc.h"

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

#define ROUNDS 5

static int op(int id, int num, int delta)
{
	struct sembuf sb = { .sem_num = num, .sem_op = delta, .sem_flg = 0 };

	return ripc_semop(id, &sb, 1);
}

int main(void)
{
	struct sembuf pv[] = {
		{ 0, -1, 0 },	/* P on semaphore 0: take */
		{ 1, +1, 0 },	/* V on semaphore 1: give */
	};
	unsigned short vals[2];
	union semun arg;
	int id, i, status;
	pid_t pid;

	id = ripc_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (id < 0) {
		fprintf(stderr, "ripc_semget: %s (is ripc loaded?)\n", strerror(errno));
		return 1;
	}
	arg.val = 1;
	ripc_semctl(id, 0, SETVAL, arg);
	printf("semaphores: array %d, sem0=%d sem1=%d\n", id, ripc_semctl(id, 0, GETVAL),
	       ripc_semctl(id, 1, GETVAL));
	if (ripc_semop(id, pv, 2)) {
		perror("semop");
		return 1;
	}
	arg.array = vals;
	ripc_semctl(id, 0, GETALL, arg);
	printf("semaphores: after {0,-1} {1,+1} in one semop: sem0=%d sem1=%d\n", vals[0],
	       vals[1]);

	/* Ping-pong: the parent waits on 0, the child on 1. */
	arg.val = 0;
	ripc_semctl(id, 0, SETVAL, arg);
	ripc_semctl(id, 1, SETVAL, arg);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (i = 1; i <= ROUNDS; i++) {
			if (op(id, 1, -1))
				_exit(1);
			printf("  child:  pong %d\n", i);
			fflush(stdout);
			op(id, 0, +1);
		}
		_exit(0);
	}
	for (i = 1; i <= ROUNDS; i++) {
		printf("  parent: ping %d\n", i);
		fflush(stdout);
		op(id, 1, +1);
		if (op(id, 0, -1)) {
			perror("semop");
			return 1;
		}
	}
	waitpid(pid, &status, 0);
	ripc_semctl(id, 0, IPC_RMID);
	printf("semaphores: %d rounds, array removed\n", ROUNDS);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
