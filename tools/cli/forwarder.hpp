/// @file forwarder.hpp
/// @brief The forwarder behind `morph-webhook forward` and `serve --forward-to`: leases
/// deliveries and POSTs each one to an HTTP endpoint (libcurl's multi interface), signed
/// (Standard Webhooks), then acks, gives back or fails it by the answer.
///
/// ## What the endpoint receives
/// The body byte for byte, `content-type: application/json`, the three Morph headers as received,
/// `webhook-id` (`msg_<delivery id>_<received µs>`: the same on every attempt; `_r<N>` appended
/// for the N-th `inbox replay`, with a `morph-webhook-replay: N` header), `webhook-timestamp`
/// (this attempt), `webhook-signature` (with signing keys), `morph-webhook-attempt`,
/// `morph-webhook-stale`, `morph-webhook-superseded`, `user-agent: morph-webhook/VERSION`, and
/// the configured extra headers.
///
/// ## Outcomes
/// // clang-format off
/// | answer                                      | inbox                                        |
/// breaker  |
/// |---------------------------------------------|----------------------------------------------|----------|
/// | 2xx                                         | ack()                                        |
/// success  | | 429 or 503 with Retry-After                 | given back after it (≤ 1 h), not an
/// attempt  | 503: failure | | other status                                | fail(): backoff, dead
/// at max_attempts        | 5xx: failure | | timeout, refused, DNS, TLS, reset           | fail():
/// backoff                              | failure  |
/// // clang-format on
///
/// ## Circuit breaker
/// After `breaker_failures` consecutive failures it stops leasing (open). Every cool-down
/// (`cooldown_initial`, doubled after each failed probe up to `cooldown_max`) it sends one
/// delivery as a probe (half-open); a failed probe is given back without consuming an attempt.
/// A probe the endpoint answers (anything but a failure) closes the breaker.
#ifndef MORPH_WEBHOOK_CLI_FORWARDER_HPP
#define MORPH_WEBHOOK_CLI_FORWARDER_HPP

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "morph/webhook/inbox.hpp"
#include "morph/webhook/signing.hpp"

namespace morph::webhook::cli {

/// What the forwarder does (the options of `forward`; defaults as documented).
struct ForwardConfig {
  std::string to;                                    ///< --to URL
  unsigned concurrency = 8;                          ///< --concurrency: requests in flight
  std::optional<double> rate;                        ///< --rate N/s: requests started per second
  std::string ca_file;                               ///< --ca-file (empty: the system store)
  std::vector<std::string> headers;                  ///< --header 'Name: value'
  InboxDuration timeout = std::chrono::seconds(30);  ///< --timeout per request
  /// --lease: how long a delivery is owned (longer than the timeout); empty: timeout + 30 s.
  std::optional<InboxDuration> lease;
  InboxDuration poll = std::chrono::milliseconds(500);  ///< --poll: wait when nothing is ready
  std::vector<signing::SigningKey> keys;  ///< from --signing-secret-file (empty: unsigned)
  unsigned breaker_failures = 5;          ///< --breaker-failures: consecutive, to open
  InboxDuration cooldown_initial = std::chrono::seconds(5);  ///< --breaker-cooldown
  InboxDuration cooldown_max = std::chrono::minutes(5);      ///< --breaker-cooldown-max
  InboxDuration retry_after_max = std::chrono::hours(1);     ///< cap on Retry-After
  /// --skip-superseded: the inbox acks superseded deliveries in the lease, unsent.
  bool skip_superseded = false;
  bool until_empty = false;  ///< --until-empty: stop when nothing is ready or in flight
  bool quiet = false;        ///< no line per failed request (state changes still logged)
};

/// The state of the circuit breaker.
enum class CircuitState : std::uint8_t {
  closed,     ///< Leasing at full concurrency.
  open,       ///< Leasing nothing until the cool-down ends.
  half_open,  ///< One probe in flight.
};

/// How many CircuitState values there are.
inline constexpr std::size_t circuit_state_count = 3;

/// `closed`, `open` or `half_open`.
[[nodiscard]] constexpr std::string_view to_string(CircuitState s) noexcept {
  return s == CircuitState::closed ? "closed" : s == CircuitState::open ? "open" : "half_open";
}

/// What became of one request, as counted in `morph_webhook_forward_requests_total{outcome}`.
enum class ForwardOutcome : std::uint8_t {
  acked,         ///< 2xx: acked.
  retry_after,   ///< 429/503 with Retry-After: given back, no attempt consumed.
  failed,        ///< Any other answer or error: failed, retried after backoff.
  dead,          ///< Failed on its last attempt: a dead letter.
  probe_failed,  ///< A probe that failed: given back, no attempt consumed.
  unsettled,     ///< The inbox refused the ack/fail (lease lost, storage down): it comes back.
};

/// How many ForwardOutcome values there are.
inline constexpr std::size_t forward_outcome_count = 6;

/// The label value of an outcome.
[[nodiscard]] constexpr std::string_view to_string(ForwardOutcome o) noexcept {
  // clang-format off
  switch (o) {
    case ForwardOutcome::acked:        return "acked";
    case ForwardOutcome::retry_after:  return "retry_after";
    case ForwardOutcome::failed:       return "failed";
    case ForwardOutcome::dead:         return "dead";
    case ForwardOutcome::probe_failed: return "probe_failed";
    case ForwardOutcome::unsettled:    return "unsettled";
  }
  // clang-format on
  return "unknown";
}

/// Told about every request and state change (metrics). Called from the forwarder's threads.
class ForwardObserver {
 public:
  virtual ~ForwardObserver() = default;
  /// One request ended with `outcome` after `seconds`.
  virtual void request_done(ForwardOutcome outcome, double seconds) = 0;
  /// Requests in flight changed.
  virtual void in_flight(std::size_t count) = 0;
  /// The circuit breaker changed state.
  virtual void circuit(CircuitState state) = 0;
};

/// Totals of one run, printed when it stops.
struct ForwardTotals {
  std::uint64_t acked = 0;          ///< 2xx.
  std::uint64_t retry_after = 0;    ///< Given back on Retry-After.
  std::uint64_t failed = 0;         ///< Failed (including dead).
  std::uint64_t dead = 0;           ///< Of which dead letters.
  std::uint64_t probes_failed = 0;  ///< Failed probes (not attempts).
  std::uint64_t unsettled = 0;      ///< The inbox refused the settlement.
};

/// The options checked and the endpoint parsed; an error message when they are unusable.
[[nodiscard]] std::optional<std::string> check_forward_config(const ForwardConfig& config);

/// Runs the forwarder on `inbox` until `stop` becomes true (then it drains: nothing more is
/// leased, requests in flight finish or time out and are settled) or, with until_empty, until
/// nothing is ready or in flight. Returns 0, or 2 when the inbox fails for good (an error other
/// than storage_unavailable, which it rides out) or libcurl cannot start. `observer` may be null.
int run_forwarder(const ForwardConfig& config, Inbox& inbox, const std::atomic<bool>& stop,
                  ForwardObserver* observer, ForwardTotals* totals = nullptr);

/// Reads `--signing-secret-file`: one `whsec_` secret per non-empty line (several while a secret
/// is rotated: every request is signed with each). An error message when it cannot.
[[nodiscard]] std::optional<std::string> read_signing_keys(const std::string& path,
                                                           std::vector<signing::SigningKey>& out);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_FORWARDER_HPP
