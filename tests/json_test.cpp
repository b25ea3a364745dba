// to_json() / append_json(): canonical output and the round trip over every body we have.
#include <algorithm>
#include <chrono>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "catch.hpp"
#include "event_corpus.hpp"
#include "morph/webhook/json.hpp"
#include "morph/webhook/owned.hpp"
#include "morph/webhook/parser.hpp"
#include "test_support.hpp"

namespace mw = morph::webhook;
using morph::webhook::test::is_valid_json;

namespace {

constexpr mw::Policy kPolicies[] = {mw::Policy::lenient, mw::Policy::strict};

mw::ParseOptions with(mw::Policy policy) {
  mw::ParseOptions options;
  options.policy = policy;
  return options;
}

// Bodies of our own that stress escaping and raw text (each valid under the lenient policy).
const std::vector<std::string>& edge_bodies() {
  static const std::vector<std::string> bodies = {
      // Escapes of every kind in strings we unescape and write back.
      R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement","id":"e\"1\\\/","fields":{"type":"note","title":"tab\there\nnew line \u0000 nul \u001f","description":"\u00e9\u4e2d\ud83d\ude00 é中😀 \u2028 \u2029"},"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"}})",
      // Pretty-printed refs: raw_json keeps the inner whitespace, byte for byte.
      "{\"event\":\"crmEngagement::updated\",\"data\":{\"object\":\"resource\",\"model\":"
      "\"crmEngagement\",\"id\":\"2\",\"fields\":{\"type\":\"call\",\"startedAt\":\"2025-03-06T09:"
      "05:04Z\",\"owner\" : {\n  \"object\" : \"resource\",\n  \"model\":\"genericUser\", "
      "\"id\":\"u1\",\n  \"fields\": {\"name\": \"Ann\"}, \"createdAt\":\"x\"\n} ,\"users\":[ "
      "{\"id\":\"u2\",\"object\":\"resourceRef\",\"model\":\"genericUser\",\"remote\":{\"id\":"
      "\"r\\u00e9\"}} , "
      "{\"object\":\"resourceRef\",\"model\":\"genericUser\",\"id\":\"u3\",\"rawResource\":[1,2."
      "50e3,null,true]}\t],\"companies\":[],\"duration\":3.0},\"createdAt\":\"2025-03-06T09:05:04."
      "606Z\",\"updatedAt\":\"2025-03-06T10:05:04.606+01:00\",\"rawResource\" :  {\"a\" : [ 1 , "
      "{\"b\":\"\\u0041\"} ] }  "
      ",\"warnings\":[{\"code\":\"A\",\"message\":\"\"},{\"code\":\"\",\"extra\":1}]}}",
      // A long description and a 1e2-style integer duration.
      R"({"event":"crmEngagement::deleted","data":{"object":"resource","model":"crmEngagement","id":"3","fields":{"type":"sms","direction":"sideways","status":"archived","duration":1e2,"endedAt":"2025-12-31T23:59:59.999999999Z"},"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z","rawResource":"just a string \u2603"}})",
      // rawResource scalars.
      R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement","id":"4","fields":{},"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z","rawResource":-0.5e-3}})",
      R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement","id":"5","fields":{},"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z","rawResource":false,"warnings":[]}})",
      // Raw U+2028 / U+2029 in a string: written back escaped, equal after unescaping.
      std::string(
          R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement","id":"ls","fields":{"title":"a)") +
          "\xe2\x80\xa8"
          "b"
          "\xe2\x80\xa9"
          "c\x7f" +
          R"("},"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"}})",
      // Envelope of a future model with odd fields text.
      "{\"event\":\"futureThing::updated\",\"data\":{\"object\":\"resource\",\"model\":"
      "\"futureThing\",\"id\":\"6\",\"fields\":{ \"k\" : [ ] "
      ",\n\"\\u00e9\":{}},\"createdAt\":\"2025-03-06T09:05:04.606Z\",\"updatedAt\":\"2025-03-06T09:"
      "05:04.606Z\"}}",
  };
  return bodies;
}

/// The canonical form of events (README, "Writing an event back"): the event with every raw part
/// (rawResource, each ref's raw_json, a ResourceEvent's fields) replaced by its compact_json().
/// Two events are canonically equal when their canonical forms are equal (operator==). Holds
/// the compacted texts and ref lists, so the forms live as long as this object.
class Canonical {
 public:
  mw::WebhookEvent of(mw::WebhookEvent e) {
    mw::Engagement& f = e.fields;
    if (f.owner) f.owner = ref(*f.owner);
    for (auto* list : {&f.users, &f.companies, &f.contacts, &f.opportunities}) {
      if (*list) *list = refs(**list);
    }
    e.raw_resource = raw(e.raw_resource);
    return e;
  }
  mw::ResourceEvent of(mw::ResourceEvent e) {
    e.fields = text(e.fields);
    e.raw_resource = raw(e.raw_resource);
    return e;
  }

