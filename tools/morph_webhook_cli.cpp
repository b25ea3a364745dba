/// @file morph_webhook_cli.cpp
/// @brief `morph-webhook`: the command line (one CLI11 App, command_line.cpp) and `check`, which
/// checks Morph webhook bodies (files, standard input, NDJSON logs) and reports each result as
/// text or JSON. See `morph-webhook --help`.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/check_command.hpp"
#include "cli/checker.hpp"
#include "cli/command_line.hpp"
#include "cli/diagnose.hpp"
#include "cli/header_file.hpp"
#include "cli/input.hpp"
#include "cli/options.hpp"
#include "cli/report.hpp"
#if defined(MORPH_WEBHOOK_CLI_SERVE)
#include "cli/subcommands.hpp"
#endif

namespace {

namespace cli = morph::webhook::cli;
namespace mw = morph::webhook;

constexpr int exit_valid = 0;
constexpr int exit_invalid = 1;
constexpr int exit_usage = 2;

/// Prints `morph-webhook: <message>` on stderr.
void print_error(const std::string& message) {
  std::string line = "morph-webhook: ";
  cli::detail::append_safe_text(line, message);
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

/// A progress line on stderr for big inputs, only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}

  /// Starts a new input.
  void start(const cli::Input& input) {
    name_ = input.is_stdin() ? "<stdin>" : input.name();
    size_ = input.size();
    shown_ = false;
  }
  /// Reports `bytes` read so far and, in --ndjson mode, `bodies` checked so far.
  void update(std::size_t bytes, std::optional<std::size_t> bodies) {
    if (!enabled_ || bytes < kThreshold) return;
    const auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    std::string line = "\r\x1b[K";
    cli::detail::append_safe_text(line, name_);
    char numbers[128];
    const double mb = static_cast<double>(bytes) / 1e6;
    if (size_ && *size_ > 0) {
      const double total = static_cast<double>(*size_) / 1e6;
      std::snprintf(numbers, sizeof numbers, ": %.1f / %.1f MB (%.0f%%)", mb, total,
                    100.0 * mb / total);
    } else {
      std::snprintf(numbers, sizeof numbers, ": %.1f MB", mb);
    }
    line += numbers;
    if (bodies) {
      std::snprintf(numbers, sizeof numbers, ", %zu bodies", *bodies);
      line += numbers;
    }
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }
  /// Clears the progress line, if one is shown.
  void finish() {
    if (!shown_) return;
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  static constexpr std::size_t kThreshold = std::size_t{4} << 20;
  bool enabled_;
  bool shown_ = false;
  std::string name_;
  std::optional<std::size_t> size_;
  std::chrono::steady_clock::time_point last_{};
};

/// True when ANSI colours suit stdout: a terminal, NO_COLOR unset, TERM not "dumb".
bool use_colour() {
  if (::isatty(STDOUT_FILENO) == 0) return false;
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

/// Reads `path` whole into `text`; false (with `error`) when it cannot be read.
bool read_small_file(const std::string& path, std::string& text, std::string& error) {
  cli::Input input(path);
  if (!input.ok()) {
    error = input.error();
    return false;
  }
  constexpr std::size_t limit = std::size_t{1} << 20;  // a header block is a few hundred bytes
  cli::PaddedBuffer buffer;
  const cli::WholeRead read = cli::read_whole(input, buffer, limit, [](std::size_t) {});
  if (!read.ok) {
    error = input.error();
    return false;
  }
  if (read.too_large(limit)) {
    error = "larger than 1 MiB; expected an HTTP header block";
    return false;
  }
  text.assign(buffer.data(), buffer.size());
  return true;
}

/// Loads and checks the `--headers` file, then applies the result to `checker`.
/// `fields` keeps the header storage alive for the views in the checked headers.
/// Returns false on an I/O or format error (exit status 2).
bool load_headers(const std::string& path, cli::HeaderFields& fields, cli::Checker& checker) {
  std::string text;
  std::string error;
  if (!read_small_file(path, text, error)) {
    print_error("cannot read headers file " + path + ": " + error);
    return false;
  }
  cli::HeaderBlock block = cli::parse_header_block(text);
  if (!block.error.empty()) {
    print_error("headers file " + path + ": " + block.error);
    return false;
  }
  fields = std::move(block.fields);
  mw::Result<mw::Headers> checked = mw::validate_headers(fields);
  if (checked) {
    checker.set_headers(*checked);
  } else {
    checker.set_header_error(checked.error());
  }
  return true;
}

/// Runs `check` with the given options; returns the exit status.
int run_check(const cli::Options& options) {
  mw::ParseOptions parse_options;
  parse_options.policy = options.strict ? mw::Policy::strict : mw::Policy::lenient;
  if (options.max_bytes) parse_options.max_body_bytes = *options.max_bytes;

  cli::Checker checker(parse_options);
  cli::HeaderFields header_fields;  // outlives every check: the checked headers point into it
  if (options.headers_file && !load_headers(*options.headers_file, header_fields, checker)) {
    return exit_usage;
  }

  Progress progress(::isatty(STDERR_FILENO) != 0);  // declared first: outlives `out`
  cli::Sink out(STDOUT_FILENO);
  cli::Reporter reporter(out, options.format, options.format == cli::Format::text && use_colour(),
                         options.errors_only);
  cli::Diagnoser diagnoser;
  // Checks one body and reports it, with what is known about it when it is refused.
  const auto check_and_report = [&](const cli::Origin& origin, simdjson::padded_string_view body,
                                    const mw::Headers* headers) {
    const cli::Outcome outcome = checker.check(body);
    if (const auto* error = std::get_if<mw::Error>(&outcome)) {
      const cli::Diagnosis diagnosis = diagnoser.diagnose(body, *error, origin.line);
      reporter.report(origin, outcome, headers, &diagnosis);
    } else {
      reporter.report(origin, outcome, headers);
    }
  };
  if (::isatty(STDOUT_FILENO) != 0) out.set_before_write([&progress] { progress.finish(); });
  cli::PaddedBuffer buffer;  // one buffer for every input: no allocation once it is big enough
  bool io_error = false;

  std::vector<std::string> files = options.files;
  if (files.empty()) files.emplace_back("-");

  for (const std::string& path : files) {
    cli::Input input(path);
    if (!input.ok()) {
      out.flush();
      print_error("cannot open " + path + ": " + input.error());
      reporter.unreadable();
      io_error = true;
      continue;
    }
    if (input.is_stdin() && ::isatty(STDIN_FILENO) != 0) {
      // Someone typed the command without a file: say what it waits for instead of hanging.
      std::fputs(options.ndjson
                     ? "morph-webhook: reading NDJSON bodies (one per line) from the terminal; "
                       "end with Ctrl-D, or give a FILE (see --help)\n"
                     : "morph-webhook: reading one webhook body from the terminal; paste it and "
                       "end with Ctrl-D, or give a FILE (see --help)\n",
                 stderr);
    }
    progress.start(input);
    cli::Origin origin;
    if (!input.is_stdin()) origin.file = input.name();
    const auto* headers = checker.headers() ? &*checker.headers() : nullptr;
    const std::size_t before = reporter.total();

    bool read_ok = true;
    const std::size_t limit = parse_options.max_body_bytes;
    if (options.ndjson) {
      read_ok = cli::for_each_line(
          input, buffer, limit,
          [&](simdjson::padded_string_view line, std::size_t line_number) {
            origin.line = line_number;
            check_and_report(origin, line, headers);
          },
          [&](std::size_t line_number, std::size_t size) {
            origin.line = line_number;
            reporter.report(origin, checker.too_large(size), headers);
          },
          [&](std::size_t bytes) { progress.update(bytes, reporter.total() - before); });
    } else {
      const cli::WholeRead read = cli::read_whole(
          input, buffer, limit, [&](std::size_t bytes) { progress.update(bytes, std::nullopt); });
      read_ok = read.ok;
      if (read.ok && read.too_large(limit)) {
        reporter.report(origin, checker.too_large(read.bytes), headers);
      } else if (read.ok) {
        check_and_report(origin, buffer.view(0, buffer.size()), headers);
      }
    }
    progress.finish();
    if (!read_ok) {
      out.flush();
      print_error("cannot read " + path + ": " + input.error());
      reporter.unreadable();
      io_error = true;
    }
  }

  reporter.summary();
  out.flush();
  if (out.failed()) {
    print_error(std::string("cannot write the results: ") + std::strerror(out.error_number()));
    return exit_usage;
  }
  if (io_error) return exit_usage;
  return reporter.invalid() > 0 ? exit_invalid : exit_valid;
}

}  // namespace

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
    print_error(app.get_subcommands().front()->get_name() +
                " is not built into this morph-webhook (it needs SQLite, Boost and "
                "prometheus-cpp when configured)");
    return exit_usage;
  };
#endif
  if (const std::optional<int> status = cli::parse_command_line(app, argc, argv)) return *status;
  if (check->parsed()) return run_check(check_options);
  return run_serve_or_inbox();
}
