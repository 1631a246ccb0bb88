// See conversation_turns.hpp.
#include "gateway/conversation_turns.hpp"

#include <boost/asio/use_awaitable.hpp>

#include "connectors/outbound_payload.hpp"
#include "dialogs/privacy_requests.hpp"
#include "gateway/log.hpp"
#include "gateway/privacy_turns.hpp"
#include "gateway/report_turns.hpp"
#include "gateway/store_await.hpp"
#include "gateway/subscription_turns.hpp"

namespace buurtlijn::gateway {
namespace {
// Two turns of one conversation racing each other is rare (one user, two devices):
// a few retries settle it.
constexpr int kConflictRetries = 5;

store::Millis to_millis(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}
}  // namespace

boost::asio::awaitable<store::Result<TurnOutcome>> run_turn(
    store::Store& store, const dialogs::Content& content, const InboundMessage& message,
    const ReplyRenderer& render, std::chrono::system_clock::time_point now,
    const dialogs::NotificationCatalog* notifications, const CaseRuntime* cases) {
  // A report is created once per message, even when the commit is retried; so is a
  // privacy summary (each one is audited).
  std::optional<ReportResult> report;
  std::optional<dialogs::Reply> privacy_summary;
  for (int attempt = 0;; ++attempt) {
    // One read: the conversation and the subscription.
    auto context = store.find_turn_context(message.channel, message.subject_pseudonym);
    if (!context) co_return tl::unexpected(context.error());
    const std::optional<store::ConversationRecord>& existing = context->conversation;

    const dialogs::ConversationState before =
        existing ? dialogs::ConversationState::parse(existing->dialog_state)
                 : dialogs::ConversationState{};
    std::optional<SubscriptionTurn> subscription;
    if (notifications != nullptr) {
      subscription = subscription_turn(before, message, context->subscriber, *notifications);
    }
    // STOP and START work whatever the state; otherwise, while a person holds the
    // conversation (console take-over), the bot stays silent: the message is kept for the
    // inbox and the state does not move.
    std::optional<std::int64_t> status_number;
    if (cases != nullptr && message.event.kind == dialogs::InboundEvent::Kind::text) {
      status_number = status_query(message.event.text);
    }
    dialogs::Turn turn;
    if (subscription) {
      turn.state = subscription->state;
      turn.replies = subscription->replies;
    } else if (existing && existing->paused_by_human) {
      turn.state = before;
    } else if (status_number) {
      // "status 4821" anywhere: the public status; the conversation stays where it was.
      turn.state = before;
      if (!content.has_language(turn.state.language)) turn.state.language = "nl";
      turn.replies.push_back(
          status_query_reply(content, turn.state, *status_number, store, *cases));
    } else {
      turn = dialogs::respond(before, message.event, content, now);
    }
    for (const dialogs::Action& action : turn.actions) {
      if (action.kind != dialogs::Action::Kind::create_report) continue;
      if (!report && cases != nullptr) {
        ReportRequest request;
        request.action = action;
        request.language = turn.state.language;
        request.channel = message.channel;
        request.subject_pseudonym = message.subject_pseudonym;
        request.contact_address = message.contact_address;
        if (!message.channel_message_id.empty()) {
          request.source_message = message.channel + ":" + message.channel_message_id;
        }
        request.now = now;
        report = co_await create_chat_report(store, *cases, request);
      }
      if (!report) log::warn("report.no_case_runtime");  // a server always has one
      const ReportResult result = report.value_or(ReportResult{"report_failed", 0, 0});
      turn.replies.push_back(report_reply(content, turn.state, result));
    }

    bool erase = false;
    for (const dialogs::Action& action : turn.actions) {
      if (action.kind == dialogs::Action::Kind::privacy_summary) {
        if (!privacy_summary) {
          privacy_summary = co_await privacy_summary_turn(
              store, content, turn.state, message.subject_pseudonym, to_millis(now));
        }
        turn.replies.push_back(*privacy_summary);
      }
      erase = erase || action.kind == dialogs::Action::Kind::erase_personal_data;
    }
    if (erase) {
      // Nothing of this message is stored: the erasure, then only the last reply.
      const dialogs::Reply erased =
          dialogs::privacy_message_reply(content, turn.state, "privacy_erased", false);
      std::vector<std::string> farewell;
      if (!message.interaction_id.empty()) {
        connectors::OutboundMessage answer;
        answer.callback_query_id = message.interaction_id;
        farewell.push_back(connectors::encode_outbound_payload(answer));
      }
      for (std::string& payload : render(erased)) farewell.push_back(std::move(payload));
      const std::string photos = cases != nullptr ? cases->photos_dir : std::string();
      auto outcome = co_await erase_turn(store, message, std::move(farewell), turn.state.language,
                                         to_millis(now), photos);
      if (outcome) co_return std::move(*outcome);
      // Nothing was erased: say so through the ordinary turn.
      turn.actions.clear();
      turn.replies.push_back(
          dialogs::privacy_message_reply(content, turn.state, "privacy_failed", true));
    }

    store::InboundTurn write;
    write.channel = message.channel;
    write.subject_pseudonym = message.subject_pseudonym;
    write.channel_message_id = message.channel_message_id;
    write.text = message.text;
    write.contact_address = message.contact_address;
    write.received_at = to_millis(now);
    write.expected_version = existing ? existing->version : 0;
    write.conversation_id = existing ? existing->id : 0;
    write.subject_id = existing ? existing->subject_id : 0;
    write.language = turn.state.language;
    write.dialog_state = turn.state.serialize();
    if (subscription) write.subscription = subscription->change;
    for (const dialogs::Action& action : turn.actions) {
      if (action.kind == dialogs::Action::Kind::hand_over) write.hand_over_reason = action.reason;
    }
    std::vector<std::string> payloads;
    if (!message.interaction_id.empty()) {
      // Telegram shows a spinner on the pressed button until this answer arrives.
      connectors::OutboundMessage answer;
      answer.callback_query_id = message.interaction_id;
      std::string payload = connectors::encode_outbound_payload(answer);
      write.replies.push_back(store::OutboundReply{std::string(), payload});
      payloads.push_back(std::move(payload));
    }
    for (const dialogs::Reply& reply : turn.replies) {
      for (std::string& payload : render(reply)) {
        write.replies.push_back(store::OutboundReply{reply.text, payload});
        payloads.push_back(std::move(payload));
      }
    }

    const auto submit = [&store, &write](auto done) {
      store.commit_turn(std::move(write), std::move(done));
    };
    auto committed = co_await await_callback<store::Result<store::TurnCommitted>>(submit);

    if (!committed && committed.error().code == store::Error::Code::conflict &&
        attempt + 1 < kConflictRetries) {
      continue;
    }
    if (!committed && committed.error().code == store::Error::Code::duplicate) {
      TurnOutcome outcome;
      outcome.duplicate = true;
      if (existing) {
        outcome.conversation_id = existing->id;
        outcome.language = existing->language;
      }
      co_return outcome;
    }
    if (!committed) co_return tl::unexpected(committed.error());

    TurnOutcome outcome;
    outcome.conversation_id = committed->conversation_id;
    outcome.language = turn.state.language;
    outcome.language_changed = !existing || existing->language != turn.state.language;
    outcome.actions = std::move(turn.actions);
    for (std::size_t i = 0; i < committed->outbox_ids.size() && i < payloads.size(); ++i) {
      outcome.replies.push_back(QueuedReply{committed->outbox_ids[i], std::move(payloads[i])});
    }
    co_return outcome;
  }
}

}  // namespace buurtlijn::gateway
