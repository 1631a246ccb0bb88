// The RAII wrappers: connection, cached statements bound by name, transaction,
// savepoint, and the mapping of SQLite result codes.
#include <doctest/doctest.h>

#include <fstream>

#include "store/sqlite_connection.hpp"
#include "store/sqlite_error.hpp"
#include "store/transaction.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::TempDir;

SqliteConnection open_new(const TempDir& dir) {
  ConnectionOptions options;
  options.path = dir.file("w.db");
  options.create = true;
  auto db = SqliteConnection::open(options);
  REQUIRE_MESSAGE(db, db.error().message);
  REQUIRE(db->exec("PRAGMA journal_mode = WAL; CREATE TABLE t (a INTEGER, b TEXT);"));
  return std::move(*db);
}

Result<void> insert(SqliteConnection& db, std::int64_t a, std::string_view b) {
  auto statement = db.statement("INSERT INTO t (a, b) VALUES (:a, :b)");
  if (!statement) {
    return tl::unexpected(statement.error());
  }
  (*statement)->bind(":a", a).bind(":b", b);
  return (*statement)->run();
}

std::int64_t count(SqliteConnection& db) {
  return testing::query_int(db, "SELECT count(*) FROM t");
}

TEST_CASE("store: a statement is prepared once per connection and bound by name") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(insert(db, 1, "een"));
  REQUIRE(insert(db, 2, "twee"));
  CHECK(db.cached_statements() == 1);
  CHECK(count(db) == 2);

  auto select = db.statement("SELECT b FROM t WHERE a = :a");
  REQUIRE(select);
  (*select)->bind(":a", std::int64_t{2});
  auto row = (*select)->step();
  REQUIRE(row);
  REQUIRE(*row);
  CHECK((*select)->column_text(0) == "twee");
}

TEST_CASE("store: reusing a cached statement starts from cleared bindings") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(insert(db, 1, "een"));
  {
    auto statement = db.statement("INSERT INTO t (a, b) VALUES (:a, :b)");
    REQUIRE(statement);
    (*statement)->bind(":a", std::int64_t{2});  // :b left unbound: must be NULL, not "een"
    REQUIRE((*statement)->run());
  }
  CHECK(testing::query_int(db, "SELECT count(*) FROM t WHERE a = 2 AND b IS NULL") == 1);
}

TEST_CASE("store: empty text binds as '' and not as NULL") {
  TempDir dir;
  auto db = open_new(dir);
  REQUIRE(insert(db, 1, ""));
  CHECK(testing::query_int(db, "SELECT count(*) FROM t WHERE b = ''") == 1);
}

TEST_CASE("store: an unknown parameter name fails at step and names the parameter") {
  TempDir dir;
  auto db = open_new(dir);
  auto statement = db.statement("INSERT INTO t (a) VALUES (:a)");
  REQUIRE(statement);
  (*statement)->bind(":nope", std::int64_t{1});
  auto ok = (*statement)->run();
  REQUIRE_FALSE(ok);
  CHECK(ok.error().code == Error::Code::internal);
  CHECK(ok.error().message.find(":nope") != std::string::npos);
  CHECK(count(db) == 0);
}

TEST_CASE("store: a cached statement cannot be leased twice at once") {
  TempDir dir;
  auto db = open_new(dir);
  auto first = db.statement("SELECT a FROM t");
  REQUIRE(first);
  auto second = db.statement("SELECT a FROM t");
  REQUIRE_FALSE(second);
  CHECK(second.error().code == Error::Code::internal);
}

TEST_CASE("store: SQL with two statements or a syntax error does not prepare") {
  TempDir dir;
  auto db = open_new(dir);
  CHECK_FALSE(db.statement("SELECT 1; SELECT 2"));
  auto broken = db.statement("SELEKT 1");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().code == Error::Code::internal);
}

TEST_CASE("store: releasing a lease ends the read snapshot it held") {
  TempDir dir;
  auto reader = open_new(dir);
  REQUIRE(insert(reader, 1, "een"));
  auto writer = testing::open_side_connection(dir.file("w.db"));
  {
    auto open_read = reader.statement("SELECT a FROM t");
    REQUIRE(open_read);
    auto row = (*open_read)->step();
    REQUIRE(row);
    REQUIRE(*row);  // a read transaction is now open on `reader`
    REQUIRE(insert(writer, 2, "twee"));
    CHECK(count(reader) == 1);  // still the old snapshot
  }
  CHECK(count(reader) == 2);  // the lease reset the statement: a fresh snapshot
}

