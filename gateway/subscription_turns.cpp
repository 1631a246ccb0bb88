// See subscription_turns.hpp.
#include "gateway/subscription_turns.hpp"

#include "dialogs/privacy_requests.hpp"
#include "dialogs/subscription_commands.hpp"
#include "gateway/conversation_turns.hpp"

namespace buurtlijn::gateway {
namespace {

std::string primary_subtag(std::string_view tag) {
  std::string code(tag.substr(0, tag.find_first_of("-_")));
  for (char& c : code) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return code;
}

std::optional<dialogs::Reply> reply_for(const dialogs::NotificationCatalog& catalog,
                                        std::string_view id,
                                        const dialogs::ConversationState& state) {
  auto text = catalog.render_message(id, state.language, state.second_language);
  if (!text) return std::nullopt;
  dialogs::Reply reply;
  reply.language = text->language;
  reply.text = std::move(text->text);
  reply.right_to_left = catalog.right_to_left(text->language);
  reply.fallback = text->fallback;
  return reply;
}

bool is_voice(const InboundMessage& message) {
  return (message.media_kind == "voice" || message.media_kind == "audio") &&
         message.event.text.empty() && message.event.choice_id.empty();
}

}  // namespace

std::optional<SubscriptionTurn> subscription_turn(
    const dialogs::ConversationState& before, const InboundMessage& message,
    const std::optional<store::SubscriberRecord>& subscriber,
    const dialogs::NotificationCatalog& catalog) {
  const std::string hint = primary_subtag(message.event.language_hint);
  SubscriptionTurn turn;
  turn.state = before;
  if (is_voice(message)) {
    if (turn.state.language.empty()) {
      turn.state.language = catalog.has_language(hint) ? hint : std::string("nl");
    }
    auto reply = reply_for(catalog, "voice_note", turn.state);
    if (!reply) return std::nullopt;
    turn.replies.push_back(std::move(*reply));
    return turn;
  }
  if (message.event.kind != dialogs::InboundEvent::Kind::text) return std::nullopt;
  const std::string current = subscriber ? subscriber->state : std::string();
  std::vector<std::string> preferred{before.language, hint};
  // While the erasure's yes/no question is open, a yes or no answers that question.
  const bool awaiting_answer = current == "pending" && before.node != dialogs::kPrivacyEraseNodeId;
  const dialogs::RecognizedCommand command = dialogs::recognize_subscription_command(
      message.event.text, preferred, awaiting_answer, catalog);
  if (command.command == dialogs::SubscriptionCommand::none) return std::nullopt;
  const dialogs::SubscriptionDecision decision = dialogs::decide_subscription(command, current);
  if (decision.message.empty()) return std::nullopt;
  // The conversation's language when it has one; otherwise the keyword's.
  if (turn.state.language.empty()) turn.state.language = command.language;
  if (turn.state.language.empty()) turn.state.language = "nl";
  auto reply = reply_for(catalog, decision.message, turn.state);
  if (!reply) return std::nullopt;
  turn.replies.push_back(std::move(*reply));
  if (!decision.new_state.empty()) {
    turn.change = store::SubscriptionChange{decision.new_state, decision.how, turn.state.language,
                                            turn.state.second_language};
  }
  return turn;
}

}  // namespace buurtlijn::gateway
