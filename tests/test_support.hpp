// Helpers shared by the unit tests.
#pragma once

#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace morph::webhook::test {

/// True when `text` holds, outside strings, an integer of more than 19 digits.
inline bool has_integer_beyond_64_bits(const std::string& text) {
  bool in_string = false;
  std::size_t digits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 19) return true;
      continue;
    }
    digits = 0;
  }
  return false;
}

/// True when `text` is exactly one well-formed JSON value (checked by simdjson's DOM parser,
/// independently of the library's own walk).
inline bool is_valid_json(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  // A zero-filled padded copy: parse(std::string) pads with uninitialised bytes, which
  // simdjson's DOM stage 2 branches on (harmless, but valgrind reports it).
  const simdjson::padded_string padded(text);
  const auto e = parser.parse(padded).get(root);
  // simdjson's DOM refuses integers beyond 64 bits, which are JSON (the parser accepts them
  // in values it does not interpret, and the writer copies them verbatim).
  return e == simdjson::SUCCESS ||
         (e == simdjson::NUMBER_ERROR && has_integer_beyond_64_bits(text));
}

/// The bytes of tests/data/<relative>.
inline std::string read_data(const std::string& relative) {
  std::ifstream in(std::string(MORPH_WEBHOOK_TEST_DATA_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// One row of tests/data/bodies.tsv (or of another model's table).
struct BodyCase {
  std::string file;
  std::string lenient;  // "ok" or "<code> <pointer>"
  std::string strict;
};

/// Every row of tests/data/<table> (comments and blank lines skipped); bodies.tsv holds the
/// crmEngagement bodies, generic_contact.tsv and telephony_call.tsv those of their models.
inline std::vector<BodyCase> body_cases(const std::string& table = "bodies.tsv") {
  std::vector<BodyCase> cases;
  std::istringstream in(read_data(table));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto t1 = line.find('\t');
    const auto t2 = line.find('\t', t1 + 1);
    cases.push_back({line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)});
  }
  return cases;
}

/// A valid crmEngagement body (the contract's example).
inline std::string contract_example() { return read_data("bodies/contract_example.json"); }

}  // namespace morph::webhook::test
