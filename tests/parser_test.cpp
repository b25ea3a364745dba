// Behaviour of Parser and parse_event beyond the fixture table: decoded values, lifetimes,
// out-of-order keys, large and many-ref bodies, options.
#include <morph/webhook.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>

#include "catch.hpp"
#include "test_support.hpp"

using namespace morph::webhook;
using morph::webhook::test::contract_example;
using morph::webhook::test::read_data;

namespace {

std::int64_t epoch_ms(const Timestamp& t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time.time_since_epoch()).count();
}

/// The contract example with `contacts` holding `n` refs.
std::string body_with_contacts(std::size_t n) {
  std::string contacts;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) contacts += ',';
    contacts +=
        R"({"object":"resourceRef","model":"genericContact","id":"c)" + std::to_string(i) + "\"}";
  }
  std::string body = contract_example();
  const std::string from =
      R"("contacts":[{"object":"resourceRef","model":"genericContact","id":"247"}])";
  body.replace(body.find(from), from.size(), "\"contacts\":[" + contacts + "]");
  return body;
}

}  // namespace

TEST_CASE("the contract example decodes to the expected values", "[parser]") {
  Parser parser;
  const auto result = parser.parse(contract_example());
  REQUIRE(result);
  const WebhookEvent& e = *result;
  CHECK(e.event == "crmEngagement::created");
  CHECK(e.trigger == Trigger::created);
  CHECK(e.model == "crmEngagement");
  CHECK(e.id == "29090716");
  CHECK(e.created_at.text == "2015-10-07T13:10:00.781Z");
  CHECK(epoch_ms(e.created_at) == 1444223400781);
  CHECK(e.updated_at == e.created_at);
  CHECK_FALSE(e.raw_resource.has_value());
  CHECK(e.warnings.empty());

  const Engagement& f = e.fields;
  REQUIRE(f.type);
  CHECK(f.type->value == EngagementType::call);
  CHECK(f.type->text == "call");
  CHECK_FALSE(f.type->is_unknown());
  REQUIRE(f.status);
  CHECK(f.status->value == EngagementStatus::completed);
  REQUIRE(f.direction);
  CHECK(f.direction->value == Direction::outbound);
  CHECK(f.title == std::optional<std::string_view>("Call w/ Jane"));
  CHECK(f.description == std::optional<std::string_view>("Left voicemail & follow-up"));
  REQUIRE(f.started_at);
  CHECK(epoch_ms(*f.started_at) == 1444223400781);
  CHECK_FALSE(f.ended_at);
  CHECK(f.duration == std::optional<std::int64_t>(38));
  REQUIRE(f.owner);
  CHECK(f.owner->id == "123");
  CHECK(f.owner->model == "genericUser");
  CHECK(f.owner->object == "resourceRef");
  CHECK_FALSE(f.owner->is_expanded());
  CHECK(f.owner->raw_json == R"({"object":"resourceRef","model":"genericUser","id":"123"})");
  REQUIRE(f.contacts);
  REQUIRE(f.contacts->size() == 1);
  CHECK((*f.contacts)[0].id == "247");
  REQUIRE(f.companies);
  CHECK(f.companies->empty());  // present but empty: not the same as absent
  CHECK_FALSE(f.users);
  REQUIRE(f.opportunities);
  CHECK((*f.opportunities)[0].model == "crmOpportunity");
}

