#include "planner/sim/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gp::sim {

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  const double position = q * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(position));
  const double fraction = position - static_cast<double>(lower);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lower),
                   values.end());
  const double low = values[lower];
  if (fraction == 0.0 || lower + 1 >= values.size()) return low;
  // The next order statistic is the minimum of the part above `lower`.
  const double high =
      *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lower) + 1, values.end());
  return low + fraction * (high - low);
}

double t_quantile_975(int df) {
  static constexpr double table[] = {
      12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
      2.2010,  2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
      2.0796,  2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423};
  if (df < 1) return std::numeric_limits<double>::quiet_NaN();
  if (df <= 30) return table[df - 1];
  // Cornish-Fisher expansion of t in powers of 1/df around z = Φ⁻¹(0.975).
  const double z = 1.959963984540054;
  const double n = df;
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n);
}

Estimate estimate(const std::vector<double>& replication_values) {
  Estimate result;
  double sum = 0.0;
  for (double v : replication_values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++result.replications;
  }
  if (result.replications == 0) {
    result.mean = std::numeric_limits<double>::quiet_NaN();
    return result;
  }
  result.mean = sum / result.replications;
  if (result.replications < 2) return result;
  double squares = 0.0;
  for (double v : replication_values) {
    if (std::isnan(v)) continue;
    squares += (v - result.mean) * (v - result.mean);
  }
  const double sd = std::sqrt(squares / (result.replications - 1));
  result.half_width = t_quantile_975(result.replications - 1) * sd /
                      std::sqrt(static_cast<double>(result.replications));
  return result;
}

}  // namespace gp::sim
