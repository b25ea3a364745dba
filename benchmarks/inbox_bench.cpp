// Durable appends per second into a SqliteInbox, at 1, 16 and 64 concurrent appenders, with
// group commit, with one commit per append, and (for reference, not durable on power loss)
// with synchronous=NORMAL. A standalone program, not a Google Benchmark: what is measured is
// threads waiting on fsync, not a loop on one core.
//
//   morph_webhook_inbox_bench [--dir DIR] [--seconds S] [--clients 1,16,64] [--mode
//   group|single|normal]
//   morph_webhook_inbox_bench --lease-ack [--dir DIR] [--resources 10000] [--events 10]
//   [--workers 4] [--batch 10] [--rounds 1] [--mode group|normal]
//
// --lease-ack: lease + ack throughput with ordering per resource on and off, side by side.
// RESOURCES x EVENTS deliveries (each resource's events appended in turn, resources
// interleaved) are stored first (not measured), then WORKERS threads lease BATCH at a time and
// ack each one until the inbox is empty; prints deliveries/s for ordered=true and false and
// their ratio: group commit with synchronous=FULL as `serve` runs (--mode group), or NORMAL
// (--mode normal: no fsync, so what ordering costs in SQL is not hidden behind the disk). With
// --rounds R both run R times, alternating, and the median of each is reported (a shared
// machine's noise hits both alike).
//
// DIR must be on the disk you care about (not tmpfs, where fsync costs nothing); default ".".
// Each run appends distinct events (the body of examples/payloads/call-created.json with a
// unique id) for S seconds (default 3) to a fresh file, then prints appends/s and commits per
// append. With synchronous=FULL in WAL mode every commit is one fsync of the log (checkpoints
// add a few: check with `strace -f -c -e trace=fsync,fdatasync`).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <morph/webhook/inbox/sqlite.hpp>
#include <string>
#include <thread>
#include <vector>

namespace mw = morph::webhook;

namespace {

constexpr const char* body_template =
    R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement",)"
    R"("id":"ID","fields":{"type":"call","direction":"outbound","status":"completed",)"
    R"("title":"Call with Jane Doe about the renewal","description":"Discussed pricing for the )"
    R"(next year, agreed on a follow-up meeting with their procurement team next week.",)"
    R"("startedAt":"2025-03-06T09:05:04.606Z","endedAt":"2025-03-06T09:35:04.606Z",)"
    R"("duration":1800,"owner":{"object":"resourceRef","model":"genericUser","id":"123"},)"
    R"("users":[{"object":"resourceRef","model":"genericUser","id":"123"}],)"
    R"("contacts":[{"object":"resourceRef","model":"genericContact","id":"247"}],)"
    R"("companies":[{"object":"resourceRef","model":"genericCompany","id":"88"}]},)"
    R"("createdAt":"2025-03-06T09:05:04.606Z","updatedAt":"2025-03-06T09:35:04.606Z"}})";

struct Mode {
  const char* key;
  const char* name;
  bool group_commit;
  mw::SqliteSynchronous synchronous;
};

struct Outcome {
  double appends_per_second = 0;
  double commits_per_append = 0;
  std::uint64_t appends = 0;
  bool failed = false;
};

Outcome run(const std::string& dir, const Mode& mode, int clients, double seconds) {
  const std::string path = dir + "/morph-inbox-bench-" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  mw::SqliteOptions options;
  options.group_commit = mode.group_commit;
  options.synchronous = mode.synchronous;
  Outcome out;
  {
    auto inbox = mw::SqliteInbox::open(path, options);
    if (!inbox) {
      std::fprintf(stderr, "%s\n", mw::to_string(inbox.error()).c_str());
      std::exit(2);
    }
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> appends{0};
    std::atomic<bool> failed{false};
    const std::uint64_t commits_before = (*inbox)->commits();
    std::vector<std::thread> threads;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        std::string body = body_template;
        const std::size_t id_at = body.find("\"ID\"") + 1;
        for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
          const std::string id = std::to_string(t) + "-" + std::to_string(i);
          std::string b = body;
          b.replace(id_at, 2, id);
          mw::EventFacts facts;
          facts.model = "crmEngagement";
          facts.id = id;
          facts.trigger = mw::Trigger::created;
          const auto r = (*inbox)->append(mw::Headers{"hubspot", "owner-1", id}, b, facts);
          if (!r || r->status != mw::AppendStatus::stored) {
            failed = true;
            return;
          }
          appends.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& th : threads) th.join();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.appends = appends.load();
    out.appends_per_second = static_cast<double>(out.appends) / elapsed;
    out.commits_per_append = out.appends == 0
                                 ? 0
                                 : static_cast<double>((*inbox)->commits() - commits_before) /
                                       static_cast<double>(out.appends);
    out.failed = failed.load();
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return out;
}

