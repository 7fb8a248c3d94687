#include "planner/report/raster_map.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "planner/core/errors.hpp"
#include "planner/core/road_classes.hpp"

namespace gp::report {

namespace {

struct Rgb {
  std::uint8_t r, g, b;
};

constexpr Rgb hex(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 16 & 0xFF), static_cast<std::uint8_t>(v >> 8 & 0xFF),
          static_cast<std::uint8_t>(v & 0xFF)};
}

// A cartographic palette close to what Chinese planners see on OpenStreetMap-style base maps.
constexpr Rgb kBackground = hex(0xEFECE4);
constexpr Rgb kWater = hex(0x9CC9E0);
constexpr Rgb kRiverLine = hex(0x5E9CC4);
constexpr Rgb kCompound = hex(0xE6DED0);
constexpr Rgb kCompoundWall = hex(0xB09E80);
constexpr Rgb kCommunityLine = hex(0x7A3E9D);
constexpr Rgb kCasing = hex(0x9A8F84);
constexpr Rgb kBridgeCasing = hex(0x2B2B2B);
constexpr Rgb kPrimary = hex(0xF9B26B);
constexpr Rgb kSecondary = hex(0xF6E58D);
constexpr Rgb kBranch = hex(0xFFFFFF);
constexpr Rgb kFootway = hex(0xE0705F);
constexpr Rgb kRail = hex(0x6E6E6E);
constexpr Rgb kStation = hex(0xD7261E);
constexpr Rgb kText = hex(0x222222);
constexpr Rgb kPanel = hex(0xFBFAF7);
constexpr std::array<Rgb, 6> kCommunityTints = {hex(0xF3EEDF), hex(0xE9EFE0), hex(0xEDE6EF),
                                                hex(0xE4ECF1), hex(0xF2E6DF), hex(0xEAEAE0)};

Rgb building_colour(const Building& b) {
  switch (b.use) {
    case BuildingUse::residential: {
      if (b.floors <= 2) return hex(0xC99B73);  // bungalows and houses
      // Darker with height: walk-ups, mid-rises, towers.
      const double t = std::clamp((b.floors - 5) / 28.0, 0.0, 1.0);
      return {static_cast<std::uint8_t>(196 - 90 * t), static_cast<std::uint8_t>(168 - 88 * t),
              static_cast<std::uint8_t>(150 - 70 * t)};
    }
    case BuildingUse::mixed:
      return hex(0xE8A15A);
    case BuildingUse::school:
      return hex(0xE3C21B);
    case BuildingUse::hospital:
      return hex(0xD9534F);
    case BuildingUse::office:
      return hex(0x5B7DB1);
    case BuildingUse::commercial:
      return hex(0xE07B39);
    case BuildingUse::industrial:
      return hex(0x9B86B8);
    case BuildingUse::ancillary:
      return hex(0xB3ABA2);
    case BuildingUse::other:
      return hex(0x9C9C9C);
  }
  return hex(0x9C9C9C);
}

/// Carriageway width drawn for a road class, m, and its rank: the one table in core/road_classes.
double drawn_width_m(const std::string& cls) {
  return gp::road_drawn_width_m(cls);
}
int road_rank(const std::string& cls) {
  return gp::road_rank(cls);
}
Rgb road_fill(const std::string& cls) {
  const int rank = road_rank(cls);
  if (rank >= 5) return kPrimary;
  if (rank == 4) return kSecondary;
  if (rank >= 1) return kBranch;
  return kFootway;
}

struct Px {
  double x, y;
};

