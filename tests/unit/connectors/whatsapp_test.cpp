// WhatsApp Cloud API connector, table-driven over fixtures in tests/fixtures/whatsapp/:
// every inbound type, every refusal, every outbound shape, every response class.
#include "connectors/whatsapp/whatsapp.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "connectors/utf8_text.hpp"

using namespace buurtlijn::connectors;
namespace json = boost::json;

namespace {
const whatsapp::Settings kSettings{"app-secret-1",    "verify-me",          "token-xyz",
                                   "106540352242922", "http://127.0.0.1:9", "v21.0"};

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BUURTLIJN_SOURCE_DIR) + "/tests/fixtures/whatsapp/" + name,
                   std::ios::binary);
  REQUIRE_MESSAGE(in.good(), name);
  std::ostringstream text;
  text << in.rdbuf();
  std::string body = text.str();
  while (!body.empty() && body.back() == '\n') body.pop_back();
  return body;
}

std::string sign(std::string_view body, std::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kDigits[digest[i] >> 4]);
    hex.push_back(kDigits[digest[i] & 0xf]);
  }
  return hex;
}

tl::expected<Inbound, Refusal> post(const std::string& body,
                                    const std::string& signature_secret = kSettings.app_secret) {
  const Headers headers{{"x-hub-signature-256", sign(body, signature_secret)}};
  return whatsapp::parse_inbound({"POST", "/webhooks/whatsapp", &headers, body}, kSettings);
}

MessageEvent only_message(const Inbound& inbound) {
  REQUIRE(inbound.events.size() == 1);
  REQUIRE(std::holds_alternative<MessageEvent>(inbound.events[0]));
  return std::get<MessageEvent>(inbound.events[0]);
}
}  // namespace

TEST_CASE("whatsapp: the verification handshake") {
  const Headers none;
  auto ok = whatsapp::parse_inbound(
      {"GET",
       "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444",
       &none, ""},
      kSettings);
  REQUIRE(ok);
  CHECK(ok->reply_body == "1158201444");
  CHECK(ok->events.empty());

  for (const char* target :
       {"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
        "/webhooks/whatsapp?hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1",
        "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me", "/webhooks/whatsapp"}) {
    CAPTURE(target);
    auto refused = whatsapp::parse_inbound({"GET", target, &none, ""}, kSettings);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == Refusal::Kind::forbidden);
  }
}

TEST_CASE("whatsapp: signatures are checked on the raw body before parsing") {
  const std::string body = fixture("text_message.json");
  CHECK(post(body));
  auto wrong_secret = post(body, "another-secret");
  REQUIRE_FALSE(wrong_secret);
  CHECK(wrong_secret.error().kind == Refusal::Kind::unauthorized);

  const Headers none;
  auto unsigned_body =
      whatsapp::parse_inbound({"POST", "/webhooks/whatsapp", &none, body}, kSettings);
  REQUIRE_FALSE(unsigned_body);
  CHECK(unsigned_body.error().kind == Refusal::Kind::unauthorized);

  const Headers bad_prefix{{"x-hub-signature-256", "sha1=abc"}};
  CHECK_FALSE(whatsapp::parse_inbound({"POST", "/", &bad_prefix, body}, kSettings));

  // A body changed after signing (one byte) is refused.
  const Headers signed_original{{"x-hub-signature-256", sign(body, kSettings.app_secret)}};
  std::string tampered = body;
  tampered[tampered.size() / 2] ^= 1;
  CHECK_FALSE(whatsapp::parse_inbound({"POST", "/", &signed_original, tampered}, kSettings));

  // Broken JSON with a valid signature: malformed, not unauthorized.
  auto broken = post("{\"object\":");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().kind == Refusal::Kind::malformed);
  // Unknown objects are acknowledged and ignored.
  auto other = post(R"({"object":"page","entry":[]})");
  REQUIRE(other);
  CHECK(other->events.empty());
}

