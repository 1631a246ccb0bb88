// The outbox worker's side of the store: claiming (order per conversation, never the web
// chat), outcomes, status callbacks that never move backwards, dead-lettering, and the
// recovery of items left in flight by a crash.
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

std::unique_ptr<SqliteStore> open_store(const SqliteOptions& options) {
  auto store = SqliteStore::open(options);
  REQUIRE_MESSAGE(store, store.error().message);
  return std::move(*store);
}

std::vector<ClaimedOutboxItem> claim(Store& store, std::vector<std::string> channels,
                                     std::size_t limit, Millis now) {
  auto claimed = testing::wait_for<std::vector<ClaimedOutboxItem>>(
      [&](auto done) { store.claim_outbox(std::move(channels), limit, now, done); });
  REQUIRE_MESSAGE(claimed, claimed.error().message);
  return *claimed;
}

std::vector<std::int64_t> ids_of(const std::vector<ClaimedOutboxItem>& items) {
  std::vector<std::int64_t> ids;
  for (const auto& item : items) ids.push_back(item.id);
  return ids;
}

void record(Store& store, std::vector<OutboxOutcome> outcomes, Millis now) {
  auto ok = testing::wait_for<void>(
      [&](auto done) { store.record_outbox_outcomes(std::move(outcomes), now, done); });
  REQUIRE_MESSAGE(ok, ok.error().message);
}

bool apply(Store& store, OutboxStatusUpdate update) {
  auto changed = testing::wait_for<bool>(
      [&](auto done) { store.apply_outbox_status(std::move(update), done); });
  REQUIRE_MESSAGE(changed, changed.error().message);
  return *changed;
}

std::int64_t recover(Store& store, std::vector<std::pair<std::string, Millis>> grace, Millis now) {
  auto count = testing::wait_for<std::int64_t>(
      [&](auto done) { store.recover_inflight_outbox(std::move(grace), now, done); });
  REQUIRE_MESSAGE(count, count.error().message);
  return *count;
}

OutboxOutcome sent(std::int64_t id, std::string provider_id) {
  return {id, OutboxOutcome::Kind::sent, std::move(provider_id), 0, {}};
}

std::string status_of(const std::string& path, std::int64_t id) {
  const char* names[] = {"queued", "inflight", "sent", "delivered", "read", "failed", "dead"};
  for (const char* name : names) {
    if (query_int(path, "SELECT count(*) FROM outbox WHERE id = " + std::to_string(id) +
                            " AND status = '" + name + "'") == 1) {
      return name;
    }
  }
  return "missing";
}

InboundTurn turn_on(std::string channel, std::string pseudonym, std::string message_id,
                    std::size_t replies, std::string address) {
  InboundTurn turn = make_turn(std::move(pseudonym), std::move(message_id), 0, replies, kT0);
  turn.channel = std::move(channel);
  turn.contact_address = std::move(address);
  return turn;
}

TEST_CASE("outbox store: one item per conversation at a time, oldest first, in order") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto alice = commit(*store, turn_on("whatsapp", "p-alice-0001", "wamid.a", 3, "40712345678"));
  auto bob = commit(*store, turn_on("whatsapp", "p-bob-000002", "wamid.b", 2, "359881234567"));
  REQUIRE(alice);
  REQUIRE(bob);
  const auto& a = alice->outbox_ids;
  const auto& b = bob->outbox_ids;

  auto first = claim(*store, {"whatsapp"}, 10, kT0);
  CHECK(ids_of(first) == std::vector<std::int64_t>{a[0], b[0]});
  CHECK(first[0].attempts == 1);
  CHECK(first[0].reference == std::to_string(a[0]));
  CHECK(first[0].address == "40712345678");
  CHECK(first[1].address == "359881234567");
  CHECK(first[0].payload_json == "{\"text\":\"raspuns 0\"}");
  CHECK(first[0].conversation_id == alice->conversation_id);
  CHECK(status_of(options.path, a[0]) == "inflight");
  CHECK(claim(*store, {"whatsapp"}, 10, kT0).empty());  // both conversations are busy

  record(*store, {sent(a[0], "wamid.OUT1")}, kT0 + 10);
  CHECK(ids_of(claim(*store, {"whatsapp"}, 10, kT0 + 20)) == std::vector<std::int64_t>{a[1]});

  // A retry keeps its conversation waiting until it is due, and counts the attempt.
  record(*store, {{b[0], OutboxOutcome::Kind::retry, {}, kT0 + 1000, "HTTP 500"}}, kT0 + 30);
  CHECK(status_of(options.path, b[0]) == "queued");
  CHECK(claim(*store, {"whatsapp"}, 10, kT0 + 40).empty());
  auto again = claim(*store, {"whatsapp"}, 10, kT0 + 1000);
  REQUIRE(ids_of(again) == std::vector<std::int64_t>{b[0]});
  CHECK(again[0].attempts == 2);
  CHECK(again[0].reference == std::to_string(b[0]));

  // The limit counts items, not conversations.
  record(*store, {sent(a[1], "wamid.OUT2"), sent(b[0], "wamid.OUT3")}, kT0 + 1010);
  CHECK(claim(*store, {"whatsapp"}, 1, kT0 + 1020).size() == 1);
}

