// The SQL of the case reads (see case_store.hpp). Each function leases its cached
// statements and releases them before it returns.
#include "store/case_sql.hpp"
#include "store/photo_sql.hpp"
#include "store/sqlite_error.hpp"

namespace buurtlijn::store {
namespace {

std::optional<double> micro(const SqliteStatement& s, int column) {
  if (s.column_is_null(column)) return std::nullopt;
  return static_cast<double>(s.column_int64(column)) / 1e6;
}

std::optional<Millis> optional_millis(const SqliteStatement& s, int column) {
  if (s.column_is_null(column)) return std::nullopt;
  return s.column_int64(column);
}

// Runs a leased statement to the end, handing each row to `row`.
template <class Bind, class Row>
Result<void> each_row(SqliteConnection& db, std::string_view sql, Bind bind, Row row) {
  auto statement = db.statement(sql);
  if (!statement) return tl::unexpected(statement.error());
  bind(**statement);
  for (;;) {
    auto more = (*statement)->step();
    if (!more) return tl::unexpected(more.error());
    if (!*more) return {};
    row(**statement);
  }
}

constexpr std::string_view kCaseColumns = R"sql(
  c.id, c.category, c.path, c.state, c.last_finding, c.closed_outcome, c.wijk_code, c.wijk_name,
  c.buurt_code, c.buurt_name, c.address_key, c.latitude_e6, c.longitude_e6, c.team,
  c.target_days, c.target_on, c.created_at, c.updated_at, c.last_report_at, c.first_action_at,
  c.closed_at, (SELECT count(*) FROM reports r WHERE r.case_id = c.id))sql";

CaseRow case_row(const SqliteStatement& s) {
  CaseRow row;
  row.id = s.column_int64(0);
  row.category = s.column_text(1);
  row.path = s.column_text(2);
  row.state = s.column_text(3);
  row.last_finding = s.column_text(4);
  row.closed_outcome = s.column_text(5);
  row.area = {s.column_text(6), s.column_text(7), s.column_text(8), s.column_text(9)};
  row.address_key = s.column_text(10);
  row.latitude = micro(s, 11);
  row.longitude = micro(s, 12);
  row.team = s.column_text(13);
  row.target_days = static_cast<int>(s.column_int64(14));
  row.target_on = s.column_text(15);
  row.created_at = s.column_int64(16);
  row.updated_at = s.column_int64(17);
  row.last_report_at = s.column_int64(18);
  row.first_action_at = optional_millis(s, 19);
  row.closed_at = optional_millis(s, 20);
  row.report_count = s.column_int64(21);
  return row;
}

std::string case_select(std::string_view where) {
  return "SELECT " + std::string(kCaseColumns) + " FROM cases c " + std::string(where);
}

}  // namespace

Result<std::optional<CaseRow>> read_case(SqliteConnection& db, std::int64_t case_id) {
  static const std::string sql = case_select("WHERE c.id = :id");
  std::optional<CaseRow> found;
  auto ok = each_row(
      db, sql, [&](SqliteStatement& s) { s.bind(":id", case_id); },
      [&](const SqliteStatement& s) { found = case_row(s); });
  if (!ok) return tl::unexpected(ok.error());
  return found;
}

Result<std::vector<CaseRow>> read_open_cases(SqliteConnection& db, const std::string& category) {
  static const std::string sql =
      case_select("WHERE c.category = :category AND c.state <> 'closed' ORDER BY c.id");
  std::vector<CaseRow> rows;
  auto ok = each_row(
      db, sql, [&](SqliteStatement& s) { s.bind(":category", category); },
      [&](const SqliteStatement& s) { rows.push_back(case_row(s)); });
  if (!ok) return tl::unexpected(ok.error());
  return rows;
}

Result<std::vector<CaseRow>> read_closed_cases(SqliteConnection& db, const std::string& category,
                                               std::int64_t limit) {
  static const std::string sql = case_select(
      "WHERE c.category = :category AND c.state = 'closed' ORDER BY c.closed_at DESC, c.id DESC "
      "LIMIT :limit");
  std::vector<CaseRow> rows;
  auto ok = each_row(
      db, sql, [&](SqliteStatement& s) { s.bind(":category", category).bind(":limit", limit); },
      [&](const SqliteStatement& s) { rows.push_back(case_row(s)); });
  if (!ok) return tl::unexpected(ok.error());
  return rows;
}

