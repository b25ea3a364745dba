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

// One field value of a typed model in a check report, one overload per value kind (model.hpp
// lists them). Refs are reduced to what finds them, `{"model":...,"id":...}`; every other kind
// is written as to_json() writes it. A new kind that to_json() writes as a report should show
// it needs nothing here; one that holds refs gets its overload next to these.

/// A ref: `{"model":...,"id":...}`.
inline void append_report_value(std::string& out, const ResourceRef& ref) {
  out += "{\"model\":";
  append_json_string(out, ref.model);
  out += ",\"id\":";
  append_json_string(out, ref.id);
  out += '}';
}

/// A ref list: `[{"model":...,"id":...},...]`.
inline void append_report_value(std::string& out, RefList refs) {
  morph::webhook::detail::append_list(
      out, refs, [](std::string& o, const ResourceRef& ref) { append_report_value(o, ref); });
}

template <class Model>
void append_fields(std::string& out, const Model& fields);

/// Every other kind: as to_json() writes it (enums as their text, timestamps as sent, ...);
/// nested objects and their lists member by member, with the refs inside them as above.
template <class Value>
void append_report_value(std::string& out, const Value& value) {
  if constexpr (is_described_v<Value>) {
    append_fields(out, value);
  } else if constexpr (is_span_of_described_v<Value>) {
    morph::webhook::detail::append_list(
        out, value, [](std::string& o, const auto& item) { append_report_value(o, item); });
  } else {
    morph::webhook::detail::append_value(out, value);
  }
}

// How many refs a field value holds, one overload per kind that holds refs (for `refs=N`).

/// A ref: one.
inline std::size_t ref_count(const ResourceRef&) noexcept { return 1; }
/// A ref list: its length.
inline std::size_t ref_count(RefList refs) noexcept { return refs.size(); }
/// Every other kind: none.
template <class Value>
std::size_t ref_count(const Value&) noexcept {
  return 0;
}

/// The present fields of a typed model, in description order, each value as
/// append_report_value() writes it.
template <class Model>
void append_fields(std::string& out, const Model& fields) {
  morph::webhook::detail::append_fields(
      out, fields, [](std::string& o, const auto& value) { append_report_value(o, value); });
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
  using morph::webhook::detail::member_key;
  out += member_key<envelope_key::event>;
  append_json_string(out, e.event);
  out += ",\"trigger\":";  // the report's own member
  append_json_string(out, to_string(e.trigger));
  out += member_key<envelope_key::model>;
  append_json_string(out, e.model);
  out += member_key<envelope_key::id>;
  append_json_string(out, e.id);
  out += member_key<envelope_key::created_at>;
  append_json_string(out, e.created_at.text);
  out += member_key<envelope_key::updated_at>;
  append_json_string(out, e.updated_at.text);
  out += member_key<envelope_key::fields>;
}

