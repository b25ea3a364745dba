/// @file alloc_counter.hpp
/// @brief Counts heap allocations made by the benchmark binary (see alloc_counter.cpp).
#ifndef MORPH_WEBHOOK_BENCH_ALLOC_COUNTER_HPP
#define MORPH_WEBHOOK_BENCH_ALLOC_COUNTER_HPP

#include <cstdint>

namespace morph_bench {

/// Heap allocations made so far (operator new in every form; malloc-family calls on glibc).
std::uint64_t allocation_count() noexcept;

/// False when counting is compiled out (sanitizer builds own the allocator).
bool allocation_counting_enabled() noexcept;

}  // namespace morph_bench

#endif  // MORPH_WEBHOOK_BENCH_ALLOC_COUNTER_HPP
