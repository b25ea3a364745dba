/// @file model.hpp
/// @brief Models as data: how a Morph model is described once, and the typed event Event<Model>.
///
/// ## How a model is described
/// A model is a plain struct with one `std::optional<Value>` member per field of its zod
/// schema, plus one specialization of ModelDescription naming the model and listing its fields:
/// ```
/// struct Engagement {
///   std::optional<EnumField<EngagementType>> type;
///   std::optional<std::string_view> title;
///   std::optional<ResourceRef> owner;
///   ...
/// };
/// template <>
/// struct ModelDescription<Engagement> {
///   static constexpr std::string_view name = "crmEngagement";      // `event` / `data.model`
///   static constexpr auto fields = std::make_tuple(
///       field("type", &Engagement::type).required(),              // strict requires it
///       field("title", &Engagement::title),                       // optional
///       field("owner", &Engagement::owner).ref_to("genericUser"),  // a single ref
///       ...);
/// };
/// ```
/// Each field() gives the wire name, the member (whose C++ type gives the JSON type) and
/// what the schema adds: `.required()` (zod: no `.optional()`; strict rejects its absence,
/// lenient never does, since Morph drops fields it cannot read), `.length(min, max)` (string
/// length in UTF-16 code units), `.email()` (zod's email rule), `.non_negative()` (zod
/// `.min(0)` on a `double`), `.ref_to(model)` (the target model of a ref or ref list),
/// `.optional_items()` (a ref list whose items the schema declares `.optional()`). Enum values
/// are listed once per enum type in EnumNames.
///
/// Member types and the JSON they read (the value kinds):
/// | member type        | JSON                                  | zod                           |
/// |--------------------|---------------------------------------|-------------------------------|
/// | `EnumField<E>`     | a string, one of EnumNames<E>::values | `z.enum([...])`               |
/// | `std::string_view` | a string                              | `z.string()`                  |
/// | `Timestamp`        | an RFC 3339 date-time string          | `z.string().datetime()`       |
/// | `std::int64_t`     | a whole number >= 0                   | `z.number().int().min(0)`     |
/// | `double`           | a number, as JSON.parse reads it      | `z.number()`, `.min(0)`       |
/// | `bool`             | `true` or `false`                     | `z.boolean()`                 |
/// | `ResourceRef`      | a ref object                          | `z.morph.resource(M)`         |
/// | `RefList`          | an array of ref objects (top level)   | `z.array(z.morph.resource(M))`|
/// | a described `T`    | a nested object                       | `z.object({...})`             |
/// | `Span<T>`          | an array of nested objects            | `z.array(z.object({...}))`    |
/// | `Span<int64_t>`    | an array of whole numbers >= 0        | `z.array(z.number().int()...)`|
/// | `Answers`          | an object of strings, string lists or numbers | `z.record(z.union(...))`
/// |
///
/// Numbers (`double`) are the double nearest the text, ties to even, as JavaScript's JSON.parse
/// reads them (number.hpp; simdjson's getters are not used): `0.1` is 0.1, a number with 30
/// digits is its nearest double, `-0` is -0.0 (and passes `.non_negative()`, as it passes zod's
/// `.min(0)`: -0 >= 0), a number beyond a double's range (`1e400`) is invalid_json, as
/// everywhere in the body. to_json() writes the shortest text that reads back as the same
/// double (`std::to_chars`), so `1.50` comes back as `1.5` and `1e2` as `100`.
///
/// Enums whose schema lists the wire value `"unknown"` (crmStage's `type`: open, won, lost,
/// unknown): the enumerator `unknown` is then that listed value, and the enum ends with one
/// more enumerator, `unlisted`, for text the schema does not list. Strict accepts `"unknown"`
/// (it is listed) and rejects other text; lenient keeps other text as `unlisted`.
/// EnumField::is_listed() / is_unlisted() tell which for every enum; is_unknown() exists only
/// for enums without a listed `"unknown"` (where it means unlisted).
///
/// Ref lists with optional items (`z.array(z.morph.resource(M).optional())`: crmOpportunity's
/// contacts, companies and engagements): JavaScript's JSON.stringify writes an `undefined` item
/// as `null`, so Morph can send `[null, {...}]`. Strict is zod exactly: zod rejects that `null`
/// (wrong_type at the item's pointer). Lenient skips `null` items: the list holds the refs only,
/// so `[null, ref]` reads as a list of one ref (the item index of the null is not kept). Ref
/// lists without the flag reject a `null` item under both policies.
///
/// ## Nested objects
/// A nested object (a transcript's segment, a question, an option) is described the same way
/// as a model: a struct and a ModelDescription with `fields` but no `name`. A member the schema
/// requires is a plain value (`double start;`, described with `field("start",
/// &TranscriptSegment::start)`: required by construction); an optional one is a
/// `std::optional`. Lists of nested objects are `Span<T>` views into the Parser's storage (valid
/// until the next parse, like every view; to_owned() deep-copies them).
///
/// Policy: inside a nested object, required keys, types and rules are checked under **both**
/// policies. A nested object that breaks the schema makes zod reject its whole top-level field,
/// and Morph's mappers then drop that field with a warning (contract.md, "Dropped fields"): so
/// such an object is nothing Morph sends, as for string rules. What lenient keeps: unknown keys
/// (ignored at every level), `null` for an optional nested member (absent), unlisted enum text
/// (value unlisted_value<E>), dropped top-level fields. In exchange, required members need no
/// `std::optional` in the struct.
///
/// Discriminated unions (`z.discriminatedUnion("type", ...)`): one struct with every member of
/// every variant, the discriminator an EnumField, and `.in_variant(f)` on the members that only
/// some variants have: `f(object)` says from the discriminator read so far whether the member is
/// required, optional or not part of the variant (then ignored as zod strips it). An unlisted
/// `type` is rejected by strict (as zod) and kept by lenient, which then reads the other
/// members as optional.
///
/// ## How to add a model
/// 1. `include/morph/webhook/models/<name>.hpp`: the enums it needs (with their EnumNames),
///    the struct, its ModelDescription, and `using <Name>Event = Event<<Name>>;` if a short
///    name helps. Type names drop Morph's family prefix: genericContact -> `Contact`,
///    telephonyCall -> `Call`, crmEngagement -> `Engagement`.
/// 2. Add the header to models.hpp and the type to its TypedModels list.
/// 3. Fixtures in `tests/data/` (valid real-shaped events, dropped fields, every constraint
///    violated once, under both policies) and the model's zod schema for the differential test.
/// A value kind not in the table above needs one overload in each consumer: the walker's
/// read_value(), json.hpp's append_value() and owned.hpp's deep_copy(). The CLI's report writes
/// it with append_value(); a kind that holds refs also gets an append_report_value() and a
/// ref_count() overload in tools/cli/report.hpp.
///
/// ## Naming
/// `Event<Model>` is the typed event of a model (`Event<Engagement>`, `Event<Contact>`);
/// `ResourceEvent` (= `Event<RawFields>`) is any model with `fields` kept as raw JSON.
/// `WebhookEvent` is `Event<Engagement>`, its name from before there were several models.
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
/// `unlisted` when the schema lists `"unknown"` itself (see model.hpp, unlisted_value).
/// Specialize with `static constexpr std::string_view values[] = {...};`.
template <class E>
struct EnumNames;

