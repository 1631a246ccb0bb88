// Unit tests of dialogs/classify and of free text in the engine: the language resolution
// order (explicit choice > conversation > channel > detection > phone > Dutch), the
// script rules, Latin-typed Bulgarian and Ukrainian, stickiness and switching, phone
// prefixes, intents in several languages, greetings, the safety override in any dialog
// state, invalid UTF-8, and classify() from many threads.
#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <thread>

#include "dialogs/classify.hpp"
#include "dialogs/engine.hpp"
#include "tests/unit/dialogs/content_fixture.hpp"
#include "tests/unit/dialogs/mini_content.hpp"

namespace buurtlijn::dialogs {
namespace {

using testing::real_content;

constexpr std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days(std::chrono::year(2026) / 3 / 2) + std::chrono::hours(9);

std::shared_ptr<const Content> mini() {
  static const std::shared_ptr<const Content> content = [] {
    auto parsed = parse_content(testing::mini_content());
    REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().describe()));
    return *parsed;
  }();
  return content;
}

ClassifyHints hints(std::string_view current, std::string_view channel = {},
                    std::string_view phone = {}) {
  return ClassifyHints{current, channel, phone};
}

InboundEvent text(std::string message, std::string hint = {}, std::string phone = {}) {
  InboundEvent event;
  event.kind = InboundEvent::Kind::text;
  event.text = std::move(message);
  event.language_hint = std::move(hint);
  event.phone_prefix = std::move(phone);
  return event;
}

ConversationState at(std::string language, std::string node) {
  ConversationState state;
  state.language = std::move(language);
  state.node = std::move(node);
  return state;
}

TEST_CASE("scripts settle the language: Ethiopic, Devanagari, Han, Persian and Ukrainian letters") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::array<std::pair<std::string_view, std::string_view>, 9> cases = {{
      {"ምዝገባ ከመይ ይግበር", "ti"},
      {"पंजीकरण कैसे करें", "hi"},
      {"我想登记", "zh"},
      {"پاسپورت من کجاست", "fa"},
      {"كيف أسجل في البلدية", "ar"},
      {"як зареєструватися", "uk"},
      {"как да се регистрирам", "bg"},
      {"kak da se registriram", "bg"},
      {"yak otrymaty bsn", "uk"},
  }};
  for (const auto& [message, language] : cases) {
    CAPTURE(message);
    const Classification c = classify(message, *content);
    CHECK(c.language == language);
    CHECK(c.detected_language == language);
    CHECK(c.language_source == LanguageSource::detected);
  }
}

TEST_CASE("Latin-script languages are told apart, also without diacritics") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::array<std::pair<std::string_view, std::string_view>, 8> cases = {{
      {"cum ma inregistrez la gemeente", "ro"},
      {"gdzie moge sie zarejestrowac", "pl"},
      {"ou dois je m'inscrire a la mairie", "fr"},
      {"donde me tengo que registrar", "es"},
      {"dove mi devo registrare in comune", "it"},
      {"onde me posso registar na camara", "pt"},
      {"wo muss ich mich anmelden", "de"},
      {"waar moet ik me inschrijven", "nl"},
  }};
  for (const auto& [message, language] : cases) {
    CAPTURE(message);
    CHECK(classify(message, *content).language == language);
  }
}

TEST_CASE("the resolution order: explicit > conversation > channel > detection > phone > Dutch") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  // An explicit choice beats the conversation's language.
  Classification c = classify("English please", *content, hints("ro"));
  CHECK(c.language == "en");
  CHECK(c.language_source == LanguageSource::explicit_choice);
  CHECK(classify("română", *content, hints("nl")).language == "ro");
  CHECK(classify("po-ukrainsky", *content, hints("nl")).language == "uk");  // a form of the name
  CHECK(classify("in het Nederlands aub", *content, hints("pl")).language == "nl");
  CHECK(classify("فارسی", *content, hints("ar")).language == "fa");
  // The conversation's language beats the channel and a short message.
  c = classify("ok", *content, hints("bg", "ro"));
  CHECK(c.language == "bg");
  CHECK(c.language_source == LanguageSource::conversation);
  // The channel's hint beats weak detection.
  c = classify("hello", *content, hints("", "ro-RO,ro;q=0.9"));
  CHECK(c.language == "ro");
  CHECK(c.language_source == LanguageSource::channel);
  // Detection beats the phone number.
  c = classify("cum ma inregistrez la gemeente", *content, hints("", "", "+48 600 100 200"));
  CHECK(c.language == "ro");
  CHECK(c.language_source == LanguageSource::detected);
  // The phone number beats Dutch when the message says nothing.
  c = classify("1", *content, hints("", "", "+48 600 100 200"));
  CHECK(c.language == "pl");
  CHECK(c.language_source == LanguageSource::phone);
  c = classify("BSN", *content);
  CHECK(c.language == "nl");
  CHECK(c.language_source == LanguageSource::fallback);
  CHECK(c.detected_language.empty());
}

