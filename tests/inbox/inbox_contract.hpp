// The Inbox contract, backend-neutral: every backend's test calls these functions with a
// factory that opens a fresh, empty inbox of that backend with the given options.
//   - check_state_machine(): the transition table (append/duplicate/stale/lease/ack/fail/
//     expiry/dead/requeue/retention, wrong and expired tokens, ordering per resource, stale and
//     superseded at lease time, FailOptions), on a clock the test controls;
//   - check_same_key_race(): 16 threads append one key, exactly one is stored;
//   - check_worker_race(): 4 workers lease 10,000 deliveries; each acked exactly once, none
//     leased twice while its lease is valid;
//   - check_ordered_workers(): 20 resources x 12 updates, 8 handler threads, 20 % transient
//     failures: no older state applied over a newer one, every resource ends at its newest.
#pragma once

#include <morph/webhook/inbox.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"

namespace inbox_contract {

namespace mw = morph::webhook;
using namespace std::chrono_literals;

/// Opens a fresh, empty inbox with these options.
using InboxFactory = std::function<std::unique_ptr<mw::Inbox>(const mw::InboxOptions&)>;

/// "ready=R leased=L delayed=D dead=X acked=A stale=S age=<seconds or ->".
inline std::string describe(const mw::InboxStats& s) {
  std::string out = "ready=" + std::to_string(s.ready) + " leased=" + std::to_string(s.leased) +
                    " delayed=" + std::to_string(s.delayed) + " dead=" + std::to_string(s.dead) +
                    " acked=" + std::to_string(s.acked_retained) +
                    " stale=" + std::to_string(s.stale) + " age=";
  if (s.oldest_ready_age) {
    out += std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(*s.oldest_ready_age).count());
  } else {
    out += '-';
  }
  return out;
}

// One row of a scenario: an operation, its argument, what it must return and, optionally, the
// stats() that must hold afterwards.
enum class Op {
  append,       // key [body owner resource updated trigger] -> "stored"/"duplicate" [+ " stale"]
  lease,        // count, seconds -> "k1#1,k2#1!" (key#attempt, ! when stale, ^ when
                //   superseded) or "" for none
  lease_skip,   // the same with LeaseOptions::skip_superseded
  ack,          // key: the delivery's latest lease -> "ok" or an error code name
  ack_old,      // key: the lease before the latest -> error code name
  ack_foreign,  // key: a token no lease ever had -> error code name
  ack_unknown,  // no delivery has this id -> error code name
  fail,         // key [delay seconds, uncounted] -> "retry", "dead" or an error code name
  extend,       // key, seconds -> "ok" or an error code name
  advance,      // seconds: moves the clock
  requeue,      // key -> "ok" or an error code name
  expire,       // -> number of deliveries removed
  dead,         // -> "k1,k2": the dead letters' keys
  counts,       // -> "blocked=B skipped=S" (InboxStats::blocked_resources, skipped_superseded)
};

struct Step {
  Step(Op o, std::string k, std::string e) : op(o), key(std::move(k)), expect(std::move(e)) {}

  Op op;
  std::string key;
  std::string expect;
  std::int64_t seconds = 0;
  std::size_t count = 0;
  std::string body;  // empty: "body of <key>"
  std::string owner = "owner-1";
  std::string resource;      // empty: no ordering facts
  std::int64_t updated = 0;  // data.updatedAt, in seconds after 2025-01-01
  mw::Trigger trigger = mw::Trigger::updated;
  mw::FailOptions fail_options;
  std::string stats;  // empty: not checked

  Step& then_stats(std::string s) {
    stats = std::move(s);
    return *this;
  }
  Step& with_body(std::string b) {
    body = std::move(b);
    return *this;
  }
  Step& from_owner(std::string o) {
    owner = std::move(o);
    return *this;
  }
  Step& after(std::int64_t delay_seconds) {
    fail_options.delay = std::chrono::seconds(delay_seconds);
    return *this;
  }
  Step& uncounted() {
    fail_options.counts_as_attempt = false;
    return *this;
  }
  Step& about(std::string r, std::int64_t t, mw::Trigger trig = mw::Trigger::updated) {
    resource = std::move(r);
    updated = t;
    trigger = trig;
    return *this;
  }
};

// Rows that name a key and what the operation must return, e.g. append("k1", "stored").
inline auto keyed(Op op) {
  return [op](std::string key, std::string expect) {
    return Step(op, std::move(key), std::move(expect));
  };
}
inline const auto append = keyed(Op::append);
inline const auto ack = keyed(Op::ack);
inline const auto ack_old = keyed(Op::ack_old);
inline const auto ack_foreign = keyed(Op::ack_foreign);
inline const auto fail = keyed(Op::fail);
inline const auto requeue = keyed(Op::requeue);

