// redis-sentinel:// URIs, the replication facts read from INFO, and a Sentinel endpoint whose
// sentinels are all unreachable (no server needed for any of these).
#include <morph/webhook/inbox/redis.hpp>

#include <string>
#include <vector>

#include "catch.hpp"
#include "redis_server.hpp"

namespace mw = morph::webhook;

TEST_CASE("redis-sentinel:// URIs", "[redis][sentinel]") {
  struct Row {
    const char* uri;
    const char* sentinels;  // "host:port,..." or nullptr when the URI is refused
    const char* master;
    int db;
    const char* name;
  };
  // clang-format off
  const std::vector<Row> rows = {
    {"redis-sentinel://10.0.0.5:26379,10.0.0.6:26380/inbox-primary",        "10.0.0.5:26379,10.0.0.6:26380", "inbox-primary", 0, "morph"},
    {"redis-sentinel://s1,s2,s3/main/3?name=shop",                           "s1:26379,s2:26379,s3:26379",    "main",          3, "shop"},
    {"redis-sentinel://[::1]:5000/m?name=a%20b",                             "[::1]:5000",                    "m",             0, "a b"},
    {"redis-sentinel://10.0.0.5:26379",                                      nullptr, "", 0, ""},  // no master name
    {"redis-sentinel://10.0.0.5:26379/",                                     nullptr, "", 0, ""},
    {"redis-sentinel://:pw@10.0.0.5:26379/m",                                nullptr, "", 0, ""},  // no password in it
    {"redis-sentinel://10.0.0.5:0/m",                                        nullptr, "", 0, ""},
    {"redis-sentinel://10.0.0.5:1,/m",                                       nullptr, "", 0, ""},  // an empty sentinel
    {"redis-sentinel://10.0.0.5/m/x",                                        nullptr, "", 0, ""},
    {"redis-sentinel://10.0.0.5/m?name={x}",                                 nullptr, "", 0, ""},
    {"redis-sentinel://10.0.0.5/m?replicas=1",                               nullptr, "", 0, ""},  // an option, not the endpoint's
  };
  // clang-format on
  for (const Row& row : rows) {
    INFO(row.uri);
    const mw::Result<mw::RedisEndpoint> ep = mw::parse_redis_uri(row.uri);
    if (row.sentinels == nullptr) {
      REQUIRE_FALSE(ep.has_value());
      CHECK(ep.error().code == mw::ErrorCode::invalid_value);
      CHECK(ep.error().message.find("pw") == std::string::npos);
      continue;
    }
    REQUIRE(ep.has_value());
    std::string sentinels;
    for (const mw::RedisAddress& s : ep->sentinels) {
      sentinels += (sentinels.empty() ? "" : ",") + s.describe();
    }
    CHECK(sentinels == row.sentinels);
    CHECK(ep->master_name == row.master);
    CHECK(ep->db == row.db);
    CHECK(ep->name == row.name);
    CHECK(ep->describe().rfind("redis-sentinel://", 0) == 0);
  }
  // redis:// still parses as before, with no sentinels.
  const auto plain = mw::parse_redis_uri("redis://:secret@127.0.0.1:7000/2?name=x");
  REQUIRE(plain.has_value());
  CHECK(plain->sentinels.empty());
  CHECK(plain->describe() == "redis://127.0.0.1:7000/2?name=x");
}

TEST_CASE("INFO replication: role, connected replicas, min-replicas-to-write",
          "[redis][sentinel]") {
  const auto primary = mw::parse_redis_replication_info(
      "# Replication\r\nrole:master\r\nconnected_slaves:2\r\nmin_slaves_good_slaves:2\r\n"
      "slave0:ip=127.0.0.1,port=1,state=online,offset=1,lag=0\r\n");
  REQUIRE(primary.has_value());
  CHECK(primary->role == "master");
  CHECK(primary->connected_replicas == 2);
  CHECK(primary->min_replicas_to_write);
  const auto alone = mw::parse_redis_replication_info("role:master\nconnected_slaves:0\n");
  REQUIRE(alone.has_value());
  CHECK(alone->connected_replicas == 0);
  CHECK_FALSE(alone->min_replicas_to_write);
  CHECK_FALSE(mw::parse_redis_replication_info("connected_slaves:1\n").has_value());
}

TEST_CASE("Sentinel endpoint: no sentinel reachable is storage_unavailable naming each",
          "[redis][sentinel]") {
  mw::RedisEndpoint ep;
  ep.sentinels = {{"127.0.0.1", redis_test::free_port()}, {"127.0.0.1", redis_test::free_port()}};
  ep.master_name = "nobody";
  ep.sentinel_password = "sentinel-secret";
  ep.name = "sentinel-down";
  mw::RedisOptions options;
  options.timeout = std::chrono::milliseconds(300);
  options.expire_in_background = false;
  const auto opened = mw::RedisInbox::open(ep, options);
  REQUIRE_FALSE(opened.has_value());
  const mw::Error& e = opened.error();
  CHECK(e.code == mw::ErrorCode::storage_unavailable);
  CHECK(e.message.find("asking the sentinels") != std::string::npos);
  CHECK(e.message.find(ep.sentinels[0].describe()) != std::string::npos);
  CHECK(e.message.find(ep.sentinels[1].describe()) != std::string::npos);
  CHECK(e.message.find("sentinel-secret") == std::string::npos);
}

TEST_CASE("Sentinel endpoint: a plain Redis asked as a sentinel is refused clearly",
          "[redis][sentinel]") {
  // The test binary's redis-server is no sentinel: SENTINEL is an unknown command there.
  redis_test::RedisServer& redis = *redis_test::server();
  mw::RedisEndpoint ep;
  ep.sentinels = {{"127.0.0.1", redis.port()}};
  ep.master_name = "m";
  ep.sentinel_password = redis.password();
  ep.name = "not-a-sentinel";
  mw::RedisOptions options;
  options.expire_in_background = false;
  const auto opened = mw::RedisInbox::open(ep, options);
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.error().code == mw::ErrorCode::storage_unavailable);
  CHECK(opened.error().message.find("SENTINEL") != std::string::npos);
}
