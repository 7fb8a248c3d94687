#include "planner/report/svg.hpp"

#include "planner/core/text.hpp"
#include "planner/report/style.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace gp::report::svg {

Viewport::Viewport(const Box& world, double width_px, double max_height_px, bool geographic)
    : world_(world), geographic_(geographic) {
  if (world_.empty()) world_ = Box{0, 0, 1, 1};
  if (geographic_) {
    const double lat = (world_.min_y + world_.max_y) / 2.0 * M_PI / 180.0;
    x_factor_ = std::cos(lat);
  }
  const double w = std::max(world_.width() * x_factor_, 1e-9);
  const double h = std::max(world_.height(), 1e-9);
  scale_ = std::min((width_px - 2 * margin_) / w, (max_height_px - 2 * margin_) / h);
  width_ = w * scale_ + 2 * margin_;
  height_ = h * scale_ + 2 * margin_;
}

double Viewport::x(const Point& p) const {
  return margin_ + (p.x - world_.min_x) * x_factor_ * scale_;
}
double Viewport::y(const Point& p) const {
  return margin_ + (world_.max_y - p.y) * scale_;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string path_data(const MultiPolygon& shape, const Viewport& view, double min_px) {
  std::string d;
  char buffer[64];
  auto ring = [&](const Ring& r) {
    if (r.size() < 3) return;
    double last_x = 0, last_y = 0;
    bool first = true;
    int kept = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double x = view.x(r[i]), y = view.y(r[i]);
      const bool last = i + 1 == r.size();
      if (!first && !last && std::abs(x - last_x) < min_px && std::abs(y - last_y) < min_px)
        continue;
      std::snprintf(buffer, sizeof buffer, "%s%.1f %.1f", first ? "M" : "L", x, y);
      d += buffer;
      last_x = x;
      last_y = y;
      first = false;
      ++kept;
    }
    d += "Z";
    (void)kept;
  };
  for (const Polygon& polygon : shape) {
    ring(polygon.outer);
    for (const Ring& hole : polygon.holes) ring(hole);
  }
  return d;
}

std::string escape(const std::string& text) {
  return xml_escape(text);
}

std::string ramp_colour(double t) {
  // The ramp is defined once, for the report, the studio and the QGIS styles.
  return style::ramp(t).hex();
}

std::string class_colour(int index) {
  // Okabe-Ito palette.
  static const char* colours[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                  "#56b4e9", "#d55e00", "#f0e442", "#000000"};
  return colours[static_cast<std::size_t>(index) % 8];
}

std::string legend(double x, double y,
                   const std::vector<std::pair<std::string, std::string>>& colour_and_label) {
  std::string out;
  for (std::size_t i = 0; i < colour_and_label.size(); ++i) {
    const double row = y + static_cast<double>(i) * 18.0;
    out += "<rect x=\"" + fixed(x, 1) + "\" y=\"" + fixed(row, 1) +
           "\" width=\"14\" height=\"12\" fill=\"" + colour_and_label[i].first +
           "\" stroke=\"#555\" stroke-width=\"0.5\"/>";
    out += "<text x=\"" + fixed(x + 20, 1) + "\" y=\"" + fixed(row + 10.5, 1) +
           "\" font-size=\"12\">" + escape(colour_and_label[i].second) + "</text>";
  }
  return out;
}

std::string scale_bar(const Viewport& view) {
  const double mpp = view.metres_per_px();
  if (mpp <= 0.0) return "";
  // The round length closest to a quarter of the map width.
  const double target = view.width() / 4.0 * mpp;
  const double magnitude = std::pow(10.0, std::floor(std::log10(target)));
  double length = magnitude;
  for (double f : {1.0, 2.0, 5.0})
    if (f * magnitude <= target) length = f * magnitude;
  const double px = length / mpp;
  const double y = view.height() - 14.0;
  const std::string label =
      length >= 1000 ? fixed(length / 1000.0, 0) + " km" : fixed(length, 0) + " m";
  return "<g class=\"scale\"><rect x=\"12\" y=\"" + fixed(y - 12, 1) + "\" width=\"" +
         fixed(px + 8, 1) + "\" height=\"20\" fill=\"white\" fill-opacity=\"0.8\"/><path d=\"M16 " +
         fixed(y, 1) + "h" + fixed(px, 1) +
         "\" stroke=\"#222\" stroke-width=\"3\"/><text x=\"16\" y=\"" + fixed(y - 3, 1) +
         "\" font-size=\"11\">" + label + "</text></g>";
}

