/// @file duration_option.hpp
/// @brief A CLI11 option that parses a duration (`30s`, `500ms`, `2m`; duration.hpp) straight
/// into a std::chrono::duration at parse time, its default shown from the target's value.
#ifndef MORPH_WEBHOOK_CLI_DURATION_OPTION_HPP
#define MORPH_WEBHOOK_CLI_DURATION_OPTION_HPP

#include <chrono>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/duration.hpp"

namespace morph::webhook::cli {

/// `d` as the shortest exact text parse_duration() reads back: `30s`, `500ms`, `72h`, `0s`.
template <class Rep, class Period>
[[nodiscard]] std::string format_duration(std::chrono::duration<Rep, Period> d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  if (us == 0) return "0s";
  // clang-format off
  struct Unit { long long micros; const char* name; };
  static constexpr Unit units[] = {
      {3600000000LL, "h"}, {60000000LL, "m"}, {1000000LL, "s"}, {1000LL, "ms"}, {1LL, "us"}};
  // clang-format on
  for (const Unit& u : units) {
    if (us % u.micros == 0) return std::to_string(us / u.micros) + u.name;
  }
  return std::to_string(us) + "us";
}

/// Adds `name` to `app`: a DURATION parsed into `target` when the option is given (so `target`
/// keeps its default otherwise, and --help shows that default). Values below `min` are refused
/// with a message naming `min`.
template <class Rep, class Period>
CLI::Option* add_duration_option(CLI::App& app, const std::string& name,
                                 std::chrono::duration<Rep, Period>& target,
                                 const std::string& help,
                                 std::chrono::microseconds min = std::chrono::microseconds(0)) {
  using Target = std::chrono::duration<Rep, Period>;
  return app
      .add_option_function<std::string>(
          name,
          [&target](const std::string& text) {
            target = std::chrono::duration_cast<Target>(*parse_duration(text));
          },
          help)
      ->type_name("DURATION")
      ->default_str(format_duration(target))
      ->check(CLI::Validator(
          [min](std::string& value) -> std::string {
            const auto d = parse_duration(value);
            if (!d) return "expected a duration such as 30s, 500ms, 2m or 1h, not '" + value + "'";
            if (*d < min) return "must be at least " + format_duration(min);
            return {};
          },
          ""));
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_DURATION_OPTION_HPP
