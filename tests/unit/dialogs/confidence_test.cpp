// Unit tests of the intent confidence and what the threshold does with it: the calibrated
// curve, off-topic and nonsense messages coming out `unknown` below the threshold,
// residents' reports told from waste questions, a person at the gemeente told from the
// BRP, and the engine's answer to a message below the threshold (said in the user's
// language, the main menu with the button to a person, a hand-over after two in a row).
#include <doctest/doctest.h>

#include <algorithm>
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

std::string text_of(const Content& content, const std::string& key, std::string_view language) {
  const auto rendered = content.render(key, language);
  REQUIRE(rendered.has_value());
  return rendered->text;
}

std::vector<std::string> button_ids(const Reply& reply) {
  std::vector<std::string> ids;
  for (const Button& button : reply.buttons) ids.push_back(button.id);
  return ids;
}

TEST_CASE("the confidence curve: strictly between 0 and 1, rising, one half at the threshold") {
  double previous = 0;
  for (int step = -20; step <= 100; ++step) {
    const double score = step * 0.05;
    const double confidence = calibrated_confidence(score);
    CHECK(confidence > 0.0);
    CHECK(confidence < 1.0);
    CHECK(confidence >= previous);
    previous = confidence;
  }
  CHECK(calibrated_confidence(kUnderstoodScore) == doctest::Approx(kUnderstoodThreshold));
  CHECK(calibrated_confidence(kUnderstoodScore - 0.01) < kUnderstoodThreshold);
  CHECK(calibrated_confidence(1.0) > 0.9);
}

TEST_CASE("every classification has a confidence strictly between 0 and 1") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (std::string_view message :
       {"", "ok", "1", "hallo", "help", "they took my passport", "how do i get a bsn",
        "qwrtz plmkj", "will it snow on friday", "👍", "BSN", "mijn verhuurder houdt de borg"}) {
    CAPTURE(message);
    const Classification got = classify(message, *content);
    CHECK(got.confidence > 0.0);
    CHECK(got.confidence < 1.0);
    // Understood exactly when the confidence reaches the threshold (rule-based answers
    // such as greetings and safety are sure).
    CHECK((got.node.empty() == (got.confidence < kUnderstoodThreshold)));
  }
}

TEST_CASE("off-topic and nonsense messages are unknown, below the threshold") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  // Not in the catalogs' off-topic phrases: the weather, sport and jokes in other words.
  for (std::string_view message :
       {"who will win the champions league", "wie wint vanavond de wedstrijd",
        "wer gewinnt die bundesliga", "يا ترى مين رح يربح كاس العالم", "明天会不会下雪",
        "qwrtz plmkj", "zzzz xxxx yyyy"}) {
    CAPTURE(message);
    const Classification got = classify(message, *content);
    CHECK(got.topic == "unknown");
    CHECK(got.node.empty());
    CHECK(got.confidence < kUnderstoodThreshold);
  }
}

TEST_CASE("a resident's report is a report, a question about waste is waste") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"my neighbours left an old fridge on the pavement", "report"},
      {"buren zetten steeds vuilniszakken naast de container", "report"},
      {"vecinii au lasat un frigider vechi pe trotuar", "report"},
      {"sasiad wystawil stara lodowke na chodnik", "report"},
      {"la vecina dejo una nevera vieja en la acera", "report"},
      {"съседът остави стар хладилник на тротоара", "report"},
      {"how does bulky waste work here", "waste"},
      {"cum functioneaza cu gunoiul mare aici", "waste"},
      {"como funciona lo de los muebles viejos aqui", "waste"},
      {"jak dziala wywoz duzych smieci", "waste"},
  };
  for (const auto& entry : cases) {
    const std::string_view message = entry.first;
    CAPTURE(message);
    const Classification got = classify(message, *content);
    CHECK(got.topic == entry.second);
    CHECK(got.confidence >= kUnderstoodThreshold);
  }
}

TEST_CASE("someone from the gemeente is a person to talk to, not the BRP") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (std::string_view message :
       {"I want to talk to someone from the gemeente", "ik wil iemand van de gemeente spreken",
        "vreau sa vorbesc cu cineva de la gemeente", "chce rozmawiac z kims z gemeente",
        "quiero hablar con alguien de la gemeente", "искам да говоря с някой от общината"}) {
    CAPTURE(message);
    const Classification got = classify(message, *content);
    CHECK(got.topic == "human");
    CHECK(got.node == "human");
  }
}

TEST_CASE(
    "the engine: below the threshold it says so, shows the menu and a person; two hand over") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::vector<std::string> main_menu = content->root().children;
  REQUIRE(std::find(main_menu.begin(), main_menu.end(), "human") != main_menu.end());

  // An off-topic message in Romanian ("know a good joke?"), from an answer node.
  Turn turn = respond(at("ro", "brp_bsn"), text("stii vreun banc bun"), *content, kNow);
  REQUIRE(turn.replies.size() == 1);
  CHECK(turn.replies.front().text == text_of(*content, message_key("not_understood"), "ro"));
  CHECK(turn.replies.front().language == "ro");
  CHECK(button_ids(turn.replies.front()) == main_menu);
  CHECK(turn.state.misses == 1);
  CHECK(turn.actions.empty());

  // A second one in a row: handed over to the Buurtmaker, still in Romanian.
  turn = respond(turn.state, text("spune-mi ceva amuzant despre pisici"), *content, kNow);
  REQUIRE(turn.replies.size() == 1);
  CHECK(turn.replies.front().text == text_of(*content, message_key("handed_over"), "ro"));
  REQUIRE(turn.actions.size() == 1);
  CHECK(turn.actions.front().kind == Action::Kind::hand_over);
  CHECK(turn.actions.front().reason == "two_misses");
  CHECK(turn.state.language == "ro");

  // An understood question in between resets the count.
  turn = respond(at("ro", "root"), text("stii vreun banc bun"), *content, kNow);
  CHECK(turn.state.misses == 1);
  turn = respond(turn.state, text("cum ma inregistrez la gemeente"), *content, kNow);
  CHECK(turn.state.misses == 0);
  CHECK(turn.actions.empty());
}

}  // namespace
}  // namespace buurtlijn::dialogs
