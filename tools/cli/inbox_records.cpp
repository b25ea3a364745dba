/// @file inbox_records.cpp
/// @brief The filter options and the JSON of a delivery record (see inbox_records.hpp).
#include "cli/inbox_records.hpp"

#include <unistd.h>

#include <cstdio>

#include <simdjson.h>

#include "cli/duration.hpp"
#include "cli/inbox_common.hpp"
#include "morph/webhook/datetime.hpp"
#include "morph/webhook/json_writer.hpp"

namespace morph::webhook::cli {

void add_filter_options(CLI::App& command, FilterOptions& o) {
  command.add_option("--state", o.state, "Only in this state: ready, leased, delayed, dead, acked")
      ->check(CLI::IsMember({"ready", "leased", "delayed", "dead", "acked"}));
  command.add_option("--model", o.model, "Only events of this model (e.g. crmContact)");
  command.add_option("--resource", o.resource,
                     "Only one resource: CONNECTOR/OWNER/MODEL/ID (data.id)");
  command.add_option("--connector", o.connector, "Only from this connector (x-conector-id)");
  command.add_option("--owner", o.owner, "Only of this owner (x-owner-id)");
  command.add_option("--since", o.since,
                     "Only received at or after: RFC 3339 (2026-12-08T01:00:00Z) or a duration "
                     "ago (90m, 2h, 48h)");
  command.add_option("--until", o.until, "Only received before (as --since)");
  command.add_flag("--stale", o.stale, "Only deliveries whose last verdict is stale");
}

std::optional<TimePoint> parse_time_option(std::string_view text, TimePoint now) {
  TimePoint t{};
  if (parse_datetime(text, false, t) == DateTimeError::none) return t;
  if (const auto ago = parse_duration(text)) return now - *ago;
  return std::nullopt;
}

std::optional<DeliveryFilter> to_filter(const FilterOptions& o, TimePoint now, std::string& error) {
  DeliveryFilter f;
  if (!o.state.empty()) f.state = delivery_state_named(o.state);
  f.model = o.model;
  f.connector_id = o.connector;
  f.owner_id = o.owner;
  f.stale = o.stale;
  if (!o.resource.empty()) {
    // CONNECTOR/OWNER/MODEL/ID; the id is the rest (it may hold a '/').
    std::string_view rest = o.resource;
    std::string parts[3];
    for (std::string& part : parts) {
      const std::size_t slash = rest.find('/');
      if (slash == std::string_view::npos) {
        error = "--resource expects CONNECTOR/OWNER/MODEL/ID, got '" + o.resource + "'";
        return std::nullopt;
      }
      part = std::string(rest.substr(0, slash));
      rest.remove_prefix(slash + 1);
    }
    if (rest.empty() || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
      error = "--resource expects CONNECTOR/OWNER/MODEL/ID, got '" + o.resource + "'";
      return std::nullopt;
    }
    if ((!f.connector_id.empty() && f.connector_id != parts[0]) ||
        (!f.owner_id.empty() && f.owner_id != parts[1]) ||
        (!f.model.empty() && f.model != parts[2])) {
      error = "--resource contradicts --connector, --owner or --model";
      return std::nullopt;
    }
    f.connector_id = parts[0];
    f.owner_id = parts[1];
    f.model = parts[2];
    f.resource_id = std::string(rest);
  }
  for (const auto& [text, out, name] :
       {std::tuple{&o.since, &f.since, "--since"}, std::tuple{&o.until, &f.until, "--until"}}) {
    if (text->empty()) continue;
    *out = parse_time_option(*text, now);
    if (!*out) {
      error = std::string(name) + " expects an RFC 3339 time or a duration, got '" + *text + "'";
      return std::nullopt;
    }
  }
  return f;
}

std::string pretty_json(std::string_view text) {
  simdjson::dom::parser parser;
  if (parser.parse(text.data(), text.size()).error() != simdjson::SUCCESS) {
    return std::string(text);
  }
  // The text is valid JSON: indent it outside strings.
  std::string out;
  out.reserve(text.size() * 2);
  int depth = 0;
  bool in_string = false;
  const auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<std::size_t>(level) * 2, ' ');
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out += c;
        break;
      case '{':
      case '[': {
        // An empty object or array stays on one line.
        std::size_t j = i + 1;
        while (j < text.size() &&
               (text[j] == ' ' || text[j] == '\n' || text[j] == '\t' || text[j] == '\r')) {
          ++j;
        }
        if (j < text.size() && (text[j] == '}' || text[j] == ']')) {
          out += c;
          out += text[j];
          i = j;
          break;
        }
        out += c;
        newline(++depth);
        break;
      }
      case '}':
      case ']':
        newline(--depth);
        out += c;
        break;
      case ',':
        out += c;
        newline(depth);
        break;
      case ':': out += ": "; break;
      case ' ':
      case '\n':
      case '\t':
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

std::string record_json(const DeliveryRecord& r, bool with_body) {
  const auto flag = [](bool b) { return b ? "true" : "false"; };
  std::string out = "{\"delivery\":" + std::to_string(r.id) + ",\"state\":";
  append_json_string(out, to_string(r.state));
  out += ",\"attempts\":" + std::to_string(r.attempts);
  out += std::string(",\"stale\":") + flag(r.stale);
  out += std::string(",\"arrival_stale\":") + flag(r.arrival_stale);
  out += std::string(",\"superseded\":") + flag(r.superseded);
  out += std::string(",\"waiting\":") + flag(r.waiting);
  out += std::string(",\"blocked\":") + flag(r.blocked);
  out += ",\"replays\":" + std::to_string(r.replays);
  append_origin(out, r.received_at, r.connector_id, r.owner_id, r.idempotency_key);
  out += ",\"due_at\":";
  if (r.due_at) {
    append_json_string(out, format_time(*r.due_at));
  } else {
    out += "null";
  }
  out += ",\"model\":";
  append_json_string(out, r.model);
  out += ",\"resource_id\":";
  append_json_string(out, r.resource_id);
  out += ",\"trigger\":";
  append_json_string(out, to_string(r.trigger));
  out += ",\"updated_at\":";
  append_json_string(out, format_time(r.updated_at));
  out += ",\"last_error\":";
  append_json_string(out, r.last_error);
  if (with_body) {
    out += ",\"body\":";
    simdjson::dom::parser parser;
    if (parser.parse(r.body.data(), r.body.size()).error() == simdjson::SUCCESS) {
      std::string minified(r.body.size(), '\0');
      std::size_t length = 0;
      if (simdjson::minify(r.body.data(), r.body.size(), minified.data(), length) ==
          simdjson::SUCCESS) {
        out.append(minified.data(), length);
      } else {
        append_json_string(out, r.body);
      }
    } else {
      append_json_string(out, r.body);
    }
  }
  out += '}';
  return out;
}

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

}  // namespace morph::webhook::cli
