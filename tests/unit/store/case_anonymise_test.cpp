// Retention of closed cases (store/case_anonymise.hpp) on a temporary SQLite file with
// backdated rows: a case closed more than five years ago loses its address key and
// coordinates, its reports' address, house number, coordinates, texts and reporter, and
// its history's notes, actors and inspectors' names; a case closed four years ago and an
// old case still open keep everything; the dashboard's counts stay the same; the history
// still refuses any other change and any delete; a second run finds nothing.
#include "store/case_anonymise.hpp"

#include <doctest/doctest.h>

#include <string>

#include "cases/dashboard.hpp"
#include "store/case_store.hpp"
#include "store/sqlite_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::query_int;
using testing::TempDir;

constexpr Millis kDay = 24LL * 3600 * 1000;
constexpr Millis kNow = 1'900'000'000'000;  // 2030-03-17
constexpr Millis kFiveYears = 1826 * kDay;

std::unique_ptr<SqliteStore> open_store(const SqliteOptions& options) {
  auto store = SqliteStore::open(options);
  REQUIRE_MESSAGE(store, store.error().message);
  return std::move(*store);
}

// Case 1 closed six years ago, case 2 closed four years ago, case 3 opened seven years
// ago and still open. Each has a report and two history events (an inspection with two
// inspectors and a note).
void seed(SqliteConnection& db) {
  const auto at = [](int days_ago) { return std::to_string(kNow - days_ago * kDay); };
  std::string sql;
  const struct {
    int id;
    const char* state;
    int created_days_ago;
    int closed_days_ago;  // 0: open
  } cases[] = {{1, "closed", 2500, 2200}, {2, "closed", 1600, 1460}, {3, "received", 2600, 0}};
  for (const auto& c : cases) {
    const std::string id = std::to_string(c.id);
    sql +=
        "INSERT INTO cases (id, category, path, state, wijk_code, wijk_name, buurt_code, "
        "buurt_name, address_key, latitude_e6, longitude_e6, team, target_days, target_on, "
        "created_at, updated_at, last_report_at, first_action_at, closed_at) VALUES (" +
        id + ", 'overcrowded_housing', 'housing', '" + c.state +
        "', 'WK1', 'Rivierenwijk', 'BU1', 'Knutteleiland', '7411AB 1" + id +
        "', 52240112, 6160234, 'wonen', 10, '2024-01-01', " + at(c.created_days_ago) + ", " +
        at(c.created_days_ago) + ", " + at(c.created_days_ago) + ", " + at(c.created_days_ago - 5) +
        ", " + (c.closed_days_ago == 0 ? std::string("NULL") : at(c.closed_days_ago)) + ");";
    sql +=
        "INSERT INTO reports (public_number, case_id, category, wijk_code, wijk_name, "
        "buurt_code, buurt_name, latitude_e6, longitude_e6, address, postcode, description, "
        "photo_ref, language, subject_id, channel, wants_updates, source, attributes, "
        "created_at) VALUES (" +
        std::to_string(4800 + c.id) + ", " + id +
        ", 'overcrowded_housing', 'WK1', 'Rivierenwijk', 'BU1', 'Knutteleiland', 52240112, "
        "6160234, 'Brinkgreverweg 1" +
        id +
        "', '7411AB', 'twelve men in one house', 'photo', 'ro', NULL, 'whatsapp', 0, "
        "'chat', '{\"housing\":\"since March\"}', " +
        at(c.created_days_ago) + ");";
    sql +=
        "INSERT INTO case_events (case_id, from_state, to_state, actor, note, data, "
        "is_inspection, is_official_report, counted_month, at) VALUES (" +
        id + ", 'received', 'triaged', 'A. Jansen', 'owner is Mr X', '{}', 0, 0, '2024-01', " +
        at(c.created_days_ago - 1) + "), (" + id +
        ", 'inspection_planned', 'inspected', 'B. de Vries', 'door opened by a neighbour', "
        "'{\"finding\":\"violation\",\"inspectors\":[\"B. de Vries\",\"C. Smit\"],"
        "\"shift\":\"evening\"}', 1, 1, '2024-02', " +
        at(c.created_days_ago - 5) + ");";
  }
  REQUIRE(db.exec(sql));
}

Result<CaseAnonymisation> anonymise(Store& store, Millis closed_before, std::int64_t batch) {
  return testing::wait_for<CaseAnonymisation>(
      [&](auto done) { anonymise_closed_cases(store, closed_before, batch, done); });
}

