#pragma once
// built_up_area (built_up_area.hpp) handing back the GEOSisValid answers it found, for
// validation, which asks of every building's footprint again (geo/validate.cpp). Its own header
// so that built_up_area.hpp, which half the project includes through validate.hpp, stays as it
// was.

#include <cstdint>
#include <vector>

#include "planner/geo/built_up_area.hpp"

namespace gp::geo {

/// built_up_area, and `validity` set to one entry per footprint: GEOSisValid's answer (1 valid,
/// 0 invalid) for the footprints it asked about, −1 for the others. The footprints are not
/// changed in between, so the caller may take these answers for its own check.
MultiPolygon built_up_area(GeosContext& ctx, const std::vector<const MultiPolygon*>& footprints,
                           const BuiltUpParams& params,
                           const std::function<void(std::size_t)>& grown,
                           std::vector<std::int8_t>* validity);

}  // namespace gp::geo
