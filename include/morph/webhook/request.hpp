/// @file request.hpp
/// @brief parse_request(): a whole webhook request (headers + body) in, a checked Request out;
/// http_status() and error_json() to answer it.
///
/// ## Answering Morph
/// Morph treats `200 OK` as "accepted" and anything else as a failed delivery. For a request
/// the library rejects, answer http_status(error) with error_json(error) as the body; the
/// status of every code is a column of the error table in error.hpp (400 for body and header
/// errors, 413 `body_too_large`, 422 `unsupported_model`, 503 `storage_unavailable` with a
/// `Retry-After` header).
///
/// ## Lifetime rule
/// Request::headers points into the caller's header storage; Request::event points into the
/// Parser that parsed the body (this thread's Parser for the overloads without one), see
/// parser.hpp.
#ifndef MORPH_WEBHOOK_REQUEST_HPP
#define MORPH_WEBHOOK_REQUEST_HPP

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "morph/webhook/error.hpp"
#include "morph/webhook/headers.hpp"
#include "morph/webhook/json_writer.hpp"
#include "morph/webhook/parser.hpp"
#include "morph/webhook/types.hpp"

namespace morph::webhook {

/// A checked webhook request: the three Morph headers and the crmEngagement event.
struct Request {
  Headers headers;     ///< Views into the caller's header storage.
  WebhookEvent event;  ///< Views into the Parser that parsed the body.
};

/// Checks the headers (see validate_headers()), then parses the body with `parser` and
/// `options`; the event points into `parser`. Headers are checked first: a request with bad
/// headers is rejected without looking at the body.
template <class H, std::enable_if_t<detail::is_header_range_v<H>, int> = 0>
[[nodiscard]] Result<Request> parse_request(Parser& parser, const H& headers, std::string_view body,
                                            const ParseOptions& options,
                                            const HeaderOptions& header_options = {}) noexcept {
  Result<Headers> checked = validate_headers(headers, header_options);
  if (!checked) return std::move(checked).error();
  Result<WebhookEvent> event = parser.parse(body, options);
  if (!event) return std::move(event).error();
  return Request{*checked, *event};
}

/// Same with this thread's Parser (see parse_event() for the lifetime of the event).
template <class H, std::enable_if_t<detail::is_header_range_v<H>, int> = 0>
[[nodiscard]] Result<Request> parse_request(const H& headers, std::string_view body,
                                            const ParseOptions& options = {},
                                            const HeaderOptions& header_options = {}) noexcept {
  return parse_request(detail::thread_parser(), headers, body, options, header_options);
}

/// Same, for headers written inline: `parse_request({{"x-owner-id", "42"}, ...}, body)`.
[[nodiscard]] inline Result<Request> parse_request(
    HeaderList headers, std::string_view body, const ParseOptions& options = {},
    const HeaderOptions& header_options = {}) noexcept {
  return parse_request(detail::thread_parser(), headers, body, options, header_options);
}

/// Same, with a Parser you own and its options (Parser::options()).
template <class H, std::enable_if_t<detail::is_header_range_v<H>, int> = 0>
[[nodiscard]] Result<Request> parse_request(Parser& parser, const H& headers,
                                            std::string_view body) noexcept {
  return parse_request(parser, headers, body, parser.options());
}

/// The HTTP status a receiver should answer for `code` (the error table in error.hpp): 413
/// for `body_too_large`, 422 for `unsupported_model`, 503 for `storage_unavailable` (answer it
/// with a `Retry-After` header: the sender should try again), 409 for `lease_lost`, 404 for
/// `not_found`, 400 for everything else.
[[nodiscard]] constexpr int http_status(ErrorCode code) noexcept {
  return error_code_info(code).http_status;
}

/// The HTTP status a receiver should answer for `error` (see http_status(ErrorCode)).
[[nodiscard]] inline int http_status(const Error& error) noexcept {
  return http_status(error.code);
}

namespace detail {

/// The one writer of an error object: `{"code":...,"pointer":...,"header":...,"message":...}`,
/// `pointer` and `header` only when given. Always valid JSON, whatever bytes the texts hold.
inline void append_error_members(std::string& out, std::string_view code,
                                 const std::string* pointer, const std::string* header,
                                 std::string_view message) {
  out += "{\"code\":";
  append_json_string(out, code);
  if (pointer != nullptr) {
    out += ",\"pointer\":";
    append_json_string(out, *pointer);
  }
  if (header != nullptr) {
    out += ",\"header\":";
    append_json_string(out, *header);
  }
  out += ",\"message\":";
  append_json_string(out, message);
  out += '}';
}

/// The one writer of an answer's body: `{"error":<append_error_members()>}`.
inline void append_error_answer(std::string& out, std::string_view code, const std::string* pointer,
                                const std::string* header, std::string_view message) {
  out += "{\"error\":";
  append_error_members(out, code, pointer, header, message);
  out += '}';
}

}  // namespace detail

/// Appends `error` as a JSON object to `out`:
/// `{"code":"...","pointer":"...","message":"..."}`, with `"header":"..."` after `"pointer"`
/// for header errors (whose pointer is always `""`). Always valid JSON.
inline void append_error_object(std::string& out, const Error& error) {
  detail::append_error_members(out, to_string(error.code), &error.pointer,
                               error.is_header_error() ? &error.header : nullptr, error.message);
}

/// Appends the JSON response body for `error` to `out`: `{"error":<append_error_object()>}`.
inline void append_error_json(std::string& out, const Error& error) {
  detail::append_error_answer(out, to_string(error.code), &error.pointer,
                              error.is_header_error() ? &error.header : nullptr, error.message);
}

/// Appends the JSON body of an answer about the HTTP exchange rather than a webhook (404 for an
/// unknown path, 405, an unreadable request), in the shape of error_json() without a pointer:
/// `{"error":{"code":CODE,"message":MESSAGE}}`. `code` is the receiver's own word (such as
/// `"not_found"` or `"method_not_allowed"`), not necessarily an ErrorCode.
inline void append_error_json(std::string& out, std::string_view code, std::string_view message) {
  detail::append_error_answer(out, code, nullptr, nullptr, message);
}

/// The JSON response body for `error` (see append_error_json()).
[[nodiscard]] inline std::string error_json(const Error& error) {
  std::string out;
  append_error_json(out, error);
  return out;
}

/// The JSON body of an answer about the HTTP exchange (see append_error_json(std::string&,
/// std::string_view, std::string_view)).
[[nodiscard]] inline std::string error_json(std::string_view code, std::string_view message) {
  std::string out;
  append_error_json(out, code, message);
  return out;
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_REQUEST_HPP
