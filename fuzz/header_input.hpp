/// @file header_input.hpp
/// @brief Turning fuzz bytes into header name/value pairs, and an independent model of the
/// header rules (headers.hpp) to compare validate_headers() against.
#ifndef MORPH_WEBHOOK_FUZZ_HEADER_INPUT_HPP
#define MORPH_WEBHOOK_FUZZ_HEADER_INPUT_HPP

#include "fuzz_common.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace morph::webhook::fuzz {

/// Header pairs, as many HTTP stacks hand them out.
using HeaderVector = std::vector<std::pair<std::string, std::string>>;

/// One header per line (`\n`). A line starting with a byte below 0x10 names a header from a
/// table (so the fuzzer reaches the Morph headers in every spelling at once) and the rest of
/// the line is the value; any other line is `name:value`, split at the first `:`.
inline HeaderVector headers_from_bytes(std::string_view bytes) {
  static constexpr std::string_view names[] = {
      "x-conector-id", "x-connector-id", "x-owner-id",     "x-idempotency-key",
      "X-Conector-Id", "X-CONNECTOR-ID", "X-Owner-Id",     "X-IDEMPOTENCY-KEY",
      "content-type",  "x-owner-i",      "x-conector-idx", "X-Idempotency-Key",
      "x-Conector-ID", "X-Connector-Id", "x-OWNER-id",     "user-agent",
  };
  HeaderVector out;
  std::size_t pos = 0;
  while (pos <= bytes.size() && out.size() < 64) {
    std::size_t nl = bytes.find('\n', pos);
    if (nl == std::string_view::npos) nl = bytes.size();
    const std::string_view line = bytes.substr(pos, nl - pos);
    if (!line.empty()) {
      const auto first = static_cast<unsigned char>(line[0]);
      if (first < 0x10) {
        out.emplace_back(std::string(names[first]), std::string(line.substr(1)));
      } else {
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
          out.emplace_back(std::string(line), std::string());
        } else {
          out.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
        }
      }
    }
    pos = nl + 1;
  }
  return out;
}

/// What the rules in headers.hpp say about `headers`, computed the simple way.
struct ModelVerdict {
  bool ok = false;
  ErrorCode code = ErrorCode::missing_header;
  std::string header;
  std::string values[3];
};

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

inline ModelVerdict model_headers(const HeaderVector& headers, std::size_t max_value_bytes) {
  ModelVerdict v;
  for (int slot = 0; slot < 3; ++slot) {
    bool seen = false;
    bool invalid = false;
    bool invalid_canonical = false;  // connector: the one-n spelling carried an invalid value
    bool invalid_alt = false;
    bool canonical = false;
    bool alt = false;
    std::vector<std::string> valid;
    for (const auto& [name, raw] : headers) {
      bool is_alt = false;
      if (slot == 0) {
        if (iequals(name, "x-conector-id")) {
        } else if (iequals(name, "x-connector-id")) {
          is_alt = true;
        } else {
          continue;
        }
      } else if (!iequals(name, slot == 1 ? "x-owner-id" : "x-idempotency-key")) {
        continue;
      }
      seen = true;
      (is_alt ? alt : canonical) = true;
      std::size_t b = 0;
      std::size_t e = raw.size();
      while (b < e && (raw[b] == ' ' || raw[b] == '\t')) ++b;
      while (e > b && (raw[e - 1] == ' ' || raw[e - 1] == '\t')) --e;
      const std::string value = raw.substr(b, e - b);
      bool bad = value.empty() || value.size() > max_value_bytes;
      for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) bad = true;
      }
      if (bad) {
        invalid = true;
        (is_alt ? invalid_alt : invalid_canonical) = true;
      } else {
        valid.push_back(value);
      }
    }
    const char* name = slot == 1 ? "x-owner-id" : slot == 2 ? "x-idempotency-key" : nullptr;
    if (!seen) {
      v.code = ErrorCode::missing_header;
      v.header = name ? name : "x-conector-id";
      return v;
    }
    if (invalid) {
      v.code = ErrorCode::invalid_header;
      v.header =
          name ? name : (invalid_alt && !invalid_canonical ? "x-connector-id" : "x-conector-id");
      return v;
    }
    for (const std::string& other : valid) {
      if (other != valid.front()) {
        v.code = ErrorCode::duplicate_header;
        v.header = name ? name : (alt && !canonical ? "x-connector-id" : "x-conector-id");
        return v;
      }
    }
    v.values[slot] = valid.front();
  }
  v.ok = true;
  return v;
}

/// validate_headers()'s result matches the model: same verdict, code, header name and values.
inline void check_headers_against_model(const Result<Headers>& r, const ModelVerdict& m) {
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(r.has_value() == m.ok,
                               r ? std::string("accepted") : to_string(r.error()));
  if (r) {
    MORPH_WEBHOOK_FUZZ_CHECK(r->connector_id == m.values[0]);
    MORPH_WEBHOOK_FUZZ_CHECK(r->owner_id == m.values[1]);
    MORPH_WEBHOOK_FUZZ_CHECK(r->idempotency_key == m.values[2]);
  } else {
    check_error(r.error());
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(
        r.error().code == m.code && r.error().header == m.header,
        to_string(r.error()) + " / model: " + std::string(to_string(m.code)) + " " + m.header);
  }
}

}  // namespace morph::webhook::fuzz

#endif  // MORPH_WEBHOOK_FUZZ_HEADER_INPUT_HPP
