// The writer thread's loop and one batch: BEGIN IMMEDIATE, a savepoint per job,
// COMMIT, then the observer and the completions (see group_commit_writer.hpp).
// Thread safety: queue_ and closing_ under mutex_; db_ only on the writer thread.
#include "store/group_commit_writer.hpp"

#include <chrono>
#include <exception>
#include <string>
#include <utility>

#include "store/sqlite_error.hpp"
#include "store/transaction.hpp"

namespace buurtlijn::store {
namespace {

Error unavailable(std::string message) {
  return Error{Error::Code::unavailable, std::move(message)};
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(SqliteConnection db, std::size_t max_batch,
                                     CommitObserver observer)
    : db_(std::move(db)),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      observer_(std::move(observer)),
      thread_([this] { loop(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  close();
}

void GroupCommitWriter::submit(std::unique_ptr<WriteJob> job) {
  {
    const std::lock_guard lock(mutex_);
    if (!closing_) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  const Error closed = unavailable("the store is closed");
  job->finish(&closed);
}

void GroupCommitWriter::close() {
  {
    const std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_one();
  if (std::this_thread::get_id() == thread_.get_id()) {
    return;  // a completion called close(): joining ourselves would deadlock
  }
  const std::lock_guard lock(join_mutex_);
  if (thread_.joinable()) {
    thread_.join();
  }
}

void GroupCommitWriter::loop() {
  std::vector<std::unique_ptr<WriteJob>> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // closing, and everything queued has been committed
      }
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

Result<void> GroupCommitWriter::run_in_savepoint(WriteJob& job) {
  auto savepoint = Savepoint::open(db_, "write_job");
  if (!savepoint) {
    return tl::unexpected(savepoint.error());
  }
  Result<void> result;
  try {
    result = job.run(db_);
  } catch (const std::exception& e) {
    result =
        tl::unexpected(Error{Error::Code::internal, std::string("write job threw: ") + e.what()});
  } catch (...) {
    result = tl::unexpected(Error{Error::Code::internal, "write job threw"});
  }
  if (!result) {
    return result;  // the savepoint's destructor rolls the job back
  }
  return savepoint->release();
}

void GroupCommitWriter::run_batch(std::vector<std::unique_ptr<WriteJob>>& jobs) {
  const auto started = std::chrono::steady_clock::now();
  // Why a job did not commit although the batch did: its own error, a savepoint that
  // could not be opened or released, or an exception.
  std::vector<std::optional<Error>> job_errors(jobs.size());
  std::optional<Error> batch_error;
  {
    auto transaction = Transaction::begin(db_);
    if (!transaction) {
      batch_error = unavailable(transaction.error().message);
    } else {
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        auto result = run_in_savepoint(*jobs[i]);
        if (!result && !db_.in_transaction()) {
          // SQLite rolled back the whole transaction (an I/O error, disk full while
          // spilling the cache, ...): the jobs before this one are gone as well.
          batch_error =
              unavailable("the batch was rolled back by SQLite: " + result.error().message);
          break;
        }
        if (!result) {
          job_errors[i] = result.error();
        }
      }
      if (!batch_error) {
        if (auto committed = transaction->commit(); !committed) {
          batch_error = unavailable(committed.error().message);
        }
      }
    }
  }  // an uncommitted transaction rolls back here
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
  if (observer_.on_batch) {
    try {
      observer_.on_batch(jobs.size(), seconds.count(), !batch_error);
    } catch (...) {  // NOLINT(bugprone-empty-catch): metrics must not stop the writer
    }
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Error* error = nullptr;
    if (batch_error) {
      error = &*batch_error;
    } else if (job_errors[i]) {
      error = &*job_errors[i];
    }
    jobs[i]->finish(error);
  }
}

}  // namespace buurtlijn::store
