/// @file owned.hpp
/// @brief Owned copies of events: to_owned(), OwnedWebhookEvent and OwnedResourceEvent.
///
/// A parsed event is a set of views into its Parser and dies with the next parse. An owned
/// event copies every string into one buffer of its own, so it can be stored, queued, copied
/// and moved to another thread. view() gives back an ordinary WebhookEvent / ResourceEvent
/// whose views point into the owned object (valid while it lives and is not modified).
#ifndef MORPH_WEBHOOK_OWNED_HPP
#define MORPH_WEBHOOK_OWNED_HPP

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "morph/webhook/types.hpp"

namespace morph::webhook {

/// An event that owns all its strings: WebhookEvent (crmEngagement) or ResourceEvent.
///
/// Storage is one `std::string` holding every string of the event back to back, plus
/// vectors of the refs and warnings whose views point into that string. view() is free (it
/// returns a reference to a ready-made event). Copies and moves re-point every view at the
/// new buffer, so a copy or a moved-to object is independent of its source; a moved-from
/// object is left empty (equal to a default-constructed one). Not internally synchronized,
/// like any value type: share across threads by moving or copying, not by reference.
template <class Event>
class Owned {
  static_assert(std::is_same_v<Event, WebhookEvent> || std::is_same_v<Event, ResourceEvent>,
                "Owned<Event> holds a WebhookEvent or a ResourceEvent");

 public:
  /// The event type view() returns.
  using event_type = Event;

  /// An empty event (every view empty, no refs, no warnings).
  Owned() = default;

  /// A deep copy of `event`: every string is copied into this object.
  explicit Owned(const Event& event) { assign(event); }

  /// Copies (the copy owns its own buffer).
  Owned(const Owned& other)
      : arena_(other.arena_),
        refs_(other.refs_),
        warnings_(other.warnings_),
        event_(other.event_),
        lists_(other.lists_) {
    rebase(other.arena_.data());
  }

  /// Moves; `other` is left empty.
  Owned(Owned&& other) noexcept
      : event_(other.event_), lists_(other.lists_) {
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
  // Where each ref list of a WebhookEvent sits in refs_ (unused for ResourceEvent).
  struct ListPos {
    std::size_t begin = 0;
    std::size_t count = 0;
    bool present = false;
  };
  struct Lists {
    ListPos users, companies, contacts, opportunities;
  };

  /// Calls `f(std::string_view&)` on every string view of the event, refs and warnings.
  template <class F>
  void for_each_view(F&& f) {
    f(event_.event);
    f(event_.model);
    f(event_.id);
    f(event_.created_at.text);
    f(event_.updated_at.text);
    if (event_.raw_resource) f(*event_.raw_resource);
    if constexpr (std::is_same_v<Event, WebhookEvent>) {
      Engagement& e = event_.fields;
      if (e.type) f(e.type->text);
      if (e.direction) f(e.direction->text);
      if (e.status) f(e.status->text);
      if (e.title) f(*e.title);
      if (e.description) f(*e.description);
      if (e.started_at) f(e.started_at->text);
      if (e.ended_at) f(e.ended_at->text);
      if (e.owner) for_each_ref_view(*e.owner, f);
    } else {
      f(event_.fields);
    }
    for (ResourceRef& ref : refs_) for_each_ref_view(ref, f);
    for (Warning& w : warnings_) {
      f(w.code);
      if (w.message) f(*w.message);
    }
  }

  template <class F>
  static void for_each_ref_view(ResourceRef& ref, F& f) {
    f(ref.object);
    f(ref.model);
    f(ref.id);
    f(ref.raw_json);
  }

  /// Deep copy of `source` into this (empty) object.
  void assign(const Event& source) {
    event_ = source;
    warnings_.assign(source.warnings.begin(), source.warnings.end());
    if constexpr (std::is_same_v<Event, WebhookEvent>) {
      const Engagement& f = source.fields;
      std::size_t total = 0;
      for (const auto* list : {&f.users, &f.companies, &f.contacts, &f.opportunities}) {
        if (*list) total += (*list)->size();
      }
      refs_.reserve(total);
      const auto take = [this](const std::optional<RefList>& list, ListPos& pos) {
        pos = ListPos{refs_.size(), 0, list.has_value()};
        if (!list) return;
        refs_.insert(refs_.end(), list->begin(), list->end());
        pos.count = list->size();
      };
      take(f.users, lists_.users);
      take(f.companies, lists_.companies);
      take(f.contacts, lists_.contacts);
      take(f.opportunities, lists_.opportunities);
    }
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
    if constexpr (std::is_same_v<Event, WebhookEvent>) {
      const auto list = [this](const ListPos& pos) -> std::optional<RefList> {
        if (!pos.present) return std::nullopt;
        return RefList(refs_.data() + pos.begin, pos.count);
      };
      Engagement& f = event_.fields;
      f.users = list(lists_.users);
      f.companies = list(lists_.companies);
      f.contacts = list(lists_.contacts);
      f.opportunities = list(lists_.opportunities);
    }
  }

  /// Back to the empty state (used on moved-from objects).
  void clear() noexcept {
    arena_.clear();
    refs_.clear();
    warnings_.clear();
    event_ = Event{};
    lists_ = Lists{};
  }

  std::string arena_;                // every string of the event, back to back
  std::vector<ResourceRef> refs_;    // all ref lists, concatenated (views into arena_)
  std::vector<Warning> warnings_;    // views into arena_
  Event event_{};                    // views into arena_, lists into refs_/warnings_
  Lists lists_{};
};

/// A crmEngagement event that owns its strings (see Owned).
using OwnedWebhookEvent = Owned<WebhookEvent>;
/// An event of any model that owns its strings (see Owned).
using OwnedResourceEvent = Owned<ResourceEvent>;

/// Copies `event` (and everything it points to) into an OwnedWebhookEvent.
[[nodiscard]] inline OwnedWebhookEvent to_owned(const WebhookEvent& event) {
  return OwnedWebhookEvent(event);
}

/// Copies `event` (and everything it points to) into an OwnedResourceEvent.
[[nodiscard]] inline OwnedResourceEvent to_owned(const ResourceEvent& event) {
  return OwnedResourceEvent(event);
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_OWNED_HPP
