// RedisInbox: every operation is one Lua script run with EVALSHA. The scripts are the files
// src/inbox/redis/*.lua (one per transition, each opening with its Input/Output block),
// embedded at build time by cmake/MorphWebhookRedis.cmake; common.lua is prepended to each.
// See inbox/redis.hpp for the key layout. Times are microseconds since the epoch: the scripts
// read the server's clock (TIME) unless InboxOptions::clock is set, in which case its time is
// passed as the scripts' optional `now` argument.
#include "morph/webhook/inbox/redis.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>

#include "morph/webhook/version.hpp"
#include "redis_connection.hpp"
#include "redis_scripts.hpp"
#include "redis_sentinel.hpp"

namespace morph::webhook {
namespace {

// The scripts, each common.lua followed by its own file.
enum Script : std::size_t {
  script_open,
  script_migrate_v1,
  script_append,
  script_lease,
  script_ack,
  script_fail,
  script_extend,
  script_requeue,
  script_expire,
  script_stats,
  script_dead_letters,
  script_get,
  script_list,
  script_replay,
  script_purge,
  script_migrate_v2,
  script_export,
  script_import,
  script_count
};
constexpr std::array<std::string_view, script_count> script_bodies = {
    redis_lua::open,         redis_lua::migrate_v1,  redis_lua::append,       redis_lua::lease,
    redis_lua::ack,          redis_lua::fail,        redis_lua::extend,       redis_lua::requeue,
    redis_lua::expire,       redis_lua::stats,       redis_lua::dead_letters, redis_lua::get,
    redis_lua::list,         redis_lua::replay,      redis_lua::purge,        redis_lua::migrate_v2,
    redis_lua::export_batch, redis_lua::import_batch};

// Deliveries removed per expire script call; migrated per migrate_v1 call.
constexpr std::size_t expire_batch = 1000;
constexpr std::size_t migrate_batch = 1000;
// lease() hands out at most this many per call, so that one script stays short.
constexpr std::size_t max_lease_count = 10000;

std::int64_t to_micros(TimePoint t) noexcept { return t.time_since_epoch().count(); }
TimePoint from_micros(std::int64_t us) noexcept { return TimePoint(std::chrono::microseconds(us)); }

// A time as 20 digits whose string order is its numeric order (negative times included).
std::string ordered(TimePoint t) {
  const std::uint64_t biased = static_cast<std::uint64_t>(to_micros(t)) ^ (std::uint64_t{1} << 63);
  char out[24];
  std::snprintf(out, sizeof out, "%020llu", static_cast<unsigned long long>(biased));
  return out;
}

// How ids are written in Redis: zero-padded, so sorted-set ties order by id.
std::string padded(DeliveryId id) {
  char out[24];
  std::snprintf(out, sizeof out, "%016lld", static_cast<long long>(id));
  return out;
}

Error storage_error(std::string message) {
  return inbox_error(ErrorCode::storage_unavailable, std::move(message));
}

using redis_detail::element;
using redis_detail::integer;
using redis_detail::Reply;
using redis_detail::text;

// A Delivery or DeadLetter from the columns the lease and dead-letter scripts both start with:
// id, attempt, stale, received-at, connector, owner, key, last error.

std::int64_t to_int(std::string_view s) noexcept {
  std::int64_t out = 0;
  bool negative = false;
  std::size_t i = 0;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    i = 1;
  }
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) out = out * 10 + (s[i] - '0');
  return negative ? -out : out;
}

Trigger parse_trigger(std::string_view s) noexcept {
  if (s == to_string(Trigger::updated)) return Trigger::updated;
  if (s == to_string(Trigger::deleted)) return Trigger::deleted;
  return Trigger::created;
}

// The refusal a script answered ('missing', 'acked', 'dead', 'wrong_token', 'expired').
std::optional<LeaseRefusal> parse_refusal(std::string_view s) noexcept {
  if (s == "missing") return LeaseRefusal::missing;
  if (s == "acked") return LeaseRefusal::acked;
  if (s == "dead") return LeaseRefusal::dead;
  if (s == "wrong_token") return LeaseRefusal::wrong_token;
  if (s == "expired") return LeaseRefusal::expired;
  return std::nullopt;
}

// A random 128-bit lease token, as 32 hex digits.
std::string new_token() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string token(32, '0');
  for (std::size_t half = 0; half < 2; ++half) {
    std::uint64_t bits = random();
    for (std::size_t i = 0; i < 16; ++i, bits >>= 4) token[half * 16 + i] = hex[bits & 0xF];
  }
  return token;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one URI component; false when an escape is malformed.
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool parse_number(std::string_view s, long long max, long long& out) noexcept {
  if (s.empty() || s.size() > 10) return false;
  out = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return out <= max;
}

Error uri_error(std::string why) {
  return inbox_error(ErrorCode::invalid_value,
                     "invalid Redis URI: " + std::move(why) +
                         " (expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?name=NAME] or "
                         "redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER_NAME[/DB][?name=NAME])");
}

// `HOST[:PORT]` or `[IPV6][:PORT]` into `out` (its port kept when none is written); the reason
// when malformed.
std::optional<std::string> parse_address(std::string_view hostport, RedisAddress& out) {
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return "an IPv6 host lacks its ']'";
    out.host = std::string(hostport.substr(1, close - 1));
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "unexpected text after the IPv6 host";
      port = after.substr(1);
      if (port.empty()) return "an empty port";
    }
  } else if (const std::size_t colon = hostport.find(':'); colon != std::string_view::npos) {
    out.host = std::string(hostport.substr(0, colon));
    port = hostport.substr(colon + 1);
    if (port.empty()) return "an empty port";
  } else {
    out.host = std::string(hostport);
  }
  if (out.host.empty()) return "no host";
  long long n = 0;
  if (!port.empty()) {
    if (!parse_number(port, 65535, n) || n == 0) return "the port is not 1-65535";
    out.port = static_cast<std::uint16_t>(n);
  }
  return std::nullopt;
}

// The part after the host(s) of both schemes: `/DB` and `?name=NAME`.
std::optional<std::string> parse_db_and_query(std::string_view db, std::string_view query,
                                              RedisEndpoint& ep) {
  long long n = 0;
  if (!db.empty()) {
    if (!parse_number(db, 1'000'000, n)) return "the database is not a number";
    ep.db = static_cast<int>(n);
  }
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (param.substr(0, 5) != "name=") {
      return "unknown parameter \"" + std::string(param.substr(0, param.find('='))) +
             "\" (only name= is known)";
    }
    if (!percent_decode(param.substr(5), ep.name)) return "a malformed %-escape in name";
    if (ep.name.empty() || ep.name.find_first_of("{}") != std::string::npos) {
      return "name must be non-empty and contain no '{' or '}' (it is the hash tag)";
    }
  }
  return std::nullopt;
}