Result<std::vector<CaseReporter>> read_case_reporters(SqliteConnection& db, std::int64_t case_id) {
  std::vector<CaseReporter> rows;
  auto ok = each_row(
      db,
      "SELECT id, public_number, subject_id, channel, language FROM reports"
      " WHERE case_id = :id AND wants_updates = 1 AND subject_id IS NOT NULL ORDER BY id",
      [&](SqliteStatement& s) { s.bind(":id", case_id); },
      [&](const SqliteStatement& s) {
        rows.push_back(CaseReporter{s.column_int64(0), s.column_int64(1), s.column_int64(2),
                                    s.column_text(3), s.column_text(4)});
      });
  if (!ok) return tl::unexpected(ok.error());
  return rows;
}

Result<std::vector<PublicReportRow>> read_reports(SqliteConnection& db,
                                                  const ReportFilter& filter) {
  // The filters are few and small; they are bound through json_each so that one cached
  // statement serves every combination.
  constexpr std::string_view sql = R"sql(
    SELECT r.public_number, r.case_id, r.category, c.state, c.path, c.team, r.wijk_code,
           r.wijk_name, r.buurt_code, r.buurt_name, r.latitude_e6, r.longitude_e6, r.address,
           r.photo_ref, r.language, r.created_at, c.updated_at
      FROM reports r JOIN cases c ON c.id = r.case_id
     WHERE (:numbers = '[]' OR r.public_number IN (SELECT value FROM json_each(:numbers)))
       AND (:categories = '[]' OR r.category IN (SELECT value FROM json_each(:categories)))
       AND (:closed < 0 OR (c.state = 'closed') = (:closed = 1))
       AND r.created_at >= :from AND (:until = 0 OR r.created_at <= :until)
     ORDER BY r.created_at DESC, r.id DESC
     LIMIT :limit)sql";
  std::string numbers = "[";
  for (std::size_t i = 0; i < filter.public_numbers.size(); ++i) {
    numbers += (i == 0 ? "" : ",") + std::to_string(filter.public_numbers[i]);
  }
  numbers += "]";
  std::string categories = "[";
  for (std::size_t i = 0; i < filter.categories.size(); ++i) {
    std::string quoted;
    for (const char c : filter.categories[i]) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    categories += (i == 0 ? "\"" : ",\"") + quoted + "\"";
  }
  categories += "]";
  std::vector<PublicReportRow> rows;
  auto ok = each_row(
      db, sql,
      [&](SqliteStatement& s) {
        s.bind(":numbers", numbers)
            .bind(":categories", categories)
            .bind(":closed", std::int64_t{filter.closed ? (*filter.closed ? 1 : 0) : -1})
            .bind(":from", filter.from)
            .bind(":until", filter.until)
            .bind(":limit", static_cast<std::int64_t>(filter.limit));
      },
      [&](const SqliteStatement& s) {
        PublicReportRow row;
        row.public_number = s.column_int64(0);
        row.case_id = s.column_int64(1);
        row.category = s.column_text(2);
        row.case_state = s.column_text(3);
        row.case_path = s.column_text(4);
        row.team = s.column_text(5);
        row.area = {s.column_text(6), s.column_text(7), s.column_text(8), s.column_text(9)};
        row.latitude = micro(s, 10);
        row.longitude = micro(s, 11);
        row.address = s.column_text(12);
        row.photo_ref = s.column_text(13);
        row.language = s.column_text(14);
        row.created_at = s.column_int64(15);
        row.updated_at = s.column_int64(16);
        rows.push_back(std::move(row));
      });
  if (!ok) return tl::unexpected(ok.error());
  return rows;
}

