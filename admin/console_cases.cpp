// The console's Cases pages (see console.hpp): the queues per team with filters, a
// case with its reports (never the reporter's contact), its place, history, deadlines
// and the next steps the workflow allows, and the move itself. A move goes through the
// host, the same path as `buurtlijn cases move` (cases::plan_move, reporter updates
// queued), and is written to the audit log. The restricted exploitation team sees only
// the sensitive (exploitation) cases; other enforcement users see every other case; the
// coordinator sees all.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <map>
#include <set>

#include "admin/console_parts.hpp"
#include "cases/workflow.hpp"
#include "connectors/media/image.hpp"

namespace buurtlijn::admin {

using namespace console_parts;

namespace {

bool is_sensitive(std::string_view category) {
  const cases::Category* found = cases::find_category(category);
  return found != nullptr && found->sensitive;
}

// Whether this user may see a case of `category`.
bool may_see(const Console::Visit& visit, std::string_view category) {
  if (!visit.user) return false;
  if (visit.user->role == "coordinator") return true;
  const bool restricted_team = visit.user->team == "exploitation";
  return restricted_team == is_sensitive(category);
}

std::string coordinates(const store::CaseRow& row) {
  if (!row.latitude || !row.longitude) return "";
  char text[64];
  std::snprintf(text, sizeof text, "%.5f, %.5f", *row.latitude, *row.longitude);
  return text;
}

std::string area_text(const store::AreaColumns& area) {
  if (area.buurt_name.empty() && area.wijk_name.empty()) return "";
  if (area.buurt_name.empty()) return area.wijk_name;
  if (area.wijk_name.empty()) return area.buurt_name;
  return area.buurt_name + " (" + area.wijk_name + ")";
}

// Data that satisfies every data check, to find which allowed states are really open
// (e.g. an official report only after a violation was found).
cases::TransitionData sample_data(const std::string& today) {
  cases::TransitionData data;
  data.inspection_date = today;
  data.shift = "day";
  data.inspectors = {"a", "b"};
  data.finding = "violation";
  data.deadline = today;
  data.action = "clean_up";
  data.outcome = "resolved";
  return data;
}

Html select(const Console::Visit& visit, std::string_view id, std::string_view name,
            std::string_view label_key, std::string_view prefix,
            std::initializer_list<std::string_view> options) {
  Html items;
  for (const std::string_view option : options) {
    items += fill(R"(<option value="{{value}}">{{label}}</option>)",
                  {{"value", std::string(option)},
                   {"label", visit.t(std::string(prefix) + std::string(option))}});
  }
  return fill(
      R"(<p><label for="{{id}}">{{label}}</label><select id="{{id}}" name="{{name}}" required>{{items}}</select></p>)",
      {{"id", std::string(id)},
       {"name", std::string(name)},
       {"label", visit.t(label_key)},
       {"items", items}});
}

Html text_field(const Console::Visit& visit, std::string_view id, std::string_view name,
                std::string_view label_key, std::string_view type, bool required) {
  return fill(
      required
          ? R"(<p><label for="{{id}}">{{label}}</label><input id="{{id}}" name="{{name}}" type="{{type}}" required></p>)"
          : R"(<p><label for="{{id}}">{{label}}</label><input id="{{id}}" name="{{name}}" type="{{type}}"></p>)",
      {{"id", std::string(id)},
       {"name", std::string(name)},
       {"label", visit.t(label_key)},
       {"type", std::string(type)}});
}

// The fields the move to `to` needs, ids prefixed with the state so each form is unique.
Html move_fields(const Console::Visit& visit, cases::CaseState to) {
  const std::string s(cases::to_string(to));
  switch (to) {
    case cases::CaseState::inspection_planned:
    case cases::CaseState::reinspection_planned: {
      Html fields = text_field(visit, s + "-date", "date", "case.field.date", "date", true);
      fields += select(visit, s + "-shift", "shift", "case.field.shift", "shift.",
                       {"day", "evening", "night"});
      fields +=
          text_field(visit, s + "-inspector1", "inspector1", "case.field.inspector1", "text", true);
      fields +=
          text_field(visit, s + "-inspector2", "inspector2", "case.field.inspector2", "text", true);
      return fields;
    }
    case cases::CaseState::inspected:
    case cases::CaseState::inspection_after_deadline:
      return select(visit, s + "-finding", "finding", "case.field.finding", "finding.",
                    {"violation", "no_violation", "no_access"});
    case cases::CaseState::response_period:
    case cases::CaseState::penalty_imposed:
      return text_field(visit, s + "-deadline", "deadline", "case.field.deadline", "date", true);
    case cases::CaseState::action_planned:
      return select(visit, s + "-action", "action", "case.field.action", "action.",
                    {"clean_up", "milieupas_letter", "camera_check"});
    case cases::CaseState::closed:
      return select(visit, s + "-outcome", "outcome", "case.field.outcome", "outcome.",
                    {"resolved", "unfounded", "referred"});
    default:
      return {};
  }
}

// A refused move in the person's language: the workflow's code and details mapped to
// the console's texts (states, findings by name), never the internal code.
std::string refusal_text(const Console::Visit& visit, const cases::TransitionRefusal& refusal) {
  const auto state_name = [&](const std::string& code) {
    return code.empty() ? visit.t("case.none") : visit.t("case_state." + code);
  };
  const auto finding_name = [&](const std::string& code) {
    return code.empty() ? visit.t("case.none") : visit.t("finding." + code);
  };
  UiArguments arguments;
  if (refusal.code == "not_allowed") {
    std::string allowed;
    const std::string codes = refusal.detail("allowed");
    std::size_t start = 0;
    while (start < codes.size()) {
      std::size_t end = codes.find(", ", start);
      if (end == std::string::npos) end = codes.size();
      if (!allowed.empty()) allowed += "; ";
      allowed += state_name(codes.substr(start, end - start));
      start = end + 2;
    }
    arguments = {{"from", state_name(refusal.detail("from"))},
                 {"to", state_name(refusal.detail("to"))},
                 {"allowed", allowed.empty() ? visit.t("case.none") : allowed}};
  } else if (refusal.code == "need_pair") {
    arguments = {{"count", static_cast<std::int64_t>(to_id(refusal.detail("got")))}};
  } else {
    arguments = {{"finding", finding_name(refusal.detail("finding"))},
                 {"got", refusal.detail("got")}};
  }
  const std::string key = "refusal." + refusal.code;
  std::string text = visit.t(key, arguments);
  if (text == key) text = visit.t("refusal.other");  // a code without a text yet
  return visit.t("case.refused", {{"reason", text}});
}

}  // namespace

ConsoleResponse Console::cases_queue(Visit& visit) {
  store::CaseStore* store = host_.case_store();
  if (store == nullptr) return refuse(visit, 503, "cases.unavailable");
  const std::string area = visit.param("area");
  const std::string category = visit.param("category");
  const std::string state = visit.param("state");
  const std::string due = visit.param("due");  // "", overdue, week
  const std::string today = cases::iso_date_of(visit.now);
  const std::string week = cases::iso_date_of(visit.now + 7LL * 24 * 3600 * 1000);

  // The closed cases only when asked for (most recently closed first), else the open ones.
  const bool closed = state == "closed";
  // "deadline": an inspection, re-inspection, response period or penalty term due today
  // or earlier and not met yet (as `buurtlijn cases due`).
  std::set<std::int64_t> deadline_due;
  if (due == "deadline") {
    auto deadlines = store->due_deadlines(today);
    if (!deadlines) return refuse(visit, 503, "error.store");
    for (const store::DeadlineRow& deadline : *deadlines) deadline_due.insert(deadline.case_id);
  }
  std::vector<store::CaseRow> rows;
  std::vector<std::string> areas;
  for (const cases::Category& entry : cases::categories()) {
    if (!may_see(visit, entry.code)) continue;
    auto listed = closed ? store->closed_cases(std::string(entry.code), 500)
                         : store->open_cases(std::string(entry.code));
    if (!listed) return refuse(visit, 503, "error.store");
    for (store::CaseRow& row : *listed) {
      if (!row.area.wijk_name.empty()) areas.push_back(row.area.wijk_name);
      if (!area.empty() && row.area.wijk_name != area) continue;
      if (!category.empty() && row.category != category) continue;
      if (!state.empty() && row.state != state) continue;
      if (due == "overdue" && (row.target_on.empty() || row.target_on >= today)) continue;
      if (due == "week" && (row.target_on.empty() || row.target_on > week)) continue;
      if (due == "deadline" && !deadline_due.contains(row.id)) continue;
      rows.push_back(std::move(row));
    }
  }
  std::sort(areas.begin(), areas.end());
  areas.erase(std::unique(areas.begin(), areas.end()), areas.end());
  std::sort(rows.begin(), rows.end(), [closed](const store::CaseRow& a, const store::CaseRow& b) {
    if (a.team != b.team) return a.team < b.team;
    if (closed) return a.closed_at.value_or(0) > b.closed_at.value_or(0);
    if (a.target_on != b.target_on) return a.target_on < b.target_on;
    return a.id < b.id;
  });

  // The filter form (GET: the filters are in the address, so a queue can be bookmarked).
  auto options = [&](const std::vector<std::string>& values, const std::string& chosen,
                     std::string_view prefix) {
    Html items = fill(R"(<option value="">{{all}}</option>)", {{"all", visit.t("cases.all")}});
    for (const std::string& value : values) {
      items += fill(
          value == chosen ? R"(<option value="{{v}}" selected>{{l}}</option>)"
                          : R"(<option value="{{v}}">{{l}}</option>)",
          {{"v", value}, {"l", prefix.empty() ? value : visit.t(std::string(prefix) + value)}});
    }
    return items;
  };
  std::vector<std::string> category_codes;
  for (const cases::Category& entry : cases::categories()) {
    if (may_see(visit, entry.code)) category_codes.emplace_back(entry.code);
  }
  std::vector<std::string> states;
  for (int i = 0; i <= static_cast<int>(cases::CaseState::closed); ++i) {
    states.emplace_back(cases::to_string(static_cast<cases::CaseState>(i)));
  }
  const std::vector<std::string> due_values = {"overdue", "week", "deadline"};
  Html body = fill(
      R"html(<form method="get" action="/admin/cases" class="filters">
<p><label for="f-area">{{area}}</label><select id="f-area" name="area">{{areas}}</select></p>
<p><label for="f-category">{{category}}</label><select id="f-category" name="category">{{categories}}</select></p>
<p><label for="f-state">{{state}}</label><select id="f-state" name="state">{{states}}</select></p>
<p><label for="f-due">{{due}}</label><select id="f-due" name="due">{{dues}}</select></p>
<p><button type="submit">{{filter}}</button></p>
</form>
<p role="status">{{count}}</p>)html",
      {{"area", visit.t("cases.filter.area")},
       {"areas", options(areas, area, "")},
       {"category", visit.t("cases.filter.category")},
       {"categories", options(category_codes, category, "case_category.")},
       {"state", visit.t("cases.filter.state")},
       {"states", options(states, state, "case_state.")},
       {"due", visit.t("cases.filter.due")},
       {"dues", options(due_values, due, "cases.due.")},
       {"filter", visit.t("cases.filter.submit")},
       {"count", visit.t(closed ? "cases.count_closed" : "cases.count",
                         {{"count", static_cast<std::int64_t>(rows.size())}})}});

