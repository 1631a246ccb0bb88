// Unit tests of dialogs/engine: respond() on the real content: welcome and menu per
// language, right-to-left replies, menu numbers and words, misses and hand-over, the
// fallback flag, and determinism. Free text (language switching, questions, safety) is
// in understanding_test.cpp.
#include "dialogs/engine.hpp"

#include <doctest/doctest.h>

#include <chrono>

#include "tests/unit/dialogs/content_fixture.hpp"

namespace buurtlijn::dialogs {
namespace {

using testing::Files;
using testing::locale_files;
using testing::real_content;
using testing::remove_node_field;

constexpr std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days(std::chrono::year(2026) / 3 / 2) + std::chrono::hours(9);

InboundEvent text(std::string message, std::string hint = {}) {
  InboundEvent event;
  event.kind = InboundEvent::Kind::text;
  event.text = std::move(message);
  event.language_hint = std::move(hint);
  return event;
}

InboundEvent choice(std::string id) {
  InboundEvent event;
  event.kind = InboundEvent::Kind::choice;
  event.choice_id = std::move(id);
  return event;
}

InboundEvent language_choice(std::string code) {
  InboundEvent event;
  event.kind = InboundEvent::Kind::language_choice;
  event.language = std::move(code);
  return event;
}

ConversationState at(std::string language, std::string node, int misses = 0) {
  ConversationState state;
  state.language = std::move(language);
  state.node = std::move(node);
  state.misses = misses;
  return state;
}

std::string label(const Content& content, std::string_view node, std::string_view language) {
  return content.render(node_label_key(node), language)->text;
}

std::string text_of(const Content& content, const std::string& key, std::string_view language) {
  return content.render(key, language)->text;
}

std::vector<std::string> button_ids(const Reply& reply) {
  std::vector<std::string> ids;
  for (const Button& button : reply.buttons) ids.push_back(button.id);
  return ids;
}

const std::vector<std::string>& main_menu() {
  static const std::vector<std::string> ids = {"brp",   "waste",    "tenant", "report",
                                               "human", "language", "privacy"};
  return ids;
}

TEST_CASE("a language choice answers with the welcome and the main menu in that language") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const Turn turn = respond(ConversationState{}, language_choice("ro"), *content, kNow);
  CHECK(turn.state.language == "ro");
  CHECK(turn.state.node == "root");
  CHECK(turn.state.misses == 0);
  CHECK(turn.actions.empty());
  REQUIRE(turn.replies.size() == 1);
  const Reply& reply = turn.replies.front();
  CHECK(reply.language == "ro");
  CHECK_FALSE(reply.right_to_left);
  CHECK_FALSE(reply.fallback);
  CHECK(reply.text.find("Bun venit la Buurtlijn") != std::string::npos);
  CHECK(reply.text.find("primăriei (gemeente) Deventer") != std::string::npos);
  CHECK(button_ids(reply) == main_menu());
  REQUIRE(reply.buttons.size() == 7);
  CHECK(reply.buttons[0].label == "Înregistrare (BRP)");
  CHECK(reply.buttons[1].label == "Deșeuri, milieupas");
  CHECK(reply.buttons[4].label == "Vorbiți cu cineva");
}

TEST_CASE("every language welcomes in its own language with its own labels") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (const LanguageInfo& language : content->languages()) {
    CAPTURE(language.code);
    const Turn turn = respond(ConversationState{}, language_choice(language.code), *content, kNow);
    REQUIRE(turn.replies.size() == 1);
    const Reply& reply = turn.replies.front();
    CHECK(reply.language == language.code);
    CHECK(reply.right_to_left == language.right_to_left);
    CHECK(reply.text == text_of(*content, message_key("welcome"), language.code));
    REQUIRE(reply.buttons.size() == main_menu().size());
    for (std::size_t i = 0; i < main_menu().size(); ++i) {
      CHECK(reply.buttons[i].label == label(*content, main_menu()[i], language.code));
    }
  }
}

