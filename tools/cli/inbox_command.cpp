/// @file inbox_command.cpp
/// @brief `morph-webhook inbox`: the parent of the inbox subcommands (see inbox_command.hpp).
#include "cli/inbox_command.hpp"

namespace morph::webhook::cli {

CLI::App* add_inbox_command(CLI::App& app, int& exit_status) {
  CLI::App* inbox = app.add_subcommand(
      "inbox",
      "Work through the inbox and operate it. Exit 0: ok; 1: nothing to do or refused "
      "(e.g. an expired lease); 2: usage or storage error.");
  inbox->require_subcommand(1);
  add_inbox_stats_command(*inbox, exit_status);
  add_inbox_pull_command(*inbox, exit_status);
  add_inbox_ack_command(*inbox, exit_status);
  add_inbox_fail_command(*inbox, exit_status);
  add_inbox_dead_command(*inbox, exit_status);
  add_inbox_requeue_command(*inbox, exit_status);
  add_inbox_expire_command(*inbox, exit_status);
  add_inbox_work_command(*inbox, exit_status);
  add_inbox_show_command(*inbox, exit_status);
  add_inbox_list_command(*inbox, exit_status);
  add_inbox_replay_command(*inbox, exit_status);
  add_inbox_purge_command(*inbox, exit_status);
  add_inbox_copy_command(*inbox, exit_status);
  return inbox;
}

}  // namespace morph::webhook::cli
