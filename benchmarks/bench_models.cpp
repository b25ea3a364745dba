// The typed models besides crmEngagement (the 11 flat models through one DOM contender: see
// "the flat models" below): morph::webhook's Parser::parse_as<Model>() in place against
// hand-written simdjson DOM extraction of the same fields, with the same checks, on a
// realistic sample of each (data/contact.json: a HubSpot contact update; data/call.json: an
// Aircall call ended, with its rawResource; data/transcript.json: a call transcript with 50
// segments and 2 speakers; data/event_type.json: a Calendly event type with 4 questions of the
// 4 kinds; data/scheduling_event.json: a booking with external attendees and answers).
//
// For the nested models the DOM contenders also check the nested rules the library checks
// under both policies: required keys of nested objects, numbers >= 0, enum texts read,
// `options` required by select/multiselect questions, answers a string, strings or a number.
// Nested lists go to flat vectors whose capacity is kept (no allocation once warmed up).
//
// The DOM contenders check what the library checks under the lenient policy: one well-formed
// JSON value, JSON types of every known key, required envelope keys, `event` form and model,
// date-times (shared helper), duration integral >= 0, refs are objects with a string id,
// warnings have a string code, and for genericContact the string lengths in UTF-16 code units
// and zod's email rule (the library's own helpers, string_rules.hpp: the same work, written
// once). Like the crmEngagement DOM contender, they do not detect duplicate keys.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdio>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "common.hpp"
#include "dom_refs.hpp"
#include "model_benchmarks.hpp"
#include "morph/webhook.hpp"
#include "morph/webhook/detail/string_rules.hpp"
#include "morph/webhook/models/call.hpp"
#include "morph/webhook/models/contact.hpp"
#include "morph/webhook/models/event_type.hpp"
#include "morph/webhook/models/scheduling_event.hpp"
#include "morph/webhook/models/transcript.hpp"

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

// ---- nested models: what the DOM contenders extract, and how ----------------------------

struct SegmentOut {
  double start = 0, end = 0;
  std::string_view text, speaker_id;
};
struct SpeakerOut {
  std::string_view id, origin;
  std::optional<std::string_view> name, phone, email;
  std::optional<Ref> user, contact;
};
/// telephonyCallTranscript fields.
struct TranscriptOut {
  Envelope envelope;
  std::optional<Ref> call;
  std::optional<std::int64_t> duration;
  bool has_segments = false, has_speakers = false;
  std::vector<SegmentOut> segments;
  std::vector<SpeakerOut> speakers;
};
struct OptionOut {
  std::string_view value, name;
};
struct QuestionOut {
  std::string_view type, key, name;
  bool required = false;
  std::optional<std::string_view> description, default_value;
  bool has_options = false;
  std::size_t options_begin = 0, options_count = 0;  // in EventTypeOut::options
};
/// schedulingEventType fields.
struct EventTypeOut {
  Envelope envelope;
  std::optional<std::string_view> name, status, scheduling_url;
  bool has_durations = false, has_questions = false;
  std::vector<std::int64_t> durations;
  std::vector<QuestionOut> questions;
  std::vector<OptionOut> options;
  RefVec slots;
  std::optional<Ref> owner;
};
struct AttendeeOut {
  std::optional<std::string_view> first_name, last_name, phone_number;
  std::string_view email;
};
struct AnswerOut {
  std::string_view key;
  int kind = 0;  // 0 string, 1 strings, 2 number
  std::string_view text;
  double number = 0;
  std::size_t begin = 0, count = 0;  // in SchedulingOut::strings
};
/// schedulingEvent fields.
struct SchedulingOut {
  Envelope envelope;
  std::optional<Ref> event_type, organizer;
  std::optional<std::string_view> title, description, status;
  std::optional<mw::Timestamp> start_time, end_time;
  std::optional<double> duration;
  RefVec attendees;
  bool has_external = false, has_answers = false;
  std::vector<AttendeeOut> external;
  std::vector<AnswerOut> answers;
  std::vector<std::string_view> strings;
};

