/// @file command_line.hpp
/// @brief The one CLI11 App of `morph-webhook`: top-level --help and --version, and how a
/// parse ends (help, version, usage error) in an exit status.
#ifndef MORPH_WEBHOOK_TOOLS_CLI_COMMAND_LINE_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_COMMAND_LINE_HPP

#include <optional>

#include <CLI/CLI.hpp>

namespace morph::webhook::cli {

/// The top-level App, with --help, --version and one required subcommand (added by the caller
/// before parse_command_line()).
void configure_app(CLI::App& app);

/// Adds the top-level help footer, then parses argv with `app`. nullopt: run the selected
/// subcommand. Otherwise the exit status: 0 after --help or --version (printed on stdout), 2 after
/// a usage error (one line and a hint to --help on stderr).
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_COMMAND_LINE_HPP
