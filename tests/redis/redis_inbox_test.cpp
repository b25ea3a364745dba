// RedisInbox against a real redis-server (started by redis_main.cpp): the backend-neutral
// inbox contract, two instances racing, the key layout, the URI, AUTH, persistence, and a
// server killed and restarted under a live inbox.
#include <morph/webhook/inbox/redis.hpp>
#include <morph/webhook/request.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "inbox/inbox_contract.hpp"
#include "redis_inbox_support.hpp"

namespace {

namespace mw = morph::webhook;
using namespace std::chrono_literals;
using redis_test::endpoint;
using redis_test::fresh_inbox;
using redis_test::fresh_name;
using redis_test::open_inbox;

redis_test::RedisServer& server() { return redis_test::shared_server(); }

}  // namespace

TEST_CASE("RedisInbox: the inbox state-machine table", "[redis][contract]") {
  inbox_contract::check_state_machine(fresh_inbox);
}

TEST_CASE("RedisInbox: a delivery comes back byte for byte", "[redis][contract]") {
  inbox_contract::check_round_trip(fresh_inbox);
}

TEST_CASE("RedisInbox: 16 threads append one key, one is stored", "[redis][contract]") {
  inbox_contract::check_same_key_race(fresh_inbox);
}

TEST_CASE("RedisInbox: 4 workers lease 10,000 deliveries, each acked once", "[redis][contract]") {
  inbox_contract::check_worker_race(fresh_inbox);
}

TEST_CASE(
    "RedisInbox: 20 resources x 12 updates, 8 handlers, 20 % transient failures: no older "
    "state over a newer one",
    "[redis][contract]") {
  SECTION("every delivery run") { inbox_contract::check_ordered_workers(fresh_inbox, false); }
  SECTION("superseded ones skipped by the lease") {
    const auto run = inbox_contract::check_ordered_workers(fresh_inbox, true);
    // Posted before the handlers start: only the newest of each resource needs a run, plus
    // what a failure let pile up behind it.
    CHECK(run.applied < 20 * 12 / 2);
  }
}

TEST_CASE("RedisInbox: two instances racing on one key and one body store it once", "[redis]") {
  const std::string name = fresh_name();
  auto a = open_inbox(name, {});
  auto b = open_inbox(name, {});
  for (int round = 0; round < 5; ++round) {
    const std::string key = "key-" + std::to_string(round);
    std::atomic<bool> go{false};
    std::atomic<int> stored{0};
    std::atomic<int> duplicate{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        mw::RedisInbox& inbox = t % 2 == 0 ? *a : *b;
        while (!go.load()) std::this_thread::yield();
        // Even threads race on the key, odd ones send the same body under their own key.
        const std::string k = t % 4 == 1 ? key + "-retry-" + std::to_string(t) : key;
        const auto r =
            inbox.append(mw::Headers{"hubspot", "o", k}, "same body " + key, mw::EventFacts{});
        if (!r) {
          ++errors;
          return;
        }
        (r->status == mw::AppendStatus::stored ? stored : duplicate)++;
      });
    }
    go = true;
    for (auto& th : threads) th.join();
    CHECK(errors == 0);
    CHECK(stored == 1);
    CHECK(duplicate == 7);
  }
  const auto s = a->stats();
  REQUIRE(s.has_value());
  CHECK(s->ready == 5);
}

