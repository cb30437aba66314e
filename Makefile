# XADKit: `make demo` and `make test` do all set-up (scripts/setup.sh) and then their job.
SWIFT ?= swift
# Tests run in release mode: debug Swift is 10-100x slower on numeric code.
RELEASE := -c release -Xswiftc -enable-testing
BENCH_SCRATCH := .build-bench

.PHONY: setup build test demo bench references docs clean fuzz test-sanitize test-sanitize-address test-sanitize-thread instruction-check bench-baseline

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build $(RELEASE)

# The xad serve tests run in a second pass: Swift Testing runs suites on the cooperative thread
# pool (one thread a core), and minutes-long synchronous numeric tests beside them would starve
# the in-process server's handlers until its clients time out.
test: setup
	$(SWIFT) build $(RELEASE) --build-tests
	@# A one-node Slurm for the array-job test (root only: it installs and starts daemons).
	@if [ "$$(id -u)" = 0 ]; then bash scripts/slurm-local.sh start; else echo "make test: not root; no local Slurm, its test is skipped" >&2; fi
	$(SWIFT) test $(RELEASE) --skip-build --skip XADServeTests
	$(SWIFT) test $(RELEASE) --skip-build --filter XADServeTests
	$(FUZZ_SHORT_PASS)
	$(INSTRUCTION_COUNTS)

# The main job: `xad demo` on the embedded DeepPCB sample (Demo/deeppcb, MIT): PatchCore and PaDiM
# fitted, scored, explained and evaluated; demo-output/report.html and a summary table.
# .build/release is SwiftPM's link to the release products. The binary is rebuilt only when a
# file under Sources/ or Package.swift is newer than it: SwiftPM's planning alone costs 2-8 s
# on every run, a quarter of the demo once built.
XAD = $$($(SWIFT) build $(RELEASE) --show-bin-path)/xad
XAD_SOURCES := Package.swift $(shell find Sources -type f)
.build/release/xad: $(XAD_SOURCES) | setup
	$(SWIFT) build $(RELEASE) --product xad
	@# SwiftPM leaves an up-to-date binary's time alone; make needs it newer than the sources.
	@touch $@
demo: setup .build/release/xad
	.build/release/xad demo --data Demo/deeppcb --format deeppcb --out demo-output

# XADKit's timings, then the peers' (PyTorch, Pillow, anomalib, Captum, pytorch-grad-cam) on the
# same work, in Tools/reference/.venv, which make_env.sh creates the first time (a few minutes).
# Each JSON file is written whole or not at all.
bench: setup
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product xad-benchmarks
	@mkdir -p bench-results
	$(BENCH_SCRATCH)/release/xad-benchmarks > bench-results/xadkit.json.tmp
	@mv bench-results/xadkit.json.tmp bench-results/xadkit.json && echo "wrote bench-results/xadkit.json" >&2
	bash Tools/reference/make_env.sh
	Tools/reference/.venv/bin/python Tools/bench/peers.py > bench-results/peers.json.tmp
	@mv bench-results/peers.json.tmp bench-results/peers.json && echo "wrote bench-results/peers.json" >&2

# Regenerates the committed reference fixtures (needs the Python environment; not run by CI).
references:
	bash Tools/reference/make_env.sh
	Tools/reference/.venv/bin/python Tools/reference/generate_all.py

# The library documentation: one DocC catalog per public module, into docs-output/ (HTML);
# DocC warnings fail it.
docs: setup
	bash scripts/docs.sh

# Fuzzes every file reader with libFuzzer and AddressSanitizer for FUZZ_SECONDS each, from the
# corpora the last runs left in .fuzz-corpus/; adds each target's executions to the ledger
# Tests/Fuzz/ledger.tsv and writes the table (this run and all runs) in docs/RELIABILITY.md; a
# crash's input lands in Tests/Fuzz/regressions/<target>/ (commit it with the fix: make test
# replays it). FUZZ_TARGETS="npy pickle" picks targets.
FUZZ_SECONDS ?= 300
fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash Tests/Fuzz/run.sh

