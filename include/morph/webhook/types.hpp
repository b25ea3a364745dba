/// @file types.hpp
/// @brief Every type of the API in one include: the values (values.hpp), the typed models and
/// events (model.hpp, models.hpp), Policy, ParseOptions and the list of Morph's models.
///
/// Every `std::string_view` in these types points into the Parser that produced the event
/// (its copy of the body or its string buffer) and stays valid until the next parse on that
/// Parser. Use to_owned() (owned.hpp) to keep an event longer.
#ifndef MORPH_WEBHOOK_TYPES_HPP
#define MORPH_WEBHOOK_TYPES_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "morph/webhook/models.hpp"
#include "morph/webhook/values.hpp"

namespace morph::webhook {

/// How much the parser accepts.
enum class Policy : std::uint8_t {
  /// Everything Morph really sends: dropped fields, unknown enum values, `null` as absent for
  /// optional engagement fields, date-times with a numeric offset. The default.
  lenient,
  /// The exact zod schema of crmEngagement: `type` and `startedAt` required, closed enums,
  /// date-times ending in `Z`, ref models checked, `null` is a type error.
  strict,
};

/// The name of a policy: `"lenient"` or `"strict"`.
[[nodiscard]] constexpr std::string_view to_string(Policy value) noexcept {
  return value == Policy::strict ? "strict" : "lenient";
}

/// Options for parsing a body. The defaults suit a public webhook endpoint.
struct ParseOptions {
  /// Validation policy.
  Policy policy = Policy::lenient;
  /// Largest accepted body, in bytes (default 8 MiB); larger is `body_too_large`.
  std::size_t max_body_bytes = std::size_t{8} << 20;
  /// Deepest accepted nesting of arrays and objects, the root object being depth 1
  /// (default 256); deeper is `invalid_json`. Every container counts, the ones the library
  /// interprets included (a ref in `contacts` is at depth 5). Values above simdjson's own
  /// limit (1024) are capped to 1022.
  std::uint32_t max_depth = 256;
  /// Most refs accepted in one event, the owner and all lists together (default 100000); more is
  /// `invalid_value`.
  std::size_t max_refs = 100000;
  /// Most warnings accepted in one event (default 10000); more is `invalid_value`.
  std::size_t max_warnings = 10000;
  /// Most nested items accepted in one event (default 100000): objects in lists (transcript
  /// segments, questions, options...), numbers in number lists, record entries and the strings
  /// of their lists, all together; more is `invalid_value`. Bounds the Parser's nested storage.
  std::size_t max_items = 100000;
};

/// The 17 Morph resource models, as named in `event` and `data.model`.
inline constexpr std::string_view known_models[] = {
    "genericCompany",        "genericContact",
    "genericUser",           "genericWorkspace",
    "crmOpportunity",        "crmStage",
    "crmPipeline",           "crmEngagement",
    "telephonyCall",         "telephonyCallTranscript",
    "schedulingEventType",   "schedulingSlot",
    "schedulingEvent",       "widgetCardView",
    "accountingInvoice",     "accountingInvoiceLineItem",
    "accountingInvoiceItem",
};

/// True when `model` is one of the 17 models Morph documents.
[[nodiscard]] constexpr bool is_known_model(std::string_view model) noexcept {
  for (std::string_view m : known_models) {
    if (m == model) return true;
  }
  return false;
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_TYPES_HPP
