// Heap allocation counting for the benchmark binary.
//
// Global operator new/new[] (all forms) are replaced and counted. On glibc, the C allocation
// functions (malloc, calloc, realloc, aligned_alloc, posix_memalign, memalign) are interposed
// too, because some contenders allocate with malloc rather than operator new (RapidJSON's
// CrtAllocator, simdjson's aligned buffers). operator new calls glibc's __libc_malloc
// directly, so nothing is counted twice. Counting is off under sanitizers (they own malloc).
#include "alloc_counter.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MORPH_BENCH_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define MORPH_BENCH_SANITIZED 1
#endif
#endif
#ifndef MORPH_BENCH_SANITIZED
#define MORPH_BENCH_SANITIZED 0
#endif

namespace {
std::atomic<std::uint64_t> g_allocations{0};
inline void count_one() noexcept { g_allocations.fetch_add(1, std::memory_order_relaxed); }
}  // namespace

namespace morph_bench {
std::uint64_t allocation_count() noexcept { return g_allocations.load(std::memory_order_relaxed); }
bool allocation_counting_enabled() noexcept { return !MORPH_BENCH_SANITIZED; }
}  // namespace morph_bench

#if !MORPH_BENCH_SANITIZED

#if defined(__GLIBC__)
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* ptr, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* ptr);

void* malloc(std::size_t size) noexcept {
  count_one();
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  count_one();
  return __libc_calloc(count, size);
}
void* realloc(void* ptr, std::size_t size) noexcept {
  count_one();
  return __libc_realloc(ptr, size);
}
void free(void* ptr) noexcept { __libc_free(ptr); }
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  count_one();
  return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  count_one();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  count_one();
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}  // extern "C"

namespace {
void* raw_alloc(std::size_t size) noexcept { return __libc_malloc(size == 0 ? 1 : size); }
void* raw_aligned(std::size_t size, std::size_t alignment) noexcept {
  return __libc_memalign(alignment, size == 0 ? 1 : size);
}
void raw_free(void* p) noexcept { __libc_free(p); }
}  // namespace
#else
namespace {
void* raw_alloc(std::size_t size) noexcept { return std::malloc(size == 0 ? 1 : size); }
void* raw_aligned(std::size_t size, std::size_t alignment) noexcept {
  const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
  return std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
}
void raw_free(void* p) noexcept { std::free(p); }
}  // namespace
#endif

namespace {
void* counted_new(std::size_t size) {
  count_one();
  void* p = raw_alloc(size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* counted_new_aligned(std::size_t size, std::align_val_t alignment) {
  count_one();
  void* p = raw_aligned(size, static_cast<std::size_t>(alignment));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t size) { return counted_new(size); }
void* operator new[](std::size_t size) { return counted_new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  count_one();
  return raw_alloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  count_one();
  return raw_alloc(size);
}
void* operator new(std::size_t size, std::align_val_t al) { return counted_new_aligned(size, al); }
void* operator new[](std::size_t size, std::align_val_t al) {
  return counted_new_aligned(size, al);
}
void* operator new(std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  count_one();
  return raw_aligned(size, static_cast<std::size_t>(al));
}
void* operator new[](std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept {
  count_one();
  return raw_aligned(size, static_cast<std::size_t>(al));
}

void operator delete(void* p) noexcept { raw_free(p); }
void operator delete[](void* p) noexcept { raw_free(p); }
void operator delete(void* p, std::size_t) noexcept { raw_free(p); }
void operator delete[](void* p, std::size_t) noexcept { raw_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { raw_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { raw_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { raw_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { raw_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { raw_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { raw_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { raw_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { raw_free(p); }

#endif  // !MORPH_BENCH_SANITIZED
