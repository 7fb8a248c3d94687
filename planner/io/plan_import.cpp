#include "planner/io/plan_import.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <unordered_map>

#include "planner/core/errors.hpp"
#include "planner/io/gdal_support.hpp"

namespace gp::io {
namespace {

namespace fs = std::filesystem;

void register_gdal() {
  static const bool registered = [] {
    GDALAllRegister();
    return true;
  }();
  (void)registered;
}

GDALDatasetUniquePtr open_vector(const std::string& path) {
  register_gdal();
  detail::GdalErrorCollector errors;
  GDALDatasetUniquePtr dataset(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                                 nullptr, nullptr, nullptr));
  if (!dataset)
    throw InputError("'" + path + "': cannot open as vector data (" +
                     (fs::exists(path) ? errors.failure_text() : std::string("no such file")) +
                     ")");
  return dataset;
}

bool polygonal(OGRLayer& layer) {
  const OGRwkbGeometryType type = wkbFlatten(layer.GetGeomType());
  if (type == wkbPolygon || type == wkbMultiPolygon) return true;
  if (type != wkbUnknown) return false;
  // Mixed Polygon and MultiPolygon features (a hand-drawn GeoJSON with one grid in pieces) make
  // the layer's type unknown: look at the features themselves.
  layer.ResetReading();
  bool found = false;
  for (auto& feature : layer) {
    const OGRGeometry* g = feature->GetGeometryRef();
    if (!g) continue;
    const OGRwkbGeometryType t = wkbFlatten(g->getGeometryType());
    found = t == wkbPolygon || t == wkbMultiPolygon;
    break;
  }
  layer.ResetReading();
  return found;
}

int field_index(OGRFeatureDefn& defn, const std::string& name) {
  for (int i = 0; i < defn.GetFieldCount(); ++i)
    if (EQUAL(defn.GetFieldDefn(i)->GetNameRef(), name.c_str())) return i;
  return -1;
}

std::string field_list(OGRFeatureDefn& defn) {
  std::string out;
  for (int i = 0; i < defn.GetFieldCount(); ++i)
    out += (out.empty() ? "" : ", ") + std::string(defn.GetFieldDefn(i)->GetNameRef());
  return out;
}

Ring ring_of(const OGRLinearRing& ring) {
  Ring out;
  for (int i = 0; i < ring.getNumPoints(); ++i) out.push_back({ring.getX(i), ring.getY(i)});
  return out;
}

void add_polygon(const OGRPolygon& polygon, MultiPolygon& out) {
  if (polygon.IsEmpty()) return;
  Polygon p;
  p.outer = ring_of(*polygon.getExteriorRing());
  for (int i = 0; i < polygon.getNumInteriorRings(); ++i)
    p.holes.push_back(ring_of(*polygon.getInteriorRing(i)));
  out.push_back(std::move(p));
}

MultiPolygon multipolygon_of(const OGRGeometry* geometry) {
  MultiPolygon out;
  if (!geometry) return out;
  const OGRwkbGeometryType type = wkbFlatten(geometry->getGeometryType());
  if (type == wkbPolygon) add_polygon(*geometry->toPolygon(), out);
  if (type == wkbMultiPolygon)
    for (const OGRPolygon* p : *geometry->toMultiPolygon()) add_polygon(*p, out);
  return out;
}

/// "4-9" (1-based, inclusive, as the buildings layer's unit_range writes it) → first unit
/// (0-based) and count; false when the text is empty or not such a range.
bool parse_unit_range(const std::string& text, int& first, int& units) {
  int a = 0, b = 0;
  char dash = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d %c %d %c", &a, &dash, &b, &extra) != 3 || dash != '-' ||
      a < 1 || b < a)
    return false;
  first = a - 1;
  units = b - a + 1;
  return true;
}

template <typename Map>
std::int32_t majority(const Map& votes) {
  std::int32_t best = kNone;
  long long most = 0;
  for (const auto& [key, count] : votes)
    if (key != kNone && count > most) {
      most = count;
      best = key;
    }
  return best;
}

}  // namespace

