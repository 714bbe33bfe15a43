// SPDX-License-Identifier: GPL-2.0
/*
 * Stress with invariants: for each mechanism, several processes hammer one
 * object for a fixed time, then the test checks what came out against what
 * went in: nothing lost, nothing duplicated, nothing reordered where order
 * is promised, no torn record, tokens and sums conserved.
 *
 * Environment: RIPC_STRESS_SECONDS (default 2) is the run time of each
 * case, RIPC_STRESS_PROCS (default 4, 2 to 16) the number of workers of
 * each kind. `make test` runs the defaults; `make stress` a long run
 * (Documentation/testing.rst). The figures printed as "# ..." lines are
 * information only: nothing is asserted about them beyond "some work was
 * done", and nothing at all about time.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
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
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define MNT "/tmp/ripc-stress-mnt"
#define MAX_PROCS 16
#define MAX_SEQ (1U << 22)	/* messages per sender in a queue case */

/* One ripcfs for the whole program (POSIX queues), found through RIPCFS_MOUNT. */
__attribute__((constructor)) static void mount_ripcfs(void)
{
	mount_ripcfs_for_libripc(MNT);
}

static int env_int(const char *name, int dflt, int min, int max)
{
	const char *v = getenv(name);
	long n = v && *v ? strtol(v, NULL, 0) : dflt;

	return n < min ? min : n > max ? max : n;
}

static int stress_seconds(void)
{
	return env_int("RIPC_STRESS_SECONDS", 2, 1, 24 * 3600);
}

/* The harness's limit for one case: the run, then a generous drain. */
static int stress_timeout(void)
{
	return 2 * stress_seconds() + 120;
}

/* A generous bound for waiting on the drain after the run (10 s minimum). */
static int drain_ms(int seconds)
{
	return (seconds + 10) * 1000;
}

/* xorshift64*: each process has its own, seeded from its pid and role. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* A number in [lo, hi]. */
static uint32_t rnd_in(uint64_t *s, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd(s) >> 33) % (hi - lo + 1);
}

static uint64_t seed_for(int role, int index)
{
	return ((uint64_t)getpid() << 32 | (uint64_t)role << 16 | index) * 0x9E3779B97F4A7C15ULL | 1;
}

static bool running(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec < end->tv_sec || (now.tv_sec == end->tv_sec && now.tv_nsec < end->tv_nsec);
}

/* Zeroed memory that the test's children share with it. */
static void *shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* In a worker: report a broken invariant and make the worker fail. */
#define CHECK(cond, fmt, ...)                                                 \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("# %s:%d: " fmt "\n", __func__, __LINE__,      \
			       ##__VA_ARGS__);                                \
			fflush(stdout);                                       \
			return 1;                                             \
		}                                                             \
	} while (0)

/* Runs fn(ctx, index) in a child that exits with its result. */
static pid_t spawn(int (*fn)(void *, int), void *ctx, int index)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(fn(ctx, index));
	return pid;
}

/* Waits for n children; returns how many did not exit with status 0. */
static int reap(pid_t *pids, int n, const char *what)
{
	int i, status, bad = 0;

	for (i = 0; i < n; i++) {
		if (pids[i] <= 0 || waitpid(pids[i], &status, 0) != pids[i]) {
			printf("# %s %d: could not be started or waited for\n", what, i);
			bad++;
		} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# %s %d ended with status %#x\n", what, i, status);
			bad++;
		}
		pids[i] = 0;
	}
	fflush(stdout);
	return bad;
}

/* Bits seen[sender][seq], set exactly once each; shared by the receivers. */
struct seen_map {
	uint64_t *bits;
	uint32_t max_seq;	/* per sender, a multiple of 64 */
};

static int seen_init(struct seen_map *m, int senders, uint32_t max_seq)
{
	m->max_seq = max_seq;
	m->bits = shared((size_t)senders * max_seq / 8);
	return m->bits ? 0 : -1;
}

/* Marks (sender, seq) seen; false if it was already. */
static bool seen_mark(struct seen_map *m, uint32_t sender, uint32_t seq)
{
	uint64_t *word = &m->bits[((size_t)sender * m->max_seq + seq) / 64];
	uint64_t bit = 1ULL << (seq % 64);

	return !(__atomic_fetch_or(word, bit, __ATOMIC_RELAXED) & bit);
}

/* The first seq of sender in [0, max_seq) whose "seen" differs from seq < sent. */
static long seen_first_wrong(struct seen_map *m, uint32_t sender, uint32_t sent)
{
	const uint64_t *bits = m->bits + (size_t)sender * m->max_seq / 64;
	uint32_t word;

	for (word = 0; word < m->max_seq / 64; word++) {
		uint32_t base = word * 64;
		uint64_t want = sent >= base + 64 ? ~0ULL : sent <= base ? 0 : (1ULL << (sent - base)) - 1;

		if (bits[word] != want)
			return base + __builtin_ctzll(bits[word] ^ want);
	}
	return -1;
}

static uint64_t sum_u64(const uint64_t *v, int n)
{
	uint64_t s = 0;

	while (n--)
		s += __atomic_load_n(v++, __ATOMIC_RELAXED);
	return s;
}

/*
 * What the queue cases count: messages sent per sender, received per
 * receiver, and which (sender, seq) were received.
 */
struct tally {
	struct seen_map seen;
	uint64_t *sent;		/* [MAX_PROCS] */
	uint64_t *rcvd;		/* [MAX_PROCS] */
	uint64_t *extra;	/* one more figure of the case */
	int senders;
};

static int tally_init(struct tally *t, int senders, uint32_t max_seq)
{
	t->senders = senders;
	t->sent = shared(4096);
	if (!t->sent)
		return -1;
	t->rcvd = t->sent + MAX_PROCS;
	t->extra = t->sent + 2 * MAX_PROCS;
	return seen_init(&t->seen, senders, max_seq);
}

/* Every message sent was received exactly once. Returns how many were sent. */
static uint64_t tally_check(struct __test_metadata *_metadata, struct tally *t, int receivers)
{
	uint64_t sent = sum_u64(t->sent, t->senders);
	int i;

	for (i = 0; i < t->senders; i++)
		EXPECT_EQ(-1, seen_first_wrong(&t->seen, i, t->sent[i]))
			TH_LOG("sender %d sent %llu", i, (unsigned long long)t->sent[i]);
	EXPECT_EQ(sent, sum_u64(t->rcvd, receivers));
	EXPECT_LT(0, sent);
	munmap(t->seen.bits, (size_t)t->senders * t->seen.max_seq / 8);
	return sent;
}

FIXTURE(stress) {
	int seconds, procs;
	struct timespec end;
};

FIXTURE_SETUP(stress)
{
	self->seconds = stress_seconds();
	self->procs = env_int("RIPC_STRESS_PROCS", 4, 2, MAX_PROCS);
	clock_gettime(CLOCK_MONOTONIC, &self->end);
	self->end.tv_sec += self->seconds;
}

FIXTURE_TEARDOWN(stress)
{
}

/*
 * Pipes, many writers and one reader. Writers 0..n-1 write records of at
 * most PIPE_BUF bytes, which must arrive whole; writer n writes chunks
 * larger than PIPE_BUF, which may be split and interleaved with records.
 * To tell the two apart in one byte stream, record bytes have the high bit
 * clear and the big writer's bytes have it set. A record is:
 *   len/128, len%128, writer, seq in four 7-bit bytes, len payload bytes,
 *   a 7-bit sum of all the bytes before it.
 * The reader checks that every record is whole (no high-bit byte inside),
 * each writer's sequence numbers follow each other from 0, payloads and
 * sums match, and the big writer's bytes form its stream without a gap.
 */
#define REC_HDR 7
#define REC_MAX PIPE_BUF

