/// @file diagnose.hpp
/// @brief What the CLI adds to an error so that a person can act on it: the event's identity
/// (event name, data.id) read from a body the parser refused, and, for a body that is not JSON,
/// where the syntax error is (byte offset) and what it is.
#ifndef MORPH_WEBHOOK_TOOLS_CLI_DIAGNOSE_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_DIAGNOSE_HPP

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "morph/webhook/error.hpp"
#include "morph/webhook/json_writer.hpp"
#include "morph/webhook/number.hpp"

namespace morph::webhook::cli {

/// A syntax error in a body: where (byte offset from the start of the body) and what.
struct SyntaxError {
  std::size_t offset = 0;         ///< 0-based byte offset in the body.
  std::string_view what;          ///< What is wrong there, in words.
  bool replaces_message = false;  ///< `what` says all (a byte order mark): print it alone.
};

/// The bytes of a UTF-8 byte order mark.
inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

/// The message for a body that starts with a UTF-8 byte order mark.
inline constexpr std::string_view bom_message =
    "the body starts with a UTF-8 byte order mark (bytes EF BB BF): JSON senders must not add "
    "one (RFC 8259, section 8.1); remove the first three bytes";

namespace detail {

/// A JSON syntax checker that stops at the first error and says where it is. Independent of
/// simdjson (which reports the kind of error but not its place); used only for bodies the
/// parser already refused as invalid_json, so it favours clarity over speed.
class SyntaxScanner {
 public:
  explicit SyntaxScanner(std::string_view text) noexcept
      : text_(text), p_(text.data()), end_(text.data() + text.size()) {}

  /// The first syntax error, or nullopt when the text is JSON (or nests deeper than the
  /// scanner follows: the parser's depth limit says more there).
  std::optional<SyntaxError> first_error() {
    if (value(0)) {
      space();
      if (p_ != end_) fail(p_, "unexpected content after the root value");
    }
    return error_;
  }

 private:
  static constexpr int max_depth = 1100;  // beyond simdjson's own limit (1024)

  bool fail(const char* at, std::string_view what) {
    error_ = SyntaxError{static_cast<std::size_t>(at - text_.data()), what};
    return false;
  }
  void space() noexcept {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  bool value(int depth) {
    if (depth > max_depth) return false;  // no error_: give up
    space();
    if (p_ == end_) return fail(p_, "the body ends where a value is expected");
    switch (*p_) {
      case '{': return container(depth, '}');
      case '[': return container(depth, ']');
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return number();
        return fail(p_, "expected a value (object, array, string, number, true, false or null)");
    }
  }

  /// An object (`close` is '}') or an array (']'); p_ is at its opening bracket.
  bool container(int depth, char close) {
    const char* const open = p_++;
    const bool object = close == '}';
    space();
    if (p_ < end_ && *p_ == close) {
      ++p_;
      return true;
    }
    for (;;) {
      space();
      if (p_ == end_) break;
      if (object) {
        if (*p_ != '"') return fail(p_, "expected a key (a string in double quotes)");
        if (!string()) return false;
        space();
        if (p_ == end_) break;
        if (*p_ != ':') return fail(p_, "expected ':' after the key");
        ++p_;
      }
      if (!value(depth + 1)) return false;
      space();
      if (p_ == end_) break;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == close) {
        ++p_;
        return true;
      }
      return fail(p_, object ? "expected ',' or '}' after an object member"
                             : "expected ',' or ']' after an array element");
    }
    return fail(open, object ? "this object is not closed" : "this array is not closed");
  }

  static int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  /// The code unit of `\uXXXX` at `at` (the backslash), or -1.
  int unicode_escape(const char* at) const noexcept {
    if (end_ - at < 6 || at[1] != 'u') return -1;
    int unit = 0;
    for (int i = 2; i < 6; ++i) {
      const int h = hex_value(at[i]);
      if (h < 0) return -1;
      unit = unit * 16 + h;
    }
    return unit;
  }

