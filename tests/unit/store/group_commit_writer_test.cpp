// The single writer: group commit, one failing job rolled back alone, completions only
// after COMMIT, a failed COMMIT failing the whole batch, close().
#include "store/group_commit_writer.hpp"

#include <doctest/doctest.h>

#include <mutex>
#include <thread>

#include "tests/unit/store/fault_vfs.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::TempDir;
using testing::WriterGate;

struct Batch {
  std::size_t writes;
  bool ok;
};

// Records every batch the writer reports.
struct BatchLog {
  std::mutex mutex;
  std::vector<Batch> batches;

  CommitObserver observer() {
    return {[this](std::size_t writes, double seconds, bool ok) {
      CHECK(seconds >= 0.0);
      const std::lock_guard lock(mutex);
      batches.push_back({writes, ok});
    }};
  }
  std::vector<Batch> snapshot() {
    const std::lock_guard lock(mutex);
    return batches;
  }
};

// A writer over a small `items` table; `vfs` selects the fault-injecting VFS.
struct Fixture {
  TempDir dir;
  BatchLog log;
  std::string path = dir.file("g.db");
  std::unique_ptr<GroupCommitWriter> writer;

  explicit Fixture(std::size_t max_batch = 512, std::string vfs = {}) {
    ConnectionOptions options;
    options.path = path;
    options.create = true;
    options.vfs = std::move(vfs);
    auto db = SqliteConnection::open(options);
    REQUIRE_MESSAGE(db, db.error().message);
    REQUIRE(
        db->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                 "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE) STRICT;"));
    writer = std::make_unique<GroupCommitWriter>(std::move(*db), max_batch, log.observer());
  }

  std::int64_t rows(std::string_view where = "1") {
    return testing::query_int(path, "SELECT count(*) FROM items WHERE " + std::string(where));
  }
};

Result<void> insert_item(SqliteConnection& db, std::string_view name) {
  auto insert = db.statement("INSERT INTO items (name) VALUES (:name)");
  if (!insert) {
    return tl::unexpected(insert.error());
  }
  (*insert)->bind(":name", name);
  return (*insert)->run();
}

// Submits `work` and returns a future for its completion.
std::future<Result<void>> submit(GroupCommitWriter& writer,
                                 std::function<Result<void>(SqliteConnection&)> work) {
  auto promise = std::make_shared<std::promise<Result<void>>>();
  auto future = promise->get_future();
  writer.submit<void>(std::move(work),
                      [promise](Result<void> result) { promise->set_value(std::move(result)); });
  return future;
}

Result<void> get(std::future<Result<void>>& future) {
  REQUIRE(future.wait_for(testing::kDeadline) == std::future_status::ready);
  return future.get();
}
Result<void> get(std::future<Result<void>>&& future) {
  return get(future);
}

TEST_CASE("store: a failing job is rolled back alone while its batch commits") {
  Fixture f;
  WriterGate gate;
  auto gated = submit(*f.writer, gate.job());
  REQUIRE(gate.wait_started());

  auto a = submit(*f.writer, [](SqliteConnection& db) { return insert_item(db, "a"); });
  auto b = submit(*f.writer, [](SqliteConnection& db) -> Result<void> {
    if (auto ok = insert_item(db, "b"); !ok) {
      return ok;
    }
    return insert_item(db, "a");  // UNIQUE violation: all of b must go, "b" included
  });
  auto c = submit(*f.writer, [](SqliteConnection& db) { return insert_item(db, "c"); });
  gate.release();

  CHECK(get(gated));
  CHECK(get(a));
  auto failed = get(b);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code == Error::Code::internal);
  CHECK(get(c));

  CHECK(f.rows() == 2);
  CHECK(f.rows("name = 'b'") == 0);
  const auto batches = f.log.snapshot();
  REQUIRE(batches.size() == 2);
  CHECK(batches[1].writes == 3);
  CHECK(batches[1].ok);
}

TEST_CASE("store: a completion runs only after its batch is committed") {
  Fixture f;
  std::promise<std::int64_t> seen;
  f.writer->submit<void>([](SqliteConnection& db) { return insert_item(db, "x"); },
                         [&](Result<void> result) {
                           CHECK(result);
                           // Another connection sees the row: the COMMIT has happened.
                           seen.set_value(f.rows("name = 'x'"));
                         });
  auto future = seen.get_future();
  REQUIRE(future.wait_for(testing::kDeadline) == std::future_status::ready);
  CHECK(future.get() == 1);
}

TEST_CASE("store: an exception in a job fails that job only") {
  Fixture f;
  WriterGate gate;
  auto gated = submit(*f.writer, gate.job());
  REQUIRE(gate.wait_started());
  auto thrower = submit(*f.writer, [](SqliteConnection& db) -> Result<void> {
    (void)insert_item(db, "half");
    throw std::runtime_error("boom");
  });
  auto fine = submit(*f.writer, [](SqliteConnection& db) { return insert_item(db, "fine"); });
  gate.release();
  auto thrown = get(thrower);
  REQUIRE_FALSE(thrown);
  CHECK(thrown.error().code == Error::Code::internal);
  CHECK(get(fine));
  CHECK(f.rows() == 1);
  CHECK(f.rows("name = 'fine'") == 1);
}