// `HOST:PORT[,HOST:PORT...]/MASTER_NAME[/DB]` (after `redis-sentinel://`, before the query).
std::optional<std::string> parse_sentinel_part(std::string_view rest, RedisEndpoint& ep,
                                               std::string_view& db) {
  if (rest.find('@') != std::string_view::npos) {
    return "a redis-sentinel:// URI holds no password (give the data nodes' and the sentinels' "
           "in the endpoint, or with --redis-password-file and --sentinel-password-file)";
  }
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return "no /MASTER_NAME after the sentinels";
  std::string_view hosts = rest.substr(0, slash);
  std::string_view path = rest.substr(slash + 1);
  while (true) {
    const std::size_t comma = hosts.find(',');
    RedisAddress sentinel{"", 26379};
    if (auto why = parse_address(hosts.substr(0, comma), sentinel)) return "sentinel: " + *why;
    ep.sentinels.push_back(std::move(sentinel));
    if (comma == std::string_view::npos) break;
    hosts = hosts.substr(comma + 1);
  }
  const std::size_t db_slash = path.find('/');
  if (!percent_decode(path.substr(0, db_slash), ep.master_name) || ep.master_name.empty()) {
    return "no MASTER_NAME (or a malformed %-escape in it)";
  }
  db = db_slash == std::string_view::npos ? std::string_view{} : path.substr(db_slash + 1);
  return std::nullopt;
}

}  // namespace

std::string RedisAddress::describe() const {
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return shown + ':' + std::to_string(port);
}

std::string RedisEndpoint::describe() const {
  std::string out;
  if (sentinels.empty()) {
    out = "redis://" + RedisAddress{host, port}.describe();
  } else {
    out = "redis-sentinel://";
    for (const RedisAddress& s : sentinels)
      out += (&s == &sentinels.front() ? "" : ",") + s.describe();
    out += '/' + master_name;
  }
  out += '/' + std::to_string(db) + "?name=" + name;
  return out;
}

Result<RedisEndpoint> parse_redis_uri(std::string_view uri) {
  constexpr std::string_view scheme = "redis://";
  constexpr std::string_view sentinel_scheme = "redis-sentinel://";
  if (uri.substr(0, 9) == "rediss://") return uri_error("TLS (rediss://) is not supported");
  const bool sentinel = uri.substr(0, sentinel_scheme.size()) == sentinel_scheme;
  if (!sentinel && uri.substr(0, scheme.size()) != scheme) {
    return uri_error("it must start with redis:// or redis-sentinel://");
  }
  std::string_view rest = uri.substr(sentinel ? sentinel_scheme.size() : scheme.size());
  RedisEndpoint ep;
  std::string_view query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view db;
  if (sentinel) {
    if (auto why = parse_sentinel_part(rest, ep, db)) return uri_error(*why);
    if (auto why = parse_db_and_query(db, query, ep)) return uri_error(*why);
    return ep;
  }
  // The last '@' ends the user information: an unescaped '@' or '/' in a password still works.
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return uri_error("the user information must be :PASSWORD or USER:PASSWORD");
    }
    if (!percent_decode(userinfo.substr(0, colon), ep.user) ||
        !percent_decode(userinfo.substr(colon + 1), ep.password)) {
      return uri_error("a malformed %-escape in the user or password");
    }
  }
  std::string_view hostport = rest;
  if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    db = rest.substr(slash + 1);
  }
  RedisAddress address{"", ep.port};
  if (auto why = parse_address(hostport, address)) return uri_error(*why);
  ep.host = address.host;
  ep.port = address.port;
  if (auto why = parse_db_and_query(db, query, ep)) return uri_error(*why);
  return ep;
}

Result<std::string> read_redis_password_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return storage_error("cannot read the Redis password file " + path + ": " +
                         std::strerror(errno));
  }
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string RedisPersistence::describe() const {
  if (no_loss_after_ack()) {
    return "appendonly yes, appendfsync always: no acknowledged event is lost when Redis crashes";
  }
  if (!appendonly) {
    return "appendonly no: a crash of Redis loses every event since its last RDB snapshot "
           "(set appendonly yes and appendfsync always)";
  }
  if (appendfsync == "everysec") {
    return "appendonly yes, appendfsync everysec: a crash of Redis or of its machine can lose "
           "about the last second of acknowledged events (set appendfsync always)";
  }
  return "appendonly yes, appendfsync " + appendfsync +
         ": a crash of Redis's machine can lose acknowledged events the kernel had not yet "
         "written (set appendfsync always)";
}

struct RedisInbox::Impl {
  RedisEndpoint endpoint;
  RedisOptions options;
  std::string seq_key;  // KEYS[1] of every script
  std::array<std::string, script_count> shas;
  std::array<std::string, script_count> sources;

  std::mutex mutex;  // guards idle, the reconnection state and stopping
  struct Idle {
    redisContext* context;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<Idle> idle;
  std::chrono::steady_clock::time_point next_connect{};
  std::chrono::milliseconds connect_delay{0};
  std::string last_connect_error;

  std::condition_variable stop_signal;
  bool stopping = false;
  std::thread expirer;

  // ---- Failover (redis_sentinel.hpp): the primary in use and the pool's generation ----------
  std::unique_ptr<redis_detail::Sentinels> sentinels;  // with a redis-sentinel:// endpoint
  std::unique_ptr<redis_detail::SentinelWatch> watch;  // +switch-master → invalidate()
  std::string mark_key;                                // bumped before a duplicate's WAIT
  RedisAddress primary;                                // guarded by mutex
  std::uint64_t failovers = 0;                         // guarded by mutex
  std::uint64_t generation = 0;                        // guarded by mutex; invalidate() bumps it
  std::atomic<bool> opened{false};  // open() checked the layout: later connections check it too
  std::unordered_map<redisContext*, std::uint64_t> born;  // guarded by mutex: generations

  ~Impl() {
    watch.reset();  // its callback takes the mutex
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    stop_signal.notify_all();
    if (expirer.joinable()) expirer.join();
    for (const Idle& i : idle) redisFree(i.context);
  }

  // The primary changed (a failover): every pooled connection is closed, those in use are
  // closed when released, and the next operation asks the sentinels again, at once.
  void invalidate() {
    std::vector<Idle> dropped;
    {
      std::lock_guard<std::mutex> lock(mutex);
      ++generation;
      dropped.swap(idle);
      for (const Idle& i : dropped) born.erase(i.context);
      next_connect = {};
      connect_delay = std::chrono::milliseconds(0);
    }
    for (const Idle& i : dropped) redisFree(i.context);
  }

