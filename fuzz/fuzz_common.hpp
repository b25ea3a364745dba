/// @file fuzz_common.hpp
/// @brief Invariant checks shared by the fuzz targets.
///
/// A fuzz target that only proves "no crash" misses silent wrong values. Every target here
/// checks what the API promises, and stops the process (abort, after printing which invariant
/// broke) when a promise is broken:
/// - an error has a known code, a non-empty message and a syntactically valid RFC 6901 JSON
///   Pointer (or, for header errors, an empty pointer and a lowercase Morph header name);
/// - an accepted event is self-consistent (trigger and model match the `event` text, ids are
///   non-empty, durations are never negative, raw JSON views are whole values);
/// - with nlohmann::json as an independent parser (when found at configure time): accepted
///   bodies are valid JSON, every value the event reports equals the value in nlohmann's DOM,
///   and the pointer of every semantic error resolves in that DOM.
#ifndef MORPH_WEBHOOK_FUZZ_COMMON_HPP
#define MORPH_WEBHOOK_FUZZ_COMMON_HPP

#include <morph/webhook.hpp>
#include <morph/webhook/datetime.hpp>
#include <morph/webhook/headers.hpp>
#include <morph/webhook/request.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#if MORPH_WEBHOOK_FUZZ_HAVE_NLOHMANN
#include <nlohmann/json.hpp>
#endif

namespace morph::webhook::fuzz {

/// Prints the broken invariant and stops with a crash the fuzzer records.
[[noreturn]] inline void fail(const char* what, const char* file, int line,
                              std::string_view detail = {}) {
  std::fprintf(stderr, "\n*** fuzz invariant broken at %s:%d: %s\n", file, line, what);
  if (!detail.empty()) {
    std::fprintf(stderr, "    %.*s\n", static_cast<int>(detail.size() > 400 ? 400 : detail.size()),
                 detail.data());
  }
  std::fflush(stderr);
  std::abort();
}

}  // namespace morph::webhook::fuzz

/// Checks an invariant; on violation prints it and aborts.
#define MORPH_WEBHOOK_FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::morph::webhook::fuzz::fail(#cond, __FILE__, __LINE__))
/// Same, with a detail string (e.g. the error) printed under it.
#define MORPH_WEBHOOK_FUZZ_CHECK_MSG(cond, detail) \
  ((cond) ? (void)0 : ::morph::webhook::fuzz::fail(#cond, __FILE__, __LINE__, (detail)))

namespace morph::webhook::fuzz {

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// True when `code` is one of all_error_codes.
inline bool is_known_code(ErrorCode code) noexcept {
  for (const ErrorCode c : all_error_codes) {
    if (c == code) return true;
  }
  return false;
}

/// RFC 6901 syntax: empty, or `/`-separated tokens where `~` is followed by `0` or `1`.
inline bool is_valid_pointer(std::string_view p) noexcept {
  if (p.empty()) return true;
  if (p.front() != '/') return false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '~' && (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))) return false;
  }
  return true;
}

/// The four spellings validate_headers() reports.
inline bool is_morph_header_name(std::string_view name) noexcept {
  return name == connector_id_header || name == connector_id_header_alt ||
         name == owner_id_header || name == idempotency_key_header;
}

/// What every error must satisfy, whatever produced it.
inline void check_error(const Error& e) {
  const std::string text = to_string(e);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(is_known_code(e.code), text);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(!e.message.empty(), text);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(to_string(e.code) != "unknown", text);
  if (e.is_header_error()) {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(e.pointer.empty(), text);
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(!e.header.empty(), text);
    for (const char c : e.header) MORPH_WEBHOOK_FUZZ_CHECK_MSG(!(c >= 'A' && c <= 'Z'), text);
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(is_morph_header_name(e.header), text);
  } else {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(e.header.empty(), text);
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(is_valid_pointer(e.pointer), text);
  }
}

/// Same code, pointer and header (messages may legitimately differ only if they are equal too:
/// the parser is deterministic, so they are compared as well).
inline bool same_error(const Error& a, const Error& b) noexcept {
  return a.code == b.code && a.pointer == b.pointer && a.header == b.header &&
         a.message == b.message;
}