void add_number(std::string& out, const char* name, double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  out += std::string(name) + "=" + text + "\n";
}
std::string digest_of(const TranscriptOut& t) {
  std::string out = digest_envelope(t.envelope);
  add(out, "call", t.call);
  out += "duration " + (t.duration ? std::to_string(*t.duration) : std::string("absent")) + "\n";
  out += "segments " + std::to_string(t.has_segments) + "\n";
  for (const SegmentOut& s : t.segments) {
    add_number(out, "start", s.start);
    add_number(out, "end", s.end);
    out += std::string(s.text) + "|" + std::string(s.speaker_id) + "\n";
  }
  out += "speakers " + std::to_string(t.has_speakers) + "\n";
  for (const SpeakerOut& s : t.speakers) {
    out += std::string(s.id) + "|" + std::string(s.origin) + "\n";
    add(out, "name", s.name);
    add(out, "phone", s.phone);
    add(out, "email", s.email);
    add(out, "user", s.user);
    add(out, "contact", s.contact);
  }
  return out;
}
std::string digest_of(const EventTypeOut& e) {
  std::string out = digest_envelope(e.envelope);
  add(out, "name", e.name);
  add(out, "status", e.status);
  add(out, "schedulingUrl", e.scheduling_url);
  out += "durations " + std::to_string(e.has_durations) + ":";
  for (const std::int64_t d : e.durations) out += std::to_string(d) + ",";
  out += "\nquestions " + std::to_string(e.has_questions) + "\n";
  for (const QuestionOut& q : e.questions) {
    out += std::string(q.type) + "|" + std::string(q.key) + "|" + std::string(q.name) + "|" +
           std::to_string(q.required) + "\n";
    add(out, "description", q.description);
    add(out, "default", q.default_value);
    out += "options " + std::to_string(q.has_options) + ":";
    for (std::size_t i = 0; i < q.options_count; ++i) {
      const OptionOut& o = e.options[q.options_begin + i];
      out += std::string(o.value) + "=" + std::string(o.name) + ",";
    }
    out += "\n";
  }
  add(out, "slots", e.slots);
  add(out, "owner", e.owner);
  return out;
}
std::string digest_of(const SchedulingOut& s) {
  std::string out = digest_envelope(s.envelope);
  add(out, "eventType", s.event_type);
  add(out, "title", s.title);
  add(out, "description", s.description);
  add(out, "status", s.status);
  add(out, "startTime", s.start_time);
  add(out, "endTime", s.end_time);
  if (s.duration) add_number(out, "duration", *s.duration);
  add(out, "attendees", s.attendees);
  out += "externalAttendees " + std::to_string(s.has_external) + "\n";
  for (const AttendeeOut& a : s.external) {
    add(out, "firstName", a.first_name);
    add(out, "lastName", a.last_name);
    out += "email=" + std::string(a.email) + "\n";
    add(out, "phoneNumber", a.phone_number);
  }
  add(out, "organizer", s.organizer);
  out += "answers " + std::to_string(s.has_answers) + "\n";
  for (const AnswerOut& a : s.answers) {
    out += std::string(a.key) + ":";
    if (a.kind == 0) out += "\"" + std::string(a.text) + "\"";
    if (a.kind == 2) add_number(out, "", a.number);
    for (std::size_t i = 0; i < a.count; ++i) out += std::string(s.strings[a.begin + i]) + ",";
    out += "\n";
  }
  return out;
}

/// A JSON number as a double (DOM keeps integers as int64/uint64).
bool read_double(dom::element v, double& out) {
  switch (v.type()) {
    case dom::element_type::DOUBLE: out = v.get_double().value_unsafe(); return true;
    case dom::element_type::INT64:
      out = static_cast<double>(v.get_int64().value_unsafe());
      return true;
    case dom::element_type::UINT64:
      out = static_cast<double>(v.get_uint64().value_unsafe());
      return true;
    default: return false;
  }
}

