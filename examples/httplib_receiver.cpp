// A Morph webhook receiver on cpp-httplib.
//
//   httplib_receiver [--host 127.0.0.1] [--port 8080] [--max-body-bytes N] [--strict]
//
// POST /webhooks/morph: 200 with {"ok":true,...} for a valid crmEngagement event, otherwise
// http_status(error) with error_json(error). Bodies over the limit get 413 from the
// Content-Length alone, before they are read. Other methods on the path get 405, other paths
// 404. Prints "listening on HOST:PORT", then one line per request; stops on SIGINT/SIGTERM.
#include <httplib.h>
#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "morph/webhook/adapters/httplib.hpp"
#include "receiver_common.hpp"

namespace mw = morph::webhook;

namespace {

// What the handler saw, read back by the logger on the same thread.
thread_local receiver::LogEntry current_entry;

void handle_webhook(const httplib::Request& req, std::string_view body, httplib::Response& res,
                    const mw::ParseOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  receiver::LogEntry& entry = current_entry;
  const auto request = mw::parse_request(req.headers, body, options);
  if (request) {
    res.status = 200;
    res.set_content(receiver::ok_json(*request), "application/json");
    entry.event = std::string(request->event.event);
    entry.id = std::string(request->event.id);
    entry.key = std::string(request->headers.idempotency_key);
  } else {
    mw::set_error_response(res, request.error());
    entry.error = std::string(mw::to_string(request.error().code));
    // The key is worth logging when only the body was wrong.
    if (!request.error().is_header_error()) {
      const auto headers = mw::validate_headers(req);
      if (headers) entry.key = std::string(headers->idempotency_key);
    }
  }
  entry.micros = receiver::micros_since(start);
}

mw::Error body_too_large(std::size_t limit) {
  mw::Error error;
  error.code = mw::ErrorCode::body_too_large;
  error.message = "the body is larger than the limit of " + std::to_string(limit) + " bytes";
  return error;
}

void method_not_allowed(const httplib::Request&, httplib::Response& res) {
  res.status = 405;
  res.set_header("Allow", "POST");
  res.set_content(receiver::route_error_json("method_not_allowed",
                                             "only POST is allowed on /webhooks/morph"),
                  "application/json");
  current_entry.error = "method_not_allowed";
}

}  // namespace

int main(int argc, char** argv) {
  const receiver::Config config = receiver::parse_command_line(argc, argv);

  // SIGINT/SIGTERM are handled by one thread with sigwait(); every other thread (including
  // httplib's workers, created later) inherits the blocked mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  httplib::Server server;
  server.set_tcp_nodelay(true);  // small answers: do not wait for the client's delayed ACK
  // 413 from the Content-Length header, before the body is read into memory.
  server.set_payload_max_length(config.options.max_body_bytes);

  const std::string path(receiver::webhook_path);
  const mw::ParseOptions options = config.options;
  // POST: the body is read here, chunk by chunk, so a chunked body over the limit is refused
  // without being kept. A Content-Length over the limit (set_payload_max_length) makes httplib
  // discard the body unread-into-memory and report 413.
  server.Post(path, [options](const httplib::Request& req, httplib::Response& res,
                              const httplib::ContentReader& read_content) {
    thread_local std::string body;  // reused: no allocation once warm
    body.clear();
    bool too_large = false;
    const bool complete = read_content([&](const char* data, std::size_t size) {
      if (size > options.max_body_bytes - body.size()) {
        too_large = true;
        return false;
      }
      body.append(data, size);
      return true;
    });
    // httplib sets 413 itself when Content-Length is over the limit (and discards the body).
    if (too_large || (!complete && res.status == 413)) {
      res.set_header("Connection", "close");
      mw::set_error_response(res, body_too_large(options.max_body_bytes));
      current_entry.error = "body_too_large";
      return;
    }
    if (!complete) {
      res.status = 400;
      res.set_header("Connection", "close");
      current_entry.error = "bad_request";
      return;
    }
    handle_webhook(req, body, res, options);
    if (body.capacity() > (std::size_t{1} << 20)) std::string().swap(body);  // keep 1 MiB at most
  });
  // Before httplib reads a body: a bodyless request to the path is answered here (405 for
  // other methods, the handler for a POST without Content-Length, whose body is empty; httplib
  // would answer 400 to both), so the same request gets the same answer on every stack.
  server.set_pre_routing_handler([options](const httplib::Request& req, httplib::Response& res) {
    if (req.path != receiver::webhook_path) return httplib::Server::HandlerResponse::Unhandled;
    const bool has_body = (req.has_header("Content-Length") &&
                           req.get_header_value("Content-Length") != "0") ||
                          req.has_header("Transfer-Encoding");
    if (req.method != "POST" && !has_body) {
      method_not_allowed(req, res);
    } else if (req.method == "POST" && !req.has_header("Content-Length") &&
               !req.has_header("Transfer-Encoding")) {
      handle_webhook(req, std::string_view(), res, options);
    } else {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  // Other methods with a body: httplib reads it (within the limit), then these answer 405.
  server.Get(path, method_not_allowed);
  server.Put(path, method_not_allowed);
  server.Patch(path, method_not_allowed);
  server.Delete(path, method_not_allowed);
  server.Options(path, method_not_allowed);

  // Responses httplib makes by itself (413 over the limit, 404 unknown path, 400 unreadable
  // request) get a JSON body too; responses from the handlers above already have one.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [&config](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 413) {
          current_entry.error = "body_too_large";
          res.set_content(mw::error_json(body_too_large(config.options.max_body_bytes)),
                          "application/json");
        } else if (res.status == 404) {
          current_entry.error = "not_found";
          res.set_content(receiver::route_error_json("not_found", "POST to /webhooks/morph"),
                          "application/json");
        } else {
          current_entry.error = "bad_request";
          res.set_content(receiver::route_error_json("bad_request", "unreadable HTTP request"),
                          "application/json");
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    receiver::LogEntry& entry = current_entry;
    entry.status = res.status;
    entry.method = req.method;
    entry.path = req.path;
    receiver::log_request(entry);
    entry = receiver::LogEntry{};
  });

  int port = config.port;
  if (port == 0) {
    port = server.bind_to_any_port(config.host);
    if (port < 0) port = 0;
  } else if (!server.bind_to_port(config.host, port)) {
    port = 0;
  }
  if (port == 0) {
    std::fprintf(stderr, "httplib_receiver: cannot listen on %s:%d\n", config.host.c_str(),
                 config.port);
    return 1;
  }

  // The stop thread: waits for a signal, then stops the server (retrying until listen has
  // really started, so an early signal is not lost).
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::thread stopper([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::unique_lock<std::mutex> lock(mutex);
    while (!done) {
      server.stop();
      done_cv.wait_for(lock, std::chrono::milliseconds(50));
    }
  });

  receiver::print_listening(config.host, port);
  const bool ok = server.listen_after_bind();
  {
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
  }
  done_cv.notify_all();
  pthread_kill(stopper.native_handle(), SIGTERM);  // wakes sigwait() if no signal came
  stopper.join();
  std::fprintf(stderr, "httplib_receiver: stopped\n");
  return ok ? 0 : 1;
}
