// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions of ripc's objects, against the rules of Linux: ipcperms()
 * and ipcctl_obtain_check() of ipc/util.c and the per-command checks of
 * ipc/msg.c, sem.c and shm.c for the SysV objects; the VFS's inode
 * permissions (generic_permission(), setattr_prepare(), may_delete()) for
 * the names of ripcfs.
 *
 * The matrices run every operation of a kind as each identity (the
 * owner, a member of the group by its gid or a supplementary group,
 * anybody else, a user holding one capability, root without capabilities,
 * root), with the identity's class of mode bits set to none, r, w and rw
 * and the two other classes to the complement, so that judging by the
 * wrong class shows. The expected result of each call is computed from
 * the mode, the identity and the rule of the operation (the tables below),
 * never written out by hand. The SysV matrices run twice: with the object
 * created by root and handed to ripcuser by IPC_SET (owner uid/gid), and
 * created by ripcuser and handed to root (creator cuid/cgid). Every cell
 * first sets the mode again (IPC_SET, chmod), so each cell also checks
 * that a change is honoured at the next access.
 *
 * ripc_perm_linux_test.c builds the same cases with RIPC_PERM_REFERENCE
 * against the kernel's own SysV IPC, /dev/mqueue, /dev/shm and a FIFO in
 * /dev/shm: the tables are those of Linux. The notifier has no Linux
 * counterpart and is skipped there.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ripc.h"
#include "ripc_test_util.h"

#define PAGE 4096

#ifdef RIPC_PERM_REFERENCE
#define ripc_msgget msgget
#define ripc_msgsnd msgsnd
#define ripc_msgrcv msgrcv
#define ripc_msgctl msgctl
#define ripc_semget semget
#define ripc_semop semop
#define ripc_semctl semctl
#define ripc_shmget shmget
#define ripc_shmat shmat
#define ripc_shmdt shmdt
#define ripc_shmctl shmctl
#define ripc_mq_open mq_open
#define ripc_mq_close mq_close
#define ripc_mq_send mq_send
#define ripc_mq_unlink mq_unlink
#define ripc_shm_open shm_open
#define ripc_shm_unlink shm_unlink
#define REFERENCE 1
#define MQ_DIR "/dev/mqueue"
#define SHM_DIR "/dev/shm"
#define PIPE_DIR "/dev/shm"
#define NOTIFY_DIR "/dev/shm"
#define KEY_BASE 0x52500200
#else
#define REFERENCE 0
#define MNT "/tmp/ripc-perm-mnt"
#define MQ_DIR MNT "/mq"
#define SHM_DIR MNT "/shm"
#define PIPE_DIR MNT "/pipe"
#define NOTIFY_DIR MNT "/notify"
#define KEY_BASE 0x52500100
#endif

#define MQ_NAME "/ripc-perm-mq"
#define SHM_NAME "/ripc-perm-shm"
#define MQ_PATH MQ_DIR MQ_NAME
#define SHM_PATH SHM_DIR SHM_NAME
#define FIFO_PATH PIPE_DIR "/ripc-perm-fifo"
#define NOTIFY_PATH NOTIFY_DIR "/ripc-perm-notify"

/* A case about ripc's own objects, which Linux lacks. */
#define RIPC_ONLY() \
	do { \
		if (REFERENCE) \
			SKIP(return, "ripc only"); \
	} while (0)

#define CAP(c) (1ULL << (c))

/* Who makes a call: ids after setuid() from root, and capabilities kept. */
struct who {
	const char *name;
	uid_t uid;
	gid_t gid;
	gid_t supp;		/* one supplementary group, 0 for none */
	uint64_t caps;		/* effective and permitted */
	bool full;		/* root as it is: every capability */
};

static const struct who owner = { "ripcuser", RIPCUSER, RIPCUSER, 0, 0, false };
static const struct who other = { "ripcother", RIPCOTHER, RIPCOTHER, 0, 0, false };

static const struct who whos[] = {
	owner,
	{ "ripcother with gid 1000", RIPCOTHER, RIPCUSER, 0, 0, false },
	{ "ripcother in group 1000", RIPCOTHER, RIPCOTHER, RIPCUSER, 0, false },
	other,
	{ "ripcother with CAP_IPC_OWNER", RIPCOTHER, RIPCOTHER, 0, CAP(CAP_IPC_OWNER), false },
	{ "ripcother with CAP_SYS_ADMIN", RIPCOTHER, RIPCOTHER, 0, CAP(CAP_SYS_ADMIN), false },
	{ "ripcother with CAP_IPC_LOCK", RIPCOTHER, RIPCOTHER, 0, CAP(CAP_IPC_LOCK), false },
	{ "ripcother with CAP_FOWNER", RIPCOTHER, RIPCOTHER, 0, CAP(CAP_FOWNER), false },
	{ "ripcother with CAP_DAC_OVERRIDE", RIPCOTHER, RIPCOTHER, 0, CAP(CAP_DAC_OVERRIDE), false },
	{ "root without capabilities", 0, 0, 0, 0, false },
	{ "root", 0, 0, 0, 0, true },
};

#define NR_WHOS (sizeof(whos) / sizeof(whos[0]))

static int set_caps(uint64_t caps)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)caps, .permitted = (uint32_t)caps },
		{ .effective = (uint32_t)(caps >> 32), .permitted = (uint32_t)(caps >> 32) },
	};

	return syscall(SYS_capset, &hdr, data);
}

/*
 * Becomes w (from root, in a child): setuid() with PR_SET_KEEPCAPS, then
 * capset() to exactly w->caps (root without capabilities stays uid 0).
 */
static int become(const struct who *w)
{
	gid_t supp = w->supp;

	if (w->full)
		return 0;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setgroups(w->supp ? 1 : 0, &supp) || setgid(w->gid) || setuid(w->uid))
		return -1;
	return set_caps(w->caps);
}

static bool has_cap(const struct who *w, int cap)
{
	return w->full || (w->caps & CAP(cap));
}

static bool in_group(const struct who *w, gid_t gid)
{
	return w->gid == gid || (w->supp && w->supp == gid);
}

/* An object under test and what the parent (root) knows of it. */
struct obj {
	const struct sysv *sysv;	/* SysV: its calls, key and id */
	key_t key;
	int id;
	const char *path;	/* ripcfs, or its Linux counterpart */
	uid_t uid, cuid;	/* owner and creator (the same for names) */
	gid_t gid, cgid;
	int mode;
	int fd;			/* FIFO: a reader root keeps open */
	union ipc_ds {		/* as root saw it, for the child's IPC_SET */
		struct msqid_ds msq;
		struct semid_ds sem;
		struct shmid_ds shm;
	} ds;
};

/* The class of w for o: the shift of its bits in the mode. */
static int class_shift(const struct who *w, const struct obj *o)
{
	if (w->uid == o->uid || w->uid == o->cuid)
		return 6;
	if (in_group(w, o->gid) || in_group(w, o->cgid))
		return 3;
	return 0;
}

/* What an operation needs. */
#define NEED_R		04	/* read permission (S_IRUGO, MAY_READ) */
#define NEED_W		02	/* write permission */
#define NEED_RW		06
#define NEED_OWNER	0100	/* SysV: owner or creator, or CAP_SYS_ADMIN */
#define NEED_LOCKER	0200	/* SHM_[UN]LOCK: owner or creator, or CAP_IPC_LOCK */
#define NEED_FOWNER	0400	/* chmod: the owner, or CAP_FOWNER */
#define NEED_CHOWN	01000	/* chgrp to its own group: the owner, or CAP_CHOWN */

struct op {
	const char *name;
	int (*run)(struct obj *o);	/* 0, or the errno */
	int need;
	int ok;				/* the result when allowed, or ANY */
};

/* Allowed, with a result the mode does not decide: anything but EACCES. */
#define ANY (-2)

