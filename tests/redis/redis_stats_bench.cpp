// Benchmark (not a timed test; hidden, run it by its tag): stats() and dead_letters() with a
// large backlog on the test run's redis-server. Layout 1 walked every pending delivery in
// stats() (300 k delayed: 1-2 s per call, blocking Redis); layout 2 reads counters and
// sorted-set counts, so the time must not grow with the backlog.
//
//   MORPH_WEBHOOK_REDIS_DELAYED=500000 MORPH_WEBHOOK_REDIS_DEAD=100000
//   morph_webhook_redis_tests "[benchmark]"
//
// The backlog is made through the inbox itself (append, lease, fail), 8 threads.
#include <morph/webhook/inbox/redis.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "redis_inbox_support.hpp"

namespace {

namespace mw = morph::webhook;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::size_t size_from(const char* variable, std::size_t fallback) {
  const char* v = std::getenv(variable);
  return v != nullptr && *v != 0 ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10))
                                 : fallback;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Appends `count` deliveries (one resource each), leases them and fails each once with
// `inbox`'s options: delayed, or dead when its max_attempts is 1.
void make_backlog(mw::RedisInbox& inbox, std::size_t count, const std::string& tag) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> errors{0};
  std::mutex mutex;
  std::string first_error;
  const auto note = [&](const mw::Error& e) {
    std::lock_guard<std::mutex> lock(mutex);
    if (errors++ == 0) first_error = e.message;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < count; i = next++) {
        const std::string key = tag + std::to_string(i);
        mw::EventFacts facts;
        facts.model = "genericContact";
        facts.id = key;
        facts.trigger = mw::Trigger::updated;
        facts.updated_at = mw::system_now();
        const auto r = inbox.append(mw::Headers{"hubspot", "o", key}, "body " + key, facts);
        if (!r) note(r.error());
      }
    });
  }
  for (auto& t : threads) t.join();
  INFO(first_error);
  REQUIRE(errors == 0);
  next = 0;
  threads.clear();
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        auto batch = inbox.lease(1000, 1h);
        if (!batch) {
          note(batch.error());
          return;
        }
        if (batch->empty()) return;
        for (const mw::Delivery& d : *batch) {
          const auto r = inbox.fail(d, "downstream outage");
          if (!r) note(r.error());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(errors == 0);
}

}  // namespace

TEST_CASE("Benchmark: RedisInbox stats() and dead_letters() with a large backlog",
          "[.][benchmark][redis]") {
  const std::size_t delayed = size_from("MORPH_WEBHOOK_REDIS_DELAYED", 500000);
  const std::size_t dead = size_from("MORPH_WEBHOOK_REDIS_DEAD", 100000);
  const std::string name = redis_test::fresh_name();
  mw::RedisOptions options;
  options.inbox.backoff_initial = 2h;  // they stay delayed while we measure
  options.inbox.backoff_max = 2h;
  // A loaded machine (and Redis forking to rewrite its AOF) can stall a call for seconds.
  options.timeout = 20s;
  auto inbox = redis_test::open_inbox(name, options);
  mw::RedisOptions dying = options;
  dying.inbox.max_attempts = 1;
  auto killer = redis_test::open_inbox(name, dying);

  const auto fill_start = Clock::now();
  make_backlog(*killer, dead, "dead-");
  make_backlog(*inbox, delayed, "delayed-");
  const double fill_ms = ms_since(fill_start);

  const auto s = inbox->stats();
  REQUIRE(s.has_value());
  CHECK(s->delayed == delayed);
  CHECK(s->dead == dead);

  // Wall time at the client (round trip and this machine's scheduling included), and the
  // server's own time per script call (INFO commandstats: what blocks Redis).
  constexpr int rounds = 50;
  const auto measure = [&](const char* what, const std::function<void()>& call) {
    REQUIRE(redis_test::shared_server().command({"CONFIG", "RESETSTAT"}) ==
            std::vector<std::string>{"OK"});
    std::vector<double> wall;
    for (int i = 0; i < rounds; ++i) {
      const auto start = Clock::now();
      call();
      wall.push_back(ms_since(start));
    }
    std::sort(wall.begin(), wall.end());
    const std::vector<std::string> info =
        redis_test::shared_server().command({"INFO", "commandstats"});
    std::string server = "?";
    if (!info.empty()) {
      const std::size_t at = info[0].find("cmdstat_evalsha:");
      const std::size_t per = info[0].find("usec_per_call=", at);
      if (at != std::string::npos && per != std::string::npos) {
        server = info[0].substr(per + 14, info[0].find(',', per) - per - 14);
      }
    }
    std::printf("%-18s server %s us per call; client median %.3f ms, max %.3f ms (%d calls)\n",
                what, server.c_str(), wall[rounds / 2], wall.back(), rounds);
  };
  std::printf("backlog: %zu delayed + %zu dead (made in %.1f s)\n", delayed, dead, fill_ms / 1000);
  measure("stats():", [&] { REQUIRE(inbox->stats().has_value()); });
  measure("dead_letters(100):", [&] {
    const auto letters = inbox->dead_letters(100);
    REQUIRE(letters.has_value());
    CHECK(letters->size() == std::min<std::size_t>(100, dead));
  });
  // The worst case: every delayed delivery due at once (a clock past their backoff), so each
  // call also makes its batch ready.
  mw::RedisOptions later = options;
  later.inbox.clock = [] { return mw::system_now() + 3h; };
  auto due = redis_test::open_inbox(name, later);
  measure("stats(), all due:", [&] { REQUIRE(due->stats().has_value()); });
  const std::vector<std::string> memory = redis_test::shared_server().command({"INFO", "memory"});
  if (!memory.empty()) {
    const std::size_t at = memory[0].find("used_memory_human:");
    if (at != std::string::npos) {
      std::printf("redis %s\n", memory[0].substr(at, memory[0].find('\r', at) - at).c_str());
    }
  }
}

