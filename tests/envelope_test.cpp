// parse_envelope(): events of every model, with `fields` as validated raw JSON.
#include <string>
#include <string_view>

#include <simdjson.h>

#include "catch.hpp"
#include "event_corpus.hpp"
#include "morph/webhook/parser.hpp"

namespace mw = morph::webhook;

namespace {

// One realistic event per model family (tests/data/models/).
struct ModelCase {
  const char* file;
  std::string_view event;
  std::string_view model;
  mw::Trigger trigger;
  std::string_view id;
  const char* fields_start;  // first bytes of the raw fields text
  std::size_t warnings;
  std::optional<std::string_view> raw_resource;
  bool known_model;
};

const ModelCase kModels[] = {
    {"generic_contact_updated.json", "genericContact::updated", "genericContact",
     mw::Trigger::updated, "contact_8812", R"({"firstName":"Zoë")", 0,
     R"({"id":"8812","properties":{"firstname":"Zoë","lastname":"O'Brien","hs_lead_status":"OPEN"},"archived":false})",
     true},
    {"generic_company_created.json", "genericCompany::created", "genericCompany",
     mw::Trigger::created, "comp_77", "{\n      \"name\": \"Acme Corp\"", 0, std::nullopt, true},
    {"crm_opportunity_updated.json", "crmOpportunity::updated", "crmOpportunity",
     mw::Trigger::updated, "deal_5521", R"({"title":"Acme - 200 seats")", 1, std::nullopt, true},
    {"crm_pipeline_deleted.json", "crmPipeline::deleted", "crmPipeline", mw::Trigger::deleted,
     "default", "{}", 0, std::string_view("null"), true},
    {"telephony_call_created.json", "telephonyCall::created", "telephonyCall", mw::Trigger::created,
     "call-123", R"({"status":"completed")", 1,
     std::string_view(R"([{"sid":"CA123"},{"sid":"CA124"}])"), true},
    {"crm_quote_created.json", "crmQuote::created", "crmQuote", mw::Trigger::created, "quote_42",
     R"({"number":"Q-2025-0042")", 0, std::nullopt, false},
};

// True when `text` is exactly one JSON object.
bool is_json_object(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(std::string(text)).get(root) != simdjson::SUCCESS) return false;
  return root.type() == simdjson::dom::element_type::OBJECT;
}

std::string verdict(const mw::Error& e) {
  return std::string(mw::to_string(e.code)) + " " + e.pointer;
}

}  // namespace

TEST_CASE("parse_envelope reads one event per model family", "[envelope]") {
  for (const ModelCase& c : kModels) {
    for (const mw::Policy policy : {mw::Policy::lenient, mw::Policy::strict}) {
      INFO(c.file << " " << mw::to_string(policy));
      const std::string body = mw::corpus::read_data(std::string("models/") + c.file);
      REQUIRE_FALSE(body.empty());
      mw::ParseOptions options;
      options.policy = policy;
      mw::Parser parser;
      const auto e = parser.parse_envelope(body, options);
      INFO((e ? std::string() : mw::to_string(e.error())));
      REQUIRE(e.has_value());
      CHECK(e->event == c.event);
      CHECK(e->model == c.model);
      CHECK(e->trigger == c.trigger);
      CHECK(e->id == c.id);
      CHECK(e->fields.substr(0, std::string_view(c.fields_start).size()) == c.fields_start);
      CHECK(e->fields.back() == '}');
      CHECK(is_json_object(e->fields));
      CHECK(e->warnings.size() == c.warnings);
      CHECK(e->raw_resource == c.raw_resource);
      CHECK(mw::is_known_model(e->model) == c.known_model);
      CHECK_FALSE(e->created_at.text.empty());
      CHECK(e->updated_at.time >= e->created_at.time);

      // The typed parser refuses them: they are not crmEngagement.
      const auto typed = parser.parse(body, options);
      REQUIRE_FALSE(typed.has_value());
      CHECK(verdict(typed.error()) == "unsupported_model /event");

      // The free function agrees with the Parser.
      const auto free = mw::parse_envelope(body, options);
      REQUIRE(free.has_value());
      CHECK(free->fields == parser.parse_envelope(body, options)->fields);
    }
  }
}

TEST_CASE("parse_envelope details: warnings, fields text, crmEngagement", "[envelope]") {
  mw::Parser parser;
  const std::string opportunity = mw::corpus::read_data("models/crm_opportunity_updated.json");
  const auto e = parser.parse_envelope(opportunity);
  REQUIRE(e.has_value());
  REQUIRE(e->warnings.size() == 1);
  CHECK(e->warnings[0].code == "CONNECTOR::MAPPER::READ_VALIDATION_FAILED");
  CHECK(e->warnings[0].message ==
        std::optional<std::string_view>("fields.currency: expected ISO 4217 code"));
  // fields is the exact slice of the body.
  CHECK(opportunity.find(std::string(e->fields)) != std::string::npos);

  // crmEngagement bodies work through the envelope too (fields left raw).
  const std::string engagement = mw::corpus::read_data("bodies/contract_example.json");
  const auto env = parser.parse_envelope(engagement);
  REQUIRE(env.has_value());
  CHECK(env->model == "crmEngagement");
  CHECK(env->id == "29090716");
  CHECK(is_json_object(env->fields));
  CHECK(env->fields.find("\"opportunities\"") != std::string_view::npos);
}