struct kind {
	const char *name;
	bool sysv;			/* ipcperms(), else the VFS */
	int (*make)(struct obj *o, bool by_user);
	int (*reset)(struct obj *o);	/* sets owner and mode again, as root */
	void (*destroy)(struct obj *o);
	const struct op *ops;
};

/* The result Linux gives: from the rule of op, the mode and w. */
static int expected(const struct kind *k, const struct op *op, const struct who *w,
		    const struct obj *o)
{
	int shift = class_shift(w, o);
	bool is_owner = shift == 6;
	int need = op->need & 07, granted = (o->mode >> shift) & 07;

	if (op->need & NEED_OWNER)
		return is_owner || has_cap(w, CAP_SYS_ADMIN) ? op->ok : EPERM;
	if (op->need & NEED_LOCKER)
		return is_owner || has_cap(w, CAP_IPC_LOCK) ? op->ok : EPERM;
	if (op->need & NEED_FOWNER)
		return w->uid == o->uid || has_cap(w, CAP_FOWNER) ? op->ok : EPERM;
	if (op->need & NEED_CHOWN)
		return w->uid == o->uid || has_cap(w, CAP_CHOWN) ? op->ok : EPERM;
	if (!(need & ~granted))
		return op->ok;
	if (k->sysv && has_cap(w, CAP_IPC_OWNER))
		return op->ok;
	if (!k->sysv && (has_cap(w, CAP_DAC_OVERRIDE) ||
			 (need == NEED_R && has_cap(w, CAP_DAC_READ_SEARCH))))
		return op->ok;
	return EACCES;
}

static int result(long ret)
{
	return ret < 0 ? errno : 0;
}

/* A get must give the object's id. */
static int id_result(int ret, const struct obj *o)
{
	return ret < 0 ? errno : ret == o->id ? 0 : 255;
}

static const char *err_name(int err)
{
	const char *name;

	if (err == ANY)
		return "anything but EACCES";
	if (!err)
		return "success";
	if (err == 255)
		return "a wrong id";
	name = strerrorname_np(err);
	return name ? name : "?";
}

/* Runs fn(o) in a child as w; returns its result (an errno), or -1. */
static int as_who(const struct who *w, int (*fn)(struct obj *), struct obj *o)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (become(w))
			_exit(254);
		_exit(fn(o));
	}
	return wait_exit(pid);
}

/* ------------------------------------------------- SysV, every kind */

/* The calls of a SysV kind that its operations share. */
struct sysv {
	int (*get)(key_t key, int flags);	/* a get the object fits */
	int (*ctl)(int id, int cmd, void *buf);
	int stat, stat_any;			/* its *_STAT and *_STAT_ANY */
};

static int ipc_stat(struct obj *o)
{
	union ipc_ds ds;

	return result(o->sysv->ctl(o->id, IPC_STAT, &ds));
}

/* *_STAT and *_STAT_ANY take the slot and give the id. */
static int slot_stat(struct obj *o)
{
	union ipc_ds ds;

	return id_result(o->sysv->ctl(o->id & 0x7fff, o->sysv->stat, &ds), o);
}

static int slot_stat_any(struct obj *o)
{
	union ipc_ds ds;

	return id_result(o->sysv->ctl(o->id & 0x7fff, o->sysv->stat_any, &ds), o);
}

static int ipc_set(struct obj *o)
{
	return result(o->sysv->ctl(o->id, IPC_SET, &o->ds));
}

static int ipc_rmid(struct obj *o)
{
	return result(o->sysv->ctl(o->id, IPC_RMID, NULL));
}

/* ---------------------------------------------------------------- msg */

static int msg_get0(struct obj *o) { return id_result(ripc_msgget(o->key, 0), o); }
static int msg_get_r(struct obj *o) { return id_result(ripc_msgget(o->key, 0400), o); }
static int msg_get_w(struct obj *o) { return id_result(ripc_msgget(o->key, 0200), o); }
static int msg_get_rw(struct obj *o) { return id_result(ripc_msgget(o->key, IPC_CREAT | 0600), o); }
static int msg_get_or(struct obj *o) { return id_result(ripc_msgget(o->key, 0004), o); }
static int msg_get_gw(struct obj *o) { return id_result(ripc_msgget(o->key, 0020), o); }
static int msg_get_excl(struct obj *o) { return id_result(ripc_msgget(o->key, IPC_CREAT | IPC_EXCL), o); }

struct small_msg {
	long mtype;
	char mtext[8];
};

static int msg_snd(struct obj *o)
{
	struct small_msg m = { 1, "perm" };

	return result(ripc_msgsnd(o->id, &m, sizeof(m.mtext), IPC_NOWAIT));
}

static int msg_rcv(struct obj *o)
{
	struct small_msg m;

	return result(ripc_msgrcv(o->id, &m, sizeof(m.mtext), 0, IPC_NOWAIT));
}

/* A copy of the message at position 0: there is always one. */
static int msg_copy(struct obj *o)
{
	struct small_msg m;

	return result(ripc_msgrcv(o->id, &m, sizeof(m.mtext), 0, MSG_COPY | IPC_NOWAIT));
}

static const struct op msg_ops[] = {
	{ "msgget(key, 0)", msg_get0, 0, 0 },
	{ "msgget(key, 0400)", msg_get_r, NEED_R, 0 },
	{ "msgget(key, 0200)", msg_get_w, NEED_W, 0 },
	{ "msgget(key, IPC_CREAT | 0600)", msg_get_rw, NEED_RW, 0 },
	{ "msgget(key, 0004)", msg_get_or, NEED_R, 0 },
	{ "msgget(key, 0020)", msg_get_gw, NEED_W, 0 },
	{ "msgget(key, IPC_CREAT | IPC_EXCL)", msg_get_excl, 0, EEXIST },
	{ "IPC_STAT", ipc_stat, NEED_R, 0 },
	{ "MSG_STAT", slot_stat, NEED_R, 0 },
	{ "MSG_STAT_ANY", slot_stat_any, 0, 0 },
	{ "msgsnd", msg_snd, NEED_W, 0 },
	{ "msgrcv(MSG_COPY)", msg_copy, NEED_R, 0 },
	{ "msgrcv", msg_rcv, NEED_R, 0 },
	{ "IPC_SET", ipc_set, NEED_OWNER, 0 },
	{}
};

/* ---------------------------------------------------------------- sem */

#define NSEMS 2

static int sem_get0(struct obj *o) { return id_result(ripc_semget(o->key, 0, 0), o); }
static int sem_get_r(struct obj *o) { return id_result(ripc_semget(o->key, NSEMS, 0400), o); }
static int sem_get_w(struct obj *o) { return id_result(ripc_semget(o->key, 0, 0200), o); }
static int sem_get_rw(struct obj *o) { return id_result(ripc_semget(o->key, 1, IPC_CREAT | 0600), o); }
static int sem_get_big(struct obj *o) { return id_result(ripc_semget(o->key, NSEMS + 1, 0), o); }
static int sem_get_excl(struct obj *o) { return id_result(ripc_semget(o->key, 0, IPC_CREAT | IPC_EXCL), o); }

static int sem_getval(struct obj *o) { return result(ripc_semctl(o->id, 1, GETVAL)); }
static int sem_getval5(struct obj *o) { return result(ripc_semctl(o->id, 5, GETVAL)); }
static int sem_getncnt(struct obj *o) { return result(ripc_semctl(o->id, 0, GETNCNT)); }
static int sem_getzcnt(struct obj *o) { return result(ripc_semctl(o->id, 0, GETZCNT)); }
static int sem_getpid(struct obj *o) { return result(ripc_semctl(o->id, 0, GETPID)); }
static int sem_setval(struct obj *o) { return result(ripc_semctl(o->id, 0, SETVAL, 0)); }
static int sem_setval5(struct obj *o) { return result(ripc_semctl(o->id, 5, SETVAL, 0)); }
static int sem_setval_big(struct obj *o) { return result(ripc_semctl(o->id, 0, SETVAL, 40000)); }

