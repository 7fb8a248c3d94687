#include "planner/core/progress.hpp"

#include "planner/core/errors.hpp"

namespace gp {

void Progress::update(std::string_view stage, double fraction) {
  if (cancel_.load()) throw Cancelled();
  if (on_update_) on_update_(stage, fraction);
}

}  // namespace gp
