/// @file beast_server.hpp
/// @brief A hardened HTTP/1.1 server core on Boost.Beast: accept loop, keep-alive sessions with
/// idle/header/body timeouts, a request limit per connection, pipelining, `Expect:
/// 100-continue`, a body limit enforced while reading, several threads on one `io_context`,
/// and a graceful drain on shutdown. It knows nothing of Morph: a Handler turns each request
/// into a response.
///
/// Header-only; needs Boost (Asio, Beast) and Threads. Not included by `webhook.hpp`.
///
/// ```cpp
/// namespace mwb = morph::webhook::beast;
/// mwb::Server server(mwb::ServerOptions{}, [](const mwb::Request& req, mwb::ReadStatus status) {
///   mwb::Response res{boost::beast::http::status::ok, req.version()};
///   ...
///   return res;
/// });
/// if (auto ec = server.listen()) { /* ec.message() */ }
/// boost::asio::signal_set signals(server.context(), SIGINT, SIGTERM);
/// signals.async_wait([&](auto, int) { server.shutdown(); });
/// server.run();  // returns once drained
/// ```
#ifndef MORPH_WEBHOOK_ADAPTERS_BEAST_SERVER_HPP
#define MORPH_WEBHOOK_ADAPTERS_BEAST_SERVER_HPP

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace morph::webhook::beast {

/// The request a Handler receives (the body read whole into a string, within the body limit).
using Request = boost::beast::http::request<boost::beast::http::string_body>;
/// The response a Handler returns (call `prepare_payload()` on it).
using Response = boost::beast::http::response<boost::beast::http::string_body>;

/// How the reading of a request ended.
enum class ReadStatus {
  complete,        ///< headers and body read: the request is whole
  body_too_large,  ///< the body is over ServerOptions::max_body_bytes (Content-Length or
                   ///< chunks); the request holds the method, target and headers only
  bad_request,     ///< the bytes are not HTTP/1.x (or the header is over its limit); the
                   ///< request holds what could be read, possibly nothing
};

/// Settings of a Server. Durations are whole milliseconds.
struct ServerOptions {
  /// Address or name to bind (names are resolved; the first address that binds is used).
  std::string host = "127.0.0.1";
  /// Port to bind; 0 picks a free one (see Server::local_endpoint()).
  unsigned short port = 8080;
  /// Threads running the io_context; 0 means std::thread::hardware_concurrency().
  unsigned threads = 0;
  /// Longest wait for the first byte of a request on an open connection (keep-alive idle).
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  /// Longest time from the first byte of a request to the end of its header: a client sending
  /// one byte a second is cut off here, whatever the per-read progress.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  /// Longest time to read the body once the header is in, and to write the response.
  std::chrono::milliseconds body_timeout{std::chrono::seconds(30)};
  /// After shutdown(): how long requests being read or answered may take before their
  /// connections are closed.
  std::chrono::milliseconds drain_timeout{std::chrono::seconds(10)};
  /// Requests served on one connection before it is closed (`Connection: close` on the last).
  std::size_t max_requests_per_connection = 1000;
  /// Largest body accepted; over it the Handler sees ReadStatus::body_too_large (checked on
  /// Content-Length before the body is read, and on chunked bodies as they arrive).
  std::size_t max_body_bytes = std::size_t{8} << 20;
  /// Largest request line plus header block.
  std::uint32_t max_header_bytes = 64 * 1024;
  /// Listen backlog (pending connections the kernel queues before accept).
  int backlog = boost::asio::socket_base::max_listen_connections;
};

/// Turns one request into its response. Called concurrently from the server's threads (make
/// it thread-safe), never for a timed-out or reset connection. It must not throw: an
/// exception ends run(). The server overrides keep-alive to close the connection after a
/// status other than ReadStatus::complete, after the last request a connection may carry and
/// during shutdown.
using Handler = std::function<Response(const Request&, ReadStatus)>;

/// The address a request came from (the TCP peer: a proxy in front of the server is the peer).
using Peer = boost::asio::ip::tcp::endpoint;

/// A Handler that is also told the peer of the connection (for logs and access control).
using PeerHandler = std::function<Response(const Request&, ReadStatus, const Peer&)>;

namespace detail {
class Session;
}  // namespace detail

/// The server: create, listen(), then run() (blocks until shutdown() has drained).
class Server {
 public:
  /// A server with `options` answering through `handler`. Nothing is bound yet.
  Server(ServerOptions options, Handler handler)
      : Server(std::move(options),
               PeerHandler([h = std::move(handler)](const Request& req, ReadStatus status,
                                                    const Peer&) { return h(req, status); })) {}

  /// A server with `options` answering through `handler`, which is told each request's peer.
  Server(ServerOptions options, PeerHandler handler)
      : options_(std::move(options)), handler_(std::move(handler)),
        ioc_(static_cast<int>(thread_count())), control_(boost::asio::make_strand(ioc_)),
        acceptor_(control_), accept_retry_(control_), drain_timer_(control_) {}

  Server(const Server&) = delete;             ///< not copyable
  Server& operator=(const Server&) = delete;  ///< not copyable

  /// Resolves ServerOptions::host, then binds and listens on the first address that works.
  /// Returns the last error (e.g. "Address already in use") when none does.
  [[nodiscard]] boost::system::error_code listen() {
    namespace net = boost::asio;
    using tcp = net::ip::tcp;
    boost::system::error_code ec;
    tcp::resolver resolver(ioc_);
    const auto results =
        resolver.resolve(options_.host, std::to_string(options_.port),
                         tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec) return ec;
    for (const auto& entry : results) {
      const tcp::endpoint endpoint = entry.endpoint();
      ec = {};
      acceptor_.open(endpoint.protocol(), ec);
      // SO_REUSEADDR only (no SO_REUSEPORT): a second server on the same port is refused.
      if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
      if (!ec) acceptor_.bind(endpoint, ec);
      if (!ec) acceptor_.listen(options_.backlog, ec);
      if (!ec) return ec;
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    }
    if (!ec) ec = net::error::host_not_found;
    return ec;
  }

  /// The bound address (after a successful listen()).
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const {
    boost::system::error_code ignored;
    return acceptor_.local_endpoint(ignored);
  }

  /// The io_context the server runs on (e.g. for a `signal_set` calling shutdown()).
  [[nodiscard]] boost::asio::io_context& context() noexcept { return ioc_; }

  /// Threads run() uses: ServerOptions::threads, or the hardware concurrency when 0.
  [[nodiscard]] unsigned thread_count() const noexcept {
    if (options_.threads > 0) return options_.threads;
    return std::max(1u, std::thread::hardware_concurrency());
  }

  /// Accepts and serves on thread_count() threads (this one included) until shutdown() has
  /// drained every connection. Call listen() first.
  void run() {
    boost::asio::dispatch(control_, [this] { accept(); });
    std::vector<std::thread> extra;
    for (unsigned i = 1; i < thread_count(); ++i) extra.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (std::thread& t : extra) t.join();
  }

  /// Stops accepting, closes idle connections, lets requests being read finish (their
  /// connections close after the response), and closes what is left after
  /// ServerOptions::drain_timeout; run() then returns. Thread-safe; repeated calls are no-ops.
  void shutdown() {
    boost::asio::post(control_, [this] { begin_drain(); });
  }

  /// Connections closed by the drain deadline with a request unanswered or idle (0 when every
  /// request in flight was answered in time).
  [[nodiscard]] std::size_t connections_cut() const noexcept { return cut_.load(); }

  /// The options in use.
  [[nodiscard]] const ServerOptions& options() const noexcept { return options_; }

 private:
  friend class detail::Session;

  void accept();
  void begin_drain();
  void drain_tick();
  std::vector<std::shared_ptr<detail::Session>> sessions();

  void register_session(std::uint64_t id, const std::shared_ptr<detail::Session>& session) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.emplace(id, session);
  }

  void unregister_session(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.erase(id);
  }

  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

  ServerOptions options_;
  PeerHandler handler_;
  // Before ioc_: sessions destroyed with the io_context's pending handlers unregister here.
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<detail::Session>> sessions_;
  std::atomic<bool> stopping_{false};
  std::uint64_t next_id_ = 0;
  std::atomic<std::size_t> cut_{0};
  std::chrono::steady_clock::time_point drain_deadline_{};
  boost::asio::io_context ioc_;
  // Accepting, the retry timer and the drain timer run on one strand.
  boost::asio::strand<boost::asio::io_context::executor_type> control_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
  boost::asio::steady_timer drain_timer_;
};

