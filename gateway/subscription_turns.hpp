// The turns the subscription dialog answers before the dialog engine: STOP / START /
// "news" / YES / NO (dialogs/subscription_commands.hpp) and voice notes ("please type").
// Pure: the conversation, the message, the subscriber and the catalog in; the replies
// and the subscription change to commit with the turn out.
#pragma once

#include <optional>
#include <vector>

#include "dialogs/engine.hpp"
#include "dialogs/notification_catalog.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

struct InboundMessage;

struct SubscriptionTurn {
  dialogs::ConversationState state;  // the conversation's state after the turn
  std::vector<dialogs::Reply> replies;
  std::optional<store::SubscriptionChange> change;
};

// nullopt: not a subscription command nor a voice note; the dialog engine answers.
std::optional<SubscriptionTurn> subscription_turn(
    const dialogs::ConversationState& before, const InboundMessage& message,
    const std::optional<store::SubscriberRecord>& subscriber,
    const dialogs::NotificationCatalog& catalog);

}  // namespace buurtlijn::gateway
