# GridPlanner: the two commands of the README.
#   make demo  — install what is missing, build (release), run the main job on the bundled demo town
#   make test  — install what is missing, build (dev, warnings as errors), run the whole ctest suite,
#                then an ASan+UBSan build (clang) and run of the engine and studio tests and of each libFuzzer
#                target for 60 s on its seed corpus, then a ThreadSanitizer build and run of the
#                tests of the parallel code (core:parallel, geo, partition, sim)
# Other targets: build, release, asan, bench, format, tidy, clean;
#   fuzz (longer libFuzzer runs: FUZZ_SECONDS=1800 make fuzz).

JOBS ?= $(shell nproc)
# ccache (in the package list) makes rebuilds and the three builds of `make test` share work across
# checkouts: paths are hashed relative to the checkout, so a second clone hits the same cache.
CCACHE := $(shell command -v ccache 2>/dev/null)
ifneq ($(CCACHE),)
  export CCACHE_BASEDIR := $(CURDIR)
  export CCACHE_NOHASHDIR := true
  LAUNCHER := -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
endif
DEMO_OUT ?= build/demo-output
GRIDPLAN_RELEASE = build/release/planner/cli/gridplan

.PHONY: deps build release asan test test-dev test-asan test-tsan fuzz demo bench format tidy clean regen-demo

deps:
	@bash .ci/install-deps

build: deps
	cmake --preset dev $(LAUNCHER)
	cmake --build --preset dev -j $(JOBS)

release: deps
	cmake --preset release $(LAUNCHER)
	cmake --build --preset release -j $(JOBS)

asan: deps
	cmake --preset asan $(LAUNCHER)
	cmake --build --preset asan -j $(JOBS)

test-dev: build
	ctest --preset dev

test-asan: asan
	ctest --preset asan

# ThreadSanitizer: the engine's parallel loops run on std::thread in this build (TSan cannot see
# inside Debian's libtbb); only the libraries and the four test programs it needs are built.
# docs/decisions/0007-hardening.md has the timings of all three builds.
test-tsan: deps
	cmake --preset tsan $(LAUNCHER)
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan

test: test-dev test-asan test-tsan

# The fuzz targets are built by the asan preset; `make test` fuzzes each for 60 s already.
fuzz: deps
	bash .ci/fuzz

# The demo needs only the CLI: build that target, not the tests and the studio.
demo: deps
	cmake --preset release $(LAUNCHER)
	cmake --build --preset release -j $(JOBS) --target gridplan
	bash tests/demo.sh $(GRIDPLAN_RELEASE) $(DEMO_OUT)

bench: release
	bash tests/bench/run_all.sh

regen-demo: release
	bash tests/regen-demo.sh $(GRIDPLAN_RELEASE)

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

tidy: build
	git ls-files 'planner/*.cpp' | xargs clang-tidy -p build/dev --quiet

clean:
	rm -rf build