/// An RGB raster with even-odd scanline polygon filling (pixel centres), strokes built from
/// quads and discs, and opacity blending.
class Canvas {
 public:
  Canvas(int width, int height, Rgb fill)
      : width_(width), height_(height), data_(static_cast<std::size_t>(width) * height * 3) {
    for (std::size_t i = 0; i < data_.size(); i += 3) {
      data_[i] = fill.r;
      data_[i + 1] = fill.g;
      data_[i + 2] = fill.b;
    }
  }
  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }
  [[nodiscard]] const std::vector<std::uint8_t>& data() const { return data_; }

  void fill(const std::vector<std::vector<Px>>& rings, Rgb c, double opacity = 1.0) {
    double min_y = INFINITY, max_y = -INFINITY;
    for (const auto& ring : rings)
      for (const Px& p : ring) min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
    if (!(min_y <= max_y)) return;
    const int y0 = std::max(0, static_cast<int>(std::ceil(min_y - 0.5)));
    const int y1 = std::min(height_ - 1, static_cast<int>(std::floor(max_y - 0.5)));
    std::vector<double> xs;
    for (int y = y0; y <= y1; ++y) {
      const double yc = y + 0.5;
      xs.clear();
      for (const auto& ring : rings) {
        const std::size_t n = ring.size();
        for (std::size_t i = 0; i < n; ++i) {
          const Px& a = ring[i];
          const Px& b = ring[(i + 1) % n];
          if ((a.y <= yc) != (b.y <= yc))
            xs.push_back(a.x + (yc - a.y) * (b.x - a.x) / (b.y - a.y));
        }
      }
      std::sort(xs.begin(), xs.end());
      for (std::size_t k = 0; k + 1 < xs.size(); k += 2) {
        const int xa = std::max(0, static_cast<int>(std::ceil(xs[k] - 0.5)));
        const int xb = std::min(width_ - 1, static_cast<int>(std::floor(xs[k + 1] - 0.5)));
        for (int x = xa; x <= xb; ++x) blend(x, y, c, opacity);
      }
    }
  }

  void disc(Px centre, double radius, Rgb c) {
    std::vector<Px> ring;
    constexpr int kSides = 16;
    for (int k = 0; k < kSides; ++k) {
      const double a = 2.0 * 3.14159265358979 * k / kSides;
      ring.push_back({centre.x + radius * std::cos(a), centre.y + radius * std::sin(a)});
    }
    fill({ring}, c);
  }

  /// A polyline of the given width (px) with round joins and caps.
  void stroke(const std::vector<Px>& line, double width, Rgb c, bool round = true) {
    const double h = std::max(width, 0.8) / 2.0;
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      const Px a = line[i], b = line[i + 1];
      const double dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
      if (len < 1e-9) continue;
      const double nx = -dy / len * h, ny = dx / len * h;
      fill({{{a.x + nx, a.y + ny},
             {b.x + nx, b.y + ny},
             {b.x - nx, b.y - ny},
             {a.x - nx, a.y - ny}}},
           c);
    }
    if (round && h > 1.0)
      for (const Px& p : line) disc(p, h, c);
  }

  /// A dashed polyline: `on` px drawn, `off` px skipped.
  void dashed(const std::vector<Px>& line, double width, double on, double off, Rgb c) {
    double phase = 0.0;
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
      const Px a = line[i], b = line[i + 1];
      const double len = std::hypot(b.x - a.x, b.y - a.y);
      double t = 0.0;
      while (t < len) {
        const double period_pos = std::fmod(phase + t, on + off);
        const double step = period_pos < on ? std::min(on - period_pos, len - t)
                                            : std::min(on + off - period_pos, len - t);
        if (period_pos < on) {
          const Px p{a.x + (b.x - a.x) * t / len, a.y + (b.y - a.y) * t / len};
          const Px q{a.x + (b.x - a.x) * (t + step) / len, a.y + (b.y - a.y) * (t + step) / len};
          stroke({p, q}, width, c, false);
        }
        t += std::max(step, 1e-6);
      }
      phase += len;
    }
  }

  void rect(int x0, int y0, int x1, int y1, Rgb c) {
    for (int y = std::max(0, y0); y < std::min(height_, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(width_, x1); ++x) blend(x, y, c, 1.0);
  }

  /// Box-filter downsampling by an integer factor.
  [[nodiscard]] Canvas downsample(int factor) const {
    Canvas out(width_ / factor, height_ / factor, Rgb{0, 0, 0});
    const int n = factor * factor;
    for (int y = 0; y < out.height_; ++y)
      for (int x = 0; x < out.width_; ++x) {
        int sum[3] = {0, 0, 0};
        for (int dy = 0; dy < factor; ++dy)
          for (int dx = 0; dx < factor; ++dx) {
            const std::size_t i = index(x * factor + dx, y * factor + dy);
            for (int k = 0; k < 3; ++k) sum[k] += data_[i + static_cast<std::size_t>(k)];
          }
        const std::size_t o = out.index(x, y);
        for (int k = 0; k < 3; ++k)
          out.data_[o + static_cast<std::size_t>(k)] =
              static_cast<std::uint8_t>((sum[k] + n / 2) / n);
      }
    return out;
  }

  /// Copies `other` into this canvas at (x, y).
  void paste(const Canvas& other, int x0, int y0) {
    for (int y = 0; y < other.height_ && y + y0 < height_; ++y)
      for (int x = 0; x < other.width_ && x + x0 < width_; ++x)
        for (int k = 0; k < 3; ++k)
          data_[index(x + x0, y + y0) + static_cast<std::size_t>(k)] =
              other.data_[other.index(x, y) + static_cast<std::size_t>(k)];
  }

  void text(int x, int y, std::string_view s, int scale, Rgb c);

 private:
  [[nodiscard]] std::size_t index(int x, int y) const {
    return (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) +
            static_cast<std::size_t>(x)) *
           3;
  }
  void blend(int x, int y, Rgb c, double opacity) {
    const std::size_t i = index(x, y);
    if (opacity >= 1.0) {
      data_[i] = c.r, data_[i + 1] = c.g, data_[i + 2] = c.b;
      return;
    }
    auto mix = [opacity](std::uint8_t under, std::uint8_t over) {
      return static_cast<std::uint8_t>(std::lround(under + (over - under) * opacity));
    };
    data_[i] = mix(data_[i], c.r);
    data_[i + 1] = mix(data_[i + 1], c.g);
    data_[i + 2] = mix(data_[i + 2], c.b);
  }

  int width_, height_;
  std::vector<std::uint8_t> data_;
};

