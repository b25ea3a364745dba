// Contender: hand-written simdjson On-Demand (simdjson 3.0.1), as a competent user writes it:
// one reused ondemand::parser, the body iterated in place (the benchmark's buffers carry
// SIMDJSON_PADDING, as a receiver can arrange), one pass over each object's fields in document
// order with the key compared raw (no unescaping of keys), error codes instead of exceptions.
//
// Checks: UTF-8 of the whole body and the structure of every value it visits (stage 1
// validates UTF-8 and string/structural boundaries of the whole document), no trailing bytes
// (current_location() past the end), root and data are objects, types of every known key, required
// envelope keys (event, data, object, model, id, fields, createdAt, updatedAt), `event` form and
// model, data.object == "resource", date-times (shared helper), duration integral >= 0, refs are
// objects with a non-empty string id, warnings have a string code.
// Does NOT check: duplicate keys (every occurrence is read, the last one wins), keys
// written with escapes (`"ev\u0065nt"` is not recognised), the contents of values it skips
// (rawResource and unknown keys: On-Demand only balances brackets there, so a malformed
// number or literal inside rawResource is accepted), limits on depth/size/ref counts.
// Extracts: every field as string_views into the parser's string buffer; ref lists and
// warnings into vectors reused across events (cleared, capacity kept).
#include <simdjson.h>

#include <utility>

#include "common.hpp"

