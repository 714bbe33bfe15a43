#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install and fetch everything ripc needs on a Debian 12 (bookworm) machine
# that has rustup's stable Rust. Idempotent: a second run checks and returns.
#
# What it does, and why each step is done this way, is in ../shared
# TOOLCHAIN.md and README.md:
#   - bookworm packages: clang/lld/llvm 19, QEMU, the kernel build tools,
#     busybox-static, linux-perf, stress-ng (the real client of make bench);
#   - trixie-backports, added as its own deb822 source pinned to priority 1,
#     only to `apt-get download` rust-src (matching rustc) and linux-source-7.2,
#     which are unpacked with `dpkg-deb -x` into the cache: nothing on the
#     system is upgraded;
#   - bindgen-cli from crates.io, installed into the cache.
#
# Prints nothing but progress; on failure it prints one sentence saying what
# is missing and how to get it, and exits non-zero.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

KERNEL_SERIES=${KERNEL_SERIES:-7.2}
BINDGEN_VERSION=0.73.2
DEB_PKGS=(clang-19 lld-19 llvm-19 libclang-19-dev qemu-system-x86 flex bison bc
	  libelf-dev libssl-dev cpio kmod busybox-static linux-perf libc6-dev
	  make gcc python3 xz-utils stress-ng bash util-linux procps)

need_root_for() {
	if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
		die "installing $1 needs root: run 'make provision' as root or install sudo"
	fi
}

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_update_once() {
	if [ $apt_updated = 0 ]; then
		as_root apt-get update -qq || die "apt-get update failed: check the Debian mirrors in /etc/apt/sources.list.d"
		apt_updated=1
	fi
}

# --- Debian bookworm packages -------------------------------------------------
missing=()
for p in "${DEB_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	need_root_for "${missing[*]}"
	log "installing Debian packages: ${missing[*]}"
	apt_update_once
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
		|| die "could not install ${missing[*]} with apt-get: install them by hand from Debian bookworm"
fi

# --- trixie-backports, for apt-get download only ------------------------------
TB_SOURCE=/etc/apt/sources.list.d/ripc-trixie-backports.sources
TB_PIN=/etc/apt/preferences.d/ripc-trixie-backports
if [ ! -f "$TB_SOURCE" ]; then
	need_root_for "the trixie-backports source"
	log "adding trixie-backports (download only, pinned to priority 1)"
	as_root tee "$TB_SOURCE" >/dev/null <<-EOF
	# Added by ripc's scripts/provision.sh: used only for 'apt-get download'
	# of rust-src and linux-source-$KERNEL_SERIES. Pinned below so that apt never
	# installs or upgrades anything from it.
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: trixie-backports
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	as_root tee "$TB_PIN" >/dev/null <<-EOF
	Package: *
	Pin: release n=trixie-backports
	Pin-Priority: 1
	EOF
	apt_updated=0
fi

# $1 = package name, $2 = version or "" for the newest; prints the .deb path.
fetch_deb() {
	local pkg=$1 ver=$2 dl="$RIPC_CACHE/dl"
	mkdir -p "$dl"
	local have
	have=$(ls "$dl"/"${pkg}"_*.deb 2>/dev/null | head -n1 || true)
	if [ -n "$have" ]; then echo "$have"; return; fi
	apt_update_once
	[ -n "$ver" ] || ver=$(apt-cache madison "$pkg" | awk 'NR==1 {print $3}')
	[ -n "$ver" ] || die "Debian has no package $pkg in the configured sources: check $TB_SOURCE"
	(cd "$dl" && apt-get download -qq -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) \
		|| die "could not download $pkg=$ver from trixie-backports"
	ls "$dl"/"${pkg}"_*.deb | head -n1
}

# --- rust-src matching rustc -------------------------------------------------
command -v rustc >/dev/null || die "rustc is missing: install Rust with rustup (https://rustup.rs)"
RUSTC_VER=$(rustc_version)
if [ ! -d "$RUST_LIB_SRC" ]; then
	apt_update_once
	# Same version if Debian has it, else the newest with the same minor.
	minor=${RUSTC_VER%.*}
	ver=$(apt-cache madison rust-src | awk '{print $3}' | grep "^$RUSTC_VER+" | head -n1 || true)
	[ -n "$ver" ] || ver=$(apt-cache madison rust-src | awk '{print $3}' | grep "^$minor\." | head -n1 || true)
	[ -n "$ver" ] || die "no rust-src for rustc $RUSTC_VER in trixie-backports: install a rustc whose version Debian packages, or set RUST_LIB_SRC"
	log "fetching rust-src $ver"
	deb=$(fetch_deb rust-src "$ver")
	tmp=$(mktemp -d "$RIPC_CACHE/tmp.XXXXXX")
	dpkg-deb -x "$deb" "$tmp"
	mkdir -p "$(dirname "$RUST_LIB_SRC")"
	rm -rf "$RIPC_CACHE/rust-src-$RUSTC_VER"
	mv "$tmp" "$RIPC_CACHE/rust-src-$RUSTC_VER"
	rm -f "$deb"
fi

# --- linux-source -------------------------------------------------------------
if [ ! -f "$KSRC/Makefile" ]; then
	log "fetching linux-source-$KERNEL_SERIES"
	deb=$(fetch_deb "linux-source-$KERNEL_SERIES" "")
	tmp=$(mktemp -d "$RIPC_CACHE/tmp.XXXXXX")
	dpkg-deb -x "$deb" "$tmp"
	log "unpacking the kernel source"
	tar -C "$tmp" -xf "$tmp/usr/src/linux-source-$KERNEL_SERIES.tar.xz"
	rm -rf "$KSRC"
	mv "$tmp/linux-source-$KERNEL_SERIES" "$KSRC"
	rm -rf "$tmp" "$deb"
fi

# --- bindgen ------------------------------------------------------------------
if ! "$BINDGEN" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
	command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs)"
	log "building bindgen-cli $BINDGEN_VERSION (about a minute)"
	cargo install -q --locked --root "$RIPC_CACHE/tools" bindgen-cli --version "$BINDGEN_VERSION" \
		|| die "could not build bindgen-cli $BINDGEN_VERSION with cargo: check that crates.io is reachable"
fi

"$BINDGEN" --version >/dev/null
log "provisioned: kernel source $KSRC, rust-src $RUST_LIB_SRC"
