# SPDX-License-Identifier: GPL-2.0
# Shared settings for ripc's scripts: where the cache lives and which tools
# are used. Sourced, not run.

RIPC_CACHE=${RIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ripc}
KERNEL_SERIES=${KERNEL_SERIES:-7.2}
KSRC=${KSRC:-$RIPC_CACHE/linux-source-$KERNEL_SERIES}
LLVM_SUFFIX=${LLVM_SUFFIX:--19}
BINDGEN=${BINDGEN:-$RIPC_CACHE/tools/bin/bindgen}
mkdir -p "$RIPC_CACHE"

log() { printf 'ripc: %s\n' "$*" >&2; }
die() { printf 'ripc: error: %s\n' "$*" >&2; exit 1; }

rustc_version() { rustc --version | awk '{print $2}'; }

RUST_LIB_SRC=${RUST_LIB_SRC:-$RIPC_CACHE/rust-src-$(rustc_version)/usr/lib/rustlib/src/rust/library}
export RUST_LIB_SRC
