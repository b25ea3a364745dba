// inbox_worker: a C++ worker for an SQLite inbox. It leases deliveries, parses each body with
// the library, routes it by model with a Dispatcher, and acks it when a handler did its work,
// or fails it (retried after backoff, a dead letter after 10 attempts) when not.
//
//   inbox_worker [--once] [--lease SECONDS] [--batch N] INBOX_FILE
//
// --once stops when nothing is ready (for scripts and tests); otherwise it polls until SIGINT or
// SIGTERM, finishing the deliveries it holds before it exits. One line per delivery on stdout.
// Exit status: 0 ok, 2 usage or storage error.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <morph/webhook.hpp>
#include <morph/webhook/inbox/sqlite.hpp>
#include <string>
#include <thread>

namespace mw = morph::webhook;

namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void request_stop(int) { stop_requested = 1; }

// What the handlers decided for the delivery being processed; reset before each dispatch.
struct Outcome {
  bool done = false;    // a handler did its work
  std::string failure;  // non-empty: a handler could not do its work (retry later)
  std::string summary;  // for the log line
};

// The application's handlers. Here they print; a real worker writes to its database, and must
// be idempotent: a delivery can come twice (a lease expired while the work was done).
void register_handlers(mw::Dispatcher& hooks, Outcome& outcome) {
  hooks.on_engagement([&outcome](const mw::WebhookEvent& e) {
    if (e.trigger != mw::Trigger::deleted && !e.fields.type) {
      outcome.failure = "engagement " + std::string(e.id) + " has no type yet";
      return;
    }
    outcome.done = true;
    outcome.summary = std::string(e.event) + " " + std::string(e.id);
    if (e.fields.type) outcome.summary += " (" + std::string(e.fields.type->text) + ")";
  });
  hooks.on("genericContact", [&outcome](const mw::ResourceEvent& e) {
    outcome.done = true;
    outcome.summary = std::string(e.event) + " " + std::string(e.id);
  });
  hooks.on_unhandled([&outcome](const mw::ResourceEvent& e) {
    outcome.done = true;  // nothing to do for this model: acknowledged, not retried
    outcome.summary = std::string(e.event) + " " + std::string(e.id) + " (no handler)";
  });
}

int usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--once] [--lease SECONDS] [--batch N] INBOX_FILE\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool once = false;
  long lease_seconds = 30;
  long batch = 16;
  const char* path = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--once") {
      once = true;
    } else if (arg == "--lease" && i + 1 < argc) {
      lease_seconds = std::atol(argv[++i]);
    } else if (arg == "--batch" && i + 1 < argc) {
      batch = std::atol(argv[++i]);
    } else if (path == nullptr && !arg.empty() && arg[0] != '-') {
      path = argv[i];
    } else {
      return usage(argv[0]);
    }
  }
  if (path == nullptr || lease_seconds <= 0 || batch <= 0) return usage(argv[0]);

  auto opened = mw::SqliteInbox::open(path);
  if (!opened) {
    std::fprintf(stderr, "inbox_worker: %s\n", mw::to_string(opened.error()).c_str());
    return 2;
  }
  mw::Inbox& inbox = **opened;
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);

  Outcome outcome;
  mw::Dispatcher hooks;
  register_handlers(hooks, outcome);

  while (stop_requested == 0) {
    auto leased = inbox.lease(static_cast<std::size_t>(batch), std::chrono::seconds(lease_seconds));
    if (!leased) {
      std::fprintf(stderr, "inbox_worker: %s\n", mw::to_string(leased.error()).c_str());
      return 2;
    }
    if (leased->empty()) {
      if (once) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    // Every leased delivery is finished (acked or failed) even after a stop request: giving it
    // back early would only make it wait for its lease to expire.
    for (const mw::Delivery& d : *leased) {
      outcome = Outcome{};
      std::string verdict;
      if (d.stale) {
        // A newer event of this resource was already received: applying this one would undo it.
        outcome.done = true;
        outcome.summary = "stale, skipped";
      } else if (auto r = hooks.dispatch(d.body); !r) {
        outcome.failure = "rejected body: " + mw::to_string(r.error());
      }
      if (outcome.done && outcome.failure.empty()) {
        auto acked = inbox.ack(d);
        verdict = acked ? "acked" : "ack refused: " + mw::to_string(acked.error());
      } else {
        if (outcome.failure.empty()) outcome.failure = "no handler did the work";
        auto failed = inbox.fail(d, outcome.failure);
        verdict = !failed        ? "fail refused: " + mw::to_string(failed.error())
                  : failed->dead ? "failed (" + outcome.failure + "), now a dead letter"
                                 : "failed (" + outcome.failure + "), retried later";
      }
      std::printf("delivery %lld attempt %u: %s: %s\n", static_cast<long long>(d.id), d.attempt,
                  outcome.summary.empty() ? "-" : outcome.summary.c_str(), verdict.c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}
