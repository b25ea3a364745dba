/// @file model.hpp
/// @brief Models as data: how a Morph model is described once, and the typed event Event<Model>.
///
/// A model is a plain struct with one member per field of its zod schema, and a
/// ModelDescription that lists the fields with field() and the schema's rules (`.required()`,
/// `.length()`, `.email()`, `.ref_to()`, ...). Parsing under both policies, operator==,
/// to_owned(), to_json(), the CLI's report and the Dispatcher's typed handlers all derive from
/// that description. `models/engagement.hpp` is the example to copy; the value kinds, nested
/// objects, unions and how to add a model are in the manual (docs/models.md,
/// docs/contributing.md).
#ifndef MORPH_WEBHOOK_MODEL_HPP
#define MORPH_WEBHOOK_MODEL_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The wire names of an enum's values, in the order of its enumerators; the enum's last
/// enumerator stands for text not listed (kept under the lenient policy): `unknown`, or
/// `unlisted` when the schema lists `"unknown"` itself (see unlisted_value and docs/models.md).
/// Specialize with `static constexpr std::string_view values[] = {...};`.
template <class E>
struct EnumNames;

/// The description of a model: specialize with `name` (the Morph model id) and `fields` (a
/// tuple of field() descriptions). See docs/models.md.
template <class Model>
struct ModelDescription;

/// String rules of a field, as zod states them.
struct StringRule {
  /// Least length, in UTF-16 code units (zod `.min()`).
  std::uint32_t min_length = 0;
  /// Greatest length, in UTF-16 code units (zod `.max()`).
  std::uint32_t max_length = std::numeric_limits<std::uint32_t>::max();
  /// zod `.email()`.
  bool email = false;
  /// The output of `Date.prototype.toISOString()`: `YYYY-MM-DDTHH:MM:SS.sssZ`, under the strict
  /// policy only (Field::iso_instant()).
  bool iso_instant = false;

  /// True when the rule checks a length or the email rule (the ISO form is checked on its own,
  /// under the strict policy only).
  [[nodiscard]] constexpr bool any() const noexcept {
    return min_length != 0 || max_length != std::numeric_limits<std::uint32_t>::max() || email;
  }
};

/// How a field of a nested object takes part in the object's variant (discriminated unions:
/// see Field::in_variant()).
enum class FieldUse : std::uint8_t {
  ignored,    ///< Not part of this variant: the key is treated as unknown (zod strips it).
  optional,   ///< Read when present (also: an unlisted discriminator, lenient).
  required,   ///< Part of this variant and required by it.
  undecided,  ///< The discriminator is not read yet: checked as JSON now, read once it is.
};

/// One field of a model or nested object: wire name, member and schema rules (see docs/models.md).
/// Built by field(). `Member` is `std::optional<Value>` (the key may be absent) or `Value`
/// itself (a required member of a nested object: always present once the object is read).
template <class Model, class Value, class Member = std::optional<Value>>
struct Field {
  /// The model the field belongs to.
  using model_type = Model;
  /// The field's value type (what the member holds when present).
  using value_type = Value;
  /// True when the member is a plain `Value` (required, always present).
  static constexpr bool always_present = std::is_same_v<Member, Value>;

  /// The key in `fields`, e.g. `"startedAt"`.
  std::string_view name;
  /// The member holding it.
  Member Model::*member;
  /// Required by the zod schema: the strict policy rejects its absence (in a nested object,
  /// both policies do: see "Nested objects and unions" in docs/models.md).
  bool is_required = false;
  /// String rules (string fields only).
  StringRule rule{};
  /// The model a ref or ref list points to (ref fields only), e.g. `"genericUser"`.
  std::string_view target{};
  /// zod `.min(0)` on a number (`double` fields only).
  bool is_non_negative = false;
  /// The schema declares the items `.optional()` (ref lists only): lenient skips `null` items.
  bool has_optional_items = false;
  /// In a discriminated union: how the field takes part in the object's variant, as decided by
  /// the object read so far (nullptr: always part of it).
  FieldUse (*variant_use)(const Model&) noexcept = nullptr;

