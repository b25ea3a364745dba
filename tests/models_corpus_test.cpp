// The fixture tables of the typed models (all but crmEngagement, whose tables are bodies.tsv and
// hostile/): tests/data/<model>.tsv lists every body in tests/data/<model>/ with its verdict,
// code and pointer under both policies (real-shaped mapper output, dropped fields, every
// constraint of the zod schema violated once, at every nesting level for the models with nested
// objects). Every accepted body also goes through parse_any(), to_owned() and to_json() (the
// generic paths over TypedModels).
#include <morph/webhook.hpp>

#include <cmath>
#include <string>
#include <variant>

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
/// event survives to_json() and a second parse (canonically), parse_any() types it as Model, and
/// its owned copy equals it after the parser moved on; strict never accepts what lenient
/// rejects. `min_rows`: at least this many rows (40, fewer for a model with one field).
template <class Model>
void check_table(const std::string& table, const std::string& folder, std::size_t min_rows = 40) {
  const auto cases = body_cases(table);
  REQUIRE(cases.size() >= min_rows);
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
      const auto owned = to_owned(result.value());
      const auto any = parse_any(again, body, options);
      REQUIRE(any.has_value());
      REQUIRE(std::holds_alternative<Event<Model>>(any.value()));
      CHECK(std::get<Event<Model>>(any.value()) == owned);
      CHECK(to_json(owned.view()) == json);
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

// The models with one string field have fewer constraints to break than 40 rows.
TEST_CASE("every genericCompany fixture gets its verdict", "[corpus][company]") {
  check_table<Company>("generic_company.tsv", "generic_company", 25);
}
TEST_CASE("every genericUser fixture gets its verdict", "[corpus][user]") {
  check_table<User>("generic_user.tsv", "generic_user");
}
TEST_CASE("every genericWorkspace fixture gets its verdict", "[corpus][workspace]") {
  check_table<Workspace>("generic_workspace.tsv", "generic_workspace", 25);
}
TEST_CASE("every crmOpportunity fixture gets its verdict", "[corpus][opportunity]") {
  check_table<Opportunity>("crm_opportunity.tsv", "crm_opportunity");
}
TEST_CASE("every crmStage fixture gets its verdict", "[corpus][stage]") {
  check_table<Stage>("crm_stage.tsv", "crm_stage");
}
TEST_CASE("every crmPipeline fixture gets its verdict", "[corpus][pipeline]") {
  check_table<Pipeline>("crm_pipeline.tsv", "crm_pipeline", 35);
}
TEST_CASE("every widgetCardView fixture gets its verdict", "[corpus][card_view]") {
  check_table<CardViewRequest>("widget_card_view.tsv", "widget_card_view");
}
TEST_CASE("every schedulingSlot fixture gets its verdict", "[corpus][slot]") {
  check_table<Slot>("scheduling_slot.tsv", "scheduling_slot");
}
TEST_CASE("every accountingInvoice fixture gets its verdict", "[corpus][invoice]") {
  check_table<Invoice>("accounting_invoice.tsv", "accounting_invoice");
}
TEST_CASE("every accountingInvoiceLineItem fixture gets its verdict", "[corpus][invoice]") {
  check_table<InvoiceLineItem>("accounting_invoice_line_item.tsv", "accounting_invoice_line_item");
}
TEST_CASE("every accountingInvoiceItem fixture gets its verdict", "[corpus][invoice]") {
  check_table<InvoiceItem>("accounting_invoice_item.tsv", "accounting_invoice_item");
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

TEST_CASE("numbers are read as JSON.parse reads them, and .non_negative() is zod min(0)",
          "[invoice][number]") {
  Parser parser;
  const auto paid = parser.parse_as<InvoiceLineItem>(
      read_data("accounting_invoice_line_item/line_item_half_hours_pretty.json"));
  REQUIRE(paid.has_value());
  CHECK(paid.value().fields.price_per_unit == 79.9);
  CHECK(paid.value().fields.quantity == 1.5);
  CHECK(paid.value().fields.total_amount == 119.85);
  CHECK(to_json(paid.value()).find("\"pricePerUnit\":79.9,\"quantity\":1.5") != std::string::npos);

  // -0 passes min(0) (-0 >= 0 in JavaScript) and is written back as -0.
  const auto minus_zero = parser.parse_as<InvoiceLineItem>(
      read_data("accounting_invoice_line_item/quantity_minus_zero.json"));
  REQUIRE(minus_zero.has_value());
  REQUIRE(minus_zero.value().fields.quantity.has_value());
  CHECK(*minus_zero.value().fields.quantity == 0.0);
  CHECK(std::signbit(*minus_zero.value().fields.quantity));
  CHECK(to_json(minus_zero.value()).find("\"quantity\":-0,") != std::string::npos);

  // 30 digits: the nearest double, as JavaScript reads it, whatever simdjson version.
  const auto digits = parser.parse_as<InvoiceLineItem>(
      read_data("accounting_invoice_line_item/quantity_30_digits.json"));
  REQUIRE(digits.has_value());
  CHECK(digits.value().fields.quantity == 123456789012345678901234567890.5);

  const auto negative = parser.parse_as<InvoiceLineItem>(
      read_data("accounting_invoice_line_item/quantity_negative.json"));
  REQUIRE_FALSE(negative.has_value());
  CHECK(negative.error().code == ErrorCode::invalid_value);
  CHECK(negative.error().pointer == "/data/fields/quantity");
  CHECK(negative.error().message.find("-0.01 is negative") != std::string::npos);

  const auto invoice =
      parser.parse_as<Invoice>(read_data("accounting_invoice/invoice_created.json"));
  REQUIRE(invoice.has_value());
  const Invoice& f = invoice.value().fields;
  CHECK(f.inclusive_of_tax == false);
  CHECK(f.status->value == InvoiceStatus::pending);
  CHECK(to_string(InvoiceStatus::void_) == "void");
  CHECK(f.total_amount == 1200.0);
  CHECK(f.line_items->size() == 2);
  // The dates are strings as sent (the schema's transform is no validation; see invoice.hpp).
  const auto dates =
      parser.parse_as<Invoice>(read_data("accounting_invoice/invoice_dates_not_iso.json"));
  REQUIRE(dates.has_value());
  CHECK(dates.value().fields.due_at == std::string_view("April 5, 2025"));
  CHECK(dates.value().fields.paid_at == std::string_view(""));
}

TEST_CASE(
    "an enum whose schema lists \"unknown\": listed under both policies, other text kept "
    "as unlisted by lenient",
    "[stage][enum]") {
  Parser parser;
  ParseOptions strict;
  strict.policy = Policy::strict;
  const std::string listed = read_data("crm_stage/stage_type_unknown_listed.json");
  for (const Policy policy : {Policy::lenient, Policy::strict}) {
    ParseOptions options;
    options.policy = policy;
    const auto r = parser.parse_as<Stage>(listed, options);
    REQUIRE(r.has_value());
    const EnumField<StageType>& type = *r.value().fields.type;
    CHECK(type.value == StageType::unknown);
    CHECK(type.is_listed());
    CHECK_FALSE(type.is_unlisted());
    CHECK(to_string(type.value) == "unknown");
  }
  const std::string legacy = read_data("crm_stage/stage_type_legacy_upper_case_won.json");
  const auto kept = parser.parse_as<Stage>(legacy);
  REQUIRE(kept.has_value());
  CHECK(kept.value().fields.type->value == StageType::unlisted);
  CHECK(kept.value().fields.type->is_unlisted());
  CHECK(kept.value().fields.type->text == "WON");
  CHECK(to_string(StageType::unlisted).empty());
  const auto refused = parser.parse_as<Stage>(legacy, strict);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message.find("open, won, lost, unknown") != std::string::npos);
  // Enums without a listed "unknown" keep their `unknown` for unlisted text.
  static_assert(unlisted_value<SlotStatus> == SlotStatus::unknown);
  static_assert(unlisted_value<StageType> == StageType::unlisted);
  static_assert(lists_unknown_v<StageType> && !lists_unknown_v<SlotStatus>);
}

TEST_CASE("ref lists with optional items: strict is zod, lenient skips null items",
          "[opportunity][refs]") {
  Parser parser;
  ParseOptions strict;
  strict.policy = Policy::strict;
  const std::string body = read_data("crm_opportunity/deal_undefined_contact_written_as_null.json");
  const auto lenient = parser.parse_as<Opportunity>(body);
  REQUIRE(lenient.has_value());
  REQUIRE(lenient.value().fields.contacts.has_value());
  REQUIRE(lenient.value().fields.contacts->size() == 1);
  CHECK((*lenient.value().fields.contacts)[0].id == "8812");
  CHECK(lenient.value().fields.amount == 12500.5);
  // The owned copy and the JSON keep the refs only.
  const auto owned = to_owned(lenient.value());
  CHECK(owned.view().fields.contacts->size() == 1);
  CHECK(to_json(owned.view()).find("\"contacts\":[{") != std::string::npos);
  const auto refused = parser.parse_as<Opportunity>(body, strict);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == ErrorCode::wrong_type);
  CHECK(refused.error().pointer == "/data/fields/contacts/0");
  // Only nulls: an empty list, not an absent one.
  const auto nulls =
      parser.parse_as<Opportunity>(read_data("crm_opportunity/contacts_only_null_items.json"));
  REQUIRE(nulls.has_value());
  REQUIRE(nulls.value().fields.contacts.has_value());
  CHECK(nulls.value().fields.contacts->empty());
  // A list whose items are not optional refuses a null item under both policies.
  const auto pipeline = parser.parse_as<Pipeline>(read_data("crm_pipeline/stages_null_item.json"));
  REQUIRE_FALSE(pipeline.has_value());
  CHECK(pipeline.error().pointer == "/data/fields/stages/1");
}

