// For the end-to-end tests: a receiver process (started on a free port, always stopped) and a
// raw HTTP/1.1 client over a POSIX socket (for what a library client cannot send: pipelined
// requests, slow bytes, Expect: 100-continue, idle connections). Include after catch.hpp.
#ifndef MORPH_WEBHOOK_TESTS_E2E_RECEIVER_PROCESS_HPP
#define MORPH_WEBHOOK_TESTS_E2E_RECEIVER_PROCESS_HPP

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace e2e {

using namespace std::chrono_literals;

/// A valid crmEngagement::created body.
inline constexpr std::string_view kBody =
    R"({"event":"crmEngagement::created","data":{"object":"resource","model":"crmEngagement",)"
    R"("id":"29090716","fields":{"type":"call","status":"completed","direction":"outbound",)"
    R"("title":"Call w/ Jane","description":"Left voicemail & follow-up",)"
    R"("startedAt":"2015-10-07T13:10:00.781Z","duration":38,)"
    R"("owner":{"object":"resourceRef","model":"genericUser","id":"123"},)"
    R"("contacts":[{"object":"resourceRef","model":"genericContact","id":"247"}],)"
    R"("companies":[],)"
    R"("opportunities":[{"object":"resourceRef","model":"crmOpportunity","id":"9001"}]},)"
    R"("createdAt":"2015-10-07T13:10:00.781Z","updatedAt":"2015-10-07T13:10:00.781Z"}})";

inline constexpr auto kStartTimeout = 20s;
inline constexpr auto kStopTimeout = 20s;

/// Forks and execs `args` with stdout (and stderr when `merge_stderr`) on a new pipe; returns
/// the pid and the read end. The child dies with the test.
inline std::pair<pid_t, int> spawn(std::vector<std::string> args, bool merge_stderr) {
  // A receiver may close while a client still writes: that must fail the write, not kill
  // the test (cpp-httplib's client does not use MSG_NOSIGNAL).
  ::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);  // no other child inherits the write end
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    ::dup2(fds[1], STDOUT_FILENO);
    if (merge_stderr) ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

/// Runs `args` to its end (killed after `timeout`); returns the wait status and stdout+stderr.
inline std::pair<int, std::string> run_to_exit(std::vector<std::string> args,
                                               std::chrono::milliseconds timeout) {
  const auto [pid, fd] = spawn(std::move(args), true);
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      ::kill(pid, SIGKILL);
      break;
    }
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buffer, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::close(fd);
  return {status, output};
}

/// A receiver process: started with `--host HOST --port 0`, stopped (SIGTERM, then SIGKILL
/// if it hangs) in every path by the destructor. Its stdout is read by a thread: the first line
/// gives the port, the following ones are the request log.
class Receiver {
 public:
  explicit Receiver(const std::string& program, std::vector<std::string> extra_args = {},
                    const std::string& host = "127.0.0.1") {
    std::vector<std::string> args{program, "--host", host, "--port", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::tie(pid_, fd_) = spawn(std::move(args), false);
    reader_ = std::thread([this] { read_output(); });
    try {
      wait_until_listening(host);
    } catch (...) {
      stop(SIGKILL);  // a failed check must not leave the process or the thread behind
      throw;
    }
  }

  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  ~Receiver() { stop(SIGTERM); }

  /// The port it listens on.
  int port() const { return port_; }

  /// Sends `signal` without waiting.
  void signal(int signal) const {
    if (pid_ > 0) ::kill(pid_, signal);
  }

  /// Waits (up to `timeout`, then SIGKILL) for the exit; returns the wait status.
  int wait_exit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return status_;
    {
      // The pipe reaches EOF when the process exits.
      std::unique_lock<std::mutex> lock(mutex_);
      if (!cv_.wait_for(lock, timeout, [this] { return eof_; })) ::kill(pid_, SIGKILL);
    }
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
    ::close(fd_);
    return status_;
  }

  /// Sends `signal`, waits (bounded) for the exit and returns the wait status.
  int stop(int signal_number) {
    signal(signal_number);
    return wait_exit(kStopTimeout);
  }

