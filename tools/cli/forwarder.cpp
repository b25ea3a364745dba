/// @file forwarder.cpp
/// @brief The forwarder (forwarder.hpp): one thread drives libcurl's multi interface (leasing,
/// starting requests, reading answers); a few settler threads ack or fail deliveries, so the
/// inbox's commits are shared between concurrent settlements as appends share theirs.
#include "cli/forwarder.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "cli/inbox_common.hpp"
#include "morph/webhook/version.hpp"

namespace morph::webhook::cli {
namespace {

using Clock = std::chrono::steady_clock;

void log_error(const std::string& message) {
  std::fprintf(stderr, "morph-webhook forward: %s\n", message.c_str());
}

constexpr std::string_view user_agent = "user-agent: morph-webhook/" MORPH_WEBHOOK_VERSION_STRING;

/// Gives a delivery back to the inbox: after `delay` (nullopt: the inbox's backoff),
/// consuming an attempt or not (Retry-After, probes).
Result<Failed> give_back(Inbox& inbox, const Delivery& d, std::string_view reason,
                         std::optional<InboxDuration> delay, bool counts_as_attempt) {
  FailOptions how;
  how.delay = delay;
  how.counts_as_attempt = counts_as_attempt;
  return inbox.fail(d.id, d.lease_token, reason, how);
}

/// What the settler does with a delivery.
struct Settlement {
  enum class Action : std::uint8_t { ack, give_back } action = Action::ack;
  Delivery delivery;
  std::string reason;
  std::optional<InboxDuration> delay;
  bool counts_as_attempt = true;
  ForwardOutcome outcome = ForwardOutcome::acked;  ///< acked, retry_after, failed, probe_failed
  double seconds = 0;
};

/// One request in flight.
struct Transfer {
  Delivery delivery;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string status_line;
  std::optional<std::chrono::seconds> retry_after;
  char error[CURL_ERROR_SIZE] = {};
  Clock::time_point started;
  bool probe = false;
};

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

/// `Retry-After`: delta-seconds or an HTTP date.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  const std::string v = trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return std::chrono::seconds(999999999);
    return std::chrono::seconds(std::stoll(v));
  }
  const time_t when = curl_getdate(v.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const time_t now = std::time(nullptr);
  return std::chrono::seconds(when > now ? when - now : 0);
}

extern "C" size_t discard_body(char*, size_t size, size_t count, void*) { return size * count; }

extern "C" size_t read_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.substr(0, 5) == "HTTP/") {
    t->status_line = trim(line).substr(0, 120);
    t->retry_after.reset();
  } else if (line.size() > 12 && (line[0] == 'R' || line[0] == 'r')) {
    std::string name = std::string(line.substr(0, 12));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "retry-after:") t->retry_after = parse_retry_after(line.substr(12));
  }
  return size * count;
}

std::string seconds_text(InboxDuration d) {
  char out[32];
  std::snprintf(out, sizeof out, "%g s", std::chrono::duration<double>(d).count());
  return out;
}