  // Closes a connection that is not in the pool.
  void discard(redisContext* c) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      born.erase(c);
    }
    redisFree(c);
  }

  // `-READONLY`: the node is no longer the primary (demoted by a failover); the script wrote
  // nothing there, so it may run again on the new primary.
  static bool demoted(const redisReply* r) noexcept {
    return r->type == REDIS_REPLY_ERROR && text(r).find("READONLY") != std::string_view::npos;
  }

  // The acknowledgement of RedisOptions::replicas: `WAIT` until that many replicas have every
  // write of this connection. A duplicate wrote nothing here: it first bumps a mark, so that
  // the WAIT covers the earlier copy too. The reason when they do not confirm in time.
  std::optional<std::string> confirm_replicas(redisContext* c, bool duplicate) {
    if (duplicate) {
      const Reply m = redis_detail::command(c, {"INCR", mark_key});
      if (!m) return std::string(c->errstr);
      if (m->type == REDIS_REPLY_ERROR) return std::string(text(m.get()));
    }
    const std::string wanted = std::to_string(options.replicas);
    const std::string timeout = std::to_string(options.replica_timeout.count());
    const Reply w = redis_detail::command(c, {"WAIT", wanted, timeout});
    if (!w) return std::string(c->errstr);
    if (w->type == REDIS_REPLY_ERROR) return "WAIT: " + std::string(text(w.get()));
    const std::int64_t confirmed = integer(w.get());
    if (confirmed >= static_cast<std::int64_t>(options.replicas)) return std::nullopt;
    return "only " + std::to_string(confirmed) + " of " + wanted +
           " replicas confirmed the write within " + timeout + " ms";
  }
  // ---- end of failover ---------------------------------------------------------------------

  // The scripts' optional `now`: the injected clock's time, or empty for the server's (TIME),
  // so that every client of one inbox judges leases by one clock.
  std::string now_arg() const {
    return options.inbox.clock ? std::to_string(to_micros(options.inbox.clock())) : std::string();
  }
  std::string retain_arg() const {
    return std::to_string(std::max<std::int64_t>(1000, options.inbox.retain.count()));
  }

  // The error for a lease a script refused (or an answer it should never give).
  Error refused(DeliveryId id, std::string_view answer, std::string_view operation) const {
    if (const std::optional<LeaseRefusal> why = parse_refusal(answer)) {
      return lease_refusal_error(*why, id, operation);
    }
    return unavailable(operation, "unexpected reply \"" + std::string(answer) + "\"");
  }

  // Checks the keyspace's layout version (open.lua): stamps a fresh one, migrates one written
  // by layout 1 (RedisOptions::migrate), refuses a newer one.
  Result<Done> check_layout() {
    Result<Reply> r = eval(script_open, "open", {std::to_string(redis_layout_version)});
    if (!r) return std::move(r).error();
    const std::string_view verdict = text(element(r->get(), 0));
    const std::string found(text(element(r->get(), 1)));
    if (verdict == "current") return Done{};
    // Layout 2 or later that lost its version key: the operator's indexes are rebuilt (adding
    // what is there already changes nothing), then it is stamped.
    if (verdict == "restamp") return migrate_from_v2();
    const std::string versions =
        "the Redis inbox " + endpoint.describe() + " has key layout " + found +
        "; this morph-webhook " MORPH_WEBHOOK_VERSION_STRING " uses layout " +
        std::to_string(redis_layout_version);
    if (verdict == "newer") {
      return inbox_error(ErrorCode::invalid_value,
                         versions + ", written by a newer morph-webhook: upgrade this one");
    }
    if (verdict != "migrate" || (found != "1" && found != "2")) {
      return unavailable("open", "unexpected reply");
    }
    if (!options.migrate) {
      return inbox_error(
          ErrorCode::invalid_value,
          versions +
              (found == "1" ? " (layout 1: morph-webhook before per-resource ordering); "
                            : " (layout 2: before the operator's indexes); ") +
              "stop every process of the previous version, then open it "
              "with migration on (the default) to migrate it");
    }
    if (found == "2") return migrate_from_v2();
    for (;;) {
      Result<Reply> step = eval(script_migrate_v1, "migrate from layout 1",
                                {std::to_string(migrate_batch), "2", now_arg()});
      if (!step) return std::move(step).error();
      if (text(element(step->get(), 0)) == "done") return migrate_from_v2();
    }
  }

  // Layout 2 → 3 (migrate_v2.lua): the operator's indexes, in batches of ids.
  Result<Done> migrate_from_v2() {
    std::string cursor = "0";
    for (;;) {
      Result<Reply> step =
          eval(script_migrate_v2, "migrate from layout 2",
               {cursor, std::to_string(migrate_batch), std::to_string(redis_layout_version)});
      if (!step) return std::move(step).error();
      cursor = std::string(text(element(step->get(), 1)));
      if (text(element(step->get(), 0)) == "done") return Done{};
    }
  }

  Error unavailable(std::string_view what, std::string_view why) const {
    std::string m = "Redis at " + endpoint.describe() + " unavailable";
    if (!what.empty()) {
      m += " (";
      m += what;
      m += ')';
    }
    m += ": ";
    m += why;
    return storage_error(std::move(m));
  }

  // Sends one command on `c`; nullptr (and `c->err` set) when the connection broke.
  static Reply command(redisContext* c, const std::vector<std::string_view>& args) {
    return redis_detail::command(c, args);
  }

  // A new connection: find the primary (asking the sentinels, if any), connect, AUTH, SELECT,
  // check its ROLE (Sentinel), load the scripts; report a change of primary.
  Result<redisContext*> connect() {
    std::uint64_t born_in = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      born_in = generation;
    }
    RedisAddress at{endpoint.host, endpoint.port};
    std::string failure;
    if (sentinels) {
      const std::optional<RedisAddress> named = sentinels->primary(failure);
      if (!named) return unavailable("asking the sentinels for the primary", failure);
      at = *named;
    }
    const std::string connecting = sentinels ? "connect to primary " + at.describe() : "connect";
    redisContext* c =
        redis_detail::open_connection(at.host, at.port, options.timeout, failure).release();
    if (c == nullptr) return unavailable(connecting, failure);
    const auto fail = [&](std::string reason) -> Result<redisContext*> {
      redisFree(c);
      return unavailable(connecting, reason);
    };
    const auto run = [&](std::vector<std::string_view> args, std::string_view what,
                         std::string* out) -> std::optional<std::string> {
      Reply r = command(c, args);
      if (!r) return std::string(c->errstr);
      // Redis's own messages (e.g. WRONGPASS) never repeat the password.
      if (r->type == REDIS_REPLY_ERROR)
        return std::string(what) + ": " + std::string(text(r.get()));
      if (out != nullptr) *out = std::string(text(r.get()));
      return std::nullopt;
    };
    if (!endpoint.password.empty()) {
      std::vector<std::string_view> auth{"AUTH"};
      if (!endpoint.user.empty()) auth.emplace_back(endpoint.user);
      auth.emplace_back(endpoint.password);
      if (auto why = run(auth, "AUTH", nullptr)) return fail(*why);
    }
    if (endpoint.db != 0) {
      const std::string db = std::to_string(endpoint.db);
      if (auto why = run({"SELECT", db}, "SELECT", nullptr)) return fail(*why);
    }
    if (sentinels) {
      if (auto not_primary = redis_detail::check_primary(c)) return fail(*not_primary);
    }
    for (std::size_t i = 0; i < script_count; ++i) {
      std::string sha;
      if (auto why = run({"SCRIPT", "LOAD", sources[i]}, "SCRIPT LOAD", &sha)) return fail(*why);
      std::lock_guard<std::mutex> lock(mutex);
      shas[i] = std::move(sha);
    }
    if (opened) {
      // A node reached after open() (a failover, a restart) may hold an emptied keyspace: it
      // is stamped before anything writes to it, or refused if it holds another layout.
      std::string sha;
      {
        std::lock_guard<std::mutex> lock(mutex);
        sha = shas[script_open];
      }
      const std::string version = std::to_string(redis_layout_version);
      Reply r = command(c, {"EVALSHA", sha, "1", seq_key, version});
      if (!r) return fail(c->errstr);
      if (r->type == REDIS_REPLY_ERROR) return fail("open: " + std::string(text(r.get())));
      if (text(element(r.get(), 0)) != "current") {
        return fail("its keyspace has key layout " + std::string(text(element(r.get(), 1))) +
                    ", not " + version + ": open the inbox anew to migrate or refuse it");
      }
    }
    std::optional<RedisPrimaryChange> change;
    {
      std::lock_guard<std::mutex> lock(mutex);
      born[c] = born_in;
      if (!(primary == at)) {
        if (!primary.host.empty()) change = RedisPrimaryChange{primary, at, ++failovers};
        primary = at;
      }
    }
    if (change && options.on_primary_change) options.on_primary_change(*change);
    return c;
  }

  // A connection from the pool, or a new one unless the reconnection backoff says wait. One
  // idle for a while is checked with PING first: Redis may have closed it (its `timeout`
  // setting, a restart), and the request that finds out should not be the one to fail.
  Result<redisContext*> acquire() {
    for (;;) {
      Idle reused{};
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (idle.empty()) {
          if (std::chrono::steady_clock::now() < next_connect) {
            return unavailable("reconnecting", last_connect_error);
          }
          break;
        }
        reused = idle.back();
        idle.pop_back();
      }
      if (std::chrono::steady_clock::now() - reused.since < options.idle_check) {
        return reused.context;
      }
      Reply pong = command(reused.context, {"PING"});
      if (pong && pong->type == REDIS_REPLY_STATUS) return reused.context;
      discard(reused.context);
    }
    Result<redisContext*> c = connect();
    std::lock_guard<std::mutex> lock(mutex);
    if (c) {
      connect_delay = std::chrono::milliseconds(0);
      next_connect = {};
    } else {
      connect_delay = std::min(options.max_reconnect_delay,
                               std::max(std::chrono::milliseconds(100), connect_delay * 2));
      next_connect = std::chrono::steady_clock::now() + connect_delay;
      last_connect_error = c.error().message;
    }
    return c;
  }

  void release(redisContext* c) {
    std::vector<Idle> dropped;
    {
      std::lock_guard<std::mutex> lock(mutex);
      const auto found = born.find(c);
      const bool current = found != born.end() && found->second == generation;
      if (c->err == 0 && current) {
        idle.push_back(Idle{c, std::chrono::steady_clock::now()});
        return;
      }
      if (found != born.end()) born.erase(found);
      // Broken: most likely the server went away, and with it every pooled connection. Drop
      // them all, so the next operations reconnect instead of each failing once. (Not current:
      // made before a failover, closed.)
      if (c->err != 0) {
        dropped.swap(idle);
        for (const Idle& i : dropped) born.erase(i.context);
      }
    }
    redisFree(c);
    for (const Idle& i : dropped) redisFree(i.context);
  }

  // What a failed script call may do again, once, on a fresh connection to the primary.
  enum class Retry {
    if_no_effect,  // only when it surely had no effect: `-READONLY` (a demoted primary)
    always,        // after a lost connection too: its effect is checked first (append's dedupe)
  };
  // Run on the script's connection after it succeeded (append's WAIT); the reason to fail.
  using After = std::function<std::optional<std::string>(redisContext*, const redisReply*)>;

  // Runs script `s` with `args` (ARGV). An error reply or a lost connection is
  // storage_unavailable; a script missing from the server's cache (it restarted) is sent whole.
  Result<Reply> eval(Script s, std::string_view what, const std::vector<std::string>& args,
                     Retry retry = Retry::if_no_effect, const After& after = {}) {
    for (int attempt = 0;; ++attempt) {
      Result<redisContext*> acquired = acquire();
      if (!acquired) return std::move(acquired).error();
      redisContext* c = *acquired;
      std::string sha;
      {
        std::lock_guard<std::mutex> lock(mutex);
        sha = shas[s];
      }
      std::vector<std::string_view> argv{"EVALSHA", sha, "1", seq_key};
      for (const std::string& a : args) argv.emplace_back(a);
      Reply r = command(c, argv);
      if (r && r->type == REDIS_REPLY_ERROR && text(r.get()).substr(0, 8) == "NOSCRIPT") {
        argv[0] = "EVAL";
        argv[1] = sources[s];
        r = command(c, argv);
      }
      if (!r) {
        Error e = unavailable(what, c->errstr);
        release(c);
        if (attempt == 0 && retry == Retry::always) continue;
        return e;
      }
      if (demoted(r.get())) {
        discard(c);
        invalidate();
        if (attempt == 0) continue;
        return unavailable(what, text(r.get()));
      }
      if (r->type != REDIS_REPLY_ERROR && after) {
        if (const std::optional<std::string> why = after(c, r.get())) {
          Error e = unavailable(what, *why);
          release(c);
          return e;
        }
      }
      release(c);
      if (r->type == REDIS_REPLY_ERROR) return unavailable(what, text(r.get()));
      return r;
    }
  }

  void expire_loop(RedisInbox& inbox) {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stop_signal.wait_for(lock, std::chrono::minutes(1), [&] { return stopping; })) {
      lock.unlock();
      (void)inbox.expire();  // a failure is retried at the next period
      lock.lock();
    }
  }
};

