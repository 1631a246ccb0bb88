#include "provider_payloads.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>

namespace buurtlijn::testing::provider {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

// The documented envelope around one value (messages or statuses).
std::string whatsapp_envelope(const json::object& value) {
  json::object change{{"field", "messages"}, {"value", value}};
  json::object entry{{"id", "102290129340398"}, {"changes", json::array{change}}};
  json::object root{{"object", "whatsapp_business_account"}, {"entry", json::array{entry}}};
  return json::serialize(root);
}

}  // namespace

std::map<std::string, std::string> channel_environment(const std::string& base_url) {
  return {{"BUURTLIJN_WHATSAPP_APP_SECRET", kAppSecret},
          {"BUURTLIJN_WHATSAPP_VERIFY_TOKEN", kVerifyToken},
          {"BUURTLIJN_WHATSAPP_TOKEN", "wa-token"},
          {"BUURTLIJN_WHATSAPP_PHONE_NUMBER_ID", kPhoneNumberId},
          {"BUURTLIJN_WHATSAPP_API_BASE", base_url},
          {"BUURTLIJN_TELEGRAM_TOKEN", "123:tg-token"},
          {"BUURTLIJN_TELEGRAM_SECRET", kTelegramSecret},
          {"BUURTLIJN_TELEGRAM_API_BASE", base_url}};
}

std::string whatsapp_signature(const std::string& body, const std::string& secret) {
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

std::string whatsapp_text(const std::string& from, const std::string& id, const std::string& text) {
  json::object message{{"from", from},
                       {"id", id},
                       {"timestamp", "1764281234"},
                       {"type", "text"},
                       {"text", json::object{{"body", text}}}};
  json::object contact{{"profile", json::object{{"name", "Ioana"}}}, {"wa_id", from}};
  json::object metadata{{"display_phone_number", "15550783881"},
                        {"phone_number_id", kPhoneNumberId}};
  return whatsapp_envelope(json::object{{"messaging_product", "whatsapp"},
                                        {"metadata", metadata},
                                        {"contacts", json::array{contact}},
                                        {"messages", json::array{message}}});
}

std::string whatsapp_status(const std::string& provider_id, const std::string& status,
                            const std::string& reference) {
  json::object item{{"id", provider_id},
                    {"status", status},
                    {"timestamp", "1764281300"},
                    {"recipient_id", "40712345678"}};
  if (!reference.empty()) item["biz_opaque_callback_data"] = reference;
  return whatsapp_envelope(
      json::object{{"messaging_product", "whatsapp"}, {"statuses", json::array{item}}});
}

HttpResult post_whatsapp(std::uint16_t port, const std::string& body, const std::string& secret) {
  return http_request(port, http::verb::post, "/webhooks/whatsapp", body,
                      {{"X-Hub-Signature-256", whatsapp_signature(body, secret)},
                       {"Content-Type", "application/json"}});
}

std::string telegram_text(std::int64_t update_id, std::int64_t chat_id, const std::string& text) {
  json::object from{{"id", chat_id}, {"is_bot", false}, {"first_name", "Olena"}};
  json::object chat{{"id", chat_id}, {"first_name", "Olena"}, {"type", "private"}};
  json::object message{{"message_id", update_id % 100000 + 1},
                       {"from", from},
                       {"chat", chat},
                       {"date", 1764282200},
                       {"text", text}};
  return json::serialize(json::object{{"update_id", update_id}, {"message", message}});
}

HttpResult post_telegram(std::uint16_t port, const std::string& body, const std::string& secret) {
  return http_request(
      port, http::verb::post, "/webhooks/telegram", body,
      {{"X-Telegram-Bot-Api-Secret-Token", secret}, {"Content-Type", "application/json"}});
}

}  // namespace buurtlijn::testing::provider
