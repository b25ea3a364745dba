/// @file inbox_purge_command.cpp
/// @brief `morph-webhook inbox purge --dead [--before T]`: delete dead letters on purpose.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_records.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox purge`.
struct PurgeOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
  bool dead = false;                     ///< --dead (required: what is purged, said aloud)
  std::string before;                    ///< --before T
};

int run_purge(const PurgeOptions& options) {
  if (!options.dead) {
    print_inbox_error("purge", "say what to purge: --dead (dead letters are all it deletes)");
    return exit_error;
  }
  std::optional<TimePoint> before;
  if (!options.before.empty()) {
    before = parse_time_option(options.before, system_now());
    if (!before) {
      print_inbox_error(
          "purge", "--before expects an RFC 3339 time or a duration, got '" + options.before + "'");
      return exit_error;
    }
  }
  auto inbox = open_or_report("purge", options.inbox);
  if (!inbox) return exit_error;
  const Result<std::uint64_t> n = inbox->purge_dead(before);
  if (!n) return report("purge", "purging", n.error());
  std::printf("purged %llu\n", static_cast<unsigned long long>(*n));
  return exit_ok;
}

}  // namespace

void add_inbox_purge_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<PurgeOptions>();
  CLI::App* purge = inbox.add_subcommand(
      "purge", "Delete dead letters (their keys are no longer duplicates); prints how many");
  add_inbox_location(*purge, options->inbox);
  purge->add_flag("--dead", options->dead, "Delete dead letters");
  purge->add_option("--before", options->before,
                    "Only those received before: RFC 3339 or a duration ago (168h)");
  purge->callback([options, &exit_status] { exit_status = run_purge(*options); });
}

}  // namespace morph::webhook::cli
