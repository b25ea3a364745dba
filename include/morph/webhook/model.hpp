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
/// length in UTF-16 code units), `.email()` (zod's email rule), `.ref_to(model)` (the target
/// model of a ref or ref list). Enum values are listed once per enum type in EnumNames.
///
/// Member types and the JSON they read (the value kinds):
/// | member type                 | JSON                                    | zod |
/// |-----------------------------|-----------------------------------------|------------------------------|
/// | `EnumField<E>`              | a string, one of EnumNames<E>::values   | `z.enum([...])` | |
/// `std::string_view`          | a string                                | `z.string()` | |
/// `Timestamp`                 | an RFC 3339 date-time string            | `z.string().datetime()`
/// | | `std::int64_t`              | a whole number >= 0                     |
/// `z.number().int().min(0)`    | | `ResourceRef`               | a ref object |
/// `z.morph.resource(M)`        | | `RefList`                   | an array of ref objects |
/// `z.array(z.morph.resource(M))` |
///
/// From the description come, with no per-model code anywhere else: parsing under both policies
/// (the parser's field walker), operator== (below), to_owned() (owned.hpp), to_json() (json.hpp),
/// the CLI's JSON and text output (tools/cli/report.hpp) and the Dispatcher's typed handlers.
///
/// ## How to add a model
/// 1. `include/morph/webhook/models/<name>.hpp`: the enums it needs (with their EnumNames),
///    the struct, its ModelDescription, and `using <Name>Event = Event<<Name>>;` if a short
///    name helps. Type names drop Morph's family prefix: genericContact -> `Contact`,
///    telephonyCall -> `Call`, crmEngagement -> `Engagement`.
/// 2. Add the header to models.hpp and the type to its TypedModels list.
/// 3. Fixtures in `tests/data/` (valid real-shaped events, dropped fields, every constraint
///    violated once, under both policies) and the model's zod schema for the differential test.
/// A value kind not in the table above (a plain number, a boolean, a nested object) needs one
/// overload in each consumer: the walker's read_value(), json.hpp's append_value(), owned.hpp's
/// visit_views(). The CLI's report writes it with append_value(); a kind that holds refs also
/// gets an append_report_value() and a ref_count() overload in tools/cli/report.hpp.
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
/// enumerator must be `unknown` (text not listed, kept under the lenient policy). Specialize
/// with `static constexpr std::string_view values[] = {...};`.
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

/// One field of a model: wire name, member and schema rules (see model.hpp). Built by field().
template <class Model, class Value>
struct Field {
  /// The model the field belongs to.
  using model_type = Model;
  /// The field's value type (what the member holds when present).
  using value_type = Value;

  /// The key in `fields`, e.g. `"startedAt"`.
  std::string_view name;
  /// The member holding it.
  std::optional<Value> Model::*member;
  /// Required by the zod schema: the strict policy rejects its absence.
  bool is_required = false;
  /// String rules (string fields only).
  StringRule rule{};
  /// The model a ref or ref list points to (ref fields only), e.g. `"genericUser"`.
  std::string_view target{};

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
};

/// Describes a field: its wire name and the member holding it (see model.hpp).
template <class Model, class Value>
[[nodiscard]] constexpr Field<Model, Value> field(std::string_view name,
                                                  std::optional<Value> Model::*member) noexcept {
  return Field<Model, Value>{name, member};
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
struct FieldCount<Model, std::enable_if_t<is_model_v<Model>>>
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

/// The wire name of an enum value (`"inProgress"`, ...), or `"unknown"`.
template <class E, std::enable_if_t<has_enum_names_v<E>, int> = 0>
[[nodiscard]] constexpr std::string_view to_string(E value) noexcept {
  const auto i = static_cast<std::size_t>(value);
  return i < std::size(EnumNames<E>::values) ? EnumNames<E>::values[i] : "unknown";
}

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {
template <class E, std::size_t... I>
constexpr E enum_from_names(std::string_view text, std::index_sequence<I...>) noexcept {
  // One compare per name, each against a size known at compile time (no loop, no memcmp call).
  E result = E::unknown;
  (void)((text == EnumNames<E>::values[I] ? (result = static_cast<E>(I), true) : false) || ...);
  return result;
}
}  // namespace detail
/// @endcond

/// The enum value whose wire name is `text`, or `E::unknown`.
template <class E>
[[nodiscard]] constexpr E enum_from(std::string_view text) noexcept {
  constexpr std::size_t n = std::size(EnumNames<E>::values);
  static_assert(static_cast<std::size_t>(E::unknown) == n,
                "EnumNames lists every enumerator but `unknown`, in order");
  return detail::enum_from_names<E>(text, std::make_index_sequence<n>{});
}

/// Field-by-field equality of two values of a typed model.
template <class Model, std::enable_if_t<is_model_v<Model>, int> = 0>
[[nodiscard]] bool operator==(const Model& a, const Model& b) noexcept {
  bool equal = true;
  for_each_field<Model>([&](const auto& f) { equal = equal && a.*f.member == b.*f.member; });
  return equal;
}
/// Negation of ==.
template <class Model, std::enable_if_t<is_model_v<Model>, int> = 0>
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
