// One inbound message through the whole pipeline: read the conversation, let the dialog
// engine answer, render the replies for the channel, and commit message, new state and
// outbox rows in one group-committed transaction. Only after that commit does the
// caller acknowledge anything. With `cases`, a completed report form becomes a report
// (report_turns.hpp) before the turn commits, and "status 4821" answers the status. Runs on the
// caller's executor; holds no state.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dialogs/engine.hpp"
#include "dialogs/notification_catalog.hpp"
#include "gateway/case_runtime.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

struct InboundMessage {
  std::string channel;
  std::string subject_pseudonym;
  std::string channel_message_id;
  std::string text;  // what is kept in the history: the typed text or the button label
  dialogs::InboundEvent event;
  std::string contact_address;  // raw reply address for HTTP channels; empty for web chat
  std::string media_kind;       // voice, audio, image, ... when the message carries media
  std::string interaction_id;   // a Telegram callback query to answer (answerCallbackQuery)
};

struct QueuedReply {
  std::int64_t outbox_id = 0;
  std::string payload_json;
};

struct TurnOutcome {
  bool duplicate = false;  // seen before: nothing new was written
  std::int64_t conversation_id = 0;
  std::string language;  // after the turn
  bool language_changed = false;
  bool erased = false;  // the person's data was erased (privacy_turns.hpp): no conversation left
  std::vector<QueuedReply> replies;
  std::vector<dialogs::Action> actions;
};

// Renders a reply into the payloads the channel's connector sends: usually one, several
// when a channel must split it (a long SMS becomes several SMS).
using ReplyRenderer = std::function<std::vector<std::string>(const dialogs::Reply&)>;

boost::asio::awaitable<store::Result<TurnOutcome>> run_turn(
    store::Store& store, const dialogs::Content& content, const InboundMessage& message,
    const ReplyRenderer& render, std::chrono::system_clock::time_point now,
    const dialogs::NotificationCatalog* notifications = nullptr,
    const CaseRuntime* cases = nullptr);

}  // namespace buurtlijn::gateway
