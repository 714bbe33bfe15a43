#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's initramfs (uncompressed newc cpio): busybox-static,
# ripc.ko, the test programs and samples, the preload library and the
# benchmark programs, the guest scripts, perf, bash, Debian's ipcs, ipcrm
# and sysctl, the libraries of every dynamically linked program, and a
# passwd with root and an unprivileged user (ripcuser, uid/gid 1000) for
# permission tests.
#
# Usage: mkinitramfs.sh KO_PATH OUTPUT.cpio
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)
ko=${1:?usage: mkinitramfs.sh ripc.ko out.cpio}
out=${2:?usage: mkinitramfs.sh ripc.ko out.cpio}

busybox=/bin/busybox
[ -x "$busybox" ] || die "busybox-static is missing: run 'make provision' (apt-get install busybox-static)"

root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,home/ripcuser,mnt,ripc/tests,ripc/samples}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp "$here/guest/init" "$root/init"
cp "$here/guest/"*.sh "$root/ripc/"
cp "$ko" "$root/ripc/ripc.ko"
cp "$top/build/user/tests/"* "$root/ripc/tests/"
cp "$top/build/user/samples/"* "$root/ripc/samples/" 2>/dev/null || true
chmod 1777 "$root/tmp"
cat >"$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
ripcuser:x:1000:1000:ripc test user:/home/ripcuser:/bin/sh
ripcother:x:1001:1001:ripc second user:/tmp:/bin/sh
PW
cat >"$root/etc/group" <<'GR'
root:x:0:
ripcuser:x:1000:
ripcother:x:1001:
GR

# Dynamically linked programs (perf from Debian's linux-perf, the preload
# library and the programs run under it) get the libraries ldd names and the
# loader they ask for. Symlinks are resolved on the host side of the same
# system, so ld.so and libc match.
copy_libs() {
	local lib interp
	for lib in $(ldd "$1" | awk '/=>/ {print $3} /^\t\/lib/ {print $1}'); do
		mkdir -p "$root$(dirname "$lib")"
		[ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
	done
	interp=$(readelf -l "$1" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	[ -n "$interp" ] || return 0
	mkdir -p "$root$(dirname "$interp")"
	[ -e "$root$interp" ] || cp -L "$interp" "$root$interp"
}
is_dynamic() { readelf -d "$1" 2>/dev/null | grep -q NEEDED; }

# Debian's bash, for the shell idioms of ripc_pipefs_test (busybox's sh
# has no process substitution).
bash=$(command -v bash)
cp -L "$bash" "$root/bin/bash"
copy_libs "$bash"

perf=/usr/bin/perf
if [ -x "$perf" ]; then
	cp "$perf" "$root/bin/perf"
	copy_libs "$perf"
fi
# Debian's ipcs and ipcrm (util-linux) and sysctl (procps), dynamically
# linked so that the preload reaches them, at their Debian paths: the
# busybox applets of /bin are static, out of the preload's reach.
for prog in /usr/bin/ipcs /usr/bin/ipcrm /usr/sbin/sysctl; do
	[ -x "$prog" ] || continue
	mkdir -p "$root$(dirname "$prog")"
	cp "$prog" "$root$prog"
	copy_libs "$prog"
done

# stress-ng (Debian's, unmodified, dynamically linked): the real client of
# `make bench`, `make stress` and a short run in `make test`, through the
# preload (Documentation/bench.rst).
stressng=/usr/bin/stress-ng
if [ -x "$stressng" ]; then
	mkdir -p "$root/usr/bin"
	cp "$stressng" "$root/usr/bin/stress-ng"
	copy_libs "$stressng"
fi
mkdir -p "$root/ripc/lib" "$root/ripc/bench"
cp "$top/build/user/lib/"*.so "$root/ripc/lib/"
cp "$top/build/user/bench/"* "$root/ripc/bench/" 2>/dev/null || true
for f in "$root/ripc/lib/"* "$root/ripc/tests/"* "$root/ripc/bench/"*; do
	[ -f "$f" ] && is_dynamic "$f" && copy_libs "$f"
done

# Everything is owned by root in the guest; init hands ripcuser its home.
(cd "$root" && find . | cpio -o -H newc --quiet -R +0:+0) >"$out.tmp"
mv "$out.tmp" "$out"
