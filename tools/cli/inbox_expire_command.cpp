/// @file inbox_expire_command.cpp
/// @brief `morph-webhook inbox expire`: forget acked deliveries older than `retain`.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox expire`.
struct ExpireOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
};

int run_expire(const ExpireOptions& options) {
  auto inbox = open_or_report("expire", options.inbox);
  if (!inbox) return exit_error;
  const Result<std::uint64_t> removed = inbox->expire();
  if (!removed) return report("expire", "expiring", removed.error());
  std::printf("removed %" PRIu64 "\n", *removed);
  return exit_ok;
}

}  // namespace

void add_inbox_expire_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<ExpireOptions>();
  CLI::App* expire = inbox.add_subcommand(
      "expire",
      "Forget acked deliveries received longer than retain ago (the inbox also does this about "
      "once a minute while open)");
  add_inbox_location(*expire, options->inbox);
  expire->callback([options, &exit_status] { exit_status = run_expire(*options); });
}

}  // namespace morph::webhook::cli
