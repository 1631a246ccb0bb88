// Read-only look into a test server's SQLite file, to prove what was (not) stored.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace buurtlijn::testing {

inline long long count_rows(const std::filesystem::path& data_dir, const std::string& sql) {
  sqlite3* db = nullptr;
  const std::string path = (data_dir / "buurtlijn.db").string();
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  long long count = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    count = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  if (count < 0) throw std::runtime_error("query failed: " + sql);
  return count;
}

}  // namespace buurtlijn::testing
