# The two commands of the README:
#   make run    start a consultation (installs what is missing, builds, starts)
#   make test   run the whole test suite
SWIFT ?= swift
CONFIG ?= release
BIN = .build/$(CONFIG)/consult

.PHONY: run sshd test build deps test-deps lint check-content bench bench-store bench-baseline bench-check test-load fuzz fuzz-build fuzz-smoke format clean

# The shipped binaries carry the Swift runtime and Foundation inside them: every SSH session and
# kiosk reset starts a process, and not loading the shared libraries saves a few milliseconds each.
STATIC = --static-swift-stdlib

run: deps
	$(SWIFT) build -c $(CONFIG) $(STATIC) --product consult
	$(BIN) $(ARGS)

# Both executables: consult and consult-sshd.
build: deps
	$(SWIFT) build -c $(CONFIG) $(STATIC)

# consult-sshd on 127.0.0.1:2222 for trying it out (`ssh -p 2222 localhost`); records in ./data.
sshd: build
	.build/$(CONFIG)/consult-sshd --listen 127.0.0.1:2222 --host-key data/ssh_host_ed25519_key --data-dir data $(ARGS)

# The terminal (tmux) suites run on their own, one test at a time: their timing must not compete
# with the rest of the suite on a 2-core machine. Then the content's own scenarios (dialogs/tests)
# through the debug binary the tests built, with what no scenario reaches. Benchmarks are
# `make bench`'s, never part of the test run.
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip ConsultREPLTests --skip Benchmark
	$(SWIFT) test --skip-build --filter ConsultREPLTests --skip Benchmark --no-parallel
	.build/debug/consult test --coverage
	$(MAKE) fuzz-smoke

# Fuzzing (FuzzTesting/README.md): libFuzzer + AddressSanitizer builds in .build-fuzz.
#   make fuzz                     each target in turn for FUZZ_SECONDS (default 1800)
#   make fuzz FUZZ_TARGETS=FuzzExpression FUZZ_SECONDS=600
# fuzz-smoke (part of `make test`): build, the kept crash inputs, a few seconds per target.
FUZZ_SECONDS ?= 1800
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS ?=
fuzz-build: deps
	FuzzTesting/fuzz.sh build

fuzz: fuzz-build
	FuzzTesting/fuzz.sh run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# A debug build for the smoke run: it compiles in a fraction of a release build's time.
fuzz-smoke: deps
	FUZZ_CONFIG=$${FUZZ_CONFIG:-debug} FuzzTesting/fuzz.sh smoke $(FUZZ_SMOKE_SECONDS)

lint: deps
	$(SWIFT) build --product consult
	.build/debug/consult lint

# For whoever keeps dialogs/ and locales/: lint (warnings count), the scenarios, and what no
# scenario reaches.
check-content: deps
	$(SWIFT) build --product consult
	.build/debug/consult lint --strict
	.build/debug/consult test --coverage

# Figures, not pass/fail (README, "Benchmarks"): the suite in Benchmarks/ (a package of its own,
# on package-benchmark, which `make test` never builds) against the shipped release binaries, run
# once into the baseline `latest`, printed as tables and then each figure beside its anchor
# (Scripts/bench-summary.py); then the SSH figures (consult-sshd beside OpenSSH) through the test
# harness and the same binaries.
#   make bench BENCH_ARGS="--filter Start-up.*"      a part of the suite
#   make bench-baseline    save the figures as the baseline `main` (Benchmarks/.benchmarkBaselines)
#   make bench-check       run the suite and compare with it (exit 1 on a regression: a median
#                          twice as slow, half the batch's rate, or 10% more allocations in the
#                          content figures; Benchmarks/Benchmarks/ConsultBenchmarks/)
BENCH_ARGS ?=
BENCH = cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark
bench: bench-build
	$(BENCH) baseline update latest --no-progress $(BENCH_ARGS)
	$(BENCH) baseline read latest --grouping metric
	$(BENCH) baseline read latest --format markdown --path stdout | python3 $(CURDIR)/Scripts/bench-summary.py
	$(SWIFT) build --build-tests
	CONSULT_REPL_BINARY=$(CURDIR)/.build/release/consult $(SWIFT) test --skip-build --filter SSHBenchmarkTests
	# Per event, beside the fsync'ed file: the record store's commit (SQLite, PostgreSQL) and sealing.
	$(SWIFT) test --skip-build --filter 'perEventCommitLatency|SealingFiguresTests'

bench-build: test-deps
	$(SWIFT) build -c release $(STATIC)
	cd Benchmarks && $(SWIFT) build -c release --product libedit-floor

bench-baseline: bench-build
	$(BENCH) baseline update main --no-progress $(BENCH_ARGS)

bench-check: bench-build
	$(BENCH) baseline check main --no-progress $(BENCH_ARGS)

# 300 SSH consultations at once to one consult-sshd (Scripts/load-test.py; minutes, not CI's).
LOAD_SESSIONS ?= 300
test-load: test-deps
	$(SWIFT) build -c release $(STATIC)
	python3 Scripts/load-test.py --sessions $(LOAD_SESSIONS) --bin .build/release

# The record store's figures (issue 12): per-event commit latency (file, SQLite, PostgreSQL with
# fsync on), listing and filtering 100,000 consultations, forwarding 10,000 spooled events.
# Printed, not asserted; a PostgreSQL of its own, as the tests start one.
bench-store: test-deps
	$(SWIFT) build -c release --build-tests -Xswiftc -enable-testing
	$(SWIFT) test -c release --skip-build --filter StoreBenchmark -Xswiftc -enable-testing

# The tree in the checked-in style (.swift-format: 4 spaces, 120 columns), with the toolchain's swift-format.
format:
	$(SWIFT) format --in-place --parallel --recursive Package.swift Sources Tests FuzzTesting/Sources

deps:
	@Scripts/install-deps.sh

test-deps:
	@Scripts/install-deps.sh --test

clean:
	rm -rf .build .build-fuzz
