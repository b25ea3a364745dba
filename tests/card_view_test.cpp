// CardView and to_json(const CardView&): valid views byte for byte, and every rule of Morph's
// widgetCardView response schema broken once, each with its code and JSON Pointer.
#include <morph/webhook/card_view.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catch.hpp"
#include "test_support.hpp"

namespace mw = morph::webhook;

namespace {

// One view with every member set: two cards (the second with a link), both content kinds,
// both action kinds, and a root with every member.
mw::CardView full_view() {
  mw::CardView view;
  mw::Card& contact = view.add_card("Jane Doe");
  contact.contents.push_back(mw::text_content("Email", "jane@example.com"));
  contact.contents.push_back(
      mw::text_content("Company", "Acme", "https://crm.example.com/companies/42"));
  contact.contents.push_back(mw::status_content("Plan", "Enterprise", mw::StatusStyle::success));
  contact.actions.push_back(mw::open_url_action("Open", "https://app.example.com/c/247"));
  contact.actions.push_back(
      mw::open_url_in_iframe_action("Edit", "https://app.example.com/c/247/edit"));
  mw::Card& invoices = view.add_card("Invoices", "https://app.example.com/invoices?c=247");
  invoices.contents.push_back(mw::status_content("INV-7", "overdue", mw::StatusStyle::danger));
  mw::CardViewRoot root;
  root.title = "Example App";
  root.provider_name = "Example";
  root.provider_logo_url = "https://app.example.com/logo.png";
  root.actions.push_back(mw::open_url_action("Dashboard", "https://app.example.com/"));
  root.actions.push_back(mw::open_url_in_iframe_action("Settings", "https://app.example.com/s"));
  view.root = root;
  return view;
}

const std::string full_json =
    R"({"cards":[{"title":"Jane Doe","contents":[)"
    R"({"type":"text","label":"Email","value":"jane@example.com"},)"
    R"({"type":"text","label":"Company","value":"Acme",)"
    R"("link":"https://crm.example.com/companies/42"},)"
    R"({"type":"status","label":"Plan","value":"Enterprise","status":"success"}],)"
    R"("actions":[{"type":"openUrl","label":"Open","url":"https://app.example.com/c/247"},)"
    R"({"type":"openUrlInIframe","label":"Edit","url":"https://app.example.com/c/247/edit"}]},)"
    R"({"title":"Invoices","contents":[)"
    R"({"type":"status","label":"INV-7","value":"overdue","status":"danger"}],)"
    R"("link":"https://app.example.com/invoices?c=247"}],)"
    R"("root":{"title":"Example App","providerName":"Example",)"
    R"("providerLogoUrl":"https://app.example.com/logo.png",)"
    R"("actions":[{"type":"openUrl","label":"Dashboard","url":"https://app.example.com/"},)"
    R"({"type":"openUrlInIframe","label":"Settings","url":"https://app.example.com/s"}]}})";

const std::string not_utf8 = "caf\xC3";            // truncated sequence
const std::string overlong = "\xC0\x80";           // overlong NUL
const std::string surrogate = "a\xED\xA0\x80";     // UTF-16 surrogate encoded in UTF-8
const std::string above_max = "\xF4\x90\x80\x80";  // above U+10FFFF

}  // namespace

