# The two commands a new user needs (see README.md): `make demo` and `make test`.
# Each does its own set-up and is safe to run again.
.PHONY: all deps build build-asan build-fuzz build-tsan dist test test-tsan demo format tidy clean

# ccache hits across clones (CI builds in a fresh folder): hash relative paths,
# and not the build folder (debug info then names the first clone's folder).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

# What scripts/install-deps installs (build, demo, test or bench): everything
# `make test` needs unless a target says less (`make demo`: the demo's only).
DEPS ?= $(or $(SWARM_DEPS),test)

# Parallel compile and test jobs: every core unless given (make test JOBS=1).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

all: build

deps:
	@scripts/install-deps $(DEPS)

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

build-fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

# Only the test binaries of the threaded seams, and the swarm binary they start
# (tests/CMakeLists.txt: SWARM_TSAN_TESTS).
build-tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS)

# One file to copy to other machines for an ad hoc multi-machine run
# (docs/dist.md): build/dist/swarm-VERSION-linux-ARCH.tar.gz. Its objects are
# the release build's (ccache shares them); only the link differs.
dist: deps
	@cmake --preset dist >/dev/null
	@cmake --build --preset dist -j $(JOBS)
	@scripts/make-dist build/dist

# Every test: unit and integration tests under ASan+UBSan, the fuzz targets for
# a bounded time and the style checks (format, clang-tidy), then the threaded
# tests under TSan, and the dist tarball where the build's libraries are out of
# reach (tests/dist). Ends with ctest's summary line.
test: build-asan build-fuzz dist
	@ctest --preset asan -j $(JOBS)
	@$(MAKE) --no-print-directory test-tsan

test-tsan: build-tsan
	@ctest --preset tsan -j $(JOBS)

# The style checks alone (they also run in `make test`).
format:
	@scripts/check-format
tidy:
	@cmake --preset asan >/dev/null
	@scripts/run-tidy build/asan -j $(JOBS)

# The compiler, CMake, the libraries and curl: no test toolchain.
demo: DEPS = demo
demo: build
	@scripts/demo build/release/swarm

clean:
	rm -rf build/release build/dist build/asan build/fuzz build/tsan