TEST_CASE("parse_envelope rejects bad envelopes with code and pointer", "[envelope]") {
  struct Case {
    const char* name;
    std::string body;
    const char* lenient;
    const char* strict;
  };
  const std::string ok_data =
      R"("data":{"object":"resource","model":"genericContact","id":"c1","fields":{},)"
      R"("createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"})";
  const auto body = [](const std::string& event, const std::string& data) {
    return "{\"event\":" + event + "," + data + "}";
  };
  const auto data_with = [](const std::string& model, const std::string& fields,
                            const std::string& extra) {
    return R"("data":{"object":"resource","model":")" + model + R"(","id":"c1","fields":)" +
           fields +
           R"(,"createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z")" +
           extra + "}";
  };
  const Case cases[] = {
      {"valid", body(R"("genericContact::created")", ok_data), "ok", "ok"},
      {"model mismatch", body(R"("genericCompany::created")", ok_data),
       "model_mismatch /data/model", "model_mismatch /data/model"},
      {"bad trigger", body(R"("genericContact::merged")", ok_data), "unknown_event /event",
       "unknown_event /event"},
      {"no trigger", body(R"("genericContact")", ok_data), "unknown_event /event",
       "unknown_event /event"},
      {"empty model", body(R"("::created")", ok_data), "unknown_event /event",
       "unknown_event /event"},
      {"dotted event (GitHub style)", body(R"("genericContact.created")", ok_data),
       "unknown_event /event", "unknown_event /event"},
      {"trigger in upper case", body(R"("genericContact::CREATED")", ok_data),
       "unknown_event /event", "unknown_event /event"},
      {"event not a string", body("42", ok_data), "wrong_type /event", "wrong_type /event"},
      {"fields is an array",
       body(R"("genericContact::created")", data_with("genericContact", "[]", "")),
       "wrong_type /data/fields", "wrong_type /data/fields"},
      {"fields is null",
       body(R"("genericContact::created")", data_with("genericContact", "null", "")),
       "wrong_type /data/fields", "wrong_type /data/fields"},
      {"fields malformed inside",
       body(R"("genericContact::created")", data_with("genericContact", R"({"a":[1,}])", "")),
       "invalid_json /data/fields/a/1", "invalid_json /data/fields/a/1"},
      {"fields with duplicate keys are opaque",
       body(R"("genericContact::created")", data_with("genericContact", R"({"a":1,"a":2})", "")),
       "ok", "ok"},
      {"warning without code",
       body(R"("genericContact::created")",
            data_with("genericContact", "{}", R"(,"warnings":[{}])")),
       "missing_field /data/warnings/0/code", "missing_field /data/warnings/0/code"},
      {"bad rawResource",
       body(R"("genericContact::created")",
            data_with("genericContact", "{}", R"(,"rawResource":[1 2])")),
       "invalid_json /data/rawResource", "invalid_json /data/rawResource"},
      {"unknown future model", body(R"("crmQuote::deleted")", data_with("crmQuote", "{}", "")),
       "ok", "ok"},
      {"future model mismatch", body(R"("crmQuote::deleted")", data_with("crmQuotes", "{}", "")),
       "model_mismatch /data/model", "model_mismatch /data/model"},
      {"missing id",
       body(R"("genericContact::created")",
            R"("data":{"object":"resource","model":"genericContact","fields":{},)"
            R"("createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:05:04.606Z"})"),
       "missing_field /data/id", "missing_field /data/id"},
      {"offset date-time",
       body(R"("genericContact::created")",
            R"("data":{"object":"resource","model":"genericContact","id":"1","fields":{},)"
            R"("createdAt":"2025-03-06T10:05:04+01:00","updatedAt":"2025-03-06T09:05:04Z"})"),
       "ok", "invalid_value /data/createdAt"},
      {"duplicate event",
       R"({"event":"genericContact::created","event":"genericContact::created",)" + ok_data + "}",
       "duplicate_key /event", "duplicate_key /event"},
  };
  for (const Case& c : cases) {
    for (const mw::Policy policy : {mw::Policy::lenient, mw::Policy::strict}) {
      INFO(c.name << " (" << mw::to_string(policy) << "): " << c.body);
      mw::ParseOptions options;
      options.policy = policy;
      mw::Parser parser;
      const auto e = parser.parse_envelope(c.body, options);
      const std::string expected = policy == mw::Policy::strict ? c.strict : c.lenient;
      CHECK((e ? std::string("ok") : verdict(e.error())) == expected);
    }
  }
}

TEST_CASE("parse_envelope accepts every body the typed parser accepts, with the same envelope",
          "[envelope]") {
  int checked = 0;
  for (const auto& body : mw::corpus::all_bodies()) {
    for (const mw::Policy policy : {mw::Policy::lenient, mw::Policy::strict}) {
      mw::ParseOptions options;
      options.policy = policy;
      mw::Parser typed_parser;
      mw::Parser envelope_parser;
      const auto typed = typed_parser.parse(body.text, options);
      if (!typed) continue;
      INFO(body.name << " " << mw::to_string(policy));
      const auto env = envelope_parser.parse_envelope(body.text, options);
      REQUIRE(env.has_value());
      CHECK(env->event == typed->event);
      CHECK(env->trigger == typed->trigger);
      CHECK(env->model == typed->model);
      CHECK(env->id == typed->id);
      CHECK(env->created_at == typed->created_at);
      CHECK(env->updated_at == typed->updated_at);
      CHECK(env->raw_resource == typed->raw_resource);
      CHECK(env->warnings == typed->warnings);
      CHECK(is_json_object(env->fields));
      ++checked;
    }
  }
  CHECK(checked > 30);
}
