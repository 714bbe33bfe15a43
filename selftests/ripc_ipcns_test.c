// SPDX-License-Identifier: GPL-2.0
/*
 * ripc's SysV objects belong to the caller's IPC namespace, as SysV
 * objects do: after unshare(CLONE_NEWIPC) a process sees none of its
 * parent's objects, by key, by id or in the sysvipc listings, and the
 * parent none of its; a namespace's objects are freed when no task uses
 * it any more (Shmem of /proc/meminfo, and kmemleak after the run).
 *
 * Each case forks before its first ripc call, so that every process opens
 * /dev/ripc itself and its exit releases that file.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define MNT "/tmp/ripc-ipcns-mnt"
#define KEY_PARENT 0x4e530001
#define KEY_CHILD 0x4e530002
#define SEG_SIZE (16 << 20)

struct msgbuf64 {
	long mtype;
	char mtext[64];
};

/* Waits up to 10 s for Shmem to fall to at most `kb`; returns the last value. */
static long wait_shmem_at_most(long kb)
{
	long now = meminfo_shmem();
	int i;

	for (i = 0; i < 1000 && now > kb; i++) {
		sleep_ms(10);
		now = meminfo_shmem();
	}
	return now;
}

/* Whether sysvipc/<kind> of ripcfs lists an object with this key. */
static int listed(const char *kind, key_t key)
{
	char path[128], line[512];
	int found = 0, k;
	FILE *f;

	snprintf(path, sizeof(path), MNT "/sysvipc/%s", kind);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d", &k) == 1 && k == key)
			found = 1;
	fclose(f);
	return found;
}

static int mount_ripcfs(void)
{
	mkdir(MNT, 0755);
	if (mount("none", MNT, "ripcfs", 0, NULL) && errno != EBUSY)
		return -1;
	return 0;
}

/* Creates one object of each SysV kind with `key`; 0 on success. */
static int create_all(key_t key, int ids[3])
{
	struct msgbuf64 msg = { .mtype = 1 };

	ids[0] = ripc_msgget(key, IPC_CREAT | IPC_EXCL | 0600);
	ids[1] = ripc_semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	ids[2] = ripc_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	if (ids[0] < 0 || ids[1] < 0 || ids[2] < 0)
		return -1;
	return ripc_msgsnd(ids[0], &msg, sizeof(msg.mtext), 0);
}

static void remove_all(const int ids[3])
{
	ripc_msgctl(ids[0], IPC_RMID, NULL);
	ripc_semctl(ids[1], 0, IPC_RMID);
	ripc_shmctl(ids[2], IPC_RMID, NULL);
}

/* Whether none of the objects with `key` nor `ids` is reachable. */
static int none_visible(key_t key, const int ids[3])
{
	struct msqid_ds mds;
	struct semid_ds sds;
	struct shmid_ds shds;

	if (ripc_msgget(key, 0) != -1 || errno != ENOENT)
		return 0;
	if (ripc_semget(key, 0, 0) != -1 || errno != ENOENT)
		return 0;
	if (ripc_shmget(key, 0, 0) != -1 || errno != ENOENT)
		return 0;
	if (ripc_msgctl(ids[0], IPC_STAT, &mds) != -1 || errno != EINVAL)
		return 0;
	if (ripc_semctl(ids[1], 0, IPC_STAT, &sds) != -1 || errno != EINVAL)
		return 0;
	if (ripc_shmctl(ids[2], IPC_STAT, &shds) != -1 || errno != EINVAL)
		return 0;
	return listed("msg", key) == 0 && listed("sem", key) == 0 && listed("shm", key) == 0;
}

/*
 * Parent and child each create objects, the child in a new namespace;
 * while both live, neither sees the other's, and each sees its own.
 */
TEST(unshare_hides_objects_both_ways)
{
	int to_child[2], to_parent[2], parent_ids[3], child_ids[3];
	char c = 0;
	pid_t pid;

	ASSERT_EQ(0, mount_ripcfs()) TH_LOG("mount: %s", strerror(errno));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int theirs[3];

		if (read(to_child[0], theirs, sizeof(theirs)) != sizeof(theirs))
			_exit(1);
		if (unshare(CLONE_NEWIPC | CLONE_NEWNS))
			_exit(2);
		/*
		 * ripcfs is per IPC namespace, as /dev/mqueue is: the
		 * parent's mount shows the parent's objects, so the child
		 * mounts its own, in a mount namespace of its own.
		 */
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("none", MNT, "ripcfs", 0, NULL))
			_exit(9);
		if (!none_visible(KEY_PARENT, theirs))
			_exit(3);
		if (create_all(KEY_CHILD, child_ids))
			_exit(4);
		if (listed("msg", KEY_CHILD) != 1 || listed("sem", KEY_CHILD) != 1 ||
		    listed("shm", KEY_CHILD) != 1)
			_exit(5);
		if (write(to_parent[1], child_ids, sizeof(child_ids)) != sizeof(child_ids))
			_exit(6);
		/* Wait until the parent has looked. */
		if (read(to_child[0], &c, 1) != 1)
			_exit(7);
		/* Still ours: the parent's look changed nothing here. */
		if (ripc_msgget(KEY_CHILD, 0) != child_ids[0])
			_exit(8);
		_exit(0);
	}
	ASSERT_EQ(0, create_all(KEY_PARENT, parent_ids));
	ASSERT_EQ(sizeof(parent_ids), write(to_child[1], parent_ids, sizeof(parent_ids)));
	ASSERT_EQ(sizeof(child_ids), read(to_parent[0], child_ids, sizeof(child_ids)));
	/* The child's key is unknown here. Its ids may equal ours (each
	 * namespace numbers from the start), so look up ids only by key. */
	EXPECT_EQ(-1, ripc_msgget(KEY_CHILD, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, ripc_semget(KEY_CHILD, 0, 0));
	EXPECT_EQ(-1, ripc_shmget(KEY_CHILD, 0, 0));
	EXPECT_EQ(0, listed("msg", KEY_CHILD));
	EXPECT_EQ(0, listed("sem", KEY_CHILD));
	EXPECT_EQ(0, listed("shm", KEY_CHILD));
	EXPECT_EQ(1, listed("msg", KEY_PARENT));
	EXPECT_EQ(parent_ids[0], ripc_msgget(KEY_PARENT, 0));
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	EXPECT_EQ(0, wait_exit(pid));
	/* The child's namespace died with it: its key stays unknown here. */
	EXPECT_EQ(-1, ripc_msgget(KEY_CHILD, 0));
	remove_all(parent_ids);
	umount(MNT);
}

