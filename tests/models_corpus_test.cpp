// The fixture tables of the typed models: tests/data/<model>.tsv lists every body in
// tests/data/<model>/ with its verdict, code and pointer under both policies (real-shaped mapper
// output, dropped fields, every constraint of the zod schema violated once, at every nesting
// level for the models with nested objects).
#include <morph/webhook.hpp>

#include <string>

#include "catch.hpp"
#include "test_support.hpp"

using namespace morph::webhook;
using morph::webhook::test::body_cases;
using morph::webhook::test::read_data;

namespace {

template <class Event>
std::string verdict_of(const Result<Event>& result) {
  if (result) return "ok";
  const Error& e = result.error();
  return std::string(to_string(e.code)) + " " + (e.pointer.empty() ? "\"\"" : e.pointer);
}

/// Every row of `table` gets its verdict under both policies, with a message; an accepted
/// event survives to_json() and a second parse (canonically); strict never accepts what
/// lenient rejects.
template <class Model>
void check_table(const std::string& table, const std::string& folder) {
  const auto cases = body_cases(table);
  REQUIRE(cases.size() >= 40);
  Parser parser;
  Parser again;
  for (const auto& c : cases) {
    const std::string body = read_data(folder + "/" + c.file);
    INFO(c.file);
    if (c.lenient != "ok") CHECK(c.strict != "ok");
    for (const Policy policy : {Policy::lenient, Policy::strict}) {
      ParseOptions options;
      options.policy = policy;
      INFO(to_string(policy));
      const auto result = parser.parse_as<Model>(body, options);
      CHECK(verdict_of(result) == (policy == Policy::lenient ? c.lenient : c.strict));
      if (!result) {
        CHECK_FALSE(result.error().message.empty());
        continue;
      }
      // The round trip of json.hpp: the re-parsed event writes the same bytes again (raw
      // parts come back compact, so the events are equal in canonical form).
      const std::string json = to_json(result.value());
      const auto back = again.parse_as<Model>(json, options);
      REQUIRE(back.has_value());
      CHECK(to_json(back.value()) == json);
    }
  }
}

}  // namespace

TEST_CASE("every genericContact fixture gets its verdict under both policies",
          "[corpus][contact]") {
  check_table<Contact>("generic_contact.tsv", "generic_contact");
}

TEST_CASE("every telephonyCall fixture gets its verdict under both policies", "[corpus][call]") {
  check_table<Call>("telephony_call.tsv", "telephony_call");
}

TEST_CASE("every telephonyCallTranscript fixture gets its verdict under both policies",
          "[corpus][transcript][nested]") {
  check_table<Transcript>("telephony_call_transcript.tsv", "telephony_call_transcript");
}

TEST_CASE("every schedulingEventType fixture gets its verdict under both policies",
          "[corpus][event_type][nested]") {
  check_table<EventType>("scheduling_event_type.tsv", "scheduling_event_type");
}

TEST_CASE("every schedulingEvent fixture gets its verdict under both policies",
          "[corpus][scheduling_event][nested]") {
  check_table<SchedulingEvent>("scheduling_event.tsv", "scheduling_event");
}

TEST_CASE("a HubSpot contact, typed", "[contact]") {
  Parser parser;
  const auto r = parser.parse_as<Contact>(read_data("generic_contact/hubspot_created.json"));
  REQUIRE(r.has_value());
  const ContactEvent& e = r.value();
  CHECK(e.model == "genericContact");
  CHECK(e.trigger == Trigger::created);
  CHECK(e.id == "8812");
  CHECK(e.fields.first_name == std::string_view("Jane"));
  CHECK(e.fields.last_name == std::string_view("Doe"));
  CHECK(e.fields.email == std::string_view("jane.doe@example.com"));
  CHECK(e.fields.phone == std::string_view("+1 888 482 7768"));

  // A field Morph could not validate is left out, with a warning: absent, not an error.
  const auto dropped =
      parser.parse_as<Contact>(read_data("generic_contact/dropped_email_with_warning.json"));
  REQUIRE(dropped.has_value());
  CHECK_FALSE(dropped.value().fields.email.has_value());
  REQUIRE(dropped.value().warnings.size() == 1);
  CHECK(dropped.value().warnings[0].code == "CONNECTOR::MAPPER::READ_VALIDATION_FAILED");
}