/// The members after `"fields":...`: warnings, rawResource, headers, and the closing brace.
template <class Event>
void append_event_tail(std::string& out, const Event& e, const CheckedHeaders* headers) {
  using morph::webhook::detail::member_key;
  out += member_key<envelope_key::warnings>;
  morph::webhook::detail::append_warnings(out, e.warnings);
  if (e.raw_resource) {
    out += member_key<envelope_key::raw_resource>;
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

/// Number of refs in a typed model's fields (single refs, ref lists, and whatever else
/// ref_count() counts).
template <class Model>
std::size_t count_refs(const Model& fields) noexcept {
  std::size_t n = 0;
  for_each_field<Model>([&](const auto& field) {
    if (const auto& value = fields.*field.member) n += ref_count(*value);
  });
  return n;
}

/// Number of fields present in a typed model's fields.
template <class Model>
std::size_t count_present(const Model& fields) noexcept {
  std::size_t n = 0;
  for_each_field<Model>([&](const auto& field) {
    if ((fields.*field.member).has_value()) ++n;
  });
  return n;
}

}  // namespace detail

/// The counts of a summary: of a whole run, or of one batch of bodies (added up in order).
struct Tally {
  std::size_t total = 0;       ///< Bodies checked.
  std::size_t valid = 0;       ///< Valid bodies.
  std::size_t invalid = 0;     ///< Invalid bodies.
  std::size_t untyped = 0;     ///< Valid bodies of a model without a type (envelope level).
  std::size_t warnings = 0;    ///< Morph warnings in valid bodies.
  std::size_t unreadable = 0;  ///< Inputs that could not be opened or read to their end.
  std::size_t printed = 0;     ///< Per-body results written.
  /// Invalid bodies per error code.
  std::array<std::size_t, std::size(all_error_codes)> per_code{};

  /// Adds `other` to these counts.
  Tally& operator+=(const Tally& other) noexcept {
    total += other.total;
    valid += other.valid;
    invalid += other.invalid;
    untyped += other.untyped;
    warnings += other.warnings;
    unreadable += other.unreadable;
    printed += other.printed;
    for (std::size_t i = 0; i < per_code.size(); ++i) per_code[i] += other.per_code[i];
    return *this;
  }
};

/// What `check` prints, and how.
struct ReportStyle {
  Format format = Format::text;  ///< `--format`.
  bool colour = false;           ///< ANSI colours (text format only).
  bool errors_only = false;      ///< `--errors-only`: valid bodies counted, not printed.
  bool summary_only = false;     ///< `--summary`: no body printed, only the summary.
};

/// Writes one result per body in the chosen format, and the summary. Holds no state but its
/// style: each caller (one per worker thread) passes the buffer to append to and the Tally to
/// count in, so batches are reported in parallel and written out in order.
class Reporter {
 public:
  /// Reports in `style`.
  explicit Reporter(const ReportStyle& style) : style_(style) {}

  /// True when refused bodies are printed, so that a Diagnosis of them is worth making.
  [[nodiscard]] bool prints_errors() const noexcept { return !style_.summary_only; }

  /// Reports one body to `out` and counts it in `tally`. `diagnosis` adds what is known about
  /// a refused body (may be null).
  void report(std::string& out, Tally& tally, const Origin& origin, const Outcome& outcome,
              const CheckedHeaders* headers, const Diagnosis* diagnosis = nullptr) const {
    ++tally.total;
    if (outcome) {
      std::visit([&](const auto& event) { report_valid(out, tally, origin, event, headers); },
                 *outcome);
      return;
    }
    const Error& error = outcome.error();
    ++tally.invalid;
    ++tally.per_code[static_cast<std::size_t>(error.code)];
    if (style_.summary_only) return;
    ++tally.printed;
    const Diagnosis none;
    const Diagnosis& d = diagnosis != nullptr ? *diagnosis : none;
    if (style_.format == Format::json) {
      json_error(out, origin, error, d, headers);
    } else {
      text_error(out, origin, error, d, headers);
    }
  }

  /// Writes the summary of `tally`: the text summary in text format; in JSON format one
  /// object, with `--summary` only (JSON output holds one object per body and nothing else).
  void summary(std::string& out, const Tally& tally) const {
    if (style_.format == Format::json) {
      if (style_.summary_only) json_summary(out, tally);
      return;
    }
    if (tally.printed > 0) out += '\n';  // a blank line after the per-body lines, if any
    style(out, "\x1b[1m");
    if (tally.unreadable > 0) {
      // First: the totals below do not cover these inputs (exit status 2).
      style(out, "\x1b[31m");
      detail::append_int(out, tally.unreadable);
      out += tally.unreadable == 1 ? " input could not be read" : " inputs could not be read";
      style(out, "\x1b[0m\x1b[1m");
      out += "; ";
    }
    detail::append_int(out, tally.total);
    out += tally.total == 1 ? " body: " : " bodies: ";
    style(out, tally.valid > 0 ? "\x1b[32m" : "");
    detail::append_int(out, tally.valid);
    out += " valid";
    style(out, "\x1b[0m\x1b[1m");
    if (tally.untyped > 0) {
      // Said of the valid bodies, next to them: these are valid, only checked less deeply.
      out += " (";
      detail::append_int(out, tally.untyped);
      out += tally.untyped == 1 ? " of another model" : " of other models";
      out += ", checked at the envelope level)";
    }
    out += ", ";
    style(out, tally.invalid > 0 ? "\x1b[31m" : "");
    detail::append_int(out, tally.invalid);
    out += " invalid";
    style(out, "\x1b[0m");
    if (tally.warnings > 0) {
      out += "; ";
      detail::append_int(out, tally.warnings);
      out += tally.warnings == 1 ? " Morph warning in valid bodies"
                                 : " Morph warnings in valid bodies";
    }
    out += '\n';
    for (const ErrorCode code : all_error_codes) {
      const std::size_t n = tally.per_code[static_cast<std::size_t>(code)];
      if (n == 0) continue;
      out += "  ";
      const std::string_view name = to_string(code);
      out += name;
      out.append(name.size() < 20 ? 20 - name.size() : 1, ' ');
      detail::append_int(out, n);
      out += '\n';
    }
  }

 private:
  void style(std::string& out, std::string_view code) const {
    if (style_.colour) out += code;
  }

  // A valid body: typed (Event<Model>) or of a model without a type (ResourceEvent).
  template <class Fields>
  void report_valid(std::string& out, Tally& tally, const Origin& origin, const Event<Fields>& e,
                    const CheckedHeaders* headers) const {
    ++tally.valid;
    if constexpr (!is_model_v<Fields>) ++tally.untyped;
    tally.warnings += e.warnings.size();
    if (style_.errors_only || style_.summary_only) return;
    ++tally.printed;
    if (style_.format == Format::json) {
      detail::append_event_head(out, origin, e);
      if constexpr (is_model_v<Fields>) {
        detail::append_fields(out, e.fields);
      } else {
        detail::append_raw_json(out, e.fields);
      }
      detail::append_event_tail(out, e, headers);
    } else {
      text_event(out, origin, e);
    }
  }

  void json_summary(std::string& out, const Tally& tally) const {
    out += "{\"bodies\":";
    detail::append_int(out, tally.total);
    out += ",\"valid\":";
    detail::append_int(out, tally.valid);
    out += ",\"invalid\":";
    detail::append_int(out, tally.invalid);
    out += ",\"untypedModels\":";
    detail::append_int(out, tally.untyped);
    out += ",\"warnings\":";
    detail::append_int(out, tally.warnings);
    out += ",\"unreadableInputs\":";
    detail::append_int(out, tally.unreadable);
    out += ",\"errors\":{";
    const char* separator = "";
    for (const ErrorCode code : all_error_codes) {
      const std::size_t n = tally.per_code[static_cast<std::size_t>(code)];
      if (n == 0) continue;
      out += separator;
      separator = ",";
      append_json_string(out, to_string(code));
      out += ':';
      detail::append_int(out, n);
    }
    out += "}}\n";
  }

  /// The message of `error` as printed: a byte order mark's own message replaces the parser's.
  static std::string_view message_of(const Error& error, const Diagnosis& d) {
    return d.syntax && d.syntax->replaces_message ? d.syntax->what
                                                  : std::string_view(error.message);
  }

  static void json_error(std::string& out, const Origin& origin, const Error& error,
                         const Diagnosis& d, const CheckedHeaders* headers) {
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

  // Text lines: `OK   file:line  event  id=...  <required enums>  fields=N/M  refs=N  warnings=N`.
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

  // A typed event shows what kind of thing it is (its required enum fields, e.g. `type=`), how
  // many of its model's fields it has, and its refs; an untyped one says it was checked at the
  // envelope level.
  template <class Fields>
  void text_event(std::string& out, const Origin& origin, const Event<Fields>& e) const {
    text_prefix(out, true, origin);
    detail::append_safe_text(out, e.event);
    out += "  id=";
    detail::append_safe_text(out, e.id);
    if constexpr (is_model_v<Fields>) {
      for_each_field<Fields>([&](const auto& field) {
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
      out += "  fields=";
      detail::append_int(out, detail::count_present(e.fields));
      out += '/';
      detail::append_int(out, field_count<Fields>);
      out += "  refs=";
      detail::append_int(out, detail::count_refs(e.fields));
    } else {
      out += "  (envelope checked; fields not typed)";
    }
    out += "  warnings=";
    if (!e.warnings.empty()) style(out, "\x1b[33m");
    detail::append_int(out, e.warnings.size());
    if (!e.warnings.empty()) style(out, "\x1b[0m");
    out += '\n';
  }

  void text_error(std::string& out, const Origin& origin, const Error& error, const Diagnosis& d,
                  const CheckedHeaders* headers) const {
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

  ReportStyle style_;
};

}  // namespace morph::webhook::cli

#endif  // MORPH_WEBHOOK_TOOLS_CLI_REPORT_HPP
