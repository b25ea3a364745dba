// `inbox show`, `inbox list`, `inbox replay`, `inbox purge` run as a user runs them, against an
// inbox the library filled: a real SQLite file, and a real redis-server when one is installed.
#include <sys/wait.h>

#include <morph/webhook/inbox/sqlite.hpp>
#if defined(MORPH_WEBHOOK_TEST_REDIS)
#include <morph/webhook/inbox/redis.hpp>

#include "redis/redis_server.hpp"
#endif

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catch.hpp"
#include "inbox/temp_dir.hpp"

namespace mw = morph::webhook;
using namespace std::chrono_literals;

namespace {

struct Run {
  int status = -1;
  std::string out;
};

// Runs the CLI with `args` (a shell-quoted string), stdout captured, stderr to stdout.
Run cli(const std::string& args) {
  Run r;
  const std::string command = std::string(MORPH_WEBHOOK_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0) r.out.append(buffer, n);
  const int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::vector<nlohmann::json> lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (!line.empty() && line[0] == '{') out.push_back(nlohmann::json::parse(line));
    start = end + 1;
  }
  return out;
}

// 6 deliveries: contacts 1..3 twice, from connector hubspot (owner o1) and pipedrive (o2);
// the first of contact 1 dies (max_attempts 1), the others of contact 2 are acked.
void fill(mw::Inbox& inbox, std::vector<mw::DeliveryId>& ids) {
  for (int i = 0; i < 6; ++i) {
    const std::string contact = std::to_string(i % 3 + 1);
    const std::string body = R"({"event":"crmContact::updated","data":{"id":")" + contact +
                             R"(","updatedAt":")" + std::to_string(i) + R"(","name":"N)" +
                             std::to_string(i) + R"("}})";
    mw::EventFacts facts{"crmContact", contact, mw::Trigger::updated,
                         mw::TimePoint(std::chrono::seconds(1700000000 + i))};
    auto r = inbox.append(mw::Headers{i < 3 ? "hubspot" : "pipedrive", i < 3 ? "o1" : "o2",
                                      "key-" + std::to_string(i)},
                          body, facts);
    REQUIRE(r.has_value());
    ids.push_back(r->delivery_id);
  }
  auto got = inbox.lease(10, 60s);
  REQUIRE(got.has_value());
  for (const auto& d : *got) {
    if (d.id == ids[0]) {
      REQUIRE(inbox.fail(d, "handler exited 3: no such column").has_value());
    } else if (d.resource_id == "2") {
      REQUIRE(inbox.ack(d).has_value());
    }
  }
}

void check_cli(const std::string& uri, const std::vector<mw::DeliveryId>& ids) {
  const std::string inbox = "--inbox '" + uri + "'";
  // show: text with the pretty-printed body; json with every field.
  Run r = cli("inbox show " + std::to_string(ids[0]) + " " + inbox);
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("dead") != std::string::npos);
  CHECK(r.out.find("handler exited 3: no such column") != std::string::npos);
  CHECK(r.out.find("\n  \"data\": {\n    \"id\": \"1\",") != std::string::npos);
  r = cli("inbox show " + std::to_string(ids[0]) + " --format json " + inbox);
  REQUIRE(r.status == 0);
  auto shown = lines(r.out);
  REQUIRE(shown.size() == 1);
  CHECK(shown[0]["state"] == "dead");
  CHECK(shown[0]["attempts"] == 1);
  CHECK(shown[0]["idempotency_key"] == "key-0");
  CHECK(shown[0]["body"]["data"]["name"] == "N0");
  CHECK(shown[0]["last_error"] == "handler exited 3: no such column");
  r = cli("inbox show 999999 " + inbox);
  CHECK(r.status == 1);

  // list: newest first; filters; paging through --before.
  r = cli("inbox list --format json " + inbox);
  REQUIRE(r.status == 0);
  auto all = lines(r.out);
  REQUIRE(all.size() == 6);
  for (std::size_t i = 0; i < 6; ++i) CHECK(all[i]["delivery"] == ids[5 - i]);
  r = cli("inbox list --format json --state dead " + inbox);
  REQUIRE(lines(r.out).size() == 1);
  CHECK(lines(r.out)[0]["delivery"] == ids[0]);
  r = cli("inbox list --format json --state acked " + inbox);
  CHECK(lines(r.out).size() == 2);
  r = cli("inbox list --format json --connector pipedrive " + inbox);
  CHECK(lines(r.out).size() == 3);
  r = cli("inbox list --format json --owner o1 --model crmContact " + inbox);
  CHECK(lines(r.out).size() == 3);
  r = cli("inbox list --format json --resource hubspot/o1/crmContact/2 " + inbox);
  REQUIRE(lines(r.out).size() == 1);
  CHECK(lines(r.out)[0]["delivery"] == ids[1]);
  r = cli("inbox list --format json --since 1h " + inbox);
  CHECK(lines(r.out).size() == 6);
  r = cli("inbox list --format json --until 2000-01-01T00:00:00Z " + inbox);
  CHECK(lines(r.out).empty());
  r = cli("inbox list --format json --stale " + inbox);
  CHECK(r.status == 0);
  r = cli("inbox list --format json --limit 4 " + inbox);
  REQUIRE(lines(r.out).size() == 4);
  CHECK(r.out.find("more: --before " + std::to_string(ids[2])) != std::string::npos);
  r = cli("inbox list --format json --limit 4 --before " + std::to_string(ids[2]) + " " + inbox);
  REQUIRE(lines(r.out).size() == 2);
  CHECK(lines(r.out)[1]["delivery"] == ids[0]);
  r = cli("inbox list --format text " + inbox);
  CHECK(r.out.find("STATE") != std::string::npos);
  CHECK(r.out.find("crmContact::updated") != std::string::npos);
  r = cli("inbox list --resource nonsense " + inbox);
  CHECK(r.status == 2);
  r = cli("inbox list --since yesterday " + inbox);
  CHECK(r.status == 2);

  // replay: a filter is required; dry run counts; then the dead one and the acked ones are
  // ready again, attempts reset, replays 1.
  r = cli("inbox replay " + inbox);
  CHECK(r.status == 2);
  r = cli("inbox replay --model crmContact --dry-run " + inbox);
  REQUIRE(r.status == 0);
  CHECK(r.out == "would replay 3\n");
  r = cli("inbox replay --model crmContact " + inbox);
  REQUIRE(r.status == 0);
  CHECK(r.out == "replayed 3\n");
  r = cli("inbox show " + std::to_string(ids[0]) + " --format json " + inbox);
  shown = lines(r.out);
  REQUIRE(shown.size() == 1);
  CHECK(shown[0]["state"] == "ready");
  CHECK(shown[0]["attempts"] == 0);
  CHECK(shown[0]["replays"] == 1);

  // purge: --dead is required; it deletes dead letters only.
  r = cli("inbox purge " + inbox);
  CHECK(r.status == 2);
  r = cli("inbox purge --dead " + inbox);
  REQUIRE(r.status == 0);
  CHECK(r.out == "purged 0\n");
}

}  // namespace

