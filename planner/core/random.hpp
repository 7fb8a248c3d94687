#pragma once
// The project's one pseudo-random number generator (docs/developers.md "Determinism"): SplitMix64
// to expand seeds, xoshiro256** (Blackman and Vigna) for the stream, and every sampling routine
// written out here bit for bit, so the same seed gives the same numbers with any standard library
// (std::*_distribution is implementation-defined and is not used). The synthetic towns, the event
// simulation and the partitioner's randomised restarts all draw from it.

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

namespace gp {

/// One SplitMix64 step: advances `state` and returns a well-mixed 64-bit value.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// SplitMix64 of `x` without a state to keep: a stateless mixer (x ↦ next value of a SplitMix64
/// stream at state x). `x = mix64(x)` walks a stream.
inline std::uint64_t mix64(std::uint64_t x) {
  return splitmix64(x);
}

/// An independent seed for stream `stream` (a community of a synthetic town, ...): adding
/// streams never changes the earlier ones.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t state = seed ^ (stream * 0xD1B54A32D192ED03ULL);
  splitmix64(state);
  return splitmix64(state);
}

/// The seed of replication `index` of the event simulation. A second mixing constant, kept so
/// recorded simulation results (docs/simulation.md, benchmarks) stay reproducible; it is as
/// independent across indices as derive_seed.
inline std::uint64_t derive_replication_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t state = seed ^ (0x6a09e667f3bcc909ULL * (index + 1));
  splitmix64(state);
  return splitmix64(state);
}

/// xoshiro256**, seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) {
    for (std::uint64_t& word : s_) word = splitmix64(seed);
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

  /// Uniform in [0, 1): the top 53 bits as a double.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  /// Uniform in (0, 1]: safe to take the logarithm of.
  double uniform_open_zero() { return 1.0 - uniform(); }
  /// Uniform integer in [low, high] (inclusive) from one uniform() draw. Precondition: low ≤ high.
  int between(int low, int high) {
    const double span = static_cast<double>(high - low + 1);
    const int offset = static_cast<int>(uniform() * span);
    return low + (offset > high - low ? high - low : offset);
  }
  /// Uniform integer in [0, n) without modulo bias (rejects the incomplete top block; n > 0).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit =
        std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
    for (;;) {
      const std::uint64_t x = next();
      if (x < limit) return x % n;
    }
  }
  /// True with probability `p`.
  bool chance(double p) { return uniform() < p; }
  bool bernoulli(double p) { return chance(p); }
  /// Index drawn with the given non-negative weights (at least one positive).
  std::size_t weighted(std::span<const double> weights) {
    double total = 0.0;
    for (double w : weights) total += w;
    double r = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return weights.size() - 1;
  }
  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[static_cast<std::size_t>(between(0, static_cast<int>(items.size()) - 1))];
  }
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

}  // namespace gp