inline Step lease(std::size_t count, std::int64_t seconds, std::string expect) {
  Step s{Op::lease, "", std::move(expect)};
  s.count = count;
  s.seconds = seconds;
  return s;
}
inline Step lease_skip(std::size_t count, std::int64_t seconds, std::string expect) {
  Step s = lease(count, seconds, std::move(expect));
  s.op = Op::lease_skip;
  return s;
}
inline Step ack_unknown(std::string expect) { return {Op::ack_unknown, "", std::move(expect)}; }
inline Step extend(std::string key, std::int64_t seconds, std::string expect) {
  Step s{Op::extend, std::move(key), std::move(expect)};
  s.seconds = seconds;
  return s;
}
inline Step advance(std::int64_t seconds) {
  Step s{Op::advance, "", ""};
  s.seconds = seconds;
  return s;
}
inline Step expire(std::string expect) { return {Op::expire, "", std::move(expect)}; }
inline Step dead(std::string expect) { return {Op::dead, "", std::move(expect)}; }
inline Step counts(std::string expect) { return {Op::counts, "", std::move(expect)}; }

struct Scenario {
  const char* name;
  std::uint32_t max_attempts = 10;
  bool dedupe_bodies = true;
  std::vector<Step> steps;
  bool ordered = true;  // InboxOptions::ordered
};

// Options for the table: 5 s initial backoff, 60 s cap, 1 h retention.
inline mw::InboxOptions table_options(const Scenario& sc, const mw::TimePoint* now) {
  mw::InboxOptions o;
  o.retain = 1h;
  o.backoff_initial = 5s;
  o.backoff_max = 60s;
  o.max_attempts = sc.max_attempts;
  o.dedupe_identical_bodies = sc.dedupe_bodies;
  o.ordered = sc.ordered;
  o.clock = [now] { return *now; };
  return o;
}

