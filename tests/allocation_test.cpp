// After warm-up, a successful parse allocates nothing, whatever the number of refs.
// This binary replaces the global operator new to count allocations.
#include <morph/webhook.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "catch.hpp"
#include "test_support.hpp"

namespace {
std::atomic<std::size_t> allocation_count{0};
}  // namespace

void* operator new(std::size_t size) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return ::operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace morph::webhook;
using morph::webhook::test::read_data;

TEST_CASE("parsing allocates nothing after warm-up", "[parser][allocation]") {
  const char* files[] = {
      "contract_example.json",   "raw_resource_object.json",     "dropped_type_and_started_at.json",
      "expanded_owner_ref.json", "unknown_keys_everywhere.json", "data_before_event.json"};
  // A body with many refs and warnings in every list.
  std::string refs;
  for (int i = 0; i < 300; ++i) {
    refs += std::string(i ? "," : "") +
            R"({"object":"resourceRef","model":"genericContact","id":"c)" + std::to_string(i) +
            "\"}";
  }
  std::string many = read_data("bodies/contract_example.json");
  const std::string from = R"("companies":[])";
  many.replace(many.find(from), from.size(),
               "\"companies\":[" + refs + "],\"users\":[" + refs + "]");

  std::vector<std::string> bodies;
  for (const char* f : files) bodies.push_back(read_data(std::string("bodies/") + f));
  bodies.push_back(many);

  Parser parser;
  ParseOptions strict;
  strict.policy = Policy::strict;
  std::vector<bool> strict_ok;
  for (const auto& body : bodies) {  // warm-up: buffers grow
    REQUIRE(parser.parse(body));
    strict_ok.push_back(static_cast<bool>(parser.parse(body, strict)));
  }

  for (const Policy policy : {Policy::lenient, Policy::strict}) {
    ParseOptions options;
    options.policy = policy;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      if (policy == Policy::strict && !strict_ok[i]) continue;
      const std::string& body = bodies[i];
      const std::size_t before = allocation_count.load();
      const auto r = parser.parse(body, options);
      const std::size_t after = allocation_count.load();
      REQUIRE(r);
      INFO(body.substr(0, 80));
      CHECK(after - before == 0);
    }
  }
  // The envelope path too.
  const std::size_t before = allocation_count.load();
  const auto r = parser.parse_envelope(bodies[0]);
  CHECK(allocation_count.load() - before == 0);
  CHECK(r);
}

TEST_CASE("genericContact, telephonyCall and parse_any allocate nothing after warm-up",
          "[parser][allocation][contact][call]") {
  const std::string contact = read_data("generic_contact/extra_keys_and_raw_resource.json");
  const std::string call = read_data("telephony_call/aircall_updated_ended.json");
  const std::string gong = read_data("telephony_call/gong_with_transcript.json");
  const std::string data_first = read_data("models/telephony_call_created.json");
  Parser parser;
  for (const Policy policy : {Policy::lenient, Policy::strict}) {
    ParseOptions options;
    options.policy = policy;
    // Warm-up: buffers grow to these bodies.
    REQUIRE(parser.parse_as<Contact>(contact, options));
    REQUIRE(parser.parse_as<Call>(call, options));
    REQUIRE(parser.parse_as<Call>(gong, options));
    REQUIRE(parse_any(parser, data_first));
    const std::size_t before = allocation_count.load();
    const bool ok = parser.parse_as<Contact>(contact, options).has_value() &&
                    parser.parse_as<Call>(call, options).has_value() &&
                    parser.parse_as<Call>(gong, options).has_value() &&
                    parse_any(parser, contact, options).has_value() &&
                    parse_any(parser, data_first).has_value();  // envelope, then typed
    const std::size_t after = allocation_count.load();
    CHECK(ok);
    INFO(to_string(policy));
    CHECK(after - before == 0);
  }
}

TEST_CASE("nested models (segments, questions, options, answers) allocate nothing after warm-up",
          "[parser][allocation][nested]") {
  const std::string transcript = read_data("telephony_call_transcript/fifty_segments.json");
  const std::string event_type = read_data("scheduling_event_type/calendly_created.json");
  const std::string booking = read_data("scheduling_event/calendly_created.json");
  Parser parser;
  for (const Policy policy : {Policy::lenient, Policy::strict}) {
    ParseOptions options;
    options.policy = policy;
    REQUIRE(parser.parse_as<Transcript>(transcript, options));
    REQUIRE(parser.parse_as<EventType>(event_type, options));
    REQUIRE(parser.parse_as<SchedulingEvent>(booking, options));
    const std::size_t before = allocation_count.load();
    const bool ok = parser.parse_as<Transcript>(transcript, options).has_value() &&
                    parser.parse_as<EventType>(event_type, options).has_value() &&
                    parser.parse_as<SchedulingEvent>(booking, options).has_value() &&
                    parse_any(parser, transcript, options).has_value() &&
                    parse_any(parser, booking, options).has_value();
    const std::size_t after = allocation_count.load();
    CHECK(ok);
    INFO(to_string(policy));
    CHECK(after - before == 0);
  }
}