// The project's own 5×7 bitmap font (upper case, digits, a little punctuation) for legends:
// GDAL draws no text and the engine carries no font library.
const std::map<char, std::array<std::string_view, 7>>& font() {
  static const std::map<char, std::array<std::string_view, 7>> glyphs = {
      {'A', {" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"}},
      {'B', {"#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "}},
      {'C', {" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "}},
      {'D', {"#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "}},
      {'E', {"#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"}},
      {'F', {"#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "}},
      {'G', {" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"}},
      {'H', {"#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"}},
      {'I', {" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "}},
      {'J', {"  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "}},
      {'K', {"#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"}},
      {'L', {"#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"}},
      {'M', {"#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"}},
      {'N', {"#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"}},
      {'O', {" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "}},
      {'P', {"#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "}},
      {'Q', {" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"}},
      {'R', {"#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"}},
      {'S', {" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "}},
      {'T', {"#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "}},
      {'U', {"#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "}},
      {'V', {"#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "}},
      {'W', {"#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "}},
      {'X', {"#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"}},
      {'Y', {"#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "}},
      {'Z', {"#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"}},
      {'0', {" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "}},
      {'1', {"  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "}},
      {'2', {" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"}},
      {'3', {"#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "}},
      {'4', {"   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "}},
      {'5', {"#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "}},
      {'6', {"  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "}},
      {'7', {"#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "}},
      {'8', {" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "}},
      {'9', {" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "}},
      {'-', {"     ", "     ", "     ", "#####", "     ", "     ", "     "}},
      {'.', {"     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "}},
      {',', {"     ", "     ", "     ", "     ", " ##  ", "  #  ", " #   "}},
      {'/', {"    #", "    #", "   # ", "  #  ", " #   ", "#    ", "#    "}},
      {'(', {"   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # "}},
      {')', {" #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   "}},
      {':', {"     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "}},
      {'+', {"     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     "}},
      {'%', {"##   ", "##  #", "   # ", "  #  ", " #   ", "#  ##", "   ##"}},
      {'=', {"     ", "     ", "#####", "     ", "#####", "     ", "     "}},
      {'~', {"     ", "     ", " #   ", "# # #", "   # ", "     ", "     "}},
  };
  return glyphs;
}

