// A person's own privacy requests in the chat: "what do you store about me" (the
// privacy_summary node) and "delete my data" (the privacy_erase node, asked to confirm
// with yes/no). The engine emits Action::Kind::privacy_summary or
// Action::Kind::erase_personal_data; the gateway reads or erases the store and answers
// with the replies built here. Pure: no I/O, no clock; thread-safe (shares nothing).
//
// The confirmation: privacy_erase shows its text with two buttons (privacy_erase_yes,
// privacy_erase_no; 1 and 2 on SMS). While the conversation stands at privacy_erase, a
// yes (button, 1, or a catalog's yes_words) erases, a no (button, 2, or no_words) keeps
// everything and shows the main menu; anything else is answered as usual and nothing
// is erased.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "dialogs/engine.hpp"

namespace buurtlijn::dialogs {

inline constexpr std::string_view kPrivacySummaryNodeId = "privacy_summary";
inline constexpr std::string_view kPrivacyEraseNodeId = "privacy_erase";

// Shows the confirmation question in `turn` (after the engine set the node).
void ask_erase_confirmation(Turn& turn, const Content& content);

// The answer to the confirmation question (state.node is privacy_erase). Nullopt when
// the event is neither yes nor no: the engine answers it normally.
std::optional<Turn> answer_erase_confirmation(const ConversationState& state,
                                              const InboundEvent& event, const Content& content);

// What the store holds about the person, as counts (never texts).
struct PrivacySummaryFacts {
  std::int64_t messages = 0;
  std::vector<std::int64_t> report_numbers;  // the public numbers of their reports
  bool contact_address = false;              // a phone number or chat id kept to reply
  bool subscribed = false;                   // they get news on this channel
};

// The summary (nodes.privacy_summary.text with the counts), with the privacy menu's
// buttons.
Reply privacy_summary_reply(const Content& content, const ConversationState& state,
                            const PrivacySummaryFacts& facts);

// messages.<id> in the conversation's language, with the main menu as buttons when
// `with_menu`: privacy_erased (the final confirmation, no buttons), privacy_failed.
Reply privacy_message_reply(const Content& content, const ConversationState& state,
                            std::string_view message_id, bool with_menu);

}  // namespace buurtlijn::dialogs
