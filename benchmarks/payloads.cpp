// The benchmark payloads (see payloads.hpp). Stored: data/seed.json (the documentation's
// example with realistic values, pretty-printed as in the docs), data/typical.json (a full
// event as Morph sends it: minified, ~2 KB), data/invalid.json (typical with `"id": 42` in
// contacts[7]), data/contact.json and data/call.json (genericContact, telephonyCall),
// data/transcript.json, data/event_type.json and data/scheduling_event.json (the models with
// nested objects), and one sample of each flat model (data/company.json ...
// data/invoice_item.json). Generated here at startup: the multi-MB and many-event payloads.
#include "payloads.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace morph_bench {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "morph_webhook_bench: cannot read %s (use --data-dir=DIR)\n",
                 path.c_str());
    std::exit(2);
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// JSON string escaping as JSON.stringify does it: quote, backslash, control characters.
void append_escaped(std::string& out, const std::string& text) {
  static const char hex[] = "0123456789abcdef";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 15];
        } else {
          out += c;
        }
    }
  }
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  append_escaped(out, text);
  out += '"';
  return out;
}

// 2025-03-DDTHH:MM:SS.mmmZ, `minutes` after 2025-03-06T09:00:00.000Z.
std::string timestamp(std::size_t minutes, std::size_t millis) {
  const std::size_t total = 9 * 60 + minutes;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "2025-03-%02zuT%02zu:%02zu:%02zu.%03zuZ", 6 + total / 1440,
                (total / 60) % 24, total % 60, millis % 60, millis % 1000);
  return buf;
}

std::string ref(const char* model, std::size_t id) {
  return std::string("{\"object\":\"resourceRef\",\"model\":\"") + model + "\",\"id\":\"" +
         std::to_string(id) + "\"}";
}

std::string ref_list(const char* model, std::size_t first, std::size_t count) {
  std::string out = "[";
  for (std::size_t k = 0; k < count; ++k) {
    if (k != 0) out += ',';
    out += ref(model, first + k * 7);
  }
  out += ']';
  return out;
}

// A provider-side history entry, as HubSpot's propertiesWithHistory returns them.
std::string history_entry(std::size_t k) {
  std::string out = "{\"value\":";
  out += quoted("Call notes v" + std::to_string(k) +
                ": customer asked about \"annual billing\" → sent quote; next step: demo.");
  out += ",\"timestamp\":\"" + timestamp(k % 5000, k) + "\"";
  out +=
      ",\"sourceType\":\"CRM_UI\",\"sourceId\":\"userId:" + std::to_string(71625493 + k % 9) + "\"";
  out += ",\"updatedByUserId\":" + std::to_string(71625493 + k % 9);
  out += ",\"score\":0." + std::to_string(100 + k % 900);
  out += ",\"verified\":" + std::string(k % 3 == 0 ? "true" : "false");
  out += ",\"tags\":[\"renewal\",\"q" + std::to_string(1 + k % 4) + "\"],\"note\":null}";
  return out;
}

}  // namespace