struct pipe_ctx {
	int fds[2];
	int writers;		/* small-record writers; index `writers` is the big one */
	struct timespec end;
	uint64_t *sent;		/* [writers]: records written */
	uint64_t *rcvd;		/* [writers]: records read */
	uint64_t *big;		/* [0] bytes written by the big writer, [1] read */
	uint64_t *resizes;	/* successful F_SETPIPE_SZ by the reader */
};

static uint8_t rec_byte(uint32_t writer, uint32_t seq, uint32_t i)
{
	return (seq * 31 + i * 7 + writer) & 0x7f;
}

static uint8_t big_byte(uint64_t pos)
{
	return 0x80 | (uint8_t)((uint32_t)(pos * 0x9E3779B1u) >> 25);
}

static int pipe_writer(void *p, int w)
{
	struct pipe_ctx *c = p;
	static uint8_t buf[4 * PIPE_BUF];
	uint64_t s = seed_for(1, w);
	uint64_t pos = 0;
	uint32_t seq = 0;

	close(c->fds[0]);
	while (running(&c->end)) {
		size_t len, i;
		ssize_t n;

		if (w == c->writers) {
			len = rnd_in(&s, PIPE_BUF + 1, sizeof(buf));
			for (i = 0; i < len; i++)
				buf[i] = big_byte(pos + i);
			n = write(c->fds[1], buf, len);
			CHECK(n == (ssize_t)len, "big write of %zu: %zd (%s)", len, n, strerror(errno));
			pos += len;
			__atomic_store_n(&c->big[0], pos, __ATOMIC_RELAXED);
			continue;
		}
		/* Mostly small records, some up to PIPE_BUF in all. */
		len = rnd_in(&s, 0, 3) ? rnd_in(&s, 0, 200) : rnd_in(&s, 0, REC_MAX - REC_HDR - 1);
		buf[0] = len >> 7;
		buf[1] = len & 0x7f;
		buf[2] = w;
		for (i = 0; i < 4; i++)
			buf[3 + i] = (seq >> (7 * i)) & 0x7f;
		for (i = 0; i < len; i++)
			buf[REC_HDR + i] = rec_byte(w, seq, i);
		buf[REC_HDR + len] = 0;
		for (i = 0; i < REC_HDR + len; i++)
			buf[REC_HDR + len] += buf[i];
		buf[REC_HDR + len] &= 0x7f;
		n = write(c->fds[1], buf, REC_HDR + len + 1);
		CHECK(n == (ssize_t)(REC_HDR + len + 1), "record write: %zd (%s)", n, strerror(errno));
		seq++;
		__atomic_store_n(&c->sent[w], seq, __ATOMIC_RELAXED);
	}
	return 0;
}

static int pipe_reader(void *p, int unused)
{
	struct pipe_ctx *c = p;
	static uint8_t buf[16384], rec[REC_MAX];
	uint64_t s = seed_for(2, 0), bigpos = 0, reads = 0;
	uint32_t next[MAX_PROCS + 1] = { 0 };
	size_t have = 0, need = 0;

	close(c->fds[1]);
	for (;;) {
		ssize_t n = read(c->fds[0], buf, rnd_in(&s, 1, sizeof(buf)));
		ssize_t k;

		CHECK(n >= 0, "read: %s", strerror(errno));
		if (n == 0)
			break;
		/* Now and then change the capacity under the writers' feet. */
		if (++reads % 64 == 0) {
			if (ripc_pipe_set_size(c->fds[0], 1U << rnd_in(&s, 12, 20)) >= 0)
				(*c->resizes)++;
			else
				CHECK(errno == EBUSY, "F_SETPIPE_SZ: %s", strerror(errno));
		}
		for (k = 0; k < n; k++) {
			uint8_t b = buf[k];

			if (b & 0x80) {
				CHECK(have == 0, "a big write's byte inside a record (%zu of %zu bytes)",
				      have, need);
				CHECK(b == big_byte(bigpos), "big stream byte %llu: %#x, not %#x",
				      (unsigned long long)bigpos, b, big_byte(bigpos));
				bigpos++;
				continue;
			}
			rec[have++] = b;
			if (have == 2)
				need = REC_HDR + (rec[0] << 7 | rec[1]) + 1;
			if (have < 2 || have < need)
				continue;
			CHECK(need <= REC_MAX, "record of %zu bytes", need);
			{
				uint32_t w = rec[2], seq = 0, i;
				uint8_t sum = 0;

				for (i = 0; i < 4; i++)
					seq |= (uint32_t)rec[3 + i] << (7 * i);
				CHECK(w < (uint32_t)c->writers, "record from writer %u", w);
				CHECK(seq == next[w], "writer %u: record %u where %u was due", w, seq,
				      next[w]);
				for (i = 0; i < need - REC_HDR - 1; i++)
					CHECK(rec[REC_HDR + i] == rec_byte(w, seq, i),
					      "writer %u record %u: payload byte %u", w, seq, i);
				for (i = 0; i < need - 1; i++)
					sum += rec[i];
				CHECK((sum & 0x7f) == rec[need - 1], "writer %u record %u: sum", w, seq);
				next[w]++;
			}
			have = need = 0;
		}
	}
	CHECK(have == 0, "the stream ends inside a record");
	for (int w = 0; w < c->writers; w++)
		c->rcvd[w] = next[w];
	c->big[1] = bigpos;
	return 0;
}

TEST_F_TIMEOUT(stress, pipe_records, stress_timeout())
{
	struct pipe_ctx c = { .writers = self->procs, .end = self->end };
	uint64_t *mem = shared(4096);
	pid_t pids[MAX_PROCS + 2];
	int i, n = c.writers + 1;

	ASSERT_NE(NULL, mem);
	c.sent = mem;
	c.rcvd = mem + MAX_PROCS;
	c.big = mem + 2 * MAX_PROCS;
	c.resizes = mem + 2 * MAX_PROCS + 2;
	ASSERT_EQ(0, ripc_pipe(c.fds)) TH_LOG("ripc_pipe: %s", strerror(errno));
	pids[n] = spawn(pipe_reader, &c, 0);
	for (i = 0; i < n; i++)
		pids[i] = spawn(pipe_writer, &c, i);
	close(c.fds[0]);
	close(c.fds[1]);
	EXPECT_EQ(0, reap(pids, n + 1, "pipe worker"));
	for (i = 0; i < c.writers; i++)
		EXPECT_EQ(c.sent[i], c.rcvd[i]) TH_LOG("writer %d", i);
	EXPECT_EQ(c.big[0], c.big[1]);
	EXPECT_LT(0, sum_u64(c.sent, c.writers));
	EXPECT_LT(0, c.big[0]);
	printf("# pipe_records: %d writers, %llu records, %llu bytes in big writes, %llu resizes\n",
	       c.writers, (unsigned long long)sum_u64(c.sent, c.writers),
	       (unsigned long long)c.big[0], (unsigned long long)*c.resizes);
	munmap(mem, 4096);
}

/*
 * Pipes, one writer and one reader: a byte stream of random write and read
 * sizes (up to twice the capacity), each end switching between blocking
 * and non-blocking (poll) now and then, must arrive exactly.
 */
static uint8_t stream_byte(uint64_t pos)
{
	return (uint8_t)((pos * 0x9E3779B97F4A7C15ULL) >> 56);
}

/* Now and then, switches fd between blocking and non-blocking. */
static int maybe_toggle_nonblock(int fd, bool *nb, uint64_t *s)
{
	int fl = fcntl(fd, F_GETFL);

	if (rnd_in(s, 0, 15))
		return 0;
	*nb = !*nb;
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, *nb ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* A transfer size: mostly small, a quarter of the time up to max. */
static size_t io_size(uint64_t *s, size_t max)
{
	return rnd_in(s, 0, 3) ? rnd_in(s, 1, 512) : rnd_in(s, 1, max);
}

/* After EAGAIN on a non-blocking end: 0 once it is ready for events. */
static int wait_ready(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, -1) == 1 ? 0 : -1;
}

