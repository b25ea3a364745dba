/// @file owned.hpp
/// @brief Owned copies of events: to_owned(), OwnedWebhookEvent and OwnedResourceEvent.
///
/// A parsed event is a set of views into its Parser and dies with the next parse. An owned
/// event copies every string and list into one buffer of its own, so it can be stored, queued,
/// copied and moved to another thread. view() gives back an ordinary WebhookEvent / ResourceEvent
/// whose views point into the owned object (valid while it lives and is not modified).
#ifndef MORPH_WEBHOOK_OWNED_HPP
#define MORPH_WEBHOOK_OWNED_HPP

#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "morph/webhook/types.hpp"

namespace morph::webhook {

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {

/// First pass of a deep copy: adds up the bytes every string and list needs (with alignment).
class MeasureCopy {
 public:
  static constexpr bool copies = false;
  void text(std::string_view& v) noexcept { bytes_ += v.size(); }
  template <class T>
  T* array(std::size_t n) noexcept {
    bytes_ = (bytes_ + alignof(T) - 1) / alignof(T) * alignof(T) + n * sizeof(T);
    return nullptr;
  }
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

 private:
  std::size_t bytes_ = 0;
};

/// Second pass: copies each string and list into `buffer` (sized by MeasureCopy, same order)
/// and re-points the views at the copies.
class PlaceCopy {
 public:
  static constexpr bool copies = true;
  explicit PlaceCopy(std::byte* buffer) noexcept : buffer_(buffer) {}
  void text(std::string_view& v) noexcept {
    if (v.empty()) {
      v = std::string_view();
      return;
    }
    char* to = reinterpret_cast<char*>(buffer_ + at_);
    std::memcpy(to, v.data(), v.size());
    v = std::string_view(to, v.size());
    at_ += v.size();
  }
  template <class T>
  T* array(std::size_t n) noexcept {
    at_ = (at_ + alignof(T) - 1) / alignof(T) * alignof(T);
    T* to = reinterpret_cast<T*>(buffer_ + at_);
    at_ += n * sizeof(T);
    return to;
  }

 private:
  std::byte* buffer_;
  std::size_t at_ = 0;
};

// One deep-copy visitor per value kind (model.hpp's table): strings through `copy.text()`,
// lists through `copy.array()`, recursing into what they hold. The same walk measures (its
// views unchanged) and copies (its views re-pointed), so both passes agree by construction.
// Declared first: the overloads call each other (a list of objects holding lists).
template <class T, class Copy>
void deep_copy(Span<T>& list, Copy& copy);
template <class T, class Copy, std::enable_if_t<is_described_v<T>, int> = 0>
void deep_copy(T& object, Copy& copy);
template <class Copy>
void deep_copy(std::string_view& text, Copy& copy) {
  copy.text(text);
}
template <class E, class Copy>
void deep_copy(EnumField<E>& value, Copy& copy) {
  copy.text(value.text);
}
template <class Copy>
void deep_copy(Timestamp& time, Copy& copy) {
  copy.text(time.text);
}
template <class Copy>
void deep_copy(std::int64_t& /*number*/, Copy& /*copy*/) {}
template <class Copy>
void deep_copy(double& /*number*/, Copy& /*copy*/) {}
template <class Copy>
void deep_copy(bool& /*flag*/, Copy& /*copy*/) {}
template <class Copy>
void deep_copy(ResourceRef& ref, Copy& copy) {
  copy.text(ref.object);
  copy.text(ref.model);
  copy.text(ref.id);
  copy.text(ref.raw_json);
}
template <class Copy>
void deep_copy(Warning& warning, Copy& copy) {
  copy.text(warning.code);
  if (warning.message) copy.text(*warning.message);
}
template <class Copy>
void deep_copy(Answer& answer, Copy& copy) {
  copy.text(answer.key);
  std::visit([&copy](auto& value) { deep_copy(value, copy); }, answer.value);
}
template <class T, class Copy, std::enable_if_t<is_described_v<T>, int>>
void deep_copy(T& object, Copy& copy) {
  for_each_field<T>([&](const auto& field) {
    if (auto* value = value_of(object.*field.member)) deep_copy(*value, copy);
  });
}
/// A list: its elements copied into the new storage, then each deep-copied in place.
template <class T, class Copy>
void deep_copy(Span<T>& list, Copy& copy) {
  T* to = copy.template array<T>(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    T item = list[i];
    deep_copy(item, copy);
    if constexpr (Copy::copies) new (to + i) T(item);
  }
  if constexpr (Copy::copies) list = Span<T>(list.empty() ? nullptr : to, list.size());
}

}  // namespace detail
/// @endcond

/// An event that owns all its strings and lists: a typed `Event<Model>` or a ResourceEvent.
///
/// Storage is one heap buffer holding every string and list of the event (refs, warnings,
/// nested objects and their lists), sized by a measuring pass and filled by a copying pass.
/// view() is free (it returns a reference to a ready-made event). The buffer never moves, so a
/// move keeps every view valid with no re-pointing; a copy deep-copies into a buffer of its
/// own. A moved-from object is left empty (equal to a default-constructed one). Not internally
/// synchronized, like any value type: share across threads by moving or copying, not by
/// reference.
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

  /// A deep copy of `event`: every string and list is copied into this object.
  explicit Owned(const Event& event) { assign(event); }

  /// Copies (the copy owns its own buffer).
  Owned(const Owned& other) { assign(other.event_); }

  /// Moves; `other` is left empty.
  Owned(Owned&& other) noexcept
      : buffer_(std::move(other.buffer_)), bytes_(other.bytes_), event_(other.event_) {
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
      buffer_ = std::move(other.buffer_);
      bytes_ = other.bytes_;
      event_ = other.event_;
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

  /// Bytes held in the internal buffer (strings and lists).
  [[nodiscard]] std::size_t string_bytes() const noexcept { return bytes_; }

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
  /// Deep-copies every string and list of the event with `copy` (see detail::deep_copy).
  template <class Copy>
  static void copy_event(Event& e, Copy& copy) {
    for_each_envelope_member<typename Event::fields_type>([&](const auto& m) {
      if (auto* value = value_of(e.*m.member)) detail::deep_copy(*value, copy);
    });
  }

  /// Deep copy of `source` into this (empty) object: measure, allocate once, copy.
  void assign(const Event& source) {
    Event measured = source;
    detail::MeasureCopy measure;
    copy_event(measured, measure);
    bytes_ = measure.bytes();
    buffer_.reset(bytes_ == 0 ? nullptr : new std::byte[bytes_]);
    event_ = source;
    detail::PlaceCopy place(buffer_.get());
    copy_event(event_, place);
  }

  /// Back to the empty state (used on moved-from objects).
  void clear() noexcept {
    buffer_.reset();
    bytes_ = 0;
    event_ = Event{};
  }

  std::unique_ptr<std::byte[]> buffer_;  // every string and list of the event
  std::size_t bytes_ = 0;
  Event event_{};  // views into buffer_
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
