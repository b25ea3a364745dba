/// @file error.hpp
/// @brief Errors as values: ErrorCode, Error and Result<T>.
#ifndef MORPH_WEBHOOK_ERROR_HPP
#define MORPH_WEBHOOK_ERROR_HPP

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
/// 1 when the translation unit is compiled with exceptions (then Result::value() throws
/// BadResultAccess), 0 under -fno-exceptions (then it aborts).
#define MORPH_WEBHOOK_EXCEPTIONS 1
#include <exception>
#else
#define MORPH_WEBHOOK_EXCEPTIONS 0
#endif

namespace morph::webhook {

/// What went wrong. The names returned by to_string() are stable and part of the API.
enum class ErrorCode : std::uint8_t {
  empty_body,         ///< The body is empty or only whitespace.
  body_too_large,     ///< The body is larger than ParseOptions::max_body_bytes.
  invalid_json,       ///< The body is not exactly one well-formed JSON value (or nests too deep).
  duplicate_key,      ///< An object the library interprets has the same key twice.
  missing_field,      ///< A required member is absent.
  wrong_type,         ///< A known member has the wrong JSON type.
  invalid_value,      ///< A known member has the right type but an impossible or forbidden value.
  unknown_event,      ///< `event` is not of the form `<model>::<created|updated|deleted>`.
  model_mismatch,     ///< `data.model` differs from the model named in `event`.
  unsupported_model,  ///< A well-formed event of another model given to the crmEngagement parser.
  missing_header,     ///< A required HTTP header is absent.
  invalid_header,     ///< A header value is empty, too long or holds control bytes.
  duplicate_header,   ///< A header appears twice with different values.
  // Inbox (inbox.hpp) errors: about the receiver's storage, not about the request.
  storage_unavailable,  ///< The inbox could not store or read (disk full, locked, corrupt, down).
  lease_lost,           ///< The lease token is not (or no longer) the delivery's current lease.
  not_found,            ///< No delivery with that id, or not in the state the operation needs.
};

/// The stable name of an error code, e.g. `"invalid_json"`.
[[nodiscard]] constexpr std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::empty_body: return "empty_body";
    case ErrorCode::body_too_large: return "body_too_large";
    case ErrorCode::invalid_json: return "invalid_json";
    case ErrorCode::duplicate_key: return "duplicate_key";
    case ErrorCode::missing_field: return "missing_field";
    case ErrorCode::wrong_type: return "wrong_type";
    case ErrorCode::invalid_value: return "invalid_value";
    case ErrorCode::unknown_event: return "unknown_event";
    case ErrorCode::model_mismatch: return "model_mismatch";
    case ErrorCode::unsupported_model: return "unsupported_model";
    case ErrorCode::missing_header: return "missing_header";
    case ErrorCode::invalid_header: return "invalid_header";
    case ErrorCode::duplicate_header: return "duplicate_header";
    case ErrorCode::storage_unavailable: return "storage_unavailable";
    case ErrorCode::lease_lost: return "lease_lost";
    case ErrorCode::not_found: return "not_found";
  }
  return "unknown";
}

/// True for the inbox codes (storage_unavailable, lease_lost, not_found): they come from the
/// receiver's own storage (inbox.hpp), never from a request's headers or body.
[[nodiscard]] constexpr bool is_inbox_error(ErrorCode code) noexcept {
  return code == ErrorCode::storage_unavailable || code == ErrorCode::lease_lost ||
         code == ErrorCode::not_found;
}

/// Every error code, in declaration order (handy for tables and tests).
inline constexpr ErrorCode all_error_codes[] = {
    ErrorCode::empty_body,        ErrorCode::body_too_large,      ErrorCode::invalid_json,
    ErrorCode::duplicate_key,     ErrorCode::missing_field,       ErrorCode::wrong_type,
    ErrorCode::invalid_value,     ErrorCode::unknown_event,       ErrorCode::model_mismatch,
    ErrorCode::unsupported_model, ErrorCode::missing_header,      ErrorCode::invalid_header,
    ErrorCode::duplicate_header,  ErrorCode::storage_unavailable, ErrorCode::lease_lost,
    ErrorCode::not_found,
};

/// One precise error: what is wrong (code), where (pointer or header) and why (message).
///
/// Errors are only built on the failure path; building one may allocate.
struct Error {
  /// What went wrong.
  ErrorCode code{ErrorCode::invalid_json};
  /// RFC 6901 JSON Pointer to the offending value in the body (`""` is the whole body).
  /// For a missing member, the pointer the member would have. Empty for header errors.
  std::string pointer;
  /// For header errors: the lowercase header name. Empty otherwise.
  std::string header;
  /// One human sentence naming the problem and the expected form.
  std::string message;

  /// True for the header error codes (missing_header, invalid_header, duplicate_header).
  [[nodiscard]] bool is_header_error() const noexcept {
    return code == ErrorCode::missing_header || code == ErrorCode::invalid_header ||
           code == ErrorCode::duplicate_header;
  }
};

