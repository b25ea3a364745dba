/// @file owned.hpp
/// @brief Owned copies of events: to_owned(), OwnedWebhookEvent and OwnedResourceEvent.
///
/// A parsed event is a set of views into its Parser and dies with the next parse. An owned
/// event copies every string into one buffer of its own, so it can be stored, queued, copied
/// and moved to another thread. view() gives back an ordinary WebhookEvent / ResourceEvent
/// whose views point into the owned object (valid while it lives and is not modified).
#ifndef MORPH_WEBHOOK_OWNED_HPP
#define MORPH_WEBHOOK_OWNED_HPP

#include <array>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "morph/webhook/types.hpp"

namespace morph::webhook {

/// An event that owns all its strings: a typed `Event<Model>` or a ResourceEvent.
///
/// Storage is one `std::string` holding every string of the event back to back, plus
/// vectors of the refs and warnings whose views point into that string. view() is free (it
/// returns a reference to a ready-made event). Copies and moves re-point every view at the
/// new buffer, so a copy or a moved-to object is independent of its source; a moved-from
/// object is left empty (equal to a default-constructed one). Not internally synchronized,
/// like any value type: share across threads by moving or copying, not by reference.
template <class Event>
class Owned {
  static constexpr bool typed = !std::is_same_v<Event, ResourceEvent>;
  using Fields = decltype(Event::fields);
  static_assert(std::is_same_v<Event, morph::webhook::Event<Fields>> &&
                    (!typed || is_model_v<Fields>),
                "Owned<Event> holds an Event<Model> of a described model or a ResourceEvent");

 public:
  /// The event type view() returns.
  using event_type = Event;

  /// An empty event (every view empty, no refs, no warnings).
  Owned() = default;

  /// A deep copy of `event`: every string is copied into this object.
  explicit Owned(const Event& event) { assign(event); }

  /// Copies (the copy owns its own buffer).
  Owned(const Owned& other)
      : arena_(other.arena_), refs_(other.refs_), warnings_(other.warnings_), event_(other.event_),
        lists_(other.lists_) {
    rebase(other.arena_.data());
  }

  /// Moves; `other` is left empty.
  Owned(Owned&& other) noexcept : event_(other.event_), lists_(other.lists_) {
    const char* from = other.arena_.data();
    arena_ = std::move(other.arena_);
    refs_ = std::move(other.refs_);
    warnings_ = std::move(other.warnings_);
    rebase(from);
    other.clear();
  }

  /// Copy-assigns.
  Owned& operator=(const Owned& other) {
    if (this != &other) *this = Owned(other);
    return *this;
  }

  /// Move-assigns; `other` is left empty.
  Owned& operator=(Owned&& other) noexcept {
    if (this != &other) {
      const char* from = other.arena_.data();
      arena_ = std::move(other.arena_);
      refs_ = std::move(other.refs_);
      warnings_ = std::move(other.warnings_);
      event_ = other.event_;
      lists_ = other.lists_;
      rebase(from);
      other.clear();
    }
    return *this;
  }

  ~Owned() = default;

  /// The event, with every view pointing into this object. Valid while this object lives
  /// and is not assigned to or moved from.
  [[nodiscard]] const Event& view() const noexcept { return event_; }

  /// Shorthand for view().
  [[nodiscard]] const Event& operator*() const noexcept { return event_; }
  /// Member access to view().
  [[nodiscard]] const Event* operator->() const noexcept { return &event_; }

  /// Bytes of string data held (the size of the internal buffer).
  [[nodiscard]] std::size_t string_bytes() const noexcept { return arena_.size(); }

  /// Equal when the views are equal field by field (raw JSON byte for byte).
  friend bool operator==(const Owned& a, const Owned& b) noexcept { return a.event_ == b.event_; }
  /// Negation of ==.
  friend bool operator!=(const Owned& a, const Owned& b) noexcept { return !(a == b); }
  /// An owned event equals a view with the same content.
  friend bool operator==(const Owned& a, const Event& b) noexcept { return a.event_ == b; }
  /// An owned event equals a view with the same content.
  friend bool operator==(const Event& a, const Owned& b) noexcept { return a == b.event_; }
  /// Negation of ==.
  friend bool operator!=(const Owned& a, const Event& b) noexcept { return !(a == b); }
  /// Negation of ==.
  friend bool operator!=(const Event& a, const Owned& b) noexcept { return !(a == b); }

 private:
  // Where each ref list of a typed event sits in refs_ (by field index; unused otherwise).
  using Lists = std::array<detail::RefSlot, field_count<Fields>>;

