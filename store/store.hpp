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
#include <utility>
#include <vector>

namespace buurtlijn::store {

class CaseStore;  // reports and enforcement cases: store/case_store.hpp

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

// --- Subscribers, API keys and notifications (see store/notification_sql.hpp) ---

// A change of a subject's subscription, committed with the turn that asked for it.
struct SubscriptionChange {
  std::string state;     // pending, active, stopped
  std::string how;       // keyword, keyword_start, yes, declined, telegram_stop, blocked, ...
  std::string language;  // the subscriber's language from now on
  std::string second_language;  // may be empty
};

struct SubscriberRecord {
  std::int64_t id = 0;
  std::int64_t subject_id = 0;
  std::string channel;
  std::string language;
  std::string second_language;
  std::string area;
  std::string state;  // pending, active, stopped
  Millis opted_in_at = 0;
  std::string opted_in_how;
  Millis opted_out_at = 0;
  std::string opted_out_how;
  std::vector<std::string> topics;
};

struct ApiKeyRecord {
  std::int64_t id = 0;
  std::string name;
  std::string key_hash;  // lower-case hex SHA-256 of the key; the key itself is never stored
  Millis created_at = 0;
  Millis revoked_at = 0;  // 0 while valid
};

// Who a notification goes to: one subject, or every active subscriber matching the
// segment (empty fields match everything).
struct NotificationTarget {
  std::string subject_pseudonym;
  std::string language;
  std::string area;
  std::string channel;
  std::string topic;
};

struct NotificationRecipient {
  std::int64_t subscriber_id = 0;
  std::string channel;
  std::string language;
  std::string second_language;
  Millis last_inbound_at = 0;  // 0 when the subject never wrote
};

// A broadcast to queue in one transaction: `payloads` holds each distinct outbox
// payload once; every item names its subscriber and its payload by index.
struct NotificationBatch {
  std::int64_t api_key_id = 0;
  std::string template_key;
  std::string target_json;  // the segment or subject as asked (no parameters: they may be personal)
  Millis at = 0;
  std::vector<std::string> payloads;
  struct Item {
    std::int64_t subscriber_id = 0;
    std::size_t payload = 0;
    bool counts = true;  // false for the further parts of a split SMS: one recipient, one count
  };
  std::vector<Item> items;
};

struct NotificationQueued {
  std::int64_t id = 0;
  std::int64_t recipients = 0;  // items queued (subscribers still active at commit)
};

struct NotificationCounts {
  std::int64_t id = 0;
  std::string template_key;
  Millis created_at = 0;
  std::int64_t recipients = 0;
  // status -> count, and channel -> status -> count, over the notification's outbox items.
  std::vector<std::pair<std::string, std::int64_t>> by_state;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::int64_t>>>> by_channel;
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
  // The conversation and subject the engine ran against (TurnContext), 0 when new: the
  // writer then updates the conversation by id instead of looking both up again.
  std::int64_t conversation_id = 0;
  std::int64_t subject_id = 0;
  std::string language;      // conversation language after this turn
  std::string dialog_state;  // conversation state after this turn
  std::vector<OutboundReply> replies;
  // The raw reply address (phone number, chat id) for the outbox, kept once per subject
  // in its own table (contact_addresses) and replaced when it changes. Empty for the
  // web chat, which answers over its socket: nothing is stored then.
  std::string contact_address;
  // A subscription change asked for in this message (STOP, YES to the opt-in question).
  std::optional<SubscriptionChange> subscription;
  // Non-empty when the dialog handed the conversation over to a person (the reason): the
  // conversation enters the console's inbox in the same transaction.
  std::string hand_over_reason;
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

// An outbox item the worker has claimed: it is 'inflight' (committed) from now on, with
// `attempts` counting this attempt, until an outcome is recorded for it.
struct ClaimedOutboxItem {
  std::int64_t id = 0;
  std::int64_t conversation_id = 0;  // 0 for an item without a conversation
  std::string channel;
  std::string payload_json;
  std::string address;    // the subject's contact address; empty when none is known
  std::string reference;  // our reference for the provider (echoed in status callbacks)
  int attempts = 0;       // including this one
};

// What became of one attempt (see Store::record_outbox_outcomes).
struct OutboxOutcome {
  enum class Kind {
    sent,      // accepted by the provider: 'sent' with provider_message_id
    retry,     // try again at next_attempt_at: back to 'queued', `error` kept
    failed,    // permanent failure: 'failed' with `error` (the provider's reason)
    dead,      // retryable, but out of attempts: 'dead' with `error`
    released,  // never sent (the worker stopped first): 'queued' again, attempt not counted
  };
  std::int64_t id = 0;
  Kind kind = Kind::sent;
  std::string provider_message_id;
  Millis next_attempt_at = 0;  // retry only
  std::string error;           // never personal data
};

// A provider's status callback (WhatsApp status webhook, Kannel DLR).
struct OutboxStatusUpdate {
  enum class State { sent, delivered, read, failed };
  std::string channel;
  std::string provider_message_id;  // the provider's id for the message, when known
  std::string reference;            // our reference echoed back, when the provider does
  State state = State::sent;
  std::string error;  // failed only
  Millis at = 0;
};

// Outbox items by state, for /metrics.
struct OutboxCounts {
  std::int64_t queued = 0;
  std::int64_t inflight = 0;
  std::int64_t failed = 0;
  std::int64_t dead = 0;
};

// How long personal data is kept (docs/privacy.md). Ages in milliseconds.
struct RetentionPolicy {
  Millis message_text_age = 90LL * 24 * 3600 * 1000;  // message texts and sent replies
  // A reply address after the last message (kept while subscribed), and a stopped
  // subscription with its history.
  Millis contact_idle_age = 365LL * 24 * 3600 * 1000;
  std::size_t batch_rows = 5000;  // most rows of each kind per run
};

// Rows deleted (or cleared) by one retention run.
struct RetentionOutcome {
  std::int64_t messages = 0;
  std::int64_t outbox_items = 0;
  std::int64_t dialog_states = 0;
  std::int64_t contact_addresses = 0;
  std::int64_t subscribers = 0;          // stopped or unanswered subscriptions
  std::int64_t subscription_events = 0;  // their opt-in/opt-out history
  std::int64_t admin_sessions = 0;       // expired console sessions
  std::int64_t handovers = 0;            // released inbox entries past the text period
  std::int64_t farewells = 0;            // subjects left only for an erasure's last reply
  bool more = false;                     // a kind hit batch_rows: run again soon
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

// What a conversation turn reads before it runs, from one snapshot.
struct TurnContext {
  std::optional<ConversationRecord> conversation;  // the subject's on the channel
  std::optional<SubscriberRecord> subscriber;      // the subject's subscription
};

class Store {
 public:
  virtual ~Store() = default;

