// Limits: each limit has a default, an option, a case at the limit (accepted) and
// one past it (the documented error code and pointer). Also: hostile bodies found by fuzzing,
// kept as regression fixtures in tests/data/hostile/ (see hostile.tsv there).
#include <morph/webhook.hpp>
#include <morph/webhook/headers.hpp>
#include <morph/webhook/request.hpp>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"

namespace mw = morph::webhook;

namespace {

constexpr std::string_view kTime = "2025-03-06T09:05:04.606Z";

/// A valid crmEngagement body (both policies) with extra members spliced into `fields`,
/// `data` and the root object (each extra is `"key":value,...` without braces, or empty).
std::string body_with(std::string_view fields_extra, std::string_view data_extra = {},
                      std::string_view root_extra = {}) {
  std::string b = R"({"event":"crmEngagement::created","data":{"object":"resource",)"
                  R"("model":"crmEngagement","id":"1","fields":{"type":"call","startedAt":")";
  b += kTime;
  b += '"';
  if (!fields_extra.empty()) {
    b += ',';
    b += fields_extra;
  }
  b += R"(},"createdAt":")";
  b += kTime;
  b += R"(","updatedAt":")";
  b += kTime;
  b += '"';
  if (!data_extra.empty()) {
    b += ',';
    b += data_extra;
  }
  b += '}';
  if (!root_extra.empty()) {
    b += ',';
    b += root_extra;
  }
  b += '}';
  return b;
}

/// `count` nested arrays (`[[...]]`) or objects (`{"a":{"a":{}}}`).
std::string nested(std::size_t count, bool objects) {
  std::string s;
  for (std::size_t i = 0; i < count; ++i) s += objects ? (i + 1 < count ? "{\"a\":" : "{") : "[";
  for (std::size_t i = 0; i < count; ++i) s += objects ? "}" : "]";
  return s;
}

/// `count` times `token`, e.g. the pointer tail `/0/0/0`.
std::string repeat(std::string_view token, std::size_t count) {
  std::string s;
  for (std::size_t i = 0; i < count; ++i) s += token;
  return s;
}

/// A list of `count` valid refs to `model`.
std::string refs(std::size_t count, std::string_view model) {
  std::string s = "[";
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) s += ',';
    s += R"({"object":"resourceRef","model":")";
    s += model;
    s += R"(","id":")";
    s += std::to_string(i + 1);
    s += "\"}";
  }
  s += ']';
  return s;
}

std::string warnings(std::size_t count) {
  std::string s = "\"warnings\":[";
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) s += ',';
    s += R"({"code":"CONNECTOR::MAPPER::READ_FAILED"})";
  }
  s += ']';
  return s;
}

/// `ok`, or `<code> <pointer>` (the pointer quoted when empty), as in tests/data/bodies.tsv.
template <class T>
std::string verdict(const mw::Result<T>& r) {
  if (r) return "ok";
  const mw::Error& e = r.error();
  std::string out(mw::to_string(e.code));
  out += ' ';
  if (e.is_header_error()) {
    out += e.header;
  } else {
    out += e.pointer.empty() ? "\"\"" : e.pointer;
  }
  return out;
}

