#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make shell: ripc loaded, ripcfs mounted on /mnt/ripc, a shell on the console.
insmod /ripc/ripc.ko || exit 1
mkdir -p /mnt/ripc && mount -t ripcfs none /mnt/ripc
echo "ripc is loaded and ripcfs is mounted on /mnt/ripc."
echo "Tests are in /ripc/tests, samples in /ripc/samples. 'exit' powers off."
setsid cttyhack sh -l
umount /mnt/ripc
rmmod ripc