static int stream_writer(void *p, int unused)
{
	struct pipe_ctx *c = p;
	static uint8_t buf[1 << 17];
	uint64_t s = seed_for(3, 0), pos = 0;
	bool nb = false;

	close(c->fds[0]);
	while (running(&c->end)) {
		size_t len = io_size(&s, sizeof(buf)), done = 0, i;

		CHECK(!maybe_toggle_nonblock(c->fds[1], &nb, &s), "F_SETFL: %s", strerror(errno));
		for (i = 0; i < len; i++)
			buf[i] = stream_byte(pos + i);
		while (done < len) {
			ssize_t n = write(c->fds[1], buf + done, len - done);

			if (n < 0 && errno == EAGAIN && nb) {
				CHECK(!wait_ready(c->fds[1], POLLOUT), "poll: %s", strerror(errno));
				continue;
			}
			CHECK(n > 0, "write: %zd (%s)", n, strerror(errno));
			CHECK(nb || (size_t)n == len - done, "blocking write of %zu: %zd", len - done, n);
			done += n;
		}
		pos += len;
		__atomic_store_n(&c->big[0], pos, __ATOMIC_RELAXED);
	}
	return 0;
}

static int stream_reader(void *p, int unused)
{
	struct pipe_ctx *c = p;
	static uint8_t buf[1 << 17];
	uint64_t s = seed_for(4, 0), pos = 0;
	bool nb = false;

	close(c->fds[1]);
	for (;;) {
		ssize_t n, i;

		CHECK(!maybe_toggle_nonblock(c->fds[0], &nb, &s), "F_SETFL: %s", strerror(errno));
		n = read(c->fds[0], buf, io_size(&s, sizeof(buf)));
		if (n < 0 && errno == EAGAIN && nb) {
			CHECK(!wait_ready(c->fds[0], POLLIN), "poll: %s", strerror(errno));
			continue;
		}
		CHECK(n >= 0, "read: %s", strerror(errno));
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			CHECK(buf[i] == stream_byte(pos + i), "byte %llu: %#x, not %#x",
			      (unsigned long long)(pos + i), buf[i], stream_byte(pos + i));
		pos += n;
	}
	c->big[1] = pos;
	return 0;
}

TEST_F_TIMEOUT(stress, pipe_byte_stream, stress_timeout())
{
	struct pipe_ctx c = { .end = self->end };
	uint64_t *mem = shared(4096);
	pid_t pids[2];

	ASSERT_NE(NULL, mem);
	c.big = mem;
	ASSERT_EQ(0, ripc_pipe(c.fds)) TH_LOG("ripc_pipe: %s", strerror(errno));
	pids[0] = spawn(stream_writer, &c, 0);
	pids[1] = spawn(stream_reader, &c, 0);
	close(c.fds[0]);
	close(c.fds[1]);
	EXPECT_EQ(0, reap(pids, 2, "stream worker"));
	EXPECT_EQ(c.big[0], c.big[1]);
	EXPECT_LT(0, c.big[0]);
	printf("# pipe_byte_stream: %llu bytes\n", (unsigned long long)c.big[0]);
	munmap(mem, 4096);
}

/*
 * Pipes, many writers and many readers: writers write runs of 8-byte
 * tokens (writer, sequence number, "first of its write"), at most
 * PIPE_BUF bytes at a time, and readers read multiples of 8 bytes. As
 * writes are atomic and reads take what is there up to the size asked,
 * every read returns whole tokens; inside one read, a token that is not
 * the first of its write follows its predecessor; each reader sees each
 * writer's tokens in order; and every token is read exactly once.
 */
#define TOKEN_READERS 3
#define TOKEN_MAX_SEQ (1U << 24)
#define TOKEN_FIRST (1ULL << 63)

struct token_ctx {
	int fds[2];
	struct timespec end;
	struct tally t;
};

static int token_writer(void *p, int w)
{
	struct token_ctx *c = p;
	uint64_t buf[PIPE_BUF / 8], s = seed_for(11, w);
	uint32_t seq = 0;

	close(c->fds[0]);
	while (running(&c->end) && seq < TOKEN_MAX_SEQ - PIPE_BUF / 8) {
		uint32_t k = rnd_in(&s, 0, 3) ? rnd_in(&s, 1, 16) : rnd_in(&s, 1, PIPE_BUF / 8), i;
		ssize_t n;

		for (i = 0; i < k; i++)
			buf[i] = (uint64_t)w << 32 | (seq + i) | (i ? 0 : TOKEN_FIRST);
		n = write(c->fds[1], buf, k * 8);
		CHECK(n == k * 8, "write of %u tokens: %zd (%s)", k, n, strerror(errno));
		seq += k;
		__atomic_store_n(&c->t.sent[w], seq, __ATOMIC_RELAXED);
	}
	return 0;
}

static int token_reader(void *p, int r)
{
	struct token_ctx *c = p;
	static uint64_t buf[8192];
	uint64_t s = seed_for(12, r);
	int64_t last[MAX_PROCS];
	int i;

	close(c->fds[1]);
	for (i = 0; i < MAX_PROCS; i++)
		last[i] = -1;
	for (;;) {
		ssize_t n = read(c->fds[0], buf, 8 * io_size(&s, sizeof(buf) / 8)), k;

		CHECK(n >= 0 && n % 8 == 0, "read: %zd (%s)", n, strerror(errno));
		if (n == 0)
			break;
		for (k = 0; k < n / 8; k++) {
			uint32_t w = (buf[k] >> 32) & 0x7fffffff, seq = (uint32_t)buf[k];

			CHECK(w < (uint32_t)c->t.senders && seq < TOKEN_MAX_SEQ, "token %#llx",
			      (unsigned long long)buf[k]);
			CHECK((buf[k] & TOKEN_FIRST) || k == 0 ||
			      (buf[k - 1] & ~TOKEN_FIRST) == ((uint64_t)w << 32 | (seq - 1)),
			      "token %#llx after %#llx: a write torn", (unsigned long long)buf[k],
			      (unsigned long long)buf[k - 1]);
			CHECK((int64_t)seq > last[w], "writer %u: token %u after %lld", w, seq,
			      (long long)last[w]);
			CHECK(seen_mark(&c->t.seen, w, seq), "writer %u token %u read twice", w, seq);
			last[w] = seq;
		}
		__atomic_fetch_add(&c->t.rcvd[r], n / 8, __ATOMIC_RELAXED);
	}
	return 0;
}

TEST_F_TIMEOUT(stress, pipe_many_readers, stress_timeout())
{
	struct token_ctx c = { .end = self->end };
	pid_t writers[MAX_PROCS], readers[TOKEN_READERS];
	uint64_t sent, *rcvd;
	int i;

	ASSERT_EQ(0, tally_init(&c.t, self->procs, TOKEN_MAX_SEQ));
	ASSERT_EQ(0, ripc_pipe(c.fds)) TH_LOG("ripc_pipe: %s", strerror(errno));
	for (i = 0; i < TOKEN_READERS; i++)
		readers[i] = spawn(token_reader, &c, i);
	for (i = 0; i < self->procs; i++)
		writers[i] = spawn(token_writer, &c, i);
	close(c.fds[0]);
	close(c.fds[1]);
	EXPECT_EQ(0, reap(writers, self->procs, "writer"));
	EXPECT_EQ(0, reap(readers, TOKEN_READERS, "reader"));
	sent = tally_check(_metadata, &c.t, TOKEN_READERS);
	rcvd = c.t.rcvd;
	printf("# pipe_many_readers: %d writers, %llu tokens; read %llu %llu %llu\n", self->procs,
	       (unsigned long long)sent, (unsigned long long)rcvd[0], (unsigned long long)rcvd[1],
	       (unsigned long long)rcvd[2]);
	munmap(c.t.sent, 4096);
}

