/// @file report.hpp
/// @brief Writing the results of `morph-webhook check`: one JSON object per body
/// (`--format json`) or one readable line per body plus a summary (`--format text`).
#ifndef MORPH_WEBHOOK_TOOLS_CLI_REPORT_HPP
#define MORPH_WEBHOOK_TOOLS_CLI_REPORT_HPP

#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "checker.hpp"
#include "diagnose.hpp"
#include "morph/webhook/error.hpp"
#include "morph/webhook/json.hpp"
#include "morph/webhook/json_writer.hpp"
#include "morph/webhook/model.hpp"
#include "morph/webhook/request.hpp"
#include "morph/webhook/types.hpp"
#include "options.hpp"

namespace morph::webhook::cli {

/// Where a body came from: the file (absent for standard input) and the line (--ndjson only).
struct Origin {
  std::optional<std::string_view> file;  ///< Path as given; nullopt for standard input.
  std::optional<std::size_t> line;       ///< 1-based line number in --ndjson mode.
};

/// A buffered writer to a file descriptor that remembers write errors.
class Sink {
 public:
  /// Writes to `fd`.
  explicit Sink(int fd) : fd_(fd) { buffer_.reserve(kFlushAt + (std::size_t{64} << 10)); }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  ~Sink() { flush(); }

  /// The buffer to append to; call maybe_flush() after appending.
  [[nodiscard]] std::string& buffer() noexcept { return buffer_; }
  /// Flushes when enough output has accumulated.
  void maybe_flush() {
    if (buffer_.size() >= kFlushAt) flush();
  }
  /// Calls `hook` before each write (e.g. to clear a progress line on the same terminal).
  void set_before_write(std::function<void()> hook) { before_write_ = std::move(hook); }

  /// Writes out everything buffered.
  void flush() {
    if (buffer_.empty()) return;
    if (before_write_) before_write_();
    std::size_t done = 0;
    while (done < buffer_.size() && !failed_) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        failed_ = true;
        errno_ = errno;
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }
  /// True once a write failed (e.g. disk full, closed pipe with SIGPIPE ignored).
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  /// The errno of the failed write.
  [[nodiscard]] int error_number() const noexcept { return errno_; }