TEST_CASE("outbox store: web chat items are never claimed; addresses are stored apart") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, turn_on("webchat", "p-web-000001", "ws.1", 2, "")));
  auto telegram = commit(*store, turn_on("telegram", "p-tg-0000001", "tg.1", 1, "123456789"));
  REQUIRE(telegram);
  CHECK(query_int(options.path, "SELECT count(*) FROM contact_addresses") == 1);
  CHECK(query_int(options.path, "SELECT count(*) FROM outbox WHERE payload LIKE '%123456789%'") ==
        0);

  auto claimed = claim(*store, {"webchat", "whatsapp", "telegram"}, 10, kT0);
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0].channel == "telegram");
  CHECK(claimed[0].address == "123456789");
  CHECK(query_int(options.path,
                  "SELECT count(*) FROM outbox WHERE channel = 'webchat' AND status = 'queued'") ==
        2);

  // A new address for the same subject replaces the old one.
  InboundTurn next = turn_on("telegram", "p-tg-0000001", "tg.2", 0, "987654321");
  next.expected_version = 1;
  REQUIRE(commit(*store, next));
  CHECK(query_int(options.path, "SELECT count(*) FROM contact_addresses") == 1);
  CHECK(query_int(options.path,
                  "SELECT count(*) FROM contact_addresses WHERE address = '987654321'") == 1);
}

TEST_CASE("outbox store: status callbacks only move forward") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto turn = commit(*store, turn_on("whatsapp", "p-alice-0001", "wamid.a", 1, "40712345678"));
  REQUIRE(turn);
  const std::int64_t id = turn->outbox_ids[0];
  claim(*store, {"whatsapp"}, 10, kT0);
  record(*store, {sent(id, "wamid.OUT1")}, kT0 + 1);
  CHECK(status_of(options.path, id) == "sent");

  using State = OutboxStatusUpdate::State;
  CHECK(apply(*store, {"whatsapp", "wamid.OUT1", "", State::read, "", kT0 + 5}));  // read first
  CHECK(status_of(options.path, id) == "read");
  CHECK_FALSE(apply(*store, {"whatsapp", "wamid.OUT1", "", State::delivered, "", kT0 + 6}));
  CHECK_FALSE(apply(*store, {"whatsapp", "wamid.OUT1", "", State::sent, "", kT0 + 7}));
  CHECK_FALSE(apply(*store, {"whatsapp", "wamid.OUT1", "", State::failed, "131047", kT0 + 8}));
  CHECK(status_of(options.path, id) == "read");
  CHECK(query_int(options.path,
                  "SELECT delivered_at FROM outbox WHERE id = " + std::to_string(id)) == kT0 + 5);
  // Unknown ids and other channels' ids change nothing.
  CHECK_FALSE(apply(*store, {"whatsapp", "wamid.UNKNOWN", "", State::read, "", kT0 + 9}));
  CHECK_FALSE(apply(*store, {"telegram", "wamid.OUT1", "", State::read, "", kT0 + 9}));
}

TEST_CASE("outbox store: Kannel DLRs find the item by our reference; failures keep the reason") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto turn = commit(*store, turn_on("kannel", "p-sms-000001", "k.1", 2, "+40712345678"));
  REQUIRE(turn);
  auto claimed = claim(*store, {"kannel"}, 10, kT0);
  REQUIRE(claimed.size() == 1);
  record(*store, {sent(claimed[0].id, "")}, kT0 + 1);  // Kannel gives no id
  using State = OutboxStatusUpdate::State;
  CHECK(apply(*store, {"kannel", "", claimed[0].reference, State::delivered, "", kT0 + 2}));
  CHECK(status_of(options.path, claimed[0].id) == "delivered");

  auto second = claim(*store, {"kannel"}, 10, kT0 + 3);
  REQUIRE(second.size() == 1);
  record(*store, {sent(second[0].id, "")}, kT0 + 4);
  CHECK(apply(*store,
              {"kannel", "", second[0].reference, State::failed, "rejected by the SMSC", kT0 + 5}));
  CHECK(status_of(options.path, second[0].id) == "failed");
  CHECK(query_int(options.path,
                  "SELECT count(*) FROM outbox WHERE last_error = "
                  "'rejected by the SMSC'") == 1);
}

