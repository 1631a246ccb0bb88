// Read-only look into a test server's SQLite file, to prove what was (not) stored.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

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

// Every row of a query, each column as text (NULL as an empty string).
inline std::vector<std::vector<std::string>> query_rows(const std::filesystem::path& data_dir,
                                                        const std::string& sql) {
  sqlite3* db = nullptr;
  const std::string path = (data_dir / "buurtlijn.db").string();
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  std::vector<std::vector<std::string>> rows;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr);
  while (rc == SQLITE_OK && (rc = sqlite3_step(statement)) == SQLITE_ROW) {
    std::vector<std::string>& row = rows.emplace_back();
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      const auto* text = sqlite3_column_text(statement, i);
      row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    rc = SQLITE_OK;
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  if (rc != SQLITE_DONE) throw std::runtime_error("query failed: " + sql);
  return rows;
}

}  // namespace buurtlijn::testing
