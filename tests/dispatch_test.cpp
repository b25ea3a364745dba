// Dispatcher: routing bodies of several models to handlers by model and trigger.
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "event_corpus.hpp"
#include "morph/webhook/dispatch.hpp"
#include "morph/webhook/owned.hpp"

namespace mw = morph::webhook;

namespace {

// Records which handler saw which event.
struct Log {
  std::vector<std::string> calls;
  void add(const std::string& handler, std::string_view event, std::string_view id) {
    calls.push_back(handler + " " + std::string(event) + " " + std::string(id));
  }
};

// A dispatcher with one handler of each kind, all writing to `log`.
mw::Dispatcher make_dispatcher(Log& log) {
  mw::Dispatcher d;
  d.on_engagement(mw::Trigger::created, [&log](const mw::WebhookEvent& e) {
    log.add("engagement.created", e.event, e.id);
  });
  d.on_engagement([&log](const mw::WebhookEvent& e) { log.add("engagement.any", e.event, e.id); });
  REQUIRE(d.on("genericContact::updated",
               [&log](const mw::ResourceEvent& e) { log.add("contact.updated", e.event, e.id); }));
  REQUIRE(d.on("crmOpportunity",
               [&log](const mw::ResourceEvent& e) { log.add("opportunity.any", e.event, e.id); }));
  REQUIRE(d.on("telephonyCall::created",
               [&log](const mw::ResourceEvent& e) { log.add("call.created", e.event, e.id); }));
  REQUIRE(d.on("telephonyCall::created",
               [&log](const mw::ResourceEvent& e) { log.add("call.created#2", e.event, e.id); }));
  d.on_unhandled([&log](const mw::ResourceEvent& e) { log.add("unhandled", e.event, e.id); });
  d.on_error([&log](const mw::Error& e) {
    log.calls.push_back("error " + std::string(mw::to_string(e.code)) + " " + e.pointer);
  });
  return d;
}

std::string engagement(std::string_view trigger, std::string_view id) {
  return R"({"event":"crmEngagement::)" + std::string(trigger) +
         R"(","data":{"object":"resource","model":"crmEngagement","id":")" + std::string(id) +
         R"(","fields":{"type":"call","startedAt":"2025-03-06T09:05:04.606Z"},)"
         R"("createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"}})";
}

}  // namespace

