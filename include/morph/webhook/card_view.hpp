/// @file card_view.hpp
/// @brief CardView: the synchronous answer to a `widgetCardView` event, its builders, and
/// to_json(), which writes a body valid under Morph's response schema or says why it cannot.
///
/// A `widgetCardView::created` event means a user just opened a CRM side-panel widget; Morph
/// waits for the receiver's answer and shows the cards in it. The body is Morph's schema
/// (`response` of `WidgetCardView.ts`):
/// ```
/// {"cards":[{"title":...,"contents":[{"type":"text","label":...,"value":...,"link":...},
///                                    {"type":"status","label":...,"value":...,"status":...}],
///            "actions":[{"type":"openUrl","label":...,"url":...}],"link":...}],
///  "root":{"title":...,"providerName":...,"providerLogoUrl":...,"actions":[...]}}
/// ```
/// to_json() writes exactly that, compact, keys in this order, optional members only when set.
/// It refuses (with an Error naming the rule and the JSON Pointer of the value in the body it
/// would have written) what Morph's schema rejects or would silently drop: a string that is
/// not UTF-8, an enum value outside its list, a status content without a status, a status on
/// a text content or a link on a status content. The schema sets no string lengths, no URL
/// format and no minimum number of cards, so neither does this file.
///
/// What the library cannot know: how long Morph waits for the answer (not documented; the
/// answer is shown while a user waits for the widget to open, so compute it from data at hand
/// and keep slow work out of the request), and what Morph does with a non-200 or an invalid
/// body (not documented either).
#ifndef MORPH_WEBHOOK_CARD_VIEW_HPP
#define MORPH_WEBHOOK_CARD_VIEW_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "morph/webhook/error.hpp"
#include "morph/webhook/json_writer.hpp"
#include "morph/webhook/request.hpp"

namespace morph::webhook {

/// What a content row shows (`type` on the wire).
enum class ContentType : std::uint8_t {
  text,    ///< `"text"`: a label and a value, the value optionally a link.
  status,  ///< `"status"`: a label and a value drawn in a StatusStyle.
};

/// Visual style of a status content (`status` on the wire).
enum class StatusStyle : std::uint8_t {
  default_,  ///< `"default"` (a C++ keyword, hence the underscore).
  success,   ///< `"success"`.
  warning,   ///< `"warning"`.
  danger,    ///< `"danger"`.
  info,      ///< `"info"`.
};

/// What an action button does (`type` on the wire).
enum class ActionType : std::uint8_t {
  open_url,            ///< `"openUrl"`: opens `url` in a new tab.
  open_url_in_iframe,  ///< `"openUrlInIframe"`: opens `url` in a frame inside the CRM.
};

/// The wire name of a content type (`"text"`, `"status"`); `""` for a value outside the enum.
[[nodiscard]] constexpr std::string_view to_string(ContentType value) noexcept {
  switch (value) {
    case ContentType::text: return "text";
    case ContentType::status: return "status";
  }
  return {};
}

/// The wire name of a status style (`"default"`, `"success"`, ...); `""` outside the enum.
[[nodiscard]] constexpr std::string_view to_string(StatusStyle value) noexcept {
  switch (value) {
    case StatusStyle::default_: return "default";
    case StatusStyle::success: return "success";
    case StatusStyle::warning: return "warning";
    case StatusStyle::danger: return "danger";
    case StatusStyle::info: return "info";
  }
  return {};
}

/// The wire name of an action type (`"openUrl"`, `"openUrlInIframe"`); `""` outside the enum.
[[nodiscard]] constexpr std::string_view to_string(ActionType value) noexcept {
  switch (value) {
    case ActionType::open_url: return "openUrl";
    case ActionType::open_url_in_iframe: return "openUrlInIframe";
  }
  return {};
}

/// A button, on a card or on the whole widget (CardViewRoot).
struct CardAction {
  ActionType type{ActionType::open_url};  ///< `type`.
  std::string label;                      ///< `label`: the button's text.
  std::string url;                        ///< `url`: opened on click (Morph checks no format).
};

/// One row of a card: a text content or a status content (the schema's union on `type`).
///
/// The members that belong to one variant only are optional; to_json() refuses a row that
/// has the other variant's member (Morph's schema would drop it without a word) or a status
/// row without its style. text_content() and status_content() build correct rows.
struct CardContent {
  ContentType type{ContentType::text};  ///< `type`.
  std::string label;                    ///< `label`.
  std::string value;                    ///< `value`: the text shown.
  std::optional<std::string> link;    ///< `link`, text only: URL opened when the value is clicked.
  std::optional<StatusStyle> status;  ///< `status`, status only and required there.
};

/// One card: a title, rows, and optional buttons.
struct Card {
  std::string title;                  ///< `title`.
  std::vector<CardContent> contents;  ///< `contents`, in display order (may be empty).
  std::vector<CardAction> actions;    ///< `actions`; left out of the body when empty.
  std::optional<std::string> link;    ///< `link`: URL opened when the title is clicked.
};

/// Widget-level settings (`root`): every member optional.
struct CardViewRoot {
  std::optional<std::string> title;              ///< `title`: main title of the widget.
  std::optional<std::string> provider_name;      ///< `providerName`: who provides the cards.
  std::optional<std::string> provider_logo_url;  ///< `providerLogoUrl`: that provider's logo.
  /// `actions`: widget-level buttons (HubSpot shows the first as the primary action). Written
  /// whenever `root` is, `[]` when empty: Morph's schema required it before 2025-01-13.
  std::vector<CardAction> actions;
};

/// The answer to a widgetCardView event: the cards to show, and optional widget settings.
/// An empty `cards` is a valid answer (the widget shows nothing).
struct CardView {
  std::vector<Card> cards;           ///< `cards`, in display order.
  std::optional<CardViewRoot> root;  ///< `root`; left out of the body when unset.

