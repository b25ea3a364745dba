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

/// Command-line settings, shared by both receivers (what each one does with them is in its
/// usage text and in the README).
struct Config {
  std::string host = "127.0.0.1";        ///< --host (an address or a name)
  int port = 8080;                       ///< --port (0: any free port)
  morph::webhook::ParseOptions options;  ///< --max-body-bytes, --strict
  unsigned threads = 0;                  ///< --threads (0: the program's default)
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};    ///< --idle-timeout S
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};  ///< --header-timeout S
  std::chrono::milliseconds body_timeout{std::chrono::seconds(30)};    ///< --body-timeout S
  std::chrono::milliseconds drain_timeout{std::chrono::seconds(10)};   ///< --drain-timeout S
  std::size_t max_requests = 1000;  ///< --max-requests-per-connection N
  bool empty_handler = false;       ///< --empty-handler (benchmark floor: no validation)
};

/// What differs between the two programs' usage texts.
struct Program {
  const char* name;          ///< for messages
  const char* threads_help;  ///< what --threads means and its default
  const char* timeout_help;  ///< how the timeouts apply on this stack
};

/// Prints the usage text to `out`.
inline void usage(const Program& program, std::FILE* out) {
  std::fprintf(out,
               "usage: %s [--host ADDR] [--port N] [--max-body-bytes N] [--strict] [--threads N]\n"
               "       [--idle-timeout S] [--header-timeout S] [--body-timeout S]\n"
               "       [--max-requests-per-connection N] [--drain-timeout S] [--empty-handler]\n"
               "Serves POST %.*s. Defaults: --host 127.0.0.1 (a name is resolved) --port 8080\n"
               "(0 picks a free port), --max-body-bytes 8388608, --idle-timeout 30 (keep-alive\n"
               "wait for the next request), --header-timeout 10, --body-timeout 30 (also\n"
               "bounds writing the response), --max-requests-per-connection 1000,\n"
               "--drain-timeout 10. Seconds may have decimals. --empty-handler answers every\n"
               "POST 200 {\"ok\":true} without checking anything (benchmarks only: the floor).\n"
               "%s\n%s\n"
               "Prints 'listening on HOST:PORT' first, then one line per request. On SIGINT or\n"
               "SIGTERM: stops accepting, answers the requests being read (up to the drain\n"
               "timeout), exits 0.\n",
               program.name, static_cast<int>(webhook_path.size()), webhook_path.data(),
               program.threads_help, program.timeout_help);
}

/// A decimal number up to `max` into `out`; false if `text` is anything else.
inline bool parse_number(const char* text, unsigned long long max, unsigned long long& out) {
  if (text == nullptr || *text < '0' || *text > '9') return false;
  char* end = nullptr;
  out = std::strtoull(text, &end, 10);
  return end != nullptr && *end == '\0' && out <= max;
}

/// Seconds (decimals allowed, at most a day) as milliseconds, at least 1 ms.
inline bool parse_seconds(const char* text, std::chrono::milliseconds& out) {
  if (text == nullptr || *text < '0' || *text > '9') return false;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (end == nullptr || *end != '\0' || !(seconds >= 0.001 && seconds <= 86400.0)) return false;
  out = std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
  return true;
}

/// Parses the command line; exits with status 2 (usage) on a bad argument.
inline Config parse_command_line(int argc, char** argv, const Program& program) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    unsigned long long number = 0;
    bool takes_value = true;
    if (arg == "--help" || arg == "-h") {
      usage(program, stdout);
      std::exit(0);
    } else if (arg == "--host" && next != nullptr && *next != '\0') {
      config.host = next;
    } else if (arg == "--port" && parse_number(next, 65535, number)) {
      config.port = static_cast<int>(number);
    } else if (arg == "--max-body-bytes" && parse_number(next, ~0ull >> 1, number)) {
      config.options.max_body_bytes = static_cast<std::size_t>(number);
    } else if (arg == "--threads" && parse_number(next, 4096, number) && number > 0) {
      config.threads = static_cast<unsigned>(number);
    } else if (arg == "--max-requests-per-connection" && parse_number(next, ~0ull >> 1, number) &&
               number > 0) {
      config.max_requests = static_cast<std::size_t>(number);
    } else if ((arg == "--idle-timeout" && parse_seconds(next, config.idle_timeout)) ||
               (arg == "--header-timeout" && parse_seconds(next, config.header_timeout)) ||
               (arg == "--body-timeout" && parse_seconds(next, config.body_timeout)) ||
               (arg == "--drain-timeout" && parse_seconds(next, config.drain_timeout))) {
      // parsed by the condition
    } else if (arg == "--strict") {
      config.options.policy = morph::webhook::Policy::strict;
      takes_value = false;
    } else if (arg == "--empty-handler") {
      config.empty_handler = true;
      takes_value = false;
    } else {
      std::fprintf(stderr, "%s: bad argument '%s'\n", program.name, argv[i]);
      usage(program, stderr);
      std::exit(2);
    }
    if (takes_value) ++i;
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

