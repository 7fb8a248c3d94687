#pragma once
// Wall-clock time for what a run records (manifest.json's `generated`, compare.html's footer), and
// elapsed seconds for the stage timings it prints.

#include <chrono>
#include <ctime>
#include <string>

namespace gp {

/// The current time in UTC as ISO 8601 to the second, "2026-12-06T03:08:12Z".
inline std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

/// Seconds elapsed since `start` on the steady clock (immune to the system clock being set).
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace gp
