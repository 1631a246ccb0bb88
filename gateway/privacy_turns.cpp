// See privacy_turns.hpp.
#include "gateway/privacy_turns.hpp"

#include "dialogs/privacy_requests.hpp"
#include "gateway/conversation_turns.hpp"
#include "gateway/log.hpp"
#include "gateway/photo_files.hpp"
#include "gateway/store_await.hpp"
#include "store/gdpr_store.hpp"

namespace buurtlijn::gateway {

boost::asio::awaitable<dialogs::Reply> privacy_summary_turn(store::Store& store,
                                                            const dialogs::Content& content,
                                                            const dialogs::ConversationState& state,
                                                            std::string subject_pseudonym,
                                                            store::Millis now) {
  const auto submit = [&store, &subject_pseudonym, now](auto done) {
    store::gdpr_summary_audited(store, std::move(subject_pseudonym),
                                store::GdprActor{std::string(kChatActor)}, now, std::move(done));
  };
  auto summary = co_await await_callback<store::Result<store::GdprSummary>>(submit);
  if (!summary) {
    log::warn("privacy.summary_failed", {{"reason", summary.error().message}});
    co_return dialogs::privacy_message_reply(content, state, "privacy_failed", true);
  }
  dialogs::PrivacySummaryFacts facts;
  // What they wrote, this question included (it is stored with the answer).
  facts.messages = summary->messages_from_subject + 1;
  facts.report_numbers = summary->report_numbers;
  facts.contact_address = summary->contact_address;
  facts.subscribed = summary->subscribed;
  log::info("privacy.summary", {{"found", summary->found}});
  co_return dialogs::privacy_summary_reply(content, state, facts);
}

boost::asio::awaitable<std::optional<TurnOutcome>> erase_turn(
    store::Store& store, const InboundMessage& message, std::vector<std::string> payloads,
    std::string language, store::Millis now, const std::string& photos) {
  store::GdprFarewell farewell;
  farewell.channel = message.channel;
  farewell.contact_address = message.contact_address;
  farewell.payloads = payloads;
  std::string pseudonym = message.subject_pseudonym;
  const auto submit = [&store, &pseudonym, &farewell, now](auto done) {
    store::gdpr_erase_with_farewell(store, std::move(pseudonym),
                                    store::GdprActor{std::string(kChatActor)}, now,
                                    std::move(farewell), std::move(done));
  };
  auto erased = co_await await_callback<store::Result<store::GdprChatErasure>>(submit);
  if (!erased) {
    log::warn("privacy.erase_failed",
              {{"channel", message.channel}, {"reason", erased.error().message}});
    co_return std::nullopt;
  }
  std::int64_t photos_deleted = 0;
  if (!photos.empty()) {
    for (const std::string& id : erased->erased.photo_ids) {
      if (delete_photo(photos, id)) ++photos_deleted;
    }
  }
  log::info("privacy.erased", {{"channel", message.channel},
                               {"messages", erased->erased.messages},
                               {"reports_anonymised", erased->erased.reports_anonymised},
                               {"photos_deleted", photos_deleted}});
  TurnOutcome outcome;
  outcome.language = std::move(language);
  outcome.erased = true;
  // Web chat queues nothing: its session delivers the payloads (id 0) itself.
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const std::int64_t id = i < erased->outbox_ids.size() ? erased->outbox_ids[i] : 0;
    outcome.replies.push_back(QueuedReply{id, std::move(payloads[i])});
  }
  co_return outcome;
}

}  // namespace buurtlijn::gateway
