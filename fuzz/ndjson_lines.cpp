/// @file ndjson_lines.cpp
/// @brief Fuzz target: the CLI's NDJSON line splitting (tools/cli/input.hpp, for_each_line)
/// over a file holding the fuzz input, each line then parsed in place.
///
/// Checks, for a large and a tiny line limit: every line of the input is reported exactly once
/// and in order, either handed out whole (non-blank lines; CRLF stripped) or, when longer than
/// the limit, as oversized with its exact size; numbers count every line from 1; each padded
/// view parses exactly as a copy of the line does.
///
/// Limitation: inputs are read in 4 MiB chunks, so the code paths that join a line across two
/// reads need inputs over 2 MiB; libFuzzer inputs are far smaller (the CLI's own tests cover
/// those with a large file).
#include "fuzz_common.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cli/input.hpp"

namespace mw = morph::webhook;
namespace fz = morph::webhook::fuzz;

namespace {

bool is_blank(std::string_view s) {
  for (const char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

/// Every line of the input (CR of a CRLF stripped), in order, the obvious way.
std::vector<std::string> reference_lines(std::string_view input) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::size_t nl = input.find('\n', pos);
    if (nl == std::string_view::npos) nl = input.size();
    std::string_view line = input.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
    pos = nl + 1;
  }
  return out;
}

/// A memory file holding the input; Input opens it by its /proc path like any file.
int memory_file() {
  static const int fd = ::memfd_create("morph_webhook_fuzz_ndjson", 0);
  return fd;
}

void split_and_check(std::string_view input, const std::vector<std::string>& lines,
                     std::size_t max_line, const std::string& path) {
  mw::cli::Input file(path);
  MORPH_WEBHOOK_FUZZ_CHECK(file.ok());
  static mw::cli::PaddedBuffer buffer;
  static mw::Parser in_place_parser;
  static mw::Parser copy_parser;

  std::size_t next = 0;  // index of the next line not yet accounted for
  std::size_t parsed = 0;
  std::size_t bytes_reported = 0;
  // Blank lines are skipped silently: account for them up to line `number`.
  const auto skip_blank_until = [&](std::size_t number) {
    MORPH_WEBHOOK_FUZZ_CHECK(number >= 1 && number <= lines.size());
    while (next + 1 < number) {
      MORPH_WEBHOOK_FUZZ_CHECK_MSG(is_blank(lines[next]), lines[next]);
      ++next;
    }
    MORPH_WEBHOOK_FUZZ_CHECK(next + 1 == number);
  };
  const bool ok = mw::cli::for_each_line(
      file, buffer, max_line,
      [&](simdjson::padded_string_view line, std::size_t number) {
        skip_blank_until(number);
        const std::string_view text(line.data(), line.length());
        MORPH_WEBHOOK_FUZZ_CHECK(text == lines[next]);
        MORPH_WEBHOOK_FUZZ_CHECK(!is_blank(text));
        MORPH_WEBHOOK_FUZZ_CHECK(line.padding() >= simdjson::SIMDJSON_PADDING);
        ++next;
        if (++parsed > 16) return;  // parsing every line of a long input adds nothing
        mw::ParseOptions options;
        options.max_body_bytes = max_line;
        const auto a = in_place_parser.parse(line, options);
        const auto b = copy_parser.parse(text, options);
        MORPH_WEBHOOK_FUZZ_CHECK(a.has_value() == b.has_value());
        if (a) {
          MORPH_WEBHOOK_FUZZ_CHECK(*a == *b);
          fz::check_event(*a, options);
          fz::check_raw_views_inside(*a, line.data(), line.length());
        } else {
          // Same code. Pointer and message may differ for invalid_json: simdjson 3.0.1 reads the
          // first padding byte when it checks the root's closing brace, so a stale `}` left in
          // the CLI's buffer after the line turns e.g. `invalid_json at "/data"` ("improper
          // structure") into `invalid_json at ""` ("not closed") (found by this target).
          MORPH_WEBHOOK_FUZZ_CHECK_MSG(
              a.error().code == b.error().code && (a.error().code == mw::ErrorCode::invalid_json ||
                                                   fz::same_error(a.error(), b.error())),
              "in place: " + mw::to_string(a.error()) + " / copy: " + mw::to_string(b.error()));
          fz::check_body_error(a.error(), text, options);
        }
      },
      [&](std::size_t number, std::size_t size) {
        skip_blank_until(number);
        MORPH_WEBHOOK_FUZZ_CHECK(size == lines[next].size());
        MORPH_WEBHOOK_FUZZ_CHECK(size > max_line);
        ++next;
      },
      [&](std::size_t total) {
        MORPH_WEBHOOK_FUZZ_CHECK(total >= bytes_reported && total <= input.size());
        bytes_reported = total;
      });
  MORPH_WEBHOOK_FUZZ_CHECK(ok);
  while (next < lines.size()) {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(is_blank(lines[next]), lines[next]);  // trailing blank lines
    ++next;
  }
  MORPH_WEBHOOK_FUZZ_CHECK(bytes_reported == input.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const int fd = memory_file();
  if (fd < 0) return 0;
  if (::ftruncate(fd, 0) != 0) return 0;
  if (size != 0 && ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const std::vector<std::string> lines = reference_lines(input);
  split_and_check(input, lines, mw::ParseOptions{}.max_body_bytes, path);
  split_and_check(input, lines, 16, path);
  return 0;
}
