/// @file server_options.hpp
/// @brief The one mapping of command-line options onto beast::ServerOptions, shared by
/// `morph-webhook serve` and examples/beast_receiver.cpp: each option parses straight into its
/// field, and --help shows the field's default.
#ifndef MORPH_WEBHOOK_CLI_SERVER_OPTIONS_HPP
#define MORPH_WEBHOOK_CLI_SERVER_OPTIONS_HPP

#include <chrono>
#include <cstddef>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/duration_option.hpp"
#include "morph/webhook/adapters/beast_server.hpp"

namespace morph::webhook::cli {

/// Adds --host, --port, --threads, --max-body-bytes, --idle-timeout, --header-timeout,
/// --body-timeout, --drain-timeout and --max-requests-per-connection to `app`, each parsing into
/// its field of `options` (which must outlive `app`).
inline void add_server_options(CLI::App& app, beast::ServerOptions& options) {
  app.add_option("--host", options.host, "Address or name to bind")->capture_default_str();
  app.add_option("--port", options.port, "Port (0 picks a free one)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--threads", options.threads,
                 "Threads serving requests (0: one per core); a request occupies its thread "
                 "until answered")
      ->capture_default_str()
      ->check(CLI::Range(0u, 4096u));
  app.add_option("--max-body-bytes", options.max_body_bytes,
                 "Largest body in bytes (larger: 413 as soon as Content-Length or the chunk "
                 "that crosses it is read)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 40));
  constexpr std::chrono::microseconds ms(1000);
  add_duration_option(app, "--idle-timeout", options.idle_timeout,
                      "Keep-alive wait for the next request", ms);
  add_duration_option(app, "--header-timeout", options.header_timeout,
                      "Deadline for a request's header from its first byte", ms);
  add_duration_option(app, "--body-timeout", options.body_timeout,
                      "Deadline for the body, and for writing the answer", ms);
  add_duration_option(app, "--drain-timeout", options.drain_timeout,
                      "After SIGINT/SIGTERM: time left to the requests in flight", ms);
  app.add_option("--max-requests-per-connection", options.max_requests_per_connection,
                 "Requests per keep-alive connection")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_SERVER_OPTIONS_HPP
