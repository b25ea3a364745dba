/// @file parse_request.cpp
/// @brief Fuzz target: whole requests (headers + body) through parse_request(), which must be
/// exactly validate_headers() then Parser::parse().
///
/// Input: header lines (see header_input.hpp), a blank line (`\n\n`), then the body. Without a
/// blank line the whole input is the body, sent with three valid headers.
#include "header_input.hpp"

namespace mw = morph::webhook;
namespace fz = morph::webhook::fuzz;

namespace {

bool same_error_code(const mw::Error& a, const mw::Error& b) {
  return a.code == b.code && a.pointer == b.pointer && a.header == b.header;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fz::HeaderVector headers;
  std::string_view body = input;
  const std::size_t blank = input.find("\n\n");
  if (blank == std::string_view::npos) {
    headers = {{"x-conector-id", "hubspot"},
               {"x-owner-id", "owner-1"},
               {"x-idempotency-key", "4567890123"}};
  } else {
    headers = fz::headers_from_bytes(input.substr(0, blank));
    body = input.substr(blank + 2);
  }

  static mw::Parser own_parser;
  static mw::Parser reference_parser;
  mw::ParseOptions options;
  const auto r = mw::parse_request(headers, body);
  const auto with_parser = mw::parse_request(own_parser, headers, body, options);
  const auto checked = mw::validate_headers(headers);
  const auto event = reference_parser.parse(body, options);

  for (const auto* result : {&r, &with_parser}) {
    if (!checked) {
      // Bad headers: rejected without looking at the body.
      MORPH_WEBHOOK_FUZZ_CHECK(!result->has_value() &&
                               same_error_code(result->error(), checked.error()));
      continue;
    }
    if (!event) {
      MORPH_WEBHOOK_FUZZ_CHECK(!result->has_value());
      MORPH_WEBHOOK_FUZZ_CHECK_MSG(fz::same_error(result->error(), event.error()),
                                   mw::to_string(result->error()));
      fz::check_body_error(result->error(), body, options);
      fz::cross_check_error_json(result->error());
      continue;
    }
    MORPH_WEBHOOK_FUZZ_CHECK(result->has_value());
    MORPH_WEBHOOK_FUZZ_CHECK((*result)->headers == *checked);
    MORPH_WEBHOOK_FUZZ_CHECK((*result)->event == *event);
    fz::check_event((*result)->event, options);
  }
  if (!checked) {
    fz::check_error(checked.error());
    fz::check_headers_against_model(checked,
                                    fz::model_headers(headers, mw::default_max_header_value_bytes));
  }
  return 0;
}
