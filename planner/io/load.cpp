// The load driver: inputs (files, layers, roles), features into the dataset, then the steps
// after reading — ids, point buildings, the household table, the working CRS and projection
// (load_reproject.cpp), checks. The other steps are in the files load_internal.hpp lists.

#include "planner/io/load.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "planner/core/errors.hpp"
#include "planner/core/road_classes.hpp"
#include "planner/geo/geos.hpp"
#include "planner/io/crs.hpp"
#include "planner/io/gdal_support.hpp"
#include "planner/io/load_internal.hpp"
#include "planner/io/osm_tags.hpp"

namespace gp::io::loader {

/// MB a single GeoJSON feature may take once parsed: GDAL's default of 200, or an eighth of the
/// memory this process may use (the address-space limit, else physical memory) when smaller.
long long geojson_feature_limit_mb() {
  constexpr long long kGdalDefaultMb = 200;
  long long budget = static_cast<long long>(sysconf(_SC_PHYS_PAGES)) *
                     static_cast<long long>(sysconf(_SC_PAGE_SIZE));
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    budget = std::min(budget, static_cast<long long>(limit.rlim_cur));
  if (budget <= 0) return kGdalDefaultMb;
  return std::clamp(budget / (8LL * 1024 * 1024), 1LL, kGdalDefaultMb);
}

/// Whether a GDAL failure message says the file itself could not be read (short, truncated or
/// corrupt) rather than that one feature's content was bad.
bool looks_like_io_failure(std::string_view message) {
  static constexpr std::array<std::string_view, 12> kSigns{
      "fread",          "read error",     "truncat",     "corrupt",
      "short read",     "unexpected end", "malformed",   "i/o",
      "failed to read", "unable to read", "cannot read", "not a database"};
  const std::string lowered = ascii_lower(message);
  return std::any_of(kSigns.begin(), kSigns.end(), [&lowered](std::string_view sign) {
    return lowered.find(sign) != std::string::npos;
  });
}

bool is_shapefile_path(const std::string& path) {
  const std::string ext = ascii_lower(std::filesystem::path(path).extension().string());
  std::error_code ec;
  return ext == ".shp" || ext == ".dbf" || std::filesystem::is_directory(path, ec);
}

std::optional<std::int64_t> fid_of(const OGRFeature& f) {
  const GIntBig fid = f.GetFID();
  if (fid == OGRNullFID) return std::nullopt;
  return fid;
}

std::string location_text(const Location& where) {
  std::string text = where.file;
  if (!where.layer.empty()) text += ":" + where.layer;
  if (where.fid) text += ":" + std::to_string(*where.fid);
  return text;
}

void Loader::note_gdal_warnings(const Location& where) {
  // GDAL warnings while reading (odd values, recoding failures, ...) are kept as problems, one
  // per distinct message, so nothing GDAL noticed is lost.
  std::vector<std::string> seen;
  for (const GdalErrorCollector::Message& m : errors_.take()) {
    if (m.level != CE_Warning) continue;
    if (std::find(seen.begin(), seen.end(), m.text) != seen.end()) continue;
    seen.push_back(m.text);
    result_.dataset.problems.report(Severity::warning, "gdal-warning", where, "GDAL: " + m.text);
  }
}

void Loader::add_feature(const OGRFeature& feature, LayerRole role, const Fields& fields,
                         const Location& where, StagedLayer& stage, LayerReport& report) {
  Dataset& d = result_.dataset;
  const OGRGeometry* geometry = feature.GetGeometryRef();
  switch (role) {
    case LayerRole::buildings: {
      std::optional<std::int64_t> id;
      // A text id (楼栋编号 "A-01-3") is not a number: GDAL would read it as 0 and every such
      // building would be a duplicate. The feature id becomes the bid and the text is kept as
      // the building's name when it has none (so a household table joins by it).
      std::string text_id;
      if (fields.id >= 0 && feature.IsFieldSetAndNotNull(fields.id)) {
        const OGRFieldType type = feature.GetFieldDefnRef(fields.id)->GetType();
        if (type == OFTInteger || type == OFTInteger64) {
          id = feature.GetFieldAsInteger64(fields.id);
        } else {
          const std::string text = trimmed(feature.GetFieldAsString(fields.id));
          if (const auto number = whole_number(text))
            id = *number;
          else
            text_id = text;
        }
      }
      // A point building: a tiny square in the layer's units stands in until projection, when
      // square_point_buildings() replaces it by a point_building_side_m square in metres.
      OGRPolygon placeholder;
      if (points_layer_ && geometry != nullptr && !geometry->IsEmpty()) {
        const OGRwkbGeometryType t = wkbFlatten(geometry->getGeometryType());
        const OGRPoint* point = nullptr;
        if (t == wkbPoint) point = geometry->toPoint();
        if (t == wkbMultiPoint && geometry->toMultiPoint()->getNumGeometries() == 1)
          point = geometry->toMultiPoint()->getGeometryRef(0);
        if (point != nullptr && std::isfinite(point->getX()) && std::isfinite(point->getY())) {
          constexpr double e = 1e-7;  // degrees (~1 cm) or metres: far below any real footprint
          OGRLinearRing ring;
          ring.addPoint(point->getX() - e, point->getY() - e);
          ring.addPoint(point->getX() + e, point->getY() - e);
          ring.addPoint(point->getX() + e, point->getY() + e);
          ring.addPoint(point->getX() - e, point->getY() + e);
          ring.closeRings();
          placeholder.addRing(&ring);
          geometry = &placeholder;
          point_buildings_.insert(where.file + '\x1f' + where.layer + '\x1f' +
                                  std::to_string(where.fid.value_or(-1)));
          ++point_building_layers_[where.file + '\x1f' + where.layer];
        }
      }
      const bool added = add_polygonal(
          d.buildings, geometry, where, id, "building", "buildings", stage, report,
          [&](Building& b) {
            b.name = text_of(feature, fields.name);
            if (!text_id.empty()) {
              if (b.name.empty()) b.name = text_id;
              auto [first, fresh] = text_ids_.emplace(text_id, where);
              if (!fresh)
                d.problems.report(Severity::warning, "duplicate-building-id", where,
                                  "building id '" + text_id + "' is also the id of building " +
                                      location_text(first->second) +
                                      "; both are kept, but a join by this id cannot tell them "
                                      "apart");
              auto& [count, sample] = text_id_layers_[where.file + '\x1f' + where.layer];
              if (count++ == 0) sample = text_id;
            }
            b.source_use = text_of(feature, fields.use);
            b.use = fields.use < 0 ? BuildingUse::residential : use_of(b.source_use, report);
            b.floors = std::max(0, int_of(feature, fields.floors));
            if (int_of(feature, fields.floors) < 0)
              d.problems.report(Severity::warning, "negative-floors", where,
                                "floors = " + text_of(feature, fields.floors) +
                                    " is negative; treated as unknown");
            b.height_m = std::max(0.0, number_of(feature, fields.height).value_or(0.0));
            b.units = std::max(0, int_of(feature, fields.units));
            const int households = int_of(feature, fields.households);
            // A value that is there but is no usable count (text, NaN, beyond int range) must
            // not turn into an estimate silently: the planner would never know their figure
            // was ignored.
            if (households == 0 && !text_of(feature, fields.households).empty() &&
                number_of(feature, fields.households).value_or(1.0) != 0.0)
              d.problems.report(Severity::warning, "unreadable-households", where,
                                "households = '" + text_of(feature, fields.households) +
                                    "' is not a usable count (a whole number up to 10^9); "
                                    "estimated from the footprint instead");
            if (households < 0)
              d.problems.report(Severity::warning, "negative-households", where,
                                "households = " + std::to_string(households) +
                                    " is negative; estimated from the footprint instead");
            b.households = std::max(0, households);
            b.compound_ref = text_of(feature, fields.compound);
            b.community_ref = text_of(feature, fields.community);
          });
      if (added && id) field_ids_.push_back({*id, d.buildings.size() - 1, id_fields_.size() - 1});
      // One run of a building split by units (our plan's buildings layer): merged with the
      // building's other runs once projected (merge_unit_runs).
      if (added && id && where.fid) {
        const int unit_range = feature.GetDefnRef()->GetFieldIndex("unit_range");
        if (unit_range >= 0 && !text_of(feature, unit_range).empty())
          unit_run_rows_.emplace(
              where.file + '\x1f' + where.layer + '\x1f' + std::to_string(*where.fid),
              where.file + '\x1f' + where.layer + '\x1f' + std::to_string(*id));
      }
      return;
    }
    case LayerRole::compounds:
      add_polygonal(d.compounds, geometry, where, std::nullopt, "compound", "compounds", stage,
                    report, [&](Compound& c) {
                      c.ref = text_of(feature, fields.ref);
                      c.name = text_of(feature, fields.name);
                      c.management = management_from(text_of(feature, fields.management));
                    });
      return;
    case LayerRole::communities:
      add_polygonal(d.communities, geometry, where, std::nullopt, "community", "communities", stage,
                    report, [&](Community& c) {
                      c.code = text_of(feature, fields.code);
                      c.name = text_of(feature, fields.name);
                    });
      return;
    case LayerRole::water:
      add_polygonal(d.water, geometry, where, std::nullopt, "water area", "water", stage, report,
                    [&](WaterArea& w) { w.name = text_of(feature, fields.name); });
      return;
    case LayerRole::grids:
      add_polygonal(
          d.existing_grids, geometry, where, std::nullopt, "grid", "grids", stage, report,
          [&](ExistingGrid& g) {
            g.code = text_of(feature, fields.code);
            g.name = text_of(feature, fields.name);
            g.parent_code = text_of(feature, fields.parent);
            const std::string level = text_of(feature, fields.level);
            if (const auto parsed = level_from(level)) {
              g.level = *parsed;
            } else if (const auto named =
                           level.empty() ? level_from_layer_name(where.layer) : std::nullopt) {
              g.level = *named;
            } else {
              g.level = g.parent_code.empty() ? GridLevel::large : GridLevel::micro;
              if (!level.empty())
                d.problems.report(
                    Severity::warning, "unknown-grid-level", where,
                    "grid level '" + level +
                        "' is not large or micro (大网格/微网格, 一级网格/二级网格, "
                        "1/2); taken as " +
                        (g.level == GridLevel::large ? "large (no parent code)"
                                                     : "micro (it has a parent code)") +
                        ". Fix the value, or name the level field with "
                        "--field grids.level=FIELD");
            }
            g.locked = flag_of(feature, fields.locked);
            // Our plan.gpkg: why the grid is outside its household bounds.
            g.bounds_reason = text_of(feature, feature.GetDefnRef()->GetFieldIndex("bounds_why"));
          });
      return;
    case LayerRole::stations: {
      Station s;
      bool from_centroid = false;
      const GeomIssue issue = read_point(geometry, s.location, from_centroid);
      if (issue != GeomIssue::none) return skip(where, issue, report, "station");
      if (from_centroid)
        d.problems.report(Severity::info, "station-from-centroid", where,
                          "station given as an area or several points; its centroid is used");
      s.source = where;
      s.id = fields.id >= 0 && feature.IsFieldSetAndNotNull(fields.id)
                 ? feature.GetFieldAsInteger64(fields.id)
                 : where.fid.value_or(static_cast<std::int64_t>(d.stations.size()));
      s.name = text_of(feature, fields.name);
      const std::string tier = text_of(feature, fields.tier);
      if (const auto parsed = tier_from(tier)) {
        s.tier = *parsed;
      } else if (!tier.empty()) {
        d.problems.report(Severity::warning, "unknown-station-tier", where,
                          "station tier '" + tier +
                              "' is not county_centre, community_centre or compound_station; "
                              "taken as compound_station");
      }
      s.floor_m2 = std::max(0.0, number_of(feature, fields.floor_m2).value_or(0.0));
      sample(stage, s.location);
      d.stations.push_back(std::move(s));
      ++report.loaded["stations"];
      return;
    }
    case LayerRole::roads:
    case LayerRole::walkways:
    case LayerRole::rivers:
    case LayerRole::rail: {
      int dropped_parts = 0;
      const GeomIssue issue = read_lines(geometry, line_scratch_, dropped_parts);
      if (issue != GeomIssue::none) return skip(where, issue, report, "line");
      note_dropped_parts(where, dropped_parts);
      Line line;
      line.source = where;
      line.id = where.fid.value_or(static_cast<std::int64_t>(d.lines.size()));
      line.cls = text_of(feature, fields.cls);
      line.name = text_of(feature, fields.name);
      line.bridge = flag_of(feature, fields.bridge);
      line.tunnel = flag_of(feature, fields.tunnel);
      const char* kind = "roads";
      if (role == LayerRole::rivers) {
        line.kind = LineKind::river;
        line.walkable = false;
        kind = "rivers";
      } else if (role == LayerRole::rail) {
        line.kind = LineKind::rail;
        line.walkable = false;
        kind = "rail";
      } else if (role == LayerRole::walkways) {
        if (line.cls.empty()) line.cls = "footway";
        kind = "walkways";
      } else {
        line.walkable = highway_walkable(line.cls);
      }
      sample(stage, line_scratch_.front().front());
      for (LineString& part : line_scratch_) {
        d.lines.push_back(line);
        d.lines.back().geometry = std::move(part);
      }
      ++report.loaded[kind];
      return;
    }
    case LayerRole::unknown:
    case LayerRole::osm:
      return;
  }
}

void Loader::read_layer(OGRLayer& layer, const std::string& path, LayerReport& report) {
  const std::string layer_name = layer.GetName();
  const LayerRole role = report.role;
  const Location layer_location{path, layer_name, std::nullopt};
  OGRFeatureDefn& defn = *layer.GetLayerDefn();
  if (role == LayerRole::unknown) {
    result_.dataset.problems.report(
        Severity::info, "layer-ignored", layer_location,
        "layer '" + layer_name +
            "' has no recognised role and is not loaded; give it one with "
            "--role " +
            layer_name + "=buildings (or compounds, roads, ...)");
    return;
  }
  if (report.role_source == "parts-dropped") {
    const long long count = layer.GetFeatureCount(TRUE);
    report.skipped = count > 0 ? static_cast<std::size_t>(count) : 0;
    result_.dataset.problems.report(
        Severity::info, "building-parts-dropped", layer_location,
        "layer '" + layer_name + "' holds building parts: its " + std::to_string(count) +
            " features are dropped in favour of their parent buildings in the other buildings "
            "layer (loading both would count households twice); give it --role " +
            layer_name + "=buildings to load it anyway");
    return;
  }
  StagedLayer stage;
  stage.label = path + ":" + layer_name;
  stage.srs = layer_srs(layer, path);
  const Fields fields = resolve_fields(defn, role, path, layer_name, report);
  if (role == LayerRole::buildings && fields.id >= 0)
    id_fields_.push_back(defn.GetFieldDefn(fields.id)->GetNameRef());

  points_layer_ = wkbFlatten(layer.GetGeomType()) == wkbPoint ||
                  wkbFlatten(layer.GetGeomType()) == wkbMultiPoint;
  if (!declared_type_fits(layer.GetGeomType(), role)) {
    const long long count = layer.GetFeatureCount(TRUE);
    report.skipped = count > 0 ? static_cast<std::size_t>(count) : 0;
    result_.dataset.problems.report(
        Severity::error, "wrong-geometry-type", layer_location,
        "layer '" + layer_name + "' holds " + OGRGeometryTypeToName(layer.GetGeomType()) +
            " geometries but role " + to_string(role) + " needs " + family_name(role) + "; its " +
            std::to_string(count) +
            " features are not loaded (give the layer another role with "
            "--role)");
    return;
  }

  // Only read the fields we use: drivers such as GeoPackage then fetch fewer columns.
  std::vector<std::string> ignored_names;
  for (int i = 0; i < defn.GetFieldCount(); ++i) {
    bool used = false;
    for (const auto& [key, field] : report.field_mapping)
      used = used || field == defn.GetFieldDefn(i)->GetNameRef();
    // Our own plan.gpkg's fields read by name: a building's run of units (buildings) and why a
    // grid is outside its household bounds (grids).
    const std::string_view name = defn.GetFieldDefn(i)->GetNameRef();
    used = used || name == "unit_range" || name == "bounds_why";
    if (!used) ignored_names.emplace_back(defn.GetFieldDefn(i)->GetNameRef());
  }
  ignored_names.emplace_back("OGR_STYLE");
  std::vector<const char*> ignored;
  for (const std::string& name : ignored_names) ignored.push_back(name.c_str());
  ignored.push_back(nullptr);
  layer.SetIgnoredFields(ignored.data());

  stage.begin = sizes_of(result_.dataset);
  const long long total = layer.GetFeatureCount(FALSE);
  const std::string stage_name = "reading " + stage.label;
  const std::size_t failures_before = errors_.failures();
  std::size_t unreadable = 0;
  std::size_t failures_in_features = 0;
  bool io_failure = false;
  std::vector<Problem> unreadable_problems;
  std::optional<std::int64_t> first_unreadable;
  layer.ResetReading();
  bool check_encoding = report.encoding.empty() && report.encoding_from.empty();
  if (check_encoding) {
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
      if (valid_utf8(defn.GetFieldDefn(i)->GetNameRef())) continue;
      check_encoding = false;
      result_.dataset.problems.report(
          Severity::warning, "unknown-encoding", layer_location,
          "field names are not UTF-8 and the file does not say its encoding (no .cpg); pass "
          "--encoding GBK (or GB18030, the encoding it was written in)");
      break;
    }
  }
  // A driver that declares its strings UTF-8 (GeoJSON, GeoPackage, FlatGeobuf, ...) passes other
  // bytes through unchanged: a GeoJSON saved as GBK loads with garbled names. Check the text
  // fields that are read.
  std::vector<int> text_fields;
  if (report.encoding_from == "driver")
    for (const auto& [key, field] : report.field_mapping)
      if (const int i = defn.GetFieldIndex(field.c_str());
          i >= 0 && defn.GetFieldDefn(i)->GetType() == OFTString &&
          std::find(text_fields.begin(), text_fields.end(), i) == text_fields.end())
        text_fields.push_back(i);
  NotUtf8 not_utf8;
  while (true) {
    const std::size_t failures_at = errors_.failures();
    OGRFeatureUniquePtr feature(layer.GetNextFeature());
    if (!feature) break;
    ++report.read;
    const Location where{path, layer_name, fid_of(*feature)};
    if (errors_.failures() != failures_at) {
      // GDAL failed on this feature but went on: list it, and decide after the layer whether
      // the file as a whole is damaged.
      ++unreadable;
      failures_in_features += errors_.failures() - failures_at;
      if (!first_unreadable) first_unreadable = where.fid.value_or(-1);
      io_failure = io_failure || looks_like_io_failure(errors_.last_failure());
      ++report.skipped;
      unreadable_problems.push_back(
          {Severity::error, "unreadable-feature", where,
           "GDAL could not read this feature (" + errors_.last_failure() + "); not loaded"});
      continue;
    }
    add_feature(*feature, role, fields, where, stage, report);
    for (const int i : text_fields) {
      if (!feature->IsFieldSetAndNotNull(i)) continue;
      const char* text = feature->GetFieldAsString(i);
      if (valid_utf8(text)) continue;
      not_utf8.add(where.fid.value_or(-1), defn.GetFieldDefn(i)->GetNameRef(), text);
      break;
    }
    if (check_encoding && fields.name >= 0) {
      const std::string name = text_of(*feature, fields.name);
      if (!valid_utf8(name)) {
        check_encoding = false;
        result_.dataset.problems.report(
            Severity::warning, "unknown-encoding", layer_location,
            "text such as the name of feature " + std::to_string(where.fid.value_or(-1)) +
                " is not UTF-8 and the file does not say its encoding (no .cpg); pass "
                "--encoding GBK (or GB18030, the encoding it was written in)");
      }
    }
    if ((report.read & 0x1fff) == 0)
      progress_.update(stage_name, total > 0 ? static_cast<double>(report.read) / total : 0.0);
  }
  // A failure outside any feature (reading stopped), an I/O failure, or mostly unreadable
  // features: the file is damaged and nothing of this layer is used.
  const std::size_t failures = errors_.failures() - failures_before;
  const bool damaged =
      failures > failures_in_features || io_failure || 2 * unreadable > report.read;
  if (damaged) {
    const std::string gdal_text = errors_.failure_text();
    throw InputError(
        path + ": layer '" + layer_name + "': " +
        (unreadable > 0 ? std::to_string(unreadable) + " of " + std::to_string(report.read) +
                              " features could not be read (first at fid " +
                              std::to_string(first_unreadable.value_or(-1)) + ")"
                        : std::string("reading stopped with an error")) +
        ". GDAL says: " + (gdal_text.empty() ? errors_.first_failure() : gdal_text) +
        ". The file looks truncated or corrupt: copy or export it again (for a Shapefile, "
        "the .shp, .shx and .dbf must all be complete).");
  }
  for (Problem& p : unreadable_problems) result_.dataset.problems.report(std::move(p));
  if (not_utf8.count > 0)
    result_.dataset.problems.report(Severity::warning, "text-not-utf8",
                                    {path, layer_name, not_utf8.fids.front()},
                                    not_utf8.message(driver_));
  if (role == LayerRole::buildings && fields.use >= 0)
    note_unknown_uses(layer_location, report, defn.GetFieldDefn(fields.use)->GetNameRef());
  note_gdal_warnings(layer_location);
  stage.end = sizes_of(result_.dataset);
  staged_.push_back(std::move(stage));
  progress_.update(stage_name, 1.0);
}

