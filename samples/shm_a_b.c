// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory on ripc: the seed's process A / process B flow.
 *
 * A creates a segment under a key (shmget with IPC_CREAT), attaches it
 * (shmat) and writes into it; B, a separate process started with fork()
 * and exec()'d anew, so that it shares nothing with A but the key, finds
 * the segment by its key (shmget(key, 0, 0)), attaches it and reads what A
 * wrote through the same physical pages, then writes an answer. Both
 * detach (shmdt) and A removes the segment (IPC_RMID).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ripc.h"

#define KEY 0x52495348	/* "RISH" */
#define SIZE 4096

static int process_b(void)
{
	struct shmid_ds ds;
	char *ptr_b;
	int shmid = ripc_shmget(KEY, 0, 0);

	if (shmid < 0) {
		perror("B: ripc_shmget");
		return 1;
	}
	ptr_b = ripc_shmat(shmid, NULL, 0);
	if (ptr_b == (void *)-1) {
		perror("B: ripc_shmat");
		return 1;
	}
	ripc_shmctl(shmid, IPC_STAT, &ds);
	printf("  B (pid %d): shmget(key, 0, 0) = %d, attached at %p, nattch %lu\n", getpid(),
	       shmid, (void *)ptr_b, (unsigned long)ds.shm_nattch);
	printf("  B: read \"%s\"\n", ptr_b);
	strcpy(ptr_b + SIZE / 2, "hello A, B was here");
	ripc_shmdt(ptr_b);
	printf("  B: answered and detached\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct shmid_ds ds;
	char *ptr_a;
	int shmid, status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "B"))
		return process_b();

	/* Leftover from an earlier run. */
	ripc_shmctl(ripc_shmget(KEY, 0, 0), IPC_RMID, NULL);
	shmid = ripc_shmget(KEY, SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (shmid < 0) {
		fprintf(stderr, "ripc_shmget: %s (is ripc loaded?)\n", strerror(errno));
		return 1;
	}
	ptr_a = ripc_shmat(shmid, NULL, 0);
	if (ptr_a == (void *)-1) {
		perror("A: ripc_shmat");
		return 1;
	}
	printf("  A (pid %d): shmget(0x%x, %d, IPC_CREAT) = %d, attached at %p\n", getpid(), KEY,
	       SIZE, shmid, (void *)ptr_a);
	strcpy(ptr_a, "hello B, this is A");
	printf("  A: wrote \"%s\"\n", ptr_a);
	fflush(stdout);

	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "B", (char *)NULL);
		perror("execl");
		_exit(1);
	}
	waitpid(pid, &status, 0);
	printf("  A: B left \"%s\"\n", ptr_a + SIZE / 2);
	ripc_shmdt(ptr_a);
	ripc_shmctl(shmid, IPC_STAT, &ds);
	printf("  A: detached, nattch %lu; IPC_RMID\n", (unsigned long)ds.shm_nattch);
	if (ripc_shmctl(shmid, IPC_RMID, NULL)) {
		perror("A: IPC_RMID");
		return 1;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
