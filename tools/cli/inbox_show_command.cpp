/// @file inbox_show_command.cpp
/// @brief `morph-webhook inbox show ID [--format text|json]`: every field of one delivery, the
/// body pretty-printed.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_records.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox show`.
struct ShowOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
  std::string id;                        ///< the delivery id
  std::string format = "text";           ///< --format text|json
};

std::string yes_no(bool b) { return b ? "yes" : "no"; }

int run_show(const ShowOptions& options) {
  DeliveryId id = 0;
  if (!parse_id(options.id, id)) {
    print_inbox_error("show", "expected a delivery id, got '" + options.id + "'");
    return exit_error;
  }
  auto inbox = open_or_report("show", options.inbox);
  if (!inbox) return exit_error;
  const Result<DeliveryRecord> r = inbox->get(id);
  if (!r) return report("show", "delivery " + options.id, r.error());
  if (options.format == "json") {
    print_line(record_json(*r, true));
    return exit_ok;
  }
  std::string out;
  const auto line = [&](const char* name, const std::string& value) {
    out += name;
    out.append(18 - std::string(name).size(), ' ');
    out += value;
    out += '\n';
  };
  line("delivery", std::to_string(r->id));
  std::string state(to_string(r->state));
  if (r->waiting) state += " (waiting behind an earlier delivery of its resource)";
  if (r->blocked) state += " (blocks its resource)";
  line("state", state);
  line("attempts", std::to_string(r->attempts));
  if (r->due_at) {
    line(r->state == DeliveryState::leased ? "lease expires" : "retry at", format_time(*r->due_at));
  }
  line("stale", yes_no(r->stale) + (r->arrival_stale ? " (stale at arrival)" : ""));
  line("superseded", yes_no(r->superseded));
  line("replays", std::to_string(r->replays));
  line("received at", format_time(r->received_at));
  line("event",
       r->model.empty() ? std::string("-") : r->model + "::" + std::string(to_string(r->trigger)));
  line("resource id", r->resource_id.empty() ? std::string("-") : r->resource_id);
  line("updated at", format_time(r->updated_at));
  line("x-conector-id", r->connector_id);
  line("x-owner-id", r->owner_id);
  line("x-idempotency-key", r->idempotency_key);
  line("last error", r->last_error.empty() ? std::string("-") : r->last_error);
  out += "body\n";
  out += pretty_json(r->body);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
  return exit_ok;
}

}  // namespace

void add_inbox_show_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<ShowOptions>();
  CLI::App* show = inbox.add_subcommand(
      "show", "Every field of one delivery: state, attempts, times, headers, last error, body");
  add_inbox_location(*show, options->inbox);
  show->add_option("id", options->id, "Delivery id")->required();
  show->add_option("--format", options->format, "text (readable) or json (one object)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  show->callback([options, &exit_status] { exit_status = run_show(*options); });
}

}  // namespace morph::webhook::cli
