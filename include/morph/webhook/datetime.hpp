/// @file datetime.hpp
/// @brief RFC 3339 date-time checking and conversion to a TimePoint.
#ifndef MORPH_WEBHOOK_DATETIME_HPP
#define MORPH_WEBHOOK_DATETIME_HPP

#include <cstdint>
#include <string_view>

#include "morph/webhook/types.hpp"

namespace morph::webhook {

/// Why a date-time was refused; DateTimeError::none on success.
enum class DateTimeError : std::uint8_t {
  none,             ///< Valid.
  bad_format,       ///< Not `YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm|-hh:mm)`.
  bad_month,        ///< Month outside 01..12.
  bad_day,          ///< Day outside the month (Feb 30, Apr 31, Feb 29 in a common year).
  bad_hour,         ///< Hour outside 00..23.
  bad_minute,       ///< Minute outside 00..59.
  bad_second,       ///< Second outside 00..59 (leap seconds are refused).
  bad_offset,       ///< A numeric offset outside -23:59..+23:59.
  offset_not_utc,   ///< A numeric offset where the strict policy wants `Z`.
  missing_zone,     ///< No `Z` or offset at the end.
};

/// A human description of a DateTimeError, e.g. `"the day does not exist in that month"`.
[[nodiscard]] constexpr std::string_view to_string(DateTimeError error) noexcept {
  switch (error) {
    case DateTimeError::none: return "valid";
    case DateTimeError::bad_format: return "it is not of the form YYYY-MM-DDThh:mm:ss[.fraction]Z";
    case DateTimeError::bad_month: return "the month is not between 01 and 12";
    case DateTimeError::bad_day: return "the day does not exist in that month";
    case DateTimeError::bad_hour: return "the hour is not between 00 and 23";
    case DateTimeError::bad_minute: return "the minute is not between 00 and 59";
    case DateTimeError::bad_second: return "the second is not between 00 and 59";
    case DateTimeError::bad_offset: return "the UTC offset is not between -23:59 and +23:59";
    case DateTimeError::offset_not_utc: return "the strict policy requires UTC with a final Z";
    case DateTimeError::missing_zone: return "the time zone (Z or +hh:mm) is missing";
  }
  return "invalid";
}

namespace detail {

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr bool is_leap_year(unsigned y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(unsigned y, unsigned m) noexcept {
  constexpr unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29u : days[m - 1];
}

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Reads `n` digits at `s[pos]`; false when any is not a digit.
constexpr bool read_digits(std::string_view s, std::size_t pos, std::size_t n,
                           unsigned& out) noexcept {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}

}  // namespace detail

/// Checks an RFC 3339 date-time and converts it to UTC.
///
/// Accepted: `YYYY-MM-DDThh:mm:ss`, an optional fraction of any number of digits, then `Z` or
/// (unless `utc_only`) a numeric offset `+hh:mm`/`-hh:mm`. Lowercase `t`/`z` are accepted
/// unless `utc_only` (the strict policy wants exactly `T` and `Z`, as zod does). Dates are
/// checked for real (month 13, Feb 30, hour 24 are refused; leap days are fine).
[[nodiscard]] constexpr DateTimeError parse_datetime(std::string_view s, bool utc_only,
                                                     TimePoint& out) noexcept {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
      !(s[10] == 'T' || (!utc_only && s[10] == 't'))) {
    return DateTimeError::bad_format;
  }
  // The 14 digits of YYYY-MM-DDThh:mm:ss, at fixed places; one branch for all of them.
  const auto digit = [&s](std::size_t i) {
    return static_cast<unsigned>(static_cast<unsigned char>(s[i])) - unsigned{'0'};
  };
  const unsigned y0 = digit(0), y1 = digit(1), y2 = digit(2), y3 = digit(3);
  const unsigned mo0 = digit(5), mo1 = digit(6), d0 = digit(8), d1 = digit(9);
  const unsigned h0 = digit(11), h1 = digit(12), mi0 = digit(14), mi1 = digit(15);
  const unsigned s0 = digit(17), s1 = digit(18);
  if ((y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (mo0 > 9) | (mo1 > 9) | (d0 > 9) | (d1 > 9) |
      (h0 > 9) | (h1 > 9) | (mi0 > 9) | (mi1 > 9) | (s0 > 9) | (s1 > 9)) {
    return DateTimeError::bad_format;
  }
  const unsigned year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const unsigned month = mo0 * 10 + mo1;
  const unsigned day = d0 * 10 + d1;
  const unsigned hour = h0 * 10 + h1;
  const unsigned minute = mi0 * 10 + mi1;
  const unsigned second = s0 * 10 + s1;
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (s.size() == 24 && s[19] == '.' && s[23] == 'Z') {
    // Fast path: the form Date.toISOString() writes, which is what Morph sends.
    const unsigned f0 = digit(20), f1 = digit(21), f2 = digit(22);
    if ((f0 > 9) | (f1 > 9) | (f2 > 9)) return DateTimeError::bad_format;
    micros = static_cast<std::int64_t>(f0 * 100 + f1 * 10 + f2) * 1000;
    pos = 23;
  } else if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t first = pos;
    int kept = 0;
    while (pos < s.size() && detail::is_digit(s[pos])) {
      if (kept < 6) {
        micros = micros * 10 + (s[pos] - '0');
        ++kept;
      }
      ++pos;
    }
    if (pos == first) return DateTimeError::bad_format;
    for (; kept < 6; ++kept) micros *= 10;
  }
  std::int64_t offset_minutes = 0;
  if (pos == s.size()) return DateTimeError::missing_zone;
  const char zone = s[pos];
  if (zone == 'Z' || (zone == 'z' && !utc_only)) {
    ++pos;
  } else if (zone == '+' || zone == '-') {
    unsigned oh = 0, om = 0;
    if (!detail::read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !detail::read_digits(s, pos + 4, 2, om)) {
      return DateTimeError::bad_format;
    }
    pos += 6;
    if (pos != s.size()) return DateTimeError::bad_format;
    if (oh > 23 || om > 59) return DateTimeError::bad_offset;
    if (utc_only) return DateTimeError::offset_not_utc;
    offset_minutes = static_cast<std::int64_t>(oh * 60 + om) * (zone == '-' ? -1 : 1);
  } else {
    return zone == 'z' ? DateTimeError::offset_not_utc : DateTimeError::bad_format;
  }
  if (pos != s.size()) return DateTimeError::bad_format;
  if (month < 1 || month > 12) return DateTimeError::bad_month;
  if (day < 1 || day > detail::days_in_month(year, month)) return DateTimeError::bad_day;
  if (hour > 23) return DateTimeError::bad_hour;
  if (minute > 59) return DateTimeError::bad_minute;
  if (second > 59) return DateTimeError::bad_second;

  const std::int64_t days = detail::days_from_civil(year, month, day);
  const std::int64_t secs = days * 86400 + static_cast<std::int64_t>(hour * 3600 + minute * 60 + second) -
                            offset_minutes * 60;
  out = TimePoint(std::chrono::microseconds(secs * 1000000 + micros));
  return DateTimeError::none;
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_DATETIME_HPP
