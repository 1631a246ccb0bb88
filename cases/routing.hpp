// Routing rules and report grouping: pure decisions over configuration and candidates.
//
// Routing: the first rule whose category, area and hours match names the team and the
// service-level target in working days (Saturday and Sunday do not count; public
// holidays are not known here). Grouping: a new report joins an open case of the same
// category at the same address, or, for container categories, an open case whose
// location is within the configured radius and whose last report is within the period.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/areas.hpp"

namespace buurtlijn::cases {

struct RoutingRule {
  std::string category = "*";  // a category code or "*"
  std::string area = "*";      // a wijk or buurt code or name, "unknown", or "*"
  int from_hour = 0;           // local hours [from_hour, to_hour); 0-24 is all day
  int to_hour = 24;
  std::string team;
  int target_working_days = 5;
};

struct CasesSettings {
  std::string areas_geojson;   // empty: <data-dir>/areas/areas.geojson when imported
  std::string postcodes_csv;   // empty: <data-dir>/areas/postcodes.csv when imported
  double group_radius_m = 25;  // containers: reports this close join one case
  int group_period_days = 14;
  std::vector<RoutingRule> routing;  // empty: the built-in default rules
  std::string default_team = "triage";
  int default_target_days = 5;
};

// The built-in rules when the configuration names none.
std::vector<RoutingRule> default_routing_rules();

struct Route {
  std::string team;
  int target_working_days = 5;
};

// The first matching rule, else the default team.
Route route_case(const CasesSettings& settings, std::string_view category, const Area& area,
                 int local_hour);

// Days since 1970-01-01 plus `days` working days (Monday to Friday).
std::int64_t add_working_days(std::int64_t epoch_day, int days);

// Great-circle distance in metres.
double distance_m(GeoPoint a, GeoPoint b);

// True for categories about a container (grouped by distance, not only by address).
bool groups_by_distance(std::string_view category);

struct OpenCaseCandidate {
  std::int64_t case_id = 0;
  std::string category;
  std::string address_key;
  std::optional<GeoPoint> location;
  std::int64_t last_report_at = 0;  // ms since the epoch
};

struct NewReportKey {
  std::string category;
  std::string address_key;  // normalised "7425AB 12" or a typed address, may be empty
  std::optional<GeoPoint> location;
  std::int64_t at = 0;  // ms
};

// The case the report joins (the nearest/most recent match), or nullopt for a new case.
std::optional<std::int64_t> choose_case(const CasesSettings& settings, const NewReportKey& report,
                                        const std::vector<OpenCaseCandidate>& open_cases);

// A grouping key for a typed address: lower case, single spaces, postcode compacted.
std::string address_key(std::string_view address);

}  // namespace buurtlijn::cases
