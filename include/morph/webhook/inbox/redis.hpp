/// @file inbox/redis.hpp
/// @brief RedisInbox: the Inbox shared by several receivers and workers on several machines
/// (CMake target morph::webhook_redis, which links the system hiredis).
///
/// Same semantics as SqliteInbox (the same contract tests run against both). Every operation
/// is one Lua script, so it is atomic on the server: two receivers racing on one key store it
/// once, two workers never hold a valid lease on one delivery.
///
/// docs/redis.md explains all of this at length (scripts, keys, time, eviction, migration).
///
/// ## Key layout (version 3)
/// Every key of the inbox NAME starts with `mw:{NAME}:`; the hash tag `{NAME}` puts them all
/// in one Redis Cluster slot, so the scripts are valid on a cluster. Ids are zero-padded to 16
/// digits so that sorted-set ties order by id. RES is a resource, (connector, owner, model,
/// `data.id`), and each part of a composite name is written `LENGTH:BYTES`, so no separator is
/// ambiguous. The scripts that move deliveries between these keys are src/inbox/redis/*.lua,
/// one per transition.
///
// clang-format off
/// | key                        | type   | holds                                                             | lives                      |
/// |----------------------------|--------|-------------------------------------------------------------------|----------------------------|
/// | `version`                  | string | the key layout version (2); absent in layout 1                    | forever                    |
/// | `seq`                      | string | the last delivery id handed out                                   | forever                    |
/// | `d:ID`                     | hash   | one delivery: headers, body, state, attempt, token, times, event  | until expired after ack    |
/// | `k:CONNECTOR,OWNER,KEY`    | string | the id stored under that idempotency key (dedupe)                 | as its delivery            |
/// | `b:CONNECTOR,OWNER,SHA1`   | zset   | ids whose body has that SHA-1 (bytes compared on a match)         | as its deliveries          |
/// | `r:RES`                    | string | arrival guard: newest `updatedAt` seen, and whether a deletion    | TTL `retain` from a touch  |
/// | `a:RES`                    | hash   | acked guard: newest acked `updatedAt`, a deletion?, its delivery   | TTL `retain` from an ack   |
/// | `line:RES`                 | zset   | the resource's undone ordered deliveries by position; head first  | while not empty            |
/// | `versions:RES`             | zset   | the resource's undone deliveries by `updatedAt` (superseded)      | as its members             |
/// | `resource_of`              | hash   | id → RES of every delivery in a line                              | as its members             |
/// | `ready`                    | zset   | leasable deliveries (heads of lines) by when they became ready    | as its members             |
/// | `ready_age`                | zset   | ready and waiting deliveries by received-at (oldest ready age)    | as its members             |
/// | `delayed`                  | zset   | failed deliveries by retry time                                   | as its members             |
/// | `leased`                   | zset   | leased deliveries by lease expiry                                 | as its members             |
/// | `dead`                     | zset   | dead letters by id                                                | until requeue()            |
/// | `acked`                    | zset   | acked deliveries by received-at (retention)                       | as its members             |
/// | `stale`                    | set    | ids not acked whose latest verdict (arrival, then lease) is stale | as its members             |
/// | `blocked`                  | set    | ids that block their resource (failed, not yet acked or dead)     | as its members             |
/// | `counts`                   | hash   | counters: skipped_superseded, missing                             | forever                    |
/// | `replication_mark`         | string | bumped before a duplicate's `WAIT` (RedisOptions::replicas)       | forever                    |
/// | `ix:model:MODEL`           | zset   | every delivery of the model, by id (score 0, lex order)           | as its members             |
/// | `ix:connector:CONNECTOR`   | zset   | every delivery from the connector, by id                          | as its members             |
/// | `ix:owner:OWNER`           | zset   | every delivery of the owner, by id                                | as its members             |
/// | `ix:resource:RES`          | zset   | every delivery of the resource, by id                             | as its members             |
// clang-format on
///
/// A delivery's `state` field is a DeliveryState name. One in its resource's line behind an
/// earlier undone delivery is `ready` but waiting: in `ready_age`, not in the sorted set `ready`.
/// Only the head of a line is ever in `ready`, `leased` or `delayed`, so lease() takes the first
/// of `ready` without looking at what waits behind; ack() and a death move the next of the line to
/// `ready`. stats() and dead_letters() read counters and sorted-set counts, never every
/// delivery: their cost does not grow with the backlog.
///
/// Retention is enforced by expire() (each RedisInbox runs it about once a minute), not by
/// Redis TTLs: a delivery spans several keys that must go together, and an undelivered event
/// must never vanish. Guard entries are single keys that only need to be forgotten `retain`
/// after their last touch: they carry a TTL.
///
/// ## Time
/// Every time (received-at, lease expiry, backoff) is read from the Redis server's clock
/// (`TIME`) inside the script that uses it, so receivers and workers on machines whose clocks
/// disagree still agree on every lease: a lease that expired by the server's clock is reclaimed
/// (its token is dropped, so its late ack() or fail() is refused), and ack(), fail() and
/// extend() check the lease against the server's state. Only when InboxOptions::clock is set
/// (tests with a controlled clock) is its time passed to the scripts instead.
///
/// ## Eviction
/// A Redis with `maxmemory` and any `maxmemory-policy` but `noeviction` evicts keys when full:
/// deliveries answered 200 would vanish. memory() reads `INFO memory` (not CONFIG, which managed
/// services often rename) so that a receiver can refuse such a server (RedisMemory::evicts()).
/// A delivery whose data is gone anyway (evicted, or deleted by hand) is skipped by lease(),
/// counted (RedisInboxStats::missing) and reported to RedisOptions::on_missing; it is never
/// handed out as an empty delivery, and its resource is released.
///
/// ## Layout versions
/// open() stamps a fresh keyspace with `version` 2. A keyspace written by layout 1 (morph-webhook
/// before per-resource ordering: no `version` key) is migrated in place in batches of 1000,
/// each atomic (RedisOptions::migrate; stop every process of the previous version first); its
/// deliveries keep their state and are not ordered (layout 1 did not record their resource). A
/// keyspace of a newer layout is refused with a message naming both versions. Layout 3 adds the
/// operator's indexes (`ix:*`, for list()); a layout-2 keyspace gets them on open, 1000 ids per
/// atomic step (stop the processes of the previous version first: their appends would be
/// missing from the indexes).
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
///
/// ## Sentinel and replicas
/// With RedisEndpoint::sentinels (`redis-sentinel://`), every new connection asks the sentinels
/// which node is the primary (`SENTINEL get-master-addr-by-name`, plain commands: hiredis 0.14
/// has no Sentinel support) and checks that node's `ROLE`. A lost connection, a `-READONLY`
/// answer (a demoted primary) or the sentinels' `+switch-master` announcement (a thread
/// subscribed to one sentinel) drops the pool, so the next operation asks again. A script
/// answered `-READONLY` had no effect and runs once more on the new primary; after a lost
/// connection only append() runs again (its dedupe makes a second run harmless), the others
/// fail with `storage_unavailable`. RedisOptions::replicas makes append() wait for replicas
/// (`WAIT`) before it answers. See docs/redis-failover.md.
#ifndef MORPH_WEBHOOK_INBOX_REDIS_HPP
#define MORPH_WEBHOOK_INBOX_REDIS_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "morph/webhook/inbox.hpp"

