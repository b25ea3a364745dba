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
/// - **Ordered per resource** (InboxOptions::ordered, on by default): a resource is
///   (connector, owner, model, `data.id`). Its deliveries go to workers one at a time, in arrival
///   order: a delivery is leasable only when no earlier delivery of its resource is ready, leased
///   or delayed. A failure blocks its resource until the delivery is acked or dead; a dead letter
///   releases it. Different resources are leased in parallel.
/// - **Stale and superseded, judged at lease time**: Delivery::stale says the event is older than
///   what a worker already acked for its resource (or not later than an acked deletion);
///   Delivery::superseded says a later delivery of the resource with an `updatedAt` at least as
///   new is stored. Appended::stale is the verdict at arrival.
///
/// The states of a delivery and their transitions: DeliveryState.
///
/// Every operation returns a Result: storage failures are `storage_unavailable` (answer 503 with
/// `Retry-After`), a lease refused for a LeaseRefusal is `lease_lost` (`not_found` for an
/// unknown id). A failed operation changes nothing.
///
/// Backends: SqliteInbox (`morph/webhook/inbox/sqlite.hpp`, CMake target morph::webhook_sqlite),
/// one file on one machine; RedisInbox (`morph/webhook/inbox/redis.hpp`, morph::webhook_redis),
/// one inbox shared by receivers and workers on many machines.
/// This header needs no backend and no library beyond the core.
///
/// ## Writing a backend
/// Derive from Inbox in a header and library of its own. When InboxOptions::clock is set, take
/// every time from it (otherwise from one clock all clients share), so the backend-neutral tests in
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

// clang-format off
/// The state of a delivery. Every backend has these five and these transitions, and nothing
/// else (storage may derive `leased` and `delayed` from a lease expiry and the time):
///
/// | from    | event                                                           | to      |
/// |---------|-----------------------------------------------------------------|---------|
/// | -       | append() stores it                                              | ready   |
/// | ready   | lease(), when no earlier delivery of its resource is undone (*) | leased  |
/// | ready   | lease() with LeaseOptions::skip_superseded, when superseded     | acked   |
/// | ready   | lease(), when its last attempt's lease expired                  | dead    |
/// | leased  | ack()                                                           | acked   |
/// | leased  | extend()                                                        | leased  |
/// | leased  | fail(), before `max_attempts` counted attempts                  | delayed |
/// | leased  | fail() on the `max_attempts`-th counted attempt                 | dead    |
/// | leased  | the lease expires                                               | ready   |
/// | delayed | the backoff (or FailOptions::delay) ends                        | ready   |
/// | dead    | requeue(): attempts reset, at the back of its resource (*)      | ready   |
/// | acked   | expire(), once `received_at + retain` has passed                | -       |
///
/// (*) With InboxOptions::ordered: "undone" is ready, leased or delayed; events without a
/// `data.id` and inboxes with `ordered = false` lease every ready delivery.
enum class DeliveryState : std::uint8_t {
  ready,    ///< Stored, or its backoff ended, or its lease expired: waiting for a worker.
  leased,   ///< Owned by one worker (its lease token) until the lease expires.
  delayed,  ///< Failed; ready again when its backoff (or FailOptions::delay) ends.
  dead,     ///< Failed on its last attempt: a dead letter, until requeue().
  acked,    ///< Done; kept until `received_at + retain` so its key stays a duplicate.
};
// clang-format on

/// The name of a state: `"ready"`, `"leased"`, `"delayed"`, `"dead"` or `"acked"`.
[[nodiscard]] constexpr std::string_view to_string(DeliveryState state) noexcept {
  switch (state) {
    case DeliveryState::ready: return "ready";
    case DeliveryState::leased: return "leased";
    case DeliveryState::delayed: return "delayed";
    case DeliveryState::dead: return "dead";
    case DeliveryState::acked: return "acked";
  }
  return "?";
}

