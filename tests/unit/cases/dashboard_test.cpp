// Dashboard figures on seeded rows: exact counts per area/category/week, open/closed,
// median and p90 durations, inspections and reports per month, top waste locations.
#include "cases/dashboard.hpp"

#include <doctest/doctest.h>

namespace {
using namespace buurtlijn;
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kMonday = 1'795'392'000'000;  // 2026-11-23 00:00 UTC, ISO week 48
}  // namespace

TEST_CASE("dashboard: ISO weeks and percentiles") {
  CHECK(cases::iso_week_of(kMonday) == "2026-W48");
  CHECK(cases::iso_week_of(kMonday - 1) == "2026-W47");        // Sunday night
  CHECK(cases::iso_week_of(1'767'225'600'000) == "2026-W01");  // 2026-01-01 (Thursday)
  CHECK(cases::iso_week_of(1'735'689'600'000) == "2025-W01");  // 2025-01-01 (Wednesday)
  CHECK(cases::percentile({5, 1, 3, 2, 4}, 50) == 3);
  CHECK(cases::percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90) == 9);
  CHECK_FALSE(cases::percentile({}, 50));
}

TEST_CASE("dashboard: counts on seeded rows") {
  store::StatsRows rows;
  for (int i = 0; i < 3; ++i) {
    rows.reports.push_back(
        {"waste_beside_container", "Rivierenwijk", kMonday + i * kHour, "WK015003", "BU01500302"});
  }
  rows.reports.push_back({"waste_beside_container", "Rivierenwijk", kMonday + 7 * 24 * kHour,
                          "WK015003", "BU01500302"});
  rows.reports.push_back({"overcrowded_housing", "Voorstad", kMonday, "WK015002", "BU01500201"});
  rows.reports.push_back({"noise", "unknown", kMonday, "unknown", "unknown"});
  rows.cases.push_back({1, "waste_beside_container", "Rivierenwijk", "Rivierenwijk-Zuid", "closed",
                        "", 52.2400, 6.1600, 3, kMonday, kMonday + 2 * kHour,
                        kMonday + 10 * kHour});
  rows.cases.push_back({2, "waste_beside_container", "Rivierenwijk", "Rivierenwijk-Noord",
                        "action_planned", "", 52.2450, 6.1600, 1, kMonday + 7 * 24 * kHour,
                        kMonday + 7 * 24 * kHour + 4 * kHour, std::nullopt});
  rows.cases.push_back({3, "overcrowded_housing", "Voorstad", "Voorstad-Oost", "response_period",
                        "ceintuurbaan 12", std::nullopt, std::nullopt, 1, kMonday,
                        kMonday + 6 * kHour, std::nullopt});
  rows.cases.push_back({4, "noise", "unknown", "unknown", "new", "", std::nullopt, std::nullopt, 1,
                        kMonday, std::nullopt, std::nullopt});
  rows.events = {{"2026-11", true, false},
                 {"2026-11", false, true},
                 {"2026-12", true, false},
                 {"2026-12", true, false}};
  const cases::Dashboard d = cases::build_dashboard(rows);
  CHECK(d.reports.at({"Rivierenwijk", "waste_beside_container", "2026-W48"}) == 3);
  CHECK(d.reports.at({"Rivierenwijk", "waste_beside_container", "2026-W49"}) == 1);
  CHECK(d.reports.at({"Voorstad", "overcrowded_housing", "2026-W48"}) == 1);
  CHECK(d.reports.at({"unknown", "noise", "2026-W48"}) == 1);
  CHECK(d.reports.size() == 4);
  CHECK(d.cases.at({"Rivierenwijk", "waste_beside_container", "2026-W48"}) == 1);
  CHECK(d.open_cases == 3);
  CHECK(d.closed_cases == 1);
  CHECK(d.to_first_action.count == 3);
  CHECK(*d.to_first_action.median_hours == doctest::Approx(4.0));
  CHECK(*d.to_first_action.p90_hours == doctest::Approx(6.0));
  CHECK(d.to_close.count == 1);
  CHECK(*d.to_close.median_hours == doctest::Approx(10.0));
  CHECK(d.inspections_per_month.at("2026-11") == 1);
  CHECK(d.inspections_per_month.at("2026-12") == 2);
  CHECK(d.official_reports_per_month.at("2026-11") == 1);
  CHECK(d.official_reports_per_month.count("2026-12") == 0);
  REQUIRE(d.top_waste_locations.size() == 2);
  CHECK(d.top_waste_locations[0].case_id == 1);
  CHECK(d.top_waste_locations[0].reports == 3);
  CHECK(d.top_waste_locations[0].location == "52.240,6.160");
  const std::string csv = cases::dashboard_csv(d);
  CHECK(csv.find("reports,Rivierenwijk,waste_beside_container,2026-W48,3\n") != std::string::npos);
  CHECK(csv.find("cases_open,,,,3\n") != std::string::npos);
  CHECK(csv.find("inspections,,,2026-12,2\n") != std::string::npos);
  CHECK(csv.find("waste_location_reports,Rivierenwijk-Zuid,\"52.240,6.160\",case 1,3\n") !=
        std::string::npos);
  const std::string json = cases::dashboard_json(d);
  CHECK(json.find(R"("cases_open":3)") != std::string::npos);
  CHECK(json.find(R"("time_to_close":{"count":1,"median_hours":1E1,"p90_hours":1E1})") !=
        std::string::npos);
}
