// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded, reproducible fuzzer of every ripc entry point.
 *
 * Several worker processes (half of them unprivileged, uid 1000) each run a
 * share of the operations, picked by their own xorshift generator seeded
 * from the run's seed: ioctls on /dev/ripc with well-formed, random and
 * adversarial arguments (bad, unaligned and kernel pointers, huge and
 * negative sizes, stale and foreign ids), read/write/poll/ioctl on every
 * kind of ripc file and on wrong kinds, ripcfs create/open/unlink/chmod/
 * mknod/mount/umount, SysV shared memory attached and detached, forks
 * killed in the middle of blocking calls, and (root workers) moves between
 * IPC namespaces and writes of the tunable module parameters. A
 * 2 ms interval timer interrupts any call that blocks.
 *
 * The program only checks that every worker ends normally; the guest
 * runner then checks what matters: no kernel report, kmemleak clean, rmmod
 * succeeds (scripts/guest/run-tests.sh). Environment: ripc_fuzz_seed and
 * ripc_fuzz_ops (also settable on the kernel command line by `make fuzz`).
 * The seed defaults to 1, so `make test` is repeatable; every run prints
 * its seed, so a failure can be replayed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ripc.h"

#define WORKERS 4
#define MNT "/tmp/ripc-fuzz-mnt"
#define MAX_FDS 48
#define MAX_IDS 16

static uint64_t rng;

/* Calls that succeeded, to show how deep a run got. */
static long succeeded;
#define COUNT(call) ((call) >= 0 ? (succeeded++, 0) : 0)

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return n ? next() % n : 0;
}

/*
 * A buffer the fuzzer owns, and pointers into and around it. It is a
 * mapping of its own followed by an inaccessible guard page, so that a
 * random size never lets the kernel write over the fuzzer's own state: a
 * copy that runs past the end faults (EFAULT) at the guard.
 */
#define BUF_SIZE (3 * 65536)
static unsigned char *buf;

static void map_buffer(void)
{
	buf = mmap(NULL, BUF_SIZE + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || mprotect(buf + BUF_SIZE, 4096, PROT_NONE))
		_exit(3);
}

static void *any_pointer(void)
{
	switch (below(8)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)(1 + below(4096));	/* low page */
	case 2:
		return (void *)0xffffffff81000000UL;		/* kernel text */
	case 3:
		return (void *)(uintptr_t)-1;
	case 4:
		return buf + below(BUF_SIZE);		/* unaligned, inside */
	case 5:
		return buf + BUF_SIZE - below(16);		/* runs off the end */
	default:
		return buf;
	}
}

static uint64_t any_size(void)
{
	static const uint64_t sizes[] = { 0, 1, 7, 8, 9, 4095, 4096, 4097, 65536, 1 << 20,
					  0x7fffffff, 0x80000000, UINT64_MAX, (uint64_t)-8 };

	return below(3) ? below(9000) : sizes[below(sizeof(sizes) / sizeof(sizes[0]))];
}

static int64_t any_int(void)
{
	static const int64_t vals[] = { 0, 1, -1, 2, 32767, 32768, 65535, INT32_MAX,
					INT32_MIN, INT64_MAX, INT64_MIN, 0x8000 };

	return below(2) ? (int64_t)below(64) - 8 : vals[below(sizeof(vals) / sizeof(vals[0]))];
}

static void fill_random(void *p, size_t n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = (unsigned char)next();
}

static int fds[MAX_FDS];
static int ids_msg[MAX_IDS], ids_sem[MAX_IDS], ids_shm[MAX_IDS];

/* Never 0, 1 or 2: random bytes written to the console could look like a
 * test result or a kernel report. */
static int any_fd(void)
{
	int fd;

	switch (below(6)) {
	case 0:
		fd = (int)any_int();
		return fd >= 0 && fd <= 2 ? -1 : fd;
	case 1:
		return ripc_dev_fd();
	default:
		return fds[below(MAX_FDS)];
	}
}

