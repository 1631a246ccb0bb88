// See case_service.hpp.
#include "cases/case_service.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>

namespace buurtlijn::cases {
namespace {

constexpr std::array<std::string_view, 16> kLanguages{
    "nl", "en", "bg", "ro", "uk", "de", "fr", "es", "it", "pt", "ar", "pl", "zh", "fa", "hi", "ti"};

bool is_language(std::string_view code) {
  return std::find(kLanguages.begin(), kLanguages.end(), code) != kLanguages.end();
}
constexpr std::size_t kMaxDescriptionBytes = 4000;
constexpr std::size_t kMaxAddressBytes = 200;

Refusal invalid(std::string reason) {
  return Refusal{Refusal::Kind::invalid, std::move(reason)};
}

Refusal from_store(const store::Error& error) {
  switch (error.code) {
    case store::Error::Code::conflict:
      return Refusal{Refusal::Kind::conflict, error.message};
    case store::Error::Code::invalid:
      return Refusal{Refusal::Kind::invalid, error.message};
    default:
      return Refusal{Refusal::Kind::unavailable, "the store is unavailable; try again later"};
  }
}

std::vector<std::int64_t> number_candidates(std::mt19937_64& random) {
  // Four digits first (easy to say and type), more digits when those get crowded.
  std::vector<std::int64_t> candidates;
  for (const auto& [low, high] :
       {std::pair<std::int64_t, std::int64_t>{1000, 9999}, {10000, 99999}, {100000, 999999}}) {
    std::uniform_int_distribution<std::int64_t> pick(low, high);
    for (int i = 0; i < 8; ++i) candidates.push_back(pick(random));
  }
  return candidates;
}

std::string month_of(std::string_view iso_date) {
  return std::string(iso_date.substr(0, 7));
}

}  // namespace

std::string iso_date_of_day(std::int64_t epoch_day) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{epoch_day}}};
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", int(date.year()), unsigned(date.month()),
                unsigned(date.day()));
  return text;
}

std::string iso_date_of(std::int64_t at_ms) {
  return iso_date_of_day(at_ms >= 0 ? at_ms / 86'400'000 : (at_ms - 86'399'999) / 86'400'000);
}

tl::expected<std::string, Refusal> status_reply(std::int64_t public_number,
                                                std::string_view language, store::CaseStore& store,
                                                const StatusTexts& texts) {
  auto report = store.find_report(public_number);
  if (!report) return tl::unexpected(from_store(report.error()));
  if (!*report) return texts.format(language, "not_found", public_number);
  const CaseState state = parse_state((*report)->case_state).value_or(CaseState::new_case);
  return texts.status(language, public_status(state), public_number);
}

