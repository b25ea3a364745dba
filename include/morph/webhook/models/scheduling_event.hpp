/// @file scheduling_event.hpp
/// @brief schedulingEvent: a booked meeting, with its external attendees and the answers to its
/// event type's questions. Source: Morph's `ResourceModels/SchedulingEvent.ts` (see models.md).
#ifndef MORPH_WEBHOOK_MODELS_SCHEDULING_EVENT_HPP
#define MORPH_WEBHOOK_MODELS_SCHEDULING_EVENT_HPP

#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// `fields.status` of a schedulingEvent. `in_progress` is `"inProgress"` on the wire.
enum class SchedulingEventStatus : std::uint8_t {
  requested,
  planned,
  in_progress,
  completed,
  canceled,
  unknown
};

/// Wire names of SchedulingEventStatus.
template <>
struct EnumNames<SchedulingEventStatus> {
  /// In enumerator order.
  static constexpr std::string_view values[] = {"requested", "planned", "inProgress", "completed",
                                                "canceled"};
};

/// An attendee from outside the organisation (`externalAttendees` item).
struct ExternalAttendee {
  std::optional<std::string_view> first_name;    ///< `firstName`.
  std::optional<std::string_view> last_name;     ///< `lastName`.
  std::string_view email;                        ///< Email (required; no format check here).
  std::optional<std::string_view> phone_number;  ///< `phoneNumber`.
};

/// Description of ExternalAttendee (a nested object).
template <>
struct ModelDescription<ExternalAttendee> {
  /// The members, in schema order.
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("firstName", &ExternalAttendee::first_name),
      field("lastName", &ExternalAttendee::last_name),
      field("email", &ExternalAttendee::email),
      field("phoneNumber", &ExternalAttendee::phone_number));
  // clang-format on
};

/// The `fields` of a schedulingEvent.
struct SchedulingEvent {
  std::optional<ResourceRef> event_type;                     ///< `eventType`: its event type.
  std::optional<std::string_view> title;                     ///< Title.
  std::optional<std::string_view> description;               ///< Description.
  std::optional<EnumField<SchedulingEventStatus>> status;    ///< requested, planned, ...
  std::optional<Timestamp> start_time;                       ///< `startTime` (required).
  std::optional<Timestamp> end_time;                         ///< `endTime`.
  std::optional<double> duration;                            ///< Minutes; any number.
  std::optional<RefList> attendees;                          ///< genericUser refs.
  std::optional<Span<ExternalAttendee>> external_attendees;  ///< Required by zod.
  std::optional<ResourceRef> organizer;                      ///< A genericUser.
  std::optional<Answers> answers;                            ///< Required by zod.
};

/// schedulingEvent as Morph's zod schema gives it (models.md): `startTime`,
/// `externalAttendees` and `answers` required.
template <>
struct ModelDescription<SchedulingEvent> {
  /// The Morph model id.
  static constexpr std::string_view name = "schedulingEvent";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("eventType", &SchedulingEvent::event_type).ref_to("schedulingEventType"),
      field("title", &SchedulingEvent::title),
      field("description", &SchedulingEvent::description),
      field("status", &SchedulingEvent::status),
      field("startTime", &SchedulingEvent::start_time).required(),
      field("endTime", &SchedulingEvent::end_time),
      field("duration", &SchedulingEvent::duration),
      field("attendees", &SchedulingEvent::attendees).ref_to("genericUser"),
      field("externalAttendees", &SchedulingEvent::external_attendees).required(),
      field("organizer", &SchedulingEvent::organizer).ref_to("genericUser"),
      field("answers", &SchedulingEvent::answers).required());
  // clang-format on
};

/// A checked schedulingEvent event.
using SchedulingEventEvent = Event<SchedulingEvent>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_SCHEDULING_EVENT_HPP
