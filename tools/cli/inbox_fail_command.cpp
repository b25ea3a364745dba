/// @file inbox_fail_command.cpp
/// @brief `morph-webhook inbox fail ID:TOKEN [--reason TEXT]`: give a leased delivery back.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox fail`.
struct FailOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
  std::string lease;                     ///< ID:TOKEN
  std::string reason = "failed";         ///< --reason
};

int run_fail(const FailOptions& options) {
  DeliveryId id = 0;
  std::string token;
  if (!parse_lease(options.lease, id, token)) {
    print_inbox_error("fail",
                      "expected ID:TOKEN (as printed by pull), got '" + options.lease + "'");
    return exit_error;
  }
  auto inbox = open_or_report("fail", options.inbox);
  if (!inbox) return exit_error;
  const Result<Failed> r = inbox->fail(id, token, options.reason);
  if (!r) return report("fail", "delivery " + std::to_string(id), r.error());
  if (r->dead) {
    std::printf("dead %" PRId64 "\n", id);
  } else {
    std::printf("failed %" PRId64 ": retry at %s\n", id, format_time(r->retry_at).c_str());
  }
  return exit_ok;
}

}  // namespace

void add_inbox_fail_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<FailOptions>();
  CLI::App* fail = inbox.add_subcommand(
      "fail", "Give a leased delivery back: retried after backoff, dead after max_attempts");
  add_inbox_location(*fail, options->inbox);
  fail->add_option("lease", options->lease, "ID:TOKEN as printed by pull")->required();
  fail->add_option("--reason", options->reason, "Why (kept with the delivery)")
      ->capture_default_str();
  fail->callback([options, &exit_status] { exit_status = run_fail(*options); });
}

}  // namespace morph::webhook::cli
