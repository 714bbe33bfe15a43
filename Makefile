# SPDX-License-Identifier: GPL-2.0
#
# ripc: the top-level commands. See README.md.
#
#   make run      boot the release kernel, load ripc, run samples/
#   make test     host checks + every VM suite on both kernel variants
#   make shell    an interactive guest shell with ripc loaded
#   make bench    native vs ripc workloads under perf (Documentation/bench.rst)
#   make module   build ripc.ko for VARIANT (release|debug)
#   make fuzz     the fuzzer on the debug kernel (SEED=, OPS=; VARIANT=)
#
# Everything is provisioned on first use (scripts/provision.sh); the kernel
# builds are cached in ~/.cache/ripc. KDIR=<tree> uses your own kernel build.
#
# When make is run from the top of the repository, the kernel's own build
# includes ./Kbuild (M=...), not this file.

VARIANT ?= release
export VARIANT KDIR KVM CLIPPY BENCH_ROUNDS BENCH_ICOUNT BENCH_ONLY BENCH_PROFILE BENCH_PROFILE_SCALE

.PHONY: all provision kernel module user run test shell fuzz bench clean help

all: module user

help:
	@sed -n "3,14p" Makefile

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

# A long fuzzer run (a short one is part of `make test`): the guest checks
# for kernel reports, kmemleak and rmmod afterwards, as after the tests.
SEED ?= $(shell date +%s)
OPS ?= 1000000
fuzz: provision
	@echo "ripc: fuzz SEED=$(SEED) OPS=$(OPS) on the $(if $(filter command line,$(origin VARIANT)),$(VARIANT),debug) kernel"
	@RIPC_ONLY=ripc_fuzz_test RIPC_APPEND="ripc_fuzz_seed=$(SEED) ripc_fuzz_ops=$(OPS) TEST_TIMEOUT=5000" VM_TIMEOUT=5400 \
		scripts/vm.sh $(if $(filter command line,$(origin VARIANT)),$(VARIANT),debug) test

clean:
	rm -rf build target
