/// @file serve.cpp
/// @brief `morph-webhook serve`: routing, the webhook handler (check, append, answer), health,
/// metrics, the request log, start-up and the drain on SIGINT/SIGTERM.
#include "cli/serve.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include <boost/asio/signal_set.hpp>

#include "cli/inbox_uri.hpp"
#include "cli/request_log.hpp"
#include "cli/serve_metrics.hpp"
#include "cli/systemd_notify.hpp"
#include "morph/webhook/adapters/beast_server.hpp"
#include "morph/webhook/inbox.hpp"
#include "morph/webhook/json_writer.hpp"
#include "morph/webhook/parser.hpp"
#include "morph/webhook/request.hpp"

namespace morph::webhook::cli {
namespace {

namespace mwb = morph::webhook::beast;
namespace http = boost::beast::http;

/// Equal contents, in a time that depends on the sizes only (the secret in the URL).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

/// A response before it becomes Beast's, with what its log line needs.
struct Answer {
  int status = 200;
  std::string body;
  std::string_view content_type = "application/json";
  std::string_view allow;    ///< `Allow` header (405)
  unsigned retry_after = 0;  ///< `Retry-After` header (503), 0: none
  std::string event;         ///< `event` of an accepted body
  std::string id;            ///< `data.id` of an accepted body
  std::string key;           ///< idempotency key, when the headers were valid
  std::string error;         ///< error code, when rejected
  std::optional<Appended> appended;
};

Answer error_answer(const Error& error) {
  Answer out;
  out.status = http_status(error);
  out.body = error_json(error);
  out.error = std::string(to_string(error.code));
  return out;
}

Answer route_error(int status, std::string_view code, std::string_view message) {
  Answer out;
  out.status = status;
  out.body = error_json(code, message);
  out.error = std::string(code);
  return out;
}

Answer ok_answer() {
  Answer out;
  out.body = "{\"ok\":true}";
  return out;
}

Error unsupported(std::string message) {
  Error e;
  e.code = ErrorCode::unsupported_model;
  e.pointer = "/data/model";
  e.message = std::move(message);
  return e;
}

/// The receiver: one object shared by the server's threads.
class Service {
 public:
  Service(const ServeConfig& config, std::unique_ptr<Inbox> inbox, std::string secret)
      : config_(config), inbox_(std::move(inbox)), secret_(std::move(secret)) {
    options_ = config.parse;
    options_.max_body_bytes = config.server.max_body_bytes;
    webhook_prefix_ = config.path + "/";
  }

  mwb::Response handle(const mwb::Request& req, mwb::ReadStatus status) {
    const auto start = std::chrono::steady_clock::now();
    Answer answer;
    switch (status) {
      case mwb::ReadStatus::body_too_large: {
        Error e;
        e.code = ErrorCode::body_too_large;
        e.message = "the body is larger than the limit of " +
                    std::to_string(config_.server.max_body_bytes) + " bytes";
        answer = error_answer(e);
        break;
      }
      case mwb::ReadStatus::bad_request:
        answer = route_error(400, "bad_request", "unreadable HTTP request");
        break;
      case mwb::ReadStatus::complete: answer = route(req); break;
    }
    metrics_.count_request(answer.status);
    log(req, answer, start);
    return to_response(req, std::move(answer));
  }

  /// Drain finished: the inbox finishes its operations in flight and closes.
  void close_inbox() { inbox_.reset(); }
  Inbox* inbox() { return inbox_.get(); }
  prometheus::Registry& registry() { return metrics_.registry(); }

 private:
  static std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
  }

  bool is_webhook(std::string_view path) const {
    if (secret_.empty()) return path == config_.path;
    if (path.substr(0, webhook_prefix_.size()) != webhook_prefix_) return false;
    return constant_time_equal(path.substr(webhook_prefix_.size()), secret_);
  }

  Answer route(const mwb::Request& req) {
    const std::string_view path = path_of(req.target());
    const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
    if (path == "/healthz" || path == "/metrics") {
      if (!get) {
        Answer out = route_error(405, "method_not_allowed", "only GET is allowed here");
        out.allow = "GET, HEAD";
        return out;
      }
      return path == "/healthz" ? health() : metrics();
    }
    // A wrong or missing secret gets exactly what an unknown path gets.
    if (!is_webhook(path)) return route_error(404, "not_found", "no such path");
    if (req.method() != http::verb::post) {
      Answer out = route_error(405, "method_not_allowed", "only POST is allowed here");
      out.allow = "POST";
      return out;
    }
    return webhook(req);
  }

