/// @file json_validator.hpp
/// @brief JsonValidator: checks values the parser does not interpret (`rawResource`, unknown
/// keys, a ResourceEvent's `fields`) as JSON, and the failure helpers every walk shares.
///
/// simdjson On-Demand validates only what is read, so every value is either read or, for the
/// common scalars, checked on its raw bytes (stage 1 has indexed them) and left to the iterator
/// to skip. The event walker (walker.hpp) builds on this class.
#ifndef MORPH_WEBHOOK_DETAIL_JSON_VALIDATOR_HPP
#define MORPH_WEBHOOK_DETAIL_JSON_VALIDATOR_HPP

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

#include "morph/webhook/detail/bytes.hpp"
#include "morph/webhook/detail/config.hpp"
#include "morph/webhook/detail/messages.hpp"
#include "morph/webhook/detail/vocabulary.hpp"
#include "morph/webhook/error.hpp"
#include "morph/webhook/number.hpp"
#include "morph/webhook/types.hpp"

/// @cond MORPH_WEBHOOK_INTERNAL
namespace morph::webhook::detail {

namespace od = simdjson::ondemand;

/// One validating pass over a simdjson On-Demand document.
///
/// Every function returns true on success. On failure it returns false with `error` set; the
/// JSON Pointer is built on the way back up (each level prepends its own token with
/// prefix_pointer()), so the success path never spends a cycle on pointers.
class JsonValidator {
 public:
  /// `end` is where the body ends (its padding follows); `strings` receives unescaped strings.
  JsonValidator(od::parser& json, od::document& doc, const ParseOptions& options,
                std::uint8_t* strings, const char* end, bool fast) noexcept
      : use_fast_paths(fast), json_(json), doc_(doc), options_(options), strings_(strings),
        end_(end) {}

  /// The failure, once a function returned false.
  Error error;
  /// Whether the raw-byte fast paths are used (each beside the general path it shortcuts).
  /// Only tests turn this off, to check that both paths reach the same verdict and values.
  const bool use_fast_paths;

  /// Pure JSON validation of the whole document (ranks syntax errors before semantic ones).
  bool validate_document() {
    od::json_type type{};
    if (auto e = doc_.type().get(type)) return json_fail(e);
    if (type != od::json_type::object && type != od::json_type::array) {
      // Scalar documents: simdjson wants the document-level getters.
      return validate_scalar_document(type);
    }
    if (type == od::json_type::object) {
      od::object obj;
      if (auto e = doc_.get_object().get(obj)) return json_fail(e);
      if (!validate_object(obj, depth::root)) return false;
    } else {
      od::array arr;
      if (auto e = doc_.get_array().get(arr)) return json_fail(e);
      if (!validate_array(arr, depth::root)) return false;
    }
    return at_end();
  }

 protected:
  // ---- failures (cold) ----

  MORPH_WEBHOOK_COLD bool fail(ErrorCode code, std::initializer_list<MessagePart> message) {
    error.code = code;
    error.pointer.clear();
    error.message = format_message(message);
    return false;
  }
  MORPH_WEBHOOK_COLD bool fail_at(ErrorCode code, std::string_view key,
                                  std::initializer_list<MessagePart> message) {
    fail(code, message);
    return prefix_pointer(key);
  }
  MORPH_WEBHOOK_COLD bool json_fail(simdjson::error_code e) {
    error.code = ErrorCode::invalid_json;
    error.pointer.clear();
    error.message = json_message(e);
    return false;
  }
  /// Prepends `/key` to the failure's pointer (called by each level on the way back up).
  MORPH_WEBHOOK_COLD bool prefix_pointer(std::string_view key) {
    std::string token = "/";
    append_pointer_token(token, key);
    error.pointer.insert(0, token);
    return false;
  }
  /// Prepends `/index` to the failure's pointer.
  MORPH_WEBHOOK_COLD bool prefix_pointer(std::size_t index) {
    error.pointer.insert(0, "/" + std::to_string(index));
    return false;
  }
  MORPH_WEBHOOK_COLD bool wrong_type(std::string_view what, od::json_type got) {
    return fail(ErrorCode::wrong_type, {"expected ", what, ", got ", type_name(got)});
  }
  MORPH_WEBHOOK_COLD bool depth_fail() {
    return fail(ErrorCode::invalid_json,
                {"the body nests arrays and objects deeper than the limit of ", unum(max_depth_),
                 " levels"});
  }
  /// The failure of a typed getter: wrong_type (with the type found) or invalid_json.
  bool getter_fail(od::value& v, simdjson::error_code e, std::string_view what) {
    if (e != simdjson::INCORRECT_TYPE) return json_fail(e);
    od::json_type type{};
    if (auto te = v.type().get(type)) return json_fail(te);
    return wrong_type(what, type);
  }

  // ---- reading ----

  bool strict() const noexcept { return options_.policy == Policy::strict; }

