/// @file inbox_uri.hpp
/// @brief `--inbox URI` → an open Inbox. One function per backend; a new backend is a new
/// branch in open_inbox().
///
/// | URI | backend |
/// |-----|---------|
/// | `sqlite:PATH[?PARAM=VALUE&...]` | SqliteInbox on the file PATH (created 0600 when missing) |
/// | `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?name=NAME&PARAM=VALUE...]` | RedisInbox (when
/// built with hiredis) |
/// | `redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER[/DB][?name=NAME&PARAM=VALUE...]` |
/// RedisInbox on the primary the sentinels name, following failovers |
///
/// SQLite parameters: `retain=DURATION` (dedupe window and how long acked deliveries are kept,
/// default 72h), `max_attempts=N` (10), `backoff=DURATION` (first retry delay, 5s),
/// `commit=group|each` (group commit, the default, or one transaction and fsync per operation:
/// for comparisons only), `max_bytes=N` (largest file size; beyond it appends fail as on a full
/// disk: for tests and quotas).
///
/// Redis parameters: `name=NAME` (the inbox name, the hash tag of its keys, default `morph`),
/// `replicas=N` (an append is answered only once N replicas have it: RedisOptions::replicas),
/// `replica_timeout=DURATION` (how long to wait for them, default 1s), and `retain`,
/// `max_attempts`, `backoff` as for SQLite. `redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER[/DB]`
/// takes the same parameters; the sentinels' own password comes from
/// `--sentinel-password-file` (docs/redis-failover.md). The password is better given with
/// `--redis-password-file` (set_redis_password_file()) than in the URI, which `ps` shows; error
/// messages never repeat a Redis URI, which may hold it.
#ifndef MORPH_WEBHOOK_CLI_INBOX_URI_HPP
#define MORPH_WEBHOOK_CLI_INBOX_URI_HPP

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/duration.hpp"
#include "morph/webhook/inbox.hpp"
#include "morph/webhook/inbox/sqlite.hpp"
#if defined(MORPH_WEBHOOK_CLI_REDIS)
#include "morph/webhook/inbox/redis.hpp"
#endif

