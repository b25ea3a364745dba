// `morph-webhook serve` under systemd's notification protocol (morph-webhook.service is
// Type=notify with WatchdogSec=), without systemd: the test plays systemd's part. It binds a
// unix datagram socket, starts a real serve process with NOTIFY_SOCKET (and WATCHDOG_USEC) in
// its environment, and reads what arrives, with the sender's credentials as systemd checks them
// for NotifyAccess=main:
//  - READY=1 once serve accepts connections, sent by serve's own pid;
//  - WATCHDOG=1 at least every WATCHDOG_USEC/2 while it runs, none when WATCHDOG_USEC is unset;
//  - STOPPING=1 on SIGTERM, then a clean exit (the pings do not keep it running).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "catch.hpp"
#include "process_support.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

#if MORPH_WEBHOOK_TEST_SYSTEMD

/// One notification: its text and the pid the kernel says sent it.
struct Message {
  std::string text;
  pid_t sender = 0;
};

/// The socket systemd would listen on: a unix datagram socket in a temporary directory, with
/// SO_PASSCRED so that every message carries its sender's pid.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof(addr.sun_path));
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
    const int on = 1;
    REQUIRE(::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0);
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  /// The next message, or nullopt when none arrived before `deadline`.
  std::optional<Message> receive(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return std::nullopt;
    }
    char data[4096];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
    iovec iov{data, sizeof(data)};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    const ssize_t n = ::recvmsg(fd_, &msg, 0);
    if (n < 0) return std::nullopt;
    Message out{std::string(data, static_cast<std::size_t>(n)), 0};
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred cred{};
        std::memcpy(&cred, CMSG_DATA(c), sizeof(cred));
        out.sender = cred.pid;
      }
    }
    return out;
  }

  /// Waits for a message holding `line` (a line such as READY=1); the messages read before it
  /// are appended to `seen`.
  std::optional<Message> wait_for(const std::string& line, Clock::time_point deadline,
                                  std::vector<Message>& seen) {
    while (std::optional<Message> m = receive(deadline)) {
      seen.push_back(*m);
      if (("\n" + m->text + "\n").find("\n" + line + "\n") != std::string::npos) return m;
    }
    return std::nullopt;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

bool has_line(const Message& m, const std::string& line) {
  return ("\n" + m.text + "\n").find("\n" + line + "\n") != std::string::npos;
}

/// True when a TCP connection to 127.0.0.1:`port` is accepted.
bool connects(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

/// A temporary directory, removed at the end.
struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mw-notify-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

/// Starts serve with NOTIFY_SOCKET (and WATCHDOG_USEC when `watchdog_usec` is not empty) in its
/// environment only.
pid_t start_serve(const TempDir& dir, const std::string& socket, const std::string& watchdog_usec) {
  ::setenv("NOTIFY_SOCKET", socket.c_str(), 1);
  ::unsetenv("WATCHDOG_PID");  // the watchdog is meant for whichever process reads it
  if (watchdog_usec.empty()) {
    ::unsetenv("WATCHDOG_USEC");
  } else {
    ::setenv("WATCHDOG_USEC", watchdog_usec.c_str(), 1);
  }
  const pid_t pid = test_process::spawn_logged(
      {MORPH_WEBHOOK_CLI_PATH, "serve", "--host", "127.0.0.1", "--port", "0", "--inbox",
       "sqlite:" + dir.path + "/inbox.db", "--threads", "2"},
      dir.path + "/serve.log");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  return pid;
}

TEST_CASE("serve: READY=1 once it accepts, WATCHDOG=1 pings, STOPPING=1 on SIGTERM") {
  const TempDir dir;
  const std::string socket = dir.path + "/notify";
  NotifySocket notify(socket);
  // 200 ms: serve pings every 100 ms.
  const pid_t pid = start_serve(dir, socket, "200000");
  REQUIRE(pid > 0);
  const std::string log = dir.path + "/serve.log";

  std::vector<Message> seen;
  const std::optional<Message> ready = notify.wait_for("READY=1", Clock::now() + 20s, seen);
  if (!ready) {
    test_process::stop(pid, SIGKILL);
    FAIL("no READY=1; serve said: " << test_process::read_file(log)
                                    << test_process::read_file(log + ".err"));
  }
  CHECK(ready->sender == pid);
  CHECK(has_line(*ready, "STATUS=listening"));
  // Ready means ready: the port is printed and accepts connections.
  const std::optional<int> port = test_process::wait_for_port(log, pid, 1s);
  REQUIRE(port);
  CHECK(connects(*port));

  // Pings: every 100 ms; a loaded machine may be late, so ask for 5 within 5 s.
  int pings = 0;
  const auto until = Clock::now() + 5s;
  while (pings < 5) {
    const std::optional<Message> m = notify.receive(until);
    if (!m) break;
    if (has_line(*m, "WATCHDOG=1")) {
      CHECK(m->sender == pid);
      ++pings;
    }
  }
  CHECK(pings == 5);

  ::kill(pid, SIGTERM);
  std::vector<Message> after;
  const std::optional<Message> stopping = notify.wait_for("STOPPING=1", Clock::now() + 10s, after);
  CHECK(stopping);
  // The watchdog timer is cancelled: serve drains and exits 0.
  // The SIGTERM above already asked serve to stop: wait for that exit (signal 0 sends
  // nothing), as systemd does, instead of a second SIGTERM racing the drain.
  const int status = test_process::stop(pid, 0, false, 15s);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("serve: READY=1 and no WATCHDOG=1 when the unit sets no watchdog") {
  const TempDir dir;
  const std::string socket = dir.path + "/notify";
  NotifySocket notify(socket);
  const pid_t pid = start_serve(dir, socket, "");
  REQUIRE(pid > 0);
  std::vector<Message> seen;
  const std::optional<Message> ready = notify.wait_for("READY=1", Clock::now() + 20s, seen);
  CHECK(ready);
  // Well over the 100 ms the first test pinged at: nothing but STOPPING=1 after SIGTERM.
  std::vector<Message> later;
  CHECK_FALSE(notify.wait_for("WATCHDOG=1", Clock::now() + 1s, later));
  ::kill(pid, SIGTERM);
  const std::optional<Message> stopping = notify.wait_for("STOPPING=1", Clock::now() + 10s, later);
  CHECK(stopping);
  for (const Message& m : later) CHECK_FALSE(has_line(m, "WATCHDOG=1"));
  // The SIGTERM above already asked serve to stop: wait for that exit (signal 0 sends
  // nothing), as systemd does, instead of a second SIGTERM racing the drain.
  const int status = test_process::stop(pid, 0, false, 15s);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

#else

TEST_CASE("serve: systemd notifications (morph-webhook built without libsystemd)") {
  WARN("morph-webhook was built without libsystemd: its systemd notifications are not tested");
}

#endif

}  // namespace
