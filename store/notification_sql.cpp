// See notification_sql.hpp.
#include "store/notification_sql.hpp"

#include <algorithm>
#include <map>

#include "store/sqlite_error.hpp"

namespace buurtlijn::store {
namespace {

Error with_context(const Error& error, std::string_view context) {
  return Error{error.code, std::string(context) + ": " + error.message};
}

Result<void> record_event(SqliteConnection& db, std::int64_t subject_id, const std::string& state,
                          const std::string& how, Millis at) {
  auto insert = db.statement(
      "INSERT INTO subscription_events (subject_id, state, how, at)"
      " VALUES (:subject_id, :state, :how, :at)");
  if (!insert) return tl::unexpected(insert.error());
  (*insert)
      ->bind(":subject_id", subject_id)
      .bind(":state", state)
      .bind(":how", how)
      .bind(":at", at);
  if (auto ok = (*insert)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "record subscription event"));
  }
  return {};
}

}  // namespace

Result<std::optional<SubscriberRecord>> read_subscriber(SqliteConnection& db,
                                                        std::string_view subject_pseudonym) {
  SubscriberRecord record;
  {
    auto select = db.statement(R"sql(
      SELECT b.id, b.subject_id, b.channel, b.language, b.second_language, b.area, b.state,
             coalesce(b.opted_in_at, 0), coalesce(b.opted_in_how, ''),
             coalesce(b.opted_out_at, 0), coalesce(b.opted_out_how, '')
        FROM subjects s JOIN subscribers b ON b.subject_id = s.id
       WHERE s.pseudonym = :pseudonym)sql");
    if (!select) return tl::unexpected(select.error());
    auto& s = **select;
    s.bind(":pseudonym", subject_pseudonym);
    auto row = s.step();
    if (!row) return tl::unexpected(with_context(row.error(), "find subscriber"));
    if (!*row) return std::optional<SubscriberRecord>{};
    record.id = s.column_int64(0);
    record.subject_id = s.column_int64(1);
    record.channel = s.column_text(2);
    record.language = s.column_text(3);
    record.second_language = s.column_text(4);
    record.area = s.column_text(5);
    record.state = s.column_text(6);
    record.opted_in_at = s.column_int64(7);
    record.opted_in_how = s.column_text(8);
    record.opted_out_at = s.column_int64(9);
    record.opted_out_how = s.column_text(10);
  }
  auto topics =
      db.statement("SELECT topic FROM subscriber_topics WHERE subscriber_id = :id ORDER BY topic");
  if (!topics) return tl::unexpected(topics.error());
  (*topics)->bind(":id", record.id);
  for (;;) {
    auto row = (*topics)->step();
    if (!row) return tl::unexpected(with_context(row.error(), "read subscriber topics"));
    if (!*row) break;
    record.topics.push_back((*topics)->column_text(0));
  }
  return std::optional<SubscriberRecord>{std::move(record)};
}

Result<void> write_subscription_change(SqliteConnection& db, std::int64_t subject_id,
                                       const std::string& channel, const SubscriptionChange& change,
                                       Millis at) {
  if (change.state != "pending" && change.state != "active" && change.state != "stopped") {
    return fail(Error::Code::invalid, "subscription change: unknown state " + change.state);
  }
  auto upsert = db.statement(R"sql(
    INSERT INTO subscribers (subject_id, channel, language, second_language, state, asked_at,
                             opted_in_at, opted_in_how, opted_out_at, opted_out_how,
                             created_at, updated_at)
    VALUES (:subject_id, :channel, :language, :second_language, :state,
            CASE WHEN :state = 'pending' THEN :at END,
            CASE WHEN :state = 'active' THEN :at END,
            CASE WHEN :state = 'active' THEN :how END,
            CASE WHEN :state = 'stopped' THEN :at END,
            CASE WHEN :state = 'stopped' THEN :how END, :at, :at)
    ON CONFLICT (subject_id) DO UPDATE SET
      state = excluded.state,
      language = CASE WHEN excluded.language = '' THEN language ELSE excluded.language END,
      second_language = excluded.second_language,
      asked_at = coalesce(excluded.asked_at, asked_at),
      opted_in_at = coalesce(excluded.opted_in_at, opted_in_at),
      opted_in_how = coalesce(excluded.opted_in_how, opted_in_how),
      opted_out_at = coalesce(excluded.opted_out_at, opted_out_at),
      opted_out_how = coalesce(excluded.opted_out_how, opted_out_how),
      updated_at = excluded.updated_at)sql");
  if (!upsert) return tl::unexpected(upsert.error());
  (*upsert)
      ->bind(":subject_id", subject_id)
      .bind(":channel", channel)
      .bind(":language", change.language)
      .bind(":second_language", change.second_language)
      .bind(":state", change.state)
      .bind(":how", change.how)
      .bind(":at", at);
  if (auto ok = (*upsert)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "store subscription change"));
  }
  return record_event(db, subject_id, change.state, change.how, at);
}

