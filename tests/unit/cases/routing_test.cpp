// Routing rules (first match wins, area and hours), working days, duplicate grouping and
// the status texts in 16 languages.
#include "cases/routing.hpp"

#include <doctest/doctest.h>

#include "cases/status_texts.hpp"

namespace {
using namespace buurtlijn::cases;

Area area(const char* wijk_code, const char* wijk_name) {
  Area a;
  a.wijk_code = wijk_code;
  a.wijk_name = wijk_name;
  return a;
}
}  // namespace

TEST_CASE("routing: the first matching rule names the team; else the default") {
  CasesSettings settings;
  settings.routing = {
      {"noise", "*", 22, 6, "night_team", 1},
      {"waste_beside_container", "Rivierenwijk", 0, 24, "waste_team_south", 2},
      {"waste_beside_container", "*", 0, 24, "waste_team", 3},
      {"*", "unknown", 0, 24, "triage_unknown", 5},
  };
  const Area rivieren = area("WK015003", "Rivierenwijk");
  const Area voorstad = area("WK015002", "Voorstad");
  CHECK(route_case(settings, "waste_beside_container", rivieren, 10).team == "waste_team_south");
  CHECK(route_case(settings, "waste_beside_container", rivieren, 10).target_working_days == 2);
  CHECK(route_case(settings, "waste_beside_container", voorstad, 10).team == "waste_team");
  CHECK(route_case(settings, "noise", voorstad, 23).team == "night_team");
  CHECK(route_case(settings, "noise", voorstad, 3).team == "night_team");
  CHECK(route_case(settings, "noise", voorstad, 12).team == "triage");  // default
  CHECK(route_case(settings, "noise", Area{}, 12).team == "triage_unknown");
  CasesSettings defaults;
  CHECK(route_case(defaults, "exploitation", voorstad, 12).team == "exploitation_restricted");
  CHECK(route_case(defaults, "overcrowded_housing", voorstad, 12).team == "room_rental_inspectors");
}

TEST_CASE("routing: working days skip the weekend") {
  // 2026-11-27 is a Friday: day 20784 since 1970-01-01.
  const std::int64_t friday = 20784;
  CHECK(add_working_days(friday, 1) == friday + 3);      // Monday
  CHECK(add_working_days(friday, 5) == friday + 7);      // next Friday
  CHECK(add_working_days(friday + 1, 1) == friday + 3);  // from Saturday: Monday
  CHECK(add_working_days(friday, 0) == friday);
}

TEST_CASE("grouping: same address, or a container within the radius and period") {
  CasesSettings settings;
  settings.group_radius_m = 25;
  settings.group_period_days = 14;
  const std::int64_t day = 86'400'000;
  const GeoPoint container{52.2400, 6.1600};
  const GeoPoint ten_metres{52.24009, 6.1600};    // about 10 m north
  const GeoPoint fifty_metres{52.24045, 6.1600};  // about 50 m north
  std::vector<OpenCaseCandidate> open{
      {1, "waste_beside_container", "", container, 10 * day},
      {2, "overcrowded_housing", address_key("Ceintuurbaan 12, 7425AB"), std::nullopt, 0},
  };
  CHECK(distance_m(container, ten_metres) == doctest::Approx(10.0).epsilon(0.05));
  NewReportKey near{"waste_beside_container", "", ten_metres, 12 * day};
  CHECK(choose_case(settings, near, open) == 1);
  NewReportKey far{"waste_beside_container", "", fifty_metres, 12 * day};
  CHECK_FALSE(choose_case(settings, far, open));
  NewReportKey late{"waste_beside_container", "", ten_metres, 30 * day};
  CHECK_FALSE(choose_case(settings, late, open));
  NewReportKey other_category{"bulky_waste", "", ten_metres, 12 * day};
  CHECK_FALSE(choose_case(settings, other_category, open));
  NewReportKey same_address{"overcrowded_housing", address_key("ceintuurbaan  12 7425AB"),
                            std::nullopt, 100 * day};
  CHECK(choose_case(settings, same_address, open) == 2);
  NewReportKey housing_near{"overcrowded_housing", "", container, 12 * day};
  CHECK_FALSE(choose_case(settings, housing_near, open));  // houses group by address only
}

TEST_CASE("status texts: 16 languages, the number as given, fallback to English") {
  auto texts = StatusTexts::embedded();
  REQUIRE_MESSAGE(texts, (texts ? "" : texts.error()));
  CHECK(texts->languages().size() == 16);
  for (const std::string& language : texts->languages()) {
    for (const std::string& key : status_text_keys()) {
      CAPTURE(language);
      CAPTURE(key);
      const std::string text = texts->format(language, key, 14821);
      CHECK(text.find("14821") != std::string::npos);
    }
  }
  CHECK(texts->status("ro", PublicStatus::planned, 4821) ==
        "Sesizarea 4821: primăria (gemeente) a planificat o acțiune pentru sesizarea "
        "dumneavoastră.");
  CHECK(texts->resolved_language("xx") == "en");
  CHECK(texts->format("xx", "closed", 7) ==
        "Report 7: your report is closed. Thank you for your help.");
}

TEST_CASE("status texts: service names in every language, questions fall back to English") {
  auto texts = StatusTexts::embedded();
  REQUIRE(texts);
  for (const std::string& language : texts->languages()) {
    for (const Category& category : categories()) {
      CAPTURE(language);
      CAPTURE(category.code);
      const std::string name = texts->plain(language, "services." + std::string(category.code));
      CHECK_FALSE(name.empty());
      if (language != "en") {
        CHECK(name != texts->plain("en", "services." + std::string(category.code)));
      }
    }
  }
  CHECK(texts->plain("ro", "services.noise") == "Zgomot");
  CHECK(texts->plain("nl", "questions.fraction") == "Welk soort afval?");
  CHECK(texts->plain("ro", "questions.fraction") == "What kind of waste?");
  CHECK(texts->plain("ro", "questions.nothing").empty());
}