TEST_CASE("Dispatcher routes one event per model family", "[dispatch]") {
  struct Case {
    const char* name;
    std::string body;
    const char* outcome;  // "handled", "unhandled", "ignored" or "<code> <pointer>"
    std::vector<std::string> calls;
  };
  const auto model = [](const char* file) {
    return mw::corpus::read_data(std::string("models/") + file);
  };
  const Case cases[] = {
      {"contact updated",
       model("generic_contact_updated.json"),
       "handled",
       {"contact.updated genericContact::updated contact_8812"}},
      {"company created: no handler",
       model("generic_company_created.json"),
       "unhandled",
       {"unhandled genericCompany::created comp_77"}},
      {"opportunity, any trigger",
       model("crm_opportunity_updated.json"),
       "handled",
       {"opportunity.any crmOpportunity::updated deal_5521"}},
      {"pipeline: no handler",
       model("crm_pipeline_deleted.json"),
       "unhandled",
       {"unhandled crmPipeline::deleted default"}},
      {"telephony call (event after data), two handlers in order",
       model("telephony_call_created.json"),
       "handled",
       {"call.created telephonyCall::created call-123",
        "call.created#2 telephonyCall::created call-123"}},
      {"unknown future model",
       model("crm_quote_created.json"),
       "unhandled",
       {"unhandled crmQuote::created quote_42"}},
      {"engagement created: typed, both handlers",
       engagement("created", "e1"),
       "handled",
       {"engagement.created crmEngagement::created e1",
        "engagement.any crmEngagement::created e1"}},
      {"engagement deleted: any-trigger handler only",
       engagement("deleted", "e2"),
       "handled",
       {"engagement.any crmEngagement::deleted e2"}},
      {"engagement with an invalid field",
       R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement","id":"x","fields":{"duration":-1},"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"}})",
       "invalid_value /data/fields/duration",
       {"error invalid_value /data/fields/duration"}},
      {"bad trigger",
       R"({"event":"genericContact::merged","data":{}})",
       "unknown_event /event",
       {"error unknown_event /event"}},
      {"model mismatch",
       R"({"event":"genericContact::updated","data":{"object":"resource","model":"genericCompany","id":"1","fields":{},"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"}})",
       "model_mismatch /data/model",
       {"error model_mismatch /data/model"}},
      {"not JSON", "{\"event\":", "invalid_json ", {"error invalid_json "}},
      {"empty body", "", "empty_body ", {"error empty_body "}},
      {"not an object", "[1]", "wrong_type ", {"error wrong_type "}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Log log;
    const mw::Dispatcher d = make_dispatcher(log);
    const auto result = d.dispatch(c.body);
    const std::string outcome =
        result ? std::string(mw::to_string(*result))
               : std::string(mw::to_string(result.error().code)) + " " + result.error().pointer;
    CHECK(outcome == c.outcome);
    CHECK(log.calls == c.calls);

    // The same through an explicit Parser.
    Log log2;
    const mw::Dispatcher d2 = make_dispatcher(log2);
    mw::Parser parser;
    const auto result2 = d2.dispatch(parser, c.body);
    CHECK(result2.has_value() == result.has_value());
    CHECK(log2.calls == c.calls);
  }
}

TEST_CASE("Dispatcher: crmEngagement with envelope handlers, fallback and nothing", "[dispatch]") {
  const std::string body = engagement("updated", "e9");
  SECTION("typed and envelope handlers both run, typed first") {
    Log log;
    mw::Dispatcher d;
    d.on_engagement(mw::Trigger::updated,
                    [&log](const mw::WebhookEvent& e) { log.add("typed", e.event, e.id); });
    REQUIRE(d.on("crmEngagement", [&log](const mw::ResourceEvent& e) {
      log.add("envelope", e.event, e.id);
      CHECK(e.fields == R"({"type":"call","startedAt":"2025-03-06T09:05:04.606Z"})");
    }));
    const auto r = d.dispatch(body);
    REQUIRE(r.has_value());
    CHECK(*r == mw::Dispatched::handled);
    CHECK(log.calls == std::vector<std::string>{"typed crmEngagement::updated e9",
                                                "envelope crmEngagement::updated e9"});
  }
  SECTION("no engagement handler: the fallback gets the envelope") {
    Log log;
    mw::Dispatcher d;
    d.on_unhandled([&log](const mw::ResourceEvent& e) { log.add("unhandled", e.event, e.id); });
    const auto r = d.dispatch(body);
    REQUIRE(r.has_value());
    CHECK(*r == mw::Dispatched::unhandled);
    CHECK(log.calls == std::vector<std::string>{"unhandled crmEngagement::updated e9"});
  }
  SECTION("nothing registered: ignored, still validated") {
    const mw::Dispatcher d;
    const auto r = d.dispatch(body);
    REQUIRE(r.has_value());
    CHECK(*r == mw::Dispatched::ignored);
    const auto bad = d.dispatch(
        R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement","id":"x","fields":{"type":7},"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"}})");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == mw::ErrorCode::wrong_type);
    CHECK(bad.error().pointer == "/data/fields/type");
  }
  SECTION("engagement handler for another trigger: falls back") {
    Log log;
    mw::Dispatcher d;
    d.on_engagement(mw::Trigger::created,
                    [&log](const mw::WebhookEvent& e) { log.add("typed", e.event, e.id); });
    d.on_unhandled([&log](const mw::ResourceEvent& e) { log.add("unhandled", e.event, e.id); });
    const auto r = d.dispatch(body);
    REQUIRE(r.has_value());
    CHECK(*r == mw::Dispatched::unhandled);
    CHECK(log.calls == std::vector<std::string>{"unhandled crmEngagement::updated e9"});
  }
}

TEST_CASE("Dispatcher: layouts the peek does not recognize still route", "[dispatch]") {
  // `data` first, whitespace, and an escaped key: the model comes from a full parse.
  const std::string bodies[] = {
      R"({"data":{"object":"resource","model":"crmEngagement","id":"p1","fields":{},"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"},"event":"crmEngagement::deleted"})",
      "  {\n \"\\u0065vent\" : \"crmEngagement::deleted\", "
      "\"data\":{\"object\":\"resource\",\"model\":\"crmEngagement\",\"id\":\"p1\",\"fields\":{},"
      "\"createdAt\":\"2025-03-06T09:05:04.606Z\",\"updatedAt\":\"2025-03-06T09:05:04.606Z\"}}",
      " { \"event\" : \"crm\\u0045ngagement::deleted\", "
      "\"data\":{\"object\":\"resource\",\"model\":\"crmEngagement\",\"id\":\"p1\",\"fields\":{},"
      "\"createdAt\":\"2025-03-06T09:05:04.606Z\",\"updatedAt\":\"2025-03-06T09:05:04.606Z\"}}",
  };
  for (const std::string& body : bodies) {
    INFO(body);
    Log log;
    mw::Dispatcher d;
    d.on_engagement([&log](const mw::WebhookEvent& e) { log.add("typed", e.event, e.id); });
    const auto r = d.dispatch(body);
    REQUIRE(r.has_value());
    CHECK(log.calls == std::vector<std::string>{"typed crmEngagement::deleted p1"});
  }
}