 private:
  static constexpr std::size_t kFlushAt = std::size_t{1} << 20;
  std::string buffer_;
  std::function<void()> before_write_;
  int fd_;
  bool failed_ = false;
  int errno_ = 0;
};

namespace detail {

/// Appends a decimal integer.
template <class Int>
void append_int(std::string& out, Int value) {
  char digits[24];
  const auto res = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, static_cast<std::size_t>(res.ptr - digits));
}

/// Appends raw JSON text that the parser validated, on one line: compact_json()'s form, the
/// same to_json() writes (whitespace between tokens dropped, strings and numbers unchanged).
inline void append_raw_json(std::string& out, std::string_view raw) {
  if (raw.empty()) {
    out += "null";  // never from a validated value; keeps the output valid JSON anyway
    return;
  }
  append_compact_json(out, raw);
}

/// `{"model":...,"id":...}`.
inline void append_ref(std::string& out, const ResourceRef& ref) {
  out += "{\"model\":";
  append_json_string(out, ref.model);
  out += ",\"id\":";
  append_json_string(out, ref.id);
  out += '}';
}

/// `[{"model":...,"id":...},...]`.
inline void append_ref_list(std::string& out, RefList refs) {
  morph::webhook::detail::append_list(out, refs, append_ref);
}

/// A check report's writer of a value: as to_json() writes it, except refs:
/// `{"model":...,"id":...}`, what a check report needs of them; nested objects and their lists
/// recurse with it.
struct ReportValueWriter {
  template <class V>
  void operator()(std::string& out, const V& value) const {
    if constexpr (std::is_same_v<V, ResourceRef>) {
      append_ref(out, value);
    } else if constexpr (std::is_same_v<V, RefList>) {
      append_ref_list(out, value);
    } else if constexpr (is_described_v<V>) {
      morph::webhook::detail::append_fields(out, value, *this);
    } else if constexpr (is_span_of_described_v<V>) {
      morph::webhook::detail::append_list(out, value, *this);
    } else {
      morph::webhook::detail::append_value(out, value);
    }
  }
};

/// The present fields of a typed model, in description order (see ReportValueWriter).
template <class Model>
void append_fields(std::string& out, const Model& fields) {
  morph::webhook::detail::append_fields(out, fields, ReportValueWriter{});
}

/// `[{"code":...,"message":...},...]` (message only when Morph sent one).
inline void append_warnings(std::string& out, WarningList warnings) {
  out += '[';
  bool first = true;
  for (const Warning& w : warnings) {
    if (!first) out += ',';
    first = false;
    out += "{\"code\":";
    append_json_string(out, w.code);
    if (w.message) {
      out += ",\"message\":";
      append_json_string(out, *w.message);
    }
    out += '}';
  }
  out += ']';
}

/// `"file":...,"line":N,` as they apply (after `{"ok":...`).
inline void append_origin(std::string& out, const Origin& origin) {
  if (origin.file) {
    out += ",\"file\":";
    append_json_string(out, *origin.file);
  }
  if (origin.line) {
    out += ",\"line\":";
    append_int(out, *origin.line);
  }
}

/// The members every valid event has, typed or envelope-level, up to `"fields":`.
template <class Event>
void append_event_head(std::string& out, const Origin& origin, const Event& e) {
  out += "{\"ok\":true";
  append_origin(out, origin);
  out += ",\"event\":";
  append_json_string(out, e.event);
  out += ",\"trigger\":";
  append_json_string(out, to_string(e.trigger));
  out += ",\"model\":";
  append_json_string(out, e.model);
  out += ",\"id\":";
  append_json_string(out, e.id);
  out += ",\"createdAt\":";
  append_json_string(out, e.created_at.text);
  out += ",\"updatedAt\":";
  append_json_string(out, e.updated_at.text);
  out += ",\"fields\":";
}

/// The members after `"fields":...`: warnings, rawResource, headers, and the closing brace.
template <class Event>
void append_event_tail(std::string& out, const Event& e, const CheckedHeaders* headers) {
  out += ",\"warnings\":";
  append_warnings(out, e.warnings);
  if (e.raw_resource) {
    out += ",\"rawResource\":";
    append_raw_json(out, *e.raw_resource);
  }
  if (headers != nullptr) {
    out += ",\"headers\":{\"connectorId\":";
    append_json_string(out, headers->connector_id);
    out += ",\"ownerId\":";
    append_json_string(out, headers->owner_id);
    out += ",\"idempotencyKey\":";
    append_json_string(out, headers->idempotency_key);
    out += '}';
  }
  out += "}\n";
}

/// Appends `text` for a terminal: control bytes, DEL and bytes that are not well-formed
/// UTF-8 become `\xNN`, so hostile input cannot move the cursor or change colours.
inline void append_safe_text(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t n = morph::webhook::detail::utf8_sequence_length(text, i);
      if (n > 0) {
        out.append(text.data() + i, n);
        i += n;
        continue;
      }
    }
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 0xF];
    ++i;
  }
}

/// Number of refs in a typed model's fields (single refs and every ref list).
template <class Model>
std::size_t count_refs(const Model& fields) {
  std::size_t n = 0;
  for_each_field<Model>([&](const auto& field) {
    const auto& value = fields.*field.member;
    using Value = typename std::decay_t<decltype(field)>::value_type;
    if constexpr (std::is_same_v<Value, ResourceRef>) {
      if (value) ++n;
    } else if constexpr (std::is_same_v<Value, RefList>) {
      n += value ? value->size() : 0;
    }
  });
  return n;
}

}  // namespace detail

/// Writes one result per body in the chosen format and keeps the tallies for the summary.
class Reporter {
 public:
  /// Reports to `out` in `format`, with ANSI colours when `colour` (text format only); with
  /// `errors_only`, valid bodies are counted but not printed.
  Reporter(Sink& out, Format format, bool colour, bool errors_only = false)
      : out_(out), format_(format), colour_(colour), errors_only_(errors_only) {}

  /// Reports one body. `diagnosis` adds what is known about a refused body (may be null).
  void report(const Origin& origin, const Outcome& outcome, const CheckedHeaders* headers,
              const Diagnosis* diagnosis = nullptr) {
    ++total_;
    if (const auto* event = std::get_if<WebhookEvent>(&outcome)) {
      ++valid_;
      warnings_ += event->warnings.size();
      if (errors_only_) return;
      ++printed_;
      if (format_ == Format::json) {
        json_event(origin, *event, headers);
      } else {
        text_event(origin, *event);
      }
    } else if (const auto* envelope = std::get_if<ResourceEvent>(&outcome)) {
      ++valid_;
      ++envelopes_;
      warnings_ += envelope->warnings.size();
      if (errors_only_) return;
      ++printed_;
      if (format_ == Format::json) {
        json_envelope(origin, *envelope, headers);
      } else {
        text_envelope(origin, *envelope);
      }
    } else {
      const auto& error = std::get<Error>(outcome);
      ++invalid_;
      ++printed_;
      ++per_code_[static_cast<std::size_t>(error.code)];
      const Diagnosis none;
      const Diagnosis& d = diagnosis != nullptr ? *diagnosis : none;
      if (format_ == Format::json) {
        json_error(origin, error, d, headers);
      } else {
        text_error(origin, error, d, headers);
      }
    }
    out_.maybe_flush();
  }

