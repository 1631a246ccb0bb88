// Reports and cases on a real SQLite store: grouping into one case, routing, unknown
// areas kept, transitions recorded append-only with their data, reporter updates queued
// in the reporter's language, refusals that write nothing, deadlines due.
#include "store/case_store.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "cases/case_service.hpp"
#include "tests/unit/store/test_support.hpp"

namespace {

using namespace buurtlijn;
using store::testing::query_int;
using store::testing::TempDir;
using store::testing::wait_for;

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

cases::AreaMap deventer() {
  auto map = cases::AreaMap::from_geojson(
      read_file(std::string(BUURTLIJN_SOURCE_DIR) + "/data/areas/deventer-illustrative.geojson"));
  REQUIRE(map);
  REQUIRE(map->add_postcodes(read_file(std::string(BUURTLIJN_SOURCE_DIR) +
                                       "/data/areas/deventer-illustrative-postcodes.csv")));
  return std::move(*map);
}

constexpr std::int64_t kNoon = 1'795'780'800'000;  // 2026-11-27 (a Friday) 12:00 UTC

struct Fixture {
  TempDir dir;
  std::unique_ptr<store::Store> db;
  cases::AreaMap areas = deventer();
  cases::CasesSettings settings;
  cases::StatusTexts texts = cases::StatusTexts::embedded().value();
  std::mt19937_64 random{42};
  cases::PayloadRenderer render = [](std::string_view channel, std::string_view text,
                                     std::string_view language) {
    return std::vector<std::string>{std::string(channel) + "|" + std::string(language) + "|" +
                                    std::string(text)};
  };

  Fixture() {
    auto opened = store::open_sqlite_store(store::testing::options_for(dir));
    REQUIRE(opened);
    db = std::move(*opened);
  }

  tl::expected<store::ReportCreated, std::string> report(cases::ReportInput input,
                                                         std::string source_message = "") {
    auto planned = cases::plan_report(input, areas, settings, db->cases(), random);
    if (!planned) return tl::unexpected(planned.error().reason);
    planned->write.source_message = std::move(source_message);
    auto created = wait_for<store::ReportCreated>(
        [&](auto done) { db->cases().create_report(planned->write, done); });
    if (!created) return tl::unexpected(created.error().message);
    return *created;
  }

  tl::expected<store::CaseMoved, std::string> move(std::int64_t case_id, cases::CaseState to,
                                                   cases::TransitionData data = {},
                                                   std::int64_t at = kNoon + 3'600'000) {
    cases::MoveInput input;
    input.case_id = case_id;
    input.request.to = to;
    input.request.by = "A. Jansen";
    input.request.note = "test";
    input.request.data = std::move(data);
    input.at_ms = at;
    auto planned = cases::plan_move(input, db->cases(), texts, render);
    if (!planned) return tl::unexpected(planned.error().reason);
    auto moved =
        wait_for<store::CaseMoved>([&](auto done) { db->cases().move_case(*planned, done); });
    if (!moved) return tl::unexpected(moved.error().message);
    return *moved;
  }

  std::int64_t count(std::string_view sql) { return query_int(dir.file("buurtlijn.db"), sql); }
};

cases::ReportInput bags_at(double lat, double lon, std::string subject = "",
                           std::string language = "ro") {
  cases::ReportInput input;
  input.category = "waste_beside_container";
  input.location = cases::GeoPoint{lat, lon};
  input.language = std::move(language);
  input.subject_pseudonym = std::move(subject);
  input.channel = "whatsapp";
  input.wants_updates = !input.subject_pseudonym.empty();
  input.source = "cli";
  input.at_ms = kNoon;
  return input;
}

}  // namespace

