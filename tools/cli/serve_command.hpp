/// @file serve_command.hpp
/// @brief The options, defaults and help of `morph-webhook serve` (CLI11), bound into a
/// ServeConfig; its callback runs run_serve().
#ifndef MORPH_WEBHOOK_CLI_SERVE_COMMAND_HPP
#define MORPH_WEBHOOK_CLI_SERVE_COMMAND_HPP

#include <CLI/CLI.hpp>

namespace morph::webhook::cli {

/// Adds `serve` to `app`. When a parse selects it, its callback runs the server and stores the
/// exit status in `exit_status` (which must outlive `app`).
CLI::App* add_serve_command(CLI::App& app, int& exit_status);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_SERVE_COMMAND_HPP