  bool string() {
    const char* const open = p_++;
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        if (end_ - p_ < 2) break;
        const char e = p_[1];
        if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
            e == 't') {
          p_ += 2;
          continue;
        }
        if (e != 'u') return fail(p_, "invalid escape sequence in a string");
        const int unit = unicode_escape(p_);
        if (unit < 0) return fail(p_, "\\u must be followed by four hexadecimal digits");
        if (unit >= 0xDC00 && unit <= 0xDFFF) {
          return fail(p_, "a low surrogate escape (\\uDC00-\\uDFFF) without a high one before it");
        }
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          const int low = unicode_escape(p_ + 6);
          if (low < 0xDC00 || low > 0xDFFF) {
            return fail(p_, "a high surrogate escape (\\uD800-\\uDBFF) not followed by a low one");
          }
          p_ += 6;
        }
        p_ += 6;
        continue;
      }
      if (c < 0x20) return fail(p_, "a control character (below 0x20) in a string; escape it");
      if (c >= 0x80) {
        const std::size_t n = morph::webhook::detail::utf8_sequence_length(
            text_, static_cast<std::size_t>(p_ - text_.data()));
        if (n == 0) return fail(p_, "bytes that are not valid UTF-8");
        p_ += n;
        continue;
      }
      ++p_;
    }
    return fail(open, "this string is not closed");
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return fail(p_, "invalid literal (expected true, false or null)");
    }
    p_ += word.size();
    return true;
  }

  bool number() {
    const char* const start = p_;
    while (p_ < end_ && ((*p_ >= '0' && *p_ <= '9') || *p_ == '-' || *p_ == '+' || *p_ == '.' ||
                         *p_ == 'e' || *p_ == 'E')) {
      ++p_;
    }
    double value = 0;
    switch (morph::webhook::detail::parse_json_number(
        std::string_view(start, static_cast<std::size_t>(p_ - start)), value)) {
      case morph::webhook::detail::NumberStatus::ok: return true;
      case morph::webhook::detail::NumberStatus::out_of_range:
        return fail(start, "a number beyond the range of a double");
      case morph::webhook::detail::NumberStatus::malformed: break;
    }
    return fail(start, "a malformed number");
  }

  std::string_view text_;
  const char* p_;
  const char* end_;
  std::optional<SyntaxError> error_;
};

}  // namespace detail

/// Where the first syntax error of `body` is, or nullopt when none is found (the body is JSON
/// and was refused for its depth). A leading byte order mark is reported at offset 0.
inline std::optional<SyntaxError> locate_syntax_error(std::string_view body) {
  if (body.substr(0, utf8_bom.size()) == utf8_bom) return SyntaxError{0, bom_message, true};
  return detail::SyntaxScanner(body).first_error();
}

/// What identifies an event, read from a body the parser refused (when it could be read).
struct Identity {
  std::optional<std::string> event;  ///< The `event` string.
  std::optional<std::string> id;     ///< `data.id`.
};

/// Reads `event` and `data.id` from `body` with a parser of its own, as far as the JSON can be
/// read: a body with an error elsewhere (a bad date, a bad rawResource, a syntax error after
/// them) still gives its identity.
class IdentityReader {
 public:
  /// The identity of `body` (padded), each member when it could be read.
  Identity read(simdjson::padded_string_view body) {
    namespace od = simdjson::ondemand;
    Identity out;
    od::document doc;
    od::object root;
    if (parser_.iterate(body).get(doc) != simdjson::SUCCESS ||
        doc.get_object().get(root) != simdjson::SUCCESS) {
      return out;
    }
    for (auto item : root) {
      std::string_view key;
      if (item.error() != simdjson::SUCCESS) break;
      od::field& field = item.value_unsafe();
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) break;
      if (key == "event") {
        std::string_view text;
        if (field.value().get_string().get(text) == simdjson::SUCCESS) out.event = text;
      } else if (key == "data") {
        od::object data;
        if (field.value().get_object().get(data) != simdjson::SUCCESS) continue;
        for (auto member : data) {
          std::string_view name;
          if (member.error() != simdjson::SUCCESS) return out;
          od::field& f = member.value_unsafe();
          if (f.unescaped_key().get(name) != simdjson::SUCCESS) return out;
          std::string_view text;
          if (name == "id" && f.value().get_string().get(text) == simdjson::SUCCESS) {
            out.id = text;
            break;
          }
        }
      }
      if (out.event && out.id) break;
    }
    return out;
  }

 private:
  simdjson::ondemand::parser parser_;
};

/// What the CLI knows about a refused body besides its Error.
struct Diagnosis {
  Identity identity;                  ///< The event's identity, as far as it could be read.
  std::optional<SyntaxError> syntax;  ///< For invalid_json: where and what, when found.
  std::size_t line = 0;               ///< With `syntax`: 1-based line of the error in the input.
  std::size_t column = 0;             ///< With `syntax`: 1-based column (in bytes) in that line.
};

/// Diagnoses refused bodies (one reused parser for the identities).
class Diagnoser {
 public:
  /// What can be said about `body`, refused with `error`. `ndjson_line` is the body's line in
  /// an NDJSON input (the body is that line), nullopt for a whole-file body.
  Diagnosis diagnose(simdjson::padded_string_view body, const Error& error,
                     std::optional<std::size_t> ndjson_line) {
    Diagnosis d;
    d.identity = identities_.read(body);
    if (error.code != ErrorCode::invalid_json) return d;
    const std::string_view text(body.data(), body.size());
    d.syntax = locate_syntax_error(text);
    if (!d.syntax) return d;
    const std::string_view before = text.substr(0, d.syntax->offset);
    const std::size_t newline = before.rfind('\n');
    d.column = newline == std::string_view::npos ? before.size() + 1 : before.size() - newline;
    d.line = ndjson_line
                 ? *ndjson_line
                 : 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    return d;
  }

 private:
  IdentityReader identities_;
};

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_DIAGNOSE_HPP