  /// This field, required by the schema.
  [[nodiscard]] constexpr Field required() const noexcept {
    Field f = *this;
    f.is_required = true;
    return f;
  }
  /// This field, with a length range in UTF-16 code units.
  [[nodiscard]] constexpr Field length(std::uint32_t min, std::uint32_t max) const noexcept {
    Field f = *this;
    f.rule.min_length = min;
    f.rule.max_length = max;
    return f;
  }
  /// This field, checked with zod's email rule.
  [[nodiscard]] constexpr Field email() const noexcept {
    Field f = *this;
    f.rule.email = true;
    return f;
  }
  /// This string field, written by `new Date(...).toISOString()` (accountingInvoice's dates):
  /// strict accepts exactly `YYYY-MM-DDTHH:MM:SS.sssZ`, lenient any string.
  [[nodiscard]] constexpr Field iso_instant() const noexcept {
    static_assert(std::is_same_v<Value, std::string_view>, "iso_instant() is for string fields");
    Field f = *this;
    f.rule.iso_instant = true;
    return f;
  }
  /// This ref field, pointing to `model`.
  [[nodiscard]] constexpr Field ref_to(std::string_view model) const noexcept {
    Field f = *this;
    f.target = model;
    return f;
  }
  /// This number field, at least 0 (zod `.min(0)`; `-0` passes, as in JavaScript).
  [[nodiscard]] constexpr Field non_negative() const noexcept {
    static_assert(std::is_same_v<Value, double>, "non_negative() is for double fields");
    Field f = *this;
    f.is_non_negative = true;
    return f;
  }
  /// This ref list, whose items the schema declares `.optional()` (see docs/models.md).
  [[nodiscard]] constexpr Field optional_items() const noexcept {
    static_assert(std::is_same_v<Value, RefList>, "optional_items() is for ref lists");
    Field f = *this;
    f.has_optional_items = true;
    return f;
  }
  /// This field of a discriminated union's object: `use(object)` says, from the object read so
  /// far (its discriminator), whether the field belongs to its variant (see FieldUse).
  [[nodiscard]] constexpr Field in_variant(FieldUse (*use)(const Model&) noexcept) const noexcept {
    Field f = *this;
    f.variant_use = use;
    return f;
  }
};

/// Describes a field: its wire name and the member holding it (see docs/models.md).
template <class Model, class Value>
[[nodiscard]] constexpr Field<Model, Value> field(std::string_view name,
                                                  std::optional<Value> Model::*member) noexcept {
  return Field<Model, Value>{name, member};
}

/// Describes a required member of a nested object, held as a plain `Value` (see docs/models.md).
template <class Model, class Value>
[[nodiscard]] constexpr Field<Model, Value, Value> field(std::string_view name,
                                                         Value Model::*member) noexcept {
  Field<Model, Value, Value> f{name, member};
  f.is_required = true;
  return f;
}

/// True for a type with a description (a model, or a nested object: see docs/models.md).
template <class T, class = void>
inline constexpr bool is_described_v = false;
/// @cond MORPH_WEBHOOK_INTERNAL
template <class T>
inline constexpr bool is_described_v<T, std::void_t<decltype(ModelDescription<T>::fields)>> = true;
/// @endcond

/// True for `Span<T>` with T described (a list of nested objects).
template <class T>
inline constexpr bool is_span_of_described_v = false;
/// @cond MORPH_WEBHOOK_INTERNAL
template <class T>
inline constexpr bool is_span_of_described_v<Span<T>> = is_described_v<T>;
/// @endcond

/// The value a member holds: the member itself (plain) or the optional's value; null when an
/// optional member is absent.
template <class V>
[[nodiscard]] constexpr const V* value_of(const std::optional<V>& member) noexcept {
  return member ? &*member : nullptr;
}
/// Same, mutable.
template <class V>
[[nodiscard]] constexpr V* value_of(std::optional<V>& member) noexcept {
  return member ? &*member : nullptr;
}
/// The value of a plain member (always present).
template <class V>
[[nodiscard]] constexpr const V* value_of(const V& member) noexcept {
  return &member;
}
/// Same, mutable.
template <class V>
[[nodiscard]] constexpr V* value_of(V& member) noexcept {
  return &member;
}

/// True for a type with a ModelDescription.
template <class T, class = void>
inline constexpr bool is_model_v = false;
/// @cond MORPH_WEBHOOK_INTERNAL
template <class T>
inline constexpr bool is_model_v<T, std::void_t<decltype(ModelDescription<T>::name)>> = true;
/// @endcond

/// True for an enum with EnumNames.
template <class E, class = void>
inline constexpr bool has_enum_names_v = false;
/// @cond MORPH_WEBHOOK_INTERNAL
template <class E>
inline constexpr bool has_enum_names_v<E, std::void_t<decltype(EnumNames<E>::values)>> = true;
/// @endcond

/// True for an EnumField.
template <class T>
inline constexpr bool is_enum_field = false;
/// @cond MORPH_WEBHOOK_INTERNAL
template <class E>
inline constexpr bool is_enum_field<EnumField<E>> = true;
/// @endcond

