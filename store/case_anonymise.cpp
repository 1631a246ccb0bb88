// See case_anonymise.hpp. A case is done when its address key is empty and it has no
// coordinates: the next run does not find it again. The history's UPDATE is the one the
// case_events_no_update trigger lets through (migration 8).
#include "store/case_anonymise.hpp"

#include <string>
#include <utility>

#include "store/sqlite_error.hpp"
#include "store/sqlite_store.hpp"

namespace buurtlijn::store {
namespace {

Error with_context(const Error& error, const std::string& context) {
  return Error{error.code, context + ": " + error.message};
}

constexpr std::string_view kPickCases = R"sql(
  CREATE TEMP TABLE IF NOT EXISTS anonymise_cases (id INTEGER PRIMARY KEY);
)sql";

constexpr std::string_view kSelectCases = R"sql(
  INSERT INTO temp.anonymise_cases (id)
  SELECT id FROM cases
   WHERE state = 'closed' AND closed_at < :before
     AND (address_key <> '' OR latitude_e6 IS NOT NULL OR longitude_e6 IS NOT NULL
          OR EXISTS (SELECT 1 FROM reports r WHERE r.case_id = cases.id
                      AND (r.address <> '' OR length(r.postcode) > 4 OR r.latitude_e6 IS NOT NULL
                           OR r.description <> '' OR r.photo_ref <> '' OR r.attributes <> '{}'
                           OR r.subject_id IS NOT NULL))
          OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cases.id
                      AND (e.note <> '' OR e.actor <> '' OR json_type(e.data, '$.inspectors')
                           IS NOT NULL)))
   ORDER BY id
   LIMIT :limit
)sql";

constexpr std::string_view kCases = R"sql(
  UPDATE cases SET address_key = '', latitude_e6 = NULL, longitude_e6 = NULL
   WHERE id IN (SELECT id FROM temp.anonymise_cases)
)sql";

// The postcode keeps its four digits (the area, like the buurt); the letters and the
// house number go with the address.
constexpr std::string_view kReports = R"sql(
  UPDATE reports
     SET address = '', postcode = substr(postcode, 1, 4), latitude_e6 = NULL,
         longitude_e6 = NULL, description = '', photo_ref = '', attributes = '{}',
         subject_id = NULL, wants_updates = 0
   WHERE case_id IN (SELECT id FROM temp.anonymise_cases)
)sql";

constexpr std::string_view kEvents = R"sql(
  UPDATE case_events
     SET note = '', actor = '',
         data = CASE WHEN json_type(data, '$.inspectors') IS NULL THEN data
                     ELSE json_remove(data, '$.inspectors') END
   WHERE case_id IN (SELECT id FROM temp.anonymise_cases)
     AND (note <> '' OR actor <> '' OR json_type(data, '$.inspectors') IS NOT NULL)
)sql";

Result<std::int64_t> run(SqliteConnection& db, std::string_view sql, const char* what) {
  auto statement = db.statement(sql);
  if (!statement) return tl::unexpected(with_context(statement.error(), what));
  if (auto ok = (*statement)->run(); !ok) return tl::unexpected(with_context(ok.error(), what));
  return db.changes();
}

Result<std::int64_t> pick(SqliteConnection& db, Millis before, std::int64_t limit) {
  auto statement = db.statement(kSelectCases);
  if (!statement) return tl::unexpected(with_context(statement.error(), "anonymise cases: pick"));
  (*statement)->bind(":before", before).bind(":limit", limit);
  if (auto ok = (*statement)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "anonymise cases: pick"));
  }
  return db.changes();
}

Result<CaseAnonymisation> anonymise_in(SqliteConnection& db, Millis closed_before,
                                       std::int64_t batch_cases) {
  CaseAnonymisation done;
  if (auto ok = db.exec(kPickCases); !ok) {
    return tl::unexpected(with_context(ok.error(), "anonymise cases: temp table"));
  }
  if (auto ok = db.exec("DELETE FROM temp.anonymise_cases"); !ok) {
    return tl::unexpected(with_context(ok.error(), "anonymise cases: temp table"));
  }
  auto picked = pick(db, closed_before, batch_cases);
  if (!picked) return tl::unexpected(picked.error());
  if (*picked == 0) return done;
  auto cases = run(db, kCases, "anonymise cases: cases");
  if (!cases) return tl::unexpected(cases.error());
  auto reports = run(db, kReports, "anonymise cases: reports");
  if (!reports) return tl::unexpected(reports.error());
  auto events = run(db, kEvents, "anonymise cases: history");
  if (!events) return tl::unexpected(events.error());
  if (auto ok = db.exec("DELETE FROM temp.anonymise_cases"); !ok) {
    return tl::unexpected(with_context(ok.error(), "anonymise cases: temp table"));
  }
  done.cases = *picked;
  done.reports = *reports;
  done.events = *events;
  done.more = *picked == batch_cases;
  return done;
}

}  // namespace

void anonymise_closed_cases(Store& store, Millis closed_before, std::int64_t batch_cases,
                            std::function<void(Result<CaseAnonymisation>)> done) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  if (sqlite == nullptr) {
    done(fail(Error::Code::invalid, "case anonymisation needs the SQLite store"));
    return;
  }
  sqlite->write<CaseAnonymisation>(
      [closed_before, batch_cases](SqliteConnection& db) {
        return anonymise_in(db, closed_before, batch_cases);
      },
      std::move(done));
}

}  // namespace buurtlijn::store