std::string make_event(std::size_t index, std::size_t contacts, const std::string& description,
                       const std::string& raw_resource) {
  static const char* const types[] = {"call", "meeting", "email", "task", "note"};
  static const char* const statuses[] = {"completed", "planned", "inProgress", "canceled"};
  const std::string id = std::to_string(38201174562 + index * 13);
  const std::size_t minute = index * 7;
  const std::string started = timestamp(minute, 0);
  const std::string ended = timestamp(minute + 45, 0);
  const std::string created = timestamp(minute + 47, 118 + index);
  const std::string updated = timestamp(minute + 62, 604 + index);
  const std::string title =
      "Q" + std::to_string(1 + index % 4) + " renewal review – Acme Corp #" + std::to_string(index);
  const std::string text =
      description.empty()
          ? "Agenda:\n1. Usage review (seats: 48 → 60)\n2. \"Enterprise\" tier pricing\n"
            "3. Security questionnaire follow-up\n\nNotes: René confirmed budget; legal review "
            "due Friday. Ticket #" +
                std::to_string(4000 + index) + "."
          : description;

  std::string out;
  out.reserve(2600 + text.size() + raw_resource.size() + contacts * 70);
  out += "{\"event\":\"crmEngagement::";
  out += index % 3 == 0 ? "created" : "updated";
  out += "\",\"data\":{\"object\":\"resource\",\"model\":\"crmEngagement\",\"id\":\"" + id + "\"";
  out += ",\"fields\":{\"type\":\"";
  out += types[index % 5];
  out += "\",\"direction\":\"";
  out += index % 2 == 0 ? "outbound" : "inbound";
  out += "\",\"status\":\"";
  out += statuses[index % 4];
  out += "\",\"title\":" + quoted(title);
  out += ",\"description\":" + quoted(text);
  out += ",\"startedAt\":\"" + started + "\",\"endedAt\":\"" + ended + "\"";
  out += ",\"duration\":" + std::to_string(2700 + index);
  out += ",\"owner\":" + ref("genericUser", 71625493 + index % 5);
  out += ",\"users\":" + ref_list("genericUser", 71625493 + index % 5, 2);
  out += ",\"contacts\":" + ref_list("genericContact", 1051 + index, contacts);
  out += ",\"companies\":" + ref_list("genericCompany", 5804723145 + index, 2);
  out += ",\"opportunities\":" + ref_list("crmOpportunity", 9001 + index, 2);
  out += "},\"createdAt\":\"" + created + "\",\"updatedAt\":\"" + updated + "\"";
  out += ",\"rawResource\":";
  if (raw_resource.empty()) {
    out += "{\"id\":\"" + id + "\",\"properties\":{\"hs_meeting_title\":" + quoted(title) +
           ",\"hs_meeting_start_time\":\"" + started + "\",\"hs_meeting_end_time\":\"" + ended +
           "\",\"hs_meeting_outcome\":\"COMPLETED\",\"hs_meeting_location\":"
           "\"https://meet.example.com/abc-defg-hij\",\"hs_internal_meeting_notes\":null,"
           "\"hubspot_owner_id\":\"" +
           std::to_string(71625493 + index % 5) + "\",\"hs_timestamp\":\"" + started +
           "\",\"hs_object_id\":\"" + id +
           "\"},\"associations\":{\"contacts\":{\"results\":[{\"id\":\"" +
           std::to_string(1051 + index) +
           "\",\"type\":\"meeting_event_to_contact\"}]}},\"createdAt\":\"" + created +
           "\",\"updatedAt\":\"" + updated + "\",\"archived\":false}";
  } else {
    out += raw_resource;
  }
  out +=
      ",\"warnings\":[{\"code\":\"CONNECTOR::MAPPER::READ_VALIDATION_FAILED\","
      "\"message\":\"fields.status: could not map hs_meeting_outcome 'RESCHEDULED_LATER'\"}]";
  out += "}}";
  return out;
}

std::string write_payload(const std::string& dir, const Payload& p) {
  const std::string path = dir + "/" + p.name + (p.name == "ndjson" ? ".ndjson" : ".json");
  std::ofstream out(path, std::ios::binary);
  out.write(p.bytes.data(), static_cast<std::streamsize>(p.bytes.size()));
  return out.good() ? path : std::string();
}

