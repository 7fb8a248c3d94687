#pragma once
// Shared by the loader fuzz targets: puts the fuzzer's bytes into a GDAL in-memory file and runs
// io::load on it with validation, as `gridplan inspect`/`run` would on a file on disk.

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "planner/core/errors.hpp"
#include "planner/io/load.hpp"

namespace gp::fuzz {

inline void load_from_memory(const std::uint8_t* data, std::size_t size, const std::string& path,
                             std::optional<io::LayerRole> role) {
  static const bool initialised = [] {
    GDALAllRegister();
    // GDAL's own messages for malformed input would flood the fuzzer's output; the loader reports
    // what matters through exceptions and problems.
    CPLSetErrorHandler(CPLQuietErrorHandler);
    return true;
  }();
  (void)initialised;
  // VSIFileFromMemBuffer takes a non-const buffer but does not write to it when not owning it.
  VSILFILE* file = VSIFileFromMemBuffer(path.c_str(), const_cast<GByte*>(data),
                                        static_cast<vsi_l_offset>(size), FALSE);
  if (file == nullptr) return;
  VSIFCloseL(file);
  io::LoadOptions options;
  options.inputs.push_back({path, "", role});
  // Without a CRS the loader stops early; assuming one lets the fuzzer reach projection and
  // validation for inputs that carry none.
  options.assume_crs = "EPSG:4326";
  Progress progress;
  try {
    const io::LoadResult loaded = io::load(options, progress);
    (void)loaded.dataset.total_households();
  } catch (const InputError&) {
  } catch (const ConfigError&) {
  }
  VSIUnlink(path.c_str());
}

}  // namespace gp::fuzz
