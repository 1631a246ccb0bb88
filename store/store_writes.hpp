// The store's writes: plain functions over the write connection, each run by the writer
// thread as one job inside its own savepoint (see group_commit_writer.hpp). A function
// that fails leaves partial work behind; the savepoint rollback removes it.
//
// Error messages name the failing step, counts and ids, never message text or
// pseudonyms. Thread safety: writer thread only.
#pragma once

#include <cstdint>
#include <vector>

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

// Bytes of zeros a heartbeat row carries: committing it needs fresh pages, so it fails
// when the disk (or max_page_count) leaves no room for a few more pages.
inline constexpr int kHeartbeatReserveBytes = 8192;

// Everything one inbound message changes (see InboundTurn): finds or creates the subject
// and its conversation, checks the version (conflict), stores the inbound message
// (duplicate when its channel message id was seen), updates the conversation and
// queues each reply. Fails with invalid for empty channel, pseudonym or message id, a
// pseudonym that looks like a raw phone number or chat id, or a subject of another
// channel.
Result<TurnCommitted> write_turn(SqliteConnection& db, const InboundTurn& turn);

// Marks the outbox items delivered at `at` (from queued, inflight or sent; items that
// are already delivered, read, failed or dead stay as they are). Fails with invalid,
// changing nothing, when an id is unknown.
Result<void> write_delivered(SqliteConnection& db, const std::vector<std::int64_t>& outbox_ids,
                             Millis at);

// Adds a heartbeat row (heartbeat_reserve_bytes of zeros) and deletes the older ones.
Result<void> write_heartbeat(SqliteConnection& db, Millis now);

}  // namespace buurtlijn::store
