/// @file user.hpp
/// @brief genericUser: an internal user of the connected tool (owner, assignee, participant).
/// Source: Morph's `ResourceModels/GenericUser.ts` (see models.md); the description below is
/// the model.
#ifndef MORPH_WEBHOOK_MODELS_USER_HPP
#define MORPH_WEBHOOK_MODELS_USER_HPP

#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The `fields` of a genericUser: a contact's rules without the phone.
struct User {
  std::optional<std::string_view> first_name;  ///< `firstName`, 1 to 250 UTF-16 units.
  std::optional<std::string_view> last_name;   ///< `lastName`, 1 to 250 UTF-16 units.
  std::optional<std::string_view> email;       ///< zod's email rule, 5 to 250 units.
};

/// genericUser as Morph's zod schema gives it (models.md): three optional strings.
template <>
struct ModelDescription<User> {
  /// The Morph model id.
  static constexpr std::string_view name = "genericUser";
  /// The fields, in schema order (to_json() writes them in this order).
  // clang-format off
  static constexpr auto fields = std::make_tuple(
      field("firstName", &User::first_name).length(1, 250),
      field("lastName", &User::last_name).length(1, 250),
      field("email", &User::email).email().length(5, 250));
  // clang-format on
};

/// A checked genericUser event.
using UserEvent = Event<User>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_USER_HPP
