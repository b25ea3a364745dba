/// @file inbox/redis.hpp
/// @brief RedisInbox: the Inbox shared by several receivers and workers on several machines
/// (CMake target morph::webhook_redis, which links the system hiredis).
///
/// Same semantics as SqliteInbox (the same contract tests run against both). Every operation
/// is one Lua script, so it is atomic on the server: two receivers racing on one key store it
/// once, two workers never hold a valid lease on one delivery.
///
/// ## Key layout
/// Every key of the inbox NAME starts with `mw:{NAME}:`; the hash tag `{NAME}` puts them all
/// in one Redis Cluster slot, so the scripts are valid on a cluster. Ids are zero-padded to 16
/// digits so that sorted-set ties order by id.
///
/// | key                                  | type   | holds | lives |
/// |--------------------------------------|--------|----------------------------------------------------------|-------|
/// | `mw:{NAME}:seq`                      | string | the last delivery id handed out | forever | |
/// `mw:{NAME}:d:ID`                     | hash   | one delivery: headers, body, body hash, state,
/// attempt, lease token, available-at, last error, stale, received-at | until expire() after ack +
/// retain | | `mw:{NAME}:k:CONNECTOR,OWNER,KEY`    | string | the id stored under that idempotency
/// key (dedupe)       | as its delivery | | `mw:{NAME}:b:CONNECTOR,OWNER,SHA1`   | zset   | ids of
/// deliveries whose body has that SHA-1 (bytes are compared on a match) | as its deliveries | |
/// `mw:{NAME}:r:CONNECTOR,OWNER,MODEL,ID` | string | newest `updatedAt` seen for a resource, and
/// whether it was a delete | TTL `retain` from its last touch | | `mw:{NAME}:queue` | zset   |
/// unleased, undone deliveries by available-at (ready when ≤ now, delayed after a fail() otherwise)
/// | as its members | | `mw:{NAME}:leased`                   | zset   | leased deliveries by lease
/// expiry                        | as its members | | `mw:{NAME}:pending`                  | zset
/// | every delivery not acked and not dead, by received-at (oldest ready age) | as its members | |
/// `mw:{NAME}:acked`                    | zset   | acked deliveries by received-at (retention) | as
/// its members | | `mw:{NAME}:dead`                     | zset   | dead letters by id | until
/// requeue() | | `mw:{NAME}:stale`                    | set    | ids of stale deliveries not yet
/// acked                    | as its members |
///
/// (Each CONNECTOR, OWNER... part is written as `LENGTH:BYTES`, so no separator is ambiguous.)
///
/// Retention is enforced by expire() (each RedisInbox runs it about once a minute), not by
/// Redis TTLs: a delivery spans several keys that must go together, a TTL runs on the
/// server's clock, and an undelivered event must never vanish. Ordering-guard entries are
/// single keys that only need to be forgotten `retain` after their last touch: they carry a
/// TTL.
///
/// ## Time
/// Every time (received-at, lease expiry, backoff) comes from InboxOptions::clock on the
/// client and is passed into the scripts; Redis's own clock is never read. Receivers and
/// workers on several machines therefore need synchronised clocks (NTP), as leases of a few
/// seconds assume anyway.
///
/// ## Durability
/// append() returns `stored` once Redis has executed the script. Whether that survives a crash
/// of the Redis server depends on its persistence: only `appendonly yes` with
/// `appendfsync always` writes and fsyncs the append-only file before Redis replies, so no
/// acknowledged event is lost; `everysec` (Redis's default when AOF is on) can lose about the
/// last second of acknowledged events on a crash or power failure, and RDB snapshots alone
/// lose everything since the last snapshot. persistence() reports the server's setting.
///
/// ## Connections
/// A small pool of hiredis connections (one per concurrent caller); one idle for longer than
/// RedisOptions::idle_check is checked with PING first. A lost connection makes the operation
/// fail with `storage_unavailable` (answer 503) and drops the pool; the next operation reconnects,
/// waiting between attempts with a backoff from 100 ms up to RedisOptions::max_reconnect_delay
/// (operations in between fail at once, without blocking on a dead server). The password never
/// appears in an error message.
#ifndef MORPH_WEBHOOK_INBOX_REDIS_HPP
#define MORPH_WEBHOOK_INBOX_REDIS_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "morph/webhook/inbox.hpp"

namespace morph::webhook {

/// Where the Redis server is and how to log in; see parse_redis_uri().
struct RedisEndpoint {
  std::string host = "127.0.0.1";  ///< Host name or address.
  std::uint16_t port = 6379;       ///< TCP port.
  int db = 0;                      ///< Database number (SELECT); Redis Cluster has only 0.
  std::string user;                ///< ACL user for AUTH; empty: the default user.
  std::string password;            ///< AUTH password; empty: no AUTH.
  std::string name = "morph";      ///< The inbox name: the hash tag of every key.