TEST_CASE("valid card views are written byte for byte", "[card_view]") {
  struct Row {
    const char* name;
    std::function<mw::CardView()> build;
    std::string json;
  };
  const std::vector<Row> rows = {
      {"no cards", [] { return mw::CardView{}; }, R"({"cards":[]})"},
      {"a card with no contents",
       [] {
         mw::CardView v;
         v.add_card("Deal");
         return v;
       },
       R"({"cards":[{"title":"Deal","contents":[]}]})"},
      {"every member", full_view, full_json},
      {"empty strings are allowed (the schema sets no minimum)",
       [] {
         mw::CardView v;
         v.add_card("", "").contents.push_back(mw::text_content("", "", ""));
         return v;
       },
       R"({"cards":[{"title":"","contents":[{"type":"text","label":"","value":"","link":""}],)"
       R"("link":""}]})"},
      {"every status style",
       [] {
         mw::CardView v;
         mw::Card& c = v.add_card("S");
         for (mw::StatusStyle s :
              {mw::StatusStyle::default_, mw::StatusStyle::success, mw::StatusStyle::warning,
               mw::StatusStyle::danger, mw::StatusStyle::info}) {
           c.contents.push_back(mw::status_content("l", "v", s));
         }
         return v;
       },
       R"({"cards":[{"title":"S","contents":[)"
       R"({"type":"status","label":"l","value":"v","status":"default"},)"
       R"({"type":"status","label":"l","value":"v","status":"success"},)"
       R"({"type":"status","label":"l","value":"v","status":"warning"},)"
       R"({"type":"status","label":"l","value":"v","status":"danger"},)"
       R"({"type":"status","label":"l","value":"v","status":"info"}]}]})"},
      {"a root with nothing set still writes actions (required before 2025-01-13)",
       [] {
         mw::CardView v;
         v.root.emplace();
         return v;
       },
       R"({"cards":[],"root":{"actions":[]}})"},
      {"a root with one member",
       [] {
         mw::CardView v;
         v.root.emplace().provider_name = "Acme";
         return v;
       },
       R"({"cards":[],"root":{"providerName":"Acme","actions":[]}})"},
      {"escapes and non-ASCII text",
       [] {
         mw::CardView v;
         v.add_card("Say \"hi\" \\ now\n")
             .contents.push_back(
                 mw::text_content("caf\xC3\xA9 \xE2\x82\xAC", "\xF0\x9F\x98\x80\x01 \xE2\x80\xA8"));
         return v;
       },
       "{\"cards\":[{\"title\":\"Say \\\"hi\\\" \\\\ now\\n\",\"contents\":[{\"type\":\"text\","
       "\"label\":\"caf\xC3\xA9 \xE2\x82\xAC\",\"value\":\"\xF0\x9F\x98\x80\\u0001 \\u2028\"}]}]}"},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    const mw::Result<std::string> json = mw::to_json(row.build());
    REQUIRE(json.has_value());
    CHECK(*json == row.json);
    CHECK(mw::test::is_valid_json(*json));
    // append_json() appends to what the buffer holds.
    std::string buffer = "prefix";
    CHECK_FALSE(mw::append_json(buffer, row.build()).has_value());
    CHECK(buffer == "prefix" + row.json);
  }
}