void Loader::load_input(const InputSpec& input) {
  const std::string& path = input.path;
  std::error_code ec;
  if (path.rfind("/vsi", 0) != 0 && !std::filesystem::exists(path, ec))
    throw InputError(path +
                     ": file not found; check the path (relative paths are taken from the "
                     "current directory)");
  std::vector<std::string> open_option_texts;
  if (!options_.encoding.empty() && is_shapefile_path(path))
    open_option_texts.push_back("ENCODING=" + options_.encoding);
  std::vector<const char*> open_options;
  for (const std::string& o : open_option_texts) open_options.push_back(o.c_str());
  open_options.push_back(nullptr);

  errors_.take();
  GDALDatasetUniquePtr dataset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                                 nullptr, open_options.data(), nullptr));
  if (!dataset) {
    const std::string gdal_text = errors_.failure_text();
    if (gdal_text.find("too complex/large") != std::string::npos)
      throw InputError(
          path + ": a feature of this GeoJSON is too large to read within the memory available (" +
          std::to_string(geojson_feature_limit_mb()) +
          " MB per feature; GDAL: " + gdal_text.substr(0, gdal_text.find(". You may define")) +
          "). Simplify that feature, convert the file to GeoPackage or FlatGeobuf (ogr2ogr -f "
          "GPKG out.gpkg in.geojson, run where more memory is available), or give GridPlanner "
          "more memory.");
    throw InputError(path + ": cannot open as vector data" +
                     (gdal_text.empty() ? std::string() : " (GDAL: " + gdal_text + ")") +
                     ". GridPlanner reads Shapefile (.shp with its .shx and .dbf), GeoPackage, "
                     "GeoJSON, FlatGeobuf and OpenStreetMap .osm/.pbf; check the file is one of "
                     "these and complete.");
  }
  // A Shapefile that does not say its encoding and whose text is not UTF-8 but clean GB18030
  // is opened again as GB18030 (said in the problems; --encoding overrides).
  bool encoding_detected = false;
  if (options_.encoding.empty() && dataset->GetDriver() &&
      std::string_view(dataset->GetDriver()->GetDescription()) == "ESRI Shapefile" &&
      shapefile_text_is_gb18030(*dataset)) {
    encoding_detected = true;
    open_option_texts = {"ENCODING=GB18030"};
    open_options = {open_option_texts.front().c_str(), nullptr};
    dataset.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                    open_options.data(), nullptr));
    if (!dataset)
      throw InputError(path + ": cannot open again as GB18030: " + errors_.failure_text());
    result_.dataset.problems.report(
        Severity::info, "encoding-detected", {path, "", std::nullopt},
        "the file does not say its text encoding (no .cpg file, no DBF language byte) and its "
        "text is not UTF-8; read as GB18030 (GBK), which decodes it cleanly. Pass --encoding "
        "to read it otherwise");
  }
  SourceReport source;
  source.path = path;
  source.driver = dataset->GetDriver() ? dataset->GetDriver()->GetDescription() : "";
  driver_ = source.driver;
  result_.dataset.sources.push_back({path, source.driver, ""});
  const bool osm = source.driver == "OSM";
  const bool shapefile = source.driver == "ESRI Shapefile";

  std::vector<OGRLayer*> layers;
  for (int i = 0; i < dataset->GetLayerCount(); ++i) {
    OGRLayer* layer = dataset->GetLayer(i);
    if (input.layer.empty() || input.layer == layer->GetName()) layers.push_back(layer);
  }
  if (layers.empty() && !input.layer.empty()) {
    for (int i = 0; i < dataset->GetLayerCount(); ++i)
      if (iequals(input.layer, dataset->GetLayer(i)->GetName()))
        layers.push_back(dataset->GetLayer(i));
    if (layers.empty()) {
      std::string names;
      for (int i = 0; i < dataset->GetLayerCount(); ++i)
        names += std::string(names.empty() ? "" : ", ") + dataset->GetLayer(i)->GetName();
      throw InputError(path + ": has no layer '" + input.layer +
                       "'. Layers it has: " + (names.empty() ? "(none)" : names));
    }
  }

  if (osm) {
    // The OSM reader always takes buildings, landuse, highways and waterways from the
    // multipolygons and lines layers together, whatever layer was named.
    layers.clear();
    for (int i = 0; i < dataset->GetLayerCount(); ++i) layers.push_back(dataset->GetLayer(i));
  }
  const std::string stem = std::filesystem::path(path).stem().string();
  for (OGRLayer* layer : layers) {
    LayerReport report;
    report.name = layer->GetName();
    if (osm) {
      // Only multipolygons and lines hold what GridPlanner uses from OSM.
      const bool used = report.name == "multipolygons" || report.name == "lines";
      report.role = used ? LayerRole::osm : LayerRole::unknown;
      report.role_source = used ? "osm" : "osm-unused";
    } else if (input.role) {
      report.role = *input.role;
      report.role_source = "option";
    } else if (const auto it = options_.layer_roles.find(report.name);
               it != options_.layer_roles.end()) {
      report.role = it->second;
      report.role_source = "option";
    } else {
      report.role = detect_role(report.name);
      if (report.role == LayerRole::unknown && layers.size() == 1) report.role = detect_role(stem);
      report.role_source = report.role == LayerRole::unknown ? "none" : "name";
      // building_parts (Overture, OSM-derived exports): parts of the buildings of another layer.
      if (report.role == LayerRole::buildings &&
          ascii_lower(report.name).find("part") != std::string::npos)
        report.role_source = "name-parts";
    }
    report.geometry_type = OGRGeometryTypeToName(layer->GetGeomType());
    if (!osm) report.feature_count = layer->GetFeatureCount(TRUE);
    if (const OGRSpatialReference* srs = layer->GetSpatialRef()) {
      report.crs_name = detail::srs_name(*srs);
      report.crs_epsg = detail::srs_epsg(*srs);
    }
    const OGRFeatureDefn& defn = *layer->GetLayerDefn();
    for (int i = 0; i < defn.GetFieldCount(); ++i)
      report.fields.push_back(
          {defn.GetFieldDefn(i)->GetNameRef(), field_type_name(*defn.GetFieldDefn(i))});
    if (shapefile) {
      const char* encoding = layer->GetMetadataItem("SOURCE_ENCODING", "SHAPEFILE");
      report.encoding = encoding ? encoding : "";
      if (!options_.encoding.empty())
        report.encoding_from = "option";
      else if (encoding_detected)
        report.encoding_from = "detected";
      else if (layer->GetMetadataItem("ENCODING_FROM_CPG", "SHAPEFILE"))
        report.encoding_from = "cpg";
      else if (layer->GetMetadataItem("ENCODING_FROM_LDID", "SHAPEFILE"))
        report.encoding_from = "ldid";
    } else if (osm || layer->TestCapability(OLCStringsAsUTF8)) {
      report.encoding = "UTF-8";
      report.encoding_from = "driver";
    }
    source.layers.push_back(std::move(report));
  }

  // A building-parts layer is dropped when the parent buildings are loaded too (from this file
  // or an earlier input): each part lies inside its parent, and would count its households
  // twice. Alone, its parts are the only footprints there are and are loaded as buildings.
  const bool parents_present =
      !result_.dataset.buildings.empty() ||
      std::any_of(source.layers.begin(), source.layers.end(), [](const LayerReport& r) {
        return r.role == LayerRole::buildings && r.role_source != "name-parts";
      });
  for (LayerReport& r : source.layers)
    if (r.role_source == "name-parts") r.role_source = parents_present ? "parts-dropped" : "name";

  if (osm) {
    // Undo point for a second reading of the same file.
    const Sizes sizes_before = sizes_of(result_.dataset);
    const ProblemReporter problems_before = result_.dataset.problems;
    const std::vector<LayerReport> reports_before = source.layers;
    try {
      read_osm(*dataset, path, source);
    } catch (const OsmIdsNotSorted& unsorted) {
      Dataset& d = result_.dataset;
      d.buildings.resize(sizes_before[kBuildings]);
      d.compounds.resize(sizes_before[kCompounds]);
      d.communities.resize(sizes_before[kCommunities]);
      d.lines.resize(sizes_before[kLines]);
      d.water.resize(sizes_before[kWater]);
      d.stations.resize(sizes_before[kStations]);
      d.existing_grids.resize(sizes_before[kGrids]);
      d.problems = problems_before;
      source.layers = reports_before;
      errors_.take();
      dataset.reset();
      CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", "NO");
      dataset.reset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                      open_options.data(), nullptr));
      try {
        if (!dataset) throw InputError(path + ": cannot open again: " + errors_.failure_text());
        read_osm(*dataset, path, source);
      } catch (const OsmIdsNotSorted& again) {
        CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", nullptr);
        throw InputError(path +
                         ": reading the OpenStreetMap file failed even without GDAL's "
                         "node index: " +
                         again.gdal_text + ". Sort it with `osmium sort` and load it again.");
      } catch (...) {
        CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", nullptr);
        throw;
      }
      CPLSetThreadLocalConfigOption("OSM_USE_CUSTOM_INDEXING", nullptr);
      d.problems.report(Severity::info, "osm-ids-not-sorted", {path, "", std::nullopt},
                        "element ids are not in increasing order (as JOSM and osmWebWizard "
                        "write them; GDAL: " +
                            unsorted.gdal_text.substr(0, unsorted.gdal_text.find('\n')) +
                            "); read again with GDAL's OSM_USE_CUSTOM_INDEXING=NO");
    }
  } else {
    for (std::size_t i = 0; i < layers.size(); ++i) read_layer(*layers[i], path, source.layers[i]);
  }
  result_.sources.push_back(std::move(source));
}