  /// The text of a string. Zero-copy: a string without escapes is a view into the input (stage 1
  /// has validated its UTF-8 and control bytes); one with escapes is unescaped, and so checked,
  /// into the Parser's string buffer.
  MORPH_WEBHOOK_INLINE bool decode(od::raw_json_string raw, std::string_view& result) {
    const char* content = reinterpret_cast<const char*>(raw.raw());
    const std::size_t length = plain_string_length(content);
    if (length != std::string_view::npos) {
      result = std::string_view(content, length);
      return true;
    }
    if (auto e = json_.unescape(raw, strings_).get(result)) return json_fail(e);
    return true;
  }

  /// The key of a member (see decode()).
  MORPH_WEBHOOK_INLINE bool read_key(od::field& field, std::string_view& key) {
    return decode(field.key(), key);
  }

  /// Reads a string member; wrong_type otherwise.
  MORPH_WEBHOOK_INLINE bool get_string(od::value& v, std::string_view& result,
                                       std::string_view what) {
    od::raw_json_string raw;
    if (auto e = v.get_raw_json_string().get(raw)) return getter_fail(v, e, what);
    return decode(raw, result);
  }

  /// True when the document has nothing after the root value.
  bool at_end() {
    const char* location = nullptr;
    if (doc_.current_location().get(location) == simdjson::OUT_OF_BOUNDS) return true;
    return fail(ErrorCode::invalid_json,
                {"the body is not valid JSON: unexpected content after the root value"});
  }

  /// Where the value just consumed ends: the next structural character, minus whitespace.
  const char* value_end() {
    const char* location = nullptr;
    if (doc_.current_location().get(location) != simdjson::SUCCESS) location = end_;
    while (is_json_space(location[-1])) --location;
    return location;
  }

  /// Reads the number whose raw token (trailing whitespace included) is `token` as number.hpp
  /// explains; invalid_json when it is no JSON number or beyond a double's range. simdjson's
  /// getters are not used: 3.0.1's get_number() returns 0 for long fractions and its getters
  /// disagree on long exponents (number.hpp).
  MORPH_WEBHOOK_INLINE bool read_number(std::string_view token, double& value) {
    while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
    const NumberStatus status = parse_json_number(token, value);
    return status == NumberStatus::ok || number_fail(status, token);
  }

  MORPH_WEBHOOK_COLD bool number_fail(NumberStatus status, std::string_view token) {
    if (status == NumberStatus::out_of_range) {
      return fail(ErrorCode::invalid_json,
                  {"the body is not valid JSON: the number ", token.substr(0, 32),
                   token.size() > 32 ? "..." : "", " is beyond the range of a double"});
    }
    return fail(ErrorCode::invalid_json,
                {"the body is not valid JSON: ", quote(token), " is not a valid number"});
  }

  // ---- values left to the iterator (the rule the fast paths share) ----

  /// Whether a value ending just before `p` may be left unread for the iterator to skip: the
  /// next byte that is not whitespace must be `,`, `}` or `]`. simdjson 3.0.1's iterator can
  /// skip a malformed remainder without an error when an unread string is followed by anything
  /// else (`{"a":"x":"y"}}`); values followed by anything else are read, which reports it.
  MORPH_WEBHOOK_INLINE bool may_leave_unread(const char* p) const noexcept {
    return ends_member(next_byte(p, end_));
  }

  /// Whether the scalar with raw token `token`, a member or element of a container we do not
  /// interpret, is valid and may be left unread (may_leave_unread()), checked on its bytes: a
  /// string without escapes, or see plain_scalar(). `plain` tells that no backslash lies in the
  /// token.
  MORPH_WEBHOOK_INLINE bool skippable_scalar(std::string_view token, bool plain) const noexcept {
    const char* const t = token.data();
    // The token runs to the next structural character: no whitespace before it.
    if (!may_leave_unread(t + token.size())) return false;
    if (*t == '"') return plain || plain_string_length(t + 1) != std::string_view::npos;
    return *t != '{' && *t != '[' && plain_scalar(t, end_);
  }

  /// True when no backslash lies in [from, to): strings there need no escape check. Finds
  /// backslashes with memchr, each stretch of the body once while the walk moves forward.
  MORPH_WEBHOOK_INLINE bool no_backslash(const char* from, const char* to) {
    if (from < backslash_from_) return false;  // behind the last search (a rewind): unknown
    if (next_backslash_ < from) {
      const void* found = std::memchr(from, '\\', static_cast<std::size_t>(end_ - from));
      next_backslash_ = found != nullptr ? static_cast<const char*>(found) : end_;
      backslash_from_ = from;
    }
    return next_backslash_ >= to;
  }

  // ---- validation ----

  /// Validates any value at nesting depth `depth`.
  bool validate(od::value& v, std::uint32_t depth) {
    // Common scalars are checked on their bytes; containers and everything else below.
    if (use_fast_paths && skippable_scalar(v.raw_json_token(), false)) return true;
    od::json_type type{};
    if (auto e = v.type().get(type)) return json_fail(e);
    switch (type) {
      case od::json_type::object: {
        od::object obj;
        if (auto e = v.get_object().get(obj)) return json_fail(e);
        return validate_object(obj, depth);
      }
      case od::json_type::array: {
        od::array arr;
        if (auto e = v.get_array().get(arr)) return json_fail(e);
        return validate_array(arr, depth);
      }
      case od::json_type::string: {
        od::raw_json_string raw;
        std::string_view text;
        if (auto e = v.get_raw_json_string().get(raw)) return json_fail(e);
        return decode(raw, text);
      }
      case od::json_type::number: {
        double value = 0;
        return read_number(v.raw_json_token(), value);
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto e = v.get_bool().get(b)) return json_fail(e);
        return true;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return json_fail(e);
        return is_null ? true : json_fail(simdjson::N_ATOM_ERROR);
      }
    }
    return json_fail(simdjson::TAPE_ERROR);
  }

