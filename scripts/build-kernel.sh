#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build one guest kernel variant (release or debug) from
# tinyconfig + kconfig/base.config + kconfig/$VARIANT.config, in a build
# directory under the cache keyed by everything that changes its output:
# the kernel version, the fragments, and the versions of clang, rustc and
# bindgen. A second run with the same key only prints the directory.
#
# Usage: build-kernel.sh VARIANT   -> prints the build directory (KDIR)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

variant=${1:?usage: build-kernel.sh release|debug}
frag="$here/../kconfig/$variant.config"
[ -f "$frag" ] || die "no kernel config fragment kconfig/$variant.config"
[ -f "$KSRC/Makefile" ] || die "no kernel source at $KSRC: run 'make provision' first"
command -v "clang$LLVM_SUFFIX" >/dev/null || die "clang$LLVM_SUFFIX is missing: run 'make provision' (or apt-get install clang-19 lld-19 llvm-19)"

kver=$(make -s -C "$KSRC" kernelversion)
key=$( { echo "$kver"; cat "$here/../kconfig/base.config" "$frag";
	 "clang$LLVM_SUFFIX" --version | head -n1; rustc --version; "$BINDGEN" --version; } \
	| sha256sum | cut -c1-12)
out="$RIPC_CACHE/build/$kver-$variant-$key"
if [ -f "$out/.ripc-built" ]; then
	echo "$out"
	exit 0
fi

# One build per tree: a second caller (a module build started meanwhile)
# waits for the first and then finds the tree built.
mkdir -p "$RIPC_CACHE/build"
exec 9>"$out.lock"
flock 9
if [ -f "$out/.ripc-built" ]; then
	echo "$out"
	exit 0
fi

export PATH="$(dirname "$BINDGEN"):$PATH"
kmake() { make -s -C "$KSRC" O="$out" LLVM="$LLVM_SUFFIX" "$@"; }
mkdir -p "$out"
log "configuring kernel $kver ($variant) in $out"
kmake rustavailable >/dev/null || die "the kernel says Rust is not available: run 'make provision' (rust-src, bindgen, libclang)"
kmake tinyconfig >/dev/null
KCONFIG_CONFIG="$out/.config" "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$out" \
	"$out/.config" "$here/../kconfig/base.config" "$frag" >/dev/null
kmake olddefconfig >/dev/null
# merge_config does not fail when Kconfig drops an option whose dependencies
# are missing: check the ones that matter made it.
for opt in $(grep -h '^CONFIG_.*=y' "$here/../kconfig/base.config" "$frag" | cut -d= -f1); do
	grep -q "^$opt=y" "$out/.config" || die "kernel config lost $opt (a dependency is missing): fix kconfig/*.config"
done

log "building kernel $kver ($variant): a few minutes on 2 cores"
start=$(date +%s)
kmake -j"$(( $(nproc) + 1 ))" bzImage modules >"$out/build.log" 2>&1 \
	|| { tail -n 30 "$out/build.log" >&2; die "the kernel build failed; the full log is $out/build.log"; }
log "kernel built in $(( $(date +%s) - start )) s"
touch "$out/.ripc-built"
echo "$out"
