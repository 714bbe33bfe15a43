#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench` (scripts/bench.sh): every workload, native
# and on ripc (the same program, with LD_PRELOAD=libripc-preload.so), in
# alternation for ripc_rounds rounds, under perf stat. One line per run:
#
#   BENCH <workload> <native|ripc> <round> <ns_per_op> <task-clock ms> <context-switches> <page-faults>
#
# "BENCH <workload> - - n/a <why>" marks a workload that cannot run.
#
#   bench.sh run      the measurement (sizes for -icount)
#   bench.sh smoke    every workload once per side at tiny sizes, as TAP
#                     (part of make test: no timings are checked)
#
# With ripc_bench_profile=1 (BENCH_PROFILE=1 on the host) each run is also
# sampled with perf record -e cpu-clock -a, and the top kernel symbols are
# printed as "PROFILE <workload> <side> <percent> <symbol>" lines.

mode=${1:-run}
rounds=${ripc_rounds:-5}
preload=/ripc/lib/libripc-preload.so
bin=/ripc/bench/ripc_bench
n=0 fails=0

lsmod | grep -q '^ripc ' || insmod /ripc/ripc.ko || exit 1
mkdir -p /mnt/ripc
grep -q ' /mnt/ripc ripcfs ' /proc/mounts || mount -t ripcfs none /mnt/ripc || exit 1
export RIPCFS_MOUNT=/mnt/ripc

# workload, full count, smoke count, command (COUNT is replaced).
workloads() {
	cat <<'EOF'
perf-sched-pipe 2000 20 perf bench sched pipe -l COUNT
pipe-4k 2000 20 /ripc/bench/ripc_bench pipe-4k COUNT
pipe-64k 400 4 /ripc/bench/ripc_bench pipe-64k COUNT
msg-pingpong 2000 20 /ripc/bench/ripc_bench msg-pingpong COUNT
msg-stream 2000 20 /ripc/bench/ripc_bench msg-stream COUNT
mq-pingpong 2000 20 /ripc/bench/ripc_bench mq-pingpong COUNT
mq-stream 2000 20 /ripc/bench/ripc_bench mq-stream COUNT
sem-pingpong 2000 20 /ripc/bench/ripc_bench sem-pingpong COUNT
sem-uncontended 20000 20 /ripc/bench/ripc_bench sem-uncontended COUNT
eventfd-pingpong 2000 20 /ripc/bench/ripc_bench eventfd-pingpong COUNT
epoll-pipe 2000 20 /ripc/bench/ripc_bench epoll-pipe COUNT
epoll-eventfd 2000 20 /ripc/bench/ripc_bench epoll-eventfd COUNT
shm-64m 5 1 /ripc/bench/ripc_bench shm-64m COUNT
pipe_bench COUNT COUNT /ripc/bench/pipe_bench -w 1 -r 1 -s 65536 -p 1048576 -d 1
EOF
}

# The figure of one run's output, in ns per op (pipe_bench: ns per MB).
figure() {
	case "$1" in
	perf-sched-pipe) awk '/usecs\/op/ {printf "%d\n", $1 * 1000}' /tmp/bench.out ;;
	pipe_bench) awk '/^throughput_MBps:/ && $2 > 0 {printf "%d\n", 1e9 / $2}' /tmp/bench.out ;;
	*) sed -n 's/^result .* ns_per_op=\([0-9]*\) .*/\1/p' /tmp/bench.out ;;
	esac
}

counter() { awk -F, -v e="$1" '$3 ~ "^" e {printf "%s", $1}' /tmp/bench.perf; }

# measure WORKLOAD SIDE ROUND COMMAND...
measure() {
	w=$1 side=$2 round=$3
	shift 3
	pre=
	[ "$side" = ripc ] && pre=$preload
	perf stat -x, -e task-clock,context-switches,page-faults -o /tmp/bench.perf -- \
		env LD_PRELOAD=$pre "$@" </dev/null >/tmp/bench.out 2>&1
	rc=$?
	v=$(figure "$w")
	n=$((n + 1))
	if [ "$rc" != 0 ] || [ -z "$v" ]; then
		fails=$((fails + 1))
		echo "not ok $n - bench $w $side (status $rc)"
		sed 's/^/# /' /tmp/bench.out | tail -n 20
		return
	fi
	if [ "${ripc_bench_profile:-0}" = 1 ] && [ "$round" = 1 ]; then
		perf record -q -e cpu-clock -F 20000 -a -o /tmp/bench.data -- \
			env LD_PRELOAD=$pre $pcmd </dev/null >/dev/null 2>&1
		perf report -i /tmp/bench.data --stdio --sort sym -n --percent-limit 0.5 2>/dev/null \
			| awk -v w="$w" -v s="$side" '/%/ && $1 !~ /^#/ {print "PROFILE", w, s, $0}' | head -n 40
	fi
	if [ "$mode" = smoke ]; then
		echo "ok $n - bench $w $side: $v ns/op"
	else
		echo "BENCH $w $side $round $v $(counter task-clock) $(counter context-switches) $(counter page-faults)"
	fi
}

run_workload() {
	w=$1 full=$2 small=$3
	shift 3
	count=$full
	[ "$mode" = smoke ] && count=$small
	cmd=$(echo "$*" | sed "s/COUNT/$count/g")
	# The profile run is longer: perf samples on the 250 Hz tick here.
	pcmd=$(echo "$*" | sed "s/COUNT/$((count * ${ripc_bench_profile_scale:-100}))/g")
	if [ "$w" = pipe_bench ] && [ ! -x /ripc/bench/pipe_bench ]; then
		not_available "$w" "the kernel's pipe_bench.c did not build"
		return
	fi
	r=1
	while [ "$r" -le "$rounds" ]; do
		# Alternate which side goes first, so that drift cancels.
		if [ $((r % 2)) = 1 ]; then
			measure "$w" native "$r" $cmd
			measure "$w" ripc "$r" $cmd
		else
			measure "$w" ripc "$r" $cmd
			measure "$w" native "$r" $cmd
		fi
		r=$((r + 1))
	done
}

not_available() {
	n=$((n + 1))
	if [ "$mode" = smoke ]; then
		echo "ok $n - bench $1 # SKIP $2"
	else
		echo "BENCH $1 - - n/a $2"
	fi
}

[ "$mode" = smoke ] && rounds=1
if [ "${ripc_bench_profile:-0}" = 1 ]; then
	# Many samples, and no throttling of them under emulation.
	echo 100000 >/proc/sys/kernel/perf_event_max_sample_rate
	echo 0 >/proc/sys/kernel/perf_cpu_time_max_percent
fi
# Whether workload $1 is selected: its name has one of the comma-separated
# substrings of ripc_bench_only (all workloads when it is empty).
selected() {
	[ -z "${ripc_bench_only:-}" ] && return 0
	for want in $(echo "$ripc_bench_only" | tr , ' '); do
		case "$1" in *"$want"*) return 0 ;; esac
	done
	return 1
}

[ "$mode" = smoke ] && echo "TAP version 13"
workloads >/tmp/bench.list
while read -r w full small cmd; do
	selected "$w" || continue
	run_workload "$w" "$full" "$small" $cmd
done </tmp/bench.list

umount /mnt/ripc
[ "$mode" = smoke ] && echo "1..$n"
[ "$fails" = 0 ]
