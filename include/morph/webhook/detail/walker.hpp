/// @file walker.hpp
/// @brief EventWalker: one pass over a body's On-Demand document that checks it and fills an
/// Event: the envelope, the warnings, and `fields` as the model's description says (model.hpp),
/// or as validated raw JSON for a ResourceEvent.
///
/// Reading order: walk_root() -> walk_event() / walk_data() -> walk_fields() (the model's
/// fields, field by field through read_value()) and walk_warnings(). Refs are read last:
/// each fast path (raw bytes, for refs as Morph writes them) sits right above the general path
/// it must agree with, and falls back to it for anything else.
#ifndef MORPH_WEBHOOK_DETAIL_WALKER_HPP
#define MORPH_WEBHOOK_DETAIL_WALKER_HPP

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "morph/webhook/datetime.hpp"
#include "morph/webhook/detail/arena.hpp"
#include "morph/webhook/detail/bytes.hpp"
#include "morph/webhook/detail/config.hpp"
#include "morph/webhook/detail/json_validator.hpp"
#include "morph/webhook/detail/messages.hpp"
#include "morph/webhook/detail/string_rules.hpp"
#include "morph/webhook/detail/vocabulary.hpp"
#include "morph/webhook/error.hpp"
#include "morph/webhook/model.hpp"
#include "morph/webhook/number.hpp"
#include "morph/webhook/types.hpp"

/// @cond MORPH_WEBHOOK_INTERNAL
namespace morph::webhook::detail {

/// The prefix of a ref written the usual way in field `I` of `Model` (see RefPrefix).
template <class Model, std::size_t I>
inline constexpr RefPrefix ref_prefix{field_at<Model, I>.target};

template <class T>
inline constexpr bool unsupported_value_kind = false;

/// The envelope members of the Event a walk fills (everything but `fields` and the lists).
struct EnvelopeSlots {
  std::string_view& event;                        ///< `event`.
  Trigger& trigger;                               ///< From `event`.
  std::string_view& model;                        ///< From `event`.
  std::string_view& id;                           ///< `data.id`.
  Timestamp& created_at;                          ///< `data.createdAt`.
  Timestamp& updated_at;                          ///< `data.updatedAt`.
  std::optional<std::string_view>& raw_resource;  ///< `data.rawResource`.
};

/// One validating pass over a body: everything that does not depend on the model (the
/// envelope, warnings, refs, scalar values, JSON left uninterpreted). The model's fields are
/// walked by EventWalker<Fields>, through walk_fields(): so each typed model adds only the code
/// of its own fields, and this code is compiled once however many models a program parses.
class ResourceWalker : public JsonValidator {
 public:
  /// A walker filling `out`; refs and warnings are appended to `refs` and `warnings` (the
  /// Parser's), `keys` is scratch space for duplicate detection; `typed_model` is the model
  /// whose fields walk_fields() reads (empty: any model, `fields` kept raw).
  ResourceWalker(od::parser& json, od::document& doc, const ParseOptions& options,
                 std::vector<ResourceRef>& refs, std::vector<Warning>& warnings,
                 std::vector<std::string_view>& keys, Arena& arena, std::uint8_t* strings,
                 const char* end, bool fast, EnvelopeSlots out,
                 std::string_view typed_model) noexcept
      : JsonValidator(json, doc, options, strings, end, fast), out_(out), typed_model_(typed_model),
        refs_(refs), warnings_(warnings), keys_(keys), arena_(arena) {}
  ResourceWalker(const ResourceWalker&) = delete;
  ResourceWalker& operator=(const ResourceWalker&) = delete;

  /// How many refs the fast paths read (tests check that the fast paths are taken).
  std::size_t fast_path_refs = 0;

  /// Walks the whole document: the root object, then checks nothing follows it.
  bool walk_root() {
    od::json_type type{};
    if (auto e = doc_.type().get(type)) return json_fail(e);
    if (type != od::json_type::object) {
      return fail(ErrorCode::wrong_type, {"the body must be a JSON object, not ", type_name(type)});
    }
    if (max_depth_ < depth::root) return depth_fail();
    od::object root;
    if (auto e = doc_.get_object().get(root)) return json_fail(e);
    std::uint32_t seen = 0;
    bool data_deferred = false;
    const bool walked =
        walk_members(root, [&](std::string_view key, od::value& value) MORPH_WEBHOOK_INLINE_LAMBDA {
          const std::uint32_t k = root_key(key);
          if (k != 0 && !mark_seen(seen, k)) return false;
          if (k == root_event) return walk_event(value);
          if (k == root_data) {
            // The typed walk needs the model from `event`; Morph sends `event` first, but JSON
            // objects are unordered: when `data` comes first it is walked in a second pass.
            data_deferred = !typed_model_.empty() && !(seen & root_event);
            return data_deferred || walk_data(value);
          }
          remember_unknown_key(key);
          return validate(value, depth::data);
        });
    if (!walked) return false;
    if (!(seen & root_event)) {
      return fail_at(ErrorCode::missing_field, envelope_key::event,
                     {"the body has no \"event\" member (expected \"<model>::<trigger>\")"});
    }
    if (!(seen & root_data)) {
      return fail_at(ErrorCode::missing_field, envelope_key::data,
                     {"the body has no \"data\" member"});
    }
    if (!at_end()) return false;
    if (data_deferred && !walk_deferred_data()) return false;
    if (data_model_ != out_.model) {
      fail(ErrorCode::model_mismatch,
           {"data.model is ", quote(data_model_), " but the event names ", quote(out_.model)});
      prefix_pointer(envelope_key::model);
      return prefix_pointer(envelope_key::data);
    }
    return true;
  }

 protected:
  ~ResourceWalker() = default;

  /// Reads `data.fields` (the model's part of the walk: EventWalker).
  virtual bool walk_fields(od::value& v) = 0;

  // ---- interpreted objects: known keys, unknown keys, duplicates ----

  /// Records a known key; false (duplicate_key) when it was already seen.
  MORPH_WEBHOOK_INLINE bool mark_seen(std::uint32_t& seen, std::uint32_t bit) {
    if (seen & bit) return duplicate_key();
    seen |= bit;
    return true;
  }

  MORPH_WEBHOOK_COLD bool duplicate_key() {
    return fail(ErrorCode::duplicate_key, {"the key appears more than once in this object"});
  }