// CPU seconds (user + system) this process has used so far.
double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

struct LeaseAck {
  double deliveries_per_second = 0;
  double cpu_us_per_delivery = 0;  // what a shared machine's load does not change much
  std::uint64_t deliveries = 0;
  double seconds = 0;
  bool failed = false;
};

// Fills a fresh inbox with `resources` x `events` deliveries, then drains it with `workers`
// threads leasing `batch` at a time and acking each.
LeaseAck lease_ack(const std::string& dir, bool ordered, mw::SqliteSynchronous synchronous,
                   int resources, int events, int workers, std::size_t batch) {
  const std::string path = dir + "/morph-inbox-bench-" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  mw::SqliteOptions options;
  options.inbox.ordered = ordered;
  options.synchronous = synchronous;
  LeaseAck out;
  {
    // Filled without fsync (not measured), then reopened as `serve` opens it.
    mw::SqliteOptions fill = options;
    fill.synchronous = mw::SqliteSynchronous::normal;
    auto inbox = mw::SqliteInbox::open(path, fill);
    if (!inbox) {
      std::fprintf(stderr, "%s\n", mw::to_string(inbox.error()).c_str());
      std::exit(2);
    }
    std::vector<std::thread> threads;
    std::atomic<bool> failed{false};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int e = 0; e < events; ++e) {
          for (int r = t; r < resources; r += 8) {
            const std::string id = std::to_string(r);
            const std::string key = id + "-" + std::to_string(e);
            std::string body = body_template;
            body.replace(body.find("\"ID\"") + 1, 2, key);
            mw::EventFacts facts;
            facts.model = "crmEngagement";
            facts.id = id;
            facts.trigger = mw::Trigger::updated;
            facts.updated_at = mw::TimePoint(std::chrono::seconds(1741251600 + e));
            if (!(*inbox)->append(mw::Headers{"hubspot", "owner-1", key}, body, facts)) {
              failed = true;
            }
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    if (failed) {
      out.failed = true;
      return out;
    }
  }
  {
    auto inbox = mw::SqliteInbox::open(path, options);
    if (!inbox) {
      std::fprintf(stderr, "%s\n", mw::to_string(inbox.error()).c_str());
      std::exit(2);
    }
    std::atomic<std::uint64_t> done{0};
    std::atomic<bool> failed{false};
    const auto total = static_cast<std::uint64_t>(resources) * static_cast<std::uint64_t>(events);
    std::vector<std::thread> threads;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&] {
        while (done.load() < total && !failed.load()) {
          const auto leased = (*inbox)->lease(batch, std::chrono::seconds(60));
          if (!leased) {
            failed = true;
            return;
          }
          if (leased->empty()) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            continue;
          }
          for (const mw::Delivery& d : *leased) {
            if (!(*inbox)->ack(d)) failed = true;
            done.fetch_add(1);
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.deliveries = done.load();
    out.deliveries_per_second = static_cast<double>(out.deliveries) / out.seconds;
    out.cpu_us_per_delivery = (cpu_seconds() - cpu_start) * 1e6 /
                              static_cast<double>(std::max<std::uint64_t>(1, out.deliveries));
    out.failed = failed.load();
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return out;
}

int run_lease_ack(const std::string& dir, mw::SqliteSynchronous synchronous, int resources,
                  int events, int workers, std::size_t batch, int rounds) {
  std::printf(
      "lease + ack: %d resources x %d events, %d workers, lease batch %zu, synchronous=%s\n",
      resources, events, workers, batch,
      synchronous == mw::SqliteSynchronous::full ? "FULL" : "NORMAL");
  std::printf("%-6s %-10s %12s %12s %10s %14s\n", "round", "ordered", "deliveries", "per second",
              "seconds", "cpu us/deliv.");
  std::vector<double> on_rates;
  std::vector<double> off_rates;
  std::vector<double> on_cpu;
  std::vector<double> off_cpu;
  bool failed = false;
  for (int round = 1; round <= rounds; ++round) {
    for (const bool ordered : {true, false}) {
      const LeaseAck r = lease_ack(dir, ordered, synchronous, resources, events, workers, batch);
      failed = failed || r.failed;
      (ordered ? on_rates : off_rates).push_back(r.deliveries_per_second);
      (ordered ? on_cpu : off_cpu).push_back(r.cpu_us_per_delivery);
      std::printf("%-6d %-10s %12llu %12.0f %10.2f %14.1f%s\n", round, ordered ? "true" : "false",
                  static_cast<unsigned long long>(r.deliveries), r.deliveries_per_second, r.seconds,
                  r.cpu_us_per_delivery, r.failed ? "  (an operation failed)" : "");
      std::fflush(stdout);
    }
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double on = median(on_rates);
  const double off = median(off_rates);
  std::printf("median deliveries/s: ordered %.0f, unordered %.0f; ordered / unordered: %.2f\n", on,
              off, off > 0 ? on / off : 0.0);
  const double on_us = median(on_cpu);
  const double off_us = median(off_cpu);
  std::printf(
      "median CPU per delivery: ordered %.1f us, unordered %.1f us; ordered / unordered: "
      "%.2f\n",
      on_us, off_us, off_us > 0 ? on_us / off_us : 0.0);
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  double seconds = 3;
  std::vector<int> clients = {1, 16, 64};
  std::string only_mode;
  bool lease_ack_mode = false;
  int resources = 10000;
  int events = 10;
  int workers = 4;
  std::size_t batch = 10;
  int rounds = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--lease-ack") {
      lease_ack_mode = true;
    } else if (arg == "--resources" && i + 1 < argc) {
      resources = std::atoi(argv[++i]);
    } else if (arg == "--events" && i + 1 < argc) {
      events = std::atoi(argv[++i]);
    } else if (arg == "--workers" && i + 1 < argc) {
      workers = std::atoi(argv[++i]);
    } else if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--batch" && i + 1 < argc) {
      batch = static_cast<std::size_t>(std::atol(argv[++i]));
    } else if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--mode" && i + 1 < argc) {
      only_mode = argv[++i];
    } else if (arg == "--clients" && i + 1 < argc) {
      clients.clear();
      for (char* p = argv[++i]; *p != '\0';) {
        clients.push_back(static_cast<int>(std::strtol(p, &p, 10)));
        if (*p == ',') ++p;
      }
    } else {
      std::fprintf(stderr,
                   "usage: %s [--dir DIR] [--seconds S] [--clients 1,16,64]"
                   " [--mode group|single|normal]\n"
                   "       %s --lease-ack [--dir DIR] [--resources N] [--events M]"
                   " [--workers W] [--batch B] [--rounds R] [--mode group|normal]\n",
                   argv[0], argv[0]);
      return 2;
    }
  }
  if (lease_ack_mode) {
    const mw::SqliteSynchronous synchronous =
        only_mode == "normal" ? mw::SqliteSynchronous::normal : mw::SqliteSynchronous::full;
    return run_lease_ack(dir, synchronous, resources, events, workers, batch, rounds);
  }
  const Mode modes[] = {
      {"group", "group commit, synchronous=FULL", true, mw::SqliteSynchronous::full},
      {"single", "one commit per append, synchronous=FULL", false, mw::SqliteSynchronous::full},
      {"normal", "group commit, synchronous=NORMAL (not durable on power loss)", true,
       mw::SqliteSynchronous::normal},
  };
  std::printf("%-62s %8s %12s %16s\n", "mode", "clients", "appends/s", "commits/append");
  bool failed = false;
  for (const Mode& mode : modes) {
    if (!only_mode.empty() && only_mode != mode.key) continue;
    for (int c : clients) {
      const Outcome o = run(dir, mode, c, seconds);
      failed = failed || o.failed;
      std::printf("%-62s %8d %12.0f %16.3f%s\n", mode.name, c, o.appends_per_second,
                  o.commits_per_append, o.failed ? "  (an append failed)" : "");
      std::fprintf(stderr, "%s, %d clients: %llu appends\n", mode.key, c,
                   static_cast<unsigned long long>(o.appends));
      std::fflush(stdout);
    }
  }
  return failed ? 1 : 0;
}
