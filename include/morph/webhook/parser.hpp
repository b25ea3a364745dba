/// @file parser.hpp
/// @brief Parser, parse_event() and parse_envelope(): body text in, checked event out.
///
/// ## Lifetime rule
/// Every `std::string_view`, RefList and WarningList in a returned event points into the
/// Parser that produced it, and stays valid until the next parse on that same Parser (or its
/// destruction). parse_event() and parse_envelope() use one Parser per thread, so their results
/// stay valid until the next call on the same thread. Call to_owned() to keep an event longer.
#ifndef MORPH_WEBHOOK_PARSER_HPP
#define MORPH_WEBHOOK_PARSER_HPP

#include <simdjson.h>

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#if defined(_MSC_VER)
#include <intrin.h>
#endif
/// 1 when the raw-byte fast paths may use SSE2 (x86-64, or x86 with SSE2), else 0.
#define MORPH_WEBHOOK_SSE2 1
#else
#define MORPH_WEBHOOK_SSE2 0
#endif

#if defined(__GNUC__) || defined(__clang__)
/// Marks an out-of-line, rarely taken function (error paths), keeping hot code small.
#define MORPH_WEBHOOK_COLD __attribute__((cold, noinline))
#elif defined(_MSC_VER)
#define MORPH_WEBHOOK_COLD __declspec(noinline)
#else
#define MORPH_WEBHOOK_COLD
#endif

#if defined(__GNUC__) || defined(__clang__)
/// Forces inlining of small hot helpers: simdjson's iterator values then stay in registers
/// instead of being copied through the stack (a store-forwarding stall per call).
#define MORPH_WEBHOOK_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define MORPH_WEBHOOK_INLINE __forceinline
#else
#define MORPH_WEBHOOK_INLINE inline
#endif

#include <algorithm>
#include <initializer_list>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <string_view>
#include <vector>

#include "morph/webhook/datetime.hpp"
#include "morph/webhook/error.hpp"
#include "morph/webhook/number.hpp"
#include "morph/webhook/types.hpp"

namespace morph::webhook {

namespace detail {
template <class Event>
class Walker;
struct ParserTesting;
}  // namespace detail

/// Parses and checks Morph webhook bodies. Owns every buffer; reuse one per thread.
///
/// After warm-up (once it has seen bodies as large, and with as many refs and warnings, as
/// the current one), a successful parse allocates nothing. Not thread-safe: one Parser per
/// thread. See the lifetime rule in parser.hpp.
class Parser {
 public:
  /// A parser with default options.
  Parser() = default;
  /// A parser with the given default options.
  explicit Parser(const ParseOptions& options) : options_(options) {}
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  /// Moves (invalidates events produced by `other`).
  Parser(Parser&&) noexcept = default;
  /// Moves (invalidates events produced by either parser).
  Parser& operator=(Parser&&) noexcept = default;

  /// The options used by the overloads that take none.
  [[nodiscard]] const ParseOptions& options() const noexcept { return options_; }
  /// Replaces the default options.
  void set_options(const ParseOptions& options) noexcept { options_ = options; }

  /// Parses a crmEngagement event. Copies `body` into a reused padded buffer.
  [[nodiscard]] Result<WebhookEvent> parse(std::string_view body) noexcept;
  /// Same, with explicit options.
  [[nodiscard]] Result<WebhookEvent> parse(std::string_view body,
                                           const ParseOptions& options) noexcept;
  /// Parses a crmEngagement event in place, copying nothing: `body` must have at least
  /// `simdjson::SIMDJSON_PADDING` readable bytes after its end. Views point into `body`,
  /// which must outlive the event.
  [[nodiscard]] Result<WebhookEvent> parse(simdjson::padded_string_view body) noexcept;
  /// Same, with explicit options.
  [[nodiscard]] Result<WebhookEvent> parse(simdjson::padded_string_view body,
                                           const ParseOptions& options) noexcept;

  /// Parses an event of any model (the 17 Morph models or a future one), keeping `fields` as
  /// validated raw JSON. Same checks, pointers and limits as parse().
  [[nodiscard]] Result<ResourceEvent> parse_envelope(std::string_view body) noexcept;
  /// Same, with explicit options.
  [[nodiscard]] Result<ResourceEvent> parse_envelope(std::string_view body,
                                                     const ParseOptions& options) noexcept;
  /// In place, copying nothing (see parse(simdjson::padded_string_view)).
  [[nodiscard]] Result<ResourceEvent> parse_envelope(simdjson::padded_string_view body,
                                                     const ParseOptions& options) noexcept;

 private:
  template <class Event>
  Result<Event> run(simdjson::padded_string_view body, std::size_t size,
                    const ParseOptions& options) noexcept;
  template <class Event>
  Result<Event> walk(simdjson::ondemand::document& doc, simdjson::padded_string_view body,
                     std::size_t size, const ParseOptions& options) noexcept;
  template <class Event>
  Error failure(simdjson::padded_string_view body, std::size_t size, const ParseOptions& options,
                Error error) noexcept;
  template <class Event>
  Result<Event> run_copy(std::string_view body, const ParseOptions& options) noexcept;

  ParseOptions options_{};
  simdjson::ondemand::parser json_{};
  bool reserve_strings(std::size_t size) noexcept;

  std::unique_ptr<char[]> buffer_{};     // padded copy of the body
  std::size_t buffer_capacity_ = 0;
  std::unique_ptr<std::uint8_t[]> strings_{};  // unescaped strings (those with escapes)
  std::size_t strings_capacity_ = 0;
  std::vector<ResourceRef> refs_{};      // every ref of the current event
  std::vector<Warning> warnings_{};      // every warning of the current event
  std::vector<std::string_view> keys_{}; // scratch: unknown keys, for duplicate detection
  bool fast_paths_ = true;               // off only in tests (detail::ParserTesting)
  std::size_t fast_refs_ = 0;            // refs the fast paths read in the last parse (tests)

  friend struct detail::ParserTesting;
};

/// Parses a crmEngagement event with this thread's Parser. Results stay valid until the next
/// parse_event() or parse_envelope() call on the same thread.
[[nodiscard]] Result<WebhookEvent> parse_event(std::string_view body,
                                               const ParseOptions& options = {}) noexcept;

/// Parses an event of any model with this thread's Parser (same lifetime as parse_event()).
[[nodiscard]] Result<ResourceEvent> parse_envelope(std::string_view body,
                                                   const ParseOptions& options = {}) noexcept;


// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

/// @cond MORPH_WEBHOOK_INTERNAL (the walker: implementation, not API)
namespace detail {

namespace od = simdjson::ondemand;

/// `text == literal` with the literal's size known at compile time, so the comparison is a
/// couple of integer compares rather than a call to memcmp.
template <std::size_t N>
inline bool eq(std::string_view text, const char (&literal)[N]) noexcept {
  return text.size() == N - 1 && std::memcmp(text.data(), literal, N - 1) == 0;
}

/// The event name `<model>::<trigger>`, split; false when malformed.
inline bool split_event_name(std::string_view text, std::string_view& model,
                             Trigger& trigger) noexcept {
  const std::size_t sep = text.find("::");
  if (sep == std::string_view::npos || sep == 0) return false;
  model = text.substr(0, sep);
  for (const char c : model) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_';
    if (!ok) return false;
  }
  const std::string_view name = text.substr(sep + 2);
  if (eq(name, "created")) {
    trigger = Trigger::created;
  } else if (eq(name, "updated")) {
    trigger = Trigger::updated;
  } else if (eq(name, "deleted")) {
    trigger = Trigger::deleted;
  } else {
    return false;
  }
  return true;
}

inline EngagementType engagement_type_from(std::string_view s) noexcept {
  if (eq(s, "call")) return EngagementType::call;
  if (eq(s, "meeting")) return EngagementType::meeting;
  if (eq(s, "email")) return EngagementType::email;
  if (eq(s, "task")) return EngagementType::task;
  if (eq(s, "note")) return EngagementType::note;
  return EngagementType::unknown;
}

inline Direction direction_from(std::string_view s) noexcept {
  if (eq(s, "inbound")) return Direction::inbound;
  if (eq(s, "outbound")) return Direction::outbound;
  return Direction::unknown;
}

inline EngagementStatus status_from(std::string_view s) noexcept {
  if (eq(s, "planned")) return EngagementStatus::planned;
  if (eq(s, "inProgress")) return EngagementStatus::in_progress;
  if (eq(s, "completed")) return EngagementStatus::completed;
  if (eq(s, "canceled")) return EngagementStatus::canceled;
  return EngagementStatus::unknown;
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

/// Index of the lowest set bit of a non-zero mask.
inline std::size_t first_set_bit(unsigned mask) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return static_cast<std::size_t>(__builtin_ctz(mask));
#elif defined(_MSC_VER)
  unsigned long index = 0;
  _BitScanForward(&index, mask);
  return index;
#else
  std::size_t i = 0;
  while ((mask & 1u) == 0) {
    mask >>= 1;
    ++i;
  }
  return i;
#endif
}

/// Length of the string content at `p` (just after its opening quote) up to the closing quote,
/// or npos when a backslash comes first (the string then needs unescaping).
///
/// Only called on strings simdjson's stage 1 has already seen closed, so the scan stops inside
/// the document; it reads at most 15 bytes past the closing quote, within the padding.
inline std::size_t plain_string_length(const char* p) noexcept {
  const char* s = p;
#if MORPH_WEBHOOK_SSE2
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (;; s += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    const int mask = _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)));
    if (mask != 0) {
      const std::size_t i = first_set_bit(static_cast<unsigned>(mask));
      return s[i] == '"' ? static_cast<std::size_t>(s + i - p) : std::string_view::npos;
    }
  }