std::string histogram(const std::vector<double>& values, int bins, const std::string& x_label,
                      const std::vector<Marker>& markers, double width_px, double height_px) {
  const double left = 44, right = 12, top = 14, bottom = 40;
  const double plot_w = width_px - left - right, plot_h = height_px - top - bottom;
  double lo = values.empty() ? 0.0 : *std::min_element(values.begin(), values.end());
  double hi = values.empty() ? 1.0 : *std::max_element(values.begin(), values.end());
  for (const Marker& m : markers) {
    lo = std::min(lo, m.value);
    hi = std::max(hi, m.value);
  }
  if (hi <= lo) hi = lo + 1.0;
  const double pad = (hi - lo) * 0.05;
  const bool non_negative = lo >= 0.0;
  lo -= pad;
  if (non_negative) lo = std::max(lo, 0.0);  // counts never go below 0 on the axis
  hi += pad;
  bins = std::max(bins, 1);
  std::vector<int> counts(static_cast<std::size_t>(bins), 0);
  for (double v : values) {
    int b = static_cast<int>((v - lo) / (hi - lo) * bins);
    ++counts[static_cast<std::size_t>(std::clamp(b, 0, bins - 1))];
  }
  const int most = std::max(1, *std::max_element(counts.begin(), counts.end()));
  auto px = [&](double v) { return left + (v - lo) / (hi - lo) * plot_w; };
  std::string out = "<svg class=\"chart\" width=\"" + fixed(width_px, 0) + "\" height=\"" +
                    fixed(height_px, 0) + "\" viewBox=\"0 0 " + fixed(width_px, 0) + " " +
                    fixed(height_px, 0) + "\">";
  out += "<rect x=\"" + fixed(left, 1) + "\" y=\"" + fixed(top, 1) + "\" width=\"" +
         fixed(plot_w, 1) + "\" height=\"" + fixed(plot_h, 1) + "\" fill=\"#fafafa\"/>";
  for (int b = 0; b < bins; ++b) {
    const double h = counts[static_cast<std::size_t>(b)] / static_cast<double>(most) * plot_h;
    const double x0 = left + b * plot_w / bins;
    out += "<rect x=\"" + fixed(x0 + 0.5, 1) + "\" y=\"" + fixed(top + plot_h - h, 1) +
           "\" width=\"" + fixed(plot_w / bins - 1.0, 1) + "\" height=\"" + fixed(h, 1) +
           "\" fill=\"#4a7fb5\"><title>" + fixed(lo + b * (hi - lo) / bins, 0) + "–" +
           fixed(lo + (b + 1) * (hi - lo) / bins, 0) + ": " +
           std::to_string(counts[static_cast<std::size_t>(b)]) + "</title></rect>";
  }
  // Axes: y ticks at 0, most/2, most; x ticks at 5 positions.
  for (int i = 0; i <= 2; ++i) {
    const int count = most * i / 2;
    const double y = top + plot_h - count / static_cast<double>(most) * plot_h;
    out += "<text x=\"" + fixed(left - 4, 1) + "\" y=\"" + fixed(y + 4, 1) +
           "\" font-size=\"10\" text-anchor=\"end\">" + std::to_string(count) + "</text>";
  }
  for (int i = 0; i <= 4; ++i) {
    const double v = lo + (hi - lo) * i / 4.0;
    out += "<text x=\"" + fixed(px(v), 1) + "\" y=\"" + fixed(top + plot_h + 13, 1) +
           "\" font-size=\"10\" text-anchor=\"middle\">" + fixed(v, 0) + "</text>";
  }
  for (const Marker& m : markers) {
    const double x = px(m.value);
    out += "<path d=\"M" + fixed(x, 1) + " " + fixed(top, 1) + "v" + fixed(plot_h, 1) +
           "\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\" stroke-width=\"1.5\"/>";
    out += "<text x=\"" + fixed(x + 3, 1) + "\" y=\"" + fixed(top + 10, 1) +
           "\" font-size=\"10\" fill=\"#c0392b\">" + escape(m.label) + "</text>";
  }
  out += "<text x=\"" + fixed(left + plot_w / 2, 1) + "\" y=\"" + fixed(height_px - 6, 1) +
         "\" font-size=\"11\" text-anchor=\"middle\">" + escape(x_label) + "</text></svg>";
  return out;
}

