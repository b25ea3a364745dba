/// @file any_event.hpp
/// @brief parse_any(): a body of whatever model, typed when the library types its model
/// (TypedModels, models.hpp), a ResourceEvent otherwise.
///
/// ```
/// auto event = morph::webhook::parse_any(parser, body);  // Result<AnyEvent>
/// if (event) std::visit([](const auto& e) { handle(e); }, *event);
/// ```
#ifndef MORPH_WEBHOOK_ANY_EVENT_HPP
#define MORPH_WEBHOOK_ANY_EVENT_HPP

#include <cstddef>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>

#include "morph/webhook/dispatch.hpp"  // detail::peek_event_model
#include "morph/webhook/error.hpp"
#include "morph/webhook/models.hpp"
#include "morph/webhook/parser.hpp"

namespace morph::webhook {

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {
template <class Models>
struct AnyEventOf;
template <class... Models>
struct AnyEventOf<std::tuple<Models...>> {
  using type = std::variant<ResourceEvent, Event<Models>...>;
};

/// Index in TypedModels of the model named `model`, or the number of typed models.
template <std::size_t I = 0>
constexpr std::size_t typed_model_index(std::string_view model) noexcept {
  if constexpr (I == std::tuple_size_v<TypedModels>) {
    return I;
  } else {
    return model == model_name<std::tuple_element_t<I, TypedModels>>
               ? I
               : typed_model_index<I + 1>(model);
  }
}
}  // namespace detail
/// @endcond

/// An event of any model: `Event<M>` for each model M of TypedModels (`Event<Engagement>`,
/// `Event<Contact>`, `Event<Transcript>`...), ResourceEvent (`fields` as raw JSON) for every other
/// model, documented or future. Views point into the Parser, as for every event.
using AnyEvent = typename detail::AnyEventOf<TypedModels>::type;

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {
/// Parses `body` as the typed model at `index` of TypedModels.
template <std::size_t I = 0, class Body>
Result<AnyEvent> parse_typed(Parser& parser, std::size_t index, Body body,
                             const ParseOptions& options) noexcept {
  (void)index;  // unused in the last instantiation
  if constexpr (I + 1 < std::tuple_size_v<TypedModels>) {
    if (index != I) return parse_typed<I + 1>(parser, index, body, options);
  }
  using Model = std::tuple_element_t<I, TypedModels>;
  auto result = parser.parse_as<Model>(body, options);
  if (!result) return std::move(result).error();
  return AnyEvent(std::in_place_type<Event<Model>>, std::move(result).value());
}

/// parse_any() on a body the Parser copies (std::string_view) or parses in place
/// (simdjson::padded_string_view).
template <class Body>
Result<AnyEvent> parse_any_body(Parser& parser, Body body, const ParseOptions& options) noexcept {
  constexpr std::size_t untyped = std::tuple_size_v<TypedModels>;
  const std::size_t hinted =
      typed_model_index(peek_event_model(std::string_view(body.data(), body.size())));
  if (hinted != untyped) {
    auto result = parse_typed(parser, hinted, body, options);
    // unsupported_model: `event` was not what the hint read (an escape, a later duplicate...).
    if (result || result.error().code != ErrorCode::unsupported_model) return result;
  }
  auto envelope = parser.parse_envelope(body, options);
  if (!envelope) return std::move(envelope).error();
  const std::size_t index = typed_model_index(envelope.value().model);
  if (index == untyped) return AnyEvent(std::in_place_type<ResourceEvent>, envelope.value());
  return parse_typed(parser, index, body, options);
}
}  // namespace detail
/// @endcond

/// Parses a body of any model with `parser`: a typed event when its model is in TypedModels,
/// a ResourceEvent otherwise; the same checks, error codes and pointers as parse_as() and
/// parse_envelope(). One parse when the body starts with `"event"` (as Morph sends it);
/// otherwise the envelope is read first to learn the model, then the typed model parsed.
[[nodiscard]] inline Result<AnyEvent> parse_any(Parser& parser, std::string_view body,
                                                const ParseOptions& options) noexcept {
  return detail::parse_any_body(parser, body, options);
}

/// Same, with the parser's options.
[[nodiscard]] inline Result<AnyEvent> parse_any(Parser& parser, std::string_view body) noexcept {
  return parse_any(parser, body, parser.options());
}

/// Same, in place, copying nothing: `body` must have at least `simdjson::SIMDJSON_PADDING`
/// readable bytes after its end; views point into `body` (see Parser::parse_as()).
[[nodiscard]] inline Result<AnyEvent> parse_any(Parser& parser, simdjson::padded_string_view body,
                                                const ParseOptions& options) noexcept {
  return detail::parse_any_body(parser, body, options);
}

/// Same, in place, with the parser's options.
[[nodiscard]] inline Result<AnyEvent> parse_any(Parser& parser,
                                                simdjson::padded_string_view body) noexcept {
  return parse_any(parser, body, parser.options());
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_ANY_EVENT_HPP