void Canvas::text(int x, int y, std::string_view s, int scale, Rgb c) {
  const auto& glyphs = font();
  int cursor = x;
  for (char ch : s) {
    const char upper = (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
    const auto it = glyphs.find(upper);
    if (it != glyphs.end())
      for (int row = 0; row < 7; ++row)
        for (int col = 0; col < 5; ++col)
          if (it->second[static_cast<std::size_t>(row)][static_cast<std::size_t>(col)] == '#')
            rect(cursor + col * scale, y + row * scale, cursor + (col + 1) * scale,
                 y + (row + 1) * scale, c);
    cursor += 6 * scale;
  }
}

/// Metres → supersampled pixels.
struct Transform {
  double min_x, max_y, scale, margin;
  [[nodiscard]] Px operator()(const Point& p) const {
    return {(p.x - min_x) * scale + margin, (max_y - p.y) * scale + margin};
  }
};

std::vector<std::vector<Px>> rings_of(const Polygon& polygon, const Transform& t) {
  std::vector<std::vector<Px>> rings;
  auto convert = [&](const Ring& ring) {
    std::vector<Px> out;
    out.reserve(ring.size());
    for (const Point& p : ring) out.push_back(t(p));
    if (out.size() > 1 && out.front().x == out.back().x && out.front().y == out.back().y)
      out.pop_back();
    return out;
  };
  rings.push_back(convert(polygon.outer));
  for (const Ring& h : polygon.holes) rings.push_back(convert(h));
  return rings;
}

std::vector<Px> line_of(const LineString& line, const Transform& t) {
  std::vector<Px> out;
  out.reserve(line.size());
  for (const Point& p : line) out.push_back(t(p));
  return out;
}

/// Colour index per community so that neighbours (touching bounding boxes) differ.
std::vector<std::size_t> community_colours(const Dataset& d) {
  std::vector<std::size_t> colour(d.communities.size(), 0);
  if (d.communities.size() > 3000) {
    for (std::size_t i = 0; i < colour.size(); ++i) colour[i] = i % kCommunityTints.size();
    return colour;
  }
  std::vector<Box> boxes;
  for (const Community& c : d.communities) boxes.push_back(bounds(c.footprint));
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    std::array<bool, kCommunityTints.size()> used{};
    for (std::size_t j = 0; j < i; ++j) {
      const Box& a = boxes[i];
      const Box& b = boxes[j];
      const bool touch = a.min_x <= b.max_x + 1 && b.min_x <= a.max_x + 1 &&
                         a.min_y <= b.max_y + 1 && b.min_y <= a.max_y + 1;
      if (touch) used[colour[j]] = true;
    }
    std::size_t k = 0;
    while (k + 1 < used.size() && used[k]) ++k;
    colour[i] = k;
  }
  return colour;
}

