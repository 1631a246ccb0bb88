// Subscribers and the notification API end to end against the real server: STOP /
// START / news + YES on WhatsApp and Telegram with confirmations in the user's language,
// voice notes, answered callback queries, the API's refusals, and a broadcast to a
// language segment of 1,000 subscribers on three channels (WhatsApp and Telegram fakes,
// a fake Kannel sendsms endpoint) that reaches each exactly once in Romanian while
// opted-out and other-language subscribers get nothing; GET counts follow the status
// callbacks.
//
// Seeding: the 1,000 subscribers are written into the server's SQLite file by the test
// (seed_subscribers below; test-only SQL, the same rows the opt-in dialog writes: a
// subject, its contact address, a conversation with a recent inbound message and an
// active subscriber). The opt-in dialog itself is covered through the real webhooks.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {
constexpr const char* kAppSecret = "wa-app-secret";
constexpr const char* kTelegramSecret = "tg_secret-1";
constexpr const char* kBlockedChat = "7711111111";

std::map<std::string, std::string> environment(const FakeProvider& fake, const FakeProvider& sms) {
  return {{"BUURTLIJN_WHATSAPP_APP_SECRET", kAppSecret},
          {"BUURTLIJN_WHATSAPP_VERIFY_TOKEN", "wa-verify"},
          {"BUURTLIJN_WHATSAPP_TOKEN", "wa-token"},
          {"BUURTLIJN_WHATSAPP_PHONE_NUMBER_ID", "106540352242922"},
          {"BUURTLIJN_WHATSAPP_API_BASE", fake.base_url()},
          {"BUURTLIJN_TELEGRAM_TOKEN", "123:tg-token"},
          {"BUURTLIJN_TELEGRAM_SECRET", kTelegramSecret},
          {"BUURTLIJN_TELEGRAM_API_BASE", fake.base_url()},
          {"BUURTLIJN_KANNEL_SENDSMS_URL", sms.base_url() + "/cgi-bin/sendsms"},
          {"BUURTLIJN_KANNEL_USERNAME", "buurtlijn"},
          {"BUURTLIJN_KANNEL_PASSWORD", "pw"},
          {"BUURTLIJN_KANNEL_SENDER", "1400"},
          {"BUURTLIJN_KANNEL_SECRET", "sms-secret"}};
}

// Telegram's answerCallbackQuery answers {"ok":true,"result":true}; Kannel's sendsms
// answers 202 "0: Accepted for delivery".
void program_answers(FakeProvider& fake, FakeProvider& sms) {
  fake.set_responder([](const RecordedRequest& request, int) {
    FakeAnswer answer;
    if (request.target.find("/answerCallbackQuery") != std::string::npos) {
      answer.body = R"({"ok":true,"result":true})";
    }
    if (request.to == kBlockedChat) {  // this person blocked the bot
      answer.status = 403;
      answer.body =
          R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})";
    }
    return answer;
  });
  sms.set_responder([](const RecordedRequest&, int) {
    FakeAnswer answer;
    answer.status = 202;
    answer.body = "0: Accepted for delivery";
    return answer;
  });
}

std::string signature(const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kAppSecret, static_cast<int>(std::strlen(kAppSecret)),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kDigits[digest[i] >> 4]);
    hex.push_back(kDigits[digest[i] & 0xf]);
  }
  return hex;
}

std::string whatsapp_envelope(const json::object& value) {
  json::object change{{"field", "messages"}, {"value", value}};
  json::object entry{{"id", "102290129340398"}, {"changes", json::array{change}}};
  return json::serialize(
      json::object{{"object", "whatsapp_business_account"}, {"entry", json::array{entry}}});
}

std::string whatsapp_message(const std::string& from, const std::string& id, json::object typed) {
  json::object message{{"from", from}, {"id", id}, {"timestamp", "1764281234"}};
  for (auto& [key, value] : typed) message[key] = value;
  json::object metadata{{"display_phone_number", "15550783881"},
                        {"phone_number_id", "106540352242922"}};
  return whatsapp_envelope(json::object{
      {"messaging_product", "whatsapp"},
      {"metadata", metadata},
      {"contacts",
       json::array{json::object{{"profile", json::object{{"name", "I"}}}, {"wa_id", from}}}},
      {"messages", json::array{message}}});
}