  /// Writes the summary (text format only; JSON output holds one object per body and nothing
  /// else).
  void summary() {
    if (format_ != Format::text) return;
    std::string& out = out_.buffer();
    if (printed_ > 0) out += '\n';  // a blank line after the per-body lines, if any
    style(out, "\x1b[1m");
    if (unreadable_ > 0) {
      // First: the totals below do not cover these inputs (exit status 2).
      style(out, "\x1b[31m");
      detail::append_int(out, unreadable_);
      out += unreadable_ == 1 ? " input could not be read" : " inputs could not be read";
      style(out, "\x1b[0m\x1b[1m");
      out += "; ";
    }
    detail::append_int(out, total_);
    out += total_ == 1 ? " body: " : " bodies: ";
    style(out, valid_ > 0 ? "\x1b[32m" : "");
    detail::append_int(out, valid_);
    out += " valid";
    style(out, "\x1b[0m\x1b[1m");
    if (envelopes_ > 0) {
      // Said of the valid bodies, next to them: these are valid, only checked less deeply.
      out += " (";
      detail::append_int(out, envelopes_);
      out += envelopes_ == 1 ? " of another model" : " of other models";
      out += ", checked at the envelope level)";
    }
    out += ", ";
    style(out, invalid_ > 0 ? "\x1b[31m" : "");
    detail::append_int(out, invalid_);
    out += " invalid";
    style(out, "\x1b[0m");
    if (warnings_ > 0) {
      out += "; ";
      detail::append_int(out, warnings_);
      out += warnings_ == 1 ? " Morph warning in valid bodies" : " Morph warnings in valid bodies";
    }
    out += '\n';
    for (const ErrorCode code : all_error_codes) {
      const std::size_t n = per_code_[static_cast<std::size_t>(code)];
      if (n == 0) continue;
      out += "  ";
      const std::string_view name = to_string(code);
      out += name;
      out.append(name.size() < 20 ? 20 - name.size() : 1, ' ');
      detail::append_int(out, n);
      out += '\n';
    }
    out_.maybe_flush();
  }

  /// Counts an input that could not be opened or read to its end (its message is on stderr).
  void unreadable() noexcept { ++unreadable_; }

  /// Bodies reported.
  [[nodiscard]] std::size_t total() const noexcept { return total_; }
  /// Invalid bodies reported.
  [[nodiscard]] std::size_t invalid() const noexcept { return invalid_; }

 private:
  void style(std::string& out, std::string_view code) const {
    if (colour_) out += code;
  }

  template <class Model>
  void json_event(const Origin& origin, const Event<Model>& e, const CheckedHeaders* headers) {
    std::string& out = out_.buffer();
    detail::append_event_head(out, origin, e);
    detail::append_fields(out, e.fields);
    detail::append_event_tail(out, e, headers);
  }

  void json_envelope(const Origin& origin, const ResourceEvent& e, const CheckedHeaders* headers) {
    std::string& out = out_.buffer();
    detail::append_event_head(out, origin, e);
    detail::append_raw_json(out, e.fields);
    detail::append_event_tail(out, e, headers);
  }

  /// The message of `error` as printed: a byte order mark's own message replaces the parser's.
  static std::string_view message_of(const Error& error, const Diagnosis& d) {
    return d.syntax && d.syntax->replaces_message ? d.syntax->what
                                                  : std::string_view(error.message);
  }

  void json_error(const Origin& origin, const Error& error, const Diagnosis& d,
                  const CheckedHeaders* headers) {
    std::string& out = out_.buffer();
    out += "{\"ok\":false";
    detail::append_origin(out, origin);
    if (d.identity.event) {
      out += ",\"event\":";
      append_json_string(out, *d.identity.event);
    }
    if (d.identity.id) {
      out += ",\"id\":";
      append_json_string(out, *d.identity.id);
    }
    if (headers != nullptr) {
      out += ",\"idempotencyKey\":";
      append_json_string(out, headers->idempotency_key);
    }
    out += ",\"error\":";
    Error shown = error;
    shown.message = std::string(message_of(error, d));
    append_error_object(out, shown);
    if (d.syntax) {
      out.pop_back();  // the error object's '}': the location goes inside it
      out += ",\"offset\":";
      detail::append_int(out, d.syntax->offset);
      out += ",\"line\":";
      detail::append_int(out, d.line);
      out += ",\"column\":";
      detail::append_int(out, d.column);
      out += ",\"detail\":";
      append_json_string(out, d.syntax->what);
      out += '}';
    }
    out += "}\n";
  }

