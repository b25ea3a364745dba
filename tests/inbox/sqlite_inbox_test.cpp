// SqliteInbox: the backend-neutral contract on real files, then what is SQLite's own: the
// file's mode, reopening, unwritable/corrupt/newer files, a full disk, and SIGKILL mid-append.
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <morph/webhook/inbox/sqlite.hpp>
#include <morph/webhook/request.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "inbox/inbox_contract.hpp"
#include "inbox/temp_dir.hpp"

namespace mw = morph::webhook;
using namespace std::chrono_literals;

namespace {

// Fresh inboxes in one temporary directory, one file each.
struct SqliteFactory {
  TempDir dir;
  int next = 0;
  mw::SqliteOptions base;

  inbox_contract::InboxFactory factory() {
    return [this](const mw::InboxOptions& options) -> std::unique_ptr<mw::Inbox> {
      mw::SqliteOptions o = base;
      o.inbox = options;
      auto r = mw::SqliteInbox::open(dir.file("inbox-" + std::to_string(next++) + ".db"), o);
      REQUIRE(r.has_value());
      return std::move(*r);
    };
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Sets or clears the file's immutable attribute (chattr +i); false when the file system or the
// process's capabilities do not allow it.
bool set_immutable(const std::string& path, bool on) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  int flags = 0;
  bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  if (ok) {
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ok = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
  }
  ::close(fd);
  return ok;
}

}  // namespace

TEST_CASE("SqliteInbox: the state machine table", "[inbox][sqlite]") {
  SqliteFactory f;
  inbox_contract::check_state_machine(f.factory());
}

TEST_CASE("SqliteInbox: the state machine table, one commit per operation", "[inbox][sqlite]") {
  SqliteFactory f;
  f.base.group_commit = false;
  inbox_contract::check_state_machine(f.factory());
}

TEST_CASE("SqliteInbox: a delivery comes back byte for byte", "[inbox][sqlite]") {
  SqliteFactory f;
  inbox_contract::check_round_trip(f.factory());
}

TEST_CASE("SqliteInbox: 16 threads append one key, one is stored", "[inbox][sqlite][race]") {
  SqliteFactory f;
  SECTION("group commit") { inbox_contract::check_same_key_race(f.factory()); }
  SECTION("one commit per append") {
    f.base.group_commit = false;
    inbox_contract::check_same_key_race(f.factory());
  }
}

TEST_CASE("SqliteInbox: 4 workers lease 10,000 deliveries", "[inbox][sqlite][race]") {
  SqliteFactory f;
  // ~2,500 commits of at most 4 acks each: with an fsync each they take 5-25 s on a busy disk.
  // What is checked here is the leasing logic, which synchronous does not change.
  f.base.synchronous = mw::SqliteSynchronous::normal;
  inbox_contract::check_worker_race(f.factory());
}

TEST_CASE("SqliteInbox: typed and generic events feed the ordering guard", "[inbox][sqlite]") {
  TempDir dir;
  auto inbox = mw::SqliteInbox::open(dir.file("i.db"));
  REQUIRE(inbox.has_value());
  mw::ResourceEvent newer;
  newer.model = "crmEngagement";
  newer.id = "29090716";
  newer.trigger = mw::Trigger::updated;
  newer.updated_at.time = mw::TimePoint(std::chrono::seconds(2000));
  mw::WebhookEvent older;
  older.model = "crmEngagement";
  older.id = "29090716";
  older.trigger = mw::Trigger::updated;
  older.updated_at.time = mw::TimePoint(std::chrono::seconds(1000));
  const auto a = (*inbox)->append(mw::Headers{"hubspot", "o", "k1"}, "new", newer);
  const auto b = (*inbox)->append(mw::Headers{"hubspot", "o", "k2"}, "old", older);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK_FALSE(a->stale);
  CHECK(b->stale);
}

TEST_CASE("SqliteInbox: the file is private, durable settings hold, reopening keeps everything",
          "[inbox][sqlite]") {
  TempDir dir;
  const std::string path = dir.file("inbox.db");
  const ::mode_t old_mask = ::umask(0);  // a permissive umask must not leak the file
  mw::DeliveryId id = 0;
  {
    auto inbox = mw::SqliteInbox::open(path);
    ::umask(old_mask);
    REQUIRE(inbox.has_value());
    CHECK((*inbox)->path() == path);
    const auto r = (*inbox)->append(mw::Headers{"hubspot", "o", "k1"}, "body", mw::EventFacts{});
    REQUIRE(r.has_value());
    id = r->delivery_id;
    CHECK((*inbox)->commits() >= 1);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((path + "-wal").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) == "wal");
    sqlite3_finalize(s);
    REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    CHECK(sqlite3_column_int(s, 0) == mw::sqlite_inbox_schema_version);
    sqlite3_finalize(s);
    sqlite3_close(db);
  }
  auto inbox = mw::SqliteInbox::open(path);
  REQUIRE(inbox.has_value());
  const auto dup = (*inbox)->append(mw::Headers{"hubspot", "o", "k1"}, "body", mw::EventFacts{});
  REQUIRE(dup.has_value());
  CHECK(dup->status == mw::AppendStatus::duplicate);
  CHECK(dup->delivery_id == id);
  const auto leased = (*inbox)->lease(10, 30s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 1);
  CHECK(leased->front().body == "body");
}

