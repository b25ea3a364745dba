// SqliteInbox: one connection, owned by one committer thread that runs every operation in a
// transaction shared with whatever else is waiting (group commit).
//
// Each SQL statement is a NamedSql declared right above the function that runs it, with named
// parameters (`:name`); columns are read by name. The states are the DeliveryState names, as
// text with a CHECK; `leased` and `delayed` rows whose `available_at` has passed are ready
// (their lease or backoff ended), which is how ready, leased and delayed are counted.
//
// Ordering per resource: `head` marks the deliveries lease() may take (an index holds only
// them). With InboxOptions::ordered, a delivery of a resource is a head only while no earlier
// delivery of it is undone (ready, leased or delayed): append() makes it a head when its
// resource has nothing undone; ack(), a dead letter and a skip pass the head to the next
// undone delivery of the resource in `position` order. requeue() gives a new, last position.
#include "morph/webhook/inbox/sqlite.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "morph/webhook/parser.hpp"

namespace morph::webhook {
namespace {

// clang-format off
constexpr const char* schema_sql = R"sql(
CREATE TABLE deliveries(
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so an old id never names a new event
  connector_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  body BLOB NOT NULL,                    -- byte for byte as received
  body_hash INTEGER NOT NULL,            -- narrows the byte comparison of body dedupe
  model TEXT NOT NULL,                   -- EventFacts: '' and NULL resource when no data.id
  resource_id TEXT NOT NULL,
  event_trigger TEXT NOT NULL CHECK (event_trigger IN ('created', 'updated', 'deleted')),
  updated_at INTEGER NOT NULL,           -- data.updatedAt; microseconds since the Unix epoch
  resource INTEGER,                      -- resources.id
  ordered INTEGER NOT NULL CHECK (ordered IN (0, 1)),  -- appended with InboxOptions::ordered
  state TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'delayed', 'dead', 'acked')),
  head INTEGER NOT NULL CHECK (head IN (0, 1)),        -- lease() may take it
  blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),  -- a head that failed
  position INTEGER NOT NULL,             -- order within its resource: id, or requeue()'s
  arrival_stale INTEGER NOT NULL,        -- Appended::stale
  stale INTEGER NOT NULL,                -- the verdict of the last lease (arrival's before)
  superseded INTEGER NOT NULL DEFAULT 0, -- the verdict of the last lease
  skipped INTEGER NOT NULL DEFAULT 0,    -- acked by lease() as superseded
  received_at INTEGER NOT NULL,
  available_at INTEGER NOT NULL,         -- leasable from then on (arrival, lease end, backoff end)
  attempt INTEGER NOT NULL DEFAULT 0,    -- counted leases so far
  lease_token TEXT,                      -- the current or last lease; NULL after fail()
  last_error TEXT,
  acked_at INTEGER);
CREATE UNIQUE INDEX deliveries_by_key ON deliveries(connector_id, owner_id, idempotency_key);
CREATE INDEX deliveries_by_body ON deliveries(connector_id, owner_id, body_hash);
CREATE INDEX deliveries_by_state ON deliveries(state, available_at);
CREATE INDEX deliveries_by_received ON deliveries(state, received_at);
CREATE INDEX deliveries_leasable ON deliveries(available_at, position) WHERE head = 1;
CREATE INDEX deliveries_by_resource ON deliveries(resource, position, state) WHERE state <> 'acked';
CREATE INDEX deliveries_blocked ON deliveries(resource) WHERE blocked = 1;
CREATE INDEX deliveries_stale ON deliveries(id) WHERE stale = 1 AND state <> 'acked';
-- One row per resource: the arrival guard (newest updatedAt appended; seen_deleted: a tombstone)
-- and the lease guard (newest updatedAt acked, the delivery that set it, acked_deleted).
CREATE TABLE resources(
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a stale reference never names another
  connector_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  model TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  seen_updated_at INTEGER NOT NULL,
  seen_deleted INTEGER NOT NULL CHECK (seen_deleted IN (0, 1)),
  acked_updated_at INTEGER,
  acked_deleted INTEGER NOT NULL DEFAULT 0 CHECK (acked_deleted IN (0, 1)),
  acked_delivery INTEGER,
  touched_at INTEGER NOT NULL);
CREATE UNIQUE INDEX resources_by_name ON resources(connector_id, owner_id, model, resource_id);
CREATE INDEX resources_by_touched ON resources(touched_at);
-- Counters that outlive the rows they count.
CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO counters(name, value) VALUES ('skipped_superseded', 0);
)sql";

// Schema version 3 over version 2: the operator's view (get, list, replay, purge). Indexes that
// answer list() newest first for each filter, and the replay count.
constexpr const char* v3_sql = R"sql(
ALTER TABLE deliveries ADD COLUMN replays INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_by_state_id ON deliveries(state, id);
CREATE INDEX deliveries_by_model ON deliveries(model, id);
CREATE INDEX deliveries_by_connector ON deliveries(connector_id, id);
CREATE INDEX deliveries_by_origin ON deliveries(connector_id, owner_id, id);
CREATE INDEX deliveries_by_owner ON deliveries(owner_id, id);
CREATE INDEX deliveries_by_resource_id ON deliveries(resource, id);
CREATE INDEX deliveries_stale_any ON deliveries(id) WHERE stale = 1;
)sql";

// Schema version 1 (morph-webhook before ordered leases): its tables are renamed to *_v1 and
// copied into the schema above by migrate_from_v1(). Its indexes are dropped first, their names
// being reused.
constexpr const char* v1_rename_sql = R"sql(
DROP INDEX deliveries_by_key;
DROP INDEX deliveries_by_body;
DROP INDEX deliveries_by_state;
DROP INDEX deliveries_by_received;
DROP INDEX resources_by_touched;
ALTER TABLE deliveries RENAME TO deliveries_v1;
ALTER TABLE resources RENAME TO resources_v1;
)sql";
// clang-format on

// SQLite's default limit on one string or blob (SQLITE_MAX_LENGTH); also keeps sizes in `int`.
constexpr std::size_t max_value_bytes = 1000000000;

// The write lock one expire() transaction may hold; batches grow or shrink to stay under it.
constexpr std::chrono::milliseconds expire_lock_budget{50};

std::int64_t to_micros(TimePoint t) noexcept { return t.time_since_epoch().count(); }
TimePoint from_micros(std::int64_t us) noexcept { return TimePoint(std::chrono::microseconds(us)); }

Trigger trigger_named(std::string_view name) noexcept {
  if (name == "deleted") return Trigger::deleted;
  if (name == "updated") return Trigger::updated;
  return Trigger::created;
}

// 64-bit FNV-1a: cheap and well spread; collisions are harmless (bytes are compared).
std::int64_t body_hash(std::string_view body) noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : body) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h);
}

Error storage_error(std::string message) {
  return inbox_error(ErrorCode::storage_unavailable, std::move(message));
}

// A statement's name (for errors) and text.
struct NamedSql {
  const char* name;
  const char* sql;
};

// A prepared statement, kept for the life of the connection, with its columns' names.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  int prepare(sqlite3* db, const NamedSql& sql) noexcept {
    name_ = sql.name;
    const int rc = sqlite3_prepare_v3(db, sql.sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK) return rc;
    for (int i = 0; i < sqlite3_column_count(stmt_); ++i) {
      columns_.emplace_back(sqlite3_column_name(stmt_, i));
    }
    return SQLITE_OK;
  }
  sqlite3_stmt* get() const noexcept { return stmt_; }
  const char* name() const noexcept { return name_; }
  // The index of column `name`, or -1 (a typo in this file: reads as NULL, caught by tests).
  int column(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i] == name) return static_cast<int>(i);
    }
    return -1;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  const char* name_ = "";
  std::vector<std::string> columns_;
};

// One use of a Statement: binds by name, steps, reads columns by name; resets the statement
// when it ends so no read transaction or bound blob outlives the operation.
class Query {
 public:
  explicit Query(Statement& s) noexcept : statement_(s), stmt_(s.get()) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Query& bind(const char* name, std::int64_t v) noexcept {
    return check(sqlite3_bind_int64(stmt_, index(name), v));
  }
  Query& bind(const char* name, bool v) noexcept { return bind(name, std::int64_t{v ? 1 : 0}); }
  Query& bind(const char* name, std::string_view v) noexcept {
    if (v.size() > max_value_bytes) return check(SQLITE_TOOBIG);
    return check(sqlite3_bind_text(stmt_, index(name), v.empty() ? "" : v.data(),
                                   static_cast<int>(v.size()), SQLITE_STATIC));
  }
  Query& bind_blob(const char* name, std::string_view v) noexcept {
    if (v.size() > max_value_bytes) return check(SQLITE_TOOBIG);
    return check(sqlite3_bind_blob(stmt_, index(name), v.empty() ? "" : v.data(),
                                   static_cast<int>(v.size()), SQLITE_STATIC));
  }
  Query& bind(const char* name, std::optional<std::int64_t> v) noexcept {
    return v ? bind(name, *v) : check(sqlite3_bind_null(stmt_, index(name)));
  }
  // `v` must outlive the query (bound without a copy).
  Query& bind_optional(const char* name, const std::optional<std::string>& v) noexcept {
    return v ? bind(name, std::string_view(*v)) : check(sqlite3_bind_null(stmt_, index(name)));
  }

  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() noexcept { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(stmt_); }
  // Steps to the end (a statement with RETURNING writes at its first step, the rest is reads).
  int finish() noexcept {
    int rc;
    while ((rc = step()) == SQLITE_ROW) {
    }
    return rc;
  }

  std::int64_t int64(std::string_view column) const noexcept {
    return sqlite3_column_int64(stmt_, statement_.column(column));
  }
  bool flag(std::string_view column) const noexcept { return int64(column) != 0; }
  bool is_null(std::string_view column) const noexcept {
    return sqlite3_column_type(stmt_, statement_.column(column)) == SQLITE_NULL;
  }
  std::optional<std::int64_t> optional_int64(std::string_view column) const noexcept {
    if (is_null(column)) return std::nullopt;
    return int64(column);
  }
  TimePoint time(std::string_view column) const noexcept { return from_micros(int64(column)); }
  std::string text(std::string_view column) const {
    const int col = statement_.column(column);
    const void* p = sqlite3_column_blob(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
  }

 private:
  int index(const char* name) noexcept {
    const int i = sqlite3_bind_parameter_index(stmt_, name);
    if (i == 0) check(SQLITE_RANGE);
    return i;
  }
  Query& check(int rc) noexcept {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
  }
  Statement& statement_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

// The columns a delivery and a dead letter share, read from a row of select_leasable or
// select_dead.
template <class Listing>
void read_listing(const Query& q, Listing& d) {
  d.id = q.int64("id");
  d.stale = q.flag("stale");
  d.received_at = q.time("received_at");
  d.connector_id = q.text("connector_id");
  d.owner_id = q.text("owner_id");
  d.idempotency_key = q.text("idempotency_key");
  d.model = q.text("model");
  d.resource_id = q.text("resource_id");
  d.trigger = trigger_named(q.text("event_trigger"));
  d.updated_at = q.time("updated_at");
  d.last_error = q.text("last_error");
}

// An operation waiting for the committer thread.
struct Operation {
  // Runs inside the batch's transaction; false means a storage failure (the batch is rolled
  // back and every operation in it reports `failure`).
  std::function<bool()> run;
  bool done = false;
  // Its own, so finishing a batch wakes exactly the callers in it.
  std::condition_variable finished;
  std::optional<Error> failure;
};

// The lease guard of a resource, as read with a leasable delivery.
struct AckedGuard {
  std::optional<std::int64_t> updated_at;  // newest updatedAt acked; nullopt: none acked yet
  bool deleted = false;                    // that newest acked one is (also) a deletion
  std::int64_t delivery = 0;               // the delivery that set it (the latest on ties)

  // Delivery::stale for an event changed at `updated`.
  bool makes_stale(std::int64_t updated) const noexcept {
    return updated_at && (updated < *updated_at || (deleted && updated <= *updated_at));
  }
};

}  // namespace

struct SqliteInbox::Impl {
  sqlite3* db = nullptr;
  std::string path;
  SqliteOptions options;
  // Lease tokens: a 64-bit seed (random_device gives 32 bits a call).
  std::mt19937_64 random{(std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()};

  // Prepared once at open(), by statement (the writer's and the reader's).
  std::map<const NamedSql*, std::unique_ptr<Statement>> statements;
  std::map<const NamedSql*, std::unique_ptr<Statement>> reader_statements;

  // stats() and dead_letters() read on a connection of their own (WAL lets it read beside the
  // writer), so a dashboard polling them never holds up the appends waiting for the committer.
  sqlite3* reader = nullptr;
  std::mutex reader_mutex;

  std::mutex mutex;
  std::condition_variable work_ready;
  std::deque<Operation*> queue;
  bool stopping = false;
  std::thread committer;
  std::atomic<std::uint64_t> commits{0};
  std::chrono::steady_clock::time_point last_expire = std::chrono::steady_clock::now();
  // Rows one expire transaction deletes: adjusted so that it stays within expire_lock_budget.
  std::int64_t expire_batch = 1000;
  bool expire_ran = false;  // the current transaction ran expire_step()
  // The storage error of the operation that is failing the current batch.
  std::optional<Error> batch_error;

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    work_ready.notify_all();
    if (committer.joinable()) committer.join();
    statements.clear();
    reader_statements.clear();
    if (reader != nullptr) sqlite3_close_v2(reader);
    if (db != nullptr) sqlite3_close_v2(db);
  }

