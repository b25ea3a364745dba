/// @file headers.hpp
/// @brief validate_headers(): the three Morph webhook headers, checked.
///
/// Morph sends three required headers with every webhook (see the contract):
///
/// | header              | Headers member     | notes                                          |
/// |---------------------|--------------------|------------------------------------------------|
/// | `x-conector-id`     | `connector_id`     | `x-connector-id` is accepted too (same header) |
/// | `x-owner-id`        | `owner_id`         |                                                |
/// | `x-idempotency-key` | `idempotency_key`  | opaque, compare byte for byte                  |
///
/// Rules: names are case-insensitive; surrounding spaces and tabs are trimmed from values; a
/// value that is empty (after trimming), holds a control byte (below 0x20, or 0x7F) or is
/// longer than HeaderOptions::max_value_bytes is `invalid_header`; a header sent more than
/// once with different values (names differing only in case, or the two connector spellings,
/// count as the same header) is `duplicate_header`; repeating the same value is allowed; an
/// absent header is `missing_header`. Every other header is ignored.
///
/// When several headers are wrong, the first in the order connector, owner, idempotency key is
/// reported, and for one header `invalid_header` wins over `duplicate_header`. The verdict does
/// not depend on the order in which the headers are iterated.
///
/// ## Lifetime rule
/// The views in a returned Headers point into the caller's header storage (the map, the
/// vector, the framework's request object): keep that alive as long as the Headers.
#ifndef MORPH_WEBHOOK_HEADERS_HPP
#define MORPH_WEBHOOK_HEADERS_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "morph/webhook/error.hpp"

namespace morph::webhook {

/// The three Morph headers of one request, trimmed. Views into the caller's header storage.
struct Headers {
  std::string_view connector_id;     ///< `x-conector-id` (or `x-connector-id`), e.g. `hubspot`.
  std::string_view owner_id;         ///< `x-owner-id`: the end customer's account in Morph.
  std::string_view idempotency_key;  ///< `x-idempotency-key`: same for every retry of one event.