Result<void> write_subscriber_language(SqliteConnection& db, std::int64_t subject_id,
                                       const std::string& language) {
  if (language.empty()) return {};
  auto update = db.statement(
      "UPDATE subscribers SET language = :language"
      " WHERE subject_id = :subject_id AND language IS NOT :language");
  if (!update) return tl::unexpected(update.error());
  (*update)->bind(":language", language).bind(":subject_id", subject_id);
  if (auto ok = (*update)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "update subscriber language"));
  }
  return {};
}

namespace {

Result<bool> opt_out_subject(SqliteConnection& db, std::int64_t subject_id,
                             const std::string& channel, const std::string& how, Millis at) {
  auto update = db.statement(R"sql(
    UPDATE subscribers SET state = 'stopped', opted_out_at = :at, opted_out_how = :how,
                           updated_at = :at
     WHERE subject_id = :subject_id AND state IN ('pending', 'active'))sql");
  if (!update) return tl::unexpected(update.error());
  (*update)->bind(":at", at).bind(":how", how).bind(":subject_id", subject_id);
  if (auto ok = (*update)->run(); !ok) return tl::unexpected(with_context(ok.error(), "opt out"));
  if (db.changes() == 1) {
    if (auto ok = record_event(db, subject_id, "stopped", how, at); !ok) {
      return tl::unexpected(ok.error());
    }
    return true;
  }
  // No subscription to stop: keep the opt-out on record all the same.
  auto insert = db.statement(R"sql(
    INSERT INTO subscribers (subject_id, channel, state, opted_out_at, opted_out_how,
                             created_at, updated_at)
    VALUES (:subject_id, :channel, 'stopped', :at, :how, :at, :at)
    ON CONFLICT (subject_id) DO NOTHING)sql");
  if (!insert) return tl::unexpected(insert.error());
  (*insert)
      ->bind(":subject_id", subject_id)
      .bind(":channel", channel)
      .bind(":at", at)
      .bind(":how", how);
  if (auto ok = (*insert)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "record opt out"));
  }
  if (db.changes() == 1) {
    if (auto ok = record_event(db, subject_id, "stopped", how, at); !ok) {
      return tl::unexpected(ok.error());
    }
    return true;
  }
  return false;
}

}  // namespace

Result<bool> write_opt_out(SqliteConnection& db, std::string_view subject_pseudonym,
                           const std::string& how, Millis at) {
  auto select = db.statement("SELECT id, channel FROM subjects WHERE pseudonym = :pseudonym");
  if (!select) return tl::unexpected(select.error());
  (*select)->bind(":pseudonym", subject_pseudonym);
  auto row = (*select)->step();
  if (!row) return tl::unexpected(with_context(row.error(), "find subject to opt out"));
  if (!*row) return false;  // never wrote to us: nothing is known, nothing to stop
  const std::int64_t subject_id = (*select)->column_int64(0);
  const std::string channel = (*select)->column_text(1);
  (*select)->reset();
  return opt_out_subject(db, subject_id, channel, how, at);
}

Result<bool> write_opt_out_of_outbox_item(SqliteConnection& db, std::int64_t outbox_id,
                                          const std::string& how, Millis at) {
  auto select = db.statement(R"sql(
    SELECT s.id, s.channel FROM outbox o
      LEFT JOIN conversations c ON c.id = o.conversation_id
      JOIN subjects s ON s.id = coalesce(o.subject_id, c.subject_id)
     WHERE o.id = :id)sql");
  if (!select) return tl::unexpected(select.error());
  (*select)->bind(":id", outbox_id);
  auto row = (*select)->step();
  if (!row) return tl::unexpected(with_context(row.error(), "find subject of outbox item"));
  if (!*row) return false;
  const std::int64_t subject_id = (*select)->column_int64(0);
  const std::string channel = (*select)->column_text(1);
  (*select)->reset();
  return opt_out_subject(db, subject_id, channel, how, at);
}

