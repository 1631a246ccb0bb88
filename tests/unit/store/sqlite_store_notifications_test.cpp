// Subscribers, API keys and notifications in the store: a subscription change commits
// with its turn, opt-outs by pseudonym and by outbox item, segments, one broadcast of
// 50,000 recipients in one write job, and counts per state and channel.
#include <doctest/doctest.h>

#include <chrono>

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

InboundTurn subscribe_turn(const std::string& pseudonym, const std::string& id,
                           std::int64_t version, const std::string& state, const std::string& how) {
  InboundTurn turn = make_turn(pseudonym, id, version, 1, kT0 + version);
  turn.subscription = SubscriptionChange{state, how, "ro", ""};
  return turn;
}

// Seeds `n` active subscribers directly (test only), half ro, half bg, on two channels.
Result<void> seed(SqliteStore& store, int n) {
  return testing::wait_for<void>([&](auto done) {
    store.write<void>(
        [n](SqliteConnection& db) -> Result<void> {
          for (int i = 0; i < n; ++i) {
            auto subject = db.statement(
                "INSERT INTO subjects (pseudonym, channel, created_at) VALUES (:p, :c, 0)");
            if (!subject) return tl::unexpected(subject.error());
            const std::string channel = i % 2 == 0 ? "whatsapp" : "telegram";
            (*subject)->bind(":p", testing::numbered("seeded-subject-", i)).bind(":c", channel);
            if (auto ok = (*subject)->run(); !ok) return ok;
            const std::int64_t subject_id = db.last_insert_rowid();
            auto subscriber = db.statement(R"sql(
              INSERT INTO subscribers (subject_id, channel, language, area, state, created_at,
                                       updated_at)
              VALUES (:s, :c, :l, 'Zandweerd', 'active', 0, 0))sql");
            if (!subscriber) return tl::unexpected(subscriber.error());
            (*subscriber)
                ->bind(":s", subject_id)
                .bind(":c", channel)
                .bind(":l", i % 4 < 2 ? "ro" : "bg");
            if (auto ok = (*subscriber)->run(); !ok) return ok;
          }
          return {};
        },
        done);
  });
}

}  // namespace

TEST_CASE("store: a subscription change commits with its turn and is recorded as an event") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, subscribe_turn("p-alice-0001", "wamid.1", 0, "pending", "keyword")));
  auto pending = store->find_subscriber("p-alice-0001");
  REQUIRE(pending);
  REQUIRE(*pending);
  CHECK((*pending)->state == "pending");
  CHECK((*pending)->language == "ro");
  REQUIRE(commit(*store, subscribe_turn("p-alice-0001", "wamid.2", 1, "active", "yes")));
  auto active = store->find_subscriber("p-alice-0001");
  REQUIRE(active);
  CHECK((*active)->state == "active");
  CHECK((*active)->opted_in_how == "yes");
  CHECK((*active)->opted_in_at == kT0 + 1);
  REQUIRE(commit(*store, subscribe_turn("p-alice-0001", "wamid.3", 2, "stopped", "keyword")));
  auto stopped = store->find_subscriber("p-alice-0001");
  CHECK((*stopped)->state == "stopped");
  CHECK((*stopped)->opted_out_how == "keyword");
  CHECK((*stopped)->opted_in_how == "yes");  // the history of the opt-in is kept
  CHECK(query_int(options.path, "SELECT count(*) FROM subscription_events") == 3);
  // A duplicate message changes nothing, the subscription included.
  auto duplicate = commit(*store, subscribe_turn("p-alice-0001", "wamid.2", 3, "active", "yes"));
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().code == Error::Code::duplicate);
  CHECK((*store->find_subscriber("p-alice-0001"))->state == "stopped");
}

TEST_CASE("store: opt-outs by pseudonym and by outbox item") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, subscribe_turn("p-bob-000001", "wamid.1", 0, "active", "yes")));
  auto changed = testing::wait_for<bool>(
      [&](auto done) { store->record_opt_out("p-bob-000001", "blocked", kT0 + 50, done); });
  REQUIRE(changed);
  CHECK(*changed);
  CHECK((*store->find_subscriber("p-bob-000001"))->opted_out_how == "blocked");
  // A subject that never subscribed gets a stopped record; an unknown one nothing.
  auto turn = commit(*store, make_turn("p-carol-00001", "wamid.9", 0, 1, kT0));
  REQUIRE(turn);
  auto by_item = testing::wait_for<bool>([&](auto done) {
    store->record_opt_out_of_outbox_item(turn->outbox_ids.at(0), "blocked", kT0 + 60, done);
  });
  REQUIRE(by_item);
  CHECK(*by_item);
  CHECK((*store->find_subscriber("p-carol-00001"))->state == "stopped");
  auto unknown = testing::wait_for<bool>(
      [&](auto done) { store->record_opt_out("p-nobody-0001", "blocked", kT0, done); });
  REQUIRE(unknown);
  CHECK_FALSE(*unknown);
}