  TimePoint now() const { return options.inbox.clock ? options.inbox.clock() : system_now(); }

  Statement& statement(const NamedSql& sql) { return *statements.at(&sql); }
  Statement& reader_statement(const NamedSql& sql) { return *reader_statements.at(&sql); }

  // "<what> failed in <path>: <SQLite's message> (<code name>)".
  Error sqlite_error(std::string_view what, int rc) const { return sqlite_error(what, rc, db); }
  Error sqlite_error(std::string_view what, int rc, sqlite3* connection) const {
    std::string m(what);
    m += " failed in ";
    m += path;
    m += ": ";
    const std::string_view generic = sqlite3_errstr(rc);
    const std::string_view detail = connection != nullptr && sqlite3_errcode(connection) == rc
                                        ? sqlite3_errmsg(connection)
                                        : generic;
    m += detail;
    if (detail != generic) {
      m += " (";
      m += generic;
      m += ')';
    }
    return storage_error(std::move(m));
  }
  // The error of statement `sql` run for `what`.
  Error sqlite_error(std::string_view what, const NamedSql& sql, int rc) const {
    return sqlite_error(std::string(what) + " (" + sql.name + ")", rc);
  }

  int exec(const char* sql) noexcept { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

  std::string new_token() {
    static constexpr char hex[] = "0123456789abcdef";
    std::string token(32, '0');
    for (int half = 0; half < 2; ++half) {
      std::uint64_t bits = random();
      for (int i = 0; i < 16; ++i) {
        token[static_cast<std::size_t>(half * 16 + i)] = hex[bits & 0xF];
        bits >>= 4;
      }
    }
    return token;
  }

  // ---- the committer thread -------------------------------------------------------------

  // Runs every operation of `batch` in one transaction; a storage failure of one rolls back
  // the batch and fails all of its operations (their callers answer 503; none was durable).
  void run_batch(std::deque<Operation*>& batch) {
    std::optional<Error> failure;
    const auto began = std::chrono::steady_clock::now();
    expire_ran = false;
    int rc = exec("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
      failure = sqlite_error("BEGIN", rc);
    } else {
      for (Operation* op : batch) {
        if (!op->run()) {
          failure = batch_error ? std::move(*batch_error) : sqlite_error("operation", SQLITE_ERROR);
          batch_error.reset();
          break;
        }
      }
      if (!failure) {
        rc = exec("COMMIT");
        if (rc != SQLITE_OK) failure = sqlite_error("COMMIT", rc);
      }
      if (failure && sqlite3_get_autocommit(db) == 0) exec("ROLLBACK");
    }
    if (!failure) commits.fetch_add(1, std::memory_order_relaxed);
    if (expire_ran) size_expire_batch(std::chrono::steady_clock::now() - began);
    // Notified under the lock: a caller cannot return (destroying its Operation) before.
    std::lock_guard<std::mutex> lock(mutex);
    for (Operation* op : batch) {
      if (failure) op->failure = *failure;
      op->done = true;
      op->finished.notify_one();
    }
  }

  void committer_loop() {
    std::unique_lock<std::mutex> lock(mutex);
    bool expiring = false;  // the periodic expiry has more batches to run
    for (;;) {
      work_ready.wait_for(lock, expiring ? std::chrono::seconds(0) : std::chrono::seconds(60),
                          [this] { return stopping || !queue.empty(); });
      if (queue.empty()) {
        if (stopping) return;
        lock.unlock();
        expiring = run_periodic_expire();
        lock.lock();
        continue;
      }
      std::deque<Operation*> batch;
      if (options.group_commit) {
        batch.swap(queue);
      } else {
        batch.push_back(queue.front());
        queue.pop_front();
      }
      lock.unlock();
      run_batch(batch);
      if (expiring || std::chrono::steady_clock::now() - last_expire > std::chrono::seconds(60)) {
        // One expire transaction between batches of operations: they never wait for more.
        expiring = run_periodic_expire();
      }
      lock.lock();
    }
  }

  // One expire transaction; true when there is more to expire.
  bool run_periodic_expire() {
    last_expire = std::chrono::steady_clock::now();
    bool more = false;
    Operation op;
    op.run = [&] {
      std::uint64_t removed = 0;
      return expire_step(removed, more);
    };
    std::deque<Operation*> batch{&op};
    run_batch(batch);  // a failure is retried at the next period
    return more && !op.failure;
  }

  // Runs `body` (returning Result<T>) on the committer thread inside a batch transaction.
  template <class T, class F>
  Result<T> submit(F&& body) {
    std::optional<Result<T>> out;
    Operation op;
    op.run = [&]() -> bool {
      Result<T> r = body();
      if (!r && r.error().code == ErrorCode::storage_unavailable) {
        batch_error = std::move(r).error();
        return false;
      }
      out.emplace(std::move(r));
      return true;
    };
    std::unique_lock<std::mutex> lock(mutex);
    queue.push_back(&op);
    work_ready.notify_one();
    op.finished.wait(lock, [&] { return op.done; });
    if (op.failure) return std::move(*op.failure);
    return std::move(*out);
  }

  // ---- append ---------------------------------------------------------------------------

  static constexpr NamedSql find_by_key{"find_by_key", R"sql(
    SELECT id, state, received_at, arrival_stale FROM deliveries
    WHERE connector_id = :connector_id AND owner_id = :owner_id
      AND idempotency_key = :idempotency_key)sql"};
  static constexpr NamedSql delete_by_id{"delete_by_id", R"sql(
    DELETE FROM deliveries WHERE id = :id)sql"};
  // `body = :body` compares the bytes: a hash collision is never taken for a duplicate.
  static constexpr NamedSql find_by_body{"find_by_body", R"sql(
    SELECT id, arrival_stale FROM deliveries
    WHERE connector_id = :connector_id AND owner_id = :owner_id AND body_hash = :body_hash
      AND body = :body AND (state <> 'acked' OR received_at >= :retained_since)
    ORDER BY id LIMIT 1)sql"};
  static constexpr NamedSql find_resource{"find_resource", R"sql(
    SELECT id, seen_updated_at, seen_deleted FROM resources
    WHERE connector_id = :connector_id AND owner_id = :owner_id AND model = :model
      AND resource_id = :resource_id)sql"};
  static constexpr NamedSql insert_resource{"insert_resource", R"sql(
    INSERT INTO resources(connector_id, owner_id, model, resource_id, seen_updated_at,
                          seen_deleted, touched_at)
    VALUES (:connector_id, :owner_id, :model, :resource_id, :updated_at, :deleted, :now))sql"};
  static constexpr NamedSql see_resource{"see_resource", R"sql(
    UPDATE resources SET seen_updated_at = :updated_at, seen_deleted = :deleted,
        touched_at = max(touched_at, :now)
    WHERE id = :resource)sql"};
  static constexpr NamedSql touch_resource{"touch_resource", R"sql(
    UPDATE resources SET touched_at = max(touched_at, :now) WHERE id = :resource)sql"};
  // Whether the resource has an undone delivery (one that comes before a new one).
  static constexpr NamedSql find_undone{"find_undone", R"sql(
    SELECT id FROM deliveries
    WHERE resource = :resource AND state <> 'acked' AND state <> 'dead' LIMIT 1)sql"};
  // The id the next insert gets (AUTOINCREMENT: one more than the largest ever given).
  static constexpr NamedSql next_id{"next_id", R"sql(
    SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'), 0) + 1
      AS id)sql"};
  static constexpr NamedSql insert_delivery{"insert_delivery", R"sql(
    INSERT INTO deliveries(id, connector_id, owner_id, idempotency_key, body, body_hash, model,
                           resource_id, event_trigger, updated_at, resource, ordered, state,
                           head, position, arrival_stale, stale, received_at, available_at)
    VALUES (:id, :connector_id, :owner_id, :idempotency_key, :body, :body_hash, :model,
            :resource_id, :event_trigger, :updated_at, :resource, :ordered, 'ready', :head, :id,
            :stale, :stale, :now, :now))sql"};

  Result<Appended> do_append(const Headers& h, std::string_view body, const EventFacts& event) {
    const std::int64_t now_us = to_micros(now());
    const std::int64_t retained_since = now_us - options.inbox.retain.count();
    {
      Query q(statement(find_by_key));
      q.bind(":connector_id", h.connector_id)
          .bind(":owner_id", h.owner_id)
          .bind(":idempotency_key", h.idempotency_key);
      const int rc = q.step();
      if (rc == SQLITE_ROW) {
        const std::int64_t id = q.int64("id");
        // An acked delivery past its retention no longer counts; anything else does.
        if (q.text("state") != "acked" || q.int64("received_at") >= retained_since) {
          return Appended{id, AppendStatus::duplicate, q.flag("arrival_stale")};
        }
        Query d(statement(delete_by_id));
        const int drc = d.bind(":id", id).step();
        if (drc != SQLITE_DONE) return sqlite_error("append", delete_by_id, drc);
      } else if (rc != SQLITE_DONE) {
        return sqlite_error("append", find_by_key, rc);
      }
    }
    const std::int64_t hash = body_hash(body);
    if (options.inbox.dedupe_identical_bodies) {
      Query q(statement(find_by_body));
      q.bind(":connector_id", h.connector_id)
          .bind(":owner_id", h.owner_id)
          .bind(":body_hash", hash)
          .bind_blob(":body", body)
          .bind(":retained_since", retained_since);
      const int rc = q.step();
      if (rc == SQLITE_ROW) {
        return Appended{q.int64("id"), AppendStatus::duplicate, q.flag("arrival_stale")};
      }
      if (rc != SQLITE_DONE) return sqlite_error("append", find_by_body, rc);
    }
    const std::int64_t updated = to_micros(event.updated_at);
    bool stale = false;
    std::optional<std::int64_t> resource;
    if (!event.id.empty()) {
      Result<std::int64_t> r = guard_arrival(h, event, now_us, stale);
      if (!r) return std::move(r).error();
      resource = *r;
    }
    bool head = true;
    if (resource && options.inbox.ordered) {
      Query q(statement(find_undone));
      const int rc = q.bind(":resource", *resource).step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error("append", find_undone, rc);
      head = rc == SQLITE_DONE;
    }
    std::int64_t id = 0;
    {
      Query q(statement(next_id));
      const int rc = q.step();
      if (rc != SQLITE_ROW) return sqlite_error("append", next_id, rc);
      id = q.int64("id");
    }
    Query q(statement(insert_delivery));
    q.bind(":id", id)
        .bind(":connector_id", h.connector_id)
        .bind(":owner_id", h.owner_id)
        .bind(":idempotency_key", h.idempotency_key)
        .bind_blob(":body", body)
        .bind(":body_hash", hash)
        .bind(":model", event.model)
        .bind(":resource_id", event.id)
        .bind(":event_trigger", to_string(event.trigger))
        .bind(":updated_at", updated)
        .bind(":resource", resource)
        .bind(":ordered", options.inbox.ordered)
        .bind(":head", head)
        .bind(":stale", stale)
        .bind(":now", now_us);
    const int rc = q.step();
    if (rc != SQLITE_DONE) return sqlite_error("append", insert_delivery, rc);
    return Appended{id, AppendStatus::stored, stale};
  }

  // The arrival guard of the event's resource (created if new): sets `stale` (Appended::stale)
  // when the event is older than the newest one seen, or as old as a deletion seen; returns the
  // resource's row id.
  Result<std::int64_t> guard_arrival(const Headers& h, const EventFacts& event, std::int64_t now_us,
                                     bool& stale) {
    const std::int64_t updated = to_micros(event.updated_at);
    const bool deleted = event.trigger == Trigger::deleted;
    std::optional<std::int64_t> resource;
    std::int64_t seen_updated = 0;
    bool seen_deleted = false;
    {
      Query q(statement(find_resource));
      q.bind(":connector_id", h.connector_id)
          .bind(":owner_id", h.owner_id)
          .bind(":model", event.model)
          .bind(":resource_id", event.id);
      const int rc = q.step();
      if (rc == SQLITE_ROW) {
        resource = q.int64("id");
        seen_updated = q.int64("seen_updated_at");
        seen_deleted = q.flag("seen_deleted");
      } else if (rc != SQLITE_DONE) {
        return sqlite_error("append", find_resource, rc);
      }
    }
    if (!resource) {
      Query q(statement(insert_resource));
      const int rc = q.bind(":connector_id", h.connector_id)
                         .bind(":owner_id", h.owner_id)
                         .bind(":model", event.model)
                         .bind(":resource_id", event.id)
                         .bind(":updated_at", updated)
                         .bind(":deleted", deleted)
                         .bind(":now", now_us)
                         .step();
      if (rc != SQLITE_DONE) return sqlite_error("append", insert_resource, rc);
      return std::int64_t{sqlite3_last_insert_rowid(db)};
    }
    int rc;
    if (updated < seen_updated || (updated == seen_updated && seen_deleted)) {
      // Older than an event seen, or as old as a deletion seen (which it must not undo).
      stale = true;
      rc =
          Query(statement(touch_resource)).bind(":now", now_us).bind(":resource", *resource).step();
    } else {
      const bool tombstone = deleted;
      rc = Query(statement(see_resource))
               .bind(":updated_at", updated)
               .bind(":deleted", tombstone)
               .bind(":now", now_us)
               .bind(":resource", *resource)
               .step();
    }
    if (rc != SQLITE_DONE) return sqlite_error("append", see_resource, rc);
    return *resource;
  }

  // ---- lease ----------------------------------------------------------------------------

  // Heads whose time has come (new, lease expired, backoff over), with their resource's lease
  // guard. Walks the `deliveries_leasable` index: only heads, never the backlog behind them.
  static constexpr NamedSql select_leasable{"select_leasable", R"sql(
    SELECT d.id, d.attempt, d.stale, d.received_at, d.connector_id, d.owner_id,
           d.idempotency_key, d.model, d.resource_id, d.event_trigger, d.updated_at, d.resource,
           d.body, d.last_error, d.replays, r.acked_updated_at, r.acked_deleted,
           r.acked_delivery
    FROM deliveries AS d LEFT JOIN resources AS r ON r.id = d.resource
    WHERE d.head = 1 AND d.available_at <= :now
    ORDER BY d.available_at, d.position LIMIT :limit)sql"};
  // A later, undone delivery of the resource that supersedes one changed at :updated_at: as
  // new or newer (newer for a deletion: an update as old as a deletion does not replace it),
  // and not stale itself by the resource's lease guard.
  static constexpr NamedSql find_superseding{"find_superseding", R"sql(
    SELECT id FROM deliveries
    WHERE resource = :resource AND state <> 'acked' AND state <> 'dead' AND id > :id
      AND (updated_at > :updated_at OR (updated_at = :updated_at AND :deleted = 0))
      AND (:acked_updated_at IS NULL OR updated_at > :acked_updated_at
           OR (updated_at = :acked_updated_at AND :acked_deleted = 0))
    LIMIT 1)sql"};
  // A `leased` row being leased again had its lease expire: a failure that blocks its resource.
  static constexpr NamedSql take_lease{"take_lease", R"sql(
    UPDATE deliveries
    SET blocked = CASE WHEN state = 'leased' AND ordered = 1 AND resource IS NOT NULL THEN 1
                       ELSE blocked END,
        state = 'leased', attempt = attempt + 1, lease_token = :token, available_at = :expires,
        stale = :stale, superseded = :superseded
    WHERE id = :id)sql"};
  static constexpr NamedSql kill_exhausted{"kill_exhausted", R"sql(
    UPDATE deliveries
    SET state = 'dead', head = 0, blocked = 0, lease_token = NULL,
        last_error = coalesce(last_error || '; ', '') || 'the lease expired on the last attempt'
    WHERE id = :id)sql"};
  static constexpr NamedSql skip_superseded{"skip_superseded", R"sql(
    UPDATE deliveries
    SET state = 'acked', acked_at = :now, head = 0, blocked = 0, lease_token = NULL,
        stale = :stale, superseded = 1, skipped = 1
    WHERE id = :id)sql"};
  static constexpr NamedSql count_skipped{"count_skipped", R"sql(
    UPDATE counters SET value = value + 1 WHERE name = 'skipped_superseded')sql"};
  // The next undone delivery of a resource becomes its head (a no-op when it already is).
  static constexpr NamedSql promote_next{"promote_next", R"sql(
    UPDATE deliveries SET head = 1
    WHERE id = (SELECT id FROM deliveries
                WHERE resource = :resource AND state <> 'acked' AND state <> 'dead'
                ORDER BY position LIMIT 1)
      AND head = 0)sql"};

  // A leasable row, read before any of them is changed.
  struct Candidate {
    Delivery delivery;
    std::optional<std::int64_t> resource;
    AckedGuard guard;
    std::int64_t attempts = 0;
  };

  Result<std::vector<Delivery>> do_lease(std::size_t max_count, InboxDuration duration,
                                         const LeaseOptions& how) {
    const std::int64_t now_us = to_micros(now());
    const std::int64_t expires = now_us + duration.count();
    const auto max_attempts = static_cast<std::int64_t>(options.inbox.max_attempts);
    std::vector<Delivery> out;
    // A delivery whose lease expired on its last attempt becomes dead instead of being leased
    // again (a worker that crashes on it every time must not keep it forever), and a skipped
    // one is acked: both pass their resource's head on, so reading again fills their places.
    for (bool again = true; again && out.size() < max_count;) {
      again = false;
      std::vector<Candidate> candidates;
      {
        Query q(statement(select_leasable));
        q.bind(":now", now_us).bind(":limit", static_cast<std::int64_t>(max_count - out.size()));
        int rc;
        while ((rc = q.step()) == SQLITE_ROW) {
          Candidate c;
          read_listing(q, c.delivery);
          c.delivery.body = q.text("body");
          c.resource = q.optional_int64("resource");
          c.guard.updated_at = q.optional_int64("acked_updated_at");
          c.guard.deleted = q.flag("acked_deleted");
          c.guard.delivery = q.int64("acked_delivery");
          c.attempts = q.int64("attempt");
          c.delivery.replays = static_cast<std::uint32_t>(q.int64("replays"));
          candidates.push_back(std::move(c));
        }
        if (rc != SQLITE_DONE) return sqlite_error("lease", select_leasable, rc);
      }
      for (Candidate& c : candidates) {
        Delivery& d = c.delivery;
        if (c.attempts >= max_attempts) {
          const int rc = Query(statement(kill_exhausted)).bind(":id", d.id).step();
          if (rc != SQLITE_DONE) return sqlite_error("lease", kill_exhausted, rc);
          if (Result<Done> r = pass_head(c.resource); !r) return std::move(r).error();
          again = true;
          continue;
        }
        if (c.resource && d.replays == 0) {  // a replay is the operator's decision
          const std::int64_t updated = to_micros(d.updated_at);
          d.stale = c.guard.makes_stale(updated);
          Result<bool> superseded =
              is_superseded(d.id, *c.resource, updated, d.trigger == Trigger::deleted, c.guard);
          if (!superseded) return std::move(superseded).error();
          d.superseded = *superseded;
        } else {
          d.stale = false;
        }
        if (d.superseded && how.skip_superseded) {
          int rc = Query(statement(skip_superseded))
                       .bind(":now", now_us)
                       .bind(":stale", d.stale)
                       .bind(":id", d.id)
                       .step();
          if (rc != SQLITE_DONE) return sqlite_error("lease", skip_superseded, rc);
          rc = Query(statement(count_skipped)).step();
          if (rc != SQLITE_DONE) return sqlite_error("lease", count_skipped, rc);
          if (Result<Done> r = pass_head(c.resource); !r) return std::move(r).error();
          again = true;
          continue;
        }
        d.attempt = static_cast<std::uint32_t>(c.attempts) + 1;
        d.lease_expires_at = from_micros(expires);
        d.lease_token = new_token();
        const int rc = Query(statement(take_lease))
                           .bind(":token", d.lease_token)
                           .bind(":expires", expires)
                           .bind(":stale", d.stale)
                           .bind(":superseded", d.superseded)
                           .bind(":id", d.id)
                           .step();
        if (rc != SQLITE_DONE) return sqlite_error("lease", take_lease, rc);
        out.push_back(std::move(d));
      }
    }
    return out;
  }

  // Delivery::superseded for delivery `id` of `resource`, changed at `updated`.
  Result<bool> is_superseded(std::int64_t id, std::int64_t resource, std::int64_t updated,
                             bool deleted, const AckedGuard& guard) {
    // Acked already: only the newest acked one can be as new as a delivery that is not stale.
    if (guard.updated_at && guard.delivery > id &&
        (*guard.updated_at > updated || (*guard.updated_at == updated && !deleted))) {
      return true;
    }
    Query q(statement(find_superseding));
    const int rc = q.bind(":resource", resource)
                       .bind(":id", id)
                       .bind(":updated_at", updated)
                       .bind(":deleted", deleted)
                       .bind(":acked_updated_at", guard.updated_at)
                       .bind(":acked_deleted", guard.deleted)
                       .step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error("lease", find_superseding, rc);
    return rc == SQLITE_ROW;
  }

  // The delivery that was the head of `resource` is done (acked or dead): the next undone one
  // becomes leasable.
  Result<Done> pass_head(std::optional<std::int64_t> resource) {
    if (!resource) return Done{};
    const int rc = Query(statement(promote_next)).bind(":resource", *resource).step();
    if (rc != SQLITE_DONE) return sqlite_error("passing the resource on", promote_next, rc);
    return Done{};
  }

  // ---- ack, fail, extend ----------------------------------------------------------------

  // A lease is valid while the row is `leased`, the token matches and it has not expired.
  static constexpr NamedSql find_for_token{"find_for_token", R"sql(
    SELECT state, lease_token, available_at, attempt FROM deliveries WHERE id = :id)sql"};
  static constexpr NamedSql ack_lease{"ack_lease", R"sql(
    UPDATE deliveries
    SET state = 'acked', acked_at = :now, lease_token = NULL, head = 0, blocked = 0
    WHERE id = :id AND state = 'leased' AND lease_token = :token AND available_at > :now
    RETURNING resource, updated_at, event_trigger)sql"};
  // The lease guard keeps the newest acked updatedAt; on a tie, a deletion and the later
  // delivery win. (Every right-hand side reads the row as it was.)
  static constexpr NamedSql record_ack{"record_ack", R"sql(
    UPDATE resources
    SET acked_deleted = CASE
          WHEN acked_updated_at IS NULL OR :updated_at > acked_updated_at THEN :deleted
          WHEN :updated_at = acked_updated_at THEN max(acked_deleted, :deleted)
          ELSE acked_deleted END,
        acked_delivery = CASE
          WHEN acked_updated_at IS NULL OR :updated_at > acked_updated_at THEN :delivery
          WHEN :updated_at = acked_updated_at THEN max(acked_delivery, :delivery)
          ELSE acked_delivery END,
        acked_updated_at = CASE
          WHEN acked_updated_at IS NULL OR :updated_at > acked_updated_at THEN :updated_at
          ELSE acked_updated_at END,
        touched_at = max(touched_at, :now)
    WHERE id = :resource)sql"};
  static constexpr NamedSql fail_retry{"fail_retry", R"sql(
    UPDATE deliveries
    SET state = 'delayed', last_error = :reason, available_at = :retry_at, lease_token = NULL,
        attempt = attempt - :uncounted,
        blocked = CASE WHEN head = 1 AND ordered = 1 AND resource IS NOT NULL THEN 1 ELSE 0 END
    WHERE id = :id AND state = 'leased' AND lease_token = :token AND available_at > :now)sql"};
  static constexpr NamedSql fail_dead{"fail_dead", R"sql(
    UPDATE deliveries
    SET state = 'dead', last_error = :reason, lease_token = NULL, head = 0, blocked = 0
    WHERE id = :id AND state = 'leased' AND lease_token = :token AND available_at > :now
    RETURNING resource)sql"};
  static constexpr NamedSql extend_lease{"extend_lease", R"sql(
    UPDATE deliveries SET available_at = :expires
    WHERE id = :id AND state = 'leased' AND lease_token = :token AND available_at > :now)sql"};

  // Why `token` is not a valid lease of `id` (the statement that needed it changed nothing).
  Error lease_problem(DeliveryId id, std::string_view token, std::string_view operation) {
    Query q(statement(find_for_token));
    const int rc = q.bind(":id", id).step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return sqlite_error(std::string(operation) + " of delivery " + std::to_string(id), rc);
    }
    LeaseRefusal why = LeaseRefusal::missing;
    if (rc == SQLITE_ROW) {
      const std::string state = q.text("state");
      if (state == "acked") {
        why = LeaseRefusal::acked;
      } else if (state == "dead") {
        why = LeaseRefusal::dead;
      } else if (state != "leased" || q.is_null("lease_token") || q.text("lease_token") != token) {
        why = LeaseRefusal::wrong_token;
      } else {
        why = LeaseRefusal::expired;
      }
    }
    return lease_refusal_error(why, id, operation);
  }

