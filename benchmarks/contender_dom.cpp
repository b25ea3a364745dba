// Contender: hand-written simdjson DOM (simdjson 3.0.1), as a competent user writes it: one
// dom::parser reused across events (its buffers are allocated once, on the first body of a
// given size), the body parsed in place (the benchmark's buffers carry SIMDJSON_PADDING, so
// parse(data, size, false) copies nothing), one pass over each object's key/value pairs with a
// switch on the key, error codes instead of exceptions.
//
// Checks: the whole body is one well-formed JSON value (UTF-8, escapes, numbers, literals and
// trailing bytes, rawResource included: DOM parses everything), root and data are objects,
// types of every known key, required envelope keys (event, data, object, model, id, fields,
// createdAt, updatedAt), `event` form and model, data.object == "resource", date-times (shared
// helper), duration integral >= 0, refs are objects with a non-empty string id, warnings have
// a string code, nesting limited by the parser's max depth (1024).
// Does NOT check: duplicate keys (DOM keeps both; the loop takes the last one), limits on body
// size or ref counts.
// Extracts: every field as string_views into the parser's string buffer; rawResource as
// presence/null (a dom::element handle would be kept by a real user); ref lists and warnings
// into vectors reused across events (cleared, capacity kept).
#include <simdjson.h>

#include "common.hpp"
#include "dom_refs.hpp"

namespace morph_bench {
namespace {

namespace dom = simdjson::dom;

bool read_timestamp(dom::element v, mw::Timestamp& out) {
  std::string_view text;
  return !v.get_string().get(text) && parse_timestamp(text, out);
}

bool read_duration(dom::element v, std::int64_t& out) {
  switch (v.type()) {
    case dom::element_type::INT64: out = v.get_int64().value_unsafe(); return out >= 0;
    case dom::element_type::DOUBLE: return duration_from_double(v.get_double().value_unsafe(), out);
    default: return false;  // UINT64 (> INT64_MAX) or not a number
  }
}

bool read_fields(dom::element v, Extracted& e) {
  dom::object obj;
  if (v.get_object().get(obj)) return false;
  for (dom::key_value_pair kv : obj) {
    const FieldKey k = classify_field_key(kv.key);
    if (k == FieldKey::other) continue;
    const dom::element value = kv.value;
    if (value.is_null()) continue;  // lenient: null is absent for optional fields
    std::string_view text;
    switch (k) {
      case FieldKey::type:
        if (value.get_string().get(text)) return false;
        e.type = decode_type(text);
        break;
      case FieldKey::direction:
        if (value.get_string().get(text)) return false;
        e.direction = decode_direction(text);
        break;
      case FieldKey::status:
        if (value.get_string().get(text)) return false;
        e.status = decode_status(text);
        break;
      case FieldKey::title:
        if (value.get_string().get(text)) return false;
        e.title = text;
        break;
      case FieldKey::description:
        if (value.get_string().get(text)) return false;
        e.description = text;
        break;
      case FieldKey::started_at: {
        mw::Timestamp t;
        if (!read_timestamp(value, t)) return false;
        e.started_at = t;
        break;
      }
      case FieldKey::ended_at: {
        mw::Timestamp t;
        if (!read_timestamp(value, t)) return false;
        e.ended_at = t;
        break;
      }
      case FieldKey::duration: {
        std::int64_t d = 0;
        if (!read_duration(value, d)) return false;
        e.duration = d;
        break;
      }
      case FieldKey::owner: {
        Ref r;
        if (!read_ref(value, r)) return false;
        e.owner = r;
        break;
      }
      case FieldKey::users:
      case FieldKey::companies:
      case FieldKey::contacts:
      case FieldKey::opportunities:
        if (!read_ref_list(value, ref_list(e, k))) return false;
        break;
      case FieldKey::other: break;
    }
  }
  return true;
}

bool read_warnings(dom::element v, std::vector<WarningOut>& out) {
  dom::array arr;
  if (v.get_array().get(arr)) return false;
  out.clear();
  for (dom::element item : arr) {
    dom::object obj;
    if (item.get_object().get(obj)) return false;
    WarningOut w;
    bool has_code = false;
    for (dom::key_value_pair kv : obj) {
      if (kv.key == "code") {
        if (kv.value.get_string().get(w.code)) return false;
        has_code = true;
      } else if (kv.key == "message") {
        std::string_view m;
        if (kv.value.get_string().get(m)) return false;
        w.message = m;
      }
    }
    if (!has_code) return false;
    out.push_back(w);
  }
  return true;
}

class DomContender final : public Contender {
 public:
  bool parse(const Body& body) override {
    e_.clear();
    dom::element root;
    // realloc_if_needed = false: the buffer is padded, parse in place.
    if (parser_.parse(body.data, body.size, false).get(root)) return false;
    dom::object root_obj;
    if (root.get_object().get(root_obj)) return false;
    bool seen_data = false, seen_object = false, seen_fields = false;
    std::string_view object;
    for (dom::key_value_pair top : root_obj) {
      if (top.key == "event") {
        if (top.value.get_string().get(e_.event)) return false;
      } else if (top.key == "data") {
        dom::object data;
        if (top.value.get_object().get(data)) return false;
        seen_data = true;
        for (dom::key_value_pair kv : data) {
          switch (classify_data_key(kv.key)) {
            case DataKey::fields:
              seen_fields = true;
              if (!read_fields(kv.value, e_)) return false;
              break;
            case DataKey::id:
              if (kv.value.get_string().get(e_.id)) return false;
              break;
            case DataKey::model:
              if (kv.value.get_string().get(e_.model)) return false;
              break;
            case DataKey::object:
              seen_object = true;
              if (kv.value.get_string().get(object)) return false;
              break;
            case DataKey::created_at:
              if (!read_timestamp(kv.value, e_.created_at)) return false;
              break;
            case DataKey::updated_at:
              if (!read_timestamp(kv.value, e_.updated_at)) return false;
              break;
            case DataKey::raw_resource:
              e_.has_raw_resource = true;
              e_.raw_resource_is_null = kv.value.is_null();
              break;
            case DataKey::warnings:
              if (!read_warnings(kv.value, e_.warnings)) return false;
              break;
            case DataKey::other: break;
          }
        }
      }
    }
    return seen_data && finish_envelope(e_, seen_object, object, seen_fields);
  }

  [[nodiscard]] std::string digest() const override { return morph_bench::digest(e_); }

 private:
  dom::parser parser_;
  Extracted e_;
};

/// Baseline, not a contender: the bare dom::parser::parse() of the same bytes (no extraction).
class DomParseOnly final : public Contender {
 public:
  bool parse(const Body& body) override {
    dom::element root;
    return !parser_.parse(body.data, body.size, false).get(root);
  }
  [[nodiscard]] std::string digest() const override { return "(baseline)"; }

 private:
  dom::parser parser_;
};

}  // namespace

std::unique_ptr<Contender> make_simdjson_dom() { return std::make_unique<DomContender>(); }
std::unique_ptr<Contender> make_dom_parse_only() { return std::make_unique<DomParseOnly>(); }

}  // namespace morph_bench