Result<std::int64_t> write_create_api_key(SqliteConnection& db, const std::string& name,
                                          const std::string& key_hash, Millis at) {
  auto insert =
      db.statement("INSERT INTO api_keys (name, key_hash, created_at) VALUES (:name, :hash, :at)");
  if (!insert) return tl::unexpected(insert.error());
  (*insert)->bind(":name", name).bind(":hash", key_hash).bind(":at", at);
  if (auto ok = (*insert)->run(); !ok) {
    if ((*insert)->last_result_code() == SQLITE_CONSTRAINT_UNIQUE) {
      return fail(Error::Code::invalid, "an API key named '" + name + "' exists already");
    }
    return tl::unexpected(with_context(ok.error(), "create API key"));
  }
  return db.last_insert_rowid();
}

Result<bool> write_revoke_api_key(SqliteConnection& db, const std::string& name, Millis at) {
  auto update = db.statement(
      "UPDATE api_keys SET revoked_at = :at WHERE name = :name AND revoked_at IS NULL");
  if (!update) return tl::unexpected(update.error());
  (*update)->bind(":at", at).bind(":name", name);
  if (auto ok = (*update)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "revoke API key"));
  }
  return db.changes() == 1;
}

Result<std::vector<ApiKeyRecord>> read_api_keys(SqliteConnection& db) {
  auto select = db.statement(
      "SELECT id, name, key_hash, created_at, coalesce(revoked_at, 0) FROM api_keys ORDER BY id");
  if (!select) return tl::unexpected(select.error());
  std::vector<ApiKeyRecord> keys;
  for (;;) {
    auto row = (*select)->step();
    if (!row) return tl::unexpected(with_context(row.error(), "read API keys"));
    if (!*row) break;
    auto& s = **select;
    keys.push_back(ApiKeyRecord{s.column_int64(0), s.column_text(1), s.column_text(2),
                                s.column_int64(3), s.column_int64(4)});
  }
  return keys;
}

namespace {

// Appends `text` (valid UTF-8) to `out` as a JSON string.
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

// A broadcast's pages must fit in SQLite's page cache. With the default (2 MB), reading
// 50,000 recipients (subscriber, subject and conversation of each, in subscriber order)
// read 100,000 pages from the file, and queuing them spilled the transaction's dirty
// pages to the WAL and read them back (the outbox's index by conversation gets one entry
// per recipient spread over all its pages). The cache of the connection is raised for
// the statement (SQLite allocates pages only as they are used) and set back afterwards,
// which frees what is above the default again.
class ScopedPageCache {
 public:
  ScopedPageCache(SqliteConnection& db, std::size_t kib) : db_(db) {
    kib = std::min<std::size_t>(kib, 256 * 1024);
    if (kib <= 2000) return;  // the default cache holds it
    {
      auto current = db_.statement("PRAGMA cache_size");
      if (!current) return;
      auto row = (*current)->step();
      if (!row || !*row) return;
      previous_ = (*current)->column_int64(0);
    }  // the lease resets the statement
    raised_ = db_.exec("PRAGMA cache_size = -" + std::to_string(kib)).has_value();
  }
  ~ScopedPageCache() {
    if (raised_) (void)db_.exec("PRAGMA cache_size = " + std::to_string(previous_));
  }
  ScopedPageCache(const ScopedPageCache&) = delete;
  ScopedPageCache& operator=(const ScopedPageCache&) = delete;

 private:
  SqliteConnection& db_;
  std::int64_t previous_ = 0;
  bool raised_ = false;
};

// For reading a whole segment: the tables it joins are a few MB per 10,000 subscribers.
constexpr std::size_t kSegmentReadCacheKib = 64 * 1024;

}  // namespace

// Who a notification goes to: active subscribers matching the target. Empty segment
// fields match everything; a subject pseudonym picks one subscriber. One text for the
// recipients and their counts, so that a preview counts exactly what a send queues.
#define BUURTLIJN_RECIPIENTS_FROM_WHERE                              \
  "  FROM subscribers b"                                             \
  "  JOIN subjects s ON s.id = b.subject_id"                         \
  "  LEFT JOIN conversations c ON c.subject_id = b.subject_id"       \
  " WHERE b.state = 'active'"                                        \
  "   AND (:pseudonym = '' OR s.pseudonym = :pseudonym)"             \
  "   AND (:language = '' OR b.language = :language)"                \
  "   AND (:area = '' OR b.area = :area)"                            \
  "   AND (:channel = '' OR b.channel = :channel)"                   \
  "   AND (:topic = '' OR EXISTS (SELECT 1 FROM subscriber_topics t" \
  "                                WHERE t.subscriber_id = b.id AND t.topic = :topic))"