  bool validate_object(od::object& obj, std::uint32_t depth) {
    if (depth > max_depth_) return depth_fail();
    for (auto item : obj) {
      if (auto e = item.error()) return json_fail(e);
      od::field& field = item.value_unsafe();
      od::value& value = field.value();
      if (use_fast_paths) {
        // A member whose key and scalar value hold no backslash, checked inline (no call):
        // stage 1 has already checked everything else about such strings.
        const std::string_view token = value.raw_json_token();
        const char* const key = reinterpret_cast<const char*>(field.key().raw());
        if (no_backslash(key, token.data() + token.size()) && skippable_scalar(token, true)) {
          continue;
        }
      }
      std::string_view key;
      if (!read_key(field, key)) return false;
      if (!validate(value, depth + 1)) return prefix_pointer(key);
    }
    return true;
  }

  bool validate_array(od::array& arr, std::uint32_t depth) {
    if (depth > max_depth_) return depth_fail();
    std::size_t index = 0;
    for (auto item : arr) {
      if (auto e = item.error()) return json_fail(e);
      od::value& element = item.value_unsafe();
      if (use_fast_paths) {
        // As in validate_object(): scalars without backslashes inline.
        const std::string_view token = element.raw_json_token();
        const char* const t = token.data();
        if (skippable_scalar(token, no_backslash(t, t + token.size()))) {
          ++index;
          continue;
        }
      }
      if (!validate(element, depth + 1)) return prefix_pointer(index);
      ++index;
    }
    return true;
  }

  MORPH_WEBHOOK_COLD bool validate_scalar_document(od::json_type type) {
    // The root token must be the whole body: simdjson 3.0.1's root getters accept `nullx` or
    // `false?` as null or false.
    std::string_view token;
    if (auto e = doc_.raw_json_token().get(token)) return json_fail(e);
    while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
    const char* body_end = end_;
    while (body_end > token.data() && is_json_space(body_end[-1])) --body_end;
    if (token.data() + token.size() != body_end) {
      return fail(ErrorCode::invalid_json,
                  {"the body is not valid JSON: unexpected content after the root value"});
    }
    if ((type == od::json_type::null && token != "null") ||
        (type == od::json_type::boolean && token != "true" && token != "false")) {
      return json_fail(simdjson::N_ATOM_ERROR);
    }
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        if (auto e = doc_.get_string().get(s)) return json_fail(e);
        break;
      }
      case od::json_type::number: {
        // The token is the whole body (checked above): nothing follows it.
        double value = 0;
        const NumberStatus status = parse_json_number(token, value);
        if (status != NumberStatus::ok) return number_fail(status, token);
        break;
      }
      case od::json_type::boolean:
      case od::json_type::null:
        // The token was compared above. (simdjson 3.0.1's root is_null()/get_bool() read the
        // byte after the token, which may be padding: they must not decide.)
        break;
      default: return json_fail(simdjson::TAPE_ERROR);
    }
    return true;  // the token is the whole body (checked above)
  }

  /// Validates any value and returns its raw text (byte for byte, outer whitespace trimmed).
  bool raw_value(od::value& v, std::uint32_t depth, std::string_view& raw) {
    // A scalar's token runs to the next structural character; a container's end is where the
    // iterator stands once it is consumed. (Numbers are read from their token and left unread,
    // so the location cannot be used for scalars.)
    std::string_view token = v.raw_json_token();
    const bool container = !token.empty() && (token.front() == '{' || token.front() == '[');
    if (!validate(v, depth)) return false;
    if (container) {
      raw = std::string_view(token.data(), static_cast<std::size_t>(value_end() - token.data()));
    } else {
      while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
      raw = token;
    }
    return true;
  }

  od::parser& json_;
  od::document& doc_;
  const ParseOptions& options_;
  // The effective depth limit: ours, capped below simdjson's own (its iterator must never reach
  // its limit: past it, simdjson asserts in debug builds and overruns in release ones).
  const std::uint32_t max_depth_ = std::min<std::uint32_t>(
      options_.max_depth,
      static_cast<std::uint32_t>(json_.max_depth() > 2 ? json_.max_depth() - 2 : 1));
  std::uint8_t* strings_;                 // where escaped strings are unescaped to (Parser's)
  const char* next_backslash_ = nullptr;  // first backslash at or after backslash_from_ (see
  const char* backslash_from_ = nullptr;  // no_backslash()), end_ when there is none
  const char* end_;
};

}  // namespace morph::webhook::detail
/// @endcond

#endif  // MORPH_WEBHOOK_DETAIL_JSON_VALIDATOR_HPP