  std::size_t start = 0;
  while (start < rows.size()) {
    std::size_t end = start;
    Html lines;
    while (end < rows.size() && rows[end].team == rows[start].team) {
      const store::CaseRow& row = rows[end];
      const bool late = !closed && !row.target_on.empty() && row.target_on < today;
      lines += fill(
          R"(<tr><td><a href="/admin/case?id={{id}}">{{id}}</a></td><td>{{category}}</td><td>{{state}}</td><td>{{area}}</td><td>{{reports}}</td><td{{late}}>{{due}}</td><td>{{updated}}</td></tr>)",
          {{"id", std::to_string(row.id)},
           {"category", visit.t("case_category." + row.category)},
           {"state", row.closed_outcome.empty()
                         ? visit.t("case_state." + row.state)
                         : visit.t("cases.closed_with",
                                   {{"outcome", visit.t("outcome." + row.closed_outcome)}})},
           {"area", area_text(row.area)},
           {"reports", std::to_string(row.report_count)},
           {"late", late ? fill(R"( class="late")") : Html()},
           {"due", late ? visit.t("cases.overdue", {{"date", row.target_on}}) : row.target_on},
           {"updated", format_time(row.updated_at)}});
      ++end;
    }
    body += fill(R"html(<section><h2>{{team}}</h2>
<div class="scroll"><table class="queue" data-team="{{team}}"><caption>{{caption}}</caption>
<thead><tr><th scope="col">{{id}}</th><th scope="col">{{category}}</th><th scope="col">{{state}}</th><th scope="col">{{area}}</th><th scope="col">{{reports}}</th><th scope="col">{{due}}</th><th scope="col">{{updated}}</th></tr></thead>
<tbody>{{lines}}</tbody></table></div></section>)html",
                 {{"team", rows[start].team},
                  {"caption", visit.t(closed ? "cases.caption_closed" : "cases.caption",
                                      {{"team", rows[start].team}})},
                  {"id", visit.t("cases.col.id")},
                  {"category", visit.t("cases.filter.category")},
                  {"state", visit.t("cases.filter.state")},
                  {"area", visit.t("cases.filter.area")},
                  {"reports", visit.t("cases.col.reports")},
                  {"due", visit.t("cases.col.due")},
                  {"updated", visit.t("cases.col.updated")},
                  {"lines", lines}});
    start = end;
  }
  return page(visit, visit.t("cases.title"), body, "cases");
}

