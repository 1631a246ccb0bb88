// The SQL of the case writes (see case_store.hpp): a report with its case, and a case
// transition with its event, deadlines and reporter updates. Runs on the writer thread
// inside the job's savepoint, so a failure leaves nothing half-written.
#include <cmath>

#include "store/case_sql.hpp"
#include "store/forward_sql.hpp"
#include "store/photo_sql.hpp"
#include "store/sqlite_error.hpp"

namespace buurtlijn::store {
namespace {

Error with_context(const Error& error, std::string_view context) {
  return Error{error.code, std::string(context) + ": " + error.message};
}

void bind_micro(SqliteStatement& s, std::string_view name, const std::optional<double>& degrees) {
  if (degrees) {
    s.bind(name, static_cast<std::int64_t>(std::llround(*degrees * 1e6)));
  } else {
    s.bind_null(name);
  }
}

// The subject of a reporter, created when it is new; 0 for an anonymous report.
Result<std::int64_t> subject_of(SqliteConnection& db, const NewReport& report) {
  if (report.subject_pseudonym.empty()) return 0;
  {
    auto select = db.statement("SELECT id FROM subjects WHERE pseudonym = :pseudonym");
    if (!select) return tl::unexpected(select.error());
    (*select)->bind(":pseudonym", report.subject_pseudonym);
    auto row = (*select)->step();
    if (!row) return tl::unexpected(with_context(row.error(), "find reporter"));
    if (*row) {
      const std::int64_t id = (*select)->column_int64(0);
      if (report.contact_address.empty()) return id;
      auto upsert = db.statement(
          "INSERT INTO contact_addresses (subject_id, address) VALUES (:id, :address)"
          " ON CONFLICT (subject_id) DO UPDATE SET address = excluded.address");
      if (!upsert) return tl::unexpected(upsert.error());
      (*upsert)->bind(":id", id).bind(":address", report.contact_address);
      if (auto ok = (*upsert)->run(); !ok) return tl::unexpected(ok.error());
      return id;
    }
  }
  auto insert = db.statement(
      "INSERT INTO subjects (pseudonym, channel, created_at) VALUES (:pseudonym, :channel, :at)");
  if (!insert) return tl::unexpected(insert.error());
  (*insert)
      ->bind(":pseudonym", report.subject_pseudonym)
      .bind(":channel", report.channel)
      .bind(":at", report.at);
  if (auto ok = (*insert)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "add reporter"));
  }
  const std::int64_t id = db.last_insert_rowid();
  if (!report.contact_address.empty()) {
    auto address =
        db.statement("INSERT INTO contact_addresses (subject_id, address) VALUES (:id, :address)");
    if (!address) return tl::unexpected(address.error());
    (*address)->bind(":id", id).bind(":address", report.contact_address);
    if (auto ok = (*address)->run(); !ok) return tl::unexpected(ok.error());
  }
  return id;
}

Result<std::int64_t> free_number(SqliteConnection& db,
                                 const std::vector<std::int64_t>& candidates) {
  for (const std::int64_t candidate : candidates) {
    auto select = db.statement("SELECT 1 FROM reports WHERE public_number = :number");
    if (!select) return tl::unexpected(select.error());
    (*select)->bind(":number", candidate);
    auto row = (*select)->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return candidate;
  }
  return fail(Error::Code::invalid, "create report: no free public number among the candidates");
}

