/// @file datetime.hpp
/// @brief RFC 3339 date-time checking and conversion to a TimePoint.
#ifndef MORPH_WEBHOOK_DATETIME_HPP
#define MORPH_WEBHOOK_DATETIME_HPP

#include <cstdint>
#include <cstring>
#include <string_view>

#include "morph/webhook/types.hpp"

namespace morph::webhook {

/// Why a date-time was refused; DateTimeError::none on success.
enum class DateTimeError : std::uint8_t {
  none,            ///< Valid.
  bad_format,      ///< Not `YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm|-hh:mm)`.
  bad_month,       ///< Month outside 01..12.
  bad_day,         ///< Day outside the month (Feb 30, Apr 31, Feb 29 in a common year).
  bad_hour,        ///< Hour outside 00..23.
  bad_minute,      ///< Minute outside 00..59.
  bad_second,      ///< Second outside 00..59 (leap seconds are refused).
  bad_offset,      ///< A numeric offset outside -23:59..+23:59.
  offset_not_utc,  ///< A numeric offset where the strict policy wants `Z`.
  missing_zone,    ///< No `Z` or offset at the end.
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
  const std::int64_t secs = days * 86400 +
                            static_cast<std::int64_t>(hour * 3600 + minute * 60 + second) -
                            offset_minutes * 60;
  out = TimePoint(std::chrono::microseconds(secs * 1000000 + micros));
  return DateTimeError::none;
}

namespace detail {

/// Fast path for exactly the form Date.toISOString() writes, `YYYY-MM-DDThh:mm:ss.fffZ`, which
/// is what Morph sends: the 24 bytes are checked as three 64-bit words. Returns false when the
/// text is not of that form or not a valid date-time; parse_datetime() then decides and says
/// why. (Little-endian targets; elsewhere always false.)
inline bool parse_iso_millis_utc(std::string_view s, TimePoint& out) noexcept {
#if (defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) || defined(_M_X64) || \
    defined(_M_ARM64) || defined(_M_IX86)
  if (s.size() != 24) return false;
  std::uint64_t w[3];
  std::memcpy(w, s.data(), sizeof w);
  // Separators: YYYY-MM- | DDThh:mm | :ss.fffZ
  constexpr auto at = [](int i, char c) {
    return std::uint64_t{static_cast<unsigned char>(c)} << (8 * i);
  };
  constexpr auto ff = [](int i) { return std::uint64_t{0xFF} << (8 * i); };
  constexpr std::uint64_t sep_mask[3] = {ff(4) | ff(7), ff(2) | ff(5), ff(0) | ff(3) | ff(7)};
  constexpr std::uint64_t sep[3] = {at(4, '-') | at(7, '-'), at(2, 'T') | at(5, ':'),
                                    at(0, ':') | at(3, '.') | at(7, 'Z')};
  constexpr std::uint64_t zeros = 0x3030303030303030;
  std::uint64_t d[3];
  bool ok = true;
  for (int i = 0; i < 3; ++i) {
    // Separators in place; every other byte a digit (separators count as '0' for that test).
    const std::uint64_t v = (w[i] & ~sep_mask[i]) | (zeros & sep_mask[i]);
    ok &= (w[i] & sep_mask[i]) == sep[i];
    ok &= ((v & 0xF0F0F0F0F0F0F0F0) | (((v + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) ==
          0x3333333333333333;
    d[i] = v - zeros;  // each byte its digit's value
  }
  if (!ok) return false;
  const auto digit = [&d](int i) {
    return static_cast<unsigned>((d[i / 8] >> (8 * (i % 8))) & 0xFF);
  };
  const unsigned year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const unsigned month = digit(5) * 10 + digit(6);
  const unsigned day = digit(8) * 10 + digit(9);
  const unsigned hour = digit(11) * 10 + digit(12);
  const unsigned minute = digit(14) * 10 + digit(15);
  const unsigned second = digit(17) * 10 + digit(18);
  const unsigned millis = digit(20) * 100 + digit(21) * 10 + digit(22);
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  const std::int64_t secs = days_from_civil(year, month, day) * 86400 +
                            static_cast<std::int64_t>(hour * 3600 + minute * 60 + second);
  out = TimePoint(std::chrono::microseconds(secs * 1000000 + std::int64_t{millis} * 1000));
  return true;
#else
  (void)s;
  (void)out;
  return false;
#endif
}

}  // namespace detail

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_DATETIME_HPP