  /// Walks the members of an object the parser interprets: `read(key, value)` reads one and
  /// returns false on failure (it calls remember_unknown_key() for a key it does not know);
  /// the failure's pointer then gets the key prepended. Ends with check_duplicates().
  template <class Read>
  MORPH_WEBHOOK_INLINE bool walk_members(od::object& obj, Read&& read) {
    const std::size_t keys_mark = keys_.size();
    for (auto item : obj) {
      if (auto e = item.error()) return json_fail(e);
      od::field& member = item.value_unsafe();
      std::string_view key;
      if (!read_key(member, key)) return false;
      if (!read(key, member.value())) return prefix_pointer(key);
    }
    return keys_.size() == keys_mark || check_duplicates(keys_mark);
  }

  /// Remembers an unknown key of an interpreted object, for check_duplicates().
  void remember_unknown_key(std::string_view key) { keys_.push_back(key); }

  /// Fails with duplicate_key when two unknown keys recorded since `mark` are equal; then
  /// forgets them. Sorting keeps hostile objects with many keys at O(n log n).
  bool check_duplicates(std::size_t mark) {
    const std::size_t n = keys_.size() - mark;
    if (n == 0) return true;
    if (n >= 2) {
      const auto first = keys_.begin() + static_cast<std::ptrdiff_t>(mark);
      std::sort(first, keys_.end());
      const auto dup = std::adjacent_find(first, keys_.end());
      if (dup != keys_.end()) {
        const std::string key(*dup);
        keys_.resize(mark);
        duplicate_key();
        return prefix_pointer(key);
      }
    }
    keys_.resize(mark);
    return true;
  }

  /// For optional members: true when the value is `null` and the lenient policy reads it as
  /// absent; false otherwise (strict: `null` is then reported as the wrong type).
  bool absent_null(od::value& v) {
    bool is_null = false;
    return !strict() && v.is_null().get(is_null) == simdjson::SUCCESS && is_null;
  }

  /// The failure of a typed getter on an optional member: fine (the member stays absent) for
  /// a lenient `null`, otherwise as getter_fail().
  bool optional_getter_fail(od::value& v, simdjson::error_code e, std::string_view what) {
    if (e == simdjson::INCORRECT_TYPE && absent_null(v)) return true;
    return getter_fail(v, e, what);
  }

  // ---- date-times ----

  MORPH_WEBHOOK_INLINE bool timestamp(od::value& v, Timestamp& result) {
    if (!get_string(v, result.text, "an RFC 3339 date-time string")) return false;
    return check_timestamp(result);
  }

  /// Fast path: the usual `2025-03-06T09:05:04.606Z`; anything else takes the full check.
  MORPH_WEBHOOK_INLINE bool check_timestamp(Timestamp& result) {
    if (use_fast_paths && parse_iso_millis_utc(result.text, result.time)) return true;
    return check_timestamp_fully(result);
  }

  bool check_timestamp_fully(Timestamp& result) {
    const DateTimeError e = parse_datetime(result.text, strict(), result.time);
    if (e == DateTimeError::none) return true;
    return fail(ErrorCode::invalid_value,
                {"invalid date-time ", quote(result.text), ": ", to_string(e),
                 " (expected e.g. 2025-03-06T09:05:04.606Z)"});
  }

  // ---- the envelope ----

  bool walk_event(od::value& v) {
    if (!get_string(v, out_.event, "the event name as a string like \"crmEngagement::created\"")) {
      return false;
    }
    if (!split_event_name(out_.event, out_.model, out_.trigger)) {
      return fail(ErrorCode::unknown_event,
                  {"unknown event ", quote(out_.event),
                   ": expected \"<model>::<trigger>\" with trigger created, updated or deleted"});
    }
    if (!typed_model_.empty() && out_.model != typed_model_) return unsupported_model();
    return true;
  }

  MORPH_WEBHOOK_COLD bool unsupported_model() {
    return fail(
        ErrorCode::unsupported_model,
        {"the event is for model ", quote(out_.model),
         is_known_model(out_.model) ? "" : " (not a documented Morph model)",
         "; this parser reads ", typed_model_, " events (use parse_envelope for other models)"});
  }

  /// Second pass when `data` came before `event`: only `event` and `data` are read again.
  bool walk_deferred_data() {
    doc_.rewind();
    od::object root;
    if (auto e = doc_.get_object().get(root)) return json_fail(e);
    return walk_members(
        root, [this](std::string_view key, od::value& value) MORPH_WEBHOOK_INLINE_LAMBDA {
          const std::uint32_t k = root_key(key);
          return k == root_event ? walk_event(value) : k == root_data ? walk_data(value) : true;
        });
  }

  bool walk_data(od::value& v) {
    od::object obj;
    if (auto e = v.get_object().get(obj)) return getter_fail(v, e, "a resource object");
    if (max_depth_ < depth::data) return depth_fail();
    std::uint32_t seen = 0;
    const bool walked = walk_members(obj, [&](std::string_view key,
                                              od::value& value) MORPH_WEBHOOK_INLINE_LAMBDA {
      const std::uint32_t k = data_key(key);
      if (k != 0 && !mark_seen(seen, k)) return false;
      switch (k) {
        case data_object: {
          std::string_view object;
          if (!get_string(value, object, "the string \"resource\"")) return false;
          if (object == "resource") return true;
          return fail(ErrorCode::invalid_value, {"expected \"resource\", got ", quote(object)});
        }
        case data_model: return get_string(value, data_model_, "the model name as a string");
        case data_id:
          if (!get_string(value, out_.id, "the id as a string")) return false;
          if (!out_.id.empty()) return true;
          return fail(ErrorCode::invalid_value, {"the id is empty; expected a non-empty string"});
        case data_fields: return walk_fields(value);
        case data_created_at: return timestamp(value, out_.created_at);
        case data_updated_at: return timestamp(value, out_.updated_at);
        case data_raw_resource: {
          std::string_view raw;
          const bool ok = raw_value(value, depth::data_member, raw);
          out_.raw_resource = raw;
          return ok;
        }
        case data_warnings: return walk_warnings(value);
        default: remember_unknown_key(key); return validate(value, depth::data_member);
      }
    });
    if (!walked) return false;
    struct Required {
      std::uint32_t bit;
      std::string_view key;
      const char* what;
    };
    static constexpr Required required[] = {
        {data_object, envelope_key::object,
         "the resource has no \"object\" member (expected \"resource\")"},
        {data_model, envelope_key::model, "the resource has no \"model\" member"},
        {data_id, envelope_key::id, "the resource has no \"id\" member"},
        {data_fields, envelope_key::fields, "the resource has no \"fields\" object"},
        {data_created_at, envelope_key::created_at, "the resource has no \"createdAt\" date-time"},
        {data_updated_at, envelope_key::updated_at, "the resource has no \"updatedAt\" date-time"},
    };
    for (const Required& r : required) {
      if (!(seen & r.bit)) return fail_at(ErrorCode::missing_field, r.key, {r.what});
    }
    return true;
  }

