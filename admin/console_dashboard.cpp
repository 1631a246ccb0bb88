// The console's dashboard "Meldingen Woonoverlast" (coordinator): the figures of
// cases/dashboard.hpp over a period, as SVG bar charts (svg_chart.hpp) each with the same
// numbers in a table, and as CSV. Counts and durations only: no personal data.
#include <algorithm>
#include <limits>
#include <map>

#include "admin/console_parts.hpp"
#include "admin/svg_chart.hpp"
#include "admin/svg_map.hpp"
#include "cases/case_service.hpp"
#include "cases/dashboard.hpp"
#include "cases/workflow.hpp"

namespace buurtlijn::admin {

using namespace console_parts;

namespace {

// "YYYY-MM-DD" to ms since the epoch at 00:00 UTC; -1 when not a date.
Millis day_start(const std::string& text) {
  if (!cases::is_iso_date(text)) return -1;
  const int year = std::stoi(text.substr(0, 4));
  const unsigned month = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  const unsigned day = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  // Days from civil (proleptic Gregorian).
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long long days =
      static_cast<long long>(era) * 146097 + static_cast<long long>(doe) - 719468;
  return days * 86'400'000LL;
}

// The stored rows limited to reports and cases created in [from, until].
store::StatsRows within(store::StatsRows rows, Millis from, Millis until) {
  std::erase_if(rows.reports, [&](const store::StatsReportRow& row) {
    return row.created_at < from || row.created_at > until;
  });
  std::erase_if(rows.cases, [&](const store::StatsCaseRow& row) {
    return row.created_at < from || row.created_at > until;
  });
  return rows;
}

struct Period {
  std::string from_text;
  std::string until_text;
  Millis from = 0;
  Millis until = 0;
};

Period period_of(const Console::Visit& visit) {
  Period period;
  period.from_text = visit.param("from");
  period.until_text = visit.param("until");
  const Millis from = day_start(period.from_text);
  const Millis until = day_start(period.until_text);
  period.from = from < 0 ? 0 : from;
  if (from < 0) period.from_text.clear();
  period.until = until < 0 ? std::numeric_limits<Millis>::max() : until + 86'400'000LL - 1;
  if (until < 0) period.until_text.clear();
  return period;
}

Html figures_table(const Console::Visit& visit, std::string_view caption, std::string_view id,
                   const std::vector<Bar>& bars) {
  Html rows;
  for (const Bar& bar : bars) {
    rows += fill("<tr><th scope=\"row\">{{label}}</th><td>{{value}}</td></tr>",
                 {{"label", bar.label}, {"value", chart_number(bar.value)}});
  }
  return fill(R"html(<figure id="{{id}}">{{chart}}
<div class="scroll"><table><caption>{{caption}}</caption><thead><tr><th scope="col">{{what}}</th><th scope="col">{{count}}</th></tr></thead><tbody>{{rows}}</tbody></table></div></figure>)html",
              {{"id", std::string(id)},
               {"chart", bar_chart(caption, bars)},
               {"caption", std::string(caption)},
               {"what", visit.t("dashboard.col.what")},
               {"count", visit.t("dashboard.col.count")},
               {"rows", rows}});
}

// The choropleth of the reports in the period per wijk (or buurt) with its legend, the
// same counts as a table, and the reports whose area is unknown as a separate count.
Html area_map_section(const Console::Visit& visit, const cases::AreaMap* areas,
                      const std::vector<store::StatsReportRow>& reports, bool buurten) {
  const std::string level = buurten ? "buurt" : "wijk";
  const std::string title = visit.t("dashboard.map.title", {{"level", level}});
  const std::vector<cases::AreaShape> shapes =
      areas == nullptr
          ? std::vector<cases::AreaShape>()
          : areas->shapes(buurten ? cases::AreaShape::Level::buurt : cases::AreaShape::Level::wijk);
  std::map<std::string, std::int64_t, std::less<>> counts;
  for (const cases::AreaShape& shape : shapes) counts[shape.code] = 0;
  std::int64_t unknown = 0;
  for (const store::StatsReportRow& report : reports) {
    const auto found = counts.find(buurten ? report.buurt_code : report.wijk_code);
    if (found == counts.end()) {
      ++unknown;
    } else {
      ++found->second;
    }
  }
  const Html unknown_line =
      fill(R"(<p id="map-unknown" data-count="{{n}}">{{text}}</p>)",
           {{"n", std::to_string(unknown)},
            {"text", visit.t("dashboard.map.unknown", {{"count", unknown}})}});
  if (shapes.empty()) {
    return fill(
        R"html(<section id="area-map"><h2>{{title}}</h2><p>{{none}}</p>{{unknown}}</section>)html",
        {{"title", title}, {"none", visit.t("dashboard.map.no_map")}, {"unknown", unknown_line}});
  }
  std::vector<MapRegion> regions;
  std::int64_t max = 0;
  Html rows;
  for (const cases::AreaShape& shape : shapes) {
    const std::int64_t count = counts[shape.code];
    max = std::max(max, count);
    regions.push_back(MapRegion{
        shape.code, visit.t("dashboard.map.tooltip", {{"name", shape.name}, {"count", count}}),
        count, shape.polygons});
  }
  for (const cases::AreaShape& shape : shapes) {
    const std::int64_t count = counts[shape.code];
    rows += fill(
        R"(<tr data-code="{{code}}"><th scope="row"><span class="swatch c{{colour}}" aria-hidden="true"></span> {{name}}</th><td>{{count}}</td></tr>)",
        {{"code", shape.code},
         {"colour", std::to_string(colour_class(count, max))},
         {"name", shape.name},
         {"count", std::to_string(count)}});
  }
  Html legend = fill(R"(<li><span class="swatch c0" aria-hidden="true"></span> {{t}}</li>)",
                     {{"t", visit.t("dashboard.map.none")}});
  for (const LegendClass& entry : legend_classes(max)) {
    legend += fill(
        R"(<li><span class="swatch c{{c}}" aria-hidden="true"></span> {{t}}</li>)",
        {{"c", std::to_string(entry.colour)},
         {"t", entry.low == entry.high
                   ? std::to_string(entry.low)
                   : visit.t("dashboard.map.range", {{"low", entry.low}, {"high", entry.high}})}});
  }
  return fill(R"html(<section id="area-map" data-level="{{level}}"><h2>{{title}}</h2>
<div class="map-layout">
<figure>{{svg}}<figcaption><span id="map-legend">{{legend_title}}</span><ul class="legend" aria-labelledby="map-legend">{{legend}}</ul></figcaption></figure>
<div class="scroll"><table id="map-table"><caption>{{caption}}</caption>
<thead><tr><th scope="col">{{area}}</th><th scope="col">{{count}}</th></tr></thead>
<tbody>{{rows}}</tbody></table></div>
</div>
{{unknown}}</section>)html",
              {{"level", level},
               {"title", title},
               {"svg", choropleth(title, regions)},
               {"legend_title", visit.t("dashboard.map.legend")},
               {"legend", legend},
               {"caption", visit.t("dashboard.map.caption")},
               {"area", visit.t("dashboard.map.area")},
               {"count", visit.t("dashboard.col.count")},
               {"rows", rows},
               {"unknown", unknown_line}});
}

