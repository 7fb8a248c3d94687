#pragma once
// Tessellation of each community into one cell per building, and the adjacency between cells.
//
// Cells tile their community exactly (no gaps, no overlaps): the union of a community's cells is
// the community polygon. Hard barriers (rivers, water, rail, roads of hard classes) cut the
// community into faces; cells never straddle a face boundary, so two cells on either side of a
// hard barrier touch only along it and their adjacency is marked `Crossing::hard`. Soft roads cut
// faces into street blocks; cells of buildings in different blocks of one face are marked
// `Crossing::soft`. Faces that hold no building are merged into the neighbouring cell with the
// longest shared boundary (preferring one in the same hard face), so coverage stays seamless.
//
// Every footprint that one street block covers lies inside its own cell (up to rounding slivers);
// where footprints overlap, the shared area goes to the smaller footprint (reported), so a
// footprint nested inside another has a cell. Every cell is one piece (edge-connected).
//
// Preconditions: the dataset is projected (metres), validated (valid polygons), and every
// building has `community` set (the spatial join of geo/validate); buildings with
// `community == kNone` get no cell.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "planner/core/dataset.hpp"
#include "planner/core/progress.hpp"

namespace gp::geo {

enum class Crossing : std::uint8_t { none, soft, hard };

struct CellAdjacency {
  std::int32_t a = kNone;        // building index (a < b)
  std::int32_t b = kNone;        // building index
  double shared_length_m = 0.0;  // length of the common cell boundary, metres
  Crossing crossing = Crossing::none;
};

struct TessellationParams {
  /// Road classes (OSM highway values) that are hard barriers. Rivers, water and rail always are.
  std::set<std::string> hard_road_classes;
  /// Roads tagged bridge/tunnel do not cut faces (a bridge does not divide the land below it).
  bool bridges_cut = false;
  /// Cells sharing a boundary no longer than this (metres) are not adjacent: a corner touch or a
  /// snapping remnant does not make two cells neighbours.
  double min_shared_length_m = 0.01;
  /// Buildings whose footprint does not fit in the Voronoi cell of one interior point (a long
  /// building beside small ones) get Voronoi sites along their outline instead, this far apart
  /// at most (metres), and at least half this apart (a vertex nearer the site before it adds
  /// none) ...
  double outline_site_spacing_m = 6.0;
  /// ... or farther apart on long outlines, so that one gets about this many sites. The footprint
  /// still lies in its cell exactly: its outline is an edge of the arrangement; the spacing only
  /// decides how closely the rest of the cell follows its shape (docs/decisions/0003,
  /// "Performance (fourteenth version)": 2 m and every vertex gave real footprints 16 sites per
  /// building, and the diagram's edges made most of the tessellation's work).
  int outline_sites_max = 24;
  /// When GEOS fails on a community (a robustness failure while noding), the community is
  /// retried with its linework snap-rounded to this grid (metres), then to coarser ones.
  double snap_grid_m = 1e-6;
};

/// A cell lying in more than one hard face: a building standing across a hard barrier (its
/// footprint's far part in an area it alone touches), or an area without buildings joined to
/// the cell across one. Its part in each face (the "sides"), which tile the cell; a tower split
/// into unit runs gives the land on each side to the units on that side
/// (docs/decisions/0008-polygon-truth.md, "A split tower across a hard road").
struct CellSides {
  std::int32_t building = kNone;    // building index
  std::vector<MultiPolygon> sides;  // the cell's part in each hard face, ≥ 2
};

struct Tessellation {
  std::vector<MultiPolygon> cells;   // per building index; empty when the building has no cell
  std::vector<double> cell_area_m2;  // per building index
  std::vector<double> cell_perimeter_m;
  std::vector<std::int32_t> face;        // hard face id per building (kNone when no cell)
  std::vector<std::int32_t> block;       // street block id per building (kNone when no cell)
  std::int32_t face_count = 0;           // face ids are 0..face_count-1, numbered per community
  std::int32_t block_count = 0;          // block ids are 0..block_count-1; a block lies in one face
  std::vector<CellAdjacency> adjacency;  // sorted by (a, b), each pair once
  /// The cells lying in more than one hard face, by building ascending (rare: most cells lie
  /// in one face and are not listed).
  std::vector<CellSides> cell_sides;
  ProblemReporter problems;  // e.g. empty faces merged across a hard barrier
};

/// The sides of building `b`'s cell (CellSides::sides); empty when the cell lies in one hard
/// face.
const std::vector<MultiPolygon>& cell_sides_of(const Tessellation& tessellation, std::int32_t b);

Tessellation tessellate(const Dataset& dataset, const TessellationParams& params,
                        Progress& progress);

/// Union of cells (a coverage: edge-matched, non-overlapping) into one polygon, via GEOS
/// CoverageUnion (falls back to an ordinary union when the input is not a clean coverage).
/// Used for grid polygons. Thread-safe (one GEOS context per calling thread).
MultiPolygon union_cells(const std::vector<const MultiPolygon*>& cells);

}  // namespace gp::geo
