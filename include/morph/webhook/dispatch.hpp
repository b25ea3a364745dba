/// @file dispatch.hpp
/// @brief Dispatcher: route webhook bodies of several models to handlers by model and trigger.
///
/// ```
/// morph::webhook::Dispatcher hooks;
/// hooks.on<Engagement>(Trigger::created, [](const Event<Engagement>& e) { ... });  // typed
/// hooks.on("genericContact::updated", [](const ResourceEvent& e) { ... });   // fields raw
/// hooks.on("crmOpportunity", [](const ResourceEvent& e) { ... });            // any trigger
/// hooks.on_unhandled([](const ResourceEvent& e) { ... });                    // the rest
/// hooks.on_error([](const Error& e) { ... });
/// auto result = hooks.dispatch(body);  // Result<Dispatched>
/// ```
///
/// Bodies of a typed model (TypedModels, models.hpp) are checked with the typed parser (every
/// field validated); bodies of other models, known or not, with parse_envelope(). Handlers run on
/// the calling thread, in registration order, and receive views valid only during the call (use
/// to_owned() to keep an event). The library never throws; an exception thrown by a handler
/// propagates.
#ifndef MORPH_WEBHOOK_DISPATCH_HPP
#define MORPH_WEBHOOK_DISPATCH_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "morph/webhook/error.hpp"
#include "morph/webhook/model.hpp"
#include "morph/webhook/models.hpp"
#include "morph/webhook/parser.hpp"
#include "morph/webhook/types.hpp"

namespace morph::webhook {

/// What dispatch() did with an accepted body.
enum class Dispatched : std::uint8_t {
  handled,    ///< At least one handler registered for the event ran.
  unhandled,  ///< No handler matched; the on_unhandled() fallback ran.
  ignored,    ///< No handler matched and there is no fallback.
};

/// The name of a Dispatched value: `"handled"`, `"unhandled"` or `"ignored"`.
[[nodiscard]] constexpr std::string_view to_string(Dispatched value) noexcept {
  switch (value) {
    case Dispatched::handled: return "handled";
    case Dispatched::unhandled: return "unhandled";
    case Dispatched::ignored: return "ignored";
  }
  return "unknown";
}

namespace detail {

/// The model named by a body's first root member when it is `"event"` written plainly
/// (`{"event":"<model>::...`, as Morph sends it); empty when the body does not start that
/// way. A hint only: the parser checks everything afterwards.
inline std::string_view peek_event_model(std::string_view body) noexcept {
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < body.size() && is_json_space(body[i])) ++i;
  };
  const auto expect = [&](std::string_view token) {
    skip_space();
    if (body.substr(i, token.size()) != token) return false;
    i += token.size();
    return true;
  };
  if (!expect("{") || !expect("\"event\"") || !expect(":") || !expect("\"")) return {};
  const std::size_t begin = i;
  while (i < body.size() && body[i] != '"' && body[i] != '\\' && body[i] != ':') ++i;
  if (i == body.size() || body[i] != ':') return {};
  return body.substr(begin, i - begin);
}

/// A Dispatcher's typed handlers of one model.
template <class T>
struct TypeTag {
  using type = T;
};

template <class Model>
struct TypedHandlers {
  struct Entry {
    std::optional<Trigger> trigger;  // nullopt: every trigger
    std::function<void(const Event<Model>&)> handler;
  };
  std::vector<Entry> entries;
};

template <class Models>
struct TypedHandlerLists;
template <class... Models>
struct TypedHandlerLists<std::tuple<Models...>> {
  using type = std::tuple<TypedHandlers<Models>...>;
};

}  // namespace detail

/// Routes bodies to handlers registered by model and trigger. Register first, then call
/// dispatch() from any number of threads: dispatch() is const and, after each thread's
/// Parser has warmed up, allocates nothing on the success path.
class Dispatcher {
 public:
  /// Handler for typed events of `Model`.
  template <class Model>
  using TypedHandler = std::function<void(const Event<Model>&)>;
  /// Handler for crmEngagement events (typed).
  using EngagementHandler = TypedHandler<Engagement>;
  /// Handler for events of any model (`fields` as raw JSON).
  using ResourceHandler = std::function<void(const ResourceEvent&)>;
  /// Handler for rejected bodies.
  using ErrorHandler = std::function<void(const Error&)>;

