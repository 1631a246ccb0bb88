// A person's rights over the store (store/gdpr_store.hpp): export holds everything of
// the subject and nothing of others; erasure removes it all in one transaction, keeps
// the facts of their reports anonymised, leaves other subjects untouched, and both
// leave an audit row without message text.
#include <doctest/doctest.h>

#include <string>

#include "store/gdpr_store.hpp"
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

// Two subjects, each with a conversation (2 turns), a contact address, a subscriber
// record with a topic and events, a handover and a report on a housing case.
void seed(SqliteStore& store, const std::string& path) {
  for (const std::string who : {"p-ana", "p-bob"}) {
    InboundTurn first = make_turn(who, who + ".1", 0, 1, kT0);
    first.contact_address = who == "p-ana" ? "40712000001" : "31612000002";
    first.text = "secret text of " + who;
    auto committed = commit(store, first);
    REQUIRE_MESSAGE(committed, committed.error().message);
    REQUIRE(commit(store, make_turn(who, who + ".2", 1, 1, kT0 + 1000)));
  }
  auto side = testing::open_side_connection(path);
  REQUIRE(side.exec(R"sql(
    INSERT INTO subscribers (subject_id, channel, language, state, opted_in_at, opted_in_how,
                             created_at, updated_at)
      SELECT id, 'whatsapp', 'ro', 'active', 1, 'keyword', 1, 1 FROM subjects;
    INSERT INTO subscriber_topics (subscriber_id, topic) SELECT id, 'afval' FROM subscribers;
    INSERT INTO subscription_events (subject_id, state, how, at)
      SELECT id, 'active', 'keyword', 1 FROM subjects;
    INSERT INTO handovers (conversation_id, reason, state, requested_at)
      SELECT id, 'asked', 'waiting', 1 FROM conversations;
    INSERT INTO cases (id, category, path, state, wijk_code, wijk_name, buurt_code, buurt_name,
                       team, target_days, target_on, created_at, updated_at, last_report_at)
      VALUES (1, 'overcrowded_housing', 'housing', 'received', 'W1', 'Wijk', 'B1', 'Buurt',
              'wonen', 10, '2023-12-01', 1, 1, 1),
             (2, 'litter', 'short', 'received', 'W1', 'Wijk', 'B1', 'Buurt',
              'afval', 5, '2023-12-01', 1, 1, 1);
    INSERT INTO reports (public_number, case_id, category, wijk_code, wijk_name, buurt_code,
                         buurt_name, address, postcode, description, photo_ref, language,
                         subject_id, channel, wants_updates, source, created_at)
      SELECT 1000 + id, 1, 'overcrowded_housing', 'W1', 'Wijk', 'B1', 'Buurt', 'Brink 1',
             '7411', 'twelve people in one room', 'photo-' || id, 'ro', id, 'whatsapp', 1,
             'chat', 5 FROM subjects;
    INSERT INTO reports (public_number, case_id, category, wijk_code, wijk_name, buurt_code,
                         buurt_name, address, postcode, description, photo_ref, language,
                         subject_id, channel, wants_updates, source, created_at)
      SELECT 2000 + id, 2, 'litter', 'W1', 'Wijk', 'B1', 'Buurt', 'Markt 2', '7411',
             'bags on the street', '', 'ro', id, 'whatsapp', 0, 'chat', 6 FROM subjects;
  )sql"));
}

std::int64_t subject_rows(SqliteConnection& db, const std::string& pseudonym) {
  const std::string s = "(SELECT id FROM subjects WHERE pseudonym = '" + pseudonym + "')";
  const std::string c = "(SELECT id FROM conversations WHERE subject_id IN " + s + ")";
  return query_int(db, "SELECT count(*) FROM subjects WHERE pseudonym = '" + pseudonym + "'") +
         query_int(db, "SELECT count(*) FROM conversations WHERE subject_id IN " + s) +
         query_int(db, "SELECT count(*) FROM messages WHERE conversation_id IN " + c) +
         query_int(db, "SELECT count(*) FROM outbox WHERE subject_id IN " + s +
                           " OR conversation_id IN " + c) +
         query_int(db, "SELECT count(*) FROM contact_addresses WHERE subject_id IN " + s) +
         query_int(db, "SELECT count(*) FROM subscribers WHERE subject_id IN " + s) +
         query_int(db, "SELECT count(*) FROM subscription_events WHERE subject_id IN " + s) +
         query_int(db, "SELECT count(*) FROM handovers WHERE conversation_id IN " + c) +
         query_int(db, "SELECT count(*) FROM reports WHERE subject_id IN " + s);
}

const GdprTable* table_named(const GdprExport& exported, const std::string& name) {
  for (const auto& table : exported.tables) {
    if (table.name == name) return &table;
  }
  return nullptr;
}

std::string text_of(const std::vector<std::pair<std::string, GdprValue>>& row,
                    const std::string& column) {
  for (const auto& [name, value] : row) {
    if (name == column) {
      const auto* text = std::get_if<std::string>(&value);
      return text == nullptr ? std::string() : *text;
    }
  }
  return "<no column>";
}

TEST_CASE("gdpr: export holds every kind of the subject's data and nothing of others") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  seed(*store, options.path);

  auto exported = testing::wait_for<GdprExport>(
      [&](auto done) { gdpr_export(*store, "p-ana", GdprActor{"cli"}, kT0 + 5000, done); });
  REQUIRE_MESSAGE(exported, exported.error().message);
  REQUIRE(exported->found);
  const std::pair<const char*, std::size_t> expected[] = {
      {"subjects", 1},          {"conversations", 1},
      {"messages", 4},          {"outbox", 2},
      {"contact_addresses", 1}, {"subscribers", 1},
      {"subscriber_topics", 1}, {"subscription_events", 1},
      {"handovers", 1},         {"reports", 2}};
  for (const auto& [name, rows] : expected) {
    const auto* table = table_named(*exported, name);
    REQUIRE_MESSAGE(table != nullptr, name);
    CHECK_MESSAGE(table->rows.size() == rows, name);
  }
  CHECK(text_of(table_named(*exported, "contact_addresses")->rows[0], "address") == "40712000001");
  CHECK(text_of(table_named(*exported, "messages")->rows[0], "text") == "secret text of p-ana");
  CHECK(text_of(table_named(*exported, "conversations")->rows[0], "language") == "ro");
  for (const auto& table : exported->tables) {
    for (const auto& row : table.rows) {
      for (const auto& [name, value] : row) {
        if (const auto* text = std::get_if<std::string>(&value)) {
          CHECK(text->find("p-bob") == std::string::npos);
          CHECK(*text != "31612000002");
        }
      }
    }
  }

  auto side = testing::open_side_connection(options.path);
  CHECK(query_int(side,
                  "SELECT count(*) FROM audit_log WHERE action = 'gdpr.export' AND user_name = "
                  "'cli' AND object = 'subject p-ana' AND detail NOT LIKE '%secret%'") == 1);
}

