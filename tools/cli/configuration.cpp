/// @file configuration.cpp
/// @brief `--config FILE`, `MORPH_WEBHOOK_<OPTION>` and `--print-config` for every command (see
/// configuration.hpp).
#include "cli/configuration.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace morph::webhook::cli {
namespace {

/// A command that runs (a CLI11 App without subcommands) and its path (`inbox`, `work`).
struct Command {
  CLI::App* app = nullptr;
  std::vector<std::string> path;
};

/// What --config and --print-config hold, and every command (for checking a file's keys).
struct State {
  std::string file;    ///< --config
  bool print = false;  ///< --print-config
  std::vector<Command> commands;
};

constexpr const char* config_variable = "MORPH_WEBHOOK_CONFIG";

/// What reload_value() needs of the command that runs.
struct Running {
  std::shared_ptr<State> state;
  std::string file;
  std::vector<std::string> path;
  std::set<std::string> from_command_line;
  std::map<std::string, std::string> defaults;
};

Running& running() {
  static Running r;
  return r;
}

/// The key of `option` in files and the environment; nullopt for what is not configured that
/// way (positional arguments, hidden aliases, help, --config itself).
std::optional<std::string> key_of(const CLI::Option& option) {
  if (option.get_positional() || option.get_lnames().empty() || option.get_group().empty() ||
      !option.get_configurable()) {
    return std::nullopt;
  }
  const std::string& name = option.get_lnames().front();
  if (name == "help" || name == "version" || name == "config" || name == "print-config") {
    return std::nullopt;
  }
  return name;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

void collect(CLI::App& app, std::vector<std::string> path, std::vector<Command>& out) {
  const std::vector<CLI::App*> subs = app.get_subcommands({});
  if (subs.empty() && !path.empty()) out.push_back({&app, path});
  for (CLI::App* sub : subs) {
    std::vector<std::string> sub_path = path;
    sub_path.push_back(sub->get_name());
    collect(*sub, std::move(sub_path), out);
  }
}

bool starts_with(const std::vector<std::string>& path, const std::vector<std::string>& prefix) {
  if (prefix.size() > path.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (path[i] != prefix[i]) return false;
  }
  return true;
}

bool has_key(const CLI::App& command, const std::string& key) {
  for (const CLI::Option* option : command.get_options()) {
    if (key_of(*option) == key) return true;
  }
  return false;
}

/// Refuses a key that no command under its table has.
void check_keys(const std::vector<CLI::ConfigItem>& items, const State& state,
                const std::string& file) {
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // table start and end
    bool table = false;
    bool known = false;
    for (const Command& command : state.commands) {
      if (!starts_with(command.path, item.parents)) continue;
      table = true;
      if (has_key(*command.app, item.name)) known = true;
    }
    if (known) continue;
    std::string message = "unknown key '" + item.fullname() + "' in " + file;
    if (!table) message += " (no command '" + join(item.parents, " ") + "')";
    throw CLI::ConfigError(message);
  }
}

/// The file's value of `key` for the command at `path`: its own table first, then each parent
/// table, then the top level; the last occurrence wins.
const CLI::ConfigItem* lookup(const std::vector<CLI::ConfigItem>& items,
                              const std::vector<std::string>& path, const std::string& key) {
  for (std::size_t depth = path.size() + 1; depth-- > 0;) {
    const std::vector<std::string> table(path.begin(),
                                         path.begin() + static_cast<std::ptrdiff_t>(depth));
    const CLI::ConfigItem* found = nullptr;
    for (const CLI::ConfigItem& item : items) {
      if (item.name == key && item.parents == table) found = &item;
    }
    if (found != nullptr) return found;
  }
  return nullptr;
}

/// Gives `option` the `values` found in `source` (a variable or a file key), as if typed on
/// the command line, and runs its checks and callback.
void set_option(CLI::Option& option, std::vector<std::string> values, const std::string& source) {
  if (option.get_expected_min() == 0) {  // a flag: true/false, yes/no, on/off, 1/0
    if (values.size() != 1) throw CLI::ConfigError(source + ": expected true or false");
    try {
      (void)CLI::detail::to_flag_value(values.front());
    } catch (const std::exception&) {
      throw CLI::ConfigError(source + ": expected true or false, not '" + values.front() + "'");
    }
  }
  option.add_result(std::move(values));
  try {
    option.run_callback();
  } catch (const CLI::ParseError& e) {
    throw CLI::ConfigError(source + ": " + e.what());
  }
}

bool is_plain_number(const std::string& text) {
  if (text.empty() || text.size() > 18) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

/// `text` as a TOML basic string.
std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + '"';
}

/// The effective configuration of `command` as a TOML table a --config file can hold.
std::string effective_configuration(const Command& command) {
  std::string out = "# morph-webhook " + join(command.path, " ") +
                    ": effective configuration (command line > MORPH_WEBHOOK_* > --config file "
                    "> default)\n[" +
                    join(command.path, ".") + "]\n";
  for (const CLI::Option* option : command.app->get_options()) {
    const std::optional<std::string> key = key_of(*option);
    if (!key) continue;
    if (option->get_expected_min() == 0) {
      bool on = false;
      for (const std::string& r : option->results()) {
        try {
          on = CLI::detail::to_flag_value(r) > 0;
        } catch (const std::exception&) {
        }
      }
      out += *key + (on ? " = true\n" : " = false\n");
      continue;
    }
    std::vector<std::string> values = option->results();
    if (option->count() == 0) {
      values.clear();
      if (!option->get_default_str().empty()) values.push_back(option->get_default_str());
    }
    if (values.empty()) {
      out += "# " + *key + " = (not set)\n";
      continue;
    }
    std::string value = values.back();
    if (*key == "inbox") value = mask_uri_password(value);
    out += *key + " = " + (is_plain_number(value) ? value : toml_string(value)) + '\n';
  }
  return out;
}

void apply(const std::shared_ptr<State>& shared, CLI::App& app, int& exit_status) {
  State& state = *shared;
  CLI::App* leaf = &app;
  std::vector<std::string> path;
  while (!leaf->get_subcommands().empty()) {
    leaf = leaf->get_subcommands().front();
    path.push_back(leaf->get_name());
  }
  if (path.empty()) return;
  std::string file = state.file;
  if (file.empty()) {
    const char* from_environment = std::getenv(config_variable);
    if (from_environment != nullptr) file = from_environment;
  }
  std::vector<CLI::ConfigItem> items;
  if (!file.empty()) {
    try {
      items = CLI::ConfigTOML().from_file(file);
    } catch (const CLI::FileError&) {
      throw CLI::ConfigError("cannot read the config file '" + file + "'");
    }
    check_keys(items, state, file);
  }
  Running& now = running();
  now = Running{shared, file, path, {}, {}};
  for (CLI::Option* option : leaf->get_options()) {
    const std::optional<std::string> key = key_of(*option);
    if (!key) continue;
    now.defaults[*key] = option->get_default_str();
    if (option->count() > 0) now.from_command_line.insert(*key);
  }
  for (CLI::Option* option : leaf->get_options()) {
    const std::optional<std::string> key = key_of(*option);
    if (!key || option->count() > 0) continue;  // the command line wins
    const std::string variable = environment_name(*key);
    const char* from_environment = std::getenv(variable.c_str());
    if (from_environment != nullptr && *from_environment != '\0') {
      set_option(*option, {from_environment}, "environment variable " + variable);
    } else if (const CLI::ConfigItem* item = lookup(items, path, *key)) {
      set_option(*option, item->inputs, "'" + item->fullname() + "' in " + file);
    }
  }
  if (state.print) {
    const std::string text = effective_configuration({leaf, path});
    std::fputs(text.c_str(), stdout);
    exit_status = std::fflush(stdout) == 0 ? 0 : 2;
    leaf->callback(std::function<void()>());  // printed instead of run
  }
}

}  // namespace

