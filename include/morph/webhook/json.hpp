/// @file json.hpp
/// @brief to_json() and append_json(): an event back to canonical compact JSON in Morph's shape.
///
/// Output shape (compact, keys in this order, absent members left out):
/// ```
/// {"event":"<model>::<trigger>","data":{"object":"resource","model":...,"id":...,
///  "fields":{...},"createdAt":...,"updatedAt":...,"rawResource":<raw>,"warnings":[...]}}
/// ```
/// - Strings are written with append_json_string() (valid JSON for any bytes).
/// - Raw JSON held by an event (`rawResource`, each ref's `raw_json`, a ResourceEvent's
///   `fields`) is written compact (append_compact_json()): the whitespace between its tokens
///   is dropped, strings and numbers are copied byte for byte (`1.000000000000000001` stays
///   as written), so the output has no whitespace outside strings.
/// - A typed model's `fields` are written in the order of its description (model.hpp), present
///   members only; enums as their original text.
/// - `rawResource` is left out when absent; `"rawResource":null` stays `null`.
/// - `warnings` is left out when empty, as Morph does. A body that sent `"warnings":[]`
///   therefore comes back without the key: both parse to the same event.
///
/// Round trip: for every event `e` the parser accepts under a policy, parsing `to_json(e)`
/// under the same policy gives an event canonically equal to `e`: equal (operator==) once every
/// raw part of `e` is replaced by its compact_json(). The output is canonical: writing the
/// re-parsed event gives the same bytes again.
///
/// Events built by hand: an empty `event` is written as `model::trigger`, an empty `model`
/// is taken from `event`, a ref with an empty `raw_json` is written from its members, a
/// ResourceEvent with empty `fields` gets `{}`, and a Timestamp with empty `text` is written
/// from its `time` (`2025-03-06T09:05:04.606Z`, microseconds when needed).
#ifndef MORPH_WEBHOOK_JSON_HPP
#define MORPH_WEBHOOK_JSON_HPP

#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "morph/webhook/json_writer.hpp"
#include "morph/webhook/types.hpp"

