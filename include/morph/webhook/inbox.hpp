/// @file inbox.hpp
/// @brief The durable, deduplicating inbox: backend-neutral types and the Inbox interface.
///
/// A receiver calls Inbox::append() with the checked headers, the body exactly as received and
/// the parsed event, and answers 200 only when it returns `stored` or `duplicate` (both mean
/// "durably in the inbox"). Workers lease deliveries, do their work and ack (or fail) them.
///
/// ## Guarantees
/// - **Exactly-once storage per key within `retain`**: the same (connector, owner,
///   idempotency key) appended again within InboxOptions::retain is a `duplicate` and stores
///   nothing. So is a byte-identical body from the same (connector, owner) within `retain`
///   (InboxOptions::dedupe_identical_bodies; bodies are hashed, and on a hash match the bytes are
///   compared, so a hash collision never drops an event). Dedupe and store are one atomic step.
/// - **At-least-once to workers**: a delivery leaves the inbox only by ack(); a lease that
///   expires (the worker crashed or hung) makes it leasable again.
/// - **Ordering guard**: per (connector, owner, model, id) the newest `data.updatedAt` seen is
///   remembered (so is a deletion: a tombstone). An event whose `updatedAt`
///   is strictly older is still stored, with `stale = true`, so a worker can skip or reconcile
///   it; equal timestamps are not stale.
///
/// ## States of a delivery
/// | state   | meaning                                                  | leaves it by |
/// |---------|----------------------------------------------------------|--------------|
/// | ready   | stored, waiting for a worker                             | lease() → leased |
/// | leased  | owned by one worker until its lease expires              | ack() → acked; fail() →
/// delayed or dead; expiry → ready (or dead at max_attempts) | | delayed | failed, waiting for its
/// backoff (`backoff_initial · 2^(attempt-1)`, at most `backoff_max`) | time → ready | | dead    |
/// failed `max_attempts` times                              | requeue() → ready | | acked   | done;
/// kept until `received_at + retain` for dedupe       | expire() → gone |
///
/// Every operation returns a Result: storage failures are `storage_unavailable` (answer 503 with
/// `Retry-After`), a wrong or expired lease token is `lease_lost`, an unknown id `not_found`.
/// A failed operation changes nothing.
///
/// Backends: SqliteInbox (`morph/webhook/inbox/sqlite.hpp`, CMake target morph::webhook_sqlite),
/// one file on one machine; RedisInbox (`morph/webhook/inbox/redis.hpp`, morph::webhook_redis),
/// one inbox shared by receivers and workers on many machines.
/// This header needs no backend and no library beyond the core.
///
/// ## Writing a backend
/// Derive from Inbox in a header and library of its own. Take every time from
/// InboxOptions::clock (never the server's clock), so the backend-neutral tests in
/// `tests/inbox/inbox_contract.hpp` (the transition table on a controlled clock, the same-key
/// and worker races) run against it unchanged: they take a factory that opens a fresh inbox.
#ifndef MORPH_WEBHOOK_INBOX_HPP
#define MORPH_WEBHOOK_INBOX_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "morph/webhook/error.hpp"
#include "morph/webhook/headers.hpp"
#include "morph/webhook/types.hpp"

