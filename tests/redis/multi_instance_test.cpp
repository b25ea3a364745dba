// Several receivers and workers on one Redis, as real processes: 2 `morph-webhook serve` and
// 3 `morph-webhook inbox work` on the redis-server redis_main.cpp started, plus a 4th worker
// whose command never finishes and which is kill -9'ed mid-lease. Client threads post N events
// (MORPH_WEBHOOK_REDIS_MULTI_EVENTS, default 2000) spread over both receivers; every 5th event
// is retried on the other receiver, every 50th is sent to both at the same moment. A client
// resends a request that got no 200 (as Morph would). Meanwhile redis-server is kill -9'ed and
// restarted. At the end:
//  - every event got 200, and every 200 for one event names the same delivery (stored once);
//  - the inbox holds exactly N deliveries, all acked (every stored event processed);
//  - requests during the outage got 503 with Retry-After, and /healthz 503 (200 again after);
//  - the deliveries the killed worker held were run again after their lease (attempt >= 2).
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
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
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "process_support.hpp"
#include "redis_server.hpp"

namespace {

namespace mw = morph::webhook;
using namespace std::chrono_literals;

using test_process::read_file;

// A child process with stdout/stderr in `log`, in its own process group (so kill -9 reaches
// the commands a worker started too), killed with the test.
pid_t spawn(std::vector<std::string> args, const std::string& log) {
  return test_process::spawn_logged(std::move(args), log, true);
}

void stop_group(pid_t pid, int signal) { test_process::stop(pid, signal, true); }

// The port `serve` printed on its first line (bounded wait).
int wait_for_port(const std::string& log, pid_t pid) {
  const std::optional<int> port = test_process::wait_for_port(log, pid);
  if (!port) FAIL("serve did not start: " << read_file(log + ".err"));
  return port.value_or(0);
}

struct Answer {
  int status = 0;
  long long delivery = 0;
  bool duplicate = false;
};

std::size_t event_count() {
  const char* env = std::getenv("MORPH_WEBHOOK_REDIS_MULTI_EVENTS");
  return env != nullptr && *env ? static_cast<std::size_t>(std::strtoul(env, nullptr, 10)) : 2000;
}

}  // namespace

