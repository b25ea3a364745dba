/// @file input.hpp
/// @brief Reading inputs of `morph-webhook check`: files and standard input, read into
/// growable, simdjson-padded buffers that bodies are parsed from in place.
#ifndef MORPH_WEBHOOK_TOOLS_CLI_INPUT_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_INPUT_HPP

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace morph::webhook::cli {

/// An open input: a file or standard input.
class Input {
 public:
  /// Opens `path` (`-` is standard input). On failure, `ok()` is false and `error()` says why.
  explicit Input(const std::string& path) : name_(path) {
    if (path == "-") {
      fd_ = STDIN_FILENO;
      owned_ = false;
      is_stdin_ = true;
    } else {
      do {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      } while (fd_ < 0 && errno == EINTR);
      if (fd_ < 0) {
        error_ = std::strerror(errno);
        return;
      }
    }
    struct stat st {};
    if (::fstat(fd_, &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        error_ = "is a directory";
        return;
      }
      if (S_ISREG(st.st_mode) && st.st_size >= 0) size_ = static_cast<std::size_t>(st.st_size);
    }
  }
  ~Input() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  /// True when the input is open and readable.
  [[nodiscard]] bool ok() const noexcept { return fd_ >= 0 && error_.empty(); }
  /// Why opening or reading failed.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  /// The path as given (`-` for standard input).
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// True for standard input.
  [[nodiscard]] bool is_stdin() const noexcept { return is_stdin_; }
  /// Size in bytes for regular files, nullopt for pipes and terminals.
  [[nodiscard]] std::optional<std::size_t> size() const noexcept { return size_; }

  /// Reads up to `n` bytes; returns the count (0 at end of input) or -1 on error (see error()).
  long read_some(char* out, std::size_t n) {
    for (;;) {
      const ssize_t got = ::read(fd_, out, n);
      if (got >= 0) return static_cast<long>(got);
      if (errno == EINTR) continue;
      error_ = std::strerror(errno);
      return -1;
    }
  }

 private:
  std::string name_;
  std::string error_;
  int fd_ = -1;
  bool owned_ = true;
  bool is_stdin_ = false;
  std::optional<std::size_t> size_;
};

/// A growable byte buffer that always keeps simdjson::SIMDJSON_PADDING spare bytes after its
/// data, so any slice of it can be parsed in place as a padded_string_view.
class PaddedBuffer {
 public:
  /// Bytes of data held.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Start of the data.
  [[nodiscard]] char* data() noexcept { return data_.get(); }
  /// Start of the data.
  [[nodiscard]] const char* data() const noexcept { return data_.get(); }
  /// Bytes that can be appended without growing.
  [[nodiscard]] std::size_t free_space() const noexcept {
    return capacity_ == 0 ? 0 : capacity_ - simdjson::SIMDJSON_PADDING - size_;
  }
  /// Usable capacity (padding excluded).
  [[nodiscard]] std::size_t capacity() const noexcept {
    return capacity_ == 0 ? 0 : capacity_ - simdjson::SIMDJSON_PADDING;
  }

  /// Makes room for at least `extra` more bytes of data (plus padding).
  void reserve_extra(std::size_t extra) {
    const std::size_t need = size_ + extra + simdjson::SIMDJSON_PADDING;
    if (need <= capacity_) return;
    std::size_t cap = capacity_ == 0 ? std::size_t{1} << 16 : capacity_;
    while (cap < need) cap *= 2;
    std::unique_ptr<char[]> grown(new char[cap]);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
    std::memset(grown.get() + size_, 0, cap - size_);  // deterministic padding bytes
    data_ = std::move(grown);
    capacity_ = cap;
  }
  /// Marks `n` bytes written at data() + size() as data.
  void commit(std::size_t n) noexcept { size_ += n; }
  /// Drops the first `n` bytes, moving the rest to the front.
  void consume(std::size_t n) noexcept {
    if (n >= size_) {
      size_ = 0;
      return;
    }
    std::memmove(data_.get(), data_.get() + n, size_ - n);
    size_ -= n;
  }
  /// Forgets all data, keeping the storage.
  void clear() noexcept { size_ = 0; }
  /// Keeps the first `n` bytes of data (n <= size()).
  void truncate(std::size_t n) noexcept { size_ = n < size_ ? n : size_; }

  /// A padded view of bytes [offset, offset + length), for in-place parsing.
  [[nodiscard]] simdjson::padded_string_view view(std::size_t offset,
                                                  std::size_t length) const noexcept {
    return simdjson::padded_string_view(data_.get() + offset, length, capacity_ - offset);
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

/// True when `text` holds only JSON whitespace (space, tab, CR, LF) or nothing.
inline bool is_blank(std::string_view text) noexcept {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

/// What read_whole() read.
struct WholeRead {
  bool ok = true;         ///< False on a read error (see Input::error()).
  std::size_t bytes = 0;  ///< Size of the whole input, stored or not.
  /// True when the input is larger than the limit: then `buffer` holds no usable body.
  [[nodiscard]] bool too_large(std::size_t limit) const noexcept { return bytes > limit; }
};

/// Reads the rest of `input` and appends it to `buffer`, storing at most `limit` + 1 bytes:
/// a larger input is only counted (a regular file is not even read) and nothing is appended,
/// so memory stays bounded by the body limit. Nothing is appended on a read error either.
/// Calls `progress(bytes_read_so_far)` after each chunk.
template <class Progress>
WholeRead read_whole(Input& input, PaddedBuffer& buffer, std::size_t limit, Progress&& progress) {
  WholeRead result;
  const std::size_t base = buffer.size();
  if (input.size() && *input.size() > limit) {
    result.bytes = *input.size();
    return result;
  }
  // A regular file in one read (plus one that sees its end); a pipe in growing chunks.
  const std::size_t room = input.size() ? *input.size() + 1 : std::size_t{1} << 16;
  bool counting = false;  // past the limit: bytes are read past the data and dropped
  for (;;) {
    if (buffer.free_space() < room) buffer.reserve_extra(room);
    const long got = input.read_some(buffer.data() + buffer.size(), buffer.free_space());
    if (got < 0) {
      result.ok = false;
      buffer.truncate(base);
      return result;
    }
    if (got == 0) return result;
    result.bytes += static_cast<std::size_t>(got);
    if (!counting) {
      buffer.commit(static_cast<std::size_t>(got));
      if (buffer.size() - base > limit) {
        counting = true;
        buffer.truncate(base);
      }
    }
    progress(result.bytes);
  }
}

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_INPUT_HPP