#else
  for (;; ++s) {
    if (*s == '"') return static_cast<std::size_t>(s - p);
    if (*s == '\\') return std::string_view::npos;
  }
#endif
}

/// One piece of an error message: text, text to quote, or a number. Call sites on hot paths
/// only build these (a few stores); the message itself is formatted out of line.
struct Piece {
  enum class Kind : std::uint8_t { text, quoted, number } kind = Kind::text;
  std::string_view text;
  std::int64_t number = 0;
  bool is_unsigned = false;

  constexpr Piece(const char* t) noexcept : text(t) {}             // NOLINT: implicit by design
  constexpr Piece(std::string_view t) noexcept : text(t) {}        // NOLINT: implicit by design
  constexpr Piece(Kind k, std::string_view t, std::int64_t n, bool u) noexcept
      : kind(k), text(t), number(n), is_unsigned(u) {}
};

/// `"text"` in a message (cut after 64 bytes).
constexpr Piece quote(std::string_view text) noexcept {
  return Piece(Piece::Kind::quoted, text, 0, false);
}
/// A number in a message.
constexpr Piece num(std::int64_t n) noexcept { return Piece(Piece::Kind::number, {}, n, false); }
/// An unsigned number in a message.
constexpr Piece unum(std::uint64_t n) noexcept {
  return Piece(Piece::Kind::number, {}, static_cast<std::int64_t>(n), true);
}

MORPH_WEBHOOK_COLD inline std::string format_message(std::initializer_list<Piece> pieces) {
  std::string out;
  for (const Piece& p : pieces) {
    switch (p.kind) {
      case Piece::Kind::text: out.append(p.text); break;
      case Piece::Kind::quoted: {
        constexpr std::size_t limit = 64;
        out += '"';
        out.append(p.text.substr(0, limit));
        out += p.text.size() > limit ? "\"..." : "\"";
        break;
      }
      case Piece::Kind::number:
        out += p.is_unsigned ? std::to_string(static_cast<std::uint64_t>(p.number))
                             : std::to_string(p.number);
        break;
    }
  }
  return out;
}

constexpr bool is_json_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Name of a JSON type, for messages.
constexpr std::string_view type_name(od::json_type t) noexcept {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "a value";
}

/// Known keys of the objects we interpret. Keys outside these sets are validated as JSON and
/// otherwise ignored (Morph adds keys over time).
inline constexpr std::uint32_t root_event = 1u << 0;
inline constexpr std::uint32_t root_data = 1u << 1;
inline constexpr std::uint32_t data_object = 1u << 0;
inline constexpr std::uint32_t data_model = 1u << 1;
inline constexpr std::uint32_t data_id = 1u << 2;
inline constexpr std::uint32_t data_fields = 1u << 3;
inline constexpr std::uint32_t data_created_at = 1u << 4;
inline constexpr std::uint32_t data_updated_at = 1u << 5;
inline constexpr std::uint32_t data_raw_resource = 1u << 6;
inline constexpr std::uint32_t data_warnings = 1u << 7;
inline constexpr std::uint32_t field_type = 1u << 0;
inline constexpr std::uint32_t field_direction = 1u << 1;
inline constexpr std::uint32_t field_status = 1u << 2;
inline constexpr std::uint32_t field_title = 1u << 3;
inline constexpr std::uint32_t field_description = 1u << 4;
inline constexpr std::uint32_t field_started_at = 1u << 5;
inline constexpr std::uint32_t field_ended_at = 1u << 6;
inline constexpr std::uint32_t field_duration = 1u << 7;
inline constexpr std::uint32_t field_owner = 1u << 8;
inline constexpr std::uint32_t field_users = 1u << 9;
inline constexpr std::uint32_t field_companies = 1u << 10;
inline constexpr std::uint32_t field_contacts = 1u << 11;
inline constexpr std::uint32_t field_opportunities = 1u << 12;
inline constexpr std::uint32_t ref_object = 1u << 0;
inline constexpr std::uint32_t ref_model = 1u << 1;
inline constexpr std::uint32_t ref_id = 1u << 2;
inline constexpr std::uint32_t warning_code = 1u << 0;
inline constexpr std::uint32_t warning_message = 1u << 1;

MORPH_WEBHOOK_INLINE std::uint32_t data_key(std::string_view k) noexcept {
  switch (k.size()) {
    case 2: return eq(k, "id") ? data_id : 0;
    case 5: return eq(k, "model") ? data_model : 0;
    case 6:
      if (eq(k, "object")) return data_object;
      return eq(k, "fields") ? data_fields : 0;
    case 8: return eq(k, "warnings") ? data_warnings : 0;
    case 9:
      if (eq(k, "createdAt")) return data_created_at;
      return eq(k, "updatedAt") ? data_updated_at : 0;
    case 11: return eq(k, "rawResource") ? data_raw_resource : 0;
    default: return 0;
  }
}

MORPH_WEBHOOK_INLINE std::uint32_t field_key(std::string_view k) noexcept {
  switch (k.size()) {
    case 4: return eq(k, "type") ? field_type : 0;
    case 5:
      if (eq(k, "title")) return field_title;
      if (eq(k, "owner")) return field_owner;
      return eq(k, "users") ? field_users : 0;
    case 6: return eq(k, "status") ? field_status : 0;
    case 7:
      if (eq(k, "endedAt")) return field_ended_at;
      return 0;
    case 8:
      if (eq(k, "duration")) return field_duration;
      return eq(k, "contacts") ? field_contacts : 0;
    case 9:
      if (eq(k, "direction")) return field_direction;
      if (eq(k, "startedAt")) return field_started_at;
      return eq(k, "companies") ? field_companies : 0;
    case 11: return eq(k, "description") ? field_description : 0;
    case 13: return eq(k, "opportunities") ? field_opportunities : 0;
    default: return 0;
  }
}

inline std::uint32_t ref_key(std::string_view k) noexcept {
  if (eq(k, "id")) return ref_id;
  if (eq(k, "model")) return ref_model;
  return eq(k, "object") ? ref_object : 0;
}

inline std::uint32_t warning_key(std::string_view k) noexcept {
  if (eq(k, "code")) return warning_code;
  return eq(k, "message") ? warning_message : 0;
}

