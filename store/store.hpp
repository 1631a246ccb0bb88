// The durable store behind Buurtlijn: the only door to the database.
//
// Reads run on the calling thread, each thread on its own read connection. Writes go
// to one writer thread that commits the writes of many requests in one transaction
// (group commit); a write's callback runs on the writer thread once its batch has
// committed (or failed), so a caller acknowledges nothing before it is durable.
// Everything here is thread-safe. No SQL leaves store/: a PostgreSQL backend would
// implement this same interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace buurtlijn::store {

struct Error {
  enum class Code {
    duplicate,    // the channel message id was seen before; nothing was written
    conflict,     // the conversation changed since it was read; run the turn again
    unavailable,  // disk full, I/O error, database locked for too long: retry later
    too_new,      // the database was written by a newer buurtlijn
    invalid,      // a caller error (unknown id, bad argument)
    internal,     // anything else SQLite reports
  };
  Code code = Code::internal;
  std::string message;  // for logs and operators; never holds personal data
};

template <class T>
using Result = tl::expected<T, Error>;

using Millis = std::int64_t;  // milliseconds since the Unix epoch

struct ConversationRecord {
  std::int64_t id = 0;
  std::int64_t subject_id = 0;
  std::string channel;
  std::string language;      // ISO 639-1, empty until known
  std::string dialog_state;  // serialised by dialogs/, opaque here
  bool paused_by_human = false;
  std::int64_t version = 0;  // bumped by every committed turn
  Millis last_inbound_at = 0;
};

// One reply to be delivered: the rendered channel payload and the plain text.
struct OutboundReply {
  std::string text;          // kept in the message history
  std::string payload_json;  // what the channel connector needs to send it
};

// Everything one inbound message changes, committed in one transaction or not at all.
struct InboundTurn {
  std::string channel;             // "webchat", "whatsapp", ...
  std::string subject_pseudonym;   // keyed hash of channel + address; never a raw address
  std::string channel_message_id;  // unique per channel: a repeat is a duplicate
  std::string text;                // inbound text as received (valid UTF-8)
  Millis received_at = 0;
  // Version of the conversation the dialog engine ran against; 0 when it did not exist.
  // If the stored version differs the turn fails with Code::conflict.
  std::int64_t expected_version = 0;
  std::string language;      // conversation language after this turn
  std::string dialog_state;  // conversation state after this turn
  std::vector<OutboundReply> replies;
};

struct TurnCommitted {
  std::int64_t conversation_id = 0;
  std::int64_t inbound_message_id = 0;
  std::vector<std::int64_t> outbox_ids;  // in reply order
};

struct OutboxItem {
  std::int64_t id = 0;
  std::int64_t conversation_id = 0;
  std::string channel;
  std::string payload_json;
  std::string status;  // queued, inflight, sent, delivered, read, failed, dead
  int attempts = 0;
  Millis created_at = 0;
};

// Counters the gateway exports on /metrics.
struct CommitObserver {
  // Called on the writer thread after every batch: number of writes, seconds taken,
  // whether the commit succeeded.
  std::function<void(std::size_t writes, double seconds, bool ok)> on_batch;
};

struct SqliteOptions {
  std::string path;             // the database file; created when missing
  std::size_t max_batch = 512;  // most writes in one transaction
  std::chrono::milliseconds busy_timeout{5000};
  CommitObserver observer;
  // How long check_writable() waits for its heartbeat to be committed.
  std::chrono::milliseconds writable_check_timeout{1000};
  // Test only: PRAGMA max_page_count on the write connection, to make SQLITE_FULL happen
  // (SQLite raises a value below the current size to that size).
  std::optional<std::int64_t> max_page_count;
  // Test only: the name of a registered sqlite3_vfs (fault injection); empty = default.
  std::string vfs;
};

class Store {
 public:
  virtual ~Store() = default;

  // Reads.
  virtual Result<std::optional<ConversationRecord>> find_conversation(
      std::string_view channel, std::string_view subject_pseudonym) = 0;
  // Outbox items of a conversation on a channel that are queued or in flight and not yet
  // delivered, oldest first.
  virtual Result<std::vector<OutboxItem>> undelivered_outbox(std::int64_t conversation_id) = 0;
  virtual Result<std::int64_t> outbox_depth() = 0;  // items not yet sent
  // True when a write transaction can be committed now (used by /readyz).
  virtual Result<void> check_writable() = 0;

  // Writes (group-committed). `done` runs on the writer thread.
  virtual void commit_turn(InboundTurn turn, std::function<void(Result<TurnCommitted>)> done) = 0;
  virtual void mark_delivered(std::vector<std::int64_t> outbox_ids, Millis at,
                              std::function<void(Result<void>)> done) = 0;

  // Stops taking writes, commits what is queued, joins the writer thread. Writes
  // submitted afterwards fail with Code::unavailable. Idempotent.
  virtual void close() = 0;
};

// Opens (creating and migrating) the SQLite database at options.path and starts its
// writer thread. Fails with too_new when the database schema is newer than this code.
Result<std::unique_ptr<Store>> open_sqlite_store(SqliteOptions options);

}  // namespace buurtlijn::store
