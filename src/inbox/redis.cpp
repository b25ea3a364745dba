// RedisInbox: every operation is one Lua script run with EVALSHA (see inbox/redis.hpp for the
// key layout). Times are microseconds since the epoch from the client's clock, passed to the
// scripts as decimal strings: Lua numbers are doubles, exact below 2^53 µs (the year 2255), and
// Lua prints them with 14 digits, so the scripts never turn a time back into a string
// themselves except through string.format('%.0f').
#include "morph/webhook/inbox/redis.hpp"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <array>
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
#include <utility>

namespace morph::webhook {
namespace {

// Helpers shared by every script. KEYS[1] is `mw:{NAME}:seq`; every other key shares its
// prefix (and so its hash tag and cluster slot).
constexpr std::string_view lua_prelude = R"lua(
local P = string.sub(KEYS[1], 1, -4)
local function enc(...)
  local out = {}
  for i, s in ipairs({...}) do out[i] = #s .. ':' .. s end
  return table.concat(out, ',')
end
-- Removes one delivery and every index entry that names it.
local function forget(id)
  local d = P .. 'd:' .. id
  local f = redis.call('HMGET', d, 'c', 'o', 'k', 'h')
  if f[1] then
    local kk = P .. 'k:' .. enc(f[1], f[2], f[3])
    if redis.call('GET', kk) == id then redis.call('DEL', kk) end
    redis.call('ZREM', P .. 'b:' .. enc(f[1], f[2], f[4]), id)
  end
  redis.call('DEL', d)
  for _, z in ipairs({'queue', 'leased', 'pending', 'acked', 'dead'}) do
    redis.call('ZREM', P .. z, id)
  end
  redis.call('SREM', P .. 'stale', id)
end
-- Why `token` is not a valid lease of `id` at `now`, or nil and the delivery's fields.
local function check(id, token, now)
  local f = redis.call('HMGET', P .. 'd:' .. id, 'state', 'token', 'avail', 'attempt', 'recv')
  if not f[1] then return 'missing' end
  if f[1] == '1' then return 'acked' end
  if f[1] == '2' then return 'dead' end
  if token == '' or f[2] ~= token then return 'token' end
  if tonumber(f[3]) <= tonumber(now) then return 'expired' end
  return nil, f
end
)lua";

// ARGV: connector, owner, key, body, dedupe bodies (0/1), model, resource id, updatedAt
// (20-digit ordered form), deleted (0/1), now, retention cutoff, retain in ms.
// Returns {id, 'stored'|'duplicate', stale '0'|'1'}.
constexpr std::string_view lua_append = R"lua(
local c, o, k, body = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cutoff = tonumber(ARGV[11])
-- The stale flag of delivery `id` if it still counts for dedupe; false when it is acked past
-- its retention (to be dropped); nil when it no longer exists.
local function counts(id)
  local f = redis.call('HMGET', P .. 'd:' .. id, 'state', 'recv', 'stale')
  if not f[1] then return nil end
  if f[1] == '1' and tonumber(f[2]) < cutoff then return false end
  return f[3]
end
local kk = P .. 'k:' .. enc(c, o, k)
local known = redis.call('GET', kk)
if known then
  local stale = counts(known)
  if stale then return {known, 'duplicate', stale} end
  if stale == false then forget(known) else redis.call('DEL', kk) end
end
local h = redis.sha1hex(body)
local bk = P .. 'b:' .. enc(c, o, h)
if ARGV[5] == '1' then
  -- Same hash: compare the bytes, so a collision never drops an event.
  for _, other in ipairs(redis.call('ZRANGE', bk, 0, -1)) do
    local f = redis.call('HMGET', P .. 'd:' .. other, 'state', 'recv', 'stale', 'body')
    if not f[1] then
      redis.call('ZREM', bk, other)
    elseif (f[1] ~= '1' or tonumber(f[2]) >= cutoff) and f[4] == body then
      return {other, 'duplicate', f[3]}
    end
  end
end
local stale = '0'
if ARGV[7] ~= '' then
  local rk = P .. 'r:' .. enc(c, o, ARGV[6], ARGV[7])
  local upd, del = ARGV[8], ARGV[9]
  local seen = redis.call('GET', rk)
  if seen then
    local seen_upd, seen_del = string.sub(seen, 1, 20), string.sub(seen, 22)
    if upd < seen_upd then
      stale = '1'
      upd, del = seen_upd, seen_del
    elseif upd == seen_upd and seen_del == '1' then
      del = '1'  -- an event as old as a delete never undoes it
    end
  end
  redis.call('SET', rk, upd .. ' ' .. del, 'PX', ARGV[12])
end
local id = string.format('%016d', redis.call('INCR', KEYS[1]))
local now = ARGV[10]
redis.call('HSET', P .. 'd:' .. id, 'c', c, 'o', o, 'k', k, 'body', body, 'h', h,
           'stale', stale, 'recv', now, 'state', '0', 'attempt', '0', 'token', '',
           'avail', now, 'err', '')
redis.call('SET', kk, id)
redis.call('ZADD', bk, 0, id)
redis.call('ZADD', P .. 'queue', now, id)
redis.call('ZADD', P .. 'pending', now, id)
if stale == '1' then redis.call('SADD', P .. 'stale', id) end
return {id, 'stored', stale}
)lua";