TEST_CASE("an Aircall call, typed; unknown enum text kept under the lenient policy", "[call]") {
  Parser parser;
  const auto r = parser.parse_as<Call>(read_data("telephony_call/aircall_updated_ended.json"));
  REQUIRE(r.has_value());
  const Call& f = r.value().fields;
  REQUIRE(f.direction.has_value());
  CHECK(f.direction->value == Direction::inbound);
  REQUIRE(f.status.has_value());
  CHECK(f.status->value == CallStatus::completed);
  CHECK(to_string(f.status->value) == "completed");
  REQUIRE(f.answered_at.has_value());
  CHECK(f.answered_at->text == "2025-03-06T09:00:07.000Z");
  REQUIRE(f.ended_at.has_value());
  CHECK(f.ended_at->time - f.answered_at->time == std::chrono::seconds(245));
  CHECK(f.duration == std::int64_t{252});
  CHECK(f.recording_url == std::string_view("https://recordings.aircall.example/1530946017.mp3"));
  REQUIRE(f.users.has_value());
  REQUIRE(f.users->size() == 1);
  CHECK((*f.users)[0].id == "1043917");
  CHECK((*f.users)[0].model == "genericUser");
  CHECK(f.external_number == std::string_view("+33612345678"));
  CHECK_FALSE(f.transcript.has_value());

  const auto ringing =
      parser.parse_as<Call>(read_data("telephony_call/unknown_status_ringing.json"));
  REQUIRE(ringing.has_value());
  REQUIRE(ringing.value().fields.status.has_value());
  CHECK(ringing.value().fields.status->is_unknown());
  CHECK(ringing.value().fields.status->text == "ringing");

  const auto gong = parser.parse_as<Call>(read_data("telephony_call/gong_with_transcript.json"));
  REQUIRE(gong.has_value());
  REQUIRE(gong.value().fields.transcript.has_value());
  CHECK(gong.value().fields.transcript->model == "telephonyCallTranscript");
}

TEST_CASE("to_owned() keeps a contact and a call after the parser moves on", "[contact][call]") {
  Parser parser;
  auto contact = parser.parse_as<Contact>(read_data("generic_contact/unicode_names.json"));
  REQUIRE(contact.has_value());
  const auto owned_contact = to_owned(contact.value());
  auto call = parser.parse_as<Call>(read_data("telephony_call/gong_with_transcript.json"));
  REQUIRE(call.has_value());
  const auto owned_call = to_owned(call.value());
  // Both parser buffers were reused since: the owned copies must not point into them.
  REQUIRE(parser.parse(read_data("bodies/contract_example.json")).has_value());
  CHECK(owned_contact.view().fields.first_name == std::string_view("Zoë"));
  CHECK(owned_contact.view().fields.last_name == std::string_view("Ñúñez-Ōtsuka 😀"));
  CHECK(owned_call.view().fields.transcript->id == "7782342274025937895");
  CHECK(owned_call.view().fields.users->size() == 1);
  // Equal to a fresh parse of the same bodies.
  Parser other;
  CHECK(owned_contact ==
        other.parse_as<Contact>(read_data("generic_contact/unicode_names.json")).value());
}

TEST_CASE("the Dispatcher hands contacts and calls to typed handlers",
          "[contact][call][dispatch]") {
  Dispatcher hooks;
  std::string seen;
  hooks.on<Contact>(Trigger::updated, [&](const ContactEvent& e) {
    seen += "contact " + std::string(*e.fields.last_name) + ";";
  });
  hooks.on<Call>([&](const CallEvent& e) {
    seen += "call " + std::string(to_string(e.fields.status->value)) + ";";
  });
  hooks.on_unhandled(
      [&](const ResourceEvent& e) { seen += "other " + std::string(e.model) + ";"; });
  for (const char* file : {"generic_contact/hubspot_updated_pretty.json",  // updated: handled
                           "generic_contact/hubspot_created.json",         // created: fallback
                           "telephony_call/dialpad_missed.json",
                           "models/telephony_call_created.json",  // `data` before `event`
                           "models/generic_company_created.json"}) {
    INFO(file);
    CHECK(hooks.dispatch(read_data(file)).has_value());
  }
  CHECK(seen ==
        "contact Doe-Smith;other genericContact;call missed;call completed;other genericCompany;");
  // A constraint broken: the error, no handler.
  seen.clear();
  const auto rejected = hooks.dispatch(read_data("generic_contact/email_double_dot.json"));
  REQUIRE_FALSE(rejected.has_value());
  CHECK(rejected.error().pointer == "/data/fields/email");
  CHECK(seen.empty());
}
