/// @file parser.hpp
/// @brief Parser, parse_event() and parse_envelope(): body text in, checked event out.
///
/// ## Lifetime rule
/// Every `std::string_view`, RefList and WarningList in a returned event points into the
/// Parser that produced it, and stays valid until the next parse on that same Parser (or its
/// destruction). parse_event() and parse_envelope() use one Parser per thread, so their results
/// stay valid until the next call on the same thread. Call to_owned() to keep an event longer.
#ifndef MORPH_WEBHOOK_PARSER_HPP
#define MORPH_WEBHOOK_PARSER_HPP

#include <simdjson.h>

#include "morph/webhook/error.hpp"
#include "morph/webhook/types.hpp"

namespace morph::webhook {

/// Parses and checks Morph webhook bodies. Owns every buffer; reuse one per thread.
///
/// After warm-up (once it has seen bodies as large, and with as many refs and warnings, as
/// the current one), a successful parse allocates nothing. Not thread-safe: one Parser per
/// thread. See the lifetime rule in parser.hpp.
class Parser {
 public:
  /// A parser with default options.
  Parser() = default;
  /// A parser with the given default options.
  explicit Parser(const ParseOptions& options) : options_(options) {}
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  /// Moves (invalidates events produced by `other`).
  Parser(Parser&&) noexcept = default;
  /// Moves (invalidates events produced by either parser).
  Parser& operator=(Parser&&) noexcept = default;

  /// The options used by the overloads that take none.
  [[nodiscard]] const ParseOptions& options() const noexcept { return options_; }
  /// Replaces the default options.
  void set_options(const ParseOptions& options) noexcept { options_ = options; }

  /// Parses a crmEngagement event. Copies `body` into a reused padded buffer.
  [[nodiscard]] Result<WebhookEvent> parse(std::string_view body) noexcept;
  /// Same, with explicit options.
  [[nodiscard]] Result<WebhookEvent> parse(std::string_view body,
                                           const ParseOptions& options) noexcept;
  /// Parses a crmEngagement event in place, copying nothing: `body` must have at least
  /// `simdjson::SIMDJSON_PADDING` readable bytes after its end. Views point into `body`,
  /// which must outlive the event.
  [[nodiscard]] Result<WebhookEvent> parse(simdjson::padded_string_view body) noexcept;
  /// Same, with explicit options.
  [[nodiscard]] Result<WebhookEvent> parse(simdjson::padded_string_view body,
                                           const ParseOptions& options) noexcept;

  /// Parses an event of any model (the 17 Morph models or a future one), keeping `fields` as
  /// validated raw JSON. Same checks, pointers and limits as parse().
  [[nodiscard]] Result<ResourceEvent> parse_envelope(std::string_view body) noexcept;
  /// Same, with explicit options.
  [[nodiscard]] Result<ResourceEvent> parse_envelope(std::string_view body,
                                                     const ParseOptions& options) noexcept;
  /// In place, copying nothing (see parse(simdjson::padded_string_view)).
  [[nodiscard]] Result<ResourceEvent> parse_envelope(simdjson::padded_string_view body,
                                                     const ParseOptions& options) noexcept;

 private:
  // Implementation in the second half of this file.
};

/// Parses a crmEngagement event with this thread's Parser. Results stay valid until the next
/// parse_event() or parse_envelope() call on the same thread.
[[nodiscard]] Result<WebhookEvent> parse_event(std::string_view body,
                                               const ParseOptions& options = {}) noexcept;

/// Parses an event of any model with this thread's Parser (same lifetime as parse_event()).
[[nodiscard]] Result<ResourceEvent> parse_envelope(std::string_view body,
                                                   const ParseOptions& options = {}) noexcept;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_PARSER_HPP