tl::expected<PlannedReport, Refusal> plan_report(const ReportInput& input, const AreaMap& areas,
                                                 const CasesSettings& settings,
                                                 store::CaseStore& store, std::mt19937_64& random) {
  const Category* category = find_category(input.category);
  if (category == nullptr) {
    std::string known;
    for (const Category& c : categories()) {
      known += (known.empty() ? "" : ", ") + std::string(c.code);
    }
    return tl::unexpected(
        invalid("unknown category '" + input.category + "' (one of " + known + ")"));
  }
  if (!is_language(input.language)) {
    return tl::unexpected(invalid("unknown language '" + input.language + "'"));
  }
  if (input.description.size() > kMaxDescriptionBytes) {
    return tl::unexpected(invalid("the description is longer than 4000 bytes"));
  }
  if (input.address.size() > kMaxAddressBytes) {
    return tl::unexpected(invalid("the address is longer than 200 bytes"));
  }
  if (input.location) {
    const GeoPoint& p = *input.location;
    if (!std::isfinite(p.latitude) || !std::isfinite(p.longitude) || p.latitude < -90 ||
        p.latitude > 90 || p.longitude < -180 || p.longitude > 180) {
      return tl::unexpected(invalid("the location is not a valid latitude/longitude"));
    }
  }
  std::string postcode;
  if (!input.postcode.empty()) {
    postcode = normalize_postcode(input.postcode);
    if (postcode.empty()) {
      return tl::unexpected(invalid("'" + input.postcode + "' is not a Dutch postcode (1234AB)"));
    }
  }
  if (!input.location && input.address.empty() && postcode.empty()) {
    return tl::unexpected(invalid("a report needs a location, an address or a postcode"));
  }

  PlannedReport planned;
  planned.area_source = "none";
  if (input.location) {
    planned.area = areas.locate(*input.location);
    if (planned.area.known()) {
      planned.area_source = "point";
    } else {
      planned.note = "the location is outside the known areas";
    }
  }
  if (!planned.area.known() && !postcode.empty()) {
    if (auto area = areas.locate_postcode(postcode)) {
      planned.area = *area;
      planned.area_source = "postcode";
      planned.note.clear();
    } else {
      planned.note = "postcode " + postcode + " is not in the postcode table";
    }
  }

  store::NewReport& w = planned.write;
  w.category = input.category;
  w.area = {planned.area.wijk_code, planned.area.wijk_name, planned.area.buurt_code,
            planned.area.buurt_name};
  if (input.location) {
    w.latitude = input.location->latitude;
    w.longitude = input.location->longitude;
  }
  w.address = input.address;
  w.postcode = postcode;
  w.address_key = address_key(input.address.empty() ? postcode : input.address);
  w.description = input.description;
  w.photo_ref = input.photo_ref;
  w.language = input.language;
  w.subject_pseudonym = input.subject_pseudonym;
  w.contact_address = input.contact_address;
  w.channel = input.channel;
  w.wants_updates = input.wants_updates && !input.subject_pseudonym.empty();
  w.source = input.source;
  w.attributes_json = input.attributes_json;
  w.at = input.at_ms;
  w.number_candidates = number_candidates(random);

  auto open = store.open_cases(input.category);
  if (!open) return tl::unexpected(from_store(open.error()));
  std::vector<OpenCaseCandidate> candidates;
  for (const store::CaseRow& row : *open) {
    OpenCaseCandidate candidate{row.id, row.category, row.address_key, std::nullopt,
                                row.last_report_at};
    if (row.latitude && row.longitude) candidate.location = GeoPoint{*row.latitude, *row.longitude};
    candidates.push_back(std::move(candidate));
  }
  const NewReportKey key{input.category, w.address_key, input.location, input.at_ms};
  if (auto joined = choose_case(settings, key, candidates)) {
    w.join_case_id = *joined;
    return planned;
  }
  const Route route = route_case(settings, input.category, planned.area, input.local_hour);
  w.path = std::string(to_string(category->path));
  w.team = route.team;
  w.target_days = route.target_working_days;
  const std::int64_t today = input.at_ms / 86'400'000;
  w.target_on = iso_date_of_day(add_working_days(today, route.target_working_days));
  return planned;
}

tl::expected<std::optional<store::CaseReroute>, Refusal> plan_reroute(const RerouteInput& input,
                                                                      const CasesSettings& settings,
                                                                      store::CaseStore& store) {
  auto found = store.find_case(input.case_id);
  if (!found) return tl::unexpected(from_store(found.error()));
  if (!*found) {
    return tl::unexpected(
        Refusal{Refusal::Kind::not_found, "there is no case " + std::to_string(input.case_id)});
  }
  const store::CaseRow& row = **found;
  if (row.state != "new" && row.state != "triaged") {
    return tl::unexpected(invalid("case " + std::to_string(row.id) + " is " + row.state +
                                  ": its team can change only while it is new or triaged"));
  }
  const std::string category_code = input.category.empty() ? row.category : input.category;
  const Category* category = find_category(category_code);
  if (category == nullptr) {
    return tl::unexpected(invalid("unknown category '" + category_code + "'"));
  }
  if (to_string(category->path) != row.path) {
    return tl::unexpected(invalid("a " + row.path + " case cannot become '" + category_code +
                                  "' (its steps differ): close it as referred and report anew"));
  }
  if (input.by.empty()) return tl::unexpected(invalid("who changes the case (--by) is required"));
  const Area area{row.area.wijk_code, row.area.wijk_name, row.area.buurt_code, row.area.buurt_name};
  const Route route = route_case(settings, category_code, area, input.local_hour);
  const std::int64_t created_day = row.created_at / 86'400'000;
  const std::string target_on =
      iso_date_of_day(add_working_days(created_day, route.target_working_days));
  if (category_code == row.category && route.team == row.team &&
      route.target_working_days == row.target_days && target_on == row.target_on) {
    return std::optional<store::CaseReroute>{};
  }
  store::CaseReroute reroute;
  reroute.case_id = row.id;
  reroute.state = row.state;
  reroute.category = category_code;
  reroute.team = route.team;
  reroute.target_days = route.target_working_days;
  reroute.target_on = target_on;
  reroute.actor = input.by;
  reroute.note = input.note;
  reroute.counted_month = month_of(iso_date_of(input.at_ms));
  reroute.at = input.at_ms;
  reroute.data_json = boost::json::serialize(boost::json::object{
      {"rerouted", true},
      {"category", boost::json::object{{"from", row.category}, {"to", category_code}}},
      {"team", boost::json::object{{"from", row.team}, {"to", route.team}}},
      {"target_on", target_on}});
  return std::optional<store::CaseReroute>{std::move(reroute)};
}