  Result<Done> do_ack(DeliveryId id, std::string_view token) {
    const std::int64_t now_us = to_micros(now());
    std::optional<std::int64_t> resource;
    std::int64_t updated = 0;
    bool deleted = false;
    {
      Query q(statement(ack_lease));
      int rc = q.bind(":now", now_us).bind(":id", id).bind(":token", token).step();
      if (rc == SQLITE_DONE) return lease_problem(id, token, "ack");
      if (rc != SQLITE_ROW) return sqlite_error("ack", ack_lease, rc);
      resource = q.optional_int64("resource");
      updated = q.int64("updated_at");
      deleted = trigger_named(q.text("event_trigger")) == Trigger::deleted;
      rc = q.finish();
      if (rc != SQLITE_DONE) return sqlite_error("ack", ack_lease, rc);
    }
    if (!resource) return Done{};
    const int rc = Query(statement(record_ack))
                       .bind(":updated_at", updated)
                       .bind(":deleted", deleted)
                       .bind(":delivery", id)
                       .bind(":now", now_us)
                       .bind(":resource", *resource)
                       .step();
    if (rc != SQLITE_DONE) return sqlite_error("ack", record_ack, rc);
    return pass_head(resource);
  }

  Result<Failed> do_fail(DeliveryId id, std::string_view token, std::string_view reason,
                         const FailOptions& how) {
    const std::int64_t now_us = to_micros(now());
    std::int64_t attempt = 0;
    {
      Query q(statement(find_for_token));
      const int rc = q.bind(":id", id).step();
      if (rc == SQLITE_ROW) {
        attempt = q.int64("attempt");
      } else if (rc != SQLITE_DONE) {
        return sqlite_error("fail", find_for_token, rc);
      }
    }
    const bool dead =
        how.counts_as_attempt && attempt >= static_cast<std::int64_t>(options.inbox.max_attempts);
    if (dead) {
      Query q(statement(fail_dead));
      int rc = q.bind(":reason", reason)
                   .bind(":id", id)
                   .bind(":token", token)
                   .bind(":now", now_us)
                   .step();
      if (rc == SQLITE_DONE) return lease_problem(id, token, "fail");
      if (rc != SQLITE_ROW) return sqlite_error("fail", fail_dead, rc);
      const std::optional<std::int64_t> resource = q.optional_int64("resource");
      rc = q.finish();
      if (rc != SQLITE_DONE) return sqlite_error("fail", fail_dead, rc);
      if (Result<Done> r = pass_head(resource); !r) return std::move(r).error();
      return Failed{true, TimePoint{}};
    }
    const InboxDuration delay =
        how.delay ? *how.delay : backoff_delay(options.inbox, static_cast<std::uint32_t>(attempt));
    const std::int64_t retry_at = now_us + delay.count();
    const int rc = Query(statement(fail_retry))
                       .bind(":reason", reason)
                       .bind(":retry_at", retry_at)
                       .bind(":uncounted", !how.counts_as_attempt)
                       .bind(":id", id)
                       .bind(":token", token)
                       .bind(":now", now_us)
                       .step();
    if (rc != SQLITE_DONE) return sqlite_error("fail", fail_retry, rc);
    if (sqlite3_changes(db) != 1) return lease_problem(id, token, "fail");
    return Failed{false, from_micros(retry_at)};
  }

