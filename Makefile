# SPDX-License-Identifier: GPL-2.0
#
# ripc: the top-level commands. See README.md.
#
#   make run      boot the release kernel, load ripc, run samples/
#   make test     host checks + every VM suite on both kernel variants
#   make shell    an interactive guest shell with ripc loaded
#   make bench    native vs ripc workloads under perf (Documentation/bench.rst)
#   make module   build ripc.ko for VARIANT (release|debug)
#
# Everything is provisioned on first use (scripts/provision.sh); the kernel
# builds are cached in ~/.cache/ripc. KDIR=<tree> uses your own kernel build.
#
# When make is run from the top of the repository, the kernel's own build
# includes ./Kbuild (M=...), not this file.

VARIANT ?= release
export VARIANT KDIR KVM CLIPPY BENCH_ROUNDS BENCH_ICOUNT BENCH_ONLY BENCH_PROFILE

.PHONY: all provision kernel module user run test shell bench clean help

all: module user

help:
	@sed -n '3,13p' Makefile

provision:
	@scripts/provision.sh

kernel: provision
	@scripts/build-kernel.sh $(VARIANT) >/dev/null

module: provision
	@scripts/build-module.sh $(VARIANT) >/dev/null

user: provision
	@scripts/build-user.sh

run: provision
	@scripts/vm.sh release run

bench: provision
	@scripts/bench.sh

shell: provision
	@scripts/vm.sh $(VARIANT) shell

test: provision
	@scripts/test.sh

clean:
	rm -rf build target