bool read_whole(dom::element v, std::int64_t& out) {
  if (v.type() == dom::element_type::INT64) {
    out = v.get_int64().value_unsafe();
    return out >= 0;
  }
  return v.type() == dom::element_type::DOUBLE &&
         duration_from_double(v.get_double().value_unsafe(), out);
}

/// An optional member of a nested object: absent or null (lenient) leaves `out` empty.
bool read_optional_string(dom::element v, std::optional<std::string_view>& out) {
  return v.is_null() || read_string(v, out);
}

bool read_segment(dom::element v, SegmentOut& s) {
  dom::object obj;
  if (v.get_object().get(obj)) return false;
  unsigned seen = 0;
  for (dom::key_value_pair kv : obj) {
    bool ok = true;
    if (kv.key == "start") {
      ok = read_double(kv.value, s.start) && s.start >= 0;
      seen |= 1;
    } else if (kv.key == "end") {
      ok = read_double(kv.value, s.end) && s.end >= 0;
      seen |= 2;
    } else if (kv.key == "text") {
      ok = !kv.value.get_string().get(s.text);
      seen |= 4;
    } else if (kv.key == "speakerId") {
      ok = !kv.value.get_string().get(s.speaker_id);
      seen |= 8;
    }
    if (!ok) return false;
  }
  return seen == 15;
}

bool read_optional_ref(dom::element v, std::optional<Ref>& out) {
  if (v.is_null()) return true;
  Ref r;
  if (!read_ref(v, r)) return false;
  out = r;
  return true;
}

bool read_speaker(dom::element v, SpeakerOut& s) {
  dom::object obj;
  if (v.get_object().get(obj)) return false;
  unsigned seen = 0;
  for (dom::key_value_pair kv : obj) {
    const std::string_view k = kv.key;
    bool ok = true;
    if (k == "id") {
      ok = !kv.value.get_string().get(s.id);
      seen |= 1;
    } else if (k == "origin") {
      ok = !kv.value.get_string().get(s.origin);
      seen |= 2;
    } else if (k == "name") {
      ok = read_optional_string(kv.value, s.name);
    } else if (k == "phone") {
      ok = read_optional_string(kv.value, s.phone);
    } else if (k == "email") {
      ok = read_optional_string(kv.value, s.email) &&
           (!s.email || mw::detail::is_zod_email(*s.email));
    } else if (k == "user") {
      ok = read_optional_ref(kv.value, s.user);
    } else if (k == "contact") {
      ok = read_optional_ref(kv.value, s.contact);
    }
    if (!ok) return false;
  }
  return seen == 3;
}

/// Reads an array, `read(item, out.emplace_back())` for each item.
template <class T, class Read>
bool read_array(dom::element v, std::vector<T>& out, Read&& read) {
  dom::array arr;
  if (v.get_array().get(arr)) return false;
  for (dom::element item : arr) {
    if (!read(item, out.emplace_back())) return false;
  }
  return true;
}

bool read_transcript(dom::object fields, TranscriptOut& t) {
  for (dom::key_value_pair kv : fields) {
    if (kv.value.is_null()) continue;
    const std::string_view k = kv.key;
    bool ok = true;
    if (k == "call") {
      ok = read_optional_ref(kv.value, t.call);
    } else if (k == "duration") {
      std::int64_t d = 0;
      ok = read_whole(kv.value, d);
      t.duration = d;
    } else if (k == "segments") {
      t.has_segments = true;
      ok = read_array(kv.value, t.segments, read_segment);
    } else if (k == "speakers") {
      t.has_speakers = true;
      ok = read_array(kv.value, t.speakers, read_speaker);
    }
    if (!ok) return false;
  }
  return true;
}