TEST_CASE("RedisInbox: every key carries the inbox's hash tag; guard entries have a TTL",
          "[redis]") {
  const std::string name = fresh_name();
  mw::RedisOptions o;
  o.inbox.retain = 2h;
  auto inbox = open_inbox(name, o);
  mw::EventFacts facts;
  facts.model = "genericContact";
  facts.id = "c1";
  facts.updated_at = mw::system_now();
  REQUIRE(inbox->append(mw::Headers{"hubspot", "o", "k1"}, "b1", facts).has_value());
  REQUIRE(inbox->append(mw::Headers{"hubspot", "o", "k2"}, "b2", mw::EventFacts{}).has_value());
  auto leased = inbox->lease(1, 30s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 1);
  REQUIRE(inbox->ack(leased->front()).has_value());
  REQUIRE(inbox->lease(1, 30s).has_value());

  const std::vector<std::string> keys = server().command({"KEYS", "mw:{" + name + "}:*"});
  // version, seq, 2 deliveries, 2 key entries, 2 body entries, the resource's arrival and
  // acked guards, leased, acked (ready, ready_age and the resource's line and versions are
  // empty, so Redis deleted them), and the operator's indexes by connector, owner, model and
  // resource.
  CHECK(keys.size() == 16);
  const std::vector<std::string> all = server().command({"KEYS", "*" + name + "*"});
  CHECK(all.size() == keys.size());
  for (const char* kind : {"}:r:", "}:a:"}) {
    INFO(kind);
    std::string guard;
    for (const std::string& k : keys) {
      if (k.find(kind) != std::string::npos) guard = k;
    }
    REQUIRE(!guard.empty());
    const auto ttl = server().command({"PTTL", guard});
    REQUIRE(ttl.size() == 1);
    CHECK(std::stoll(ttl[0]) > 3600 * 1000);
    CHECK(std::stoll(ttl[0]) <= 2 * 3600 * 1000);
  }
  // Redis Cluster hashes only the hash tag, the text between the first '{' and the next '}',
  // when there is one: every key must have the inbox name as its tag (one slot for all).
  // (CLUSTER KEYSLOT would say so too, but only on a server with cluster mode enabled.)
  for (const std::string& k : keys) {
    INFO(k);
    const std::size_t open = k.find('{');
    REQUIRE(open != std::string::npos);
    const std::size_t close = k.find('}', open + 1);
    REQUIRE(close != std::string::npos);
    CHECK(k.substr(open + 1, close - open - 1) == name);
  }
}

TEST_CASE("Redis URI: accepted forms", "[redis][uri]") {
  auto ep = mw::parse_redis_uri("redis://:s3cr%40t@db.internal:6380/2?name=shop");
  REQUIRE(ep.has_value());
  CHECK(ep->host == "db.internal");
  CHECK(ep->port == 6380);
  CHECK(ep->db == 2);
  CHECK(ep->user.empty());
  CHECK(ep->password == "s3cr@t");
  CHECK(ep->name == "shop");
  CHECK(ep->describe() == "redis://db.internal:6380/2?name=shop");

  ep = mw::parse_redis_uri("redis://localhost");
  REQUIRE(ep.has_value());
  CHECK(ep->host == "localhost");
  CHECK(ep->port == 6379);
  CHECK(ep->db == 0);
  CHECK(ep->password.empty());
  CHECK(ep->name == "morph");

  ep = mw::parse_redis_uri("redis://worker:p@ss/w@rd@[::1]:7000");
  REQUIRE(ep.has_value());
  CHECK(ep->host == "::1");
  CHECK(ep->port == 7000);
  CHECK(ep->user == "worker");
  CHECK(ep->password == "p@ss/w@rd");
  CHECK(ep->describe() == "redis://[::1]:7000/0?name=morph");
}

TEST_CASE("Redis URI: malformed ones are refused without echoing the password", "[redis][uri]") {
  for (const char* uri : {"http://:hunter2@h:1", "rediss://:hunter2@h:1", "redis://:hunter2@",
                          "redis://:hunter2@h:", "redis://:hunter2@h:0", "redis://:hunter2@h:65536",
                          "redis://:hunter2@h:6379/x", "redis://:hunter2@h:6379?name=",
                          "redis://:hunter2@h:6379?name=a{b}", "redis://:hunter2@h:6379?db=1",
                          "redis://hunter2@h", "redis://:hunter2%zz@h", "redis://:hunter2@[::1"}) {
    INFO(uri);
    const auto ep = mw::parse_redis_uri(uri);
    REQUIRE(!ep.has_value());
    CHECK(ep.error().code == mw::ErrorCode::invalid_value);
    CHECK(ep.error().message.find("hunter2") == std::string::npos);
    CHECK(ep.error().message.find("redis://[[USER]:PASSWORD@]HOST") != std::string::npos);
  }
}

TEST_CASE("Redis password file: first line, newline dropped", "[redis][uri]") {
  const std::string path = server().dir() + "/password";
  {
    std::ofstream out(path);
    out << "line one\r\nline two\n";
  }
  const auto pw = mw::read_redis_password_file(path);
  REQUIRE(pw.has_value());
  CHECK(*pw == "line one");
  CHECK(!mw::read_redis_password_file(server().dir() + "/missing").has_value());
}

