/// @file inbox_work.hpp
/// @brief `morph-webhook inbox work -- COMMAND [ARGS...]`: runs COMMAND once per delivery
/// (body on stdin, headers and ids in MORPH_* environment variables), acks on exit status 0,
/// fails otherwise, extends the lease while the command runs.
#ifndef MORPH_WEBHOOK_CLI_INBOX_WORK_HPP
#define MORPH_WEBHOOK_CLI_INBOX_WORK_HPP

#include <chrono>
#include <string>
#include <vector>

#include "cli/inbox_uri.hpp"
#include "morph/webhook/inbox.hpp"

namespace morph::webhook::cli {

/// What `inbox work` takes from the command line.
struct WorkConfig {
  std::string inbox{default_inbox_uri};            ///< --inbox URI
  unsigned concurrency = 1;                        ///< --concurrency N: commands running at once
  InboxDuration lease = std::chrono::seconds(30);  ///< --lease: renewed at a third of it
  InboxDuration poll = std::chrono::milliseconds(500);     ///< --poll: wait when nothing is ready
  InboxDuration drain_timeout = std::chrono::seconds(30);  ///< --drain-timeout after SIGTERM
  bool until_empty = false;          ///< --until-empty: stop when nothing is ready
  std::vector<std::string> command;  ///< COMMAND ARGS...
};

/// Runs the worker until SIGINT/SIGTERM (or, with until_empty, until nothing is ready).
/// After the signal it leases nothing more and lets running commands finish (acked or failed
/// as usual); a command still running after drain_timeout is sent SIGTERM and its delivery
/// failed with reason "worker stopped" (retried after backoff). Returns 0, or 2 when the inbox
/// cannot be opened or stops working.
int run_work(const WorkConfig& config);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_INBOX_WORK_HPP