TEST_CASE("case retention: closed cases lose place and person after five years") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto side = testing::open_side_connection(options.path);
  seed(side);
  auto rows_before = store->cases().stats_rows();
  REQUIRE(rows_before);
  const cases::Dashboard before = cases::build_dashboard(*rows_before);

  auto outcome = anonymise(*store, kNow - kFiveYears, 100);
  REQUIRE_MESSAGE(outcome, outcome.error().message);
  CHECK(outcome->cases == 1);
  CHECK(outcome->reports == 1);
  CHECK(outcome->events == 2);
  CHECK_FALSE(outcome->more);

  // Case 1: nothing that points at a place or a person.
  CHECK(query_int(side,
                  "SELECT count(*) FROM cases WHERE id = 1 AND address_key = '' AND "
                  "latitude_e6 IS NULL AND longitude_e6 IS NULL AND buurt_code = 'BU1' "
                  "AND state = 'closed' AND category = 'overcrowded_housing'") == 1);
  CHECK(query_int(side,
                  "SELECT count(*) FROM reports WHERE case_id = 1 AND address = '' AND "
                  "postcode = '7411' AND latitude_e6 IS NULL AND description = '' AND "
                  "photo_ref = '' AND attributes = '{}' AND buurt_code = 'BU1'") == 1);
  CHECK(query_int(side,
                  "SELECT count(*) FROM case_events WHERE case_id = 1 AND note = '' AND "
                  "actor = '' AND data NOT LIKE '%Vries%' AND data NOT LIKE '%Smit%'") == 2);
  CHECK(query_int(side,
                  "SELECT count(*) FROM case_events WHERE case_id = 1 AND "
                  "json_extract(data, '$.finding') = 'violation' AND "
                  "json_extract(data, '$.shift') = 'evening' AND is_inspection = 1") == 1);
  // Cases 2 (closed four years ago) and 3 (open) keep everything.
  CHECK(query_int(side,
                  "SELECT count(*) FROM cases WHERE id IN (2, 3) AND address_key <> '' AND "
                  "latitude_e6 IS NOT NULL") == 2);
  CHECK(query_int(side,
                  "SELECT count(*) FROM reports WHERE case_id IN (2, 3) AND address <> '' "
                  "AND postcode = '7411AB' AND description <> ''") == 2);
  CHECK(query_int(side,
                  "SELECT count(*) FROM case_events WHERE case_id IN (2, 3) AND note <> '' "
                  "AND actor <> ''") == 4);

  // The dashboard counts the same.
  auto rows_after = store->cases().stats_rows();
  REQUIRE(rows_after);
  const cases::Dashboard after = cases::build_dashboard(*rows_after);
  CHECK(after.reports == before.reports);
  CHECK(after.cases == before.cases);
  CHECK(after.open_cases == before.open_cases);
  CHECK(after.closed_cases == before.closed_cases);
  CHECK(after.inspections_per_month == before.inspections_per_month);
  CHECK(after.official_reports_per_month == before.official_reports_per_month);
  CHECK(after.to_close.count == before.to_close.count);

  // The history is still append-only for anything else.
  CHECK_FALSE(side.exec("UPDATE case_events SET to_state = 'closed' WHERE case_id = 1"));
  CHECK_FALSE(side.exec("UPDATE case_events SET note = 'rewritten' WHERE case_id = 2"));
  CHECK_FALSE(side.exec("DELETE FROM case_events WHERE case_id = 1"));

  // Nothing left to do; a later run reaches case 2 once it is old enough.
  auto again = anonymise(*store, kNow - kFiveYears, 100);
  REQUIRE(again);
  CHECK(again->cases == 0);
  auto later = anonymise(*store, kNow + 400 * kDay - kFiveYears, 100);
  REQUIRE(later);
  CHECK(later->cases == 1);
  CHECK(query_int(side, "SELECT count(*) FROM cases WHERE id = 3 AND address_key <> ''") == 1);
}

TEST_CASE("case retention: a backlog goes in batches") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto side = testing::open_side_connection(options.path);
  seed(side);
  auto first = anonymise(*store, kNow, 1);  // cases 1 and 2 qualify
  REQUIRE(first);
  CHECK(first->cases == 1);
  CHECK(first->more);
  auto second = anonymise(*store, kNow, 1);
  REQUIRE(second);
  CHECK(second->cases == 1);
  auto third = anonymise(*store, kNow, 1);
  REQUIRE(third);
  CHECK(third->cases == 0);
  CHECK_FALSE(third->more);
}

}  // namespace
}  // namespace buurtlijn::store
