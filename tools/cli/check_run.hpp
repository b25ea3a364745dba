/// @file check_run.hpp
/// @brief Running `morph-webhook check`: inputs read into batches, checked on `--jobs`
/// threads, results written in input order (batches.hpp), then the summary.
#ifndef MORPH_WEBHOOK_TOOLS_CLI_CHECK_RUN_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_CHECK_RUN_HPP

#include <string>

#include "cli/options.hpp"

namespace morph::webhook::cli {

/// Runs `check` with `options`; returns the exit status (0 every body valid, 1 some body
/// invalid, 2 an input or the output failed).
int run_check(const Options& options);

/// Prints `morph-webhook: <message>` on stderr (control bytes shown as `\xNN`).
void print_error(const std::string& message);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_CHECK_RUN_HPP
