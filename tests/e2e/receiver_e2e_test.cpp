// End-to-end: start a receiver (httplib_receiver or beast_receiver) on 127.0.0.1 with an
// ephemeral port, send real HTTP requests with cpp-httplib's client, check statuses, JSON
// bodies and log lines, then stop it with a signal and check it exits cleanly.
//
// The receiver paths come from the build (MORPH_WEBHOOK_HTTPLIB_RECEIVER, ..._BEAST_RECEIVER);
// ctest runs the "[httplib]" and "[beast]" tests as separate entries.
#include <httplib.h>
#include <sys/wait.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "catch.hpp"
#include "receiver_process.hpp"

namespace {

using namespace std::chrono_literals;

using e2e::kBody;

constexpr std::string_view kContactBody =
    R"({"event":"genericContact::updated","data":{"object":"resource","model":"genericContact",)"
    R"("id":"247","fields":{},"createdAt":"2015-10-07T13:10:00.781Z",)"
    R"("updatedAt":"2015-10-07T13:10:00.781Z"}})";

constexpr std::size_t kDefaultLimit = std::size_t{8} << 20;
using e2e::Receiver;

httplib::Headers good_headers() {
  return {{"x-conector-id", "hubspot"},
          {"x-owner-id", "owner-1"},
          {"x-idempotency-key", "4567890123"},
          {"user-agent", "morph-e2e"}};
}

struct Case {
  const char* name;
  const char* method;
  const char* path;
  httplib::Headers headers;
  std::string body;
  int status;
  std::string code;    // expected error.code; empty for 200
  std::string header;  // expected error.header for header errors
};

std::vector<Case> cases() {
  const std::string body(kBody);
  std::vector<Case> out;
  out.push_back(
      {"valid, documented spelling", "POST", "/webhooks/morph", good_headers(), body, 200, "", ""});
  out.push_back({"valid, REST spelling and mixed-case names",
                 "POST",
                 "/webhooks/morph",
                 {{"X-Connector-Id", "hubspot"},
                  {"X-OWNER-ID", "owner-1"},
                  {"X-Idempotency-Key", "4567890123"}},
                 body,
                 200,
                 "",
                 ""});
  out.push_back({"valid, upper-case documented spelling, padded values",
                 "POST",
                 "/webhooks/morph",
                 {{"X-CONECTOR-ID", " hubspot"},
                  {"x-Owner-Id", "owner-1 "},
                  {"x-idempotency-KEY", "4567890123"}},
                 body,
                 200,
                 "",
                 ""});
  out.push_back({"same header twice with the same value", "POST", "/webhooks/morph",
                 [] {
                   auto h = good_headers();
                   h.emplace("X-Owner-Id", "owner-1");
                   return h;
                 }(),
                 body, 200, "", ""});
  out.push_back({"malformed body", "POST", "/webhooks/morph", good_headers(),
                 R"({"event":"crmEngagement::created","data":)", 400, "invalid_json", ""});
  out.push_back(
      {"empty body", "POST", "/webhooks/morph", good_headers(), "", 400, "empty_body", ""});
  out.push_back({"missing x-owner-id",
                 "POST",
                 "/webhooks/morph",
                 {{"x-conector-id", "hubspot"}, {"x-idempotency-key", "4567890123"}},
                 body,
                 400,
                 "missing_header",
                 "x-owner-id"});
  out.push_back({"missing connector",
                 "POST",
                 "/webhooks/morph",
                 {{"x-owner-id", "owner-1"}, {"x-idempotency-key", "4567890123"}},
                 body,
                 400,
                 "missing_header",
                 "x-conector-id"});
  out.push_back({"duplicated header with two values", "POST", "/webhooks/morph",
                 [] {
                   auto h = good_headers();
                   h.emplace("x-owner-id", "owner-2");
                   return h;
                 }(),
                 body, 400, "duplicate_header", "x-owner-id"});
  out.push_back({"both connector spellings with two values", "POST", "/webhooks/morph",
                 [] {
                   auto h = good_headers();
                   h.emplace("X-Connector-Id", "salesforce");
                   return h;
                 }(),
                 body, 400, "duplicate_header", "x-conector-id"});
  out.push_back({"oversized body", "POST", "/webhooks/morph", good_headers(),
                 std::string(kDefaultLimit + 1, ' '), 413, "body_too_large", ""});
  out.push_back({"another model", "POST", "/webhooks/morph", good_headers(),
                 std::string(kContactBody), 422, "unsupported_model", ""});
  out.push_back(
      {"GET", "GET", "/webhooks/morph", good_headers(), "", 405, "method_not_allowed", ""});
  out.push_back({"PUT with a body", "PUT", "/webhooks/morph", good_headers(), body, 405,
                 "method_not_allowed", ""});
  out.push_back({"DELETE", "DELETE", "/webhooks/morph", {}, "", 405, "method_not_allowed", ""});
  out.push_back(
      {"unknown path", "POST", "/webhooks/other", good_headers(), body, 404, "not_found", ""});
  return out;
}

// The value of a string member, or nullopt.
std::optional<std::string> member(simdjson::dom::element object, const char* key) {
  std::string_view value;
  if (object[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  return std::string(value);
}

void check_response(const Case& tc, const httplib::Result& result) {
  INFO("case: " << tc.name);
  REQUIRE(result);  // a response arrived (no connection reset)
  INFO("body: " << result->body);
  CHECK(result->status == tc.status);
  CHECK(result->get_header_value("Content-Type") == "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(result->body).get(root) == simdjson::SUCCESS);
  if (tc.status == 200) {
    bool ok = false;
    REQUIRE(root["ok"].get(ok) == simdjson::SUCCESS);
    CHECK(ok);
    CHECK(member(root, "event") == std::optional<std::string>("crmEngagement::created"));
    CHECK(member(root, "id") == std::optional<std::string>("29090716"));
    CHECK(member(root, "idempotency_key") == std::optional<std::string>("4567890123"));
    return;
  }
  simdjson::dom::element error;
  REQUIRE(root["error"].get(error) == simdjson::SUCCESS);
  CHECK(member(error, "code") == std::optional<std::string>(tc.code));
  CHECK(member(error, "message").value_or("").size() > 0);
  if (!tc.header.empty()) {
    CHECK(member(error, "header") == std::optional<std::string>(tc.header));
  }
  if (tc.status == 405) CHECK(result->get_header_value("Allow") == "POST");
}

httplib::Result send(httplib::Client& client, const Case& tc) {
  httplib::Request req;
  req.method = tc.method;
  req.path = tc.path;
  req.headers = tc.headers;
  req.body = tc.body;
  if (!tc.body.empty()) req.headers.emplace("Content-Type", "application/json");
  return client.send(req);
}

httplib::Client make_client(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(20, 0);
  client.set_write_timeout(20, 0);
  return client;
}

[[maybe_unused]] void run_suite(const std::string& program) {
  Receiver receiver(program);
  const std::vector<Case> all = cases();

  // One connection per request, and one log line per request with status, event, id, key
  // and time. The receiver may log just after answering, so wait for each line in turn.
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Case& tc = all[i];
    httplib::Client client = make_client(receiver.port());
    check_response(tc, send(client, tc));
    const std::vector<std::string> lines = receiver.wait_for_log_lines(i + 1);
    REQUIRE(lines.size() == i + 1);
    const std::string& line = lines.back();
    INFO("log line: " << line);
    CHECK(line.rfind("status=" + std::to_string(tc.status) + " ", 0) == 0);
    CHECK(line.find(" us=") != std::string::npos);
    if (tc.status == 200) {
      CHECK(line.find(R"(event="crmEngagement::created")") != std::string::npos);
      CHECK(line.find(R"(id="29090716")") != std::string::npos);
      CHECK(line.find(R"(key="4567890123")") != std::string::npos);
    } else {
      CHECK(line.find(" error=" + tc.code + " ") != std::string::npos);
    }
  }

  // Several requests on one keep-alive connection, including rejected ones.
  {
    httplib::Client client = make_client(receiver.port());
    client.set_keep_alive(true);
    for (int round = 0; round < 3; ++round) {
      for (const Case& tc : all) {
        if (tc.status == 413) continue;  // the connection closes after a 413
        check_response(tc, send(client, tc));
      }
    }
  }

  // HEAD: 405 without body bytes, so the next request on the connection still parses.
  {
    httplib::Client client = make_client(receiver.port());
    client.set_keep_alive(true);
    const auto head = client.Head("/webhooks/morph");
    REQUIRE(head);
    CHECK(head->status == 405);
    CHECK(head->get_header_value("Allow") == "POST");
    CHECK(head->body.empty());
    check_response(all.front(), send(client, all.front()));
  }

  // A chunked body over the limit is refused too (no Content-Length to check up front).
  {
    httplib::Client client = make_client(receiver.port());
    const std::string chunk(64 * 1024, ' ');
    std::size_t sent = 0;
    const auto result = client.Post(
        "/webhooks/morph", good_headers(),
        [&](std::size_t, httplib::DataSink& sink) {
          if (sent > kDefaultLimit) {
            sink.done();
          } else {
            sink.write(chunk.data(), chunk.size());
            sent += chunk.size();
          }
          return true;
        },
        "application/json");
    REQUIRE(result);
    CHECK(result->status == 413);
  }

  // Clean stop on SIGTERM.
  const int status = receiver.stop(SIGTERM);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

[[maybe_unused]] void run_limits(const std::string& program) {
  Receiver receiver(program, {"--max-body-bytes", std::to_string(kBody.size())});
  httplib::Client client = make_client(receiver.port());
  Case fits{"body at the limit",
            "POST",
            "/webhooks/morph",
            good_headers(),
            std::string(kBody),
            200,
            "",
            ""};
  check_response(fits, send(client, fits));
  Case over{"one byte over",          "POST", "/webhooks/morph", good_headers(),
            std::string(kBody) + " ", 413,    "body_too_large",  ""};
  check_response(over, send(client, over));
  // Clean stop on SIGINT too.
  const int status = receiver.stop(SIGINT);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace

#ifdef MORPH_WEBHOOK_HTTPLIB_RECEIVER
TEST_CASE("httplib_receiver answers real HTTP requests", "[httplib]") {
  run_suite(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
TEST_CASE("httplib_receiver: --max-body-bytes and SIGINT", "[httplib]") {
  run_limits(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
#endif

#ifdef MORPH_WEBHOOK_BEAST_RECEIVER
TEST_CASE("beast_receiver answers real HTTP requests", "[beast]") {
  run_suite(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: --max-body-bytes and SIGINT", "[beast]") {
  run_limits(MORPH_WEBHOOK_BEAST_RECEIVER);
}
#endif
