// Standard Webhooks signatures: the vectors of tests/data/signing/vectors.tsv (the
// specification's published test vector, and further ones computed with Python's hmac), then
// rotation, tolerance and malformed input.
#include <morph/webhook/signing.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "catch.hpp"

namespace sw = morph::webhook::signing;

namespace {

struct Vector {
  std::string secret, id, timestamp, body, signature, what;
};

std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'n' || text[i + 1] == 't')) {
      out += text[i + 1] == 'n' ? '\n' : '\t';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<Vector> vectors() {
  std::ifstream in(MORPH_WEBHOOK_SIGNING_VECTORS);
  REQUIRE(in.good());
  std::vector<Vector> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, '\t')) cells.push_back(cell);
    if (line.back() == '\t') cells.emplace_back();
    REQUIRE(cells.size() == 6);
    out.push_back({cells[0], cells[1], cells[2], unescape(cells[3]), cells[4], cells[5]});
  }
  REQUIRE(out.size() >= 5);
  return out;
}

sw::SigningKey key_of(const std::string& secret) {
  auto key = sw::SigningKey::from_secret(secret);
  REQUIRE(key);
  return *key;
}

constexpr std::int64_t spec_time = 1614265330;
const std::string spec_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string spec_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::string spec_body = R"({"test": 2432232314})";
const std::string spec_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

sw::VerifyOptions at(std::int64_t now) {
  sw::VerifyOptions o;
  o.now = now;
  return o;
}

}  // namespace

TEST_CASE("sign() and verify() agree with every vector", "[signing]") {
  for (const Vector& v : vectors()) {
    INFO(v.what);
    const sw::SigningKey key = key_of(v.secret);
    const auto signature = sw::sign(key, v.id, std::stoll(v.timestamp), v.body);
    REQUIRE(signature);
    CHECK(*signature == v.signature);
    const auto ok =
        sw::verify(key, v.id, v.timestamp, v.signature, v.body, at(std::stoll(v.timestamp)));
    CHECK(ok);
    // One byte changed anywhere is refused.
    CHECK(sw::verify(key, v.id, v.timestamp, v.signature, v.body + " ", at(std::stoll(v.timestamp)))
              .error() == sw::SigningErrc::no_matching_signature);
    CHECK(sw::verify(key, v.id + "x", v.timestamp, v.signature, v.body, at(std::stoll(v.timestamp)))
              .error() == sw::SigningErrc::no_matching_signature);
  }
}

TEST_CASE("secrets: whsec_ optional, padding optional, round trip, garbage refused", "[signing]") {
  const sw::SigningKey key = key_of(spec_secret);
  CHECK(key.to_secret() == spec_secret);
  CHECK(key_of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").bytes() == key.bytes());
  CHECK(key_of("whsec_aw").bytes() == "k");
  CHECK(key_of("whsec_aw==").bytes() == "k");
  for (const char* bad : {"", "whsec_", "whsec_a", "whsec_not base64!", "whsec_aw===", "whsec_*"}) {
    INFO(bad);
    const auto k = sw::SigningKey::from_secret(bad);
    REQUIRE_FALSE(k);
    CHECK(k.error() == sw::SigningErrc::invalid_secret);
  }
  const auto fresh = sw::SigningKey::generate();
  REQUIRE(fresh);
  CHECK(fresh->bytes().size() == 24);
  CHECK(key_of(fresh->to_secret()).bytes() == fresh->bytes());
  const auto other = sw::SigningKey::generate();
  REQUIRE(other);
  CHECK(other->bytes() != fresh->bytes());
}

TEST_CASE("several signatures: rotation on both sides, other versions ignored", "[signing]") {
  const sw::SigningKey old_key = key_of(spec_secret);
  const sw::SigningKey new_key = key_of("whsec_" + std::string(32, 'A'));
  const auto header = sw::signature_header({new_key, old_key}, spec_id, spec_time, spec_body);
  REQUIRE(header);
  CHECK(header->find(' ') != std::string::npos);
  CHECK(header->substr(header->find(' ') + 1) == spec_signature);
  // A receiver that knows only one of the two keys accepts the message.
  CHECK(sw::verify(old_key, spec_id, std::to_string(spec_time), *header, spec_body, at(spec_time)));
  CHECK(sw::verify(new_key, spec_id, std::to_string(spec_time), *header, spec_body, at(spec_time)));
  // A receiver with both keys accepts a sender that signs with one.
  CHECK(sw::verify({new_key, old_key}, spec_id, std::to_string(spec_time), spec_signature,
                   spec_body, at(spec_time)));
  // The spec library's own multi-signature case: wrong v1s, a v2 with the right bytes.
  const std::string mixed =
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
      "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= " +
      spec_signature + " v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
  CHECK(sw::verify(old_key, spec_id, std::to_string(spec_time), mixed, spec_body, at(spec_time)));
  CHECK(sw::verify(old_key, spec_id, std::to_string(spec_time),
                   "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", spec_body, at(spec_time))
            .error() == sw::SigningErrc::no_matching_signature);
  // The spec's invalid signature (last byte changed), truncated, and not base64.
  for (const char* bad : {"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
                          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O", "v1,!!!!", "v1,",
                          "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", " "}) {
    INFO(bad);
    CHECK(sw::verify(old_key, spec_id, std::to_string(spec_time), bad, spec_body, at(spec_time))
              .error() == sw::SigningErrc::no_matching_signature);
  }
}

TEST_CASE("timestamp tolerance and header checks", "[signing]") {
  const sw::SigningKey key = key_of(spec_secret);
  const std::string ts = std::to_string(spec_time);
  const auto verify_at = [&](std::int64_t now) {
    return sw::verify(key, spec_id, ts, spec_signature, spec_body, at(now));
  };
  CHECK(verify_at(spec_time + 300));
  CHECK(verify_at(spec_time - 300));
  CHECK(verify_at(spec_time + 301).error() == sw::SigningErrc::timestamp_too_old);
  CHECK(verify_at(spec_time - 301).error() == sw::SigningErrc::timestamp_too_new);
  sw::VerifyOptions wide = at(spec_time + 3600);
  wide.tolerance = std::chrono::hours(1);
  CHECK(sw::verify(key, spec_id, ts, spec_signature, spec_body, wide));
  // Today's clock: a signature of 2021 is too old.
  CHECK(sw::verify(key, spec_id, ts, spec_signature, spec_body).error() ==
        sw::SigningErrc::timestamp_too_old);
  for (const char* bad : {"hello", "-1614265330", "1614265330.5", "1e9", "1234567890123456789"}) {
    INFO(bad);
    CHECK(sw::verify(key, spec_id, bad, spec_signature, spec_body, at(spec_time)).error() ==
          sw::SigningErrc::invalid_timestamp);
  }
  CHECK(sw::verify(key, "", ts, spec_signature, spec_body, at(spec_time)).error() ==
        sw::SigningErrc::missing_header);
  CHECK(sw::verify(key, spec_id, "", spec_signature, spec_body, at(spec_time)).error() ==
        sw::SigningErrc::missing_header);
  CHECK(sw::verify(key, spec_id, ts, "", spec_body, at(spec_time)).error() ==
        sw::SigningErrc::missing_header);
  CHECK(sw::verify(std::vector<sw::SigningKey>{}, spec_id, ts, spec_signature, spec_body,
                   at(spec_time))
            .error() == sw::SigningErrc::invalid_secret);
  CHECK(sw::to_string(sw::SigningErrc::no_matching_signature) == "no_matching_signature");
}
