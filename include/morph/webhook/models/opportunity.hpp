/// @file opportunity.hpp
/// @brief crmOpportunity: a deal in a CRM pipeline. Source: Morph's
/// `ResourceModels/CrmOpportunity.ts` (see models.md); the description below is the model.
#ifndef MORPH_WEBHOOK_MODELS_OPPORTUNITY_HPP
#define MORPH_WEBHOOK_MODELS_OPPORTUNITY_HPP

#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The `fields` of a crmOpportunity. Its three ref lists declare their items `.optional()`:
/// Morph may write a `null` item, which the lenient policy skips (model.hpp).
struct Opportunity {
  std::optional<std::string_view> name;      ///< Opportunity name, 1 to 250 UTF-16 units.
  std::optional<double> amount;              ///< Amount, >= 0, not necessarily whole.
  std::optional<std::string_view> currency;  ///< Exactly 3 UTF-16 units (no pattern).
  std::optional<ResourceRef> stage;          ///< A crmStage: the current stage.
  std::optional<ResourceRef> pipeline;       ///< A crmPipeline.
  std::optional<ResourceRef> owner;          ///< A genericUser: the owner.
  std::optional<RefList> contacts;           ///< genericContact refs.
  std::optional<RefList> companies;          ///< genericCompany refs.
  std::optional<RefList> engagements;        ///< crmEngagement refs.
};

/// crmOpportunity as Morph's zod schema gives it (models.md): every field optional.
template <>
struct ModelDescription<Opportunity> {
  /// The Morph model id.
  static constexpr std::string_view name = "crmOpportunity";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("name", &Opportunity::name).length(1, 250),
      field("amount", &Opportunity::amount).non_negative(),
      field("currency", &Opportunity::currency).length(3, 3),
      field("stage", &Opportunity::stage).ref_to("crmStage"),
      field("pipeline", &Opportunity::pipeline).ref_to("crmPipeline"),
      field("owner", &Opportunity::owner).ref_to("genericUser"),
      field("contacts", &Opportunity::contacts).ref_to("genericContact").optional_items(),
      field("companies", &Opportunity::companies).ref_to("genericCompany").optional_items(),
      field("engagements", &Opportunity::engagements).ref_to("crmEngagement").optional_items());
  // clang-format on
};

/// A checked crmOpportunity event.
using OpportunityEvent = Event<Opportunity>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_OPPORTUNITY_HPP
