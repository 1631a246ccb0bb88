// The connector additions of the notification work: the outbox payload of a WhatsApp
// template and of a Telegram callback answer, how each connector renders them, and
// WhatsApp's "stopped marketing messages" (131050) as an opt-out.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "connectors/outbound_payload.hpp"
#include "connectors/telegram/telegram.hpp"
#include "connectors/whatsapp/whatsapp.hpp"

using namespace buurtlijn::connectors;
namespace json = boost::json;

namespace {

const whatsapp::Settings kWhatsapp{"app-secret-1",    "verify-me",          "token-xyz",
                                   "106540352242922", "http://127.0.0.1:9", "v21.0"};

std::string sign(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kWhatsapp.app_secret.data(), static_cast<int>(kWhatsapp.app_secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kDigits[digest[i] >> 4]);
    hex.push_back(kDigits[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace

TEST_CASE("a WhatsApp template payload round-trips and renders as a template message") {
  OutboundMessage message;
  message.text = "Programul Buurtmaker: marți";
  message.language = "ro";
  message.template_name = "deventer_office_hours";
  message.template_language = "ro";
  message.template_parameters = {"marți", "9-12", "Keizerstraat 7"};
  auto decoded = decode_outbound_payload(encode_outbound_payload(message));
  REQUIRE(decoded);
  CHECK(decoded->template_name == "deventer_office_hours");
  CHECK(decoded->template_parameters == message.template_parameters);
  decoded->address = "40712345678";
  decoded->reference = "17";
  const HttpCall call = whatsapp::render(*decoded, kWhatsapp);
  const json::value body = json::parse(call.body);
  CHECK(body.at("type") == "template");
  CHECK(body.at("to") == "40712345678");
  CHECK(body.at("biz_opaque_callback_data") == "17");
  CHECK(body.at("template").at("name") == "deventer_office_hours");
  CHECK(body.at("template").at("language").at("code") == "ro");
  CHECK(body.at("template").at("language").at("policy") == "deterministic");
  const json::array& parameters =
      body.at("template").at("components").at(0).at("parameters").as_array();
  REQUIRE(parameters.size() == 3);
  CHECK(parameters[2].at("text") == "Keizerstraat 7");
  // A broken template member is refused, not sent as text.
  CHECK_FALSE(decode_outbound_payload(R"({"text":"x","template":{"name":""}})"));
  CHECK_FALSE(decode_outbound_payload(R"({"text":"x","template":{"name":"a","parameters":[1]}})"));
}

TEST_CASE("a Telegram callback answer payload renders as answerCallbackQuery") {
  OutboundMessage answer;
  answer.callback_query_id = "4382bfdwdsb323b2d9";
  auto decoded = decode_outbound_payload(encode_outbound_payload(answer));
  REQUIRE(decoded);
  decoded->address = "5512345678";
  const HttpCall call = telegram::render(*decoded, {"123:tok", "secret", "http://127.0.0.1:9"});
  CHECK(call.url == "http://127.0.0.1:9/bot123:tok/answerCallbackQuery");
  CHECK(json::parse(call.body).at("callback_query_id") == "4382bfdwdsb323b2d9");
  // Its answer ({"ok":true,"result":true}) counts as sent.
  CHECK(telegram::classify_response({200, R"({"ok":true,"result":true})", std::nullopt}).kind ==
        SendOutcome::Kind::sent);
}

TEST_CASE("WhatsApp 131050 (stopped marketing messages) is an opt-out, on a status and a send") {
  std::ifstream in(
      std::string(BUURTLIJN_SOURCE_DIR) + "/tests/fixtures/whatsapp/status_failed_131050.json",
      std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string body = text.str();
  while (!body.empty() && body.back() == '\n') body.pop_back();
  const Headers headers{{"x-hub-signature-256", sign(body)}};
  auto inbound = whatsapp::parse_inbound({"POST", "/webhooks/whatsapp", &headers, body}, kWhatsapp);
  REQUIRE(inbound);
  REQUIRE(inbound->events.size() == 2);
  REQUIRE(std::holds_alternative<OptOutEvent>(inbound->events[0]));
  CHECK(std::get<OptOutEvent>(inbound->events[0]).address == "40712345678");
  CHECK(std::get<OptOutEvent>(inbound->events[0]).how == "whatsapp_131050");
  REQUIRE(std::holds_alternative<StatusEvent>(inbound->events[1]));
  CHECK(std::get<StatusEvent>(inbound->events[1]).state == StatusEvent::State::failed);
  const SendOutcome outcome = whatsapp::classify_response(
      {400, R"({"error":{"message":"stopped","code":131050}})", std::nullopt});
  CHECK(outcome.kind == SendOutcome::Kind::permanent);
  CHECK(outcome.opted_out);
  CHECK_FALSE(
      whatsapp::classify_response({400, R"({"error":{"message":"bad","code":100}})", std::nullopt})
          .opted_out);
}