/// Acks and fails on a few threads, so settlements share the inbox's commits.
class Settlers {
 public:
  Settlers(Inbox& inbox, std::size_t threads, ForwardObserver* observer, bool quiet,
           std::function<void()> wake)
      : inbox_(inbox), observer_(observer), quiet_(quiet), wake_(std::move(wake)) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }
  ~Settlers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  Settlers(const Settlers&) = delete;
  Settlers& operator=(const Settlers&) = delete;

  void push(Settlement s) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++pending_;
      queue_.push_back(std::move(s));
    }
    ready_.notify_one();
  }
  /// Settlements queued or running.
  std::size_t pending() {
    std::lock_guard<std::mutex> lock(mutex_);
    return pending_;
  }
  ForwardTotals totals() {
    std::lock_guard<std::mutex> lock(mutex_);
    return totals_;
  }

 private:
  void work() {
    for (;;) {
      Settlement s;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return closing_ || !queue_.empty(); });
        if (queue_.empty()) return;
        s = std::move(queue_.front());
        queue_.pop_front();
      }
      const ForwardOutcome outcome = settle(s);
      if (observer_ != nullptr) observer_->request_done(outcome, s.seconds);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        --pending_;
        count(outcome);
      }
      wake_();
    }
  }

  ForwardOutcome settle(Settlement& s) {
    const Delivery& d = s.delivery;
    if (s.action == Settlement::Action::ack) {
      const Result<Done> r = inbox_.ack(d);
      if (r) return s.outcome;
      log_error("delivery " + std::to_string(d.id) +
                ": answered 2xx but not acked (it will be sent again): " + r.error().message);
      return ForwardOutcome::unsettled;
    }
    const Result<Failed> r = give_back(inbox_, d, s.reason, s.delay, s.counts_as_attempt);
    if (!r) {
      log_error("delivery " + std::to_string(d.id) +
                ": cannot give it back (it comes back when its lease "
                "expires): " +
                r.error().message);
      return ForwardOutcome::unsettled;
    }
    const ForwardOutcome outcome =
        r->dead && s.outcome == ForwardOutcome::failed ? ForwardOutcome::dead : s.outcome;
    if (!quiet_ || outcome == ForwardOutcome::dead) {
      std::fprintf(stderr, "morph-webhook forward: delivery %lld (attempt %u): %s: %s, %lld ms\n",
                   static_cast<long long>(d.id), d.attempt, s.reason.c_str(),
                   r->dead ? "now dead" : ("retry at " + format_time(r->retry_at)).c_str(),
                   static_cast<long long>(s.seconds * 1000));
    }
    return outcome;
  }

  void count(ForwardOutcome o) {
    switch (o) {
      case ForwardOutcome::acked: ++totals_.acked; break;
      case ForwardOutcome::retry_after: ++totals_.retry_after; break;
      case ForwardOutcome::failed: ++totals_.failed; break;
      case ForwardOutcome::dead:
        ++totals_.failed;
        ++totals_.dead;
        break;
      case ForwardOutcome::probe_failed: ++totals_.probes_failed; break;
      case ForwardOutcome::unsettled: ++totals_.unsettled; break;
    }
  }

  Inbox& inbox_;
  ForwardObserver* observer_;
  bool quiet_;
  std::function<void()> wake_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Settlement> queue_;
  std::size_t pending_ = 0;
  bool closing_ = false;
  ForwardTotals totals_;
  std::vector<std::thread> threads_;
};

/// Consecutive failures → open; a cool-down → one probe; a probe answered → closed.
class Breaker {
 public:
  Breaker(const ForwardConfig& config, ForwardObserver* observer)
      : config_(config), observer_(observer), cooldown_(config.cooldown_initial) {}

  CircuitState state() const { return state_; }
  /// How many deliveries may be leased now, given `busy` slots taken.
  std::size_t allowance(std::size_t busy, Clock::time_point now) const {
    if (state_ == CircuitState::closed) {
      return busy < config_.concurrency ? config_.concurrency - busy : 0;
    }
    if (state_ == CircuitState::open && busy == 0 && now >= probe_at_) return 1;
    return 0;
  }
  /// When an open breaker sends its next probe.
  Clock::time_point probe_at() const { return probe_at_; }
  /// A lease made while open is a probe.
  bool probing() {
    if (state_ != CircuitState::open) return false;
    change(CircuitState::half_open, "sending a probe");
    return true;
  }
  /// The endpoint answered (anything but a failure).
  void answered() {
    failures_ = 0;
    if (state_ != CircuitState::closed) {
      cooldown_ = config_.cooldown_initial;
      change(CircuitState::closed, "the endpoint answered");
    }
  }
  /// A connection error, timeout or 5xx.
  void failed(bool probe, Clock::time_point now) {
    ++failures_;
    if (probe) {
      cooldown_ = std::min(cooldown_ * 2, config_.cooldown_max);
      probe_at_ = now + cooldown_;
      change(CircuitState::open, "the probe failed; next in " + seconds_text(cooldown_));
    } else if (state_ == CircuitState::closed && failures_ >= config_.breaker_failures) {
      probe_at_ = now + cooldown_;
      change(CircuitState::open, std::to_string(failures_) +
                                     " consecutive failures; leasing stops, a probe in " +
                                     seconds_text(cooldown_));
    }
  }

 private:
  void change(CircuitState to, const std::string& why) {
    if (to == state_) return;
    std::fprintf(stderr, "morph-webhook forward: circuit %s -> %s: %s\n",
                 std::string(to_string(state_)).c_str(), std::string(to_string(to)).c_str(),
                 why.c_str());
    state_ = to;
    if (observer_ != nullptr) observer_->circuit(to);
  }

  const ForwardConfig& config_;
  ForwardObserver* observer_;
  CircuitState state_ = CircuitState::closed;
  unsigned failures_ = 0;
  InboxDuration cooldown_;
  Clock::time_point probe_at_{};
};

