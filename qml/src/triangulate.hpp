#pragma once
// Polygon triangulation for the studio's map layers: ear clipping, with holes bridged into the
// outer ring first (each hole joined to the outer boundary through a mutually visible vertex).
// Display only: the engine never uses it. O(n²) in the worst case, which is fine for building
// footprints (4–20 vertices) and grid polygons (a few hundred).

#include <cstdint>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::studio {

/// Triangles of `polygon` as indices into `out_xy` (pairs of coordinates relative to `origin`),
/// appended to `out_xy` and `out_indices`. Returns the number of triangles added. Degenerate
/// input (fewer than 3 distinct vertices, zero area) adds nothing.
std::size_t triangulate(const Polygon& polygon, const Point& origin, std::vector<float>& out_xy,
                        std::vector<std::uint32_t>& out_indices);

}  // namespace gp::studio