/// `"<code> at <pointer or header>: <message>"`, for logs.
[[nodiscard]] inline std::string to_string(const Error& error) {
  std::string out(to_string(error.code));
  if (error.is_header_error()) {
    out += " in header ";
    out += error.header;
  } else {
    out += " at \"";
    out += error.pointer;
    out += '"';
  }
  out += ": ";
  out += error.message;
  return out;
}

#if MORPH_WEBHOOK_EXCEPTIONS
/// Thrown by Result<T>::value() on a Result that holds an error (only when exceptions are on).
class BadResultAccess : public std::exception {
 public:
  /// Keeps a copy of the error.
  explicit BadResultAccess(Error error) : error_(std::move(error)) {}
  /// The error the Result held.
  [[nodiscard]] const Error& error() const noexcept { return error_; }
  /// A fixed description.
  [[nodiscard]] const char* what() const noexcept override {
    return "morph::webhook::Result::value() called on an error";
  }

 private:
  Error error_;
};
#endif

/// Either a T or an Error, shaped like C++23 `std::expected<T, Error>`.
///
/// `value()` on an error throws BadResultAccess, or calls std::abort() when the program is
/// built without exceptions. `operator*` and `operator->` do not check.
template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> is ambiguous");

 public:
  /// The held value's type.
  using value_type = T;
  /// The error type.
  using error_type = Error;

  /// Holds a value.
  Result(const T& value) noexcept(std::is_nothrow_copy_constructible_v<T>)  // NOLINT
      : has_value_(true) {
    ::new (static_cast<void*>(&value_)) T(value);
  }
  /// Holds a value.
  Result(T&& value) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT
      : has_value_(true) {
    ::new (static_cast<void*>(&value_)) T(std::move(value));
  }
  /// Holds a value constructed in place from `args` (as std::expected's in_place constructor).
  template <class... Args>
  explicit Result(std::in_place_t,
                  Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args...>)
      : has_value_(true) {
    ::new (static_cast<void*>(&value_)) T(std::forward<Args>(args)...);
  }
  /// Holds an error.
  Result(Error error) noexcept : has_value_(false) {  // NOLINT
    ::new (static_cast<void*>(&error_)) Error(std::move(error));
  }
  /// Copies.
  Result(const Result& other) : has_value_(other.has_value_) {
    if (has_value_) {
      ::new (static_cast<void*>(&value_)) T(other.value_);
    } else {
      ::new (static_cast<void*>(&error_)) Error(other.error_);
    }
  }
  /// Moves.
  Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>)
      : has_value_(other.has_value_) {
    if (has_value_) {
      ::new (static_cast<void*>(&value_)) T(std::move(other.value_));
    } else {
      ::new (static_cast<void*>(&error_)) Error(std::move(other.error_));
    }
  }
  /// Copy-assigns.
  Result& operator=(const Result& other) {
    if (this != &other) {
      destroy();
      ::new (static_cast<void*>(this)) Result(other);
    }
    return *this;
  }
  /// Move-assigns.
  Result& operator=(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &other) {
      destroy();
      ::new (static_cast<void*>(this)) Result(std::move(other));
    }
    return *this;
  }
  ~Result() { destroy(); }

  /// True when a value is held.
  [[nodiscard]] bool has_value() const noexcept { return has_value_; }
  /// True when a value is held.
  explicit operator bool() const noexcept { return has_value_; }

  /// The value; throws BadResultAccess (or aborts without exceptions) on an error.
  [[nodiscard]] T& value() & {
    check();
    return value_;
  }
  /// The value; throws BadResultAccess (or aborts without exceptions) on an error.
  [[nodiscard]] const T& value() const& {
    check();
    return value_;
  }
  /// The value; throws BadResultAccess (or aborts without exceptions) on an error.
  [[nodiscard]] T&& value() && {
    check();
    return std::move(value_);
  }
  /// The value, unchecked.
  [[nodiscard]] T& operator*() & noexcept { return value_; }
  /// The value, unchecked.
  [[nodiscard]] const T& operator*() const& noexcept { return value_; }
  /// The value, unchecked.
  [[nodiscard]] T&& operator*() && noexcept { return std::move(value_); }
  /// Member access to the value, unchecked.
  [[nodiscard]] T* operator->() noexcept { return &value_; }
  /// Member access to the value, unchecked.
  [[nodiscard]] const T* operator->() const noexcept { return &value_; }

  /// The error, unchecked: only meaningful when has_value() is false.
  [[nodiscard]] const Error& error() const& noexcept { return error_; }
  /// The error, unchecked: only meaningful when has_value() is false.
  [[nodiscard]] Error& error() & noexcept { return error_; }
  /// The error, unchecked: only meaningful when has_value() is false.
  [[nodiscard]] Error&& error() && noexcept { return std::move(error_); }

 private:
  void check() const {
    if (!has_value_) {
#if MORPH_WEBHOOK_EXCEPTIONS
      throw BadResultAccess(error_);
#else
      std::abort();
#endif
    }
  }
  void destroy() noexcept {
    if (has_value_) {
      value_.~T();
    } else {
      error_.~Error();
    }
  }

  union {
    T value_;
    Error error_;
  };
  bool has_value_;
};

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_ERROR_HPP
