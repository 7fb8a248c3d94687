#pragma once
// Small helpers shared by the Session's implementation files (session.cpp, session_colour.cpp,
// session_select.cpp); not part of the studio's interface.

#include <QString>
#include <cstdint>
#include <string>

namespace gp::studio::detail {

inline std::size_t at(std::int32_t i) {
  return static_cast<std::size_t>(i);
}

inline QString q(const std::string& s) {
  return QString::fromStdString(s);
}

}  // namespace gp::studio::detail
