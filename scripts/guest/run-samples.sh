#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make run: load ripc, mount ripcfs, run every sample, unload.
set -e
echo "== insmod ripc.ko"
insmod /ripc/ripc.ko
ls -l /dev/ripc
grep ripcfs /proc/filesystems
echo "== mount -t ripcfs none /mnt/ripc"
mkdir -p /mnt/ripc
mount -t ripcfs none /mnt/ripc
ls -l /mnt/ripc
for s in /ripc/samples/*; do
	[ -x "$s" ] || continue
	echo "== sample: ${s##*/}"
	"$s"
done
echo "== umount, rmmod"
umount /mnt/ripc
rmmod ripc
echo "ripc unloaded; /dev/ripc present: $([ -e /dev/ripc ] && echo yes || echo no)"
