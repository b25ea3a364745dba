/// @file options.hpp
/// @brief What `morph-webhook check` is asked to do (filled in by check_command.cpp).
#ifndef MORPH_WEBHOOK_TOOLS_CLI_OPTIONS_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_OPTIONS_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "morph/webhook/types.hpp"

namespace morph::webhook::cli {

/// Output format of `check`.
enum class Format : std::uint8_t { text, json };

/// The options of `check`.
struct Options {
  ParseOptions parse;                       ///< `--strict`, `--max-body-bytes`.
  bool ndjson = false;                      ///< `--ndjson`: one body per non-empty line.
  bool errors_only = false;                 ///< `--errors-only`: print failing bodies only.
  bool summary_only = false;                ///< `--summary`: print the summary only.
  std::optional<std::size_t> jobs;          ///< `--jobs N`; nullopt: every available core.
  Format format = Format::text;             ///< `--format text|json`.
  std::optional<std::string> headers_file;  ///< `--headers FILE`.
  std::vector<std::string> files;           ///< Inputs; empty or `-` means standard input.
};

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_OPTIONS_HPP
