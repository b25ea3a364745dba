// Shared by httplib_receiver.cpp and beast_receiver.cpp: command line, response bodies and the
// one-line-per-request log. Not part of the library.
#ifndef MORPH_WEBHOOK_EXAMPLES_RECEIVER_COMMON_HPP
#define MORPH_WEBHOOK_EXAMPLES_RECEIVER_COMMON_HPP

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "morph/webhook/json_writer.hpp"
#include "morph/webhook/request.hpp"

namespace receiver {

/// The path Morph posts to.
inline constexpr std::string_view webhook_path = "/webhooks/morph";

/// Command-line settings.
struct Config {
  std::string host = "127.0.0.1";          ///< --host
  int port = 8080;                         ///< --port (0: any free port)
  morph::webhook::ParseOptions options;    ///< --max-body-bytes, --strict
};

inline void usage(const char* program, std::FILE* out) {
  std::fprintf(out,
               "usage: %s [--host ADDR] [--port N] [--max-body-bytes N] [--strict]\n"
               "Serves POST %.*s. Defaults: --host 127.0.0.1 --port 8080 (0 picks a free\n"
               "port), --max-body-bytes 8388608. Prints 'listening on HOST:PORT' first, then\n"
               "one line per request. Stops on SIGINT or SIGTERM.\n",
               program, static_cast<int>(webhook_path.size()), webhook_path.data());
}

inline bool parse_number(const char* text, unsigned long long max, unsigned long long& out) {
  if (text == nullptr || *text < '0' || *text > '9') return false;
  char* end = nullptr;
  out = std::strtoull(text, &end, 10);
  return end != nullptr && *end == '\0' && out <= max;
}

/// Parses the command line; exits with status 2 (usage) on a bad argument.
inline Config parse_command_line(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    unsigned long long number = 0;
    if (arg == "--help" || arg == "-h") {
      usage(argv[0], stdout);
      std::exit(0);
    } else if (arg == "--host" && next != nullptr) {
      config.host = next;
      ++i;
    } else if (arg == "--port" && parse_number(next, 65535, number)) {
      config.port = static_cast<int>(number);
      ++i;
    } else if (arg == "--max-body-bytes" && parse_number(next, ~0ull >> 1, number)) {
      config.options.max_body_bytes = static_cast<std::size_t>(number);
      ++i;
    } else if (arg == "--strict") {
      config.options.policy = morph::webhook::Policy::strict;
    } else {
      std::fprintf(stderr, "%s: bad argument '%s'\n", argv[0], argv[i]);
      usage(argv[0], stderr);
      std::exit(2);
    }
  }
  return config;
}

/// Prints the first line, which tests and scripts read to learn the port.
inline void print_listening(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  std::printf("listening on %s%s%s:%d\n", v6 ? "[" : "", host.c_str(), v6 ? "]" : "", port);
  std::fflush(stdout);
}

/// The body of a 200 answer: `{"ok":true,"event":...,"id":...,"idempotency_key":...}`.
inline std::string ok_json(const morph::webhook::Request& request) {
  std::string out = "{\"ok\":true,\"event\":";
  morph::webhook::append_json_string(out, request.event.event);
  out += ",\"id\":";
  morph::webhook::append_json_string(out, request.event.id);
  out += ",\"idempotency_key\":";
  morph::webhook::append_json_string(out, request.headers.idempotency_key);
  out += '}';
  return out;
}

/// The body of a 404 or 405 answer (not library errors, so not an ErrorCode).
inline std::string route_error_json(std::string_view code, std::string_view message) {
  std::string out = "{\"error\":{\"code\":";
  morph::webhook::append_json_string(out, code);
  out += ",\"message\":";
  morph::webhook::append_json_string(out, message);
  out += "}}";
  return out;
}

/// What one request produced, for its log line.
struct LogEntry {
  int status = 0;
  std::string method;
  std::string path;
  std::string event;   ///< empty when the request was rejected
  std::string id;      ///< empty when the request was rejected
  std::string key;     ///< idempotency key, when the headers were valid
  std::string error;   ///< error code, when rejected
  long long micros = -1;  ///< time spent in the handler; -1 when no handler ran
};

/// Writes one log line to stdout in a single call (safe from several threads):
/// `status=200 method=POST path="/webhooks/morph" event="..." id="..." key="..." error=- us=42`.
/// Strings are JSON-quoted, so a line never breaks whatever the request held.
inline void log_request(const LogEntry& entry) {
  using morph::webhook::append_json_string;
  std::string line = "status=" + std::to_string(entry.status) + " method=";
  append_json_string(line, entry.method);
  line += " path=";
  append_json_string(line, entry.path);
  line += " event=";
  append_json_string(line, entry.event);
  line += " id=";
  append_json_string(line, entry.id);
  line += " key=";
  append_json_string(line, entry.key);
  line += " error=";
  line += entry.error.empty() ? std::string("-") : entry.error;
  line += " us=";
  line += entry.micros < 0 ? std::string("-") : std::to_string(entry.micros);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

/// Microseconds since `start`.
inline long long micros_since(std::chrono::steady_clock::time_point start) {
  return static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count());
}

}  // namespace receiver

#endif  // MORPH_WEBHOOK_EXAMPLES_RECEIVER_COMMON_HPP
