#include "planner/pipeline/scenario_write.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "planner/pipeline/scenario_keys.hpp"

namespace gp::pipeline {

// The scenario configures the readers: their option types and role names.
using namespace gp::io;
namespace {

namespace fs = std::filesystem;

std::string absolute(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  const fs::path p = fs::absolute(path, ec);
  return (ec ? fs::path(path) : p).lexically_normal().string();
}

/// A TOML basic string: double quotes, backslash escapes, control characters as \uXXXX; UTF-8
/// (Chinese names) as it is.
std::string quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

/// A key: bare when it is only ASCII letters, digits, '_' and '-', else quoted (楼栋).
std::string key(const std::string& k) {
  bool bare = !k.empty();
  for (const char c : k)
    bare &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '-';
  return bare ? k : quote(k);
}

/// The shortest text that reads back as the same double (0.2, not 0.20000000000000001), always
/// with a '.' or an exponent so TOML reads a float.
std::string number(double v) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  std::string text(buffer, ec == std::errc() ? end : buffer);
  if (text.find_first_of(".eE") == std::string::npos && text.find("inf") == std::string::npos &&
      text.find("nan") == std::string::npos)
    text += ".0";
  return text;
}

class Writer {
 public:
  explicit Writer(const Scenario& s) : s_(s) {}
  void table(const std::string& name) {
    out_ << (first_ ? "" : "\n") << '[' << name << "]\n";
    first_ = false;
    if (auto it = s_.sources.find(name); it != s_.sources.end()) text("source", it->second);
  }
  void text(const std::string& k, const std::string& v) {
    out_ << key(k) << " = " << quote(v) << '\n';
  }
  void integer(const std::string& k, long long v) { out_ << key(k) << " = " << v << '\n'; }
  void real(const std::string& k, double v) { out_ << key(k) << " = " << number(v) << '\n'; }
  void boolean(const std::string& k, bool v) {
    out_ << key(k) << " = " << (v ? "true" : "false") << '\n';
  }
  template <class List>
  void texts(const std::string& k, const List& list) {
    out_ << key(k) << " = [";
    bool first = true;
    for (const std::string& v : list) {
      out_ << (first ? "" : ", ") << quote(v);
      first = false;
    }
    out_ << "]\n";
  }
  void reals(const std::string& k, const std::vector<double>& list) {
    out_ << key(k) << " = [";
    for (std::size_t i = 0; i < list.size(); ++i) out_ << (i ? ", " : "") << number(list[i]);
    out_ << "]\n";
  }
  std::ostringstream& raw() { return out_; }
  std::string str() const { return out_.str(); }

 private:
  const Scenario& s_;
  std::ostringstream out_;
  bool first_ = true;
};

/// Writes a special key (scenario_keys.hpp): each has code here, and a special key without it is
/// a programming error.
void write_special(Writer& w, const Scenario& s, const ScenarioTable& table,
                   const ScenarioKey& key) {
  const std::string name = dotted(table, key);
  if (name == "input.files") {
    w.raw() << "files = [";
    for (std::size_t i = 0; i < s.load.inputs.size(); ++i) {
      const InputSpec& in = s.load.inputs[i];
      w.raw() << (i ? "," : "") << "\n  { path = " << quote(absolute(in.path));
      if (!in.layer.empty()) w.raw() << ", layer = " << quote(in.layer);
      if (in.role) w.raw() << ", role = " << quote(to_string(*in.role));
      w.raw() << " }";
    }
    w.raw() << (s.load.inputs.empty() ? "]\n" : "\n]\n");
  } else if (name == "input.layers.*") {
    for (const auto& [layer, role] : s.load.layer_roles) w.text(layer, to_string(role));
  } else if (name == "events.grid_multipliers.*") {
    for (const auto& [code, m] : s.evaluation.workload.grid_event_multipliers) w.real(code, m);
  } else {
    throw std::logic_error("scenario: no writer for the special key " + name);
  }
}

/// Whether `key` writes a line for `s`.
bool writes(const Scenario& s, const ScenarioKey& key) {
  if (!key.written) return false;
  if (!key.omit_empty) return true;
  const auto* text = std::get_if<KeyAccess<std::string>>(&key.access);
  return !text || !text->get(s).empty();
}

void write_key(Writer& w, const Scenario& s, const ScenarioTable& table, const ScenarioKey& k) {
  std::visit(
      [&](const auto& access) {
        using A = std::decay_t<decltype(access)>;
        if constexpr (std::is_same_v<A, SpecialKey>) {
          write_special(w, s, table, k);
        } else if constexpr (std::is_same_v<A, KeyAccess<long long>>) {
          w.integer(k.name, access.get(s));
        } else if constexpr (std::is_same_v<A, KeyAccess<double>>) {
          w.real(k.name, access.get(s));
        } else if constexpr (std::is_same_v<A, KeyAccess<bool>>) {
          w.boolean(k.name, access.get(s));
        } else if constexpr (std::is_same_v<A, KeyAccess<std::string>>) {
          const std::string v = access.get(s);
          w.text(k.name, k.path && !v.empty() ? absolute(v) : v);
        } else if constexpr (std::is_same_v<A, KeyAccess<std::vector<std::string>>>) {
          w.texts(k.name, access.get(s));
        } else {
          w.reals(k.name, access.get(s));
        }
      },
      k.access);
}

}  // namespace

std::string to_toml(const Scenario& s) {
  Writer w(s);
  w.raw() << "# The resolved scenario of this run (docs/scenario-format.md): every parameter with "
             "the value\n# used, inputs as absolute paths. `gridplan run scenario.toml` repeats "
             "the run; the studio\n# reopens the run from it.\n\n";
  // Every table of the key table (scenario_keys.hpp) in its order: a key the reader knows is
  // written here by construction.
  for (const ScenarioTable& table : scenario_tables()) {
    if (table.path.empty() || (table.written && !table.written(s))) continue;
    const bool any_key = std::any_of(table.keys.begin(), table.keys.end(),
                                     [&](const ScenarioKey& k) { return writes(s, k); });
    if (!any_key && !table.open && !s.sources.count(table.path)) continue;
    w.table(table.path);
    for (const ScenarioKey& k : table.keys)
      if (writes(s, k)) write_key(w, s, table, k);
  }
  return w.str();
}

}  // namespace gp::pipeline
