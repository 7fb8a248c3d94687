#include "scene.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <thread>

#include "planner/core/road_classes.hpp"
#include "planner/geo/tessellation.hpp"
#include "planner/report/style.hpp"
#include "triangulate.hpp"

namespace gp::studio {
namespace {

QPolygonF to_polygon(const std::vector<Point>& points, const Point& origin) {
  QPolygonF out;
  out.reserve(static_cast<qsizetype>(points.size()));
  for (const Point& p : points) out.append(QPointF(p.x - origin.x, p.y - origin.y));
  return out;
}

std::vector<QPolygonF> to_rings(const MultiPolygon& mp, const Point& origin) {
  std::vector<QPolygonF> rings;
  for (const Polygon& p : mp) {
    rings.push_back(to_polygon(p.outer, origin));
    for (const Ring& h : p.holes) rings.push_back(to_polygon(h, origin));
  }
  return rings;
}

QRectF rings_box(const std::vector<QPolygonF>& rings) {
  QRectF box;
  for (const QPolygonF& r : rings)
    box = box.isNull() ? r.boundingRect() : box.united(r.boundingRect());
  return box;
}

void add_fill(Layer& layer, const MultiPolygon& mp, const Point& origin, std::int32_t feature) {
  const std::size_t first = layer.xy.size() / 2;
  for (const Polygon& p : mp) triangulate(p, origin, layer.xy, layer.indices);
  layer.feature.resize(layer.xy.size() / 2, feature);
  (void)first;
  layer.shapes.push_back(to_rings(mp, origin));
  layer.bbox.push_back(rings_box(layer.shapes.back()));
}

void add_segments(Layer& layer, const std::vector<Point>& line, const Point& origin,
                  std::int32_t feature) {
  if (line.size() < 2) return;
  const auto first = static_cast<std::uint32_t>(layer.xy.size() / 2);
  for (const Point& p : line) {
    layer.xy.push_back(static_cast<float>(p.x - origin.x));
    layer.xy.push_back(static_cast<float>(p.y - origin.y));
    layer.feature.push_back(feature);
  }
  for (std::uint32_t i = 0; i + 1 < line.size(); ++i)
    layer.indices.insert(layer.indices.end(), {first + i, first + i + 1});
}

// Fills for many shapes (buildings, cells): triangulated in contiguous chunks on up to
// hardware_concurrency threads, then appended in feature order, so the layer is the same as
// when built on one thread.
void add_fills(Layer& layer, const std::vector<const MultiPolygon*>& shapes, const Point& origin) {
  const std::size_t n = shapes.size();
  const std::size_t threads =
      n < 4000 ? 1 : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<Layer> parts(threads);
  auto build = [&](std::size_t t) {
    Layer& part = parts[t];
    const std::size_t first = n * t / threads, last = n * (t + 1) / threads;
    part.xy.reserve((last - first) * 12);
    part.indices.reserve((last - first) * 8);
    for (std::size_t f = first; f < last; ++f)
      add_fill(part, shapes[f] ? *shapes[f] : MultiPolygon{}, origin, static_cast<std::int32_t>(f));
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(build, t);
  build(0);
  for (std::thread& th : pool) th.join();
  std::size_t xy = layer.xy.size(), indices = layer.indices.size();
  for (const Layer& part : parts) {
    xy += part.xy.size();
    indices += part.indices.size();
  }
  layer.xy.reserve(xy);
  layer.indices.reserve(indices);
  layer.feature.reserve(xy / 2);
  layer.shapes.reserve(layer.shapes.size() + n);
  layer.bbox.reserve(layer.bbox.size() + n);
  for (Layer& part : parts) {
    const auto base = static_cast<std::uint32_t>(layer.xy.size() / 2);
    layer.xy.insert(layer.xy.end(), part.xy.begin(), part.xy.end());
    for (std::uint32_t i : part.indices) layer.indices.push_back(base + i);
    layer.feature.insert(layer.feature.end(), part.feature.begin(), part.feature.end());
    std::move(part.shapes.begin(), part.shapes.end(), std::back_inserter(layer.shapes));
    layer.bbox.insert(layer.bbox.end(), part.bbox.begin(), part.bbox.end());
  }
}

// A band of `width` metres along a polyline: one quad per segment, extended by half the width
// at both ends so that joints have no notches.
void add_band(Layer& layer, const std::vector<Point>& line, double width, const Point& origin,
              std::int32_t feature) {
  const double h = width / 2.0;
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const double x0 = line[i].x - origin.x, y0 = line[i].y - origin.y;
    const double x1 = line[i + 1].x - origin.x, y1 = line[i + 1].y - origin.y;
    const double len = std::hypot(x1 - x0, y1 - y0);
    if (len == 0.0) continue;
    const double ux = (x1 - x0) / len * h, uy = (y1 - y0) / len * h;
    const double nx = -uy, ny = ux;
    const auto base = static_cast<std::uint32_t>(layer.xy.size() / 2);
    const double pts[4][2] = {{x0 - ux + nx, y0 - uy + ny},
                              {x0 - ux - nx, y0 - uy - ny},
                              {x1 + ux - nx, y1 + uy - ny},
                              {x1 + ux + nx, y1 + uy + ny}};
    for (const auto& p : pts) {
      layer.xy.push_back(static_cast<float>(p[0]));
      layer.xy.push_back(static_cast<float>(p[1]));
      layer.feature.push_back(feature);
    }
    layer.indices.insert(layer.indices.end(), {base, base + 1, base + 2, base, base + 2, base + 3});
  }
  layer.shapes.push_back({to_polygon(line, origin)});
  layer.bbox.push_back(rings_box(layer.shapes.back()).adjusted(-h, -h, h, h));
  layer.band_width.push_back(static_cast<float>(width));
}

// Drawn carriageway width, m: the one table in core/road_classes (shared with the PNG renderer).
double road_width(const Line& line) {
  return road_drawn_width_m(line.cls);
}

}  // namespace

void set_outlines(Layer& layer, const Scene& scene,
                  const std::vector<const MultiPolygon*>& shapes) {
  layer.clear_geometry();
  layer.primitive = Primitive::lines;
  for (std::size_t f = 0; f < shapes.size(); ++f) {
    const auto feature = static_cast<std::int32_t>(f);
    std::vector<QPolygonF> rings;
    if (shapes[f]) {
      for (const Polygon& p : *shapes[f]) {
        add_segments(layer, p.outer, scene.origin, feature);
        for (const Ring& h : p.holes) add_segments(layer, h, scene.origin, feature);
      }
      rings = to_rings(*shapes[f], scene.origin);
    }
    layer.bbox.push_back(rings_box(rings));
    layer.shapes.push_back(std::move(rings));
  }
  layer.colour.resize(shapes.size(), layer.colour.empty() ? qRgb(0, 0, 0) : layer.colour.front());
  ++layer.geometry_version;
  ++layer.colour_version;
}

void build_dataset_layers(Scene& scene, const Dataset& dataset) {
  scene.extent = dataset.extent();
  scene.origin = scene.extent.empty() ? Point{}
                                      : Point{(scene.extent.min_x + scene.extent.max_x) / 2.0,
                                              (scene.extent.min_y + scene.extent.max_y) / 2.0};
  const Point o = scene.origin;

  Layer& communities = scene[LayerId::communities];
  communities.clear_geometry();
  for (std::size_t c = 0; c < dataset.communities.size(); ++c)
    add_fill(communities, dataset.communities[c].footprint, o, static_cast<std::int32_t>(c));
  communities.colour.assign(dataset.communities.size(), qRgb(0xf4, 0xf1, 0xea));

  std::vector<const MultiPolygon*> community_shapes;
  for (const Community& c : dataset.communities) community_shapes.push_back(&c.footprint);
  Layer& community_lines = scene[LayerId::community_lines];
  community_lines.colour.assign(1, qRgb(0x5a, 0x3e, 0x8e));
  community_lines.pixel_width = 3.0f;
  set_outlines(community_lines, scene, community_shapes);

  Layer& water = scene[LayerId::water];
  water.clear_geometry();
  for (std::size_t w = 0; w < dataset.water.size(); ++w)
    add_fill(water, dataset.water[w].footprint, o, static_cast<std::int32_t>(w));
  water.colour.assign(dataset.water.size(), qRgb(0xa8, 0xcf, 0xea));

  std::vector<const MultiPolygon*> compound_shapes;
  for (const Compound& c : dataset.compounds) compound_shapes.push_back(&c.footprint);
  Layer& compounds = scene[LayerId::compounds];
  compounds.colour.assign(1, qRgb(0x8a, 0x7a, 0x5c));
  compounds.pixel_width = 1.0f;
  set_outlines(compounds, scene, compound_shapes);

  Layer& buildings = scene[LayerId::buildings];
  buildings.clear_geometry();
  std::vector<const MultiPolygon*> footprints;
  footprints.reserve(dataset.buildings.size());
  for (const Building& b : dataset.buildings) footprints.push_back(&b.footprint);
  add_fills(buildings, footprints, o);
  buildings.colour.assign(dataset.buildings.size(), qRgb(0x6b, 0x6b, 0x6b));

  Layer& roads = scene[LayerId::roads];
  Layer& rivers = scene[LayerId::rivers];
  roads.clear_geometry();
  rivers.clear_geometry();
  roads.colour.clear();
  rivers.colour.clear();
  for (std::size_t i = 0; i < dataset.lines.size(); ++i) {
    const Line& line = dataset.lines[i];
    // Features are numbered per layer; keep the dataset index in the colour slot order.
    if (line.kind == LineKind::road) {
      add_band(roads, line.geometry, road_width(line), o,
               static_cast<std::int32_t>(roads.shapes.size()));
      roads.colour.push_back(qRgb(0xff, 0xff, 0xff));
    } else {
      add_band(rivers, line.geometry, line.kind == LineKind::river ? 24.0 : 5.0, o,
               static_cast<std::int32_t>(rivers.shapes.size()));
      rivers.colour.push_back(line.kind == LineKind::river ? qRgb(0x7f, 0xb8, 0xe0)
                                                           : qRgb(0x55, 0x55, 0x55));
    }
  }

  Layer& stations = scene[LayerId::stations];
  stations.clear_geometry();
  for (std::size_t s = 0; s < dataset.stations.size(); ++s) {
    const Station& st = dataset.stations[s];
    const double r = st.tier == StationTier::county_centre      ? 40.0
                     : st.tier == StationTier::community_centre ? 28.0
                                                                : 18.0;
    const Point c = st.location;
    Polygon diamond;
    diamond.outer = {
        {c.x, c.y - r}, {c.x + r, c.y}, {c.x, c.y + r}, {c.x - r, c.y}, {c.x, c.y - r}};
    add_fill(stations, MultiPolygon{diamond}, o, static_cast<std::int32_t>(s));
    // The tier colours of the report and the QGIS styles (planner/report/style.hpp).
    const gp::report::style::Rgb tier = gp::report::style::station_symbol(st.tier).colour;
    stations.colour.push_back(qRgb(tier.r, tier.g, tier.b));
  }
  for (LayerId id : {LayerId::communities, LayerId::water, LayerId::buildings, LayerId::roads,
                     LayerId::rivers, LayerId::stations}) {
    ++scene[id].geometry_version;
    ++scene[id].colour_version;
  }
}

void rebuild_grid_lines(Scene& scene, const Plan& plan) {
  std::vector<const MultiPolygon*> micro, large;
  for (const Grid& g : plan.micro_grids) micro.push_back(&g.polygon);
  for (const Grid& g : plan.large_grids) large.push_back(&g.polygon);
  Layer& ml = scene[LayerId::micro_lines];
  Layer& ll = scene[LayerId::large_lines];
  ml.pixel_width = 1.0f;
  ll.pixel_width = 2.5f;
  set_outlines(ml, scene, micro);
  set_outlines(ll, scene, large);
}

void build_plan_layers(Scene& scene, const Dataset& dataset, const geo::Tessellation* tess,
                       const Plan& plan) {
  Layer& cells = scene[LayerId::cells];
  cells.clear_geometry();
  if (tess) {
    std::vector<const MultiPolygon*> shapes(dataset.buildings.size(), nullptr);
    for (std::size_t b = 0; b < shapes.size() && b < tess->cells.size(); ++b)
      shapes[b] = &tess->cells[b];
    add_fills(cells, shapes, scene.origin);
  } else {
    // No tessellation (a plan read from a run): fill the micro grid polygons, one feature per
    // building slot is not available, so features are micro grid indices offset past buildings.
    for (std::size_t b = 0; b < dataset.buildings.size(); ++b) {
      cells.shapes.emplace_back();
      cells.bbox.emplace_back();
    }
  }
  cells.colour.assign(dataset.buildings.size(), qRgba(0, 0, 0, 0));
  ++cells.geometry_version;
  ++cells.colour_version;
  rebuild_grid_lines(scene, plan);
}

Box feature_box(const Scene& scene, LayerId layer, std::int32_t feature) {
  Box box;
  const Layer& l = scene[layer];
  if (feature < 0 || static_cast<std::size_t>(feature) >= l.shapes.size()) return box;
  for (const QPolygonF& ring : l.shapes[static_cast<std::size_t>(feature)]) {
    const QRectF r = ring.boundingRect();
    box.expand(Point{r.left() + scene.origin.x, r.top() + scene.origin.y});
    box.expand(Point{r.right() + scene.origin.x, r.bottom() + scene.origin.y});
  }
  return box;
}

std::int32_t hit_test(const Scene& scene, LayerId layer, const Point& world) {
  const Layer& l = scene[layer];
  const QPointF p(world.x - scene.origin.x, world.y - scene.origin.y);
  for (std::size_t f = l.shapes.size(); f-- > 0;) {
    const auto& rings = l.shapes[f];
    if (rings.empty()) continue;
    int inside = 0;
    for (const QPolygonF& ring : rings) {
      const QRectF r = ring.boundingRect();
      if (!r.contains(p)) continue;
      if (ring.containsPoint(p, Qt::OddEvenFill)) ++inside;
    }
    if (inside % 2 == 1) return static_cast<std::int32_t>(f);
  }
  return -1;
}

}  // namespace gp::studio
