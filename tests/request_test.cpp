// parse_request(), http_status() and error_json().
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "catch.hpp"
#include "morph/webhook/request.hpp"
#include "test_support.hpp"

namespace mw = morph::webhook;
using morph::webhook::test::is_valid_json;

namespace {

// The example body of the contract (real output of Morph's HubSpot engagement mapper).
const std::string kBody = morph::webhook::test::contract_example();

using HeaderVec = std::vector<std::pair<std::string, std::string>>;

HeaderVec good_headers() {
  return {{"Content-Type", "application/json"},
          {"X-Conector-Id", "hubspot"},
          {"X-Owner-Id", "owner-1"},
          {"X-Idempotency-Key", "4567890123"}};
}

}  // namespace

TEST_CASE("parse_request: a valid request", "[request]") {
  const HeaderVec headers = good_headers();
  const auto result = mw::parse_request(headers, kBody);
  REQUIRE(result.has_value());
  CHECK(result->headers.connector_id == "hubspot");
  CHECK(result->headers.owner_id == "owner-1");
  CHECK(result->headers.idempotency_key == "4567890123");
  CHECK(result->event.event == "crmEngagement::created");
  CHECK(result->event.trigger == mw::Trigger::created);
  CHECK(result->event.id == "29090716");
  REQUIRE(result->event.fields.duration.has_value());
  CHECK(*result->event.fields.duration == 38);
}

TEST_CASE("parse_request: headers are checked before the body", "[request]") {
  struct Case {
    const char* name;
    HeaderVec headers;
    std::string_view body;
    mw::ErrorCode code;
    std::string header;   // for header errors
    std::string pointer;  // for body errors
  };
  HeaderVec missing_owner = good_headers();
  missing_owner.erase(missing_owner.begin() + 2);
  HeaderVec duplicate_key = good_headers();
  duplicate_key.emplace_back("x-idempotency-key", "other");
  const Case cases[] = {
      {"bad headers and bad body: the header error", missing_owner, "{",
       mw::ErrorCode::missing_header, "x-owner-id", ""},
      {"duplicate key header and valid body", duplicate_key, kBody, mw::ErrorCode::duplicate_header,
       "x-idempotency-key", ""},
      {"good headers, malformed body", good_headers(), R"({"event":)", mw::ErrorCode::invalid_json,
       "", ""},
      {"good headers, empty body", good_headers(), "", mw::ErrorCode::empty_body, "", ""},
      {"good headers, wrong event", good_headers(),
       R"({"event":"crmEngagement::merged","data":{}})", mw::ErrorCode::unknown_event, "",
       "/event"},
  };
  for (const Case& tc : cases) {
    SECTION(tc.name) {
      const auto result = mw::parse_request(tc.headers, tc.body);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().code == tc.code);
      CHECK(result.error().header == tc.header);
      if (!tc.pointer.empty()) CHECK(result.error().pointer == tc.pointer);
    }
  }
}

TEST_CASE("parse_request: options reach the parser and the header check", "[request]") {
  const HeaderVec headers = good_headers();
  mw::ParseOptions options;
  options.max_body_bytes = kBody.size() - 1;
  const auto too_large = mw::parse_request(headers, kBody, options);
  REQUIRE_FALSE(too_large.has_value());
  CHECK(too_large.error().code == mw::ErrorCode::body_too_large);
  CHECK(mw::http_status(too_large.error()) == 413);

  mw::HeaderOptions header_options;
  header_options.max_value_bytes = 4;
  const auto long_header = mw::parse_request(headers, kBody, mw::ParseOptions{}, header_options);
  REQUIRE_FALSE(long_header.has_value());
  CHECK(long_header.error().code == mw::ErrorCode::invalid_header);
  CHECK(long_header.error().header == "x-conector-id");
}

TEST_CASE("parse_request: with a Parser the caller owns", "[request]") {
  const std::map<std::string, std::string> headers{
      {"x-connector-id", "hubspot"}, {"x-owner-id", "o"}, {"x-idempotency-key", "k"}};
  mw::Parser parser;
  const auto result = mw::parse_request(parser, headers, kBody);
  REQUIRE(result.has_value());
  CHECK(result->headers.connector_id == "hubspot");
  CHECK(result->event.id == "29090716");

  mw::ParseOptions small;
  small.max_body_bytes = 10;
  const auto explicit_options = mw::parse_request(parser, headers, kBody, small);
  REQUIRE_FALSE(explicit_options.has_value());
  CHECK(explicit_options.error().code == mw::ErrorCode::body_too_large);

  parser.set_options(small);
  const auto parser_options = mw::parse_request(parser, headers, kBody);
  REQUIRE_FALSE(parser_options.has_value());
  CHECK(parser_options.error().code == mw::ErrorCode::body_too_large);
}