/// At most `rate` requests per second, in bursts of at most `burst`.
class RateLimit {
 public:
  RateLimit(std::optional<double> rate, double burst)
      : rate_(rate), burst_(std::max(1.0, burst)), tokens_(1.0), last_(Clock::now()) {}
  std::size_t available(Clock::time_point now) {
    if (!rate_) return static_cast<std::size_t>(-1);
    tokens_ =
        std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * *rate_);
    last_ = now;
    return static_cast<std::size_t>(tokens_);
  }
  void take(std::size_t n) {
    if (rate_) tokens_ -= static_cast<double>(n);
  }
  /// When the next token arrives.
  Clock::time_point next(Clock::time_point now) const {
    if (!rate_ || tokens_ >= 1.0) return now;
    return now + std::chrono::duration_cast<Clock::duration>(
                     std::chrono::duration<double>((1.0 - tokens_) / *rate_));
  }

 private:
  std::optional<double> rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

class Forwarder {
 public:
  Forwarder(const ForwardConfig& config, Inbox& inbox, const std::atomic<bool>& stop,
            ForwardObserver* observer)
      : config_(config), inbox_(inbox), stop_(stop), observer_(observer),
        lease_(config.lease ? *config.lease : config.timeout + std::chrono::seconds(30)),
        breaker_(config, observer),
        rate_(config.rate, config.rate ? std::min<double>(*config.rate, config.concurrency) : 1) {}