TEST_CASE("dropped fields, warnings, unknown enum values and raw JSON are kept", "[parser]") {
  Parser parser;
  SECTION("dropped fields come with warnings") {
    const auto r = parser.parse(read_data("bodies/dropped_type_and_started_at.json"));
    REQUIRE(r);
    CHECK_FALSE(r->fields.type);
    CHECK_FALSE(r->fields.started_at);
    REQUIRE(r->warnings.size() == 2);
    CHECK(r->warnings[0].code == "CONNECTOR::MAPPER::READ_VALIDATION_FAILED");
    CHECK(r->warnings[0].message ==
          std::optional<std::string_view>("fields.type: Invalid enum value"));
    CHECK(r->warnings[1].code == "CONNECTOR::MAPPER::READ_FAILED");
    CHECK_FALSE(r->warnings[1].message);
  }
  SECTION("an unknown enum value keeps its text") {
    const auto r = parser.parse(read_data("bodies/unknown_type_sms.json"));
    REQUIRE(r);
    REQUIRE(r->fields.type);
    CHECK(r->fields.type->value == EngagementType::unknown);
    CHECK(r->fields.type->text == "sms");
    CHECK(to_string(r->fields.type->value) == "unknown");
  }
  SECTION("rawResource null is present, and differs from absent") {
    const auto r = parser.parse(read_data("bodies/raw_resource_null.json"));
    REQUIRE(r);
    CHECK(r->raw_resource == std::optional<std::string_view>("null"));
  }
  SECTION("rawResource is the exact text") {
    const auto r = parser.parse(read_data("bodies/raw_resource_array.json"));
    REQUIRE(r);
    CHECK(r->raw_resource == std::optional<std::string_view>(R"([1,"two",{"three":[3]}])"));
  }
  SECTION("rawResource scalars are their exact text") {
    const std::string body = read_data("bodies/contract_example.json");
    const std::string from = R"("updatedAt":"2015-10-07T13:10:00.781Z"})";
    for (const char* raw : {"-12500.0", "0", "1e3", "true", "false", "null", "\"a,b}\"", "[]", "{}",
                            "[1, {\"x\": [2]} ]"}) {
      for (const char* space : {"", " ", "\n\t "}) {
        std::string edited = body;
        edited.replace(edited.find(from), from.size(),
                       std::string(R"("updatedAt":"2015-10-07T13:10:00.781Z","rawResource":)") +
                           space + raw + space + "}");
        INFO(edited.substr(edited.size() - 60));
        const auto r = parser.parse(edited);
        REQUIRE(r);
        CHECK(r->raw_resource == std::optional<std::string_view>(raw));
      }
    }
  }
  SECTION("an expanded ref keeps the whole resource") {
    const auto r = parser.parse(read_data("bodies/expanded_owner_ref.json"));
    REQUIRE(r);
    REQUIRE(r->fields.owner);
    CHECK(r->fields.owner->is_expanded());
    CHECK(r->fields.owner->id == "123");
    CHECK(r->fields.owner->raw_json.find(R"("email":"jane@example.com")") !=
          std::string_view::npos);
    CHECK(r->fields.owner->raw_json.front() == '{');
    CHECK(r->fields.owner->raw_json.back() == '}');
  }
  SECTION("escapes in keys and values are decoded") {
    const auto r = parser.parse(read_data("bodies/escaped_keys_and_values.json"));
    REQUIRE(r);
    REQUIRE(r->fields.type);
    CHECK(r->fields.type->value == EngagementType::call);
    CHECK(r->fields.title ==
          std::optional<std::string_view>("Call w/ Jane \"\xC3\xA9\xF0\x9F\x98\x80\""));
  }
  SECTION("a numeric offset is converted to UTC (lenient)") {
    const auto r = parser.parse(read_data("bodies/offset_date_time.json"));
    REQUIRE(r);
    CHECK(epoch_ms(*r->fields.started_at) == 1444223400781);
    CHECK(r->fields.started_at->text == "2015-10-07T15:10:00.781+02:00");
  }
  SECTION("null optional fields are absent under the lenient policy") {
    const auto r = parser.parse(read_data("bodies/null_optional_fields.json"));
    REQUIRE(r);
    CHECK_FALSE(r->fields.title);
    CHECK_FALSE(r->fields.owner);
    CHECK_FALSE(r->fields.users);
  }
  SECTION("3.0 is an integer duration") {
    const auto r = parser.parse(read_data("bodies/duration_float_integral.json"));
    REQUIRE(r);
    CHECK(r->fields.duration == std::optional<std::int64_t>(3));
  }
}

