/// @file inbox_work.cpp
/// @brief `inbox work` (see inbox_work.hpp): lease, spawn, feed stdin, extend, ack or fail.
#include "cli/inbox_work.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"

extern char** environ;

namespace morph::webhook::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) { g_stop = 1; }

bool stopping() { return g_stop != 0; }

/// Counts and the first storage error, shared by the worker threads.
struct Totals {
  std::atomic<unsigned long> acked{0};
  std::atomic<unsigned long> failed{0};
  std::atomic<bool> storage_error{false};
};

/// The environment of one command: ours without stale MORPH_* values, plus the delivery's.
std::vector<std::string> command_environment(const Delivery& d) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, "MORPH_", 6) != 0) env.emplace_back(*e);
  }
  env.push_back("MORPH_CONNECTOR_ID=" + d.connector_id);
  env.push_back("MORPH_OWNER_ID=" + d.owner_id);
  env.push_back("MORPH_IDEMPOTENCY_KEY=" + d.idempotency_key);
  env.push_back("MORPH_DELIVERY_ID=" + std::to_string(d.id));
  env.push_back(std::string("MORPH_STALE=") + (d.stale ? "true" : "false"));
  env.push_back("MORPH_REPLAYS=" + std::to_string(d.replays));
  env.push_back("MORPH_ATTEMPT=" + std::to_string(d.attempt));
  env.push_back("MORPH_RECEIVED_AT=" + format_time(d.received_at));
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// How the command ended: "exit 0", "exit 3", "signal 9", or why it could not start.
struct Outcome {
  bool ok = false;
  std::string reason;
};

class Worker {
 public:
  Worker(const WorkConfig& config, Inbox& inbox, Totals& totals)
      : config_(config), inbox_(inbox), totals_(totals) {}

  void run() {
    while (!stopping() && !totals_.storage_error.load()) {
      Result<std::vector<Delivery>> got = inbox_.lease(1, config_.lease);
      if (!got) {
        print_inbox_error("work", "leasing: " + got.error().message);
        // A long-running worker outlives an outage of its storage (a Redis restart): it waits
        // and tries again. With --until-empty (scripts) it stops with the error.
        if (config_.until_empty || got.error().code != ErrorCode::storage_unavailable) {
          totals_.storage_error = true;
          return;
        }
        sleep_unless_stopping(std::max<InboxDuration>(config_.poll, std::chrono::seconds(1)));
        continue;
      }
      if (got->empty()) {
        if (config_.until_empty) return;
        sleep_unless_stopping(config_.poll);
        continue;
      }
      process((*got)[0]);
    }
  }