static int sem_getall(struct obj *o)
{
	unsigned short v[NSEMS];

	return result(ripc_semctl(o->id, 0, GETALL, v));
}

static int sem_setall(struct obj *o)
{
	unsigned short v[NSEMS] = { 0, 0 };

	return result(ripc_semctl(o->id, 0, SETALL, v));
}

/* Semaphore 0 stays 0; semaphore 1 goes up. */
static int sem_op_zero(struct obj *o)
{
	struct sembuf op = { 0, 0, IPC_NOWAIT };

	return result(ripc_semop(o->id, &op, 1));
}

static int sem_op_up(struct obj *o)
{
	struct sembuf op = { 1, 1, IPC_NOWAIT };

	return result(ripc_semop(o->id, &op, 1));
}

static int sem_op_undo(struct obj *o)
{
	struct sembuf op = { 1, 1, IPC_NOWAIT | SEM_UNDO };

	return result(ripc_semop(o->id, &op, 1));
}

static int sem_op_mixed(struct obj *o)
{
	struct sembuf ops[] = { { 0, 0, IPC_NOWAIT }, { 1, 1, IPC_NOWAIT } };

	return result(ripc_semop(o->id, ops, 2));
}

static int sem_op_big(struct obj *o)
{
	struct sembuf op = { 5, 1, IPC_NOWAIT };

	return result(ripc_semop(o->id, &op, 1));
}

static const struct op sem_ops[] = {
	{ "semget(key, 0, 0)", sem_get0, 0, 0 },
	{ "semget(key, 2, 0400)", sem_get_r, NEED_R, 0 },
	{ "semget(key, 0, 0200)", sem_get_w, NEED_W, 0 },
	{ "semget(key, 1, IPC_CREAT | 0600)", sem_get_rw, NEED_RW, 0 },
	/* The kind's own checks come before the mode (ipcget_public()). */
	{ "semget(key, 3, 0)", sem_get_big, 0, EINVAL },
	{ "semget(key, 0, IPC_CREAT | IPC_EXCL)", sem_get_excl, 0, EEXIST },
	{ "IPC_STAT", ipc_stat, NEED_R, 0 },
	{ "SEM_STAT", slot_stat, NEED_R, 0 },
	{ "SEM_STAT_ANY", slot_stat_any, 0, 0 },
	{ "GETVAL", sem_getval, NEED_R, 0 },
	{ "GETALL", sem_getall, NEED_R, 0 },
	{ "GETNCNT", sem_getncnt, NEED_R, 0 },
	{ "GETZCNT", sem_getzcnt, NEED_R, 0 },
	{ "GETPID", sem_getpid, NEED_R, 0 },
	/* semctl_main(): the mode, then the semaphore number. */
	{ "GETVAL of semaphore 5", sem_getval5, NEED_R, EINVAL },
	{ "SETVAL", sem_setval, NEED_W, 0 },
	{ "SETALL", sem_setall, NEED_W, 0 },
	/* semctl_setval(): the value, the semaphore number, then the mode. */
	{ "SETVAL of semaphore 5", sem_setval5, 0, EINVAL },
	{ "SETVAL 40000", sem_setval_big, 0, ERANGE },
	{ "semop wait-for-zero", sem_op_zero, NEED_R, 0 },
	{ "semop +1", sem_op_up, NEED_W, 0 },
	{ "semop +1 with SEM_UNDO", sem_op_undo, NEED_W, 0 },
	/* Altering needs write only, even with a wait-for-zero in the set. */
	{ "semop wait-for-zero and +1", sem_op_mixed, NEED_W, 0 },
	/* do_semtimedop(): the semaphore numbers before the mode. */
	{ "semop on semaphore 5", sem_op_big, 0, EFBIG },
	{ "IPC_SET", ipc_set, NEED_OWNER, 0 },
	{}
};

/* ---------------------------------------------------------------- shm */

static int shm_get0(struct obj *o) { return id_result(ripc_shmget(o->key, 0, 0), o); }
static int shm_get_r(struct obj *o) { return id_result(ripc_shmget(o->key, PAGE, 0400), o); }
static int shm_get_w(struct obj *o) { return id_result(ripc_shmget(o->key, 0, 0200), o); }
static int shm_get_rw(struct obj *o) { return id_result(ripc_shmget(o->key, 1, IPC_CREAT | 0600), o); }
static int shm_get_big(struct obj *o) { return id_result(ripc_shmget(o->key, 2 * PAGE, 0), o); }
static int shm_get_excl(struct obj *o) { return id_result(ripc_shmget(o->key, 0, IPC_CREAT | IPC_EXCL), o); }

static int shm_lock(struct obj *o) { return result(ripc_shmctl(o->id, SHM_LOCK, NULL)); }
static int shm_unlock(struct obj *o) { return result(ripc_shmctl(o->id, SHM_UNLOCK, NULL)); }

static int attach(struct obj *o, int flags)
{
	void *p = ripc_shmat(o->id, NULL, flags);

	if (p == (void *)-1)
		return errno;
	return ripc_shmdt(p) ? 254 : 0;
}

static int shm_at_ro(struct obj *o) { return attach(o, SHM_RDONLY); }
static int shm_at_rw(struct obj *o) { return attach(o, 0); }
static int shm_at_exec(struct obj *o) { return attach(o, SHM_EXEC | SHM_RDONLY); }

static const struct op shm_ops[] = {
	{ "shmget(key, 0, 0)", shm_get0, 0, 0 },
	{ "shmget(key, 4096, 0400)", shm_get_r, NEED_R, 0 },
	{ "shmget(key, 0, 0200)", shm_get_w, NEED_W, 0 },
	{ "shmget(key, 1, IPC_CREAT | 0600)", shm_get_rw, NEED_RW, 0 },
	{ "shmget(key, 8192, 0)", shm_get_big, 0, EINVAL },
	{ "shmget(key, 0, IPC_CREAT | IPC_EXCL)", shm_get_excl, 0, EEXIST },
	{ "IPC_STAT", ipc_stat, NEED_R, 0 },
	{ "SHM_STAT", slot_stat, NEED_R, 0 },
	{ "SHM_STAT_ANY", slot_stat_any, 0, 0 },
	{ "shmat(SHM_RDONLY)", shm_at_ro, NEED_R, 0 },
	{ "shmat(0)", shm_at_rw, NEED_RW, 0 },
	/* No mode here grants execute; PROT_EXEC may then fail (shm.rst). */
	{ "shmat(SHM_EXEC | SHM_RDONLY)", shm_at_exec, NEED_R | 01, ANY },
	{ "SHM_LOCK", shm_lock, NEED_LOCKER, 0 },
	{ "SHM_UNLOCK", shm_unlock, NEED_LOCKER, 0 },
	{ "IPC_SET", ipc_set, NEED_OWNER, 0 },
	{}
};

/* ------------------------------------------------------ SysV objects */

static int msg_get(key_t key, int flags) { return ripc_msgget(key, flags); }
static int sem_get(key_t key, int flags) { return ripc_semget(key, NSEMS, flags); }
static int shm_get(key_t key, int flags) { return ripc_shmget(key, PAGE, flags); }
static int msg_ctl(int id, int cmd, void *buf) { return ripc_msgctl(id, cmd, buf); }
static int sem_ctl(int id, int cmd, void *buf) { return ripc_semctl(id, 0, cmd, buf); }
static int shm_ctl(int id, int cmd, void *buf) { return ripc_shmctl(id, cmd, buf); }