  int run() {
    multi_ = curl_multi_init();
    if (multi_ == nullptr) {
      log_error("libcurl: cannot create a multi handle");
      return exit_error;
    }
    // One connection per request in flight, kept alive between requests.
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(config_.concurrency));
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(config_.concurrency));
    for (const std::string& h : config_.headers)
      extra_headers_ = curl_slist_append(extra_headers_, h.c_str());
    int status = exit_ok;
    {
      Settlers settlers(inbox_, std::min<std::size_t>(config_.concurrency, 16), observer_,
                        config_.quiet, [this] { curl_multi_wakeup(multi_); });
      settlers_ = &settlers;
      status = loop();
      // Drained: nothing in flight; the settlers finish their queue before they stop.
      while (settlers.pending() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      totals_ = settlers.totals();
      settlers_ = nullptr;
    }
    for (CURL* e : idle_) curl_easy_cleanup(e);
    curl_slist_free_all(extra_headers_);
    curl_multi_cleanup(multi_);
    return status;
  }

  const ForwardTotals& totals() const { return totals_; }

 private:
  int loop() {
    bool draining = false;
    Clock::time_point next_lease{};
    for (;;) {
      const auto now = Clock::now();
      if (!draining && stop_.load()) {
        draining = true;
        std::fprintf(stderr,
                     "morph-webhook forward: stopping: leasing nothing more, %zu requests in "
                     "flight finish\n",
                     transfers_.size());
      }
      const std::size_t busy = transfers_.size() + settlers_->pending();
      if (draining && busy == 0) return exit_ok;
      if (!draining && now >= next_lease) {
        std::size_t want = std::min(breaker_.allowance(busy, now), rate_.available(now));
        if (want > 0) {
          LeaseOptions how;
          how.skip_superseded = config_.skip_superseded;
          Result<std::vector<Delivery>> got = inbox_.lease(want, lease_, how);
          if (!got) {
            log_error("leasing: " + got.error().message);
            if (got.error().code != ErrorCode::storage_unavailable || config_.until_empty) {
              return exit_error;
            }
            next_lease = now + std::chrono::seconds(1);
          } else if (got->empty()) {
            if (config_.until_empty && busy == 0) return exit_ok;
            next_lease = now + config_.poll;
          } else {
            rate_.take(got->size());
            for (Delivery& d : *got) start(std::move(d));
          }
        } else if (breaker_.state() == CircuitState::open) {
          next_lease = std::max(now, breaker_.probe_at());
        } else if (busy < config_.concurrency) {
          next_lease = rate_.next(now);
        }
      }
      int running = 0;
      if (curl_multi_perform(multi_, &running) != CURLM_OK) {
        log_error("libcurl: curl_multi_perform failed");
        return exit_error;
      }
      collect();
      if (observer_ != nullptr) observer_->in_flight(transfers_.size());
      // Sleep until a socket is ready, a settler wakes us, or it is time to lease.
      long wait_ms = 1000;
      const std::size_t busy_now = transfers_.size() + settlers_->pending();
      if (!draining && next_lease > Clock::now() &&
          breaker_.allowance(busy_now, Clock::now()) > 0) {
        wait_ms = static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(next_lease - Clock::now())
                .count() +
            1);
      } else if (!draining && breaker_.state() == CircuitState::open) {
        wait_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        breaker_.probe_at() - Clock::now())
                                        .count() +
                                    1);
      } else if (!draining && next_lease <= Clock::now() &&
                 breaker_.allowance(busy_now, Clock::now()) > 0) {
        wait_ms = 0;
      }
      wait_ms = std::clamp(wait_ms, 0L, 1000L);
      if (wait_ms > 0) curl_multi_poll(multi_, nullptr, 0, static_cast<int>(wait_ms), nullptr);
    }
  }

  void start(Delivery d) {
    auto t = std::make_unique<Transfer>();
    t->delivery = std::move(d);
    t->probe = breaker_.probing();
    if (!idle_.empty()) {
      t->easy = idle_.back();
      idle_.pop_back();
      curl_easy_reset(t->easy);
    } else {
      t->easy = curl_easy_init();
    }
    if (t->easy == nullptr) {
      settlers_->push(Settlement{Settlement::Action::give_back, std::move(t->delivery),
                                 "libcurl: cannot create a request", std::nullopt, true,
                                 ForwardOutcome::failed, 0});
      return;
    }
    const Delivery& dv = t->delivery;
    const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    // A replay (inbox replay) is a new message for the app: its own webhook-id.
    const std::string id = "msg_" + std::to_string(dv.id) + "_" +
                           std::to_string(dv.received_at.time_since_epoch().count()) +
                           (dv.replays > 0 ? "_r" + std::to_string(dv.replays) : std::string());
    curl_slist* h = nullptr;
    const auto add = [&h](const std::string& line) { h = curl_slist_append(h, line.c_str()); };
    add("content-type: application/json");
    add("x-conector-id: " + dv.connector_id);
    add("x-owner-id: " + dv.owner_id);
    add("x-idempotency-key: " + dv.idempotency_key);
    add("webhook-id: " + id);
    add("webhook-timestamp: " + std::to_string(now_s));
    if (!config_.keys.empty()) {
      const auto signature = signing::signature_header(config_.keys, id, now_s, dv.body);
      if (signature) add("webhook-signature: " + *signature);
    }
    add("morph-webhook-attempt: " + std::to_string(dv.attempt));
    add(std::string("morph-webhook-stale: ") + (dv.stale ? "true" : "false"));
    add(std::string("morph-webhook-superseded: ") + (dv.superseded ? "true" : "false"));
    if (dv.replays > 0) add("morph-webhook-replay: " + std::to_string(dv.replays));
    add(std::string(user_agent));
    add("expect:");  // no 100-continue round trip for large bodies
    for (const curl_slist* e = extra_headers_; e != nullptr; e = e->next) add(e->data);
    t->headers = h;

    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, config_.to.c_str());
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, dv.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(dv.body.size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(
        e, CURLOPT_TIMEOUT_MS,
        static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(config_.timeout).count()));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!config_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, config_.ca_file.c_str());
    t->started = Clock::now();
    curl_multi_add_handle(multi_, e);
    transfers_.push_back(std::move(t));
  }

  void collect() {
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Transfer* raw = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &raw);
      const CURLcode code = m->data.result;
      curl_multi_remove_handle(multi_, m->easy_handle);
      const auto it = std::find_if(transfers_.begin(), transfers_.end(),
                                   [raw](const auto& p) { return p.get() == raw; });
      std::unique_ptr<Transfer> t = std::move(*it);
      transfers_.erase(it);
      finish(*t, code);
      curl_slist_free_all(t->headers);
      idle_.push_back(t->easy);
    }
  }

  void finish(Transfer& t, CURLcode code) {
    const auto now = Clock::now();
    const double seconds = std::chrono::duration<double>(now - t.started).count();
    long status = 0;
    if (code == CURLE_OK) curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    Settlement s;
    s.delivery = std::move(t.delivery);
    s.seconds = seconds;
    if (code == CURLE_OK && status >= 200 && status < 300) {
      breaker_.answered();
      s.action = Settlement::Action::ack;
      s.outcome = ForwardOutcome::acked;
      settlers_->push(std::move(s));
      return;
    }
    s.action = Settlement::Action::give_back;
    bool failure = true;  // for the breaker
    if (code != CURLE_OK) {
      s.reason = code == CURLE_OPERATION_TIMEDOUT
                     ? "timed out after " + seconds_text(config_.timeout)
                     : std::string(curl_easy_strerror(code)) +
                           (t.error[0] != '\0' ? ": " + std::string(t.error) : "");
      if (s.reason.size() > 200) s.reason.resize(200);
    } else {
      s.reason = t.status_line.empty() ? "HTTP " + std::to_string(status) : t.status_line;
      failure = status >= 500;
      if ((status == 429 || status == 503) && t.retry_after) {
        failure = status == 503;
        const InboxDuration delay =
            std::min<InboxDuration>(*t.retry_after, config_.retry_after_max);
        s.delay = delay;
        s.counts_as_attempt = false;
        s.outcome = ForwardOutcome::retry_after;
        s.reason += " (retry after " + seconds_text(delay) + ")";
      }
    }
    if (failure) {
      breaker_.failed(t.probe, now);
    } else {
      breaker_.answered();
    }
    if (t.probe && failure) {
      s.counts_as_attempt = false;
      s.outcome = ForwardOutcome::probe_failed;
    } else if (s.counts_as_attempt) {
      s.outcome = ForwardOutcome::failed;
    }
    settlers_->push(std::move(s));
  }

  const ForwardConfig& config_;
  Inbox& inbox_;
  const std::atomic<bool>& stop_;
  ForwardObserver* observer_;
  InboxDuration lease_;
  Breaker breaker_;
  RateLimit rate_;
  CURLM* multi_ = nullptr;
  curl_slist* extra_headers_ = nullptr;
  std::vector<std::unique_ptr<Transfer>> transfers_;
  std::vector<CURL*> idle_;
  Settlers* settlers_ = nullptr;
  ForwardTotals totals_;
};

}  // namespace