void Loader::check_households() const {
  const Dataset& d = result_.dataset;
  if (!options_.require_households || d.buildings.empty() || d.total_households() > 0) return;
  std::string layers;
  for (const SourceReport& s : result_.sources)
    for (const LayerReport& l : s.layers) {
      const auto loaded = l.loaded.find("buildings");
      if (loaded == l.loaded.end()) continue;
      const auto use = l.field_mapping.find("use");
      const auto households = l.field_mapping.find("households");
      layers += "\n  " + s.path + ": layer '" + l.name + "': " + std::to_string(loaded->second) +
                " buildings; use field '" +
                (use != l.field_mapping.end()
                     ? use->second
                     : std::string(l.role == LayerRole::osm ? "building" : "(none)")) +
                "' values: " + value_counts(l.use_values, 10, false) + "; households field: " +
                (households != l.field_mapping.end() ? "'" + households->second + "'"
                                                     : std::string("(none)"));
    }
  throw InputError(
      "no households: " + std::to_string(d.buildings.size()) +
      " buildings were loaded but none holds a household (none is residential or mixed, or "
      "none is large enough for a dwelling)." +
      layers +
      "\nMap the field holding the use with --field buildings.use=FIELD, give household counts "
      "with --field buildings.households=FIELD, or set input.unknown_use = \"residential\" in "
      "the scenario for values that do not say the use.");
}

