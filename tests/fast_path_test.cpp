// The raw-byte fast paths (refs written the usual way, read without On-Demand) must reach
// exactly the verdict, error and values of the general path: every body the repository holds,
// both policies; and, in place, every prefix of the bodies with refs followed by hostile
// padding (the fast paths must never read past the body).
#include <morph/webhook.hpp>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "catch.hpp"
#include "event_corpus.hpp"

using namespace morph::webhook;
using morph::webhook::detail::ParserTesting;

namespace {

/// The verdict and the whole error, for comparison and for the failure report.
std::string describe(const Result<WebhookEvent>& r) {
  if (r) return "ok";
  const Error& e = r.error();
  return std::string(to_string(e.code)) + " at \"" + e.pointer + "\": " + e.message;
}

/// Parses body[0, size) in place from `buffer`, the padding after it filled with `padding`,
/// repeated. The event's views point into `buffer`.
Result<WebhookEvent> parse_in_place(Parser& parser, std::vector<char>& buffer,
                                    std::string_view body, std::size_t size,
                                    std::string_view padding, const ParseOptions& options) {
  buffer.assign(size + simdjson::SIMDJSON_PADDING, '\0');
  std::memcpy(buffer.data(), body.data(), size);
  for (std::size_t i = 0; i < simdjson::SIMDJSON_PADDING; ++i) {
    buffer[size + i] = padding[i % padding.size()];
  }
  return parser.parse(simdjson::padded_string_view(buffer.data(), size, buffer.size()), options);
}

ParseOptions with_policy(Policy policy) {
  ParseOptions options;
  options.policy = policy;
  return options;
}

}  // namespace

TEST_CASE("the fast paths are taken for refs written the usual way", "[fast_path]") {
  const std::string body = corpus::read_file(std::filesystem::path(MORPH_WEBHOOK_TEST_DATA_DIR) /
                                             ".." / ".." / "benchmarks" / "data" / "typical.json");
  REQUIRE_FALSE(body.empty());
  Parser fast;
  Parser general;
  ParserTesting::set_fast_paths(general, false);
  const auto a = fast.parse(body);
  const auto b = general.parse(body);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == *b);
  CHECK(ParserTesting::fast_path_refs(fast) == 10);  // the owner and nine refs in four lists
  CHECK(ParserTesting::fast_path_refs(general) == 0);
  REQUIRE(a->fields.owner);
  CHECK(a->fields.owner->raw_json ==
        R"({"object":"resourceRef","model":"genericUser","id":"71625493"})");
  REQUIRE(a->fields.contacts->size() == 3);
  CHECK((*a->fields.contacts)[2].id == "2210");
}

TEST_CASE("refs with an empty id take the fast paths and agree with the general path",
          "[fast_path]") {
  // An empty id passes Morph's ref schema (contract.md, "ResourceRef"): both paths accept it.
  const std::string body =
      R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement",)"
      R"("id":"e1","fields":{"type":"call","startedAt":"2025-03-06T09:00:00Z",)"
      R"("owner":{"object":"resourceRef","model":"genericUser","id":""},)"
      R"("users":[{"object":"resourceRef","model":"genericUser","id":""},)"
      R"({"id":"","model":"genericUser","object":"resourceRef"}]},)"
      R"("createdAt":"2025-03-06T09:47:12.118Z","updatedAt":"2025-03-06T10:02:31.604Z"}})";
  for (const Policy policy : {Policy::lenient, Policy::strict}) {
    INFO(to_string(policy));
    Parser fast;
    Parser general;
    ParserTesting::set_fast_paths(general, false);
    const auto a = fast.parse(body, with_policy(policy));
    const auto b = general.parse(body, with_policy(policy));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a == *b);
    CHECK(ParserTesting::fast_path_refs(fast) == 3);
    REQUIRE(a->fields.owner);
    CHECK(a->fields.owner->id.empty());
    REQUIRE(a->fields.users);
    CHECK(a->fields.users->size() == 2);
  }
}

TEST_CASE("fast and general paths agree on every body of the repository", "[fast_path]") {
  const auto bodies = corpus::all_bodies();
  REQUIRE(bodies.size() >= 150);
  Parser fast;
  Parser general;
  ParserTesting::set_fast_paths(general, false);
  std::size_t fast_refs = 0;
  for (const auto& body : bodies) {
    for (const Policy policy : {Policy::lenient, Policy::strict}) {
      INFO(body.name << " (" << to_string(policy) << ")");
      const ParseOptions options = with_policy(policy);
      const auto a = fast.parse(body.text, options);
      fast_refs += ParserTesting::fast_path_refs(fast);
      const auto b = general.parse(body.text, options);
      REQUIRE(describe(a) == describe(b));
      if (a) CHECK(*a == *b);
    }
  }
  CHECK(fast_refs > 100);  // the comparison above did exercise the fast paths
}

