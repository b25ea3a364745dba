// The operator's view, backend-neutral: get(), list() with every filter and paging, replay()
// (order behind the resource's current deliveries, attempts reset, never stale), purge_dead().
// Run unchanged against SqliteInbox (sqlite_ops_test.cpp) and RedisInbox (redis_ops_test.cpp)
// on a controlled clock.
#pragma once

#include <morph/webhook/inbox.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catch.hpp"

namespace inbox_ops {

namespace mw = morph::webhook;
using namespace std::chrono_literals;

/// Opens a fresh, empty inbox with these options.
using InboxFactory = std::function<std::unique_ptr<mw::Inbox>(const mw::InboxOptions&)>;

/// One stored event: connector, owner, model, data.id, updatedAt (seconds).
struct Event {
  std::string connector;
  std::string owner;
  std::string model;
  std::string id;
  std::int64_t updated = 0;
  mw::Trigger trigger = mw::Trigger::updated;
};

inline std::string body_of(const Event& e, int n) {
  return R"({"event":")" + e.model + "::" + std::string(mw::to_string(e.trigger)) +
         R"(","data":{"id":")" + e.id + R"(","updatedAt":)" + std::to_string(e.updated) +
         R"(,"n":)" + std::to_string(n) + "}}";
}

/// A clock the test moves, and the inbox under test.
struct Fixture {
  mw::TimePoint now = mw::TimePoint(std::chrono::hours(24 * 365 * 56));
  std::unique_ptr<mw::Inbox> inbox;
  int appended = 0;

  Fixture(const InboxFactory& factory, std::uint32_t max_attempts = 10) {
    mw::InboxOptions o;
    o.clock = [this] { return now; };
    o.max_attempts = max_attempts;
    o.backoff_initial = 1s;
    inbox = factory(o);
  }

  mw::DeliveryId append(const Event& e) {
    const std::string key = "key-" + std::to_string(++appended);
    const std::string body = body_of(e, appended);
    mw::EventFacts facts{e.model, e.id, e.trigger,
                         mw::TimePoint(std::chrono::seconds(1700000000 + e.updated))};
    auto r = inbox->append(mw::Headers{e.connector, e.owner, key}, body, facts);
    REQUIRE(r.has_value());
    REQUIRE(r->status == mw::AppendStatus::stored);
    now += 1s;
    return r->delivery_id;
  }

  std::vector<mw::DeliveryId> ids(const mw::DeliveryFilter& f, std::size_t limit = 1000) {
    auto page = inbox->list(f, limit, std::nullopt);
    REQUIRE(page.has_value());
    std::vector<mw::DeliveryId> out;
    for (const auto& r : page->deliveries) out.push_back(r.id);
    return out;
  }

  mw::DeliveryRecord get(mw::DeliveryId id) {
    auto r = inbox->get(id);
    REQUIRE(r.has_value());
    return *r;
  }

  // Leases everything ready and acks it, in lease order; returns the ids.
  std::vector<mw::DeliveryId> drain() {
    std::vector<mw::DeliveryId> order;
    for (;;) {
      auto got = inbox->lease(100, 30s);
      REQUIRE(got.has_value());
      if (got->empty()) return order;
      for (const auto& d : *got) {
        order.push_back(d.id);
        REQUIRE(inbox->ack(d).has_value());
      }
    }
  }
};

inline mw::DeliveryFilter state_is(mw::DeliveryState s) {
  mw::DeliveryFilter f;
  f.state = s;
  return f;
}