std::string hours(const std::optional<double>& value) {
  return value ? chart_number(*value) : "–";
}

}  // namespace

ConsoleResponse Console::dashboard(Visit& visit) {
  store::CaseStore* store = host_.case_store();
  if (store == nullptr) return refuse(visit, 503, "cases.unavailable");
  auto rows = store->stats_rows();
  if (!rows) return refuse(visit, 503, "error.store");
  const Period period = period_of(visit);
  const bool buurten = visit.param("level") == "buurt";
  const store::StatsRows in_period = within(std::move(*rows), period.from, period.until);
  const cases::Dashboard figures = cases::build_dashboard(in_period);
  const Html map = area_map_section(visit, host_.area_map(), in_period.reports, buurten);

  std::map<std::string, double> per_area;
  std::map<std::string, double> per_category;
  std::map<std::string, double> per_week;
  for (const auto& [key, count] : figures.reports) {
    const auto& [wijk, category, week] = key;
    per_area[wijk.empty() || wijk == cases::kUnknownArea ? visit.t("case.unknown_area") : wijk] +=
        static_cast<double>(count);
    per_category[visit.t("case_category." + category)] += static_cast<double>(count);
    per_week[week] += static_cast<double>(count);
  }
  auto bars = [](const std::map<std::string, double>& values) {
    std::vector<Bar> list;
    for (const auto& [label, value] : values) list.push_back({label, value});
    return list;
  };
  std::vector<Bar> open_closed = {
      {visit.t("dashboard.open"), static_cast<double>(figures.open_cases)},
      {visit.t("dashboard.closed"), static_cast<double>(figures.closed_cases)}};
  std::map<std::string, double> inspections;
  for (const auto& [month, count] : figures.inspections_per_month) {
    inspections[month + " " + visit.t("dashboard.inspections_short")] = static_cast<double>(count);
  }
  for (const auto& [month, count] : figures.official_reports_per_month) {
    inspections[month + " " + visit.t("dashboard.reports_short")] = static_cast<double>(count);
  }
  Html waste;
  for (const cases::WasteLocation& location : figures.top_waste_locations) {
    waste += fill("<tr><td>{{buurt}}</td><td>{{where}}</td><td>{{reports}}</td></tr>",
                  {{"buurt", location.buurt},
                   {"where", location.location},
                   {"reports", std::to_string(location.reports)}});
  }
  const std::string csv_link = "/admin/dashboard.csv?from=" + url_encode(period.from_text) +
                               "&until=" + url_encode(period.until_text);
  const Html body = fill(
      R"html(<form method="get" action="/admin/dashboard" class="filters">
<p><label for="d-from">{{from}}</label><input id="d-from" name="from" type="date" value="{{from_v}}"></p>
<p><label for="d-until">{{until}}</label><input id="d-until" name="until" type="date" value="{{until_v}}"></p>
<p><label for="d-level">{{level}}</label><select id="d-level" name="level">{{levels}}</select></p>
<p><button type="submit">{{show}}</button></p>
</form>
<p><a href="{{csv}}" download>{{csv_label}}</a></p>
{{map}}
<div class="charts">
{{areas}}
{{categories}}
{{weeks}}
{{open_closed}}
{{inspections}}
</div>
<section><h2>{{durations}}</h2>
<div class="scroll"><table id="durations"><caption>{{durations}}</caption>
<thead><tr><th scope="col">{{what}}</th><th scope="col">{{count}}</th><th scope="col">{{median}}</th><th scope="col">{{p90}}</th></tr></thead>
<tbody><tr><th scope="row">{{first}}</th><td>{{f_n}}</td><td>{{f_m}}</td><td>{{f_p}}</td></tr>
<tr><th scope="row">{{close}}</th><td>{{c_n}}</td><td>{{c_m}}</td><td>{{c_p}}</td></tr></tbody></table></div></section>
<section><h2>{{waste_title}}</h2>
<div class="scroll"><table id="waste"><caption>{{waste_title}}</caption>
<thead><tr><th scope="col">{{buurt}}</th><th scope="col">{{where}}</th><th scope="col">{{count}}</th></tr></thead>
<tbody>{{waste}}</tbody></table></div></section>)html",
      {{"from", visit.t("dashboard.from")},
       {"from_v", period.from_text},
       {"until", visit.t("dashboard.until")},
       {"until_v", period.until_text},
       {"show", visit.t("dashboard.show")},
       {"level", visit.t("dashboard.map.level")},
       {"levels",
        fill(
            buurten
                ? R"(<option value="wijk">{{w}}</option><option value="buurt" selected>{{b}}</option>)"
                : R"(<option value="wijk" selected>{{w}}</option><option value="buurt">{{b}}</option>)",
            {{"w", visit.t("dashboard.map.level_wijk")},
             {"b", visit.t("dashboard.map.level_buurt")}})},
       {"map", map},
       {"csv", csv_link},
       {"csv_label", visit.t("dashboard.csv")},
       {"areas",
        figures_table(visit, visit.t("dashboard.per_area"), "chart-areas", bars(per_area))},
       {"categories", figures_table(visit, visit.t("dashboard.per_category"), "chart-categories",
                                    bars(per_category))},
       {"weeks",
        figures_table(visit, visit.t("dashboard.per_week"), "chart-weeks", bars(per_week))},
       {"open_closed",
        figures_table(visit, visit.t("dashboard.open_closed"), "chart-open-closed", open_closed)},
       {"inspections",
        figures_table(visit, visit.t("dashboard.per_month"), "chart-months", bars(inspections))},
       {"durations", visit.t("dashboard.durations")},
       {"what", visit.t("dashboard.col.what")},
       {"count", visit.t("dashboard.col.count")},
       {"median", visit.t("dashboard.median")},
       {"p90", visit.t("dashboard.p90")},
       {"first", visit.t("dashboard.first_action")},
       {"f_n", std::to_string(figures.to_first_action.count)},
       {"f_m", hours(figures.to_first_action.median_hours)},
       {"f_p", hours(figures.to_first_action.p90_hours)},
       {"close", visit.t("dashboard.to_close")},
       {"c_n", std::to_string(figures.to_close.count)},
       {"c_m", hours(figures.to_close.median_hours)},
       {"c_p", hours(figures.to_close.p90_hours)},
       {"waste_title", visit.t("dashboard.waste")},
       {"buurt", visit.t("dashboard.buurt")},
       {"where", visit.t("dashboard.where")},
       {"waste", waste}});
  return page(visit, visit.t("dashboard.title"), body, "dashboard");
}

ConsoleResponse Console::dashboard_csv(Visit& visit) {
  store::CaseStore* store = host_.case_store();
  if (store == nullptr) return refuse(visit, 503, "cases.unavailable");
  auto rows = store->stats_rows();
  if (!rows) return refuse(visit, 503, "error.store");
  const Period period = period_of(visit);
  ConsoleResponse response;
  response.content_type = "text/csv; charset=utf-8";
  response.body = cases::dashboard_csv(
      cases::build_dashboard(within(std::move(*rows), period.from, period.until)));
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"meldingen-woonoverlast.csv\"");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace buurtlijn::admin
