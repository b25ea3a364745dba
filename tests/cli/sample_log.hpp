// A webhook log shaped like real Morph traffic, generated deterministically: the corpus of the
// CLI's throughput measurement (README, "Throughput") and of the --jobs tests. One compact JSON
// body per line, as Morph's connectors send them (HubSpot engagement and contact mappers,
// Aircall calls), with varying ids, times, text lengths and Unicode.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "morph/webhook/json.hpp"
#include "morph/webhook/json_writer.hpp"

namespace morph::webhook::sample_log {

/// A small deterministic generator (64-bit LCG, Knuth's constants), so that every run and
/// every machine gets the same log.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed * 2862933555777941757ULL + 1) {}
  /// A number in [0, n).
  std::size_t below(std::size_t n) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((state_ >> 33) % n);
  }

 private:
  std::uint64_t state_;
};

/// Sentences that emails and meetings are made of (Unicode, quotes, newlines as Morph's JSON
/// carries them).
inline constexpr const char* sentences[] = {
    "Thanks for the call today, here is a summary of what we agreed on.",
    "Pricing for 250 seats: 18 € per seat and month, billed annually.",
    "Roll-out in the Munich office (Müller, Østergaard) starts on the 3rd.",
    "Could you confirm the \"security review\" date with your IT team?",
    "The integration with Salesforce is planned for Q3 — we'll share the plan.",
    "Naïve question: does the renewal include the onboarding workshop?",
    "Attached: the signed order form and the DPA.\n",
    "Best regards,\nJane",
};

/// Appends `"<key>":"<time>"`: `base` plus `seconds`, as Morph writes it (toISOString()).
inline void append_time(std::string& out, const char* key, std::int64_t seconds) {
  out += '"';
  out += key;
  out += "\":";
  const TimePoint base{std::chrono::microseconds(std::int64_t{1741251904606000})};  // 2025-03-06
  detail::append_rfc3339(out, base + std::chrono::seconds(seconds));
}

/// Appends text of about `length` bytes made of sentences, as a JSON string.
inline void append_text(std::string& out, Random& random, std::size_t length) {
  std::string text;
  while (text.size() < length) {
    text += sentences[random.below(std::size(sentences))];
    text += ' ';
  }
  append_json_string(out, text);
}

/// Appends `"<key>":[refs]` with `n` refs to `model`, ids from `first`.
inline void append_refs(std::string& out, const char* key, const char* model, std::size_t n,
                        std::size_t first) {
  out += '"';
  out += key;
  out += "\":[";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    out += R"({"object":"resourceRef","model":")";
    out += model;
    out += R"(","id":")" + std::to_string(first + i * 7) + "\"}";
  }
  out += ']';
}

/// The envelope up to `"fields":{`.
inline void begin(std::string& out, const char* model, const char* trigger, std::size_t id) {
  out += R"({"event":")";
  out += model;
  out += "::";
  out += trigger;
  out += R"(","data":{"object":"resource","model":")";
  out += model;
  out += R"(","id":")" + std::to_string(id) + R"(","fields":{)";
}

/// From the end of `fields` to the end of the body.
inline void end(std::string& out, std::int64_t seconds, const std::string& raw_resource,
                bool warnings) {
  out += "},";
  append_time(out, "createdAt", seconds - 3600);
  out += ',';
  append_time(out, "updatedAt", seconds);
  if (!raw_resource.empty()) out += ",\"rawResource\":" + raw_resource;
  if (warnings) {
    out += R"(,"warnings":[{"code":"CONNECTOR::MAPPER::READ_VALIDATION_FAILED","message":)"
           R"("fields.type: Invalid enum value. Expected 'call' | 'meeting' | 'email' | 'task' | )"
           R"('note', received 'NOTE'"},{"code":"CONNECTOR::MAPPER::READ_FAILED","message":)"
           R"~("fields.startedAt: cannot read engagement.timestamp (null)"}])~";
  }
  out += "}}";
}

