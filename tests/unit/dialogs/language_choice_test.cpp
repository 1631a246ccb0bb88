// Unit tests of explicit language choices in free text ("English please", "po polsku",
// "auf Deutsch", "بالعربية", "中文") in all 16 languages, of what must never switch the
// language (short ambiguous messages, a language name inside another question), and of
// the language picker's choice event in the engine.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "dialogs/classify.hpp"
#include "dialogs/engine.hpp"
#include "tests/unit/dialogs/content_fixture.hpp"

namespace buurtlijn::dialogs {
namespace {

using testing::real_content;

constexpr std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days(std::chrono::year(2026) / 3 / 2) + std::chrono::hours(9);

struct Choice {
  std::string_view code;
  std::vector<std::string_view> messages;
};

// How people ask for each language: its own name, a form of it with a preposition
// ("po polsku", "по-українськи", "بالعربية"), with please, in the language itself, in
// English, or in Latin letters.
const std::vector<Choice>& choices() {
  static const std::vector<Choice> list = {
      {"nl", {"in het Nederlands", "Nederlands graag", "dutch please", "Nederlands aub"}},
      {"en", {"English please", "english pls", "can we speak English", "in English"}},
      {"bg", {"po bulgarski", "на български моля", "български", "bulgarian please"}},
      {"ro", {"in romana", "în română vă rog", "romaneste", "po-romaneste"}},
      {"uk", {"по-українськи", "українською будь ласка", "ukrainian please", "po-ukrainsky"}},
      {"de", {"auf Deutsch", "Deutsch bitte", "german please", "auf deutsch bitte"}},
      {"fr", {"en français svp", "français", "french please", "en francais"}},
      {"es", {"en español por favor", "español", "spanish please", "en espanol"}},
      {"it", {"in italiano per favore", "italiano", "italian please", "in italiano"}},
      {"pt", {"em português por favor", "português", "portuguese please", "em portugues"}},
      {"ar", {"بالعربية", "عربي لو سمحت", "العربية", "arabic please"}},
      {"pl", {"po polsku", "po polsku prosze", "polski", "polish please"}},
      {"zh", {"中文", "请说中文", "用中文", "chinese please"}},
      {"fa", {"فارسی", "به فارسی لطفا", "farsi please", "فارسی لطفا"}},
      {"hi", {"हिंदी में", "हिन्दी", "hindi me baat karo", "hindi please"}},
      {"ti", {"ትግርኛ", "ብትግርኛ በጃኹም", "tigrinya please", "ትግርኛ በጃኹም"}},
  };
  return list;
}

ClassifyHints speaking(std::string_view language) {
  return ClassifyHints{language, {}, {}};
}

InboundEvent text(std::string message) {
  InboundEvent event;
  event.kind = InboundEvent::Kind::text;
  event.text = std::move(message);
  return event;
}

ConversationState at(std::string language, std::string node) {
  ConversationState state;
  state.language = std::move(language);
  state.node = std::move(node);
  return state;
}

std::string welcome(const Content& content, std::string_view language) {
  const auto rendered = content.render(message_key("welcome"), language);
  REQUIRE(rendered.has_value());
  return rendered->text;
}

TEST_CASE("an explicit choice switches to each of the 16 languages, whatever is spoken") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  REQUIRE(choices().size() == content->languages().size());
  for (const Choice& choice : choices()) {
    // Spoken before: another language of the same script where there is one.
    const std::string_view from = choice.code == "nl" ? "de" : choice.code == "fa" ? "ar" : "nl";
    for (std::string_view message : choice.messages) {
      CAPTURE(message);
      const Classification got = classify(message, *content, speaking(from));
      CHECK(got.language == choice.code);
      CHECK(got.language_source == LanguageSource::explicit_choice);
    }
  }
}

TEST_CASE("short ambiguous messages and names inside other questions never switch") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (std::string_view message :
       {"ok", "1", "BSN", "0", "menu", "da", "ja", "?", "is there a polish shop in deventer",
        "my romanian birth certificate", "ik heb een Engels contract", "English or Dutch?",
        "a Bulgarian colleague took my milieupas"}) {
    CAPTURE(message);
    const Classification got = classify(message, *content, speaking("pt"));
    CHECK(got.language_source != LanguageSource::explicit_choice);
  }
  for (std::string_view message : {"ok", "1", "BSN", "gemeente"}) {
    CAPTURE(message);
    CHECK(classify(message, *content, speaking("pt")).language == "pt");
  }
}

TEST_CASE("the engine: a typed choice answers with the welcome in the chosen language") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (const Choice& choice : choices()) {
    CAPTURE(choice.code);
    // From any node, also while an answer is shown.
    const Turn turn = respond(at(choice.code == "nl" ? "en" : "nl", "brp_bsn"),
                              text(std::string(choice.messages.front())), *content, kNow);
    CHECK(turn.state.language == choice.code);
    REQUIRE_FALSE(turn.replies.empty());
    CHECK(turn.replies.front().text == welcome(*content, choice.code));
    CHECK(turn.replies.front().language == choice.code);
  }
}

TEST_CASE("the engine: the language picker's choice works for all 16 languages") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (const LanguageInfo& language : content->languages()) {
    CAPTURE(language.code);
    InboundEvent event;
    event.kind = InboundEvent::Kind::language_choice;
    event.language = language.code;
    const Turn turn = respond(at("nl", "tenant"), event, *content, kNow);
    CHECK(turn.state.language == language.code);
    REQUIRE_FALSE(turn.replies.empty());
    CHECK(turn.replies.front().text == welcome(*content, language.code));
    CHECK(turn.replies.front().right_to_left == language.right_to_left);
    // Typing the name as the language list shows it works too.
    const Turn typed = respond(at(language.code == "nl" ? "en" : "nl", "root"),
                               text(language.native_name), *content, kNow);
    CHECK(typed.state.language == language.code);
  }
}

}  // namespace
}  // namespace buurtlijn::dialogs
