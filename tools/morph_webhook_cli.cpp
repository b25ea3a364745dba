/// @file morph_webhook_cli.cpp
/// @brief `morph-webhook`: one CLI11 App (command_line.cpp) and one file per subcommand under
/// cli/ (`check_command`, `serve_command`, `inbox_command`...), each with its options struct
/// and its callback, which runs the command and leaves its exit status here. See
/// `morph-webhook --help`.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/check_command.hpp"
#include "cli/check_run.hpp"
#include "cli/command_line.hpp"
#include "cli/configuration.hpp"
#if defined(MORPH_WEBHOOK_CLI_SERVE)
#include "cli/inbox_command.hpp"
#include "cli/serve_command.hpp"
#endif
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
#include "cli/forward_command.hpp"
#endif

namespace cli = morph::webhook::cli;

int main(int argc, char** argv) {
  CLI::App app;
  cli::configure_app(app);
  int exit_status = 0;
  cli::add_check_command(app, exit_status);
#if defined(MORPH_WEBHOOK_CLI_SERVE)
  cli::add_serve_command(app, exit_status);
  cli::add_inbox_command(app, exit_status);
#if defined(MORPH_WEBHOOK_CLI_FORWARD)
  cli::add_forward_command(app, exit_status);
#endif
#else
  // Named anyway, so that asking for them says why they are missing.
  for (const char* name : {"serve", "inbox"}) {
    app.add_subcommand(name, "Not built into this morph-webhook")
        ->prefix_command()
        ->callback([name, &exit_status] {
          cli::print_error(std::string(name) +
                           " is not built into this morph-webhook (it needs SQLite, Boost and "
                           "prometheus-cpp when configured)");
          exit_status = 2;  // as a usage error
        });
  }
#endif
  cli::add_configuration(app, exit_status);
  if (const std::optional<int> status = cli::parse_command_line(app, argc, argv)) return *status;
  return exit_status;
}
