/// @file call.hpp
/// @brief telephonyCall: a phone call. Source: Morph's `ResourceModels/TelephonyCall.ts` (see
/// models.md); the description below is the model.
#ifndef MORPH_WEBHOOK_MODELS_CALL_HPP
#define MORPH_WEBHOOK_MODELS_CALL_HPP

#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/models/engagement.hpp"  // Direction, shared with crmEngagement
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// `fields.status` of a telephonyCall. `in_progress` is `"inProgress"` on the wire.
enum class CallStatus : std::uint8_t {
  planned,
  in_progress,
  completed,
  missed,
  voicemail,
  unknown
};

/// Wire names of CallStatus.
template <>
struct EnumNames<CallStatus> {
  /// In enumerator order.
  static constexpr std::string_view values[] = {"planned", "inProgress", "completed", "missed",
                                                "voicemail"};
};

/// The `fields` of a telephonyCall, as Aircall, Dialpad and Gong's mappers send them.
struct Call {
  std::optional<EnumField<Direction>> direction;    ///< inbound, outbound (required by zod).
  std::optional<EnumField<CallStatus>> status;      ///< planned, inProgress, ... (required).
  std::optional<Timestamp> started_at;              ///< `startedAt` (required).
  std::optional<Timestamp> answered_at;             ///< `answeredAt`.
  std::optional<Timestamp> ended_at;                ///< `endedAt`.
  std::optional<std::int64_t> duration;             ///< Seconds, never negative.
  std::optional<std::string_view> recording_url;    ///< `recordingUrl`: recording or voicemail.
  std::optional<RefList> users;                     ///< genericUser refs: internal participants.
  std::optional<RefList> contacts;                  ///< genericContact refs: external ones.
  std::optional<std::string_view> external_number;  ///< `externalNumber`, any format.
  std::optional<std::string_view> internal_number;  ///< `internalNumber`, any format.
  std::optional<ResourceRef> transcript;            ///< A telephonyCallTranscript.
};

/// telephonyCall as Morph's zod schema gives it (models.md): `direction`, `status` and
/// `startedAt` required, the rest optional; no string rules (`recordingUrl` is not checked as
/// a URL, the numbers have no format).
template <>
struct ModelDescription<Call> {
  /// The Morph model id.
  static constexpr std::string_view name = "telephonyCall";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("direction", &Call::direction).required(),
      field("status", &Call::status).required(),
      field("startedAt", &Call::started_at).required(),
      field("answeredAt", &Call::answered_at),
      field("endedAt", &Call::ended_at),
      field("duration", &Call::duration),
      field("recordingUrl", &Call::recording_url),
      field("users", &Call::users).ref_to("genericUser"),
      field("contacts", &Call::contacts).ref_to("genericContact"),
      field("externalNumber", &Call::external_number),
      field("internalNumber", &Call::internal_number),
      field("transcript", &Call::transcript).ref_to("telephonyCallTranscript"));
  // clang-format on
};

/// A checked telephonyCall event.
using CallEvent = Event<Call>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_CALL_HPP
