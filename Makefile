# The two commands of the README:
#   make run    build vbqlab and run the default scenario into output/drift-overview/
#   make test   build and run the test suite
# Both first install the system libraries (GSL, gnuplot) when they are missing.
#   make bench  whole-process benchmark against R peers (bench/)
#   make fuzz   libFuzzer on the scenario loader and the CSV reader (fuzz/README.md)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps bench fuzz

run: deps
	swift build -c release --product vbqlab
	.build/release/vbqlab run

test: deps
	swift test -c release

bench: deps
	swift build -c release --product vbqlab
	bench/run .build/release/vbqlab

FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= -1
FUZZ_DIR := .build-fuzz

fuzz: deps
	VBQLAB_FUZZ=1 swift build -c release --scratch-path $(FUZZ_DIR) --product fuzz-scenario \
		-Xswiftc -sanitize=fuzzer,address
	VBQLAB_FUZZ=1 swift build -c release --scratch-path $(FUZZ_DIR) --product fuzz-csv \
		-Xswiftc -sanitize=fuzzer,address
	mkdir -p $(FUZZ_DIR)/corpus/scenario $(FUZZ_DIR)/corpus/csv
	cp scenarios/*.yaml Tests/VBQLabCLITests/Fixtures/bad-inputs/scenarios/*.yaml $(FUZZ_DIR)/corpus/scenario/
	cp Tests/VBQLabCLITests/Fixtures/bad-inputs/*.csv Tests/VBQLabCLITests/Fixtures/bad-inputs/csv/*.csv $(FUZZ_DIR)/corpus/csv/
	for t in scenario csv; do \
		$(FUZZ_DIR)/release/fuzz-$$t $(FUZZ_DIR)/corpus/$$t -dict=fuzz/$$t.dict -max_len=4096 -timeout=10 \
			-rss_limit_mb=2048 -max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/ || exit 1; \
	done

deps:
	@if ! pkg-config --exists gsl 2>/dev/null || ! command -v gnuplot >/dev/null 2>&1; then \
		echo "installing libgsl-dev and gnuplot-nox (Debian packages)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgsl-dev gnuplot-nox pkg-config; \
	fi