 private:
  std::string_view text(std::string_view json) {
    texts_.push_back(mw::compact_json(json));
    return texts_.back();
  }
  std::optional<std::string_view> raw(std::optional<std::string_view> json) {
    if (!json) return json;
    return text(*json);
  }
  mw::ResourceRef ref(mw::ResourceRef r) {
    r.raw_json = text(r.raw_json);
    return r;
  }
  mw::RefList refs(mw::RefList list) {
    std::vector<mw::ResourceRef>& out = lists_.emplace_back();
    for (const mw::ResourceRef& r : list) out.push_back(ref(r));
    return mw::RefList(out.data(), out.size());
  }
  std::deque<std::string> texts_;
  std::deque<std::vector<mw::ResourceRef>> lists_;
};

/// True when `json` has no whitespace outside its strings.
bool is_compact(const std::string& json) { return mw::compact_json(json) == json; }

// Parses, writes, parses again and checks equality; returns the number of events checked.
template <class Event, class ParseFn>
int check_round_trip(const std::string& name, const std::string& body, mw::Policy policy,
                     ParseFn parse) {
  mw::Parser first;
  mw::Parser second;
  const mw::Result<Event> a = parse(first, body, with(policy));
  if (!a) return 0;
  INFO(name << " (" << mw::to_string(policy) << ")");
  const std::string json = mw::to_json(*a);
  INFO("to_json: " << json);
  CHECK(is_valid_json(json));
  CHECK(is_compact(json));
  const mw::Result<Event> b = parse(second, json, with(policy));
  REQUIRE(b.has_value());
  Canonical canonical;
  CHECK(canonical.of(*b) == canonical.of(*a));
  // The re-parsed event is in canonical form already: its raw parts are compact.
  CHECK(canonical.of(*b) == *b);
  // Spelled out for the failure message (operator== covers them).
  CHECK(b->raw_resource == canonical.of(*a).raw_resource);
  CHECK(b->warnings == a->warnings);
  // Canonical: writing the re-parsed event gives the same bytes.
  CHECK(mw::to_json(*b) == json);
  // An owned copy writes the same bytes.
  CHECK(mw::to_json(mw::to_owned(*a).view()) == json);
  return 1;
}

mw::Result<mw::WebhookEvent> typed(mw::Parser& p, const std::string& body,
                                   const mw::ParseOptions& o) {
  return p.parse(body, o);
}
mw::Result<mw::ResourceEvent> envelope(mw::Parser& p, const std::string& body,
                                       const mw::ParseOptions& o) {
  return p.parse_envelope(body, o);
}

}  // namespace

TEST_CASE("to_json round-trips every accepted body of the corpus, both policies", "[json]") {
  std::vector<mw::corpus::Body> bodies = mw::corpus::all_bodies();
  for (const std::string& body : edge_bodies()) bodies.push_back({"edge", body});
  REQUIRE(bodies.size() > 100);
  for (const mw::Policy policy : kPolicies) {
    int typed_count = 0;
    int envelope_count = 0;
    for (const auto& body : bodies) {
      typed_count += check_round_trip<mw::WebhookEvent>(body.name, body.text, policy, typed);
      envelope_count += check_round_trip<mw::ResourceEvent>(body.name, body.text, policy, envelope);
    }
    INFO(mw::to_string(policy));
    // The corpus really exercised the property (fails if the fixtures went missing).
    CHECK(typed_count >= 30);
    CHECK(envelope_count > typed_count);
  }
}

TEST_CASE("every edge body is accepted (so the round trip above covers it)", "[json]") {
  for (const std::string& body : edge_bodies()) {
    mw::Parser parser;
    INFO(body);
    if (body.find("crmEngagement::") != std::string::npos) {
      const auto r = parser.parse(body);
      INFO((r ? std::string() : mw::to_string(r.error())));
      CHECK(r.has_value());
    } else {
      CHECK(parser.parse_envelope(body).has_value());
    }
  }
}

