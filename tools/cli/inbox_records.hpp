/// @file inbox_records.hpp
/// @brief What `inbox show`, `inbox list`, `inbox replay` and `inbox purge` share: the filter
/// options (--state --model --resource --connector --owner --since --until --stale), the JSON
/// and text of a DeliveryRecord, and a JSON pretty-printer for bodies.
#ifndef MORPH_WEBHOOK_CLI_INBOX_RECORDS_HPP
#define MORPH_WEBHOOK_CLI_INBOX_RECORDS_HPP

#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "morph/webhook/inbox.hpp"

namespace morph::webhook::cli {

/// The filter options as typed; to_filter() checks and converts them.
struct FilterOptions {
  std::string state;      ///< --state
  std::string model;      ///< --model
  std::string resource;   ///< --resource CONNECTOR/OWNER/MODEL/ID
  std::string connector;  ///< --connector
  std::string owner;      ///< --owner
  std::string since;      ///< --since: RFC 3339 time, or a duration ago (`2h`)
  std::string until;      ///< --until: as --since
  bool stale = false;     ///< --stale
};

/// Adds the filter options to `command`.
void add_filter_options(CLI::App& command, FilterOptions& options);

/// The DeliveryFilter of `options` at `now`; an error message when one is malformed.
[[nodiscard]] std::optional<DeliveryFilter> to_filter(const FilterOptions& options, TimePoint now,
                                                      std::string& error);

/// A time option: RFC 3339 (`2026-12-08T01:00:00Z`) or a duration before `now` (`90m`).
[[nodiscard]] std::optional<TimePoint> parse_time_option(std::string_view text, TimePoint now);

/// One JSON object with every field of `r` (the body, pretty-printed as JSON, when `with_body`
/// and it is JSON; as a string otherwise).
[[nodiscard]] std::string record_json(const DeliveryRecord& r, bool with_body);

/// `text` (one JSON value) indented by two spaces per level; `text` unchanged when it is not
/// JSON.
[[nodiscard]] std::string pretty_json(std::string_view text);

/// Whether stdout is a terminal (the text table's default).
[[nodiscard]] bool stdout_is_terminal();

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_INBOX_RECORDS_HPP