TEST_CASE("store: API keys are created once per name, listed and revoked") {
  TempDir dir;
  auto store = open_store(testing::options_for(dir));
  auto id = testing::wait_for<std::int64_t>(
      [&](auto done) { store->create_api_key("cms", std::string(64, 'a'), kT0, done); });
  REQUIRE(id);
  auto again = testing::wait_for<std::int64_t>(
      [&](auto done) { store->create_api_key("cms", std::string(64, 'b'), kT0, done); });
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Error::Code::invalid);
  auto revoked =
      testing::wait_for<bool>([&](auto done) { store->revoke_api_key("cms", kT0 + 1, done); });
  REQUIRE(revoked);
  CHECK(*revoked);
  auto keys = store->api_keys();
  REQUIRE(keys);
  REQUIRE(keys->size() == 1);
  CHECK(keys->front().revoked_at == kT0 + 1);
}

TEST_CASE("store: 50,000 recipients are queued in one write job; counts per state and channel") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(seed(*store, 50'000));
  NotificationTarget ro;
  ro.language = "ro";
  auto some = store->notification_recipients(ro);
  REQUIRE(some);
  CHECK(some->size() == 25'000);
  NotificationTarget everyone;
  everyone.area = "Zandweerd";
  auto recipients = store->notification_recipients(everyone);
  REQUIRE(recipients);
  REQUIRE(recipients->size() == 50'000);

  NotificationBatch batch;
  batch.template_key = "office_hours";
  batch.target_json = R"({"area":"Zandweerd"})";
  batch.at = kT0;
  batch.payloads = {R"({"text":"Programul","lang":"ro"})", R"({"text":"Приемно","lang":"bg"})"};
  for (const NotificationRecipient& r : *recipients) {
    batch.items.push_back({r.subscriber_id, r.language == "ro" ? 0U : 1U, true});
  }
  const auto started = std::chrono::steady_clock::now();
  auto queued = testing::wait_for<NotificationQueued>(
      [&](auto done) { store->queue_notification(std::move(batch), done); });
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  REQUIRE(queued);
  MESSAGE("queued 50,000 notification items in " << seconds << " s (this build)");
  CHECK(queued->recipients == 50'000);
  CHECK(seconds < 20.0);  // Release: well under 2 s; this bound holds for Debug and ASan too
  CHECK(query_int(options.path, "SELECT count(*) FROM outbox WHERE notification_id = " +
                                    std::to_string(queued->id)) == 50'000);

  auto counts = store->notification_counts(queued->id);
  REQUIRE(counts);
  REQUIRE(*counts);
  CHECK((*counts)->recipients == 50'000);
  std::int64_t queued_count = 0;
  for (const auto& [state, n] : (*counts)->by_state) {
    if (state == "queued") queued_count = n;
  }
  CHECK(queued_count == 50'000);
  REQUIRE((*counts)->by_channel.size() == 2);
  CHECK((*counts)->by_channel[0].first == "telegram");
  CHECK((*counts)->by_channel[0].second.at(0).second == 25'000);
  auto missing = store->notification_counts(queued->id + 100);
  REQUIRE(missing);
  CHECK_FALSE(*missing);
}

TEST_CASE("store: a subscriber who stopped before the commit gets no item") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  REQUIRE(commit(*store, subscribe_turn("p-dana-000001", "wamid.1", 0, "active", "yes")));
  NotificationTarget target;
  target.subject_pseudonym = "p-dana-000001";
  auto recipients = store->notification_recipients(target);
  REQUIRE(recipients);
  REQUIRE(recipients->size() == 1);
  REQUIRE(commit(*store, subscribe_turn("p-dana-000001", "wamid.2", 1, "stopped", "keyword")));
  NotificationBatch batch;
  batch.template_key = "report_update";
  batch.target_json = "{}";
  batch.at = kT0;
  batch.payloads = {R"({"text":"x","lang":"ro"})"};
  batch.items = {{recipients->front().subscriber_id, 0, true}};
  auto queued = testing::wait_for<NotificationQueued>(
      [&](auto done) { store->queue_notification(std::move(batch), done); });
  REQUIRE(queued);
  CHECK(queued->recipients == 0);
  CHECK(query_int(options.path, "SELECT count(*) FROM outbox WHERE notification_id IS NOT NULL") ==
        0);
}

}  // namespace buurtlijn::store