TEST_CASE("to_json writes the contract example canonically", "[json]") {
  const std::string body = mw::corpus::read_data("bodies/contract_example.json");
  mw::Parser parser;
  const auto event = parser.parse(body);
  REQUIRE(event.has_value());
  CHECK(mw::to_json(*event) ==
        R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement",)"
        R"("id":"29090716","fields":{"type":"call","direction":"outbound","status":"completed",)"
        R"("title":"Call w/ Jane","description":"Left voicemail & follow-up",)"
        R"("startedAt":"2015-10-07T13:10:00.781Z","duration":38,)"
        R"("owner":{"object":"resourceRef","model":"genericUser","id":"123"},)"
        R"("companies":[],)"
        R"("contacts":[{"object":"resourceRef","model":"genericContact","id":"247"}],)"
        R"("opportunities":[{"object":"resourceRef","model":"crmOpportunity","id":"9001"}]},)"
        R"("createdAt":"2015-10-07T13:10:00.781Z","updatedAt":"2015-10-07T13:10:00.781Z"}})");
}

TEST_CASE("to_json: absent, empty and null members", "[json]") {
  struct Case {
    const char* name;
    const char* data_tail;  // members after updatedAt in the input
    const char* expected_tail;
  };
  const Case cases[] = {
      {"no rawResource, no warnings", "", ""},
      {"empty warnings are left out", R"(,"warnings":[])", ""},
      {"null warnings are left out (lenient)", R"(,"warnings":null)", ""},
      {"rawResource null stays null", R"(,"rawResource":null)", R"(,"rawResource":null)"},
      {"rawResource compact", R"(,"rawResource": { "a" :1 })", R"(,"rawResource":{"a":1})"},
      {"warning without message", R"(,"warnings":[{"code":"C"}])", R"(,"warnings":[{"code":"C"}])"},
      {"warning message null is absent (lenient)", R"(,"warnings":[{"code":"C","message":null}])",
       R"(,"warnings":[{"code":"C"}])"},
      {"warning with message", R"(,"warnings":[{"message":"m\"","code":"C","x":[]}])",
       R"(,"warnings":[{"code":"C","message":"m\""}])"},
  };
  const std::string head =
      R"({"event":"crmEngagement::deleted","data":{"object":"resource","model":"crmEngagement",)"
      R"("id":"7","fields":{},"createdAt":"2025-03-06T09:05:04.606Z",)"
      R"("updatedAt":"2025-03-06T09:05:04.606Z")";
  for (const Case& c : cases) {
    INFO(c.name);
    mw::Parser parser;
    const auto event = parser.parse(head + c.data_tail + "}}");
    REQUIRE(event.has_value());
    CHECK(mw::to_json(*event) == head + c.expected_tail + "}}");
  }
}

TEST_CASE("to_json: null optional engagement fields are absent (lenient)", "[json]") {
  const std::string body =
      R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement",)"
      R"("id":"8","fields":{"type":"call","title":null,"owner":null,"users":null,"duration":null},)"
      R"("createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"}})";
  mw::Parser parser;
  const auto event = parser.parse(body);
  REQUIRE(event.has_value());
  const std::string json = mw::to_json(*event);
  CHECK(json.find(R"("fields":{"type":"call"},)") != std::string::npos);
}

TEST_CASE("to_json: a ResourceEvent's fields are written compact", "[json]") {
  const std::string body = mw::corpus::read_data("models/generic_company_created.json");
  mw::Parser parser;
  const auto event = parser.parse_envelope(body);
  REQUIRE(event.has_value());
  const std::string json = mw::to_json(*event);
  CHECK(json.find(std::string(",\"fields\":") + mw::compact_json(event->fields) + ",") !=
        std::string::npos);
  CHECK(json.rfind(R"({"event":"genericCompany::created","data":{"object":"resource",)"
                   R"("model":"genericCompany","id":"comp_77","fields":{)",
                   0) == 0);
}

