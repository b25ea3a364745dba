// copy_inbox() (`inbox copy`): a populated SQLite inbox (every state, waiting and blocked
// deliveries, a replay, stale ones, a tombstone, skipped superseded ones) copied to Redis and
// back into a new SQLite file: every delivery identical in the three, the counts identical,
// keys and bodies still duplicates, and the copies lease the same deliveries with the same
// verdicts as the original.
#include <morph/webhook/inbox/sqlite.hpp>

#include <string>
#include <vector>

#include "inbox/temp_dir.hpp"
#include "redis_inbox_support.hpp"

namespace mw = morph::webhook;
using namespace std::chrono_literals;

namespace {

std::string describe(const mw::DeliveryRecord& r) {
  std::string s =
      std::to_string(r.id) + " " + std::string(mw::to_string(r.state)) + " a" +
      std::to_string(r.attempts) + (r.stale ? " stale" : "") +
      (r.arrival_stale ? " arrival-stale" : "") + (r.superseded ? " superseded" : "") +
      (r.waiting ? " waiting" : "") + (r.blocked ? " blocked" : "") + " r" +
      std::to_string(r.replays) + " @" + std::to_string(r.received_at.time_since_epoch().count()) +
      " due" + (r.due_at ? std::to_string(r.due_at->time_since_epoch().count()) : "-") + " " +
      r.connector_id + "/" + r.owner_id + "/" + r.idempotency_key + " " + r.model + "/" +
      r.resource_id + " " + std::string(mw::to_string(r.trigger)) + " u" +
      std::to_string(r.updated_at.time_since_epoch().count()) + " [" + r.last_error + "] " + r.body;
  return s;
}

std::vector<std::string> everything(mw::Inbox& inbox) {
  std::vector<std::string> out;
  std::optional<mw::DeliveryId> before;
  do {
    auto page = inbox.list({}, 1000, before);
    REQUIRE(page.has_value());
    for (const auto& r : page->deliveries) {
      auto full = inbox.get(r.id);
      REQUIRE(full.has_value());
      out.push_back(describe(*full));
    }
    before = page->next_before;
  } while (before);
  return out;
}

std::string counts(mw::Inbox& inbox) {
  auto s = inbox.stats();
  REQUIRE(s.has_value());
  return "ready " + std::to_string(s->ready) + " leased " + std::to_string(s->leased) +
         " delayed " + std::to_string(s->delayed) + " dead " + std::to_string(s->dead) + " acked " +
         std::to_string(s->acked_retained) + " stale " + std::to_string(s->stale) + " blocked " +
         std::to_string(s->blocked_resources) + " skipped " + std::to_string(s->skipped_superseded);
}

mw::EventFacts facts(const std::string& id, int updated, mw::Trigger t = mw::Trigger::updated) {
  return mw::EventFacts{"crmContact", id, t,
                        mw::TimePoint(std::chrono::seconds(1700000000 + updated))};
}

std::string body(const std::string& id, int updated, const char* trigger = "updated") {
  return std::string(R"({"event":"crmContact::)") + trigger + R"(","data":{"id":")" + id +
         R"(","updatedAt":)" + std::to_string(updated) + "}}";
}

}  // namespace