  bool walk_warnings(od::value& v) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) return optional_getter_fail(v, e, "an array of warnings");
    if (max_depth_ < depth::data_member) return depth_fail();
    std::size_t index = 0;
    for (auto item : arr) {
      if (auto e = item.error()) return json_fail(e);
      od::value& element = item.value_unsafe();
      if (!walk_warning(element)) return prefix_pointer(index);
      ++index;
    }
    return true;
  }

  bool walk_warning(od::value& v) {
    if (warnings_.size() >= options_.max_warnings) {
      return fail(ErrorCode::invalid_value,
                  {"more warnings than the limit of ", unum(options_.max_warnings)});
    }
    od::object obj;
    if (auto e = v.get_object().get(obj)) return getter_fail(v, e, "a warning object");
    if (max_depth_ < depth::field) return depth_fail();
    Warning warning;
    std::uint32_t seen = 0;
    const bool walked =
        walk_members(obj, [&](std::string_view key, od::value& value) MORPH_WEBHOOK_INLINE_LAMBDA {
          const std::uint32_t k = warning_key(key);
          if (k != 0 && !mark_seen(seen, k)) return false;
          if (k == warning_code)
            return get_string(value, warning.code, "the warning code as a string");
          if (k == warning_message) {
            return read_optional_text(value, warning.message, "the warning message as a string");
          }
          remember_unknown_key(key);
          return validate(value, depth::list_item);
        });
    if (!walked) return false;
    if (!(seen & warning_code)) {
      return fail_at(ErrorCode::missing_field, "code", {"the warning has no \"code\" string"});
    }
    warnings_.push_back(warning);
    return true;
  }

  /// zod's string rules of field I (StringRule), under both policies: Morph's mappers validate
  /// fields against the schema and drop those that fail, so a value that breaks a rule is
  /// nothing Morph sends. Lengths are UTF-16 code units, counted on the decoded text.
  bool check_string_rule(std::string_view text, std::string_view name, const StringRule& rule) {
    const std::size_t length = utf16_length(text);
    if (length < rule.min_length || length > rule.max_length) {
      return string_length_fail(name, length, rule);
    }
    if (rule.email && !is_zod_email(text)) {
      return fail(ErrorCode::invalid_value, {quote(text),
                                             " is not an email address (zod's rule: "
                                             "ASCII local part, @, a domain with a dot and a "
                                             "top-level name of 2 or more letters)"});
    }
    return true;
  }

  /// A string field written by Date.toISOString() (StringRule::iso_instant), under the strict
  /// policy only: what Morph sends went through it; lenient keeps any string.
  MORPH_WEBHOOK_COLD bool iso_instant_fail(std::string_view text) {
    return fail(ErrorCode::invalid_value,
                {quote(text),
                 " is not a date-time as Date.toISOString() writes it "
                 "(expected YYYY-MM-DDTHH:MM:SS.sssZ, e.g. 2025-03-06T00:00:00.000Z)"});
  }

  MORPH_WEBHOOK_COLD bool string_length_fail(std::string_view name, std::size_t length,
                                             const StringRule& rule) {
    return fail(ErrorCode::invalid_value,
                {"the ", name, " is ", unum(length), " UTF-16 code units long; expected ",
                 unum(rule.min_length), " to ", unum(rule.max_length)});
  }

  template <class E>
  MORPH_WEBHOOK_INLINE bool read_enum(od::value& v, std::optional<EnumField<E>>& result) {
    od::raw_json_string raw;
    if (auto e = v.get_raw_json_string().get(raw)) return optional_getter_fail(v, e, "a string");
    EnumField<E> f;
    if (!decode(raw, f.text)) return false;
    f.value = enum_from<E>(f.text);
    if (f.value == unlisted_value<E> && strict()) return unknown_enum_value<E>(f.text);
    result = f;
    return true;
  }

  template <class E>
  static std::string enum_values_text() {
    std::string text;
    for (const std::string_view name : EnumNames<E>::values) {
      if (!text.empty()) text += ", ";
      text += name;
    }
    return text;
  }

  template <class E>
  MORPH_WEBHOOK_COLD bool unknown_enum_value(std::string_view text) {
    const std::string allowed = enum_values_text<E>();
    return fail(ErrorCode::invalid_value,
                {"unknown value ", quote(text), "; expected one of ", std::string_view(allowed)});
  }

  MORPH_WEBHOOK_INLINE bool read_optional_text(od::value& v,
                                               std::optional<std::string_view>& result,
                                               std::string_view what) {
    od::raw_json_string raw;
    if (auto e = v.get_raw_json_string().get(raw)) return optional_getter_fail(v, e, what);
    std::string_view text;
    if (!decode(raw, text)) return false;
    result = text;
    return true;
  }

  MORPH_WEBHOOK_INLINE bool read_time(od::value& v, std::optional<Timestamp>& result) {
    od::raw_json_string raw;
    if (auto e = v.get_raw_json_string().get(raw)) {
      return optional_getter_fail(v, e, "an RFC 3339 date-time string");
    }
    Timestamp t;
    if (!decode(raw, t.text) || !check_timestamp(t)) return false;
    result = t;
    return true;
  }

  /// A whole number of seconds >= 0: the nearest double of the number must be whole, >= 0
  /// and below 2^63 (zod's rule on what JSON.parse reads; see number.hpp).
  bool read_whole_number(od::value& v, std::optional<std::int64_t>& result, std::string_view name) {
    static constexpr std::string_view what = "a whole number of seconds >= 0";
    const std::string_view token = v.raw_json_token();
    const char c = token.empty() ? '\0' : token.front();
    if (c != '-' && (c < '0' || c > '9')) {
      return optional_getter_fail(v, simdjson::INCORRECT_TYPE, what);
    }
    double value = 0;
    if (!read_number(token, value)) return false;
    std::int64_t whole = 0;
    if (!whole_non_negative(value, whole)) return not_whole(name, token, value, what);
    result = whole;
    return true;
  }

  /// A number (zod `z.number()`, with `.min(0)` when `non_negative`): the nearest double of its
  /// text, as JSON.parse reads it (number.hpp). `-0` passes `.min(0)`, as in JavaScript.
  MORPH_WEBHOOK_INLINE bool read_double(od::value& v, std::optional<double>& result,
                                        std::string_view name, bool non_negative) {
    const std::string_view token = v.raw_json_token();
    const char c = token.empty() ? '\0' : token.front();
    if (c != '-' && (c < '0' || c > '9')) {
      return optional_getter_fail(v, simdjson::INCORRECT_TYPE, "a number");
    }
    double value = 0;
    if (!read_number(token, value)) return false;
    if (non_negative && value < 0) return negative_number(name, token);
    result = value;
    return true;
  }

  MORPH_WEBHOOK_COLD bool negative_number(std::string_view name, std::string_view token) {
    while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
    return fail(ErrorCode::invalid_value,
                {"the ", name, " ", token.substr(0, 32), token.size() > 32 ? "..." : "",
                 " is negative; expected a number >= 0"});
  }

  /// `true` or `false` (zod `z.boolean()`). A malformed literal (`tru`) is invalid_json.
  MORPH_WEBHOOK_INLINE bool read_bool(od::value& v, std::optional<bool>& result) {
    const std::string_view token = v.raw_json_token();
    const char c = token.empty() ? '\0' : token.front();
    if (c != 't' && c != 'f') return optional_getter_fail(v, simdjson::INCORRECT_TYPE, "a boolean");
    bool b = false;
    if (auto e = v.get_bool().get(b)) return json_fail(e);
    result = b;
    return true;
  }

  MORPH_WEBHOOK_COLD bool not_whole(std::string_view name, std::string_view token, double value,
                                    std::string_view what) {
    while (!token.empty() && is_json_space(token.back())) token.remove_suffix(1);
    const std::string_view shown = token.substr(0, 32);
    const std::string_view cut = token.size() > shown.size() ? "..." : "";
    if (value < 0) {
      return fail(ErrorCode::invalid_value,
                  {"the ", name, " ", shown, cut, " is negative; expected ", what});
    }
    if (value >= 9223372036854775808.0) {
      return fail(
          ErrorCode::invalid_value,
          {"the ", name, " ", shown, cut, " is too large; expected at most ",
           num(max_whole_double_below_2_63), " seconds (the largest whole double below 2^63)"});
    }
    // Past 15 significant digits the double may differ from the text: say why.
    return fail(ErrorCode::invalid_value,
                {"the ", name, " ", shown, cut, " is not ", what,
                 token.size() > 16 ? " (a number is read as its nearest double, as JavaScript "
                                     "reads it)"
                                   : ""});
  }

  // ---- nested values: objects described like models, lists of them, number lists, records
  // (storage: the Parser's Arena, so every view is final as soon as it is filled) ----

  /// An array at depth `depth`; `read(element, slot)` fills each slot. The slots are taken
  /// from the arena 8 at first, then twice as many each time they run out (the filled ones
  /// copied over): no second pass to count the elements (On-Demand's count_elements() costs a
  /// walk over every token of the array), at most twice the room the list needs, and the same
  /// requests in the same order for the same body, so a warm parse allocates nothing.
  template <class T, class Read>
  bool read_list(od::value& v, std::optional<Span<T>>& result, std::uint32_t depth,
                 std::string_view what, Read&& read) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) return optional_getter_fail(v, e, what);
    if (depth > max_depth_) return depth_fail();
    ListBuilder<T> list;
    for (auto item : arr) {
      if (auto e = item.error()) return json_fail(e);
      T* slot = next_item(list);
      if (slot == nullptr || !read(item.value_unsafe(), *slot)) return prefix_pointer(list.size);
      ++list.size;
    }
    result = Span<T>(list.items, list.size);
    return true;
  }

  /// A list being filled in the arena (see read_list()).
  template <class T>
  struct ListBuilder {
    T* items = nullptr;
    std::size_t size = 0;
    std::size_t capacity = 0;
  };

  /// The next slot of `list` (value-initialized), within ParseOptions::max_items; nullptr on
  /// failure (the limit, or out of memory).
  template <class T>
  MORPH_WEBHOOK_INLINE T* next_item(ListBuilder<T>& list) {
    if (++items_seen_ > options_.max_items) return too_many_items<T>();
    if (list.size == list.capacity) {
      const std::size_t capacity = list.capacity == 0 ? 8 : 2 * list.capacity;
      T* items = arena_.template allocate<T>(capacity);
      if (items == nullptr) return out_of_nested_memory<T>();
      if (list.size != 0) std::memcpy(static_cast<void*>(items), list.items, list.size * sizeof(T));
      list.items = items;
      list.capacity = capacity;
    }
    return new (list.items + list.size) T{};
  }

  template <class T>
  MORPH_WEBHOOK_COLD T* too_many_items() {
    fail(ErrorCode::invalid_value,
         {"more nested items than the limit of ", unum(options_.max_items)});
    return nullptr;
  }

  template <class T>
  MORPH_WEBHOOK_COLD T* out_of_nested_memory() {
    fail(ErrorCode::body_too_large, {"out of memory for the nested values"});
    return nullptr;
  }

  /// A list of whole numbers >= 0 (`z.array(z.number().int().min(0))`).
  bool read_whole_number_list(od::value& v, std::optional<Span<std::int64_t>>& result,
                              std::string_view name, std::uint32_t depth) {
    return read_list(v, result, depth, "an array of whole numbers >= 0",
                     [this, name](od::value& item, std::int64_t& slot) {
                       const std::string_view token = item.raw_json_token();
                       const char c = token.empty() ? '\0' : token.front();
                       if (c != '-' && (c < '0' || c > '9')) {
                         return getter_fail(item, simdjson::INCORRECT_TYPE, "a whole number >= 0");
                       }
                       std::optional<std::int64_t> number;
                       if (!read_whole_number(item, number, name)) return false;
                       slot = *number;
                       return true;
                     });
  }

  /// A record of answers (`z.record(string | string[] | number)`) at depth `depth`: any keys,
  /// unique; each value a string, an array of strings (at depth + 1) or a number.
  bool read_answers(od::value& v, std::optional<Answers>& result, std::uint32_t depth) {
    static constexpr std::string_view what = "a string, an array of strings or a number";
    od::object obj;
    if (auto e = v.get_object().get(obj)) {
      return optional_getter_fail(v, e, "an object of answers");
    }
    if (depth > max_depth_) return depth_fail();
    ListBuilder<Answer> list;
    const bool walked =
        walk_members(obj, [&](std::string_view key, od::value& value) MORPH_WEBHOOK_INLINE_LAMBDA {
          remember_unknown_key(key);  // any key, but each once
          Answer* slot = next_item(list);
          if (slot == nullptr) return false;
          ++list.size;
          Answer& answer = *slot;
          answer.key = key;
          const char c = value.raw_json_token().empty() ? '\0' : value.raw_json_token().front();
          if (c == '"') return get_string(value, std::get<std::string_view>(answer.value), what);
          if (c == '[') {
            std::optional<StringList> strings;
            if (!read_string_list(value, strings, depth + 1)) return false;
            answer.value = *strings;
            return true;
          }
          if (c == '-' || (c >= '0' && c <= '9')) {
            double number = 0;
            if (!read_number(value.raw_json_token(), number)) return false;
            answer.value = number;
            return true;
          }
          return getter_fail(value, simdjson::INCORRECT_TYPE, what);
        });
    if (!walked) return false;
    result = Answers(list.items, list.size);
    return true;
  }

  /// A list of strings (`z.array(z.string())`) at depth `depth`.
  bool read_string_list(od::value& v, std::optional<StringList>& result, std::uint32_t depth) {
    return read_list(v, result, depth, "an array of strings",
                     [this](od::value& item, std::string_view& slot) MORPH_WEBHOOK_INLINE_LAMBDA {
                       return get_string(item, slot, "a string");
                     });
  }

  // ---- refs: each fast path above the general path it must agree with ----

  /// A single ref field. Fast path: fast_ref() on the raw bytes; otherwise walk_ref().
  bool read_single_ref(od::value& v, const RefPrefix& prefix, std::uint32_t depth,
                       std::optional<ResourceRef>& result) {
    ResourceRef ref;
    const char* p = v.raw_json_token().data();
    if (use_fast_paths && *p == '{' && max_depth_ >= depth && refs_seen_ < options_.max_refs &&
        fast_ref(p, prefix, ref) && may_leave_unread(p)) {
      ++refs_seen_;
      ++fast_path_refs;
      result = ref;
      return true;  // the On-Demand value is skipped, as in fast_ref_list()
    }
    ref = ResourceRef{};
    if (absent_null(v)) return true;
    if (!walk_ref(v, prefix.model, depth, ref)) return false;
    result = ref;
    return true;
  }

  /// A ref list field. Fast path: fast_ref_list(); otherwise each ref with walk_ref(). With
  /// `optional_items` (zod `z.array(T.optional())`), lenient skips `null` items (model.hpp);
  /// the fast path never sees one (it takes only lists of ref objects).
  bool read_ref_list(od::value& v, const RefPrefix& prefix, bool optional_items, RefSlot& slot) {
    if (use_fast_paths && fast_ref_list(v.raw_json_token().data(), prefix, slot)) return true;
    od::array arr;
    if (auto e = v.get_array().get(arr)) {
      return optional_getter_fail(v, e, "an array of resourceRef objects");
    }
    if (max_depth_ < depth::field) return depth_fail();
    slot.begin = refs_.size();
    slot.present = true;
    std::size_t index = 0;
    for (auto item : arr) {
      if (auto e = item.error()) return json_fail(e);
      od::value& element = item.value_unsafe();
      ResourceRef ref;
      if (optional_items && absent_null(element)) {
        ++index;
        continue;
      }
      if (!walk_ref(element, prefix.model, depth::list_item, ref)) return prefix_pointer(index);
      refs_.push_back(ref);
      ++index;
    }
    slot.count = refs_.size() - slot.begin;
    return true;
  }

  /// Fast path for a whole ref list (see fast_ref()); `p` is at its `[`. On failure nothing is
  /// kept and the caller walks the list with On-Demand. On success the On-Demand value is left
  /// untouched: its iterator skips it (stage 1 has indexed where it ends).
  bool fast_ref_list(const char* p, const RefPrefix& prefix, RefSlot& slot) {
    if (*p != '[' || max_depth_ < depth::list_item) return false;
    const std::size_t first = refs_.size();
    const std::size_t refs_seen = refs_seen_;
    ++p;
    char c = next_byte(p, end_);
    bool ok = c == ']';
    while (!ok && c == '{' && ++refs_seen_ <= options_.max_refs) {
      if (!fast_ref(p, prefix, refs_.emplace_back())) break;
      c = next_byte(p, end_);
      if (c == ']') {
        ok = true;
      } else if (c == ',') {
        ++p;
        c = next_byte(p, end_);
      } else {
        break;
      }
    }
    if (!ok || !may_leave_unread(p + 1)) {
      refs_.resize(first);
      refs_seen_ = refs_seen;
      return false;
    }
    fast_path_refs += refs_.size() - first;
    slot.begin = first;
    slot.count = refs_.size() - first;
    slot.present = true;
    return true;
  }

  /// Fast path for one ref written the usual way; `p` is at its `{` and, on success, moves past
  /// its `}`. Reads the raw bytes (stage 1 has already checked their UTF-8, their control bytes
  /// and where strings end) and accepts exactly what walk_ref() accepts without a message: an
  /// object with only object/model/id members holding strings without escapes. Anything else
  /// (extras, escapes, a problem to report) returns false and the caller takes the general
  /// path, which reports what is wrong.
  MORPH_WEBHOOK_INLINE bool fast_ref(const char*& p, const RefPrefix& prefix, ResourceRef& ref) {
    const char* const begin = p;
    // The usual bytes, compared at once; then the id, then the closing brace.
    if (end_ - p > static_cast<std::ptrdiff_t>(prefix.size) &&
        starts_with_bytes(p, prefix.bytes, prefix.size)) {
      const char* id = p + prefix.size;
      const std::size_t n = plain_string_length(id);
      if (n != std::string_view::npos && id + n + 1 < end_ && id[n + 1] == '}') {
        ref.object = std::string_view(p + RefPrefix::object_at, RefPrefix::object_size);
        ref.model = std::string_view(p + RefPrefix::head.size(), prefix.model.size());
        ref.id = std::string_view(id, n);
        p = id + n + 2;
        ref.raw_json = std::string_view(begin, static_cast<std::size_t>(p - begin));
        return true;
      }
    }
    // Any order, any whitespace: member by member.
    constexpr std::uint32_t plain_members = ref_id | ref_model | ref_object;
    ++p;
    if (next_byte(p, end_) != '"') return false;
    std::uint32_t seen = 0;
    for (;;) {
      ++p;
      std::size_t n = plain_string_length(p);
      if (n == std::string_view::npos) return false;
      const std::uint32_t k = ref_key(std::string_view(p, n)) & plain_members;
      if (k == 0 || (seen & k)) return false;
      seen |= k;
      p += n + 1;
      if (next_byte(p, end_) != ':') return false;
      ++p;
      if (next_byte(p, end_) != '"') return false;
      ++p;
      n = plain_string_length(p);
      if (n == std::string_view::npos) return false;
      const std::string_view value(p, n);
      p += n + 1;
      if (k == ref_id) {
        ref.id = value;
      } else if (k == ref_model) {
        ref.model = value;
      } else {
        ref.object = value;
      }
      const char c = next_byte(p, end_);
      if (c == '}') break;
      if (c != ',') return false;
      ++p;
      if (next_byte(p, end_) != '"') return false;
    }
    ++p;
    if (!(seen & ref_id)) return false;
    if (strict() && (seen != plain_members || ref.model != prefix.model ||
                     (ref.object != "resourceRef" && ref.object != "resource"))) {
      return false;
    }
    ref.raw_json = std::string_view(begin, static_cast<std::size_t>(p - begin));
    return true;
  }

  /// One ref object into `ref` (the general path). `target` is the model the field points to.
  /// Lenient: any object with a string `id`. Strict: the ref helper's output shape (contract.md,
  /// "ResourceRef"): `object` and `model` present, `model` the target, `remote` an object with
  /// an optional string `id`, `createdAt`/`updatedAt` strings. An empty `id` passes both.
  bool walk_ref(od::value& v, std::string_view target, std::uint32_t depth, ResourceRef& ref) {
    if (++refs_seen_ > options_.max_refs) {
      return fail(ErrorCode::invalid_value,
                  {"more refs than the limit of ", unum(options_.max_refs)});
    }
    const char* begin = v.raw_json_token().data();
    od::object obj;
    if (auto e = v.get_object().get(obj)) return getter_fail(v, e, "a resourceRef object");
    if (depth > max_depth_) return depth_fail();
    std::uint32_t seen = 0;
    const bool walked =
        walk_members(obj, [&](std::string_view key, od::value& value) MORPH_WEBHOOK_INLINE_LAMBDA {
          const std::uint32_t k = ref_key(key);
          if (k != 0 && !mark_seen(seen, k)) return false;
          switch (k) {
            case ref_object:
              if (!get_string(value, ref.object, "\"resourceRef\" or \"resource\"")) return false;
              if (!strict() || ref.object == "resourceRef" || ref.object == "resource") return true;
              return fail(ErrorCode::invalid_value,
                          {"expected \"resourceRef\" or \"resource\", got ", quote(ref.object)});
            case ref_model: return get_string(value, ref.model, "the model name as a string");
            case ref_id: return get_string(value, ref.id, "the id as a string");
            case ref_remote:
              return strict() ? walk_remote(value, depth + 1) : validate(value, depth + 1);
            case ref_created_at:
            case ref_updated_at: {
              std::string_view text;
              return strict() ? get_string(value, text, "a string") : validate(value, depth + 1);
            }
            default:
              // Other extras (rawResource, an expanded ref's fields...) are kept in raw_json.
              remember_unknown_key(key);
              return validate(value, depth + 1);
          }
        });
    if (!walked) return false;
    if (!(seen & ref_id)) return fail_at(ErrorCode::missing_field, "id", {"the ref has no \"id\""});
    if (strict()) {
      if (!(seen & ref_object)) {
        return fail_at(ErrorCode::missing_field, "object",
                       {"the ref has no \"object\" (expected \"resourceRef\")"});
      }
      if (!(seen & ref_model)) {
        return fail_at(ErrorCode::missing_field, "model",
                       {"the ref has no \"model\" (expected ", quote(target), ")"});
      }
      if (ref.model != target && ref.object != "resource") {
        // An expanded ref keeps the model it was given; a plain one always names the target.
        return fail_at(ErrorCode::invalid_value, "model",
                       {"expected model ", quote(target), ", got ", quote(ref.model)});
      }
    }
    ref.raw_json = std::string_view(begin, static_cast<std::size_t>(value_end() - begin));
    return true;
  }

  /// A ref's `remote` under the strict policy: an object whose optional `id` is a string.
  bool walk_remote(od::value& v, std::uint32_t depth) {
    od::object obj;
    if (auto e = v.get_object().get(obj)) {
      return getter_fail(v, e, "the remote object {\"id\": string}");
    }
    if (depth > max_depth_) return depth_fail();
    bool id_seen = false;
    return walk_members(obj,
                        [&](std::string_view key, od::value& value) MORPH_WEBHOOK_INLINE_LAMBDA {
                          if (eq(key, "id")) {
                            std::string_view id;
                            if (id_seen) return duplicate_key();
                            id_seen = true;
                            return get_string(value, id, "the remote id as a string");
                          }
                          remember_unknown_key(key);
                          return validate(value, depth + 1);
                        });
  }

  EnvelopeSlots out_;
  std::string_view typed_model_;  // empty for a ResourceEvent
  std::string_view data_model_;   // `data.model`, compared with the model `event` names
  std::vector<ResourceRef>& refs_;
  std::vector<Warning>& warnings_;
  std::vector<std::string_view>& keys_;
  Arena& arena_;                // nested lists (see nested.hpp)
  std::size_t items_seen_ = 0;  // nested items so far (for max_items)
  std::size_t refs_seen_ = 0;   // refs met so far, single refs included (for max_refs)
};

