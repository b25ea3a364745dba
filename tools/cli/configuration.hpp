/// @file configuration.hpp
/// @brief `--config FILE`, `MORPH_WEBHOOK_<OPTION>` environment variables and `--print-config`
/// for every command of `morph-webhook`, written once for all of them.
///
/// Every option of a command is a key (its long name without `--`). Precedence: the command
/// line, then the environment (`MORPH_WEBHOOK_` and the key in capitals, `-` as `_`:
/// `--max-body-bytes` is `MORPH_WEBHOOK_MAX_BODY_BYTES`), then the file, then the default. The file
/// is TOML (read by CLI11's own reader); a key applies to the command of its table: `[serve]`,
/// `[inbox.work]`,
/// `[inbox]` (every inbox command that has the option) or the top level (every command that
/// has it), the most specific table first. A key no command knows is an error naming it.
/// `--config` may also come from `MORPH_WEBHOOK_CONFIG`. Secrets are never option values (only
/// files name them), and --print-config masks a password in an inbox URI.
#ifndef MORPH_WEBHOOK_CLI_CONFIGURATION_HPP
#define MORPH_WEBHOOK_CLI_CONFIGURATION_HPP

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace morph::webhook::cli {

/// Adds --config and --print-config to every command of `app` without subcommands, and a
/// step that runs once the command line is parsed, before the command's callback: it fills
/// the options the command line left unset from the environment, then from the file; with
/// --print-config it prints the effective configuration as TOML instead of running the command
/// (exit status 0 in `exit_status`). Call after every subcommand was added. Errors (unknown key,
/// bad value, unreadable file) end the parse as usage errors naming the key or variable.
void add_configuration(CLI::App& app, int& exit_status);

/// On SIGHUP: the value the option `key` of the running command takes from its sources now:
/// nullopt when the command line set it (it still wins); otherwise its environment variable,
/// else the config file read again, else its default. Throws CLI::ConfigError when the file
/// cannot be read or has an unknown key.
[[nodiscard]] std::optional<std::string> reload_value(const std::string& key);

/// The environment variable of the option named `key` (`max-body-bytes` →
/// `MORPH_WEBHOOK_MAX_BODY_BYTES`).
[[nodiscard]] std::string environment_name(const std::string& key);

/// `uri` with the password of a `redis://` URI replaced by `***` (other URIs unchanged).
[[nodiscard]] std::string mask_uri_password(const std::string& uri);

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_CONFIGURATION_HPP