TEST_CASE("Dispatcher::on rejects malformed keys", "[dispatch]") {
  mw::Dispatcher d;
  const auto noop = [](const mw::ResourceEvent&) {};
  CHECK(d.on("genericContact", noop));
  CHECK(d.on("genericContact::deleted", noop));
  CHECK(d.on("someFutureModel_2::created", noop));
  CHECK_FALSE(d.on("", noop));
  CHECK_FALSE(d.on("::created", noop));
  CHECK_FALSE(d.on("genericContact::", noop));
  CHECK_FALSE(d.on("genericContact::merged", noop));
  CHECK_FALSE(d.on("genericContact.created", noop));
  CHECK_FALSE(d.on("generic Contact", noop));
  CHECK(d.size() == 3);
}

TEST_CASE("Dispatcher: handlers can keep events with to_owned and parse freely", "[dispatch]") {
  std::vector<mw::OwnedResourceEvent> kept;
  mw::Dispatcher d;
  d.on_unhandled([&kept](const mw::ResourceEvent& e) {
    kept.push_back(mw::to_owned(e));
    // A handler may use parse_event(): dispatch(body) parses with its own Parser.
    (void)mw::parse_event(engagement("created", "inner"));
  });
  const char* files[] = {"generic_company_created.json", "crm_pipeline_deleted.json",
                         "crm_quote_created.json"};
  for (const char* file : files) {
    const auto r = d.dispatch(mw::corpus::read_data(std::string("models/") + file));
    REQUIRE(r.has_value());
  }
  REQUIRE(kept.size() == 3);
  CHECK(kept[0]->id == "comp_77");
  CHECK(kept[1]->id == "default");
  CHECK(kept[1]->raw_resource == std::optional<std::string_view>("null"));
  CHECK(kept[2]->model == "crmQuote");
}

TEST_CASE("Dispatcher: the dispatcher's options apply", "[dispatch]") {
  mw::ParseOptions strict;
  strict.policy = mw::Policy::strict;
  const std::string no_type =
      R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement",)"
      R"("id":"n","fields":{"startedAt":"2025-03-06T09:05:04.606Z"},)"
      R"("createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"}})";
  const mw::Dispatcher lenient_d;
  const mw::Dispatcher strict_d(strict);
  CHECK(lenient_d.dispatch(no_type).has_value());
  const auto r = strict_d.dispatch(no_type);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == mw::ErrorCode::missing_field);
  CHECK(r.error().pointer == "/data/fields/type");

  mw::ParseOptions tiny;
  tiny.max_body_bytes = 10;
  const mw::Dispatcher tiny_d(tiny);
  const auto big = tiny_d.dispatch(no_type);
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == mw::ErrorCode::body_too_large);
}

TEST_CASE("Dispatcher::on<Model>() registers typed handlers of a described model", "[dispatch]") {
  Log log;
  mw::Dispatcher d;
  d.on<mw::Engagement>(mw::Trigger::updated, [&log](const mw::Event<mw::Engagement>& e) {
    log.add("typed.updated", e.event, e.id);
    CHECK(e.fields.type->value == mw::EngagementType::call);
  });
  d.on<mw::Engagement>(
      [&log](const mw::Event<mw::Engagement>& e) { log.add("typed.any", e.event, e.id); });
  d.on_engagement([&log](const mw::WebhookEvent& e) { log.add("engagement.any", e.event, e.id); });
  CHECK(d.size() == 3);

  auto result = d.dispatch(engagement("updated", "e9"));
  REQUIRE(result);
  CHECK(*result == mw::Dispatched::handled);
  CHECK(log.calls == std::vector<std::string>{"typed.updated crmEngagement::updated e9",
                                              "typed.any crmEngagement::updated e9",
                                              "engagement.any crmEngagement::updated e9"});

  // The typed parse checks every field: a bad one is the error, no handler runs.
  log.calls.clear();
  std::string bad = engagement("created", "e10");
  bad.replace(bad.find("\"call\""), 6, "42");
  result = d.dispatch(bad);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == mw::ErrorCode::wrong_type);
  CHECK(result.error().pointer == "/data/fields/type");
  CHECK(log.calls.empty());
}
