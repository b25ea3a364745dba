/// @file morph_webhook_cli.cpp
/// @brief `morph-webhook`: the command line (one CLI11 App, command_line.cpp) and `check`, which
/// checks Morph webhook bodies (files, standard input, NDJSON logs; check_run.cpp) and reports
/// each result as text or JSON. See `morph-webhook --help`.
#include <functional>
#include <optional>

#include <CLI/CLI.hpp>

#include "cli/check_command.hpp"
#include "cli/check_run.hpp"
#include "cli/command_line.hpp"
#include "cli/options.hpp"
#if defined(MORPH_WEBHOOK_CLI_SERVE)
#include "cli/subcommands.hpp"
#endif
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
#include "cli/forward_command.hpp"
#endif

namespace cli = morph::webhook::cli;

int main(int argc, char** argv) {
  CLI::App app;
  cli::configure_app(app);
  cli::Options check_options;
  const CLI::App* check = cli::add_check_command(app, check_options);
#if defined(MORPH_WEBHOOK_CLI_SERVE)
  const std::function<int()> run_serve_or_inbox = cli::add_serve_and_inbox(app);
#else
  // Named anyway, so that asking for them says why they are missing.
  for (const char* name : {"serve", "inbox"}) {
    app.add_subcommand(name, "Not built into this morph-webhook")->prefix_command();
  }
  const auto run_serve_or_inbox = [&app] {
    cli::print_error(app.get_subcommands().front()->get_name() +
                     " is not built into this morph-webhook (it needs SQLite, Boost and "
                     "prometheus-cpp when configured)");
    return 2;  // as a usage error
  };
#endif
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
  const auto run_forward = cli::add_forward_command(app);
#endif
  if (const std::optional<int> status = cli::parse_command_line(app, argc, argv)) return *status;
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
  if (const std::optional<int> status = run_forward()) return *status;
#endif
  if (check->parsed()) return cli::run_check(check_options);
  return run_serve_or_inbox();
}
