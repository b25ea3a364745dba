// A Morph webhook receiver on Boost.Beast (one thread, asynchronous).
//
//   beast_receiver [--host 127.0.0.1] [--port 8080] [--max-body-bytes N] [--strict]
//
// Same contract as httplib_receiver: POST /webhooks/morph answers 200 with {"ok":true,...} for
// a valid crmEngagement event, otherwise http_status(error) with error_json(error); a body over
// the limit gets 413 as soon as its Content-Length is read; other methods 405, other paths
// 404. Prints "listening on HOST:PORT", then one line per request; stops on SIGINT/SIGTERM.
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "morph/webhook/adapters/beast.hpp"
#include "receiver_common.hpp"

namespace mw = morph::webhook;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

using Response = http::response<http::string_body>;

Response json_response(http::status status, unsigned version, bool keep_alive, std::string body) {
  Response res{status, version};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// One connection: read a request, answer it, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const receiver::Config& config)
      : stream_(std::move(socket)), config_(config) {}

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(64 * 1024);
    // Checked against Content-Length as soon as the header is read: 413 before the body.
    parser_->body_limit(config_.options.max_body_bytes);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof) return close();
    if (ec == http::error::body_limit) {
      mw::Error error;
      error.code = mw::ErrorCode::body_too_large;
      error.message = "the body is larger than the limit of " +
                      std::to_string(config_.options.max_body_bytes) + " bytes";
      const auto& req = parser_->get();
      log_.method = std::string(req.method_string());
      log_.path = std::string(req.target());
      log_.error = "body_too_large";
      // The rest of the body is never read: answer, then close (after draining briefly).
      return send(json_response(http::status::payload_too_large, req.version(), false,
                                mw::error_json(error)));
    }
    if (ec && ec.category() != beast::error_code(http::error::bad_target).category()) {
      return close();  // network error or timeout: nothing to answer
    }
    if (ec) {  // the HTTP parser rejected the request
      log_.error = "bad_request";
      return send(json_response(http::status::bad_request, 11, false,
                                receiver::route_error_json("bad_request", "unreadable HTTP request")));
    }
    handle(parser_->get());
  }

  void handle(const http::request<http::string_body>& req) {
    log_.method = std::string(req.method_string());
    log_.path = std::string(req.target());
    if (req.target() != receiver::webhook_path) {
      log_.error = "not_found";
      return send(json_response(http::status::not_found, req.version(), req.keep_alive(),
                                receiver::route_error_json("not_found", "POST to /webhooks/morph")));
    }
    if (req.method() != http::verb::post) {
      log_.error = "method_not_allowed";
      Response res = json_response(
          http::status::method_not_allowed, req.version(), req.keep_alive(),
          receiver::route_error_json("method_not_allowed", "only POST is allowed on /webhooks/morph"));
      res.set(http::field::allow, "POST");
      if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays
      return send(std::move(res));
    }
    const auto start = std::chrono::steady_clock::now();
    const auto request = mw::parse_request(req, config_.options);
    if (request) {
      log_.event = std::string(request->event.event);
      log_.id = std::string(request->event.id);
      log_.key = std::string(request->headers.idempotency_key);
      Response res = json_response(http::status::ok, req.version(), req.keep_alive(),
                                   receiver::ok_json(*request));
      log_.micros = receiver::micros_since(start);
      return send(std::move(res));
    }
    log_.error = std::string(mw::to_string(request.error().code));
    if (!request.error().is_header_error()) {
      const auto headers = mw::validate_headers(req);
      if (headers) log_.key = std::string(headers->idempotency_key);
    }
    Response res = mw::make_error_response(req, request.error());
    log_.micros = receiver::micros_since(start);
    send(std::move(res));
  }

  void send(Response res) {
    log_.status = static_cast<int>(res.result_int());
    receiver::log_request(log_);
    log_ = receiver::LogEntry{};
    response_ = std::move(res);
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    if (ec) return close();
    if (!response_.keep_alive()) return drain();
    buffer_.consume(buffer_.size());  // nothing pipelined is kept past a parse error
    read();
  }

  // Lingering close: stop sending, then read and discard what the client still sends (for at
  // most 2 seconds and 64 MiB), so it gets our answer instead of a connection reset.
  void drain() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    drain_more();
  }

  void drain_more() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > (std::size_t{64} << 20)) return self->close();
                              self->drain_more();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  const receiver::Config& config_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  receiver::LogEntry log_;
  std::array<char, 16384> drain_buffer_{};
  std::size_t drained_ = 0;
};

// Accepts connections until the acceptor is closed.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, tcp::acceptor& acceptor, const receiver::Config& config)
      : ioc_(ioc), acceptor_(acceptor), config_(config) {}

  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) {
                               return;  // stopping
                             }
                             if (!ec) std::make_shared<Session>(std::move(socket), self->config_)->start();
                             self->accept();
                           });
  }

 private:
  net::io_context& ioc_;
  tcp::acceptor& acceptor_;
  const receiver::Config& config_;
};

}  // namespace

int main(int argc, char** argv) {
  const receiver::Config config = receiver::parse_command_line(argc, argv);
  net::io_context ioc{1};

  beast::error_code ec;
  const auto address = net::ip::make_address(config.host, ec);
  if (ec) {
    std::fprintf(stderr, "beast_receiver: bad --host '%s': %s\n", config.host.c_str(),
                 ec.message().c_str());
    return 2;
  }
  const tcp::endpoint endpoint{address, static_cast<unsigned short>(config.port)};
  tcp::acceptor acceptor{ioc};
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "beast_receiver: cannot listen on %s:%d: %s\n", config.host.c_str(),
                 config.port, ec.message().c_str());
    return 1;
  }

  // SIGINT/SIGTERM: stop accepting, then stop the loop (open connections are dropped).
  net::signal_set signals{ioc, SIGINT, SIGTERM};
  signals.async_wait([&](beast::error_code, int) {
    beast::error_code ignored;
    acceptor.close(ignored);
    ioc.stop();
  });

  std::make_shared<Listener>(ioc, acceptor, config)->accept();
  receiver::print_listening(config.host, acceptor.local_endpoint().port());
  ioc.run();
  std::fprintf(stderr, "beast_receiver: stopped\n");
  return 0;
}
