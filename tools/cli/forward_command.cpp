/// @file forward_command.cpp
/// @brief `morph-webhook forward` (forward_command.hpp): options, defaults, help, and the run:
/// open the inbox, install the stop signals, run the forwarder, print the totals.
#include "cli/forward_command.hpp"

#include <curl/curl.h>
#include <signal.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/duration.hpp"
#include "cli/forward_metrics.hpp"
#include "cli/inbox_commands.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_forward_stop(int) { g_stop.store(true); }

CLI::Option* add_duration_option(CLI::App& app, const std::string& name, std::string& text,
                                 const std::string& help) {
  return app.add_option(name, text, help)
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& value) {
            return parse_duration(value) ? std::string()
                                         : "expected a duration such as 30s, 500ms, 2m or 1h";
          },
          "DURATION"));
}

/// The forwarder inside serve (`serve --forward-to`).
class ForwardCompanion final : public ServeCompanion {
 public:
  bool enabled() const override { return !options.config.to.empty(); }
  std::optional<std::string> prepare() override {
    if (auto error = make_forward_config(options)) return error;
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

void add_forward_to_serve(CLI::App& serve, ServeConfig& config) {
  auto companion = std::make_shared<ForwardCompanion>();
  serve.add_option("--forward-to", companion->options.config.to,
                   "Also forward every stored event to this http(s):// URL (as `forward` does; "
                   "the forward options below apply)");
  add_forward_options(serve, companion->options);
  config.companion = std::move(companion);
}

void add_forward_options(CLI::App& app, ForwardOptions& o) {
  app.add_option("--concurrency", o.config.concurrency, "Requests in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--rate", o.rate, "At most N requests started per second (N or N/s)");
  add_duration_option(app, "--timeout", o.timeout,
                      "Deadline of one request (connect, send, answer); then it fails");
  app.add_option("--signing-secret-file", o.signing_secret_file,
                 "File with one whsec_ secret per line: each request is signed with each "
                 "(webhook-signature, Standard Webhooks)")
      ->check(CLI::ExistingFile);
  app.add_option("--header", o.config.headers,
                 "Extra request header 'Name: value' (repeatable), e.g. an API key");
  app.add_option("--ca-file", o.config.ca_file,
                 "PEM file of CA certificates for https:// (default: the system store)")
      ->check(CLI::ExistingFile);
  add_duration_option(app, "--lease", o.lease,
                      "How long a leased delivery is owned; longer than --timeout (default: "
                      "--timeout + 30s)");
  add_duration_option(app, "--poll", o.poll, "Wait between looks when nothing is ready");
  app.add_option("--breaker-failures", o.config.breaker_failures,
                 "Consecutive failures (refused, timeout, 5xx) that open the circuit breaker")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000000u));
  add_duration_option(app, "--breaker-cooldown", o.cooldown,
                      "First wait before a probe while the breaker is open (doubled after each "
                      "failed probe)");
  add_duration_option(app, "--breaker-cooldown-max", o.cooldown_max, "Longest wait between probes");
  app.add_flag("--skip-superseded", o.config.skip_superseded,
               "Ack deliveries the inbox marks superseded without sending them");
  app.add_flag("--quiet", o.config.quiet, "No line per failed request");
}

std::optional<std::string> make_forward_config(ForwardOptions& o) {
  ForwardConfig& c = o.config;
  if (!o.rate.empty()) {
    std::string n = o.rate;
    if (n.size() > 2 && n.compare(n.size() - 2, 2, "/s") == 0) n.resize(n.size() - 2);
    char* end = nullptr;
    const double value = std::strtod(n.c_str(), &end);
    if (n.empty() || *end != '\0' || !(value > 0) || value > 1e9) {
      return "--rate '" + o.rate + "': expected a number of requests per second, e.g. 100/s";
    }
    c.rate = value;
  }
  c.timeout = *parse_duration(o.timeout);
  if (!o.lease.empty()) c.lease = *parse_duration(o.lease);
  c.poll = *parse_duration(o.poll);
  c.cooldown_initial = *parse_duration(o.cooldown);
  c.cooldown_max = *parse_duration(o.cooldown_max);
  if (!o.signing_secret_file.empty()) {
    c.keys.clear();
    if (auto error = read_signing_keys(o.signing_secret_file, c.keys)) return error;
  }
  return check_forward_config(c);
}

std::function<std::optional<int>()> add_forward_command(CLI::App& app) {
  struct State {
    ForwardOptions options;
    std::string inbox{default_inbox_uri};
  };
  const auto state = std::make_shared<State>();
  CLI::App* f = app.add_subcommand(
      "forward",
      "Deliver the inbox to your application: lease deliveries and POST each one to --to "
      "(the body as received, the Morph headers, Standard Webhooks headers and signature); "
      "2xx acks, 429/503 with Retry-After retries after it (no attempt used), anything else "
      "fails (retried after backoff, dead after max_attempts). A circuit breaker stops "
      "leasing while the endpoint is down. SIGINT/SIGTERM: lease nothing more, let requests "
      "in flight finish, exit 0. Exit 2: usage or inbox error.");
  f->add_option("--inbox", state->inbox, "Inbox URI: sqlite:PATH[?PARAMS] or redis://...")
      ->capture_default_str();
  f->add_option("--redis-password-file", redis_password_file(),
                "File whose first line is the Redis password (instead of one in the URI)")
      ->check(CLI::ExistingFile);
  f->add_option("--to", state->options.config.to, "The endpoint: http:// or https:// URL")
      ->required();
  add_forward_options(*f, state->options);
  f->add_flag("--until-empty", state->options.config.until_empty,
              "Stop once nothing is ready or in flight (scripts, benchmarks)");

  return [state, f]() -> std::optional<int> {
    if (!f->parsed()) return std::nullopt;
    if (auto error = make_forward_config(state->options)) {
      print_inbox_error("forward", *error);
      return exit_error;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      print_inbox_error("forward", "libcurl cannot start");
      return exit_error;
    }
    Result<std::unique_ptr<Inbox>> opened = open_inbox(state->inbox);
    if (!opened) {
      print_inbox_error("forward", "cannot open the inbox: " + opened.error().message);
      return exit_error;
    }
    struct sigaction action {};
    action.sa_handler = on_forward_stop;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    const ForwardConfig& c = state->options.config;
    std::fprintf(stderr, "morph-webhook forward: to %s, concurrency %u%s\n", c.to.c_str(),
                 c.concurrency, c.keys.empty() ? ", unsigned" : ", signed");
    ForwardTotals totals;
    const int status = run_forwarder(c, **opened, g_stop, nullptr, &totals);
    std::fprintf(stderr,
                 "morph-webhook forward: stopped: %llu acked, %llu failed (%llu now dead), %llu "
                 "retry-after, %llu failed probes, %llu skipped, %llu unsettled\n",
                 static_cast<unsigned long long>(totals.acked),
                 static_cast<unsigned long long>(totals.failed),
                 static_cast<unsigned long long>(totals.dead),
                 static_cast<unsigned long long>(totals.retry_after),
                 static_cast<unsigned long long>(totals.probes_failed),
                 static_cast<unsigned long long>(totals.skipped),
                 static_cast<unsigned long long>(totals.unsettled));
    opened->reset();
    curl_global_cleanup();
    return status;
  };
}

}  // namespace morph::webhook::cli