std::string whatsapp_text(const std::string& from, const std::string& id, const std::string& text) {
  return whatsapp_message(from, id,
                          json::object{{"type", "text"}, {"text", json::object{{"body", text}}}});
}

std::string whatsapp_status(const std::string& reference, const std::string& status,
                            const std::string& recipient, int error_code = 0) {
  json::object item{{"id", "wamid.S" + reference},
                    {"status", status},
                    {"timestamp", "1764281300"},
                    {"recipient_id", recipient},
                    {"biz_opaque_callback_data", reference}};
  if (error_code != 0) {
    item["errors"] = json::array{json::object{{"code", error_code}, {"title", "opted out"}}};
  }
  return whatsapp_envelope(
      json::object{{"messaging_product", "whatsapp"}, {"statuses", json::array{item}}});
}

HttpResult post_whatsapp(std::uint16_t port, const std::string& body) {
  return http_request(
      port, http::verb::post, "/webhooks/whatsapp", body,
      {{"X-Hub-Signature-256", signature(body)}, {"Content-Type", "application/json"}});
}

HttpResult post_telegram(std::uint16_t port, const std::string& update) {
  return http_request(port, http::verb::post, "/webhooks/telegram", update,
                      {{"X-Telegram-Bot-Api-Secret-Token", kTelegramSecret}});
}

std::string telegram_text(int update_id, const std::string& chat, const std::string& text,
                          const std::string& language = "uk") {
  return json::serialize(json::object{
      {"update_id", update_id},
      {"message",
       json::object{{"message_id", update_id},
                    {"from", json::object{{"id", std::stoll(chat)},
                                          {"first_name", "O"},
                                          {"language_code", language}}},
                    {"chat", json::object{{"id", std::stoll(chat)}, {"type", "private"}}},
                    {"date", 1764282200},
                    {"text", text}}}});
}

long long rows(const TempDir& dir, const std::string& sql) {
  return count_rows(dir.path(), sql);
}

