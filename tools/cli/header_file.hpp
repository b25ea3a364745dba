/// @file header_file.hpp
/// @brief Reading an HTTP header block from a file, as `curl -D` (or a proxy log) writes it.
#ifndef MORPH_WEBHOOK_TOOLS_CLI_HEADER_FILE_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_HEADER_FILE_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace morph::webhook::cli {

/// Header fields in the order they appear; names and values as written (values not trimmed:
/// validate_headers() trims them).
using HeaderFields = std::vector<std::pair<std::string, std::string>>;

/// The result of parse_header_block(): the fields, or why the text is not a header block.
struct HeaderBlock {
  HeaderFields fields;  ///< Valid when `error` is empty.
  std::string error;    ///< `"line N: ..."` when the text is malformed.
};

namespace detail {

/// True for an HTTP start line: a status line (`HTTP/1.1 200 OK`) or a request line
/// (`POST /hook HTTP/1.1`).
inline bool is_start_line(std::string_view line) noexcept {
  if (line.substr(0, 5) == "HTTP/") return true;
  const auto first_space = line.find(' ');
  const auto last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) return false;
  if (line.substr(0, first_space).find(':') != std::string_view::npos) return false;
  return line.substr(last_space + 1, 5) == "HTTP/";
}

/// True for a byte allowed in a header name (RFC 9110 token).
inline bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace detail

/// Parses a header block: optional leading start lines (`HTTP/1.1 100 Continue` blocks
/// included), then `Name: value` lines ending at the first blank line or the end of the text.
/// LF and CRLF line ends are both accepted. A block with no header lines is not an error
/// here: validate_headers() then reports the missing headers. Bytes inside values are kept as they
/// are, so validate_headers() sees (and rejects) control bytes.
inline HeaderBlock parse_header_block(std::string_view text) {
  HeaderBlock out;
  std::size_t pos = 0;
  std::size_t line_number = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line.empty()) {
      if (!out.fields.empty()) break;  // end of the header block
      continue;                        // blank line after a start line (e.g. 100 Continue)
    }
    if (out.fields.empty() && detail::is_start_line(line)) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      out.error = "line " + std::to_string(line_number) +
                  ": folded header lines (starting with a space or tab) are not supported";
      return out;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      out.error = "line " + std::to_string(line_number) + ": expected 'Name: value'";
      return out;
    }
    const std::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!detail::is_token_char(c)) {
        out.error = "line " + std::to_string(line_number) +
                    ": header name holds a character that is not allowed in a name";
        return out;
      }
    }
    out.fields.emplace_back(std::string(name), std::string(line.substr(colon + 1)));
  }
  return out;
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_HEADER_FILE_HPP