TEST_CASE("ar and fa replies are right to left, also for answers") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (std::string code : {"ar", "fa"}) {
    CAPTURE(code);
    Turn turn = respond(ConversationState{}, language_choice(code), *content, kNow);
    CHECK(turn.replies.front().right_to_left);
    turn = respond(turn.state, choice("brp"), *content, kNow);
    REQUIRE(turn.replies.size() == 1);
    CHECK(turn.replies.front().right_to_left);
    CHECK(turn.replies.front().language == code);
  }
  CHECK_FALSE(
      respond(at("nl", "root"), choice("brp"), *content, kNow).replies.front().right_to_left);
}

TEST_CASE("the language comes from the state, else the channel's hint, else Dutch") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  Turn turn = respond(ConversationState{}, text("Bună ziua", "ro-RO,ro;q=0.9,en-US;q=0.8,en;q=0.7"),
                      *content, kNow);
  CHECK(turn.state.language == "ro");
  CHECK(turn.state.second_language == "en");
  REQUIRE(turn.replies.size() == 1);
  CHECK(turn.replies.front().text == text_of(*content, message_key("welcome"), "ro"));
  CHECK(button_ids(turn.replies.front()) == main_menu());

  CHECK(respond(ConversationState{}, text("hi", "pt-BR"), *content, kNow).state.language == "pt");
  CHECK(respond(ConversationState{}, text("hi", "en;q=0.5, uk"), *content, kNow).state.language ==
        "uk");
  CHECK(respond(ConversationState{}, text("hi", "he-IL,ar;q=0.8"), *content, kNow).state.language ==
        "ar");
  CHECK(respond(ConversationState{}, text("hi", "xx"), *content, kNow).state.language == "nl");
  CHECK(respond(ConversationState{}, text("hi"), *content, kNow).state.language == "nl");
  // A language already in use wins over the hint; an unknown one is replaced.
  CHECK(respond(at("bg", "root"), text("0", "ro"), *content, kNow).state.language == "bg");
  CHECK(respond(at("xx", "root"), text("0", "ro"), *content, kNow).state.language == "ro");
  // An unsupported pick keeps the language.
  CHECK(respond(at("de", "root"), language_choice("he"), *content, kNow).state.language == "de");
  CHECK(respond(at("de", "root"), language_choice("fa-IR"), *content, kNow).state.language == "fa");
}

TEST_CASE("a choice answers the node: an answer with a button back, a menu with its children") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  Turn turn = respond(at("en", "root"), choice("waste_lost"), *content, kNow);
  CHECK(turn.state.node == "waste_lost");
  REQUIRE(turn.replies.size() == 1);
  CHECK(turn.replies.front().text == text_of(*content, node_text_key("waste_lost"), "en"));
  REQUIRE(turn.replies.front().buttons.size() == 1);
  CHECK(turn.replies.front().buttons.front().id == "waste");
  CHECK(turn.replies.front().buttons.front().label == label(*content, "waste", "en"));
  CHECK(turn.actions.empty());

  // A menu shows its children; the topic menus sit under the main menu.
  turn = respond(turn.state, choice("brp"), *content, kNow);
  CHECK(turn.state.node == "brp");
  CHECK(button_ids(turn.replies.front()) == content->node("brp")->children);
  REQUIRE(button_ids(turn.replies.front()).size() == 10);
  CHECK(button_ids(turn.replies.front())[6] == "brp_changes");
  // A top-level answer has the main menu as its button back.
  turn = respond(turn.state, choice("language"), *content, kNow);
  REQUIRE(turn.replies.front().buttons.size() == 1);
  CHECK(turn.replies.front().buttons.front().id == "root");
  CHECK(turn.replies.front().buttons.front().label == "Main menu");

  turn = respond(turn.state, choice("root"), *content, kNow);
  CHECK(turn.state.node == "root");
  CHECK(turn.replies.front().text == text_of(*content, node_text_key("root"), "en"));
  CHECK(button_ids(turn.replies.front()) == main_menu());

  // A button from an older version of the content shows the main menu.
  turn = respond(at("en", "brp"), choice("jobs"), *content, kNow);
  CHECK(turn.state.node == "root");
  CHECK(button_ids(turn.replies.front()) == main_menu());
  CHECK(turn.state.misses == 0);
}