static void keep_fd(int fd)
{
	int slot = below(MAX_FDS);

	if (fd < 0)
		return;
	succeeded++;
	if (fds[slot] > 2 && fds[slot] != ripc_dev_fd())
		close(fds[slot]);
	fds[slot] = fd;
}

static int any_id(int *ids)
{
	return below(4) ? ids[below(MAX_IDS)] : (int)any_int();
}

static void keep_id(int *ids, int id)
{
	if (id >= 0) {
		succeeded++;
		ids[below(MAX_IDS)] = id;
	}
}

static const char *const kinds[] = { "notify", "pipe", "mq", "shm", "sysvipc" };

static void any_name(char *path, size_t n)
{
	snprintf(path, n, MNT "/%s/n%d", kinds[below(5)], (int)below(6));
}

static void op_dev_ioctl(void)
{
	static const unsigned long cmds[] = {
		RIPC_IOC_VERSION, RIPC_IOC_EVENTFD, RIPC_IOC_PIPE2, RIPC_IOC_MSGGET,
		RIPC_IOC_MSGSND, RIPC_IOC_MSGRCV, RIPC_IOC_MSGCTL, RIPC_IOC_SEMGET,
		RIPC_IOC_SEMOP, RIPC_IOC_SEMCTL, RIPC_IOC_MQ_OPEN, RIPC_IOC_MQ_TIMEDSEND,
		RIPC_IOC_MQ_TIMEDRECEIVE, RIPC_IOC_MQ_GETSETATTR, RIPC_IOC_MQ_NOTIFY,
		RIPC_PIPE_IOC_GETSZ, RIPC_PIPE_IOC_SETSZ, FIONREAD, RIPC_IOC_SHMGET,
		RIPC_IOC_SHMAT, RIPC_IOC_SHMDT, RIPC_IOC_SHMCTL,
	};
	unsigned long cmd = below(10) ? cmds[below(sizeof(cmds) / sizeof(cmds[0]))]
				      : (unsigned long)next();
	void *arg = any_pointer();
	int ret;

	/* A random structure, with fields that often look right. */
	if (arg == buf) {
		uint64_t *w = (uint64_t *)buf;
		int i;

		fill_random(buf, 256);
		for (i = 0; i < 8; i++)
			if (below(2))
				w[i] = below(2) ? (uint64_t)any_int() : (uintptr_t)any_pointer();
		/* shmat maps: SHM_REMAP over the fuzzer's own memory would end
		 * it, as on Linux. */
		if (cmd == RIPC_IOC_SHMAT)
			((struct ripc_shmat_args *)buf)->shmflg &= ~RIPC_SHM_REMAP;
	}
	ret = ioctl(below(8) ? ripc_dev_fd() : any_fd(), cmd, arg);
	COUNT(ret);
	/* Object-making ioctls return descriptors: keep some, close others. */
	if (ret > 2 && (cmd == RIPC_IOC_EVENTFD || cmd == RIPC_IOC_MQ_OPEN))
		keep_fd(ret);
}

static void op_make(void)
{
	int p[2], fd;

	switch (below(5)) {
	case 0:
		keep_fd(ripc_eventfd((unsigned int)next(), (int)(below(4) ? below(8) : next())));
		break;
	case 1:
		if (ripc_pipe2(p, (int)(below(4) ? (below(2) ? O_NONBLOCK : 0) : next())) == 0) {
			keep_fd(p[0]);
			keep_fd(p[1]);
		}
		break;
	case 2: {
		char path[128];

		any_name(path, sizeof(path));
		if (below(3))
			fd = open(path, (int)(O_CREAT | (below(2) ? O_RDWR : O_RDONLY) |
					      (below(2) ? O_NONBLOCK : 0) | (below(4) ? 0 : O_EXCL)),
				  (mode_t)below(01000));
		else
			fd = mknod(path, S_IFIFO | (mode_t)below(01000), 0) ? -1 :
			     open(path, O_RDWR | O_NONBLOCK);
		keep_fd(fd);
		break;
	}
	case 3:
		keep_id(ids_msg, ripc_msgget(below(3) ? IPC_PRIVATE : (key_t)(0xf0220 + below(8)),
					     (int)(IPC_CREAT | below(01000) |
						   (below(6) ? 0 : IPC_EXCL))));
		break;
	default:
		keep_id(ids_sem, ripc_semget(below(3) ? IPC_PRIVATE : (key_t)(0xf0330 + below(8)),
					     (int)(below(5) ? 1 + below(8) : any_int()),
					     (int)(IPC_CREAT | below(01000))));
		break;
	}
}

