/// @file values.hpp
/// @brief The values an event is made of: Trigger, EnumField, Timestamp, ResourceRef, Warning
/// and the list views RefList and WarningList.
///
/// Every `std::string_view` in these types points into the Parser that produced the event
/// (its copy of the body or its string buffer) and stays valid until the next parse on that
/// Parser. Use to_owned() (owned.hpp) to keep an event longer.
#ifndef MORPH_WEBHOOK_VALUES_HPP
#define MORPH_WEBHOOK_VALUES_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <variant>

namespace morph::webhook {

/// What happened to the resource: the part after `::` in `event`.
enum class Trigger : std::uint8_t { created, updated, deleted };

/// The wire name of a trigger: `"created"`, `"updated"` or `"deleted"`.
[[nodiscard]] constexpr std::string_view to_string(Trigger value) noexcept {
  switch (value) {
    case Trigger::created: return "created";
    case Trigger::updated: return "updated";
    case Trigger::deleted: return "deleted";
  }
  return "unknown";
}

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {
template <class E, class = void>
struct UnlistedOf {
  static constexpr E value = E::unknown;
  static constexpr bool lists_unknown = false;
};
template <class E>
struct UnlistedOf<E, std::void_t<decltype(E::unlisted)>> {
  static constexpr E value = E::unlisted;
  static constexpr bool lists_unknown = true;
};
}  // namespace detail
/// @endcond

/// The enumerator of `E` that stands for text the schema does not list (kept by the lenient
/// policy): `E::unknown`, or `E::unlisted` for an enum whose schema itself lists the wire
/// value `"unknown"` (crmStage's `type`), where `E::unknown` is that listed value.
template <class E>
inline constexpr E unlisted_value = detail::UnlistedOf<E>::value;

/// True for an enum whose schema lists the wire value `"unknown"` (it has `E::unlisted`).
template <class E>
inline constexpr bool lists_unknown_v = detail::UnlistedOf<E>::lists_unknown;

/// An enum field as received: the decoded value and the original text.
///
/// `value` is unlisted_value<E> when the text is not one of the schema's values (lenient policy
/// only; strict rejects such text): `E::unknown` for most enums, `E::unlisted` for an enum
/// whose schema lists `"unknown"` itself (there `E::unknown` is that listed value). is_listed()
/// tells which, for any enum. `text` is always the original string, so nothing is lost.
template <class E>
struct EnumField {
  /// The enum type.
  using enum_type = E;

  E value{unlisted_value<E>};  ///< Decoded value, unlisted_value<E> for unlisted text.
  std::string_view text;       ///< The string as sent.

  /// True when the text is one of the schema's values.
  [[nodiscard]] constexpr bool is_listed() const noexcept { return value != unlisted_value<E>; }
  /// True when the text is not one of the schema's values (lenient policy only).
  [[nodiscard]] constexpr bool is_unlisted() const noexcept { return value == unlisted_value<E>; }
  /// Same as is_unlisted(). Not available for an enum whose schema lists `"unknown"`, where the
  /// name would suggest the listed value: use is_unlisted() or compare with `E::unknown`.
  template <class T = E, std::enable_if_t<!lists_unknown_v<T>, int> = 0>
  [[nodiscard]] constexpr bool is_unknown() const noexcept {
    return value == unlisted_value<E>;
  }
  /// Equal when both value and text are equal.
  friend constexpr bool operator==(const EnumField& a, const EnumField& b) noexcept {
    return a.value == b.value && a.text == b.text;
  }
  /// Negation of ==.
  friend constexpr bool operator!=(const EnumField& a, const EnumField& b) noexcept {
    return !(a == b);
  }
};

/// A point in time with microsecond resolution; covers years 0000 to 9999 without overflow.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

/// An RFC 3339 date-time as received: the original text and the instant it names (UTC).
///
/// Fractional seconds finer than a microsecond are kept in `text` and truncated in `time`.
struct Timestamp {
  std::string_view text;  ///< The string as sent, e.g. `2025-03-06T09:05:04.606Z`.
  TimePoint time{};       ///< The instant, converted to UTC.

  /// Equal when both text and instant are equal.
  friend bool operator==(const Timestamp& a, const Timestamp& b) noexcept {
    return a.text == b.text && a.time == b.time;
  }
  /// Negation of ==.
  friend bool operator!=(const Timestamp& a, const Timestamp& b) noexcept { return !(a == b); }
};

/// A reference to another resource, e.g. `{"object":"resourceRef","model":"genericUser","id":"1"}`.
///
/// `raw_json` is the whole ref object as sent, so expanded refs (`"object":"resource"` with
/// `fields`, ...) and extras such as `remote` or `rawResource` are never lost.
struct ResourceRef {
  std::string_view object;    ///< `"resourceRef"`, `"resource"` (expanded), or empty if absent.
  std::string_view model;     ///< The model, e.g. `"genericContact"`; empty if absent (lenient).
  std::string_view id;        ///< The id; may be empty (Morph's ref schema allows it).
  std::string_view raw_json;  ///< The whole ref object, byte for byte as in the body.