/// The bytes a ref usually starts with, up to its id: `{"object":"resourceRef","model":"<model>",
/// "id":"` without whitespace, as Morph writes it (JSON.stringify order). A ref that starts
/// with exactly these bytes is read by comparing them at once (see Walker::fast_ref()).
struct RefPattern {
  static constexpr std::string_view head = R"({"object":"resourceRef","model":")";
  static constexpr std::string_view tail = R"(","id":")";
  static constexpr std::size_t capacity = 64;
  static constexpr std::size_t object_at = 11;    // where `resourceRef` starts in head
  static constexpr std::size_t object_size = 11;

  char bytes[capacity] = {};
  std::size_t size = 0;
  std::string_view model;  // the model the contract names for this place

  constexpr explicit RefPattern(std::string_view m) noexcept : model(m) {
    for (const char c : head) bytes[size++] = c;
    for (const char c : m) bytes[size++] = c;
    for (const char c : tail) bytes[size++] = c;
  }
};

inline constexpr RefPattern user_refs{"genericUser"};  // the owner and `users`
inline constexpr RefPattern company_refs{"genericCompany"};
inline constexpr RefPattern contact_refs{"genericContact"};
inline constexpr RefPattern opportunity_refs{"crmOpportunity"};
static_assert(RefPattern::head.size() + 14 + RefPattern::tail.size() <= RefPattern::capacity);
static_assert(user_refs.size >= 48 && user_refs.size <= RefPattern::capacity);
static_assert(RefPattern::head.substr(RefPattern::object_at, RefPattern::object_size) ==
              "resourceRef");

/// True when the `pattern.size` bytes at `p` are the pattern's. Reads 64 bytes at `p` (callers
/// have at least that many, counting the padding).
MORPH_WEBHOOK_INLINE bool starts_with_pattern(const char* p, const RefPattern& pattern) noexcept {
#if MORPH_WEBHOOK_SSE2
  // Four independent 16-byte compares: three from the start, one ending at the last byte.
  const auto chunk = [&](std::size_t at) {
    return _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at)),
                          _mm_loadu_si128(reinterpret_cast<const __m128i*>(pattern.bytes + at)));
  };
  const __m128i all = _mm_and_si128(_mm_and_si128(chunk(0), chunk(16)),
                                    _mm_and_si128(chunk(32), chunk(pattern.size - 16)));
  return _mm_movemask_epi8(all) == 0xFFFF;
#else
  return std::memcmp(p, pattern.bytes, pattern.size) == 0;
#endif
}

/// Where a ref list landed in the parser's ref storage.
struct ListSlot {
  std::size_t begin = 0;
  std::size_t count = 0;
  bool present = false;
};

/// Everything one walk over a body produces; turned into a WebhookEvent or ResourceEvent.
struct WalkOutput {
  std::string_view event;
  Trigger trigger = Trigger::created;
  std::string_view model;       // from `event`
  std::string_view data_model;  // from `data.model`
  std::string_view id;
  std::string_view fields_raw;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<std::string_view> raw_resource;
  Engagement* fields = nullptr;  // the event's own (typed parse): written in place
  ListSlot users, companies, contacts, opportunities;
  std::size_t warnings = 0;
};

std::string json_message(simdjson::error_code e);

/// One validating pass over a simdjson On-Demand document.
///
/// Every function returns true on success. On failure it returns false with `error` set; the
/// JSON Pointer is built on the way back up (each level prepends its own token), so the
/// success path never spends a cycle on pointers.
template <class Event>
class Walker {
 public:
  static constexpr bool typed = std::is_same_v<Event, WebhookEvent>;

  Walker(od::parser& json, od::document& doc, const ParseOptions& options,
         std::vector<ResourceRef>& refs, std::vector<Warning>& warnings,
         std::vector<std::string_view>& keys, std::uint8_t* strings, const char* end,
         bool fast) noexcept
      : fast_paths(fast), json_(json), doc_(doc), options_(options), refs_(refs),
        warnings_(warnings), keys_(keys), strings_(strings), end_(end) {}

  Error error;
  WalkOutput out;
  /// Whether the raw-byte fast paths are used: refs written the usual way (fast_ref()) and
  /// common scalars in values we do not interpret (plain_scalar()). Only tests turn this off,
  /// to compare both paths.
  const bool fast_paths;
  /// How many refs the fast paths read (for tests: they check the fast paths are taken).
  std::size_t fast_refs = 0;

  /// Walks the whole document: the root object, then checks nothing follows it.
  bool walk_root() {
    od::json_type type{};
    if (auto e = doc_.type().get(type)) return json_fail(e);
    if (type != od::json_type::object) {
      return fail(ErrorCode::wrong_type, {"the body must be a JSON object, not ", type_name(type)});
    }
    if (max_depth_ < 1) return depth_fail();
    od::object root;
    if (auto e = doc_.get_object().get(root)) return json_fail(e);
    std::uint32_t seen = 0;
    const std::size_t keys_mark = keys_.size();
    bool data_deferred = false;
    for (auto item : root) {
      if (auto e = item.error()) return json_fail(e);
      od::field& field = item.value_unsafe();
      std::string_view key;
      if (!read_key(field, key)) return false;
      const std::uint32_t k = eq(key, "event") ? root_event : eq(key, "data") ? root_data : 0;
      if (k != 0 && !mark_seen(seen, k)) return unwind(key);
      if (k == root_event) {
        if (!walk_event(field.value())) return unwind(key);
      } else if (k == root_data) {
        // The typed walk needs the model from `event`; Morph sends `event` first, but JSON
        // objects are unordered: when `data` comes first it is walked in a second pass.
        if (typed && !(seen & root_event)) {
          data_deferred = true;
        } else if (!walk_data(field.value())) {
          return unwind(key);
        }
      } else {
        if (!unknown_key(keys_mark, key)) return unwind(key);
        if (!validate(field.value(), 2)) return unwind(key);
      }
    }
    if (keys_.size() != keys_mark && !check_duplicates(keys_mark)) return false;
    if (!(seen & root_event)) {
      return fail_at(ErrorCode::missing_field, "event",
                     {"the body has no \"event\" member (expected \"<model>::<trigger>\")"});
    }
    if (!(seen & root_data)) {
      return fail_at(ErrorCode::missing_field, "data", {"the body has no \"data\" member"});
    }
    if (!at_end()) return false;
    if (data_deferred && !walk_deferred_data()) return false;
    if (out.data_model != out.model) {
      fail(ErrorCode::model_mismatch, {"data.model is ", quote(out.data_model),
                                       " but the event names ", quote(out.model)});
      unwind("model");
      return unwind("data");
    }
    return true;
  }