/// The state named `name` (to_string()'s inverse); nullopt for any other text.
[[nodiscard]] constexpr std::optional<DeliveryState> delivery_state_named(
    std::string_view name) noexcept {
  for (const DeliveryState s : {DeliveryState::ready, DeliveryState::leased, DeliveryState::delayed,
                                DeliveryState::dead, DeliveryState::acked}) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

/// Why ack(), fail() or extend() refused a lease token. Every backend reports these, with
/// lease_refusal_error().
enum class LeaseRefusal : std::uint8_t {
  missing,      ///< No delivery has this id (`not_found`).
  acked,        ///< The delivery is already acked (`lease_lost`).
  dead,         ///< The delivery is a dead letter (`lease_lost`).
  wrong_token,  ///< The token is not the delivery's current lease (`lease_lost`).
  expired,      ///< The lease expired (`lease_lost`).
};

// clang-format off
/// What a refusal tells the worker, completing "<operation> of delivery <id> refused: ".
[[nodiscard]] constexpr std::string_view describe(LeaseRefusal why) noexcept {
  switch (why) {
    case LeaseRefusal::missing:     return "no such delivery";
    case LeaseRefusal::acked:       return "it is already acked";
    case LeaseRefusal::dead:        return "it is a dead letter";
    case LeaseRefusal::wrong_token: return "the lease token is not its current lease (another worker holds it, or it was released)";
    case LeaseRefusal::expired:     return "the lease expired; another worker may have it now";
  }
  return "?";
}
// clang-format on

/// The error code of a refusal: `not_found` for `missing`, `lease_lost` otherwise.
[[nodiscard]] constexpr ErrorCode error_code(LeaseRefusal why) noexcept {
  return why == LeaseRefusal::missing ? ErrorCode::not_found : ErrorCode::lease_lost;
}

/// The outcome of append().
struct Appended {
  DeliveryId delivery_id = 0;  ///< The stored delivery (for a duplicate: the earlier one).
  AppendStatus status = AppendStatus::stored;  ///< stored or duplicate.
  /// The arrival verdict: the event is older than one already seen (stored, not necessarily
  /// processed) for its resource, or not later than a deletion seen. Delivery::stale is the
  /// verdict that counts for a worker.
  bool stale = false;
};

/// A delivery owned by one worker until `lease_expires_at`. Everything is a copy: it outlives
/// the inbox call and the inbox.
struct Delivery {
  DeliveryId id = 0;          ///< Which delivery.
  std::string lease_token;    ///< Proves ownership to ack(), fail() and extend().
  std::uint32_t attempt = 0;  ///< 1 on the first lease, +1 on every counted lease after.
  /// Judged when this lease was taken: the event's `updatedAt` is older than the newest one a
  /// worker acked for its resource, or not later than an acked deletion of it. Applying it
  /// would put an older state over a newer one.
  bool stale = false;
  /// Judged when this lease was taken: a delivery of the same resource that arrived later, is
  /// neither stale nor dead, and has an `updatedAt` at least this one's (later than this
  /// one's when this is a deletion) is stored. A worker that applies the latest state (what
  /// Morph sends) may ack this one without running it.
  bool superseded = false;
  TimePoint received_at{};            ///< When append() stored it.
  TimePoint lease_expires_at{};       ///< After this another worker may lease it.
  std::string connector_id;           ///< `x-conector-id` as received.
  std::string owner_id;               ///< `x-owner-id` as received.
  std::string idempotency_key;        ///< `x-idempotency-key` as received.
  std::string model;                  ///< EventFacts::model, e.g. `crmEngagement`; empty if none.
  std::string resource_id;            ///< EventFacts::id (`data.id`); empty if none.
  Trigger trigger{Trigger::created};  ///< EventFacts::trigger.
  TimePoint updated_at{};             ///< EventFacts::updated_at (`data.updatedAt`).
  std::string body;                   ///< The body, byte for byte as received.
  std::string last_error;             ///< The reason given to the last fail(), if any.
  /// How often an operator replayed it (Inbox::replay()); 0: never. A replayed delivery is
  /// never judged stale or superseded, and forwarding gives each replay a new webhook id.
  std::uint32_t replays = 0;

  /// The three headers as views into this delivery.
  [[nodiscard]] Headers headers() const noexcept {
    return Headers{connector_id, owner_id, idempotency_key};
  }
  /// The dedupe key, as views into this delivery.
  [[nodiscard]] DeliveryKey key() const noexcept { return DeliveryKey::from(headers()); }
};

/// A delivery that failed on its last attempt (dead_letters()).
struct DeadLetter {
  DeliveryId id = 0;                  ///< Which delivery; requeue(id) makes it ready again.
  std::uint32_t attempts = 0;         ///< How many counted attempts it had.
  bool stale = false;                 ///< The verdict of its last lease (see Delivery::stale).
  TimePoint received_at{};            ///< When append() stored it.
  std::string connector_id;           ///< `x-conector-id`.
  std::string owner_id;               ///< `x-owner-id`.
  std::string idempotency_key;        ///< `x-idempotency-key`.
  std::string model;                  ///< EventFacts::model; empty if none.
  std::string resource_id;            ///< EventFacts::id (`data.id`); empty if none.
  Trigger trigger{Trigger::created};  ///< EventFacts::trigger: the event is `model::trigger`.
  TimePoint updated_at{};             ///< EventFacts::updated_at.
  std::string last_error;             ///< The reason given to the last fail() (or lease expiry).

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

/// How fail() gives a delivery back.
struct FailOptions {
  /// Ready again after this delay instead of backoff_delay(); nullopt = the backoff.
  std::optional<InboxDuration> delay;
  /// false: this attempt is not counted toward max_attempts (429/503 with Retry-After, a
  /// circuit-breaker probe).
  bool counts_as_attempt = true;
};

/// How lease() picks deliveries.
struct LeaseOptions {
  /// Ack superseded deliveries (Delivery::superseded) in the lease itself, without returning
  /// them, and count them in InboxStats::skipped_superseded; the lease returns the ones after
  /// them instead. For workers whose handler applies the latest state: a burst of updates of
  /// one resource becomes one run. A skipped delivery does not count as processed for the
  /// stale verdict; if the one that superseded it later dies, that one is a dead letter.
  bool skip_superseded = false;
};

/// A count per state, for dashboards and health checks (see DeliveryState). Backends keep them
/// cheap: counters or index counts, never a read of every delivery.
struct InboxStats {
  std::uint64_t ready = 0;           ///< Waiting for a worker (also behind their resource).
  std::uint64_t leased = 0;          ///< Owned by a worker whose lease has not expired.
  std::uint64_t delayed = 0;         ///< Failed, waiting for the backoff.
  std::uint64_t dead = 0;            ///< Dead letters.
  std::uint64_t acked_retained = 0;  ///< Acked, kept for dedupe until their retention ends.
  std::uint64_t stale = 0;  ///< Not yet acked and marked stale (at arrival or at last lease).
  /// Resources whose first undone delivery has failed (fail() or an expired lease) and is not
  /// yet acked or dead: everything stored behind it waits (InboxOptions::ordered).
  std::uint64_t blocked_resources = 0;
  /// Deliveries acked by lease() with LeaseOptions::skip_superseded, since the inbox was
  /// created (a counter: never decreases, not reduced by expire()).
  std::uint64_t skipped_superseded = 0;
  /// How long the oldest ready delivery has waited since it was received; nullopt when none.
  std::optional<InboxDuration> oldest_ready_age;
};

/// Which deliveries list() and replay() select: every field that is set must match (an empty
/// string or nullopt matches anything).
struct DeliveryFilter {
  std::optional<DeliveryState> state;  ///< The state now (see DeliveryState).
  std::string connector_id;            ///< `x-conector-id`.
  std::string owner_id;                ///< `x-owner-id`.
  std::string model;                   ///< EventFacts::model, e.g. `crmContact`.
  std::string resource_id;             ///< EventFacts::id (`data.id`).
  std::optional<TimePoint> since;      ///< Received at or after.
  std::optional<TimePoint> until;      ///< Received before.
  bool stale = false;                  ///< Only deliveries whose last verdict is stale.
};

/// Everything the inbox knows about one delivery (get(), list()), for operators. The body is
/// filled by get() only; list() leaves it empty.
struct DeliveryRecord {
  DeliveryId id = 0;                           ///< Which delivery.
  DeliveryState state = DeliveryState::ready;  ///< Its state now.
  std::uint32_t attempts = 0;                  ///< Counted attempts so far.
  bool stale = false;          ///< The last verdict: at arrival, then at its last lease.
  bool arrival_stale = false;  ///< Appended::stale.
  bool superseded = false;     ///< The verdict of its last lease (false before any lease).
  /// Ready, but behind an earlier undone delivery of its resource (InboxOptions::ordered).
  bool waiting = false;
  bool blocked = false;       ///< It failed at the head of its resource, which waits for it.
  std::uint32_t replays = 0;  ///< How often replay() made it ready again.
  TimePoint received_at{};    ///< When append() stored it.
  /// Leased: when the lease expires; delayed: when it is retried; otherwise unset.
  std::optional<TimePoint> due_at;
  std::string connector_id;           ///< `x-conector-id`.
  std::string owner_id;               ///< `x-owner-id`.
  std::string idempotency_key;        ///< `x-idempotency-key`.
  std::string model;                  ///< EventFacts::model; empty if none.
  std::string resource_id;            ///< EventFacts::id; empty if none.
  Trigger trigger{Trigger::created};  ///< EventFacts::trigger.
  TimePoint updated_at{};             ///< EventFacts::updated_at.
  std::string last_error;             ///< The reason of the last fail() or lease expiry.
  std::string body;                   ///< The body as received (get() only).
};

/// One page of list(): newest first.
struct DeliveryPage {
  std::vector<DeliveryRecord> deliveries;  ///< At most the limit asked for.
  /// Pass as `before` to get the next page; nullopt when nothing older matches. A backend may
  /// return a short (even empty) page with a cursor when it stopped at its per-call work budget.
  std::optional<DeliveryId> next_before;
};

/// One delivery exactly as stored, for copying an inbox to another backend (Inbox::export_*,
/// Inbox::import_*; `morph-webhook inbox copy`).
struct StoredDelivery {
  DeliveryRecord record;    ///< Every field, the body included; `waiting` says it is not a head.
  std::string lease_token;  ///< The current lease's token (leased), else empty.
  /// When it became (or becomes) leasable: arrival, requeue, the end of its lease or backoff.
  TimePoint available_at{};
  /// Its order within its resource (undone, ordered deliveries): a smaller one goes first.
  std::int64_t position = 0;
  bool ordered = true;  ///< Appended (or requeued) with InboxOptions::ordered.
};

/// The ordering guard of one resource, for copying: what arrived and what was acked.
struct StoredResource {
  std::string connector_id;  ///< The resource: (connector, owner, model, data.id).
  std::string owner_id;      ///< See connector_id.
  std::string model;         ///< See connector_id.
  std::string resource_id;   ///< See connector_id.
  /// The arrival guard: the newest `updatedAt` seen and whether a deletion (a tombstone) was;
  /// unset when the backend has forgotten it.
  std::optional<TimePoint> seen_updated_at;
  bool seen_deleted = false;  ///< See seen_updated_at.
  /// The acked guard: the newest `updatedAt` acked, whether a deletion, and which delivery.
  std::optional<TimePoint> acked_updated_at;
  bool acked_deleted = false;     ///< See acked_updated_at.
  DeliveryId acked_delivery = 0;  ///< See acked_updated_at.
  TimePoint touched_at{};         ///< The last arrival or ack (retention counts from it).
};

/// A batch of an inbox's content (export_batch()): deliveries by id, and guards.
struct InboxBatch {
  std::vector<StoredDelivery> deliveries;  ///< By increasing id.
  std::vector<StoredResource> resources;   ///< Guards (only in the batch that has them).
  /// Pass to the next export_batch(); nullopt when this is the last batch.
  std::optional<std::string> cursor;
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
  /// Deliveries of one resource are leased one at a time in arrival order (see the file
  /// comment). Off: every ready delivery is leasable, as a plain work queue. It applies to the
  /// deliveries appended (or requeued) by the inbox opened with it. On by default.
  bool ordered = true;
  /// A delivery that fails (or whose lease expires) on its `max_attempts`-th counted attempt
  /// is dead.
  std::uint32_t max_attempts = 10;
  /// Delay after the first fail(); doubled after each further one.
  InboxDuration backoff_initial = std::chrono::seconds(5);
  /// Longest delay between attempts.
  InboxDuration backoff_max = std::chrono::hours(1);
  /// The clock; empty means the backend's own (system_now() for SQLite).
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

  /// Leases up to `max_count` leasable deliveries (see DeliveryState), in the order they
  /// became ready, for `lease_duration`; an empty vector when none is. Each carries the stale
  /// and superseded verdicts of this moment.
  [[nodiscard]] virtual Result<std::vector<Delivery>> lease(std::size_t max_count,
                                                            InboxDuration lease_duration,
                                                            const LeaseOptions& how) = 0;
  /// lease() with the default LeaseOptions.
  [[nodiscard]] Result<std::vector<Delivery>> lease(std::size_t max_count,
                                                    InboxDuration lease_duration) {
    return lease(max_count, lease_duration, LeaseOptions{});
  }
  /// Marks a leased delivery done. `lease_lost` (nothing changed) when `token` is not its
  /// current lease or the lease expired.
  [[nodiscard]] virtual Result<Done> ack(DeliveryId id, std::string_view token) = 0;
  /// Gives a leased delivery back for a retry after `how.delay` or the backoff, or makes it
  /// dead on its `max_attempts`-th counted attempt. `lease_lost` as for ack().
  [[nodiscard]] virtual Result<Failed> fail(DeliveryId id, std::string_view token,
                                            std::string_view reason, const FailOptions& how) = 0;
  /// fail() with the backoff, counting the attempt.
  [[nodiscard]] Result<Failed> fail(DeliveryId id, std::string_view token,
                                    std::string_view reason) {
    return fail(id, token, reason, FailOptions{});
  }
  /// Extends a valid lease to now + `duration`; returns the new expiry. `lease_lost` as ack().
  [[nodiscard]] virtual Result<TimePoint> extend(DeliveryId id, std::string_view token,
                                                 InboxDuration duration) = 0;
  /// Counts per state.
  [[nodiscard]] virtual Result<InboxStats> stats() = 0;
  /// The dead letters, oldest first, at most `max_count`.
  [[nodiscard]] virtual Result<std::vector<DeadLetter>> dead_letters(
      std::size_t max_count = 1000) = 0;
  /// Makes a dead letter ready again with its attempts reset, at the back of its resource;
  /// `not_found` when `id` is not dead.
  [[nodiscard]] virtual Result<Done> requeue(DeliveryId id) = 0;
  /// Forgets what `retain` no longer covers: acked deliveries received before now - retain
  /// and ordering-guard entries not touched since. Returns how many deliveries were removed.
  /// Backends also call it by themselves from time to time.
  [[nodiscard]] virtual Result<std::uint64_t> expire() = 0;

  /// Every field of delivery `id`, its body included; `not_found` when there is none.
  [[nodiscard]] virtual Result<DeliveryRecord> get(DeliveryId id) = 0;
  /// The deliveries matching `filter` with an id below `before` (all when nullopt), newest
  /// first, at most `limit` (bodies left out). Reads indexes, never every delivery: see each
  /// backend for which filters are indexed.
  [[nodiscard]] virtual Result<DeliveryPage> list(const DeliveryFilter& filter, std::size_t limit,
                                                  std::optional<DeliveryId> before) = 0;
  /// An operator's explicit decision: every acked or dead delivery matching `filter` becomes
  /// ready again, oldest first, with its attempts reset, DeliveryRecord::replays incremented
  /// (Delivery::replays), never judged stale or superseded again, at the back of its resource
  /// (behind its current deliveries). With `dry_run` nothing changes. Returns how many match.
  [[nodiscard]] virtual Result<std::uint64_t> replay(const DeliveryFilter& filter,
                                                     bool dry_run) = 0;
  /// Deletes the dead letters received before `before` (all when nullopt), on purpose: their
  /// keys are no longer duplicates. Returns how many were deleted.
  [[nodiscard]] virtual Result<std::uint64_t> purge_dead(std::optional<TimePoint> before) = 0;

  /// One batch of everything the inbox holds, for copying it (`inbox copy`): deliveries in id
  /// order, then the ordering guards; start with an empty `cursor`. Meant for a quiescent inbox
  /// (no receiver or worker running): what changes meanwhile may be copied or not.
  [[nodiscard]] virtual Result<InboxBatch> export_batch(const std::string& cursor) = 0;
  /// Stores a batch exported from another inbox, keeping ids, states, attempts, leases, dedupe
  /// keys and guards; for an empty inbox (see is_empty()), batches in export order, with
  /// `skipped_superseded` the source's counter (InboxStats) given with the last batch.
  [[nodiscard]] virtual Result<Done> import_batch(const InboxBatch& batch,
                                                  std::uint64_t skipped_superseded) = 0;
  /// True when the inbox holds no delivery and no guard, and never handed out an id.
  [[nodiscard]] virtual Result<bool> is_empty() = 0;

  /// ack() for a delivery returned by lease().
  [[nodiscard]] Result<Done> ack(const Delivery& d) { return ack(d.id, d.lease_token); }
  /// fail() for a delivery returned by lease().
  [[nodiscard]] Result<Failed> fail(const Delivery& d, std::string_view reason,
                                    const FailOptions& how = {}) {
    return fail(d.id, d.lease_token, reason, how);
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

/// The error for a refused lease token: "<operation> of delivery <id> refused: <why>", with
/// error_code(why).
[[nodiscard]] inline Error lease_refusal_error(LeaseRefusal why, DeliveryId id,
                                               std::string_view operation) {
  std::string m(operation);
  m += " of delivery ";
  m += std::to_string(id);
  m += " refused: ";
  m += describe(why);
  return inbox_error(error_code(why), std::move(m));
}

/// Copies everything a quiescent inbox `from` holds (deliveries with their ids, states,
/// attempts, leases and dedupe keys; the ordering guards, tombstones included; the
/// skipped-superseded counter) into the empty inbox `to`, typically of another backend.
/// `invalid_value` when `to` is not empty. Returns how many deliveries were copied.
[[nodiscard]] inline Result<std::uint64_t> copy_inbox(Inbox& from, Inbox& to) {
  Result<bool> empty = to.is_empty();
  if (!empty) return std::move(empty).error();
  if (!*empty) {
    return inbox_error(ErrorCode::invalid_value,
                       "the target inbox is not empty: copy only into a new inbox");
  }
  Result<InboxStats> stats = from.stats();
  if (!stats) return std::move(stats).error();
  std::uint64_t copied = 0;
  for (std::string cursor;;) {
    Result<InboxBatch> batch = from.export_batch(cursor);
    if (!batch) return std::move(batch).error();
    if (Result<Done> r = to.import_batch(*batch, stats->skipped_superseded); !r) {
      return std::move(r).error();
    }
    copied += batch->deliveries.size();
    if (!batch->cursor) return copied;
    cursor = *batch->cursor;
  }
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_INBOX_HPP
