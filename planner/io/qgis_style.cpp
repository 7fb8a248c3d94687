#include "planner/io/qgis_style.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "planner/core/errors.hpp"
#include "planner/core/text.hpp"
#include "planner/io/gdal_support.hpp"

namespace gp::io {
namespace {

namespace style = report::style;
using report::LayerTable;

/// CSS px (96 dpi, the report's unit) → mm, QGIS's symbol unit.
double mm(double px) {
  return px * 25.4 / 96.0;
}

std::string num(double v) {
  char out[32];
  std::snprintf(out, sizeof out, "%.4g", v);
  return out;
}

std::string attr(const std::string& text) {
  return xml_escape(text);
}

/// The field name a style refers to: the long name, or the Shapefile name.
class Fields {
 public:
  Fields(const LayerTable& table, bool shapefile) : table_(table), shapefile_(shapefile) {}
  /// Quoted for a QGIS expression ("households").
  [[nodiscard]] std::string q(const std::string& name) const { return "\"" + get(name) + "\""; }
  [[nodiscard]] std::string get(const std::string& name) const {
    for (const report::FieldDef& f : table_.fields)
      if (f.name == name) return shapefile_ ? f.short_name : f.name;
    return name;  // not in this layer: the expression evaluates to NULL
  }

 private:
  const LayerTable& table_;
  bool shapefile_;
};

std::string prop(const char* k, const std::string& v) {
  return "<prop k=\"" + std::string(k) + "\" v=\"" + attr(v) + "\"/>";
}

/// A fill symbol: `fill` null → no fill (outline only). Rendering pass: outlines without fill
/// (violations) draw after every fill of the layer, so a neighbour's fill never covers half of a
/// red outline (the renderers use symbol levels).
std::string fill_symbol(int name, const style::Rgb* fill, const style::Stroke& outline,
                        double fill_opacity = 1.0) {
  return "<symbol type=\"fill\" name=\"" + std::to_string(name) +
         "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\"><layer class=\"SimpleFill\" "
         "enabled=\"1\" pass=\"" +
         std::string(fill ? "0" : "1") + "\" locked=\"0\">" +
         prop("color", fill ? fill->qgis(fill_opacity) : "0,0,0,0") +
         prop("style", fill ? "solid" : "no") +
         prop("outline_color", outline.colour.qgis(outline.opacity)) +
         prop("outline_style", outline.width_px > 0 ? "solid" : "no") +
         prop("outline_width", num(mm(outline.width_px))) + prop("outline_width_unit", "MM") +
         prop("joinstyle", "round") + prop("border_width_map_unit_scale", "3x:0,0,0,0,0,0") +
         "</layer></symbol>";
}

std::string marker_symbol(int name, const char* shape, const style::Rgb* fill,
                          const style::Stroke& outline, double radius_px) {
  return "<symbol type=\"marker\" name=\"" + std::to_string(name) +
         "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\"><layer class=\"SimpleMarker\" "
         "enabled=\"1\" pass=\"0\" locked=\"0\">" +
         prop("name", shape) + prop("color", fill ? fill->qgis() : "0,0,0,0") +
         prop("outline_color", outline.colour.qgis(outline.opacity)) +
         prop("outline_style", "solid") + prop("outline_width", num(mm(outline.width_px))) +
         prop("outline_width_unit", "MM") + prop("size", num(mm(2.0 * radius_px))) +
         prop("size_unit", "MM") + prop("angle", "0") + prop("joinstyle", "miter") +
         prop("scale_method", "diameter") + prop("vertical_anchor_point", "1") +
         prop("horizontal_anchor_point", "1") + "</layer></symbol>";
}

struct Rule {
  std::string filter;  // QGIS expression; "" = every feature
  std::string label;   // legend text
  std::string symbol;  // the <symbol> element (its name is set from the rule's index)
};

/// A rule-based renderer: every rule whose filter matches draws (so an outline rule can draw on
/// top of a fill rule), in the order given.
std::string rule_renderer(const std::vector<Rule>& rules) {
  std::string out =
      "<renderer-v2 type=\"RuleRenderer\" symbollevels=\"1\" enableorderby=\"0\" "
      "forceraster=\"0\"><rules key=\"{6b1c2f5e-0000-4000-8000-000000000000}\">";
  std::string symbols;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    char key[48];
    std::snprintf(key, sizeof key, "{6b1c2f5e-0000-4000-8000-%012zu}", i + 1);
    out += "<rule key=\"" + std::string(key) + "\" symbol=\"" + std::to_string(i) + "\" label=\"" +
           attr(rules[i].label) + "\"" +
           (rules[i].filter.empty() ? std::string() : " filter=\"" + attr(rules[i].filter) + "\"") +
           "/>";
    symbols += rules[i].symbol;
  }
  return out + "</rules><symbols>" + symbols + "</symbols></renderer-v2>";
}

/// Simple labelling with `expression`, in the style's CJK font, with a white halo.
/// `max_scale_denominator` > 0: labels only when zoomed in closer than 1:N.
std::string labels(const std::string& expression, double points, bool bold,
                   double max_scale_denominator) {
  const bool limited = max_scale_denominator > 0;
  return std::string("<labeling type=\"simple\"><settings calloutType=\"simple\">") +
         "<text-style fontFamily=\"" + attr(style::kLabelFont) + "\" namedStyle=\"" +
         (bold ? "Bold" : "Regular") + "\" fontWeight=\"" + (bold ? "75" : "50") +
         "\" fontItalic=\"0\" fontSize=\"" + num(points) +
         "\" fontSizeUnit=\"Point\" fontSizeMapUnitScale=\"3x:0,0,0,0,0,0\" "
         "textColor=\"30,30,30,255\" textOpacity=\"1\" multilineHeight=\"1\" allowHtml=\"0\" "
         "capitalization=\"0\" fontLetterSpacing=\"0\" fontWordSpacing=\"0\" blendMode=\"0\" "
         "fontStrikeout=\"0\" fontUnderline=\"0\" textOrientation=\"horizontal\" "
         "useSubstitutions=\"0\" previewBkgrdColor=\"255,255,255,255\" isExpression=\"1\" "
         "fieldName=\"" +
         attr(expression) +
         "\"><families/><text-buffer bufferDraw=\"1\" bufferSize=\"0.7\" "
         "bufferSizeUnits=\"MM\" bufferSizeMapUnitScale=\"3x:0,0,0,0,0,0\" "
         "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.85\" bufferNoFill=\"1\" "
         "bufferJoinStyle=\"128\" bufferBlendMode=\"0\"/><background shapeDraw=\"0\"/>"
         "<shadow shadowDraw=\"0\"/><substitutions/></text-style>"
         "<text-format wrapChar=\"\" multilineAlign=\"1\" autoWrapLength=\"0\" "
         "useMaxLineLengthForAutoWrap=\"1\" addDirectionSymbol=\"0\" formatNumbers=\"0\" "
         "decimals=\"3\" plussign=\"0\" reverseDirectionSymbol=\"0\" placeDirectionSymbol=\"0\" "
         "leftDirectionSymbol=\"&lt;\" rightDirectionSymbol=\"&gt;\"/>"
         "<placement placement=\"1\" centroidInside=\"1\" centroidWhole=\"0\" "
         "fitInPolygonOnly=\"0\" dist=\"0\" distUnits=\"MM\" priority=\"5\" "
         "placementFlags=\"10\" quadOffset=\"4\" xOffset=\"0\" yOffset=\"0\" "
         "offsetUnits=\"MM\" rotationAngle=\"0\" repeatDistance=\"0\" "
         "overrunDistance=\"0\" overlapHandling=\"PreventOverlap\" geometryGenerator=\"\" "
         "geometryGeneratorEnabled=\"0\" layerType=\"PolygonGeometry\" "
         "polygonPlacementFlags=\"2\" lineAnchorPercent=\"0.5\" lineAnchorType=\"0\" "
         "lineAnchorClipping=\"0\" preserveRotation=\"1\" maxCurvedCharAngleIn=\"25\" "
         "maxCurvedCharAngleOut=\"-25\" centroidWhole=\"0\"/>"
         "<rendering scaleVisibility=\"" +
         (limited ? "1" : "0") +
         // QGIS writes the zoomed-out limit (minimumScale, 1:N) as scaleMax.
         "\" scaleMin=\"0\" scaleMax=\"" + (limited ? num(max_scale_denominator) : "0") +
         "\" obstacle=\"1\" obstacleFactor=\"1\" obstacleType=\"1\" "
         "limitNumLabels=\"0\" maxNumLabels=\"2000\" fontMinPixelSize=\"3\" "
         "fontMaxPixelSize=\"10000\" fontLimitPixelSize=\"0\" upsidedownLabels=\"0\" "
         "displayAll=\"0\" drawLabels=\"1\" labelPerPart=\"0\" mergeLines=\"0\" "
         "minFeatureSize=\"0\" zIndex=\"0\" unplacedVisibility=\"0\"/></settings></labeling>";
}

/// Field aliases: the Chinese names of the layer's fields (as fields.csv has them).
std::string aliases(const LayerTable& table, bool shapefile) {
  std::string out = "<aliases>";
  for (std::size_t i = 0; i < table.fields.size(); ++i) {
    const report::FieldDef& f = table.fields[i];
    out += "<alias field=\"" + attr(shapefile ? f.short_name : f.name) + "\" index=\"" +
           std::to_string(i) + "\" name=\"" + attr(f.chinese) + "\"/>";
  }
  return out + "</aliases>";
}

std::string document(const LayerTable& table, bool shapefile, const std::string& renderer,
                     const std::string& labelling) {
  // layerGeometryType: 0 point, 2 polygon (QgsWkbTypes::GeometryType).
  const int geometry_type = table.geometry == report::GeometryKind::point ? 0 : 2;
  return std::string("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n") +
         "<qgis version=\"3.22.16-Białowieża\" styleCategories=\"Symbology|Labeling|Fields\" "
         "labelsEnabled=\"" +
         (labelling.empty() ? "0" : "1") + "\">\n" + renderer + "\n" + labelling + "\n" +
         aliases(table, shapefile) +
         "\n<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
         "<layerOpacity>1</layerOpacity><layerGeometryType>" +
         std::to_string(geometry_type) + "</layerGeometryType>\n</qgis>\n";
}

std::string expression_range(const std::string& field, double lower, double upper) {
  std::string out;
  if (std::isfinite(lower)) out = field + " >= " + num(lower);
  if (std::isfinite(upper)) out += (out.empty() ? "" : " AND ") + field + " < " + num(upper);
  return out;
}

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

LayerStyle large_grids(const LayerTable& t, const style::PlanStyle& ps, bool shp) {
  const Fields f(t, shp);
  std::vector<Rule> rules;
  int n = 0;
  for (const style::ValueClass& c : style::household_classes(ps.large.min, ps.large.max))
    rules.push_back({expression_range(f.q("households"), c.lower, c.upper), c.label,
                     fill_symbol(n++, &c.colour, style::large_outline())});
  rules.push_back({f.q("violation") + " IN ('below_min', 'above_max')", "超出界限 outside bounds",
                   fill_symbol(n++, nullptr, style::violation_outline())});
  const std::string label = f.q("code") + " || '\\n' || coalesce(" + f.q("name") + ", '')";
  return {t.name,
          "网格规划 GridPlanner",
          "大网格: 按户数着色 (" + std::to_string(ps.large.min) + "–" +
              std::to_string(ps.large.max) + " 户), 超出界限红色边框; large grids by households",
          document(t, shp, rule_renderer(rules), labels(label, style::kLabelPoints, true, 0)),
          true,
          ""};
}

LayerStyle micro_grids(const LayerTable& t, const style::PlanStyle& ps, bool shp) {
  const Fields f(t, shp);
  const style::Stroke outline = style::micro_outline();
  std::vector<Rule> rules{{"", "微网格 micro grid", fill_symbol(0, nullptr, outline)}};
  return {t.name,
          "网格规划 GridPlanner",
          "微网格边界 (" + std::to_string(ps.micro.min) + "–" + std::to_string(ps.micro.max) +
              " 户); micro grid outlines",
          document(t, shp, rule_renderer(rules),
                   labels(f.q("code"), style::kLabelPoints - 2.0, false, 10000)),
          true,
          ""};
}

LayerStyle communities(const LayerTable& t, bool shp) {
  const Fields f(t, shp);
  std::vector<Rule> rules{
      {"", "社区 community", fill_symbol(0, nullptr, style::community_outline())}};
  return {t.name,
          "网格规划 GridPlanner",
          "社区边界; community outlines",
          document(t, shp, rule_renderer(rules), ""),
          true,
          ""};
}

LayerStyle buildings_by_use(const LayerTable& t, bool shp) {
  const Fields f(t, shp);
  std::vector<Rule> rules;
  int n = 0;
  const style::Stroke thin{{0xff, 0xff, 0xff}, 0.3, 0.6};
  std::string known;
  for (BuildingUse use : style::building_uses()) {
    const style::Rgb colour = style::building_colour(use);
    const std::string value = to_string(use);
    if (use == BuildingUse::other) {
      // "other" and anything this version does not know.
      rules.push_back({"coalesce(" + f.q("use") + ", '') NOT IN (" + known + ")",
                       style::building_label(use), fill_symbol(n++, &colour, thin)});
    } else {
      rules.push_back({f.q("use") + " = " + quote(value), style::building_label(use),
                       fill_symbol(n++, &colour, thin)});
      known += (known.empty() ? "" : ", ") + quote(value);
    }
  }
  return {t.name,
          "网格规划 GridPlanner",
          "楼栋按用途着色; buildings by use",
          document(t, shp, rule_renderer(rules), ""),
          true,
          ""};
}

LayerStyle buildings_by_walk(const LayerTable& t, const style::PlanStyle& ps, bool shp) {
  const Fields f(t, shp);
  std::vector<Rule> rules;
  int n = 0;
  const style::Stroke thin{{0xff, 0xff, 0xff}, 0.3, 0.6};
  const std::string walk = f.q("walk_m"), households = f.q("households");
  const std::vector<style::ValueClass> bands = style::walking_bands(ps.walk_thresholds_m);
  for (std::size_t i = 0; i < bands.size(); ++i) {
    const style::ValueClass& b = bands[i];
    // Bands are ≤ upper (as the report counts coverage); the last also takes unknown distances.
    std::string filter = households + " > 0 AND ";
    if (i + 1 < bands.size())
      filter += walk + " <= " + num(b.upper) + (i > 0 ? " AND " + walk + " > " + num(b.lower) : "");
    else
      filter += "(" + walk + " > " + num(b.lower) + " OR " + walk + " IS NULL)";
    rules.push_back({filter, b.label, fill_symbol(n++, &b.colour, thin)});
  }
  const style::Rgb none{0xdd, 0xdd, 0xdd};
  rules.push_back({"coalesce(" + households + ", 0) = 0", "无住户 no households",
                   fill_symbol(n++, &none, thin)});
  return {t.name,
          "步行覆盖 walking coverage",
          "楼栋按到最近服务站的步行距离着色; buildings by walking distance to the nearest station",
          document(t, shp, rule_renderer(rules), ""),
          false,
          "walking"};
}

LayerStyle stations(const LayerTable& t, bool shp) {
  const Fields f(t, shp);
  std::vector<Rule> rules;
  int n = 0;
  for (StationTier tier : style::station_tiers()) {
    const style::StationSymbol s = style::station_symbol(tier);
    rules.push_back(
        {f.q("tier") + " = " + quote(to_string(tier)), report::chinese_name(tier),
         marker_symbol(n++, "square", &s.colour, style::station_outline(false), s.radius_px)});
  }
  // A station failing a rule: the orange outline drawn over its square.
  const style::StationSymbol big = style::station_symbol(StationTier::county_centre);
  rules.push_back(
      {f.q("rule") + " IS NOT NULL AND " + f.q("rule") + " NOT IN ('', 'ok')",
       "未达标 fails a station rule",
       marker_symbol(n++, "square", nullptr, style::station_outline(true), big.radius_px * 0.6)});
  return {t.name,
          "网格规划 GridPlanner",
          "党群服务站点按层级; stations by tier",
          document(t, shp, rule_renderer(rules), labels(f.q("name"), 7.0, false, 25000)),
          true,
          ""};
}

LayerStyle new_stations(const LayerTable& t, bool shp) {
  const style::Rgb blue{0x00, 0x72, 0xb2};
  std::vector<Rule> rules{{"", "建议新增站点 proposed station",
                           marker_symbol(0, "star", &blue, style::station_outline(false), 8.0)}};
  return {t.name,
          "网格规划 GridPlanner",
          "建议新增站点; proposed stations",
          document(t, shp, rule_renderer(rules), ""),
          true,
          ""};
}

LayerStyle diagnostics(const LayerTable& t, bool shp) {
  const Fields f(t, shp);
  const style::Stroke white{{0xff, 0xff, 0xff}, 0.8, 1.0};
  const style::Rgb error{0xc0, 0x39, 0x2b}, warning{0xff, 0x99, 0x00}, info{0x56, 0xb4, 0xe9};
  std::vector<Rule> rules{
      {f.q("severity") + " = 'error'", "错误 error", marker_symbol(0, "circle", &error, white, 4)},
      {f.q("severity") + " = 'warning'", "警告 warning",
       marker_symbol(1, "triangle", &warning, white, 4)},
      {f.q("severity") + " NOT IN ('error', 'warning')", "提示 info",
       marker_symbol(2, "circle", &info, white, 3)}};
  return {t.name,
          "网格规划 GridPlanner",
          "诊断按级别; diagnostics by severity",
          document(t, shp, rule_renderer(rules), ""),
          true,
          ""};
}

}  // namespace

