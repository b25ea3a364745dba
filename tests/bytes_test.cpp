// The byte helpers of the parser's fast paths (detail/bytes.hpp), alone: they read ahead into
// simdjson's padding, and what lies there must never decide.
#include <morph/webhook/detail/bytes.hpp>

#include <simdjson.h>

#include <cstring>
#include <string>
#include <vector>

#include "catch.hpp"

using namespace morph::webhook::detail;

namespace {

/// `text` followed by a padding filled with `fill`.
std::vector<char> padded(const std::string& text, char fill) {
  std::vector<char> out(text.size() + simdjson::SIMDJSON_PADDING, fill);
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

}  // namespace

TEST_CASE("next_byte skips whitespace runs of any length and stops at the end of the body",
          "[bytes]") {
  for (const char fill : {' ', 'x', '\0', '7'}) {
    for (std::size_t run = 0; run < 70; ++run) {
      const std::string body = std::string(run, run % 3 == 0 ? ' ' : '\n') + "\t\r :";
      const std::vector<char> buffer = padded(body, fill);
      const char* p = buffer.data();
      const char* const end = buffer.data() + body.size();
      CHECK(next_byte(p, end) == ':');
      CHECK(p == end - 1);
      // Only whitespace up to the end: '\0' at the end, whatever the padding holds.
      const std::vector<char> blank = padded(std::string(run, ' '), fill);
      const char* q = blank.data();
      CHECK(next_byte(q, blank.data() + run) == '\0');
      CHECK(q == blank.data() + run);
    }
  }
}
