// ErrorCode names, Error formatting and Result<T> semantics.
#include <morph/webhook.hpp>

#include <string>
#include <utility>

#include "catch.hpp"

using namespace morph::webhook;

TEST_CASE("error codes have their documented names", "[error]") {
  const char* names[] = {
      "empty_body",       "body_too_large",      "invalid_json",   "duplicate_key",
      "missing_field",    "wrong_type",          "invalid_value",  "unknown_event",
      "model_mismatch",   "unsupported_model",   "missing_header", "invalid_header",
      "duplicate_header", "storage_unavailable", "lease_lost",     "not_found"};
  REQUIRE(std::size(all_error_codes) == std::size(names));
  for (std::size_t i = 0; i < std::size(names); ++i) {
    CHECK(to_string(all_error_codes[i]) == names[i]);
    // The last three are the inbox's.
    CHECK(is_inbox_error(all_error_codes[i]) == (i + 3 >= std::size(names)));
  }
}

TEST_CASE("the error table: one row per code, in declaration order", "[error]") {
  REQUIRE(std::size(error_code_table) == std::size(all_error_codes));
  for (std::size_t i = 0; i < std::size(error_code_table); ++i) {
    const ErrorCodeInfo& row = error_code_table[i];
    INFO(row.name);
    CHECK(static_cast<std::size_t>(row.code) == i);
    CHECK(all_error_codes[i] == row.code);
    CHECK(to_string(row.code) == row.name);
    CHECK_FALSE(row.meaning.empty());
    CHECK(is_inbox_error(row.code) == (row.family == ErrorFamily::inbox));
    CHECK(Error{row.code, "", "", ""}.is_header_error() == (row.family == ErrorFamily::header));
    for (std::size_t j = 0; j < i; ++j) CHECK(error_code_table[j].name != row.name);
  }
  const auto outside = static_cast<ErrorCode>(std::size(error_code_table));
  CHECK(to_string(outside) == "unknown");
  CHECK_FALSE(is_inbox_error(outside));
  STATIC_REQUIRE(error_code_info(ErrorCode::lease_lost).family == ErrorFamily::inbox);
}

TEST_CASE("enums have their wire names", "[types]") {
  CHECK(to_string(Trigger::created) == "created");
  CHECK(to_string(Trigger::deleted) == "deleted");
  CHECK(to_string(EngagementType::meeting) == "meeting");
  CHECK(to_string(EngagementType::unknown) == "unknown");
  CHECK(to_string(Direction::inbound) == "inbound");
  CHECK(to_string(EngagementStatus::in_progress) == "inProgress");
  CHECK(to_string(EngagementStatus::canceled) == "canceled");
  CHECK(to_string(Policy::strict) == "strict");
  CHECK(is_known_model("crmEngagement"));
  CHECK(is_known_model("accountingInvoiceItem"));
  CHECK_FALSE(is_known_model("crmQuote"));
  CHECK(std::size(known_models) == 17);
}

TEST_CASE("errors format for logs", "[error]") {
  const Error body{ErrorCode::wrong_type, "/data/id", "", "expected a string"};
  CHECK(to_string(body) == "wrong_type at \"/data/id\": expected a string");
  const Error header{ErrorCode::missing_header, "", "x-owner-id", "missing"};
  CHECK(header.is_header_error());
  CHECK(to_string(header) == "missing_header in header x-owner-id: missing");
}

TEST_CASE("Result holds a value or an error", "[error]") {
  Result<std::string> ok(std::string("value"));
  CHECK(ok.has_value());
  CHECK(static_cast<bool>(ok));
  CHECK(*ok == "value");
  CHECK(ok->size() == 5);
  CHECK(ok.value() == "value");

  Result<std::string> bad(Error{ErrorCode::invalid_json, "", "", "broken"});
  CHECK_FALSE(bad.has_value());
  CHECK(bad.error().code == ErrorCode::invalid_json);
  CHECK(bad.error().message == "broken");
#if MORPH_WEBHOOK_EXCEPTIONS
  CHECK_THROWS_AS(bad.value(), BadResultAccess);
#endif

  // Copies and moves keep the alternative.
  Result<std::string> copy = bad;
  CHECK(copy.error().message == "broken");
  copy = ok;
  CHECK(*copy == "value");
  Result<std::string> moved = std::move(copy);
  CHECK(*moved == "value");
  moved = bad;
  CHECK_FALSE(moved);
  CHECK(std::move(moved).error().code == ErrorCode::invalid_json);
}
