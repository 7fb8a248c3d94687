// gridplan compare RUN_OR_SCENARIO... --out DIR: plans side by side — a terminal table,
// compare.html (maps, difference maps, distributions) and compare.csv. Run directories are read
// back from their plan.gpkg and metrics.json; scenario files are run first (into DIR/runs/).
// See docs/cli/compare.md.

#include <filesystem>
#include <iostream>
#include <memory>

#include "planner/cli/commands.hpp"
#include "planner/cli/progress_printer.hpp"
#include "planner/core/clock.hpp"
#include "planner/core/errors.hpp"
#include "planner/io/export.hpp"
#include "planner/io/plan_import.hpp"
#include "planner/pipeline/pipeline.hpp"
#include "planner/report/compare.hpp"

namespace gp::cli {
namespace {

namespace fs = std::filesystem;

struct CompareOptions {
  std::vector<std::string> plans;
  std::string out;
  bool overwrite = false;
  bool quiet = false;
};

int run_compare(const CompareOptions& o) {
  if (o.plans.size() < 2)
    throw ConfigError("compare: give at least two run directories or scenario files");
  std::vector<std::string> protected_paths = o.plans;
  io::OutputDirectory dir(o.out, o.overwrite, protected_paths);
  std::vector<report::RunSnapshot> runs;
  for (const std::string& item : o.plans) {
    if (fs::is_directory(item)) {
      runs.push_back(io::read_run(item));
      continue;
    }
    if (fs::path(item).extension() != ".toml")
      throw InputError(
          "compare: '" + item +
          "' is neither a run directory (made by `gridplan run`) nor a .toml scenario");
    // A scenario runs through the same pipeline as `gridplan run`.
    pipeline::RunRequest request;
    request.scenario = pipeline::load_scenario(item);
    request.out = (fs::path(dir.path()) / "runs" / fs::path(item).stem()).string();
    ProgressPrinter printer(!o.quiet);
    const pipeline::RunOutcome outcome = pipeline::run(std::move(request), printer.progress());
    runs.push_back(io::read_run(outcome.dir));
    runs.back().source = item;
  }
  // Names must tell the columns apart.
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (runs[i].name == runs[j].name) runs[i].name += " (" + std::to_string(i + 1) + ")";
  for (std::size_t i = 1; i < runs.size(); ++i)
    if (runs[i].geographic != runs[0].geographic)
      std::cerr << "compare: warning: the plans are in different CRSs; maps may not overlay\n";

  const std::string table = report::compare_text(runs);
  io::write_text((fs::path(dir.path()) / "compare.csv").string(), report::compare_csv(runs));
  io::write_text((fs::path(dir.path()) / "compare.html").string(),
                 report::compare_html(runs, GRIDPLAN_VERSION, now_utc()));
  dir.commit();
  std::cout << '\n'
            << table << "\nwrote " << dir.final_path()
            << "/compare.csv\nreport: " << dir.final_path() << "/compare.html\n";
  return kExitOk;
}

}  // namespace

void add_compare_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand(
      "compare", "Compare plans side by side: table, compare.html with difference maps, CSV");
  cmd->add_option("plans", o->plans, "Run directories (from gridplan run) or scenario files")
      ->required();
  cmd->add_option("--out,-o", o->out, "Output directory for compare.html and compare.csv")
      ->required();
  cmd->add_flag("--overwrite", o->overwrite, "Replace an existing output directory");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress output");
  cmd->callback([&action, o] { action = [o] { return run_compare(*o); }; });
}

}  // namespace gp::cli