namespace {
void bind_target(SqliteStatement& s, const NotificationTarget& target) {
  s.bind(":pseudonym", target.subject_pseudonym)
      .bind(":language", target.language)
      .bind(":area", target.area)
      .bind(":channel", target.channel)
      .bind(":topic", target.topic);
}
}  // namespace

Result<std::vector<NotificationRecipient>> read_notification_recipients(
    SqliteConnection& db, const NotificationTarget& target) {
  const ScopedPageCache cache(db, kSegmentReadCacheKib);
  auto select = db.statement(
      "SELECT b.id, b.channel, b.language, b.second_language,"
      "       coalesce(c.last_inbound_at, 0)" BUURTLIJN_RECIPIENTS_FROM_WHERE " ORDER BY b.id");
  if (!select) return tl::unexpected(select.error());
  auto& s = **select;
  bind_target(s, target);
  std::vector<NotificationRecipient> recipients;
  for (;;) {
    auto row = s.step();
    if (!row) return tl::unexpected(with_context(row.error(), "select notification recipients"));
    if (!*row) break;
    recipients.push_back(NotificationRecipient{s.column_int64(0), s.column_text(1),
                                               s.column_text(2), s.column_text(3),
                                               s.column_int64(4)});
  }
  return recipients;
}

Result<std::vector<RecipientGroup>> read_recipient_groups(SqliteConnection& db,
                                                          const NotificationTarget& target,
                                                          Millis window_start) {
  const ScopedPageCache cache(db, kSegmentReadCacheKib);
  auto select = db.statement(
      // Outside the window: WhatsApp, and the last message before its start (0, never
      // wrote, is before any start).
      "SELECT b.channel, b.language,"
      "       b.channel = 'whatsapp' AND coalesce(c.last_inbound_at, 0) < :window_start,"
      "       count(*)" BUURTLIJN_RECIPIENTS_FROM_WHERE " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
  if (!select) return tl::unexpected(select.error());
  auto& s = **select;
  bind_target(s, target);
  s.bind(":window_start", window_start);
  std::vector<RecipientGroup> groups;
  for (;;) {
    auto row = s.step();
    if (!row) return tl::unexpected(with_context(row.error(), "count notification recipients"));
    if (!*row) break;
    groups.push_back(RecipientGroup{s.column_text(0), s.column_text(1), s.column_int64(2) != 0,
                                    s.column_int64(3)});
  }
  return groups;
}

#undef BUURTLIJN_RECIPIENTS_FROM_WHERE

Result<NotificationQueued> write_queue_notification(SqliteConnection& db,
                                                    const NotificationBatch& batch) {
  const ScopedPageCache cache(db, batch.items.size());  // about 1 KB per item
  {
    auto insert = db.statement(R"sql(
      INSERT INTO notifications (api_key_id, template, target, created_at)
      VALUES (:api_key_id, :template, :target, :at))sql");
    if (!insert) return tl::unexpected(insert.error());
    if (batch.api_key_id > 0) {
      (*insert)->bind(":api_key_id", batch.api_key_id);
    } else {
      (*insert)->bind_null(":api_key_id");
    }
    (*insert)
        ->bind(":template", batch.template_key)
        .bind(":target", batch.target_json)
        .bind(":at", batch.at);
    if (auto ok = (*insert)->run(); !ok) {
      return tl::unexpected(with_context(ok.error(), "insert notification"));
    }
  }
  NotificationQueued queued;
  queued.id = db.last_insert_rowid();
  // ONE statement for the whole batch, not one per recipient: every INSERT ... SELECT
  // runs in a statement transaction whose journal keeps each page it changes, so a
  // statement per recipient (or per payload) journalled the outbox's table and index
  // pages again and again (1.7 GB of writes for 50,000 recipients; see bench/README.md).
  // The items go in as a JSON array of [subscriber id, payload index] in recipient order,
  // the distinct payloads as a JSON array of strings. The subscriber must still be
  // active at commit time (an opt-out that came in meanwhile wins).
  auto insert = db.statement(R"sql(
    WITH p (idx, payload) AS MATERIALIZED (SELECT key, value FROM json_each(:payloads))
    INSERT INTO outbox (conversation_id, subject_id, channel, payload, status, next_attempt_at,
                        created_at, updated_at, notification_id)
    SELECT c.id, b.subject_id, b.channel, p.payload, 'queued', :at, :at, :at, :notification_id
      FROM json_each(:items) i  -- CROSS JOIN: the items drive, each a primary-key look-up
      CROSS JOIN subscribers b ON b.id = i.value ->> 0
      CROSS JOIN p ON p.idx = i.value ->> 1
      LEFT JOIN conversations c ON c.subject_id = b.subject_id
     WHERE b.state = 'active')sql");
  if (!insert) return tl::unexpected(insert.error());
  std::string items = "[";
  std::string uncounted = "[";  // further parts of split SMS: items, not recipients
  items.reserve(batch.items.size() * 12);
  for (const NotificationBatch::Item& item : batch.items) {
    if (item.payload >= batch.payloads.size()) {
      return fail(Error::Code::invalid, "queue notification: payload index out of range");
    }
    if (items.size() > 1) items += ',';
    items += '[';
    items += std::to_string(item.subscriber_id);
    items += ',';
    items += std::to_string(item.payload);
    items += ']';
    if (!item.counts) {
      if (uncounted.size() > 1) uncounted += ',';
      uncounted += std::to_string(item.subscriber_id);
    }
  }
  items += ']';
  uncounted += ']';
  std::string payloads = "[";
  for (const std::string& payload : batch.payloads) {
    if (payloads.size() > 1) payloads += ',';
    append_json_string(payloads, payload);
  }
  payloads += ']';
  {
    auto& s = **insert;
    s.bind(":payloads", payloads)
        .bind(":items", items)
        .bind(":at", batch.at)
        .bind(":notification_id", queued.id);
    if (auto ok = s.run(); !ok) {
      return tl::unexpected(with_context(ok.error(), "queue notification items"));
    }
    queued.recipients = db.changes();
  }
  if (uncounted.size() > 2) {
    auto parts = db.statement(R"sql(
      SELECT count(*) FROM json_each(:ids) i CROSS JOIN subscribers b ON b.id = i.value
       WHERE b.state = 'active')sql");
    if (!parts) return tl::unexpected(parts.error());
    (*parts)->bind(":ids", uncounted);
    auto row = (*parts)->step();
    if (!row) return tl::unexpected(with_context(row.error(), "count notification parts"));
    if (*row) queued.recipients -= (*parts)->column_int64(0);
  }
  auto update = db.statement("UPDATE notifications SET recipients = :n WHERE id = :id");
  if (!update) return tl::unexpected(update.error());
  (*update)->bind(":n", queued.recipients).bind(":id", queued.id);
  if (auto ok = (*update)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "count notification recipients"));
  }
  return queued;
}

