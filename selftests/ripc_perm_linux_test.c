// SPDX-License-Identifier: GPL-2.0
/*
 * The cases of ripc_perm_test.c, run against the kernel's own SysV IPC,
 * /dev/mqueue, /dev/shm and a FIFO in /dev/shm: a failure here means the
 * expected table is not what Linux does. The notifier, which Linux lacks,
 * is skipped.
 */
#define RIPC_PERM_REFERENCE
#include "ripc_perm_test.c"
