// SPDX-License-Identifier: GPL-2.0
/*
 * No kernel bytes through the ABI. The kernel's ipc64_perm has a 4-byte
 * hole after __pad2 (offset 28), which ripc's ripc_ipc64_perm names
 * (__pad3); the build fails on any unnamed hole in include/uapi/linux/ripc.h
 * (bindgen --explicit-padding, see Kbuild). Here every *_STAT structure
 * comes back into a buffer filled with a pattern, and each byte that no
 * field of Linux's meaning covers (the hole, the __pad and __unused fields)
 * must be 0, as Linux's copy-out leaves them.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <linux/ripc.h>

#include "kselftest_harness.h"
#include "ripc.h"

#define PATTERN 0xa5

/* The bytes [from, to) of @buf are all 0. */
static int zero(const unsigned char *buf, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (buf[i])
			return 0;
	return 1;
}

/* The perm's reserved bytes: __pad2, the hole (__pad3), __unused1/2. */
static int perm_reserved_zero(const unsigned char *perm)
{
	return zero(perm, offsetof(struct ripc_ipc64_perm, __pad2),
		    sizeof(struct ripc_ipc64_perm));
}

TEST(msqid_ds_has_no_stray_bytes)
{
	unsigned char buf[sizeof(struct ripc_msqid64_ds)];
	int id = ripc_msgget(IPC_PRIVATE, IPC_CREAT | 0600), cmd;

	ASSERT_GE(id, 0);
	for (cmd = 0; cmd < 2; cmd++) {
		memset(buf, PATTERN, sizeof(buf));
		if (cmd == 0) {
			ASSERT_EQ(0, ripc_msgctl(id, IPC_STAT, (struct msqid_ds *)buf));
		} else {
			/* MSG_STAT_ANY of slot 0..: what any user may read. */
			int idx;

			for (idx = 0; idx < 32000; idx++)
				if (ripc_msgctl(idx, MSG_STAT_ANY, (struct msqid_ds *)buf) == id)
					break;
			ASSERT_LT(idx, 32000);
		}
		EXPECT_TRUE(perm_reserved_zero(buf));
		EXPECT_TRUE(zero(buf, offsetof(struct ripc_msqid64_ds, __unused4), sizeof(buf)));
	}
	ASSERT_EQ(0, ripc_msgctl(id, IPC_RMID, NULL));
}

TEST(semid_ds_has_no_stray_bytes)
{
	unsigned char buf[sizeof(struct ripc_semid64_ds)];
	int id = ripc_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	memset(buf, PATTERN, sizeof(buf));
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_STAT, (struct semid_ds *)buf));
	EXPECT_TRUE(perm_reserved_zero(buf));
	EXPECT_TRUE(zero(buf, offsetof(struct ripc_semid64_ds, __unused3), sizeof(buf)));
	ASSERT_EQ(0, ripc_semctl(id, 0, IPC_RMID));
}

TEST(shmid_ds_has_no_stray_bytes)
{
	unsigned char buf[sizeof(struct ripc_shmid64_ds)];
	int id = ripc_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	memset(buf, PATTERN, sizeof(buf));
	ASSERT_EQ(0, ripc_shmctl(id, IPC_STAT, (struct shmid_ds *)buf));
	EXPECT_TRUE(perm_reserved_zero(buf));
	EXPECT_TRUE(zero(buf, offsetof(struct ripc_shmid64_ds, __unused4), sizeof(buf)));
	ASSERT_EQ(0, ripc_shmctl(id, IPC_RMID, NULL));
}

TEST_HARNESS_MAIN