  // Reads.
  virtual Result<std::optional<ConversationRecord>> find_conversation(
      std::string_view channel, std::string_view subject_pseudonym) = 0;
  // find_conversation() and find_subscriber() in one read (the webhook and chat turns).
  virtual Result<TurnContext> find_turn_context(std::string_view channel,
                                                std::string_view subject_pseudonym) = 0;
  // Outbox items of a conversation on a channel that are queued or in flight and not yet
  // delivered, oldest first.
  virtual Result<std::vector<OutboxItem>> undelivered_outbox(std::int64_t conversation_id) = 0;
  virtual Result<std::int64_t> outbox_depth() = 0;  // items not yet sent
  // True when a write transaction can be committed now (used by /readyz).
  virtual Result<void> check_writable() = 0;
  // The same without waiting: `done` runs on the writer thread once the heartbeat
  // committed (or failed, with unavailable). The caller applies its own deadline.
  virtual void check_writable_async(std::function<void(Result<void>)> done) = 0;

  // Writes (group-committed). `done` runs on the writer thread.
  virtual void commit_turn(InboundTurn turn, std::function<void(Result<TurnCommitted>)> done) = 0;
  virtual void mark_delivered(std::vector<std::int64_t> outbox_ids, Millis at,
                              std::function<void(Result<void>)> done) = 0;
  // Deletes what is past its retention period (see RetentionPolicy), one batch.
  virtual void apply_retention(RetentionPolicy policy, Millis now,
                               std::function<void(Result<RetentionOutcome>)> done) = 0;