std::optional<std::string> check_forward_config(const ForwardConfig& config) {
  const std::string_view to = config.to;
  if (to.substr(0, 7) != "http://" && to.substr(0, 8) != "https://") {
    return "--to must be an http:// or https:// URL";
  }
  CURLU* url = curl_url();
  const CURLUcode rc = curl_url_set(url, CURLUPART_URL, config.to.c_str(), 0);
  curl_url_cleanup(url);
  if (rc != CURLUE_OK) return "--to '" + config.to + "': " + curl_url_strerror(rc);
  if (config.concurrency == 0 || config.concurrency > 1024) {
    return "--concurrency must be between 1 and 1024";
  }
  if (config.rate && !(*config.rate > 0)) return "--rate must be above 0";
  if (config.timeout < std::chrono::milliseconds(1)) return "--timeout must be at least 1ms";
  if (config.lease && *config.lease <= config.timeout) {
    return "--lease must be longer than --timeout (a lease that ends while its request is in "
           "flight lets another worker send it too)";
  }
  if (config.breaker_failures == 0) return "--breaker-failures must be at least 1";
  if (config.cooldown_initial <= InboxDuration::zero() ||
      config.cooldown_max < config.cooldown_initial) {
    return "--breaker-cooldown must be above 0 and at most --breaker-cooldown-max";
  }
  for (const std::string& h : config.headers) {
    const std::size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || h.find_first_of("\r\n") != std::string::npos ||
        h.substr(0, colon).find_first_of(" \t") != std::string::npos) {
      return "--header '" + h + "': expected 'Name: value' on one line";
    }
  }
  return std::nullopt;
}

std::optional<std::string> read_signing_keys(const std::string& path,
                                             std::vector<signing::SigningKey>& out) {
  std::ifstream in(path);
  if (!in) return "cannot read --signing-secret-file " + path;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string secret = trim(line);
    if (secret.empty()) continue;
    auto key = signing::SigningKey::from_secret(secret);
    if (!key) {
      return path + ":" + std::to_string(number) +
             ": not a signing secret (expected whsec_ followed by base64)";
    }
    out.push_back(*key);
  }
  if (out.empty()) return path + ": no secret in it";
  return std::nullopt;
}

int run_forwarder(const ForwardConfig& config, Inbox& inbox, const std::atomic<bool>& stop,
                  ForwardObserver* observer, ForwardTotals* totals) {
  Forwarder forwarder(config, inbox, stop, observer);
  const int status = forwarder.run();
  if (totals != nullptr) *totals = forwarder.totals();
  return status;
}

}  // namespace morph::webhook::cli
