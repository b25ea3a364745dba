// to_owned(): OwnedWebhookEvent / OwnedResourceEvent outlive the parse, copy and move safely.
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "event_corpus.hpp"
#include "morph/webhook/owned.hpp"
#include "morph/webhook/parser.hpp"

namespace mw = morph::webhook;

namespace {

// A body with everything that lives in separate storage: refs in several lists, an owner,
// warnings (with and without message), rawResource, and short strings (SSO-sized) as well.
const std::string kRich =
    R"({"event":"crmEngagement::updated","data":{"object":"resource","model":"crmEngagement",)"
    R"("id":"r1","fields":{"type":"meeting","direction":"inbound","status":"inProgress",)"
    R"("title":"QBR","description":"Quarterly review \u00e9 \"quoted\"",)"
    R"("startedAt":"2025-03-06T09:05:04.606Z","endedAt":"2025-03-06T10:05:04Z","duration":3600,)"
    R"("owner":{"object":"resourceRef","model":"genericUser","id":"u0"},)"
    R"("users":[{"object":"resourceRef","model":"genericUser","id":"u1"},)"
    R"({"object":"resourceRef","model":"genericUser","id":"u2","remote":{"id":"x"}}],)"
    R"("companies":[],)"
    R"("contacts":[{"object":"resource","model":"genericContact","id":"c1","fields":{"a":1}}],)"
    R"("opportunities":[{"object":"resourceRef","model":"crmOpportunity","id":"o1"}]},)"
    R"("createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.607Z",)"
    R"("rawResource":{"engagement":{"id":1},"associations":[1,2]},)"
    R"("warnings":[{"code":"CONNECTOR::MAPPER::READ_FAILED","message":"fields.x"},{"code":"W2"}]}})";

// A tiny body (all strings fit in a std::string's small buffer).
const std::string kTiny =
    R"({"event":"crmEngagement::deleted","data":{"object":"resource","model":"crmEngagement",)"
    R"("id":"1","fields":{},"createdAt":"2025-03-06T09:05:04Z","updatedAt":"2025-03-06T09:05:04Z"}})";

// A different event, parsed between owning and checking.
const std::string kOther =
    R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement",)"
    R"("id":"zzzzzzzzzz","fields":{"type":"call","title":"OVERWRITE OVERWRITE OVERWRITE",)"
    R"("users":[{"object":"resourceRef","model":"genericUser","id":"XX"},)"
    R"({"object":"resourceRef","model":"genericUser","id":"YY"},)"
    R"({"object":"resourceRef","model":"genericUser","id":"ZZ"}]},)"
    R"("createdAt":"2000-01-01T00:00:00Z","updatedAt":"2000-01-01T00:00:00Z",)"
    R"("warnings":[{"code":"OTHER1"},{"code":"OTHER2"},{"code":"OTHER3"}]}})";

// A fresh parse of `body` in its own parser, for comparison.
mw::WebhookEvent fresh(mw::Parser& parser, const std::string& body) {
  auto r = parser.parse(body);
  REQUIRE(r.has_value());
  return *r;
}

}  // namespace

static_assert(std::is_nothrow_move_constructible_v<mw::OwnedWebhookEvent>);
static_assert(std::is_nothrow_move_assignable_v<mw::OwnedWebhookEvent>);
static_assert(std::is_copy_constructible_v<mw::OwnedResourceEvent>);
static_assert(std::is_same_v<decltype(mw::to_owned(std::declval<const mw::ResourceEvent&>())),
                             mw::OwnedResourceEvent>);

TEST_CASE("an owned event survives the next parse on the same Parser", "[owned]") {
  for (const std::string* body : {&kRich, &kTiny}) {
    mw::Parser parser;
    auto a = parser.parse(*body);
    REQUIRE(a.has_value());
    const mw::OwnedWebhookEvent owned = mw::to_owned(*a);
    CHECK(owned == *a);

    auto b = parser.parse(kOther);  // reuses every buffer the views of `a` pointed into
    REQUIRE(b.has_value());
    mw::Parser reference;
    CHECK(owned.view() == fresh(reference, *body));
    CHECK(owned != *b);
  }
}

TEST_CASE("owned views point into the owned object, lists included", "[owned]") {
  mw::Parser parser;
  auto a = parser.parse(kRich);
  REQUIRE(a.has_value());
  const auto owned = mw::to_owned(*a);
  const mw::WebhookEvent& v = owned.view();
  REQUIRE(v.fields.users.has_value());
  REQUIRE(v.fields.users->size() == 2);
  CHECK(v.fields.users->data() != a->fields.users->data());
  CHECK(v.warnings.data() != a->warnings.data());
  CHECK(v.fields.companies.has_value());  // present and empty stays present
  CHECK(v.fields.companies->empty());
  CHECK_FALSE(v.fields.contacts->empty());
  CHECK((*v.fields.contacts)[0].is_expanded());
  CHECK(v.warnings.size() == 2);
  CHECK_FALSE(v.warnings[1].message.has_value());
  CHECK(v.raw_resource ==
        std::optional<std::string_view>(R"({"engagement":{"id":1},"associations":[1,2]})"));
  CHECK(v.id.data() != a->id.data());
  CHECK(owned.string_bytes() > 0);
}

