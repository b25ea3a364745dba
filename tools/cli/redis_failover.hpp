/// @file redis_failover.hpp
/// @brief What `serve` does for a Redis primary with replicas (docs/redis-failover.md): the
/// start-up checks (enough connected replicas for `replicas=N`, min-replicas-to-write set), the
/// log line of the primary in use and of each failover, and the two metrics
/// `morph_webhook_redis_primary{address}` and `morph_webhook_redis_failovers_total`.
#ifndef MORPH_WEBHOOK_CLI_REDIS_FAILOVER_HPP
#define MORPH_WEBHOOK_CLI_REDIS_FAILOVER_HPP

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cli/inbox_uri.hpp"
#include "morph/webhook/inbox.hpp"

namespace morph::webhook::cli {

/// The primary a Redis inbox uses and the failovers it saw; nullopt for other inboxes.
struct RedisPrimaryState {
  std::string address;          ///< `HOST:PORT`
  std::uint64_t failovers = 0;  ///< changes of primary seen since start
};

[[nodiscard]] inline std::optional<RedisPrimaryState> redis_primary_state(
    [[maybe_unused]] Inbox& inbox) {
#if defined(MORPH_WEBHOOK_CLI_REDIS)
  if (auto* redis = dynamic_cast<RedisInbox*>(&inbox)) {
    return RedisPrimaryState{redis->primary().describe(), redis->failovers()};
  }
#endif
  return std::nullopt;
}

/// Logs each failover through `say` (set before the inbox is opened).
inline void log_redis_failovers([[maybe_unused]] std::function<void(const std::string&)> say) {
#if defined(MORPH_WEBHOOK_CLI_REDIS)
  redis_primary_change() = [say](const RedisPrimaryChange& change) {
    say("Redis failover: the primary is now " + change.current.describe() + " (was " +
        change.previous.describe() + "; failover " + std::to_string(change.failovers) +
        " seen by this process)");
  };
#endif
}

/// The start-up checks of a Redis inbox: says which primary is in use, refuses (returns false
/// after saying why through `error`) a primary with fewer connected replicas than
/// `replicas=N`, and warns through `say` when min-replicas-to-write is not set on a primary
/// that has replicas or is asked for some.
[[nodiscard]] inline bool check_redis_replication(
    [[maybe_unused]] Inbox& inbox,
    [[maybe_unused]] const std::function<void(const std::string&)>& say,
    [[maybe_unused]] const std::function<void(const std::string&)>& error) {
#if defined(MORPH_WEBHOOK_CLI_REDIS)
  auto* redis = dynamic_cast<RedisInbox*>(&inbox);
  if (redis == nullptr) return true;
  const std::uint32_t wanted = redis->options().replicas;
  const Result<RedisReplication> r = redis->replication();
  if (!r) {
    say("warning: could not read INFO replication: " + r.error().message);
    return wanted == 0;
  }
  say("Redis primary " + redis->primary().describe() + " (" + r->role + ", " +
      std::to_string(r->connected_replicas) + " connected replicas; appends acknowledged after " +
      std::to_string(wanted) + " replicas confirm)");
  if (r->connected_replicas < wanted) {
    error("the Redis primary " + redis->primary().describe() + " has " +
          std::to_string(r->connected_replicas) + " connected replicas, fewer than replicas=" +
          std::to_string(wanted) + " asks: every append would be answered 503 (start the " +
          "replicas, or lower replicas=)");
    return false;
  }
  if (!r->min_replicas_to_write && (wanted > 0 || r->connected_replicas > 0)) {
    say("warning: min-replicas-to-write is not set on the Redis primary: cut off from its "
        "replicas it keeps accepting writes that a failover would discard (set "
        "min-replicas-to-write 1 and min-replicas-max-lag 10)");
  }
  if (wanted == 0 && r->connected_replicas > 0) {
    say("warning: replicas=0 with a replicated primary: an append acknowledged but not yet "
        "copied is lost if the primary fails over (add replicas=1 to the inbox URI)");
  }
#endif
  return true;
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_REDIS_FAILOVER_HPP