namespace {

// A report's photo: a link to the authenticated photo route when one is stored
// ("photo:<id>"), a word when it was refused or is still being fetched.
Html photo_cell(const Console::Visit& visit, const std::string& photo_ref) {
  if (photo_ref.rfind("photo:", 0) == 0) {
    return fill(R"(<a href="/admin/photos/{{id}}">{{view}}</a>)",
                {{"id", photo_ref.substr(6)}, {"view", visit.t("case.photo_view")}});
  }
  if (photo_ref.rfind("refused:", 0) == 0) {
    return fill("{{t}}", {{"t", visit.t("case.photo_refused")}});
  }
  if (!photo_ref.empty() && photo_ref.rfind("http", 0) != 0) {
    return fill("{{t}}", {{"t", visit.t("case.photo_pending")}});
  }
  return {};
}

}  // namespace

ConsoleResponse Console::photo(Visit& visit, std::string_view id) {
  store::CaseStore* store = host_.case_store();
  if (store == nullptr) return refuse(visit, 503, "cases.unavailable");
  // Only a photo a report still references, of a case this person may see.
  auto case_id = store->case_of_photo(std::string(id));
  if (!case_id) return refuse(visit, 503, "error.store");
  if (!*case_id) return refuse(visit, 404, "error.not_found");
  auto found = store->find_case(**case_id);
  if (!found) return refuse(visit, 503, "error.store");
  if (!*found || !may_see(visit, (*found)->category)) return refuse(visit, 404, "error.not_found");
  auto bytes = host_.photo_bytes(id);
  if (!bytes) return refuse(visit, 404, "error.not_found");
  const auto type = connectors::media::sniff(*bytes);
  if (!type) return refuse(visit, 404, "error.not_found");  // never served as anything else
  ConsoleResponse response;
  response.content_type = std::string(connectors::media::mime_type(*type));
  response.body = std::move(*bytes);
  response.headers.emplace_back("Cache-Control", "private, no-store");
  // X-Content-Type-Options: nosniff is on every response (gateway/http_responses.cpp).
  response.headers.emplace_back("Content-Disposition", "inline");
  return response;
}

