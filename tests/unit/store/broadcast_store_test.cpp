// The console's broadcasts in the store: the recipient count is exactly the recipients a
// send reads (per segment, with the WhatsApp window split), a broadcast is queued with
// its console row and audit row in one transaction, a scheduled one is due, queued once,
// and loses to a cancel; parameters are kept only while scheduled.
#include "store/broadcast_store.hpp"

#include <doctest/doctest.h>

#include <map>

#include "store/sqlite_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::query_int;
using testing::TempDir;

constexpr Millis kNow = 1'764'000'000'000;
constexpr Millis kDay = 24LL * 3600 * 1000;

struct Person {
  std::string channel;
  std::string language;
  std::string area;
  std::string state;
  std::string topic;        // "" = none
  Millis last_inbound = 0;  // 0: no conversation
};

// Writes subjects, subscribers, topics and conversations directly (test only).
Result<void> seed(SqliteStore& store, const std::vector<Person>& people) {
  return testing::wait_for<void>([&](auto done) {
    store.write<void>(
        [&people](SqliteConnection& db) -> Result<void> {
          int i = 0;
          for (const Person& person : people) {
            ++i;
            auto subject = db.statement(
                "INSERT INTO subjects (pseudonym, channel, created_at) VALUES (:p, :c, 0)");
            if (!subject) return tl::unexpected(subject.error());
            (*subject)->bind(":p", testing::numbered("subject-", i)).bind(":c", person.channel);
            if (auto ok = (*subject)->run(); !ok) return ok;
            const std::int64_t subject_id = db.last_insert_rowid();
            auto subscriber = db.statement(R"sql(
              INSERT INTO subscribers (subject_id, channel, language, area, state, created_at,
                                       updated_at)
              VALUES (:s, :c, :l, :a, :state, 0, 0))sql");
            if (!subscriber) return tl::unexpected(subscriber.error());
            (*subscriber)
                ->bind(":s", subject_id)
                .bind(":c", person.channel)
                .bind(":l", person.language)
                .bind(":a", person.area)
                .bind(":state", person.state);
            if (auto ok = (*subscriber)->run(); !ok) return ok;
            const std::int64_t subscriber_id = db.last_insert_rowid();
            if (!person.topic.empty()) {
              auto topic = db.statement(
                  "INSERT INTO subscriber_topics (subscriber_id, topic) VALUES (:s, :t)");
              if (!topic) return tl::unexpected(topic.error());
              (*topic)->bind(":s", subscriber_id).bind(":t", person.topic);
              if (auto ok = (*topic)->run(); !ok) return ok;
            }
            if (person.last_inbound != 0) {
              auto conversation = db.statement(R"sql(
                INSERT INTO conversations (subject_id, channel, language, created_at, updated_at,
                                           last_inbound_at)
                VALUES (:s, :c, :l, 0, 0, :at))sql");
              if (!conversation) return tl::unexpected(conversation.error());
              (*conversation)
                  ->bind(":s", subject_id)
                  .bind(":c", person.channel)
                  .bind(":l", person.language)
                  .bind(":at", person.last_inbound);
              if (auto ok = (*conversation)->run(); !ok) return ok;
            }
          }
          return {};
        },
        done);
  });
}

