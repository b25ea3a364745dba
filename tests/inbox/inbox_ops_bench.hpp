// Benchmark (hidden, tag [benchmark]; not a timed test): get() and list() with each filter on an
// inbox of MORPH_WEBHOOK_OPS_DELIVERIES deliveries (default 1,000,000) appended through the
// inbox by 8 threads: 10 connectors x 10 owners, 5 models, 10 deliveries per resource; 10 % acked,
// 1,000 dead. Prints the milliseconds of each call (median and max of several).
#pragma once

#include <morph/webhook/inbox.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"

namespace inbox_ops_bench {

namespace mw = morph::webhook;
using namespace std::chrono_literals;

inline std::size_t deliveries_wanted() {
  const char* env = std::getenv("MORPH_WEBHOOK_OPS_DELIVERIES");
  return env != nullptr && *env != '\0' ? static_cast<std::size_t>(std::stoull(env)) : 1000000;
}

inline const char* model_of(std::size_t i) {
  static const char* models[] = {"crmContact", "crmCompany", "crmEngagement", "crmOpportunity",
                                 "genericContact"};
  return models[i % 5];
}

// Milliseconds of `f` run `runs` times: "median / max".
inline std::string time_ms(int runs, const std::function<void()>& f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  char out[64];
  std::snprintf(out, sizeof out, "%8.2f / %8.2f", ms[ms.size() / 2], ms.back());
  return out;
}

/// Fills `inbox` and prints the table.
inline void run(mw::Inbox& inbox, const char* backend) {
  const std::size_t total = deliveries_wanted();
  const mw::TimePoint started = mw::system_now();
  const auto fill_start = std::chrono::steady_clock::now();
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (std::size_t i; (i = next.fetch_add(1)) < total;) {
        const std::size_t resource = i / 10;
        const std::string connector = "conn-" + std::to_string(resource % 10);
        const std::string owner = "owner-" + std::to_string(resource % 100);
        const std::string id = std::to_string(resource);
        const std::string body = std::string(R"({"event":")") + model_of(resource) +
                                 R"(::updated","data":{"id":")" + id + R"(","n":)" +
                                 std::to_string(i) + "}}";
        mw::EventFacts facts{model_of(resource), id, mw::Trigger::updated,
                             mw::TimePoint(std::chrono::seconds(1700000000 + i))};
        auto r = inbox.append(mw::Headers{connector, owner, "k" + std::to_string(i)}, body, facts);
        if (!r) FAIL(r.error().message);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double fill_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count();
  // 10 % acked, 1,000 dead (a lease of heads, then ack / fail with max_attempts 1).
  std::size_t acked = 0;
  std::size_t dead = 0;
  while (acked + dead < total / 10) {
    auto got = inbox.lease(1000, 600s);
    REQUIRE(got.has_value());
    if (got->empty()) break;
    for (const auto& d : *got) {
      if (dead < 1000) {
        REQUIRE(inbox.fail(d, "benchmark").has_value());
        ++dead;
      } else {
        REQUIRE(inbox.ack(d).has_value());
        ++acked;
      }
    }
  }
  std::printf("\n%s: %zu deliveries appended in %.1f s (%.0f/s); %zu acked, %zu dead\n", backend,
              total, fill_s, static_cast<double>(total) / fill_s, acked, dead);
  std::printf("%-44s %s   (ms: median / max of the runs)\n", "call", "   time");

  std::uint64_t seed = 12345;
  const auto random_id = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<mw::DeliveryId>((seed >> 33) % total) + 1;
  };
  std::printf("%-44s %s\n", "get(random id) x200", time_ms(200, [&] {
                                                     auto r = inbox.get(random_id());
                                                     REQUIRE(r.has_value());
                                                   }).c_str());
  const auto list = [&](const char* name, const mw::DeliveryFilter& f,
                        std::optional<mw::DeliveryId> before = std::nullopt) {
    std::size_t found = 0;
    const std::string t = time_ms(20, [&] {
      auto page = inbox.list(f, 50, before);
      REQUIRE(page.has_value());
      found = page->deliveries.size();
    });
    std::printf("%-44s %s   (%zu rows)\n", name, t.c_str(), found);
  };
  list("list() newest 50", {});
  list("list() 50 before the middle id", {}, static_cast<mw::DeliveryId>(total / 2));
  mw::DeliveryFilter f;
  f.state = mw::DeliveryState::dead;
  list("list(state=dead)", f);
  f.state = mw::DeliveryState::acked;
  list("list(state=acked)", f);
  f.state = mw::DeliveryState::ready;
  list("list(state=ready)", f);
  f = {};
  f.model = "crmCompany";
  list("list(model)", f);
  f = {};
  f.connector_id = "conn-3";
  list("list(connector)", f);
  f.owner_id = "owner-23";
  list("list(connector, owner)", f);
  f = {};
  f.owner_id = "owner-42";
  list("list(owner)", f);
  f = {};
  const std::size_t resource = (total / 10) / 3;
  f.connector_id = "conn-" + std::to_string(resource % 10);
  f.owner_id = "owner-" + std::to_string(resource % 100);
  f.model = model_of(resource);
  f.resource_id = std::to_string(resource);
  list("list(resource)", f);
  f = {};
  f.model = "crmContact";
  f.state = mw::DeliveryState::dead;
  list("list(model, state=dead)", f);
  f = {};
  f.since = started;
  f.until = started + std::chrono::duration_cast<mw::InboxDuration>(
                          std::chrono::duration<double>(fill_s / 2));
  list("list(since, until: the first half)", f);
}

}  // namespace inbox_ops_bench
