/// @file parser.hpp
/// @brief Parser, parse_event() and parse_envelope(): body text in, checked event out.
///
/// ## Lifetime rule
/// Every `std::string_view`, RefList, WarningList and nested list (Span) in a returned event
/// points into the Parser that produced it, and stays valid until the next parse on that same
/// Parser (or its destruction). parse_event() and parse_envelope() use one Parser per thread,
/// so their results stay valid until the next call on the same thread. Call to_owned() to keep
/// an event longer.
///
/// ## The pipeline (this file, in call order)
/// parse() / parse_envelope() -> parse_copy() (copy into a padded buffer) -> parse_padded()
/// (size limit, empty body, simdjson's stage 1) -> build_event() (one walk: detail/walker.hpp,
/// which reads each model's fields as its description in models/ says) -> on failure,
/// rank_error() (a syntax error anywhere wins over a semantic one). The parts:
/// detail/config.hpp (macros), detail/bytes.hpp (byte helpers of the fast paths),
/// detail/messages.hpp (error messages), detail/vocabulary.hpp (Morph's envelope keys, ref
/// prefixes, depths), detail/json_validator.hpp (values the parser does not interpret),
/// detail/walker.hpp (the event walker).
#ifndef MORPH_WEBHOOK_PARSER_HPP
#define MORPH_WEBHOOK_PARSER_HPP

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <utility>
#include <vector>

#include "morph/webhook/detail/bytes.hpp"
#include "morph/webhook/detail/config.hpp"
#include "morph/webhook/detail/messages.hpp"
#include "morph/webhook/detail/walker.hpp"
#include "morph/webhook/error.hpp"
#include "morph/webhook/model.hpp"
#include "morph/webhook/types.hpp"

namespace morph::webhook {

namespace detail {
struct ParserTesting;
}  // namespace detail

/// Parses and checks Morph webhook bodies. Owns every buffer; reuse one per thread.
///
/// After warm-up (once it has seen bodies as large, and with as many refs and warnings, as
/// the current one), a successful parse allocates nothing. Not thread-safe: one Parser per
/// thread. See the lifetime rule in parser.hpp.
class Parser {
 public:
  /// A parser with default options.
  Parser() = default;
  /// A parser with the given default options.
  explicit Parser(const ParseOptions& options) : options_(options) {}
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  /// Moves (invalidates events produced by `other`).
  Parser(Parser&&) noexcept = default;
  /// Moves (invalidates events produced by either parser).
  Parser& operator=(Parser&&) noexcept = default;

  /// The options used by the overloads that take none.
  [[nodiscard]] const ParseOptions& options() const noexcept { return options_; }
  /// Replaces the default options.
  void set_options(const ParseOptions& options) noexcept { options_ = options; }

  /// Parses a crmEngagement event. Copies `body` into a reused padded buffer.
  [[nodiscard]] Result<WebhookEvent> parse(std::string_view body) noexcept {
    return parse_copy<Engagement>(body, options_);
  }
  /// Same, with explicit options.
  [[nodiscard]] Result<WebhookEvent> parse(std::string_view body,
                                           const ParseOptions& options) noexcept {
    return parse_copy<Engagement>(body, options);
  }
  /// Parses a crmEngagement event in place, copying nothing: `body` must have at least
  /// `simdjson::SIMDJSON_PADDING` readable bytes after its end. Views point into `body`,
  /// which must outlive the event.
  [[nodiscard]] Result<WebhookEvent> parse(simdjson::padded_string_view body) noexcept {
    return parse_padded<Engagement>(body, body.length(), options_);
  }
  /// Same, with explicit options.
  [[nodiscard]] Result<WebhookEvent> parse(simdjson::padded_string_view body,
                                           const ParseOptions& options) noexcept {
    return parse_padded<Engagement>(body, body.length(), options);
  }

  /// Parses an event of the typed model `Model` (see TypedModels), e.g.
  /// `parser.parse_as<Engagement>(body)`; unsupported_model for an event of another model.
  template <class Model>
  [[nodiscard]] Result<Event<Model>> parse_as(std::string_view body) noexcept {
    return parse_copy<Model>(body, options_);
  }
  /// Same, with explicit options.
  template <class Model>
  [[nodiscard]] Result<Event<Model>> parse_as(std::string_view body,
                                              const ParseOptions& options) noexcept {
    return parse_copy<Model>(body, options);
  }
  /// Parses an event of the typed model `Model` in place, copying nothing: `body` must have
  /// at least `simdjson::SIMDJSON_PADDING` readable bytes after its end (as for
  /// parse(simdjson::padded_string_view)). Views point into `body`, which must outlive the event.
  template <class Model>
  [[nodiscard]] Result<Event<Model>> parse_as(simdjson::padded_string_view body) noexcept {
    return parse_padded<Model>(body, body.length(), options_);
  }
  /// Same, with explicit options.
  template <class Model>
  [[nodiscard]] Result<Event<Model>> parse_as(simdjson::padded_string_view body,
                                              const ParseOptions& options) noexcept {
    return parse_padded<Model>(body, body.length(), options);
  }