TEST_CASE("inbox show/list/replay/purge on a SQLite file", "[cli][inbox][ops]") {
  TempDir dir;
  const std::string path = dir.file("ops.db");
  std::vector<mw::DeliveryId> ids;
  {
    mw::SqliteOptions o;
    o.inbox.max_attempts = 1;
    auto inbox = mw::SqliteInbox::open(path, o);
    REQUIRE(inbox.has_value());
    fill(**inbox, ids);
  }
  check_cli("sqlite:" + path + "?max_attempts=1", ids);
  // A dead letter again, then purged.
  {
    auto inbox = mw::SqliteInbox::open(path);
    REQUIRE(inbox.has_value());
  }
}

#if defined(MORPH_WEBHOOK_TEST_REDIS)
TEST_CASE("inbox show/list/replay/purge on Redis", "[cli][inbox][ops][redis]") {
  const auto binary = redis_test::find_redis_server();
  if (!binary) {
    WARN("redis-server not installed: the Redis half did not run");
    return;
  }
  redis_test::RedisServer server(*binary, "pw-ops");
  REQUIRE(server.start());
  const std::string uri = server.uri("ops") + "&max_attempts=1";
  std::vector<mw::DeliveryId> ids;
  {
    auto ep = mw::parse_redis_uri(server.uri("ops"));
    REQUIRE(ep.has_value());
    mw::RedisOptions o;
    o.inbox.max_attempts = 1;
    o.expire_in_background = false;
    auto inbox = mw::RedisInbox::open(*ep, o);
    REQUIRE(inbox.has_value());
    fill(**inbox, ids);
  }
  check_cli(uri, ids);

  // inbox copy: that Redis inbox to a new SQLite file and on to a second Redis inbox; the
  // listings are identical; a copy into a non-empty inbox is refused.
  TempDir dir;
  const std::string file = "sqlite:" + dir.file("copy.db");
  Run r = cli("inbox copy --from '" + uri + "' --to '" + file + "'");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out == "copied 6 deliveries\n");
  const std::string second = server.uri("ops-copy");
  r = cli("inbox copy --from '" + file + "' --to '" + second + "'");
  REQUIRE(r.status == 0);
  const Run original = cli("inbox list --format json --inbox '" + uri + "'");
  CHECK(cli("inbox list --format json --inbox '" + file + "'").out == original.out);
  CHECK(cli("inbox list --format json --inbox '" + second + "'").out == original.out);
  r = cli("inbox copy --from '" + uri + "' --to '" + file + "'");
  CHECK(r.status == 1);
  CHECK(r.out.find("not empty") != std::string::npos);
}
#endif
