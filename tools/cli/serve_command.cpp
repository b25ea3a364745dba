/// @file serve_command.cpp
/// @brief The options, defaults and help of `morph-webhook serve` (CLI11), bound into a
/// ServeConfig; its callback runs run_serve() (serve.cpp).
#include "cli/serve_command.hpp"

#include <memory>
#include <string>

#if defined(MORPH_WEBHOOK_CLI_FORWARD)
#include "cli/forward_command.hpp"
#endif
#include "cli/inbox_uri.hpp"
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

/// `all` → empty (every model); otherwise the comma-separated names.
void set_models(const std::string& text, std::vector<std::string>& models) {
  models.clear();
  if (text == "all") return;
  std::string item;
  for (const char c : text + ",") {
    if (c != ',') {
      item += c;
    } else if (!item.empty()) {
      models.push_back(item);
      item.clear();
    }
  }
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, int& exit_status) {
  const auto config = std::make_shared<ServeConfig>();
  CLI::App* serve = app.add_subcommand("serve", description);
  add_server_options(*serve, config->server);
  serve
      ->add_option("--inbox", config->inbox,
                   "Inbox URI: sqlite:PATH[?PARAMS] or redis://HOST:PORT[/DB][?name=NAME] (see "
                   "the README), or none (check and answer without storing: benchmarks only)")
      ->capture_default_str();
  serve
      ->add_option("--redis-password-file", redis_password_file(),
                   "File whose first line is the Redis password (instead of one in the URI)")
      ->check(CLI::ExistingFile);
  serve
      ->add_option_function<std::string>(
          "--models", [config](const std::string& text) { set_models(text, config->models); },
          "Models accepted: all, or a comma-separated list (others get 422); widgetCardView is "
          "always refused")
      ->default_str("all");
  serve->add_flag_function(
      "--strict",
      [config](std::int64_t count) {
        config->parse.policy = count > 0 ? Policy::strict : Policy::lenient;
      },
      "Strict policy (unknown keys are errors)");
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
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
  add_forward_to_serve(*serve, *config);
#endif
  serve->callback([config, &exit_status] { exit_status = run_serve(*config); });
  return serve;
}

}  // namespace morph::webhook::cli