TEST_CASE("Benchmark: RedisInbox lease + ack throughput, ordered and not",
          "[.][benchmark][redis]") {
  const std::size_t resources = size_from("MORPH_WEBHOOK_REDIS_RESOURCES", 10000);
  const std::size_t events = size_from("MORPH_WEBHOOK_REDIS_EVENTS", 10);
  const std::size_t total = resources * events;
  // Twice each, alternated, so that a change in the shared machine's load shows.
  for (const bool ordered : {true, false, true, false}) {
    mw::RedisOptions options;
    options.inbox.ordered = ordered;
    auto inbox = redis_test::open_inbox(redis_test::fresh_name(), options);
    // Appended round-robin over the resources, as interleaved traffic arrives.
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (std::size_t i = next++; i < total; i = next++) {
          const std::string resource = "c" + std::to_string(i % resources);
          const std::string key = resource + "-u" + std::to_string(i / resources);
          mw::EventFacts facts;
          facts.model = "genericContact";
          facts.id = resource;
          facts.trigger = mw::Trigger::updated;
          facts.updated_at = mw::TimePoint(std::chrono::seconds(1'750'000'000) +
                                           std::chrono::seconds(i / resources));
          if (!inbox->append(mw::Headers{"hubspot", "o", key}, "body " + key, facts)) ++errors;
        }
      });
    }
    for (auto& t : threads) t.join();
    REQUIRE(errors == 0);
    threads.clear();
    std::atomic<std::size_t> acked{0};
    REQUIRE(redis_test::shared_server().command({"CONFIG", "RESETSTAT"}) ==
            std::vector<std::string>{"OK"});
    const auto start = Clock::now();
    for (int w = 0; w < 4; ++w) {
      threads.emplace_back([&] {
        int idle = 0;
        while (acked.load() < total && idle < 1000) {
          auto batch = inbox->lease(25, 60s);
          if (!batch) {
            ++errors;
            return;
          }
          if (batch->empty()) {
            ++idle;
            std::this_thread::sleep_for(1ms);
            continue;
          }
          idle = 0;
          for (const mw::Delivery& d : *batch) {
            if (inbox->ack(d)) {
              ++acked;
            } else {
              ++errors;
            }
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    const double seconds = ms_since(start) / 1000;
    CHECK(errors == 0);
    CHECK(acked == total);
    // The server's time in the scripts (lease and ack), per delivery.
    const std::vector<std::string> info =
        redis_test::shared_server().command({"INFO", "commandstats"});
    double server_us = 0;
    // The commands the scripts ran (every cmdstat but the client's own): a cost the machine's
    // load does not blur.
    double commands = 0;
    if (!info.empty()) {
      const std::size_t at = info[0].find("cmdstat_evalsha:");
      const std::size_t usec = info[0].find("usec=", at);
      if (at != std::string::npos && usec != std::string::npos) {
        server_us = std::strtod(info[0].c_str() + usec + 5, nullptr);
      }
      for (std::size_t line = info[0].find("cmdstat_"); line != std::string::npos;
           line = info[0].find("cmdstat_", line + 1)) {
        const std::size_t colon = info[0].find(':', line);
        const std::string name = info[0].substr(line + 8, colon - line - 8);
        if (name == "evalsha" || name == "eval" || name == "config" || name == "info" ||
            name == "auth" || name == "ping" || name == "script") {
          continue;
        }
        commands += std::strtod(info[0].c_str() + colon + 7, nullptr);  // ":calls="
      }
    }
    std::printf(
        "ordered=%s: %zu resources x %zu events, 4 workers: %.0f deliveries/s leased and "
        "acked (%.1f s); server %.1f us and %.1f commands per delivery\n",
        ordered ? "true " : "false", resources, events, static_cast<double>(total) / seconds,
        seconds, server_us / static_cast<double>(total), commands / static_cast<double>(total));
  }
}