TEST_CASE("key order does not matter", "[parser]") {
  Parser a;
  Parser b;
  const auto in_order = a.parse(contract_example());
  const auto data_first = b.parse(read_data("bodies/data_before_event.json"));
  REQUIRE(in_order);
  REQUIRE(data_first);
  CHECK(data_first->event == in_order->event);
  CHECK(data_first->id == in_order->id);
  CHECK(data_first->fields.type == in_order->fields.type);
  CHECK(data_first->fields.owner->id == in_order->fields.owner->id);
  CHECK(data_first->fields.contacts->size() == 2);
}

TEST_CASE("views of the padded overload point into the caller's buffer", "[parser][lifetime]") {
  const simdjson::padded_string padded(contract_example());
  const simdjson::padded_string_view view(padded.data(), padded.size(),
                                          padded.size() + simdjson::SIMDJSON_PADDING);
  Parser parser;
  const auto r = parser.parse(view);
  REQUIRE(r);
  const auto inside = [&](std::string_view s) {
    return s.data() >= padded.data() && s.data() + s.size() <= padded.data() + padded.size();
  };
  // Raw JSON spans are cut from the input itself.
  CHECK(inside(r->fields.owner->raw_json));
  CHECK(inside((*r->fields.contacts)[0].raw_json));
}

TEST_CASE("parse_as and parse_any in place agree with the copying overloads",
          "[parser][lifetime]") {
  // The body of each typed model, once in a padded buffer: the in-place overloads must reach
  // the same event as the copying ones, with views into the caller's buffer.
  const std::string bodies[] = {contract_example(),
                                read_data("generic_contact/hubspot_created.json"),
                                read_data("telephony_call/aircall_updated_ended.json")};
  for (const std::string& body : bodies) {
    const simdjson::padded_string padded(body);
    const simdjson::padded_string_view view(padded.data(), padded.size(),
                                            padded.size() + simdjson::SIMDJSON_PADDING);
    const auto inside = [&](std::string_view s) {
      return s.data() >= padded.data() && s.data() + s.size() <= padded.data() + padded.size();
    };
    Parser in_place;
    Parser copying;
    const auto a = parse_any(in_place, view);
    const auto b = parse_any(copying, std::string_view(body));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->index() == b->index());
    std::visit(
        [&](const auto& event) {
          using E = std::decay_t<decltype(event)>;
          CHECK(inside(event.id));
          CHECK(event == std::get<E>(*b));
          if constexpr (!std::is_same_v<E, ResourceEvent>) {
            using Model = std::decay_t<decltype(event.fields)>;
            const auto typed = in_place.parse_as<Model>(view);
            REQUIRE(typed);
            CHECK(inside(typed->id));
            CHECK(*typed == *copying.parse_as<Model>(std::string_view(body)));
          }
        },
        *a);
  }
  // Same errors: a body of another model, in place and copied.
  const simdjson::padded_string contact(read_data("generic_contact/hubspot_created.json"));
  Parser parser;
  const auto wrong = parser.parse_as<Call>(simdjson::padded_string_view(contact));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == ErrorCode::unsupported_model);
  const auto copied = parser.parse_as<Call>(std::string_view(contact));
  REQUIRE_FALSE(copied);
  CHECK(wrong.error().pointer == copied.error().pointer);
  CHECK(wrong.error().message == copied.error().message);
}

TEST_CASE("a reused parser gives each event its own values", "[parser][lifetime]") {
  Parser parser;
  const std::string first = contract_example();
  const std::string second = read_data("bodies/dropped_type_and_started_at.json");
  for (int round = 0; round < 3; ++round) {
    const auto a = parser.parse(first);
    REQUIRE(a);
    CHECK(a->fields.contacts->size() == 1);
    CHECK(a->warnings.empty());
    const auto b = parser.parse(second);
    REQUIRE(b);
    CHECK(b->fields.contacts->size() == 2);
    CHECK(b->warnings.size() == 2);
    CHECK(b->id == "29090716");
  }
  // An error in between leaves the parser usable.
  CHECK_FALSE(parser.parse("{"));
  CHECK(parser.parse(first));
}