  /// True for an expanded ref (`"object":"resource"`).
  [[nodiscard]] bool is_expanded() const noexcept { return object == "resource"; }
  /// Equal when every member is equal.
  friend bool operator==(const ResourceRef& a, const ResourceRef& b) noexcept {
    return a.object == b.object && a.model == b.model && a.id == b.id && a.raw_json == b.raw_json;
  }
  /// Negation of ==.
  friend bool operator!=(const ResourceRef& a, const ResourceRef& b) noexcept { return !(a == b); }
};

/// A warning Morph attached to the resource, e.g. a field it could not read.
struct Warning {
  std::string_view code;                    ///< e.g. `CONNECTOR::MAPPER::READ_FAILED`.
  std::optional<std::string_view> message;  ///< Absent when Morph sent none.

  /// Equal when code and message are equal.
  friend bool operator==(const Warning& a, const Warning& b) noexcept {
    return a.code == b.code && a.message == b.message;
  }
  /// Negation of ==.
  friend bool operator!=(const Warning& a, const Warning& b) noexcept { return !(a == b); }
};

/// A read-only view of contiguous elements (a minimal C++17 stand-in for `std::span<const T>`).
template <class T>
class Span {
 public:
  /// Element type.
  using value_type = T;
  /// Iterator type.
  using iterator = const T*;

  /// An empty span.
  constexpr Span() noexcept = default;
  /// A span over `size` elements starting at `data`.
  constexpr Span(const T* data, std::size_t size) noexcept : data_(data), size_(size) {}

  /// First element.
  [[nodiscard]] constexpr const T* begin() const noexcept { return data_; }
  /// One past the last element.
  [[nodiscard]] constexpr const T* end() const noexcept { return data_ + size_; }
  /// Pointer to the elements.
  [[nodiscard]] constexpr const T* data() const noexcept { return data_; }
  /// Number of elements.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  /// True when there are no elements.
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  /// Element `i`, unchecked.
  [[nodiscard]] constexpr const T& operator[](std::size_t i) const noexcept { return data_[i]; }

  /// Element-wise equality.
  friend bool operator==(const Span& a, const Span& b) noexcept {
    if (a.size_ != b.size_) return false;
    for (std::size_t i = 0; i < a.size_; ++i) {
      if (!(a.data_[i] == b.data_[i])) return false;
    }
    return true;
  }
  /// Negation of ==.
  friend bool operator!=(const Span& a, const Span& b) noexcept { return !(a == b); }

 private:
  const T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// A list of references; a view into storage owned by the Parser.
using RefList = Span<ResourceRef>;
/// A list of warnings; a view into storage owned by the Parser.
using WarningList = Span<Warning>;

/// A list of strings; a view into storage owned by the Parser.
using StringList = Span<std::string_view>;

/// One entry of a record of answers (zod `z.record(z.union([z.string(), z.array(z.string()),
/// z.number()]))`, schedulingEvent's `answers`): the key and a string, a list of strings or a
/// number (read as JavaScript reads it: the nearest double).
struct Answer {
  std::string_view key;  ///< The record key, e.g. a question key.
  std::variant<std::string_view, StringList, double> value;  ///< The answer as sent.

  /// Equal when key and value are equal (lists element by element).
  friend bool operator==(const Answer& a, const Answer& b) noexcept {
    return a.key == b.key && a.value == b.value;
  }
  /// Negation of ==.
  friend bool operator!=(const Answer& a, const Answer& b) noexcept { return !(a == b); }
};

/// A record of answers, in the order sent; a view into storage owned by the Parser. Keys are
/// unique (a duplicate key is rejected).
using Answers = Span<Answer>;

namespace detail {

/// Where a ref list of a typed event sits in a contiguous store of refs (the Parser's, or an
/// owned event's): the list is built as refs are read and pointed at once the store is final.
struct RefSlot {
  std::size_t begin = 0;  ///< Index of the first ref.
  std::size_t count = 0;  ///< Number of refs.
  bool present = false;   ///< False when the list was absent.

  /// The list in `store` (nullopt when absent).
  [[nodiscard]] std::optional<Span<ResourceRef>> in(const ResourceRef* store) const noexcept {
    if (!present) return std::nullopt;
    return Span<ResourceRef>(store + begin, count);
  }
};

}  // namespace detail

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_VALUES_HPP