TEST_CASE("case store: reports near one container make one case, routed by area") {
  Fixture f;
  auto first = f.report(bags_at(52.2400, 6.1600, "subject-ro", "ro"));
  REQUIRE_MESSAGE(first, (first ? "" : first.error()));
  CHECK_FALSE(first->joined_existing);
  CHECK(first->public_number >= 1000);
  CHECK(first->public_number <= 9999);
  CHECK(first->public_number != first->report_id);
  auto second = f.report(bags_at(52.24009, 6.1600, "subject-pl", "pl"));  // ~10 m away
  REQUIRE(second);
  CHECK(second->joined_existing);
  CHECK(second->case_id == first->case_id);
  CHECK(second->public_number != first->public_number);
  auto elsewhere = f.report(bags_at(52.2550, 6.1850));  // Voorstad, anonymous
  REQUIRE(elsewhere);
  CHECK(elsewhere->case_id != first->case_id);

  auto row = f.db->cases().find_case(first->case_id);
  REQUIRE(row);
  REQUIRE(*row);
  CHECK((*row)->state == "new");
  CHECK((*row)->path == "short");
  CHECK((*row)->team == "waste_team");
  CHECK((*row)->area.wijk_name == "Rivierenwijk");
  CHECK((*row)->area.buurt_name == "Rivierenwijk-Zuid");
  CHECK((*row)->target_on == "2026-12-02");  // 3 working days after Friday
  CHECK((*row)->report_count == 2);
  CHECK(f.count("SELECT count(*) FROM cases") == 2);
  CHECK(f.count("SELECT count(*) FROM reports") == 3);
  CHECK(f.count("SELECT count(*) FROM reports WHERE subject_id IS NULL") == 1);
}

TEST_CASE("case store: outside the municipality or an unknown postcode is kept as unknown") {
  Fixture f;
  auto outside = f.report(bags_at(52.3728, 4.8936));
  REQUIRE(outside);
  auto row = f.db->cases().find_case(outside->case_id);
  REQUIRE(row);
  CHECK((*row)->area.wijk_code == "unknown");
  cases::ReportInput by_postcode;
  by_postcode.category = "overcrowded_housing";
  by_postcode.postcode = "1012 AB";
  by_postcode.address = "Damstraat 1, 1012AB";
  by_postcode.channel = "open311";
  by_postcode.source = "open311";
  by_postcode.at_ms = kNoon;
  auto planned = cases::plan_report(by_postcode, f.areas, f.settings, f.db->cases(), f.random);
  REQUIRE(planned);
  CHECK(planned->area_source == "none");
  CHECK(planned->note == "postcode 1012AB is not in the postcode table");
  by_postcode.postcode = "7425AB";
  by_postcode.address = "Ceintuurbaan 12";
  auto known = cases::plan_report(by_postcode, f.areas, f.settings, f.db->cases(), f.random);
  REQUIRE(known);
  CHECK(known->area.buurt_name == "Rivierenwijk-Zuid");
  CHECK(known->write.team == "room_rental_inspectors");
  CHECK(known->write.path == "housing");
  by_postcode.postcode = "12345";
  auto bad = cases::plan_report(by_postcode, f.areas, f.settings, f.db->cases(), f.random);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().reason == "'12345' is not a Dutch postcode (1234AB)");
  by_postcode.postcode.clear();
  by_postcode.category = "fireworks";
  CHECK_FALSE(cases::plan_report(by_postcode, f.areas, f.settings, f.db->cases(), f.random));
  CHECK(f.count("SELECT count(*) FROM reports") == 1);
}