/// The verdict of both policies, both entry points (copying and in place), and the envelope
/// parser, which must all agree for the limits below.
std::string body_verdict(const std::string& body, mw::ParseOptions options) {
  mw::Parser parser;
  options.policy = mw::Policy::lenient;
  const std::string lenient = verdict(parser.parse(body, options));
  options.policy = mw::Policy::strict;
  const std::string strict = verdict(parser.parse(body, options));
  CHECK(strict == lenient);
  // In place, from a padded copy.
  const simdjson::padded_string padded(body);
  CHECK(verdict(parser.parse(simdjson::padded_string_view(padded), options)) == lenient);
  return lenient;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Body size: ParseOptions::max_body_bytes (default 8 MiB), body_too_large at "".
// ---------------------------------------------------------------------------------------------

TEST_CASE("limits: max_body_bytes defaults to 8 MiB", "[limits][body]") {
  CHECK(mw::ParseOptions{}.max_body_bytes == std::size_t{8} << 20);
}

TEST_CASE("limits: a body of exactly max_body_bytes is accepted, one byte more is not",
          "[limits][body]") {
  const std::string base = body_with("");
  struct Case {
    std::size_t limit;  // 0: the default
  };
  for (const Case c : {Case{0}, Case{base.size()}, Case{base.size() + 100}, Case{4096}}) {
    mw::ParseOptions options;
    if (c.limit != 0) options.max_body_bytes = c.limit;
    INFO("limit " << options.max_body_bytes);
    // Pad with trailing whitespace (still one JSON value) to exactly the limit.
    std::string at = base;
    at.append(options.max_body_bytes - base.size(), ' ');
    CHECK(body_verdict(at, options) == "ok");
    CHECK(mw::parse_event(at, options).has_value());
    std::string past = at + ' ';
    CHECK(body_verdict(past, options) == "body_too_large \"\"");
    const auto r = mw::parse_envelope(past, options);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == mw::ErrorCode::body_too_large);
    CHECK(mw::http_status(r.error()) == 413);
  }
}

TEST_CASE("limits: the size check comes before anything else", "[limits][body]") {
  mw::ParseOptions options;
  options.max_body_bytes = 3;
  CHECK(body_verdict("{{{{", options) == "body_too_large \"\"");  // not JSON, but too large
  CHECK(body_verdict("    ", options) == "body_too_large \"\"");  // blank, but too large
  options.max_body_bytes = 0;
  CHECK(body_verdict("", options) == "empty_body \"\"");
  CHECK(body_verdict(" ", options) == "body_too_large \"\"");
}

// ---------------------------------------------------------------------------------------------
// Nesting depth: ParseOptions::max_depth (default 256, the root object is depth 1), deeper is
// invalid_json at the pointer of the first container past the limit.
// ---------------------------------------------------------------------------------------------

namespace {

/// Where deep values can hide, with the depth of a container placed there.
struct DepthPlace {
  const char* name;
  std::uint32_t depth;  // depth of the outermost nested container
  std::string_view base_pointer;
  std::string (*body)(const std::string& value);
};

const DepthPlace depth_places[] = {
    {"unknown root key", 2, "/x",
     [](const std::string& v) { return body_with("", "", "\"x\":" + v); }},
    {"rawResource", 3, "/data/rawResource",
     [](const std::string& v) { return body_with("", "\"rawResource\":" + v); }},
    {"unknown data key", 3, "/data/x",
     [](const std::string& v) { return body_with("", "\"x\":" + v); }},
    {"unknown fields key", 4, "/data/fields/x",
     [](const std::string& v) { return body_with("\"x\":" + v); }},
    {"owner extra", 5, "/data/fields/owner/rawResource",
     [](const std::string& v) {
       return body_with(
           R"("owner":{"object":"resourceRef","model":"genericUser","id":"1","rawResource":)" + v +
           "}");
     }},
    {"contacts ref extra", 6, "/data/fields/contacts/0/rawResource",
     [](const std::string& v) {
       return body_with(
           R"("contacts":[{"object":"resourceRef","model":"genericContact","id":"1","rawResource":)" +
           v + "}]");
     }},
    {"warning extra", 5, "/data/warnings/0/details",
     [](const std::string& v) {
       return body_with("", R"("warnings":[{"code":"C","details":)" + v + "}]");
     }},
};

}  // namespace

TEST_CASE("limits: max_depth defaults to 256", "[limits][depth]") {
  CHECK(mw::ParseOptions{}.max_depth == 256);
}

TEST_CASE("limits: nesting at max_depth is accepted, one level deeper is invalid_json",
          "[limits][depth]") {
  for (const std::uint32_t limit : {256u, 16u, 7u}) {
    mw::ParseOptions options;
    options.max_depth = limit;
    for (const DepthPlace& place : depth_places) {
      if (place.depth > limit) continue;
      for (const bool objects : {false, true}) {
        INFO(place.name << (objects ? ", objects" : ", arrays") << ", max_depth " << limit);
        // k containers from depth d reach depth d + k - 1.
        const std::size_t at = limit - place.depth + 1;
        CHECK(body_verdict(place.body(nested(at, objects)), options) == "ok");
        const std::string pointer =
            std::string(place.base_pointer) + repeat(objects ? "/a" : "/0", at);
        CHECK(body_verdict(place.body(nested(at + 1, objects)), options) ==
              "invalid_json " + pointer);
      }
    }
  }
}

