/// @file arena.hpp
/// @brief Arena: the Parser's storage for nested lists (segments, questions, options, answers,
/// number lists). Blocks never move, so a finished list's view stays valid until the next parse
/// (a list being filled moves to a larger region when it runs out of room: walker.hpp,
/// read_list()).
#ifndef MORPH_WEBHOOK_DETAIL_ARENA_HPP
#define MORPH_WEBHOOK_DETAIL_ARENA_HPP

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

/// @cond MORPH_WEBHOOK_INTERNAL
namespace morph::webhook::detail {

/// A bump allocator over stable blocks. reset() forgets the contents but keeps the blocks, so
/// parsing the same bodies again allocates nothing (the same requests land in the same
/// places). Holds trivially destructible values only: nothing is ever destroyed.
class Arena {
 public:
  /// Forgets every allocation; keeps the blocks for the next parse.
  void reset() noexcept {
    block_ = 0;
    used_ = 0;
  }

  /// Room for `n` values of T, uninitialized; nullptr when `n` is 0 or memory ran out.
  template <class T>
  [[nodiscard]] T* allocate(std::size_t n) noexcept {
    static_assert(std::is_trivially_destructible_v<T> && std::is_trivially_copyable_v<T>,
                  "the arena never runs destructors");
    if (n == 0 || n > max_bytes / sizeof(T)) return nullptr;
    return static_cast<T*>(allocate_bytes(n * sizeof(T), alignof(T)));
  }

 private:
  static constexpr std::size_t first_block = 4096;
  static constexpr std::size_t max_bytes = std::size_t{1} << 40;

  void* allocate_bytes(std::size_t bytes, std::size_t align) noexcept {
    static_assert(alignof(std::max_align_t) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    while (block_ < blocks_.size()) {
      Block& b = blocks_[block_];
      const std::size_t at = (used_ + align - 1) / align * align;
      if (at <= b.size && bytes <= b.size - at) {
        used_ = at + bytes;
        return b.data.get() + at;
      }
      ++block_;  // the rest of this block stays unused until reset()
      used_ = 0;
    }
    const std::size_t last = blocks_.empty() ? first_block / 2 : blocks_.back().size;
    const std::size_t size = std::max(bytes, 2 * last);
    std::unique_ptr<std::byte[]> data(new (std::nothrow) std::byte[size]);
    if (!data) return nullptr;
    blocks_.push_back(Block{std::move(data), size});
    block_ = blocks_.size() - 1;
    used_ = bytes;
    return blocks_.back().data.get();
  }

  struct Block {
    std::unique_ptr<std::byte[]> data;
    std::size_t size = 0;
  };
  std::vector<Block> blocks_;
  std::size_t block_ = 0;  // the block being filled
  std::size_t used_ = 0;   // bytes used in it
};

}  // namespace morph::webhook::detail
/// @endcond

#endif  // MORPH_WEBHOOK_DETAIL_ARENA_HPP