TEST_CASE("RedisInbox: a wrong password is refused without appearing in the error", "[redis]") {
  mw::RedisEndpoint ep = endpoint(fresh_name());
  ep.password = "not-the-password-42";
  const auto inbox = mw::RedisInbox::open(ep);
  REQUIRE(!inbox.has_value());
  CHECK(inbox.error().code == mw::ErrorCode::storage_unavailable);
  CHECK(mw::http_status(inbox.error().code) == 503);
  CHECK(inbox.error().message.find("not-the-password-42") == std::string::npos);
  CHECK(inbox.error().message.find(server().password()) == std::string::npos);
  CHECK(inbox.error().message.find("AUTH") != std::string::npos);

  ep.password.clear();
  const auto anonymous = mw::RedisInbox::open(ep);
  REQUIRE(!anonymous.has_value());
  CHECK(anonymous.error().message.find("NOAUTH") != std::string::npos);
}

TEST_CASE("RedisInbox: persistence() reports the server's AOF settings", "[redis]") {
  auto inbox = open_inbox(fresh_name(), {});
  auto p = inbox->persistence();
  REQUIRE(p.has_value());
  CHECK(p->appendonly);
  CHECK(p->appendfsync == "always");
  CHECK(p->no_loss_after_ack());

  REQUIRE(server().command({"CONFIG", "SET", "appendfsync", "everysec"}) ==
          std::vector<std::string>{"OK"});
  p = inbox->persistence();
  REQUIRE(server().command({"CONFIG", "SET", "appendfsync", "always"}) ==
          std::vector<std::string>{"OK"});
  REQUIRE(p.has_value());
  CHECK(p->appendfsync == "everysec");
  CHECK(!p->no_loss_after_ack());
  CHECK(p->describe().find("last second") != std::string::npos);
}

TEST_CASE("RedisInbox: server killed -> storage_unavailable; restarted -> recovers by itself",
          "[redis][outage]") {
  mw::RedisOptions o;
  o.timeout = 500ms;
  o.max_reconnect_delay = 200ms;
  auto inbox = open_inbox(fresh_name(), o);
  const auto before = inbox->append(mw::Headers{"hubspot", "o", "before"}, "b0", mw::EventFacts{});
  REQUIRE(before.has_value());
  REQUIRE(before->status == mw::AppendStatus::stored);

  server().stop(SIGKILL);
  for (int i = 0; i < 3; ++i) {
    const auto r = inbox->append(mw::Headers{"hubspot", "o", "during"}, "b1", mw::EventFacts{});
    REQUIRE(!r.has_value());
    CHECK(r.error().code == mw::ErrorCode::storage_unavailable);
    CHECK(mw::http_status(r.error().code) == 503);
    CHECK(r.error().message.find(server().password()) == std::string::npos);
    const auto s = inbox->stats();
    CHECK(!s.has_value());
  }

  REQUIRE(server().start());
  // Reconnection waits at most max_reconnect_delay between attempts.
  std::optional<mw::Result<mw::Appended>> after;
  for (int i = 0; i < 100; ++i) {
    after.emplace(inbox->append(mw::Headers{"hubspot", "o", "after"}, "b2", mw::EventFacts{}));
    if (after->has_value()) break;
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(after->has_value());
  CHECK((*after)->status == mw::AppendStatus::stored);
  // What was stored before the crash is still there (AOF, appendfsync always), and still
  // deduplicates.
  const auto again = inbox->append(mw::Headers{"hubspot", "o", "before"}, "b0", mw::EventFacts{});
  REQUIRE(again.has_value());
  CHECK(again->status == mw::AppendStatus::duplicate);
  CHECK(again->delivery_id == before->delivery_id);
  const auto leased = inbox->lease(10, 30s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 2);
  CHECK(leased->at(0).idempotency_key == "before");
  CHECK(leased->at(1).idempotency_key == "after");
}

TEST_CASE("RedisInbox: a restart while the inbox is idle fails no request", "[redis][outage]") {
  mw::RedisOptions o;
  o.idle_check = 0ms;  // every pooled connection is checked before use
  auto inbox = open_inbox(fresh_name(), o);
  REQUIRE(inbox->append(mw::Headers{"hubspot", "o", "k1"}, "b1", mw::EventFacts{}).has_value());
  server().stop(SIGKILL);
  REQUIRE(server().start());
  const auto r = inbox->append(mw::Headers{"hubspot", "o", "k2"}, "b2", mw::EventFacts{});
  REQUIRE(r.has_value());
  CHECK(r->status == mw::AppendStatus::stored);
  const auto s = inbox->stats();
  REQUIRE(s.has_value());
  CHECK(s->ready == 2);
}
