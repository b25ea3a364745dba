// JSON numbers as the contract reads them: a number is the double nearest its text (what
// JavaScript's JSON.parse, and so zod, sees), and `duration` is valid iff that double is a whole
// number >= 0 below 2^63. The oracle of the differential tests is strtod (correctly rounded in
// glibc), applied to the literal as written; the library must agree on verdict and value in
// every place a number can stand, with its raw-byte fast paths on and off.
#include <morph/webhook.hpp>
#include <morph/webhook/number.hpp>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "catch.hpp"
#include "test_support.hpp"

using namespace morph::webhook;
using morph::webhook::detail::ParserTesting;

namespace {

/// What the contract says of `literal` as a duration, from strtod: "ok <seconds>",
/// "invalid_value", or "invalid_json" (not a JSON number, or beyond a double's range).
std::string expected_duration(const std::string& literal) {
  static const std::regex grammar(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
  if (!std::regex_match(literal, grammar)) return "invalid_json";
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(literal.c_str(), &end);
  REQUIRE(end == literal.c_str() + literal.size());
  if (std::isinf(d)) return "invalid_json";
  // zod: Number.isInteger(d) && d >= 0, and the value must fit std::int64_t.
  if (!(d >= 0) || d >= 9223372036854775808.0 || std::floor(d) != d) return "invalid_value";
  return "ok " + std::to_string(static_cast<std::int64_t>(d));
}

/// The library's verdict on the contract example with `"duration":<literal>`, in the same form.
std::string parsed_duration(Parser& parser, const std::string& literal, Policy policy) {
  std::string body = test::contract_example();
  const std::string from = "\"duration\":38";
  body.replace(body.find(from), from.size(), "\"duration\":" + literal);
  ParseOptions options;
  options.policy = policy;
  const auto r = parser.parse(body, options);
  if (!r) {
    // A syntax error may be reported where simdjson stops, at or before the duration.
    const std::string where = "/data/fields/duration";
    if (r.error().code == ErrorCode::invalid_json) {
      CHECK(where.compare(0, r.error().pointer.size(), r.error().pointer) == 0);
    } else {
      CHECK(r.error().pointer == where);
    }
    return std::string(to_string(r.error().code));
  }
  REQUIRE(r->fields.duration.has_value());
  return "ok " + std::to_string(*r->fields.duration);
}

/// The verdict on a body holding `literal` where the library does not interpret it: valid
/// JSON (the body is accepted and the raw text kept byte for byte) or invalid_json.
std::string parsed_uninterpreted(Parser& parser, const std::string& literal) {
  std::string body = test::contract_example();
  const std::string from = "\"duration\":38";
  // An unknown member of fields, a ref's extra, a warning's extra, rawResource.
  body.replace(body.find(from), from.size(),
               "\"duration\":38,\"extra\":" + literal + ",\"users\":[{\"id\":\"1\",\"x\":[" +
                   literal + "]}]");
  body.insert(
      body.rfind('}', body.rfind('}') - 1),
      ",\"rawResource\":" + literal + ",\"warnings\":[{\"code\":\"A\",\"n\":" + literal + "}]");
  const auto r = parser.parse(body);
  if (!r) return std::string(to_string(r.error().code));
  CHECK(r->raw_resource == literal);
  return "ok";
}

/// Number literals that have caught JSON parsers out, and the issue's findings.
const std::vector<std::string>& literal_table() {
  static const std::vector<std::string> table = {
      // simdjson 3.0.1's On-Demand get_number() returned 0 for these (more than 19 significant
      // digits and a fraction).
      "1.000000000000000001", "1844674407370953.515", "1234567890123456.789",
      "1000000000000000.001", "100000000000000000000000.0", "1.00000000000000000001e1",
      "2.0000000000000000000000000001", "9007199254740993.0000000000000000000000000000001",
      // exponents
      "1e2", "1E2", "1e+2", "3.6E+3", "5E-1", "0.1e1", "0.5e1", "1.5e1", "1e0", "1E-0", "10e-1",
      "0e0", "0e999999999999", "0.0e-99999999999999999999", "1e-400", "-1e-400",
      "1e-99999999999999999999", "4.9e-324", "2.2250738585072011e-308", "1e308",
      "1.7976931348623157e308", "1.7976931348623158079e308", "1.7976931348623158080e308", "1e309",
      "-1e309", "1E400", "1e99999999999999999999", "123e-2", "12300e-2",
      "0.000000000000000000000000000000000000000000000000000001e54",
      // integers and their limits
      "0", "-0", "-0.0", "-0e5", "1", "-1", "38", "999999999999999", "1000000000000000",
      "9007199254740992", "9007199254740993", "9007199254740995", "9223372036854774784",
      "9223372036854775295", "9223372036854775296", "9223372036854775807", "9223372036854775808",
      "18446744073709551615", "18446744073709551616", "123456789012345678901234567890",
      "9223372036854775807.0", "9223372036854774784.49",
      // fractions
      "3.0", "3.5", "0.5", "0.1", "1.0000000000000002", "1.0000000000000001", "4503599627370495.5",
      "4503599627370496.5", "-1.5", "-0.5", "2.5e-1", "7.00000000000000000000000000000000000e0",
      // not JSON numbers
      "01", "-01", "00", "1.", ".5", "-", "+1", "1e", "1e+", "1.5e", "0x10", "1.e5", "-.5",
      "Infinity", "NaN", "1_000", "1,5"};
  return table;
}

/// A literal of `digits` significant digits, `fraction` of them after the point, and exponent.
std::string random_literal(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> small(0, 40);
  std::uniform_int_distribution<int> digit(0, 9);
  std::string s;
  if (small(rng) < 4) s += '-';
  const int int_digits = 1 + small(rng) % 22;
  for (int i = 0; i < int_digits; ++i) {
    // Mostly 1 then zeros or nines: those sit next to whole numbers and halfway points.
    const int kind = small(rng);
    const int d = i == 0 ? 1 + digit(rng) % 9 : kind < 15 ? 0 : kind < 25 ? 9 : digit(rng);
    s += static_cast<char>('0' + d);
  }
  if (int_digits == 1 && small(rng) < 8) s[s.size() - 1] = '0';
  if (small(rng) < 30) {
    s += '.';
    const int frac = 1 + small(rng);
    for (int i = 0; i < frac; ++i) {
      const int kind = small(rng);
      s += static_cast<char>('0' + (kind < 25 ? 0 : kind < 30 ? 9 : digit(rng)));
    }
  }
  if (small(rng) < 12) {
    s += small(rng) < 20 ? 'e' : 'E';
    const int sign = small(rng);
    if (sign < 10)
      s += '-';
    else if (sign < 20)
      s += '+';
    s += std::to_string(small(rng) % 25);
  }
  return s;
}

}  // namespace

TEST_CASE("the issue's long fractions read as their nearest double", "[number]") {
  // Not derived from strtod: the values a reader of the contract expects.
  Parser parser;
  for (const Policy policy : {Policy::lenient, Policy::strict}) {
    CHECK(parsed_duration(parser, "1.000000000000000001", policy) == "ok 1");
    CHECK(parsed_duration(parser, "1844674407370953.515", policy) == "invalid_value");
    CHECK(parsed_duration(parser, "1234567890123456.789", policy) == "invalid_value");
    CHECK(parsed_duration(parser, "1000000000000000.001", policy) == "ok 1000000000000000");
    CHECK(parsed_duration(parser, "1e2", policy) == "ok 100");
    CHECK(parsed_duration(parser, "3.6E+3", policy) == "ok 3600");
    CHECK(parsed_duration(parser, "5E-1", policy) == "invalid_value");
    CHECK(parsed_duration(parser, "-0", policy) == "ok 0");
    CHECK(parsed_duration(parser, "9007199254740993", policy) == "ok 9007199254740992");
    CHECK(parsed_duration(parser, "9223372036854775807", policy) == "invalid_value");
    CHECK(parsed_duration(parser, "9223372036854774784", policy) == "ok 9223372036854774784");
    CHECK(parsed_duration(parser, "1e309", policy) == "invalid_json");
  }
}

TEST_CASE("duration: verdict and value match strtod and the rule, for a table of literals",
          "[number]") {
  Parser fast;
  Parser general;
  ParserTesting::set_fast_paths(general, false);
  for (const auto& literal : literal_table()) {
    for (const Policy policy : {Policy::lenient, Policy::strict}) {
      INFO(literal << " (" << to_string(policy) << ")");
      const std::string expected = expected_duration(literal);
      CHECK(parsed_duration(fast, literal, policy) == expected);
      CHECK(parsed_duration(general, literal, policy) == expected);
    }
  }
}

TEST_CASE("uninterpreted numbers: valid iff a JSON number within a double's range", "[number]") {
  Parser fast;
  Parser general;
  ParserTesting::set_fast_paths(general, false);
  for (const auto& literal : literal_table()) {
    INFO(literal);
    const std::string expected =
        expected_duration(literal) == "invalid_json" ? "invalid_json" : "ok";
    CHECK(parsed_uninterpreted(fast, literal) == expected);
    CHECK(parsed_uninterpreted(general, literal) == expected);
  }
}

TEST_CASE("duration: random literals near whole numbers and halfway points match strtod",
          "[number]") {
  Parser fast;
  Parser general;
  ParserTesting::set_fast_paths(general, false);
  std::mt19937_64 rng(20260211);
  for (int i = 0; i < 3000; ++i) {
    const std::string literal = random_literal(rng);
    INFO(literal);
    const std::string expected = expected_duration(literal);
    REQUIRE(parsed_duration(fast, literal, Policy::lenient) == expected);
    REQUIRE(parsed_duration(general, literal, Policy::strict) == expected);
  }
}

TEST_CASE("parse_json_number reads the nearest double and says why it cannot", "[number]") {
  const auto read = [](const std::string& text, double& value) {
    return detail::parse_json_number(text, value);
  };
  double value = -1;
  CHECK(read("1.000000000000000001", value) == detail::NumberStatus::ok);
  CHECK(value == 1.0);
  CHECK(read("1844674407370953.515", value) == detail::NumberStatus::ok);
  CHECK(value == 1844674407370953.5);
  CHECK(read("-0", value) == detail::NumberStatus::ok);
  CHECK((value == 0 && std::signbit(value)));
  CHECK(read("1e309", value) == detail::NumberStatus::out_of_range);
  CHECK(read("-1e309", value) == detail::NumberStatus::out_of_range);
  CHECK(read("1e-99999999999999999999", value) == detail::NumberStatus::ok);
  CHECK(value == 0);
  // 800 significant digits: past what the conversion keeps, the rest decides the rounding.
  const std::string halfway = "9007199254740993" + std::string(800, '0');
  CHECK(read(halfway + "e-800", value) == detail::NumberStatus::ok);
  CHECK(value == 9007199254740992.0);  // a tie: to even
  CHECK(read(halfway + "1e-801", value) == detail::NumberStatus::ok);
  CHECK(value == 9007199254740994.0);  // just above the tie
  for (const char* bad : {"", "-", "01", "1.", ".5", "+1", "1e", "1e+", " 1", "1 ", "1x", "0x1"}) {
    INFO(bad);
    CHECK(read(bad, value) == detail::NumberStatus::malformed);
  }
}

TEST_CASE("parse_json_number's one-pass path agrees with the general path", "[number]") {
  // Short numbers without exponent take the one-pass path; the general path (grammar, Clinger,
  // strtod) must give the same status and the same bits.
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> length(1, 16);
  std::uniform_int_distribution<int> digit(0, 9);
  for (int i = 0; i < 20000; ++i) {
    std::string s = i % 3 == 0 ? "-" : "";
    const int int_digits = length(rng);
    for (int k = 0; k < int_digits; ++k) s += static_cast<char>('0' + digit(rng));
    if (i % 2 == 0) {
      s += '.';
      const int fraction = length(rng) % 9 + 1;
      for (int k = 0; k < fraction; ++k) s += static_cast<char>('0' + digit(rng));
    }
    INFO(s);
    double one_pass = 0;
    double general = 0;
    const auto a = detail::parse_json_number(s, one_pass);
    const auto b = detail::parse_json_number_general(s, general);
    REQUIRE(a == b);
    if (a == detail::NumberStatus::ok) {
      REQUIRE(std::signbit(one_pass) == std::signbit(general));
      REQUIRE(one_pass == general);
      REQUIRE(one_pass == std::strtod(s.c_str(), nullptr));
    }
  }
}
