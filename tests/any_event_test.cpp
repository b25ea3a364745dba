// parse_any(): the typed event of a typed model, a ResourceEvent for the others, the same
// errors as the typed parsers.
#include <morph/webhook.hpp>
#include <morph/webhook/any_event.hpp>

#include <string>
#include <variant>

#include "catch.hpp"
#include "test_support.hpp"

using namespace morph::webhook;
using morph::webhook::test::read_data;

TEST_CASE("parse_any types every typed model and keeps the others as ResourceEvent", "[any]") {
  Parser parser;
  const auto engagement = parse_any(parser, read_data("bodies/contract_example.json"));
  REQUIRE(engagement.has_value());
  REQUIRE(std::holds_alternative<WebhookEvent>(engagement.value()));
  CHECK(std::get<WebhookEvent>(engagement.value()).fields.duration == std::int64_t{38});

  const auto contact = parse_any(parser, read_data("generic_contact/hubspot_created.json"));
  REQUIRE(contact.has_value());
  REQUIRE(std::holds_alternative<ContactEvent>(contact.value()));
  CHECK(std::get<ContactEvent>(contact.value()).fields.email ==
        std::string_view("jane.doe@example.com"));

  const auto call = parse_any(parser, read_data("telephony_call/gong_with_transcript.json"));
  REQUIRE(call.has_value());
  REQUIRE(std::holds_alternative<CallEvent>(call.value()));
  CHECK(std::get<CallEvent>(call.value()).fields.status->value == CallStatus::completed);

  // Keys the schema does not have (domain, contacts...) are ignored, as zod strips them.
  const auto company = parse_any(parser, read_data("models/generic_company_created.json"));
  REQUIRE(company.has_value());
  REQUIRE(std::holds_alternative<CompanyEvent>(company.value()));
  CHECK(std::get<CompanyEvent>(company.value()).fields.name == std::string_view("Acme Corp"));

  const auto future = parse_any(parser, read_data("models/crm_quote_created.json"));
  REQUIRE(future.has_value());
  CHECK(std::get<ResourceEvent>(future.value()).model == "crmQuote");
}

TEST_CASE("parse_any finds the model when `event` is not the first key", "[any]") {
  Parser parser;
  // `data` first: the model comes from the envelope, then the typed parse.
  const auto call = parse_any(parser, read_data("models/telephony_call_created.json"));
  REQUIRE(call.has_value());
  REQUIRE(std::holds_alternative<CallEvent>(call.value()));
  CHECK(std::get<CallEvent>(call.value()).id == "call-123");
  // An escaped model name defeats the hint, not the parse.
  std::string escaped = read_data("generic_contact/hubspot_created.json");
  escaped.replace(escaped.find("genericContact::"), 1, "\\u0067");
  const auto contact = parse_any(parser, escaped);
  REQUIRE(contact.has_value());
  CHECK(std::holds_alternative<ContactEvent>(contact.value()));
}

TEST_CASE("parse_any gives the typed parser's error and policy", "[any]") {
  Parser parser;
  ParseOptions strict;
  strict.policy = Policy::strict;
  const std::string long_phone = read_data("generic_contact/phone_21_units.json");
  const auto lenient_error = parse_any(parser, long_phone);
  REQUIRE_FALSE(lenient_error.has_value());
  CHECK(lenient_error.error().code == ErrorCode::invalid_value);
  CHECK(lenient_error.error().pointer == "/data/fields/phone");

  const std::string dropped = read_data("telephony_call/dropped_status.json");
  CHECK(parse_any(parser, dropped).has_value());
  const auto strict_error = parse_any(parser, dropped, strict);
  REQUIRE_FALSE(strict_error.has_value());
  CHECK(strict_error.error().code == ErrorCode::missing_field);
  CHECK(strict_error.error().pointer == "/data/fields/status");

  const auto broken = parse_any(parser, "{\"event\":\"telephonyCall::created\",");
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error().code == ErrorCode::invalid_json);
}

TEST_CASE("parse_any and parse_as in place: the same events, views into the body", "[any]") {
  Parser copying;
  Parser in_place;
  for (const char* name :
       {"bodies/contract_example.json", "generic_contact/hubspot_created.json",
        "telephony_call/gong_with_transcript.json", "models/telephony_call_created.json",
        "models/crm_quote_created.json", "telephony_call/duration_negative.json"}) {
    INFO(name);
    const simdjson::padded_string body(read_data(name));
    const std::string_view text(body.data(), body.size());
    const auto copied = parse_any(copying, text, ParseOptions{});
    const auto direct = parse_any(in_place, simdjson::padded_string_view(body), ParseOptions{});
    REQUIRE(copied.has_value() == direct.has_value());
    if (!copied) {
      CHECK(copied.error().code == direct.error().code);
      CHECK(copied.error().pointer == direct.error().pointer);
      continue;
    }
    CHECK(copied.value() == direct.value());
    // In place, the views point into the body; the copying parse points into its own copy.
    const auto id_of = [](const AnyEvent& e) {
      return std::visit([](const auto& event) { return event.id; }, e);
    };
    const auto inside = [&](std::string_view view) {
      return view.data() >= body.data() && view.data() < body.data() + body.size();
    };
    CHECK(inside(id_of(direct.value())));
    CHECK_FALSE(inside(id_of(copied.value())));
  }
  const simdjson::padded_string contact(read_data("generic_contact/hubspot_created.json"));
  const auto typed =
      in_place.parse_as<Contact>(simdjson::padded_string_view(contact), ParseOptions{});
  REQUIRE(typed.has_value());
  REQUIRE(typed.value().fields.email.has_value());
  CHECK(typed.value().fields.email->data() > contact.data());
  CHECK(typed.value().fields.email->data() < contact.data() + contact.size());
  const auto other = in_place.parse_as<Call>(simdjson::padded_string_view(contact), ParseOptions{});
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().code == ErrorCode::unsupported_model);
}
