# The two commands a new user needs (see README.md): `make demo` and `make test`.
# Each does its own set-up and is safe to run again.
.PHONY: all deps build build-asan build-fuzz test demo fuzz clean

# ccache hits across clones (CI builds in a fresh folder): hash relative paths,
# and not the build folder (debug info then names the first clone's folder).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release

build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan

build-fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz

# Every test: unit and integration tests under ASan+UBSan, then the fuzz targets
# for a bounded time. Ends with ctest's summary line.
test: build-asan build-fuzz
	@ctest --preset asan

demo: build
	@scripts/demo build/release/swarm

clean:
	rm -rf build/release build/asan build/fuzz