  /// Calls `f(std::string_view&)` on every string view of the event, refs and warnings.
  template <class F>
  void for_each_view(F&& f) {
    f(event_.event);
    f(event_.model);
    f(event_.id);
    f(event_.created_at.text);
    f(event_.updated_at.text);
    if (event_.raw_resource) f(*event_.raw_resource);
    if constexpr (typed) {
      for_each_field<Fields>([this, &f](const auto& field) {
        auto& value = event_.fields.*field.member;
        if (value) visit_views(*value, f);
      });
    } else {
      f(event_.fields);
    }
    for (ResourceRef& ref : refs_) visit_views(ref, f);
    for (Warning& w : warnings_) {
      f(w.code);
      if (w.message) f(*w.message);
    }
  }

  // The string views inside one field value (value kinds: see model.hpp). Ref lists are
  // visited through refs_.
  template <class F>
  static void visit_views(std::string_view& text, F& f) {
    f(text);
  }
  template <class E, class F>
  static void visit_views(EnumField<E>& value, F& f) {
    f(value.text);
  }
  template <class F>
  static void visit_views(Timestamp& time, F& f) {
    f(time.text);
  }
  // Numbers and booleans hold no view.
  template <class Scalar, class F, std::enable_if_t<std::is_arithmetic_v<Scalar>, int> = 0>
  static void visit_views(Scalar& /*value*/, F& /*f*/) {}
  template <class F>
  static void visit_views(RefList& /*list*/, F& /*f*/) {}
  template <class F>
  static void visit_views(ResourceRef& ref, F& f) {
    f(ref.object);
    f(ref.model);
    f(ref.id);
    f(ref.raw_json);
  }

  /// Calls `f(list, slot)` on each ref list field of the event and its slot in lists_.
  template <class F>
  void for_each_list(F&& f) {
    if constexpr (typed) {
      for_each_field_index<Fields>([this, &f](auto index) {
        constexpr auto& field = field_at<Fields, decltype(index)::value>;
        using Value = typename std::decay_t<decltype(field)>::value_type;
        if constexpr (std::is_same_v<Value, RefList>) {
          f(event_.fields.*field.member, lists_[decltype(index)::value]);
        }
      });
    }
  }

  /// Deep copy of `source` into this (empty) object.
  void assign(const Event& source) {
    event_ = source;
    warnings_.assign(source.warnings.begin(), source.warnings.end());
    std::size_t total = 0;
    for_each_list([&total](const std::optional<RefList>& list, detail::RefSlot&) {
      if (list) total += list->size();
    });
    refs_.reserve(total);
    for_each_list([this](const std::optional<RefList>& list, detail::RefSlot& slot) {
      slot = detail::RefSlot{refs_.size(), 0, list.has_value()};
      if (!list) return;
      refs_.insert(refs_.end(), list->begin(), list->end());
      slot.count = list->size();
    });
    // Every view still points into the source: size one buffer, then copy each string in.
    std::size_t bytes = 0;
    for_each_view([&bytes](std::string_view& v) { bytes += v.size(); });
    arena_.resize(bytes);  // fixed size from here on: views into it stay valid
    std::size_t at = 0;
    for_each_view([this, &at](std::string_view& v) {
      if (v.empty()) {
        v = std::string_view();
        return;
      }
      std::memcpy(&arena_[at], v.data(), v.size());
      v = std::string_view(arena_.data() + at, v.size());
      at += v.size();
    });
    relink();
  }

  /// After arena_ moved or was copied from a buffer at `from`: re-point every view at the
  /// same offset in arena_, and the lists at refs_/warnings_.
  void rebase(const char* from) noexcept {
    const char* to = arena_.data();
    if (from != to) {
      for_each_view([from, to](std::string_view& v) {
        if (v.empty()) {
          v = std::string_view();
        } else {
          v = std::string_view(to + (v.data() - from), v.size());
        }
      });
    }
    relink();
  }

  /// Points the event's lists at refs_ and warnings_.
  void relink() noexcept {
    event_.warnings = WarningList(warnings_.data(), warnings_.size());
    for_each_list([this](std::optional<RefList>& list, const detail::RefSlot& slot) {
      list = slot.in(refs_.data());
    });
  }

  /// Back to the empty state (used on moved-from objects).
  void clear() noexcept {
    arena_.clear();
    refs_.clear();
    warnings_.clear();
    event_ = Event{};
    lists_ = Lists{};
  }

  std::string arena_;              // every string of the event, back to back
  std::vector<ResourceRef> refs_;  // all ref lists, concatenated (views into arena_)
  std::vector<Warning> warnings_;  // views into arena_
  Event event_{};                  // views into arena_, lists into refs_/warnings_
  Lists lists_{};
};

/// A crmEngagement event that owns its strings (see Owned).
using OwnedWebhookEvent = Owned<WebhookEvent>;
/// An event of any model that owns its strings (see Owned).
using OwnedResourceEvent = Owned<ResourceEvent>;

/// Copies `event` (and everything it points to) into an owned event (`Owned<Event<Fields>>`).
template <class Fields>
[[nodiscard]] Owned<Event<Fields>> to_owned(const Event<Fields>& event) {
  return Owned<Event<Fields>>(event);
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_OWNED_HPP