  Result<TimePoint> do_extend(DeliveryId id, std::string_view token, InboxDuration duration) {
    const std::int64_t now_us = to_micros(now());
    const std::int64_t expires = now_us + duration.count();
    const int rc = Query(statement(extend_lease))
                       .bind(":expires", expires)
                       .bind(":id", id)
                       .bind(":token", token)
                       .bind(":now", now_us)
                       .step();
    if (rc != SQLITE_DONE) return sqlite_error("extend", extend_lease, rc);
    if (sqlite3_changes(db) != 1) return lease_problem(id, token, "extend");
    return from_micros(expires);
  }

  // ---- requeue --------------------------------------------------------------------------

  static constexpr NamedSql find_dead{"find_dead", R"sql(
    SELECT resource FROM deliveries WHERE id = :id AND state = 'dead')sql"};
  // A position after every one given so far (ids included: the next id skips it).
  static constexpr NamedSql next_position{"next_position", R"sql(
    UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'deliveries' RETURNING seq)sql"};
  static constexpr NamedSql requeue_dead{"requeue_dead", R"sql(
    UPDATE deliveries
    SET state = 'ready', attempt = 0, available_at = :now, lease_token = NULL, head = :head,
        blocked = 0, position = :position, ordered = :ordered
    WHERE id = :id AND state = 'dead')sql"};

  // Where a delivery made ready again (requeue, replay) stands: behind every undone delivery of
  // its resource (its head only when there is none), after every position given so far.
  struct Placement {
    bool head = true;
    std::int64_t position = 0;
  };
  Result<Placement> back_of_resource(std::optional<std::int64_t> resource, std::string_view what) {
    Placement place;
    if (resource && options.inbox.ordered) {
      Query q(statement(find_undone));
      const int rc = q.bind(":resource", *resource).step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(what, find_undone, rc);
      place.head = rc == SQLITE_DONE;
    }
    Query q(statement(next_position));
    int rc = q.step();
    if (rc != SQLITE_ROW) return sqlite_error(what, next_position, rc);
    place.position = q.int64("seq");
    rc = q.finish();
    if (rc != SQLITE_DONE) return sqlite_error(what, next_position, rc);
    return place;
  }

  Result<Done> do_requeue(DeliveryId id) {
    std::optional<std::int64_t> resource;
    {
      Query q(statement(find_dead));
      const int rc = q.bind(":id", id).step();
      if (rc == SQLITE_DONE) {
        return inbox_error(ErrorCode::not_found,
                           "requeue of delivery " + std::to_string(id) + ": no such dead letter");
      }
      if (rc != SQLITE_ROW) return sqlite_error("requeue", find_dead, rc);
      resource = q.optional_int64("resource");
    }
    Result<Placement> place = back_of_resource(resource, "requeue");
    if (!place) return std::move(place).error();
    const int rc = Query(statement(requeue_dead))
                       .bind(":now", to_micros(now()))
                       .bind(":head", place->head)
                       .bind(":position", place->position)
                       .bind(":ordered", options.inbox.ordered)
                       .bind(":id", id)
                       .step();
    if (rc != SQLITE_DONE) return sqlite_error("requeue", requeue_dead, rc);
    return Done{};
  }

  // ---- stats and dead letters (on the reader connection, any thread) ---------------------

  // One statement, so one snapshot; each count walks an index range, not the table.
  static constexpr NamedSql count_states{"count_states", R"sql(
    SELECT
      (SELECT count(*) FROM deliveries WHERE state = 'ready')
        + (SELECT count(*) FROM deliveries
           WHERE state IN ('leased', 'delayed') AND available_at <= :now) AS ready,
      (SELECT count(*) FROM deliveries WHERE state = 'leased' AND available_at > :now) AS leased,
      (SELECT count(*) FROM deliveries WHERE state = 'delayed' AND available_at > :now)
        AS delayed,
      (SELECT count(*) FROM deliveries WHERE state = 'dead') AS dead,
      (SELECT count(*) FROM deliveries WHERE state = 'acked') AS acked,
      (SELECT count(*) FROM deliveries WHERE stale = 1 AND state <> 'acked') AS stale,
      (SELECT count(*) FROM deliveries WHERE blocked = 1) AS blocked,
      (SELECT value FROM counters WHERE name = 'skipped_superseded') AS skipped,
      min(coalesce((SELECT min(received_at) FROM deliveries WHERE state = 'ready'),
                   9223372036854775807),
          coalesce((SELECT min(received_at) FROM deliveries
                    WHERE state IN ('leased', 'delayed') AND available_at <= :now),
                   9223372036854775807)) AS oldest_ready)sql"};
  static constexpr NamedSql select_dead{"select_dead", R"sql(
    SELECT id, attempt, stale, received_at, connector_id, owner_id, idempotency_key, model,
           resource_id, event_trigger, updated_at, last_error
    FROM deliveries WHERE state = 'dead' ORDER BY id LIMIT :limit)sql"};

  Result<InboxStats> read_stats() {
    const std::int64_t now_us = to_micros(now());
    std::lock_guard<std::mutex> lock(reader_mutex);
    Query q(reader_statement(count_states));
    const int rc = q.bind(":now", now_us).step();
    if (rc != SQLITE_ROW) return sqlite_error("stats", rc, reader);
    const auto u = [&](std::string_view column) {
      return static_cast<std::uint64_t>(q.int64(column));
    };
    InboxStats s;
    s.ready = u("ready");
    s.leased = u("leased");
    s.delayed = u("delayed");
    s.dead = u("dead");
    s.acked_retained = u("acked");
    s.stale = u("stale");
    s.blocked_resources = u("blocked");
    s.skipped_superseded = u("skipped");
    if (const std::optional<std::int64_t> oldest = q.optional_int64("oldest_ready");
        oldest && *oldest != 9223372036854775807) {
      s.oldest_ready_age = InboxDuration(now_us - *oldest);
    }
    return s;
  }

  Result<std::vector<DeadLetter>> read_dead_letters(std::size_t max_count) {
    std::lock_guard<std::mutex> lock(reader_mutex);
    Query q(reader_statement(select_dead));
    q.bind(":limit", static_cast<std::int64_t>(max_count));
    std::vector<DeadLetter> out;
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
      DeadLetter d;
      read_listing(q, d);
      d.attempts = static_cast<std::uint32_t>(q.int64("attempt"));
      out.push_back(std::move(d));
    }
    if (rc != SQLITE_DONE) return sqlite_error("dead_letters", rc, reader);
    return out;
  }

