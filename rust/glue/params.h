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

/* Read from C too. */
extern struct ripc_param ripc_param_ripcfs_max_names;

#endif
