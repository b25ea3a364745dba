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
//
// Its server options and its log line are `morph-webhook serve`'s (tools/cli/server_options.hpp
// and tools/cli/log.hpp): one mapping of the options onto beast::ServerOptions, one
// line writer.
#include <csignal>
#include <cstdio>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>

#include "cli/log.hpp"
#include "cli/server_options.hpp"
#include "morph/webhook/adapters/beast_server.hpp"
#include "receiver_common.hpp"

namespace mwb = morph::webhook::beast;
namespace cli = morph::webhook::cli;
namespace http = boost::beast::http;

namespace {

mwb::Response to_response(const mwb::Request& req, receiver::Answer answer) {
  mwb::Response res{static_cast<http::status>(answer.status), req.version() == 10 ? 10u : 11u};
  res.set(http::field::content_type, "application/json");
  if (answer.allow_post) res.set(http::field::allow, "POST");
  res.body() = std::move(answer.body);
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays
  cli::RequestLine line;
  line.status = answer.status;
  line.method = std::string(req.method_string());
  line.path = std::string(req.target());
  line.event = std::move(answer.log.event);
  line.id = std::move(answer.log.id);
  line.key = std::move(answer.log.key);
  line.error = std::move(answer.log.error);
  line.micros = answer.log.micros;
  cli::Log::instance().access(line);
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
  mwb::ServerOptions server_options;
  morph::webhook::ParseOptions options;
  bool empty_handler = false;
  CLI::App app{
      "Serves POST /webhooks/morph: checks each crmEngagement event and answers 200 or "
      "the library's error. Prints 'listening on HOST:PORT' first, then one line per "
      "request. On SIGINT or SIGTERM: stops accepting, answers the requests being read "
      "(up to --drain-timeout), exits 0.",
      "beast_receiver"};
  cli::add_server_options(app, server_options);
  app.add_flag_function(
      "--strict",
      [&options](std::int64_t count) {
        options.policy =
            count > 0 ? morph::webhook::Policy::strict : morph::webhook::Policy::lenient;
      },
      "Strict policy (the exact zod schema)");
  app.add_flag("--empty-handler", empty_handler,
               "Answer every POST 200 {\"ok\":true} without checking anything (benchmarks only: "
               "the floor)");
  cli::LogConfig log;
  cli::add_log_options(app, log, true);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : 2;
  }
  options.max_body_bytes = server_options.max_body_bytes;
  cli::Log::instance().configure(log);

  mwb::Server server(server_options,
                     [options, empty_handler](const mwb::Request& req, mwb::ReadStatus status) {
                       return handle(req, status, options, empty_handler);
                     });
  if (const auto ec = server.listen()) {
    std::fprintf(stderr, "beast_receiver: cannot listen on %s:%u: %s\n",
                 server_options.host.c_str(), static_cast<unsigned>(server_options.port),
                 ec.message().c_str());
    return 1;
  }

  boost::asio::signal_set signals{server.context(), SIGINT, SIGTERM};
  signals.async_wait([&server](boost::system::error_code ec, int) {
    if (!ec) server.shutdown();
  });
  receiver::print_listening(server_options.host, server.local_endpoint().port());
  server.run();
  if (server.connections_cut() > 0) {
    std::fprintf(stderr, "beast_receiver: drain timeout: closed %zu connections\n",
                 server.connections_cut());
  }
  std::fprintf(stderr, "beast_receiver: stopped\n");
  return 0;
}
