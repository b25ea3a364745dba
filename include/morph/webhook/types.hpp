/// @file types.hpp
/// @brief The typed event: enums, Timestamp, ResourceRef, Warning, Engagement, WebhookEvent,
/// ResourceEvent and ParseOptions.
///
/// Every `std::string_view` in these types points into the Parser that produced the event
/// (its copy of the body or its string buffer) and stays valid until the next parse on that
/// Parser. Use to_owned() (owned.hpp) to keep an event longer.
#ifndef MORPH_WEBHOOK_TYPES_HPP
#define MORPH_WEBHOOK_TYPES_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace morph::webhook {

/// What happened to the resource: the part after `::` in `event`.
enum class Trigger : std::uint8_t { created, updated, deleted };

/// `fields.type` of a crmEngagement. `unknown` keeps forward compatibility (lenient policy).
enum class EngagementType : std::uint8_t { call, meeting, email, task, note, unknown };

/// `fields.direction` of a crmEngagement.
enum class Direction : std::uint8_t { inbound, outbound, unknown };

/// `fields.status` of a crmEngagement. `in_progress` is `"inProgress"` on the wire.
enum class EngagementStatus : std::uint8_t { planned, in_progress, completed, canceled, unknown };

/// The wire name of a trigger: `"created"`, `"updated"` or `"deleted"`.
[[nodiscard]] constexpr std::string_view to_string(Trigger value) noexcept {
  switch (value) {
    case Trigger::created: return "created";
    case Trigger::updated: return "updated";
    case Trigger::deleted: return "deleted";
  }
  return "unknown";
}

/// The wire name of an engagement type (`"call"`, ...), or `"unknown"`.
[[nodiscard]] constexpr std::string_view to_string(EngagementType value) noexcept {
  switch (value) {
    case EngagementType::call: return "call";
    case EngagementType::meeting: return "meeting";
    case EngagementType::email: return "email";
    case EngagementType::task: return "task";
    case EngagementType::note: return "note";
    case EngagementType::unknown: return "unknown";
  }
  return "unknown";
}

/// The wire name of a direction (`"inbound"`, `"outbound"`), or `"unknown"`.
[[nodiscard]] constexpr std::string_view to_string(Direction value) noexcept {
  switch (value) {
    case Direction::inbound: return "inbound";
    case Direction::outbound: return "outbound";
    case Direction::unknown: return "unknown";
  }
  return "unknown";
}

/// The wire name of a status (`"planned"`, `"inProgress"`, ...), or `"unknown"`.
[[nodiscard]] constexpr std::string_view to_string(EngagementStatus value) noexcept {
  switch (value) {
    case EngagementStatus::planned: return "planned";
    case EngagementStatus::in_progress: return "inProgress";
    case EngagementStatus::completed: return "completed";
    case EngagementStatus::canceled: return "canceled";
    case EngagementStatus::unknown: return "unknown";
  }
  return "unknown";
}

/// An enum field as received: the decoded value and the original text.
///
/// `value` is `E::unknown` when the text is not one of the known values (lenient policy only;
/// strict rejects such text). `text` is always the original string, so nothing is lost.
template <class E>
struct EnumField {
  E value{E::unknown};    ///< Decoded value, `E::unknown` for unlisted text.
  std::string_view text;  ///< The string as sent.

  /// True when the text is not a known value.
  [[nodiscard]] constexpr bool is_unknown() const noexcept { return value == E::unknown; }
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
  std::string_view id;        ///< The id; never empty.
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

/// The `fields` of a crmEngagement. Every member distinguishes absent (`std::nullopt`) from
/// present: Morph leaves out fields it could not read (and says so in `warnings`).
struct Engagement {
  std::optional<EnumField<EngagementType>> type;       ///< call, meeting, email, task, note.
  std::optional<EnumField<Direction>> direction;       ///< inbound, outbound.
  std::optional<EnumField<EngagementStatus>> status;   ///< planned, inProgress, ...
  std::optional<std::string_view> title;               ///< Subject or title.
  std::optional<std::string_view> description;         ///< Content, possibly long.
  std::optional<Timestamp> started_at;                 ///< `startedAt`.
  std::optional<Timestamp> ended_at;                   ///< `endedAt`.
  std::optional<std::int64_t> duration;                ///< Seconds, never negative.
  std::optional<ResourceRef> owner;                    ///< A genericUser.
  std::optional<RefList> users;                        ///< genericUser refs.
  std::optional<RefList> companies;                    ///< genericCompany refs.
  std::optional<RefList> contacts;                     ///< genericContact refs.
  std::optional<RefList> opportunities;                ///< crmOpportunity refs.

