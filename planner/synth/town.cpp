#include "planner/synth/town.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <unordered_set>
#include <utility>

#include "planner/core/errors.hpp"
#include "planner/core/random.hpp"
#include "planner/geo/geos.hpp"
#include "planner/synth/layout.hpp"
#include "planner/synth/names.hpp"

namespace gp::synth {

using detail::kRiverHalfWidth;
using detail::kRiverReserve;
using detail::kSetback;
using detail::River;
using detail::RiversideRoad;
using detail::road_half_width;
using detail::RoadNetwork;
using detail::round_dm;
using detail::round_mm;
using detail::StraightRoad;

namespace {

// ---------------------------------------------------------------------------------------------
// Figures of the layout (metres unless stated). Chosen so that the demo town has Yanggao's
// structure: 15 communities of ≈ 0.25 km², ≈ 93 compounds, ≈ 53 large grids of 400 households.

constexpr int kDemoColumns = 5, kDemoRows = 3;
constexpr int kRiverEveryRows = 6;  // row boundary j is a river when j % 6 == 1
constexpr double kColumnWidthMin = 430.0, kColumnWidthMax = 500.0;
constexpr double kRowHeightMin = 380.0, kRowHeightMax = 440.0;
constexpr double kRiverRowExtra = 80.0;     // river-side rows are taller: the park strip
constexpr double kStreetFrontDepth = 12.0;  // depth of street-front buildings
constexpr double kStreetFrontBack = 6.0;    // lane behind them, before the compound wall
constexpr double kLotWallGap = 6.0;         // between neighbouring compound walls
constexpr double kCompoundMargin = 8.0;     // wall to buildings (fire lane)
constexpr double kGateYard = 16.0;          // gate to the first row (entrance square, guard)
constexpr double kSpineHalfGap = 4.0;       // footpath corridor half-width at the spine
constexpr double kBungalowStrip = 34.0;     // lane spacing in bungalow areas
constexpr double kBungalowAlleySpacing = 130.0;
constexpr double kHouseDepth = 8.0;
constexpr double kLargeGridTarget = 400.0;  // households (domain.md: 300–500)
/// Synthetic buildings per community, measured on the demo town; sizes benchmark towns.
constexpr double kBuildingsPerCommunity = 140.0;

// ---------------------------------------------------------------------------------------------
// Small geometry helpers (axis-aligned, counter-clockwise, closed, mm-rounded).

Ring rect_ring(double x0, double y0, double x1, double y1) {
  x0 = round_mm(x0), y0 = round_mm(y0), x1 = round_mm(x1), y1 = round_mm(y1);
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

MultiPolygon rect(double x0, double y0, double x1, double y1) {
  return {Polygon{rect_ring(x0, y0, x1, y1), {}}};
}

/// A point tower: a rectangle with its four corners notched by `notch` metres.
MultiPolygon notched(double x0, double y0, double x1, double y1, double notch) {
  x0 = round_mm(x0), y0 = round_mm(y0), x1 = round_mm(x1), y1 = round_mm(y1);
  const double n = notch;
  Ring r{{x0 + n, y0},     {x1 - n, y0},     {x1 - n, y0 + n}, {x1, y0 + n},     {x1, y1 - n},
         {x1 - n, y1 - n}, {x1 - n, y1},     {x0 + n, y1},     {x0 + n, y1 - n}, {x0, y1 - n},
         {x0, y0 + n},     {x0 + n, y0 + n}, {x0 + n, y0}};
  for (Point& p : r) p = {round_mm(p.x), round_mm(p.y)};
  return {Polygon{std::move(r), {}}};
}

LineString segment(double x0, double y0, double x1, double y1) {
  return {{round_mm(x0), round_mm(y0)}, {round_mm(x1), round_mm(y1)}};
}

/// A horizontal boundary of a cell: straight at `y`, or a river centre line.
struct Edge {
  const River* river = nullptr;
  double y = 0.0;
  double low = 0.0, high = 0.0;  // for a river edge: the community's west and east ends
};

/// Cell [xa, xb] between a bottom and a top edge, counter-clockwise.
Polygon cell(double xa, double xb, const Edge& bottom, const Edge& top) {
  Ring ring;
  if (bottom.river) {
    for (double x : bottom.river->sample_x(xa, xb))
      ring.push_back({x, bottom.river->chord_y(x, bottom.low, bottom.high)});
  } else {
    ring.push_back({xa, bottom.y});
    ring.push_back({xb, bottom.y});
  }
  if (top.river) {
    for (double x : top.river->sample_x(xb, xa))
      ring.push_back({x, top.river->chord_y(x, top.low, top.high)});
  } else {
    ring.push_back({xb, top.y});
    ring.push_back({xa, top.y});
  }
  ring.push_back(ring.front());
  return Polygon{std::move(ring), {}};
}

// ---------------------------------------------------------------------------------------------
// Building kinds.

/// Residential building types by era. Households = floors × units × households per floor per unit
/// (domain.md: walk-ups have 2–3 units and 2 households per floor per unit).
struct EraSpec {
  CompoundEra era;
  double unit_width;  // m of frontage per unit (entrance)
  double depth;       // m
  int floors_low, floors_high;
  int units_low, units_high;
  int households_per_floor_unit_low, households_per_floor_unit_high;
  double row_gap;        // m between rows (sunlight spacing, shortened for a county town)
  double side_gap;       // m between buildings in a row (fire separation)
  double storey_height;  // m
  double density;        // households per m² of compound, before the community calibration
};
constexpr EraSpec kWalkup{
    CompoundEra::walkup, 13.0, 11.0, 5, 7, 2, 3, 2, 2, 20.0, 10.0, 2.9, 0.0100};
constexpr EraSpec kMidrise{
    CompoundEra::midrise, 15.0, 13.0, 11, 18, 2, 3, 2, 2, 30.0, 14.0, 3.0, 0.0160};
constexpr EraSpec kTower{
    CompoundEra::tower, 16.0, 18.0, 26, 33, 1, 2, 2, 3, 36.0, 18.0, 3.0, 0.0240};

enum class CampusKind {
  government,
  hospital,
  middle_school,
  primary_school,
  office,
  market,
  department_store,
  industrial
};

/// Institutions by the community's place in the 5 × 3 tile (column % 5, row % 3); the demo
/// town is one tile. The government campus goes to one community only (see TownFrame).
std::vector<CampusKind> campuses_for(int column, int row) {
  using K = CampusKind;
  switch ((row % 3) * 5 + column % 5) {
    case 1:
      return {K::primary_school};  // 南关
    case 2:
      return {K::primary_school, K::industrial};  // 城南
    case 3:
      return {K::middle_school};  // 兴盛
    case 5:
      return {K::primary_school};  // 新华
    case 7:
      return {K::hospital};  // 文化
    case 8:
      return {K::office, K::market};  // 迎宾
    case 10:
      return {K::market};  // 西城
    case 11:
      return {K::office};  // 北关
    case 12:
      return {K::middle_school, K::department_store};  // 鼓楼
    case 13:
      return {K::office};  // 府前 (government in the demo)
    case 14:
      return {K::office};  // 东城
    default:
      return {};
  }
}

bool is_bungalow_area(int column, int row) {
  return (column + 3 * row) % 7 == 4;
}

// ---------------------------------------------------------------------------------------------
// The town frame: arterial grid, rivers, shared road network.

struct TownFrame {
  bool demo = true;
  int columns = kDemoColumns, rows = kDemoRows;
  std::vector<double> xs, ys;    // column / row boundaries (arterial centre lines or rivers)
  std::vector<int> river_at;     // per row boundary: index into roads.rivers, or −1
  std::vector<long> horizontal;  // per row boundary: arterial road index, or −1
  std::vector<std::vector<std::size_t>> vertical;  // per column boundary: arterial pieces
  int government_column = 3, government_row = 2;
  RoadNetwork roads;

  [[nodiscard]] const River* river(int boundary) const {
    const int r = river_at[static_cast<std::size_t>(boundary)];
    return r < 0 ? nullptr : &roads.rivers[static_cast<std::size_t>(r)];
  }
  [[nodiscard]] std::string horizontal_class(int j) const {
    const long road = horizontal[static_cast<std::size_t>(j)];
    return road < 0 ? "tertiary" : roads.straight[static_cast<std::size_t>(road)].cls;
  }
  [[nodiscard]] const StraightRoad& vertical_road(int i) const {
    return roads.straight[vertical[static_cast<std::size_t>(i)].front()];
  }
  /// Registers a road meeting the vertical arterial on column boundary i at northing y.
  void junction_vertical(int i, double y) {
    for (std::size_t piece : vertical[static_cast<std::size_t>(i)])
      roads.straight[piece].junctions.push_back(y);
  }
  /// Registers a road meeting the south (j) or north (j) boundary of a row at easting x: the
  /// arterial there, or the riverside road facing the row.
  void junction_boundary(int j, int side_of_river, double x) {
    const long road = horizontal[static_cast<std::size_t>(j)];
    if (road >= 0) {
      roads.straight[static_cast<std::size_t>(road)].junctions.push_back(x);
      return;
    }
    for (RiversideRoad& rr : roads.riverside)
      if (rr.river == river_at[static_cast<std::size_t>(j)] && rr.side == side_of_river)
        rr.junctions.push_back(x);
  }
  /// End northing of a south–north road at boundary j seen from a row on side `side_of_river`
  /// (+1: the row lies north of the boundary).
  [[nodiscard]] double boundary_road_y(int j, int side_of_river, double x) const {
    if (const River* r = river(j)) return r->riverside_y(x, side_of_river);
    return ys[static_cast<std::size_t>(j)];
  }
};

std::string arterial_class(int index, int count) {
  if (index == 0 || index == count) return "secondary";  // ring road
  return index % 4 == 2 ? "primary" : "secondary";
}

TownFrame make_frame(const SynthParams& params, Rng& rng) {
  TownFrame f;
  f.demo = params.target_buildings == 0;
  if (!f.demo) {
    // Communities needed for the requested buildings, laid out a little wider than tall.
    const double communities =
        std::max(15.0, static_cast<double>(params.target_buildings) / kBuildingsPerCommunity);
    f.columns = std::max(kDemoColumns, static_cast<int>(std::lround(std::sqrt(communities * 1.2))));
    f.rows = std::max(kDemoRows, static_cast<int>(std::lround(communities / f.columns)));
  }
  f.river_at.assign(static_cast<std::size_t>(f.rows + 1), -1);
  for (int j = 1; j < f.rows; ++j)
    if (j % kRiverEveryRows == 1) f.river_at[static_cast<std::size_t>(j)] = 0;  // set below

  std::vector<double> widths, heights;
  for (int i = 0; i < f.columns; ++i)
    widths.push_back(round_dm(rng.uniform(kColumnWidthMin, kColumnWidthMax)));
  for (int j = 0; j < f.rows; ++j) {
    double h = round_dm(rng.uniform(kRowHeightMin, kRowHeightMax));
    if (f.river_at[static_cast<std::size_t>(j)] >= 0) h += kRiverRowExtra;
    if (f.river_at[static_cast<std::size_t>(j + 1)] >= 0) h += kRiverRowExtra;
    heights.push_back(h);
  }
  double total_w = 0.0, total_h = 0.0;
  for (double w : widths) total_w += w;
  for (double h : heights) total_h += h;
  f.xs.push_back(round_dm(params.centre.x - total_w / 2.0));
  for (double w : widths) f.xs.push_back(round_dm(f.xs.back() + w));
  f.ys.push_back(round_dm(params.centre.y - total_h / 2.0));
  for (double h : heights) f.ys.push_back(round_dm(f.ys.back() + h));

  // Rivers, west→east, 500 m beyond the town on both sides.
  for (int j = 0; j <= f.rows; ++j) {
    auto& slot = f.river_at[static_cast<std::size_t>(j)];
    if (slot < 0) continue;
    River river;
    river.ordinal = static_cast<int>(f.roads.rivers.size());
    river.base_y = f.ys[static_cast<std::size_t>(j)];
    river.x_start = f.xs.front() - 500.0;
    river.x_end = f.xs.back() + 500.0;
    river.phase_long = rng.uniform(0.0, 6.283);
    river.phase_short = rng.uniform(0.0, 6.283);
    slot = river.ordinal;
    f.roads.rivers.push_back(river);
    const std::string name = river_name(river.ordinal);
    const bool main_river = river.ordinal == 0;
    for (int side : {-1, 1}) {
      RiversideRoad rr;
      rr.river = river.ordinal;
      rr.side = side;
      rr.from = f.xs.front();
      rr.to = f.xs.back();
      rr.cls = "tertiary";
      rr.name =
          main_river ? (side < 0 ? "滨河南路" : "滨河北路") : name + (side < 0 ? "南路" : "北路");
      rr.junctions = f.xs;
      f.roads.riverside.push_back(std::move(rr));
    }
  }

  // East–west arterials on every row boundary that is not a river.
  f.horizontal.assign(static_cast<std::size_t>(f.rows + 1), -1);
  for (int j = 0; j <= f.rows; ++j) {
    if (f.river_at[static_cast<std::size_t>(j)] >= 0) continue;
    StraightRoad road;
    road.vertical = false;
    road.at = f.ys[static_cast<std::size_t>(j)];
    road.from = f.xs.front();
    road.to = f.xs.back();
    road.cls = arterial_class(j, f.rows);
    road.name = east_west_arterial_name(j, f.rows + 1, f.demo);
    road.junctions = f.xs;
    f.horizontal[static_cast<std::size_t>(j)] = static_cast<long>(f.roads.add(std::move(road)));
  }
  // South–north arterials, broken at rivers unless they cross on a bridge (even inner boundaries,
  // so the main street 人民路 crosses).
  f.vertical.resize(static_cast<std::size_t>(f.columns + 1));
  for (int i = 0; i <= f.columns; ++i) {
    const double x = f.xs[static_cast<std::size_t>(i)];
    const bool bridged = i % 2 == 0 && i > 0 && i < f.columns;
    StraightRoad road;
    road.vertical = true;
    road.at = x;
    road.from = f.ys.front();
    road.cls = arterial_class(i, f.columns);
    road.name = north_south_arterial_name(i, f.columns + 1, f.demo);
    for (int j = 1; j < f.rows; ++j) {
      const River* river = f.river(j);
      if (!river) continue;
      const double c = river->centre_y(x);
      if (bridged) {
        road.bridges.push_back(
            {round_mm(c - kRiverHalfWidth - 6.0), round_mm(c + kRiverHalfWidth + 6.0)});
        road.junctions.push_back(river->riverside_y(x, -1));
        road.junctions.push_back(river->riverside_y(x, 1));
      } else {
        road.to = river->riverside_y(x, -1);
        f.vertical[static_cast<std::size_t>(i)].push_back(f.roads.add(road));
        road.from = river->riverside_y(x, 1);
        road.junctions.clear();
        road.bridges.clear();
      }
    }
    road.to = f.ys.back();
    f.vertical[static_cast<std::size_t>(i)].push_back(f.roads.add(std::move(road)));
    for (int j = 0; j <= f.rows; ++j)
      if (f.horizontal[static_cast<std::size_t>(j)] >= 0)
        f.junction_vertical(i, f.ys[static_cast<std::size_t>(j)]);
  }
  // A footbridge across each river in the middle of every fourth column (the first in the demo).
  for (int c = 0; c + 1 < f.columns; c += 4) {
    const double x =
        round_dm((f.xs[static_cast<std::size_t>(c)] + f.xs[static_cast<std::size_t>(c + 1)]) / 2.0);
    for (const River& river : f.roads.rivers) {
      StraightRoad foot;
      foot.vertical = true;
      foot.at = x;
      foot.from = river.riverside_y(x, -1);
      foot.to = river.riverside_y(x, 1);
      foot.cls = "footway";
      foot.name = river_name(river.ordinal) + "人行桥";
      const double cy = river.centre_y(x);
      foot.bridges.push_back(
          {round_mm(cy - kRiverHalfWidth - 4.0), round_mm(cy + kRiverHalfWidth + 4.0)});
      f.roads.add(std::move(foot));
      for (RiversideRoad& rr : f.roads.riverside)
        if (rr.river == river.ordinal) rr.junctions.push_back(x);
    }
  }

  // The government campus (county centre): 府前 in the demo; otherwise the non-bungalow
  // community nearest the town centre.
  if (!f.demo) {
    double best = INFINITY;
    for (int j = 0; j < f.rows; ++j)
      for (int i = 0; i < f.columns; ++i) {
        if (is_bungalow_area(i, j)) continue;
        const double d = std::hypot(i + 0.5 - f.columns / 2.0, j + 0.5 - f.rows / 2.0);
        if (d < best - 1e-9) {
          best = d;
          f.government_column = i;
          f.government_row = j;
        }
      }
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// One community.

struct GridUnit {
  Polygon cell;
  long long households = 0;
};

struct CommunityOut {
  int column = 0, row = 0, number = 0;
  bool bungalow = false;
  Community community;
  std::vector<Compound> compounds;
  std::vector<Building> buildings;
  std::vector<int> building_unit;      // grid unit of each building
  std::vector<int> building_compound;  // local compound index of each building, or −1
  std::vector<Line> footways;
  std::vector<Station> stations;  // community centre first, then compound stations
  bool has_county_centre = false;
  std::vector<GridUnit> units;  // in the order a planner would walk them (serpentine)
  long long households = 0;
};

/// Names of institutions, numbered in the order communities are generated.
struct InstitutionNames {
  int middle = 0, primary = 0, hospital = 0, office = 0, market = 0, store = 0, industry = 0;
};

class CommunityBuilder {
 public:
  CommunityBuilder(TownFrame& frame, CommunityOut& out, Rng& rng, InstitutionNames& institutions,
                   std::unordered_set<std::string>& compound_names)
      : frame_(frame),
        out_(out),
        rng_(rng),
        institutions_(institutions),
        compound_names_(compound_names) {
    const auto i = static_cast<std::size_t>(out.column), j = static_cast<std::size_t>(out.row);
    x0_ = frame.xs[i];
    x1_ = frame.xs[i + 1];
    below_ = {frame.river(out.row), frame.ys[j], x0_, x1_};
    above_ = {frame.river(out.row + 1), frame.ys[j + 1], x0_, x1_};
    short_name_ = community_short_name(out.community.name);
    ux0_ = round_dm(x0_ + road_half_width(frame.vertical_road(out.column).cls) + kSetback);
    ux1_ = round_dm(x1_ - road_half_width(frame.vertical_road(out.column + 1).cls) - kSetback);
    uy0_ = below_.river
               ? round_dm(below_.y + kRiverReserve)
               : round_dm(below_.y + road_half_width(frame.horizontal_class(out.row)) + kSetback);
    uy1_ =
        above_.river
            ? round_dm(above_.y - kRiverReserve)
            : round_dm(above_.y - road_half_width(frame.horizontal_class(out.row + 1)) - kSetback);
  }

  void build_bungalow_area();
  void build_compound_area(double households_target);

 private:
  std::size_t add_building(MultiPolygon footprint, BuildingUse use, const char* source_use,
                           int floors, double storey_height, int units, int households,
                           std::string name, int unit, int compound);
  void add_footway(LineString line) {
    Line l;
    l.kind = LineKind::road;
    l.cls = "footway";
    l.geometry = std::move(line);
    l.walkable = true;
    out_.footways.push_back(std::move(l));
  }
  /// A south–north road inside the community from its south boundary road to its north one.
  std::size_t add_cross_street(double x, const std::string& cls, const std::string& name);
  /// A west–east road inside the community between its two arterials.
  std::size_t add_long_street(double y, const std::string& cls, const std::string& name);
  int fill_compound(double lx0, double ly0, double lx1, double ly1, bool gate_top,
                    const EraSpec& spec, int budget, int unit, int compound, std::size_t gate_road,
                    bool guard);
  void fill_campus(CampusKind kind, double lx0, double ly0, double lx1, double ly1, bool gate_top,
                   int unit);
  void add_community_centre_station(std::size_t building);

  TownFrame& frame_;
  CommunityOut& out_;
  Rng& rng_;
  InstitutionNames& institutions_;
  std::unordered_set<std::string>& compound_names_;
  double x0_ = 0, x1_ = 0;                        // arterial centre lines
  Edge below_, above_;                            // south and north boundaries
  double ux0_ = 0, ux1_ = 0, uy0_ = 0, uy1_ = 0;  // buildable rectangle
  std::string short_name_;
};

std::size_t CommunityBuilder::add_building(MultiPolygon footprint, BuildingUse use,
                                           const char* source_use, int floors, double storey_height,
                                           int units, int households, std::string name, int unit,
                                           int compound) {
  Building b;
  b.footprint = std::move(footprint);
  b.use = use;
  b.source_use = source_use;
  b.floors = floors;
  b.height_m = round_dm(floors * storey_height);
  b.units = units;
  b.households = households;
  b.name = std::move(name);
  b.community_ref = out_.community.code;
  if (compound >= 0) b.compound_ref = out_.compounds[static_cast<std::size_t>(compound)].ref;
  out_.buildings.push_back(std::move(b));
  out_.building_unit.push_back(unit);
  out_.building_compound.push_back(compound);
  out_.households += households;
  if (unit >= 0) out_.units[static_cast<std::size_t>(unit)].households += households;
  return out_.buildings.size() - 1;
}

std::size_t CommunityBuilder::add_cross_street(double x, const std::string& cls,
                                               const std::string& name) {
  StraightRoad road;
  road.vertical = true;
  road.at = x;
  road.from = frame_.boundary_road_y(out_.row, 1, x);
  road.to = frame_.boundary_road_y(out_.row + 1, -1, x);
  road.cls = cls;
  road.name = name;
  frame_.junction_boundary(out_.row, 1, x);
  frame_.junction_boundary(out_.row + 1, -1, x);
  return frame_.roads.add(std::move(road));
}

std::size_t CommunityBuilder::add_long_street(double y, const std::string& cls,
                                              const std::string& name) {
  StraightRoad road;
  road.vertical = false;
  road.at = y;
  road.from = x0_;
  road.to = x1_;
  road.cls = cls;
  road.name = name;
  frame_.junction_vertical(out_.column, y);
  frame_.junction_vertical(out_.column + 1, y);
  return frame_.roads.add(std::move(road));
}

void CommunityBuilder::add_community_centre_station(std::size_t building) {
  Building& b = out_.buildings[building];
  out_.households -= b.households;
  const int unit = out_.building_unit[building];
  if (unit >= 0) out_.units[static_cast<std::size_t>(unit)].households -= b.households;
  b.use = BuildingUse::office;
  b.source_use = "civic";
  b.households = 0;
  b.floors = std::max(b.floors, 3);
  b.height_m = round_dm(b.floors * 3.6);
  b.name = out_.community.name + "党群服务中心";
  Station s;
  s.name = b.name;
  s.tier = StationTier::community_centre;
  // Over 600 m² as in Yanggao's "1+15+53" network (domain.md).
  s.floor_m2 = std::round(rng_.uniform(610.0, 980.0) / 10.0) * 10.0;
  s.location = centroid(b.footprint);
  s.location = {round_mm(s.location.x), round_mm(s.location.y)};
  out_.stations.insert(out_.stations.begin(), s);
}

// Bungalow area (平房区): lanes every 34 m, alleys every ≈ 130 m, two rows of single-storey
// courtyard houses back to back between lanes, sheds in some yards. No compounds, no walls.
void CommunityBuilder::build_bungalow_area() {
  const int strips = std::max(1, static_cast<int>((uy1_ - uy0_) / kBungalowStrip));
  const int columns =
      std::max(1, static_cast<int>(std::lround((ux1_ - ux0_) / kBungalowAlleySpacing)));
  std::vector<double> alleys;  // centre lines
  for (int c = 1; c < columns; ++c) alleys.push_back(round_dm(ux0_ + (ux1_ - ux0_) * c / columns));
  const int middle_lane = strips / 2;  // the lane that splits the area into two grid halves

  std::vector<std::size_t> lane_roads;
  std::vector<double> lane_ys;
  for (int k = 1; k < strips; ++k) {
    const double y = round_dm(uy0_ + k * kBungalowStrip);
    lane_ys.push_back(y);
    lane_roads.push_back(add_long_street(y, "service", short_name_ + chinese_numeral(k) + "巷"));
  }
  for (std::size_t c = 0; c < alleys.size(); ++c) {
    const std::size_t alley = add_cross_street(
        alleys[c], "residential", short_name_ + chinese_numeral(static_cast<int>(c) + 1) + "条");
    frame_.roads.straight[alley].junctions = lane_ys;
    for (std::size_t lane : lane_roads) frame_.roads.straight[lane].junctions.push_back(alleys[c]);
  }
  const double middle_y = strips > 1 ? round_dm(uy0_ + middle_lane * kBungalowStrip) : 0.0;

  // Grid units: columns between alleys × two halves split at the middle lane; serpentine order.
  std::vector<double> unit_x{x0_};
  unit_x.insert(unit_x.end(), alleys.begin(), alleys.end());
  unit_x.push_back(x1_);
  const int halves = strips > 1 ? 2 : 1;
  auto unit_index = [&](int half, int column) {
    // Upper half first, west→east; then the lower half east→west.
    return half == 1 || halves == 1 ? column : columns + (columns - 1 - column);
  };
  out_.units.resize(static_cast<std::size_t>(columns * halves));
  for (int half = 0; half < halves; ++half)
    for (int c = 0; c < columns; ++c) {
      const Edge bottom = halves == 1 || half == 0 ? below_ : Edge{nullptr, middle_y, 0.0, 0.0};
      const Edge top = halves == 1 || half == 1 ? above_ : Edge{nullptr, middle_y, 0.0, 0.0};
      out_.units[static_cast<std::size_t>(unit_index(halves == 1 ? 1 : half, c))].cell =
          cell(unit_x[static_cast<std::size_t>(c)], unit_x[static_cast<std::size_t>(c + 1)], bottom,
               top);
    }

  // The community's service centre takes a plot in the middle strip of the first column.
  const int centre_strip = strips / 2;
  const double alley_clear = road_half_width("residential") + 1.0;
  const double lane_clear = road_half_width("service") + 1.0;
  const double centre_x0 = ux0_ + 2.0, centre_x1 = ux0_ + 32.0;
  std::size_t centre_building = 0;
  bool centre_placed = false;

  for (int k = 0; k < strips; ++k) {
    const double s0 = round_dm(uy0_ + k * kBungalowStrip);
    const double s1 = round_dm(s0 + kBungalowStrip);
    const int half = halves == 1 ? 1 : (k < middle_lane ? 0 : 1);
    for (int c = 0; c < columns; ++c) {
      const double cx0 = c == 0 ? ux0_ : alleys[static_cast<std::size_t>(c - 1)] + alley_clear;
      const double cx1 =
          c + 1 == columns ? ux1_ : alleys[static_cast<std::size_t>(c)] - alley_clear;
      const int unit = unit_index(half, c);
      const bool has_centre = k == centre_strip && c == 0;
      if (has_centre) {
        centre_building = add_building(rect(centre_x0, s0 + lane_clear, centre_x1, s1 - lane_clear),
                                       BuildingUse::office, "civic", 2, 3.6, 1, 0, "", unit, -1);
        centre_placed = true;
      }
      for (int north = 0; north < 2; ++north) {
        const double hy0 = north ? s1 - lane_clear - kHouseDepth : s0 + lane_clear;
        const double hy1 = hy0 + kHouseDepth;
        double x = cx0 + rng_.uniform(0.0, 2.0);
        if (has_centre) x = centre_x1 + 2.0;
        while (true) {
          const double width = rng_.uniform(10.0, 14.0);
          if (x + width > cx1) break;
          const int floors = rng_.chance(0.05) ? 2 : 1;  // a few self-built two-storey houses
          const int households = rng_.chance(0.12) ? 2 : 1;
          add_building(rect(x, hy0, x + width, hy1), BuildingUse::residential, "house", floors, 3.3,
                       1, households, "", unit, -1);
          // A shed in some courtyards (coal, tools): ancillary, never dwellings.
          if (rng_.chance(0.25)) {
            const double sy0 = north ? hy0 - 4.0 : hy1 + 1.0;
            add_building(rect(x + 1.0, sy0, x + 4.0, sy0 + 3.0), BuildingUse::ancillary, "shed", 1,
                         2.5, 0, 0, "", unit, -1);
          }
          x += width + rng_.uniform(0.6, 2.0);
        }
      }
    }
  }
  if (centre_placed) add_community_centre_station(centre_building);
}

int CommunityBuilder::fill_compound(double lx0, double ly0, double lx1, double ly1, bool gate_top,
                                    const EraSpec& spec, int budget, int unit, int compound,
                                    std::size_t gate_road, bool guard) {
  // Columns: two halves either side of a central footpath (spine), or one column with the
  // spine along the west wall when the compound is too narrow for two.
  const double inner_x0 = lx0 + kCompoundMargin, inner_x1 = lx1 - kCompoundMargin;
  int units_base = rng_.between(spec.units_low, spec.units_high);
  double spine_x = round_dm((lx0 + lx1) / 2.0);
  const bool two_columns = spine_x - kSpineHalfGap - inner_x0 >= units_base * spec.unit_width;
  if (!two_columns) spine_x = round_dm(lx0 + 5.0);
  const double left_start = spine_x - kSpineHalfGap;
  const double right_start = two_columns ? spine_x + kSpineHalfGap : lx0 + 9.0;
  // Widest building a row can take: narrow compounds get buildings with fewer units.
  const int units_fit = static_cast<int>((inner_x1 - right_start) / spec.unit_width);
  if (units_fit < 1) return 0;
  units_base = std::min(units_base, units_fit);

  // Buildings of one estate share a design: a base height and unit count with a few variants.
  const int floors_base = spec.era == CompoundEra::walkup
                              ? (rng_.chance(0.75) ? 6 : rng_.between(5, 7))
                              : rng_.between(spec.floors_low, spec.floors_high);
  const int per_floor_unit =
      rng_.between(spec.households_per_floor_unit_low, spec.households_per_floor_unit_high);
  struct Plan {
    int floors, units, households;
    double width;
  };
  std::vector<Plan> plans;
  int planned = 0;
  while (planned < budget || plans.empty()) {
    Plan p;
    p.floors = floors_base;
    if (rng_.chance(0.2))
      p.floors = std::clamp(floors_base + rng_.between(-2, 2), spec.floors_low, spec.floors_high);
    p.units = rng_.chance(0.75)
                  ? units_base
                  : std::min(units_fit, rng_.between(spec.units_low, spec.units_high));
    p.households = p.floors * p.units * per_floor_unit;
    p.width = p.units * spec.unit_width;
    plans.push_back(p);
    planned += p.households;
  }

  const double depth_available = (ly1 - ly0) - kCompoundMargin - kGateYard;
  if (depth_available < spec.depth) return 0;
  const int max_rows =
      static_cast<int>((depth_available - spec.depth) / (spec.depth + spec.row_gap)) + 1;

  struct Placed {
    int row;
    double x0, x1;
    Plan plan;
  };
  std::vector<Placed> placed;
  int row = 0;
  double left = left_start, right = right_start;
  for (const Plan& p : plans) {
    bool done = false;
    while (!done && row < max_rows) {
      const bool left_fits = two_columns && left - p.width >= inner_x0;
      const bool right_fits = right + p.width <= inner_x1;
      // Prefer the side with more room, so rows grow evenly from the spine outward.
      const bool use_left = left_fits && (!right_fits || (left - inner_x0) > (inner_x1 - right));
      if (use_left) {
        placed.push_back({row, left - p.width, left, p});
        left -= p.width + spec.side_gap;
        done = true;
      } else if (right_fits) {
        placed.push_back({row, right, right + p.width, p});
        right += p.width + spec.side_gap;
        done = true;
      } else {
        ++row;
        left = left_start;
        right = right_start;
      }
    }
    if (!done) break;  // compound full: the rest of the budget is carried by the caller
  }
  if (placed.empty()) return 0;
  const int rows_used = placed.back().row + 1;
  const double pitch_min = spec.depth + spec.row_gap;
  const double pitch =
      rows_used > 1 ? std::min((depth_available - spec.depth) / (rows_used - 1), pitch_min * 1.6)
                    : pitch_min;
  auto row_bottom = [&](int r) {
    return gate_top ? round_dm(ly1 - kGateYard - r * pitch - spec.depth)
                    : round_dm(ly0 + kGateYard + r * pitch);
  };

  int households = 0;
  int number = 0;
  for (const Placed& p : placed) {
    const double y0 = row_bottom(p.row), y1 = y0 + spec.depth;
    MultiPolygon footprint = spec.era == CompoundEra::tower ? notched(p.x0, y0, p.x1, y1, 2.0)
                                                            : rect(p.x0, y0, p.x1, y1);
    add_building(std::move(footprint), BuildingUse::residential, "apartments", p.plan.floors,
                 spec.storey_height, p.plan.units, p.plan.households,
                 std::to_string(++number) + "号楼", unit, compound);
    households += p.plan.households;
  }

  // Footpaths: the spine from the gate road to the far row, and paths between rows.
  const StraightRoad& road = frame_.roads.straight[gate_road];
  const double gate_y = road.at;
  const double far_y =
      gate_top ? row_bottom(rows_used - 1) : row_bottom(rows_used - 1) + spec.depth;
  std::vector<double> cross_ys;
  for (int r = 0; r + 1 < rows_used; ++r) {
    const double mid = gate_top ? (row_bottom(r) + row_bottom(r + 1) + spec.depth) / 2.0
                                : (row_bottom(r) + spec.depth + row_bottom(r + 1)) / 2.0;
    cross_ys.push_back(round_dm(mid));
  }
  std::vector<double> spine_stops{gate_y};
  spine_stops.insert(spine_stops.end(), cross_ys.begin(), cross_ys.end());
  spine_stops.push_back(far_y);
  for (std::size_t k = 0; k + 1 < spine_stops.size(); ++k)
    add_footway(segment(spine_x, spine_stops[k], spine_x, spine_stops[k + 1]));
  frame_.roads.straight[gate_road].junctions.push_back(spine_x);
  for (double y : cross_ys) {
    const double west = two_columns ? lx0 + 3.0 : spine_x;
    if (two_columns) add_footway(segment(west, y, spine_x, y));
    add_footway(segment(spine_x, y, lx1 - 3.0, y));
  }
  if (guard) {
    const double gy0 = gate_top ? ly1 - 7.0 : ly0 + 2.0;
    add_building(rect(spine_x + 3.0, gy0, spine_x + 7.0, gy0 + 5.0), BuildingUse::ancillary,
                 "gatehouse", 1, 3.0, 0, 0, "门卫室", unit, compound);
  }
  return households;
}

void CommunityBuilder::fill_campus(CampusKind kind, double lx0, double ly0, double lx1, double ly1,
                                   bool gate_top, int unit) {
  struct Part {
    double width, depth;
    int floors;
    BuildingUse use;
    const char* source_use;
    std::string name;
  };
  std::vector<Part> parts;
  std::string campus;
  switch (kind) {
    case CampusKind::government:
      campus = "县人民政府";
      parts = {{55, 20, rng_.between(6, 8), BuildingUse::office, "government", "县人民政府办公楼"},
               {36, 20, 3, BuildingUse::office, "civic", "县党群服务中心"}};
      break;
    case CampusKind::hospital:
      campus = institutions_.hospital == 0 ? std::string("县人民医院")
               : institutions_.hospital == 1
                   ? std::string("县中医院")
                   : "第" + chinese_numeral(institutions_.hospital) + "人民医院";
      ++institutions_.hospital;
      parts = {{60, 22, rng_.between(9, 12), BuildingUse::hospital, "hospital", campus + "住院楼"},
               {48, 30, 4, BuildingUse::hospital, "hospital", campus + "门诊楼"}};
      break;
    case CampusKind::middle_school:
      campus = "第" + chinese_numeral(++institutions_.middle) + "中学";
      parts = {{64, 16, 5, BuildingUse::school, "school", campus + "教学楼"},
               {40, 14, 4, BuildingUse::school, "school", campus + "实验楼"}};
      break;
    case CampusKind::primary_school:
      campus = institutions_.primary == 0 ? std::string("实验小学")
                                          : "第" + chinese_numeral(institutions_.primary) + "小学";
      ++institutions_.primary;
      parts = {{56, 15, 4, BuildingUse::school, "school", campus + "教学楼"}};
      break;
    case CampusKind::office: {
      static constexpr std::array<const char*, 6> kBureaus = {
          "县财政局", "县公安局", "县税务局", "县自然资源局", "县教育局", "县住建局"};
      campus = institutions_.office < static_cast<int>(kBureaus.size())
                   ? std::string(kBureaus[static_cast<std::size_t>(institutions_.office)])
                   : short_name_ + "街道办事处";
      ++institutions_.office;
      parts = {{45, 18, rng_.between(5, 9), BuildingUse::office, "office", campus + "办公楼"}};
      break;
    }
    case CampusKind::market:
      campus = institutions_.market++ == 0 ? std::string("农贸市场") : short_name_ + "农贸市场";
      parts = {{80, 45, 1, BuildingUse::commercial, "retail", campus}};
      break;
    case CampusKind::department_store:
      campus = institutions_.store++ == 0 ? std::string("百货大楼") : short_name_ + "购物中心";
      parts = {{50, 32, 5, BuildingUse::commercial, "retail", campus}};
      break;
    case CampusKind::industrial:
      campus = institutions_.industry++ == 0 ? std::string("粮油加工厂") : short_name_ + "机械厂";
      parts = {{70, 30, 1, BuildingUse::industrial, "industrial", campus + "车间"},
               {40, 24, 1, BuildingUse::industrial, "warehouse", campus + "仓库"}};
      break;
  }
  const double max_width = lx1 - lx0 - 2 * kCompoundMargin;
  double cursor = gate_top ? ly1 - kGateYard : ly0 + kGateYard;
  for (const Part& part : parts) {
    const double width = std::min(part.width, max_width);
    const double depth = std::min(part.depth, (ly1 - ly0) - kGateYard - kCompoundMargin);
    if (width < 12.0 || depth < 10.0) break;
    const double y0 = gate_top ? cursor - depth : cursor;
    if (y0 < ly0 + kCompoundMargin - 1e-6 || y0 + depth > ly1 - kCompoundMargin + 1e-6) break;
    const double x0 = round_dm((lx0 + lx1 - width) / 2.0);
    const std::size_t index =
        add_building(rect(x0, y0, x0 + width, y0 + depth), part.use, part.source_use, part.floors,
                     3.9, 1, 0, part.name, unit, -1);
    if (part.name == "县党群服务中心") {
      Station s;
      s.name = part.name;
      s.tier = StationTier::county_centre;
      s.floor_m2 = 1096.0;  // Yanggao's county centre (domain.md)
      const Point c = centroid(out_.buildings[index].footprint);
      s.location = {round_mm(c.x), round_mm(c.y)};
      out_.stations.push_back(s);
      out_.has_county_centre = true;
    }
    cursor = gate_top ? y0 - 24.0 : y0 + depth + 24.0;
  }
}

void CommunityBuilder::build_compound_area(double households_target) {
  // Branch streets: one west–east street across the middle, 1–2 south–north streets.
  const int blocks_x = rng_.chance(0.3) ? 3 : 2;
  const double y_mid = round_dm((uy0_ + uy1_) / 2.0 + rng_.uniform(-25.0, 25.0));
  const std::size_t mid_road = add_long_street(y_mid, "tertiary", short_name_ + "街");
  std::vector<double> cross_x;
  for (int k = 1; k < blocks_x; ++k) {
    const double x = round_dm(ux0_ + (ux1_ - ux0_) * k / blocks_x + rng_.uniform(-20.0, 20.0));
    cross_x.push_back(x);
    const std::string name =
        short_name_ + (blocks_x == 2 ? std::string("巷") : chinese_numeral(k) + "巷");
    const std::size_t cross = add_cross_street(x, "residential", name);
    frame_.roads.straight[cross].junctions.push_back(y_mid);
    frame_.roads.straight[mid_road].junctions.push_back(x);
  }
  const double mid_clear = road_half_width("tertiary") + kSetback;
  const double cross_clear = road_half_width("residential") + kSetback;

  struct Lot {
    double x0, y0, x1, y1;  // buildable rectangle (inside the wall)
    bool gate_top;
    int unit;
    double area() const { return (x1 - x0) * (y1 - y0); }
  };
  std::vector<Lot> lots;
  struct Front {
    double x0, y0, x1, y1;
    std::string road_name;
    int block_row;
    std::vector<std::pair<double, int>> unit_starts;  // x where a lot's cell starts → unit
  };
  std::vector<Front> fronts;
  bool front_forced = false;

  // Blocks: north row first (west→east), then south row (east→west): the serpentine order in
  // which the hand-drawn plan groups them.
  for (int block_row = 1; block_row >= 0; --block_row) {
    const bool north = block_row == 1;
    const double by0 = north ? y_mid + mid_clear : uy0_;
    const double by1 = north ? uy1_ : y_mid - mid_clear;
    const Edge outer = north ? above_ : below_;
    const int boundary = north ? out_.row + 1 : out_.row;
    std::vector<int> order(static_cast<std::size_t>(blocks_x));
    for (int b = 0; b < blocks_x; ++b)
      order[static_cast<std::size_t>(b)] = north ? b : blocks_x - 1 - b;
    for (int b : order) {
      const double cell_x0 = b == 0 ? x0_ : cross_x[static_cast<std::size_t>(b - 1)];
      const double cell_x1 = b + 1 == blocks_x ? x1_ : cross_x[static_cast<std::size_t>(b)];
      const double bx0 = b == 0 ? ux0_ : cell_x0 + cross_clear;
      const double bx1 = b + 1 == blocks_x ? ux1_ : cell_x1 - cross_clear;
      double ly0 = by0, ly1 = by1;
      // Street-front shops with flats above along the arterial side (not along the river).
      const bool arterial_side = outer.river == nullptr;
      if (arterial_side && (!front_forced || rng_.chance(0.6))) {
        front_forced = true;
        Front f;
        f.block_row = block_row;
        f.x0 = bx0;
        f.x1 = bx1;
        f.y0 = north ? by1 - kStreetFrontDepth : by0;
        f.y1 = f.y0 + kStreetFrontDepth;
        const long road = frame_.horizontal[static_cast<std::size_t>(boundary)];
        f.road_name = road >= 0 ? frame_.roads.straight[static_cast<std::size_t>(road)].name : "";
        fronts.push_back(f);
        if (north)
          ly1 = by1 - kStreetFrontDepth - kStreetFrontBack;
        else
          ly0 = by0 + kStreetFrontDepth + kStreetFrontBack;
      }
      // Lots: 1–3 compounds or campuses side by side, walls 6 m apart.
      const double width = bx1 - bx0;
      int count = 1;
      if (width >= 200.0) {
        const std::array<double, 3> w{0.15, 0.5, 0.35};
        count = 1 + static_cast<int>(rng_.weighted(w));
      } else if (width >= 130.0) {
        count = rng_.chance(0.65) ? 2 : 1;
      }
      std::vector<double> cuts{bx0};
      for (int k = 1; k < count; ++k)
        cuts.push_back(
            round_dm(bx0 + width * (k / static_cast<double>(count) + rng_.uniform(-0.07, 0.07))));
      cuts.push_back(bx1);
      const Edge bottom = north ? Edge{nullptr, y_mid, 0.0, 0.0} : below_;
      const Edge top = north ? above_ : Edge{nullptr, y_mid, 0.0, 0.0};
      std::vector<int> lot_order(static_cast<std::size_t>(count));
      for (int k = 0; k < count; ++k)
        lot_order[static_cast<std::size_t>(k)] = north ? k : count - 1 - k;
      for (int k : lot_order) {
        const auto kk = static_cast<std::size_t>(k);
        const double cx0 = k == 0 ? cell_x0 : cuts[kk];
        const double cx1 = k + 1 == count ? cell_x1 : cuts[kk + 1];
        GridUnit unit;
        unit.cell = cell(cx0, cx1, bottom, top);
        out_.units.push_back(std::move(unit));
        const int unit_index = static_cast<int>(out_.units.size()) - 1;
        if (!fronts.empty() && fronts.back().block_row == block_row && fronts.back().x0 == bx0)
          fronts.back().unit_starts.push_back({k == 0 ? -INFINITY : cuts[kk], unit_index});
        const double lx0 = k == 0 ? bx0 : cuts[kk] + kLotWallGap / 2.0;
        const double lx1 = k + 1 == count ? bx1 : cuts[kk + 1] - kLotWallGap / 2.0;
        lots.push_back({lx0, ly0, lx1, ly1, !north, unit_index});
      }
    }
  }

  // Street-front buildings (before compounds: their households count toward the target).
  // The community's service centre takes the street-front building nearest the community's middle.
  std::size_t centre_building = out_.buildings.size();
  double centre_distance = INFINITY;
  bool any_front = false;
  for (Front& f : fronts) {
    std::sort(f.unit_starts.begin(), f.unit_starts.end());
    double x = f.x0 + rng_.uniform(0.0, 4.0);
    int number = 1;
    while (true) {
      double length = rng_.uniform(18.0, 40.0);
      if (x + length > f.x1) length = f.x1 - x;
      if (length < 14.0) break;
      const bool shops_only = rng_.chance(0.25);
      const int floors = shops_only ? rng_.between(1, 3) : rng_.between(2, 5);
      const int units = std::max(1, static_cast<int>(std::lround(length / 16.0)));
      const int households = shops_only ? 0 : (floors - 1) * units * 2;
      int unit = -1;
      for (const auto& [start, u] : f.unit_starts)
        if (x + length / 2.0 >= start) unit = u;
      const std::string address =
          f.road_name.empty() ? "" : f.road_name + std::to_string(number) + "号";
      number += 2;
      const std::size_t index =
          add_building(rect(x, f.y0, x + length, f.y1),
                       shops_only ? BuildingUse::commercial : BuildingUse::mixed,
                       shops_only ? "retail" : "mixed", floors, 3.3, shops_only ? 1 : units,
                       households, address, unit, -1);
      const double distance_to_middle =
          std::hypot(x + length / 2.0 - (x0_ + x1_) / 2.0, f.y0 - (uy0_ + uy1_) / 2.0);
      if (distance_to_middle < centre_distance) {
        centre_distance = distance_to_middle;
        centre_building = index;
      }
      any_front = true;
      x += length + rng_.uniform(4.0, 12.0);
    }
  }
  if (any_front) add_community_centre_station(centre_building);

  // Institutions take the largest lots.
  std::vector<CampusKind> campuses = campuses_for(out_.column, out_.row);
  if (out_.column == frame_.government_column && out_.row == frame_.government_row) {
    if (frame_.demo && !campuses.empty())
      campuses.front() = CampusKind::government;
    else
      campuses.insert(campuses.begin(), CampusKind::government);
  }
  std::vector<std::size_t> by_area(lots.size());
  for (std::size_t k = 0; k < lots.size(); ++k) by_area[k] = k;
  std::stable_sort(by_area.begin(), by_area.end(),
                   [&](std::size_t a, std::size_t b) { return lots[a].area() > lots[b].area(); });
  std::vector<bool> is_campus(lots.size(), false);
  for (std::size_t c = 0; c < campuses.size() && c + 1 < lots.size(); ++c) {
    const Lot& lot = lots[by_area[c]];
    is_campus[by_area[c]] = true;
    fill_campus(campuses[c], lot.x0, lot.y0, lot.x1, lot.y1, lot.gate_top, lot.unit);
  }

  // Compounds: era by distance from the town centre (old walk-ups in the middle, towers on the
  // edge), budgets proportional to lot area, calibrated to the community's household target.
  const double town_cx = (frame_.xs.front() + frame_.xs.back()) / 2.0;
  const double town_cy = (frame_.ys.front() + frame_.ys.back()) / 2.0;
  const double town_r = std::hypot(frame_.xs.back() - town_cx, frame_.ys.back() - town_cy);
  const double distance =
      std::hypot((x0_ + x1_) / 2.0 - town_cx, (below_.y + above_.y) / 2.0 - town_cy) / town_r;
  struct Plan {
    std::size_t lot;
    const EraSpec* spec;
    double raw_budget;
  };
  std::vector<Plan> plans;
  double raw_total = 0.0;
  for (std::size_t k = 0; k < lots.size(); ++k) {
    if (is_campus[k]) continue;
    const std::array<double, 3> weights{0.62 - 0.3 * distance, 0.28, 0.10 + 0.3 * distance};
    const std::size_t era = rng_.weighted(weights);
    const EraSpec* spec = era == 0 ? &kWalkup : era == 1 ? &kMidrise : &kTower;
    const double raw = spec->density * lots[k].area() * rng_.uniform(0.6, 1.3);
    plans.push_back({k, spec, raw});
    raw_total += raw;
  }
  const double compound_target =
      std::max(0.0, households_target - static_cast<double>(out_.households));
  const double scale = raw_total > 0.0 ? compound_target / raw_total : 0.0;
  double carry = 0.0;  // households a full compound could not take, passed to the next one
  for (const Plan& plan : plans) {
    const Lot& lot = lots[plan.lot];
    Compound compound;
    compound.name = compound_name(rng_, plan.spec->era, short_name_, compound_names_);
    const std::array<double, 3> walkup_management{0.35, 0.50, 0.15};  // company, committee, none
    const std::array<double, 3> newer_management{0.92, 0.08, 0.0};
    const std::size_t m =
        rng_.weighted(plan.spec->era == CompoundEra::walkup ? walkup_management : newer_management);
    compound.management = m == 0   ? Management::property_company
                          : m == 1 ? Management::committee
                                   : Management::none;
    char ref[32];
    std::snprintf(ref, sizeof ref, "%s-%02d", out_.community.code.c_str(),
                  static_cast<int>(out_.compounds.size()) + 1);
    compound.ref = ref;
    compound.footprint = rect(lot.x0, lot.y0, lot.x1, lot.y1);
    out_.compounds.push_back(std::move(compound));
    const int index = static_cast<int>(out_.compounds.size()) - 1;
    const std::size_t first_building = out_.buildings.size();
    const int budget = std::max(24, static_cast<int>(std::lround(plan.raw_budget * scale + carry)));
    const int placed =
        fill_compound(lot.x0, lot.y0, lot.x1, lot.y1, lot.gate_top, *plan.spec, budget, lot.unit,
                      index, mid_road, out_.compounds.back().management != Management::none);
    // Whole buildings overshoot or a full compound falls short: the next compound evens it out.
    carry = plan.raw_budget * scale + carry - placed;
    // A party-mass service station in some compounds (Yanggao had one per large grid; the
    // existing network here is deliberately incomplete so coverage analysis has work to do).
    const double p = placed >= 250 ? 0.55 : placed >= 120 ? 0.25 : 0.05;
    if (placed > 0 && rng_.chance(p)) {
      Station s;
      s.name = out_.compounds.back().name + "党群服务站";
      s.tier = StationTier::compound_station;
      s.floor_m2 = std::round(rng_.uniform(60.0, 220.0) / 10.0) * 10.0;
      const Point c = centroid(out_.buildings[first_building].footprint);
      s.location = {round_mm(c.x), round_mm(c.y)};
      out_.stations.push_back(s);
    }
  }
  if (!any_front) {
    // No street front in this community: the centre sits at the community's middle street.
    Station s;
    s.name = out_.community.name + "党群服务中心";
    s.tier = StationTier::community_centre;
    s.floor_m2 = 620.0;
    s.location = {round_mm((x0_ + x1_) / 2.0), round_mm(y_mid + mid_clear / 2.0)};
    out_.stations.insert(out_.stations.begin(), s);
  }
}

// ---------------------------------------------------------------------------------------------
// The existing, hand-drawn plan: whole units grouped along the serpentine into large grids of
// roughly 400 households, with the unevenness of a plan drawn by eye (each grid closed once it
// reaches 80–115 % of the community's mean).

MultiPolygon union_cells(geo::GeosContext& ctx, const std::vector<const Polygon*>& cells) {
  if (cells.size() == 1) return {*cells.front()};
  std::vector<GEOSGeometry*> parts;
  for (const Polygon* p : cells) parts.push_back(geo::to_geos(ctx, *p).release());
  geo::GeomPtr collection =
      geo::own(ctx,
               GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                           static_cast<unsigned>(parts.size())),
               "grid cells");
  geo::GeomPtr merged =
      geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), collection.get()), "grid union");
  MultiPolygon result = geo::to_multipolygon(ctx, merged.get());
  for (Polygon& poly : result) {
    for (Point& pt : poly.outer) pt = {round_mm(pt.x), round_mm(pt.y)};
    for (Ring& hole : poly.holes)
      for (Point& pt : hole) pt = {round_mm(pt.x), round_mm(pt.y)};
  }
  return result;
}

void draw_existing_grids(geo::GeosContext& ctx, CommunityOut& c, Rng& rng,
                         std::vector<ExistingGrid>& grids) {
  const long long total = c.households;
  const auto n_units = static_cast<int>(c.units.size());
  const int k = std::clamp(static_cast<int>(std::lround(total / kLargeGridTarget)), 1, n_units);
  const double mean = static_cast<double>(total) / k;
  std::vector<std::vector<int>> groups(1);
  long long acc = 0;
  double threshold = mean * rng.uniform(0.8, 1.15);
  for (int u = 0; u < n_units; ++u) {
    groups.back().push_back(u);
    acc += c.units[static_cast<std::size_t>(u)].households;
    const int groups_left = k - static_cast<int>(groups.size());
    const int units_left = n_units - u - 1;
    if (groups_left > 0 && units_left > 0 && (acc >= threshold || units_left == groups_left)) {
      groups.emplace_back();
      acc = 0;
      threshold = mean * rng.uniform(0.8, 1.15);
    }
  }
  if (groups.back().empty()) groups.pop_back();
  int number = 0;
  for (const std::vector<int>& group : groups) {
    ++number;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%02d", number);
    ExistingGrid large;
    large.level = GridLevel::large;
    large.code = c.community.code + suffix;
    large.name = c.community.name + "第" + chinese_numeral(number) + "网格";
    std::vector<const Polygon*> cells;
    for (int u : group) cells.push_back(&c.units[static_cast<std::size_t>(u)].cell);
    large.footprint = union_cells(ctx, cells);
    const std::string large_code = large.code, large_name = large.name;
    grids.push_back(std::move(large));
    // Micro grids: one per compound, campus or lane block (coarser than the 100–200 households
    // preset: existing plans are).
    int micro = 0;
    for (int u : group) {
      char micro_suffix[16];
      std::snprintf(micro_suffix, sizeof micro_suffix, "%02d", ++micro);
      ExistingGrid g;
      g.level = GridLevel::micro;
      g.code = large_code + micro_suffix;
      g.name = large_name + chinese_numeral(micro) + "号微网格";
      g.parent_code = large_code;
      g.footprint = {c.units[static_cast<std::size_t>(u)].cell};
      grids.push_back(std::move(g));
    }
  }
}

void add_rivers_and_rail(const TownFrame& f, Dataset& d) {
  for (const River& river : f.roads.rivers) {
    Line line;
    line.kind = LineKind::river;
    line.cls = "river";
    line.name = river_name(river.ordinal);
    line.walkable = false;
    for (double x : river.sample_x(river.x_start, river.x_end))
      line.geometry.push_back({x, river.centre_y(x)});
    d.lines.push_back(std::move(line));
    WaterArea water;
    water.name = river_name(river.ordinal);
    Ring ring;
    for (double x : river.sample_x(river.x_start, river.x_end))
      ring.push_back({x, round_mm(river.centre_y(x) - kRiverHalfWidth)});
    for (double x : river.sample_x(river.x_end, river.x_start))
      ring.push_back({x, round_mm(river.centre_y(x) + kRiverHalfWidth)});
    ring.push_back(ring.front());
    water.footprint = {Polygon{std::move(ring), {}}};
    d.water.push_back(std::move(water));
  }
  Line rail;
  rail.kind = LineKind::rail;
  rail.cls = "rail";
  rail.name = "京包铁路";
  rail.walkable = false;
  const double y = round_dm(f.ys.front() - 220.0);
  rail.geometry = segment(f.xs.front() - 800.0, y, f.xs.back() + 800.0, y);
  d.lines.push_back(std::move(rail));
}

}  // namespace

