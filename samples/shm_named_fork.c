// SPDX-License-Identifier: GPL-2.0
/*
 * A named segment in ripcfs (/mnt/ripc/shm/, as /dev/shm) shared by a
 * parent and its child through MAP_SHARED, as the seed's mmap example:
 * open(O_CREAT) a name, ftruncate() it to size, mmap() it; after fork()
 * both processes see the same pages. A MAP_PRIVATE mapping of the same
 * name shows copy-on-write: its writes stay its own. unlink() removes the
 * name.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NAME "/mnt/ripc/shm/sample"
#define SIZE 4096

int main(void)
{
	char *shared, *private;
	int fd, status;
	pid_t pid;

	fd = open(NAME, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror("open " NAME " (is ripcfs mounted on /mnt/ripc?)");
		return 1;
	}
	if (ftruncate(fd, SIZE)) {
		perror("ftruncate");
		return 1;
	}
	shared = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	private = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (shared == MAP_FAILED || private == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	strcpy(shared, "written by the parent");
	printf("  parent (pid %d): %s sized %d, wrote \"%s\"\n", getpid(), NAME, SIZE, shared);
	fflush(stdout);

	pid = fork();
	if (pid == 0) {
		printf("  child (pid %d): reads \"%s\"\n", getpid(), shared);
		strcpy(shared, "answered by the child");
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("  parent: now reads \"%s\" (MAP_SHARED)\n", shared);
	strcpy(private, "a private copy");
	printf("  parent: MAP_PRIVATE mapping wrote \"%s\", the shared one still reads \"%s\"\n",
	       private, shared);
	munmap(shared, SIZE);
	munmap(private, SIZE);
	close(fd);
	if (unlink(NAME)) {
		perror("unlink");
		return 1;
	}
	printf("  parent: unlinked %s\n", NAME);
	return 0;
}