/*
 * SysV message queues: n senders, sender s sending type s + 1 with a
 * sequence number, a length and a sum; four receivers taking any type,
 * the lowest type up to n/2 (negative msgtyp, polling with IPC_NOWAIT),
 * type 1 only, and every type but 2 (MSG_EXCEPT). Each message must be
 * received exactly once, whole, and each receiver must see each sender's
 * messages in the order they were sent: a receiver takes the first
 * matching message of the queue, and a sender's messages are queued in
 * order. Odd senders use IPC_NOWAIT and retry. After the senders, the
 * queue drains, and IPC_RMID wakes the receivers with EIDRM.
 */
#define MSG_DATA 1024
#define MSG_RECEIVERS 4

struct stress_msg {
	long mtype;
	uint32_t sender, seq, len, sum;
	uint8_t data[MSG_DATA];
};

#define MSG_HDR (offsetof(struct stress_msg, data) - sizeof(long))

struct msg_ctx {
	int id;
	struct timespec end;
	struct tally t;
};

static uint32_t data_sum(const uint8_t *d, uint32_t len)
{
	uint32_t s = 0, i;

	for (i = 0; i < len; i++)
		s = s * 31 + d[i];
	return s;
}

static void fill(uint8_t *d, uint32_t len, uint64_t *s)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		d[i] = rnd(s) >> 56;
}

static int msg_sender(void *p, int sender)
{
	struct msg_ctx *c = p;
	struct stress_msg m = { .mtype = sender + 1, .sender = sender };
	uint64_t s = seed_for(5, sender);
	int flags = sender % 2 ? IPC_NOWAIT : 0;

	while (running(&c->end) && m.seq < MAX_SEQ) {
		m.len = rnd_in(&s, 0, 7) ? rnd_in(&s, 0, 64) : rnd_in(&s, 0, MSG_DATA);
		fill(m.data, m.len, &s);
		m.sum = data_sum(m.data, m.len);
		if (ripc_msgsnd(c->id, &m, MSG_HDR + m.len, flags)) {
			CHECK(errno == EAGAIN && flags, "msgsnd: %s", strerror(errno));
			sched_yield();
			continue;
		}
		m.seq++;
		__atomic_store_n(&c->t.sent[sender], m.seq, __ATOMIC_RELAXED);
	}
	return 0;
}

static int msg_receiver(void *p, int r)
{
	static const struct { int type_of_n_half, type, flags; } role[MSG_RECEIVERS] = {
		{ 0, 0, 0 }, { 1, 0, IPC_NOWAIT }, { 0, 1, 0 }, { 0, 2, MSG_EXCEPT },
	};
	struct msg_ctx *c = p;
	struct stress_msg m;
	int64_t last[MAX_PROCS];
	long type = role[r].type_of_n_half ? -(c->t.senders / 2) : role[r].type;
	int i;

	for (i = 0; i < MAX_PROCS; i++)
		last[i] = -1;
	for (;;) {
		ssize_t n = ripc_msgrcv(c->id, &m, MSG_HDR + MSG_DATA, type, role[r].flags);

		if (n < 0 && (errno == EIDRM || errno == EINVAL))
			break;
		if (n < 0 && errno == ENOMSG && (role[r].flags & IPC_NOWAIT)) {
			sched_yield();
			continue;
		}
		CHECK(n >= (ssize_t)MSG_HDR, "msgrcv: %zd (%s)", n, strerror(errno));
		CHECK(m.sender < (uint32_t)c->t.senders && m.mtype == m.sender + 1,
		      "type %ld from sender %u", m.mtype, m.sender);
		CHECK(type >= 0 || m.mtype <= -type, "type %ld for msgtyp %ld", m.mtype, type);
		CHECK(type <= 0 || (role[r].flags & MSG_EXCEPT ? m.mtype != type : m.mtype == type),
		      "type %ld for msgtyp %ld", m.mtype, type);
		CHECK(n == (ssize_t)(MSG_HDR + m.len) && m.len <= MSG_DATA, "size %zd, length %u", n,
		      m.len);
		CHECK(data_sum(m.data, m.len) == m.sum, "sender %u message %u: sum", m.sender, m.seq);
		CHECK(m.seq < MAX_SEQ, "sequence number %u", m.seq);
		CHECK((int64_t)m.seq > last[m.sender], "sender %u: message %u after %lld", m.sender,
		      m.seq, (long long)last[m.sender]);
		CHECK(seen_mark(&c->t.seen, m.sender, m.seq), "sender %u message %u received twice",
		      m.sender, m.seq);
		last[m.sender] = m.seq;
		__atomic_fetch_add(&c->t.rcvd[r], 1, __ATOMIC_RELAXED);
	}
	return 0;
}

/* Polls until the queue is empty (or the bound passes); returns msg_qnum. */
static long msg_drain(int id, int ms)
{
	struct msqid_ds ds;

	while (!ripc_msgctl(id, IPC_STAT, &ds) && ds.msg_qnum && ms > 0) {
		sleep_ms(10);
		ms -= 10;
	}
	return ripc_msgctl(id, IPC_STAT, &ds) ? -1 : (long)ds.msg_qnum;
}

TEST_F_TIMEOUT(stress, msg_exactly_once_in_order, stress_timeout())
{
	struct msg_ctx c = { .end = self->end };
	pid_t senders[MAX_PROCS], receivers[MSG_RECEIVERS];
	uint64_t sent, *rcvd;
	int i;

	ASSERT_EQ(0, tally_init(&c.t, self->procs, MAX_SEQ));
	c.id = ripc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(c.id, 0) TH_LOG("ripc_msgget: %s", strerror(errno));
	for (i = 0; i < MSG_RECEIVERS; i++)
		receivers[i] = spawn(msg_receiver, &c, i);
	for (i = 0; i < self->procs; i++)
		senders[i] = spawn(msg_sender, &c, i);
	EXPECT_EQ(0, reap(senders, self->procs, "sender"));
	EXPECT_EQ(0, msg_drain(c.id, drain_ms(self->seconds)));
	EXPECT_EQ(0, ripc_msgctl(c.id, IPC_RMID, NULL));
	EXPECT_EQ(0, reap(receivers, MSG_RECEIVERS, "receiver"));
	sent = tally_check(_metadata, &c.t, MSG_RECEIVERS);
	rcvd = c.t.rcvd;
	printf("# msg: %d senders, %llu messages; received %llu %llu %llu %llu (any, lowest, type 1, except 2)\n",
	       self->procs, (unsigned long long)sent, (unsigned long long)rcvd[0],
	       (unsigned long long)rcvd[1], (unsigned long long)rcvd[2], (unsigned long long)rcvd[3]);
	munmap(c.t.sent, 4096);
}

/*
 * POSIX message queues: n senders with random priorities 0..3 (some with
 * mq_timedsend and a short timeout, retried), three receivers (one with
 * mq_timedreceive). Each message must be received exactly once, and each
 * receiver must see a sender's messages of one priority in order. Stop
 * messages at priority 0, sent after the senders end, come after every
 * other message, one per receiver.
 */
#define MQ_NAME "/ripc_stress_mq"
#define MQ_RECEIVERS 3
#define MQ_PRIOS 4
#define MQ_STOP 0xffffffffU

struct mq_msg {
	uint32_t sender, seq, prio, sum;
};

struct mq_ctx {
	mqd_t q;
	struct timespec end;
	struct tally t;		/* extra: mq_timedsend's ETIMEDOUT */
};

static uint32_t mq_sum(const struct mq_msg *m)
{
	return m->sender * 0x9E3779B1u ^ m->seq * 0x85EBCA6Bu ^ m->prio;
}

static int mq_sender(void *p, int sender)
{
	struct mq_ctx *c = p;
	struct mq_msg m = { .sender = sender };
	uint64_t s = seed_for(6, sender);

	while (running(&c->end) && m.seq < MAX_SEQ) {
		int r;

		m.prio = rnd_in(&s, 0, MQ_PRIOS - 1);
		m.sum = mq_sum(&m);
		if (sender % 2) {
			struct timespec ts = in_ms(rnd_in(&s, 0, 5));

			r = ripc_mq_timedsend(c->q, (char *)&m, sizeof(m), m.prio, &ts);
			if (r && errno == ETIMEDOUT) {
				__atomic_fetch_add(c->t.extra, 1, __ATOMIC_RELAXED);
				continue;
			}
		} else {
			r = ripc_mq_send(c->q, (char *)&m, sizeof(m), m.prio);
		}
		CHECK(r == 0, "mq_send: %s", strerror(errno));
		m.seq++;
		__atomic_store_n(&c->t.sent[sender], m.seq, __ATOMIC_RELAXED);
	}
	return 0;
}