TEST_CASE("whatsapp: every inbound message type") {
  {
    const MessageEvent m = only_message(*post(fixture("text_message.json")));
    CHECK(m.address == "40712345678");
    CHECK(m.text == "Cum mă înregistrez la gemeente?");
    CHECK(m.channel_message_id == "wamid.HBgLNDA3MTIzNDU2NzgVAgASGBQzQUFCMjY3RkU4NjQ1Q0RGRjcyRAA=");
    CHECK(m.sent_at == 1764281234);
  }
  {
    const MessageEvent m = only_message(*post(fixture("button_reply.json")));
    CHECK(m.choice_id == "brp");
    CHECK(m.text == "Înregistrare (BRP)");
  }
  {
    const MessageEvent m = only_message(*post(fixture("list_reply.json")));
    CHECK(m.choice_id == "waste_milieupas");
    CHECK(m.address == "359881234567");
  }
  {
    const MessageEvent m = only_message(*post(fixture("template_quick_reply.json")));
    CHECK(m.choice_id == "subscribe_yes");
    CHECK(m.text == "Tak");
  }
  {
    const MessageEvent m = only_message(*post(fixture("location.json")));
    REQUIRE(m.location);
    CHECK(m.location->latitude == doctest::Approx(52.2489));
    CHECK(m.location->longitude == doctest::Approx(6.1712));
    CHECK(m.location->name == "Rivierenwijk");
  }
  {
    const MessageEvent m = only_message(*post(fixture("image.json")));
    REQUIRE(m.media);
    CHECK(m.media->kind == "image");
    CHECK(m.media->media_id == "1482746529283344");
    CHECK(m.media->mime_type == "image/jpeg");
    CHECK(m.text == "Saci lângă container");
  }
  {
    const MessageEvent m = only_message(*post(fixture("voice.json")));
    REQUIRE(m.media);
    CHECK(m.media->kind == "audio");
    CHECK(m.text.empty());
  }
  {
    const MessageEvent m = only_message(*post(fixture("business_scoped_user.json")));
    CHECK(m.address == "user:US.13491208655302741918");
    CHECK(m.text == "Як отримати BSN?");
  }
}

TEST_CASE("whatsapp: statuses, and several entries, changes and messages in one POST") {
  auto statuses = post(fixture("statuses.json"));
  REQUIRE(statuses);
  REQUIRE(statuses->events.size() == 3);
  const auto& delivered = std::get<StatusEvent>(statuses->events[0]);
  CHECK(delivered.provider_message_id == "wamid.OUT1");
  CHECK(delivered.state == StatusEvent::State::delivered);
  CHECK(std::get<StatusEvent>(statuses->events[1]).state == StatusEvent::State::read);
  const auto& failed = std::get<StatusEvent>(statuses->events[2]);
  CHECK(failed.state == StatusEvent::State::failed);
  CHECK(failed.error == "131047 Re-engagement message");

  auto batched = post(fixture("batched.json"));
  REQUIRE(batched);
  REQUIRE(batched->events.size() == 3);  // two texts and a status; the reaction is skipped
  CHECK(std::get<MessageEvent>(batched->events[0]).text == "hallo");
  CHECK(std::get<MessageEvent>(batched->events[1]).address == "31687654321");
  CHECK(std::get<StatusEvent>(batched->events[2]).state == StatusEvent::State::sent);
}

TEST_CASE("whatsapp: outbound shapes within the limits") {
  OutboundMessage message{"40712345678", "Bun venit!", {}, "ro", "Meniu", {}};
  {
    const HttpCall call = whatsapp::render(message, kSettings);
    CHECK(call.method == "POST");
    CHECK(call.url == "http://127.0.0.1:9/v21.0/106540352242922/messages");
    CHECK(call.headers[0] ==
          std::pair<std::string, std::string>{"Authorization", "Bearer token-xyz"});
    const json::value body = json::parse(call.body);
    CHECK(body.at("messaging_product") == "whatsapp");
    CHECK(body.at("to") == "40712345678");
    CHECK(body.at("type") == "text");
    CHECK(body.at("text").at("body") == "Bun venit!");
    CHECK(body.at("text").at("preview_url") == false);
  }
  message.choices = {{"brp", "Înregistrare (BRP)", ""}, {"waste", "Deșeuri", ""}};
  {
    const json::value body = json::parse(whatsapp::render(message, kSettings).body);
    CHECK(body.at("type") == "interactive");
    CHECK(body.at("interactive").at("type") == "button");
    const auto& buttons = body.at("interactive").at("action").at("buttons").as_array();
    REQUIRE(buttons.size() == 2);
    CHECK(buttons[0].at("reply").at("id") == "brp");
    CHECK(buttons[0].at("reply").at("title") == "Înregistrare (BRP)");
  }
  message.choices.clear();
  for (int i = 1; i <= 7; ++i)
    message.choices.push_back({"n" + std::to_string(i), "Optiune " + std::to_string(i), ""});
  {
    const json::value body = json::parse(whatsapp::render(message, kSettings).body);
    CHECK(body.at("interactive").at("type") == "list");
    CHECK(body.at("interactive").at("action").at("button") == "Meniu");
    CHECK(body.at("interactive").at("action").at("sections").at(0).at("rows").as_array().size() ==
          7);
  }
  for (int i = 8; i <= 12; ++i)
    message.choices.push_back({"n" + std::to_string(i), "Optiune " + std::to_string(i), ""});
  {
    // More than 10 rows: numbered text, which works on every phone.
    const json::value body = json::parse(whatsapp::render(message, kSettings).body);
    CHECK(body.at("type") == "text");
    const std::string text(body.at("text").at("body").as_string());
    CHECK(text.find("\n\n1. Optiune 1\n2. Optiune 2") != std::string::npos);
    CHECK(text.find("12. Optiune 12") != std::string::npos);
  }
  message.choices = {{"a", "Un titlu mult prea lung pentru buton", ""}};
  {
    // A title over 20 characters cannot be a button, but fits a list row (24)? No: 36.
    const json::value body = json::parse(whatsapp::render(message, kSettings).body);
    CHECK(body.at("type") == "text");
  }
  message.choices = {{"a", "Titlu de 22 caractere.", ""}};
  CHECK(json::parse(whatsapp::render(message, kSettings).body).at("interactive").at("type") ==
        "list");
  message.choices.clear();
  message.text = std::string(5000, 'x');
  CHECK(code_points(std::string(json::parse(whatsapp::render(message, kSettings).body)
                                    .at("text")
                                    .at("body")
                                    .as_string())) == 4096);
  message.address = "user:US.1349";
  CHECK(json::parse(whatsapp::render(message, kSettings).body).at("recipient") == "US.1349");
}

