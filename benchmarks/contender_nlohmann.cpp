// Contender: nlohmann::json (3.11), as a competent user writes it without exceptions on the
// hot path: json::parse(first, last, nullptr, /*allow_exceptions=*/false) then is_discarded(),
// lookups with find() (std::map objects), type checks with is_string()/is_object()/...,
// strings taken by reference (get_ref<const std::string&>, no copies) into the output struct.
// The json tree is kept in a member so the string_views stay valid until the next event.
//
// Checks: the whole body is one well-formed JSON value (UTF-8, escapes, numbers, literals and
// trailing bytes, rawResource included), root and data are objects, types of every known key,
// required envelope keys, `event` form and model, data.object == "resource", date-times
// (shared helper), duration integral >= 0, refs are objects with a non-empty string id,
// warnings have a string code.
// Does NOT check: duplicate keys (nlohmann keeps the last one silently), limits on depth (the
// parser is recursive), body size or ref counts.
// Allocation: nlohmann allocates every object, array and string node of the tree on each
// parse; there is no way to reuse a tree's storage. The output vectors are reused (cleared,
// capacity kept).
#include <nlohmann/json.hpp>

#include "common.hpp"

namespace morph_bench {
namespace {

using json = nlohmann::json;

bool get_string(const json& v, std::string_view& out) {
  if (!v.is_string()) return false;
  out = v.get_ref<const std::string&>();
  return true;
}

bool read_timestamp(const json& v, mw::Timestamp& out) {
  std::string_view text;
  return get_string(v, text) && parse_timestamp(text, out);
}

bool read_ref(const json& v, Ref& out) {
  if (!v.is_object()) return false;
  out = Ref{};
  auto it = v.find("id");
  if (it == v.end() || !get_string(*it, out.id)) return false;
  it = v.find("model");
  if (it != v.end() && !get_string(*it, out.model)) return false;
  it = v.find("object");
  if (it != v.end() && !get_string(*it, out.object)) return false;
  return true;
}

bool read_ref_list(const json& v, RefVec& list) {
  if (!v.is_array()) return false;
  list.present = true;
  for (const json& item : v) {
    Ref ref;
    if (!read_ref(item, ref)) return false;
    list.refs.push_back(ref);
  }
  return true;
}

bool read_duration(const json& v, std::int64_t& out) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return false;
    out = static_cast<std::int64_t>(u);
    return true;
  }
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return out >= 0;
  }
  if (v.is_number_float()) return duration_from_double(v.get<double>(), out);
  return false;
}

// Looks up an optional field; null counts as absent (lenient policy).
const json* optional_field(const json& fields, const char* key) {
  auto it = fields.find(key);
  if (it == fields.end() || it->is_null()) return nullptr;
  return &*it;
}

bool read_fields(const json& f, Extracted& e) {
  if (!f.is_object()) return false;
  std::string_view text;
  if (const json* v = optional_field(f, "type")) {
    if (!get_string(*v, text)) return false;
    e.type = decode_type(text);
  }
  if (const json* v = optional_field(f, "direction")) {
    if (!get_string(*v, text)) return false;
    e.direction = decode_direction(text);
  }
  if (const json* v = optional_field(f, "status")) {
    if (!get_string(*v, text)) return false;
    e.status = decode_status(text);
  }
  if (const json* v = optional_field(f, "title")) {
    if (!get_string(*v, text)) return false;
    e.title = text;
  }
  if (const json* v = optional_field(f, "description")) {
    if (!get_string(*v, text)) return false;
    e.description = text;
  }
  if (const json* v = optional_field(f, "startedAt")) {
    mw::Timestamp t;
    if (!read_timestamp(*v, t)) return false;
    e.started_at = t;
  }
  if (const json* v = optional_field(f, "endedAt")) {
    mw::Timestamp t;
    if (!read_timestamp(*v, t)) return false;
    e.ended_at = t;
  }
  if (const json* v = optional_field(f, "duration")) {
    std::int64_t d = 0;
    if (!read_duration(*v, d)) return false;
    e.duration = d;
  }
  if (const json* v = optional_field(f, "owner")) {
    Ref r;
    if (!read_ref(*v, r)) return false;
    e.owner = r;
  }
  if (const json* v = optional_field(f, "users")) {
    if (!read_ref_list(*v, e.users)) return false;
  }
  if (const json* v = optional_field(f, "companies")) {
    if (!read_ref_list(*v, e.companies)) return false;
  }
  if (const json* v = optional_field(f, "contacts")) {
    if (!read_ref_list(*v, e.contacts)) return false;
  }
  if (const json* v = optional_field(f, "opportunities")) {
    if (!read_ref_list(*v, e.opportunities)) return false;
  }
  return true;
}

bool read_warnings(const json& v, std::vector<WarningOut>& out) {
  if (!v.is_array()) return false;
  for (const json& item : v) {
    if (!item.is_object()) return false;
    WarningOut w;
    auto it = item.find("code");
    if (it == item.end() || !get_string(*it, w.code)) return false;
    it = item.find("message");
    if (it != item.end()) {
      std::string_view m;
      if (!get_string(*it, m)) return false;
      w.message = m;
    }
    out.push_back(w);
  }
  return true;
}

class NlohmannContender final : public Contender {
 public:
  bool parse(const Body& body) override {
    e_.clear();
    doc_ = json::parse(body.data, body.data + body.size, nullptr, /*allow_exceptions=*/false);
    if (doc_.is_discarded() || !doc_.is_object()) return false;
    auto event = doc_.find("event");
    if (event == doc_.end() || !get_string(*event, e_.event)) return false;
    auto data_it = doc_.find("data");
    if (data_it == doc_.end() || !data_it->is_object()) return false;
    const json& data = *data_it;

    std::string_view object;
    auto it = data.find("object");
    const bool seen_object = it != data.end();
    if (seen_object && !get_string(*it, object)) return false;
    it = data.find("model");
    if (it == data.end() || !get_string(*it, e_.model)) return false;
    it = data.find("id");
    if (it == data.end() || !get_string(*it, e_.id)) return false;
    it = data.find("createdAt");
    if (it == data.end() || !read_timestamp(*it, e_.created_at)) return false;
    it = data.find("updatedAt");
    if (it == data.end() || !read_timestamp(*it, e_.updated_at)) return false;
    it = data.find("fields");
    const bool seen_fields = it != data.end();
    if (seen_fields && !read_fields(*it, e_)) return false;
    it = data.find("rawResource");
    if (it != data.end()) {
      e_.has_raw_resource = true;
      e_.raw_resource_is_null = it->is_null();
    }
    it = data.find("warnings");
    if (it != data.end() && !read_warnings(*it, e_.warnings)) return false;
    return finish_envelope(e_, seen_object, object, seen_fields);
  }

  [[nodiscard]] std::string digest() const override { return morph_bench::digest(e_); }

 private:
  json doc_;
  Extracted e_;
};

}  // namespace

std::unique_ptr<Contender> make_nlohmann() { return std::make_unique<NlohmannContender>(); }

}  // namespace morph_bench