/// The body-level checks that hold for every body error, given the body and options.
inline void check_body_error(const Error& e, std::string_view body, const ParseOptions& o) {
  check_error(e);
  const std::string text = to_string(e);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(!e.is_header_error(), text);
  bool blank = true;
  for (const char c : body) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') blank = false;
  }
  if (body.size() > o.max_body_bytes) {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(e.code == ErrorCode::body_too_large, text);
  } else {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(e.code != ErrorCode::body_too_large, text);
    MORPH_WEBHOOK_FUZZ_CHECK_MSG((e.code == ErrorCode::empty_body) == blank, text);
  }
  if (e.code == ErrorCode::unknown_event || e.code == ErrorCode::unsupported_model) {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(e.pointer == "/event", text);
  }
  if (e.code == ErrorCode::model_mismatch) {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(e.pointer == "/data/model", text);
  }
  // Error responses are valid JSON whatever the message holds.
  const int status = http_status(e);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(status == 400 || status == 413 || status == 422, text);
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// `event` text, split the way the contract defines it: model before `::`, trigger after.
inline void check_event_name(std::string_view event, std::string_view model, Trigger trigger) {
  const std::size_t sep = event.find("::");
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(sep != std::string_view::npos, event);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(event.substr(0, sep) == model, event);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(event.substr(sep + 2) == to_string(trigger), event);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(!model.empty(), event);
}

inline void check_timestamp(const Timestamp& t) {
  MORPH_WEBHOOK_FUZZ_CHECK(!t.text.empty());
  // The instant is the one the text names (the check is independent of the parse path).
  TimePoint again{};
  const DateTimeError e = parse_datetime(t.text, false, again);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(e == DateTimeError::none, t.text);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(again == t.time, t.text);
}

inline bool starts_and_ends(std::string_view s, char first, char last) noexcept {
  return s.size() >= 2 && s.front() == first && s.back() == last;
}

inline void check_ref(const ResourceRef& r, Policy policy) {
  // A ref id may be empty (contract.md, "ResourceRef"); nothing to check on it alone.
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(starts_and_ends(r.raw_json, '{', '}'), r.raw_json);
  if (policy == Policy::strict) {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(r.object == "resourceRef" || r.object == "resource", r.object);
  }
}

template <class E, class From>
void check_enum(const std::optional<EnumField<E>>& f, Policy policy, From from) {
  if (!f) return;
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(f->value == from(f->text), f->text);
  if (f->value != E::unknown) MORPH_WEBHOOK_FUZZ_CHECK_MSG(to_string(f->value) == f->text, f->text);
  if (policy == Policy::strict) MORPH_WEBHOOK_FUZZ_CHECK_MSG(!f->is_unknown(), f->text);
}

inline EngagementType type_from(std::string_view s) {
  for (const auto v : {EngagementType::call, EngagementType::meeting, EngagementType::email,
                       EngagementType::task, EngagementType::note}) {
    if (to_string(v) == s) return v;
  }
  return EngagementType::unknown;
}
inline Direction direction_from(std::string_view s) {
  for (const auto v : {Direction::inbound, Direction::outbound}) {
    if (to_string(v) == s) return v;
  }
  return Direction::unknown;
}
inline EngagementStatus status_from(std::string_view s) {
  for (const auto v : {EngagementStatus::planned, EngagementStatus::in_progress,
                       EngagementStatus::completed, EngagementStatus::canceled}) {
    if (to_string(v) == s) return v;
  }
  return EngagementStatus::unknown;
}