TEST_CASE("whatsapp: templates for recipients outside the 24-hour window") {
  const HttpCall call =
      whatsapp::render_template("40712345678", "buurtlijn_update", "ro", {"4821"}, kSettings);
  const json::value body = json::parse(call.body);
  CHECK(body.at("type") == "template");
  CHECK(body.at("template").at("name") == "buurtlijn_update");
  CHECK(body.at("template").at("language").at("code") == "ro");
  CHECK(body.at("template").at("language").at("policy") == "deterministic");
  CHECK(body.at("template").at("components").at(0).at("parameters").at(0).at("text") == "4821");
}

TEST_CASE("whatsapp: provider answers are classified by error code") {
  struct Case {
    unsigned status;
    const char* fixture_name;
    SendOutcome::Kind kind;
  };
  const Case cases[] = {
      {200, "send_ok.json", SendOutcome::Kind::sent},
      {400, "send_throttled.json", SendOutcome::Kind::throttled},
      {400, "send_spam_limit.json", SendOutcome::Kind::throttled},
      {400, "send_media_error.json", SendOutcome::Kind::retry},
      {400, "send_invalid_recipient.json", SendOutcome::Kind::permanent},
      {500, "send_server_error.json", SendOutcome::Kind::retry},
  };
  for (const Case& c : cases) {
    CAPTURE(c.fixture_name);
    const SendOutcome outcome =
        whatsapp::classify_response({c.status, fixture(c.fixture_name), {}});
    CHECK(outcome.kind == c.kind);
  }
  const SendOutcome ok = whatsapp::classify_response({200, fixture("send_ok.json"), {}});
  CHECK(ok.provider_message_id == "wamid.HBgLNDA3MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA");
  const SendOutcome permanent =
      whatsapp::classify_response({400, fixture("send_invalid_recipient.json"), {}});
  CHECK(permanent.reason == "131026: (#131026) Message Undeliverable.");
  const SendOutcome limited = whatsapp::classify_response({429, "", std::chrono::seconds(7)});
  CHECK(limited.kind == SendOutcome::Kind::throttled);
  CHECK(limited.retry_after == std::chrono::seconds(7));
  CHECK(whatsapp::classify_response({502, "<html>Bad Gateway</html>", {}}).kind ==
        SendOutcome::Kind::retry);
  CHECK(whatsapp::classify_response({0, "", {}}).kind == SendOutcome::Kind::retry);
}

TEST_CASE("whatsapp: our reference goes out as biz_opaque_callback_data and comes back") {
  OutboundMessage message{"40712345678", "Bun venit!", {}, "ro", "", "4821"};
  CHECK(json::parse(whatsapp::render(message, kSettings).body).at("biz_opaque_callback_data") ==
        "4821");
  message.reference.clear();
  CHECK_FALSE(json::parse(whatsapp::render(message, kSettings).body)
                  .as_object()
                  .contains("biz_opaque_callback_data"));

  // A status webhook as Meta documents it for a message sent with biz_opaque_callback_data.
  const std::string status =
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":)"
      R"({"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881",)"
      R"("phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.OUT9","status":"sent",)"
      R"("timestamp":"1764281900","recipient_id":"40712345678","biz_opaque_callback_data":"4821"},)"
      R"({"id":"wamid.OUT8","status":"delivered","timestamp":"1764281901","recipient_id":"40712345678"}]},)"
      R"("field":"messages"}]}]})";
  auto parsed = post(status);
  REQUIRE(parsed);
  REQUIRE(parsed->events.size() == 2);
  CHECK(std::get<StatusEvent>(parsed->events[0]).reference == "4821");
  CHECK(std::get<StatusEvent>(parsed->events[0]).provider_message_id == "wamid.OUT9");
  CHECK(std::get<StatusEvent>(parsed->events[1]).reference.empty());
}
