/// @file forward_command.hpp
/// @brief `morph-webhook forward --inbox URI --to URL [options]`: the forwarder (forwarder.hpp)
/// as a command, and its options, which `serve --forward-to` shares.
#ifndef MORPH_WEBHOOK_CLI_FORWARD_COMMAND_HPP
#define MORPH_WEBHOOK_CLI_FORWARD_COMMAND_HPP

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/forwarder.hpp"
#include "cli/serve.hpp"

namespace morph::webhook::cli {

/// The forward options as given on the command line (durations as text).
struct ForwardOptions {
  ForwardConfig config;             ///< Everything that needs no conversion.
  std::string rate;                 ///< --rate N or N/s
  std::string timeout = "30s";      ///< --timeout
  std::string lease;                ///< --lease (empty: timeout + 30 s)
  std::string poll = "500ms";       ///< --poll
  std::string cooldown = "5s";      ///< --breaker-cooldown
  std::string cooldown_max = "5m";  ///< --breaker-cooldown-max
  std::string signing_secret_file;  ///< --signing-secret-file
};

/// Adds every forward option but --to and --inbox to `app`, filling `options`.
void add_forward_options(CLI::App& app, ForwardOptions& options);

/// The ForwardConfig of parsed options (secrets read, values checked); an error message when
/// they are unusable.
[[nodiscard]] std::optional<std::string> make_forward_config(ForwardOptions& options);

/// Adds `forward` to `app`. After `app` has parsed a command line, the returned function runs
/// `forward` when it was selected and returns its exit status, or nullopt when it was not.
[[nodiscard]] std::function<std::optional<int>()> add_forward_command(CLI::App& app);

/// Adds `--forward-to URL` and the forward options to `serve`; when given, `config.companion`
/// runs the forwarder inside serve on its inbox, its metrics on serve's /metrics.
void add_forward_to_serve(CLI::App& serve, ServeConfig& config);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_FORWARD_COMMAND_HPP
