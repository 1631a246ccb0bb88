// The SQL of subscribers, API keys and notifications: plain functions over one
// connection, reads on a read connection and writes on the writer thread inside the
// job's savepoint, like store_reads.hpp and store_writes.hpp. Error messages name the
// step and ids, never pseudonyms, addresses or texts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/broadcast_store.hpp"
#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

Result<std::optional<SubscriberRecord>> read_subscriber(SqliteConnection& db,
                                                        std::string_view subject_pseudonym);

// Applies `change` to the subject's subscriber (created when missing) and records the
// event. Called by write_turn inside the turn's savepoint.
Result<void> write_subscription_change(SqliteConnection& db, std::int64_t subject_id,
                                       const std::string& channel, const SubscriptionChange& change,
                                       Millis at);

// Keeps an existing subscriber's language in step with its conversation.
Result<void> write_subscriber_language(SqliteConnection& db, std::int64_t subject_id,
                                       const std::string& language);

// Stops an active or pending subscription; true when one changed. A subject without a
// subscriber gets a stopped one, so that the opt-out is on record.
Result<bool> write_opt_out(SqliteConnection& db, std::string_view subject_pseudonym,
                           const std::string& how, Millis at);
Result<bool> write_opt_out_of_outbox_item(SqliteConnection& db, std::int64_t outbox_id,
                                          const std::string& how, Millis at);

// Fails with invalid when the name or the hash exists already.
Result<std::int64_t> write_create_api_key(SqliteConnection& db, const std::string& name,
                                          const std::string& key_hash, Millis at);
Result<bool> write_revoke_api_key(SqliteConnection& db, const std::string& name, Millis at);
Result<std::vector<ApiKeyRecord>> read_api_keys(SqliteConnection& db);

Result<std::vector<NotificationRecipient>> read_notification_recipients(
    SqliteConnection& db, const NotificationTarget& target);

// The same recipients, counted by channel, language and whether the WhatsApp window
// (messages after `window_start`) is closed.
Result<std::vector<RecipientGroup>> read_recipient_groups(SqliteConnection& db,
                                                          const NotificationTarget& target,
                                                          Millis window_start);

// One notification row and one outbox item per subscriber still active, with prepared
// statements and no reads per recipient.
Result<NotificationQueued> write_queue_notification(SqliteConnection& db,
                                                    const NotificationBatch& batch);

Result<std::optional<NotificationCounts>> read_notification_counts(SqliteConnection& db,
                                                                   std::int64_t id);

}  // namespace buurtlijn::store
