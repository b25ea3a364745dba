/// @file inbox_work_command.cpp
/// @brief The options, defaults and help of `morph-webhook inbox work` (CLI11), bound into a
/// WorkConfig; its callback runs run_work() (inbox_work.cpp).
#include <chrono>
#include <memory>

#include "cli/duration_option.hpp"
#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_work.hpp"

namespace morph::webhook::cli {

void add_inbox_work_command(CLI::App& inbox, int& exit_status) {
  const auto config = std::make_shared<WorkConfig>();
  CLI::App* work = inbox.add_subcommand(
      "work",
      "Run COMMAND once per delivery: body on stdin; MORPH_CONNECTOR_ID, MORPH_OWNER_ID, "
      "MORPH_IDEMPOTENCY_KEY, MORPH_DELIVERY_ID, MORPH_STALE, MORPH_ATTEMPT, MORPH_RECEIVED_AT "
      "in its environment; exit 0 acks, anything else fails (retried after backoff). The lease "
      "is renewed while it runs. SIGINT/SIGTERM: lease nothing more, let running commands "
      "finish (up to --drain-timeout, then they are stopped and failed), exit 0.");
  add_inbox_location(*work, config->inbox);
  work->add_option("--concurrency", config->concurrency, "Commands running at once")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1024u));
  add_duration_option(*work, "--lease", config->lease, "Lease duration, renewed every third of it",
                      std::chrono::seconds(1));
  add_duration_option(*work, "--poll", config->poll, "Wait between looks when nothing is ready");
  add_duration_option(*work, "--drain-timeout", config->drain_timeout,
                      "After SIGINT/SIGTERM: time left to running commands");
  work->add_flag("--until-empty", config->until_empty,
                 "Stop once nothing is ready (scripts, demos)");
  work->add_option("command", config->command, "-- COMMAND [ARGS...]")->required();
  work->callback([config, &exit_status] { exit_status = run_work(*config); });
}

}  // namespace morph::webhook::cli