bool wait_rows(const TempDir& dir, const std::string& sql, long long expected,
               std::chrono::seconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (rows(dir, sql) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return rows(dir, sql) == expected;
}

// The text of the last request the fake got for `to` (WhatsApp "to", Telegram chat_id).
std::vector<RecordedRequest> requests_to(const FakeProvider& fake, const std::string& to) {
  std::vector<RecordedRequest> found;
  for (const RecordedRequest& request : fake.requests()) {
    if (request.to == to) found.push_back(request);
  }
  return found;
}

bool wait_request_count_to(const FakeProvider& fake, const std::string& to, std::size_t count) {
  for (int i = 0; i < 400; ++i) {
    if (requests_to(fake, to).size() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// `buurtlijn api-key create --name NAME --data-dir DIR`: the key it prints.
std::string create_api_key(const TempDir& dir, const std::string& name) {
  const std::string command = buurtlijn_binary() + " api-key create --name " + name +
                              " --data-dir " + dir.path().string() + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char line[256] = {};
  std::string key;
  if (std::fgets(line, sizeof line, pipe) != nullptr) key = line;
  CHECK(pclose(pipe) == 0);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

HttpResult post_notification(std::uint16_t port, const std::string& key, const std::string& body) {
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
  if (!key.empty()) headers["Authorization"] = "Bearer " + key;
  return http_request(port, http::verb::post, "/api/v1/notifications", body, headers);
}

HttpResult get_notification(std::uint16_t port, const std::string& key, const std::string& id) {
  return http_request(port, http::verb::get, "/api/v1/notifications/" + id, {},
                      {{"Authorization", "Bearer " + key}});
}

std::string error_code_of(const HttpResult& result) {
  std::error_code error;
  const json::value body = json::parse(result.body, error);
  if (error || !body.is_object() || !body.as_object().contains("error")) return "(no error body)";
  return std::string(body.at("error").at("code").as_string());
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

std::string query_value(const std::string& target, const std::string& name) {
  const std::string needle = name + "=";
  std::size_t at = target.find("?" + needle);
  if (at == std::string::npos) at = target.find("&" + needle);
  if (at == std::string::npos) return {};
  const std::size_t start = at + 1 + needle.size();
  const std::size_t end = target.find('&', start);
  return percent_decode(target.substr(start, end == std::string::npos ? end : end - start));
}

void exec_sql(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "?";
    sqlite3_free(error);
    FAIL("seeding failed: " << message);
  }
}

struct Seeded {
  std::string channel;
  std::string address;
  std::string language;
  std::string state;
};

// Test-only seeding (see the top of the file), in one transaction.
void seed_subscribers(const TempDir& dir, const std::vector<Seeded>& people) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir.path() / "buurtlijn.db").string().c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  const long long now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  exec_sql(db, "BEGIN IMMEDIATE");
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Seeded& p = people[i];
    char pseudonym[40];
    std::snprintf(pseudonym, sizeof pseudonym, "seed%028zx", i);
    const std::string n = std::to_string(now);
    exec_sql(db, "INSERT INTO subjects (pseudonym, channel, created_at) VALUES ('" +
                     std::string(pseudonym) + "', '" + p.channel + "', " + n + ")");
    const std::string subject = std::to_string(sqlite3_last_insert_rowid(db));
    exec_sql(db, "INSERT INTO contact_addresses (subject_id, address) VALUES (" + subject + ", '" +
                     p.address + "')");
    exec_sql(db,
             "INSERT INTO conversations (subject_id, channel, language, created_at, updated_at, "
             "last_inbound_at) VALUES (" +
                 subject + ", '" + p.channel + "', '" + p.language + "', " + n + ", " + n + ", " +
                 n + ")");
    exec_sql(db,
             "INSERT INTO subscribers (subject_id, channel, language, state, opted_in_at, "
             "opted_in_how, created_at, updated_at) VALUES (" +
                 subject + ", '" + p.channel + "', '" + p.language + "', '" + p.state + "', " + n +
                 ", 'seeded', " + n + ", " + n + ")");
  }
  exec_sql(db, "COMMIT");
  sqlite3_close(db);
}

std::string write_config(const TempDir& dir) {
  const std::string path = (dir.path() / "buurtlijn.yaml").string();
  std::ofstream(path) << "outbox:\n"
                         "  telegram_per_second: 400\n"
                         "  telegram_per_chat_per_second: 50\n"
                         "  kannel_per_second: 400\n"
                         "  whatsapp_per_second: 400\n"
                         "  max_in_flight: 128\n";
  return path;
}

const std::string kOfficeHours =
    R"({"template":"office_hours","params":{"day":"marți","hours":"9-12","place":"Keizerstraat 7"},)";

}  // namespace

TEST_CASE(
    "WhatsApp: news + DA subscribes, STOP stops, START restarts, each confirmed in Romanian") {
  TempDir dir;
  FakeProvider fake;
  FakeProvider sms;
  program_answers(fake, sms);
  ServerProcess server(dir.path(), {}, environment(fake, sms));
  const std::string ioana = "40712345678";
  const auto say = [&](const std::string& id, const std::string& text, std::size_t expected) {
    REQUIRE(post_whatsapp(server.port(), whatsapp_text(ioana, id, text)).status == 200);
    REQUIRE(wait_request_count_to(fake, ioana, expected));
    return requests_to(fake, ioana).at(expected - 1).text;
  };
  // The opt-in question, in Romanian, asked because of a Romanian word.
  const std::string question = say("wamid.N1", "notificări", 1);
  CHECK(question.find("Vreți să primiți știri") != std::string::npos);
  CHECK(rows(dir, "SELECT count(*) FROM subscribers WHERE state = 'pending'") == 1);
  CHECK(say("wamid.N2", "Da", 2).find("De acum primiți știri") != std::string::npos);
  CHECK(rows(dir,
             "SELECT count(*) FROM subscribers WHERE state = 'active' AND language = 'ro' "
             "AND opted_in_how = 'yes' AND opted_in_at > 0") == 1);
  CHECK(say("wamid.N3", "STOP", 3).find("Nu mai primiți știri") != std::string::npos);
  CHECK(rows(dir,
             "SELECT count(*) FROM subscribers WHERE state = 'stopped' AND "
             "opted_out_how = 'keyword' AND opted_out_at > 0") == 1);
  CHECK(say("wamid.N4", "Start", 4).find("Bine ați revenit") != std::string::npos);
  CHECK(rows(dir, "SELECT count(*) FROM subscribers WHERE state = 'active'") == 1);
  CHECK(rows(dir, "SELECT count(*) FROM subscription_events") == 4);

  // A voice note gets "please type" in the conversation's language.
  const std::string voice =
      whatsapp_message(ioana, "wamid.V1",
                       json::object{{"type", "audio"},
                                    {"audio", json::object{{"id", "1234"},
                                                           {"mime_type", "audio/ogg; codecs=opus"},
                                                           {"voice", true}}}});
  REQUIRE(post_whatsapp(server.port(), voice).status == 200);
  REQUIRE(wait_request_count_to(fake, ioana, 5));
  CHECK(requests_to(fake, ioana).at(4).text ==
        "Ne pare rău, nu pot asculta mesaje vocale. Vă rugăm să scrieți întrebarea.");

  // WhatsApp's "stopped marketing messages" error on a status: an opt-out, no confirmation.
  REQUIRE(wait_rows(
      dir, "SELECT count(*) FROM outbox WHERE status = 'queued' OR status = 'inflight'", 0));
  const std::string reference = requests_to(fake, ioana).at(4).reference;
  REQUIRE(
      post_whatsapp(server.port(), whatsapp_status(reference, "failed", ioana, 131050)).status ==
      200);
  CHECK(rows(dir,
             "SELECT count(*) FROM subscribers WHERE state = 'stopped' AND "
             "opted_out_how = 'whatsapp_131050'") == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(requests_to(fake, ioana).size() == 5);
  CHECK(server.stop(SIGTERM) == 0);
  for (const std::string& line : server.log_lines()) {
    CHECK(line.find("712345678") == std::string::npos);
  }
}

TEST_CASE("Telegram: /stop, стоп, START, a blocked bot, voice notes and answered callbacks") {
  TempDir dir;
  FakeProvider fake;
  FakeProvider sms;
  program_answers(fake, sms);
  ServerProcess server(dir.path(), {}, environment(fake, sms));
  const std::string chat = "5512345678";
  int update = 7000;
  const auto say = [&](const std::string& text, std::size_t expected) {
    REQUIRE(post_telegram(server.port(), telegram_text(++update, chat, text)).status == 200);
    REQUIRE(wait_request_count_to(fake, chat, expected));
    return requests_to(fake, chat).at(expected - 1).text;
  };
  CHECK(say("новини", 1).find("Бажаєте отримувати новини") != std::string::npos);
  CHECK(say("так", 2).find("Тепер ви отримуватимете новини") != std::string::npos);
  CHECK(say("/stop", 3).find("більше не отримуватимете") != std::string::npos);
  CHECK(rows(dir, "SELECT count(*) FROM subscribers WHERE opted_out_how = 'telegram_stop'") == 1);
  CHECK(say("старт", 4).find("З поверненням") != std::string::npos);
  CHECK(say("СТОП", 5).find("більше не отримуватимете") != std::string::npos);
  CHECK(say("start", 6).find("З поверненням") != std::string::npos);

  // A voice note: "please type" in Ukrainian.
  const std::string voice = json::serialize(json::object{
      {"update_id", ++update},
      {"message",
       json::object{
           {"message_id", 99},
           {"from", json::object{{"id", 5512345678LL}, {"language_code", "uk"}}},
           {"chat", json::object{{"id", 5512345678LL}, {"type", "private"}}},
           {"date", 1764282200},
           {"voice",
            json::object{{"file_id", "AwACAgQ"}, {"duration", 3}, {"mime_type", "audio/ogg"}}}}}});
  REQUIRE(post_telegram(server.port(), voice).status == 200);
  REQUIRE(wait_request_count_to(fake, chat, 7));
  CHECK(requests_to(fake, chat).at(6).text.find("напишіть своє запитання") != std::string::npos);

  // A button press: answerCallbackQuery goes out through the outbox, then the reply.
  const std::string callback = json::serialize(json::object{
      {"update_id", ++update},
      {"callback_query",
       json::object{{"id", "4382bfdwdsb323b2d9"},
                    {"from", json::object{{"id", 5512345678LL}, {"language_code", "uk"}}},
                    {"message", json::object{{"message_id", 5},
                                             {"chat", json::object{{"id", 5512345678LL},
                                                                   {"type", "private"}}}}},
                    {"data", "brp"}}}});
  REQUIRE(post_telegram(server.port(), callback).status == 200);
  bool answered = false;
  for (int i = 0; i < 400 && !answered; ++i) {
    for (const RecordedRequest& request : fake.requests()) {
      if (request.target == "/bot123:tg-token/answerCallbackQuery") {
        answered = json::parse(request.body).at("callback_query_id") == "4382bfdwdsb323b2d9";
      }
    }
    if (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(answered);
  REQUIRE(wait_rows(dir, "SELECT count(*) FROM outbox WHERE status IN ('queued', 'inflight')", 0));
  CHECK(rows(dir, "SELECT count(*) FROM outbox WHERE status = 'failed'") == 0);

  // The bot blocked: an opt-out without a confirmation.
  const std::string blocked = json::serialize(
      json::object{{"update_id", ++update},
                   {"my_chat_member",
                    json::object{{"chat", json::object{{"id", 5512345678LL}, {"type", "private"}}},
                                 {"from", json::object{{"id", 5512345678LL}}},
                                 {"date", 1764282300},
                                 {"old_chat_member", json::object{{"status", "member"}}},
                                 {"new_chat_member", json::object{{"status", "kicked"}}}}}});
  const std::size_t before = requests_to(fake, chat).size();
  REQUIRE(post_telegram(server.port(), blocked).status == 200);
  CHECK(rows(dir,
             "SELECT count(*) FROM subscribers WHERE state = 'stopped' AND "
             "opted_out_how = 'blocked'") == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(requests_to(fake, chat).size() == before);
}

TEST_CASE("Notification API: keys, refusals with named problems, 404, 422") {
  TempDir dir;
  FakeProvider fake;
  FakeProvider sms;
  program_answers(fake, sms);
  const std::string key = create_api_key(dir, "cms");
  REQUIRE(key.rfind("blk_", 0) == 0);
  const std::string revoked = create_api_key(dir, "old");
  {
    const std::string command = buurtlijn_binary() + " api-key revoke --name old --data-dir " +
                                dir.path().string() + " >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
  }
  // Only the hash is stored.
  CHECK(rows(dir, "SELECT count(*) FROM api_keys WHERE key_hash = '" + key + "'") == 0);
  CHECK(rows(dir, "SELECT count(*) FROM api_keys WHERE length(key_hash) = 64") == 2);
  ServerProcess server(dir.path(), {}, environment(fake, sms));
  seed_subscribers(dir, {{"whatsapp", "40700000001", "ro", "active"},
                         {"telegram", kBlockedChat, "nl", "active"}});
  const std::string good = kOfficeHours + R"("segment":{"language":"ro"}})";

  CHECK(post_notification(server.port(), "", good).status == 401);
  CHECK(post_notification(server.port(), "blk_0000", good).status == 401);
  CHECK(post_notification(server.port(), revoked, good).status == 401);
  HttpResult result = post_notification(server.port(), key, "{not json");
  CHECK(result.status == 400);
  CHECK(error_code_of(result) == "malformed_json");
  result = post_notification(server.port(), key,
                             R"({"template":"fireworks","params":{},"segment":{"language":"ro"}})");
  CHECK(result.status == 400);
  CHECK(error_code_of(result) == "unknown_template");
  result = post_notification(
      server.port(), key,
      R"({"template":"office_hours","params":{"day":"x","place":"y"},"segment":{"language":"ro"}})");
  CHECK(result.status == 400);
  CHECK(error_code_of(result) == "missing_parameter");
  CHECK(result.body.find("hours") != std::string::npos);
  result = post_notification(server.port(), key, kOfficeHours + R"("segment":{}})");
  CHECK(result.status == 400);
  CHECK(error_code_of(result) == "empty_segment");
  result = post_notification(server.port(), key, kOfficeHours + R"("segment":{"language":"ti"}})");
  CHECK(result.status == 422);
  CHECK(error_code_of(result) == "no_recipients");
  CHECK(get_notification(server.port(), key, "999").status == 404);
  CHECK(get_notification(server.port(), key, "abc").status == 404);
  CHECK(http_request(server.port(), http::verb::get, "/api/v1/notifications/1").status == 401);

  result = post_notification(server.port(), key, good);
  REQUIRE(result.status == 202);
  const json::value accepted = json::parse(result.body);
  CHECK(accepted.at("recipients").as_int64() == 1);
  CHECK(rows(dir, "SELECT count(*) FROM notifications") == 1);

  // One subject: the second seeded subscriber, on Telegram, who blocked the bot. The 403
  // fails the item and stops the subscription (no confirmation can reach them).
  result = post_notification(
      server.port(), key,
      R"({"template":"report_update","params":{"reference":"M-17","status":"opgelost"},)"
      R"("subject":"seed0000000000000000000000000001"})");
  REQUIRE(result.status == 202);
  CHECK(json::parse(result.body).at("recipients").as_int64() == 1);
  REQUIRE(wait_rows(dir,
                    "SELECT count(*) FROM subscribers WHERE state = 'stopped' AND "
                    "opted_out_how = 'blocked'",
                    1));
  // The opt-out and the item's outcome are two writes: wait for the second as well.
  CHECK(wait_rows(dir, "SELECT count(*) FROM outbox WHERE status = 'failed'", 1));
  CHECK(requests_to(fake, kBlockedChat).at(0).text == "Nieuws over uw melding M-17: opgelost.");
  // Now no longer subscribed: 422.
  result =
      post_notification(server.port(), key,
                        R"({"template":"report_update","params":{"reference":"M-17","status":"x"},)"
                        R"("subject":"seed0000000000000000000000000001"})");
  CHECK(result.status == 422);
  CHECK(server.stop(SIGTERM) == 0);
  for (const std::string& line : server.log_lines()) CHECK(line.find(key) == std::string::npos);
}

TEST_CASE("Notification API: a Romanian broadcast to 1,000 subscribers on three channels") {
  TempDir dir;
  FakeProvider fake;
  FakeProvider sms;
  program_answers(fake, sms);
  const std::string key = create_api_key(dir, "cms");
  ServerProcess server(dir.path(), {"--config", write_config(dir)}, environment(fake, sms));
  // 1,000 active ro subscribers (334 WhatsApp, 333 Telegram, 333 SMS), 100 ro who
  // stopped, 60 active bg: only the 1,000 may get something.
  std::vector<Seeded> people;
  std::set<std::string> expected_whatsapp, expected_telegram, expected_sms;
  for (int i = 0; i < 1000; ++i) {
    Seeded p;
    p.language = "ro";
    p.state = "active";
    if (i % 3 == 0) {
      p.channel = "whatsapp";
      p.address = std::to_string(40710000000LL + i);
      expected_whatsapp.insert(p.address);
    } else if (i % 3 == 1) {
      p.channel = "telegram";
      p.address = std::to_string(7700000000LL + i);
      expected_telegram.insert(p.address);
    } else {
      p.channel = "kannel";
      p.address = "+4072" + std::to_string(1000000 + i);
      expected_sms.insert(p.address);
    }
    people.push_back(p);
  }
  for (int i = 0; i < 100; ++i) {
    people.push_back({i % 2 == 0 ? "whatsapp" : "telegram",
                      std::to_string(i % 2 == 0 ? 40790000000LL + i : 7790000000LL + i), "ro",
                      "stopped"});
  }
  for (int i = 0; i < 60; ++i) {
    people.push_back({"whatsapp", std::to_string(35980000000LL + i), "bg", "active"});
  }
  seed_subscribers(dir, people);

  const auto started = std::chrono::steady_clock::now();
  const HttpResult result =
      post_notification(server.port(), key, kOfficeHours + R"("segment":{"language":"ro"}})");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  REQUIRE(result.status == 202);
  MESSAGE("POST for 1,000 recipients answered in " << seconds << " s");
  const json::value accepted = json::parse(result.body);
  CHECK(accepted.at("recipients").as_int64() == 1000);
  const std::string id = std::to_string(accepted.at("id").as_int64());

  REQUIRE(fake.wait_for_requests(667, std::chrono::seconds(90)));
  REQUIRE(sms.wait_for_requests(333, std::chrono::seconds(90)));
  REQUIRE(wait_rows(
      dir, "SELECT count(*) FROM outbox WHERE notification_id = " + id + " AND status = 'sent'",
      1000, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more may come

  const std::string ro_text =
      "Programul Buurtmaker (ajutor de cartier): marți, 9-12, la Keizerstraat 7.";
  std::multiset<std::string> got_whatsapp, got_telegram, got_sms;
  std::string reference;
  for (const RecordedRequest& request : fake.requests()) {
    CHECK(request.text == ro_text);
    if (request.target.find("/sendMessage") != std::string::npos) {
      got_telegram.insert(request.to);
    } else {
      got_whatsapp.insert(request.to);
      if (reference.empty()) reference = request.reference;
    }
  }
  for (const RecordedRequest& request : sms.requests()) {
    CHECK(query_value(request.target, "text") == ro_text);
    CHECK(query_value(request.target, "coding") == "2");  // "ă" and "ț" are not GSM-7
    got_sms.insert(query_value(request.target, "to"));
  }
  // Each exactly once: as many requests as distinct recipients, and the right ones.
  CHECK(got_whatsapp.size() == expected_whatsapp.size());
  CHECK(got_telegram.size() == expected_telegram.size());
  CHECK(got_sms.size() == expected_sms.size());
  CHECK(std::set<std::string>(got_whatsapp.begin(), got_whatsapp.end()) == expected_whatsapp);
  CHECK(std::set<std::string>(got_telegram.begin(), got_telegram.end()) == expected_telegram);
  CHECK(std::set<std::string>(got_sms.begin(), got_sms.end()) == expected_sms);

  // GET counts, and how they move when status callbacks arrive.
  HttpResult status = get_notification(server.port(), key, id);
  REQUIRE(status.status == 200);
  json::value counts = json::parse(status.body);
  CHECK(counts.at("recipients").as_int64() == 1000);
  CHECK(counts.at("states").at("sent").as_int64() == 1000);
  CHECK(counts.at("channels").at("whatsapp").at("sent").as_int64() == 334);
  CHECK(counts.at("channels").at("telegram").at("sent").as_int64() == 333);
  CHECK(counts.at("channels").at("sms").at("sent").as_int64() == 333);
  REQUIRE_FALSE(reference.empty());
  REQUIRE(
      post_whatsapp(server.port(), whatsapp_status(reference, "delivered", "40710000000")).status ==
      200);
  counts = json::parse(get_notification(server.port(), key, id).body);
  CHECK(counts.at("states").at("delivered").as_int64() == 1);
  CHECK(counts.at("states").at("sent").as_int64() == 999);
  REQUIRE(post_whatsapp(server.port(), whatsapp_status(reference, "read", "40710000000")).status ==
          200);
  counts = json::parse(get_notification(server.port(), key, id).body);
  CHECK(counts.at("states").at("read").as_int64() == 1);
  CHECK(counts.at("channels").at("whatsapp").at("read").as_int64() == 1);
  CHECK(server.stop(SIGTERM) == 0);
}