bool read_option(dom::element v, OptionOut& o) {
  dom::object obj;
  if (v.get_object().get(obj)) return false;
  unsigned seen = 0;
  for (dom::key_value_pair kv : obj) {
    bool ok = true;
    if (kv.key == "value") {
      ok = !kv.value.get_string().get(o.value);
      seen |= 1;
    } else if (kv.key == "name") {
      ok = !kv.value.get_string().get(o.name);
      seen |= 2;
    }
    if (!ok) return false;
  }
  return seen == 3;
}

bool read_question(dom::element v, QuestionOut& q, std::vector<OptionOut>& options) {
  dom::object obj;
  if (v.get_object().get(obj)) return false;
  // The variant first: `options` belongs to select and multiselect only.
  if (obj["type"].get_string().get(q.type)) return false;
  const bool with_options = q.type != "text" && q.type != "number";
  unsigned seen = 0;
  for (dom::key_value_pair kv : obj) {
    const std::string_view k = kv.key;
    bool ok = true;
    if (k == "key") {
      ok = !kv.value.get_string().get(q.key);
      seen |= 1;
    } else if (k == "name") {
      ok = !kv.value.get_string().get(q.name);
      seen |= 2;
    } else if (k == "required") {
      ok = !kv.value.get_bool().get(q.required);
      seen |= 4;
    } else if (k == "description") {
      ok = read_optional_string(kv.value, q.description);
    } else if (k == "default") {
      ok = read_optional_string(kv.value, q.default_value);
    } else if (k == "options" && with_options && !kv.value.is_null()) {
      q.has_options = true;
      q.options_begin = options.size();
      ok = read_array(kv.value, options, read_option);
      q.options_count = options.size() - q.options_begin;
    }
    if (!ok) return false;
  }
  return seen == 7 && (q.has_options || (q.type != "select" && q.type != "multiselect"));
}

bool read_event_type(dom::object fields, EventTypeOut& e) {
  for (dom::key_value_pair kv : fields) {
    if (kv.value.is_null()) continue;
    const std::string_view k = kv.key;
    bool ok = true;
    if (k == "name") {
      ok = read_string(kv.value, e.name);
    } else if (k == "status") {
      ok = read_string(kv.value, e.status);
    } else if (k == "durations") {
      e.has_durations = true;
      ok = read_array(kv.value, e.durations, read_whole);
    } else if (k == "questions") {
      e.has_questions = true;
      ok = read_array(kv.value, e.questions, [&e](dom::element item, QuestionOut& q) {
        return read_question(item, q, e.options);
      });
    } else if (k == "schedulingUrl") {
      ok = read_string(kv.value, e.scheduling_url);
    } else if (k == "slots") {
      ok = read_ref_list(kv.value, e.slots);
    } else if (k == "owner") {
      ok = read_optional_ref(kv.value, e.owner);
    }
    if (!ok) return false;
  }
  return true;
}

bool read_attendee(dom::element v, AttendeeOut& a) {
  dom::object obj;
  if (v.get_object().get(obj)) return false;
  bool email = false;
  for (dom::key_value_pair kv : obj) {
    const std::string_view k = kv.key;
    bool ok = true;
    if (k == "firstName") {
      ok = read_optional_string(kv.value, a.first_name);
    } else if (k == "lastName") {
      ok = read_optional_string(kv.value, a.last_name);
    } else if (k == "email") {
      ok = !kv.value.get_string().get(a.email);
      email = true;
    } else if (k == "phoneNumber") {
      ok = read_optional_string(kv.value, a.phone_number);
    }
    if (!ok) return false;
  }
  return email;
}

bool read_answers(dom::element v, SchedulingOut& s) {
  dom::object obj;
  if (v.get_object().get(obj)) return false;
  for (dom::key_value_pair kv : obj) {
    AnswerOut& a = s.answers.emplace_back();
    a.key = kv.key;
    switch (kv.value.type()) {
      case dom::element_type::STRING: a.text = kv.value.get_string().value_unsafe(); break;
      case dom::element_type::ARRAY:
        a.kind = 1;
        a.begin = s.strings.size();
        if (!read_array(kv.value, s.strings, [](dom::element item, std::string_view& out) {
              return !item.get_string().get(out);
            })) {
          return false;
        }
        a.count = s.strings.size() - a.begin;
        break;
      default:
        a.kind = 2;
        if (!read_double(kv.value, a.number)) return false;
    }
  }
  return true;
}

