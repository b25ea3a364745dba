/// @file check_run.cpp
/// @brief Running `morph-webhook check`: the main thread reads the inputs into batches (whole
/// NDJSON lines, whole files), `--jobs` workers check them, and the main thread writes their
/// results in input order (batches.hpp), then the summary.
#include "cli/check_run.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "cli/batches.hpp"
#include "cli/checker.hpp"
#include "cli/diagnose.hpp"
#include "cli/header_file.hpp"
#include "cli/input.hpp"
#include "cli/report.hpp"

namespace morph::webhook::cli {
namespace {

constexpr int exit_valid = 0;
constexpr int exit_invalid = 1;
constexpr int exit_usage = 2;

/// A batch is handed to a worker once it holds this many bytes of complete lines (or files)...
constexpr std::size_t batch_bytes = std::size_t{256} << 10;
/// ... or this many bodies: enough work between two locks (about 200 typical bodies), small
/// enough that the workers share even a small log and that a batch stays in a core's cache.
constexpr std::size_t batch_items = 4096;
/// Whole files per batch: a file is opened and read by the main thread.
constexpr std::size_t batch_files = 64;

/// A progress line on stderr for big inputs, only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}

  /// Starts a new input.
  void start(const Input& input) {
    name_ = input.is_stdin() ? "<stdin>" : input.name();
    size_ = input.size();
    shown_ = false;
  }
  /// Reports `bytes` read so far and, in --ndjson mode, `bodies` read so far.
  void update(std::size_t bytes, std::optional<std::size_t> bodies) {
    if (!enabled_ || bytes < kThreshold) return;
    const auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    std::string line = "\r\x1b[K";
    detail::append_safe_text(line, name_);
    char numbers[128];
    const double mb = static_cast<double>(bytes) / 1e6;
    if (size_ && *size_ > 0) {
      const double total = static_cast<double>(*size_) / 1e6;
      std::snprintf(numbers, sizeof numbers, ": %.1f / %.1f MB (%.0f%%)", mb, total,
                    100.0 * mb / total);
    } else {
      std::snprintf(numbers, sizeof numbers, ": %.1f MB", mb);
    }
    line += numbers;
    if (bodies) {
      std::snprintf(numbers, sizeof numbers, ", %zu bodies", *bodies);
      line += numbers;
    }
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }
  /// Clears the progress line, if one is shown.
  void finish() {
    if (!shown_) return;
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  static constexpr std::size_t kThreshold = std::size_t{4} << 20;
  bool enabled_;
  bool shown_ = false;
  std::string name_;
  std::optional<std::size_t> size_;
  std::chrono::steady_clock::time_point last_{};
};

/// True when ANSI colours suit stdout: a terminal, NO_COLOR unset, TERM not "dumb".
bool use_colour() {
  if (::isatty(STDOUT_FILENO) == 0) return false;
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

/// The number of CPUs this process may run on (the default of --jobs).
std::size_t available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
    return static_cast<std::size_t>(CPU_COUNT(&set));
  }
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? n : 1;
}

/// Reads `path` whole into `text`; false (with `error`) when it cannot be read.
bool read_small_file(const std::string& path, std::string& text, std::string& error) {
  Input input(path);
  if (!input.ok()) {
    error = input.error();
    return false;
  }
  constexpr std::size_t limit = std::size_t{1} << 20;  // a header block is a few hundred bytes
  PaddedBuffer buffer;
  const WholeRead read = read_whole(input, buffer, limit, [](std::size_t) {});
  if (!read.ok) {
    error = input.error();
    return false;
  }
  if (read.too_large(limit)) {
    error = "larger than 1 MiB; expected an HTTP header block";
    return false;
  }
  text.assign(buffer.data(), buffer.size());
  return true;
}

/// What `--headers` gave: the checked headers, or the error every body gets.
struct HeaderVerdict {
  HeaderFields fields;  // storage the checked headers point into
  std::optional<Headers> headers;
  std::optional<Error> error;