  /// Appends a card and returns it, to fill in place:
  /// `view.add_card("Deal").contents.push_back(text_content("Stage", stage));`.
  Card& add_card(std::string title, std::optional<std::string> link = std::nullopt) {
    cards.push_back(Card{std::move(title), {}, {}, std::move(link)});
    return cards.back();
  }
};

/// A text row: `{"type":"text","label":...,"value":...}`.
[[nodiscard]] inline CardContent text_content(std::string label, std::string value) {
  return CardContent{ContentType::text, std::move(label), std::move(value), std::nullopt,
                     std::nullopt};
}

/// A text row whose value opens `link` when clicked.
[[nodiscard]] inline CardContent text_content(std::string label, std::string value,
                                              std::string link) {
  return CardContent{ContentType::text, std::move(label), std::move(value), std::move(link),
                     std::nullopt};
}

/// A status row: `{"type":"status","label":...,"value":...,"status":...}`.
[[nodiscard]] inline CardContent status_content(std::string label, std::string value,
                                                StatusStyle style) {
  return CardContent{ContentType::status, std::move(label), std::move(value), std::nullopt, style};
}

/// A button that opens `url` in a new tab (`openUrl`).
[[nodiscard]] inline CardAction open_url_action(std::string label, std::string url) {
  return CardAction{ActionType::open_url, std::move(label), std::move(url)};
}

/// A button that opens `url` in a frame inside the CRM (`openUrlInIframe`).
[[nodiscard]] inline CardAction open_url_in_iframe_action(std::string label, std::string url) {
  return CardAction{ActionType::open_url_in_iframe, std::move(label), std::move(url)};
}

/// @cond MORPH_WEBHOOK_INTERNAL
namespace detail {

/// Where a value sits in the body, kept as indices: the pointer string is only built for an
/// error, so a valid view costs no allocation beyond its output.
struct CardViewPlace {
  static constexpr std::size_t root = ~std::size_t{0};
  std::size_t card = root;     // index in `cards`, or `root`
  const char* list = nullptr;  // "contents" or "actions" inside that object, or none
  std::size_t item = 0;        // index in that list

  CardViewPlace() = default;
  explicit CardViewPlace(std::size_t card_index, const char* list_name = nullptr,
                         std::size_t item_index = 0) noexcept
      : card(card_index), list(list_name), item(item_index) {}

