/// @file check_command.hpp
/// @brief The options, defaults and help of `morph-webhook check` (CLI11).
#ifndef MORPH_WEBHOOK_TOOLS_CLI_CHECK_COMMAND_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_CHECK_COMMAND_HPP

#include <CLI/CLI.hpp>

namespace morph::webhook::cli {

/// Adds the `check` subcommand to `app`. When a parse selects it, its callback checks the
/// inputs and stores the exit status in `exit_status` (which must outlive `app`).
CLI::App* add_check_command(CLI::App& app, int& exit_status);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_CHECK_COMMAND_HPP
