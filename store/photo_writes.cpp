// See photo_sql.hpp.
#include "store/photo_sql.hpp"
#include "store/sqlite_error.hpp"

namespace buurtlijn::store {
namespace {

constexpr std::string_view kStoredPrefix = "photo:";

Result<std::int64_t> subject_id_of(SqliteConnection& db, const std::string& pseudonym) {
  if (pseudonym.empty()) return 0;
  auto select = db.statement("SELECT id FROM subjects WHERE pseudonym = :pseudonym");
  if (!select) return tl::unexpected(select.error());
  (*select)->bind(":pseudonym", pseudonym);
  auto row = (*select)->step();
  if (!row) return tl::unexpected(row.error());
  return *row ? (*select)->column_int64(0) : 0;
}

// Queues the reply that tells the subject of the media item what became of the photo.
Result<void> queue_photo_message(SqliteConnection& db, const ReportPhoto& photo,
                                 std::int64_t subject_id) {
  std::int64_t conversation_id = 0;
  {
    auto select = db.statement(
        "SELECT id FROM conversations WHERE subject_id = :subject AND channel = :channel");
    if (!select) return tl::unexpected(select.error());
    (*select)->bind(":subject", subject_id).bind(":channel", photo.channel);
    auto row = (*select)->step();
    if (!row) return tl::unexpected(row.error());
    if (*row) conversation_id = (*select)->column_int64(0);
  }
  std::int64_t message_id = 0;
  if (conversation_id != 0) {
    auto insert = db.statement(
        "INSERT INTO messages (conversation_id, direction, text, channel, created_at)"
        " VALUES (:conversation, 'out', :text, :channel, :at)");
    if (!insert) return tl::unexpected(insert.error());
    (*insert)
        ->bind(":conversation", conversation_id)
        .bind(":text", photo.message_text)
        .bind(":channel", photo.channel)
        .bind(":at", photo.at);
    if (auto ok = (*insert)->run(); !ok) return tl::unexpected(ok.error());
    message_id = db.last_insert_rowid();
  }
  auto insert = db.statement(R"sql(
    INSERT INTO outbox (conversation_id, message_id, subject_id, channel, payload, status,
                        next_attempt_at, created_at, updated_at)
    VALUES (:conversation, :message, :subject, :channel, :payload, 'queued', :at, :at, :at))sql");
  if (!insert) return tl::unexpected(insert.error());
  auto& s = **insert;
  if (conversation_id != 0) {
    s.bind(":conversation", conversation_id).bind(":message", message_id);
  } else {
    s.bind_null(":conversation").bind_null(":message");
  }
  s.bind(":subject", subject_id)
      .bind(":channel", photo.channel)
      .bind(":payload", photo.message_payload)
      .bind(":at", photo.at);
  if (auto ok = s.run(); !ok) return tl::unexpected(ok.error());
  return {};
}

}  // namespace

Result<void> queue_media(SqliteConnection& db, const NewReport& report,
                         const ReportCreated& created) {
  if (!report.media) return {};
  auto subject = subject_id_of(db, report.media->subject_pseudonym);
  if (!subject) return tl::unexpected(subject.error());
  auto insert = db.statement(R"sql(
    INSERT INTO outbox (subject_id, channel, payload, status, next_attempt_at, created_at,
                        updated_at)
    VALUES (:subject, 'media',
            json_set(:payload, '$.report_id', :report_id, '$.report_number', :number), 'queued',
            :at, :at, :at))sql");
  if (!insert) return tl::unexpected(insert.error());
  auto& s = **insert;
  if (*subject != 0) {
    s.bind(":subject", *subject);
  } else {
    s.bind_null(":subject");
  }
  s.bind(":payload", report.media->payload_json)
      .bind(":report_id", created.report_id)
      .bind(":number", created.public_number)
      .bind(":at", report.at);
  if (auto ok = s.run(); !ok) return tl::unexpected(ok.error());
  return {};
}

Result<bool> write_attach_report_photo(SqliteConnection& db, const ReportPhoto& photo) {
  std::int64_t subject_id = 0;
  {
    auto select = db.statement(
        "SELECT coalesce(subject_id, 0) FROM outbox WHERE id = :id AND channel = 'media'");
    if (!select) return tl::unexpected(select.error());
    (*select)->bind(":id", photo.media_item_id);
    auto row = (*select)->step();
    if (!row) return tl::unexpected(row.error());
    if (*row) subject_id = (*select)->column_int64(0);
  }
  {
    // The provider's media id and the link to the person leave the job's item.
    auto scrub = db.statement(
        "UPDATE outbox SET payload = '{}', subject_id = NULL WHERE id = :id AND channel = 'media'");
    if (!scrub) return tl::unexpected(scrub.error());
    (*scrub)->bind(":id", photo.media_item_id);
    if (auto ok = (*scrub)->run(); !ok) return tl::unexpected(ok.error());
  }
  auto update =
      db.statement("UPDATE reports SET photo_ref = :ref WHERE id = :id AND photo_ref = :expected");
  if (!update) return tl::unexpected(update.error());
  (*update)
      ->bind(":ref", photo.photo_ref)
      .bind(":id", photo.report_id)
      .bind(":expected", photo.expected_ref);
  if (auto ok = (*update)->run(); !ok) return tl::unexpected(ok.error());
  if (db.changes() == 0) return false;  // erased or purged meanwhile: tell nobody
  if (!photo.message_payload.empty() && subject_id != 0) {
    if (auto queued = queue_photo_message(db, photo, subject_id); !queued) {
      return tl::unexpected(queued.error());
    }
  }
  return true;
}

Result<std::vector<std::string>> write_expire_photos(SqliteConnection& db, Millis created_before) {
  std::vector<std::pair<std::int64_t, std::string>> expired;
  {
    auto select = db.statement(
        "SELECT id, substr(photo_ref, 7) FROM reports"
        " WHERE photo_ref LIKE 'photo:%' AND created_at < :before");
    if (!select) return tl::unexpected(select.error());
    (*select)->bind(":before", created_before);
    for (;;) {
      auto row = (*select)->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      expired.emplace_back((*select)->column_int64(0), (*select)->column_text(1));
    }
  }
  std::vector<std::string> ids;
  for (const auto& [report_id, photo_id] : expired) {
    auto update = db.statement("UPDATE reports SET photo_ref = '' WHERE id = :id");
    if (!update) return tl::unexpected(update.error());
    (*update)->bind(":id", report_id);
    if (auto ok = (*update)->run(); !ok) return tl::unexpected(ok.error());
    ids.push_back(photo_id);
  }
  return ids;
}

Result<std::vector<std::string>> read_referenced_photo_ids(SqliteConnection& db) {
  auto select =
      db.statement("SELECT substr(photo_ref, 7) FROM reports WHERE photo_ref LIKE 'photo:%'");
  if (!select) return tl::unexpected(select.error());
  std::vector<std::string> ids;
  for (;;) {
    auto row = (*select)->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) break;
    ids.push_back((*select)->column_text(0));
  }
  return ids;
}

Result<std::optional<std::int64_t>> read_case_of_photo(SqliteConnection& db,
                                                       const std::string& id) {
  auto select = db.statement("SELECT case_id FROM reports WHERE photo_ref = :ref LIMIT 1");
  if (!select) return tl::unexpected(select.error());
  (*select)->bind(":ref", std::string(kStoredPrefix) + id);
  auto row = (*select)->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{(*select)->column_int64(0)};
}

}  // namespace buurtlijn::store