TEST_CASE("case store: the waste path with updates to the reporters who asked, in their language") {
  Fixture f;
  auto first = f.report(bags_at(52.2400, 6.1600, "subject-ro", "ro"));
  auto second = f.report(bags_at(52.24009, 6.1600, "subject-pl", "pl"));
  auto anonymous = f.report(bags_at(52.24001, 6.1600));
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(anonymous);
  const std::int64_t id = first->case_id;

  auto triaged = f.move(id, cases::CaseState::triaged);
  REQUIRE(triaged);
  CHECK(triaged->outbox_ids.empty());  // "received" is no news

  cases::TransitionData action;
  action.action = "clean_up";
  auto planned = f.move(id, cases::CaseState::action_planned, action);
  REQUIRE(planned);
  CHECK(planned->outbox_ids.size() == 2);
  CHECK(f.count("SELECT count(*) FROM outbox WHERE payload LIKE 'whatsapp|ro|Sesizarea " +
                std::to_string(first->public_number) + ": primăria (gemeente) a planificat%'") ==
        1);
  CHECK(f.count("SELECT count(*) FROM outbox WHERE payload LIKE 'whatsapp|pl|Zgłoszenie " +
                std::to_string(second->public_number) + ": gmina%'") == 1);

  auto refused = f.move(id, cases::CaseState::official_report);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("cannot go from action_planned to official_report") !=
        std::string::npos);

  cases::TransitionData outcome;
  outcome.outcome = "resolved";
  auto closed = f.move(id, cases::CaseState::closed, outcome);
  REQUIRE(closed);
  CHECK(closed->outbox_ids.size() == 2);
  CHECK(f.count("SELECT count(*) FROM case_events WHERE case_id = " + std::to_string(id)) == 3);
  CHECK(f.count("SELECT count(*) FROM outbox") == 4);
  auto history = f.db->cases().case_history(id);
  REQUIRE(history);
  REQUIRE(history->size() == 3);
  CHECK((*history)[1].data_json == R"({"action":"clean_up"})");
  CHECK((*history)[2].data_json == R"({"outcome":"resolved"})");
  CHECK((*history)[2].actor == "A. Jansen");

  // A report about a closed case's container opens a new case.
  auto later = f.report(bags_at(52.2400, 6.1600, "subject-ro", "ro"));
  REQUIRE(later);
  CHECK(later->case_id != id);
}

TEST_CASE("case store: the housing path records inspections, reports and deadlines") {
  Fixture f;
  cases::ReportInput house;
  house.category = "overcrowded_housing";
  house.address = "Ceintuurbaan 12";
  house.postcode = "7425AB";
  house.language = "bg";
  house.subject_pseudonym = "subject-bg";
  house.channel = "telegram";
  house.wants_updates = true;
  house.source = "cli";
  house.at_ms = kNoon;
  auto created = f.report(house);
  REQUIRE(created);
  const auto id = created->case_id;
  using S = cases::CaseState;
  REQUIRE(f.move(id, S::triaged));
  cases::TransitionData visit;
  visit.inspection_date = "2026-12-03";
  visit.shift = "evening";
  visit.inspectors = {"A. Jansen"};
  auto lone = f.move(id, S::inspection_planned, visit);
  REQUIRE_FALSE(lone);
  CHECK(lone.error().find("pair of two different inspectors") != std::string::npos);
  visit.inspectors = {"A. Jansen", "B. de Vries"};
  REQUIRE(f.move(id, S::inspection_planned, visit));
  auto due = f.db->cases().due_deadlines("2026-12-31");
  REQUIRE(due);
  REQUIRE(due->size() == 1);
  CHECK((*due)[0].kind == "inspection");
  CHECK((*due)[0].due_on == "2026-12-03");
  cases::TransitionData found;
  found.finding = "violation";
  REQUIRE(f.move(id, S::inspected, found));
  CHECK(f.db->cases().due_deadlines("2026-12-31")->empty());  // met by the inspection
  REQUIRE(f.move(id, S::official_report));
  REQUIRE(f.move(id, S::intent_to_penalty_sent));
  cases::TransitionData response;
  response.deadline = "2027-01-08";
  REQUIRE(f.move(id, S::response_period, response));
  due = f.db->cases().due_deadlines("2027-01-08");
  REQUIRE(due);
  REQUIRE(due->size() == 1);
  CHECK((*due)[0].kind == "response_period");
  CHECK(f.db->cases().due_deadlines("2027-01-07")->empty());

  // Planned (inspection), handled (inspected); the inner steps say nothing more.
  CHECK(f.count("SELECT count(*) FROM outbox WHERE channel = 'telegram'") == 2);
  CHECK(f.count("SELECT count(*) FROM case_events WHERE is_inspection = 1") == 1);
  CHECK(f.count("SELECT count(*) FROM case_events WHERE is_official_report = 1") == 1);
  CHECK(f.count("SELECT count(*) FROM case_events WHERE is_inspection = 1 AND counted_month = "
                "'2026-11'") == 1);

  // The history is append-only, even for a connection that tries.
  auto side = store::testing::open_side_connection(f.dir.file("buurtlijn.db"));
  auto update = side.exec("UPDATE case_events SET actor = 'someone else'");
  REQUIRE_FALSE(update);
  CHECK(update.error().message.find("append-only") != std::string::npos);
  CHECK_FALSE(side.exec("DELETE FROM case_events"));
}