SynthTown generate_town(const SynthParams& params, Progress* progress) {
  if (params.target_buildings < 0)
    throw ConfigError("synth: --buildings must be 0 (demo town) or positive, got " +
                      std::to_string(params.target_buildings));
  Rng town_rng(derive_seed(params.seed, 0));
  TownFrame frame = make_frame(params, town_rng);

  // Communities numbered west→east, north→south (CJ/T 349 order).
  std::vector<CommunityOut> communities;
  for (int j = frame.rows - 1; j >= 0; --j)
    for (int i = 0; i < frame.columns; ++i) {
      CommunityOut c;
      c.column = i;
      c.row = j;
      c.number = static_cast<int>(communities.size());
      c.bungalow = is_bungalow_area(i, j);
      // 140221 Yanggao county (GB/T 2260), street 100 + one per 30 communities, community 001….
      char code[32];
      std::snprintf(code, sizeof code, "140221%03d%03d", 100 + c.number / 30, c.number % 30 + 1);
      c.community.code = code;
      c.community.name = community_name(c.number);
      const River* below = frame.river(j);
      const River* above = frame.river(j + 1);
      c.community.footprint = {
          cell(frame.xs[static_cast<std::size_t>(i)], frame.xs[static_cast<std::size_t>(i + 1)],
               Edge{below, frame.ys[static_cast<std::size_t>(j)], 0.0, 0.0},
               Edge{above, frame.ys[static_cast<std::size_t>(j + 1)], 0.0, 0.0})};
      communities.push_back(std::move(c));
    }

  // Household targets: bungalow areas first (their houses decide their households), then the
  // rest of the town's total shared among compound communities with ±30 % variation.
  std::vector<double> factors;
  for (std::size_t k = 0; k < communities.size(); ++k)
    factors.push_back(town_rng.uniform(0.7, 1.3));
  InstitutionNames institutions;
  std::unordered_set<std::string> compound_names;
  const std::size_t total = communities.size();
  std::size_t done = 0;
  auto report = [&](std::string_view stage) {
    ++done;
    if (progress && (done % 64 == 0 || done == total))
      progress->update(stage, static_cast<double>(done) / static_cast<double>(total));
  };
  long long bungalow_households = 0;
  for (CommunityOut& c : communities) {
    if (!c.bungalow) continue;
    Rng rng(derive_seed(params.seed, 1 + static_cast<std::uint64_t>(c.number)));
    CommunityBuilder(frame, c, rng, institutions, compound_names).build_bungalow_area();
    bungalow_households += c.households;
    report("synth: communities");
  }
  double factor_sum = 0.0;
  for (const CommunityOut& c : communities)
    if (!c.bungalow) factor_sum += factors[static_cast<std::size_t>(c.number)];
  const double town_target = params.households_per_community * static_cast<double>(total);
  const double rest = std::max(0.0, town_target - static_cast<double>(bungalow_households));
  for (CommunityOut& c : communities) {
    if (c.bungalow) continue;
    Rng rng(derive_seed(params.seed, 1 + static_cast<std::uint64_t>(c.number)));
    const double target = rest * factors[static_cast<std::size_t>(c.number)] / factor_sum;
    CommunityBuilder(frame, c, rng, institutions, compound_names).build_compound_area(target);
    report("synth: communities");
  }

  // Assemble the dataset in numbering order.
  SynthTown town;
  Dataset& d = town.dataset;
  d.crs_epsg = 4547;
  d.crs_name = "CGCS2000 / 3-degree Gauss-Kruger CM 114E";
  std::size_t building_count = 0, compound_count = 0;
  for (const CommunityOut& c : communities) {
    building_count += c.buildings.size();
    compound_count += c.compounds.size();
  }
  d.buildings.reserve(building_count);
  d.compounds.reserve(compound_count);
  geo::GeosContext ctx;
  std::vector<Station> compound_stations;
  for (CommunityOut& c : communities) {
    const auto community_index = static_cast<std::int32_t>(d.communities.size());
    c.community.id = community_index + 1;
    c.community.source.layer = "communities";
    c.community.source.fid = c.community.id;
    const auto compound_base = static_cast<std::int32_t>(d.compounds.size());
    for (Compound& compound : c.compounds) {
      compound.id = static_cast<std::int64_t>(d.compounds.size()) + 1;
      compound.source.layer = "compounds";
      compound.source.fid = compound.id;
      compound.community = community_index;
      d.compounds.push_back(std::move(compound));
    }
    for (std::size_t b = 0; b < c.buildings.size(); ++b) {
      Building& building = c.buildings[b];
      building.id = static_cast<std::int64_t>(d.buildings.size()) + 1;
      building.source.layer = "buildings";
      building.source.fid = building.id;
      building.community = community_index;
      const int local = c.building_compound[b];
      building.compound = local < 0 ? kNone : compound_base + local;
      d.buildings.push_back(std::move(building));
    }
    for (Line& footway : c.footways) d.lines.push_back(std::move(footway));
    for (Station& s : c.stations) {
      if (s.tier == StationTier::compound_station)
        compound_stations.push_back(std::move(s));
      else if (s.tier == StationTier::county_centre)
        d.stations.insert(d.stations.begin(), std::move(s));
      else
        d.stations.push_back(std::move(s));
    }
    Rng grid_rng(derive_seed(params.seed, 0x9e1d0000ULL + static_cast<std::uint64_t>(c.number)));
    draw_existing_grids(ctx, c, grid_rng, d.existing_grids);
    d.communities.push_back(std::move(c.community));
    if (progress && d.communities.size() % 64 == 0)
      progress->update("synth: existing grids",
                       static_cast<double>(d.communities.size()) / static_cast<double>(total));
  }
  for (Station& s : compound_stations) d.stations.push_back(std::move(s));
  std::vector<Line> roads;
  frame.roads.emit(roads);
  d.lines.insert(d.lines.begin(), std::make_move_iterator(roads.begin()),
                 std::make_move_iterator(roads.end()));
  add_rivers_and_rail(frame, d);
  for (std::size_t k = 0; k < d.lines.size(); ++k) {
    d.lines[k].id = static_cast<std::int64_t>(k) + 1;
    d.lines[k].source.layer = to_string(d.lines[k].kind);
  }
  for (std::size_t k = 0; k < d.water.size(); ++k) d.water[k].id = static_cast<std::int64_t>(k) + 1;
  for (std::size_t k = 0; k < d.stations.size(); ++k) {
    d.stations[k].id = static_cast<std::int64_t>(k) + 1;
    d.stations[k].source.layer = "stations";
  }
  for (std::size_t k = 0; k < d.existing_grids.size(); ++k) {
    d.existing_grids[k].id = static_cast<std::int64_t>(k) + 1;
    d.existing_grids[k].source.layer = "grids";
  }
  if (progress) progress->update("synth: done", 1.0);
  town.summary = summarize(d);
  return town;
}