/// The walk of one kind of event: ResourceWalker plus `fields` as `Fields` describes them
/// (model.hpp), or kept as validated raw JSON for a ResourceEvent (Fields = RawFields).
template <class Fields>
class EventWalker final : public ResourceWalker {
 public:
  /// True for a typed model, false for a ResourceEvent (`fields` kept raw).
  static constexpr bool typed = is_model_v<Fields>;

  /// A walker filling `event` (see ResourceWalker).
  EventWalker(od::parser& json, od::document& doc, const ParseOptions& options,
              std::vector<ResourceRef>& refs, std::vector<Warning>& warnings,
              std::vector<std::string_view>& keys, Arena& arena, std::uint8_t* strings,
              const char* end, bool fast, Event<Fields>& event) noexcept
      : ResourceWalker(json, doc, options, refs, warnings, keys, arena, strings, end, fast,
                       EnvelopeSlots{event.event, event.trigger, event.model, event.id,
                                     event.created_at, event.updated_at, event.raw_resource},
                       typed ? model_name_or_empty() : std::string_view()),
        event_(event) {}

  /// Where each ref list field landed in `refs` (by field index), to point the event's lists
  /// at once `refs` is final.
  std::array<RefSlot, field_count<Fields>> lists{};

 private:
  static constexpr std::string_view model_name_or_empty() noexcept {
    if constexpr (typed) {
      return model_name<Fields>;
    } else {
      return {};
    }
  }

