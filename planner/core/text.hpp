#pragma once
// Small text helpers shared by writers of markup (SVG/HTML reports, GDAL XML descriptions).

#include <string>

namespace gp {

/// Escapes &, <, > and " for XML, SVG and HTML text and attribute values.
inline std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace gp
