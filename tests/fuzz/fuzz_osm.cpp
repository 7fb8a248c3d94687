// Fuzz target: the OpenStreetMap XML loader. Bytes → /vsimem/town.osm → io::load with validation
// (buildings, landuse, highways and waterways taken by tags). Must end in a result or
// gp::InputError / gp::ConfigError; anything else is a finding.

#include "tests/fuzz/gdal_memory_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gp::fuzz::load_from_memory(data, size, "/vsimem/fuzz/town.osm", std::nullopt);
  return 0;
}
