// commit_turn and the reads around it: what a turn writes, version conflicts,
// duplicates, bad input, and group commit under many threads.
#include <doctest/doctest.h>

#include <algorithm>
#include <latch>
#include <mutex>
#include <thread>

#include "store/sqlite_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::commit;
using testing::make_turn;
using testing::query_int;
using testing::TempDir;

constexpr const char* kAlice = "p-7f3a9c0d1e2b";  // pseudonyms as the gateway would make them
constexpr const char* kBogdan = "p-0c4e8d1f9a27";

std::unique_ptr<SqliteStore> open_store(const SqliteOptions& options) {
  auto store = SqliteStore::open(options);
  REQUIRE_MESSAGE(store, store.error().message);
  return std::move(*store);
}

// No error message may carry what a person wrote or who they are.
void check_no_personal_data(const Error& error, const InboundTurn& turn) {
  for (const std::string& personal : {turn.subject_pseudonym, turn.text, turn.channel_message_id}) {
    CHECK((personal.empty() || error.message.find(personal) == std::string::npos));
  }
}

TEST_CASE("store: the write connection runs WAL, synchronous FULL and foreign keys") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto pragmas = testing::wait_for<std::int64_t>([&](auto done) {
    store->write<std::int64_t>(
        [](SqliteConnection& db) -> Result<std::int64_t> {
          // synchronous FULL = 2; foreign_keys ON = 1
          return 10 * testing::query_int(db, "PRAGMA synchronous") +
                 testing::query_int(db, "PRAGMA foreign_keys");
        },
        done);
  });
  REQUIRE(pragmas);
  CHECK(*pragmas == 21);
  auto side = testing::open_side_connection(options.path);
  auto mode = side.statement("PRAGMA journal_mode");
  REQUIRE(mode);
  REQUIRE(*(*mode)->step());
  CHECK((*mode)->column_text(0) == "wal");
}

TEST_CASE("store: a first turn creates subject, conversation, messages and queued replies") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  const auto turn = make_turn(kAlice, "wamid.1", 0, 2);
  auto committed = commit(*store, turn);
  REQUIRE_MESSAGE(committed, committed.error().message);
  CHECK(committed->conversation_id > 0);
  CHECK(committed->inbound_message_id > 0);
  REQUIRE(committed->outbox_ids.size() == 2);
  CHECK(committed->outbox_ids[0] < committed->outbox_ids[1]);

  auto conversation = store->find_conversation("whatsapp", kAlice);
  REQUIRE(conversation);
  REQUIRE(conversation->has_value());
  const ConversationRecord& record = **conversation;
  CHECK(record.id == committed->conversation_id);
  CHECK(record.channel == "whatsapp");
  CHECK(record.language == "ro");
  CHECK(record.dialog_state == turn.dialog_state);
  CHECK(record.version == 1);
  CHECK(record.last_inbound_at == turn.received_at);
  CHECK_FALSE(record.paused_by_human);

  auto outbox = store->undelivered_outbox(committed->conversation_id);
  REQUIRE(outbox);
  REQUIRE(outbox->size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK((*outbox)[i].id == committed->outbox_ids[i]);
    CHECK((*outbox)[i].status == "queued");
    CHECK((*outbox)[i].channel == "whatsapp");
    CHECK((*outbox)[i].payload_json == turn.replies[i].payload_json);
    CHECK((*outbox)[i].attempts == 0);
    CHECK((*outbox)[i].created_at == turn.received_at);
  }
  CHECK(*store->outbox_depth() == 2);

  auto db = testing::open_side_connection(options.path);
  CHECK(query_int(db, "SELECT count(*) FROM subjects") == 1);
  CHECK(query_int(db, "SELECT count(*) FROM messages WHERE direction = 'in'") == 1);
  CHECK(query_int(db,
                  "SELECT count(*) FROM messages WHERE direction = 'out' AND "
                  "channel_message_id IS NULL") == 2);
  CHECK(query_int(db,
                  "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_id "
                  "WHERE m.direction = 'out' AND o.next_attempt_at = 1700000000000") == 2);
}

