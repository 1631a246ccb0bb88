// The chat's privacy requests in the store (store/gdpr_store.hpp): the audited summary
// (what the person wrote, their report numbers, an audit row with counts only) and the
// erasure with its farewell: everything of the subject goes in one transaction, only the
// last reply's outbox item and the address to send it remain, and retention removes
// those once the item is final, leaving no trace of the subject. Other subjects, and a
// reporter without a conversation, stay untouched.
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

// Ana and Bob each write twice (one reply each time) from WhatsApp; Ana made a report on
// a housing case; Cas has no conversation, only a report with updates (as an Open311
// reporter has).
void seed(SqliteStore& store, const std::string& path) {
  for (const std::string who : {"p-ana", "p-bob"}) {
    InboundTurn first = make_turn(who, who + ".1", 0, 1, kT0);
    first.contact_address = who == "p-ana" ? "40712000001" : "31612000002";
    first.text = "secret text of " + who;
    REQUIRE(commit(store, first));
    REQUIRE(commit(store, make_turn(who, who + ".2", 1, 1, kT0 + 1000)));
  }
  auto side = testing::open_side_connection(path);
  REQUIRE(side.exec(R"sql(
    INSERT INTO subjects (pseudonym, channel, created_at) VALUES ('p-cas', 'email', 1);
    INSERT INTO contact_addresses (subject_id, address)
      SELECT id, 'cas@example.org' FROM subjects WHERE pseudonym = 'p-cas';
    INSERT INTO subscribers (subject_id, channel, language, state, opted_in_at, opted_in_how,
                             created_at, updated_at)
      SELECT id, 'whatsapp', 'ro', 'active', 1, 'keyword', 1, 1 FROM subjects
       WHERE pseudonym = 'p-ana';
    INSERT INTO cases (id, category, path, state, wijk_code, wijk_name, buurt_code, buurt_name,
                       team, target_days, target_on, created_at, updated_at, last_report_at)
      VALUES (1, 'overcrowded_housing', 'housing', 'received', 'W1', 'Wijk', 'B1', 'Buurt',
              'wonen', 10, '2023-12-01', 1, 1, 1);
    INSERT INTO reports (public_number, case_id, category, wijk_code, wijk_name, buurt_code,
                         buurt_name, address, postcode, description, photo_ref, language,
                         subject_id, channel, wants_updates, source, created_at)
      SELECT 4821, 1, 'overcrowded_housing', 'W1', 'Wijk', 'B1', 'Buurt', 'Brink 1', '7411',
             'twelve people in one room', '', 'ro', id, 'whatsapp', 1, 'chat', 5
        FROM subjects WHERE pseudonym = 'p-ana';
    INSERT INTO reports (public_number, case_id, category, wijk_code, wijk_name, buurt_code,
                         buurt_name, address, postcode, description, photo_ref, language,
                         subject_id, channel, wants_updates, source, created_at)
      SELECT 4822, 1, 'overcrowded_housing', 'W1', 'Wijk', 'B1', 'Buurt', 'Brink 3', '7411',
             'many people', '', 'nl', id, 'email', 1, 'open311', 6
        FROM subjects WHERE pseudonym = 'p-cas';
  )sql"));
}

TEST_CASE("gdpr chat: the audited summary counts what the person wrote and names their reports") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  seed(*store, options.path);
  auto summary = testing::wait_for<GdprSummary>([&](auto done) {
    gdpr_summary_audited(*store, "p-ana", GdprActor{"chat"}, kT0 + 5000, done);
  });
  REQUIRE_MESSAGE(summary, summary.error().message);
  CHECK(summary->found);
  CHECK(summary->messages == 4);               // two in, two out
  CHECK(summary->messages_from_subject == 2);  // what Ana wrote
  CHECK(summary->contact_address);
  CHECK(summary->subscribed);
  CHECK(summary->reports == 1);
  CHECK(summary->report_numbers == std::vector<std::int64_t>{4821});

  auto side = testing::open_side_connection(options.path);
  CHECK(query_int(side,
                  "SELECT count(*) FROM audit_log WHERE user_name = 'chat' AND action = "
                  "'gdpr.summary' AND object = 'subject p-ana' AND detail = 'messages=4 "
                  "reports=1 contact_address=1 subscribed=1'") == 1);
  CHECK(query_int(side,
                  "SELECT count(*) FROM audit_log WHERE detail LIKE '%secret%' OR detail "
                  "LIKE '%40712%'") == 0);
}