  /// `redis://HOST:PORT/DB?name=NAME`, without user or password: safe for logs.
  [[nodiscard]] std::string describe() const;
};

/// Parses `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?name=NAME]` (user and password may be
/// percent-encoded; an IPv6 host is written in brackets). `invalid_value` with a message that
/// never contains the password when the URI is malformed.
[[nodiscard]] Result<RedisEndpoint> parse_redis_uri(std::string_view uri);

/// Reads a password from the first line of `path` (a trailing newline or CR is dropped), so it
/// need not be on the command line. `storage_unavailable` when the file cannot be read.
[[nodiscard]] Result<std::string> read_redis_password_file(const std::string& path);

/// The Redis server's persistence settings (CONFIG GET appendonly / appendfsync).
struct RedisPersistence {
  bool appendonly = false;  ///< `appendonly yes`.
  std::string appendfsync;  ///< `always`, `everysec` or `no`.

  /// True for `appendonly yes` + `appendfsync always`: no acknowledged event lost on a crash.
  [[nodiscard]] bool no_loss_after_ack() const noexcept {
    return appendonly && appendfsync == "always";
  }
  /// One sentence for an operator: what a crash of this server can lose.
  [[nodiscard]] std::string describe() const;
};

/// Options of RedisInbox::open().
struct RedisOptions {
  /// Options shared by every backend (retention, dedupe, attempts, backoff, clock).
  InboxOptions inbox;
  /// Timeout of connecting and of every command; a server that does not answer within it
  /// counts as unavailable.
  std::chrono::milliseconds timeout{2000};
  /// Longest wait between two reconnection attempts after the server went away.
  std::chrono::milliseconds max_reconnect_delay{2000};
  /// A pooled connection idle for longer is checked with PING before use, so a Redis restart
  /// or idle `timeout` during a quiet period does not fail the next request.
  std::chrono::milliseconds idle_check{5000};
  /// Run expire() about once a minute on a thread of the inbox. Off: the caller runs it.
  bool expire_in_background = true;
};

/// An Inbox in a Redis server, shared by every process that opens the same endpoint and name.
/// See the file comment for the key layout, time, durability and reconnection.
class RedisInbox final : public Inbox {
 public:
  /// Connects (AUTH, SELECT), loads the scripts and checks the server answers.
  /// `storage_unavailable` with the endpoint (never the password) and the reason when it
  /// cannot; later losses of the connection are recovered by themselves.
  [[nodiscard]] static Result<std::unique_ptr<RedisInbox>> open(const RedisEndpoint& endpoint,
                                                                const RedisOptions& options = {});
  /// Stops the background expiry and closes the connections.
  ~RedisInbox() override;
  RedisInbox(const RedisInbox&) = delete;
  RedisInbox& operator=(const RedisInbox&) = delete;

  using Inbox::ack;
  using Inbox::append;
  using Inbox::extend;
  using Inbox::fail;
  using Inbox::lease;

  /// See Inbox::append().
  [[nodiscard]] Result<Appended> append(const Headers& headers, std::string_view body,
                                        const EventFacts& event) override;
  /// See Inbox::lease(); at most 10,000 per call, so that one script stays short.
  [[nodiscard]] Result<std::vector<Delivery>> lease(std::size_t max_count,
                                                    InboxDuration lease_duration,
                                                    const LeaseOptions& how) override;
  /// See Inbox::ack().
  [[nodiscard]] Result<Done> ack(DeliveryId id, std::string_view token) override;
  /// See Inbox::fail().
  [[nodiscard]] Result<Failed> fail(DeliveryId id, std::string_view token, std::string_view reason,
                                    const FailOptions& how) override;
  /// See Inbox::extend().
  [[nodiscard]] Result<TimePoint> extend(DeliveryId id, std::string_view token,
                                         InboxDuration duration) override;
  /// See Inbox::stats().
  [[nodiscard]] Result<InboxStats> stats() override;
  /// See Inbox::dead_letters().
  [[nodiscard]] Result<std::vector<DeadLetter>> dead_letters(std::size_t max_count) override;
  /// See Inbox::requeue().
  [[nodiscard]] Result<Done> requeue(DeliveryId id) override;
  /// See Inbox::expire().
  [[nodiscard]] Result<std::uint64_t> expire() override;

  /// The server's persistence, so a receiver can warn when it is weaker than
  /// RedisPersistence::no_loss_after_ack(). `storage_unavailable` when the server is away or
  /// refuses CONFIG (some managed services rename it).
  [[nodiscard]] Result<RedisPersistence> persistence();
  /// The endpoint, without the password (RedisEndpoint::describe()).
  [[nodiscard]] std::string describe() const;

  struct Impl;  ///< The connection pool and scripts (defined in the .cpp).

 private:
  explicit RedisInbox(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_INBOX_REDIS_HPP
