// Redis Sentinel with plain commands: see redis_sentinel.hpp.
#include "redis_sentinel.hpp"

#include <poll.h>

#include <utility>

namespace morph::webhook::redis_detail {

Context open_connection(const std::string& host, std::uint16_t port,
                        std::chrono::milliseconds timeout, std::string& why) {
  const timeval tv = to_timeval(timeout);
  Context c(redisConnectWithTimeout(host.c_str(), port, tv));
  if (!c) {
    why = "out of memory";
    return nullptr;
  }
  if (c->err != 0 || redisSetTimeout(c.get(), tv) != REDIS_OK ||
      redisEnableKeepAlive(c.get()) != REDIS_OK) {
    why = c->errstr;
    return nullptr;
  }
  return c;
}

std::optional<std::string> authenticate(redisContext* c, const std::string& user,
                                        const std::string& password) {
  if (password.empty()) return std::nullopt;
  std::vector<std::string_view> auth{"AUTH"};
  if (!user.empty()) auth.emplace_back(user);
  auth.emplace_back(password);
  const Reply r = command(c, auth);
  if (!r) return std::string(c->errstr);
  if (r->type == REDIS_REPLY_ERROR) return "AUTH: " + std::string(text(r.get()));
  return std::nullopt;
}

std::optional<std::string> check_primary(redisContext* c) {
  const Reply r = command(c, {"ROLE"});
  if (!r) return std::string(c->errstr);
  if (r->type == REDIS_REPLY_ERROR) return "ROLE: " + std::string(text(r.get()));
  const std::string_view role = text(element(r.get(), 0));
  if (role == "master") return std::nullopt;
  return "it is a " + std::string(role.empty() ? "node of unknown role" : role) +
         ", not a primary (a failover is under way, or the sentinels are out of date)";
}

Sentinels::Sentinels(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout)
    : endpoint_(endpoint), timeout_(timeout) {}

std::optional<RedisAddress> Sentinels::primary(std::string& why) {
  why.clear();
  std::optional<RedisAddress> best;
  std::int64_t best_epoch = -1;
  for (const RedisAddress& sentinel : endpoint_.sentinels) {
    const auto failed = [&](const std::string& reason) {
      why += (why.empty() ? "sentinel " : "; sentinel ") + sentinel.describe() + ": " + reason;
    };
    std::string reason;
    const Context c = open_connection(sentinel.host, sentinel.port, timeout_, reason);
    if (!c) {
      failed(reason);
      continue;
    }
    if (auto refused =
            authenticate(c.get(), endpoint_.sentinel_user, endpoint_.sentinel_password)) {
      failed(*refused);
      continue;
    }
    // SENTINEL MASTER rather than get-master-addr-by-name: its config-epoch tells the newest
    // answer apart from a sentinel that has not yet heard of the last failover.
    const Reply r = command(c.get(), {"SENTINEL", "MASTER", endpoint_.master_name});
    if (!r) {
      failed(c->errstr);
      continue;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      failed(std::string(text(r.get())));
      continue;
    }
    std::string host;
    std::int64_t port = 0;
    std::int64_t epoch = -1;
    for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
      const std::string_view name = text(r->element[i]);
      const redisReply* value = r->element[i + 1];
      if (name == "ip") host = std::string(text(value));
      if (name == "port") port = integer(value);
      if (name == "config-epoch") epoch = integer(value);
    }
    if (host.empty() || port <= 0 || port > 65535) {
      failed("no master named \"" + endpoint_.master_name + "\"");
      continue;
    }
    if (epoch > best_epoch) {
      best_epoch = epoch;
      best = RedisAddress{host, static_cast<std::uint16_t>(port)};
    }
  }
  if (!best && why.empty()) why = "no sentinel given";
  return best;
}

SentinelWatch::SentinelWatch(const RedisEndpoint& endpoint, std::chrono::milliseconds timeout,
                             std::function<void()> on_switch)
    : endpoint_(endpoint), timeout_(timeout), on_switch_(std::move(on_switch)) {
  thread_ = std::thread([this] { run(); });
}

SentinelWatch::~SentinelWatch() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

bool SentinelWatch::pause(std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stopping_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !stopping_;
}

void SentinelWatch::run() {
  constexpr int poll_ms = 200;  // how soon a stop is noticed
  bool subscribed_before = false;
  for (std::size_t next = 0; !stopping_; ++next) {
    const RedisAddress& sentinel = endpoint_.sentinels[next % endpoint_.sentinels.size()];
    std::string why;
    const Context c = open_connection(sentinel.host, sentinel.port, timeout_, why);
    if (!c || authenticate(c.get(), endpoint_.sentinel_user, endpoint_.sentinel_password)) {
      if (!pause(std::chrono::milliseconds(500))) return;
      continue;
    }
    const Reply subscribed = command(c.get(), {"SUBSCRIBE", "+switch-master"});
    if (!subscribed || subscribed->type == REDIS_REPLY_ERROR) {
      if (!pause(std::chrono::milliseconds(500))) return;
      continue;
    }
    if (subscribed_before) on_switch_();
    subscribed_before = true;
    // Messages: ["message", "+switch-master", "NAME OLD_IP OLD_PORT NEW_IP NEW_PORT"].
    const std::string ours = endpoint_.master_name + ' ';
    while (!stopping_) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(c.get(), &raw) != REDIS_OK) break;
      if (raw != nullptr) {
        const Reply message(static_cast<redisReply*>(raw));
        const std::string_view payload = text(element(message.get(), 2));
        if (payload.substr(0, ours.size()) == ours) on_switch_();
        continue;
      }
      pollfd p{c->fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, poll_ms);
      if (ready < 0 && errno != EINTR) break;
      if (ready <= 0) continue;
      if (redisBufferRead(c.get()) != REDIS_OK) break;
    }
  }
}

}  // namespace morph::webhook::redis_detail
