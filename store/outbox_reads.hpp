// The outbox worker's reads: counts by state for /metrics. A plain function over one
// read connection, like store_reads.hpp. Thread safety: as the connection's.
#pragma once

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

Result<OutboxCounts> read_outbox_counts(SqliteConnection& db);

}  // namespace buurtlijn::store
