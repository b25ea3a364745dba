/// @file number.hpp
/// @brief JSON numbers read as JavaScript reads them: the nearest double (internal).
///
/// The contract's rule is zod's, and zod sees what JSON.parse made of the text: the double
/// nearest the number as written (ties to even), whatever its length. The parser reads every
/// number it meets from its raw bytes with parse_json_number() instead of simdjson's getters:
/// simdjson 3.0.1's On-Demand get_number() returns 0 for numbers with many significant digits
/// and a fraction (`1.000000000000000001`), and its getters disagree with
/// each other on exponents of many digits (`1e-99999999999999999999`). One reader gives one
/// verdict and one value everywhere, with any simdjson version.
#ifndef MORPH_WEBHOOK_NUMBER_HPP
#define MORPH_WEBHOOK_NUMBER_HPP

#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#if defined(__GNUC__) || defined(__clang__)
/// Keeps a rarely taken function out of line (its stack buffer costs the caller otherwise).
#define MORPH_WEBHOOK_NUMBER_OUT_OF_LINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define MORPH_WEBHOOK_NUMBER_OUT_OF_LINE __declspec(noinline)
#else
#define MORPH_WEBHOOK_NUMBER_OUT_OF_LINE
#endif

/// @cond MORPH_WEBHOOK_INTERNAL (the number reader: implementation, not API)
namespace morph::webhook::detail {

/// What parse_json_number() made of a text.
enum class NumberStatus : std::uint8_t {
  ok,            ///< a JSON number; the value is its nearest double
  malformed,     ///< not exactly one JSON number (RFC 8259 grammar, no whitespace)
  out_of_range,  ///< a JSON number whose nearest double is infinite (`1e400`)
};

/// Significant digits the slow path hands to strtod. Every halfway point between two
/// adjacent doubles has at most 767 significant digits, so a number cut after 780 digits,
/// with a nonzero digit appended for what was cut, rounds exactly as the whole number does.
inline constexpr std::size_t number_kept_digits = 780;

/// parse_json_number() for any number: the grammar, then Clinger's fast path or strtod. Kept
/// out of line: its buffer would cost every call of parse_json_number() its setup.
[[nodiscard]] MORPH_WEBHOOK_NUMBER_OUT_OF_LINE inline NumberStatus parse_json_number_general(
    std::string_view text, double& value) noexcept {
  const char* p = text.data();
  const char* const end = p + text.size();
  const auto is_digit = [end](const char* q) noexcept { return q < end && *q >= '0' && *q <= '9'; };

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  const bool negative = p < end && *p == '-';
  p += negative ? 1 : 0;
  if (!is_digit(p)) return NumberStatus::malformed;
  const char* const int_begin = p;
  if (*p == '0') {
    ++p;
  } else {
    while (is_digit(p)) ++p;
  }
  const std::size_t int_length = static_cast<std::size_t>(p - int_begin);
  const char* fraction = p;
  std::size_t fraction_length = 0;
  if (p < end && *p == '.') {
    fraction = ++p;
    if (!is_digit(p)) return NumberStatus::malformed;
    while (is_digit(p)) ++p;
    fraction_length = static_cast<std::size_t>(p - fraction);
  }
  // The exponent saturates far beyond any body size, so that digits and exponent still add up.
  constexpr std::int64_t exponent_cap = std::int64_t{1} << 56;
  std::int64_t exponent = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    const bool exponent_negative = p < end && *p == '-';
    if (p < end && (*p == '-' || *p == '+')) ++p;
    if (!is_digit(p)) return NumberStatus::malformed;
    while (is_digit(p)) {
      if (exponent < exponent_cap) exponent = exponent * 10 + (*p - '0');
      ++p;
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (p != end) return NumberStatus::malformed;

  // The digits as one string S (integer part, then fraction) read as S * 10^(exponent -
  // fraction_length); D is S without its leading and trailing zeros, n digits long.
  const std::size_t total = int_length + fraction_length;
  const auto digit_at = [&](std::size_t i) noexcept {
    return i < int_length ? int_begin[i] : fraction[i - int_length];
  };
  std::size_t first = 0;
  while (first < total && digit_at(first) == '0') ++first;
  std::size_t last = total;
  while (last > first && digit_at(last - 1) == '0') --last;
  const std::size_t n = last - first;
  const std::int64_t e10 = exponent - static_cast<std::int64_t>(fraction_length) +
                           static_cast<std::int64_t>(total - last);
  const double sign = negative ? -1.0 : 1.0;
  // D * 10^e10 lies in [10^(n-1+e10), 10^(n+e10)).
  const std::int64_t magnitude = static_cast<std::int64_t>(n) + e10;
  if (n == 0 || magnitude <= -324) {  // below 1e-324, under half the smallest subnormal
    value = sign * 0.0;
    return NumberStatus::ok;
  }
  if (magnitude > 309) return NumberStatus::out_of_range;  // at least 1e309

#if FLT_EVAL_METHOD == 0
  // Clinger's fast path: D and 10^|e10| are exact doubles, so one IEEE operation rounds once.
  static constexpr double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (n <= 15 && e10 >= -22 && e10 <= 22) {
    std::uint64_t d = 0;
    for (std::size_t i = first; i < last; ++i) {
      d = d * 10 + static_cast<std::uint64_t>(digit_at(i) - '0');
    }
    const double m = static_cast<double>(d);
    value = sign * (e10 >= 0 ? m * powers[e10] : m / powers[-e10]);
    return NumberStatus::ok;
  }
#endif

  // Otherwise strtod, correctly rounded, on "<digits>e<exponent>": no decimal point, so the
  // locale's does not matter. Long numbers are cut as number_kept_digits explains.
  char buffer[number_kept_digits + 1 + 24];
  std::size_t length = 0;
  const std::size_t kept = n > number_kept_digits ? number_kept_digits : n;
  for (std::size_t i = first; i < first + kept; ++i) buffer[length++] = digit_at(i);
  std::int64_t written_exponent = e10 + static_cast<std::int64_t>(n - kept);
  if (kept < n) {
    buffer[length++] = '1';  // the cut digits end in a nonzero digit (trailing zeros are gone)
    --written_exponent;
  }
  buffer[length++] = 'e';
  if (written_exponent < 0) buffer[length++] = '-';
  std::uint64_t e =
      static_cast<std::uint64_t>(written_exponent < 0 ? -written_exponent : written_exponent);
  char reversed[24];
  std::size_t count = 0;
  do {
    reversed[count++] = static_cast<char>('0' + e % 10);
    e /= 10;
  } while (e != 0);
  while (count > 0) buffer[length++] = reversed[--count];
  buffer[length] = '\0';
  const int saved_errno = errno;
  const double magnitude_value = std::strtod(buffer, nullptr);
  errno = saved_errno;
  if (std::isinf(magnitude_value)) return NumberStatus::out_of_range;
  value = sign * magnitude_value;
  return NumberStatus::ok;
}

/// Reads `text`, which must be exactly one JSON number, into the double nearest its value
/// (what JSON.parse gives; `-0` is -0.0, values below the smallest subnormal are ±0).
/// Allocates nothing, does not depend on the locale and leaves errno as it was.
[[nodiscard]] inline NumberStatus parse_json_number(std::string_view text, double& value) noexcept {
#if FLT_EVAL_METHOD == 0
  // The common form in one pass: -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most 15 digits. D and
  // 10^fraction are exact doubles, so one IEEE division rounds once (Clinger's fast path
  // below, without its bookkeeping). Anything else takes the general path.
  {
    const char* q = text.data();
    const char* const e = q + text.size();
    const bool minus = q < e && *q == '-';
    q += minus ? 1 : 0;
    const bool leading_zero = q + 1 < e && *q == '0' && q[1] >= '0' && q[1] <= '9';
    if (q < e && *q >= '0' && *q <= '9' && !leading_zero) {
      std::uint64_t d = 0;
      int digits = 0;
      int fraction_digits = 0;
      bool point = false;
      for (; q < e && digits <= 15; ++q) {
        if (*q >= '0' && *q <= '9') {
          d = d * 10 + static_cast<std::uint64_t>(*q - '0');
          ++digits;
          fraction_digits += point ? 1 : 0;
        } else if (*q == '.' && !point && q + 1 < e && q[1] >= '0' && q[1] <= '9') {
          point = true;
        } else {
          break;
        }
      }
      if (q == e && digits <= 15) {
        static constexpr double scale[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                           1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
        const double m = static_cast<double>(d) / scale[fraction_digits];
        value = minus ? -m : m;
        return NumberStatus::ok;
      }
    }
  }
#endif
  return parse_json_number_general(text, value);
}

/// zod's `int().nonnegative()` on a number, for a std::int64_t: true, with `result` set, iff
/// `value` is a whole number >= 0 below 2^63 (-0 is 0; NaN and infinities are not whole).
[[nodiscard]] inline bool whole_non_negative(double value, std::int64_t& result) noexcept {
  if (!(value >= 0.0) || !(value < 9223372036854775808.0)) return false;
  const auto whole = static_cast<std::int64_t>(value);
  if (static_cast<double>(whole) != value) return false;
  result = whole;
  return true;
}

/// The largest duration a double below 2^63 holds: 2^63 - 1024.
inline constexpr std::int64_t max_whole_double_below_2_63 = 9223372036854774784;

}  // namespace morph::webhook::detail
/// @endcond

#endif  // MORPH_WEBHOOK_NUMBER_HPP
