// Crash test of `morph-webhook serve` on a real SQLite file: client threads post events (new
// ones, retries of earlier keys, byte-identical bodies under new keys, invalid bodies) while
// another thread kill -9's serve at random moments and restarts it on the same file and port.
// A client resends a request that got no answer (as Morph would) until it gets one. At the end
// the inbox is read directly and checked against every answer the clients got:
//  - every event answered 200 is in the inbox exactly once, under the delivery id it was given;
//  - every retry and every identical body was answered 200 duplicate=true and stored nothing;
//  - nothing answered 400 is in the inbox, and the inbox holds nothing else.
// MORPH_WEBHOOK_CRASH_EVENTS overrides the number of requests (default 5000).
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "morph/webhook/inbox/sqlite.hpp"
#include "process_support.hpp"

namespace {

namespace mw = morph::webhook;
using namespace std::chrono_literals;

using test_process::read_file;

// `morph-webhook serve` on a fixed inbox file and port (the first start picks the port).
class Serve {
 public:
  Serve(std::string dir, std::string inbox) : dir_(std::move(dir)), inbox_(std::move(inbox)) {}
  ~Serve() { stop(SIGKILL); }

  void start() {
    const std::string log = dir_ + "/serve-" + std::to_string(starts_++) + ".log";
    pid_ = test_process::spawn_logged(
        {MORPH_WEBHOOK_CLI_PATH, "serve", "--host", "127.0.0.1", "--port", std::to_string(port_),
         "--inbox", inbox_, "--threads", "8"},
        log);
    REQUIRE(pid_ > 0);
    const std::optional<int> port = test_process::wait_for_port(log, pid_);
    if (!port) {
      stop(SIGKILL);
      FAIL("serve did not start: " << read_file(log) << read_file(log + ".err"));
    }
    port_ = *port;
  }

  // The wait status, or -1 when it was not running.
  int stop(int signal) {
    if (pid_ <= 0) return -1;
    const int status = test_process::stop(pid_, signal);
    pid_ = -1;
    return status;
  }

  int port() const { return port_; }
  int starts() const { return starts_; }

 private:
  std::string dir_;
  std::string inbox_;
  int port_ = 0;
  int starts_ = 0;
  pid_t pid_ = -1;
};

enum class Kind { original, retry, identical, invalid };

struct Sent {
  Kind kind = Kind::original;
  std::string key;
  std::string body;
  std::size_t of = 0;  // retry/identical: index of the original in `originals`
  int status = 0;
  std::string answer;
};

long long number_after(const std::string& text, const std::string& name) {
  const auto at = text.find("\"" + name + "\":");
  if (at == std::string::npos) return -1;
  return std::atoll(text.c_str() + at + name.size() + 3);
}

bool is_duplicate(const std::string& answer) {
  return answer.find("\"duplicate\":true") != std::string::npos;
}

}  // namespace

