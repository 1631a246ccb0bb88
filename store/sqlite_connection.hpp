// One SQLite connection (RAII over sqlite3*) with its cache of prepared statements.
//
// statement() prepares a given SQL text once per connection and hands out a lease on
// the cached statement; the lease resets the statement when it goes away. exec() runs
// uncached scripts (migrations, one-off pragmas). Extended result codes are on, so
// callers can tell SQLITE_CONSTRAINT_UNIQUE from other constraint failures.
//
// Thread safety: none of its own (the connection is opened with SQLITE_OPEN_NOMUTEX).
// A connection is used by one thread at a time: the writer thread owns the write
// connection, and each reader holds a read connection only while it reads.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/sqlite_statement.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

struct ConnectionOptions {
  std::string path;
  bool create = false;     // create the file when it is missing
  bool read_only = false;  // PRAGMA query_only: any write fails with SQLITE_READONLY
  std::chrono::milliseconds busy_timeout{5000};
  std::string vfs;  // a registered sqlite3_vfs name; empty for the default (tests inject faults)
};

class SqliteConnection {
 public:
  // Opens the database at options.path. Fails with unavailable when the file cannot
  // be opened (missing without `create`, no permission), internal when it is not a
  // database.
  static Result<SqliteConnection> open(const ConnectionOptions& options);

  SqliteConnection(SqliteConnection&&) noexcept = default;
  SqliteConnection& operator=(SqliteConnection&&) noexcept = default;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection() = default;

  // Runs one or more statements that take no parameters, uncached.
  Result<void> exec(std::string_view sql);
  // The cached statement for `sql`, prepared on first use. Fails when the SQL does not
  // compile or when the same statement is already leased (cached statements are not
  // re-entrant).
  Result<StatementLease> statement(std::string_view sql);
  // statement(sql) stepped until done: for parameterless statements such as COMMIT.
  Result<void> run(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  std::int64_t changes() const;  // rows changed by the last INSERT, UPDATE or DELETE
  bool in_transaction() const;   // false in autocommit mode (also after SQLite rolled back)
  std::size_t cached_statements() const { return cache_->size(); }
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
  };
  // Looks up cached statements by string_view without building a std::string.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept {
      return std::hash<std::string_view>{}(sql);
    }
  };
  using StatementCache =
      std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, SqlHash, std::equal_to<>>;

  explicit SqliteConnection(sqlite3* db) : db_(db), cache_(std::make_unique<StatementCache>()) {}

  std::unique_ptr<sqlite3, Closer> db_;
  // Declared after db_, so the statements are finalized before the connection closes.
  // Held by pointer: a moved connection keeps its statements where they are (and GCC 12
  // reports a false -Wfree-nonheap-object when the map itself sits inside a Result).
  std::unique_ptr<StatementCache> cache_;
};

}  // namespace buurtlijn::store
