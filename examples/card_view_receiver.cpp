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

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

#include "morph/webhook.hpp"
#include "morph/webhook/adapters/httplib.hpp"

namespace mw = morph::webhook;

namespace {

constexpr const char* app_url = "https://app.example.com";

// The record kinds a widget can be opened on: field of the event, label, path in the app.
struct Subject {
  std::optional<mw::ResourceRef> mw::CardViewRequest::*field;
  std::string_view label;
  std::string_view path;
};
constexpr Subject subjects[] = {
    {&mw::CardViewRequest::generic_contact, "Contact", "/contacts/"},
    {&mw::CardViewRequest::generic_company, "Company", "/companies/"},
    {&mw::CardViewRequest::crm_opportunity, "Opportunity", "/deals/"},
};

// What the cards are computed from: ids of the refs in `fields` (empty when absent).
struct Opened {
  std::string user;  // triggeredBy
  const Subject* subject = nullptr;
  std::string record;  // id of the subject's ref
};

// The typed event's refs (the parser has checked each is a ref with a string id).
Opened opened_on(const mw::CardViewRequest& fields) {
  Opened opened;
  if (fields.triggered_by) opened.user = std::string(fields.triggered_by->id);
  for (const Subject& subject : subjects) {
    const auto& ref = fields.*subject.field;
    if (ref) {  // connectors set at most one; keep the first
      opened.subject = &subject;
      opened.record = std::string(ref->id);
      break;
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
  // One Parser per httplib thread: parse_any() types the event whatever its model.
  thread_local mw::Parser parser;
  const auto parsed = mw::parse_any(parser, req.body);
  if (!parsed) return mw::set_error_response(res, parsed.error());
  const auto* event = std::get_if<mw::CardViewEvent>(&*parsed);
  if (event == nullptr) {
    const std::string_view model = std::visit([](const auto& e) { return e.model; }, *parsed);
    return mw::set_error_response(
        res, mw::Error{mw::ErrorCode::unsupported_model, "/data/model", std::string(),
                       "this receiver answers widgetCardView events, not " + std::string(model)});
  }
  const Opened opened = opened_on(event->fields);
  if (const auto error = mw::set_card_view_response(res, cards_for(opened, event->id))) {
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