  /// Equal when the three values are equal byte for byte.
  friend constexpr bool operator==(const Headers& a, const Headers& b) noexcept {
    return a.connector_id == b.connector_id && a.owner_id == b.owner_id &&
           a.idempotency_key == b.idempotency_key;
  }
  /// Negation of ==.
  friend constexpr bool operator!=(const Headers& a, const Headers& b) noexcept {
    return !(a == b);
  }
};

/// The connector header as Morph's webhook documentation spells it (one `n`).
inline constexpr std::string_view connector_id_header = "x-conector-id";
/// The connector header as Morph's REST API spells it; accepted as the same header.
inline constexpr std::string_view connector_id_header_alt = "x-connector-id";
/// The owner header.
inline constexpr std::string_view owner_id_header = "x-owner-id";
/// The idempotency key header.
inline constexpr std::string_view idempotency_key_header = "x-idempotency-key";

/// Default longest accepted header value, in bytes, after trimming (1024).
inline constexpr std::size_t default_max_header_value_bytes = 1024;

/// Limits for validate_headers().
struct HeaderOptions {
  /// Longest accepted value, in bytes, after trimming; longer is `invalid_header`.
  std::size_t max_value_bytes = default_max_header_value_bytes;
};

/// Header name/value pairs given inline, e.g. `{{"x-owner-id", "42"}, ...}`.
using HeaderList = std::initializer_list<std::pair<std::string_view, std::string_view>>;

namespace detail {

// An entry with `.first` / `.second` (std::pair and every std map).
template <class E, class = void>
struct has_first_second : std::false_type {};
template <class E>
struct has_first_second<E, std::void_t<decltype(std::declval<const E&>().first),
                                       decltype(std::declval<const E&>().second)>>
    : std::true_type {};

// An entry with `.name_string()` / `.value()` (Boost.Beast's http::fields).
template <class E, class = void>
struct has_name_string_value : std::false_type {};
template <class E>
struct has_name_string_value<E, std::void_t<decltype(std::declval<const E&>().name_string()),
                                            decltype(std::declval<const E&>().value())>>
    : std::true_type {};

// Anything with data() (of chars) and size(), or convertible to std::string_view.
template <class S, class = void>
struct is_text : std::is_convertible<const S&, std::string_view> {};
template <class S>
struct is_text<S, std::enable_if_t<
                      std::is_convertible_v<decltype(std::declval<const S&>().data()), const char*>,
                      std::void_t<decltype(std::declval<const S&>().size())>>> : std::true_type {};

template <class S>
std::string_view as_view(const S& text) noexcept {
  if constexpr (std::is_convertible_v<const S&, std::string_view>) {
    return std::string_view(text);
  } else {
    return std::string_view(text.data(), static_cast<std::size_t>(text.size()));
  }
}

template <class E>
constexpr bool is_header_entry() noexcept {
  if constexpr (has_first_second<E>::value) {
    return is_text<std::decay_t<decltype(std::declval<const E&>().first)>>::value &&
           is_text<std::decay_t<decltype(std::declval<const E&>().second)>>::value;
  } else if constexpr (has_name_string_value<E>::value) {
    return is_text<std::decay_t<decltype(std::declval<const E&>().name_string())>>::value &&
           is_text<std::decay_t<decltype(std::declval<const E&>().value())>>::value;
  } else {
    return false;
  }
}

template <class E>
std::string_view entry_name(const E& entry) noexcept {
  if constexpr (has_first_second<E>::value) {
    return as_view(entry.first);
  } else {
    return as_view(entry.name_string());
  }
}

template <class E>
std::string_view entry_value(const E& entry) noexcept {
  if constexpr (has_first_second<E>::value) {
    return as_view(entry.second);
  } else {
    return as_view(entry.value());
  }
}

template <class H, class = void>
struct is_header_range_impl : std::false_type {};
template <class H>
struct is_header_range_impl<H, std::void_t<decltype(std::begin(std::declval<const H&>())),
                                           decltype(std::end(std::declval<const H&>()))>>
    : std::bool_constant<
          is_header_entry<std::decay_t<decltype(*std::begin(std::declval<const H&>()))>>()> {};

/// True when `H` is a range of header name/value pairs that validate_headers() accepts.
template <class H>
inline constexpr bool is_header_range_v = is_header_range_impl<H>::value;

inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// A lowercase header name and a mask with 0x20 at its letters: `(byte | mask) == lower` is
// an ASCII case-insensitive comparison, eight bytes at a time.
struct NameKey {
  char lower[24];
  char mask[24];
  std::size_t size;
};

constexpr NameKey make_name_key(std::string_view lower) noexcept {
  NameKey key{};
  key.size = lower.size();
  for (std::size_t i = 0; i < lower.size(); ++i) {
    key.lower[i] = lower[i];
    key.mask[i] = (lower[i] >= 'a' && lower[i] <= 'z') ? '\x20' : '\0';
  }
  return key;
}

// `name` (of key.size >= 8 bytes) equals the key's name, ignoring ASCII case.
inline bool equals_key(std::string_view name, const NameKey& key) noexcept {
  const std::size_t n = key.size;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    if ((load8(name.data() + i) | load8(key.mask + i)) != load8(key.lower + i)) return false;
  }
  if (i < n) {
    i = n - 8;  // last, overlapping word
    if ((load8(name.data() + i) | load8(key.mask + i)) != load8(key.lower + i)) return false;
  }
  return true;
}

inline constexpr NameKey connector_key = make_name_key(connector_id_header);
inline constexpr NameKey connector_alt_key = make_name_key(connector_id_header_alt);
inline constexpr NameKey owner_key = make_name_key(owner_id_header);
inline constexpr NameKey idempotency_key = make_name_key(idempotency_key_header);

// Which of the three headers a name is; -1 for any other header.
// The connector spellings map to slot 0 with `alt` telling which one was used.
inline int header_slot(std::string_view name, bool& alt) noexcept {
  // Cheap filters first: all four names start with "x-" and have distinct lengths.
  if (name.size() < 10 || (name[0] != 'x' && name[0] != 'X') || name[1] != '-') return -1;
  switch (name.size()) {
    case 10: return equals_key(name, owner_key) ? 1 : -1;
    case 13: alt = false; return equals_key(name, connector_key) ? 0 : -1;
    case 14: alt = true; return equals_key(name, connector_alt_key) ? 0 : -1;
    case 17: return equals_key(name, idempotency_key) ? 2 : -1;
    default: return -1;
  }
}

constexpr bool is_control_byte(unsigned char c) noexcept { return c < 0x20 || c == 0x7F; }

// True when `v` holds a byte below 0x20 or 0x7F; eight bytes at a time.
inline bool has_control_byte(std::string_view v) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101u;
  constexpr std::uint64_t highs = 0x8080808080808080u;
  const auto word_has = [](std::uint64_t x) {
    const std::uint64_t below_20 = (x - ones * 0x20u) & ~x & highs;  // some byte < 0x20
    const std::uint64_t y = x ^ (ones * 0x7Fu);
    const std::uint64_t is_7f = (y - ones) & ~y & highs;  // some byte == 0x7F
    return (below_20 | is_7f) != 0;
  };
  const std::size_t n = v.size();
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      if (is_control_byte(static_cast<unsigned char>(v[i]))) return true;
    }
    return false;
  }
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    if (word_has(load8(v.data() + i))) return true;
  }
  return i < n && word_has(load8(v.data() + n - 8));  // last, overlapping word
}

