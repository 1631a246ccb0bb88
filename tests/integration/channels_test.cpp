// The channels end to end against the real server: WhatsApp and Telegram webhooks in,
// replies out to a local fake of each provider (which replays the documented shapes),
// status callbacks back; SMS through a real Kannel with its fake SMSC. Plus every
// refusal a webhook must make.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>

#include <boost/json.hpp>
#include <thread>

#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "kannel_process.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {
constexpr const char* kAppSecret = "wa-app-secret";
constexpr const char* kVerifyToken = "wa-verify";
constexpr const char* kTelegramSecret = "tg_secret-1";

std::map<std::string, std::string> channel_environment(const FakeProvider& fake) {
  return {{"BUURTLIJN_WHATSAPP_APP_SECRET", kAppSecret},
          {"BUURTLIJN_WHATSAPP_VERIFY_TOKEN", kVerifyToken},
          {"BUURTLIJN_WHATSAPP_TOKEN", "wa-token"},
          {"BUURTLIJN_WHATSAPP_PHONE_NUMBER_ID", "106540352242922"},
          {"BUURTLIJN_WHATSAPP_API_BASE", fake.base_url()},
          {"BUURTLIJN_TELEGRAM_TOKEN", "123:tg-token"},
          {"BUURTLIJN_TELEGRAM_SECRET", kTelegramSecret},
          {"BUURTLIJN_TELEGRAM_API_BASE", fake.base_url()}};
}