ConsoleResponse Console::case_page(Visit& visit, std::string_view notice, bool error) {
  store::CaseStore* store = host_.case_store();
  if (store == nullptr) return refuse(visit, 503, "cases.unavailable");
  const std::int64_t id = to_id(visit.param("id"));
  auto found = store->find_case(id);
  if (!found) return refuse(visit, 503, "error.store");
  if (!*found || !may_see(visit, (*found)->category)) return refuse(visit, 404, "error.not_found");
  const store::CaseRow& row = **found;
  const std::string today = cases::iso_date_of(visit.now);

  // Its reports: number, time, channel, language, address; never who sent it.
  store::ReportFilter filter;
  filter.categories = {row.category};
  filter.limit = 1000;
  auto reports = store->find_reports(filter);
  if (!reports) return refuse(visit, 503, "error.store");
  Html report_rows;
  for (const store::PublicReportRow& report : *reports) {
    if (report.case_id != row.id) continue;
    report_rows += fill(
        "<tr><td>{{number}}</td><td>{{at}}</td><td>{{address}}</td><td>{{area}}</td><td>{{lang}}"
        "</td><td>{{photo}}</td></tr>",
        {{"number", std::to_string(report.public_number)},
         {"at", format_time(report.created_at)},
         {"address", report.address},
         {"area", area_text(report.area)},
         {"lang", report.language},
         {"photo", photo_cell(visit, report.photo_ref)}});
  }

  auto history = store->case_history(row.id);
  if (!history) return refuse(visit, 503, "error.store");
  Html timeline;
  for (const store::CaseEventRow& event : *history) {
    timeline += fill(
        R"(<li><time>{{at}}</time> {{move}} <span class="who">{{actor}}</span>{{note}}</li>)",
        {{"at", format_time(event.at)},
         {"move",
          event.from_state.empty()
              ? visit.t("case_state." + event.to_state)
              : visit.t("case.moved_from_to", {{"from", visit.t("case_state." + event.from_state)},
                                               {"to", visit.t("case_state." + event.to_state)}})},
         {"actor", event.actor},
         {"note",
          event.note.empty() ? Html() : fill(R"( <q>{{note}}</q>)", {{"note", event.note}})}});
  }

  auto deadlines = store->due_deadlines("9999-12-31");
  if (!deadlines) return refuse(visit, 503, "error.store");
  Html deadline_items;
  for (const store::DeadlineRow& deadline : *deadlines) {
    if (deadline.case_id != row.id) continue;
    deadline_items +=
        fill("<li>{{kind}}: {{date}}</li>",
             {{"kind", visit.t("deadline." + deadline.kind)}, {"date", deadline.due_on}});
  }
  if (!row.target_on.empty()) {
    deadline_items += fill("<li>{{kind}}: {{date}}</li>",
                           {{"kind", visit.t("deadline.target")}, {"date", row.target_on}});
  }

  // The next steps: the states the workflow allows from here whose checks can pass.
  Html steps;
  const auto path = cases::parse_path(row.path);
  const auto state = cases::parse_state(row.state);
  if (path && state) {
    const cases::CaseSnapshot snapshot{*path, *state, row.last_finding};
    for (const cases::CaseState next : cases::allowed_next(snapshot)) {
      cases::TransitionRequest probe;
      probe.to = next;
      probe.by = "probe";
      probe.data = sample_data(today);
      if (!cases::plan_transition(snapshot, probe)) continue;
      const std::string to(cases::to_string(next));
      steps += fill(
          R"html(<form method="post" action="/admin/case-move" class="step" aria-labelledby="step-{{to}}">
<h3 id="step-{{to}}">{{label}}</h3>{{csrf}}
<input type="hidden" name="id" value="{{id}}"><input type="hidden" name="from" value="{{from}}"><input type="hidden" name="to" value="{{to}}">
{{fields}}
<p><label for="{{to}}-note">{{note}}</label><input id="{{to}}-note" name="note" type="text"></p>
<p><button type="submit" name="go" value="{{to}}">{{button}}</button></p>
</form>)html",
          {{"to", to},
           {"label", visit.t("case_state." + to)},
           {"csrf", csrf_field(visit)},
           {"id", std::to_string(row.id)},
           {"from", row.state},
           {"fields", move_fields(visit, next)},
           {"note", visit.t("case.field.note")},
           {"button", visit.t("case.move_to", {{"state", visit.t("case_state." + to)}})}});
    }
  }
  if (steps.empty()) steps = fill("<p>{{none}}</p>", {{"none", visit.t("case.no_steps")}});

  const std::string place = coordinates(row);
  const Html body = fill(
      R"html({{notice}}
<dl class="facts">
<dt>{{l_category}}</dt><dd>{{category}}</dd>
<dt>{{l_state}}</dt><dd id="case-state" data-state="{{state_code}}">{{state}}</dd>
<dt>{{l_team}}</dt><dd>{{team}}</dd>
<dt>{{l_area}}</dt><dd>{{area}}</dd>
<dt>{{l_place}}</dt><dd>{{place}}</dd>
<dt>{{l_finding}}</dt><dd>{{finding}}</dd>
<dt>{{l_created}}</dt><dd>{{created}}</dd>
</dl>
<section><h2>{{h_deadlines}}</h2><ul>{{deadlines}}</ul></section>
<section><h2>{{h_steps}}</h2>{{steps}}</section>
<section><h2>{{h_reports}}</h2>
<div class="scroll"><table><caption>{{c_reports}}</caption>
<thead><tr><th scope="col">{{r_number}}</th><th scope="col">{{r_at}}</th><th scope="col">{{r_address}}</th><th scope="col">{{l_area}}</th><th scope="col">{{r_lang}}</th><th scope="col">{{r_photo}}</th></tr></thead>
<tbody>{{reports}}</tbody></table></div></section>
<section><h2>{{h_history}}</h2><ol class="timeline">{{timeline}}</ol></section>
<p><a href="/admin/cases">{{back}}</a></p>)html",
      {{"notice", notice_box(notice, error)},
       {"l_category", visit.t("cases.filter.category")},
       {"category", visit.t("case_category." + row.category)},
       {"l_state", visit.t("cases.filter.state")},
       {"state_code", row.state},
       {"state", row.closed_outcome.empty()
                     ? visit.t("case_state." + row.state)
                     : visit.t("cases.closed_with",
                               {{"outcome", visit.t("outcome." + row.closed_outcome)}})},
       {"l_team", visit.t("case.team")},
       {"team", row.team},
       {"l_area", visit.t("cases.filter.area")},
       {"area", area_text(row.area).empty() ? visit.t("case.unknown_area") : area_text(row.area)},
       {"l_place", visit.t("case.place")},
       {"place", place.empty() ? visit.t("case.no_place") : place},
       {"l_finding", visit.t("case.finding")},
       {"finding",
        row.last_finding.empty() ? visit.t("case.none") : visit.t("finding." + row.last_finding)},
       {"l_created", visit.t("case.created")},
       {"created", format_time(row.created_at)},
       {"h_deadlines", visit.t("case.deadlines")},
       {"deadlines", deadline_items},
       {"h_steps", visit.t("case.steps")},
       {"steps", steps},
       {"h_reports", visit.t("case.reports")},
       {"c_reports", visit.t("case.reports_caption")},
       {"r_number", visit.t("case.report_number")},
       {"r_at", visit.t("case.report_at")},
       {"r_address", visit.t("case.report_address")},
       {"r_lang", visit.t("case.report_language")},
       {"r_photo", visit.t("case.report_photo")},
       {"reports", report_rows},
       {"h_history", visit.t("case.history")},
       {"timeline", timeline},
       {"back", visit.t("case.back")}});
  return page(visit, visit.t("case.title", {{"id", row.id}}), body, "cases");
}