ExistingPlanSource inspect_existing_plan(const ExistingPlanSettings& settings) {
  GDALDatasetUniquePtr dataset = open_vector(settings.path);
  ExistingPlanSource source;
  std::vector<std::string> polygon_layers, grid_named;
  bool has_large = false, has_micro = false;
  for (OGRLayer* layer : dataset->GetLayers()) {
    const std::string name = layer->GetName();
    if (!settings.layer.empty() && name != settings.layer) continue;
    if (!polygonal(*layer)) continue;
    polygon_layers.push_back(name);
    has_large |= name == "large_grids";
    has_micro |= name == "micro_grids";
    if (detect_role(name) == LayerRole::grids) grid_named.push_back(name);
  }
  if (!settings.layer.empty() && !dataset->GetLayerByName(settings.layer.c_str()))
    throw InputError("existing plan '" + settings.path + "' has no layer '" + settings.layer + "'");
  std::vector<std::string> chosen;
  if (!settings.layer.empty())
    chosen = polygon_layers;
  else if (has_large)
    chosen = has_micro ? std::vector<std::string>{"large_grids", "micro_grids"}
                       : std::vector<std::string>{"large_grids"};
  else if (!grid_named.empty())
    chosen = grid_named;
  else if (polygon_layers.size() == 1)
    chosen = polygon_layers;
  else if (polygon_layers.size() > 1)
    throw InputError("existing plan '" + settings.path +
                     "' has several polygon layers and none "
                     "is named like grids; say which with existing.layer");
  if (chosen.empty()) {
    source.kind = ExistingPlanKind::building_table;
    return source;
  }
  for (const std::string& layer : chosen)
    source.grid_inputs.push_back({settings.path, layer, LayerRole::grids});
  // Our own plan.gpkg also lists every building's grids by id: re-planning it must not depend
  // on whether a footprint's point lies in the polygon (issue 12).
  OGRLayer* buildings = has_large ? dataset->GetLayerByName("buildings") : nullptr;
  if (buildings) {
    OGRFeatureDefn& defn = *buildings->GetLayerDefn();
    const int bid = field_index(defn, "bid"), large_code = field_index(defn, "large_code"),
              micro_code = field_index(defn, "micro_code"),
              unit_range = field_index(defn, "unit_range"),
              households = field_index(defn, "households");
    if (bid >= 0 && large_code >= 0) {
      buildings->SetIgnoredFields(std::vector<const char*>{"OGR_GEOMETRY", nullptr}.data());
      for (auto& feature : *buildings) {
        if (!feature->IsFieldSetAndNotNull(bid) || !feature->IsFieldSetAndNotNull(large_code))
          continue;
        ListedBuildingGrids row{feature->GetFieldAsInteger64(bid),
                                feature->GetFieldAsString(large_code),
                                micro_code >= 0 && feature->IsFieldSetAndNotNull(micro_code)
                                    ? feature->GetFieldAsString(micro_code)
                                    : ""};
        // A row of one run of a building split by units (one row per run).
        if (unit_range >= 0 && feature->IsFieldSetAndNotNull(unit_range) &&
            parse_unit_range(feature->GetFieldAsString(unit_range), row.first_unit, row.units))
          row.households = households >= 0 ? feature->GetFieldAsInteger(households) : 0;
        else
          row.first_unit = -1;
        source.listed.push_back(std::move(row));
      }
    }
  }
  return source;
}