  // ---- expire ---------------------------------------------------------------------------

  // In batches of :limit rows, oldest first (the `deliveries_by_received` index), so that one
  // transaction never holds the write lock for long whatever the backlog.
  static constexpr NamedSql expire_acked{"expire_acked", R"sql(
    DELETE FROM deliveries
    WHERE id IN (SELECT id FROM deliveries
                 WHERE state = 'acked' AND received_at < :retained_since
                 ORDER BY received_at LIMIT :limit))sql"};
  // A resource with a delivery left (undone or dead) keeps its row: its order and guard hold.
  static constexpr NamedSql expire_resources{"expire_resources", R"sql(
    DELETE FROM resources
    WHERE id IN (SELECT r.id FROM resources AS r
                 WHERE r.touched_at < :retained_since
                   AND NOT EXISTS (SELECT 1 FROM deliveries AS d
                                   WHERE d.resource = r.id AND d.state <> 'acked')
                 ORDER BY r.touched_at LIMIT :limit))sql"};

  // One batch of expiry, sized to stay within expire_lock_budget; `more` when rows remain.
  bool expire_step(std::uint64_t& removed, bool& more) {
    const std::int64_t retained_since = to_micros(now()) - options.inbox.retain.count();
    int rc = Query(statement(expire_acked))
                 .bind(":retained_since", retained_since)
                 .bind(":limit", expire_batch)
                 .step();
    if (rc != SQLITE_DONE) {
      batch_error = sqlite_error("expire", expire_acked, rc);
      return false;
    }
    const auto deliveries = static_cast<std::int64_t>(sqlite3_changes(db));
    removed = static_cast<std::uint64_t>(deliveries);
    rc = Query(statement(expire_resources))
             .bind(":retained_since", retained_since)
             .bind(":limit", expire_batch)
             .step();
    if (rc != SQLITE_DONE) {
      batch_error = sqlite_error("expire", expire_resources, rc);
      return false;
    }
    const auto resources = static_cast<std::int64_t>(sqlite3_changes(db));
    more = deliveries == expire_batch || resources == expire_batch;
    expire_ran = true;  // run_batch() sizes the next batch by this transaction's time
    return true;
  }

  // ---- the operator's view: get, list, replay, purge -------------------------------------
  //
  // list() and replay() build their WHERE clause from the filter (each condition a named
  // parameter), so that SQLite picks the index of the most selective one (schema version 3's
  // deliveries_by_* indexes, each ending in id: newest first without sorting). get() and list()
  // read on the reader connection.

  static constexpr const char* record_columns =
      "id, state, attempt, stale, arrival_stale, superseded, head, blocked, ordered, resource, "
      "replays, received_at, available_at, connector_id, owner_id, idempotency_key, model, "
      "resource_id, event_trigger, updated_at, last_error";
  static constexpr NamedSql select_record{"select_record", R"sql(
    SELECT id, state, attempt, stale, arrival_stale, superseded, head, blocked, ordered,
           resource, replays, received_at, available_at, connector_id, owner_id,
           idempotency_key, model, resource_id, event_trigger, updated_at, last_error, body
    FROM deliveries WHERE id = :id)sql"};
  static constexpr NamedSql find_resource_row{"find_resource_row", R"sql(
    SELECT id FROM resources
    WHERE connector_id = :connector_id AND owner_id = :owner_id AND model = :model
      AND resource_id = :resource_id)sql"};
  static constexpr NamedSql resource_of{"resource_of", R"sql(
    SELECT resource FROM deliveries WHERE id = :id)sql"};
  static constexpr NamedSql replay_one{"replay_one", R"sql(
    UPDATE deliveries
    SET state = 'ready', attempt = 0, available_at = :now, lease_token = NULL, head = :head,
        blocked = 0, position = :position, ordered = :ordered, stale = 0, superseded = 0,
        skipped = 0, acked_at = NULL, replays = replays + 1
    WHERE id = :id AND state IN ('acked', 'dead'))sql"};
  static constexpr NamedSql purge_batch{"purge_batch", R"sql(
    DELETE FROM deliveries
    WHERE id IN (SELECT id FROM deliveries
                 WHERE state = 'dead' AND received_at < :before
                 ORDER BY received_at LIMIT :limit))sql"};

  static DeliveryRecord read_record(const Query& q, std::int64_t now_us) {
    DeliveryRecord r;
    r.id = q.int64("id");
    const std::string state = q.text("state");
    const std::int64_t available = q.int64("available_at");
    const bool due = available <= now_us;
    if (state == "leased" || state == "delayed") {
      r.state = due ? DeliveryState::ready
                    : (state == "leased" ? DeliveryState::leased : DeliveryState::delayed);
      if (!due) r.due_at = from_micros(available);
    } else {
      r.state = delivery_state_named(state).value_or(DeliveryState::ready);
    }
    r.attempts = static_cast<std::uint32_t>(q.int64("attempt"));
    r.stale = q.flag("stale");
    r.arrival_stale = q.flag("arrival_stale");
    r.superseded = q.flag("superseded");
    r.waiting = state == "ready" && !q.flag("head");
    r.blocked = q.flag("blocked");
    r.replays = static_cast<std::uint32_t>(q.int64("replays"));
    r.received_at = q.time("received_at");
    r.connector_id = q.text("connector_id");
    r.owner_id = q.text("owner_id");
    r.idempotency_key = q.text("idempotency_key");
    r.model = q.text("model");
    r.resource_id = q.text("resource_id");
    r.trigger = trigger_named(q.text("event_trigger"));
    r.updated_at = q.time("updated_at");
    r.last_error = q.text("last_error");
    return r;
  }

  // The WHERE conditions of `filter` but its state (joined by AND; "1" when none), with
  // `has_resource` when the filter names a full resource (bound as :resource). `state_first`
  // writes them as `+column` so that SQLite reads the state's index instead: the states that
  // stay small (dead, leased, delayed) are the most selective condition of a filter.
  static std::string where_of(const DeliveryFilter& f, bool has_resource, bool state_first) {
    const std::string plus = state_first ? "+" : "";
    std::string w = "1";
    if (has_resource) {
      w += " AND " + plus + "resource = :resource";
    } else {
      if (!f.connector_id.empty()) w += " AND " + plus + "connector_id = :connector_id";
      if (!f.owner_id.empty()) w += " AND " + plus + "owner_id = :owner_id";
      if (!f.model.empty()) w += " AND " + plus + "model = :model";
      if (!f.resource_id.empty()) w += " AND resource_id = :resource_id";
    }
    if (f.since) w += " AND received_at >= :since";
    if (f.until) w += " AND received_at < :until";
    if (f.stale) w += " AND stale = 1";
    return w;
  }

  // The state conditions of a filter, as stored: one branch per index range. `ready` is two:
  // stored ready, and leased or delayed ones whose lease or backoff ended.
  static std::vector<std::string> state_branches(const std::optional<DeliveryState>& state) {
    if (!state) return {"1"};
    switch (*state) {
      case DeliveryState::ready:
        return {"state = 'ready'", "state IN ('leased', 'delayed') AND available_at <= :now"};
      case DeliveryState::leased: return {"state = 'leased' AND available_at > :now"};
      case DeliveryState::delayed: return {"state = 'delayed' AND available_at > :now"};
      case DeliveryState::dead: return {"state = 'dead'"};
      case DeliveryState::acked: return {"state = 'acked'"};
    }
    return {"1"};
  }

  // The ids matching `f` (below :before when `before`), newest first, at most :limit: one
  // bounded index range per state branch, merged by the caller.
  static std::string matching_ids(const DeliveryFilter& f, bool has_resource, bool before) {
    const bool state_first =
        f.state && (*f.state == DeliveryState::dead || *f.state == DeliveryState::leased ||
                    *f.state == DeliveryState::delayed);
    const std::string rest = where_of(f, has_resource, state_first) +
                             (before ? " AND id < :before" : "") + " ORDER BY id DESC LIMIT :limit";
    std::string sql;
    for (const std::string& branch : state_branches(f.state)) {
      if (!sql.empty()) sql += " UNION ALL ";
      sql += "SELECT id FROM (SELECT id FROM deliveries WHERE " + branch + " AND " + rest + ")";
    }
    return sql;
  }

  static void bind_filter(Query& q, const DeliveryFilter& f, std::optional<std::int64_t> resource,
                          std::int64_t now_us) {
    if (f.state && (*f.state == DeliveryState::ready || *f.state == DeliveryState::leased ||
                    *f.state == DeliveryState::delayed)) {
      q.bind(":now", now_us);
    }
    if (resource) {
      q.bind(":resource", *resource);
    } else {
      if (!f.connector_id.empty()) q.bind(":connector_id", f.connector_id);
      if (!f.owner_id.empty()) q.bind(":owner_id", f.owner_id);
      if (!f.model.empty()) q.bind(":model", f.model);
      if (!f.resource_id.empty()) q.bind(":resource_id", f.resource_id);
    }
    if (f.since) q.bind(":since", to_micros(*f.since));
    if (f.until) q.bind(":until", to_micros(*f.until));
  }

  static bool names_resource(const DeliveryFilter& f) noexcept {
    return !f.connector_id.empty() && !f.owner_id.empty() && !f.model.empty() &&
           !f.resource_id.empty();
  }

  // The resources row the filter names: nullopt when it names none; 0 when it names one that
  // is not stored (nothing matches).
  Result<std::optional<std::int64_t>> filter_resource(sqlite3* connection,
                                                      const DeliveryFilter& f) {
    if (!names_resource(f)) return std::optional<std::int64_t>{};
    Statement s;
    int rc = s.prepare(connection, find_resource_row);
    if (rc != SQLITE_OK) return sqlite_error("list", rc, connection);
    Query q(s);
    rc = q.bind(":connector_id", f.connector_id)
             .bind(":owner_id", f.owner_id)
             .bind(":model", f.model)
             .bind(":resource_id", f.resource_id)
             .step();
    if (rc == SQLITE_ROW) return std::optional<std::int64_t>{q.int64("id")};
    if (rc != SQLITE_DONE) return sqlite_error("list", rc, connection);
    return std::optional<std::int64_t>{0};
  }

  Result<DeliveryRecord> read_record_by_id(DeliveryId id) {
    const std::int64_t now_us = to_micros(now());
    std::lock_guard<std::mutex> lock(reader_mutex);
    Statement s;
    int rc = s.prepare(reader, select_record);
    if (rc != SQLITE_OK) return sqlite_error("get", rc, reader);
    Query q(s);
    rc = q.bind(":id", id).step();
    if (rc == SQLITE_DONE) {
      return inbox_error(ErrorCode::not_found, "no delivery " + std::to_string(id));
    }
    if (rc != SQLITE_ROW) return sqlite_error("get", rc, reader);
    DeliveryRecord r = read_record(q, now_us);
    r.body = q.text("body");
    return r;
  }

