/// @file inbox_ack_command.cpp
/// @brief `morph-webhook inbox ack ID:TOKEN...`: mark leased deliveries done.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox ack`.
struct AckOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
  std::vector<std::string> leases;       ///< ID:TOKEN...
};

int run_ack(const AckOptions& options) {
  std::vector<std::pair<DeliveryId, std::string>> parsed;
  for (const std::string& text : options.leases) {
    DeliveryId id = 0;
    std::string token;
    if (!parse_lease(text, id, token)) {
      print_inbox_error("ack", "expected ID:TOKEN (as printed by pull), got '" + text + "'");
      return exit_error;
    }
    parsed.emplace_back(id, std::move(token));
  }
  auto inbox = open_or_report("ack", options.inbox);
  if (!inbox) return exit_error;
  int status = exit_ok;
  for (const auto& [id, token] : parsed) {
    const Result<Done> r = inbox->ack(id, token);
    if (r) {
      std::printf("acked %" PRId64 "\n", id);
    } else {
      const int s = report("ack", "delivery " + std::to_string(id), r.error());
      if (s > status) status = s;
    }
  }
  return status;
}

}  // namespace

void add_inbox_ack_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<AckOptions>();
  CLI::App* ack = inbox.add_subcommand("ack", "Mark leased deliveries done");
  add_inbox_location(*ack, options->inbox);
  ack->add_option("leases", options->leases, "ID:TOKEN as printed by pull")->required();
  ack->callback([options, &exit_status] { exit_status = run_ack(*options); });
}

}  // namespace morph::webhook::cli
