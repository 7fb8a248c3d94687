#include "planner/synth/layout.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gp::synth::detail {

double round_mm(double value) {
  return std::round(value * 1000.0) / 1000.0;
}
double round_dm(double value) {
  return std::round(value * 10.0) / 10.0;
}

double road_half_width(const std::string& road_class) {
  // Typical red-line widths of a North-China county town: 32 m main streets, 24 m secondary
  // streets, 18 m branch streets, 12 m residential streets, 7 m lanes, 3 m paths.
  if (road_class == "primary") return 16.0;
  if (road_class == "secondary") return 12.0;
  if (road_class == "tertiary") return 9.0;
  if (road_class == "service") return 3.5;
  if (road_class == "footway") return 1.5;
  return 6.0;
}

namespace {
constexpr double kSampleStep = 20.0;                          // m between river vertices
constexpr double kLongWave = 1400.0, kLongAmplitude = 30.0;   // m
constexpr double kShortWave = 530.0, kShortAmplitude = 12.0;  // m
}  // namespace

double River::centre_y(double x) const {
  const double t = x - x_start;
  const double two_pi = 2.0 * std::numbers::pi;
  return round_mm(base_y + kLongAmplitude * std::sin(two_pi * t / kLongWave + phase_long) +
                  kShortAmplitude * std::sin(two_pi * t / kShortWave + phase_short));
}

double River::riverside_y(double x, int side) const {
  return round_mm(centre_y(x) + side * kRiversideOffset);
}

double River::chord_y(double x, double low, double high) const {
  if (x <= low || x >= high) return centre_y(x);
  const double before = x_start + kSampleStep * std::floor((x - x_start) / kSampleStep);
  const double after = before + kSampleStep;
  // The neighbouring vertices of sample_x(low, high): grid points more than 0.5 m inside, or ends.
  const double a = before > low + 0.5 ? round_mm(before) : low;
  const double b = after < high - 0.5 ? round_mm(after) : high;
  if (x == a || x == b || b <= a) return centre_y(x);
  const double ya = centre_y(a), yb = centre_y(b);
  return round_mm(ya + (yb - ya) * (x - a) / (b - a));
}

std::vector<double> River::sample_x(double a, double b) const {
  const double low = std::min(a, b), high = std::max(a, b);
  std::vector<double> xs{low};
  // Grid vertices strictly inside, at least 0.5 m from the ends (no sliver segments).
  const auto first = static_cast<long long>(std::ceil((low - x_start) / kSampleStep));
  const auto last = static_cast<long long>(std::floor((high - x_start) / kSampleStep));
  for (long long k = first; k <= last; ++k) {
    const double x = round_mm(x_start + kSampleStep * static_cast<double>(k));
    if (x > low + 0.5 && x < high - 0.5) xs.push_back(x);
  }
  if (high > low) xs.push_back(high);
  if (a > b) std::reverse(xs.begin(), xs.end());
  return xs;
}

namespace {

Line make_road(const std::string& cls, const std::string& name, LineString geometry, bool bridge) {
  Line line;
  line.kind = LineKind::road;
  line.cls = cls;
  line.name = name;
  line.geometry = std::move(geometry);
  line.bridge = bridge;
  line.walkable = true;
  return line;
}

// Sorted, de-duplicated cut positions strictly inside (from, to).
std::vector<double> cuts(double from, double to, std::vector<double> positions) {
  std::vector<double> out{from};
  std::sort(positions.begin(), positions.end());
  for (double p : positions)
    if (p > from + 1e-6 && p < to - 1e-6 && p > out.back() + 1e-6) out.push_back(p);
  out.push_back(to);
  return out;
}

}  // namespace

void RoadNetwork::emit(std::vector<Line>& out) const {
  for (const StraightRoad& road : straight) {
    std::vector<double> positions = road.junctions;
    for (const auto& [start, end] : road.bridges) {
      positions.push_back(start);
      positions.push_back(end);
    }
    const std::vector<double> stops = cuts(road.from, road.to, std::move(positions));
    for (std::size_t k = 0; k + 1 < stops.size(); ++k) {
      const double a = stops[k], b = stops[k + 1];
      const bool bridge = std::any_of(road.bridges.begin(), road.bridges.end(), [&](const auto& s) {
        return a >= s.first - 1e-6 && b <= s.second + 1e-6;
      });
      LineString geometry = road.vertical ? LineString{{road.at, a}, {road.at, b}}
                                          : LineString{{a, road.at}, {b, road.at}};
      out.push_back(make_road(road.cls, road.name, std::move(geometry), bridge));
    }
  }
  for (const RiversideRoad& road : riverside) {
    const River& river = rivers[static_cast<std::size_t>(road.river)];
    const std::vector<double> stops = cuts(road.from, road.to, road.junctions);
    for (std::size_t k = 0; k + 1 < stops.size(); ++k) {
      LineString geometry;
      for (double x : river.sample_x(stops[k], stops[k + 1]))
        geometry.push_back({x, river.riverside_y(x, road.side)});
      out.push_back(make_road(road.cls, road.name, std::move(geometry), false));
    }
  }
}

}  // namespace gp::synth::detail
