#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the release kernel once, run every workload natively and
# on ripc (the same program under libripc-preload.so) in alternation for
# BENCH_ROUNDS rounds (default 5) under perf stat, then write the table,
# JSON and chart with scripts/bench-report.py:
#
#   Documentation/bench-results.txt   the table (also printed)
#   Documentation/bench-results.json  every figure of every run
#   Documentation/bench-results.svg   ripc/native ratio per workload
#
# QEMU runs with -icount shift=0,sleep=off (one instruction = one ns of
# guest time: repeatable on a noisy host); BENCH_ICOUNT=0 runs plain TCG,
# KVM=1 uses KVM. BENCH_ONLY=NAME[,NAME...] runs the workloads whose name has one of them.
# BENCH_PROFILE=1 also samples each workload once per side with perf record
# and prints the top symbols (PROFILE lines of the console log); that run
# does BENCH_PROFILE_SCALE (100) times the operations, as perf samples on
# the guest's 250 Hz tick.
# scripts/bench-report.py LOG re-renders the outputs from a console log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)

rounds=${BENCH_ROUNDS:-5}
clock="TCG -icount shift=0,sleep=off: instruction-based guest time"
extra=
if [ "${KVM:-0}" = 1 ]; then
	clock="KVM: wall-clock time"
elif [ "${BENCH_ICOUNT:-1}" = 0 ]; then
	clock="plain TCG: wall-clock time of an emulated guest (noisy)"
else
	extra="-icount shift=0,sleep=off"
fi
export QEMU_EXTRA="${QEMU_EXTRA:-} $extra"
export RIPC_APPEND="ripc_rounds=$rounds ripc_bench_only=${BENCH_ONLY:-} ripc_bench_profile=${BENCH_PROFILE:-0} ripc_bench_profile_scale=${BENCH_PROFILE_SCALE:-100}"
export VM_TIMEOUT=${VM_TIMEOUT:-3600}

"$here/vm.sh" release bench
python3 "$here/bench-report.py" "$top/build/release/console-bench.log" \
	--clock "$clock" --out "$top/Documentation/bench-results"