namespace {
/// Dispatches `file` to a Dispatcher with one typed handler for Model; true when it ran with
/// the event's model and id.
template <class Model>
bool dispatched_typed(const std::string& file) {
  Dispatcher hooks;
  std::string seen;
  hooks.on<Model>(
      [&](const Event<Model>& e) { seen = std::string(e.model) + " " + std::string(e.id); });
  hooks.on_unhandled([&](const ResourceEvent&) { seen = "unhandled"; });
  const std::string body = read_data(file);
  if (!hooks.dispatch(body).has_value()) return false;
  Parser parser;
  const auto event = parser.parse_as<Model>(body);
  return event && seen == std::string(model_name<Model>) + " " + std::string(event.value().id);
}
}  // namespace

TEST_CASE("the Dispatcher hands every flat model to its typed handler", "[dispatch][models]") {
  CHECK(dispatched_typed<Company>("generic_company/hubspot_company_created.json"));
  CHECK(dispatched_typed<User>("generic_user/user_created.json"));
  CHECK(dispatched_typed<Workspace>("generic_workspace/workspace_created.json"));
  CHECK(dispatched_typed<Opportunity>("crm_opportunity/deal_created.json"));
  CHECK(dispatched_typed<Stage>("crm_stage/stage_created.json"));
  CHECK(dispatched_typed<Pipeline>("crm_pipeline/pipeline_created.json"));
  CHECK(dispatched_typed<CardViewRequest>("widget_card_view/hubspot_contact_card.json"));
  CHECK(dispatched_typed<Slot>("scheduling_slot/slot_created.json"));
  CHECK(dispatched_typed<Invoice>("accounting_invoice/invoice_created.json"));
  CHECK(dispatched_typed<InvoiceLineItem>("accounting_invoice_line_item/line_item_created.json"));
  CHECK(dispatched_typed<InvoiceItem>("accounting_invoice_item/item_created.json"));
  // A model whose handler is missing still falls back to the unhandled handler.
  Dispatcher hooks;
  std::string seen;
  hooks.on_unhandled([&](const ResourceEvent& e) { seen = std::string(e.model); });
  REQUIRE(hooks.dispatch(read_data("crm_stage/stage_created.json")).has_value());
  CHECK(seen == "crmStage");
}

TEST_CASE("a card view request names who opened the widget and on what", "[card_view]") {
  Parser parser;
  const auto r = parser.parse_as<CardViewRequest>(
      read_data("widget_card_view/pipedrive_company_card_pretty.json"));
  REQUIRE(r.has_value());
  const CardViewRequest& f = r.value().fields;
  REQUIRE(f.triggered_by.has_value());
  CHECK(f.triggered_by->id == "77");
  CHECK_FALSE(f.generic_contact.has_value());
  REQUIRE(f.generic_company.has_value());
  CHECK(f.generic_company->model == "genericCompany");
  CHECK(f.generic_company->id == "31");
  CHECK_FALSE(f.crm_opportunity.has_value());
}