namespace morph::webhook {

/// Identifies one stored delivery within its inbox; assigned in increasing order.
using DeliveryId = std::int64_t;

/// Durations of the inbox (leases, backoff, retention), in microseconds like TimePoint.
using InboxDuration = std::chrono::microseconds;

/// The clock the inbox reads; tests inject one they control so no test sleeps.
using InboxClock = std::function<TimePoint()>;

/// The real clock: `std::chrono::system_clock::now()` at microsecond resolution.
[[nodiscard]] inline TimePoint system_now() noexcept {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

/// What identifies one event for Morph: its retries carry the same three values.
struct DeliveryKey {
  std::string_view connector_id;     ///< `x-conector-id`.
  std::string_view owner_id;         ///< `x-owner-id`.
  std::string_view idempotency_key;  ///< `x-idempotency-key`.

  /// The key of a request with these headers.
  [[nodiscard]] static constexpr DeliveryKey from(const Headers& headers) noexcept {
    return DeliveryKey{headers.connector_id, headers.owner_id, headers.idempotency_key};
  }
  /// Equal when the three values are equal byte for byte.
  friend constexpr bool operator==(const DeliveryKey& a, const DeliveryKey& b) noexcept {
    return a.connector_id == b.connector_id && a.owner_id == b.owner_id &&
           a.idempotency_key == b.idempotency_key;
  }
  /// Negation of ==.
  friend constexpr bool operator!=(const DeliveryKey& a, const DeliveryKey& b) noexcept {
    return !(a == b);
  }
};

/// What the inbox needs from a parsed event: the resource it is about and when it changed.
struct EventFacts {
  std::string_view model;             ///< e.g. `crmEngagement`.
  std::string_view id;                ///< `data.id`.
  Trigger trigger{Trigger::created};  ///< `deleted` makes the ordering guard a tombstone.
  TimePoint updated_at{};             ///< `data.updatedAt`: the ordering signal.

  /// The facts of an event of any model (parse_envelope()).
  [[nodiscard]] static EventFacts of(const ResourceEvent& e) noexcept {
    return EventFacts{e.model, e.id, e.trigger, e.updated_at.time};
  }
  /// The facts of a crmEngagement event (parse_event()).
  [[nodiscard]] static EventFacts of(const WebhookEvent& e) noexcept {
    return EventFacts{e.model, e.id, e.trigger, e.updated_at.time};
  }
};

/// Whether append() stored the event or found it already there.
enum class AppendStatus : std::uint8_t {
  stored,     ///< Newly stored; durable when append() returns.
  duplicate,  ///< Already in the inbox (same key, or a byte-identical body); nothing stored.
};

/// The name of an append status: `"stored"` or `"duplicate"`.
[[nodiscard]] constexpr std::string_view to_string(AppendStatus status) noexcept {
  return status == AppendStatus::stored ? "stored" : "duplicate";
}

/// The outcome of append().
struct Appended {
  DeliveryId delivery_id = 0;  ///< The stored delivery (for a duplicate: the earlier one).
  AppendStatus status = AppendStatus::stored;  ///< stored or duplicate.
  bool stale = false;  ///< The delivery's event is older than one already seen for its resource.
};

/// A delivery owned by one worker until `lease_expires_at`. Everything is a copy: it outlives
/// the inbox call and the inbox.
struct Delivery {
  DeliveryId id = 0;             ///< Which delivery.
  std::string lease_token;       ///< Proves ownership to ack(), fail() and extend().
  std::uint32_t attempt = 0;     ///< 1 on the first lease, +1 on every lease after.
  bool stale = false;            ///< See Appended::stale.
  TimePoint received_at{};       ///< When append() stored it.
  TimePoint lease_expires_at{};  ///< After this another worker may lease it.
  std::string connector_id;      ///< `x-conector-id` as received.
  std::string owner_id;          ///< `x-owner-id` as received.
  std::string idempotency_key;   ///< `x-idempotency-key` as received.
  std::string body;              ///< The body, byte for byte as received.
  std::string last_error;        ///< The reason given to the last fail(), if any.

  /// The three headers as views into this delivery.
  [[nodiscard]] Headers headers() const noexcept {
    return Headers{connector_id, owner_id, idempotency_key};
  }
  /// The dedupe key, as views into this delivery.
  [[nodiscard]] DeliveryKey key() const noexcept { return DeliveryKey::from(headers()); }
};

/// A delivery that failed `max_attempts` times (dead_letters()).
struct DeadLetter {
  DeliveryId id = 0;            ///< Which delivery; requeue(id) makes it ready again.
  std::uint32_t attempts = 0;   ///< How many times it was leased.
  bool stale = false;           ///< See Appended::stale.
  TimePoint received_at{};      ///< When append() stored it.
  std::string connector_id;     ///< `x-conector-id`.
  std::string owner_id;         ///< `x-owner-id`.
  std::string idempotency_key;  ///< `x-idempotency-key`.
  std::string last_error;       ///< The reason given to the last fail() (or lease expiry).

  /// The dedupe key, as views into this dead letter.
  [[nodiscard]] DeliveryKey key() const noexcept {
    return DeliveryKey{connector_id, owner_id, idempotency_key};
  }
};

/// What fail() did with the delivery.
struct Failed {
  bool dead = false;     ///< True when it reached `max_attempts` and is now a dead letter.
  TimePoint retry_at{};  ///< When it becomes ready again (meaningless when dead).
};

/// A count per state, for dashboards and health checks (see the state table in inbox.hpp).
struct InboxStats {
  std::uint64_t ready = 0;           ///< Waiting for a worker.
  std::uint64_t leased = 0;          ///< Owned by a worker whose lease has not expired.
  std::uint64_t delayed = 0;         ///< Failed, waiting for the backoff.
  std::uint64_t dead = 0;            ///< Dead letters.
  std::uint64_t acked_retained = 0;  ///< Acked, kept for dedupe until their retention ends.
  std::uint64_t stale = 0;           ///< Not yet acked and marked stale.
  /// How long the oldest ready delivery has waited since it was received; nullopt when none.
  std::optional<InboxDuration> oldest_ready_age;
};

/// An operation that succeeded and has nothing to return.
struct Done {};

/// Options every backend honours.
struct InboxOptions {
  /// How long keys and bodies are remembered for dedupe, and acked deliveries kept (72 h).
  InboxDuration retain = std::chrono::hours(72);
  /// A byte-identical body from the same (connector, owner) within `retain` is a duplicate
  /// (Morph builds some keys with the current time, so one event can come back under a new
  /// key). On by default.
  bool dedupe_identical_bodies = true;
  /// A delivery that fails (or whose lease expires) on its `max_attempts`-th attempt is dead.
  std::uint32_t max_attempts = 10;
  /// Delay after the first fail(); doubled after each further one.
  InboxDuration backoff_initial = std::chrono::seconds(5);
  /// Longest delay between attempts.
  InboxDuration backoff_max = std::chrono::hours(1);
  /// The clock; empty means system_now().
  InboxClock clock;
};

/// The delay before attempt `attempt + 1` after `attempt` failed: `backoff_initial ·
/// 2^(attempt-1)`, at most `backoff_max`.
[[nodiscard]] constexpr InboxDuration backoff_delay(const InboxOptions& options,
                                                    std::uint32_t attempt) noexcept {
  InboxDuration delay = options.backoff_initial;
  for (std::uint32_t i = 1; i < attempt && delay < options.backoff_max; ++i) delay *= 2;
  return delay < options.backoff_max ? delay : options.backoff_max;
}

/// A durable, deduplicating inbox of webhook deliveries. Every member is thread-safe; one
/// object serves all receiver threads and workers of a process.
class Inbox {
 public:
  virtual ~Inbox() = default;

  /// Dedupes and stores one delivery in one atomic step. `stored` and `duplicate` both mean
  /// the event is durably in the inbox (answer 200); an error means it may not be (answer 503).
  [[nodiscard]] virtual Result<Appended> append(const Headers& headers, std::string_view body,
                                                const EventFacts& event) = 0;
  /// append() for an event of any model (parse_envelope()).
  [[nodiscard]] Result<Appended> append(const Headers& headers, std::string_view body,
                                        const ResourceEvent& event) {
    return append(headers, body, EventFacts::of(event));
  }
  /// append() for a crmEngagement event (parse_event(), parse_request()).
  [[nodiscard]] Result<Appended> append(const Headers& headers, std::string_view body,
                                        const WebhookEvent& event) {
    return append(headers, body, EventFacts::of(event));
  }

  /// Leases up to `max_count` ready deliveries, in the order they became ready, for
  /// `lease_duration`; an empty vector when none is ready.
  [[nodiscard]] virtual Result<std::vector<Delivery>> lease(std::size_t max_count,
                                                            InboxDuration lease_duration) = 0;
  /// Marks a leased delivery done. `lease_lost` (nothing changed) when `token` is not its
  /// current lease or the lease expired.
  [[nodiscard]] virtual Result<Done> ack(DeliveryId id, std::string_view token) = 0;
  /// Gives a leased delivery back for a retry after backoff, or makes it dead after
  /// `max_attempts`. `lease_lost` as for ack().
  [[nodiscard]] virtual Result<Failed> fail(DeliveryId id, std::string_view token,
                                            std::string_view reason) = 0;
  /// Extends a valid lease to now + `duration`; returns the new expiry. `lease_lost` as ack().
  [[nodiscard]] virtual Result<TimePoint> extend(DeliveryId id, std::string_view token,
                                                 InboxDuration duration) = 0;
  /// Counts per state.
  [[nodiscard]] virtual Result<InboxStats> stats() = 0;
  /// The dead letters, oldest first, at most `max_count`.
  [[nodiscard]] virtual Result<std::vector<DeadLetter>> dead_letters(
      std::size_t max_count = 1000) = 0;
  /// Makes a dead letter ready again with its attempts reset; `not_found` when `id` is not dead.
  [[nodiscard]] virtual Result<Done> requeue(DeliveryId id) = 0;
  /// Forgets what `retain` no longer covers: acked deliveries received before now - retain
  /// and ordering-guard entries not touched since. Returns how many deliveries were removed.
  /// Backends also call it by themselves from time to time.
  [[nodiscard]] virtual Result<std::uint64_t> expire() = 0;

  /// ack() for a delivery returned by lease().
  [[nodiscard]] Result<Done> ack(const Delivery& d) { return ack(d.id, d.lease_token); }
  /// fail() for a delivery returned by lease().
  [[nodiscard]] Result<Failed> fail(const Delivery& d, std::string_view reason) {
    return fail(d.id, d.lease_token, reason);
  }
  /// extend() for a delivery returned by lease(); updates `d.lease_expires_at`.
  [[nodiscard]] Result<TimePoint> extend(Delivery& d, InboxDuration duration) {
    Result<TimePoint> r = extend(d.id, d.lease_token, duration);
    if (r) d.lease_expires_at = *r;
    return r;
  }
};

/// An Error with `code` and `message` (no pointer, no header): how backends report.
[[nodiscard]] inline Error inbox_error(ErrorCode code, std::string message) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_INBOX_HPP