inline const std::vector<Scenario>& scenarios() {
  using mw::Trigger;
  static const std::vector<Scenario> table = {
      {"append, duplicate key, lease, ack; the key stays a duplicate while retained",
       10,
       true,
       {append("k1", "stored")
            .then_stats("ready=1 leased=0 delayed=0 dead=0 acked=0 stale=0 age=0"),
        advance(7).then_stats("ready=1 leased=0 delayed=0 dead=0 acked=0 stale=0 age=7"),
        append("k1", "duplicate"), append("k1", "duplicate").with_body("another body, same key"),
        lease(10, 30, "k1#1").then_stats("ready=0 leased=1 delayed=0 dead=0 acked=0 stale=0 age=-"),
        lease(10, 30, ""),
        ack("k1", "ok").then_stats("ready=0 leased=0 delayed=0 dead=0 acked=1 stale=0 age=-"),
        ack("k1", "lease_lost"), fail("k1", "lease_lost"), lease(10, 30, ""),
        append("k1", "duplicate")}},
      {"byte-identical bodies are duplicates per (connector, owner)",
       10,
       true,
       {append("k1", "stored").with_body("same bytes"),
        append("k2", "duplicate").with_body("same bytes"),
        append("k3", "stored").with_body("same bytes").from_owner("owner-2"),
        append("k4", "stored").with_body("same bytes, one more"),
        append("k5", "stored").with_body("same byteS"), lease(10, 30, "k1#1,k3#1,k4#1,k5#1"),
        ack("k1", "ok"), append("k6", "duplicate").with_body("same bytes")}},
      {"byte-identical body dedupe can be switched off",
       10,
       false,
       {append("k1", "stored").with_body("same bytes"),
        append("k2", "stored").with_body("same bytes"),
        append("k2", "duplicate").with_body("same bytes")}},
      {"arrival guard: older is stale, equal is not, unless as old as a deletion (a tombstone)",
       10,
       true,
       {append("k1", "stored").about("r1", 100), append("k2", "stored stale").about("r1", 50),
        append("k3", "stored").about("r1", 100), append("k4", "stored").about("r2", 10),
        append("k5", "stored").about("r1", 200, Trigger::deleted),
        append("k6", "stored stale").about("r1", 150),
        append("k7", "stored stale").about("r1", 200),
        append("k2", "duplicate stale")
            .about("r1", 50)
            .then_stats("ready=7 leased=0 delayed=0 dead=0 acked=0 stale=3 age=0"),
        append("k8", "stored").about("r1", 10).from_owner("owner-2"),
        append("k9", "stored").about("r1", 300),
        // One per resource: r1 of owner-1 (k1, superseded by k3), r2, r1 of owner-2.
        lease(10, 30, "k1#1^,k4#1,k8#1")}},
      {"an expired lease is re-leased; its old token is refused",
       10,
       true,
       {append("k1", "stored"), lease(1, 30, "k1#1"),
        advance(29).then_stats("ready=0 leased=1 delayed=0 dead=0 acked=0 stale=0 age=-"),
        advance(1).then_stats("ready=1 leased=0 delayed=0 dead=0 acked=0 stale=0 age=30"),
        ack("k1", "lease_lost"), extend("k1", 30, "lease_lost"), lease(1, 30, "k1#2"),
        ack_old("k1", "lease_lost"), fail("k1", "retry"), ack("k1", "lease_lost")}},
      {"a foreign token changes nothing",
       10,
       true,
       {append("k1", "stored"), lease(1, 30, "k1#1"), ack_foreign("k1", "lease_lost"),
        ack_unknown("not_found")
            .then_stats("ready=0 leased=1 delayed=0 dead=0 acked=0 stale=0 age=-"),
        ack("k1", "ok")}},
      {"fail retries after exponential backoff",
       10,
       true,
       {append("k1", "stored"), lease(1, 30, "k1#1"),
        fail("k1", "retry").then_stats("ready=0 leased=0 delayed=1 dead=0 acked=0 stale=0 age=-"),
        advance(4), lease(1, 30, ""), advance(1), lease(1, 30, "k1#2"), fail("k1", "retry"),
        advance(9), lease(1, 30, ""), advance(1), lease(1, 30, "k1#3"), fail("k1", "retry"),
        advance(19), lease(1, 30, ""), advance(1), lease(1, 30, "k1#4"), ack("k1", "ok")}},
      {"dead after max_attempts; requeue makes it ready again",
       3,
       true,
       {append("k1", "stored"),
        append("k2", "stored"),
        lease(1, 30, "k1#1"),
        fail("k1", "retry"),
        advance(5),
        lease(1, 30, "k2#1"),
        ack("k2", "ok"),
        lease(1, 30, "k1#2"),
        fail("k1", "retry"),
        advance(10),
        lease(1, 30, "k1#3"),
        fail("k1", "dead").then_stats("ready=0 leased=0 delayed=0 dead=1 acked=1 stale=0 age=-"),
        advance(3600 * 2),
        lease(5, 30, ""),
        dead("k1"),
        requeue("k2", "not_found"),
        requeue("k1", "ok")
            .then_stats("ready=1 leased=0 delayed=0 dead=0 acked=1 stale=0 age=7215"),
        requeue("k1", "not_found"),
        dead(""),
        lease(1, 30, "k1#1"),
        ack("k1", "ok")}},
      {"a lease that expires on the last attempt makes the delivery dead",
       2,
       true,
       {append("k1", "stored"), lease(1, 30, "k1#1"), advance(30), lease(1, 30, "k1#2"),
        advance(30),
        lease(1, 30, "").then_stats("ready=0 leased=0 delayed=0 dead=1 acked=0 stale=0 age=-"),
        dead("k1"), ack("k1", "lease_lost")}},
      {"extend keeps a lease valid",
       10,
       true,
       {append("k1", "stored"), lease(1, 30, "k1#1"), advance(20), extend("k1", 30, "ok"),
        advance(20), lease(1, 30, ""), ack("k1", "ok"), extend("k1", 30, "lease_lost")}},
      {"retention: acked deliveries expire, undelivered ones never do",
       10,
       true,
       {append("k1", "stored"), append("k2", "stored"), lease(1, 30, "k1#1"), ack("k1", "ok"),
        advance(1800), expire("0"), append("k1", "duplicate"),
        append("k9", "duplicate").with_body("body of k1"), advance(1800 + 1),
        expire("1").then_stats("ready=1 leased=0 delayed=0 dead=0 acked=0 stale=0 age=3601"),
        append("k1", "stored"), append("k2", "duplicate"), lease(5, 30, "k2#1,k1#1")}},
      {"an acked key past retention is stored again even before expire() runs",
       10,
       true,
       {append("k1", "stored"), lease(1, 30, "k1#1"), ack("k1", "ok"), advance(3601),
        append("k1", "stored")
            .then_stats("ready=1 leased=0 delayed=0 dead=0 acked=0 stale=0 age=0")}},
      // ---- ordered per resource; stale and superseded judged at lease time ----
      {"ordered: a failure blocks its resource until acked; other resources go on",
       10,
       true,
       {append("k1", "stored").about("r1", 100), append("k2", "stored").about("r1", 200),
        append("k3", "stored").about("r2", 100), lease(10, 30, "k1#1^,k3#1"), fail("k1", "retry"),
        counts("blocked=1 skipped=0"), ack("k3", "ok"), append("k4", "stored").about("r2", 200),
        lease(10, 30, "k4#1"), ack("k4", "ok"),
        lease(10, 30, "").then_stats("ready=1 leased=0 delayed=1 dead=0 acked=2 stale=0 age=0"),
        advance(5), lease(10, 30, "k1#2^"), ack("k1", "ok"), counts("blocked=0 skipped=0"),
        lease(10, 30, "k2#1"), ack("k2", "ok"), lease(10, 30, "")}},
      {"ordered: two workers never hold one resource; an expired lease blocks it",
       10,
       true,
       {append("k1", "stored").about("r1", 100), append("k2", "stored").about("r1", 200),
        append("k3", "stored").about("r1", 300), lease(1, 30, "k1#1^"), lease(1, 30, ""),
        ack("k1", "ok"), lease(1, 30, "k2#1^"), lease(1, 30, ""), advance(30),
        lease(1, 30, "k2#2^"), counts("blocked=1 skipped=0"), lease(1, 30, ""), ack("k2", "ok"),
        counts("blocked=0 skipped=0"), lease(5, 30, "k3#1"), ack("k3", "ok")}},
      {"ordered: stale is judged at lease time against what was acked",
       10,
       true,
       {append("k1", "stored").about("r1", 200), append("k2", "stored stale").about("r1", 100),
        lease(10, 30, "k1#1"), ack("k1", "ok"), lease(10, 30, "k2#1!"),
        fail("k2", "retry").then_stats("ready=0 leased=0 delayed=1 dead=0 acked=1 stale=1 age=-"),
        advance(5), lease(10, 30, "k2#2!"), ack("k2", "ok")}},
      {"ordered: an arrival-stale event is not stale at lease when nothing newer was acked",
       2,
       true,
       {append("k1", "stored").about("r1", 200), append("k2", "stored stale").about("r1", 100),
        lease(10, 30, "k1#1"), fail("k1", "retry"), advance(5), lease(10, 30, "k1#2"),
        fail("k1", "dead"), counts("blocked=0 skipped=0"),
        // The dead letter released its resource: k2 goes, judged against nothing acked.
        lease(10, 30, "k2#1"), ack("k2", "ok"), dead("k1")}},
      {"requeue goes to the back of its resource and is judged again",
       1,
       true,
       {append("k1", "stored").about("r1", 100), append("k2", "stored").about("r1", 200),
        lease(10, 30, "k1#1^"), fail("k1", "dead"), lease(10, 30, "k2#1"),
        append("k3", "stored").about("r1", 300), requeue("k1", "ok"), lease(10, 30, ""),
        ack("k2", "ok"), lease(10, 30, "k3#1"), ack("k3", "ok"), lease(10, 30, "k1#1!^"),
        ack("k1", "ok"), dead("")}},
      {"a create or update as old as an acked deletion is stale",
       10,
       true,
       {append("k1", "stored").about("r1", 200, Trigger::deleted),
        append("k2", "stored stale").about("r1", 200),
        append("k3", "stored stale").about("r1", 200, Trigger::created),
        // A deletion is not superseded by events as old as it.
        lease(10, 30, "k1#1"), ack("k1", "ok"), lease(10, 30, "k2#1!"), ack("k2", "ok"),
        lease(10, 30, "k3#1!"), ack("k3", "ok"), append("k4", "stored").about("r1", 201),
        lease(10, 30, "k4#1")}},
      {"superseded: skip_superseded acks them in the lease and counts them",
       10,
       true,
       {append("k1", "stored").about("r1", 100), append("k2", "stored").about("r1", 300),
        append("k3", "stored stale").about("r1", 200), append("k4", "stored").about("r2", 100),
        append("k5", "stored").about("r2", 100),
        lease_skip(1, 30, "k2#1")
            .then_stats("ready=3 leased=1 delayed=0 dead=0 acked=1 stale=1 age=0"),
        counts("blocked=0 skipped=1"), lease_skip(1, 30, "k5#1"), counts("blocked=0 skipped=2"),
        ack("k2", "ok"), ack("k5", "ok"),
        // k3 is older than the acked k2: stale, and a lease that skips returns it all the same.
        lease_skip(5, 30, "k3#1!"), ack("k3", "ok"), counts("blocked=0 skipped=2")}},
      {"superseded: a skipped delivery does not count as acked for the stale verdict",
       1,
       true,
       {append("k1", "stored").about("r1", 100), append("k2", "stored").about("r1", 300),
        lease_skip(1, 30, "k2#1"), fail("k2", "dead"),
        append("k3", "stored stale").about("r1", 200), lease(5, 30, "k3#1"), ack("k3", "ok"),
        dead("k2")}},
      {"ordered=false: every delivery is leasable; the retry of an overtaken one is stale",
       10,
       true,
       {append("k1", "stored").about("r1", 100), append("k2", "stored").about("r1", 200),
        lease(10, 30, "k1#1^,k2#1"), fail("k1", "retry"), ack("k2", "ok"), advance(5),
        lease(10, 30, "k1#2!^"), ack("k1", "ok"), counts("blocked=0 skipped=0")},
       false},
      {"FailOptions: a delay replaces the backoff; an uncounted attempt is given back",
       2,
       true,
       {append("k1", "stored").about("r1", 100), lease(1, 30, "k1#1"),
        fail("k1", "retry").after(60), advance(59), lease(1, 30, ""), advance(1),
        lease(1, 30, "k1#2"), fail("k1", "retry").after(30).uncounted(), advance(30),
        lease(1, 30, "k1#2"), fail("k1", "retry").uncounted().after(1), advance(1),
        lease(1, 30, "k1#2"), fail("k1", "dead"), dead("k1")}},
  };
  return table;
}

