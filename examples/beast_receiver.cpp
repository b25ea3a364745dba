// A Morph webhook receiver on Boost.Beast: the production receiver. A thin program over
// morph/webhook/adapters/beast_server.hpp, which does the HTTP work (threads, timeouts,
// keep-alive limits, pipelining, 100-continue, the body limit, the graceful drain).
//
//   beast_receiver [--host 127.0.0.1] [--port 8080] [--threads N] [--max-body-bytes N] ...
//
// POST /webhooks/morph answers 200 with {"ok":true,...} for a valid crmEngagement event,
// otherwise http_status(error) with error_json(error); a body over the limit gets 413 as soon
// as its Content-Length (or the chunk that crosses it) is read; other methods 405, other paths
// 404. Prints "listening on HOST:PORT", then one line per request. `--help` lists the options.
#include <csignal>
#include <cstdio>
#include <string>
#include <utility>

#include <boost/asio/signal_set.hpp>

#include "morph/webhook/adapters/beast_server.hpp"
#include "receiver_common.hpp"

namespace mwb = morph::webhook::beast;
namespace http = boost::beast::http;

namespace {

mwb::Response to_response(const mwb::Request& req, receiver::Answer answer) {
  mwb::Response res{static_cast<http::status>(answer.status), req.version() == 10 ? 10u : 11u};
  res.set(http::field::content_type, "application/json");
  if (answer.allow_post) res.set(http::field::allow, "POST");
  res.body() = std::move(answer.body);
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays
  answer.log.status = answer.status;
  answer.log.method = std::string(req.method_string());
  answer.log.path = std::string(req.target());
  receiver::log_request(answer.log);
  return res;
}

mwb::Response handle(const mwb::Request& req, mwb::ReadStatus status,
                     const morph::webhook::ParseOptions& options, bool empty_handler) {
  switch (status) {
    case mwb::ReadStatus::body_too_large:
      return to_response(req, receiver::answer_too_large(options.max_body_bytes));
    case mwb::ReadStatus::bad_request: return to_response(req, receiver::answer_bad_request());
    case mwb::ReadStatus::complete: break;
  }
  if (req.target() != receiver::webhook_path) return to_response(req, receiver::answer_not_found());
  if (req.method() != http::verb::post) {
    return to_response(req, receiver::answer_method_not_allowed());
  }
  if (empty_handler) return to_response(req, receiver::answer_empty());
  return to_response(
      req, receiver::answer_webhook(static_cast<const http::fields&>(req), req.body(), options));
}

}  // namespace

int main(int argc, char** argv) {
  const receiver::Config config = receiver::parse_command_line(
      argc, argv,
      {"beast_receiver",
       "--threads N: threads serving connections (default: the hardware concurrency).",
       "Timeouts are deadlines: a request's header must be in within --header-timeout of its\n"
       "first byte, however slowly it trickles."});

  mwb::ServerOptions server_options;
  server_options.host = config.host;
  server_options.port = static_cast<unsigned short>(config.port);
  server_options.threads = config.threads;
  server_options.idle_timeout = config.idle_timeout;
  server_options.header_timeout = config.header_timeout;
  server_options.body_timeout = config.body_timeout;
  server_options.drain_timeout = config.drain_timeout;
  server_options.max_requests_per_connection = config.max_requests;
  server_options.max_body_bytes = config.options.max_body_bytes;

  const morph::webhook::ParseOptions options = config.options;
  const bool empty_handler = config.empty_handler;
  mwb::Server server(server_options,
                     [options, empty_handler](const mwb::Request& req, mwb::ReadStatus status) {
                       return handle(req, status, options, empty_handler);
                     });
  if (const auto ec = server.listen()) {
    std::fprintf(stderr, "beast_receiver: cannot listen on %s:%d: %s\n", config.host.c_str(),
                 config.port, ec.message().c_str());
    return 1;
  }

  boost::asio::signal_set signals{server.context(), SIGINT, SIGTERM};
  signals.async_wait([&server](boost::system::error_code ec, int) {
    if (!ec) server.shutdown();
  });
  receiver::print_listening(config.host, server.local_endpoint().port());
  server.run();
  if (server.connections_cut() > 0) {
    std::fprintf(stderr, "beast_receiver: drain timeout: closed %zu connections\n",
                 server.connections_cut());
  }
  std::fprintf(stderr, "beast_receiver: stopped\n");
  return 0;
}
