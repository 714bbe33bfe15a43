// SPDX-License-Identifier: GPL-2.0
/*
 * The pipe cases of ripc_pipe_test.c, run against the kernel's own pipes
 * and FIFOs: a failure here means a test expects something Linux does not
 * do. Cases about ripc's own interface are skipped.
 */
#define RIPC_PIPE_REFERENCE
#include "ripc_pipe_test.c"
