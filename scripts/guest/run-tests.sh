#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs every test program in /ripc/tests, each under a time limit, and
# counts TAP results: "ok N" passes ("ok N ... # SKIP" is skipped),
# "not ok N" fails. A program that crashes, times out or exits non-zero
# without reporting a failure counts as one failure of its own.
# A program named *_preload_test runs with LD_PRELOAD=$RIPC_PRELOAD (the
# unmodified libc calls routed to ripc by libripc-preload.so).
# After the tests, ripc is unloaded and (on the debug kernel) kmemleak
# scans for leaks. The last line is "RIPC-RESULT: pass=N fail=N skip=N".

TEST_TIMEOUT=${TEST_TIMEOUT:-600}
pass=0 fail=0 skip=0
kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear > $kmemleak

export RIPC_KO=/ripc/ripc.ko
export RIPC_PRELOAD=/ripc/lib/libripc-preload.so
insmod $RIPC_KO || { echo "RIPC-RESULT: pass=0 fail=1 skip=0"; exit 1; }

# KUnit: the module's in-kernel unit tests (#[kunit_tests]) ran at insmod
# and wrote KTAP to the kernel log. Each case ("    ok N name", indented
# under its suite) counts as one test; the suites' own lines do not.
count_kunit() {
	dmesg | sed 's/^\[[^]]*\] //' >/tmp/kunit.log
	awk '/^    KTAP version|^    # Subtest:|^    1\.\.|^        / || /^    (not )?ok [0-9]+/ { print }' \
		/tmp/kunit.log >/tmp/kunit.tap
	p=$(grep -cE '^    ok [0-9]+' /tmp/kunit.tap | head -n1)
	s=$(grep -cE '^    ok [0-9]+.*# SKIP' /tmp/kunit.tap | head -n1)
	f=$(grep -cE '^    not ok [0-9]+' /tmp/kunit.tap | head -n1)
	if [ "$((p + f))" = 0 ]; then
		fail=$((fail + 1)); echo "not ok - kunit: no test case of ripc ran at insmod"
	else
		echo "# ==== kunit (at insmod)"
		grep -E '^    (# Subtest|(not )?ok [0-9]+)' /tmp/kunit.tap
		pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	fi
}
case "kunit" in *"${ripc_only:-}"*) count_kunit ;; esac
# Later loads (ripc_module_test reloads ripc 100 times) run no suite.
[ -w /sys/module/kunit/parameters/filter_glob ] &&
	echo 'ripc-kunit-ran-at-first-load' >/sys/module/kunit/parameters/filter_glob

# The tests at size (tens of thousands of objects or messages, a thousand
# sleepers, the memory cgroup filled): harness filters that pick them out
# of their programs. ripc_at_size (a kernel parameter) says where they run:
#   1 (default)  with the rest (make test on the release kernel);
#   0            not here: make test on the debug kernel, where KASAN,
#                kmemleak and lockdep make them slow; the same code paths
#                run there at small sizes;
#   stress       as well, after the programs selected (make stress).
at_size_filter() {
	case "$1" in
	ripc_msg_test) echo "-f slow -t order_of_10000_messages_as_linux" ;;
	ripc_mqueue_test) echo "-f big" ;;
	ripc_sem_test) echo "-t thousand_sleepers_completed_in_linux_order" ;;
	ripc_module_test) echo "-f slow" ;;
	ripc_memcg_test) echo "-f memcg" ;;
	esac
}

# run_tap NAME COMMAND...: runs one TAP program and counts its results.
# With ripc_at_size=0 its tests at size are left out (-f/-t become -F/-T).
run_tap() {
	name=$1
	shift
	case "$name" in *"${ripc_only:-}"*) ;; *) return ;; esac
	# The *_linux_test programs run their cases on Linux's own IPC only:
	# nothing of ripc runs in them, so the debug kernel has nothing to
	# check there that the release run did not.
	case "$name" in *_linux_test)
		[ "${ripc_variant:-}" = debug ] && { echo "# ==== $name: Linux's own IPC only, run on the release kernel"; return; }
	esac
	filter=$(at_size_filter "$name")
	if [ "${ripc_at_size:-1}" = 0 ] && [ -n "$filter" ]; then
		# Only tests at size in it: the whole program waits for make stress.
		[ "$name" = ripc_memcg_test ] && { echo "# ==== $name: at size, run by make stress"; return; }
		set -- "$@" $(echo "$filter" | tr ft FT)
		echo "# ==== $name: tests at size left out ($filter), run by make stress"
	fi
	run_tap_program "$name" "$@"
}

