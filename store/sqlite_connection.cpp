// Opening a connection and its statement cache (see sqlite_connection.hpp).
// Thread safety: none of its own; one thread at a time per connection.
#include "store/sqlite_connection.hpp"

#include <cstdint>
#include <string>

#include "store/sqlite_error.hpp"

namespace buurtlijn::store {

Result<SqliteConnection> SqliteConnection::open(const ConnectionOptions& options) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (options.create) {
    flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(options.path.c_str(), &raw, flags,
                                 options.vfs.empty() ? nullptr : options.vfs.c_str());
  SqliteConnection connection(raw);  // closes the handle on every path out
  if (rc != SQLITE_OK) {
    return tl::unexpected(sqlite_error(raw, rc, "open database"));
  }
  sqlite3_extended_result_codes(raw, 1);
  const auto busy_ms = options.busy_timeout.count();
  sqlite3_busy_timeout(raw, busy_ms > INT32_MAX ? INT32_MAX : static_cast<int>(busy_ms));
  // Opening is lazy: read the schema now, so "not a database" shows up here.
  if (auto ok = connection.exec("PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_schema;");
      !ok) {
    return tl::unexpected(ok.error());
  }
  if (options.read_only) {
    if (auto ok = connection.exec("PRAGMA query_only = ON;"); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  return connection;
}

Result<void> SqliteConnection::exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a C string
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return tl::unexpected(sqlite_error(db_.get(), rc, "exec"));
  }
  return {};
}

Result<StatementLease> SqliteConnection::statement(std::string_view sql) {
  auto found = cache_->find(sql);
  if (found == cache_->end()) {
    auto prepared = SqliteStatement::prepare(db_.get(), sql, /*persistent=*/true);
    if (!prepared) {
      return tl::unexpected(prepared.error());
    }
    found = cache_->emplace(std::string(sql), std::move(*prepared)).first;
  }
  SqliteStatement& statement = *found->second;
  if (StatementLease::is_leased(statement)) {
    return fail(Error::Code::internal, "statement is already in use on this connection");
  }
  StatementLease lease(statement);
  statement.reset();  // in case a previous user stepped it without a lease
  return lease;
}

Result<void> SqliteConnection::run(std::string_view sql) {
  auto lease = statement(sql);
  if (!lease) {
    return tl::unexpected(lease.error());
  }
  return (*lease)->run();
}

std::int64_t SqliteConnection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}

std::int64_t SqliteConnection::changes() const {
  return sqlite3_changes64(db_.get());
}

bool SqliteConnection::in_transaction() const {
  return sqlite3_get_autocommit(db_.get()) == 0;
}

}  // namespace buurtlijn::store
