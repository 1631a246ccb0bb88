// The notification API's pure parts: request validation (every refusal names the
// problem), API key hashing and matching, and the outbox batch built for the recipients
// (each language once, WhatsApp templates outside the 24-hour window, SMS parts).
#include "gateway/notification_request.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "connectors/outbound_payload.hpp"
#include "gateway/api_keys.hpp"
#include "gateway/notification_api.hpp"
#include "locales/embedded_notifications.hpp"

namespace buurtlijn::gateway {
namespace {

const dialogs::NotificationCatalog& catalog() {
  static const std::shared_ptr<const dialogs::NotificationCatalog> parsed = [] {
    auto loaded = load_notification_catalog("");
    if (!loaded) FAIL(loaded.error());
    return *loaded;
  }();
  return *parsed;
}

RequestProblem refusal(std::string_view body) {
  auto parsed = parse_notification_request(body, catalog());
  REQUIRE_FALSE(parsed);
  return parsed.error();
}

constexpr std::string_view kParams =
    R"("params":{"day":"dinsdag","hours":"9-12","place":"Keizerstraat"})";

std::string body_with(std::string_view rest) {
  return std::string(R"({"template":"office_hours",)") + std::string(kParams) + "," +
         std::string(rest) + "}";
}

}  // namespace

TEST_CASE("a valid segment request is parsed; sms is the kannel channel") {
  auto parsed = parse_notification_request(
      body_with(
          R"("segment":{"language":"ro","channel":"sms","area":"Zandweerd","topic":"waste"})"),
      catalog());
  REQUIRE(parsed);
  CHECK(parsed->template_key == "office_hours");
  CHECK(parsed->params.at("place") == "Keizerstraat");
  CHECK(parsed->target.language == "ro");
  CHECK(parsed->target.channel == "kannel");
  CHECK(parsed->target.area == "Zandweerd");
  CHECK(parsed->target.topic == "waste");
  CHECK(parsed->target.subject_pseudonym.empty());
  auto subject = parse_notification_request(
      body_with(R"("subject":"0123456789abcdef0123456789abcdef")"), catalog());
  REQUIRE(subject);
  CHECK(subject->target.subject_pseudonym == "0123456789abcdef0123456789abcdef");
}

TEST_CASE("invalid notification requests are refused with the problem named") {
  CHECK(refusal("{").error == "malformed_json");
  CHECK(refusal("[]").error == "malformed_json");
  CHECK(refusal(R"({"params":{},"segment":{"language":"nl"}})").error == "missing_template");
  const RequestProblem unknown =
      refusal(R"({"template":"no_such","params":{},"segment":{"language":"nl"}})");
  CHECK(unknown.status == 400);
  CHECK(unknown.error == "unknown_template");
  CHECK(unknown.message.find("no_such") != std::string::npos);
  const RequestProblem missing = refusal(
      R"({"template":"office_hours","params":{"day":"x","place":"y"},"segment":{"language":"nl"}})");
  CHECK(missing.error == "missing_parameter");
  CHECK(missing.message.find("\"hours\"") != std::string::npos);
  CHECK(
      refusal(
          R"({"template":"office_hours","params":{"day":"x","hours":"y","place":"z","extra":"w"},"segment":{"language":"nl"}})")
          .error == "unknown_parameter");
  CHECK(refusal(body_with(R"("segment":{})")).error == "empty_segment");
  CHECK(refusal(body_with(R"("segment":{"language":"","channel":""})")).error == "empty_segment");
  CHECK(refusal(body_with(R"("segment":{"language":"xx"})")).error == "invalid_segment");
  CHECK(refusal(body_with(R"("segment":{"channel":"fax"})")).error == "invalid_segment");
  CHECK(refusal(body_with(R"("segment":{"colour":"red"})")).error == "invalid_segment");
  CHECK(refusal(body_with(R"("subject":"a","segment":{"language":"nl"})")).error ==
        "missing_target");
  CHECK(refusal(std::string(R"({"template":"office_hours",)") + std::string(kParams) + "}").error ==
        "missing_target");
  CHECK(refusal(body_with(R"("segment":{"language":"nl"},"when":"now")")).error == "unknown_field");
}

TEST_CASE("Bearer tokens and API keys") {
  CHECK(bearer_token("Bearer abc") == "abc");
  CHECK(bearer_token("bearer  abc ") == "abc");
  CHECK(bearer_token("Basic abc").empty());
  CHECK(bearer_token("Bearer ").empty());
  const std::string key = generate_api_key();
  CHECK(key.size() == 4 + 64);
  CHECK(key != generate_api_key());
  // SHA-256 of "abc" (FIPS 180-2 test vector).
  CHECK(hash_api_key("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::vector<store::ApiKeyRecord> keys{{1, "old", hash_api_key("k1"), 0, 5},
                                        {2, "cms", hash_api_key(key), 0, 0}};
  CHECK(match_api_key(key, keys) == std::optional<std::int64_t>(2));
  CHECK_FALSE(match_api_key("k1", keys));  // revoked
  CHECK_FALSE(match_api_key("nope", keys));
  CHECK_FALSE(match_api_key("", keys));
}

TEST_CASE("a broadcast batch renders each language once and picks templates outside 24 h") {
  auto request =
      parse_notification_request(body_with(R"("segment":{"area":"Zandweerd"})"), catalog());
  REQUIRE(request);
  Config config;
  WhatsappTemplate mapped;
  mapped.name = "deventer_office_hours";
  mapped.languages = {{"en", "en_US"}, {"ro", "ro"}};
  mapped.parameters = {"place", "day", "hours"};
  const store::Millis now = 10LL * 24 * 3600 * 1000;
  const store::Millis recent = now - 3600 * 1000;
  const store::Millis old = now - 25LL * 3600 * 1000;
  std::vector<store::NotificationRecipient> recipients{
      {1, "whatsapp", "ro", "", recent}, {2, "whatsapp", "ro", "", recent},
      {3, "whatsapp", "ro", "", old},    {4, "whatsapp", "uk", "", 0},
      {5, "telegram", "uk", "", 0},      {6, "kannel", "bg", "", 0}};
  SUBCASE("without a template mapping, WhatsApp recipients outside the window are skipped") {
    auto built = build_notification_batch(*request, recipients, catalog(), config, now);
    REQUIRE(built);
    CHECK(built->skipped == 2);
    CHECK(built->batch.items.size() == 4);
    CHECK(built->batch.payloads.size() == 3);  // ro WhatsApp once, uk Telegram, bg SMS
    CHECK(built->batch.items[0].payload == built->batch.items[1].payload);
  }
  SUBCASE("with a mapping they get the approved template in their language, parameters in order") {
    config.notifications.whatsapp_templates["office_hours"] = mapped;
    auto built = build_notification_batch(*request, recipients, catalog(), config, now);
    REQUIRE(built);
    CHECK(built->skipped == 0);
    REQUIRE(built->batch.items.size() == 6);
    auto ro_template =
        connectors::decode_outbound_payload(built->batch.payloads[built->batch.items[2].payload]);
    REQUIRE(ro_template);
    CHECK(ro_template->template_name == "deventer_office_hours");
    CHECK(ro_template->template_language == "ro");
    CHECK(ro_template->template_parameters ==
          std::vector<std::string>{"Keizerstraat", "dinsdag", "9-12"});
    auto uk_template =
        connectors::decode_outbound_payload(built->batch.payloads[built->batch.items[3].payload]);
    REQUIRE(uk_template);
    CHECK(uk_template->template_language == "en_US");  // uk is not mapped: en is next
    auto ro_text =
        connectors::decode_outbound_payload(built->batch.payloads[built->batch.items[0].payload]);
    REQUIRE(ro_text);
    CHECK(ro_text->template_name.empty());
    CHECK(ro_text->language == "ro");
    CHECK(ro_text->text.find("dinsdag") != std::string::npos);
  }
}

TEST_CASE("notification counts as JSON") {
  store::NotificationCounts counts;
  counts.id = 7;
  counts.template_key = "office_hours";
  counts.recipients = 3;
  counts.by_state = {{"delivered", 1}, {"queued", 2}};
  counts.by_channel = {{"kannel", {{"queued", 2}}}, {"whatsapp", {{"delivered", 1}}}};
  const boost::json::value v = boost::json::parse(notification_counts_json(counts));
  CHECK(v.at("id").as_int64() == 7);
  CHECK(v.at("states").at("queued").as_int64() == 2);
  CHECK(v.at("channels").at("sms").at("queued").as_int64() == 2);
  CHECK(v.at("channels").at("whatsapp").at("delivered").as_int64() == 1);
}

}  // namespace buurtlijn::gateway
