// The console's broadcasts in the store: counting who a segment reaches before sending,
// queuing a broadcast (its notification, one outbox item per recipient, its console row
// and its audit row in ONE write transaction, through write_queue_notification, the same
// SQL the notification API uses), scheduling, cancelling and the due list for the
// scheduler, and the progress reads (failure reasons grouped).
//
// Reads run on the calling thread on a read connection of their own. Writes go through
// the store's single writer (group commit) and BLOCK the caller until their batch has
// committed, like admin_store.hpp: never call one from a write callback (the writer
// thread). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/admin_store.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

// Subscribers a segment reaches, grouped: what a send would queue, before it is sent.
struct RecipientGroup {
  std::string channel;
  std::string language;
  bool outside_window = false;  // WhatsApp, last message older than the window (or none)
  std::int64_t subscribers = 0;
};

// A broadcast composed in the console.
struct BroadcastRecord {
  std::int64_t id = 0;
  std::string source;                // template, node
  std::string source_key;            // the template key or the node id
  std::string params_json = "{}";    // {"name": "value"}; "{}" once queued, cancelled or failed
  NotificationTarget segment;        // language, area, channel, topic ("" = any)
  std::string state;                 // scheduled, queued, cancelled, failed
  Millis due_at = 0;                 // when it is (or was) to be queued
  std::int64_t notification_id = 0;  // once queued
  std::int64_t recipients = 0;       // items queued (from the notification)
  std::string reason;                // why it failed
  std::string created_by;
  Millis created_at = 0;
};

struct BroadcastQueued {
  std::int64_t broadcast_id = 0;
  std::int64_t notification_id = 0;
  std::int64_t recipients = 0;
};

// Failed (or dead) outbox items of a notification with the same channel and reason.
struct FailureGroup {
  std::string channel;
  std::string reason;  // the provider's error as recorded; never personal data
  std::int64_t items = 0;
};

class BroadcastStore {
 public:
  virtual ~BroadcastStore() = default;

  // Active subscribers matching `segment` (the same rows read_notification_recipients
  // returns), grouped by channel, language and whether the WhatsApp window is closed:
  // a WhatsApp recipient is outside when it never wrote or last wrote before
  // `window_start`.
  virtual Result<std::vector<RecipientGroup>> count_recipients(const NotificationTarget& segment,
                                                               Millis window_start) = 0;
  // Areas and topics active subscribers have, sorted, for the segment form.
  virtual Result<std::vector<std::string>> subscriber_areas() = 0;
  virtual Result<std::vector<std::string>> subscriber_topics() = 0;

  // In one transaction: the notification and its outbox items (write_queue_notification),
  // the console row (a new one, or the scheduled `record.id`, which must still be
  // scheduled: else fails with invalid and nothing is written), and the audit row.
  virtual Result<BroadcastQueued> queue(const NotificationBatch& batch,
                                        const BroadcastRecord& record, const Actor& actor,
                                        Millis now) = 0;
  // Stores a scheduled broadcast (state scheduled) with its audit row; returns its id.
  virtual Result<std::int64_t> schedule(const BroadcastRecord& record, const Actor& actor,
                                        Millis now) = 0;
  // Cancels a broadcast that is still scheduled; false when it is not (any more).
  virtual Result<bool> cancel(std::int64_t id, const Actor& actor, Millis now) = 0;
  // A scheduled broadcast that cannot be queued (the template went, the segment is
  // empty): failed with `reason`, audited as `actor`.
  virtual Result<void> mark_failed(std::int64_t id, const std::string& reason, const Actor& actor,
                                   Millis now) = 0;

  // Scheduled broadcasts due at `now`, oldest first.
  virtual Result<std::vector<BroadcastRecord>> due(Millis now) = 0;
  // The newest `limit` broadcasts.
  virtual Result<std::vector<BroadcastRecord>> recent(std::int64_t limit) = 0;
  virtual Result<std::optional<BroadcastRecord>> find(std::int64_t id) = 0;
  virtual Result<std::vector<FailureGroup>> failures(std::int64_t notification_id) = 0;
};

// The broadcasts of a store opened by open_sqlite_store(). `store` must outlive it.
// Fails with invalid when `store` is not a SQLite store.
Result<std::unique_ptr<BroadcastStore>> broadcast_store_for(Store& store);

}  // namespace buurtlijn::store
