// The outbox side of the store (mark_delivered, undelivered_outbox, outbox_depth) and
// the store's life cycle: close(), writes after close, reopening.
#include <doctest/doctest.h>

#include <latch>

#include "store/sqlite_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::commit;
using testing::deliver;
using testing::make_turn;
using testing::query_int;
using testing::TempDir;

constexpr const char* kAlice = "p-7f3a9c0d1e2b";
constexpr Millis kT0 = 1'700'000'000'000;

std::unique_ptr<SqliteStore> open_store(const SqliteOptions& options) {
  auto store = SqliteStore::open(options);
  REQUIRE_MESSAGE(store, store.error().message);
  return std::move(*store);
}

std::vector<std::int64_t> ids_of(const std::vector<OutboxItem>& items) {
  std::vector<std::int64_t> ids;
  ids.reserve(items.size());
  for (const OutboxItem& item : items) {
    ids.push_back(item.id);
  }
  return ids;
}

// Sets an outbox item's status directly, as the outbox worker (a later issue) will.
Result<void> set_status(SqliteStore& store, std::int64_t id, std::string status) {
  return testing::wait_for<void>([&](auto done) {
    store.write<void>(
        [id, status](SqliteConnection& db) -> Result<void> {
          auto update = db.statement("UPDATE outbox SET status = :status WHERE id = :id");
          if (!update) {
            return tl::unexpected(update.error());
          }
          (*update)->bind(":status", status).bind(":id", id);
          return (*update)->run();
        },
        done);
  });
}

TEST_CASE("store: undelivered outbox items come oldest first; delivered ones leave") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto first = commit(*store, make_turn(kAlice, "wamid.1", 0, 2, kT0));
  REQUIRE(first);
  auto second = commit(*store, make_turn(kAlice, "wamid.2", 1, 2, kT0 + 1000));
  REQUIRE(second);
  const std::int64_t conversation = first->conversation_id;
  const std::vector<std::int64_t> all = {first->outbox_ids[0], first->outbox_ids[1],
                                         second->outbox_ids[0], second->outbox_ids[1]};
  CHECK(ids_of(*store->undelivered_outbox(conversation)) == all);
  CHECK(*store->outbox_depth() == 4);

  // 'sent' is still undelivered but no longer waits to be sent.
  REQUIRE(set_status(*store, all[2], "sent"));
  CHECK(*store->outbox_depth() == 3);
  CHECK(ids_of(*store->undelivered_outbox(conversation)) == all);

  REQUIRE(deliver(*store, {all[0], all[2]}, kT0 + 5000));
  CHECK(ids_of(*store->undelivered_outbox(conversation)) ==
        std::vector<std::int64_t>{all[1], all[3]});
  CHECK(*store->outbox_depth() == 2);
  CHECK(query_int(options.path,
                  "SELECT count(*) FROM outbox WHERE status = 'delivered' AND "
                  "updated_at = " +
                      std::to_string(kT0 + 5000)) == 2);

  // Marking again is harmless; 'failed' and 'read' are not turned into 'delivered'.
  REQUIRE(set_status(*store, all[1], "failed"));
  REQUIRE(set_status(*store, all[0], "read"));
  REQUIRE(deliver(*store, {all[0], all[1], all[2]}, kT0 + 6000));
  CHECK(query_int(options.path, "SELECT count(*) FROM outbox WHERE status = 'delivered'") == 1);
  CHECK(query_int(options.path, "SELECT count(*) FROM outbox WHERE status = 'failed'") == 1);
  CHECK(query_int(options.path, "SELECT count(*) FROM outbox WHERE status = 'read'") == 1);
  CHECK(ids_of(*store->undelivered_outbox(conversation)) == std::vector<std::int64_t>{all[3]});
}

TEST_CASE("store: marking an unknown outbox id delivered is invalid and changes nothing") {
  TempDir dir;
  auto store = open_store(testing::options_for(dir));
  auto turn = commit(*store, make_turn(kAlice, "wamid.1", 0, 1));
  REQUIRE(turn);
  auto refused = deliver(*store, {turn->outbox_ids[0], 999'999}, kT0);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Error::Code::invalid);
  CHECK(refused.error().message.find("999999") != std::string::npos);
  CHECK(store->undelivered_outbox(turn->conversation_id)->size() == 1);
  CHECK(deliver(*store, {}, kT0));  // nothing to do is fine
}

TEST_CASE("store: close commits what is queued and refuses later writes") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  constexpr int kQueued = 50;
  std::atomic<int> ok{0};
  std::latch answered(kQueued);
  for (int i = 0; i < kQueued; ++i) {
    store->commit_turn(make_turn(testing::numbered("p-close-", i), testing::numbered("c", i), 0),
                       [&](const Result<TurnCommitted>& result) {
                         if (result) {
                           ++ok;
                         }
                         answered.count_down();
                       });
  }
  store->close();
  // close() returned: every queued write has been committed and answered.
  CHECK(answered.try_wait());
  CHECK(ok == kQueued);

  auto late = commit(*store, make_turn(kAlice, "wamid.late", 0));
  REQUIRE_FALSE(late);
  CHECK(late.error().code == Error::Code::unavailable);
  auto late_delivery = deliver(*store, {1}, kT0);
  REQUIRE_FALSE(late_delivery);
  CHECK(late_delivery.error().code == Error::Code::unavailable);
  auto writable = store->check_writable();
  REQUIRE_FALSE(writable);
  CHECK(writable.error().code == Error::Code::unavailable);
  store->close();  // idempotent
  CHECK(query_int(options.path, "SELECT count(*) FROM conversations") == kQueued);
}

TEST_CASE("store: reopening after close finds everything") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  TurnCommitted first;
  {
    auto store = open_store(options);
    auto committed = commit(*store, make_turn(kAlice, "wamid.1", 0, 2));
    REQUIRE(committed);
    first = *committed;
    REQUIRE(deliver(*store, {first.outbox_ids[0]}, kT0 + 10));
    store->close();
  }
  auto store = open_store(options);
  auto conversation = store->find_conversation("whatsapp", kAlice);
  REQUIRE(conversation);
  REQUIRE(conversation->has_value());
  CHECK((*conversation)->id == first.conversation_id);
  CHECK((*conversation)->version == 1);
  CHECK(ids_of(*store->undelivered_outbox(first.conversation_id)) ==
        std::vector<std::int64_t>{first.outbox_ids[1]});
  // The conversation goes on where it stopped; the old message id is still known.
  CHECK(commit(*store, make_turn(kAlice, "wamid.1", 1)).error().code == Error::Code::duplicate);
  auto next = commit(*store, make_turn(kAlice, "wamid.2", 1));
  REQUIRE(next);
  CHECK(next->conversation_id == first.conversation_id);
}

TEST_CASE("store: destroying an open store commits what is queued") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  std::atomic<int> ok{0};
  {
    auto store = open_store(options);
    for (int i = 0; i < 10; ++i) {
      store->commit_turn(make_turn(testing::numbered("p-drop-", i), testing::numbered("d", i), 0),
                         [&](const Result<TurnCommitted>& result) { ok += result ? 1 : 0; });
    }
  }
  CHECK(ok == 10);
  CHECK(query_int(options.path, "SELECT count(*) FROM conversations") == 10);
}

}  // namespace
}  // namespace buurtlijn::store
