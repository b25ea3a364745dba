/// @file pipeline.hpp
/// @brief crmPipeline: a CRM sales pipeline. Source: Morph's `ResourceModels/CrmPipeline.ts`
/// (see models.md); the description below is the model.
#ifndef MORPH_WEBHOOK_MODELS_PIPELINE_HPP
#define MORPH_WEBHOOK_MODELS_PIPELINE_HPP

#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The `fields` of a crmPipeline.
struct Pipeline {
  std::optional<std::string_view> name;  ///< Pipeline name, 1 to 250 UTF-16 units.
  std::optional<RefList> stages;         ///< crmStage refs (required; may be empty).
};

/// crmPipeline as Morph's zod schema gives it (models.md): `stages` required, its items not
/// optional (a `null` item is wrong_type under both policies). (`name` was required until
/// 2025-03-25, and still is in the npm package 0.0.5.)
template <>
struct ModelDescription<Pipeline> {
  /// The Morph model id.
  static constexpr std::string_view name = "crmPipeline";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("name", &Pipeline::name).length(1, 250),
      field("stages", &Pipeline::stages).required().ref_to("crmStage"));
  // clang-format on
};

/// A checked crmPipeline event.
using PipelineEvent = Event<Pipeline>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_PIPELINE_HPP
