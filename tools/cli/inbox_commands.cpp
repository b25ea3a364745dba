/// @file inbox_commands.cpp
/// @brief The one-shot inbox subcommands (see inbox_commands.hpp).
#include "cli/inbox_commands.hpp"

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
namespace {

/// Opens `uri` or says why not on stderr.
std::unique_ptr<Inbox> open_or_report(const char* command, const std::string& uri) {
  Result<std::unique_ptr<Inbox>> opened = open_inbox(uri);
  if (!opened) {
    print_inbox_error(command, "cannot open the inbox: " + opened.error().message);
    return nullptr;
  }
  return std::move(*opened);
}

/// Exit status for a failed operation: 1 when refused (lease_lost, not_found), 2 otherwise.
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

/// `ID:TOKEN` split; false when malformed.
bool parse_lease(const std::string& text, DeliveryId& id, std::string& token) {
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos || colon + 1 == text.size()) return false;
  token = text.substr(colon + 1);
  return parse_id(std::string_view(text).substr(0, colon), id);
}

/// `,"received_at":...,"connector_id":...,"owner_id":...,"idempotency_key":...`: where a
/// delivery came from, in pull's and dead's JSON lines.
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

}  // namespace

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

int inbox_stats(const std::string& uri, bool json) {
  auto inbox = open_or_report("stats", uri);
  if (!inbox) return exit_error;
  const Result<InboxStats> s = inbox->stats();
  if (!s) return report("stats", "reading the inbox", s.error());
  const double oldest =
      s->oldest_ready_age ? std::chrono::duration<double>(*s->oldest_ready_age).count() : 0.0;
  char line[512];
  if (json) {
    std::snprintf(line, sizeof line,
                  "{\"ready\":%" PRIu64 ",\"leased\":%" PRIu64 ",\"delayed\":%" PRIu64
                  ",\"dead\":%" PRIu64 ",\"acked_retained\":%" PRIu64 ",\"stale\":%" PRIu64
                  ",\"oldest_ready_seconds\":%.3f}\n",
                  s->ready, s->leased, s->delayed, s->dead, s->acked_retained, s->stale, oldest);
  } else {
    std::snprintf(line, sizeof line,
                  "ready           %" PRIu64 "\nleased          %" PRIu64
                  "\ndelayed         %" PRIu64 "\ndead            %" PRIu64
                  "\nacked_retained  %" PRIu64 "\nstale           %" PRIu64
                  "\noldest ready    %.3f s\n",
                  s->ready, s->leased, s->delayed, s->dead, s->acked_retained, s->stale, oldest);
  }
  std::fputs(line, stdout);
  return exit_ok;
}

int inbox_pull(const std::string& uri, std::size_t max, InboxDuration lease, InboxDuration wait) {
  auto inbox = open_or_report("pull", uri);
  if (!inbox) return exit_error;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    Result<std::vector<Delivery>> got = inbox->lease(max, lease);
    if (!got) return report("pull", "leasing", got.error());
    if (!got->empty()) {
      for (const Delivery& d : *got) print_line(delivery_json(d));
      return std::fflush(stdout) == 0 ? exit_ok : exit_error;
    }
    if (std::chrono::steady_clock::now() >= deadline) return exit_nothing;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int inbox_ack(const std::string& uri, const std::vector<std::string>& leases) {
  std::vector<std::pair<DeliveryId, std::string>> parsed;
  for (const std::string& text : leases) {
    DeliveryId id = 0;
    std::string token;
    if (!parse_lease(text, id, token)) {
      print_inbox_error("ack", "expected ID:TOKEN (as printed by pull), got '" + text + "'");
      return exit_error;
    }
    parsed.emplace_back(id, std::move(token));
  }
  auto inbox = open_or_report("ack", uri);
  if (!inbox) return exit_error;
  int status = exit_ok;
  for (const auto& [id, token] : parsed) {
    const Result<Done> r = inbox->ack(id, token);
    if (r) {
      std::printf("acked %" PRId64 "\n", id);
    } else {
      const int s = report("ack", "delivery " + std::to_string(id), r.error());
      if (s > status) status = s;
    }
  }
  return status;
}

int inbox_fail(const std::string& uri, const std::string& lease, const std::string& reason) {
  DeliveryId id = 0;
  std::string token;
  if (!parse_lease(lease, id, token)) {
    print_inbox_error("fail", "expected ID:TOKEN (as printed by pull), got '" + lease + "'");
    return exit_error;
  }
  auto inbox = open_or_report("fail", uri);
  if (!inbox) return exit_error;
  const Result<Failed> r = inbox->fail(id, token, reason);
  if (!r) return report("fail", "delivery " + std::to_string(id), r.error());
  if (r->dead) {
    std::printf("dead %" PRId64 "\n", id);
  } else {
    std::printf("failed %" PRId64 ": retry at %s\n", id, format_time(r->retry_at).c_str());
  }
  return exit_ok;
}

int inbox_dead(const std::string& uri) {
  auto inbox = open_or_report("dead", uri);
  if (!inbox) return exit_error;
  const Result<std::vector<DeadLetter>> dead = inbox->dead_letters(1000000);
  if (!dead) return report("dead", "reading the dead letters", dead.error());
  for (const DeadLetter& d : *dead) {
    std::string out =
        "{\"delivery\":" + std::to_string(d.id) + ",\"attempts\":" + std::to_string(d.attempts);
    out += d.stale ? ",\"stale\":true" : ",\"stale\":false";
    append_origin(out, d.received_at, d.connector_id, d.owner_id, d.idempotency_key);
    out += ",\"last_error\":";
    append_json_string(out, d.last_error);
    out += '}';
    print_line(out);
  }
  return exit_ok;
}

int inbox_requeue(const std::string& uri, const std::vector<std::string>& ids) {
  std::vector<DeliveryId> parsed;
  for (const std::string& text : ids) {
    DeliveryId id = 0;
    if (!parse_id(text, id)) {
      print_inbox_error("requeue", "expected a delivery id, got '" + text + "'");
      return exit_error;
    }
    parsed.push_back(id);
  }
  auto inbox = open_or_report("requeue", uri);
  if (!inbox) return exit_error;
  int status = exit_ok;
  for (const DeliveryId id : parsed) {
    const Result<Done> r = inbox->requeue(id);
    if (r) {
      std::printf("requeued %" PRId64 "\n", id);
    } else {
      const int s = report("requeue", "delivery " + std::to_string(id), r.error());
      if (s > status) status = s;
    }
  }
  return status;
}

int inbox_expire(const std::string& uri) {
  auto inbox = open_or_report("expire", uri);
  if (!inbox) return exit_error;
  const Result<std::uint64_t> removed = inbox->expire();
  if (!removed) return report("expire", "expiring", removed.error());
  std::printf("removed %" PRIu64 "\n", *removed);
  return exit_ok;
}

}  // namespace morph::webhook::cli
