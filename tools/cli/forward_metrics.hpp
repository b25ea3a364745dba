/// @file forward_metrics.hpp
/// @brief The forwarder's Prometheus metrics (a ForwardObserver), joined to serve's /metrics
/// when `serve --forward-to` runs it.
///
/// Names: `morph_webhook_forward_requests_total{outcome}` (outcome: to_string(ForwardOutcome)),
/// `morph_webhook_forward_duration_seconds` (histogram of request time),
/// `morph_webhook_forward_in_flight`, `morph_webhook_forward_circuit_state{state}` (1 for the
/// current state, 0 for the others) and `morph_webhook_forward_circuit_changes_total`.
#ifndef MORPH_WEBHOOK_CLI_FORWARD_METRICS_HPP
#define MORPH_WEBHOOK_CLI_FORWARD_METRICS_HPP

#include <array>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "cli/forwarder.hpp"

namespace morph::webhook::cli {

/// The forwarder's metrics in `registry`. Thread-safe (prometheus-cpp's metrics are atomic).
class ForwardMetrics final : public ForwardObserver {
 public:
  /// Registers the metrics in `registry`, which must outlive this object.
  explicit ForwardMetrics(prometheus::Registry& registry)
      : requests_(prometheus::BuildCounter()
                      .Name("morph_webhook_forward_requests_total")
                      .Help("Deliveries forwarded, by what became of them")
                      .Register(registry)),
        latency_(
            prometheus::BuildHistogram()
                .Name("morph_webhook_forward_duration_seconds")
                .Help("Time from sending a delivery to the endpoint's answer (or error)")
                .Register(registry)
                .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                                                                 5.0, 10.0, 30.0, 60.0})),
        in_flight_(prometheus::BuildGauge()
                       .Name("morph_webhook_forward_in_flight")
                       .Help("Requests to the endpoint in flight")
                       .Register(registry)
                       .Add({})),
        circuit_(prometheus::BuildGauge()
                     .Name("morph_webhook_forward_circuit_state")
                     .Help("The circuit breaker's state: 1 for the current one")
                     .Register(registry)),
        changes_(prometheus::BuildCounter()
                     .Name("morph_webhook_forward_circuit_changes_total")
                     .Help("Changes of the circuit breaker's state")
                     .Register(registry)
                     .Add({})) {
    for (std::size_t i = 0; i < outcomes_.size(); ++i) {
      outcomes_[i] =
          &requests_.Add({{"outcome", std::string(to_string(static_cast<ForwardOutcome>(i)))}});
    }
    for (std::size_t i = 0; i < states_.size(); ++i) {
      states_[i] = &circuit_.Add({{"state", std::string(to_string(static_cast<CircuitState>(i)))}});
    }
    states_[0]->Set(1);
  }

  void request_done(ForwardOutcome outcome, double seconds) override {
    outcomes_[static_cast<std::size_t>(outcome)]->Increment();
    latency_.Observe(seconds);
  }
  void in_flight(std::size_t count) override { in_flight_.Set(static_cast<double>(count)); }
  void circuit(CircuitState state) override {
    for (std::size_t i = 0; i < states_.size(); ++i) {
      states_[i]->Set(i == static_cast<std::size_t>(state) ? 1 : 0);
    }
    changes_.Increment();
  }

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  std::array<prometheus::Counter*, forward_outcome_count> outcomes_{};
  prometheus::Histogram& latency_;
  prometheus::Gauge& in_flight_;
  prometheus::Family<prometheus::Gauge>& circuit_;
  std::array<prometheus::Gauge*, circuit_state_count> states_{};
  prometheus::Counter& changes_;
};

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_FORWARD_METRICS_HPP
