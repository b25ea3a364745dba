/// @file log.hpp
/// @brief The logs of `morph-webhook serve` and `inbox work` (and examples/beast_receiver.cpp):
/// messages on stderr, one access line per HTTP request on stdout, as text or as one JSON
/// object per line, filtered by level and by the access-log switch. Header-only (the example
/// includes it); one process-wide Log, safe from any thread, whose level and access-log switch
/// may change while it runs (SIGHUP).
///
/// Access line, text (strings JSON-quoted, so a line never breaks whatever the request held;
/// the bracketed part when the event was appended to an inbox):
///
///     status=200 method="POST" path="/webhooks/morph" ts="2026-12-08T01:50:00.123Z"
///     remote="127.0.0.1:50432" connector="hubspot" owner="acme" event="..." id="..." key="..."
///     [delivery=7 duplicate=false stale=false] error=- us=42
///
/// JSON, the same fields: `{"ts":...,"level":"info","msg":"request","status":200,"method":...,
/// "path":...,"remote":...,"connector":...,"owner":...,"event":...,"id":...,"key":...,
/// "delivery":7,"duplicate":false,"stale":false,"error":null,"us":42}`. A message:
/// `{"ts":...,"level":"warn","component":"serve","msg":...}`; as text
/// `morph-webhook serve: MESSAGE` (warnings and errors say so first).
#ifndef MORPH_WEBHOOK_CLI_LOG_HPP
#define MORPH_WEBHOOK_CLI_LOG_HPP

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "morph/webhook/json_writer.hpp"

namespace morph::webhook::cli {

/// `--log-format`.
enum class LogFormat : std::uint8_t { text, json };
/// `--log-level`: messages at this level and more severe are written.
enum class LogLevel : std::uint8_t { error, warn, info, debug };
/// `--access-log`: which requests get an access line.
enum class AccessLog : std::uint8_t { all, errors, off };

/// How a command logs (bound to --log-format, --log-level, --access-log).
struct LogConfig {
  LogFormat format = LogFormat::text;  ///< --log-format
  LogLevel level = LogLevel::info;     ///< --log-level
  AccessLog access = AccessLog::all;   ///< --access-log (servers only)
};

// clang-format off
/// The names of the levels and access-log settings, on the command line and in JSON.
inline const std::map<std::string, LogLevel> log_level_names{
    {"error", LogLevel::error}, {"warn", LogLevel::warn}, {"info", LogLevel::info},
    {"debug", LogLevel::debug}};
inline const std::map<std::string, AccessLog> access_log_names{
    {"all", AccessLog::all}, {"errors", AccessLog::errors}, {"off", AccessLog::off}};
inline const std::map<std::string, LogFormat> log_format_names{
    {"text", LogFormat::text}, {"json", LogFormat::json}};
// clang-format on

/// The name of `value` in `names`.
template <class T>
[[nodiscard]] std::string name_of(const std::map<std::string, T>& names, T value) {
  for (const auto& [name, v] : names) {
    if (v == value) return name;
  }
  return {};
}

/// Adds `name` to `app`: one of the names in `names`, parsed into `target` (the name itself is
/// kept as the option's result, so --print-config shows it).
template <class T>
CLI::Option* add_named_option(CLI::App& app, const std::string& name, T& target,
                              const std::map<std::string, T>& names, const std::string& help) {
  std::string choices;
  for (const auto& entry : names) choices += (choices.empty() ? "" : "|") + entry.first;
  return app
      .add_option_function<std::string>(
          name, [&target, &names](const std::string& value) { target = names.at(value); }, help)
      ->type_name(choices)
      ->default_str(name_of(names, target))
      ->check(CLI::Validator(
          [&names, choices](std::string& value) -> std::string {
            if (names.count(value) != 0) return {};
            return "expected one of " + choices + ", not '" + value + "'";
          },
          ""));
}

/// Adds --log-format and --log-level (and --access-log when `access_log`) to `app`, parsing
/// into `config`.
inline void add_log_options(CLI::App& app, LogConfig& config, bool access_log) {
  add_named_option(app, "--log-format", config.format, log_format_names,
                   "text, or json: one JSON object per line with stable field names");
  add_named_option(app, "--log-level", config.level, log_level_names,
                   "Messages written: this level and the more severe ones");
  if (access_log) {
    add_named_option(app, "--access-log", config.access, access_log_names,
                     "Access lines on stdout: every request, errors only (status >= 400) or "
                     "none");
  }
}

/// Where an appended event went (serve only).
struct StoredAs {
  std::int64_t delivery = 0;  ///< delivery id
  bool duplicate = false;     ///< the idempotency key was already stored
  bool stale = false;         ///< older than an event already seen for the resource (arrival)
};

/// What one request produced, for its access line. Strings are empty when unknown.
struct RequestLine {
  int status = 0;                  ///< HTTP status answered
  std::string method;              ///< request method
  std::string path;                ///< path as it may be logged (never a secret)
  std::string remote;              ///< peer address, `ADDR:PORT`
  std::string connector;           ///< `x-conector-id`, when present
  std::string owner;               ///< `x-owner-id`, when present
  std::string event;               ///< `event`, when it could be read
  std::string id;                  ///< `data.id`, when it could be read
  std::string key;                 ///< idempotency key, when the headers were valid
  std::string error;               ///< error code, empty when answered 200
  std::optional<StoredAs> stored;  ///< set when appended to an inbox
  long long micros = -1;           ///< time spent answering; -1: not measured
};

/// Now as `2026-12-08T01:50:00.123Z`.
[[nodiscard]] inline std::string log_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return out;
}

