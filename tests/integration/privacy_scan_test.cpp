// No personal data outside the database: the server runs a mixed workload with known
// phone numbers, chat ids and message texts (WhatsApp, Telegram, the web chat, status
// callbacks, refused webhooks, a restart), at debug log level; then every log line and
// every file the server wrote outside the SQLite files is scanned for each of them.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "clients.hpp"
#include "fake_provider.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
using namespace std::chrono_literals;

namespace {

// What must never leave the database: phone numbers (also without their country code),
// chat ids, message texts and pieces of them, a person's name from the WhatsApp
// contact block, the web chat's resume token.
struct Secrets {
  std::vector<std::string> needles;
  void add(const std::string& value) { needles.push_back(value); }
};

std::vector<std::string> found_in(const std::string& haystack, const Secrets& secrets) {
  std::vector<std::string> found;
  for (const std::string& needle : secrets.needles) {
    if (haystack.find(needle) != std::string::npos) found.push_back(needle);
  }
  return found;
}

bool is_database_file(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  return name.rfind("buurtlijn.db", 0) == 0;  // the database, its -wal and -shm
}

}  // namespace

TEST_CASE("no phone number, chat id or message text appears in the logs or in other files") {
  TempDir dir;
  FakeProvider fake;
  {
    std::ofstream config(dir.path() / "debug.yaml");
    config << "log:\n  level: debug\n";
  }
  const std::vector<std::string> args{"--config", (dir.path() / "debug.yaml").string()};
  const auto environment = provider::channel_environment(fake.base_url());
  Secrets secrets;
  std::vector<std::string> log_lines;

  {
    ServerProcess server(dir.path(), args, environment);
    // WhatsApp: a Romanian and a Polish number, texts with and without diacritics.
    const std::string ro_phone = "40745123987";
    const std::string pl_phone = "48601555444";
    secrets.add(ro_phone);
    secrets.add("745123987");
    secrets.add(pl_phone);
    secrets.add("601555444");
    const std::string ro_text = "Locuiesc pe Zwaluwstraat 17 si patronul imi tine pasaportul";
    const std::string pl_text = "Mieszkam przy Brinkgreverweg 4, gdzie dostanę milieupas?";
    secrets.add("Zwaluwstraat");
    secrets.add("Brinkgreverweg");
    secrets.add("pasaportul");
    secrets.add("Ioana");  // the profile name in the WhatsApp contact block
    CHECK(provider::post_whatsapp(server.port(),
                                  provider::whatsapp_text(ro_phone, "wamid.priv-1", ro_text))
              .status == 200);
    CHECK(provider::post_whatsapp(server.port(),
                                  provider::whatsapp_text(pl_phone, "wamid.priv-2", pl_text))
              .status == 200);
    // A forged one (wrong secret) with a number of its own: refused, and not logged.
    secrets.add("31699887766");
    CHECK(provider::post_whatsapp(
              server.port(),
              provider::whatsapp_text("31699887766", "wamid.priv-3", "Forged message text"),
              "not-the-secret")
              .status == 401);
    secrets.add("Forged message text");
    // Telegram: a chat id and a Ukrainian text.
    secrets.add("5598123456");
    secrets.add("Олена");
    const std::string uk_text = "Я живу на вулиці Snipperlingsdijk, орендодавець погрожує";
    secrets.add("Snipperlingsdijk");
    secrets.add("погрожує");
    CHECK(
        provider::post_telegram(server.port(), provider::telegram_text(7701, 5598123456LL, uk_text))
            .status == 200);
    // Web chat: a text, and the token that resumes the conversation.
    ChatClient chat(server.port());
    chat.send_json({{"type", "hello"}, {"token", ""}, {"language", "bg"}});
    const auto ready = chat.read_until("ready");
    const std::string token(ready.at("token").as_string());
    REQUIRE_FALSE(token.empty());
    secrets.add(token);
    secrets.add("Rielerweg");
    chat.send_json(
        {{"type", "message"}, {"id", "c1"}, {"text", "Живея на Rielerweg 9, къде е кметството?"}});
    chat.read_until("message");
    chat.close();
    // Replies go out; WhatsApp reports them delivered.
    REQUIRE(fake.wait_for_requests(3, 15s));
    for (const RecordedRequest& request : fake.requests()) {
      if (request.reference.empty()) continue;
      provider::post_whatsapp(
          server.port(), provider::whatsapp_status("wamid.out-" + request.reference, "delivered",
                                                   request.reference));
    }
    std::this_thread::sleep_for(300ms);
    CHECK(server.stop(SIGTERM) == 0);
    log_lines = server.log_lines();
  }
  {
    // A restart reads it all back (and logs at debug level again).
    ServerProcess server(dir.path(), args, environment);
    std::this_thread::sleep_for(300ms);
    CHECK(server.stop(SIGTERM) == 0);
    for (const std::string& line : server.log_lines()) log_lines.push_back(line);
  }

  REQUIRE(log_lines.size() > 10);
  for (const std::string& line : log_lines) {
    const auto found = found_in(line, secrets);
    CHECK_MESSAGE(found.empty(),
                  "log line holds '" << (found.empty() ? "" : found[0]) << "': " << line);
  }
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file() || is_database_file(entry.path())) continue;
    if (entry.path().extension() == ".yaml") continue;  // the test's own configuration
    ++files;
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream contents;
    contents << file.rdbuf();
    const auto found = found_in(contents.str(), secrets);
    CHECK_MESSAGE(found.empty(), entry.path().string()
                                     << " holds '" << (found.empty() ? "" : found[0]) << "'");
  }
  MESSAGE("scanned " << log_lines.size() << " log lines and " << files << " other files for "
                     << secrets.needles.size() << " personal values");
}
