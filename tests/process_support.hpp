// Child processes for the tests that run real programs (serve, workers, redis-server) and kill
// them: start with stdout/stderr in log files, stop with a signal and a bounded wait, read the
// port a server printed. Every child dies with the test (PR_SET_PDEATHSIG), so a failed test
// leaves nothing running. No Catch2 here: callers decide what a failure means.
#ifndef MORPH_WEBHOOK_TESTS_PROCESS_SUPPORT_HPP
#define MORPH_WEBHOOK_TESTS_PROCESS_SUPPORT_HPP

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace test_process {

/// The whole file (empty when it cannot be read).
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Forks and execs `args` (args[0] is the program's path) with stdout in `log` and stderr in
/// `log.err`; `own_group` puts it in a process group of its own, so stop() reaches the commands
/// it started too. Returns the pid (-1 when fork failed). Call from the main thread:
/// PR_SET_PDEATHSIG fires when the thread that forked exits.
inline pid_t spawn_logged(std::vector<std::string> args, const std::string& log,
                          bool own_group = false) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec (freopen is as good as open+dup2 here).
    if (own_group) ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (!std::freopen(log.c_str(), "w", stdout)) ::_exit(126);
    if (!std::freopen((log + ".err").c_str(), "w", stderr)) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

/// True when `pid` has exited (and is reaped); `status` gets its wait status.
inline bool exited(pid_t pid, int& status) {
  pid_t r;
  while ((r = ::waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  return r == pid;
}

/// Sends `signal` to `pid` (to its group when `group`), waits up to `timeout` for the exit,
/// then SIGKILLs; returns the wait status. Does nothing (returns 0) for pid <= 0.
inline int stop(pid_t pid, int signal, bool group = false,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  if (pid <= 0) return 0;
  ::kill(group ? -pid : pid, signal);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exited(pid, status)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(group ? -pid : pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status;
}

/// The port a server printed as its first line in `log` ("listening on 127.0.0.1:PORT"),
/// waiting up to `timeout`; nullopt when `pid` exited first or the time ran out (its log and
/// log.err say why).
inline std::optional<int> wait_for_port(
    const std::string& log, pid_t pid,
    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const std::string prefix = "listening on 127.0.0.1:";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = read_file(log);
    if (const auto nl = out.find('\n'); nl != std::string::npos && out.rfind(prefix, 0) == 0) {
      return std::stoi(out.substr(prefix.size(), nl - prefix.size()));
    }
    int status = 0;
    if (exited(pid, status)) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return std::nullopt;
}

}  // namespace test_process

#endif  // MORPH_WEBHOOK_TESTS_PROCESS_SUPPORT_HPP
