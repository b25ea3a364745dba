// A downstream program using morph-webhook's core API the way a receiver does: headers and body
// in, a typed event or an error value out. Built by every consumer project in this folder, also
// with -fno-exceptions. Exit code 0 when every expectation holds.
#include <morph/webhook.hpp>
#include <morph/webhook/headers.hpp>
#include <morph/webhook/request.hpp>

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mw = morph::webhook;

namespace {

constexpr std::string_view body =
    R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement",)"
    R"("id":"29090716","fields":{"type":"call","status":"completed","direction":"outbound",)"
    R"("title":"Call w/ Jane","startedAt":"2015-10-07T13:10:00.781Z","duration":38,)"
    R"("owner":{"object":"resourceRef","model":"genericUser","id":"123"},)"
    R"("contacts":[{"object":"resourceRef","model":"genericContact","id":"247"}]},)"
    R"("createdAt":"2015-10-07T13:10:00.781Z","updatedAt":"2015-10-07T13:10:00.781Z"}})";

int failures = 0;

void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main() {
  // The body alone.
  const mw::Result<mw::WebhookEvent> event = mw::parse_event(body);
  expect(event.has_value(), "the contract example parses");
  if (event) {
    expect(event->trigger == mw::Trigger::created, "trigger");
    expect(event->id == "29090716", "id");
    expect(event->fields.type && event->fields.type->value == mw::EngagementType::call, "type");
    expect(event->fields.duration == 38, "duration");
    expect(event->fields.contacts && event->fields.contacts->size() == 1, "contacts");
  }

  // Errors are values, with or without exceptions.
  mw::Parser parser;
  const auto bad = parser.parse(R"({"event":"crmEngagement::created","data":[]})");
  expect(!bad && bad.error().code == mw::ErrorCode::wrong_type && bad.error().pointer == "/data",
         "a wrong type is reported at /data");

  // A whole request.
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Conector-Id", "hubspot"}, {"x-owner-id", " acme "}, {"x-idempotency-key", "4567890123"}};
  const auto request = mw::parse_request(headers, body);
  expect(request.has_value(), "the request parses");
  if (request) expect(request->headers.owner_id == "acme", "owner id, trimmed");
  const auto missing = mw::validate_headers({{"x-owner-id", "acme"}});
  expect(!missing && missing.error().code == mw::ErrorCode::missing_header,
         "a missing header is reported");
  if (!missing) {
    expect(mw::http_status(missing.error()) == 400, "400 for a header error");
    expect(!mw::error_json(missing.error()).empty(), "an error body");
  }

  std::printf("consumer: morph-webhook %s, %s, %s\n", MORPH_WEBHOOK_VERSION_STRING,
              failures == 0 ? "all checks passed" : "FAILED",
#if MORPH_WEBHOOK_EXCEPTIONS
              "exceptions on"
#else
              "exceptions off"
#endif
  );
  return failures == 0 ? 0 : 1;
}
