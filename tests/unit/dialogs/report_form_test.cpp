// Unit tests of the report form (dialogs/report_form.hpp) on the real content: every
// step, numbered choices and buttons, skip, "0" back to the menu, the sensitive
// category's help numbers, invalid locations, the create_report action, and the form
// state surviving serialization between turns.
#include "dialogs/report_form.hpp"

#include <doctest/doctest.h>

#include <chrono>

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

InboundEvent choice(std::string id) {
  InboundEvent event;
  event.kind = InboundEvent::Kind::choice;
  event.choice_id = std::move(id);
  return event;
}

InboundEvent pin(double latitude, double longitude) {
  InboundEvent event;
  event.kind = InboundEvent::Kind::text;
  event.has_location = true;
  event.latitude = latitude;
  event.longitude = longitude;
  return event;
}

InboundEvent photo(std::string ref) {
  InboundEvent event;
  event.kind = InboundEvent::Kind::text;
  event.media_ref = std::move(ref);
  return event;
}

std::string message(const Content& content, std::string_view id, std::string_view language) {
  return content.render(message_key(id), language)->text;
}

// One turn, with the state stored and read back as the gateway does.
Turn step(const Content& content, const ConversationState& state, const InboundEvent& event) {
  const ConversationState stored = ConversationState::parse(state.serialize());
  REQUIRE(stored == state);
  return respond(stored, event, content, kNow);
}

ConversationState in_language(std::string language) {
  ConversationState state;
  state.language = std::move(language);
  state.node = "root";
  return state;
}

TEST_CASE("report form: waste beside a container, by numbers, with a pin and a photo") {
  const auto content = real_content();
  REQUIRE(content);
  Turn turn = step(*content, in_language("ro"), choice("report"));
  REQUIRE(turn.replies.size() == 2);
  CHECK(turn.replies[0].text == content->render(node_text_key("report"), "ro")->text);
  CHECK(turn.replies[1].text == message(*content, "report_ask_category", "ro"));
  REQUIRE(turn.replies[1].buttons.size() == 7);
  CHECK(turn.replies[1].buttons[0].id == "report_waste_beside_container");
  CHECK(turn.replies[1].buttons[0].label ==
        message(*content, "report_waste_beside_container", "ro"));
  CHECK(turn.state.report.step == "category");

  turn = step(*content, turn.state, text("1"));
  CHECK(turn.state.report.category == "waste_beside_container");
  REQUIRE(turn.replies.size() == 1);
  CHECK(turn.replies[0].text == message(*content, "report_ask_fraction", "ro"));
  CHECK(turn.replies[0].buttons.size() == 5);

  turn = step(*content, turn.state, text("3"));
  CHECK(turn.state.report.fraction == "glass");
  CHECK(turn.replies[0].text == message(*content, "report_ask_location", "ro"));

  turn = step(*content, turn.state, pin(52.2466, 6.1686));
  CHECK(turn.state.report.has_location);
  CHECK(turn.state.report.latitude == doctest::Approx(52.2466));
  CHECK(turn.replies[0].text == message(*content, "report_ask_photo", "ro"));

  turn = step(*content, turn.state, photo("wamid-media-77"));
  CHECK(turn.state.report.photo_ref == "wamid-media-77");
  CHECK(turn.replies[0].text == message(*content, "report_ask_description", "ro"));

  turn = step(*content, turn.state, text("Saci de trei zile lângă container"));
  CHECK(turn.state.report.description == "Saci de trei zile lângă container");
  CHECK(turn.replies[0].text == message(*content, "report_ask_updates", "ro"));
  REQUIRE(turn.replies[0].buttons.size() == 2);

  turn = step(*content, turn.state, text("1"));
  CHECK(turn.replies.empty());  // the gateway replies with the number
  REQUIRE(turn.actions.size() == 1);
  const Action& action = turn.actions[0];
  CHECK(action.kind == Action::Kind::create_report);
  CHECK(action.wants_updates);
  CHECK(action.report.category == "waste_beside_container");
  CHECK(action.report.fraction == "glass");
  CHECK(action.report.photo_ref == "wamid-media-77");
  CHECK(action.report.step.empty());
  CHECK(turn.state.report.step.empty());
  CHECK(turn.state.language == "ro");
}