RedisInbox::RedisInbox(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
RedisInbox::~RedisInbox() = default;

Result<std::unique_ptr<RedisInbox>> RedisInbox::open(const RedisEndpoint& endpoint,
                                                     const RedisOptions& options) {
  if (endpoint.name.empty() || endpoint.name.find_first_of("{}") != std::string::npos) {
    return inbox_error(ErrorCode::invalid_value,
                       "the Redis inbox name must be non-empty and contain no '{' or '}'");
  }
  auto impl = std::make_unique<Impl>();
  impl->endpoint = endpoint;
  impl->options = options;
  impl->seq_key = "mw:{" + endpoint.name + "}:seq";
  impl->mark_key = "mw:{" + endpoint.name + "}:replication_mark";
  if (options.replicas > 0 &&
      impl->options.timeout < options.replica_timeout + std::chrono::seconds(1)) {
    impl->options.timeout =
        options.replica_timeout + std::chrono::seconds(1);  // WAIT must end before the read does
  }
  if (!endpoint.sentinels.empty()) {
    if (endpoint.master_name.empty()) {
      return inbox_error(ErrorCode::invalid_value, "Redis Sentinel needs the master name");
    }
    impl->sentinels = std::make_unique<redis_detail::Sentinels>(endpoint, impl->options.timeout);
  }
  for (std::size_t i = 0; i < script_count; ++i) {
    impl->sources[i] = std::string(redis_lua::common) + "\n" + std::string(script_bodies[i]);
  }
  Result<redisContext*> first = impl->connect();
  if (!first) return std::move(first).error();
  impl->release(*first);
  if (Result<Done> layout = impl->check_layout(); !layout) return std::move(layout).error();
  impl->opened = true;
  std::unique_ptr<RedisInbox> inbox(new RedisInbox(std::move(impl)));
  if (!endpoint.sentinels.empty()) {
    Impl* raw = inbox->impl_.get();
    raw->watch = std::make_unique<redis_detail::SentinelWatch>(endpoint, raw->options.timeout,
                                                               [raw] { raw->invalidate(); });
  }
  if (options.expire_in_background) {
    RedisInbox* raw = inbox.get();
    inbox->impl_->expirer = std::thread([raw] { raw->impl_->expire_loop(*raw); });
  }
  return inbox;
}

std::string RedisInbox::describe() const { return impl_->endpoint.describe(); }

const RedisOptions& RedisInbox::options() const noexcept { return impl_->options; }

RedisAddress RedisInbox::primary() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->primary;
}