/// The Morph model id of a typed model, e.g. `model_name<Engagement>` is `"crmEngagement"`.
template <class Model>
inline constexpr std::string_view model_name = ModelDescription<Model>::name;

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {
template <class Model, class = void>
struct FieldCount : std::integral_constant<std::size_t, 0> {};
template <class Model>
struct FieldCount<Model, std::enable_if_t<is_described_v<Model>>>
    : std::tuple_size<std::decay_t<decltype(ModelDescription<Model>::fields)>> {};
}  // namespace detail
/// @endcond

/// Number of fields of a model (0 for a type that is not a model, such as RawFields).
template <class Model>
inline constexpr std::size_t field_count = detail::FieldCount<Model>::value;

/// The description of field `I` of `Model`.
template <class Model, std::size_t I>
inline constexpr const auto& field_at = std::get<I>(ModelDescription<Model>::fields);

/// Calls `f(field)` on each field description of `Model`, in description order.
template <class Model, class F>
constexpr void for_each_field(F&& f) {
  std::apply([&f](const auto&... fields) { (f(fields), ...); }, ModelDescription<Model>::fields);
}

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {
template <class F, std::size_t... I>
constexpr void for_each_index(F& f, std::index_sequence<I...>) {
  (f(std::integral_constant<std::size_t, I>{}), ...);
}
}  // namespace detail
/// @endcond

/// Calls `f(std::integral_constant<std::size_t, I>{})` for each field index I of `Model` (for
/// code that needs the field as a constant: `std::get<I>(ModelDescription<Model>::fields)`).
template <class Model, class F>
constexpr void for_each_field_index(F&& f) {
  detail::for_each_index(f, std::make_index_sequence<field_count<Model>>{});
}

/// The wire name of an enum value (`"inProgress"`, ...); for unlisted_value<E>, `"unknown"`
/// when that is `E::unknown`, and `""` when it is `E::unlisted` (it has no wire name).
template <class E, std::enable_if_t<has_enum_names_v<E>, int> = 0>
[[nodiscard]] constexpr std::string_view to_string(E value) noexcept {
  const auto i = static_cast<std::size_t>(value);
  if (i < std::size(EnumNames<E>::values)) return EnumNames<E>::values[i];
  return lists_unknown_v<E> ? "" : "unknown";
}

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {
template <class E, std::size_t... I>
constexpr E enum_from_names(std::string_view text, std::index_sequence<I...>) noexcept {
  // One compare per name, each against a size known at compile time (no loop, no memcmp call).
  E result = unlisted_value<E>;
  (void)((text == EnumNames<E>::values[I] ? (result = static_cast<E>(I), true) : false) || ...);
  return result;
}
}  // namespace detail
/// @endcond

/// The enum value whose wire name is `text`, or unlisted_value<E> (see docs/models.md).
template <class E>
[[nodiscard]] constexpr E enum_from(std::string_view text) noexcept {
  constexpr std::size_t n = std::size(EnumNames<E>::values);
  static_assert(static_cast<std::size_t>(unlisted_value<E>) == n,
                "EnumNames lists every enumerator but the last (`unknown`, or `unlisted` when "
                "the schema lists \"unknown\"), in order");
  return detail::enum_from_names<E>(text, std::make_index_sequence<n>{});
}

/// Field-by-field equality of two values of a typed model or nested object.
template <class Model, std::enable_if_t<is_described_v<Model>, int> = 0>
[[nodiscard]] bool operator==(const Model& a, const Model& b) noexcept {
  bool equal = true;
  for_each_field<Model>([&](const auto& f) { equal = equal && a.*f.member == b.*f.member; });
  return equal;
}
/// Negation of ==.
template <class Model, std::enable_if_t<is_described_v<Model>, int> = 0>
[[nodiscard]] bool operator!=(const Model& a, const Model& b) noexcept {
  return !(a == b);
}

// clang-format off
/// The keys of Morph's webhook envelope, each written once: the parser's key sets
/// (detail/vocabulary.hpp), to_json() and the CLI's report read them from here, and
/// EnvelopeDescription maps them to the members of Event.
namespace envelope_key {
inline constexpr char event[] = "event";               ///< root: `<model>::<trigger>`
inline constexpr char data[] = "data";                 ///< root: the resource
inline constexpr char object[] = "object";             ///< data: always `"resource"`
inline constexpr char model[] = "model";               ///< data: the model id
inline constexpr char id[] = "id";                     ///< data: the resource's id
inline constexpr char fields[] = "fields";             ///< data: the model's fields
inline constexpr char created_at[] = "createdAt";      ///< data: a date-time
inline constexpr char updated_at[] = "updatedAt";      ///< data: a date-time
inline constexpr char raw_resource[] = "rawResource";  ///< data: any JSON, optional
inline constexpr char warnings[] = "warnings";         ///< data: optional list of warnings
inline constexpr char code[] = "code";                 ///< a warning: its code
inline constexpr char message[] = "message";           ///< a warning: its optional message
inline constexpr char resource[] = "resource";         ///< the value of data.object
}  // namespace envelope_key
// clang-format on