static int mq_receiver(void *p, int r)
{
	struct mq_ctx *c = p;
	int64_t last[MAX_PROCS][MQ_PRIOS];
	struct mq_msg m;
	unsigned int prio;
	int i, j;

	for (i = 0; i < MAX_PROCS; i++)
		for (j = 0; j < MQ_PRIOS; j++)
			last[i][j] = -1;
	for (;;) {
		ssize_t n;

		if (r == 0) {
			struct timespec ts = in_ms(3600 * 1000);

			n = ripc_mq_timedreceive(c->q, (char *)&m, sizeof(m), &prio, &ts);
		} else {
			n = ripc_mq_receive(c->q, (char *)&m, sizeof(m), &prio);
		}
		CHECK(n == sizeof(m), "mq_receive: %zd (%s)", n, strerror(errno));
		if (m.sender == MQ_STOP)
			break;
		CHECK(m.sender < (uint32_t)c->t.senders && m.prio == prio && prio < MQ_PRIOS &&
		      m.seq < MAX_SEQ && m.sum == mq_sum(&m),
		      "message %u/%u/%u (priority %u)", m.sender, m.seq, m.prio, prio);
		CHECK((int64_t)m.seq > last[m.sender][prio], "sender %u priority %u: %u after %lld",
		      m.sender, prio, m.seq, (long long)last[m.sender][prio]);
		CHECK(seen_mark(&c->t.seen, m.sender, m.seq), "sender %u message %u received twice",
		      m.sender, m.seq);
		last[m.sender][prio] = m.seq;
		__atomic_fetch_add(&c->t.rcvd[r], 1, __ATOMIC_RELAXED);
	}
	return 0;
}

TEST_F_TIMEOUT(stress, mq_exactly_once_in_order, stress_timeout())
{
	struct mq_attr attr = { .mq_maxmsg = 10, .mq_msgsize = sizeof(struct mq_msg) };
	struct mq_msg stop = { .sender = MQ_STOP };
	struct mq_ctx c = { .end = self->end };
	pid_t senders[MAX_PROCS], receivers[MQ_RECEIVERS];
	uint64_t sent, *rcvd;
	int i;

	ASSERT_EQ(0, tally_init(&c.t, self->procs, MAX_SEQ));
	ripc_mq_unlink(MQ_NAME);
	c.q = ripc_mq_open(MQ_NAME, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	ASSERT_GE(c.q, 0) TH_LOG("ripc_mq_open: %s", strerror(errno));
	for (i = 0; i < MQ_RECEIVERS; i++)
		receivers[i] = spawn(mq_receiver, &c, i);
	for (i = 0; i < self->procs; i++)
		senders[i] = spawn(mq_sender, &c, i);
	EXPECT_EQ(0, reap(senders, self->procs, "sender"));
	for (i = 0; i < MQ_RECEIVERS; i++)
		EXPECT_EQ(0, ripc_mq_send(c.q, (char *)&stop, sizeof(stop), 0));
	EXPECT_EQ(0, reap(receivers, MQ_RECEIVERS, "receiver"));
	EXPECT_EQ(0, ripc_mq_getattr(c.q, &attr));
	EXPECT_EQ(0, attr.mq_curmsgs);
	EXPECT_EQ(0, ripc_mq_close(c.q));
	EXPECT_EQ(0, ripc_mq_unlink(MQ_NAME));
	sent = tally_check(_metadata, &c.t, MQ_RECEIVERS);
	rcvd = c.t.rcvd;
	printf("# mq: %d senders, %llu messages (%llu send timeouts); received %llu %llu %llu\n",
	       self->procs, (unsigned long long)sent, (unsigned long long)*c.t.extra,
	       (unsigned long long)rcvd[0], (unsigned long long)rcvd[1], (unsigned long long)rcvd[2]);
	munmap(c.t.sent, 4096);
}

/*
 * Semaphores, token conservation: an array of SEMS semaphores holds
 * SEMS * TOKENS tokens. Workers move tokens between semaphores in one
 * atomic semop (no SEM_UNDO), take tokens from one or two semaphores with
 * SEM_UNDO and give them back the same way, wait for zero, and read the
 * array with GETALL (whose sum can never exceed the total). Blocking
 * operations have a short timeout, so that no set of waiters can starve
 * for ever. Meanwhile the test kills random workers with SIGKILL, often
 * while they hold tokens, and starts new ones; at the end some workers
 * exit while holding. The undo of every exit must give the tokens back:
 * afterwards the total is exactly the initial one and nobody waits.
 */
#define SEMS 4
#define TOKENS 8

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

struct sem_ctx {
	int id;
	struct timespec end;
	uint64_t *ops;		/* successful semops */
};

static int sem_timed(int id, struct sembuf *sops, size_t n, int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	return ripc_semtimedop(id, sops, n, &ts);
}

static int sem_worker(void *p, int index)
{
	struct sem_ctx *c = p;
	uint64_t s = seed_for(7, index);
	unsigned short vals[SEMS];

	for (;;) {
		struct sembuf sops[2];
		uint32_t a = rnd_in(&s, 0, SEMS - 1), b = (a + rnd_in(&s, 1, SEMS - 1)) % SEMS;
		short x = rnd_in(&s, 1, 3), y = rnd_in(&s, 1, 3);
		bool more = running(&c->end);
		size_t nops;
		int r, i, sum;

		switch (more ? rnd_in(&s, 0, 7) : 2) {
		case 0:
		case 1:
			/* Move x tokens from a to b, atomically. */
			sops[0] = (struct sembuf){ a, -x, 0 };
			sops[1] = (struct sembuf){ b, x, 0 };
			if (rnd_in(&s, 0, 1)) {
				sops[0].sem_flg = IPC_NOWAIT;
				r = ripc_semop(c->id, sops, 2);
			} else {
				r = sem_timed(c->id, sops, 2, 20);
			}
			break;
		case 2:
		case 3:
		case 4:
			/* Hold tokens of one or two semaphores, with undo. */
			sops[0] = (struct sembuf){ a, -x, SEM_UNDO };
			sops[1] = (struct sembuf){ b, -y, SEM_UNDO };
			nops = rnd_in(&s, 1, 2);
			r = sem_timed(c->id, sops, nops, 20);
			if (r)
				break;
			__atomic_fetch_add(c->ops, 1, __ATOMIC_RELAXED);
			/* After the run, half of the holders exit holding. */
			if (!more && rnd_in(&s, 0, 1))
				return 0;
			for (i = rnd_in(&s, 0, 3); i > 0; i--)
				sched_yield();
			sops[0].sem_op = x;
			sops[1].sem_op = y;
			r = ripc_semop(c->id, sops, nops);
			CHECK(r == 0, "giving back: %s", strerror(errno));
			break;
		case 5:
			/* Wait for zero, briefly. */
			sops[0] = (struct sembuf){ a, 0, 0 };
			r = sem_timed(c->id, sops, 1, 5);
			break;
		default:
			/* Tokens can be held, never made. */
			r = ripc_semctl(c->id, 0, GETALL, (union semun){ .array = vals });
			CHECK(r == 0, "GETALL: %s", strerror(errno));
			for (i = sum = 0; i < SEMS; i++)
				sum += vals[i];
			CHECK(sum <= SEMS * TOKENS, "GETALL: %d tokens of %d", sum, SEMS * TOKENS);
			break;
		}
		if (!more)
			return 0;
		if (r == 0)
			__atomic_fetch_add(c->ops, 1, __ATOMIC_RELAXED);
		else
			CHECK(errno == EAGAIN || errno == ETIMEDOUT || errno == EINTR, "semop: %s",
			      strerror(errno));
	}
}

TEST_F_TIMEOUT(stress, sem_tokens_conserved, stress_timeout())
{
	unsigned short vals[SEMS];
	struct sem_ctx c = { .end = self->end };
	uint64_t *mem = shared(4096);
	uint64_t s = seed_for(8, 0);
	int n = self->procs + 2, spawned = n, kills = 0, i, sum, status;
	pid_t pids[MAX_PROCS + 2];

	ASSERT_NE(NULL, mem);
	c.ops = mem;
	c.id = ripc_semget(IPC_PRIVATE, SEMS, IPC_CREAT | 0600);
	ASSERT_GE(c.id, 0) TH_LOG("ripc_semget: %s", strerror(errno));
	for (i = 0; i < SEMS; i++)
		vals[i] = TOKENS;
	ASSERT_EQ(0, ripc_semctl(c.id, 0, SETALL, (union semun){ .array = vals }));
	for (i = 0; i < n; i++)
		pids[i] = spawn(sem_worker, &c, i);
	/* Kill workers at random, holding or not, and start new ones. */
	while (running(&self->end)) {
		sleep_ms(rnd_in(&s, 5, 50));
		i = rnd_in(&s, 0, n - 1);
		kill(pids[i], SIGKILL);
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
			    (WIFEXITED(status) && WEXITSTATUS(status) == 0))
			TH_LOG("worker ended with status %#x", status);
		kills++;
		pids[i] = spawn(sem_worker, &c, spawned++);
	}
	EXPECT_EQ(0, reap(pids, n, "sem worker"));
	ASSERT_EQ(0, ripc_semctl(c.id, 0, GETALL, (union semun){ .array = vals }));
	for (i = sum = 0; i < SEMS; i++) {
		sum += vals[i];
		EXPECT_EQ(0, ripc_semctl(c.id, i, GETNCNT));
		EXPECT_EQ(0, ripc_semctl(c.id, i, GETZCNT));
	}
	EXPECT_EQ(SEMS * TOKENS, sum) TH_LOG("values %u %u %u %u", vals[0], vals[1], vals[2], vals[3]);
	EXPECT_LT(0, *c.ops);
	EXPECT_EQ(0, ripc_semctl(c.id, 0, IPC_RMID));
	printf("# sem: %d workers at a time, %llu operations, %d killed\n", n,
	       (unsigned long long)*c.ops, kills);
	munmap(mem, 4096);
}

