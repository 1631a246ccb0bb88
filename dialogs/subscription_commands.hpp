// Recognising the subscription commands in an inbound message, and what each does to a
// subscriber. Pure: text, languages and the catalog in; a command and a decision out.
//
// A command is a whole message: "STOP", "стоп", "توقف", "停止", Telegram's "/stop", ...
// (the catalogs' keyword lists, folded like fold_for_matching). STOP, START and the
// words that ask for news are recognised in every language; YES and NO only while the
// opt-in question is open, in the user's language, English and Dutch.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dialogs/notification_catalog.hpp"

namespace buurtlijn::dialogs {

enum class SubscriptionCommand { none, stop, start, subscribe, yes, no };

struct RecognizedCommand {
  SubscriptionCommand command = SubscriptionCommand::none;
  std::string language;  // the catalog whose list matched (a preferred one when several do)
  std::string how;       // "keyword", "telegram_stop"
};

// `preferred`: the conversation's language and the channel's hint, tried first, in
// order. `awaiting_answer`: the opt-in question is open (the subscriber is pending).
RecognizedCommand recognize_subscription_command(std::string_view text,
                                                 const std::vector<std::string>& preferred,
                                                 bool awaiting_answer,
                                                 const NotificationCatalog& catalog);

// Subscriber states as stored: "" (none yet), "pending", "active", "stopped".
struct SubscriptionDecision {
  std::string new_state;  // empty: no change
  std::string how;        // recorded with the change: keyword, telegram_stop, yes, declined
  std::string message;    // the kSubscriptionMessages id that confirms it
};

SubscriptionDecision decide_subscription(const RecognizedCommand& command,
                                         std::string_view current_state);

}  // namespace buurtlijn::dialogs