// Runs one scenario against a fresh inbox.
inline void run_scenario(const InboxFactory& factory, const Scenario& sc) {
  mw::TimePoint now = mw::TimePoint(std::chrono::hours(24 * 365 * 55));  // ~2025
  const mw::TimePoint epoch = now;
  std::unique_ptr<mw::Inbox> inbox = factory(table_options(sc, &now));
  REQUIRE(inbox != nullptr);
  std::map<std::string, std::vector<mw::Delivery>> leases;  // per key, oldest first
  std::map<mw::DeliveryId, std::string> key_of;
  std::map<std::string, Step> appended_as;  // the append step that stored each key

  const auto code_or = [](const mw::Error& e) { return std::string(mw::to_string(e.code)); };
  const auto latest = [&](const std::string& key) -> const mw::Delivery& {
    REQUIRE(!leases[key].empty());
    return leases[key].back();
  };
  int row = 0;
  for (const Step& step : sc.steps) {
    ++row;
    INFO("step " << row << " (" << step.key << ", expect \"" << step.expect << "\")");
    std::string got;
    switch (step.op) {
      case Op::append: {
        const std::string body = step.body.empty() ? "body of " + step.key : step.body;
        const mw::Headers h{"hubspot", step.owner, step.key};
        mw::EventFacts facts;
        facts.model = step.resource.empty() ? "" : "genericContact";
        facts.id = step.resource;
        facts.trigger = step.trigger;
        facts.updated_at = epoch + std::chrono::seconds(step.updated);
        const auto r = inbox->append(h, body, facts);
        if (!r) {
          got = code_or(r.error());
          break;
        }
        got = std::string(mw::to_string(r->status)) + (r->stale ? " stale" : "");
        if (r->status == mw::AppendStatus::stored) {
          CHECK(key_of.count(r->delivery_id) == 0);
          key_of[r->delivery_id] = step.key;
          appended_as.insert_or_assign(step.key, step);
        } else {
          CHECK(key_of.count(r->delivery_id) == 1);  // a duplicate names the delivery it matched
        }
        break;
      }
      case Op::lease:
      case Op::lease_skip: {
        mw::LeaseOptions how;
        how.skip_superseded = step.op == Op::lease_skip;
        const auto r = inbox->lease(step.count, std::chrono::seconds(step.seconds), how);
        if (!r) {
          got = code_or(r.error());
          break;
        }
        for (const mw::Delivery& d : *r) {
          if (!got.empty()) got += ',';
          REQUIRE(key_of.count(d.id) == 1);
          const std::string& key = key_of[d.id];
          got += key + "#" + std::to_string(d.attempt) + (d.stale ? "!" : "") +
                 (d.superseded ? "^" : "");
          CHECK(d.idempotency_key == key);
          // The event's facts come back as appended.
          const Step& appended = appended_as.at(key);
          CHECK(d.resource_id == appended.resource);
          CHECK(d.model == (appended.resource.empty() ? "" : "genericContact"));
          if (!appended.resource.empty()) {
            CHECK(d.trigger == appended.trigger);
            CHECK(d.updated_at == epoch + std::chrono::seconds(appended.updated));
          }
          CHECK(d.lease_expires_at == now + std::chrono::seconds(step.seconds));
          CHECK(!d.lease_token.empty());
          leases[key].push_back(d);
        }
        break;
      }
      case Op::ack: {
        const auto r = inbox->ack(latest(step.key));
        got = r ? "ok" : code_or(r.error());
        break;
      }
      case Op::ack_old: {
        REQUIRE(leases[step.key].size() >= 2);
        const mw::Delivery& old = leases[step.key][leases[step.key].size() - 2];
        const auto r = inbox->ack(old);
        got = r ? "ok" : code_or(r.error());
        break;
      }
      case Op::ack_foreign: {
        const auto r = inbox->ack(latest(step.key).id, "0123456789abcdef0123456789abcdef");
        got = r ? "ok" : code_or(r.error());
        break;
      }
      case Op::ack_unknown: {
        const auto r = inbox->ack(987654321, "0123456789abcdef0123456789abcdef");
        got = r ? "ok" : code_or(r.error());
        break;
      }
      case Op::fail: {
        const auto r = inbox->fail(latest(step.key), "worker said no", step.fail_options);
        got = r ? (r->dead ? "dead" : "retry") : code_or(r.error());
        if (r && !r->dead) {
          // The backoff doubles from backoff_initial with every attempt; a delay replaces it.
          const auto attempt = latest(step.key).attempt;
          CHECK(r->retry_at == now + (step.fail_options.delay
                                          ? *step.fail_options.delay
                                          : mw::backoff_delay(table_options(sc, &now), attempt)));
        }
        break;
      }
      case Op::extend: {
        mw::Delivery d = latest(step.key);
        const auto r = inbox->extend(d, std::chrono::seconds(step.seconds));
        got = r ? "ok" : code_or(r.error());
        if (r) CHECK(d.lease_expires_at == now + std::chrono::seconds(step.seconds));
        break;
      }
      case Op::advance: now += std::chrono::seconds(step.seconds); break;
      case Op::requeue: {
        mw::DeliveryId id = 0;
        for (const auto& [i, k] : key_of) {
          if (k == step.key) id = i;
        }
        const auto r = inbox->requeue(id);
        got = r ? "ok" : code_or(r.error());
        break;
      }
      case Op::expire: {
        const auto r = inbox->expire();
        got = r ? std::to_string(*r) : code_or(r.error());
        break;
      }
      case Op::dead: {
        const auto r = inbox->dead_letters();
        if (!r) {
          got = code_or(r.error());
          break;
        }
        for (const mw::DeadLetter& d : *r) {
          if (!got.empty()) got += ',';
          got += d.idempotency_key;
          CHECK(d.key().owner_id == "owner-1");
          CHECK(d.attempts > 0);
          CHECK(!d.last_error.empty());
          const Step& appended = appended_as.at(d.idempotency_key);
          CHECK(d.resource_id == appended.resource);
          CHECK(d.model == (appended.resource.empty() ? "" : "genericContact"));
          if (!appended.resource.empty()) CHECK(d.trigger == appended.trigger);
        }
        break;
      }
      case Op::counts: {
        const auto r = inbox->stats();
        got = r ? "blocked=" + std::to_string(r->blocked_resources) +
                      " skipped=" + std::to_string(r->skipped_superseded)
                : code_or(r.error());
        break;
      }
    }
    CHECK(got == step.expect);
    if (!step.stats.empty()) {
      const auto s = inbox->stats();
      REQUIRE(s.has_value());
      CHECK(describe(*s) == step.stats);
    }
  }
}

