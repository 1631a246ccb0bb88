// The one read a turn makes (find_turn_context) and the writer's short path for turns
// that carry the conversation and subject they were run against: the same outcomes as
// the full path (commit, conflict, duplicate), and nothing left behind by a refusal.
#include <doctest/doctest.h>

#include "store/sqlite_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::commit;
using testing::make_turn;
using testing::query_int;
using testing::TempDir;

constexpr const char* kAlice = "p-7f3a9c0d1e2b";
constexpr const char* kBogdan = "p-0c4e8d1f9a27";

std::unique_ptr<SqliteStore> open_store(const SqliteOptions& options) {
  auto store = SqliteStore::open(options);
  REQUIRE_MESSAGE(store, store.error().message);
  return std::move(*store);
}

// A turn run against what find_turn_context returned, as the gateway runs it.
InboundTurn next_turn(SqliteStore& store, const std::string& pseudonym,
                      const std::string& message_id) {
  auto context = store.find_turn_context("whatsapp", pseudonym);
  REQUIRE_MESSAGE(context, context.error().message);
  InboundTurn turn =
      make_turn(pseudonym, message_id, context->conversation ? context->conversation->version : 0);
  if (context->conversation) {
    turn.conversation_id = context->conversation->id;
    turn.subject_id = context->conversation->subject_id;
  }
  return turn;
}

TEST_CASE("store: find_turn_context reads the conversation and the subscription at once") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);

  auto nobody = store->find_turn_context("whatsapp", kAlice);
  REQUIRE(nobody);
  CHECK_FALSE(nobody->conversation);
  CHECK_FALSE(nobody->subscriber);

  auto turn = make_turn(kAlice, "wamid.1", 0);
  turn.contact_address = "+40712345678";
  turn.subscription = SubscriptionChange{"active", "keyword", "ro", "nl"};
  REQUIRE(commit(*store, turn));

  auto context = store->find_turn_context("whatsapp", kAlice);
  REQUIRE(context);
  REQUIRE(context->conversation);
  const auto conversation = store->find_conversation("whatsapp", kAlice);
  REQUIRE(conversation);
  REQUIRE(*conversation);
  CHECK(context->conversation->id == (*conversation)->id);
  CHECK(context->conversation->subject_id == (*conversation)->subject_id);
  CHECK(context->conversation->version == 1);
  CHECK(context->conversation->language == "ro");
  CHECK(context->conversation->dialog_state == (*conversation)->dialog_state);
  CHECK(context->conversation->last_inbound_at == (*conversation)->last_inbound_at);
  REQUIRE(context->subscriber);
  const auto subscriber = store->find_subscriber(kAlice);
  REQUIRE(subscriber);
  REQUIRE(*subscriber);
  CHECK(context->subscriber->id == (*subscriber)->id);
  CHECK(context->subscriber->state == "active");
  CHECK(context->subscriber->state == (*subscriber)->state);
  CHECK(context->subscriber->language == (*subscriber)->language);
  CHECK(context->subscriber->second_language == (*subscriber)->second_language);
  CHECK(context->subscriber->opted_in_how == (*subscriber)->opted_in_how);
  CHECK(context->subscriber->topics == (*subscriber)->topics);

  // Another channel: the subject is known, its conversation there is not.
  auto elsewhere = store->find_turn_context("telegram", kAlice);
  REQUIRE(elsewhere);
  CHECK_FALSE(elsewhere->conversation);
  CHECK(elsewhere->subscriber);
  CHECK_FALSE(store->find_turn_context("whatsapp", kBogdan)->conversation);
}