SynthSummary summarize(const Dataset& d) {
  SynthSummary s;
  s.communities = d.communities.size();
  s.compounds = d.compounds.size();
  std::map<std::string, long long> households_by_community;
  std::map<std::string, std::size_t> compounds_by_community;
  for (const Compound& c : d.compounds) {
    if (c.management == Management::none) ++s.unmanaged_compounds;
    if (c.management == Management::property_company) ++s.property_company_compounds;
    if (c.community >= 0 && static_cast<std::size_t>(c.community) < d.communities.size())
      ++compounds_by_community[d.communities[static_cast<std::size_t>(c.community)].code];
  }
  for (const Community& c : d.communities) {
    households_by_community[c.code];
    if (compounds_by_community[c.code] == 0) ++s.bungalow_communities;
  }
  s.buildings = d.buildings.size();
  for (const Building& b : d.buildings) {
    if (may_hold_households(b.use) && b.households > 0) {
      ++s.residential_buildings;
      s.units += b.units;
    } else {
      ++s.non_residential_buildings;
    }
    if (b.compound < 0 && b.compound_ref.empty()) ++s.buildings_outside_compounds;
    s.households += b.households;
    std::string community = b.community_ref;
    if (b.community >= 0 && static_cast<std::size_t>(b.community) < d.communities.size())
      community = d.communities[static_cast<std::size_t>(b.community)].code;
    households_by_community[community] += b.households;
  }
  for (const Line& l : d.lines) {
    if (l.kind == LineKind::road) ++s.roads;
    if (l.kind == LineKind::road && l.bridge) ++s.bridges;
    if (l.kind == LineKind::river) ++s.river_lines;
  }
  s.stations = d.stations.size();
  for (const Station& st : d.stations) {
    if (st.tier == StationTier::county_centre) ++s.county_centres;
    if (st.tier == StationTier::community_centre) ++s.community_centres;
    if (st.tier == StationTier::compound_station) ++s.compound_stations;
  }
  for (const ExistingGrid& g : d.existing_grids)
    ++(g.level == GridLevel::large ? s.existing_large_grids : s.existing_micro_grids);
  for (const auto& [code, households] : households_by_community) {
    if (code.empty() && households == 0) continue;
    s.expected_large_grids_at_target +=
        std::max(1LL, std::llround(static_cast<double>(households) / kLargeGridTarget));
  }
  s.expected_large_grids_min = (s.households + 499) / 500;
  s.expected_large_grids_max = s.households / 300;
  for (const Community& c : d.communities) s.area_km2 += area(c.footprint) / 1e6;
  return s;
}

}  // namespace gp::synth