TEST_CASE("gdpr chat: erasure with a farewell; retention removes the farewell once it is sent") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  seed(*store, options.path);

  GdprFarewell farewell;
  farewell.channel = "whatsapp";
  farewell.contact_address = "40712000001";
  farewell.payloads = {R"({"text":"Datele au fost sterse."})"};
  auto erased = testing::wait_for<GdprChatErasure>([&](auto done) {
    gdpr_erase_with_farewell(*store, "p-ana", GdprActor{"chat"}, kT0 + 6000, farewell, done);
  });
  REQUIRE_MESSAGE(erased, erased.error().message);
  CHECK(erased->erased.found);
  CHECK(erased->erased.messages == 4);
  CHECK(erased->erased.reports_anonymised == 1);
  REQUIRE(erased->outbox_ids.size() == 1);

  auto side = testing::open_side_connection(options.path);
  const std::string ana = "(SELECT id FROM subjects WHERE pseudonym = 'p-ana')";
  // Nothing of the conversation; only what sending the farewell needs.
  CHECK(query_int(side, "SELECT count(*) FROM conversations WHERE subject_id IN " + ana) == 0);
  CHECK(query_int(side, "SELECT count(*) FROM messages WHERE text LIKE '%p-ana%'") == 0);
  CHECK(query_int(side, "SELECT count(*) FROM subscribers WHERE subject_id IN " + ana) == 0);
  CHECK(query_int(side, "SELECT count(*) FROM outbox WHERE subject_id IN " + ana +
                            " AND status = 'queued' AND conversation_id IS NULL") == 1);
  CHECK(query_int(side, "SELECT count(*) FROM contact_addresses WHERE subject_id IN " + ana) == 1);
  // The report stays, anonymised.
  CHECK(query_int(side,
                  "SELECT count(*) FROM reports WHERE public_number = 4821 AND subject_id IS "
                  "NULL AND description = '' AND address = '' AND wants_updates = 0") == 1);
  CHECK(query_int(side,
                  "SELECT count(*) FROM audit_log WHERE user_name = 'chat' AND action = "
                  "'gdpr.erase' AND object = 'subject p-ana'") == 1);

  // While the farewell is queued, retention leaves it alone.
  const RetentionPolicy policy;
  auto early = testing::wait_for<RetentionOutcome>(
      [&](auto done) { store->apply_retention(policy, kT0 + 7000, done); });
  REQUIRE_MESSAGE(early, early.error().message);
  CHECK(early->farewells == 0);
  CHECK(query_int(side, "SELECT count(*) FROM contact_addresses WHERE subject_id IN " + ana) == 1);

  // Sent: the next run removes item, address and subject, and nothing else.
  REQUIRE(side.exec("UPDATE outbox SET status = 'sent' WHERE id = " +
                    std::to_string(erased->outbox_ids.front())));
  auto later = testing::wait_for<RetentionOutcome>(
      [&](auto done) { store->apply_retention(policy, kT0 + 8000, done); });
  REQUIRE_MESSAGE(later, later.error().message);
  CHECK(later->farewells == 1);
  CHECK(query_int(side, "SELECT count(*) FROM subjects WHERE pseudonym = 'p-ana'") == 0);
  CHECK(query_int(side, "SELECT count(*) FROM contact_addresses WHERE address = '40712000001'") ==
        0);
  CHECK(query_int(side, "SELECT count(*) FROM outbox WHERE payload LIKE '%sterse%'") == 0);
  // Bob and Cas (a reporter without a conversation) are untouched.
  CHECK(query_int(side, "SELECT count(*) FROM subjects WHERE pseudonym IN ('p-bob', 'p-cas')") ==
        2);
  CHECK(query_int(side, "SELECT count(*) FROM contact_addresses") == 2);
  CHECK(query_int(side,
                  "SELECT count(*) FROM reports WHERE public_number = 4822 AND subject_id "
                  "IS NOT NULL") == 1);
}

TEST_CASE("gdpr chat: web chat has no reply address, so nothing is queued") {
  TempDir dir;
  const auto options = testing::options_for(dir);
  auto store = open_store(options);
  seed(*store, options.path);
  GdprFarewell farewell;
  farewell.channel = "webchat";
  farewell.payloads = {R"({"text":"gone"})"};
  auto erased = testing::wait_for<GdprChatErasure>([&](auto done) {
    gdpr_erase_with_farewell(*store, "p-bob", GdprActor{"chat"}, kT0 + 6000, farewell, done);
  });
  REQUIRE_MESSAGE(erased, erased.error().message);
  CHECK(erased->outbox_ids.empty());
  auto side = testing::open_side_connection(options.path);
  CHECK(query_int(side, "SELECT count(*) FROM subjects WHERE pseudonym = 'p-bob'") == 0);
}

}  // namespace
}  // namespace buurtlijn::store