TEST_CASE("2 serve + 3 workers on one Redis: stored once, processed, outage answered 503",
          "[redis][multi]") {
  redis_test::RedisServer& redis = *redis_test::server();
  const std::size_t n = event_count();
  const std::string dir = redis.dir() + "/multi";
  std::filesystem::create_directories(dir);
  const std::string password_file = dir + "/password";
  std::ofstream(password_file) << redis.password() << "\n";
  const std::string name = "multi-" + std::to_string(::getpid());
  const std::string uri = "redis://127.0.0.1:" + std::to_string(redis.port()) + "?name=" + name;
  const std::string cli = MORPH_WEBHOOK_CLI_PATH;

  std::vector<pid_t> serves;
  std::vector<int> ports;
  for (int i = 0; i < 2; ++i) {
    const std::string log = dir + "/serve-" + std::to_string(i) + ".log";
    serves.push_back(
        spawn({cli, "serve", "--host", "127.0.0.1", "--port", "0", "--inbox", uri,
               "--redis-password-file", password_file, "--threads", "8", "--retry-after", "1"},
              log));
    ports.push_back(wait_for_port(log, serves.back()));
  }
  const std::string processed_log = dir + "/processed.log";
  const std::string victim_log = dir + "/victim.log";
  std::vector<pid_t> workers;
  for (int i = 0; i < 3; ++i) {
    workers.push_back(
        spawn({cli, "inbox", "work", "--inbox", uri, "--redis-password-file", password_file,
               "--concurrency", "2", "--lease", "2s", "--poll", "100ms", "--", "/bin/sh", "-c",
               "echo \"$MORPH_DELIVERY_ID $MORPH_ATTEMPT\" >> " + processed_log},
              dir + "/worker-" + std::to_string(i) + ".log"));
  }
  // Its commands never finish: what it leases stays leased until it is killed.
  pid_t victim =
      spawn({cli, "inbox", "work", "--inbox", uri, "--redis-password-file", password_file,
             "--concurrency", "2", "--lease", "2s", "--poll", "50ms", "--", "/bin/sh", "-c",
             "echo \"$MORPH_DELIVERY_ID\" >> " + victim_log + "; exec sleep 600"},
            dir + "/victim.log.out");

  std::string body_template =
      read_file(std::string(MORPH_WEBHOOK_PAYLOADS_DIR) + "/contact-updated.json");
  const std::string id_field = "\"id\": \"247\"";
  const std::size_t id_at = body_template.find(id_field);
  REQUIRE(id_at != std::string::npos);
  const auto body_of = [&](std::size_t i) {
    std::string b = body_template;
    b.replace(id_at, id_field.size(), "\"id\": \"c" + std::to_string(i) + "\"");
    return b;
  };

  std::mutex mutex;
  std::map<std::size_t, std::vector<Answer>> answers;
  std::atomic<std::size_t> sent{0};
  std::atomic<int> unavailable{0};
  std::atomic<int> without_retry_after{0};
  std::atomic<int> gave_up{0};
  // Posts event i to receiver r until it gets 200 (at most ~60 s), recording every answer.
  const auto post = [&](std::size_t i, std::size_t r) {
    httplib::Client client("127.0.0.1", ports[r]);
    client.set_connection_timeout(2s);
    client.set_read_timeout(10s);
    const httplib::Headers headers{{"x-conector-id", "hubspot"},
                                   {"x-owner-id", "owner-1"},
                                   {"x-idempotency-key", "event-" + std::to_string(i)}};
    const std::string body = body_of(i);
    for (int attempt = 0; attempt < 1200; ++attempt) {
      const auto res = client.Post("/webhooks/morph", headers, body, "application/json");
      Answer a;
      if (res) {
        a.status = res->status;
        if (res->status == 503) {
          ++unavailable;
          if (!res->has_header("Retry-After")) ++without_retry_after;
        }
        const auto at = res->body.find("\"delivery\":");
        if (at != std::string::npos) a.delivery = std::atoll(res->body.c_str() + at + 11);
        a.duplicate = res->body.find("\"duplicate\":true") != std::string::npos;
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        answers[i].push_back(a);
      }
      if (a.status == 200) return;
      std::this_thread::sleep_for(50ms);
    }
    ++gave_up;
  };

  std::vector<std::thread> clients;
  constexpr std::size_t client_threads = 8;
  for (std::size_t t = 0; t < client_threads; ++t) {
    clients.emplace_back([&, t] {
      for (std::size_t i = t; i < n; i += client_threads) {
        const std::size_t r = i % 2;
        if (i % 50 == 7) {
          std::thread other([&, i, r] { post(i, 1 - r); });  // both receivers at once
          post(i, r);
          other.join();
        } else {
          post(i, r);
        }
        if (i % 5 == 0) post(i, 1 - r);  // Morph's retry, landing on the other receiver
        ++sent;
      }
    });
  }

  // The faults, at fixed points of the load.
  const auto wait_sent = [&](std::size_t count) {
    for (int i = 0; i < 6000 && sent.load() < count; ++i) std::this_thread::sleep_for(10ms);
  };
  wait_sent(n / 6);
  for (int i = 0; i < 400 && read_file(victim_log).empty(); ++i) std::this_thread::sleep_for(25ms);
  const std::string victim_held = read_file(victim_log);
  stop_group(victim, SIGKILL);
  victim = -1;
  wait_sent(n / 3);
  redis.stop(SIGKILL);
  std::this_thread::sleep_for(700ms);  // requests in this window get 503
  const auto health = [&](int port) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(5s);
    const auto res = client.Get("/healthz");
    return res ? res->status : 0;
  };
  CHECK(health(ports[0]) == 503);
  CHECK(health(ports[1]) == 503);
  REQUIRE(redis.start());

  for (auto& c : clients) c.join();
  CHECK(gave_up == 0);
  CHECK(health(ports[0]) == 200);  // recovered by themselves, no restart
  CHECK(health(ports[1]) == 200);

  // Let the workers drain the inbox (bounded).
  mw::RedisEndpoint endpoint = *mw::parse_redis_uri(uri);
  endpoint.password = redis.password();
  mw::RedisOptions options;
  options.expire_in_background = false;
  auto inbox = mw::RedisInbox::open(endpoint, options);
  REQUIRE(inbox.has_value());
  mw::InboxStats stats;
  for (int i = 0; i < 600; ++i) {
    const auto s = (*inbox)->stats();
    REQUIRE(s.has_value());
    stats = *s;
    if (stats.ready + stats.leased + stats.delayed == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  for (pid_t pid : workers) stop_group(pid, SIGTERM);
  for (pid_t pid : serves) stop_group(pid, SIGTERM);

  // Stored once: all 200s for an event name one delivery, and no two events share one.
  std::set<long long> ids;
  std::size_t answered = 0;
  std::size_t stored_answers = 0;
  std::size_t duplicates = 0;
  std::size_t split = 0;
  for (const auto& [event, list] : answers) {
    long long id = 0;
    for (const Answer& a : list) {
      if (a.status != 200) continue;
      ++answered;
      (a.duplicate ? duplicates : stored_answers)++;
      if (id == 0) id = a.delivery;
      if (a.delivery != id) ++split;
    }
    if (id != 0) ids.insert(id);
  }
  CHECK(answers.size() == n);
  CHECK(split == 0);
  CHECK(ids.size() == n);
  CHECK(stats.acked_retained == n);  // exactly N stored: no event twice, none lost
  CHECK(stats.ready + stats.leased + stats.delayed + stats.dead == 0);
  CHECK(unavailable > 0);
  CHECK(without_retry_after == 0);

  // Processed: every delivery ran at least once; the killed worker's ran again after the lease.
  std::map<long long, int> runs;
  std::map<long long, unsigned> last_attempt;
  {
    std::istringstream in(read_file(processed_log));
    long long id = 0;
    unsigned attempt = 0;
    while (in >> id >> attempt) {
      ++runs[id];
      last_attempt[id] = std::max(last_attempt[id], attempt);
    }
  }
  std::size_t never = 0;
  std::size_t more_than_once = 0;
  for (const long long id : ids) {
    if (runs.count(id) == 0) ++never;
    if (runs.count(id) != 0 && runs[id] > 1) ++more_than_once;
  }
  CHECK(never == 0);
  CHECK(runs.size() == ids.size());
  std::istringstream held(victim_held);
  std::size_t victim_count = 0;
  for (long long id = 0; held >> id;) {
    ++victim_count;
    INFO("delivery " << id << " held by the killed worker");
    CHECK(last_attempt[id] >= 2);
  }
  CHECK(victim_count > 0);
  std::printf(
      "multi-instance: %zu events, %zu answers 200 (%zu stored, %zu duplicate), %d "
      "answers 503 during the Redis outage, %zu deliveries run more than once "
      "(at-least-once), %zu held by the killed worker and run again\n",
      n, answered, stored_answers, duplicates, unavailable.load(), more_than_once, victim_count);
}
