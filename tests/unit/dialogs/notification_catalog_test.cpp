// The notification catalogs (locales/notifications) and the subscription keywords:
// parsing and its refusals, rendering with the fallback chain, and STOP/START/news/YES/NO
// recognised in all 16 languages.
#include "dialogs/notification_catalog.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "dialogs/subscription_commands.hpp"
#include "locales/embedded_notifications.hpp"

namespace buurtlijn::dialogs {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

Files notification_files() {
  Files files;
  for (const auto& [name, text] : locales::embedded_notification_files()) {
    files.emplace_back(std::string(name), std::string(text));
  }
  return files;
}

const NotificationCatalog& catalog() {
  static const std::shared_ptr<const NotificationCatalog> parsed = [] {
    auto result = parse_notification_catalog(notification_files());
    if (!result) FAIL("locales/notifications refused:\n" << result.error().describe());
    return *result;
  }();
  return *parsed;
}

void replace_in(Files& files, const std::string& file, const std::string& from,
                const std::string& to) {
  for (auto& [name, text] : files) {
    if (name != file) continue;
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    text.replace(at, from.size(), to);
  }
}

bool has_problem(const ContentError& error, const std::string& key, const std::string& language) {
  for (const ContentProblem& p : error.problems) {
    if (p.key == key && p.language == language) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the 16 notification catalogs parse, with the same templates and placeholders") {
  const NotificationCatalog& c = catalog();
  for (std::string_view code : kNotificationLanguages) CHECK(c.has_language(code));
  CHECK(c.template_keys() ==
        std::vector<std::string>{"office_hours", "registration_dates", "report_update"});
  REQUIRE(c.template_arguments("office_hours") != nullptr);
  CHECK(*c.template_arguments("office_hours") == std::vector<std::string>{"day", "hours", "place"});
  CHECK(c.right_to_left("ar"));
  CHECK(c.right_to_left("fa"));
  CHECK_FALSE(c.right_to_left("ro"));
}

TEST_CASE("notification templates render in the subscriber's language with the parameters") {
  const std::map<std::string, std::string, std::less<>> params{
      {"day", "dinsdag"}, {"hours", "9:00-12:00"}, {"place", "Keizerstraat 7"}};
  auto ro = catalog().render_template("office_hours", "ro", "", params);
  REQUIRE(ro);
  CHECK(ro->language == "ro");
  CHECK_FALSE(ro->fallback);
  CHECK(ro->text ==
        "Programul Buurtmaker (ajutor de cartier): dinsdag, 9:00-12:00, la Keizerstraat 7.");
  // Right-to-left: parameters are isolated (FSI .. PDI) so Latin text keeps its order.
  auto ar = catalog().render_template("office_hours", "ar", "", params);
  REQUIRE(ar);
  CHECK(ar->text.find("\u2068Keizerstraat 7\u2069") != std::string::npos);
  // A missing parameter is named.
  auto missing = catalog().render_template("office_hours", "nl", "", {{"day", "x"}});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().find("hours") != std::string::npos);
  CHECK_FALSE(catalog().render_template("no_such_template", "nl", "", params));
}

TEST_CASE("a template missing in a language falls back: second language, then en, then nl") {
  // The parser refuses incomplete catalogs, so the fallback is exercised through the
  // chain itself and an unknown language.
  CHECK(catalog().fallback_chain("xx", "") == std::vector<std::string>{"en", "nl"});
  CHECK(catalog().fallback_chain("ro", "uk") == std::vector<std::string>{"ro", "uk", "en", "nl"});
  auto text = catalog().render_message("stopped", "xx", "de");
  REQUIRE(text);
  CHECK(text->language == "de");
  CHECK(text->fallback);
}

TEST_CASE("the catalog parser refuses what content check must report") {
  SUBCASE("a missing language") {
    Files files = notification_files();
    files.erase(files.begin());
    auto parsed = parse_notification_catalog(files);
    REQUIRE_FALSE(parsed);
  }
  SUBCASE("placeholders that differ from nl") {
    Files files = notification_files();
    replace_in(files, "ro.yaml", "{place}.", "{plaats}.");
    auto parsed = parse_notification_catalog(files);
    REQUIRE_FALSE(parsed);
    CHECK(has_problem(parsed.error(), "templates.registration_dates", "ro"));
  }
  SUBCASE("MessageFormat syntax") {
    Files files = notification_files();
    replace_in(files, "de.yaml", "{reference}", "{reference");
    auto parsed = parse_notification_catalog(files);
    REQUIRE_FALSE(parsed);
    CHECK(has_problem(parsed.error(), "templates.report_update", "de"));
  }
  SUBCASE("a missing message") {
    Files files = notification_files();
    replace_in(files, "pl.yaml", "  voice_note:", "  voice_notes:");
    auto parsed = parse_notification_catalog(files);
    REQUIRE_FALSE(parsed);
    CHECK(has_problem(parsed.error(), "messages.voice_note", "pl"));
  }
}

TEST_CASE("STOP is recognised in all 16 languages and confirmed in that language") {
  const std::vector<std::pair<std::string, std::string>> stops = {
      {"nl", "Stop"},  {"en", "STOP"},  {"bg", "стоп"},  {"ro", "Opriți"},
      {"uk", "СТОП"},  {"de", "stopp"}, {"fr", "arrêt"}, {"es", "baja"},
      {"it", "basta"}, {"pt", "parar"}, {"ar", "توقف"},  {"pl", "wypisz"},
      {"zh", "停止"},  {"fa", "لغو"},   {"hi", "रोकें"},   {"ti", "ደው በል"}};
  for (const auto& [language, word] : stops) {
    CAPTURE(language);
    const RecognizedCommand command =
        recognize_subscription_command(word, {language}, false, catalog());
    CHECK(command.command == SubscriptionCommand::stop);
    CHECK(command.language == language);
    const SubscriptionDecision decision = decide_subscription(command, "active");
    CHECK(decision.new_state == "stopped");
    CHECK(decision.message == "stopped");
  }
  // Without a preferred language, a word in one language's list still stops.
  CHECK(recognize_subscription_command("стоп", {}, false, catalog()).language == "bg");
  CHECK(recognize_subscription_command("  stop! ", {"ro"}, false, catalog()).command ==
        SubscriptionCommand::stop);
  // Telegram's command.
  const RecognizedCommand telegram =
      recognize_subscription_command("/stop@deventer_bot", {"uk"}, false, catalog());
  CHECK(telegram.command == SubscriptionCommand::stop);
  CHECK(telegram.how == "telegram_stop");
  CHECK(telegram.language == "uk");
  // /start is the dialog's (Telegram sends it first in every chat); stop inside a sentence
  // is not a command.
  CHECK(recognize_subscription_command("/start", {"nl"}, false, catalog()).command ==
        SubscriptionCommand::none);
  CHECK(recognize_subscription_command("where is the bus stop", {"en"}, false, catalog()).command ==
        SubscriptionCommand::none);
}

TEST_CASE("START, news, YES and NO drive the opt-in") {
  const auto start = recognize_subscription_command("start", {"ro"}, false, catalog());
  CHECK(start.command == SubscriptionCommand::start);
  CHECK(decide_subscription(start, "stopped").new_state == "active");
  CHECK(decide_subscription(start, "stopped").message == "restarted");
  CHECK(decide_subscription(start, "").new_state == "pending");
  CHECK(decide_subscription(start, "").message == "optin_question");
  CHECK(decide_subscription(start, "active").new_state.empty());
  CHECK(decide_subscription(start, "active").message == "already_subscribed");

  const auto news = recognize_subscription_command("notificări", {}, false, catalog());
  CHECK(news.command == SubscriptionCommand::subscribe);
  CHECK(news.language == "ro");
  CHECK(decide_subscription(news, "").message == "optin_question");

  // YES only counts while the question is open, in the user's language, en or nl.
  CHECK(recognize_subscription_command("Da", {"ro"}, false, catalog()).command ==
        SubscriptionCommand::none);
  const auto yes = recognize_subscription_command("Da", {"ro"}, true, catalog());
  CHECK(yes.command == SubscriptionCommand::yes);
  CHECK(decide_subscription(yes, "pending").new_state == "active");
  CHECK(decide_subscription(yes, "pending").message == "subscribed");
  CHECK(recognize_subscription_command("yes", {"ro"}, true, catalog()).command ==
        SubscriptionCommand::yes);
  CHECK(recognize_subscription_command("نعم", {"ar"}, true, catalog()).command ==
        SubscriptionCommand::yes);
  const auto no = recognize_subscription_command("ні", {"uk"}, true, catalog());
  CHECK(no.command == SubscriptionCommand::no);
  CHECK(decide_subscription(no, "pending").new_state == "stopped");
  CHECK(decide_subscription(no, "pending").message == "declined");
}

TEST_CASE("every language's own words are recognised") {
  for (std::string_view code : kNotificationLanguages) {
    CAPTURE(code);
    const std::string language(code);
    for (const std::string& word : catalog().keywords(language, "stop")) {
      CHECK(recognize_subscription_command(word, {language}, false, catalog()).command ==
            SubscriptionCommand::stop);
    }
    for (const std::string& word : catalog().keywords(language, "yes")) {
      CHECK(recognize_subscription_command(word, {language}, true, catalog()).command ==
            SubscriptionCommand::yes);
    }
    for (const std::string& word : catalog().keywords(language, "no")) {
      CHECK(recognize_subscription_command(word, {language}, true, catalog()).command ==
            SubscriptionCommand::no);
    }
    for (std::string_view id : kSubscriptionMessages) {
      auto text = catalog().render_message(id, language);
      REQUIRE(text);
      CHECK(text->language == language);
    }
  }
}

}  // namespace buurtlijn::dialogs