std::vector<LayerStyle> qgis_styles(const std::vector<LayerTable>& layers,
                                    const style::PlanStyle& plan_style, bool shapefile) {
  std::vector<LayerStyle> out;
  for (const LayerTable& t : layers) {
    if (t.name == "large_grids")
      out.push_back(large_grids(t, plan_style, shapefile));
    else if (t.name == "micro_grids")
      out.push_back(micro_grids(t, plan_style, shapefile));
    else if (t.name == "communities")
      out.push_back(communities(t, shapefile));
    else if (t.name == "buildings") {
      out.push_back(buildings_by_use(t, shapefile));
      out.push_back(buildings_by_walk(t, plan_style, shapefile));
    } else if (t.name == "stations")
      out.push_back(stations(t, shapefile));
    else if (t.name == "new_stations")
      out.push_back(new_stations(t, shapefile));
    else if (t.name == "diagnostics")
      out.push_back(diagnostics(t, shapefile));
  }
  return out;
}

void write_layer_styles(const std::string& gpkg_path, const std::vector<LayerStyle>& styles) {
  GDALAllRegister();
  detail::GdalErrorCollector errors;
  GDALDatasetUniquePtr dataset(GDALDataset::Open(gpkg_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE,
                                                 nullptr, nullptr, nullptr));
  if (!dataset)
    throw OutputError("export: cannot open '" + gpkg_path +
                      "' to add the QGIS layer styles: " + errors.failure_text());
  OGRLayer* table = dataset->GetLayerByName("layer_styles");
  if (!table) {
    // The columns QGIS creates (QgsOgrProvider's saveStyle for GeoPackage).
    const char* options[] = {"FID=id", nullptr};
    table = dataset->CreateLayer("layer_styles", nullptr, wkbNone, const_cast<char**>(options));
    if (!table)
      throw OutputError("export: cannot create table 'layer_styles' in '" + gpkg_path +
                        "': " + errors.failure_text());
    struct Column {
      const char* name;
      OGRFieldType type;
      int width;
      OGRFieldSubType subtype;
    };
    const Column columns[] = {{"f_table_catalog", OFTString, 256, OFSTNone},
                              {"f_table_schema", OFTString, 256, OFSTNone},
                              {"f_table_name", OFTString, 256, OFSTNone},
                              {"f_geometry_column", OFTString, 256, OFSTNone},
                              {"styleName", OFTString, 30, OFSTNone},
                              {"styleQML", OFTString, 0, OFSTNone},
                              {"styleSLD", OFTString, 0, OFSTNone},
                              {"useAsDefault", OFTInteger, 0, OFSTBoolean},
                              {"description", OFTString, 0, OFSTNone},
                              {"owner", OFTString, 30, OFSTNone},
                              {"ui", OFTString, 30, OFSTNone},
                              {"update_time", OFTDateTime, 0, OFSTNone}};
    for (const Column& c : columns) {
      OGRFieldDefn field(c.name, c.type);
      field.SetWidth(c.width);
      field.SetSubType(c.subtype);
      if (std::string(c.name) == "update_time")
        field.SetDefault("CURRENT_TIMESTAMP");  // QGIS: DEFAULT CURRENT_TIMESTAMP
      if (table->CreateField(&field) != OGRERR_NONE)
        throw OutputError("export: cannot create column '" + std::string(c.name) +
                          "' of 'layer_styles' in '" + gpkg_path + "': " + errors.failure_text());
    }
  }
  if (dataset->StartTransaction() != OGRERR_NONE)
    throw OutputError("export: cannot write 'layer_styles' in '" + gpkg_path +
                      "': " + errors.failure_text());
  for (const LayerStyle& s : styles) {
    OGRLayer* layer = dataset->GetLayerByName(s.layer.c_str());
    if (!layer)
      throw OutputError("export: no layer '" + s.layer + "' in '" + gpkg_path + "' to style");
    OGRFeatureUniquePtr row(OGRFeature::CreateFeature(table->GetLayerDefn()));
    row->SetField("f_table_catalog", "");
    row->SetField("f_table_schema", "");
    row->SetField("f_table_name", s.layer.c_str());
    row->SetField("f_geometry_column", layer->GetGeometryColumn());
    row->SetField("styleName", s.name.c_str());
    row->SetField("styleQML", s.qml.c_str());
    row->SetField("styleSLD", "");
    row->SetField("useAsDefault", s.is_default ? 1 : 0);
    row->SetField("description", s.description.c_str());
    row->SetField("owner", "");
    row->SetField("ui", "");
    // update_time: the column default (the time of writing), as when QGIS saves a style.
    if (table->CreateFeature(row.get()) != OGRERR_NONE)
      throw OutputError("export: cannot write the style of layer '" + s.layer + "' to '" +
                        gpkg_path + "': " + errors.failure_text());
  }
  if (dataset->CommitTransaction() != OGRERR_NONE)
    throw OutputError("export: writing 'layer_styles' in '" + gpkg_path +
                      "' failed: " + errors.failure_text());
  dataset->FlushCache(true);
  dataset.reset();
  if (errors.failures() > 0)
    throw OutputError("export: writing 'layer_styles' in '" + gpkg_path +
                      "' failed: " + errors.first_failure());
}

}  // namespace gp::io