bool read_scheduling_event(dom::object fields, SchedulingOut& s) {
  for (dom::key_value_pair kv : fields) {
    if (kv.value.is_null()) continue;
    const std::string_view k = kv.key;
    bool ok = true;
    if (k == "eventType") {
      ok = read_optional_ref(kv.value, s.event_type);
    } else if (k == "title") {
      ok = read_string(kv.value, s.title);
    } else if (k == "description") {
      ok = read_string(kv.value, s.description);
    } else if (k == "status") {
      ok = read_string(kv.value, s.status);
    } else if (k == "startTime") {
      ok = read_time(kv.value, s.start_time);
    } else if (k == "endTime") {
      ok = read_time(kv.value, s.end_time);
    } else if (k == "duration") {
      double d = 0;
      ok = read_double(kv.value, d);
      s.duration = d;
    } else if (k == "attendees") {
      ok = read_ref_list(kv.value, s.attendees);
    } else if (k == "externalAttendees") {
      s.has_external = true;
      ok = read_array(kv.value, s.external, read_attendee);
    } else if (k == "organizer") {
      ok = read_optional_ref(kv.value, s.organizer);
    } else if (k == "answers") {
      s.has_answers = true;
      ok = read_answers(kv.value, s);
    }
    if (!ok) return false;
  }
  return true;
}

class DomTranscript final : public Contender {
 public:
  bool parse(const Body& body) override {
    t_.envelope = Envelope{};
    t_.call = {};
    t_.duration = {};
    t_.has_segments = t_.has_speakers = false;
    t_.segments.clear();  // capacity kept
    t_.speakers.clear();
    return read_event(parser_, body, "telephonyCallTranscript", t_.envelope,
                      [this](dom::object f) { return read_transcript(f, t_); });
  }
  [[nodiscard]] std::string digest() const override { return digest_of(t_); }

 private:
  dom::parser parser_;
  TranscriptOut t_;
};

class DomEventType final : public Contender {
 public:
  bool parse(const Body& body) override {
    e_.envelope = Envelope{};
    e_.name = e_.status = e_.scheduling_url = {};
    e_.has_durations = e_.has_questions = false;
    e_.durations.clear();
    e_.questions.clear();
    e_.options.clear();
    e_.slots.present = false;
    e_.slots.refs.clear();
    e_.owner = {};
    return read_event(parser_, body, "schedulingEventType", e_.envelope,
                      [this](dom::object f) { return read_event_type(f, e_); });
  }
  [[nodiscard]] std::string digest() const override { return digest_of(e_); }

 private:
  dom::parser parser_;
  EventTypeOut e_;
};

class DomSchedulingEvent final : public Contender {
 public:
  bool parse(const Body& body) override {
    s_.envelope = Envelope{};
    s_.event_type = s_.organizer = {};
    s_.title = s_.description = s_.status = {};
    s_.start_time = s_.end_time = {};
    s_.duration = {};
    s_.attendees.present = false;
    s_.attendees.refs.clear();
    s_.has_external = s_.has_answers = false;
    s_.external.clear();
    s_.answers.clear();
    s_.strings.clear();
    return read_event(parser_, body, "schedulingEvent", s_.envelope,
                      [this](dom::object f) { return read_scheduling_event(f, s_); });
  }
  [[nodiscard]] std::string digest() const override { return digest_of(s_); }

 private:
  dom::parser parser_;
  SchedulingOut s_;
};

// ---- the flat models: simdjson DOM, one reader per value kind ------------------------------
//
// The 11 flat models (genericCompany ... accountingInvoiceItem) share one DOM contender: each
// value kind has its hand-written DOM read below (the same checks as the library's lenient
// policy: string lengths in UTF-16 units and zod's email rule through the library's helpers,
// numbers >= 0 where the schema says so, refs with a string id, `null` items skipped in lists
// whose items are optional); which key holds which kind comes from the model's field list, so
// eleven copies of the same if-chain are not written out. Numbers are read with DOM's own
// number parser (the library reads them as JSON.parse does: number.hpp).