  Result<DeliveryPage> read_list(const DeliveryFilter& f, std::size_t limit,
                                 std::optional<DeliveryId> before) {
    const std::int64_t now_us = to_micros(now());
    std::lock_guard<std::mutex> lock(reader_mutex);
    Result<std::optional<std::int64_t>> resource = filter_resource(reader, f);
    if (!resource) return std::move(resource).error();
    DeliveryPage page;
    if (*resource && **resource == 0) return page;
    const std::string sql = std::string("SELECT ") + record_columns +
                            " FROM deliveries WHERE id IN (" +
                            matching_ids(f, resource->has_value(), before.has_value()) +
                            ") ORDER BY id DESC LIMIT :limit";
    const NamedSql named{"list", sql.c_str()};
    Statement s;
    int rc = s.prepare(reader, named);
    if (rc != SQLITE_OK) return sqlite_error("list", rc, reader);
    Query q(s);
    bind_filter(q, f, *resource, now_us);
    if (before) q.bind(":before", *before);
    // One more than asked: whether there is a next page.
    q.bind(":limit", static_cast<std::int64_t>(limit) + 1);
    while ((rc = q.step()) == SQLITE_ROW) {
      if (page.deliveries.size() == limit) {
        page.next_before = page.deliveries.empty() ? before : page.deliveries.back().id;
        break;
      }
      page.deliveries.push_back(read_record(q, now_us));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error("list", rc, reader);
    return page;
  }

  // The ids of acked or dead deliveries matching `f` after `after`, oldest first, at most
  // `limit` (on the writer, inside a batch); `count` instead counts them all.
  Result<std::vector<std::int64_t>> replayable(const DeliveryFilter& f, std::int64_t after,
                                               std::size_t limit) {
    if (f.state && *f.state != DeliveryState::acked && *f.state != DeliveryState::dead) {
      return std::vector<std::int64_t>{};
    }
    Result<std::optional<std::int64_t>> resource = filter_resource(db, f);
    if (!resource) return std::move(resource).error();
    if (*resource && **resource == 0) return std::vector<std::int64_t>{};
    const std::string sql =
        "SELECT id FROM deliveries WHERE " + where_of(f, resource->has_value(), false) +
        (f.state ? " AND " + state_branches(f.state).front() : std::string()) +
        " AND state IN ('acked', 'dead') AND id > :after ORDER BY id LIMIT :limit";
    const NamedSql named{"replayable", sql.c_str()};
    Statement s;
    int rc = s.prepare(db, named);
    if (rc != SQLITE_OK) return sqlite_error("replay", rc);
    Query q(s);
    bind_filter(q, f, *resource, to_micros(now()));
    q.bind(":after", after).bind(":limit", static_cast<std::int64_t>(limit));
    std::vector<std::int64_t> ids;
    while ((rc = q.step()) == SQLITE_ROW) ids.push_back(q.int64("id"));
    if (rc != SQLITE_DONE) return sqlite_error("replay", rc);
    return ids;
  }

  // Replays one acked or dead delivery: as requeue(), at the back of its resource.
  Result<Done> replay_delivery(std::int64_t id) {
    std::optional<std::int64_t> resource;
    {
      Query q(statement(resource_of));
      const int rc = q.bind(":id", id).step();
      if (rc == SQLITE_DONE) return Done{};
      if (rc != SQLITE_ROW) return sqlite_error("replay", resource_of, rc);
      resource = q.optional_int64("resource");
    }
    Result<Placement> place = back_of_resource(resource, "replay");
    if (!place) return std::move(place).error();
    const int rc = Query(statement(replay_one))
                       .bind(":now", to_micros(now()))
                       .bind(":head", place->head)
                       .bind(":position", place->position)
                       .bind(":ordered", options.inbox.ordered)
                       .bind(":id", id)
                       .step();
    if (rc != SQLITE_DONE) return sqlite_error("replay", replay_one, rc);
    return Done{};
  }

  Result<std::uint64_t> count_replayable(const DeliveryFilter& f) {
    std::uint64_t n = 0;
    for (std::int64_t after = 0;;) {
      Result<std::vector<std::int64_t>> ids = replayable(f, after, 100000);
      if (!ids) return std::move(ids).error();
      n += ids->size();
      if (ids->size() < 100000) return n;
      after = ids->back();
    }
  }

  // ---- copying: export and import --------------------------------------------------------
  //
  // export_batch() reads deliveries by id, then resources (cursor "d:ID", then "r:ID");
  // import_batch() writes them with their ids, states and guards (an import is for an empty
  // inbox: `inbox copy`).

  static constexpr std::int64_t export_deliveries_per_batch = 1000;
  static constexpr std::int64_t export_resources_per_batch = 5000;

  static constexpr NamedSql export_deliveries{"export_deliveries", R"sql(
    SELECT id, state, attempt, stale, arrival_stale, superseded, head, blocked, ordered,
           resource, replays, received_at, available_at, connector_id, owner_id,
           idempotency_key, model, resource_id, event_trigger, updated_at, last_error, body,
           lease_token, position
    FROM deliveries WHERE id > :after ORDER BY id LIMIT :limit)sql"};
  static constexpr NamedSql export_resources{"export_resources", R"sql(
    SELECT id, connector_id, owner_id, model, resource_id, seen_updated_at, seen_deleted,
           acked_updated_at, acked_deleted, acked_delivery, touched_at
    FROM resources WHERE id > :after ORDER BY id LIMIT :limit)sql"};
  static constexpr NamedSql import_delivery{"import_delivery", R"sql(
    INSERT INTO deliveries(id, connector_id, owner_id, idempotency_key, body, body_hash, model,
                           resource_id, event_trigger, updated_at, resource, ordered, state,
                           head, blocked, position, arrival_stale, stale, superseded,
                           received_at, available_at, attempt, lease_token, last_error,
                           acked_at, replays)
    VALUES (:id, :connector_id, :owner_id, :idempotency_key, :body, :body_hash, :model,
            :resource_id, :event_trigger, :updated_at, :resource, :ordered, :state, :head,
            :blocked, :position, :arrival_stale, :stale, :superseded, :received_at,
            :available_at, :attempt, :lease_token, :last_error, :acked_at, :replays))sql"};
  static constexpr NamedSql import_seen{"import_seen", R"sql(
    UPDATE resources SET seen_updated_at = :updated_at, seen_deleted = :deleted,
                         touched_at = max(touched_at, :touched_at)
    WHERE id = :resource)sql"};
  static constexpr NamedSql import_acked{"import_acked", R"sql(
    UPDATE resources SET acked_updated_at = :updated_at, acked_deleted = :deleted,
                         acked_delivery = :delivery, touched_at = max(touched_at, :touched_at)
    WHERE id = :resource)sql"};
  static constexpr NamedSql import_counter{"import_counter", R"sql(
    UPDATE counters SET value = :value WHERE name = 'skipped_superseded')sql"};
  static constexpr NamedSql count_everything{"count_everything", R"sql(
    SELECT (SELECT count(*) FROM deliveries) + (SELECT count(*) FROM resources)
           + coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'), 0) AS n)sql"};

  // Runs `sql` once on `connection` with `bind`, reading rows with `row`.
  int run_named(sqlite3* connection, const NamedSql& sql, const std::function<void(Query&)>& bind,
                const std::function<void(const Query&)>& row = {}) {
    Statement s;
    int rc = s.prepare(connection, sql);
    if (rc != SQLITE_OK) return rc;
    Query q(s);
    if (bind) bind(q);
    while ((rc = q.step()) == SQLITE_ROW) {
      if (row) row(q);
    }
    return rc;
  }

  Result<InboxBatch> read_export(const std::string& cursor) {
    std::lock_guard<std::mutex> lock(reader_mutex);
    InboxBatch batch;
    const bool resources = cursor.rfind("r:", 0) == 0;
    const std::int64_t after = cursor.size() > 2 ? std::stoll(cursor.substr(2)) : 0;
    if (!resources) {
      std::int64_t last = after;
      const int rc = run_named(
          reader, export_deliveries,
          [&](Query& q) { q.bind(":after", after).bind(":limit", export_deliveries_per_batch); },
          [&](const Query& q) {
            StoredDelivery d;
            d.record = read_record(q, std::numeric_limits<std::int64_t>::min());
            // The state as stored (read_record() judges leases and backoffs by the time).
            d.record.state = delivery_state_named(q.text("state")).value_or(DeliveryState::ready);
            d.record.waiting = d.record.state == DeliveryState::ready && !q.flag("head");
            d.record.due_at.reset();
            d.record.body = q.text("body");
            d.lease_token = q.text("lease_token");
            d.available_at = q.time("available_at");
            d.position = q.int64("position");
            d.ordered = q.flag("ordered");
            last = d.record.id;
            batch.deliveries.push_back(std::move(d));
          });
      if (rc != SQLITE_DONE) return sqlite_error("export", rc, reader);
      batch.cursor =
          static_cast<std::int64_t>(batch.deliveries.size()) == export_deliveries_per_batch
              ? "d:" + std::to_string(last)
              : std::string("r:0");
      return batch;
    }
    std::int64_t last = after;
    std::size_t n = 0;
    const int rc = run_named(
        reader, export_resources,
        [&](Query& q) { q.bind(":after", after).bind(":limit", export_resources_per_batch); },
        [&](const Query& q) {
          StoredResource r;
          r.connector_id = q.text("connector_id");
          r.owner_id = q.text("owner_id");
          r.model = q.text("model");
          r.resource_id = q.text("resource_id");
          r.seen_updated_at = q.time("seen_updated_at");
          r.seen_deleted = q.flag("seen_deleted");
          if (!q.is_null("acked_updated_at")) r.acked_updated_at = q.time("acked_updated_at");
          r.acked_deleted = q.flag("acked_deleted");
          r.acked_delivery = q.int64("acked_delivery");
          r.touched_at = q.time("touched_at");
          last = q.int64("id");
          ++n;
          batch.resources.push_back(std::move(r));
        });
    if (rc != SQLITE_DONE) return sqlite_error("export", rc, reader);
    if (static_cast<std::int64_t>(n) == export_resources_per_batch) {
      batch.cursor = "r:" + std::to_string(last);
    }
    return batch;
  }

  // The resources row named (created with these times when absent).
  Result<std::int64_t> resource_row(std::string_view connector, std::string_view owner,
                                    std::string_view model, std::string_view id,
                                    std::int64_t updated, std::int64_t touched) {
    {
      Query q(statement(find_resource));
      const int rc = q.bind(":connector_id", connector)
                         .bind(":owner_id", owner)
                         .bind(":model", model)
                         .bind(":resource_id", id)
                         .step();
      if (rc == SQLITE_ROW) return q.int64("id");
      if (rc != SQLITE_DONE) return sqlite_error("import", find_resource, rc);
    }
    const int rc = Query(statement(insert_resource))
                       .bind(":connector_id", connector)
                       .bind(":owner_id", owner)
                       .bind(":model", model)
                       .bind(":resource_id", id)
                       .bind(":updated_at", updated)
                       .bind(":deleted", false)
                       .bind(":now", touched)
                       .step();
    if (rc != SQLITE_DONE) return sqlite_error("import", insert_resource, rc);
    return std::int64_t{sqlite3_last_insert_rowid(db)};
  }

  Result<Done> write_import(const InboxBatch& batch, std::uint64_t skipped) {
    for (const StoredDelivery& d : batch.deliveries) {
      const DeliveryRecord& r = d.record;
      std::optional<std::int64_t> resource;
      if (!r.resource_id.empty()) {
        Result<std::int64_t> row = resource_row(r.connector_id, r.owner_id, r.model, r.resource_id,
                                                to_micros(r.updated_at), to_micros(r.received_at));
        if (!row) return std::move(row).error();
        resource = *row;
      }
      const bool undone = r.state == DeliveryState::ready || r.state == DeliveryState::leased ||
                          r.state == DeliveryState::delayed;
      const int rc = run_named(db, import_delivery, [&](Query& q) {
        q.bind(":id", r.id)
            .bind(":connector_id", r.connector_id)
            .bind(":owner_id", r.owner_id)
            .bind(":idempotency_key", r.idempotency_key)
            .bind_blob(":body", r.body)
            .bind(":body_hash", body_hash(r.body))
            .bind(":model", r.model)
            .bind(":resource_id", r.resource_id)
            .bind(":event_trigger", to_string(r.trigger))
            .bind(":updated_at", to_micros(r.updated_at))
            .bind(":resource", resource)
            .bind(":ordered", d.ordered)
            .bind(":state", to_string(r.state))
            .bind(":head", undone && !r.waiting)
            .bind(":blocked", r.blocked)
            .bind(":position", d.position)
            .bind(":arrival_stale", r.arrival_stale)
            .bind(":stale", r.stale)
            .bind(":superseded", r.superseded)
            .bind(":received_at", to_micros(r.received_at))
            .bind(":available_at", to_micros(d.available_at))
            .bind(":attempt", std::int64_t{r.attempts})
            .bind(":replays", std::int64_t{r.replays});
        if (d.lease_token.empty()) {
          q.bind(":lease_token", std::optional<std::int64_t>{});
        } else {
          q.bind(":lease_token", d.lease_token);
        }
        if (r.last_error.empty()) {
          q.bind(":last_error", std::optional<std::int64_t>{});
        } else {
          q.bind(":last_error", r.last_error);
        }
        q.bind(":acked_at", r.state == DeliveryState::acked
                                ? std::optional<std::int64_t>{to_micros(r.received_at)}
                                : std::nullopt);
      });
      if (rc != SQLITE_DONE) return sqlite_error("import", import_delivery, rc);
    }
    for (const StoredResource& g : batch.resources) {
      const std::int64_t touched = to_micros(g.touched_at);
      Result<std::int64_t> row = resource_row(
          g.connector_id, g.owner_id, g.model, g.resource_id,
          g.seen_updated_at ? to_micros(*g.seen_updated_at) : std::int64_t{0}, touched);
      if (!row) return std::move(row).error();
      if (g.seen_updated_at) {
        const int rc = run_named(db, import_seen, [&](Query& q) {
          q.bind(":updated_at", to_micros(*g.seen_updated_at))
              .bind(":deleted", g.seen_deleted)
              .bind(":touched_at", touched)
              .bind(":resource", *row);
        });
        if (rc != SQLITE_DONE) return sqlite_error("import", import_seen, rc);
      }
      if (g.acked_updated_at) {
        const int rc = run_named(db, import_acked, [&](Query& q) {
          q.bind(":updated_at", to_micros(*g.acked_updated_at))
              .bind(":deleted", g.acked_deleted)
              .bind(":delivery", g.acked_delivery)
              .bind(":touched_at", touched)
              .bind(":resource", *row);
        });
        if (rc != SQLITE_DONE) return sqlite_error("import", import_acked, rc);
      }
    }
    const int rc = run_named(db, import_counter, [&](Query& q) {
      q.bind(":value", static_cast<std::int64_t>(skipped));
    });
    if (rc != SQLITE_DONE) return sqlite_error("import", import_counter, rc);
    return Done{};
  }

  Result<bool> read_is_empty() {
    std::lock_guard<std::mutex> lock(reader_mutex);
    std::int64_t n = 0;
    const int rc =
        run_named(reader, count_everything, {}, [&](const Query& q) { n = q.int64("n"); });
    if (rc != SQLITE_DONE) return sqlite_error("is_empty", rc, reader);
    return n == 0;
  }

  // After a transaction that expired a batch and took `took` from BEGIN to the end of COMMIT
  // (its fsync included): the next batch is halved when it held the lock too long, doubled when
  // it was quick. Never below min_expire_batch, so that expiry keeps up even when every fsync is
  // slow.
  void size_expire_batch(std::chrono::steady_clock::duration took) {
    constexpr std::int64_t min_expire_batch = 256;
    constexpr std::int64_t max_expire_batch = 100000;
    if (took > expire_lock_budget * 4 / 5) {
      expire_batch = std::max(min_expire_batch, expire_batch / 2);
    } else if (took < expire_lock_budget / 5) {
      expire_batch = std::min(max_expire_batch, expire_batch * 2);
    }
  }

  // ---- opening --------------------------------------------------------------------------

  Result<Done> apply_max_bytes(std::uint64_t max_bytes) {
    std::int64_t pages = 0;  // 0 asks SQLite for its current limit; we want "none": the max.
    if (max_bytes == 0) {
      pages = 0xFFFFFFFE;  // SQLite's largest page count
    } else {
      sqlite3_stmt* s = nullptr;
      std::int64_t page_size = 4096;
      if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &s, nullptr) == SQLITE_OK &&
          sqlite3_step(s) == SQLITE_ROW) {
        page_size = sqlite3_column_int64(s, 0);
      }
      sqlite3_finalize(s);
      pages = static_cast<std::int64_t>(max_bytes / static_cast<std::uint64_t>(page_size));
      if (pages < 1) pages = 1;
    }
    const std::string sql = "PRAGMA max_page_count = " + std::to_string(pages);
    const int rc = exec(sql.c_str());
    if (rc != SQLITE_OK) return sqlite_error("setting max_bytes", rc);
    return Done{};
  }

