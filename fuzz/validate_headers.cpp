/// @file validate_headers.cpp
/// @brief Fuzz target: header name/value pairs through validate_headers(), compared with an
/// independent model of the rules, in several containers and iteration orders.
#include "header_input.hpp"

#include <map>

namespace mw = morph::webhook;
namespace fz = morph::webhook::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const fz::HeaderVector headers = fz::headers_from_bytes(bytes);

  const auto r = mw::validate_headers(headers);
  fz::check_headers_against_model(r,
                                  fz::model_headers(headers, mw::default_max_header_value_bytes));
  if (r) {
    // Views point into the caller's storage, trimmed, free of control bytes.
    for (const std::string_view v : {r->connector_id, r->owner_id, r->idempotency_key}) {
      MORPH_WEBHOOK_FUZZ_CHECK(!v.empty() && v.size() <= mw::default_max_header_value_bytes);
      MORPH_WEBHOOK_FUZZ_CHECK(v.front() != ' ' && v.front() != '\t');
      MORPH_WEBHOOK_FUZZ_CHECK(v.back() != ' ' && v.back() != '\t');
      bool inside = false;
      for (const auto& h : headers)
        inside = inside || fz::inside(v, h.second.data(), h.second.size());
      MORPH_WEBHOOK_FUZZ_CHECK(inside);
    }
  } else {
    fz::cross_check_error_json(r.error());
    MORPH_WEBHOOK_FUZZ_CHECK(mw::http_status(r.error()) == 400);
  }

  // A tight value limit: compared with the model too.
  mw::HeaderOptions tight;
  tight.max_value_bytes = 4;
  fz::check_headers_against_model(mw::validate_headers(headers, tight),
                                  fz::model_headers(headers, tight.max_value_bytes));

  // The verdict does not depend on the iteration order or on the container.
  // (A reversed copy: r's views point into `headers`, which must stay as it is.)
  const fz::HeaderVector backwards(headers.rbegin(), headers.rend());
  const auto reversed = mw::validate_headers(backwards);
  MORPH_WEBHOOK_FUZZ_CHECK(reversed.has_value() == r.has_value());
  if (r) {
    MORPH_WEBHOOK_FUZZ_CHECK(*reversed == *r);
  } else {
    MORPH_WEBHOOK_FUZZ_CHECK(reversed.error().code == r.error().code &&
                             reversed.error().header == r.error().header);
  }
  const std::multimap<std::string, std::string> map(headers.begin(), headers.end());
  const auto from_map = mw::validate_headers(map);
  MORPH_WEBHOOK_FUZZ_CHECK(from_map.has_value() == r.has_value());
  if (!r) {
    MORPH_WEBHOOK_FUZZ_CHECK(from_map.error().code == r.error().code &&
                             from_map.error().header == r.error().header);
  } else {
    MORPH_WEBHOOK_FUZZ_CHECK(*from_map == *r);
  }
  return 0;
}