/// Canonical text of a model's fields for the startup cross-check: to_json()'s form, refs as
/// object/model/id only (the library keeps their raw JSON, DOM does not).
template <class Model>
std::string digest_fields(const Model& fields) {
  std::string out;
  mw::detail::append_fields(out, fields, [](std::string& o, const auto& value) {
    using Value = std::decay_t<decltype(value)>;
    const auto ref = [&o](const mw::ResourceRef& r) {
      o += std::string(r.object) + "/" + std::string(r.model) + "/" + std::string(r.id) + ";";
    };
    if constexpr (std::is_same_v<Value, mw::ResourceRef>) {
      ref(value);
    } else if constexpr (std::is_same_v<Value, mw::RefList>) {
      o += '[';
      for (const mw::ResourceRef& r : value) ref(r);
      o += ']';
    } else {
      mw::detail::append_value(o, value);
    }
  });
  return out;
}

template <class Model>
class DomFlatModel final : public Contender {
 public:
  bool parse(const Body& body) override {
    envelope_ = Envelope{};
    fields_ = Model{};
    refs_.clear();  // capacity kept: no allocation once warmed up
    lists_ = {};
    return read_event(parser_, body, mw::model_name<Model>, envelope_,
                      [this](dom::object f) { return read_fields(f); });
  }
  [[nodiscard]] std::string digest() const override {
    Model fields = fields_;
    mw::for_each_field_index<Model>([&](auto index) {
      constexpr auto& field = mw::field_at<Model, decltype(index)::value>;
      using Value = typename std::decay_t<decltype(field)>::value_type;
      if constexpr (std::is_same_v<Value, mw::RefList>) {
        fields.*field.member = lists_[decltype(index)::value].in(refs_.data());
      }
    });
    return digest_envelope(envelope_) + digest_fields(fields);
  }

 private:
  bool read_fields(dom::object fields) {
    for (dom::key_value_pair kv : fields) {
      if (kv.value.is_null()) continue;  // lenient: null is absent for optional fields
      bool ok = true;
      bool found = false;
      mw::for_each_field_index<Model>([&](auto index) {
        constexpr auto& field = mw::field_at<Model, decltype(index)::value>;
        if (found || kv.key != field.name) return;
        found = true;
        ok = read_value<decltype(index)::value>(kv.value);
      });
      if (!ok) return false;
    }
    return true;
  }

  template <std::size_t I>
  bool read_value(dom::element v) {
    constexpr auto& field = mw::field_at<Model, I>;
    using Value = typename std::decay_t<decltype(field)>::value_type;
    auto& out = fields_.*field.member;
    if constexpr (std::is_same_v<Value, std::string_view>) {
      std::string_view text;
      if (v.get_string().get(text)) return false;
      out = text;
      if constexpr (field.rule.any()) {
        const std::size_t n = mw::detail::utf16_length(text);
        if (n < field.rule.min_length || n > field.rule.max_length) return false;
        if (field.rule.email && !mw::detail::is_zod_email(text)) return false;
      }
      return true;
    } else if constexpr (mw::is_enum_field<Value>) {
      Value e;
      if (v.get_string().get(e.text)) return false;
      e.value = mw::enum_from<typename Value::enum_type>(e.text);
      out = e;
      return true;
    } else if constexpr (std::is_same_v<Value, double>) {
      double d = 0;
      if (v.get_double().get(d)) return false;  // DOM converts integers too
      out = d;
      return !(field.is_non_negative && d < 0);
    } else if constexpr (std::is_same_v<Value, bool>) {
      bool b = false;
      if (v.get_bool().get(b)) return false;
      out = b;
      return true;
    } else if constexpr (std::is_same_v<Value, mw::ResourceRef>) {
      Ref r;
      if (!read_ref(v, r)) return false;
      out = mw::ResourceRef{r.object, r.model, r.id, {}};
      return true;
    } else if constexpr (std::is_same_v<Value, mw::RefList>) {
      dom::array arr;
      if (v.get_array().get(arr)) return false;
      mw::detail::RefSlot& slot = lists_[I];
      slot = mw::detail::RefSlot{refs_.size(), 0, true};
      for (dom::element item : arr) {
        if (field.has_optional_items && item.is_null()) continue;
        Ref r;
        if (!read_ref(item, r)) return false;
        refs_.push_back(mw::ResourceRef{r.object, r.model, r.id, {}});
      }
      slot.count = refs_.size() - slot.begin;
      return true;
    } else {
      static_assert(std::is_same_v<Value, void>, "no DOM reader for this value kind");
      return false;
    }
  }

