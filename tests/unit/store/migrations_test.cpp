// Numbered migrations: from an empty file, idempotent on reopen, stepwise upgrades,
// a failing migration rolled back, and refusal of a database from a newer buurtlijn.
#include "store/migrations.hpp"

#include <doctest/doctest.h>

#include <array>

#include "store/sqlite_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::query_int;
using testing::TempDir;

constexpr Millis kFirstStart = 1'700'000'000'000;
constexpr Millis kSecondStart = 1'800'000'000'000;

SqliteConnection open_new(const TempDir& dir) {
  ConnectionOptions options;
  options.path = dir.file("m.db");
  options.create = true;
  auto db = SqliteConnection::open(options);
  REQUIRE_MESSAGE(db, db.error().message);
  return std::move(*db);
}

bool has_table(SqliteConnection& db, const std::string& name) {
  return query_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '" +
                           name + "'") == 1;
}

std::int64_t latest() {
  return all_migrations().back().version;
}

TEST_CASE("store: migrations are numbered 1, 2, 3 ... without gaps") {
  std::int64_t expected = 1;
  for (const Migration& migration : all_migrations()) {
    CHECK(migration.version == expected++);
    CHECK_FALSE(migration.sql.empty());
  }
}

TEST_CASE("store: migrating an empty database applies every migration, each recorded") {
  TempDir dir;
  auto db = open_new(dir);
  auto version = migrate(db, all_migrations(), kFirstStart);
  REQUIRE_MESSAGE(version, version.error().message);
  CHECK(*version == latest());
  CHECK(query_int(db, "SELECT count(*) FROM schema_migrations") == latest());
  CHECK(query_int(db, "SELECT min(applied_at) FROM schema_migrations") == kFirstStart);
  for (const char* table : {"subjects", "conversations", "messages", "outbox", "heartbeat"}) {
    CAPTURE(table);
    CHECK(has_table(db, table));
  }
  CHECK(query_int(db,
                  "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN "
                  "('outbox_due', 'outbox_by_conversation')") == 2);
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("store: the tables are STRICT and checked") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(migrate(db, all_migrations(), kFirstStart));
  // A text in an INTEGER column of a STRICT table is refused, not stored as text.
  CHECK_FALSE(
      db.exec("INSERT INTO subjects (pseudonym, channel, created_at) "
              "VALUES ('p', 'sms', 'yesterday')"));
  CHECK_FALSE(
      db.exec("INSERT INTO outbox (channel, payload, status, next_attempt_at, created_at,"
              " updated_at) VALUES ('sms', '{}', 'lost', 0, 0, 0)"));
  CHECK(
      db.exec("INSERT INTO outbox (channel, payload, status, next_attempt_at, created_at,"
              " updated_at) VALUES ('sms', '{}', 'queued', 0, 0, 0)"));
  // Foreign keys are enforced.
  CHECK_FALSE(
      db.exec("INSERT INTO conversations (subject_id, channel, created_at, updated_at) "
              "VALUES (42, 'sms', 0, 0)"));
}

TEST_CASE("store: migrating again changes nothing") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(migrate(db, all_migrations(), kFirstStart));
  auto again = migrate(db, all_migrations(), kSecondStart);
  REQUIRE_MESSAGE(again, again.error().message);
  CHECK(*again == latest());
  CHECK(query_int(db, "SELECT count(*) FROM schema_migrations") == latest());
  CHECK(query_int(db, "SELECT max(applied_at) FROM schema_migrations") == kFirstStart);
}

TEST_CASE("store: an older database is upgraded by the migrations it lacks") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(migrate(db, all_migrations().first(1), kFirstStart));
  CHECK(*schema_version(db) == 1);
  CHECK_FALSE(has_table(db, "heartbeat"));

  REQUIRE(migrate(db, all_migrations(), kSecondStart));
  CHECK(*schema_version(db) == latest());
  CHECK(has_table(db, "heartbeat"));
  CHECK(query_int(db, "SELECT applied_at FROM schema_migrations WHERE version = 1") == kFirstStart);
  CHECK(query_int(db, "SELECT applied_at FROM schema_migrations WHERE version = 2") ==
        kSecondStart);
}

TEST_CASE("store: a failing migration is rolled back whole and not recorded") {
  TempDir dir;
  auto db = open_new(dir);
  const std::array<Migration, 2> broken{{
      {1, "CREATE TABLE kept (a INTEGER) STRICT;"},
      {2, "CREATE TABLE half (a INTEGER) STRICT; CREATE TABLE broken (;"},
  }};
  auto version = migrate(db, broken, kFirstStart);
  REQUIRE_FALSE(version);
  CHECK(version.error().message.find("migration 2") != std::string::npos);
  CHECK(*schema_version(db) == 1);
  CHECK(has_table(db, "kept"));
  CHECK_FALSE(has_table(db, "half"));
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("store: a database from a newer buurtlijn is refused, naming both versions") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(migrate(db, all_migrations(), kFirstStart));
  REQUIRE(db.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)"));
  auto version = migrate(db, all_migrations(), kSecondStart);
  REQUIRE_FALSE(version);
  CHECK(version.error().code == Error::Code::too_new);
  CHECK(version.error().message.find("999") != std::string::npos);
  CHECK(version.error().message.find(std::to_string(latest())) != std::string::npos);
}

TEST_CASE("store: opening the store migrates; reopening is idempotent; too new is refused") {
  TempDir dir;
  const SqliteOptions options = testing::options_for(dir);
  {
    auto store = open_sqlite_store(options);
    REQUIRE_MESSAGE(store, store.error().message);
  }
  {
    auto store = open_sqlite_store(options);
    REQUIRE_MESSAGE(store, store.error().message);
  }
  CHECK(query_int(options.path, "SELECT count(*) FROM schema_migrations") == latest());

  {
    auto db = testing::open_side_connection(options.path);
    REQUIRE(db.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)"));
  }
  auto refused = open_sqlite_store(options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Error::Code::too_new);
  CHECK(refused.error().message.find("999") != std::string::npos);
}

TEST_CASE("store: opening needs a file path") {
  SqliteOptions options;
  CHECK(open_sqlite_store(options).error().code == Error::Code::invalid);
  options.path = ":memory:";
  CHECK(open_sqlite_store(options).error().code == Error::Code::invalid);
}

}  // namespace
}  // namespace buurtlijn::store
