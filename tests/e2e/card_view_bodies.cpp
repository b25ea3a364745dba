// Prints, one per line, the to_json() body of every card view built from a grid of shapes
// (each content kind and style, each optional member set or not, root absent/empty/full) and
// of awkward strings (empty, escapes, controls, NUL, U+2028, non-BMP). card_view_zod.mjs
// checks every line against Morph's response schema in zod. Exit status 1 if to_json()
// refuses a view of the grid (all of them are valid).
#include <morph/webhook/card_view.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace mw = morph::webhook;

int main() {
  const std::vector<std::string> strings = {"",
                                            "Plain text",
                                            "quote \" backslash \\ slash /",
                                            std::string("nul\0byte", 8),
                                            "controls \x01\x1f\t\n\r",
                                            "line\xE2\x80\xA8separator",
                                            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
                                            "https://app.example.com/c/247?x=1&y=%20"};
  const std::vector<mw::CardContent> contents = [&] {
    std::vector<mw::CardContent> out;
    for (const std::string& s : strings) {
      out.push_back(mw::text_content(s, s));
      out.push_back(mw::text_content("label", s, s));
    }
    for (mw::StatusStyle style :
         {mw::StatusStyle::default_, mw::StatusStyle::success, mw::StatusStyle::warning,
          mw::StatusStyle::danger, mw::StatusStyle::info}) {
      out.push_back(mw::status_content("status", "value", style));
    }
    return out;
  }();

  std::vector<mw::CardView> views;
  views.emplace_back();  // no cards
  // One card per content row, with and without actions and link.
  for (std::size_t i = 0; i < contents.size(); ++i) {
    mw::CardView v;
    mw::Card& card = v.add_card(strings[i % strings.size()]);
    card.contents.push_back(contents[i]);
    if (i % 2 == 0) card.link = strings[(i / 2) % strings.size()];
    if (i % 3 == 0) card.actions.push_back(mw::open_url_action(strings[i % strings.size()], "u"));
    if (i % 3 == 1) {
      card.actions.push_back(mw::open_url_in_iframe_action("Edit", strings[i % strings.size()]));
      card.actions.push_back(mw::open_url_action("Open", "https://x.example"));
    }
    views.push_back(v);
  }
  // Every row in one card, several cards; root in each shape.
  for (int shape = 0; shape < 6; ++shape) {
    mw::CardView v;
    v.add_card("All").contents = contents;
    v.add_card("Empty");
    if (shape == 1) v.root.emplace();
    if (shape == 2) v.root.emplace().title = "Title";
    if (shape == 3) v.root.emplace().provider_name = strings[6];
    if (shape == 4) v.root.emplace().provider_logo_url = strings[7];
    if (shape == 5) {
      mw::CardViewRoot& root = v.root.emplace();
      root.title = strings[2];
      root.provider_name = strings[3];
      root.provider_logo_url = strings[4];
      root.actions = {mw::open_url_action("A", "a"), mw::open_url_in_iframe_action("B", "b")};
    }
    views.push_back(v);
  }

  for (const mw::CardView& view : views) {
    const auto body = mw::to_json(view);
    if (!body) {
      std::fprintf(stderr, "refused: %s\n", mw::to_string(body.error()).c_str());
      return 1;
    }
    std::printf("%s\n", body->c_str());
  }
  return 0;
}