namespace morph::webhook::cli {

/// The default `--inbox`.
inline constexpr std::string_view default_inbox_uri = "sqlite:morph-inbox.db";

/// The file `--redis-password-file` named (empty: none); set once before any open_inbox().
[[nodiscard]] inline std::string& redis_password_file() {
  static std::string path;
  return path;
}

/// The file `--sentinel-password-file` named (empty: none); set once before any open_inbox().
[[nodiscard]] inline std::string& sentinel_password_file() {
  static std::string path;
  return path;
}

#if defined(MORPH_WEBHOOK_CLI_REDIS)
/// Called when a Redis inbox opened later changes primary (a failover); set once before any
/// open_inbox() (serve logs it).
[[nodiscard]] inline std::function<void(const RedisPrimaryChange&)>& redis_primary_change() {
  static std::function<void(const RedisPrimaryChange&)> hook;
  return hook;
}
#endif

namespace detail {

[[nodiscard]] inline Error uri_error(std::string_view uri, std::string_view why) {
  std::string message = "bad inbox URI '";
  message += uri;
  message += "': ";
  message += why;
  return inbox_error(ErrorCode::storage_unavailable, std::move(message));
}

[[nodiscard]] inline bool parse_count(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  out = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

/// Applies one `name=value` of a `sqlite:` URI to `options`; false when unknown or malformed.
[[nodiscard]] inline bool apply_sqlite_parameter(std::string_view name, std::string_view value,
                                                 SqliteOptions& options) {
  std::uint64_t n = 0;
  if (name == "retain" || name == "backoff") {
    const auto d = parse_duration(value);
    if (!d || d->count() == 0) return false;
    (name == "retain" ? options.inbox.retain : options.inbox.backoff_initial) = *d;
    return true;
  }
  if (name == "max_attempts") {
    if (!parse_count(value, n) || n == 0 || n > 1000000) return false;
    options.inbox.max_attempts = static_cast<std::uint32_t>(n);
    return true;
  }
  if (name == "max_bytes") {
    if (!parse_count(value, n)) return false;
    options.max_bytes = n;
    return true;
  }
  if (name == "commit") {
    if (value != "group" && value != "each") return false;
    options.group_commit = value == "group";
    return true;
  }
  return false;
}

[[nodiscard]] inline Result<std::unique_ptr<Inbox>> open_sqlite(std::string_view uri,
                                                                std::string_view rest) {
  const std::size_t query = rest.find('?');
  const std::string path(rest.substr(0, query));
  if (path.empty()) return uri_error(uri, "no file name after 'sqlite:'");
  SqliteOptions options;
  std::string_view params = query == std::string_view::npos ? "" : rest.substr(query + 1);
  while (!params.empty()) {
    const std::size_t amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    params = amp == std::string_view::npos ? "" : params.substr(amp + 1);
    const std::size_t eq = param.find('=');
    if (eq == std::string_view::npos ||
        !apply_sqlite_parameter(param.substr(0, eq), param.substr(eq + 1), options)) {
      return uri_error(uri, "unknown or malformed parameter '" + std::string(param) +
                                "' (known: retain, max_attempts, backoff, commit, max_bytes)");
    }
  }
  Result<std::unique_ptr<SqliteInbox>> opened = SqliteInbox::open(path, options);
  if (!opened) return std::move(opened).error();
  return std::unique_ptr<Inbox>(std::move(*opened));
}

#if defined(MORPH_WEBHOOK_CLI_REDIS)
/// A `redis://` or `redis-sentinel://` URI: `name=` goes to parse_redis_uri(), `replicas=` and
/// `replica_timeout=` to RedisOptions, the other parameters are the inbox options SQLite takes
/// too. Messages never contain the URI (it may hold the password).
[[nodiscard]] inline Result<std::unique_ptr<Inbox>> open_redis(std::string_view uri) {
  const auto bad = [](std::string_view why) {
    return inbox_error(ErrorCode::storage_unavailable, "bad inbox URI: " + std::string(why));
  };
  const std::size_t query = uri.find('?');
  std::string base(uri.substr(0, query));
  std::string_view params = query == std::string_view::npos ? "" : uri.substr(query + 1);
  RedisOptions options;
  while (!params.empty()) {
    const std::size_t amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    params = amp == std::string_view::npos ? "" : params.substr(amp + 1);
    const std::size_t eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    if (name == "name") {
      base += base.find('?') == std::string::npos ? '?' : '&';
      base += param;
      continue;
    }
    if (name == "replicas" || name == "replica_timeout") {
      const std::string_view value = eq == std::string_view::npos ? "" : param.substr(eq + 1);
      std::uint64_t n = 0;
      const auto d = parse_duration(value);
      if (name == "replicas" && parse_count(value, n) && n <= 100) {
        options.replicas = static_cast<std::uint32_t>(n);
      } else if (name == "replica_timeout" && d && d->count() > 0) {
        options.replica_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
      } else {
        return bad("malformed parameter '" + std::string(name) +
                   "' (replicas=0..100, replica_timeout=DURATION)");
      }
      continue;
    }
    // The options every backend shares, parsed as for SQLite.
    SqliteOptions shared;
    shared.inbox = options.inbox;
    if ((name != "retain" && name != "max_attempts" && name != "backoff") ||
        eq == std::string_view::npos ||
        !apply_sqlite_parameter(name, param.substr(eq + 1), shared)) {
      return bad("unknown or malformed parameter '" + std::string(name) +
                 "' (known: name, replicas, replica_timeout, retain, max_attempts, backoff)");
    }
    options.inbox = shared.inbox;
  }
  Result<RedisEndpoint> endpoint = parse_redis_uri(base);
  if (!endpoint) return bad(endpoint.error().message);
  if (!redis_password_file().empty()) {
    Result<std::string> password = read_redis_password_file(redis_password_file());
    if (!password) return std::move(password).error();
    endpoint->password = std::move(*password);
  }
  if (!sentinel_password_file().empty()) {
    Result<std::string> password = read_redis_password_file(sentinel_password_file());
    if (!password) return std::move(password).error();
    endpoint->sentinel_password = std::move(*password);
  }
  options.on_primary_change = redis_primary_change();
  Result<std::unique_ptr<RedisInbox>> opened = RedisInbox::open(*endpoint, options);
  if (!opened) return std::move(opened).error();
  return std::unique_ptr<Inbox>(std::move(*opened));
}
#endif

}  // namespace detail

/// Why `inbox` may lose acknowledged events when its storage crashes, for a warning at start;
/// nullopt when it will not (SQLite is always opened with synchronous=FULL).
[[nodiscard]] inline std::optional<std::string> durability_warning([[maybe_unused]] Inbox& inbox) {
#if defined(MORPH_WEBHOOK_CLI_REDIS)
  if (auto* redis = dynamic_cast<RedisInbox*>(&inbox)) {
    const Result<RedisPersistence> p = redis->persistence();
    if (!p) return "could not read Redis's persistence settings: " + p.error().message;
    if (!p->no_loss_after_ack()) return "Redis persistence is weak: " + p->describe();
  }
#endif
  return std::nullopt;
}

/// Opens the inbox `uri` names (see the table in inbox_uri.hpp). Errors are
/// `storage_unavailable` with a message saying what is wrong (bad URI, unreadable or corrupt
/// file, backend not built).
[[nodiscard]] inline Result<std::unique_ptr<Inbox>> open_inbox(std::string_view uri) {
  constexpr std::string_view sqlite_scheme = "sqlite:";
  if (uri.substr(0, sqlite_scheme.size()) == sqlite_scheme) {
    return detail::open_sqlite(uri, uri.substr(sqlite_scheme.size()));
  }
  if (uri.substr(0, 8) == "redis://" || uri.substr(0, 9) == "rediss://" ||
      uri.substr(0, 17) == "redis-sentinel://") {
#if defined(MORPH_WEBHOOK_CLI_REDIS)
    return detail::open_redis(uri);
#else
    // Not the URI in the message: it may hold a password.
    return inbox_error(ErrorCode::storage_unavailable,
                       "redis:// inboxes need a morph-webhook built with hiredis "
                       "(Debian: libhiredis-dev)");
#endif
  }
  return detail::uri_error(uri, "expected sqlite:PATH");
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_INBOX_URI_HPP