tl::expected<store::CaseMove, Refusal> plan_move(const MoveInput& input, store::CaseStore& store,
                                                 const StatusTexts& texts,
                                                 const PayloadRenderer& render) {
  auto found = store.find_case(input.case_id);
  if (!found) return tl::unexpected(from_store(found.error()));
  if (!*found) {
    return tl::unexpected(
        Refusal{Refusal::Kind::not_found, "there is no case " + std::to_string(input.case_id)});
  }
  const store::CaseRow& row = **found;
  const auto state = parse_state(row.state);
  const auto path = parse_path(row.path);
  if (!state || !path) {
    return tl::unexpected(invalid("case " + std::to_string(row.id) + " has an unknown state"));
  }
  auto plan = plan_transition(CaseSnapshot{*path, *state, row.last_finding}, input.request);
  if (!plan) return tl::unexpected(invalid(plan.error()));

  const TransitionData& data = input.request.data;
  store::CaseMove move;
  move.case_id = row.id;
  move.from_state = row.state;
  move.to_state = std::string(to_string(input.request.to));
  move.actor = input.request.by;
  move.note = input.request.note;
  move.at = input.at_ms;
  move.is_inspection = plan->is_inspection;
  move.is_official_report = plan->is_official_report;
  if (plan->is_inspection) {
    move.finding = data.finding.empty()
                       ? (input.request.to == CaseState::complied ? "no_violation" : "violation")
                       : data.finding;
  }
  if (input.request.to == CaseState::closed) move.closed_outcome = data.outcome;
  const std::string today = iso_date_of(input.at_ms);
  move.counted_month = month_of(
      is_iso_date(data.inspection_date) && plan->is_inspection ? data.inspection_date : today);
  for (const DeadlineStart& deadline : plan->deadlines) {
    move.deadlines.emplace_back(deadline.kind, deadline.date);
  }
  boost::json::object recorded;
  if (!data.inspection_date.empty()) recorded["inspection_date"] = data.inspection_date;
  if (!data.shift.empty()) recorded["shift"] = data.shift;
  if (!data.inspectors.empty()) {
    boost::json::array pair;
    for (const std::string& name : data.inspectors) pair.emplace_back(name);
    recorded["inspectors"] = std::move(pair);
  }
  if (!move.finding.empty()) recorded["finding"] = move.finding;
  if (!data.deadline.empty()) recorded["deadline"] = data.deadline;
  if (!data.action.empty()) recorded["action"] = data.action;
  if (!data.outcome.empty()) recorded["outcome"] = data.outcome;
  // Keep only what the target state uses: a stray --shift on a closing move is not data.
  switch (input.request.to) {
    case CaseState::inspection_planned:
    case CaseState::reinspection_planned:
      recorded.erase("finding");
      recorded.erase("deadline");
      recorded.erase("action");
      recorded.erase("outcome");
      break;
    default:
      if (!plan->is_inspection) recorded.erase("finding");
      if (plan->deadlines.empty()) recorded.erase("deadline");
      if (input.request.to != CaseState::action_planned) recorded.erase("action");
      if (input.request.to != CaseState::closed) recorded.erase("outcome");
      if (input.request.to != CaseState::inspection_after_deadline) {
        recorded.erase("inspection_date");
        recorded.erase("shift");
        recorded.erase("inspectors");
      }
      break;
  }
  move.data_json = boost::json::serialize(recorded);

  if (plan->notify_reporters) {
    auto reporters = store.reporters_wanting_updates(row.id);
    if (!reporters) return tl::unexpected(from_store(reporters.error()));
    for (const store::CaseReporter& reporter : *reporters) {
      const std::string language = texts.resolved_language(reporter.language);
      const std::string text = texts.status(language, plan->public_after, reporter.public_number);
      for (std::string& payload : render(reporter.channel, text, language)) {
        move.messages.push_back(store::ReporterMessage{reporter.subject_id, reporter.channel,
                                                       std::move(payload), text});
      }
    }
  }
  return move;
}

}  // namespace buurtlijn::cases