static const struct sysv msg_sysv = { msg_get, msg_ctl, MSG_STAT, MSG_STAT_ANY };
static const struct sysv sem_sysv = { sem_get, sem_ctl, SEM_STAT, SEM_STAT_ANY };
static const struct sysv shm_sysv = { shm_get, shm_ctl, SHM_STAT, SHM_STAT_ANY };

static int create(struct obj *o)
{
	return o->sysv->get(o->key, IPC_CREAT | IPC_EXCL | 0600) < 0 ? errno : 0;
}

/*
 * Makes a SysV object with key: as root, handed to ripcuser (uid, gid);
 * or as ripcuser, handed to root (cuid, cgid stay ripcuser's).
 */
static int sysv_make(struct obj *o, bool by_user, key_t key, const struct sysv *sysv)
{
	memset(o, 0, sizeof(*o));
	o->sysv = sysv;
	o->key = key;
	o->id = sysv->get(key, 0);
	if (o->id >= 0)
		ipc_rmid(o);
	if (by_user) {
		if (as_who(&owner, create, o))
			return -1;
		o->cuid = RIPCUSER;
		o->cgid = RIPCUSER;
	} else {
		if (create(o))
			return -1;
		o->uid = RIPCUSER;
		o->gid = RIPCUSER;
	}
	o->id = sysv->get(key, 0);
	return o->id < 0 ? -1 : 0;
}

static int msg_make(struct obj *o, bool by_user)
{
	return sysv_make(o, by_user, KEY_BASE + 1 + by_user, &msg_sysv);
}

static int sem_make(struct obj *o, bool by_user)
{
	return sysv_make(o, by_user, KEY_BASE + 3 + by_user, &sem_sysv);
}

static int shm_make(struct obj *o, bool by_user)
{
	return sysv_make(o, by_user, KEY_BASE + 5 + by_user, &shm_sysv);
}

static struct ipc_perm *sysv_perm(struct obj *o)
{
	if (o->sysv == &msg_sysv)
		return &o->ds.msq.msg_perm;
	if (o->sysv == &sem_sysv)
		return &o->ds.sem.sem_perm;
	return &o->ds.shm.shm_perm;
}

/* Owner and mode by IPC_SET, as root; o->ds as it was before. */
static int sysv_set_owner(struct obj *o)
{
	struct ipc_perm *perm = sysv_perm(o);

	if (o->sysv->ctl(o->id, IPC_STAT, &o->ds))
		return -1;
	perm->uid = o->uid;
	perm->gid = o->gid;
	perm->mode = o->mode;
	return o->sysv->ctl(o->id, IPC_SET, &o->ds);
}

/* o->ds as root sees it now. */
static int ipc_stat_into(struct obj *o)
{
	return o->sysv->ctl(o->id, IPC_STAT, &o->ds);
}

#define SET_PERM(perm, o) \
	do { \
		(perm).uid = (o)->uid; \
		(perm).gid = (o)->gid; \
		(perm).mode = (o)->mode; \
	} while (0)

/* Owner and mode by IPC_SET; one message queued. */
static int msg_reset(struct obj *o)
{
	struct small_msg m = { 1, "root" };

	if (sysv_set_owner(o))
		return -1;
	while (ripc_msgrcv(o->id, &m, sizeof(m.mtext), 0, IPC_NOWAIT) >= 0)
		;
	if (ripc_msgsnd(o->id, &m, sizeof(m.mtext), 0))
		return -1;
	return ipc_stat_into(o);
}

/* Owner and mode by IPC_SET; values 0. */
static int sem_reset(struct obj *o)
{
	unsigned short v[NSEMS] = { 0, 0 };

	if (sysv_set_owner(o) || ripc_semctl(o->id, 0, SETALL, v))
		return -1;
	return ipc_stat_into(o);
}

/* Owner and mode by IPC_SET; unlocked. */
static int shm_reset(struct obj *o)
{
	if (sysv_set_owner(o) || ripc_shmctl(o->id, SHM_UNLOCK, NULL))
		return -1;
	return ipc_stat_into(o);
}

static void sysv_destroy(struct obj *o) { ipc_rmid(o); }

static const struct kind msg_kind = {
	"msg", true, msg_make, msg_reset, sysv_destroy, msg_ops,
};
static const struct kind sem_kind = {
	"sem", true, sem_make, sem_reset, sysv_destroy, sem_ops,
};
static const struct kind shm_kind = {
	"shm", true, shm_make, shm_reset, sysv_destroy, shm_ops,
};

/* ---------------------------------------------------- names (ripcfs) */