void draw_map(Canvas& canvas, const Dataset& d, const Transform& t, int supersample) {
  const double m_px = t.scale;  // supersampled pixels per metre
  const std::vector<std::size_t> tints = community_colours(d);
  for (std::size_t i = 0; i < d.communities.size(); ++i)
    for (const Polygon& p : d.communities[i].footprint)
      canvas.fill(rings_of(p, t), kCommunityTints[tints[i]]);
  for (const WaterArea& w : d.water)
    for (const Polygon& p : w.footprint) canvas.fill(rings_of(p, t), kWater);
  for (const Line& l : d.lines)
    if (l.kind == LineKind::river)
      canvas.stroke(line_of(l.geometry, t), std::max(1.5 * supersample, 2.0 * m_px), kRiverLine);
  for (const Compound& c : d.compounds)
    for (const Polygon& p : c.footprint) {
      canvas.fill(rings_of(p, t), kCompound);
      for (const auto& ring : rings_of(p, t)) {
        std::vector<Px> closed = ring;
        if (!closed.empty()) closed.push_back(closed.front());
        canvas.stroke(closed, std::max(1.0 * supersample, 1.2 * m_px), kCompoundWall, false);
      }
    }
  // Roads: casings, then fills, from minor to major so major roads stay on top.
  std::vector<const Line*> roads;
  for (const Line& l : d.lines)
    if (l.kind == LineKind::road) roads.push_back(&l);
  std::stable_sort(roads.begin(), roads.end(), [](const Line* a, const Line* b) {
    return road_rank(a->cls) < road_rank(b->cls);
  });
  const double min_px = 1.0 * supersample;
  for (const Line* l : roads) {
    if (road_rank(l->cls) == 0 && !l->bridge) continue;
    const double w = std::max(min_px * 1.5, drawn_width_m(l->cls) * m_px);
    canvas.stroke(line_of(l->geometry, t), w + (l->bridge ? 3.0 : 1.6) * supersample,
                  l->bridge ? kBridgeCasing : kCasing, !l->bridge);
  }
  for (const Line* l : roads) {
    const std::vector<Px> pts = line_of(l->geometry, t);
    if (road_rank(l->cls) == 0) {
      canvas.dashed(pts, std::max(min_px, drawn_width_m(l->cls) * m_px), 3.0 * supersample,
                    2.0 * supersample, kFootway);
    } else {
      canvas.stroke(pts, std::max(min_px * 1.5, drawn_width_m(l->cls) * m_px), road_fill(l->cls),
                    !l->bridge);
    }
  }
  for (const Line& l : d.lines)
    if (l.kind == LineKind::rail) {
      canvas.stroke(line_of(l.geometry, t), 2.5 * supersample, kRail);
      canvas.dashed(line_of(l.geometry, t), 1.2 * supersample, 6.0 * supersample, 6.0 * supersample,
                    hex(0xFFFFFF));
    }
  for (const Building& b : d.buildings)
    for (const Polygon& p : b.footprint) canvas.fill(rings_of(p, t), building_colour(b));
  // Community boundaries over everything but stations: planners read them first.
  for (const Community& c : d.communities)
    for (const Polygon& p : c.footprint)
      for (const auto& ring : rings_of(p, t)) {
        std::vector<Px> closed = ring;
        if (!closed.empty()) closed.push_back(closed.front());
        canvas.dashed(closed, 2.2 * supersample, 10.0 * supersample, 5.0 * supersample,
                      kCommunityLine);
      }
  for (const Station& s : d.stations) {
    const Px p = t(s.location);
    const double r = (s.tier == StationTier::county_centre      ? 9.0
                      : s.tier == StationTier::community_centre ? 6.5
                                                                : 4.0) *
                     supersample;
    canvas.disc(p, r + 1.5 * supersample, hex(0xFFFFFF));
    canvas.disc(p, r, kStation);
    if (s.tier == StationTier::county_centre) canvas.disc(p, r * 0.45, hex(0xFFFFFF));
  }
}

struct LegendEntry {
  enum Kind { swatch, line, dashed, dot } kind;
  Rgb colour;
  double size;  // line width or dot radius, px
  std::string label;
  Rgb casing = kCasing;
};