// ARGV: now, lease expiry, max attempts, max count, then one token per delivery.
// Returns one {id, attempt, stale, received, connector, owner, key, last error, body} each.
constexpr std::string_view lua_lease = R"lua(
local now, expires = ARGV[1], ARGV[2]
-- Expired leases go back to the queue, or die when that was the last attempt (a worker that
-- crashes on a delivery every time must not keep it forever).
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'leased', '-inf', now, 'LIMIT', 0, 1000)) do
  local d = P .. 'd:' .. id
  local f = redis.call('HMGET', d, 'attempt', 'avail')
  redis.call('ZREM', P .. 'leased', id)
  if tonumber(f[1]) >= tonumber(ARGV[3]) then
    redis.call('HSET', d, 'state', '2', 'token', '', 'err', 'the lease expired on the last attempt')
    redis.call('ZREM', P .. 'pending', id)
    redis.call('ZADD', P .. 'dead', 0, id)
  else
    redis.call('ZADD', P .. 'queue', f[2], id)
  end
end
local out = {}
local ready = redis.call('ZRANGEBYSCORE', P .. 'queue', '-inf', now, 'LIMIT', 0, ARGV[4])
for i, id in ipairs(ready) do
  local d = P .. 'd:' .. id
  local attempt = redis.call('HINCRBY', d, 'attempt', 1)
  redis.call('HSET', d, 'token', ARGV[4 + i], 'avail', expires)
  redis.call('ZREM', P .. 'queue', id)
  redis.call('ZADD', P .. 'leased', expires, id)
  local f = redis.call('HMGET', d, 'stale', 'recv', 'c', 'o', 'k', 'body', 'err')
  out[i] = {id, attempt, f[1], f[2], f[3], f[4], f[5], f[7], f[6]}
end
return out
)lua";

// ARGV: id, token, now. Returns 'ok' or why not (see check()).
constexpr std::string_view lua_ack = R"lua(
local id = ARGV[1]
local why, f = check(id, ARGV[2], ARGV[3])
if why then return why end
redis.call('HSET', P .. 'd:' .. id, 'state', '1', 'token', '')
redis.call('ZREM', P .. 'leased', id)
redis.call('ZREM', P .. 'pending', id)
redis.call('SREM', P .. 'stale', id)
redis.call('ZADD', P .. 'acked', f[5], id)
return 'ok'
)lua";

// ARGV: id, token, now, reason, max attempts, then the backoff delay after attempt 1, 2, ...
// (the last one repeats). Returns {'retry', retry_at} or {'dead', ''} or why not.
constexpr std::string_view lua_fail = R"lua(
local id, now = ARGV[1], ARGV[3]
local why, f = check(id, ARGV[2], now)
if why then return why end
local d = P .. 'd:' .. id
local attempt = tonumber(f[4])
redis.call('ZREM', P .. 'leased', id)
if attempt >= tonumber(ARGV[5]) then
  redis.call('HSET', d, 'state', '2', 'token', '', 'err', ARGV[4])
  redis.call('ZREM', P .. 'pending', id)
  redis.call('ZADD', P .. 'dead', 0, id)
  return {'dead', ''}
