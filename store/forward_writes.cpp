// See forward_sql.hpp.
#include "store/forward_sql.hpp"
#include "store/sqlite_error.hpp"

namespace buurtlijn::store {

Result<void> queue_forwards(SqliteConnection& db, const NewReport& report,
                            const ReportCreated& created, std::int64_t subject_id) {
  for (const QueuedForward& forward : report.forwards) {
    // The item carries the reporter's subject (and so, when claimed, the contact
    // address) only when the team's configuration asks for contact details.
    auto insert = db.statement(R"sql(
      INSERT INTO outbox (subject_id, channel, payload, status, next_attempt_at, created_at,
                          updated_at)
      VALUES (:subject, :channel,
              json_set(:payload, '$.case_id', :case_id, '$.report_number', :number),
              'queued', :at, :at, :at))sql");
    if (!insert) return tl::unexpected(insert.error());
    auto& s = **insert;
    if (forward.with_reporter_contact && subject_id != 0) {
      s.bind(":subject", subject_id);
    } else {
      s.bind_null(":subject");
    }
    s.bind(":channel", forward.channel)
        .bind(":payload", forward.payload_json)
        .bind(":case_id", created.case_id)
        .bind(":number", created.public_number)
        .bind(":at", report.at);
    if (auto ok = s.run(); !ok) return tl::unexpected(ok.error());
    const std::int64_t outbox_id = db.last_insert_rowid();
    auto record = db.statement(R"sql(
      INSERT INTO case_forwards (case_id, team, channel, outbox_id, created_at)
      VALUES (:case_id, :team, :channel, :outbox_id, :at))sql");
    if (!record) return tl::unexpected(record.error());
    (*record)
        ->bind(":case_id", created.case_id)
        .bind(":team", report.team)
        .bind(":channel", forward.channel)
        .bind(":outbox_id", outbox_id)
        .bind(":at", report.at);
    if (auto ok = (*record)->run(); !ok) return tl::unexpected(ok.error());
  }
  return {};
}

}  // namespace buurtlijn::store
