/// @file signing.hpp
/// @brief Standard Webhooks signatures (https://www.standardwebhooks.com): sign and verify
/// `webhook-signature: v1,<base64 HMAC-SHA256>` over `webhook-id.webhook-timestamp.body`.
///
/// Secrets are written `whsec_<base64 bytes>` (the `whsec_` prefix is optional when reading).
/// A `webhook-signature` header may hold several space-separated signatures (one per secret while
/// a secret is rotated, and versions other than `v1`, which are ignored); a message verifies
/// when one `v1` signature matches one of the receiver's keys. Comparisons are constant-time
/// (OpenSSL's CRYPTO_memcmp). The timestamp must be within a tolerance (5 minutes by default)
/// of the receiver's clock, which bounds replays.
///
/// Errors are values: every function returns a SigningResult, one SigningErrc each.
/// Compiled library: CMake target `morph::webhook_signing` (OpenSSL's libcrypto).
#ifndef MORPH_WEBHOOK_SIGNING_HPP
#define MORPH_WEBHOOK_SIGNING_HPP

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace morph::webhook::signing {

/// Why signing or verification failed.
enum class SigningErrc : std::uint8_t {
  invalid_secret,         ///< Not `[whsec_]<base64>` of at least one byte.
  missing_header,         ///< `webhook-id`, `webhook-timestamp` or `webhook-signature` empty.
  invalid_timestamp,      ///< `webhook-timestamp` is not a number of seconds.
  timestamp_too_old,      ///< Older than now - tolerance.
  timestamp_too_new,      ///< Newer than now + tolerance.
  no_matching_signature,  ///< No `v1` signature matches any key.
  crypto_failure,         ///< OpenSSL failed (out of memory, no random source).
};

/// The name of an error code, e.g. `"no_matching_signature"`.
[[nodiscard]] constexpr std::string_view to_string(SigningErrc code) noexcept {
  // clang-format off
  switch (code) {
    case SigningErrc::invalid_secret:        return "invalid_secret";
    case SigningErrc::missing_header:        return "missing_header";
    case SigningErrc::invalid_timestamp:     return "invalid_timestamp";
    case SigningErrc::timestamp_too_old:     return "timestamp_too_old";
    case SigningErrc::timestamp_too_new:     return "timestamp_too_new";
    case SigningErrc::no_matching_signature: return "no_matching_signature";
    case SigningErrc::crypto_failure:        return "crypto_failure";
  }
  // clang-format on
  return "unknown";
}

/// A value or a SigningErrc.
template <class T>
class [[nodiscard]] SigningResult {
 public:
  /// A success holding `value`.
  SigningResult(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  /// A failure.
  SigningResult(SigningErrc error) : error_(error) {}  // NOLINT(google-explicit-constructor)
  /// True on success.
  [[nodiscard]] explicit operator bool() const noexcept { return value_.has_value(); }
  /// The value (only on success).
  [[nodiscard]] const T& operator*() const& { return *value_; }
  /// The value (only on success).
  [[nodiscard]] T& operator*() & { return *value_; }
  /// Member access to the value (only on success).
  [[nodiscard]] const T* operator->() const { return &*value_; }
  /// The error (only on failure).
  [[nodiscard]] SigningErrc error() const noexcept { return error_; }

 private:
  std::optional<T> value_;
  SigningErrc error_ = SigningErrc::crypto_failure;
};

/// Success without a value.
struct Verified {};

/// A secret's key bytes. Copyable; the bytes are wiped when it is destroyed.
class SigningKey {
 public:
  /// Reads `whsec_<base64>` (or the base64 alone; padding optional). invalid_secret when it is
  /// not base64 or decodes to nothing.
  [[nodiscard]] static SigningResult<SigningKey> from_secret(std::string_view secret);
  /// A new random key of `bytes` bytes (24 by default, as Standard Webhooks' tools make).
  [[nodiscard]] static SigningResult<SigningKey> generate(std::size_t bytes = 24);
  /// The key from raw bytes (no decoding).
  [[nodiscard]] static SigningKey from_bytes(std::string_view bytes) {
    return SigningKey(std::string(bytes));
  }
  /// The secret as `whsec_<base64>`.
  [[nodiscard]] std::string to_secret() const;
  /// The raw key bytes.
  [[nodiscard]] std::string_view bytes() const noexcept { return bytes_; }

  /// Copies the bytes.
  SigningKey(const SigningKey&) = default;
  /// Moves the bytes.
  SigningKey(SigningKey&&) noexcept = default;
  /// Copies the bytes.
  SigningKey& operator=(const SigningKey&) = default;
  /// Moves the bytes.
  SigningKey& operator=(SigningKey&&) noexcept = default;
  /// Overwrites the bytes with zeros.
  ~SigningKey();

 private:
  explicit SigningKey(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

/// One signature, `v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>`.
[[nodiscard]] SigningResult<std::string> sign(const SigningKey& key, std::string_view id,
                                              std::int64_t timestamp, std::string_view body);

/// The `webhook-signature` value for several keys (key rotation): their signatures joined by
/// one space. At least one key.
[[nodiscard]] SigningResult<std::string> signature_header(const std::vector<SigningKey>& keys,
                                                          std::string_view id,
                                                          std::int64_t timestamp,
                                                          std::string_view body);

/// How verify() judges the timestamp.
struct VerifyOptions {
  /// Largest distance between `webhook-timestamp` and now, either way (5 minutes).
  std::chrono::seconds tolerance = std::chrono::minutes(5);
  /// "Now" in seconds since the Unix epoch; nullopt reads the system clock.
  std::optional<std::int64_t> now;
};

/// Verifies one message with the three header values as received: `id` (`webhook-id`),
/// `timestamp` (`webhook-timestamp`, decimal seconds) and `signatures` (`webhook-signature`,
/// space-separated `version,base64`), against any of `keys`. Verified, or why not.
[[nodiscard]] SigningResult<Verified> verify(const std::vector<SigningKey>& keys,
                                             std::string_view id, std::string_view timestamp,
                                             std::string_view signatures, std::string_view body,
                                             const VerifyOptions& options = {});

/// verify() with one key.
[[nodiscard]] inline SigningResult<Verified> verify(const SigningKey& key, std::string_view id,
                                                    std::string_view timestamp,
                                                    std::string_view signatures,
                                                    std::string_view body,
                                                    const VerifyOptions& options = {}) {
  return verify(std::vector<SigningKey>{key}, id, timestamp, signatures, body, options);
}

}  // namespace morph::webhook::signing

#endif  // MORPH_WEBHOOK_SIGNING_HPP