  /// A dispatcher whose dispatch(body) parses with default ParseOptions.
  Dispatcher() = default;
  /// A dispatcher whose dispatch(body) parses with `options`.
  explicit Dispatcher(const ParseOptions& options) : options_(options) {}

  /// Registers `handler` for `key`: `"<model>::<trigger>"` (e.g. `"genericContact::updated"`)
  /// or `"<model>"` for every trigger of the model. Any model name is accepted, documented or
  /// not. Returns false, registering nothing, when `key` is malformed (empty model, a trigger
  /// other than created/updated/deleted). For a typed model the handler gets the envelope
  /// view (`fields` raw) after the typed checks passed.
  bool on(std::string_view key, ResourceHandler handler) {
    std::string_view model = key;
    std::optional<Trigger> trigger;
    if (key.find("::") != std::string_view::npos) {
      Trigger t{};
      if (!detail::split_event_name(key, model, t)) return false;
      trigger = t;
    } else if (!valid_model(key)) {
      return false;
    }
    resource_.push_back({std::string(model), trigger, std::move(handler)});
    return true;
  }

  /// Registers a typed handler for events of `Model` (one of TypedModels) with the given
  /// trigger: `on<Engagement>(Trigger::created, [](const Event<Engagement>& e) { ... })`.
  template <class Model>
  void on(Trigger trigger, TypedHandler<Model> handler) {
    typed<Model>().push_back({trigger, std::move(handler)});
  }

  /// Registers a typed handler for every event of `Model` (one of TypedModels).
  template <class Model>
  void on(TypedHandler<Model> handler) {
    typed<Model>().push_back({std::nullopt, std::move(handler)});
  }

  /// Registers a typed handler for crmEngagement events with the given trigger
  /// (`on<Engagement>()`).
  void on_engagement(Trigger trigger, EngagementHandler handler) {
    on<Engagement>(trigger, std::move(handler));
  }

  /// Registers a typed handler for every crmEngagement event (`on<Engagement>()`).
  void on_engagement(EngagementHandler handler) { on<Engagement>(std::move(handler)); }

  /// Sets the fallback for accepted events no handler matched (replaces any previous one).
  void on_unhandled(ResourceHandler handler) { unhandled_ = std::move(handler); }

  /// Sets the handler called with the error when a body is rejected (replaces any previous).
  void on_error(ErrorHandler handler) { error_ = std::move(handler); }

  /// Parses `body` with the dispatcher's options and a Parser of this thread reserved for
  /// dispatching (so a handler may call parse_event() freely), then runs the matching
  /// handlers. Returns the error (after calling on_error()) for a rejected body.
  Result<Dispatched> dispatch(std::string_view body) const {
    return run(dispatch_parser(), body, options_);
  }

  /// Same with `parser` and its options. Events passed to handlers point into `parser`, so
  /// handlers must not parse with it.
  Result<Dispatched> dispatch(Parser& parser, std::string_view body) const {
    return run(parser, body, parser.options());
  }

  /// Number of registered handlers (typed and envelope, fallback and error handler excluded).
  [[nodiscard]] std::size_t size() const noexcept {
    std::size_t n = resource_.size();
    std::apply([&n](const auto&... lists) { ((n += lists.entries.size()), ...); }, typed_);
    return n;
  }

 private:
  struct ResourceEntry {
    std::string model;
    std::optional<Trigger> trigger;  // nullopt: every trigger
    ResourceHandler handler;
  };

  template <class Model>
  auto& typed() {
    return std::get<detail::TypedHandlers<Model>>(typed_).entries;
  }

  static Parser& dispatch_parser() noexcept {
    static thread_local Parser parser;
    return parser;
  }

