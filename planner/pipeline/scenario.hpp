#pragma once
// Scenario files (TOML, docs/scenario-format.md): everything a run needs — inputs and field
// mapping, household estimation, grid bounds, barrier classes, workers, event rates, stations,
// coverage thresholds, seed, outputs — with documented defaults, so a scenario only says what
// differs. A scenario may inherit from another (`inherits = "base.toml"`, relative to the file)
// and override any key; arrays replace, tables merge key by key. Any table may carry a
// `source = "..."` string saying where its figures come from (a standard, a county's rules); the
// sources travel into the manifest and the report.
//
// Errors are gp::ConfigError with one line per problem, `file:line: key: problem`, for unknown
// keys (with "did you mean ..." by edit distance), wrong types, values out of range, impossible
// bounds (min > max), missing input files and inheritance cycles. No GDAL here.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "planner/evaluation/evaluation.hpp"
#include "planner/io/load.hpp"
#include "planner/io/plan_import.hpp"  // io::ExistingPlanSettings
#include "planner/partition/params.hpp"
#include "planner/sim/params.hpp"

namespace gp::pipeline {

struct OutputSettings {
  /// Extra formats besides the GeoPackage: "shp", "geojson".
  std::vector<std::string> formats;
  /// Output CRS ("EPSG:4547", ...); empty: the input's CRS.
  std::string crs;
  /// Shapefile text encoding: "UTF-8" (default) or "GBK" for older Chinese GIS software.
  std::string shapefile_encoding = "UTF-8";
};

/// Where a key's value was set: for messages about values checked after inheritance.
struct KeyOrigin {
  std::string file;
  long line = 0;
};

struct Scenario {
  std::string path;  // the scenario file as given (empty for a scenario from defaults)
  std::string name;
  std::string description;
  std::vector<std::string> files;  // every file read, the scenario first, then what it inherits
  io::LoadOptions load;
  io::ExistingPlanSettings existing;
  PartitionParams partition;
  evaluation::EvaluationParams evaluation;
  sim::StaffingTarget staffing;
  OutputSettings output;
  /// `source` strings by table ("grids.large" → "provincial guidance ...").
  std::map<std::string, std::string> sources;
  /// Dotted key → where it was last set.
  std::map<std::string, KeyOrigin> origins;
};

/// The defaults, for `gridplan run --input FILE...` (name "defaults").
Scenario default_scenario();

/// Reads a scenario file and what it inherits; relative paths inside are relative to the file
/// that names them. Throws gp::ConfigError (see above) or gp::InputError when the file itself
/// cannot be read.
Scenario load_scenario(const std::string& path);

/// Parses scenario text as if read from `path` (relative paths resolve against its directory;
/// `inherits` reads files). For tests and the studio.
Scenario parse_scenario(std::string_view text, const std::string& path);

/// Every parameter with its value, in a stable order ("grids.large.min" → "300"), for the
/// manifest, the report and `run --input`'s printed defaults.
std::vector<std::pair<std::string, std::string>> describe(const Scenario& scenario);

/// The keys a scenario understands, dotted ("grids.large.min"), for documentation and tests.
std::vector<std::string> known_keys();

/// Levenshtein edit distance (for key suggestions).
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace gp::pipeline