TEST_CASE("gdpr: an unknown subject exports nothing and is still audited") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  auto exported = testing::wait_for<GdprExport>(
      [&](auto done) { gdpr_export(*store, "p-nobody", GdprActor{"cli"}, kT0, done); });
  REQUIRE(exported);
  CHECK_FALSE(exported->found);
  CHECK(exported->tables.empty());
  CHECK(query_int(options.path, "SELECT count(*) FROM audit_log WHERE detail = 'not found'") == 1);
}

TEST_CASE("gdpr: erasure removes the subject, anonymises their reports, spares the others") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  seed(*store, options.path);
  auto side = testing::open_side_connection(options.path);
  const auto bob_before = subject_rows(side, "p-bob");
  REQUIRE(subject_rows(side, "p-ana") > 0);

  auto erased = testing::wait_for<GdprErasure>(
      [&](auto done) { gdpr_erase(*store, "p-ana", GdprActor{"cli"}, kT0 + 5000, done); });
  REQUIRE_MESSAGE(erased, erased.error().message);
  CHECK(erased->found);
  CHECK(erased->messages == 4);
  CHECK(erased->outbox_items == 2);
  CHECK(erased->contact_addresses == 1);
  CHECK(erased->subscribers == 1);
  CHECK(erased->subscription_events == 1);
  CHECK(erased->handovers == 1);
  CHECK(erased->conversations == 1);
  CHECK(erased->reports_anonymised == 2);

  CHECK(subject_rows(side, "p-ana") == 0);
  CHECK(subject_rows(side, "p-bob") == bob_before);
  CHECK(query_int(side, "SELECT count(*) FROM subscriber_topics") == 1);  // Bob's
  CHECK(query_int(side, "SELECT count(*) FROM messages WHERE text LIKE '%p-ana%'") == 0);
  CHECK(query_int(side, "SELECT count(*) FROM contact_addresses WHERE address = '40712000001'") ==
        0);
  // The report facts stay: 4 reports, case, category, area, time; Ana's anonymised.
  CHECK(query_int(side, "SELECT count(*) FROM reports") == 4);
  CHECK(query_int(side,
                  "SELECT count(*) FROM reports WHERE subject_id IS NULL AND description = '' "
                  "AND photo_ref = '' AND wants_updates = 0 AND buurt_code = 'B1'") == 2);
  CHECK(query_int(side,
                  "SELECT count(*) FROM reports WHERE subject_id IS NULL AND "
                  "category = 'overcrowded_housing' AND address = ''") == 1);
  CHECK(query_int(side,
                  "SELECT count(*) FROM reports WHERE subject_id IS NULL AND "
                  "category = 'litter' AND address = 'Markt 2'") == 1);
  CHECK(query_int(side,
                  "SELECT count(*) FROM reports WHERE subject_id IS NOT NULL AND "
                  "description <> ''") == 2);  // Bob's, untouched
  CHECK(query_int(side,
                  "SELECT count(*) FROM audit_log WHERE action = 'gdpr.erase' AND object = "
                  "'subject p-ana' AND detail LIKE 'messages=4 %' AND detail NOT LIKE "
                  "'%secret%' AND detail NOT LIKE '%4071%'") == 1);

  // The person can start afresh: a new turn creates a new subject and conversation.
  auto again = commit(*store, make_turn("p-ana", "p-ana.3", 0, 1, kT0 + 9000));
  REQUIRE_MESSAGE(again, again.error().message);
  CHECK(query_int(side, "SELECT count(*) FROM subjects WHERE pseudonym = 'p-ana'") == 1);
}

TEST_CASE("gdpr: the summary counts messages, address, subscription and reports") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  seed(*store, options.path);
  auto summary = gdpr_summary(*store, "p-bob");
  REQUIRE_MESSAGE(summary, summary.error().message);
  CHECK(summary->found);
  CHECK(summary->messages == 4);
  CHECK(summary->contact_address);
  CHECK(summary->subscribed);
  CHECK(summary->reports == 2);
  auto nobody = gdpr_summary(*store, "p-nobody");
  REQUIRE(nobody);
  CHECK_FALSE(nobody->found);
  CHECK(nobody->messages == 0);
}

}  // namespace
}  // namespace buurtlijn::store
