// `morph-webhook serve`'s logs and guard rails, with real processes, real SQLite files, a real
// redis-server and real HTTP on 127.0.0.1: --log-format json (every line one JSON object with
// stable field names), access lines with timestamp, remote address, connector, owner, event and
// id (also for a refused body), --access-log, SIGHUP reloading the log level and the access log
// from the config file, /healthz and /metrics not counted as webhooks, any content type
// accepted, and a Redis inbox down at start (503 with a generic message, then served).
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "process_support.hpp"
#if defined(MORPH_WEBHOOK_TEST_REDIS)
#include "redis/redis_server.hpp"
#endif

namespace {

using nlohmann::json;
using test_process::read_file;
namespace fs = std::filesystem;

const std::string payloads = MORPH_WEBHOOK_PAYLOADS_DIR;

std::string temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "morph-serve-logs-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

/// `morph-webhook serve ARGS` on a free port, stdout in DIR/serve.log, stderr in .err.
class Serve {
 public:
  Serve(std::string dir, std::vector<std::string> args) : dir_(std::move(dir)) {
    std::vector<std::string> all = {
        MORPH_WEBHOOK_CLI_PATH, "serve", "--port", "0", "--threads", "4"};
    all.insert(all.end(), args.begin(), args.end());
    pid_ = test_process::spawn_logged(all, log());
    REQUIRE(pid_ > 0);
    const std::optional<int> port = test_process::wait_for_port(log(), pid_);
    if (!port) FAIL("serve did not start: " << read_file(log()) << read_file(log() + ".err"));
    port_ = *port;
  }
  ~Serve() { stop(SIGKILL); }

  std::string log() const { return dir_ + "/serve.log"; }
  std::string err() const { return read_file(log() + ".err"); }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  int stop(int signal) {
    if (pid_ <= 0) return -1;
    const int status = test_process::stop(pid_, signal);
    pid_ = -1;
    return status;
  }

