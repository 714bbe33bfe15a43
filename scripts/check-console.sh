#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Exits 1, printing the lines, if a guest console log holds any kernel
# report: BUG, WARNING (lockdep's reports start with it too), Oops, KASAN,
# UBSAN, a kmemleak leak, a Rust panic, a kernel panic or a call trace.
# Usage: check-console.sh CONSOLE.log
set -uo pipefail
log=${1:?usage: check-console.sh console.log}
report='(^|[] ])(BUG:|WARNING:|Oops|general protection fault|Kernel panic|KASAN:|UBSAN:|kernel BUG at|possible (circular|recursive) locking|inconsistent lock state|unreferenced object 0x|rust_panic|panicked at|Call Trace:)'
if grep -Eq "$report" "$log"; then
	echo "ripc: the guest kernel printed a report:" >&2
	grep -En "$report" "$log" | head -n 20 >&2
	exit 1
fi
exit 0
