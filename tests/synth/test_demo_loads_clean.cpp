// Issue 3 item 5: the loaders read the committed demo town with zero validation problems, and
// what the loader (and so `gridplan inspect`) finds equals what the generator reports.

#include <catch2/catch.hpp>

#include <string>

#include "planner/io/load.hpp"
#include "planner/synth/town.hpp"

TEST_CASE("the demo town loads with no validation problems and the generator's figures",
          "[synth][demo]") {
  gp::io::LoadOptions options;
  options.inputs.push_back({std::string(GRIDPLAN_SOURCE_DIR) + "/data/demo-town.gpkg", "", {}});
  gp::Progress progress;
  const gp::io::LoadResult loaded = gp::io::load(options, progress);
  const gp::Dataset& dataset = loaded.dataset;

  for (const gp::Problem& problem : dataset.problems.problems())
    UNSCOPED_INFO(gp::to_string(problem));
  CHECK(dataset.problems.count(gp::Severity::warning) == 0);
  CHECK(dataset.problems.count(gp::Severity::error) == 0);
  CHECK(loaded.validation.repaired == 0);
  CHECK(loaded.validation.outside_community == 0);
  CHECK(dataset.crs_epsg == 4547);

  const gp::synth::SynthTown generated = gp::synth::generate_town({});
  const gp::synth::SynthSummary& expected = generated.summary;
  const gp::synth::SynthSummary found = gp::synth::summarize(dataset);
  CHECK(found.communities == expected.communities);
  CHECK(found.compounds == expected.compounds);
  CHECK(found.unmanaged_compounds == expected.unmanaged_compounds);
  CHECK(found.buildings == expected.buildings);
  CHECK(found.households == expected.households);
  CHECK(found.units == expected.units);
  CHECK(found.stations == expected.stations);
  CHECK(found.county_centres == expected.county_centres);
  CHECK(found.community_centres == expected.community_centres);
  CHECK(found.existing_large_grids == expected.existing_large_grids);
  CHECK(found.existing_micro_grids == expected.existing_micro_grids);
  // Every building's households are the file's, not estimates.
  for (const gp::Building& building : dataset.buildings) {
    if (building.households > 0) REQUIRE_FALSE(building.households_estimated);
  }
}
