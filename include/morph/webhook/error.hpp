/// @file error.hpp
/// @brief Errors as values: ErrorCode, Error and Result<T>.
#ifndef MORPH_WEBHOOK_ERROR_HPP
#define MORPH_WEBHOOK_ERROR_HPP

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
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

/// Which part of an exchange an error code is about (the family column of the error table).
enum class ErrorFamily : std::uint8_t {
  body,    ///< The request's body: the event (Parser, parse_any(), Dispatcher, CardView).
  header,  ///< The request's three Morph headers (validate_headers()).
  inbox,   ///< The receiver's own storage (inbox.hpp), never the request.
};

// clang-format off
/// The error codes, one row each: name (the enumerator and its to_string() text), the HTTP
/// status a receiver answers (http_status()), the family and what the code means. Every list
/// and switch over error codes (ErrorCode, to_string(), all_error_codes, is_inbox_error(),
/// Error::is_header_error(), http_status()) derives from this table; a code is added here only.
#define MORPH_WEBHOOK_ERROR_CODES(X)                                                                                 \
  X(empty_body,          400, body,   "the body is empty or only whitespace")                                       \
  X(body_too_large,      413, body,   "the body is larger than ParseOptions::max_body_bytes")                       \
  X(invalid_json,        400, body,   "the body is not exactly one well-formed JSON value (or nests too deep)")     \
  X(duplicate_key,       400, body,   "an object the library interprets has the same key twice")                   \
  X(missing_field,       400, body,   "a required member is absent")                                                \
  X(wrong_type,          400, body,   "a known member has the wrong JSON type")                                     \
  X(invalid_value,       400, body,   "a known member has the right type but an impossible or forbidden value")     \
  X(unknown_event,       400, body,   "event is not of the form <model>::<created|updated|deleted>")               \
  X(model_mismatch,      400, body,   "data.model differs from the model named in event")                           \
  X(unsupported_model,   422, body,   "a well-formed event of a model the receiver or parser does not handle")     \
  X(missing_header,      400, header, "a required HTTP header is absent")                                           \
  X(invalid_header,      400, header, "a header value is empty, too long or holds control bytes")                   \
  X(duplicate_header,    400, header, "a header appears twice with different values")                               \
  X(storage_unavailable, 503, inbox,  "the inbox could not store or read (disk full, locked, corrupt, down)")       \
  X(lease_lost,          409, inbox,  "the lease token is not (or no longer) the delivery's current lease")        \
  X(not_found,           404, inbox,  "no delivery with that id, or not in the state the operation needs")
// clang-format on

/// What went wrong: one enumerator per row of MORPH_WEBHOOK_ERROR_CODES, in its order (the
/// meaning of each: error_code_info()). The names returned by to_string() are stable and part
/// of the API.
enum class ErrorCode : std::uint8_t {
/// One row of the error table as an enumerator.
#define MORPH_WEBHOOK_ERROR_ENUMERATOR(name, status, family, meaning) name,
  MORPH_WEBHOOK_ERROR_CODES(MORPH_WEBHOOK_ERROR_ENUMERATOR)
#undef MORPH_WEBHOOK_ERROR_ENUMERATOR
};

/// One row of the error table (MORPH_WEBHOOK_ERROR_CODES) as data.
struct ErrorCodeInfo {
  ErrorCode code;            ///< The code.
  std::string_view name;     ///< Its stable name, e.g. `"invalid_json"` (to_string()).
  int http_status;           ///< The status a receiver answers (http_status()).
  ErrorFamily family;        ///< What it is about: the body, the headers or the inbox.
  std::string_view meaning;  ///< One line saying what it means.
};

/// The error table as data, in declaration order: `error_code_table[i].code` is the i-th code.
inline constexpr ErrorCodeInfo error_code_table[] = {
/// @cond MORPH_WEBHOOK_TABLE_ROWS
#define MORPH_WEBHOOK_ERROR_ROW(name, status, family, meaning) \
  {ErrorCode::name, #name, status, ErrorFamily::family, meaning},
    MORPH_WEBHOOK_ERROR_CODES(MORPH_WEBHOOK_ERROR_ROW)
#undef MORPH_WEBHOOK_ERROR_ROW
    /// @endcond
};

/// Every error code, in declaration order (handy for tables and tests).
inline constexpr ErrorCode all_error_codes[] = {
/// @cond MORPH_WEBHOOK_TABLE_ROWS
#define MORPH_WEBHOOK_ERROR_CODE(name, status, family, meaning) ErrorCode::name,
    MORPH_WEBHOOK_ERROR_CODES(MORPH_WEBHOOK_ERROR_CODE)
#undef MORPH_WEBHOOK_ERROR_CODE
    /// @endcond
};

/// The row of `code` in the error table; a value outside the enumeration (a cast) gets a row
/// named `"unknown"`, status 400, family body.
[[nodiscard]] constexpr ErrorCodeInfo error_code_info(ErrorCode code) noexcept {
  const auto index = static_cast<std::size_t>(code);
  if (index < std::size(error_code_table)) return error_code_table[index];
  return ErrorCodeInfo{code, "unknown", 400, ErrorFamily::body, "not an error code"};
}

/// The stable name of an error code, e.g. `"invalid_json"`.
[[nodiscard]] constexpr std::string_view to_string(ErrorCode code) noexcept {
  return error_code_info(code).name;
}

/// True for the inbox codes (storage_unavailable, lease_lost, not_found): they come from the
/// receiver's own storage (inbox.hpp), never from a request's headers or body.
[[nodiscard]] constexpr bool is_inbox_error(ErrorCode code) noexcept {
  return error_code_info(code).family == ErrorFamily::inbox;
}

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
    return error_code_info(code).family == ErrorFamily::header;
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
