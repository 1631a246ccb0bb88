// Lending read connections (see reader_pool.hpp). Thread safety: idle_ and opened_
// under mutex_; a connection is opened outside the lock and used by one thread at a time.
#include "store/reader_pool.hpp"

#include <utility>

namespace buurtlijn::store {

ReaderPool::ReaderPool(ConnectionOptions options)
    : options_([&] {
        options.create = false;
        options.read_only = true;
        return std::move(options);
      }()) {}

ReaderPool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->give_back(std::move(connection_));
  }
}

Result<ReaderPool::Lease> ReaderPool::acquire() {
  {
    const std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(connection));
    }
  }
  // Opened outside the lock: opening touches the file and must not stall other readers.
  auto opened = SqliteConnection::open(options_);
  if (!opened) {
    return tl::unexpected(opened.error());
  }
  {
    const std::lock_guard lock(mutex_);
    ++opened_;
  }
  return Lease(*this, std::make_unique<SqliteConnection>(std::move(*opened)));
}

std::size_t ReaderPool::size() const {
  const std::lock_guard lock(mutex_);
  return opened_;
}

void ReaderPool::give_back(std::unique_ptr<SqliteConnection> connection) {
  if (connection->in_transaction()) {
    (void)connection->exec("ROLLBACK");  // never keep an old snapshot alive in the pool
  }
  const std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

}  // namespace buurtlijn::store