  /// Applies the verdict to `checker`.
  void apply(Checker& checker) const {
    if (headers) checker.set_headers(*headers);
    if (error) checker.set_header_error(*error);
  }
};

/// Loads and checks the `--headers` file into `verdict`. False on an I/O or format error
/// (exit status 2).
bool load_headers(const std::string& path, HeaderVerdict& verdict) {
  std::string text;
  std::string error;
  if (!read_small_file(path, text, error)) {
    print_error("cannot read headers file " + path + ": " + error);
    return false;
  }
  HeaderBlock block = parse_header_block(text);
  if (!block.error.empty()) {
    print_error("headers file " + path + ": " + block.error);
    return false;
  }
  verdict.fields = std::move(block.fields);
  Result<Headers> checked = validate_headers(verdict.fields);
  if (checked) {
    verdict.headers = *checked;
  } else {
    verdict.error = checked.error();
  }
  return true;
}

/// What one worker thread owns: its Checker (one Parser) and Diagnoser.
struct Worker {
  explicit Worker(const ParseOptions& options) : checker(options) {}
  Checker checker;      ///< Checks its bodies.
  Diagnoser diagnoser;  ///< Says more about the refused ones.
};

/// Fills the pipeline's batches from the inputs, in input order. Runs on the main thread.
class BatchReader {
 public:
  BatchReader(BatchPipeline& pipeline, std::size_t limit, Progress& progress)
      : pipeline_(pipeline), limit_(limit), progress_(progress) {}

  /// An input that could not be opened or read, reported after what was read before it.
  void fail(std::size_t input, std::string message) {
    Batch& batch = pipeline_.current();
    Item item;
    item.kind = Item::Kind::failure;
    item.input = input;
    item.message = batch.messages.size();
    batch.messages.push_back(std::move(message));
    batch.items.push_back(item);
  }

  /// Reads a whole input as one body.
  void read_whole_input(Input& input, std::size_t index) {
    Batch& batch = pipeline_.current();
    const std::size_t offset = batch.data.size();
    const WholeRead read = read_whole(input, batch.data, limit_, [&](std::size_t bytes) {
      progress_.update(bytes, std::nullopt);
    });
    progress_.finish();
    if (!read.ok) {
      fail(index, "cannot read " + input.name() + ": " + input.error());
    } else {
      Item item;
      item.kind = read.too_large(limit_) ? Item::Kind::too_large : Item::Kind::body;
      item.offset = offset;
      item.size = read.bytes;
      item.input = index;
      batch.items.push_back(item);
    }
    if (batch.data.size() >= batch_bytes || batch.items.size() >= batch_files) pipeline_.submit();
  }

  /// Reads an input as NDJSON: every line that is not blank is a body (whitespace-only lines,
  /// CRLF endings included, are skipped). A line longer than the limit is skipped without
  /// being stored and reported as too large, so memory stays bounded even for a huge file
  /// with no newline. Batches end at line ends.
  void read_lines(Input& input, std::size_t index) {
    const std::size_t too_long = limit_ >= SIZE_MAX - 1 ? SIZE_MAX : limit_ + 2;
    Lines s;
    s.input = index;
    Batch* batch = &pipeline_.current();
    s.start = s.scanned = batch->data.size();
    std::size_t total = 0;
    for (;;) {
      PaddedBuffer& data = batch->data;
      // Up to a batch, or as much again as the line being read (a long line grows the
      // buffer geometrically); at least 64 KiB.
      const std::size_t want =
          std::max(std::size_t{1} << 16,
                   data.size() < batch_bytes ? batch_bytes - data.size() : data.size() - s.start);
      if (data.free_space() < want) data.reserve_extra(want);
      const long got = input.read_some(data.data() + data.size(), want);
      if (got < 0) {
        data.truncate(s.start);  // the partial line is not reported
        progress_.finish();
        fail(index, "cannot read " + input.name() + ": " + input.error());
        return;
      }
      if (got == 0) break;
      data.commit(static_cast<std::size_t>(got));
      total += static_cast<std::size_t>(got);
      split(*batch, s);
      // The line being read: past the limit, it is counted instead of stored.
      const char* const bytes = data.data();
      if (s.skipping) {
        if (data.size() > s.start) s.skipped_cr = bytes[data.size() - 1] == '\r';
        s.skipped += data.size() - s.start;
        data.truncate(s.start);
      } else if (data.size() - s.start >= too_long) {
        s.skipping = true;
        s.skipped_cr = bytes[data.size() - 1] == '\r';
        s.skipped = data.size() - s.start;
        data.truncate(s.start);
      }
      s.scanned = data.size();
      progress_.update(total, s.bodies);
      if (s.start >= batch_bytes || batch->items.size() >= batch_items) {
        // Full: the complete lines go, the partial one moves to the next batch.
        carry_.clear();
        carry_.reserve_extra(data.size() - s.start);
        std::memcpy(carry_.data(), data.data() + s.start, data.size() - s.start);
        carry_.commit(data.size() - s.start);
        data.truncate(s.start);
        pipeline_.submit();
        batch = &pipeline_.current();
        s.start = batch->data.size();
        batch->data.reserve_extra(carry_.size());
        std::memcpy(batch->data.data() + s.start, carry_.data(), carry_.size());
        batch->data.commit(carry_.size());
        s.scanned = batch->data.size();
      }
    }
    progress_.finish();
    // The last line, with no newline after it.
    if (s.skipping) {
      end_skip(*batch, s, 0, s.skipped_cr);
    } else if (s.start < batch->data.size()) {
      emit(*batch, s, batch->data.size());
    }
    if (batch->data.size() >= batch_bytes || batch->items.size() >= batch_items) {
      pipeline_.submit();
    }
  }

