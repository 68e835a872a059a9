# The two commands of the README:
#   make run    build vbqlab and run the default scenario into output/drift-overview/
#   make test   build and run the test suite
# Both first install the system libraries (GSL, zlib, gnuplot) when they are missing.
#   make bench  whole-process benchmark against R peers (bench/)
#   make fuzz   libFuzzer on the scenario loader, the CSV reader, shard files and the HTML renderer (fuzz/README.md)
#   make install PREFIX=DIR   binary, man pages and shell completions under DIR (default /usr/local)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps bench fuzz install uninstall

run: deps
	swift build -c release --product vbqlab --explicit-target-dependency-import-check error
	.build/release/vbqlab run

test: deps
	swift test -c release --disable-xctest --explicit-target-dependency-import-check error

bench: deps
	swift build -c release --product vbqlab --explicit-target-dependency-import-check error
	bench/run .build/release/vbqlab

FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= -1
FUZZ_DIR := .build-fuzz
FUZZ_LIB := $(FUZZ_DIR)/release
# The library with coverage counters and AddressSanitizer, as a shared library that each
# target (compiled with libFuzzer's main) links against. LeakSanitizer is off: Swift stores
# flags in the spare bits of pointers, so lazily built globals look unreachable to it.
FUZZ_LINK = -O -sanitize=fuzzer,address -parse-as-library -I $(FUZZ_LIB)/Modules \
	-I $(FUZZ_DIR)/checkouts/Yams/Sources/CYaml/include -I Sources/CGSL -I Sources/CZlib -Xcc -I -Xcc Sources/CGSLShims/include \
	-Xcc -fmodule-map-file=$(FUZZ_LIB)/CGSLShims.build/module.modulemap \
	-L $(FUZZ_LIB) -lVBQLabFuzz -Xlinker -rpath -Xlinker $(abspath $(FUZZ_LIB))

fuzz: deps
	VBQLAB_FUZZ=1 swift build -c release --scratch-path $(FUZZ_DIR) --product VBQLabFuzz \
		-Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
	swiftc $(FUZZ_LINK) fuzz/scenario/FuzzScenario.swift -module-name FuzzScenario -o $(FUZZ_DIR)/fuzz-scenario
	swiftc $(FUZZ_LINK) fuzz/csv/FuzzCSV.swift -module-name FuzzCSV -o $(FUZZ_DIR)/fuzz-csv
	swiftc $(FUZZ_LINK) fuzz/shard/FuzzShard.swift -module-name FuzzShard -o $(FUZZ_DIR)/fuzz-shard
	swiftc $(FUZZ_LINK) fuzz/html/FuzzHTML.swift Tests/Support/HTMLCheck.swift -module-name FuzzHTML -o $(FUZZ_DIR)/fuzz-html
	mkdir -p $(FUZZ_DIR)/corpus/scenario $(FUZZ_DIR)/corpus/csv $(FUZZ_DIR)/corpus/shard $(FUZZ_DIR)/corpus/html
	swift build -c release --product vbqlab --explicit-target-dependency-import-check error
	fuzz/shard/make-corpus .build/release/vbqlab $(FUZZ_DIR)/corpus/shard
	cp scenarios/*.yaml fuzz/scenario/seeds/*.yaml Tests/VBQLabCLITests/Fixtures/bad-inputs/scenarios/*.yaml $(FUZZ_DIR)/corpus/scenario/
	cp Tests/VBQLabCLITests/Fixtures/bad-inputs/*.csv Tests/VBQLabCLITests/Fixtures/bad-inputs/csv/*.csv $(FUZZ_DIR)/corpus/csv/
	cp fuzz/html/seeds/* notebooks-md/*.md $(FUZZ_DIR)/corpus/html/
	for t in scenario csv shard html; do \
		ASAN_OPTIONS=detect_leaks=0 $(FUZZ_DIR)/fuzz-$$t $(FUZZ_DIR)/corpus/$$t $$( [ -f fuzz/$$t.dict ] && echo -dict=fuzz/$$t.dict ) -max_len=$$( [ $$t = shard ] && echo 65536 || echo 4096 ) \
			-timeout=10 -rss_limit_mb=2048 -detect_leaks=0 -max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ || exit 1; \
	done

deps:
	@if ! pkg-config --exists gsl zlib 2>/dev/null || ! command -v gnuplot >/dev/null 2>&1; then \
		echo "installing libgsl-dev, zlib1g-dev and gnuplot-nox (Debian packages)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgsl-dev zlib1g-dev gnuplot-nox pkg-config; \
	fi

# `make install PREFIX=$$HOME/.local`: the binary, the man pages (generated from the commands'
# own help by swift-argument-parser's generate-manual) and bash, zsh and fish completions.
PREFIX ?= /usr/local
DESTDIR ?=
MANDATE := 2026-11-27
BIN_DIR = $(DESTDIR)$(PREFIX)/bin
MAN_DIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASH_DIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSH_DIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISH_DIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

install: deps
	swift build -c release --product vbqlab --explicit-target-dependency-import-check error
	swift build -c release --product generate-manual
	install -d "$(BIN_DIR)" "$(MAN_DIR)" "$(BASH_DIR)" "$(ZSH_DIR)" "$(FISH_DIR)"
	install -m 755 .build/release/vbqlab "$(BIN_DIR)/vbqlab"
	.build/release/generate-manual .build/release/vbqlab --multi-page --date $(MANDATE) --output-directory "$(MAN_DIR)"
	"$(BIN_DIR)/vbqlab" --generate-completion-script bash > "$(BASH_DIR)/vbqlab"
	"$(BIN_DIR)/vbqlab" --generate-completion-script zsh > "$(ZSH_DIR)/_vbqlab"
	"$(BIN_DIR)/vbqlab" --generate-completion-script fish > "$(FISH_DIR)/vbqlab.fish"
	@echo "installed vbqlab into $(PREFIX) (bin/vbqlab, share/man/man1/vbqlab*.1, completions for bash, zsh and fish)"

uninstall:
	rm -f "$(BIN_DIR)/vbqlab" "$(MAN_DIR)"/vbqlab.1 "$(MAN_DIR)"/vbqlab.*.1 "$(BASH_DIR)/vbqlab" "$(ZSH_DIR)/_vbqlab" "$(FISH_DIR)/vbqlab.fish"