Plan plan_from_table(const Dataset& dataset, const ExistingPlanSettings& settings,
                     const geo::Tessellation* cells, ProblemReporter& problems) {
  GDALDatasetUniquePtr table = open_vector(settings.path);
  OGRLayer* layer =
      settings.layer.empty() ? table->GetLayer(0) : table->GetLayerByName(settings.layer.c_str());
  if (!layer)
    throw InputError("existing plan '" + settings.path + "': no layer '" + settings.layer + "'");
  OGRFeatureDefn& defn = *layer->GetLayerDefn();
  const int bid = field_index(defn, settings.bid_field);
  const int large = field_index(defn, settings.large_field);
  const int micro = settings.micro_field.empty() ? -1 : field_index(defn, settings.micro_field);
  if (bid < 0 || large < 0)
    throw InputError("existing plan '" + settings.path + "': needs the fields '" +
                     settings.bid_field + "' (building id) and '" + settings.large_field +
                     "' (large grid code); it has: " + field_list(defn) +
                     ". Name them with existing.bid_field / existing.large_field");

  std::unordered_map<std::int64_t, std::int32_t> building_of;
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b)
    building_of.emplace(dataset.buildings[b].id, static_cast<std::int32_t>(b));
  // Buildings loaded from this very layer (`gridplan check plan.gpkg` reads our plan's
  // buildings as the data): each row is its building, matched by feature id. The loader reads
  // the rows of the runs of a building split by units (unit_range set, the building's id on
  // each) as one building located by its first row: the other rows find it by its id.
  std::unordered_map<std::int64_t, std::int32_t> building_of_fid, building_of_id_here;
  {
    std::error_code ec;
    for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
      const Location& from = dataset.buildings[b].source;
      if (from.fid && from.layer == layer->GetName() &&
          fs::equivalent(fs::path(from.file), fs::path(settings.path), ec)) {
        building_of_fid.emplace(*from.fid, static_cast<std::int32_t>(b));
        building_of_id_here.emplace(dataset.buildings[b].id, static_cast<std::int32_t>(b));
      }
    }
  }
  // Rows of runs (field unit_range): their geometry is the run's strip of the footprint, taken
  // into the dataset's CRS.
  const int unit_range = field_index(defn, "unit_range");
  const int households_field = field_index(defn, "households");
  detail::TransformPtr to_dataset;
  if (unit_range >= 0 && !dataset.crs_wkt.empty() && layer->GetSpatialRef()) {
    const detail::SrsPtr from = detail::srs_clone(*layer->GetSpatialRef());
    const detail::SrsPtr to = detail::srs_from_user_input(dataset.crs_wkt, "the data's CRS");
    to_dataset.reset(OGRCreateCoordinateTransformation(from.get(), to.get()));
  }
  std::map<std::int32_t, std::vector<BuildingRun>> runs_of;

  Plan plan;
  plan.building_large.assign(dataset.buildings.size(), kNone);
  plan.building_micro.assign(dataset.buildings.size(), kNone);
  std::map<std::string, std::int32_t> large_index, micro_index;
  std::vector<std::string> micro_large;  // per micro grid: the large code on its first row
  Location where{settings.path, layer->GetName(), std::nullopt};
  std::size_t unknown = 0;
  for (auto& feature : *layer) {
    where.fid = feature->GetFID();
    const std::int64_t id = feature->GetFieldAsInteger64(bid);
    const std::string large_code = feature->GetFieldAsString(large);
    const std::string micro_code = micro >= 0 ? feature->GetFieldAsString(micro) : "";
    const bool run_row = unit_range >= 0 && feature->IsFieldSetAndNotNull(unit_range) &&
                         !std::string(feature->GetFieldAsString(unit_range)).empty();
    const auto& index = building_of_fid.empty() ? building_of : building_of_fid;
    std::int32_t b = kNone;
    if (const auto found = index.find(building_of_fid.empty() ? id : feature->GetFID());
        found != index.end())
      b = found->second;
    else if (run_row && !building_of_fid.empty()) {
      if (const auto here = building_of_id_here.find(id); here != building_of_id_here.end())
        b = here->second;
    }
    if (b == kNone) {
      if (++unknown <= 20)
        problems.report(Severity::warning, "existing-plan-unknown-building", where,
                        "building id " + std::to_string(id) +
                            " is not among the loaded buildings; the row is ignored");
      continue;
    }
    if (large_code.empty()) continue;
    auto [l, new_large] =
        large_index.emplace(large_code, static_cast<std::int32_t>(plan.large_grids.size()));
    if (new_large) {
      Grid grid;
      grid.level = GridLevel::large;
      grid.code = large_code;
      plan.large_grids.push_back(std::move(grid));
    }
    plan.building_large[static_cast<std::size_t>(b)] = l->second;
    if (!micro_code.empty()) {
      auto [m, new_micro] =
          micro_index.emplace(micro_code, static_cast<std::int32_t>(plan.micro_grids.size()));
      if (new_micro) {
        Grid grid;
        grid.level = GridLevel::micro;
        grid.code = micro_code;
        plan.micro_grids.push_back(std::move(grid));
      }
      plan.building_micro[static_cast<std::size_t>(b)] = m->second;
    }
    BuildingRun run;
    if (run_row &&
        parse_unit_range(feature->GetFieldAsString(unit_range), run.first_unit, run.units)) {
      run.building = b;
      run.large = l->second;
      run.micro = plan.building_micro[static_cast<std::size_t>(b)];
      run.households = households_field >= 0 ? feature->GetFieldAsInteger(households_field) : 0;
      if (to_dataset && feature->GetGeometryRef()) {
        std::unique_ptr<OGRGeometry> shape(feature->GetGeometryRef()->clone());
        if (shape->transform(to_dataset.get()) == OGRERR_NONE)
          run.footprint = multipolygon_of(shape.get());
      }
      runs_of[b].push_back(std::move(run));
    }
  }
  // A building split by units: in the grids of every run; its own grids (building_large/micro)
  // are those of its largest run.
  for (auto& [b, runs] : runs_of) {
    if (runs.size() < 2) continue;
    std::sort(runs.begin(), runs.end(), [](const BuildingRun& x, const BuildingRun& y) {
      return x.first_unit < y.first_unit;
    });
    const BuildingRun* largest = &runs.front();
    for (const BuildingRun& run : runs)
      if (run.households > largest->households) largest = &run;
    plan.building_large[static_cast<std::size_t>(b)] = largest->large;
    plan.building_micro[static_cast<std::size_t>(b)] = largest->micro;
    for (BuildingRun& run : runs) plan.building_runs.push_back(std::move(run));
  }
  if (unknown > 20)
    problems.report(Severity::warning, "existing-plan-unknown-building", {settings.path, "", {}},
                    std::to_string(unknown) + " rows name buildings that are not loaded in all");
  std::size_t missing = 0;
  for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
    const std::int32_t g = plan.building_large[b];
    if (g == kNone) {
      missing += dataset.buildings[b].households > 0 ? 1 : 0;
      continue;
    }
    plan.large_grids[static_cast<std::size_t>(g)].buildings.push_back(static_cast<std::int32_t>(b));
    if (plan.building_micro[b] != kNone)
      plan.micro_grids[static_cast<std::size_t>(plan.building_micro[b])].buildings.push_back(
          static_cast<std::int32_t>(b));
  }
  // ... and the other grids holding runs of buildings split by units.
  for (const BuildingRun& run : plan.building_runs) {
    for (auto [grids, g] :
         {std::pair{&plan.large_grids, run.large}, std::pair{&plan.micro_grids, run.micro}}) {
      if (g == kNone) continue;
      std::vector<std::int32_t>& list = (*grids)[static_cast<std::size_t>(g)].buildings;
      if (std::find(list.begin(), list.end(), run.building) == list.end())
        list.push_back(run.building);
    }
  }
  for (auto* grids : {&plan.large_grids, &plan.micro_grids})
    for (Grid& grid : *grids) std::sort(grid.buildings.begin(), grid.buildings.end());
  if (missing > 0)
    problems.report(Severity::warning, "existing-plan-missing-buildings", {settings.path, "", {}},
                    std::to_string(missing) +
                        " buildings with households are in no grid of the existing plan; a "
                        "re-plan assigns them, an evaluation lists them as unplanned");
  for (Grid& grid : plan.large_grids) {
    std::map<std::int32_t, long long> votes;
    for (std::int32_t b : grid.buildings)
      votes[dataset.buildings[static_cast<std::size_t>(b)].community] +=
          std::max(1, dataset.buildings[static_cast<std::size_t>(b)].households);
    grid.community = majority(votes);
  }
  for (Grid& grid : plan.micro_grids) {
    std::map<std::int32_t, long long> votes;
    for (std::int32_t b : grid.buildings)
      votes[plan.building_large[static_cast<std::size_t>(b)]] +=
          std::max(1, dataset.buildings[static_cast<std::size_t>(b)].households);
    grid.parent = majority(votes);
    if (grid.parent != kNone)
      grid.community = plan.large_grids[static_cast<std::size_t>(grid.parent)].community;
  }
  if (cells) {
    auto polygon = [&](Grid& grid) {
      std::vector<const MultiPolygon*> parts;
      for (std::int32_t b : grid.buildings)
        if (static_cast<std::size_t>(b) < cells->cells.size() &&
            !cells->cells[static_cast<std::size_t>(b)].empty())
          parts.push_back(&cells->cells[static_cast<std::size_t>(b)]);
      if (!parts.empty()) grid.polygon = geo::union_cells(parts);
    };
    for (Grid& grid : plan.large_grids) polygon(grid);
    for (Grid& grid : plan.micro_grids) polygon(grid);
  }
  return plan;
}

