// The enforcement workflow: every allowed transition with its data, a sample of refused
// ones with their reasons, and which transitions tell the reporter.
#include "cases/workflow.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace {

using namespace buurtlijn::cases;

TransitionRequest valid_request(CaseState to) {
  TransitionRequest request;
  request.to = to;
  request.by = "inspector A";
  request.data.inspection_date = "2026-12-01";
  request.data.shift = "evening";
  request.data.inspectors = {"A. Jansen", "B. de Vries"};
  request.data.finding = "violation";
  request.data.deadline = "2027-01-15";
  request.data.action = "clean_up";
  request.data.outcome = "resolved";
  return request;
}

struct Step {
  CasePath path;
  CaseState from;
  CaseState to;
  const char* finding_before;  // the snapshot's last finding
};

}  // namespace

TEST_CASE("workflow: every allowed transition is accepted with its data") {
  using S = CaseState;
  const CasePath H = CasePath::housing;
  const CasePath W = CasePath::short_path;
  const Step steps[] = {
      {H, S::new_case, S::triaged, ""},
      {H, S::triaged, S::inspection_planned, ""},
      {H, S::triaged, S::closed, ""},
      {H, S::inspection_planned, S::inspected, ""},
      {H, S::inspected, S::official_report, "violation"},
      {H, S::inspected, S::inspection_planned, "no_access"},
      {H, S::inspected, S::closed, "no_violation"},
      {H, S::official_report, S::warning_letter_sent, "violation"},
      {H, S::official_report, S::intent_to_penalty_sent, "violation"},
      {H, S::warning_letter_sent, S::reinspection_planned, "violation"},
      {H, S::warning_letter_sent, S::closed, "violation"},
      {H, S::intent_to_penalty_sent, S::response_period, "violation"},
      {H, S::response_period, S::reinspection_planned, "violation"},
      {H, S::response_period, S::closed, "violation"},
      {H, S::reinspection_planned, S::penalty_imposed, "violation"},
      {H, S::reinspection_planned, S::complied, "violation"},
      {H, S::penalty_imposed, S::inspection_after_deadline, "violation"},
      {H, S::inspection_after_deadline, S::penalty_forfeited, "violation"},
      {H, S::inspection_after_deadline, S::complied, "no_violation"},
      {H, S::penalty_forfeited, S::inspection_after_deadline, "violation"},
      {H, S::penalty_forfeited, S::closed, "violation"},
      {H, S::complied, S::closed, "no_violation"},
      {W, S::new_case, S::triaged, ""},
      {W, S::triaged, S::action_planned, ""},
      {W, S::triaged, S::closed, ""},
      {W, S::action_planned, S::closed, ""},
  };
  for (const Step& step : steps) {
    CAPTURE(to_string(step.from));
    CAPTURE(to_string(step.to));
    const CaseSnapshot snapshot{step.path, step.from, step.finding_before};
    auto request = valid_request(step.to);
    if (step.to == S::inspected || step.to == S::inspection_after_deadline) {
      request.data.finding = "violation";
    }
    auto plan = plan_transition(snapshot, request);
    REQUIRE_MESSAGE(plan, (plan ? "" : plan.error()));
    CHECK(plan->from == step.from);
    CHECK(plan->to == step.to);
  }
}

TEST_CASE("workflow: refused transitions say why") {
  using S = CaseState;
  struct Refusal {
    CaseSnapshot snapshot;
    TransitionRequest request;
    const char* reason;
  };
  auto request = [](CaseState to) { return valid_request(to); };
  auto without = [](CaseState to, auto change) {
    auto r = valid_request(to);
    change(r);
    return r;
  };
  const Refusal refusals[] = {
      {{CasePath::housing, S::new_case, ""}, request(S::closed), "cannot go from new to closed"},
      {{CasePath::housing, S::new_case, ""}, request(S::official_report), "(allowed: triaged)"},
      {{CasePath::short_path, S::triaged, ""},
       request(S::inspection_planned),
       "a short case cannot go from triaged to inspection_planned"},
      {{CasePath::housing, S::closed, ""}, request(S::triaged), "the case is closed"},
      {{CasePath::housing, S::triaged, ""},
       without(S::inspection_planned, [](auto& r) { r.data.inspectors = {"A. Jansen"}; }),
       "a pair of two different inspectors, got 1"},
      {{CasePath::housing, S::triaged, ""},
       without(S::inspection_planned,
               [](auto& r) {
                 r.data.inspectors = {"A. Jansen", "A. Jansen"};
               }),
       "a pair of two different inspectors"},
      {{CasePath::housing, S::triaged, ""},
       without(S::inspection_planned, [](auto& r) { r.data.shift = "morning"; }),
       "needs a shift (one of day, evening, night), got 'morning'"},
      {{CasePath::housing, S::triaged, ""},
       without(S::inspection_planned, [](auto& r) { r.data.inspection_date = "2026-02-30"; }),
       "needs an inspection date YYYY-MM-DD, got '2026-02-30'"},
      {{CasePath::housing, S::inspection_planned, ""},
       without(S::inspected, [](auto& r) { r.data.finding.clear(); }),
       "needs a finding"},
      {{CasePath::housing, S::inspected, "no_violation"},
       request(S::official_report),
       "found a violation"},
      {{CasePath::housing, S::inspected, "violation"},
       request(S::inspection_planned),
       "only when the finding was no_access"},
      {{CasePath::housing, S::inspected, "violation"},
       request(S::closed),
       "draw up the official report first"},
      {{CasePath::housing, S::intent_to_penalty_sent, "violation"},
       without(S::response_period, [](auto& r) { r.data.deadline.clear(); }),
       "needs a deadline"},
      {{CasePath::housing, S::inspection_after_deadline, "violation"},
       request(S::complied),
       "penalty_forfeited, not complied"},
      {{CasePath::short_path, S::triaged, ""},
       without(S::action_planned, [](auto& r) { r.data.action = "bulldozer"; }),
       "needs a action (one of camera_check, clean_up, milieupas_letter)"},
      {{CasePath::short_path, S::action_planned, ""},
       without(S::closed, [](auto& r) { r.data.outcome.clear(); }),
       "needs a outcome"},
      {{CasePath::short_path, S::new_case, ""},
       without(S::triaged, [](auto& r) { r.by.clear(); }),
       "--by NAME"},
  };
  for (const Refusal& refusal : refusals) {
    CAPTURE(refusal.reason);
    auto plan = plan_transition(refusal.snapshot, refusal.request);
    REQUIRE_FALSE(plan);
    CHECK_MESSAGE(plan.error().find(refusal.reason) != std::string::npos, plan.error());
    // The same refusal as a code for a translated text, with the same English reason.
    auto checked = check_transition(refusal.snapshot, refusal.request);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().reason == plan.error());
    const auto& codes = refusal_codes();
    CHECK_MESSAGE(std::find(codes.begin(), codes.end(), checked.error().code) != codes.end(),
                  checked.error().code);
  }
}