TEST_CASE("copy_inbox: SQLite to Redis and back, identical", "[redis][copy]") {
  TempDir dir;
  mw::TimePoint now = mw::TimePoint(std::chrono::hours(24 * 365 * 56));
  mw::InboxOptions options;
  options.clock = [&] { return now; };
  options.max_attempts = 2;
  options.backoff_initial = 10s;
  mw::SqliteOptions so;
  so.inbox = options;
  auto source = mw::SqliteInbox::open(dir.file("source.db"), so);
  REQUIRE(source.has_value());
  mw::Inbox& src = **source;

  const auto append = [&](const std::string& key, const std::string& id, int updated,
                          mw::Trigger t = mw::Trigger::updated) {
    const char* trigger = t == mw::Trigger::deleted ? "deleted" : "updated";
    auto r = src.append(mw::Headers{"hubspot", "owner-1", key}, body(id, updated, trigger),
                        facts(id, updated, t));
    REQUIRE(r.has_value());
    now += 1s;
    return r->delivery_id;
  };
  // Contact 1: 3 updates; contact 2: a deletion then an older update (a tombstone); contact 3:
  // dies twice; contact 4: fails once (delayed, blocking, one waiting behind it); contact 5:
  // leased; contact 6: superseded and skipped.
  append("k1", "1", 10);
  append("k2", "1", 20);
  append("k3", "1", 30);
  append("k4", "2", 50, mw::Trigger::deleted);
  append("k5", "3", 10);
  append("k6", "4", 10);
  append("k7", "4", 20);
  append("k8", "5", 10);
  append("k9", "6", 10);
  append("k10", "6", 20);
  const auto lease_all = [&](const mw::LeaseOptions& how = {}) {
    auto got = src.lease(100, 60s, how);
    REQUIRE(got.has_value());
    return *got;
  };
  for (const auto& d : lease_all()) {
    if (d.resource_id == "1" || d.resource_id == "2" || d.resource_id == "6") {
      REQUIRE(src.ack(d).has_value());
    } else if (d.resource_id == "3") {
      REQUIRE(src.fail(d, "handler exited 1").has_value());
    } else if (d.resource_id == "4") {
      REQUIRE(src.fail(d, "HTTP 503", mw::FailOptions{std::chrono::hours(1), true}).has_value());
    }
  }
  now += 20s;  // contact 3's retry is due; contact 5's lease holds (60 s)
  // Contact 1's second update is superseded by its third: skipped.
  for (const auto& d : lease_all({true})) {
    if (d.resource_id == "3") REQUIRE(src.fail(d, "handler exited 1 again").has_value());
    if (d.resource_id == "1" || d.resource_id == "6") REQUIRE(src.ack(d).has_value());
  }
  append("k11", "2", 50);  // as old as the deletion: stale at arrival
  const mw::DeliveryId replayed = append("k12", "7", 5);
  for (const auto& d : lease_all()) {
    if (d.id == replayed) REQUIRE(src.ack(d).has_value());
  }
  mw::DeliveryFilter seven;
  seven.resource_id = "7";
  REQUIRE(src.replay(seven, false).has_value());
  append("k13", "8", 1);  // ready, never leased
  // Contact 4's failed delivery (delayed), with one waiting behind it.
  const std::vector<std::string> original = everything(src);
  const std::string original_counts = counts(src);
  INFO(original_counts);
  REQUIRE(original.size() == 13);
  {
    // Every state is there to be copied.
    auto s = src.stats();
    REQUIRE(s.has_value());
    CHECK(s->dead == 1);
    CHECK(s->delayed == 1);
    CHECK(s->leased == 2);
    CHECK(s->skipped_superseded == 1);
    CHECK(s->blocked_resources == 1);
    CHECK(s->stale >= 1);
    CHECK(s->acked_retained >= 4);
    mw::DeliveryFilter waiting;
    waiting.resource_id = "4";
    auto page = src.list(waiting, 10, std::nullopt);
    REQUIRE(page.has_value());
    REQUIRE(page->deliveries.size() == 2);
    CHECK(page->deliveries[0].waiting);
    CHECK(page->deliveries[1].blocked);
    CHECK(page->deliveries[1].state == mw::DeliveryState::delayed);
    auto replay = src.get(replayed);
    REQUIRE(replay.has_value());
    CHECK(replay->replays == 1);
  }

  // SQLite -> Redis.
  mw::RedisOptions ro;
  ro.inbox = options;
  auto redis = redis_test::open_inbox(redis_test::fresh_name(), ro);
  auto copied = mw::copy_inbox(src, *redis);
  REQUIRE(copied.has_value());
  CHECK(*copied == 13);
  CHECK(everything(*redis) == original);
  CHECK(counts(*redis) == original_counts);
  // Not into a non-empty inbox.
  auto again = mw::copy_inbox(src, *redis);
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == mw::ErrorCode::invalid_value);

  // Redis -> a new SQLite file.
  auto back = mw::SqliteInbox::open(dir.file("back.db"), so);
  REQUIRE(back.has_value());
  copied = mw::copy_inbox(*redis, **back);
  REQUIRE(copied.has_value());
  CHECK(*copied == 13);
  CHECK(everything(**back) == original);
  CHECK(counts(**back) == original_counts);

  // Keys and bodies are still duplicates (of the same ids), in both copies.
  for (mw::Inbox* inbox :
       {static_cast<mw::Inbox*>(redis.get()), static_cast<mw::Inbox*>(back->get()), &src}) {
    auto dup = inbox->append(mw::Headers{"hubspot", "owner-1", "k1"}, "{}", facts("1", 99));
    REQUIRE(dup.has_value());
    CHECK(dup->status == mw::AppendStatus::duplicate);
    CHECK(dup->delivery_id == 1);
    auto same_body =
        inbox->append(mw::Headers{"hubspot", "owner-1", "new-key"}, body("5", 10), facts("5", 10));
    REQUIRE(same_body.has_value());
    CHECK(same_body->status == mw::AppendStatus::duplicate);
    // The tombstone holds: an update as old as the deletion is stale at arrival.
    auto late =
        inbox->append(mw::Headers{"hubspot", "owner-1", "late"}, body("2", 40), facts("2", 40));
    REQUIRE(late.has_value());
    CHECK(late->status == mw::AppendStatus::stored);
    CHECK(late->stale);
  }
  // And the three lease the same deliveries with the same verdicts, after the leases ran out.
  now += 120s;
  std::vector<std::string> leases[3];
  int i = 0;
  for (mw::Inbox* inbox :
       {&src, static_cast<mw::Inbox*>(redis.get()), static_cast<mw::Inbox*>(back->get())}) {
    for (int round = 0; round < 4; ++round) {
      auto got = inbox->lease(100, 30s);
      REQUIRE(got.has_value());
      for (const auto& d : *got) {
        leases[i].push_back(std::to_string(d.id) + (d.stale ? " stale" : "") +
                            (d.superseded ? " superseded" : "") + " a" + std::to_string(d.attempt));
        REQUIRE(inbox->ack(d).has_value());
      }
    }
    ++i;
  }
  CHECK(leases[1] == leases[0]);
  CHECK(leases[2] == leases[0]);
  CHECK(leases[0].size() >= 5);
}
