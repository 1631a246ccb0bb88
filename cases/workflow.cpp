// See workflow.hpp. The transitions are one table; the data each target state needs is
// checked in one function, so a new state is added in two places.
#include "cases/workflow.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

namespace buurtlijn::cases {
namespace {

constexpr std::array<std::pair<CaseState, std::string_view>, 15> kStateNames{{
    {CaseState::new_case, "new"},
    {CaseState::triaged, "triaged"},
    {CaseState::inspection_planned, "inspection_planned"},
    {CaseState::inspected, "inspected"},
    {CaseState::official_report, "official_report"},
    {CaseState::warning_letter_sent, "warning_letter_sent"},
    {CaseState::intent_to_penalty_sent, "intent_to_penalty_sent"},
    {CaseState::response_period, "response_period"},
    {CaseState::reinspection_planned, "reinspection_planned"},
    {CaseState::penalty_imposed, "penalty_imposed"},
    {CaseState::inspection_after_deadline, "inspection_after_deadline"},
    {CaseState::penalty_forfeited, "penalty_forfeited"},
    {CaseState::complied, "complied"},
    {CaseState::action_planned, "action_planned"},
    {CaseState::closed, "closed"},
}};

struct Edge {
  CasePath path;
  CaseState from;
  CaseState to;
};

using S = CaseState;
constexpr CasePath kHousing = CasePath::housing;
constexpr CasePath kShort = CasePath::short_path;

constexpr std::array<Edge, 25> kEdges{{
    {kHousing, S::new_case, S::triaged},
    {kHousing, S::triaged, S::inspection_planned},
    {kHousing, S::triaged, S::closed},
    {kHousing, S::inspection_planned, S::inspected},
    {kHousing, S::inspected, S::official_report},     // finding: violation
    {kHousing, S::inspected, S::inspection_planned},  // finding: no access -> with a warrant
    {kHousing, S::inspected, S::closed},              // finding: no violation
    {kHousing, S::official_report, S::warning_letter_sent},
    {kHousing, S::official_report, S::intent_to_penalty_sent},
    {kHousing, S::warning_letter_sent, S::reinspection_planned},
    {kHousing, S::warning_letter_sent, S::closed},
    {kHousing, S::intent_to_penalty_sent, S::response_period},
    {kHousing, S::response_period, S::reinspection_planned},
    {kHousing, S::response_period, S::closed},
    {kHousing, S::reinspection_planned, S::penalty_imposed},  // still a violation
    {kHousing, S::reinspection_planned, S::complied},
    {kHousing, S::penalty_imposed, S::inspection_after_deadline},
    {kHousing, S::inspection_after_deadline, S::penalty_forfeited},
    {kHousing, S::inspection_after_deadline, S::complied},
    {kHousing, S::penalty_forfeited, S::inspection_after_deadline},  // further inspections
    {kHousing, S::penalty_forfeited, S::closed},
    {kHousing, S::complied, S::closed},
    {kShort, S::new_case, S::triaged},
    {kShort, S::triaged, S::action_planned},
    {kShort, S::action_planned, S::closed},
}};
// The short path may also close a triaged case (unfounded, referred).
constexpr Edge kShortTriagedClosed{kShort, S::triaged, S::closed};

using Words = std::array<std::string_view, 3>;
// Sorted, so that refusals list them in a stable order.
constexpr Words kShifts{"day", "evening", "night"};
constexpr Words kFindings{"no_access", "no_violation", "violation"};
constexpr Words kActions{"camera_check", "clean_up", "milieupas_letter"};
constexpr Words kOutcomes{"referred", "resolved", "unfounded"};

bool contains(const Words& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string join(const Words& values) {
  std::string out;
  for (const auto value : values) {
    if (!out.empty()) out += ", ";
    out += value;
  }
  return out;
}

bool edge_exists(CasePath path, CaseState from, CaseState to) {
  for (const Edge& edge : kEdges) {
    if (edge.path == path && edge.from == from && edge.to == to) return true;
  }
  return kShortTriagedClosed.path == path && kShortTriagedClosed.from == from &&
         kShortTriagedClosed.to == to;
}

using Checked = tl::expected<void, TransitionRefusal>;

TransitionRefusal refusal(std::string code, std::string reason,
                          std::vector<std::pair<std::string, std::string>> details = {}) {
  return TransitionRefusal{std::move(code), std::move(details), std::move(reason)};
}

Checked need_one_of(std::string_view state, std::string_view what, const std::string& value,
                    const Words& allowed) {
  if (!contains(allowed, value)) {
    return tl::unexpected(refusal("need_" + std::string(what),
                                  std::string(state) + " needs a " + std::string(what) +
                                      " (one of " + join(allowed) + ")" +
                                      (value.empty() ? "" : ", got '" + value + "'"),
                                  {{"got", value}}));
  }
  return {};
}

Checked need_planned_inspection(std::string_view state, const TransitionData& data) {
  if (!is_iso_date(data.inspection_date)) {
    return tl::unexpected(
        refusal("need_date",
                std::string(state) + " needs an inspection date YYYY-MM-DD" +
                    (data.inspection_date.empty() ? "" : ", got '" + data.inspection_date + "'"),
                {{"got", data.inspection_date}}));
  }
  if (auto ok = need_one_of(state, "shift", data.shift, kShifts); !ok) return ok;
  if (data.inspectors.size() != 2 || data.inspectors[0].empty() || data.inspectors[1].empty() ||
      data.inspectors[0] == data.inspectors[1]) {
    return tl::unexpected(refusal("need_pair",
                                  std::string(state) +
                                      " needs a pair of two different inspectors, got " +
                                      std::to_string(data.inspectors.size()),
                                  {{"got", std::to_string(data.inspectors.size())}}));
  }
  return {};
}

Checked need_deadline(std::string_view state, const TransitionData& data) {
  if (!is_iso_date(data.deadline)) {
    return tl::unexpected(
        refusal("need_deadline",
                std::string(state) + " needs a deadline YYYY-MM-DD" +
                    (data.deadline.empty() ? "" : ", got '" + data.deadline + "'"),
                {{"got", data.deadline}}));
  }
  return {};
}

}  // namespace

std::string_view to_string(CaseState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<CaseState> parse_state(std::string_view text) {
  for (const auto& [value, name] : kStateNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string_view to_string(CasePath path) {
  return path == CasePath::housing ? "housing" : "short";
}

std::optional<CasePath> parse_path(std::string_view text) {
  if (text == "housing") return CasePath::housing;
  if (text == "short") return CasePath::short_path;
  return std::nullopt;
}

std::string_view to_string(PublicStatus status) {
  switch (status) {
    case PublicStatus::received:
      return "received";
    case PublicStatus::planned:
      return "planned";
    case PublicStatus::handled:
      return "handled";
    case PublicStatus::closed:
      return "closed";
  }
  return "received";
}

PublicStatus public_status(CaseState state) {
  switch (state) {
    case CaseState::new_case:
    case CaseState::triaged:
      return PublicStatus::received;
    case CaseState::inspection_planned:
    case CaseState::action_planned:
      return PublicStatus::planned;
    case CaseState::closed:
      return PublicStatus::closed;
    default:
      return PublicStatus::handled;
  }
}

const std::vector<Category>& categories() {
  static const std::vector<Category> list{
      {"waste_beside_container", CasePath::short_path, false},
      {"container_full_or_broken", CasePath::short_path, false},
      {"bulky_waste", CasePath::short_path, false},
      {"noise", CasePath::short_path, false},
      {"overcrowded_housing", CasePath::housing, false},
      {"exploitation", CasePath::housing, true},
      {"other", CasePath::short_path, false},
  };
  return list;
}

const Category* find_category(std::string_view code) {
  for (const Category& category : categories()) {
    if (category.code == code) return &category;
  }
  return nullptr;
}

bool is_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (std::size_t i = 0; i < lengths[p]; ++i) {
      const char c = text[starts[p] + i];
      if (c < '0' || c > '9') return false;
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  const std::chrono::year_month_day date{std::chrono::year{parts[0]},
                                         std::chrono::month{unsigned(parts[1])},
                                         std::chrono::day{unsigned(parts[2])}};
  return date.ok() && parts[0] >= 2000 && parts[0] <= 2200;
}

std::vector<CaseState> allowed_next(const CaseSnapshot& snapshot) {
  std::vector<CaseState> next;
  for (const auto& [state, name] : kStateNames) {
    if (edge_exists(snapshot.path, snapshot.state, state)) next.push_back(state);
  }
  return next;
}

const std::vector<std::string_view>& refusal_codes() {
  static const std::vector<std::string_view> codes{"closed",
                                                   "not_allowed",
                                                   "no_actor",
                                                   "need_date",
                                                   "need_shift",
                                                   "need_finding",
                                                   "need_action",
                                                   "need_outcome",
                                                   "need_pair",
                                                   "need_deadline",
                                                   "planned_needs_no_access",
                                                   "report_needs_violation",
                                                   "complied_after_violation",
                                                   "forfeit_needs_violation",
                                                   "close_after_violation"};
  return codes;
}

std::string TransitionRefusal::detail(std::string_view name) const {
  for (const auto& [key, value] : details) {
    if (key == name) return value;
  }
  return {};
}

tl::expected<TransitionPlan, std::string> plan_transition(const CaseSnapshot& snapshot,
                                                          const TransitionRequest& request) {
  auto plan = check_transition(snapshot, request);
  if (!plan) return tl::unexpected(plan.error().reason);
  return *plan;
}

tl::expected<TransitionPlan, TransitionRefusal> check_transition(const CaseSnapshot& snapshot,
                                                                 const TransitionRequest& request) {
  const std::string_view from_name = to_string(snapshot.state);
  const std::string_view to_name = to_string(request.to);
  if (snapshot.state == CaseState::closed) {
    return tl::unexpected(refusal("closed", "the case is closed; nothing follows closed"));
  }
  if (!edge_exists(snapshot.path, snapshot.state, request.to)) {
    std::string allowed;
    for (const CaseState next : allowed_next(snapshot)) {
      if (!allowed.empty()) allowed += ", ";
      allowed += to_string(next);
    }
    return tl::unexpected(refusal(
        "not_allowed",
        "a " + std::string(to_string(snapshot.path)) + " case cannot go from " +
            std::string(from_name) + " to " + std::string(to_name) + " (allowed: " + allowed + ")",
        {{"from", std::string(from_name)}, {"to", std::string(to_name)}, {"allowed", allowed}}));
  }
  if (request.by.empty()) {
    return tl::unexpected(refusal("no_actor", "say who moves the case (--by NAME)"));
  }
  const TransitionData& data = request.data;
  TransitionPlan plan{snapshot.state,
                      request.to,
                      public_status(snapshot.state),
                      public_status(request.to),
                      false,
                      {},
                      false,
                      false};
  switch (request.to) {
    case CaseState::inspection_planned:
    case CaseState::reinspection_planned:
      if (auto ok = need_planned_inspection(to_name, data); !ok) return tl::unexpected(ok.error());
      if (snapshot.state == CaseState::inspected && snapshot.last_finding != "no_access") {
        return tl::unexpected(refusal(
            "planned_needs_no_access",
            "a new inspection is planned after 'inspected' only when the finding was no_access "
            "(a warrant is needed); the finding was '" +
                snapshot.last_finding + "'",
            {{"finding", snapshot.last_finding}}));
      }
      plan.deadlines.push_back(
          {request.to == CaseState::inspection_planned ? "inspection" : "re_inspection",
           data.inspection_date});
      break;
    case CaseState::inspected:
    case CaseState::inspection_after_deadline:
      if (auto ok = need_one_of(to_name, "finding", data.finding, kFindings); !ok) {
        return tl::unexpected(ok.error());
      }
      plan.is_inspection = true;
      break;
    case CaseState::official_report:
      if (snapshot.last_finding != "violation") {
        return tl::unexpected(refusal("report_needs_violation",
                                      "an official report needs an inspection that found a "
                                      "violation; the finding was '" +
                                          snapshot.last_finding + "'",
                                      {{"finding", snapshot.last_finding}}));
      }
      plan.is_official_report = true;
      break;
    case CaseState::response_period:
      if (auto ok = need_deadline(to_name, data); !ok) return tl::unexpected(ok.error());
      plan.deadlines.push_back({"response_period", data.deadline});
      break;
    case CaseState::penalty_imposed:
      if (auto ok = need_deadline(to_name, data); !ok) return tl::unexpected(ok.error());
      plan.deadlines.push_back({"penalty_deadline", data.deadline});
      plan.is_inspection = true;  // the re-inspection found the violation again
      break;
    case CaseState::complied:
      if (snapshot.state == CaseState::inspection_after_deadline &&
          snapshot.last_finding == "violation") {
        return tl::unexpected(refusal("complied_after_violation",
                                      "the inspection after the deadline found a violation: "
                                      "penalty_forfeited, not complied"));
      }
      if (snapshot.state == CaseState::reinspection_planned) plan.is_inspection = true;
      break;
    case CaseState::penalty_forfeited:
      if (snapshot.last_finding != "violation") {
        return tl::unexpected(refusal("forfeit_needs_violation",
                                      "a penalty is forfeited only when the inspection after the "
                                      "deadline found a violation; the finding was '" +
                                          snapshot.last_finding + "'",
                                      {{"finding", snapshot.last_finding}}));
      }
      break;
    case CaseState::action_planned:
      if (auto ok = need_one_of(to_name, "action", data.action, kActions); !ok) {
        return tl::unexpected(ok.error());
      }
      break;
    case CaseState::closed:
      if (auto ok = need_one_of(to_name, "outcome", data.outcome, kOutcomes); !ok) {
        return tl::unexpected(ok.error());
      }
      if (snapshot.state == CaseState::inspected && snapshot.last_finding == "violation") {
        return tl::unexpected(
            refusal("close_after_violation",
                    "the inspection found a violation: draw up the official report first"));
      }
      break;
    default:
      break;
  }
  plan.notify_reporters =
      plan.public_after != plan.public_before && plan.public_after != PublicStatus::received;
  return plan;
}

}  // namespace buurtlijn::cases
