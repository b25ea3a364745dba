// The typed models besides crmEngagement (genericContact, telephonyCall): morph::webhook's
// Parser::parse_as<Model>() in place against hand-written simdjson DOM extraction of the same
// fields, with the same checks, on a realistic sample of each (data/contact.json: a HubSpot contact
// update; data/call.json: an Aircall call ended, with its rawResource).
//
// The DOM contenders check what the library checks under the lenient policy: one well-formed
// JSON value, JSON types of every known key, required envelope keys, `event` form and model,
// date-times (shared helper), duration integral >= 0, refs are objects with a string id,
// warnings have a string code, and for genericContact the string lengths in UTF-16 code units
// and zod's email rule (the library's own helpers, string_rules.hpp: the same work, written
// once). Like the crmEngagement DOM contender, they do not detect duplicate keys.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <string>

#include "common.hpp"
#include "dom_refs.hpp"
#include "model_benchmarks.hpp"
#include "morph/webhook.hpp"
#include "morph/webhook/detail/string_rules.hpp"
#include "morph/webhook/models/call.hpp"
#include "morph/webhook/models/contact.hpp"

namespace morph_bench {
namespace {

namespace dom = simdjson::dom;

// ---- what each contender extracts ---------------------------------------------------------

/// The envelope of any model, extracted.
struct Envelope {
  std::string_view event;
  mw::Trigger trigger = mw::Trigger::created;
  std::string_view model;
  std::string_view id;
  mw::Timestamp created_at;
  mw::Timestamp updated_at;
  bool has_raw_resource = false;
  std::size_t warnings = 0;
};

/// genericContact fields.
struct ContactOut {
  Envelope envelope;
  std::optional<std::string_view> first_name, last_name, email, phone;
};

/// telephonyCall fields (enums as their text).
struct CallOut {
  Envelope envelope;
  std::optional<std::string_view> direction, status;
  std::optional<mw::Timestamp> started_at, answered_at, ended_at;
  std::optional<std::int64_t> duration;
  std::optional<std::string_view> recording_url, external_number, internal_number;
  RefVec users, contacts;
  std::optional<Ref> transcript;
};

// Canonical texts for the startup cross-check (never timed).
void add(std::string& out, const char* name, const std::optional<std::string_view>& v) {
  out += name;
  out += v ? "=" + std::string(*v) + "\n" : " absent\n";
}
void add(std::string& out, const char* name, const std::optional<mw::Timestamp>& t) {
  out += name;
  out += t ? "=" + std::string(t->text) + "@" + std::to_string(t->time.time_since_epoch().count()) +
                 "\n"
           : " absent\n";
}
void add(std::string& out, const char* name, const std::optional<Ref>& r) {
  out += name;
  out += r ? "=" + std::string(r->object) + "/" + std::string(r->model) + "/" + std::string(r->id) +
                 "\n"
           : " absent\n";
}
void add(std::string& out, const char* name, const RefVec& list) {
  out += name;
  out += list.present ? "=[" : " absent[";
  for (const Ref& r : list.refs) {
    out += std::string(r.object) + "/" + std::string(r.model) + "/" + std::string(r.id) + ",";
  }
  out += "]\n";
}
std::string digest_envelope(const Envelope& e) {
  std::string out =
      std::string(e.event) + "|" + std::string(e.model) + "|" + std::string(e.id) + "\n";
  add(out, "createdAt", std::optional<mw::Timestamp>(e.created_at));
  add(out, "updatedAt", std::optional<mw::Timestamp>(e.updated_at));
  out += "rawResource " + std::to_string(e.has_raw_resource) + ", warnings " +
         std::to_string(e.warnings) + "\n";
  return out;
}
std::string digest_of(const ContactOut& c) {
  std::string out = digest_envelope(c.envelope);
  add(out, "firstName", c.first_name);
  add(out, "lastName", c.last_name);
  add(out, "email", c.email);
  add(out, "phone", c.phone);
  return out;
}
std::string digest_of(const CallOut& c) {
  std::string out = digest_envelope(c.envelope);
  add(out, "direction", c.direction);
  add(out, "status", c.status);
  add(out, "startedAt", c.started_at);
  add(out, "answeredAt", c.answered_at);
  add(out, "endedAt", c.ended_at);
  out += "duration " + (c.duration ? std::to_string(*c.duration) : std::string("absent")) + "\n";
  add(out, "recordingUrl", c.recording_url);
  add(out, "users", c.users);
  add(out, "contacts", c.contacts);
  add(out, "externalNumber", c.external_number);
  add(out, "internalNumber", c.internal_number);
  add(out, "transcript", c.transcript);
  return out;
}

// ---- hand-written simdjson DOM -------------------------------------------------------------

bool read_string(dom::element v, std::optional<std::string_view>& out) {
  std::string_view s;
  if (v.get_string().get(s)) return false;
  out = s;
  return true;
}

bool read_bounded(dom::element v, std::optional<std::string_view>& out, std::size_t min,
                  std::size_t max) {
  if (!read_string(v, out)) return false;
  const std::size_t n = mw::detail::utf16_length(*out);
  return n >= min && n <= max;
}

bool read_time(dom::element v, std::optional<mw::Timestamp>& out) {
  std::string_view s;
  mw::Timestamp t;
  if (v.get_string().get(s) || !parse_timestamp(s, t)) return false;
  out = t;
  return true;
}

bool read_contact(dom::object fields, ContactOut& c) {
  for (dom::key_value_pair kv : fields) {
    if (kv.value.is_null()) continue;  // lenient: null is absent for optional fields
    bool ok = true;
    if (kv.key == "firstName") {
      ok = read_bounded(kv.value, c.first_name, 1, 250);
    } else if (kv.key == "lastName") {
      ok = read_bounded(kv.value, c.last_name, 1, 250);
    } else if (kv.key == "email") {
      ok = read_bounded(kv.value, c.email, 5, 250) && mw::detail::is_zod_email(*c.email);
    } else if (kv.key == "phone") {
      ok = read_bounded(kv.value, c.phone, 5, 20);
    }
    if (!ok) return false;
  }
  return true;
}

bool read_call(dom::object fields, CallOut& c) {
  for (dom::key_value_pair kv : fields) {
    if (kv.value.is_null()) continue;
    const std::string_view k = kv.key;
    bool ok = true;
    if (k == "direction") {
      ok = read_string(kv.value, c.direction);
    } else if (k == "status") {
      ok = read_string(kv.value, c.status);
    } else if (k == "startedAt") {
      ok = read_time(kv.value, c.started_at);
    } else if (k == "answeredAt") {
      ok = read_time(kv.value, c.answered_at);
    } else if (k == "endedAt") {
      ok = read_time(kv.value, c.ended_at);
    } else if (k == "duration") {
      std::int64_t d = 0;
      if (kv.value.type() == dom::element_type::INT64) {
        d = kv.value.get_int64().value_unsafe();
        ok = d >= 0;
      } else {
        ok = kv.value.type() == dom::element_type::DOUBLE &&
             duration_from_double(kv.value.get_double().value_unsafe(), d);
      }
      c.duration = d;
    } else if (k == "recordingUrl") {
      ok = read_string(kv.value, c.recording_url);
    } else if (k == "users") {
      ok = read_ref_list(kv.value, c.users);
    } else if (k == "contacts") {
      ok = read_ref_list(kv.value, c.contacts);
    } else if (k == "externalNumber") {
      ok = read_string(kv.value, c.external_number);
    } else if (k == "internalNumber") {
      ok = read_string(kv.value, c.internal_number);
    } else if (k == "transcript") {
      Ref r;
      ok = read_ref(kv.value, r);
      c.transcript = r;
    }
    if (!ok) return false;
  }
  return true;
}

bool read_warnings(dom::element v, std::size_t& count) {
  dom::array arr;
  if (v.get_array().get(arr)) return false;
  for (dom::element item : arr) {
    dom::object obj;
    if (item.get_object().get(obj)) return false;
    std::string_view code;
    if (obj["code"].get_string().get(code)) return false;
    std::string_view message;
    const auto m = obj["message"];
    if (m.error() != simdjson::NO_SUCH_FIELD && m.get_string().get(message)) return false;
    ++count;
  }
  return true;
}

/// Parses a body of `model` in place and reads its envelope; `read_fields(object)` reads
/// `data.fields`.
template <class ReadFields>
bool read_event(dom::parser& parser, const Body& body, std::string_view model, Envelope& e,
                ReadFields&& read_fields) {
  dom::element root;
  dom::object root_obj, data;
  if (parser.parse(body.data, body.size, false).get(root) || root.get_object().get(root_obj) ||
      root_obj["event"].get_string().get(e.event) || root_obj["data"].get_object().get(data)) {
    return false;
  }
  std::string_view event_model, object;
  bool seen = false;
  for (dom::key_value_pair kv : data) {
    const std::string_view k = kv.key;
    bool ok = true;
    if (k == "object") {
      ok = !kv.value.get_string().get(object);
    } else if (k == "model") {
      ok = !kv.value.get_string().get(e.model);
    } else if (k == "id") {
      ok = !kv.value.get_string().get(e.id);
    } else if (k == "fields") {
      dom::object fields;
      ok = !kv.value.get_object().get(fields) && read_fields(fields);
      seen = true;
    } else if (k == "createdAt" || k == "updatedAt") {
      std::string_view s;
      ok = !kv.value.get_string().get(s) &&
           parse_timestamp(s, k == "createdAt" ? e.created_at : e.updated_at);
    } else if (k == "rawResource") {
      e.has_raw_resource = true;
    } else if (k == "warnings") {
      ok = read_warnings(kv.value, e.warnings);
    }
    if (!ok) return false;
  }
  return seen && object == "resource" && !e.id.empty() && !e.created_at.text.empty() &&
         !e.updated_at.text.empty() && split_event(e.event, event_model, e.trigger) &&
         event_model == model && e.model == model;
}

class DomContact final : public Contender {
 public:
  bool parse(const Body& body) override {
    c_ = ContactOut{};
    return read_event(parser_, body, "genericContact", c_.envelope,
                      [this](dom::object f) { return read_contact(f, c_); });
  }
  [[nodiscard]] std::string digest() const override { return digest_of(c_); }