  // ---- the model's fields, as its description says ----

  bool walk_fields(od::value& v) override {
    if constexpr (!typed) {
      od::json_type type{};
      if (auto e = v.type().get(type)) return json_fail(e);
      if (type != od::json_type::object) return wrong_type("the fields object", type);
      return raw_value(v, depth::data_member, event_.fields);
    } else {
      od::object obj;
      if (auto e = v.get_object().get(obj)) return getter_fail(v, e, "the fields object");
      if (max_depth_ < depth::data_member) return depth_fail();
      return walk_model(obj);
    }
  }

  bool walk_model(od::object& obj) { return walk_described(obj, event_.fields, depth::field); }

  /// The members of an object described like a model (the model's `fields`, or a nested
  /// object), read into `target`; the members are at depth `member_depth`. Unknown keys are
  /// validated and ignored. Required members: checked under the strict policy for the model's
  /// fields (Morph drops fields it cannot read), under both for a nested object (model.hpp,
  /// "Nested objects").
  template <class Obj>
  MORPH_WEBHOOK_INLINE bool walk_described(od::object& obj, Obj& target,
                                           std::uint32_t member_depth) {
    static_assert(field_count<Obj> <= 32, "one bit per field in `seen`");
    std::uint32_t seen = 0;
    std::uint32_t undecided = 0;  // variant members met before the discriminator
    const bool walked =
        walk_members(obj, [&](std::string_view key, od::value& value) MORPH_WEBHOOK_INLINE_LAMBDA {
          bool ok = true;
          if (read_field<Obj, 0>(key, value, target, member_depth, seen, undecided, ok)) return ok;
          remember_unknown_key(key);
          return validate(value, member_depth);
        });
    if (!walked) return false;
    if (undecided != 0 && !read_undecided(obj, target, member_depth, seen, undecided)) return false;
    if constexpr (is_model_v<Obj>) {
      if (!strict()) return true;
    }
    return check_required<Obj, 0>(target, seen);
  }

