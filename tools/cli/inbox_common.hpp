/// @file inbox_common.hpp
/// @brief What the `morph-webhook inbox ...` subcommands share: exit statuses, opening the
/// inbox, ID:TOKEN arguments, the JSON of a delivery, times, error lines.
#ifndef MORPH_WEBHOOK_CLI_INBOX_COMMON_HPP
#define MORPH_WEBHOOK_CLI_INBOX_COMMON_HPP

#include <memory>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/inbox_uri.hpp"
#include "morph/webhook/inbox.hpp"

namespace morph::webhook::cli {

/// Exit statuses of the inbox subcommands.
inline constexpr int exit_ok = 0;
inline constexpr int exit_nothing = 1;  ///< nothing to do, or the operation was refused
inline constexpr int exit_error = 2;    ///< usage or storage error

/// Adds --inbox (bound to `uri`) and --redis-password-file to an inbox subcommand.
void add_inbox_location(CLI::App& command, std::string& uri);

/// Opens `uri` (a missing SQLite file is refused unless `creation` is `create`) or says why
/// not on stderr (nullptr then).
[[nodiscard]] std::unique_ptr<Inbox> open_or_report(
    const char* command, const std::string& uri,
    InboxCreation creation = InboxCreation::must_exist);

/// Says on stderr why `what` failed; returns the exit status: 2 for a storage error, 1 for a
/// refusal (lease lost, not found).
int report(const char* command, const std::string& what, const Error& error);

/// A delivery id; false when `text` is not one.
[[nodiscard]] bool parse_id(std::string_view text, DeliveryId& id);

/// `ID:TOKEN` split; false when malformed.
[[nodiscard]] bool parse_lease(const std::string& text, DeliveryId& id, std::string& token);

/// `,"received_at":...,"connector_id":...,"owner_id":...,"idempotency_key":...`: where a
/// delivery came from, in pull's and dead's JSON lines.
void append_origin(std::string& out, TimePoint received_at, std::string_view connector,
                   std::string_view owner, std::string_view key);

/// Prints `line` and a newline on stdout.
void print_line(const std::string& line);

/// `2026-11-29T21:33:22.123456Z`.
[[nodiscard]] std::string format_time(TimePoint t);
/// The JSON line `inbox pull` prints for `d` (the body minified onto one line).
[[nodiscard]] std::string delivery_json(const Delivery& d);
/// Prints `morph-webhook inbox <command>: <message>` on stderr.
void print_inbox_error(const char* command, const std::string& message);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_INBOX_COMMON_HPP
