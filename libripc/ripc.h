/* SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0 */
/*
 * libripc: the userspace face of ripc.
 *
 * Each function mirrors a libc call, with the same signature and the same
 * errno convention (return -1 and set errno), so that programs written for
 * the native call can be pointed at ripc by adding the prefix.
 */
#ifndef _RIPC_H
#define _RIPC_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <time.h>

#include <linux/ripc.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The file descriptor of /dev/ripc that every call uses; opened on first
 * use with O_CLOEXEC. Returns -1 and sets errno if ripc is not loaded.
 */
int ripc_dev_fd(void);

/* Fills *version from RIPC_IOC_VERSION. */
int ripc_version(struct ripc_version *version);

/*
 * Notifier, as eventfd(2), eventfd_read(3) and eventfd_write(3). Flags are
 * RIPC_EFD_SEMAPHORE, RIPC_EFD_NONBLOCK and RIPC_EFD_CLOEXEC.
 */
int ripc_eventfd(unsigned int initval, int flags);
int ripc_eventfd_read(int fd, uint64_t *value);
int ripc_eventfd_write(int fd, uint64_t value);

/*
 * SysV message queues, as msgget(2), msgsnd(2), msgrcv(2) and msgctl(2):
 * same arguments, flags (IPC_CREAT, IPC_NOWAIT, MSG_NOERROR, MSG_EXCEPT,
 * MSG_COPY ...) and commands (IPC_STAT, IPC_SET, IPC_RMID, IPC_INFO,
 * MSG_INFO, MSG_STAT, MSG_STAT_ANY), but ids of ripc's own table: an id
 * from ripc_msgget() means nothing to msgsnd(2) and the reverse.
 */
int ripc_msgget(key_t key, int msgflg);
int ripc_msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg);
ssize_t ripc_msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp, int msgflg);
int ripc_msgctl(int msqid, int cmd, struct msqid_ds *buf);

/*
 * SysV semaphores, as semget(2), semop(2), semtimedop(2) and semctl(2).
 * ripc_semctl() takes the fourth argument as semctl() does: a union semun
 * that the caller defines, for the commands that need it.
 */
int ripc_semget(key_t key, int nsems, int semflg);
int ripc_semop(int semid, struct sembuf *sops, size_t nsops);
int ripc_semtimedop(int semid, struct sembuf *sops, size_t nsops,
		    const struct timespec *timeout);
int ripc_semctl(int semid, int semnum, int cmd, ...);

#ifdef __cplusplus
}
#endif

#endif /* _RIPC_H */
