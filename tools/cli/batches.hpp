/// @file batches.hpp
/// @brief `check --jobs N`: bodies are read in batches (whole lines, whole files), checked by N
/// worker threads, and their results written out in the order they were read.
///
/// The main thread reads and fills batches, the workers check them (one Checker, hence one
/// Parser, each), and the main thread writes each batch's output once every batch before it is
/// written. Per batch, not per body: one lock to take it and one to hand it back, so a worker
/// checks a quarter megabyte of bodies between two locks. A fixed ring of batches, reused,
/// bounds the memory (and the read-ahead) to a few batches per worker, and allocates nothing
/// once the buffers have grown to the input's line sizes. With one job (or a single batch) no
/// thread is started and each batch is checked on the main thread as soon as it is full: the
/// same code and the same output, in the same order, as with many.
#ifndef MORPH_WEBHOOK_TOOLS_CLI_BATCHES_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_BATCHES_HPP

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "input.hpp"
#include "report.hpp"

namespace morph::webhook::cli {

/// One thing a batch reports, in input order.
struct Item {
  /// What the item is.
  enum class Kind : std::uint8_t {
    body,       ///< A body to check: `size` bytes at `offset` in the batch's data.
    too_large,  ///< A body of `size` bytes over the limit, not stored.
    failure,    ///< An input that could not be opened or read: `messages[message]`.
  };
  Kind kind = Kind::body;   ///< What the item is.
  std::size_t offset = 0;   ///< body: where it starts in Batch::data.
  std::size_t size = 0;     ///< body, too_large: its size in bytes.
  std::size_t line = 0;     ///< Its line number in --ndjson mode, 0 for a whole input.
  std::size_t input = 0;    ///< Index of its input in the list of inputs.
  std::size_t message = 0;  ///< failure: index in Batch::messages.
};

/// A batch: bodies read (and what else happened while reading), then their results.
struct Batch {
  PaddedBuffer data;                  ///< The bodies, back to back (padded for in-place parsing).
  std::vector<Item> items;            ///< What to report, in input order.
  std::vector<std::string> messages;  ///< The texts of failure items.

  std::string out;  ///< Results, as they go to stdout.
  /// Failure messages for stderr, each written after the first `first` bytes of `out`.
  std::vector<std::pair<std::size_t, std::size_t>> failures;  // (first, message index)
  Tally tally;                                                ///< Counts of the results in `out`.

  /// Empties the batch, keeping its storage.
  void clear() noexcept {
    data.clear();
    items.clear();
    messages.clear();
    out.clear();
    failures.clear();
    tally = Tally{};
  }
};

/// Checks batches on `jobs` threads and writes them in order. The caller (one thread) fills
/// current(), calls submit() when it is full, and finish() at the end; `check(batch, worker)`
/// runs on a worker thread (worker in [0, jobs)) or on the caller's, `write(batch)` always on
/// the caller's thread, in submission order.
class BatchPipeline {
 public:
  /// Checks with `check`, writes with `write`; `jobs` >= 1.
  BatchPipeline(std::size_t jobs, std::function<void(Batch&, std::size_t)> check,
                std::function<void(Batch&)> write)
      : jobs_(jobs < 1 ? 1 : jobs), check_(std::move(check)), write_(std::move(write)),
        // Enough batches that every worker has one to check and one waiting while one is
        // filled and one written; one when the caller checks them itself.
        ring_(jobs_ == 1 ? 1 : 2 * jobs_ + 2), done_(ring_.size(), false) {
    for (auto& batch : ring_) batch = std::make_unique<Batch>();
  }
  BatchPipeline(const BatchPipeline&) = delete;
  BatchPipeline& operator=(const BatchPipeline&) = delete;
  ~BatchPipeline() { stop_workers(); }

  /// The batch being filled (waits, writing finished batches in order, while every batch of
  /// the ring is in use).
  Batch& current() {
    if (current_ == nullptr) {
      if (submitted_ - written_ == ring_.size()) write_next(true);
      current_ = ring_[submitted_ % ring_.size()].get();
      current_->clear();
    }
    return *current_;
  }

  /// Hands the current batch over to be checked (when it has items; otherwise its data is
  /// dropped), then writes the batches already checked.
  void submit() {
    if (current_ == nullptr) return;
    if (current_->items.empty()) {  // nothing to report (blank lines only): stays current
      current_->data.clear();
      return;
    }
    current_ = nullptr;
    if (jobs_ == 1) {
      check_(*ring_[submitted_ % ring_.size()], 0);
      mark_done(submitted_);
      taken_ = ++submitted_;
    } else if (workers_.empty()) {
      // The threads start with the second batch waiting: a single body or a small log is
      // checked on this thread, as with one job (see finish()).
      if (++submitted_ - taken_ >= 2) start_workers();
    } else {
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        ++submitted_;
      }
      work_ready_.notify_one();
    }
    while (write_next(false)) {
    }
  }

  /// Submits the current batch, then waits for every batch and writes them all. More batches
  /// may follow.
  void finish() {
    submit();
    for (; workers_.empty() && taken_ < submitted_; ++taken_) {  // no thread started: here
      check_(*ring_[taken_ % ring_.size()], 0);
      mark_done(taken_);
    }
    while (written_ < submitted_) write_next(true);
  }

 private:
  void start_workers() {
    workers_.reserve(jobs_);
    for (std::size_t w = 0; w < jobs_; ++w) workers_.emplace_back([this, w] { work(w); });
  }

  void stop_workers() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

  void work(std::size_t worker) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      work_ready_.wait(lock, [this] { return stopping_ || taken_ < submitted_; });
      if (taken_ == submitted_) return;  // stopping, nothing left
      const std::size_t seq = taken_++;
      lock.unlock();
      check_(*ring_[seq % ring_.size()], worker);
      lock.lock();
      done_[seq % ring_.size()] = true;
      batch_done_.notify_one();
    }
  }

  void mark_done(std::size_t seq) {
    const std::lock_guard<std::mutex> lock(mutex_);
    done_[seq % ring_.size()] = true;
  }

  /// Writes the oldest batch not written yet if it is checked (or, with `wait`, once it is);
  /// false when there was none to write.
  bool write_next(bool wait) {
    if (written_ == submitted_) return false;
    const std::size_t slot = written_ % ring_.size();
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (wait) {
        batch_done_.wait(lock, [&] { return done_[slot]; });
      } else if (!done_[slot]) {
        return false;
      }
      done_[slot] = false;
    }
    write_(*ring_[slot]);
    ++written_;
    return true;
  }

  std::size_t jobs_;
  std::function<void(Batch&, std::size_t)> check_;
  std::function<void(Batch&)> write_;
  std::vector<std::unique_ptr<Batch>> ring_;  // batch of sequence number s: ring_[s % size]
  Batch* current_ = nullptr;                  // being filled, not submitted

  std::mutex mutex_;
  std::condition_variable work_ready_;  // workers wait here for a batch
  std::condition_variable batch_done_;  // the caller waits here for the next batch to write
  std::vector<bool> done_;              // per ring slot: checked, not written yet
  std::size_t submitted_ = 0;           // batches handed over (sequence numbers below this)
  std::size_t taken_ = 0;               // batches taken to be checked
  std::size_t written_ = 0;             // batches written (only the caller's thread)
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_BATCHES_HPP
