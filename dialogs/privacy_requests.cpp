// See privacy_requests.hpp. Texts: nodes.privacy_summary.text (with the counts as
// arguments), nodes.privacy_erase.text (the question), messages.privacy_erase_yes/no
// (the button labels), privacy_erase_kept, privacy_erased and privacy_failed.
#include "dialogs/privacy_requests.hpp"

#include <unicode/uchar.h>

#include <string>

#include "dialogs/icu_message.hpp"

namespace buurtlijn::dialogs {
namespace {

constexpr std::string_view kYesButton = "privacy_erase_yes";
constexpr std::string_view kNoButton = "privacy_erase_no";

// "1", "١", "۲" -> the number; nullopt for anything that is not one digit.
std::optional<int> single_digit(std::string_view folded) {
  const icu::UnicodeString text = icu_message::to_unicode(folded);
  if (text.countChar32() != 1) return std::nullopt;
  const int32_t digit = u_charDigitValue(text.char32At(0));
  if (digit < 0) return std::nullopt;
  return digit;
}

Reply render(const Content& content, const ConversationState& state, const std::string& key,
             const Arguments& arguments = {}) {
  Reply out;
  const auto text = content.render(key, state.language, state.second_language, arguments);
  if (text) {
    out.text = text->text;
    out.language = text->language;
    out.fallback = text->fallback;
  } else {
    out.text = key;  // content validation requires a Dutch text for every key used here
    out.language = "nl";
    out.fallback = true;
  }
  const LanguageInfo* info = content.language(out.language);
  out.right_to_left = info != nullptr && info->right_to_left;
  return out;
}

void add_button(Reply& reply, const Content& content, const ConversationState& state,
                std::string_view id, const std::string& label_key) {
  const auto label = content.render(label_key, state.language, state.second_language);
  reply.buttons.push_back(Button{std::string(id), label ? label->text : std::string(id)});
  reply.fallback = reply.fallback || !label || label->fallback;
}

void add_menu_buttons(Reply& reply, const Content& content, const ConversationState& state) {
  for (const std::string& child : content.root().children) {
    add_button(reply, content, state, child, node_label_key(child));
  }
}

}  // namespace

void ask_erase_confirmation(Turn& turn, const Content& content) {
  Reply question = render(content, turn.state, node_text_key(kPrivacyEraseNodeId));
  add_button(question, content, turn.state, kYesButton, message_key(kYesButton));
  add_button(question, content, turn.state, kNoButton, message_key(kNoButton));
  turn.replies.push_back(std::move(question));
}

std::optional<Turn> answer_erase_confirmation(const ConversationState& state,
                                              const InboundEvent& event, const Content& content) {
  bool yes = false;
  bool no = false;
  if (event.kind == InboundEvent::Kind::choice) {
    yes = event.choice_id == kYesButton;
    no = event.choice_id == kNoButton;
  } else if (event.kind == InboundEvent::Kind::text && !event.has_location &&
             event.media_ref.empty()) {
    const std::string folded = fold_for_matching(event.text);
    const std::optional<int> digit = single_digit(folded);
    yes = (digit && *digit == 1) || content.is_yes_word(folded);
    no = (digit && *digit == 2) || content.is_no_word(folded);
  }
  if (!yes && !no) return std::nullopt;
  Turn turn;
  turn.state = state;
  turn.state.misses = 0;
  turn.state.report = ReportForm{};
  if (yes) {
    // The gateway erases and sends privacy_erased; the state goes with the conversation.
    Action action;
    action.kind = Action::Kind::erase_personal_data;
    turn.actions.push_back(std::move(action));
    turn.state.node = content.root().id;
    return turn;
  }
  Reply kept = render(content, turn.state, message_key("privacy_erase_kept"));
  add_menu_buttons(kept, content, turn.state);
  turn.replies.push_back(std::move(kept));
  turn.state.node = content.root().id;
  return turn;
}

Reply privacy_summary_reply(const Content& content, const ConversationState& state,
                            const PrivacySummaryFacts& facts) {
  std::string numbers;
  for (const std::int64_t number : facts.report_numbers) {
    if (!numbers.empty()) numbers += ", ";
    numbers += std::to_string(number);  // plain: a report number has no digit grouping
  }
  const Arguments arguments{
      {"messages", facts.messages},
      {"reports", static_cast<std::int64_t>(facts.report_numbers.size())},
      {"report_numbers", numbers},
      {"contact", std::string(facts.contact_address ? "yes" : "no")},
      {"subscribed", std::string(facts.subscribed ? "yes" : "no")},
  };
  Reply reply = render(content, state, node_text_key(kPrivacySummaryNodeId), arguments);
  add_button(reply, content, state, kPrivacyEraseNodeId, node_label_key(kPrivacyEraseNodeId));
  add_button(reply, content, state, content.root().id, node_label_key(content.root().id));
  return reply;
}

Reply privacy_message_reply(const Content& content, const ConversationState& state,
                            std::string_view message_id, bool with_menu) {
  Reply reply = render(content, state, message_key(message_id));
  if (with_menu) add_menu_buttons(reply, content, state);
  return reply;
}

}  // namespace buurtlijn::dialogs
