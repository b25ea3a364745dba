// Redis Sentinel for the Redis inbox, with plain commands (Debian's hiredis 0.14 has no
// Sentinel support): ask the sentinels which node is the primary of a master name
// (`SENTINEL get-master-addr-by-name`), check that node's `ROLE`, and listen to the sentinels'
// `+switch-master` announcements so that a failover drops the pool before a write can reach a
// demoted primary. src/inbox/redis.cpp calls these from its connection pool.
#ifndef MORPH_WEBHOOK_SRC_INBOX_REDIS_SENTINEL_HPP
#define MORPH_WEBHOOK_SRC_INBOX_REDIS_SENTINEL_HPP

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "morph/webhook/inbox/redis.hpp"
#include "redis_connection.hpp"

namespace morph::webhook::redis_detail {

// A connection to host:port with `timeout` for the connect and every command, TCP keepalive
// on; nullptr with `why` set when it cannot be made.
Context open_connection(const std::string& host, std::uint16_t port,
                        std::chrono::milliseconds timeout, std::string& why);

// AUTH [USER] PASSWORD on `c` (nothing when `password` is empty); the reason when refused or
// the connection broke. Redis's own messages never repeat the password.
std::optional<std::string> authenticate(redisContext* c, const std::string& user,
                                        const std::string& password);

// `ROLE` on `c`: nullopt when the node is a primary, otherwise why it is not one.
std::optional<std::string> check_primary(redisContext* c);

// The sentinels of one endpoint. Every one is asked (`SENTINEL MASTER`), and the primary named
// with the highest config-epoch wins: a sentinel that has not yet heard of the last failover
// (or a restarted old primary that still calls itself master) is outvoted by the epoch.
class Sentinels {
 public:
  Sentinels(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout);

  // The primary they name for the master name; nullopt with `why` (every sentinel's answer)
  // when none names one.
  std::optional<RedisAddress> primary(std::string& why);

 private:
  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
};

// A thread subscribed to `+switch-master` on one sentinel at a time (the next one when it goes
// away). `on_switch` runs on that thread when the endpoint's master changes, and once after
// every resubscription (a switch may have been missed meanwhile). Stops when destroyed.
class SentinelWatch {
 public:
  SentinelWatch(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout,
                std::function<void()> on_switch);
  ~SentinelWatch();
  SentinelWatch(const SentinelWatch&) = delete;
  SentinelWatch& operator=(const SentinelWatch&) = delete;

 private:
  void run();
  // Sleeps `d` unless stopped first; false when stopped.
  bool pause(std::chrono::milliseconds d);

  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  std::function<void()> on_switch_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace morph::webhook::redis_detail

#endif  // MORPH_WEBHOOK_SRC_INBOX_REDIS_SENTINEL_HPP