std::uint64_t RedisInbox::failovers() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->failovers;
}

Result<RedisReplication> RedisInbox::replication() {
  Result<redisContext*> acquired = impl_->acquire();
  if (!acquired) return std::move(acquired).error();
  redisContext* c = *acquired;
  Reply r = Impl::command(c, {"INFO", "replication"});
  if (!r) {
    Error e = impl_->unavailable("INFO replication", c->errstr);
    impl_->release(c);
    return e;
  }
  impl_->release(c);
  if (r->type == REDIS_REPLY_ERROR) return impl_->unavailable("INFO replication", text(r.get()));
  Result<RedisReplication> parsed = parse_redis_replication_info(text(r.get()));
  if (!parsed) return impl_->unavailable("INFO replication", parsed.error().message);
  return parsed;
}

Result<RedisReplication> parse_redis_replication_info(std::string_view info) {
  RedisReplication out;
  while (!info.empty()) {
    const std::size_t end = info.find('\n');
    std::string_view line = info.substr(0, end);
    info = end == std::string_view::npos ? std::string_view{} : info.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = line.substr(colon + 1);
    if (name == "role") {
      out.role = std::string(value);
    } else if (name == "connected_slaves") {
      out.connected_replicas = static_cast<std::uint32_t>(std::max<std::int64_t>(0, to_int(value)));
    } else if (name == "min_slaves_good_slaves") {
      out.min_replicas_to_write = true;
    }
  }
  if (out.role.empty()) return storage_error("INFO replication has no role line");
  return out;
}

Result<Appended> RedisInbox::append(const Headers& h, std::string_view body,
                                    const EventFacts& event) {
  const InboxOptions& o = impl_->options.inbox;
  Result<Reply> r = impl_->eval(
      script_append, "append",
      {std::string(h.connector_id), std::string(h.owner_id), std::string(h.idempotency_key),
       std::string(body), o.dedupe_identical_bodies ? "1" : "0", std::string(event.model),
       std::string(event.id), std::to_string(to_micros(event.updated_at)),
       ordered(event.updated_at), std::string(to_string(event.trigger)), o.ordered ? "1" : "0",
       impl_->retain_arg(), impl_->now_arg()},
      Impl::Retry::always,
      impl_->options.replicas == 0 ? Impl::After{}
                                   : [this](redisContext* c, const redisReply* stored) {
                                       const bool duplicate =
                                           text(element(stored, 1)) == "duplicate";
                                       return impl_->confirm_replicas(c, duplicate);
                                     });
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  Appended out;
  out.delivery_id = integer(element(reply, 0));
  out.status = text(element(reply, 1)) == "stored" ? AppendStatus::stored : AppendStatus::duplicate;
  out.stale = text(element(reply, 2)) == "1";
  if (out.delivery_id <= 0) return impl_->unavailable("append", "unexpected reply");
  return out;
}

Result<std::vector<Delivery>> RedisInbox::lease(std::size_t max_count, InboxDuration lease_duration,
                                                const LeaseOptions& how) {
  max_count = std::min(max_count, max_lease_count);
  std::vector<std::string> args{std::to_string(max_count), std::to_string(lease_duration.count()),
                                std::to_string(impl_->options.inbox.max_attempts),
                                how.skip_superseded ? "1" : "0", impl_->now_arg()};
  for (std::size_t i = 0; i < max_count; ++i) args.push_back(new_token());
  Result<Reply> r = impl_->eval(script_lease, "lease", args);
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  const TimePoint expires = from_micros(integer(element(reply, 0)));
  const redisReply* rows = element(reply, 1);
  std::vector<Delivery> out;
  for (std::size_t i = 0; rows != nullptr && i < rows->elements; ++i) {
    const redisReply* row = rows->element[i];
    Delivery d;
    d.id = integer(element(row, 0));
    d.attempt = static_cast<std::uint32_t>(integer(element(row, 1)));
    d.stale = text(element(row, 2)) == "1";
    d.received_at = from_micros(integer(element(row, 3)));
    d.connector_id = std::string(text(element(row, 4)));
    d.owner_id = std::string(text(element(row, 5)));
    d.idempotency_key = std::string(text(element(row, 6)));
    d.last_error = std::string(text(element(row, 7)));
    d.body = std::string(text(element(row, 8)));
    d.model = std::string(text(element(row, 9)));
    d.resource_id = std::string(text(element(row, 10)));
    d.updated_at = from_micros(to_int(text(element(row, 11))));
    d.trigger = parse_trigger(text(element(row, 12)));
    d.superseded = text(element(row, 13)) == "1";
    d.lease_token = std::string(text(element(row, 14)));
    d.replays = static_cast<std::uint32_t>(to_int(text(element(row, 15))));
    d.lease_expires_at = expires;
    out.push_back(std::move(d));
  }
  const redisReply* missing = element(reply, 2);
  for (std::size_t i = 0; missing != nullptr && i < missing->elements; ++i) {
    if (impl_->options.on_missing) impl_->options.on_missing(integer(missing->element[i]));
  }
  return out;
}

Result<Done> RedisInbox::ack(DeliveryId id, std::string_view token) {
  Result<Reply> r = impl_->eval(
      script_ack, "ack", {padded(id), std::string(token), impl_->now_arg(), impl_->retain_arg()});
  if (!r) return std::move(r).error();
  const std::string_view answer = text(r->get());
  if (answer == "ok") return Done{};
  return impl_->refused(id, answer, "ack");
}

Result<Failed> RedisInbox::fail(DeliveryId id, std::string_view token, std::string_view reason,
                                const FailOptions& how) {
  const InboxOptions& o = impl_->options.inbox;
  std::vector<std::string> args{padded(id),
                                std::string(token),
                                std::string(reason),
                                std::to_string(o.max_attempts),
                                how.counts_as_attempt ? "1" : "0",
                                how.delay ? std::to_string(how.delay->count()) : std::string(),
                                impl_->now_arg()};
  // backoff_delay() for every attempt until it stops growing: the script picks by attempt.
  for (std::uint32_t attempt = 1; attempt <= std::max<std::uint32_t>(1, o.max_attempts);
       ++attempt) {
    const InboxDuration delay = backoff_delay(o, attempt);
    args.push_back(std::to_string(delay.count()));
    if (delay >= o.backoff_max) break;
  }
  Result<Reply> r = impl_->eval(script_fail, "fail", args);
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  if (reply->type != REDIS_REPLY_ARRAY) return impl_->refused(id, text(reply), "fail");
  Failed out;
  out.dead = text(element(reply, 0)) == "dead";
  if (!out.dead) out.retry_at = from_micros(integer(element(reply, 1)));
  return out;
}

