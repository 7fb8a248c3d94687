// Fuzz target: the GeoJSON loader. Bytes → /vsimem/buildings.geojson → io::load with validation.
// Must end in a result or gp::InputError / gp::ConfigError; anything else is a finding.

#include "tests/fuzz/gdal_memory_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gp::fuzz::load_from_memory(data, size, "/vsimem/fuzz/buildings.geojson",
                             gp::io::LayerRole::buildings);
  return 0;
}
