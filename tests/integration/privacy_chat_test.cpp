// "What do you store about me" and "delete my data" in the chat, end to end against the
// real server and the fake provider: a Romanian resident on WhatsApp (with a report made
// through `buurtlijn cases report`) and an Arabic resident on Telegram (buttons, right to
// left). The summary's counts match the database; "no" at the confirmation keeps
// everything; "yes" erases the messages, dialog state, subscriber record and contact
// details (the report stays, anonymised), the final confirmation reaches the provider,
// and then nothing of the subject is left; both requests are in the audit log (actor
// "chat", the pseudonym, counts only). A second resident is untouched.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <thread>

#include "cli_runner.hpp"
#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
namespace json = boost::json;

namespace {

// Retention every 200 ms: the farewell's address goes soon after it was sent.
std::vector<std::string> fast_retention(const TempDir& dir) {
  const auto path = dir.path() / "privacy.yaml";
  std::ofstream config(path);
  config << "retention:\n  interval_ms: 200\n";
  return {"--config", path.string()};
}

// Posts and waits for `replies` more requests at the fake; returns the last one.
RecordedRequest exchange(FakeProvider& fake, const std::function<HttpResult()>& post,
                         std::size_t replies = 1) {
  const std::size_t before = fake.requests().size();
  const HttpResult result = post();
  REQUIRE(result.status == 200);
  REQUIRE(fake.wait_for_requests(before + replies, std::chrono::seconds(20)));
  return fake.requests().back();
}

// Waits until `sql` counts `expected` (retention runs in the background).
bool eventually(const TempDir& dir, const std::string& sql, long long expected) {
  for (int i = 0; i < 100; ++i) {
    if (count_rows(dir.path(), sql) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string pseudonym_of(const TempDir& dir, const std::string& channel,
                         const std::string& address) {
  const auto found = run_buurtlijn(dir, {"gdpr", "find", "--channel", channel, "--address", address,
                                         "--data-dir", dir.path().string()});
  REQUIRE_MESSAGE(found.exit_code == 0, found.err);
  return found.out.substr(0, found.out.find('\n'));
}

std::string telegram_button(std::int64_t update_id, std::int64_t chat_id, const std::string& data) {
  json::object from{{"id", chat_id}, {"is_bot", false}, {"first_name", "Amal"}};
  json::object message{
      {"message_id", 700},
      {"from", json::object{{"id", 7000000001}, {"is_bot", true}, {"first_name", "Buurtlijn"}}},
      {"chat", json::object{{"id", chat_id}, {"first_name", "Amal"}, {"type", "private"}}},
      {"date", 1764282201},
      {"text", "..."}};
  json::object query{{"id", "cbq-" + std::to_string(update_id)},
                     {"from", from},
                     {"message", message},
                     {"chat_instance", "-823741093"},
                     {"data", data}};
  return json::serialize(json::object{{"update_id", update_id}, {"callback_query", query}});
}

// Nothing of the subject is left but the anonymised report; the audit log has both
// requests without text or address.
void check_erased(const TempDir& dir, const std::string& pseudonym, const std::string& address,
                  const std::string& said) {
  const std::string subject = "(SELECT id FROM subjects WHERE pseudonym = '" + pseudonym + "')";
  CHECK(eventually(dir, "SELECT count(*) FROM subjects WHERE pseudonym = '" + pseudonym + "'", 0));
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM contact_addresses WHERE address = '" +
                                   address + "'") == 0);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM messages WHERE text = '" + said + "'") == 0);
  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM conversations WHERE subject_id IN " + subject) == 0);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM outbox WHERE subject_id IN " + subject) == 0);
  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM audit_log WHERE user_name = 'chat' AND "
                   "action = 'gdpr.erase' AND object = 'subject " +
                       pseudonym + "'") == 1);
  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM audit_log WHERE user_name = 'chat' AND "
                   "action = 'gdpr.summary' AND object = 'subject " +
                       pseudonym + "'") == 1);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM audit_log WHERE detail LIKE '%" + address +
                                   "%' OR detail LIKE '%" + said + "%'") == 0);
}

}  // namespace

