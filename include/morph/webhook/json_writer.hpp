/// @file json_writer.hpp
/// @brief Writing JSON text: string escaping that yields valid JSON for any input bytes, and
/// compacting raw JSON (whitespace between tokens removed, values unchanged).
///
/// Shared by error responses, the CLI's `--format json` and to_json().
#ifndef MORPH_WEBHOOK_JSON_WRITER_HPP
#define MORPH_WEBHOOK_JSON_WRITER_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace morph::webhook {

namespace detail {

/// Length of the well-formed UTF-8 sequence starting at `s[i]` (a non-ASCII lead byte),
/// or 0 when the bytes there are not well-formed UTF-8 (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  const std::size_t left = s.size() - i;
  const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    return (left >= 2 && cont(i + 1)) ? 2 : 0;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace detail

/// Appends `text` to `out` as a quoted JSON string.
///
/// `"` and `\` are escaped, control bytes become `\n`, `\t`, ... or `\u00XX`, U+2028/U+2029 are
/// escaped (safe in JavaScript too), and every byte that is not part of well-formed UTF-8 is
/// replaced by U+FFFD, so the output is valid JSON whatever bytes `text` holds.
inline void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run that needs no escaping in one go: ASCII other than controls, quote
    // and backslash, and well-formed UTF-8 sequences other than U+2028/U+2029.
    std::size_t run = i;
    while (run < text.size()) {
      const auto c = static_cast<unsigned char>(text[run]);
      if (c < 0x80) {
        if (c < 0x20 || c == '"' || c == '\\') break;
        ++run;
        continue;
      }
      const std::size_t n = detail::utf8_sequence_length(text, run);
      if (n == 0 || (n == 3 && c == 0xE2 && static_cast<unsigned char>(text[run + 1]) == 0x80 &&
                     (static_cast<unsigned char>(text[run + 2]) & 0xFE) == 0xA8)) {
        break;
      }
      run += n;
    }
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = detail::utf8_sequence_length(text, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else if (n == 3 && c == 0xE2 && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                 (static_cast<unsigned char>(text[i + 2]) == 0xA8 ||
                  static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
        out += static_cast<unsigned char>(text[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
        i += 3;
      } else {
        out.append(text.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 0xF];
        break;
    }
    ++i;
  }
  out += '"';
}

/// Appends the JSON text `json` without the whitespace between its tokens: strings (escapes
/// included) and numbers are copied byte for byte, so the value is unchanged and only its
/// layout differs. For JSON the parser has validated (raw parts of an event); other text is
/// copied the same way, whatever it holds. Text already compact comes out identical.
inline void append_compact_json(std::string& out, std::string_view json) {
  out.reserve(out.size() + json.size());
  const char* p = json.data();
  const char* const end = p + json.size();
  while (p < end) {
    // A run without whitespace or string, copied at once.
    const char* run = p;
    while (run < end && *run != '"' && *run != ' ' && *run != '\n' && *run != '\r' &&
           *run != '\t') {
      ++run;
    }
    out.append(p, static_cast<std::size_t>(run - p));
    if (run == end) break;
    if (*run != '"') {
      p = run + 1;  // whitespace between tokens
      continue;
    }
    // A string, to its closing quote; a backslash escapes the byte after it (`\"`).
    const char* q = run + 1;
    while (q < end && *q != '"') q += (*q == '\\' && q + 1 < end) ? 2 : 1;
    if (q < end) ++q;
    out.append(run, static_cast<std::size_t>(q - run));
    p = q;
  }
}

/// Returns `json` without the whitespace between its tokens (see append_compact_json()).
[[nodiscard]] inline std::string compact_json(std::string_view json) {
  std::string out;
  append_compact_json(out, json);
  return out;
}

/// Returns `text` as a quoted JSON string (see append_json_string()).
[[nodiscard]] inline std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_JSON_WRITER_HPP