namespace morph::webhook {

namespace detail {

/// Appends `value` in decimal.
inline void append_int(std::string& out, std::int64_t value) {
  char digits[24];
  std::size_t n = 0;
  // Work on the negative side so INT64_MIN needs no special case.
  std::int64_t v = value < 0 ? value : -value;
  do {
    digits[n++] = static_cast<char>('0' - static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  if (value < 0) out += '-';
  while (n > 0) out += digits[--n];
}

/// Appends a finite double as the shortest JSON number that reads back as the same double
/// (`-0` stays `-0`; exponents as `1e+300`, which JSON allows).
inline void append_double(std::string& out, double value) {
  char text[32];
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
  const auto written = std::to_chars(text, text + sizeof text, value);
  out.append(text, static_cast<std::size_t>(written.ptr - text));
#else
  // Without floating-point to_chars: 17 significant digits always read back exactly.
  const int n = std::snprintf(text, sizeof text, "%.17g", value);
  for (int i = 0; i < n; ++i) out += text[i] == ',' ? '.' : text[i];  // a locale's comma
#endif
}

/// Appends `value` as exactly `width` decimal digits (value must fit).
inline void append_digits(std::string& out, std::int64_t value, int width) {
  char digits[8];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  }
  out.append(digits, static_cast<std::size_t>(width));
}

/// Appends an instant as an RFC 3339 UTC string: milliseconds like JavaScript's
/// `toISOString()`, or microseconds when the instant has them. Years 0000-9999.
inline void append_rfc3339(std::string& out, TimePoint time) {
  const std::int64_t us = time.time_since_epoch().count();
  constexpr std::int64_t us_per_day = std::int64_t{86400} * 1000000;
  std::int64_t days = us / us_per_day;
  std::int64_t rest = us % us_per_day;
  if (rest < 0) {
    rest += us_per_day;
    --days;
  }
  // H. Hinnant's civil_from_days.
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const std::int64_t second_of_day = rest / 1000000;
  const std::int64_t micros = rest % 1000000;
  out += '"';
  append_digits(out, year, 4);
  out += '-';
  append_digits(out, month, 2);
  out += '-';
  append_digits(out, day, 2);
  out += 'T';
  append_digits(out, second_of_day / 3600, 2);
  out += ':';
  append_digits(out, second_of_day / 60 % 60, 2);
  out += ':';
  append_digits(out, second_of_day % 60, 2);
  out += '.';
  if (micros % 1000 == 0) {
    append_digits(out, micros / 1000, 3);
  } else {
    append_digits(out, micros, 6);
  }
  out += "Z\"";
}

inline void append_timestamp(std::string& out, const Timestamp& t) {
  if (t.text.empty()) {
    append_rfc3339(out, t.time);
  } else {
    append_json_string(out, t.text);
  }
}

inline void append_ref(std::string& out, const ResourceRef& ref) {
  if (!ref.raw_json.empty()) {
    append_compact_json(out, ref.raw_json);
    return;
  }
  out += "{\"object\":";
  append_json_string(out, ref.object.empty() ? std::string_view("resourceRef") : ref.object);
  out += ",\"model\":";
  append_json_string(out, ref.model);
  out += ",\"id\":";
  append_json_string(out, ref.id);
  out += '}';
}

/// Appends `[item,...]`, each item written by `write(out, item)`.
template <class T, class Write>
void append_list(std::string& out, Span<T> items, Write&& write) {
  out += '[';
  bool first = true;
  for (const T& item : items) {
    if (!first) out += ',';
    first = false;
    write(out, item);
  }
  out += ']';
}

inline void append_ref_list(std::string& out, RefList refs) { append_list(out, refs, append_ref); }

/// The bytes of `"<Key>":`, after a `,` when `Comma` (see member_key).
template <const auto& Key, bool Comma>
constexpr auto member_key_bytes() noexcept {
  std::array<char, sizeof(Key) + 2 + (Comma ? 1 : 0)> out{};
  std::size_t n = 0;
  if (Comma) out[n++] = ',';
  out[n++] = '"';
  for (std::size_t i = 0; i + 1 < sizeof(Key); ++i) out[n++] = Key[i];
  out[n++] = '"';
  out[n++] = ':';
  return out;
}
/// Storage of member_key.
template <const auto& Key, bool Comma>
inline constexpr auto member_key_storage = member_key_bytes<Key, Comma>();
/// `,"<Key>":` (`"<Key>":` when `Comma` is false) for a key of envelope_key, built at compile
/// time: written with one append, as a literal would be.
template <const auto& Key, bool Comma = true>
inline constexpr std::string_view member_key{member_key_storage<Key, Comma>.data(),
                                             member_key_storage<Key, Comma>.size()};

/// Appends a warning: `{"code":...,"message":...}`, the message only when Morph sent one.
inline void append_warning(std::string& out, const Warning& warning) {
  out += '{';
  out += member_key<envelope_key::code, false>;
  append_json_string(out, warning.code);
  if (warning.message) {
    out += member_key<envelope_key::message>;
    append_json_string(out, *warning.message);
  }
  out += '}';
}

/// Appends `[warning,...]`.
inline void append_warnings(std::string& out, WarningList warnings) {
  append_list(out, warnings, append_warning);
}

// One field value of a typed model (value kinds: see docs/models.md).
inline void append_value(std::string& out, std::string_view text) { append_json_string(out, text); }
template <class E>
void append_value(std::string& out, const EnumField<E>& value) {
  append_json_string(out, value.text.empty() ? to_string(value.value) : value.text);
}
inline void append_value(std::string& out, const Timestamp& t) { append_timestamp(out, t); }
inline void append_value(std::string& out, std::int64_t number) { append_int(out, number); }
inline void append_value(std::string& out, double number) { append_double(out, number); }
inline void append_value(std::string& out, bool value) { out += value ? "true" : "false"; }
inline void append_value(std::string& out, const ResourceRef& ref) { append_ref(out, ref); }
inline void append_value(std::string& out, RefList refs) { append_ref_list(out, refs); }

inline void append_value(std::string& out, Span<std::int64_t> numbers) {
  append_list(out, numbers, [](std::string& o, std::int64_t n) { append_int(o, n); });
}

/// A record of answers: `{"key":value,...}` in the order received.
inline void append_value(std::string& out, Answers answers) {
  out += '{';
  bool first = true;
  for (const Answer& answer : answers) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, answer.key);
    out += ':';
    if (const auto* text = std::get_if<std::string_view>(&answer.value)) {
      append_json_string(out, *text);
    } else if (const auto* list = std::get_if<StringList>(&answer.value)) {
      append_list(out, *list, [](std::string& o, std::string_view t) { append_json_string(o, t); });
    } else {
      append_double(out, std::get<double>(answer.value));
    }
  }
  out += '}';
}

/// Appends a typed model's `fields` object (or a nested object), present members only, in
/// description order; `write(out, value)` writes each value (the CLI's report writes refs its
/// own way).
template <class Model, class Write>
void append_fields(std::string& out, const Model& fields, Write&& write) {
  out += '{';
  bool first = true;
  for_each_field<Model>([&](const auto& field) {
    const auto* value = value_of(fields.*field.member);
    if (value == nullptr) return;
    out += first ? "\"" : ",\"";
    first = false;
    out += field.name;
    out += "\":";
    write(out, *value);
  });
  out += '}';
}

/// to_json()'s writer of a value: nested objects and their lists recurse with it.
struct JsonValueWriter {
  template <class V>
  void operator()(std::string& out, const V& value) const {
    if constexpr (is_described_v<V>) {
      append_fields(out, value, *this);
    } else if constexpr (is_span_of_described_v<V>) {
      append_list(out, value, *this);
    } else {
      append_value(out, value);
    }
  }
};

/// Appends a typed model's `fields` object as to_json() writes it.
template <class Model>
void append_fields(std::string& out, const Model& fields) {
  append_fields(out, fields, JsonValueWriter{});
}

/// Shared writer for every event type.
template <class Event>
void append_event(std::string& out, const Event& e) {
  // Hand-built events may leave `event` or `model` empty; derive one from the other.
  std::string_view model = e.model;
  if (model.empty()) model = e.event.substr(0, e.event.find("::"));
  out += '{';
  out += member_key<envelope_key::event, false>;
  if (e.event.empty()) {
    std::string name(model);
    name += "::";
    name += to_string(e.trigger);
    append_json_string(out, name);
  } else {
    append_json_string(out, e.event);
  }
  out += member_key<envelope_key::data>;
  out += '{';
  out += member_key<envelope_key::object, false>;
  out += '"';
  out += envelope_key::resource;
  out += '"';
  out += member_key<envelope_key::model>;
  append_json_string(out, model);
  out += member_key<envelope_key::id>;
  append_json_string(out, e.id);
  out += member_key<envelope_key::fields>;
  if constexpr (is_model_v<decltype(e.fields)>) {
    append_fields(out, e.fields);
  } else {
    append_compact_json(out, e.fields.empty() ? std::string_view("{}") : e.fields);
  }
  out += member_key<envelope_key::created_at>;
  append_timestamp(out, e.created_at);
  out += member_key<envelope_key::updated_at>;
  append_timestamp(out, e.updated_at);
  if (e.raw_resource) {
    out += member_key<envelope_key::raw_resource>;
    append_compact_json(out, e.raw_resource->empty() ? std::string_view("null") : *e.raw_resource);
  }
  if (!e.warnings.empty()) {
    out += member_key<envelope_key::warnings>;
    append_warnings(out, e.warnings);
  }
  out += "}}";
}

}  // namespace detail

/// Appends `event` as canonical compact JSON to `out` (reuse `out` to avoid allocating). A
/// ResourceEvent's `fields` is written compact.
template <class Fields>
void append_json(std::string& out, const Event<Fields>& event) {
  detail::append_event(out, event);
}

/// `event` as canonical compact JSON in Morph's shape (see json.hpp).
template <class Fields>
[[nodiscard]] std::string to_json(const Event<Fields>& event) {
  std::string out;
  append_json(out, event);
  return out;
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_JSON_HPP