TEST_CASE("report form: buttons, skips, a typed postcode and anonymous") {
  const auto content = real_content();
  REQUIRE(content);
  Turn turn = step(*content, in_language("en"), choice("report"));
  turn = step(*content, turn.state, choice("report_noise"));
  CHECK(turn.state.report.category == "noise");
  CHECK(turn.state.report.step == "location");
  turn = step(*content, turn.state, text("7411 AB 12"));
  CHECK(turn.state.report.address == "7411 AB 12");
  turn = step(*content, turn.state, choice("report_skip"));
  CHECK(turn.state.report.step == "description");
  turn = step(*content, turn.state, text("1"));  // 1 = the only option: skip
  CHECK(turn.state.report.step == "updates");
  CHECK(turn.state.report.description.empty());
  turn = step(*content, turn.state, choice("report_anonymous"));
  REQUIRE(turn.actions.size() == 1);
  CHECK_FALSE(turn.actions[0].wants_updates);
  CHECK(turn.actions[0].report.address == "7411 AB 12");
  CHECK(turn.actions[0].report.photo_ref.empty());
}

TEST_CASE("report form: the room-rental questions, answered or skipped") {
  const auto content = real_content();
  REQUIRE(content);
  Turn turn = step(*content, in_language("nl"), choice("report"));
  turn = step(*content, turn.state, text("5"));
  CHECK(turn.state.report.category == "overcrowded_housing");
  CHECK(turn.replies[0].text == message(*content, "report_ask_housing", "nl"));
  turn = step(*content, turn.state, text("12 mensen, sinds maart, elke week nieuwe"));
  CHECK(turn.state.report.details == "12 mensen, sinds maart, elke week nieuwe");
  CHECK(turn.state.report.step == "location");

  turn = step(*content, in_language("nl"), choice("report"));
  turn = step(*content, turn.state, choice("report_overcrowded_housing"));
  turn = step(*content, turn.state, choice("report_skip"));
  CHECK(turn.state.report.details.empty());
  CHECK(turn.state.report.step == "location");
}

TEST_CASE("report form: exploitation gives the help numbers at once") {
  const auto content = real_content();
  REQUIRE(content);
  for (const char* language : {"nl", "bg", "ar"}) {
    CAPTURE(language);
    Turn turn = step(*content, in_language(language), choice("report"));
    turn = step(*content, turn.state, text("6"));
    CHECK(turn.state.report.category == "exploitation");
    REQUIRE(turn.replies.size() == 2);
    CHECK(turn.replies[0].text == content->render(node_text_key("safety_help"), language)->text);
    CHECK(turn.replies[1].text == message(*content, "report_ask_location", language));
    CHECK(turn.replies[0].right_to_left == (std::string_view(language) == "ar"));
  }
}

TEST_CASE("report form: invalid answers ask again; 0 leaves the form") {
  const auto content = real_content();
  REQUIRE(content);
  Turn turn = step(*content, in_language("en"), choice("report"));
  const ConversationState at_category = turn.state;
  turn = step(*content, at_category, text("9"));
  CHECK(turn.state.report.step == "category");
  CHECK(turn.replies[0].text == message(*content, "report_ask_category", "en"));

  turn = step(*content, at_category, text("4"));
  turn = step(*content, turn.state, text("somewhere near the park"));
  CHECK(turn.state.report.step == "location");
  CHECK(turn.replies[0].text == message(*content, "report_location_invalid", "en"));
  turn = step(*content, turn.state, text("Brinkgreverweg 12"));
  CHECK(turn.state.report.step == "photo");
  turn = step(*content, turn.state, text("no"));
  CHECK(turn.state.report.step == "photo");

  turn = step(*content, turn.state, text("0"));
  CHECK(turn.state.report.step.empty());
  CHECK(turn.state.node == "root");
  CHECK(turn.actions.empty());
  CHECK(turn.replies[0].text == content->render(node_text_key("root"), "en")->text);
}

TEST_CASE("report form: addresses and postcodes") {
  CHECK(looks_like_address("7411 AB 12"));
  CHECK(looks_like_address("7411AB 12a"));
  CHECK(looks_like_address("Brinkgreverweg 12, Deventer"));
  CHECK(looks_like_address("Hoge Hondstraat 3"));
  CHECK_FALSE(looks_like_address("7411 AB"));
  CHECK_FALSE(looks_like_address("near the park"));
  CHECK_FALSE(looks_like_address("12"));
  CHECK_FALSE(looks_like_address(""));
}

TEST_CASE("report form: a broken form state starts the conversation over") {
  const ConversationState parsed = ConversationState::parse(
      R"({"v":1,"language":"en","second_language":"","node":"report","misses":0,"report":{"step":1}})");
  CHECK(parsed == ConversationState{});
}

}  // namespace
}  // namespace buurtlijn::dialogs
