// Redis Sentinel failover under load, as real processes (issue 26): a primary, one replica and
// three sentinels (sentinel_cluster.hpp), two `morph-webhook serve` and two `inbox work` on a
// redis-sentinel:// inbox. Client threads post N events (MORPH_WEBHOOK_SENTINEL_EVENTS, default
// 600) over both receivers, resending any that got no 200 as Morph does; meanwhile the primary
// is kill -9'ed while the replica lags behind it (cut off from it 300 ms before), the
// sentinels promote the replica, and the old primary is restarted (on its port and AOF) and rejoins
// as a replica. Then, read from the new primary:
//  - replicas=1: every event answered 200 is in the inbox exactly once, and the inbox holds
//    exactly the N events (nothing answered 200 during the switch is missing);
//  - replicas=0: the same run, and the number of events answered 200 that are missing is
//    printed (what the documented trade-off states);
//  - both: the workers went on processing on the new primary and everything got acked; the old
//    primary rejoined as a replica holding exactly the new primary's keys (nothing it had alone
//    was resurrected); each serve logged the failover and exports it (/metrics); /healthz was
//    503 while no primary was reachable.
// Plus: serve refuses to start (exit 2) with replicas=2 on a primary with one replica.
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <morph/webhook/inbox/redis.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#endif

#include "process_support.hpp"
#include "redis_server.hpp"
#include "sentinel_cluster.hpp"

namespace {

namespace mw = morph::webhook;
using namespace std::chrono_literals;
using test_process::read_file;

std::string& redis_binary() {
  static std::string path;
  return path;
}

std::size_t event_count() {
  const char* env = std::getenv("MORPH_WEBHOOK_SENTINEL_EVENTS");
  return env != nullptr && *env ? static_cast<std::size_t>(std::strtoul(env, nullptr, 10)) : 600;
}

std::string random_word(const char* prefix) {
  static std::mt19937_64 random{std::random_device{}()};
  return prefix + std::to_string(random());
}

int http_status(int port, const std::string& path, std::string* body = nullptr) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(5s);
  const auto res = client.Get(path.c_str());
  if (res && body != nullptr) *body = res->body;
  return res ? res->status : 0;
}

// The idempotency key of every delivery on the node at `port`, read in one script.
std::map<std::string, int> stored_keys(std::uint16_t port, const std::string& password,
                                       const std::string& name) {
  const std::vector<std::string> keys =
      redis_test::command_at(port, password,
                             {"EVAL",
                              "local out = {} for _, k in ipairs(redis.call('KEYS', ARGV[1])) do "
                              "out[#out + 1] = redis.call('HGET', k, 'key') end return out",
                              "0", "mw:{" + name + "}:d:*"});
  std::map<std::string, int> out;
  for (const std::string& k : keys) ++out[k];
  return out;
}

