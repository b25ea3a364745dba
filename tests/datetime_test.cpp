// RFC 3339 date-times: table of accepted and refused texts.
#include <morph/webhook.hpp>

#include "catch.hpp"

using namespace morph::webhook;

TEST_CASE("date-times are checked for real", "[datetime]") {
  struct Row {
    const char* text;
    DateTimeError lenient;
    DateTimeError strict;
    std::int64_t micros;  // since the epoch, when valid
  };
  using E = DateTimeError;
  const Row rows[] = {
      {"1970-01-01T00:00:00Z", E::none, E::none, 0},
      {"2025-03-06T09:05:04.606Z", E::none, E::none, 1741251904606000},
      {"2025-03-06T09:05:04Z", E::none, E::none, 1741251904000000},
      {"2025-03-06T09:05:04.6Z", E::none, E::none, 1741251904600000},
      {"2025-03-06T09:05:04.123456789Z", E::none, E::none, 1741251904123456},
      {"2024-02-29T12:00:00Z", E::none, E::none, 1709208000000000},
      {"2000-02-29T00:00:00Z", E::none, E::none, 951782400000000},
      {"1969-12-31T23:59:59.999Z", E::none, E::none, -1000},
      {"9999-12-31T23:59:59Z", E::none, E::none, 253402300799000000},
      {"0000-01-01T00:00:00Z", E::none, E::none, -62167219200000000},
      {"2025-03-06T11:05:04.606+02:00", E::none, E::offset_not_utc, 1741251904606000},
      {"2025-03-06T04:05:04.606-05:00", E::none, E::offset_not_utc, 1741251904606000},
      {"2025-03-06t09:05:04z", E::none, E::bad_format, 1741251904000000},
      {"1900-02-29T00:00:00Z", E::bad_day, E::bad_day, 0},
      {"2025-02-29T00:00:00Z", E::bad_day, E::bad_day, 0},
      {"2025-02-30T00:00:00Z", E::bad_day, E::bad_day, 0},
      {"2025-04-31T00:00:00Z", E::bad_day, E::bad_day, 0},
      {"2025-00-10T00:00:00Z", E::bad_month, E::bad_month, 0},
      {"2025-13-01T00:00:00Z", E::bad_month, E::bad_month, 0},
      {"2025-01-00T00:00:00Z", E::bad_day, E::bad_day, 0},
      {"2025-03-06T24:00:00Z", E::bad_hour, E::bad_hour, 0},
      {"2025-03-06T23:60:00Z", E::bad_minute, E::bad_minute, 0},
      {"2025-03-06T23:59:60Z", E::bad_second, E::bad_second, 0},
      {"2025-03-06T09:05:04", E::missing_zone, E::missing_zone, 0},
      {"2025-03-06T09:05:04.606", E::missing_zone, E::missing_zone, 0},
      {"2025-03-06T09:05:04.Z", E::bad_format, E::bad_format, 0},
      {"2025-03-06 09:05:04Z", E::bad_format, E::bad_format, 0},
      {"2025-03-06", E::bad_format, E::bad_format, 0},
      {"25-03-06T09:05:04Z", E::bad_format, E::bad_format, 0},
      {"2025-3-6T9:5:4Z", E::bad_format, E::bad_format, 0},
      {"2025-03-06T09:05:04ZZ", E::bad_format, E::bad_format, 0},
      {"2025-03-06T09:05:04+0200", E::bad_format, E::bad_format, 0},
      {"2025-03-06T09:05:04+24:00", E::bad_offset, E::bad_offset, 0},
      {"2025-03-06T09:05:04+02:60", E::bad_offset, E::bad_offset, 0},
      {"+2025-03-06T09:05:04Z", E::bad_format, E::bad_format, 0},
      {"", E::bad_format, E::bad_format, 0},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    TimePoint lenient{};
    TimePoint strict{};
    CHECK(parse_datetime(row.text, false, lenient) == row.lenient);
    CHECK(parse_datetime(row.text, true, strict) == row.strict);
    if (row.lenient == E::none) CHECK(lenient.time_since_epoch().count() == row.micros);
    CHECK_FALSE(to_string(row.lenient).empty());
  }
}

TEST_CASE("the toISOString() fast path agrees with the full check", "[datetime]") {
  // Every 24-byte variant of a few valid stamps with one byte changed: the fast path must
  // either decline or give what parse_datetime() gives, and it must accept the valid ones.
  const char* const stamps[] = {"2025-03-06T09:05:04.606Z", "2024-02-29T23:59:59.999Z",
                                "1969-12-31T23:59:59.999Z", "0000-01-01T00:00:00.000Z",
                                "9999-12-31T23:59:59.999Z", "2000-02-29T00:00:00.000Z"};
  const std::string alphabet = "0123456789-:.TZtz+ /\x7f\xff";
  std::size_t accepted = 0;
  for (const char* stamp : stamps) {
    TimePoint fast{};
    TimePoint full{};
    REQUIRE(detail::parse_iso_millis_utc(stamp, fast));
    REQUIRE(parse_datetime(stamp, true, full) == DateTimeError::none);
    CHECK(fast == full);
    for (std::size_t i = 0; i < 24; ++i) {
      for (const char c : alphabet) {
        std::string text = stamp;
        text[i] = c;
        INFO(text);
        const bool ok = detail::parse_iso_millis_utc(text, fast);
        const bool valid = parse_datetime(text, true, full) == DateTimeError::none;
        if (ok) {
          CHECK(valid);
          CHECK(fast == full);
          ++accepted;
        }
        // Valid texts of exactly this form must not fall to the slow path.
        if (valid && text[10] == 'T' && text[19] == '.' && text[23] == 'Z') CHECK(ok);
      }
    }
  }
  CHECK(accepted > 100);
  TimePoint t{};
  CHECK_FALSE(detail::parse_iso_millis_utc("2025-03-06T09:05:04Z", t));           // no fraction
  CHECK_FALSE(detail::parse_iso_millis_utc("2025-03-06T09:05:04.6060Z", t));      // 4 digits
  CHECK_FALSE(detail::parse_iso_millis_utc("2025-03-06T09:05:04.606+00:00", t));  // offset
}