  Answer webhook(const mwb::Request& req) {
    const Result<Headers> headers = validate_headers(static_cast<const http::fields&>(req));
    if (!headers) return error_answer(headers.error());
    const std::string_view body = req.body();
    // crmEngagement is checked by its typed parser; other models by the envelope parser.
    EventFacts facts;
    std::string_view event_name;
    Result<WebhookEvent> typed = parse_event(body, options_);
    if (typed) {
      facts = EventFacts::of(*typed);
      event_name = typed->event;
    } else if (typed.error().code == ErrorCode::unsupported_model) {
      Result<ResourceEvent> any = parse_envelope(body, options_);
      if (!any) return keyed(error_answer(any.error()), *headers);
      facts = EventFacts::of(*any);
      event_name = any->event;
    } else {
      return keyed(error_answer(typed.error()), *headers);
    }
    if (facts.model == "widgetCardView") {
      return keyed(error_answer(unsupported(
                       "widgetCardView events expect cards in the answer, which a queue cannot "
                       "give; serve refuses them: answer them in a receiver of your own")),
                   *headers);
    }
    if (!model_accepted(facts.model)) {
      return keyed(error_answer(unsupported("this receiver does not accept model " +
                                            std::string(facts.model) + " (see --models)")),
                   *headers);
    }
    Answer out;
    out.key = std::string(headers->idempotency_key);
    out.event = std::string(event_name);
    out.id = std::string(facts.id);
    Appended appended;
    if (inbox_) {
      const auto start = std::chrono::steady_clock::now();
      Result<Appended> r = inbox_->append(*headers, body, facts);
      metrics_.count_append(r, std::chrono::steady_clock::now() - start);
      last_append_failed_.store(!r, std::memory_order_relaxed);
      if (!r) {
        Answer failed = keyed(error_answer(r.error()), *headers);
        failed.retry_after = config_.retry_after;
        return failed;
      }
      appended = *r;
    }
    out.appended = appended;
    out.body = "{\"ok\":true,\"delivery\":" + std::to_string(appended.delivery_id) +
               ",\"duplicate\":" + (appended.status == AppendStatus::duplicate ? "true" : "false") +
               ",\"stale\":" + (appended.stale ? "true" : "false") + "}";
    return out;
  }

  static Answer keyed(Answer answer, const Headers& headers) {
    answer.key = std::string(headers.idempotency_key);
    return answer;
  }

  bool model_accepted(std::string_view model) const {
    if (config_.models.empty()) return true;
    for (const std::string& m : config_.models) {
      if (m == model) return true;
    }
    return false;
  }

  Answer health() {
    if (!inbox_) return ok_answer();
    const Result<InboxStats> stats = inbox_->stats();
    if (!stats) return error_answer(stats.error());
    if (last_append_failed_.load(std::memory_order_relaxed)) {
      Answer out = route_error(503, "storage_unavailable",
                               "the last append failed; healthy again after the next success");
      out.retry_after = config_.retry_after;
      return out;
    }
    return ok_answer();
  }

  Answer metrics() {
    Answer out;
    out.content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (inbox_) {
      out.body = metrics_.render(inbox_->stats());
    } else {
      out.body = metrics_.render(InboxStats{});
    }
    return out;
  }

  /// The request target as it may be logged: never the secret.
  std::string loggable_path(std::string_view target) const {
    const std::string_view path = path_of(target);
    if (!secret_.empty() && path.substr(0, webhook_prefix_.size()) == webhook_prefix_) {
      return webhook_prefix_ + "<secret>";
    }
    return std::string(path);
  }

  void log(const mwb::Request& req, const Answer& a,
           std::chrono::steady_clock::time_point start) const {
    RequestLine line;
    line.status = a.status;
    line.method = std::string(req.method_string());
    line.path = loggable_path(req.target());
    line.event = a.event;
    line.id = a.id;
    line.key = a.key;
    line.error = a.error;
    if (a.appended) {
      line.stored = StoredAs{a.appended->delivery_id, a.appended->status == AppendStatus::duplicate,
                             a.appended->stale};
    }
    line.micros = micros_since(start);
    write_request_line(line);
  }

  static mwb::Response to_response(const mwb::Request& req, Answer answer) {
    mwb::Response res{static_cast<http::status>(answer.status), req.version() == 10 ? 10u : 11u};
    res.set(http::field::content_type, answer.content_type);
    if (!answer.allow.empty()) res.set(http::field::allow, answer.allow);
    if (answer.retry_after > 0) {
      res.set(http::field::retry_after, std::to_string(answer.retry_after));
    }
    res.body() = std::move(answer.body);
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays
    return res;
  }

