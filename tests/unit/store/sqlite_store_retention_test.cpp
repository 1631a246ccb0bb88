// Retention (Store::apply_retention): what is past its period goes, what is young or
// still needed stays, and a large backlog goes in batches.
#include <doctest/doctest.h>

#include "store/sqlite_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::commit;
using testing::make_turn;
using testing::query_int;
using testing::TempDir;

constexpr Millis kT0 = 1'700'000'000'000;
constexpr Millis kDay = 24LL * 3600 * 1000;

std::unique_ptr<SqliteStore> open_store(const SqliteOptions& options) {
  auto store = SqliteStore::open(options);
  REQUIRE_MESSAGE(store, store.error().message);
  return std::move(*store);
}

Result<RetentionOutcome> retain(Store& store, const RetentionPolicy& policy, Millis now) {
  return testing::wait_for<RetentionOutcome>(
      [&](auto done) { store.apply_retention(policy, now, done); });
}

InboundTurn turn_with_address(std::string pseudonym, std::string id, std::int64_t version,
                              Millis at, std::string address) {
  InboundTurn turn = make_turn(std::move(pseudonym), std::move(id), version, 2, at);
  turn.contact_address = std::move(address);
  return turn;
}

TEST_CASE("store: retention deletes old texts and replies, keeps young ones and unsent replies") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, turn_with_address("p-old", "wamid.old", 0, kT0, "40712000001")));
  REQUIRE(commit(*store,
                 turn_with_address("p-young", "wamid.young", 0, kT0 + 80 * kDay, "40712000002")));
  // The old person's first reply went out; the second is still queued.
  auto side = testing::open_side_connection(options.path);
  REQUIRE(
      side.exec("UPDATE outbox SET status = 'delivered' WHERE id = (SELECT min(id) FROM "
                "outbox)"));

  const RetentionPolicy policy;  // 90 days of texts, 365 days of addresses
  auto outcome = retain(*store, policy, kT0 + 91 * kDay);
  REQUIRE_MESSAGE(outcome, outcome.error().message);
  CHECK(outcome->outbox_items == 1);   // the delivered one; the queued one stays
  CHECK(outcome->messages == 2);       // the question and the sent reply's text
  CHECK(outcome->dialog_states == 1);  // the old conversation's half-walked path
  CHECK(outcome->contact_addresses == 0);
  CHECK_FALSE(outcome->more);
  CHECK(query_int(side, "SELECT count(*) FROM messages WHERE channel_message_id = 'wamid.old'") ==
        0);
  CHECK(query_int(side, "SELECT count(*) FROM messages WHERE channel_message_id = 'wamid.young'") ==
        1);
  CHECK(query_int(side, "SELECT count(*) FROM outbox WHERE status = 'queued'") == 3);
  CHECK(query_int(side, "SELECT count(*) FROM conversations WHERE dialog_state = ''") == 1);

  // A year later the old person's address goes, once nothing is waiting to be sent to
  // them; the young person wrote within the year and keeps theirs.
  outcome = retain(*store, policy, kT0 + 366 * kDay);
  REQUIRE(outcome);
  CHECK(outcome->contact_addresses == 0);  // a reply to them is still queued
  REQUIRE(side.exec("UPDATE outbox SET status = 'dead'"));
  outcome = retain(*store, policy, kT0 + 366 * kDay);
  REQUIRE(outcome);
  CHECK(outcome->contact_addresses == 1);
  CHECK(query_int(side, "SELECT count(*) FROM contact_addresses") == 1);
  CHECK(query_int(side, "SELECT count(*) FROM subjects") == 2);  // pseudonyms stay
}

TEST_CASE("store: subscribers keep their address; stopped subscriptions go after the period") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, turn_with_address("p-sub", "wamid.s1", 0, kT0, "40712000011")));
  REQUIRE(commit(*store, turn_with_address("p-stop", "wamid.s2", 0, kT0, "40712000012")));
  auto side = testing::open_side_connection(options.path);
  REQUIRE(side.exec("UPDATE outbox SET status = 'read'"));
  REQUIRE(side.exec(
      "INSERT INTO subscribers (subject_id, channel, language, state, opted_in_at, opted_out_at, "
      "created_at, updated_at) SELECT id, 'whatsapp', 'ro', CASE pseudonym WHEN 'p-sub' THEN "
      "'active' ELSE 'stopped' END, 1700000000000, CASE pseudonym WHEN 'p-sub' THEN NULL ELSE "
      "1700000000000 END, 1700000000000, 1700000000000 FROM subjects"));
  REQUIRE(
      side.exec("INSERT INTO subscription_events (subject_id, state, how, at) SELECT id, 'active', "
                "'keyword', 1700000000000 FROM subjects"));

  auto outcome = retain(*store, RetentionPolicy{}, kT0 + 366 * kDay);
  REQUIRE_MESSAGE(outcome, outcome.error().message);
  CHECK(outcome->contact_addresses == 1);  // the stopped one's; the subscriber keeps theirs
  CHECK(outcome->subscribers == 1);
  CHECK(outcome->subscription_events == 1);
  CHECK(query_int(side, "SELECT count(*) FROM subscribers WHERE state = 'active'") == 1);
  CHECK(query_int(side, "SELECT count(*) FROM contact_addresses") == 1);
  CHECK(query_int(side, "SELECT count(*) FROM subscription_events") == 1);
}

TEST_CASE("store: a backlog is deleted in batches that say when there is more") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  for (int i = 0; i < 7; ++i) {
    REQUIRE(commit(*store, make_turn(testing::numbered("p-", i), testing::numbered("wamid.", i), 0,
                                     1, kT0 + i)));
  }
  auto side = testing::open_side_connection(options.path);
  REQUIRE(side.exec("UPDATE outbox SET status = 'sent'"));
  RetentionPolicy policy;
  policy.batch_rows = 3;
  int runs = 0;
  for (bool more = true; more; ++runs) {
    auto outcome = retain(*store, policy, kT0 + 100 * kDay);
    REQUIRE(outcome);
    more = outcome->more;
    REQUIRE(runs < 20);
  }
  CHECK(runs >= 5);  // 14 messages in batches of 3
  CHECK(query_int(side, "SELECT count(*) FROM messages") == 0);
  CHECK(query_int(side, "SELECT count(*) FROM outbox") == 0);
}

TEST_CASE("store: with no text retention at all, texts go as soon as the reply is out") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, make_turn("p-now", "wamid.now", 0, 1, kT0)));
  RetentionPolicy policy;
  policy.message_text_age = 0;
  auto outcome = retain(*store, policy, kT0 + 1);
  REQUIRE(outcome);
  // The reply is still queued: its text and message stay until it is sent.
  CHECK(outcome->outbox_items == 0);
  CHECK(outcome->messages == 1);  // the question itself
}

}  // namespace
}  // namespace buurtlijn::store