TEST_CASE("store: a turn carrying its conversation commits by the short path") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto first = commit(*store, next_turn(*store, kAlice, "wamid.1"));
  REQUIRE(first);
  for (int i = 2; i <= 5; ++i) {
    const auto turn = next_turn(*store, kAlice, "wamid." + std::to_string(i));
    CHECK(turn.conversation_id == first->conversation_id);
    auto committed = commit(*store, turn);
    REQUIRE_MESSAGE(committed, committed.error().message);
    CHECK(committed->conversation_id == first->conversation_id);
    CHECK(committed->inbound_message_id > first->inbound_message_id);
    REQUIRE(committed->outbox_ids.size() == 1);
  }
  CHECK((*store->find_conversation("whatsapp", kAlice))->version == 5);
  CHECK(query_int(options.path, "SELECT count(*) FROM messages WHERE direction = 'in'") == 5);
  CHECK(query_int(options.path, "SELECT count(*) FROM outbox") == 5);
  CHECK(query_int(options.path, "SELECT count(*) FROM subjects") == 1);
}

TEST_CASE("store: the short path refuses what the full path refuses, and leaves nothing") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, next_turn(*store, kAlice, "wamid.1")));
  const auto stale = next_turn(*store, kAlice, "wamid.2");
  REQUIRE(commit(*store, next_turn(*store, kAlice, "wamid.3")));  // moves the version on

  SUBCASE("a stale version is a conflict") {
    auto conflict = commit(*store, stale);
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().code == Error::Code::conflict);
  }
  SUBCASE("a redelivery against the current version is a duplicate") {
    auto again = next_turn(*store, kAlice, "wamid.3");
    auto duplicate = commit(*store, again);
    REQUIRE_FALSE(duplicate);
    CHECK(duplicate.error().code == Error::Code::duplicate);
  }
  SUBCASE("a redelivery against a stale version is a duplicate, not a conflict") {
    auto again = stale;
    again.channel_message_id = "wamid.1";
    auto duplicate = commit(*store, again);
    REQUIRE_FALSE(duplicate);
    CHECK(duplicate.error().code == Error::Code::duplicate);
  }
  SUBCASE("ids of another subject's conversation are not used") {
    REQUIRE(commit(*store, next_turn(*store, kBogdan, "wamid.b1")));
    REQUIRE(commit(*store, next_turn(*store, kBogdan, "wamid.b2")));
    // Alice's turn with Bogdan's ids and the version both conversations have.
    auto mixed = next_turn(*store, kBogdan, "wamid.b3");
    mixed.subject_pseudonym = kAlice;
    REQUIRE(mixed.expected_version == 2);
    auto committed = commit(*store, mixed);
    REQUIRE_MESSAGE(committed, committed.error().message);
    CHECK(committed->conversation_id == (*store->find_conversation("whatsapp", kAlice))->id);
    CHECK((*store->find_conversation("whatsapp", kAlice))->version == 3);
    CHECK((*store->find_conversation("whatsapp", kBogdan))->version == 2);
  }
  CHECK(query_int(options.path, "SELECT count(*) FROM messages WHERE channel_message_id IS NULL") ==
        query_int(options.path, "SELECT count(*) FROM outbox"));
  CHECK(query_int(options.path,
                  "SELECT count(*) FROM messages WHERE channel_message_id = 'wamid.2'") == 0);
}

TEST_CASE("store: the outbox claim walks the queued items through their own index") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, make_turn(kAlice, "wamid.1", 0)));
  auto db = testing::open_side_connection(options.path);
  // The plan of the claim's query (outbox_writes.cpp), the way SQLite runs it.
  auto plan = db.statement(R"sql(EXPLAIN QUERY PLAN
    SELECT o.id FROM outbox o
     WHERE o.status = 'queued' AND o.channel = :channel AND +o.next_attempt_at <= :now
     ORDER BY o.id LIMIT 10)sql");
  REQUIRE(plan);
  (*plan)->bind(":channel", std::string_view("whatsapp")).bind(":now", std::int64_t{0});
  std::string details;
  for (;;) {
    auto row = (*plan)->step();
    REQUIRE(row);
    if (!*row) break;
    details += (*plan)->column_text(3) + "\n";
  }
  CHECK(details.find("outbox_queued_by_channel") != std::string::npos);
  CHECK(details.find("TEMP B-TREE") == std::string::npos);
}

}  // namespace
}  // namespace buurtlijn::store