/// Every scenario of the transition table, each on a fresh inbox.
inline void check_state_machine(const InboxFactory& factory) {
  for (const Scenario& sc : scenarios()) {
    SECTION(sc.name) { run_scenario(factory, sc); }
  }
}

/// A delivery comes back exactly as appended: headers, body bytes (NUL and invalid UTF-8
/// included), received_at.
inline void check_round_trip(const InboxFactory& factory) {
  mw::TimePoint now = mw::TimePoint(std::chrono::hours(24 * 365 * 55));
  mw::InboxOptions o;
  o.clock = [&now] { return now; };
  std::unique_ptr<mw::Inbox> inbox = factory(o);
  const std::string body("{\"a\":\"\xff\xfe\"}\0tail", 16);
  const auto r =
      inbox->append(mw::Headers{"pipedrive", "owner 7", "key\x80"}, body, mw::EventFacts{});
  REQUIRE(r.has_value());
  const auto leased = inbox->lease(1, 10s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 1);
  const mw::Delivery& d = leased->front();
  CHECK(d.id == r->delivery_id);
  CHECK(d.body == body);
  CHECK(d.body.size() == 16);
  CHECK(d.headers() == mw::Headers{"pipedrive", "owner 7", "key\x80"});
  CHECK(d.key() == mw::DeliveryKey::from(mw::Headers{"pipedrive", "owner 7", "key\x80"}));
  CHECK(d.received_at == now);
  CHECK(d.attempt == 1);
}