  /// When `key` names field I of Obj or a later one: reads it into `target` (`ok` tells
  /// whether it was valid) and returns true. False for a key Obj does not have (or one that is
  /// not part of the object's variant).
  /// A variant member met before the discriminator (FieldUse::undecided) is only checked as
  /// JSON then, and its bit set in `undecided`: read_undecided() reads it afterwards.
  template <class Obj, std::size_t I>
  MORPH_WEBHOOK_INLINE bool read_field(std::string_view key, od::value& v, Obj& target,
                                       std::uint32_t depth, std::uint32_t& seen,
                                       std::uint32_t& undecided, bool& ok) {
    if constexpr (I == field_count<Obj>) {
      return false;
    } else {
      constexpr auto& field = field_at<Obj, I>;
      constexpr std::string_view name = field.name;
      if (key.size() == name.size() && std::memcmp(key.data(), name.data(), name.size()) == 0) {
        constexpr std::uint32_t bit = std::uint32_t{1} << I;
        if constexpr (field.variant_use != nullptr) {
          const FieldUse use = field.variant_use(target);
          if (use == FieldUse::ignored) return false;
          if (use == FieldUse::undecided) {
            undecided |= bit;
            ok = mark_seen(seen, bit) && validate(v, depth);
            return true;
          }
        }
        ok = mark_seen(seen, bit) && read_member<Obj, I>(v, target, depth);
        return true;
      }
      return read_field<Obj, I + 1>(key, v, target, depth, seen, undecided, ok);
    }
  }

