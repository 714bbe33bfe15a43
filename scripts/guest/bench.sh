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
# Then the entry cost of a call (null system call, ioctl on /dev/null, on
# /dev/ripc, on a POSIX queue), one line per figure and round:
#
#   ENTRY <name> <native|ripc> <round> <ns_per_call>
#
# Then the real clients: Debian's stress-ng, unmodified, one stressor at a
# time (ripc_client_workers workers for ripc_client_seconds), natively and
# under the preload:
#
#   CLIENT <stressor> <native|ripc> <round> <bogo_ops_per_s> <bogo_ops> <usr_s> <sys_s>
#   REACH <stressor> <native|ripc> <linux_objects> <ripc_objects> <detail>
#   CLIENTINFO <native|ripc> <round> <stressor> <stress-ng's extra metric>
#   CLIENT <stressor> - - n/a <why>
#
# REACH is a snapshot taken half-way through the first round: the IPC
# objects and descriptors stress-ng holds at that moment, Linux's and
# ripc's, so that a stressor that does not reach ripc shows.
#
#   bench.sh run      the measurement (sizes for -icount)
#   bench.sh scale    the scaling benchmark instead (BENCH_SCALE=1):
#                     SCALE <case> <N> <native|ripc> <round> <ns_per_op>
#   bench.sh smoke    every workload once per side at tiny sizes, as TAP,
#                     without perf (part of make test: no timings are
#                     checked); on the debug kernel the ripc side only
#
# With ripc_bench_profile=1 (BENCH_PROFILE=1 on the host) each run is also
# sampled with perf record -e cpu-clock -a, and the top kernel symbols are
# printed as "PROFILE <workload> <side> <percent> <symbol>" lines.

mode=${1:-run}
# init runs "bench.sh run"; BENCH_SCALE=1 on the host asks for the scale mode.
[ "$mode" = run ] && [ "${ripc_bench_mode:-}" = scale ] && mode=scale
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
	if [ "$mode" = smoke ]; then
		# No counters wanted: perf's own start-up would be most of the run
		# (the guest checks perf stat on its own).
		env LD_PRELOAD=$pre "$@" </dev/null >/tmp/bench.out 2>&1
	else
		perf stat -x, -e task-clock,context-switches,page-faults -o /tmp/bench.perf -- \
			env LD_PRELOAD=$pre "$@" </dev/null >/tmp/bench.out 2>&1
	fi
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
	if [ "$mode" = smoke ] && [ "${ripc_variant:-}" = debug ]; then
		# The native side runs no ripc code: the release run checks it.
		measure "$w" ripc 1 $cmd
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

# tap_ok DESCRIPTION / tap_fail DESCRIPTION [FILE]: one TAP result.
tap_ok() { n=$((n + 1)); echo "ok $n - $1"; }
tap_fail() {
	n=$((n + 1)) fails=$((fails + 1))
	echo "not ok $n - $1"
	[ -n "${2:-}" ] && sed 's/^/# /' "$2" | tail -n 30
}