TEST_CASE("short or ambiguous messages never switch; a confident long one does") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (std::string_view message :
       {"ok", "1", "BSN", "bsn brp", "gemeente", "milieupas?", "hi", "da", "12345", "👍"}) {
    CAPTURE(message);
    const Classification c = classify(message, *content, hints("ro"));
    CHECK(c.language == "ro");
    CHECK(c.language_source == LanguageSource::conversation);
  }
  // Latin to Latin: only a long, clear message.
  CHECK(classify("hello there", *content, hints("ro")).language == "ro");
  CHECK(
      classify("where can I register in the municipality please", *content, hints("ro")).language ==
      "en");
  // Another script: a few letters are enough.
  CHECK(classify("здравейте", *content, hints("ro")).language == "bg");
  CHECK(classify("مرحبا", *content, hints("pl")).language == "ar");
  // Within Cyrillic or Arabic script, only the telling letters switch.
  CHECK(classify("как дела", *content, hints("uk")).language == "uk");
  CHECK(classify("як справи, де зареєструватися", *content, hints("bg")).language == "uk");
  CHECK(classify("سلام خوبی؟ پاسپورتم گم شده", *content, hints("ar")).language == "fa");
  // Latin-typed Bulgarian does not leave Bulgarian.
  CHECK(classify("kak da se registriram", *content, hints("bg")).language == "bg");
}

TEST_CASE("the phone number's country") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::array<std::pair<std::string_view, std::string_view>, 13> cases = {{
      {"+40 712 345 678", "ro"},
      {"0040712345678", "ro"},
      {"+359888123456", "bg"},
      {"+48600100200", "pl"},
      {"+380 50 123 4567", "uk"},
      {"+31612345678", "nl"},
      {"+44 7700 900123", "en"},
      {"+971501234567", "ar"},
      {"+98 912 123 4567", "fa"},
      {"+291 7 123456", "ti"},
      {"+86 138 0013 8000", "zh"},
      {"0612345678", ""},  // national: says nothing
      {"+7 912 345 67 89", ""},
  }};
  for (const auto& [number, language] : cases) {
    CAPTURE(number);
    CHECK(language_of_phone_number(number, *content) == language);
  }
  CHECK(language_of_phone_number("call me", *content).empty());
  CHECK(language_of_phone_number("", *content).empty());
}

TEST_CASE("questions in many languages find their topic and node") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  struct Case {
    std::string_view message;
    std::string_view topic;
    std::string_view node;  // empty: any node of the topic
  };
  const std::array<Case, 14> cases = {{
      {"where do I register in Deventer", "brp", ""},
      {"I lost my milieupas", "waste", "waste_lost"},
      {"my landlord keeps my deposit", "tenant", "tenant_deposit"},
      {"I want to talk to a person", "human", "human"},
      {"my neighbours make noise every night, I want to report it", "report", "report"},
      {"hallo, waar kan ik me inschrijven?", "brp", ""},
      {"kak da se registriram", "brp", ""},
      {"yak otrymaty bsn", "brp", "brp_bsn"},
      {"كيف أسجل في البلدية", "brp", ""},
      {"我想登记", "brp", ""},
      {"पंजीकरण कैसे करें", "brp", ""},
      {"hello", "greeting", "root"},
      {"hallo", "greeting", "root"},
      {"qwrtz plmkj", "unknown", ""},
  }};
  for (const Case& c : cases) {
    CAPTURE(c.message);
    const Classification got = classify(c.message, *content);
    CHECK(got.topic == c.topic);
    if (!c.node.empty()) CHECK(got.node == c.node);
    if (c.topic == "unknown") CHECK(got.node.empty());
    CHECK(got.confidence >= 0.0);
    CHECK(got.confidence <= 1.0);
  }
}

TEST_CASE("safety phrases are recognised in any language; a word like help only alone") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (std::string_view message :
       {"they took my passport", "my boss took my passport and does not pay me", "help",
        "mi-au luat pasaportul", "шефът ми взе паспорта", "szef zabrał mi paszport"}) {
    CAPTURE(message);
    const Classification c = classify(message, *content);
    CHECK(c.safety);
    CHECK(c.node == "safety_help");
    CHECK(c.topic == "human");
  }
  const Classification c = classify("I need help with registration", *content);
  CHECK_FALSE(c.safety);
  CHECK(c.topic == "brp");
}

TEST_CASE("a help word alone is safety; beside another topic's keyword it is that topic") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (std::string_view message : {"help", "help me", "please help", "ayuda", "ajutor", "救命"}) {
    CAPTURE(message);
    CHECK(classify(message, *content).safety);
  }
  for (std::string_view message : {"legal help", "aide juridique", "ayuda alquiler"}) {
    CAPTURE(message);
    const Classification c = classify(message, *content);
    CHECK_FALSE(c.safety);
    CHECK(c.topic == "tenant");
  }
}