  /// Parses an event of any model (the 17 Morph models or a future one), keeping `fields` as
  /// validated raw JSON. Same checks, pointers and limits as parse().
  [[nodiscard]] Result<ResourceEvent> parse_envelope(std::string_view body) noexcept {
    return parse_copy<RawFields>(body, options_);
  }
  /// Same, with explicit options.
  [[nodiscard]] Result<ResourceEvent> parse_envelope(std::string_view body,
                                                     const ParseOptions& options) noexcept {
    return parse_copy<RawFields>(body, options);
  }
  /// In place, copying nothing (see parse(simdjson::padded_string_view)).
  [[nodiscard]] Result<ResourceEvent> parse_envelope(simdjson::padded_string_view body) noexcept {
    return parse_padded<RawFields>(body, body.length(), options_);
  }
  /// Same, with explicit options.
  [[nodiscard]] Result<ResourceEvent> parse_envelope(simdjson::padded_string_view body,
                                                     const ParseOptions& options) noexcept {
    return parse_padded<RawFields>(body, body.length(), options);
  }

 private:
  template <class Fields>
  Result<Event<Fields>> parse_copy(std::string_view body, const ParseOptions& options) noexcept;
  template <class Fields>
  Result<Event<Fields>> parse_padded(simdjson::padded_string_view body, std::size_t size,
                                     const ParseOptions& options) noexcept;
  template <class Fields>
  Result<Event<Fields>> build_event(simdjson::ondemand::document& doc,
                                    simdjson::padded_string_view body, std::size_t size,
                                    const ParseOptions& options) noexcept;
  Error rank_error(simdjson::padded_string_view body, std::size_t size, const ParseOptions& options,
                   Error error) noexcept;
  bool reserve_strings(std::size_t size) noexcept;

  ParseOptions options_{};
  simdjson::ondemand::parser json_{};
  std::unique_ptr<char[]> buffer_{};  // padded copy of the body
  std::size_t buffer_capacity_ = 0;
  std::unique_ptr<std::uint8_t[]> strings_{};  // unescaped strings (those with escapes)
  std::size_t strings_capacity_ = 0;
  std::vector<ResourceRef> refs_{};       // every ref of the current event
  std::vector<Warning> warnings_{};       // every warning of the current event
  std::vector<std::string_view> keys_{};  // scratch: unknown keys, for duplicate detection
  detail::Arena nested_{};                // nested lists of the current event (stable blocks)
  bool use_fast_paths_ = true;            // off only in tests (detail::ParserTesting)
  std::size_t fast_path_refs_ = 0;        // refs the fast paths read in the last parse (tests)

