// validate_headers(): a table of header sets with the expected verdict, plus container types.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "morph/webhook/headers.hpp"

namespace mw = morph::webhook;

namespace {

using HeaderVec = std::vector<std::pair<std::string, std::string>>;

struct HeaderCase {
  const char* name;
  HeaderVec headers;
  // Expected: no code means success with the three values below.
  std::optional<mw::ErrorCode> code;
  std::string header;  // expected Error::header, or the expected connector_id on success
  std::string owner;   // expected owner_id on success
  std::string key;     // expected idempotency_key on success
};

const std::string kLong1024(1024, 'k');
const std::string kLong1025(1025, 'k');

std::vector<HeaderCase> header_cases() {
  using mw::ErrorCode;
  const std::pair<std::string, std::string> c{"x-conector-id", "hubspot"};
  const std::pair<std::string, std::string> o{"x-owner-id", "owner-1"};
  const std::pair<std::string, std::string> k{"x-idempotency-key", "4567890123"};
  const std::optional<ErrorCode> ok;
  return {
      // Accepted.
      {"documented spelling", {c, o, k}, ok, "hubspot", "owner-1", "4567890123"},
      {"REST API spelling",
       {{"x-connector-id", "hubspot"}, o, k},
       ok,
       "hubspot",
       "owner-1",
       "4567890123"},
      {"mixed-case names",
       {{"X-Conector-Id", "hubspot"},
        {"X-OWNER-ID", "owner-1"},
        {"x-IdemPotency-KEY", "4567890123"}},
       ok,
       "hubspot",
       "owner-1",
       "4567890123"},
      {"mixed-case REST spelling",
       {{"X-Connector-ID", "pipedrive"}, o, k},
       ok,
       "pipedrive",
       "owner-1",
       "4567890123"},
      {"values trimmed",
       {{"x-conector-id", " \thubspot \t"},
        {"x-owner-id", "  owner-1"},
        {"x-idempotency-key", "4567890123\t"}},
       ok,
       "hubspot",
       "owner-1",
       "4567890123"},
      {"inner spaces kept",
       {c, {"x-owner-id", "owner 1"}, k},
       ok,
       "hubspot",
       "owner 1",
       "4567890123"},
      {"key with stray brace",
       {c, o, {"x-idempotency-key", "call-123-created-1700000000000}"}},
       ok,
       "hubspot",
       "owner-1",
       "call-123-created-1700000000000}"},
      {"other headers ignored",
       {{"host", "example.com"},
        {"content-type", "application/json"},
        {"x-owner-ids", "zzz"},
        {"x-owner-i", ""},
        {"x-idempotency", "\n"},
        {"x-conector-idx", "other"},
        c,
        o,
        k,
        {"user-agent", "axios/1.6"},
        {"", ""}},
       ok,
       "hubspot",
       "owner-1",
       "4567890123"},
      {"same value twice", {c, o, o, k, k}, ok, "hubspot", "owner-1", "4567890123"},
      {"same value twice, name case differs",
       {c, o, {"X-Owner-Id", "owner-1"}, k},
       ok,
       "hubspot",
       "owner-1",
       "4567890123"},
      {"same value twice after trimming",
       {c, o, {"x-owner-id", " owner-1 "}, k},
       ok,
       "hubspot",
       "owner-1",
       "4567890123"},
      {"both connector spellings, same value",
       {c, {"x-connector-id", "hubspot"}, o, k},
       ok,
       "hubspot",
       "owner-1",
       "4567890123"},
      {"UTF-8 and obs-text bytes allowed",
       {c, {"x-owner-id", "caf\xc3\xa9"}, {"x-idempotency-key", "\xff\x80"}},
       ok,
       "hubspot",
       "caf\xc3\xa9",
       "\xff\x80"},
      {"value at the length limit",
       {c, o, {"x-idempotency-key", kLong1024}},
       ok,
       "hubspot",
       "owner-1",
       kLong1024},
      {"printable ASCII edges",
       {c, o, {"x-idempotency-key", " !~ "}},
       ok,
       "hubspot",
       "owner-1",
       "!~"},

      // Missing.
      {"no headers at all", {}, ErrorCode::missing_header, "x-conector-id", "", ""},
      {"connector missing", {o, k}, ErrorCode::missing_header, "x-conector-id", "", ""},
      {"owner missing", {c, k}, ErrorCode::missing_header, "x-owner-id", "", ""},
      {"key missing", {c, o}, ErrorCode::missing_header, "x-idempotency-key", "", ""},
      {"near-miss names do not count",
       {{"x-connectorid", "a"}, {"x_owner_id", "b"}, k},
       ErrorCode::missing_header,
       "x-conector-id",
       "",
       ""},

      // Invalid values.
      {"empty value", {c, {"x-owner-id", ""}, k}, ErrorCode::invalid_header, "x-owner-id", "", ""},
      {"spaces only",
       {c, o, {"x-idempotency-key", " \t "}},
       ErrorCode::invalid_header,
       "x-idempotency-key",
       "",
       ""},
      {"LF inside",
       {c, {"x-owner-id", "own\ner"}, k},
       ErrorCode::invalid_header,
       "x-owner-id",
       "",
       ""},
      {"CR at the end",
       {c, {"x-owner-id", "owner\r"}, k},
       ErrorCode::invalid_header,
       "x-owner-id",
       "",
       ""},
      {"NUL inside",
       {c, {"x-owner-id", std::string("ow\0ner", 6)}, k},
       ErrorCode::invalid_header,
       "x-owner-id",
       "",
       ""},
      {"tab inside",
       {c, {"x-owner-id", "own\ter"}, k},
       ErrorCode::invalid_header,
       "x-owner-id",
       "",
       ""},
      {"0x1f inside",
       {c, o, {"x-idempotency-key", "a\x1f"}},
       ErrorCode::invalid_header,
       "x-idempotency-key",
       "",
       ""},
      {"DEL inside",
       {c,
        o,
        {"x-idempotency-key",
         "a\x7f"
         "b"}},
       ErrorCode::invalid_header,
       "x-idempotency-key",
       "",
       ""},
      {"over the length limit",
       {c, o, {"x-idempotency-key", kLong1025}},
       ErrorCode::invalid_header,
       "x-idempotency-key",
       "",
       ""},
      {"invalid connector, documented spelling",
       {{"x-conector-id", "\x01"}, o, k},
       ErrorCode::invalid_header,
       "x-conector-id",
       "",
       ""},
      {"invalid connector, REST spelling",
       {{"X-Connector-Id", ""}, o, k},
       ErrorCode::invalid_header,
       "x-connector-id",
       "",
       ""},
      {"one of two occurrences invalid",
       {c, o, {"x-owner-id", ""}, k},
       ErrorCode::invalid_header,
       "x-owner-id",
       "",
       ""},
      {"invalid wins over duplicate",
       {c, o, {"x-owner-id", "other"}, {"x-owner-id", "\n"}, k},
       ErrorCode::invalid_header,
       "x-owner-id",
       "",
       ""},

      // Duplicates with different values.
      {"owner twice, two values",
       {c, o, {"x-owner-id", "owner-2"}, k},
       ErrorCode::duplicate_header,
       "x-owner-id",
       "",
       ""},
      {"key twice, names differ in case",
       {c, o, k, {"X-Idempotency-Key", "4567890124"}},
       ErrorCode::duplicate_header,
       "x-idempotency-key",
       "",
       ""},
      {"values differ in case only",
       {c, o, {"x-owner-id", "OWNER-1"}, k},
       ErrorCode::duplicate_header,
       "x-owner-id",
       "",
       ""},
      {"both connector spellings, two values",
       {c, {"x-connector-id", "salesforce"}, o, k},
       ErrorCode::duplicate_header,
       "x-conector-id",
       "",
       ""},
      {"REST spelling twice, two values",
       {{"x-connector-id", "hubspot"}, {"X-CONNECTOR-ID", "salesforce"}, o, k},
       ErrorCode::duplicate_header,
       "x-connector-id",
       "",
       ""},
      {"third occurrence differs",
       {c, o, o, {"x-owner-id", "owner-9"}, k},
       ErrorCode::duplicate_header,
       "x-owner-id",
       "",
       ""},

      // Several problems: connector, then owner, then key.
      {"missing connector before duplicate key",
       {o, k, {"x-idempotency-key", "x"}},
       ErrorCode::missing_header,
       "x-conector-id",
       "",
       ""},
      {"invalid owner before missing key",
       {c, {"x-owner-id", ""}},
       ErrorCode::invalid_header,
       "x-owner-id",
       "",
       ""},
      {"duplicate connector before invalid owner",
       {c, {"x-conector-id", "other"}, {"x-owner-id", "\x7f"}, k},
       ErrorCode::duplicate_header,
       "x-conector-id",
       "",
       ""},
  };
}

void check_case(const HeaderCase& tc, const HeaderVec& headers) {
  const auto result = mw::validate_headers(headers);
  if (!tc.code) {
    INFO((result ? std::string("ok") : mw::to_string(result.error())));
    REQUIRE(result.has_value());
    CHECK(result->connector_id == tc.header);
    CHECK(result->owner_id == tc.owner);
    CHECK(result->idempotency_key == tc.key);
  } else {
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == *tc.code);
    CHECK(result.error().header == tc.header);
    CHECK(result.error().pointer.empty());
    CHECK(result.error().is_header_error());
    // The message names the header.
    CHECK(result.error().message.find(tc.header) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("validate_headers: table of header sets", "[headers]") {
  for (const HeaderCase& tc : header_cases()) {
    SECTION(tc.name) { check_case(tc, tc.headers); }
  }
}

TEST_CASE("validate_headers: the verdict does not depend on header order", "[headers]") {
  for (const HeaderCase& tc : header_cases()) {
    SECTION(tc.name) {
      HeaderVec reversed(tc.headers.rbegin(), tc.headers.rend());
      check_case(tc, reversed);
      HeaderVec rotated = tc.headers;
      if (!rotated.empty()) std::rotate(rotated.begin(), rotated.begin() + 1, rotated.end());
      check_case(tc, rotated);
    }
  }
}

TEST_CASE("validate_headers: views point into the caller's storage", "[headers]") {
  const HeaderVec headers{
      {"x-conector-id", " hubspot "}, {"x-owner-id", "o"}, {"x-idempotency-key", "k"}};
  const auto result = mw::validate_headers(headers);
  REQUIRE(result.has_value());
  CHECK(result->connector_id.data() == headers[0].second.data() + 1);
  CHECK(result->owner_id.data() == headers[1].second.data());
  CHECK(result->idempotency_key.data() == headers[2].second.data());
}

TEST_CASE("validate_headers: the length limit is an option", "[headers]") {
  const HeaderVec headers{
      {"x-conector-id", "hubspot"}, {"x-owner-id", "12345678"}, {"x-idempotency-key", "123456789"}};
  mw::HeaderOptions options;
  options.max_value_bytes = 9;
  CHECK(mw::validate_headers(headers, options).has_value());
  options.max_value_bytes = 8;
  const auto result = mw::validate_headers(headers, options);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == mw::ErrorCode::invalid_header);
  CHECK(result.error().header == "x-idempotency-key");
  CHECK(result.error().message == "header x-idempotency-key is 9 bytes long; the limit is 8 bytes");
  CHECK(mw::HeaderOptions{}.max_value_bytes == mw::default_max_header_value_bytes);
  CHECK(mw::default_max_header_value_bytes == 1024);
}

TEST_CASE("validate_headers: messages", "[headers]") {
  using mw::HeaderList;
  const auto missing = mw::validate_headers({{"x-owner-id", "o"}, {"x-idempotency-key", "k"}});
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message == "required header x-conector-id (or x-connector-id) is missing");
  const auto control = mw::validate_headers(
      {{"x-conector-id", "hub\nspot"}, {"x-owner-id", "o"}, {"x-idempotency-key", "k"}});
  REQUIRE_FALSE(control.has_value());
  CHECK(control.error().message ==
        "header x-conector-id holds the control byte 0x0a at offset 3; control characters "
        "(below 0x20, 0x7F) are not allowed");
  const auto empty = mw::validate_headers(
      {{"x-conector-id", "h"}, {"x-owner-id", " "}, {"x-idempotency-key", "k"}});
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().message == "header x-owner-id is empty; expected a non-empty value");
  const auto both = mw::validate_headers({{"x-conector-id", "a"},
                                          {"x-connector-id", "b"},
                                          {"x-owner-id", "o"},
                                          {"x-idempotency-key", "k"}});
  REQUIRE_FALSE(both.has_value());
  CHECK(both.error().message ==
        "headers x-conector-id and x-connector-id carry different values; send one");
}