TEST_CASE("workflow: a refusal carries a code and the details a translated text needs") {
  using S = CaseState;
  auto refused = [](CaseSnapshot snapshot, TransitionRequest request) {
    auto checked = check_transition(snapshot, request);
    REQUIRE_FALSE(checked);
    return checked.error();
  };
  const auto wrong_edge = refused({CasePath::housing, S::new_case, ""}, valid_request(S::closed));
  CHECK(wrong_edge.code == "not_allowed");
  CHECK(wrong_edge.detail("from") == "new");
  CHECK(wrong_edge.detail("to") == "closed");
  CHECK(wrong_edge.detail("allowed") == "triaged");
  auto one = valid_request(S::inspection_planned);
  one.data.inspectors = {"A. Jansen"};
  const auto pair = refused({CasePath::housing, S::triaged, ""}, one);
  CHECK(pair.code == "need_pair");
  CHECK(pair.detail("got") == "1");
  auto no_shift = valid_request(S::inspection_planned);
  no_shift.data.shift.clear();
  CHECK(refused({CasePath::housing, S::triaged, ""}, no_shift).code == "need_shift");
  const auto report =
      refused({CasePath::housing, S::inspected, "no_violation"}, valid_request(S::official_report));
  CHECK(report.code == "report_needs_violation");
  CHECK(report.detail("finding") == "no_violation");
  CHECK(refused({CasePath::short_path, S::closed, ""}, valid_request(S::triaged)).code == "closed");
  CHECK(wrong_edge.detail("nothing").empty());
}

TEST_CASE("workflow: reporters hear about planned, handled and closed, never the inner steps") {
  using S = CaseState;
  auto notifies = [](CasePath path, CaseState from, CaseState to, const char* finding) {
    auto plan = plan_transition({path, from, finding}, valid_request(to));
    REQUIRE(plan);
    return plan->notify_reporters;
  };
  CHECK_FALSE(notifies(CasePath::short_path, S::new_case, S::triaged, ""));
  CHECK(notifies(CasePath::short_path, S::triaged, S::action_planned, ""));
  CHECK(notifies(CasePath::short_path, S::action_planned, S::closed, ""));
  CHECK(notifies(CasePath::housing, S::triaged, S::inspection_planned, ""));
  CHECK(notifies(CasePath::housing, S::inspection_planned, S::inspected, ""));  // handled
  CHECK_FALSE(notifies(CasePath::housing, S::inspected, S::official_report, "violation"));
  CHECK_FALSE(
      notifies(CasePath::housing, S::official_report, S::intent_to_penalty_sent, "violation"));
  CHECK(notifies(CasePath::housing, S::complied, S::closed, "no_violation"));
  CHECK(public_status(S::response_period) == PublicStatus::handled);
  CHECK(public_status(S::new_case) == PublicStatus::received);
}

TEST_CASE("workflow: deadlines and counted events come from the plan") {
  using S = CaseState;
  auto plan = plan_transition({CasePath::housing, S::reinspection_planned, "violation"},
                              valid_request(S::penalty_imposed));
  REQUIRE(plan);
  REQUIRE(plan->deadlines.size() == 1);
  CHECK(plan->deadlines[0].kind == "penalty_deadline");
  CHECK(plan->deadlines[0].date == "2027-01-15");
  CHECK(plan->is_inspection);
  auto planned = plan_transition({CasePath::housing, S::response_period, "violation"},
                                 valid_request(S::reinspection_planned));
  REQUIRE(planned);
  REQUIRE(planned->deadlines.size() == 1);
  CHECK(planned->deadlines[0].kind == "re_inspection");
  CHECK(planned->deadlines[0].date == "2026-12-01");
  auto report = plan_transition({CasePath::housing, S::inspected, "violation"},
                                valid_request(S::official_report));
  REQUIRE(report);
  CHECK(report->is_official_report);
  CHECK(parse_state("penalty_imposed") == S::penalty_imposed);
  CHECK_FALSE(parse_state("teleported"));
  CHECK(is_iso_date("2024-02-29"));
  CHECK_FALSE(is_iso_date("2023-02-29"));
}