end
local delay = ARGV[5 + math.min(attempt, #ARGV - 5)]
local at = string.format('%.0f', tonumber(now) + tonumber(delay))
redis.call('HSET', d, 'token', '', 'err', ARGV[4], 'avail', at)
redis.call('ZADD', P .. 'queue', at, id)
return {'retry', at}
)lua";

// ARGV: id, token, now, new expiry. Returns 'ok' or why not.
constexpr std::string_view lua_extend = R"lua(
local id = ARGV[1]
local why = check(id, ARGV[2], ARGV[3])
if why then return why end
redis.call('HSET', P .. 'd:' .. id, 'avail', ARGV[4])
redis.call('ZADD', P .. 'leased', ARGV[4], id)
return 'ok'
)lua";

// ARGV: now. Returns {ready, leased, delayed, dead, acked, stale, oldest ready received-at or ''}.
constexpr std::string_view lua_stats = R"lua(
local now = ARGV[1]
local above = '(' .. now
local ready = redis.call('ZCOUNT', P .. 'queue', '-inf', now) +
              redis.call('ZCOUNT', P .. 'leased', '-inf', now)
local oldest = ''
-- The oldest pending delivery that is ready (its lease, if any, expired).
local start = 0
while oldest == '' do
  local page = redis.call('ZRANGE', P .. 'pending', start, start + 99)
  if #page == 0 then break end
  for _, id in ipairs(page) do
    local at = redis.call('ZSCORE', P .. 'queue', id) or redis.call('ZSCORE', P .. 'leased', id)
    if at and tonumber(at) <= tonumber(now) then
      oldest = redis.call('HGET', P .. 'd:' .. id, 'recv')
      break
    end
  end
  start = start + 100
end
return {ready, redis.call('ZCOUNT', P .. 'leased', above, '+inf'),
        redis.call('ZCOUNT', P .. 'queue', above, '+inf'), redis.call('ZCARD', P .. 'dead'),
        redis.call('ZCARD', P .. 'acked'), redis.call('SCARD', P .. 'stale'), oldest}
)lua";

// ARGV: max count. Returns one {id, attempts, stale, received, connector, owner, key, error}
// per dead letter, oldest first.
constexpr std::string_view lua_dead = R"lua(
local out = {}
for i, id in ipairs(redis.call('ZRANGE', P .. 'dead', 0, tonumber(ARGV[1]) - 1)) do
  local f = redis.call('HMGET', P .. 'd:' .. id, 'attempt', 'stale', 'recv', 'c', 'o', 'k', 'err')
  out[i] = {id, f[1], f[2], f[3], f[4], f[5], f[6], f[7]}
end
return out
)lua";

// ARGV: id, now. Returns 'ok' or 'missing' (not a dead letter).
constexpr std::string_view lua_requeue = R"lua(
local id, now = ARGV[1], ARGV[2]
local d = P .. 'd:' .. id
if redis.call('HGET', d, 'state') ~= '2' then return 'missing' end
redis.call('HSET', d, 'state', '0', 'attempt', '0', 'token', '', 'avail', now)
redis.call('ZREM', P .. 'dead', id)
redis.call('ZADD', P .. 'queue', now, id)
redis.call('ZADD', P .. 'pending', redis.call('HGET', d, 'recv'), id)
return 'ok'
)lua";

// ARGV: retention cutoff, batch size. Removes up to one batch of acked deliveries received
// before the cutoff; returns how many.
constexpr std::string_view lua_expire = R"lua(
local ids = redis.call('ZRANGEBYSCORE', P .. 'acked', '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(ids) do forget(id) end
return #ids
)lua";

enum Script : std::size_t {
  script_append,
  script_lease,
  script_ack,
  script_fail,
  script_extend,
  script_stats,
  script_dead,
  script_requeue,
  script_expire,
  script_count
};
constexpr std::array<std::string_view, script_count> script_bodies = {
    lua_append, lua_lease, lua_ack,     lua_fail,  lua_extend,
    lua_stats,  lua_dead,  lua_requeue, lua_expire};

constexpr std::size_t expire_batch = 1000;

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