/// Appends event number `i` of the log (no newline). The mix: 30 % HubSpot calls with their
/// rawResource, 15 % meetings with 7 refs, 20 % emails with 200-3,000-byte bodies, 8 % notes
/// whose type and startedAt Morph dropped (2 warnings), 7 % deleted engagements, 10 %
/// genericContact updates, 10 % Aircall telephonyCall events.
inline void append_event(std::string& out, std::size_t i) {
  Random random(i);
  const std::size_t id = 40000000 + i;
  const auto seconds = static_cast<std::int64_t>(i) * 3;
  const std::size_t kind = random.below(100);
  if (kind < 30) {  // a call, as HubSpot's engagement mapper sends it
    begin(out, "crmEngagement", "created", id);
    out += R"("type":"call","status":"completed","direction":")";
    out += random.below(2) != 0 ? "outbound" : "inbound";
    out += R"(","title":"Call w/ Jane","description":"Left voicemail & follow-up",)";
    append_time(out, "startedAt", seconds - 60);
    out += ",\"duration\":" + std::to_string(random.below(3600)) + ',';
    out += R"("owner":{"object":"resourceRef","model":"genericUser","id":"123"},)";
    append_refs(out, "contacts", "genericContact", 1, 247 + i % 1000);
    out += R"(,"companies":[],)";
    append_refs(out, "opportunities", "crmOpportunity", 1, 9001);
    const std::string raw =
        R"({"engagement":{"id":)" + std::to_string(id) +
        R"(,"portalId":62515,"active":true,"createdAt":1444223400781,"lastUpdated":1444223400781,)"
        R"("ownerId":123,"type":"CALL","timestamp":1444223400781},"associations":{"contactIds":)"
        R"([247],"companyIds":[],"dealIds":[9001],"ownerIds":[],"workflowIds":[],"ticketIds":[]},)"
        R"("attachments":[],"metadata":{"toNumber":"+18884827768","fromNumber":"+18884827769",)"
        R"("status":"COMPLETED","durationMilliseconds":38000,"body":"Left voicemail &amp; )"
        R"(follow-up","disposition":"f240bbac-87c9-4f6e-bf70-924b57d47db7"}})";
    end(out, seconds, raw, false);
  } else if (kind < 45) {  // a meeting with users, contacts, a company and a deal
    begin(out, "crmEngagement", "updated", id);
    out += R"("type":"meeting","status":"planned","title":"Quarterly business review — Acme )"
           R"(× Globex","description":)";
    append_text(out, random, 120 + random.below(200));
    out += ',';
    append_time(out, "startedAt", seconds + 86400);
    out += ',';
    append_time(out, "endedAt", seconds + 90000);
    out += ",\"duration\":3600,";
    out += R"("owner":{"object":"resourceRef","model":"genericUser","id":"123"},)";
    append_refs(out, "users", "genericUser", 2, 124);
    out += ',';
    append_refs(out, "contacts", "genericContact", 3, 300 + i % 500);
    out += ',';
    append_refs(out, "companies", "genericCompany", 1, 88001);
    out += ',';
    append_refs(out, "opportunities", "crmOpportunity", 1, 9002);
    end(out, seconds, "", false);
  } else if (kind < 65) {  // an email with a long body
    begin(out, "crmEngagement", "created", id);
    out += R"("type":"email","status":"completed","direction":"outbound","title":"Re: )"
           R"(Renewal — next steps","description":)";
    append_text(out, random, 200 + random.below(2800));
    out += ',';
    append_time(out, "startedAt", seconds - 5);
    out += ",";
    out += R"("owner":{"object":"resourceRef","model":"genericUser","id":"123"},)";
    append_refs(out, "contacts", "genericContact", 2, 400 + i % 300);
    out += ',';
    append_refs(out, "companies", "genericCompany", 1, 88002);
    end(out, seconds, R"({"engagement":{"id":)" + std::to_string(id) + R"(,"type":"EMAIL"}})",
        false);
  } else if (kind < 73) {  // a note whose type and startedAt Morph could not read
    begin(out, "crmEngagement", "created", id);
    out += R"("title":"Follow up on pricing question","description":"Customer asked about )"
           R"(volume discounts.",)";
    out += R"("owner":{"object":"resourceRef","model":"genericUser","id":"123"},)";
    append_refs(out, "contacts", "genericContact", 1, 1051);
    end(out, seconds,
        R"({"engagement":{"id":)" + std::to_string(id) +
            R"(,"type":"NOTE","timestamp":null},"metadata":{"body":"Customer asked about )"
            R"(volume discounts."}})",
        true);
  } else if (kind < 80) {  // a deleted engagement: no fields
    begin(out, "crmEngagement", "deleted", id);
    end(out, seconds, "", false);
  } else if (kind < 90) {  // a HubSpot contact update
    begin(out, "genericContact", "updated", id);
    out += R"("firstName":"Zoë","lastName":"O'Brien-Martínez","email":"zoe.obrien)" +
           std::to_string(i) + R"(@northwind-traders.example.com","phone":"+33 6 12 34 56 78")";
    end(out, seconds,
        R"({"id":")" + std::to_string(id) +
            R"(","properties":{"firstname":"Zoë","lastname":"O'Brien-Martínez",)"
            R"("hs_object_id":")" +
            std::to_string(id) + R"("},"archived":false})",
        false);
  } else {  // an Aircall call, ended
    begin(out, "telephonyCall", "updated", id);
    out += R"("direction":"inbound","status":"completed",)";
    append_time(out, "startedAt", seconds - 260);
    out += ',';
    append_time(out, "answeredAt", seconds - 253);
    out += ',';
    append_time(out, "endedAt", seconds - 8);
    out += ",\"duration\":252,\"recordingUrl\":\"https://recordings.aircall.example/calls/" +
           std::to_string(id) + "/recording.mp3\",";
    append_refs(out, "users", "genericUser", 2, 1043917);
    out += ',';
    append_refs(out, "contacts", "genericContact", 1, 58822019);
    out += R"(,"externalNumber":"+33612345678","internalNumber":"+14155550100",)";
    out += R"("transcript":{"object":"resourceRef","model":"telephonyCallTranscript","id":")" +
           std::to_string(id) + "\"}";
    end(out, seconds,
        R"({"id":)" + std::to_string(id) +
            R"(,"status":"done","direction":"inbound","raw_digits":"+33 6 12 34 56 78",)"
            R"("user":{"id":1043917,"name":"Madeleine Roux","email":"madeleine@acme.example"},)"
            R"("number":{"id":472910,"digits":"+1 415-555-0100","name":"Support US"},"tags":[]})",
        false);
  }
}

/// An invalid line, one of several kinds (`i` picks): what a --jobs test mixes in.
inline std::string invalid_line(std::size_t i) {
  std::string body;
  append_event(body, i);
  switch (i % 5) {
    case 0: return body.substr(0, body.size() / 2);                       // cut: invalid_json
    case 1: return "{\"event\":\"crmEngagement::created\",\"data\":{}}";  // missing_field
    case 2: body.insert(1, "\"event\":\"x\","); return body;              // duplicate key
    case 3: return "[1,2,3]";                                             // not an object
    default: {
      const std::string key = "\"createdAt\":\"";
      body.replace(body.find(key) + key.size(), 10, "2025-02-30");  // no such date
      return body;
    }
  }
}

}  // namespace morph::webhook::sample_log