Result<std::int64_t> insert_case(SqliteConnection& db, const NewReport& report) {
  auto insert = db.statement(R"sql(
    INSERT INTO cases (category, path, state, wijk_code, wijk_name, buurt_code, buurt_name,
                       address_key, latitude_e6, longitude_e6, team, target_days, target_on,
                       created_at, updated_at, last_report_at)
    VALUES (:category, :path, :state, :wijk_code, :wijk_name, :buurt_code, :buurt_name,
            :address_key, :lat, :lon, :team, :target_days, :target_on, :at, :at, :at))sql");
  if (!insert) return tl::unexpected(insert.error());
  auto& s = **insert;
  s.bind(":category", report.category)
      .bind(":path", report.path)
      .bind(":state", report.initial_state)
      .bind(":wijk_code", report.area.wijk_code)
      .bind(":wijk_name", report.area.wijk_name)
      .bind(":buurt_code", report.area.buurt_code)
      .bind(":buurt_name", report.area.buurt_name)
      .bind(":address_key", report.address_key)
      .bind(":team", report.team)
      .bind(":target_days", std::int64_t{report.target_days})
      .bind(":target_on", report.target_on)
      .bind(":at", report.at);
  bind_micro(s, ":lat", report.latitude);
  bind_micro(s, ":lon", report.longitude);
  if (auto ok = s.run(); !ok) return tl::unexpected(with_context(ok.error(), "create case"));
  return db.last_insert_rowid();
}

}  // namespace

Result<ReportCreated> write_report(SqliteConnection& db, const NewReport& report) {
  ReportCreated created;
  if (!report.source_message.empty()) {
    auto earlier = db.statement(
        "SELECT id, public_number, case_id FROM reports WHERE source_message = :source");
    if (!earlier) return tl::unexpected(earlier.error());
    (*earlier)->bind(":source", report.source_message);
    auto row = (*earlier)->step();
    if (!row) return tl::unexpected(row.error());
    if (*row) {
      created.report_id = (*earlier)->column_int64(0);
      created.public_number = (*earlier)->column_int64(1);
      created.case_id = (*earlier)->column_int64(2);
      created.already_existed = true;
      return created;
    }
  }
  if (report.join_case_id != 0) {
    auto touch = db.statement(
        "UPDATE cases SET last_report_at = :at, updated_at = :at"
        " WHERE id = :id AND state <> 'closed'");
    if (!touch) return tl::unexpected(touch.error());
    (*touch)->bind(":at", report.at).bind(":id", report.join_case_id);
    if (auto ok = (*touch)->run(); !ok) return tl::unexpected(ok.error());
    if (db.changes() == 0) {
      return fail(
          Error::Code::invalid,
          "create report: case " + std::to_string(report.join_case_id) + " is closed or gone");
    }
    created.case_id = report.join_case_id;
    created.joined_existing = true;
  } else {
    auto case_id = insert_case(db, report);
    if (!case_id) return tl::unexpected(case_id.error());
    created.case_id = *case_id;
  }
  auto subject = subject_of(db, report);
  if (!subject) return tl::unexpected(subject.error());
  auto number = free_number(db, report.number_candidates);
  if (!number) return tl::unexpected(number.error());
  auto insert = db.statement(R"sql(
    INSERT INTO reports (public_number, case_id, category, wijk_code, wijk_name, buurt_code,
                         buurt_name, latitude_e6, longitude_e6, address, postcode, description,
                         photo_ref, language, subject_id, channel, wants_updates, source,
                         attributes, created_at, source_message)
    VALUES (:number, :case_id, :category, :wijk_code, :wijk_name, :buurt_code, :buurt_name,
            :lat, :lon, :address, :postcode, :description, :photo_ref, :language, :subject_id,
            :channel, :wants_updates, :source, :attributes, :at, :source_message))sql");
  if (!insert) return tl::unexpected(insert.error());
  auto& s = **insert;
  s.bind(":number", *number)
      .bind(":case_id", created.case_id)
      .bind(":category", report.category)
      .bind(":wijk_code", report.area.wijk_code)
      .bind(":wijk_name", report.area.wijk_name)
      .bind(":buurt_code", report.area.buurt_code)
      .bind(":buurt_name", report.area.buurt_name)
      .bind(":address", report.address)
      .bind(":postcode", report.postcode)
      .bind(":description", report.description)
      .bind(":photo_ref", report.photo_ref)
      .bind(":language", report.language)
      .bind(":channel", report.channel)
      .bind(":wants_updates", std::int64_t{report.wants_updates && *subject != 0 ? 1 : 0})
      .bind(":source", report.source)
      .bind(":attributes", report.attributes_json)
      .bind(":at", report.at)
      .bind(":source_message", report.source_message);
  bind_micro(s, ":lat", report.latitude);
  bind_micro(s, ":lon", report.longitude);
  if (*subject != 0) {
    s.bind(":subject_id", *subject);
  } else {
    s.bind_null(":subject_id");
  }
  if (auto ok = s.run(); !ok) return tl::unexpected(with_context(ok.error(), "create report"));
  created.report_id = db.last_insert_rowid();
  created.public_number = *number;
  if (auto queued = queue_media(db, report, created); !queued)
    return tl::unexpected(queued.error());
  if (!created.joined_existing) {
    if (auto queued = queue_forwards(db, report, created, *subject); !queued) {
      return tl::unexpected(queued.error());
    }
  }
  return created;
}

