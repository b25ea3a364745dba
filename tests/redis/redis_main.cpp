// main() of the Redis tests: starts one real redis-server for the whole run (a free 127.0.0.1
// port, a temporary directory, AOF always, a password), runs the Catch2 tests, stops it.
// Exits 77 (ctest: skipped) when redis-server is not installed.
#include <cstdio>
#include <random>
#include <string>

#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#endif

#include "redis_server.hpp"

int main(int argc, char** argv) {
  const std::optional<std::string> binary = redis_test::find_redis_server();
  if (!binary) {
    std::puts(
        "SKIPPED: redis-server not found on PATH (Debian: apt-get install redis-server; "
        "or set MORPH_WEBHOOK_REDIS_SERVER); the Redis inbox tests did not run");
    return 77;
  }
  std::mt19937_64 random{std::random_device{}()};
  redis_test::RedisServer server(*binary, "pw-" + std::to_string(random()));
  if (!server.start()) {
    std::fprintf(stderr, "could not start %s on 127.0.0.1:%u (log in %s)\n", binary->c_str(),
                 static_cast<unsigned>(server.port()), server.dir().c_str());
    return 1;
  }
  redis_test::server() = &server;
  const int result = Catch::Session().run(argc, argv);
  redis_test::server() = nullptr;
  return result;
}
