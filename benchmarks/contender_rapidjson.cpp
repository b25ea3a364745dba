// Contender: RapidJSON (1.1.0), as a competent user writes it for speed: the "user buffer"
// idiom from RapidJSON's DOM guide (a MemoryPoolAllocator over a 64 KiB buffer for values
// and a 16 KiB buffer for the parse stack, both reused for every event; a body that needs
// more falls back to malloc), Parse<kParseValidateEncodingFlag> (UTF-8 validation is opt-in
// in RapidJSON; a receiver of untrusted input turns it on), FindMember() lookups, strings as
// (GetString, GetStringLength) views into the document.
//
// Checks: the whole body is one well-formed JSON value (UTF-8, escapes, numbers, literals and
// trailing bytes, rawResource included), root and data are objects, types of every known key,
// required envelope keys, `event` form and model, data.object == "resource", date-times
// (shared helper), duration integral >= 0, refs are objects with a non-empty string id,
// warnings have a string code.
// Does NOT check: duplicate keys (RapidJSON keeps both; FindMember returns the first), limits
// on depth (the default parser is recursive), body size or ref counts.
// The output vectors are reused (cleared, capacity kept).
#include <optional>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "common.hpp"

namespace morph_bench {
namespace {

using Alloc = rapidjson::MemoryPoolAllocator<>;
using Doc = rapidjson::GenericDocument<rapidjson::UTF8<>, Alloc, Alloc>;
using Value = Doc::ValueType;

bool get_string(const Value& v, std::string_view& out) {
  if (!v.IsString()) return false;
  out = std::string_view(v.GetString(), v.GetStringLength());
  return true;
}

bool read_timestamp(const Value& v, mw::Timestamp& out) {
  std::string_view text;
  return get_string(v, text) && parse_timestamp(text, out);
}

bool read_ref(const Value& v, Ref& out) {
  if (!v.IsObject()) return false;
  out = Ref{};
  auto it = v.FindMember("id");
  if (it == v.MemberEnd() || !get_string(it->value, out.id)) return false;
  it = v.FindMember("model");
  if (it != v.MemberEnd() && !get_string(it->value, out.model)) return false;
  it = v.FindMember("object");
  if (it != v.MemberEnd() && !get_string(it->value, out.object)) return false;
  return true;
}

bool read_ref_list(const Value& v, RefVec& list) {
  if (!v.IsArray()) return false;
  list.present = true;
  for (const Value& item : v.GetArray()) {
    Ref ref;
    if (!read_ref(item, ref)) return false;
    list.refs.push_back(ref);
  }
  return true;
}

bool read_duration(const Value& v, std::int64_t& out) {
  if (v.IsInt64()) {
    out = v.GetInt64();
    return out >= 0;
  }
  if (v.IsDouble()) return duration_from_double(v.GetDouble(), out);
  return false;  // not a number, or an integer above INT64_MAX
}

// Looks up an optional field; null counts as absent (lenient policy).
const Value* optional_field(const Value& fields, const char* key) {
  auto it = fields.FindMember(key);
  if (it == fields.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

bool read_fields(const Value& f, Extracted& e) {
  if (!f.IsObject()) return false;
  std::string_view text;
  if (const Value* v = optional_field(f, "type")) {
    if (!get_string(*v, text)) return false;
    e.type = decode_type(text);
  }
  if (const Value* v = optional_field(f, "direction")) {
    if (!get_string(*v, text)) return false;
    e.direction = decode_direction(text);
  }
  if (const Value* v = optional_field(f, "status")) {
    if (!get_string(*v, text)) return false;
    e.status = decode_status(text);
  }
  if (const Value* v = optional_field(f, "title")) {
    if (!get_string(*v, text)) return false;
    e.title = text;
  }
  if (const Value* v = optional_field(f, "description")) {
    if (!get_string(*v, text)) return false;
    e.description = text;
  }
  if (const Value* v = optional_field(f, "startedAt")) {
    mw::Timestamp t;
    if (!read_timestamp(*v, t)) return false;
    e.started_at = t;
  }
  if (const Value* v = optional_field(f, "endedAt")) {
    mw::Timestamp t;
    if (!read_timestamp(*v, t)) return false;
    e.ended_at = t;
  }
  if (const Value* v = optional_field(f, "duration")) {
    std::int64_t d = 0;
    if (!read_duration(*v, d)) return false;
    e.duration = d;
  }
  if (const Value* v = optional_field(f, "owner")) {
    Ref r;
    if (!read_ref(*v, r)) return false;
    e.owner = r;
  }
  if (const Value* v = optional_field(f, "users")) {
    if (!read_ref_list(*v, e.users)) return false;
  }
  if (const Value* v = optional_field(f, "companies")) {
    if (!read_ref_list(*v, e.companies)) return false;
  }
  if (const Value* v = optional_field(f, "contacts")) {
    if (!read_ref_list(*v, e.contacts)) return false;
  }
  if (const Value* v = optional_field(f, "opportunities")) {
    if (!read_ref_list(*v, e.opportunities)) return false;
  }
  return true;
}

bool read_warnings(const Value& v, std::vector<WarningOut>& out) {
  if (!v.IsArray()) return false;
  for (const Value& item : v.GetArray()) {
    if (!item.IsObject()) return false;
    WarningOut w;
    auto it = item.FindMember("code");
    if (it == item.MemberEnd() || !get_string(it->value, w.code)) return false;
    it = item.FindMember("message");
    if (it != item.MemberEnd()) {
      std::string_view m;
      if (!get_string(it->value, m)) return false;
      w.message = m;
    }
    out.push_back(w);
  }
  return true;
}

class RapidJsonContender final : public Contender {
 public:
  bool parse(const Body& body) override {
    e_.clear();
    // A fresh document per event over the reused buffers (the allocators must outlive it).
    doc_.reset();
    value_alloc_.emplace(value_buffer_, sizeof(value_buffer_));
    parse_alloc_.emplace(parse_buffer_, sizeof(parse_buffer_));
    // Stack capacity below the buffer size: the pool keeps a chunk header in the buffer.
    doc_.emplace(&*value_alloc_, sizeof(parse_buffer_) / 2, &*parse_alloc_);
    Doc& doc = *doc_;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(body.data, body.size);
    if (doc.HasParseError() || !doc.IsObject()) return false;

    auto event = doc.FindMember("event");
    if (event == doc.MemberEnd() || !get_string(event->value, e_.event)) return false;
    auto data_it = doc.FindMember("data");
    if (data_it == doc.MemberEnd() || !data_it->value.IsObject()) return false;
    const Value& data = data_it->value;

    std::string_view object;
    auto it = data.FindMember("object");
    const bool seen_object = it != data.MemberEnd();
    if (seen_object && !get_string(it->value, object)) return false;
    it = data.FindMember("model");
    if (it == data.MemberEnd() || !get_string(it->value, e_.model)) return false;
    it = data.FindMember("id");
    if (it == data.MemberEnd() || !get_string(it->value, e_.id)) return false;
    it = data.FindMember("createdAt");
    if (it == data.MemberEnd() || !read_timestamp(it->value, e_.created_at)) return false;
    it = data.FindMember("updatedAt");
    if (it == data.MemberEnd() || !read_timestamp(it->value, e_.updated_at)) return false;
    it = data.FindMember("fields");
    const bool seen_fields = it != data.MemberEnd();
    if (seen_fields && !read_fields(it->value, e_)) return false;
    it = data.FindMember("rawResource");
    if (it != data.MemberEnd()) {
      e_.has_raw_resource = true;
      e_.raw_resource_is_null = it->value.IsNull();
    }
    it = data.FindMember("warnings");
    if (it != data.MemberEnd() && !read_warnings(it->value, e_.warnings)) return false;
    return finish_envelope(e_, seen_object, object, seen_fields);
  }

  [[nodiscard]] std::string digest() const override { return morph_bench::digest(e_); }

 private:
  alignas(8) char value_buffer_[64 * 1024];
  alignas(8) char parse_buffer_[16 * 1024];
  std::optional<Alloc> value_alloc_;
  std::optional<Alloc> parse_alloc_;
  std::optional<Doc> doc_;  // declared last: destroyed before the allocators
  Extracted e_;
};

}  // namespace

std::unique_ptr<Contender> make_rapidjson() { return std::make_unique<RapidJsonContender>(); }

}  // namespace morph_bench
