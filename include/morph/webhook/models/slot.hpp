/// @file slot.hpp
/// @brief schedulingSlot: an available (or unavailable) time slot of an event type. Source:
/// Morph's `ResourceModels/SchedulingSlot.ts` (see models.md); the description below is the
/// model.
#ifndef MORPH_WEBHOOK_MODELS_SLOT_HPP
#define MORPH_WEBHOOK_MODELS_SLOT_HPP

#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// `fields.status` of a schedulingSlot.
enum class SlotStatus : std::uint8_t { available, unavailable, unknown };

/// Wire names of SlotStatus.
template <>
struct EnumNames<SlotStatus> {
  /// In enumerator order.
  static constexpr std::string_view values[] = {"available", "unavailable"};
};

/// The `fields` of a schedulingSlot. `date` and `start_time` are plain strings: the schema
/// checks no date or date-time format on them (unlike schedulingEvent's `startTime`).
struct Slot {
  std::optional<ResourceRef> event_type;        ///< `eventType`: a schedulingEventType.
  std::optional<std::string_view> timezone;     ///< Any text (no format check).
  std::optional<EnumField<SlotStatus>> status;  ///< available, unavailable (required).
  std::optional<std::string_view> date;         ///< The slot's date, any text (required).
  std::optional<std::string_view> start_time;   ///< `startTime`, any text (required).
};

/// schedulingSlot as Morph's zod schema gives it (models.md): `status`, `date` and `startTime`
/// required.
template <>
struct ModelDescription<Slot> {
  /// The Morph model id.
  static constexpr std::string_view name = "schedulingSlot";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("eventType", &Slot::event_type).ref_to("schedulingEventType"),
      field("timezone", &Slot::timezone),
      field("status", &Slot::status).required(),
      field("date", &Slot::date).required(),
      field("startTime", &Slot::start_time).required());
  // clang-format on
};

/// A checked schedulingSlot event.
using SlotEvent = Event<Slot>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_SLOT_HPP
