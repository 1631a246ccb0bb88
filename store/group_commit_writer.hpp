// The single writer: one thread that owns the write connection and commits the writes
// of many callers in one transaction (group commit).
//
// Callers submit write jobs. The thread takes every pending job (up to max_batch),
// opens one transaction (BEGIN IMMEDIATE), runs each job in its own SAVEPOINT -- a job
// that fails is rolled back alone while the others go on -- and COMMITs (one fsync for
// the whole batch under synchronous=FULL). Only after COMMIT has returned OK does it
// call each job's completion with the job's own result; when the batch fails as a whole
// (BEGIN or COMMIT fails, or SQLite rolled the transaction back after an I/O error)
// every job completes with Code::unavailable and none is reported as committed. The
// observer's on_batch runs after each batch, before the completions.
//
// Thread safety: submit() and close() may be called from any thread. Jobs and their
// completions run on the writer thread, in submission order; a completion must not
// block on another write (that write waits for the completion to return). Exceptions
// escaping a job fail that job with Code::internal; exceptions escaping a completion are
// caught and dropped so that the writer keeps running.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

// One unit of work for the writer thread.
class WriteJob {
 public:
  virtual ~WriteJob() = default;
  // Runs inside the batch's transaction, in the job's own savepoint. An error rolls
  // back the savepoint (and only it).
  virtual Result<void> run(SqliteConnection& db) = 0;
  // Runs once, after the batch: `error` is null when the batch committed (the job then
  // reports what run() produced), otherwise the reason the job did not commit.
  virtual void finish(const Error* error) noexcept = 0;
};

// A job made of a function over the write connection and a callback for its result.
template <class T>
class CallbackJob final : public WriteJob {
 public:
  CallbackJob(std::function<Result<T>(SqliteConnection&)> work, std::function<void(Result<T>)> done)
      : work_(std::move(work)), done_(std::move(done)) {}

  Result<void> run(SqliteConnection& db) override {
    result_.emplace(work_(db));
    if (result_->has_value()) {
      return {};
    }
    return tl::unexpected(result_->error());
  }

  void finish(const Error* error) noexcept override {
    if (!done_) {
      return;
    }
    try {
      if (error != nullptr) {
        done_(tl::unexpected(*error));
      } else if (result_) {
        done_(std::move(*result_));
      } else {
        done_(tl::unexpected(Error{Error::Code::internal, "write job did not run"}));
      }
    } catch (...) {  // NOLINT(bugprone-empty-catch): the writer must outlive a bad callback
    }
  }

 private:
  std::function<Result<T>(SqliteConnection&)> work_;
  std::function<void(Result<T>)> done_;
  std::optional<Result<T>> result_;
};

class GroupCommitWriter {
 public:
  // Starts the writer thread, which owns `db` from now on (configured and migrated).
  GroupCommitWriter(SqliteConnection db, std::size_t max_batch, CommitObserver observer);
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;
  ~GroupCommitWriter();  // close()

  // Queues `job` for the next batch. After close() the job is finished at once, on the
  // calling thread, with Code::unavailable.
  void submit(std::unique_ptr<WriteJob> job);

  template <class T>
  void submit(std::function<Result<T>(SqliteConnection&)> work,
              std::function<void(Result<T>)> done) {
    submit(std::make_unique<CallbackJob<T>>(std::move(work), std::move(done)));
  }

  // Stops taking jobs, commits those already queued, joins the thread. Idempotent.
  // Called from the writer thread itself (inside a completion) it only stops taking
  // jobs; the thread is joined by a later close() or the destructor, which must then
  // not run on the writer thread.
  void close();

 private:
  void loop();
  void run_batch(std::vector<std::unique_ptr<WriteJob>>& jobs);
  // Runs one job in its own savepoint; an error means the savepoint was rolled back.
  Result<void> run_in_savepoint(WriteJob& job);

  SqliteConnection db_;  // used only by the writer thread
  const std::size_t max_batch_;
  const CommitObserver observer_;

  std::mutex mutex_;  // guards queue_ and closing_
  std::condition_variable wake_;
  std::deque<std::unique_ptr<WriteJob>> queue_;
  bool closing_ = false;

  std::mutex join_mutex_;  // serialises concurrent close() calls around join()
  std::thread thread_;     // last: starts after everything above is ready
};

}  // namespace buurtlijn::store
