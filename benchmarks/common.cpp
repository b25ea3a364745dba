// Shared helpers of the benchmark contenders (see common.hpp).
#include "common.hpp"

#include <chrono>
#include <cmath>
#include <cstring>

namespace morph_bench {

void Extracted::clear() noexcept {
  event = {};
  trigger = mw::Trigger::created;
  model = {};
  id = {};
  type.reset();
  direction.reset();
  status.reset();
  title.reset();
  description.reset();
  started_at.reset();
  ended_at.reset();
  duration.reset();
  owner.reset();
  for (RefVec* list : {&users, &companies, &contacts, &opportunities}) {
    list->present = false;
    list->refs.clear();  // keeps capacity
  }
  created_at = {};
  updated_at = {};
  has_raw_resource = false;
  raw_resource_is_null = false;
  warnings.clear();  // keeps capacity
}

bool split_event(std::string_view event, std::string_view& model, mw::Trigger& trigger) noexcept {
  const std::size_t sep = event.find("::");
  if (sep == std::string_view::npos || sep == 0) return false;
  model = event.substr(0, sep);
  const std::string_view name = event.substr(sep + 2);
  if (name == "created") {
    trigger = mw::Trigger::created;
  } else if (name == "updated") {
    trigger = mw::Trigger::updated;
  } else if (name == "deleted") {
    trigger = mw::Trigger::deleted;
  } else {
    return false;
  }
  return true;
}

mw::EnumField<mw::EngagementType> decode_type(std::string_view text) noexcept {
  using T = mw::EngagementType;
  T value = T::unknown;
  if (text == "call")
    value = T::call;
  else if (text == "meeting")
    value = T::meeting;
  else if (text == "email")
    value = T::email;
  else if (text == "task")
    value = T::task;
  else if (text == "note")
    value = T::note;
  return {value, text};
}

mw::EnumField<mw::Direction> decode_direction(std::string_view text) noexcept {
  using D = mw::Direction;
  D value = D::unknown;
  if (text == "inbound")
    value = D::inbound;
  else if (text == "outbound")
    value = D::outbound;
  return {value, text};
}

mw::EnumField<mw::EngagementStatus> decode_status(std::string_view text) noexcept {
  using S = mw::EngagementStatus;
  S value = S::unknown;
  if (text == "planned")
    value = S::planned;
  else if (text == "inProgress")
    value = S::in_progress;
  else if (text == "completed")
    value = S::completed;
  else if (text == "canceled")
    value = S::canceled;
  return {value, text};
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t count, int& out) noexcept {
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return std::int64_t{era} * 146097 + doe - 719468;
}

int days_in_month(int y, int m) noexcept {
  static constexpr int table[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return table[m - 1];
}

}  // namespace

bool parse_timestamp(std::string_view s, mw::Timestamp& out) noexcept {
  // YYYY-MM-DDTHH:MM:SS[.f+](Z|+HH:MM|-HH:MM)
  if (s.size() < 20) return false;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59) {
    return false;
  }
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    int scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (scale > 0) {
        micros += std::int64_t{s[pos] - '0'} * scale;
        scale /= 10;
      }
      ++pos;
    }
    if (pos == start) return false;
  }
  if (pos >= s.size()) return false;
  std::int64_t offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (s.size() - pos != 6 || !digits(s, pos + 1, 2, oh) || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return false;
    }
    offset_minutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  const std::int64_t seconds =
      days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset_minutes * 60;
  out.text = s;
  out.time = mw::TimePoint(std::chrono::microseconds(seconds * 1000000 + micros));
  return true;
}

bool duration_from_double(double value, std::int64_t& out) noexcept {
  if (!(value >= 0.0) || value > 9007199254740992.0 || std::floor(value) != value) return false;
  out = static_cast<std::int64_t>(value);
  return true;
}

DataKey classify_data_key(std::string_view k) noexcept {
  switch (k.size()) {
    case 2: return k == "id" ? DataKey::id : DataKey::other;
    case 5: return k == "model" ? DataKey::model : DataKey::other;
    case 6:
      if (k == "object") return DataKey::object;
      return k == "fields" ? DataKey::fields : DataKey::other;
    case 8: return k == "warnings" ? DataKey::warnings : DataKey::other;
    case 9:
      if (k == "createdAt") return DataKey::created_at;
      return k == "updatedAt" ? DataKey::updated_at : DataKey::other;
    case 11: return k == "rawResource" ? DataKey::raw_resource : DataKey::other;
    default: return DataKey::other;
  }
}