/// Self-consistency of an accepted crmEngagement event.
inline void check_event(const WebhookEvent& ev, const ParseOptions& o) {
  check_event_name(ev.event, ev.model, ev.trigger);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(ev.model == "crmEngagement", ev.model);
  MORPH_WEBHOOK_FUZZ_CHECK(!ev.id.empty());
  check_timestamp(ev.created_at);
  check_timestamp(ev.updated_at);
  if (ev.raw_resource) MORPH_WEBHOOK_FUZZ_CHECK(!ev.raw_resource->empty());
  MORPH_WEBHOOK_FUZZ_CHECK(ev.warnings.size() <= o.max_warnings);
  for (const Warning& w : ev.warnings) (void)w.code;
  const Engagement& f = ev.fields;
  check_enum(f.type, o.policy, type_from);
  check_enum(f.direction, o.policy, direction_from);
  check_enum(f.status, o.policy, status_from);
  if (f.duration) MORPH_WEBHOOK_FUZZ_CHECK(*f.duration >= 0);
  if (f.started_at) check_timestamp(*f.started_at);
  if (f.ended_at) check_timestamp(*f.ended_at);
  if (o.policy == Policy::strict) {
    MORPH_WEBHOOK_FUZZ_CHECK(f.type.has_value());
    MORPH_WEBHOOK_FUZZ_CHECK(f.started_at.has_value());
    for (const Timestamp* t : {&ev.created_at, &ev.updated_at}) {
      MORPH_WEBHOOK_FUZZ_CHECK_MSG(t->text.back() == 'Z', t->text);
    }
  }
  // max_refs bounds the refs of an event: the owner and the four lists together.
  std::size_t refs = 0;
  if (f.owner) {
    check_ref(*f.owner, o.policy);
    ++refs;
  }
  for (const auto* list : {&f.users, &f.companies, &f.contacts, &f.opportunities}) {
    if (!*list) continue;
    for (const ResourceRef& r : **list) check_ref(r, o.policy);
    refs += (*list)->size();
  }
  MORPH_WEBHOOK_FUZZ_CHECK(refs <= o.max_refs);
}

/// Self-consistency of an accepted envelope.
inline void check_envelope(const ResourceEvent& ev, const ParseOptions& o) {
  check_event_name(ev.event, ev.model, ev.trigger);
  MORPH_WEBHOOK_FUZZ_CHECK(!ev.id.empty());
  check_timestamp(ev.created_at);
  check_timestamp(ev.updated_at);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(starts_and_ends(ev.fields, '{', '}'), ev.fields);
  if (ev.raw_resource) MORPH_WEBHOOK_FUZZ_CHECK(!ev.raw_resource->empty());
  MORPH_WEBHOOK_FUZZ_CHECK(ev.warnings.size() <= o.max_warnings);
}

/// True when `view` lies inside [begin, begin + size).
inline bool inside(std::string_view view, const char* begin, std::size_t size) noexcept {
  const auto b = reinterpret_cast<std::uintptr_t>(begin);
  const auto v = reinterpret_cast<std::uintptr_t>(view.data());
  return v >= b && v + view.size() <= b + size;
}

/// Raw views of an in-place parse must point into the caller's buffer.
inline void check_raw_views_inside(const WebhookEvent& ev, const char* begin, std::size_t size) {
  if (ev.raw_resource) MORPH_WEBHOOK_FUZZ_CHECK(inside(*ev.raw_resource, begin, size));
  const Engagement& f = ev.fields;
  if (f.owner) MORPH_WEBHOOK_FUZZ_CHECK(inside(f.owner->raw_json, begin, size));
  for (const auto* list : {&f.users, &f.companies, &f.contacts, &f.opportunities}) {
    if (!*list) continue;
    for (const ResourceRef& r : **list) MORPH_WEBHOOK_FUZZ_CHECK(inside(r.raw_json, begin, size));
  }
}

// ---------------------------------------------------------------------------------------------
// Cross-check with nlohmann::json, an independent parser
// ---------------------------------------------------------------------------------------------

#if MORPH_WEBHOOK_FUZZ_HAVE_NLOHMANN

using Json = nlohmann::json;

/// SAX pass: is the text JSON at all, and does any object repeat a key (after unescaping)?
class DuplicateKeyFinder : public nlohmann::json_sax<Json> {
 public:
  bool duplicate = false;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    stack_.emplace_back();
    return true;
  }
  bool key(string_t& k) override {
    std::vector<std::string>& keys = stack_.back();
    for (const std::string& seen : keys) {
      if (seen == k) duplicate = true;
    }
    if (keys.size() < 64) keys.push_back(k);  // bounded: fuzz inputs are small anyway
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  std::vector<std::vector<std::string>> stack_;
};

/// What nlohmann makes of a body.
struct Reference {
  bool valid = false;      ///< nlohmann accepts the text as one JSON value.
  bool duplicate = false;  ///< Some object repeats a key (nlohmann's DOM then keeps one).
  bool nul = false;        ///< The body holds a NUL byte: never JSON, but nlohmann stops there.
  bool bom = false;        ///< The body starts with a UTF-8 BOM: nlohmann skips it, we reject.
  Json dom;                ///< The DOM, when valid.
  std::string_view body;   ///< The body itself.
};

