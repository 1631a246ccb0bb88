// Transactions and savepoints on one connection, rolled back unless committed.
//
// Transaction is BEGIN IMMEDIATE ... COMMIT: it takes the write lock up front, so a
// busy database fails at BEGIN (after busy_timeout) and not halfway through. Savepoint
// nests inside it: the writer gives every write job its own savepoint, so one failing
// job is undone alone. Both undo their work in the destructor unless committed or
// released; a destructor never throws and ignores errors (there is nothing left to
// undo when SQLite already rolled the transaction back itself, e.g. after an I/O error).
//
// Thread safety: as the connection's (one thread at a time).
#pragma once

#include <string>
#include <string_view>

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

class Transaction {
 public:
  // BEGIN IMMEDIATE. Fails with unavailable when the write lock stays taken for longer
  // than the connection's busy timeout.
  static Result<Transaction> begin(SqliteConnection& db);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // ROLLBACK unless committed

  // COMMIT. On failure the transaction is rolled back (now, or by the destructor) and
  // nothing of it is durable.
  Result<void> commit();

 private:
  explicit Transaction(SqliteConnection& db) : db_(&db) {}
  SqliteConnection* db_;  // null once committed or moved from
};

class Savepoint {
 public:
  // SAVEPOINT name. `name` must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*).
  static Result<Savepoint> open(SqliteConnection& db, std::string_view name);

  Savepoint(Savepoint&& other) noexcept;
  Savepoint& operator=(Savepoint&&) = delete;
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  ~Savepoint();  // ROLLBACK TO + RELEASE unless released

  // RELEASE: keeps the work as part of the enclosing transaction.
  Result<void> release();

 private:
  Savepoint(SqliteConnection& db, std::string_view name) : db_(&db), name_(name) {}
  SqliteConnection* db_;  // null once released or moved from
  std::string name_;
};

}  // namespace buurtlijn::store