/*
 * A namespace's objects, left without IPC_RMID, are freed when its last
 * task exits: a touched 16 MiB segment leaves Shmem.
 */
TEST(objects_freed_when_namespace_exits)
{
	long before, during, after;
	int report[2];
	pid_t pid;

	before = meminfo_shmem();
	ASSERT_GE(before, 0);
	ASSERT_EQ(0, pipe(report));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int ids[3], shmid;
		long kb;
		char *p;

		if (unshare(CLONE_NEWIPC))
			_exit(1);
		if (create_all(KEY_CHILD, ids))
			_exit(2);
		shmid = ripc_shmget(KEY_CHILD + 1, SEG_SIZE, IPC_CREAT | 0600);
		p = ripc_shmat(shmid, NULL, 0);
		if (shmid < 0 || p == (void *)-1)
			_exit(3);
		memset(p, 0x5a, SEG_SIZE);
		if (ripc_shmdt(p))
			_exit(4);
		kb = meminfo_shmem();
		if (write(report[1], &kb, sizeof(kb)) != sizeof(kb))
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(sizeof(during), read(report[0], &during, sizeof(during)));
	EXPECT_GE(during - before, SEG_SIZE / 1024 - 1024)
		TH_LOG("Shmem %ld -> %ld kB", before, during);
	EXPECT_EQ(0, wait_exit(pid));
	after = wait_shmem_at_most(before + 1024);
	EXPECT_LE(after, before + 1024) TH_LOG("Shmem %ld -> %ld -> %ld kB", before, during, after);
}

/*
 * A segment still attached when its namespace dies is marked for
 * destruction, as after IPC_RMID, and goes at its last detach: the task
 * maps it in a new namespace, goes back to the first with setns(), and
 * its next ripc call frees the abandoned namespace.
 */
TEST(attached_segment_outlives_its_namespace)
{
	long before, after;
	pid_t pid;
	int report[2];

	before = meminfo_shmem();
	ASSERT_EQ(0, pipe(report));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int home = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC), shmid, i;
		long kb[2];
		char *p;

		if (home < 0 || unshare(CLONE_NEWIPC))
			_exit(1);
		shmid = ripc_shmget(IPC_PRIVATE, SEG_SIZE, IPC_CREAT | 0600);
		p = ripc_shmat(shmid, NULL, 0);
		if (shmid < 0 || p == (void *)-1)
			_exit(2);
		memset(p, 0x3c, SEG_SIZE);
		/* Leave: no task uses the new namespace any more. */
		if (setns(home, CLONE_NEWIPC))
			_exit(3);
		/* Any *get() sweeps dead namespaces. */
		i = ripc_msgget(IPC_PRIVATE, 0600);
		if (i < 0)
			_exit(4);
		ripc_msgctl(i, IPC_RMID, NULL);
		/* The mapping still works and holds its content... */
		for (i = 0; i < SEG_SIZE; i += 4096)
			if (p[i] != 0x3c)
				_exit(5);
		kb[0] = meminfo_shmem();
		/* ...and the pages go at the last detach. */
		if (ripc_shmdt(p))
			_exit(6);
		kb[1] = meminfo_shmem();
		if (write(report[1], kb, sizeof(kb)) != sizeof(kb))
			_exit(7);
		_exit(0);
	}
	{
		long kb[2];

		ASSERT_EQ(sizeof(kb), read(report[0], kb, sizeof(kb)));
		EXPECT_GE(kb[0] - before, SEG_SIZE / 1024 - 1024)
			TH_LOG("Shmem %ld -> %ld kB while attached", before, kb[0]);
		EXPECT_LE(kb[1], before + 1024)
			TH_LOG("Shmem %ld -> %ld kB after the last detach", before, kb[1]);
	}
	EXPECT_EQ(0, wait_exit(pid));
	after = wait_shmem_at_most(before + 1024);
	EXPECT_LE(after, before + 1024);
}

/*
 * Blocked waiters of a namespace are in its tasks, so it cannot die
 * under them; objects of many short-lived namespaces do not pile up.
 */
TEST(many_namespaces_come_and_go)
{
	int round;

	for (round = 0; round < 50; round++) {
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0) {
			int ids[3];

			if (unshare(CLONE_NEWIPC))
				_exit(1);
			if (create_all(KEY_CHILD, ids))
				_exit(2);
			/* Same key in each new namespace: always a new object. */
			if (ripc_msgget(KEY_CHILD, IPC_CREAT | IPC_EXCL | 0600) != -1 ||
			    errno != EEXIST)
				_exit(3);
			_exit(0);
		}
		ASSERT_EQ(0, wait_exit(pid)) TH_LOG("round %d", round);
	}
}

TEST_HARNESS_MAIN
