/// @file serve.hpp
/// @brief `morph-webhook serve`: a hardened HTTP receiver (beast_server.hpp) that checks each
/// webhook request, appends it to a durable inbox and answers 200 only once it is stored.
#ifndef MORPH_WEBHOOK_CLI_SERVE_HPP
#define MORPH_WEBHOOK_CLI_SERVE_HPP

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/inbox_uri.hpp"
#include "cli/log.hpp"
#include "morph/webhook/adapters/beast_server.hpp"
#include "morph/webhook/inbox.hpp"
#include "morph/webhook/types.hpp"

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

/// Everything `serve` is configured with; serve_command.cpp binds each option straight into
/// its field. Defaults are the library's (beast::ServerOptions, ParseOptions) except where
/// serve differs, set here.
struct ServeConfig {
  ServeConfig() { server.threads = 64; }

  /// --host, --port, --threads, timeouts, --max-body-bytes (server_options.hpp).
  beast::ServerOptions server;
  /// --strict (the policy); max_body_bytes is taken from server.max_body_bytes.
  ParseOptions parse;
  std::string inbox{default_inbox_uri};  ///< --inbox URI, or `none` (benchmarks)
  std::vector<std::string> models;       ///< --models; empty: all models
  std::string path = "/webhooks/morph";  ///< --path
  std::string secret_file;               ///< --secret-file (empty: no secret)
  unsigned retry_after = 5;              ///< --retry-after (seconds, on 503)
  /// --storage-wait: a Redis inbox unreachable at start is retried this long.
  std::chrono::milliseconds storage_wait{std::chrono::minutes(2)};
  LogConfig log;  ///< --log-format, --log-level, --access-log
  /// --forward-to and the forward options (null: not built with forward).
  std::shared_ptr<ServeCompanion> companion;
};

/// Runs the receiver until SIGINT/SIGTERM has drained it. Returns the exit status: 0 after a
/// clean stop, 1 when it cannot listen, 2 on a usage or storage error at start.
[[nodiscard]] int run_serve(const ServeConfig& config);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_SERVE_HPP
