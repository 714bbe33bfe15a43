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
# The real clients (stress-ng, one stressor at a time) follow the workloads:
# BENCH_CLIENTS=0 leaves them out, BENCH_CLIENT_SECONDS (3) and
# BENCH_CLIENT_WORKERS (2) size them; their table, JSON and chart are in the
# same outputs (the chart: Documentation/bench-results-clients.svg).
# BENCH_SCALE=1 runs the scaling benchmark instead (bench/ripc_scale.c, N in
# BENCH_SCALE_N, default 1,16,256,4096,32000):
# Documentation/bench-scale.{txt,json,svg}.
# scripts/bench-report.py LOG re-renders the outputs from a console log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)

rounds=${BENCH_ROUNDS:-5}
# The scaling benchmark's figures barely move between rounds under -icount.
[ "${BENCH_SCALE:-0}" = 1 ] && rounds=${BENCH_ROUNDS:-3}
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
RIPC_APPEND="$RIPC_APPEND ripc_bench_clients=${BENCH_CLIENTS:-1} ripc_client_seconds=${BENCH_CLIENT_SECONDS:-3} ripc_client_workers=${BENCH_CLIENT_WORKERS:-2}"
export VM_TIMEOUT=${VM_TIMEOUT:-3600}

if [ "${BENCH_SCALE:-0}" = 1 ]; then
	# The scaling benchmark instead: its own mode, log and outputs.
	RIPC_APPEND="$RIPC_APPEND ripc_bench_mode=scale ripc_scale_n=${BENCH_SCALE_N:-1,16,256,4096,32000}"
	"$here/vm.sh" release bench
	cp "$top/build/release/console-bench.log" "$top/build/release/console-bench-scale.log"
	python3 "$here/bench-report.py" "$top/build/release/console-bench-scale.log" \
		--clock "$clock" --scale --out "$top/Documentation/bench-scale"
	exit
fi
"$here/vm.sh" release bench
python3 "$here/bench-report.py" "$top/build/release/console-bench.log" \
	--clock "$clock" --out "$top/Documentation/bench-results"