inline Reference reference_parse(std::string_view body) {
  Reference r;
  r.body = body;
  // nlohmann reads a NUL byte as the end of the input (it accepts `{}` followed by NULs). A raw
  // NUL is never valid JSON (not whitespace, not allowed unescaped in strings): no reference.
  if (body.find('\0') != std::string_view::npos) {
    r.nul = true;
    return r;
  }
  // nlohmann skips a UTF-8 byte order mark at the start; simdjson (and so the parser) rejects
  // it as invalid_json. RFC 8259 allows both (senders MUST NOT add one; parsers MAY ignore it).
  if (body.substr(0, 3) == "\xEF\xBB\xBF") {
    r.bom = true;
    return r;
  }
  DuplicateKeyFinder sax;
  r.valid = Json::sax_parse(body.begin(), body.end(), &sax, nlohmann::json::input_format_t::json,
                            /*strict=*/true);
  r.duplicate = sax.duplicate;
  if (r.valid) r.dom = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  return r;
}

/// The value a JSON Pointer names in `dom`, or nullptr.
inline const Json* resolve(const Json& dom, std::string_view pointer) {
  const Json* node = &dom;
  std::size_t pos = 0;
  while (pos < pointer.size()) {
    // pointer[pos] == '/'
    std::size_t next = pointer.find('/', pos + 1);
    if (next == std::string_view::npos) next = pointer.size();
    std::string token;
    for (std::size_t i = pos + 1; i < next; ++i) {
      if (pointer[i] == '~') {
        token += pointer[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += pointer[i];
      }
    }
    if (node->is_object()) {
      const auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0'))
        return nullptr;
      std::size_t index = 0;
      for (const char c : token) {
        if (c < '0' || c > '9') return nullptr;
        index = index * 10 + static_cast<std::size_t>(c - '0');
      }
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
    pos = next;
  }
  return node;
}

/// The pointer without its last token.
inline std::string_view parent_of(std::string_view pointer) {
  const std::size_t slash = pointer.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : pointer.substr(0, slash);
}

/// Known divergences between simdjson 3.0.1 and nlohmann 3.11.2 on what is JSON (besides NUL
/// bytes, see reference_parse()), where the parser's invalid_json is right:
/// - numbers outside the range of a double (1e400): nlohmann accepts (as inf), the parser not;
/// - our own nesting limit (ParseOptions::max_depth), which nlohmann does not have.
/// The parser's message says which case it is.
inline bool is_excused_divergence(const Error& e) {
  return e.message.find(" nest") != std::string::npos ||
         e.message.find("beyond the range of a double") != std::string::npos;
}

/// Checks an error against the reference: syntax errors only on non-JSON, semantic errors only
/// on JSON, and the pointer of a semantic error resolves (or, for missing_field, its parent).
inline void cross_check_error(const Error& e, const Reference& ref) {
  const std::string text = to_string(e);
  if (ref.nul || ref.bom) {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(
        e.code == ErrorCode::invalid_json || e.code == ErrorCode::body_too_large, text);
    return;
  }
  switch (e.code) {
    case ErrorCode::empty_body:
    case ErrorCode::body_too_large: return;
    case ErrorCode::invalid_json:
      if (ref.valid) MORPH_WEBHOOK_FUZZ_CHECK_MSG(is_excused_divergence(e), text);
      return;
    default: break;
  }
  // A semantic error is only reported on well-formed JSON (a syntax error anywhere wins).
  // (Found by fuzzing: simdjson 3.0.1 reads root `nullo ` / `false?` as literals; the parser
  // checks root scalars itself since 6fcc758.)
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(ref.valid, text);
  if (e.code == ErrorCode::duplicate_key) MORPH_WEBHOOK_FUZZ_CHECK_MSG(ref.duplicate, text);
  if (ref.duplicate) return;  // nlohmann's DOM dropped one of the values: pointers may differ
  if (e.code == ErrorCode::missing_field) {
    const Json* parent = resolve(ref.dom, parent_of(e.pointer));
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(parent != nullptr && parent->is_object(), text);
    const Json* member = resolve(ref.dom, e.pointer);
    // A missing member is absent (a null member is a type error or, lenient, "absent").
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(member == nullptr, text);
  } else {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(resolve(ref.dom, e.pointer) != nullptr, text);
  }
  // A duration refused as a value: its nearest double is not a whole number in [0, 2^63).
  const Json* node = resolve(ref.dom, e.pointer);
  const std::string_view pointer = e.pointer;
  if (e.code == ErrorCode::invalid_value && node != nullptr && node->is_number() &&
      pointer.size() >= 16 && pointer.substr(pointer.size() - 16) == "/fields/duration") {
    const double d = node->get<double>();
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(!(d >= 0 && d < 9223372036854775808.0 && std::floor(d) == d),
                                 text);
  }
}

inline bool dom_string(const Json* node, std::string_view expected) {
  return node != nullptr && node->is_string() && node->get_ref<const std::string&>() == expected;
}

/// A raw JSON view parses to the same value as the DOM node it claims to be.
inline void check_raw_equals(std::string_view raw, const Json* node) {
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(node != nullptr, raw);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(Json::accept(raw.begin(), raw.end()), raw);
  const Json parsed = Json::parse(raw.begin(), raw.end(), nullptr, false);
  // Compare serialized forms: NaN-free, and object key order is normalized by nlohmann.
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(parsed.dump() == node->dump(), raw);
}

/// A present optional member: present and not null in the DOM (lenient reads null as absent).
inline bool dom_present(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && !it->is_null();
}

inline void cross_check_ref(const ResourceRef& r, const Json* node) {
  MORPH_WEBHOOK_FUZZ_CHECK(node != nullptr && node->is_object());
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(dom_string(resolve(*node, "/id"), r.id), r.id);
  if (!r.object.empty()) MORPH_WEBHOOK_FUZZ_CHECK(dom_string(resolve(*node, "/object"), r.object));
  if (!r.model.empty()) MORPH_WEBHOOK_FUZZ_CHECK(dom_string(resolve(*node, "/model"), r.model));
  check_raw_equals(r.raw_json, node);
}

inline void cross_check_common(const Json& dom, std::string_view event, std::string_view model,
                               std::string_view id, const Timestamp& created,
                               const Timestamp& updated,
                               const std::optional<std::string_view>& raw_resource,
                               const WarningList& warnings) {
  MORPH_WEBHOOK_FUZZ_CHECK(dom_string(resolve(dom, "/event"), event));
  MORPH_WEBHOOK_FUZZ_CHECK(dom_string(resolve(dom, "/data/model"), model));
  MORPH_WEBHOOK_FUZZ_CHECK(dom_string(resolve(dom, "/data/id"), id));
  MORPH_WEBHOOK_FUZZ_CHECK(dom_string(resolve(dom, "/data/createdAt"), created.text));
  MORPH_WEBHOOK_FUZZ_CHECK(dom_string(resolve(dom, "/data/updatedAt"), updated.text));
  const Json& data = *resolve(dom, "/data");
  const auto raw = data.find("rawResource");
  MORPH_WEBHOOK_FUZZ_CHECK(raw_resource.has_value() == (raw != data.end()));
  if (raw_resource) check_raw_equals(*raw_resource, &*raw);
  const Json* list = resolve(dom, "/data/warnings");
  if (list == nullptr || list->is_null()) {
    MORPH_WEBHOOK_FUZZ_CHECK(warnings.empty());
  } else {
    MORPH_WEBHOOK_FUZZ_CHECK(list->is_array() && list->size() == warnings.size());
    for (std::size_t i = 0; i < warnings.size(); ++i) {
      const Json& w = (*list)[i];
      MORPH_WEBHOOK_FUZZ_CHECK(dom_string(resolve(w, "/code"), warnings[i].code));
      MORPH_WEBHOOK_FUZZ_CHECK(warnings[i].message.has_value() == dom_present(w, "message"));
      if (warnings[i].message) {
        MORPH_WEBHOOK_FUZZ_CHECK(dom_string(resolve(w, "/message"), *warnings[i].message));
      }
    }
  }
}

/// Every value of an accepted event equals the one in nlohmann's DOM of the same body.
inline void cross_check_event(const WebhookEvent& ev, const Reference& ref) {
  MORPH_WEBHOOK_FUZZ_CHECK(ref.valid);
  MORPH_WEBHOOK_FUZZ_CHECK(ref.dom.is_object());
  if (ref.duplicate) return;  // duplicates in opaque values: the DOM kept only one of them
  const Json& dom = ref.dom;
  cross_check_common(dom, ev.event, ev.model, ev.id, ev.created_at, ev.updated_at, ev.raw_resource,
                     ev.warnings);
  const Json* fields = resolve(dom, "/data/fields");
  MORPH_WEBHOOK_FUZZ_CHECK(fields != nullptr && fields->is_object());
  const Engagement& f = ev.fields;
  const auto text = [&](const char* key, const std::optional<std::string_view>& value) {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(value.has_value() == dom_present(*fields, key), key);
    if (value) MORPH_WEBHOOK_FUZZ_CHECK_MSG(dom_string(&(*fields)[key], *value), key);
  };
  const auto opt_text = [](const auto& field) -> std::optional<std::string_view> {
    if (!field) return std::nullopt;
    return field->text;
  };
  text("type", opt_text(f.type));
  text("direction", opt_text(f.direction));
  text("status", opt_text(f.status));
  text("title", f.title);
  text("description", f.description);
  text("startedAt", opt_text(f.started_at));
  text("endedAt", opt_text(f.ended_at));
  MORPH_WEBHOOK_FUZZ_CHECK(f.duration.has_value() == dom_present(*fields, "duration"));
  if (f.duration) {
    const Json& d = (*fields)["duration"];
    MORPH_WEBHOOK_FUZZ_CHECK(d.is_number());
    // The contract's rule: the duration is the double nearest the number as written (what
    // JSON.parse reads). nlohmann's get<double>() is that double: strtod for a number with a
    // fraction or exponent, an integer converted with rounding to nearest otherwise.
    MORPH_WEBHOOK_FUZZ_CHECK(static_cast<double>(*f.duration) == d.get<double>());
  }
  MORPH_WEBHOOK_FUZZ_CHECK(f.owner.has_value() == dom_present(*fields, "owner"));
  if (f.owner) cross_check_ref(*f.owner, &(*fields)["owner"]);
  const std::pair<const char*, const std::optional<RefList>*> lists[] = {
      {"users", &f.users},
      {"companies", &f.companies},
      {"contacts", &f.contacts},
      {"opportunities", &f.opportunities}};
  for (const auto& [key, list] : lists) {
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(list->has_value() == dom_present(*fields, key), key);
    if (!*list) continue;
    const Json& array = (*fields)[key];
    MORPH_WEBHOOK_FUZZ_CHECK_MSG(array.is_array() && array.size() == (*list)->size(), key);
    for (std::size_t i = 0; i < (*list)->size(); ++i) cross_check_ref((**list)[i], &array[i]);
  }
}

/// Same for an envelope.
inline void cross_check_envelope(const ResourceEvent& ev, const Reference& ref) {
  MORPH_WEBHOOK_FUZZ_CHECK(ref.valid);
  MORPH_WEBHOOK_FUZZ_CHECK(ref.dom.is_object());
  if (ref.duplicate) return;
  cross_check_common(ref.dom, ev.event, ev.model, ev.id, ev.created_at, ev.updated_at,
                     ev.raw_resource, ev.warnings);
  check_raw_equals(ev.fields, resolve(ref.dom, "/data/fields"));
}

/// Error responses are valid JSON and say what the Error says.
inline void cross_check_error_json(const Error& e) {
  const std::string out = error_json(e);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(Json::accept(out), out);
  const Json j = Json::parse(out, nullptr, false);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(dom_string(resolve(j, "/error/code"), to_string(e.code)), out);
  MORPH_WEBHOOK_FUZZ_CHECK_MSG(dom_string(resolve(j, "/error/pointer"), e.pointer), out);
}

#else  // no nlohmann: the self-consistency checks above still run

struct Reference {};
inline Reference reference_parse(std::string_view) { return {}; }
inline void cross_check_error(const Error&, const Reference&) {}
inline void cross_check_event(const WebhookEvent&, const Reference&) {}
inline void cross_check_envelope(const ResourceEvent&, const Reference&) {}
inline void cross_check_error_json(const Error&) {}

#endif

}  // namespace morph::webhook::fuzz

#endif  // MORPH_WEBHOOK_FUZZ_COMMON_HPP
