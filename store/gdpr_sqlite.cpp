// The SQLite implementation of gdpr_store.hpp: export, erasure and summary of one
// subject. The subject's rows are found through subjects.id: its conversation (and
// that conversation's messages, outbox items and handover), its outbox items without a
// conversation (broadcasts), its contact address, subscriber record, topics and
// events, and the reports it made.
#include <sqlite3.h>

#include <string>
#include <utility>

#include "store/gdpr_store.hpp"
#include "store/sqlite_error.hpp"
#include "store/sqlite_store.hpp"

namespace buurtlijn::store {
namespace {

constexpr std::string_view kConversationsOf =
    "(SELECT id FROM conversations WHERE subject_id = :subject)";

// What the export reads, table by table; every query takes :subject.
struct ExportQuery {
  std::string_view table;
  std::string sql;
};

std::vector<ExportQuery> export_queries() {
  const std::string conv(kConversationsOf);
  return {
      {"subjects", "SELECT * FROM subjects WHERE id = :subject"},
      {"conversations", "SELECT * FROM conversations WHERE subject_id = :subject"},
      {"messages", "SELECT * FROM messages WHERE conversation_id IN " + conv + " ORDER BY id"},
      {"outbox", "SELECT * FROM outbox WHERE subject_id = :subject OR conversation_id IN " + conv +
                     " ORDER BY id"},
      {"contact_addresses", "SELECT * FROM contact_addresses WHERE subject_id = :subject"},
      {"subscribers", "SELECT * FROM subscribers WHERE subject_id = :subject"},
      {"subscriber_topics",
       "SELECT * FROM subscriber_topics WHERE subscriber_id IN "
       "(SELECT id FROM subscribers WHERE subject_id = :subject) ORDER BY topic"},
      {"subscription_events",
       "SELECT * FROM subscription_events WHERE subject_id = :subject ORDER BY id"},
      {"handovers", "SELECT * FROM handovers WHERE conversation_id IN " + conv},
      {"reports", "SELECT * FROM reports WHERE subject_id = :subject ORDER BY id"},
  };
}

struct RawStatement {
  sqlite3_stmt* statement = nullptr;
  ~RawStatement() { sqlite3_finalize(statement); }
};

// Every row of `sql` (bound to :subject), column name -> value.
Result<GdprTable> read_table(SqliteConnection& db, const ExportQuery& query,
                             std::int64_t subject_id) {
  RawStatement raw;
  if (sqlite3_prepare_v2(db.handle(), query.sql.c_str(), -1, &raw.statement, nullptr) !=
      SQLITE_OK) {
    return fail(Error::Code::internal, "gdpr export: cannot prepare the query of " +
                                           std::string(query.table) + ": " +
                                           sqlite3_errmsg(db.handle()));
  }
  sqlite3_bind_int64(raw.statement, sqlite3_bind_parameter_index(raw.statement, ":subject"),
                     subject_id);
  GdprTable table{std::string(query.table), {}};
  const int columns = sqlite3_column_count(raw.statement);
  for (;;) {
    const int step = sqlite3_step(raw.statement);
    if (step == SQLITE_DONE) break;
    if (step != SQLITE_ROW) {
      return fail(Error::Code::internal, "gdpr export: reading " + std::string(query.table) + ": " +
                                             sqlite3_errmsg(db.handle()));
    }
    std::vector<std::pair<std::string, GdprValue>> row;
    for (int c = 0; c < columns; ++c) {
      GdprValue value;
      switch (sqlite3_column_type(raw.statement, c)) {
        case SQLITE_NULL:
          break;
        case SQLITE_INTEGER:
          value = static_cast<std::int64_t>(sqlite3_column_int64(raw.statement, c));
          break;
        default: {
          const auto* text = sqlite3_column_text(raw.statement, c);
          value = std::string(text == nullptr ? "" : reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(raw.statement, c)));
        }
      }
      row.emplace_back(sqlite3_column_name(raw.statement, c), std::move(value));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

// subjects.id of the pseudonym, 0 when unknown.
Result<std::int64_t> subject_id_of(SqliteConnection& db, std::string_view pseudonym) {
  auto find = db.statement("SELECT id FROM subjects WHERE pseudonym = :pseudonym");
  if (!find) return tl::unexpected(find.error());
  (*find)->bind(":pseudonym", pseudonym);
  auto row = (*find)->step();
  if (!row) return tl::unexpected(row.error());
  return *row ? (*find)->column_int64(0) : 0;
}

Result<void> append_audit(SqliteConnection& db, const GdprActor& actor, std::string_view action,
                          std::string_view pseudonym, std::string_view detail, Millis now) {
  auto insert = db.statement(
      "INSERT INTO audit_log (at, user_id, user_name, action, object, detail) "
      "VALUES (:at, NULL, :user_name, :action, :object, :detail)");
  if (!insert) return tl::unexpected(insert.error());
  (*insert)
      ->bind(":at", now)
      .bind(":user_name", actor.name.empty() ? std::string_view("cli") : actor.name)
      .bind(":action", action)
      .bind(":object", "subject " + std::string(pseudonym))
      .bind(":detail", detail);
  return (*insert)->run();
}

// Runs `sql` bound to :subject; returns the rows it changed.
Result<std::int64_t> change(SqliteConnection& db, const std::string& sql, std::int64_t subject) {
  auto statement = db.statement(sql);
  if (!statement) return tl::unexpected(statement.error());
  (*statement)->bind(":subject", subject);
  if (auto ok = (*statement)->run(); !ok) return tl::unexpected(ok.error());
  return db.changes();
}

Result<GdprErasure> erase_in(SqliteConnection& db, const std::string& pseudonym,
                             const GdprActor& actor, Millis now) {
  GdprErasure erased;
  auto subject = subject_id_of(db, pseudonym);
  if (!subject) return tl::unexpected(subject.error());
  if (*subject != 0) {
    erased.found = true;
    auto photos = db.statement(
        "SELECT substr(photo_ref, 7) FROM reports WHERE subject_id = :subject AND photo_ref "
        "LIKE 'photo:%'");
    if (!photos) return tl::unexpected(photos.error());
    (*photos)->bind(":subject", *subject);
    for (;;) {
      auto row = (*photos)->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      erased.photo_ids.push_back((*photos)->column_text(0));
    }
    const std::string conv(kConversationsOf);
    // The order respects the foreign keys: outbox -> messages -> conversations -> subjects.
    const std::pair<std::int64_t*, std::string> steps[] = {
        // The report facts stay; the person's words, photo and link go, and the address
        // where it points at a home (as the retention of closed cases does).
        {&erased.reports_anonymised,
         "UPDATE reports SET description = '', photo_ref = '', subject_id = NULL, "
         "wants_updates = 0, source_message = '', address = CASE WHEN category IN "
         "('overcrowded_housing', "
         "'exploitation') THEN '' ELSE address END WHERE subject_id = :subject"},
        {&erased.outbox_items,
         "DELETE FROM outbox WHERE subject_id = :subject OR conversation_id IN " + conv},
        {&erased.handovers, "DELETE FROM handovers WHERE conversation_id IN " + conv},
        {&erased.messages, "DELETE FROM messages WHERE conversation_id IN " + conv},
        {&erased.conversations, "DELETE FROM conversations WHERE subject_id = :subject"},
        {&erased.subscription_events,
         "DELETE FROM subscription_events WHERE subject_id = :subject"},
        {nullptr,
         "DELETE FROM subscriber_topics WHERE subscriber_id IN "
         "(SELECT id FROM subscribers WHERE subject_id = :subject)"},
        {&erased.subscribers, "DELETE FROM subscribers WHERE subject_id = :subject"},
        {&erased.contact_addresses, "DELETE FROM contact_addresses WHERE subject_id = :subject"},
        {nullptr, "DELETE FROM subjects WHERE id = :subject"},
    };
    for (const auto& [count, sql] : steps) {
      auto changed = change(db, sql, *subject);
      if (!changed) {
        return tl::unexpected(
            Error{changed.error().code, "gdpr erase: " + changed.error().message});
      }
      if (count != nullptr) *count = *changed;
    }
  }
  const std::string detail =
      erased.found ? "messages=" + std::to_string(erased.messages) +
                         " outbox=" + std::to_string(erased.outbox_items) +
                         " contact_addresses=" + std::to_string(erased.contact_addresses) +
                         " subscribers=" + std::to_string(erased.subscribers) +
                         " subscription_events=" + std::to_string(erased.subscription_events) +
                         " handovers=" + std::to_string(erased.handovers) +
                         " reports_anonymised=" + std::to_string(erased.reports_anonymised)
                   : std::string("not found");
  if (auto ok = append_audit(db, actor, "gdpr.erase", pseudonym, detail, now); !ok) {
    return tl::unexpected(ok.error());
  }
  return erased;
}

Result<GdprExport> export_in(SqliteConnection& db, const std::string& pseudonym,
                             const GdprActor& actor, Millis now) {
  GdprExport exported;
  auto subject = subject_id_of(db, pseudonym);
  if (!subject) return tl::unexpected(subject.error());
  std::size_t rows = 0;
  if (*subject != 0) {
    exported.found = true;
    for (const auto& query : export_queries()) {
      auto table = read_table(db, query, *subject);
      if (!table) return tl::unexpected(table.error());
      rows += table->rows.size();
      exported.tables.push_back(std::move(*table));
    }
  }
  const std::string detail =
      exported.found ? "rows=" + std::to_string(rows) : std::string("not found");
  if (auto ok = append_audit(db, actor, "gdpr.export", pseudonym, detail, now); !ok) {
    return tl::unexpected(ok.error());
  }
  return exported;
}

// The counts of gdpr_summary(), on any connection.
Result<GdprSummary> summary_in(SqliteConnection& db, std::string_view subject_pseudonym) {
  GdprSummary summary;
  auto subject = subject_id_of(db, subject_pseudonym);
  if (!subject) return tl::unexpected(subject.error());
  if (*subject == 0) return summary;
  summary.found = true;
  auto count = db.statement(
      "SELECT (SELECT count(*) FROM messages WHERE conversation_id IN "
      "(SELECT id FROM conversations WHERE subject_id = :subject)), "
      "(SELECT count(*) FROM contact_addresses WHERE subject_id = :subject), "
      "(SELECT count(*) FROM subscribers WHERE subject_id = :subject AND state = 'active'), "
      "(SELECT count(*) FROM reports WHERE subject_id = :subject), "
      "(SELECT count(*) FROM messages WHERE direction = 'in' AND conversation_id IN "
      "(SELECT id FROM conversations WHERE subject_id = :subject))");
  if (!count) return tl::unexpected(count.error());
  (*count)->bind(":subject", *subject);
  auto row = (*count)->step();
  if (!row) return tl::unexpected(row.error());
  if (*row) {
    summary.messages = (*count)->column_int64(0);
    summary.contact_address = (*count)->column_int64(1) > 0;
    summary.subscribed = (*count)->column_int64(2) > 0;
    summary.reports = (*count)->column_int64(3);
    summary.messages_from_subject = (*count)->column_int64(4);
  }
  if (summary.reports > 0) {
    auto numbers =
        db.statement("SELECT public_number FROM reports WHERE subject_id = :subject ORDER BY id");
    if (!numbers) return tl::unexpected(numbers.error());
    (*numbers)->bind(":subject", *subject);
    for (;;) {
      auto next = (*numbers)->step();
      if (!next) return tl::unexpected(next.error());
      if (!*next) break;
      summary.report_numbers.push_back((*numbers)->column_int64(0));
    }
  }
  return summary;
}

// The farewell after an erasure: a subject row again (the pseudonym only), the reply
// address and the outbox items; nothing of the conversation.
Result<std::vector<std::int64_t>> queue_farewell(SqliteConnection& db, const std::string& pseudonym,
                                                 const GdprFarewell& farewell, Millis now) {
  std::vector<std::int64_t> ids;
  if (farewell.contact_address.empty() || farewell.payloads.empty()) return ids;
  auto subject = db.statement(
      "INSERT INTO subjects (pseudonym, channel, created_at) VALUES (:pseudonym, :channel, :at)");
  if (!subject) return tl::unexpected(subject.error());
  (*subject)->bind(":pseudonym", pseudonym).bind(":channel", farewell.channel).bind(":at", now);
  if (auto ok = (*subject)->run(); !ok) return tl::unexpected(ok.error());
  const std::int64_t subject_id = db.last_insert_rowid();
  auto address =
      db.statement("INSERT INTO contact_addresses (subject_id, address) VALUES (:id, :address)");
  if (!address) return tl::unexpected(address.error());
  (*address)->bind(":id", subject_id).bind(":address", farewell.contact_address);
  if (auto ok = (*address)->run(); !ok) return tl::unexpected(ok.error());
  for (const std::string& payload : farewell.payloads) {
    auto insert = db.statement(
        "INSERT INTO outbox (subject_id, channel, payload, status, next_attempt_at, created_at, "
        "updated_at) VALUES (:subject, :channel, :payload, 'queued', :at, :at, :at)");
    if (!insert) return tl::unexpected(insert.error());
    (*insert)
        ->bind(":subject", subject_id)
        .bind(":channel", farewell.channel)
        .bind(":payload", payload)
        .bind(":at", now);
    if (auto ok = (*insert)->run(); !ok) return tl::unexpected(ok.error());
    ids.push_back(db.last_insert_rowid());
  }
  return ids;
}

SqliteStore* sqlite_of(Store& store) {
  return dynamic_cast<SqliteStore*>(&store);
}

}  // namespace

void gdpr_export(Store& store, std::string subject_pseudonym, GdprActor actor, Millis now,
                 std::function<void(Result<GdprExport>)> done) {
  auto* sqlite = sqlite_of(store);
  if (sqlite == nullptr) {
    done(fail(Error::Code::invalid, "gdpr export needs the SQLite store"));
    return;
  }
  sqlite->write<GdprExport>(
      [pseudonym = std::move(subject_pseudonym), actor = std::move(actor),
       now](SqliteConnection& db) { return export_in(db, pseudonym, actor, now); },
      std::move(done));
}

void gdpr_erase(Store& store, std::string subject_pseudonym, GdprActor actor, Millis now,
                std::function<void(Result<GdprErasure>)> done) {
  auto* sqlite = sqlite_of(store);
  if (sqlite == nullptr) {
    done(fail(Error::Code::invalid, "gdpr erase needs the SQLite store"));
    return;
  }
  sqlite->write<GdprErasure>(
      [pseudonym = std::move(subject_pseudonym), actor = std::move(actor),
       now](SqliteConnection& db) { return erase_in(db, pseudonym, actor, now); },
      std::move(done));
}

Result<GdprSummary> gdpr_summary(Store& store, std::string_view subject_pseudonym) {
  auto* sqlite = sqlite_of(store);
  if (sqlite == nullptr) return fail(Error::Code::invalid, "gdpr summary needs the SQLite store");
  auto lease = sqlite->read_connection();
  if (!lease) return tl::unexpected(lease.error());
  return summary_in(**lease, subject_pseudonym);
}

void gdpr_summary_audited(Store& store, std::string subject_pseudonym, GdprActor actor, Millis now,
                          std::function<void(Result<GdprSummary>)> done) {
  auto* sqlite = sqlite_of(store);
  if (sqlite == nullptr) {
    done(fail(Error::Code::invalid, "gdpr summary needs the SQLite store"));
    return;
  }
  sqlite->write<GdprSummary>(
      [pseudonym = std::move(subject_pseudonym), actor = std::move(actor),
       now](SqliteConnection& db) -> Result<GdprSummary> {
        auto summary = summary_in(db, pseudonym);
        if (!summary) return summary;
        const std::string detail =
            summary->found ? "messages=" + std::to_string(summary->messages) +
                                 " reports=" + std::to_string(summary->reports) +
                                 " contact_address=" + (summary->contact_address ? "1" : "0") +
                                 " subscribed=" + (summary->subscribed ? "1" : "0")
                           : std::string("not found");
        if (auto ok = append_audit(db, actor, "gdpr.summary", pseudonym, detail, now); !ok) {
          return tl::unexpected(ok.error());
        }
        return summary;
      },
      std::move(done));
}

void gdpr_erase_with_farewell(Store& store, std::string subject_pseudonym, GdprActor actor,
                              Millis now, GdprFarewell farewell,
                              std::function<void(Result<GdprChatErasure>)> done) {
  auto* sqlite = sqlite_of(store);
  if (sqlite == nullptr) {
    done(fail(Error::Code::invalid, "gdpr erase needs the SQLite store"));
    return;
  }
  sqlite->write<GdprChatErasure>(
      [pseudonym = std::move(subject_pseudonym), actor = std::move(actor), now,
       farewell = std::move(farewell)](SqliteConnection& db) -> Result<GdprChatErasure> {
        GdprChatErasure result;
        auto erased = erase_in(db, pseudonym, actor, now);
        if (!erased) return tl::unexpected(erased.error());
        result.erased = *erased;
        auto queued = queue_farewell(db, pseudonym, farewell, now);
        if (!queued) return tl::unexpected(queued.error());
        result.outbox_ids = std::move(*queued);
        return result;
      },
      std::move(done));
}

}  // namespace buurtlijn::store