Result<CaseMoved> write_case_move(SqliteConnection& db, const CaseMove& move) {
  {
    auto update = db.statement(R"sql(
      UPDATE cases
         SET state = :to, updated_at = :at,
             last_finding = CASE WHEN :finding = '' THEN last_finding ELSE :finding END,
             closed_outcome = :outcome,
             first_action_at = coalesce(first_action_at, :at),
             closed_at = CASE WHEN :to = 'closed' THEN :at ELSE NULL END
       WHERE id = :id AND state = :from)sql");
    if (!update) return tl::unexpected(update.error());
    (*update)
        ->bind(":to", move.to_state)
        .bind(":at", move.at)
        .bind(":finding", move.finding)
        .bind(":outcome", move.closed_outcome)
        .bind(":id", move.case_id)
        .bind(":from", move.from_state);
    if (auto ok = (*update)->run(); !ok) {
      return tl::unexpected(with_context(ok.error(), "move case"));
    }
  }
  if (db.changes() == 0) {
    auto exists = db.statement("SELECT state FROM cases WHERE id = :id");
    if (!exists) return tl::unexpected(exists.error());
    (*exists)->bind(":id", move.case_id);
    auto row = (*exists)->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) {
      return fail(Error::Code::invalid, "case " + std::to_string(move.case_id) + " does not exist");
    }
    return fail(Error::Code::conflict, "case " + std::to_string(move.case_id) +
                                           " moved meanwhile: it is now " +
                                           (*exists)->column_text(0));
  }
  CaseMoved moved;
  {
    auto insert = db.statement(R"sql(
      INSERT INTO case_events (case_id, from_state, to_state, actor, note, data, is_inspection,
                               is_official_report, counted_month, at)
      VALUES (:id, :from, :to, :actor, :note, :data, :inspection, :report, :month, :at))sql");
    if (!insert) return tl::unexpected(insert.error());
    (*insert)
        ->bind(":id", move.case_id)
        .bind(":from", move.from_state)
        .bind(":to", move.to_state)
        .bind(":actor", move.actor)
        .bind(":note", move.note)
        .bind(":data", move.data_json)
        .bind(":inspection", std::int64_t{move.is_inspection ? 1 : 0})
        .bind(":report", std::int64_t{move.is_official_report ? 1 : 0})
        .bind(":month", move.counted_month)
        .bind(":at", move.at);
    if (auto ok = (*insert)->run(); !ok) {
      return tl::unexpected(with_context(ok.error(), "record event"));
    }
    moved.event_id = db.last_insert_rowid();
  }
  {
    auto meet = db.statement(
        "UPDATE case_deadlines SET met_at = :at WHERE case_id = :id AND met_at IS NULL");
    if (!meet) return tl::unexpected(meet.error());
    (*meet)->bind(":at", move.at).bind(":id", move.case_id);
    if (auto ok = (*meet)->run(); !ok) return tl::unexpected(ok.error());
  }
  for (const auto& [kind, due_on] : move.deadlines) {
    auto insert = db.statement(
        "INSERT INTO case_deadlines (case_id, event_id, kind, due_on)"
        " VALUES (:id, :event, :kind, :due_on)");
    if (!insert) return tl::unexpected(insert.error());
    (*insert)
        ->bind(":id", move.case_id)
        .bind(":event", moved.event_id)
        .bind(":kind", kind)
        .bind(":due_on", due_on);
    if (auto ok = (*insert)->run(); !ok) {
      return tl::unexpected(with_context(ok.error(), "add deadline"));
    }
  }
  for (const ReporterMessage& message : move.messages) {
    // The reporter's conversation on that channel, when there is one: the web chat shows
    // its undelivered items on reconnect, and the history keeps the text.
    std::int64_t conversation_id = 0;
    {
      auto select = db.statement(
          "SELECT id FROM conversations WHERE subject_id = :subject AND channel = :channel");
      if (!select) return tl::unexpected(select.error());
      (*select)->bind(":subject", message.subject_id).bind(":channel", message.channel);
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
          .bind(":text", message.text)
          .bind(":channel", message.channel)
          .bind(":at", move.at);
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
    s.bind(":subject", message.subject_id)
        .bind(":channel", message.channel)
        .bind(":payload", message.payload_json)
        .bind(":at", move.at);
    if (auto ok = s.run(); !ok) return tl::unexpected(with_context(ok.error(), "queue update"));
    moved.outbox_ids.push_back(db.last_insert_rowid());
  }
  return moved;
}