  /// Pure JSON validation of the whole document (used to rank syntax errors first).
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
      if (!validate_object(obj, 1)) return false;
    } else {
      od::array arr;
      if (auto e = doc_.get_array().get(arr)) return json_fail(e);
      if (!validate_array(arr, 1)) return false;
    }
    return at_end();
  }

 private:
  // ---- failure helpers (cold) ----

  MORPH_WEBHOOK_COLD bool fail(ErrorCode code, std::initializer_list<Piece> message) {
    error.code = code;
    error.pointer.clear();
    error.message = format_message(message);
    return false;
  }
  MORPH_WEBHOOK_COLD bool fail_at(ErrorCode code, std::string_view key,
                                  std::initializer_list<Piece> message) {
    fail(code, message);
    return unwind(key);
  }
  MORPH_WEBHOOK_COLD bool json_fail(simdjson::error_code e) {
    error.code = ErrorCode::invalid_json;
    error.pointer.clear();
    error.message = json_message(e);
    return false;
  }
  MORPH_WEBHOOK_COLD bool unwind(std::string_view key) {
    std::string token = "/";
    append_pointer_token(token, key);
    error.pointer.insert(0, token);
    return false;
  }
  MORPH_WEBHOOK_COLD bool unwind(std::size_t index) {
    error.pointer.insert(0, "/" + std::to_string(index));
    return false;
  }
  MORPH_WEBHOOK_COLD bool wrong_type(std::string_view what, od::json_type got) {
    return fail(ErrorCode::wrong_type, {"expected ", what, ", got ", type_name(got)});
  }
  MORPH_WEBHOOK_COLD bool depth_fail() {
    return fail(ErrorCode::invalid_json,
                {"the body nests arrays and objects deeper than the limit of ",
                 unum(max_depth_), " levels"});
  }

  // ---- small shared steps ----

  bool strict() const noexcept { return options_.policy == Policy::strict; }

  /// Records a known key; false (duplicate_key) when it was already seen.
  MORPH_WEBHOOK_INLINE bool mark_seen(std::uint32_t& seen, std::uint32_t bit) {
    if (seen & bit) {
      return fail(ErrorCode::duplicate_key, {"the key appears more than once in this object"});
    }
    seen |= bit;
    return true;
  }

  /// Remembers an unknown key of an interpreted object, for check_duplicates().
  bool unknown_key(std::size_t /*mark*/, std::string_view key) {
    keys_.push_back(key);
    return true;
  }

  /// Fails with duplicate_key when two unknown keys recorded since `mark` are equal; then
  /// forgets them. Sorting keeps hostile objects with many keys at O(n log n).
  bool check_duplicates(std::size_t mark) {
    const std::size_t n = keys_.size() - mark;
    if (n == 0) return true;
    if (n >= 2) {
      const auto first = keys_.begin() + static_cast<std::ptrdiff_t>(mark);
      std::sort(first, keys_.end());
      const auto dup = std::adjacent_find(first, keys_.end());
      if (dup != keys_.end()) {
        const std::string key(*dup);
        keys_.resize(mark);
        return fail_at(ErrorCode::duplicate_key, key,
                       {"the key appears more than once in this object"});
      }
    }
    keys_.resize(mark);
    return true;
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

  /// Reads a string member; wrong_type otherwise.
  MORPH_WEBHOOK_INLINE bool get_string(od::value& v, std::string_view& result, std::string_view what) {
    od::raw_json_string raw;
    if (auto e = v.get_raw_json_string().get(raw)) return not_a(v, e, what);
    return decode(raw, result);
  }

  /// The failure of a typed getter: wrong_type (with the type found) or invalid_json.
  bool not_a(od::value& v, simdjson::error_code e, std::string_view what) {
    if (e != simdjson::INCORRECT_TYPE) return json_fail(e);
    od::json_type type{};
    if (auto te = v.type().get(type)) return json_fail(te);
    return wrong_type(what, type);
  }

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

  /// The key of a field (see decode()).
  MORPH_WEBHOOK_INLINE bool read_key(od::field& field, std::string_view& key) { return decode(field.key(), key); }

  /// For optional engagement members: true when the value is `null` and the lenient policy
  /// reads it as absent; false otherwise (strict: `null` is then reported as the wrong type).
  bool absent_null(od::value& v) {
    bool is_null = false;
    return !strict() && v.is_null().get(is_null) == simdjson::SUCCESS && is_null;
  }

  /// The failure of a typed getter on an optional member: fine (absent) for a lenient `null`,
  /// otherwise as not_a(). `absent` tells the caller which.
  bool null_or_not_a(od::value& v, simdjson::error_code e, std::string_view what, bool& absent) {
    absent = e == simdjson::INCORRECT_TYPE && absent_null(v);
    return absent ? true : not_a(v, e, what);
  }

  MORPH_WEBHOOK_INLINE bool timestamp(od::value& v, Timestamp& result) {
    if (!get_string(v, result.text, "an RFC 3339 date-time string")) return false;
    return check_timestamp(result);
  }

  MORPH_WEBHOOK_INLINE bool check_timestamp(Timestamp& result) {
    if (fast_paths && parse_iso_millis_utc(result.text, result.time)) return true;
    return check_timestamp_fully(result);
  }

  bool check_timestamp_fully(Timestamp& result) {
    const DateTimeError e = parse_datetime(result.text, strict(), result.time);
    if (e == DateTimeError::none) return true;
    return fail(ErrorCode::invalid_value, {"invalid date-time ", quote(result.text), ": ",
                                           to_string(e),
                                           " (expected e.g. 2025-03-06T09:05:04.606Z)"});
  }

  // ---- generic validation of values we do not interpret ----

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

  /// True when `p` (inside the body) is where a scalar may end: whitespace, `,`, `]` or `}`.
  MORPH_WEBHOOK_INLINE bool scalar_ends_at(const char* p) const noexcept {
    return p < end_ && (is_json_space(*p) || *p == ',' || *p == ']' || *p == '}');
  }

  /// Checks the literal or number at `p` from its raw bytes, for the common forms only:
  /// `true`, `false`, `null`, a number without exponent of at most 18 digits. True when it is
  /// one of them and valid; false when the full check must decide.
  MORPH_WEBHOOK_INLINE bool plain_scalar(const char* p) const noexcept {
    switch (*p) {
      case 't': return std::memcmp(p, "true", 4) == 0 && scalar_ends_at(p + 4);
      case 'f': return std::memcmp(p, "false", 5) == 0 && scalar_ends_at(p + 5);
      case 'n': return std::memcmp(p, "null", 4) == 0 && scalar_ends_at(p + 4);
      default: {
        // -?(0|[1-9][0-9]*)(\.[0-9]+)?, then a delimiter.
        const char* q = p + (*p == '-');
        const char* const digits = q;
        if (*q == '0') {
          ++q;
        } else {
          while (*q >= '0' && *q <= '9') ++q;
        }
        if (q == digits) return false;
        std::ptrdiff_t count = q - digits;
        if (*q == '.') {
          const char* const fraction = ++q;
          while (*q >= '0' && *q <= '9') ++q;
          if (q == fraction) return false;
          count += q - fraction;
        }
        return count <= 18 && scalar_ends_at(q);
      }
    }
  }

  /// Whether a value ending just before `p` may be left unread for the iterator to skip: the
  /// next byte that is not whitespace must be `,`, `}` or `]`. simdjson 3.0.1's iterator can
  /// skip a malformed remainder without an error when an unread string is followed by anything
  /// else (`{"a":"x":"y"}}`); values followed by anything else are read, which reports it.
  MORPH_WEBHOOK_INLINE bool may_leave_unread(const char* p) const noexcept {
    const char c = next_byte(p);
    return c == ',' || c == '}' || c == ']';
  }

  /// Whether the scalar with raw token `token`, a member or element of a container we do not
  /// interpret, is valid and may be left unread (see may_leave_unread()), checked on its bytes:
  /// a string without escapes, or see plain_scalar(). `plain` tells that no backslash lies in
  /// the token.
  MORPH_WEBHOOK_INLINE bool skippable_scalar(std::string_view token, bool plain) const noexcept {
    const char* const t = token.data();
    // The token runs to the next structural character: no whitespace to skip before it.
    const char* const next = t + token.size();
    if (next >= end_ || (*next != ',' && *next != '}' && *next != ']')) return false;
    if (*t == '"') return plain || plain_string_length(t + 1) != std::string_view::npos;
    return *t != '{' && *t != '[' && plain_scalar(t);
  }

  /// Reads the number whose raw token (trailing whitespace included) is `token`, a member or
  /// element left to the iterator to skip (see may_leave_unread()), as number.hpp explains.
  /// invalid_json when it is no JSON number or beyond a double's range. simdjson's getters are
  /// not used: 3.0.1's get_number() returns 0 for long fractions and its getters disagree on
  /// long exponents (number.hpp).
  MORPH_WEBHOOK_INLINE bool read_number(std::string_view token, double& value) {
    while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
    const detail::NumberStatus status = detail::parse_json_number(token, value);
    return status == detail::NumberStatus::ok || number_fail(status, token);
  }

  MORPH_WEBHOOK_COLD bool number_fail(detail::NumberStatus status, std::string_view token) {
    if (status == detail::NumberStatus::out_of_range) {
      return fail(ErrorCode::invalid_json,
                  {"the body is not valid JSON: the number ", token.substr(0, 32),
                   token.size() > 32 ? "..." : "", " is beyond the range of a double"});
    }
    return fail(ErrorCode::invalid_json,
                {"the body is not valid JSON: ", quote(token), " is not a valid number"});
  }

  bool validate(od::value& v, std::uint32_t depth) {
    // Common scalars are checked on their bytes; containers and everything else below.
    if (fast_paths && skippable_scalar(v.raw_json_token(), false)) return true;
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
      if (fast_paths) {
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
      if (!validate(value, depth + 1)) return unwind(key);
    }
    return true;
  }

  bool validate_array(od::array& arr, std::uint32_t depth) {
    if (depth > max_depth_) return depth_fail();
    std::size_t index = 0;
    for (auto item : arr) {
      if (auto e = item.error()) return json_fail(e);
      od::value& element = item.value_unsafe();
      if (fast_paths) {
        // As in validate_object(): scalars without backslashes inline.
        const std::string_view token = element.raw_json_token();
        const char* const t = token.data();
        if (skippable_scalar(token, no_backslash(t, t + token.size()))) {
          ++index;
          continue;
        }
      }
      if (!validate(element, depth + 1)) return unwind(index);
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
        const detail::NumberStatus status = detail::parse_json_number(token, value);
        if (status != detail::NumberStatus::ok) return number_fail(status, token);
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

  // ---- the envelope ----

  bool walk_event(od::value& v) {
    if (!get_string(v, out.event, "the event name as a string like \"crmEngagement::created\"")) {
      return false;
    }
    if (!split_event_name(out.event, out.model, out.trigger)) {
      return fail(ErrorCode::unknown_event,
                  {"unknown event ", quote(out.event),
                   ": expected \"<model>::<trigger>\" with trigger created, updated or deleted"});
    }
    if (typed && out.model != "crmEngagement") {
      return fail(ErrorCode::unsupported_model,
                  {"the event is for model ", quote(out.model),
                   is_known_model(out.model) ? "" : " (not a documented Morph model)",
                   "; this parser reads crmEngagement events (use parse_envelope for other models)"});
    }
    return true;
  }

  /// Second pass when `data` came before `event`: only `event` and `data` are read again.
  bool walk_deferred_data() {
    doc_.rewind();
    od::object root;
    if (auto e = doc_.get_object().get(root)) return json_fail(e);
    for (auto item : root) {
      if (auto e = item.error()) return json_fail(e);
      od::field& field = item.value_unsafe();
      std::string_view key;
      if (!read_key(field, key)) return false;
      if (eq(key, "event")) {
        if (!walk_event(field.value())) return unwind(key);
      } else if (eq(key, "data")) {
        if (!walk_data(field.value())) return unwind(key);
      }
    }
    return true;
  }

  bool walk_data(od::value& v) {
    od::object obj;
    if (auto e = v.get_object().get(obj)) return not_a(v, e, "a resource object");
    if (max_depth_ < 2) return depth_fail();
    std::uint32_t seen = 0;
    const std::size_t keys_mark = keys_.size();
    for (auto item : obj) {
      if (auto e = item.error()) return json_fail(e);
      od::field& field = item.value_unsafe();
      std::string_view key;
      if (!read_key(field, key)) return false;
      const std::uint32_t k = data_key(key);
      if (k != 0 && !mark_seen(seen, k)) return unwind(key);
      bool ok = true;
      switch (k) {
        case data_object: {
          std::string_view object;
          ok = get_string(field.value(), object, "the string \"resource\"");
          if (ok && object != "resource") {
            ok = fail(ErrorCode::invalid_value, {"expected \"resource\", got ", quote(object)});
          }
          break;
        }
        case data_model:
          ok = get_string(field.value(), out.data_model, "the model name as a string");
          break;
        case data_id:
          ok = get_string(field.value(), out.id, "the id as a string");
          if (ok && out.id.empty()) {
            ok = fail(ErrorCode::invalid_value, {"the id is empty; expected a non-empty string"});
          }
          break;
        case data_fields: ok = walk_fields(field.value()); break;
        case data_created_at: ok = timestamp(field.value(), out.created_at); break;
        case data_updated_at: ok = timestamp(field.value(), out.updated_at); break;
        case data_raw_resource: {
          std::string_view raw;
          ok = raw_value(field.value(), 3, raw);
          out.raw_resource = raw;
          break;
        }
        case data_warnings: ok = walk_warnings(field.value()); break;
        default:
          ok = unknown_key(keys_mark, key) && validate(field.value(), 3);
          break;
      }
      if (!ok) return unwind(key);
    }
    if (keys_.size() != keys_mark && !check_duplicates(keys_mark)) return false;
    struct Required {
      std::uint32_t bit;
      std::string_view key;
      const char* what;
    };
    static constexpr Required required[] = {
        {data_object, "object", "the resource has no \"object\" member (expected \"resource\")"},
        {data_model, "model", "the resource has no \"model\" member"},
        {data_id, "id", "the resource has no \"id\" member"},
        {data_fields, "fields", "the resource has no \"fields\" object"},
        {data_created_at, "createdAt", "the resource has no \"createdAt\" date-time"},
        {data_updated_at, "updatedAt", "the resource has no \"updatedAt\" date-time"},
    };
    for (const Required& r : required) {
      if (!(seen & r.bit)) return fail_at(ErrorCode::missing_field, r.key, {r.what});
    }
    return true;
  }

  bool walk_warnings(od::value& v) {
    od::array arr;
    bool absent = false;
    if (auto e = v.get_array().get(arr)) return null_or_not_a(v, e, "an array of warnings", absent);
    if (max_depth_ < 3) return depth_fail();
    std::size_t index = 0;
    for (auto item : arr) {
      if (auto e = item.error()) return json_fail(e);
      od::value& element = item.value_unsafe();
      if (!walk_warning(element)) return unwind(index);
      ++index;
    }
    return true;
  }

  bool walk_warning(od::value& v) {
    if (warnings_.size() >= options_.max_warnings) {
      return fail(ErrorCode::invalid_value,
                  {"more warnings than the limit of ", unum(options_.max_warnings)});
    }
    od::object obj;
    if (auto e = v.get_object().get(obj)) return not_a(v, e, "a warning object");
    if (max_depth_ < 4) return depth_fail();
    Warning warning;
    std::uint32_t seen = 0;
    const std::size_t keys_mark = keys_.size();
    for (auto item : obj) {
      if (auto e = item.error()) return json_fail(e);
      od::field& field = item.value_unsafe();
      std::string_view key;
      if (!read_key(field, key)) return false;
      const std::uint32_t k = warning_key(key);
      if (k != 0 && !mark_seen(seen, k)) return unwind(key);
      bool ok = true;
      if (k == warning_code) {
        ok = get_string(field.value(), warning.code, "the warning code as a string");
      } else if (k == warning_message) {
        od::value& value = field.value();
        od::raw_json_string raw;
        std::string_view message;
        bool absent = false;
        if (auto e = value.get_raw_json_string().get(raw)) {
          ok = null_or_not_a(value, e, "the warning message as a string", absent);
        } else {
          ok = decode(raw, message);
          warning.message = message;
        }
      } else {
        ok = unknown_key(keys_mark, key) && validate(field.value(), 5);
      }
      if (!ok) return unwind(key);
    }
    if (keys_.size() != keys_mark && !check_duplicates(keys_mark)) return false;
    if (!(seen & warning_code)) {
      return fail_at(ErrorCode::missing_field, "code", {"the warning has no \"code\" string"});
    }
    warnings_.push_back(warning);
    ++out.warnings;
    return true;
  }

  // ---- crmEngagement fields ----

  bool walk_fields(od::value& v) {
    if constexpr (!typed) {
      od::json_type type{};
      if (auto e = v.type().get(type)) return json_fail(e);
      if (type != od::json_type::object) return wrong_type("the fields object", type);
      return raw_value(v, 3, out.fields_raw);
    } else {
      od::object obj;
      if (auto e = v.get_object().get(obj)) return not_a(v, e, "the fields object");
      if (max_depth_ < 3) return depth_fail();
      return walk_engagement(obj);
    }
  }

  template <class E, class From>
  MORPH_WEBHOOK_INLINE bool enum_field(od::value& v, std::optional<EnumField<E>>& result, From from,
                  std::string_view what, std::string_view allowed) {
    od::raw_json_string raw;
    bool absent = false;
    if (auto e = v.get_raw_json_string().get(raw)) return null_or_not_a(v, e, what, absent);
    EnumField<E> f;
    if (!decode(raw, f.text)) return false;
    f.value = from(f.text);
    if (f.value == E::unknown && strict()) {
      return fail(ErrorCode::invalid_value,
                  {"unknown value ", quote(f.text), "; expected one of ", allowed});
    }
    result = f;
    return true;
  }

  MORPH_WEBHOOK_INLINE bool text_field(od::value& v, std::optional<std::string_view>& result) {
    od::raw_json_string raw;
    bool absent = false;
    if (auto e = v.get_raw_json_string().get(raw)) return null_or_not_a(v, e, "a string", absent);
    std::string_view text;
    if (!decode(raw, text)) return false;
    result = text;
    return true;
  }

  MORPH_WEBHOOK_INLINE bool time_field(od::value& v, std::optional<Timestamp>& result) {
    od::raw_json_string raw;
    bool absent = false;
    if (auto e = v.get_raw_json_string().get(raw)) {
      return null_or_not_a(v, e, "an RFC 3339 date-time string", absent);
    }
    Timestamp t;
    if (!decode(raw, t.text) || !check_timestamp(t)) return false;
    result = t;
    return true;
  }

  /// `duration`: the nearest double of the number must be a whole number >= 0 below 2^63
  /// (zod's rule on what JSON.parse reads; see number.hpp).
  bool duration_field(od::value& v, std::optional<std::int64_t>& result) {
    static constexpr std::string_view what = "a whole number of seconds >= 0";
    const std::string_view token = v.raw_json_token();
    const char c = token.empty() ? '\0' : token.front();
    if (c != '-' && (c < '0' || c > '9')) {
      bool absent = false;
      return null_or_not_a(v, simdjson::INCORRECT_TYPE, what, absent);
    }
    double value = 0;
    if (!read_number(token, value)) return false;
    std::int64_t seconds = 0;
    if (!detail::whole_non_negative(value, seconds)) return duration_fail(token, value, what);
    result = seconds;
    return true;
  }

  MORPH_WEBHOOK_COLD bool duration_fail(std::string_view token, double value,
                                        std::string_view what) {
    while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
    const std::string_view shown = token.substr(0, 32);
    const std::string_view cut = token.size() > shown.size() ? "..." : "";
    if (value < 0) {
      return fail(ErrorCode::invalid_value,
                  {"the duration ", shown, cut, " is negative; expected ", what});
    }
    if (value >= 9223372036854775808.0) {
      return fail(ErrorCode::invalid_value,
                  {"the duration ", shown, cut, " is too large; expected at most ",
                   num(detail::max_whole_double_below_2_63),
                   " seconds (the largest whole double below 2^63)"});
    }
    return fail(ErrorCode::invalid_value,
                {"the duration ", shown, cut, " is not ", what,
                 " (JSON numbers are read as the nearest double, as JavaScript does)"});
  }

  /// One ref object into `ref`. `expected` is the model the contract names for this place.
  bool walk_ref(od::value& v, std::string_view expected, std::uint32_t depth, ResourceRef& ref) {
    if (++refs_seen_ > options_.max_refs) {
      return fail(ErrorCode::invalid_value,
                  {"more refs than the limit of ", unum(options_.max_refs)});
    }
    const char* begin = v.raw_json_token().data();
    od::object obj;
    if (auto e = v.get_object().get(obj)) return not_a(v, e, "a resourceRef object");
    if (depth > max_depth_) return depth_fail();
    std::uint32_t seen = 0;
    const std::size_t keys_mark = keys_.size();
    for (auto item : obj) {
      if (auto e = item.error()) return json_fail(e);
      od::field& field = item.value_unsafe();
      std::string_view key;
      if (!read_key(field, key)) return false;
      const std::uint32_t k = ref_key(key);
      if (k != 0 && !mark_seen(seen, k)) return unwind(key);
      bool ok = true;
      switch (k) {
        case ref_object:
          ok = get_string(field.value(), ref.object, "\"resourceRef\" or \"resource\"");
          if (ok && strict() && ref.object != "resourceRef" && ref.object != "resource") {
            ok = fail(ErrorCode::invalid_value,
                      {"expected \"resourceRef\" or \"resource\", got ", quote(ref.object)});
          }
          break;
        case ref_model:
          ok = get_string(field.value(), ref.model, "the model name as a string");
          if (ok && strict() && ref.model != expected) {
            ok = fail(ErrorCode::invalid_value,
                      {"expected model ", quote(expected), ", got ", quote(ref.model)});
          }
          break;
        case ref_id:
          ok = get_string(field.value(), ref.id, "the id as a string");
          if (ok && ref.id.empty()) {
            ok = fail(ErrorCode::invalid_value, {"the id is empty; expected a non-empty string"});
          }
          break;
        default:
          // Extras (remote, rawResource, an expanded ref's fields...) are kept in raw_json.
          ok = unknown_key(keys_mark, key) && validate(field.value(), depth + 1);
          break;
      }
      if (!ok) return unwind(key);
    }
    if (keys_.size() != keys_mark && !check_duplicates(keys_mark)) return false;
    if (!(seen & ref_id)) return fail_at(ErrorCode::missing_field, "id", {"the ref has no \"id\""});
    if (strict()) {
      if (!(seen & ref_object)) {
        return fail_at(ErrorCode::missing_field, "object",
                       {"the ref has no \"object\" (expected \"resourceRef\")"});
      }
      if (!(seen & ref_model)) {
        return fail_at(ErrorCode::missing_field, "model",
                       {"the ref has no \"model\" (expected ", quote(expected), ")"});
      }
    }
    ref.raw_json = std::string_view(begin, static_cast<std::size_t>(value_end() - begin));
    return true;
  }

  bool owner_field(od::value& v) {
    ResourceRef ref;
    const char* p = v.raw_json_token().data();
    if (fast_paths && *p == '{' && max_depth_ >= 4 && refs_seen_ < options_.max_refs &&
        fast_ref(p, user_refs, ref) && may_leave_unread(p)) {
      ++refs_seen_;
      ++fast_refs;
      out.fields->owner = ref;
      return true;  // the On-Demand value is skipped, as in fast_ref_list()
    }
    ref = ResourceRef{};
    if (absent_null(v)) return true;
    if (!walk_ref(v, user_refs.model, 4, ref)) return false;
    out.fields->owner = ref;
    return true;
  }

  /// The next byte that is not JSON whitespace, or '\0' at the end of the body (the padding
  /// after it may hold anything, so the raw fast paths never read past end_).
  MORPH_WEBHOOK_INLINE char next_byte(const char*& p) const noexcept {
    while (p < end_ && is_json_space(*p)) ++p;
    return p < end_ ? *p : '\0';
  }

  /// Fast path for one ref written the usual way; `p` is at its `{` and, on success, moves past
  /// its `}`. Reads the raw bytes (stage 1 has already checked their UTF-8, their control bytes
  /// and where strings end) and accepts exactly what walk_ref() accepts without a message: an
  /// object with only object/model/id members holding strings without escapes. Anything else
  /// (extras, escapes, a problem to report) returns false and the caller takes the general
  /// path, which reports what is wrong.
  MORPH_WEBHOOK_INLINE bool fast_ref(const char*& p, const RefPattern& pattern, ResourceRef& ref) {
    const char* const begin = p;
    // The usual bytes, compared at once; then the id, then the closing brace.
    if (end_ - p > static_cast<std::ptrdiff_t>(pattern.size) && starts_with_pattern(p, pattern)) {
      const char* id = p + pattern.size;
      const std::size_t n = plain_string_length(id);
      if (n != std::string_view::npos && n != 0 && id + n + 1 < end_ && id[n + 1] == '}') {
        ref.object = std::string_view(p + RefPattern::object_at, RefPattern::object_size);
        ref.model = std::string_view(p + RefPattern::head.size(), pattern.model.size());
        ref.id = std::string_view(id, n);
        p = id + n + 2;
        ref.raw_json = std::string_view(begin, static_cast<std::size_t>(p - begin));
        return true;
      }
    }
    // Any order, any whitespace: member by member.
    ++p;
    if (next_byte(p) != '"') return false;
    std::uint32_t seen = 0;
    for (;;) {
      ++p;
      std::size_t n = plain_string_length(p);
      if (n == std::string_view::npos) return false;
      const std::uint32_t k = ref_key(std::string_view(p, n));
      if (k == 0 || (seen & k)) return false;
      seen |= k;
      p += n + 1;
      if (next_byte(p) != ':') return false;
      ++p;
      if (next_byte(p) != '"') return false;
      ++p;
      n = plain_string_length(p);
      if (n == std::string_view::npos) return false;
      const std::string_view value(p, n);
      p += n + 1;
      if (k == ref_id) {
        ref.id = value;
      } else if (k == ref_model) {
        ref.model = value;
      } else {
        ref.object = value;
      }
      const char c = next_byte(p);
      if (c == '}') break;
      if (c != ',') return false;
      ++p;
      if (next_byte(p) != '"') return false;
    }
    ++p;
    if (!(seen & ref_id) || ref.id.empty()) return false;
    if (strict() && (seen != (ref_id | ref_model | ref_object) || ref.model != pattern.model ||
                     (ref.object != "resourceRef" && ref.object != "resource"))) {
      return false;
    }
    ref.raw_json = std::string_view(begin, static_cast<std::size_t>(p - begin));
    return true;
  }

  /// Fast path for a whole ref list (see fast_ref()); `p` is at its `[`. On failure nothing is
  /// kept and the caller walks the list with On-Demand. On success the On-Demand value is left
  /// untouched: its iterator skips it (stage 1 has indexed where it ends).
  bool fast_ref_list(const char* p, const RefPattern& pattern, ListSlot& slot) {
    if (*p != '[' || max_depth_ < 5) return false;  // refs in lists sit at depth 5
    const std::size_t first = refs_.size();
    const std::size_t refs_seen = refs_seen_;
    ++p;
    char c = next_byte(p);
    bool ok = c == ']';
    while (!ok && c == '{' && ++refs_seen_ <= options_.max_refs) {
      if (!fast_ref(p, pattern, refs_.emplace_back())) break;
      c = next_byte(p);
      if (c == ']') {
        ok = true;
      } else if (c == ',') {
        ++p;
        c = next_byte(p);
      } else {
        break;
      }
    }
    if (!ok || !may_leave_unread(p + 1)) {
      refs_.resize(first);
      refs_seen_ = refs_seen;
      return false;
    }
    fast_refs += refs_.size() - first;
    slot.begin = first;
    slot.count = refs_.size() - first;
    slot.present = true;
    return true;
  }

  bool ref_list(od::value& v, const RefPattern& pattern, ListSlot& slot) {
    if (fast_paths && fast_ref_list(v.raw_json_token().data(), pattern, slot)) return true;
    const std::string_view expected = pattern.model;
    od::array arr;
    bool absent = false;
    if (auto e = v.get_array().get(arr)) {
      return null_or_not_a(v, e, "an array of resourceRef objects", absent);
    }
    if (max_depth_ < 4) return depth_fail();
    slot.begin = refs_.size();
    slot.present = true;
    std::size_t index = 0;
    for (auto item : arr) {
      if (auto e = item.error()) return json_fail(e);
      od::value& element = item.value_unsafe();
      ResourceRef ref;
      if (!walk_ref(element, expected, 5, ref)) return unwind(index);
      refs_.push_back(ref);
      ++index;
    }
    slot.count = index;
    return true;
  }

  bool walk_engagement(od::object& obj) {
    Engagement& f = *out.fields;
    std::uint32_t seen = 0;
    const std::size_t keys_mark = keys_.size();
    for (auto item : obj) {
      if (auto e = item.error()) return json_fail(e);
      od::field& field = item.value_unsafe();
      std::string_view key;
      if (!read_key(field, key)) return false;
      const std::uint32_t k = field_key(key);
      if (k != 0 && !mark_seen(seen, k)) return unwind(key);
      od::value& v = field.value();
      bool ok = true;
      switch (k) {
        case field_type:
          ok = enum_field(v, f.type, engagement_type_from, "the engagement type as a string",
                          "call, meeting, email, task, note");
          break;
        case field_direction:
          ok = enum_field(v, f.direction, direction_from, "the direction as a string",
                          "inbound, outbound");
          break;
        case field_status:
          ok = enum_field(v, f.status, status_from, "the status as a string",
                          "planned, inProgress, completed, canceled");
          break;
        case field_title: ok = text_field(v, f.title); break;
        case field_description: ok = text_field(v, f.description); break;
        case field_started_at: ok = time_field(v, f.started_at); break;
        case field_ended_at: ok = time_field(v, f.ended_at); break;
        case field_duration: ok = duration_field(v, f.duration); break;
        case field_owner: ok = owner_field(v); break;
        case field_users: ok = ref_list(v, user_refs, out.users); break;
        case field_companies: ok = ref_list(v, company_refs, out.companies); break;
        case field_contacts: ok = ref_list(v, contact_refs, out.contacts); break;
        case field_opportunities: ok = ref_list(v, opportunity_refs, out.opportunities); break;
        default: ok = unknown_key(keys_mark, key) && validate(v, 4); break;
      }
      if (!ok) return unwind(key);
    }
    if (keys_.size() != keys_mark && !check_duplicates(keys_mark)) return false;
    if (strict()) {
      if (!f.type) {
        return fail_at(ErrorCode::missing_field, "type",
                       {"the strict policy requires \"type\" (call, meeting, email, task, note)"});
      }
      if (!f.started_at) {
        return fail_at(ErrorCode::missing_field, "startedAt",
                       {"the strict policy requires \"startedAt\" (an RFC 3339 date-time)"});
      }
    }
    return true;
  }

  od::parser& json_;
  od::document& doc_;
  const ParseOptions& options_;
  // The effective depth limit: ours, capped below simdjson's own (its iterator must never reach
  // its limit: past it, simdjson asserts in debug builds and overruns in release ones).
  std::uint32_t max_depth_ = std::min<std::uint32_t>(
      options_.max_depth,
      static_cast<std::uint32_t>(json_.max_depth() > 2 ? json_.max_depth() - 2 : 1));
  std::vector<ResourceRef>& refs_;
  std::vector<Warning>& warnings_;
  std::vector<std::string_view>& keys_;
  std::uint8_t* strings_;  // where escaped strings are unescaped to (Parser-owned)
  std::size_t refs_seen_ = 0;  // refs met so far, the owner included (for max_refs)
  const char* next_backslash_ = nullptr;  // first backslash at or after backslash_from_ (see
  const char* backslash_from_ = nullptr;  // no_backslash()), end_ when there is none
  const char* end_;
};

/// The message for a simdjson error: what is wrong in words a webhook author understands.
MORPH_WEBHOOK_COLD inline std::string json_message(simdjson::error_code e) {
  std::string message = "the body is not valid JSON: ";
  switch (e) {
    case simdjson::INCORRECT_TYPE:
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      message += "a value is not a valid literal (expected true, false, null, a number, a "
                 "string, an object or an array)";
      break;
    case simdjson::NUMBER_ERROR:
      message += "a number is malformed or out of the range of a double";
      break;
    case simdjson::STRING_ERROR:
      message += "a string has an invalid escape sequence";
      break;
    case simdjson::UNESCAPED_CHARS:
      message += "a string holds an unescaped control character (below 0x20)";
      break;
    case simdjson::UNCLOSED_STRING:
      message += "a string is not closed";
      break;
    case simdjson::UTF8_ERROR:
      message += "the text is not valid UTF-8";
      break;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      message += "an object or array is not closed, or something follows the root value";
      break;
    case simdjson::DEPTH_ERROR:
      message += "arrays and objects nest too deep";
      break;
    default:
      message += simdjson::error_message(e);
      break;
  }
  return message;
}

inline bool only_whitespace(std::string_view body) noexcept {
  for (const char c : body) {
    if (!is_json_space(c)) return false;
  }
  return true;
}

}  // namespace detail
/// @endcond

namespace detail {
MORPH_WEBHOOK_COLD inline Error make_error(ErrorCode code, std::initializer_list<Piece> message) {
  return Error{code, "", "", format_message(message)};
}
MORPH_WEBHOOK_COLD inline Error json_error(simdjson::error_code e) {
  return Error{ErrorCode::invalid_json, "", "", json_message(e)};
}
MORPH_WEBHOOK_COLD inline Error body_too_large(std::size_t size, std::size_t limit) {
  return Error{ErrorCode::body_too_large, "", "",
               "the body has " + std::to_string(size) + " bytes; the limit is " +
                   std::to_string(limit) + " (ParseOptions::max_body_bytes)"};
}
}  // namespace detail

template <class Event>
Result<Event> Parser::run(simdjson::padded_string_view body, std::size_t size,
                          const ParseOptions& options) noexcept {
  refs_.clear();
  warnings_.clear();
  keys_.clear();
  if (size > options.max_body_bytes) return detail::body_too_large(size, options.max_body_bytes);
  const std::string_view text(body.data(), size);
  if (detail::only_whitespace(text)) {
    return detail::make_error(ErrorCode::empty_body, {"the body is empty; expected a JSON object"});
  }
  if (!reserve_strings(size)) {
    return detail::make_error(ErrorCode::body_too_large, {"out of memory for a body of this size"});
  }
  simdjson::ondemand::document doc;
  if (auto e = json_.iterate(body).get(doc)) return detail::json_error(e);
  return walk<Event>(doc, body, size, options);  // a prvalue: built in our caller's slot
}

template <class Event>
Result<Event> Parser::walk(simdjson::ondemand::document& doc, simdjson::padded_string_view body,
                           std::size_t size, const ParseOptions& options) noexcept {
  // The event is built where it is returned to: every return below names `result`, so it is
  // constructed in the caller's slot (NRVO) and its large fields are never copied.
  Result<Event> result(std::in_place);
  Event& event = *result;
  detail::Walker<Event> walker(json_, doc, options, refs_, warnings_, keys_, strings_.get(),
                               body.data() + size, fast_paths_);
  if constexpr (std::is_same_v<Event, WebhookEvent>) walker.out.fields = &event.fields;
  const bool walked = walker.walk_root();
  fast_refs_ = walker.fast_refs;
  if (!walked) {
    result = failure<Event>(body, size, options, std::move(walker.error));
    return result;  // one returned object throughout: the event is never copied (NRVO)
  }

  const detail::WalkOutput& out = walker.out;
  event.event = out.event;
  event.trigger = out.trigger;
  event.model = out.model;
  event.id = out.id;
  event.created_at = out.created_at;
  event.updated_at = out.updated_at;
  event.raw_resource = out.raw_resource;
  event.warnings = WarningList(warnings_.data(), warnings_.size());
  if constexpr (std::is_same_v<Event, WebhookEvent>) {
    // Ref lists were appended to one vector (which may have grown); point into it now.
    const auto list = [this](const detail::ListSlot& slot) -> std::optional<RefList> {
      if (!slot.present) return std::nullopt;
      return RefList(refs_.data() + slot.begin, slot.count);
    };
    event.fields.users = list(out.users);
    event.fields.companies = list(out.companies);
    event.fields.contacts = list(out.contacts);
    event.fields.opportunities = list(out.opportunities);
  } else {
    event.fields = out.fields_raw;
  }
  return result;
}

template <class Event>
MORPH_WEBHOOK_COLD Error Parser::failure(simdjson::padded_string_view body, std::size_t size,
                                         const ParseOptions& options, Error error) noexcept {
  if (error.code != ErrorCode::invalid_json) {
    // A semantic error was found first; a syntax error anywhere in the body still wins, so
    // that "not JSON" is never reported as something subtler.
    keys_.clear();
    simdjson::ondemand::document check;
    if (auto e = json_.iterate(body).get(check)) return detail::json_error(e);
    detail::Walker<Event> validator(json_, check, options, refs_, warnings_, keys_,
                                    strings_.get(), body.data() + size, fast_paths_);
    if (!validator.validate_document()) return std::move(validator.error);
  }
  return error;
}

inline bool Parser::reserve_strings(std::size_t size) noexcept {
  // Unescaping never lengthens a string; simdjson may write up to its padding past the end.
  const std::size_t needed = size + simdjson::SIMDJSON_PADDING;
  if (strings_capacity_ >= needed) return true;
  const std::size_t capacity = std::max(needed, strings_capacity_ + strings_capacity_ / 2);
  strings_.reset(new (std::nothrow) std::uint8_t[capacity]);
  strings_capacity_ = strings_ ? capacity : 0;
  return strings_ != nullptr;
}

template <class Event>
Result<Event> Parser::run_copy(std::string_view body, const ParseOptions& options) noexcept {
  if (body.size() > options.max_body_bytes) {
    return detail::body_too_large(body.size(), options.max_body_bytes);
  }
  const std::size_t needed = body.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_capacity_ < needed) {
    // Grow geometrically so a slowly growing stream of bodies does not reallocate each time.
    const std::size_t capacity = std::max(needed, buffer_capacity_ + buffer_capacity_ / 2);
    buffer_.reset(new (std::nothrow) char[capacity]);
    if (!buffer_) {
      buffer_capacity_ = 0;
      return detail::make_error(ErrorCode::body_too_large, {"out of memory copying the body"});
    }
    buffer_capacity_ = capacity;
  }
  if (!body.empty()) std::memcpy(buffer_.get(), body.data(), body.size());
  std::memset(buffer_.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
  return run<Event>(simdjson::padded_string_view(buffer_.get(), body.size(), needed), body.size(),
                    options);
}

inline Result<WebhookEvent> Parser::parse(std::string_view body) noexcept {
  return run_copy<WebhookEvent>(body, options_);
}
inline Result<WebhookEvent> Parser::parse(std::string_view body,
                                          const ParseOptions& options) noexcept {
  return run_copy<WebhookEvent>(body, options);
}
inline Result<WebhookEvent> Parser::parse(simdjson::padded_string_view body) noexcept {
  return run<WebhookEvent>(body, body.length(), options_);
}
inline Result<WebhookEvent> Parser::parse(simdjson::padded_string_view body,
                                          const ParseOptions& options) noexcept {
  return run<WebhookEvent>(body, body.length(), options);
}
inline Result<ResourceEvent> Parser::parse_envelope(std::string_view body) noexcept {
  return run_copy<ResourceEvent>(body, options_);
}
inline Result<ResourceEvent> Parser::parse_envelope(std::string_view body,
                                                    const ParseOptions& options) noexcept {
  return run_copy<ResourceEvent>(body, options);
}
inline Result<ResourceEvent> Parser::parse_envelope(simdjson::padded_string_view body,
                                                    const ParseOptions& options) noexcept {
  return run<ResourceEvent>(body, body.length(), options);
}

namespace detail {
/// Test hook, not part of the API: turns a Parser's raw-byte fast paths off or on, so tests
/// and the fuzzer can check that both paths reach the same verdict and values.
struct ParserTesting {
  static void set_fast_paths(Parser& parser, bool on) noexcept { parser.fast_paths_ = on; }
  static std::size_t fast_refs(const Parser& parser) noexcept { return parser.fast_refs_; }
};

inline Parser& thread_parser() noexcept {
  static thread_local Parser parser;
  return parser;
}
}  // namespace detail

inline Result<WebhookEvent> parse_event(std::string_view body,
                                        const ParseOptions& options) noexcept {
  return detail::thread_parser().parse(body, options);
}

inline Result<ResourceEvent> parse_envelope(std::string_view body,
                                            const ParseOptions& options) noexcept {
  return detail::thread_parser().parse_envelope(body, options);
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_PARSER_HPP
