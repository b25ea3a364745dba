// zod's string rules as the library checks them: UTF-16 lengths and the email rule. The email
// table tests/data/zod_emails.tsv holds zod's own verdicts (the zod differential test keeps it
// equal to zod's).
#include <simdjson.h>
#include <morph/webhook/detail/string_rules.hpp>

#include <sstream>
#include <string>

#include "catch.hpp"
#include "test_support.hpp"

using morph::webhook::detail::is_zod_email;
using morph::webhook::detail::utf16_length;
using morph::webhook::test::read_data;

TEST_CASE("lengths are counted in UTF-16 code units, as JavaScript does", "[string_rules]") {
  CHECK(utf16_length("") == 0);
  CHECK(utf16_length("Jane") == 4);
  CHECK(utf16_length("\xC3\xA9") == 1);                  // é: 2 bytes, 1 unit
  CHECK(utf16_length("\xE2\x82\xAC\xE2\x82\xAC") == 2);  // €€: 6 bytes, 2 units
  CHECK(utf16_length("\xF0\x9F\x98\x80") == 2);          // one emoji: a surrogate pair
  CHECK(utf16_length("a\xF0\x9F\x98\x80z") == 4);
  std::string emoji;
  for (int i = 0; i < 125; ++i) emoji += "\xF0\x9F\x98\x80";
  CHECK(utf16_length(emoji) == 250);  // the longest firstName genericContact allows
}

TEST_CASE("the email rule gives zod's verdict on every row of zod_emails.tsv", "[string_rules]") {
  std::istringstream table(read_data("zod_emails.tsv"));
  std::string line;
  int rows = 0;
  simdjson::dom::parser parser;
  while (std::getline(table, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    std::string_view email;
    const simdjson::padded_string quoted(line.substr(0, tab));
    REQUIRE(parser.parse(quoted).get_string().get(email) == simdjson::SUCCESS);
    INFO(line);
    CHECK(is_zod_email(email) == (line.substr(tab + 1) == "valid"));
    ++rows;
  }
  CHECK(rows >= 50);
}