Result<std::int64_t> write_case_reroute(SqliteConnection& db, const CaseReroute& reroute) {
  auto update = db.statement(R"sql(
    UPDATE cases
       SET category = :category, team = :team, target_days = :days, target_on = :on,
           updated_at = :at
     WHERE id = :id AND state = :state)sql");
  if (!update) return tl::unexpected(update.error());
  (*update)
      ->bind(":category", reroute.category)
      .bind(":team", reroute.team)
      .bind(":days", std::int64_t{reroute.target_days})
      .bind(":on", reroute.target_on)
      .bind(":at", reroute.at)
      .bind(":id", reroute.case_id)
      .bind(":state", reroute.state);
  if (auto ok = (*update)->run(); !ok) return tl::unexpected(with_context(ok.error(), "reroute"));
  if (db.changes() == 0) {
    return fail(Error::Code::conflict, "case " + std::to_string(reroute.case_id) +
                                           " is gone or no longer " + reroute.state);
  }
  auto insert = db.statement(R"sql(
    INSERT INTO case_events (case_id, from_state, to_state, actor, note, data, counted_month, at)
    VALUES (:id, :state, :state, :actor, :note, :data, :month, :at))sql");
  if (!insert) return tl::unexpected(insert.error());
  (*insert)
      ->bind(":id", reroute.case_id)
      .bind(":state", reroute.state)
      .bind(":actor", reroute.actor)
      .bind(":note", reroute.note)
      .bind(":data", reroute.data_json)
      .bind(":month", reroute.counted_month)
      .bind(":at", reroute.at);
  if (auto ok = (*insert)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "reroute event"));
  }
  return db.last_insert_rowid();
}

Result<std::int64_t> write_purge_closed_reports(SqliteConnection& db, Millis closed_before) {
  auto purge = db.statement(R"sql(
    UPDATE reports
       SET description = '', photo_ref = '', subject_id = NULL, wants_updates = 0,
           attributes = '{}', source_message = '',
           address = CASE WHEN category IN ('overcrowded_housing', 'exploitation') THEN ''
                          ELSE address END
     WHERE case_id IN (SELECT id FROM cases WHERE state = 'closed' AND closed_at < :before)
       AND (description <> '' OR photo_ref <> '' OR subject_id IS NOT NULL OR attributes <> '{}' OR
            source_message <> '' OR (category IN ('overcrowded_housing', 'exploitation') AND address <> '')))sql");
  if (!purge) return tl::unexpected(purge.error());
  (*purge)->bind(":before", closed_before);
  if (auto ok = (*purge)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "purge reports"));
  }
  return db.changes();
}

}  // namespace buurtlijn::store