/*
 * Shared memory: SLOTS slots of data with a length and a sum, each guarded
 * by a semaphore of a ripc array (SEM_UNDO), and a counter per slot that
 * everybody increments with an atomic instruction, without a lock. Workers
 * attach (a quarter of the time read-only), visit random slots (check the
 * sum, rewrite the data and bump the slot's version when writable), detach
 * and attach again; now and then a worker forks a child that inherits the
 * attachment, writes a slot and exits without detaching. At the end: no
 * attachment left, every version equals the number of writes of its slot,
 * every counter the number of increments, every sum is right, and the
 * segment goes away with IPC_RMID.
 */
#define SLOTS 16
#define SLOT_DATA 496

struct slot {
	uint32_t version, writer, len, sum;
	uint8_t data[SLOT_DATA];
};

struct shm_area {
	struct slot slot[SLOTS];
	uint64_t counter[SLOTS];
};

struct shm_ctx {
	int id, sem;
	struct timespec end;
	uint64_t *writes;	/* [SLOTS] */
	uint64_t *adds;		/* [SLOTS] */
	uint64_t *stats;	/* attaches, visits, forks */
};

static int slot_lock(int sem, int i, int op)
{
	struct sembuf sb = { .sem_num = i, .sem_op = op, .sem_flg = SEM_UNDO };

	return ripc_semop(sem, &sb, 1);
}

/* Checks slot i under its lock and, if rw, rewrites it and bumps its counter. */
static int slot_visit(struct shm_ctx *c, struct shm_area *a, int i, bool rw, uint64_t *s, int who)
{
	struct slot *sl = &a->slot[i];

	CHECK(slot_lock(c->sem, i, -1) == 0, "lock: %s", strerror(errno));
	CHECK(sl->len <= SLOT_DATA && data_sum(sl->data, sl->len) == sl->sum,
	      "slot %d version %u by %u: length %u, bad sum", i, sl->version, sl->writer, sl->len);
	if (rw) {
		sl->len = rnd_in(s, 0, SLOT_DATA);
		fill(sl->data, sl->len, s);
		sl->sum = data_sum(sl->data, sl->len);
		sl->writer = who;
		sl->version++;
		__atomic_fetch_add(&c->writes[i], 1, __ATOMIC_RELAXED);
	}
	CHECK(slot_lock(c->sem, i, 1) == 0, "unlock: %s", strerror(errno));
	if (rw) {
		__atomic_fetch_add(&a->counter[i], 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&c->adds[i], 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&c->stats[1], 1, __ATOMIC_RELAXED);
	return 0;
}

static int shm_worker(void *p, int index)
{
	struct shm_ctx *c = p;
	uint64_t s = seed_for(9, index);

	while (running(&c->end)) {
		bool rw = rnd_in(&s, 0, 3) != 0;
		struct shm_area *a = ripc_shmat(c->id, NULL, rw ? 0 : SHM_RDONLY);
		int k;

		CHECK(a != (void *)-1, "shmat: %s", strerror(errno));
		__atomic_fetch_add(&c->stats[0], 1, __ATOMIC_RELAXED);
		for (k = rnd_in(&s, 1, 32); k > 0; k--) {
			int i = rnd_in(&s, 0, SLOTS - 1), status;
			pid_t pid;

			if (slot_visit(c, a, i, rw, &s, index))
				return 1;
			if (!rw || rnd_in(&s, 0, 255))
				continue;
			fflush(stdout);
			pid = fork();
			if (pid == 0) {
				s ^= getpid();
				_exit(slot_visit(c, a, rnd_in(&s, 0, SLOTS - 1), true, &s, 1000 + index));
			}
			CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && status == 0,
			      "forked child: status %#x", status);
			__atomic_fetch_add(&c->stats[2], 1, __ATOMIC_RELAXED);
		}
		CHECK(ripc_shmdt(a) == 0, "shmdt: %s", strerror(errno));
	}
	return 0;
}