namespace morph::webhook {

/// A host and port (a Sentinel, or the primary in use).
struct RedisAddress {
  std::string host;        ///< Host name or address.
  std::uint16_t port = 0;  ///< TCP port.

  /// `HOST:PORT` (`[HOST]:PORT` for IPv6).
  [[nodiscard]] std::string describe() const;
  /// Same host and port.
  [[nodiscard]] bool operator==(const RedisAddress& other) const noexcept {
    return host == other.host && port == other.port;
  }
};

/// Where the Redis server is and how to log in; see parse_redis_uri().
struct RedisEndpoint {
  std::string host = "127.0.0.1";  ///< Host name or address (unused with `sentinels`).
  std::uint16_t port = 6379;       ///< TCP port (unused with `sentinels`).
  int db = 0;                      ///< Database number (SELECT); Redis Cluster has only 0.
  std::string user;                ///< ACL user for AUTH; empty: the default user.
  std::string password;            ///< AUTH password; empty: no AUTH.
  std::string name = "morph";      ///< The inbox name: the hash tag of every key.

  /// Redis Sentinel (see redis_sentinel in the file comment of redis.cpp and
  /// docs/redis-failover.md): when not empty, the primary is the one these sentinels name for
  /// `master_name`, asked again after every lost connection, `-READONLY` answer or
  /// `+switch-master` announcement; `host` and `port` are then unused.
  std::vector<RedisAddress> sentinels;
  std::string master_name;        ///< The name the sentinels monitor the primary under.
  std::string sentinel_user;      ///< ACL user for the sentinels' AUTH; empty: the default.
  std::string sentinel_password;  ///< The sentinels' own password (`requirepass`); empty: none.

