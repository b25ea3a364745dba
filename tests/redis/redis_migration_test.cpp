// A keyspace written by layout 1 (morph-webhook 6c9bbc7, before per-resource ordering: no
// `version` key) is migrated when opened, every delivery keeping its state; refused when
// migration is off or when the layout is newer, with both versions named.
#include <morph/webhook/inbox/redis.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "redis_inbox_support.hpp"

namespace {

namespace mw = morph::webhook;
using namespace std::chrono_literals;
using redis_test::fresh_name;
using redis_test::open_inbox;

std::vector<std::string> run(const std::vector<std::string>& args) {
  return redis_test::shared_server().command(args);
}

// Layout 1's `LENGTH:BYTES,...` names.
std::string encode(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += ',';
    out += std::to_string(p.size()) + ':' + p;
  }
  return out;
}

std::string micros(mw::TimePoint t) { return std::to_string(t.time_since_epoch().count()); }

// One delivery as layout 1's scripts wrote it (6c9bbc7's append, then lease/fail/ack).
struct OldDelivery {
  int id;
  const char* state;  // '0' pending, '1' acked, '2' dead
  int attempt;
  const char* token;
  std::chrono::seconds received;   // relative to now
  std::chrono::seconds available;  // relative to now: ready at, retry at or lease expiry
  const char* error;
  bool stale;
};

// The keys of layout 1 for these deliveries, with `now` the time of the test's clock.
void write_layout_1(const std::string& name, mw::TimePoint now,
                    const std::vector<OldDelivery>& deliveries) {
  const std::string p = "mw:{" + name + "}:";
  int last = 0;
  for (const OldDelivery& d : deliveries) {
    char id[24];
    std::snprintf(id, sizeof id, "%016d", d.id);
    const std::string key = "k" + std::to_string(d.id);
    const std::string body = "body " + key;
    const std::string sha1 = "sha-" + key;  // layout 1 compares bytes on a match anyway
    REQUIRE(run({"HSET",    p + "d:" + id,
                 "c",       "hubspot",
                 "o",       "owner-1",
                 "k",       key,
                 "body",    body,
                 "h",       sha1,
                 "stale",   d.stale ? "1" : "0",
                 "recv",    micros(now + d.received),
                 "state",   d.state,
                 "attempt", std::to_string(d.attempt),
                 "token",   d.token,
                 "avail",   micros(now + d.available),
                 "err",     d.error})
                .size() == 1);
    run({"SET", p + "k:" + encode({"hubspot", "owner-1", key}), id});
    run({"ZADD", p + "b:" + encode({"hubspot", "owner-1", sha1}), "0", id});
    if (d.stale) run({"SADD", p + "stale", id});
    if (std::string(d.state) == "0") {
      run({"ZADD", p + "pending", micros(now + d.received), id});
      run({"ZADD", p + (*d.token != 0 ? "leased" : "queue"), micros(now + d.available), id});
    } else if (std::string(d.state) == "1") {
      run({"ZADD", p + "acked", micros(now + d.received), id});
    } else {
      run({"ZADD", p + "dead", "0", id});
    }
    last = d.id;
  }
  run({"SET", p + "seq", std::to_string(last)});
  // An arrival guard, which layout 2 keeps as it is.
  run({"SET", p + "r:" + encode({"hubspot", "owner-1", "genericContact", "c1"}),
       "09223372036854775808 0", "PX", "3600000"});
}

const std::vector<OldDelivery>& layout_1_deliveries() {
  static const std::vector<OldDelivery> table = {
      // id state attempt token     received  available error      stale
      {1, "0", 0, "", -100s, -100s, "", true},         // ready
      {2, "0", 1, "", -90s, 600s, "boom", false},      // delayed
      {3, "0", 1, "tok3", -80s, 600s, "", false},      // leased, valid
      {4, "0", 1, "tok4", -70s, -10s, "", false},      // leased, expired
      {5, "1", 1, "", -60s, -50s, "", false},          // acked
      {6, "2", 10, "", -50s, -40s, "gave up", false},  // dead
  };
  return table;
}

}  // namespace