TEST_CASE("to_json is compact: raw parts lose their layout, never their values", "[json]") {
  // The meeting payload is pretty-printed, with nested raw refs and rawResource (~60 lines).
  const std::string body = mw::corpus::read_data("../../examples/payloads/meeting-updated.json");
  REQUIRE(std::count(body.begin(), body.end(), '\n') > 20);
  mw::Parser parser;
  const auto event = parser.parse(body);
  REQUIRE(event.has_value());
  const std::string json = mw::to_json(*event);
  CHECK(json.find('\n') == std::string::npos);
  CHECK(is_compact(json));
  CHECK(is_valid_json(json));

  // Strings holding whitespace, escaped quotes and backslashes are copied byte for byte;
  // numbers keep their text (no reformatting of 1.000000000000000001 or 2.50E+3).
  const std::string raw =
      "{ \"a b\" : [ \"x \\\" } \\\\\" , \"\\t\\n\" ,\n"
      "\t1.000000000000000001 , -0 , 2.50E+3 , \" \" ] ,\r\n \"\" : { } }";
  CHECK(mw::compact_json(raw) ==
        "{\"a b\":[\"x \\\" } \\\\\",\"\\t\\n\",1.000000000000000001,-0,2.50E+3,\" \"],\"\":{}}");
  std::string with_raw = mw::corpus::read_data("bodies/contract_example.json");
  with_raw.insert(with_raw.rfind('}', with_raw.rfind('}') - 1), ",\"rawResource\":" + raw);
  const auto e = parser.parse(with_raw);
  REQUIRE(e.has_value());
  const std::string out = mw::to_json(*e);
  CHECK(out.find(",\"rawResource\":" + mw::compact_json(raw) + "}") != std::string::npos);
  CHECK(is_compact(out));
  // Already compact text is unchanged; a string that never closes is copied as it is.
  CHECK(mw::compact_json(R"({"k":[1,"v"]})") == R"({"k":[1,"v"]})");
  CHECK(mw::compact_json("\"a b\\\"") == "\"a b\\\"");
  CHECK(mw::compact_json(" \t\r\n ").empty());
}

TEST_CASE("append_json appends to a reused buffer", "[json]") {
  const std::string body = mw::corpus::read_data("bodies/contract_example.json");
  mw::Parser parser;
  const auto event = parser.parse(body);
  REQUIRE(event.has_value());
  const std::string expected = mw::to_json(*event);
  std::string buffer = "prefix:";
  mw::append_json(buffer, *event);
  CHECK(buffer == "prefix:" + expected);
  buffer.clear();
  mw::append_json(buffer, *event);
  CHECK(buffer == expected);

  const auto envelope = parser.parse_envelope(body);
  REQUIRE(envelope.has_value());
  buffer = "[";
  mw::append_json(buffer, *envelope);
  buffer += ']';
  CHECK(buffer == "[" + mw::to_json(*envelope) + "]");
  CHECK(is_valid_json(buffer));
}

TEST_CASE("to_json: hand-built events get complete, parseable output", "[json]") {
  using namespace std::chrono;
  mw::WebhookEvent e;
  e.trigger = mw::Trigger::updated;
  e.model = "crmEngagement";  // event left empty: written as model::trigger
  e.id = "hand-1";
  e.fields.type = mw::EnumField<mw::EngagementType>{mw::EngagementType::meeting, ""};
  e.fields.duration = 0;
  const mw::ResourceRef refs[] = {{"", "genericContact", "c1", ""}};
  e.fields.contacts = mw::RefList(refs, 1);
  e.created_at.time = mw::TimePoint(hours(24 * 19782) +  // 2024-02-29
                                    hours(23) + minutes(59) + seconds(58) + milliseconds(7));
  e.updated_at.time = e.created_at.time + microseconds(1);
  const std::string json = mw::to_json(e);
  CHECK(json ==
        R"({"event":"crmEngagement::updated","data":{"object":"resource","model":"crmEngagement",)"
        R"("id":"hand-1","fields":{"type":"meeting","duration":0,"contacts":[{"object":)"
        R"("resourceRef","model":"genericContact","id":"c1"}]},)"
        R"("createdAt":"2024-02-29T23:59:58.007Z","updatedAt":"2024-02-29T23:59:58.007001Z"}})");
  mw::Parser parser;
  const auto back = parser.parse(json);  // lenient: no startedAt
  REQUIRE(back.has_value());
  CHECK(back->created_at.time == e.created_at.time);
  CHECK(back->updated_at.time == e.updated_at.time);

  mw::ResourceEvent r;
  r.event = "crmQuote::deleted";
  r.trigger = mw::Trigger::deleted;
  r.id = "q";
  r.raw_resource = std::string_view();
  r.created_at.time = mw::TimePoint(microseconds(-1));  // before the epoch
  r.updated_at.time = mw::TimePoint();
  CHECK(mw::to_json(r) ==
        R"({"event":"crmQuote::deleted","data":{"object":"resource","model":"crmQuote","id":"q",)"
        R"("fields":{},"createdAt":"1969-12-31T23:59:59.999999Z",)"
        R"("updatedAt":"1970-01-01T00:00:00.000Z","rawResource":null}})");
  CHECK(parser.parse_envelope(mw::to_json(r)).has_value());
}