namespace {

// An entry shaped like Boost.Beast's http::fields entries.
struct FieldLike {
  std::string name;
  std::string val;
  std::string_view name_string() const noexcept { return name; }
  std::string_view value() const noexcept { return val; }
};

// A case-insensitive comparator, as httplib::Headers uses.
struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const noexcept {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      const auto lx = (x >= 'A' && x <= 'Z') ? static_cast<char>(x + 32) : x;
      const auto ly = (y >= 'A' && y <= 'Z') ? static_cast<char>(y + 32) : y;
      return lx < ly;
    });
  }
};

template <class H>
void expect_valid(const H& headers) {
  const auto result = mw::validate_headers(headers);
  INFO((result ? std::string("ok") : mw::to_string(result.error())));
  REQUIRE(result.has_value());
  CHECK(result->connector_id == "hubspot");
  CHECK(result->owner_id == "owner-1");
  CHECK(result->idempotency_key == "key-1");
}

template <class H>
void expect_duplicate_owner(const H& headers) {
  const auto result = mw::validate_headers(headers);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == mw::ErrorCode::duplicate_header);
  CHECK(result.error().header == "x-owner-id");
}

}  // namespace

TEST_CASE("validate_headers: container types", "[headers]") {
  SECTION("std::map, keys differing in case") {
    expect_valid(std::map<std::string, std::string>{
        {"X-Conector-Id", "hubspot"}, {"x-owner-id", "owner-1"}, {"X-Idempotency-Key", "key-1"}});
    expect_duplicate_owner(std::map<std::string, std::string>{{"x-conector-id", "hubspot"},
                                                              {"x-owner-id", "a"},
                                                              {"X-Owner-Id", "b"},
                                                              {"x-idempotency-key", "k"}});
  }
  SECTION("std::multimap") {
    expect_valid(std::multimap<std::string, std::string>{{"x-conector-id", "hubspot"},
                                                         {"x-owner-id", "owner-1"},
                                                         {"x-owner-id", "owner-1"},
                                                         {"x-idempotency-key", "key-1"}});
    expect_duplicate_owner(std::multimap<std::string, std::string>{{"x-conector-id", "hubspot"},
                                                                   {"x-owner-id", "a"},
                                                                   {"x-owner-id", "b"},
                                                                   {"x-idempotency-key", "k"}});
  }
  SECTION("std::multimap with a case-insensitive comparator (like httplib::Headers)") {
    expect_valid(std::multimap<std::string, std::string, CaseInsensitiveLess>{
        {"X-CONECTOR-ID", "hubspot"}, {"x-owner-id", "owner-1"}, {"x-idempotency-key", "key-1"}});
    expect_duplicate_owner(
        std::multimap<std::string, std::string, CaseInsensitiveLess>{{"x-conector-id", "hubspot"},
                                                                     {"x-owner-id", "a"},
                                                                     {"X-OWNER-ID", "b"},
                                                                     {"x-idempotency-key", "k"}});
  }
  SECTION("std::unordered_multimap") {
    expect_valid(std::unordered_multimap<std::string, std::string>{
        {"x-conector-id", "hubspot"}, {"x-owner-id", "owner-1"}, {"x-idempotency-key", "key-1"}});
    expect_duplicate_owner(
        std::unordered_multimap<std::string, std::string>{{"x-conector-id", "hubspot"},
                                                          {"x-owner-id", "a"},
                                                          {"x-owner-id", "b"},
                                                          {"x-idempotency-key", "k"}});
  }
  SECTION("std::vector of string_view pairs") {
    expect_valid(std::vector<std::pair<std::string_view, std::string_view>>{
        {"x-conector-id", "hubspot"}, {"x-owner-id", "owner-1"}, {"x-idempotency-key", "key-1"}});
  }
  SECTION("C array of const char* pairs") {
    const std::pair<const char*, const char*> headers[] = {
        {"x-conector-id", "hubspot"}, {"x-owner-id", "owner-1"}, {"x-idempotency-key", "key-1"}};
    expect_valid(headers);
  }
  SECTION("entries with name_string() and value(), like Boost.Beast") {
    expect_valid(std::vector<FieldLike>{
        {"x-conector-id", "hubspot"}, {"x-owner-id", "owner-1"}, {"x-idempotency-key", "key-1"}});
    expect_duplicate_owner(std::vector<FieldLike>{{"x-conector-id", "hubspot"},
                                                  {"x-owner-id", "a"},
                                                  {"x-owner-id", "b"},
                                                  {"x-idempotency-key", "k"}});
  }
  SECTION("initializer list") {
    expect_valid(mw::HeaderList{
        {"x-conector-id", "hubspot"}, {"x-owner-id", "owner-1"}, {"x-idempotency-key", "key-1"}});
  }
}

