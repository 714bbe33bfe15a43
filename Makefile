# SPDX-License-Identifier: GPL-2.0
#
# ripc: the top-level commands. See README.md.
#
#   make run      boot the release kernel, load ripc, run samples/
#   make test     host checks + every VM suite on both kernel variants
#   make shell    an interactive guest shell with ripc loaded
#   make bench    native vs ripc workloads under perf, then stress-ng
#                 (Documentation/bench.rst)
#   make bench-scale  how each operation's cost grows with N, native vs ripc
#   make module   build ripc.ko for VARIANT (release|debug)
#   make fuzz     the fuzzer on the debug kernel (SEED=, OPS=; VARIANT=)
#   make stress   the stress test and stress-ng, long, on the debug kernel
#                 (STRESS_SECONDS=, STRESS_PROCS=; VARIANT=)
#
# Everything is provisioned on first use (scripts/provision.sh); the kernel
# builds are cached in ~/.cache/ripc. KDIR=<tree> uses your own kernel build.
#
# When make is run from the top of the repository, the kernel's own build
# includes ./Kbuild (M=...), not this file.

VARIANT ?= release
export VARIANT KDIR KVM CLIPPY BENCH_ROUNDS BENCH_ICOUNT BENCH_ONLY BENCH_PROFILE BENCH_PROFILE_SCALE
export BENCH_CLIENTS BENCH_CLIENT_SECONDS BENCH_CLIENT_WORKERS BENCH_SCALE_N

.PHONY: all provision kernel module user run test shell fuzz stress bench bench-scale clean help

all: module user

help:
	@sed -n "3,18p" Makefile

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

# The scaling benchmark (bench/ripc_scale.c): Documentation/bench-scale.*.
bench-scale: provision
	@BENCH_SCALE=1 scripts/bench.sh

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

# A long stress run (a short one is part of `make test`): each of the 9
# cases of ripc_stress_test runs STRESS_SECONDS with STRESS_PROCS workers
# of each kind, then stress-ng runs its IPC stressors all at once with
# --verify through the preload (ripc_stress_ng: STRESS_PROCS workers each,
# STRESS_SECONDS); the guest then checks that no ripc object is left, for
# kernel reports, kmemleak and rmmod as after the tests. A case may take
# 2 * STRESS_SECONDS + 120 s at most (the harness's limit); the program gets
# 10 times that. The tests at size (which make test runs on the release
# kernel only) follow, on their own.
STRESS_SECONDS ?= 60
STRESS_PROCS ?= 4
STRESS_TIMEOUT = $(shell echo $$((10 * (2 * $(STRESS_SECONDS) + 120))))
stress: provision
	@echo "ripc: stress STRESS_SECONDS=$(STRESS_SECONDS) STRESS_PROCS=$(STRESS_PROCS) on the $(if $(filter command line,$(origin VARIANT)),$(VARIANT),debug) kernel"
	@RIPC_ONLY=ripc_stress \
		RIPC_APPEND="RIPC_STRESS_SECONDS=$(STRESS_SECONDS) RIPC_STRESS_PROCS=$(STRESS_PROCS) TEST_TIMEOUT=$(STRESS_TIMEOUT) ripc_stressng_seconds=$(STRESS_SECONDS) ripc_stressng_workers=$(STRESS_PROCS) ripc_at_size=stress" \
		VM_TIMEOUT=$$(($(STRESS_TIMEOUT) + 900)) \
		scripts/vm.sh $(if $(filter command line,$(origin VARIANT)),$(VARIANT),debug) test

clean:
	rm -rf build target