// Blocks SIGPIPE in this thread while it lives and discards one raised meanwhile: hiredis
// writes with write(), and a write to a connection Redis closed must fail with EPIPE, not kill
// the process (a library must not change the process's signal handling for this).
class SigpipeBlock {
 public:
  SigpipeBlock() noexcept {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec none{};
        while (sigtimedwait(&pipe_, nullptr, &none) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

// A reply owned by its holder.
struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

std::string_view text(const redisReply* r) noexcept {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS &&
                       r->type != REDIS_REPLY_ERROR)) {
    return {};
  }
  return {r->str, r->len};
}

std::int64_t integer(const redisReply* r) noexcept {
  if (r == nullptr) return 0;
  if (r->type == REDIS_REPLY_INTEGER) return static_cast<std::int64_t>(r->integer);
  const std::string s(text(r));
  return std::strtoll(s.c_str(), nullptr, 10);
}

const redisReply* element(const redisReply* r, std::size_t i) noexcept {
  return r != nullptr && r->type == REDIS_REPLY_ARRAY && i < r->elements ? r->element[i] : nullptr;
}

// A Delivery or DeadLetter from the columns the lease and dead-letter scripts both start with:
// id, attempt, stale, received-at, connector, owner, key, last error.
template <class Row>
Row read_row(const redisReply* row, std::uint32_t Row::*attempts) {
  Row d;
  d.id = integer(element(row, 0));
  d.*attempts = static_cast<std::uint32_t>(integer(element(row, 1)));
  d.stale = text(element(row, 2)) == "1";
  d.received_at = from_micros(integer(element(row, 3)));
  d.connector_id = std::string(text(element(row, 4)));
  d.owner_id = std::string(text(element(row, 5)));
  d.idempotency_key = std::string(text(element(row, 6)));
  d.last_error = std::string(text(element(row, 7)));
  return d;
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
                         " (expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?name=NAME])");
}

}  // namespace

std::string RedisEndpoint::describe() const {
  std::string out = "redis://";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out += ':' + std::to_string(port) + '/' + std::to_string(db) + "?name=" + name;
  return out;
}

Result<RedisEndpoint> parse_redis_uri(std::string_view uri) {
  constexpr std::string_view scheme = "redis://";
  if (uri.substr(0, 9) == "rediss://") return uri_error("TLS (rediss://) is not supported");
  if (uri.substr(0, scheme.size()) != scheme) return uri_error("it must start with redis://");
  std::string_view rest = uri.substr(scheme.size());
  RedisEndpoint ep;
  std::string_view query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
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
  std::string_view db;
  if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    db = rest.substr(slash + 1);
  }
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return uri_error("an IPv6 host lacks its ']'");
    ep.host = std::string(hostport.substr(1, close - 1));
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return uri_error("unexpected text after the IPv6 host");
      port = after.substr(1);
      if (port.empty()) return uri_error("an empty port");
    }
  } else if (const std::size_t colon = hostport.find(':'); colon != std::string_view::npos) {
    ep.host = std::string(hostport.substr(0, colon));
    port = hostport.substr(colon + 1);
    if (port.empty()) return uri_error("an empty port");
  } else {
    ep.host = std::string(hostport);
  }
  if (ep.host.empty()) return uri_error("no host");
  long long n = 0;
  if (!port.empty()) {
    if (!parse_number(port, 65535, n) || n == 0) return uri_error("the port is not 1-65535");
    ep.port = static_cast<std::uint16_t>(n);
  }
  if (!db.empty()) {
    if (!parse_number(db, 1'000'000, n)) return uri_error("the database is not a number");
    ep.db = static_cast<int>(n);
  }
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (param.substr(0, 5) != "name=") {
      return uri_error("unknown parameter \"" + std::string(param.substr(0, param.find('='))) +
                       "\" (only name= is known)");
    }
    if (!percent_decode(param.substr(5), ep.name)) return uri_error("a malformed %-escape in name");
    if (ep.name.empty() || ep.name.find_first_of("{}") != std::string::npos) {
      return uri_error("name must be non-empty and contain no '{' or '}' (it is the hash tag)");
    }
  }
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

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    stop_signal.notify_all();
    if (expirer.joinable()) expirer.join();
    for (const Idle& i : idle) redisFree(i.context);
  }

  TimePoint now() const { return options.inbox.clock ? options.inbox.clock() : system_now(); }

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
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const std::string_view a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    const SigpipeBlock no_sigpipe;
    return Reply(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
  }

  // A new connection: connect, AUTH, SELECT, load the scripts.
  Result<redisContext*> connect() {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(options.timeout.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((options.timeout.count() % 1000) * 1000);
    redisContext* c = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv);
    if (c == nullptr) return unavailable("connect", "out of memory");
    const auto fail = [&](std::string why) -> Result<redisContext*> {
      redisFree(c);
      return unavailable("connect", why);
    };
    if (c->err != 0) return fail(c->errstr);
    if (redisSetTimeout(c, tv) != REDIS_OK || redisEnableKeepAlive(c) != REDIS_OK) {
      return fail(c->errstr);
    }
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
    for (std::size_t i = 0; i < script_count; ++i) {
      std::string sha;
      if (auto why = run({"SCRIPT", "LOAD", sources[i]}, "SCRIPT LOAD", &sha)) return fail(*why);
      std::lock_guard<std::mutex> lock(mutex);
      shas[i] = std::move(sha);
    }
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
      redisFree(reused.context);
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
      if (c->err == 0) {
        idle.push_back(Idle{c, std::chrono::steady_clock::now()});
        return;
      }
      // Broken: most likely the server went away, and with it every pooled connection. Drop
      // them all, so the next operations reconnect instead of each failing once.
      dropped.swap(idle);
    }
    redisFree(c);
    for (const Idle& i : dropped) redisFree(i.context);
  }

  // Runs script `s` with `args` (ARGV). An error reply or a lost connection is
  // storage_unavailable; a script missing from the server's cache (it restarted) is sent whole.
  Result<Reply> eval(Script s, std::string_view what, const std::vector<std::string>& args) {
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
      return e;
    }
    release(c);
    if (r->type == REDIS_REPLY_ERROR) return unavailable(what, text(r.get()));
    return r;
  }

  // The error for a lease check that failed with `why` (see check() in the scripts).
  static Error lease_problem(DeliveryId id, std::string_view why, std::string_view operation) {
    std::string m(operation);
    m += " of delivery " + std::to_string(id);
    if (why == "missing") {
      m += ": no such delivery";
      return inbox_error(ErrorCode::not_found, std::move(m));
    }
    if (why == "acked") {
      m += " refused: it is already acked";
    } else if (why == "dead") {
      m += " refused: it is a dead letter";
    } else if (why == "token") {
      m += " refused: the lease token is not its current lease (another worker holds it, or it"
           " was released)";
    } else if (why == "expired") {
      m += " refused: the lease expired; another worker may have it now";
    } else {
      m += " refused: ";
      m += why;
    }
    return inbox_error(ErrorCode::lease_lost, std::move(m));
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
  for (std::size_t i = 0; i < script_count; ++i) {
    impl->sources[i] = std::string(lua_prelude) + std::string(script_bodies[i]);
  }
  Result<redisContext*> first = impl->connect();
  if (!first) return std::move(first).error();
  impl->release(*first);
  std::unique_ptr<RedisInbox> inbox(new RedisInbox(std::move(impl)));
  if (options.expire_in_background) {
    RedisInbox* raw = inbox.get();
    inbox->impl_->expirer = std::thread([raw] { raw->impl_->expire_loop(*raw); });
  }
  return inbox;
}