std::string bars(const std::vector<std::pair<std::string, double>>& values,
                 const std::string& value_format, double limit, const std::string& limit_label,
                 double width_px) {
  const double left = 120, right = 60, row_h = 14, top = 16;
  const double height_px = top + row_h * static_cast<double>(values.size()) + 10;
  double most = limit > 0 ? limit : 0.0;
  for (const auto& [label, v] : values)
    if (std::isfinite(v)) most = std::max(most, v);
  if (most <= 0) most = 1;
  const double plot_w = width_px - left - right;
  std::string out = "<svg class=\"chart\" width=\"" + fixed(width_px, 0) + "\" height=\"" +
                    fixed(height_px, 0) + "\" viewBox=\"0 0 " + fixed(width_px, 0) + " " +
                    fixed(height_px, 0) + "\">";
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double y = top + static_cast<double>(i) * row_h;
    const double v = std::isfinite(values[i].second) ? values[i].second : 0.0;
    const double w = v / most * plot_w;
    const bool over = limit > 0 && v > limit;
    char text[64];
    std::snprintf(text, sizeof text, value_format.c_str(), v);
    out += "<text x=\"" + fixed(left - 4, 1) + "\" y=\"" + fixed(y + 10, 1) +
           "\" font-size=\"10\" text-anchor=\"end\">" + escape(values[i].first) + "</text>";
    out += "<rect x=\"" + fixed(left, 1) + "\" y=\"" + fixed(y + 1, 1) + "\" width=\"" +
           fixed(std::max(w, 0.5), 1) + "\" height=\"" + fixed(row_h - 3, 1) + "\" fill=\"" +
           (over ? "#c0392b" : "#4a7fb5") + "\"/>";
    out += "<text x=\"" + fixed(left + w + 4, 1) + "\" y=\"" + fixed(y + 10, 1) +
           "\" font-size=\"10\">" + text + "</text>";
  }
  if (limit > 0) {
    const double x = left + limit / most * plot_w;
    out += "<path d=\"M" + fixed(x, 1) + " " + fixed(top - 4, 1) + "V" + fixed(height_px - 6, 1) +
           "\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\" stroke-width=\"1.5\"/><text x=\"" +
           fixed(x + 3, 1) + "\" y=\"10\" font-size=\"10\" fill=\"#c0392b\">" +
           escape(limit_label) + "</text>";
  }
  return out + "</svg>";
}

std::string tornado(const std::vector<TornadoRow>& input, double base,
                    const std::string& base_label, const std::string& value_format,
                    double width_px) {
  std::vector<TornadoRow> rows;
  for (const TornadoRow& r : input)
    if (std::isfinite(r.low) && std::isfinite(r.high)) rows.push_back(r);
  const double left = 200, right = 70, row_h = 16, top = 30;
  const double height_px = top + row_h * static_cast<double>(rows.size()) + 24;
  double lo = base, hi = base;
  for (const TornadoRow& r : rows) {
    lo = std::min({lo, r.low, r.high});
    hi = std::max({hi, r.low, r.high});
  }
  if (hi - lo <= 0) hi = lo + 1;
  const double plot_w = width_px - left - right;
  auto x = [&](double v) { return left + (v - lo) / (hi - lo) * plot_w; };
  auto label = [&](double v) {
    char text[64];
    std::snprintf(text, sizeof text, value_format.c_str(), v);
    return std::string(text);
  };
  std::string out = "<svg class=\"chart\" width=\"" + fixed(width_px, 0) + "\" height=\"" +
                    fixed(height_px, 0) + "\" viewBox=\"0 0 " + fixed(width_px, 0) + " " +
                    fixed(height_px, 0) + "\">";
  out += legend(left, 2, {{"#4a7fb5", "−25 %"}, {"#c0392b", "+25 %"}});
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const TornadoRow& r = rows[i];
    const double y = top + static_cast<double>(i) * row_h;
    out += "<text x=\"" + fixed(left - 4, 1) + "\" y=\"" + fixed(y + 11, 1) +
           "\" font-size=\"10\" text-anchor=\"end\">" + escape(r.label) + "</text>";
    for (int side = 0; side < 2; ++side) {
      const double v = side == 0 ? r.low : r.high;
      const double a = std::min(x(base), x(v)), b = std::max(x(base), x(v));
      out += "<rect x=\"" + fixed(a, 1) + "\" y=\"" + fixed(y + 1, 1) + "\" width=\"" +
             fixed(std::max(b - a, 0.5), 1) + "\" height=\"" + fixed(row_h - 3, 1) + "\" fill=\"" +
             (side == 0 ? "#4a7fb5" : "#c0392b") + "\" fill-opacity=\"0.85\"><title>" +
             escape(r.label + (side == 0 ? " −25 %: " : " +25 %: ") + label(v)) + "</title></rect>";
    }
    const double far = std::max(x(r.low), x(r.high));
    out += "<text x=\"" + fixed(far + 4, 1) + "\" y=\"" + fixed(y + 11, 1) +
           "\" font-size=\"9\" fill=\"#555\">" + escape(label(r.low) + " / " + label(r.high)) +
           "</text>";
  }
  out += "<path d=\"M" + fixed(x(base), 1) + " " + fixed(top - 4, 1) + "V" +
         fixed(height_px - 18, 1) + "\" stroke=\"#222\" stroke-width=\"1.2\"/><text x=\"" +
         fixed(x(base), 1) + "\" y=\"" + fixed(height_px - 6, 1) +
         "\" font-size=\"10\" text-anchor=\"middle\">" + escape(base_label + " " + label(base)) +
         "</text>";
  return out + "</svg>";
}

}  // namespace gp::report::svg
