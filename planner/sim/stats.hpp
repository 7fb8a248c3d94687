#pragma once
// Small statistics helpers: quantiles of samples and t-based confidence intervals over
// replications.

#include <vector>

namespace gp::sim {

/// The q-quantile (q in [0,1]) by linear interpolation between order statistics (Hyndman-Fan
/// type 7, R's default). Reorders `values`. Returns NaN for an empty sample.
double quantile(std::vector<double>& values, double q);

/// Two-sided 97.5 % quantile of Student's t with `df` ≥ 1 degrees of freedom (exact table up to
/// 30, then the Cornish-Fisher expansion around the normal quantile, error < 1e-4).
double t_quantile_975(int df);

/// Mean of replications with a 95 % confidence interval (t-distribution, df = n − 1).
/// With one replication the half-width is 0 (no interval can be given); NaN values are skipped.
struct Estimate {
  double mean = 0.0;
  double half_width = 0.0;  // 95 % CI is [mean − half_width, mean + half_width]
  int replications = 0;     // values that entered (non-NaN)
  [[nodiscard]] double low() const { return mean - half_width; }
  [[nodiscard]] double high() const { return mean + half_width; }
};
Estimate estimate(const std::vector<double>& replication_values);

}  // namespace gp::sim
