#pragma once
// Helpers for the hardening tests: run the gridplan CLI in a child process under resource limits,
// checksum files, and record the message a user sees for each bad input (the catalogue in
// docs/bad-inputs.md is written from that record).

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "planner/io/export.hpp"

namespace gp::hardening {

/// Appends "case<TAB>message" to $GRIDPLAN_BAD_INPUT_LOG when set, so the catalogue quotes the
/// exact text the tests saw instead of a paraphrase.
inline void record(const std::string& name, const std::string& message) {
  const char* log = std::getenv("GRIDPLAN_BAD_INPUT_LOG");
  if (log == nullptr) return;
  std::string flat = message;
  for (char& c : flat)
    if (c == '\n' || c == '\t') c = ' ';
  std::ofstream(log, std::ios::app) << name << '\t' << flat << '\n';
}

struct Limits {
  std::optional<rlim_t> address_space;  // RLIMIT_AS, bytes
  std::optional<rlim_t> file_size;      // RLIMIT_FSIZE, bytes (SIGXFSZ ignored: writes fail)
};

struct ChildResult {
  bool exited = false;  // normal exit (else killed by a signal)
  int exit_code = -1;
  int signal = 0;
  std::string err;  // stderr
};

/// Starts `args` (argv[0] is the program) with `limits`; stdout is discarded, stderr goes to
/// `err_path`. Returns the child's pid.
inline pid_t spawn(const std::vector<std::string>& args, const Limits& limits,
                   const std::string& err_path) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls until exec.
  const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int null = open("/dev/null", O_WRONLY);
  if (err >= 0) dup2(err, 2);
  if (null >= 0) dup2(null, 1);
  if (limits.file_size) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{*limits.file_size, *limits.file_size};
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  if (limits.address_space) {
    const rlimit limit{*limits.address_space, *limits.address_space};
    setrlimit(RLIMIT_AS, &limit);
  }
  // No core dumps: a crash must show as a signal here, not fill the disk.
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  execv(argv[0], argv.data());
  _exit(127);
}

inline ChildResult wait_for(pid_t pid, const std::string& err_path) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  ChildResult result;
  result.exited = WIFEXITED(status);
  result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  std::ifstream in(err_path);
  std::ostringstream text;
  text << in.rdbuf();
  result.err = text.str();
  return result;
}

inline ChildResult run_cli(const std::vector<std::string>& cli_args, const Limits& limits,
                           const std::string& err_path) {
  std::vector<std::string> args{GRIDPLAN_CLI_PATH};
  args.insert(args.end(), cli_args.begin(), cli_args.end());
  return wait_for(spawn(args, limits, err_path), err_path);
}

/// Regular files directly in `dir` (names only).
inline std::vector<std::string> files_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    names.push_back(entry.path().filename().string());
  return names;
}

/// The last line of the CLI's stderr that starts with "gridplan:" (its error message).
inline std::string cli_message(const std::string& err) {
  std::istringstream lines(err);
  std::string line, message;
  bool in_message = false;
  while (std::getline(lines, line)) {
    if (line.rfind("gridplan:", 0) == 0) {
      message = line;
      in_message = true;
    } else if (in_message && !line.empty() && line[0] != '\r') {
      message += "\n" + line;
    }
  }
  return message;
}

/// Whether the program under test was built with AddressSanitizer (RLIMIT_AS cannot be used:
/// ASan reserves terabytes of shadow address space).
inline constexpr bool kAddressSanitizer =
#if defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

}  // namespace gp::hardening
