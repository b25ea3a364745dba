/// @file inbox_pull_command.cpp
/// @brief `morph-webhook inbox pull [--max N] [--lease D] [--wait D]`: lease deliveries and
/// print one JSON line each.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/duration_option.hpp"
#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox pull`.
struct PullOptions {
  std::string inbox{default_inbox_uri};            ///< --inbox
  std::size_t max = 10;                            ///< --max: deliveries to lease
  InboxDuration lease = std::chrono::seconds(30);  ///< --lease
  InboxDuration wait = std::chrono::seconds(5);    ///< --wait for a first delivery
};

int run_pull(const PullOptions& options) {
  auto inbox = open_or_report("pull", options.inbox);
  if (!inbox) return exit_error;
  const auto deadline = std::chrono::steady_clock::now() + options.wait;
  for (;;) {
    Result<std::vector<Delivery>> got = inbox->lease(options.max, options.lease);
    if (!got) return report("pull", "leasing", got.error());
    if (!got->empty()) {
      for (const Delivery& d : *got) print_line(delivery_json(d));
      return std::fflush(stdout) == 0 ? exit_ok : exit_error;
    }
    if (std::chrono::steady_clock::now() >= deadline) return exit_nothing;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

void add_inbox_pull_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<PullOptions>();
  CLI::App* pull = inbox.add_subcommand(
      "pull",
      "Lease up to --max deliveries and print one JSON line each "
      "({\"delivery\",\"lease\",\"attempt\",\"stale\",\"received_at\",...,\"body\"}); "
      "exit 1 when none was ready within --wait");
  add_inbox_location(*pull, options->inbox);
  pull->add_option("--max", options->max, "Deliveries to lease")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  add_duration_option(*pull, "--lease", options->lease,
                      "Lease duration (then another worker may get them)", std::chrono::seconds(1));
  add_duration_option(*pull, "--wait", options->wait, "How long to wait for a first delivery");
  pull->callback([options, &exit_status] { exit_status = run_pull(*options); });
}

}  // namespace morph::webhook::cli
