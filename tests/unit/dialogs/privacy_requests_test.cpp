// Unit tests of the privacy requests in the chat (dialogs/privacy_requests.hpp) on the
// real content: "what do you store about me" yields the privacy_summary action and the
// summary reply renders the counts in the person's language (plural forms, right to
// left); "delete my data" asks yes/no first, in every language, and only a yes (button,
// 1, or a yes word) yields the erase action; a no or anything else erases nothing.
#include "dialogs/privacy_requests.hpp"

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

ConversationState at(std::string language, std::string node) {
  ConversationState state;
  state.language = std::move(language);
  state.node = std::move(node);
  return state;
}

// One turn, with the state stored and read back as the gateway does.
Turn step(const Content& content, const ConversationState& state, const InboundEvent& event) {
  const ConversationState stored = ConversationState::parse(state.serialize());
  REQUIRE(stored == state);
  return respond(stored, event, content, kNow);
}

bool has_action(const Turn& turn, Action::Kind kind) {
  for (const Action& action : turn.actions) {
    if (action.kind == kind) return true;
  }
  return false;
}

std::string message(const Content& content, std::string_view id, std::string_view language) {
  return content.render(message_key(id), language)->text;
}

struct Answers {
  const char* language;
  const char* yes;
  const char* no;
};

// A yes and a no as people type them, one pair per language.
constexpr Answers kAnswers[] = {
    {"nl", "Ja", "nee"},    {"en", "yes", "No"},  {"bg", "да", "Не"},   {"ro", "Da", "nu"},
    {"uk", "Так", "ні"},    {"de", "ja", "Nein"}, {"fr", "Oui", "non"}, {"es", "sí", "No"},
    {"it", "si", "no"},     {"pt", "sim", "não"}, {"ar", "نعم", "لا"},  {"pl", "Tak", "nie"},
    {"zh", "是的", "不要"}, {"fa", "بله", "نه"},  {"hi", "हाँ", "नहीं"},  {"ti", "እወ", "ኣይፋል"},
};

TEST_CASE("privacy: the privacy menu offers the summary and the erasure") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const Turn turn = step(*content, at("en", "root"), choice("privacy"));
  REQUIRE(turn.replies.size() == 1);
  REQUIRE(turn.replies.front().buttons.size() == 2);
  CHECK(turn.replies.front().buttons[0].id == kPrivacySummaryNodeId);
  CHECK(turn.replies.front().buttons[1].id == kPrivacyEraseNodeId);
  CHECK(turn.actions.empty());
}

TEST_CASE("privacy: 'what do you store about me' asks the gateway for the summary") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::pair<const char*, const char*> asked[] = {
      {"en", "What do you store about me?"},
      {"ro", "ce date aveti despre mine"},
      {"ar", "ماذا تحفظون عني"},
      {"nl", "Wat bewaren jullie over mij?"},
  };
  for (const auto& [language, question] : asked) {
    CAPTURE(question);
    const Turn turn = step(*content, at(language, "root"), text(question));
    CHECK(turn.state.node == kPrivacySummaryNodeId);
    CHECK(turn.state.language == language);
    CHECK(has_action(turn, Action::Kind::privacy_summary));
    CHECK(turn.replies.empty());  // the gateway answers with the counts
  }
  // The button does the same, in every language.
  for (const LanguageInfo& language : content->languages()) {
    const Turn turn = step(*content, at(language.code, "privacy"), choice("privacy_summary"));
    CHECK(has_action(turn, Action::Kind::privacy_summary));
  }
}

TEST_CASE("privacy: the summary gives counts in the person's language, never texts") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  PrivacySummaryFacts facts;
  facts.messages = 14;
  facts.report_numbers = {4821};
  facts.contact_address = true;
  facts.subscribed = true;

  const Reply en = privacy_summary_reply(*content, at("en", "privacy_summary"), facts);
  CHECK(en.language == "en");
  CHECK_FALSE(en.fallback);
  CHECK(en.text.find("14 messages from you") != std::string::npos);
  CHECK(en.text.find("1 report (number 4821)") != std::string::npos);
  CHECK(en.text.find("You get news from us on this channel.") != std::string::npos);
  CHECK(en.text.find("phone number or chat id only to answer you") != std::string::npos);
  REQUIRE(en.buttons.size() == 2);
  CHECK(en.buttons[0].id == kPrivacyEraseNodeId);
  CHECK(en.buttons[1].id == content->root().id);

  PrivacySummaryFacts none;
  const Reply en_none = privacy_summary_reply(*content, at("en", "privacy_summary"), none);
  CHECK(en_none.text.find("no messages from you") != std::string::npos);
  CHECK(en_none.text.find("no reports") != std::string::npos);
  CHECK(en_none.text.find("You do not get news from us.") != std::string::npos);
  CHECK(en_none.text.find("We do not have your phone number.") != std::string::npos);

  // Romanian plurals: 1 mesaj, 14 mesaje, 25 de mesaje; two reports with both numbers.
  PrivacySummaryFacts ro_facts;
  ro_facts.messages = 1;
  CHECK(privacy_summary_reply(*content, at("ro", "privacy_summary"), ro_facts)
            .text.find("1 mesaj de la") != std::string::npos);
  ro_facts.messages = 14;
  ro_facts.report_numbers = {4821, 4822};
  const Reply ro = privacy_summary_reply(*content, at("ro", "privacy_summary"), ro_facts);
  CHECK(ro.language == "ro");
  CHECK(ro.text.find("14 mesaje") != std::string::npos);
  CHECK(ro.text.find("2 sesizări (numerele 4821, 4822)") != std::string::npos);
  ro_facts.messages = 25;
  CHECK(privacy_summary_reply(*content, at("ro", "privacy_summary"), ro_facts)
            .text.find("25 de mesaje") != std::string::npos);

  // Arabic: right to left, the report number kept as typed.
  const Reply ar = privacy_summary_reply(*content, at("ar", "privacy_summary"), facts);
  CHECK(ar.language == "ar");
  CHECK(ar.right_to_left);
  CHECK_FALSE(ar.fallback);
  CHECK(ar.text.find("4821") != std::string::npos);

  // Every language has it, without falling back.
  for (const LanguageInfo& language : content->languages()) {
    const Reply reply =
        privacy_summary_reply(*content, at(language.code, "privacy_summary"), facts);
    CAPTURE(language.code);
    CHECK(reply.language == language.code);
    CHECK_FALSE(reply.fallback);
    CHECK(reply.text.find("{") == std::string::npos);
  }
}

