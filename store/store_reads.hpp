// The store's queries: plain functions over one (read) connection, one per Store read.
//
// Each function leases cached statements and releases them before it returns, so no
// read transaction outlives the call. Thread safety: as the connection's.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

// The conversation of the subject `subject_pseudonym` on `channel`, if it has one.
Result<std::optional<ConversationRecord>> read_conversation(SqliteConnection& db,
                                                            std::string_view channel,
                                                            std::string_view subject_pseudonym);

// The conversation of the subject on `channel` and the subject's subscription, by one
// statement (one snapshot, one B-tree walk to the subject instead of two).
Result<TurnContext> read_turn_context(SqliteConnection& db, std::string_view channel,
                                      std::string_view subject_pseudonym);

// Outbox items of the conversation that are queued, in flight or sent but not yet
// delivered, oldest first.
Result<std::vector<OutboxItem>> read_undelivered_outbox(SqliteConnection& db,
                                                        std::int64_t conversation_id);

// Outbox items that still have to be sent: queued or in flight.
Result<std::int64_t> read_outbox_depth(SqliteConnection& db);

}  // namespace buurtlijn::store