/// get(): every field, the body byte for byte; not_found for an unknown id.
inline void check_get(const InboxFactory& factory) {
  Fixture f(factory);
  const Event e{"conn-a", "owner-1", "crmContact", "247", 100};
  const mw::TimePoint received = f.now;
  const mw::DeliveryId id = f.append(e);
  mw::DeliveryRecord r = f.get(id);
  CHECK(r.id == id);
  CHECK(r.state == mw::DeliveryState::ready);
  CHECK(r.attempts == 0);
  CHECK_FALSE(r.stale);
  CHECK_FALSE(r.waiting);
  CHECK(r.received_at == received);
  CHECK(r.connector_id == "conn-a");
  CHECK(r.owner_id == "owner-1");
  CHECK(r.idempotency_key == "key-1");
  CHECK(r.model == "crmContact");
  CHECK(r.resource_id == "247");
  CHECK(r.trigger == mw::Trigger::updated);
  CHECK(r.updated_at == mw::TimePoint(std::chrono::seconds(1700000100)));
  CHECK(r.body == body_of(e, 1));
  CHECK_FALSE(r.due_at.has_value());

  // Leased, then failed: the lease expiry, then the retry time and the error.
  auto leased = f.inbox->lease(1, 30s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 1);
  r = f.get(id);
  CHECK(r.state == mw::DeliveryState::leased);
  CHECK(r.attempts == 1);
  REQUIRE(r.due_at.has_value());
  CHECK(*r.due_at == f.now + 30s);
  REQUIRE(f.inbox->fail(leased->front(), "HTTP 500 from the handler").has_value());
  r = f.get(id);
  CHECK(r.state == mw::DeliveryState::delayed);
  CHECK(r.last_error == "HTTP 500 from the handler");
  CHECK(r.blocked);

  // A second delivery of the resource waits behind it.
  const mw::DeliveryId second = f.append(Event{"conn-a", "owner-1", "crmContact", "247", 101});
  CHECK(f.get(second).waiting);
  CHECK(f.get(second).state == mw::DeliveryState::ready);

  auto missing = f.inbox->get(id + 1000);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == mw::ErrorCode::not_found);
}

/// list(): newest first, every filter, paging by id.
inline void check_list(const InboxFactory& factory) {
  Fixture f(factory, 1);
  const mw::TimePoint start = f.now;
  std::vector<mw::DeliveryId> all;
  // 12 deliveries: 2 connectors x 2 owners, 3 models, resources 1..3.
  for (int i = 0; i < 12; ++i) {
    Event e{i % 2 == 0 ? "conn-a" : "conn-b", i % 4 < 2 ? "owner-1" : "owner-2",
            i % 3 == 0 ? "crmContact" : (i % 3 == 1 ? "crmCompany" : "crmEngagement"),
            std::to_string(i % 3 + 1), 100 + i};
    all.push_back(f.append(e));
  }
  const std::vector<mw::DeliveryId> newest_first(all.rbegin(), all.rend());
  CHECK(f.ids({}) == newest_first);

  // Paging: 5, 5, 2, then nothing.
  std::vector<mw::DeliveryId> paged;
  std::optional<mw::DeliveryId> before;
  int pages = 0;
  do {
    auto page = f.inbox->list({}, 5, before);
    REQUIRE(page.has_value());
    CHECK(page->deliveries.size() <= 5);
    for (const auto& r : page->deliveries) {
      paged.push_back(r.id);
      CHECK(r.body.empty());
    }
    before = page->next_before;
    ++pages;
  } while (before && pages < 10);
  CHECK(paged == newest_first);
  CHECK(pages == 3);

  const auto only = [&](auto keep) {
    std::vector<mw::DeliveryId> out;
    for (std::size_t i = all.size(); i-- > 0;) {
      if (keep(static_cast<int>(i))) out.push_back(all[i]);
    }
    return out;
  };
  mw::DeliveryFilter by_model;
  by_model.model = "crmCompany";
  CHECK(f.ids(by_model) == only([](int i) { return i % 3 == 1; }));
  mw::DeliveryFilter by_connector;
  by_connector.connector_id = "conn-b";
  CHECK(f.ids(by_connector) == only([](int i) { return i % 2 == 1; }));
  mw::DeliveryFilter by_owner;
  by_owner.owner_id = "owner-2";
  CHECK(f.ids(by_owner) == only([](int i) { return i % 4 >= 2; }));
  mw::DeliveryFilter by_origin = by_connector;
  by_origin.owner_id = "owner-2";
  CHECK(f.ids(by_origin) == only([](int i) { return i % 2 == 1 && i % 4 >= 2; }));
  // A full resource: connector a, owner 1, crmContact 1 (i = 0 and i = 12k...).
  mw::DeliveryFilter by_resource;
  by_resource.connector_id = "conn-a";
  by_resource.owner_id = "owner-1";
  by_resource.model = "crmContact";
  by_resource.resource_id = "1";
  CHECK(f.ids(by_resource) == only([](int i) { return i % 2 == 0 && i % 4 < 2 && i % 3 == 0; }));
  mw::DeliveryFilter unknown_resource = by_resource;
  unknown_resource.resource_id = "nope";
  CHECK(f.ids(unknown_resource).empty());
  mw::DeliveryFilter by_id_alone;
  by_id_alone.resource_id = "2";
  CHECK(f.ids(by_id_alone) == only([](int i) { return i % 3 == 1; }));
  // Received in [start + 3 s, start + 7 s): deliveries 3..6.
  mw::DeliveryFilter window;
  window.since = start + 3s;
  window.until = start + 7s;
  CHECK(f.ids(window) == only([](int i) { return i >= 3 && i < 7; }));
  // A filter and a limit: the first page of crmContact.
  CHECK(f.ids(by_model, 2) == std::vector<mw::DeliveryId>{all[10], all[7]});

  // States: lease everything leasable (one per resource), fail one (dead: max_attempts 1),
  // ack one, keep the rest leased.
  auto leased = f.inbox->lease(100, 60s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() >= 3);
  const mw::Delivery& dies = (*leased)[0];
  const mw::Delivery& acked = (*leased)[1];
  REQUIRE(f.inbox->fail(dies, "boom").has_value());
  REQUIRE(f.inbox->ack(acked).has_value());
  CHECK(f.ids(state_is(mw::DeliveryState::dead)) == std::vector<mw::DeliveryId>{dies.id});
  CHECK(f.ids(state_is(mw::DeliveryState::acked)) == std::vector<mw::DeliveryId>{acked.id});
  CHECK(f.ids(state_is(mw::DeliveryState::leased)).size() == leased->size() - 2);
  CHECK(f.ids(state_is(mw::DeliveryState::delayed)).empty());
  const std::size_t ready = f.ids(state_is(mw::DeliveryState::ready)).size();
  CHECK(ready == all.size() - leased->size());
  auto stats = f.inbox->stats();
  REQUIRE(stats.has_value());
  CHECK(stats->ready == ready);
  // A lease that expires makes its delivery ready again.
  f.now += 61s;
  CHECK(f.ids(state_is(mw::DeliveryState::leased)).empty());
  CHECK(f.ids(state_is(mw::DeliveryState::ready)).size() == all.size() - 2);
  // Dead filtered by model too (the other index).
  mw::DeliveryFilter dead_of_model = state_is(mw::DeliveryState::dead);
  dead_of_model.model = f.get(dies.id).model;
  CHECK(f.ids(dead_of_model) == std::vector<mw::DeliveryId>{dies.id});
}

