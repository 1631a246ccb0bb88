// The SQLite implementation of BroadcastStore (see broadcast_store.hpp). Reads lease a
// read connection; writes are jobs of the single writer, awaited with a future.
#include <utility>

#include "store/admin_writes.hpp"
#include "store/broadcast_store.hpp"
#include "store/notification_sql.hpp"
#include "store/sqlite_error.hpp"
#include "store/sqlite_store.hpp"

namespace buurtlijn::store {
namespace {

constexpr std::string_view kBroadcastColumns = R"sql(
  SELECT b.id, b.source, b.source_key, b.params, b.language, b.area, b.channel, b.topic,
         b.state, b.due_at, coalesce(b.notification_id, 0), coalesce(n.recipients, 0), b.reason,
         b.created_by, b.created_at
    FROM broadcasts b LEFT JOIN notifications n ON n.id = b.notification_id)sql";

BroadcastRecord read_record(const SqliteStatement& s) {
  BroadcastRecord record;
  record.id = s.column_int64(0);
  record.source = s.column_text(1);
  record.source_key = s.column_text(2);
  record.params_json = s.column_text(3);
  record.segment.language = s.column_text(4);
  record.segment.area = s.column_text(5);
  record.segment.channel = s.column_text(6);
  record.segment.topic = s.column_text(7);
  record.state = s.column_text(8);
  record.due_at = s.column_int64(9);
  record.notification_id = s.column_int64(10);
  record.recipients = s.column_int64(11);
  record.reason = s.column_text(12);
  record.created_by = s.column_text(13);
  record.created_at = s.column_int64(14);
  return record;
}

std::string describe(const BroadcastRecord& record) {
  std::string text = record.source + " " + record.source_key + "; segment";
  const std::pair<const char*, const std::string*> fields[] = {
      {"language", &record.segment.language},
      {"area", &record.segment.area},
      {"channel", &record.segment.channel},
      {"topic", &record.segment.topic}};
  for (const auto& [name, value] : fields) {
    if (!value->empty()) text += std::string(" ") + name + "=" + *value;
  }
  return text;
}

Result<std::int64_t> insert_record(SqliteConnection& db, const BroadcastRecord& record,
                                   std::string_view state, std::string_view params,
                                   std::int64_t notification_id, Millis now) {
  auto insert = db.statement(R"sql(
    INSERT INTO broadcasts (source, source_key, params, language, area, channel, topic, state,
                            due_at, notification_id, created_by, created_at, updated_at)
    VALUES (:source, :key, :params, :language, :area, :channel, :topic, :state, :due_at,
            :notification_id, :created_by, :now, :now))sql");
  if (!insert) return tl::unexpected(insert.error());
  auto& s = **insert;
  s.bind(":source", record.source)
      .bind(":key", record.source_key)
      .bind(":params", params)
      .bind(":language", record.segment.language)
      .bind(":area", record.segment.area)
      .bind(":channel", record.segment.channel)
      .bind(":topic", record.segment.topic)
      .bind(":state", state)
      .bind(":due_at", record.due_at)
      .bind(":created_by", record.created_by)
      .bind(":now", now);
  if (notification_id > 0) {
    s.bind(":notification_id", notification_id);
  } else {
    s.bind_null(":notification_id");
  }
  if (auto ok = s.run(); !ok) return tl::unexpected(ok.error());
  return db.last_insert_rowid();
}

class SqliteBroadcastStore final : public BroadcastStore {
 public:
  explicit SqliteBroadcastStore(SqliteStore& store) : store_(store) {}

  Result<std::vector<RecipientGroup>> count_recipients(const NotificationTarget& segment,
                                                       Millis window_start) override {
    auto db = store_.read_connection();
    if (!db) return tl::unexpected(db.error());
    return read_recipient_groups(**db, segment, window_start);
  }

  Result<std::vector<std::string>> subscriber_areas() override {
    return strings(
        "SELECT DISTINCT area FROM subscribers WHERE state = 'active' AND area <> '' "
        "ORDER BY area");
  }

