// The outbox worker's writes (see Store::claim_outbox and its neighbours in store.hpp):
// plain functions over the write connection, each run by the writer thread as one job
// in its own savepoint, like store_writes.hpp. Error messages name the step and ids,
// never payloads or addresses. Thread safety: writer thread only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

// Claims due items of `channels` ("webchat" is never claimed) and marks them inflight.
Result<std::vector<ClaimedOutboxItem>> write_claim_outbox(SqliteConnection& db,
                                                          const std::vector<std::string>& channels,
                                                          std::size_t limit, Millis now);

// Records the outcomes; unknown ids are skipped (nothing to change).
Result<void> write_outbox_outcomes(SqliteConnection& db, const std::vector<OutboxOutcome>& outcomes,
                                   Millis now);

// Applies one status callback; true when an item changed.
Result<bool> write_outbox_status(SqliteConnection& db, const OutboxStatusUpdate& update);

// Puts items left inflight back in the queue after their channel's grace period.
Result<std::int64_t> write_recover_inflight(
    SqliteConnection& db, const std::vector<std::pair<std::string, Millis>>& grace_by_channel,
    Millis now);

}  // namespace buurtlijn::store
