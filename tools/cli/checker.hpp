/// @file checker.hpp
/// @brief One body in, one Outcome out: headers first (as a receiver does), then parse_any():
/// a typed event for every model the library types, the envelope-level parse for the others.
#ifndef MORPH_WEBHOOK_TOOLS_CLI_CHECKER_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_CHECKER_HPP

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "morph/webhook/any_event.hpp"
#include "morph/webhook/error.hpp"
#include "morph/webhook/headers.hpp"
#include "morph/webhook/parser.hpp"
#include "morph/webhook/types.hpp"

namespace morph::webhook::cli {

/// The checked request headers (from validate_headers()).
using CheckedHeaders = Headers;

/// What checking one body gave: an event (`Event<Model>` for a typed model, ResourceEvent,
/// checked at the envelope level, for the others) or an error.
using Outcome = Result<AnyEvent>;

/// Checks bodies with one reused Parser. Views in an Outcome stay valid until the next check().
class Checker {
 public:
  /// A checker with these parse options.
  explicit Checker(const ParseOptions& options) : options_(options), parser_(options) {}

  /// Applies checked headers (from validate_headers()) to every later body.
  void set_headers(const CheckedHeaders& headers) {
    headers_ = headers;
    header_error_.reset();
  }
  /// Makes every later body fail with this header error (what a receiver would answer).
  void set_header_error(Error error) {
    header_error_ = std::move(error);
    headers_.reset();
  }
  /// The headers applied to every body, if any were given and valid.
  [[nodiscard]] const std::optional<CheckedHeaders>& headers() const noexcept { return headers_; }

  /// The result for a body of `size` bytes that was not read because it is larger than
  /// ParseOptions::max_body_bytes (the same code and pointer the parser gives).
  [[nodiscard]] Outcome too_large(std::size_t size) const {
    if (header_error_) return *header_error_;
    return Error{ErrorCode::body_too_large, "", "",
                 "the body has " + std::to_string(size) + " bytes; the limit is " +
                     std::to_string(options_.max_body_bytes) + " (--max-body-bytes)"};
  }

  /// Checks one body, parsed in place (`body` must be padded).
  [[nodiscard]] Outcome check(simdjson::padded_string_view body) {
    if (header_error_) return *header_error_;  // headers are checked before the body
    return parse_any(parser_, body, options_);
  }

 private:
  ParseOptions options_;
  Parser parser_;
  std::optional<CheckedHeaders> headers_;
  std::optional<Error> header_error_;
};

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_CHECKER_HPP
