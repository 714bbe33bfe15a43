/* SPDX-License-Identifier: GPL-2.0 */
/* The C side of ripcfs, called from rust/glue/ripcfs.rs. */
#ifndef _RIPC_GLUE_RIPCFS_H
#define _RIPC_GLUE_RIPCFS_H

int ripcfs_register(void);
void ripcfs_unregister(void);

#endif