TEST_CASE("every rule of the response schema broken once", "[card_view]") {
  struct Row {
    const char* name;
    std::function<void(mw::CardView&)> mutate;
    mw::ErrorCode code;
    std::string pointer;
    std::string message_part;
  };
  const auto iv = mw::ErrorCode::invalid_value;
  const std::vector<Row> rows = {
      // UTF-8, on every string member of every object.
      {"card title", [](mw::CardView& v) { v.cards[0].title = not_utf8; }, iv, "/cards/0/title",
       "not valid UTF-8 at byte 3"},
      {"card link", [](mw::CardView& v) { v.cards[1].link = overlong; }, iv, "/cards/1/link",
       "not valid UTF-8 at byte 0"},
      {"content label", [](mw::CardView& v) { v.cards[0].contents[1].label = surrogate; }, iv,
       "/cards/0/contents/1/label", "not valid UTF-8 at byte 1"},
      {"content value", [](mw::CardView& v) { v.cards[1].contents[0].value = above_max; }, iv,
       "/cards/1/contents/0/value", "UTF-8"},
      {"text link", [](mw::CardView& v) { v.cards[0].contents[1].link = "\xFF"; }, iv,
       "/cards/0/contents/1/link", "UTF-8"},
      {"card action label", [](mw::CardView& v) { v.cards[0].actions[1].label = "\x80"; }, iv,
       "/cards/0/actions/1/label", "UTF-8"},
      {"card action url", [](mw::CardView& v) { v.cards[0].actions[0].url = not_utf8; }, iv,
       "/cards/0/actions/0/url", "UTF-8"},
      {"root title", [](mw::CardView& v) { v.root->title = not_utf8; }, iv, "/root/title", "UTF-8"},
      {"root providerName", [](mw::CardView& v) { v.root->provider_name = not_utf8; }, iv,
       "/root/providerName", "UTF-8"},
      {"root providerLogoUrl", [](mw::CardView& v) { v.root->provider_logo_url = not_utf8; }, iv,
       "/root/providerLogoUrl", "UTF-8"},
      {"root action label", [](mw::CardView& v) { v.root->actions[1].label = not_utf8; }, iv,
       "/root/actions/1/label", "UTF-8"},
      {"root action url", [](mw::CardView& v) { v.root->actions[0].url = not_utf8; }, iv,
       "/root/actions/0/url", "UTF-8"},
      // Enums.
      {"content type outside the enum",
       [](mw::CardView& v) { v.cards[0].contents[0].type = static_cast<mw::ContentType>(7); }, iv,
       "/cards/0/contents/0/type", "not one of text, status"},
      {"status style outside the enum",
       [](mw::CardView& v) { v.cards[0].contents[2].status = static_cast<mw::StatusStyle>(9); }, iv,
       "/cards/0/contents/2/status", "not one of default, success, warning, danger, info"},
      {"card action type outside the enum",
       [](mw::CardView& v) { v.cards[0].actions[0].type = static_cast<mw::ActionType>(2); }, iv,
       "/cards/0/actions/0/type", "not one of openUrl, openUrlInIframe"},
      {"root action type outside the enum",
       [](mw::CardView& v) { v.root->actions[1].type = static_cast<mw::ActionType>(200); }, iv,
       "/root/actions/1/type", "not one of openUrl, openUrlInIframe"},
      // The union on `type`: required and misplaced members.
      {"status content without status",
       [](mw::CardView& v) { v.cards[1].contents[0].status.reset(); }, mw::ErrorCode::missing_field,
       "/cards/1/contents/0/status", "requires a status"},
      {"status on a text content",
       [](mw::CardView& v) { v.cards[0].contents[0].status = mw::StatusStyle::info; }, iv,
       "/cards/0/contents/0/status", "a text content has no status"},
      {"link on a status content",
       [](mw::CardView& v) { v.cards[0].contents[2].link = "https://x.example"; }, iv,
       "/cards/0/contents/2/link", "a status content has no link"},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    mw::CardView view = full_view();
    row.mutate(view);
    const mw::Result<std::string> json = mw::to_json(view);
    REQUIRE_FALSE(json.has_value());
    CHECK(json.error().code == row.code);
    CHECK(json.error().pointer == row.pointer);
    CHECK(json.error().header.empty());
    CHECK(json.error().message.find(row.message_part) != std::string::npos);
    // On an error the buffer is left as it was.
    std::string buffer = "kept";
    const std::optional<mw::Error> error = mw::append_json(buffer, view);
    REQUIRE(error.has_value());
    CHECK(error->pointer == row.pointer);
    CHECK(buffer == "kept");
  }
}

TEST_CASE("the first offending value is the one reported", "[card_view]") {
  mw::CardView view = full_view();
  view.cards[1].title = not_utf8;
  view.cards[0].contents[0].value = not_utf8;
  const auto json = mw::to_json(view);
  REQUIRE_FALSE(json.has_value());
  CHECK(json.error().pointer == "/cards/0/contents/0/value");

  // Within a row too: the label comes before the missing status in the body.
  mw::CardView row = full_view();
  row.cards[0].contents[2].status.reset();
  row.cards[0].contents[2].label = not_utf8;
  const auto refused = mw::to_json(row);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().pointer == "/cards/0/contents/2/label");
}

TEST_CASE("wire names of the enums", "[card_view]") {
  CHECK(mw::to_string(mw::ContentType::text) == "text");
  CHECK(mw::to_string(mw::ContentType::status) == "status");
  CHECK(mw::to_string(mw::StatusStyle::default_) == "default");
  CHECK(mw::to_string(mw::StatusStyle::info) == "info");
  CHECK(mw::to_string(mw::ActionType::open_url) == "openUrl");
  CHECK(mw::to_string(mw::ActionType::open_url_in_iframe) == "openUrlInIframe");
  CHECK(mw::to_string(static_cast<mw::ActionType>(9)).empty());
}