/// The description of a model: specialize with `name` (the Morph model id) and `fields` (a
/// tuple of field() descriptions). See model.hpp.
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

  /// True when the rule checks anything.
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

/// One field of a model or nested object: wire name, member and schema rules (see model.hpp).
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
  /// both policies do: see "Nested objects" in model.hpp).
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
  /// This ref list, whose items the schema declares `.optional()` (see model.hpp).
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

/// Describes a field: its wire name and the member holding it (see model.hpp).
template <class Model, class Value>
[[nodiscard]] constexpr Field<Model, Value> field(std::string_view name,
                                                  std::optional<Value> Model::*member) noexcept {
  return Field<Model, Value>{name, member};
}

/// Describes a required member of a nested object, held as a plain `Value` (see model.hpp).
template <class Model, class Value>
[[nodiscard]] constexpr Field<Model, Value, Value> field(std::string_view name,
                                                         Value Model::*member) noexcept {
  Field<Model, Value, Value> f{name, member};
  f.is_required = true;
  return f;
}

/// True for a type with a description (a model, or a nested object: see model.hpp).
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

/// The enum value whose wire name is `text`, or unlisted_value<E> (see model.hpp).
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

/// The `fields` of a ResourceEvent: the JSON object as validated raw text.
using RawFields = std::string_view;

/// A checked webhook event: the envelope plus `fields` as `Fields`, a typed model
/// (`Event<Engagement>`) or RawFields (ResourceEvent). Views are valid until the next parse on
/// the Parser that produced it (see Parser).
template <class Fields>
struct Event {
  std::string_view event;                        ///< e.g. `"crmEngagement::created"`.
  Trigger trigger{Trigger::created};             ///< From `event`.
  std::string_view model;                        ///< e.g. `"crmEngagement"`.
  std::string_view id;                           ///< `data.id`, never empty.
  Fields fields{};                               ///< `data.fields`.
  Timestamp created_at;                          ///< `data.createdAt`.
  Timestamp updated_at;                          ///< `data.updatedAt`.
  std::optional<std::string_view> raw_resource;  ///< Raw JSON; nullopt when absent.
  WarningList warnings;                          ///< Empty when absent.

  /// Field-by-field equality (raw JSON compared byte for byte).
  friend bool operator==(const Event& a, const Event& b) noexcept {
    return a.event == b.event && a.trigger == b.trigger && a.model == b.model && a.id == b.id &&
           a.fields == b.fields && a.created_at == b.created_at && a.updated_at == b.updated_at &&
           a.raw_resource == b.raw_resource && a.warnings == b.warnings;
  }
  /// Negation of ==.
  friend bool operator!=(const Event& a, const Event& b) noexcept { return !(a == b); }
};

/// A checked event of any Morph model, with `fields` kept as validated raw JSON text.
using ResourceEvent = Event<RawFields>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODEL_HPP