Result<TimePoint> RedisInbox::extend(DeliveryId id, std::string_view token,
                                     InboxDuration duration) {
  Result<Reply> r = impl_->eval(
      script_extend, "extend",
      {padded(id), std::string(token), std::to_string(duration.count()), impl_->now_arg()});
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  if (reply->type != REDIS_REPLY_ARRAY) return impl_->refused(id, text(reply), "extend");
  return from_micros(integer(element(reply, 1)));
}

Result<RedisInboxStats> RedisInbox::redis_stats() {
  Result<Reply> r = impl_->eval(script_stats, "stats", {impl_->now_arg()});
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  const auto count = [&](std::size_t i) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, integer(element(reply, i))));
  };
  RedisInboxStats out;
  InboxStats& s = out.inbox;
  const TimePoint now = from_micros(integer(element(reply, 0)));
  s.ready = count(1);
  s.leased = count(2);
  s.delayed = count(3);
  s.dead = count(4);
  s.acked_retained = count(5);
  s.stale = count(6);
  s.blocked_resources = count(7);
  s.skipped_superseded = count(8);
  out.missing = count(9);
  if (!text(element(reply, 10)).empty()) {
    s.oldest_ready_age = now - from_micros(integer(element(reply, 10)));
  }
  return out;
}

Result<InboxStats> RedisInbox::stats() {
  Result<RedisInboxStats> s = redis_stats();
  if (!s) return std::move(s).error();
  return s->inbox;
}

Result<std::vector<DeadLetter>> RedisInbox::dead_letters(std::size_t max_count) {
  Result<Reply> r = impl_->eval(script_dead_letters, "dead_letters", {std::to_string(max_count)});
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  std::vector<DeadLetter> out;
  for (std::size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; ++i) {
    const redisReply* row = reply->element[i];
    DeadLetter d;
    d.id = integer(element(row, 0));
    d.attempts = static_cast<std::uint32_t>(integer(element(row, 1)));
    d.stale = text(element(row, 2)) == "1";
    d.received_at = from_micros(integer(element(row, 3)));
    d.connector_id = std::string(text(element(row, 4)));
    d.owner_id = std::string(text(element(row, 5)));
    d.idempotency_key = std::string(text(element(row, 6)));
    d.last_error = std::string(text(element(row, 7)));
    d.model = std::string(text(element(row, 8)));
    d.resource_id = std::string(text(element(row, 9)));
    d.updated_at = from_micros(to_int(text(element(row, 10))));
    d.trigger = parse_trigger(text(element(row, 11)));
    out.push_back(std::move(d));
  }
  return out;
}

Result<Done> RedisInbox::requeue(DeliveryId id) {
  Result<Reply> r =
      impl_->eval(script_requeue, "requeue",
                  {padded(id), impl_->options.inbox.ordered ? "1" : "0", impl_->now_arg()});
  if (!r) return std::move(r).error();
  if (text(r->get()) != "ok") {
    return inbox_error(ErrorCode::not_found,
                       "requeue of delivery " + std::to_string(id) + ": no such dead letter");
  }
  return Done{};
}

Result<std::uint64_t> RedisInbox::expire() {
  std::uint64_t removed = 0;
  // One bounded batch per script call, so a large backlog never blocks Redis for long.
  for (;;) {
    Result<Reply> r =
        impl_->eval(script_expire, "expire",
                    {impl_->retain_arg(), std::to_string(expire_batch), impl_->now_arg()});
    if (!r) return std::move(r).error();
    const auto n = static_cast<std::uint64_t>(integer(r->get()));
    removed += n;
    if (n < expire_batch) return removed;
  }
}

namespace {

// A DeliveryRecord from a row of record_of() (src/inbox/redis/common.lua).
DeliveryRecord record_from(const redisReply* row) {
  DeliveryRecord r;
  const auto field = [&](std::size_t i) { return text(element(row, i)); };
  r.id = integer(element(row, 0));
  r.state = delivery_state_named(field(1)).value_or(DeliveryState::ready);
  r.attempts = static_cast<std::uint32_t>(to_int(field(2)));
  r.stale = field(3) == "1";
  r.arrival_stale = field(4) == "1";
  r.superseded = field(5) == "1";
  r.waiting = field(6) == "1";
  r.blocked = field(7) == "1";
  r.replays = static_cast<std::uint32_t>(to_int(field(8)));
  r.received_at = from_micros(to_int(field(9)));
  if (!field(10).empty()) r.due_at = from_micros(to_int(field(10)));
  r.connector_id = std::string(field(11));
  r.owner_id = std::string(field(12));
  r.idempotency_key = std::string(field(13));
  r.model = std::string(field(14));
  r.resource_id = std::string(field(15));
  r.updated_at = from_micros(to_int(field(16)));
  r.trigger = parse_trigger(field(17));
  r.last_error = std::string(field(18));
  return r;
}

// Deliveries list.lua looks at per call: a few milliseconds of Redis's time.
constexpr std::size_t list_budget = 5000;
// Calls one list() makes before it returns a short page with a cursor.
constexpr int list_calls = 20;

std::string optional_micros(const std::optional<TimePoint>& t) {
  return t ? std::to_string(to_micros(*t)) : std::string();
}

}  // namespace

Result<DeliveryRecord> RedisInbox::get(DeliveryId id) {
  Result<Reply> r = impl_->eval(script_get, "get", {padded(id), impl_->now_arg()});
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  if (reply->type != REDIS_REPLY_ARRAY) {
    return inbox_error(ErrorCode::not_found, "no delivery " + std::to_string(id));
  }
  DeliveryRecord out = record_from(reply);
  out.body = std::string(text(element(reply, 20)));
  return out;
}

// One list.lua call; `state` is a DeliveryState name, "replayable" or "".
static Result<DeliveryPage> list_step(RedisInbox::Impl& impl, const DeliveryFilter& f,
                                      std::string_view state, std::size_t limit,
                                      const std::string& before) {
  Result<Reply> r =
      impl.eval(script_list, "list",
                {std::to_string(limit), before, std::to_string(list_budget), std::string(state),
                 f.connector_id, f.owner_id, f.model, f.resource_id, optional_micros(f.since),
                 optional_micros(f.until), f.stale ? "1" : "0", impl.now_arg()});
  if (!r) return std::move(r).error();
  const redisReply* rows = element(r->get(), 0);
  DeliveryPage page;
  for (std::size_t i = 0; rows != nullptr && i < rows->elements; ++i) {
    page.deliveries.push_back(record_from(rows->element[i]));
  }
  const std::string_view cursor = text(element(r->get(), 1));
  if (!cursor.empty()) page.next_before = to_int(cursor);
  return page;
}

Result<DeliveryPage> RedisInbox::list(const DeliveryFilter& filter, std::size_t limit,
                                      std::optional<DeliveryId> before) {
  DeliveryPage page;
  if (limit == 0) return page;
  const std::string state = filter.state ? std::string(to_string(*filter.state)) : std::string();
  std::optional<DeliveryId> cursor = before;
  for (int call = 0; call < list_calls; ++call) {
    Result<DeliveryPage> step = list_step(*impl_, filter, state, limit - page.deliveries.size(),
                                          cursor ? padded(*cursor) : std::string());
    if (!step) return step;
    for (DeliveryRecord& r : step->deliveries) page.deliveries.push_back(std::move(r));
    page.next_before = cursor = step->next_before;
    if (!cursor || page.deliveries.size() >= limit) break;
  }
  return page;
}

