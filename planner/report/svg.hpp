#pragma once
// The report's own drawing: maps and charts as inline SVG text (no scripts, no external URLs), so
// report.html opens offline in any browser and prints. Coordinates in: metres of a projected CRS
// (or degrees, with `geographic` set: x is then scaled by cos(latitude) so shapes keep their
// proportions). Out: SVG pixels, y down.

#include <string>
#include <vector>

#include "planner/core/geometry.hpp"

namespace gp::report::svg {

/// Maps a box of world coordinates into a width × height pixel frame with a margin, keeping
/// the aspect ratio (north up).
class Viewport {
 public:
  Viewport(const Box& world, double width_px, double max_height_px, bool geographic = false);
  [[nodiscard]] double width() const { return width_; }
  [[nodiscard]] double height() const { return height_; }
  [[nodiscard]] double x(const Point& p) const;
  [[nodiscard]] double y(const Point& p) const;
  /// Metres per pixel (for the scale bar); 0 when geographic.
  [[nodiscard]] double metres_per_px() const { return geographic_ ? 0.0 : 1.0 / scale_; }

 private:
  Box world_;
  double scale_ = 1.0;
  double x_factor_ = 1.0;
  double width_ = 0.0, height_ = 0.0;
  double margin_ = 8.0;
  bool geographic_ = false;
};

/// SVG path data ("M x y L ... Z") for a polygon, vertices closer than `min_px` pixels to the
/// previous one dropped (keeps files small without visible change).
std::string path_data(const MultiPolygon& shape, const Viewport& view, double min_px = 0.6);

/// Escapes text for SVG/HTML.
std::string escape(const std::string& text);

/// "#rrggbb" on a sequential ramp (light yellow → dark red) for t in [0,1].
std::string ramp_colour(double t);
/// Colour for one of a few classes (categorical, colour-blind safe).
std::string class_colour(int index);

/// A legend of colour swatches, drawn at (x, y).
std::string legend(double x, double y,
                   const std::vector<std::pair<std::string, std::string>>& colour_and_label);
/// A scale bar at the bottom left of the frame ("500 m").
std::string scale_bar(const Viewport& view);

/// A histogram of `values` with `bins` bins, optional vertical marker lines (e.g. the bounds)
/// with labels. Returns a complete <svg> element.
struct Marker {
  double value = 0.0;
  std::string label;
};
std::string histogram(const std::vector<double>& values, int bins, const std::string& x_label,
                      const std::vector<Marker>& markers, double width_px = 520,
                      double height_px = 220);

/// Horizontal bars, one per (label, value); values in [0, max] drawn to scale, `limit` drawn as
/// a dashed line when positive. Returns a complete <svg> element.
std::string bars(const std::vector<std::pair<std::string, double>>& values,
                 const std::string& value_format, double limit, const std::string& limit_label,
                 double width_px = 520);

/// A tornado chart: one row per (label, value at −step, value at +step) around `base`, sorted
/// as given (largest swing first), the −step side blue and the +step side red, the base as a
/// vertical line with its label. Rows with a non-finite value are skipped. Returns a complete
/// <svg> element.
struct TornadoRow {
  std::string label;
  double low = 0.0;   // value with the parameter at −step
  double high = 0.0;  // value with the parameter at +step
};
std::string tornado(const std::vector<TornadoRow>& rows, double base, const std::string& base_label,
                    const std::string& value_format, double width_px = 620);

/// Formats a number with `decimals` places ("1234.5").
std::string fixed(double value, int decimals);

}  // namespace gp::report::svg