TEST_CASE("copies and moves of owned events stay correct", "[owned]") {
  for (const std::string* body : {&kRich, &kTiny}) {
    mw::Parser reference;  // holds `expected`: never parse anything else with it
    const mw::WebhookEvent expected = fresh(reference, *body);
    mw::Parser scratch;
    mw::Parser parser;
    auto parsed = parser.parse(*body);
    REQUIRE(parsed.has_value());
    mw::OwnedWebhookEvent original = mw::to_owned(*parsed);
    (void)parser.parse(kOther);

    // Copy: both equal, independent buffers.
    mw::OwnedWebhookEvent copy = original;
    CHECK(copy == expected);
    CHECK(original == expected);
    CHECK(copy.view().id.data() != original.view().id.data());

    // Move construction: the target is correct, the source is empty but usable.
    mw::OwnedWebhookEvent moved = std::move(original);
    CHECK(moved == expected);
    CHECK(original == mw::OwnedWebhookEvent());  // NOLINT(bugprone-use-after-move)
    CHECK(original.view().warnings.empty());     // NOLINT(bugprone-use-after-move)

    // The moved-from object can be assigned again.
    original = copy;
    CHECK(original == expected);

    // Move assignment over a non-empty object, and copy assignment.
    mw::OwnedWebhookEvent other = mw::to_owned(fresh(scratch, kOther));
    other = std::move(moved);
    CHECK(other == expected);
    CHECK(moved == mw::OwnedWebhookEvent());  // NOLINT(bugprone-use-after-move)
    mw::OwnedWebhookEvent assigned = mw::to_owned(fresh(scratch, kOther));
    assigned = other;
    CHECK(assigned == expected);
    // Self-assignment keeps the value.
    mw::OwnedWebhookEvent& alias = assigned;
    assigned = alias;
    CHECK(assigned == expected);
    assigned = std::move(alias);
    CHECK(assigned == expected);

    // Destroying the source of a copy does not affect the copy.
    auto holder = std::make_unique<mw::OwnedWebhookEvent>(copy);
    mw::OwnedWebhookEvent survivor = *holder;
    holder.reset();
    CHECK(survivor == expected);
  }
}

TEST_CASE("owned events in a growing vector (many moves) stay correct", "[owned]") {
  mw::Parser parser;
  std::vector<mw::OwnedWebhookEvent> queue;
  std::vector<std::string> bodies;
  for (int i = 0; i < 50; ++i) {
    std::string body = (i % 2 == 0) ? kRich : kTiny;
    const std::string id = "\"id\":\"" + std::to_string(i) + "\"";
    const auto at = body.find("\"id\":\"");
    body.replace(at, body.find('"', at + 6) + 1 - at, id);
    bodies.push_back(body);
    auto r = parser.parse(body);
    REQUIRE(r.has_value());
    queue.push_back(mw::to_owned(*r));  // reallocations move every earlier element
  }
  mw::Parser reference;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    CHECK(queue[i] == fresh(reference, bodies[i]));
  }
}

TEST_CASE("an owned event can be moved to another thread", "[owned]") {
  mw::Parser parser;
  auto r = parser.parse(kRich);
  REQUIRE(r.has_value());
  mw::OwnedWebhookEvent owned = mw::to_owned(*r);
  mw::Parser reference;
  const mw::WebhookEvent expected = fresh(reference, kRich);
  bool equal = false;
  std::thread worker(
      [event = std::move(owned), &equal, &expected]() { equal = event == expected; });
  // Meanwhile this thread reuses the parser.
  (void)parser.parse(kOther);
  worker.join();
  CHECK(equal);
}

TEST_CASE("OwnedResourceEvent: survives, copies, moves (every model of the corpus)", "[owned]") {
  int checked = 0;
  for (const auto& body : mw::corpus::all_bodies()) {
    mw::Parser parser;
    auto r = parser.parse_envelope(body.text);
    if (!r) continue;
    INFO(body.name);
    mw::OwnedResourceEvent owned = mw::to_owned(*r);
    (void)parser.parse_envelope(kOther);
    mw::Parser reference;
    auto expected = reference.parse_envelope(body.text);
    REQUIRE(expected.has_value());
    CHECK(owned == *expected);
    CHECK(owned->fields == expected->fields);
    const mw::OwnedResourceEvent copy = owned;
    const mw::OwnedResourceEvent moved = std::move(owned);
    CHECK(copy == *expected);
    CHECK(moved == *expected);
    CHECK(owned == mw::OwnedResourceEvent());  // NOLINT(bugprone-use-after-move)
    ++checked;
  }
  CHECK(checked > 30);
}

TEST_CASE("to_owned of every typed event of the corpus equals the event", "[owned]") {
  int checked = 0;
  for (const auto& body : mw::corpus::all_bodies()) {
    mw::Parser parser;
    auto r = parser.parse(body.text);
    if (!r) continue;
    INFO(body.name);
    const mw::OwnedWebhookEvent owned = mw::to_owned(*r);
    CHECK(owned == *r);
    (void)parser.parse(kOther);
    mw::Parser reference;
    CHECK(owned == fresh(reference, body.text));
    ++checked;
  }
  CHECK(checked > 30);
}

TEST_CASE("a default owned event is empty", "[owned]") {
  const mw::OwnedWebhookEvent empty;
  CHECK(empty.view() == mw::WebhookEvent());
  CHECK(empty.string_bytes() == 0);
  const mw::OwnedResourceEvent empty_resource;
  CHECK(empty_resource.view() == mw::ResourceEvent());
}
