#pragma once
// What the map draws, prepared once per dataset/plan off the GUI thread: for every layer the
// triangles (fills) or segments (lines) uploaded to the scene graph, the vertex → feature map
// used to recolour without re-triangulating, and the feature outlines used by the software
// (QPainter) path and by hit testing. Coordinates are float metres relative to `origin` (the
// dataset's extent centre), which keeps float precision at the centimetre level in a projected
// CRS with 7-digit northings.

#include <QPolygonF>
#include <QRectF>
#include <QRgb>
#include <array>
#include <cstdint>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/partition/plan.hpp"

namespace gp::geo {
struct Tessellation;
}

namespace gp::studio {

enum class LayerId : int {
  communities,  // community fills (feature: community index)
  water,        // water areas
  cells,        // building cells coloured by their grid (feature: building index)
  compounds,    // compound outlines (feature: compound index)
  buildings,    // building fills (feature: building index)
  roads,        // road bands, world width (feature: line index)
  rivers,       // river and rail bands
  micro_lines,  // micro grid boundaries (feature: micro grid index)
  large_lines,  // large grid boundaries (feature: large grid index)
  community_lines,
  stations,   // station diamonds (feature: station index)
  highlight,  // selection and violations (rebuilt on demand)
  count
};
inline constexpr int kLayerCount = static_cast<int>(LayerId::count);

enum class Primitive { triangles, lines };

struct Layer {
  Primitive primitive = Primitive::triangles;
  std::vector<float> xy;                       // 2 floats per vertex, relative to Scene::origin
  std::vector<std::uint32_t> indices;          // triangles or line segments
  std::vector<std::int32_t> feature;           // per vertex
  std::vector<std::vector<QPolygonF>> shapes;  // per feature: rings (fills) or polylines (lines)
  std::vector<QRectF> bbox;                    // per feature, for culling in the software painter
  std::vector<float> band_width;               // per feature, metres (band layers: roads, rivers)
  std::vector<QRgb> colour;                    // per feature, unpremultiplied ARGB
  float pixel_width = 1.0f;                    // line width for the software painter
  std::uint64_t geometry_version = 0;          // bumped when xy/indices change
  std::uint64_t colour_version = 0;            // bumped when colour changes
  void clear_geometry() {
    xy.clear();
    indices.clear();
    feature.clear();
    shapes.clear();
    bbox.clear();
    band_width.clear();
  }
};

struct Scene {
  Point origin;
  Box extent;
  std::array<Layer, kLayerCount> layers;
  Layer& operator[](LayerId id) { return layers[static_cast<std::size_t>(id)]; }
  const Layer& operator[](LayerId id) const { return layers[static_cast<std::size_t>(id)]; }
};

/// Layers that depend on the dataset only (communities, water, compounds, buildings, roads,
/// rivers, stations).
void build_dataset_layers(Scene& scene, const Dataset& dataset);
/// Cell fills (from the tessellation) and grid boundaries (from the plan's polygons).
void build_plan_layers(Scene& scene, const Dataset& dataset, const geo::Tessellation* tess,
                       const Plan& plan);
/// Rebuilds the boundary layers from the plan's polygons (after an edit changed some of them).
void rebuild_grid_lines(Scene& scene, const Plan& plan);
/// Rebuilds a line layer from polygons (outlines), one feature per polygon.
void set_outlines(Layer& layer, const Scene& scene, const std::vector<const MultiPolygon*>& shapes);

/// Axis-aligned box of a feature's shapes in world coordinates.
Box feature_box(const Scene& scene, LayerId layer, std::int32_t feature);
/// The feature of a fill layer containing the world point, or -1 (last drawn wins).
std::int32_t hit_test(const Scene& scene, LayerId layer, const Point& world);

}  // namespace gp::studio