// Why a value is invalid; higher values win when a header is sent several times invalidly.
enum class ValueProblem : std::uint8_t { none, empty, too_long, control_byte };

// What was seen of one header across all its occurrences.
struct HeaderSlot {
  std::string_view value;    // first valid value
  bool seen = false;         // at least one occurrence
  bool seen_valid = false;   // at least one valid occurrence
  bool conflicting = false;  // two valid occurrences with different values
  ValueProblem problem = ValueProblem::none;
  unsigned char bad_byte = 0;      // for control_byte
  std::size_t bad_offset = 0;      // for control_byte (offset in the trimmed value)
  std::size_t bad_length = 0;      // for too_long
  unsigned spellings = 0;          // connector only: bit 0 x-conector-id, bit 1 x-connector-id
  unsigned invalid_spellings = 0;  // connector only: spellings that carried an invalid value
};

constexpr std::string_view trim_spaces_tabs(std::string_view v) noexcept {
  std::size_t b = 0;
  std::size_t e = v.size();
  while (b < e && (v[b] == ' ' || v[b] == '\t')) ++b;
  while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
  return v.substr(b, e - b);
}

inline void record(HeaderSlot& slot, std::string_view raw, unsigned spelling,
                   std::size_t max_value_bytes) noexcept {
  slot.seen = true;
  slot.spellings |= spelling;
  const std::string_view v = trim_spaces_tabs(raw);
  ValueProblem problem = ValueProblem::none;
  unsigned char bad = 0;
  std::size_t offset = 0;
  if (v.empty()) {
    problem = ValueProblem::empty;
  } else {
    if (has_control_byte(v)) {
      // Failure path: find the first one for the message.
      for (std::size_t i = 0; i < v.size(); ++i) {
        const auto c = static_cast<unsigned char>(v[i]);
        if (is_control_byte(c)) {
          problem = ValueProblem::control_byte;
          bad = c;
          offset = i;
          break;
        }
      }
    }
    if (problem == ValueProblem::none && v.size() > max_value_bytes) {
      problem = ValueProblem::too_long;
    }
  }
  if (problem != ValueProblem::none) {
    slot.invalid_spellings |= spelling;
    if (problem > slot.problem) {
      slot.problem = problem;
      slot.bad_byte = bad;
      slot.bad_offset = offset;
      slot.bad_length = v.size();
    }
    return;
  }
  if (!slot.seen_valid) {
    slot.seen_valid = true;
    slot.value = v;
  } else if (v != slot.value) {
    slot.conflicting = true;
  }
}

inline std::string_view slot_name(int slot, unsigned spellings) noexcept {
  switch (slot) {
    case 0: return spellings == 2u ? connector_id_header_alt : connector_id_header;
    case 1: return owner_id_header;
    default: return idempotency_key_header;
  }
}

inline Error header_error(ErrorCode code, std::string_view name, std::string message) {
  Error error;
  error.code = code;
  error.header = std::string(name);
  error.message = std::move(message);
  return error;
}

