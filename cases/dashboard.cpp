// See dashboard.hpp.
#include "cases/dashboard.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace buurtlijn::cases {
namespace {

DurationSummary summarize(std::vector<double> hours) {
  DurationSummary summary;
  summary.count = static_cast<std::int64_t>(hours.size());
  summary.median_hours = percentile(hours, 50);
  summary.p90_hours = percentile(std::move(hours), 90);
  return summary;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  return quoted + "\"";
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

boost::json::value optional_number(const std::optional<double>& value) {
  if (!value) return nullptr;
  return std::round(*value * 100) / 100;
}

}  // namespace

std::string iso_week_of(std::int64_t at_ms) {
  using namespace std::chrono;
  const sys_days day{days{at_ms / 86'400'000}};
  const weekday wd{day};
  const int iso_weekday = static_cast<int>(wd.iso_encoding());  // 1 = Monday
  const sys_days thursday = day + days{4 - iso_weekday};
  const year_month_day thursday_date{thursday};
  const sys_days first_day{thursday_date.year() / January / 1};
  const int week = static_cast<int>((thursday - first_day).count() / 7) + 1;
  char text[32];
  std::snprintf(text, sizeof text, "%04d-W%02d", int(thursday_date.year()), week);
  return text;
}

std::optional<double> percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * double(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

Dashboard build_dashboard(const store::StatsRows& rows) {
  Dashboard dashboard;
  for (const store::StatsReportRow& report : rows.reports) {
    ++dashboard.reports[{report.wijk_name, report.category, iso_week_of(report.created_at)}];
  }
  std::vector<double> first_action;
  std::vector<double> close;
  std::vector<WasteLocation> waste;
  for (const store::StatsCaseRow& row : rows.cases) {
    ++dashboard.cases[{row.wijk_name, row.category, iso_week_of(row.created_at)}];
    if (row.state == "closed") {
      ++dashboard.closed_cases;
    } else {
      ++dashboard.open_cases;
    }
    if (row.first_action_at) {
      first_action.push_back(double(*row.first_action_at - row.created_at) / 3.6e6);
    }
    if (row.closed_at) close.push_back(double(*row.closed_at - row.created_at) / 3.6e6);
    if (row.category == "waste_beside_container") {
      WasteLocation location{row.id, row.buurt_name, row.address_key, row.report_count};
      if (location.location.empty() && row.latitude && row.longitude) {
        char text[48];
        std::snprintf(text, sizeof text, "%.3f,%.3f", *row.latitude, *row.longitude);
        location.location = text;
      }
      waste.push_back(std::move(location));
    }
  }
  dashboard.to_first_action = summarize(std::move(first_action));
  dashboard.to_close = summarize(std::move(close));
  for (const store::StatsEventRow& event : rows.events) {
    if (event.is_inspection) ++dashboard.inspections_per_month[event.counted_month];
    if (event.is_official_report) ++dashboard.official_reports_per_month[event.counted_month];
  }
  std::stable_sort(waste.begin(), waste.end(), [](const WasteLocation& a, const WasteLocation& b) {
    return a.reports > b.reports;
  });
  if (waste.size() > 10) waste.resize(10);
  dashboard.top_waste_locations = std::move(waste);
  return dashboard;
}

std::string dashboard_json(const Dashboard& d) {
  boost::json::object out;
  const auto counts = [](const auto& table) {
    boost::json::array list;
    for (const auto& [key, count] : table) {
      list.push_back(boost::json::object{{"area", std::get<0>(key)},
                                         {"category", std::get<1>(key)},
                                         {"week", std::get<2>(key)},
                                         {"count", count}});
    }
    return list;
  };
  out["reports_per_area_category_week"] = counts(d.reports);
  out["cases_per_area_category_week"] = counts(d.cases);
  out["cases_open"] = d.open_cases;
  out["cases_closed"] = d.closed_cases;
  const auto durations = [](const DurationSummary& s) {
    return boost::json::object{{"count", s.count},
                               {"median_hours", optional_number(s.median_hours)},
                               {"p90_hours", optional_number(s.p90_hours)}};
  };
  out["time_to_first_action"] = durations(d.to_first_action);
  out["time_to_close"] = durations(d.to_close);
  boost::json::object inspections;
  for (const auto& [month, count] : d.inspections_per_month) inspections[month] = count;
  out["inspections_per_month"] = std::move(inspections);
  boost::json::object reports;
  for (const auto& [month, count] : d.official_reports_per_month) reports[month] = count;
  out["official_reports_per_month"] = std::move(reports);
  boost::json::array top;
  for (const WasteLocation& location : d.top_waste_locations) {
    top.push_back(boost::json::object{{"case", location.case_id},
                                      {"buurt", location.buurt},
                                      {"location", location.location},
                                      {"reports", location.reports}});
  }
  out["top_waste_locations"] = std::move(top);
  return boost::json::serialize(out);
}

std::string dashboard_csv(const Dashboard& d) {
  std::string csv = "metric,area,category,period,value\n";
  const auto line = [&csv](const std::string& metric, const std::string& area,
                           const std::string& category, const std::string& period,
                           const std::string& value) {
    csv += csv_field(metric) + "," + csv_field(area) + "," + csv_field(category) + "," +
           csv_field(period) + "," + csv_field(value) + "\n";
  };
  for (const auto& [key, count] : d.reports) {
    line("reports", std::get<0>(key), std::get<1>(key), std::get<2>(key), std::to_string(count));
  }
  for (const auto& [key, count] : d.cases) {
    line("cases", std::get<0>(key), std::get<1>(key), std::get<2>(key), std::to_string(count));
  }
  line("cases_open", "", "", "", std::to_string(d.open_cases));
  line("cases_closed", "", "", "", std::to_string(d.closed_cases));
  const auto durations = [&line](const std::string& name, const DurationSummary& s) {
    if (s.median_hours) line(name + "_median_hours", "", "", "", number_text(*s.median_hours));
    if (s.p90_hours) line(name + "_p90_hours", "", "", "", number_text(*s.p90_hours));
  };
  durations("time_to_first_action", d.to_first_action);
  durations("time_to_close", d.to_close);
  for (const auto& [month, count] : d.inspections_per_month) {
    line("inspections", "", "", month, std::to_string(count));
  }
  for (const auto& [month, count] : d.official_reports_per_month) {
    line("official_reports", "", "", month, std::to_string(count));
  }
  for (const WasteLocation& location : d.top_waste_locations) {
    line("waste_location_reports", location.buurt, location.location,
         "case " + std::to_string(location.case_id), std::to_string(location.reports));
  }
  return csv;
}

}  // namespace buurtlijn::cases
