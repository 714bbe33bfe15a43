#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a guest kernel variant under QEMU with ripc and run one mode:
#   vm.sh VARIANT test|run|shell|bench
# Builds what is missing (kernel, module, userspace, initramfs), streams the
# guest console, enforces a time limit (VM_TIMEOUT seconds), and exits with
# the guest script's status. It fails on any kernel report in the console:
# BUG, WARNING, KASAN, lockdep, kmemleak, Oops, or a Rust panic.
#
# TCG is the default (KVM hangs on this kind of machine); KVM=1 opts in.
# RIPC_ONLY=NAME runs only the tests whose program name contains NAME.
# RIPC_APPEND adds kernel parameters (init hands name=value ones to the
# guest scripts as variables); QEMU_EXTRA adds QEMU options.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)

variant=${1:?usage: vm.sh release|debug test|run|shell|bench}
mode=${2:?usage: vm.sh release|debug test|run|shell|bench}
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing: run 'make provision' (apt-get install qemu-system-x86)"

kdir=${KDIR:-$("$here/build-kernel.sh" "$variant")}
ko=$("$here/build-module.sh" "$variant")
"$here/build-user.sh"
out="$top/build/$variant"
"$here/mkinitramfs.sh" "$ko" "$out/initramfs.cpio"

mem=1024
[ "$variant" = debug ] && mem=2048
accel=(-accel tcg)
[ "${KVM:-0}" = 1 ] && accel=(-accel kvm -cpu host)
append="console=ttyS0 panic=-1 oops=panic ripc_variant=$variant ripc_mode=$mode ripc_only=${RIPC_ONLY:-} ${RIPC_APPEND:-}"
[ "$mode" = shell ] || append="$append quiet loglevel=4"
qemu=(qemu-system-x86_64 "${accel[@]}" -smp 2 -m "$mem" -nographic -no-reboot
      -kernel "$kdir/arch/x86/boot/bzImage" -initrd "$out/initramfs.cpio"
      -append "$append" ${QEMU_EXTRA:-})

if [ "$mode" = shell ]; then
	exec "${qemu[@]}"
fi

log="$out/console-$mode.log"
timeout_s=${VM_TIMEOUT:-1800}
log "booting the $variant kernel ($mode), console log in ${log#$top/}"
set +e
timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" </dev/null 2>&1 | tee "$log"
qemu_rc=${PIPESTATUS[0]}
set -e

status=0
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	log "the guest did not finish within $timeout_s s"
	status=1
fi
"$here/check-console.sh" "$log" || status=1
guest_rc=$(sed -n 's/^RIPC-EXIT: \([0-9]*\).*/\1/p' "$log" | tail -n1)
if [ -z "$guest_rc" ]; then
	log "the guest ended without reporting an exit status"
	status=1
elif [ "$guest_rc" != 0 ]; then
	status=1
fi
exit $status