 private:
  /// Where read_lines() is in its input.
  struct Lines {
    std::size_t input = 0;    // index of the input
    std::size_t line = 0;     // lines ended so far
    std::size_t bodies = 0;   // bodies found so far
    std::size_t start = 0;    // start of the current line in the batch's data
    std::size_t scanned = 0;  // bytes before this were searched for '\n'
    bool skipping = false;    // the current line is over the limit: counted, not stored
    std::size_t skipped = 0;  // its bytes so far
    bool skipped_cr = false;  // the last of them was '\r'
  };

  /// Ends every complete line in the data read since the last call.
  void split(Batch& batch, Lines& s) {
    const char* const bytes = batch.data.data();
    const std::size_t size = batch.data.size();
    while (s.scanned < size) {
      const void* nl = std::memchr(bytes + s.scanned, '\n', size - s.scanned);
      if (nl == nullptr) break;
      const auto end = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes);
      if (s.skipping) {
        end_skip(batch, s, end - s.start, end > s.start ? bytes[end - 1] == '\r' : s.skipped_cr);
      } else {
        emit(batch, s, end);
      }
      s.start = s.scanned = end + 1;
    }
  }

  /// The line from s.start to `end` (its newline, or the end of the input) ends.
  void emit(Batch& batch, Lines& s, std::size_t end) {
    ++s.line;
    std::size_t stop = end;
    if (stop > s.start && batch.data.data()[stop - 1] == '\r') --stop;  // CRLF
    if (is_blank(std::string_view(batch.data.data() + s.start, stop - s.start))) return;
    Item item;
    item.kind = stop - s.start > limit_ ? Item::Kind::too_large : Item::Kind::body;
    item.offset = s.start;
    item.size = stop - s.start;
    item.line = s.line;
    item.input = s.input;
    batch.items.push_back(item);
    ++s.bodies;
  }

  /// The skipped line ends, `tail` bytes after what was counted; `cr`: its last byte was '\r'.
  void end_skip(Batch& batch, Lines& s, std::size_t tail, bool cr) {
    ++s.line;
    std::size_t size = s.skipped + tail;
    if (cr && size > 0) --size;
    Item item;
    item.kind = Item::Kind::too_large;
    item.size = size;
    item.line = s.line;
    item.input = s.input;
    batch.items.push_back(item);
    ++s.bodies;
    s.skipping = false;
    s.skipped = 0;
  }

  BatchPipeline& pipeline_;
  std::size_t limit_;
  Progress& progress_;
  PaddedBuffer carry_;  // the partial line, from a full batch to the next
};

}  // namespace

