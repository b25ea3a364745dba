/// @file inbox_commands.hpp
/// @brief `morph-webhook inbox stats|pull|ack|fail|dead|requeue|expire`: the inbox from any
/// language and for operators. Exit status: 0 ok, 1 nothing to do or refused (e.g. an expired
/// lease), 2 usage or storage error.
#ifndef MORPH_WEBHOOK_CLI_INBOX_COMMANDS_HPP
#define MORPH_WEBHOOK_CLI_INBOX_COMMANDS_HPP

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "morph/webhook/inbox.hpp"

namespace morph::webhook::cli {

/// Exit statuses of the inbox subcommands.
inline constexpr int exit_ok = 0;
inline constexpr int exit_nothing = 1;  ///< nothing to do, or the operation was refused
inline constexpr int exit_error = 2;    ///< usage or storage error

/// `inbox stats`: counts per state, as text or one JSON object.
int inbox_stats(const std::string& uri, bool json);
/// `inbox pull`: leases up to `max` deliveries, waiting up to `wait` for the first, and prints
/// one JSON line each. Exit 1 when none was ready.
int inbox_pull(const std::string& uri, std::size_t max, InboxDuration lease, InboxDuration wait);
/// `inbox ack ID:TOKEN...`. Exit 1 when one was refused (the others are still acked).
int inbox_ack(const std::string& uri, const std::vector<std::string>& leases);
/// `inbox fail ID:TOKEN --reason TEXT`. Exit 1 when refused.
int inbox_fail(const std::string& uri, const std::string& lease, const std::string& reason);
/// `inbox dead`: the dead letters, one JSON line each.
int inbox_dead(const std::string& uri);
/// `inbox requeue ID...`: dead letters made ready again. Exit 1 when one was not dead.
int inbox_requeue(const std::string& uri, const std::vector<std::string>& ids);
/// `inbox expire`: forgets acked deliveries and ordering entries older than `retain`.
int inbox_expire(const std::string& uri);

/// `2026-11-29T21:33:22.123456Z`.
std::string format_time(TimePoint t);
/// The JSON line `inbox pull` prints for `d` (the body minified onto one line).
std::string delivery_json(const Delivery& d);
/// Prints `morph-webhook inbox <command>: <message>` on stderr.
void print_inbox_error(const char* command, const std::string& message);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_INBOX_COMMANDS_HPP