  // The outbox worker's side (see gateway/outbox_worker.hpp). Web chat items are never
  // claimed: only the channels named are.
  //
  // Claims up to `limit` due items (status 'queued', next_attempt_at <= now) of the given
  // channels, oldest first, taking only the oldest unsent (queued or inflight) item of
  // each conversation, so that a conversation's items go out one after the other in
  // order. In the same transaction each is marked 'inflight' with attempts + 1 and given
  // its reference (the decimal item id). `done` gets the claimed items.
  virtual void claim_outbox(std::vector<std::string> channels, std::size_t limit, Millis now,
                            std::function<void(Result<std::vector<ClaimedOutboxItem>>)> done) = 0;
  // Records what became of claimed items, all in one transaction. Only items still
  // 'inflight' change state (a status callback may have got there first); the provider
  // message id of a sent item is kept in any case.
  virtual void record_outbox_outcomes(std::vector<OutboxOutcome> outcomes, Millis now,
                                      std::function<void(Result<void>)> done) = 0;
  // Applies a status callback to the item with that reference on that channel, else the
  // one with that provider message id. States only move forward (queued/inflight < sent <
  // delivered < read; failed only from queued, inflight or sent): a 'delivered' after
  // 'read' is ignored. A callback for an item still queued or inflight (left in flight by
  // a crash) proves that the provider has it: the item becomes sent and is not sent
  // again. `done` gets true when an item changed.
  virtual void apply_outbox_status(OutboxStatusUpdate update,
                                   std::function<void(Result<bool>)> done) = 0;
  // At start-up, before the first claim: every item left 'inflight' (its outcome was
  // never recorded; the provider may or may not have it) goes back to 'queued' with
  // next_attempt_at = now + grace of its channel (channels not in the map: now), so that
  // a status callback carrying its reference can resolve it before it is sent again.
  // `done` gets the number of items.
  virtual void recover_inflight_outbox(std::vector<std::pair<std::string, Millis>> grace_by_channel,
                                       Millis now,
                                       std::function<void(Result<std::int64_t>)> done) = 0;
  virtual Result<OutboxCounts> outbox_counts() = 0;

  // Subscribers, API keys and notifications (store/notification_sql.hpp).
  virtual Result<std::optional<SubscriberRecord>> find_subscriber(
      std::string_view subject_pseudonym) = 0;
  // Stops the subscription of a subject (a blocked bot, a WhatsApp opt-out error): by its
  // pseudonym, or by one of its outbox items. `done` gets true when a subscriber changed.
  virtual void record_opt_out(std::string subject_pseudonym, std::string how, Millis at,
                              std::function<void(Result<bool>)> done) = 0;
  virtual void record_opt_out_of_outbox_item(std::int64_t outbox_id, std::string how, Millis at,
                                             std::function<void(Result<bool>)> done) = 0;
  virtual void create_api_key(std::string name, std::string key_hash, Millis at,
                              std::function<void(Result<std::int64_t>)> done) = 0;
  virtual void revoke_api_key(std::string name, Millis at,
                              std::function<void(Result<bool>)> done) = 0;
  virtual Result<std::vector<ApiKeyRecord>> api_keys() = 0;  // all, revoked ones too
  virtual Result<std::vector<NotificationRecipient>> notification_recipients(
      const NotificationTarget& target) = 0;
  virtual void queue_notification(NotificationBatch batch,
                                  std::function<void(Result<NotificationQueued>)> done) = 0;
  virtual Result<std::optional<NotificationCounts>> notification_counts(std::int64_t id) = 0;
  // Reports and enforcement cases (store/case_store.hpp); lives as long as the store.
  virtual CaseStore& cases() = 0;

  // Stops taking writes, commits what is queued, joins the writer thread. Writes
  // submitted afterwards fail with Code::unavailable. Idempotent.
  virtual void close() = 0;
};

// Opens (creating and migrating) the SQLite database at options.path and starts its
// writer thread. Fails with too_new when the database schema is newer than this code.
Result<std::unique_ptr<Store>> open_sqlite_store(SqliteOptions options);

}  // namespace buurtlijn::store
