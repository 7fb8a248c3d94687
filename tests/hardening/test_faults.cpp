// Faults: an unwritable output location, a full disk, a process killed while writing, a memory
// limit too small for the input. Each must end with a clear message, leave the inputs untouched
// and leave no output that looks complete but is not (only temporary names, or nothing).
//
// The CLI runs in a child process (fork + exec) so that resource limits and signals hit it alone.
// CI runs as root, for whom file modes do not stop writes: unwritable locations here are paths
// under a regular file (ENOTDIR) and /proc, which refuse root as well.

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "planner/core/errors.hpp"
#include "planner/io/export.hpp"
#include "tests/hardening/hardening_support.hpp"

using namespace gp;
using namespace gp::hardening;
namespace fs = std::filesystem;

namespace {

const std::string kDemoTown = std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg";

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    std::random_device random;
    path_ =
        fs::temp_directory_path() / ("gridplan-hardening-" + name + "-" + std::to_string(random()));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// No file that looks like a finished output: every entry left is a temporary name.
void check_only_temporaries(const fs::path& dir, const std::string& final_name) {
  for (const std::string& name : files_in(dir)) {
    if (name == "err") continue;  // the captured stderr
    INFO("left in " << dir << ": " << name);
    CHECK(name != final_name);
    CHECK(name.find(".tmp-") != std::string::npos);
  }
}

bool has_entry_containing(const fs::path& dir, const std::string& part) {
  for (const std::string& name : files_in(dir))
    if (name.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("an unwritable output location is a clear output error, inputs untouched",
          "[faults][unwritable]") {
  ScratchDir dir("unwritable");
  const std::string blocker = dir.file("not-a-directory");
  std::ofstream(blocker) << "a regular file where a directory is expected\n";
  const std::string input_sum = io::sha256_file(kDemoTown);

  SECTION("synth into a path under a regular file") {
    const std::string out = blocker + "/town.gpkg";
    const ChildResult r =
        run_cli({"synth", "--buildings", "200", "--out", out, "--quiet"}, {}, dir.file("err"));
    const std::string message = cli_message(r.err);
    record("unwritable output: a path under a regular file (synth)", message);
    CHECK(r.exited);
    CHECK(r.exit_code == 6);
    CHECK(message.find("output error") != std::string::npos);
    CHECK(message.find("not-a-directory") != std::string::npos);
  }
  SECTION("run into a directory under a regular file") {
    const std::string out = blocker + "/run";
    const ChildResult r =
        run_cli({"run", "--input", kDemoTown, "--out", out, "--quiet"}, {}, dir.file("err"));
    const std::string message = cli_message(r.err);
    record("unwritable output: run --out under a regular file", message);
    CHECK(r.exited);
    CHECK(r.exit_code == 6);
    CHECK(message.find("output error") != std::string::npos);
    CHECK(message.find("not-a-directory") != std::string::npos);
  }
  SECTION("synth into /proc, which refuses root too") {
    const ChildResult r =
        run_cli({"synth", "--buildings", "200", "--out", "/proc/gridplan-test.gpkg", "--quiet"}, {},
                dir.file("err"));
    const std::string message = cli_message(r.err);
    record("unwritable output: /proc (refuses root too)", message);
    CHECK(r.exited);
    CHECK(r.exit_code == 6);
    CHECK(message.find("/proc/gridplan-test.gpkg") != std::string::npos);
    CHECK_FALSE(fs::exists("/proc/gridplan-test.gpkg"));
  }
  CHECK(io::sha256_file(kDemoTown) == input_sum);
  CHECK(files_in(dir.path()).size() == 2);  // the blocker and the captured stderr only
}

TEST_CASE("a full disk is a clear output error and leaves nothing that looks complete",
          "[faults][full]") {
  ScratchDir dir("full");
  SECTION("a single text file written to /dev/full") {
    try {
      io::write_text("/dev/full", std::string(1 << 16, 'x'));
      FAIL("expected gp::OutputError");
    } catch (const OutputError& e) {
      record("full disk: a text file (metrics.json, report.html) on /dev/full", e.what());
      CHECK(std::string(e.what()).find("/dev/full") != std::string::npos);
    }
  }
  SECTION("synth under a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored)") {
    const std::string out = dir.file("town.gpkg");
    Limits limits;
    limits.file_size = 128 * 1024;
    const ChildResult r = run_cli({"synth", "--buildings", "20000", "--out", out, "--quiet"},
                                  limits, dir.file("err"));
    const std::string message = cli_message(r.err);
    record("full disk: synth's GeoPackage hits the file-size limit", message);
    CHECK(r.exited);
    CHECK(r.exit_code == 6);
    CHECK(message.find("output error") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    for (const std::string& name : files_in(dir.path())) CHECK(name == "err");
  }
  SECTION("run under a file-size limit: inputs untouched, no output directory") {
    const std::string input_sum = io::sha256_file(kDemoTown);
    const std::string out = dir.file("run");
    Limits limits;
    limits.file_size = 256 * 1024;
    const ChildResult r =
        run_cli({"run", "--input", kDemoTown, "--out", out, "--no-simulation", "--quiet"}, limits,
                dir.file("err"));
    const std::string message = cli_message(r.err);
    record("full disk: run's outputs hit the file-size limit", message);
    CHECK(r.exited);
    CHECK(r.exit_code == 6);
    CHECK(message.find("output error") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(has_entry_containing(dir.path(), "run.tmp-"));  // cleaned up on the error path
    CHECK(io::sha256_file(kDemoTown) == input_sum);
  }
}

TEST_CASE("a process killed while writing leaves only temporary names", "[faults][kill]") {
  ScratchDir dir("kill");
  using namespace std::chrono_literals;
  SECTION("synth killed during the GeoPackage write") {
    const std::string out = dir.file("town.gpkg");
    const pid_t pid =
        spawn({GRIDPLAN_CLI_PATH, "synth", "--buildings", "150000", "--out", out, "--quiet"}, {},
              dir.file("err"));
    // Kill once the temporary file exists and has grown: in the middle of the write.
    bool writing = false;
    for (int i = 0; i < 6000 && !writing; ++i) {
      for (const std::string& name : files_in(dir.path())) {
        std::error_code ec;
        if (name.find(".tmp-") != std::string::npos &&
            fs::file_size(dir.path() / name, ec) > 256 * 1024)
          writing = true;
      }
      if (!writing) std::this_thread::sleep_for(10ms);
    }
    kill(pid, SIGKILL);
    const ChildResult r = wait_for(pid, dir.file("err"));
    INFO(r.err);
    CHECK(writing);
    CHECK(r.signal == SIGKILL);
    CHECK_FALSE(fs::exists(out));
    std::vector<std::string> left;
    for (const std::string& name : files_in(dir.path()))
      if (name != "err") left.push_back(name);
    for (const std::string& name : left) {
      INFO(name);
      CHECK(name.find(".tmp-") != std::string::npos);
    }
  }
  SECTION("run killed while writing its outputs: inputs untouched, no output directory") {
    const std::string input_sum = io::sha256_file(kDemoTown);
    const std::string out = dir.file("run");
    const pid_t pid = spawn({GRIDPLAN_CLI_PATH, "run", "--input", kDemoTown, "--out", out,
                             "--no-simulation", "--quiet"},
                            {}, dir.file("err"));
    // The temporary directory exists from the start; kill once plan.gpkg is being written in it.
    bool writing = false;
    for (int i = 0; i < 30000 && !writing; ++i) {
      for (const std::string& name : files_in(dir.path()))
        if (name.find("run.tmp-") != std::string::npos &&
            has_entry_containing(dir.path() / name, "plan.gpkg"))
          writing = true;
      if (!writing) std::this_thread::sleep_for(10ms);
    }
    kill(pid, SIGKILL);
    const ChildResult r = wait_for(pid, dir.file("err"));
    INFO(r.err);
    CHECK(writing);
    CHECK(r.signal == SIGKILL);
    CHECK_FALSE(fs::exists(out));
    check_only_temporaries(dir.path(), "run");
    CHECK(io::sha256_file(kDemoTown) == input_sum);
  }
}

TEST_CASE("a memory limit too small for the input ends with a clear message, not a crash",
          "[faults][memory]") {
  if (kAddressSanitizer) {
    WARN("skipped under AddressSanitizer: it reserves more address space than any RLIMIT_AS");
    return;
  }
  ScratchDir dir("memory");
  const std::string input_sum = io::sha256_file(kDemoTown);
  SECTION("synth of a town too big for the limit") {
    const std::string out = dir.file("big.gpkg");
    Limits limits;
    limits.address_space = rlim_t{768} * 1024 * 1024;
    const ChildResult r = run_cli({"synth", "--buildings", "3000000", "--out", out, "--quiet"},
                                  limits, dir.file("err"));
    const std::string message = cli_message(r.err);
    record("memory limit too small: synth of 3M buildings under 768 MiB", message);
    INFO(r.err);
    CHECK(r.exited);  // not killed by a signal (no abort, no crash dump)
    CHECK(r.exit_code != 0);
    CHECK(message.find("memory") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
  }
  SECTION("run on a town too big for the limit") {
    // The input decides the outcome, not the machine: a town of 1M buildings needs about 2 GiB
    // just to be read and validated (docs/benchmarks.md), far beyond 768 MiB, while the process
    // itself starts in well under 300 MiB. It fails while still reading, on the main thread,
    // before any worker thread (and its malloc arena) exists, so the core count does not matter.
    // (The earlier case, the demo town under 200 MiB, was decided by the machine and removed.)
    const std::string town = dir.file("town.gpkg");
    const ChildResult made = run_cli({"synth", "--buildings", "1000000", "--out", town, "--quiet"},
                                     {}, dir.file("synth-err"));
    INFO(made.err);
    REQUIRE(made.exited);
    REQUIRE(made.exit_code == 0);
    const std::string town_sum = io::sha256_file(town);
    const std::string out = dir.file("run");
    Limits limits;
    limits.address_space = rlim_t{768} * 1024 * 1024;
    const ChildResult r =
        run_cli({"run", "--input", town, "--out", out, "--no-simulation", "--quiet"}, limits,
                dir.file("err"));
    const std::string message = cli_message(r.err);
    record("memory limit too small: run on a 1M-building town under 768 MiB", message);
    INFO(r.err);
    CHECK(r.exited);  // not killed by a signal
    CHECK(r.exit_code == 1);
    CHECK(message.find("out of memory") != std::string::npos);
    CHECK(message.find("split the input") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    for (const std::string& name : files_in(dir.path())) {
      INFO("left in " << dir.path() << ": " << name);
      CHECK((name == "town.gpkg" || name == "err" || name == "synth-err" ||
             name.find(".tmp-") != std::string::npos));
    }
    CHECK(io::sha256_file(town) == town_sum);
  }
  SECTION("run on one GeoJSON feature too large for the limit") {
    // One building of 2M vertices (58 MB of GeoJSON). GDAL parses a GeoJSON feature whole with
    // json-c, which aborts the process when an allocation fails; the loader lowers GDAL's
    // per-feature cap (OGR_GEOJSON_MAX_OBJ_SIZE) to an eighth of the memory limit, so GDAL
    // refuses the feature cleanly first. Before: SIGABRT inside GDAL, no message.
    const std::string input = dir.file("big.geojson");
    {
      std::FILE* out = std::fopen(input.c_str(), "w");
      REQUIRE(out);
      std::fputs(
          "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
          "\"properties\":{\"households\":10},\"geometry\":{\"type\":\"Polygon\","
          "\"coordinates\":[[",
          out);
      constexpr int kVertices = 2'000'000;
      for (int i = 0; i <= kVertices; ++i) {
        const double angle = 2.0 * 3.14159265358979 * (i % kVertices) / kVertices;
        std::fprintf(out, "%s[%.9f,%.9f]", i ? "," : "", 118.78 + 0.001 * std::cos(angle),
                     32.04 + 0.001 * std::sin(angle));
      }
      std::fputs("]]}}]}", out);
      std::fclose(out);
    }
    const std::string sum = io::sha256_file(input);
    const std::string out = dir.file("run");
    Limits limits;
    limits.address_space = rlim_t{512} * 1024 * 1024;
    const ChildResult r =
        run_cli({"run", "--input", input, "--out", out, "--no-simulation", "--quiet"}, limits,
                dir.file("err"));
    const std::string message = cli_message(r.err);
    record("memory limit too small: run on one GeoJSON building of 2M vertices under 512 MiB",
           message);
    INFO(r.err);
    CHECK(r.exited);  // not killed by a signal (json-c's abort)
    CHECK(r.exit_code == 3);
    CHECK(message.find("too large to read within the memory available") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    CHECK(io::sha256_file(input) == sum);
  }
  CHECK(io::sha256_file(kDemoTown) == input_sum);
}