namespace {

// open() refuses `path`: storage_unavailable (503), and a message naming the path and `reason`.
void check_refused(const std::string& path, const std::string& reason) {
  const auto r = mw::SqliteInbox::open(path);
  if (r.has_value()) {
    FAIL_CHECK("opened " << path);
    return;
  }
  INFO(r.error().message);
  CHECK(r.error().code == mw::ErrorCode::storage_unavailable);
  CHECK(mw::http_status(r.error()) == 503);
  CHECK(contains(r.error().message, path));
  CHECK(contains(r.error().message, reason));
}

}  // namespace

TEST_CASE("SqliteInbox: unwritable, corrupt or newer files fail at open with a clear error",
          "[inbox][sqlite]") {
  TempDir dir;
  SECTION("a directory that does not exist") {
    check_refused(dir.file("missing/inbox.db"), "No such file or directory");
  }
  SECTION("not a database") {
    const std::string path = dir.file("garbage.db");
    std::ofstream(path) << std::string(8192, 'G');
    check_refused(path, "not a database");
  }
  SECTION("a directory where the file should be") {
    const std::string path = dir.file("adir");
    std::filesystem::create_directory(path);
    check_refused(path, "not a regular file");
  }
  SECTION("a read-only file") {
    const std::string path = dir.file("ro.db");
    { REQUIRE(mw::SqliteInbox::open(path).has_value()); }
    ::chmod(path.c_str(), 0400);
    // Root ignores permissions (CI runs as root), not the immutable flag.
    const bool immutable = ::geteuid() == 0 && set_immutable(path, true);
    if (::geteuid() == 0 && !immutable) {
      WARN("running as root without the immutable flag: the read-only check is skipped");
    } else {
      check_refused(path, "not writable");
      if (immutable) set_immutable(path, false);
    }
  }
  SECTION("written by a newer schema") {
    const std::string path = dir.file("newer.db");
    { REQUIRE(mw::SqliteInbox::open(path).has_value()); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    check_refused(path, "schema version 99");
  }
  SECTION("a corrupt page") {
    const std::string path = dir.file("corrupt.db");
    { REQUIRE(mw::SqliteInbox::open(path).has_value()); }
    // Overwrite everything after the 100-byte header of page 1: the schema is unreadable.
    {
      std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
      file.seekp(100);
      const std::string junk(4096 * 3, '\x5a');
      file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    check_refused(path, "malformed");
  }
}

TEST_CASE("SqliteInbox: a full disk is storage_unavailable, loses nothing, recovers in place",
          "[inbox][sqlite]") {
  TempDir dir;
  mw::SqliteOptions options;
  options.max_bytes = 256 * 1024;
  auto opened = mw::SqliteInbox::open(dir.file("full.db"), options);
  REQUIRE(opened.has_value());
  mw::SqliteInbox& inbox = **opened;
  std::vector<std::string> stored;
  std::string refused;
  const std::string padding(3000, 'p');
  for (int i = 0; i < 1000 && refused.empty(); ++i) {
    const std::string key = "k" + std::to_string(i);
    const auto r = inbox.append(mw::Headers{"hubspot", "o", key}, key + padding, mw::EventFacts{});
    if (r) {
      REQUIRE(r->status == mw::AppendStatus::stored);
      stored.push_back(key);
    } else {
      CHECK(r.error().code == mw::ErrorCode::storage_unavailable);
      CHECK(mw::http_status(r.error()) == 503);
      CHECK(contains(r.error().message, "full"));
      refused = key;
    }
  }
  REQUIRE_FALSE(refused.empty());
  REQUIRE(stored.size() > 10);
  INFO(stored.size() << " appends stored before the limit");
  // Reads still work while full, and the refused append left nothing behind.
  const auto s = inbox.stats();
  REQUIRE(s.has_value());
  CHECK(s->ready == stored.size());
  // Space returns: the same inbox, not reopened, stores again.
  REQUIRE(inbox.set_max_bytes(0).has_value());
  const auto again =
      inbox.append(mw::Headers{"hubspot", "o", refused}, refused + padding, mw::EventFacts{});
  REQUIRE(again.has_value());
  CHECK(again->status == mw::AppendStatus::stored);  // not a duplicate: nothing was stored
  const auto leased = inbox.lease(100000, 60s);
  REQUIRE(leased.has_value());
  std::set<std::string> keys;
  for (const mw::Delivery& d : *leased) {
    CHECK(keys.insert(d.idempotency_key).second);
    CHECK(d.body == d.idempotency_key + padding);
  }
  CHECK(keys.size() == stored.size() + 1);
  for (const std::string& k : stored) CHECK(keys.count(k) == 1);
  for (const mw::Delivery& d : *leased) CHECK(inbox.ack(d).has_value());
}

namespace {

// Runs the crash appender with `args` for `run_for`, or until its output holds the line
// `until`, then SIGKILLs it. Returns its complete output lines.
std::vector<std::string> run_and_kill(const std::vector<std::string>& args,
                                      std::chrono::milliseconds run_for,
                                      const std::string& until = "") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv{const_cast<char*>(MORPH_WEBHOOK_CRASH_APPENDER)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(MORPH_WEBHOOK_CRASH_APPENDER, argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  // Read while it runs, so a full pipe never stalls it.
  std::string output;
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  char buf[65536];
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  while (std::chrono::steady_clock::now() < deadline &&
         (until.empty() || ("\n" + output).find("\n" + until + "\n") == std::string::npos)) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      output.append(buf, static_cast<std::size_t>(n));
    } else {
      std::this_thread::sleep_for(2ms);
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  ::fcntl(fds[0], F_SETFL, 0);
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
    output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (!in.eof()) lines.push_back(line);  // a line cut by the kill has no '\n'
  }
  return lines;
}

}  // namespace

TEST_CASE("SqliteInbox: SIGKILL during appends loses no acknowledged event and stores none twice",
          "[inbox][sqlite][crash]") {
  TempDir dir;
  const std::string path = dir.file("crash.db");
  std::mt19937 random(12345);
  std::map<std::string, int> stored_count;  // key -> times an append returned `stored`
  std::map<std::string, mw::DeliveryId> id_of;
  std::size_t lines_total = 0;
  for (int round = 0; round < 4; ++round) {
    const auto run_for = std::chrono::milliseconds(150 + random() % 350);
    const std::vector<std::string> lines = run_and_kill({path}, run_for);
    lines_total += lines.size();
    for (const std::string& line : lines) {
      std::istringstream fields(line);
      std::string status, key;
      mw::DeliveryId id = 0;
      fields >> status >> key >> id;
      if (status == "stored") {
        ++stored_count[key];
        id_of[key] = id;
      }
    }
  }
  INFO(lines_total << " acknowledged appends over 4 killed runs");
  REQUIRE(lines_total > 0);
  for (const auto& [key, n] : stored_count) {
    INFO(key);
    CHECK(n == 1);
  }
  auto inbox = mw::SqliteInbox::open(path);
  REQUIRE(inbox.has_value());
  const auto leased = (*inbox)->lease(10000000, 60s);
  REQUIRE(leased.has_value());
  std::map<std::string, int> present;
  for (const mw::Delivery& d : *leased) ++present[d.idempotency_key];
  std::size_t missing = 0;
  std::size_t wrong_id = 0;
  for (const auto& [key, n] : stored_count) {
    if (present[key] != 1) ++missing;
  }
  for (const mw::Delivery& d : *leased) {
    const auto it = id_of.find(d.idempotency_key);
    if (it != id_of.end() && it->second != d.id) ++wrong_id;
  }
  CHECK(missing == 0);
  CHECK(wrong_id == 0);
  for (const auto& [key, n] : present) {
    INFO(key);
    CHECK(n == 1);
  }
}

#ifdef MORPH_WEBHOOK_INBOX_WORKER
namespace {

std::string read_payload(const std::string& name) {
  std::ifstream in(std::string(MORPH_WEBHOOK_PAYLOADS_DIR) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("examples/inbox_worker leases, dispatches, acks or fails", "[inbox][sqlite][example]") {
  TempDir dir;
  const std::string path = dir.file("worker.db");
  auto opened = mw::SqliteInbox::open(path);
  REQUIRE(opened.has_value());
  mw::SqliteInbox& inbox = **opened;
  // Appended as a receiver does: parsed, then stored with the event's facts.
  const auto append_payload = [&](const std::string& file, const std::string& key) {
    const std::string body = read_payload(file);
    const auto event = mw::parse_envelope(body);
    REQUIRE(event.has_value());
    const auto r = inbox.append(mw::Headers{"hubspot", "owner", key}, body, *event);
    REQUIRE(r.has_value());
    return *r;
  };
  CHECK_FALSE(append_payload("call-deleted.json", "d1").stale);
  CHECK(append_payload("call-created.json", "c1").stale);  // older than the tombstone
  CHECK_FALSE(append_payload("contact-updated.json", "u1").stale);
  CHECK_FALSE(append_payload("meeting-updated.json", "m1").stale);
  REQUIRE(inbox.append(mw::Headers{"hubspot", "owner", "x1"}, "{}", mw::EventFacts{}));

  // The worker is another process on the same file, while this one keeps it open.
  const std::string command = std::string(MORPH_WEBHOOK_INBOX_WORKER) + " --once " + path;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  const int status = ::pclose(pipe);
  INFO(output);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(contains(output, "crmEngagement::deleted 29090716: acked"));
  CHECK(contains(output, "stale, skipped: acked"));
  CHECK(contains(output, "genericContact::updated 247: acked"));
  CHECK(contains(output, "crmEngagement::updated"));
  CHECK(contains(output, "(meeting): acked"));
  CHECK(contains(output, "rejected body: "));
  CHECK(contains(output, "retried later"));

  const auto s = inbox.stats();
  REQUIRE(s.has_value());
  CHECK(s->acked_retained == 4);
  CHECK(s->delayed == 1);
  CHECK(s->ready + s->leased + s->dead == 0);
}
#endif

TEST_CASE("SqliteInbox: a worker killed while holding leases: its deliveries come back after them",
          "[inbox][sqlite][crash]") {
  TempDir dir;
  const std::string path = dir.file("worker-crash.db");
  auto opened = mw::SqliteInbox::open(path);
  REQUIRE(opened.has_value());
  mw::SqliteInbox& inbox = **opened;
  for (int i = 0; i < 10; ++i) {
    const std::string key = "k" + std::to_string(i);
    REQUIRE(inbox.append(mw::Headers{"hubspot", "o", key}, key, mw::EventFacts{}).has_value());
  }
  const auto lease_time = 1500ms;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> lines =
      run_and_kill({"--lease-and-hang", std::to_string(lease_time.count()), path}, 10s, "holding");
  REQUIRE(!lines.empty());
  CHECK(lines.back() == "holding");
  CHECK(lines.size() == 11);
  const auto s = inbox.stats();
  REQUIRE(s.has_value());
  if (std::chrono::steady_clock::now() - start < lease_time - 200ms) {
    CHECK(s->leased == 10);  // the dead worker's leases still hold
    const auto none = inbox.lease(100, 60s);
    REQUIRE(none.has_value());
    CHECK(none->empty());
  } else {
    WARN("the machine is too slow to see the leases before they expire; that part is skipped");
  }
  std::this_thread::sleep_until(start + lease_time + 100ms);
  const auto back = inbox.lease(100, 60s);
  REQUIRE(back.has_value());
  CHECK(back->size() == 10);
  for (const mw::Delivery& d : *back) {
    CHECK(d.attempt == 2);
    CHECK(inbox.ack(d).has_value());
  }
}

TEST_CASE(
    "SqliteInbox: 8 handlers, 20 resources x 12 updates, 20 % failures: never older over newer",
    "[inbox][sqlite][ordered]") {
  SqliteFactory f;
  f.base.synchronous = mw::SqliteSynchronous::normal;
  SECTION("every delivery run") { inbox_contract::check_ordered_workers(f.factory(), false); }
  SECTION("superseded ones skipped by the lease") {
    const auto run = inbox_contract::check_ordered_workers(f.factory(), true);
    // Posted before the handlers start: only the newest of each resource needs a run, plus
    // what a failure let pile up behind it.
    CHECK(run.applied < 20 * 12 / 2);
  }
}

namespace {

// Schema version 1, as morph-webhook wrote it before ordered leases (src/inbox/sqlite.cpp at
// 6c9bbc7), with rows as that version left them.
constexpr const char* v1_file_sql = R"sql(
CREATE TABLE deliveries(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  connector_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  body BLOB NOT NULL,
  body_hash INTEGER NOT NULL,
  stale INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  state INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0,
  lease_token TEXT,
  last_error TEXT,
  acked_at INTEGER);
CREATE UNIQUE INDEX deliveries_by_key ON deliveries(connector_id, owner_id, idempotency_key);
CREATE INDEX deliveries_by_body ON deliveries(connector_id, owner_id, body_hash);
CREATE INDEX deliveries_by_state ON deliveries(state, available_at);
CREATE INDEX deliveries_by_received ON deliveries(state, received_at);
CREATE TABLE resources(
  connector_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  model TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  touched_at INTEGER NOT NULL,
  PRIMARY KEY(connector_id, owner_id, model, resource_id)) WITHOUT ROWID;
CREATE INDEX resources_by_touched ON resources(touched_at);
PRAGMA user_version = 1;
)sql";

// A Morph body about contact `id` changed at `updated` (ISO 8601).
std::string contact_body(const std::string& id, const std::string& trigger,
                         const std::string& updated) {
  return R"({"event":"genericContact::)" + trigger +
         R"(","data":{"object":"resource","model":"genericContact","id":")" + id +
         R"(","fields":{},"createdAt":"2025-01-01T00:00:00.000Z","updatedAt":")" + updated +
         R"("}})";
}

}  // namespace

TEST_CASE("SqliteInbox: a file written by schema version 1 is migrated when opened",
          "[inbox][sqlite][migration]") {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  const mw::TimePoint now = mw::TimePoint(std::chrono::hours(24 * 365 * 56));  // ~2026
  const std::int64_t now_us = now.time_since_epoch().count();
  const std::int64_t hour = 3600LL * 1000000;
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, v1_file_sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_stmt* insert = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "INSERT INTO deliveries(id, connector_id, owner_id, idempotency_key,"
                               " body, body_hash, stale, received_at, state, available_at,"
                               " attempt, lease_token, last_error, acked_at)"
                               " VALUES (?, 'hubspot', 'o', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
                               -1, &insert, nullptr) == SQLITE_OK);
    struct Row {
      int id;
      const char* key;
      std::string body;
      int stale, state;
      std::int64_t received, available;
      int attempt;
      const char* token;
      const char* error;
      bool acked;
    };
    const Row rows[] = {
        // c1: acked at 10:00, then 09:00 (stale at arrival) and 11:00 waiting.
        {1, "k1", contact_body("c1", "updated", "2025-03-06T10:00:00.000Z"), 0, 1, now_us - hour,
         now_us - hour, 1, nullptr, nullptr, true},
        {2, "k2", contact_body("c1", "updated", "2025-03-06T09:00:00.000Z"), 1, 0,
         now_us - hour + 1, now_us - hour + 1, 0, nullptr, nullptr, false},
        {3, "k3", contact_body("c1", "updated", "2025-03-06T11:00:00.000Z"), 0, 0,
         now_us - hour + 2, now_us - hour + 2, 0, nullptr, nullptr, false},
        // c2: a dead letter, and a delivery leased (version 1 leased c2's in parallel).
        {4, "k4", contact_body("c2", "created", "2025-03-06T08:00:00.000Z"), 0, 2,
         now_us - hour + 3, now_us - hour + 3, 10, nullptr, "it broke", false},
        {5, "k5", contact_body("c2", "updated", "2025-03-06T12:00:00.000Z"), 0, 0,
         now_us - hour + 4, now_us + hour, 1, "0123456789abcdef0123456789abcdef", nullptr, false},
        // A body that is not a Morph event (appended without facts).
        {9, "k9", "not json", 0, 0, now_us - hour + 5, now_us - hour + 5, 0, nullptr, nullptr,
         false},
    };
    for (const Row& r : rows) {
      sqlite3_bind_int(insert, 1, r.id);
      sqlite3_bind_text(insert, 2, r.key, -1, SQLITE_STATIC);
      sqlite3_bind_blob(insert, 3, r.body.data(), static_cast<int>(r.body.size()), SQLITE_STATIC);
      sqlite3_bind_int(insert, 4, r.stale);
      sqlite3_bind_int64(insert, 5, r.received);
      sqlite3_bind_int(insert, 6, r.state);
      sqlite3_bind_int64(insert, 7, r.available);
      sqlite3_bind_int(insert, 8, r.attempt);
      if (r.token) {
        sqlite3_bind_text(insert, 9, r.token, -1, SQLITE_STATIC);
      } else {
        sqlite3_bind_null(insert, 9);
      }
      if (r.error) {
        sqlite3_bind_text(insert, 10, r.error, -1, SQLITE_STATIC);
      } else {
        sqlite3_bind_null(insert, 10);
      }
      if (r.acked) {
        sqlite3_bind_int64(insert, 11, r.received + 1);
      } else {
        sqlite3_bind_null(insert, 11);
      }
      REQUIRE(sqlite3_step(insert) == SQLITE_DONE);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    // Ids up to 12 were given (10-12 expired since): a new delivery must not reuse them.
    REQUIRE(sqlite3_exec(db,
                         "UPDATE sqlite_sequence SET seq = 12 WHERE name = 'deliveries';"
                         "INSERT INTO resources VALUES ('hubspot', 'o', 'genericContact', 'c1',"
                         " 1741258800000000, 0, 0);",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  mw::SqliteOptions options;
  options.inbox.clock = [now] { return now; };
  options.inbox.max_attempts = 10;
  auto opened = mw::SqliteInbox::open(path, options);
  REQUIRE(opened.has_value());
  mw::SqliteInbox& inbox = **opened;

  auto s = inbox.stats();
  REQUIRE(s.has_value());
  CHECK(s->ready == 3);  // k2, k3, k9
  CHECK(s->leased == 1);
  CHECK(s->dead == 1);
  CHECK(s->acked_retained == 1);
  CHECK(s->stale == 1);  // k2's arrival verdict

  const auto dead = inbox.dead_letters();
  REQUIRE(dead.has_value());
  REQUIRE(dead->size() == 1);
  CHECK(dead->front().id == 4);
  CHECK(dead->front().model == "genericContact");
  CHECK(dead->front().resource_id == "c2");
  CHECK(dead->front().trigger == mw::Trigger::created);
  CHECK(dead->front().last_error == "it broke");

  // c1: k2 is its head (k3 waits behind it) and is stale against the acked 10:00; k9 has no
  // resource; k5 is still leased by version 1's worker.
  auto leased = inbox.lease(10, 30s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 2);
  CHECK(leased->at(0).id == 2);
  CHECK(leased->at(0).stale);
  CHECK(leased->at(0).superseded);  // by k3
  CHECK(leased->at(0).resource_id == "c1");
  CHECK(leased->at(0).updated_at == mw::TimePoint(std::chrono::seconds(1741251600)));
  CHECK(leased->at(1).id == 9);
  CHECK(leased->at(1).resource_id.empty());
  // The old worker's lease is still valid.
  CHECK(inbox.ack(5, "0123456789abcdef0123456789abcdef").has_value());
  for (const mw::Delivery& d : *leased) CHECK(inbox.ack(d).has_value());
  leased = inbox.lease(10, 30s);
  REQUIRE(leased.has_value());
  REQUIRE(leased->size() == 1);
  CHECK(leased->at(0).id == 3);
  CHECK_FALSE(leased->at(0).stale);
  CHECK(inbox.ack(leased->at(0)).has_value());

  // Dedupe still knows the old keys; new ids continue after the largest ever given.
  const auto again = inbox.append(mw::Headers{"hubspot", "o", "k1"}, "x", mw::EventFacts{});
  REQUIRE(again.has_value());
  CHECK(again->status == mw::AppendStatus::duplicate);
  CHECK(again->delivery_id == 1);
  const auto fresh = inbox.append(mw::Headers{"hubspot", "o", "k13"}, "y", mw::EventFacts{});
  REQUIRE(fresh.has_value());
  CHECK(fresh->delivery_id == 13);

  // The arrival guard came along: an event older than c1's 11:00 is stale at arrival.
  mw::EventFacts older;
  older.model = "genericContact";
  older.id = "c1";
  older.trigger = mw::Trigger::updated;
  older.updated_at = mw::TimePoint(std::chrono::seconds(1741251600));
  const auto late = inbox.append(mw::Headers{"hubspot", "o", "k14"}, "z", older);
  REQUIRE(late.has_value());
  CHECK(late->stale);

  // Reopening finds version 2: nothing is migrated twice.
  opened->reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* v = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &v, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(v) == SQLITE_ROW);
  CHECK(sqlite3_column_int(v, 0) == mw::sqlite_inbox_schema_version);
  sqlite3_finalize(v);
  sqlite3_close(db);
  auto reopened = mw::SqliteInbox::open(path, options);
  REQUIRE(reopened.has_value());
  s = (*reopened)->stats();
  REQUIRE(s.has_value());
  CHECK(s->acked_retained == 5);
  CHECK(s->dead == 1);
}

TEST_CASE("SqliteInbox: expire() of many rows runs in short transactions while appends go on",
          "[inbox][sqlite][expire]") {
  // Rows to expire: MORPH_WEBHOOK_EXPIRE_ROWS (default 20,000, kept small for CI).
  std::size_t rows = 20000;
  if (const char* v = std::getenv("MORPH_WEBHOOK_EXPIRE_ROWS")) rows = std::stoul(v);
  TempDir dir;
  std::atomic<std::int64_t> now_us{
      mw::TimePoint(std::chrono::hours(24 * 365 * 56)).time_since_epoch().count()};
  mw::SqliteOptions options;
  options.synchronous = mw::SqliteSynchronous::normal;
  options.inbox.clock = [&now_us] {
    return mw::TimePoint(std::chrono::microseconds(now_us.load()));
  };
  auto opened = mw::SqliteInbox::open(dir.file("expire.db"), options);
  REQUIRE(opened.has_value());
  mw::SqliteInbox& inbox = **opened;
  {
    std::vector<std::thread> appenders;
    std::atomic<std::size_t> failures{0};
    for (std::size_t t = 0; t < 8; ++t) {
      appenders.emplace_back([&, t] {
        for (std::size_t i = t; i < rows; i += 8) {
          const std::string key = "k" + std::to_string(i);
          const std::string id = "c" + std::to_string(i % 1000);
          mw::EventFacts facts;
          facts.model = "genericContact";
          facts.id = id;
          facts.updated_at = mw::TimePoint(std::chrono::seconds(i));
          if (!inbox.append(mw::Headers{"hubspot", "o", key}, "body " + key, facts)) ++failures;
        }
      });
    }
    for (auto& th : appenders) th.join();
    REQUIRE(failures == 0);
  }
  mw::LeaseOptions skip;
  skip.skip_superseded = true;  // acks most of them inside the lease: a quick way to ack them all
  for (;;) {
    const auto batch = inbox.lease(1000, 600s, skip);
    REQUIRE(batch.has_value());
    if (batch->empty()) break;
    for (const mw::Delivery& d : *batch) REQUIRE(inbox.ack(d).has_value());
  }
  auto s = inbox.stats();
  REQUIRE(s.has_value());
  REQUIRE(s->acked_retained == rows);

  now_us += std::chrono::duration_cast<std::chrono::microseconds>(73h).count();
  std::atomic<bool> expiring{true};
  std::atomic<std::size_t> appended_while_expiring{0};
  std::atomic<std::size_t> append_errors{0};
  std::thread appender([&] {
    for (std::size_t i = 0; expiring.load(); ++i) {
      const std::string key = "new-" + std::to_string(i);
      if (!inbox.append(mw::Headers{"hubspot", "o", key}, key, mw::EventFacts{})) {
        ++append_errors;
      } else if (expiring.load()) {
        ++appended_while_expiring;
      }
    }
  });
  const std::uint64_t commits_before = inbox.commits();
  const auto removed = inbox.expire();
  const std::uint64_t commits_after = inbox.commits();
  expiring = false;
  appender.join();
  REQUIRE(removed.has_value());
  CHECK(*removed == rows);
  CHECK(append_errors == 0);
  // One transaction would have made every append wait for all of it.
  INFO("transactions: " << commits_after - commits_before
                        << ", appends meanwhile: " << appended_while_expiring.load());
  CHECK(appended_while_expiring > 1);
  s = inbox.stats();
  REQUIRE(s.has_value());
  CHECK(s->acked_retained == 0);
  CHECK(s->ready >= appended_while_expiring);
  // Nothing left to expire: the guard rows went with the deliveries.
  const auto again = inbox.expire();
  REQUIRE(again.has_value());
  CHECK(*again == 0);
}