 private:
  void sleep_unless_stopping(InboxDuration d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stopping() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void process(Delivery& d) {
    const auto start = std::chrono::steady_clock::now();
    const Outcome outcome = execute(d);
    const long long ms =
        static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
    std::string verdict;
    if (outcome.ok) {
      const Result<Done> r = inbox_.ack(d);
      verdict = r ? "acked" : "not acked: " + r.error().message;
      if (r) ++totals_.acked;
      // Not acked: the lease expires and the delivery is run again (at-least-once).
      if (!r && r.error().code == ErrorCode::storage_unavailable && config_.until_empty) {
        totals_.storage_error = true;
      }
    } else {
      const Result<Failed> r = inbox_.fail(d, outcome.reason);
      if (r) {
        ++totals_.failed;
        verdict = r->dead ? "failed, now dead" : "failed, retry at " + format_time(r->retry_at);
      } else {
        verdict = "not failed: " + r.error().message;
        if (r.error().code == ErrorCode::storage_unavailable && config_.until_empty) {
          totals_.storage_error = true;
        }
      }
    }
    std::fprintf(stderr, "morph-webhook inbox work: delivery %lld (attempt %u): %s, %s, %lld ms\n",
                 static_cast<long long>(d.id), d.attempt, outcome.reason.c_str(), verdict.c_str(),
                 ms);
  }

  Outcome execute(Delivery& d) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return {false, std::string("pipe: ") + std::strerror(errno)};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<std::string> args = config_.command;
    std::vector<std::string> env = command_environment(d);
    std::vector<char*> argv = pointers(args);
    std::vector<char*> envp = pointers(env);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[0]);
    if (rc != 0) {
      ::close(fds[1]);
      return {false, "cannot run " + config_.command[0] + ": " + std::strerror(rc)};
    }
    return supervise(d, pid, fds[1]);
  }

  // Feeds the body, renews the lease every third of it, and after a stop signal waits up to
  // the drain timeout before asking the command to stop.
  Outcome supervise(Delivery& d, pid_t pid, int in) {
    ::fcntl(in, F_SETFL, ::fcntl(in, F_GETFL) | O_NONBLOCK);
    std::size_t written = 0;
    const auto renew_every = config_.lease / 3;
    auto next_renewal = std::chrono::steady_clock::now() + renew_every;
    std::chrono::steady_clock::time_point stop_deadline{};
    bool term_sent = false;
    bool kill_sent = false;
    int status = 0;
    for (;;) {
      if (in >= 0 && written < d.body.size()) {
        const ssize_t n = ::write(in, d.body.data() + written, d.body.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 && errno != EAGAIN && errno != EINTR) written = d.body.size();  // EPIPE
      }
      if (in >= 0 && written >= d.body.size()) {
        ::close(in);
        in = -1;
      }
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_renewal) {
        const Result<TimePoint> r = inbox_.extend(d, config_.lease);
        if (!r)
          print_inbox_error("work", "delivery " + std::to_string(d.id) +
                                        ": cannot extend the lease: " + r.error().message);
        next_renewal = now + renew_every;
      }
      if (stopping()) {
        if (stop_deadline == std::chrono::steady_clock::time_point{}) {
          stop_deadline = now + config_.drain_timeout;
        } else if (!term_sent && now >= stop_deadline) {
          ::kill(pid, SIGTERM);
          term_sent = true;
          stop_deadline = now + std::chrono::seconds(5);
        } else if (term_sent && !kill_sent && now >= stop_deadline) {
          ::kill(pid, SIGKILL);
          kill_sent = true;
        }
      }
      pollfd p{in, POLLOUT, 0};
      ::poll(&p, in >= 0 ? 1 : 0, 20);
    }
    if (in >= 0) ::close(in);
    if (term_sent) return {false, "worker stopped"};
    if (WIFEXITED(status)) {
      const int code = WEXITSTATUS(status);
      return {code == 0, "exit " + std::to_string(code)};
    }
    if (WIFSIGNALED(status)) return {false, "signal " + std::to_string(WTERMSIG(status))};
    return {false, "ended"};
  }

  const WorkConfig& config_;
  Inbox& inbox_;
  Totals& totals_;
};

/// True when `name` can be executed: a path, or a program found on PATH (as posix_spawnp looks).
bool is_runnable(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    if (::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

int run_work(const WorkConfig& config) {
  if (config.command.empty()) {
    print_inbox_error("work", "no command: inbox work --inbox URI -- COMMAND [ARGS...]");
    return exit_error;
  }
  // A missing program would fail every delivery until all are dead letters: refuse to start.
  if (!is_runnable(config.command[0])) {
    print_inbox_error("work",
                      "cannot run '" + config.command[0] + "': not found or not executable");
    return exit_error;
  }
  if (config.concurrency == 0 || config.lease < std::chrono::seconds(1)) {
    print_inbox_error("work", "--concurrency must be at least 1 and --lease at least 1s");
    return exit_error;
  }
  Result<std::unique_ptr<Inbox>> opened = open_inbox(config.inbox, InboxCreation::must_exist);
  if (!opened) {
    print_inbox_error("work", "cannot open the inbox: " + opened.error().message);
    return exit_error;
  }
  std::unique_ptr<Inbox> inbox = std::move(*opened);

  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a command that does not read its stdin

  Totals totals;
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < config.concurrency; ++i) {
    threads.emplace_back([&] { Worker(config, *inbox, totals).run(); });
  }
  for (std::thread& t : threads) t.join();
  std::fprintf(stderr, "morph-webhook inbox work: stopped: %lu acked, %lu failed\n",
               totals.acked.load(), totals.failed.load());
  return totals.storage_error ? exit_error : exit_ok;
}

}  // namespace morph::webhook::cli
