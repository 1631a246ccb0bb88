// The store when the disk or the database fails it: a full disk (max_page_count and a
// fault-injecting VFS), a failing COMMIT, a database locked by someone else, a writer
// too busy to answer check_writable in time. Each must fail with unavailable, lose no
// committed data, report nothing uncommitted as committed, and recover.
#include <doctest/doctest.h>

#include "store/sqlite_store.hpp"
#include "store/transaction.hpp"
#include "tests/unit/store/fault_vfs.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::commit;
using testing::make_turn;
using testing::query_int;
using testing::TempDir;

std::unique_ptr<SqliteStore> open_store(const SqliteOptions& options) {
  auto store = SqliteStore::open(options);
  REQUIRE_MESSAGE(store, store.error().message);
  return std::move(*store);
}

InboundTurn big_turn(int i) {
  auto turn = make_turn(testing::numbered("p-full-", i), testing::numbered("f", i), 0);
  turn.text = std::string(3000, 'x');  // a page of its own: the file has to grow
  return turn;
}

Result<std::int64_t> set_max_page_count(SqliteStore& store, std::int64_t pages) {
  return testing::wait_for<std::int64_t>([&](auto done) {
    store.write<std::int64_t>(
        [pages](SqliteConnection& db) -> Result<std::int64_t> {
          return testing::query_int(db, testing::numbered("PRAGMA max_page_count = ", pages));
        },
        done);
  });
}

TEST_CASE("store: a full database fails writes with unavailable and recovers when it has room") {
  TempDir dir;
  auto options = testing::options_for(dir);
  options.max_page_count = 1;  // raised by SQLite to the size after the migrations
  auto store = open_store(options);
  REQUIRE(store->check_writable().error().code == Error::Code::unavailable);

  int committed = 0;
  Result<TurnCommitted> last;
  for (int i = 0; i < 100; ++i) {
    last = commit(*store, big_turn(i));
    if (!last) {
      break;
    }
    ++committed;
  }
  REQUIRE_FALSE(last);
  CHECK(last.error().code == Error::Code::unavailable);
  CHECK(query_int(options.path, "SELECT count(*) FROM conversations") == committed);
  CHECK(query_int(options.path, "SELECT count(*) FROM messages WHERE direction = 'in'") ==
        committed);

  REQUIRE(set_max_page_count(*store, 1'000'000));
  auto writable = store->check_writable();
  CHECK_MESSAGE(writable, writable.error().message);
  auto retried = commit(*store, big_turn(committed));
  REQUIRE_MESSAGE(retried, retried.error().message);
  CHECK(query_int(options.path, "SELECT count(*) FROM conversations") == committed + 1);
}

TEST_CASE("store: a disk that refuses writes fails the turn and check_writable; then recovers") {
  testing::register_fault_vfs();
  const testing::FaultGuard disarm;
  TempDir dir;
  auto options = testing::options_for(dir);
  options.vfs = testing::kFaultVfsName;
  auto store = open_store(options);
  REQUIRE(commit(*store, make_turn("p-before", "b1", 0)));
  REQUIRE(store->check_writable());

  for (const int error : {SQLITE_FULL, SQLITE_IOERR_WRITE}) {
    CAPTURE(error);
    testing::faults().write_error = error;
    auto failed = commit(*store, make_turn("p-during", "d1", 0));
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == Error::Code::unavailable);
    auto writable = store->check_writable();
    REQUIRE_FALSE(writable);
    CHECK(writable.error().code == Error::Code::unavailable);
    testing::faults().write_error = SQLITE_OK;
    // Reads go on while writes fail, and see only what was committed.
    CHECK(store->find_conversation("whatsapp", "p-before")->has_value());
    CHECK_FALSE(store->find_conversation("whatsapp", "p-during")->has_value());
  }
  testing::faults().sync_error = SQLITE_IOERR_FSYNC;
  auto unsynced = commit(*store, make_turn("p-during", "d1", 0));
  REQUIRE_FALSE(unsynced);
  CHECK(unsynced.error().code == Error::Code::unavailable);
  testing::faults().sync_error = SQLITE_OK;

  REQUIRE(store->check_writable());
  auto after = commit(*store, make_turn("p-during", "d1", 0));
  REQUIRE_MESSAGE(after, after.error().message);
  store->close();
  CHECK(query_int(options.path, "SELECT count(*) FROM conversations") == 2);
}

TEST_CASE("store: a database locked by another process fails writes with unavailable") {
  TempDir dir;
  auto options = testing::options_for(dir);
  options.busy_timeout = std::chrono::milliseconds(50);
  auto store = open_store(options);
  REQUIRE(commit(*store, make_turn("p-one", "1", 0)));

  auto other = testing::open_side_connection(options.path);
  {
    auto holding = Transaction::begin(other);  // e.g. an operator's sqlite3 shell
    REQUIRE(holding);
    REQUIRE(other.exec("DELETE FROM outbox"));  // uncommitted

    auto blocked = commit(*store, make_turn("p-two", "2", 0));
    REQUIRE_FALSE(blocked);
    CHECK(blocked.error().code == Error::Code::unavailable);
    CHECK(store->check_writable().error().code == Error::Code::unavailable);
    // Reads do not wait for the lock (WAL) and do not see the uncommitted delete.
    CHECK(*store->outbox_depth() == 1);
    CHECK(store->find_conversation("whatsapp", "p-one")->has_value());
  }  // rolled back
  CHECK(commit(*store, make_turn("p-two", "2", 0)));
  CHECK(*store->outbox_depth() == 2);
}

TEST_CASE("store: check_writable gives up when the writer does not answer in time") {
  TempDir dir;
  auto options = testing::options_for(dir);
  options.writable_check_timeout = std::chrono::milliseconds(20);
  auto store = open_store(options);
  testing::WriterGate gate;
  store->write<void>(gate.job(), [](const Result<void>&) {});
  REQUIRE(gate.wait_started());
  auto stuck = store->check_writable();
  REQUIRE_FALSE(stuck);
  CHECK(stuck.error().code == Error::Code::unavailable);
  gate.release();
  // The late heartbeat still commits, harmlessly, before the next write.
  REQUIRE(commit(*store, make_turn("p-after", "a1", 0)));
  CHECK(query_int(options.path, "SELECT count(*) FROM heartbeat") == 1);
}

}  // namespace
}  // namespace buurtlijn::store