// The objects and arrays the parser interprets (data, fields, ref lists, refs, warnings) nest
// too: a valid body is at least 3 deep (root, data, fields), one with a contact 5 deep.
TEST_CASE("limits: max_depth also bounds the interpreted objects", "[limits][depth]") {
  const std::string contacts =
      body_with("\"contacts\":" + refs(1, "genericContact"));  // contact ref at depth 5
  mw::ParseOptions options;
  options.max_depth = 5;
  CHECK(body_verdict(contacts, options) == "ok");
  options.max_depth = 4;
  CHECK(body_verdict(contacts, options) == "invalid_json /data/fields/contacts/0");
  options.max_depth = 2;
  CHECK(body_verdict(body_with(""), options) == "invalid_json /data/fields");
}

TEST_CASE("limits: the envelope parser counts depth the same way", "[limits][depth]") {
  mw::ParseOptions options;
  mw::Parser parser;
  // fields (depth 3) -> x (depth 4): 253 containers fit under the default 256.
  const std::string at = body_with("\"x\":" + nested(253, false));
  CHECK(verdict(parser.parse_envelope(at, options)) == "ok");
  const std::string past = body_with("\"x\":" + nested(254, false));
  CHECK(verdict(parser.parse_envelope(past, options)) ==
        "invalid_json /data/fields/x" + repeat("/0", 253));
}

TEST_CASE("limits: nesting far past the limit fails cleanly (no deep recursion)",
          "[limits][depth]") {
  for (const std::size_t n : {std::size_t{1000}, std::size_t{100000}}) {
    INFO(n << " nested arrays");
    CHECK(verdict(mw::parse_event(body_with("", "\"rawResource\":" + nested(n, false)))) ==
          "invalid_json /data/rawResource" + repeat("/0", 254));
    // Unclosed: still invalid_json.
    const std::string open(n, '[');
    CHECK(verdict(mw::parse_event(open)).rfind("invalid_json", 0) == 0);
    CHECK(verdict(mw::parse_event(body_with("", "\"rawResource\":" + open)))
              .rfind("invalid_json", 0) == 0);
  }
}

// simdjson's On-Demand API (3.0.1) does not enforce a depth limit during the walk, and the
// parser's validation recursion is bounded by its depth limit alone: a huge max_depth must be
// capped (at simdjson's own limit), or a hostile body recurses as deep as it nests (a stack
// overflow at ~5000 levels under ASan before 6fcc758).
TEST_CASE("limits: a huge max_depth is capped", "[limits][depth]") {
  mw::ParseOptions options;
  options.max_depth = 1u << 20;
  for (const std::size_t n : {std::size_t{2000}, std::size_t{100000}}) {
    INFO(n << " nested arrays");
    const auto r = mw::parse_event(body_with("", "\"rawResource\":" + nested(n, false)), options);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == mw::ErrorCode::invalid_json);
  }
}

// ---------------------------------------------------------------------------------------------
// Refs: ParseOptions::max_refs (default 100000) bounds the refs of an event (the owner and the
// four lists together); one more is invalid_value at that ref.
// ---------------------------------------------------------------------------------------------

TEST_CASE("limits: max_refs defaults to 100000", "[limits][refs]") {
  CHECK(mw::ParseOptions{}.max_refs == 100000);
}

