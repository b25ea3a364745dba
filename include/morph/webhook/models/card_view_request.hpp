/// @file card_view_request.hpp
/// @brief widgetCardView: a CRM side-panel widget a user just opened, asking for the cards to
/// show. Source: Morph's `ResourceModels/WidgetCardView.ts` (see models.md); the description
/// below is the model. The answer (the cards) is CardView, in card_view.hpp.
#ifndef MORPH_WEBHOOK_MODELS_CARD_VIEW_REQUEST_HPP
#define MORPH_WEBHOOK_MODELS_CARD_VIEW_REQUEST_HPP

#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The `fields` of a widgetCardView event: who opened the widget, and the record it was opened
/// on. HubSpot, Pipedrive and Salesforce set at most one of `generic_contact`,
/// `generic_company` and `crm_opportunity`, by the kind of record. Member names follow the wire
/// names (which are the target model ids).
struct CardViewRequest {
  std::optional<ResourceRef> triggered_by;     ///< `triggeredBy`: a genericUser.
  std::optional<ResourceRef> generic_contact;  ///< `genericContact`: the contact, if any.
  std::optional<ResourceRef> generic_company;  ///< `genericCompany`: the company, if any.
  std::optional<ResourceRef> crm_opportunity;  ///< `crmOpportunity`: the deal, if any.
};

/// widgetCardView as Morph's zod schema gives it (models.md): four optional single refs.
template <>
struct ModelDescription<CardViewRequest> {
  /// The Morph model id.
  static constexpr std::string_view name = "widgetCardView";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("triggeredBy", &CardViewRequest::triggered_by).ref_to("genericUser"),
      field("genericContact", &CardViewRequest::generic_contact).ref_to("genericContact"),
      field("genericCompany", &CardViewRequest::generic_company).ref_to("genericCompany"),
      field("crmOpportunity", &CardViewRequest::crm_opportunity).ref_to("crmOpportunity"));
  // clang-format on
};

/// A checked widgetCardView event (answer it with a CardView, card_view.hpp).
using CardViewEvent = Event<CardViewRequest>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_CARD_VIEW_REQUEST_HPP
