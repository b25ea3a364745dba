/// @file options.hpp
/// @brief Command line of `morph-webhook`: the Options it yields and the usage text.
#ifndef MORPH_WEBHOOK_TOOLS_CLI_OPTIONS_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_OPTIONS_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace morph::webhook::cli {

/// Output format of `check`.
enum class Format : std::uint8_t { text, json };

/// What the command line asks for.
struct Options {
  bool help = false;                         ///< `--help`: print usage, exit 0.
  bool version = false;                      ///< `--version`: print version, exit 0.
  bool strict = false;                       ///< `--strict`: Policy::strict.
  bool ndjson = false;                       ///< `--ndjson`: one body per non-empty line.
  bool errors_only = false;                  ///< `--errors-only`: print failing bodies only.
  Format format = Format::text;              ///< `--format text|json`.
  std::optional<std::string> headers_file;   ///< `--headers FILE`.
  std::optional<std::size_t> max_bytes;      ///< `--max-bytes N`.
  std::vector<std::string> files;            ///< Inputs; empty or `-` means standard input.
};

/// The usage text printed by `--help` (and, shortened, after a usage error).
inline constexpr std::string_view usage_text =
    "Usage: morph-webhook check [--strict] [--ndjson] [--headers FILE] [--format text|json]\n"
    "                           [--errors-only] [--max-bytes N] [FILE...]\n"
    "       morph-webhook --help | --version\n"
    "\n"
    "Checks Morph webhook bodies against the Morph webhook contract and reports, for each\n"
    "body, whether it is a valid event and, if not, what is wrong and where (JSON Pointer).\n"
    "crmEngagement events are checked field by field; events of other models are checked\n"
    "at the envelope level (event, data.id, timestamps, warnings, well-formed JSON).\n"
    "Reads standard input when no FILE is given or FILE is '-'.\n"
    "\n"
    "Options:\n"
    "  --strict            exact zod schema of crmEngagement (default: lenient, which\n"
    "                      accepts what Morph really sends: dropped fields, new enum values)\n"
    "  --ndjson            every non-empty line of every input is one body (webhook logs);\n"
    "                      results carry the line number\n"
    "  --headers FILE      HTTP header block ('Name: value' lines, as 'curl -D' writes it)\n"
    "                      checked (x-conector-id, x-owner-id, x-idempotency-key) for every body\n"
    "  --format text|json  text (default): one line per body and a summary;\n"
    "                      json: one JSON object per body, one per line, nothing else\n"
    "  --errors-only       print only the bodies that fail (the summary still counts all)\n"
    "  --max-bytes N       largest accepted body in bytes (default 8388608)\n"
    "  -h, --help          print this help and exit\n"
    "  --version           print the version and exit\n"
    "\n"
    "Exit status: 0 every body is valid, 1 some body is invalid, 2 usage or I/O error.\n"
    "\n"
    "Examples:\n"
    "  morph-webhook check examples/payloads/*.json\n"
    "  morph-webhook check --ndjson --format json events.ndjson | jq 'select(.ok|not)'\n"
    "  morph-webhook check --headers captured-headers.txt captured-body.json\n"
    "  morph-webhook check --strict - < body.json\n";

/// The result of parsing argv: options, or a usage error message.
struct ParsedArgs {
  Options options;    ///< Valid when `error` is empty.
  std::string error;  ///< Non-empty on a usage error.
};

namespace detail {

/// Parses a non-negative decimal integer that fits in size_t; nullopt otherwise.
inline std::optional<std::size_t> parse_size(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::size_t>(c - '0');
    if (value > (SIZE_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace detail

/// Parses `argv[1..argc)`. Accepts `--opt VALUE` and `--opt=VALUE`; `--` ends the options.
inline ParsedArgs parse_args(int argc, const char* const* argv) {
  ParsedArgs out;
  Options& o = out.options;
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);

  if (args.empty()) {
    out.error = "missing command (expected 'check')";
    return out;
  }
  // Global flags before the command.
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    o.help = true;
    return out;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    o.version = true;
    return out;
  }
  if (args[0] != "check") {
    out.error = "unknown command '" + std::string(args[0]) + "' (expected 'check')";
    return out;
  }

  bool only_files = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (only_files || arg == "-" || arg.empty() || arg[0] != '-') {
      o.files.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_files = true;
      continue;
    }
    // Split `--name=value`.
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (const auto eq = arg.find('='); eq != std::string_view::npos && arg.substr(0, 2) == "--") {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    const auto take_value = [&](std::string_view& value) -> bool {
      if (inline_value) {
        value = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) {
        out.error = "option " + std::string(name) + " needs a value";
        return false;
      }
      value = args[++i];
      return true;
    };
    const auto no_value = [&]() -> bool {
      if (inline_value) {
        out.error = "option " + std::string(name) + " takes no value";
        return false;
      }
      return true;
    };

    std::string_view value;
    if (name == "--help" || name == "-h") {
      if (!no_value()) return out;
      o.help = true;
    } else if (name == "--version") {
      if (!no_value()) return out;
      o.version = true;
    } else if (name == "--strict") {
      if (!no_value()) return out;
      o.strict = true;
    } else if (name == "--ndjson") {
      if (!no_value()) return out;
      o.ndjson = true;
    } else if (name == "--errors-only") {
      if (!no_value()) return out;
      o.errors_only = true;
    } else if (name == "--format") {
      if (!take_value(value)) return out;
      if (value == "text") {
        o.format = Format::text;
      } else if (value == "json") {
        o.format = Format::json;
      } else {
        out.error = "--format must be 'text' or 'json', not '" + std::string(value) + "'";
        return out;
      }
    } else if (name == "--headers") {
      if (!take_value(value)) return out;
      if (value.empty()) {
        out.error = "--headers needs a file name";
        return out;
      }
      o.headers_file = std::string(value);
    } else if (name == "--max-bytes") {
      if (!take_value(value)) return out;
      const auto n = detail::parse_size(value);
      if (!n) {
        out.error = "--max-bytes needs a non-negative integer, not '" + std::string(value) + "'";
        return out;
      }
      o.max_bytes = *n;
    } else {
      out.error = "unknown option '" + std::string(arg) + "'";
      return out;
    }
  }
  return out;
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_OPTIONS_HPP