/// 16 threads append the same key at once: exactly one `stored`, fifteen `duplicate` naming it.
inline void check_same_key_race(const InboxFactory& factory) {
  std::unique_ptr<mw::Inbox> inbox = factory(mw::InboxOptions{});
  for (int round = 0; round < 3; ++round) {
    const std::string key = "race-" + std::to_string(round);
    std::atomic<int> stored{0};
    std::atomic<int> duplicate{0};
    std::atomic<int> errors{0};
    std::vector<mw::DeliveryId> ids(16);
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        // Different bodies, so only the key can make them duplicates.
        const std::string body = key + " body " + std::to_string(t);
        const auto r = inbox->append(mw::Headers{"hubspot", "o", key}, body, mw::EventFacts{});
        if (!r) {
          ++errors;
          return;
        }
        ids[static_cast<std::size_t>(t)] = r->delivery_id;
        (r->status == mw::AppendStatus::stored ? stored : duplicate)++;
      });
    }
    go = true;
    for (auto& th : threads) th.join();
    CHECK(errors == 0);
    CHECK(stored == 1);
    CHECK(duplicate == 15);
    for (mw::DeliveryId id : ids) CHECK(id == ids[0]);
  }
  const auto s = inbox->stats();
  REQUIRE(s.has_value());
  CHECK(s->ready == 3);
}

