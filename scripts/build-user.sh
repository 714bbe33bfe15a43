#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the userspace side into build/user/: libripc.a, the kselftest C
# programs (selftests/*.c), the samples (samples/*.c) and the Rust test
# programs (cargo workspace), linked statically; and, linked dynamically
# because LD_PRELOAD needs it, libripc-preload.so, the *_preload_test
# programs (which use the plain libc names) and the benchmark program
# (bench/ripc_bench.c). scripts/mkinitramfs.sh copies their libraries.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)
out="$top/build/user"
mkdir -p "$out/bin" "$out/tests" "$out/samples" "$out/lib"

[ -f "$KSRC/tools/testing/selftests/kselftest_harness.h" ] \
	|| die "no kselftest_harness.h under $KSRC: run 'make provision'"

CC=${CC:-gcc}
CFLAGS=(-O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Werror -D_GNU_SOURCE -pthread
	-I"$top/include/uapi" -I"$top/libripc")
LDFLAGS=(-static -pthread)

# Rebuild only what changed, so a second run is quick.
newer() { [ ! -e "$1" ] || [ -n "$(find "${@:2}" -newer "$1" 2>/dev/null | head -n1)" ]; }
deps=("$top/include" "$top/libripc/ripc.c" "$top/libripc/ripc.h")

if newer "$out/lib/libripc.a" "${deps[@]}"; then
	$CC "${CFLAGS[@]}" -c "$top/libripc/ripc.c" -o "$out/lib/ripc.o"
	ar rcs "$out/lib/libripc.a" "$out/lib/ripc.o"
fi

# The preload: libripc compiled position-independent, its symbols hidden;
# only the interposed libc names are exported.
preload="$out/lib/libripc-preload.so"
if newer "$preload" "${deps[@]}" "$top/libripc/preload.c"; then
	$CC "${CFLAGS[@]}" -fPIC -fvisibility=hidden -shared "$top/libripc/preload.c" \
		"$top/libripc/ripc.c" -ldl -o "$preload"
fi

for src in "$top"/selftests/*.c; do
	[ -e "$src" ] || continue
	bin="$out/tests/$(basename "${src%.c}")"
	# A test may include another (ripc_pipe_linux_test.c): any source counts.
	if newer "$bin" "$out/lib/libripc.a" "$top/selftests"/*.h "$top/selftests"/*.c; then
		case "$src" in
		*_preload_test.c)
			# Unmodified libc calls, run under LD_PRELOAD: dynamic, no libripc.
			$CC "${CFLAGS[@]}" -I"$KSRC/tools/testing/selftests" "$src" \
				-pthread -ldl -o "$bin" ;;
		*)
			$CC "${CFLAGS[@]}" -I"$KSRC/tools/testing/selftests" "$src" \
				"$out/lib/libripc.a" "${LDFLAGS[@]}" -o "$bin" ;;
		esac
	fi
done

for src in "$top"/samples/*.c; do
	[ -e "$src" ] || continue
	bin="$out/samples/$(basename "${src%.c}")"
	if newer "$bin" "$src" "$out/lib/libripc.a"; then
		$CC "${CFLAGS[@]}" "$src" "$out/lib/libripc.a" "${LDFLAGS[@]}" -o "$bin"
	fi
done

# The benchmark programs: plain libc, dynamic, so that the same binary runs
# natively and under the preload. pipe_bench is the kernel's own, unmodified.
mkdir -p "$out/bench"
for src in "$top"/bench/*.c; do
	[ -e "$src" ] || continue
	bin="$out/bench/$(basename "${src%.c}")"
	if newer "$bin" "$src"; then
		$CC "${CFLAGS[@]}" "$src" -o "$bin"
	fi
done
pipe_bench="$KSRC/tools/testing/selftests/pipe/pipe_bench.c"
if [ -e "$pipe_bench" ] && newer "$out/bench/pipe_bench" "$pipe_bench"; then
	$CC -O2 -pthread "$pipe_bench" -o "$out/bench/pipe_bench" \
		|| log "the kernel's pipe_bench.c did not build; its workload will say so"
fi

export BINDGEN
RUSTFLAGS="-C target-feature=+crt-static" cargo build -q --release \
	--manifest-path "$top/Cargo.toml" --target-dir "$top/target" --target x86_64-unknown-linux-gnu \
	|| die "building the Rust test programs failed"
cp "$top/target/x86_64-unknown-linux-gnu/release/ripc_rust_test" "$out/tests/"
