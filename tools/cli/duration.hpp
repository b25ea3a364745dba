/// @file duration.hpp
/// @brief Durations on the command line and in inbox URIs: `30s`, `500ms`, `2m`, `1h`, `1.5s`;
/// a bare number is seconds.
#ifndef MORPH_WEBHOOK_CLI_DURATION_HPP
#define MORPH_WEBHOOK_CLI_DURATION_HPP

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace morph::webhook::cli {

/// The duration `text` names, or nullopt when it is not one (negative, unknown unit, over a
/// year). Units: us, ms, s (the default), m, h.
[[nodiscard]] inline std::optional<std::chrono::microseconds> parse_duration(
    std::string_view text) {
  const std::string s(text);
  if (s.empty() || !(s[0] >= '0' && s[0] <= '9')) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(s.c_str(), &end);
  const std::string_view unit(end);
  double scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1e6;
  } else if (unit == "ms") {
    scale = 1e3;
  } else if (unit == "us") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60e6;
  } else if (unit == "h") {
    scale = 3600e6;
  } else {
    return std::nullopt;
  }
  const double micros = value * scale;
  if (!std::isfinite(micros) || micros < 0 || micros > 366.0 * 86400e6) return std::nullopt;
  return std::chrono::microseconds(static_cast<long long>(std::llround(micros)));
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_CLI_DURATION_HPP