TEST_CASE("privacy chat: a Romanian resident on WhatsApp asks what is stored, then erases it") {
  TempDir dir;
  FakeProvider fake;
  const std::string data_dir = dir.path().string();
  const auto areas = import_illustrative_areas(dir, data_dir);
  REQUIRE_MESSAGE(areas.exit_code == 0, areas.err);
  ServerProcess server(dir.path(), fast_retention(dir),
                       provider::channel_environment(fake.base_url()));
  const std::string phone = "40712555001";
  const std::string other = "40712555002";
  const auto say = [&](const std::string& id, const std::string& text) {
    return exchange(fake, [&] {
      return provider::post_whatsapp(server.port(), provider::whatsapp_text(phone, id, text));
    });
  };
  say("wamid.p.1", "Bună ziua");
  exchange(fake, [&] {
    return provider::post_whatsapp(server.port(),
                                   provider::whatsapp_text(other, "wamid.o.1", "Salut"));
  });
  const auto report = run_buurtlijn(
      dir,
      {"cases", "report", "--data-dir", data_dir, "--category", "waste_beside_container", "--lat",
       "52.2401", "--lon", "6.1601", "--language", "ro", "--reporter-channel", "whatsapp",
       "--reporter-address", phone, "--updates", "--description", "saci lângă container"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  const std::string number =
      std::to_string(json::parse(report.out).at("report").to_number<long long>());
  say("wamid.p.2", "Cum mă înregistrez la primărie?");

  const RecordedRequest summary = say("wamid.p.3", "ce date păstrați despre mine?");
  CHECK(summary.to == phone);
  // Three messages from the resident (this one included), one report with its number,
  // no news subscription, the number kept to answer; never the texts themselves.
  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM messages m JOIN conversations c ON c.id = "
                   "m.conversation_id JOIN subjects s ON s.id = c.subject_id WHERE m.direction = "
                   "'in' AND s.pseudonym = '" +
                       pseudonym_of(dir, "whatsapp", phone) + "'") == 3);
  CHECK_MESSAGE(summary.text.find("Avem 3 mesaje de la dumneavoastră din ultimele 90 de zile și "
                                  "1 sesizare (numărul " +
                                  number + ").") != std::string::npos,
                summary.text);
  CHECK(summary.text.find("Nu primiți știri de la noi.") != std::string::npos);
  CHECK(summary.text.find("Păstrăm numărul de telefon") != std::string::npos);
  CHECK(summary.text.find("înregistrez") == std::string::npos);

  // "No" at the confirmation: nothing erased.
  const RecordedRequest question = say("wamid.p.4", "vreau să ștergeți datele mele");
  CHECK(question.text.find("Vreți să vă ștergem datele?") != std::string::npos);
  CHECK(question.body.find("privacy_erase_yes") != std::string::npos);  // reply buttons
  const RecordedRequest kept = say("wamid.p.5", "nu");
  CHECK(kept.text.find("Nu am șters nimic.") != std::string::npos);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM messages WHERE text = 'Bună ziua'") == 1);

  // "Da": erased, and one last message.
  say("wamid.p.6", "șterge datele mele");
  const RecordedRequest done = say("wamid.p.7", "Da");
  CHECK(done.to == phone);
  CHECK(done.text.find("Datele dumneavoastră au fost șterse.") != std::string::npos);
  const std::string pseudonym = pseudonym_of(dir, "whatsapp", phone);
  check_erased(dir, pseudonym, phone, "Bună ziua");
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM reports WHERE public_number = " + number +
                                   " AND subject_id IS NULL AND wants_updates = 0 AND description "
                                   "= '' AND category = 'waste_beside_container' AND buurt_code "
                                   "<> ''") == 1);
  // The other resident is untouched.
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM messages WHERE text = 'Salut'") == 1);
  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM contact_addresses WHERE address = '" + other + "'") == 1);
  // Writing again starts afresh.
  const RecordedRequest again = say("wamid.p.8", "Bună ziua");
  CHECK(again.to == phone);
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("privacy chat: an Arabic resident on Telegram, with the buttons") {
  TempDir dir;
  FakeProvider fake;
  ServerProcess server(dir.path(), fast_retention(dir),
                       provider::channel_environment(fake.base_url()));
  const std::int64_t chat = 5512340077;
  std::int64_t update = 91000;
  const auto say = [&](const std::string& text, std::size_t replies = 1) {
    return exchange(
        fake,
        [&] {
          return provider::post_telegram(server.port(),
                                         provider::telegram_text(++update, chat, text));
        },
        replies);
  };
  say("مرحبا");
  const RecordedRequest summary = say("شو المعلومات اللي بتحفظوها عني؟");
  CHECK_MESSAGE(summary.text.find("لدينا رسالتان منك") != std::string::npos, summary.text);
  CHECK(summary.text.find("لا بلاغات") != std::string::npos);
  CHECK(summary.text.find("لا تصلك أخبارنا.") != std::string::npos);

  const RecordedRequest question = say("احذفوا كل بياناتي");
  CHECK(question.text.find("هل تريد أن نحذف بياناتك؟") != std::string::npos);
  CHECK(question.body.find("privacy_erase_yes") != std::string::npos);  // inline keyboard
  // The "yes" button: the button's spinner is answered, then the last message.
  const RecordedRequest done = exchange(
      fake,
      [&] {
        return provider::post_telegram(server.port(),
                                       telegram_button(++update, chat, "privacy_erase_yes"));
      },
      2);
  CHECK(done.to == std::to_string(chat));
  CHECK(done.text.find("تم حذف بياناتك.") != std::string::npos);
  CHECK(fake.requests()[fake.requests().size() - 2].target.find("answerCallbackQuery") !=
        std::string::npos);
  check_erased(dir, pseudonym_of(dir, "telegram", std::to_string(chat)), std::to_string(chat),
               "مرحبا");
  CHECK(server.stop(SIGTERM) == 0);
}