namespace {
std::string point_key(const Location& where) {
  return where.file + '\x1f' + where.layer + '\x1f' + std::to_string(where.fid.value_or(-1));
}
}  // namespace

void Loader::report_duplicate_ids() {
  for (const auto& [key, entry] : text_id_layers_) {
    const std::size_t cut = key.find('\x1f');
    result_.dataset.problems.report(
        Severity::info, "text-building-ids",
        {key.substr(0, cut), key.substr(cut + 1), std::nullopt},
        std::to_string(entry.first) + " buildings have a text id (e.g. '" + entry.second +
            "'): the text is kept as the building's name where it has none, and the feature id "
            "is its bid (ids must be whole numbers to be bids)");
  }
  // Two buildings with the same value in the id field: both are kept (each is located by
  // file:layer:fid), but the plan's building table and any join by id cannot tell them apart.
  Dataset& d = result_.dataset;
  std::vector<FieldId> ids = std::move(field_ids_);
  field_ids_ = {};
  // The runs of a building split by units share its id by design: one building (merged later).
  std::erase_if(ids, [&](const FieldId& f) {
    return f.building < d.buildings.size() &&
           unit_run_rows_.contains(point_key(d.buildings[f.building].source));
  });
  std::sort(ids.begin(), ids.end(), [](const FieldId& a, const FieldId& b) {
    return a.id != b.id ? a.id < b.id : a.building < b.building;
  });
  std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (building, first with its id)
  for (std::size_t i = 1, first = 0; i < ids.size(); ++i) {
    if (ids[i].id != ids[i - 1].id) {
      first = i;
      continue;
    }
    repeats.emplace_back(i, first);
  }
  if (repeats.empty()) return;
  std::sort(repeats.begin(), repeats.end(), [&ids](const auto& a, const auto& b) {
    return ids[a.first].building < ids[b.first].building;
  });
  // A layer whose id field is all zeros must not bury every other problem: the first ones are
  // listed, the rest counted.
  constexpr std::size_t kListed = 20;
  for (std::size_t r = 0; r < repeats.size() && r < kListed; ++r) {
    const FieldId& dup = ids[repeats[r].first];
    const FieldId& first = ids[repeats[r].second];
    d.problems.report(Severity::warning, "duplicate-building-id", d.buildings[dup.building].source,
                      "building id " + std::to_string(dup.id) + " (field '" +
                          id_fields_[dup.field] + "') is also the id of building " +
                          location_text(d.buildings[first.building].source) +
                          "; both kept, but the plan's building table and any join by id "
                          "cannot tell them apart — give each building its own id in the source");
  }
  if (repeats.size() > kListed) {
    const FieldId& next = ids[repeats[kListed].first];
    d.problems.report(Severity::warning, "duplicate-building-id", d.buildings[next.building].source,
                      std::to_string(repeats.size() - kListed) +
                          " more buildings, from this one on, repeat the id of an earlier "
                          "building (not listed one by one); give each building its own id in "
                          "the source");
  }
}