/// 4 workers lease 10,000 deliveries: each is acked exactly once, and none is leased while
/// another worker's lease on it is valid.
inline void check_worker_race(const InboxFactory& factory, std::size_t count = 10000) {
  std::unique_ptr<mw::Inbox> inbox = factory(mw::InboxOptions{});
  {
    std::vector<std::thread> appenders;
    std::atomic<std::size_t> failures{0};
    for (std::size_t t = 0; t < 8; ++t) {
      appenders.emplace_back([&, t] {
        for (std::size_t i = t; i < count; i += 8) {
          const std::string key = "k" + std::to_string(i);
          const auto r =
              inbox->append(mw::Headers{"hubspot", "o", key}, "body " + key, mw::EventFacts{});
          if (!r || r->status != mw::AppendStatus::stored) ++failures;
        }
      });
    }
    for (auto& th : appenders) th.join();
    REQUIRE(failures == 0);
  }
  std::mutex mutex;
  // No lease expires during the test (120 s), so a delivery leased twice was leased while
  // another worker's lease on it was valid.
  std::map<mw::DeliveryId, int> leased;
  std::map<mw::DeliveryId, int> acked;
  std::atomic<std::size_t> errors{0};
  std::atomic<std::size_t> done{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      int idle = 0;
      while (done.load() < count && idle < 200) {
        const auto batch = inbox->lease(25, 120s);  // far longer than the test
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
        {
          std::lock_guard<std::mutex> lock(mutex);
          for (const mw::Delivery& d : *batch) ++leased[d.id];
        }
        for (const mw::Delivery& d : *batch) {
          const auto r = inbox->ack(d);
          if (!r) {
            ++errors;
            continue;
          }
          std::lock_guard<std::mutex> lock(mutex);
          ++acked[d.id];
          ++done;
        }
      }
    });
  }
  for (auto& th : workers) th.join();
  CHECK(errors == 0);
  CHECK(leased.size() == count);
  CHECK(acked.size() == count);
  std::size_t leased_twice = 0;
  std::size_t acked_twice = 0;
  for (const auto& [id, n] : leased) leased_twice += n == 1 ? 0 : 1;
  for (const auto& [id, n] : acked) acked_twice += n == 1 ? 0 : 1;
  CHECK(leased_twice == 0);
  CHECK(acked_twice == 0);
  const auto s = inbox->stats();
  REQUIRE(s.has_value());
  CHECK(s->acked_retained == count);
  CHECK(s->ready + s->leased + s->delayed + s->dead == 0);
}

/// What check_ordered_workers() saw.
struct OrderedRun {
  std::size_t applied = 0;            ///< Handler runs that applied a state.
  std::size_t skipped_stale = 0;      ///< Deliveries acked without applying: stale.
  std::size_t failed = 0;             ///< Transient failures (fail()).
  std::size_t older_over_newer = 0;   ///< Applied states older than the one already applied.
  std::size_t concurrent_leases = 0;  ///< A resource leased while it was already in flight.
  std::size_t not_newest = 0;         ///< Resources that did not end at their newest state.
};

