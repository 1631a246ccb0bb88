// Internal to store/: the SQL behind CaseStore as plain functions over one connection
// (reads on a read connection, writes on the writer's inside its savepoint), and the
// SQLite CaseStore that wires them to the reader pool and the writer.
#pragma once

#include <memory>

#include "store/case_store.hpp"
#include "store/group_commit_writer.hpp"
#include "store/reader_pool.hpp"
#include "store/sqlite_connection.hpp"

namespace buurtlijn::store {

Result<std::optional<CaseRow>> read_case(SqliteConnection& db, std::int64_t case_id);
Result<std::vector<CaseRow>> read_open_cases(SqliteConnection& db, const std::string& category);
Result<std::vector<CaseReporter>> read_case_reporters(SqliteConnection& db, std::int64_t case_id);
Result<std::vector<PublicReportRow>> read_reports(SqliteConnection& db, const ReportFilter& filter);
Result<std::vector<CaseEventRow>> read_case_history(SqliteConnection& db, std::int64_t case_id);
Result<std::vector<DeadlineRow>> read_due_deadlines(SqliteConnection& db, const std::string& until);
Result<StatsRows> read_stats_rows(SqliteConnection& db);

Result<ReportCreated> write_report(SqliteConnection& db, const NewReport& report);
Result<CaseMoved> write_case_move(SqliteConnection& db, const CaseMove& move);
Result<std::int64_t> write_case_reroute(SqliteConnection& db, const CaseReroute& reroute);
Result<std::int64_t> write_purge_closed_reports(SqliteConnection& db, Millis closed_before);

std::unique_ptr<CaseStore> make_sqlite_case_store(ReaderPool& readers, GroupCommitWriter& writer);

}  // namespace buurtlijn::store