  /// Second pass over an object whose variant members came before its discriminator (zod
  /// reads the discriminator first): each is read now if the variant has it, else ignored as
  /// zod strips it. The first pass checked every key and value as JSON already.
  template <class Obj>
  bool read_undecided(od::object& obj, Obj& target, std::uint32_t depth, std::uint32_t& seen,
                      std::uint32_t undecided) {
    bool reset = false;
    if (auto e = obj.reset().get(reset)) return json_fail(e);
    for (auto item : obj) {
      if (auto e = item.error()) return json_fail(e);
      od::field& member = item.value_unsafe();
      std::string_view key;
      if (!read_key(member, key)) return false;
      bool ok = true;
      if (!read_decided<Obj, 0>(key, member.value(), target, depth, seen, undecided, ok)) continue;
      if (!ok) return prefix_pointer(key);
    }
    return true;
  }

  /// read_undecided(): reads `key` when it names an undecided member of Obj (I onwards).
  template <class Obj, std::size_t I>
  bool read_decided(std::string_view key, od::value& v, Obj& target, std::uint32_t depth,
                    std::uint32_t& seen, std::uint32_t undecided, bool& ok) {
    if constexpr (I == field_count<Obj>) {
      return false;
    } else {
      constexpr auto& field = field_at<Obj, I>;
      constexpr std::uint32_t bit = std::uint32_t{1} << I;
      if constexpr (field.variant_use != nullptr) {
        if ((undecided & bit) && key == field.name) {
          if (field.variant_use(target) == FieldUse::ignored) {
            seen &= ~bit;  // stripped, as zod does: not part of this variant
          } else {
            ok = read_member<Obj, I>(v, target, depth);
          }
          return true;
        }
      }
      return read_decided<Obj, I + 1>(key, v, target, depth, seen, undecided, ok);
    }
  }

  /// Every field Obj requires (or its variant requires) was seen.
  template <class Obj, std::size_t I>
  bool check_required(const Obj& target, std::uint32_t seen) {
    if constexpr (I == field_count<Obj>) {
      return true;
    } else {
      constexpr auto& field = field_at<Obj, I>;
      bool required = field.is_required;
      if constexpr (field.variant_use != nullptr) {
        required = field.variant_use(target) == FieldUse::required;
      }
      // Present: read with a value (a lenient `null` leaves an optional member empty).
      using Value = typename std::decay_t<decltype(field)>::value_type;
      bool present = false;
      if constexpr (std::is_same_v<Value, RefList>) {
        present = lists[I].present;  // pointed at the Parser's refs only after the walk
      } else if constexpr (field.always_present) {
        present = (seen & (std::uint32_t{1} << I)) != 0;
      } else {
        present = value_of(target.*field.member) != nullptr;
      }
      if (required && !present) {
        if (seen & (std::uint32_t{1} << I)) {
          return fail_at(ErrorCode::wrong_type, field.name,
                         {"expected a value (the schema requires it here), got null"});
        }
        return missing_required<Obj, I>();
      }
      return check_required<Obj, I + 1>(target, seen);
    }
  }

