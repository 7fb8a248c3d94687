#pragma once
// Running a command line from a test and reading what it printed: the CLI and real-data tests
// drive `gridplan` and the Python checks the way a user or a script would, through the shell.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

namespace gp::test {

struct ShellResult {
  int code = -1;    ///< the exit status; -1 when the command did not exit normally (a signal)
  std::string out;  ///< what the command printed on stdout (and stderr when merged)
};

/// Where a command's stderr goes: into `out` beside stdout (for messages a test reads), to
/// /dev/null (when `out` must be parsed, e.g. `--json`), or left to the test's own log.
enum class Stderr { merged, discarded, to_log };

/// Runs `command` with /bin/sh and waits for it. Precondition: `command` quotes its own paths
/// (`quote`). Fails the test when the shell cannot be started.
inline ShellResult shell(const std::string& command, Stderr err = Stderr::merged) {
  const char* redirect = err == Stderr::merged      ? " 2>&1"
                         : err == Stderr::discarded ? " 2>/dev/null"
                                                    : "";
  ShellResult result;
  FILE* pipe = popen((command + redirect).c_str(), "r");
  REQUIRE(pipe);
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// `text` as one shell word: single quotes, with any single quote inside closed, escaped and
/// reopened, so paths with spaces or quotes (a planner's "D:\新建文件夹 (2)") survive.
inline std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

inline std::string quote(const std::filesystem::path& path) {
  return quote(path.string());
}

inline std::string quote(const char* text) {
  return quote(std::string(text));
}

}  // namespace gp::test