  /// `redis://HOST:PORT/DB?name=NAME` or `redis-sentinel://S1:P1,S2:P2/MASTER/DB?name=NAME`,
  /// without user or password: safe for logs.
  [[nodiscard]] std::string describe() const;
};

/// Parses `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?name=NAME]` (user and password may be
/// percent-encoded; an IPv6 host is written in brackets) and
/// `redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER_NAME[/DB][?name=NAME]` (passwords are set
/// in the endpoint, not written in this URI). `invalid_value` with a message that never
/// contains the password when the URI is malformed.
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

/// The key layout version this library reads and writes (see the file comment).
inline constexpr int redis_layout_version = 3;

/// The Redis server's memory limit and eviction policy (`INFO memory`).
struct RedisMemory {
  std::uint64_t maxmemory = 0;  ///< `maxmemory` in bytes; 0: no limit.
  std::string policy;           ///< `maxmemory_policy`, e.g. `noeviction`, `allkeys-lru`.

  /// True when Redis may evict keys when full (a limit with any policy but `noeviction`): it
  /// would silently lose deliveries already answered 200. A receiver must not run on it.
  [[nodiscard]] bool evicts() const noexcept { return maxmemory > 0 && policy != "noeviction"; }
  /// One sentence for an operator: what the setting means for the inbox.
  [[nodiscard]] std::string describe() const;
};

/// Reads `maxmemory` and `maxmemory_policy` from the text of `INFO memory`. `storage_unavailable`
/// when either line is absent.
[[nodiscard]] Result<RedisMemory> parse_redis_memory_info(std::string_view info);

/// The replication of the primary in use (`INFO replication`).
struct RedisReplication {
  std::string role;                      ///< `master`, or `slave` (a replica).
  std::uint32_t connected_replicas = 0;  ///< `connected_slaves`.
  /// `min-replicas-to-write` is set (INFO shows `min_slaves_good_slaves` only then): the
  /// primary refuses writes when too few replicas are connected, so a primary cut off from its
  /// replicas stops acknowledging what a failover would discard.
  bool min_replicas_to_write = false;
};

/// Reads role, connected replicas and whether min-replicas-to-write is set from the text of
/// `INFO replication`. `storage_unavailable` when the role line is absent.
[[nodiscard]] Result<RedisReplication> parse_redis_replication_info(std::string_view info);

/// The primary in use changed (a failover, seen by this process).
struct RedisPrimaryChange {
  RedisAddress previous;        ///< The primary used until now.
  RedisAddress current;         ///< The primary used from now on.
  std::uint64_t failovers = 0;  ///< Changes seen by this inbox so far, this one included.
};

/// InboxStats plus what only Redis can report.
struct RedisInboxStats {
  InboxStats inbox;           ///< The counts every backend reports.
  std::uint64_t missing = 0;  ///< Deliveries found without their data (evicted, deleted).
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
  /// Migrate a keyspace written by layout 1 when opening it. Off: open() refuses it, naming
  /// both versions.
  bool migrate = true;
  /// Called by lease() with each delivery it skipped because its data is missing.
  std::function<void(DeliveryId)> on_missing;
  /// Acknowledged means replicated: append() answers `stored` or `duplicate` only once
  /// `WAIT replicas replica_timeout` confirms that many replicas have the delivery (a duplicate
  /// too: the earlier copy may not be replicated yet), `storage_unavailable` otherwise. 0: once
  /// the primary has it (a failover may lose the last acknowledged appends). Redis 7.0 has no
  /// WAITAOF: the replicas have it in memory, the primary on disk (with appendfsync always).
  std::uint32_t replicas = 0;
  /// How long append() waits for the `replicas` confirmations.
  std::chrono::milliseconds replica_timeout{1000};
  /// Called (on the thread that reconnected) when the primary in use changes: a failover.
  std::function<void(const RedisPrimaryChange&)> on_primary_change;
};

/// An Inbox in a Redis server, shared by every process that opens the same endpoint and name.
/// See the file comment for the key layout, time, durability and reconnection.
class RedisInbox final : public Inbox {
 public:
  /// Connects (AUTH, SELECT), loads the scripts and checks the key layout version (a fresh
  /// keyspace is stamped, a layout-1 one migrated; see the file comment). `storage_unavailable`
  /// with the endpoint (never the password) and the reason when the server cannot be reached;
  /// `invalid_value` naming both versions for a layout it will not open. Later losses of the
  /// connection are recovered by themselves.
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
  /// See Inbox::lease(); at most 10,000 per call, so that one script stays short. A delivery
  /// whose data is missing is skipped and reported (RedisOptions::on_missing).
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
  /// See Inbox::stats(). It only reads, so it answers when Redis is full (see docs/redis.md
  /// for how the age of the oldest ready delivery is read).
  [[nodiscard]] Result<InboxStats> stats() override;
  /// stats() with the counts only Redis reports.
  [[nodiscard]] Result<RedisInboxStats> redis_stats();
  /// See Inbox::dead_letters().
  [[nodiscard]] Result<std::vector<DeadLetter>> dead_letters(std::size_t max_count = 1000) override;
  /// See Inbox::requeue().
  [[nodiscard]] Result<Done> requeue(DeliveryId id) override;
  /// See Inbox::expire().
  [[nodiscard]] Result<std::uint64_t> expire() override;
  /// See Inbox::get().
  [[nodiscard]] Result<DeliveryRecord> get(DeliveryId id) override;
  /// See Inbox::list(). Reads the most selective index the filter names (the full resource,
  /// the model, the connector, the owner, the dead letters), else ids downward from the newest;
  /// the other conditions are checked per delivery. It looks at no more than 100,000
  /// deliveries per call (5,000 per script): past that the page comes back short with a cursor.
  [[nodiscard]] Result<DeliveryPage> list(const DeliveryFilter& filter, std::size_t limit,
                                          std::optional<DeliveryId> before) override;
  /// See Inbox::replay(): the matches are found as list() finds them, then replayed 500 per
  /// script call.
  [[nodiscard]] Result<std::uint64_t> replay(const DeliveryFilter& filter, bool dry_run) override;
  /// See Inbox::export_batch(): 1000 ids per batch, then the guards by SCAN (r:*, a:*; their
  /// last touch is derived from their TTL).
  [[nodiscard]] Result<InboxBatch> export_batch(const std::string& cursor) override;
  /// See Inbox::import_batch(); 200 deliveries per script call.
  [[nodiscard]] Result<Done> import_batch(const InboxBatch& batch,
                                          std::uint64_t skipped_superseded) override;
  /// See Inbox::is_empty(): no `seq` key (no delivery was ever stored under this name).
  [[nodiscard]] Result<bool> is_empty() override;
  /// See Inbox::purge_dead(); 1,000 dead letters looked at per script call.
  [[nodiscard]] Result<std::uint64_t> purge_dead(std::optional<TimePoint> before) override;

