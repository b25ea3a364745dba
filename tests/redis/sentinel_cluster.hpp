// A real Redis Sentinel deployment for tests: a primary and one replica (redis_server.hpp's
// RedisServer: AOF always, a password) and three sentinels with their own password, all on free
// 127.0.0.1 ports in temporary directories, with a short down-after-milliseconds and
// failover-timeout so that a failover takes a few seconds. Every process dies with the test.
#pragma once

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process_support.hpp"
#include "redis_server.hpp"

namespace redis_test {

/// One command on a fresh connection to 127.0.0.1:`port` after AUTH `password`: the reply's
/// strings (array elements, or the one value as text); empty when it failed.
inline std::vector<std::string> command_at(std::uint16_t port, const std::string& password,
                                           const std::vector<std::string>& args) {
  std::vector<std::string> out;
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (c == nullptr) return out;
  if (c->err == 0) {
    auto* auth = static_cast<redisReply*>(redisCommand(c, "AUTH %s", password.c_str()));
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

/// The value of `field` in the text of an INFO section ("" when absent).
inline std::string info_field(const std::string& info, const std::string& field) {
  std::istringstream in(info);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind(field + ":", 0) == 0) return line.substr(field.size() + 1);
  }
  return {};
}

/// The sentinel binary: redis-sentinel on PATH, else redis-server (run with --sentinel).
inline std::string find_sentinel(const std::string& redis_server) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/usr/local/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/redis-sentinel";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return redis_server;
}

class SentinelCluster {
 public:
  static constexpr const char* master_name = "inbox-primary";

  SentinelCluster(const std::string& redis_server, std::string password,
                  std::string sentinel_password)
      : binary_(redis_server), sentinel_binary_(find_sentinel(redis_server)),
        password_(std::move(password)), sentinel_password_(std::move(sentinel_password)) {
    nodes_.push_back(std::make_unique<RedisServer>(
        redis_server, password_,
        std::vector<std::string>{"--masterauth", password_, "--repl-diskless-sync-delay", "0"}));
    nodes_.push_back(std::make_unique<RedisServer>(
        redis_server, password_,
        std::vector<std::string>{"--masterauth", password_, "--repl-diskless-sync-delay", "0",
                                 "--replicaof", "127.0.0.1", std::to_string(nodes_[0]->port())}));
    for (int i = 0; i < 3; ++i) sentinel_ports_.push_back(free_port());
  }
  ~SentinelCluster() {
    for (pid_t& pid : sentinel_pids_) test_process::stop(pid, SIGTERM);
  }
  SentinelCluster(const SentinelCluster&) = delete;
  SentinelCluster& operator=(const SentinelCluster&) = delete;

  /// Starts both nodes (node 1 a replica of node 0) and the sentinels, and waits (bounded)
  /// until the sentinels know the replica and each other; the reason when it fails.
  std::optional<std::string> start() {
    if (!nodes_[0]->start()) return "the primary did not start (" + nodes_[0]->dir() + ")";
    if (!nodes_[1]->start()) return "the replica did not start (" + nodes_[1]->dir() + ")";
    for (std::size_t i = 0; i < sentinel_ports_.size(); ++i) {
      const std::string conf = nodes_[0]->dir() + "/sentinel-" + std::to_string(i) + ".conf";
      std::ofstream(conf) << "port " << sentinel_ports_[i] << "\nbind 127.0.0.1\n"
                          << "dir " << nodes_[0]->dir() << "\n"
                          << "requirepass " << sentinel_password_ << "\n"
                          << "sentinel monitor " << master_name << " 127.0.0.1 "
                          << nodes_[0]->port() << " 2\n"
                          << "sentinel auth-pass " << master_name << " " << password_ << "\n"
                          << "sentinel sentinel-pass " << sentinel_password_ << "\n"
                          << "sentinel down-after-milliseconds " << master_name << " 1000\n"
                          << "sentinel failover-timeout " << master_name << " 3000\n"
                          << "sentinel parallel-syncs " << master_name << " 1\n";
      std::vector<std::string> args{sentinel_binary_, conf};
      if (sentinel_binary_ == binary_) args.emplace_back("--sentinel");
      sentinel_pids_.push_back(test_process::spawn_logged(
          std::move(args), nodes_[0]->dir() + "/sentinel-" + std::to_string(i) + ".log"));
    }
    for (int i = 0; i < 300; ++i) {
      // The replica has made its first copy (a replica still syncing holds nothing yet).
      const std::vector<std::string> info = nodes_[1]->command({"INFO", "replication"});
      bool ready = !info.empty() && info_field(info[0], "master_link_status") == "up";
      for (const std::uint16_t port : sentinel_ports_) {
        const std::vector<std::string> m = sentinel(port, {"SENTINEL", "master", master_name});
        ready = ready && field(m, "num-other-sentinels") == "2" && field(m, "num-slaves") == "1";
      }
      if (ready) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "the sentinels did not find each other and the replica within 15 s (logs in " +
           nodes_[0]->dir() + ")";
  }

  RedisServer& node(std::size_t i) { return *nodes_[i]; }
  /// The node index of the primary the first answering sentinel names (-1: none).
  int named_primary() const {
    for (const std::uint16_t port : sentinel_ports_) {
      const std::vector<std::string> a =
          sentinel(port, {"SENTINEL", "get-master-addr-by-name", master_name});
      if (a.size() == 2) {
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
          if (a[1] == std::to_string(nodes_[i]->port())) return static_cast<int>(i);
        }
      }
    }
    return -1;
  }
  /// A command to the sentinel on `port`.
  std::vector<std::string> sentinel(std::uint16_t port,
                                    const std::vector<std::string>& args) const {
    return command_at(port, sentinel_password_, args);
  }
  /// `redis-sentinel://127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3/MASTER?name=NAME` + `extra`.
  std::string uri(const std::string& name, const std::string& extra = "") const {
    std::string out = "redis-sentinel://";
    for (std::size_t i = 0; i < sentinel_ports_.size(); ++i) {
      out += (i == 0 ? "127.0.0.1:" : ",127.0.0.1:") + std::to_string(sentinel_ports_[i]);
    }
    return out + "/" + master_name + "?name=" + name + extra;
  }
  const std::string& password() const noexcept { return password_; }
  const std::string& sentinel_password() const noexcept { return sentinel_password_; }
  const std::vector<std::uint16_t>& sentinel_ports() const noexcept { return sentinel_ports_; }

 private:
  // The value after `name` in a flat name/value reply.
  static std::string field(const std::vector<std::string>& reply, const std::string& name) {
    for (std::size_t i = 0; i + 1 < reply.size(); i += 2) {
      if (reply[i] == name) return reply[i + 1];
    }
    return {};
  }

  std::string binary_;
  std::string sentinel_binary_;
  std::string password_;
  std::string sentinel_password_;
  std::vector<std::unique_ptr<RedisServer>> nodes_;
  std::vector<std::uint16_t> sentinel_ports_;
  std::vector<pid_t> sentinel_pids_;
};

}  // namespace redis_test
