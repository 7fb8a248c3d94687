# GridPlanner: the two commands of the README.
#   make demo  — install what is missing, build (release), run the main job on the bundled demo town
#   make test  — install what is missing, build (dev, warnings as errors), run the whole ctest suite,
#                then an ASan+UBSan build (clang) and run of the engine and studio tests and of each libFuzzer
#                target for 30 s on its seed corpus, then a ThreadSanitizer build and run of the
#                tests of the parallel code (core:parallel, geo, partition, sim). On a 2-core machine
#                ~22.5 min (estimate; the CI run before was 26.7); docs/developers.md "CI time".
#   make package — a Debian package (.deb, CPack) in build/$(PRESET)/package/ (PRESET=release by
#                default; PRESET=dev reuses the dev build of `make test`); make install — build it and
#                install it with apt-get (so apt can remove it again)
# Other targets: build, release, asan, bench, format, tidy, clean;
#   fuzz (longer libFuzzer runs: FUZZ_SECONDS=1800 make fuzz).

JOBS ?= $(shell nproc)
DEMO_OUT ?= build/demo-output
GRIDPLAN_RELEASE = build/release/planner/cli/gridplan
PRESET ?= release

.PHONY: deps build release asan test test-dev test-asan test-tsan fuzz demo bench format tidy clean regen-demo package install test-package

deps:
	@bash .ci/install-deps

build: deps
	cmake --preset dev
	cmake --build --preset dev -j $(JOBS)

release: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS)

asan: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)

test-dev: build
	ctest --preset dev

test-asan: asan
	ctest --preset asan

# ThreadSanitizer: the engine's parallel loops run on std::thread in this build (TSan cannot see
# inside Debian's libtbb); only the libraries and the four test programs it needs are built.
# docs/decisions/0007-hardening.md has the timings of all three builds.
test-tsan: deps
	cmake --preset tsan
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan

test: test-dev test-asan test-tsan

# The fuzz targets are built by the asan preset; `make test` fuzzes each for 30 s already.
fuzz: deps
	bash .ci/fuzz

# The demo needs only the CLI: build that target, not the tests and the studio.
demo: deps
	cmake --preset release
	cmake --build --preset release -j $(JOBS) --target gridplan
	bash tests/demo.sh $(GRIDPLAN_RELEASE) $(DEMO_OUT)

# Only what the package holds is built (not the tests), then CPack makes the .deb.
package: deps
	cmake --preset $(PRESET)
	cmake --build --preset $(PRESET) -j $(JOBS) --target gridplan gridplan-studio package_files
	rm -f build/$(PRESET)/package/gridplan_*.deb
	cd build/$(PRESET) && cpack -G DEB
	@ls build/$(PRESET)/package/gridplan_*.deb

install: package
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --reinstall ./build/$(PRESET)/package/gridplan_*.deb

# Installs the package on this machine and runs the installed programs (tests/package/run.sh).
test-package: package
	bash tests/package/run.sh build/$(PRESET)/package/gridplan_*.deb

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
