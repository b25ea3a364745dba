/// @file workspace.hpp
/// @brief genericWorkspace: the connected account or workspace itself. Source: Morph's
/// `ResourceModels/GenericWorkspace.ts` (see models.md); the description below is the model.
#ifndef MORPH_WEBHOOK_MODELS_WORKSPACE_HPP
#define MORPH_WEBHOOK_MODELS_WORKSPACE_HPP

#include <optional>
#include <string_view>
#include <tuple>

#include "morph/webhook/model.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// The `fields` of a genericWorkspace.
struct Workspace {
  std::optional<std::string_view> name;  ///< Workspace name, 1 to 250 UTF-16 units (required).
};

/// genericWorkspace as Morph's zod schema gives it (models.md): `name` required.
template <>
struct ModelDescription<Workspace> {
  /// The Morph model id.
  static constexpr std::string_view name = "genericWorkspace";
  /// The fields, in schema order (to_json() writes them in this order).
  static constexpr auto fields =
      std::make_tuple(field("name", &Workspace::name).required().length(1, 250));
};

/// A checked genericWorkspace event.
using WorkspaceEvent = Event<Workspace>;

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_MODELS_WORKSPACE_HPP