std::size_t line_count(const std::string& path) {
  std::istringstream in(read_file(path));
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

struct Answer {
  int status = 0;
  long long delivery = 0;
  std::chrono::steady_clock::time_point at;
};

// One failover run; returns the number of events answered 200 that the new primary lacks.
std::size_t failover_run(unsigned replicas) {
  std::fflush(nullptr);  // the children must not inherit unwritten output
  const std::size_t n = event_count();
  redis_test::SentinelCluster cluster(redis_binary(), random_word("pw-"), random_word("spw-"));
  if (const std::optional<std::string> why = cluster.start()) FAIL(*why);
  const std::string dir = cluster.node(0).dir() + "/run";
  std::filesystem::create_directories(dir);
  const std::string password_file = dir + "/password";
  const std::string sentinel_password_file = dir + "/sentinel-password";
  std::ofstream(password_file) << cluster.password() << "\n";
  std::ofstream(sentinel_password_file) << cluster.sentinel_password() << "\n";
  const std::string name = "failover";
  const std::string uri = cluster.uri(
      name, replicas > 0 ? "&replicas=" + std::to_string(replicas) + "&replica_timeout=500ms"
                         : std::string());
  const std::string cli = MORPH_WEBHOOK_CLI_PATH;
  const std::vector<std::string> auth{"--redis-password-file", password_file,
                                      "--sentinel-password-file", sentinel_password_file};
  const auto with_auth = [&](std::vector<std::string> args) {
    args.insert(args.end(), auth.begin(), auth.end());
    return args;
  };
  const std::string old_primary = "127.0.0.1:" + std::to_string(cluster.node(0).port());
  const std::string new_primary = "127.0.0.1:" + std::to_string(cluster.node(1).port());

  if (replicas == 1) {  // more replicas than connected: refused at start
    const std::string log = dir + "/refused.log";
    const pid_t refused =
        test_process::spawn_logged(with_auth({cli, "serve", "--host", "127.0.0.1", "--port", "0",
                                              "--inbox", cluster.uri(name, "&replicas=2")}),
                                   log);
    const int status = test_process::stop(refused, 0, false, 15s);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 2);
    CHECK(read_file(log + ".err").find("fewer than replicas=2") != std::string::npos);
  }

  std::vector<pid_t> serves;
  std::vector<int> ports;
  for (int i = 0; i < 2; ++i) {
    const std::string log = dir + "/serve-" + std::to_string(i) + ".log";
    serves.push_back(test_process::spawn_logged(
        with_auth({cli, "serve", "--host", "127.0.0.1", "--port", "0", "--inbox", uri, "--threads",
                   "8", "--retry-after", "1"}),
        log, true));
    const std::optional<int> port = test_process::wait_for_port(log, serves.back(), 15s);
    if (!port) FAIL("serve did not start: " << read_file(log + ".err"));
    ports.push_back(*port);
    CHECK(read_file(log + ".err").find("Redis primary " + old_primary) != std::string::npos);
  }
  const std::string processed_log = dir + "/processed.log";
  std::vector<pid_t> workers;
  for (int i = 0; i < 2; ++i) {
    std::vector<std::string> command{"--", "/bin/sh", "-c",
                                     "echo \"$MORPH_DELIVERY_ID\" >> " + processed_log};
    std::vector<std::string> args =
        with_auth({cli, "inbox", "work", "--inbox", uri, "--concurrency", "2", "--lease", "5s",
                   "--poll", "100ms"});
    args.insert(args.end(), command.begin(), command.end());
    workers.push_back(test_process::spawn_logged(
        std::move(args), dir + "/worker-" + std::to_string(i) + ".log", true));
  }

  std::string body_template =
      read_file(std::string(MORPH_WEBHOOK_PAYLOADS_DIR) + "/contact-updated.json");
  const std::string id_field = "\"id\": \"247\"";
  const std::size_t id_at = body_template.find(id_field);
  REQUIRE(id_at != std::string::npos);

  std::mutex mutex;
  std::map<std::size_t, std::vector<Answer>> answers;
  std::atomic<std::size_t> sent{0};
  std::atomic<int> gave_up{0};
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  const auto post = [&](std::size_t i, std::size_t r) {
    httplib::Client client("127.0.0.1", ports[r]);
    client.set_connection_timeout(2s);
    client.set_read_timeout(10s);
    const httplib::Headers headers{{"x-conector-id", "hubspot"},
                                   {"x-owner-id", "owner-1"},
                                   {"x-idempotency-key", "event-" + std::to_string(i)}};
    std::string body = body_template;
    body.replace(id_at, id_field.size(), "\"id\": \"c" + std::to_string(i) + "\"");
    while (std::chrono::steady_clock::now() < deadline) {
      const auto res = client.Post("/webhooks/morph", headers, body, "application/json");
      Answer a;
      a.at = std::chrono::steady_clock::now();
      if (res) {
        a.status = res->status;
        const auto at = res->body.find("\"delivery\":");
        if (at != std::string::npos) a.delivery = std::atoll(res->body.c_str() + at + 11);
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        answers[i].push_back(a);
      }
      if (a.status == 200) return;
      std::this_thread::sleep_for(50ms);
      r = 1 - r;  // the retry may land on the other receiver
    }
    ++gave_up;
  };
  std::vector<std::thread> clients;
  constexpr std::size_t client_threads = 8;
  for (std::size_t t = 0; t < client_threads; ++t) {
    clients.emplace_back([&, t] {
      for (std::size_t i = t; i < n; i += client_threads) {
        post(i, i % 2);
        ++sent;
        std::this_thread::sleep_for(5ms);
      }
    });
  }

  // The fault: the replica loses its link to the primary and cannot resync (its masterauth is
  // made wrong: as a partition between the two would), and 300 ms later the primary is
  // kill -9'ed under load. What the primary acknowledged meanwhile exists only there.
  for (int i = 0; i < 3000 && sent.load() < n / 3; ++i) std::this_thread::sleep_for(10ms);
  const std::vector<std::string> config_ok{"OK"};
  CHECK(cluster.node(1).command({"CONFIG", "SET", "masterauth", "cut-off"}) == config_ok);
  CHECK(cluster.node(0).command({"CLIENT", "KILL", "TYPE", "replica"}) ==
        std::vector<std::string>{"1"});
  const auto link_dropped_at = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(300ms);
  cluster.node(0).stop(SIGKILL);
  const auto killed_at = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(300ms);
  CHECK(http_status(ports[0], "/healthz") == 503);  // no primary reachable
  int promoted = -1;
  for (int i = 0; i < 600 && promoted != 1; ++i) {
    promoted = cluster.named_primary();
    if (promoted != 1) std::this_thread::sleep_for(50ms);
  }
  REQUIRE(promoted == 1);
  CHECK(cluster.node(1).command({"CONFIG", "SET", "masterauth", cluster.password()}) == config_ok);
  const double failover_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  const std::size_t processed_before = line_count(processed_log);
  std::this_thread::sleep_for(1s);  // the workers go on, on the new primary alone
  // The old primary comes back (its AOF replayed) and must rejoin as a replica.
  REQUIRE(cluster.node(0).start());
  bool rejoined = false;
  for (int i = 0; i < 600 && !rejoined; ++i) {
    const std::vector<std::string> info = cluster.node(0).command({"INFO", "replication"});
    rejoined = !info.empty() && redis_test::info_field(info[0], "role") == "slave" &&
               redis_test::info_field(info[0], "master_link_status") == "up";
    if (!rejoined) std::this_thread::sleep_for(50ms);
  }
  CHECK(rejoined);
  for (auto& c : clients) c.join();
  CHECK(gave_up == 0);

  // Drain through the library's own Sentinel endpoint.
  mw::Result<mw::RedisEndpoint> endpoint = mw::parse_redis_uri(cluster.uri(name));
  REQUIRE(endpoint.has_value());
  endpoint->password = cluster.password();
  endpoint->sentinel_password = cluster.sentinel_password();
  mw::RedisOptions options;
  options.expire_in_background = false;
  auto inbox = mw::RedisInbox::open(*endpoint, options);
  REQUIRE(inbox.has_value());
  CHECK((*inbox)->primary().describe() == new_primary);
  mw::InboxStats stats;
  for (int i = 0; i < 600; ++i) {
    const auto s = (*inbox)->stats();
    REQUIRE(s.has_value());
    stats = *s;
    if (stats.ready + stats.leased + stats.delayed == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  for (pid_t pid : workers) test_process::stop(pid, SIGTERM, true);

  // What the new primary holds against what was answered 200.
  const std::map<std::string, int> keys =
      stored_keys(cluster.node(1).port(), cluster.password(), name);
  std::size_t answered = 0;
  std::size_t lost = 0;
  std::size_t doubled = 0;
  std::size_t unavailable = 0;
  std::size_t in_window = 0;  // answered 200 between the link's drop and the kill
  for (const auto& [event, list] : answers) {
    bool ok = false;
    for (const Answer& a : list) {
      ok = ok || a.status == 200;
      if (a.status == 200 && a.at >= link_dropped_at && a.at <= killed_at) ++in_window;
      if (a.status == 503) ++unavailable;
    }
    if (!ok) continue;
    ++answered;
    const auto found = keys.find("event-" + std::to_string(event));
    if (found == keys.end()) {
      ++lost;
    } else if (found->second > 1) {
      ++doubled;
    }
  }
  CHECK(answered == n);
  CHECK(doubled == 0);
  CHECK(stats.acked_retained == keys.size());  // every stored delivery processed
  CHECK(stats.ready + stats.leased + stats.delayed + stats.dead == 0);
  CHECK(line_count(processed_log) > processed_before);  // workers went on, on the new primary

  // The rejoined old primary holds exactly the new primary's keys: nothing it alone had (the
  // appends it acknowledged but never copied) came back.
  bool same = false;
  for (int i = 0; i < 200 && !same; ++i) {
    same = stored_keys(cluster.node(0).port(), cluster.password(), name) == keys &&
           cluster.node(0).command({"DBSIZE"}) == cluster.node(1).command({"DBSIZE"});
    if (!same) std::this_thread::sleep_for(50ms);
  }
  CHECK(same);
  CHECK(cluster.named_primary() == 1);

  // Each receiver logged and exports the failover.
  for (std::size_t i = 0; i < serves.size(); ++i) {
    const std::string log = read_file(dir + "/serve-" + std::to_string(i) + ".log.err");
    INFO("serve " << i << " stderr:\n" << log.substr(0, 4000));
    std::string metrics;
    CHECK(http_status(ports[i], "/metrics", &metrics) == 200);
    CHECK(metrics.find("morph_webhook_redis_failovers_total 1") != std::string::npos);
    CHECK(metrics.find("morph_webhook_redis_primary{address=\"" + new_primary + "\"} 1") !=
          std::string::npos);
    CHECK(metrics.find(old_primary) == std::string::npos);
    CHECK(http_status(ports[i], "/healthz") == 200);
    CHECK(log.find("Redis failover: the primary is now " + new_primary + " (was " + old_primary) !=
          std::string::npos);
  }
  for (pid_t pid : serves) test_process::stop(pid, SIGTERM, true);

  std::printf(
      "sentinel failover, replicas=%u: %zu events answered 200, %zu of them LOST after the "
      "failover, %zu stored twice; %zu answers 503 meanwhile; the sentinels promoted the "
      "replica %.1f s after the kill; %zu deliveries in the new primary, %zu acked; %zu answered "
      "200 between the replication link's drop and the kill\n",
      replicas, answered, lost, doubled, unavailable, failover_seconds, keys.size(),
      static_cast<std::size_t>(stats.acked_retained), in_window);
  std::fflush(stdout);
  return lost;
}

}  // namespace

TEST_CASE("Sentinel failover with replicas=1: no event answered 200 is lost", "[sentinel]") {
  CHECK(failover_run(1) == 0);
}

TEST_CASE("Sentinel failover with replicas=0: the events answered 200 and lost are counted",
          "[sentinel]") {
  // Asynchronous replication: what the primary acknowledged in its last moments may be gone.
  // Reported, not asserted: the number is what docs/redis-failover.md states.
  const std::size_t lost = failover_run(0);
  CHECK(lost <= event_count());
}

int main(int argc, char** argv) {
  const std::optional<std::string> binary = redis_test::find_redis_server();
  if (!binary) {
    std::puts(
        "SKIPPED: redis-server not found on PATH (Debian: apt-get install redis-server "
        "redis-sentinel); the Sentinel failover tests did not run");
    return 77;
  }
  redis_binary() = *binary;
  return Catch::Session().run(argc, argv);
}
