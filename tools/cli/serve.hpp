/// @file serve.hpp
/// @brief `morph-webhook serve`: a hardened HTTP receiver (beast_server.hpp) that checks each
/// webhook request, appends it to a durable inbox and answers 200 only once it is stored.
#ifndef MORPH_WEBHOOK_CLI_SERVE_HPP
#define MORPH_WEBHOOK_CLI_SERVE_HPP

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "morph/webhook/inbox.hpp"

namespace prometheus {
class Registry;
}

namespace morph::webhook::cli {

/// Work that runs beside the server on its inbox, with its metrics on /metrics
/// (`serve --forward-to`: the forwarder).
class ServeCompanion {
 public:
  virtual ~ServeCompanion() = default;
  /// Whether it was asked for on the command line.
  [[nodiscard]] virtual bool enabled() const = 0;
  /// Checks its options before serve listens; an error message makes serve exit 2.
  [[nodiscard]] virtual std::optional<std::string> prepare() = 0;
  /// Runs on a thread of its own until `stop` (set with serve's SIGINT/SIGTERM); returns an
  /// exit status (non-zero is logged; serve keeps receiving).
  virtual int run(Inbox& inbox, prometheus::Registry& metrics, const std::atomic<bool>& stop) = 0;
};

/// Everything `serve` takes from the command line (defaults as documented in the README).
struct ServeConfig {
  std::string host = "127.0.0.1";                     ///< --host
  unsigned short port = 8080;                         ///< --port (0: any free port)
  std::string inbox = "sqlite:morph-inbox.db";        ///< --inbox URI, or `none` (benchmarks)
  std::vector<std::string> models;                    ///< --models; empty: all models
  bool strict = false;                                ///< --strict
  std::size_t max_body_bytes = std::size_t{8} << 20;  ///< --max-body-bytes
  std::string path = "/webhooks/morph";               ///< --path
  std::string secret_file;                            ///< --secret-file (empty: no secret)
  unsigned threads = 64;                              ///< --threads
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};    ///< --idle-timeout
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};  ///< --header-timeout
  std::chrono::milliseconds body_timeout{std::chrono::seconds(30)};    ///< --body-timeout
  std::chrono::milliseconds drain_timeout{std::chrono::seconds(10)};   ///< --drain-timeout
  std::size_t max_requests = 1000;            ///< --max-requests-per-connection
  unsigned retry_after = 5;                   ///< --retry-after (seconds, on 503)
  bool quiet = false;                         ///< --quiet: no per-request log line
  std::shared_ptr<ServeCompanion> companion;  ///< --forward-to and its options (null: none)
};

/// Runs the receiver until SIGINT/SIGTERM has drained it. Returns the exit status: 0 after a
/// clean stop, 1 when it cannot listen, 2 on a usage or storage error at start.
int run_serve(const ServeConfig& config);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_SERVE_HPP
