/// @file transcript.hpp
/// @brief telephonyCallTranscript: the transcript of a recorded call, with its speakers.
/// Source: Morph's `ResourceModels/TelephonyCallTranscript.ts` (see models.md); the
/// descriptions below are the model and its nested objects.
#ifndef MORPH_WEBHOOK_MODELS_TRANSCRIPT_HPP
#define MORPH_WEBHOOK_MODELS_TRANSCRIPT_HPP

#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// One timed piece of text of a transcript (`segments` item; every key required).
struct TranscriptSegment {
  double start = 0;             ///< Start, seconds from the call's start (>= 0, not whole).
  double end = 0;               ///< End, seconds (>= 0).
  std::string_view text;        ///< What was said.
  std::string_view speaker_id;  ///< `speakerId`: a Speaker's id (not cross-checked).
};

/// Description of TranscriptSegment (a nested object: no model name).
template <>
struct ModelDescription<TranscriptSegment> {
  /// The members, in schema order.
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("start", &TranscriptSegment::start).non_negative(),
      field("end", &TranscriptSegment::end).non_negative(),
      field("text", &TranscriptSegment::text),
      field("speakerId", &TranscriptSegment::speaker_id));
  // clang-format on
};

/// A speaker's `origin`. The schema lists `unknown` itself: that is `unknown`, accepted by both
/// policies; text the schema does not list is `unlisted` (lenient only). See model.hpp.
enum class SpeakerOrigin : std::uint8_t { internal, external, unknown, unlisted };

/// Wire names of SpeakerOrigin.
template <>
struct EnumNames<SpeakerOrigin> {
  /// In enumerator order (`unlisted` has none).
  static constexpr std::string_view values[] = {"internal", "external", "unknown"};
};

/// One speaker of a transcript (`speakers` item).
struct Speaker {
  std::string_view id;                    ///< Speaker id (segments name it in speakerId).
  EnumField<SpeakerOrigin> origin;        ///< internal, external or unknown.
  std::optional<std::string_view> name;   ///< Name.
  std::optional<std::string_view> phone;  ///< Phone, any format.
  std::optional<std::string_view> email;  ///< Email (zod's email rule, no length limits).
  std::optional<ResourceRef> user;        ///< A genericUser, when internal.
  std::optional<ResourceRef> contact;     ///< A genericContact, when external.
};

/// Description of Speaker (a nested object).
template <>
struct ModelDescription<Speaker> {
  /// The members, in schema order.
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("id", &Speaker::id),
      field("origin", &Speaker::origin),
      field("name", &Speaker::name),
      field("phone", &Speaker::phone),
      field("email", &Speaker::email).email(),
      field("user", &Speaker::user).ref_to("genericUser"),
      field("contact", &Speaker::contact).ref_to("genericContact"));
  // clang-format on
};

/// The `fields` of a telephonyCallTranscript.
struct Transcript {
  std::optional<ResourceRef> call;                  ///< The telephonyCall.
  std::optional<std::int64_t> duration;             ///< Seconds (required by zod).
  std::optional<Span<TranscriptSegment>> segments;  ///< Timed text (required by zod).
  std::optional<Span<Speaker>> speakers;            ///< Speakers (required by zod).
};

/// telephonyCallTranscript as Morph's zod schema gives it (models.md): `duration`, `segments`
/// and `speakers` required.
template <>
struct ModelDescription<Transcript> {
  /// The Morph model id.
  static constexpr std::string_view name = "telephonyCallTranscript";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("call", &Transcript::call).ref_to("telephonyCall"),
      field("duration", &Transcript::duration).required(),
      field("segments", &Transcript::segments).required(),
      field("speakers", &Transcript::speakers).required());
  // clang-format on
};

/// A checked telephonyCallTranscript event.
using TranscriptEvent = Event<Transcript>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_TRANSCRIPT_HPP
