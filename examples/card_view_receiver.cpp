// Answers Morph's widgetCardView events with cards computed from the event (cpp-httplib).
//
//   card_view_receiver [--host 127.0.0.1] [--port 8080]
//
// POST /webhooks/morph with a widgetCardView event: 200 and a card view body (Morph shows
// the cards in the CRM widget the user just opened). Bad headers or body: http_status(error)
// and error_json(error); an event of another model: 422. Prints "listening on HOST:PORT",
// then one line per card view; stops on SIGINT/SIGTERM.
//
// The answer is synchronous: a user is waiting for the widget. Morph documents no time
// limit, so everything here is computed from the event itself, with no I/O.
#include <httplib.h>
#include <pthread.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "morph/webhook.hpp"
#include "morph/webhook/adapters/httplib.hpp"

namespace mw = morph::webhook;

namespace {

constexpr const char* app_url = "https://app.example.com";

// The record kinds a widget can be opened on: field of the event, label, path in the app.
struct Subject {
  std::string_view field;
  std::string_view label;
  std::string_view path;
};
constexpr Subject subjects[] = {
    {"genericContact", "Contact", "/contacts/"},
    {"genericCompany", "Company", "/companies/"},
    {"crmOpportunity", "Opportunity", "/deals/"},
};

// What the cards are computed from: ids of the refs in `fields` (empty when absent).
struct Opened {
  std::string user;  // triggeredBy
  const Subject* subject = nullptr;
  std::string record;  // id of the subject's ref
};

mw::Error field_error(mw::ErrorCode code, std::string_view field, std::string message) {
  std::string pointer = "/data/fields";
  if (!field.empty()) pointer += "/" + std::string(field);
  return mw::Error{code, std::move(pointer), std::string(), std::move(message)};
}

// The `id` of the ref at fields[field], or nullopt when absent. parse_envelope() has checked
// that `fields` is a well-formed object; what is inside is this model's business.
mw::Result<std::optional<std::string>> ref_id(simdjson::ondemand::object& fields,
                                              std::string_view field) {
  simdjson::ondemand::value value;
  const auto found = fields.find_field_unordered(field).get(value);
  if (found == simdjson::NO_SUCH_FIELD) return std::optional<std::string>();
  simdjson::ondemand::object ref;
  std::string_view id;
  if (found != simdjson::SUCCESS || value.get_object().get(ref) != simdjson::SUCCESS ||
      ref.find_field_unordered("id").get_string().get(id) != simdjson::SUCCESS) {
    return field_error(mw::ErrorCode::wrong_type, field,
                       "expected a ref: an object with a string id");
  }
  return std::optional<std::string>(std::string(id));
}

// Reads the refs of a widgetCardView `fields` object with simdjson On-Demand.
mw::Result<Opened> read_fields(std::string_view fields_json) {
  const simdjson::padded_string padded(fields_json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object fields;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(fields) != simdjson::SUCCESS) {
    return field_error(mw::ErrorCode::wrong_type, "", "expected an object");
  }
  Opened opened;
  auto user = ref_id(fields, "triggeredBy");
  if (!user) return std::move(user).error();
  opened.user = user->value_or("");
  for (const Subject& subject : subjects) {
    auto record = ref_id(fields, subject.field);
    if (!record) return std::move(record).error();
    if (*record && !opened.subject) {  // connectors set at most one; keep the first
      opened.subject = &subject;
      opened.record = **record;
    }
  }
  return opened;
}

// The cards for a widget opened on `opened`.
mw::CardView cards_for(const Opened& opened, std::string_view event_id) {
  mw::CardView view;
  mw::CardViewRoot& root = view.root.emplace();
  root.title = "Example App";
  root.provider_name = "Example";
  root.actions.push_back(mw::open_url_action("Open Example", std::string(app_url) + "/"));
  if (opened.subject == nullptr) {
    view.add_card("Nothing to show")
        .contents.push_back(
            mw::status_content("Record", "this widget is not opened on a contact, company or deal",
                               mw::StatusStyle::warning));
    return view;
  }
  const std::string url = std::string(app_url) + std::string(opened.subject->path) + opened.record;
  mw::Card& card = view.add_card(std::string(opened.subject->label) + " " + opened.record, url);
  card.contents.push_back(mw::text_content("Record id", opened.record, url));
  card.contents.push_back(mw::text_content(
      "Opened by", opened.user.empty() ? std::string("unknown user") : "user " + opened.user));
  card.contents.push_back(mw::text_content("Request", std::string(event_id)));
  card.contents.push_back(mw::status_content("Sync", "up to date", mw::StatusStyle::success));
  card.actions.push_back(mw::open_url_in_iframe_action("Edit", url + "/edit"));
  return view;
}

void handle(const httplib::Request& req, httplib::Response& res) {
  const auto headers = mw::validate_headers(req);
  if (!headers) return mw::set_error_response(res, headers.error());
  const auto event = mw::parse_envelope(req.body);
  if (!event) return mw::set_error_response(res, event.error());
  if (event->model != "widgetCardView") {
    return mw::set_error_response(
        res,
        mw::Error{mw::ErrorCode::unsupported_model, "/data/model", std::string(),
                  "this receiver answers widgetCardView events, not " + std::string(event->model)});
  }
  const auto opened = read_fields(event->fields);
  if (!opened) return mw::set_error_response(res, opened.error());
  if (const auto error = mw::set_card_view_response(res, cards_for(*opened, event->id))) {
    std::fprintf(stderr, "card_view_receiver: %s\n", mw::to_string(*error).c_str());
  }
  std::printf("card view %.*s key=%.*s status=%d\n", static_cast<int>(event->id.size()),
              event->id.data(), static_cast<int>(headers->idempotency_key.size()),
              headers->idempotency_key.data(), res.status);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8080;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--host" && i + 1 < argc) {
      host = argv[++i];
    } else if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--host ADDR] [--port N (0: any free port)]\n", argv[0]);
      return 2;
    }
  }

  // SIGINT/SIGTERM go to one thread (sigwait); httplib's threads inherit the blocked mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  httplib::Server server;
  server.set_payload_max_length(mw::ParseOptions{}.max_body_bytes);
  server.Post("/webhooks/morph", handle);

  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    std::fprintf(stderr, "card_view_receiver: cannot listen on %s:%d\n", host.c_str(), port);
    return 1;
  }
  std::atomic<bool> done{false};
  std::thread stopper([&server, &stop_signals, &done] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    // A signal that comes before listen_after_bind() has started must not be lost.
    while (!done && !server.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    server.stop();
  });
  std::printf("listening on %s:%d\n", host.c_str(), bound);
  std::fflush(stdout);
  const bool ok = server.listen_after_bind();
  done = true;
  pthread_kill(stopper.native_handle(), SIGTERM);  // wakes sigwait() if no signal came
  stopper.join();
  return ok ? 0 : 1;
}