  template <class Obj, std::size_t I>
  MORPH_WEBHOOK_COLD bool missing_required() {
    constexpr auto& field = field_at<Obj, I>;
    using Value = typename std::decay_t<decltype(field)>::value_type;
    std::string what;
    if constexpr (is_enum_field<Value>) {
      what = enum_values_text<typename Value::enum_type>();
    } else if constexpr (std::is_same_v<Value, Timestamp>) {
      what = "an RFC 3339 date-time";
    } else if constexpr (std::is_same_v<Value, double>) {
      what = field.is_non_negative ? "a number >= 0" : "a number";
    } else if constexpr (std::is_same_v<Value, bool>) {
      what = "true or false";
    } else if constexpr (std::is_same_v<Value, std::string_view>) {
      what = "a string";
    } else if constexpr (std::is_same_v<Value, RefList>) {
      what = "an array of refs";
    } else {
      what = "see the model's schema";
    }
    if constexpr (is_model_v<Obj>) {
      return fail_at(
          ErrorCode::missing_field, field.name,
          {"the strict policy requires ", quote(field.name), " (", std::string_view(what), ")"});
    } else {
      return fail_at(ErrorCode::missing_field, field.name,
                     {"the object has no ", quote(field.name), " (", std::string_view(what),
                      "); the schema requires it"});
    }
  }

  /// Reads the value of field I of Obj into `target` (its kind comes from the member's type;
  /// see model.hpp). A plain member (required in a nested object) never takes a lenient `null`.
  template <class Obj, std::size_t I>
  MORPH_WEBHOOK_INLINE bool read_member(od::value& v, Obj& target, std::uint32_t depth) {
    constexpr auto& field = field_at<Obj, I>;
    using Value = typename std::decay_t<decltype(field)>::value_type;
    if constexpr (field.always_present) {
      std::optional<Value> read;
      if (!read_value<Obj, I>(v, read, depth)) return false;
      if (!read) return getter_fail(v, simdjson::INCORRECT_TYPE, "a value (the key is required)");
      target.*field.member = *read;
      return true;
    } else {
      return read_value<Obj, I>(v, target.*field.member, depth);
    }
  }

  /// Reads the value of field I of Obj, at depth `depth`, into `result`.
  template <class Obj, std::size_t I>
  MORPH_WEBHOOK_INLINE bool read_value(
      od::value& v,
      std::optional<typename std::decay_t<decltype(field_at<Obj, I>)>::value_type>& result,
      std::uint32_t depth) {
    constexpr auto& field = field_at<Obj, I>;
    using Value = typename std::decay_t<decltype(field)>::value_type;
    if constexpr (is_enum_field<Value>) {
      return read_enum(v, result);
    } else if constexpr (std::is_same_v<Value, std::string_view>) {
      if (!read_optional_text(v, result, "a string")) return false;
      if constexpr (field.rule.any()) {
        if (result) return check_string_rule(*result, field.name, field.rule);
      }
      if constexpr (field.rule.iso_instant) {
        if (result && strict() && !is_iso_instant(*result)) return iso_instant_fail(*result);
      }
      return true;
    } else if constexpr (std::is_same_v<Value, Timestamp>) {
      return read_time(v, result);
    } else if constexpr (std::is_same_v<Value, std::int64_t>) {
      return read_whole_number(v, result, field.name);
    } else if constexpr (std::is_same_v<Value, double>) {
      return read_double(v, result, field.name, field.is_non_negative);
    } else if constexpr (std::is_same_v<Value, bool>) {
      return read_bool(v, result);
    } else if constexpr (std::is_same_v<Value, ResourceRef>) {
      return read_single_ref(v, ref_prefix<Obj, I>, depth, result);
    } else if constexpr (std::is_same_v<Value, RefList>) {
      static_assert(is_model_v<Obj>, "ref lists are top-level fields (their storage is relinked)");
      return read_ref_list(v, ref_prefix<Obj, I>, field.has_optional_items, lists[I]);
    } else {
      return read_nested_value<Obj, I>(v, result, depth);
    }
  }

  /// Value kinds beyond the scalars and refs: nested objects and lists (the table in
  /// docs/models.md).
  template <class Obj, std::size_t I, class Value>
  bool read_nested_value(od::value& v, std::optional<Value>& result, std::uint32_t depth) {
    constexpr auto& field = field_at<Obj, I>;
    if constexpr (std::is_same_v<Value, Span<std::int64_t>>) {
      return read_whole_number_list(v, result, field.name, depth);
    } else if constexpr (std::is_same_v<Value, Answers>) {
      return read_answers(v, result, depth);
    } else if constexpr (is_described_v<Value>) {
      Value object{};
      if (absent_null(v)) return true;
      if (!read_object(v, object, depth)) return false;
      result = object;
      return true;
    } else if constexpr (is_span_of_described_v<Value>) {
      return read_object_list(v, result, depth);
    } else {
      static_assert(unsupported_value_kind<Value>,
                    "no reader for this value kind (docs/models.md)");
      return false;
    }
  }

  /// One nested object at depth `depth` into `object` (members at depth + 1).
  template <class T>
  bool read_object(od::value& v, T& object, std::uint32_t depth) {
    od::object obj;
    if (auto e = v.get_object().get(obj)) return getter_fail(v, e, "an object");
    if (depth > max_depth_) return depth_fail();
    return walk_described(obj, object, depth + 1);
  }

  /// A list of nested objects (`z.array(z.object(...))`); items are at depth + 1.
  template <class T>
  bool read_object_list(od::value& v, std::optional<Span<T>>& result, std::uint32_t depth) {
    return read_list(v, result, depth, "an array of objects",
                     [this, depth](od::value& item, T& slot) MORPH_WEBHOOK_INLINE_LAMBDA {
                       return read_object(item, slot, depth + 1);
                     });
  }

  Event<Fields>& event_;
};

}  // namespace morph::webhook::detail
/// @endcond

#endif  // MORPH_WEBHOOK_DETAIL_WALKER_HPP
