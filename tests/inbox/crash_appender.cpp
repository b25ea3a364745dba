// Helper of the crash test: appends to an SQLite inbox from 4 threads until it is killed, and
// prints one line per append that returned: "<stored|duplicate> <key> <delivery id>", flushed,
// so the test knows which appends were acknowledged when the SIGKILL came.
//
//   morph_webhook_inbox_crash_appender <inbox file>
//   morph_webhook_inbox_crash_appender --lease-and-hang <milliseconds> <inbox file>
//
// The second form is a worker that dies holding leases: it leases everything ready for the
// given time, prints "leased <id>" per delivery and "holding", then waits to be killed.
//
// The sequence is the same on every run, so a run after a crash re-sends what the previous
// runs sent (as Morph retries unacknowledged deliveries): those must all be duplicates. Within
// a run, every 10th append retries an earlier key and every 20th re-sends an earlier body under
// a new key (byte-identical body dedupe).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <morph/webhook/inbox/sqlite.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mw = morph::webhook;

namespace {

std::string body_of(std::size_t i) {
  std::string body = R"({"event":"genericContact::updated","data":{"id":")" + std::to_string(i) +
                     R"(","padding":")";
  body.append(200, 'x');
  body += "\"}}";
  return body;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--lease-and-hang") {
    auto inbox = mw::SqliteInbox::open(argv[3]);
    if (!inbox) return 2;
    const auto leased = (*inbox)->lease(1000000, std::chrono::milliseconds(std::atol(argv[2])));
    if (!leased) return 2;
    for (const mw::Delivery& d : *leased)
      std::printf("leased %lld\n", static_cast<long long>(d.id));
    std::printf("holding\n");
    std::fflush(stdout);
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s [--lease-and-hang MS] INBOX_FILE\n", argv[0]);
    return 2;
  }
  auto inbox = mw::SqliteInbox::open(argv[1]);
  if (!inbox) {
    std::fprintf(stderr, "%s\n", mw::to_string(inbox.error()).c_str());
    return 2;
  }
  std::mutex out;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < 1000000; i += 4) {
        std::string key = "k" + std::to_string(i);
        std::string body = body_of(i);
        if (i % 10 == 9) {
          key = "k" + std::to_string(i / 2);
          body = body_of(i / 2);
        } else if (i % 20 == 5) {
          key = "b" + std::to_string(i);
          body = body_of(i / 2);
        }
        const auto r =
            (*inbox)->append(mw::Headers{"hubspot", "owner", key}, body, mw::EventFacts{});
        std::lock_guard<std::mutex> lock(out);
        if (!r) {
          std::fprintf(stderr, "%s\n", mw::to_string(r.error()).c_str());
          return;
        }
        std::printf("%s %s %lld\n", r->status == mw::AppendStatus::stored ? "stored" : "duplicate",
                    key.c_str(), static_cast<long long>(r->delivery_id));
        std::fflush(stdout);
      }
    });
  }
  for (auto& th : threads) th.join();
  return 0;
}
