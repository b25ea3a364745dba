/// @file parse_envelope.cpp
/// @brief Fuzz target: bodies of any model through Parser::parse_envelope, both policies,
/// checked against the typed parser and nlohmann::json.
#include "fuzz_common.hpp"

namespace mw = morph::webhook;
namespace fz = morph::webhook::fuzz;

namespace {

void check_result(const mw::Result<mw::ResourceEvent>& r, std::string_view body,
                  const mw::ParseOptions& options, const fz::Reference& ref) {
  if (r) {
    fz::check_envelope(*r, options);
    fz::cross_check_envelope(*r, ref);
  } else {
    fz::check_body_error(r.error(), body, options);
    MORPH_WEBHOOK_FUZZ_CHECK(r.error().code != mw::ErrorCode::unsupported_model);
    fz::cross_check_error(r.error(), ref);
    fz::cross_check_error_json(r.error());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static mw::Parser envelope_parser;
  static mw::Parser strict_parser;
  static mw::Parser typed_parser;

  mw::ParseOptions lenient_options;
  mw::ParseOptions strict_options;
  strict_options.policy = mw::Policy::strict;

  const fz::Reference ref = fz::reference_parse(body);
  const auto lenient = envelope_parser.parse_envelope(body, lenient_options);
  const auto strict = strict_parser.parse_envelope(body, strict_options);
  check_result(lenient, body, lenient_options, ref);
  check_result(strict, body, strict_options, ref);
  if (strict) {
    MORPH_WEBHOOK_FUZZ_CHECK(lenient.has_value());
    MORPH_WEBHOOK_FUZZ_CHECK(*strict == *lenient);
  }

  // The typed parser is the envelope plus checks of `fields`.
  const auto typed = typed_parser.parse(body, lenient_options);
  if (typed) {
    MORPH_WEBHOOK_FUZZ_CHECK(lenient.has_value());
    MORPH_WEBHOOK_FUZZ_CHECK(lenient->event == typed->event);
    MORPH_WEBHOOK_FUZZ_CHECK(lenient->trigger == typed->trigger);
    MORPH_WEBHOOK_FUZZ_CHECK(lenient->model == typed->model);
    MORPH_WEBHOOK_FUZZ_CHECK(lenient->id == typed->id);
    MORPH_WEBHOOK_FUZZ_CHECK(lenient->created_at == typed->created_at);
    MORPH_WEBHOOK_FUZZ_CHECK(lenient->updated_at == typed->updated_at);
    MORPH_WEBHOOK_FUZZ_CHECK(lenient->raw_resource == typed->raw_resource);
    MORPH_WEBHOOK_FUZZ_CHECK(lenient->warnings == typed->warnings);
  } else if (lenient && lenient->model != "crmEngagement") {
    // A well-formed event of another model: the typed parser says so, at /event.
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(
        typed.error().code == mw::ErrorCode::unsupported_model && typed.error().pointer == "/event",
        mw::to_string(typed.error()));
  } else if (!lenient) {
    // Not JSON for one is not JSON for the other (a syntax error anywhere wins), and the
    // typed parser never accepts what the envelope rejects (checked above).
    const bool envelope_syntax = lenient.error().code == mw::ErrorCode::invalid_json;
    const bool typed_syntax = typed.error().code == mw::ErrorCode::invalid_json;
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(
        envelope_syntax == typed_syntax,
        mw::to_string(lenient.error()) + " / " + mw::to_string(typed.error()));
  }
  // parse_envelope() (this thread's Parser) agrees.
  const auto again = mw::parse_envelope(body);
  MORPH_WEBHOOK_FUZZ_CHECK(again.has_value() == lenient.has_value());
  if (again) {
    MORPH_WEBHOOK_FUZZ_CHECK(*again == *lenient);
  } else {
    MORPH_WEBHOOK_FUZZ_CHECK(fz::same_error(again.error(), lenient.error()));
  }
  return 0;
}