TEST_CASE("store: a transaction rolls back unless committed") {
  TempDir dir;
  auto db = open_new(dir);
  {
    auto transaction = Transaction::begin(db);
    REQUIRE(transaction);
    REQUIRE(insert(db, 1, "weg"));
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(count(db) == 0);
  {
    auto transaction = Transaction::begin(db);
    REQUIRE(transaction);
    REQUIRE(insert(db, 2, "blijft"));
    REQUIRE(transaction->commit());
  }
  CHECK(count(db) == 1);
}

TEST_CASE("store: a savepoint undoes only its own work") {
  TempDir dir;
  auto db = open_new(dir);
  auto transaction = Transaction::begin(db);
  REQUIRE(transaction);
  REQUIRE(insert(db, 1, "voor"));
  {
    auto savepoint = Savepoint::open(db, "job");
    REQUIRE(savepoint);
    REQUIRE(insert(db, 2, "weg"));
  }  // rolled back
  {
    auto savepoint = Savepoint::open(db, "job");
    REQUIRE(savepoint);
    REQUIRE(insert(db, 3, "blijft"));
    REQUIRE(savepoint->release());
  }
  REQUIRE(transaction->commit());
  CHECK(testing::query_int(db, "SELECT sum(a) FROM t") == 4);
  CHECK_FALSE(Savepoint::open(db, "x; DROP TABLE t"));
}

TEST_CASE("store: a busy database fails BEGIN with unavailable after the busy timeout") {
  TempDir dir;
  auto db = open_new(dir);
  auto other = testing::open_side_connection(dir.file("w.db"), std::chrono::milliseconds(20));
  auto holding = Transaction::begin(db);
  REQUIRE(holding);
  auto blocked = Transaction::begin(other);
  REQUIRE_FALSE(blocked);
  CHECK(blocked.error().code == Error::Code::unavailable);
}

TEST_CASE("store: opening a missing file without create, or a file that is no database") {
  TempDir dir;
  ConnectionOptions options;
  options.path = dir.file("missing.db");
  auto missing = SqliteConnection::open(options);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Error::Code::unavailable);

  options.path = dir.file("garbage.db");
  std::ofstream(options.path) << std::string(8192, 'x');
  auto garbage = SqliteConnection::open(options);
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().code == Error::Code::internal);
}

TEST_CASE("store: SQLite result codes map to store error codes") {
  struct Case {
    int result_code;
    Error::Code expected;
  };
  const Case cases[] = {
      {SQLITE_FULL, Error::Code::unavailable},
      {SQLITE_IOERR, Error::Code::unavailable},
      {SQLITE_IOERR_WRITE, Error::Code::unavailable},
      {SQLITE_IOERR_FSYNC, Error::Code::unavailable},
      {SQLITE_BUSY, Error::Code::unavailable},
      {SQLITE_BUSY_SNAPSHOT, Error::Code::unavailable},
      {SQLITE_LOCKED, Error::Code::unavailable},
      {SQLITE_READONLY, Error::Code::unavailable},
      {SQLITE_READONLY_DBMOVED, Error::Code::unavailable},
      {SQLITE_CANTOPEN, Error::Code::unavailable},
      {SQLITE_CONSTRAINT_UNIQUE, Error::Code::internal},
      {SQLITE_CORRUPT, Error::Code::internal},
      {SQLITE_NOTADB, Error::Code::internal},
      {SQLITE_ERROR, Error::Code::internal},
  };
  for (const Case& c : cases) {
    CAPTURE(c.result_code);
    CHECK(code_for_sqlite(c.result_code) == c.expected);
  }
  const Error error = sqlite_error(nullptr, SQLITE_FULL, "insert message");
  CHECK(error.code == Error::Code::unavailable);
  CHECK(error.message.find("insert message") == 0);
}

}  // namespace
}  // namespace buurtlijn::store
