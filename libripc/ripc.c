// SPDX-License-Identifier: LGPL-2.1 OR GPL-2.0
/* libripc: thin wrappers around the ioctls of /dev/ripc. See ripc.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ripc.h"

static int ripc_fd = -1;

int ripc_dev_fd(void)
{
	int fd = __atomic_load_n(&ripc_fd, __ATOMIC_ACQUIRE);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = open(RIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Another thread may have raced us; keep one descriptor. */
	if (!__atomic_compare_exchange_n(&ripc_fd, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

int ripc_version(struct ripc_version *version)
{
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_VERSION, version);
}

int ripc_eventfd(unsigned int initval, int flags)
{
	struct ripc_eventfd_args args = { .initval = initval, .flags = flags };
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_EVENTFD, &args);
}

/* As glibc's eventfd_read/eventfd_write: 0, or -1 with errno set. */
int ripc_eventfd_read(int fd, uint64_t *value)
{
	return read(fd, value, sizeof(*value)) == sizeof(*value) ? 0 : -1;
}

int ripc_eventfd_write(int fd, uint64_t value)
{
	return write(fd, &value, sizeof(value)) == sizeof(value) ? 0 : -1;
}

int ripc_pipe2(int fds[2], int flags)
{
	struct ripc_pipe2_args args = { .fds = (uintptr_t)fds, .flags = flags };
	int fd = ripc_dev_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, RIPC_IOC_PIPE2, &args);
}

int ripc_pipe(int fds[2])
{
	return ripc_pipe2(fds, 0);
}

int ripc_pipe_get_size(int fd)
{
	return ioctl(fd, RIPC_PIPE_IOC_GETSZ);
}

int ripc_pipe_set_size(int fd, unsigned int size)
{
	return ioctl(fd, RIPC_PIPE_IOC_SETSZ, (unsigned long)size);
}

int ripc_fcntl(int fd, int cmd, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	switch (cmd) {
	case F_GETPIPE_SZ:
		return ripc_pipe_get_size(fd);
	case F_SETPIPE_SZ:
		return ripc_pipe_set_size(fd, (unsigned int)arg);
	default:
		return fcntl(fd, cmd, arg);
	}
}