 private:
  dom::parser parser_;
  ContactOut c_;
};

class DomCall final : public Contender {
 public:
  bool parse(const Body& body) override {
    c_.envelope = Envelope{};
    c_.direction = c_.status = c_.recording_url = c_.external_number = c_.internal_number = {};
    c_.started_at = c_.answered_at = c_.ended_at = {};
    c_.duration = {};
    c_.transcript = {};
    c_.users.present = c_.contacts.present = false;
    c_.users.refs.clear();  // capacity kept: no allocation once warmed up
    c_.contacts.refs.clear();
    return read_event(parser_, body, "telephonyCall", c_.envelope,
                      [this](dom::object f) { return read_call(f, c_); });
  }
  [[nodiscard]] std::string digest() const override { return digest_of(c_); }

 private:
  dom::parser parser_;
  CallOut c_;
};

// ---- morph::webhook -----------------------------------------------------------------------

// Only for the startup cross-check (never timed): the event -> what the DOM contender extracts.
template <class Model>
Envelope envelope_of(const mw::Event<Model>& e) {
  return Envelope{e.event,
                  e.trigger,
                  e.model,
                  e.id,
                  e.created_at,
                  e.updated_at,
                  e.raw_resource.has_value(),
                  e.warnings.size()};
}
template <class E>
std::optional<std::string_view> text_of(const std::optional<mw::EnumField<E>>& f) {
  return f ? std::optional<std::string_view>(f->text) : std::nullopt;
}
std::optional<Ref> ref_of(const std::optional<mw::ResourceRef>& r) {
  return r ? std::optional<Ref>(Ref{r->object, r->model, r->id}) : std::nullopt;
}
RefVec refs_of(const std::optional<mw::RefList>& list) {
  RefVec out;
  out.present = list.has_value();
  if (list) {
    for (const mw::ResourceRef& r : *list) out.refs.push_back(Ref{r.object, r.model, r.id});
  }
  return out;
}
std::string digest_of(const mw::Event<mw::Contact>& e) {
  const mw::Contact& f = e.fields;
  return digest_of(ContactOut{envelope_of(e), f.first_name, f.last_name, f.email, f.phone});
}
std::string digest_of(const mw::Event<mw::Call>& e) {
  const mw::Call& f = e.fields;
  CallOut c;
  c.envelope = envelope_of(e);
  c.direction = text_of(f.direction);
  c.status = text_of(f.status);
  c.started_at = f.started_at;
  c.answered_at = f.answered_at;
  c.ended_at = f.ended_at;
  c.duration = f.duration;
  c.recording_url = f.recording_url;
  c.users = refs_of(f.users);
  c.contacts = refs_of(f.contacts);
  c.external_number = f.external_number;
  c.internal_number = f.internal_number;
  c.transcript = ref_of(f.transcript);
  return digest_of(c);
}

/// Parser::parse_as<Model>(padded_string_view), one Parser reused across events: in place, as
/// the DOM contender parses the benchmark's padded buffer in place (like for like).
template <class Model>
class MorphModel final : public Contender {
 public:
  explicit MorphModel(mw::Policy policy) {
    mw::ParseOptions options;
    options.policy = policy;
    parser_.set_options(options);
  }
  bool parse(const Body& body) override {
    const auto result = run(body);
    benchmark::DoNotOptimize(&result);
    last_ = &body;
    return result.has_value();
  }
  [[nodiscard]] std::string digest() const override {
    if (last_ == nullptr) return "error";
    const auto result = const_cast<MorphModel*>(this)->run(*last_);
    return result ? digest_of(result.value()) : "error";
  }

