/// @file inbox_copy_command.cpp
/// @brief `morph-webhook inbox copy --from URI --to URI`: a quiescent inbox copied into an empty
/// one, typically of another backend (SQLite <-> Redis): the migration path and a backup.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/inbox_command.hpp"
#include "cli/inbox_common.hpp"
#include "cli/inbox_uri.hpp"

namespace morph::webhook::cli {
namespace {

/// The options of `inbox copy`.
struct CopyOptions {
  std::string from;  ///< --from URI
  std::string to;    ///< --to URI
};

int run_copy(const CopyOptions& options) {
  auto from = open_or_report("copy", options.from);
  if (!from) return exit_error;
  // The target is new by design: copy creates it (into an empty inbox only).
  auto to = open_or_report("copy", options.to, InboxCreation::create);
  if (!to) return exit_error;
  const Result<std::uint64_t> n = copy_inbox(*from, *to);
  if (!n) return report("copy", "copying", n.error());
  std::printf("copied %llu deliveries\n", static_cast<unsigned long long>(*n));
  return exit_ok;
}

}  // namespace

void add_inbox_copy_command(CLI::App& inbox, int& exit_status) {
  const auto options = std::make_shared<CopyOptions>();
  CLI::App* copy = inbox.add_subcommand(
      "copy",
      "Copy a stopped inbox (no serve or worker running on it) into an empty one, e.g. SQLite "
      "to Redis: ids, states, attempts, leases, dedupe keys and ordering guards kept");
  copy->add_option("--from", options->from, "Source inbox URI")->required();
  copy->add_option("--to", options->to, "Target inbox URI (must be empty)")->required();
  copy->add_option("--redis-password-file", redis_password_file(),
                   "File whose first line is the Redis password (for both URIs)");
  copy->callback([options, &exit_status] { exit_status = run_copy(*options); });
}

}  // namespace morph::webhook::cli