static void op_file(void)
{
	int fd = any_fd();
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	uint64_t size = any_size();

	if (size > BUF_SIZE && below(2))
		size = below(BUF_SIZE);
	switch (below(6)) {
	case 0:
		COUNT(read(fd, any_pointer(), size));
		break;
	case 1:
		fill_random(buf, 64);
		COUNT(write(fd, below(4) ? buf : any_pointer(), size));
		break;
	case 2:
		COUNT(poll(&pfd, 1, 0) > 0 ? 0 : -1);
		break;
	case 3:
		ioctl(fd, below(2) ? RIPC_PIPE_IOC_SETSZ : FIONREAD,
		      below(2) ? (unsigned long)any_size() : (unsigned long)any_pointer());
		break;
	case 4:
		fcntl(fd, F_SETFL, below(2) ? O_NONBLOCK : 0);
		break;
	default:
		keep_fd(dup(fd));
		break;
	}
}

static void op_sysv(void)
{
	struct sembuf sops[8];
	int n, i;

	switch (below(5)) {
	case 0:
		*(long *)buf = below(4) ? 1 + below(4) : any_int();
		COUNT(ripc_msgsnd(any_id(ids_msg), below(4) ? buf : any_pointer(),
				  any_size() % 10000, (int)(below(2) ? IPC_NOWAIT : 0)));
		break;
	case 1:
		COUNT(ripc_msgrcv(any_id(ids_msg), below(4) ? buf : any_pointer(),
				  any_size() % 10000, (long)any_int(),
				  (int)(below(4) ? IPC_NOWAIT : next() & 077777)));
		break;
	case 2:
		ripc_msgctl(any_id(ids_msg), (int)below(16),
			    below(2) ? (struct msqid_ds *)buf : any_pointer());
		break;
	case 3:
		n = below(8) ? 1 + below(8) : (int)any_int();
		for (i = 0; i < 8; i++) {
			sops[i].sem_num = (unsigned short)below(10);
			sops[i].sem_op = (short)(below(4) ? (int)below(5) - 2 : (short)next());
			sops[i].sem_flg = (short)((below(2) ? IPC_NOWAIT : 0) |
						  (below(3) ? 0 : SEM_UNDO));
		}
		COUNT(ripc_semop(any_id(ids_sem), below(6) ? sops : any_pointer(), (size_t)n));
		break;
	default:
		COUNT(ripc_semctl(any_id(ids_sem), (int)any_int() % 10, (int)below(24),
				  below(2) ? (void *)buf : any_pointer()));
		break;
	}
}

/* Shared memory: segments of random sizes, attached, touched, detached. */
static void op_shm(void)
{
	static void *attached[8];
	void *addr;
	int slot = below(8);

	switch (below(5)) {
	case 0:
		keep_id(ids_shm, ripc_shmget(below(3) ? IPC_PRIVATE : (key_t)(0xf0440 + below(8)),
					     below(4) ? 1 + below(3 * 4096) : any_size(),
					     (int)(IPC_CREAT | below(01000))));
		break;
	case 1:
		addr = ripc_shmat(any_id(ids_shm), below(4) ? NULL : any_pointer(),
				  (int)(below(2) ? SHM_RDONLY : 0) | (int)(below(4) ? 0 : SHM_RND));
		if (addr != (void *)-1) {
			succeeded++;
			if (attached[slot])
				ripc_shmdt(attached[slot]);
			attached[slot] = addr;
			/* Read always; a read-only attach would fault on a write. */
			buf[0] = *(volatile unsigned char *)addr;
		}
		break;
	case 2:
		COUNT(ripc_shmdt(below(4) ? attached[slot] : any_pointer()));
		attached[slot] = NULL;
		break;
	default:
		COUNT(ripc_shmctl(any_id(ids_shm), (int)below(16),
				  below(2) ? (struct shmid_ds *)buf : any_pointer()));
		break;
	}
}