std::string RedisInbox::describe() const { return impl_->endpoint.describe(); }

Result<Appended> RedisInbox::append(const Headers& h, std::string_view body,
                                    const EventFacts& event) {
  const TimePoint now = impl_->now();
  const InboxOptions& o = impl_->options.inbox;
  const auto retain_ms = std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::milliseconds>(o.retain).count());
  Result<Reply> r = impl_->eval(
      script_append, "append",
      {std::string(h.connector_id), std::string(h.owner_id), std::string(h.idempotency_key),
       std::string(body), o.dedupe_identical_bodies ? "1" : "0", std::string(event.model),
       std::string(event.id), ordered(event.updated_at),
       event.trigger == Trigger::deleted ? "1" : "0", std::to_string(to_micros(now)),
       std::to_string(to_micros(now - o.retain)), std::to_string(retain_ms)});
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
  if (how.skip_superseded) {
    return inbox_error(ErrorCode::storage_unavailable,
                       "lease() with skip_superseded is not implemented by the Redis inbox yet");
  }
  max_count = std::min<std::size_t>(max_count, 10000);  // one script must stay short
  const TimePoint now = impl_->now();
  const TimePoint expires = now + lease_duration;
  std::vector<std::string> args{std::to_string(to_micros(now)), std::to_string(to_micros(expires)),
                                std::to_string(impl_->options.inbox.max_attempts),
                                std::to_string(max_count)};
  for (std::size_t i = 0; i < max_count; ++i) args.push_back(new_token());
  Result<Reply> r = impl_->eval(script_lease, "lease", args);
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  std::vector<Delivery> out;
  for (std::size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; ++i) {
    const redisReply* row = reply->element[i];
    Delivery d = read_row(row, &Delivery::attempt);
    d.body = std::string(text(element(row, 8)));
    d.lease_token = args[4 + i];
    d.lease_expires_at = expires;
    out.push_back(std::move(d));
  }
  return out;
}

