// What the Redis inbox's connection code shares (src/inbox/redis.cpp, redis_sentinel.cpp):
// replies owned by their holder, one command sent without SIGPIPE, reading reply elements.
#ifndef MORPH_WEBHOOK_SRC_INBOX_REDIS_CONNECTION_HPP
#define MORPH_WEBHOOK_SRC_INBOX_REDIS_CONNECTION_HPP

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace morph::webhook::redis_detail {

// Blocks SIGPIPE in this thread while it lives and discards one raised meanwhile: hiredis
// writes with write(), and a write to a connection Redis closed must fail with EPIPE, not kill
// the process (a library must not change the process's signal handling for this).
class SigpipeBlock {
 public:
  SigpipeBlock() noexcept {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec none{};
        while (sigtimedwait(&pipe_, nullptr, &none) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

// A reply owned by its holder.
struct ReplyDeleter {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// A connection owned by its holder.
struct ContextDeleter {
  void operator()(redisContext* c) const noexcept { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

inline std::string_view text(const redisReply* r) noexcept {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS &&
                       r->type != REDIS_REPLY_ERROR)) {
    return {};
  }
  return {r->str, r->len};
}

inline std::int64_t integer(const redisReply* r) noexcept {
  if (r == nullptr) return 0;
  if (r->type == REDIS_REPLY_INTEGER) return static_cast<std::int64_t>(r->integer);
  const std::string s(text(r));
  return std::strtoll(s.c_str(), nullptr, 10);
}

inline const redisReply* element(const redisReply* r, std::size_t i) noexcept {
  return r != nullptr && r->type == REDIS_REPLY_ARRAY && i < r->elements ? r->element[i] : nullptr;
}

inline timeval to_timeval(std::chrono::milliseconds d) noexcept {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(d.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((d.count() % 1000) * 1000);
  return tv;
}

// Sends one command on `c`; nullptr (and `c->err` set) when the connection broke.
inline Reply command(redisContext* c, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  const SigpipeBlock no_sigpipe;
  return Reply(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
}

}  // namespace morph::webhook::redis_detail

#endif  // MORPH_WEBHOOK_SRC_INBOX_REDIS_CONNECTION_HPP
