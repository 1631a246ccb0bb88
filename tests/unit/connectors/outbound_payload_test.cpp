// The channel-neutral outbox payload: round trips, optional members, refusals.
#include "connectors/outbound_payload.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

using namespace buurtlijn::connectors;

TEST_CASE("outbound payload: a full message survives a round trip, without address") {
  OutboundMessage message{
      "40712345678",
      "Bun venit! Alegeți:",
      {{"brp", "Înregistrare (BRP)", "Cum vă înscrieți"}, {"waste", "Deșeuri", ""}},
      "ro",
      "Meniu",
      "77"};
  const std::string payload = encode_outbound_payload(message);
  const boost::json::value json = boost::json::parse(payload);
  CHECK(json.at("text") == "Bun venit! Alegeți:");
  CHECK(json.at("lang") == "ro");
  CHECK(json.at("list_button") == "Meniu");
  CHECK(json.at("choices").at(0).at("id") == "brp");
  CHECK(json.at("choices").at(0).at("description") == "Cum vă înscrieți");
  CHECK_FALSE(json.at("choices").at(1).as_object().contains("description"));
  CHECK_FALSE(json.as_object().contains("address"));
  CHECK(payload.find("40712345678") == std::string::npos);  // no address in the outbox

  auto decoded = decode_outbound_payload(payload);
  REQUIRE(decoded);
  CHECK(decoded->address.empty());
  CHECK(decoded->reference.empty());
  CHECK(decoded->text == message.text);
  CHECK(decoded->language == "ro");
  CHECK(decoded->list_button == "Meniu");
  REQUIRE(decoded->choices.size() == 2);
  CHECK(decoded->choices[0].label == "Înregistrare (BRP)");
  CHECK(decoded->choices[0].description == "Cum vă înscrieți");
  CHECK(decoded->choices[1].id == "waste");
}

TEST_CASE("outbound payload: plain text needs only text; unknown members are ignored") {
  const std::string plain = encode_outbound_payload(OutboundMessage{"", "Hallo", {}, "nl", "", ""});
  CHECK(plain == R"({"text":"Hallo","lang":"nl"})");
  auto decoded = decode_outbound_payload(R"({"text":"Здравейте","future":1})");
  REQUIRE(decoded);
  CHECK(decoded->text == "Здравейте");
  CHECK(decoded->language.empty());
  CHECK(decoded->choices.empty());
}

TEST_CASE("outbound payload: refusals name the problem") {
  struct Case {
    const char* payload;
    const char* reason;
  };
  const Case cases[] = {
      {"", "not a JSON object"},
      {"[1]", "not a JSON object"},
      {R"({"lang":"nl"})", "\"text\" is missing"},
      {R"({"text":5})", "\"text\" is missing"},
      {R"({"text":"x","lang":3})", "\"lang\" is not a string"},
      {R"({"text":"x","choices":{}})", "\"choices\" is not an array"},
      {R"({"text":"x","choices":[3]})", "a choice is not an object"},
      {R"({"text":"x","choices":[{"id":1}]})", "\"id\" is not a string"},
      {R"({"text":"x","list_button":[]})", "\"list_button\" is not a string"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.payload);
    auto decoded = decode_outbound_payload(c.payload);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error().find(c.reason) != std::string::npos);
  }
}
