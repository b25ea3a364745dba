// Header validation and whole-request benchmarks (headers.hpp, request.hpp), on a realistic
// 12-header request as an HTTP framework hands it over (mixed-case names, std::string pairs)
// and the typical body.
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "morph/webhook/headers.hpp"
#include "morph/webhook/request.hpp"

namespace morph_bench {
namespace {

using HeaderVector = std::vector<std::pair<std::string, std::string>>;

HeaderVector realistic_headers() {
  return {
      {"Host", "hooks.example.com"},
      {"User-Agent", "axios/1.6.7"},
      {"Content-Type", "application/json"},
      {"Content-Length", "2247"},
      {"Accept", "application/json, text/plain, */*"},
      {"Accept-Encoding", "gzip, compress, deflate, br"},
      {"X-Conector-Id", "hubspot"},
      {"X-Owner-Id", "org_2bX9kLq7Vd3"},
      {"X-Idempotency-Key", "call-38201174562-updated-1741255351604}"},
      {"Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
      {"X-Forwarded-For", "203.0.113.7"},
      {"X-Forwarded-Proto", "https"},
  };
}

/// validate_headers() alone (the body is ignored).
class ValidateHeaders final : public Contender {
 public:
  bool parse(const Body&) override {
    const auto r = mw::validate_headers(headers_);
    return r.has_value() && !r->idempotency_key.empty();
  }
  [[nodiscard]] std::string digest() const override { return "(headers)"; }

 private:
  HeaderVector headers_ = realistic_headers();
};

/// parse_request(headers, body): headers, then the body with this thread's Parser.
class ParseRequestThreadLocal final : public Contender {
 public:
  bool parse(const Body& body) override {
    const auto r = mw::parse_request(headers_, body.view());
    return r.has_value();
  }
  [[nodiscard]] std::string digest() const override { return "(request)"; }

 private:
  HeaderVector headers_ = realistic_headers();
};

/// parse_request(parser, headers, body) with a Parser owned by the caller and reused.
class ParseRequestOwnParser final : public Contender {
 public:
  bool parse(const Body& body) override {
    const auto r = mw::parse_request(parser_, headers_, body.view());
    return r.has_value();
  }
  [[nodiscard]] std::string digest() const override { return "(request)"; }

 private:
  mw::Parser parser_;
  HeaderVector headers_ = realistic_headers();
};

}  // namespace

std::unique_ptr<Contender> make_validate_headers() { return std::make_unique<ValidateHeaders>(); }
std::unique_ptr<Contender> make_parse_request() {
  return std::make_unique<ParseRequestThreadLocal>();
}
std::unique_ptr<Contender> make_parse_request_own_parser() {
  return std::make_unique<ParseRequestOwnParser>();
}

}  // namespace morph_bench
