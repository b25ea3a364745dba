// Opening RedisInbox objects on the test run's server (redis_main.cpp), each test under an
// inbox name of its own so that tests never see each other's keys.
#pragma once

#include <unistd.h>
#include <morph/webhook/inbox/redis.hpp>

#include <atomic>
#include <memory>
#include <string>

#include "catch.hpp"
#include "redis_server.hpp"

namespace redis_test {

namespace mw = morph::webhook;

/// The server every test of the binary shares.
inline RedisServer& shared_server() { return *server(); }

/// An inbox name no other test of this run uses.
inline std::string fresh_name() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(++counter) + "-" + std::to_string(::getpid());
}

/// The endpoint of inbox `name` on `on` (the shared server by default).
inline mw::RedisEndpoint endpoint(const std::string& name,
                                  const RedisServer& on = shared_server()) {
  auto ep = mw::parse_redis_uri(on.uri(name));
  REQUIRE(ep.has_value());
  return *ep;
}

/// Opens inbox `name` without the background expiry (tests call expire() themselves).
inline std::unique_ptr<mw::RedisInbox> open_inbox(const std::string& name, mw::RedisOptions options,
                                                  const RedisServer& on = shared_server()) {
  options.expire_in_background = false;
  auto inbox = mw::RedisInbox::open(endpoint(name, on), options);
  if (!inbox) FAIL(inbox.error().message);
  return std::move(*inbox);
}

/// A fresh inbox with these options (the contract tests' factory).
inline std::unique_ptr<mw::Inbox> fresh_inbox(const mw::InboxOptions& options) {
  mw::RedisOptions o;
  o.inbox = options;
  return open_inbox(fresh_name(), o);
}

}  // namespace redis_test
