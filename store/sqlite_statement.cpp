// Preparing, binding, stepping and resetting one statement (see sqlite_statement.hpp).
// Thread safety: none of its own; used by the thread that holds its connection.
#include "store/sqlite_statement.hpp"

#include <string>

#include "store/sqlite_error.hpp"

namespace buurtlijn::store {

Result<std::unique_ptr<SqliteStatement>> SqliteStatement::prepare(sqlite3* db, std::string_view sql,
                                                                  bool persistent) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), flags, &raw, &tail);
  std::unique_ptr<SqliteStatement> statement(new SqliteStatement(raw));
  if (rc != SQLITE_OK) {
    return tl::unexpected(sqlite_error(db, rc, "prepare statement"));
  }
  if (raw == nullptr) {
    return fail(Error::Code::internal, "prepare statement: the SQL holds no statement");
  }
  const std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return fail(Error::Code::internal, "prepare statement: the SQL holds more than one statement");
  }
  return statement;
}

int SqliteStatement::index_of(std::string_view name) {
  const std::string key(name);  // sqlite3_bind_parameter_index wants a C string
  const int index = sqlite3_bind_parameter_index(statement_.get(), key.c_str());
  if (index == 0 && !bind_error_) {
    bind_error_ = Error{Error::Code::internal, "bind: the statement has no parameter " + key};
  }
  return index;
}

void SqliteStatement::check_bind(int result_code, std::string_view name) {
  if (result_code != SQLITE_OK && !bind_error_) {
    bind_error_ =
        sqlite_error(sqlite3_db_handle(statement_.get()), result_code, "bind " + std::string(name));
  }
}

SqliteStatement& SqliteStatement::bind(std::string_view name, std::int64_t value) {
  if (const int index = index_of(name); index != 0) {
    check_bind(sqlite3_bind_int64(statement_.get(), index, value), name);
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind(std::string_view name, std::string_view text) {
  if (const int index = index_of(name); index != 0) {
    // SQLITE_TRANSIENT: SQLite copies the text, so the caller's buffer may go away.
    // A non-null pointer for empty text, or SQLite would bind NULL instead of ''.
    check_bind(sqlite3_bind_text64(statement_.get(), index, text.empty() ? "" : text.data(),
                                   text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
               name);
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind_null(std::string_view name) {
  if (const int index = index_of(name); index != 0) {
    check_bind(sqlite3_bind_null(statement_.get(), index), name);
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind_zeroblob(std::string_view name, int bytes) {
  if (const int index = index_of(name); index != 0) {
    check_bind(sqlite3_bind_zeroblob(statement_.get(), index, bytes), name);
  }
  return *this;
}

Result<bool> SqliteStatement::step() {
  if (bind_error_) {
    return tl::unexpected(*bind_error_);
  }
  last_result_code_ = sqlite3_step(statement_.get());
  switch (last_result_code_) {
    case SQLITE_ROW:
      return true;
    case SQLITE_DONE:
      return false;
    default:
      return tl::unexpected(
          sqlite_error(sqlite3_db_handle(statement_.get()), last_result_code_, "step"));
  }
}

Result<void> SqliteStatement::run() {
  for (;;) {
    auto row = step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return {};
    }
  }
}

std::int64_t SqliteStatement::column_int64(int column) const {
  return sqlite3_column_int64(statement_.get(), column);
}

std::string SqliteStatement::column_text(int column) const {
  // Text first, then its size: that order keeps the pointer valid (SQLite docs).
  const auto* text = sqlite3_column_text(statement_.get(), column);
  const int bytes = sqlite3_column_bytes(statement_.get(), column);
  if (text == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

bool SqliteStatement::column_is_null(int column) const {
  return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}

void SqliteStatement::reset() {
  sqlite3_reset(statement_.get());
  sqlite3_clear_bindings(statement_.get());
  bind_error_.reset();
  last_result_code_ = SQLITE_OK;
}

}  // namespace buurtlijn::store
