/// @file inbox_requeue_command.cpp
/// @brief `morph-webhook inbox requeue ID...`: make dead letters ready again.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox requeue`.
struct RequeueOptions {
  std::string inbox{default_inbox_uri};  ///< --inbox
  std::vector<std::string> ids;          ///< delivery ids
};

int run_requeue(const RequeueOptions& options) {
  std::vector<DeliveryId> parsed;
  for (const std::string& text : options.ids) {
    DeliveryId id = 0;
    if (!parse_id(text, id)) {
      print_inbox_error("requeue", "expected a delivery id, got '" + text + "'");
      return exit_error;
    }
    parsed.push_back(id);
  }
  auto inbox = open_or_report("requeue", options.inbox);
  if (!inbox) return exit_error;
  int status = exit_ok;
  for (const DeliveryId id : parsed) {
    const Result<Done> r = inbox->requeue(id);
    if (r) {
      std::printf("requeued %" PRId64 "\n", id);
    } else {
      const int s = report("requeue", "delivery " + std::to_string(id), r.error());
      if (s > status) status = s;
    }
  }
  return status;
}

}  // namespace

void add_inbox_requeue_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<RequeueOptions>();
  CLI::App* requeue = inbox.add_subcommand("requeue", "Make dead letters ready again");
  add_inbox_location(*requeue, options->inbox);
  requeue->add_option("ids", options->ids, "Delivery ids")->required();
  requeue->callback([options, &exit_status] { exit_status = run_requeue(*options); });
}

}  // namespace morph::webhook::cli