inline std::string hex_byte(unsigned char c) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "0x";
  out += digits[c >> 4];
  out += digits[c & 0xF];
  return out;
}

// The error for one slot, or code-less result (returns false) when the slot is fine.
inline bool slot_error(const HeaderSlot& slot, int index, std::size_t max_value_bytes, Error& out) {
  if (!slot.seen) {
    const std::string_view name = slot_name(index, 0);
    std::string message = "required header ";
    message += name;
    if (index == 0) {
      message += " (or x-connector-id)";
    }
    message += " is missing";
    out = header_error(ErrorCode::missing_header, name, std::move(message));
    return true;
  }
  if (slot.problem != ValueProblem::none) {
    const std::string_view name = slot_name(index, slot.invalid_spellings);
    std::string message = "header ";
    message += name;
    switch (slot.problem) {
      case ValueProblem::empty: message += " is empty; expected a non-empty value"; break;
      case ValueProblem::control_byte:
        message += " holds the control byte " + hex_byte(slot.bad_byte) + " at offset " +
                   std::to_string(slot.bad_offset) +
                   "; control characters (below 0x20, 0x7F) are not allowed";
        break;
      case ValueProblem::too_long:
        message += " is " + std::to_string(slot.bad_length) + " bytes long; the limit is " +
                   std::to_string(max_value_bytes) + " bytes";
        break;
      case ValueProblem::none: break;
    }
    out = header_error(ErrorCode::invalid_header, name, std::move(message));
    return true;
  }
  if (slot.conflicting) {
    const std::string_view name = slot_name(index, slot.spellings);
    std::string message;
    if (slot.spellings == 3u) {
      message = "headers x-conector-id and x-connector-id carry different values; send one";
    } else {
      message = "header ";
      message += name;
      message += " appears more than once with different values; send it once";
    }
    out = header_error(ErrorCode::duplicate_header, name, std::move(message));
    return true;
  }
  return false;
}

template <class It>
Result<Headers> validate_header_range(It first, It last, const HeaderOptions& options) noexcept {
  HeaderSlot slots[3];
  for (; first != last; ++first) {
    const auto& entry = *first;
    bool alt = false;
    const int slot = header_slot(entry_name(entry), alt);
    if (slot < 0) continue;
    record(slots[slot], entry_value(entry), slot == 0 ? (alt ? 2u : 1u) : 0u,
           options.max_value_bytes);
  }
  const auto fine = [](const HeaderSlot& slot) {
    return slot.seen_valid && slot.problem == ValueProblem::none && !slot.conflicting;
  };
  if (fine(slots[0]) && fine(slots[1]) && fine(slots[2])) {
    return Headers{slots[0].value, slots[1].value, slots[2].value};
  }
  // Failure path: the first wrong header, in the order connector, owner, key.
  Error error;
  for (int i = 0; i < 3; ++i) {
    if (slot_error(slots[i], i, options.max_value_bytes, error)) break;
  }
  return error;
}

}  // namespace detail

/// Checks the three Morph headers in `headers` and returns their trimmed values.
///
/// `H` is any range of name/value pairs whose members convert to `std::string_view` (or have
/// `data()`/`size()`): `std::map`, `std::multimap`, `std::unordered_multimap`,
/// `std::vector<std::pair<std::string, std::string>>`, `httplib::Headers`, Boost.Beast's
/// `http::fields` (entries with `name_string()`/`value()`), and the like. Other headers are
/// ignored. Allocates nothing on success; errors carry the lowercase header name in
/// Error::header and an empty Error::pointer. See headers.hpp for the rules and the lifetime.
template <class H, std::enable_if_t<detail::is_header_range_v<H>, int> = 0>
[[nodiscard]] Result<Headers> validate_headers(const H& headers,
                                               const HeaderOptions& options = {}) noexcept {
  return detail::validate_header_range(std::begin(headers), std::end(headers), options);
}

/// Same, for headers written inline: `validate_headers({{"x-owner-id", "42"}, ...})`.
[[nodiscard]] inline Result<Headers> validate_headers(HeaderList headers,
                                                      const HeaderOptions& options = {}) noexcept {
  return detail::validate_header_range(headers.begin(), headers.end(), options);
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_HEADERS_HPP
