/// @file inbox_command.hpp
/// @brief `morph-webhook inbox ...`: the inbox from any language and for operators. Each
/// subcommand is one file (inbox_<name>_command.cpp) with its options struct and its callback.
/// Exit status: 0 ok, 1 nothing to do or refused (e.g. an expired lease), 2 usage or storage
/// error.
#ifndef MORPH_WEBHOOK_CLI_INBOX_COMMAND_HPP
#define MORPH_WEBHOOK_CLI_INBOX_COMMAND_HPP

#include <CLI/CLI.hpp>

namespace morph::webhook::cli {

/// Adds `inbox` and its subcommands to `app`. The selected subcommand's callback stores its
/// exit status in `exit_status` (which must outlive `app`).
CLI::App* add_inbox_command(CLI::App& app, int& exit_status);

/// `inbox stats`: deliveries per state (inbox_stats_command.cpp).
void add_inbox_stats_command(CLI::App& inbox, int& exit_status);
/// `inbox pull`: lease deliveries, one JSON line each (inbox_pull_command.cpp).
void add_inbox_pull_command(CLI::App& inbox, int& exit_status);
/// `inbox ack ID:TOKEN...` (inbox_ack_command.cpp).
void add_inbox_ack_command(CLI::App& inbox, int& exit_status);
/// `inbox fail ID:TOKEN [--reason TEXT]` (inbox_fail_command.cpp).
void add_inbox_fail_command(CLI::App& inbox, int& exit_status);
/// `inbox dead`: dead letters, one JSON line each (inbox_dead_command.cpp).
void add_inbox_dead_command(CLI::App& inbox, int& exit_status);
/// `inbox requeue ID...` (inbox_requeue_command.cpp).
void add_inbox_requeue_command(CLI::App& inbox, int& exit_status);
/// `inbox expire` (inbox_expire_command.cpp).
void add_inbox_expire_command(CLI::App& inbox, int& exit_status);
/// `inbox show ID` (inbox_show_command.cpp).
void add_inbox_show_command(CLI::App& inbox, int& exit_status);
/// `inbox list [filters]` (inbox_list_command.cpp).
void add_inbox_list_command(CLI::App& inbox, int& exit_status);
/// `inbox replay [filters] [--dry-run]` (inbox_replay_command.cpp).
void add_inbox_replay_command(CLI::App& inbox, int& exit_status);
/// `inbox purge --dead [--before T]` (inbox_purge_command.cpp).
void add_inbox_purge_command(CLI::App& inbox, int& exit_status);
/// `inbox copy --from URI --to URI` (inbox_copy_command.cpp).
void add_inbox_copy_command(CLI::App& inbox, int& exit_status);
/// `inbox work -- COMMAND [ARGS...]` (inbox_work_command.cpp; the worker is inbox_work.cpp).
void add_inbox_work_command(CLI::App& inbox, int& exit_status);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_INBOX_COMMAND_HPP
