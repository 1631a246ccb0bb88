// See routing.hpp.
#include "cases/routing.hpp"

#include <cctype>
#include <cmath>
#include <numbers>

namespace buurtlijn::cases {

std::vector<RoutingRule> default_routing_rules() {
  return {
      {"exploitation", "*", 0, 24, "exploitation_restricted", 2},
      {"overcrowded_housing", "*", 0, 24, "room_rental_inspectors", 10},
      {"waste_beside_container", "*", 0, 24, "waste_team", 3},
      {"container_full_or_broken", "*", 0, 24, "waste_team", 2},
      {"bulky_waste", "*", 0, 24, "waste_team", 3},
      {"noise", "*", 0, 24, "buurtmaker", 5},
  };
}

Route route_case(const CasesSettings& settings, std::string_view category, const Area& area,
                 int local_hour) {
  const std::vector<RoutingRule> defaults = default_routing_rules();
  const std::vector<RoutingRule>& rules = settings.routing.empty() ? defaults : settings.routing;
  for (const RoutingRule& rule : rules) {
    if (rule.category != "*" && rule.category != category) continue;
    if (rule.area == kUnknownArea) {
      if (area.known()) continue;
    } else if (rule.area != "*" && rule.area != area.wijk_code && rule.area != area.wijk_name &&
               rule.area != area.buurt_code && rule.area != area.buurt_name) {
      continue;
    }
    const bool in_hours = rule.from_hour <= rule.to_hour
                              ? local_hour >= rule.from_hour && local_hour < rule.to_hour
                              : local_hour >= rule.from_hour || local_hour < rule.to_hour;
    if (!in_hours) continue;
    return Route{rule.team, rule.target_working_days};
  }
  return Route{settings.default_team, settings.default_target_days};
}

std::int64_t add_working_days(std::int64_t epoch_day, int days) {
  // 1970-01-01 was a Thursday: weekday 0 = Monday.
  const auto weekday = [](std::int64_t day) { return ((day % 7) + 7 + 3) % 7; };
  std::int64_t day = epoch_day;
  while (days > 0) {
    ++day;
    if (weekday(day) < 5) --days;
  }
  return day;
}

double distance_m(GeoPoint a, GeoPoint b) {
  constexpr double kEarthRadius = 6'371'000.0;
  const double to_rad = std::numbers::pi / 180.0;
  const double dlat = (b.latitude - a.latitude) * to_rad;
  const double dlon = (b.longitude - a.longitude) * to_rad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.latitude * to_rad) * std::cos(b.latitude * to_rad) *
                       std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadius * std::asin(std::min(1.0, std::sqrt(h)));
}

bool groups_by_distance(std::string_view category) {
  return category == "waste_beside_container" || category == "container_full_or_broken";
}

std::optional<std::int64_t> choose_case(const CasesSettings& settings, const NewReportKey& report,
                                        const std::vector<OpenCaseCandidate>& open_cases) {
  std::optional<std::int64_t> best;
  double best_distance = 1e18;
  const std::int64_t period_ms = std::int64_t{settings.group_period_days} * 86'400'000;
  for (const OpenCaseCandidate& candidate : open_cases) {
    if (candidate.category != report.category) continue;
    if (!report.address_key.empty() && candidate.address_key == report.address_key) {
      return candidate.case_id;  // the same address: always the same case
    }
    if (!groups_by_distance(report.category) || !report.location || !candidate.location) continue;
    if (report.at - candidate.last_report_at > period_ms) continue;
    const double distance = distance_m(*report.location, *candidate.location);
    if (distance <= settings.group_radius_m && distance < best_distance) {
      best = candidate.case_id;
      best_distance = distance;
    }
  }
  return best;
}

std::string address_key(std::string_view address) {
  std::string key;
  bool space = false;
  for (const char c : address) {
    if (c == ' ' || c == ',' || c == '\t') {
      space = !key.empty();
      continue;
    }
    if (space) key.push_back(' ');
    space = false;
    key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return key;
}

}  // namespace buurtlijn::cases
