// The nested value kinds (model.hpp): nested objects and lists of them, number lists, answer
// records and the questions' union, read through telephonyCallTranscript, schedulingEventType
// and schedulingEvent; their depth and item limits, owned copies, dispatch and JSON output.
#include <morph/webhook.hpp>

#include <string>
#include <utility>
#include <variant>

#include "catch.hpp"
#include "test_support.hpp"

using namespace morph::webhook;
using morph::webhook::test::read_data;

TEST_CASE("a transcript's segments and speakers, typed", "[nested][transcript]") {
  Parser parser;
  const auto r =
      parser.parse_as<Transcript>(read_data("telephony_call_transcript/gong_created.json"));
  REQUIRE(r.has_value());
  const Transcript& t = r.value().fields;
  CHECK(t.duration == std::int64_t{16});
  REQUIRE(t.call.has_value());
  CHECK(t.call->model == "telephonyCall");
  REQUIRE(t.segments.has_value());
  REQUIRE(t.segments->size() == 4);
  const TranscriptSegment& second = (*t.segments)[1];
  CHECK(second.start == 2.8);
  CHECK(second.end == 6.0);
  CHECK(second.text == "Hello Ann, happy to talk. We looked at your pricing page.");
  CHECK(second.speaker_id == "spk_2");
  REQUIRE(t.speakers.has_value());
  REQUIRE(t.speakers->size() == 2);
  const Speaker& ann = (*t.speakers)[0];
  CHECK(ann.origin.value == SpeakerOrigin::internal);
  CHECK(ann.email == std::string_view("ann.lee@acme.example"));
  REQUIRE(ann.user.has_value());
  CHECK(ann.user->id == "u_2231");
  CHECK_FALSE(ann.contact.has_value());
  CHECK((*t.speakers)[1].phone == std::string_view("+14155550123"));

  // `unknown` is listed by the schema: strict accepts it as SpeakerOrigin::unknown.
  ParseOptions strict;
  strict.policy = Policy::strict;
  const auto unknown = parser.parse_as<Transcript>(
      read_data("telephony_call_transcript/speaker_origin_unknown.json"), strict);
  REQUIRE(unknown.has_value());
  CHECK((*unknown.value().fields.speakers)[1].origin.value == SpeakerOrigin::unknown);
  CHECK((*unknown.value().fields.speakers)[1].origin.is_listed());
  CHECK((*unknown.value().fields.speakers)[1].origin.text == "unknown");
}

TEST_CASE("an event type's questions: the union on type, options, durations",
          "[nested][event_type]") {
  Parser parser;
  const auto r =
      parser.parse_as<EventType>(read_data("scheduling_event_type/calendly_created.json"));
  REQUIRE(r.has_value());
  const EventType& e = r.value().fields;
  REQUIRE(e.durations.has_value());
  REQUIRE(e.durations->size() == 3);
  CHECK((*e.durations)[2] == 45);
  REQUIRE(e.questions.has_value());
  REQUIRE(e.questions->size() == 4);
  const Question& text = (*e.questions)[0];
  CHECK(text.type.value == QuestionType::text);
  CHECK(text.required);
  CHECK(text.description == std::string_view("Where you work"));
  CHECK_FALSE(text.options.has_value());
  CHECK((*e.questions)[1].default_value == std::string_view("5"));
  const Question& multi = (*e.questions)[3];
  CHECK(multi.type.value == QuestionType::multiselect);
  REQUIRE(multi.options.has_value());
  REQUIRE(multi.options->size() == 3);
  CHECK((*multi.options)[2].value == "security");
  CHECK((*multi.options)[2].name == "Security");
  REQUIRE(e.slots.has_value());
  CHECK(e.slots->size() == 2);

  // zod strips `options` from a text question: ignored, whatever it holds, under both policies.
  for (const Policy policy : {Policy::lenient, Policy::strict}) {
    ParseOptions options;
    options.policy = policy;
    const auto stripped = parser.parse_as<EventType>(
        read_data("scheduling_event_type/text_question_with_bad_options_is_stripped.json"),
        options);
    REQUIRE(stripped.has_value());
    CHECK_FALSE((*stripped.value().fields.questions)[0].options.has_value());
  }
  // A null item of `slots` (declared `.optional()`) is skipped by lenient (model.hpp).
  const auto nulls =
      parser.parse_as<EventType>(read_data("scheduling_event_type/slots_null_item.json"));
  REQUIRE(nulls.has_value());
  REQUIRE(nulls.value().fields.slots->size() == 2);
  CHECK_FALSE((*nulls.value().fields.slots)[0].id.empty());
  CHECK_FALSE((*nulls.value().fields.slots)[1].id.empty());
}

TEST_CASE("a booking's answers: strings, lists of strings, numbers", "[nested][scheduling_event]") {
  Parser parser;
  const auto r =
      parser.parse_as<SchedulingEvent>(read_data("scheduling_event/calendly_created.json"));
  REQUIRE(r.has_value());
  const SchedulingEvent& s = r.value().fields;
  CHECK(s.duration == 30.0);
  REQUIRE(s.external_attendees.has_value());
  REQUIRE(s.external_attendees->size() == 2);
  CHECK((*s.external_attendees)[0].first_name == std::string_view("Bob"));
  CHECK((*s.external_attendees)[1].email == "cfo@example.com");
  CHECK_FALSE((*s.external_attendees)[1].first_name.has_value());
  REQUIRE(s.answers.has_value());
  const Answers& answers = *s.answers;
  REQUIRE(answers.size() == 4);
  CHECK(answers[0].key == "company");
  CHECK(std::get<std::string_view>(answers[0].value) == "Example Inc.");
  CHECK(answers[1].key == "seats");
  CHECK(std::get<double>(answers[1].value) == 12.0);
  CHECK(answers[3].key == "topics");
  const StringList& topics = std::get<StringList>(answers[3].value);
  REQUIRE(topics.size() == 2);
  CHECK(topics[1] == "demo");
}