void draw_legend(Canvas& canvas, const Dataset& d, const MapOptions& options, int x0,
                 double metres_per_px) {
  canvas.rect(x0, 0, canvas.width(), canvas.height(), kPanel);
  canvas.rect(x0, 0, x0 + 2, canvas.height(), hex(0xC8C2B8));
  const int scale = std::max(2, (canvas.width() - x0) / 180);
  const int line_h = 10 * scale;
  int y = 4 * scale;
  const int x = x0 + 6 * scale;
  canvas.text(x, y, options.title, scale, kText);
  y += line_h + 2 * scale;

  const long long households = d.total_households();
  const std::string figures[] = {
      std::to_string(d.communities.size()) + " COMMUNITIES",
      std::to_string(d.compounds.size()) + " COMPOUNDS",
      std::to_string(d.buildings.size()) + " BUILDINGS",
      std::to_string(households) + " HOUSEHOLDS",
      std::to_string(d.stations.size()) + " STATIONS",
  };
  const int small = std::max(1, scale * 2 / 3);
  for (const std::string& f : figures) {
    canvas.text(x, y, f, small, kText);
    y += 10 * small;
  }
  y += line_h / 2;

  const std::vector<LegendEntry> entries = {
      {LegendEntry::swatch, hex(0xB59A84), 0, "APARTMENTS (DARKER = TALLER)"},
      {LegendEntry::swatch, hex(0xC99B73), 0, "BUNGALOW HOUSES"},
      {LegendEntry::swatch, hex(0xE8A15A), 0, "STREET FRONT: SHOPS + FLATS"},
      {LegendEntry::swatch, hex(0xE3C21B), 0, "SCHOOL"},
      {LegendEntry::swatch, hex(0xD9534F), 0, "HOSPITAL"},
      {LegendEntry::swatch, hex(0x5B7DB1), 0, "OFFICE / GOVERNMENT"},
      {LegendEntry::swatch, hex(0xE07B39), 0, "MARKET / SHOPS"},
      {LegendEntry::swatch, hex(0x9B86B8), 0, "INDUSTRY"},
      {LegendEntry::swatch, hex(0xB3ABA2), 0, "SHED / GATEHOUSE"},
      {LegendEntry::swatch, kCompound, 0, "WALLED COMPOUND", kCompoundWall},
      {LegendEntry::dashed, kCommunityLine, 3, "COMMUNITY BOUNDARY"},
      {LegendEntry::line, kPrimary, 7, "PRIMARY ROAD"},
      {LegendEntry::line, kSecondary, 6, "SECONDARY ROAD"},
      {LegendEntry::line, kBranch, 4, "BRANCH STREET / LANE"},
      {LegendEntry::dashed, kFootway, 2, "FOOTPATH"},
      {LegendEntry::line, kBranch, 5, "BRIDGE", kBridgeCasing},
      {LegendEntry::swatch, kWater, 0, "RIVER"},
      {LegendEntry::dashed, kRail, 3, "RAILWAY"},
      {LegendEntry::dot, kStation, 9, "COUNTY SERVICE CENTRE"},
      {LegendEntry::dot, kStation, 6.5, "COMMUNITY SERVICE CENTRE"},
      {LegendEntry::dot, kStation, 4, "COMPOUND STATION"},
  };
  const int sw = 9 * scale;  // swatch width
  for (const LegendEntry& e : entries) {
    const int cy = y + 3 * scale;
    switch (e.kind) {
      case LegendEntry::swatch:
        canvas.rect(x, y - scale, x + sw, y + 7 * scale,
                    e.casing.r == kCasing.r ? e.colour : e.casing);
        canvas.rect(x + 1, y - scale + 1, x + sw - 1, y + 7 * scale - 1, e.colour);
        break;
      case LegendEntry::line:
        canvas.stroke({{double(x), double(cy)}, {double(x + sw), double(cy)}},
                      e.size * scale / 2.0 + 2, e.casing, false);
        canvas.stroke({{double(x), double(cy)}, {double(x + sw), double(cy)}}, e.size * scale / 2.0,
                      e.colour, false);
        break;
      case LegendEntry::dashed:
        canvas.dashed({{double(x), double(cy)}, {double(x + sw), double(cy)}}, e.size * scale / 2.0,
                      2.5 * scale, 1.5 * scale, e.colour);
        break;
      case LegendEntry::dot:
        canvas.disc({x + sw / 2.0, double(cy)}, e.size * scale / 3.0 + 1, hex(0xFFFFFF));
        canvas.disc({x + sw / 2.0, double(cy)}, e.size * scale / 3.0, e.colour);
        break;
    }
    canvas.text(x + sw + 3 * scale, y, e.label, small, kText);
    y += line_h;
  }

  // Scale bar: a round length near a quarter of the panel width.
  y += line_h / 2;
  const double target_m = (canvas.width() - x0) * 0.6 * metres_per_px;
  double bar_m = 1.0;
  for (double candidate : {10.0, 20.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0,
                           10000.0, 20000.0, 50000.0})
    if (candidate <= target_m) bar_m = candidate;
  const int bar_px = static_cast<int>(bar_m / metres_per_px);
  canvas.rect(x, y, x + bar_px, y + 2 * scale, kText);
  canvas.rect(x, y - 2 * scale, x + scale, y + 4 * scale, kText);
  canvas.rect(x + bar_px - scale, y - 2 * scale, x + bar_px, y + 4 * scale, kText);
  const std::string label = bar_m >= 1000.0 ? std::to_string(static_cast<int>(bar_m / 1000)) + " KM"
                                            : std::to_string(static_cast<int>(bar_m)) + " M";
  canvas.text(x, y + 6 * scale, "0", small, kText);
  canvas.text(x + bar_px - static_cast<int>(label.size()) * 6 * small, y + 6 * scale, label, small,
              kText);
  y += 6 * scale + 10 * small + line_h / 2;
  // North arrow.
  const double ax = x + 4 * scale, ay = y;
  canvas.fill({{{ax, ay},
                {ax + 4.0 * scale, ay + 10.0 * scale},
                {ax, ay + 7.5 * scale},
                {ax - 4.0 * scale, ay + 10.0 * scale}}},
              kText);
  canvas.text(static_cast<int>(ax) - 2 * small - small / 2, static_cast<int>(ay) + 11 * scale, "N",
              small, kText);
  y += 11 * scale + 10 * small;
  std::string crs = d.crs_epsg > 0 ? "EPSG:" + std::to_string(d.crs_epsg) : "PROJECTED CRS";
  canvas.text(x, y, crs + " (CGCS2000 GK)", small, hex(0x666666));
}

}  // namespace