  /// The access lines so far (stdout without the `listening on` line), waiting until there
  /// are at least `count` of them (at most 10 s: they are written by another thread).
  std::vector<std::string> access_lines(std::size_t count) const {
    std::vector<std::string> lines;
    for (int i = 0; i < 200; ++i) {
      lines = lines_of(read_file(log()));
      if (!lines.empty()) lines.erase(lines.begin());
      if (lines.size() >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return lines;
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

httplib::Result post(int port, const std::string& key, const std::string& body,
                     const std::string& content_type = "application/json") {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  httplib::Headers headers = {{"x-conector-id", "hubspot"}, {"x-owner-id", "acme-prod-eu"}};
  if (!key.empty()) headers.emplace("x-idempotency-key", key);
  return client.Post("/webhooks/morph", headers, body, content_type.c_str());
}

httplib::Result get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  return client.Get(path.c_str());
}

std::string call_body() { return read_file(payloads + "/call-created.json"); }

/// The call event with a date that is not one: refused (400) after event and id were read.
std::string bad_date_body() {
  std::string body = call_body();
  const std::string from = "\"updatedAt\": \"";
  const std::size_t at = body.find(from);
  REQUIRE(at != std::string::npos);
  body.replace(at + from.size(), 4, "20x5");
  return body;
}

}  // namespace

TEST_CASE("serve logs as JSON: access lines and messages with stable fields", "[logs]") {
  const std::string dir = temp_dir();
  Serve serve(dir, {"--inbox", "sqlite:" + dir + "/inbox.db", "--log-format", "json"});

  auto ok = post(serve.port(), "k-1", call_body());
  REQUIRE(ok);
  CHECK(ok->status == 200);
  // Any content type is accepted: Morph does not document its own.
  auto plain = post(serve.port(), "k-2", call_body(), "text/plain");
  REQUIRE(plain);
  CHECK(plain->status == 200);
  auto bad = post(serve.port(), "k-3", bad_date_body());
  REQUIRE(bad);
  CHECK(bad->status == 400);
  auto unkeyed = post(serve.port(), "", call_body());
  REQUIRE(unkeyed);
  CHECK(unkeyed->status == 400);
  REQUIRE(get(serve.port(), "/healthz")->status == 200);
  REQUIRE(get(serve.port(), "/healthz")->status == 200);
  auto metrics = get(serve.port(), "/metrics");
  REQUIRE(metrics);
  // Webhooks only: the probes and the scrape are not counted with them.
  CHECK(metrics->body.find("morph_webhook_requests_total{status=\"200\"} 2\n") !=
        std::string::npos);
  CHECK(metrics->body.find("morph_webhook_requests_total{status=\"400\"} 2\n") !=
        std::string::npos);
  CHECK(metrics->body.find("morph_webhook_log_lines_dropped_total 0") != std::string::npos);

  const std::vector<std::string> lines = serve.access_lines(7);
  REQUIRE(lines.size() == 7);
  std::vector<json> access;
  for (const std::string& line : lines) {
    INFO(line);
    const json j = json::parse(line);  // throws (fails) when a line is not JSON
    for (const char* field : {"ts", "level", "msg", "status", "method", "path", "remote",
                              "connector", "owner", "event", "id", "key", "error", "us"}) {
      CHECK(j.contains(field));
    }
    CHECK(j["msg"] == "request");
    CHECK(j["remote"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
    CHECK(j["ts"].get<std::string>().size() == 24);  // 2026-12-08T01:50:00.123Z
    access.push_back(j);
  }
  CHECK(access[0]["status"] == 200);
  CHECK(access[0]["event"] == "crmEngagement::created");
  CHECK(access[0]["connector"] == "hubspot");
  CHECK(access[0]["owner"] == "acme-prod-eu");
  CHECK(access[0]["error"].is_null());
  CHECK(access[0]["delivery"].is_number());
  CHECK(access[0]["duplicate"] == false);
  // Refused after event and id were read: both are in the line.
  CHECK(access[2]["status"] == 400);
  CHECK(access[2]["event"] == "crmEngagement::created");
  CHECK_FALSE(access[2]["id"].get<std::string>().empty());
  CHECK(access[2]["key"] == "k-3");
  CHECK(access[3]["error"] == "missing_header");
  CHECK(access[4]["path"] == "/healthz");

  CHECK(WEXITSTATUS(serve.stop(SIGTERM)) == 0);
  const std::vector<std::string> messages = lines_of(serve.err());
  REQUIRE(messages.size() >= 2);
  bool summary = false;
  for (const std::string& line : messages) {
    INFO(line);
    const json j = json::parse(line);
    CHECK(j.contains("ts"));
    CHECK(j.contains("level"));
    CHECK(j["component"] == "serve");
    const std::string msg = j["msg"];
    if (msg.rfind("started: listening on 127.0.0.1:", 0) == 0) {
      summary = true;
      CHECK(msg.find(" inbox=sqlite:") != std::string::npos);
      CHECK(msg.find(" access-log=all") != std::string::npos);
    }
  }
  CHECK(summary);
  CHECK(json::parse(messages.back())["msg"] == "stopped");
  fs::remove_all(dir);
}

TEST_CASE("serve access log of errors only, and SIGHUP reloads it and the level", "[logs]") {
  const std::string dir = temp_dir();
  const std::string config = dir + "/serve.toml";
  std::ofstream(config) << "[serve]\naccess-log = \"errors\"\n";
  Serve serve(dir, {"--inbox", "sqlite:" + dir + "/inbox.db", "--config", config});
  REQUIRE(post(serve.port(), "k-1", call_body())->status == 200);
  REQUIRE(post(serve.port(), "", call_body())->status == 400);
  std::vector<std::string> lines = serve.access_lines(1);
  REQUIRE(lines.size() == 1);  // the 400 only
  CHECK(lines[0].rfind("status=400 method=\"POST\" path=\"/webhooks/morph\" ts=\"", 0) == 0);
  CHECK(lines[0].find(" remote=\"127.0.0.1:") != std::string::npos);
  CHECK(lines[0].find(" connector=\"hubspot\" owner=\"acme-prod-eu\"") != std::string::npos);

  std::ofstream(config) << "[serve]\naccess-log = \"all\"\nlog-level = \"warn\"\n";
  REQUIRE(::kill(serve.pid(), SIGHUP) == 0);
  for (int i = 0; i < 100 && serve.err().find("SIGHUP: reloaded") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(serve.err().find("SIGHUP: reloaded log-level=warn access-log=all") != std::string::npos);
  REQUIRE(post(serve.port(), "k-2", call_body())->status == 200);  // still serving
  lines = serve.access_lines(2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].rfind("status=200 ", 0) == 0);
  // A file that no longer parses: the configuration stays, serve goes on.
  std::ofstream(config) << "[serve]\nacess-log = \"off\"\n";
  REQUIRE(::kill(serve.pid(), SIGHUP) == 0);
  for (int i = 0; i < 100 && serve.err().find("not reloaded") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(serve.err().find("unknown key 'serve.acess-log'") != std::string::npos);
  REQUIRE(post(serve.port(), "k-3", call_body())->status == 200);
  CHECK(serve.access_lines(3).size() == 3);
  const int status = serve.stop(SIGTERM);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // log-level=warn: "stopped" (info) is no longer written.
  CHECK(serve.err().find("serve: stopped") == std::string::npos);
  fs::remove_all(dir);
}

#if defined(MORPH_WEBHOOK_TEST_REDIS)
TEST_CASE("Redis down at start: 503 with a generic message, then served once it is up",
          "[storage]") {
  const std::optional<std::string> binary = redis_test::find_redis_server();
  if (!binary) {
    WARN("redis-server not installed: skipped");
    return;
  }
  const std::string dir = temp_dir();
  redis_test::RedisServer redis(*binary, "serve-logs-password");
  std::ofstream(dir + "/password") << "serve-logs-password\n";
  const std::string uri = "redis://127.0.0.1:" + std::to_string(redis.port()) + "/0?name=logs";
  Serve serve(dir, {"--inbox", uri, "--redis-password-file", dir + "/password"});
  auto early = post(serve.port(), "k-1", call_body());
  REQUIRE(early);
  CHECK(early->status == 503);
  CHECK(early->get_header_value("Retry-After") == "5");
  // The caller is told nothing of the storage; the log has the detail.
  CHECK(early->body.find("127.0.0.1") == std::string::npos);
  CHECK(early->body.find("storage_unavailable") != std::string::npos);
  CHECK(get(serve.port(), "/healthz")->status == 503);
  REQUIRE(redis.start());
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = post(serve.port(), "k-2", call_body());
    status = r ? r->status : 0;
    if (status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == 200);
  for (int i = 0; i < 30 && get(serve.port(), "/healthz")->status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(get(serve.port(), "/healthz")->status == 200);
  CHECK(serve.err().find("retrying for up to 2m") != std::string::npos);
  CHECK(WEXITSTATUS(serve.stop(SIGTERM)) == 0);
  fs::remove_all(dir);
}

TEST_CASE("Redis down for longer than --storage-wait: serve gives up with exit 2", "[storage]") {
  const std::string dir = temp_dir();
  const std::string uri =
      "redis://127.0.0.1:" + std::to_string(redis_test::free_port()) + "/0?name=logs";
  Serve serve(dir, {"--inbox", uri, "--storage-wait", "1s"});
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    if (test_process::exited(serve.pid(), status)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(serve.err().find("cannot open the inbox after 1s (--storage-wait)") != std::string::npos);
  fs::remove_all(dir);
}
#endif
