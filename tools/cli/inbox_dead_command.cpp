/// @file inbox_dead_command.cpp
/// @brief `morph-webhook inbox dead`: the dead letters, one JSON line each.
#include <memory>
#include <string>
#include <vector>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"
#include "morph/webhook/json_writer.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox dead`.
struct DeadOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
};

int run_dead(const DeadOptions& options) {
  auto inbox = open_or_report("dead", options.inbox);
  if (!inbox) return exit_error;
  const Result<std::vector<DeadLetter>> dead = inbox->dead_letters(1000000);
  if (!dead) return report("dead", "reading the dead letters", dead.error());
  for (const DeadLetter& d : *dead) {
    std::string out =
        "{\"delivery\":" + std::to_string(d.id) + ",\"attempts\":" + std::to_string(d.attempts);
    out += d.stale ? ",\"stale\":true" : ",\"stale\":false";
    append_origin(out, d.received_at, d.connector_id, d.owner_id, d.idempotency_key);
    out += ",\"last_error\":";
    append_json_string(out, d.last_error);
    out += '}';
    print_line(out);
  }
  return exit_ok;
}

}  // namespace

void add_inbox_dead_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<DeadOptions>();
  CLI::App* dead = inbox.add_subcommand("dead", "List dead letters, one JSON line each");
  add_inbox_location(*dead, options->inbox);
  dead->callback([options, &exit_status] { exit_status = run_dead(*options); });
}

}  // namespace morph::webhook::cli
