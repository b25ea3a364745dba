/// @file string_rules.hpp
/// @brief zod's string rules: length in UTF-16 code units, the email rule, and the ISO form of
/// Date.toISOString() (internal).
///
/// Morph's schemas bound string lengths with zod's `.min()`/`.max()`, which count JavaScript
/// `String.length`: UTF-16 code units, so one emoji counts 2 and `€` counts 1. `.email()` is
/// zod 3.24's regular expression, checked here without a regex engine. Both are checked on the
/// decoded string (escapes resolved), which is what zod sees.
#ifndef MORPH_WEBHOOK_DETAIL_STRING_RULES_HPP
#define MORPH_WEBHOOK_DETAIL_STRING_RULES_HPP

#include <cstddef>
#include <string_view>

#include "morph/webhook/datetime.hpp"

namespace morph::webhook::detail {

/// Length of well-formed UTF-8 text in UTF-16 code units (JavaScript's `String.length`): one
/// per character, two for a character above U+FFFF (a 4-byte sequence).
[[nodiscard]] constexpr std::size_t utf16_length(std::string_view text) noexcept {
  std::size_t units = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    units += (byte & 0xC0u) != 0x80u;  // a character starts here (not a continuation byte)
    units += byte >= 0xF0u;            // ... and needs a surrogate pair
  }
  return units;
}

/// True for an ASCII letter or digit.
[[nodiscard]] constexpr bool is_ascii_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// True for an ASCII letter.
[[nodiscard]] constexpr bool is_ascii_letter(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// zod 3.24's `.email()`: the regular expression
/// `/^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}$/i`,
/// in one pass. ASCII only; a local part of letters, digits and `_ ' + - .` that neither
/// starts with `.` nor ends with `.` or `'`; no `..` anywhere; `@`; one or more labels, each a
/// letter or digit then letters, digits or `-`, followed by `.`; a last label of two or more
/// letters.
[[nodiscard]] constexpr bool is_zod_email(std::string_view text) noexcept {
  const std::size_t n = text.size();
  std::size_t i = 0;
  char previous = '.';  // so that a leading '.' counts as "..": rejected
  for (; i < n && text[i] != '@'; ++i) {
    const char c = text[i];
    const bool allowed = is_ascii_alnum(c) || c == '_' || c == '\'' || c == '+' || c == '-' ||
                         (c == '.' && previous != '.');
    if (!allowed) return false;
    previous = c;
  }
  if (i == 0 || i == n || previous == '.' || previous == '\'') return false;
  std::size_t label = 0;     // characters of the current domain label
  bool letters_only = true;  // ... all of them letters (the last label must be)
  bool dotted = false;       // at least one label ended with '.'
  for (++i; i < n; ++i) {
    const char c = text[i];
    if (c == '.') {
      if (label == 0) return false;  // "@.", "..": a label starts with a letter or digit
      label = 0;
      letters_only = true;
      dotted = true;
    } else if (is_ascii_alnum(c) || (c == '-' && label > 0)) {
      ++label;
      letters_only = letters_only && is_ascii_letter(c);
    } else {
      return false;
    }
  }
  return dotted && label >= 2 && letters_only;
}

/// True for exactly the text JavaScript's `Date.prototype.toISOString()` writes for a year from
/// 0000 to 9999: `YYYY-MM-DDTHH:MM:SS.sssZ` (24 characters, milliseconds, UTC) naming an instant
/// that exists (no February 30, no hour 24, no second 60).
[[nodiscard]] constexpr bool is_iso_instant(std::string_view text) noexcept {
  constexpr std::string_view shape = "0000-00-00T00:00:00.000Z";  // 0: a digit
  if (text.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool ok = shape[i] == '0' ? text[i] >= '0' && text[i] <= '9' : text[i] == shape[i];
    if (!ok) return false;
  }
  TimePoint instant{};
  return parse_datetime(text, true, instant) == DateTimeError::none;
}

}  // namespace morph::webhook::detail

#endif  // MORPH_WEBHOOK_DETAIL_STRING_RULES_HPP
