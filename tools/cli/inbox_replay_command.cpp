/// @file inbox_replay_command.cpp
/// @brief `morph-webhook inbox replay [filters] [--dry-run]`: acked and dead deliveries ready
/// again, as an operator's decision.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_records.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox replay`.
struct ReplayOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
  FilterOptions filter;                  ///< --state --model ...
  bool dry_run = false;                  ///< --dry-run
  bool all = false;                      ///< --all: no filter on purpose
};

bool filters_nothing(const FilterOptions& f) {
  return f.state.empty() && f.model.empty() && f.resource.empty() && f.connector.empty() &&
         f.owner.empty() && f.since.empty() && f.until.empty() && !f.stale;
}

int run_replay(const ReplayOptions& options) {
  if (filters_nothing(options.filter) && !options.all) {
    print_inbox_error("replay",
                      "no filter given: name what to replay (--since, --model, --resource, "
                      "--state dead...) or pass --all");
    return exit_error;
  }
  std::string error;
  const std::optional<DeliveryFilter> filter = to_filter(options.filter, system_now(), error);
  if (!filter) {
    print_inbox_error("replay", error);
    return exit_error;
  }
  auto inbox = open_or_report("replay", options.inbox);
  if (!inbox) return exit_error;
  const Result<std::uint64_t> n = inbox->replay(*filter, options.dry_run);
  if (!n) return report("replay", "replaying", n.error());
  std::printf(options.dry_run ? "would replay %llu\n" : "replayed %llu\n",
              static_cast<unsigned long long>(*n));
  return exit_ok;
}

}  // namespace

void add_inbox_replay_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<ReplayOptions>();
  CLI::App* replay = inbox.add_subcommand(
      "replay",
      "Make the matching acked and dead deliveries ready again (attempts reset, marked as "
      "replays, never judged stale or superseded, behind their resource's current "
      "deliveries); prints how many");
  add_inbox_location(*replay, options->inbox);
  add_filter_options(*replay, options->filter);
  replay->add_flag("--dry-run", options->dry_run, "Only count what would be replayed");
  replay->add_flag("--all", options->all, "Replay every acked and dead delivery (no filter)");
  replay->callback([options, &exit_status] { exit_status = run_replay(*options); });
}

}  // namespace morph::webhook::cli
