/// @file signing.cpp
/// @brief Standard Webhooks signatures (signing.hpp) on OpenSSL's libcrypto: HMAC-SHA256,
/// base64 (EVP_EncodeBlock/EVP_DecodeBlock), CRYPTO_memcmp, RAND_bytes, OPENSSL_cleanse.
#include "morph/webhook/signing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <string>

namespace morph::webhook::signing {
namespace {

constexpr std::string_view secret_prefix = "whsec_";
constexpr std::string_view version_prefix = "v1,";
constexpr std::size_t digest_bytes = 32;

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

/// Standard base64, padding optional; nullopt on any other byte (EVP_DecodeBlock alone accepts
/// surrounding whitespace and reports padding as decoded zeros).
std::optional<std::string> base64_decode(std::string_view text) {
  std::size_t padding = 0;
  while (!text.empty() && text.back() == '=' && padding < 2) {
    text.remove_suffix(1);
    ++padding;
  }
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) return std::nullopt;
  }
  if (text.size() % 4 == 1 || text.size() > INT_MAX / 2) return std::nullopt;
  std::string padded(text);
  const std::size_t missing = (4 - padded.size() % 4) % 4;
  padded.append(missing, '=');
  std::string out(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - missing);
  return out;
}

std::optional<std::array<unsigned char, digest_bytes>> hmac(const SigningKey& key,
                                                            std::string_view id,
                                                            std::string_view timestamp,
                                                            std::string_view body) {
  std::string message;
  message.reserve(id.size() + timestamp.size() + body.size() + 2);
  message.append(id).append(1, '.').append(timestamp).append(1, '.').append(body);
  std::array<unsigned char, digest_bytes> digest{};
  unsigned int length = 0;
  const unsigned char* ok =
      HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
           &length);
  if (ok == nullptr || length != digest_bytes) return std::nullopt;
  return digest;
}

}  // namespace

SigningResult<SigningKey> SigningKey::from_secret(std::string_view secret) {
  if (secret.substr(0, secret_prefix.size()) == secret_prefix) {
    secret.remove_prefix(secret_prefix.size());
  }
  std::optional<std::string> bytes = base64_decode(secret);
  if (!bytes || bytes->empty()) return SigningErrc::invalid_secret;
  return SigningKey(std::move(*bytes));
}

SigningResult<SigningKey> SigningKey::generate(std::size_t bytes) {
  if (bytes == 0 || bytes > 1024) return SigningErrc::invalid_secret;
  std::string out(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(bytes)) != 1) {
    return SigningErrc::crypto_failure;
  }
  return SigningKey(std::move(out));
}

std::string SigningKey::to_secret() const {
  return std::string(secret_prefix) + base64_encode(bytes_);
}

SigningKey::~SigningKey() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

SigningResult<std::string> sign(const SigningKey& key, std::string_view id, std::int64_t timestamp,
                                std::string_view body) {
  const auto digest = hmac(key, id, std::to_string(timestamp), body);
  if (!digest) return SigningErrc::crypto_failure;
  return std::string(version_prefix) +
         base64_encode(
             std::string_view(reinterpret_cast<const char*>(digest->data()), digest->size()));
}

SigningResult<std::string> signature_header(const std::vector<SigningKey>& keys,
                                            std::string_view id, std::int64_t timestamp,
                                            std::string_view body) {
  if (keys.empty()) return SigningErrc::invalid_secret;
  std::string header;
  for (const SigningKey& key : keys) {
    SigningResult<std::string> one = sign(key, id, timestamp, body);
    if (!one) return one.error();
    if (!header.empty()) header += ' ';
    header += *one;
  }
  return header;
}

SigningResult<Verified> verify(const std::vector<SigningKey>& keys, std::string_view id,
                               std::string_view timestamp, std::string_view signatures,
                               std::string_view body, const VerifyOptions& options) {
  if (keys.empty()) return SigningErrc::invalid_secret;
  if (id.empty() || timestamp.empty() || signatures.empty()) return SigningErrc::missing_header;
  // Decimal seconds only: a sign, fractions or exponents are not what any sender writes.
  if (timestamp.size() > 18) return SigningErrc::invalid_timestamp;
  std::int64_t sent = 0;
  for (const char c : timestamp) {
    if (c < '0' || c > '9') return SigningErrc::invalid_timestamp;
    sent = sent * 10 + (c - '0');
  }
  const std::int64_t now = options.now ? *options.now
                                       : std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count();
  const std::int64_t tolerance = options.tolerance.count();
  if (sent < now - tolerance) return SigningErrc::timestamp_too_old;
  if (sent > now + tolerance) return SigningErrc::timestamp_too_new;

  std::vector<std::array<unsigned char, digest_bytes>> expected;
  for (const SigningKey& key : keys) {
    const auto digest = hmac(key, id, timestamp, body);
    if (!digest) return SigningErrc::crypto_failure;
    expected.push_back(*digest);
  }
  // Every candidate is compared with every key, whatever matches first: the work done does
  // not depend on which one matches.
  bool matched = false;
  while (!signatures.empty()) {
    const std::size_t space = signatures.find(' ');
    const std::string_view candidate = signatures.substr(0, space);
    signatures = space == std::string_view::npos ? "" : signatures.substr(space + 1);
    if (candidate.substr(0, version_prefix.size()) != version_prefix) continue;
    const std::optional<std::string> given = base64_decode(candidate.substr(version_prefix.size()));
    if (!given || given->size() != digest_bytes) continue;
    for (const auto& digest : expected) {
      matched |= CRYPTO_memcmp(given->data(), digest.data(), digest_bytes) == 0;
    }
  }
  if (!matched) return SigningErrc::no_matching_signature;
  return Verified{};
}

}  // namespace morph::webhook::signing
