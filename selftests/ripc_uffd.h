/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userfaultfd for the tests of a copy stuck in a page fault: a page whose
 * first touch (by the task, or by the kernel copying to or from it) blocks
 * until the test resolves it.
 */
#ifndef _RIPC_UFFD_H
#define _RIPC_UFFD_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#define UFFD_PAGE 4096

/*
 * A page whose first touch blocks until it is resolved through *uffd; NULL
 * if the kernel has no userfaultfd (CONFIG_USERFAULTFD).
 */
static inline void *stuck_page(int *uffd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	void *page;

	*uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (*uffd < 0)
		return NULL;
	page = mmap(NULL, UFFD_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (uintptr_t)page;
	reg.range.len = UFFD_PAGE;
	if (page == MAP_FAILED || ioctl(*uffd, UFFDIO_API, &api) ||
	    ioctl(*uffd, UFFDIO_REGISTER, &reg)) {
		close(*uffd);
		return NULL;
	}
	return page;
}

/* Waits until a task is stuck on the page. */
static inline int wait_fault(int uffd)
{
	struct uffd_msg msg;

	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) || msg.event != UFFD_EVENT_PAGEFAULT)
		return -1;
	return 0;
}

/* Gives the stuck task a page of zeroes. */
static inline int resolve_fault(int uffd, void *page)
{
	struct uffdio_zeropage zero = { .range = { (uintptr_t)page, UFFD_PAGE } };

	return ioctl(uffd, UFFDIO_ZEROPAGE, &zero);
}

#endif /* _RIPC_UFFD_H */
