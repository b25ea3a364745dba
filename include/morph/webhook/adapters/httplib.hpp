/// @file httplib.hpp
/// @brief Adapter for cpp-httplib: parse_request(const httplib::Request&),
/// set_error_response() and set_card_view_response(). Include it after (or instead of)
/// `<httplib.h>`; link cpp-httplib.
///
/// ```cpp
/// svr.Post("/webhooks/morph", [](const httplib::Request& req, httplib::Response& res) {
///   auto request = morph::webhook::parse_request(req);
///   if (!request) return morph::webhook::set_error_response(res, request.error());
///   // request->headers.idempotency_key, request->event.id, ...
///   res.set_content("{\"ok\":true}", "application/json");
/// });
/// ```
/// Lifetime: Request::headers points into `req.headers`, Request::event into this thread's
/// Parser (or the Parser passed in).
#ifndef MORPH_WEBHOOK_ADAPTERS_HTTPLIB_HPP
#define MORPH_WEBHOOK_ADAPTERS_HTTPLIB_HPP

#include <httplib.h>

#include <optional>
#include <utility>

#include "morph/webhook/card_view.hpp"
#include "morph/webhook/request.hpp"

namespace morph::webhook {

/// Checks the three Morph headers of a cpp-httplib request (see validate_headers()).
[[nodiscard]] inline Result<Headers> validate_headers(const httplib::Request& request,
                                                      const HeaderOptions& options = {}) noexcept {
  return validate_headers(request.headers, options);
}

/// Checks the headers, then parses the body, of a cpp-httplib request with this thread's
/// Parser (see parse_request()).
[[nodiscard]] inline Result<Request> parse_request(
    const httplib::Request& request, const ParseOptions& options = {},
    const HeaderOptions& header_options = {}) noexcept {
  return parse_request(request.headers, request.body, options, header_options);
}

/// Same, with a Parser you own and its options.
[[nodiscard]] inline Result<Request> parse_request(Parser& parser,
                                                   const httplib::Request& request) noexcept {
  return parse_request(parser, request.headers, request.body);
}

/// Same, with a Parser you own and explicit options.
[[nodiscard]] inline Result<Request> parse_request(
    Parser& parser, const httplib::Request& request, const ParseOptions& options,
    const HeaderOptions& header_options = {}) noexcept {
  return parse_request(parser, request.headers, request.body, options, header_options);
}

/// Answers `error`: status http_status(error), body error_json(error) as `application/json`.
inline void set_error_response(httplib::Response& response, const Error& error) {
  response.status = http_status(error);
  response.set_content(error_json(error), "application/json");
}

/// Answers a widgetCardView event with `view` (see answer_card_view()): 200 and to_json(view)
/// as `application/json`, or, when `view` breaks Morph's schema, 500 and error_json(error).
/// Returns that error, to log; std::nullopt when the cards were sent.
inline std::optional<Error> set_card_view_response(httplib::Response& response,
                                                   const CardView& view) {
  CardViewAnswer answer = answer_card_view(view);
  response.status = answer.status;
  response.set_content(answer.body, "application/json");
  return std::move(answer.error);
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_ADAPTERS_HTTPLIB_HPP
