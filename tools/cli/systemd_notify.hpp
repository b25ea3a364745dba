/// @file systemd_notify.hpp
/// @brief systemd's service notification protocol for `serve` (morph-webhook.service is
/// Type=notify): READY=1 once it listens, WATCHDOG=1 from the server's own event loop while the
/// unit sets WatchdogSec=, STOPPING=1 when SIGINT/SIGTERM starts the drain. Built with
/// libsystemd when it is found (MORPH_WEBHOOK_CLI_SYSTEMD); otherwise, and whenever the process
/// was not started by systemd (no NOTIFY_SOCKET), it does nothing.
#ifndef MORPH_WEBHOOK_CLI_SYSTEMD_NOTIFY_HPP
#define MORPH_WEBHOOK_CLI_SYSTEMD_NOTIFY_HPP

#include <csignal>
#include <string>

#include <boost/asio/io_context.hpp>

#if defined(MORPH_WEBHOOK_CLI_SYSTEMD)
#include <systemd/sd-daemon.h>

#include <chrono>
#include <cstdint>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#endif

namespace morph::webhook::cli {

#if defined(MORPH_WEBHOOK_CLI_SYSTEMD)

/// Tells systemd that the service is ready (with `status` as its STATUS= line), then keeps its
/// watchdog fed until SIGINT/SIGTERM. The pings are handlers on the server's io_context, so a
/// server whose threads are all stuck stops pinging and systemd restarts it. Create it after
/// listen(), before run(); it must outlive run().
class SystemdNotifier {
 public:
  /// Sends READY=1 and STATUS=`status`; starts the watchdog when WATCHDOG_USEC is set for this
  /// process.
  SystemdNotifier(boost::asio::io_context& context, const std::string& status)
      : strand_(boost::asio::make_strand(context)), signals_(strand_, SIGINT, SIGTERM),
        timer_(strand_) {
    const std::string ready = "READY=1\nSTATUS=" + status;
    ::sd_notify(0, ready.c_str());
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
      // Half the timeout, as sd_watchdog_enabled(3) advises: a late ping is still in time.
      interval_ = std::chrono::microseconds(usec / 2);
      ping();
    }
    // asio notifies every signal_set waiting for a signal: serve's own set drains the server,
    // this one says so to systemd and stops the pings that would keep run() from returning.
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      stopping_ = true;  // a ping already due must not re-arm the timer
      ::sd_notify(0, "STOPPING=1\nSTATUS=draining");
      timer_.cancel();
    });
  }

  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;
  ~SystemdNotifier() = default;

  /// Stops for another reason than a signal (serve giving up on its storage): says STOPPING
  /// and lets run() return (the signal wait and the pings end).
  void stop() {
    boost::asio::post(strand_, [this] {
      stopping_ = true;
      ::sd_notify(0, "STOPPING=1\nSTATUS=stopping");
      boost::system::error_code ignored;
      signals_.cancel(ignored);
      timer_.cancel();
    });
  }

 private:
  // Runs on strand_ (or before run()), as the signal handler does: no data race on timer_.
  void ping() {
    if (stopping_) return;
    ::sd_notify(0, "WATCHDOG=1");
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) ping();
    });
  }

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer timer_;
  std::chrono::microseconds interval_{0};
  bool stopping_ = false;
};

#else

/// Without libsystemd: nothing to tell (the unit's Type=notify then needs a build with it).
class SystemdNotifier {
 public:
  /// Does nothing.
  SystemdNotifier(boost::asio::io_context&, const std::string&) {}
  /// Does nothing.
  void stop() {}
};

#endif

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_SYSTEMD_NOTIFY_HPP
