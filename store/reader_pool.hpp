// Read connections for the threads that read: each read borrows a connection of its
// own for as long as it runs, so readers never share a connection and never wait for
// one another or for the writer (WAL: a reader sees the last committed snapshot).
//
// The pool opens a connection when none is idle and keeps every connection it opened,
// so it holds as many as the most reads that ever ran at the same time (the gateway's
// worker threads). Read connections are query_only: a write through them fails.
//
// Thread safety: acquire() may be called from any thread; a lease is used by the thread
// that acquired it. The pool must outlive its leases.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

class ReaderPool {
 public:
  // Connections open `options.path` read-only; the database must exist (the writer
  // creates and migrates it first).
  explicit ReaderPool(ConnectionOptions options);
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // A connection for the calling thread, returned to the pool when the lease goes.
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<SqliteConnection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    SqliteConnection& operator*() const { return *connection_; }
    SqliteConnection* operator->() const { return connection_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<SqliteConnection> connection_;
  };

  // An idle connection, or a new one. Fails when a new connection cannot be opened.
  Result<Lease> acquire();
  std::size_t size() const;  // connections opened and not closed, leased or idle

 private:
  void give_back(std::unique_ptr<SqliteConnection> connection);

  const ConnectionOptions options_;
  mutable std::mutex mutex_;  // guards idle_ and opened_
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
  std::size_t opened_ = 0;
};

}  // namespace buurtlijn::store
