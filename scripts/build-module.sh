#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build ripc.ko out of tree for one kernel variant, into build/VARIANT/
# (the kernel's MO=), so variants never share objects and the source tree
# stays clean. KDIR=<build tree> uses that kernel instead of the cached one.
# With CLIPPY=1 the Rust code is also checked by clippy (into build/VARIANT-clippy);
# with RIPC_WERROR=1 any warning fails the build.
#
# Usage: build-module.sh VARIANT  -> prints the path of ripc.ko
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)

variant=${1:?usage: build-module.sh release|debug}
kdir=${KDIR:-$("$here/build-kernel.sh" "$variant")}
[ -f "$kdir/Module.symvers" ] || die "KDIR=$kdir is not a built kernel tree (no Module.symvers): build it with 'make modules'"
grep -q '^CONFIG_RUST=y' "$kdir/.config" || die "KDIR=$kdir was built without CONFIG_RUST=y"

out="$top/build/$variant"
flags=(RIPC_WERROR="${RIPC_WERROR:-0}")
if [ "${CLIPPY:-0}" = 1 ]; then
	# Separate objects: a clippy build is a check, not the module we boot.
	out="$top/build/$variant-clippy"
	flags+=(CLIPPY=1)
fi
mkdir -p "$out"
export PATH="$(dirname "$BINDGEN"):$PATH"
make -s -C "$kdir" M="$top" MO="$out" LLVM="$LLVM_SUFFIX" "${flags[@]}" modules >&2 \
	|| die "building ripc.ko against $kdir failed"
echo "$out/ripc.ko"