TEST_CASE("store: unknown subjects and other channels have no conversation") {
  TempDir dir;
  auto store = open_store(testing::options_for(dir));
  REQUIRE(commit(*store, make_turn(kAlice, "wamid.1", 0)));
  CHECK_FALSE(store->find_conversation("whatsapp", kBogdan)->has_value());
  CHECK_FALSE(store->find_conversation("telegram", kAlice)->has_value());
  CHECK(store->undelivered_outbox(12345)->empty());
}

TEST_CASE("store: a turn must be run against the current version of its conversation") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, make_turn(kAlice, "wamid.1", 0)));
  REQUIRE(commit(*store, make_turn(kAlice, "wamid.2", 1)));
  CHECK((*store->find_conversation("whatsapp", kAlice))->version == 2);

  SUBCASE("a stale version") {
    const auto stale = make_turn(kAlice, "wamid.3", 1, 3);
    auto conflict = commit(*store, stale);
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().code == Error::Code::conflict);
    check_no_personal_data(conflict.error(), stale);
  }
  SUBCASE("version 0 for an existing conversation") {
    auto conflict = commit(*store, make_turn(kAlice, "wamid.3", 0, 3));
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().code == Error::Code::conflict);
  }
  SUBCASE("a version from the future for a new subject leaves no subject behind") {
    auto conflict = commit(*store, make_turn(kBogdan, "wamid.3", 4, 3));
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().code == Error::Code::conflict);
    CHECK(query_int(options.path, "SELECT count(*) FROM subjects") == 1);
  }
  // Nothing of the refused turn remains.
  CHECK((*store->find_conversation("whatsapp", kAlice))->version == 2);
  CHECK(query_int(options.path, "SELECT count(*) FROM messages") == 4);
  CHECK(query_int(options.path, "SELECT count(*) FROM outbox") == 2);
  // Run again against the current version, it commits.
  auto retried = commit(*store, make_turn(kAlice, "wamid.3", 2));
  REQUIRE(retried);
  CHECK((*store->find_conversation("whatsapp", kAlice))->version == 3);
}

TEST_CASE("store: a redelivered channel message id is a duplicate and writes nothing") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto first = commit(*store, make_turn(kAlice, "wamid.dup", 0, 1));
  REQUIRE(first);

  SUBCASE("against the new version") {
    const auto again = make_turn(kAlice, "wamid.dup", 1, 2);
    auto duplicate = commit(*store, again);
    REQUIRE_FALSE(duplicate);
    CHECK(duplicate.error().code == Error::Code::duplicate);
    check_no_personal_data(duplicate.error(), again);
  }
  SUBCASE("against the version the first delivery ran against") {
    auto duplicate = commit(*store, make_turn(kAlice, "wamid.dup", 0, 2));
    REQUIRE_FALSE(duplicate);
    CHECK(duplicate.error().code == Error::Code::duplicate);
  }
  auto db = testing::open_side_connection(options.path);
  CHECK(query_int(db, "SELECT count(*) FROM messages WHERE channel_message_id = 'wamid.dup'") == 1);
  CHECK(query_int(db, "SELECT count(*) FROM messages") == 2);
  CHECK(query_int(db, "SELECT count(*) FROM outbox") == 1);
  CHECK((*store->find_conversation("whatsapp", kAlice))->version == 1);
}

TEST_CASE("store: the same message id on another channel is no duplicate") {
  TempDir dir;
  auto store = open_store(testing::options_for(dir));
  REQUIRE(commit(*store, make_turn(kAlice, "42", 0)));
  auto telegram = make_turn(kBogdan, "42", 0);
  telegram.channel = "telegram";
  CHECK(commit(*store, telegram));
}

