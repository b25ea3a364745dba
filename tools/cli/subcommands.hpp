/// @file subcommands.hpp
/// @brief The CLI11 subcommands `morph-webhook serve ...` and `morph-webhook inbox ...`.
#ifndef MORPH_WEBHOOK_CLI_SUBCOMMANDS_HPP
#define MORPH_WEBHOOK_CLI_SUBCOMMANDS_HPP

#include <functional>

#include <CLI/CLI.hpp>

namespace morph::webhook::cli {

/// Adds `serve` and `inbox ...` to `app`. After `app` has parsed a command line that selected
/// one of them, the returned function runs it and returns its exit status.
[[nodiscard]] std::function<int()> add_serve_and_inbox(CLI::App& app);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_SUBCOMMANDS_HPP