TEST_CASE("parse_event keeps one parser per thread", "[parser][lifetime]") {
  const std::string body = contract_example();
  std::string other_id;
  std::thread worker([&] {
    const auto r = parse_event(read_data("bodies/raw_resource_object.json"));
    if (r) other_id = std::string(r->id) + "/" + std::string(*r->raw_resource).substr(0, 6);
  });
  const auto mine = parse_event(body);
  worker.join();
  REQUIRE(mine);
  CHECK(mine->id == "29090716");  // untouched by the other thread's parse
  CHECK(other_id == "29090716/{\"id\":");
}

TEST_CASE("thousands of refs", "[parser][large]") {
  Parser parser;
  const auto r = parser.parse(body_with_contacts(5000));
  REQUIRE(r);
  REQUIRE(r->fields.contacts->size() == 5000);
  for (std::size_t i = 0; i < 5000; i += 499) {
    CHECK((*r->fields.contacts)[i].id == "c" + std::to_string(i));
  }
  // Lists after the big one still point to the right refs.
  CHECK((*r->fields.opportunities)[0].id == "9001");
  CHECK(r->fields.owner->id == "123");
}

TEST_CASE("a description of several megabytes", "[parser][large]") {
  std::string description;
  std::string escaped;
  for (int i = 0; description.size() < (std::size_t{6} << 20); ++i) {
    description += "Line " + std::to_string(i) + ": caf\xC3\xA9 \"quoted\"\n";
    escaped += "Line " + std::to_string(i) + ": caf\\u00e9 \\\"quoted\\\"\\n";
  }
  std::string body = contract_example();
  const std::string from = R"("Left voicemail & follow-up")";
  body.replace(body.find(from), from.size(), "\"" + escaped + "\"");
  REQUIRE(body.size() < ParseOptions{}.max_body_bytes);
  Parser parser;
  const auto r = parser.parse(body);
  REQUIRE(r);
  CHECK(r->fields.description == std::optional<std::string_view>(description));
}

TEST_CASE("body size limit", "[parser][limits]") {
  const std::string body = contract_example();
  ParseOptions options;
  options.max_body_bytes = body.size();
  CHECK(parse_event(body, options));
  options.max_body_bytes = body.size() - 1;
  const auto r = parse_event(body, options);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::body_too_large);
  CHECK(r.error().pointer.empty());
  CHECK(r.error().message.find(std::to_string(body.size())) != std::string::npos);
}

TEST_CASE("the strict policy is the zod schema", "[parser][policy]") {
  ParseOptions strict;
  strict.policy = Policy::strict;
  Parser parser(strict);
  CHECK(parser.options().policy == Policy::strict);
  CHECK(parser.parse(contract_example()));
  const auto r = parser.parse(read_data("bodies/deleted_empty_fields.json"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::missing_field);
  CHECK(r.error().pointer == "/data/fields/type");
  // Per-call options override the parser's.
  CHECK(parser.parse(read_data("bodies/deleted_empty_fields.json"), ParseOptions{}));
}

TEST_CASE("error messages name the problem and the expected form", "[parser][errors]") {
  struct Row {
    const char* file;
    const char* fragment;
  };
  const Row rows[] = {
      {"invalid_value_date_feb_30.json", "does not exist in that month"},
      {"invalid_value_duration_fraction.json", "whole number of seconds"},
      {"wrong_type_duration_string.json", "got a string"},
      {"unknown_event_unknown_trigger.json", "created, updated or deleted"},
      {"model_mismatch.json", "genericContact"},
      {"unsupported_model_contact.json", "parse_envelope"},
      {"trailing_garbage.json", "not valid JSON"},
      {"duplicate_id.json", "more than once"},
  };
  for (const Row& row : rows) {
    INFO(row.file);
    const auto r = parse_event(read_data(std::string("bodies/") + row.file));
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find(row.fragment) != std::string::npos);
    CHECK(to_string(r.error()).find(std::string(to_string(r.error().code))) == 0);
  }
}