TEST_F_TIMEOUT(stress, shm_checksums_and_counts, stress_timeout())
{
	unsigned short ones[SLOTS];
	struct shm_ctx c = { .end = self->end };
	uint64_t *mem = shared(4096);
	pid_t pids[MAX_PROCS];
	struct shm_area *a;
	struct shmid_ds ds;
	int i;

	ASSERT_NE(NULL, mem);
	c.writes = mem;
	c.adds = mem + SLOTS;
	c.stats = mem + 2 * SLOTS;
	c.id = ripc_shmget(IPC_PRIVATE, sizeof(struct shm_area), IPC_CREAT | 0600);
	ASSERT_GE(c.id, 0) TH_LOG("ripc_shmget: %s", strerror(errno));
	c.sem = ripc_semget(IPC_PRIVATE, SLOTS, IPC_CREAT | 0600);
	ASSERT_GE(c.sem, 0) TH_LOG("ripc_semget: %s", strerror(errno));
	for (i = 0; i < SLOTS; i++)
		ones[i] = 1;
	ASSERT_EQ(0, ripc_semctl(c.sem, 0, SETALL, (union semun){ .array = ones }));
	for (i = 0; i < self->procs; i++)
		pids[i] = spawn(shm_worker, &c, i);
	EXPECT_EQ(0, reap(pids, self->procs, "shm worker"));

	ASSERT_EQ(0, ripc_shmctl(c.id, IPC_STAT, &ds));
	EXPECT_EQ(0, ds.shm_nattch);
	a = ripc_shmat(c.id, NULL, SHM_RDONLY);
	ASSERT_NE((void *)-1, a) TH_LOG("ripc_shmat: %s", strerror(errno));
	ASSERT_EQ(0, ripc_shmctl(c.id, IPC_STAT, &ds));
	EXPECT_EQ(1, ds.shm_nattch);
	for (i = 0; i < SLOTS; i++) {
		struct slot *sl = &a->slot[i];

		EXPECT_EQ(c.writes[i], sl->version) TH_LOG("slot %d", i);
		EXPECT_EQ(c.adds[i], a->counter[i]) TH_LOG("slot %d", i);
		EXPECT_TRUE(sl->len <= SLOT_DATA && data_sum(sl->data, sl->len) == sl->sum)
			TH_LOG("slot %d", i);
	}
	EXPECT_EQ(0, ripc_shmdt(a));
	ASSERT_EQ(0, ripc_shmctl(c.id, IPC_STAT, &ds));
	EXPECT_EQ(0, ds.shm_nattch);
	EXPECT_EQ(0, ripc_shmctl(c.id, IPC_RMID, NULL));
	EXPECT_EQ(-1, ripc_shmctl(c.id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	/* Every lock was given back. */
	ASSERT_EQ(0, ripc_semctl(c.sem, 0, GETALL, (union semun){ .array = ones }));
	for (i = 0; i < SLOTS; i++)
		EXPECT_EQ(1, ones[i]) TH_LOG("lock %d", i);
	EXPECT_EQ(0, ripc_semctl(c.sem, 0, IPC_RMID));
	EXPECT_LT(0, sum_u64(c.writes, SLOTS));
	printf("# shm: %d workers, %llu attaches, %llu slot visits, %llu writes, %llu forks\n",
	       self->procs, (unsigned long long)c.stats[0], (unsigned long long)c.stats[1],
	       (unsigned long long)sum_u64(c.writes, SLOTS), (unsigned long long)c.stats[2]);
	munmap(mem, 4096);
}

/*
 * Notifier, counter and semaphore mode: writers add known amounts (kept at
 * most NOTIFY_BACKLOG ahead of the readers, so that the drain is short),
 * readers (half of them polling first) add up what they read. When the
 * writers are done and the readers have read everything, each further
 * write of 1 lets one reader go. What was read must be what was written.
 */
#define NOTIFY_READERS 3
#define NOTIFY_BACKLOG 4096

struct notify_ctx {
	int fd, writers;
	bool sem_mode;
	struct timespec end;
	uint64_t *written;	/* [writers] */
	uint64_t *got;		/* [NOTIFY_READERS] */
	uint64_t *reads;	/* [NOTIFY_READERS] */
	int *done;
};

static int notify_writer(void *p, int w)
{
	struct notify_ctx *c = p;
	uint64_t s = seed_for(10, w), mine = 0;

	while (running(&c->end)) {
		uint64_t v = c->sem_mode ? rnd_in(&s, 1, 3) : rnd_in(&s, 1, 1000);

		if (sum_u64(c->written, c->writers) >
		    sum_u64(c->got, NOTIFY_READERS) + NOTIFY_BACKLOG) {
			sched_yield();
			continue;
		}
		CHECK(ripc_eventfd_write(c->fd, v) == 0, "write: %s", strerror(errno));
		mine += v;
		__atomic_store_n(&c->written[w], mine, __ATOMIC_RELAXED);
	}
	return 0;
}

static int notify_reader(void *p, int r)
{
	struct notify_ctx *c = p;

	for (;;) {
		uint64_t v;

		if (r % 2) {
			struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

			CHECK(poll(&pfd, 1, -1) == 1 && pfd.revents == POLLIN, "poll: %s",
			      strerror(errno));
		}
		CHECK(ripc_eventfd_read(c->fd, &v) == 0, "read: %s", strerror(errno));
		CHECK(v > 0 && (!c->sem_mode || v == 1), "read %llu", (unsigned long long)v);
		__atomic_fetch_add(&c->got[r], v, __ATOMIC_RELAXED);
		__atomic_fetch_add(&c->reads[r], 1, __ATOMIC_RELAXED);
		if (__atomic_load_n(c->done, __ATOMIC_ACQUIRE))
			return 0;
	}
}

/* Waits up to ms for any child to exit; returns its pid, or -1. */
static pid_t wait_any(int ms, int *status)
{
	pid_t pid;

	for (; ms > 0; ms -= 10) {
		pid = waitpid(-1, status, WNOHANG);
		if (pid > 0)
			return pid;
		sleep_ms(10);
	}
	return -1;
}

static void notify_stress(struct __test_metadata *_metadata, FIXTURE_DATA(stress) *self,
			  bool sem_mode)
{
	struct notify_ctx c = { .writers = self->procs, .sem_mode = sem_mode, .end = self->end };
	uint64_t *mem = shared(4096), total, extra = 0, rest;
	pid_t writers[MAX_PROCS], readers[NOTIFY_READERS];
	int i, ms, left, status;

	ASSERT_NE(NULL, mem);
	c.written = mem;
	c.got = mem + MAX_PROCS;
	c.reads = mem + MAX_PROCS + NOTIFY_READERS;
	c.done = (int *)(mem + MAX_PROCS + 2 * NOTIFY_READERS);
	c.fd = ripc_eventfd(0, sem_mode ? RIPC_EFD_SEMAPHORE : 0);
	ASSERT_GE(c.fd, 0) TH_LOG("ripc_eventfd: %s", strerror(errno));
	for (i = 0; i < NOTIFY_READERS; i++)
		readers[i] = spawn(notify_reader, &c, i);
	for (i = 0; i < c.writers; i++)
		writers[i] = spawn(notify_writer, &c, i);
	EXPECT_EQ(0, reap(writers, c.writers, "writer"));
	total = sum_u64(c.written, c.writers);
	for (ms = drain_ms(self->seconds); ms > 0 && sum_u64(c.got, NOTIFY_READERS) < total; ms -= 10)
		sleep_ms(10);
	EXPECT_EQ(total, sum_u64(c.got, NOTIFY_READERS));

	/* Let the readers go, one write of 1 at a time. */
	__atomic_store_n(c.done, 1, __ATOMIC_RELEASE);
	for (left = NOTIFY_READERS; left > 0; left--) {
		pid_t pid;

		EXPECT_EQ(0, ripc_eventfd_write(c.fd, 1));
		extra++;
		pid = wait_any(drain_ms(self->seconds), &status);
		EXPECT_NE(-1, pid) TH_LOG("no reader ended");
		if (pid < 0)
			break;
		EXPECT_EQ(0, status) TH_LOG("reader ended with status %#x", status);
		for (i = 0; i < NOTIFY_READERS; i++)
			if (readers[i] == pid)
				readers[i] = 0;
	}
	/* Only after a failure: do not leave readers behind. */
	for (i = 0; i < NOTIFY_READERS; i++) {
		if (readers[i] > 0) {
			kill(readers[i], SIGKILL);
			waitpid(readers[i], NULL, 0);
		}
	}
	/* A reader that saw "done" before its write of 1 leaves that 1 here. */
	for (rest = 0;;) {
		struct pollfd pfd = { .fd = c.fd, .events = POLLIN };
		uint64_t v;

		if (poll(&pfd, 1, 0) != 1)
			break;
		ASSERT_EQ(0, ripc_eventfd_read(c.fd, &v));
		rest += v;
	}
	EXPECT_EQ(total + extra, sum_u64(c.got, NOTIFY_READERS) + rest);
	EXPECT_LT(0, total);
	printf("# notify (%s): %d writers, %llu written, %llu reads\n",
	       sem_mode ? "semaphore" : "counter", c.writers, (unsigned long long)total,
	       (unsigned long long)sum_u64(c.reads, NOTIFY_READERS));
	close(c.fd);
	munmap(mem, 4096);
}

TEST_F_TIMEOUT(stress, notify_counter_sums, stress_timeout())
{
	notify_stress(_metadata, self, false);
}

TEST_F_TIMEOUT(stress, notify_semaphore_sums, stress_timeout())
{
	notify_stress(_metadata, self, true);
}

/*
 * Lookups by id racing IPC_RMID and the re-creation of objects in their
 * slots. A creator keeps IDS_LIVE arrays and queues alive, so that their
 * slots come round again within 64 creations (idr_alloc_cyclic() stays
 * below 3/2 of the objects in use), each time with a new sequence number;
 * lookers probe the ids of the current and of past generations while the
 * creator removes and makes them. As in Linux, an id names its own object
 * or fails with EINVAL (removed) or EIDRM (removed during the call), never
 * the object that took its slot: a semaphore's value and the types of the
 * messages sent to a queue carry the generation, to tell them apart.
 * ripc looks ids up under RCU, without the table's lock: this is the race
 * of a lookup with the removal and the reuse of its slot.
 */
#define IDS_HISTORY 512
#define IDS_LIVE 4
#define IDS_MIN_GENERATIONS 640	/* each slot of the cycle reused 10 times */
#define IDS_MIN_PROBES 64	/* per looker, the last ones after the end */

struct ids_ctx {
	struct timespec end;
	uint64_t *sems;		/* by generation % IDS_HISTORY: id << 32 | tag */
	uint64_t *queues;	/* the same for the queues */
	uint64_t *head;		/* [0] generations made, [1] probes, [2] stale, [3] done */
};

static uint32_t ids_tag(uint64_t gen)
{
	return gen % 30000 + 1;
}

/* Empties queue id, whose messages must all carry tag. */
static int ids_drain(int id, uint32_t tag)
{
	struct { long mtype; char c; } m;

	while (ripc_msgrcv(id, &m, 1, 0, IPC_NOWAIT) >= 0)
		CHECK(m.mtype == (long)tag, "queue %d of tag %u got a message of tag %ld",
		      id, tag, m.mtype);
	CHECK(errno == ENOMSG, "msgrcv: %s", strerror(errno));
	return 0;
}

static int ids_creator(void *arg, int index)
{
	struct ids_ctx *c = arg;
	int sem[IDS_LIVE] = { 0 }, queue[IDS_LIVE] = { 0 };
	uint32_t tag[IDS_LIVE] = { 0 };
	uint64_t gen = 0;
	int i;

	(void)index;
	while (running(&c->end) || gen < IDS_MIN_GENERATIONS) {
		i = ++gen % IDS_LIVE;
		if (gen > IDS_LIVE) {
			CHECK(ids_drain(queue[i], tag[i]) == 0, "drain");
			CHECK(ripc_msgctl(queue[i], IPC_RMID, NULL) == 0, "msgctl: %s", strerror(errno));
			CHECK(ripc_semctl(sem[i], 0, IPC_RMID) == 0, "semctl: %s", strerror(errno));
		}
		tag[i] = ids_tag(gen);
		sem[i] = ripc_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
		CHECK(sem[i] >= 0, "semget: %s", strerror(errno));
		CHECK(ripc_semctl(sem[i], 0, SETVAL, (union semun){ .val = tag[i] }) == 0,
		      "SETVAL: %s", strerror(errno));
		queue[i] = ripc_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		CHECK(queue[i] >= 0, "msgget: %s", strerror(errno));
		__atomic_store_n(&c->sems[gen % IDS_HISTORY], (uint64_t)sem[i] << 32 | tag[i],
				 __ATOMIC_RELEASE);
		__atomic_store_n(&c->queues[gen % IDS_HISTORY], (uint64_t)queue[i] << 32 | tag[i],
				 __ATOMIC_RELEASE);
		__atomic_store_n(&c->head[0], gen, __ATOMIC_RELEASE);
	}
	for (i = 0; i < IDS_LIVE && (uint64_t)i < gen; i++) {
		CHECK(ids_drain(queue[i], tag[i]) == 0, "drain");
		CHECK(ripc_msgctl(queue[i], IPC_RMID, NULL) == 0, "msgctl: %s", strerror(errno));
		CHECK(ripc_semctl(sem[i], 0, IPC_RMID) == 0, "semctl: %s", strerror(errno));
	}
	__atomic_store_n(&c->head[3], 1, __ATOMIC_RELEASE);
	return 0;
}

static bool ids_gone(void)
{
	return errno == EINVAL || errno == EIDRM;
}

static int ids_looker(void *arg, int index)
{
	struct ids_ctx *c = arg;
	uint64_t s = seed_for(9, index), head, gen, e;
	struct sembuf zero = { .sem_num = 0, .sem_op = 0, .sem_flg = IPC_NOWAIT };
	struct { long mtype; char c; } m = { .c = 0 };
	int id, v, probes = 0;
	uint32_t tag;

	/* Until the creator is done, and then a few more: all stale. */
	while (!__atomic_load_n(&c->head[3], __ATOMIC_ACQUIRE) || probes < IDS_MIN_PROBES) {
		head = __atomic_load_n(&c->head[0], __ATOMIC_ACQUIRE);
		if (!head)
			continue;
		probes++;
		gen = head - rnd_in(&s, 0, head - 1 < IDS_HISTORY / 2 ? head - 1 : IDS_HISTORY / 2);
		e = __atomic_load_n(&c->sems[gen % IDS_HISTORY], __ATOMIC_ACQUIRE);
		id = e >> 32;
		tag = (uint32_t)e;
		v = ripc_semctl(id, 0, GETVAL);
		CHECK(v == (int)tag || (v < 0 && ids_gone()),
		      "GETVAL of array %d (tag %u) gave %d (%s)", id, tag, v,
		      v < 0 ? strerror(errno) : "another array's value");
		/* The value is never 0: waiting for zero fails at once. */
		CHECK(ripc_semop(id, &zero, 1) < 0 && (errno == EAGAIN || ids_gone()),
		      "semop on array %d: %s", id, strerror(errno));
		if (v < 0)
			__atomic_fetch_add(&c->head[2], 1, __ATOMIC_RELAXED);
		e = __atomic_load_n(&c->queues[gen % IDS_HISTORY], __ATOMIC_ACQUIRE);
		m.mtype = (uint32_t)e;
		CHECK(ripc_msgsnd(e >> 32, &m, 1, IPC_NOWAIT) == 0 || errno == EAGAIN || ids_gone(),
		      "msgsnd to queue %d: %s", (int)(e >> 32), strerror(errno));
		__atomic_fetch_add(&c->head[1], 1, __ATOMIC_RELAXED);
	}
	return 0;
}

TEST_F_TIMEOUT(stress, ids_stale_lookups_fail, stress_timeout())
{
	struct ids_ctx c = { .end = self->end };
	pid_t pids[MAX_PROCS + 1];
	int i, n = self->procs;

	c.sems = shared(IDS_HISTORY * sizeof(uint64_t));
	c.queues = shared(IDS_HISTORY * sizeof(uint64_t));
	c.head = shared(4096);
	ASSERT_NE(NULL, c.sems);
	ASSERT_NE(NULL, c.queues);
	ASSERT_NE(NULL, c.head);
	pids[0] = spawn(ids_creator, &c, 0);
	for (i = 1; i <= n; i++)
		pids[i] = spawn(ids_looker, &c, i);
	EXPECT_EQ(0, reap(pids, n + 1, "ids worker"));
	/* Ids of removed objects were probed, many after their slot's reuse. */
	EXPECT_LE(IDS_MIN_GENERATIONS, c.head[0]);
	EXPECT_LT(0, c.head[2]);
	printf("# ids: %llu generations, %llu probes, %llu of removed objects\n",
	       (unsigned long long)c.head[0], (unsigned long long)c.head[1],
	       (unsigned long long)c.head[2]);
	munmap(c.sems, IDS_HISTORY * sizeof(uint64_t));
	munmap(c.queues, IDS_HISTORY * sizeof(uint64_t));
	munmap(c.head, 4096);
}

TEST_HARNESS_MAIN