  [[nodiscard]] std::string pointer(std::string_view key) const {
    std::string out = card == root ? std::string("/root") : "/cards/" + std::to_string(card);
    if (list != nullptr) {
      out += '/';
      out += list;
      out += '/';
      out += std::to_string(item);
    }
    out += '/';
    out += key;
    return out;
  }
};

/// Writes `view` to `out` in Morph's shape, or stops at the first value Morph would refuse.
class CardViewWriter {
 public:
  explicit CardViewWriter(std::string& out) noexcept : out_(out) {}

  [[nodiscard]] bool view(const CardView& v) {
    out_ += "{\"cards\":[";
    for (std::size_t c = 0; c < v.cards.size(); ++c) {
      if (c != 0) out_ += ',';
      if (!card(v.cards[c], c)) return false;
    }
    out_ += ']';
    if (v.root) {
      const CardViewPlace here;
      const CardViewRoot& r = *v.root;
      out_ += ",\"root\":{";
      bool first = true;
      if (!optional_string(here, "title", r.title, first) ||
          !optional_string(here, "providerName", r.provider_name, first) ||
          !optional_string(here, "providerLogoUrl", r.provider_logo_url, first)) {
        return false;
      }
      if (!first) out_ += ',';
      if (!actions(r.actions, here.card)) return false;
      out_ += '}';
    }
    out_ += '}';
    return true;
  }

  [[nodiscard]] Error&& error() && noexcept { return std::move(error_); }

 private:
  [[nodiscard]] bool card(const Card& k, std::size_t index) {
    const CardViewPlace here{index};
    out_ += '{';
    if (!string_member(here, "title", k.title)) return false;
    out_ += ",\"contents\":[";
    for (std::size_t i = 0; i < k.contents.size(); ++i) {
      if (i != 0) out_ += ',';
      if (!content(k.contents[i], CardViewPlace{index, "contents", i})) return false;
    }
    out_ += ']';
    if (!k.actions.empty()) {
      out_ += ',';
      if (!actions(k.actions, index)) return false;
    }
    bool first = false;
    if (!optional_string(here, "link", k.link, first)) return false;
    out_ += '}';
    return true;
  }

  [[nodiscard]] bool content(const CardContent& c, const CardViewPlace& here) {
    const std::string_view type = to_string(c.type);
    if (type.empty()) {
      return fail(ErrorCode::invalid_value, here.pointer("type"),
                  "content type " + std::to_string(static_cast<unsigned>(c.type)) +
                      " is not one of text, status");
    }
    out_ += "{\"type\":\"";
    out_ += type;
    out_ += '"';
    if (!member_string(here, "label", c.label) || !member_string(here, "value", c.value)) {
      return false;
    }
    bool first = false;
    if (c.type == ContentType::text) {
      if (c.status) {
        return fail(ErrorCode::invalid_value, here.pointer("status"),
                    "a text content has no status (Morph's schema would drop it); use a status "
                    "content for a styled value");
      }
      if (!optional_string(here, "link", c.link, first)) return false;
      out_ += '}';
      return true;
    }
    if (c.link) {
      return fail(ErrorCode::invalid_value, here.pointer("link"),
                  "a status content has no link (Morph's schema would drop it); use a text "
                  "content for a link");
    }
    if (!c.status) {
      return fail(ErrorCode::missing_field, here.pointer("status"),
                  "a status content requires a status: default, success, warning, danger or "
                  "info");
    }
    const std::string_view style = to_string(*c.status);
    if (style.empty()) {
      return fail(ErrorCode::invalid_value, here.pointer("status"),
                  "status " + std::to_string(static_cast<unsigned>(*c.status)) +
                      " is not one of default, success, warning, danger, info");
    }
    out_ += ",\"status\":\"";
    out_ += style;
    out_ += "\"}";
    return true;
  }

  // `"actions":[...]` of the card at `card` (or of the root).
  [[nodiscard]] bool actions(const std::vector<CardAction>& list, std::size_t card) {
    out_ += "\"actions\":[";
    for (std::size_t i = 0; i < list.size(); ++i) {
      const CardViewPlace here{card, "actions", i};
      const CardAction& a = list[i];
      const std::string_view type = to_string(a.type);
      if (type.empty()) {
        return fail(ErrorCode::invalid_value, here.pointer("type"),
                    "action type " + std::to_string(static_cast<unsigned>(a.type)) +
                        " is not one of openUrl, openUrlInIframe");
      }
      out_ += i == 0 ? "{\"type\":\"" : ",{\"type\":\"";
      out_ += type;
      out_ += '"';
      if (!member_string(here, "label", a.label) || !member_string(here, "url", a.url)) {
        return false;
      }
      out_ += '}';
    }
    out_ += ']';
    return true;
  }