TEST_CASE("parse_request: inline header list", "[request]") {
  const auto result = mw::parse_request(
      {{"x-conector-id", "hubspot"}, {"x-owner-id", "o"}, {"x-idempotency-key", "k"}}, kBody);
  REQUIRE(result.has_value());
  CHECK(result->headers.idempotency_key == "k");
}

TEST_CASE("http_status: one status per error code", "[request]") {
  using mw::ErrorCode;
  const std::pair<ErrorCode, int> table[] = {
      {ErrorCode::empty_body, 400},       {ErrorCode::body_too_large, 413},
      {ErrorCode::invalid_json, 400},     {ErrorCode::duplicate_key, 400},
      {ErrorCode::missing_field, 400},    {ErrorCode::wrong_type, 400},
      {ErrorCode::invalid_value, 400},    {ErrorCode::unknown_event, 400},
      {ErrorCode::model_mismatch, 400},   {ErrorCode::unsupported_model, 422},
      {ErrorCode::missing_header, 400},   {ErrorCode::invalid_header, 400},
      {ErrorCode::duplicate_header, 400}, {ErrorCode::storage_unavailable, 503},
      {ErrorCode::lease_lost, 409},       {ErrorCode::not_found, 404},
  };
  // Every code is in the table.
  CHECK(std::size(table) == std::size(mw::all_error_codes));
  for (const auto& [code, status] : table) {
    INFO(mw::to_string(code));
    CHECK(mw::http_status(code) == status);
    mw::Error error;
    error.code = code;
    CHECK(mw::http_status(error) == status);
  }
  STATIC_REQUIRE(mw::http_status(ErrorCode::body_too_large) == 413);
}

TEST_CASE("error_json: the response body", "[request]") {
  SECTION("a body error has code, pointer and message") {
    mw::Error error;
    error.code = mw::ErrorCode::wrong_type;
    error.pointer = "/data/fields/duration";
    error.message = "expected an integer";
    CHECK(
        mw::error_json(error) ==
        R"({"error":{"code":"wrong_type","pointer":"/data/fields/duration","message":"expected an integer"}})");
  }
  SECTION("a header error also names the header") {
    const auto result = mw::validate_headers({{"x-conector-id", "a"}, {"x-owner-id", "o"}});
    REQUIRE_FALSE(result.has_value());
    CHECK(mw::error_json(result.error()) ==
          R"({"error":{"code":"missing_header","pointer":"","header":"x-idempotency-key",)"
          R"("message":"required header x-idempotency-key is missing"}})");
  }
  SECTION("quotes, control bytes and invalid UTF-8 are escaped") {
    mw::Error error;
    error.code = mw::ErrorCode::invalid_value;
    error.pointer = "/data/fields/a\"b~1c";
    error.message = std::string("bad \"\\\n\x01\xff", 9);
    const std::string json = mw::error_json(error);
    CHECK(json == R"({"error":{"code":"invalid_value","pointer":"/data/fields/a\"b~1c",)"
                  R"("message":"bad \"\\\n\u0001\ufffd"}})");
    CHECK(is_valid_json(json));
  }
  SECTION("append_error_json appends") {
    std::string out = "x";
    mw::Error error;
    error.code = mw::ErrorCode::empty_body;
    mw::append_error_json(out, error);
    CHECK(out == R"(x{"error":{"code":"empty_body","pointer":"","message":""}})");
  }
  SECTION("an answer about the HTTP exchange: code and message, no pointer") {
    CHECK(mw::error_json("method_not_allowed", "only POST") ==
          R"({"error":{"code":"method_not_allowed","message":"only POST"}})");
    std::string out = "x";
    mw::append_error_json(out, "not_found", "a \"path\"\n");
    CHECK(out == R"(x{"error":{"code":"not_found","message":"a \"path\"\n"}})");
  }
  SECTION("every error the parser produces renders as valid JSON") {
    const std::string_view bodies[] = {
        "",
        "{",
        "[]",
        R"({"event":1})",
        "{\"event\":\"\xff\"}",
        R"({"event":"crmEngagement::created","data":{"model":"x"}})"};
    for (std::string_view body : bodies) {
      const auto result = mw::parse_event(body);
      REQUIRE_FALSE(result.has_value());
      const std::string json = mw::error_json(result.error());
      INFO(json);
      CHECK(is_valid_json(json));
    }
  }
}