  Result<std::vector<std::string>> subscriber_topics() override {
    return strings(
        "SELECT DISTINCT t.topic FROM subscriber_topics t JOIN subscribers b "
        "ON b.id = t.subscriber_id WHERE b.state = 'active' ORDER BY t.topic");
  }

  Result<BroadcastQueued> queue(const NotificationBatch& batch, const BroadcastRecord& record,
                                const Actor& actor, Millis now) override {
    return write<BroadcastQueued>([&batch, &record, &actor,
                                   now](SqliteConnection& db) -> Result<BroadcastQueued> {
      BroadcastQueued result;
      result.broadcast_id = record.id;
      if (record.id > 0) {
        // A scheduled one: claim it first, so a cancel that came in meanwhile wins.
        auto claim = db.statement(
            "UPDATE broadcasts SET state = 'queued', params = '{}', updated_at = :now "
            "WHERE id = :id AND state = 'scheduled'");
        if (!claim) return tl::unexpected(claim.error());
        (*claim)->bind(":now", now).bind(":id", record.id);
        if (auto ok = (*claim)->run(); !ok) return tl::unexpected(ok.error());
        if (db.changes() != 1) {
          return fail(Error::Code::invalid,
                      "broadcast " + std::to_string(record.id) + " is no longer scheduled");
        }
      }
      auto queued = write_queue_notification(db, batch);
      if (!queued) return tl::unexpected(queued.error());
      result.notification_id = queued->id;
      result.recipients = queued->recipients;
      if (record.id > 0) {
        auto link =
            db.statement("UPDATE broadcasts SET notification_id = :notification_id WHERE id = :id");
        if (!link) return tl::unexpected(link.error());
        (*link)->bind(":notification_id", queued->id).bind(":id", record.id);
        if (auto ok = (*link)->run(); !ok) return tl::unexpected(ok.error());
      } else {
        auto id = insert_record(db, record, "queued", "{}", queued->id, now);
        if (!id) return tl::unexpected(id.error());
        result.broadcast_id = *id;
      }
      if (auto ok = write_audit(
              db, actor, "broadcast.send", "broadcast " + std::to_string(result.broadcast_id),
              describe(record) + "; " + std::to_string(queued->recipients) + " recipients", now);
          !ok) {
        return tl::unexpected(ok.error());
      }
      return result;
    });
  }

  Result<std::int64_t> schedule(const BroadcastRecord& record, const Actor& actor,
                                Millis now) override {
    return write<std::int64_t>([&record, &actor,
                                now](SqliteConnection& db) -> Result<std::int64_t> {
      auto id = insert_record(db, record, "scheduled", record.params_json, 0, now);
      if (!id) return tl::unexpected(id.error());
      if (auto ok = write_audit(db, actor, "broadcast.schedule", "broadcast " + std::to_string(*id),
                                describe(record) + "; due " + std::to_string(record.due_at), now);
          !ok) {
        return tl::unexpected(ok.error());
      }
      return *id;
    });
  }

  Result<bool> cancel(std::int64_t id, const Actor& actor, Millis now) override {
    return write<bool>([id, &actor, now](SqliteConnection& db) -> Result<bool> {
      auto update = db.statement(
          "UPDATE broadcasts SET state = 'cancelled', params = '{}', updated_at = :now "
          "WHERE id = :id AND state = 'scheduled'");
      if (!update) return tl::unexpected(update.error());
      (*update)->bind(":now", now).bind(":id", id);
      if (auto ok = (*update)->run(); !ok) return tl::unexpected(ok.error());
      if (db.changes() != 1) return false;
      if (auto ok = write_audit(db, actor, "broadcast.cancel", "broadcast " + std::to_string(id),
                                "", now);
          !ok) {
        return tl::unexpected(ok.error());
      }
      return true;
    });
  }

