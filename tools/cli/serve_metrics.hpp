/// @file serve_metrics.hpp
/// @brief The Prometheus metrics of `morph-webhook serve` (prometheus-cpp core; served by
/// serve's own HTTP server at GET /metrics, so no second listener).
///
/// Names: `morph_webhook_requests_total{status}` (webhook requests: not /healthz, /metrics),
/// `morph_webhook_appends_total{result= "stored"|"duplicate"}`,
/// `morph_webhook_appends_stale_total`, `morph_webhook_append_failures_total`,
/// `morph_webhook_append_duration_seconds` (histogram), `morph_webhook_inbox_deliveries{state}`,
/// `morph_webhook_inbox_oldest_ready_seconds` (read from the inbox at each scrape),
/// `morph_webhook_storage_up` (1 when the scrape's read of the inbox succeeded, else 0),
/// `morph_webhook_log_lines_dropped_total`; with Redis, `morph_webhook_redis_primary{address}` (1
/// for the primary in use) and `morph_webhook_redis_failovers_total`. No label ever holds a
/// path, a key or the secret.
#ifndef MORPH_WEBHOOK_CLI_SERVE_METRICS_HPP
#define MORPH_WEBHOOK_CLI_SERVE_METRICS_HPP

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "morph/webhook/inbox.hpp"