static int open_result(int fd)
{
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int open_r(struct obj *o) { return open_result(open(o->path, O_RDONLY | O_NONBLOCK)); }
static int open_w(struct obj *o) { return open_result(open(o->path, O_WRONLY | O_NONBLOCK)); }
static int open_rw(struct obj *o) { return open_result(open(o->path, O_RDWR | O_NONBLOCK)); }
static int open_creat(struct obj *o) { return open_result(open(o->path, O_CREAT | O_RDWR, 0600)); }
static int open_excl(struct obj *o) { return open_result(open(o->path, O_CREAT | O_EXCL | O_RDWR, 0600)); }
static int do_chmod(struct obj *o) { return result(chmod(o->path, o->mode)); }
static int do_chgrp(struct obj *o) { return result(chown(o->path, -1, o->gid)); }

static int mq_result(mqd_t q)
{
	if (q == (mqd_t)-1)
		return errno;
	ripc_mq_close(q);
	return 0;
}

static int mq_r(struct obj *o) { return mq_result(ripc_mq_open(MQ_NAME, O_RDONLY)); }
static int mq_w(struct obj *o) { return mq_result(ripc_mq_open(MQ_NAME, O_WRONLY)); }
static int mq_rw(struct obj *o) { return mq_result(ripc_mq_open(MQ_NAME, O_RDWR)); }
static int mq_creat(struct obj *o) { return mq_result(ripc_mq_open(MQ_NAME, O_CREAT | O_RDWR, 0600, NULL)); }
static int mq_excl(struct obj *o) { return mq_result(ripc_mq_open(MQ_NAME, O_CREAT | O_EXCL | O_RDWR, 0600, NULL)); }
/* O_WRONLY | O_RDWR: EINVAL before the mode (prepare_open()). */
static int mq_badmode(struct obj *o) { return mq_result(ripc_mq_open(MQ_NAME, O_WRONLY | O_RDWR)); }

static int shm_r(struct obj *o) { return open_result(ripc_shm_open(SHM_NAME, O_RDONLY, 0)); }
static int shm_w(struct obj *o) { return open_result(ripc_shm_open(SHM_NAME, O_WRONLY, 0)); }
static int shm_rw(struct obj *o) { return open_result(ripc_shm_open(SHM_NAME, O_RDWR, 0)); }
static int shm_creat(struct obj *o) { return open_result(ripc_shm_open(SHM_NAME, O_CREAT | O_RDWR, 0600)); }
static int shm_excl(struct obj *o) { return open_result(ripc_shm_open(SHM_NAME, O_CREAT | O_EXCL | O_RDWR, 0600)); }
static int shm_truncate(struct obj *o) { return result(truncate(o->path, PAGE)); }

static const struct op notify_ops[] = {
	{ "open(O_RDONLY)", open_r, NEED_R, 0 },
	{ "open(O_WRONLY)", open_w, NEED_W, 0 },
	{ "open(O_RDWR)", open_rw, NEED_RW, 0 },
	{ "open(O_CREAT | O_RDWR)", open_creat, NEED_RW, 0 },
	{ "open(O_CREAT | O_EXCL)", open_excl, 0, EEXIST },
	{ "chmod", do_chmod, NEED_FOWNER, 0 },
	{ "chown(-1, gid)", do_chgrp, NEED_CHOWN, 0 },
	{}
};

/* A reader is open (root's), so a non-blocking writer's open succeeds. */
static const struct op fifo_ops[] = {
	{ "open(O_RDONLY | O_NONBLOCK)", open_r, NEED_R, 0 },
	{ "open(O_WRONLY | O_NONBLOCK)", open_w, NEED_W, 0 },
	{ "open(O_RDWR)", open_rw, NEED_RW, 0 },
	{ "chmod", do_chmod, NEED_FOWNER, 0 },
	{ "chown(-1, gid)", do_chgrp, NEED_CHOWN, 0 },
	{}
};

static const struct op mq_ops[] = {
	{ "mq_open(O_RDONLY)", mq_r, NEED_R, 0 },
	{ "mq_open(O_WRONLY)", mq_w, NEED_W, 0 },
	{ "mq_open(O_RDWR)", mq_rw, NEED_RW, 0 },
	{ "mq_open(O_CREAT | O_RDWR)", mq_creat, NEED_RW, 0 },
	{ "mq_open(O_CREAT | O_EXCL)", mq_excl, 0, EEXIST },
	{ "mq_open(O_WRONLY | O_RDWR)", mq_badmode, 0, EINVAL },
	{ "chmod", do_chmod, NEED_FOWNER, 0 },
	{ "chown(-1, gid)", do_chgrp, NEED_CHOWN, 0 },
	{}
};

static const struct op named_shm_ops[] = {
	{ "shm_open(O_RDONLY)", shm_r, NEED_R, 0 },
	{ "shm_open(O_WRONLY)", shm_w, NEED_W, 0 },
	{ "shm_open(O_RDWR)", shm_rw, NEED_RW, 0 },
	{ "shm_open(O_CREAT | O_RDWR)", shm_creat, NEED_RW, 0 },
	{ "shm_open(O_CREAT | O_EXCL)", shm_excl, 0, EEXIST },
	{ "truncate", shm_truncate, NEED_W, 0 },
	{ "chmod", do_chmod, NEED_FOWNER, 0 },
	{ "chown(-1, gid)", do_chgrp, NEED_CHOWN, 0 },
	{}
};

/* Names are made by root and handed to ripcuser (uid == cuid). */
static void name_owner(struct obj *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->uid = o->cuid = RIPCUSER;
	o->gid = o->cgid = RIPCUSER;
	o->fd = -1;
	unlink(path);
}

static int notify_make(struct obj *o, bool by_user)
{
	name_owner(o, NOTIFY_PATH);
	return open_result(open(o->path, O_CREAT | O_EXCL | O_RDWR, 0600));
}

static int fifo_make(struct obj *o, bool by_user)
{
	name_owner(o, FIFO_PATH);
	if (mkfifo(o->path, 0600))
		return -1;
	o->fd = open(o->path, O_RDWR);
	return o->fd < 0 ? -1 : 0;
}

static int mq_make(struct obj *o, bool by_user)
{
	name_owner(o, MQ_PATH);
	return mq_result(ripc_mq_open(MQ_NAME, O_CREAT | O_EXCL | O_RDWR, 0600, NULL));
}

static int named_shm_make(struct obj *o, bool by_user)
{
	int fd;

	name_owner(o, SHM_PATH);
	fd = ripc_shm_open(SHM_NAME, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int name_reset(struct obj *o)
{
	return chown(o->path, o->uid, o->gid) || chmod(o->path, o->mode);
}

static void name_destroy(struct obj *o)
{
	if (o->fd >= 0)
		close(o->fd);
	unlink(o->path);
}

static const struct kind notify_kind = {
	"notify/", false, notify_make, name_reset, name_destroy, notify_ops,
};
static const struct kind fifo_kind = {
	"pipe/", false, fifo_make, name_reset, name_destroy, fifo_ops,
};
static const struct kind mq_kind = {
	"mq/", false, mq_make, name_reset, name_destroy, mq_ops,
};
static const struct kind named_shm_kind = {
	"shm/", false, named_shm_make, name_reset, name_destroy, named_shm_ops,
};

/* ------------------------------------------------------------ matrix */

#define MAX_OPS 32

/* The mode giving w's class `bits` and the two other classes the rest. */
static int mode_for(const struct who *w, const struct obj *o, int bits)
{
	int shift = class_shift(w, o), mode = 0, s;

	for (s = 0; s <= 6; s += 3)
		mode |= (s == shift ? bits : 06 & ~bits) << s;
	return mode;
}

/*
 * One cell: every op of k as w, in one child (the ops are chosen so that
 * their order does not matter); the results come back through shared
 * memory. Returns the number of results that differ from Linux's.
 */
static int run_cell(struct __test_metadata *_metadata, const struct kind *k,
		    struct obj *o, const struct who *w, int *results)
{
	int i, n, status, bad = 0;
	pid_t pid;

	for (n = 0; k->ops[n].name; n++)
		results[n] = -1;
	pid = fork();
	if (pid == 0) {
		if (become(w))
			_exit(1);
		for (i = 0; i < n; i++)
			results[i] = k->ops[i].run(o);
		_exit(0);
	}
	status = wait_exit(pid);
	if (status) {
		TH_LOG("%s as %s: the child ended with %d", k->name, w->name, status);
		return n;
	}
	for (i = 0; i < n; i++) {
		int want = expected(k, &k->ops[i], w, o);

		if (want == ANY ? results[i] == EACCES : results[i] != want) {
			TH_LOG("%s %s as %s, mode %03o: %s, Linux gives %s", k->name,
			       k->ops[i].name, w->name, o->mode, err_name(results[i]),
			       err_name(want));
			bad++;
		}
	}
	return bad;
}

static void matrix(struct __test_metadata *_metadata, const struct kind *k, bool by_user)
{
	static const int bits[] = { 0, 04, 02, 06 };
	int *results, bad = 0, checked = 0;
	struct obj o;
	size_t w, b;

	results = mmap(NULL, MAX_OPS * sizeof(int), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, results);
	ASSERT_EQ(0, k->make(&o, by_user)) TH_LOG("making the %s object: %s", k->name,
						  strerror(errno));
	for (w = 0; w < NR_WHOS; w++) {
		for (b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
			o.mode = mode_for(&whos[w], &o, bits[b]);
			ASSERT_EQ(0, k->reset(&o)) TH_LOG("reset: %s", strerror(errno));
			bad += run_cell(_metadata, k, &o, &whos[w], results);
			checked++;
		}
	}
	k->destroy(&o);
	munmap(results, MAX_OPS * sizeof(int));
	EXPECT_EQ(0, bad);
	TH_LOG("%s: %d cells", k->name, checked);
}

FIXTURE(perm) {
	int mounted;
};

FIXTURE_SETUP(perm)
{
	self->mounted = 0;
	if (!REFERENCE) {
		mkdir("/tmp/ripc-perm-mnt", 0755);
		ASSERT_EQ(0, mount("none", "/tmp/ripc-perm-mnt", "ripcfs", 0, NULL))
			TH_LOG("mount: %s", strerror(errno));
		self->mounted = 1;
		setenv("RIPCFS_MOUNT", "/tmp/ripc-perm-mnt", 1);
	}
}

FIXTURE_TEARDOWN(perm)
{
	if (self->mounted)
		umount("/tmp/ripc-perm-mnt");
}

TEST_F_TIMEOUT(perm, msg_matrix, 300) { matrix(_metadata, &msg_kind, false); }
TEST_F_TIMEOUT(perm, msg_matrix_creator, 300) { matrix(_metadata, &msg_kind, true); }
TEST_F_TIMEOUT(perm, sem_matrix, 300) { matrix(_metadata, &sem_kind, false); }
TEST_F_TIMEOUT(perm, sem_matrix_creator, 300) { matrix(_metadata, &sem_kind, true); }
TEST_F_TIMEOUT(perm, shm_matrix, 300) { matrix(_metadata, &shm_kind, false); }
TEST_F_TIMEOUT(perm, shm_matrix_creator, 300) { matrix(_metadata, &shm_kind, true); }

TEST_F_TIMEOUT(perm, notify_matrix, 300)
{
	RIPC_ONLY();
	matrix(_metadata, &notify_kind, false);
}

TEST_F_TIMEOUT(perm, fifo_matrix, 300) { matrix(_metadata, &fifo_kind, false); }
TEST_F_TIMEOUT(perm, mq_matrix, 300) { matrix(_metadata, &mq_kind, false); }
TEST_F_TIMEOUT(perm, named_shm_matrix, 300) { matrix(_metadata, &named_shm_kind, false); }

/* ------------------------------------------------------ other cases */

static const struct kind *const sysv_kinds[] = { &msg_kind, &sem_kind, &shm_kind };

static const struct op *find_op(const struct kind *k, const char *name)
{
	const struct op *op;

	for (op = k->ops; op->name; op++)
		if (!strcmp(op->name, name))
			return op;
	return NULL;
}

/*
 * IPC_SET hands the object over: the old owner is judged by the other
 * bits and may no longer change it; the new one may, from the next call.
 */
TEST_F(perm, ipc_set_hands_over)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		const struct kind *k = sysv_kinds[i];
		int (*stat)(struct obj *) = find_op(k, "IPC_STAT")->run;
		int (*set)(struct obj *) = find_op(k, "IPC_SET")->run;
		struct obj o;

		ASSERT_EQ(0, k->make(&o, false));
		o.mode = 0600;
		ASSERT_EQ(0, k->reset(&o));
		EXPECT_EQ(0, as_who(&owner, stat, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(EACCES, as_who(&other, stat, &o)) TH_LOG("%s", k->name);
		sysv_perm(&o)->uid = RIPCOTHER;
		sysv_perm(&o)->gid = RIPCOTHER;
		EXPECT_EQ(0, as_who(&owner, set, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(EACCES, as_who(&owner, stat, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(EPERM, as_who(&owner, set, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(0, as_who(&other, stat, &o)) TH_LOG("%s", k->name);
		/* Back to ripcuser, by the new owner; the group goes too. */
		sysv_perm(&o)->uid = RIPCUSER;
		sysv_perm(&o)->mode = 0660;
		EXPECT_EQ(0, as_who(&other, set, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(0, as_who(&owner, stat, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(0, as_who(&other, stat, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(0, as_who(&whos[2], stat, &o)) TH_LOG("%s", k->name);
		sysv_perm(&o)->gid = RIPCUSER;
		EXPECT_EQ(0, as_who(&owner, set, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(EACCES, as_who(&other, stat, &o)) TH_LOG("%s", k->name);
		k->destroy(&o);
	}
}

/* IPC_RMID: the owner or creator, or CAP_SYS_ADMIN; the mode is not asked. */
TEST_F(perm, ipc_rmid_rights)
{
	static const struct op rmid_rule = { "IPC_RMID", ipc_rmid, NEED_OWNER, 0 };
	size_t i, w;
	int by_user;

	for (i = 0; i < 3; i++) {
		const struct kind *k = sysv_kinds[i];

		for (by_user = 0; by_user < 2; by_user++) {
			for (w = 0; w < NR_WHOS; w++) {
				struct obj o;
				int want;

				ASSERT_EQ(0, k->make(&o, by_user));
				o.mode = 0;
				ASSERT_EQ(0, k->reset(&o));
				want = expected(k, &rmid_rule, &whos[w], &o);
				EXPECT_EQ(want, as_who(&whos[w], ipc_rmid, &o))
					TH_LOG("%s IPC_RMID as %s (made by %s)", k->name,
					       whos[w].name, by_user ? "ripcuser" : "root");
				if (want)
					k->destroy(&o);
			}
		}
	}
}

static int msg_rcv_wait(struct obj *o)
{
	struct small_msg m;

	return result(ripc_msgrcv(o->id, &m, sizeof(m.mtext), 0, 0));
}

static int msg_snd_wait(struct obj *o)
{
	struct small_msg m = { 1, "late" };

	return result(ripc_msgsnd(o->id, &m, sizeof(m.mtext), 0));
}

static pid_t start_as(const struct who *w, int (*fn)(struct obj *), struct obj *o)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (become(w))
			_exit(254);
		_exit(fn(o));
	}
	return pid;
}

/*
 * IPC_SET makes blocked receivers look again (expunge_all(-EAGAIN)), so
 * one the new mode refuses fails with EACCES at once.
 */
TEST_F(perm, msg_blocked_receiver_rechecks)
{
	struct small_msg m;
	struct obj o;
	pid_t pid;

	ASSERT_EQ(0, msg_kind.make(&o, false));
	o.mode = 0666;
	ASSERT_EQ(0, msg_kind.reset(&o));
	ASSERT_EQ(sizeof(m.mtext), ripc_msgrcv(o.id, &m, sizeof(m.mtext), 0, IPC_NOWAIT));
	pid = start_as(&other, msg_rcv_wait, &o);
	EXPECT_TRUE(still_blocked(pid));
	o.ds.msq.msg_perm.mode = 0660;
	ASSERT_EQ(0, ripc_msgctl(o.id, IPC_SET, &o.ds.msq));
	EXPECT_EQ(EACCES, wait_exit(pid));
	sysv_destroy(&o);
}

/*
 * A blocked sender is woken only when its message fits (ss_wakeup()), not
 * by IPC_SET: it stays blocked, and fails with EACCES once room is made.
 */
TEST_F(perm, msg_blocked_sender_rechecks_when_room)
{
	struct small_msg m;
	struct msqid_ds ds;
	struct obj o;
	pid_t pid;

	ASSERT_EQ(0, msg_kind.make(&o, false));
	o.mode = 0666;
	ASSERT_EQ(0, msg_kind.reset(&o));
	/* The queue holds one message: full. */
	o.ds.msq.msg_qbytes = sizeof(m.mtext);
	ASSERT_EQ(0, ripc_msgctl(o.id, IPC_SET, &o.ds.msq));
	pid = start_as(&other, msg_snd_wait, &o);
	EXPECT_TRUE(still_blocked(pid));
	o.ds.msq.msg_perm.mode = 0664;
	ASSERT_EQ(0, ripc_msgctl(o.id, IPC_SET, &o.ds.msq));
	EXPECT_TRUE(still_blocked(pid));
	ASSERT_EQ(sizeof(m.mtext), ripc_msgrcv(o.id, &m, sizeof(m.mtext), 0, IPC_NOWAIT));
	EXPECT_EQ(EACCES, wait_exit(pid));
	ASSERT_EQ(0, ripc_msgctl(o.id, IPC_STAT, &ds));
	EXPECT_EQ(0, ds.msg_qnum);
	sysv_destroy(&o);
}

static int sem_down_wait(struct obj *o)
{
	struct sembuf op = { 0, -1, 0 };

	return result(ripc_semop(o->id, &op, 1));
}

/* A blocked semop was allowed when it started: IPC_SET does not undo it. */
TEST_F(perm, sem_blocked_op_not_rechecked)
{
	struct obj o;
	pid_t pid;

	ASSERT_EQ(0, sem_kind.make(&o, false));
	o.mode = 0666;
	ASSERT_EQ(0, sem_kind.reset(&o));
	pid = start_as(&other, sem_down_wait, &o);
	EXPECT_TRUE(still_blocked(pid));
	o.ds.sem.sem_perm.mode = 0600;
	ASSERT_EQ(0, ripc_semctl(o.id, 0, IPC_SET, &o.ds.sem));
	EXPECT_TRUE(still_blocked(pid));
	ASSERT_EQ(0, ripc_semctl(o.id, 0, SETVAL, 1));
	EXPECT_EQ(0, wait_exit(pid));
	EXPECT_EQ(0, ripc_semctl(o.id, 0, GETVAL));
	sysv_destroy(&o);
}

/* An attachment outlives a mode that refuses new ones. */
static int shm_attach_then_close(struct obj *o)
{
	struct shmid_ds ds;
	char *p = ripc_shmat(o->id, NULL, 0);

	if (p == (void *)-1)
		return 1;
	o->ds.shm.shm_perm.mode = 0;
	if (ipc_set(o))
		return 2;
	p[0] = 'x';
	if (ripc_shmat(o->id, NULL, SHM_RDONLY) != (void *)-1 || errno != EACCES)
		return 3;
	if (ripc_shmctl(o->id, IPC_STAT, &ds) != -1 || errno != EACCES)
		return 4;
	return ripc_shmdt(p) ? 5 : 0;
}

TEST_F(perm, shm_attachment_outlives_mode)
{
	struct obj o;
	char *p;

	ASSERT_EQ(0, shm_kind.make(&o, false));
	o.mode = 0600;
	ASSERT_EQ(0, shm_kind.reset(&o));
	EXPECT_EQ(0, as_who(&owner, shm_attach_then_close, &o));
	p = ripc_shmat(o.id, NULL, SHM_RDONLY);
	ASSERT_NE((void *)-1, p);
	EXPECT_EQ('x', p[0]);
	ripc_shmdt(p);
	sysv_destroy(&o);
}

/*
 * Privileges dropped by setuid() go with the capabilities; seteuid() to a
 * user clears the effective set until seteuid(0) brings it back.
 */
static int dropped_by_setuid(struct obj *o)
{
	struct msqid_ds ds;

	if (setgroups(0, NULL) || setgid(RIPCOTHER) || setuid(RIPCOTHER))
		return 250;
	if (ripc_msgget(o->key, 0600) != -1 || errno != EACCES)
		return 1;
	if (ripc_msgctl(o->id, IPC_STAT, &ds) != -1 || errno != EACCES)
		return 2;
	if (ripc_msgctl(o->id, IPC_RMID, NULL) != -1 || errno != EPERM)
		return 3;
	if (setuid(0) != -1)
		return 4;
	return 0;
}

static int dropped_by_seteuid(struct obj *o)
{
	struct msqid_ds ds;

	if (seteuid(RIPCOTHER))
		return 250;
	if (ripc_msgctl(o->id, IPC_STAT, &ds) != -1 || errno != EACCES)
		return 1;
	if (ripc_msgctl(o->id, IPC_SET, &o->ds.msq) != -1 || errno != EPERM)
		return 2;
	if (seteuid(0))
		return 251;
	if (ripc_msgctl(o->id, IPC_STAT, &ds))
		return 3;
	return ripc_msgctl(o->id, IPC_SET, &o->ds.msq) ? 4 : 0;
}

TEST_F(perm, root_dropping_privileges)
{
	struct obj o;

	/* ripcuser's queue, mode 0: only root's capabilities let it in. */
	ASSERT_EQ(0, msg_kind.make(&o, true));
	o.uid = RIPCUSER;
	o.gid = RIPCUSER;
	o.mode = 0;
	ASSERT_EQ(0, msg_kind.reset(&o));
	EXPECT_EQ(0, as_who(&whos[NR_WHOS - 1], dropped_by_setuid, &o));
	EXPECT_EQ(0, as_who(&whos[NR_WHOS - 1], dropped_by_seteuid, &o));
	sysv_destroy(&o);
}

/* msg_qbytes above MSGMNB needs CAP_SYS_RESOURCE, even from the owner. */
static int raise_qbytes(struct obj *o)
{
	o->ds.msq.msg_qbytes = 16385;
	return result(ripc_msgctl(o->id, IPC_SET, &o->ds.msq));
}

static int lower_qbytes(struct obj *o)
{
	o->ds.msq.msg_qbytes = 100;
	return result(ripc_msgctl(o->id, IPC_SET, &o->ds.msq));
}

TEST_F(perm, msg_qbytes_needs_sys_resource)
{
	struct obj o;

	ASSERT_EQ(0, msg_kind.make(&o, false));
	o.mode = 0600;
	ASSERT_EQ(0, msg_kind.reset(&o));
	EXPECT_EQ(EPERM, as_who(&owner, raise_qbytes, &o));
	EXPECT_EQ(EPERM, as_who(&whos[5], raise_qbytes, &o)); /* CAP_SYS_ADMIN */
	EXPECT_EQ(EPERM, as_who(&other, lower_qbytes, &o));
	EXPECT_EQ(0, as_who(&owner, lower_qbytes, &o));
	EXPECT_EQ(0, as_who(&whos[NR_WHOS - 1], raise_qbytes, &o));
	sysv_destroy(&o);
}

/* ------------------------------------------------ names: other cases */

static const struct kind *const name_kinds[] = {
	&fifo_kind, &mq_kind, &named_shm_kind, &notify_kind,
};

#define NR_NAME_KINDS (REFERENCE ? 3 : 4)

static int unlink_name(struct obj *o)
{
	if (!strcmp(o->path, MQ_PATH))
		return result(ripc_mq_unlink(MQ_NAME));
	if (!strcmp(o->path, SHM_PATH))
		return result(ripc_shm_unlink(SHM_NAME));
	return result(unlink(o->path));
}

/*
 * The directories are sticky and world-writable, owned by root: a name
 * goes by its owner, the directory's owner (uid 0, even without
 * capabilities) or CAP_FOWNER (may_delete(), check_sticky()).
 */
TEST_F(perm, unlink_in_sticky_directory)
{
	size_t i, w;

	for (i = 0; i < NR_NAME_KINDS; i++) {
		const struct kind *k = name_kinds[i];

		for (w = 0; w < NR_WHOS; w++) {
			const struct who *who = &whos[w];
			bool allowed = who->uid == RIPCUSER || who->uid == 0 ||
				       has_cap(who, CAP_FOWNER);
			/* mq_unlink(3) and shm_unlink(3) say EACCES for EPERM. */
			int refused = k == &fifo_kind || k == &notify_kind ? EPERM : EACCES;
			int want = allowed ? 0 : refused;
			struct obj o;

			ASSERT_EQ(0, k->make(&o, false));
			o.mode = 0666;
			ASSERT_EQ(0, k->reset(&o));
			EXPECT_EQ(want, as_who(who, unlink_name, &o))
				TH_LOG("%s unlink as %s", k->name, who->name);
			k->destroy(&o);
		}
	}
}

static int give_away(struct obj *o)
{
	return result(chown(o->path, RIPCOTHER, -1));
}

static int chgrp_other(struct obj *o)
{
	return result(chown(o->path, -1, RIPCOTHER));
}

static int chmod_then_open(struct obj *o)
{
	int fd = open(o->path, O_RDWR | O_NONBLOCK);

	if (fd < 0)
		return 1;
	if (chmod(o->path, 0))
		return 2;
	if (open(o->path, O_RDWR | O_NONBLOCK) != -1 || errno != EACCES)
		return 3;
	/* The open file keeps its access. */
	if (fchmod(fd, 0600))
		return 4;
	close(fd);
	fd = open(o->path, O_RDWR | O_NONBLOCK);
	if (fd < 0)
		return 5;
	close(fd);
	return 0;
}

/*
 * chown: only CAP_CHOWN gives a name away or to a group its owner is not
 * in; chmod by the owner takes effect at the next open, not for open
 * files.
 */
TEST_F(perm, chown_chmod_rules)
{
	size_t i;

	for (i = 0; i < NR_NAME_KINDS; i++) {
		const struct kind *k = name_kinds[i];
		struct obj o;
		struct stat st;

		ASSERT_EQ(0, k->make(&o, false));
		o.mode = 0666;
		ASSERT_EQ(0, k->reset(&o));
		EXPECT_EQ(EPERM, as_who(&owner, give_away, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(EPERM, as_who(&owner, chgrp_other, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(EPERM, as_who(&whos[2], chgrp_other, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(0, as_who(&owner, chmod_then_open, &o)) TH_LOG("%s", k->name);
		EXPECT_EQ(0, as_who(&whos[NR_WHOS - 1], give_away, &o)) TH_LOG("%s", k->name);
		ASSERT_EQ(0, stat(o.path, &st));
		EXPECT_EQ(RIPCOTHER, st.st_uid);
		EXPECT_EQ(0600, st.st_mode & 07777);
		k->destroy(&o);
	}
}

/* CAP_IPC_OWNER is for SysV objects: the names ask for CAP_DAC_OVERRIDE. */
TEST_F(perm, ipc_owner_does_not_open_names)
{
	const struct who *ipc_owner = &whos[4];
	size_t i;

	for (i = 0; i < NR_NAME_KINDS; i++) {
		const struct kind *k = name_kinds[i];
		struct obj o;

		ASSERT_EQ(0, k->make(&o, false));
		o.mode = 0;
		ASSERT_EQ(0, k->reset(&o));
		EXPECT_EQ(EACCES, as_who(ipc_owner, k->ops[0].run, &o)) TH_LOG("%s", k->name);
		k->destroy(&o);
	}
}

/* Without CAP_IPC_LOCK, SHM_LOCK needs a non-zero RLIMIT_MEMLOCK; SHM_UNLOCK not. */
static int lock_without_rlimit(struct obj *o)
{
	struct rlimit zero = { 0, 0 };

	if (setrlimit(RLIMIT_MEMLOCK, &zero))
		return 250;
	if (ripc_shmctl(o->id, SHM_LOCK, NULL) != -1 || errno != EPERM)
		return 1;
	return ripc_shmctl(o->id, SHM_UNLOCK, NULL) ? 2 : 0;
}

TEST_F(perm, shm_lock_needs_memlock_rlimit)
{
	struct obj o;

	ASSERT_EQ(0, shm_kind.make(&o, false));
	o.mode = 0600;
	ASSERT_EQ(0, shm_kind.reset(&o));
	EXPECT_EQ(0, as_who(&owner, lock_without_rlimit, &o));
	/* CAP_IPC_LOCK does without. */
	EXPECT_EQ(0, as_who(&whos[6], shm_lock, &o));
	sysv_destroy(&o);
}

/*
 * A new SysV object belongs to its creator's effective ids and takes the
 * mode bits as given (no umask); a new name takes the umask, as any file.
 */
static int create_with_umask(struct obj *o)
{
	struct msqid_ds ds;
	struct stat st;
	int id, fd;

	umask(077);
	id = ripc_msgget(o->key, IPC_CREAT | IPC_EXCL | 0666);
	if (id < 0 || ripc_msgctl(id, IPC_STAT, &ds))
		return 1;
	if ((ds.msg_perm.mode & 0777) != 0666 || ds.msg_perm.uid != RIPCOTHER ||
	    ds.msg_perm.cuid != RIPCOTHER || ds.msg_perm.gid != RIPCUSER ||
	    ds.msg_perm.cgid != RIPCUSER)
		return 2;
	fd = ripc_shm_open(SHM_NAME, O_CREAT | O_EXCL | O_RDWR, 0666);
	if (fd < 0 || fstat(fd, &st))
		return 3;
	close(fd);
	if ((st.st_mode & 07777) != 0600 || st.st_uid != RIPCOTHER || st.st_gid != RIPCUSER)
		return 4;
	return ripc_shm_unlink(SHM_NAME) ? 5 : 0;
}

TEST_F(perm, creator_ids_and_mode)
{
	struct obj o = { .sysv = &msg_sysv, .key = KEY_BASE + 9, .id = -1 };

	o.id = ripc_msgget(o.key, 0);
	if (o.id >= 0)
		ipc_rmid(&o);
	ripc_shm_unlink(SHM_NAME);
	EXPECT_EQ(0, as_who(&whos[1], create_with_umask, &o)); /* gid 1000 */
	o.id = ripc_msgget(o.key, 0);
	EXPECT_LE(0, o.id);
	ipc_rmid(&o);
}

static int read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_sysctl(const char *path, int v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%d\n", v) < 0;
	return fclose(f) || ret ? -1 : 0;
}

#define PROTECTED_REGULAR "/proc/sys/fs/protected_regular"

/*
 * fs.protected_regular refuses open(O_CREAT) of another user's file in a
 * world-writable sticky directory (may_create_in_sticky()): shm_open(3)
 * is such an open(2), mq_open(2) of an existing queue is not.
 */
TEST_F(perm, protected_regular)
{
	int saved = read_sysctl(PROTECTED_REGULAR);
	struct obj o;

	ASSERT_LE(0, saved);
	ASSERT_EQ(0, write_sysctl(PROTECTED_REGULAR, 1));
	ASSERT_EQ(0, mq_kind.make(&o, false));
	o.mode = 0666;
	EXPECT_EQ(0, mq_kind.reset(&o));
	EXPECT_EQ(0, as_who(&other, mq_creat, &o));
	EXPECT_EQ(0, as_who(&other, mq_rw, &o));
	mq_kind.destroy(&o);
	ASSERT_EQ(0, named_shm_kind.make(&o, false));
	o.mode = 0666;
	EXPECT_EQ(0, named_shm_kind.reset(&o));
	EXPECT_EQ(EACCES, as_who(&other, shm_creat, &o));
	EXPECT_EQ(0, as_who(&other, shm_rw, &o));
	named_shm_kind.destroy(&o);
	EXPECT_EQ(0, write_sysctl(PROTECTED_REGULAR, saved));
}

/*
 * SysV objects judge the effective uid (and in_group_p(): the fs gid and
 * the supplementary groups); names judge the fs uid and gid. A process
 * whose effective ids are ripcother's and fs ids ripcuser's shows which.
 */
static int split_ids(struct obj *o)
{
	struct msqid_ds ds;
	int fd;

	if (setgroups(0, NULL) || setresgid(RIPCUSER, RIPCOTHER, RIPCUSER) ||
	    setresuid(RIPCUSER, RIPCOTHER, RIPCUSER))
		return 250;
	setfsuid(RIPCUSER);
	setfsgid(RIPCUSER);
	if (setfsuid(-1) != RIPCUSER || setfsgid(-1) != RIPCUSER)
		return 251;
	/* o->mode is 0060 for the group 1000. */
	if (ripc_msgctl(o->id, IPC_STAT, &ds))
		return 1;
	o->ds.msq.msg_perm.mode = 0600;
	if (ripc_msgctl(o->id, IPC_SET, &o->ds.msq) != -1 || errno != EPERM)
		return 2;
	fd = ripc_shm_open(SHM_NAME, O_RDWR, 0);
	if (fd < 0)
		return 3;
	close(fd);
	/* A new object is the effective ids'. */
	fd = ripc_msgget(IPC_PRIVATE, 0600);
	if (fd < 0 || ripc_msgctl(fd, IPC_STAT, &ds))
		return 4;
	ripc_msgctl(fd, IPC_RMID, NULL);
	if (ds.msg_perm.cuid != RIPCOTHER || ds.msg_perm.cgid != RIPCOTHER)
		return 5;
	return 0;
}

TEST_F(perm, effective_and_fs_ids)
{
	struct obj o, name;

	ASSERT_EQ(0, msg_kind.make(&o, false));
	o.mode = 0060;
	ASSERT_EQ(0, msg_kind.reset(&o));
	ASSERT_EQ(0, named_shm_kind.make(&name, false));
	name.mode = 0600;
	ASSERT_EQ(0, named_shm_kind.reset(&name));
	EXPECT_EQ(0, as_who(&whos[NR_WHOS - 1], split_ids, &o));
	named_shm_kind.destroy(&name);
	sysv_destroy(&o);
}

TEST_HARNESS_MAIN
