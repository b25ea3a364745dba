// A downstream program using the installed Redis inbox, without a Redis server: parse a URI,
// then open an inbox on a port nobody listens on (hiredis really tries) and get
// storage_unavailable, without the password in the message. Exit code 0 when all holds.
#include <morph/webhook/inbox/redis.hpp>

#include <cstdio>
#include <string>

namespace mw = morph::webhook;

int main() {
  int failures = 0;
  const auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "consumer: FAILED: %s\n", what);
      ++failures;
    }
  };
  // Port 1 on 127.0.0.1: tcpmux, never served on a CI machine.
  const auto endpoint = mw::parse_redis_uri("redis://:consumer-secret@127.0.0.1:1/3?name=shop");
  expect(endpoint.has_value(), "the URI parses");
  if (!endpoint) return 1;
  expect(endpoint->db == 3 && endpoint->name == "shop", "db and name");
  const auto inbox = mw::RedisInbox::open(*endpoint);
  expect(!inbox.has_value(), "nothing listens on port 1");
  if (!inbox) {
    expect(inbox.error().code == mw::ErrorCode::storage_unavailable, "storage_unavailable");
    expect(inbox.error().message.find("consumer-secret") == std::string::npos,
           "no password in the message");
  }
  if (failures == 0) std::puts("consumer: morph::webhook_redis OK");
  return failures == 0 ? 0 : 1;
}