TEST_CASE("choosing a person hands the conversation over; later text waits for the person") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  Turn turn = respond(at("uk", "root"), choice("human"), *content, kNow);
  CHECK(turn.state.node == "human");
  CHECK(turn.replies.front().text == text_of(*content, node_text_key("human"), "uk"));
  REQUIRE(turn.actions.size() == 1);
  CHECK(turn.actions.front().kind == Action::Kind::hand_over);
  CHECK(turn.actions.front().reason == "requested");

  for (int i = 0; i < 3; ++i) {
    turn = respond(turn.state, text("Мій орендодавець не дає мені milieupas"), *content, kNow);
    CHECK(turn.state.node == "human");
    CHECK(turn.state.misses == 0);
    CHECK(turn.replies.front().text == text_of(*content, message_key("waiting_for_person"), "uk"));
    REQUIRE(turn.actions.size() == 1);
    CHECK(turn.actions.front().reason == "message_for_person");
  }
  // A number that is no button goes to the person too; 1 is the button back.
  turn = respond(turn.state, text("12"), *content, kNow);
  CHECK(turn.state.node == "human");
  CHECK(turn.state.misses == 0);
  CHECK(turn.actions.front().reason == "message_for_person");
  turn = respond(turn.state, text("0"), *content, kNow);
  CHECK(turn.state.node == "root");
  CHECK(turn.actions.empty());
}

TEST_CASE("a number picks the n-th button of the current node") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (std::size_t i = 0; i < main_menu().size(); ++i) {
    CAPTURE(i);
    const Turn turn = respond(at("nl", "root"), text(std::to_string(i + 1)), *content, kNow);
    CHECK(turn.state.node == main_menu()[i]);
    CHECK(turn.replies.front().text == text_of(*content, node_text_key(main_menu()[i]), "nl"));
  }
  CHECK(respond(at("ar", "root"), text("٣"), *content, kNow).state.node ==
        "tenant");  // Arabic-Indic
  CHECK(respond(at("fa", "root"), text("۷"), *content, kNow).state.node == "privacy");  // Persian
  CHECK(respond(at("zh", "root"), text("２"), *content, kNow).state.node == "waste");  // full-width
  CHECK(respond(at("en", "root"), text(" 4. "), *content, kNow).state.node == "report");
  // A new conversation counts from the main menu.
  CHECK(respond(ConversationState{}, text("1"), *content, kNow).state.node == "brp");
  // In a topic menu, the numbers pick its questions.
  CHECK(respond(at("en", "waste"), text("3"), *content, kNow).state.node == "waste_lost");
  CHECK(respond(at("en", "brp"), text("10"), *content, kNow).state.node == "brp_group");
  CHECK(respond(at("en", "brp_changes"), text("2"), *content, kNow).state.node == "brp_moving");
  // From an answer, 1 is the button back to its menu.
  const Turn back = respond(at("en", "waste_lost"), text("1"), *content, kNow);
  CHECK(back.state.node == "waste");
  CHECK(button_ids(back.replies.front()) == content->node("waste")->children);
  CHECK(respond(at("en", "language"), text("1"), *content, kNow).state.node == "root");
  // Out of range: not understood.
  const Turn out = respond(at("en", "root"), text("8"), *content, kNow);
  CHECK(out.state.misses == 1);
  CHECK(out.replies.front().text == text_of(*content, message_key("not_understood"), "en"));
  CHECK(respond(at("en", "waste_lost"), text("2"), *content, kNow).state.misses == 1);
}

TEST_CASE("menu, 0, start and the word in the language show the main menu from any node") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (const Node& node : content->nodes()) {
    for (std::string word : {"menu", "0", "start", "MENU!", "meniu", "Menü", "меню", "القائمة",
                             "菜单", "۰", "/start"}) {
      CAPTURE(node.id);
      CAPTURE(word);
      const Turn turn = respond(at("ro", node.id, 1), text(word), *content, kNow);
      CHECK(turn.state.node == "root");
      CHECK(turn.state.misses == 0);
      CHECK(turn.state.language == "ro");
      REQUIRE(turn.replies.size() == 1);
      CHECK(turn.replies.front().text == text_of(*content, node_text_key("root"), "ro"));
      CHECK(button_ids(turn.replies.front()) == main_menu());
      CHECK(turn.actions.empty());
    }
  }
  // The first message of a conversation gets the welcome instead.
  const Turn first = respond(ConversationState{}, text("/start", "ti"), *content, kNow);
  CHECK(first.replies.front().text == text_of(*content, message_key("welcome"), "ti"));
}