  friend struct detail::ParserTesting;
};

/// Parses a crmEngagement event with this thread's Parser. Results stay valid until the next
/// parse_event() or parse_envelope() call on the same thread.
[[nodiscard]] Result<WebhookEvent> parse_event(std::string_view body,
                                               const ParseOptions& options = {}) noexcept;

/// Parses an event of any model with this thread's Parser (same lifetime as parse_event()).
[[nodiscard]] Result<ResourceEvent> parse_envelope(std::string_view body,
                                                   const ParseOptions& options = {}) noexcept;

// ---------------------------------------------------------------------------------------------
// The pipeline, in call order
// ---------------------------------------------------------------------------------------------

template <class Fields>
Result<Event<Fields>> Parser::parse_copy(std::string_view body,
                                         const ParseOptions& options) noexcept {
  if (body.size() > options.max_body_bytes) {
    return detail::body_too_large(body.size(), options.max_body_bytes);
  }
  const std::size_t needed = body.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_capacity_ < needed) {
    // Grow geometrically so a slowly growing stream of bodies does not reallocate each time.
    const std::size_t capacity = std::max(needed, buffer_capacity_ + buffer_capacity_ / 2);
    buffer_.reset(new (std::nothrow) char[capacity]);
    if (!buffer_) {
      buffer_capacity_ = 0;
      return detail::make_error(ErrorCode::body_too_large, {"out of memory copying the body"});
    }
    buffer_capacity_ = capacity;
  }
  if (!body.empty()) std::memcpy(buffer_.get(), body.data(), body.size());
  std::memset(buffer_.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
  return parse_padded<Fields>(simdjson::padded_string_view(buffer_.get(), body.size(), needed),
                              body.size(), options);
}

template <class Fields>
Result<Event<Fields>> Parser::parse_padded(simdjson::padded_string_view body, std::size_t size,
                                           const ParseOptions& options) noexcept {
  refs_.clear();
  warnings_.clear();
  keys_.clear();
  nested_.reset();
  if (size > options.max_body_bytes) return detail::body_too_large(size, options.max_body_bytes);
  const std::string_view text(body.data(), size);
  if (std::all_of(text.begin(), text.end(), detail::is_json_space)) {
    return detail::make_error(ErrorCode::empty_body, {"the body is empty; expected a JSON object"});
  }
  if (!reserve_strings(size)) {
    return detail::make_error(ErrorCode::body_too_large, {"out of memory for a body of this size"});
  }
  simdjson::ondemand::document doc;
  if (auto e = json_.iterate(body).get(doc)) return detail::json_error(e);
  return build_event<Fields>(doc, body, size, options);  // a prvalue: built in our caller's slot
}

template <class Fields>
Result<Event<Fields>> Parser::build_event(simdjson::ondemand::document& doc,
                                          simdjson::padded_string_view body, std::size_t size,
                                          const ParseOptions& options) noexcept {
  // The event is built where it is returned to: every return below names `result`, so it is
  // constructed in the caller's slot (NRVO) and its large fields are never copied.
  Result<Event<Fields>> result(std::in_place);
  Event<Fields>& event = *result;
  detail::EventWalker<Fields> walker(json_, doc, options, refs_, warnings_, keys_, nested_,
                                     strings_.get(), body.data() + size, use_fast_paths_, event);
  const bool walked = walker.walk_root();
  fast_path_refs_ = walker.fast_path_refs;
  if (!walked) {
    result = rank_error(body, size, options, std::move(walker.error));
    return result;  // one returned object throughout: the event is never copied (NRVO)
  }
  // Refs and warnings were appended to the Parser's vectors (which may have grown while the
  // walk went on): point the event's lists into them now.
  event.warnings = WarningList(warnings_.data(), warnings_.size());
  if constexpr (is_model_v<Fields>) {
    for_each_field_index<Fields>([&](auto index) {
      constexpr auto& field = field_at<Fields, decltype(index)::value>;
      using Value = typename std::decay_t<decltype(field)>::value_type;
      if constexpr (std::is_same_v<Value, RefList>) {
        event.fields.*field.member = walker.lists[decltype(index)::value].in(refs_.data());
      }
    });
  }
  return result;
}

/// A semantic error was found first; a syntax error anywhere in the body still wins, so that
/// "not JSON" is never reported as something subtler.
MORPH_WEBHOOK_COLD inline Error Parser::rank_error(simdjson::padded_string_view body,
                                                   std::size_t size, const ParseOptions& options,
                                                   Error error) noexcept {
  if (error.code == ErrorCode::invalid_json) return error;
  simdjson::ondemand::document check;
  if (auto e = json_.iterate(body).get(check)) return detail::json_error(e);
  detail::JsonValidator validator(json_, check, options, strings_.get(), body.data() + size,
                                  use_fast_paths_);
  if (!validator.validate_document()) return std::move(validator.error);
  return error;
}

inline bool Parser::reserve_strings(std::size_t size) noexcept {
  // Unescaping never lengthens a string; simdjson may write up to its padding past the end.
  const std::size_t needed = size + simdjson::SIMDJSON_PADDING;
  if (strings_capacity_ >= needed) return true;
  const std::size_t capacity = std::max(needed, strings_capacity_ + strings_capacity_ / 2);
  strings_.reset(new (std::nothrow) std::uint8_t[capacity]);
  strings_capacity_ = strings_ ? capacity : 0;
  return strings_ != nullptr;
}

namespace detail {
/// Test hook, not part of the API: turns a Parser's raw-byte fast paths off or on, so tests
/// and the fuzzer can check that both paths reach the same verdict and values.
struct ParserTesting {
  static void set_fast_paths(Parser& parser, bool on) noexcept { parser.use_fast_paths_ = on; }
  static std::size_t fast_path_refs(const Parser& parser) noexcept {
    return parser.fast_path_refs_;
  }
};

inline Parser& thread_parser() noexcept {
  static thread_local Parser parser;
  return parser;
}
}  // namespace detail

inline Result<WebhookEvent> parse_event(std::string_view body,
                                        const ParseOptions& options) noexcept {
  return detail::thread_parser().parse(body, options);
}

inline Result<ResourceEvent> parse_envelope(std::string_view body,
                                            const ParseOptions& options) noexcept {
  return detail::thread_parser().parse_envelope(body, options);
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_PARSER_HPP
