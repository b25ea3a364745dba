/// @file beast.hpp
/// @brief Adapter for Boost.Beast: parse_request() for
/// `boost::beast::http::request<boost::beast::http::string_body>`, make_error_response() and
/// make_card_view_response().
///
/// Beast's `http::fields` can also be given to validate_headers() directly (its entries have
/// `name_string()` and `value()`). Lifetime: Request::headers points into the request's
/// fields, Request::event into this thread's Parser (or the Parser passed in).
///
/// Enforce the body limit while reading, before the body is in memory:
/// `parser.body_limit(options.max_body_bytes)` on the `http::request_parser`, and answer
/// `http::error::body_limit` with make_error_response() of a `body_too_large` Error (413).
#ifndef MORPH_WEBHOOK_ADAPTERS_BEAST_HPP
#define MORPH_WEBHOOK_ADAPTERS_BEAST_HPP

#include <string>
#include <string_view>
#include <utility>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "morph/webhook/card_view.hpp"
#include "morph/webhook/request.hpp"

namespace morph::webhook {

/// Checks the three Morph headers of a Beast request (see validate_headers()).
template <class Fields>
[[nodiscard]] Result<Headers> validate_headers(
    const boost::beast::http::request<boost::beast::http::string_body, Fields>& request,
    const HeaderOptions& options = {}) noexcept {
  return validate_headers(static_cast<const Fields&>(request), options);
}

/// Checks the headers, then parses the body, of a Beast request with this thread's Parser
/// (see parse_request()).
template <class Fields>
[[nodiscard]] Result<Request> parse_request(
    const boost::beast::http::request<boost::beast::http::string_body, Fields>& request,
    const ParseOptions& options = {}, const HeaderOptions& header_options = {}) noexcept {
  return parse_request(static_cast<const Fields&>(request), std::string_view(request.body()),
                       options, header_options);
}

/// Same, with a Parser you own and its options.
template <class Fields>
[[nodiscard]] Result<Request> parse_request(
    Parser& parser,
    const boost::beast::http::request<boost::beast::http::string_body, Fields>& request) noexcept {
  return parse_request(parser, static_cast<const Fields&>(request),
                       std::string_view(request.body()));
}

/// Same, with a Parser you own and explicit options.
template <class Fields>
[[nodiscard]] Result<Request> parse_request(
    Parser& parser,
    const boost::beast::http::request<boost::beast::http::string_body, Fields>& request,
    const ParseOptions& options, const HeaderOptions& header_options = {}) noexcept {
  return parse_request(parser, static_cast<const Fields&>(request),
                       std::string_view(request.body()), options, header_options);
}

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {
// A JSON response to `request`: same HTTP version and keep-alive, payload prepared.
template <class Body, class Fields>
boost::beast::http::response<boost::beast::http::string_body> make_json_response(
    const boost::beast::http::request<Body, Fields>& request, int status, std::string body) {
  namespace http = boost::beast::http;
  http::response<http::string_body> response{static_cast<http::status>(status), request.version()};
  response.set(http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}
}  // namespace detail
/// @endcond

/// The response for `error`: status http_status(error), body error_json(error) as
/// `application/json`, same HTTP version and keep-alive as `request`, payload prepared.
template <class Body, class Fields>
[[nodiscard]] boost::beast::http::response<boost::beast::http::string_body> make_error_response(
    const boost::beast::http::request<Body, Fields>& request, const Error& error) {
  return detail::make_json_response(request, http_status(error), error_json(error));
}

/// The answer to a widgetCardView event (see answer_card_view()): 200 and to_json(view) as
/// `application/json`, or, when `view` breaks Morph's schema, 500 and error_json(error); same
/// HTTP version and keep-alive as `request`, payload prepared. To log the error, call
/// answer_card_view() or to_json() yourself.
template <class Body, class Fields>
[[nodiscard]] boost::beast::http::response<boost::beast::http::string_body> make_card_view_response(
    const boost::beast::http::request<Body, Fields>& request, const CardView& view) {
  CardViewAnswer answer = answer_card_view(view);
  return detail::make_json_response(request, answer.status, std::move(answer.body));
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_ADAPTERS_BEAST_HPP