/// Which object of the envelope holds a member: the body's root object or `data`.
enum class EnvelopeObject : std::uint8_t {
  root,  ///< The body's object.
  data,  ///< `data`.
};

/// One member of the envelope, as a model's field() describes a field: its key, the object
/// holding it and the member of `Event` holding its value.
template <class EventType, class Value>
struct EnvelopeMember {
  std::string_view name;     ///< The key, from envelope_key.
  EnvelopeObject object;     ///< Where it sits.
  Value EventType::*member;  ///< Where the parsed value is kept.
};

/// Describes a member of the envelope (see EnvelopeDescription).
template <class EventType, class Value>
[[nodiscard]] constexpr EnvelopeMember<EventType, Value> envelope_member(
    std::string_view name, EnvelopeObject object, Value EventType::*member) noexcept {
  return EnvelopeMember<EventType, Value>{name, object, member};
}

template <class Fields>
struct Event;

/// The envelope of Event<Fields>, described once as models are: every member Morph's envelope
/// carries, in the order Morph writes them (`data.object`, always `"resource"`, and the trigger,
/// read from `event`, have no member of their own). Event's operator== and to_owned() derive
/// from it; the keys are envelope_key's.
template <class Fields>
struct EnvelopeDescription {
  /// The members, in wire order.
  static constexpr auto members = std::make_tuple(
      envelope_member(envelope_key::event, EnvelopeObject::root, &Event<Fields>::event),
      envelope_member(envelope_key::model, EnvelopeObject::data, &Event<Fields>::model),
      envelope_member(envelope_key::id, EnvelopeObject::data, &Event<Fields>::id),
      envelope_member(envelope_key::fields, EnvelopeObject::data, &Event<Fields>::fields),
      envelope_member(envelope_key::created_at, EnvelopeObject::data, &Event<Fields>::created_at),
      envelope_member(envelope_key::updated_at, EnvelopeObject::data, &Event<Fields>::updated_at),
      envelope_member(envelope_key::raw_resource, EnvelopeObject::data,
                      &Event<Fields>::raw_resource),
      envelope_member(envelope_key::warnings, EnvelopeObject::data, &Event<Fields>::warnings));
};

/// Calls `f(member)` for each member of the envelope of Event<Fields>, in wire order.
template <class Fields, class F>
constexpr void for_each_envelope_member(F&& f) {
  std::apply([&f](const auto&... members) { (f(members), ...); },
             EnvelopeDescription<Fields>::members);
}

/// The `fields` of a ResourceEvent: the JSON object as validated raw text.
using RawFields = std::string_view;

/// A checked webhook event: the envelope plus `fields` as `Fields`, a typed model
/// (`Event<Engagement>`) or RawFields (ResourceEvent). Views are valid until the next parse on
/// the Parser that produced it (see Parser).
template <class Fields>
struct Event {
  /// The type of `fields`: a typed model, or RawFields.
  using fields_type = Fields;

  std::string_view event;                        ///< e.g. `"crmEngagement::created"`.
  Trigger trigger{Trigger::created};             ///< From `event`.
  std::string_view model;                        ///< e.g. `"crmEngagement"`.
  std::string_view id;                           ///< `data.id`, never empty.
  Fields fields{};                               ///< `data.fields`.
  Timestamp created_at;                          ///< `data.createdAt`.
  Timestamp updated_at;                          ///< `data.updatedAt`.
  std::optional<std::string_view> raw_resource;  ///< Raw JSON; nullopt when absent.
  WarningList warnings;                          ///< Empty when absent.

  /// Member-by-member equality, the envelope's members as EnvelopeDescription lists them (raw
  /// JSON compared byte for byte).
  friend bool operator==(const Event& a, const Event& b) noexcept {
    bool equal = a.trigger == b.trigger;
    for_each_envelope_member<Fields>(
        [&](const auto& m) { equal = equal && a.*m.member == b.*m.member; });
    return equal;
  }
  /// Negation of ==.
  friend bool operator!=(const Event& a, const Event& b) noexcept { return !(a == b); }
};

/// A checked event of any Morph model, with `fields` kept as validated raw JSON text.
using ResourceEvent = Event<RawFields>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODEL_HPP