const std::vector<Person> kPeople = {
    {"whatsapp", "ro", "Zandweerd", "active", "waste", kNow - 3600'000},  // inside the window
    {"whatsapp", "ro", "Zandweerd", "active", "", kNow - 2 * kDay},       // outside
    {"whatsapp", "ro", "Voorstad", "active", "", 0},                      // never wrote
    {"telegram", "ro", "Voorstad", "active", "waste", kNow - 5 * kDay},
    {"kannel", "ro", "", "active", "", 0},
    {"telegram", "bg", "Zandweerd", "active", "", kNow},
    {"whatsapp", "ro", "Zandweerd", "pending", "", kNow},  // never counts
    {"telegram", "ro", "Zandweerd", "stopped", "waste", kNow},
};

struct Opened {
  TempDir dir;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<BroadcastStore> broadcasts;
};

std::unique_ptr<Opened> open_seeded() {
  auto opened = std::make_unique<Opened>();
  auto store = SqliteStore::open(testing::options_for(opened->dir));
  REQUIRE_MESSAGE(store, store.error().message);
  opened->store = std::move(*store);
  REQUIRE(seed(*opened->store, kPeople));
  auto broadcasts = broadcast_store_for(*opened->store);
  REQUIRE(broadcasts);
  opened->broadcasts = std::move(*broadcasts);
  return opened;
}

std::int64_t total(const std::vector<RecipientGroup>& groups) {
  std::int64_t n = 0;
  for (const RecipientGroup& group : groups) n += group.subscribers;
  return n;
}

NotificationBatch batch_for(const std::vector<NotificationRecipient>& recipients) {
  NotificationBatch batch;
  batch.template_key = "office_hours";
  batch.target_json = R"({"language":"ro"})";
  batch.at = kNow;
  batch.payloads = {R"({"text":"Programul"})"};
  for (const NotificationRecipient& r : recipients)
    batch.items.push_back({r.subscriber_id, 0, true});
  return batch;
}

}  // namespace

TEST_CASE("broadcasts: the count is what a send reads, per segment") {
  auto opened = open_seeded();
  NotificationTarget segments[6];
  segments[0].language = "ro";
  segments[1].language = "bg";
  segments[2].area = "Zandweerd";
  segments[3].channel = "whatsapp";
  segments[4].topic = "waste";
  segments[5].language = "ro";
  segments[5].area = "Voorstad";
  for (const NotificationTarget& segment : segments) {
    auto groups = opened->broadcasts->count_recipients(segment, kNow - kDay);
    auto recipients = opened->store->notification_recipients(segment);
    REQUIRE(groups);
    REQUIRE(recipients);
    CHECK(total(*groups) == static_cast<std::int64_t>(recipients->size()));
  }
  auto ro = opened->broadcasts->count_recipients(segments[0], kNow - kDay);
  REQUIRE(ro);
  std::map<std::string, std::int64_t> by;
  for (const RecipientGroup& group : *ro) {
    CHECK(group.language == "ro");
    by[group.channel + (group.outside_window ? "/outside" : "/inside")] += group.subscribers;
  }
  CHECK(by["whatsapp/inside"] == 1);
  CHECK(by["whatsapp/outside"] == 2);  // two days ago, and never wrote
  CHECK(by["telegram/inside"] == 1);   // the window is WhatsApp's only
  CHECK(by["kannel/inside"] == 1);
  CHECK(by.size() == 4);
  auto areas = opened->broadcasts->subscriber_areas();
  REQUIRE(areas);
  CHECK(*areas == std::vector<std::string>{"Voorstad", "Zandweerd"});
  auto topics = opened->broadcasts->subscriber_topics();
  REQUIRE(topics);
  CHECK(*topics == std::vector<std::string>{"waste"});
}

TEST_CASE("broadcasts: a send queues notification, items, console row and audit row together") {
  auto opened = open_seeded();
  NotificationTarget ro;
  ro.language = "ro";
  auto recipients = opened->store->notification_recipients(ro);
  REQUIRE(recipients);
  BroadcastRecord record;
  record.source = "template";
  record.source_key = "office_hours";
  record.segment = ro;
  record.due_at = kNow;
  record.created_by = "anna";
  auto queued = opened->broadcasts->queue(batch_for(*recipients), record, Actor{0, "anna"}, kNow);
  REQUIRE_MESSAGE(queued, queued.error().message);
  CHECK(queued->recipients == 5);
  auto found = opened->broadcasts->find(queued->broadcast_id);
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->state == "queued");
  CHECK((*found)->notification_id == queued->notification_id);
  CHECK((*found)->recipients == 5);
  CHECK((*found)->params_json == "{}");
  const std::string path = opened->dir.file("buurtlijn.db");
  CHECK(query_int(path, "SELECT count(*) FROM outbox WHERE notification_id IS NOT NULL") == 5);
  CHECK(query_int(path,
                  "SELECT count(*) FROM audit_log WHERE action = 'broadcast.send' AND "
                  "user_name = 'anna' AND detail LIKE '%language=ro; 5 recipients'") == 1);
  auto failures = opened->broadcasts->failures(queued->notification_id);
  REQUIRE(failures);
  CHECK(failures->empty());
}