TEST_CASE("limits: max_refs refs are accepted, one more is invalid_value at that ref",
          "[limits][refs]") {
  struct Case {
    std::size_t limit;
    std::size_t users, contacts, opportunities;
    const char* expected;
  };
  const Case cases[] = {
      {100000, 0, 100000, 0, "ok"},
      {100000, 0, 100001, 0, "invalid_value /data/fields/contacts/100000"},
      {100000, 50000, 50000, 0, "ok"},
      {100000, 50000, 50000, 1, "invalid_value /data/fields/opportunities/0"},
      {3, 1, 1, 1, "ok"},
      {3, 2, 2, 0, "invalid_value /data/fields/contacts/1"},
      {0, 0, 0, 0, "ok"},
      {0, 1, 0, 0, "invalid_value /data/fields/users/0"},
  };
  for (const Case& c : cases) {
    INFO("max_refs " << c.limit << ": " << c.users << " users, " << c.contacts << " contacts, "
                     << c.opportunities << " opportunities");
    mw::ParseOptions options;
    options.max_refs = c.limit;
    std::string fields = "\"users\":" + refs(c.users, "genericUser") +
                         ",\"contacts\":" + refs(c.contacts, "genericContact") +
                         ",\"opportunities\":" + refs(c.opportunities, "crmOpportunity");
    CHECK(body_verdict(body_with(fields), options) == c.expected);
  }
}

TEST_CASE("limits: the owner counts toward max_refs, wherever it is", "[limits][refs]") {
  // Found by fuzzing: the owner was checked against max_refs but not counted, so the verdict
  // depended on the order of the keys in `fields`. It counts now (6fcc758).
  mw::ParseOptions options;
  options.max_refs = 2;
  const std::string owner = R"("owner":{"object":"resourceRef","model":"genericUser","id":"9"})";
  const std::string one = "\"contacts\":" + refs(1, "genericContact");
  const std::string two = "\"contacts\":" + refs(2, "genericContact");
  CHECK(body_verdict(body_with(owner + "," + one), options) == "ok");
  CHECK(body_verdict(body_with(one + "," + owner), options) == "ok");
  CHECK(body_verdict(body_with(owner + "," + two), options) ==
        "invalid_value /data/fields/contacts/1");
  CHECK(body_verdict(body_with(two + "," + owner), options) == "invalid_value /data/fields/owner");
  options.max_refs = 0;
  CHECK(body_verdict(body_with(owner), options) == "invalid_value /data/fields/owner");
}

// ---------------------------------------------------------------------------------------------
// Warnings: ParseOptions::max_warnings (default 10000); one more is invalid_value at it.
// ---------------------------------------------------------------------------------------------

TEST_CASE("limits: max_warnings warnings are accepted, one more is invalid_value",
          "[limits][warnings]") {
  CHECK(mw::ParseOptions{}.max_warnings == 10000);
  struct Case {
    std::size_t limit;
    std::size_t count;
    const char* expected;
  };
  const Case cases[] = {
      {10000, 10000, "ok"}, {10000, 10001, "invalid_value /data/warnings/10000"},
      {1, 1, "ok"},         {1, 2, "invalid_value /data/warnings/1"},
      {0, 0, "ok"},         {0, 1, "invalid_value /data/warnings/0"},
  };
  for (const Case& c : cases) {
    INFO("max_warnings " << c.limit << ", " << c.count << " warnings");
    mw::ParseOptions options;
    options.max_warnings = c.limit;
    CHECK(body_verdict(body_with("", warnings(c.count)), options) == c.expected);
    mw::Parser parser;
    CHECK(verdict(parser.parse_envelope(body_with("", warnings(c.count)), options)) == c.expected);
  }
}

// ---------------------------------------------------------------------------------------------
// Header values: HeaderOptions::max_value_bytes (default 1024, after trimming); longer is
// invalid_header naming the header.
// ---------------------------------------------------------------------------------------------