namespace morph::webhook::cli {

/// The metrics of one serve process. Thread-safe (prometheus-cpp's metrics are atomic).
class ServeMetrics {
 public:
  ServeMetrics()
      : registry_(std::make_shared<prometheus::Registry>()),
        requests_(prometheus::BuildCounter()
                      .Name("morph_webhook_requests_total")
                      .Help("HTTP requests answered, by status code")
                      .Register(*registry_)),
        appends_(prometheus::BuildCounter()
                     .Name("morph_webhook_appends_total")
                     .Help("Events appended to the inbox: stored (new) or duplicate")
                     .Register(*registry_)),
        stored_(appends_.Add({{"result", "stored"}})),
        duplicate_(appends_.Add({{"result", "duplicate"}})),
        stale_(prometheus::BuildCounter()
                   .Name("morph_webhook_appends_stale_total")
                   .Help("Events stored or found with stale=true (older than one already seen)")
                   .Register(*registry_)
                   .Add({})),
        failures_(prometheus::BuildCounter()
                      .Name("morph_webhook_append_failures_total")
                      .Help("Appends the inbox could not store (answered 503)")
                      .Register(*registry_)
                      .Add({})),
        latency_(
            prometheus::BuildHistogram()
                .Name("morph_webhook_append_duration_seconds")
                .Help("Time from the append call to the event being durable")
                .Register(*registry_)
                .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001,
                                                                 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                 0.1, 0.25, 0.5, 1.0, 2.5, 5.0})),
        depth_(prometheus::BuildGauge()
                   .Name("morph_webhook_inbox_deliveries")
                   .Help("Deliveries in the inbox by state (read at scrape time)")
                   .Register(*registry_)),
        oldest_ready_(prometheus::BuildGauge()
                          .Name("morph_webhook_inbox_oldest_ready_seconds")
                          .Help("Age of the oldest ready delivery (0 when none)")
                          .Register(*registry_)
                          .Add({})),
        dropped_lines_(prometheus::BuildCounter()
                           .Name("morph_webhook_log_lines_dropped_total")
                           .Help("Access lines dropped because stdout did not keep up (the "
                                 "requests were answered)")
                           .Register(*registry_)
                           .Add({})),
        primary_(prometheus::BuildGauge()
                     .Name("morph_webhook_redis_primary")
                     .Help("The Redis primary in use (1, labelled with its address)")
                     .Register(*registry_)),
        failovers_(prometheus::BuildCounter()
                       .Name("morph_webhook_redis_failovers_total")
                       .Help("Changes of Redis primary seen by this process (failovers)")
                       .Register(*registry_)
                       .Add({})),
        storage_up_(prometheus::BuildGauge()
                        .Name("morph_webhook_storage_up")
                        .Help("1 when the inbox answered the last scrape's read, 0 when its "
                              "storage was unavailable")
                        .Register(*registry_)
                        .Add({})) {
    for (std::size_t i = 0; i < common_statuses_.size(); ++i) {
      status_counters_[i] = &requests_.Add({{"status", std::to_string(common_statuses_[i])}});
    }
  }

  /// Counts one access line dropped (the log queue was full).
  void count_dropped_log_line() { dropped_lines_.Increment(); }

  /// The registry, for metrics of work running beside the server (ServeCompanion).
  prometheus::Registry& registry() { return *registry_; }

  /// Counts one answered webhook request (not /healthz or /metrics).
  void count_request(int status) {
    for (std::size_t i = 0; i < common_statuses_.size(); ++i) {
      if (common_statuses_[i] == status) return status_counters_[i]->Increment();
    }
    requests_.Add({{"status", std::to_string(status)}}).Increment();
  }

  /// Records one append: its outcome and how long it took.
  void count_append(const Result<Appended>& result, std::chrono::steady_clock::duration took) {
    latency_.Observe(std::chrono::duration<double>(took).count());
    if (!result) return failures_.Increment();
    (result->status == AppendStatus::stored ? stored_ : duplicate_).Increment();
    if (result->stale) stale_.Increment();
  }

  /// The Redis primary in use and the failovers seen so far (before a render).
  void set_redis_primary(const std::string& address, std::uint64_t failovers) {
    std::lock_guard<std::mutex> lock(redis_mutex_);
    if (address != primary_address_) {
      if (primary_now_ != nullptr) primary_.Remove(primary_now_);
      primary_now_ = &primary_.Add({{"address", address}});
      primary_now_->Set(1);
      primary_address_ = address;
    }
    if (failovers > failovers_seen_) {
      failovers_.Increment(static_cast<double>(failovers - failovers_seen_));
      failovers_seen_ = failovers;
    }
  }

  /// The Prometheus text exposition, with the inbox depth read from `stats` (left unchanged
  /// when the inbox could not be read).
  std::string render(const Result<InboxStats>& stats) {
    storage_up_.Set(stats ? 1.0 : 0.0);
    if (stats) {
      depth_.Add({{"state", "ready"}}).Set(static_cast<double>(stats->ready));
      depth_.Add({{"state", "leased"}}).Set(static_cast<double>(stats->leased));
      depth_.Add({{"state", "delayed"}}).Set(static_cast<double>(stats->delayed));
      depth_.Add({{"state", "dead"}}).Set(static_cast<double>(stats->dead));
      depth_.Add({{"state", "acked_retained"}}).Set(static_cast<double>(stats->acked_retained));
      depth_.Add({{"state", "stale"}}).Set(static_cast<double>(stats->stale));
      oldest_ready_.Set(stats->oldest_ready_age
                            ? std::chrono::duration<double>(*stats->oldest_ready_age).count()
                            : 0.0);
    }
    return prometheus::TextSerializer().Serialize(registry_->Collect());
  }

 private:
  static constexpr std::array<int, 7> common_statuses_{200, 400, 404, 405, 413, 422, 503};
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  std::array<prometheus::Counter*, common_statuses_.size()> status_counters_{};
  prometheus::Family<prometheus::Counter>& appends_;
  prometheus::Counter& stored_;
  prometheus::Counter& duplicate_;
  prometheus::Counter& stale_;
  prometheus::Counter& failures_;
  prometheus::Histogram& latency_;
  prometheus::Family<prometheus::Gauge>& depth_;
  prometheus::Gauge& oldest_ready_;
  prometheus::Counter& dropped_lines_;
  prometheus::Family<prometheus::Gauge>& primary_;
  prometheus::Counter& failovers_;
  prometheus::Gauge& storage_up_;
  std::mutex redis_mutex_;  // guards the three below
  prometheus::Gauge* primary_now_ = nullptr;
  std::string primary_address_;
  std::uint64_t failovers_seen_ = 0;
};

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_SERVE_METRICS_HPP