TEST_CASE("case store: a stale move is refused as a conflict and writes nothing") {
  Fixture f;
  auto created = f.report(bags_at(52.2550, 6.1600, "subject-en", "en"));
  REQUIRE(created);
  cases::MoveInput input;
  input.case_id = created->case_id;
  input.request.to = cases::CaseState::triaged;
  input.request.by = "A. Jansen";
  input.at_ms = kNoon;
  auto stale = cases::plan_move(input, f.db->cases(), f.texts, f.render);
  REQUIRE(stale);
  REQUIRE(f.move(created->case_id, cases::CaseState::triaged));
  auto moved =
      wait_for<store::CaseMoved>([&](auto done) { f.db->cases().move_case(*stale, done); });
  REQUIRE_FALSE(moved);
  CHECK(moved.error().code == store::Error::Code::conflict);
  CHECK(moved.error().message.find("moved meanwhile: it is now triaged") != std::string::npos);
  CHECK(f.count("SELECT count(*) FROM case_events") == 1);
  input.case_id = 999;
  auto missing = cases::plan_move(input, f.db->cases(), f.texts, f.render);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == cases::Refusal::Kind::not_found);
}

TEST_CASE("case store: status replies and the retention purge of closed reports") {
  Fixture f;
  auto created = f.report(bags_at(52.2400, 6.1600, "subject-ro", "ro"));
  REQUIRE(created);
  auto reply = cases::status_reply(created->public_number, "ro", f.db->cases(), f.texts);
  REQUIRE(reply);
  CHECK(*reply == "Sesizarea " + std::to_string(created->public_number) +
                      ": am primit sesizarea dumneavoastră (melding). Ne ocupăm de ea.");
  auto missing = cases::status_reply(12, "en", f.db->cases(), f.texts);
  REQUIRE(missing);
  CHECK(*missing == "We cannot find report 12. Please check the number and try again.");

  cases::ReportInput open_one = bags_at(52.2550, 6.1850, "subject-en", "en");
  open_one.description = "still open";
  REQUIRE(f.report(open_one));
  REQUIRE(f.move(created->case_id, cases::CaseState::triaged));
  cases::TransitionData outcome;
  outcome.outcome = "unfounded";
  REQUIRE(f.move(created->case_id, cases::CaseState::closed, outcome, kNoon + 7'200'000));
  CHECK(f.count("UPDATE reports SET description = 'saci' WHERE id = 1 RETURNING 1") == 1);

  // Closed after the cut-off: nothing yet.
  auto none =
      wait_for<std::int64_t>([&](auto done) { f.db->cases().purge_closed_reports(kNoon, done); });
  REQUIRE(none);
  CHECK(*none == 0);
  auto purged = wait_for<std::int64_t>(
      [&](auto done) { f.db->cases().purge_closed_reports(kNoon + 86'400'000, done); });
  REQUIRE(purged);
  CHECK(*purged == 1);
  CHECK(f.count("SELECT count(*) FROM reports WHERE description = '' AND subject_id IS NULL"
                " AND wants_updates = 0 AND id = 1") == 1);
  CHECK(f.count("SELECT count(*) FROM reports WHERE description = 'still open'") == 1);
  CHECK(f.count("SELECT count(*) FROM reports") == 2);  // the counts stay
}

TEST_CASE("case store: a redelivered closing message finds its report instead of a second one") {
  Fixture f;
  // The chat's report and the turn that answers it are two writes: after a crash between
  // them, or with two deliveries of one message at once, the message comes again.
  auto first = f.report(bags_at(52.2400, 6.1600, "subject-ro"), "whatsapp:wamid.r.8");
  REQUIRE(first);
  CHECK_FALSE(first->already_existed);
  auto again = f.report(bags_at(52.2400, 6.1600, "subject-ro"), "whatsapp:wamid.r.8");
  REQUIRE(again);
  CHECK(again->already_existed);
  CHECK(again->report_id == first->report_id);
  CHECK(again->public_number == first->public_number);
  CHECK(again->case_id == first->case_id);
  CHECK(f.count("SELECT count(*) FROM reports") == 1);
  CHECK(f.count("SELECT count(*) FROM cases") == 1);
  // Another message of the same person is another report (joining the same case).
  auto other = f.report(bags_at(52.2400, 6.1600, "subject-ro"), "whatsapp:wamid.r.9");
  REQUIRE(other);
  CHECK_FALSE(other->already_existed);
  CHECK(other->report_id != first->report_id);
  // Reports without a message (Open311, the CLI) are never taken for one another.
  CHECK(f.report(bags_at(52.2400, 6.1600))->report_id !=
        f.report(bags_at(52.2400, 6.1600))->report_id);
  CHECK(f.count("SELECT count(*) FROM reports") == 4);
}

