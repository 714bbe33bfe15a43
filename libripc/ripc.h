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

#include <mqueue.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/msg.h>
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
 * POSIX message queues, as mq_open(3) and friends. Queues are names in the
 * mq/ directory of a mounted ripcfs: the one named by the environment
 * variable RIPCFS_MOUNT, else the first ripcfs in /proc/self/mounts. Names
 * start with '/' (EINVAL otherwise), as for mq_open(3). A descriptor is a
 * file descriptor: close it with ripc_mq_close() or close(2), poll it,
 * read(2) it for the QSIZE line of /dev/mqueue.
 */
mqd_t ripc_mq_open(const char *name, int oflag, ...);
int ripc_mq_close(mqd_t mqdes);
int ripc_mq_unlink(const char *name);
int ripc_mq_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len, unsigned int msg_prio);
int ripc_mq_timedsend(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
		      unsigned int msg_prio, const struct timespec *abs_timeout);
ssize_t ripc_mq_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len, unsigned int *msg_prio);
ssize_t ripc_mq_timedreceive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
			     unsigned int *msg_prio, const struct timespec *abs_timeout);
int ripc_mq_getattr(mqd_t mqdes, struct mq_attr *attr);
int ripc_mq_setattr(mqd_t mqdes, const struct mq_attr *newattr, struct mq_attr *oldattr);
/* SIGEV_NONE and SIGEV_SIGNAL, or NULL to unregister; not SIGEV_THREAD. */
int ripc_mq_notify(mqd_t mqdes, const struct sigevent *sevp);
/* ripc's own: notify by adding 1 to the ripc notifier notifier_fd. */
int ripc_mq_notify_fd(mqd_t mqdes, int notifier_fd);

#ifdef __cplusplus
}
#endif

#endif /* _RIPC_H */
