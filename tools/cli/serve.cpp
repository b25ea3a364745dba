/// @file serve.cpp
/// @brief `morph-webhook serve`: routing, the webhook handler (check, append, answer), health,
/// metrics, the request log, start-up and the drain on SIGINT/SIGTERM.
#include "cli/serve.hpp"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "cli/configuration.hpp"
#include "cli/duration_option.hpp"
#include "cli/inbox_uri.hpp"
#include "cli/log.hpp"
#include "cli/redis_failover.hpp"
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

/// `event` and `data.id` of a body the parsers refused, when they can be read at all (for the
/// access line of a 4xx: which event was refused).
void peek_event(std::string_view body, std::string& event, std::string& id) {
  thread_local simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return;
  simdjson::ondemand::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return;
    if (key == "event") {
      std::string_view text;
      if (field.value().get_string().get(text) == simdjson::SUCCESS) event = std::string(text);
    } else if (key == "data") {
      simdjson::ondemand::object data;
      if (field.value().get_object().get(data) != simdjson::SUCCESS) continue;
      for (auto inner : data) {
        std::string_view inner_key;
        if (inner.unescaped_key().get(inner_key) != simdjson::SUCCESS) break;
        if (inner_key != "id") continue;
        std::string_view text;
        if (inner.value().get_string().get(text) == simdjson::SUCCESS) id = std::string(text);
        break;
      }
    }
  }
}

/// A header value as it may be logged: at most 128 bytes.
std::string header_value(const mwb::Request& req, std::string_view name) {
  const auto it = req.find(name);
  if (it == req.end()) return {};
  const std::string_view value = it->value();
  return std::string(value.substr(0, 128));
}

std::string peer_text(const mwb::Peer& peer) {
  if (peer.port() == 0) return {};
  const std::string address = peer.address().to_string();
  return peer.address().is_v6() ? "[" + address + "]:" + std::to_string(peer.port())
                                : address + ":" + std::to_string(peer.port());
}

/// Access lines leave the request path here: a bounded queue that one thread writes to stdout.
/// When it is full (stdout stalled), lines are dropped and counted; a request never waits.
class AccessQueue {
 public:
  explicit AccessQueue(ServeMetrics& metrics) : metrics_(metrics), writer_([this] { write(); }) {}
  AccessQueue(const AccessQueue&) = delete;
  AccessQueue& operator=(const AccessQueue&) = delete;
  ~AccessQueue() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    ready_.notify_one();
    writer_.join();
  }

  /// Queues `line`, or drops it when the queue is full.
  void push(std::string line) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (lines_.size() >= capacity) {
        metrics_.count_dropped_log_line();
        return;
      }
      lines_.push_back(std::move(line));
    }
    ready_.notify_one();
  }

 private:
  static constexpr std::size_t capacity = 16384;

  void write() {
    std::deque<std::string> batch;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return closing_ || !lines_.empty(); });
        if (lines_.empty() && closing_) return;
        batch.swap(lines_);
      }
      for (const std::string& line : batch) std::fwrite(line.data(), 1, line.size(), stdout);
      std::fflush(stdout);
      batch.clear();
    }
  }

  ServeMetrics& metrics_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> lines_;
  bool closing_ = false;
  std::thread writer_;
};

/// The receiver: one object shared by the server's threads. The inbox may arrive after the
/// server started (storage down at start: see run_serve()); until then appends answer 503.
class Service {
 public:
  Service(const ServeConfig& config, std::string secret)
      : config_(config), secret_(std::move(secret)), access_(metrics_) {
    options_ = config.parse;
    options_.max_body_bytes = config.server.max_body_bytes;
    webhook_prefix_ = config.path + "/";
  }

  /// The inbox to append to from now on (none: `--inbox none`).
  void set_inbox(std::shared_ptr<Inbox> inbox) {
    std::atomic_store(&inbox_, std::move(inbox));
    inbox_ready_.store(true);
  }