TEST_CASE("fast paths agree on every prefix of a body, whatever the padding holds", "[fast_path]") {
  // Padding that would complete a truncated ref list if it were read as part of the body.
  const std::vector<std::string_view> paddings = {std::string_view("\0", 1), "}]}}", "\"}]},{",
                                                  R"("},{"object":"resourceRef","model":")"};
  Parser fast;
  Parser general;
  ParserTesting::set_fast_paths(general, false);
  std::vector<char> reference_buffer;
  std::vector<char> buffer;
  std::size_t checked = 0;
  for (const auto& body : corpus::all_bodies()) {
    // Parsed as crmEngagement: bodies of other models stop at `event` (see the test below).
    if (body.text.size() > 4096 || body.text.find("resourceRef") == std::string::npos ||
        body.text.find("crmEngagement::") == std::string::npos) {
      continue;
    }
    for (std::size_t size = 0; size <= body.text.size(); ++size) {
      const ParseOptions options = with_policy(size % 2 ? Policy::strict : Policy::lenient);
      for (const std::string_view padding : paddings) {
        // Same padding on both sides: simdjson's own messages for a truncated body may depend
        // on what follows it; the fast paths must add no difference of their own.
        const auto reference =
            parse_in_place(general, reference_buffer, body.text, size, padding, options);
        const auto a = parse_in_place(fast, buffer, body.text, size, padding, options);
        if (describe(a) != describe(reference) || (a && !(*a == *reference))) {
          FAIL_CHECK(body.name << " cut at " << size << ", padding " << padding << ": "
                               << describe(a) << " vs " << describe(reference));
        }
        ++checked;
      }
    }
  }
  CHECK(checked > 10000);
}

namespace {
std::string describe(const Result<AnyEvent>& r) {
  if (r) return "ok " + std::to_string(r.value().index());
  const Error& e = r.error();
  return std::string(to_string(e.code)) + " at \"" + e.pointer + "\": " + e.message;
}
}  // namespace

TEST_CASE("fast and general paths agree on every body of every typed model", "[fast_path]") {
  Parser fast;
  Parser general;
  ParserTesting::set_fast_paths(general, false);
  std::size_t fast_refs = 0;
  for (const auto& body : corpus::all_bodies()) {
    for (const Policy policy : {Policy::lenient, Policy::strict}) {
      INFO(body.name << " (" << to_string(policy) << ")");
      const ParseOptions options = with_policy(policy);
      const auto a = parse_any(fast, body.text, options);
      fast_refs += ParserTesting::fast_path_refs(fast);
      const auto b = parse_any(general, body.text, options);
      REQUIRE(describe(a) == describe(b));
      if (a) CHECK(*a == *b);
    }
  }
  CHECK(fast_refs > 1000);
}

TEST_CASE("fast paths agree on every prefix of each model's sample and of optional-item lists",
          "[fast_path]") {
  // parse_any() copies the body into the Parser's padded buffer: prefixes, no foreign padding.
  const auto bench =
      std::filesystem::path(MORPH_WEBHOOK_TEST_DATA_DIR) / ".." / ".." / "benchmarks" / "data";
  std::vector<std::string> bodies;
  for (const char* name : {"company", "user", "workspace", "opportunity", "stage", "pipeline",
                           "card_view", "slot", "invoice", "invoice_line_item", "invoice_item"}) {
    bodies.push_back(corpus::read_file(bench / (std::string(name) + ".json")));
    REQUIRE_FALSE(bodies.back().empty());
  }
  bodies.push_back(
      corpus::read_data("crm_opportunity/deal_undefined_contact_written_as_null.json"));
  Parser fast;
  Parser general;
  ParserTesting::set_fast_paths(general, false);
  std::size_t checked = 0;
  for (const std::string& body : bodies) {
    for (std::size_t size = 0; size <= body.size(); ++size) {
      for (const Policy policy : {Policy::lenient, Policy::strict}) {
        const std::string_view prefix(body.data(), size);
        const auto a = parse_any(fast, prefix, with_policy(policy));
        const auto b = parse_any(general, prefix, with_policy(policy));
        if (describe(a) != describe(b) || (a && !(*a == *b))) {
          FAIL_CHECK("cut at " << size << ": " << describe(a) << " vs " << describe(b) << " in "
                               << body);
        }
        ++checked;
      }
    }
  }
  CHECK(checked > 10000);
}