ConsoleResponse Console::case_move(Visit& visit) {
  store::CaseStore* store = host_.case_store();
  if (store == nullptr) return refuse(visit, 503, "cases.unavailable");
  const std::int64_t id = to_id(visit.param("id"));
  auto found = store->find_case(id);
  if (!found) return refuse(visit, 503, "error.store");
  if (!*found || !may_see(visit, (*found)->category)) return refuse(visit, 404, "error.not_found");
  const auto to = cases::parse_state(visit.param("to"));
  visit.query["id"] = std::to_string(id);
  if (!to)
    return case_page(visit, visit.t("case.refused", {{"reason", visit.t("refusal.other")}}), true);
  if (visit.param("from") != (*found)->state) {
    return case_page(visit, visit.t("case.conflict"), true);
  }
  cases::MoveInput input;
  input.case_id = id;
  input.at_ms = visit.now;
  input.request.to = *to;
  input.request.by = visit.user->name;
  input.request.note = visit.param("note");
  input.request.data.inspection_date = visit.param("date");
  input.request.data.shift = visit.param("shift");
  for (const char* field : {"inspector1", "inspector2"}) {
    if (const std::string name = visit.param(field); !name.empty()) {
      input.request.data.inspectors.push_back(name);
    }
  }
  input.request.data.finding = visit.param("finding");
  input.request.data.deadline = visit.param("deadline");
  input.request.data.action = visit.param("action");
  input.request.data.outcome = visit.param("outcome");
  // The workflow's verdict first, so a refusal is told in the person's language.
  const auto path = cases::parse_path((*found)->path);
  const auto state = cases::parse_state((*found)->state);
  if (!path || !state) return refuse(visit, 503, "error.store");
  if (auto checked =
          cases::check_transition({*path, *state, (*found)->last_finding}, input.request);
      !checked) {
    visit.form.clear();
    return case_page(visit, refusal_text(visit, checked.error()), true);
  }
  auto moved = host_.move_case(input);
  if (!moved) {
    // Checked above: what is left is a store failure or someone else's move meanwhile.
    visit.form.clear();
    return case_page(visit, visit.t("case.move_failed"), true);
  }
  const std::string detail = boost::json::serialize(
      boost::json::object{{"from", (*found)->state},
                          {"to", std::string(cases::to_string(*to))},
                          {"event", moved->event_id},
                          {"reporter_updates", static_cast<std::int64_t>(moved->outbox_ids.size())},
                          {"date", input.request.data.inspection_date},
                          {"shift", input.request.data.shift}});
  if (auto logged = store_.append_audit(visit.actor(), "case.move", "case:" + std::to_string(id),
                                        detail, visit.now);
      !logged) {
    return refuse(visit, 503, "error.store");
  }
  return redirect("/admin/case?id=" + std::to_string(id) + "&moved=1");
}

}  // namespace buurtlijn::admin
