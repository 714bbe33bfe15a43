// SPDX-License-Identifier: GPL-2.0
/*
 * SysV shared memory and named segments: the semantics of shmget(2),
 * shmat(2), shmdt(2) and shmctl(2), and of a /dev/shm file (open,
 * ftruncate, mmap, unlink), against ripc.
 *
 * Covers every error of the calls, the exact attach count across fork,
 * exit, munmap and shmdt, the freeing of the pages after IPC_RMID and the
 * last detach (Shmem of /proc/meminfo), read-only attachments, the mode
 * bits against a non-root user, shmctl's commands, the sysvipc/shm
 * listing, and 64 MiB exchanged between two processes.
 *
 * The cases named *_as_linux run the same steps on Linux's own SysV shm
 * (libc) and on ripc in the same guest, and expect the same results.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define PAGE 4096UL
#define MIB (1024UL * 1024UL)
#define USER 1000	/* ripcuser */
#define MNT "/tmp/ripc-shm-mnt"
#ifndef SHM_HUGE_SHIFT
#define SHM_HUGE_SHIFT 26	/* <linux/shm.h>: the huge page size's log */
#endif

static struct shmid_ds stat_of(int id)
{
	struct shmid_ds ds;

	memset(&ds, 0xff, sizeof(ds));
	if (ripc_shmctl(id, IPC_STAT, &ds))
		memset(&ds, 0, sizeof(ds));
	return ds;
}

static unsigned long nattch(int id)
{
	return stat_of(id).shm_nattch;
}

FIXTURE(shm) {
	int id;
};

FIXTURE_SETUP(shm)
{
	self->id = ripc_shmget(IPC_PRIVATE, 3 * PAGE, IPC_CREAT | 0600);
	ASSERT_GE(self->id, 0) TH_LOG("ripc_shmget: %s", strerror(errno));
}

FIXTURE_TEARDOWN(shm)
{
	ripc_shmctl(self->id, IPC_RMID, NULL);
}

TEST(feature_bit)
{
	struct ripc_version v;

	ASSERT_EQ(0, ripc_version(&v));
	EXPECT_TRUE(v.features & RIPC_FEAT_SHM);
}

