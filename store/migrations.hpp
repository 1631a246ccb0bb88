// Numbered schema migrations: the schema is created and upgraded by applying, in
// order, every migration the database has not recorded yet.
//
// Each migration runs in its own transaction together with its row in
// schema_migrations(version, applied_at), so a crash leaves either all of a migration
// or none of it. A database that records a version this code does not know was written
// by a newer buurtlijn: migrate() refuses it with Code::too_new and changes nothing.
// Migrations are never edited once released; a change to the schema is a new entry at
// the end of the list in migrations.cpp.
//
// Thread safety: migrate() uses the connection it is given (one thread at a time); two
// processes migrating the same file are serialised by BEGIN IMMEDIATE.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

struct Migration {
  std::int64_t version;  // 1, 2, 3 ... in the order they are applied
  std::string_view sql;  // one or more statements
};

// Every migration this code knows, oldest first.
std::span<const Migration> all_migrations();

// Brings the database to the newest version in `migrations` (ascending versions).
// Returns the schema version afterwards. Fails with too_new when the database records
// a version above the newest in `migrations`, and with the SQLite error of a migration
// that fails (that migration is rolled back; those before it stay applied).
Result<std::int64_t> migrate(SqliteConnection& db, std::span<const Migration> migrations,
                             Millis now);

// The highest version recorded in schema_migrations, 0 for a new database.
Result<std::int64_t> schema_version(SqliteConnection& db);

}  // namespace buurtlijn::store