  Result<Done> prepare_writer() {
    if (!statements.empty()) return Done{};
    const NamedSql* all[] = {
        &find_by_key,     &delete_by_id,     &find_by_body,     &find_resource,  &insert_resource,
        &see_resource,    &touch_resource,   &find_undone,      &next_id,        &insert_delivery,
        &select_leasable, &find_superseding, &take_lease,       &kill_exhausted, &skip_superseded,
        &count_skipped,   &promote_next,     &find_for_token,   &ack_lease,      &record_ack,
        &fail_retry,      &fail_dead,        &extend_lease,     &find_dead,      &next_position,
        &requeue_dead,    &expire_acked,     &expire_resources, &resource_of,    &replay_one};
    for (const NamedSql* sql : all) {
      auto s = std::make_unique<Statement>();
      const int rc = s->prepare(db, *sql);
      if (rc != SQLITE_OK) {
        return sqlite_error(std::string("preparing the statement ") + sql->name, rc);
      }
      statements.emplace(sql, std::move(s));
    }
    return Done{};
  }

  Result<Done> open_reader() {
    int rc = sqlite3_open_v2(path.c_str(), &reader, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc == SQLITE_OK) {
      rc = sqlite3_busy_timeout(reader, static_cast<int>(options.busy_timeout.count()));
    }
    if (rc == SQLITE_OK) {
      rc = sqlite3_exec(reader, "PRAGMA query_only = 1", nullptr, nullptr, nullptr);
    }
    if (rc != SQLITE_OK) return sqlite_error("opening the inbox for reading", rc, reader);
    for (const NamedSql* sql : {&count_states, &select_dead}) {
      auto s = std::make_unique<Statement>();
      rc = s->prepare(reader, *sql);
      if (rc != SQLITE_OK) {
        return sqlite_error(std::string("preparing the statement ") + sql->name, rc, reader);
      }
      reader_statements.emplace(sql, std::move(s));
    }
    return Done{};
  }

  // One integer from a PRAGMA (or any single-value query).
  Result<std::int64_t> query_int(const char* sql, std::string_view what) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    std::int64_t v = 0;
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(s);
      if (rc == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(what, rc);
    return v;
  }

  // ---- migration from schema version 1 --------------------------------------------------

  static constexpr NamedSql v1_copy_resources{"v1_copy_resources", R"sql(
    INSERT INTO resources(connector_id, owner_id, model, resource_id, seen_updated_at,
                          seen_deleted, touched_at)
    SELECT connector_id, owner_id, model, resource_id, updated_at, deleted, touched_at
    FROM resources_v1)sql"};
  static constexpr NamedSql v1_select_deliveries{"v1_select_deliveries", R"sql(
    SELECT id, connector_id, owner_id, idempotency_key, body, body_hash, stale, received_at,
           state, available_at, attempt, lease_token, last_error, acked_at
    FROM deliveries_v1 ORDER BY id)sql"};
  // Version 1's states: 0 undone (leased while it has a token, delayed after a fail()), 1
  // acked, 2 dead.
  static constexpr NamedSql v1_insert_delivery{"v1_insert_delivery", R"sql(
    INSERT INTO deliveries(id, connector_id, owner_id, idempotency_key, body, body_hash, model,
                           resource_id, event_trigger, updated_at, resource, ordered, state,
                           head, position, arrival_stale, stale, received_at, available_at,
                           attempt, lease_token, last_error, acked_at)
    VALUES (:id, :connector_id, :owner_id, :idempotency_key, :body, :body_hash, :model,
            :resource_id, :event_trigger, :updated_at, :resource, :ordered,
            CASE :state WHEN 1 THEN 'acked' WHEN 2 THEN 'dead'
                        ELSE CASE WHEN :lease_token IS NOT NULL THEN 'leased'
                                  WHEN :last_error IS NOT NULL THEN 'delayed'
                                  ELSE 'ready' END END,
            0, :id, :stale, :stale, :received_at, :available_at, :attempt, :lease_token,
            :last_error, :acked_at))sql"};
  // Ids continue after the largest version 1 gave (sqlite_sequence has no unique name).
  static constexpr const char* v1_keep_sequence_sql = R"sql(
    UPDATE sqlite_sequence
    SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries_v1'), 0))
    WHERE name = 'deliveries';
    INSERT INTO sqlite_sequence(name, seq)
    SELECT 'deliveries', seq FROM sqlite_sequence
    WHERE name = 'deliveries_v1'
      AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'deliveries');
  )sql";
  // The first undone delivery of each resource becomes its head; so does every one already
  // leased (version 1 leased a resource's deliveries in parallel: their leases stay valid).
  static constexpr NamedSql v1_elect_heads{"v1_elect_heads", R"sql(
    UPDATE deliveries SET head = 1
    WHERE state <> 'acked' AND state <> 'dead'
      AND (resource IS NULL OR ordered = 0 OR state = 'leased'
           OR NOT EXISTS (SELECT 1 FROM deliveries AS e
                          WHERE e.resource = deliveries.resource AND e.state <> 'acked'
                            AND e.state <> 'dead' AND e.position < deliveries.position)))sql"};
  static constexpr const char* v1_drop_sql = R"sql(
    DROP TABLE deliveries_v1;
    DROP TABLE resources_v1;
    DELETE FROM sqlite_sequence WHERE name = 'deliveries_v1';
  )sql";

  // Runs `sql` once on the writer (migration statements are not kept).
  int run_once(const NamedSql& sql, const std::function<void(Query&)>& bind = {}) {
    Statement s;
    int rc = s.prepare(db, sql);
    if (rc != SQLITE_OK) return rc;
    Query q(s);
    if (bind) bind(q);
    return q.finish();
  }

  // Version 1 stored no model, id, trigger or updatedAt per delivery: they are read from the
  // body (a body that does not parse as a Morph event has none, as if appended without facts).
  // The lease guard is rebuilt from the acked deliveries still retained.
  Result<Done> migrate_from_v1() {
    int rc = exec(v1_rename_sql);
    if (rc == SQLITE_OK) rc = exec(schema_sql);
    if (rc == SQLITE_OK) rc = exec(v3_sql);
    if (rc != SQLITE_OK) return sqlite_error("migrating the inbox from schema version 1", rc);
    if (Result<Done> r = prepare_writer(); !r) return r;
    rc = run_once(v1_copy_resources);
    if (rc != SQLITE_DONE) return sqlite_error("migrating the inbox", v1_copy_resources, rc);
    Statement select;
    rc = select.prepare(db, v1_select_deliveries);
    Statement insert;
    if (rc == SQLITE_OK) rc = insert.prepare(db, v1_insert_delivery);
    if (rc != SQLITE_OK) return sqlite_error("migrating the inbox", v1_insert_delivery, rc);
    Parser parser;
    Query rows(select);
    while ((rc = rows.step()) == SQLITE_ROW) {
      const std::string body = rows.text("body");
      EventFacts facts;
      Result<ResourceEvent> event = parser.parse_envelope(body);
      if (event) facts = EventFacts::of(*event);
      // Bound without copies: every value lives until the insert is done.
      const std::string connector = rows.text("connector_id");
      const std::string owner = rows.text("owner_id");
      const std::string key = rows.text("idempotency_key");
      const std::optional<std::string> token =
          rows.is_null("lease_token") ? std::nullopt : std::optional(rows.text("lease_token"));
      const std::optional<std::string> last_error =
          rows.is_null("last_error") ? std::nullopt : std::optional(rows.text("last_error"));
      const std::int64_t received = rows.int64("received_at");
      std::optional<std::int64_t> resource;
      if (!facts.id.empty()) {
        bool stale = false;
        Result<std::int64_t> r =
            guard_arrival(Headers{connector, owner, ""}, facts, received, stale);
        if (!r) return std::move(r).error();
        resource = *r;
      }
      const std::int64_t id = rows.int64("id");
      const std::int64_t state = rows.int64("state");
      const std::optional<std::int64_t> acked_at = rows.optional_int64("acked_at");
      int irc;
      {
        Query q(insert);
        q.bind(":id", id)
            .bind(":connector_id", connector)
            .bind(":owner_id", owner)
            .bind(":idempotency_key", key)
            .bind_blob(":body", body)
            .bind(":body_hash", rows.int64("body_hash"))
            .bind(":model", facts.model)
            .bind(":resource_id", facts.id)
            .bind(":event_trigger", to_string(facts.trigger))
            .bind(":updated_at", to_micros(facts.updated_at))
            .bind(":resource", resource)
            .bind(":ordered", options.inbox.ordered)
            .bind(":state", state)
            .bind(":stale", rows.flag("stale"))
            .bind(":received_at", received)
            .bind(":available_at", rows.int64("available_at"))
            .bind(":attempt", rows.int64("attempt"))
            .bind(":acked_at", acked_at);
        q.bind_optional(":lease_token", token).bind_optional(":last_error", last_error);
        irc = q.step();
      }
      if (irc != SQLITE_DONE) return sqlite_error("migrating the inbox", v1_insert_delivery, irc);
      if (state == 1 && resource) {
        irc = Query(statement(record_ack))
                  .bind(":updated_at", to_micros(facts.updated_at))
                  .bind(":deleted", facts.trigger == Trigger::deleted)
                  .bind(":delivery", id)
                  .bind(":now", acked_at.value_or(received))
                  .bind(":resource", *resource)
                  .step();
        if (irc != SQLITE_DONE) return sqlite_error("migrating the inbox", record_ack, irc);
      }
    }
    if (rc != SQLITE_DONE) return sqlite_error("migrating the inbox", v1_select_deliveries, rc);
    rc = exec(v1_keep_sequence_sql);
    if (rc != SQLITE_OK) return sqlite_error("migrating the inbox (keeping the ids)", rc);
    rc = run_once(v1_elect_heads);
    if (rc != SQLITE_DONE) return sqlite_error("migrating the inbox", v1_elect_heads, rc);
    rc = exec(v1_drop_sql);
    if (rc != SQLITE_OK) return sqlite_error("migrating the inbox (dropping version 1)", rc);
    return Done{};
  }

  Result<Done> setup() {
    if (sqlite3_db_readonly(db, "main") == 1) {
      return storage_error("the inbox " + path +
                           " is not writable (read-only file or file system)");
    }
    sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
    // The first read of the file: a file that is not a database (or whose header is
    // corrupt) fails here with SQLITE_NOTADB.
    if (Result<std::int64_t> v = query_int("PRAGMA user_version", "reading the schema version");
        !v) {
      return std::move(v).error();
    }
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, nullptr);
    std::string mode;
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
      const unsigned char* m = sqlite3_column_text(s, 0);
      mode = m == nullptr ? "" : reinterpret_cast<const char*>(m);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) return sqlite_error("switching to WAL mode", rc);
    if (mode != "wal") {
      return storage_error("the inbox " + path + " could not switch to WAL mode (it is in " + mode +
                           " mode)");
    }
    rc = exec(options.synchronous == SqliteSynchronous::full ? "PRAGMA synchronous = FULL"
                                                             : "PRAGMA synchronous = NORMAL");
    if (rc != SQLITE_OK) return sqlite_error("setting synchronous", rc);

    rc = exec("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return sqlite_error("opening the inbox", rc);
    Result<std::int64_t> version = query_int("PRAGMA user_version", "reading the schema version");
    Result<Done> created = Done{};
    if (version && *version >= 0 && *version < sqlite_inbox_schema_version) {
      if (*version == 0) {
        rc = exec(schema_sql);
        if (rc == SQLITE_OK) rc = exec(v3_sql);
        if (rc != SQLITE_OK) created = sqlite_error("creating the inbox schema", rc);
      } else if (*version == 1) {
        created = migrate_from_v1();
      } else {
        rc = exec(v3_sql);
        if (rc != SQLITE_OK)
          created = sqlite_error("migrating the inbox from schema version 2", rc);
      }
      if (created) {
        rc = exec(("PRAGMA user_version = " + std::to_string(sqlite_inbox_schema_version)).c_str());
        if (rc != SQLITE_OK) created = sqlite_error("setting the schema version", rc);
      }
    }
    if (!version || !created) {
      exec("ROLLBACK");
      statements.clear();
      return version ? std::move(created).error() : std::move(version).error();
    }
    rc = exec("COMMIT");
    if (rc != SQLITE_OK) {
      exec("ROLLBACK");
      return sqlite_error("creating the inbox schema", rc);
    }
    if (*version > sqlite_inbox_schema_version) {
      return storage_error("the inbox " + path + " has schema version " + std::to_string(*version) +
                           "; this build reads versions 1 to " +
                           std::to_string(sqlite_inbox_schema_version) +
                           " (upgrade morph-webhook)");
    }
    // Reads every page of the schema: a corrupt schema fails here, not at the first append.
    if (Result<std::int64_t> n = query_int("SELECT count(*) FROM deliveries", "checking the inbox");
        !n) {
      return std::move(n).error();
    }
    if (Result<Done> r = prepare_writer(); !r) return r;
    if (Result<Done> r = open_reader(); !r) return r;
    if (options.max_bytes != 0) {
      if (Result<Done> r = apply_max_bytes(options.max_bytes); !r) return r;
    }
    return Done{};
  }
};

