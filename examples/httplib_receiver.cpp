// A Morph webhook receiver on cpp-httplib: the minimal example, configured as far as the
// packaged library allows (beast_receiver is the production receiver; the README says why).
//
//   httplib_receiver [--host 127.0.0.1] [--port 8080] [--threads N] [--max-body-bytes N] ...
//
// POST /webhooks/morph: 200 with {"ok":true,...} for a valid crmEngagement event, otherwise
// http_status(error) with error_json(error). A body over the limit gets 413 without being kept:
// with Content-Length, httplib reads and discards it first (so the client can read the answer),
// or answers at once to Expect: 100-continue; chunked, as soon as it crosses the limit. Other
// methods on the path get 405, other paths 404. Prints "listening on HOST:PORT", then one line per
// request. `--help` lists the options.
//
// What cpp-httplib (0.11.4, as Debian ships it) cannot do, so this receiver does not either:
// pipelining (it reads ahead into a buffer it drops after each request), a deadline on a whole
// header (its timeouts are per read: a client trickling one byte within each timeout keeps
// its thread), an empty header value (dropped while parsing: reported as missing_header).
#include <arpa/inet.h>
#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "morph/webhook/adapters/httplib.hpp"
#include "receiver_common.hpp"

namespace mw = morph::webhook;

namespace {

// What the handler saw, read back by the logger on the same thread.
thread_local receiver::LogEntry current_entry;
// Set when the connection must end after this response (a body over the limit).
thread_local bool close_after_response = false;
// Set once end_connection() ran: what httplib still reads on this connection is not a request.
thread_local bool connection_ending = false;

// Marks the response as the connection's last.
void end_after(httplib::Response& res) {
  close_after_response = true;
  res.set_header("Connection", "close");
}

// Fills `res` from `answer` and keeps its log fields for the logger.
void apply(httplib::Response& res, receiver::Answer answer) {
  res.status = answer.status;
  if (answer.allow_post) res.set_header("Allow", "POST");
  res.set_content(std::move(answer.body), "application/json");
  current_entry = std::move(answer.log);
}

// One thread per connection, created when every thread is busy, up to `max` (then
// connections wait their turn). cpp-httplib holds a thread for as long as a connection is
// open, idle keep-alive time included: its default pool (8 threads here) is taken by 8 idle
// clients and everyone else waits; this one is not.
class ConnectionThreads final : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(std::size_t max) : max_(max) {}

  void enqueue(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() > idle_ && threads_.size() < max_) {
      threads_.emplace_back([this] { work(); });
    } else {
      cv_.notify_one();
    }
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();  // each finishes its connection first
  }

 private:
  void work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      ++idle_;
      cv_.wait(lock, [this] { return !jobs_.empty() || stopping_; });
      --idle_;
      if (jobs_.empty()) return;
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      connection_ending = false;  // a job is one connection
      job();
      lock.lock();
    }
  }

  std::size_t max_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

// Exposes the listening socket (a protected member) to raise its backlog.
class Server : public httplib::Server {
 public:
  int listening_socket() const { return svr_sock_; }
};

// The port of an IPv4 or IPv6 socket address, or -1.
int port_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return -1;
}

// cpp-httplib gives handlers no access to the connection: find the socket of `req` among our
// descriptors (by its two ports) and send FIN after the response just written. The rest of
// an oversized body then fails to parse as a request whose answer cannot be written (so it is
// neither logged nor answered) and the connection ends; the client sees the 413 then the end
// of the connection at once. Runs only for refused bodies.
void end_connection(const httplib::Request& req) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == ::dirfd(dir)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_size = sizeof local, peer_size = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) {
      continue;
    }
    if (port_of(local) == req.local_port && port_of(peer) == req.remote_port) {
      ::shutdown(fd, SHUT_WR);
      break;
    }
  }
  ::closedir(dir);
}

bool content_length_over(const httplib::Request& req, std::size_t limit) {
  if (!req.has_header("Content-Length")) return false;
  const std::string value = req.get_header_value("Content-Length");
  return std::strtoull(value.c_str(), nullptr, 10) > limit;
}

// Whole seconds for cpp-httplib's time_t settings, at least 1.
time_t whole_seconds(std::chrono::milliseconds ms) {
  return static_cast<time_t>(std::max<long long>(1, (ms.count() + 999) / 1000));
}

void set_timeout(std::chrono::milliseconds ms, time_t& sec, time_t& usec) {
  sec = static_cast<time_t>(ms.count() / 1000);
  usec = static_cast<time_t>((ms.count() % 1000) * 1000);
}

}  // namespace