TEST_CASE("store: malformed turns are refused as invalid") {
  TempDir dir;
  auto store = open_store(testing::options_for(dir));
  REQUIRE(commit(*store, make_turn(kAlice, "wamid.1", 0)));

  auto no_id = make_turn(kBogdan, "", 0);
  auto raw_number = make_turn("+31612345678", "wamid.2", 0);
  auto raw_chat_id = make_turn("123456789", "wamid.4", 0);
  auto other_channel = make_turn(kAlice, "tg.1", 1);
  other_channel.channel = "telegram";
  auto negative = make_turn(kBogdan, "wamid.3", -1);
  for (const auto& turn : {no_id, raw_number, raw_chat_id, other_channel, negative}) {
    CAPTURE(turn.channel_message_id);
    auto refused = commit(*store, turn);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Error::Code::invalid);
    check_no_personal_data(refused.error(), turn);
  }
  CHECK(*store->outbox_depth() == 1);
  // A 32-character hash that happens to be all digits is still a pseudonym.
  CHECK(commit(*store, make_turn("31415926535897932384626433832795", "wamid.5", 0)));
}

TEST_CASE("store: 500 turns from 8 threads are group-committed") {
  TempDir dir;
  std::mutex mutex;
  std::vector<std::size_t> batch_sizes;
  auto options = testing::options_for(dir);
  options.max_batch = 64;
  options.observer.on_batch = [&](std::size_t writes, double, bool ok) {
    CHECK(ok);
    const std::lock_guard lock(mutex);
    batch_sizes.push_back(writes);
  };
  auto store = open_store(options);

  // Hold the writer so that the turns pile up, as they do while a commit syncs.
  testing::WriterGate gate;
  store->write<void>(gate.job(), [](const Result<void>&) {});
  REQUIRE(gate.wait_started());

  constexpr int kThreads = 8;
  constexpr int kTurns = 500;
  std::latch all_done(kTurns);
  std::atomic<int> ok{0};
  std::latch start(kThreads);
  std::vector<std::thread> workers;
  workers.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = t; i < kTurns; i += kThreads) {
        store->commit_turn(
            make_turn(testing::numbered("p-subject-", i), testing::numbered("m", i), 0),
            [&](const Result<TurnCommitted>& result) {
              if (result && result->outbox_ids.size() == 1) {
                ++ok;
              }
              all_done.count_down();
            });
      }
    });
  }
  for (auto& worker : workers) {
    worker.join();
  }
  gate.release();
  all_done.wait();
  CHECK(ok == kTurns);

  std::vector<std::size_t> sizes;
  {
    const std::lock_guard lock(mutex);
    sizes = batch_sizes;
  }
  std::size_t writes = 0;
  for (const std::size_t size : sizes) {
    writes += size;
  }
  CHECK(writes == kTurns + 1);  // + the gate
  CHECK(*std::max_element(sizes.begin(), sizes.end()) == 64);
  CHECK(sizes.size() < 20);
  CHECK(query_int(options.path, "SELECT count(*) FROM conversations") == kTurns);
  CHECK(query_int(options.path, "SELECT count(*) FROM messages") == 2 * kTurns);
  CHECK(*store->outbox_depth() == kTurns);
}

TEST_CASE("store: turns from many threads without a gate all commit") {
  TempDir dir;
  auto store = open_store(testing::options_for(dir));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> workers;
  workers.reserve(kThreads);
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      // Each thread drives one conversation turn after turn, reading between turns.
      const std::string pseudonym = testing::numbered("p-thread-", t);
      for (int i = 0; i < kPerThread; ++i) {
        auto before = store->find_conversation("whatsapp", pseudonym);
        const std::int64_t version = before && *before ? (*before)->version : 0;
        auto turn = make_turn(pseudonym, pseudonym + testing::numbered("-", i), version);
        if (commit(*store, turn)) {
          ++ok;
        }
      }
    });
  }
  for (auto& worker : workers) {
    worker.join();
  }
  CHECK(ok == kThreads * kPerThread);
  CHECK((*store->find_conversation("whatsapp", "p-thread-0"))->version == kPerThread);
  CHECK(store->read_connections() <= kThreads);
}

}  // namespace
}  // namespace buurtlijn::store
