#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make test: host checks, then every VM suite on both kernel variants.
# Ends with one line "N passed, N failed, N skipped" that counts every
# test, host and VM, and exits non-zero on any failure or kernel report.
#
# VARIANTS="release" limits the VM runs; RIPC_ONLY=NAME the test programs.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)
cd "$top"

pass=0 fail=0 skip=0
export RIPC_WERROR=1 BINDGEN

# One host check = one test: its name, then the command.
check() {
	local name=$1
	shift
	if "$@" >"$top/build/check.log" 2>&1; then
		pass=$((pass + 1)); echo "ok - host: $name"
	else
		fail=$((fail + 1)); echo "not ok - host: $name"
		sed 's/^/#   /' "$top/build/check.log" | tail -n 40
	fi
}
mkdir -p build

variants=${VARIANTS:-release debug}

# vm_test VARIANT: boots VARIANT and runs the guest tests (vm.sh), its exit
# status in build/VARIANT/vm-test.rc. The tests at size run on the release
# kernel; on the debug kernel they belong to make stress
# (scripts/guest/run-tests.sh, ripc_at_size).
vm_test() {
	local at_size=1
	[ "$1" = debug ] && at_size=0
	RIPC_APPEND="${RIPC_APPEND:-} ripc_at_size=$at_size" "$here/vm.sh" "$1" test
	echo $? >"build/$1/vm-test.rc"
}

# The guests run side by side: neither keeps both cores busy all the time
# (a test waits for a sleeper, a wake-up, kmemleak's scan), so the second
# fills the first one's gaps. Everything they share is built first, one
# build at a time: the kernels (a kernel build takes both cores), the
# modules, userspace. The debug run, the longer, starts first, before the
# host checks; its console is shown once the release run's is.
background=
for variant in $variants; do
	"$here/build-kernel.sh" "$variant" >/dev/null && "$here/build-module.sh" "$variant" >/dev/null \
		|| { fail=$((fail + 1)); echo "not ok - build of the $variant kernel or module"; }
	mkdir -p "build/$variant"
	rm -f "build/$variant/vm-test.rc"
done
"$here/build-user.sh" >/dev/null || true
case " $variants " in *" release "*" debug "*|*" debug "*" release "*)
	vm_test debug >build/vm-test-debug.out 2>&1 &
	background=debug
esac


rust_sources=$(find rust -name '*.rs')
check "rustfmt (module)" rustfmt --check --config-path "$KSRC/.rustfmt.toml" $rust_sources
check "rustfmt (userspace)" cargo fmt --check
check "clippy (module, CLIPPY=1)" env CLIPPY=1 "$here/build-module.sh" release
check "clippy (userspace)" cargo clippy -q --all-targets -- -D warnings
check "C and Rust userspace build" "$here/build-user.sh"

# The console checker must catch each kind of kernel report, and only those.
check "console checker passes a clean log" "$here/check-console.sh" scripts/testdata/console-clean.log
for f in scripts/testdata/console-*.log; do
	case "$f" in *clean*) continue ;; esac
	check "console checker catches $(basename "$f" .log)" bash -c "! '$here/check-console.sh' '$f'"
done

# Host unit tests: each counts.
if cargo test -q >build/cargo-test.log 2>&1; then :; fi
while read -r p f; do
	pass=$((pass + p)) fail=$((fail + f))
done < <(sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' build/cargo-test.log)
grep -q '^test result' build/cargo-test.log || { fail=$((fail + 1)); echo "not ok - host: cargo test did not run"; cat build/cargo-test.log; }
echo "# host: cargo test: $(grep -c '^test result' build/cargo-test.log) suites"

for variant in $variants; do
	echo "# ==== VM: $variant kernel"
	if [ "$variant" = "$background" ]; then
		wait
		cat "build/vm-test-$variant.out"
	else
		vm_test "$variant"
	fi
	vm_rc=$(cat "build/$variant/vm-test.rc" 2>/dev/null || echo 1)
	log="build/$variant/console-test.log"
	result=$(sed -n 's/^RIPC-RESULT: pass=\([0-9]*\) fail=\([0-9]*\) skip=\([0-9]*\).*/\1 \2 \3/p' "$log" 2>/dev/null | tail -n1)
	if [ -n "$result" ]; then
		read -r p f s <<<"$result"
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	fi
	# A kernel report, a timeout or a crash is a failure of its own.
	if [ "$vm_rc" != 0 ] && { [ -z "$result" ] || [ "${f:-0}" = 0 ]; }; then
		fail=$((fail + 1))
		echo "not ok - VM $variant: the run failed (kernel report, timeout or crash; see $log)"
	fi
	unset f
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