  // Text lines: `OK   file:line  event  id=...  refs=N  warnings=N`.
  void text_prefix(std::string& out, bool ok, const Origin& origin) const {
    style(out, ok ? "\x1b[32m" : "\x1b[1;31m");
    out += ok ? "OK " : "ERR";
    style(out, "\x1b[0m");
    out += "  ";
    detail::append_safe_text(out, origin.file ? *origin.file : std::string_view("<stdin>"));
    if (origin.line) {
      out += ':';
      detail::append_int(out, *origin.line);
    }
    out += "  ";
  }

  template <class Event>
  void text_event_head(std::string& out, const Origin& origin, const Event& e) const {
    text_prefix(out, true, origin);
    detail::append_safe_text(out, e.event);
    out += "  id=";
    detail::append_safe_text(out, e.id);
  }

  // The line shows the required enum fields (what kind of thing the event is, e.g. `type=`).
  template <class Model>
  void text_event(const Origin& origin, const Event<Model>& e) {
    std::string& out = out_.buffer();
    text_event_head(out, origin, e);
    for_each_field<Model>([&](const auto& field) {
      const auto& value = e.fields.*field.member;
      if constexpr (is_enum_field<typename std::decay_t<decltype(field)>::value_type>) {
        if (!field.is_required || !value) return;
        out += "  ";
        out += field.name;
        out += '=';
        detail::append_safe_text(out, value->text);
        if (value->is_unlisted()) out += "(unknown)";
      }
    });
    out += "  refs=";
    detail::append_int(out, detail::count_refs(e.fields));
    text_warnings(out, e.warnings);
    out += '\n';
  }

  void text_envelope(const Origin& origin, const ResourceEvent& e) {
    std::string& out = out_.buffer();
    text_event_head(out, origin, e);
    out += "  (envelope checked; fields not typed)";
    text_warnings(out, e.warnings);
    out += '\n';
  }

  void text_warnings(std::string& out, WarningList warnings) const {
    out += "  warnings=";
    if (!warnings.empty()) style(out, "\x1b[33m");
    detail::append_int(out, warnings.size());
    if (!warnings.empty()) style(out, "\x1b[0m");
  }

  void text_error(const Origin& origin, const Error& error, const Diagnosis& d,
                  const CheckedHeaders* headers) {
    std::string& out = out_.buffer();
    text_prefix(out, false, origin);
    style(out, "\x1b[1m");
    out += to_string(error.code);
    style(out, "\x1b[0m");
    if (error.is_header_error()) {
      out += " in header ";
      detail::append_safe_text(out, error.header);
    } else {
      out += " at \"";
      detail::append_safe_text(out, error.pointer);
      out += '"';
    }
    out += ": ";
    detail::append_safe_text(out, message_of(error, d));
    if (d.syntax && !d.syntax->replaces_message) {
      out += "; at byte ";
      detail::append_int(out, d.syntax->offset);
      out += " (line ";
      detail::append_int(out, d.line);
      out += ", column ";
      detail::append_int(out, d.column);
      out += "): ";
      out += d.syntax->what;
    }
    // What finds the event in the sender's system, when it could be read.
    if (d.identity.event || d.identity.id || headers != nullptr) {
      out += "  [";
      const char* separator = "";
      if (d.identity.event) {
        out += "event=";
        detail::append_safe_text(out, *d.identity.event);
        separator = " ";
      }
      if (d.identity.id) {
        out += separator;
        out += "id=";
        detail::append_safe_text(out, *d.identity.id);
        separator = " ";
      }
      if (headers != nullptr) {
        out += separator;
        out += "key=";
        detail::append_safe_text(out, headers->idempotency_key);
      }
      out += ']';
    }
    out += '\n';
  }

  Sink& out_;
  Format format_;
  bool colour_;
  bool errors_only_;
  std::size_t unreadable_ = 0;
  std::size_t printed_ = 0;  // per-body lines written
  std::size_t total_ = 0;
  std::size_t valid_ = 0;
  std::size_t invalid_ = 0;
  std::size_t envelopes_ = 0;
  std::size_t warnings_ = 0;
  std::array<std::size_t, std::size(all_error_codes)> per_code_{};
};

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_REPORT_HPP
