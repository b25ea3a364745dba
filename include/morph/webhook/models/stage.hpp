/// @file stage.hpp
/// @brief crmStage: a stage of a CRM pipeline. Source: Morph's `ResourceModels/CrmStage.ts`
/// (see models.md); the description below is the model.
#ifndef MORPH_WEBHOOK_MODELS_STAGE_HPP
#define MORPH_WEBHOOK_MODELS_STAGE_HPP

#include <cstdint>
#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// `fields.type` of a crmStage. The schema itself lists `"unknown"` (a stage of unknown kind):
/// that is `unknown`, accepted by both policies; text the schema does not list is `unlisted`
/// (lenient only). See model.hpp, "Enums whose schema lists the wire value unknown".
enum class StageType : std::uint8_t { open, won, lost, unknown, unlisted };

/// Wire names of StageType.
template <>
struct EnumNames<StageType> {
  /// In enumerator order (`unlisted` has none).
  static constexpr std::string_view values[] = {"open", "won", "lost", "unknown"};
};

/// The `fields` of a crmStage.
struct Stage {
  std::optional<std::string_view> name;      ///< Stage name, 1 to 250 UTF-16 units (required).
  std::optional<EnumField<StageType>> type;  ///< open, won, lost, unknown (required).
  std::optional<ResourceRef> pipeline;       ///< The crmPipeline it belongs to.
};

/// crmStage as Morph's zod schema gives it (models.md): `name` and `type` required. (Until
/// 2025-03-12, and in the npm package 0.0.5, the values were upper case: `OPEN`...; strict
/// rejects those, lenient keeps them as `unlisted`.)
template <>
struct ModelDescription<Stage> {
  /// The Morph model id.
  static constexpr std::string_view name = "crmStage";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("name", &Stage::name).required().length(1, 250),
      field("type", &Stage::type).required(),
      field("pipeline", &Stage::pipeline).ref_to("crmPipeline"));
  // clang-format on
};

/// A checked crmStage event.
using StageEvent = Event<Stage>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_STAGE_HPP
