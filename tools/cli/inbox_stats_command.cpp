/// @file inbox_stats_command.cpp
/// @brief `morph-webhook inbox stats [--format text|json]`: deliveries per state.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox stats`.
struct StatsOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
  std::string format = "text";           ///< --format text|json
};

int run_stats(const StatsOptions& options) {
  auto inbox = open_or_report("stats", options.inbox);
  if (!inbox) return exit_error;
  const Result<InboxStats> s = inbox->stats();
  if (!s) return report("stats", "reading the inbox", s.error());
  const double oldest =
      s->oldest_ready_age ? std::chrono::duration<double>(*s->oldest_ready_age).count() : 0.0;
  char line[512];
  if (options.format == "json") {
    std::snprintf(line, sizeof line,
                  "{\"ready\":%" PRIu64 ",\"leased\":%" PRIu64 ",\"delayed\":%" PRIu64
                  ",\"dead\":%" PRIu64 ",\"acked_retained\":%" PRIu64 ",\"stale\":%" PRIu64
                  ",\"oldest_ready_seconds\":%.3f}\n",
                  s->ready, s->leased, s->delayed, s->dead, s->acked_retained, s->stale, oldest);
  } else {
    std::snprintf(line, sizeof line,
                  "ready           %" PRIu64 "\nleased          %" PRIu64
                  "\ndelayed         %" PRIu64 "\ndead            %" PRIu64
                  "\nacked_retained  %" PRIu64 "\nstale           %" PRIu64
                  "\noldest ready    %.3f s\n",
                  s->ready, s->leased, s->delayed, s->dead, s->acked_retained, s->stale, oldest);
  }
  std::fputs(line, stdout);
  return exit_ok;
}

}  // namespace

void add_inbox_stats_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<StatsOptions>();
  CLI::App* stats = inbox.add_subcommand("stats", "Deliveries per state");
  add_inbox_location(*stats, options->inbox);
  stats->add_option("--format", options->format, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  stats->callback([options, &exit_status] { exit_status = run_stats(*options); });
}

}  // namespace morph::webhook::cli
