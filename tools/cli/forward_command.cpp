/// @file forward_command.cpp
/// @brief `morph-webhook forward` (forward_command.hpp): options, defaults, help, and the run:
/// open the inbox, install the stop signals, run the forwarder, print the totals; and the same
/// forwarder inside `serve --forward-to`.
#include "cli/forward_command.hpp"

#include <curl/curl.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "cli/duration_option.hpp"
#include "cli/forward_metrics.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"
#include "morph/webhook/adapters/beast_server.hpp"

namespace morph::webhook::cli {
namespace {

constexpr const char* description =
    "Deliver the inbox to your application: lease deliveries and POST each one to --to (the "
    "body as received, the Morph headers, Standard Webhooks headers and signature); 2xx acks, "
    "429/503 with Retry-After retries after it (no attempt used), anything else fails "
    "(retried after backoff, dead after max_attempts). A circuit breaker stops leasing while "
    "the endpoint is down. SIGINT/SIGTERM: lease nothing more, let requests in flight finish, "
    "exit 0. Exit 2: usage or inbox error.";

std::atomic<bool> g_stop{false};

extern "C" void on_forward_stop(int) { g_stop.store(true); }

/// `N` or `N/s`, requests per second; nullopt when it is not one.
std::optional<double> parse_rate(std::string text) {
  if (text.size() > 2 && text.compare(text.size() - 2, 2, "/s") == 0) text.resize(text.size() - 2);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value > 0) || value > 1e9) return std::nullopt;
  return value;
}

namespace mwb = morph::webhook::beast;

/// GET /metrics of a standalone `forward` (--metrics-port): the registry's text exposition,
/// served on threads of its own until stop().
class MetricsEndpoint {
 public:
  MetricsEndpoint(const std::string& host, unsigned short port, prometheus::Registry& registry)
      : server_(options(host, port), [&registry](const mwb::Request& req, mwb::ReadStatus) {
          namespace http = boost::beast::http;
          const bool ok = req.method() == http::verb::get && req.target() == "/metrics";
          mwb::Response res{ok ? http::status::ok : http::status::not_found, req.version()};
          res.set(http::field::content_type, "text/plain; version=0.0.4");
          if (ok) res.body() = prometheus::TextSerializer().Serialize(registry.Collect());
          res.prepare_payload();
          return res;
        }) {}
  /// Binds; an error message when it cannot.
  std::optional<std::string> start() {
    if (const auto ec = server_.listen())
      return "cannot listen for --metrics-port: " + ec.message();
    std::fprintf(stderr, "morph-webhook forward: metrics on http://%s:%u/metrics\n",
                 server_.local_endpoint().address().to_string().c_str(),
                 static_cast<unsigned>(server_.local_endpoint().port()));
    thread_ = std::thread([this] { server_.run(); });
    return std::nullopt;
  }
  ~MetricsEndpoint() {
    if (thread_.joinable()) {
      server_.shutdown();
      thread_.join();
    }
  }
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

 private:
  static mwb::ServerOptions options(const std::string& host, unsigned short port) {
    mwb::ServerOptions o;
    o.host = host;
    o.port = port;
    o.threads = 1;
    o.drain_timeout = std::chrono::seconds(1);
    return o;
  }
  mwb::Server server_;
  std::thread thread_;
};

/// The forwarder inside serve (`serve --forward-to`).
class ForwardCompanion final : public ServeCompanion {
 public:
  bool enabled() const override { return !options.config.to.empty(); }
  std::optional<std::string> prepare() override {
    if (auto error = finish_forward_options(options)) return error;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return "libcurl cannot start";
    return std::nullopt;
  }
  int run(Inbox& inbox, prometheus::Registry& registry, const std::atomic<bool>& stop) override {
    ForwardMetrics metrics(registry);
    const ForwardConfig& c = options.config;
    std::fprintf(stderr, "morph-webhook serve: forwarding to %s, concurrency %u%s\n", c.to.c_str(),
                 c.concurrency, c.keys.empty() ? ", unsigned" : ", signed");
    return run_forwarder(c, inbox, stop, &metrics);
  }
  ForwardOptions options;
};

}  // namespace