Result<Done> RedisInbox::ack(DeliveryId id, std::string_view token) {
  Result<Reply> r = impl_->eval(
      script_ack, "ack", {padded(id), std::string(token), std::to_string(to_micros(impl_->now()))});
  if (!r) return std::move(r).error();
  const std::string_view why = text(r->get());
  if (why != "ok") return Impl::lease_problem(id, why, "ack");
  return Done{};
}

Result<Failed> RedisInbox::fail(DeliveryId id, std::string_view token, std::string_view reason,
                                const FailOptions& how) {
  if (how.delay || !how.counts_as_attempt) {
    return inbox_error(ErrorCode::storage_unavailable,
                       "fail() with FailOptions is not implemented by the Redis inbox yet");
  }
  const InboxOptions& o = impl_->options.inbox;
  std::vector<std::string> args{padded(id), std::string(token),
                                std::to_string(to_micros(impl_->now())), std::string(reason),
                                std::to_string(o.max_attempts)};
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
  if (reply->type != REDIS_REPLY_ARRAY) return Impl::lease_problem(id, text(reply), "fail");
  Failed out;
  out.dead = text(element(reply, 0)) == "dead";
  if (!out.dead) out.retry_at = from_micros(integer(element(reply, 1)));
  return out;
}

Result<TimePoint> RedisInbox::extend(DeliveryId id, std::string_view token,
                                     InboxDuration duration) {
  const TimePoint now = impl_->now();
  const TimePoint expires = now + duration;
  Result<Reply> r = impl_->eval(script_extend, "extend",
                                {padded(id), std::string(token), std::to_string(to_micros(now)),
                                 std::to_string(to_micros(expires))});
  if (!r) return std::move(r).error();
  const std::string_view why = text(r->get());
  if (why != "ok") return Impl::lease_problem(id, why, "extend");
  return expires;
}

Result<InboxStats> RedisInbox::stats() {
  const TimePoint now = impl_->now();
  Result<Reply> r = impl_->eval(script_stats, "stats", {std::to_string(to_micros(now))});
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  const auto count = [&](std::size_t i) {
    return static_cast<std::uint64_t>(integer(element(reply, i)));
  };
  InboxStats s;
  s.ready = count(0);
  s.leased = count(1);
  s.delayed = count(2);
  s.dead = count(3);
  s.acked_retained = count(4);
  s.stale = count(5);
  if (!text(element(reply, 6)).empty()) {
    s.oldest_ready_age = now - from_micros(integer(element(reply, 6)));
  }
  return s;
}

Result<std::vector<DeadLetter>> RedisInbox::dead_letters(std::size_t max_count) {
  Result<Reply> r = impl_->eval(script_dead, "dead_letters", {std::to_string(max_count)});
  if (!r) return std::move(r).error();
  const redisReply* reply = r->get();
  std::vector<DeadLetter> out;
  for (std::size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; ++i) {
    const redisReply* row = reply->element[i];
    out.push_back(read_row(row, &DeadLetter::attempts));
  }
  return out;
}

Result<Done> RedisInbox::requeue(DeliveryId id) {
  Result<Reply> r =
      impl_->eval(script_requeue, "requeue", {padded(id), std::to_string(to_micros(impl_->now()))});
  if (!r) return std::move(r).error();
  if (text(r->get()) != "ok") {
    return inbox_error(ErrorCode::not_found,
                       "requeue of delivery " + std::to_string(id) + ": it is not a dead letter");
  }
  return Done{};
}

Result<std::uint64_t> RedisInbox::expire() {
  const std::string cutoff = std::to_string(to_micros(impl_->now() - impl_->options.inbox.retain));
  std::uint64_t removed = 0;
  // One bounded batch per script call, so a large backlog never blocks Redis for long.
  for (;;) {
    Result<Reply> r = impl_->eval(script_expire, "expire", {cutoff, std::to_string(expire_batch)});
    if (!r) return std::move(r).error();
    const auto n = static_cast<std::uint64_t>(integer(r->get()));
    removed += n;
    if (n < expire_batch) return removed;
  }
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