namespace {
Ring square_ring(Point centre, double half) {
  return {{centre.x - half, centre.y - half},
          {centre.x + half, centre.y - half},
          {centre.x + half, centre.y + half},
          {centre.x - half, centre.y + half},
          {centre.x - half, centre.y - half}};
}
}  // namespace

void Loader::merge_unit_runs() {
  if (unit_run_rows_.empty()) return;
  Dataset& d = result_.dataset;
  // The rows of each building, in load order: the first row becomes the building.
  std::map<std::string, std::vector<std::size_t>> rows_of;
  for (std::size_t b = 0; b < d.buildings.size(); ++b)
    if (const auto it = unit_run_rows_.find(point_key(d.buildings[b].source));
        it != unit_run_rows_.end())
      rows_of[it->second].push_back(b);
  std::vector<char> merged(d.buildings.size(), 0);
  std::size_t buildings = 0, rows = 0;
  geo::GeosContext ctx;
  for (const auto& [key, members] : rows_of) {
    if (members.size() < 2) continue;
    Building& whole = d.buildings[members.front()];
    MultiPolygon strips;
    for (std::size_t r : members) {
      const Building& run = d.buildings[r];
      strips.insert(strips.end(), run.footprint.begin(), run.footprint.end());
      if (r == members.front()) continue;
      whole.households += run.households;  // each row holds its run's households
      whole.households_estimated = whole.households_estimated || run.households_estimated;
      merged[r] = 1;
    }
    // The strips share their cut edges, a few nanometres apart after a round trip through
    // WGS84: unioned on a micrometre grid (metres, working CRS) they close into one footprint.
    try {
      geo::GeomPtr parts = geo::to_geos(ctx, strips);
      geo::GeomPtr one = geo::own(ctx, GEOSUnaryUnionPrec_r(ctx.handle(), parts.get(), 1e-6),
                                  "union of a building's runs");
      MultiPolygon footprint = geo::to_multipolygon(ctx, one.get());
      if (!footprint.empty())
        whole.footprint = std::move(footprint);
      else
        whole.footprint = std::move(strips);
    } catch (const geo::GeosError&) {
      whole.footprint = std::move(strips);  // the strips side by side: still the whole footprint
    }
    ++buildings;
    rows += members.size();
  }
  if (buildings == 0) return;
  std::size_t b = 0;
  std::erase_if(d.buildings, [&](const Building&) { return merged[b++] != 0; });
  d.problems.report(Severity::info, "unit-runs-merged", {},
                    std::to_string(rows) + " rows of " + std::to_string(buildings) +
                        " buildings split by units (field unit_range, one row per run of "
                        "units, the building's id on each) are read as one building each, with "
                        "the households of all its runs");
}

