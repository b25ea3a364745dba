/// @file forward_command.hpp
/// @brief `morph-webhook forward --inbox URI --to URL [options]`: the forwarder (forwarder.hpp)
/// as a command, and its options, which `serve --forward-to` shares.
#ifndef MORPH_WEBHOOK_CLI_FORWARD_COMMAND_HPP
#define MORPH_WEBHOOK_CLI_FORWARD_COMMAND_HPP

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/forwarder.hpp"
#include "cli/serve.hpp"

namespace morph::webhook::cli {

/// The forward options: the forwarder's configuration and the file its keys come from.
struct ForwardOptions {
  ForwardConfig config;             ///< Bound straight from the options.
  std::string signing_secret_file;  ///< --signing-secret-file (read by finish_forward_options())
};

/// Adds every forward option but --to, --inbox and --until-empty to `app`, bound into `options`.
void add_forward_options(CLI::App& app, ForwardOptions& options);

/// Reads the signing secrets and checks the options together; an error message when they are
/// unusable.
[[nodiscard]] std::optional<std::string> finish_forward_options(ForwardOptions& options);

/// Adds `forward` to `app`. When a parse selects it, its callback runs the forwarder until
/// SIGINT/SIGTERM and stores the exit status in `exit_status` (which must outlive `app`).
CLI::App* add_forward_command(CLI::App& app, int& exit_status);

/// Adds `--forward-to URL` and the forward options to `serve`; when --forward-to is given,
/// `config.companion` runs the forwarder inside serve on its inbox, its metrics on /metrics.
void add_forward_to_serve(CLI::App& serve, ServeConfig& config);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_FORWARD_COMMAND_HPP
