# XADKit: `make demo` and `make test` do all set-up (scripts/setup.sh) and then their job.
SWIFT ?= swift
# Tests run in release mode: debug Swift is 10-100x slower on numeric code.
RELEASE := -c release -Xswiftc -enable-testing
BENCH_SCRATCH := .build-bench

.PHONY: setup build test demo bench references clean

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build $(RELEASE)

test: setup
	$(SWIFT) build $(RELEASE) --build-tests
	$(SWIFT) test $(RELEASE) --skip-build

# The main job on the embedded DeepPCB sample (Demo/deeppcb, MIT): fit PatchCore, evaluate, and
# write anomaly maps with overlays for two held-out boards. The HTML report comes with the demo issue.
XAD = $$($(SWIFT) build $(RELEASE) --show-bin-path)/xad
DEMO_DATA := Demo/deeppcb
DEMO_BOARD := $(DEMO_DATA)/PCBData/group00041/00041
demo: setup
	$(SWIFT) build $(RELEASE) --product xad
	@mkdir -p demo-output
	$(XAD) fit --detector patchcore --data $(DEMO_DATA) --image-size 512 --out demo-output/patchcore.xadm
	$(XAD) evaluate --model demo-output/patchcore.xadm --data $(DEMO_DATA) --json demo-output/evaluation.json
	$(XAD) predict --model demo-output/patchcore.xadm --maps demo-output/maps \
	  $(DEMO_BOARD)/00041000_test.jpg $(DEMO_BOARD)/00041000_temp.jpg $(DEMO_BOARD)/00041004_test.jpg
	@echo "demo: model, evaluation.json and maps/ (overlay PNGs, .npy maps) in demo-output/" >&2

bench: setup
	$(SWIFT) build -c release --scratch-path $(BENCH_SCRATCH) --product xad-benchmarks
	@mkdir -p bench-results
	$(BENCH_SCRATCH)/release/xad-benchmarks > bench-results/xadkit.json
	@echo "wrote bench-results/xadkit.json" >&2
	@if [ -x Tools/reference/.venv/bin/python ]; then \
	  Tools/reference/.venv/bin/python Tools/bench/peers.py > bench-results/peers.json && \
	  echo "wrote bench-results/peers.json" >&2; \
	else echo "peer timings skipped: run Tools/reference/make_env.sh first" >&2; fi

# Regenerates the committed reference fixtures (needs the Python environment; not run by CI).
references:
	bash Tools/reference/make_env.sh
	Tools/reference/.venv/bin/python Tools/reference/generate_all.py

clean:
	rm -rf .build $(BENCH_SCRATCH) bench-results demo-output
