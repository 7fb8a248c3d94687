#include "planner/cli/progress_printer.hpp"

#include <unistd.h>

#include <cstdio>

namespace gp::cli {

ProgressPrinter::ProgressPrinter(bool enabled)
    : enabled_(enabled),
      tty_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_),
      progress_([this](std::string_view stage, double fraction) { print(stage, fraction); }) {}

ProgressPrinter::~ProgressPrinter() {
  if (printed_ && tty_) std::fputc('\n', stderr);
}

void ProgressPrinter::print(std::string_view stage, double fraction) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1)) return;
  const bool new_stage = stage != last_stage_;
  const auto interval = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(3000);
  if (!new_stage && now - last_print_ < interval && fraction < 1.0) return;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  if (tty_)
    std::fprintf(stderr, "\r\033[K[%6.1fs] %.*s %5.1f%%", seconds, int(stage.size()), stage.data(),
                 100.0 * fraction);
  else
    std::fprintf(stderr, "[%6.1fs] %.*s %5.1f%%\n", seconds, int(stage.size()), stage.data(),
                 100.0 * fraction);
  std::fflush(stderr);
  printed_ = true;
  last_print_ = now;
  last_stage_ = std::string(stage);
}

}  // namespace gp::cli