# --- The entry cost of a call -------------------------------------------------
# A null system call, an ioctl that fails with ENOTTY on /dev/null, on
# /dev/ripc, and on a POSIX queue's descriptor (natively a kernel mqueue,
# under the preload ripc's queue file). bench-report.py takes the
# difference out of the SysV and queue workloads ("body ratio").
entry_costs() {
	count=20000
	[ "$mode" = smoke ] && count=1000
	r=1
	while [ "$r" -le "$rounds" ]; do
		for e in null-syscall:native ioctl-devnull:native ioctl-ripc:native ioctl-mq:native ioctl-mq:ripc; do
			name=${e%:*} side=${e#*:} pre=
			[ "$side" = ripc ] && pre=$preload
			env LD_PRELOAD=$pre $bin "$name" $count </dev/null >/tmp/bench.out 2>&1
			rc=$?
			v=$(figure "$name")
			if [ "$rc" != 0 ] || [ -z "$v" ]; then
				tap_fail "entry $name $side (status $rc)" /tmp/bench.out
			elif [ "$mode" = smoke ]; then
				tap_ok "entry $name $side: $v ns/call"
			else
				echo "ENTRY $name $side $r $v"
			fi
		done
		r=$((r + 1))
	done
}

# --- Real clients: stress-ng --------------------------------------------------
# The stressors that exercise what ripc implements. Every one reaches ripc
# only through the libc calls the preload interposes (see bench.rst).
stressors="msg mq sem-sysv shm-sysv shm pipe pipeherd eventfd"
stressng=/usr/bin/stress-ng

# The IPC objects and descriptors that exist right now, Linux's and ripc's:
# "<linux> <ripc> <detail>". Status files have a header line.
ipc_snapshot() {
	lx=0 rp=0 detail=
	for k in msg sem shm; do
		a=$(($(wc -l </proc/sysvipc/$k) - 1))
		b=$(($(wc -l </mnt/ripc/sysvipc/$k) - 1))
		lx=$((lx + a)) rp=$((rp + b)) detail="$detail $k=$a/$b"
	done
	a=$(ls /dev/mqueue | wc -l) b=$(ls /mnt/ripc/mq | wc -l)
	lx=$((lx + a)) rp=$((rp + b)) detail="$detail mq=$a/$b"
	a=$(ls /dev/shm | wc -l) b=$(ls /mnt/ripc/shm | wc -l)
	lx=$((lx + a)) rp=$((rp + b)) detail="$detail shm_open=$a/$b"
	# Descriptors of every process (this script holds no pipe or eventfd
	# here): Linux pipes and eventfds, and anything of ripc's
	# ([ripc-pipe], [ripc-notify], /dev/ripc, ...). One ls for all of
	# them: the processes come and go quickly.
	# A pipe's link says "pipe:[N]" on both sides (ripc's pipes live on
	# a pipefs of ripc's own): a pipe is Linux's if its device is the
	# kernel pipefs's, that of the pipe this shell gives stat.
	ls -l /proc/[0-9]*/fd >/tmp/sng.fds 2>/dev/null
	stat -L -c '%d %F' /proc/[0-9]*/fd/* >/tmp/sng.stat 2>/dev/null
	linux_pipes=$(: | stat -L -c %d /proc/self/fd/0)
	a=$(grep -cE -- '-> anon_inode:\[eventfd\]' /tmp/sng.fds)
	a=$((a + $(awk -v d="$linux_pipes" '$2 == "fifo" && $1 == d' /tmp/sng.stat | wc -l)))
	b=$(grep -cE -- '-> (/dev/ripc|anon_inode:\[ripc|/mnt/ripc/|/?ripc-shm)' /tmp/sng.fds)
	b=$((b + $(awk -v d="$linux_pipes" '$2 == "fifo" && $1 != d' /tmp/sng.stat | wc -l)))
	lx=$((lx + a)) rp=$((rp + b)) detail="$detail fds=$a/$b"
	echo "$lx $rp$detail"
}

# snapshot_later SECONDS: ipc_snapshot into /tmp/sng.snap half-way through
# a run of SECONDS, at the highest priority: with pipeherd's hundreds of
# runnable processes it would otherwise only run once they are gone.
snapshot_later() {
	half=$(awk -v s="$1" 'BEGIN {print s / 2}')
	sh -c 'renice -n -20 -p $$ >/dev/null; sleep '"$half"'; exec sh /ripc/bench.sh snapshot' \
		>/tmp/sng.snap
}

# The metric of the YAML file stress-ng wrote (-Y), for one stressor.
yaml_metric() {
	awk -v k="$1:" '$1 == k {print $2; exit}' /tmp/sng.yaml
}

# client_run STRESSOR SIDE ROUND
client_run() {
	s=$1 side=$2 round=$3 pre=
	[ "$side" = ripc ] && pre=$preload
	rm -f /tmp/sng.yaml /tmp/sng.snap
	secs=${ripc_client_seconds:-3}
	if [ "$round" = 1 ]; then
		snapshot_later "$secs" &
		snap=$!
	fi
	(cd /tmp && env LD_PRELOAD=$pre $stressng --"$s" "${ripc_client_workers:-2}" \
		-t "${secs}s" --metrics-brief -Y /tmp/sng.yaml </dev/null >/tmp/sng.out 2>&1)
	rc=$?
	[ "$round" = 1 ] && wait "$snap"
	ops=$(yaml_metric bogo-ops-per-second-real-time)
	if [ "$rc" != 0 ] || [ -z "$ops" ]; then
		fails=$((fails + 1))
		echo "CLIENT $s $side $round failed (status $rc)"
		sed 's/^/# /' /tmp/sng.out | tail -n 20
		return
	fi
	echo "CLIENT $s $side $round $ops $(yaml_metric bogo-ops) $(yaml_metric user-time) $(yaml_metric system-time)"
	# stress-ng's own extra metrics ("nanosecs per shmat call"...).
	sed -n 's/.*metrc: \[[0-9]*\] \([a-z-]* .* per .*\)/CLIENTINFO '"$side $round"' \1/p' /tmp/sng.out
	[ -s /tmp/sng.snap ] && echo "REACH $s $side $(cat /tmp/sng.snap)"
	if [ "${ripc_bench_profile:-0}" = 1 ] && [ "$round" = 1 ]; then
		(cd /tmp && perf record -q -e cpu-clock -F 20000 -a -o /tmp/bench.data -- \
			env LD_PRELOAD=$pre $stressng --"$s" "${ripc_client_workers:-2}" \
			-t "${secs}s" </dev/null >/dev/null 2>&1)
		perf report -i /tmp/bench.data --stdio --sort sym -n --percent-limit 0.5 2>/dev/null \
			| awk -v w="stress-ng-$s" -v s="$side" '/%/ && $1 !~ /^#/ {print "PROFILE", w, s, $0}' | head -n 40
	fi
}

clients() {
	if [ ! -x "$stressng" ]; then
		for s in $stressors; do
			selected "stress-ng-$s" && echo "CLIENT $s - - n/a stress-ng is not in the guest (apt-get install stress-ng)"
		done
		return
	fi
	for s in $stressors; do
		# BENCH_ONLY=msg selects msg-pingpong and this; stress-ng-msg only this.
		selected "stress-ng-$s" || continue
		r=1
		while [ "$r" -le "$rounds" ]; do
			if [ $((r % 2)) = 1 ]; then
				client_run "$s" native "$r"
				client_run "$s" ripc "$r"
			else
				client_run "$s" ripc "$r"
				client_run "$s" native "$r"
			fi
			r=$((r + 1))
		done
	done
}

# --- The scaling benchmark (BENCH_SCALE=1) ---------------------------------------
# bench/ripc_scale.c: each case at each N of ripc_scale_n, native and on
# ripc in alternation, ripc_rounds rounds. The limits are raised first, as
# root, on both sides: segments (shmmni) and queue depth (mq msg_max).
scale_cases="msg-fifo msg-typed mq-depth semget-key msgget-key semop-among msgsnd-among sem-wake shmat-among pipe-poll"
scale_run() {
	c=$1 nn=$2 side=$3 round=$4 pre=
	[ "$side" = ripc ] && pre=$preload
	env LD_PRELOAD=$pre /ripc/bench/ripc_scale "$c" "$nn" </dev/null >/tmp/scale.out 2>&1
	rc=$?
	v=$(sed -n 's/^result .* ns_per_op=\([0-9]*\) .*/\1/p' /tmp/scale.out)
	if [ "$rc" = 3 ]; then
		echo "SCALE $c $nn $side $round n/a $(head -n1 /tmp/scale.out)"
	elif [ "$rc" != 0 ] || [ -z "$v" ]; then
		fails=$((fails + 1))
		echo "SCALE $c $nn $side $round failed (status $rc)"
		sed 's/^/# /' /tmp/scale.out | tail -n 10
	else
		echo "SCALE $c $nn $side $round $v"
	fi
	if [ "${ripc_bench_profile:-0}" = 1 ] && [ "$round" = 1 ]; then
		perf record -q -e cpu-clock -F 20000 -a -o /tmp/bench.data -- \
			env LD_PRELOAD=$pre /ripc/bench/ripc_scale "$c" "$nn" "${ripc_scale_profile_count:-2000}" \
			</dev/null >/dev/null 2>&1
		perf report -i /tmp/bench.data --stdio --sort sym -n --percent-limit 1 2>/dev/null \
			| awk -v w="$c-$nn" -v s="$side" '/%/ && $1 !~ /^#/ {print "PROFILE", w, s, $0}' | head -n 25
	fi
}

scale() {
	echo 32768 >/proc/sys/kernel/shmmni
	echo 65536 >/proc/sys/fs/mqueue/msg_max
	echo 32768 >/sys/module/ripc/parameters/shmmni
	echo 65536 >/sys/module/ripc/parameters/mq_msg_max
	ulimit -n 65536 2>/dev/null
	for c in $scale_cases; do
		selected "$c" || continue
		for nn in $(echo "${ripc_scale_n:-1,16,256,4096,32000}" | tr , ' '); do
			r=1
			while [ "$r" -le "$rounds" ]; do
				if [ $((r % 2)) = 1 ]; then
					scale_run "$c" "$nn" native "$r"
					scale_run "$c" "$nn" ripc "$r"
				else
					scale_run "$c" "$nn" ripc "$r"
					scale_run "$c" "$nn" native "$r"
				fi
				r=$((r + 1))
			done
		done
	done
}

# --- stress-ng, every stressor at once, with --verify (TAP) ----------------------
# `make stress`: every stressor at once for ripc_stressng_seconds
# (STRESS_SECONDS) with ripc_stressng_workers (STRESS_PROCS) each.
# `make test` (no ripc_stressng_seconds): every stressor but pipeherd at
# once, each for a fixed number of bogo ops (ripc_stressng_ops, 500; shared
# memory 2), so that each runs to its end even on the slow debug kernel,
# then pipeherd alone for 3 s: its herd of 100 processes would starve the
# others (and it does not stop on --pipeherd-ops).
# Fails on a stress-ng failure; every snapshot taken during the runs must
# show ripc objects only; afterwards no object may be left in ripcfs.

# sng_run ARGS...: one stress-ng run through the preload, as one TAP result,
# with a snapshot every second appended to /tmp/sng.snaps.
sng_run() {
	(cd /tmp && LD_PRELOAD=$preload exec $stressng "$@" --verify --metrics-brief \
		</dev/null >/tmp/sng.out 2>&1) &
	sng=$!
	sh -c 'renice -n -20 -p $$ >/dev/null
		while kill -0 '"$sng"' 2>/dev/null; do
			sleep 1; sh /ripc/bench.sh snapshot >>/tmp/sng.snaps
		done' &
	snaps=$!
	wait "$sng"
	rc=$?
	wait "$snaps"
	grep -E 'metrc|fail|error|warn' /tmp/sng.out | sed 's/^/# /' | tail -n 20
	if [ "$rc" = 0 ]; then
		tap_ok "stress-ng $* --verify through the preload"
	else
		tap_fail "stress-ng $* --verify through the preload (status $rc)" /tmp/sng.out
	fi
}

stress_all() {
	echo "TAP version 13"
	if [ ! -x "$stressng" ]; then
		tap_ok "stress-ng through the preload # SKIP stress-ng is not in the guest"
		echo "1..$n"
		return
	fi
	: >/tmp/sng.snaps
	args=
	if [ -n "${ripc_stressng_seconds:-}" ]; then
		for s in $stressors; do args="$args --$s ${ripc_stressng_workers:-1}"; done
		sng_run $args -t "${ripc_stressng_seconds}s"
	else
		ops=${ripc_stressng_ops:-500}
		for s in $stressors; do
			case "$s" in
			pipeherd) ;;
			shm-sysv|shm) args="$args --$s 1 --$s-ops 2" ;;
			*) args="$args --$s 1 --$s-ops $ops" ;;
			esac
		done
		sng_run $args -t 300s
		sng_run --pipeherd 1 -t 3s
	fi
	# The busiest snapshot, and whether any showed an object of Linux's.
	linux=$(awk '$1 > 0' /tmp/sng.snaps | wc -l)
	most=$(sort -n -k2 /tmp/sng.snaps | tail -n1 | cut -d' ' -f3-)
	ripc=$(sort -n -k2 /tmp/sng.snaps | tail -n1 | cut -d' ' -f2)
	if [ "$linux" = 0 ] && [ "${ripc:-0}" -gt 0 ]; then
		tap_ok "the stressors used ripc only ($(wc -l </tmp/sng.snaps) snapshots, busiest Linux/ripc:$most)"
	else
		tap_fail "the stressors used ripc only ($linux of $(wc -l </tmp/sng.snaps) snapshots saw Linux objects; busiest Linux/ripc:$most)" /tmp/sng.snaps
	fi
	ipc_snapshot >/tmp/sng.left
	set -- $(cat /tmp/sng.left)
	if [ "$2" = 0 ]; then
		tap_ok "no ripc object left after stress-ng (sysvipc/, mq/, shm/)"
	else
		tap_fail "no ripc object left after stress-ng (Linux/ripc:$(cut -d' ' -f3- /tmp/sng.left))"
		for k in msg sem shm; do sed 's/^/# /' /mnt/ripc/sysvipc/$k; done
		ls -l /mnt/ripc/mq /mnt/ripc/shm | sed 's/^/# /'
		sed 's/^/# /' /tmp/sng.out
	fi
	echo "1..$n"
}

if [ "$mode" = snapshot ]; then
	ipc_snapshot
	exit 0
fi
if [ "$mode" = stress-ng ]; then
	stress_all
	umount /mnt/ripc
	[ "$fails" = 0 ]
	exit
fi
if [ "$mode" = scale ]; then
	scale
	umount /mnt/ripc
	[ "$fails" = 0 ]
	exit
fi

[ "$mode" = smoke ] && echo "TAP version 13"
workloads >/tmp/bench.list
while read -r w full small cmd; do
	selected "$w" || continue
	run_workload "$w" "$full" "$small" $cmd
done </tmp/bench.list
entry_costs
[ "$mode" = run ] && [ "${ripc_bench_clients:-1}" = 1 ] && clients

umount /mnt/ripc
[ "$mode" = smoke ] && echo "1..$n"
[ "$fails" = 0 ]