static void op_fs(int root)
{
	char path[128];

	any_name(path, sizeof(path));
	switch (below(5)) {
	case 0:
		unlink(path);
		break;
	case 1:
		chmod(path, (mode_t)below(010000));
		break;
	case 2:
		chown(path, below(2) ? 1000 : 0, below(2) ? 1000 : 0);
		break;
	case 3:
		keep_fd(open(path, (int)(below(3) | O_NONBLOCK)));
		break;
	default:
		/* Mount and unmount: root only, and rarely. */
		if (root && !below(20)) {
			if (below(2))
				umount2(MNT, MNT_DETACH);
			else
				mount("none", MNT, "ripcfs", 0, NULL);
		}
		break;
	}
}

/* A child blocks in some ripc call and is killed at a random moment. */
static void op_kill_blocked(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		char c;
		int p[2];

		setitimer(ITIMER_REAL, &off, NULL);
		switch (below(3)) {
		case 0:
			if (ripc_pipe2(p, 0) == 0)
				read(p[0], &c, 1);
			break;
		case 1:
			read(ripc_eventfd(0, 0), buf, 8);
			break;
		default: {
			struct sembuf down = { 0, -1, SEM_UNDO };

			ripc_semop(any_id(ids_sem), &down, 1);
			break;
		}
		}
		_exit(0);
	}
	if (pid > 0) {
		usleep(below(3000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* The initial IPC namespace, to come back to; and the tunables. */
static int home_ns = -1;
static const char *const params[] = { "msgmni", "msgmax", "msgmnb", "semmsl", "semopm",
				      "semmni", "shmmni", "mq_msg_max", "pipe_max_size" };
#define NR_PARAMS (sizeof(params) / sizeof(params[0]))
static char saved_params[NR_PARAMS][32];

static int param_io(const char *name, char *value, size_t len, int write_it)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/ripc/parameters/%s", name);
	fd = open(path, write_it ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -1;
	n = write_it ? write(fd, value, strlen(value)) : read(fd, value, len - 1);
	if (!write_it && n >= 0)
		value[n] = 0;
	close(fd);
	return n < 0 ? -1 : 0;
}

/*
 * Root only: move to a new IPC namespace or back home (so that namespaces
 * die while other workers run, and held ids become foreign), or set a
 * tunable to a small, huge or out-of-range value (restored at the end).
 */
static void op_ns(void)
{
	char value[32];

	switch (below(3)) {
	case 0:
		COUNT(unshare(CLONE_NEWIPC));
		break;
	case 1:
		COUNT(setns(home_ns, CLONE_NEWIPC));
		break;
	default:
		snprintf(value, sizeof(value), "%llu",
			 (unsigned long long)(below(2) ? below(64) : next()));
		COUNT(param_io(params[below(NR_PARAMS)], value, sizeof(value), 1));
		break;
	}
}

static void on_timer(int sig)
{
}

static void worker(int index, uint64_t seed, long ops)
{
	struct sigaction sa = { .sa_handler = on_timer };
	struct itimerval every = { { 0, 2000 }, { 0, 2000 } };
	int root = index % 2 == 0;
	long i;

	rng = seed * 0x9e3779b97f4a7c15ULL + (uint64_t)index + 1;
	map_buffer();
	memset(fds, -1, sizeof(fds));
	memset(ids_msg, -1, sizeof(ids_msg));
	memset(ids_sem, -1, sizeof(ids_sem));
	memset(ids_shm, -1, sizeof(ids_shm));
	if (!root && (setgroups(0, NULL) || setgid(1000) || setuid(1000)))
		_exit(2);
	/* No SA_RESTART: any call that blocks is interrupted within 2 ms. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setitimer(ITIMER_REAL, &every, NULL);
	for (i = 0; i < ops; i++) {
		switch (below(16)) {
		case 0 ... 3:
			op_dev_ioctl();
			break;
		case 4 ... 6:
			op_make();
			break;
		case 7 ... 10:
			op_file();
			break;
		case 11 ... 12:
			op_sysv();
			break;
		case 13:
			op_shm();
			break;
		case 14:
			op_fs(root);
			break;
		default:
			if (below(8) == 0) {
				op_kill_blocked();
			} else if (root && below(32) == 0) {
				op_ns();
			} else {
				int slot = below(MAX_FDS);

				if (fds[slot] > 2)
					close(fds[slot]);
				fds[slot] = -1;
			}
			break;
		}
	}
	printf("# worker %d (uid %d): %ld of %ld operations succeeded\n", index, getuid(),
	       succeeded, ops);
	fflush(stdout);
	_exit(0);
}

static void unlink_all_names(void)
{
	static const char *const dirs[] = { "notify", "pipe", "mq", "shm" };
	char path[512];
	struct dirent *e;
	unsigned int i;
	DIR *d;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), MNT "/%s", dirs[i]);
		d = opendir(path);
		if (!d)
			continue;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.') {
				snprintf(path, sizeof(path), MNT "/%s/%s", dirs[i], e->d_name);
				unlink(path);
			}
		closedir(d);
	}
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

int main(void)
{
	uint64_t seed = env_u64("ripc_fuzz_seed", 1);
	long ops = (long)env_u64("ripc_fuzz_ops", 4000);
	pid_t pids[WORKERS];
	int i, bad = 0, status, id;

	printf("TAP version 13\n1..1\n# seed=%llu ops=%ld workers=%d\n",
	       (unsigned long long)seed, ops, WORKERS);
	fflush(stdout);
	mkdir(MNT, 0755);
	mount("none", MNT, "ripcfs", 0, NULL);
	home_ns = open("/proc/self/ns/ipc", O_RDONLY);
	for (i = 0; i < (int)NR_PARAMS; i++)
		param_io(params[i], saved_params[i], sizeof(saved_params[i]), 0);
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			worker(i, seed, ops / WORKERS);
	}
	for (i = 0; i < WORKERS; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# worker %d ended with status %#x\n", i, status);
			bad++;
		}
	}
	for (i = 0; i < (int)NR_PARAMS; i++)
		param_io(params[i], saved_params[i], sizeof(saved_params[i]), 1);
	/* Leave no object behind, so that the runner's rmmod proves no leak
	 * (objects of the namespaces the workers made went with them). */
	for (id = 0; id < 1 << 15; id++) {
		struct msqid_ds mds;
		struct semid_ds sds;
		struct shmid_ds shds;
		int full;

		full = ripc_msgctl(id, MSG_STAT_ANY, &mds);
		if (full >= 0)
			ripc_msgctl(full, IPC_RMID, NULL);
		full = ripc_semctl(id, 0, SEM_STAT_ANY, (void *)&sds);
		if (full >= 0)
			ripc_semctl(full, 0, IPC_RMID);
		full = ripc_shmctl(id, SHM_STAT_ANY, &shds);
		if (full >= 0)
			ripc_shmctl(full, IPC_RMID, NULL);
	}
	/* Names too: another ripcfs mount would keep them (and their
	 * charges, such as RLIMIT_MSGQUEUE) alive after this program. */
	mount("none", MNT, "ripcfs", 0, NULL);
	unlink_all_names();
	while (umount2(MNT, MNT_DETACH) == 0)
		;
	printf("%sok 1 fuzz seed=%llu ops=%ld\n", bad ? "not " : "", (unsigned long long)seed, ops);
	return bad ? 1 : 0;
}
