// The table-driven body corpus: tests/data/bodies.tsv lists every fixture in
// tests/data/bodies/ with its expected verdict under both policies.
#include <morph/webhook.hpp>

#include <set>
#include <string>

#include "catch.hpp"
#include "test_support.hpp"

using namespace morph::webhook;
using morph::webhook::test::body_cases;
using morph::webhook::test::read_data;

namespace {

std::string verdict_of(const Result<WebhookEvent>& result) {
  if (result) return "ok";
  const Error& e = result.error();
  return std::string(to_string(e.code)) + " " + (e.pointer.empty() ? "\"\"" : e.pointer);
}

}  // namespace

TEST_CASE("every fixture gets its expected verdict under both policies", "[corpus]") {
  const auto cases = body_cases();
  REQUIRE(cases.size() >= 100);
  Parser parser;
  for (const auto& c : cases) {
    const std::string body = read_data("bodies/" + c.file);
    for (const Policy policy : {Policy::lenient, Policy::strict}) {
      ParseOptions options;
      options.policy = policy;
      const std::string& expected = policy == Policy::lenient ? c.lenient : c.strict;
      INFO(c.file << " (" << to_string(policy) << ")");
      const auto result = parser.parse(body, options);
      CHECK(verdict_of(result) == expected);
      if (!result) {
        CHECK_FALSE(result.error().message.empty());
        CHECK(result.error().header.empty());
      }
      // The thread-local convenience function agrees with a Parser.
      CHECK(verdict_of(parse_event(body, options)) == expected);
    }
  }
}

TEST_CASE("strict never accepts what lenient rejects", "[corpus][policy]") {
  for (const auto& c : body_cases()) {
    INFO(c.file);
    if (c.lenient != "ok") CHECK(c.strict != "ok");
  }
}

TEST_CASE("the corpus exercises every error code a body can produce", "[corpus]") {
  std::set<std::string> seen;
  for (const auto& c : body_cases()) {
    for (const std::string* v : {&c.lenient, &c.strict}) {
      if (*v != "ok") seen.insert(v->substr(0, v->find(' ')));
    }
  }
  // body_too_large depends on ParseOptions and is covered in parser_test.cpp; the inbox codes
  // come from storage, not bodies (tests/inbox/).
  for (const ErrorCode code : all_error_codes) {
    if (code == ErrorCode::body_too_large || Error{code, "", "", ""}.is_header_error() ||
        is_inbox_error(code)) {
      continue;
    }
    INFO(to_string(code));
    CHECK(seen.count(std::string(to_string(code))) == 1);
  }
}

TEST_CASE("fixtures parse the same from a padded buffer, copying nothing", "[corpus]") {
  Parser parser;
  for (const auto& c : body_cases()) {
    const simdjson::padded_string padded(read_data("bodies/" + c.file));
    const simdjson::padded_string_view view(padded.data(), padded.size(),
                                            padded.size() + simdjson::SIMDJSON_PADDING);
    INFO(c.file);
    CHECK(verdict_of(parser.parse(view)) == c.lenient);
  }
}