int main(int argc, char** argv) {
  const receiver::Config config = receiver::parse_command_line(
      argc, argv,
      {"httplib_receiver",
       "--threads N: most connections served at once, one thread each (default 512; more\n"
       "wait in the accept queue).",
       "cpp-httplib's header and body timeouts apply to each read, not to the whole request;\n"
       "--idle-timeout is rounded up to whole seconds."});

  // SIGINT/SIGTERM are handled by one thread with sigwait(); every other thread (including
  // httplib's workers, created later) inherits the blocked mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Server server;
  const std::size_t max_threads = config.threads > 0 ? config.threads : 512;
  server.new_task_queue = [max_threads] { return new ConnectionThreads(max_threads); };
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which lets a second
  // receiver bind the same port and take half the traffic.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_tcp_nodelay(true);  // small answers: do not wait for the client's delayed ACK
  server.set_keep_alive_max_count(config.max_requests);  // httplib's default is 5
  server.set_keep_alive_timeout(whole_seconds(config.idle_timeout));
  {
    time_t sec = 0, usec = 0;
    set_timeout(config.header_timeout, sec, usec);
    server.set_read_timeout(sec, usec);
    set_timeout(config.body_timeout, sec, usec);
    server.set_write_timeout(sec, usec);
  }
  // 413 from the Content-Length header, before the body is read into memory.
  server.set_payload_max_length(config.options.max_body_bytes);

  const std::string path(receiver::webhook_path);
  const mw::ParseOptions options = config.options;
  const bool empty_handler = config.empty_handler;
  // POST: the body is read here, chunk by chunk, so a chunked body over the limit is refused
  // without being kept.
  server.Post(path, [options, empty_handler](const httplib::Request& req, httplib::Response& res,
                                             const httplib::ContentReader& read_content) {
    thread_local std::string body;  // reused: no allocation once warm
    body.clear();
    bool too_large = false;
    const bool complete = read_content([&](const char* data, std::size_t size) {
      if (size > options.max_body_bytes - body.size()) {
        too_large = true;
        return false;
      }
      body.append(data, size);
      return true;
    });
    if (too_large || (!complete && res.status == 413)) {
      end_after(res);
      return apply(res, receiver::answer_too_large(options.max_body_bytes));
    }
    if (!complete) {
      end_after(res);
      return apply(res, receiver::answer_bad_request());
    }
    apply(res, empty_handler ? receiver::answer_empty()
                             : receiver::answer_webhook(req.headers, body, options));
    if (body.capacity() > (std::size_t{1} << 20)) std::string().swap(body);  // keep 1 MiB at most
  });
  // Before httplib reads a body: a bodyless request to the path is answered here (405 for other
  // methods, the handler for a POST without Content-Length, whose body is empty; httplib would
  // answer 400 to both), so the same request gets the same answer on every stack.
  server.set_pre_routing_handler([options](const httplib::Request& req, httplib::Response& res) {
    current_entry = receiver::LogEntry{};
    if (req.path != receiver::webhook_path) return httplib::Server::HandlerResponse::Unhandled;
    const bool has_body =
        (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0") ||
        req.has_header("Transfer-Encoding");
    if (req.method != "POST" && !has_body) {
      apply(res, receiver::answer_method_not_allowed());
    } else if (req.method == "POST" && !has_body) {
      apply(res, receiver::answer_webhook(req.headers, std::string_view(), options));
    } else {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  // Refuse `Expect: 100-continue` with a body over the limit instead of inviting the body.
  server.set_expect_100_continue_handler(
      [options](const httplib::Request& req, httplib::Response& res) {
        if (!content_length_over(req, options.max_body_bytes)) return 100;
        end_after(res);
        res.status = 413;  // the error handler below writes the body (and Content-Length)
        return 413;
      });
  // Other methods with a body: httplib reads it (within the limit), then these answer 405.
  const auto method_not_allowed = [](const httplib::Request&, httplib::Response& res) {
    apply(res, receiver::answer_method_not_allowed());
  };
  server.Get(path, method_not_allowed);
  server.Put(path, method_not_allowed);
  server.Patch(path, method_not_allowed);
  server.Delete(path, method_not_allowed);
  server.Options(path, method_not_allowed);

  // Responses httplib makes by itself (413 over the limit, 404 unknown path, 400 unreadable
  // request) get a JSON body too; responses from the handlers above already have one.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [&config](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const int status = res.status;
        if (status == 413) {
          apply(res, receiver::answer_too_large(config.options.max_body_bytes));
        } else if (status == 404) {
          apply(res, receiver::answer_not_found());
        } else {
          apply(res, receiver::answer_bad_request());
          res.status = status;
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    if (connection_ending) return;  // leftovers of a refused body, answered to nobody
    receiver::LogEntry& entry = current_entry;
    entry.status = res.status;
    entry.method = req.method;
    entry.path = req.path;
    receiver::log_request(entry);
    entry = receiver::LogEntry{};
    if (close_after_response) {
      close_after_response = false;
      connection_ending = true;
      end_connection(req);
    }
  });

  int port = config.port;
  errno = 0;
  if (port == 0) {
    port = server.bind_to_any_port(config.host);
    if (port < 0) port = 0;
  } else if (!server.bind_to_port(config.host, port)) {
    port = 0;
  }
  if (port == 0) {
    std::fprintf(stderr, "httplib_receiver: cannot listen on %s:%d: %s\n", config.host.c_str(),
                 config.port, errno != 0 ? std::strerror(errno) : "cannot bind");
    return 1;
  }
  // httplib listens with a backlog of 5: at 16 connections the accept queue overflows and
  // clients stall in SYN retransmits. Listening again on a listening socket sets the backlog.
  ::listen(server.listening_socket(), SOMAXCONN);

  // The stop thread: waits for a signal, then stops the server (retrying until listen has
  // really started, so an early signal is not lost), then waits for the drain (httplib
  // finishes the request each connection is on, then closes it) up to the drain timeout.
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  bool signalled = false;
  std::thread stopper([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::unique_lock<std::mutex> lock(mutex);
    signalled = true;
    const auto deadline = std::chrono::steady_clock::now() + config.drain_timeout;
    while (!done) {
      server.stop();
      if (std::chrono::steady_clock::now() >= deadline) {
        std::fprintf(stderr, "httplib_receiver: drain timeout: closing open connections\n");
        std::fflush(stdout);
        std::_Exit(0);
      }
      done_cv.wait_for(lock, std::chrono::milliseconds(50));
    }
  });

  receiver::print_listening(config.host, port);
  const bool ok = server.listen_after_bind();
  bool stopped_by_signal = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
    stopped_by_signal = signalled;
  }
  done_cv.notify_all();
  pthread_kill(stopper.native_handle(), SIGTERM);  // wakes sigwait() if no signal came
  stopper.join();
  std::fprintf(stderr, "httplib_receiver: stopped\n");
  return ok || stopped_by_signal ? 0 : 1;
}
