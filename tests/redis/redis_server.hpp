// A real redis-server for tests: a free 127.0.0.1 port, a temporary directory, AOF with
// appendfsync always, no RDB snapshots, a password, and any further options; killed (and
// restartable on the same port and directory, replaying its AOF) by the test. Linux only
// (PR_SET_PDEATHSIG: the server dies with the test even when the test crashes).
#pragma once

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process_support.hpp"

namespace redis_test {

/// The redis-server binary: $MORPH_WEBHOOK_REDIS_SERVER, else the first on PATH.
inline std::optional<std::string> find_redis_server() {
  if (const char* env = std::getenv("MORPH_WEBHOOK_REDIS_SERVER"); env != nullptr && *env) {
    return std::string(env);
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/usr/local/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/redis-server";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

/// A TCP port on 127.0.0.1 nobody listens on right now.
inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RedisServer {
 public:
  /// `extra`: more redis-server options, e.g. {"--maxmemory", "64mb"}.
  RedisServer(std::string binary, std::string password, std::vector<std::string> extra = {})
      : binary_(std::move(binary)), password_(std::move(password)), extra_(std::move(extra)) {
    // On tmpfs when there is one: fsync is then cheap, so AOF "always" costs the tests little
    // (the server still runs with it; what it protects against is a process crash here).
    std::string tmpl = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    tmpl += "/morph-redis-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
    port_ = free_port();
  }
  ~RedisServer() {
    stop(SIGTERM);
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  /// Starts the server and waits (at most 10 s) until it answers; false when it does not.
  /// Call it from the main thread: PR_SET_PDEATHSIG fires when the thread that forked exits.
  bool start() {
    if (dir_.empty() || port_ == 0) return false;
    const std::string port = std::to_string(port_);
    const std::string log = dir_ + "/redis.log";
    std::vector<std::string> args{binary_,     "--port",        port,     "--bind",
                                  "127.0.0.1", "--dir",         dir_,     "--appendonly",
                                  "yes",       "--appendfsync", "always", "--save",
                                  "",          "--daemonize",   "no",     "--logfile",
                                  log,         "--requirepass", password_};
    args.insert(args.end(), extra_.begin(), extra_.end());
    pid_ = test_process::spawn_logged(std::move(args), dir_ + "/redis.out");
    if (pid_ < 0) return false;
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (test_process::exited(pid_, status)) {
        pid_ = -1;
        return false;
      }
      if (ping()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  /// Sends `signal` (SIGKILL: a crash) and waits for the process to end.
  void stop(int signal) {
    test_process::stop(pid_, signal, false, std::chrono::seconds(5));
    pid_ = -1;
  }

  /// True when the server answers PING after AUTH.
  bool ping() const {
    timeval tv{1, 0};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    if (c == nullptr) return false;
    bool ok = false;
    if (c->err == 0) {
      auto* auth = static_cast<redisReply*>(redisCommand(c, "AUTH %s", password_.c_str()));
      if (auth != nullptr) freeReplyObject(auth);
      auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
      ok = r != nullptr && r->type == REDIS_REPLY_STATUS;
      if (r != nullptr) freeReplyObject(r);
    }
    redisFree(c);
    return ok;
  }

  /// Runs one command on a fresh connection; the reply's strings (array elements, or the one
  /// string/status/integer as text).
  std::vector<std::string> command(const std::vector<std::string>& args) const {
    std::vector<std::string> out;
    timeval tv{2, 0};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    if (c == nullptr) return out;
    if (c->err == 0) {
      auto* auth = static_cast<redisReply*>(redisCommand(c, "AUTH %s", password_.c_str()));
      if (auth != nullptr) freeReplyObject(auth);
      std::vector<const char*> argv;
      std::vector<std::size_t> lens;
      for (const std::string& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      auto* r = static_cast<redisReply*>(
          redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
      if (r != nullptr) {
        const auto add = [&out](const redisReply* e) {
          if (e->type == REDIS_REPLY_INTEGER) {
            out.push_back(std::to_string(e->integer));
          } else if (e->str != nullptr) {
            out.emplace_back(e->str, e->len);
          } else {
            out.emplace_back();
          }
        };
        if (r->type == REDIS_REPLY_ARRAY) {
          for (std::size_t i = 0; i < r->elements; ++i) add(r->element[i]);
        } else {
          add(r);
        }
        freeReplyObject(r);
      }
    }
    redisFree(c);
    return out;
  }

  std::uint16_t port() const noexcept { return port_; }
  const std::string& password() const noexcept { return password_; }
  const std::string& dir() const noexcept { return dir_; }
  /// `redis://:PASSWORD@127.0.0.1:PORT?name=NAME`.
  std::string uri(const std::string& name) const {
    return "redis://:" + password_ + "@127.0.0.1:" + std::to_string(port_) + "?name=" + name;
  }

 private:
  std::string binary_;
  std::string password_;
  std::vector<std::string> extra_;
  std::string dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

/// The server every test of the binary shares (started by main()).
inline RedisServer*& server() {
  static RedisServer* instance = nullptr;
  return instance;
}

}  // namespace redis_test
