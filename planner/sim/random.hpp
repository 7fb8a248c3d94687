#pragma once
// Deterministic random numbers for the simulator. The generator is xoshiro256** (Blackman and
// Vigna), seeded through splitmix64; every sampling routine below is our own so that the same
// seed gives the same numbers with any standard library (std::*_distribution does not).

#include <cmath>
#include <cstdint>
#include <limits>

namespace gp::sim {

/// One step of splitmix64: a good 64-bit mixer, used to expand seeds.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// A seed for stream `index` derived from `seed` (replication r uses derive_seed(seed, r)).
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t state = seed ^ (0x6a09e667f3bcc909ULL * (index + 1));
  splitmix64(state);
  return splitmix64(state);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) {
    std::uint64_t state = seed;
    for (auto& word : s_) word = splitmix64(state);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in (0, 1]: safe to take the logarithm of.
  double uniform_open_zero() { return 1.0 - uniform(); }
  /// Uniform integer in [0, n) without modulo bias (rejects the incomplete top block; n > 0).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit =
        std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
    for (;;) {
      const std::uint64_t x = next();
      if (x < limit) return x % n;
    }
  }
  /// True with probability p.
  bool bernoulli(double p) { return uniform() < p; }
  /// Exponential with the given mean (inversion).
  double exponential(double mean) { return -mean * std::log(uniform_open_zero()); }
  /// Standard normal (Marsaglia's polar method; the spare value is kept for the next call).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0.0, v = 0.0, s = 0.0;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }
  /// Log-normal with the given mean and coefficient of variation (cv = sd / mean).
  double lognormal_mean_cv(double mean, double cv) {
    if (cv <= 0.0) return mean;
    const double sigma2 = std::log1p(cv * cv);
    const double mu = std::log(mean) - 0.5 * sigma2;
    return std::exp(mu + std::sqrt(sigma2) * normal());
  }
  /// Poisson with mean `lambda` (≥ 0). Inversion by sequential search for small means; larger
  /// means are split into chunks of at most 30, whose Poisson counts add up exactly.
  std::uint64_t poisson(double lambda) {
    std::uint64_t total = 0;
    while (lambda > 30.0) {
      total += poisson_small(30.0);
      lambda -= 30.0;
    }
    return total + poisson_small(lambda);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t poisson_small(double lambda) {
    if (lambda <= 0.0) return 0;
    double p = std::exp(-lambda);
    double cumulative = p;
    const double u = uniform();
    std::uint64_t k = 0;
    while (u > cumulative && k < 1000) {
      ++k;
      p *= lambda / static_cast<double>(k);
      cumulative += p;
    }
    return k;
  }

  std::uint64_t s_[4]{};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace gp::sim
