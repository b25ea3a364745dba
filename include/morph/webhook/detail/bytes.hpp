/// @file bytes.hpp
/// @brief Byte-level helpers of the parser's fast paths: string ends, plain scalars, prefix
/// compares. Pure functions on bytes (testable alone); `end` is where the body ends, and the
/// functions that read ahead rely on simdjson's padding after it.
#ifndef MORPH_WEBHOOK_DETAIL_BYTES_HPP
#define MORPH_WEBHOOK_DETAIL_BYTES_HPP

#include <cstddef>
#include <cstring>
#include <string_view>

#include "morph/webhook/detail/config.hpp"

/// @cond MORPH_WEBHOOK_INTERNAL
namespace morph::webhook::detail {

/// `text == literal` with the literal's size known at compile time, so the comparison is a
/// couple of integer compares rather than a call to memcmp.
template <std::size_t N>
inline bool eq(std::string_view text, const char (&literal)[N]) noexcept {
  return text.size() == N - 1 && std::memcmp(text.data(), literal, N - 1) == 0;
}

/// JSON whitespace (RFC 8259): space, tab, LF, CR.
constexpr bool is_json_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// True for the bytes that may follow a member or element: `,`, `}` or `]`.
constexpr bool ends_member(char c) noexcept { return c == ',' || c == '}' || c == ']'; }

/// Index of the lowest set bit of a non-zero mask.
inline std::size_t first_set_bit(unsigned mask) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return static_cast<std::size_t>(__builtin_ctz(mask));
#elif defined(_MSC_VER)
  unsigned long index = 0;
  _BitScanForward(&index, mask);
  return index;
#else
  std::size_t i = 0;
  while ((mask & 1u) == 0) {
    mask >>= 1;
    ++i;
  }
  return i;
#endif
}

/// Skips a run of whitespace at `p` (which is whitespace) 16 bytes at a time; see next_byte().
/// Reads up to 15 bytes past `end`, within the padding; what it finds there is not used.
inline void skip_space_run(const char*& p, const char* end) noexcept {
#if MORPH_WEBHOOK_SSE2
  // Pretty-printed bodies indent every line: runs of 4 to 20 spaces after a newline.
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  while (p < end) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i blank =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, space), _mm_cmpeq_epi8(chunk, tab)),
                     _mm_or_si128(_mm_cmpeq_epi8(chunk, lf), _mm_cmpeq_epi8(chunk, cr)));
    const unsigned other = ~static_cast<unsigned>(_mm_movemask_epi8(blank)) & 0xFFFFu;
    if (other != 0) {
      p += first_set_bit(other);
      break;
    }
    p += 16;
  }
  if (p > end) p = end;  // the run went on into the padding
#else
  while (p < end && is_json_space(*p)) ++p;
#endif
}

/// The first byte at or after `p` that is not JSON whitespace (`p` moves to it), or '\0' at
/// `end` (the padding after the body may hold anything, so nothing past `end` decides).
MORPH_WEBHOOK_INLINE char next_byte(const char*& p, const char* end) noexcept {
  if (p < end && is_json_space(*p)) skip_space_run(p, end);
  return p < end ? *p : '\0';
}

/// Length of the string content at `p` (just after its opening quote) up to the closing quote,
/// or npos when a backslash comes first (the string then needs unescaping).
///
/// Only called on strings simdjson's stage 1 has already seen closed, so the scan stops inside
/// the document; it reads at most 15 bytes past the closing quote, within the padding.
MORPH_WEBHOOK_INLINE std::size_t plain_string_length(const char* p) noexcept {
  const char* s = p;
#if MORPH_WEBHOOK_SSE2
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (;; s += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    const int mask = _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)));
    if (mask != 0) {
      const std::size_t i = first_set_bit(static_cast<unsigned>(mask));
      return s[i] == '"' ? static_cast<std::size_t>(s + i - p) : std::string_view::npos;
    }
  }
#else
  for (;; ++s) {
    if (*s == '"') return static_cast<std::size_t>(s - p);
    if (*s == '\\') return std::string_view::npos;
  }
#endif
}

/// True when `p` (inside the body) is where a scalar may end: whitespace, `,`, `]` or `}`.
MORPH_WEBHOOK_INLINE bool scalar_ends_at(const char* p, const char* end) noexcept {
  return p < end && (is_json_space(*p) || ends_member(*p));
}

/// Checks the literal or number at `p` from its raw bytes, for the common forms only:
/// `true`, `false`, `null`, a number without exponent of at most 18 digits. True when it is
/// one of them and valid; false when the full check must decide.
MORPH_WEBHOOK_INLINE bool plain_scalar(const char* p, const char* end) noexcept {
  switch (*p) {
    case 't': return std::memcmp(p, "true", 4) == 0 && scalar_ends_at(p + 4, end);
    case 'f': return std::memcmp(p, "false", 5) == 0 && scalar_ends_at(p + 5, end);
    case 'n': return std::memcmp(p, "null", 4) == 0 && scalar_ends_at(p + 4, end);
    default: {
      // -?(0|[1-9][0-9]*)(\.[0-9]+)?, then a delimiter.
      const char* q = p + (*p == '-');
      const char* const digits = q;
      if (*q == '0') {
        ++q;
      } else {
        while (*q >= '0' && *q <= '9') ++q;
      }
      if (q == digits) return false;
      std::ptrdiff_t count = q - digits;
      if (*q == '.') {
        const char* const fraction = ++q;
        while (*q >= '0' && *q <= '9') ++q;
        if (q == fraction) return false;
        count += q - fraction;
      }
      return count <= 18 && scalar_ends_at(q, end);
    }
  }
}

/// True when the `size` bytes at `p` equal `bytes` (48 <= size <= 80). Reads `size` rounded up
/// to 16 bytes at `p` and at `bytes` (callers have that many, counting the padding).
MORPH_WEBHOOK_INLINE bool starts_with_bytes(const char* p, const char* bytes,
                                            std::size_t size) noexcept {
#if MORPH_WEBHOOK_SSE2
  // Independent 16-byte compares: from the start, and the last one ending at the last byte.
  const auto chunk = [&](std::size_t at) {
    return _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at)),
                          _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + at)));
  };
  const std::size_t last = size - 16;
  const __m128i all = _mm_and_si128(
      _mm_and_si128(chunk(0), chunk(16)),
      _mm_and_si128(_mm_and_si128(chunk(32), chunk(last < 48 ? last : 48)), chunk(last)));
  return _mm_movemask_epi8(all) == 0xFFFF;
#else
  return std::memcmp(p, bytes, size) == 0;
#endif
}

}  // namespace morph::webhook::detail
/// @endcond

#endif  // MORPH_WEBHOOK_DETAIL_BYTES_HPP
