/// @file parse_event.cpp
/// @brief Fuzz target: crmEngagement bodies through Parser::parse, both policies, copying and
/// in place, with default and tight limits, cross-checked against nlohmann::json.
#include "fuzz_common.hpp"

#include <cstring>
#include <memory>

namespace mw = morph::webhook;
namespace fz = morph::webhook::fuzz;

namespace {

/// Checks one verdict on its own: the event, or the error, against the body and the reference.
void check_result(const mw::Result<mw::WebhookEvent>& r, std::string_view body,
                  const mw::ParseOptions& options, const fz::Reference& ref) {
  if (r) {
    fz::check_event(*r, options);
    fz::cross_check_event(*r, ref);
  } else {
    fz::check_body_error(r.error(), body, options);
    fz::cross_check_error(r.error(), ref);
    fz::cross_check_error_json(r.error());
  }
}

/// Same verdict, same event or same error.
bool same(const mw::Result<mw::WebhookEvent>& a, const mw::Result<mw::WebhookEvent>& b) {
  if (a.has_value() != b.has_value()) return false;
  return a ? *a == *b : fz::same_error(a.error(), b.error());
}

bool is_limit_error(const mw::Error& e) {
  if (e.code == mw::ErrorCode::invalid_json) return e.message.find("nest") != std::string::npos;
  if (e.code == mw::ErrorCode::invalid_value) {
    return e.message.find("limit") != std::string::npos;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static mw::Parser lenient_parser;
  static mw::Parser strict_parser;
  static mw::Parser other_parser;

  mw::ParseOptions lenient_options;
  mw::ParseOptions strict_options;
  strict_options.policy = mw::Policy::strict;

  const fz::Reference ref = fz::reference_parse(body);
  const auto lenient = lenient_parser.parse(body, lenient_options);
  const auto strict = strict_parser.parse(body, strict_options);
  check_result(lenient, body, lenient_options, ref);
  check_result(strict, body, strict_options, ref);

  // Strict never accepts what lenient rejects, and reads the same values when both accept.
  if (strict) {
    MORPH_WEBHOOK_FUZZ_CHECK(lenient.has_value());
    MORPH_WEBHOOK_FUZZ_CHECK(*strict == *lenient);
  }
  // Both policies agree on what is not JSON, on size and on emptiness.
  if (!lenient && (lenient.error().code == mw::ErrorCode::invalid_json ||
                   lenient.error().code == mw::ErrorCode::empty_body)) {
    MORPH_WEBHOOK_FUZZ_CHECK(!strict && strict.error().code == lenient.error().code);
  }

  // In place (padded_string_view): the same verdict, raw views inside the caller's buffer.
  {
    std::unique_ptr<char[]> padded(new char[size + simdjson::SIMDJSON_PADDING]);
    if (size != 0) std::memcpy(padded.get(), data, size);
    std::memset(padded.get() + size, 0, simdjson::SIMDJSON_PADDING);
    const auto in_place = other_parser.parse(
        simdjson::padded_string_view(padded.get(), size, size + simdjson::SIMDJSON_PADDING),
        lenient_options);
    MORPH_WEBHOOK_FUZZ_CHECK(same(in_place, lenient));
    if (in_place) fz::check_raw_views_inside(*in_place, padded.get(), size);
  }

  // The raw-byte fast paths (usual refs) decide exactly as the general path, under both
  // policies and with tight limits; in place, whatever the padding after the body holds.
  {
    static mw::Parser general_parser = [] {
      mw::Parser p;
      mw::detail::ParserTesting::set_fast_paths(p, false);
      return p;
    }();
    MORPH_WEBHOOK_FUZZ_CHECK(same(general_parser.parse(body, lenient_options), lenient));
    MORPH_WEBHOOK_FUZZ_CHECK(same(general_parser.parse(body, strict_options), strict));
    mw::ParseOptions tight = lenient_options;
    tight.max_depth = 5;
    tight.max_refs = 2;
    MORPH_WEBHOOK_FUZZ_CHECK(
        same(general_parser.parse(body, tight), other_parser.parse(body, tight)));

    // Padding that would close a truncated ref list if it were read as part of the body.
    static constexpr char hostile[] =
        R"(}]},{"object":"resourceRef","model":"genericUser","id":"1"}]}})";
    std::unique_ptr<char[]> fast_buffer(new char[size + simdjson::SIMDJSON_PADDING]);
    std::unique_ptr<char[]> general_buffer(new char[size + simdjson::SIMDJSON_PADDING]);
    for (char* buffer : {fast_buffer.get(), general_buffer.get()}) {
      if (size != 0) std::memcpy(buffer, data, size);
      for (std::size_t i = 0; i < simdjson::SIMDJSON_PADDING; ++i) {
        buffer[size + i] = hostile[i % (sizeof hostile - 1)];
      }
    }
    const std::size_t capacity = size + simdjson::SIMDJSON_PADDING;
    const auto fast_in_place = other_parser.parse(
        simdjson::padded_string_view(fast_buffer.get(), size, capacity), strict_options);
    const auto general_in_place = general_parser.parse(
        simdjson::padded_string_view(general_buffer.get(), size, capacity), strict_options);
    MORPH_WEBHOOK_FUZZ_CHECK(same(fast_in_place, general_in_place));
  }

  // parse_event() (this thread's Parser) agrees with a Parser of our own.
  MORPH_WEBHOOK_FUZZ_CHECK(same(mw::parse_event(body), lenient));

  // Limits: at the body limit nothing changes, one byte under it the body is too large.
  {
    mw::ParseOptions at_limit = lenient_options;
    at_limit.max_body_bytes = size;
    MORPH_WEBHOOK_FUZZ_CHECK(same(other_parser.parse(body, at_limit), lenient));
    if (size > 0) {
      at_limit.max_body_bytes = size - 1;
      const auto over = other_parser.parse(body, at_limit);
      MORPH_WEBHOOK_FUZZ_CHECK(!over && over.error().code == mw::ErrorCode::body_too_large);
      fz::check_body_error(over.error(), body, at_limit);
    }
  }
  // Tight limits only ever turn an accepted body into a limit error.
  {
    mw::ParseOptions tight = lenient_options;
    tight.max_depth = 5;
    tight.max_refs = 2;
    tight.max_warnings = 1;
    const auto r = other_parser.parse(body, tight);
    if (r) {
      fz::check_event(*r, tight);
      MORPH_WEBHOOK_FUZZ_CHECK(lenient.has_value() && *r == *lenient);
    } else {
      fz::check_body_error(r.error(), body, tight);
      fz::cross_check_error(r.error(), ref);
      if (lenient)
        MORPH_WEBHOOK_FUZZ_CHECK_MSG(is_limit_error(r.error()), mw::to_string(r.error()));
    }
  }
  return 0;
}