/// The issue's trial: `resources` contacts x `updates` updates each, posted in order (the
/// resources interleaved), then `handlers` threads lease one delivery at a time, fail 20 % of
/// them (a transient error), skip the stale ones as a handler should, and apply the others
/// (the state of a resource is the `updatedAt` last applied). With `skip_superseded`, the lease
/// skips the superseded ones. Every delivery ends acked; none is lost.
inline OrderedRun check_ordered_workers(const InboxFactory& factory, bool skip_superseded,
                                        int resources = 20, int updates = 12, int handlers = 8) {
  mw::InboxOptions options;
  options.backoff_initial = 2ms;  // transient failures come back quickly
  options.backoff_max = 20ms;
  options.max_attempts = 1000;  // 20 % failures never make a dead letter
  std::unique_ptr<mw::Inbox> inbox = factory(options);
  const mw::TimePoint base = mw::TimePoint(std::chrono::hours(24 * 365 * 55));
  const auto total = static_cast<std::size_t>(resources * updates);
  for (int u = 0; u < updates; ++u) {
    for (int r = 0; r < resources; ++r) {
      const std::string key = "c" + std::to_string(r) + "-u" + std::to_string(u);
      mw::EventFacts facts;
      facts.model = "genericContact";
      const std::string id = "contact-" + std::to_string(r);
      facts.id = id;
      facts.trigger = mw::Trigger::updated;
      facts.updated_at = base + std::chrono::minutes(u);
      const auto a = inbox->append(mw::Headers{"hubspot", "o", key}, "body " + key, facts);
      REQUIRE(a.has_value());
      REQUIRE(a->status == mw::AppendStatus::stored);
    }
  }
  std::mutex mutex;
  std::map<std::string, mw::TimePoint> state;  // per resource: the updatedAt last applied
  std::set<std::string> in_flight;
  OrderedRun run;
  std::atomic<std::size_t> acked{0};
  std::atomic<std::size_t> errors{0};
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  std::vector<std::thread> threads;
  for (int t = 0; t < handlers; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(1234 + t));
      mw::LeaseOptions how;
      how.skip_superseded = skip_superseded;
      while (std::chrono::steady_clock::now() < deadline) {
        const auto leased = inbox->lease(1, 60s, how);
        if (!leased) {
          ++errors;
          return;
        }
        if (leased->empty()) {
          // Done when nothing is undone (skipped deliveries are acked by the lease itself).
          const auto st = inbox->stats();
          if (st && st->ready + st->leased + st->delayed == 0) return;
          std::this_thread::sleep_for(1ms);
          continue;
        }
        const mw::Delivery& d = leased->front();
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (!in_flight.insert(d.resource_id).second) ++run.concurrent_leases;
        }
        // The handler's work takes a moment, so other handlers run meanwhile.
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 2000));
        const bool transient_failure = random() % 5 == 0;
        {
          std::lock_guard<std::mutex> lock(mutex);
          in_flight.erase(d.resource_id);
          if (transient_failure) {
            ++run.failed;
          } else if (d.stale) {
            ++run.skipped_stale;
          } else {
            auto [it, first] = state.emplace(d.resource_id, d.updated_at);
            if (!first) {
              if (d.updated_at < it->second) ++run.older_over_newer;
              it->second = d.updated_at;
            }
            ++run.applied;
          }
        }
        if (transient_failure) {
          if (!inbox->fail(d, "transient")) ++errors;
        } else if (inbox->ack(d)) {
          ++acked;
        } else {
          ++errors;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto s = inbox->stats();
  REQUIRE(s.has_value());
  for (int r = 0; r < resources; ++r) {
    const auto it = state.find("contact-" + std::to_string(r));
    if (it == state.end() || it->second != base + std::chrono::minutes(updates - 1)) {
      ++run.not_newest;
    }
  }
  INFO("applied=" << run.applied << " stale=" << run.skipped_stale << " failed=" << run.failed
                  << " skipped_superseded=" << s->skipped_superseded << " " << describe(*s));
  CHECK(errors == 0);
  CHECK(s->acked_retained == total);
  CHECK(s->ready + s->leased + s->delayed + s->dead == 0);
  CHECK(run.older_over_newer == 0);
  CHECK(run.concurrent_leases == 0);
  CHECK(run.not_newest == 0);
  CHECK(run.failed > 0);  // the trial did fail some
  if (skip_superseded) {
    CHECK(s->skipped_superseded > 0);
    CHECK(acked.load() + s->skipped_superseded == total);
  } else {
    CHECK(s->skipped_superseded == 0);
    CHECK(acked.load() == total);
  }
  return run;
}

}  // namespace inbox_contract