/// What one request produced, for its log line.
struct LogEntry {
  int status = 0;
  std::string method;
  std::string path;
  std::string event;      ///< empty when the request was rejected
  std::string id;         ///< empty when the request was rejected
  std::string key;        ///< idempotency key, when the headers were valid
  std::string error;      ///< error code, when rejected
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

/// A response before it becomes a stack's type, with what its log line needs.
struct Answer {
  int status = 200;         ///< HTTP status
  std::string body;         ///< JSON
  bool allow_post = false;  ///< add `Allow: POST` (405)
  LogEntry log;             ///< method and path are the caller's to fill
};

/// 413 for a body over `limit`.
inline Answer answer_too_large(std::size_t limit) {
  morph::webhook::Error error;
  error.code = morph::webhook::ErrorCode::body_too_large;
  error.message = "the body is larger than the limit of " + std::to_string(limit) + " bytes";
  Answer out;
  out.status = 413;
  out.body = morph::webhook::error_json(error);
  out.log.error = "body_too_large";
  return out;
}

/// 400 for bytes that are not an HTTP request.
inline Answer answer_bad_request() {
  Answer out;
  out.status = 400;
  out.body = morph::webhook::error_json("bad_request", "unreadable HTTP request");
  out.log.error = "bad_request";
  return out;
}

/// 404 for any other path.
inline Answer answer_not_found() {
  Answer out;
  out.status = 404;
  out.body = morph::webhook::error_json("not_found", "POST to /webhooks/morph");
  out.log.error = "not_found";
  return out;
}

/// 405 (with `Allow: POST`) for another method on the path.
inline Answer answer_method_not_allowed() {
  Answer out;
  out.status = 405;
  out.body =
      morph::webhook::error_json("method_not_allowed", "only POST is allowed on /webhooks/morph");
  out.allow_post = true;
  out.log.error = "method_not_allowed";
  return out;
}

/// The answer of --empty-handler to a POST on the path, whatever it holds: what the HTTP stack
/// costs without the library (benchmarks/http/run.sh measures validation against it).
inline Answer answer_empty() {
  Answer out;
  out.body = "{\"ok\":true}";
  return out;
}

/// The answer to a POST on the path: 200 with ok_json(), or the library's error.
template <class HeaderRange>
Answer answer_webhook(const HeaderRange& headers, std::string_view body,
                      const morph::webhook::ParseOptions& options) {
  namespace mw = morph::webhook;
  const auto start = std::chrono::steady_clock::now();
  Answer out;
  const auto request = mw::parse_request(headers, body, options);
  if (request) {
    out.body = ok_json(*request);
    out.log.event = std::string(request->event.event);
    out.log.id = std::string(request->event.id);
    out.log.key = std::string(request->headers.idempotency_key);
  } else {
    out.status = mw::http_status(request.error());
    out.body = mw::error_json(request.error());
    out.log.error = std::string(mw::to_string(request.error().code));
    // The key is worth logging when only the body was wrong.
    if (!request.error().is_header_error()) {
      const auto checked = mw::validate_headers(headers);
      if (checked) out.log.key = std::string(checked->idempotency_key);
    }
  }
  out.log.micros = micros_since(start);
  return out;
}

}  // namespace receiver

#endif  // MORPH_WEBHOOK_EXAMPLES_RECEIVER_COMMON_HPP