TEST(get_errors)
{
	key_t key = 0x52495341;
	int id;

	ripc_shmctl(ripc_shmget(key, 0, 0), IPC_RMID, NULL);
	EXPECT_EQ(-1, ripc_shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_shmget(IPC_PRIVATE, (size_t)-1, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_shmget(key, PAGE, 0600));
	EXPECT_EQ(ENOENT, errno);
	id = ripc_shmget(key, 100, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	/* The asked size, not rounded. */
	EXPECT_EQ(100, stat_of(id).shm_segsz);
	EXPECT_EQ(id, ripc_shmget(key, 100, 0));
	EXPECT_EQ(id, ripc_shmget(key, 0, 0));
	EXPECT_EQ(id, ripc_shmget(key, 50, IPC_CREAT));
	EXPECT_EQ(-1, ripc_shmget(key, 101, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_shmget(key, 100, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(0, ripc_shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1, ripc_shmctl(id, IPC_STAT, &(struct shmid_ds){}));
	EXPECT_EQ(EINVAL, errno);
}

TEST(info_counts_pages)
{
	struct shm_info before, after;
	struct shminfo limits;
	int id, max;

	ASSERT_GE(ripc_shmctl(0, SHM_INFO, (struct shmid_ds *)&before), 0);
	id = ripc_shmget(IPC_PRIVATE, PAGE + 1, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	max = ripc_shmctl(0, SHM_INFO, (struct shmid_ds *)&after);
	ASSERT_GE(max, 0);
	EXPECT_EQ(before.used_ids + 1, after.used_ids);
	/* Rounded up to pages for the accounting. */
	EXPECT_EQ(before.shm_tot + 2, after.shm_tot);
	EXPECT_EQ(max, ripc_shmctl(0, IPC_INFO, (struct shmid_ds *)&limits));
	EXPECT_EQ(1, limits.shmmin);
	EXPECT_EQ(4096, limits.shmmni);
	EXPECT_EQ(~0UL - (1UL << 24), limits.shmmax);
	EXPECT_EQ(0, ripc_shmctl(id, IPC_RMID, NULL));
}

TEST_F(shm, attach_stat_detach)
{
	struct shmid_ds ds;
	char *p;

	ds = stat_of(self->id);
	EXPECT_EQ(0, ds.shm_nattch);
	EXPECT_EQ(getpid(), ds.shm_cpid);
	EXPECT_EQ(0, ds.shm_lpid);
	EXPECT_EQ(0, ds.shm_atime);
	EXPECT_EQ(0600, ds.shm_perm.mode);
	EXPECT_EQ(getuid(), ds.shm_perm.uid);
	EXPECT_NE(0, ds.shm_ctime);

	p = ripc_shmat(self->id, NULL, 0);
	ASSERT_NE((void *)-1, p) TH_LOG("ripc_shmat: %s", strerror(errno));
	EXPECT_EQ(0, (uintptr_t)p % PAGE);
	/* A new segment reads as zeroes. */
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, p[3 * PAGE - 1]);
	strcpy(p, "hello");
	ds = stat_of(self->id);
	EXPECT_EQ(1, ds.shm_nattch);
	EXPECT_EQ(getpid(), ds.shm_lpid);
	EXPECT_NE(0, ds.shm_atime);
	EXPECT_EQ(0, ds.shm_dtime);

	/* A second attachment sees the same pages. */
	char *q = ripc_shmat(self->id, NULL, SHM_RDONLY);

	ASSERT_NE((void *)-1, q);
	EXPECT_STREQ("hello", q);
	EXPECT_EQ(2, nattch(self->id));
	EXPECT_EQ(0, ripc_shmdt(q));
	EXPECT_EQ(0, ripc_shmdt(p));
	ds = stat_of(self->id);
	EXPECT_EQ(0, ds.shm_nattch);
	EXPECT_NE(0, ds.shm_dtime);
	/* Detached twice: nothing there. */
	EXPECT_EQ(-1, ripc_shmdt(p));
	EXPECT_EQ(EINVAL, errno);
	/* The data stays with the segment. */
	p = ripc_shmat(self->id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	EXPECT_STREQ("hello", p);
	EXPECT_EQ(0, ripc_shmdt(p));
}

TEST_F(shm, nattch_fork_exit_munmap)
{
	int status;
	int pipefd[2];
	char c;
	pid_t pid;
	char *p = ripc_shmat(self->id, NULL, 0);

	ASSERT_NE((void *)-1, p);
	EXPECT_EQ(1, nattch(self->id));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	if (pid == 0) {
		close(pipefd[1]);
		p[0] = 'c';
		/* Wait for the parent to look, then exit without shmdt. */
		read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	/* The child's copy counts. */
	EXPECT_EQ(2, nattch(self->id));
	write(pipefd[1], "x", 1);
	close(pipefd[1]);
	waitpid(pid, &status, 0);
	EXPECT_EQ('c', p[0]);
	/* Its exit detached it. */
	EXPECT_EQ(1, nattch(self->id));

	/* munmap of the middle page splits the attachment in two pieces. */
	ASSERT_EQ(0, munmap(p + PAGE, PAGE));
	EXPECT_EQ(2, nattch(self->id));
	/* shmdt takes both pieces (within the segment's size). */
	EXPECT_EQ(0, ripc_shmdt(p));
	EXPECT_EQ(0, nattch(self->id));
	EXPECT_EQ(-1, ripc_shmdt(p + 2 * PAGE));
	EXPECT_EQ(EINVAL, errno);

	/* A plain munmap detaches too. */
	p = ripc_shmat(self->id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	EXPECT_EQ(1, nattch(self->id));
	ASSERT_EQ(0, munmap(p, 3 * PAGE));
	EXPECT_EQ(0, nattch(self->id));
}

TEST_F(shm, rmid_keeps_attached_until_last_detach)
{
	key_t key = 0x52495342;
	struct shmid_ds ds;
	int id;
	char *p;

	ripc_shmctl(ripc_shmget(key, 0, 0), IPC_RMID, NULL);
	id = ripc_shmget(key, PAGE, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	p = ripc_shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	strcpy(p, "still here");
	ASSERT_EQ(0, ripc_shmctl(id, IPC_RMID, NULL));
	ds = stat_of(id);
	EXPECT_EQ(SHM_DEST | 0600, ds.shm_perm.mode);
	EXPECT_EQ(IPC_PRIVATE, ds.shm_perm.__key);
	EXPECT_EQ(1, ds.shm_nattch);
	/* The key no longer finds it. */
	EXPECT_EQ(-1, ripc_shmget(key, PAGE, 0600));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_STREQ("still here", p);
	EXPECT_EQ(0, ripc_shmdt(p));
	EXPECT_EQ(-1, ripc_shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(shm, removed_segment_attaches_by_id)
{
	char *p = ripc_shmat(self->id, NULL, 0), *q;

	ASSERT_NE((void *)-1, p);
	ASSERT_EQ(0, ripc_shmctl(self->id, IPC_RMID, NULL));
	/* As on Linux, a segment marked SHM_DEST can still be attached by id. */
	q = ripc_shmat(self->id, NULL, 0);
	ASSERT_NE((void *)-1, q);
	EXPECT_EQ(2, nattch(self->id));
	EXPECT_EQ(0, ripc_shmdt(p));
	EXPECT_EQ(1, nattch(self->id));
	EXPECT_EQ(0, ripc_shmdt(q));
	EXPECT_EQ(-1, ripc_shmctl(self->id, IPC_STAT, &(struct shmid_ds){}));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(shm, exec_detaches)
{
	int status;
	pid_t pid;
	char *p = ripc_shmat(self->id, NULL, 0);

	ASSERT_NE((void *)-1, p);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "1", (char *)NULL);
		_exit(127);
	}
	/* Once the child runs the new program, only the parent is attached. */
	for (int i = 0; i < 100 && nattch(self->id) != 1; i++)
		sleep_ms(100);
	EXPECT_EQ(1, nattch(self->id));
	waitpid(pid, &status, 0);
	EXPECT_EQ(1, nattch(self->id));
	EXPECT_EQ(0, ripc_shmdt(p));
}

static int set_as_user(const void *arg)
{
	struct shmid_ds ds;

	memset(&ds, 0, sizeof(ds));
	ds.shm_perm.mode = 0666;
	return ripc_shmctl(*(const int *)arg, IPC_SET, &ds) ? errno : 0;
}

TEST_F(shm, set_needs_owner_and_info_counts_rss)
{
	struct shm_info info;
	char *p;

	EXPECT_EQ(EPERM, as_user(USER, set_as_user, &self->id));
	EXPECT_EQ(0600, stat_of(self->id).shm_perm.mode);
	p = ripc_shmat(self->id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	memset(p, 1, 3 * PAGE);
	ASSERT_GE(ripc_shmctl(0, SHM_INFO, (struct shmid_ds *)&info), 0);
	EXPECT_GE(info.shm_rss, 3);
	EXPECT_GE(info.shm_tot, 3);
	EXPECT_EQ(0, ripc_shmdt(p));
}

TEST_F_TIMEOUT(shm, rmid_frees_pages, 120)
{
	const size_t size = 16 * MIB;
	long before, during, after;
	int id;
	char *p;

	before = meminfo_shmem();
	ASSERT_GE(before, 0);
	id = ripc_shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	p = ripc_shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	memset(p, 0x5a, size);
	during = meminfo_shmem();
	/* The 16 MiB are shmem pages (4 MiB of slack for the rest of the system). */
	EXPECT_GE(during - before, 12 * 1024) TH_LOG("Shmem %ld -> %ld kB", before, during);
	ASSERT_EQ(0, ripc_shmctl(id, IPC_RMID, NULL));
	/* Still attached: still there. */
	EXPECT_GE(meminfo_shmem() - before, 12 * 1024);
	EXPECT_EQ(0, ripc_shmdt(p));
	after = meminfo_shmem();
	EXPECT_LT(after - before, 4 * 1024) TH_LOG("Shmem %ld -> %ld -> %ld kB", before, during,
						   after);
}

TEST_F(shm, rdonly_write_faults)
{
	int status;
	pid_t pid;
	char *p = ripc_shmat(self->id, NULL, SHM_RDONLY);

	ASSERT_NE((void *)-1, p);
	EXPECT_EQ(0, p[0]);
	/* The attach file was read-only: no way to make the mapping writable. */
	EXPECT_EQ(-1, mprotect(p, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	pid = fork();
	if (pid == 0) {
		p[0] = 1;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
	EXPECT_EQ(0, ripc_shmdt(p));
}

static int attach_rw(const void *arg)
{
	int id = *(const int *)arg;
	void *p = ripc_shmat(id, NULL, 0);

	return p == (void *)-1 ? errno : 0;
}

static int attach_ro(const void *arg)
{
	int id = *(const int *)arg;
	void *p = ripc_shmat(id, NULL, SHM_RDONLY);

	return p == (void *)-1 ? errno : 0;
}

static int rmid_as_user(const void *arg)
{
	return ripc_shmctl(*(const int *)arg, IPC_RMID, NULL) ? errno : 0;
}

static int lock_as_user(const void *arg)
{
	return ripc_shmctl(*(const int *)arg, SHM_LOCK, NULL) ? errno : 0;
}

TEST_F(shm, mode_bits_deny_other_user)
{
	struct shmid_ds ds;

	/* 0600, owned by root: refused to uid 1000 either way. */
	EXPECT_EQ(EACCES, as_user(USER, attach_rw, &self->id));
	EXPECT_EQ(EACCES, as_user(USER, attach_ro, &self->id));
	EXPECT_EQ(EPERM, as_user(USER, rmid_as_user, &self->id));
	EXPECT_EQ(EPERM, as_user(USER, lock_as_user, &self->id));
	/* 0604: reading only. */
	ds = stat_of(self->id);
	ds.shm_perm.mode = 0604;
	ASSERT_EQ(0, ripc_shmctl(self->id, IPC_SET, &ds));
	EXPECT_EQ(0604, stat_of(self->id).shm_perm.mode);
	EXPECT_EQ(0, as_user(USER, attach_ro, &self->id));
	EXPECT_EQ(EACCES, as_user(USER, attach_rw, &self->id));
	/* Given to the user: now its owner may do anything. */
	ds.shm_perm.uid = USER;
	ds.shm_perm.mode = 0600;
	ASSERT_EQ(0, ripc_shmctl(self->id, IPC_SET, &ds));
	EXPECT_EQ(0, as_user(USER, attach_rw, &self->id));
	EXPECT_EQ(0, nattch(self->id));
}

TEST_F(shm, bad_addresses_and_ids)
{
	char *p, *q, *area;
	struct shmid_ds ds;

	EXPECT_EQ((void *)-1, ripc_shmat(-1, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((void *)-1, ripc_shmat(self->id + 1, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	/* SHM_REMAP needs an address. */
	EXPECT_EQ((void *)-1, ripc_shmat(self->id, NULL, SHM_REMAP));
	EXPECT_EQ(EINVAL, errno);

	area = mmap(NULL, 8 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	/* An unaligned address without SHM_RND. */
	EXPECT_EQ((void *)-1, ripc_shmat(self->id, area + 5, 0));
	EXPECT_EQ(EINVAL, errno);
	/* An occupied range without SHM_REMAP. */
	EXPECT_EQ((void *)-1, ripc_shmat(self->id, area, 0));
	EXPECT_EQ(EINVAL, errno);
	/* SHM_RND rounds down, SHM_REMAP takes the range over. */
	p = ripc_shmat(self->id, area + PAGE + 5, SHM_RND | SHM_REMAP);
	ASSERT_EQ(area + PAGE, p) TH_LOG("%s", strerror(errno));
	p[0] = 'x';
	/* A free range at a given address. */
	ASSERT_EQ(0, munmap(area + 4 * PAGE, 4 * PAGE));
	q = ripc_shmat(self->id, area + 4 * PAGE, SHM_RDONLY);
	ASSERT_EQ(area + 4 * PAGE, q);
	EXPECT_EQ('x', q[0]);
	EXPECT_EQ(2, nattch(self->id));
	/* shmdt: an unaligned address, or not the start of an attachment. */
	EXPECT_EQ(-1, ripc_shmdt(p + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_shmdt(area));
	EXPECT_EQ(0, ripc_shmdt(q));
	EXPECT_EQ(0, ripc_shmdt(p));
	EXPECT_EQ(0, nattch(self->id));
	munmap(area, 4 * PAGE);

	/* shmctl: bad command, bad ids, bad buffers. */
	EXPECT_EQ(-1, ripc_shmctl(self->id, 99, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_shmctl(-1, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ripc_shmctl(self->id, IPC_STAT, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ripc_shmctl(self->id, IPC_SET, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ripc_shmctl(self->id, IPC_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(shm, stat_by_index_and_lock)
{
	struct shm_info info;
	struct shmid_ds ds;
	int max, idx, found = 0;

	max = ripc_shmctl(0, SHM_INFO, (struct shmid_ds *)&info);
	ASSERT_GE(max, 0);
	for (idx = 0; idx <= max; idx++)
		if (ripc_shmctl(idx, SHM_STAT, &ds) == self->id)
			found = 1;
	EXPECT_TRUE(found);
	EXPECT_EQ(self->id, ripc_shmctl(self->id & 0x7fff, SHM_STAT_ANY, &ds));

	ASSERT_EQ(0, ripc_shmctl(self->id, SHM_LOCK, NULL));
	EXPECT_EQ(SHM_LOCKED | 0600, stat_of(self->id).shm_perm.mode);
	ASSERT_EQ(0, ripc_shmctl(self->id, SHM_LOCK, NULL));
	ASSERT_EQ(0, ripc_shmctl(self->id, SHM_UNLOCK, NULL));
	EXPECT_EQ(0600, stat_of(self->id).shm_perm.mode);
}

TEST_F(shm, sysvipc_listing)
{
	char line[512], want[128];
	int found = 0, header = 0;
	FILE *f;
	char *p = ripc_shmat(self->id, NULL, 0);

	ASSERT_NE((void *)-1, p);
	p[0] = 1;
	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL)) TH_LOG("mount: %s", strerror(errno));
	f = fopen(MNT "/sysvipc/shm", "r");
	ASSERT_NE(NULL, f);
	snprintf(want, sizeof(want), "%10d %10d  %4o %21lu %5u %5u  %5lu", 0, self->id, 0600,
		 3 * PAGE, getpid(), getpid(), 1UL);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "key      shmid perms                  size  cpid"))
			header = 1;
		if (strncmp(line, want, strlen(want)) == 0)
			found = 1;
	}
	fclose(f);
	EXPECT_TRUE(header);
	EXPECT_TRUE(found) TH_LOG("no line starting with '%s'", want);
	EXPECT_EQ(0, umount(MNT));
	EXPECT_EQ(0, ripc_shmdt(p));
}

/* Several processes attach, fork, detach and remove at once. */
TEST_F_TIMEOUT(shm, concurrent_attach_detach, 300)
{
	const int workers = 4, rounds = 200;
	int i, status, ok = 1;

	for (i = 0; i < workers; i++) {
		if (fork() == 0) {
			for (int r = 0; r < rounds; r++) {
				long *p = ripc_shmat(self->id, NULL, r % 2 ? SHM_RDONLY : 0);

				if (p == (void *)-1)
					_exit(1);
				if (r % 2 == 0)
					__atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST);
				if (r % 50 == 0) {
					pid_t pid = fork();

					if (pid == 0)
						_exit(0);
					waitpid(pid, NULL, 0);
				}
				if (r % 3 == 0 ? munmap(p, 3 * PAGE) : ripc_shmdt(p))
					_exit(2);
			}
			_exit(0);
		}
	}
	for (i = 0; i < workers; i++) {
		wait(&status);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ok = 0;
	}
	EXPECT_TRUE(ok);
	EXPECT_EQ(0, nattch(self->id));
	long *p = ripc_shmat(self->id, NULL, SHM_RDONLY);

	ASSERT_NE((void *)-1, p);
	EXPECT_EQ(workers * rounds / 2, *p);
	EXPECT_EQ(0, ripc_shmdt(p));
}

/* Two processes exchange 64 MiB through a segment. */
#define BIG (64 * MIB)

static uint64_t checksum(const uint64_t *w, size_t n)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum = sum * 31 + w[i];
	return sum;
}

TEST_F_TIMEOUT(shm, exchange_64mib, 600)
{
	int id = ripc_shmget(IPC_PRIVATE, BIG, IPC_CREAT | 0600);
	int tochild[2], toparent[2], status;
	uint64_t want, got = 0;
	uint64_t *w;
	pid_t pid;
	size_t i;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(tochild));
	ASSERT_EQ(0, pipe(toparent));
	pid = fork();
	if (pid == 0) {
		/* B: attaches on its own, checks A's data, answers with its sum. */
		uint64_t *b;
		char c;

		if (read(tochild[0], &c, 1) != 1)
			_exit(1);
		b = ripc_shmat(id, NULL, 0);
		if (b == (void *)-1)
			_exit(2);
		want = checksum(b, BIG / 8);
		for (i = 0; i < BIG / 8; i++)
			b[i] = ~b[i];
		write(toparent[1], &want, sizeof(want));
		_exit(ripc_shmdt(b) ? 3 : 0);
	}
	w = ripc_shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, w);
	for (i = 0; i < BIG / 8; i++)
		w[i] = i * 0x9e3779b97f4a7c15ULL;
	want = checksum(w, BIG / 8);
	write(tochild[1], "go", 1);
	ASSERT_EQ(sizeof(got), read(toparent[0], &got, sizeof(got)));
	EXPECT_EQ(want, got);
	waitpid(pid, &status, 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* B's writes are seen by A. */
	for (i = 0; i < BIG / 8; i++)
		if (w[i] != ~(i * 0x9e3779b97f4a7c15ULL))
			break;
	EXPECT_EQ(BIG / 8, i);
	EXPECT_EQ(0, ripc_shmdt(w));
	EXPECT_EQ(0, ripc_shmctl(id, IPC_RMID, NULL));
}

/* Named segments in ripcfs's shm/, as /dev/shm. */

TEST(named_segment)
{
	const char *path = MNT "/shm/seg";
	struct stat st;
	char *shared, *private;
	int fd, status;
	pid_t pid;

	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL)) TH_LOG("mount: %s", strerror(errno));
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_GE(fd, 0) TH_LOG("open: %s", strerror(errno));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	ASSERT_EQ(0, ftruncate(fd, 2 * MIB)) TH_LOG("ftruncate: %s", strerror(errno));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(2 * MIB, st.st_size);
	shared = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, shared) TH_LOG("mmap: %s", strerror(errno));
	private = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, private);

	pid = fork();
	if (pid == 0) {
		strcpy(shared + MIB, "from the child");
		_exit(0);
	}
	waitpid(pid, &status, 0);
	EXPECT_STREQ("from the child", shared + MIB);
	/* A private mapping sees the file until it writes: then its own copy. */
	EXPECT_STREQ("from the child", private + MIB);
	strcpy(private + MIB, "private");
	EXPECT_STREQ("from the child", shared + MIB);

	/* Another open of the name maps the same pages. */
	int fd2 = open(path, O_RDWR);
	char *again;

	ASSERT_GE(fd2, 0);
	again = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd2, MIB);
	ASSERT_NE(MAP_FAILED, again);
	EXPECT_STREQ("from the child", again);
	/* Shrinking drops the pages past the end. */
	ASSERT_EQ(0, ftruncate(fd, MIB));
	EXPECT_EQ(0, shared[0]);

	close(fd2);
	/* A read-only descriptor cannot map shared and writable. */
	fd2 = open(path, O_RDONLY);
	ASSERT_GE(fd2, 0);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0));
	EXPECT_EQ(EACCES, errno);
	close(fd2);

	EXPECT_EQ(0, unlink(path));
	EXPECT_EQ(-1, open(path, O_RDWR));
	EXPECT_EQ(ENOENT, errno);
	munmap(again, PAGE);
	munmap(shared, 2 * MIB);
	munmap(private, 2 * MIB);
	close(fd);
	EXPECT_EQ(0, umount(MNT));
}

/* The SysV calls of one implementation: Linux's (libc) or ripc's. */
struct sysv_shm {
	const char *name;
	int (*get)(key_t key, size_t size, int flg);
	void *(*at)(int id, const void *addr, int flg);
	int (*dt)(const void *addr);
	int (*ctl)(int id, int cmd, struct shmid_ds *buf);
};

static const struct sysv_shm impls[] = {
	{ "linux", shmget, shmat, shmdt, shmctl },
	{ "ripc", ripc_shmget, ripc_shmat, ripc_shmdt, ripc_shmctl },
};

static struct shmid_ds stat_in(const struct sysv_shm *impl, int id)
{
	struct shmid_ds ds;

	if (impl->ctl(id, IPC_STAT, &ds))
		memset(&ds, 0, sizeof(ds));
	return ds;
}

/*
 * remap_file_pages() re-mmaps the VMA's file over itself: on Linux the new
 * VMA goes through shm_mmap(), so the attachment stays counted, and on a
 * segment removed by the close of the replaced VMA it fails with EINVAL
 * (the id is gone), leaving nothing mapped.
 */
TEST(remap_file_pages_as_linux)
{
	for (int i = 0; i < 2; i++) {
		const struct sysv_shm *impl = &impls[i];
		int id = impl->get(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);
		int id3 = impl->get(IPC_PRIVATE, 3 * PAGE, IPC_CREAT | 0600);
		char *p, *q;

		ASSERT_GE(id, 0);
		ASSERT_GE(id3, 0);
		p = impl->at(id, NULL, 0);
		ASSERT_NE((void *)-1, p);
		strcpy(p, "kept");
		EXPECT_EQ(0, syscall(__NR_remap_file_pages, p, PAGE, 0, 0, 0))
			TH_LOG("%s: %s", impl->name, strerror(errno));
		EXPECT_EQ(1, stat_in(impl, id).shm_nattch) TH_LOG("%s", impl->name);
		EXPECT_STREQ("kept", p);
		/* The re-made VMA is still an attachment: shmdt finds it. */
		EXPECT_EQ(0, impl->dt(p)) TH_LOG("%s", impl->name);
		EXPECT_EQ(0, stat_in(impl, id).shm_nattch);

		/*
		 * One page of three: the rest is split off (counted), the page
		 * unmapped (uncounted), and the new range merges into the rest.
		 */
		q = impl->at(id3, NULL, 0);
		ASSERT_NE((void *)-1, q);
		EXPECT_EQ(0, syscall(__NR_remap_file_pages, q, PAGE, 0, 0, 0));
		EXPECT_EQ(1, stat_in(impl, id3).shm_nattch) TH_LOG("%s", impl->name);
		EXPECT_EQ(0, impl->dt(q));
		EXPECT_EQ(0, stat_in(impl, id3).shm_nattch) TH_LOG("%s", impl->name);
		EXPECT_EQ(0, impl->ctl(id3, IPC_RMID, NULL));

		/* Removed: the re-mapping closes the last attachment first. */
		p = impl->at(id, NULL, 0);
		ASSERT_NE((void *)-1, p);
		ASSERT_EQ(0, impl->ctl(id, IPC_RMID, NULL));
		errno = 0;
		EXPECT_EQ(-1, syscall(__NR_remap_file_pages, p, PAGE, 0, 0, 0)) TH_LOG("%s", impl->name);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", impl->name, strerror(errno));
		EXPECT_EQ(-1, impl->ctl(id, IPC_STAT, &(struct shmid_ds){}));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, impl->dt(p));
		EXPECT_EQ(EINVAL, errno);
	}
}

/*
 * shmdt() of an address inside an attachment, not at its start, is EINVAL
 * and detaches nothing; shmdt() of the start takes every piece a partial
 * munmap or mprotect left.
 */
TEST(shmdt_pieces_as_linux)
{
	for (int i = 0; i < 2; i++) {
		const struct sysv_shm *impl = &impls[i];
		int id = impl->get(IPC_PRIVATE, 4 * PAGE, IPC_CREAT | 0600);
		char *p;

		ASSERT_GE(id, 0);
		p = impl->at(id, NULL, 0);
		ASSERT_NE((void *)-1, p);
		EXPECT_EQ(-1, impl->dt(p + PAGE)) TH_LOG("%s", impl->name);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(1, stat_in(impl, id).shm_nattch) TH_LOG("%s", impl->name);
		/* Three pieces: mprotect splits, munmap makes a hole. */
		ASSERT_EQ(0, mprotect(p + 3 * PAGE, PAGE, PROT_READ));
		ASSERT_EQ(0, munmap(p + PAGE, PAGE));
		EXPECT_EQ(3, stat_in(impl, id).shm_nattch) TH_LOG("%s", impl->name);
		EXPECT_EQ(-1, impl->dt(p + 2 * PAGE)) TH_LOG("%s", impl->name);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0, impl->dt(p));
		EXPECT_EQ(0, stat_in(impl, id).shm_nattch) TH_LOG("%s", impl->name);
		EXPECT_EQ(0, mincore(p + 3 * PAGE, PAGE, &(unsigned char){0}) == 0)
			TH_LOG("%s: a piece is still mapped", impl->name);
		EXPECT_EQ(0, impl->ctl(id, IPC_RMID, NULL));
	}
}

struct lock_case {
	const struct sysv_shm *impl;
	int a, b;	/* two segments of 3 pages, owned by USER */
};

/* errno of SHM_LOCK (0: locked). */
static int lock_errno(const struct sysv_shm *impl, int id)
{
	return impl->ctl(id, SHM_LOCK, NULL) ? errno : 0;
}

/*
 * As a user without CAP_IPC_LOCK: RLIMIT_MEMLOCK 0 is EPERM; with room
 * for 4 pages, one 3-page segment locks and a second is ENOMEM until the
 * first is unlocked or destroyed, which give the charge back.
 */
static int lock_charges(const void *arg)
{
	const struct lock_case *c = arg;
	struct rlimit zero = { 0, 4 * PAGE }, four = { 4 * PAGE, 4 * PAGE };

	if (setrlimit(RLIMIT_MEMLOCK, &zero))
		return 250;
	if (lock_errno(c->impl, c->a) != EPERM)
		return 1;
	if (setrlimit(RLIMIT_MEMLOCK, &four))
		return 251;
	if (lock_errno(c->impl, c->a) != 0)
		return 2;
	if (lock_errno(c->impl, c->a) != 0)	/* already locked: no second charge */
		return 3;
	if (lock_errno(c->impl, c->b) != ENOMEM)
		return 4;
	if (c->impl->ctl(c->a, SHM_UNLOCK, NULL))
		return 5;
	if (lock_errno(c->impl, c->b) != 0)
		return 6;
	if (lock_errno(c->impl, c->a) != ENOMEM)
		return 7;
	if (c->impl->ctl(c->b, IPC_RMID, NULL))
		return 8;
	if (lock_errno(c->impl, c->a) != 0)
		return 9;
	return c->impl->ctl(c->a, IPC_RMID, NULL) ? 10 : 0;
}

TEST(shm_lock_charges_memlock_as_linux)
{
	for (int i = 0; i < 2; i++) {
		struct lock_case c = { .impl = &impls[i] };
		struct shmid_ds ds;

		c.a = c.impl->get(IPC_PRIVATE, 3 * PAGE, IPC_CREAT | 0600);
		c.b = c.impl->get(IPC_PRIVATE, 3 * PAGE, IPC_CREAT | 0600);
		ASSERT_GE(c.a, 0);
		ASSERT_GE(c.b, 0);
		ds = stat_in(c.impl, c.a);
		ds.shm_perm.uid = USER;
		ASSERT_EQ(0, c.impl->ctl(c.a, IPC_SET, &ds));
		ASSERT_EQ(0, c.impl->ctl(c.b, IPC_SET, &ds));
		EXPECT_EQ(0, as_user(USER, lock_charges, &c)) TH_LOG("%s", c.impl->name);
		c.impl->ctl(c.a, IPC_RMID, NULL);
		c.impl->ctl(c.b, IPC_RMID, NULL);
	}
}

/*
 * Pages faulted into an SHM_LOCKed segment go to the unevictable list;
 * SHM_UNLOCK puts them back on the normal lists at once
 * (shmem_unlock_mapping()), not when the segment dies.
 */
TEST_F_TIMEOUT(shm, shm_unlock_returns_pages_as_linux, 120)
{
	const size_t size = 16 * MIB;

	for (int i = 0; i < 2; i++) {
		const struct sysv_shm *impl = &impls[i];
		long before, locked, unlocked;
		int id = impl->get(IPC_PRIVATE, size, IPC_CREAT | 0600);
		char *p;

		ASSERT_GE(id, 0);
		before = meminfo_kb("Unevictable");
		ASSERT_GE(before, 0);
		ASSERT_EQ(0, impl->ctl(id, SHM_LOCK, NULL));
		p = impl->at(id, NULL, 0);
		ASSERT_NE((void *)-1, p);
		memset(p, 1, size);
		locked = meminfo_kb("Unevictable");
		EXPECT_GE(locked - before, 12 * 1024) TH_LOG("%s: %ld -> %ld kB", impl->name,
							     before, locked);
		ASSERT_EQ(0, impl->ctl(id, SHM_UNLOCK, NULL));
		unlocked = meminfo_kb("Unevictable");
		EXPECT_LT(unlocked - before, 4 * 1024) TH_LOG("%s: %ld -> %ld -> %ld kB",
							      impl->name, before, locked,
							      unlocked);
		EXPECT_EQ(0, impl->dt(p));
		EXPECT_EQ(0, impl->ctl(id, IPC_RMID, NULL));
	}
}

/*
 * SHM_HUGETLB without hugetlbfs (the guest's kernel): newseg() finds no
 * huge page size and fails with EINVAL; an existing key ignores the flag.
 */
TEST(hugetlb_as_linux)
{
	for (int i = 0; i < 2; i++) {
		const struct sysv_shm *impl = &impls[i];
		key_t key = 0x52495348 + i;
		int id;

		impl->ctl(impl->get(key, 0, 0), IPC_RMID, NULL);
		EXPECT_EQ(-1, impl->get(IPC_PRIVATE, 2 * MIB, IPC_CREAT | SHM_HUGETLB | 0600));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", impl->name, strerror(errno));
		EXPECT_EQ(-1, impl->get(IPC_PRIVATE, 2 * MIB,
					IPC_CREAT | SHM_HUGETLB | (21 << SHM_HUGE_SHIFT) | 0600));
		EXPECT_EQ(EINVAL, errno);
		/* The size checks come first. */
		EXPECT_EQ(-1, impl->get(IPC_PRIVATE, 0, IPC_CREAT | SHM_HUGETLB | 0600));
		EXPECT_EQ(EINVAL, errno);
		id = impl->get(key, PAGE, IPC_CREAT | 0600);
		ASSERT_GE(id, 0);
		EXPECT_EQ(id, impl->get(key, PAGE, SHM_HUGETLB | 0600)) TH_LOG("%s", impl->name);
		EXPECT_EQ(0, impl->ctl(id, IPC_RMID, NULL));
	}
}

/*
 * SHM_EXEC attaches with PROT_EXEC: the attach file lives on shmem's
 * internal mount, which allows it, as Linux's clone file does.
 */
TEST(exec_attach_as_linux)
{
	for (int i = 0; i < 2; i++) {
		const struct sysv_shm *impl = &impls[i];
		int id = impl->get(IPC_PRIVATE, PAGE, IPC_CREAT | 0700);
		void *p;

		ASSERT_GE(id, 0);
		p = impl->at(id, NULL, SHM_EXEC);
		EXPECT_NE((void *)-1, p) TH_LOG("%s: %s", impl->name, strerror(errno));
		if (p != (void *)-1)
			EXPECT_EQ(0, impl->dt(p));
		EXPECT_EQ(0, impl->ctl(id, IPC_RMID, NULL));
	}
}

/* The inode number and name /proc/self/maps shows for the mapping at p. */
static unsigned long maps_inode(const void *p, char *name, size_t len)
{
	char line[512], path[256] = "";
	unsigned long start, ino = 0, found = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		path[0] = 0;
		if (sscanf(line, "%lx-%*x %*s %*s %*s %lu %255[^\n]", &start, &ino, path) >= 2 &&
		    start == (unsigned long)p) {
			found = ino;
			snprintf(name, len, "%s", path);
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * /proc/<pid>/maps shows an attachment as "/SYSV<key> (deleted)" with the
 * segment's id as its inode number (newseg()), which ps and pmap read.
 */
TEST(maps_show_key_and_id_as_linux)
{
	for (int i = 0; i < 2; i++) {
		const struct sysv_shm *impl = &impls[i];
		key_t key = 0x5249534a + i;
		char name[256] = "", want[64];
		int id;
		void *p;

		impl->ctl(impl->get(key, 0, 0), IPC_RMID, NULL);
		id = impl->get(key, PAGE, IPC_CREAT | 0600);
		ASSERT_GE(id, 0);
		p = impl->at(id, NULL, 0);
		ASSERT_NE((void *)-1, p);
		EXPECT_EQ(id, maps_inode(p, name, sizeof(name))) TH_LOG("%s", impl->name);
		snprintf(want, sizeof(want), "/SYSV%08x (deleted)", key);
		EXPECT_STREQ(want, name) TH_LOG("%s", impl->name);
		EXPECT_EQ(0, impl->dt(p));
		EXPECT_EQ(0, impl->ctl(id, IPC_RMID, NULL));
	}
}

struct pid_case {
	const struct sysv_shm *impl;
	int id;
	int fd;	/* the listing of ripcfs, for ripc; -1 for Linux */
};

/*
 * In a child that is pid 1 of a new pid namespace: the creator (its
 * parent) has no number there (0), its own attach shows as 1, in IPC_STAT
 * and in the sysvipc listing opened there.
 */
static int pids_in_child_ns(const void *arg)
{
	const struct pid_case *c = arg;
	struct shmid_ds ds;
	char buf[8192], want[128];
	void *p = c->impl->at(c->id, NULL, 0);
	ssize_t n;
	int fd;

	if (p == (void *)-1 || c->impl->dt(p))
		return 1;
	if (getpid() != 1)
		return 2;
	if (c->impl->ctl(c->id, IPC_STAT, &ds))
		return 3;
	if (ds.shm_cpid != 0 || ds.shm_lpid != 1)
		return 4;
	if (c->fd < 0)
		return 0;
	/*
	 * Opened here: the listing shows pids in its opener's pid namespace,
	 * fixed at open, as sysvipc_proc_open() does (c->fd, opened by the
	 * parent, would show the parent's numbers).
	 */
	fd = open(MNT "/sysvipc/shm", O_RDONLY);
	if (fd < 0)
		return 7;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return 5;
	buf[n] = 0;
	snprintf(want, sizeof(want), "%10d %10d  %4o %21lu %5u %5u ", 0, c->id, 0600, PAGE, 0, 1);
	return strstr(buf, want) ? 0 : 6;
}

TEST(pids_in_pid_namespace_as_linux)
{
	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL)) TH_LOG("mount: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		struct pid_case c = { .impl = &impls[i], .fd = -1 };
		struct shmid_ds ds;
		int status;
		pid_t pid;

		c.id = c.impl->get(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);
		ASSERT_GE(c.id, 0);
		if (i == 1) {
			c.fd = open(MNT "/sysvipc/shm", O_RDONLY);
			ASSERT_GE(c.fd, 0);
		}
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			pid_t child;

			if (unshare(CLONE_NEWPID))
				_exit(100);
			child = fork();
			if (child == 0)
				_exit(pids_in_child_ns(&c));
			waitpid(child, &status, 0);
			/* Tell the parent the child's pid, as seen from here. */
			_exit(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 100 + WEXITSTATUS(status));
		}
		waitpid(pid, &status, 0);
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("%s", c.impl->name);
		ds = stat_in(c.impl, c.id);
		/* From here, the creator is this process and the child has a number. */
		EXPECT_EQ(getpid(), ds.shm_cpid);
		EXPECT_GT(ds.shm_lpid, 0);
		EXPECT_NE(getpid(), ds.shm_lpid);
		if (c.fd >= 0)
			close(c.fd);
		EXPECT_EQ(0, c.impl->ctl(c.id, IPC_RMID, NULL));
	}
	EXPECT_EQ(0, umount(MNT));
}

/*
 * A named segment grows past 2 GiB as a /dev/shm file (tmpfs has
 * s_maxbytes MAX_LFS_FILESIZE), compared with a memfd (shmem too); no page
 * is touched.
 */
TEST(named_segment_past_2gib_as_linux)
{
	const off_t size = 4L << 30;
	const char *path = MNT "/shm/big";
	struct stat st;
	int fd, memfd;

	memfd = memfd_create("big", 0);
	ASSERT_GE(memfd, 0);
	EXPECT_EQ(0, ftruncate(memfd, size)) TH_LOG("linux: %s", strerror(errno));
	close(memfd);

	mkdir(MNT, 0755);
	ASSERT_EQ(0, mount("none", MNT, "ripcfs", 0, NULL)) TH_LOG("mount: %s", strerror(errno));
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, ftruncate(fd, size)) TH_LOG("ripc: %s", strerror(errno));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(size, st.st_size);
	close(fd);
	EXPECT_EQ(0, unlink(path));
	EXPECT_EQ(0, umount(MNT));
}

TEST_HARNESS_MAIN
