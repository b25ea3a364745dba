// The Beast server core (morph/webhook/adapters/beast_server.hpp) in-process, on 127.0.0.1 and
// a free port, driven by raw sockets: what its Handler is told, and what shutdown() reports.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "morph/webhook/adapters/beast_server.hpp"
#include "receiver_process.hpp"

namespace {

using namespace std::chrono_literals;
namespace http = boost::beast::http;
namespace mwb = morph::webhook::beast;

// A server on its own thread, answering 200 with the request's target, recording each status.
class Fixture {
 public:
  explicit Fixture(mwb::ServerOptions options)
      : server_(with_free_port(std::move(options)),
                [this](const mwb::Request& req, mwb::ReadStatus status) {
                  {
                    std::lock_guard<std::mutex> lock(mutex_);
                    statuses_.push_back(status);
                  }
                  mwb::Response res{status == mwb::ReadStatus::complete ? http::status::ok
                                                                        : http::status::bad_request,
                                    11};
                  res.body() = std::string(req.target());
                  res.prepare_payload();
                  return res;
                }) {
    REQUIRE(!server_.listen());
    thread_ = std::thread([this] {
      server_.run();
      returned_ = true;
    });
  }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;
  ~Fixture() {
    server_.shutdown();
    thread_.join();
  }

  int port() const { return server_.local_endpoint().port(); }
  mwb::Server& server() { return server_; }
  bool returned() const { return returned_; }

  // Waits (bounded) for run() to return after shutdown().
  bool wait_returned(std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!returned_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    return returned_;
  }

  std::vector<mwb::ReadStatus> statuses() {
    std::lock_guard<std::mutex> lock(mutex_);
    return statuses_;
  }

 private:
  static mwb::ServerOptions with_free_port(mwb::ServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }

  std::mutex mutex_;
  std::vector<mwb::ReadStatus> statuses_;
  mwb::Server server_;
  std::atomic<bool> returned_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("beast_server: the handler is told how reading ended", "[beast]") {
  mwb::ServerOptions options;
  options.threads = 2;
  options.max_body_bytes = 10;
  Fixture fixture(options);
  {
    e2e::Connection c("127.0.0.1", fixture.port());
    REQUIRE(c.send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
    const auto response = c.read_response(5s);
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body == "/a");
  }
  {
    e2e::Connection c("127.0.0.1", fixture.port());
    REQUIRE(
        c.send("POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"));
    const auto response = c.read_response(5s);
    REQUIRE(response);
    CHECK(response->status == 400);
    CHECK(response->body == "/b");  // the head was read
    CHECK(c.closed_within(5s));
  }
  {
    e2e::Connection c("127.0.0.1", fixture.port());
    REQUIRE(c.send("NOT HTTP AT ALL\r\n\r\n"));
    const auto response = c.read_response(5s);
    REQUIRE(response);
    CHECK(response->status == 400);
    CHECK(c.closed_within(5s));
  }
  const std::vector<mwb::ReadStatus> expected{
      mwb::ReadStatus::complete, mwb::ReadStatus::body_too_large, mwb::ReadStatus::bad_request};
  CHECK(fixture.statuses() == expected);
  CHECK(fixture.server().thread_count() == 2);
}

TEST_CASE("beast_server: shutdown drains, then reports what it cut", "[beast]") {
  mwb::ServerOptions options;
  options.threads = 2;
  options.drain_timeout = 500ms;
  Fixture fixture(options);
  e2e::Connection idle("127.0.0.1", fixture.port());
  REQUIRE(idle.send("GET /idle HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(idle.read_response(5s));
  e2e::Connection stuck("127.0.0.1", fixture.port());
  REQUIRE(stuck.send("POST /stuck HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  std::this_thread::sleep_for(200ms);  // let the server start reading it
  fixture.server().shutdown();
  CHECK(idle.closed_within(5s));   // idle: closed at once
  CHECK(stuck.closed_within(5s));  // never finished: closed at the drain deadline
  REQUIRE(fixture.wait_returned(5s));
  CHECK(fixture.server().connections_cut() == 1);
}
