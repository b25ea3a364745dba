// The operator's view (tests/inbox/inbox_ops.hpp) on RedisInbox, against the run's real
// redis-server; and a layout-2 keyspace gains the operator's indexes when opened.
#include "inbox/inbox_ops.hpp"
#include "redis_inbox_support.hpp"

namespace mw = morph::webhook;

TEST_CASE("RedisInbox: get, list, replay, purge", "[redis][ops]") {
  inbox_ops::check_operations(
      [](const mw::InboxOptions& options) { return redis_test::fresh_inbox(options); });
}

#include "inbox/inbox_ops_bench.hpp"

TEST_CASE("RedisInbox: get and list on a large inbox (benchmark)", "[.][benchmark][ops]") {
  mw::RedisOptions o;
  o.inbox.max_attempts = 1;
  o.timeout = std::chrono::seconds(20);  // the shared machine's load, not the inbox
  auto inbox = redis_test::open_inbox(redis_test::fresh_name(), o);
  inbox_ops_bench::run(*inbox, "Redis");
}