TEST_CASE("outbox store: permanent failures and dead letters keep their last error") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto alice = commit(*store, turn_on("whatsapp", "p-alice-0001", "wamid.a", 2, "40712345678"));
  auto bob = commit(*store, turn_on("whatsapp", "p-bob-000002", "wamid.b", 1, "359881234567"));
  REQUIRE(alice);
  REQUIRE(bob);
  claim(*store, {"whatsapp"}, 10, kT0);
  record(*store,
         {{alice->outbox_ids[0], OutboxOutcome::Kind::failed, {}, 0, "131026: undeliverable"},
          {bob->outbox_ids[0], OutboxOutcome::Kind::dead, {}, 0, "HTTP 503"}},
         kT0 + 1);
  CHECK(status_of(options.path, alice->outbox_ids[0]) == "failed");
  CHECK(status_of(options.path, bob->outbox_ids[0]) == "dead");
  auto counts = store->outbox_counts();
  REQUIRE(counts);
  CHECK(counts->failed == 1);
  CHECK(counts->dead == 1);
  CHECK(counts->queued == 1);
  CHECK(*store->outbox_depth() == 1);
  // A failed item does not hold its conversation back.
  CHECK(ids_of(claim(*store, {"whatsapp"}, 10, kT0 + 2)) ==
        std::vector<std::int64_t>{alice->outbox_ids[1]});
  // Outcomes only apply to items in flight: a late one changes nothing.
  record(*store, {{bob->outbox_ids[0], OutboxOutcome::Kind::retry, {}, kT0, "late"}}, kT0 + 3);
  CHECK(status_of(options.path, bob->outbox_ids[0]) == "dead");
}

TEST_CASE("outbox store: items left in flight wait for a status callback, then are retried") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  std::int64_t reached = 0;   // the provider got it; its status callback will say so
  std::int64_t unknown = 0;   // the call never got out
  std::int64_t telegram = 0;  // Telegram echoes nothing: no grace
  {
    auto store = open_store(options);
    auto a = commit(*store, turn_on("whatsapp", "p-alice-0001", "wamid.a", 2, "40712345678"));
    auto b = commit(*store, turn_on("whatsapp", "p-bob-000002", "wamid.b", 1, "359881234567"));
    auto t = commit(*store, turn_on("telegram", "p-tg-0000001", "tg.1", 1, "123456789"));
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(t);
    reached = a->outbox_ids[0];
    unknown = b->outbox_ids[0];
    telegram = t->outbox_ids[0];
    CHECK(claim(*store, {"whatsapp", "telegram"}, 10, kT0).size() == 3);
    // ... and the process dies before any outcome is recorded.
  }
  auto store = open_store(options);
  CHECK(recover(*store, {{"whatsapp", 60'000}}, kT0 + 100) == 3);
  CHECK(status_of(options.path, reached) == "queued");
  // Only Telegram is due at once; WhatsApp waits for its grace period.
  CHECK(ids_of(claim(*store, {"whatsapp", "telegram"}, 10, kT0 + 100)) ==
        std::vector<std::int64_t>{telegram});

  // The status webhook for the item that reached WhatsApp arrives with our reference.
  using State = OutboxStatusUpdate::State;
  CHECK(apply(*store,
              {"whatsapp", "wamid.OUT9", std::to_string(reached), State::sent, "", kT0 + 2000}));
  CHECK(status_of(options.path, reached) == "sent");
  CHECK(query_int(options.path,
                  "SELECT count(*) FROM outbox WHERE provider_message_id = "
                  "'wamid.OUT9'") == 1);

  // After the grace: the unresolved item goes again (attempt 2); the resolved one does
  // not, and its conversation moves on to the next item.
  auto after = claim(*store, {"whatsapp"}, 10, kT0 + 100 + 60'000);
  CHECK(ids_of(after) == std::vector<std::int64_t>{reached + 1, unknown});
  CHECK(after[1].attempts == 2);
  CHECK(after[0].attempts == 1);
}

TEST_CASE("outbox store: a status that beats the outcome wins; released items are not counted") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto turn = commit(*store, turn_on("whatsapp", "p-alice-0001", "wamid.a", 2, "40712345678"));
  REQUIRE(turn);
  auto claimed = claim(*store, {"whatsapp"}, 10, kT0);
  REQUIRE(claimed.size() == 1);
  using State = OutboxStatusUpdate::State;
  CHECK(apply(*store,
              {"whatsapp", "wamid.OUT1", claimed[0].reference, State::delivered, "", kT0 + 1}));
  record(*store, {sent(claimed[0].id, "wamid.OUT1")}, kT0 + 2);
  CHECK(status_of(options.path, claimed[0].id) == "delivered");

  auto next = claim(*store, {"whatsapp"}, 10, kT0 + 3);
  REQUIRE(next.size() == 1);
  record(*store, {{next[0].id, OutboxOutcome::Kind::released, {}, 0, {}}}, kT0 + 4);
  CHECK(status_of(options.path, next[0].id) == "queued");
  auto again = claim(*store, {"whatsapp"}, 10, kT0 + 4);
  REQUIRE(again.size() == 1);
  CHECK(again[0].attempts == 1);
}

}  // namespace
}  // namespace buurtlijn::store
