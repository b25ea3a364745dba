// End-to-end, on raw sockets: what a public receiver meets besides well-formed requests.
// Idle and slow connections, keep-alive limits, pipelining, Expect: 100-continue, oversized
// chunked bodies, a port in use, host names, and the drain on SIGTERM. Every wait is bounded;
// no assertion depends on a measured duration beyond "before this timeout could fire".
#include <sys/wait.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "receiver_process.hpp"

namespace {

using namespace std::chrono_literals;
using e2e::Connection;
using e2e::Receiver;

enum class Stack { httplib, beast };

// A request as bytes: a valid event unless `body` says otherwise.
std::string request(std::string_view key, std::string_view body = e2e::kBody,
                    std::string_view extra_headers = "") {
  std::string out =
      "POST /webhooks/morph HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "x-conector-id: hubspot\r\nx-owner-id: owner-1\r\nx-idempotency-key: ";
  out += key;
  out += "\r\nContent-Type: application/json\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += "\r\n";
  out += extra_headers;
  out += "\r\n";
  out += body;
  return out;
}

// The answer to request(key) is a 200 echoing the key.
void check_ok(const std::optional<e2e::RawResponse>& response, std::string_view key) {
  REQUIRE(response);
  INFO(response->head << response->body);
  CHECK(response->status == 200);
  CHECK(response->body.find("\"idempotency_key\":\"" + std::string(key) + "\"") !=
        std::string::npos);
}

bool has_header(const e2e::RawResponse& response, std::string_view line) {
  return Connection::lowercase(response.head).find("\r\n" + std::string(line) + "\r\n") !=
         std::string::npos;
}

// 200 connections sit idle (100 after a request, 100 that never sent a byte); a new request is
// answered while every one of them is still open, long before the 60 s idle timeout.
void idle_connections(const std::string& program) {
  Receiver receiver(program, {"--idle-timeout", "60"});
  std::vector<Connection> idle;
  for (int i = 0; i < 200; ++i) {
    idle.emplace_back("127.0.0.1", receiver.port());
    REQUIRE(idle.back().fd() >= 0);
    if (i % 2 == 0) {
      REQUIRE(idle.back().send(request("idle-" + std::to_string(i))));
      check_ok(idle.back().read_response(10s), "idle-" + std::to_string(i));
    }
  }
  Connection fresh("127.0.0.1", receiver.port());
  REQUIRE(fresh.send(request("fresh")));
  // Before the change, httplib_receiver answered this after ~2 minutes (its 8 threads held by
  // idle connections, each released by the 5 s keep-alive timeout).
  check_ok(fresh.read_response(5s), "fresh");
  std::size_t still_open = 0;
  for (const Connection& c : idle)
    if (c.open_and_silent()) ++still_open;
  CHECK(still_open == 200);
}

// A client that stops mid-header, and one that never sends, do not hold the server: both are
// closed by their timeouts while other clients are answered.
void slow_clients(const std::string& program) {
  Receiver receiver(program, {"--header-timeout", "1", "--idle-timeout", "1"});
  Connection silent("127.0.0.1", receiver.port());
  Connection stalled("127.0.0.1", receiver.port());
  REQUIRE(stalled.send("POST /webhooks/morph HTTP/1.1\r\nHost: x\r\nx-owner"));
  Connection normal("127.0.0.1", receiver.port());
  REQUIRE(normal.send(request("normal")));
  check_ok(normal.read_response(5s), "normal");
  CHECK(stalled.closed_within(8s));
  CHECK(silent.closed_within(8s));
}

// Beast: a client trickling one header byte every 100 ms is cut off by the header deadline
// (1 s) although every read makes progress. cpp-httplib's timeouts are per read: documented.
void trickling_client(const std::string& program) {
  Receiver receiver(program, {"--header-timeout", "1"});
  Connection slow("127.0.0.1", receiver.port());
  const std::string bytes = request("slow");
  bool cut = false;
  for (std::size_t i = 0; i < 60 && !cut; ++i) {  // 6 s of trickle at most
    cut = !slow.send(bytes.substr(i, 1)) || slow.closed_within(100ms);
  }
  CHECK(cut);
  Connection normal("127.0.0.1", receiver.port());
  REQUIRE(normal.send(request("normal")));
  check_ok(normal.read_response(5s), "normal");
}

// Keep-alive lasts for --max-requests-per-connection requests (default 1000: at least 100),
// and the last one says Connection: close.
void keep_alive_limits(const std::string& program) {
  {
    Receiver receiver(program);
    Connection c("127.0.0.1", receiver.port());
    for (int i = 0; i < 100; ++i) {
      REQUIRE(c.send(request("k" + std::to_string(i))));
      const auto response = c.read_response(5s);
      check_ok(response, "k" + std::to_string(i));
      REQUIRE(!has_header(*response, "connection: close"));
    }
  }
  Receiver receiver(program, {"--max-requests-per-connection", "3"});
  Connection c("127.0.0.1", receiver.port());
  for (int i = 0; i < 3; ++i) {
    REQUIRE(c.send(request("m" + std::to_string(i))));
    const auto response = c.read_response(5s);
    check_ok(response, "m" + std::to_string(i));
    CHECK(has_header(*response, "connection: close") == (i == 2));
  }
  CHECK(c.closed_within(5s));
}

// Two requests in one write: both answered, in order.
void pipelining(const std::string& program) {
  Receiver receiver(program);
  Connection c("127.0.0.1", receiver.port());
  REQUIRE(c.send(request("first") + request("second")));
  check_ok(c.read_response(5s), "first");
  check_ok(c.read_response(5s), "second");
  const auto lines = receiver.wait_for_log_lines(2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("key=\"first\"") != std::string::npos);
  CHECK(lines[1].find("key=\"second\"") != std::string::npos);
}

// Expect: 100-continue: the interim answer comes before the body is sent (curl would otherwise
// wait a second); over the limit, the final 413 comes instead.
void expect_continue(const std::string& program) {
  Receiver receiver(program, {"--max-body-bytes", std::to_string(e2e::kBody.size())});
  Connection c("127.0.0.1", receiver.port());
  const std::string whole = request("cont", e2e::kBody, "Expect: 100-continue\r\n");
  const std::size_t head_size = whole.find("\r\n\r\n") + 4;
  REQUIRE(c.send(std::string_view(whole).substr(0, head_size)));
  const auto interim = c.read_response(5s);
  REQUIRE(interim);
  CHECK(interim->status == 100);
  REQUIRE(c.send(std::string_view(whole).substr(head_size)));
  check_ok(c.read_response(5s), "cont");

  Connection over("127.0.0.1", receiver.port());
  const std::string big = request("big", std::string(e2e::kBody) + " ", "Expect: 100-continue\r\n");
  REQUIRE(over.send(std::string_view(big).substr(0, big.find("\r\n\r\n") + 4)));
  const auto refused = over.read_response(5s);
  REQUIRE(refused);
  CHECK(refused->status == 413);
  CHECK(refused->body.find("body_too_large") != std::string::npos);
}

// A chunked body over --max-body-bytes: one 413, one log line, the connection ends at once
// (the rest of the body is never parsed as a request).
void oversized_chunked(const std::string& program) {
  Receiver receiver(program, {"--max-body-bytes", "100"});
  Connection c("127.0.0.1", receiver.port());
  std::string head =
      "POST /webhooks/morph HTTP/1.1\r\nHost: x\r\nx-conector-id: h\r\nx-owner-id: o\r\n"
      "x-idempotency-key: k\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string chunks;
  for (int i = 0; i < 4; ++i) chunks += "200\r\n" + std::string(512, 'x') + "\r\n";
  REQUIRE(c.send(head + chunks));
  const auto response = c.read_response(5s);
  REQUIRE(response);
  CHECK(response->status == 413);
  CHECK(response->body.find("body_too_large") != std::string::npos);
  // Before the change httplib kept the connection until its 5 s read timeout.
  CHECK(c.closed_within(3s));
  // A request after it is the next log line: nothing was logged in between.
  Connection next("127.0.0.1", receiver.port());
  REQUIRE(next.send(request("after", "{}")));  // within the limit, not an event
  const auto after = next.read_response(5s);
  REQUIRE(after);
  CHECK(after->status == 400);
  const auto lines = receiver.wait_for_log_lines(2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind("status=413 method=\"POST\"", 0) == 0);
  CHECK(lines[1].rfind("status=400 method=\"POST\"", 0) == 0);
  CHECK(lines[1].find("key=\"after\"") != std::string::npos);
}

// An empty header value: Beast sees it (invalid_header); cpp-httplib drops the line before
// the application sees it (missing_header). Documented in the README.
void empty_header(const std::string& program, Stack stack) {
  Receiver receiver(program);
  Connection c("127.0.0.1", receiver.port());
  const std::string body(e2e::kBody);
  REQUIRE(
      c.send("POST /webhooks/morph HTTP/1.1\r\nHost: x\r\nx-conector-id: h\r\nx-owner-id:\r\n"
             "x-idempotency-key: k\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body));
  const auto response = c.read_response(5s);
  REQUIRE(response);
  CHECK(response->status == 400);
  INFO(response->body);
  const char* code =
      stack == Stack::beast ? "\"code\":\"invalid_header\"" : "\"code\":\"missing_header\"";
  CHECK(response->body.find(code) != std::string::npos);
  CHECK(response->body.find("\"header\":\"x-owner-id\"") != std::string::npos);
}

// A second receiver on a port in use exits 1 with "address already in use".
void port_in_use(const std::string& program) {
  Receiver first(program);
  const auto [status, output] = e2e::run_to_exit(
      {program, "--host", "127.0.0.1", "--port", std::to_string(first.port())}, 10s);
  INFO(output);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(Connection::lowercase(output).find("address already in use") != std::string::npos);
}

// --host takes a name.
void host_name(const std::string& program) {
  Receiver receiver(program, {}, "localhost");
  Connection c("localhost", receiver.port());
  REQUIRE(c.fd() >= 0);
  REQUIRE(c.send(request("named")));
  check_ok(c.read_response(5s), "named");
}

// SIGTERM while a request is half sent: no new connections, the request is answered in full
// once the client finishes it, idle connections are closed, and the process exits 0.
void drain_on_shutdown(const std::string& program) {
  Receiver receiver(program, {"--idle-timeout", "1"});
  Connection idle("127.0.0.1", receiver.port());
  REQUIRE(idle.send(request("idle")));
  check_ok(idle.read_response(5s), "idle");
  // A first request proves the connection accepted, so the second is the one in flight.
  Connection busy("127.0.0.1", receiver.port());
  REQUIRE(busy.send(request("warm")));
  check_ok(busy.read_response(5s), "warm");
  const std::string whole = request("in-flight");
  const std::size_t half = whole.size() / 2;
  REQUIRE(busy.send(std::string_view(whole).substr(0, half)));
  std::this_thread::sleep_for(300ms);  // let the receiver start reading it
  receiver.signal(SIGTERM);
  // Stops accepting: wait (bounded) until a new connection is refused.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    Connection probe("127.0.0.1", receiver.port());
    refused = probe.fd() < 0;
    if (!refused) std::this_thread::sleep_for(20ms);
  }
  CHECK(refused);
  REQUIRE(busy.send(std::string_view(whole).substr(half)));
  check_ok(busy.read_response(5s), "in-flight");
  CHECK(busy.closed_within(5s));
  CHECK(idle.closed_within(5s));
  const int status = receiver.wait_exit(e2e::kStopTimeout);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

// A request that never completes is cut at --drain-timeout; the exit is still 0.
void drain_deadline(const std::string& program) {
  Receiver receiver(program, {"--drain-timeout", "1"});
  Connection stuck("127.0.0.1", receiver.port());
  REQUIRE(stuck.send(request("warm")));
  check_ok(stuck.read_response(5s), "warm");
  const std::string whole = request("stuck");
  REQUIRE(stuck.send(std::string_view(whole).substr(0, whole.size() / 2)));
  std::this_thread::sleep_for(300ms);
  receiver.signal(SIGTERM);
  CHECK(stuck.closed_within(8s));
  const int status = receiver.wait_exit(e2e::kStopTimeout);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace

#ifdef MORPH_WEBHOOK_HTTPLIB_RECEIVER
TEST_CASE("httplib_receiver: 200 idle connections", "[httplib]") {
  idle_connections(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
TEST_CASE("httplib_receiver: stalled and silent clients", "[httplib]") {
  slow_clients(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
TEST_CASE("httplib_receiver: keep-alive limits", "[httplib]") {
  keep_alive_limits(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
TEST_CASE("httplib_receiver: Expect: 100-continue", "[httplib]") {
  expect_continue(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
TEST_CASE("httplib_receiver: oversized chunked body", "[httplib]") {
  oversized_chunked(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
TEST_CASE("httplib_receiver: empty header value", "[httplib]") {
  empty_header(MORPH_WEBHOOK_HTTPLIB_RECEIVER, Stack::httplib);
}
TEST_CASE("httplib_receiver: port in use", "[httplib]") {
  port_in_use(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
TEST_CASE("httplib_receiver: --host localhost", "[httplib]") {
  host_name(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
TEST_CASE("httplib_receiver: drain on SIGTERM", "[httplib]") {
  drain_on_shutdown(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
TEST_CASE("httplib_receiver: drain deadline", "[httplib]") {
  drain_deadline(MORPH_WEBHOOK_HTTPLIB_RECEIVER);
}
#endif

#ifdef MORPH_WEBHOOK_BEAST_RECEIVER
TEST_CASE("beast_receiver: 200 idle connections", "[beast]") {
  idle_connections(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: stalled and silent clients", "[beast]") {
  slow_clients(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: trickling client hits the header deadline", "[beast]") {
  trickling_client(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: keep-alive limits", "[beast]") {
  keep_alive_limits(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: pipelined requests", "[beast]") {
  pipelining(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: Expect: 100-continue", "[beast]") {
  expect_continue(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: oversized chunked body", "[beast]") {
  oversized_chunked(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: empty header value", "[beast]") {
  empty_header(MORPH_WEBHOOK_BEAST_RECEIVER, Stack::beast);
}
TEST_CASE("beast_receiver: port in use", "[beast]") { port_in_use(MORPH_WEBHOOK_BEAST_RECEIVER); }
TEST_CASE("beast_receiver: --host localhost", "[beast]") {
  host_name(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: drain on SIGTERM", "[beast]") {
  drain_on_shutdown(MORPH_WEBHOOK_BEAST_RECEIVER);
}
TEST_CASE("beast_receiver: drain deadline", "[beast]") {
  drain_deadline(MORPH_WEBHOOK_BEAST_RECEIVER);
}
#endif
