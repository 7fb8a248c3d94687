#include <catch2/catch.hpp>

#include <cmath>

#include "planner/core/random.hpp"
#include "planner/sim/stats.hpp"

using namespace gp;
using namespace gp::sim;

TEST_CASE("xoshiro256** is reproducible and streams differ") {
  Rng a(42), b(42), c(derive_replication_seed(42, 1));
  for (int i = 0; i < 100; ++i) CHECK(a.next() == b.next());
  Rng d(42);
  bool differs = false;
  for (int i = 0; i < 10; ++i) differs |= c.next() != d.next();
  CHECK(differs);
  CHECK(derive_replication_seed(1, 0) != derive_replication_seed(1, 1));
  CHECK(derive_replication_seed(1, 0) != derive_replication_seed(2, 0));
}

TEST_CASE("own samplers have the right means") {
  Rng rng(7);
  const int n = 200000;
  double uniform = 0, exponential = 0, poisson_small = 0, poisson_large = 0, lognormal = 0,
         normal = 0, normal2 = 0;
  std::uint64_t below_hits = 0;
  for (int i = 0; i < n; ++i) {
    uniform += rng.uniform();
    exponential += rng.exponential(2.0);
    poisson_small += static_cast<double>(rng.poisson(3.5));
    poisson_large += static_cast<double>(rng.poisson(75.0));
    lognormal += rng.lognormal_mean_cv(30.0, 1.0);
    const double z = rng.normal();
    normal += z;
    normal2 += z * z;
    below_hits += rng.below(10) == 3 ? 1 : 0;
  }
  CHECK(uniform / n == Approx(0.5).margin(0.005));
  CHECK(exponential / n == Approx(2.0).margin(0.03));
  CHECK(poisson_small / n == Approx(3.5).margin(0.03));
  CHECK(poisson_large / n == Approx(75.0).margin(0.15));
  CHECK(lognormal / n == Approx(30.0).margin(0.6));
  CHECK(normal / n == Approx(0.0).margin(0.01));
  CHECK(normal2 / n == Approx(1.0).margin(0.02));
  CHECK(static_cast<double>(below_hits) / n == Approx(0.1).margin(0.005));
}

TEST_CASE("quantiles interpolate like R type 7, t quantiles, confidence intervals") {
  std::vector<double> values{5, 1, 4, 2, 3};
  CHECK(quantile(values, 0.5) == 3.0);
  CHECK(quantile(values, 0.9) == Approx(4.6));
  CHECK(quantile(values, 0.0) == 1.0);
  CHECK(quantile(values, 1.0) == 5.0);
  std::vector<double> empty;
  CHECK(std::isnan(quantile(empty, 0.5)));
  CHECK(t_quantile_975(1) == Approx(12.7062));
  CHECK(t_quantile_975(29) == Approx(2.0452));
  CHECK(t_quantile_975(40) == Approx(2.0211).margin(1e-3));
  CHECK(t_quantile_975(120) == Approx(1.9799).margin(1e-3));
  const Estimate e = estimate({1.0, 2.0, 3.0, 4.0});
  CHECK(e.mean == 2.5);
  // sd = 1.29099, t(3) = 3.1824: half-width = 3.1824 × 1.29099 / 2
  CHECK(e.half_width == Approx(3.1824 * 1.290994 / 2.0));
  CHECK(estimate({5.0}).half_width == 0.0);
  CHECK(estimate({NAN, 2.0, 4.0}).replications == 2);
}
