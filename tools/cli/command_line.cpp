/// @file command_line.cpp
/// @brief The one CLI11 App of `morph-webhook`: top-level --help and --version, and how a
/// parse ends (help, version, usage error) in an exit status.
#include "cli/command_line.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "cli/build_info.hpp"
#include "cli/report.hpp"

namespace morph::webhook::cli {

void configure_app(CLI::App& app) {
  app.description(
      "morph-webhook: check Morph webhook bodies, receive webhooks into a durable, "
      "deduplicating inbox, and work through it from any language.");
  app.name("morph-webhook");
  app.set_version_flag("-V,--version", version_line, "Print the version and the commit, and exit");
  app.require_subcommand(1);
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  // Set last: a subcommand added after it would inherit it.
  app.footer(
      "Exit status: 0 ok (check: every body is valid), 1 check: some body is invalid; inbox: "
      "nothing to do or refused, 2 usage or I/O error.\n"
      "'morph-webhook COMMAND --help' describes each command.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);  // the selected subcommand's help
    return std::fflush(stdout) == 0 ? 0 : 2;
  } catch (const CLI::CallForVersion& e) {
    std::puts(e.what());
    return std::fflush(stdout) == 0 ? 0 : 2;
  } catch (const CLI::ParseError& e) {
    // The hint names the deepest subcommand reached: its --help lists what it accepts.
    const CLI::App* sub = &app;
    std::string command = "morph-webhook";
    while (!sub->get_subcommands().empty()) {
      sub = sub->get_subcommands().front();
      command += ' ' + sub->get_name();
    }
    std::string message = e.what();
    // A hidden option (an alias) has no name in CLI11's messages; its validator names it.
    if (message.rfind(": ", 0) == 0) message.erase(0, 2);
    if (sub->get_require_subcommand_min() > 0 && sub->get_subcommands().empty()) {
      // CLI11 says "A subcommand is required" even for a misspelt one: name it and the choices.
      std::string names;
      for (const CLI::App* choice : sub->get_subcommands({})) {
        names += (names.empty() ? "" : ", ") + choice->get_name();
      }
      const std::vector<std::string> rest = sub->remaining();
      if (rest.empty()) {
        message = "missing command (expected one of: " + names + ")";
      } else if (!rest.front().empty() && rest.front()[0] == '-') {
        message = "unknown option '" + rest.front() + "' (expected a command: " + names + ")";
      } else {
        message = "unknown command '" + rest.front() + "' (expected one of: " + names + ")";
      }
    }
    std::string line = "morph-webhook: ";
    detail::append_safe_text(line, message);
    line += "\nTry '" + command + " --help'.\n";
    std::fputs(line.c_str(), stderr);
    return 2;
  }
  return std::nullopt;
}

}  // namespace morph::webhook::cli