std::string signature(const std::string& body, const std::string& secret = kAppSecret) {
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

// The documented envelope around one value (messages or statuses).
std::string whatsapp_envelope(const json::object& value) {
  json::object change{{"field", "messages"}, {"value", value}};
  json::object entry{{"id", "102290129340398"}, {"changes", json::array{change}}};
  json::object root{{"object", "whatsapp_business_account"}, {"entry", json::array{entry}}};
  return json::serialize(root);
}

std::string whatsapp_text(const std::string& from, const std::string& id, const std::string& text) {
  json::object message{{"from", from},
                       {"id", id},
                       {"timestamp", "1764281234"},
                       {"type", "text"},
                       {"text", json::object{{"body", text}}}};
  json::object contact{{"profile", json::object{{"name", "Ioana"}}}, {"wa_id", from}};
  json::object metadata{{"display_phone_number", "15550783881"},
                        {"phone_number_id", "106540352242922"}};
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

HttpResult post_whatsapp(std::uint16_t port, const std::string& body,
                         const std::string& secret = kAppSecret) {
  return http_request(
      port, http::verb::post, "/webhooks/whatsapp", body,
      {{"X-Hub-Signature-256", signature(body, secret)}, {"Content-Type", "application/json"}});
}

long long rows(const TempDir& dir, const std::string& sql) {
  return count_rows(dir.path(), sql);
}

bool wait_rows(const TempDir& dir, const std::string& sql, long long expected) {
  for (int i = 0; i < 200; ++i) {
    if (rows(dir, sql) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}
}  // namespace

TEST_CASE(
    "WhatsApp: a signed Romanian message gets a Romanian reply with buttons, statuses follow") {
  TempDir dir;
  FakeProvider fake;
  ServerProcess server(dir.path(), {}, channel_environment(fake));

  const HttpResult handshake = http_get(
      server.port(), std::string("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=") +
                         kVerifyToken + "&hub.challenge=8849301");
  CHECK(handshake.status == 200);
  CHECK(handshake.body == "8849301");
  CHECK(http_get(server.port(),
                 "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=no&hub.challenge=1")
            .status == 403);

  const std::string body =
      whatsapp_text("40712345678", "wamid.RO1", "Bună ziua! Cum mă înregistrez la gemeente?");
  CHECK(post_whatsapp(server.port(), body).status == 200);
  REQUIRE(fake.wait_for_requests(1, std::chrono::seconds(20)));
  const RecordedRequest sent = fake.requests().at(0);
  CHECK(sent.target == "/v21.0/106540352242922/messages");
  CHECK(sent.headers.at("authorization") == "Bearer wa-token");
  CHECK(sent.to == "40712345678");
  const json::value reply = json::parse(sent.body);
  CHECK(reply.at("type") == "interactive");
  const std::string text(reply.at("interactive").at("body").at("text").as_string());
  CHECK((text.find("BRP") != std::string::npos || text.find("înregistr") != std::string::npos));
  CHECK_FALSE(sent.reference.empty());

  // A redelivery of the same message is answered 200 and ignored.
  CHECK(post_whatsapp(server.port(), body).status == 200);
  CHECK(rows(dir, "SELECT count(*) FROM messages WHERE direction = 'in'") == 1);

  // The provider's statuses move the outbox item on: sent -> delivered -> read.
  REQUIRE(wait_rows(dir, "SELECT count(*) FROM outbox WHERE status = 'sent'", 1));
  const std::string provider_id = "wamid.FAKE1";
  CHECK(post_whatsapp(server.port(), whatsapp_status(provider_id, "delivered", sent.reference))
            .status == 200);
  CHECK(post_whatsapp(server.port(), whatsapp_status(provider_id, "read", "")).status == 200);
  CHECK(rows(dir, "SELECT count(*) FROM outbox WHERE status = 'read'") == 1);
  // The phone number is kept once, apart, only to reply; never as a key elsewhere.
  CHECK(rows(dir, "SELECT count(*) FROM contact_addresses WHERE address = '40712345678'") == 1);
  CHECK(rows(dir, "SELECT count(*) FROM subjects WHERE pseudonym LIKE '%712345678%'") == 0);
  CHECK(server.stop(SIGTERM) == 0);
  for (const std::string& line : server.log_lines()) {
    CHECK(line.find("712345678") == std::string::npos);
    CHECK(line.find("înregistrez") == std::string::npos);
  }
}

TEST_CASE("WhatsApp and Telegram refusals store nothing") {
  TempDir dir;
  FakeProvider fake;
  ServerProcess server(dir.path(), {}, channel_environment(fake));
  const std::string body = whatsapp_text("40712345678", "wamid.X1", "hallo");
  const HttpResult forged = post_whatsapp(server.port(), body, "not-the-secret");
  CHECK(forged.status == 401);
  const HttpResult unsigned_body =
      http_request(server.port(), http::verb::post, "/webhooks/whatsapp", body);
  CHECK(unsigned_body.status == 401);
  CHECK(post_whatsapp(server.port(), "{\"object\":").status == 400);
  CHECK(post_whatsapp(server.port(), R"({"object":"page","entry":[]})").status == 200);
  CHECK(post_whatsapp(server.port(), std::string(2 * 1024 * 1024, ' ')).status == 413);

  const std::string update =
      R"({"update_id":1,"message":{"message_id":1,"from":{"id":77,"language_code":"uk"},"chat":{"id":77,"type":"private"},"date":1,"text":"привіт"}})";
  CHECK(http_request(server.port(), http::verb::post, "/webhooks/telegram", update,
                     {{"X-Telegram-Bot-Api-Secret-Token", "wrong"}})
            .status == 401);
  CHECK(http_request(server.port(), http::verb::post, "/webhooks/telegram", update).status == 401);
  CHECK(http_request(server.port(), http::verb::post, "/webhooks/telegram", "[]",
                     {{"X-Telegram-Bot-Api-Secret-Token", kTelegramSecret}})
            .status == 400);
  // Kannel is not configured here: its endpoints do not exist.
  CHECK(http_get(server.port(), "/webhooks/kannel?secret=x&from=1&text=a&id=1").status == 404);

  CHECK(rows(dir, "SELECT count(*) FROM messages") == 0);
  const std::string metrics = http_get(server.port(), "/metrics").body;
  CHECK(metrics.find(
            "buurtlijn_inbound_refused_total{channel=\"whatsapp\",reason=\"signature\"} 2") !=
        std::string::npos);
}

TEST_CASE("Telegram: a Ukrainian message gets a Ukrainian reply with an inline keyboard") {
  TempDir dir;
  FakeProvider fake;
  ServerProcess server(dir.path(), {}, channel_environment(fake));
  const std::string update =
      R"({"update_id":5001,"message":{"message_id":1,"from":{"id":5512345678,"first_name":"O","language_code":"uk"},"chat":{"id":5512345678,"type":"private"},"date":1764282200,"text":"Як зареєструватися в gemeente?"}})";
  const HttpResult answer =
      http_request(server.port(), http::verb::post, "/webhooks/telegram", update,
                   {{"X-Telegram-Bot-Api-Secret-Token", kTelegramSecret}});
  CHECK(answer.status == 200);
  REQUIRE(fake.wait_for_requests(1, std::chrono::seconds(20)));
  const RecordedRequest sent = fake.requests().at(0);
  CHECK(sent.target == "/bot123:tg-token/sendMessage");
  const json::value body = json::parse(sent.body);
  CHECK(body.at("chat_id") == "5512345678");
  CHECK(body.at("reply_markup").at("inline_keyboard").as_array().size() >= 1);
  const std::string text(body.at("text").as_string());
  CHECK(text.find("BRP") != std::string::npos);
  // Same update again: processed once.
  CHECK(http_request(server.port(), http::verb::post, "/webhooks/telegram", update,
                     {{"X-Telegram-Bot-Api-Secret-Token", kTelegramSecret}})
            .status == 200);
  CHECK(rows(dir, "SELECT count(*) FROM messages WHERE direction = 'in'") == 1);
}

TEST_CASE(
    "SMS through a real Kannel: a Bulgarian SMS gets a Bulgarian UCS-2 answer, DLR marks it") {
  TempDir dir;
  const std::uint16_t port = free_port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  KannelProcess kannel(dir.path(), base, "sms-secret");
  std::filesystem::create_directories(dir.path() / "data");
  ServerProcess server(dir.path() / "data", {"--listen", "127.0.0.1:" + std::to_string(port)},
                       {{"BUURTLIJN_KANNEL_SENDSMS_URL", kannel.sendsms_url()},
                        {"BUURTLIJN_KANNEL_USERNAME", kannel.username()},
                        {"BUURTLIJN_KANNEL_PASSWORD", kannel.password()},
                        {"BUURTLIJN_KANNEL_SENDER", "1400"},
                        {"BUURTLIJN_KANNEL_SECRET", "sms-secret"},
                        {"BUURTLIJN_KANNEL_DLR_URL", base + "/webhooks/kannel/dlr"}});
  kannel.inject("+359881234567", "Как да се регистрирам в общината?");
  REQUIRE(kannel.wait_for_received(1, std::chrono::seconds(30)));
  const std::string received = kannel.received().at(0);
  CAPTURE(received);
  // "<receiver> <sender> <type> ...": one UCS-2 part, or the first of several concatenated
  // parts (a UDH header, then UTF-16BE data). Cyrillic is U+04xx: its high byte is 0x04,
  // which a "???" conversion would have lost.
  CHECK(received.rfind("1400 +359881234567 ", 0) == 0);
  const bool ucs2 =
      received.find(" ucs-2 ") != std::string::npos ||
      (received.find(" udh ") != std::string::npos && received.find(" data ") != std::string::npos);
  CHECK(ucs2);
  CHECK(received.find("%04") != std::string::npos);
  const auto data_dir = dir.path() / "data";
  bool delivered = false;
  for (int i = 0; i < 200 && !delivered; ++i) {
    delivered = count_rows(data_dir,
                           "SELECT count(*) FROM outbox WHERE channel = 'kannel' AND "
                           "status = 'delivered'") >= 1;
    if (!delivered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(delivered);
  CHECK(count_rows(data_dir, "SELECT count(*) FROM messages WHERE direction = 'in'") == 1);
  CHECK(count_rows(data_dir, "SELECT count(*) FROM conversations WHERE language = 'bg'") == 1);
}