/// list(stale): a delivery older than one acked for its resource is stale at its next lease.
inline void check_list_stale(const InboxFactory& factory) {
  Fixture f(factory);
  const mw::DeliveryId newer = f.append(Event{"c", "o", "crmContact", "9", 200});
  const mw::DeliveryId older = f.append(Event{"c", "o", "crmContact", "9", 100});
  const mw::DeliveryId other = f.append(Event{"c", "o", "crmContact", "10", 100});
  mw::DeliveryFilter stale;
  stale.stale = true;
  // Arrival: the older one is stale at once.
  CHECK(f.ids(stale) == std::vector<mw::DeliveryId>{older});
  CHECK(f.drain().size() == 3);
  CHECK(f.ids(stale) == std::vector<mw::DeliveryId>{older});
  CHECK(f.get(newer).state == mw::DeliveryState::acked);
  CHECK_FALSE(f.get(other).stale);
}

/// replay(): acked and dead deliveries ready again, oldest first, behind their resource's
/// current deliveries, attempts reset, never stale or superseded; dry run changes nothing.
inline void check_replay(const InboxFactory& factory) {
  Fixture f(factory, 1);
  const mw::DeliveryId u1 = f.append(Event{"c", "o", "crmContact", "247", 100});
  const mw::DeliveryId u2 = f.append(Event{"c", "o", "crmContact", "247", 200});
  const mw::DeliveryId u3 = f.append(Event{"c", "o", "crmContact", "247", 300});
  const mw::DeliveryId elsewhere = f.append(Event{"c", "o", "crmContact", "248", 100});
  // u1 dies (max_attempts 1), u2, u3 and elsewhere are acked.
  {
    auto got = f.inbox->lease(10, 30s);
    REQUIRE(got.has_value());
    for (const auto& d : *got) {
      if (d.id == u1) {
        REQUIRE(f.inbox->fail(d, "handler bug").has_value());
      } else {
        REQUIRE(f.inbox->ack(d).has_value());
      }
    }
  }
  CHECK(f.drain() == std::vector<mw::DeliveryId>{u2, u3});
  CHECK(f.get(u1).state == mw::DeliveryState::dead);
  // A current delivery of the resource arrives, and is leased but not finished.
  const mw::DeliveryId current = f.append(Event{"c", "o", "crmContact", "247", 400});
  auto held = f.inbox->lease(1, 30s);
  REQUIRE(held.has_value());
  REQUIRE(held->size() == 1);
  CHECK(held->front().id == current);

  mw::DeliveryFilter resource;
  resource.connector_id = "c";
  resource.owner_id = "o";
  resource.model = "crmContact";
  resource.resource_id = "247";
  auto dry = f.inbox->replay(resource, true);
  REQUIRE(dry.has_value());
  CHECK(*dry == 3);
  CHECK(f.get(u1).state == mw::DeliveryState::dead);
  auto done = f.inbox->replay(resource, false);
  REQUIRE(done.has_value());
  CHECK(*done == 3);
  for (const mw::DeliveryId id : {u1, u2, u3}) {
    const mw::DeliveryRecord r = f.get(id);
    CHECK(r.state == mw::DeliveryState::ready);
    CHECK(r.waiting);  // behind `current`, still leased
    CHECK(r.attempts == 0);
    CHECK(r.replays == 1);
  }
  CHECK(f.get(elsewhere).state == mw::DeliveryState::acked);
  // Nothing of the resource is leasable while `current` is leased.
  auto none = f.inbox->lease(10, 30s);
  REQUIRE(none.has_value());
  CHECK(none->empty());
  REQUIRE(f.inbox->ack(held->front()).has_value());
  // Then the replays, in their original order, never stale or superseded (u1 and u2 are older
  // than the acked `current`), marked as replays.
  std::vector<mw::DeliveryId> order;
  for (;;) {
    auto got = f.inbox->lease(10, 30s);
    REQUIRE(got.has_value());
    if (got->empty()) break;
    for (const auto& d : *got) {
      order.push_back(d.id);
      CHECK_FALSE(d.stale);
      CHECK_FALSE(d.superseded);
      CHECK(d.replays == 1);
      CHECK(d.attempt == 1);
      REQUIRE(f.inbox->ack(d).has_value());
    }
  }
  CHECK(order == std::vector<mw::DeliveryId>{u1, u2, u3});
  // Replaying by state: only acked (or dead) ones are taken.
  auto acked_all = f.inbox->replay(state_is(mw::DeliveryState::acked), false);
  REQUIRE(acked_all.has_value());
  CHECK(*acked_all == 5);
  auto ready_none = f.inbox->replay(state_is(mw::DeliveryState::ready), false);
  REQUIRE(ready_none.has_value());
  CHECK(*ready_none == 0);
  CHECK(f.get(u1).replays == 2);
}

