/// @file contact.hpp
/// @brief genericContact: an external person (a CRM contact or lead). Source: Morph's
/// `ResourceModels/GenericContact.ts` (see models.md); the description below is the model.
#ifndef MORPH_WEBHOOK_MODELS_CONTACT_HPP
#define MORPH_WEBHOOK_MODELS_CONTACT_HPP

#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The `fields` of a genericContact. Every field is optional in Morph's schema; HubSpot's
/// mapper sends the four of them, and leaves out (with a warning) one it could not validate.
struct Contact {
  std::optional<std::string_view> first_name;  ///< `firstName`, 1 to 250 UTF-16 units.
  std::optional<std::string_view> last_name;   ///< `lastName`, 1 to 250 UTF-16 units.
  std::optional<std::string_view> email;       ///< zod's email rule, 5 to 250 units.
  std::optional<std::string_view> phone;       ///< 5 to 20 units, any format.
};

/// genericContact as Morph's zod schema gives it (models.md): four optional strings, with
/// lengths in UTF-16 code units and zod's email rule. (`companyName`, still in Morph's
/// documentation, was removed from the schema: it is an unknown key, ignored.)
template <>
struct ModelDescription<Contact> {
  /// The Morph model id.
  static constexpr std::string_view name = "genericContact";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("firstName", &Contact::first_name).length(1, 250),
      field("lastName", &Contact::last_name).length(1, 250),
      field("email", &Contact::email).email().length(5, 250),
      field("phone", &Contact::phone).length(5, 20));
  // clang-format on
};

/// A checked genericContact event.
using ContactEvent = Event<Contact>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_CONTACT_HPP
