/// @file inbox_common.cpp
/// @brief What the inbox subcommands share (see inbox_common.hpp).
#include "cli/inbox_common.hpp"

#include <simdjson.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "cli/inbox_uri.hpp"
#include "morph/webhook/json_writer.hpp"

namespace morph::webhook::cli {

std::unique_ptr<Inbox> open_or_report(const char* command, const std::string& uri,
                                      InboxCreation creation) {
  Result<std::unique_ptr<Inbox>> opened = open_inbox(uri, creation);
  if (!opened) {
    print_inbox_error(command, "cannot open the inbox: " + opened.error().message);
    return nullptr;
  }
  return std::move(*opened);
}

int report(const char* command, const std::string& what, const Error& error) {
  print_inbox_error(command,
                    what + ": " + std::string(to_string(error.code)) + ": " + error.message);
  return error.code == ErrorCode::storage_unavailable ? exit_error : exit_nothing;
}

bool parse_id(std::string_view text, DeliveryId& id) {
  if (text.empty() || text.size() > 18) return false;
  id = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    id = id * 10 + (c - '0');
  }
  return true;
}

bool parse_lease(const std::string& text, DeliveryId& id, std::string& token) {
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos || colon + 1 == text.size()) return false;
  token = text.substr(colon + 1);
  return parse_id(std::string_view(text).substr(0, colon), id);
}

void append_origin(std::string& out, TimePoint received_at, std::string_view connector,
                   std::string_view owner, std::string_view key) {
  out += ",\"received_at\":";
  append_json_string(out, format_time(received_at));
  out += ",\"connector_id\":";
  append_json_string(out, connector);
  out += ",\"owner_id\":";
  append_json_string(out, owner);
  out += ",\"idempotency_key\":";
  append_json_string(out, key);
}

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

void print_inbox_error(const char* command, const std::string& message) {
  std::fprintf(stderr, "morph-webhook inbox %s: %s\n", command, message.c_str());
}

std::string format_time(TimePoint t) {
  const auto micros = t.time_since_epoch().count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  long fraction = static_cast<long>(micros % 1000000);
  if (fraction < 0) {
    fraction += 1000000;
    --seconds;
  }
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
  return out;
}

std::string delivery_json(const Delivery& d) {
  std::string out = "{\"delivery\":" + std::to_string(d.id) + ",\"lease\":";
  append_json_string(out, d.lease_token);
  out += ",\"attempt\":" + std::to_string(d.attempt);
  out += d.stale ? ",\"stale\":true" : ",\"stale\":false";
  append_origin(out, d.received_at, d.connector_id, d.owner_id, d.idempotency_key);
  if (d.replays > 0) out += ",\"replays\":" + std::to_string(d.replays);
  out += ",\"lease_expires_at\":";
  append_json_string(out, format_time(d.lease_expires_at));
  out += ",\"body\":";
  // The body was checked before it was stored, so it is one JSON value: minified, it fits on
  // the line. Should minify fail (it never did), the body goes out as a JSON string instead.
  std::string minified(d.body.size(), '\0');
  std::size_t length = 0;
  if (simdjson::minify(d.body.data(), d.body.size(), minified.data(), length) ==
      simdjson::SUCCESS) {
    out.append(minified.data(), length);
  } else {
    append_json_string(out, d.body);
  }
  out += '}';
  return out;
}

void add_inbox_location(CLI::App& command, std::string& uri) {
  command
      .add_option("--inbox", uri,
                  "Inbox URI: sqlite:PATH[?PARAMS], redis://HOST:PORT[/DB][?name=NAME] or "
                  "redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTER[/DB][?name=NAME]")
      ->capture_default_str();
  command
      .add_option("--redis-password-file", redis_password_file(),
                  "File whose first line is the Redis password (instead of one in the URI)")
      ->check(CLI::ExistingFile);
  command
      .add_option("--sentinel-password-file", sentinel_password_file(),
                  "File whose first line is the Redis Sentinels' own password "
                  "(redis-sentinel:// inboxes)")
      ->check(CLI::ExistingFile);
}

}  // namespace morph::webhook::cli