/// purge_dead(): only dead letters, only those received before the bound.
inline void check_purge(const InboxFactory& factory) {
  Fixture f(factory, 1);
  const mw::TimePoint start = f.now;
  std::vector<mw::DeliveryId> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(f.append(Event{"c", "o", "crmCall", std::to_string(i), 1}));
  const mw::DeliveryId kept_ready = f.append(Event{"c", "o", "crmCall", "x", 1});
  auto got = f.inbox->lease(5, 30s);
  REQUIRE(got.has_value());
  REQUIRE(got->size() == 5);
  for (const auto& d : *got) REQUIRE(f.inbox->fail(d, "dead").has_value());
  CHECK(f.ids(state_is(mw::DeliveryState::dead)).size() == 5);
  // Received before start + 2 s: the first two.
  auto purged = f.inbox->purge_dead(start + 2s);
  REQUIRE(purged.has_value());
  CHECK(*purged == 2);
  CHECK(f.inbox->get(ids[0]).error().code == mw::ErrorCode::not_found);
  CHECK(f.get(ids[2]).state == mw::DeliveryState::dead);
  auto rest = f.inbox->purge_dead(std::nullopt);
  REQUIRE(rest.has_value());
  CHECK(*rest == 3);
  auto stats = f.inbox->stats();
  REQUIRE(stats.has_value());
  CHECK(stats->dead == 0);
  CHECK(f.get(kept_ready).state == mw::DeliveryState::ready);
  CHECK(f.ids({}) == std::vector<mw::DeliveryId>{kept_ready});
}

/// Every check above.
inline void check_operations(const InboxFactory& factory) {
  SECTION("get") { check_get(factory); }
  SECTION("list") { check_list(factory); }
  SECTION("list stale") { check_list_stale(factory); }
  SECTION("replay") { check_replay(factory); }
  SECTION("purge") { check_purge(factory); }
}

}  // namespace inbox_ops