  mwb::Response handle(const mwb::Request& req, mwb::ReadStatus status, const mwb::Peer& peer) {
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
    const std::string_view path = path_of(req.target());
    // Probes and scrapes are not webhooks: they are not counted with them.
    if (path != "/healthz" && path != "/metrics") metrics_.count_request(answer.status);
    log(req, answer, peer, start);
    return to_response(req, std::move(answer));
  }

  /// Drain finished: the inbox finishes its operations in flight and closes.
  void close_inbox() { std::atomic_store(&inbox_, std::shared_ptr<Inbox>()); }
  /// The inbox (null until open, or with --inbox none).
  std::shared_ptr<Inbox> inbox() const { return std::atomic_load(&inbox_); }
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

  /// Any content type is accepted: Morph does not document the one it sends, and the body is
  /// checked as JSON whatever the header says.
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
      if (!any) return refused(error_answer(any.error()), *headers, body);
      facts = EventFacts::of(*any);
      event_name = any->event;
    } else {
      return refused(error_answer(typed.error()), *headers, body);
    }
    Answer out;
    out.key = std::string(headers->idempotency_key);
    out.event = std::string(event_name);
    out.id = std::string(facts.id);
    if (facts.model == "widgetCardView") {
      return keyed(error_answer(unsupported(
                       "widgetCardView events expect cards in the answer, which a queue cannot "
                       "give; serve refuses them: answer them in a receiver of your own")),
                   out);
    }
    if (!model_accepted(facts.model)) {
      return keyed(error_answer(unsupported("this receiver does not accept model " +
                                            std::string(facts.model) + " (see --models)")),
                   out);
    }
    Appended appended;
    if (inbox_ready_.load()) {
      if (const std::shared_ptr<Inbox> inbox = std::atomic_load(&inbox_)) {
        const auto start = std::chrono::steady_clock::now();
        Result<Appended> r = inbox->append(*headers, body, facts);
        metrics_.count_append(r, std::chrono::steady_clock::now() - start);
        last_append_failed_at_.store(
            r ? 0 : std::chrono::steady_clock::now().time_since_epoch().count());
        if (!r) return storage_failure(r.error().message, out);
        appended = *r;
      }
    } else {
      return storage_failure("the inbox is not open yet (waiting for its storage)", out);
    }
    out.appended = appended;
    out.body = "{\"ok\":true,\"delivery\":" + std::to_string(appended.delivery_id) +
               ",\"duplicate\":" + (appended.status == AppendStatus::duplicate ? "true" : "false") +
               ",\"stale\":" + (appended.stale ? "true" : "false") + "}";
    return out;
  }

  /// 503 with a generic message: the detail (which may name an internal address) goes to the
  /// log only.
  Answer storage_failure(const std::string& detail, const Answer& request) {
    Log::instance().message(LogLevel::error, "serve", "cannot store an event: " + detail);
    Answer failed = keyed(
        route_error(503, "storage_unavailable", "the event cannot be stored now; retry later"),
        request);
    failed.retry_after = config_.retry_after;
    return failed;
  }

  /// A refused body keeps the key, event and id that could be read, for its access line.
  static Answer refused(Answer answer, const Headers& headers, std::string_view body) {
    answer.key = std::string(headers.idempotency_key);
    peek_event(body, answer.event, answer.id);
    return answer;
  }

  static Answer keyed(Answer answer, const Answer& request) {
    answer.key = request.key;
    answer.event = request.event;
    answer.id = request.id;
    return answer;
  }

  bool model_accepted(std::string_view model) const {
    if (config_.models.empty()) return true;
    for (const std::string& m : config_.models) {
      if (m == model) return true;
    }
    return false;
  }

  /// 200 when the storage answers a cheap read, probed at most about once a second whatever
  /// the probe rate, and no append failed in the last 10 s (reads may work while writes fail:
  /// a full disk). Without appends it turns healthy by itself: a load balancer that routes on
  /// it need not send an append first.
  Answer health() {
    const auto failed_at = last_append_failed_at_.load();
    if (failed_at != 0 && std::chrono::steady_clock::now().time_since_epoch().count() - failed_at <
                              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::seconds(10))
                                  .count()) {
      Answer out =
          route_error(503, "storage_unavailable", "the last append failed less than 10 s ago");
      out.retry_after = config_.retry_after;
      return out;
    }
    if (inbox_ready_.load() && !std::atomic_load(&inbox_)) return ok_answer();  // --inbox none
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(health_mutex_);
    if (now - health_checked_ >= std::chrono::seconds(1) || !health_ever_) {
      health_ever_ = true;
      health_checked_ = now;
      const std::shared_ptr<Inbox> inbox = std::atomic_load(&inbox_);
      if (!inbox) {
        health_error_ = "the inbox is not open yet (waiting for its storage)";
      } else {
        const Result<std::vector<DeadLetter>> probe = inbox->dead_letters(1);
        health_error_ = probe ? std::string() : probe.error().message;
      }
      if (!health_error_.empty()) {
        Log::instance().message(LogLevel::warn, "serve", "health check: " + health_error_);
      }
    }
    if (health_error_.empty()) return ok_answer();
    Answer out = route_error(503, "storage_unavailable", "the inbox's storage is unavailable");
    out.retry_after = config_.retry_after;
    return out;
  }

  Answer metrics() {
    Answer out;
    out.content_type = "text/plain; version=0.0.4; charset=utf-8";
    const std::shared_ptr<Inbox> inbox = std::atomic_load(&inbox_);
    if (inbox) {
      if (const std::optional<RedisPrimaryState> redis = redis_primary_state(*inbox)) {
        metrics_.set_redis_primary(redis->address, redis->failovers);
      }
      out.body = metrics_.render(inbox->stats());
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

  void log(const mwb::Request& req, const Answer& a, const mwb::Peer& peer,
           std::chrono::steady_clock::time_point start) {
    const Log& logger = Log::instance();
    if (!logger.wants_access_line(a.status)) return;
    RequestLine line;
    line.status = a.status;
    line.method = std::string(req.method_string());
    line.path = loggable_path(req.target());
    line.remote = peer_text(peer);
    line.connector = header_value(req, "x-conector-id");
    if (line.connector.empty()) line.connector = header_value(req, "x-connector-id");
    line.owner = header_value(req, "x-owner-id");
    line.event = a.event;
    line.id = a.id;
    line.key = a.key;
    line.error = a.error;
    if (a.appended) {
      line.stored = StoredAs{a.appended->delivery_id, a.appended->status == AppendStatus::duplicate,
                             a.appended->stale};
    }
    line.micros = micros_since(start);
    access_.push(logger.access_line(line));
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
  std::shared_ptr<Inbox> inbox_;  ///< read and replaced with std::atomic_load/atomic_store
  std::atomic<bool> inbox_ready_{false};
  /// steady_clock ticks of the last append when it failed; 0 when it succeeded.
  std::atomic<std::chrono::steady_clock::rep> last_append_failed_at_{0};
  std::string secret_;
  std::string webhook_prefix_;
  ParseOptions options_;
  ServeMetrics metrics_;
  AccessQueue access_;  ///< after metrics_, which it counts into
  std::mutex health_mutex_;
  std::chrono::steady_clock::time_point health_checked_{};
  bool health_ever_ = false;
  std::string health_error_;
};

void print_error(const std::string& message) {
  Log::instance().message(LogLevel::error, "serve", message);
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

/// The one-line summary of the effective configuration printed at start (nothing secret).
std::string summary(const ServeConfig& config, unsigned short port, bool secret) {
  std::string models = "all";
  if (!config.models.empty()) {
    models.clear();
    for (const std::string& m : config.models) models += (models.empty() ? "" : ",") + m;
  }
  const LogConfig log = Log::instance().config();
  return "started: listening on " + config.server.host + ":" + std::to_string(port) +
         " path=" + config.path + (secret ? "/<secret>" : "") +
         " inbox=" + mask_uri_password(config.inbox) + " models=" + models +
         " policy=" + (config.parse.policy == Policy::strict ? "strict" : "lenient") +
         " threads=" + std::to_string(config.server.threads) +
         " max-body-bytes=" + std::to_string(config.server.max_body_bytes) +
         " idle-timeout=" + format_duration(config.server.idle_timeout) +
         " header-timeout=" + format_duration(config.server.header_timeout) +
         " body-timeout=" + format_duration(config.server.body_timeout) +
         " drain-timeout=" + format_duration(config.server.drain_timeout) +
         " log-format=" + name_of(log_format_names, log.format) +
         " log-level=" + name_of(log_level_names, log.level) +
         " access-log=" + name_of(access_log_names, log.access);
}

/// SIGHUP: the log level and the access-log switch are read again from their sources (the
/// command line still wins); everything else needs a restart.
void reload_logs() {
  try {
    Log& log = Log::instance();
    LogConfig next = log.config();
    if (const auto level = reload_value("log-level")) {
      const auto found = log_level_names.find(*level);
      if (found == log_level_names.end()) throw CLI::ConfigError("log-level: bad value " + *level);
      next.level = found->second;
    }
    if (const auto access = reload_value("access-log")) {
      const auto found = access_log_names.find(*access);
      if (found == access_log_names.end()) {
        throw CLI::ConfigError("access-log: bad value " + *access);
      }
      next.access = found->second;
    }
    // Said before it applies, so that a quieter level does not hide it.
    log.message(LogLevel::info, "serve",
                "SIGHUP: reloaded log-level=" + name_of(log_level_names, next.level) +
                    " access-log=" + name_of(access_log_names, next.access) +
                    " (other settings need a restart)");
    log.set_level(next.level);
    log.set_access(next.access);
  } catch (const CLI::Error& e) {
    print_error(std::string("SIGHUP: configuration not reloaded: ") + e.what());
  }
}

/// True when opening `uri` failed for a reason that may pass: Redis unreachable (a bad URI or
/// an unreadable file will not get better).
bool may_recover(std::string_view uri, const Error& error) {
  const bool redis = uri.substr(0, 8) == "redis://" || uri.substr(0, 9) == "rediss://";
  return redis && error.code == ErrorCode::storage_unavailable &&
         error.message.rfind("bad inbox URI", 0) != 0 &&
         error.message.find("password") == std::string::npos;
}

}  // namespace

int run_serve(const ServeConfig& config) {
  Log::instance().configure(config.log);
  if (config.path.empty() || config.path.front() != '/' || config.path.back() == '/' ||
      config.path == "/healthz" || config.path == "/metrics") {
    print_error("--path must start with '/', not end with '/', and not be /healthz or /metrics");
    return 2;
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

  std::shared_ptr<Inbox> inbox;
  bool waiting = false;
  if (config.inbox == "none") {
    Log::instance().message(
        LogLevel::warn, "serve",
        "--inbox none: events are checked and answered 200 but NOT stored (benchmarks)");
  } else {
    log_redis_failovers(print_error);
    Result<std::unique_ptr<Inbox>> opened = open_inbox(config.inbox);
    if (!opened) {
      if (!may_recover(config.inbox, opened.error()) || config.storage_wait.count() == 0) {
        print_error("cannot open the inbox: " + opened.error().message);
        return 2;
      }
      Log::instance().message(LogLevel::warn, "serve",
                              "cannot open the inbox: " + opened.error().message +
                                  "; retrying for up to " + format_duration(config.storage_wait) +
                                  " (--storage-wait), answering 503 meanwhile");
      waiting = true;
    } else {
      inbox = std::move(*opened);
      if (const std::optional<std::string> warning = durability_warning(*inbox)) {
        Log::instance().message(LogLevel::warn, "serve", *warning);
      }
    }
    if (inbox && !check_redis_replication(*inbox, print_error, print_error)) return 2;
  }

  const bool companion = config.companion && config.companion->enabled();
  if (companion) {
    if (config.inbox == "none") {
      print_error("--forward-to needs an inbox (not --inbox none)");
      return 2;
    }
    if (const std::optional<std::string> error = config.companion->prepare()) {
      print_error(*error);
      return 2;
    }
  }

  Service service(config, std::move(secret));
  if (!waiting) service.set_inbox(inbox);
  mwb::Server server(config.server, [&service](const mwb::Request& req, mwb::ReadStatus status,
                                               const mwb::Peer& peer) {
    return service.handle(req, status, peer);
  });
  if (const auto ec = server.listen()) {
    print_error("cannot listen on " + config.server.host + ":" +
                std::to_string(config.server.port) + ": " + ec.message());
    return 1;
  }
  // The companion (the forwarder) drains while the server does, and stops before the inbox
  // is closed. It starts once the inbox is open (at once, or when the storage comes up).
  std::atomic<bool> stop_companion{false};
  std::thread companion_thread;
  const auto start_companion = [&] {
    if (!companion) return;
    companion_thread = std::thread([&, open = service.inbox()] {
      const int status = config.companion->run(*open, service.registry(), stop_companion);
      if (status != 0) print_error("the forwarder stopped with status " + std::to_string(status));
    });
  };
  if (!waiting) start_companion();
  // The signal waits keep the server's io_context running: a stop cancels them too.
  boost::asio::signal_set signals{server.context(), SIGINT, SIGTERM};
  boost::asio::signal_set hangup{server.context(), SIGHUP};
  SystemdNotifier systemd(server.context(), "listening");
  const auto stop = [&server, &signals, &hangup, &stop_companion] {
    boost::system::error_code ignored;
    signals.cancel(ignored);
    hangup.cancel(ignored);
    stop_companion.store(true);
    server.shutdown();
  };
  signals.async_wait([&stop](boost::system::error_code ec, int) {
    if (!ec) stop();
  });
  std::function<void(boost::system::error_code, int)> on_hangup =
      [&hangup, &on_hangup](boost::system::error_code ec, int) {
        if (ec) return;
        reload_logs();
        hangup.async_wait(on_hangup);
      };
  hangup.async_wait(on_hangup);

  // Storage down at start: keep trying in the background with backoff, as after a later outage.
  std::atomic<bool> gave_up{false};
  std::atomic<bool> stop_waiting{false};
  std::thread opener;
  if (waiting) {
    opener = std::thread([&] {
      const auto deadline = std::chrono::steady_clock::now() + config.storage_wait;
      auto pause = std::chrono::milliseconds(250);
      while (!stop_waiting.load()) {
        Result<std::unique_ptr<Inbox>> opened = open_inbox(config.inbox);
        if (opened) {
          std::shared_ptr<Inbox> now = std::move(*opened);
          if (const std::optional<std::string> warning = durability_warning(*now)) {
            Log::instance().message(LogLevel::warn, "serve", *warning);
          }
          service.set_inbox(std::move(now));
          Log::instance().message(LogLevel::info, "serve", "the inbox is open");
          start_companion();
          return;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
          print_error("cannot open the inbox after " + format_duration(config.storage_wait) +
                      " (--storage-wait): " + opened.error().message);
          gave_up = true;
          // Not a signal: the notifier's own signal wait must end too.
          boost::asio::post(server.context(), [&systemd, &stop] {
            systemd.stop();
            stop();
          });
          return;
        }
        for (auto slept = std::chrono::milliseconds(0); slept < pause && !stop_waiting.load();
             slept += std::chrono::milliseconds(50)) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        pause = std::min<std::chrono::milliseconds>(pause * 2, std::chrono::seconds(5));
      }
    });
  }

  const unsigned short port = server.local_endpoint().port();
  const bool v6 = config.server.host.find(':') != std::string::npos;
  std::printf("listening on %s%s%s:%u\n", v6 ? "[" : "", config.server.host.c_str(), v6 ? "]" : "",
              static_cast<unsigned>(port));
  std::fflush(stdout);
  Log::instance().message(LogLevel::info, "serve",
                          summary(config, port, !config.secret_file.empty()));
  server.run();
  stop_waiting = true;
  if (opener.joinable()) opener.join();
  stop_companion.store(true);
  if (companion_thread.joinable()) companion_thread.join();
  service.close_inbox();
  if (server.connections_cut() > 0) {
    print_error("drain timeout: closed " + std::to_string(server.connections_cut()) +
                " connections");
  }
  Log::instance().message(LogLevel::info, "serve", "stopped");
  return gave_up ? 2 : 0;
}

}  // namespace morph::webhook::cli
