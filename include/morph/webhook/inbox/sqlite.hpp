/// @file inbox/sqlite.hpp
/// @brief SqliteInbox: the embedded Inbox backend, one SQLite file (CMake target
/// morph::webhook_sqlite, which links the system SQLite).
///
/// ## Durability
/// The file is opened in WAL mode with `synchronous=FULL` by default: when append() returns,
/// the transaction that stored the event is in the write-ahead log and the log has been
/// fsync'ed, so the event survives a process crash, a kernel panic and a power failure.
/// `SqliteSynchronous::normal` skips that fsync (it survives a process crash, not a power
/// failure) and is only offered for throw-away inboxes.
///
/// ## Group commit
/// One thread owns the writing connection and runs every operation but stats() and
/// dead_letters(), which read on a second connection beside it (WAL allows that), so polling
/// them never delays appends. With SqliteOptions::group_commit (the default) that thread runs
/// all operations waiting at that moment in one transaction, so
/// concurrent appends share one commit and one fsync and durable throughput grows with the
/// number of receiver threads instead of being capped by the disk's fsync rate. Without it,
/// every operation is its own transaction (one fsync each).
///
/// ## Ordering and expiry
/// Deliveries of one resource are kept in a queue of their own: only the first undone delivery
/// of each resource (its head) is in the index lease() reads, so a lease costs the same
/// whatever the backlog behind the heads. expire() deletes in batches sized so that each
/// transaction holds the write lock for at most about 50 ms; appends and leases run between
/// them.
///
/// ## Schema versions
/// The schema version is PRAGMA user_version. A file written with version 1 (before ordered
/// leases) is migrated when opened, in one transaction: each delivery's model, id, trigger and
/// `updatedAt` are read from its body (version 1 did not store them), and the lease-time guard
/// is rebuilt from the acked deliveries still retained. A file of a newer version is refused.
///
/// The file is created readable and writable by its owner only (mode 0600): it holds
/// customers' CRM data. Several processes may open the same file (e.g. a CLI reading
/// stats() while a receiver runs); SQLite serialises their writers, waiting up to
/// SqliteOptions::busy_timeout.
#ifndef MORPH_WEBHOOK_INBOX_SQLITE_HPP
#define MORPH_WEBHOOK_INBOX_SQLITE_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "morph/webhook/inbox.hpp"

namespace morph::webhook {

/// When SQLite fsyncs (PRAGMA synchronous).
enum class SqliteSynchronous : std::uint8_t {
  full,    ///< fsync at every commit: no acknowledged event lost on power failure. Default.
  normal,  ///< No fsync at commit in WAL mode: survives a process crash, not a power failure.
};

/// Options of SqliteInbox::open().
struct SqliteOptions {
  /// Options shared by every backend (retention, dedupe, attempts, backoff, clock).
  InboxOptions inbox;
  /// Concurrent operations share one transaction (see the file comment). Off: one transaction
  /// (and one fsync) per operation, kept for benchmarks and comparisons.
  bool group_commit = true;
  /// PRAGMA synchronous.
  SqliteSynchronous synchronous = SqliteSynchronous::full;
  /// How long to wait for another process that holds the write lock before
  /// `storage_unavailable`.
  std::chrono::milliseconds busy_timeout{5000};
  /// Largest size of the database file in bytes, rounded down to whole pages; beyond it
  /// appends fail with `storage_unavailable` (as on a full disk). 0: no limit.
  std::uint64_t max_bytes = 0;
};

/// The schema version this build writes (stored in PRAGMA user_version); it opens versions 1
/// and 2 by migrating them (version 3 adds the operator's indexes and the replay count).
inline constexpr int sqlite_inbox_schema_version = 3;

/// An Inbox in one SQLite file. See the file comment for durability and group commit.
class SqliteInbox final : public Inbox {
 public:
  /// Opens (creating it if needed, mode 0600) the inbox at `path`. `storage_unavailable` with
  /// the path and SQLite's reason when the file cannot be created or written, is not an SQLite
  /// database, is corrupt, or was written by a newer schema version.
  [[nodiscard]] static Result<std::unique_ptr<SqliteInbox>> open(const std::string& path,
                                                                 const SqliteOptions& options = {});
  /// Finishes the operations in flight, then closes the file.
  ~SqliteInbox() override;
  SqliteInbox(const SqliteInbox&) = delete;
  SqliteInbox& operator=(const SqliteInbox&) = delete;

  using Inbox::ack;
  using Inbox::append;
  using Inbox::extend;
  using Inbox::fail;
  using Inbox::lease;

  /// See Inbox::append().
  [[nodiscard]] Result<Appended> append(const Headers& headers, std::string_view body,
                                        const EventFacts& event) override;
  /// See Inbox::lease().
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
  [[nodiscard]] Result<std::vector<DeadLetter>> dead_letters(std::size_t max_count = 1000) override;
  /// See Inbox::requeue().
  [[nodiscard]] Result<Done> requeue(DeliveryId id) override;
  /// See Inbox::get().
  [[nodiscard]] Result<DeliveryRecord> get(DeliveryId id) override;
  /// See Inbox::list(). Indexed: state, model, connector (and owner), owner, the full resource,
  /// stale; `since`/`until` narrow one of those (alone, the walk starts at the newest id).
  [[nodiscard]] Result<DeliveryPage> list(const DeliveryFilter& filter, std::size_t limit,
                                          std::optional<DeliveryId> before) override;
  /// See Inbox::replay(); in transactions of 500 deliveries, so appends run between them.
  [[nodiscard]] Result<std::uint64_t> replay(const DeliveryFilter& filter, bool dry_run) override;
  /// See Inbox::purge_dead(); in transactions of 1000.
  [[nodiscard]] Result<std::uint64_t> purge_dead(std::optional<TimePoint> before) override;
  /// See Inbox::export_batch(): 1000 deliveries, then 5000 guards, per batch.
  [[nodiscard]] Result<InboxBatch> export_batch(const std::string& cursor) override;
  /// See Inbox::import_batch(); one transaction per batch.
  [[nodiscard]] Result<Done> import_batch(const InboxBatch& batch,
                                          std::uint64_t skipped_superseded) override;
  /// See Inbox::is_empty().
  [[nodiscard]] Result<bool> is_empty() override;
  /// See Inbox::expire(). Also run by the inbox about once a minute.
  [[nodiscard]] Result<std::uint64_t> expire() override;

  /// Changes SqliteOptions::max_bytes on the open inbox (0: no limit), e.g. once space returns.
  [[nodiscard]] Result<Done> set_max_bytes(std::uint64_t max_bytes);
  /// Transactions committed since open(); with `synchronous=full` each is one fsync of the
  /// write-ahead log (checkpoints add one fsync of the log and one of the database per ~4 MB).
  [[nodiscard]] std::uint64_t commits() const noexcept;
  /// The path given to open().
  [[nodiscard]] const std::string& path() const noexcept;

 private:
  struct Impl;  // the connection and its committer thread (src/inbox/sqlite.cpp)
  explicit SqliteInbox(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_INBOX_SQLITE_HPP
