// The library's side of the zod differential test (tests/zod/differential.mjs).
//
// Reads one body per line on stdin: `<model>\t<body in base64>` (base64, because the bodies
// include invalid UTF-8 and raw newlines). Writes one JSON line per body:
//   {"lenient":"ok","strict":"missing_field /data/fields/type"}
// a verdict being "ok" or "<error code> <JSON Pointer>", as in tests/data/bodies.tsv, plus
// "event": the to_json() text of the event strict accepted (so the values the library read can be
// compared with zod's output), or {"untyped":true} for a model the library does not type yet.
#include <morph/webhook.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace mw = morph::webhook;

namespace {

/// Decodes standard base64 (padding optional); nullopt on a byte outside the alphabet.
std::optional<std::string> decode_base64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=')
      break;
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    if ((count += 6) >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFFu));
    }
  }
  return out;
}

/// A verdict, and the accepted event as JSON.
struct Verdict {
  std::string text;   // "ok" or "<code> <pointer>"
  std::string event;  // to_json() of the event when accepted
};

template <class Event>
Verdict verdict_of(const mw::Result<Event>& result) {
  if (result) return {"ok", mw::to_json(result.value())};
  const mw::Error& e = result.error();
  return {std::string(mw::to_string(e.code)) + " " + e.pointer, {}};
}

/// The verdict of the typed parse of `model` (one of TypedModels from index I on) under
/// `options`; nullopt when the model is not typed.
template <std::size_t I = 0>
std::optional<Verdict> typed_verdict(mw::Parser& parser, std::string_view model,
                                     std::string_view body, const mw::ParseOptions& options) {
  if constexpr (I == std::tuple_size_v<mw::TypedModels>) {
    return std::nullopt;
  } else {
    using Model = std::tuple_element_t<I, mw::TypedModels>;
    if (model == mw::model_name<Model>) return verdict_of(parser.parse_as<Model>(body, options));
    return typed_verdict<I + 1>(parser, model, body, options);
  }
}

/// The verdict of the model's typed parse under `policy`; nullopt when the model is not typed.
std::optional<Verdict> verdict(mw::Parser& parser, std::string_view model, std::string_view body,
                               mw::Policy policy) {
  mw::ParseOptions options;
  options.policy = policy;
  return typed_verdict(parser, model, body, options);
}

}  // namespace

int main(int argc, char** argv) {
  // `--simdjson-version`: which simdjson the library was built with (some known
  // disagreements come from one version's defects).
  if (argc == 2 && std::string_view(argv[1]) == "--simdjson-version") {
    std::cout << simdjson::SIMDJSON_VERSION_MAJOR << "." << simdjson::SIMDJSON_VERSION_MINOR << "."
              << simdjson::SIMDJSON_VERSION_REVISION << "\n";
    return 0;
  }
  std::ios::sync_with_stdio(false);
  mw::Parser parser;
  std::string line;
  std::string out;
  while (std::getline(std::cin, line)) {
    const auto tab = line.find('\t');
    const auto body = tab == std::string::npos ? std::nullopt : decode_base64(line.substr(tab + 1));
    if (!body) {
      std::cerr << "verdicts: malformed input line (expected <model>\\t<base64>)\n";
      return 2;
    }
    const std::string_view model = std::string_view(line).substr(0, tab);
    const auto lenient = verdict(parser, model, *body, mw::Policy::lenient);
    const auto strict = verdict(parser, model, *body, mw::Policy::strict);
    out.clear();
    if (lenient && strict) {
      out += "{\"lenient\":";
      mw::append_json_string(out, lenient->text);
      out += ",\"strict\":";
      mw::append_json_string(out, strict->text);
      if (!strict->event.empty()) {
        out += ",\"event\":";  // a string: raw JSON kept from the body may hold newlines
        mw::append_json_string(out, strict->event);
      }
      out += "}\n";
    } else {
      out += "{\"untyped\":true}\n";
    }
    std::cout << out;
  }
  return std::cout.good() ? 0 : 2;
}