namespace detail {

/// One connection: wait for a request, read its header, then its body, answer, repeat.
class Session : public std::enable_shared_from_this<Session> {
 public:
  /// A session on an accepted socket (whose executor is its strand), known to `server` as `id`.
  Session(boost::asio::ip::tcp::socket&& socket, Server& server, std::uint64_t id)
      : stream_(std::move(socket)), server_(server), id_(id) {
    boost::system::error_code ec;
    peer_ = stream_.socket().remote_endpoint(ec);  // unset when the peer is already gone
  }

  Session(const Session&) = delete;             ///< not copyable
  Session& operator=(const Session&) = delete;  ///< not copyable

  /// Leaves the server's registry (the drain counts what is left there).
  ~Session() { server_.unregister_session(id_); }

  /// Registers with the server and waits for the first request.
  void start() {
    server_.register_session(id_, shared_from_this());
    boost::asio::dispatch(stream_.get_executor(),
                          [self = shared_from_this()] { self->wait_for_request(); });
  }

  /// Shutdown has begun: an idle connection closes now, a busy one after its response (and
  /// its lingering close, at most 2 s).
  void on_stop() {
    boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      boost::beast::error_code ec;
      // Bytes already received belong to a request that has begun: let it finish.
      const bool request_arrived = self->stream_.socket().available(ec) > 0 && !ec;
      if (self->phase_ == Phase::idle && !request_arrived) {
        self->close();
      }
    });
  }

  /// The drain deadline has passed.
  void on_deadline() {
    boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ != Phase::closed) self->close();
    });
  }

 private:
  enum class Phase { idle, reading, writing, lingering, closed };

  const ServerOptions& options() const { return server_.options_; }

  // Keep-alive idle: wait for the first byte, so the header timeout starts with the request.
  void wait_for_request() {
    phase_ = Phase::idle;
    // Pipelined: the next request has arrived, so it is answered even while stopping.
    if (buffer_.size() > 0) return read_header();
    if (server_.stopping()) return close();
    stream_.expires_after(options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](
                                                       boost::beast::error_code ec, std::size_t n) {
      self->buffer_.commit(n);
      if (ec || self->phase_ == Phase::closed) return self->close();
      self->read_header();
    });
  }

  void read_header() {
    phase_ = Phase::reading;
    parser_.emplace();
    parser_->header_limit(options().max_header_bytes);
    parser_->body_limit(options().max_body_bytes);
    stream_.expires_after(options().header_timeout);
    boost::beast::http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
          self->on_header(ec);
        });
  }

  void on_header(boost::beast::error_code ec) {
    namespace http = boost::beast::http;
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return respond(ReadStatus::complete);
    const auto& req = parser_->get();
    if (req.version() >= 11 && boost::beast::iequals(req[http::field::expect], "100-continue")) {
      // The client waits for this before sending the body (curl: up to 1 s).
      static constexpr char continue_line[] = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(options().body_timeout);
      boost::asio::async_write(
          stream_, boost::asio::buffer(continue_line, sizeof continue_line - 1),
          [self = shared_from_this()](boost::beast::error_code write_ec, std::size_t) {
            if (write_ec) return self->close();
            self->read_body();
          });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(options().body_timeout);
    boost::beast::http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
          if (ec) return self->on_read_error(ec);
          self->respond(ReadStatus::complete);
        });
  }

  void on_read_error(boost::beast::error_code ec) {
    namespace http = boost::beast::http;
    if (ec == http::error::body_limit) return respond(ReadStatus::body_too_large);
    // The peer went away mid-request, a timeout, a reset: nobody to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec.category() != http::make_error_code(http::error::bad_target).category()) {
      return close();
    }
    respond(ReadStatus::bad_request);
  }

  void respond(ReadStatus status) {
    phase_ = Phase::writing;
    ++requests_;
    const Request& req = parser_->get();
    response_ = server_.handler_(req, status, peer_);
    const bool keep_alive = status == ReadStatus::complete && req.keep_alive() &&
                            response_.keep_alive() &&
                            requests_ < options().max_requests_per_connection &&
                            (!server_.stopping() || buffer_.size() > 0);
    response_.keep_alive(keep_alive);
    stream_.expires_after(options().body_timeout);
    boost::beast::http::async_write(
        stream_, response_, [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          if (!self->response_.keep_alive()) return self->linger();
          self->wait_for_request();
        });
  }

  // Lingering close: send FIN now (the client sees the end of the response at once), then read
  // and discard what it still sends for a short while, so that unread bytes do not turn our
  // close into a reset that could destroy the response before the client reads it.
  void linger() {
    phase_ = Phase::lingering;
    boost::beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    linger_more();
  }

  void linger_more() {
    stream_.async_read_some(
        boost::asio::buffer(discard_),
        [self = shared_from_this()](boost::beast::error_code ec, std::size_t n) {
          self->discarded_ += n;
          if (ec || self->discarded_ > (std::size_t{64} << 20)) {
            return self->close();
          }
          self->linger_more();
        });
  }

  void close() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closed;
    boost::beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  boost::beast::tcp_stream stream_;
  Server& server_;
  std::uint64_t id_;
  Peer peer_;  ///< the connection's remote address
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Response response_;
  Phase phase_ = Phase::idle;
  std::size_t requests_ = 0;
  std::array<char, 4096> discard_{};
  std::size_t discarded_ = 0;
};

}  // namespace detail