TEST_CASE("case store: a corrected category routes the case again; the history keeps both") {
  Fixture f;
  // A resident called the neighbours' music "other"; triage corrects it to noise.
  cases::ReportInput input = bags_at(52.2400, 6.1600);
  input.category = "other";
  auto created = f.report(input);
  REQUIRE(created);
  auto before = f.db->cases().find_case(created->case_id);
  REQUIRE(before);
  REQUIRE(*before);
  CHECK((*before)->team == "triage");  // no rule for "other": the default team

  cases::RerouteInput reroute;
  reroute.case_id = created->case_id;
  reroute.category = "noise";
  reroute.by = "A. Jansen";
  reroute.note = "music at night, not waste";
  reroute.at_ms = kNoon + 3'600'000;
  auto planned = cases::plan_reroute(reroute, f.settings, f.db->cases());
  REQUIRE(planned);
  REQUIRE(planned->has_value());
  CHECK((*planned)->team == "buurtmaker");
  CHECK((*planned)->target_on == "2026-12-04");  // 5 working days after Friday's creation
  auto event =
      wait_for<std::int64_t>([&](auto done) { f.db->cases().reroute_case(**planned, done); });
  REQUIRE(event);
  auto after = f.db->cases().find_case(created->case_id);
  REQUIRE(after);
  CHECK((*after)->category == "noise");
  CHECK((*after)->team == "buurtmaker");
  CHECK((*after)->state == "new");  // the state does not move
  CHECK(f.count("SELECT count(*) FROM case_events WHERE from_state = 'new' AND to_state = 'new' "
                "AND actor = 'A. Jansen' AND json_extract(data, '$.team.from') = 'triage' AND "
                "json_extract(data, '$.team.to') = 'buurtmaker'") == 1);

  // The same again changes nothing and writes nothing.
  auto again = cases::plan_reroute(reroute, f.settings, f.db->cases());
  REQUIRE(again);
  CHECK_FALSE(again->has_value());

  // Refused: another path, an unknown category, no name, a case already under way.
  reroute.category = "overcrowded_housing";
  CHECK_FALSE(cases::plan_reroute(reroute, f.settings, f.db->cases()));
  reroute.category = "graffiti";
  CHECK_FALSE(cases::plan_reroute(reroute, f.settings, f.db->cases()));
  reroute.category = "bulky_waste";
  reroute.by.clear();
  CHECK_FALSE(cases::plan_reroute(reroute, f.settings, f.db->cases()));
  reroute.by = "A. Jansen";
  auto stale = cases::plan_reroute(reroute, f.settings, f.db->cases());
  REQUIRE(stale);
  REQUIRE(stale->has_value());
  REQUIRE(f.move(created->case_id, cases::CaseState::triaged));
  cases::TransitionData action;
  action.action = "clean_up";
  REQUIRE(f.move(created->case_id, cases::CaseState::action_planned, action));
  auto late = cases::plan_reroute(reroute, f.settings, f.db->cases());
  REQUIRE_FALSE(late);
  CHECK(late.error().reason.find("only while it is new or triaged") != std::string::npos);
  // A write planned before someone else moved the case is refused as a conflict.
  auto conflict =
      wait_for<std::int64_t>([&](auto done) { f.db->cases().reroute_case(**stale, done); });
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().code == store::Error::Code::conflict);
  CHECK(f.count("SELECT count(*) FROM cases WHERE category = 'noise'") == 1);
}