  /// Field-by-field equality.
  friend bool operator==(const Engagement& a, const Engagement& b) noexcept {
    return a.type == b.type && a.direction == b.direction && a.status == b.status &&
           a.title == b.title && a.description == b.description &&
           a.started_at == b.started_at && a.ended_at == b.ended_at &&
           a.duration == b.duration && a.owner == b.owner && a.users == b.users &&
           a.companies == b.companies && a.contacts == b.contacts &&
           a.opportunities == b.opportunities;
  }
  /// Negation of ==.
  friend bool operator!=(const Engagement& a, const Engagement& b) noexcept { return !(a == b); }
};

/// A checked crmEngagement webhook event. Views are valid until the next parse on the Parser
/// that produced it (see Parser).
struct WebhookEvent {
  std::string_view event;                       ///< e.g. `"crmEngagement::created"`.
  Trigger trigger{Trigger::created};            ///< From `event`.
  std::string_view model;                       ///< `"crmEngagement"`.
  std::string_view id;                          ///< `data.id`, never empty.
  Engagement fields;                            ///< `data.fields`.
  Timestamp created_at;                         ///< `data.createdAt`.
  Timestamp updated_at;                         ///< `data.updatedAt`.
  std::optional<std::string_view> raw_resource; ///< Raw JSON; nullopt when absent, `"null"` for null.
  WarningList warnings;                         ///< Empty when absent.

  /// Field-by-field equality (raw JSON compared byte for byte).
  friend bool operator==(const WebhookEvent& a, const WebhookEvent& b) noexcept {
    return a.event == b.event && a.trigger == b.trigger && a.model == b.model && a.id == b.id &&
           a.fields == b.fields && a.created_at == b.created_at &&
           a.updated_at == b.updated_at && a.raw_resource == b.raw_resource &&
           a.warnings == b.warnings;
  }
  /// Negation of ==.
  friend bool operator!=(const WebhookEvent& a, const WebhookEvent& b) noexcept {
    return !(a == b);
  }
};

/// A checked event of any Morph model, with `fields` kept as validated raw JSON text.
struct ResourceEvent {
  std::string_view event;                       ///< e.g. `"genericContact::updated"`.
  Trigger trigger{Trigger::created};            ///< From `event`.
  std::string_view model;                       ///< e.g. `"genericContact"`.
  std::string_view id;                          ///< `data.id`, never empty.
  std::string_view fields;                      ///< `data.fields`: a JSON object, raw text.
  Timestamp created_at;                         ///< `data.createdAt`.
  Timestamp updated_at;                         ///< `data.updatedAt`.
  std::optional<std::string_view> raw_resource; ///< Raw JSON; nullopt when absent.
  WarningList warnings;                         ///< Empty when absent.

  /// Field-by-field equality (raw JSON compared byte for byte).
  friend bool operator==(const ResourceEvent& a, const ResourceEvent& b) noexcept {
    return a.event == b.event && a.trigger == b.trigger && a.model == b.model && a.id == b.id &&
           a.fields == b.fields && a.created_at == b.created_at &&
           a.updated_at == b.updated_at && a.raw_resource == b.raw_resource &&
           a.warnings == b.warnings;
  }
  /// Negation of ==.
  friend bool operator!=(const ResourceEvent& a, const ResourceEvent& b) noexcept {
    return !(a == b);
  }
};

/// How much the parser accepts.
enum class Policy : std::uint8_t {
  /// Everything Morph really sends: dropped fields, unknown enum values, `null` as absent for
  /// optional engagement fields, date-times with a numeric offset. The default.
  lenient,
  /// The exact zod schema of crmEngagement: `type` and `startedAt` required, closed enums,
  /// date-times ending in `Z`, ref models checked, `null` is a type error.
  strict,
};

/// The name of a policy: `"lenient"` or `"strict"`.
[[nodiscard]] constexpr std::string_view to_string(Policy value) noexcept {
  return value == Policy::strict ? "strict" : "lenient";
}

/// Options for parsing a body. The defaults suit a public webhook endpoint.
struct ParseOptions {
  /// Validation policy.
  Policy policy = Policy::lenient;
  /// Largest accepted body, in bytes (default 8 MiB); larger is `body_too_large`.
  std::size_t max_body_bytes = std::size_t{8} << 20;
  /// Deepest accepted nesting of arrays and objects, the root object being depth 1
  /// (default 256); deeper is `invalid_json`. Every container counts, the ones the library
  /// interprets included (a ref in `contacts` is at depth 5). Values above simdjson's own
  /// limit (1024) are capped to 1022.
  std::uint32_t max_depth = 256;
  /// Most refs accepted in one event, the owner and all lists together (default 100000); more is
  /// `invalid_value`.
  std::size_t max_refs = 100000;
  /// Most warnings accepted in one event (default 10000); more is `invalid_value`.
  std::size_t max_warnings = 10000;
};

/// The 17 Morph resource models, as named in `event` and `data.model`.
inline constexpr std::string_view known_models[] = {
    "genericCompany",       "genericContact",        "genericUser",
    "genericWorkspace",     "crmOpportunity",        "crmStage",
    "crmPipeline",          "crmEngagement",         "telephonyCall",
    "telephonyCallTranscript", "schedulingEventType", "schedulingSlot",
    "schedulingEvent",      "widgetCardView",        "accountingInvoice",
    "accountingInvoiceLineItem", "accountingInvoiceItem",
};

/// True when `model` is one of the 17 models Morph documents.
[[nodiscard]] constexpr bool is_known_model(std::string_view model) noexcept {
  for (std::string_view m : known_models) {
    if (m == model) return true;
  }
  return false;
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_TYPES_HPP