  // `,"key":"value"`.
  [[nodiscard]] bool member_string(const CardViewPlace& here, std::string_view key,
                                   std::string_view value) {
    out_ += ',';
    return string_member(here, key, value);
  }

  // `"key":"value"` (with a leading comma unless `first`; `first` becomes false), or nothing.
  [[nodiscard]] bool optional_string(const CardViewPlace& here, std::string_view key,
                                     const std::optional<std::string>& value, bool& first) {
    if (!value) return true;
    if (!first) out_ += ',';
    first = false;
    return string_member(here, key, *value);
  }

  // `"key":"value"`; refuses a value that is not UTF-8 rather than let append_json_string()
  // replace bytes of text a user would then see altered.
  [[nodiscard]] bool string_member(const CardViewPlace& here, std::string_view key,
                                   std::string_view value) {
    for (std::size_t i = 0; i < value.size();) {
      if (static_cast<unsigned char>(value[i]) < 0x80) {
        ++i;
        continue;
      }
      const std::size_t n = utf8_sequence_length(value, i);
      if (n == 0) {
        return fail(ErrorCode::invalid_value, here.pointer(key),
                    "not valid UTF-8 at byte " + std::to_string(i) +
                        "; Morph reads the answer as UTF-8 JSON");
      }
      i += n;
    }
    out_ += '"';
    out_ += key;
    out_ += "\":";
    append_json_string(out_, value);
    return true;
  }

  [[nodiscard]] bool fail(ErrorCode code, std::string pointer, std::string message) {
    error_ = Error{code, std::move(pointer), std::string(), std::move(message)};
    return false;
  }

  std::string& out_;
  Error error_{};
};

}  // namespace detail
/// @endcond

/// Appends the JSON body of `view` to `out` (see to_json(const CardView&)). On an error,
/// `out` is restored to its former size and the error is returned; std::nullopt on success.
[[nodiscard]] inline std::optional<Error> append_json(std::string& out, const CardView& view) {
  const std::size_t size = out.size();
  detail::CardViewWriter writer(out);
  if (writer.view(view)) return std::nullopt;
  out.resize(size);
  return std::move(writer).error();
}

/// The JSON body answering a widgetCardView event: compact, valid under Morph's response
/// schema, keys in schema order, optional members only when set (see card_view.hpp).
///
/// Errors (the first offending value, `pointer` is where it would be in the body):
/// - `invalid_value`: a string that is not well-formed UTF-8; a ContentType, StatusStyle or
///   ActionType outside its enum; a `link` on a status content or a `status` on a text
///   content (Morph's schema would drop them silently).
/// - `missing_field`: a status content without `status`.
[[nodiscard]] inline Result<std::string> to_json(const CardView& view) {
  std::string out;
  if (std::optional<Error> error = append_json(out, view)) return std::move(*error);
  return out;
}

/// The HTTP answer to a widgetCardView event, for any HTTP stack (the adapters use it).
struct CardViewAnswer {
  /// 200, or 500 when the view breaks Morph's schema (the receiver's bug, not Morph's).
  int status{200};
  /// to_json(view) on success, error_json(error) otherwise; always `application/json`.
  std::string body;
  /// Why the view was refused, to log; std::nullopt on success.
  std::optional<Error> error;
};

/// Builds the answer to a widgetCardView event from `view` (see CardViewAnswer).
[[nodiscard]] inline CardViewAnswer answer_card_view(const CardView& view) {
  CardViewAnswer answer;
  if (std::optional<Error> error = append_json(answer.body, view)) {
    answer.status = 500;
    answer.body = error_json(*error);
    answer.error = std::move(error);
  }
  return answer;
}

}  // namespace morph::webhook

#endif  // MORPH_WEBHOOK_CARD_VIEW_HPP