TEST_CASE("invalid UTF-8 is an empty message, never a crash") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const Classification c = classify("\xff\xfe caf\xc3", *content, hints("de"));
  CHECK(c.topic == "unknown");
  CHECK(c.node.empty());
  CHECK(c.language == "de");
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK(is_valid_utf8("Română"));
}

TEST_CASE("the engine: a new conversation's question is answered in its language") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  Turn turn = respond(ConversationState{}, text("I lost my milieupas"), *content, kNow);
  CHECK(turn.state.language == "en");
  CHECK(turn.state.node == "waste_lost");
  REQUIRE(turn.replies.size() == 1);
  CHECK(turn.replies.front().language == "en");
  CHECK(turn.replies.front().text == content->render(node_text_key("waste_lost"), "en")->text);

  // Switching: the language left becomes the second language.
  turn =
      respond(turn.state, text("cum ma inregistrez la gemeente, ce acte trebuie"), *content, kNow);
  CHECK(turn.state.language == "ro");
  CHECK(turn.state.second_language == "en");
  CHECK(content->node(turn.state.node)->topic == "brp");
  // A short message keeps it.
  turn = respond(turn.state, text("ok"), *content, kNow);
  CHECK(turn.state.language == "ro");
  // Naming a language switches and welcomes.
  turn = respond(turn.state, text("English please"), *content, kNow);
  CHECK(turn.state.language == "en");
  CHECK(turn.replies.front().text == content->render(message_key("welcome"), "en")->text);
  // The phone number's country for a first message that says nothing.
  turn = respond(ConversationState{}, text("1", "", "+40712345678"), *content, kNow);
  CHECK(turn.state.language == "ro");
  CHECK(turn.state.node == "brp");
}

TEST_CASE("the engine: the safety override works in any state and hands over") {
  const auto content = mini();
  for (std::string node : {"", "root", "waste", "waste_bulky", "human", "safety_help"}) {
    CAPTURE(node);
    for (std::string message :
         {"help", "ze hebben mijn paspoort afgepakt!", "They took my passport"}) {
      CAPTURE(message);
      const Turn turn = respond(at("nl", node), text(message), *content, kNow);
      CHECK(turn.state.node == "safety_help");
      REQUIRE(turn.replies.size() == 1);
      CHECK(turn.replies.front().text.find("112") != std::string::npos);
      REQUIRE(turn.actions.size() == 1);
      CHECK(turn.actions.front().kind == Action::Kind::hand_over);
      CHECK(turn.actions.front().reason == "safety");
    }
  }
  // After it, free text waits for the person; the menu still works.
  Turn turn = respond(at("nl", "safety_help"), text("ik ben bang"), *content, kNow);
  CHECK(turn.actions.front().reason == "message_for_person");
  turn = respond(turn.state, text("0"), *content, kNow);
  CHECK(turn.state.node == "root");
  // "help" inside a longer question is no emergency.
  turn =
      respond(at("en", "root"), text("help me find a place for my old mattress"), *content, kNow);
  CHECK(turn.state.node == "waste_bulky");
  CHECK(turn.actions.empty());
}

TEST_CASE("the engine: greetings welcome, questions answer, nonsense misses") {
  const auto content = mini();
  Turn turn = respond(at("nl", "waste"), text("Hallo!"), *content, kNow);
  CHECK(turn.state.node == "root");
  CHECK(turn.replies.front().text == "Welkom.");
  CHECK(turn.state.misses == 0);
  turn = respond(at("nl", "root"), text("hallo, ik ben mijn milieupas kwijt"), *content, kNow);
  CHECK(turn.state.node == "waste_lost");
  turn = respond(at("nl", "root"), text("waar moet mijn oude matras heen"), *content, kNow);
  CHECK(turn.state.node == "waste_bulky");
  CHECK(turn.replies.front().buttons.size() == 1);
  CHECK(turn.replies.front().buttons.front().id == "waste");
  turn = respond(at("nl", "root"), text("ik wil een mens spreken"), *content, kNow);
  CHECK(turn.state.node == "human");
  CHECK(turn.actions.front().reason == "requested");
  turn = respond(at("nl", "root"), text("blauwe olifanten dansen"), *content, kNow);
  CHECK(turn.state.misses == 1);
  CHECK(turn.replies.front().text == "Dat begreep ik niet.");
}

TEST_CASE("classify() gives the same answers from many threads") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::array<std::string_view, 6> messages = {
      "I lost my milieupas", "kak da se registriram", "我想登记",
      "پاسپورت من کجاست",    "they took my passport", "cum ma inregistrez la gemeente"};
  std::array<Classification, 6> expected;
  for (std::size_t i = 0; i < messages.size(); ++i) expected[i] = classify(messages[i], *content);
  std::array<int, 4> mismatches{};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < 60; ++i) {
        const std::size_t m = (t + i) % messages.size();
        const Classification got = classify(messages[m], *content);
        if (got.language != expected[m].language || got.node != expected[m].node ||
            got.confidence != expected[m].confidence) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(mismatches == std::array<int, 4>{});
}

}  // namespace
}  // namespace buurtlijn::dialogs