namespace morph_bench {
namespace {

namespace od = simdjson::ondemand;

bool read_string(od::value v, std::string_view& out) { return !v.get_string().get(out); }

bool read_timestamp(od::value v, mw::Timestamp& out) {
  std::string_view text;
  return read_string(v, text) && parse_timestamp(text, out);
}

// Peeks at the type without consuming the value.
bool is_null(od::value& v) {
  od::json_type t;
  return !v.type().get(t) && t == od::json_type::null;
}

// The key text as written between the quotes (stage 1 guarantees the closing quote). A key
// written with escapes comes out with its backslashes and so matches no known key.
std::string_view raw_key(od::field& field) {
  const char* raw = reinterpret_cast<const char*>(field.key().raw());
  std::size_t n = 0;
  while (raw[n] != '"') ++n;
  return {raw, n};
}

bool read_ref(od::value v, Ref& out) {
  od::object obj;
  if (v.get_object().get(obj)) return false;
  out = Ref{};
  bool has_id = false;  // an empty id is valid (contract.md, "ResourceRef")
  for (auto field_result : obj) {
    od::field field;
    if (std::move(field_result).get(field)) return false;
    const od::raw_json_string key = field.key();
    if (key == "id") {
      has_id = true;
      if (!read_string(field.value(), out.id)) return false;
    } else if (key == "model") {
      if (!read_string(field.value(), out.model)) return false;
    } else if (key == "object") {
      if (!read_string(field.value(), out.object)) return false;
    }
  }
  return has_id;
}

bool read_ref_list(od::value v, RefVec& list) {
  od::array arr;
  if (v.get_array().get(arr)) return false;
  list.present = true;
  list.refs.clear();
  for (auto item : arr) {
    od::value element;
    if (std::move(item).get(element)) return false;
    Ref ref;
    if (!read_ref(element, ref)) return false;
    list.refs.push_back(ref);
  }
  return true;
}

bool read_duration(od::value v, std::int64_t& out) {
  od::number n;
  if (v.get_number().get(n)) return false;
  switch (n.get_number_type()) {
    case od::number_type::signed_integer: out = n.get_int64(); return out >= 0;
    case od::number_type::unsigned_integer: return false;  // > INT64_MAX
    case od::number_type::floating_point_number: return duration_from_double(n.get_double(), out);
  }
  return false;
}

bool read_fields(od::value v, Extracted& e) {
  od::object obj;
  if (v.get_object().get(obj)) return false;
  for (auto field_result : obj) {
    od::field field;
    if (std::move(field_result).get(field)) return false;
    const FieldKey k = classify_field_key(raw_key(field));
    if (k == FieldKey::other) continue;  // skipped unvisited
    od::value value = field.value();
    if (is_null(value)) continue;  // lenient: null is absent for optional fields
    switch (k) {
      case FieldKey::type: {
        std::string_view t;
        if (!read_string(value, t)) return false;
        e.type = decode_type(t);
        break;
      }
      case FieldKey::direction: {
        std::string_view t;
        if (!read_string(value, t)) return false;
        e.direction = decode_direction(t);
        break;
      }
      case FieldKey::status: {
        std::string_view t;
        if (!read_string(value, t)) return false;
        e.status = decode_status(t);
        break;
      }
      case FieldKey::title: {
        std::string_view t;
        if (!read_string(value, t)) return false;
        e.title = t;
        break;
      }
      case FieldKey::description: {
        std::string_view t;
        if (!read_string(value, t)) return false;
        e.description = t;
        break;
      }
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

bool read_warnings(od::value v, std::vector<WarningOut>& out) {
  od::array arr;
  if (v.get_array().get(arr)) return false;
  out.clear();
  for (auto item : arr) {
    od::object obj;
    if (item.get_object().get(obj)) return false;
    WarningOut w;
    for (auto field_result : obj) {
      od::field field;
      if (std::move(field_result).get(field)) return false;
      const od::raw_json_string key = field.key();
      if (key == "code") {
        if (!read_string(field.value(), w.code)) return false;
      } else if (key == "message") {
        std::string_view m;
        if (!read_string(field.value(), m)) return false;
        w.message = m;
      }
    }
    if (w.code.data() == nullptr) return false;  // code is required
    out.push_back(w);
  }
  return true;
}

class OnDemandContender final : public Contender {
 public:
  bool parse(const Body& body) override {
    e_.clear();
    od::document doc;
    if (parser_.iterate(simdjson::padded_string_view(body.data, body.size, body.capacity))
            .get(doc)) {
      return false;
    }
    od::object root;
    if (doc.get_object().get(root)) return false;
    bool seen_data = false, seen_object = false, seen_fields = false;
    std::string_view object;
    for (auto root_field : root) {
      od::field field;
      if (std::move(root_field).get(field)) return false;
      const od::raw_json_string key = field.key();
      if (key == "event") {
        if (!read_string(field.value(), e_.event)) return false;
      } else if (key == "data") {
        od::object data;
        if (field.value().get_object().get(data)) return false;
        seen_data = true;
        for (auto data_field : data) {
          od::field f;
          if (std::move(data_field).get(f)) return false;
          switch (classify_data_key(raw_key(f))) {
            case DataKey::fields:
              seen_fields = true;
              if (!read_fields(f.value(), e_)) return false;
              break;
            case DataKey::id:
              if (!read_string(f.value(), e_.id)) return false;
              break;
            case DataKey::model:
              if (!read_string(f.value(), e_.model)) return false;
              break;
            case DataKey::object:
              seen_object = true;
              if (!read_string(f.value(), object)) return false;
              break;
            case DataKey::created_at:
              if (!read_timestamp(f.value(), e_.created_at)) return false;
              break;
            case DataKey::updated_at:
              if (!read_timestamp(f.value(), e_.updated_at)) return false;
              break;
            case DataKey::raw_resource: {
              // Not visited: On-Demand skips it (brackets balanced, contents not validated).
              e_.has_raw_resource = true;
              od::value raw = f.value();
              e_.raw_resource_is_null = is_null(raw);
              break;
            }
            case DataKey::warnings:
              if (!read_warnings(f.value(), e_.warnings)) return false;
              break;
            case DataKey::other: break;
          }
        }
      }
    }
    // Trailing bytes: simdjson 3.0.1 has no document::at_end(); past the end of the document
    // current_location() reports OUT_OF_BOUNDS.
    const char* location = nullptr;
    if (doc.current_location().get(location) != simdjson::OUT_OF_BOUNDS) return false;
    return seen_data && finish_envelope(e_, seen_object, object, seen_fields);
  }

  [[nodiscard]] std::string digest() const override { return morph_bench::digest(e_); }

 private:
  od::parser parser_;
  Extracted e_;
};

}  // namespace

std::unique_ptr<Contender> make_simdjson_ondemand() {
  return std::make_unique<OnDemandContender>();
}

}  // namespace morph_bench
