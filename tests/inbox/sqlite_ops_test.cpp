// The operator's view (tests/inbox/inbox_ops.hpp) on SqliteInbox, real files; and a version-2
// file gains the operator's indexes when opened.
#include <sqlite3.h>

#include <morph/webhook/inbox/sqlite.hpp>

#include "catch.hpp"
#include "inbox/inbox_ops.hpp"
#include "inbox/temp_dir.hpp"

namespace mw = morph::webhook;

TEST_CASE("SqliteInbox: get, list, replay, purge", "[inbox][sqlite][ops]") {
  TempDir dir;
  int next = 0;
  inbox_ops::check_operations([&](const mw::InboxOptions& options) -> std::unique_ptr<mw::Inbox> {
    mw::SqliteOptions o;
    o.inbox = options;
    auto r = mw::SqliteInbox::open(dir.file("ops-" + std::to_string(next++) + ".db"), o);
    REQUIRE(r.has_value());
    return std::move(*r);
  });
}

TEST_CASE("SqliteInbox: a schema-2 file gains the operator's indexes when opened",
          "[inbox][sqlite][ops]") {
  TempDir dir;
  const std::string path = dir.file("v2.db");
  mw::DeliveryId id = 0;
  {
    auto inbox = mw::SqliteInbox::open(path);
    REQUIRE(inbox.has_value());
    auto a = (*inbox)->append(mw::Headers{"c", "o", "k"}, R"({"event":"crmContact::updated"})",
                              mw::EventFacts{"crmContact", "1", mw::Trigger::updated, {}});
    REQUIRE(a.has_value());
    id = a->delivery_id;
  }
  // Back to what schema 2 had.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  for (const char* sql :
       {"DROP INDEX deliveries_by_state_id", "DROP INDEX deliveries_by_model",
        "DROP INDEX deliveries_by_connector", "DROP INDEX deliveries_by_origin",
        "DROP INDEX deliveries_by_owner", "DROP INDEX deliveries_by_resource_id",
        "DROP INDEX deliveries_stale_any", "ALTER TABLE deliveries DROP COLUMN replays",
        "PRAGMA user_version = 2"}) {
    INFO(sql);
    REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  sqlite3_close(db);
  auto inbox = mw::SqliteInbox::open(path);
  REQUIRE(inbox.has_value());
  auto r = (*inbox)->get(id);
  REQUIRE(r.has_value());
  CHECK(r->replays == 0);
  mw::DeliveryFilter f;
  f.model = "crmContact";
  auto page = (*inbox)->list(f, 10, std::nullopt);
  REQUIRE(page.has_value());
  REQUIRE(page->deliveries.size() == 1);
  CHECK(page->deliveries[0].id == id);
}

#include "inbox/inbox_ops_bench.hpp"

TEST_CASE("SqliteInbox: get and list on a large inbox (benchmark)", "[.][benchmark][ops]") {
  TempDir dir;
  mw::SqliteOptions o;
  o.synchronous = mw::SqliteSynchronous::normal;  // filling, not measuring durability
  o.inbox.max_attempts = 1;
  auto inbox = mw::SqliteInbox::open(dir.file("bench.db"), o);
  REQUIRE(inbox.has_value());
  inbox_ops_bench::run(**inbox, "SQLite");
}
