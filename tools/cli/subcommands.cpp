/// @file subcommands.cpp
/// @brief Options, defaults and help of `serve` and `inbox ...` (CLI11), and the dispatch to
/// serve.cpp, inbox_commands.cpp and inbox_work.cpp.
#include "cli/subcommands.hpp"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/duration.hpp"
#include "cli/inbox_commands.hpp"
#include "cli/inbox_uri.hpp"
#include "cli/inbox_work.hpp"
#include "cli/serve.hpp"
#include "morph/webhook/version.hpp"

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

int run_subcommand(int argc, char** argv) {
  CLI::App app{"morph-webhook: receive Morph webhooks into a durable, deduplicating inbox, and "
               "work through it from any language.",
               "morph-webhook"};
  app.set_version_flag("--version", "morph-webhook " MORPH_WEBHOOK_VERSION_STRING);
  app.require_subcommand(1);

  // ---- serve --------------------------------------------------------------------------------
  ServeConfig serve;
  int port = serve.port;
  std::string models = "all";
  std::string idle = "30s";
  std::string header = "10s";
  std::string body = "30s";
  std::string drain = "10s";
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

  // ---- inbox --------------------------------------------------------------------------------
  std::string uri(default_inbox_uri);
  CLI::App* inbox = app.add_subcommand(
      "inbox", "Work through the inbox and operate it. Exit 0: ok; 1: nothing to do or refused "
               "(e.g. an expired lease); 2: usage or storage error.");
  inbox->require_subcommand(1);
  const auto add_uri = [&uri](CLI::App* sub) {
    sub->add_option("--inbox", uri, "Inbox URI: sqlite:PATH[?PARAMS] or redis://HOST:PORT[...]")
        ->capture_default_str();
    sub->add_option("--redis-password-file", redis_password_file(),
                    "File whose first line is the Redis password (instead of one in the URI)")
        ->check(CLI::ExistingFile);
  };

  std::string format = "text";
  CLI::App* stats = inbox->add_subcommand("stats", "Deliveries per state");
  add_uri(stats);
  stats->add_option("--format", format, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));

  std::size_t max = 10;
  std::string lease = "30s";
  std::string wait = "5s";
  CLI::App* pull = inbox->add_subcommand(
      "pull", "Lease up to --max deliveries and print one JSON line each "
              "({\"delivery\",\"lease\",\"attempt\",\"stale\",\"received_at\",...,\"body\"}); "
              "exit 1 when none was ready within --wait");
  add_uri(pull);
  pull->add_option("--max", max, "Deliveries to lease")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  add_duration(*pull, "--lease", lease, "Lease duration (then another worker may get them)");
  add_duration(*pull, "--wait", wait, "How long to wait for a first delivery");

  std::vector<std::string> leases;
  CLI::App* ack = inbox->add_subcommand("ack", "Mark leased deliveries done");
  add_uri(ack);
  ack->add_option("leases", leases, "ID:TOKEN as printed by pull")->required();

  std::string fail_lease;
  std::string reason = "failed";
  CLI::App* fail = inbox->add_subcommand(
      "fail", "Give a leased delivery back: retried after backoff, dead after max_attempts");
  add_uri(fail);
  fail->add_option("lease", fail_lease, "ID:TOKEN as printed by pull")->required();
  fail->add_option("--reason", reason, "Why (kept with the delivery)")->capture_default_str();

  CLI::App* dead = inbox->add_subcommand("dead", "List dead letters, one JSON line each");
  add_uri(dead);

  std::vector<std::string> ids;
  CLI::App* requeue = inbox->add_subcommand("requeue", "Make dead letters ready again");
  add_uri(requeue);
  requeue->add_option("ids", ids, "Delivery ids")->required();

  CLI::App* expire = inbox->add_subcommand(
      "expire", "Forget acked deliveries received longer than retain ago (the inbox also does "
                "this about once a minute while open)");
  add_uri(expire);

  WorkConfig work;
  std::string work_lease = "30s";
  std::string poll = "500ms";
  std::string work_drain = "30s";
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);  // the selected subcommand's help
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::puts(e.what());
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "morph-webhook: %s\nTry 'morph-webhook %s --help'.\n", e.what(),
                 argc > 1 ? argv[1] : "");
    return exit_error;
  }

  if (s->parsed()) {
    serve.port = static_cast<unsigned short>(port);
    if (models != "all") {
      std::string item;
      for (const char c : models + ",") {
        if (c != ',') {
          item += c;
        } else if (!item.empty()) {
          serve.models.push_back(item);
          item.clear();
        }
      }
    }
    serve.idle_timeout = to_millis(idle);
    serve.header_timeout = to_millis(header);
    serve.body_timeout = to_millis(body);
    serve.drain_timeout = to_millis(drain);
    return run_serve(serve);
  }
  if (stats->parsed()) return inbox_stats(uri, format == "json");
  if (pull->parsed()) return inbox_pull(uri, max, to_micros(lease), to_micros(wait));
  if (ack->parsed()) return inbox_ack(uri, leases);
  if (fail->parsed()) return inbox_fail(uri, fail_lease, reason);
  if (dead->parsed()) return inbox_dead(uri);
  if (requeue->parsed()) return inbox_requeue(uri, ids);
  if (expire->parsed()) return inbox_expire(uri);
  work.inbox = uri;
  work.lease = to_micros(work_lease);
  work.poll = to_micros(poll);
  work.drain_timeout = to_micros(work_drain);
  return run_work(work);
}

}  // namespace morph::webhook::cli