# make test's short pass: every target for FUZZ_CI_SECONDS from its corpus, in an unoptimised
# build (cheaper to compile; coverage, not speed, is what catches a regression in a reader). A
# crash fails make test, names the reader and leaves the input in Tests/Fuzz/regressions/<target>/.
FUZZ_CI_SECONDS ?= 15
FUZZ_SHORT_PASS = FUZZ_CONFIG=debug FUZZ_SECONDS=$(FUZZ_CI_SECONDS) FUZZ_NO_TABLE=1 bash Tests/Fuzz/run.sh

# The reader, metric and fuzz-replay tests under AddressSanitizer, and the threaded kernels (GEMM
# blocking, convolutions, k-centre greedy) and concurrent scoring under ThreadSanitizer, each in
# its own build folder (docs/RELIABILITY.md has the last result).
# `make test-sanitize-address` or `make test-sanitize-thread` runs one half (each builds its own
# folder from nothing the first time: about 15 minutes on 2 cores).
ASAN_TESTS := XADImageTests|XADModelsTests|XADMetricsTests|XADFuzzTests|HostileLabelFileTests|MATFileTests
TSAN_TESTS := MatMulTests|BlockedSGEMMTests|ConvolutionTests|KernelLevelTests|KCenterGreedyTests|NearestNeighboursTests|ReliabilityTests
test-sanitize: test-sanitize-address test-sanitize-thread
test-sanitize-address: setup
	$(SWIFT) build $(RELEASE) --build-tests --scratch-path .build-asan --sanitize=address
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Sanitizers/lsan-suppressions.txt $(SWIFT) test $(RELEASE) --skip-build --scratch-path .build-asan --sanitize=address --filter "$(ASAN_TESTS)"
test-sanitize-thread: setup
	$(SWIFT) build $(RELEASE) --build-tests --scratch-path .build-tsan --sanitize=thread
	TSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Sanitizers/tsan-suppressions.txt $(SWIFT) test $(RELEASE) --skip-build --scratch-path .build-tsan --sanitize=thread --filter "$(TSAN_TESTS)"

clean:
	rm -rf .build $(BENCH_SCRATCH) bench-results demo-output docs-output .build-fuzz .build-asan .build-tsan

# The published benchmark grid (docs/benchmark/config.yaml: MTD v1 and the DeepPCB sample x every
# image detector x every explainer, quick preset): resumes docs/benchmark/results.db, then writes
# the leaderboard (Markdown, CSV, JSON, HTML) beside it.
.PHONY: bench-grid
bench-grid: setup
	$(SWIFT) build $(RELEASE) --product xad
	$(XAD) benchmark run docs/benchmark/config.yaml --db docs/benchmark/results.db --progress plain
	$(XAD) benchmark leaderboard --db docs/benchmark/results.db --out docs/benchmark

# Instruction counts of fixed workloads (backbone batch 1, a nearest-neighbour GEMM block, AUPRO)
# under valgrind's callgrind, against Benchmarks/instruction-baseline.json keyed by CPU feature
# level and BLAS kernel: fails when one rises more than 5 %; a machine without a baseline records
# one. `make bench-baseline` records this machine's counts on purpose (commit the file).
INSTRUCTION_COUNTS = $(SWIFT) build $(RELEASE) --product xad-benchmarks && \
	python3 Tools/bench/instruction_counts.py $$($(SWIFT) build $(RELEASE) --show-bin-path)/xad-benchmarks
instruction-check: setup
	$(INSTRUCTION_COUNTS)

bench-baseline: setup
	$(INSTRUCTION_COUNTS) --update

# XADTensorTests with every sgemm on XADKit's own kernel (XAD_GEMM=blocked) at each CPU level below
# AVX-512, as on machines without it (not part of `make test`: two more passes of the module).
.PHONY: test-gemm-levels
test-gemm-levels: setup
	$(SWIFT) build $(RELEASE) --build-tests
	for level in avx2 portable; do \
		XAD_GEMM=blocked XAD_CPU_LEVEL=$$level $(SWIFT) test $(RELEASE) --skip-build --filter XADTensorTests || exit 1; \
	done
