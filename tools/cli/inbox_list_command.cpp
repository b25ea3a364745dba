/// @file inbox_list_command.cpp
/// @brief `morph-webhook inbox list [filters] [--limit N] [--before ID] [--format text|json]`:
/// deliveries newest first, a table in a terminal, NDJSON otherwise.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_records.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox list`.
struct ListOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
  FilterOptions filter;                  ///< --state --model ...
  std::size_t limit = 50;                ///< --limit
  std::string before;                    ///< --before ID
  std::string format;                    ///< --format; default: text on a terminal, else json
};

std::string cell(std::string text, std::size_t width) {
  if (text.size() > width) text = text.substr(0, width - 1) + "~";
  text.append(width - text.size(), ' ');
  return text;
}

int run_list(const ListOptions& options) {
  std::string error;
  const std::optional<DeliveryFilter> filter = to_filter(options.filter, system_now(), error);
  if (!filter) {
    print_inbox_error("list", error);
    return exit_error;
  }
  std::optional<DeliveryId> before;
  if (!options.before.empty()) {
    DeliveryId id = 0;
    if (!parse_id(options.before, id)) {
      print_inbox_error("list", "--before expects a delivery id, got '" + options.before + "'");
      return exit_error;
    }
    before = id;
  }
  auto inbox = open_or_report("list", options.inbox);
  if (!inbox) return exit_error;
  const Result<DeliveryPage> page = inbox->list(*filter, options.limit, before);
  if (!page) return report("list", "listing", page.error());
  const bool json = options.format == "json" || (options.format.empty() && !stdout_is_terminal());
  if (json) {
    for (const DeliveryRecord& r : page->deliveries) print_line(record_json(r, false));
  } else {
    print_line(
        "ID        STATE    ATT  RECEIVED (UTC)        EVENT                          "
        "RESOURCE          CONNECTOR/OWNER       FLAGS  LAST ERROR");
    for (const DeliveryRecord& r : page->deliveries) {
      std::string flags;
      if (r.stale) flags += 's';
      if (r.superseded) flags += 'S';
      if (r.waiting) flags += 'w';
      if (r.blocked) flags += 'b';
      if (r.replays > 0) flags += 'r';
      const std::string event =
          r.model.empty() ? "-" : r.model + "::" + std::string(to_string(r.trigger));
      std::string line = cell(std::to_string(r.id), 10) + cell(std::string(to_string(r.state)), 9) +
                         cell(std::to_string(r.attempts), 5) +
                         cell(format_time(r.received_at).substr(0, 19), 22) + cell(event, 31) +
                         cell(r.resource_id.empty() ? "-" : r.resource_id, 18) +
                         cell(r.connector_id + "/" + r.owner_id, 22) +
                         cell(flags.empty() ? "-" : flags, 7) + r.last_error.substr(0, 60);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      print_line(line);
    }
  }
  if (page->next_before) {
    std::fprintf(stderr, "more: --before %lld\n", static_cast<long long>(*page->next_before));
  }
  return exit_ok;
}

}  // namespace

void add_inbox_list_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<ListOptions>();
  CLI::App* list = inbox.add_subcommand(
      "list",
      "Deliveries newest first, one line each (a table in a terminal, NDJSON with --format "
      "json); the next page's --before is printed on stderr. Flags: s stale, S superseded, w "
      "waiting behind its resource, b blocks its resource, r replayed");
  add_inbox_location(*list, options->inbox);
  add_filter_options(*list, options->filter);
  list->add_option("--limit", options->limit, "Deliveries per page")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  list->add_option("--before", options->before, "Only ids below this one (the next page)");
  list->add_option("--format", options->format,
                   "text (a table; the default in a terminal) or json (NDJSON; the default "
                   "otherwise)")
      ->check(CLI::IsMember({"text", "json"}));
  list->callback([options, &exit_status] { exit_status = run_list(*options); });
}

}  // namespace morph::webhook::cli
