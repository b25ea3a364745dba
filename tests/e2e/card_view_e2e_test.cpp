// End-to-end: start examples/card_view_receiver on 127.0.0.1 (port 0), post real-shaped
// widgetCardView events over HTTP, check the cards it answers byte for byte (and that they
// parse as JSON with the response schema's shape), its errors, and its clean stop on SIGTERM.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "catch.hpp"
#include "receiver_process.hpp"

namespace {

std::string read_payload(const std::string& name) {
  std::ifstream in(std::string(MORPH_WEBHOOK_PAYLOADS_DIR) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const httplib::Headers morph_headers = {
    {"x-conector-id", "hubspot"},
    {"x-owner-id", "owner-1"},
    {"x-idempotency-key", "4567890-CONTACT-247-1700000000123"},
};

// Checks the shape the response schema requires, independently of the byte comparison:
// cards[] of {title, contents[] of text/status}, root.actions[].
void check_shape(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(body).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array cards;
  REQUIRE(doc["cards"].get(cards) == simdjson::SUCCESS);
  for (simdjson::dom::element card : cards) {
    std::string_view title;
    CHECK(card["title"].get(title) == simdjson::SUCCESS);
    simdjson::dom::array contents;
    REQUIRE(card["contents"].get(contents) == simdjson::SUCCESS);
    for (simdjson::dom::element content : contents) {
      std::string_view type;
      REQUIRE(content["type"].get(type) == simdjson::SUCCESS);
      CHECK((type == "text" || type == "status"));
      std::string_view label;
      std::string_view value;
      CHECK(content["label"].get(label) == simdjson::SUCCESS);
      CHECK(content["value"].get(value) == simdjson::SUCCESS);
    }
  }
}

}  // namespace

TEST_CASE("card_view_receiver answers card views with cards", "[card_view]") {
  e2e::Receiver receiver(MORPH_WEBHOOK_CARD_VIEW_RECEIVER);
  httplib::Client client("127.0.0.1", receiver.port());
  client.set_connection_timeout(5);
  client.set_read_timeout(10);

  SECTION("a widget opened on a contact") {
    const auto res = client.Post("/webhooks/morph", morph_headers,
                                 read_payload("card-view-created.json"), "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "application/json");
    CHECK(
        res->body ==
        R"({"cards":[{"title":"Contact 247","contents":[)"
        R"({"type":"text","label":"Record id","value":"247",)"
        R"("link":"https://app.example.com/contacts/247"},)"
        R"({"type":"text","label":"Opened by","value":"user 61234567"},)"
        R"({"type":"text","label":"Request","value":"4567890-1700000000123"},)"
        R"({"type":"status","label":"Sync","value":"up to date","status":"success"}],)"
        R"("actions":[{"type":"openUrlInIframe","label":"Edit",)"
        R"("url":"https://app.example.com/contacts/247/edit"}],)"
        R"("link":"https://app.example.com/contacts/247"}],)"
        R"("root":{"title":"Example App","providerName":"Example",)"
        R"("actions":[{"type":"openUrl","label":"Open Example","url":"https://app.example.com/"}]}})");
    check_shape(res->body);
    CHECK(receiver.wait_for_log_lines(1) ==
          std::vector<std::string>{
              "card view 4567890-1700000000123 key=4567890-CONTACT-247-1700000000123 status=200"});
  }

  SECTION("a widget opened on a deal, fields in another order, no user") {
    const std::string body =
        R"({"event":"widgetCardView::created","data":{"object":"resource",)"
        R"("model":"widgetCardView","id":"acme.my.salesforce.com-005-Opportunity-0061-1700000000999",)"
        R"("fields":{"crmOpportunity":{"object":"resourceRef","model":"crmOpportunity","id":"0061"}},)"
        R"("createdAt":"2023-11-14T22:13:20.999Z","updatedAt":"2023-11-14T22:13:20.999Z"}})";
    const auto res = client.Post("/webhooks/morph", morph_headers, body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body.find(R"({"cards":[{"title":"Opportunity 0061","contents":[)"
                         R"({"type":"text","label":"Record id","value":"0061",)"
                         R"("link":"https://app.example.com/deals/0061"},)"
                         R"({"type":"text","label":"Opened by","value":"unknown user"},)") == 0);
    check_shape(res->body);
  }

  SECTION("a widget opened on nothing the receiver knows") {
    const std::string body =
        R"({"event":"widgetCardView::created","data":{"object":"resource",)"
        R"("model":"widgetCardView","id":"1","fields":{},)"
        R"("createdAt":"2023-11-14T22:13:20.999Z","updatedAt":"2023-11-14T22:13:20.999Z"}})";
    const auto res = client.Post("/webhooks/morph", morph_headers, body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body.rfind(R"({"cards":[{"title":"Nothing to show","contents":[{"type":"status",)",
                          0) == 0);
    CHECK(res->body.find(R"("status":"warning"}]}])") != std::string::npos);
    check_shape(res->body);
  }

  SECTION("errors") {
    struct Row {
      const char* name;
      httplib::Headers headers;
      std::string body;
      int status;
      std::string code;
      std::string pointer;
    };
    const std::vector<Row> rows = {
        {"missing header",
         {{"x-owner-id", "o"}, {"x-idempotency-key", "k"}},
         read_payload("card-view-created.json"),
         400,
         "missing_header",
         ""},
        {"invalid body", morph_headers, "{\"event\":", 400, "invalid_json", ""},
        {"another model", morph_headers, read_payload("call-created.json"), 422,
         "unsupported_model", "/data/model"},
        {"a ref that is not an object", morph_headers,
         R"({"event":"widgetCardView::created","data":{"object":"resource",)"
         R"("model":"widgetCardView","id":"1","fields":{"genericCompany":"42"},)"
         R"("createdAt":"2023-11-14T22:13:20.999Z","updatedAt":"2023-11-14T22:13:20.999Z"}})",
         400, "wrong_type", "/data/fields/genericCompany"},
    };
    for (const Row& row : rows) {
      INFO(row.name);
      const auto res = client.Post("/webhooks/morph", row.headers, row.body, "application/json");
      REQUIRE(res);
      CHECK(res->status == row.status);
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      REQUIRE(parser.parse(res->body).get(doc) == simdjson::SUCCESS);
      std::string_view code;
      std::string_view pointer;
      REQUIRE(doc["error"]["code"].get(code) == simdjson::SUCCESS);
      REQUIRE(doc["error"]["pointer"].get(pointer) == simdjson::SUCCESS);
      CHECK(code == row.code);
      CHECK(pointer == row.pointer);
    }
  }

  const int status = receiver.stop(SIGTERM);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
