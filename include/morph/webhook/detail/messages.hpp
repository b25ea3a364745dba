/// @file messages.hpp
/// @brief Error messages of the parser: message parts built cheaply on hot paths and formatted
/// out of line, words for simdjson's errors and JSON types, JSON Pointer tokens.
#ifndef MORPH_WEBHOOK_DETAIL_MESSAGES_HPP
#define MORPH_WEBHOOK_DETAIL_MESSAGES_HPP

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "morph/webhook/detail/config.hpp"
#include "morph/webhook/error.hpp"

/// @cond MORPH_WEBHOOK_INTERNAL
namespace morph::webhook::detail {

/// One part of an error message: text, text to quote, or a number. Call sites on hot paths
/// only build these (a few stores); the message itself is formatted out of line.
struct MessagePart {
  enum class Kind : std::uint8_t { text, quoted, number } kind = Kind::text;
  std::string_view text;
  std::int64_t number = 0;
  bool is_unsigned = false;

  constexpr MessagePart(const char* t) noexcept : text(t) {}       // NOLINT: implicit by design
  constexpr MessagePart(std::string_view t) noexcept : text(t) {}  // NOLINT: implicit by design
  constexpr MessagePart(Kind k, std::string_view t, std::int64_t n, bool u) noexcept
      : kind(k), text(t), number(n), is_unsigned(u) {}
};

/// `"text"` in a message (cut after 64 bytes).
constexpr MessagePart quote(std::string_view text) noexcept {
  return MessagePart(MessagePart::Kind::quoted, text, 0, false);
}
/// A number in a message.
constexpr MessagePart num(std::int64_t n) noexcept {
  return MessagePart(MessagePart::Kind::number, {}, n, false);
}
/// An unsigned number in a message.
constexpr MessagePart unum(std::uint64_t n) noexcept {
  return MessagePart(MessagePart::Kind::number, {}, static_cast<std::int64_t>(n), true);
}

MORPH_WEBHOOK_COLD inline std::string format_message(std::initializer_list<MessagePart> parts) {
  std::string out;
  for (const MessagePart& p : parts) {
    switch (p.kind) {
      case MessagePart::Kind::text: out.append(p.text); break;
      case MessagePart::Kind::quoted: {
        constexpr std::size_t limit = 64;
        out += '"';
        out.append(p.text.substr(0, limit));
        out += p.text.size() > limit ? "\"..." : "\"";
        break;
      }
      case MessagePart::Kind::number:
        out += p.is_unsigned ? std::to_string(static_cast<std::uint64_t>(p.number))
                             : std::to_string(p.number);
        break;
    }
  }
  return out;
}

/// Name of a JSON type, for messages.
constexpr std::string_view type_name(simdjson::ondemand::json_type t) noexcept {
  using simdjson::ondemand::json_type;
  switch (t) {
    case json_type::array: return "an array";
    case json_type::object: return "an object";
    case json_type::number: return "a number";
    case json_type::string: return "a string";
    case json_type::boolean: return "a boolean";
    case json_type::null: return "null";
  }
  return "a value";
}

/// The message for a simdjson error: what is wrong in words a webhook author understands.
MORPH_WEBHOOK_COLD inline std::string json_message(simdjson::error_code e) {
  std::string message = "the body is not valid JSON: ";
  switch (e) {
    case simdjson::INCORRECT_TYPE:
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      message +=
          "a value is not a valid literal (expected true, false, null, a number, a "
          "string, an object or an array)";
      break;
    case simdjson::NUMBER_ERROR:
      message += "a number is malformed or out of the range of a double";
      break;
    case simdjson::STRING_ERROR: message += "a string has an invalid escape sequence"; break;
    case simdjson::UNESCAPED_CHARS:
      message += "a string holds an unescaped control character (below 0x20)";
      break;
    case simdjson::UNCLOSED_STRING: message += "a string is not closed"; break;
    case simdjson::UTF8_ERROR: message += "the text is not valid UTF-8"; break;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      message += "an object or array is not closed, or something follows the root value";
      break;
    case simdjson::DEPTH_ERROR: message += "arrays and objects nest too deep"; break;
    default: message += simdjson::error_message(e); break;
  }
  return message;
}

/// Appends `key` to `out` as one RFC 6901 reference token (`~` -> `~0`, `/` -> `~1`).
inline void append_pointer_token(std::string& out, std::string_view key) {
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
}

/// An error found before the walk (no pointer).
MORPH_WEBHOOK_COLD inline Error make_error(ErrorCode code,
                                           std::initializer_list<MessagePart> message) {
  return Error{code, "", "", format_message(message)};
}
/// invalid_json for a simdjson error found before the walk.
MORPH_WEBHOOK_COLD inline Error json_error(simdjson::error_code e) {
  return Error{ErrorCode::invalid_json, "", "", json_message(e)};
}
/// body_too_large, with the sizes.
MORPH_WEBHOOK_COLD inline Error body_too_large(std::size_t size, std::size_t limit) {
  return Error{ErrorCode::body_too_large, "", "",
               "the body has " + std::to_string(size) + " bytes; the limit is " +
                   std::to_string(limit) + " (ParseOptions::max_body_bytes)"};
}

}  // namespace morph::webhook::detail
/// @endcond

#endif  // MORPH_WEBHOOK_DETAIL_MESSAGES_HPP
