// Durable appends per second into a RedisInbox and, on the same machine and in the same run, a
// SqliteInbox (group commit, synchronous=FULL), at 1, 16 and 64 concurrent appenders. A
// standalone program: what is measured is threads waiting on the network and on fsync.
//
//   morph_webhook_inbox_redis_bench --redis URI [--redis-password-file F] [--sqlite-dir DIR]
//                                   [--seconds S] [--clients 1,16,64]
//
// Start redis-server with its --dir on the disk you care about (not tmpfs) and
// `--appendonly yes --appendfsync always`; give --sqlite-dir on the same disk for a fair
// comparison. Each run appends distinct events (examples/payloads/contact-updated.json with a
// unique id) to a fresh inbox (a new Redis name, a new SQLite file) for S seconds (default 3).
#include <morph/webhook/inbox/redis.hpp>
#include <morph/webhook/inbox/sqlite.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace mw = morph::webhook;

namespace {

struct Rate {
  double per_second = 0;
  bool failed = false;
};

// `clients` threads append distinct events to `inbox` for `seconds`.
Rate measure(mw::Inbox& inbox, const std::string& body, std::size_t id_at, std::size_t id_len,
             int clients, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> appends{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const std::string id = "c" + std::to_string(t) + "-" + std::to_string(i);
        std::string b = body;
        b.replace(id_at, id_len, id);
        mw::EventFacts facts;
        facts.model = "genericContact";
        facts.id = id;
        facts.trigger = mw::Trigger::updated;
        facts.updated_at = mw::system_now();
        const auto r = inbox.append(mw::Headers{"hubspot", "owner-1", id}, b, facts);
        if (!r || r->status != mw::AppendStatus::stored) {
          if (!r) std::fprintf(stderr, "%s\n", mw::to_string(r.error()).c_str());
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
  return Rate{static_cast<double>(appends.load()) / elapsed, failed.load()};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string redis_uri;
  std::string password_file;
  std::string sqlite_dir;
  double seconds = 3;
  std::vector<int> clients = {1, 16, 64};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--redis" && i + 1 < argc) {
      redis_uri = argv[++i];
    } else if (arg == "--redis-password-file" && i + 1 < argc) {
      password_file = argv[++i];
    } else if (arg == "--sqlite-dir" && i + 1 < argc) {
      sqlite_dir = argv[++i];
    } else if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--clients" && i + 1 < argc) {
      clients.clear();
      for (char* p = argv[++i]; *p != '\0';) {
        clients.push_back(static_cast<int>(std::strtol(p, &p, 10)));
        if (*p == ',') ++p;
      }
    } else {
      std::fprintf(stderr,
                   "usage: %s --redis URI [--redis-password-file F] [--sqlite-dir DIR]"
                   " [--seconds S] [--clients 1,16,64]\n",
                   argv[0]);
      return 2;
    }
  }
  if (redis_uri.empty()) {
    std::fprintf(stderr, "--redis URI is required\n");
    return 2;
  }
  auto endpoint = mw::parse_redis_uri(redis_uri);
  if (!endpoint) {
    std::fprintf(stderr, "%s\n", endpoint.error().message.c_str());
    return 2;
  }
  if (!password_file.empty()) {
    auto pw = mw::read_redis_password_file(password_file);
    if (!pw) {
      std::fprintf(stderr, "%s\n", pw.error().message.c_str());
      return 2;
    }
    endpoint->password = *pw;
  }
  const std::string body = read_file(MORPH_BENCH_PAYLOADS_DIR "/contact-updated.json");
  const std::string id_value = "247";
  const std::size_t id_at = body.find("\"id\": \"" + id_value + "\"");
  if (id_at == std::string::npos) {
    std::fprintf(stderr, "contact-updated.json has no \"id\": \"247\"\n");
    return 2;
  }

  // One fresh inbox per row: a new name in Redis, a new file for SQLite.
  struct Backend {
    const char* name;
    std::function<std::unique_ptr<mw::Inbox>(int run)> open;
  };
  std::vector<Backend> backends;
  backends.push_back({"redis (AOF as configured on the server)", [&](int run) {
                        mw::RedisEndpoint ep = *endpoint;
                        ep.name = "bench-" + std::to_string(::getpid()) + "-" + std::to_string(run);
                        mw::RedisOptions o;
                        o.expire_in_background = false;
                        auto inbox = mw::RedisInbox::open(ep, o);
                        if (!inbox) {
                          std::fprintf(stderr, "%s\n", inbox.error().message.c_str());
                          std::exit(2);
                        }
                        return std::unique_ptr<mw::Inbox>(std::move(*inbox));
                      }});
  if (!sqlite_dir.empty()) {
    backends.push_back({"sqlite (group commit, synchronous=FULL)", [&](int run) {
                          const std::string path = sqlite_dir + "/morph-bench-" +
                                                   std::to_string(::getpid()) + "-" +
                                                   std::to_string(run) + ".db";
                          auto inbox = mw::SqliteInbox::open(path);
                          if (!inbox) {
                            std::fprintf(stderr, "%s\n", inbox.error().message.c_str());
                            std::exit(2);
                          }
                          return std::unique_ptr<mw::Inbox>(std::move(*inbox));
                        }});
  }
  {
    auto probe = mw::RedisInbox::open(*endpoint);
    if (probe) {
      if (auto p = (*probe)->persistence()) std::printf("redis: %s\n", p->describe().c_str());
    }
  }
  std::printf("%-42s %8s %12s\n", "backend", "clients", "appends/s");
  int run = 0;
  bool failed = false;
  for (const Backend& backend : backends) {
    for (const int c : clients) {
      std::unique_ptr<mw::Inbox> inbox = backend.open(++run);
      const Rate rate = measure(*inbox, body, id_at + 7, id_value.size(), c, seconds);
      failed = failed || rate.failed;
      std::printf("%-42s %8d %12.0f%s\n", backend.name, c, rate.per_second,
                  rate.failed ? "  (an append failed)" : "");
      std::fflush(stdout);
    }
  }
  if (!sqlite_dir.empty()) {
    for (int i = 1; i <= run; ++i) {
      const std::string path =
          sqlite_dir + "/morph-bench-" + std::to_string(::getpid()) + "-" + std::to_string(i) + ".db";
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    }
  }
  return failed ? 1 : 0;
}
