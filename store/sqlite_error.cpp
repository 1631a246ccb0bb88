// The one mapping from SQLite result codes to store error codes (see sqlite_error.hpp).
// Thread safety: pure, apart from reading the connection's last error message.
#include "store/sqlite_error.hpp"

namespace buurtlijn::store {

Error::Code code_for_sqlite(int result_code) {
  switch (result_code & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
      return Error::Code::unavailable;
    default:
      return Error::Code::internal;
  }
}

Error sqlite_error(sqlite3* db, int result_code, std::string_view context) {
  std::string message(context);
  message += ": ";
  // sqlite3_errmsg() describes the last failed call on this connection; it names
  // tables, columns and constraints but never the values that were bound.
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result_code);
  message += " (SQLite result code ";
  message += std::to_string(result_code);
  message += ")";
  return Error{code_for_sqlite(result_code), std::move(message)};
}

}  // namespace buurtlijn::store
