/// @file parse_any.cpp
/// @brief Fuzz target: bodies of any model through parse_any() (every typed model's walker),
/// both policies, copied and in place, checked against parse_envelope(), to_json() and
/// to_owned().
///
/// Checks: the typed parse accepts exactly what parse_envelope() accepts when the model has no
/// type, never more than it otherwise (it is the envelope plus `fields`); strict never accepts
/// what lenient rejects; a body parsed in place gives the same event or error as a copy; an
/// accepted event's to_json() parses again to the same JSON, and its owned copy equals it.
#include "fuzz_common.hpp"

#include <cstring>
#include <string>
#include <variant>
#include <vector>

namespace mw = morph::webhook;
namespace fz = morph::webhook::fuzz;

namespace {

std::string_view model_of(const mw::AnyEvent& e) {
  return std::visit([](const auto& event) { return event.model; }, e);
}

std::string json_of(const mw::AnyEvent& e) {
  return std::visit([](const auto& event) { return mw::to_json(event); }, e);
}

void check_owned(const mw::AnyEvent& e) {
  std::visit(
      [](const auto& event) {
        const auto owned = mw::to_owned(event);
        MORPH_WEBHOOK_FUZZ_CHECK(owned == event);
        const auto copy = owned;  // deep copy: equal, and independent of `owned`
        MORPH_WEBHOOK_FUZZ_CHECK(copy == owned);
      },
      e);
}

void check(const mw::Result<mw::AnyEvent>& r, std::string_view body,
           const mw::ParseOptions& options) {
  if (!r) {
    fz::check_body_error(r.error(), body, options);
    MORPH_WEBHOOK_FUZZ_CHECK(r.error().code != mw::ErrorCode::unsupported_model);
    return;
  }
  check_owned(*r);
  // to_json() writes a body the same parser reads back to the same JSON.
  static mw::Parser again;
  const std::string json = json_of(*r);
  const auto reread = mw::parse_any(again, json, options);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(reread.has_value(), json);
  MORPH_WEBHOOK_FUZZ_CHECK(json_of(*reread) == json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static mw::Parser lenient_parser;
  static mw::Parser strict_parser;
  static mw::Parser in_place_parser;
  static mw::Parser envelope_parser;

  mw::ParseOptions lenient_options;
  mw::ParseOptions strict_options;
  strict_options.policy = mw::Policy::strict;

  const auto lenient = mw::parse_any(lenient_parser, body, lenient_options);
  check(lenient, body, lenient_options);
  const auto strict = mw::parse_any(strict_parser, body, strict_options);
  check(strict, body, strict_options);
  if (strict) MORPH_WEBHOOK_FUZZ_CHECK(lenient.has_value());

  // In place: the same verdict and event as the copy.
  static std::vector<char> padded;
  padded.assign(body.begin(), body.end());
  padded.resize(size + simdjson::SIMDJSON_PADDING, '\0');
  const auto in_place = mw::parse_any(
      in_place_parser, simdjson::padded_string_view(padded.data(), size, padded.size()),
      lenient_options);
  MORPH_WEBHOOK_FUZZ_CHECK(in_place.has_value() == lenient.has_value());
  if (in_place) {
    MORPH_WEBHOOK_FUZZ_CHECK(json_of(*in_place) == json_of(*lenient));
  } else {
    MORPH_WEBHOOK_FUZZ_CHECK(fz::same_error(in_place.error(), lenient.error()));
  }

  // The typed parse is the envelope plus `fields`: never accepts more than the envelope.
  const auto envelope = envelope_parser.parse_envelope(body, lenient_options);
  if (lenient) {
    MORPH_WEBHOOK_FUZZ_CHECK(envelope.has_value());
    MORPH_WEBHOOK_FUZZ_CHECK(model_of(*lenient) == envelope->model);
    if (std::holds_alternative<mw::ResourceEvent>(*lenient)) {
      MORPH_WEBHOOK_FUZZ_CHECK(std::get<mw::ResourceEvent>(*lenient) == *envelope);
    }
  } else if (!envelope) {
    const bool envelope_syntax = envelope.error().code == mw::ErrorCode::invalid_json;
    const bool typed_syntax = lenient.error().code == mw::ErrorCode::invalid_json;
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(
        envelope_syntax == typed_syntax,
        mw::to_string(envelope.error()) + " / " + mw::to_string(lenient.error()));
  }
  return 0;
}
