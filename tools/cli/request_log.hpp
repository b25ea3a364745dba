/// @file request_log.hpp
/// @brief The one line logged per HTTP request, shared by `morph-webhook serve` and
/// examples/beast_receiver.cpp:
///
///     status=200 method="POST" path="/webhooks/morph" event="..." id="..." key="..."
///     [delivery=7 duplicate=false stale=false] error=- us=42
///
/// Strings are JSON-quoted, so a line never breaks whatever the request held; the bracketed
/// part is there when the event was appended to an inbox. Header-only: the example includes it.
#ifndef MORPH_WEBHOOK_CLI_REQUEST_LOG_HPP
#define MORPH_WEBHOOK_CLI_REQUEST_LOG_HPP

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "morph/webhook/json_writer.hpp"

namespace morph::webhook::cli {

/// Where an appended event went (serve only).
struct StoredAs {
  std::int64_t delivery = 0;  ///< delivery id
  bool duplicate = false;     ///< the idempotency key was already stored
  bool stale = false;         ///< older than an event already seen for the resource (arrival)
};

/// What one request produced, for its log line.
struct RequestLine {
  int status = 0;                  ///< HTTP status answered
  std::string method;              ///< request method
  std::string path;                ///< path as it may be logged (never a secret)
  std::string event;               ///< `event`, when it could be read
  std::string id;                  ///< `data.id`, when it could be read
  std::string key;                 ///< idempotency key, when the headers were valid
  std::string error;               ///< error code, empty when answered 200
  std::optional<StoredAs> stored;  ///< set when appended to an inbox
  long long micros = -1;           ///< time spent answering; -1: not measured
};

/// `line` as text, with its trailing newline.
[[nodiscard]] inline std::string format_request_line(const RequestLine& line) {
  std::string out = "status=" + std::to_string(line.status) + " method=";
  append_json_string(out, line.method);
  out += " path=";
  append_json_string(out, line.path);
  out += " event=";
  append_json_string(out, line.event);
  out += " id=";
  append_json_string(out, line.id);
  out += " key=";
  append_json_string(out, line.key);
  if (line.stored) {
    out += " delivery=" + std::to_string(line.stored->delivery);
    out += line.stored->duplicate ? " duplicate=true" : " duplicate=false";
    out += line.stored->stale ? " stale=true" : " stale=false";
  }
  out += " error=";
  out += line.error.empty() ? std::string("-") : line.error;
  out += " us=";
  out += line.micros < 0 ? std::string("-") : std::to_string(line.micros);
  out += '\n';
  return out;
}

/// Writes `line` to stdout in one call (lines from several threads never interleave).
inline void write_request_line(const RequestLine& line) {
  const std::string text = format_request_line(line);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

/// Microseconds since `start`.
[[nodiscard]] inline long long micros_since(std::chrono::steady_clock::time_point start) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count());
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_REQUEST_LOG_HPP