  Result<void> mark_failed(std::int64_t id, const std::string& reason, const Actor& actor,
                           Millis now) override {
    return write<bool>([id, &reason, &actor, now](SqliteConnection& db) -> Result<bool> {
             auto update = db.statement(
                 "UPDATE broadcasts SET state = 'failed', params = '{}', reason = :reason, "
                 "updated_at = :now WHERE id = :id AND state = 'scheduled'");
             if (!update) return tl::unexpected(update.error());
             (*update)->bind(":reason", reason).bind(":now", now).bind(":id", id);
             if (auto ok = (*update)->run(); !ok) return tl::unexpected(ok.error());
             if (db.changes() != 1) return false;
             if (auto ok = write_audit(db, actor, "broadcast.fail",
                                       "broadcast " + std::to_string(id), reason, now);
                 !ok) {
               return tl::unexpected(ok.error());
             }
             return true;
           })
        .map([](bool) {});
  }

  Result<std::vector<BroadcastRecord>> due(Millis now) override {
    return records(
        std::string(kBroadcastColumns) +
            " WHERE b.state = 'scheduled' AND b.due_at <= :now ORDER BY b.due_at, b.id",
        [now](SqliteStatement& s) { s.bind(":now", now); }, 100);
  }

  Result<std::vector<BroadcastRecord>> recent(std::int64_t limit) override {
    return records(
        std::string(kBroadcastColumns) + " ORDER BY b.id DESC LIMIT :limit",
        [limit](SqliteStatement& s) { s.bind(":limit", limit); }, static_cast<std::size_t>(limit));
  }

  Result<std::optional<BroadcastRecord>> find(std::int64_t id) override {
    auto found = records(
        std::string(kBroadcastColumns) + " WHERE b.id = :id",
        [id](SqliteStatement& s) { s.bind(":id", id); }, 1);
    if (!found) return tl::unexpected(found.error());
    if (found->empty()) return std::optional<BroadcastRecord>{};
    return std::optional<BroadcastRecord>(std::move(found->front()));
  }

  Result<std::vector<FailureGroup>> failures(std::int64_t notification_id) override {
    auto db = store_.read_connection();
    if (!db) return tl::unexpected(db.error());
    auto select = (*db)->statement(R"sql(
      SELECT channel, coalesce(last_error, ''), count(*) FROM outbox
       WHERE notification_id = :id AND status IN ('failed', 'dead')
       GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2)sql");
    if (!select) return tl::unexpected(select.error());
    (*select)->bind(":id", notification_id);
    std::vector<FailureGroup> groups;
    for (;;) {
      auto row = (*select)->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      groups.push_back(FailureGroup{(*select)->column_text(0), (*select)->column_text(1),
                                    (*select)->column_int64(2)});
    }
    return groups;
  }

 private:
  Result<std::vector<std::string>> strings(std::string_view sql) {
    auto db = store_.read_connection();
    if (!db) return tl::unexpected(db.error());
    auto select = (*db)->statement(sql);
    if (!select) return tl::unexpected(select.error());
    std::vector<std::string> values;
    for (;;) {
      auto row = (*select)->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      values.push_back((*select)->column_text(0));
    }
    return values;
  }

  template <class Bind>
  Result<std::vector<BroadcastRecord>> records(const std::string& sql, Bind bind,
                                               std::size_t most) {
    return store_.read_rows<BroadcastRecord>(sql, bind, read_record, most);
  }

  template <class T>
  Result<T> write(std::function<Result<T>(SqliteConnection&)> work) {
    return store_.write_and_wait<T>(std::move(work));
  }

  SqliteStore& store_;
};

}  // namespace

Result<std::unique_ptr<BroadcastStore>> broadcast_store_for(Store& store) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  if (sqlite == nullptr) return fail(Error::Code::invalid, "broadcasts need the SQLite store");
  return std::unique_ptr<BroadcastStore>(std::make_unique<SqliteBroadcastStore>(*sqlite));
}

}  // namespace buurtlijn::store