Result<std::vector<CaseEventRow>> read_case_history(SqliteConnection& db, std::int64_t case_id) {
  std::vector<CaseEventRow> rows;
  auto ok = each_row(
      db,
      "SELECT id, from_state, to_state, actor, note, data, at FROM case_events"
      " WHERE case_id = :id ORDER BY id",
      [&](SqliteStatement& s) { s.bind(":id", case_id); },
      [&](const SqliteStatement& s) {
        rows.push_back(CaseEventRow{s.column_int64(0), s.column_text(1), s.column_text(2),
                                    s.column_text(3), s.column_text(4), s.column_text(5),
                                    s.column_int64(6)});
      });
  if (!ok) return tl::unexpected(ok.error());
  return rows;
}

Result<std::vector<DeadlineRow>> read_due_deadlines(SqliteConnection& db,
                                                    const std::string& until) {
  std::vector<DeadlineRow> rows;
  auto ok = each_row(
      db,
      "SELECT d.case_id, d.kind, d.due_on, c.state, c.team, c.wijk_code, c.wijk_name,"
      "       c.buurt_code, c.buurt_name"
      "  FROM case_deadlines d JOIN cases c ON c.id = d.case_id"
      " WHERE d.met_at IS NULL AND d.due_on <= :until ORDER BY d.due_on, d.case_id",
      [&](SqliteStatement& s) { s.bind(":until", until); },
      [&](const SqliteStatement& s) {
        rows.push_back(
            DeadlineRow{s.column_int64(0),
                        s.column_text(1),
                        s.column_text(2),
                        s.column_text(3),
                        s.column_text(4),
                        {s.column_text(5), s.column_text(6), s.column_text(7), s.column_text(8)}});
      });
  if (!ok) return tl::unexpected(ok.error());
  return rows;
}

Result<StatsRows> read_stats_rows(SqliteConnection& db) {
  StatsRows stats;
  auto reports = each_row(
      db, "SELECT category, wijk_name, created_at, wijk_code, buurt_code FROM reports ORDER BY id",
      [](SqliteStatement&) {},
      [&](const SqliteStatement& s) {
        stats.reports.push_back(StatsReportRow{s.column_text(0), s.column_text(1),
                                               s.column_int64(2), s.column_text(3),
                                               s.column_text(4)});
      });
  if (!reports) return tl::unexpected(reports.error());
  auto cases = each_row(
      db,
      "SELECT c.id, c.category, c.wijk_name, c.buurt_name, c.state, c.address_key,"
      "       c.latitude_e6, c.longitude_e6,"
      "       (SELECT count(*) FROM reports r WHERE r.case_id = c.id),"
      "       c.created_at, c.first_action_at, c.closed_at FROM cases c ORDER BY c.id",
      [](SqliteStatement&) {},
      [&](const SqliteStatement& s) {
        StatsCaseRow row;
        row.id = s.column_int64(0);
        row.category = s.column_text(1);
        row.wijk_name = s.column_text(2);
        row.buurt_name = s.column_text(3);
        row.state = s.column_text(4);
        row.address_key = s.column_text(5);
        row.latitude = micro(s, 6);
        row.longitude = micro(s, 7);
        row.report_count = s.column_int64(8);
        row.created_at = s.column_int64(9);
        row.first_action_at = optional_millis(s, 10);
        row.closed_at = optional_millis(s, 11);
        stats.cases.push_back(std::move(row));
      });
  if (!cases) return tl::unexpected(cases.error());
  auto events = each_row(
      db,
      "SELECT counted_month, is_inspection, is_official_report FROM case_events"
      " WHERE is_inspection = 1 OR is_official_report = 1 ORDER BY id",
      [](SqliteStatement&) {},
      [&](const SqliteStatement& s) {
        stats.events.push_back(
            StatsEventRow{s.column_text(0), s.column_int64(1) == 1, s.column_int64(2) == 1});
      });
  if (!events) return tl::unexpected(events.error());
  return stats;
}

namespace {

class SqliteCaseStore final : public CaseStore {
 public:
  SqliteCaseStore(ReaderPool& readers, GroupCommitWriter& writer)
      : readers_(readers), writer_(writer) {}

