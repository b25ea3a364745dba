/// @file subcommands.cpp
/// @brief Options, defaults and help of `serve` and `inbox ...` (CLI11), and the dispatch to
/// serve.cpp, inbox_commands.cpp and inbox_work.cpp.
#include "cli/subcommands.hpp"

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/duration.hpp"
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
#include "cli/forward_command.hpp"
#endif
#include "cli/inbox_commands.hpp"
#include "cli/inbox_uri.hpp"
#include "cli/inbox_work.hpp"
#include "cli/serve.hpp"

namespace morph::webhook::cli {
namespace {

/// A duration option kept as text (`30s`, `500ms`, ...) and checked when parsed.
CLI::Option* add_duration(CLI::App& app, const std::string& name, std::string& text,
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

std::chrono::milliseconds to_millis(const std::string& text) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(*parse_duration(text));
}

InboxDuration to_micros(const std::string& text) { return *parse_duration(text); }

}  // namespace

std::function<int()> add_serve_and_inbox(CLI::App& app) {
  // Parsing writes into these after this function has returned: they live as long as the
  // returned function.
  struct State {
    ServeConfig serve;
    int port = ServeConfig{}.port;
    std::string models = "all";
    std::string idle = "30s";
    std::string header = "10s";
    std::string body = "30s";
    std::string drain = "10s";
    std::string uri{default_inbox_uri};
    std::string format = "text";
    std::size_t max = 10;
    std::string lease = "30s";
    std::string wait = "5s";
    std::vector<std::string> leases;
    std::string fail_lease;
    std::string reason = "failed";
    std::vector<std::string> ids;
    WorkConfig work;
    std::string work_lease = "30s";
    std::string poll = "500ms";
    std::string work_drain = "30s";
  };
  const auto state = std::make_shared<State>();
  auto& [serve, port, models, idle, header, body, drain, uri, format, max, lease, wait, leases,
         fail_lease, reason, ids, work, work_lease, poll, work_drain] = *state;

  // ---- serve --------------------------------------------------------------------------------
  CLI::App* s = app.add_subcommand(
      "serve",
      "Receive webhooks: check each request, append it to the inbox, answer 200 once it is "
      "durable. Prints 'listening on HOST:PORT' first, then one line per request. GET /healthz "
      "and GET /metrics (Prometheus) are served too. SIGINT/SIGTERM: stop accepting, answer the "
      "requests in flight (up to --drain-timeout), exit 0. Exit 1: cannot listen; 2: usage or "
      "inbox error.");
  s->add_option("--host", serve.host, "Address or name to bind")->capture_default_str();
  s->add_option("--port", port, "Port (0 picks a free one)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  s->add_option("--inbox", serve.inbox,
                "Inbox URI: sqlite:PATH[?PARAMS] or redis://HOST:PORT[/DB][?name=NAME] (see the "
                "README), or none (check and answer without storing: benchmarks only)")
      ->capture_default_str();
  s->add_option("--redis-password-file", redis_password_file(),
                "File whose first line is the Redis password (instead of one in the URI)")
      ->check(CLI::ExistingFile);
  s->add_option("--models", models,
                "Models accepted: all, or a comma-separated list (others get 422); "
                "widgetCardView is always refused")
      ->capture_default_str();
  s->add_flag("--strict", serve.strict, "Strict policy (unknown keys are errors)");
  s->add_option("--max-body-bytes", serve.max_body_bytes, "Largest body (larger: 413)")
      ->capture_default_str();
  s->add_option("--path", serve.path, "Webhook path")->capture_default_str();
  s->add_option("--secret-file", serve.secret_file,
                "File whose first line is a secret (>= 16 URL-safe characters): the webhook URL "
                "becomes PATH/SECRET, anything else gets 404")
      ->check(CLI::ExistingFile);
  s->add_option("--threads", serve.threads,
                "Threads serving requests; an append blocks its thread until durable, and "
                "concurrent appends share one commit")
      ->capture_default_str()
      ->check(CLI::Range(1u, 4096u));
  add_duration(*s, "--idle-timeout", idle, "Keep-alive wait for the next request");
  add_duration(*s, "--header-timeout", header,
               "Deadline for a request's header from its first byte");
  add_duration(*s, "--body-timeout", body, "Deadline for the body, and for writing the answer");
  add_duration(*s, "--drain-timeout", drain, "After SIGTERM: time left to requests in flight");
  s->add_option("--max-requests-per-connection", serve.max_requests,
                "Requests per keep-alive connection")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  s->add_option("--retry-after", serve.retry_after,
                "Retry-After seconds sent with 503 (the inbox cannot store)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 86400u));
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
  add_forward_to_serve(*s, serve);
#endif

  // ---- inbox --------------------------------------------------------------------------------
  CLI::App* inbox = app.add_subcommand(
      "inbox",
      "Work through the inbox and operate it. Exit 0: ok; 1: nothing to do or refused "
      "(e.g. an expired lease); 2: usage or storage error.");
  inbox->require_subcommand(1);
  const auto add_uri = [&state](CLI::App* sub) {
    sub->add_option("--inbox", state->uri,
                    "Inbox URI: sqlite:PATH[?PARAMS] or redis://HOST:PORT[...]")
        ->capture_default_str();
    sub->add_option("--redis-password-file", redis_password_file(),
                    "File whose first line is the Redis password (instead of one in the URI)")
        ->check(CLI::ExistingFile);
  };

  CLI::App* stats = inbox->add_subcommand("stats", "Deliveries per state");
  add_uri(stats);
  stats->add_option("--format", format, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));

  CLI::App* pull = inbox->add_subcommand(
      "pull",
      "Lease up to --max deliveries and print one JSON line each "
      "({\"delivery\",\"lease\",\"attempt\",\"stale\",\"received_at\",...,\"body\"}); "
      "exit 1 when none was ready within --wait");
  add_uri(pull);
  pull->add_option("--max", max, "Deliveries to lease")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  add_duration(*pull, "--lease", lease, "Lease duration (then another worker may get them)");
  add_duration(*pull, "--wait", wait, "How long to wait for a first delivery");

  CLI::App* ack = inbox->add_subcommand("ack", "Mark leased deliveries done");
  add_uri(ack);
  ack->add_option("leases", leases, "ID:TOKEN as printed by pull")->required();

  CLI::App* fail = inbox->add_subcommand(
      "fail", "Give a leased delivery back: retried after backoff, dead after max_attempts");
  add_uri(fail);
  fail->add_option("lease", fail_lease, "ID:TOKEN as printed by pull")->required();
  fail->add_option("--reason", reason, "Why (kept with the delivery)")->capture_default_str();

  CLI::App* dead = inbox->add_subcommand("dead", "List dead letters, one JSON line each");
  add_uri(dead);

  CLI::App* requeue = inbox->add_subcommand("requeue", "Make dead letters ready again");
  add_uri(requeue);
  requeue->add_option("ids", ids, "Delivery ids")->required();

  CLI::App* expire = inbox->add_subcommand(
      "expire",
      "Forget acked deliveries received longer than retain ago (the inbox also does "
      "this about once a minute while open)");
  add_uri(expire);

  CLI::App* w = inbox->add_subcommand(
      "work",
      "Run COMMAND once per delivery: body on stdin; MORPH_CONNECTOR_ID, MORPH_OWNER_ID, "
      "MORPH_IDEMPOTENCY_KEY, MORPH_DELIVERY_ID, MORPH_STALE, MORPH_ATTEMPT, MORPH_RECEIVED_AT "
      "in its environment; exit 0 acks, anything else fails (retried after backoff). The lease "
      "is renewed while it runs. SIGINT/SIGTERM: lease nothing more, let running commands "
      "finish (up to --drain-timeout, then they are stopped and failed), exit 0.");
  add_uri(w);
  w->add_option("--concurrency", work.concurrency, "Commands running at once")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1024u));
  add_duration(*w, "--lease", work_lease, "Lease duration, renewed every third of it");
  add_duration(*w, "--poll", poll, "Wait between looks when nothing is ready");
  add_duration(*w, "--drain-timeout", work_drain, "After SIGTERM: time left to running commands");
  w->add_flag("--until-empty", work.until_empty, "Stop once nothing is ready (scripts, demos)");
  w->add_option("command", work.command, "-- COMMAND [ARGS...]")->required();

  return [state, s, stats, pull, ack, fail, dead, requeue, expire]() {
    State& st = *state;
    if (s->parsed()) {
      st.serve.port = static_cast<unsigned short>(st.port);
      if (st.models != "all") {
        std::string item;
        for (const char c : st.models + ",") {
          if (c != ',') {
            item += c;
          } else if (!item.empty()) {
            st.serve.models.push_back(item);
            item.clear();
          }
        }
      }
      st.serve.idle_timeout = to_millis(st.idle);
      st.serve.header_timeout = to_millis(st.header);
      st.serve.body_timeout = to_millis(st.body);
      st.serve.drain_timeout = to_millis(st.drain);
      return run_serve(st.serve);
    }
    if (stats->parsed()) return inbox_stats(st.uri, st.format == "json");
    if (pull->parsed()) return inbox_pull(st.uri, st.max, to_micros(st.lease), to_micros(st.wait));
    if (ack->parsed()) return inbox_ack(st.uri, st.leases);
    if (fail->parsed()) return inbox_fail(st.uri, st.fail_lease, st.reason);
    if (dead->parsed()) return inbox_dead(st.uri);
    if (requeue->parsed()) return inbox_requeue(st.uri, st.ids);
    if (expire->parsed()) return inbox_expire(st.uri);
    st.work.inbox = st.uri;
    st.work.lease = to_micros(st.work_lease);
    st.work.poll = to_micros(st.poll);
    st.work.drain_timeout = to_micros(st.work_drain);
    return run_work(st.work);
  };
}

}  // namespace morph::webhook::cli
