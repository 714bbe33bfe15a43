/* SPDX-License-Identifier: GPL-2.0 */
/* Tunable limits as module parameters: params.c, read by params.rs. */
#ifndef _RIPC_GLUE_PARAMS_H
#define _RIPC_GLUE_PARAMS_H

/* A limit and the range a write to it must fall in. */
struct ripc_param {
	unsigned long value;
	unsigned long min;
	unsigned long max;
};

/* IPCMNI: slots per kind of SysV object; no count limit may exceed it. */
#define RIPC_IPCMNI 32768

/* Read from C too: ripcfs bounds its names and shows the pipe limits. */
extern struct ripc_param ripc_param_ripcfs_max_names;
extern struct ripc_param ripc_param_pipe_max_size;
extern struct ripc_param ripc_param_pipe_user_pages_soft;
extern struct ripc_param ripc_param_pipe_user_pages_hard;

#endif