  Result<std::optional<CaseRow>> find_case(std::int64_t case_id) override {
    return read([&](SqliteConnection& db) { return read_case(db, case_id); });
  }
  Result<std::vector<CaseRow>> open_cases(const std::string& category) override {
    return read([&](SqliteConnection& db) { return read_open_cases(db, category); });
  }
  Result<std::vector<CaseRow>> closed_cases(const std::string& category,
                                            std::int64_t limit) override {
    return read([&](SqliteConnection& db) { return read_closed_cases(db, category, limit); });
  }
  Result<std::vector<CaseReporter>> reporters_wanting_updates(std::int64_t case_id) override {
    return read([&](SqliteConnection& db) { return read_case_reporters(db, case_id); });
  }
  Result<std::optional<PublicReportRow>> find_report(std::int64_t public_number) override {
    ReportFilter filter;
    filter.public_numbers = {public_number};
    filter.limit = 1;
    auto rows = find_reports(filter);
    if (!rows) return tl::unexpected(rows.error());
    if (rows->empty()) return std::optional<PublicReportRow>{};
    return std::optional<PublicReportRow>{std::move(rows->front())};
  }
  Result<std::vector<PublicReportRow>> find_reports(const ReportFilter& filter) override {
    return read([&](SqliteConnection& db) { return read_reports(db, filter); });
  }
  Result<std::vector<CaseEventRow>> case_history(std::int64_t case_id) override {
    return read([&](SqliteConnection& db) { return read_case_history(db, case_id); });
  }
  Result<std::vector<DeadlineRow>> due_deadlines(const std::string& until) override {
    return read([&](SqliteConnection& db) { return read_due_deadlines(db, until); });
  }
  Result<StatsRows> stats_rows() override {
    return read([&](SqliteConnection& db) { return read_stats_rows(db); });
  }
  void create_report(NewReport report, std::function<void(Result<ReportCreated>)> done) override {
    writer_.submit<ReportCreated>(
        [report = std::move(report)](SqliteConnection& db) { return write_report(db, report); },
        std::move(done));
  }
  void move_case(CaseMove move, std::function<void(Result<CaseMoved>)> done) override {
    writer_.submit<CaseMoved>(
        [move = std::move(move)](SqliteConnection& db) { return write_case_move(db, move); },
        std::move(done));
  }
  void reroute_case(CaseReroute reroute, std::function<void(Result<std::int64_t>)> done) override {
    writer_.submit<std::int64_t>(
        [reroute = std::move(reroute)](SqliteConnection& db) {
          return write_case_reroute(db, reroute);
        },
        std::move(done));
  }
  void purge_closed_reports(Millis closed_before,
                            std::function<void(Result<std::int64_t>)> done) override {
    writer_.submit<std::int64_t>(
        [closed_before](SqliteConnection& db) {
          return write_purge_closed_reports(db, closed_before);
        },
        std::move(done));
  }
  void attach_report_photo(ReportPhoto photo, std::function<void(Result<bool>)> done) override {
    writer_.submit<bool>([photo = std::move(photo)](
                             SqliteConnection& db) { return write_attach_report_photo(db, photo); },
                         std::move(done));
  }
  Result<std::vector<std::string>> referenced_photo_ids() override {
    return read([&](SqliteConnection& db) { return read_referenced_photo_ids(db); });
  }
  Result<std::optional<std::int64_t>> case_of_photo(const std::string& id) override {
    return read([&](SqliteConnection& db) { return read_case_of_photo(db, id); });
  }
  void expire_photos(Millis created_before,
                     std::function<void(Result<std::vector<std::string>>)> done) override {
    writer_.submit<std::vector<std::string>>(
        [created_before](SqliteConnection& db) { return write_expire_photos(db, created_before); },
        std::move(done));
  }

 private:
  template <class Work>
  auto read(Work work) -> decltype(work(std::declval<SqliteConnection&>())) {
    auto db = readers_.acquire();
    if (!db) return tl::unexpected(db.error());
    return work(**db);
  }

  ReaderPool& readers_;
  GroupCommitWriter& writer_;
};

}  // namespace

std::unique_ptr<CaseStore> make_sqlite_case_store(ReaderPool& readers, GroupCommitWriter& writer) {
  return std::make_unique<SqliteCaseStore>(readers, writer);
}

}  // namespace buurtlijn::store
