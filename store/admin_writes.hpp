// Writes of the console's tables that other writes take part in: a dialog turn that
// hands over puts its conversation in the inbox in the same transaction. Writer thread
// only (see store_writes.hpp).
#pragma once

#include <cstdint>
#include <string_view>

#include "store/admin_store.hpp"
#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

// Puts the conversation in the inbox as 'waiting' with `reason` (a conversation already
// taken over stays taken).
Result<void> write_hand_over(SqliteConnection& db, std::int64_t conversation_id,
                             std::string_view reason, Millis at);

// Appends an audit row (for writes of other modules that a person did, e.g. broadcasts).
Result<void> write_audit(SqliteConnection& db, const Actor& actor, std::string_view action,
                         std::string_view object, std::string_view detail, Millis now);

}  // namespace buurtlijn::store