TEST_CASE("validate_headers: what counts as a header range", "[headers]") {
  STATIC_REQUIRE(mw::detail::is_header_range_v<std::map<std::string, std::string>>);
  STATIC_REQUIRE(mw::detail::is_header_range_v<std::vector<FieldLike>>);
  STATIC_REQUIRE_FALSE(mw::detail::is_header_range_v<std::string>);
  STATIC_REQUIRE_FALSE(mw::detail::is_header_range_v<int>);
  STATIC_REQUIRE_FALSE(mw::detail::is_header_range_v<std::vector<std::pair<int, int>>>);
  STATIC_REQUIRE_FALSE(
      mw::detail::is_header_range_v<std::vector<std::pair<std::vector<int>, std::string>>>);
  STATIC_REQUIRE(mw::detail::is_header_range_v<std::vector<std::pair<const char*, std::string>>>);
}

TEST_CASE("validate_headers: every byte at every position of a value", "[headers]") {
  // The value check works eight bytes at a time; this covers every lane and the tail.
  for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 17u, 23u}) {
    for (std::size_t pos = 0; pos < length; ++pos) {
      for (int b = 0; b < 256; ++b) {
        const auto byte = static_cast<unsigned char>(b);
        std::string value(length, 'k');
        value[pos] = static_cast<char>(byte);
        const bool control = byte < 0x20 || byte == 0x7F;
        const bool trimmed = byte == ' ' || byte == '\t';
        const bool empty = trimmed && length == 1;
        const HeaderVec headers{
            {"x-conector-id", "c"}, {"x-owner-id", "o"}, {"x-idempotency-key", value}};
        const auto result = mw::validate_headers(headers);
        INFO("length " << length << ", position " << pos << ", byte " << b);
        // A tab at either end is trimmed; anywhere else it is a control byte.
        const bool at_edge = pos == 0 || pos + 1 == length;
        const bool expect_invalid = empty || (control && !(byte == '\t' && at_edge));
        REQUIRE(result.has_value() == !expect_invalid);
        if (expect_invalid) {
          REQUIRE(result.error().code == mw::ErrorCode::invalid_header);
        }
      }
    }
  }
}

TEST_CASE("validate_headers: every byte at every position of a name", "[headers]") {
  // Names are compared eight bytes at a time with a case mask; only the two cases of each
  // letter (and the exact byte elsewhere) may match.
  const std::string_view names[] = {"x-conector-id", "x-connector-id", "x-owner-id",
                                    "x-idempotency-key"};
  for (std::string_view name : names) {
    for (std::size_t pos = 0; pos < name.size(); ++pos) {
      for (int b = 0; b < 256; ++b) {
        const auto byte = static_cast<char>(b);
        std::string changed(name);
        changed[pos] = byte;
        const char lower = name[pos];
        const bool letter = lower >= 'a' && lower <= 'z';
        const bool same = byte == lower || (letter && byte == static_cast<char>(lower - 32));
        HeaderVec headers{{"x-conector-id", "c"}, {"x-owner-id", "o"}, {"x-idempotency-key", "k"}};
        headers.emplace_back(changed, "different");
        const auto result = mw::validate_headers(headers);
        INFO(name << " position " << pos << " byte " << b);
        // Recognised as the header: a second, different value is a duplicate.
        REQUIRE(result.has_value() == !same);
      }
    }
  }
}
