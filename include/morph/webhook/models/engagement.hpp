/// @file engagement.hpp
/// @brief crmEngagement: a CRM activity (call, meeting, email, task, note). Source: Morph's
/// `ResourceModels/CrmEngagement.ts` (see models.md); the description below is the model.
#ifndef MORPH_WEBHOOK_MODELS_ENGAGEMENT_HPP
#define MORPH_WEBHOOK_MODELS_ENGAGEMENT_HPP

#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// `fields.type` of a crmEngagement. `unknown` keeps forward compatibility (lenient policy).
enum class EngagementType : std::uint8_t { call, meeting, email, task, note, unknown };

/// `fields.direction` of a crmEngagement (and of a telephonyCall).
enum class Direction : std::uint8_t { inbound, outbound, unknown };

/// `fields.status` of a crmEngagement. `in_progress` is `"inProgress"` on the wire.
enum class EngagementStatus : std::uint8_t { planned, in_progress, completed, canceled, unknown };

/// Wire names of EngagementType.
template <>
struct EnumNames<EngagementType> {
  /// In enumerator order.
  static constexpr std::string_view values[] = {"call", "meeting", "email", "task", "note"};
};

/// Wire names of Direction.
template <>
struct EnumNames<Direction> {
  /// In enumerator order.
  static constexpr std::string_view values[] = {"inbound", "outbound"};
};

/// Wire names of EngagementStatus.
template <>
struct EnumNames<EngagementStatus> {
  /// In enumerator order.
  static constexpr std::string_view values[] = {"planned", "inProgress", "completed", "canceled"};
};

/// The `fields` of a crmEngagement. Every member distinguishes absent (`std::nullopt`) from
/// present: Morph leaves out fields it could not read (and says so in `warnings`).
struct Engagement {
  std::optional<EnumField<EngagementType>> type;      ///< call, meeting, email, task, note.
  std::optional<EnumField<Direction>> direction;      ///< inbound, outbound.
  std::optional<EnumField<EngagementStatus>> status;  ///< planned, inProgress, ...
  std::optional<std::string_view> title;              ///< Subject or title.
  std::optional<std::string_view> description;        ///< Content, possibly long.
  std::optional<Timestamp> started_at;                ///< `startedAt`.
  std::optional<Timestamp> ended_at;                  ///< `endedAt`.
  std::optional<std::int64_t> duration;               ///< Seconds, never negative.
  std::optional<ResourceRef> owner;                   ///< A genericUser.
  std::optional<RefList> users;                       ///< genericUser refs.
  std::optional<RefList> companies;                   ///< genericCompany refs.
  std::optional<RefList> contacts;                    ///< genericContact refs.
  std::optional<RefList> opportunities;               ///< crmOpportunity refs.
};

/// crmEngagement as Morph's zod schema gives it (models.md): `type` and `startedAt` required,
/// the rest optional; no string rules.
template <>
struct ModelDescription<Engagement> {
  /// The Morph model id.
  static constexpr std::string_view name = "crmEngagement";
  /// The fields, in schema order (to_json() writes them in this order).
  // One field per line (clang-format would pack them).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("type", &Engagement::type).required(),
      field("direction", &Engagement::direction),
      field("status", &Engagement::status),
      field("title", &Engagement::title),
      field("description", &Engagement::description),
      field("startedAt", &Engagement::started_at).required(),
      field("endedAt", &Engagement::ended_at),
      field("duration", &Engagement::duration),
      field("owner", &Engagement::owner).ref_to("genericUser"),
      field("users", &Engagement::users).ref_to("genericUser"),
      field("companies", &Engagement::companies).ref_to("genericCompany"),
      field("contacts", &Engagement::contacts).ref_to("genericContact"),
      field("opportunities", &Engagement::opportunities).ref_to("crmOpportunity"));
  // clang-format on
};

/// A checked crmEngagement event (`Event<Engagement>`). Views are valid until the next parse
/// on the Parser that produced it (see Parser).
using WebhookEvent = Event<Engagement>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_ENGAGEMENT_HPP
