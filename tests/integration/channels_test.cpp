// The channels end to end against the real server: WhatsApp and Telegram webhooks in,
// replies out to a local fake of each provider (which replays the documented shapes),
// status callbacks back; SMS through a real Kannel with its fake SMSC. Plus every
// refusal a webhook must make.
#include <doctest/doctest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <thread>

#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "kannel_process.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {
using provider::kAppSecret;
using provider::kTelegramSecret;
using provider::kVerifyToken;
using provider::post_whatsapp;
using provider::whatsapp_status;
using provider::whatsapp_text;

std::map<std::string, std::string> channel_environment(const FakeProvider& fake) {
  return provider::channel_environment(fake.base_url());
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