TEST_CASE("typing a language's own name switches to it") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (std::string name : {"Română", "romana", "ROMANA"}) {
    const Turn turn = respond(at("nl", "brp"), text(name), *content, kNow);
    CHECK(turn.state.language == "ro");
    CHECK(turn.replies.front().text == text_of(*content, message_key("welcome"), "ro"));
  }
  CHECK(respond(at("nl", "root"), text("فارسي"), *content, kNow).state.language == "fa");
  CHECK(respond(at("nl", "root"), text("ትግርኛ"), *content, kNow).state.language == "ti");
}

TEST_CASE("two misses in a row hand the conversation over, then the count starts again") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  Turn turn = respond(at("pl", "brp"), text("qwrtz plmkj"), *content, kNow);
  CHECK(turn.state.misses == 1);
  CHECK(turn.state.node == "root");
  CHECK(turn.actions.empty());
  REQUIRE(turn.replies.size() == 1);
  CHECK(turn.replies.front().text == text_of(*content, message_key("not_understood"), "pl"));
  CHECK(button_ids(turn.replies.front()) == main_menu());

  turn = respond(turn.state, text("???? zzxq"), *content, kNow);
  CHECK(turn.state.misses == 0);
  REQUIRE(turn.actions.size() == 1);
  CHECK(turn.actions.front().kind == Action::Kind::hand_over);
  CHECK(turn.actions.front().reason == "two_misses");
  CHECK(turn.replies.front().text == text_of(*content, message_key("handed_over"), "pl"));
  CHECK(button_ids(turn.replies.front()) == main_menu());

  turn = respond(turn.state, text("xyzzy"), *content, kNow);
  CHECK(turn.state.misses == 1);
  CHECK(turn.actions.empty());

  // A successful pick in between resets the count.
  turn = respond(turn.state, text("2"), *content, kNow);
  CHECK(turn.state.misses == 0);
  turn = respond(turn.state, text("xyzzy"), *content, kNow);
  CHECK(turn.state.misses == 1);
  CHECK(turn.actions.empty());
}

TEST_CASE("a reply from a fallback language says so") {
  Files files = locale_files();
  remove_node_field(files, "ro", "brp", "text");
  remove_node_field(files, "ro", "waste", "label");
  const auto parsed = parse_content(files);
  REQUIRE(parsed.has_value());
  const Content& content = **parsed;

  ConversationState state = at("ro", "root");
  state.second_language = "bg";
  Turn turn = respond(state, choice("brp"), content, kNow);
  CHECK(turn.replies.front().language == "bg");
  CHECK(turn.replies.front().fallback);
  turn = respond(at("ro", "root"), choice("brp"), content, kNow);
  CHECK(turn.replies.front().language == "en");
  CHECK(turn.replies.front().fallback);
  // A label from a fallback language flags the reply too.
  turn = respond(at("ro", "brp"), text("0"), content, kNow);
  CHECK(turn.replies.front().language == "ro");
  CHECK(turn.replies.front().buttons[1].label == "Waste & milieupas");
  CHECK(turn.replies.front().fallback);
}

TEST_CASE("the same inputs give the same turn") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::vector<InboundEvent> events = {text("hallo", "bg"),
                                            choice("waste"),
                                            text("3"),
                                            text("nonsense"),
                                            text("more nonsense"),
                                            language_choice("ti"),
                                            text("5"),
                                            text("question"),
                                            text("ምስ ሰብ"),
                                            text("0")};
  auto run = [&] {
    std::vector<Turn> turns;
    ConversationState state;
    for (const InboundEvent& event : events) {
      turns.push_back(respond(state, event, *content, kNow));
      state = ConversationState::parse(turns.back().state.serialize());
    }
    return turns;
  };
  const std::vector<Turn> first = run();
  const std::vector<Turn> second = run();
  CHECK(first == second);
  // The clock does not matter (yet): another time gives the same turn.
  CHECK(respond(at("en", "root"), text("1"), *content, kNow) ==
        respond(at("en", "root"), text("1"), *content, kNow + std::chrono::hours(24 * 400)));
}

}  // namespace
}  // namespace buurtlijn::dialogs