TEST_CASE("limits: header values of max_value_bytes are accepted, one byte more is not",
          "[limits][headers]") {
  CHECK(mw::HeaderOptions{}.max_value_bytes == 1024);
  CHECK(mw::default_max_header_value_bytes == 1024);
  struct Case {
    const char* name;
    std::size_t limit;  // 0: the default
    const char* reported;
  };
  const Case cases[] = {
      {"x-conector-id", 0, "x-conector-id"}, {"X-Connector-Id", 0, "x-connector-id"},
      {"x-owner-id", 0, "x-owner-id"},       {"X-IDEMPOTENCY-KEY", 0, "x-idempotency-key"},
      {"x-owner-id", 8, "x-owner-id"},       {"x-idempotency-key", 1, "x-idempotency-key"},
      {"x-owner-id", 65536, "x-owner-id"},
  };
  for (const Case& c : cases) {
    mw::HeaderOptions options;
    if (c.limit != 0) options.max_value_bytes = c.limit;
    INFO(c.name << ", max_value_bytes " << options.max_value_bytes);
    const std::string reported = c.reported;
    // The three headers, the one under test under its given spelling with `value`.
    const auto headers_with = [&](const std::string& value) {
      std::vector<std::pair<std::string, std::string>> h;
      for (const char* name : {"x-conector-id", "x-owner-id", "x-idempotency-key"}) {
        const bool tested = reported == name || (reported == "x-connector-id" &&
                                                 std::string_view(name) == "x-conector-id");
        if (tested) {
          h.emplace_back(c.name, value);
        } else {
          h.emplace_back(name, "v");
        }
      }
      return h;
    };
    const std::string at(options.max_value_bytes, 'k');
    // Surrounding spaces and tabs are trimmed before the length is checked.
    for (const std::string& value : {at, " \t" + at + "\t "}) {
      const auto ok = mw::validate_headers(headers_with(value), options);
      CHECK(verdict(ok) == "ok");
    }
    const auto h = headers_with(at + "k");
    const auto past = mw::validate_headers(h, options);
    CHECK(verdict(past) == "invalid_header " + reported);
    // parse_request() rejects it the same way, before looking at the body.
    CHECK(verdict(mw::parse_request(h, "not even JSON", mw::ParseOptions{}, options)) ==
          "invalid_header " + reported);
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile bodies found by fuzzing (tests/data/hostile/hostile.tsv): the verdict of both
// policies and, for accepted bodies, the raw rawResource text and the duration (`-` when
// absent).
// ---------------------------------------------------------------------------------------------

namespace {

struct HostileCase {
  std::string file, lenient, strict, raw_resource;
  std::string duration = "-";  // optional fifth column
};

std::vector<HostileCase> hostile_cases(const char* table) {
  std::ifstream in(std::string(MORPH_WEBHOOK_TEST_DATA_DIR) + "/hostile/" + table);
  std::vector<HostileCase> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() != 4 && cols.size() != 5) {
      FAIL("malformed line in hostile.tsv: " << line);
    }
    out.push_back({cols[0], cols[1], cols[2], cols[3], cols.size() == 5 ? cols[4] : "-"});
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

namespace {

void check_hostile(const std::vector<HostileCase>& cases) {
  REQUIRE_FALSE(cases.empty());
  for (const HostileCase& c : cases) {
    INFO(c.file);
    const std::string body =
        read_file(std::string(MORPH_WEBHOOK_TEST_DATA_DIR) + "/hostile/" + c.file);
    REQUIRE_FALSE(body.empty());
    for (const mw::Policy policy : {mw::Policy::lenient, mw::Policy::strict}) {
      INFO(mw::to_string(policy));
      mw::ParseOptions options;
      options.policy = policy;
      mw::Parser parser;
      const auto r = parser.parse(body, options);
      CHECK(verdict(r) == (policy == mw::Policy::lenient ? c.lenient : c.strict));
      if (!r) continue;
      if (c.raw_resource == "-") {
        CHECK_FALSE(r->raw_resource.has_value());
      } else {
        REQUIRE(r->raw_resource.has_value());
        // Compare the size first: a broken view must not be read.
        REQUIRE(r->raw_resource->size() == c.raw_resource.size());
        CHECK(*r->raw_resource == c.raw_resource);
      }
      CHECK((r->fields.duration ? std::to_string(*r->fields.duration) : "-") == c.duration);
      // The envelope parser reads the same raw value.
      const auto e = parser.parse_envelope(body, options);
      REQUIRE(e.has_value());
      CHECK(e->raw_resource.has_value() == (c.raw_resource != "-"));
      if (e->raw_resource && c.raw_resource != "-") {
        REQUIRE(e->raw_resource->size() == c.raw_resource.size());
        CHECK(*e->raw_resource == c.raw_resource);
      }
    }
  }
}

}  // namespace

TEST_CASE("hostile bodies found by fuzzing", "[limits][hostile]") {
  check_hostile(hostile_cases("hostile.tsv"));
}
