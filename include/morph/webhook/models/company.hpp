/// @file company.hpp
/// @brief genericCompany: a company or organisation (a CRM account). Source: Morph's
/// `ResourceModels/GenericCompany.ts` (see models.md); the description below is the model.
#ifndef MORPH_WEBHOOK_MODELS_COMPANY_HPP
#define MORPH_WEBHOOK_MODELS_COMPANY_HPP

#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The `fields` of a genericCompany.
struct Company {
  std::optional<std::string_view> name;  ///< Company name, 1 to 250 UTF-16 units.
};

/// genericCompany as Morph's zod schema gives it (models.md): one optional string. (`name` was
/// required until 2025-03-25, and still is in the npm package 0.0.5.)
template <>
struct ModelDescription<Company> {
  /// The Morph model id.
  static constexpr std::string_view name = "genericCompany";
  /// The fields, in schema order (to_json() writes them in this order).
  static constexpr auto fields = std::make_tuple(field("name", &Company::name).length(1, 250));
};

/// A checked genericCompany event.
using CompanyEvent = Event<Company>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_COMPANY_HPP
