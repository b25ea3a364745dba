// Leases are judged by one clock, the Redis server's: two workers whose clocks disagree never
// both complete a delivery, a reclaimed lease's late ack is refused, and nothing ends both
// acked and dead (the two-clock defect of layout 1, where the lease scripts trusted each
// caller's clock and a reclaimed lease kept its token).
#include <morph/webhook/inbox/redis.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "redis_inbox_support.hpp"

namespace {

namespace mw = morph::webhook;
using namespace std::chrono_literals;
using redis_test::fresh_name;
using redis_test::open_inbox;

mw::EventFacts facts_of(const std::string& id, std::int64_t updated_seconds) {
  mw::EventFacts f;
  f.model = "genericContact";
  f.id = id;
  f.trigger = mw::Trigger::updated;
  f.updated_at = mw::TimePoint(std::chrono::seconds(1'750'000'000 + updated_seconds));
  return f;
}

// The server's clock, from TIME.
mw::TimePoint server_time() {
  const std::vector<std::string> t = redis_test::shared_server().command({"TIME"});
  REQUIRE(t.size() == 2);
  return mw::TimePoint(std::chrono::seconds(std::stoll(t[0])) +
                       std::chrono::microseconds(std::stoll(t[1])));
}

}  // namespace

TEST_CASE("RedisInbox: two workers with clocks 40 s apart: a reclaimed lease's ack is refused",
          "[redis][time]") {
  const std::string name = fresh_name();
  mw::TimePoint slow_now = mw::TimePoint(std::chrono::hours(24 * 365 * 55));
  mw::TimePoint fast_now = slow_now + 40s;
  mw::RedisOptions slow_options;
  slow_options.inbox.max_attempts = 3;
  slow_options.inbox.clock = [&] { return slow_now; };
  mw::RedisOptions fast_options = slow_options;
  fast_options.inbox.clock = [&] { return fast_now; };
  auto slow = open_inbox(name, slow_options);
  auto fast = open_inbox(name, fast_options);

  REQUIRE(slow->append(mw::Headers{"hubspot", "o", "k1"}, "b1", facts_of("c1", 1)).has_value());
  auto first = slow->lease(1, 30s);
  REQUIRE(first.has_value());
  REQUIRE(first->size() == 1);
  // By the fast clock the slow worker's lease expired 10 s ago: it is reclaimed and re-leased.
  auto second = fast->lease(1, 30s);
  REQUIRE(second.has_value());
  REQUIRE(second->size() == 1);
  CHECK(second->front().id == first->front().id);
  CHECK(second->front().attempt == 2);
  // The slow worker's ack (its own clock says its lease is valid) is refused: the token went
  // with the reclaimed lease.
  const auto late = slow->ack(first->front());
  REQUIRE(!late.has_value());
  CHECK(late.error().code == mw::ErrorCode::lease_lost);
  CHECK(late.error().message.find("not its current lease") != std::string::npos);
  CHECK(!slow->fail(first->front(), "late").has_value());
  CHECK(!slow->extend(first->front().id, first->front().lease_token, 30s).has_value());
  REQUIRE(fast->ack(second->front()).has_value());

  // Done once: never leased again, never dead, however far both clocks go.
  for (int round = 0; round < 5; ++round) {
    slow_now += 1h;
    fast_now += 1h;
    auto again = (round % 2 == 0 ? *slow : *fast).lease(10, 30s);
    REQUIRE(again.has_value());
    CHECK(again->empty());
  }
  const auto dead = fast->dead_letters();
  REQUIRE(dead.has_value());
  CHECK(dead->empty());
  const auto s = fast->stats();
  REQUIRE(s.has_value());
  CHECK(s->acked_retained == 1);
  CHECK(s->ready + s->leased + s->delayed + s->dead == 0);
}

TEST_CASE("RedisInbox: without an injected clock every time is the server's", "[redis][time]") {
  auto inbox = open_inbox(fresh_name(), {});
  REQUIRE(inbox->append(mw::Headers{"hubspot", "o", "k1"}, "b1", facts_of("c1", 1)).has_value());
  const mw::TimePoint before = server_time();
  auto leased = inbox->lease(1, 30s);
  const mw::TimePoint after = server_time();
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 1);
  CHECK(leased->front().lease_expires_at >= before + 30s);
  CHECK(leased->front().lease_expires_at <= after + 30s);
  CHECK(leased->front().received_at <= before);
  auto extended = inbox->extend(leased->front(), 60s);
  REQUIRE(extended.has_value());
  CHECK(*extended >= before + 60s);
  const auto failed = inbox->fail(leased->front(), "try later");
  REQUIRE(failed.has_value());
  CHECK(!failed->dead);
  CHECK(failed->retry_at >= before + 5s);  // backoff_initial from the server's now
  CHECK(failed->retry_at <= server_time() + 5s);
}

TEST_CASE(
    "RedisInbox: two inboxes on the server's clock, short leases, slow handlers: each "
    "delivery acked exactly once, never leased after its ack, none dead",
    "[redis][time]") {
  constexpr int resources = 10;
  constexpr int per_resource = 6;
  const std::string name = fresh_name();
  mw::RedisOptions options;
  options.inbox.max_attempts = 1000;  // expiries must not kill anything here
  options.inbox.backoff_initial = 1ms;
  auto a = open_inbox(name, options);
  auto b = open_inbox(name, options);
  for (int r = 0; r < resources; ++r) {
    for (int u = 0; u < per_resource; ++u) {
      const std::string key = "c" + std::to_string(r) + "-u" + std::to_string(u);
      REQUIRE(a->append(mw::Headers{"hubspot", "o", key}, "body " + key,
                        facts_of("c" + std::to_string(r), u))
                  .has_value());
    }
  }
  std::mutex mutex;
  std::map<mw::DeliveryId, int> acked;
  std::map<mw::DeliveryId, std::uint32_t> acked_attempt;   // the attempt whose ack succeeded
  std::map<mw::DeliveryId, std::uint32_t> latest_attempt;  // the latest attempt leased
  std::atomic<int> refused{0};
  std::atomic<int> errors{0};
  std::atomic<int> done{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w) {
    workers.emplace_back([&, w] {
      mw::RedisInbox& inbox = w % 2 == 0 ? *a : *b;
      for (int spin = 0; spin < 3000 && done.load() < resources * per_resource; ++spin) {
        auto batch = inbox.lease(2, 100ms);
        if (!batch) {
          ++errors;
          return;
        }
        if (batch->empty()) {
          std::this_thread::sleep_for(2ms);
          continue;
        }
        for (const mw::Delivery& d : *batch) {
          {
            std::lock_guard<std::mutex> lock(mutex);
            latest_attempt[d.id] = std::max(latest_attempt[d.id], d.attempt);
          }
          // Every third handler outlives its lease: another worker gets the delivery.
          if ((d.id + w) % 3 == 0) std::this_thread::sleep_for(150ms);
          const auto r = inbox.ack(d);
          if (!r) {
            if (r.error().code == mw::ErrorCode::lease_lost) {
              ++refused;
            } else {
              ++errors;
            }
            continue;
          }
          std::lock_guard<std::mutex> lock(mutex);
          acked_attempt[d.id] = d.attempt;
          if (++acked[d.id] == 1) ++done;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  CHECK(errors == 0);
  CHECK(refused > 0);  // the slow handlers' leases were reclaimed
  CHECK(acked.size() == static_cast<std::size_t>(resources * per_resource));
  for (const auto& [id, times] : acked) {
    INFO("delivery " << id);
    CHECK(times == 1);
    // Never leased again after the ack: the acked attempt is the last one handed out.
    CHECK(acked_attempt[id] == latest_attempt[id]);
  }
  const auto dead = a->dead_letters();
  REQUIRE(dead.has_value());
  CHECK(dead->empty());
  const auto s = b->stats();
  REQUIRE(s.has_value());
  CHECK(s->acked_retained == static_cast<std::uint64_t>(resources * per_resource));
  CHECK(s->ready + s->leased + s->delayed + s->dead == 0);
  CHECK(s->blocked_resources == 0);
}
