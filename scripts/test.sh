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

for variant in ${VARIANTS:-release debug}; do
	echo "# ==== VM: $variant kernel"
	# The tests at size run on the release kernel; on the debug kernel they
	# belong to make stress (scripts/guest/run-tests.sh, ripc_at_size).
	at_size=1
	[ "$variant" = debug ] && at_size=0
	RIPC_APPEND="${RIPC_APPEND:-} ripc_at_size=$at_size" "$here/vm.sh" "$variant" test
	vm_rc=$?
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
