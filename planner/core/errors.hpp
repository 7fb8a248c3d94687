#pragma once
// Exception types. Library code throws; only the CLI's main() (and the studio's session) turn
// them into exit codes or messages. Every message names the component, the file/layer/feature
// where known, quotes the bad value and says what to do.

#include <stdexcept>
#include <string>

namespace gp {

/// Bad or unreadable input data (missing file, corrupt layer, missing field, no CRS...).
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A bad parameter or scenario value (impossible bounds, unknown key...).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Validation problems turned fatal by --strict.
struct StrictModeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Writing outputs failed (unwritable directory, disk full, existing output without --overwrite).
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The user or the studio cancelled a long computation.
struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace gp