Result<std::uint64_t> RedisInbox::replay(const DeliveryFilter& filter, bool dry_run) {
  if (filter.state && *filter.state != DeliveryState::acked &&
      *filter.state != DeliveryState::dead) {
    return std::uint64_t{0};
  }
  const std::string state =
      filter.state ? std::string(to_string(*filter.state)) : std::string("replayable");
  std::vector<DeliveryId> ids;
  for (std::optional<DeliveryId> cursor;;) {
    Result<DeliveryPage> step =
        list_step(*impl_, filter, state, 1000, cursor ? padded(*cursor) : std::string());
    if (!step) return std::move(step).error();
    for (const DeliveryRecord& r : step->deliveries) ids.push_back(r.id);
    cursor = step->next_before;
    if (!cursor) break;
  }
  if (dry_run) return static_cast<std::uint64_t>(ids.size());
  std::sort(ids.begin(), ids.end());  // oldest first: a resource's replays keep their order
  std::uint64_t replayed = 0;
  for (std::size_t from = 0; from < ids.size(); from += 500) {
    std::vector<std::string> args{impl_->options.inbox.ordered ? "1" : "0", impl_->now_arg()};
    for (std::size_t i = from; i < std::min(ids.size(), from + 500); ++i) {
      args.push_back(padded(ids[i]));
    }
    Result<Reply> r = impl_->eval(script_replay, "replay", args);
    if (!r) return std::move(r).error();
    replayed += static_cast<std::uint64_t>(integer(r->get()));
  }
  return replayed;
}

Result<std::uint64_t> RedisInbox::purge_dead(std::optional<TimePoint> before) {
  std::uint64_t deleted = 0;
  for (std::string cursor;;) {
    Result<Reply> r = impl_->eval(script_purge, "purge", {optional_micros(before), cursor, "1000"});
    if (!r) return std::move(r).error();
    deleted += static_cast<std::uint64_t>(integer(element(r->get(), 0)));
    cursor = std::string(text(element(r->get(), 1)));
    if (cursor.empty()) return deleted;
  }
}

namespace {

// Splits a resource name written by encode() (LENGTH:BYTES,LENGTH:BYTES...) into its parts.
bool decode_parts(std::string_view text, std::vector<std::string>& parts) {
  parts.clear();
  while (!text.empty()) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    const auto length = static_cast<std::size_t>(to_int(text.substr(0, colon)));
    if (colon + 1 + length > text.size()) return false;
    parts.emplace_back(text.substr(colon + 1, length));
    text.remove_prefix(colon + 1 + length);
    if (!text.empty()) {
      if (text[0] != ',') return false;
      text.remove_prefix(1);
    }
  }
  return true;
}

// A time from 20 digits written by ordered().
TimePoint from_ordered(std::string_view digits) {
  const std::uint64_t biased = std::strtoull(std::string(digits).c_str(), nullptr, 10);
  return from_micros(static_cast<std::int64_t>(biased ^ (std::uint64_t{1} << 63)));
}

}  // namespace

Result<InboxBatch> RedisInbox::export_batch(const std::string& cursor) {
  InboxBatch batch;
  if (cursor.empty() || cursor.rfind("d:", 0) == 0) {
    const std::string after = cursor.empty() ? "0" : cursor.substr(2);
    Result<Reply> r = impl_->eval(script_export, "export", {after, "1000"});
    if (!r) return std::move(r).error();
    const redisReply* rows = element(r->get(), 0);
    for (std::size_t i = 0; rows != nullptr && i < rows->elements; ++i) {
      const redisReply* row = rows->element[i];
      const auto f = [&](std::size_t k) { return text(element(row, k)); };
      StoredDelivery d;
      DeliveryRecord& rec = d.record;
      rec.id = to_int(f(0));
      rec.connector_id = std::string(f(1));
      rec.owner_id = std::string(f(2));
      rec.idempotency_key = std::string(f(3));
      rec.body = std::string(f(4));
      rec.arrival_stale = f(5) == "1";
      rec.received_at = from_micros(to_int(f(6)));
      rec.waiting = f(7) == "waiting";
      rec.state = rec.waiting ? DeliveryState::ready
                              : delivery_state_named(f(7)).value_or(DeliveryState::ready);
      rec.attempts = static_cast<std::uint32_t>(to_int(f(8)));
      d.lease_token = std::string(f(9));
      d.available_at = from_micros(to_int(f(10)));
      rec.last_error = std::string(f(11));
      rec.model = std::string(f(12));
      rec.resource_id = std::string(f(13));
      rec.updated_at = from_micros(to_int(f(14)));
      rec.trigger = parse_trigger(f(15));
      d.ordered = f(16) == "1";
      rec.stale = f(17).empty() ? rec.arrival_stale : f(17) == "1";
      rec.superseded = f(18) == "1";
      rec.blocked = f(19) == "1";
      rec.replays = static_cast<std::uint32_t>(to_int(f(20)));
      d.position = f(21).empty() ? rec.id : to_int(f(21));
      batch.deliveries.push_back(std::move(d));
    }
    batch.cursor = text(element(r->get(), 2)) == "1"
                       ? "d:" + std::string(text(element(r->get(), 1)))
                       : std::string("r:0");
    return batch;
  }
  // The guards: SCAN over r:* (arrival) then a:* (acked).
  const bool arrival = cursor.rfind("r:", 0) == 0;
  const std::string prefix = "mw:{" + impl_->endpoint.name + "}:" + (arrival ? "r:" : "a:");
  Result<redisContext*> acquired = impl_->acquire();
  if (!acquired) return std::move(acquired).error();
  redisContext* c = *acquired;
  const auto fail = [&](std::string_view what) {
    Error e = impl_->unavailable(what, c->err != 0 ? c->errstr : "unexpected reply");
    impl_->release(c);
    return e;
  };
  Reply scan = Impl::command(c, {"SCAN", cursor.substr(2), "MATCH", prefix + "*", "COUNT", "1000"});
  if (!scan || scan->type != REDIS_REPLY_ARRAY) return fail("export (SCAN)");
  const std::string next(text(element(scan.get(), 0)));
  const redisReply* found = element(scan.get(), 1);
  const std::int64_t retain = impl_->options.inbox.retain.count();
  const TimePoint now = impl_->options.inbox.clock ? impl_->options.inbox.clock() : system_now();
  std::vector<std::string> parts;
  for (std::size_t i = 0; found != nullptr && i < found->elements; ++i) {
    const std::string key(text(found->element[i]));
    if (!decode_parts(std::string_view(key).substr(prefix.size()), parts) || parts.size() != 4) {
      continue;
    }
    StoredResource g;
    g.connector_id = parts[0];
    g.owner_id = parts[1];
    g.model = parts[2];
    g.resource_id = parts[3];
    Reply ttl = Impl::command(c, {"PTTL", key});
    if (!ttl) return fail("export (PTTL)");
    // Touched `retain` before it expires.
    g.touched_at = now + std::chrono::milliseconds(integer(ttl.get())) - InboxDuration(retain);
    if (arrival) {
      Reply v = Impl::command(c, {"GET", key});
      if (!v) return fail("export (GET)");
      const std::string_view value = text(v.get());
      if (value.size() < 22) continue;
      g.seen_updated_at = from_ordered(value.substr(0, 20));
      g.seen_deleted = value.substr(21) == "1";
    } else {
      Reply v = Impl::command(c, {"HMGET", key, "updated_at", "deleted", "delivery"});
      if (!v) return fail("export (HMGET)");
      if (text(element(v.get(), 0)).empty()) continue;
      g.acked_updated_at = from_micros(to_int(text(element(v.get(), 0))));
      g.acked_deleted = text(element(v.get(), 1)) == "1";
      g.acked_delivery = to_int(text(element(v.get(), 2)));
    }
    batch.resources.push_back(std::move(g));
  }
  impl_->release(c);
  if (next != "0") {
    batch.cursor = std::string(arrival ? "r:" : "a:") + next;
  } else if (arrival) {
    batch.cursor = "a:0";
  }
  return batch;
}

