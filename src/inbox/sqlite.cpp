// SqliteInbox: one connection, owned by one committer thread that runs every operation in a
// transaction shared with whatever else is waiting (group commit).
#include "morph/webhook/inbox/sqlite.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

namespace morph::webhook {
namespace {

// Delivery states as stored (the `state` column; the SQL below spells them as literals).
// 0 is pending: ready, leased and delayed differ only by `available_at` and `lease_token`
// (see count_states).
constexpr int state_acked = 1;
constexpr int state_dead = 2;

constexpr const char* schema_sql = R"sql(
CREATE TABLE deliveries(
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so an old id never names a new event
  connector_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  body BLOB NOT NULL,                    -- byte for byte as received
  body_hash INTEGER NOT NULL,            -- narrows the byte comparison of body dedupe
  stale INTEGER NOT NULL,
  received_at INTEGER NOT NULL,          -- microseconds since the Unix epoch, like every time
  state INTEGER NOT NULL,                -- 0 pending, 1 acked, 2 dead
  available_at INTEGER NOT NULL,         -- pending: leasable from then on (lease end, backoff end)
  attempt INTEGER NOT NULL DEFAULT 0,    -- leases so far
  lease_token TEXT,                      -- the current or last lease; NULL after fail()
  last_error TEXT,
  acked_at INTEGER);
CREATE UNIQUE INDEX deliveries_by_key ON deliveries(connector_id, owner_id, idempotency_key);
CREATE INDEX deliveries_by_body ON deliveries(connector_id, owner_id, body_hash);
CREATE INDEX deliveries_by_state ON deliveries(state, available_at);
CREATE INDEX deliveries_by_received ON deliveries(state, received_at);
-- The ordering guard: the newest updatedAt seen per resource; deleted = a tombstone.
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
)sql";

// SQLite's default limit on one string or blob (SQLITE_MAX_LENGTH); also keeps sizes in `int`.
constexpr std::size_t max_value_bytes = 1000000000;

std::int64_t to_micros(TimePoint t) noexcept { return t.time_since_epoch().count(); }
TimePoint from_micros(std::int64_t us) noexcept { return TimePoint(std::chrono::microseconds(us)); }

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

// A prepared statement, kept for the life of the connection.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  int prepare(sqlite3* db, const char* sql) noexcept {
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  }
  sqlite3_stmt* get() const noexcept { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// One use of a Statement: binds, steps, reads columns; resets the statement when it ends so
// no read transaction or bound blob outlives the operation.
class Query {
 public:
  explicit Query(Statement& s) noexcept : stmt_(s.get()) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Query& bind(std::int64_t v) noexcept { return check(sqlite3_bind_int64(stmt_, ++index_, v)); }
  Query& bind(std::string_view v) noexcept {
    if (v.size() > max_value_bytes) return check(SQLITE_TOOBIG);
    return check(sqlite3_bind_text(stmt_, ++index_, v.empty() ? "" : v.data(),
                                   static_cast<int>(v.size()), SQLITE_STATIC));
  }
  Query& bind_blob(std::string_view v) noexcept {
    if (v.size() > max_value_bytes) return check(SQLITE_TOOBIG);
    return check(sqlite3_bind_blob(stmt_, ++index_, v.empty() ? "" : v.data(),
                                   static_cast<int>(v.size()), SQLITE_STATIC));
  }
  Query& bind_null() noexcept { return check(sqlite3_bind_null(stmt_, ++index_)); }

  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() noexcept { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(stmt_); }

  std::int64_t int64(int col) const noexcept { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const noexcept { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
  }

 private:
  Query& check(int rc) noexcept {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
  }
  sqlite3_stmt* stmt_;
  int index_ = 0;
  int bind_rc_ = SQLITE_OK;
};

// The columns select_ready and select_dead share (id, -, stale, received_at, the three
// headers) into a Delivery or a DeadLetter.
template <class Listing>
void read_listing(const Query& q, Listing& d) {
  d.id = q.int64(0);
  d.stale = q.int64(2) != 0;
  d.received_at = from_micros(q.int64(3));
  d.connector_id = q.text(4);
  d.owner_id = q.text(5);
  d.idempotency_key = q.text(6);
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

}  // namespace

struct SqliteInbox::Impl {
  sqlite3* db = nullptr;
  std::string path;
  SqliteOptions options;
  // Lease tokens: a 64-bit seed (random_device gives 32 bits a call).
  std::mt19937_64 random{(std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()};

  Statement find_by_key, delete_by_id, find_by_body, find_resource, insert_resource,
      update_resource, touch_resource, insert_delivery, kill_exhausted, select_ready, take_lease,
      find_for_token, ack_lease, fail_retry, fail_dead, extend_lease, requeue_dead, expire_acked,
      expire_resources;

  // stats() and dead_letters() read on a connection of their own (WAL lets it read beside the
  // writer), so a dashboard polling them never holds up the appends waiting for the committer.
  sqlite3* reader = nullptr;
  std::mutex reader_mutex;
  Statement count_states, select_dead;

  std::mutex mutex;
  std::condition_variable work_ready;
  std::deque<Operation*> queue;
  bool stopping = false;
  std::thread committer;
  std::atomic<std::uint64_t> commits{0};
  std::chrono::steady_clock::time_point last_expire = std::chrono::steady_clock::now();
  // The storage error of the operation that is failing the current batch.
  std::optional<Error> batch_error;

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    work_ready.notify_all();
    if (committer.joinable()) committer.join();
    // Statements are finalized by their destructors, which run after this body: close with
    // sqlite3_close_v2 so the connection goes when its last statement does.
    if (reader != nullptr) sqlite3_close_v2(reader);
    if (db != nullptr) sqlite3_close_v2(db);
  }

  TimePoint now() const { return options.inbox.clock ? options.inbox.clock() : system_now(); }

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

  // ---- the committer --------------------------------------------------------------------

  void run_batch(std::deque<Operation*>& batch) {
    std::optional<Error> failure;
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
    for (;;) {
      work_ready.wait_for(lock, std::chrono::seconds(60),
                          [this] { return stopping || !queue.empty(); });
      if (queue.empty()) {
        if (stopping) return;
        lock.unlock();
        run_periodic_expire();
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
      if (std::chrono::steady_clock::now() - last_expire > std::chrono::seconds(60)) {
        run_periodic_expire();
      }
      lock.lock();
    }
  }

  void run_periodic_expire() {
    last_expire = std::chrono::steady_clock::now();
    std::uint64_t removed = 0;
    Operation op;
    op.run = [&] { return expire_now(removed); };
    std::deque<Operation*> batch{&op};
    run_batch(batch);  // a failure is retried at the next period
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

  // ---- operations (committer thread, inside a transaction) -------------------------------

  Result<Appended> do_append(const Headers& h, std::string_view body, const EventFacts& event) {
    const std::int64_t now_us = to_micros(now());
    const std::int64_t cutoff = now_us - options.inbox.retain.count();
    {
      Query q(find_by_key);
      q.bind(h.connector_id).bind(h.owner_id).bind(h.idempotency_key);
      const int rc = q.step();
      if (rc == SQLITE_ROW) {
        const std::int64_t id = q.int64(0);
        // An acked delivery past its retention no longer counts; anything else does.
        if (q.int64(1) != state_acked || q.int64(2) >= cutoff) {
          return Appended{id, AppendStatus::duplicate, q.int64(3) != 0};
        }
        Query d(delete_by_id);
        const int drc = d.bind(id).step();
        if (drc != SQLITE_DONE) return sqlite_error("append (dropping an expired key)", drc);
      } else if (rc != SQLITE_DONE) {
        return sqlite_error("append (key lookup)", rc);
      }
    }
    const std::int64_t hash = body_hash(body);
    if (options.inbox.dedupe_identical_bodies) {
      Query q(find_by_body);
      q.bind(h.connector_id).bind(h.owner_id).bind(hash).bind_blob(body).bind(cutoff);
      const int rc = q.step();
      if (rc == SQLITE_ROW) return Appended{q.int64(0), AppendStatus::duplicate, q.int64(1) != 0};
      if (rc != SQLITE_DONE) return sqlite_error("append (body lookup)", rc);
    }
    bool stale = false;
    if (!event.id.empty()) {
      const std::int64_t updated = to_micros(event.updated_at);
      const bool deleted = event.trigger == Trigger::deleted;
      std::optional<std::pair<std::int64_t, bool>> seen;
      {
        Query q(find_resource);
        q.bind(h.connector_id).bind(h.owner_id).bind(event.model).bind(event.id);
        const int rc = q.step();
        if (rc == SQLITE_ROW) {
          seen.emplace(q.int64(0), q.int64(1) != 0);
        } else if (rc != SQLITE_DONE) {
          return sqlite_error("append (ordering guard)", rc);
        }
      }
      int rc;
      if (!seen) {
        Query q(insert_resource);
        rc = q.bind(h.connector_id)
                 .bind(h.owner_id)
                 .bind(event.model)
                 .bind(event.id)
                 .bind(updated)
                 .bind(std::int64_t{deleted})
                 .bind(now_us)
                 .step();
      } else if (updated < seen->first) {
        stale = true;
        Query q(touch_resource);
        rc = q.bind(now_us)
                 .bind(h.connector_id)
                 .bind(h.owner_id)
                 .bind(event.model)
                 .bind(event.id)
                 .step();
      } else {
        // Equal timestamps keep a tombstone: a delete is never undone by an event as old.
        const bool tombstone = deleted || (updated == seen->first && seen->second);
        Query q(update_resource);
        rc = q.bind(updated)
                 .bind(std::int64_t{tombstone})
                 .bind(now_us)
                 .bind(h.connector_id)
                 .bind(h.owner_id)
                 .bind(event.model)
                 .bind(event.id)
                 .step();
      }
      if (rc != SQLITE_DONE) return sqlite_error("append (ordering guard)", rc);
    }
    Query q(insert_delivery);
    q.bind(h.connector_id)
        .bind(h.owner_id)
        .bind(h.idempotency_key)
        .bind_blob(body)
        .bind(hash)
        .bind(std::int64_t{stale})
        .bind(now_us)
        .bind(now_us);
    const int rc = q.step();
    if (rc != SQLITE_DONE) return sqlite_error("append", rc);
    return Appended{sqlite3_last_insert_rowid(db), AppendStatus::stored, stale};
  }

  Result<std::vector<Delivery>> do_lease(std::size_t max_count, InboxDuration duration,
                                         const LeaseOptions& how) {
    (void)how;
    const std::int64_t now_us = to_micros(now());
    const std::int64_t expires = now_us + duration.count();
    const auto max_attempts = static_cast<std::int64_t>(options.inbox.max_attempts);
    std::vector<Delivery> out;
    // A delivery whose lease expired on its last attempt becomes dead instead of being leased
    // again (a worker that crashes on it every time must not keep it forever). Such rows are
    // only found among the ready ones read here, so reading again fills their places.
    for (bool killed = true; killed && out.size() < max_count;) {
      killed = false;
      std::vector<Delivery> batch;
      std::vector<DeliveryId> exhausted;
      {
        Query q(select_ready);
        q.bind(now_us).bind(static_cast<std::int64_t>(max_count - out.size()));
        int rc;
        while ((rc = q.step()) == SQLITE_ROW) {
          if (q.int64(1) >= max_attempts) {
            exhausted.push_back(q.int64(0));
            continue;
          }
          Delivery d;
          read_listing(q, d);
          d.attempt = static_cast<std::uint32_t>(q.int64(1)) + 1;
          d.body = q.text(7);
          d.last_error = q.text(8);
          d.lease_expires_at = from_micros(expires);
          d.lease_token = new_token();
          batch.push_back(std::move(d));
        }
        if (rc != SQLITE_DONE) return sqlite_error("lease", rc);
      }
      for (const DeliveryId id : exhausted) {
        const int rc = Query(kill_exhausted).bind(id).step();
        if (rc != SQLITE_DONE) return sqlite_error("lease (dead letter)", rc);
        killed = true;
      }
      for (Delivery& d : batch) {
        const int rc = Query(take_lease).bind(d.lease_token).bind(expires).bind(d.id).step();
        if (rc != SQLITE_DONE) return sqlite_error("lease", rc);
        out.push_back(std::move(d));
      }
    }
    return out;
  }

  // Why `token` is not a valid lease of `id` (the statement that needed it changed nothing).
  Error lease_problem(DeliveryId id, std::string_view token, std::int64_t now_us,
                      std::string_view operation) {
    Query q(find_for_token);
    const int rc = q.bind(id).step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return sqlite_error(std::string(operation) + " of delivery " + std::to_string(id), rc);
    }
    LeaseRefusal why = LeaseRefusal::missing;
    if (rc == SQLITE_ROW) {
      const std::int64_t state = q.int64(0);
      if (state == state_acked) {
        why = LeaseRefusal::acked;
      } else if (state == state_dead) {
        why = LeaseRefusal::dead;
      } else if (q.is_null(1) || q.text(1) != token) {
        why = LeaseRefusal::wrong_token;
      } else {
        why = LeaseRefusal::expired;
      }
    }
    (void)now_us;
    return lease_refusal_error(why, id, operation);
  }

  Result<Done> do_ack(DeliveryId id, std::string_view token) {
    const std::int64_t now_us = to_micros(now());
    Query q(ack_lease);
    const int rc = q.bind(now_us).bind(id).bind(token).bind(now_us).step();
    if (rc != SQLITE_DONE) return sqlite_error("ack", rc);
    if (sqlite3_changes(db) != 1) return lease_problem(id, token, now_us, "ack");
    return Done{};
  }

  Result<Failed> do_fail(DeliveryId id, std::string_view token, std::string_view reason,
                         const FailOptions& how) {
    const std::int64_t now_us = to_micros(now());
    std::int64_t attempt = 0;
    {
      Query q(find_for_token);
      const int rc = q.bind(id).step();
      if (rc == SQLITE_ROW) {
        attempt = q.int64(3);
      } else if (rc != SQLITE_DONE) {
        return sqlite_error("fail", rc);
      }
    }
    const bool dead =
        how.counts_as_attempt && attempt >= static_cast<std::int64_t>(options.inbox.max_attempts);
    const InboxDuration delay =
        how.delay ? *how.delay : backoff_delay(options.inbox, static_cast<std::uint32_t>(attempt));
    const std::int64_t retry_at = now_us + delay.count();
    Query q(dead ? fail_dead : fail_retry);
    if (dead) {
      q.bind(reason).bind(id).bind(token).bind(now_us);
    } else {
      q.bind(reason)
          .bind(retry_at)
          .bind(std::int64_t{how.counts_as_attempt ? 0 : 1})
          .bind(id)
          .bind(token)
          .bind(now_us);
    }
    const int rc = q.step();
    if (rc != SQLITE_DONE) return sqlite_error("fail", rc);
    if (sqlite3_changes(db) != 1) return lease_problem(id, token, now_us, "fail");
    return Failed{dead, from_micros(retry_at)};
  }

  Result<TimePoint> do_extend(DeliveryId id, std::string_view token, InboxDuration duration) {
    const std::int64_t now_us = to_micros(now());
    const std::int64_t expires = now_us + duration.count();
    Query q(extend_lease);
    const int rc = q.bind(expires).bind(id).bind(token).bind(now_us).step();
    if (rc != SQLITE_DONE) return sqlite_error("extend", rc);
    if (sqlite3_changes(db) != 1) return lease_problem(id, token, now_us, "extend");
    return from_micros(expires);
  }

  // On the reader connection (any thread).
  Result<InboxStats> read_stats() {
    const std::int64_t now_us = to_micros(now());
    std::lock_guard<std::mutex> lock(reader_mutex);
    Query q(count_states);
    const int rc = q.bind(now_us).step();
    if (rc != SQLITE_ROW) return sqlite_error("stats", rc, reader);
    const auto u = [&](int col) { return static_cast<std::uint64_t>(q.int64(col)); };
    InboxStats s;
    s.ready = u(0);
    s.leased = u(1);
    s.delayed = u(2);
    s.dead = u(3);
    s.acked_retained = u(4);
    s.stale = u(5);
    if (!q.is_null(6)) s.oldest_ready_age = InboxDuration(now_us - q.int64(6));
    return s;
  }

  // On the reader connection (any thread).
  Result<std::vector<DeadLetter>> read_dead_letters(std::size_t max_count) {
    std::lock_guard<std::mutex> lock(reader_mutex);
    Query q(select_dead);
    q.bind(static_cast<std::int64_t>(max_count));
    std::vector<DeadLetter> out;
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
      DeadLetter d;
      read_listing(q, d);
      d.attempts = static_cast<std::uint32_t>(q.int64(1));
      d.last_error = q.text(7);
      out.push_back(std::move(d));
    }
    if (rc != SQLITE_DONE) return sqlite_error("dead_letters", rc, reader);
    return out;
  }

  Result<Done> do_requeue(DeliveryId id) {
    Query q(requeue_dead);
    const int rc = q.bind(to_micros(now())).bind(id).step();
    if (rc != SQLITE_DONE) return sqlite_error("requeue", rc);
    if (sqlite3_changes(db) != 1) {
      return inbox_error(ErrorCode::not_found,
                         "requeue of delivery " + std::to_string(id) + ": no such dead letter");
    }
    return Done{};
  }

  bool expire_now(std::uint64_t& removed) {
    const std::int64_t cutoff = to_micros(now()) - options.inbox.retain.count();
    int rc = Query(expire_acked).bind(cutoff).step();
    if (rc != SQLITE_DONE) {
      batch_error = sqlite_error("expire", rc);
      return false;
    }
    removed = static_cast<std::uint64_t>(sqlite3_changes(db));
    rc = Query(expire_resources).bind(cutoff).step();
    if (rc != SQLITE_DONE) {
      batch_error = sqlite_error("expire", rc);
      return false;
    }
    return true;
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

  Result<Done> prepare_all() {
    const std::pair<Statement*, const char*> statements[] = {
        {&find_by_key,
         "SELECT id, state, received_at, stale FROM deliveries"
         " WHERE connector_id = ?1 AND owner_id = ?2 AND idempotency_key = ?3"},
        {&delete_by_id, "DELETE FROM deliveries WHERE id = ?1"},
        // `body = ?` compares the bytes: a hash collision is never taken for a duplicate.
        {&find_by_body,
         "SELECT id, stale FROM deliveries WHERE connector_id = ?1 AND owner_id = ?2"
         " AND body_hash = ?3 AND body = ?4 AND (state <> 1 OR received_at >= ?5)"
         " ORDER BY id LIMIT 1"},
        {&find_resource,
         "SELECT updated_at, deleted FROM resources"
         " WHERE connector_id = ?1 AND owner_id = ?2 AND model = ?3 AND resource_id = ?4"},
        {&insert_resource,
         "INSERT INTO resources(connector_id, owner_id, model, resource_id, updated_at, deleted,"
         " touched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&update_resource,
         "UPDATE resources SET updated_at = ?1, deleted = ?2, touched_at = ?3"
         " WHERE connector_id = ?4 AND owner_id = ?5 AND model = ?6 AND resource_id = ?7"},
        {&touch_resource,
         "UPDATE resources SET touched_at = ?1"
         " WHERE connector_id = ?2 AND owner_id = ?3 AND model = ?4 AND resource_id = ?5"},
        {&insert_delivery,
         "INSERT INTO deliveries(connector_id, owner_id, idempotency_key, body, body_hash, stale,"
         " received_at, state, available_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)"},
        {&kill_exhausted,
         "UPDATE deliveries SET state = 2, lease_token = NULL,"
         " last_error = coalesce(last_error || '; ', '') || 'the lease expired on the last attempt'"
         " WHERE id = ?1"},
        {&select_ready,
         "SELECT id, attempt, stale, received_at, connector_id, owner_id, idempotency_key, body,"
         " last_error FROM deliveries WHERE state = 0 AND available_at <= ?1"
         " ORDER BY available_at, id LIMIT ?2"},
        {&take_lease,
         "UPDATE deliveries SET attempt = attempt + 1, lease_token = ?1, available_at = ?2"
         " WHERE id = ?3"},
        {&find_for_token,
         "SELECT state, lease_token, available_at, attempt FROM deliveries WHERE id = ?1"},
        // A lease is valid while state is pending, the token matches and it has not expired.
        {&ack_lease,
         "UPDATE deliveries SET state = 1, acked_at = ?1, lease_token = NULL"
         " WHERE id = ?2 AND state = 0 AND lease_token = ?3 AND available_at > ?4"},
        {&fail_retry,
         "UPDATE deliveries SET last_error = ?1, available_at = ?2, lease_token = NULL,"
         " attempt = attempt - ?3"
         " WHERE id = ?4 AND state = 0 AND lease_token = ?5 AND available_at > ?6"},
        {&fail_dead,
         "UPDATE deliveries SET state = 2, last_error = ?1, lease_token = NULL"
         " WHERE id = ?2 AND state = 0 AND lease_token = ?3 AND available_at > ?4"},
        {&extend_lease,
         "UPDATE deliveries SET available_at = ?1"
         " WHERE id = ?2 AND state = 0 AND lease_token = ?3 AND available_at > ?4"},
        {&requeue_dead,
         "UPDATE deliveries SET state = 0, attempt = 0, available_at = ?1, lease_token = NULL"
         " WHERE id = ?2 AND state = 2"},
        {&expire_acked, "DELETE FROM deliveries WHERE state = 1 AND received_at < ?1"},
        {&expire_resources, "DELETE FROM resources WHERE touched_at < ?1"},
    };
    for (const auto& [statement, sql] : statements) {
      const int rc = statement->prepare(db, sql);
      if (rc != SQLITE_OK) return sqlite_error("preparing the inbox statements", rc);
    }
    return open_reader();
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
    const std::pair<Statement*, const char*> statements[] = {
        // One statement, so one snapshot; each count walks an index, not the table.
        {&count_states,
         "SELECT"
         " (SELECT count(*) FROM deliveries WHERE state = 0 AND available_at <= ?1),"
         " (SELECT count(*) FROM deliveries WHERE state = 0 AND available_at > ?1"
         "  AND lease_token IS NOT NULL),"
         " (SELECT count(*) FROM deliveries WHERE state = 0 AND available_at > ?1"
         "  AND lease_token IS NULL),"
         " (SELECT count(*) FROM deliveries WHERE state = 2),"
         " (SELECT count(*) FROM deliveries WHERE state = 1),"
         " (SELECT count(*) FROM deliveries WHERE state IN (0, 2) AND stale),"
         " (SELECT min(received_at) FROM deliveries WHERE state = 0 AND available_at <= ?1)"},
        {&select_dead,
         "SELECT id, attempt, stale, received_at, connector_id, owner_id, idempotency_key,"
         " last_error FROM deliveries WHERE state = 2 ORDER BY id LIMIT ?1"},
    };
    for (const auto& [statement, sql] : statements) {
      rc = statement->prepare(reader, sql);
      if (rc != SQLITE_OK) return sqlite_error("preparing the inbox statements", rc, reader);
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
    if (version && *version == 0) {
      rc = exec(schema_sql);
      if (rc == SQLITE_OK) {
        rc = exec(("PRAGMA user_version = " + std::to_string(sqlite_inbox_schema_version)).c_str());
      }
      if (rc != SQLITE_OK) {
        exec("ROLLBACK");
        return sqlite_error("creating the inbox schema", rc);
      }
    }
    rc = exec("COMMIT");
    if (!version) {
      exec("ROLLBACK");
      return std::move(version).error();
    }
    if (rc != SQLITE_OK) return sqlite_error("creating the inbox schema", rc);
    if (*version > sqlite_inbox_schema_version) {
      return storage_error("the inbox " + path + " has schema version " + std::to_string(*version) +
                           "; this build reads version " +
                           std::to_string(sqlite_inbox_schema_version) +
                           " (upgrade morph-webhook)");
    }
    // Reads every page of the schema: a corrupt schema fails here, not at the first append.
    if (Result<std::int64_t> n = query_int("SELECT count(*) FROM deliveries", "checking the inbox");
        !n) {
      return std::move(n).error();
    }
    if (Result<Done> r = prepare_all(); !r) return r;
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

Result<std::uint64_t> SqliteInbox::expire() {
  return impl_->submit<std::uint64_t>([&]() -> Result<std::uint64_t> {
    std::uint64_t removed = 0;
    if (!impl_->expire_now(removed)) return std::move(*impl_->batch_error);
    return removed;
  });
}

Result<Done> SqliteInbox::set_max_bytes(std::uint64_t max_bytes) {
  return impl_->submit<Done>([&] { return impl_->apply_max_bytes(max_bytes); });
}

std::uint64_t SqliteInbox::commits() const noexcept {
  return impl_->commits.load(std::memory_order_relaxed);
}

const std::string& SqliteInbox::path() const noexcept { return impl_->path; }

}  // namespace morph::webhook