std::optional<std::string> reload_value(const std::string& key) {
  const Running& now = running();
  if (now.from_command_line.count(key) != 0) return std::nullopt;
  const char* from_environment = std::getenv(environment_name(key).c_str());
  if (from_environment != nullptr && *from_environment != '\0') return from_environment;
  if (!now.file.empty()) {
    std::vector<CLI::ConfigItem> items;
    try {
      items = CLI::ConfigTOML().from_file(now.file);
    } catch (const CLI::FileError&) {
      throw CLI::ConfigError("cannot read the config file '" + now.file + "'");
    }
    if (now.state) check_keys(items, *now.state, now.file);
    if (const CLI::ConfigItem* item = lookup(items, now.path, key)) {
      if (!item->inputs.empty()) return item->inputs.back();
    }
  }
  const auto found = now.defaults.find(key);
  if (found == now.defaults.end()) return std::nullopt;
  return found->second;
}

std::string environment_name(const std::string& key) {
  std::string out = "MORPH_WEBHOOK_";
  for (const char c : key) {
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string mask_uri_password(const std::string& uri) {
  const std::size_t scheme = uri.find("://");
  if (uri.rfind("redis", 0) != 0 || scheme == std::string::npos) return uri;
  const std::size_t start = scheme + 3;
  const std::size_t at = uri.find('@', start);
  const std::size_t slash = uri.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return uri;
  const std::size_t colon = uri.find(':', start);
  const std::size_t secret = colon != std::string::npos && colon < at ? colon + 1 : start;
  return uri.substr(0, secret) + "***" + uri.substr(at);
}

void add_configuration(CLI::App& app, int& exit_status) {
  const auto state = std::make_shared<State>();
  collect(app, {}, state->commands);
  for (const Command& command : state->commands) {
    command.app
        ->add_option("--config", state->file,
                     "TOML file of options: every option is a key, in a table named after the "
                     "command ([" +
                         join(command.path, ".") +
                         "]) or at the top level; the command line and MORPH_WEBHOOK_<OPTION> "
                         "variables win over it (also MORPH_WEBHOOK_CONFIG)")
        ->type_name("FILE")
        ->configurable(false);
    command.app
        ->add_flag("--print-config", state->print,
                   "Print the effective configuration (secrets masked) as TOML and exit")
        ->configurable(false);
  }
  app.parse_complete_callback([state, &app, &exit_status] { apply(state, app, exit_status); });
}

}  // namespace morph::webhook::cli