  /// Waits (bounded) until the log holds at least `count` request lines; returns them.
  std::vector<std::string> wait_for_log_lines(std::size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, 10s, [&] { return eof_ || log_lines_locked().size() >= count; });
    return log_lines_locked();
  }

  /// The request lines logged so far.
  std::vector<std::string> log_lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_lines_locked();
  }

 private:
  // Reads the port from the first line ("listening on HOST:PORT").
  void wait_until_listening(const std::string& host) {
    std::unique_lock<std::mutex> lock(mutex_);
    const bool started = cv_.wait_for(
        lock, kStartTimeout, [this] { return eof_ || output_.find('\n') != std::string::npos; });
    const std::string first = output_.substr(0, output_.find('\n'));
    lock.unlock();
    INFO("first line: " << first);
    REQUIRE(started);
    const std::string prefix = "listening on " + host + ":";
    REQUIRE(first.rfind(prefix, 0) == 0);
    port_ = std::atoi(first.c_str() + prefix.size());
    REQUIRE(port_ > 0);
  }

  void read_output() {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard<std::mutex> lock(mutex_);
      if (n <= 0) {
        eof_ = true;
        cv_.notify_all();
        return;
      }
      output_.append(buffer, static_cast<std::size_t>(n));
      cv_.notify_all();
    }
  }

  // Complete lines after the first ("listening on ...").
  std::vector<std::string> log_lines_locked() const {
    std::vector<std::string> lines;
    std::size_t start = output_.find('\n');
    if (start == std::string::npos) return lines;
    ++start;
    for (std::size_t end; (end = output_.find('\n', start)) != std::string::npos; start = end + 1) {
      lines.push_back(output_.substr(start, end - start));
    }
    return lines;
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  int port_ = 0;
  int status_ = 0;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
};

/// One HTTP response as read off the wire.
struct RawResponse {
  int status = 0;
  std::string head;  ///< status line and headers
  std::string body;
};

/// A client connection on a raw socket: sends bytes as given, reads responses one by one.
class Connection {
 public:
  /// Connects to `host`:`port` (names resolved; every address tried); fd() < 0 on failure.
  Connection(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return;
    for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
      fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd_ < 0) continue;
      if (::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
        error_ = errno;
        ::close(fd_);
        fd_ = -1;
      }
    }
    ::freeaddrinfo(found);
    if (fd_ >= 0) {
      int one = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
  }

  Connection(Connection&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), error_(other.error_),
        pending_(std::move(other.pending_)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  int fd() const { return fd_; }
  int connect_error() const { return error_; }  ///< errno of the failed connect

  /// Sends every byte; false if the peer is gone.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads one response (an interim 1xx one included) within `timeout`; nullopt on timeout,
  /// EOF or error before a whole response.
  std::optional<RawResponse> read_response(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t head_end;
    while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    RawResponse out;
    out.head = pending_.substr(0, head_end + 2);
    if (out.head.size() < 12 || out.head.rfind("HTTP/1.", 0) != 0) return std::nullopt;
    out.status = std::atoi(out.head.c_str() + 9);
    std::size_t length = 0;
    const std::string lower = lowercase(out.head);
    const std::size_t at = lower.find("\r\ncontent-length:");
    if (at != std::string::npos) length = std::strtoull(lower.c_str() + at + 17, nullptr, 10);
    while (pending_.size() < head_end + 4 + length) {
      if (!fill(deadline)) return std::nullopt;
    }
    out.body = pending_.substr(head_end + 4, length);
    pending_.erase(0, head_end + 4 + length);
    return out;
  }

  /// True if the peer closes (EOF or reset) within `timeout`, discarding what it still sends.
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) return false;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return true;
    }
  }

  /// True if the connection is still open and silent right now (nothing to read, no EOF).
  bool open_and_silent() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
  }

  static std::string lowercase(std::string text) {
    for (char& c : text) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
  }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buffer[16384];
    ssize_t n;
    do {
      n = ::recv(fd_, buffer, sizeof buffer, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  int error_ = 0;
  std::string pending_;
};

}  // namespace e2e

#endif  // MORPH_WEBHOOK_TESTS_E2E_RECEIVER_PROCESS_HPP