void Loader::square_point_buildings() {
  if (point_buildings_.empty()) return;
  Dataset& d = result_.dataset;
  if (!(options_.point_building_side_m > 0.0))
    throw ConfigError("point_building_side_m must be positive (metres), not " +
                      std::to_string(options_.point_building_side_m));
  const double half = options_.point_building_side_m / 2.0;
  for (Building& b : d.buildings) {
    if (!point_buildings_.count(point_key(b.source))) continue;
    const Point c = centroid(b.footprint);
    b.footprint = {Polygon{square_ring(c, half), {}}};
  }
  for (const auto& [key, count] : point_building_layers_) {
    const std::size_t cut = key.find('\x1f');
    const std::string side = std::to_string(
                          static_cast<int>(std::lround(options_.point_building_side_m))),
                      area_m2 = std::to_string(static_cast<int>(std::lround(
                          options_.point_building_side_m * options_.point_building_side_m)));
    d.problems.report(Severity::info, "point-buildings",
                      {key.substr(0, cut), key.substr(cut + 1), std::nullopt},
                      std::to_string(count) + " buildings are points: each is planned as a " +
                          side + " m × " + side +
                          " m square centred on its point (tessellation cell as for a footprint). "
                          "Without a household count one is estimated as a " +
                          area_m2 + " m² footprint × its floors (" +
                          std::to_string(options_.households.default_floors) +
                          " when unknown); give the households field (户数) for real figures");
  }
}

