// The cpp-httplib and Boost.Beast adapters on request objects built in memory (no network).
#include <string>
#include <string_view>

#include "catch.hpp"
#include "morph/webhook/adapters/httplib.hpp"

#if MORPH_WEBHOOK_TEST_BEAST
#include "morph/webhook/adapters/beast.hpp"
#endif

namespace mw = morph::webhook;

namespace {

constexpr std::string_view kBody =
    R"({"event":"crmEngagement::updated","data":{"object":"resource","model":"crmEngagement",)"
    R"("id":"29090716","fields":{"type":"call"},)"
    R"("createdAt":"2015-10-07T13:10:00.781Z","updatedAt":"2015-10-07T13:10:00.781Z"}})";

}  // namespace

TEST_CASE("httplib adapter", "[adapters]") {
  httplib::Request req;
  req.method = "POST";
  req.path = "/webhooks/morph";
  req.headers = {{"X-Connector-Id", "hubspot"},
                 {"X-Owner-Id", "o"},
                 {"X-Idempotency-Key", "8871-1700000000123"},
                 {"Content-Type", "application/json"}};
  req.body = std::string(kBody);

  SECTION("valid request, every overload") {
    const auto headers = mw::validate_headers(req);
    REQUIRE(headers.has_value());
    CHECK(headers->idempotency_key == "8871-1700000000123");
    // Views point into the request's header storage.
    CHECK(headers->connector_id.data() == req.headers.find("x-connector-id")->second.data());

    const auto request = mw::parse_request(req);
    REQUIRE(request.has_value());
    CHECK(request->headers.connector_id == "hubspot");
    CHECK(request->event.trigger == mw::Trigger::updated);

    mw::Parser parser;
    const auto owned = mw::parse_request(parser, req);
    REQUIRE(owned.has_value());
    CHECK(owned->event.id == "29090716");

    mw::ParseOptions strict;
    strict.policy = mw::Policy::strict;  // startedAt is required in strict
    const auto strict_result = mw::parse_request(parser, req, strict);
    REQUIRE_FALSE(strict_result.has_value());
    CHECK(strict_result.error().code == mw::ErrorCode::missing_field);
  }

  SECTION("a duplicated header and set_error_response()") {
    req.headers.emplace("x-owner-id", "other");
    const auto request = mw::parse_request(req);
    REQUIRE_FALSE(request.has_value());
    CHECK(request.error().code == mw::ErrorCode::duplicate_header);
    httplib::Response res;
    mw::set_error_response(res, request.error());
    CHECK(res.status == 400);
    CHECK(res.get_header_value("Content-Type") == "application/json");
    CHECK(res.body == mw::error_json(request.error()));
  }

  SECTION("header options reach the check") {
    mw::HeaderOptions options;
    options.max_value_bytes = 5;
    const auto request = mw::parse_request(req, mw::ParseOptions{}, options);
    REQUIRE_FALSE(request.has_value());
    CHECK(request.error().code == mw::ErrorCode::invalid_header);
    CHECK(request.error().header == "x-connector-id");
  }
}

#if MORPH_WEBHOOK_TEST_BEAST
TEST_CASE("Boost.Beast adapter", "[adapters]") {
  namespace http = boost::beast::http;
  http::request<http::string_body> req{http::verb::post, "/webhooks/morph", 11};
  req.set("X-Conector-Id", "hubspot");
  req.set("x-owner-id", " o ");
  req.set("X-IDEMPOTENCY-KEY", "call-123-created-1700000000000}");
  req.body() = std::string(kBody);
  req.prepare_payload();

  SECTION("valid request, every overload") {
    const auto headers = mw::validate_headers(req);
    REQUIRE(headers.has_value());
    CHECK(headers->owner_id == "o");
    CHECK(headers->idempotency_key == "call-123-created-1700000000000}");
    // http::fields is a header range too.
    CHECK(mw::validate_headers(req.base()).has_value());

    const auto request = mw::parse_request(req);
    REQUIRE(request.has_value());
    CHECK(request->event.id == "29090716");

    mw::Parser parser;
    CHECK(mw::parse_request(parser, req).has_value());
    mw::ParseOptions small;
    small.max_body_bytes = 8;
    const auto too_large = mw::parse_request(parser, req, small);
    REQUIRE_FALSE(too_large.has_value());
    CHECK(too_large.error().code == mw::ErrorCode::body_too_large);

    const auto res = mw::make_error_response(req, too_large.error());
    CHECK(res.result_int() == 413);
    CHECK(res[http::field::content_type] == "application/json");
    CHECK(res.body() == mw::error_json(too_large.error()));
    CHECK(res.keep_alive());
    CHECK(res[http::field::content_length] == std::to_string(res.body().size()));
  }

  SECTION("a header sent twice with two values") {
    req.insert("X-Owner-Id", "p");  // insert keeps both fields, set would replace
    const auto request = mw::parse_request(req);
    REQUIRE_FALSE(request.has_value());
    CHECK(request.error().code == mw::ErrorCode::duplicate_header);
    CHECK(request.error().header == "x-owner-id");
  }

  SECTION("missing header") {
    req.erase("x-idempotency-key");
    const auto request = mw::parse_request(req);
    REQUIRE_FALSE(request.has_value());
    CHECK(request.error().code == mw::ErrorCode::missing_header);
    CHECK(request.error().header == "x-idempotency-key");
    CHECK(mw::make_error_response(req, request.error()).result_int() == 400);
  }
}
#endif