/// The process-wide log.
class Log {
 public:
  /// The one Log of the process.
  static Log& instance() {
    static Log log;
    return log;
  }

  /// Sets format, level and access-log switch (format: at start only).
  void configure(const LogConfig& config) {
    format_.store(config.format);
    level_.store(config.level);
    access_.store(config.access);
  }
  /// Changes the level (safe while running).
  void set_level(LogLevel level) { level_.store(level); }
  /// Changes the access-log switch (safe while running).
  void set_access(AccessLog access) { access_.store(access); }
  /// The current configuration.
  [[nodiscard]] LogConfig config() const {
    return LogConfig{format_.load(), level_.load(), access_.load()};
  }

  /// Whether messages at `level` are written.
  [[nodiscard]] bool enabled(LogLevel level) const { return level <= level_.load(); }

  /// Writes a message of `component` (`serve`, `inbox work`) on stderr, in one call.
  void message(LogLevel level, std::string_view component, std::string_view text) const {
    if (!enabled(level)) return;
    std::string line;
    if (format_.load() == LogFormat::json) {
      line = "{\"ts\":\"" + log_timestamp() + "\",\"level\":\"" + name_of(log_level_names, level) +
             "\",\"component\":";
      append_json_string(line, component);
      line += ",\"msg\":";
      append_json_string(line, text);
      line += "}\n";
    } else {
      line = "morph-webhook ";
      line += component;
      line += ": ";
      if (level == LogLevel::warn) line += "warning: ";
      line += text;
      line += '\n';
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

  /// Whether a request answered `status` gets an access line.
  [[nodiscard]] bool wants_access_line(int status) const {
    const AccessLog access = access_.load();
    return access == AccessLog::all || (access == AccessLog::errors && status >= 400);
  }

  /// The access line of `r`, with its trailing newline.
  [[nodiscard]] std::string access_line(const RequestLine& r) const {
    return format_.load() == LogFormat::json ? access_json(r) : access_text(r);
  }

  /// Writes the access line of `r` on stdout now, when wanted (lines from several threads never
  /// interleave). serve queues its lines instead (serve.cpp).
  void access(const RequestLine& r) const {
    if (!wants_access_line(r.status)) return;
    const std::string line = access_line(r);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

 private:
  static std::string access_text(const RequestLine& r) {
    std::string out = "status=" + std::to_string(r.status) + " method=";
    append_json_string(out, r.method);
    // clang-format off
    const std::pair<const char*, const std::string*> strings[] = {
        {" path=", &r.path}, {" ts=", nullptr}, {" remote=", &r.remote},
        {" connector=", &r.connector}, {" owner=", &r.owner}, {" event=", &r.event},
        {" id=", &r.id}, {" key=", &r.key}};
    // clang-format on
    for (const auto& [name, value] : strings) {
      out += name;
      append_json_string(out, value != nullptr ? *value : log_timestamp());
    }
    if (r.stored) {
      out += " delivery=" + std::to_string(r.stored->delivery);
      out += r.stored->duplicate ? " duplicate=true" : " duplicate=false";
      out += r.stored->stale ? " stale=true" : " stale=false";
    }
    out += " error=";
    out += r.error.empty() ? std::string("-") : r.error;
    out += " us=";
    out += r.micros < 0 ? std::string("-") : std::to_string(r.micros);
    out += '\n';
    return out;
  }

  static std::string access_json(const RequestLine& r) {
    std::string out =
        "{\"ts\":\"" + log_timestamp() +
        "\",\"level\":\"info\",\"msg\":\"request\",\"status\":" + std::to_string(r.status);
    // clang-format off
    const std::pair<const char*, const std::string*> strings[] = {
        {",\"method\":", &r.method}, {",\"path\":", &r.path}, {",\"remote\":", &r.remote},
        {",\"connector\":", &r.connector}, {",\"owner\":", &r.owner},
        {",\"event\":", &r.event}, {",\"id\":", &r.id}, {",\"key\":", &r.key}};
    // clang-format on
    for (const auto& [name, value] : strings) {
      out += name;
      append_json_string(out, *value);
    }
    if (r.stored) {
      out += ",\"delivery\":" + std::to_string(r.stored->delivery);
      out += r.stored->duplicate ? ",\"duplicate\":true" : ",\"duplicate\":false";
      out += r.stored->stale ? ",\"stale\":true" : ",\"stale\":false";
    }
    out += ",\"error\":";
    if (r.error.empty()) {
      out += "null";
    } else {
      append_json_string(out, r.error);
    }
    out += ",\"us\":";
    out += r.micros < 0 ? std::string("null") : std::to_string(r.micros);
    out += "}\n";
    return out;
  }

  Log() = default;
  std::atomic<LogFormat> format_{LogFormat::text};
  std::atomic<LogLevel> level_{LogLevel::info};
  std::atomic<AccessLog> access_{AccessLog::all};
};

/// Microseconds since `start`.
[[nodiscard]] inline long long micros_since(std::chrono::steady_clock::time_point start) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count());
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_LOG_HPP
