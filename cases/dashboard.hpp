// The "Dashboard Meldingen Woonoverlast" figures: counts and durations only, no personal
// data. Aggregated from the store's raw rows (store::StatsRows), so the arithmetic is
// pure and tested on seeded rows. Weeks are ISO weeks ("2026-W48"), months "2026-11",
// both in UTC.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "store/case_store.hpp"

namespace buurtlijn::cases {

struct DurationSummary {
  std::int64_t count = 0;
  std::optional<double> median_hours;
  std::optional<double> p90_hours;
};

struct WasteLocation {
  std::int64_t case_id = 0;
  std::string buurt;
  std::string location;  // the address key, or "52.240,6.160" (rounded to ~100 m)
  std::int64_t reports = 0;
};

struct Dashboard {
  // (wijk, category, ISO week) -> count
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> reports;
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> cases;
  std::int64_t open_cases = 0;
  std::int64_t closed_cases = 0;
  DurationSummary to_first_action;
  DurationSummary to_close;
  std::map<std::string, std::int64_t> inspections_per_month;
  std::map<std::string, std::int64_t> official_reports_per_month;
  std::vector<WasteLocation> top_waste_locations;  // most reports first, at most 10
};

Dashboard build_dashboard(const store::StatsRows& rows);

// "2026-W48" for a time in ms since the epoch (UTC).
std::string iso_week_of(std::int64_t at_ms);
// Nearest-rank percentile (0 < p <= 100) of sorted values; nullopt when empty.
std::optional<double> percentile(std::vector<double> values, double p);

std::string dashboard_json(const Dashboard& dashboard);
// One row per figure: metric,area,category,period,value (RFC 4180 quoting).
std::string dashboard_csv(const Dashboard& dashboard);

}  // namespace buurtlijn::cases