Result<std::optional<NotificationCounts>> read_notification_counts(SqliteConnection& db,
                                                                   std::int64_t id) {
  NotificationCounts counts;
  {
    auto select = db.statement(
        "SELECT id, template, created_at, recipients FROM notifications WHERE id = :id");
    if (!select) return tl::unexpected(select.error());
    (*select)->bind(":id", id);
    auto row = (*select)->step();
    if (!row) return tl::unexpected(with_context(row.error(), "read notification"));
    if (!*row) return std::optional<NotificationCounts>{};
    counts.id = (*select)->column_int64(0);
    counts.template_key = (*select)->column_text(1);
    counts.created_at = (*select)->column_int64(2);
    counts.recipients = (*select)->column_int64(3);
  }
  auto select = db.statement(R"sql(
    SELECT channel, status, count(*) FROM outbox WHERE notification_id = :id
     GROUP BY channel, status ORDER BY channel, status)sql");
  if (!select) return tl::unexpected(select.error());
  (*select)->bind(":id", id);
  std::map<std::string, std::int64_t> by_state;
  std::map<std::string, std::map<std::string, std::int64_t>> by_channel;
  for (const char* state : {"queued", "inflight", "sent", "delivered", "read", "failed", "dead"}) {
    by_state[state] = 0;
  }
  for (;;) {
    auto row = (*select)->step();
    if (!row) return tl::unexpected(with_context(row.error(), "count notification items"));
    if (!*row) break;
    const std::string channel = (*select)->column_text(0);
    const std::string status = (*select)->column_text(1);
    const std::int64_t n = (*select)->column_int64(2);
    by_state[status] += n;
    by_channel[channel][status] += n;
  }
  counts.by_state.assign(by_state.begin(), by_state.end());
  for (auto& [channel, states] : by_channel) {
    counts.by_channel.emplace_back(
        channel, std::vector<std::pair<std::string, std::int64_t>>(states.begin(), states.end()));
  }
  return std::optional<NotificationCounts>{std::move(counts)};
}

}  // namespace buurtlijn::store