void Loader::enlarge_point_buildings() {
  if (point_buildings_.empty()) return;
  // A given count the square cannot hold (validation's absurd-households test: more than
  // max_households_per_100m2 per 100 m² of floor area) grows the square to the smallest that
  // holds it, so a 120-household tower point is not reported as absurd for our own square.
  const double per_100m2 = options_.households.max_households_per_100m2;
  if (!(per_100m2 > 0.0)) return;
  for (Building& b : result_.dataset.buildings) {
    if (b.households_estimated || b.households <= 0) continue;
    if (!point_buildings_.count(point_key(b.source))) continue;
    const double needed_m2 = b.households * 100.0 / per_100m2 / std::max(1, b.floors);
    const double side = std::sqrt(needed_m2) * 1.001;  // a hair over, for rounding
    if (side * side <= area(b.footprint)) continue;
    b.footprint = {Polygon{square_ring(centroid(b.footprint), side / 2.0), {}}};
  }
}

void Loader::apply_household_table() {
  const LoadOptions::HouseholdTable& t = options_.household_table;
  if (t.path.empty()) return;
  if (t.join_by != "id" && t.join_by != "name")
    throw ConfigError("household table join '" + t.join_by + "': use id or name");
  Dataset& d = result_.dataset;
  const std::string ext = ascii_lower(std::filesystem::path(t.path).extension().string());
  // Spreadsheets: the first row is the header even when every column holds text (GDAL 3.6's
  // XLSX/ODS drivers take this as a configuration option, not an open option). Their feature ids
  // are then sheet rows (header = row 1); CSV ids count data rows from 1.
  const bool sheet = ext == ".xlsx" || ext == ".xlsm" || ext == ".ods";
  // The drivers read the option lazily, when the sheet is first parsed: it stays set until the
  // end of this function.
  struct HeaderOption {
    const char* key;
    std::string saved;
    explicit HeaderOption(const char* k) : key(k), saved(CPLGetThreadLocalConfigOption(k, "")) {
      CPLSetThreadLocalConfigOption(key, "FORCE");
    }
    ~HeaderOption() { CPLSetThreadLocalConfigOption(key, saved.empty() ? nullptr : saved.c_str()); }
    HeaderOption(const HeaderOption&) = delete;
    HeaderOption& operator=(const HeaderOption&) = delete;
  };
  const HeaderOption xlsx_headers("OGR_XLSX_HEADERS"), ods_headers("OGR_ODS_HEADERS");
  GdalErrorCollector errors;
  GDALDatasetUniquePtr table(GDALDataset::Open(t.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                               nullptr, nullptr, nullptr));
  if (!table)
    throw InputError(
        "household table '" + t.path + "': cannot open it (" +
        (std::filesystem::exists(t.path) ? errors.failure_text() : std::string("no such file")) +
        "); give a CSV or XLSX file with a building key column and a households "
        "column");
  OGRLayer* layer = t.layer.empty() ? table->GetLayer(0) : table->GetLayerByName(t.layer.c_str());
  if (!layer)
    throw InputError("household table '" + t.path + "': no layer or sheet '" + t.layer + "'");
  OGRFeatureDefn& defn = *layer->GetLayerDefn();
  std::string fields;
  for (int i = 0; i < defn.GetFieldCount(); ++i)
    fields += (i ? ", " : "") + std::string(defn.GetFieldDefn(i)->GetNameRef());
  auto column = [&](const std::string& named, std::initializer_list<const char*> aliases,
                    const char* what, const char* option) {
    if (!named.empty()) {
      const int i = defn.GetFieldIndex(named.c_str());
      if (i < 0)
        throw InputError("household table '" + t.path + "': no column '" + named +
                         "' (columns: " + fields + ")");
      return i;
    }
    for (const char* alias : aliases)
      for (int i = 0; i < defn.GetFieldCount(); ++i)
        if (ascii_lower(trimmed(defn.GetFieldDefn(i)->GetNameRef())) == ascii_lower(alias))
          return i;
    throw InputError("household table '" + t.path + "': no " + what +
                     " column (columns: " + fields + "); name it with " + option);
  };
  const bool by_id = t.join_by == "id";
  const int key = by_id ? column(t.key_column, {"bid", "id", "building_id", "楼栋编号", "编号"},
                                 "building id", "household_table.key_column")
                        : column(t.key_column, {"address", "name", "地址", "楼栋地址", "名称"},
                                 "address", "household_table.key_column");
  const int households = column(t.households_column, {"households", "hh", "户数", "住户数", "户"},
                                "households", "household_table.households_column");

  std::map<std::string, std::vector<std::size_t>> building_of;
  for (std::size_t b = 0; b < d.buildings.size(); ++b)
    building_of[by_id ? std::to_string(d.buildings[b].id) : trimmed(d.buildings[b].name)].push_back(
        b);
  const std::string layer_name = layer->GetName();
  std::size_t matched = 0, rows = 0, unmatched = 0, unusable = 0;
  std::string first_unmatched;
  // Problems name the row as a spreadsheet or editor shows it: the header is row 1.
  auto where_of = [&](const OGRFeature& f) { return Location{t.path, layer_name, f.GetFID()}; };
  for (auto& feature : *layer) {
    ++rows;
    const std::int64_t row = sheet ? feature->GetFID() : feature->GetFID() + 1;
    std::string k = trimmed(feature->GetFieldAsString(key));
    if (by_id) {
      if (const auto n = whole_number(k)) k = std::to_string(*n);
    }
    const std::string value = trimmed(feature->GetFieldAsString(households));
    const auto count = whole_number(value);
    if (!count || *count < 0 || *count > 1000000000) {
      ++unusable;
      d.problems.report(Severity::warning, "household-table-unreadable", where_of(*feature),
                        "row " + std::to_string(row) + ": households '" + value +
                            "' is not a whole number ≥ 0; the row is not used");
      continue;
    }
    const auto found = building_of.find(k);
    if (k.empty() || found == building_of.end()) {
      ++unmatched;
      d.problems.report(Severity::warning, "household-table-unmatched", where_of(*feature),
                        "row " + std::to_string(row) + ": " +
                            (by_id ? "building id '" : "address '") + k +
                            "' matches no loaded building; its " + value +
                            " households are not counted. Check the key, or the join (" +
                            (by_id ? "by id: the buildings' id field" : "by name/address") + ")");
      continue;
    }
    if (found->second.size() > 1) {
      ++unusable;
      d.problems.report(Severity::warning, "household-table-ambiguous", where_of(*feature),
                        "row " + std::to_string(row) + ": key '" + k + "' matches " +
                            std::to_string(found->second.size()) +
                            " buildings; the row is not used (make the keys unique)");
      continue;
    }
    Building& b = d.buildings[found->second.front()];
    b.households = static_cast<int>(*count);
    b.households_estimated = false;
    b.households_source = HouseholdSource::table;
    ++matched;
  }
  d.problems.report(Severity::info, "household-table", {t.path, layer_name, std::nullopt},
                    std::to_string(matched) + " of " + std::to_string(rows) +
                        " rows set the households of their building (joined by " +
                        (by_id ? "building id" : "name/address") +
                        "; from the table, not "
                        "estimated); " +
                        std::to_string(unmatched) + " rows match no building, " +
                        std::to_string(unusable) + " rows are not usable; " +
                        std::to_string(d.buildings.size() - std::min(d.buildings.size(), matched)) +
                        " buildings without a row keep their own value or the estimate");
}

