/// @file check_command.cpp
/// @brief The options, defaults and help of `morph-webhook check` (CLI11).
#include "cli/check_command.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/check_run.hpp"
#include "morph/webhook/types.hpp"

namespace morph::webhook::cli {
namespace {

/// Parses a non-negative decimal integer that fits in size_t; nullopt otherwise (no sign, no
/// suffix: `-1` must not wrap round to SIZE_MAX).
std::optional<std::size_t> parse_size(std::string_view text) {
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

constexpr const char* description =
    "Check webhook bodies (files, standard input, NDJSON logs) against the Morph webhook "
    "contract";

constexpr const char* footer =
    "Reports, for each body, whether it is a valid event and, if not, what is wrong and where\n"
    "(JSON Pointer). Events of the models the library types are checked field by field; events\n"
    "of other models at the envelope level (event, data.id, timestamps, warnings, well-formed\n"
    "JSON). Reads standard input when no FILE is given or FILE is '-'.\n"
    "\n"
    "Exit status: 0 every body is valid, 1 some body is invalid, 2 usage or I/O error.\n"
    "\n"
    "Examples:\n"
    "  morph-webhook check examples/payloads/*.json\n"
    "  morph-webhook check --ndjson --format json events.ndjson | jq 'select(.ok|not)'\n"
    "  morph-webhook check --ndjson --summary --jobs 4 day.ndjson\n"
    "  morph-webhook check --headers captured-headers.txt captured-body.json\n"
    "  morph-webhook check --strict - < body.json";

}  // namespace

CLI::App* add_check_command(CLI::App& app, int& exit_status) {
  const auto shared = std::make_shared<Options>();
  Options& options = *shared;
  CLI::App* check = app.add_subcommand("check", description);
  check->footer(footer);
  // `check --version` works as `morph-webhook --version` does.
  check->fallthrough();
  // A flag given a value (`--strict=yes`) is a usage error, not a silent `true`; an option
  // given twice takes its last value, so a script can override a default it was given.
  check
      ->add_flag_function(
          "--strict",
          [&options](std::int64_t count) {
            options.parse.policy = count > 0 ? Policy::strict : Policy::lenient;
          },
          "Exact zod schema of each typed model (default: lenient, which accepts what Morph "
          "really sends: dropped fields, new enum values)")
      ->disable_flag_override();
  check
      ->add_flag("--ndjson", options.ndjson,
                 "Every non-empty line of every input is one body (webhook logs); results "
                 "carry the line number")
      ->disable_flag_override();
  check
      ->add_option_function<std::string>(
          "--headers", [&options](const std::string& file) { options.headers_file = file; },
          "HTTP header block ('Name: value' lines, as 'curl -D' writes it) checked "
          "(x-conector-id, x-owner-id, x-idempotency-key) for every body")
      ->type_name("FILE")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->check(CLI::Validator(
          [](std::string& file) {
            return file.empty() ? std::string("needs a file name") : std::string();
          },
          ""));
  check
      ->add_option_function<std::string>(
          "--format",
          [&options](const std::string& name) {
            options.format = name == "json" ? Format::json : Format::text;
          },
          "text (default): one line per body and a summary; json: one JSON object per body, "
          "one per line, nothing else")
      ->type_name("text|json")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->check(CLI::Validator(
          [](std::string& name) {
            return name == "text" || name == "json"
                       ? std::string()
                       : "must be 'text' or 'json', not '" + name + "'";
          },
          ""));
  check
      ->add_flag("--errors-only", options.errors_only,
                 "Print only the bodies that fail (the summary still counts all)")
      ->disable_flag_override();
  check
      ->add_flag("--summary", options.summary_only,
                 "Print only the summary, no line per body (with --format json: one JSON object "
                 "of counts); the exit status is the same")
      ->disable_flag_override();
  check
      ->add_option_function<std::string>(
          "--jobs", [&options](const std::string& text) { options.jobs = parse_size(text); },
          "Threads checking bodies (default: every available core). Results are printed in "
          "input order whatever N is; 1 checks on the main thread")
      ->type_name("N")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->check(CLI::Validator(
          [](std::string& text) {
            const std::optional<std::size_t> n = parse_size(text);
            return n && *n >= 1 && *n <= 1024
                       ? std::string()
                       : "needs a number of threads from 1 to 1024, not '" + text + "'";
          },
          ""));
  // One name per concept across commands: serve says --max-body-bytes too. --max-bytes, the
  // name `check` had first, stays as a hidden alias.
  const auto set_max = [&options](const std::string& text) {
    options.parse.max_body_bytes = *parse_size(text);
  };
  const auto size_check = [](const std::string& name) {
    return CLI::Validator(
        [name](std::string& text) {
          return parse_size(text) ? std::string()
                                  : name + "needs a non-negative integer, not '" + text + "'";
        },
        "");
  };
  check
      ->add_option_function<std::string>("--max-body-bytes", set_max,
                                         "Largest accepted body in bytes (and NDJSON line)")
      ->type_name("N")
      ->default_str(std::to_string(options.parse.max_body_bytes))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->check(size_check(""));
  // CLI11 names a hidden option "" in its errors: the message names it.
  check->add_option_function<std::string>("--max-bytes", set_max)
      ->type_name("N")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->check(size_check("--max-bytes: "))
      ->group("");
  check->add_option("FILE", options.files, "Bodies to check ('-': standard input)");
  check->callback([shared, &exit_status] { exit_status = run_check(*shared); });
  return check;
}

}  // namespace morph::webhook::cli