TEST_CASE("nested levels count toward max_depth, with precise pointers", "[nested][limits]") {
  Parser parser;
  const std::string body = read_data("scheduling_event_type/calendly_created.json");
  ParseOptions options;
  // Containers count (not scalars): questions at depth 4, a question 5, its options 6, an
  // option 7.
  options.max_depth = 7;
  CHECK(parser.parse_as<EventType>(body, options).has_value());
  for (const auto& [depth, pointer] :
       {std::pair<std::uint32_t, const char*>{6, "/data/fields/questions/2/options/0"},
        {5, "/data/fields/questions/2/options"},
        {4, "/data/fields/questions/0"}}) {
    options.max_depth = depth;
    INFO(depth);
    const auto r = parser.parse_as<EventType>(body, options);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::invalid_json);
    CHECK(r.error().pointer == pointer);
  }
}

TEST_CASE("max_items bounds the nested storage", "[nested][limits]") {
  Parser parser;
  const std::string body = read_data("telephony_call_transcript/fifty_segments.json");
  ParseOptions options;
  options.max_items = 52;  // 50 segments + 2 speakers
  CHECK(parser.parse_as<Transcript>(body, options).has_value());
  options.max_items = 51;  // the second speaker is one too many
  const auto r = parser.parse_as<Transcript>(body, options);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::invalid_value);
  CHECK(r.error().pointer == "/data/fields/speakers/1");
}

TEST_CASE("to_owned() deep-copies nested lists; copies and moves stay valid", "[nested][owned]") {
  Parser parser;
  auto event_type =
      parser.parse_as<EventType>(read_data("scheduling_event_type/calendly_created.json"));
  REQUIRE(event_type.has_value());
  Owned<EventTypeEvent> owned = to_owned(event_type.value());
  auto booking =
      parser.parse_as<SchedulingEvent>(read_data("scheduling_event/calendly_created.json"));
  REQUIRE(booking.has_value());
  Owned<SchedulingEventEvent> owned_booking = to_owned(booking.value());
  // The parser's storage is reused by the next parses: the owned copies must not point into it.
  REQUIRE(parser.parse_as<Transcript>(read_data("telephony_call_transcript/fifty_segments.json")));
  REQUIRE(parser.parse_as<EventType>(read_data("scheduling_event_type/options_empty.json")));
  const Owned<EventTypeEvent> copy = owned;
  const Owned<EventTypeEvent> moved = std::move(owned);
  CHECK(owned.view().fields.questions == std::nullopt);  // moved-from: empty
  for (const auto* o : {&copy, &moved}) {
    const Question& multi = (*o->view().fields.questions)[3];
    REQUIRE(multi.options.has_value());
    CHECK((*multi.options)[2].name == "Security");
    CHECK((*o->view().fields.durations)[1] == 30);
  }
  CHECK(copy == moved);
  CHECK(std::get<StringList>((*owned_booking->fields.answers)[3].value)[0] == "pricing");
  Parser other;
  CHECK(
      copy ==
      other.parse_as<EventType>(read_data("scheduling_event_type/calendly_created.json")).value());
  CHECK(
      owned_booking ==
      other.parse_as<SchedulingEvent>(read_data("scheduling_event/calendly_created.json")).value());
}

TEST_CASE("parse_any and the Dispatcher type the nested models", "[nested][dispatch]") {
  Parser parser;
  const auto any = parse_any(parser, read_data("telephony_call_transcript/gong_created.json"));
  REQUIRE(any.has_value());
  REQUIRE(std::holds_alternative<TranscriptEvent>(any.value()));
  CHECK(std::get<TranscriptEvent>(any.value()).fields.segments->size() == 4);

  Dispatcher hooks;
  std::string seen;
  hooks.on<Transcript>([&](const TranscriptEvent& e) {
    seen += "transcript " + std::to_string(e.fields.segments->size()) + ";";
  });
  hooks.on<EventType>([&](const EventTypeEvent& e) {
    seen += "event type " + std::to_string(e.fields.questions->size()) + ";";
  });
  hooks.on<SchedulingEvent>(Trigger::created, [&](const SchedulingEventEvent& e) {
    seen +=
        "booking " + std::string(std::get<std::string_view>((*e.fields.answers)[2].value)) + ";";
  });
  for (const char* file : {"telephony_call_transcript/fifty_segments.json",
                           "scheduling_event_type/calendly_updated_pretty.json",
                           "scheduling_event/calendly_created.json"}) {
    INFO(file);
    CHECK(hooks.dispatch(read_data(file)).has_value());
  }
  CHECK(seen == "transcript 50;event type 4;booking team;");
  const auto rejected = hooks.dispatch(read_data("scheduling_event/answer_list_with_number.json"));
  REQUIRE_FALSE(rejected.has_value());
  CHECK(rejected.error().pointer == "/data/fields/answers/topics/1");
}

TEST_CASE("to_json writes nested values canonically", "[nested][json]") {
  Parser parser;
  const auto r = parser.parse_as<SchedulingEvent>(
      read_data("scheduling_event/answers_negative_fraction_and_exponent.json"));
  REQUIRE(r.has_value());
  const std::string json = to_json(r.value());
  CHECK(json.find(R"("answers":{"company":"Example Inc.","seats":12,"plan":"team",)"
                  R"("topics":["pricing","demo"],"score":-1.25,"big":1e+21})") !=
        std::string::npos);
  CHECK(json.find(R"("externalAttendees":[{"firstName":"Bob","lastName":"Stone",)") !=
        std::string::npos);
}