RgbImage rasterise_map(const Dataset& dataset, const MapOptions& options) {
  Box extent;
  for (const Community& c : dataset.communities) extent.expand(bounds(c.footprint));
  if (extent.empty()) extent = dataset.extent();
  if (extent.empty() || extent.width() <= 0.0 || extent.height() <= 0.0)
    throw InputError("map renderer: the dataset has nothing to draw");
  // A little of the surroundings (river beyond the town, railway) around the communities.
  const double pad = 0.04 * std::max(extent.width(), extent.height());
  extent.min_x -= pad, extent.max_x += pad, extent.min_y -= pad, extent.max_y += pad;

  const int width = std::max(200, options.width_px);
  const int panel = options.legend ? std::max(240, width / 5) : 0;
  const int map_w = width - panel;
  const double px_per_m = map_w / extent.width();
  const int map_h = std::max(200, static_cast<int>(std::ceil(extent.height() * px_per_m)));
  const int height = options.legend ? std::max(map_h, static_cast<int>(panel * 1.45)) : map_h;

  // Supersampled map (3 × 3 samples per pixel) for smooth edges, then box-filtered.
  constexpr int kSupersample = 3;
  Canvas map(map_w * kSupersample, height * kSupersample, kBackground);
  const double vertical_offset = (height - map_h) / 2.0 * kSupersample;
  // Centred vertically when the legend makes the image taller than the map.
  const Transform t{extent.min_x, extent.max_y + vertical_offset / (px_per_m * kSupersample),
                    px_per_m * kSupersample, 0.0};
  draw_map(map, dataset, t, kSupersample);
  Canvas image(width, height, kPanel);
  image.paste(map.downsample(kSupersample), 0, 0);
  if (options.legend) draw_legend(image, dataset, options, map_w, 1.0 / px_per_m);

  return RgbImage{width, height, image.data()};
}

}  // namespace gp::report
