// The chat's privacy requests, for run_turn() (dialogs/privacy_requests.hpp): the
// privacy_summary action is answered with the counts the store holds about the person
// (store::gdpr_summary_audited: an audit row, actor "chat"), and erase_personal_data
// erases with the same store function as `buurtlijn gdpr erase`, then queues the final
// confirmation (store::gdpr_erase_with_farewell). Nothing of the erasing message is
// stored. Runs on the caller's executor; holds no state.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dialogs/engine.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

struct InboundMessage;
struct TurnOutcome;

// The audit log's actor for requests made in the chat.
inline constexpr std::string_view kChatActor = "chat";

// The summary reply (or privacy_failed when the store fails; the reason is logged
// without personal data).
boost::asio::awaitable<dialogs::Reply> privacy_summary_turn(store::Store& store,
                                                            const dialogs::Content& content,
                                                            const dialogs::ConversationState& state,
                                                            std::string subject_pseudonym,
                                                            store::Millis now);

// Erases the subject and queues `payloads` (the rendered final confirmation) for it.
// The outcome has no conversation; its replies are the queued items (web chat: id 0,
// its session delivers them). Nullopt when the store failed: nothing was erased, and
// the caller answers privacy_failed through the ordinary turn. The files of the photos
// the erasure unlinked are deleted from `photos` at once (empty: left to retention).
boost::asio::awaitable<std::optional<TurnOutcome>> erase_turn(
    store::Store& store, const InboundMessage& message, std::vector<std::string> payloads,
    std::string language, store::Millis now, const std::string& photos);

}  // namespace buurtlijn::gateway
