/// @file vocabulary.hpp
/// @brief Morph's envelope vocabulary as the parser reads it: event names, the key sets of the
/// objects it interprets, the bytes a ref usually starts with, and where each object sits.
///
/// The first file to edit when Morph changes its envelope (a model's `fields` are described in
/// `models/`, see model.hpp). Keys outside these sets are validated as JSON and otherwise
/// ignored (Morph adds keys over time).
#ifndef MORPH_WEBHOOK_DETAIL_VOCABULARY_HPP
#define MORPH_WEBHOOK_DETAIL_VOCABULARY_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "morph/webhook/detail/bytes.hpp"
#include "morph/webhook/detail/config.hpp"
#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

/// @cond MORPH_WEBHOOK_INTERNAL
namespace morph::webhook::detail {

/// The event name `<model>::<trigger>`, split; false when malformed.
inline bool split_event_name(std::string_view text, std::string_view& model,
                             Trigger& trigger) noexcept {
  const std::size_t sep = text.find("::");
  if (sep == std::string_view::npos || sep == 0) return false;
  model = text.substr(0, sep);
  for (const char c : model) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
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

/// Nesting depth of each object the parser interprets, the root object being 1 (what
/// ParseOptions::max_depth counts). A container at depth d holds values at depth d + 1.
namespace depth {
inline constexpr std::uint32_t root = 1;         ///< the body's object
inline constexpr std::uint32_t data = 2;         ///< `data`, and any other root member
inline constexpr std::uint32_t data_member = 3;  ///< `fields`, `warnings`, `rawResource`
inline constexpr std::uint32_t field = 4;        ///< a member of `fields`; one warning
inline constexpr std::uint32_t list_item = 5;    ///< a ref in a list; a warning's member
}  // namespace depth

// Key sets: one bit per known key of each interpreted object (for duplicate detection).
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
inline constexpr std::uint32_t ref_object = 1u << 0;
inline constexpr std::uint32_t ref_model = 1u << 1;
inline constexpr std::uint32_t ref_id = 1u << 2;
inline constexpr std::uint32_t ref_remote = 1u << 3;      // typed only under strict
inline constexpr std::uint32_t ref_created_at = 1u << 4;  // typed only under strict
inline constexpr std::uint32_t ref_updated_at = 1u << 5;  // typed only under strict
inline constexpr std::uint32_t warning_code = 1u << 0;
inline constexpr std::uint32_t warning_message = 1u << 1;

inline std::uint32_t root_key(std::string_view k) noexcept {
  if (eq(k, envelope_key::event)) return root_event;
  return eq(k, envelope_key::data) ? root_data : 0;
}

MORPH_WEBHOOK_INLINE std::uint32_t data_key(std::string_view k) noexcept {
  switch (k.size()) {
    case sizeof(envelope_key::id) - 1: return eq(k, envelope_key::id) ? data_id : 0;
    case sizeof(envelope_key::model) - 1: return eq(k, envelope_key::model) ? data_model : 0;
    case sizeof(envelope_key::object) - 1:
      if (eq(k, envelope_key::object)) return data_object;
      return eq(k, envelope_key::fields) ? data_fields : 0;
    case sizeof(envelope_key::warnings) - 1:
      return eq(k, envelope_key::warnings) ? data_warnings : 0;
    case sizeof(envelope_key::created_at) - 1:
      if (eq(k, envelope_key::created_at)) return data_created_at;
      return eq(k, envelope_key::updated_at) ? data_updated_at : 0;
    case sizeof(envelope_key::raw_resource) - 1:
      return eq(k, envelope_key::raw_resource) ? data_raw_resource : 0;
    default: return 0;
  }
}

static_assert(sizeof(envelope_key::object) == sizeof(envelope_key::fields),
              "data_key() tells them apart in one case");
static_assert(sizeof(envelope_key::created_at) == sizeof(envelope_key::updated_at),
              "data_key() tells them apart in one case");

/// The keys of a ref the parser reads. Other keys (`rawResource`, an expanded ref's `fields`)
/// are validated and kept in ResourceRef::raw_json.
inline std::uint32_t ref_key(std::string_view k) noexcept {
  switch (k.size()) {
    case 2: return eq(k, "id") ? ref_id : 0;
    case 5: return eq(k, "model") ? ref_model : 0;
    case 6:
      if (eq(k, "object")) return ref_object;
      return eq(k, "remote") ? ref_remote : 0;
    case 9:
      if (eq(k, "createdAt")) return ref_created_at;
      return eq(k, "updatedAt") ? ref_updated_at : 0;
    default: return 0;
  }
}

inline std::uint32_t warning_key(std::string_view k) noexcept {
  if (eq(k, envelope_key::code)) return warning_code;
  return eq(k, envelope_key::message) ? warning_message : 0;
}

/// The bytes a ref usually starts with, up to its id: `{"object":"resourceRef","model":"<model>",
/// "id":"` without whitespace, as Morph writes it (JSON.stringify order, the ref helper's
/// output). A ref that starts with exactly these bytes is read by comparing them at once (see
/// the walker's fast_ref()).
struct RefPrefix {
  static constexpr std::string_view head = R"({"object":"resourceRef","model":")";
  static constexpr std::string_view tail = R"(","id":")";
  static constexpr std::size_t capacity = 80;
  static constexpr std::size_t object_at = 11;  // where `resourceRef` starts in head
  static constexpr std::size_t object_size = 11;

  char bytes[capacity] = {};
  std::size_t size = 0;
  std::string_view model;  // the model the ref points to (the field's target)

  constexpr explicit RefPrefix(std::string_view m) noexcept : model(m) {
    for (const char c : head) bytes[size++] = c;
    for (const char c : m) bytes[size++] = c;
    for (const char c : tail) bytes[size++] = c;
  }
};
static_assert(RefPrefix::head.substr(RefPrefix::object_at, RefPrefix::object_size) ==
              "resourceRef");
// Morph's longest model id, accountingInvoiceLineItem, fits; its shortest, crmStage, is long
// enough for starts_with_bytes().
static_assert(RefPrefix::head.size() + 25 + RefPrefix::tail.size() <= RefPrefix::capacity);
static_assert(RefPrefix::head.size() + 8 + RefPrefix::tail.size() >= 48);

}  // namespace morph::webhook::detail
/// @endcond

#endif  // MORPH_WEBHOOK_DETAIL_VOCABULARY_HPP