TEST_CASE("RedisInbox: a layout-1 keyspace is migrated on open, every delivery keeping its state",
          "[redis][migration]") {
  const std::string name = fresh_name();
  mw::TimePoint now = mw::TimePoint(std::chrono::hours(24 * 365 * 55));
  write_layout_1(name, now, layout_1_deliveries());
  mw::RedisOptions options;
  options.inbox.clock = [&] { return now; };
  auto inbox = open_inbox(name, options);

  const std::string p = "mw:{" + name + "}:";
  CHECK(run({"GET", p + "version"}) ==
        std::vector<std::string>{std::to_string(mw::redis_layout_version)});
  for (const char* gone :
       {"pending", "queue", "v1:leased", "v1:acked", "v1:dead", "v1:migrating"}) {
    INFO(gone);
    CHECK(run({"EXISTS", p + gone}) == std::vector<std::string>{"0"});
  }
  const auto s = inbox->stats();
  REQUIRE(s.has_value());
  CHECK(s->ready == 2);  // 1, and 4 whose lease expired
  CHECK(s->leased == 1);
  CHECK(s->delayed == 1);
  CHECK(s->dead == 1);
  CHECK(s->acked_retained == 1);
  CHECK(s->stale == 1);
  REQUIRE(s->oldest_ready_age.has_value());
  CHECK(*s->oldest_ready_age == 100s);

  // Dedupe still holds: the keys of a pending and of an acked delivery are duplicates.
  for (const char* key : {"k1", "k5"}) {
    INFO(key);
    const auto again = inbox->append(mw::Headers{"hubspot", "owner-1", key}, "x", mw::EventFacts{});
    REQUIRE(again.has_value());
    CHECK(again->status == mw::AppendStatus::duplicate);
    CHECK(again->delivery_id == std::stoll(std::string(key + 1)));
  }
  // The valid lease survives the migration; the expired one was reclaimed.
  CHECK(inbox->ack(3, "tok3").has_value());
  CHECK(!inbox->ack(4, "tok4").has_value());
  const auto leased = inbox->lease(10, 30s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 2);
  CHECK(leased->at(0).id == 1);
  CHECK(leased->at(0).attempt == 1);
  CHECK(leased->at(0).idempotency_key == "k1");
  CHECK(leased->at(0).body == "body k1");
  CHECK(leased->at(1).id == 4);
  CHECK(leased->at(1).attempt == 2);
  for (const mw::Delivery& d : *leased) CHECK(inbox->ack(d).has_value());
  // The delayed one comes back after its retry time, with its last error.
  now += 601s;
  const auto retried = inbox->lease(10, 30s);
  REQUIRE(retried.has_value());
  REQUIRE(retried->size() == 1);
  CHECK(retried->front().id == 2);
  CHECK(retried->front().last_error == "boom");
  const auto dead = inbox->dead_letters();
  REQUIRE(dead.has_value());
  REQUIRE(dead->size() == 1);
  CHECK(dead->front().id == 6);
  CHECK(dead->front().attempts == 10);
  CHECK(dead->front().last_error == "gave up");
  CHECK(inbox->requeue(6).has_value());

  // A second opener finds layout 2 and changes nothing.
  auto second = open_inbox(name, options);
  const auto s2 = second->stats();
  REQUIRE(s2.has_value());
  CHECK(s2->ready == 1);
  CHECK(s2->acked_retained == 4);
}

TEST_CASE(
    "RedisInbox: layout 1 with migration off, or a newer layout, is refused naming both "
    "versions",
    "[redis][migration]") {
  const std::string name = fresh_name();
  const mw::TimePoint now = mw::system_now();
  write_layout_1(name, now, layout_1_deliveries());
  mw::RedisOptions options;
  options.migrate = false;
  options.expire_in_background = false;
  auto refused = mw::RedisInbox::open(redis_test::endpoint(name), options);
  REQUIRE(!refused.has_value());
  CHECK(refused.error().code == mw::ErrorCode::invalid_value);
  INFO(refused.error().message);
  CHECK(refused.error().message.find("key layout 1") != std::string::npos);
  CHECK(refused.error().message.find("uses layout 3") != std::string::npos);
  CHECK(refused.error().message.find("migrat") != std::string::npos);
  // Nothing was touched.
  CHECK(run({"EXISTS", "mw:{" + name + "}:version"}) == std::vector<std::string>{"0"});
  CHECK(run({"ZCARD", "mw:{" + name + "}:pending"}) == std::vector<std::string>{"4"});

  const std::string newer = fresh_name();
  run({"SET", "mw:{" + newer + "}:version", "4"});
  auto too_new = mw::RedisInbox::open(redis_test::endpoint(newer), options);
  REQUIRE(!too_new.has_value());
  INFO(too_new.error().message);
  CHECK(too_new.error().message.find("key layout 4") != std::string::npos);
  CHECK(too_new.error().message.find("uses layout 3") != std::string::npos);
  CHECK(too_new.error().message.find("newer") != std::string::npos);
}

TEST_CASE(
    "RedisInbox: a layout-2 keyspace that lost its version key is stamped again, not "
    "migrated",
    "[redis][migration]") {
  const std::string name = fresh_name();
  mw::RedisOptions options;
  auto inbox = open_inbox(name, options);
  for (const char* key : {"k1", "k2", "k3"}) {
    REQUIRE(inbox->append(mw::Headers{"hubspot", "o", key}, key, mw::EventFacts{}).has_value());
  }
  auto leased = inbox->lease(2, 30s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 2);
  REQUIRE(inbox->ack(leased->front()).has_value());
  // As after an eviction of that one key, or a FLUSHALL followed by writes of a running process.
  REQUIRE(run({"DEL", "mw:{" + name + "}:version"}) == std::vector<std::string>{"1"});
  auto reopened = open_inbox(name, options);
  CHECK(run({"GET", "mw:{" + name + "}:version"}) ==
        std::vector<std::string>{std::to_string(mw::redis_layout_version)});
  const auto s = reopened->stats();
  REQUIRE(s.has_value());
  CHECK(s->ready == 1);
  CHECK(s->leased == 1);
  CHECK(s->acked_retained == 1);
  CHECK(reopened->ack(leased->at(1)).has_value());
}