Result<Done> RedisInbox::import_batch(const InboxBatch& batch, std::uint64_t skipped_superseded) {
  // At most 200 deliveries or 1000 guards per script call.
  std::size_t d = 0;
  std::size_t g = 0;
  do {
    const std::size_t d_end = std::min(batch.deliveries.size(), d + 200);
    const std::size_t g_end =
        d_end < batch.deliveries.size() ? g : std::min(batch.resources.size(), g + 1000);
    std::vector<std::string> args{std::to_string(d_end - d), std::to_string(g_end - g),
                                  std::to_string(skipped_superseded), impl_->retain_arg(),
                                  impl_->now_arg()};
    for (; d < d_end; ++d) {
      const StoredDelivery& s = batch.deliveries[d];
      const DeliveryRecord& r = s.record;
      const std::string state =
          r.waiting ? std::string("waiting") : std::string(to_string(r.state));
      for (std::string v :
           {padded(r.id),
            r.connector_id,
            r.owner_id,
            r.idempotency_key,
            r.body,
            std::string(r.arrival_stale ? "1" : "0"),
            std::to_string(to_micros(r.received_at)),
            state,
            std::to_string(r.attempts),
            s.lease_token,
            std::to_string(to_micros(s.available_at)),
            r.last_error,
            r.model,
            r.resource_id,
            r.resource_id.empty() ? std::string() : std::to_string(to_micros(r.updated_at)),
            std::string(to_string(r.trigger)),
            std::string(s.ordered ? "1" : "0"),
            std::string(r.stale ? "1" : "0"),
            std::string(r.superseded ? "1" : "0"),
            std::string(r.blocked ? "1" : "0"),
            std::to_string(r.replays),
            std::to_string(s.position)}) {
        args.push_back(std::move(v));
      }
    }
    for (; g < g_end; ++g) {
      const StoredResource& s = batch.resources[g];
      for (std::string v :
           {s.connector_id, s.owner_id, s.model, s.resource_id,
            s.seen_updated_at ? ordered(*s.seen_updated_at) : std::string(),
            std::string(s.seen_deleted ? "1" : "0"),
            s.acked_updated_at ? std::to_string(to_micros(*s.acked_updated_at)) : std::string(),
            std::string(s.acked_deleted ? "1" : "0"), padded(s.acked_delivery),
            std::to_string(to_micros(s.touched_at))}) {
        args.push_back(std::move(v));
      }
    }
    Result<Reply> r = impl_->eval(script_import, "import", args);
    if (!r) return std::move(r).error();
  } while (d < batch.deliveries.size() || g < batch.resources.size());
  return Done{};
}

Result<bool> RedisInbox::is_empty() {
  Result<redisContext*> acquired = impl_->acquire();
  if (!acquired) return std::move(acquired).error();
  redisContext* c = *acquired;
  Reply r = Impl::command(c, {"EXISTS", impl_->seq_key});
  if (!r) {
    Error e = impl_->unavailable("EXISTS", c->errstr);
    impl_->release(c);
    return e;
  }
  impl_->release(c);
  return integer(r.get()) == 0;
}

Result<RedisMemory> RedisInbox::memory() {
  Result<redisContext*> acquired = impl_->acquire();
  if (!acquired) return std::move(acquired).error();
  redisContext* c = *acquired;
  Reply r = Impl::command(c, {"INFO", "memory"});
  if (!r) {
    Error e = impl_->unavailable("INFO memory", c->errstr);
    impl_->release(c);
    return e;
  }
  impl_->release(c);
  if (r->type == REDIS_REPLY_ERROR) return impl_->unavailable("INFO memory", text(r.get()));
  Result<RedisMemory> parsed = parse_redis_memory_info(text(r.get()));
  if (!parsed) return impl_->unavailable("INFO memory", parsed.error().message);
  return parsed;
}

Result<RedisMemory> parse_redis_memory_info(std::string_view info) {
  RedisMemory m;
  bool saw_maxmemory = false;
  bool saw_policy = false;
  while (!info.empty()) {
    const std::size_t end = info.find('\n');
    std::string_view line = info.substr(0, end);
    info = end == std::string_view::npos ? std::string_view{} : info.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = line.substr(colon + 1);
    if (name == "maxmemory") {
      m.maxmemory = static_cast<std::uint64_t>(std::max<std::int64_t>(0, to_int(value)));
      saw_maxmemory = true;
    } else if (name == "maxmemory_policy") {
      m.policy = std::string(value);
      saw_policy = true;
    }
  }
  if (!saw_maxmemory || !saw_policy) {
    return storage_error("INFO memory has no maxmemory or maxmemory_policy line");
  }
  return m;
}

std::string RedisMemory::describe() const {
  if (maxmemory == 0) return "maxmemory 0 (no limit): Redis never evicts the inbox's keys";
  const std::string limit =
      "maxmemory " + std::to_string(maxmemory) + " bytes, maxmemory-policy " + policy;
  if (!evicts()) {
    return limit + ": when full, Redis refuses writes (the receiver answers 503) and loses nothing";
  }
  return limit +
         ": when full, Redis evicts keys, losing events already answered 200 (set "
         "maxmemory-policy noeviction, or maxmemory 0)";
}

Result<RedisPersistence> RedisInbox::persistence() {
  Result<redisContext*> acquired = impl_->acquire();
  if (!acquired) return std::move(acquired).error();
  redisContext* c = *acquired;
  RedisPersistence p;
  for (const std::string_view name : {"appendonly", "appendfsync"}) {
    Reply r = Impl::command(c, {"CONFIG", "GET", name});
    if (!r) {
      Error e = impl_->unavailable("CONFIG GET", c->errstr);
      impl_->release(c);
      return e;
    }
    if (r->type == REDIS_REPLY_ERROR || element(r.get(), 1) == nullptr) {
      impl_->release(c);
      return impl_->unavailable("CONFIG GET", r->type == REDIS_REPLY_ERROR
                                                  ? text(r.get())
                                                  : std::string_view("no such setting"));
    }
    const std::string value(text(element(r.get(), 1)));
    if (name == "appendonly") {
      p.appendonly = value == "yes";
    } else {
      p.appendfsync = value;
    }
  }
  impl_->release(c);
  return p;
}

}  // namespace morph::webhook