FieldKey classify_field_key(std::string_view k) noexcept {
  switch (k.size()) {
    case 4: return k == "type" ? FieldKey::type : FieldKey::other;
    case 5:
      if (k == "title") return FieldKey::title;
      if (k == "owner") return FieldKey::owner;
      return k == "users" ? FieldKey::users : FieldKey::other;
    case 6: return k == "status" ? FieldKey::status : FieldKey::other;
    case 7: return k == "endedAt" ? FieldKey::ended_at : FieldKey::other;
    case 8:
      if (k == "duration") return FieldKey::duration;
      return k == "contacts" ? FieldKey::contacts : FieldKey::other;
    case 9:
      if (k == "direction") return FieldKey::direction;
      if (k == "startedAt") return FieldKey::started_at;
      return k == "companies" ? FieldKey::companies : FieldKey::other;
    case 11: return k == "description" ? FieldKey::description : FieldKey::other;
    case 13: return k == "opportunities" ? FieldKey::opportunities : FieldKey::other;
    default: return FieldKey::other;
  }
}

RefVec& ref_list(Extracted& e, FieldKey key) noexcept {
  switch (key) {
    case FieldKey::users: return e.users;
    case FieldKey::companies: return e.companies;
    case FieldKey::contacts: return e.contacts;
    default: return e.opportunities;
  }
}

bool finish_envelope(Extracted& e, bool seen_object, std::string_view object,
                     bool seen_fields) noexcept {
  std::string_view event_model;
  if (!split_event(e.event, event_model, e.trigger)) return false;
  return seen_object && object == "resource" && seen_fields && e.model == event_model &&
         e.model == "crmEngagement" && !e.id.empty() && !e.created_at.text.empty() &&
         !e.updated_at.text.empty();
}

namespace {

void append_ref(std::string& out, const Ref& r) {
  out += '{';
  out += r.object;
  out += '|';
  out += r.model;
  out += '|';
  out += r.id;
  out += '}';
}

void append_list(std::string& out, const char* name, const RefVec& list) {
  out += name;
  if (!list.present) {
    out += "=absent\n";
    return;
  }
  out += '[';
  out += std::to_string(list.refs.size());
  out += "]=";
  for (const Ref& r : list.refs) append_ref(out, r);
  out += '\n';
}

void append_ts(std::string& out, const char* name, const mw::Timestamp& t) {
  out += name;
  out += '=';
  out += t.text;
  out += '@';
  out += std::to_string(t.time.time_since_epoch().count());
  out += '\n';
}

template <class E>
void append_enum(std::string& out, const char* name, const std::optional<mw::EnumField<E>>& f) {
  out += name;
  out += '=';
  if (f) {
    out += f->text;
    out += '/';
    out += mw::to_string(f->value);
  } else {
    out += "absent";
  }
  out += '\n';
}

void append_opt(std::string& out, const char* name, const std::optional<std::string_view>& v) {
  out += name;
  out += '=';
  if (v) {
    out += '"';
    out += *v;
    out += '"';
  } else {
    out += "absent";
  }
  out += '\n';
}

}  // namespace

std::string digest(const Extracted& e) {
  std::string out;
  out += "event=";
  out += e.event;
  out += "\ntrigger=";
  out += mw::to_string(e.trigger);
  out += "\nmodel=";
  out += e.model;
  out += "\nid=";
  out += e.id;
  out += '\n';
  append_enum(out, "type", e.type);
  append_enum(out, "direction", e.direction);
  append_enum(out, "status", e.status);
  append_opt(out, "title", e.title);
  append_opt(out, "description", e.description);
  out += "startedAt";
  if (e.started_at)
    append_ts(out, "", *e.started_at);
  else
    out += "=absent\n";
  out += "endedAt";
  if (e.ended_at)
    append_ts(out, "", *e.ended_at);
  else
    out += "=absent\n";
  out += "duration=";
  out += e.duration ? std::to_string(*e.duration) : std::string("absent");
  out += "\nowner=";
  if (e.owner)
    append_ref(out, *e.owner);
  else
    out += "absent";
  out += '\n';
  append_list(out, "users", e.users);
  append_list(out, "companies", e.companies);
  append_list(out, "contacts", e.contacts);
  append_list(out, "opportunities", e.opportunities);
  append_ts(out, "createdAt", e.created_at);
  append_ts(out, "updatedAt", e.updated_at);
  out += "rawResource=";
  out += !e.has_raw_resource ? "absent" : (e.raw_resource_is_null ? "null" : "present");
  out += "\nwarnings[";
  out += std::to_string(e.warnings.size());
  out += "]=";
  for (const WarningOut& w : e.warnings) {
    out += '{';
    out += w.code;
    out += '|';
    out += w.message ? std::string(*w.message) : std::string("(none)");
    out += '}';
  }
  out += '\n';
  return out;
}

}  // namespace morph_bench
