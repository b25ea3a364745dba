/// @file event_type.hpp
/// @brief schedulingEventType: a bookable meeting type (as in Calendly), with its booking-form
/// questions. Source: Morph's `ResourceModels/SchedulingEventType.ts` (see models.md).
#ifndef MORPH_WEBHOOK_MODELS_EVENT_TYPE_HPP
#define MORPH_WEBHOOK_MODELS_EVENT_TYPE_HPP

#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// `fields.status` of a schedulingEventType.
enum class EventTypeStatus : std::uint8_t { active, inactive, unknown };

/// Wire names of EventTypeStatus.
template <>
struct EnumNames<EventTypeStatus> {
  /// In enumerator order.
  static constexpr std::string_view values[] = {"active", "inactive"};
};

/// A question's `type`: the discriminator of the questions' union.
enum class QuestionType : std::uint8_t { text, number, select, multiselect, unknown };

/// Wire names of QuestionType.
template <>
struct EnumNames<QuestionType> {
  /// In enumerator order.
  static constexpr std::string_view values[] = {"text", "number", "select", "multiselect"};
};

/// One choice of a select or multiselect question.
struct QuestionOption {
  std::string_view value;  ///< The value an answer holds.
  std::string_view name;   ///< Its label.
};

/// Description of QuestionOption (a nested object).
template <>
struct ModelDescription<QuestionOption> {
  /// The members, in schema order.
  // clang-format off
  static constexpr auto fields = std::make_tuple(field("value", &QuestionOption::value),
                                                 field("name", &QuestionOption::name));
  // clang-format on
};

/// A question of the booking form: one variant of a union on `type` (`options` belongs to
/// `select` and `multiselect` only).
struct Question {
  EnumField<QuestionType> type;                   ///< text, number, select, multiselect.
  std::string_view key;                           ///< Question key (the answers' key).
  std::string_view name;                          ///< Label.
  bool required = false;                          ///< An answer is required.
  std::optional<std::string_view> description;    ///< Help text.
  std::optional<std::string_view> default_value;  ///< `default`: a string, even for `number`.
  std::optional<Span<QuestionOption>> options;    ///< Choices (select and multiselect).
};

/// How `options` takes part in a question's variant: required by `select` and `multiselect`,
/// not part of `text` and `number` (zod strips it there: the key is ignored, whatever it
/// holds), read when present when `type` is unlisted (lenient), and undecided while `type` is
/// not read yet (`options` before `type`: read after the object's other members).
[[nodiscard]] constexpr FieldUse question_options_use(const Question& q) noexcept {
  if (q.type.text.empty() && q.type.value == QuestionType::unknown) return FieldUse::undecided;
  if (q.type.value == QuestionType::unknown) return FieldUse::optional;
  if (q.type.value == QuestionType::select || q.type.value == QuestionType::multiselect) {
    return FieldUse::required;
  }
  return FieldUse::ignored;
}

/// Description of Question (a nested object, discriminated on `type`).
template <>
struct ModelDescription<Question> {
  /// The members, in schema order.
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("type", &Question::type),
      field("key", &Question::key),
      field("name", &Question::name),
      field("required", &Question::required),
      field("description", &Question::description),
      field("default", &Question::default_value),
      field("options", &Question::options).in_variant(&question_options_use));
  // clang-format on
};

/// The `fields` of a schedulingEventType.
struct EventType {
  std::optional<std::string_view> name;              ///< Name (required by zod).
  std::optional<EnumField<EventTypeStatus>> status;  ///< active, inactive (required).
  std::optional<Span<std::int64_t>> durations;       ///< Offered durations, minutes (>= 0).
  std::optional<Span<Question>> questions;           ///< Booking-form questions (required).
  std::optional<std::string_view> scheduling_url;    ///< `schedulingUrl` (required; no check).
  std::optional<RefList> slots;                      ///< schedulingSlot refs (null items: lenient).
  std::optional<ResourceRef> owner;                  ///< A genericUser.
};

/// schedulingEventType as Morph's zod schema gives it (models.md).
template <>
struct ModelDescription<EventType> {
  /// The Morph model id.
  static constexpr std::string_view name = "schedulingEventType";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("name", &EventType::name).required(),
      field("status", &EventType::status).required(),
      field("durations", &EventType::durations),
      field("questions", &EventType::questions).required(),
      field("schedulingUrl", &EventType::scheduling_url).required(),
      field("slots", &EventType::slots).ref_to("schedulingSlot").optional_items(),
      field("owner", &EventType::owner).ref_to("genericUser"));
  // clang-format on
};

/// A checked schedulingEventType event.
using EventTypeEvent = Event<EventType>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_EVENT_TYPE_HPP