TEST_CASE("serve killed with SIGKILL at random moments loses nothing and stores nothing twice",
          "[crash]") {
  char dir_template[] = "/tmp/morph-crash-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  const std::string dir = dir_template;
  const std::string db = dir + "/inbox.db";
  const char* env_count = std::getenv("MORPH_WEBHOOK_CRASH_EVENTS");
  const std::size_t total = env_count ? std::strtoul(env_count, nullptr, 10) : 5000;

  const std::string call = read_file(MORPH_WEBHOOK_PAYLOADS_DIR "/call-created.json");
  const std::string invalid = read_file(MORPH_WEBHOOK_PAYLOADS_DIR "/invalid/bad-date.json");
  const std::string id_text = "\"id\": \"29090716\"";
  REQUIRE(call.find(id_text) != std::string::npos);
  const auto body_for = [&](std::size_t n) {
    std::string b = call;
    b.replace(b.find(id_text), id_text.size(), "\"id\": \"crash-" + std::to_string(n) + "\"");
    return b;
  };

  Serve serve(dir, "sqlite:" + db);
  serve.start();

  std::mutex mutex;
  std::vector<Sent> sent(total);
  std::vector<std::size_t> originals;  // indexes into `sent` of originals answered 200
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> unanswered{0};
  std::atomic<std::size_t> resent{0};  // attempts that got no answer (serve was killed)

  // One request until it gets an answer (a reset or refused connection is retried, as a
  // webhook sender retries), at most 60 s.
  const auto deliver = [&](httplib::Client& client, Sent& s) {
    const httplib::Headers headers{
        {"x-conector-id", "hubspot"}, {"x-owner-id", "acme-prod-eu"}, {"x-idempotency-key", s.key}};
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto res = client.Post("/webhooks/morph", headers, s.body, "application/json");
      if (res && res->status != 503) {
        s.status = res->status;
        s.answer = res->body;
        return;
      }
      ++resent;
      std::this_thread::sleep_for(10ms);
    }
    ++unanswered;
  };

  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      std::mt19937 rng(static_cast<unsigned>(1234 + c));
      std::uniform_real_distribution<double> pick(0.0, 1.0);
      for (std::size_t i = next++; i < total; i = next++) {
        Sent& s = sent[i];
        const double r = pick(rng);
        {
          std::lock_guard<std::mutex> lock(mutex);
          if (r < 0.10 && !originals.empty()) {
            s.kind = Kind::retry;
          } else if (r < 0.15 && !originals.empty()) {
            s.kind = Kind::identical;
          } else if (r < 0.17) {
            s.kind = Kind::invalid;
          }
          if (s.kind == Kind::retry || s.kind == Kind::identical) {
            s.of =
                originals[std::uniform_int_distribution<std::size_t>(0, originals.size() - 1)(rng)];
          }
        }
        switch (s.kind) {
          case Kind::original:
            s.key = "ev-" + std::to_string(i);
            s.body = body_for(i);
            break;
          case Kind::retry:
            s.key = sent[s.of].key;
            s.body = sent[s.of].body;
            break;
          case Kind::identical:
            s.key = "identical-" + std::to_string(i);
            s.body = sent[s.of].body;
            break;
          case Kind::invalid:
            s.key = "invalid-" + std::to_string(i);
            s.body = invalid;
            break;
        }
        // A connection per request, with short timeouts so a killed server is noticed at once.
        httplib::Client client("127.0.0.1", serve.port());
        client.set_connection_timeout(1, 0);
        client.set_read_timeout(5, 0);
        deliver(client, s);
        if (s.kind == Kind::original && s.status == 200) {
          std::lock_guard<std::mutex> lock(mutex);
          originals.push_back(i);
        }
      }
    });
  }

  // The killer: SIGKILL at random moments, restart on the same file and port.
  std::mt19937 rng(42);
  int kills = 0;
  while (next.load() < total) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 150)(rng)));
    if (next.load() >= total) break;
    serve.stop(SIGKILL);
    ++kills;
    serve.start();
  }
  for (std::thread& t : clients) t.join();
  REQUIRE(serve.stop(SIGTERM) == 0);
  INFO("kill -9: " << kills << " times; serve started " << serve.starts() << " times");
  CHECK(kills >= 3);
  CHECK(resent.load() > 0);  // some requests were cut by a kill
  REQUIRE(unanswered.load() == 0);

  // Read everything back, directly from the file.
  auto inbox = mw::SqliteInbox::open(db);
  REQUIRE(inbox);
  auto all = (*inbox)->lease(total + 1, std::chrono::hours(1));
  REQUIRE(all);
  std::map<std::string, std::vector<mw::Delivery>> by_key;
  for (mw::Delivery& d : *all) by_key[d.idempotency_key].push_back(std::move(d));

  std::size_t original_count = 0;
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const Sent& s : sent) {
    ++counts[static_cast<int>(s.kind)];
    INFO("key " << s.key << " answered " << s.status << " " << s.answer);
    switch (s.kind) {
      case Kind::original: {
        REQUIRE(s.status == 200);
        ++original_count;
        const auto it = by_key.find(s.key);
        REQUIRE(it != by_key.end());
        REQUIRE(it->second.size() == 1);
        CHECK(it->second[0].body == s.body);
        CHECK(it->second[0].id == number_after(s.answer, "delivery"));
        break;
      }
      case Kind::retry:
      case Kind::identical:
        REQUIRE(s.status == 200);
        CHECK(is_duplicate(s.answer));
        CHECK(number_after(s.answer, "delivery") == number_after(sent[s.of].answer, "delivery"));
        if (s.kind == Kind::identical) CHECK(by_key.count(s.key) == 0);
        break;
      case Kind::invalid:
        CHECK(s.status == 400);
        CHECK(by_key.count(s.key) == 0);
        break;
    }
  }
  INFO("originals " << counts[0] << ", retries " << counts[1] << ", identical bodies " << counts[2]
                    << ", invalid " << counts[3] << ", kills " << kills);
  CHECK(all->size() == original_count);
  CHECK(counts[1] > total / 20);
  CHECK(counts[2] > total / 50);
  std::printf(
      "crash test: %zu requests (%zu new, %zu retries, %zu identical bodies, %zu "
      "invalid), serve killed %d times, %zu attempts cut, inbox holds %zu deliveries\n",
      total, counts[0], counts[1], counts[2], counts[3], kills, resent.load(), all->size());
  inbox->reset();
  std::filesystem::remove_all(dir);
}