void print_error(const std::string& message) {
  std::string line = "morph-webhook: ";
  detail::append_safe_text(line, message);
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

int run_check(const Options& options) {
  const ParseOptions& parse_options = options.parse;

  HeaderVerdict header_verdict;  // outlives every check: the checked headers point into it
  if (options.headers_file && !load_headers(*options.headers_file, header_verdict)) {
    return exit_usage;
  }

  std::vector<std::string> inputs = options.files;
  if (inputs.empty()) inputs.emplace_back("-");

  const std::size_t jobs = options.jobs ? *options.jobs : available_cores();
  std::vector<std::unique_ptr<Worker>> workers;
  for (std::size_t w = 0; w < jobs; ++w) {
    workers.push_back(std::make_unique<Worker>(parse_options));
    header_verdict.apply(workers.back()->checker);
  }

  ReportStyle style;
  style.format = options.format;
  style.colour = options.format == Format::text && use_colour();
  style.errors_only = options.errors_only;
  style.summary_only = options.summary_only;
  const Reporter reporter(style);

  // Checks every item of a batch (on a worker thread), appending the results to batch.out.
  const auto check = [&](Batch& batch, std::size_t w) {
    Worker& worker = *workers[w];
    const Headers* headers = worker.checker.headers() ? &*worker.checker.headers() : nullptr;
    for (const Item& item : batch.items) {
      Origin origin;
      if (inputs[item.input] != "-") origin.file = inputs[item.input];
      if (item.line != 0) origin.line = item.line;
      switch (item.kind) {
        case Item::Kind::body: {
          const simdjson::padded_string_view body = batch.data.view(item.offset, item.size);
          const Outcome outcome = worker.checker.check(body);
          if (!outcome && reporter.prints_errors()) {
            const Diagnosis diagnosis =
                worker.diagnoser.diagnose(body, outcome.error(), origin.line);
            reporter.report(batch.out, batch.tally, origin, outcome, headers, &diagnosis);
          } else {
            reporter.report(batch.out, batch.tally, origin, outcome, headers);
          }
          break;
        }
        case Item::Kind::too_large:
          reporter.report(batch.out, batch.tally, origin, worker.checker.too_large(item.size),
                          headers);
          break;
        case Item::Kind::failure:
          batch.failures.emplace_back(batch.out.size(), item.message);
          ++batch.tally.unreadable;
          break;
      }
    }
  };

  Progress progress(::isatty(STDERR_FILENO) != 0);  // declared first: outlives `out`
  Sink out(STDOUT_FILENO);
  if (::isatty(STDOUT_FILENO) != 0) out.set_before_write([&progress] { progress.finish(); });
  Tally tally;
  // Writes a checked batch (on the main thread, in input order).
  const auto write = [&](Batch& batch) {
    std::size_t done = 0;
    for (const auto& [first, message] : batch.failures) {
      out.buffer().append(batch.out, done, first - done);
      done = first;
      out.flush();  // what came before the failure, before its message
      print_error(batch.messages[message]);
    }
    out.buffer().append(batch.out, done, std::string::npos);
    out.maybe_flush();
    tally += batch.tally;
  };

  BatchPipeline pipeline(jobs, check, write);
  BatchReader reader(pipeline, parse_options.max_body_bytes, progress);
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    const std::string& path = inputs[index];
    Input input(path);
    if (!input.ok()) {
      reader.fail(index, "cannot open " + path + ": " + input.error());
      continue;
    }
    if (input.is_stdin() && ::isatty(STDIN_FILENO) != 0) {
      // Someone typed the command without a file: say what it waits for instead of hanging
      // (after the results of the inputs before, which are complete).
      pipeline.finish();
      out.flush();
      std::fputs(options.ndjson
                     ? "morph-webhook: reading NDJSON bodies (one per line) from the terminal; "
                       "end with Ctrl-D, or give a FILE (see --help)\n"
                     : "morph-webhook: reading one webhook body from the terminal; paste it and "
                       "end with Ctrl-D, or give a FILE (see --help)\n",
                 stderr);
    }
    progress.start(input);
    if (options.ndjson) {
      reader.read_lines(input, index);
    } else {
      reader.read_whole_input(input, index);
    }
  }
  pipeline.finish();

  std::string& summary = out.buffer();
  reporter.summary(summary, tally);
  out.flush();
  if (out.failed()) {
    print_error(std::string("cannot write the results: ") + std::strerror(out.error_number()));
    return exit_usage;
  }
  if (tally.unreadable > 0) return exit_usage;
  return tally.invalid > 0 ? exit_invalid : exit_valid;
}

}  // namespace morph::webhook::cli
