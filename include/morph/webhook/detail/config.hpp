/// @file config.hpp
/// @brief Compiler and CPU configuration of the parser: SSE2 availability, cold and
/// force-inline attributes.
#ifndef MORPH_WEBHOOK_DETAIL_CONFIG_HPP
#define MORPH_WEBHOOK_DETAIL_CONFIG_HPP

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#if defined(_MSC_VER)
#include <intrin.h>
#endif
/// 1 when the raw-byte fast paths may use SSE2 (x86-64, or x86 with SSE2), else 0.
#define MORPH_WEBHOOK_SSE2 1
#else
#define MORPH_WEBHOOK_SSE2 0
#endif

#if defined(__GNUC__) || defined(__clang__)
/// Marks an out-of-line, rarely taken function (error paths), keeping hot code small.
#define MORPH_WEBHOOK_COLD __attribute__((cold, noinline))
#elif defined(_MSC_VER)
#define MORPH_WEBHOOK_COLD __declspec(noinline)
#else
#define MORPH_WEBHOOK_COLD
#endif

#if defined(__GNUC__) || defined(__clang__)
/// Forces inlining of a lambda (written after its parameter list): the per-member readers
/// handed to the walker's member loop, which the compiler would otherwise call out of line.
#define MORPH_WEBHOOK_INLINE_LAMBDA __attribute__((always_inline))
#else
#define MORPH_WEBHOOK_INLINE_LAMBDA
#endif

#if defined(__GNUC__) || defined(__clang__)
/// Forces inlining of small hot helpers: simdjson's iterator values then stay in registers
/// instead of being copied through the stack (a store-forwarding stall per call).
#define MORPH_WEBHOOK_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define MORPH_WEBHOOK_INLINE __forceinline
#else
#define MORPH_WEBHOOK_INLINE inline
#endif

#endif  // MORPH_WEBHOOK_DETAIL_CONFIG_HPP
