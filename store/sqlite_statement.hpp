// One prepared SQLite statement (RAII over sqlite3_stmt*) and the lease through which
// a cached statement is used.
//
// Parameters are bound by name (":channel"). A binding error (an unknown name, out of
// memory) is remembered and returned by the next step(), so binds chain without an
// error check each. A StatementLease resets the statement and clears its bindings when
// it is released, so a cached statement never keeps a read transaction open and never
// carries a value into its next use.
//
// Thread safety: none of its own. A statement belongs to one connection and is used by
// the one thread that holds that connection (see sqlite_connection.hpp).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/store.hpp"

namespace buurtlijn::store {

class SqliteStatement {
 public:
  // Compiles `sql` (exactly one statement) on `db`. `persistent` hints SQLite that the
  // statement will be reused many times. Fails with the SQLite error (a bug in the SQL,
  // or a schema that lacks a table).
  static Result<std::unique_ptr<SqliteStatement>> prepare(sqlite3* db, std::string_view sql,
                                                          bool persistent);

  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() = default;

  // Bind by parameter name, including its prefix (":channel"). Text is copied.
  SqliteStatement& bind(std::string_view name, std::int64_t value);
  SqliteStatement& bind(std::string_view name, std::string_view text);
  SqliteStatement& bind_null(std::string_view name);
  SqliteStatement& bind_zeroblob(std::string_view name, int bytes);

  // Runs to the next row: true when a row is available, false when the statement is
  // done. Fails with a pending binding error or the mapped SQLite error; the raw
  // result code stays available in last_result_code().
  Result<bool> step();
  // Steps until done, ignoring any rows (INSERT, UPDATE, PRAGMA ...).
  Result<void> run();

  // Columns of the current row, counted from 0.
  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;  // empty for NULL
  bool column_is_null(int column) const;

  // The result of the last sqlite3_step (extended code), e.g. SQLITE_CONSTRAINT_UNIQUE.
  int last_result_code() const { return last_result_code_; }
  // Resets the statement, clears its bindings and any pending binding error.
  void reset();

 private:
  friend class StatementLease;
  struct Finalizer {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
  };

  explicit SqliteStatement(sqlite3_stmt* statement) : statement_(statement) {}
  // The index of the parameter `name`, or 0 (recording a binding error) when unknown.
  int index_of(std::string_view name);
  void check_bind(int result_code, std::string_view name);

  std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
  std::optional<Error> bind_error_;
  int last_result_code_ = SQLITE_OK;
  bool leased_ = false;
};

// Exclusive use of a cached statement; resets it and clears its bindings on release.
class StatementLease {
 public:
  explicit StatementLease(SqliteStatement& statement) : statement_(&statement) {
    statement.leased_ = true;
  }
  StatementLease(StatementLease&& other) noexcept
      : statement_(std::exchange(other.statement_, nullptr)) {}
  StatementLease& operator=(StatementLease&&) = delete;
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;
  ~StatementLease() {
    if (statement_ != nullptr) {
      statement_->reset();
      statement_->leased_ = false;
    }
  }

  SqliteStatement* operator->() const { return statement_; }
  SqliteStatement& operator*() const { return *statement_; }

  // True while some lease holds `statement` (a cached statement is not re-entrant).
  static bool is_leased(const SqliteStatement& statement) { return statement.leased_; }

 private:
  SqliteStatement* statement_;
};

}  // namespace buurtlijn::store