run_tap_program() {
	name=$1
	shift
	echo "# ==== $name"
	out=/tmp/$name.tap
	cd /tmp
	case "$name" in
	*_preload_test) preload=$RIPC_PRELOAD ;;
	*) preload= ;;
	esac
	started=$(date +%s)
	LD_PRELOAD=$preload timeout "$TEST_TIMEOUT" "$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	# Where the run's time goes (guest seconds): RIPC-TIME lines.
	echo "RIPC-TIME: $name $(($(date +%s) - started))"
	p=$(grep -cE '^ok [0-9]+' "$out" | head -n1)
	s=$(grep -cE '^ok [0-9]+.*# SKIP' "$out" | head -n1)
	f=$(grep -cE '^not ok [0-9]+' "$out" | head -n1)
	p=$((p - s))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $name exited with status $rc without reporting a failure"
		f=1
	fi
	pass=$((pass + p)) skip=$((skip + s)) fail=$((fail + f))
}

# The module test first: it unloads and reloads ripc itself.
for t in /ripc/tests/ripc_module_test $(ls /ripc/tests/* | grep -v ripc_module_test); do
	run_tap "${t##*/}" "$t"
done

# make stress: the tests at size too, on their own.
if [ "${ripc_at_size:-1}" = stress ]; then
	for t in ripc_msg_test ripc_mqueue_test ripc_sem_test ripc_module_test ripc_memcg_test; do
		run_tap_program "$t-at-size" /ripc/tests/$t $(at_size_filter $t)
	done
fi

# Every `make bench` workload once per side at tiny sizes (no timings).
run_tap ripc_bench_smoke sh /ripc/bench.sh smoke

# stress-ng's IPC stressors all at once, --verify, through the preload, then
# no ripc object may be left (a few seconds; `make stress`: STRESS_SECONDS).
# Where the tests at size wait for make stress (the debug kernel's make
# test), so does this: make stress runs it there, longer.
if [ "${ripc_at_size:-1}" = 0 ]; then
	case ripc_stress_ng in *"${ripc_only:-}"*) echo "# ==== ripc_stress_ng: on this kernel in make stress" ;; esac
else
	run_tap ripc_stress_ng sh /ripc/bench.sh stress-ng
fi

# perf (Debian's linux-perf, with its libraries) must run in the guest for
# `make bench`; it has no hardware PMU under TCG, software events only.
if [ -x /bin/perf ] && perf stat -e task-clock true >/tmp/perf.out 2>&1; then
	pass=$((pass + 1)); echo "ok - perf stat runs in the guest"
else
	fail=$((fail + 1)); echo "not ok - perf stat runs in the guest"; cat /tmp/perf.out
fi

# Leave nothing behind: unmount any ripcfs and unload.
grep ' ripcfs ' /proc/mounts | while read -r _ mnt _; do umount "$mnt"; done
if rmmod ripc; then
	pass=$((pass + 1)); echo "ok - rmmod ripc after the tests"
else
	fail=$((fail + 1)); echo "not ok - rmmod ripc after the tests"
fi

if [ -w $kmemleak ]; then
	# Objects younger than 5 s are not reported: wait, then scan twice.
	sleep 6
	echo scan > $kmemleak
	echo scan > $kmemleak
	if [ -s $kmemleak ]; then
		fail=$((fail + 1))
		echo "not ok - kmemleak found leaks:"
		cat $kmemleak
	else
		pass=$((pass + 1)); echo "ok - kmemleak: no leaks"
	fi
fi

echo "RIPC-RESULT: pass=$pass fail=$fail skip=$skip"
[ "$fail" = 0 ]