inline void Server::accept() {
  namespace net = boost::asio;
  acceptor_.async_accept(net::make_strand(ioc_),
                         net::bind_executor(control_, [this](boost::system::error_code ec,
                                                             net::ip::tcp::socket socket) {
                           if (!acceptor_.is_open() || ec == net::error::operation_aborted)
                             return;  // stopping
                           if (ec) {
                             // Out of descriptors or memory: retry shortly instead of spinning.
                             accept_retry_.expires_after(std::chrono::milliseconds(10));
                             accept_retry_.async_wait([this](boost::system::error_code wait_ec) {
                               if (!wait_ec) accept();
                             });
                             return;
                           }
                           boost::system::error_code ignored;
                           socket.set_option(net::ip::tcp::no_delay(true), ignored);
                           std::uint64_t id = 0;
                           {
                             std::lock_guard<std::mutex> lock(mutex_);
                             id = next_id_++;
                           }
                           std::make_shared<detail::Session>(std::move(socket), *this, id)->start();
                           accept();
                         }));
}

inline std::vector<std::shared_ptr<detail::Session>> Server::sessions() {
  std::vector<std::shared_ptr<detail::Session>> out;
  std::lock_guard<std::mutex> lock(mutex_);
  out.reserve(sessions_.size());
  for (const auto& entry : sessions_) {
    if (auto session = entry.second.lock()) out.push_back(std::move(session));
  }
  return out;
}

inline void Server::begin_drain() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  }
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  for (const auto& session : sessions()) session->on_stop();
  drain_deadline_ = std::chrono::steady_clock::now() + options_.drain_timeout;
  drain_tick();
}

// Polls rather than counting: sessions end on their own strands, this runs on the control one.
inline void Server::drain_tick() {
  const auto left = sessions();
  if (left.empty()) return;  // drained: nothing keeps the io_context running now
  if (std::chrono::steady_clock::now() >= drain_deadline_) {
    cut_ += left.size();
    for (const auto& session : left) session->on_deadline();
    return;
  }
  drain_timer_.expires_after(std::chrono::milliseconds(20));
  drain_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) drain_tick();
  });
}

}  // namespace morph::webhook::beast

#endif  // MORPH_WEBHOOK_ADAPTERS_BEAST_SERVER_HPP