TEST_CASE("store: when COMMIT fails every job of the batch is unavailable; then it recovers") {
  testing::register_fault_vfs();
  const testing::FaultGuard disarm;
  Fixture f(512, testing::kFaultVfsName);
  REQUIRE(get(submit(*f.writer, [](SqliteConnection& db) { return insert_item(db, "before"); })));

  WriterGate gate;
  auto gated = submit(*f.writer, gate.job());
  REQUIRE(gate.wait_started());
  auto a = submit(*f.writer, [](SqliteConnection& db) { return insert_item(db, "a"); });
  auto b = submit(*f.writer, [](SqliteConnection& db) -> Result<void> {
    auto ok = insert_item(db, "b");
    // The disk fills up now: the pages of a and b reach the WAL only at COMMIT.
    testing::faults().write_error = SQLITE_FULL;
    return ok;
  });
  gate.release();
  CHECK(get(gated));
  for (auto* job : {&a, &b}) {
    auto result = get(*job);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == Error::Code::unavailable);
  }
  CHECK(testing::faults().failed_calls > 0);
  auto batches = f.log.snapshot();
  REQUIRE(batches.size() == 3);
  CHECK(batches[2].writes == 2);
  CHECK_FALSE(batches[2].ok);

  testing::faults().write_error = SQLITE_OK;
  CHECK(f.rows() == 1);  // neither a nor b
  REQUIRE(get(submit(*f.writer, [](SqliteConnection& db) { return insert_item(db, "after"); })));
  CHECK(f.rows() == 2);
  CHECK(f.rows("name IN ('a', 'b')") == 0);
}

TEST_CASE("store: a transaction that SQLite rolled back fails the whole batch") {
  Fixture f;
  WriterGate gate;
  auto gated = submit(*f.writer, gate.job());
  REQUIRE(gate.wait_started());
  auto a = submit(*f.writer, [](SqliteConnection& db) { return insert_item(db, "a"); });
  // What an I/O error can do behind our back: the whole transaction is gone.
  auto b = submit(*f.writer, [](SqliteConnection& db) { return db.exec("ROLLBACK"); });
  auto c = submit(*f.writer, [](SqliteConnection& db) { return insert_item(db, "c"); });
  gate.release();
  CHECK(get(gated));
  for (auto* job : {&a, &b, &c}) {
    auto result = get(*job);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == Error::Code::unavailable);
  }
  CHECK(f.rows() == 0);
  REQUIRE(get(submit(*f.writer, [](SqliteConnection& db) { return insert_item(db, "later"); })));
  CHECK(f.rows() == 1);
}

TEST_CASE("store: a batch holds at most max_batch writes") {
  Fixture f(4);
  WriterGate gate;
  auto gated = submit(*f.writer, gate.job());
  REQUIRE(gate.wait_started());
  std::vector<std::future<Result<void>>> jobs;
  jobs.reserve(10);
  for (int i = 0; i < 10; ++i) {
    jobs.push_back(submit(*f.writer, [i](SqliteConnection& db) {
      return insert_item(db, testing::numbered("item ", i));
    }));
  }
  gate.release();
  for (auto& job : jobs) {
    CHECK(get(job));
  }
  CHECK(get(gated));
  std::vector<std::size_t> sizes;
  for (const Batch& batch : f.log.snapshot()) {
    sizes.push_back(batch.writes);
  }
  CHECK(sizes == std::vector<std::size_t>{1, 4, 4, 2});
  CHECK(f.rows() == 10);
}

TEST_CASE("store: close commits what is queued; later writes fail at once with unavailable") {
  Fixture f;
  WriterGate gate;
  auto gated = submit(*f.writer, gate.job());
  REQUIRE(gate.wait_started());
  std::vector<std::future<Result<void>>> jobs;
  jobs.reserve(10);
  for (int i = 0; i < 10; ++i) {
    jobs.push_back(submit(*f.writer, [i](SqliteConnection& db) {
      return insert_item(db, testing::numbered("queued ", i));
    }));
  }
  std::thread closer([&] { f.writer->close(); });
  gate.release();
  closer.join();  // returns once the queue is drained and the thread joined
  for (auto& job : jobs) {
    REQUIRE(job.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
    CHECK(job.get());
  }
  CHECK(f.rows() == 10);

  bool called = false;
  const auto caller = std::this_thread::get_id();
  f.writer->submit<void>([](SqliteConnection& db) { return insert_item(db, "late"); },
                         [&](Result<void> result) {
                           called = true;
                           CHECK(std::this_thread::get_id() == caller);
                           CHECK((!result && result.error().code == Error::Code::unavailable));
                         });
  CHECK(called);
  f.writer->close();  // idempotent
  CHECK(f.rows() == 10);
}

}  // namespace
}  // namespace buurtlijn::store