  const ServeConfig& config_;
  std::unique_ptr<Inbox> inbox_;
  std::string secret_;
  std::string webhook_prefix_;
  ParseOptions options_;
  ServeMetrics metrics_;
  std::atomic<bool> last_append_failed_{false};
};

void print_error(const std::string& message) {
  std::fprintf(stderr, "morph-webhook serve: %s\n", message.c_str());
}

/// The secret from `path`: its first line, without surrounding whitespace. Empty on error
/// (with `error` set).
std::string read_secret(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read the secret file " + path;
    return {};
  }
  std::string secret;
  std::getline(in, secret);
  const auto first = secret.find_first_not_of(" \t\r\n");
  const auto last = secret.find_last_not_of(" \t\r\n");
  secret = first == std::string::npos ? std::string() : secret.substr(first, last - first + 1);
  if (secret.size() < 16) {
    error = "the secret in " + path + " must be at least 16 characters";
    return {};
  }
  for (const char c : secret) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~';
    if (!ok) {
      error = "the secret in " + path + " may hold only A-Z a-z 0-9 - _ . ~ (it goes in a URL)";
      return {};
    }
  }
  return secret;
}

}  // namespace

int run_serve(const ServeConfig& config) {
  if (config.path.empty() || config.path.front() != '/' || config.path.back() == '/' ||
      config.path == "/healthz" || config.path == "/metrics") {
    print_error("--path must start with '/', not end with '/', and not be /healthz or /metrics");
    return 2;
  }
  for (const std::string& model : config.models) {
    if (model == "widgetCardView") {
      print_error("widgetCardView cannot be served from a queue (it is answered with cards)");
      return 2;
    }
  }
  std::string secret;
  if (!config.secret_file.empty()) {
    std::string error;
    secret = read_secret(config.secret_file, error);
    if (secret.empty()) {
      print_error(error);
      return 2;
    }
  }

  std::unique_ptr<Inbox> inbox;
  if (config.inbox == "none") {
    print_error("--inbox none: events are checked and answered 200 but NOT stored (benchmarks)");
  } else {
    Result<std::unique_ptr<Inbox>> opened = open_inbox(config.inbox);
    if (!opened) {
      print_error("cannot open the inbox: " + opened.error().message);
      return 2;
    }
    inbox = std::move(*opened);
    if (const std::optional<std::string> warning = durability_warning(*inbox)) {
      print_error("warning: " + *warning);
    }
  }

  const bool companion = config.companion && config.companion->enabled();
  if (companion) {
    if (!inbox) {
      print_error("--forward-to needs an inbox (not --inbox none)");
      return 2;
    }
    if (const std::optional<std::string> error = config.companion->prepare()) {
      print_error(*error);
      return 2;
    }
  }

  Service service(config, std::move(inbox), std::move(secret));
  mwb::Server server(config.server, [&service](const mwb::Request& req, mwb::ReadStatus status) {
    return service.handle(req, status);
  });
  if (const auto ec = server.listen()) {
    print_error("cannot listen on " + config.server.host + ":" +
                std::to_string(config.server.port) + ": " + ec.message());
    return 1;
  }
  // The companion (the forwarder) drains while the server does, and stops before the inbox
  // is closed.
  std::atomic<bool> stop_companion{false};
  std::thread companion_thread;
  if (companion) {
    companion_thread = std::thread([&] {
      const int status =
          config.companion->run(*service.inbox(), service.registry(), stop_companion);
      if (status != 0) print_error("the forwarder stopped with status " + std::to_string(status));
    });
  }
  boost::asio::signal_set signals{server.context(), SIGINT, SIGTERM};
  signals.async_wait([&server, &stop_companion](boost::system::error_code ec, int) {
    if (ec) return;
    stop_companion.store(true);
    server.shutdown();
  });
  const bool v6 = config.server.host.find(':') != std::string::npos;
  std::printf("listening on %s%s%s:%u\n", v6 ? "[" : "", config.server.host.c_str(), v6 ? "]" : "",
              static_cast<unsigned>(server.local_endpoint().port()));
  std::fflush(stdout);
  const SystemdNotifier systemd(server.context(), "listening");
  server.run();
  stop_companion.store(true);
  if (companion_thread.joinable()) companion_thread.join();
  service.close_inbox();
  if (server.connections_cut() > 0) {
    print_error("drain timeout: closed " + std::to_string(server.connections_cut()) +
                " connections");
  }
  std::fprintf(stderr, "morph-webhook serve: stopped\n");
  return 0;
}

}  // namespace morph::webhook::cli