TEST_CASE("privacy: 'delete my data' asks first; yes erases, no keeps everything") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  // Free text: the question, never the erasure itself.
  const Turn asked = step(*content, at("en", "root"), text("please delete my data"));
  CHECK(asked.state.node == kPrivacyEraseNodeId);
  CHECK(asked.actions.empty());
  REQUIRE(asked.replies.size() == 1);
  REQUIRE(asked.replies.front().buttons.size() == 2);
  CHECK(asked.replies.front().buttons[0].id == "privacy_erase_yes");
  CHECK(asked.replies.front().buttons[1].id == "privacy_erase_no");
  CHECK(asked.replies.front().buttons[0].label == "Yes, delete");

  // Yes by button, by number and by word.
  for (const InboundEvent& yes : {choice("privacy_erase_yes"), text("1"), text("Yes")}) {
    const Turn turn = step(*content, asked.state, yes);
    CHECK(has_action(turn, Action::Kind::erase_personal_data));
    CHECK(turn.replies.empty());  // the gateway confirms after the erasure
  }
  // No by button, by number and by word: nothing erased, the main menu.
  for (const InboundEvent& no : {choice("privacy_erase_no"), text("2"), text("no thanks")}) {
    const Turn turn = step(*content, asked.state, no);
    CHECK(turn.actions.empty());
    REQUIRE(turn.replies.size() == 1);
    CHECK(turn.replies.front().text == message(*content, "privacy_erase_kept", "en"));
    CHECK(turn.replies.front().buttons.size() == content->root().children.size());
    CHECK(turn.state.node == content->root().id);
  }
  // Anything else is answered as usual and erases nothing.
  const Turn other = step(*content, asked.state, text("how do i register in the brp"));
  CHECK_FALSE(has_action(other, Action::Kind::erase_personal_data));
  CHECK(other.state.node != kPrivacyEraseNodeId);
  // A yes that comes later, outside the question, erases nothing either.
  CHECK_FALSE(
      has_action(step(*content, other.state, text("yes")), Action::Kind::erase_personal_data));
  // "0" leaves the question for the menu.
  const Turn menu = step(*content, asked.state, text("0"));
  CHECK(menu.actions.empty());
  CHECK(menu.state.node == content->root().id);
}

TEST_CASE("privacy: the confirmation in all 16 languages") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  REQUIRE(content->languages().size() == std::size(kAnswers));
  for (const Answers& answers : kAnswers) {
    CAPTURE(answers.language);
    const Turn asked =
        step(*content, at(answers.language, "privacy"), choice(std::string(kPrivacyEraseNodeId)));
    REQUIRE(asked.replies.size() == 1);
    const Reply& question = asked.replies.front();
    CHECK(question.language == answers.language);
    CHECK_FALSE(question.fallback);  // the text and both labels are translated
    CHECK(question.right_to_left == (answers.language == std::string_view("ar") ||
                                     answers.language == std::string_view("fa")));
    const Turn yes = step(*content, asked.state, text(answers.yes));
    CHECK(has_action(yes, Action::Kind::erase_personal_data));
    const Turn no = step(*content, asked.state, text(answers.no));
    CHECK(no.actions.empty());
    REQUIRE(no.replies.size() == 1);
    CHECK(no.replies.front().text == message(*content, "privacy_erase_kept", answers.language));

    const Reply done =
        privacy_message_reply(*content, yes.state, "privacy_erased", /*with_menu=*/false);
    CHECK(done.language == answers.language);
    CHECK_FALSE(done.fallback);
    CHECK(done.buttons.empty());
  }
}

}  // namespace
}  // namespace buurtlijn::dialogs