  dom::parser parser_;
  Envelope envelope_;
  Model fields_;
  std::vector<mw::ResourceRef> refs_;
  std::array<mw::detail::RefSlot, mw::field_count<Model>> lists_{};
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

std::string digest_of(const mw::Event<mw::Transcript>& e) {
  const mw::Transcript& f = e.fields;
  TranscriptOut t;
  t.envelope = envelope_of(e);
  t.call = ref_of(f.call);
  t.duration = f.duration;
  t.has_segments = f.segments.has_value();
  if (f.segments) {
    for (const mw::TranscriptSegment& s : *f.segments) {
      t.segments.push_back(SegmentOut{s.start, s.end, s.text, s.speaker_id});
    }
  }
  t.has_speakers = f.speakers.has_value();
  if (f.speakers) {
    for (const mw::Speaker& s : *f.speakers) {
      t.speakers.push_back(SpeakerOut{s.id, s.origin.text, s.name, s.phone, s.email, ref_of(s.user),
                                      ref_of(s.contact)});
    }
  }
  return digest_of(t);
}
std::string digest_of(const mw::Event<mw::EventType>& e) {
  const mw::EventType& f = e.fields;
  EventTypeOut o;
  o.envelope = envelope_of(e);
  o.name = f.name;
  o.status = text_of(f.status);
  o.scheduling_url = f.scheduling_url;
  o.has_durations = f.durations.has_value();
  if (f.durations) o.durations.assign(f.durations->begin(), f.durations->end());
  o.has_questions = f.questions.has_value();
  if (f.questions) {
    for (const mw::Question& q : *f.questions) {
      QuestionOut out{q.type.text, q.key, q.name, q.required, q.description, q.default_value};
      out.has_options = q.options.has_value();
      out.options_begin = o.options.size();
      if (q.options) {
        for (const mw::QuestionOption& opt : *q.options) {
          o.options.push_back(OptionOut{opt.value, opt.name});
        }
      }
      out.options_count = o.options.size() - out.options_begin;
      o.questions.push_back(out);
    }
  }
  o.slots = refs_of(f.slots);
  o.owner = ref_of(f.owner);
  return digest_of(o);
}
std::string digest_of(const mw::Event<mw::SchedulingEvent>& e) {
  const mw::SchedulingEvent& f = e.fields;
  SchedulingOut s;
  s.envelope = envelope_of(e);
  s.event_type = ref_of(f.event_type);
  s.organizer = ref_of(f.organizer);
  s.title = f.title;
  s.description = f.description;
  s.status = text_of(f.status);
  s.start_time = f.start_time;
  s.end_time = f.end_time;
  s.duration = f.duration;
  s.attendees = refs_of(f.attendees);
  s.has_external = f.external_attendees.has_value();
  if (f.external_attendees) {
    for (const mw::ExternalAttendee& a : *f.external_attendees) {
      s.external.push_back(AttendeeOut{a.first_name, a.last_name, a.phone_number, a.email});
    }
  }
  s.has_answers = f.answers.has_value();
  if (f.answers) {
    for (const mw::Answer& a : *f.answers) {
      AnswerOut out;
      out.key = a.key;
      if (const auto* text = std::get_if<std::string_view>(&a.value)) {
        out.text = *text;
      } else if (const auto* list = std::get_if<mw::StringList>(&a.value)) {
        out.kind = 1;
        out.begin = s.strings.size();
        s.strings.insert(s.strings.end(), list->begin(), list->end());
        out.count = list->size();
      } else {
        out.kind = 2;
        out.number = std::get<double>(a.value);
      }
      s.answers.push_back(out);
    }
  }
  return digest_of(s);
}

template <class Model>
std::string digest_of(const mw::Event<Model>& e) {
  return digest_envelope(envelope_of(e)) + digest_fields(e.fields);
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

/// morph lenient, morph strict and the DOM contender `Dom` for `Model` (named `type`).
template <class Model, class Dom>
std::vector<ContenderInfo> morph_and_dom(const std::string& type) {
  return {
      {"morph_lenient", "morph::webhook Parser::parse_as<" + type + ">, lenient, in place",
       [] { return std::unique_ptr<Contender>(new MorphModel<Model>(mw::Policy::lenient)); }},
      {"morph_strict", "morph::webhook Parser::parse_as<" + type + ">, strict, in place",
       [] { return std::unique_ptr<Contender>(new MorphModel<Model>(mw::Policy::strict)); }},
      {"dom", "simdjson DOM, hand-written", [] { return std::unique_ptr<Contender>(new Dom); }}};
}

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
  std::vector<ContenderInfo> flat;
  auto pick = [&](auto index) {
    using Model = std::tuple_element_t<decltype(index)::value, mw::TypedModels>;
    // The flat models: every typed model but those with a DOM contender of their own.
    if constexpr (!std::is_same_v<Model, mw::Engagement> && !std::is_same_v<Model, mw::Contact> &&
                  !std::is_same_v<Model, mw::Call> && !std::is_same_v<Model, mw::Transcript> &&
                  !std::is_same_v<Model, mw::EventType> &&
                  !std::is_same_v<Model, mw::SchedulingEvent>) {
      if (model != mw::model_name<Model>) return;
      flat = {
          {"morph_lenient", "morph::webhook Parser::parse_as<Model>, lenient, in place",
           [] { return std::unique_ptr<Contender>(new MorphModel<Model>(mw::Policy::lenient)); }},
          {"morph_strict", "morph::webhook Parser::parse_as<Model>, strict, in place",
           [] { return std::unique_ptr<Contender>(new MorphModel<Model>(mw::Policy::strict)); }},
          {"dom", dom_label + " (per value kind)",
           [] { return std::unique_ptr<Contender>(new DomFlatModel<Model>); }}};
    }
  };
  mw::detail::for_each_index(pick, std::make_index_sequence<std::tuple_size_v<mw::TypedModels>>{});
  if (!flat.empty()) return flat;
  if (model == "telephonyCall") {
    return {
        {"morph_lenient", "morph::webhook Parser::parse_as<Call>, lenient, in place",
         [] { return std::unique_ptr<Contender>(new MorphModel<mw::Call>(mw::Policy::lenient)); }},
        {"morph_strict", "morph::webhook Parser::parse_as<Call>, strict, in place",
         [] { return std::unique_ptr<Contender>(new MorphModel<mw::Call>(mw::Policy::strict)); }},
        {"dom", dom_label, [] { return std::unique_ptr<Contender>(new DomCall); }}};
  }
  if (model == "telephonyCallTranscript") {
    return morph_and_dom<mw::Transcript, DomTranscript>("Transcript");
  }
  if (model == "schedulingEventType")
    return morph_and_dom<mw::EventType, DomEventType>("EventType");
  if (model == "schedulingEvent") {
    return morph_and_dom<mw::SchedulingEvent, DomSchedulingEvent>("SchedulingEvent");
  }
  return {};
}

}  // namespace morph_bench
