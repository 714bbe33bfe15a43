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
#include <sys/sem.h>
#include <sys/shm.h>
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
 * Pipes, as pipe(2) and pipe2(2): fds[0] is the read end, fds[1] the write
 * end. Flags are RIPC_PIPE_NONBLOCK and RIPC_PIPE_CLOEXEC. On failure fds
 * is left untouched.
 */
int ripc_pipe2(int fds[2], int flags);
int ripc_pipe(int fds[2]);

/*
 * As fcntl(fd, F_GETPIPE_SZ) and fcntl(fd, F_SETPIPE_SZ, size) on a ripc
 * pipe or FIFO: the capacity in bytes, or -1 with errno set.
 */
int ripc_pipe_get_size(int fd);
int ripc_pipe_set_size(int fd, unsigned int size);

/*
 * fcntl(2) for ripc descriptors: F_GETPIPE_SZ and F_SETPIPE_SZ go to the
 * pipe ioctls above (the kernel's fcntl only knows its own pipes), every
 * other command to fcntl() itself with its integer argument.
 */
int ripc_fcntl(int fd, int cmd, ...);

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
/* Whether semctl's command cmd takes the fourth (union semun) argument. */
int ripc_semctl_has_arg(int cmd);

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
/*
 * SIGEV_NONE, SIGEV_SIGNAL (si_code SI_MESGQ, si_value, the sender's
 * si_pid and si_uid), SIGEV_THREAD (a thread with sigev_notify_attributes
 * runs sigev_notify_function, started by a helper thread of the caller),
 * or NULL to unregister.
 */
int ripc_mq_notify(mqd_t mqdes, const struct sigevent *sevp);
/* ripc's own: notify by adding 1 to the ripc notifier notifier_fd. */
int ripc_mq_notify_fd(mqd_t mqdes, int notifier_fd);

/*
 * SysV shared memory, as shmget(2), shmat(2), shmdt(2) and shmctl(2):
 * same flags (IPC_CREAT, SHM_RDONLY, SHM_RND, SHM_REMAP, ...) and commands
 * (IPC_STAT, IPC_SET, IPC_RMID, IPC_INFO, SHM_INFO, SHM_STAT,
 * SHM_STAT_ANY, SHM_LOCK, SHM_UNLOCK), on ripc's own table of segments.
 * ripc_shmat() maps the segment with mmap(2) (MAP_SHARED) of a descriptor
 * the module returns, closed before it returns; ripc_shmdt() unmaps what
 * ripc_shmat() mapped, not the segments of shmat(2).
 */
int ripc_shmget(key_t key, size_t size, int shmflg);
void *ripc_shmat(int shmid, const void *shmaddr, int shmflg);
int ripc_shmdt(const void *shmaddr);
int ripc_shmctl(int shmid, int cmd, struct shmid_ds *buf);

/*
 * Named shared memory, as shm_open(3) and shm_unlink(3): names in the shm/
 * directory of the ripcfs mount found as for ripc_mq_open(). ftruncate(2)
 * and mmap(2) the descriptor as one from shm_open(3).
 */
int ripc_shm_open(const char *name, int oflag, mode_t mode);
int ripc_shm_unlink(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* _RIPC_H */