 private:
  mw::Result<mw::Event<Model>> run(const Body& body) {
    return parser_.template parse_as<Model>(
        simdjson::padded_string_view(body.data, body.size, body.capacity));
  }

  mw::Parser parser_;
  const Body* last_ = nullptr;  // digest() parses it again
};

}  // namespace
}  // namespace morph_bench

namespace morph_bench {

std::vector<ContenderInfo> model_contenders(std::string_view model) {
  const std::string dom_label = "simdjson DOM, hand-written";
  if (model == "genericContact") {
    return {{"morph_lenient", "morph::webhook Parser::parse_as<Contact>, lenient, in place",
             [] {
               return std::unique_ptr<Contender>(new MorphModel<mw::Contact>(mw::Policy::lenient));
             }},
            {"morph_strict", "morph::webhook Parser::parse_as<Contact>, strict, in place",
             [] {
               return std::unique_ptr<Contender>(new MorphModel<mw::Contact>(mw::Policy::strict));
             }},
            {"dom", dom_label, [] { return std::unique_ptr<Contender>(new DomContact); }}};
  }
  if (model == "telephonyCall") {
    return {
        {"morph_lenient", "morph::webhook Parser::parse_as<Call>, lenient, in place",
         [] { return std::unique_ptr<Contender>(new MorphModel<mw::Call>(mw::Policy::lenient)); }},
        {"morph_strict", "morph::webhook Parser::parse_as<Call>, strict, in place",
         [] { return std::unique_ptr<Contender>(new MorphModel<mw::Call>(mw::Policy::strict)); }},
        {"dom", dom_label, [] { return std::unique_ptr<Contender>(new DomCall); }}};
  }
  return {};
}

}  // namespace morph_bench
