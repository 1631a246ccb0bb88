// BEGIN/COMMIT/ROLLBACK and SAVEPOINT/RELEASE/ROLLBACK TO (see transaction.hpp).
// Thread safety: as the connection's.
#include "store/transaction.hpp"

#include <utility>

#include "store/sqlite_error.hpp"

namespace buurtlijn::store {
namespace {

bool is_identifier(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) {
    return false;
  }
  for (const char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<Transaction> Transaction::begin(SqliteConnection& db) {
  if (auto ok = db.run("BEGIN IMMEDIATE"); !ok) {
    return tl::unexpected(Error{ok.error().code, "begin transaction: " + ok.error().message});
  }
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr && db_->in_transaction()) {
    (void)db_->run("ROLLBACK");
  }
}

Result<void> Transaction::commit() {
  if (db_ == nullptr) {
    return fail(Error::Code::internal, "commit: the transaction is no longer open");
  }
  if (auto ok = db_->run("COMMIT"); !ok) {
    // A failed COMMIT may leave the transaction open (SQLITE_BUSY) or may already have
    // rolled it back (I/O errors): the destructor rolls back what remains.
    return tl::unexpected(Error{ok.error().code, "commit: " + ok.error().message});
  }
  db_ = nullptr;
  return {};
}

Result<Savepoint> Savepoint::open(SqliteConnection& db, std::string_view name) {
  if (!is_identifier(name)) {
    return fail(Error::Code::invalid, "savepoint name is not a plain identifier");
  }
  if (auto ok = db.run("SAVEPOINT " + std::string(name)); !ok) {
    return tl::unexpected(Error{ok.error().code, "savepoint: " + ok.error().message});
  }
  return Savepoint(db, name);
}

Savepoint::Savepoint(Savepoint&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), name_(std::move(other.name_)) {}

Savepoint::~Savepoint() {
  if (db_ != nullptr && db_->in_transaction()) {
    // ROLLBACK TO undoes the work but keeps the savepoint open; RELEASE closes it.
    (void)db_->run("ROLLBACK TO " + name_);
    (void)db_->run("RELEASE " + name_);
  }
}

Result<void> Savepoint::release() {
  if (db_ == nullptr) {
    return fail(Error::Code::internal, "release: the savepoint is no longer open");
  }
  if (auto ok = db_->run("RELEASE " + name_); !ok) {
    return tl::unexpected(Error{ok.error().code, "release savepoint: " + ok.error().message});
  }
  db_ = nullptr;
  return {};
}

}  // namespace buurtlijn::store
