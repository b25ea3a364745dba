// The operator's view (tests/inbox/inbox_ops.hpp) on RedisInbox, against the run's real
// redis-server; and a layout-2 keyspace gains the operator's indexes when opened.
#include "inbox/inbox_ops.hpp"
#include "redis_inbox_support.hpp"

namespace mw = morph::webhook;

TEST_CASE("RedisInbox: get, list, replay, purge", "[redis][ops]") {
  inbox_ops::check_operations(
      [](const mw::InboxOptions& options) { return redis_test::fresh_inbox(options); });
}