std::vector<Payload> make_payloads(const std::string& data_dir) {
  std::vector<Payload> out;
  auto add = [&out](std::string name, std::string desc, bool valid, const std::string& bytes) {
    Payload p;
    p.name = std::move(name);
    p.description = std::move(desc) + " (" + std::to_string(bytes.size()) + " bytes)";
    p.valid = valid;
    p.bytes = simdjson::padded_string(bytes);
    out.push_back(std::move(p));
  };

  add("seed", "seed-style: the documentation's example with realistic values, pretty-printed", true,
      read_file(data_dir + "/seed.json"));
  add("typical", "typical: all fields, 10 refs, one warning, a rawResource object, minified", true,
      read_file(data_dir + "/typical.json"));

  // ~4 MiB email body: newlines, quotes and multi-byte UTF-8 to unescape.
  std::string body_text;
  const std::string paragraph =
      "Hi René,\n\nThanks for your time today. As discussed, the \"Enterprise\" plan covers "
      "60 seats → 75 next year; pricing attached (€ 48/seat/month). 日本チームにも共有します。 "
      "Let me know if the security questionnaire needs anything else 🙂\n\n> On Tue, Jane "
      "wrote:\n> Can we move the review to Friday?\n\nBest,\nJane Doe\tAccount Executive\n";
  while (body_text.size() < (std::size_t{4} << 20)) body_text += paragraph;
  add("large_description", "large: typical with a 4 MiB description (email thread)", true,
      make_event(0, 3, body_text));

  // ~4 MiB rawResource: a provider object with a long property history.
  std::string raw =
      "{\"id\":\"38201174562\",\"properties\":{\"hs_call_title\":\"Call\","
      "\"hs_call_duration\":\"2700000\",\"archived\":false},"
      "\"propertiesWithHistory\":{\"hs_call_body\":[";
  for (std::size_t k = 0; raw.size() < (std::size_t{4} << 20); ++k) {
    if (k != 0) raw += ',';
    raw += history_entry(k);
  }
  raw += "]},\"archived\":false}";
  add("large_raw", "large: typical with a 4 MiB rawResource object (property history)", true,
      make_event(0, 3, {}, raw));

  add("many_refs", "many refs: typical with 5000 contacts", true, make_event(0, 5000));

  add("invalid", "invalid: typical with \"id\": 42 in contacts[7] (error path)", false,
      read_file(data_dir + "/invalid.json"));

  std::string log;
  constexpr std::size_t ndjson_events = 1000;
  for (std::size_t i = 0; i < ndjson_events; ++i) {
    log += make_event(i);
    log += '\n';
  }
  add("ndjson", "NDJSON log: 1000 typical-like events, one per line", true, log);

  // The other typed models, one realistic event each.
  add("contact", "genericContact: a HubSpot contact update, four fields, minified", true,
      read_file(data_dir + "/contact.json"));
  out.back().model = "genericContact";
  add("call", "telephonyCall: an Aircall call ended, all fields, 4 refs, rawResource, minified",
      true, read_file(data_dir + "/call.json"));
  out.back().model = "telephonyCall";
  add("transcript", "telephonyCallTranscript: a call transcript, 50 segments, 2 speakers, minified",
      true, read_file(data_dir + "/transcript.json"));
  out.back().model = "telephonyCallTranscript";
  add("event_type", "schedulingEventType: a Calendly event type, 4 questions (5 options), minified",
      true, read_file(data_dir + "/event_type.json"));
  out.back().model = "schedulingEventType";
  add("scheduling_event", "schedulingEvent: a booking, 2 external attendees, 4 answers, minified",
      true, read_file(data_dir + "/scheduling_event.json"));
  out.back().model = "schedulingEvent";
  // The flat models (one sample each, minified as Morph sends them).
  struct Sample {
    const char* name;
    const char* model;
    const char* description;
  };
  static constexpr Sample flat[] = {
      {"company", "genericCompany", "genericCompany: a company renamed, one field"},
      {"user", "genericUser", "genericUser: a user created, three fields, an email"},
      {"workspace", "genericWorkspace", "genericWorkspace: a workspace renamed, one field"},
      {"opportunity", "crmOpportunity",
       "crmOpportunity: a HubSpot deal update, all fields, 8 refs, rawResource"},
      {"stage", "crmStage", "crmStage: a pipeline stage, name, type and pipeline ref"},
      {"pipeline", "crmPipeline", "crmPipeline: a pipeline with its 7 stage refs"},
      {"card_view", "widgetCardView", "widgetCardView: a widget opened on a HubSpot contact"},
      {"slot", "schedulingSlot", "schedulingSlot: an available slot, all fields"},
      {"invoice", "accountingInvoice", "accountingInvoice: an invoice, all fields, 5 refs"},
      {"invoice_line_item", "accountingInvoiceLineItem",
       "accountingInvoiceLineItem: a line of an invoice, all fields"},
      {"invoice_item", "accountingInvoiceItem", "accountingInvoiceItem: a catalogue item"},
  };
  for (const Sample& sample : flat) {
    add(sample.name, sample.description, true, read_file(data_dir + "/" + sample.name + ".json"));
    out.back().model = sample.model;
  }

  // Event views, built once every payload is in place.
  for (Payload& p : out) {
    const char* const begin = p.bytes.data();
    const char* const end = begin + p.bytes.size();
    const std::size_t readable_end = p.bytes.size() + simdjson::SIMDJSON_PADDING;
    if (p.name != "ndjson") {
      p.events.push_back(Body{begin, p.bytes.size(), readable_end});
      continue;
    }
    for (const char* line = begin; line < end;) {
      const char* nl = line;
      while (nl < end && *nl != '\n') ++nl;
      if (nl > line) {
        const auto offset = static_cast<std::size_t>(line - begin);
        p.events.push_back(Body{line, static_cast<std::size_t>(nl - line), readable_end - offset});
      }
      line = nl + 1;
    }
  }
  return out;
}

}  // namespace morph_bench
