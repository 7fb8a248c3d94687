// gridplan synth: generate a deterministic synthetic county town (the bundled demo town, or a
// benchmark town of N buildings) and write it as a GeoPackage, optionally with a PNG map.

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "planner/cli/commands.hpp"
#include "planner/cli/progress_printer.hpp"
#include "planner/core/clock.hpp"
#include "planner/io/png.hpp"
#include "planner/io/writer.hpp"
#include "planner/synth/town.hpp"

namespace gp::cli {

namespace {

struct SynthOptions {
  std::string out;
  std::string png;
  std::uint64_t seed = synth::kDemoSeed;
  std::int64_t buildings = 0;
  int png_width = 2400;
  bool overwrite = false;
  bool quiet = false;
};

void print_summary(const synth::SynthSummary& s, double generate_s, double write_s) {
  std::printf("communities            %zu (%zu bungalow areas)\n", s.communities,
              s.bungalow_communities);
  std::printf("compounds              %zu (%zu with a property company, %zu unmanaged)\n",
              s.compounds, s.property_company_compounds, s.unmanaged_compounds);
  std::printf("buildings              %zu (%zu dwelling, %zu other; %zu outside compounds)\n",
              s.buildings, s.residential_buildings, s.non_residential_buildings,
              s.buildings_outside_compounds);
  std::printf("units (entrances)      %lld\n", s.units);
  std::printf("households             %lld\n", s.households);
  std::printf(
      "stations               %zu (%zu county centre + %zu community centres + %zu "
      "compound stations)\n",
      s.stations, s.county_centres, s.community_centres, s.compound_stations);
  std::printf("existing grids         %zu large, %zu micro\n", s.existing_large_grids,
              s.existing_micro_grids);
  std::printf("roads                  %zu segments (%zu bridges), %zu river lines\n", s.roads,
              s.bridges, s.river_lines);
  std::printf("area                   %.2f km²\n", s.area_km2);
  std::printf(
      "expected large grids   %lld at 400 households per grid (whole town: %lld at 500 … "
      "%lld at 300)\n",
      s.expected_large_grids_at_target, s.expected_large_grids_min, s.expected_large_grids_max);
  std::printf("time                   generate %.2f s, write %.2f s\n", generate_s, write_s);
}

int run_synth(const SynthOptions& options) {
  synth::SynthParams params;
  params.seed = options.seed;
  params.target_buildings = options.buildings;
  ProgressPrinter printer(!options.quiet);

  const auto t0 = std::chrono::steady_clock::now();
  const synth::SynthTown town = synth::generate_town(params, &printer.progress());
  const double generate_s = seconds_since(t0);

  const auto t1 = std::chrono::steady_clock::now();
  io::GpkgWriteOptions write_options;
  write_options.overwrite = options.overwrite;
  // A fixed GeoPackage timestamp keeps regenerated files byte-identical (the demo data is in git).
  write_options.fixed_timestamp = "2024-06-03T00:00:00Z";
  io::write_gpkg(town.dataset, options.out, write_options, &printer.progress());
  const double write_s = seconds_since(t1);

  if (!options.png.empty()) {
    io::RenderOptions render;
    render.width_px = options.png_width;
    render.overwrite = options.overwrite;
    io::render_png(town.dataset, options.png, render);
  }
  std::printf("wrote %s (seed %llu%s)\n", options.out.c_str(),
              static_cast<unsigned long long>(options.seed),
              options.buildings > 0 ? "" : ", demo town");
  if (!options.png.empty()) std::printf("wrote %s\n", options.png.c_str());
  print_summary(town.summary, generate_s, write_s);
  return kExitOk;
}

}  // namespace

void add_synth_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<SynthOptions>();
  auto* cmd = app.add_subcommand(
      "synth",
      "Generate a deterministic synthetic county town (communities, compounds, buildings with "
      "units and households, roads, a river with bridges, stations, an existing grid plan) and "
      "write it as a GeoPackage. Without --buildings: the demo town (15 communities, ≈93 "
      "compounds, ≈21,000 households).");
  cmd->add_option("--out", options->out, "Output GeoPackage (.gpkg)")->required();
  cmd->add_option("--seed", options->seed, "Random seed; the same seed gives the same town")
      ->capture_default_str();
  cmd->add_option("--buildings", options->buildings,
                  "Approximate building count for a benchmark town (e.g. 10000, 100000, "
                  "1000000); 0 = the demo town")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--png", options->png, "Also render a map of the town to this PNG file");
  cmd->add_option("--png-width", options->png_width, "Width of the PNG in pixels")
      ->check(CLI::Range(200, 20000))
      ->capture_default_str();
  cmd->add_flag("--overwrite", options->overwrite, "Replace existing output files");
  cmd->add_flag("--quiet,-q", options->quiet, "No progress on stderr");
  cmd->callback([&action, options] { action = [options] { return run_synth(*options); }; });
}

}  // namespace gp::cli
