// SQLite result codes turned into store errors, in one place, so that every caller
// agrees on what "retry later" means: disk full, I/O errors, a lock held too long, a
// read-only or unopenable file are Code::unavailable; everything else is internal
// unless the caller knows better (a UNIQUE violation that means "duplicate").
//
// Error messages name the operation and SQLite's own message (which names tables and
// columns, never bound values), so they are safe to log. Thread safety: the functions
// are pure, but sqlite_error() reads the connection's last error, so call it on the
// thread that made the failing call, before the next call on that connection.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "store/store.hpp"

namespace buurtlijn::store {

// The code a SQLite result (primary or extended) maps to.
Error::Code code_for_sqlite(int result_code);

// An error for a failed SQLite call on `db` (may be null: then only the generic text
// for `result_code` is used). `context` says what was being done, e.g. "insert message".
Error sqlite_error(sqlite3* db, int result_code, std::string_view context);

// Shorthand for returning a store error from a function that returns Result<T>.
inline tl::unexpected<Error> fail(Error::Code code, std::string message) {
  return tl::unexpected(Error{code, std::move(message)});
}

}  // namespace buurtlijn::store