report::RunSnapshot read_run(const std::string& dir) {
  const fs::path root(dir);
  const fs::path gpkg = root / "plan.gpkg", metrics = root / "metrics.json",
                 manifest = root / "manifest.json";
  for (const fs::path& p : {gpkg, metrics, manifest})
    if (!fs::exists(p))
      throw InputError("'" + dir + "' is not a complete run directory: " + p.filename().string() +
                       " is missing (make one with `gridplan run`)");
  report::RunSnapshot snapshot;
  snapshot.source = dir;
  {
    std::ifstream in(metrics);
    nlohmann::json json;
    try {
      in >> json;
    } catch (const std::exception& e) {
      throw InputError("'" + metrics.string() + "': not valid JSON (" + e.what() + ")");
    }
    snapshot.kpis = report::kpis_from_json(json.at("kpis"));
    snapshot.name = snapshot.kpis.name.empty() ? root.filename().string() : snapshot.kpis.name;
  }
  GDALDatasetUniquePtr dataset = open_vector(gpkg.string());
  OGRLayer* buildings = dataset->GetLayerByName("buildings");
  OGRLayer* large = dataset->GetLayerByName("large_grids");
  if (!buildings || !large)
    throw InputError("'" + gpkg.string() + "' lacks the buildings or large_grids layer");
  if (const OGRSpatialReference* srs = large->GetSpatialRef())
    snapshot.geographic = srs->IsGeographic();
  {
    OGRFeatureDefn& defn = *buildings->GetLayerDefn();
    const int bid = field_index(defn, "bid"), households = field_index(defn, "households"),
              large_code = field_index(defn, "large_code"),
              micro_code = field_index(defn, "micro_code");
    if (bid < 0 || households < 0 || large_code < 0)
      throw InputError("'" + gpkg.string() + "' buildings layer lacks bid/households/large_code");
    const int unit_range = field_index(defn, "unit_range");
    // A building split by units has one row per run: one snapshot building, with the households
    // of all its runs and the grids of its largest run.
    std::unordered_map<std::int64_t, std::pair<std::size_t, int>> split;  // bid → (index, largest)
    for (auto& feature : *buildings) {
      if (unit_range >= 0 && feature->IsFieldSetAndNotNull(unit_range)) {
        const std::int64_t id = feature->GetFieldAsInteger64(bid);
        const int run_households = feature->GetFieldAsInteger(households);
        if (const auto it = split.find(id); it != split.end()) {
          report::SnapshotBuilding& b = snapshot.buildings[it->second.first];
          b.households += run_households;
          if (run_households > it->second.second) {
            it->second.second = run_households;
            b.large_code = feature->GetFieldAsString(large_code);
            if (micro_code >= 0) b.micro_code = feature->GetFieldAsString(micro_code);
          }
          continue;
        }
        split.emplace(id, std::pair{snapshot.buildings.size(), run_households});
      }
      report::SnapshotBuilding b;
      b.bid = feature->GetFieldAsInteger64(bid);
      b.households = feature->GetFieldAsInteger(households);
      b.large_code = feature->GetFieldAsString(large_code);
      if (micro_code >= 0) b.micro_code = feature->GetFieldAsString(micro_code);
      if (const OGRGeometry* g = feature->GetGeometryRef()) {
        OGRPoint point;
        if (g->Centroid(&point) == OGRERR_NONE) b.position = {point.getX(), point.getY()};
      }
      snapshot.buildings.push_back(std::move(b));
    }
  }
  {
    OGRFeatureDefn& defn = *large->GetLayerDefn();
    const int code = field_index(defn, "code"), community = field_index(defn, "community"),
              households = field_index(defn, "households");
    for (auto& feature : *large) {
      report::SnapshotGrid g;
      if (code >= 0) g.code = feature->GetFieldAsString(code);
      if (community >= 0) g.community = feature->GetFieldAsString(community);
      if (households >= 0) g.households = feature->GetFieldAsInteger(households);
      g.polygon = multipolygon_of(feature->GetGeometryRef());
      snapshot.large_grids.push_back(std::move(g));
    }
  }
  return snapshot;
}

}  // namespace gp::io