Result<std::unique_ptr<SqliteInbox>> SqliteInbox::open(const std::string& path,
                                                       const SqliteOptions& options) {
  // Create the file ourselves so it is never readable by others, whatever the umask; SQLite
  // gives its -wal and -shm files the same permissions.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    // Make the new directory entry durable: SQLite syncs the directory of the -wal file it
    // creates, not of the database file, which it did not create.
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  } else if (errno != EEXIST) {
    return storage_error("cannot create the inbox " + path + ": " + std::strerror(errno));
  } else if (struct stat st{}; ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return storage_error("the inbox " + path + " is not a regular file");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  const int rc = sqlite3_open_v2(path.c_str(), &impl->db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return impl->sqlite_error("opening the inbox", rc);
  if (Result<Done> r = impl->setup(); !r) return std::move(r).error();
  Impl* raw = impl.get();
  impl->committer = std::thread([raw] { raw->committer_loop(); });
  return std::unique_ptr<SqliteInbox>(new SqliteInbox(std::move(impl)));
}

SqliteInbox::SqliteInbox(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
SqliteInbox::~SqliteInbox() = default;

Result<Appended> SqliteInbox::append(const Headers& headers, std::string_view body,
                                     const EventFacts& event) {
  if (body.size() > max_value_bytes) {
    // Refused before it reaches the batch: a retry would fail the same way, so not a 503.
    return inbox_error(ErrorCode::body_too_large, "the body is " + std::to_string(body.size()) +
                                                      " bytes; the SQLite inbox stores at most " +
                                                      std::to_string(max_value_bytes));
  }
  return impl_->submit<Appended>([&] { return impl_->do_append(headers, body, event); });
}

Result<std::vector<Delivery>> SqliteInbox::lease(std::size_t max_count, InboxDuration duration,
                                                 const LeaseOptions& how) {
  return impl_->submit<std::vector<Delivery>>(
      [&] { return impl_->do_lease(max_count, duration, how); });
}

Result<Done> SqliteInbox::ack(DeliveryId id, std::string_view token) {
  return impl_->submit<Done>([&] { return impl_->do_ack(id, token); });
}

Result<Failed> SqliteInbox::fail(DeliveryId id, std::string_view token, std::string_view reason,
                                 const FailOptions& how) {
  return impl_->submit<Failed>([&] { return impl_->do_fail(id, token, reason, how); });
}

Result<TimePoint> SqliteInbox::extend(DeliveryId id, std::string_view token,
                                      InboxDuration duration) {
  return impl_->submit<TimePoint>([&] { return impl_->do_extend(id, token, duration); });
}

Result<InboxStats> SqliteInbox::stats() { return impl_->read_stats(); }

Result<std::vector<DeadLetter>> SqliteInbox::dead_letters(std::size_t max_count) {
  return impl_->read_dead_letters(max_count);
}

Result<Done> SqliteInbox::requeue(DeliveryId id) {
  return impl_->submit<Done>([&] { return impl_->do_requeue(id); });
}

Result<DeliveryRecord> SqliteInbox::get(DeliveryId id) { return impl_->read_record_by_id(id); }

Result<DeliveryPage> SqliteInbox::list(const DeliveryFilter& filter, std::size_t limit,
                                       std::optional<DeliveryId> before) {
  return impl_->read_list(filter, limit, before);
}

Result<std::uint64_t> SqliteInbox::replay(const DeliveryFilter& filter, bool dry_run) {
  if (dry_run) {
    return impl_->submit<std::uint64_t>([&] { return impl_->count_replayable(filter); });
  }
  // Oldest first, so that replayed deliveries of one resource keep their order; a delivery
  // replayed in one batch is ready, so a later batch (id > the last one) never takes it again.
  std::uint64_t total = 0;
  for (std::int64_t after = 0;;) {
    bool finished = false;
    Result<std::uint64_t> r = impl_->submit<std::uint64_t>([&]() -> Result<std::uint64_t> {
      Result<std::vector<std::int64_t>> ids = impl_->replayable(filter, after, 500);
      if (!ids) return std::move(ids).error();
      for (const std::int64_t id : *ids) {
        if (Result<Done> d = impl_->replay_delivery(id); !d) return std::move(d).error();
      }
      finished = ids->size() < 500;
      if (!ids->empty()) after = ids->back();
      return static_cast<std::uint64_t>(ids->size());
    });
    if (!r) return r;
    total += *r;
    if (finished) return total;
  }
}

Result<std::uint64_t> SqliteInbox::purge_dead(std::optional<TimePoint> before) {
  const std::int64_t bound = before ? to_micros(*before) : std::numeric_limits<std::int64_t>::max();
  std::uint64_t total = 0;
  for (;;) {
    Result<std::uint64_t> r = impl_->submit<std::uint64_t>([&]() -> Result<std::uint64_t> {
      Statement s;
      int rc = s.prepare(impl_->db, Impl::purge_batch);
      if (rc != SQLITE_OK) return impl_->sqlite_error("purge", Impl::purge_batch, rc);
      rc = Query(s).bind(":before", bound).bind(":limit", std::int64_t{1000}).step();
      if (rc != SQLITE_DONE) return impl_->sqlite_error("purge", Impl::purge_batch, rc);
      return static_cast<std::uint64_t>(sqlite3_changes(impl_->db));
    });
    if (!r) return r;
    total += *r;
    if (*r < 1000) return total;
  }
}

Result<InboxBatch> SqliteInbox::export_batch(const std::string& cursor) {
  return impl_->read_export(cursor);
}

Result<Done> SqliteInbox::import_batch(const InboxBatch& batch, std::uint64_t skipped_superseded) {
  return impl_->submit<Done>([&] { return impl_->write_import(batch, skipped_superseded); });
}

Result<bool> SqliteInbox::is_empty() { return impl_->read_is_empty(); }

Result<std::uint64_t> SqliteInbox::expire() {
  // One transaction per batch: appends and leases run between them.
  std::uint64_t total = 0;
  for (bool more = true; more;) {
    Result<std::uint64_t> r = impl_->submit<std::uint64_t>([&]() -> Result<std::uint64_t> {
      std::uint64_t removed = 0;
      if (!impl_->expire_step(removed, more)) return std::move(*impl_->batch_error);
      return removed;
    });
    if (!r) return r;
    total += *r;
  }
  return total;
}

Result<Done> SqliteInbox::set_max_bytes(std::uint64_t max_bytes) {
  return impl_->submit<Done>([&] { return impl_->apply_max_bytes(max_bytes); });
}

std::uint64_t SqliteInbox::commits() const noexcept {
  return impl_->commits.load(std::memory_order_relaxed);
}

const std::string& SqliteInbox::path() const noexcept { return impl_->path; }

}  // namespace morph::webhook
