// Stand-ins for the functions of "your" service that the README's C++ blocks call (log, reply,
// handle, ...). Every ```cpp block of README.md is compiled as its own program with this header
// force-included (tests/readme/CMakeLists.txt) and run by ctest, so a snippet can never rot.
// The stand-ins print what a real service would do, so a run shows that the snippet did it.
#pragma once

#include <morph/webhook.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#ifndef MORPH_WEBHOOK_README_PAYLOADS
#define MORPH_WEBHOOK_README_PAYLOADS "examples/payloads"
#endif

/// Writes a log line (your logger).
inline void log(std::string_view line) {
  std::printf("log: %.*s\n", static_cast<int>(line.size()), line.data());
}

/// Sends an HTTP answer (your web framework).
inline void reply(int status, std::string_view body) {
  std::printf("reply: %d %.*s\n", status, static_cast<int>(body.size()), body.data());
}

/// Your handling of a deleted record.
inline void forget(std::string_view id) {
  std::printf("forget: %.*s\n", static_cast<int>(id.size()), id.data());
}

/// Your handling of a call.
inline void record_call(std::string_view id, std::int64_t seconds, std::string_view owner) {
  std::printf("record_call: %.*s %lld s owner=%.*s\n", static_cast<int>(id.size()), id.data(),
              static_cast<long long>(seconds), static_cast<int>(owner.size()), owner.data());
}

/// Your link between an engagement and a contact.
inline void link_contact(std::string_view engagement, std::string_view contact) {
  std::printf("link_contact: %.*s -> %.*s\n", static_cast<int>(engagement.size()),
              engagement.data(), static_cast<int>(contact.size()), contact.data());
}

/// Your work on an event taken off a queue.
inline void handle(const morph::webhook::WebhookEvent& event) {
  std::printf("handle: %.*s %.*s\n", static_cast<int>(event.event.size()), event.event.data(),
              static_cast<int>(event.id.size()), event.id.data());
}

/// A body as Morph sends it: examples/payloads/<name> (a crmEngagement call by default).
inline std::string example_body(const char* name = "call-created.json") {
  std::ifstream in(std::string(MORPH_WEBHOOK_README_PAYLOADS) + "/" + name, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "example_body: cannot read %s\n", name);
    std::abort();
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