  Result<Dispatched> run(Parser& parser, std::string_view body, const ParseOptions& options) const {
    std::string_view model = detail::peek_event_model(body);
    if (model.empty() || !is_typed(model)) {
      // Not Morph's usual layout (learn the model from a full envelope parse first), or a model
      // without a type.
      Result<ResourceEvent> envelope = parser.parse_envelope(body, options);
      if (!envelope) return fail(std::move(envelope).error());
      if (!is_typed(envelope->model)) return deliver(*envelope);
      model = envelope->model;
    }
    std::optional<Result<Dispatched>> result;
    std::apply(
        [&](const auto&... lists) {
          (run_typed(lists, model, parser, body, options, result), ...);
        },
        typed_);
    return std::move(*result);
  }

  static bool is_typed(std::string_view model) noexcept {
    bool typed = false;
    for_each_typed_model(
        [&](auto tag) { typed = typed || model == model_name<typename decltype(tag)::type>; });
    return typed;
  }

  template <class F>
  static void for_each_typed_model(F&& f) {
    std::apply([&f](auto... models) { (f(detail::TypeTag<decltype(models)>{}), ...); },
               TypedModels{});
  }

  /// When `model` is Model's: parses `body` as it, runs its typed handlers, then the envelope
  /// handlers of the model (or the fallback), into `result`.
  template <class Model>
  void run_typed(const detail::TypedHandlers<Model>& lists, std::string_view model, Parser& parser,
                 std::string_view body, const ParseOptions& options,
                 std::optional<Result<Dispatched>>& result) const {
    if (model != model_name<Model>) return;
    Result<Event<Model>> typed = parser.parse_as<Model>(body, options);
    if (!typed) {
      result = fail(std::move(typed).error());
      return;
    }
    std::size_t ran = 0;
    for (const auto& entry : lists.entries) {
      if (entry.trigger && *entry.trigger != typed->trigger) continue;
      entry.handler(*typed);
      ++ran;
    }
    // Envelope handlers (or the fallback) need `fields` raw: parse again (only then). The typed
    // checks passed, so the envelope checks pass too.
    if (!any_resource_handler(model, typed->trigger) && (ran > 0 || !unhandled_)) {
      result = ran > 0 ? Dispatched::handled : Dispatched::ignored;
      return;
    }
    Result<ResourceEvent> envelope = parser.parse_envelope(body, options);
    if (!envelope) {
      result = fail(std::move(envelope).error());
      return;
    }
    result = deliver(*envelope, ran);
  }

  /// A model name as split_event_name() accepts it: non-empty, [A-Za-z0-9_] only.
  static bool valid_model(std::string_view model) noexcept {
    if (model.empty()) return false;
    for (const char c : model) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      if (!ok) return false;
    }
    return true;
  }

  bool any_resource_handler(std::string_view model, Trigger trigger) const noexcept {
    for (const ResourceEntry& entry : resource_) {
      if (entry.model == model && (!entry.trigger || *entry.trigger == trigger)) return true;
    }
    return false;
  }

  /// Runs the envelope handlers matching `event`, or the fallback when none did and
  /// `already_ran` (typed handlers run before) is zero.
  Dispatched deliver(const ResourceEvent& event, std::size_t already_ran = 0) const {
    std::size_t ran = already_ran;
    for (const ResourceEntry& entry : resource_) {
      if (entry.model != event.model || (entry.trigger && *entry.trigger != event.trigger)) {
        continue;
      }
      entry.handler(event);
      ++ran;
    }
    if (ran > 0) return Dispatched::handled;
    if (!unhandled_) return Dispatched::ignored;
    unhandled_(event);
    return Dispatched::unhandled;
  }

  Result<Dispatched> fail(Error error) const {
    if (error_) error_(error);
    return error;
  }

  ParseOptions options_{};
  typename detail::TypedHandlerLists<TypedModels>::type typed_;
  std::vector<ResourceEntry> resource_;
  ResourceHandler unhandled_;
  ErrorHandler error_;
};

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_DISPATCH_HPP
