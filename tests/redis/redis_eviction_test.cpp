// Eviction: memory() reads `INFO memory` from a real redis-server started with a memory limit
// and an evicting policy (what `serve` refuses), and lease() skips a delivery whose data is gone
// (deleted behind the inbox's back, as eviction would) instead of handing out a ghost.
#include <morph/webhook/inbox/redis.hpp>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "redis_inbox_support.hpp"

namespace {

namespace mw = morph::webhook;
using namespace std::chrono_literals;
using redis_test::fresh_name;
using redis_test::open_inbox;

mw::EventFacts contact(const std::string& id, std::int64_t updated_seconds) {
  mw::EventFacts f;
  f.model = "genericContact";
  f.id = id;
  f.trigger = mw::Trigger::updated;
  f.updated_at = mw::TimePoint(std::chrono::seconds(1'750'000'000 + updated_seconds));
  return f;
}

}  // namespace

TEST_CASE("Redis INFO memory: maxmemory and policy parsed; missing lines refused",
          "[redis][eviction]") {
  const auto m = mw::parse_redis_memory_info(
      "# Memory\r\nused_memory:1000\r\nmaxmemory:67108864\r\nmaxmemory_human:64.00M\r\n"
      "maxmemory_policy:allkeys-lru\r\n");
  REQUIRE(m.has_value());
  CHECK(m->maxmemory == 67108864);
  CHECK(m->policy == "allkeys-lru");
  CHECK(m->evicts());
  CHECK(m->describe().find("evicts keys") != std::string::npos);

  mw::RedisMemory bounded{1024, "noeviction"};
  CHECK(!bounded.evicts());
  mw::RedisMemory unbounded{0, "allkeys-lru"};
  CHECK(!unbounded.evicts());

  const auto none = mw::parse_redis_memory_info("# Memory\r\nused_memory:1000\r\n");
  REQUIRE(!none.has_value());
  CHECK(none.error().code == mw::ErrorCode::storage_unavailable);
}

TEST_CASE("RedisInbox::memory(): a server with maxmemory and an evicting policy is reported",
          "[redis][eviction]") {
  // The shared server has no limit.
  auto shared = open_inbox(fresh_name(), {});
  const auto unlimited = shared->memory();
  REQUIRE(unlimited.has_value());
  CHECK(unlimited->maxmemory == 0);
  CHECK(!unlimited->evicts());

  const auto binary = redis_test::find_redis_server();
  REQUIRE(binary.has_value());
  std::mt19937_64 random{std::random_device{}()};
  redis_test::RedisServer evicting(*binary, "pw-" + std::to_string(random()),
                                   {"--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"});
  REQUIRE(evicting.start());
  auto inbox = open_inbox(fresh_name(), {}, evicting);
  auto m = inbox->memory();
  REQUIRE(m.has_value());
  CHECK(m->maxmemory == 64ull * 1024 * 1024);
  CHECK(m->policy == "allkeys-lru");
  CHECK(m->evicts());
  CHECK(m->describe().find("maxmemory-policy allkeys-lru") != std::string::npos);

  // The same limit with noeviction loses nothing: Redis refuses writes when full.
  REQUIRE(evicting.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"}) ==
          std::vector<std::string>{"OK"});
  m = inbox->memory();
  REQUIRE(m.has_value());
  CHECK(m->policy == "noeviction");
  CHECK(!m->evicts());
  evicting.stop(SIGTERM);
  // A server that is away: an error, not a verdict.
  CHECK(!inbox->memory().has_value());
}

TEST_CASE(
    "RedisInbox: a delivery whose data vanished is skipped and reported, and its resource "
    "released",
    "[redis][eviction]") {
  const std::string name = redis_test::fresh_name();
  std::vector<mw::DeliveryId> reported;
  mw::RedisOptions options;
  options.on_missing = [&](mw::DeliveryId id) { reported.push_back(id); };
  auto inbox = open_inbox(name, options);
  const auto first = inbox->append(mw::Headers{"hubspot", "o", "c1-u1"}, "b1", contact("c1", 1));
  const auto second = inbox->append(mw::Headers{"hubspot", "o", "c1-u2"}, "b2", contact("c1", 2));
  const auto other = inbox->append(mw::Headers{"hubspot", "o", "c2-u1"}, "b3", contact("c2", 1));
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  REQUIRE(other.has_value());
  char padded[24];
  std::snprintf(padded, sizeof padded, "%016lld", static_cast<long long>(first->delivery_id));
  REQUIRE(
      redis_test::shared_server().command({"DEL", "mw:{" + name + "}:d:" + std::string(padded)}) ==
      std::vector<std::string>{"1"});

  const auto leased = inbox->lease(10, 30s);
  REQUIRE(leased.has_value());
  // No ghost: the two deliveries that exist, complete; c1's second update is no longer blocked
  // behind the missing first.
  REQUIRE(leased->size() == 2);
  for (const mw::Delivery& d : *leased) {
    INFO(d.id);
    CHECK(d.id != first->delivery_id);
    CHECK(d.connector_id == "hubspot");
    CHECK(!d.body.empty());
    CHECK(d.received_at.time_since_epoch().count() > 0);
  }
  CHECK(((leased->at(0).id == other->delivery_id && leased->at(1).id == second->delivery_id) ||
         (leased->at(1).id == other->delivery_id && leased->at(0).id == second->delivery_id)));
  REQUIRE(reported == std::vector<mw::DeliveryId>{first->delivery_id});
  const auto s = inbox->redis_stats();
  REQUIRE(s.has_value());
  CHECK(s->missing == 1);
  CHECK(s->inbox.ready == 0);
  CHECK(s->inbox.leased == 2);
  for (const mw::Delivery& d : *leased) REQUIRE(inbox->ack(d).has_value());
  // Its key is free again: Morph's retry of it is stored, not answered as a duplicate of nothing.
  const auto retry = inbox->append(mw::Headers{"hubspot", "o", "c1-u1"}, "b1", contact("c1", 1));
  REQUIRE(retry.has_value());
  CHECK(retry->status == mw::AppendStatus::stored);
}

TEST_CASE(
    "RedisInbox: a vanished delivery waiting in its resource's line is skipped when its turn "
    "comes",
    "[redis][eviction]") {
  const std::string name = redis_test::fresh_name();
  auto inbox = open_inbox(name, {});
  std::vector<mw::DeliveryId> ids;
  for (int u = 1; u <= 3; ++u) {
    const auto r = inbox->append(mw::Headers{"hubspot", "o", "c1-u" + std::to_string(u)},
                                 "b" + std::to_string(u), contact("c1", u));
    REQUIRE(r.has_value());
    ids.push_back(r->delivery_id);
  }
  char padded[24];
  std::snprintf(padded, sizeof padded, "%016lld", static_cast<long long>(ids[1]));
  REQUIRE(
      redis_test::shared_server().command({"DEL", "mw:{" + name + "}:d:" + std::string(padded)}) ==
      std::vector<std::string>{"1"});
  auto first = inbox->lease(10, 30s);
  REQUIRE(first.has_value());
  REQUIRE(first->size() == 1);
  CHECK(first->front().id == ids[0]);
  REQUIRE(inbox->ack(first->front()).has_value());
  // The ack passes the resource on: the vanished second is skipped, the third is next.
  auto third = inbox->lease(10, 30s);
  REQUIRE(third.has_value());
  REQUIRE(third->size() == 1);
  CHECK(third->front().id == ids[2]);
  CHECK(third->front().body == "b3");
  REQUIRE(inbox->ack(third->front()).has_value());
  const auto s = inbox->redis_stats();
  REQUIRE(s.has_value());
  CHECK(s->missing == 1);
  CHECK(s->inbox.ready == 0);
  CHECK(!s->inbox.oldest_ready_age.has_value());
  CHECK(s->inbox.acked_retained == 2);
}

TEST_CASE(
    "RedisInbox: a failed delivery whose data vanished during its backoff is skipped and "
    "reported",
    "[redis][eviction]") {
  const std::string name = redis_test::fresh_name();
  mw::TimePoint now = mw::TimePoint(std::chrono::hours(24 * 365 * 55));
  std::vector<mw::DeliveryId> reported;
  mw::RedisOptions options;
  options.inbox.clock = [&] { return now; };
  options.on_missing = [&](mw::DeliveryId id) { reported.push_back(id); };
  auto inbox = open_inbox(name, options);
  const auto first = inbox->append(mw::Headers{"hubspot", "o", "c1-u1"}, "b1", contact("c1", 1));
  const auto second = inbox->append(mw::Headers{"hubspot", "o", "c1-u2"}, "b2", contact("c1", 2));
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  auto leased = inbox->lease(10, 30s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 1);
  REQUIRE(inbox->fail(leased->front(), "downstream down").has_value());
  char padded[24];
  std::snprintf(padded, sizeof padded, "%016lld", static_cast<long long>(first->delivery_id));
  REQUIRE(
      redis_test::shared_server().command({"DEL", "mw:{" + name + "}:d:" + std::string(padded)}) ==
      std::vector<std::string>{"1"});
  now += 5s;  // its retry is due
  auto next = inbox->lease(10, 30s);
  REQUIRE(next.has_value());
  REQUIRE(next->size() == 1);
  CHECK(next->front().id == second->delivery_id);
  CHECK(reported == std::vector<mw::DeliveryId>{first->delivery_id});
  const auto s = inbox->redis_stats();
  REQUIRE(s.has_value());
  CHECK(s->missing == 1);
  CHECK(s->inbox.blocked_resources == 0);
  CHECK(s->inbox.delayed == 0);
}