TEST_CASE("broadcasts: scheduled ones are due, queued once, and a cancel wins") {
  auto opened = open_seeded();
  BroadcastRecord record;
  record.source = "template";
  record.source_key = "office_hours";
  record.params_json = R"({"day":"dinsdag"})";
  record.segment.language = "bg";
  record.due_at = kNow + 3600'000;
  record.created_by = "anna";
  auto first = opened->broadcasts->schedule(record, Actor{0, "anna"}, kNow);
  auto second = opened->broadcasts->schedule(record, Actor{0, "anna"}, kNow);
  REQUIRE(first);
  REQUIRE(second);
  auto none = opened->broadcasts->due(kNow);
  REQUIRE(none);
  CHECK(none->empty());
  auto due = opened->broadcasts->due(kNow + 3600'000);
  REQUIRE(due);
  REQUIRE(due->size() == 2);
  CHECK(due->front().params_json == R"({"day":"dinsdag"})");
  CHECK(due->front().segment.language == "bg");

  // The second is cancelled before the scheduler gets to it: queuing it is refused and
  // writes nothing.
  auto cancelled = opened->broadcasts->cancel(*second, Actor{0, "anna"}, kNow + 10);
  REQUIRE(cancelled);
  CHECK(*cancelled);
  auto again = opened->broadcasts->cancel(*second, Actor{0, "anna"}, kNow + 11);
  REQUIRE(again);
  CHECK_FALSE(*again);
  NotificationTarget bg;
  bg.language = "bg";
  auto recipients = opened->store->notification_recipients(bg);
  REQUIRE(recipients);
  const Actor scheduler{0, "scheduler"};
  BroadcastRecord claim = due->back();
  auto refused =
      opened->broadcasts->queue(batch_for(*recipients), claim, scheduler, kNow + 3600'000);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Error::Code::invalid);
  const std::string path = opened->dir.file("buurtlijn.db");
  CHECK(query_int(path, "SELECT count(*) FROM notifications") == 0);

  claim = due->front();
  auto queued =
      opened->broadcasts->queue(batch_for(*recipients), claim, scheduler, kNow + 3600'000);
  REQUIRE_MESSAGE(queued, queued.error().message);
  CHECK(queued->broadcast_id == *first);
  CHECK(queued->recipients == 1);
  auto twice = opened->broadcasts->queue(batch_for(*recipients), claim, scheduler, kNow + 3600'001);
  CHECK_FALSE(twice);
  auto after = opened->broadcasts->due(kNow + 7200'000);
  REQUIRE(after);
  CHECK(after->empty());
  auto recent = opened->broadcasts->recent(10);
  REQUIRE(recent);
  REQUIRE(recent->size() == 2);
  CHECK(recent->at(0).state == "cancelled");
  CHECK(recent->at(1).state == "queued");
  for (const BroadcastRecord& row : *recent) CHECK(row.params_json == "{}");  // retention
  CHECK(query_int(path, "SELECT count(*) FROM audit_log WHERE action LIKE 'broadcast.%'") == 4);
}

TEST_CASE("broadcasts: a scheduled broadcast that cannot be queued fails with its reason") {
  auto opened = open_seeded();
  BroadcastRecord record;
  record.source = "node";
  record.source_key = "gone";
  record.segment.language = "ro";
  record.due_at = kNow;
  record.created_by = "anna";
  auto id = opened->broadcasts->schedule(record, Actor{0, "anna"}, kNow);
  REQUIRE(id);
  REQUIRE(opened->broadcasts->mark_failed(*id, "unknown_node", Actor{0, "scheduler"}, kNow));
  auto found = opened->broadcasts->find(*id);
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->state == "failed");
  CHECK((*found)->reason == "unknown_node");
  auto due = opened->broadcasts->due(kNow + 1);
  REQUIRE(due);
  CHECK(due->empty());
}

}  // namespace buurtlijn::store