LoadResult Loader::run() {
  if (options_.inputs.empty()) throw ConfigError("no input files given");
  for (const auto& [role, mapping] : options_.fields) {
    const std::vector<std::string>& keys = field_keys(role);
    for (const auto& [key, field] : mapping) {
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      std::string known;
      for (const std::string& k : keys) known += (known.empty() ? "" : ", ") + k;
      throw ConfigError("field mapping " + std::string(to_string(role)) + "." + key + "=" + field +
                        ": unknown key '" + key + "'; keys for " + to_string(role) + ": " +
                        (known.empty() ? "(none)" : known));
    }
  }
  if (!options_.assume_crs.empty())
    assumed_ = detail::srs_from_user_input(options_.assume_crs, "--assume-crs");

  for (const InputSpec& input : options_.inputs) load_input(input);
  report_duplicate_ids();
  choose_target_crs();
  project();
  merge_unit_runs();

  square_point_buildings();
  apply_household_table();

  Dataset& d = result_.dataset;
  progress_.update("estimating households", 0.0);
  for (Building& b : d.buildings) {
    estimate_households(b, options_.households);
    // A point building's estimate stands on the square it was given, not on a footprint.
    if (b.households_estimated && point_buildings_.count(point_key(b.source)))
      b.households_source = HouseholdSource::point;
  }
  enlarge_point_buildings();
  check_households();

  if (options_.validate)
    result_.validation = geo::validate_and_join(d, options_.households, progress_);
  if (options_.strict) throw_if_strict_violated(d.problems);
  return std::move(result_);
}

}  // namespace gp::io::loader

namespace gp::io {

using loader::geojson_feature_limit_mb;
using loader::Loader;

void throw_if_strict_violated(const ProblemReporter& problems) {
  const std::size_t errors = problems.count(Severity::error);
  const std::size_t warnings = problems.count(Severity::warning);
  if (errors + warnings == 0) return;
  std::string message = "strict mode: " + std::to_string(errors) + " error(s) and " +
                        std::to_string(warnings) + " warning(s) in the input; first:";
  std::size_t shown = 0;
  for (const Problem& p : problems.problems()) {
    if (p.severity == Severity::info) continue;
    message += "\n  " + to_string(p);
    if (++shown == 10) break;
  }
  if (errors + warnings > shown) message += "\n  ... (run `gridplan inspect --all` for the list)";
  throw StrictModeError(message);
}

LoadResult load(const LoadOptions& options, Progress& progress) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    GDALAllRegister();
    // GDAL's GeoJSON reader parses each feature whole with json-c, which aborts the process
    // when an allocation fails (no exception, no message). GDAL refuses features whose parsed
    // size exceeds OGR_GEOJSON_MAX_OBJ_SIZE (default 200 MB) cleanly, so under a memory limit
    // the cap is lowered to an eighth of the memory available; unchanged on ordinary machines
    // and when the user has set it.
    if (!CPLGetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", nullptr))
      CPLSetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE",
                         std::to_string(geojson_feature_limit_mb()).c_str());
  });
  return Loader(options, progress).run();
}

std::vector<RoadClassCount> count_road_classes(const Dataset& dataset,
                                               const std::set<std::string>& hard) {
  std::map<std::string, RoadClassCount> by_key;
  for (const Line& line : dataset.lines) {
    if (line.kind != LineKind::road) continue;
    const std::string key = normalise_road_class(line.cls);
    RoadClassCount& c = by_key[key];
    if (c.lines++ == 0) {
      c.key = key;
      c.known = find_road_class(key) != nullptr;
      c.hard = road_class_in(key, hard);
    }
    if (std::find(c.spellings.begin(), c.spellings.end(), line.cls) == c.spellings.end() &&
        c.spellings.size() < 8)
      c.spellings.push_back(line.cls);
  }
  std::vector<RoadClassCount> out;
  for (auto& [key, c] : by_key) out.push_back(std::move(c));
  std::sort(out.begin(), out.end(), [](const RoadClassCount& a, const RoadClassCount& b) {
    const int ra = road_rank(a.key), rb = road_rank(b.key);
    return ra != rb ? ra > rb : a.lines > b.lines;
  });
  return out;
}

Dataset load_dataset(const LoadOptions& options, Progress& progress) {
  return load(options, progress).dataset;
}

}  // namespace gp::io
