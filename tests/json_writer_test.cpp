// append_json_string: valid JSON for any bytes.
#include <simdjson.h>
#include <morph/webhook/json_writer.hpp>

#include <string>

#include "catch.hpp"

using morph::webhook::json_string;

TEST_CASE("strings are escaped into valid JSON", "[json]") {
  struct Row {
    std::string in;
    std::string out;
  };
  const Row rows[] = {
      {"", R"("")"},
      {"plain", R"("plain")"},
      {"quote \" backslash \\", R"("quote \" backslash \\")"},
      {"\n\r\t\b\f", R"("\n\r\t\b\f")"},
      {std::string("nul\0byte", 8), R"("nul\u0000byte")"},
      {"\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\""},
      {"caf\xC3\xA9 \xF0\x9F\x93\x9E", "\"caf\xC3\xA9 \xF0\x9F\x93\x9E\""},
      {"bad \xFF byte", R"("bad \ufffd byte")"},
      {"truncated \xE2\x82", R"("truncated \ufffd\ufffd")"},
      {"overlong \xC0\xAF", R"("overlong \ufffd\ufffd")"},
      {"surrogate \xED\xA0\x80", R"("surrogate \ufffd\ufffd\ufffd")"},
      {"line sep \xE2\x80\xA8", R"("line sep \u2028")"},
  };
  simdjson::dom::parser parser;
  for (const Row& row : rows) {
    INFO(row.out);
    const std::string out = json_string(row.in);
    CHECK(out == row.out);
    // Whatever went in, what comes out is one valid JSON string.
    simdjson::dom::element element;
    CHECK(parser.parse(out).get(element) == simdjson::SUCCESS);
    CHECK(element.is_string());
  }
}

TEST_CASE("every single byte yields valid JSON", "[json]") {
  simdjson::dom::parser parser;
  for (int b = 0; b < 256; ++b) {
    const std::string out = json_string(std::string(1, static_cast<char>(b)) + "x");
    simdjson::dom::element element;
    INFO(b);
    CHECK(parser.parse(out).get(element) == simdjson::SUCCESS);
  }
}
