/// @file serve_command.cpp
/// @brief The options, defaults and help of `morph-webhook serve` (CLI11), bound into a
/// ServeConfig; its callback runs run_serve() (serve.cpp).
#include "cli/serve_command.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/duration_option.hpp"
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
#include "cli/forward_command.hpp"
#endif
#include "cli/inbox_uri.hpp"
#include "cli/log.hpp"
#include "cli/serve.hpp"
#include "cli/server_options.hpp"

namespace morph::webhook::cli {
namespace {

constexpr const char* description =
    "Receive webhooks: check each request, append it to the inbox, answer 200 once it is "
    "durable. Prints 'listening on HOST:PORT' first, then one line per request. GET /healthz "
    "and GET /metrics (Prometheus) are served too. SIGINT/SIGTERM: stop accepting, answer the "
    "requests in flight (up to --drain-timeout), exit 0. Exit 1: cannot listen; 2: usage or "
    "inbox error.";

/// The comma-separated names of `text`.
std::vector<std::string> split_models(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (const char c : text + ",") {
    if (c != ',') {
      item += c;
    } else if (!item.empty()) {
      out.push_back(item);
      item.clear();
    }
  }
  return out;
}

/// Why `text` is not a --models value; empty when it is one.
std::string check_models(const std::string& text) {
  if (text == "all" || text == "known") return {};
  const std::vector<std::string> names = split_models(text);
  if (names.empty()) return "expected all, known or a comma-separated list of models";
  for (const std::string& name : names) {
    if (name == "widgetCardView") {
      return "widgetCardView cannot be served from a queue (it is answered with cards)";
    }
    if (!is_known_model(name)) {
      std::string known;
      for (const std::string_view m : known_models) {
        if (m != "widgetCardView") known += (known.empty() ? "" : ", ") + std::string(m);
      }
      return "unknown model '" + name + "' (known: " + known + ")";
    }
  }
  return {};
}

/// `all` → empty (every model, known or not); `known` → the 17 models but widgetCardView;
/// otherwise the names listed.
void set_models(const std::string& text, std::vector<std::string>& models) {
  models.clear();
  if (text == "all") return;
  if (text == "known") {
    for (const std::string_view m : known_models) {
      if (m != "widgetCardView") models.emplace_back(m);
    }
    return;
  }
  models = split_models(text);
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, int& exit_status) {
  const auto config = std::make_shared<ServeConfig>();
  CLI::App* serve = app.add_subcommand("serve", description);
  add_server_options(*serve, config->server);
  serve
      ->add_option("--inbox", config->inbox,
                   "Inbox URI: sqlite:PATH[?PARAMS], redis://HOST:PORT[/DB][?name=NAME] or "
                   "redis-sentinel://HOST:PORT[,...]/MASTER[?name=NAME&replicas=N] (see "
                   "the README), or none (check and answer without storing: benchmarks only)")
      ->capture_default_str();
  serve
      ->add_option("--redis-password-file", redis_password_file(),
                   "File whose first line is the Redis password (instead of one in the URI)")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--sentinel-password-file", sentinel_password_file(),
                   "File whose first line is the Redis Sentinels' own password "
                   "(redis-sentinel:// inboxes)")
      ->check(CLI::ExistingFile);
  serve
      ->add_option_function<std::string>(
          "--models", [config](const std::string& text) { set_models(text, config->models); },
          "Models accepted (others get 422): all (any model, even one Morph adds later), known "
          "(the models Morph documents) or a comma-separated list of them; widgetCardView is "
          "always refused")
      ->default_str("all")
      ->check(CLI::Validator([](std::string& text) { return check_models(text); }, ""));
  serve->add_flag_function(
      "--strict",
      [config](std::int64_t count) {
        config->parse.policy = count > 0 ? Policy::strict : Policy::lenient;
      },
      "Strict policy: crmEngagement bodies must match Morph's exact zod schema (default: "
      "lenient, which accepts what Morph really sends: dropped fields, new enum values); other "
      "models are checked at the envelope level either way");
  serve->add_option("--path", config->path, "Webhook path")->capture_default_str();
  serve
      ->add_option("--secret-file", config->secret_file,
                   "File whose first line is a secret (>= 16 URL-safe characters): the webhook "
                   "URL becomes PATH/SECRET, anything else gets 404")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--retry-after", config->retry_after,
                   "Retry-After seconds sent with 503 (the inbox cannot store)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 86400u));
  add_duration_option(*serve, "--storage-wait", config->storage_wait,
                      "A Redis inbox unreachable at start: how long to keep trying (answering 503 "
                      "meanwhile) before giving up with exit 2");
  add_log_options(*serve, config->log, true);
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
  add_forward_to_serve(*serve, *config);
#endif
  serve->callback([config, &exit_status] { exit_status = run_serve(*config); });
  return serve;
}

}  // namespace morph::webhook::cli