void add_forward_options(CLI::App& app, ForwardOptions& o) {
  ForwardConfig& c = o.config;
  app.add_option("--concurrency", c.concurrency, "Requests in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1024u));
  app.add_option_function<std::string>(
         "--rate", [&c](const std::string& text) { c.rate = parse_rate(text); },
         "At most N requests started per second (N or N/s)")
      ->type_name("N/s")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            return parse_rate(value) ? "" : "expected requests per second, e.g. 100/s";
          },
          ""));
  add_duration_option(app, "--timeout", c.timeout,
                      "Deadline of one request (connect, send, answer); then it fails",
                      std::chrono::milliseconds(1));
  app.add_option("--signing-secret-file", o.signing_secret_file,
                 "File with one whsec_ secret per line: each request is signed with each "
                 "(webhook-signature, Standard Webhooks)")
      ->check(CLI::ExistingFile);
  app.add_option("--header", c.headers,
                 "Extra request header 'Name: value' (repeatable), e.g. an API key");
  app.add_option("--ca-file", c.ca_file,
                 "PEM file of CA certificates for https:// (default: the system store)")
      ->check(CLI::ExistingFile);
  app.add_option_function<std::string>(
         "--lease", [&c](const std::string& text) { c.lease = *parse_duration(text); },
         "How long a leased delivery is owned; longer than --timeout (default: --timeout + 30s)")
      ->type_name("DURATION")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            return parse_duration(value) ? "" : "expected a duration such as 1m";
          },
          ""));
  add_duration_option(app, "--poll", c.poll, "Wait between looks when nothing is ready");
  app.add_option("--breaker-failures", c.breaker_failures,
                 "Consecutive failures (refused, timeout, 5xx) that open the circuit breaker")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000000u));
  add_duration_option(app, "--breaker-cooldown", c.cooldown_initial,
                      "First wait before a probe while the breaker is open (doubled after each "
                      "failed probe)",
                      std::chrono::milliseconds(1));
  add_duration_option(app, "--breaker-cooldown-max", c.cooldown_max, "Longest wait between probes",
                      std::chrono::milliseconds(1));
  app.add_flag("--skip-superseded", c.skip_superseded,
               "Ack deliveries the inbox marks superseded without sending them");
  app.add_flag("--quiet", c.quiet, "No line per failed request");
}

std::optional<std::string> finish_forward_options(ForwardOptions& o) {
  if (!o.signing_secret_file.empty()) {
    o.config.keys.clear();
    if (auto error = read_signing_keys(o.signing_secret_file, o.config.keys)) return error;
  }
  return check_forward_config(o.config);
}

CLI::App* add_forward_command(CLI::App& app, int& exit_status) {
  struct State {
    ForwardOptions options;
    std::string inbox{default_inbox_uri};
    std::optional<unsigned short> metrics_port;
    std::string metrics_host = "127.0.0.1";
  };
  const auto state = std::make_shared<State>();
  CLI::App* forward = app.add_subcommand("forward", description);
  add_inbox_location(*forward, state->inbox);
  forward->add_option("--to", state->options.config.to, "The endpoint: http:// or https:// URL")
      ->required();
  add_forward_options(*forward, state->options);
  forward->add_flag("--until-empty", state->options.config.until_empty,
                    "Stop once nothing is ready or in flight (scripts, benchmarks)");
  forward
      ->add_option("--metrics-port", state->metrics_port,
                   "Serve GET /metrics (Prometheus) on this port (0: a free one, printed)")
      ->check(CLI::Range(0, 65535));
  forward->add_option("--metrics-host", state->metrics_host, "Address for --metrics-port")
      ->capture_default_str();
  forward->callback([state, &exit_status] {
    exit_status = exit_error;
    if (auto error = finish_forward_options(state->options)) {
      print_inbox_error("forward", *error);
      return;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      print_inbox_error("forward", "libcurl cannot start");
      return;
    }
    std::unique_ptr<Inbox> inbox = open_or_report("forward", state->inbox);
    if (!inbox) return;
    struct sigaction action {};
    action.sa_handler = on_forward_stop;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    const ForwardConfig& c = state->options.config;
    prometheus::Registry registry;
    ForwardMetrics metrics(registry);
    std::optional<MetricsEndpoint> endpoint;
    if (state->metrics_port) {
      endpoint.emplace(state->metrics_host, *state->metrics_port, registry);
      if (auto error = endpoint->start()) {
        std::fprintf(stderr, "morph-webhook forward: %s\n", error->c_str());
        return;
      }
    }
    std::fprintf(stderr, "morph-webhook forward: to %s, concurrency %u%s\n", c.to.c_str(),
                 c.concurrency, c.keys.empty() ? ", unsigned" : ", signed");
    ForwardTotals totals;
    exit_status = run_forwarder(c, *inbox, g_stop, &metrics, &totals);
    std::fprintf(stderr,
                 "morph-webhook forward: stopped: %llu acked, %llu failed (%llu now dead), %llu "
                 "retry-after, %llu failed probes, %llu unsettled\n",
                 static_cast<unsigned long long>(totals.acked),
                 static_cast<unsigned long long>(totals.failed),
                 static_cast<unsigned long long>(totals.dead),
                 static_cast<unsigned long long>(totals.retry_after),
                 static_cast<unsigned long long>(totals.probes_failed),
                 static_cast<unsigned long long>(totals.unsettled));
    inbox.reset();
    curl_global_cleanup();
  });
  return forward;
}

void add_forward_to_serve(CLI::App& serve, ServeConfig& config) {
  auto companion = std::make_shared<ForwardCompanion>();
  serve.add_option("--forward-to", companion->options.config.to,
                   "Also forward every stored event to this http(s):// URL (as `forward` does; "
                   "the forward options apply)");
  add_forward_options(serve, companion->options);
  config.companion = std::move(companion);
}

}  // namespace morph::webhook::cli
