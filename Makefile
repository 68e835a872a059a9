# The two commands of the README:
#   make run    build vbqlab and run the default scenario into output/wu2025-baseline/
#   make test   build and run the test suite
# Both first install the system libraries (GSL, gnuplot) when they are missing.

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps bench

run: deps
	swift build -c release --product vbqlab
	.build/release/vbqlab run

test: deps
	swift test -c release

bench: deps
	swift build -c release --product vbqlab
	bench/run .build/release/vbqlab

deps:
	@if ! pkg-config --exists gsl 2>/dev/null || ! command -v gnuplot >/dev/null 2>&1; then \
		echo "installing libgsl-dev and gnuplot-nox (Debian packages)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgsl-dev gnuplot-nox pkg-config; \
	fi
