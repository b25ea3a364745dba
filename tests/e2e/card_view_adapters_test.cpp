// set_card_view_response() (cpp-httplib) and make_card_view_response() (Boost.Beast) on
// in-memory requests: a valid view becomes 200 + its JSON body, an invalid one 500 + the error.
#include <string>

#include "catch.hpp"
#include "morph/webhook/adapters/httplib.hpp"

#if MORPH_WEBHOOK_TEST_BEAST
#include "morph/webhook/adapters/beast.hpp"
#endif

namespace mw = morph::webhook;

namespace {

mw::CardView valid_view() {
  mw::CardView view;
  view.add_card("Deal 9001")
      .contents.push_back(mw::status_content("Stage", "Won", mw::StatusStyle::success));
  return view;
}

const std::string valid_body =
    R"({"cards":[{"title":"Deal 9001","contents":[)"
    R"({"type":"status","label":"Stage","value":"Won","status":"success"}]}]})";

mw::CardView invalid_view() {
  mw::CardView view = valid_view();
  view.cards[0].contents[0].status.reset();
  return view;
}

const std::string invalid_body =
    R"({"error":{"code":"missing_field","pointer":"/cards/0/contents/0/status",)"
    R"("message":"a status content requires a status: default, success, warning, danger or )"
    R"(info"}})";

}  // namespace

TEST_CASE("answer_card_view()", "[adapters][card_view]") {
  const mw::CardViewAnswer ok = mw::answer_card_view(valid_view());
  CHECK(ok.status == 200);
  CHECK(ok.body == valid_body);
  CHECK_FALSE(ok.error.has_value());
  const mw::CardViewAnswer bad = mw::answer_card_view(invalid_view());
  CHECK(bad.status == 500);
  CHECK(bad.body == invalid_body);
  REQUIRE(bad.error.has_value());
  CHECK(bad.error->code == mw::ErrorCode::missing_field);
}

TEST_CASE("httplib: set_card_view_response()", "[adapters][card_view]") {
  httplib::Response res;
  CHECK_FALSE(mw::set_card_view_response(res, valid_view()).has_value());
  CHECK(res.status == 200);
  CHECK(res.get_header_value("Content-Type") == "application/json");
  CHECK(res.body == valid_body);

  httplib::Response bad;
  const auto error = mw::set_card_view_response(bad, invalid_view());
  REQUIRE(error.has_value());
  CHECK(error->pointer == "/cards/0/contents/0/status");
  CHECK(bad.status == 500);
  CHECK(bad.get_header_value("Content-Type") == "application/json");
  CHECK(bad.body == invalid_body);
}

#if MORPH_WEBHOOK_TEST_BEAST
TEST_CASE("Beast: make_card_view_response()", "[adapters][card_view]") {
  namespace http = boost::beast::http;
  http::request<http::string_body> req{http::verb::post, "/webhooks/morph", 10};  // HTTP/1.0
  req.keep_alive(true);

  const auto res = mw::make_card_view_response(req, valid_view());
  CHECK(res.result_int() == 200);
  CHECK(res.version() == 10);
  CHECK(res.keep_alive());
  CHECK(res[http::field::content_type] == "application/json");
  CHECK(res[http::field::content_length] == std::to_string(valid_body.size()));
  CHECK(res.body() == valid_body);

  req.keep_alive(false);
  const auto bad = mw::make_card_view_response(req, invalid_view());
  CHECK(bad.result_int() == 500);
  CHECK_FALSE(bad.keep_alive());
  CHECK(bad.body() == invalid_body);

  // make_error_response() still answers as before (it now shares the response builder).
  mw::Error error;
  error.code = mw::ErrorCode::body_too_large;
  error.message = "too large";
  const auto too_large = mw::make_error_response(req, error);
  CHECK(too_large.result_int() == 413);
  CHECK(too_large.body() == mw::error_json(error));
  CHECK(too_large[http::field::content_type] == "application/json");
}
#endif