  /// The server's persistence, so a receiver can warn when it is weaker than
  /// RedisPersistence::no_loss_after_ack(). `storage_unavailable` when the server is away or
  /// refuses CONFIG (some managed services rename it).
  [[nodiscard]] Result<RedisPersistence> persistence();
  /// The server's memory limit and eviction policy, from `INFO memory`, so a receiver can refuse
  /// a server that evicts (RedisMemory::evicts()). `storage_unavailable` when the server is
  /// away or `INFO memory` lacks the two lines.
  [[nodiscard]] Result<RedisMemory> memory();
  /// The endpoint, without the password (RedisEndpoint::describe()).
  [[nodiscard]] std::string describe() const;
  /// `INFO replication` of the primary in use, so a receiver can refuse to start with fewer
  /// connected replicas than RedisOptions::replicas and warn without min-replicas-to-write.
  [[nodiscard]] Result<RedisReplication> replication();
  /// The primary connected to last (with Sentinel, the one the sentinels named); empty host
  /// before the first connection.
  [[nodiscard]] RedisAddress primary() const;
  /// How many times the primary in use changed since open() (failovers seen).
  [[nodiscard]] std::uint64_t failovers() const;
  /// The options it was opened with.
  [[nodiscard]] const RedisOptions& options() const noexcept;

  struct Impl;  ///< The connection pool and scripts (defined in the .cpp).

 private:
  explicit RedisInbox(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_INBOX_REDIS_HPP
