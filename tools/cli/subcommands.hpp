/// @file subcommands.hpp
/// @brief The CLI11 command line of `morph-webhook serve ...` and `morph-webhook inbox ...`
/// (`check` keeps its own parser in options.hpp for now).
#ifndef MORPH_WEBHOOK_CLI_SUBCOMMANDS_HPP
#define MORPH_WEBHOOK_CLI_SUBCOMMANDS_HPP

#include <string_view>

namespace morph::webhook::cli {

/// True for the subcommands run_subcommand() handles.
[[nodiscard]] constexpr bool is_cli11_subcommand(std::string_view name) noexcept {
  return name == "serve" || name == "inbox";
}

/// Parses the whole command line (argv[1] is `serve` or `inbox`) and runs it; returns the exit
/// status (2 for a usage error, 0 after --help).
int run_subcommand(int argc, char** argv);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_SUBCOMMANDS_HPP
